"""``axc.random``'s derived distributions, with JAX's algorithms over ``uniform``/``normal``.

Where the transform after the uniform draw is exact (comparisons, integer arithmetic, sorting,
``argmax``) the samples match JAX's exactly; where it goes through ``log``/``log1p``/``tan``
they match to the ulp or so that NumPy's and XLA's math libraries differ by.
"""
from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from ..runtime import dtypes
from . import elementwise as ew
from . import lax
from . import random as threefry
from .numpy.creation import canonicalize_shape
from .numpy.cumulative import cumsum
from .numpy.index_funcs import take
from .numpy.manipulation import moveaxis
from .numpy.promote import asarray, check_arraylike
from .numpy.ranges import arange
from .numpy.reductions import argmax
from .numpy.sorting import searchsorted
from .random_api import (
    canonical_dtype,
    check_key,
    check_shape,
    const,
    randint,
    to_rank,
    uniform_bits,
)
from .random_api import normal as _normal
from .random_api import uniform as _uniform
from .shapes import canonicalize_axis

__all__ = [
    "bernoulli", "categorical", "cauchy", "choice", "exponential", "gumbel", "laplace",
    "logistic", "lognormal", "permutation", "rademacher", "truncated_normal",
]


def _float_dtype(name: str, dtype: Any) -> np.dtype:
    dt = canonical_dtype(dtype, float)
    if dt.kind not in "fV":
        raise ValueError(f"dtype argument to `{name}` must be a float dtype, got {dt}")
    return dt


def _shape_or_none(shape: Any) -> tuple[int, ...] | None:
    return None if shape is None else canonicalize_shape(shape)


# --- transforms of one uniform draw ---------------------------------------------------------

def bernoulli(key: Any, p: Any = 0.5, shape: Sequence[int] | None = None,
              mode: str = "low") -> Any:
    """Booleans that are True with probability ``p`` (``uniform < p``)."""
    shape = _shape_or_none(shape)
    if mode not in ("high", "low"):
        raise ValueError(f"got {mode=}, expected 'high' or 'low'")
    typed, _ = check_key("bernoulli", key)
    p = asarray(p)
    if p.dtype.kind not in "fV":
        raise TypeError(f"bernoulli probability `p` must have a floating dtype, got "
                        f"{p.dtype}.")
    p = lax.convert_element_type(p, p.dtype)  # drop a weak type, as JAX's convert does
    if shape is None:
        shape = tuple(p.shape)
    else:
        check_shape("bernoulli", shape, tuple(p.shape))
    p = to_rank(p, len(shape))
    if mode == "high":
        u = uniform_bits(typed._base, (2, *shape), p.dtype, 0.0, 1.0)
        u1, u2 = (lax.index_in_dim(u, i, keepdims=False) for i in (0, 1))
        u2 = lax.mul(u2, const(2.0 ** -dtypes.finfo(p.dtype).nmant, p.dtype))
        return lax.lt(u2, lax.sub(p, u1))
    return lax.lt(uniform_bits(typed._base, shape, p.dtype, 0.0, 1.0), p)


def rademacher(key: Any, shape: Sequence[int] = (), dtype: Any = None) -> Any:
    """Random signs: -1 or 1 with equal probability."""
    dt = canonical_dtype(dtype, int)
    b = lax.convert_element_type(bernoulli(key, 0.5, shape), dt)
    return lax.sub(lax.mul(const(2, dt), b), const(1, dt))


def exponential(key: Any, shape: Sequence[int] = (), dtype: Any = None) -> Any:
    """Exponential(1) samples: ``-log1p(-u)``."""
    u = _uniform(key, shape, _float_dtype("exponential", dtype))
    return lax.neg(lax.log1p(lax.neg(u)))


def laplace(key: Any, shape: Sequence[int] = (), dtype: Any = None) -> Any:
    """Laplace(0, 1) samples: ``sign(u) * log1p(-|u|)``, ``u`` uniform in (-1, 1)."""
    dt = _float_dtype("laplace", dtype)
    u = _uniform(key, shape, dt, -1.0 + float(dtypes.finfo(dt).epsneg), 1.0)
    return lax.mul(lax.sign(u), lax.log1p(lax.neg(lax.abs(u))))


def logistic(key: Any, shape: Sequence[int] = (), dtype: Any = None) -> Any:
    """Logistic samples: ``log(u) - log1p(-u)``."""
    dt = _float_dtype("logistic", dtype)
    x = _uniform(key, shape, dt, float(dtypes.finfo(dt).tiny), 1.0)
    return lax.sub(lax.log(x), lax.log1p(lax.neg(x)))


def cauchy(key: Any, shape: Sequence[int] = (), dtype: Any = None) -> Any:
    """Standard Cauchy samples: ``tan(pi * (u - 1/2))``."""
    dt = _float_dtype("cauchy", dtype)
    u = _uniform(key, shape, dt, float(dtypes.finfo(dt).eps), 1.0)
    return lax.tan(lax.mul(const(np.pi, dt), lax.sub(u, const(0.5, dt))))


