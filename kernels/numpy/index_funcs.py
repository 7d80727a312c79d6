"""axc.numpy index functions: take, put, nonzero and friends, composed over the index,
structural and reduction primitives (re-exported by ``axc.numpy`` through ``indexing``).

Functions whose result shape depends on data (``nonzero`` without ``size``, ``compress``
and ``extract`` without ``size``, ``choose``/``ravel_multi_index`` with ``mode="raise"``)
need concrete values, as in JAX.
"""
from __future__ import annotations

import math
import operator
from typing import Any

import numpy as np

from ...runtime import dtypes
from ...runtime.array import Array
from ..indexing import IndexTemplate, index_p
from ..reduce import cumsum_p, reduce_sum_p
from ..shapes import broadcast_shapes, canonicalize_axis
from ..structural import broadcast_in_dim_p, concatenate_p, reshape_p
from . import ufuncs as uf
from .index_tricks import concrete_any, full, int_iota, move_axis, ravel1d, unravel_index
from .indexing import GATHER_MODES, fill_scalar, getitem, parse_mode, scatter_update
from .promote import asarray, convert, promote_dtypes


def _check_inplace(name: str, inplace: bool) -> None:
    if inplace:
        raise ValueError(f"jax.numpy.{name} cannot modify arrays in-place, because JAX arrays "
                         f"are immutable. Pass inplace=False to instead return an updated "
                         f"array.")


def _tile_to_size(v: Array, size: int) -> Array:
    if v.size >= size:
        return getitem(v, slice(0, size))
    return getitem(v, uf.remainder(int_iota(size), v.size))


def _along_axis(a: Array, indices: Array, axis: int, **kw: Any) -> Array:
    template = IndexTemplate(tuple(("array", 0) if i == axis else ("slice", 0, n, 1)
                                   for i, n in enumerate(a.shape)))
    return index_p.bind(a, indices, template=template, **kw)


def take(a: Any, indices: Any, axis: int | None = None, out: None = None,
         mode: str | None = None, unique_indices: bool = False,
         indices_are_sorted: bool = False, fill_value: Any = None) -> Array:
    """Elements of ``a`` at ``indices`` along ``axis`` (the flattened array if None).

    Out-of-bounds indices give ``fill_value`` (``mode="fill"``, the default: NaN for
    floats), or are clamped (``"clip"``) or wrapped (``"wrap"``).
    """
    if out is not None:
        raise NotImplementedError("The 'out' argument to jnp.take is not supported.")
    a, indices = asarray(a), asarray(indices)
    if indices.dtype.kind not in "iu":
        raise ValueError("indices must have an integer type")
    if axis is None:
        a, axis = ravel1d(a), 0
    axis = canonicalize_axis(axis, a.ndim)
    if a.shape[axis] == 0 and indices.size != 0:
        raise IndexError("Cannot do a non-empty jnp.take() from an empty axis.")
    if mode is None or mode == "fill":
        gmode, normalize = "fill", True
    elif mode == "clip":
        gmode, normalize = "clip", False
    elif mode == "wrap":
        indices, gmode, normalize = uf.remainder(indices, a.shape[axis]), "clip", False
    elif mode == "raise":
        raise NotImplementedError("The 'raise' mode to jnp.take is not supported.")
    else:
        raise ValueError(f"Invalid mode '{mode}' for np.take")
    return _along_axis(a, indices, axis, mode=gmode, fill_value=fill_scalar(fill_value),
                       normalize=normalize)


def take_along_axis(arr: Any, indices: Any, axis: int | None = -1, mode: Any = None,
                    fill_value: Any = None, *,
                    wrap_negative_indices: bool | None = None) -> Array:
    """``arr`` indexed by ``indices`` along ``axis``, matching 1-d slices (out-of-bounds
    indices give ``fill_value`` by default, as JAX)."""
    a, indices = asarray(arr), asarray(indices)
    if indices.dtype.kind not in "iu":
        raise TypeError(f"take_along_axis indices must be of integer type, got "
                        f"{indices.dtype}")
    if axis is None:
        if indices.ndim != 1:
            raise ValueError(f"take_along_axis indices must be 1D if axis=None, got shape "
                             f"{indices.shape}")
        a, axis = ravel1d(a), 0
    if a.ndim != indices.ndim:
        raise ValueError(f"indices and arr must have the same number of dimensions; "
                         f"{indices.ndim} vs. {a.ndim}")
    axis = canonicalize_axis(axis, a.ndim)
    arr_shape = tuple(1 if i == axis else n for i, n in enumerate(a.shape))
    try:
        out_shape = broadcast_shapes(indices.shape, arr_shape)
    except TypeError:
        raise ValueError(f"Incompatible shapes for broadcasting: "
                         f"shapes={[indices.shape, arr_shape]}") from None
    if a.shape[axis] == 0:
        return full(out_shape, 0, a.dtype)
    if wrap_negative_indices is None:
        wrap_negative_indices = mode != "promise_in_bounds"
    idx = [indices if i == axis else
           int_iota(0, tuple(out_shape[j] if j == i and n != 1 else 1 for j in range(a.ndim)), i)
           for i, n in enumerate(a.shape)]
    template = IndexTemplate(tuple(("array", k) for k in range(a.ndim)))
    return index_p.bind(a, *idx, template=template,
                        mode=parse_mode("fill" if mode is None else mode, GATHER_MODES),
                        fill_value=fill_scalar(fill_value),
                        normalize=bool(wrap_negative_indices))


