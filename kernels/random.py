"""Random-number primitives and JAX's threefry2x32 counter layouts built on them.

``threefry2x32`` is the 20-round Threefry-2x32 block cipher (Salmon et al., "Parallel random
numbers: as easy as 1, 2, 3", SC 2011; JAX's ``threefry2x32_p``): elementwise over four
broadcast uint32 operands (key words ``k0, k1``, counter words ``x0, x1``) to two uint32
results. ``fma`` is ``a * b + c`` rounded once: XLA's CPU backend contracts the multiply-add
in ``uniform``'s scaling to an FMA, and bit-identical samples need the same rounding.

The key operations (seed, split, fold_in, random bits) are plain compositions of primitives,
in JAX's default *partitionable* layout or, when ``jax_threefry_partitionable`` is off, its
original one. They act on raw key data: uint32 arrays of shape ``K + (2,)``, a batch ``K``
of keys (``()`` for one key).
"""
from __future__ import annotations

import math

import numpy as np

from ..runtime.abstract import ShapedArray
from ..runtime.array import Array, wrap
from ..runtime.config import config
from . import ad_util, lax
from . import elementwise as ew
from .batch_util import broadcast_batcher
from .registry import NotApplicable, Primitive, Templates, never_weak
from .shapes import broadcast_shapes

_U32 = np.dtype(np.uint32)
_ROTATIONS = ((13, 15, 26, 6), (17, 29, 16, 24))
_PARITY = np.uint32(0x1BD11BDA)

# --- threefry2x32 ---------------------------------------------------------------------------


def _rotate_left(x: np.ndarray, r: int, tmp: np.ndarray) -> None:
    np.left_shift(x, np.uint32(r), out=tmp)
    np.right_shift(x, np.uint32(32 - r), out=x)
    np.bitwise_or(x, tmp, out=x)


