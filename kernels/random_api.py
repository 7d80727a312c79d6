"""``axc.random``: keys and the basic samplers (``bits``, ``uniform``, ``normal``, ``randint``).

JAX's API and algorithms (``jax/_src/random``), so that every sample matches JAX's bit for
bit: typed keys (``key``, dtype ``key<fry>``) and legacy raw uint32 keys (``PRNGKey``) are
both accepted, and a function given a raw key returns raw keys, as JAX does. The threefry
layouts live in ``kernels.random``; the derived distributions in ``kernels.random_samplers``.
"""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from ..runtime import dtypes
from ..runtime.array import Array, wrap
from ..runtime.config import config
from ..runtime.prng import IMPLS, THREEFRY, KeyArray, KeyDType, PRNGImpl
from . import elementwise as ew
from . import lax
from . import random as threefry
from . import structural as st
from .numpy.creation import canonicalize_shape
from .numpy.promote import asarray, check_arraylike

__all__ = [
    "PRNGKey", "bits", "clone", "fold_in", "key", "key_data", "key_impl", "normal", "randint",
    "split", "uniform", "wrap_key_data",
]


# --- keys -----------------------------------------------------------------------------------

def _resolve_impl(impl: Any) -> PRNGImpl:
    if impl is None:
        return IMPLS[config.read("jax_default_prng_impl")]
    if isinstance(impl, KeyDType):
        return impl._impl
    if isinstance(impl, PRNGImpl):
        return impl
    if isinstance(impl, str):
        if impl in IMPLS:
            return IMPLS[impl]
        names = ", ".join(f'"{n}"' for n in IMPLS)
        raise ValueError(f'unrecognized PRNG implementation "{impl}". Did you mean one of: '
                         f'{names}?')
    raise TypeError(f"unrecognized type {type(impl)} for specifying PRNG implementation.")


def _check_key_data(impl: PRNGImpl, data: Any) -> None:
    """JAX's checks on raw key data: uint32, trailing shape ``impl.key_shape``."""
    if not all(hasattr(data, a) for a in ("ndim", "shape", "dtype")):
        raise TypeError(f"JAX encountered invalid PRNG key data: expected key_data to have "
                        f"ndim, shape, and dtype attributes. Got {data}")
    nd = len(impl.key_shape)
    if data.ndim < 1:
        raise TypeError(f"JAX encountered invalid PRNG key data: expected key_data.ndim >= 1; "
                        f"got ndim={data.ndim}")
    if tuple(data.shape[-nd:]) != impl.key_shape:
        raise TypeError(f"JAX encountered invalid PRNG key data: expected key_data.shape to "
                        f"end with {impl.key_shape}; got shape={tuple(data.shape)} for "
                        f"impl={impl.name}")
    if np.dtype(data.dtype) != np.uint32:
        raise TypeError(f"JAX encountered invalid PRNG key data: expected key_data.dtype = "
                        f"uint32; got dtype={data.dtype}")


def _wrap(data: Any, impl: PRNGImpl) -> KeyArray:
    if isinstance(data, (int, float, complex, bool)):
        data = np.asarray(data)
    _check_key_data(impl, data)
    return KeyArray(impl, data if isinstance(data, Array) else asarray(data))


def check_key(name: str, key: Any, allow_batched: bool = False) -> tuple[KeyArray, bool]:
    """``(typed key, whether it was a raw uint32 key)``, with JAX's errors for anything else.

    Parameters
    ----------
    name : the calling function's name, for messages.
    key : a typed key array or raw uint32 key data.
    allow_batched : accept an array of keys (else only a single key).
    """
    if isinstance(key, KeyArray):
        typed, raw = key, False
    elif isinstance(key, (Array, np.ndarray, np.generic, int, float, complex, bool)) or \
            hasattr(key, "__jax_array__"):
        typed, raw = _wrap(key, THREEFRY), True
    else:
        raise TypeError(f"unexpected PRNG key type {type(key)}")
    if not allow_batched and typed.ndim:
        raise ValueError(f"{name} accepts a single key, but was given a key array of shape "
                         f"{tuple(np.shape(key)) if raw else typed.shape} != (). Use jax.vmap "
                         f"for batching.")
    return typed, raw


