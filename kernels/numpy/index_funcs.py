"""axc.numpy index functions: take, put, nonzero and friends, composed over the index,
structural and reduction primitives (re-exported by ``axc.numpy`` through ``indexing``).

Functions whose result shape depends on data (``nonzero`` without ``size``, ``compress``
and ``extract`` without ``size``, ``choose``/``ravel_multi_index`` with ``mode="raise"``)
need concrete values, as in JAX.
"""
from __future__ import annotations

import math
import operator
from collections.abc import Sequence
from typing import Any

import numpy as np

from ...runtime import dtypes
from ...runtime.array import Array
from .. import elementwise as ew
from ..indexing import IndexTemplate, index_p
from ..reduce import cumsum_p, reduce_or_p, reduce_sum_p
from ..shapes import broadcast_shapes, canonicalize_axis
from ..structural import broadcast_in_dim_p, concatenate_p, iota_p, reshape_p, transpose_p
from . import ufuncs as uf
from .indexing import _GATHER_MODES, _fill_scalar, _mode, getitem, scatter_update
from .promote import asarray, convert, promote_dtypes


def _ravel(a: Array) -> Array:
    return a if a.ndim == 1 else reshape_p.bind(a, new_sizes=(a.size,))


def _moveaxis(a: Array, src: int, dst: int) -> Array:
    perm = [i for i in range(a.ndim) if i != src]
    perm.insert(dst, src)
    return a if perm == list(range(a.ndim)) else transpose_p.bind(a, permutation=tuple(perm))


def _iota(n: int, shape: tuple[int, ...] | None = None, dimension: int = 0) -> Array:
    return iota_p.bind(dtype=dtypes.default_int_dtype(), shape=shape or (n,),
                       dimension=dimension)


def _full(shape: tuple[int, ...], value: Any, dt: np.dtype) -> Array:
    return broadcast_in_dim_p.bind(asarray(value, dt), shape=tuple(shape),
                                   broadcast_dimensions=())


def _any(mask: Array) -> bool:
    """Concrete ``any(mask)`` (a concretisation point, as in JAX)."""
    mask = uf._as_bool(mask)
    return bool(reduce_or_p.bind(mask, axes=tuple(range(mask.ndim))))


def _check_inplace(name: str, inplace: bool) -> None:
    if inplace:
        raise ValueError(f"jax.numpy.{name} cannot modify arrays in-place, because JAX arrays "
                         f"are immutable. Pass inplace=False to instead return an updated "
                         f"array.")


