"""``axc.numpy`` sorting and searching: ``sort``, ``argsort``, ``lexsort``, ``partition``,
``searchsorted`` (set operations and histograms live in ``setops`` and ``histograms`` and are
re-exported from here).

Everything is built on the multi-operand ``sort`` primitive: ``argsort`` sorts an index
operand along with the keys, and ``searchsorted`` co-sorts the queries with the sorted array.
The order is JAX's: NaNs last, ``-0.0`` equal to ``0.0``, complex numbers lexicographic.
"""
from __future__ import annotations

import operator
from collections.abc import Sequence
from typing import Any

import numpy as np

from ...runtime import dtypes
from ...runtime.array import Array, wrap
from .. import elementwise as ew
from .. import reduce as red
from .. import structural as st
from ..shapes import canonicalize_axis
from .indexing import take
from .promote import asarray, check_arraylike, convert, promote_args
from .reductions import cumsum, full
from .reductions import sum as sum_

__all__ = [
    "argpartition", "argsort", "bincount", "digitize", "histogram", "histogram_bin_edges",
    "intersect1d", "isin", "lexsort", "partition", "searchsorted", "setdiff1d", "setxor1d",
    "sort", "sort_complex", "union1d", "unique", "unique_all", "unique_counts",
    "unique_inverse", "unique_values",
]


# --- helpers shared with setops and histograms ---------------------------------------------

def iota(dt: np.dtype, shape: tuple[int, ...], dimension: int) -> Array:
    """Indices ``0..shape[dimension]-1`` along ``dimension``, broadcast to ``shape``."""
    return st.iota_p.bind(dtype=np.dtype(dt), shape=tuple(shape), dimension=dimension)


def index_dtype(n: int) -> np.dtype:
    """The default int, or int64 when ``n`` does not fit in int32 (JAX's rule)."""
    return dtypes.default_int_dtype() if n <= np.iinfo(np.int32).max else dtypes.int64


def take_slice(x: Array, start: int, stop: int, axis: int = 0) -> Array:
    """``x[start:stop]`` along ``axis`` (static bounds)."""
    starts = [0] * x.ndim
    limits = list(x.shape)
    starts[axis], limits[axis] = start, stop
    return st.slice_p.bind(x, start_indices=tuple(starts), limit_indices=tuple(limits),
                           strides=None)


def reverse(x: Array, axis: int) -> Array:
    return st.rev_p.bind(x, dimensions=(axis,))


def sort_along(operands: Sequence[Array], axis: int, num_keys: int = 1,
               stable: bool = True) -> tuple[Array, ...]:
    """Sort ``operands`` together along ``axis`` by the first ``num_keys`` of them."""
    return red.sort_p.bind(*operands, dimension=axis, is_stable=stable, num_keys=num_keys)


def _check_kind_order(name: str, kind: Any, order: Any) -> None:
    if kind is not None:
        raise TypeError(f"'kind' argument to {name} is not supported. Use stable=True or "
                        f"stable=False to specify sort stability.")
    if order is not None:
        raise TypeError(f"'order' argument to {name} is not supported.")


def _flatten_for_axis(name: str, a: Any, axis: int | None) -> tuple[Array, int]:
    check_arraylike(name, a)
    arr = asarray(a)
    if axis is None:
        arr = st.reshape_p.bind(arr, new_sizes=(arr.size,)) if arr.ndim != 1 else arr
        axis = 0
    return arr, canonicalize_axis(operator.index(axis), arr.ndim)


# --- sort / argsort / lexsort ----------------------------------------------------------------

def sort(a: Any, axis: int | None = -1, *, kind: None = None, order: None = None,
         stable: bool = True, descending: bool = False) -> Array:
    """Sorted copy of ``a`` along ``axis`` (flattened if None); NaNs sort last."""
    _check_kind_order("sort", kind, order)
    arr, axis = _flatten_for_axis("sort", a, axis)
    (out,) = sort_along([arr], axis, stable=stable)
    return reverse(out, axis) if descending else out