def _returned(raw: bool, keys: KeyArray) -> KeyArray | Array:
    """Keys in the form the caller passed them: raw uint32 data for a raw key."""
    return keys._base if raw else keys


def _seed_key(ctor: str, seed: Any, impl: Any) -> KeyArray:
    impl = _resolve_impl(impl)
    if isinstance(seed, KeyArray):
        raise TypeError(f"{ctor} accepts a scalar seed, but was given a PRNG key.")
    if np.ndim(seed):
        raise TypeError(f"{ctor} accepts a scalar seed, but was given an array of shape "
                        f"{np.shape(seed)} != (). Use jax.vmap for batching")
    # A Python int goes through int64 (its low 32 bits without x64), as in JAX.
    value = asarray(np.int64(seed)) if isinstance(seed, int) else asarray(seed)
    return KeyArray(impl, threefry.seed(value))


def key(seed: int | Any, *, impl: Any = None, dtype: Any = None) -> KeyArray:
    """A typed PRNG key (dtype ``key<fry>``) from an integer seed.

    Parameters
    ----------
    seed : a 64- or 32-bit integer (its high and low words make the key).
    impl, dtype : optional, the PRNG implementation (only ``"threefry2x32"``).

    Returns
    -------
    KeyArray
        A scalar key array, accepted by every ``axc.random`` function.
    """
    if dtype is not None:
        if impl is not None:
            raise ValueError("Cannot specify both `impl` and `dtype` arguments to "
                             "jax.random.key")
        impl = dtype
    return _seed_key("key", seed, impl)


def PRNGKey(seed: int | Any, *, impl: Any = None) -> Array:
    """A legacy raw key: uint32 key data of shape ``(2,)`` from an integer seed."""
    return _seed_key("PRNGKey", seed, impl)._base


def key_data(keys: Any) -> Array:
    """The uint32 data underlying a key array (shape ``keys.shape + (2,)``)."""
    typed, _ = check_key("key_data", keys, allow_batched=True)
    return typed._base


def wrap_key_data(key_bits_array: Any, *, impl: Any = None, dtype: Any = None) -> KeyArray:
    """A typed key array over uint32 key data whose trailing shape is ``(2,)``."""
    if dtype is not None:
        if impl is not None:
            raise ValueError("Cannot specify both `impl` and `dtype` arguments to "
                             "jax.random.wrap_key_data")
        impl = dtype
    return _wrap(key_bits_array, _resolve_impl(impl))


def key_impl(keys: Any) -> str:
    """The name of the PRNG implementation behind ``keys``."""
    typed, _ = check_key("key_impl", keys, allow_batched=True)
    return typed._impl.name


def key_dtype(impl: Any = None) -> KeyDType:
    """The key dtype of a PRNG implementation (``key<fry>``)."""
    return KeyDType(_resolve_impl(impl))


def clone(key: Any) -> Any:
    """``key`` itself: axc does not track key reuse, so cloning is the identity (as JAX's
    outside key-reuse checking)."""
    return key


def _split_shape(num: Any) -> tuple[int, ...]:
    shape = tuple(num) if isinstance(num, Sequence) else (num,)
    return _concrete_shape(shape)


def _concrete_shape(shape: Any) -> tuple[int, ...]:
    """A static shape of non-negative ints, with JAX's errors otherwise."""
    out = canonicalize_shape(shape)
    if any(d < 0 for d in out):
        raise ValueError(f"negative dimensions are not allowed in shape {out}")
    return out


