"""Structural, reduction and contraction ``axc.lax`` functions over the registry's primitives.

Each function normalises its static arguments (tuples of ints, canonical dtypes; negative
axes only where lax accepts them: ``squeeze``, ``expand_dims``, ``sort``, ``top_k``) and
binds one primitive after running its shape rule, which raises lax's errors (eager ``bind``
only consults the rule when the NumPy kernel fails, and NumPy accepts e.g. negative axes).
"""
from __future__ import annotations

import operator
from collections.abc import Sequence
from typing import Any

import numpy as np

from ..runtime import dtypes
from ..runtime.array import Array
from . import elementwise as ew
from . import indexing as ix
from . import linalg as la
from . import reduce as rd
from . import structural as st
from .lax_elementwise import check_same_dtypes, operand
from .numpy.promote import asarray, convert
from .registry import Primitive, aval_of
from .shapes import canonicalize_axis


def _bind(prim: Primitive, *args: Array, **params: Any) -> Any:
    """Bind after running the shape rule: NumPy kernels accept some input lax refuses."""
    prim.abstract_eval(*[aval_of(a._buf, a.weak_type) for a in args], **params)
    return prim.bind(*args, **params)


def _ints(name: str, arg: str, obj: Any) -> tuple[int, ...]:
    if isinstance(obj, (int, np.integer)):
        return (int(obj),)
    try:
        return tuple(operator.index(d) for d in obj)
    except TypeError as err:
        raise TypeError(f"{name} {arg} must be a sequence of integers, got {obj!r}.") from err


def _dtype(dt: Any) -> np.dtype:
    return dtypes.canonicalize_dtype(dtypes.dtype(dt))


# --- shape manipulation ---------------------------------------------------------------------

def broadcast_in_dim(operand_: Any, shape: Sequence[int], broadcast_dimensions: Sequence[int],
                     *, out_sharding: Any = None) -> Array:
    """Broadcast to ``shape``; operand axis ``i`` becomes output axis ``broadcast_dimensions[i]``."""
    x = operand("broadcast_in_dim", operand_)
    return _bind(st.broadcast_in_dim_p, x, shape=_ints("broadcast_in_dim", "shape", shape),
                                       broadcast_dimensions=tuple(broadcast_dimensions))


def broadcast(operand_: Any, sizes: Sequence[int], *, out_sharding: Any = None) -> Array:
    """Add leading axes of ``sizes``."""
    x = operand("broadcast", operand_)
    sizes = _ints("broadcast", "sizes", sizes)
    dims = tuple(range(len(sizes), len(sizes) + x.ndim))
    return _bind(st.broadcast_in_dim_p, x, shape=sizes + tuple(x.shape),
                                       broadcast_dimensions=dims)


def reshape(operand_: Any, new_sizes: Sequence[int] | int,
            dimensions: Sequence[int] | None = None, *, out_sharding: Any = None) -> Array:
    """Reshape (row-major), after transposing by ``dimensions`` if given."""
    x = operand("reshape", operand_)
    new_sizes = _ints("reshape", "new_sizes", new_sizes)
    if dimensions is not None and tuple(dimensions) != tuple(range(x.ndim)):
        x = _bind(st.transpose_p, x, permutation=tuple(dimensions))
    if new_sizes == tuple(x.shape):
        return x
    return _bind(st.reshape_p, x, new_sizes=new_sizes)


def transpose(operand_: Any, permutation: Sequence[int]) -> Array:
    """Permute the axes."""
    x = operand("transpose", operand_)
    perm = tuple(permutation)
    if perm == tuple(range(x.ndim)):
        return x
    return _bind(st.transpose_p, x, permutation=perm)


def squeeze(array: Any, dimensions: Sequence[int]) -> Array:
    """Remove the size-1 axes ``dimensions`` (negative axes count from the end)."""
    x = operand("squeeze", array)
    dims = tuple(canonicalize_axis(d, x.ndim) for d in dimensions)
    if not dims:
        return x
    return _bind(st.squeeze_p, x, dimensions=dims)