def argsort(a: Any, axis: int | None = -1, *, kind: None = None, order: None = None,
            stable: bool = True, descending: bool = False, dtype: Any = None) -> Array:
    """Indices that sort ``a`` along ``axis``."""
    _check_kind_order("argsort", kind, order)
    arr, axis = _flatten_for_axis("argsort", a, axis)
    if dtype is not None:
        idx_dt = dtypes.canonicalize_dtype(dtypes.dtype(dtype))
    else:
        idx_dt = index_dtype(arr.shape[axis])
    idx = iota(idx_dt, arr.shape, axis)
    if descending and stable:
        # Reversing first keeps equal keys in their original order once reversed back.
        arr, idx = reverse(arr, axis), reverse(idx, axis)
    _, out = sort_along([arr, idx], axis, stable=stable)
    return reverse(out, axis) if descending else out


def lexsort(keys: Sequence[Any], axis: int = -1) -> Array:
    """Indices that sort by ``keys[-1]``, then ``keys[-2]``, ... (a stable sort)."""
    keys = tuple(keys)
    if not keys:
        raise TypeError("need sequence of keys with len > 0 in lexsort")
    check_arraylike("lexsort", *keys)
    arrays = [asarray(k) for k in keys]
    if len({k.shape for k in arrays}) > 1:
        raise ValueError("all keys need to be the same shape")
    shape = arrays[0].shape
    if not shape:
        return wrap(np.zeros((), dtypes.default_int_dtype()))
    axis = canonicalize_axis(operator.index(axis), len(shape))
    idx = iota(index_dtype(shape[axis]), shape, axis)
    return sort_along([*arrays[::-1], idx], axis, num_keys=len(arrays))[-1]


def sort_complex(a: Any) -> Array:
    """Sort along the last axis and return a complex array."""
    check_arraylike("sort_complex", a)
    arr = sort(a)
    dt = arr.dtype
    cdt = dt if dt.kind == "c" else dtypes.result_type(dt, complex)
    return convert(arr, cdt)


# --- partition -----------------------------------------------------------------------------

def _partition_args(name: str, a: Any, kth: int, axis: int) -> tuple[Array, int, int]:
    check_arraylike(name, a)
    arr = asarray(a)
    if arr.dtype.kind == "c":
        raise NotImplementedError(f"jnp.{name} for complex dtype is not implemented.")
    axis = canonicalize_axis(operator.index(axis), arr.ndim)
    kth = canonicalize_axis(operator.index(kth), arr.shape[axis])
    return arr, axis, kth


def partition(a: Any, kth: int, axis: int = -1) -> Array:
    """``a`` with the ``kth`` smallest element in place along ``axis``.

    As ``jax.numpy.partition``: the first ``kth + 1`` entries are the smallest, ascending;
    the rest follow in descending order.
    """
    arr, axis, kth = _partition_args("partition", a, kth, axis)
    (s,) = sort_along([arr], axis)
    n = arr.shape[axis]
    bottom = take_slice(s, 0, kth + 1, axis)
    top = reverse(take_slice(s, kth + 1, n, axis), axis)
    return st.concatenate_p.bind(bottom, top, dimension=axis)


def argpartition(a: Any, kth: int, axis: int = -1) -> Array:
    """Indices that partition ``a`` (as ``partition``; the rest in increasing index order)."""
    arr, axis, kth = _partition_args("argpartition", a, kth, axis)
    order = argsort(arr, axis=axis)
    n = arr.shape[axis]
    bottom = take_slice(order, 0, kth + 1, axis)
    (top,) = sort_along([take_slice(order, kth + 1, n, axis)], axis)
    return st.concatenate_p.bind(bottom, top, dimension=axis)


# --- searchsorted ----------------------------------------------------------------------------

_SEARCH_METHODS = ["compare_all", "scan", "scan_unrolled", "sort"]