def split(key: Any, num: int | tuple[int, ...] = 2) -> KeyArray | Array:
    """``num`` (an int or a shape) new keys from one, along new leading axes.

    Parameters
    ----------
    key : a single key (typed, or raw uint32 data of shape ``(2,)``).
    num : the number of keys, or their shape. Default 2.

    Returns
    -------
    A key array of shape ``num`` (raw key data of shape ``num + (2,)`` for a raw key).
    """
    typed, raw = check_key("split", key)
    shape = _split_shape(num)
    return _returned(raw, KeyArray(typed._impl, threefry.split(typed._base, shape)))


def fold_in(key: Any, data: Any) -> KeyArray | Array:
    """A new key from ``key`` and a 32-bit integer ``data`` (e.g. a step number)."""
    typed, raw = check_key("fold_in", key)
    if np.ndim(data):
        raise TypeError(f"fold_in accepts a scalar, but was given an array ofshape "
                        f"{np.shape(data)} != (). Use jax.vmap for batching.")
    data = asarray(data, dtype=np.uint32)
    return _returned(raw, KeyArray(typed._impl, threefry.fold_in(typed._base, data)))


# --- dtypes and shapes ----------------------------------------------------------------------

def canonical_dtype(dtype: Any, default: type) -> np.dtype:
    """A user's dtype (``default`` when None) as axc stores it (64-bit only under x64)."""
    return dtypes.canonicalize_dtype(dtypes.dtype(default if dtype is None else dtype))


def check_shape(name: str, shape: tuple[int, ...], *param_shapes: tuple[int, ...]) -> None:
    """JAX's check that parameter shapes broadcast to exactly ``shape``."""
    if param_shapes:
        try:
            got = np.broadcast_shapes(shape, *param_shapes)
        except ValueError:
            raise ValueError(f"Incompatible shapes for broadcasting: shapes="
                             f"{[tuple(shape), *map(tuple, param_shapes)]}") from None
        if tuple(got) != tuple(shape):
            raise ValueError(f"{name} parameter shapes must be broadcast-compatible with shape "
                             f"argument, and the result of broadcasting the shapes must equal "
                             f"the shape argument, but got result {tuple(got)} for shape "
                             f"argument {tuple(shape)}.")


def to_rank(x: Array, ndim: int) -> Array:
    """``x`` with leading unit axes up to rank ``ndim`` (lax's ``broadcast_to_rank``)."""
    if x.ndim >= ndim:
        return x
    return st.reshape_p.bind(x, new_sizes=(1,) * (ndim - x.ndim) + tuple(x.shape))


def as_float(x: Any, dt: np.dtype) -> Array:
    """``x`` as a strongly typed ``dt`` array (a bound parameter such as ``minval``; written
    with primitives so that gradients flow through it)."""
    x = asarray(x)
    if x.dtype == dt and not x.weak_type:
        return x
    return ew.convert_element_type_p.bind(x, new_dtype=dt, weak_type=False)


def const(value: Any, dt: np.dtype) -> Array:
    """A strongly typed 0-d constant."""
    return wrap(np.asarray(value, dt), False)


# --- bits, uniform, normal ------------------------------------------------------------------

def bits(key: Any, shape: Sequence[int] = (), dtype: Any = None) -> Array:
    """Uniform random bits as unsigned integers (``uint32``, or ``uint64`` under x64)."""
    typed, _ = check_key("bits", key)
    dt = dtypes.default_uint_dtype() if dtype is None else canonical_dtype(dtype, int)
    if dt.kind != "u":
        raise ValueError(f"dtype argument to `bits` must be an unsigned int dtype, got {dt}")
    return threefry.random_bits(typed._base, dt.itemsize * 8, _concrete_shape(shape))


