"""Set operations: ``unique`` (and the array-API ``unique_*``), ``intersect1d``, ``union1d``,
``setdiff1d``, ``setxor1d`` and ``isin``.

Their output sizes depend on the data. Without a static ``size=`` they read the count from
concrete values (as ``jax.numpy`` does, so they fail under ``jit``); with ``size=`` the
result is padded (with ``fill_value``, else as JAX pads) or truncated to that length.
Re-exported from ``sorting``.
"""
from __future__ import annotations

import math
import operator
from typing import Any, NamedTuple

import numpy as np

from ...runtime import dtypes
from ...runtime.array import Array, wrap
from ...runtime.errors import ConcretizationTypeError
from .. import elementwise as ew
from .. import structural as st
from ..shapes import canonicalize_axis
from . import sorting as srt
from .indexing import nonzero, take
from .promote import asarray, check_arraylike, convert, promote_args
from .reductions import all as all_
from .reductions import any as any_
from .reductions import argmax, cumsum, full
from .reductions import min as min_
from .reductions import sum as sum_

__all__ = [
    "intersect1d", "isin", "setdiff1d", "setxor1d", "union1d", "unique", "unique_all",
    "unique_counts", "unique_inverse", "unique_values",
]

_SIZE_HINT = ("Without a static size= argument the output shape depends on the values: "
              "pass size= (and fill_value=) to use this function under jit.")


def _concrete_count(x: Array, name: str) -> int:
    """A data-dependent output length: needs a concrete value (JAX's concrete_or_error)."""
    try:
        return operator.index(x)
    except (TypeError, ConcretizationTypeError) as e:
        raise ConcretizationTypeError(f"{name}: {_SIZE_HINT}") from e


def _const(value: Any, dt: np.dtype) -> Array:
    return wrap(np.asarray(value, dtype=dt))


def _ravel(x: Array) -> Array:
    return x if x.ndim == 1 else st.reshape_p.bind(x, new_sizes=(x.size,))


def _count_true(mask: Array) -> Array:
    return sum_(mask, dtype=dtypes.default_int_dtype())


def _valid_prefix(n: int, count: Array) -> Array:
    """``arange(n) < count``: which of ``n`` padded entries are real."""
    idx = srt.iota(dtypes.default_int_dtype(), (n,), 0)
    return ew.lt_p.bind(idx, convert(count, idx.dtype))


def _nonzero(mask: Array, size: int) -> Array:
    return nonzero(mask, size=size, fill_value=0)[0]


def _take(x: Array, idx: Array, axis: int = 0) -> Array:
    return take(x, idx, axis=axis, mode="clip")


def _neq(x: Array, y: Array, equal_nan: bool) -> Array:
    ne = ew.ne_p.bind(x, y)
    if equal_nan and dtypes.is_inexact(x.dtype):
        both_nan = ew.and_p.bind(ew.ne_p.bind(x, x), ew.ne_p.bind(y, y))
        ne = ew.and_p.bind(ne, ew.not_p.bind(both_nan))
    return ne


# --- unique ---------------------------------------------------------------------------------

def _sorted_mask(ar: Array, equal_nan: bool) -> tuple[Array, Array, Array]:
    """Rows of ``ar`` (axis 0) sorted, the first-of-each-run mask, and the sort permutation."""
    if ar.dtype.kind == "c":
        # Canonicalise NaNs so that complex values with a NaN part compare as NumPy's do.
        ar = ew.select_n_p.bind(ew.ne_p.bind(ar, ar), ar, _const(complex(np.nan, 0), ar.dtype))
    n = ar.shape[0]
    idx = srt.iota(srt.index_dtype(n), (n,), 0)
    if ar.ndim == 1:
        aux, perm = srt.sort_along([ar, idx], 0)
    else:
        rows = st.reshape_p.bind(ar, new_sizes=(n, math.prod(ar.shape[1:])))
        cols = [st.reshape_p.bind(srt.take_slice(rows, j, j + 1, axis=1), new_sizes=(n,))
                for j in range(rows.shape[1])]
        perm = srt.sort_along([*cols, idx], 0, num_keys=len(cols))[-1]
        aux = _take(ar, perm)
    differs = _neq(srt.take_slice(aux, 1, n), srt.take_slice(aux, 0, n - 1), equal_nan)
    if differs.ndim > 1:
        differs = any_(differs, axis=tuple(range(1, differs.ndim)))
    mask = st.concatenate_p.bind(_const([True], dtypes.bool_), differs, dimension=0)
    return aux, mask, perm