def _threefry2x32(k0: np.ndarray, k1: np.ndarray, x0: np.ndarray,
                  x1: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Threefry-2x32, 20 rounds, in place on fresh uint32 buffers (no per-element loop)."""
    shape = np.broadcast_shapes(k0.shape, k1.shape, x0.shape, x1.shape)
    ks = (k0, k1, k0 ^ k1 ^ _PARITY)
    y0 = np.add(x0, k0, out=np.empty(shape, _U32))  # fresh buffers, updated in place
    y1 = np.add(x1, k1, out=np.empty(shape, _U32))
    tmp = np.empty(shape, _U32)
    for i in range(5):
        for r in _ROTATIONS[i % 2]:
            np.add(y0, y1, out=y0)
            _rotate_left(y1, r, tmp)
            np.bitwise_xor(y1, y0, out=y1)
        np.add(y0, ks[(i + 1) % 3], out=y0)
        np.add(y1, ks[(i + 2) % 3] + np.uint32(i + 1), out=y1)
    return y0, y1


def _threefry2x32_rule(*avals: ShapedArray) -> tuple[ShapedArray, ShapedArray]:
    if len(avals) != 4:
        raise TypeError(f"threefry2x32 takes 4 operands (k0, k1, x0, x1), got {len(avals)}")
    if any(a.dtype != _U32 for a in avals):
        raise TypeError(f"Arguments to threefry2x32 must have uint32 type, got "
                        f"{[a.dtype.name for a in avals]}")
    shape = broadcast_shapes(*(a.shape for a in avals), op="threefry2x32")
    out = ShapedArray(shape, _U32, False)
    return out, out


_INTEGER = NotApplicable("integer operands and results: random bits carry no derivative")

threefry2x32_p = Primitive(
    "threefry2x32", impl=_threefry2x32, abstract_eval=_threefry2x32_rule,
    weak_rule=never_weak, multiple_results=True, family="random", jvp=_INTEGER,
    adjoint=_INTEGER, batch=broadcast_batcher("threefry2x32"))
# llvm: PENDING. The LLVM fusion rules (kernels/llvm_elementwise.RULES) emit one result per
# primitive; a two-result elementwise rule needs the fusion kernel to accept several outputs.


# --- fma ------------------------------------------------------------------------------------

def _two_sum(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Knuth's TwoSum: ``s = fl(a + b)`` and the exact rounding error ``a + b - s``."""
    s = a + b
    bb = s - a
    return s, (a - (s - bb)) + (b - bb)


def _round_to_odd(s: np.ndarray, err: np.ndarray) -> np.ndarray:
    """``s + err`` (``s = fl(s + err)``) rounded to odd in float64: rounding that to a type
    of at most 51 significand bits then rounds the exact sum correctly (Boldo-Melquiond)."""
    bits = s.view(np.int64) if s.ndim else np.asarray(s).reshape(1).view(np.int64)
    inexact = err != 0
    toward_zero = inexact & ((err < 0) != (s < 0))  # |exact| < |s|: truncate one ulp down
    bits = np.where(toward_zero, bits - 1, bits)
    bits = np.where(inexact, bits | 1, bits)
    return bits.view(np.float64).reshape(s.shape)


def _split(a: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Veltkamp's split of float64 values into 26-bit halves (for an exact product)."""
    c = a * 134217729.0
    hi = c - (c - a)
    return hi, a - hi


def _fma64(a: np.ndarray, b: np.ndarray, c: np.ndarray) -> np.ndarray:
    """float64 ``a * b + c``: exact product (Dekker), then a compensated sum; rounds as a
    true FMA except on exceedingly rare double-rounding ties."""
    p = a * b
    ah, al = _split(a)
    bh, bl = _split(b)
    pe = ((ah * bh - p) + ah * bl + al * bh) + al * bl
    s, e = _two_sum(p, c)
    return s + (e + pe)


def _fma(a: np.ndarray, b: np.ndarray, c: np.ndarray) -> np.ndarray:
    dt = a.dtype
    with np.errstate(all="ignore"):
        if dt == np.float64:
            out = _fma64(a, b, c)
            # The compensated form is undefined where the product or sum overflows.
            return np.where(np.isfinite(out), out, a * b + c)
        # A product of <= 24-bit significands is exact in float64; round the sum to odd.
        a64, b64, c64 = (np.asarray(v, np.float64) for v in (a, b, c))
        p = a64 * b64
        s, err = _two_sum(p, c64)
        out = np.where(np.isfinite(s), _round_to_odd(s, np.where(np.isfinite(err), err, 0)), s)
        return out.astype(dt)


def _fma_jvp_a(t: Array, ans: Array, a: Array, b: Array, c: Array) -> Array:
    return ad_util.broadcast_like(t * b, ans)


def _fma_jvp_b(t: Array, ans: Array, a: Array, b: Array, c: Array) -> Array:
    return ad_util.broadcast_like(a * t, ans)


def _fma_jvp_c(t: Array, ans: Array, a: Array, b: Array, c: Array) -> Array:
    return ad_util.broadcast_like(t, ans)


def _fma_adjoint_a(g: Array, ans: Array, a: Array, b: Array, c: Array) -> Array:
    return ad_util.unbroadcast(g * b, a)


def _fma_adjoint_b(g: Array, ans: Array, a: Array, b: Array, c: Array) -> Array:
    return ad_util.unbroadcast(a * g, b)


def _fma_adjoint_c(g: Array, ans: Array, a: Array, b: Array, c: Array) -> Array:
    return ad_util.unbroadcast(g, c)


# Declared with the family that needs it: XLA fuses ``uniform``'s scaling, not user code.
fma_p = Primitive(
    "fma", impl=_fma, abstract_eval=ew.elementwise_rule("fma", ew.REAL_FLOAT),
    family="random",
    jvp=Templates((_fma_jvp_a, _fma_jvp_b, _fma_jvp_c)),
    adjoint=Templates((_fma_adjoint_a, _fma_adjoint_b, _fma_adjoint_c)),
    batch=broadcast_batcher("fma"))
# llvm: PENDING until kernels/llvm_elementwise.RULES has ``"fma": em.intrinsic("fma", ...)``;
# until then jit runs the exact NumPy kernel above.


# --- JAX's key operations over raw key data -------------------------------------------------
#
# Each takes key data of shape ``K + (2,)``: a batch ``K`` of keys acts as JAX's iterated
# ``vmap`` over single keys does, the key words broadcast against the counters.

_UINT = {8: np.dtype(np.uint8), 16: np.dtype(np.uint16), 32: _U32, 64: np.dtype(np.uint64)}


def _u32(value: int) -> Array:
    return wrap(np.asarray(value, _U32), False)


def _key_words(keys: Array, ndim: int = 0) -> tuple[Array, Array]:
    """The two uint32 words of each key, with ``ndim`` trailing unit axes to broadcast."""
    batch = tuple(keys.shape[:-1])
    return tuple(lax.reshape(lax.index_in_dim(keys, i, axis=-1, keepdims=False),
                             batch + (1,) * ndim) for i in (0, 1))


def _stack_words(w0: Array, w1: Array) -> Array:
    """Key data from two word arrays (a trailing axis of 2)."""
    nd = w0.ndim
    return lax.concatenate([lax.expand_dims(w0, (nd,)), lax.expand_dims(w1, (nd,))], nd)


def _iota_2x32(shape: tuple[int, ...]) -> tuple[Array, Array]:
    """Each element's row-major index in ``shape`` as (high, low) uint32 words."""
    size = math.prod(shape)
    if size > 2 ** 32:
        raise NotImplementedError(f"random arrays of more than 2**32 elements (shape {shape})")
    lo = lax.reshape(lax.iota(_U32, size), shape)
    return lax.full(shape, 0, _U32), lo


def _hash_counts(keys: Array, counts: Array) -> Array:
    """JAX's ``threefry_2x32``: hash a run of counters, its flat halves as the two words."""
    n = counts.size
    flat = lax.reshape(counts, (n,))
    if n % 2:
        flat = lax.concatenate([flat, lax.full((1,), 0, _U32)], 0)
    half = flat.shape[0] // 2
    k0, k1 = _key_words(keys, 1)
    y0, y1 = threefry2x32_p.bind(k0, k1, lax.slice(flat, (0,), (half,)),
                                 lax.slice(flat, (half,), (2 * half,)))
    out = lax.concatenate([y0, y1], y0.ndim - 1)
    batch = tuple(keys.shape[:-1])
    out = lax.slice_in_dim(out, 0, n, axis=-1) if n % 2 else out
    return lax.reshape(out, batch + tuple(counts.shape))


def seed(seed_value: Array) -> Array:
    """The raw key of an integer scalar: its high and low 32 bits (JAX's ``threefry_seed``)."""
    if seed_value.shape:
        raise TypeError(f"PRNG key seed must be a scalar; got {seed_value!r}.")
    if seed_value.dtype.kind not in "iu":
        raise TypeError(f"PRNG key seed must be an integer; got {seed_value!r}")
    lo = lax.convert_element_type(seed_value, _U32)  # the low 32 bits, two's complement
    if seed_value.dtype.itemsize == 8:
        hi = lax.shift_right_logical(seed_value, lax.full((), 32, seed_value.dtype))
        hi = lax.convert_element_type(hi, _U32)
    else:  # a logical shift by the full width is zero (XLA's semantics)
        hi = lax.full((), 0, _U32)
    return _stack_words(hi, lo)


def split(keys: Array, shape: tuple[int, ...]) -> Array:
    """``shape`` new keys from each key (key data ``K + (2,)`` to ``K + shape + (2,)``)."""
    if config.read("jax_threefry_partitionable"):
        k0, k1 = _key_words(keys, len(shape))
        return _stack_words(*threefry2x32_p.bind(k0, k1, *_iota_2x32(shape)))
    counts = lax.iota(_U32, math.prod(shape) * 2)
    batch = tuple(keys.shape[:-1])
    return lax.reshape(_hash_counts(keys, counts), batch + (*shape, 2))


def fold_in(keys: Array, data: Array) -> Array:
    """New keys from keys and uint32 data (broadcast): the hash of the counter ``(0, data)``,
    as JAX's ``threefry_2x32(key, threefry_seed(data))`` (the same in both layouts)."""
    k0, k1 = _key_words(keys)
    return _stack_words(*threefry2x32_p.bind(k0, k1, lax.full((), 0, _U32), data))


def random_bits(keys: Array, bit_width: int, shape: tuple[int, ...]) -> Array:
    """Uniform random unsigned integers of ``bit_width`` bits, shape ``K + shape``."""
    if bit_width not in _UINT:
        raise TypeError("requires 8-, 16-, 32- or 64-bit field width.")
    if config.read("jax_threefry_partitionable"):
        return _bits_partitionable(keys, bit_width, shape)
    return _bits_original(keys, bit_width, shape)


def _bits_partitionable(keys: Array, bit_width: int, shape: tuple[int, ...]) -> Array:
    k0, k1 = _key_words(keys, len(shape))
    b0, b1 = threefry2x32_p.bind(k0, k1, *_iota_2x32(shape))
    dt = _UINT[bit_width]
    if bit_width == 64:
        b0, b1 = lax.convert_element_type(b0, dt), lax.convert_element_type(b1, dt)
        return lax.bitwise_or(lax.shift_left(b0, lax.full((), 32, dt)), b1)
    return lax.convert_element_type(lax.bitwise_xor(b0, b1), dt)


def _bits_original(keys: Array, bit_width: int, shape: tuple[int, ...]) -> Array:
    size = math.prod(shape)
    words = -(-bit_width * size // 32)
    if words >= 2 ** 32 - 1:
        raise NotImplementedError("random bits of more than 2**32 words in the original "
                                  "threefry layout")
    bits = _hash_counts(keys, lax.iota(_U32, words))  # K + (words,)
    batch = tuple(keys.shape[:-1])
    dt = _UINT[bit_width]
    if bit_width == 64:
        half = words // 2
        b0 = lax.convert_element_type(lax.slice_in_dim(bits, 0, half, axis=-1), dt)
        b1 = lax.convert_element_type(lax.slice_in_dim(bits, half, words, axis=-1), dt)
        bits = lax.bitwise_or(lax.shift_left(b0, lax.full((), 32, dt)), b1)
    elif bit_width < 32:
        # Each word splits into 32 // bit_width values, low bits first (a little-endian view).
        per = 32 // bit_width
        nb = len(batch)
        shifts = lax.mul(lax.iota(_U32, per), _u32(bit_width))
        parts = lax.shift_right_logical(
            lax.broadcast_in_dim(bits, (*batch, words, per), tuple(range(nb + 1))),
            lax.broadcast_in_dim(shifts, (*batch, words, per), (nb + 1,)))
        parts = lax.convert_element_type(lax.reshape(parts, (*batch, words * per)), dt)
        bits = lax.slice_in_dim(parts, 0, size, axis=-1)
    return lax.reshape(bits, batch + tuple(shape))