def _tile_to_size(v: Array, size: int) -> Array:
    if v.size >= size:
        return getitem(v, slice(0, size))
    return getitem(v, uf.remainder(_iota(size), v.size))


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
        a, axis = _ravel(a), 0
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
    return _along_axis(a, indices, axis, mode=gmode, fill_value=_fill_scalar(fill_value),
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
        a, axis = _ravel(a), 0
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
        return _full(out_shape, 0, a.dtype)
    if wrap_negative_indices is None:
        wrap_negative_indices = mode != "promise_in_bounds"
    idx = [indices if i == axis else
           _iota(0, tuple(out_shape[j] if j == i and n != 1 else 1 for j in range(a.ndim)), i)
           for i, n in enumerate(a.shape)]
    template = IndexTemplate(tuple(("array", k) for k in range(a.ndim)))
    return index_p.bind(a, *idx, template=template,
                        mode=_mode("fill" if mode is None else mode, _GATHER_MODES),
                        fill_value=_fill_scalar(fill_value),
                        normalize=bool(wrap_negative_indices))


def put(a: Any, ind: Any, v: Any, mode: str | None = None, *, inplace: bool = True) -> Array:
    """A copy of ``a`` with the flat positions ``ind`` set to ``v`` (``inplace=False``
    is required). Out-of-bounds indices are clipped (default) or wrapped."""
    _check_inplace("put", inplace)
    arr, ind_arr, v_arr = asarray(a), _ravel(asarray(ind)), _ravel(asarray(v))
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
        a, axis = _ravel(a), 0
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
    idx = tuple(indices if i == axis else _iota(0, tuple(n if j == i else 1
                                                        for j in range(a.ndim)), i)
                for i, n in enumerate(a.shape))
    out = scatter_update(a, idx, values, "set", mode=mode)
    return out if out.shape == shape else reshape_p.bind(out, new_sizes=shape)


def place(arr: Any, mask: Any, vals: Any, *, inplace: bool = True) -> Array:
    """A copy of ``arr`` with ``vals`` (repeated as needed) placed where ``mask`` holds;
    ``inplace=False`` is required."""
    data, mask_arr, vals_arr = asarray(arr), asarray(mask), _ravel(asarray(vals))
    _check_inplace("place", inplace)
    if data.size != mask_arr.size:
        raise ValueError("place: arr and mask must be the same size")
    if not vals_arr.size:
        raise ValueError("Cannot place values from an empty array")
    if not data.size:
        return data
    indices = nonzero(_ravel(mask_arr), size=mask_arr.size, fill_value=mask_arr.size)[0]
    out = scatter_update(_ravel(data), (indices,), _tile_to_size(vals_arr, indices.size),
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
        return tuple(_full((size,), 0, int_dt) for _ in arr.shape)
    flat_mask = _ravel(mask)
    slot = uf.subtract(cumsum_p.bind(flat_mask, axis=0), 1)
    # Element j of the k-th true goes to slot k; the others go out of bounds and are dropped.
    target = uf.where(flat_mask, slot, size)
    flat = scatter_update(_full((size,), -1, int_dt), (target,), _iota(arr.size), "set")
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
    return nonzero(_ravel(asarray(a)), size=size, fill_value=fill_value)[0]


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
    return compress(_ravel(asarray(condition)), _ravel(asarray(arr)), size=size,
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
        axis, arr = 0, _ravel(arr)
    else:
        axis = canonicalize_axis(axis, arr.ndim)
        arr = _moveaxis(arr, axis, 0)
    n = arr.shape[0]
    cond, extra = getitem(cond, slice(None, n)), getitem(cond, slice(n, None))
    arr = getitem(arr, slice(None, cond.shape[0]))
    if size is None:
        if extra.size and _any(extra):
            raise ValueError("condition contains entries that are out of bounds")
        result = getitem(arr, cond)
    elif not 0 <= size <= arr.shape[0]:
        raise ValueError(f"size must be positive and not greater than the size of the array "
                         f"axis; got size={size} for a.shape[axis]={arr.shape[0]}")
    else:
        idx = nonzero(cond, size=size, fill_value=cond.shape[0])[0]
        result = getitem(arr, idx, mode="fill", fill_value=fill_value)
    return _moveaxis(result, 0, axis)


def choose(a: Any, choices: Sequence[Any], out: None = None, mode: str = "raise") -> Array:
    """Element ``i`` from ``choices[a[i]]`` (all broadcast together)."""
    if out is not None:
        raise NotImplementedError("The 'out' argument to jnp.choose is not supported.")
    a = asarray(a)
    if a.dtype.kind not in "iu":
        raise ValueError("`a` array must be integer typed")
    n = len(choices)
    if mode == "raise":
        if _any(uf.logical_or(uf.less(a, 0), uf.greater_equal(a, n))):
            raise ValueError("invalid entry in choice array")
    elif mode == "wrap":
        a = uf.remainder(a, n)
    elif mode == "clip":
        a = uf.clip(a, 0, n - 1)
    else:
        raise ValueError(f"mode={mode!r} not understood. Must be 'raise', 'wrap', or 'clip'")
    dt = dtypes.result_type(*choices)  # jnp.array(choices): strongly typed
    return ew.select_n_p.bind(convert(a, dtypes.int32), *[convert(asarray(c), dt)
                                                          for c in choices])


def select(condlist: Sequence[Any], choicelist: Sequence[Any], default: Any = 0) -> Array:
    """The first of ``choicelist`` whose condition holds, elementwise (``default`` if none)."""
    if len(condlist) != len(choicelist):
        raise ValueError(f"condlist must have length equal to choicelist ({len(condlist)} vs "
                         f"{len(choicelist)})")
    if len(condlist) == 0:
        raise ValueError("condlist must be non-empty")
    default, *choices = promote_dtypes(default, *choicelist)
    out = default
    for cond, choice in zip(reversed(condlist), reversed(choices)):
        out = uf.where(cond, choice, out)
    shape = broadcast_shapes(*(np.shape(c) for c in condlist), out.shape)
    return out if out.shape == shape else broadcast_in_dim_p.bind(
        out, shape=shape, broadcast_dimensions=tuple(range(len(shape) - out.ndim, len(shape))))


def diag_indices(n: int, ndim: int = 2) -> tuple[Array, ...]:
    """Indices of the main diagonal of an ``n``-sided array of ``ndim`` dimensions."""
    n, ndim = operator.index(n), operator.index(ndim)
    if n < 0:
        raise ValueError(f"n argument to diag_indices must be nonnegative, got {n}")
    if ndim < 0:
        raise ValueError(f"ndim argument to diag_indices must be nonnegative, got {ndim}")
    return (_iota(n),) * ndim


def diag_indices_from(arr: Any) -> tuple[Array, ...]:
    """``diag_indices`` for the shape of ``arr`` (all of whose sides must be equal)."""
    shape = np.shape(arr)
    if len(shape) < 2:
        raise ValueError("input array must be at least 2-d")
    if len(set(shape)) != 1:
        raise ValueError("All dimensions of input must be of equal length")
    return diag_indices(shape[0], ndim=len(shape))


def _static_indices(pair: tuple[np.ndarray, np.ndarray]) -> tuple[Array, Array]:
    # Pure functions of static sizes: constants, like arange of static bounds.
    return tuple(asarray(np.asarray(i, dtypes.default_int_dtype())) for i in pair)


def tril_indices(n: int, k: int = 0, m: int | None = None) -> tuple[Array, Array]:
    """Row and column indices of the lower triangle of an ``(n, m)`` array."""
    return _static_indices(np.tril_indices(operator.index(n), operator.index(k),
                                           None if m is None else operator.index(m)))


def triu_indices(n: int, k: int = 0, m: int | None = None) -> tuple[Array, Array]:
    """Row and column indices of the upper triangle of an ``(n, m)`` array."""
    return _static_indices(np.triu_indices(operator.index(n), operator.index(k),
                                           None if m is None else operator.index(m)))


def _shape_2d(arr: Any) -> tuple[int, ...]:
    shape = arr.shape if hasattr(arr, "shape") else asarray(arr).shape
    if len(shape) != 2:
        raise ValueError("Only 2-D inputs are accepted")
    return shape


def tril_indices_from(arr: Any, k: int = 0) -> tuple[Array, Array]:
    """``tril_indices`` for the shape of the 2-d ``arr``."""
    n, m = _shape_2d(arr)
    return tril_indices(n, k=k, m=m)


def triu_indices_from(arr: Any, k: int = 0) -> tuple[Array, Array]:
    """``triu_indices`` for the shape of the 2-d ``arr``."""
    n, m = _shape_2d(arr)
    return triu_indices(n, k=k, m=m)


def ix_(*args: Any) -> tuple[Array, ...]:
    """An open mesh from 1-d index sequences, for cross-product indexing ``x[ix_(a, b)]``."""
    out = []
    for i, a in enumerate(map(asarray, args)):
        if a.ndim != 1:
            raise ValueError(f"Arguments to jax.numpy.ix_ must be 1-dimensional, got shape "
                             f"{a.shape}")
        if a.dtype == dtypes.bool_:
            raise NotImplementedError("Boolean arguments to jax.numpy.ix_ are not implemented")
        shape = tuple(a.shape[0] if j == i else 1 for j in range(len(args)))
        out.append(_full(shape, 0, dtypes.default_int_dtype()) if a.size == 0 else
                   reshape_p.bind(a, new_sizes=shape))
    return tuple(out)


def unravel_index(indices: Any, shape: Sequence[int]) -> tuple[Array, ...]:
    """Coordinates in an array of ``shape`` of the flat ``indices`` (out-of-bounds indices
    are clamped, as JAX)."""
    idx = asarray(indices)
    try:
        shape = list(shape)
    except TypeError:
        shape = [shape]
    if any(np.ndim(s) != 0 for s in shape):
        raise ValueError("unravel_index: shape should be a scalar or 1D sequence.")
    coords: list[Any] = [0] * len(shape)
    for i, s in reversed(list(enumerate(shape))):
        idx, coords[i] = uf.divmod(idx, s)
    oob_pos = uf.greater(idx, 0)
    oob_neg = asarray(False) if idx.dtype.kind == "u" else uf.less(idx, -1)
    return tuple(uf.where(oob_pos, s - 1, uf.where(oob_neg, 0, c))
                 for s, c in zip(shape, coords))


def ravel_multi_index(multi_index: Sequence[Any], dims: Sequence[int], mode: str = "raise",
                      order: str = "C", *, dtype: Any = None) -> Array:
    """Flat indices into an array of shape ``dims`` of the coordinates ``multi_index``."""
    if len(multi_index) != len(dims):
        raise ValueError(f"len(multi_index)={len(multi_index)} != len(dims)={len(dims)}")
    dims = tuple(operator.index(d) for d in dims)
    arrays = [asarray(i) for i in multi_index]
    dt = dtypes.result_type(int, *arrays) if dtype is None else \
        dtypes.dtype(dtype, canonicalize=True)
    if dt.kind not in "iu":
        raise ValueError(f"dtype={dt} is not an integer type.")
    if math.prod(dims) - 1 > np.iinfo(dt).max:
        raise ValueError(f"jnp.ravel_multi_index: dtype={dt} not large enough to hold "
                         f"flattened index for dims={dims}. Use the dtype argument to pass a "
                         f"suitable dtype (e.g. dtype=np.min_scalar_type(prod(dims))).")
    if any(a.dtype.kind not in "iu" for a in arrays):
        raise TypeError("only int indices permitted")
    if mode == "raise":
        if any(_any(uf.logical_or(uf.less(i, 0), uf.greater_equal(i, d)))
               for i, d in zip(arrays, dims)):
            raise ValueError("invalid entry in coordinates array")
    elif mode == "clip":
        arrays = [uf.clip(i, 0, d - 1) for i, d in zip(arrays, dims)]
    elif mode == "wrap":
        arrays = [uf.remainder(i, d) for i, d in zip(arrays, dims)]
    elif mode != "ignore":
        raise ValueError(f"invalid mode={mode!r}. Expected 'raise', 'wrap', 'clip', or "
                         f"'ignore'.")
    if order == "F":
        strides = np.cumprod((1,) + dims[:-1])
    elif order == "C":
        strides = np.cumprod((1,) + dims[1:][::-1])[::-1]
    else:
        raise ValueError(f"invalid order={order!r}. Expected 'C' or 'F'")
    result = asarray(0, dt)
    for i, s in zip(arrays, strides):
        result = uf.add(result, uf.multiply(convert(i, dt), int(s)))
    return result