def expand_dims(array: Any, dimensions: Sequence[int]) -> Array:
    """Insert size-1 axes at ``dimensions`` of the result (negative axes allowed)."""
    x = operand("expand_dims", array)
    ndim = x.ndim + len(dimensions)
    dims = tuple(d + ndim if d < 0 else d for d in (operator.index(d) for d in dimensions))
    if not dims:
        return x
    return _bind(st.expand_dims_p, x, dimensions=dims)


def rev(operand_: Any, dimensions: Sequence[int]) -> Array:
    """Reverse the order of elements along ``dimensions``."""
    x = operand("rev", operand_)
    return _bind(st.rev_p, x, dimensions=tuple(dimensions))


def slice(operand_: Any, start_indices: Sequence[int], limit_indices: Sequence[int],
          strides: Sequence[int] | None = None) -> Array:  # lax's name shadows the builtin
    """The static slice ``[start:limit:stride]`` along every axis."""
    x = operand("slice", operand_)
    return _bind(st.slice_p, x, start_indices=tuple(start_indices),
                            limit_indices=tuple(limit_indices),
                            strides=None if strides is None else tuple(strides))


def slice_in_dim(operand_: Any, start_index: int | None, limit_index: int | None,
                 stride: int = 1, axis: int = 0) -> Array:
    """``slice`` along one axis; ``None`` and negative indices as in Python."""
    x = operand("slice_in_dim", operand_)
    axis = canonicalize_axis(axis, x.ndim)
    n = x.shape[axis]
    start = 0 if start_index is None else int(start_index)
    limit = n if limit_index is None else int(limit_index)
    start = start + n if start < 0 else start
    limit = limit + n if limit < 0 else limit
    starts, limits, strides = [0] * x.ndim, list(x.shape), [1] * x.ndim
    starts[axis], limits[axis], strides[axis] = start, limit, int(stride)
    return slice(x, starts, limits, strides)


def index_in_dim(operand_: Any, index: int, axis: int = 0, keepdims: bool = True) -> Array:
    """Element ``index`` along ``axis`` (negative counts from the end)."""
    x = operand("index_in_dim", operand_)
    axis = canonicalize_axis(axis, x.ndim)
    index = int(index)
    if not -x.shape[axis] <= index < x.shape[axis]:
        raise IndexError(f"index {index} is out of bounds for axis {axis} with size "
                         f"{x.shape[axis]}")
    index = index + x.shape[axis] if index < 0 else index
    out = slice_in_dim(x, index, index + 1, 1, axis)
    return out if keepdims else _bind(st.squeeze_p, out, dimensions=(axis,))


def concatenate(operands: Sequence[Any], dimension: int) -> Array:
    """Join arrays of one dtype along ``dimension``."""
    if len(operands) == 0:
        raise ValueError("concatenate requires a non-empty sequences of arrays")
    xs = [operand("concatenate", x, i) for i, x in enumerate(operands)]
    if len(xs) == 1:
        return xs[0]
    return _bind(st.concatenate_p, *xs, dimension=operator.index(dimension))


def pad(operand_: Any, padding_value: Any,
        padding_config: Sequence[tuple[int, int, int]]) -> Array:
    """Pad with ``(low, high, interior)`` per axis; negative low/high crop."""
    x = operand("pad", operand_, 0)
    value = operand("pad", padding_value, 1)
    config = tuple(tuple(operator.index(p) for p in c) for c in padding_config)
    return _bind(st.pad_p, x, value, padding_config=config)


def iota(dtype: Any, size: int) -> Array:
    """``[0, 1, ..., size - 1]`` of ``dtype``."""
    return _bind(st.iota_p, dtype=_dtype(dtype), shape=(operator.index(size),), dimension=0)


