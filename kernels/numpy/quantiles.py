"""Order statistics: ``quantile``, ``percentile``, ``median`` and their NaN-ignoring forms.

As in ``jax.numpy``, the data are sorted along the reduced axis (the reduced axes are first
moved last and flattened into one) and the two neighbouring order statistics are gathered
and interpolated. ``q`` is traced like any array, so the gather uses computed indices.
Re-exported from ``reductions``.
"""
from __future__ import annotations

import math
from typing import Any

import numpy as np

from ...runtime import dtypes
from ...runtime.array import Array, wrap
from .. import elementwise as ew
from .. import reduce as red
from .. import structural as st
from ..shapes import canonicalize_axis
from . import indexing
from . import reductions as r
from .promote import asarray, check_arraylike, convert, promote_args_inexact

__all__ = [
    "median", "nanmedian", "nanpercentile", "nanquantile", "percentile", "quantile",
]

_METHODS = ("linear", "lower", "higher", "midpoint", "nearest", "inverted_cdf")


def _const(value: Any, dt: np.dtype) -> Array:
    return wrap(np.asarray(value, dtype=dt))


def _reshape(x: Array, shape: tuple[int, ...]) -> Array:
    return x if x.shape == shape else st.reshape_p.bind(x, new_sizes=tuple(shape))


def _move_reduced_last(a: Array, axis: Any, keepdims: bool) -> tuple[Array, tuple | None]:
    """``a`` with the reduced axes flattened into its last axis, and the keepdims shape."""
    if axis is None:
        keep_shape = (1,) * a.ndim if keepdims else None
        return r.ravel(a), keep_shape
    axes = r.reduction_axes(axis, a.ndim)
    keep_shape = tuple(1 if i in axes else d for i, d in enumerate(a.shape)) \
        if keepdims else None
    kept = [i for i in range(a.ndim) if i not in axes]
    perm = tuple(kept) + tuple(sorted(axes))
    if perm != tuple(range(a.ndim)):
        a = st.transpose_p.bind(a, permutation=perm)
    outer = tuple(a.shape[:len(kept)])
    return _reshape(a, outer + (math.prod(a.shape[len(kept):]),)), keep_shape


def _gather_last(a: Array, idx: Array) -> Array:
    """``a[..., idx]`` for indices ``idx`` of shape ``Q + B`` into ``a`` of shape ``B + (n,)``."""
    lead = idx.ndim - (a.ndim - 1)
    a = st.expand_dims_p.bind(a, dimensions=tuple(range(lead))) if lead else a
    idx = st.expand_dims_p.bind(idx, dimensions=(idx.ndim,))
    out = indexing.take_along_axis(a, idx, axis=-1)
    return st.squeeze_p.bind(out, dimensions=(out.ndim - 1,))


