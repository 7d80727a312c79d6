"""Joining and splitting in ``axc.numpy``: concatenate, stack, split, append, delete, insert.

Re-exported by ``manipulation.py``, which builds on the helpers here (so this module
imports nothing from it). Split points and deleted/inserted positions must be concrete,
as in JAX; they become static slices or a gather with a static index vector.
"""
from __future__ import annotations

import itertools
import operator
from collections.abc import Sequence
from typing import Any

import numpy as np

from ...runtime import dtypes
from ...runtime.array import Array, wrap
from .. import shapes
from .. import structural as st
from ..indexing import IndexTemplate, index_p
from .creation import array
from .promote import asarray, check_arraylike, convert, promote_dtypes

__all__ = [
    "append", "array_split", "atleast_1d", "atleast_2d", "atleast_3d", "column_stack", "concat",
    "concatenate", "delete", "dsplit", "dstack", "hsplit", "hstack", "insert", "split",
    "stack", "unstack", "vsplit", "vstack",
]


# --- helpers shared with manipulation.py ----------------------------------------------------

def index_tuple(x: Any) -> tuple[int, ...]:
    """An int or a sequence of ints (a concrete Array counts) as a tuple of ints."""
    if isinstance(x, (Array, np.ndarray)):
        x = np.asarray(x).tolist()  # static arguments: a concretisation point
    try:
        return (operator.index(x),)
    except TypeError:
        return tuple(operator.index(i) for i in x)


def flat(a: Array) -> Array:
    """``a`` as a 1-d array (row-major)."""
    return a if a.ndim == 1 else st.reshape_p.bind(a, new_sizes=(a.size,))


def slice_in_dim(a: Array, start: int, stop: int, axis: int) -> Array:
    """``a[..., start:stop, ...]`` along ``axis`` (static, in-range bounds)."""
    if start == 0 and stop == a.shape[axis]:
        return a
    starts, limits = [0] * a.ndim, list(a.shape)
    starts[axis], limits[axis] = start, stop
    return st.slice_p.bind(a, start_indices=tuple(starts), limit_indices=tuple(limits),
                           strides=None)


def gather_axis(a: Array, idx: np.ndarray, axis: int) -> Array:
    """``take(a, idx, axis)`` for a static, in-bounds 1-d index vector."""
    entries = tuple(("array", 0) if i == axis else ("slice", 0, d, 1)
                    for i, d in enumerate(a.shape))
    return index_p.bind(a, wrap(np.asarray(idx, dtypes.int32)),
                        template=IndexTemplate(entries), mode="clip")


# --- atleast_* ------------------------------------------------------------------------------

def _atleast(nd: int, arys: tuple[Any, ...]) -> Array | list[Array]:
    out = [array(a, copy=False, ndmin=nd) for a in arys]
    return out[0] if len(out) == 1 else out


def atleast_1d(*arys: Any) -> Array | list[Array]:
    """Each input with at least one dimension."""
    return _atleast(1, arys)


def atleast_2d(*arys: Any) -> Array | list[Array]:
    """Each input with at least two dimensions (new axes in front)."""
    return _atleast(2, arys)


def atleast_3d(*arys: Any) -> Array | list[Array]:
    """Each input with at least three dimensions: (1, 1, 1), (1, N, 1) or (M, N, 1)."""
    out = []
    for a in arys:
        a = array(a, copy=False)
        dims = {0: (0, 1, 2), 1: (0, 2), 2: (2,)}.get(a.ndim)
        out.append(st.expand_dims_p.bind(a, dimensions=dims) if dims else a)
    return out[0] if len(out) == 1 else out


# --- concatenate and stack ------------------------------------------------------------------