def broadcasted_iota(dtype: Any, shape: Sequence[int], dimension: int, *,
                     out_sharding: Any = None) -> Array:
    """Indices along ``dimension`` broadcast to ``shape``."""
    return _bind(st.iota_p, dtype=_dtype(dtype), shape=_ints("iota", "shape", shape),
                           dimension=operator.index(dimension))


# --- dynamic slicing --------------------------------------------------------------------------

def _start_indices(name: str, x: Array, start_indices: Any) -> list[Array]:
    """Start indices as 0-d integer arrays of one dtype; negative ones count from the end.

    The wrap-around is computed on the arrays (``select(i < 0, i + d, i)``, as JAX does), so
    that traced indices work too; the primitive then clamps the window into bounds.
    """
    if isinstance(start_indices, (Array, np.ndarray)):
        starts = operand(name, start_indices)
        idx = [index_in_dim(starts, i, keepdims=False) for i in range(starts.shape[0])]
    else:
        idx = [operand(name, i) for i in start_indices]
    if len(idx) != x.ndim:
        raise ValueError(f"Length of slice indices must match number of operand dimensions "
                         f"({len(idx)} vs {x.shape})")
    if idx and (len({i.dtype for i in idx}) > 1 or idx[0].dtype.kind not in "iu"):
        raise TypeError(f"index arguments to {name} must be integers of the same type, got: "
                        f"{', '.join(i.dtype.name for i in idx)}")
    out = []
    for i, d in zip(idx, x.shape):
        if i.dtype.kind == "u":
            out.append(i)
            continue
        size = convert(asarray(d), i.dtype, i.weak_type)
        zero = convert(asarray(0), i.dtype, i.weak_type)
        out.append(ew.select_n_p.bind(ew.lt_p.bind(i, zero), i, ew.add_p.bind(i, size)))
    return out


def dynamic_slice(operand_: Any, start_indices: Any, slice_sizes: Sequence[int], *,
                  allow_negative_indices: bool | Sequence[bool] = True) -> Array:
    """The window of ``slice_sizes`` at ``start_indices``, clamped to fit (as XLA)."""
    x = operand("dynamic_slice", operand_)
    starts = _start_indices("dynamic_slice", x, start_indices)
    sizes = _ints("dynamic_slice", "slice_sizes", slice_sizes)
    return _bind(ix.dynamic_slice_p, x, *starts, slice_sizes=sizes)


def dynamic_update_slice(operand_: Any, update: Any, start_indices: Any, *,
                         allow_negative_indices: bool | Sequence[bool] = True) -> Array:
    """``operand`` with the window at ``start_indices`` (clamped) replaced by ``update``."""
    x = operand("dynamic_update_slice", operand_, 0)
    u = operand("dynamic_update_slice", update, 1)
    starts = _start_indices("dynamic_update_slice", x, start_indices)
    check_same_dtypes("dynamic_update_slice", x, u)
    return _bind(ix.dynamic_update_slice_p, x, u, *starts)


def dynamic_slice_in_dim(operand_: Any, start_index: Any, slice_size: int, axis: int = 0, *,
                         allow_negative_indices: bool = True) -> Array:
    """``dynamic_slice`` along one axis."""
    x = operand("dynamic_slice_in_dim", operand_)
    axis = canonicalize_axis(axis, x.ndim)
    start = operand("dynamic_slice_in_dim", start_index)
    starts = [convert(asarray(0), start.dtype, start.weak_type)] * x.ndim
    starts[axis] = start
    sizes = list(x.shape)
    sizes[axis] = int(slice_size)
    return dynamic_slice(x, starts, sizes)


def dynamic_index_in_dim(operand_: Any, index: Any, axis: int = 0, keepdims: bool = True, *,
                         allow_negative_indices: bool = True) -> Array:
    """Element ``index`` along ``axis``, clamped as ``dynamic_slice``."""
    out = dynamic_slice_in_dim(operand_, index, 1, axis)
    if keepdims:
        return out
    return _bind(st.squeeze_p, out, dimensions=(canonicalize_axis(axis, out.ndim),))