def uniform(key: Any, shape: Sequence[int] = (), dtype: Any = None, minval: Any = 0.0,
            maxval: Any = 1.0) -> Array:
    """Uniform floats in ``[minval, maxval)``, bit-identical to ``jax.random.uniform``.

    Parameters
    ----------
    key : a single PRNG key.
    shape : the result shape. Default ``()``.
    dtype : a float dtype (default float32, float64 under x64).
    minval, maxval : bounds, broadcast-compatible with ``shape``.
    """
    typed, _ = check_key("uniform", key)
    dt = canonical_dtype(dtype, float)
    if dt.kind not in "fV":
        raise ValueError(f"dtype argument to `uniform` must be a float dtype, got {dt}")
    return uniform_bits(typed._base, _concrete_shape(shape), dt, minval, maxval)


def uniform_bits(data: Array, shape: tuple[int, ...], dt: np.dtype, minval: Any,
                 maxval: Any) -> Array:
    """JAX's ``_uniform`` on raw key data: random mantissa bits under exponent 0 give floats
    in [1, 2); subtract 1, then scale with one fused multiply-add as XLA's CPU backend does
    (for float32/float64; it rounds half-precision products and sums one by one)."""
    minval = to_rank(as_float(minval, dt), len(shape))
    maxval = to_rank(as_float(maxval, dt), len(shape))
    check_shape("uniform", shape, tuple(minval.shape), tuple(maxval.shape))
    finfo = dtypes.finfo(dt)
    nbits, nmant = dt.itemsize * 8, int(finfo.nmant)
    rng_bits = 8 if nmant < 8 else nbits
    raw = threefry.random_bits(data, rng_bits, shape)
    uint = np.dtype(f"uint{nbits}")
    raw = lax.convert_element_type(raw, uint)
    mantissa = lax.shift_right_logical(raw, const(rng_bits - nmant, uint))
    one_bits = const(np.array(1.0, dt).view(uint), uint)
    floats = lax.sub(lax.bitcast_convert_type(lax.bitwise_or(mantissa, one_bits), dt),
                     const(1.0, dt))
    span = ew.sub_p.bind(maxval, minval)
    if dt.itemsize >= 4:
        scaled = threefry.fma_p.bind(floats, span, minval)
    else:  # XLA computes half precision op by op, rounding each result
        scaled = ew.add_p.bind(ew.mul_p.bind(floats, span), minval)
    return ew.max_p.bind(minval, scaled)


def normal(key: Any, shape: Sequence[int] = (), dtype: Any = None) -> Array:
    """Standard normal samples: ``sqrt(2) * erf_inv(u)``, ``u`` uniform in ``(-1, 1)``.

    Float32 results match JAX bit for bit (XLA's ``erf_inv`` polynomial and ``log1p``);
    complex dtypes draw the real and imaginary parts from two split keys.
    """
    typed, _ = check_key("normal", key)
    dt = canonical_dtype(dtype, float)
    if dt.kind not in "fcV":
        raise ValueError(f"dtype argument to `normal` must be a float or complex dtype, "
                         f"got {dt}")
    return normal_bits(typed._base, _concrete_shape(shape), dt)


def normal_bits(data: Array, shape: tuple[int, ...], dt: np.dtype) -> Array:
    """``normal`` on raw key data."""
    if dt.kind == "c":
        real = np.dtype(np.finfo(dt).dtype)
        keys = threefry.split(data, (2,))
        re, im = (normal_bits(lax.index_in_dim(keys, i, keepdims=False), shape, real)
                  for i in (0, 1))
        z = lax.complex(re, im)
        return lax.div(z, const(np.sqrt(2), dt))
    lo = np.nextafter(np.array(-1.0, dt), np.array(0.0, dt))
    u = uniform_bits(data, shape, dt, const(lo, dt), const(1.0, dt))
    return lax.mul(const(np.sqrt(2), dt), lax.erf_inv(u))


# --- randint --------------------------------------------------------------------------------