def _unique(ar: Array, axis: int, return_index: bool, return_inverse: bool,
            return_counts: bool, equal_nan: bool, size: int | None,
            fill_value: Any) -> tuple[Array, ...]:
    n = ar.shape[axis]
    if n == 0 and size and fill_value is None:
        raise ValueError("jnp.unique: for zero-sized input with nonzero size argument, "
                         "fill_value must be specified")
    int_dt = dtypes.default_int_dtype()
    moved = ar if axis == 0 else st.transpose_p.bind(
        ar, permutation=(axis,) + tuple(i for i in range(ar.ndim) if i != axis))
    if n == 0 or math.prod(moved.shape[1:]) == 0:
        return _unique_degenerate(ar, moved, axis, n, return_index, return_inverse,
                                  return_counts, size, fill_value)
    aux, mask, perm = _sorted_mask(moved, equal_nan)
    num = _count_true(mask)
    length = _concrete_count(num, "unique") if size is None else operator.index(size)
    ind = _nonzero(mask, length)
    result = _take(aux, ind)
    if size is not None and fill_value is not None:
        valid = _valid_prefix(length, num)
        valid = st.reshape_p.bind(valid, new_sizes=(length,) + (1,) * (result.ndim - 1))
        fill = convert(asarray(fill_value), result.dtype)
        result = ew.select_n_p.bind(valid, fill, result)
    if axis != 0:
        result = st.transpose_p.bind(result, permutation=tuple(
            list(range(1, axis + 1)) + [0] + list(range(axis + 1, result.ndim))))
    ret = [result]
    if return_index:
        ret.append(convert(_take(perm, ind), int_dt))
    if return_inverse:
        group = ew.sub_p.bind(cumsum(mask, dtype=int_dt), _const(1, int_dt))
        _, inverse = srt.sort_along([perm, group], 0)  # scatter group ids back home
        ret.append(inverse)
    if return_counts:
        starts = convert(_nonzero(mask, length + 1), int_dt)
        tail = srt.take_slice(starts, 1, length + 1)
        # Unused nonzero slots are 0: they stand for the end of the array (count 0).
        tail = ew.select_n_p.bind(ew.eq_p.bind(tail, _const(0, int_dt)), tail,
                                  _const(n, int_dt))
        bounds = st.concatenate_p.bind(srt.take_slice(starts, 0, 1), tail, dimension=0)
        ret.append(ew.sub_p.bind(srt.take_slice(bounds, 1, length + 1),
                                 srt.take_slice(bounds, 0, length)))
    return tuple(ret)


def _unique_degenerate(ar: Array, moved: Array, axis: int, n: int, return_index: bool,
                       return_inverse: bool, return_counts: bool, size: int | None,
                       fill_value: Any) -> tuple[Array, ...]:
    """``unique`` when there are no elements (no rows, or rows of zero size)."""
    int_dt = dtypes.default_int_dtype()
    rows = min(n, 1)  # every zero-size row equals every other
    length = rows if size is None else operator.index(size)
    shape = (length,) + moved.shape[1:]
    if rows and length:
        result = srt.take_slice(moved, 0, 1)
        result = st.broadcast_in_dim_p.bind(result, shape=shape,
                                            broadcast_dimensions=tuple(range(len(shape))))
    else:
        result = full(shape, 0 if fill_value is None else fill_value, ar.dtype)
    if axis != 0:
        result = st.transpose_p.bind(result, permutation=tuple(
            list(range(1, axis + 1)) + [0] + list(range(axis + 1, result.ndim))))
    ret = [result]
    if return_index:
        ret.append(full((length,), 0, int_dt))
    if return_inverse:
        ret.append(full((n,), 0, int_dt))
    if return_counts:
        ret.append(full((length,), n, int_dt) if rows else full((0,), 0, int_dt))
    return tuple(ret)


def unique(ar: Any, return_index: bool = False, return_inverse: bool = False,
           return_counts: bool = False, axis: int | None = None, *, equal_nan: bool = True,
           size: int | None = None, fill_value: Any = None, sorted: bool = True) -> Any:
    """Sorted unique elements (or rows/slices along ``axis``) of ``ar``.

    Optionally also the first indices, the inverse indices and the counts. ``size`` gives
    a static output length (padding with ``fill_value``) so that it works under ``jit``.
    """
    check_arraylike("unique", ar)
    arr = asarray(ar)
    shape = arr.shape
    if axis is None:
        arr = _ravel(arr) if arr.ndim != 1 else arr
        axis_int = 0
    else:
        axis_int = canonicalize_axis(operator.index(axis), arr.ndim)
    out = _unique(arr, axis_int, return_index, return_inverse, return_counts, equal_nan,
                  size, fill_value)
    if return_inverse and axis is None:
        i = 2 if return_index else 1
        out = (*out[:i], st.reshape_p.bind(out[i], new_sizes=shape), *out[i + 1:])
    return out[0] if len(out) == 1 else out