def dynamic_update_slice_in_dim(operand_: Any, update: Any, start_index: Any, axis: int, *,
                                allow_negative_indices: bool = True) -> Array:
    """``dynamic_update_slice`` along one axis."""
    x = operand("dynamic_update_slice_in_dim", operand_)
    axis = canonicalize_axis(axis, x.ndim)
    start = operand("dynamic_update_slice_in_dim", start_index)
    starts = [convert(asarray(0), start.dtype, start.weak_type)] * x.ndim
    starts[axis] = start
    return dynamic_update_slice(x, update, starts)


def dynamic_update_index_in_dim(operand_: Any, update: Any, index: Any, axis: int, *,
                                allow_negative_indices: bool = True) -> Array:
    """Replace element ``index`` along ``axis`` by ``update``."""
    x = operand("dynamic_update_index_in_dim", operand_)
    axis = canonicalize_axis(axis, x.ndim)
    u = operand("dynamic_update_index_in_dim", update)
    if u.ndim == x.ndim - 1:
        u = _bind(st.expand_dims_p, u, dimensions=(axis,))
    return dynamic_update_slice_in_dim(x, u, index, axis)


# --- contractions ---------------------------------------------------------------------------

def dot_general(lhs: Any, rhs: Any, dimension_numbers: Any, precision: Any = None,
                preferred_element_type: Any = None, *, out_sharding: Any = None) -> Array:
    """Contract ``lhs`` and ``rhs`` over ``((lhs_contract, rhs_contract), (lhs_batch,
    rhs_batch))``; the result is batch axes, then lhs free axes, then rhs free axes."""
    x, y = operand("dot_general", lhs, 0), operand("dot_general", rhs, 1)
    (lc, rc), (lb, rb) = dimension_numbers
    dims = ((tuple(lc), tuple(rc)), (tuple(lb), tuple(rb)))
    pref = None if preferred_element_type is None else _dtype(preferred_element_type)
    return _bind(la.dot_general_p, x, y, dimension_numbers=dims, precision=precision,
                                  preferred_element_type=pref)


def dot(lhs: Any, rhs: Any, *, dimension_numbers: Any = None, precision: Any = None,
        preferred_element_type: Any = None, out_sharding: Any = None) -> Array:
    """Matrix/vector products (``dimension_numbers`` for anything else)."""
    x, y = operand("dot", lhs, 0), operand("dot", rhs, 1)
    if dimension_numbers is not None:
        return dot_general(x, y, dimension_numbers, precision, preferred_element_type)
    if 1 <= x.ndim <= 2 and 1 <= y.ndim <= 2 and x.shape[-1] == y.shape[0]:
        return dot_general(x, y, (([x.ndim - 1], [0]), ([], [])), precision,
                           preferred_element_type)
    raise ValueError(f"jax.lax.dot: dimension_numbers must be specified when not performing "
                     f"simple un-batched matrix-matrix, matrix-vector, or vector-vector "
                     f"products; got lhs_shape={x.shape} rhs_shape={y.shape}")


# --- reductions -----------------------------------------------------------------------------

def _reducer(name: str) -> Any:
    def fn(operand_: Any, axes: Sequence[int], *, out_sharding: Any = None) -> Array:
        x = operand(name, operand_)
        return _bind(getattr(rd, f"{name}_p"), x, axes=tuple(axes))
    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = f"``{name}`` over the (non-negative) ``axes``."
    return fn


reduce_sum = _reducer("reduce_sum")
reduce_prod = _reducer("reduce_prod")
reduce_max = _reducer("reduce_max")
reduce_min = _reducer("reduce_min")
reduce_and = _reducer("reduce_and")
reduce_or = _reducer("reduce_or")
reduce_xor = _reducer("reduce_xor")