def _clip_convert(val: Array, dt: np.dtype) -> Array:
    """``val`` cast to integer ``dt``, clipping to its range instead of wrapping."""
    lo = max(int(np.iinfo(dt).min), int(np.iinfo(val.dtype).min))
    hi = min(int(np.iinfo(dt).max), int(np.iinfo(val.dtype).max))
    clipped = lax.clamp(const(lo, val.dtype), val, const(hi, val.dtype))
    return lax.convert_element_type(clipped, dt)


def randint(key: Any, shape: Sequence[int], minval: Any, maxval: Any,
            dtype: Any = None) -> Array:
    """Uniform integers in ``[minval, maxval)`` (JAX's modulus method over 2 x nbits bits)."""
    typed, _ = check_key("randint", key)
    dt = canonical_dtype(dtype, int)
    if dt.kind not in "iu":
        raise TypeError(f"randint only accepts integer dtypes, got {dt}")
    shape = _concrete_shape(shape)
    check_arraylike("randint", minval, maxval)
    if dt.itemsize < 4:  # sample in 32 bits to avoid bias, then narrow
        info, i32 = np.iinfo(dt), np.dtype(np.int32)
        minval = _clip32(minval, int(info.min), int(info.max))
        maxval = _clip32(maxval, int(info.min), int(info.max) + 1)
        return lax.convert_element_type(_randint(typed._base, minval, maxval, shape, i32), dt)
    return _randint(typed._base, minval, maxval, shape, dt)


def _clip32(x: Any, lo: int, hi: int) -> Array:
    i32 = np.dtype(np.int32)
    x = lax.convert_element_type(asarray(x), i32)
    return lax.clamp(const(lo, i32), x, const(hi, i32))


def _randint(data: Array, minval: Any, maxval: Any, shape: tuple[int, ...],
             dt: np.dtype) -> Array:
    check_shape("randint", shape, np.shape(minval), np.shape(maxval))
    minval, maxval = asarray(minval), asarray(maxval)
    int_dt = dtypes.default_int_dtype()
    minval = minval if minval.dtype.kind in "iu" else lax.convert_element_type(minval, int_dt)
    maxval = maxval if maxval.dtype.kind in "iu" else lax.convert_element_type(maxval, int_dt)
    # Flag maxval above dtype's range (e.g. randint(key, shape, 0, 256, uint8)).
    maxval_out_of_range = lax.gt(maxval, _clip_convert(const(np.iinfo(dt).max, dt),
                                                       maxval.dtype))
    minval = to_rank(_clip_convert(minval, dt), len(shape))
    maxval = to_rank(_clip_convert(maxval, dt), len(shape))
    maxval_out_of_range = to_rank(maxval_out_of_range, len(shape))
    nbits = dt.itemsize * 8
    keys = threefry.split(data, (2,))
    higher, lower = (threefry.random_bits(lax.index_in_dim(keys, i, keepdims=False), nbits,
                                          shape) for i in (0, 1))
    udt = np.dtype(f"uint{nbits}")
    span = lax.convert_element_type(lax.sub(maxval, minval), udt)
    # span is 1 when maxval <= minval (minval is returned); one larger when maxval is out of
    # range (wrapping to 0 at the full range, where the remainders below are then no-ops).
    span = lax.select(lax.le(maxval, minval), lax.full_like(span, 1), span)
    span = lax.select(lax.bitwise_and(maxval_out_of_range, lax.gt(maxval, minval)),
                      lax.add(span, lax.full_like(span, 1)), span)
    # (hi * 2**nbits + lo) mod span, with 2**nbits mod span computed without overflow.
    multiplier = lax.rem(lax.full_like(span, 2 ** (nbits // 2)), span)
    multiplier = lax.rem(lax.mul(multiplier, multiplier), span)
    offset = lax.add(lax.mul(lax.rem(higher, span), multiplier), lax.rem(lower, span))
    offset = lax.rem(offset, span)
    return lax.add(minval, lax.convert_element_type(offset, dt))