def _concatenate_array(arr: Any, axis: int | None, dtype: Any) -> Array:
    """Concatenation of the sub-arrays along the first axis of one array."""
    arr = asarray(arr, dtype)
    if arr.ndim == 0 or arr.shape[0] == 0:
        raise ValueError("Need at least one array to concatenate.")
    if axis is None:
        return flat(arr)
    if arr.ndim == 1:
        raise ValueError("Zero-dimensional arrays cannot be concatenated.")
    axis = shapes.canonicalize_axis(axis, arr.ndim - 1)
    perm = (*range(1, axis + 1), 0, *range(axis + 1, arr.ndim))
    moved = st.transpose_p.bind(arr, permutation=perm)
    shape = list(arr.shape[1:])
    shape[axis] *= arr.shape[0]
    return st.reshape_p.bind(moved, new_sizes=tuple(shape))


def concatenate(arrays: Any, axis: int | None = 0, dtype: Any = None) -> Array:
    """Join arrays along an existing ``axis`` (flattened first if None), promoting dtypes."""
    if isinstance(arrays, (np.ndarray, Array)):
        return _concatenate_array(arrays, axis, dtype)
    check_arraylike("concatenate", *arrays)
    if not len(arrays):
        raise ValueError("Need at least one array to concatenate.")
    if axis is None:
        return concatenate([flat(asarray(a)) for a in arrays], axis=0, dtype=dtype)
    if np.ndim(arrays[0]) == 0:
        raise ValueError("Zero-dimensional arrays cannot be concatenated.")
    axis = shapes.canonicalize_axis(axis, np.ndim(arrays[0]))
    if dtype is None:
        parts = promote_dtypes(*arrays)
    else:
        from .creation import user_dtype
        dt = user_dtype(dtype, "concatenate")
        parts = [array(a, dtype=dt, copy=False) for a in arrays]
    if len(parts) == 1:
        return parts[0]
    return st.concatenate_p.bind(*parts, dimension=axis)


def concat(arrays: Sequence[Any], /, *, axis: int | None = 0) -> Array:
    """Array-API spelling of ``concatenate``."""
    return concatenate(arrays, axis=axis)


def stack(arrays: Any, axis: int = 0, out: None = None, dtype: Any = None) -> Array:
    """Join arrays of one shape along a new ``axis``."""
    if not len(arrays):
        raise ValueError("Need at least one array to stack.")
    if out is not None:
        raise NotImplementedError("The 'out' argument to jnp.stack is not supported.")
    if isinstance(arrays, (np.ndarray, Array)):
        arrays = asarray(arrays)
        axis = shapes.canonicalize_axis(axis, arrays.ndim)
        return concatenate(st.expand_dims_p.bind(arrays, dimensions=(axis + 1,)), axis=axis,
                           dtype=dtype)
    check_arraylike("stack", *arrays)
    shape0 = np.shape(arrays[0])
    axis = shapes.canonicalize_axis(axis, len(shape0) + 1)
    parts = []
    for a in arrays:
        if np.shape(a) != shape0:
            raise ValueError(f"All input arrays must have the same shape. Got "
                             f"{', '.join(str(np.shape(x)) for x in arrays)}.")
        parts.append(st.expand_dims_p.bind(asarray(a), dimensions=(axis,)))
    return concatenate(parts, axis=axis, dtype=dtype)


def unstack(x: Any, /, *, axis: int = 0) -> tuple[Array, ...]:
    """The sub-arrays of ``x`` along ``axis``, as a tuple."""
    check_arraylike("unstack", x)
    x = asarray(x)
    if x.ndim == 0:
        raise ValueError("Unstack requires arrays with rank > 0, however a scalar array was "
                         "passed.")
    axis = shapes.canonicalize_axis(axis, x.ndim)
    return tuple(st.squeeze_p.bind(slice_in_dim(x, i, i + 1, axis), dimensions=(axis,))
                 for i in range(x.shape[axis]))


def _rows(name: str, tup: Any) -> list[Any]:
    if isinstance(tup, (np.ndarray, Array)):
        return list(unstack(asarray(tup)))
    check_arraylike(name, *tup)
    return list(tup)


def hstack(tup: Any, dtype: Any = None) -> Array:
    """Stack column-wise: along axis 1 (axis 0 for 1-d inputs)."""
    arrs = [atleast_1d(m) for m in _rows("hstack", tup)]
    axis = 0 if arrs and arrs[0].ndim == 1 else 1
    return concatenate(arrs, axis=axis, dtype=dtype)