class UniqueAllResult(NamedTuple):
    values: Array
    indices: Array
    inverse_indices: Array
    counts: Array


class UniqueCountsResult(NamedTuple):
    values: Array
    counts: Array


class UniqueInverseResult(NamedTuple):
    values: Array
    inverse_indices: Array


def unique_values(x: Any, /, *, size: int | None = None, fill_value: Any = None) -> Array:
    """Array-API ``unique_values`` (NaNs are all distinct)."""
    return unique(x, equal_nan=False, size=size, fill_value=fill_value)


def unique_counts(x: Any, /, *, size: int | None = None,
                  fill_value: Any = None) -> UniqueCountsResult:
    """Array-API ``unique_counts``: the unique values and how often each occurs."""
    return UniqueCountsResult(*unique(x, return_counts=True, equal_nan=False, size=size,
                                      fill_value=fill_value))


def unique_inverse(x: Any, /, *, size: int | None = None,
                   fill_value: Any = None) -> UniqueInverseResult:
    """Array-API ``unique_inverse``: the unique values and the inverse indices."""
    return UniqueInverseResult(*unique(x, return_inverse=True, equal_nan=False, size=size,
                                       fill_value=fill_value))


def unique_all(x: Any, /, *, size: int | None = None, fill_value: Any = None) -> UniqueAllResult:
    """Array-API ``unique_all``: values, first indices, inverse indices and counts."""
    return UniqueAllResult(*unique(x, return_index=True, return_inverse=True,
                                   return_counts=True, equal_nan=False, size=size,
                                   fill_value=fill_value))


# --- membership and two-set operations ------------------------------------------------------

def _in1d(a1: Array, a2: Array, invert: bool, method: str) -> Array:
    """For each element of 1-d ``a1``: is it in ``a2`` (or not, with ``invert``)?"""
    if method not in ("auto", "compare_all", "binary_search", "sort"):
        raise ValueError(f"method={method!r} is not implemented; options are 'compare_all', "
                         f"'binary_search', 'sort', and 'auto'")
    if a1.size == 0 or a2.size == 0:
        return full(a1.shape, invert, dtypes.bool_)
    if method in ("auto", "compare_all"):
        col = st.reshape_p.bind(a1, new_sizes=(a1.size, 1))
        if invert:
            return all_(ew.ne_p.bind(col, a2), axis=-1)
        return any_(ew.eq_p.bind(col, a2), axis=-1)
    # binary_search and sort: look each value up in the sorted test set.
    s = srt.sort(a2)
    pos = srt.searchsorted(s, a1)
    found = _take(s, ew.min_p.bind(pos, _const(s.size - 1, pos.dtype)))
    return (ew.ne_p if invert else ew.eq_p).bind(a1, found)


def isin(element: Any, test_elements: Any, assume_unique: bool = False,
         invert: bool = False, *, method: str = "auto") -> Array:
    """Elementwise: is each element of ``element`` in ``test_elements``?"""
    check_arraylike("isin", element, test_elements)
    e, t = promote_args("isin", element, test_elements)
    out = _in1d(_ravel(e), _ravel(t), invert, method)
    return st.reshape_p.bind(out, new_sizes=e.shape)


def _fill_or_min(vals: Array, valid: Array, fill_value: Any) -> Array:
    """Padding for the size= forms: ``fill_value``, else the smallest real value or 0 (JAX)."""
    if vals.size == 0:
        return vals
    if fill_value is None:
        smallest = min_(vals, where=valid, initial=_largest(vals.dtype))
        none_valid = ew.eq_p.bind(_count_true(valid), _const(0, dtypes.default_int_dtype()))
        fill = ew.select_n_p.bind(none_valid, smallest, _const(0, vals.dtype))
    else:
        fill = convert(asarray(fill_value), vals.dtype)
    return ew.select_n_p.bind(valid, fill, vals)


def _largest(dt: np.dtype) -> Any:
    if dt.kind in "iu":
        return np.iinfo(dt).max
    return True if dt.kind == "b" else np.inf


