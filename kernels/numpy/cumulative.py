"""Cumulative reductions: ``cumsum``, ``cumprod``, their NaN-ignoring forms and the array-API
``cumulative_sum``/``cumulative_prod``. Re-exported from ``reductions``.

As in ``jax.numpy``: booleans accumulate in the default integer type (``cumulative_sum`` also
widens narrow integers), ``axis=None`` scans the flattened array, and ``dtype=bool`` counts in
integers and then tests for nonzero so that values cannot cancel.
"""
from __future__ import annotations

import operator
from typing import Any

import numpy as np

from ...runtime import dtypes
from ...runtime.array import Array, wrap
from .. import elementwise as ew
from .. import reduce as red
from .. import structural as st
from ..registry import Primitive
from ..shapes import canonicalize_axis
from .promote import asarray, check_arraylike, convert
from .reductions import check_out, full, promote_integer_dtype, ravel, user_dtype

__all__ = [
    "cumprod", "cumsum", "cumulative_prod", "cumulative_sum", "nancumprod", "nancumsum",
]


def _cumulative(name: str, prim: Primitive, a: Any, axis: int | None, dtype: Any,
                out: Any = None, fill_nan: Any = None, promote_integers: bool = False) -> Array:
    check_out(name, out)
    check_arraylike(name, a)
    a = asarray(a)
    # JAX ravels weakly typed scalars too (Python numbers), but not 0-d arrays.
    if axis is None or (a.ndim == 0 and a.weak_type):
        a = ravel(a) if a.ndim != 1 else a
        axis = 0 if axis is None else axis
    axis = canonicalize_axis(operator.index(axis), a.ndim)
    if fill_nan is not None and dtypes.is_inexact(a.dtype):
        a = ew.select_n_p.bind(ew.ne_p.bind(a, a), a, wrap(np.asarray(fill_nan, a.dtype)))
    want = user_dtype(dtype)
    if want is None:
        result_dtype = promote_integer_dtype(a.dtype) \
            if promote_integers or a.dtype == dtypes.bool_ else a.dtype
        compute = result_dtype
    elif want == dtypes.bool_:
        # lax scans are numeric: count in integers, then test; values must not cancel.
        result_dtype = want
        if a.dtype != dtypes.bool_:
            a = ew.ne_p.bind(a, wrap(np.zeros((), a.dtype)))
        compute = promote_integer_dtype(want)
    else:
        result_dtype = compute = want
    a = convert(a, compute)
    return convert(prim.bind(a, axis=axis, reverse=False), result_dtype)


def cumsum(a: Any, axis: int | None = None, dtype: Any = None, out: None = None) -> Array:
    """Cumulative sum along ``axis`` (the flattened array if None)."""
    return _cumulative("cumsum", red.cumsum_p, a, axis, dtype, out)


def cumprod(a: Any, axis: int | None = None, dtype: Any = None, out: None = None) -> Array:
    """Cumulative product along ``axis`` (the flattened array if None)."""
    return _cumulative("cumprod", red.cumprod_p, a, axis, dtype, out)


def nancumsum(a: Any, axis: int | None = None, dtype: Any = None, out: None = None) -> Array:
    """Cumulative sum treating NaNs as zero."""
    return _cumulative("nancumsum", red.cumsum_p, a, axis, dtype, out, fill_nan=0)


def nancumprod(a: Any, axis: int | None = None, dtype: Any = None, out: None = None) -> Array:
    """Cumulative product treating NaNs as one."""
    return _cumulative("nancumprod", red.cumprod_p, a, axis, dtype, out, fill_nan=1)


def _cumulative_api(name: str, prim: Primitive, identity: int, x: Any, axis: int | None,
                    dtype: Any, include_initial: bool) -> Array:
    check_arraylike(name, x)
    x = asarray(x)
    if x.ndim == 0:
        raise ValueError(f"The input must be non-scalar to take a cumulative {name[11:]}, "
                         f"however a scalar value or scalar array was given.")
    if axis is None:
        if x.ndim > 1:
            raise ValueError(f"The input array has rank {x.ndim}, however axis was not set "
                             f"to an explicit value. The axis argument is only optional for "
                             f"one-dimensional arrays.")
        axis = 0
    axis = canonicalize_axis(operator.index(axis), x.ndim)
    out = _cumulative(name, prim, x, axis, dtype, promote_integers=name == "cumulative_sum")
    if include_initial:
        shape = list(x.shape)
        shape[axis] = 1
        out = st.concatenate_p.bind(full(tuple(shape), identity, out.dtype), out,
                                    dimension=axis)
    return out


def cumulative_sum(x: Any, /, *, axis: int | None = None, dtype: Any = None,
                   include_initial: bool = False) -> Array:
    """Array-API cumulative sum (optionally starting with a 0)."""
    return _cumulative_api("cumulative_sum", red.cumsum_p, 0, x, axis, dtype, include_initial)


def cumulative_prod(x: Any, /, *, axis: int | None = None, dtype: Any = None,
                    include_initial: bool = False) -> Array:
    """Array-API cumulative product (optionally starting with a 1)."""
    return _cumulative_api("cumulative_prod", red.cumprod_p, 1, x, axis, dtype,
                           include_initial)