def _lt_total(x: Array, y: Array) -> Array:
    """``x < y`` in sort order: NaN above everything (real dtypes)."""
    lt = ew.lt_p.bind(x, y)
    if not dtypes.is_inexact(x.dtype):
        return lt
    x_num = ew.eq_p.bind(x, x)
    y_nan = ew.ne_p.bind(y, y)
    return ew.or_p.bind(lt, ew.and_p.bind(y_nan, x_num))


def _search_compare_all(a: Array, v: Array, side: str, out_dt: np.dtype) -> Array:
    """Count, for each query, the elements of ``a`` before it: O(len(a) * v.size)."""
    ab = st.reshape_p.bind(a, new_sizes=a.shape + (1,) * v.ndim)
    if side == "left":
        before = _lt_total(ab, v)
    else:
        before = ew.not_p.bind(_lt_total(v, ab))
    return sum_(before, axis=0, dtype=out_dt)


def _search_sort(a: Array, v: Array, side: str, out_dt: np.dtype) -> Array:
    """Co-sort queries and sorted array: each query lands after the elements before it."""
    n, m = a.shape[0], v.size
    flat_v = st.reshape_p.bind(v, new_sizes=(m,))
    # Stable sort: for 'left' queries go first so ties put them before equal elements.
    parts = (flat_v, a) if side == "left" else (a, flat_v)
    keys = st.concatenate_p.bind(*parts, dimension=0)
    work_dt = index_dtype(n + m)
    pos = iota(work_dt, (n + m,), 0)
    _, order = sort_along([keys, pos], 0)
    v_start = 0 if side == "left" else n
    is_a = ew.not_p.bind(ew.and_p.bind(
        ew.ge_p.bind(order, wrap(np.asarray(v_start, work_dt))),
        ew.lt_p.bind(order, wrap(np.asarray(v_start + m, work_dt)))))
    a_count = convert(is_a, work_dt)
    before = ew.sub_p.bind(cumsum(a_count), a_count)
    # Undo the sort: sorting by the original positions brings each count home.
    _, home = sort_along([order, before], 0)
    out = take_slice(home, v_start, v_start + m)
    return convert(st.reshape_p.bind(out, new_sizes=v.shape), out_dt)


def searchsorted(a: Any, v: Any, side: str = "left", sorter: Any = None, *,
                 method: str = "scan") -> Array:
    """Indices where ``v`` would be inserted into sorted 1-d ``a`` to keep it sorted.

    ``method`` picks the algorithm as in JAX; every method gives the same answer (axc's
    ``scan`` co-sorts, which costs O((n + m) log(n + m)) without a loop).
    """
    if sorter is None:
        check_arraylike("searchsorted", a, v)
    else:
        check_arraylike("searchsorted", a, v, sorter)
    if side not in ("left", "right"):
        raise ValueError(f"invalid argument side={side!r}, expected 'left' or 'right'")
    if method not in _SEARCH_METHODS:
        raise ValueError(f"invalid argument method={method!r}, expected one of "
                         f"{_SEARCH_METHODS}")
    if np.ndim(a) != 1:
        raise ValueError("a should be 1-dimensional")
    a, v = promote_args("searchsorted", a, v)
    if sorter is not None:
        a = take(a, asarray(sorter))
    out_dt = index_dtype(a.shape[0])
    if a.shape[0] == 0 or v.size == 0:
        return full(v.shape, 0, out_dt)
    # Complex numbers have no elementwise order here: they always take the co-sort.
    if a.dtype.kind != "c" and (method == "compare_all" or
                                (a.shape[0] <= 64 and method != "sort")):
        return _search_compare_all(a, v, side, out_dt)
    return _search_sort(a, v, side, out_dt)


# Set operations and histograms build on the functions above; imported last so that they can
# import this module (axc.numpy always loads it first).
from .histograms import (
    bincount,
    digitize,
    histogram,
    histogram_bin_edges,
)
from .setops import (
    intersect1d,
    isin,
    setdiff1d,
    setxor1d,
    union1d,
    unique,
    unique_all,
    unique_counts,
    unique_inverse,
    unique_values,
)