def lognormal(key: Any, sigma: Any = 1.0, shape: Sequence[int] | None = None,
              dtype: Any = None) -> Any:
    """Log-normal samples: ``exp(sigma * normal)``."""
    dt = _float_dtype("lognormal", dtype)
    shape = np.shape(sigma) if shape is None else canonicalize_shape(shape)
    sigma = lax.convert_element_type(sigma, dt)
    return lax.exp(lax.mul(_normal(key, shape, dt), to_rank(sigma, len(shape))))


def gumbel(key: Any, shape: Sequence[int] = (), dtype: Any = None,
           mode: str | None = None) -> Any:
    """Gumbel samples: ``-log(-log(u))`` (``mode="high"`` spends two draws per sample)."""
    typed, _ = check_key("gumbel", key)
    dt = _float_dtype("gumbel", dtype)
    shape = canonicalize_shape(shape)
    mode = "low" if mode is None else mode
    if mode not in ("high", "low"):
        raise ValueError(f"Must provide valid mode for gumbel got: {mode}"
                         if mode != "highest" else "gumbel mode='highest' is not supported")
    info = dtypes.finfo(dt)
    if mode == "high":
        hl = uniform_bits(typed._base, (2, *shape), dt, 0.0, 1.0)
        high, low = (lax.index_in_dim(hl, i, keepdims=False) for i in (0, 1))
        fine = lax.add(lax.add(high, lax.mul(const(2.0 ** -int(info.nmant), dt), low)),
                       const(info.tiny, dt))
        x = lax.select(lax.ge(high, const(0.5, dt)), high, fine)
        return lax.neg(lax.log(lax.neg(lax.log1p(lax.neg(x)))))
    u = uniform_bits(typed._base, shape, dt, float(info.tiny), 1.0)
    return lax.neg(lax.log(lax.neg(lax.log(u))))


def truncated_normal(key: Any, lower: Any, upper: Any, shape: Sequence[int] | None = None,
                     dtype: Any = None) -> Any:
    """Normal samples conditioned on ``lower < x < upper``, by inverting the CDF."""
    shape = _shape_or_none(shape)
    typed, _ = check_key("truncated_normal", key)
    dt = _float_dtype("truncated_normal", dtype)
    if shape is None:
        shape = tuple(np.broadcast_shapes(np.shape(lower), np.shape(upper)))
    else:
        check_shape("truncated_normal", shape, np.shape(lower), np.shape(upper))
    sqrt2 = const(np.sqrt(2), dt)
    lower = lax.convert_element_type(lower, dt)
    upper = lax.convert_element_type(upper, dt)
    a = lax.erf(lax.div(lower, sqrt2))
    b = lax.erf(lax.div(upper, sqrt2))
    u = uniform_bits(typed._base, shape, dt, a, b)
    out = lax.mul(sqrt2, lax.erf_inv(u))
    # Rounding (or u == a) must not leave the open interval (lower, upper). The bounds carry
    # no derivative (JAX stops it; the nextafter primitive has none).
    lo = to_rank(ew.nextafter_p.bind(lower, lax.full_like(lower, np.inf)), len(shape))
    hi = to_rank(ew.nextafter_p.bind(upper, lax.full_like(upper, -np.inf)), len(shape))
    return lax.min(lax.max(out, lo), hi)


# --- sampling from arrays -------------------------------------------------------------------

def _shuffle(data: Any, x: Any, axis: int) -> Any:
    """Sort by fresh random 32-bit keys, repeated until collisions are unlikely (JAX's
    ``_shuffle``: ``ceil(3 ln n / ln(2**32 - 1))`` rounds)."""
    size = math.prod(np.shape(x))
    rounds = int(np.ceil(3 * np.log(max(1, size)) / np.log(np.iinfo(np.uint32).max)))
    for _ in range(rounds):
        keys = threefry.split(data, (2,))
        data, sub = (lax.index_in_dim(keys, i, keepdims=False) for i in (0, 1))
        sort_keys = threefry.random_bits(sub, 32, tuple(np.shape(x)))
        _, x = lax.sort_key_val(sort_keys, x, axis)
    return x


def permutation(key: Any, x: Any, axis: int = 0, independent: bool = False) -> Any:
    """A random permutation of ``arange(x)`` (an int) or of ``x`` along ``axis``."""
    typed, _ = check_key("permutation", key)
    check_arraylike("permutation", x)
    axis = canonicalize_axis(axis, np.ndim(x) or 1)
    if not np.ndim(x):
        if np.asarray(x).dtype.kind not in "iu":
            raise TypeError("x must be an integer or at least 1-dimensional")
        return _shuffle(typed._base, arange(int(x)), axis)
    x = asarray(x)
    if independent or x.ndim == 1:
        return _shuffle(typed._base, x, axis)
    ind = _shuffle(typed._base, arange(x.shape[axis]), 0)
    return take(x, ind, axis, unique_indices=True)