def put(a: Any, ind: Any, v: Any, mode: str | None = None, *, inplace: bool = True) -> Array:
    """A copy of ``a`` with the flat positions ``ind`` set to ``v`` (``inplace=False``
    is required). Out-of-bounds indices are clipped (default) or wrapped."""
    _check_inplace("put", inplace)
    arr, ind_arr, v_arr = asarray(a), ravel1d(asarray(ind)), ravel1d(asarray(v))
    if not arr.size or not ind_arr.size or not v_arr.size:
        return arr
    v_arr = _tile_to_size(v_arr, ind_arr.size)
    if mode is None:
        scatter_mode = "drop"
    elif mode == "clip":
        ind_arr, scatter_mode = uf.clip(ind_arr, 0, arr.size - 1), "promise_in_bounds"
    elif mode == "wrap":
        ind_arr, scatter_mode = uf.remainder(ind_arr, arr.size), "promise_in_bounds"
    elif mode == "raise":
        raise NotImplementedError("The 'raise' mode to jnp.put is not supported.")
    else:
        raise ValueError(f"mode should be one of 'wrap' or 'clip'; got mode={mode!r}")
    return scatter_update(arr, unravel_index(ind_arr, arr.shape), v_arr, "set",
                          mode=scatter_mode)


def put_along_axis(arr: Any, indices: Any, values: Any, axis: int | None,
                   inplace: bool = True, *, mode: Any = None) -> Array:
    """A copy of ``arr`` with ``values`` put at ``indices`` along ``axis`` (matching
    1-d slices); ``inplace=False`` is required."""
    _check_inplace("put_along_axis", inplace)
    a, indices, values = asarray(arr), asarray(indices), asarray(values)
    shape = a.shape
    if axis is None:
        a, axis = ravel1d(a), 0
    if a.ndim != indices.ndim:
        raise ValueError(f"put_along_axis arguments 'arr' and 'indices' must have same ndim. "
                         f"Got arr.ndim={a.ndim} and indices.ndim={indices.ndim}.")
    try:
        broadcast_shapes(values.shape, indices.shape)
        if values.ndim > indices.ndim or broadcast_shapes(values.shape, indices.shape) != \
                indices.shape:
            raise TypeError
    except TypeError:
        raise ValueError(f"put_along_axis argument 'values' must be broadcastable to "
                         f"'indices'. Got values.shape={values.shape} and "
                         f"indices.shape={indices.shape}.") from None
    values = broadcast_in_dim_p.bind(
        values, shape=indices.shape,
        broadcast_dimensions=tuple(range(indices.ndim - values.ndim, indices.ndim)))
    axis = canonicalize_axis(axis, a.ndim)
    idx = tuple(indices if i == axis else int_iota(0, tuple(n if j == i else 1
                                                        for j in range(a.ndim)), i)
                for i, n in enumerate(a.shape))
    out = scatter_update(a, idx, values, "set", mode=mode)
    return out if out.shape == shape else reshape_p.bind(out, new_sizes=shape)


def place(arr: Any, mask: Any, vals: Any, *, inplace: bool = True) -> Array:
    """A copy of ``arr`` with ``vals`` (repeated as needed) placed where ``mask`` holds;
    ``inplace=False`` is required."""
    data, mask_arr, vals_arr = asarray(arr), asarray(mask), ravel1d(asarray(vals))
    _check_inplace("place", inplace)
    if data.size != mask_arr.size:
        raise ValueError("place: arr and mask must be the same size")
    if not vals_arr.size:
        raise ValueError("Cannot place values from an empty array")
    if not data.size:
        return data
    indices = nonzero(ravel1d(mask_arr), size=mask_arr.size, fill_value=mask_arr.size)[0]
    out = scatter_update(ravel1d(data), (indices,), _tile_to_size(vals_arr, indices.size),
                         "set", mode="drop")
    return reshape_p.bind(out, new_sizes=data.shape)


