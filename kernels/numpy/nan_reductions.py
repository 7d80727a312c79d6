"""NaN-ignoring reductions (``nansum``, ``nanmax``, ``nanvar``, ``nanargmax``, ...).

Each replaces NaNs by the reduction's identity and reduces as ``reductions`` does; non-float
inputs have no NaNs and go straight to the plain reduction, as in ``jax.numpy``. Re-exported
from ``reductions``.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from ...runtime import dtypes
from ...runtime.array import Array, wrap
from .. import elementwise as ew
from . import reductions as r
from .promote import asarray, check_arraylike, convert

__all__ = [
    "nanargmax", "nanargmin", "nanmax", "nanmean", "nanmin", "nanprod", "nanstd", "nansum",
    "nanvar",
]


def _isnan(a: Array) -> Array:
    return ew.ne_p.bind(a, a)


def _nan_reduction(name: str, reduction: Any, init: Any, nan_if_all_nan: bool, a: Any,
                   axis: Any, keepdims: bool, where: Any, **kwargs: Any) -> Array:
    check_arraylike(name, a)
    a = asarray(a)
    where = r.check_where(name, where)
    if not dtypes.is_inexact(a.dtype):
        return reduction(a, axis=axis, keepdims=keepdims, where=where, **kwargs)
    nan = _isnan(a)
    fill = wrap(np.asarray(init, a.dtype))
    out = reduction(ew.select_n_p.bind(nan, a, fill), axis=axis, keepdims=keepdims,
                    where=where, **kwargs)
    if not nan_if_all_nan:
        return out
    all_nan = r.all(nan, axis=axis, keepdims=keepdims)
    return ew.select_n_p.bind(all_nan, out, wrap(np.asarray(np.nan, out.dtype)))


def nanmin(a: Any, axis: r.Axis = None, out: None = None, keepdims: bool = False,
           initial: Any = None, where: Any = None) -> Array:
    """Minimum ignoring NaNs (NaN where a slice is all NaN)."""
    return _nan_reduction("nanmin", r.min, np.inf, initial is None, a, axis, keepdims, where,
                          out=out, initial=initial)


def nanmax(a: Any, axis: r.Axis = None, out: None = None, keepdims: bool = False,
           initial: Any = None, where: Any = None) -> Array:
    """Maximum ignoring NaNs (NaN where a slice is all NaN)."""
    return _nan_reduction("nanmax", r.max, -np.inf, initial is None, a, axis, keepdims, where,
                          out=out, initial=initial)


def nansum(a: Any, axis: r.Axis = None, dtype: Any = None, out: None = None,
           keepdims: bool = False, initial: Any = None, where: Any = None) -> Array:
    """Sum treating NaNs as zero."""
    return _nan_reduction("nansum", r.sum, 0, False, a, axis, keepdims, where, dtype=dtype,
                          out=out, initial=initial)


def nanprod(a: Any, axis: r.Axis = None, dtype: Any = None, out: None = None,
            keepdims: bool = False, initial: Any = None, where: Any = None) -> Array:
    """Product treating NaNs as one."""
    return _nan_reduction("nanprod", r.prod, 1, False, a, axis, keepdims, where, dtype=dtype,
                          out=out, initial=initial)


def nanmean(a: Any, axis: r.Axis = None, dtype: Any = None, out: None = None,
            keepdims: bool = False, where: Any = None) -> Array:
    """Mean of the non-NaN elements."""
    check_arraylike("nanmean", a)
    a = asarray(a)
    where = r.check_where("nanmean", where)
    r.check_out("nanmean", out)
    if not dtypes.is_inexact(a.dtype):
        return r.mean(a, axis, dtype, keepdims=keepdims, where=where)
    dt = r.to_inexact(a.dtype) if dtype is None else r.user_dtype(dtype)
    valid = ew.not_p.bind(_isnan(a))
    n = r.sum(valid, axis=axis, dtype=dt, keepdims=keepdims, where=where)
    total = nansum(a, axis, dtype=dt, keepdims=keepdims, where=where)
    return ew.div_p.bind(total, n)


def nanvar(a: Any, axis: r.Axis = None, dtype: Any = None, out: None = None, ddof: int = 0,
           keepdims: bool = False, where: Any = None, mean: Any = None) -> Array:
    """Variance of the non-NaN elements, with ``ddof`` degrees of freedom."""
    check_arraylike("nanvar", a)
    a = asarray(a)
    where = r.check_where("nanvar", where)
    r.check_out("nanvar", out)
    compute, result_dtype = r._var_dtypes(a.dtype, r.user_dtype(dtype))
    a = convert(a, compute)
    if mean is None:
        a_mean = nanmean(a, axis, dtype=compute, keepdims=True, where=where)
    else:
        a_mean = convert(asarray(mean), compute)
    nan = _isnan(a)
    centered = ew.select_n_p.bind(nan, ew.sub_p.bind(a, a_mean),
                                  wrap(np.zeros((), compute)))
    if compute.kind == "c":
        centered = ew.real_p.bind(ew.mul_p.bind(centered, ew.conj_p.bind(centered)))
    else:
        centered = ew.integer_pow_p.bind(centered, y=2)
    n = r.sum(ew.not_p.bind(nan), axis=axis, keepdims=keepdims, where=where)
    n = ew.sub_p.bind(n, convert(asarray(ddof), n.dtype))
    empty = ew.le_p.bind(n, wrap(np.zeros((), n.dtype)))
    total = r.sum(centered, axis, keepdims=keepdims, where=where)
    from .ufuncs import where  # promotes as JAX's where(empty, nan, total) does
    total = where(empty, np.nan, total)
    divisor = ew.select_n_p.bind(empty, n, wrap(np.ones((), n.dtype)))
    result = ew.div_p.bind(total, convert(divisor, total.dtype))
    return convert(result, result_dtype)


def nanstd(a: Any, axis: r.Axis = None, dtype: Any = None, out: None = None, ddof: int = 0,
           keepdims: bool = False, where: Any = None, mean: Any = None) -> Array:
    """Standard deviation of the non-NaN elements."""
    r.check_out("nanstd", out)
    return ew.sqrt_p.bind(nanvar(a, axis, dtype, ddof=ddof, keepdims=keepdims, where=where,
                                 mean=mean))


def _nan_arg(name: str, plain: Any, fill: float, a: Any, axis: int | None, out: Any,
             keepdims: bool | None) -> Array:
    r.check_out(name, out)
    check_arraylike(name, a)
    a = asarray(a)
    if not dtypes.is_inexact(a.dtype):
        return plain(a, axis=axis, keepdims=keepdims)
    nan = _isnan(a)
    res = plain(ew.select_n_p.bind(nan, a, wrap(np.asarray(fill, a.dtype))), axis=axis,
                keepdims=keepdims)
    all_nan = r.all(nan, axis=axis, keepdims=bool(keepdims))
    return ew.select_n_p.bind(all_nan, res, wrap(np.asarray(-1, res.dtype)))


def nanargmax(a: Any, axis: int | None = None, out: None = None,
              keepdims: bool | None = None) -> Array:
    """Index of the maximum ignoring NaNs (-1 where a slice is all NaN)."""
    return _nan_arg("nanargmax", r.argmax, -np.inf, a, axis, out, keepdims)


def nanargmin(a: Any, axis: int | None = None, out: None = None,
              keepdims: bool | None = None) -> Array:
    """Index of the minimum ignoring NaNs (-1 where a slice is all NaN)."""
    return _nan_arg("nanargmin", r.argmin, np.inf, a, axis, out, keepdims)