def _unique_padded(a: Array, assume_unique: bool) -> tuple[Array, Array]:
    """Sorted unique values of 1-d ``a`` padded to ``a.size`` entries, and which are real."""
    if assume_unique or a.size == 0:
        return srt.sort(a), full((a.size,), True, dtypes.bool_)
    aux, mask, _ = _sorted_mask(a, True)
    return _take(aux, _nonzero(mask, a.size)), _valid_prefix(a.size, _count_true(mask))


def _select_padded(vals: Array, keep: Array, name: str, size: int | None,
                   ) -> tuple[Array, Array, Array]:
    """The kept entries of ``vals`` (in order), padded to ``size``; their validity; picks."""
    num = _count_true(keep)
    length = _concrete_count(num, name) if size is None else operator.index(size)
    pos = _nonzero(keep, length)
    return _take(vals, pos), _valid_prefix(length, num), pos


def intersect1d(ar1: Any, ar2: Any, assume_unique: bool = False, return_indices: bool = False,
                *, size: int | None = None, fill_value: Any = None) -> Any:
    """Sorted unique values found in both ``ar1`` and ``ar2``.

    ``return_indices`` adds the index of each value's first occurrence in each input.
    """
    check_arraylike("intersect1d", ar1, ar2)
    a1, a2 = promote_args("intersect1d", ar1, ar2)
    a1, a2 = _ravel(a1), _ravel(a2)
    u1, valid1 = _unique_padded(a1, assume_unique)
    keep = ew.and_p.bind(valid1, isin(u1, a2))
    vals, valid, _ = _select_padded(u1, keep, "intersect1d", size)
    vals = _fill_or_min(vals, valid, fill_value)
    if not return_indices:
        return vals
    int_dt = dtypes.default_int_dtype()
    idx = []
    for a in (a1, a2):
        if vals.size and a.size:
            hits = ew.eq_p.bind(st.reshape_p.bind(vals, new_sizes=(vals.size, 1)), a)
            first = convert(argmax(hits, axis=1), int_dt)
        else:
            first = _const(0, int_dt)
        # Padding points one past the end, as JAX's out-of-bounds fill does.
        idx.append(ew.select_n_p.bind(valid, _const(a.size, int_dt), first))
    return vals, idx[0], idx[1]


def union1d(ar1: Any, ar2: Any, *, size: int | None = None, fill_value: Any = None) -> Array:
    """Sorted unique values found in either input."""
    check_arraylike("union1d", ar1, ar2)
    a1, a2 = promote_args("union1d", ar1, ar2)
    both = st.concatenate_p.bind(_ravel(a1), _ravel(a2), dimension=0)
    return unique(both, size=size, fill_value=fill_value)


def setdiff1d(ar1: Any, ar2: Any, assume_unique: bool = False, *, size: int | None = None,
              fill_value: Any = None) -> Array:
    """Sorted unique values of ``ar1`` that are not in ``ar2``."""
    check_arraylike("setdiff1d", ar1, ar2)
    a1, a2 = _ravel(asarray(ar1)), _ravel(asarray(ar2))
    if assume_unique:
        u1, valid1 = a1, full((a1.size,), True, dtypes.bool_)
    else:
        u1, valid1 = _unique_padded(a1, False)
    keep = ew.and_p.bind(valid1, isin(u1, a2, invert=True))
    vals, valid, _ = _select_padded(u1, keep, "setdiff1d", size)
    fill = convert(asarray(0 if fill_value is None else fill_value), vals.dtype)
    return ew.select_n_p.bind(valid, fill, vals)


def setxor1d(ar1: Any, ar2: Any, assume_unique: bool = False, *, size: int | None = None,
             fill_value: Any = None) -> Array:
    """Sorted unique values that are in exactly one of the inputs."""
    check_arraylike("setxor1d", ar1, ar2)
    a1, a2 = promote_args("setxor1d", ar1, ar2)
    u1, valid1 = _unique_padded(_ravel(a1), assume_unique)
    u2, valid2 = _unique_padded(_ravel(a2), assume_unique)
    keep1 = ew.and_p.bind(valid1, isin(u1, u2, invert=True))
    keep2 = ew.and_p.bind(valid2, isin(u2, u1, invert=True))
    both = st.concatenate_p.bind(u1, u2, dimension=0)
    keep = st.concatenate_p.bind(keep1, keep2, dimension=0)
    picked, valid, _ = _select_padded(both, keep, "setxor1d", size)
    # Sort the real values among themselves; the padding sorts after them.
    vals = srt.sort(ew.select_n_p.bind(valid, _const(_largest(picked.dtype), picked.dtype),
                                       picked))
    return _fill_or_min(vals, valid, fill_value)