def nonzero(a: Any, *, size: int | None = None,
            fill_value: Any = None) -> tuple[Array, ...]:
    """Indices of the nonzero elements of ``a``, one array per dimension.

    Without ``size`` the count must be concrete; with it, the result has ``size`` entries,
    truncated or padded with ``fill_value`` (default 0; a scalar or one per dimension).
    """
    arr = asarray(a)
    if arr.ndim == 0:
        raise ValueError("Calling nonzero on 0d arrays is not allowed. Use "
                         "jnp.atleast_1d(scalar).nonzero() instead.")
    int_dt = dtypes.default_int_dtype()
    mask = convert(uf._as_bool(arr), int_dt)
    if size is None:
        size = int(reduce_sum_p.bind(mask, axes=tuple(range(arr.ndim))))
    size = operator.index(size)
    if arr.size == 0 or size == 0:
        return tuple(full((size,), 0, int_dt) for _ in arr.shape)
    flat_mask = ravel1d(mask)
    slot = uf.subtract(cumsum_p.bind(flat_mask, axis=0), 1)
    # Element j of the k-th true goes to slot k; the others go out of bounds and are dropped.
    target = uf.where(flat_mask, slot, size)
    flat = scatter_update(full((size,), -1, int_dt), (target,), int_iota(arr.size), "set")
    valid = uf.greater_equal(flat, 0)
    flat = uf.where(valid, flat, 0)
    if fill_value is None:
        fills = (0,) * arr.ndim
    else:
        fills = fill_value if isinstance(fill_value, tuple) else (fill_value,) * arr.ndim
        if len(fills) != arr.ndim or any(np.shape(f) != () for f in fills):
            raise ValueError(f"fill_value must be a scalar or a tuple of length {arr.ndim}; "
                             f"got {fill_value}")
    strides = [math.prod(arr.shape[i + 1:]) for i in range(arr.ndim)]
    return tuple(uf.where(valid, uf.remainder(uf.floor_divide(flat, s), n), f)
                 for s, n, f in zip(strides, arr.shape, fills))


def flatnonzero(a: Any, *, size: int | None = None, fill_value: Any = None) -> Array:
    """Indices of the nonzero elements of the flattened ``a``."""
    return nonzero(ravel1d(asarray(a)), size=size, fill_value=fill_value)[0]


def argwhere(a: Any, *, size: int | None = None, fill_value: Any = None) -> Array:
    """``(N, a.ndim)`` array of the indices of the nonzero elements of ``a``."""
    a = asarray(a)
    flat = a if a.ndim else reshape_p.bind(a, new_sizes=(1,))
    cols = [reshape_p.bind(i, new_sizes=(i.size, 1))
            for i in nonzero(flat, size=size, fill_value=fill_value)]
    result = cols[0] if len(cols) == 1 else concatenate_p.bind(*promote_dtypes(*cols),
                                                               dimension=1)
    if a.ndim == 0:
        return reshape_p.bind(getitem(result, slice(0, 0)), new_sizes=(result.shape[0], 0))
    return result


def extract(condition: Any, arr: Any, *, size: int | None = None,
            fill_value: Any = 0) -> Array:
    """Elements of ``arr`` where ``condition`` holds (both flattened)."""
    return compress(ravel1d(asarray(condition)), ravel1d(asarray(arr)), size=size,
                    fill_value=fill_value)


def compress(condition: Any, a: Any, axis: int | None = None, *, size: int | None = None,
             fill_value: Any = 0, out: None = None) -> Array:
    """Slices of ``a`` along ``axis`` where the 1-d ``condition`` holds."""
    cond, arr = uf._as_bool(asarray(condition)), asarray(a)
    if out is not None:
        raise NotImplementedError("The 'out' argument to jnp.compress is not supported.")
    if cond.ndim != 1:
        raise ValueError("condition must be a 1D array")
    if axis is None:
        axis, arr = 0, ravel1d(arr)
    else:
        axis = canonicalize_axis(axis, arr.ndim)
        arr = move_axis(arr, axis, 0)
    n = arr.shape[0]
    cond, extra = getitem(cond, slice(None, n)), getitem(cond, slice(n, None))
    arr = getitem(arr, slice(None, cond.shape[0]))
    if size is None:
        if extra.size and concrete_any(extra):
            raise ValueError("condition contains entries that are out of bounds")
        result = getitem(arr, cond)
    elif not 0 <= size <= arr.shape[0]:
        raise ValueError(f"size must be positive and not greater than the size of the array "
                         f"axis; got size={size} for a.shape[axis]={arr.shape[0]}")
    else:
        idx = nonzero(cond, size=size, fill_value=cond.shape[0])[0]
        result = getitem(arr, idx, mode="fill", fill_value=fill_value)
    return move_axis(result, 0, axis)