def vstack(tup: Any, dtype: Any = None) -> Array:
    """Stack row-wise: along axis 0 of the inputs as 2-d arrays."""
    return concatenate([atleast_2d(m) for m in _rows("vstack", tup)], axis=0, dtype=dtype)


def dstack(tup: Any, dtype: Any = None) -> Array:
    """Stack depth-wise: along axis 2 of the inputs as 3-d arrays."""
    return concatenate([atleast_3d(m) for m in _rows("dstack", tup)], axis=2, dtype=dtype)


def column_stack(tup: Any) -> Array:
    """Stack 1-d arrays as columns of a 2-d array (2-d inputs as they are)."""
    if isinstance(tup, (np.ndarray, Array)) and np.ndim(tup) >= 3:
        return concatenate(tup, axis=1)
    arrs = [asarray(a) for a in _rows("column_stack", tup)]
    arrs = [st.transpose_p.bind(atleast_2d(a), permutation=(1, 0)) if a.ndim < 2 else a
            for a in arrs]
    return concatenate(arrs, axis=1)


# --- split ----------------------------------------------------------------------------------

def _split(op: str, ary: Any, indices_or_sections: Any, axis: int) -> list[Array]:
    check_arraylike(op, ary)
    a = asarray(ary)
    axis = shapes.canonicalize_axis(operator.index(axis), a.ndim)
    size = a.shape[axis]
    ios = indices_or_sections
    if isinstance(ios, (tuple, list)) or isinstance(ios, (np.ndarray, Array)) and ios.ndim > 0:
        cuts = [0, *index_tuple(ios), size]
        sizes = [b - a_ for a_, b in itertools.pairwise(cuts)]
    else:
        sections = int(ios)
        part, rest = divmod(size, sections)
        if rest == 0:
            sizes = [part] * sections
        elif op == "array_split":
            sizes = [part + 1] * rest + [part] * (sections - rest)
        else:
            raise ValueError(f"array split does not result in an equal division: rest is {rest}")
    if any(s < 0 for s in sizes):
        raise ValueError(f"Sizes passed to split must be nonnegative, got {sizes}")
    if sum(sizes) != size:
        raise ValueError(f"Sum of sizes {sum(sizes)} must be equal to dimension {axis} of the "
                         f"operand shape {list(a.shape)}")
    out, start = [], 0
    for s in sizes:
        out.append(slice_in_dim(a, start, start + s, axis) if len(sizes) > 1 else a)
        start += s
    return out


def split(ary: Any, indices_or_sections: Any, axis: int = 0) -> list[Array]:
    """Split into equal sections, or at the given indices, along ``axis``."""
    return _split("split", ary, indices_or_sections, axis)


def array_split(ary: Any, indices_or_sections: Any, axis: int = 0) -> list[Array]:
    """As ``split``, but sections may differ in size by one."""
    return _split("array_split", ary, indices_or_sections, axis)


def hsplit(ary: Any, indices_or_sections: Any) -> list[Array]:
    """Split along axis 1 (axis 0 for 1-d arrays)."""
    return _split("hsplit", ary, indices_or_sections, 0 if np.ndim(ary) == 1 else 1)


def vsplit(ary: Any, indices_or_sections: Any) -> list[Array]:
    """Split along axis 0."""
    return _split("vsplit", ary, indices_or_sections, 0)


def dsplit(ary: Any, indices_or_sections: Any) -> list[Array]:
    """Split along axis 2."""
    return _split("dsplit", ary, indices_or_sections, 2)


# --- append / delete / insert ---------------------------------------------------------------

def append(arr: Any, values: Any, axis: int | None = None) -> Array:
    """``values`` joined to the end of ``arr`` (both flattened when ``axis`` is None)."""
    if axis is None:
        return concatenate([flat(asarray(arr)), flat(asarray(values))], axis=0)
    return concatenate([arr, values], axis=axis)