def _quantile(name: str, a: Any, q: Any, axis: Any, method: str, keepdims: bool,
              squash_nans: bool, out: Any, overwrite_input: bool, weights: Any) -> Array:
    check_arraylike(name, a, q)
    if overwrite_input or out is not None:
        raise ValueError(f"jax.numpy.{name} does not support overwrite_input=True or "
                         f"out != None")
    if method not in _METHODS:
        raise ValueError("method can only be 'linear', 'lower', 'higher', 'midpoint', "
                         "'nearest' or 'inverted_cdf'")
    if weights is not None or method == "inverted_cdf":
        raise NotImplementedError(f"axc's {name} does not implement weights or "
                                  f"method='inverted_cdf' yet.")
    (a,) = promote_args_inexact(name, a)
    q = asarray(q)
    if a.dtype.kind == "c":
        raise ValueError("quantile does not support complex input, as the operation is "
                         "poorly defined.")
    if q.ndim > 1:
        raise ValueError(f"q must be have rank <= 1, got shape {q.shape}")
    if not dtypes.is_inexact(q.dtype):
        raise TypeError(f"floor does not accept dtype {q.dtype.name}. Accepted dtypes are "
                        f"subtypes of floating.")
    int_axis = axis is not None and not isinstance(axis, (tuple, list))
    if int_axis:
        axis = canonicalize_axis(axis, a.ndim)
    a, keep_shape = _move_reduced_last(a, axis, keepdims and not int_axis)
    n = a.shape[-1]
    if n == 0:
        # JAX fails in its gather here (IndexError for the NaN-ignoring forms, TypeError
        # otherwise); axc raises the same classes with a plainer message.
        err = IndexError if squash_nans else TypeError
        raise err(f"{name} over an empty axis is undefined: the reduced axes have no "
                  f"elements.")
    batch = a.shape[:-1]
    q_dt = q.dtype
    qb = _reshape(q, q.shape + (1,) * len(batch))  # broadcasts against Q + B
    nan = ew.ne_p.bind(a, a)
    if squash_nans:
        # NaNs of either sign become +NaN so that the sort puts them last.
        a = ew.select_n_p.bind(nan, a, _const(np.nan, a.dtype))
        a = red.sort_p.bind(a, dimension=a.ndim - 1, is_stable=True, num_keys=1)[0]
        counts = r.sum(ew.not_p.bind(nan), axis=-1, dtype=q_dt)
        last = ew.sub_p.bind(counts, _const(1, q_dt))
    else:
        any_nan = r.any(nan, axis=-1, keepdims=True)
        a = ew.select_n_p.bind(any_nan, a, _const(np.nan, a.dtype))
        a = red.sort_p.bind(a, dimension=a.ndim - 1, is_stable=True, num_keys=1)[0]
        last = _const(n - 1, q_dt)
    pos = ew.mul_p.bind(qb, last)
    low, high = ew.floor_p.bind(pos), ew.ceil_p.bind(pos)
    high_weight = ew.sub_p.bind(pos, low)
    low_weight = ew.sub_p.bind(_const(1, q_dt), high_weight)
    zero = _const(0, q_dt)
    low = ew.max_p.bind(zero, ew.min_p.bind(low, last))
    high = ew.max_p.bind(zero, ew.min_p.bind(high, last))
    out_shape = q.shape + batch
    index_dt = dtypes.default_int_dtype()
    low_idx = r.broadcast_to(convert(low, index_dt), out_shape)
    high_idx = r.broadcast_to(convert(high, index_dt), out_shape)
    low_value, high_value = _gather_last(a, low_idx), _gather_last(a, high_idx)
    if method == "linear":
        result = ew.add_p.bind(ew.mul_p.bind(convert(low_value, q_dt), low_weight),
                               ew.mul_p.bind(convert(high_value, q_dt), high_weight))
    elif method == "lower":
        result = low_value
    elif method == "higher":
        result = high_value
    elif method == "nearest":
        pred = ew.le_p.bind(high_weight, _const(0.5, q_dt))
        result = ew.select_n_p.bind(pred, high_value, low_value)
    else:  # midpoint
        result = ew.mul_p.bind(ew.add_p.bind(low_value, high_value), _const(0.5, a.dtype))
    result = convert(result, a.dtype)
    if keepdims:
        if int_axis:
            result = st.expand_dims_p.bind(result, dimensions=(q.ndim + axis,))
        else:
            result = _reshape(result, q.shape + keep_shape)
    return result


def quantile(a: Any, q: Any, axis: int | tuple[int, ...] | None = None, out: None = None,
             overwrite_input: bool = False, method: str = "linear", keepdims: bool = False,
             *, weights: Any = None) -> Array:
    """The ``q``-th quantiles (``q`` in [0, 1], a scalar or 1-d) of ``a`` over ``axis``."""
    return _quantile("quantile", a, q, axis, method, keepdims, False, out, overwrite_input,
                     weights)


def nanquantile(a: Any, q: Any, axis: int | tuple[int, ...] | None = None, out: None = None,
                overwrite_input: bool = False, method: str = "linear", keepdims: bool = False,
                *, weights: Any = None) -> Array:
    """``quantile`` ignoring NaNs (NaN where a slice is all NaN)."""
    return _quantile("nanquantile", a, q, axis, method, keepdims, True, out, overwrite_input,
                     weights)


def _percent(name: str, q: Any) -> Array:
    check_arraylike(name, q)
    (q,) = promote_args_inexact(name, q)
    return ew.div_p.bind(q, wrap(np.asarray(100, q.dtype), q.weak_type))


def percentile(a: Any, q: Any, axis: int | tuple[int, ...] | None = None, out: None = None,
               overwrite_input: bool = False, method: str = "linear", keepdims: bool = False,
               *, weights: Any = None) -> Array:
    """The ``q``-th percentiles (``q`` in [0, 100]) of ``a`` over ``axis``."""
    check_arraylike("percentile", a)
    return quantile(a, _percent("percentile", q), axis, out, overwrite_input, method,
                    keepdims, weights=weights)


def nanpercentile(a: Any, q: Any, axis: int | tuple[int, ...] | None = None,
                  out: None = None, overwrite_input: bool = False, method: str = "linear",
                  keepdims: bool = False, *, weights: Any = None) -> Array:
    """``percentile`` ignoring NaNs."""
    check_arraylike("nanpercentile", a)
    return nanquantile(a, _percent("nanpercentile", q), axis, out, overwrite_input, method,
                       keepdims, weights=weights)


def median(a: Any, axis: int | tuple[int, ...] | None = None, out: None = None,
           overwrite_input: bool = False, keepdims: bool = False) -> Array:
    """Median over ``axis`` (the mean of the two middle values for an even count)."""
    return quantile(a, 0.5, axis, out, overwrite_input, "midpoint", keepdims)


def nanmedian(a: Any, axis: int | tuple[int, ...] | None = None, out: None = None,
              overwrite_input: bool = False, keepdims: bool = False) -> Array:
    """Median ignoring NaNs."""
    return nanquantile(a, 0.5, axis, out, overwrite_input, "midpoint", keepdims)