def argmax(operand_: Any, axis: int, index_dtype: Any) -> Array:
    """Index of the largest element along ``axis`` (the first one on ties and NaN)."""
    x = operand("argmax", operand_)
    return _bind(rd.argmax_p, x, axis=operator.index(axis), index_dtype=np.dtype(index_dtype))


def argmin(operand_: Any, axis: int, index_dtype: Any) -> Array:
    """Index of the smallest element along ``axis`` (the first one on ties and NaN)."""
    x = operand("argmin", operand_)
    return _bind(rd.argmin_p, x, axis=operator.index(axis), index_dtype=np.dtype(index_dtype))


def _cumulative(name: str) -> Any:
    def fn(operand_: Any, axis: int = 0, reverse: bool = False) -> Array:
        x = operand(name, operand_)
        if x.ndim == 0:
            raise ValueError(f"axis {axis} is out of bounds for array of shape ()")
        return _bind(getattr(rd, f"{name}_p"), x, axis=axis, reverse=bool(reverse))
    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = f"Inclusive ``{name}`` along ``axis`` (from the end if ``reverse``)."
    return fn


cumsum = _cumulative("cumsum")
cumprod = _cumulative("cumprod")
cummax = _cumulative("cummax")
cummin = _cumulative("cummin")
cumlogsumexp = _cumulative("cumlogsumexp")


def sort(operand_: Any, dimension: int = -1, is_stable: bool = True,
         num_keys: int = 1) -> Array | tuple[Array, ...]:
    """Sort along ``dimension``; a sequence of operands is sorted by its first ``num_keys``."""
    single = not isinstance(operand_, (tuple, list))
    xs = [operand("sort", x, i) for i, x in enumerate([operand_] if single else operand_)]
    if single and num_keys != 1:
        raise ValueError(f"num_keys={num_keys} must equal 1 for a single operand.")
    dim = canonicalize_axis(dimension, xs[0].ndim)
    out = _bind(rd.sort_p, *xs, dimension=dim, is_stable=bool(is_stable),
                          num_keys=operator.index(num_keys))
    return out[0] if single else tuple(out)


def sort_key_val(keys: Any, values: Any, dimension: int = -1,
                 is_stable: bool = True) -> tuple[Array, Array]:
    """Sort ``keys`` along ``dimension`` and apply the same permutation to ``values``."""
    k, v = sort((keys, values), dimension, is_stable, num_keys=1)
    return k, v


def top_k(operand_: Any, k: int, *, axis: int = -1) -> list[Array]:
    """The ``k`` largest elements along ``axis`` (descending) and their indices.

    Ties go to the lower index. Composed from ``rev`` and a stable ascending ``sort``: sorting
    the reversed array and reversing back puts equal elements in ascending index order.
    """
    x = operand("top_k", operand_)
    axis = canonicalize_axis(axis, x.ndim)
    k = operator.index(k)
    if k < 0:
        raise ValueError(f"k argument to top_k must be nonnegative, got {k}")
    if k > x.shape[axis]:
        raise ValueError(f"k argument to top_k must be no larger than size along axis; got "
                         f"k={k} with shape={list(x.shape)} and axis={axis}")
    idx = _bind(st.iota_p, dtype=dtypes.int32, shape=tuple(x.shape), dimension=axis)
    flip = st.rev_p
    xs, ids = _bind(rd.sort_p, flip.bind(x, dimensions=(axis,)),
                              flip.bind(idx, dimensions=(axis,)),
                              dimension=axis, is_stable=True, num_keys=1)
    values = slice_in_dim(flip.bind(xs, dimensions=(axis,)), 0, k, 1, axis)
    indices = slice_in_dim(flip.bind(ids, dimensions=(axis,)), 0, k, 1, axis)
    return [convert(values, x.dtype, x.weak_type), indices]