def _static_positions(obj: Any, n: int) -> np.ndarray:
    """A static slice or concrete array of positions along an axis of size ``n``."""
    if isinstance(obj, slice):
        return np.arange(*obj.indices(n))
    return np.asarray(obj)  # positions fix the output shape: a concretisation point


def delete(arr: Any, obj: Any, axis: int | None = None, *,
           assume_unique_indices: bool = False) -> Array:
    """``arr`` without the entries at ``obj`` (an int, slice, index array or mask)."""
    check_arraylike("delete", arr)
    a = asarray(arr)
    if axis is None:
        a, axis = flat(a), 0
    axis = shapes.canonicalize_axis(axis, a.ndim)
    n = a.shape[axis]
    if isinstance(obj, (int, np.integer)) and not isinstance(obj, bool):
        i = shapes.canonicalize_axis(int(obj), n)
        return concatenate([slice_in_dim(a, 0, i, axis), slice_in_dim(a, i + 1, n, axis)],
                           axis=axis)
    if not isinstance(obj, slice):
        check_arraylike("delete", obj)
    pos = _static_positions(obj, n)
    if pos.dtype.kind in "iu":
        keep = np.ones(n, dtype=bool)
        keep[pos] = False
    elif pos.dtype == bool:
        if pos.shape != (n,):
            raise ValueError("Boolean mask should match the input shape along the deletion "
                             "axis.")
        keep = ~pos
    else:
        raise ValueError(f"Unrecognized obj type: {pos.dtype}")
    return gather_axis(a, np.flatnonzero(keep), axis)


def insert(arr: Any, obj: Any, values: Any, axis: int | None = None) -> Array:
    """``arr`` with ``values`` inserted before the positions ``obj`` along ``axis``."""
    check_arraylike("insert", arr, 0, values)
    a = asarray(arr)
    if axis is None:
        a, axis = flat(a), 0
    axis = shapes.canonicalize_axis(operator.index(axis), a.ndim)
    n = a.shape[axis]
    pos = _static_positions(obj, n)  # jnp.insert accepts lists of positions
    if pos.ndim > 1:
        raise ValueError(f"jnp.insert(): obj must be a slice, a one-dimensional array, or a "
                         f"scalar; got {obj}")
    if pos.dtype.kind not in "iu":
        if pos.size == 0 and not isinstance(obj, Array):
            pos = pos.astype(np.int64)
        else:
            raise ValueError(f"jnp.insert(): index array must be integer typed; got {obj}")
    vals = array(values, dtype=a.dtype, copy=False, ndmin=a.ndim)
    vals = convert(vals, a.dtype, a.weak_type)  # the result keeps arr's weak type, as JAX
    if pos.size == 1:
        if pos.ndim == 0:  # a scalar position inserts values[...] as one slice
            perm = [i for i in range(1, vals.ndim)]
            perm.insert(axis, 0)
            vals = st.transpose_p.bind(vals, permutation=tuple(perm)) \
                if perm != list(range(vals.ndim)) else vals
        pos = np.full(vals.shape[axis], pos.ravel()[0])
    n_insert = np.broadcast_shapes(pos.shape, (vals.shape[axis],))[0]
    pos = np.clip(np.where(pos < 0, pos + n, pos), 0, n)
    pos = np.broadcast_to(pos, (n_insert,))
    # Where each value lands (JAX's argsort/cumsum rule), then everything else, in order.
    values_at = np.empty(n_insert, np.int64)
    values_at[np.argsort(pos, kind="stable")] = np.sort(pos, kind="stable") + np.arange(n_insert)
    source = np.empty(n + n_insert, np.int64)
    is_value = np.zeros(n + n_insert, bool)
    is_value[values_at] = True
    source[values_at] = n + np.arange(n_insert)
    source[~is_value] = np.arange(n)
    shape = list(a.shape)
    shape[axis] = n_insert
    from .manipulation import broadcast_to
    joined = concatenate([a, broadcast_to(vals, tuple(shape))], axis=axis)
    return gather_axis(joined, source, axis)