def choice(key: Any, a: Any, shape: Sequence[int] = (), replace: bool = True,
           p: Any = None, axis: int = 0, mode: str | None = None) -> Any:
    """Random samples from ``a`` (or ``arange(a)``), with or without replacement, optionally
    weighted by ``p``."""
    typed, _ = check_key("choice", key)
    if not isinstance(shape, Sequence):
        raise TypeError(f"shape argument of jax.random.choice must be a sequence, got {shape}")
    check_arraylike("choice", a)
    arr = asarray(a)
    if arr.ndim == 0:
        n_inputs = int(a)
    else:
        axis = canonicalize_axis(axis, arr.ndim)
        n_inputs = arr.shape[axis]
    n_draws = math.prod(shape)
    if n_draws == 0:
        return lax.full(tuple(shape), 0, arr.dtype)
    if n_inputs <= 0:
        raise ValueError("a must be greater than 0 unless no samples are taken")
    if not replace and n_draws > n_inputs:
        raise ValueError(f"Cannot take a larger sample (size {n_draws}) than population "
                         f"(size {n_inputs}) when 'replace=False'")
    if p is None:
        if replace:
            ind = randint(typed, tuple(shape), 0, n_inputs)
            result = ind if arr.ndim == 0 else take(arr, ind, axis)
        else:
            perm = permutation(typed, n_inputs if arr.ndim == 0 else arr, axis)
            result = lax.slice_in_dim(perm, 0, n_draws, axis=axis)
    else:
        result = _choice_weighted(typed, arr, n_inputs, shape, replace, p, axis, mode)
    out_shape = tuple(shape) if arr.ndim == 0 else \
        tuple(arr.shape[:axis]) + tuple(shape) + tuple(arr.shape[axis + 1:])
    return lax.reshape(result, out_shape)


def _choice_weighted(typed: Any, arr: Any, n_inputs: int, shape: Sequence[int],
                     replace: bool, p: Any, axis: int, mode: str | None) -> Any:
    check_arraylike("choice", p)
    p_arr = asarray(p)
    if p_arr.dtype.kind not in "fcV":
        p_arr = lax.convert_element_type(p_arr, dtypes.default_float_dtype())
    if tuple(p_arr.shape) != (n_inputs,):
        raise ValueError(f"p must be None or a 1D vector with the same size as a.shape[axis]. "
                         f"p has shape {tuple(p_arr.shape)} and a.shape[axis] is {n_inputs}.")
    int_dt = dtypes.default_int_dtype()
    if replace:
        p_cuml = cumsum(p_arr)
        total = lax.index_in_dim(p_cuml, n_inputs - 1, keepdims=False)
        u = _uniform(typed, tuple(shape), p_cuml.dtype)
        r = lax.mul(total, lax.sub(const(1, p_cuml.dtype), u))
        ind = lax.convert_element_type(searchsorted(p_cuml, r), int_dt)
    else:
        g = lax.add(gumbel(typed, (n_inputs,), p_arr.dtype, mode=mode), lax.log(p_arr))
        ind = lax.convert_element_type(lax.top_k(g, math.prod(shape))[1], int_dt)
    return ind if arr.ndim == 0 else take(arr, ind, axis)


def categorical(key: Any, logits: Any, axis: int = -1, shape: Sequence[int] | None = None,
                replace: bool = True, mode: str | None = None) -> Any:
    """Samples of ``softmax(logits, axis)`` categories (the Gumbel-max / top-k trick)."""
    typed, _ = check_key("categorical", key)
    check_arraylike("categorical", logits)
    logits = asarray(logits)
    axis = canonicalize_axis(axis, logits.ndim)
    batch_shape = tuple(d for i, d in enumerate(logits.shape) if i != axis)
    if shape is None:
        shape = batch_shape
    else:
        shape = canonicalize_shape(shape)
        check_shape("categorical", shape, batch_shape)
    prefix = tuple(shape[:len(shape) - len(batch_shape)])
    if replace:
        logits_shape = list(shape[len(shape) - len(batch_shape):])
        logits_shape.insert(axis, logits.shape[axis])
        noise = gumbel(typed, (*prefix, *logits_shape), logits.dtype, mode=mode)
        return argmax(lax.add(noise, to_rank(logits, len(prefix) + logits.ndim)),
                      axis=axis - logits.ndim)
    logits = lax.add(logits, gumbel(typed, tuple(logits.shape), logits.dtype, mode=mode))
    k = math.prod(prefix)
    if k > logits.shape[axis]:
        raise ValueError(f"Number of samples without replacement ({k}) cannot exceed number "
                         f"of categories ({logits.shape[axis]}).")
    _, indices = lax.top_k(moveaxis(logits, axis, -1), k)
    return lax.reshape(lax.transpose(indices, (indices.ndim - 1, *range(indices.ndim - 1))),
                       tuple(shape))
