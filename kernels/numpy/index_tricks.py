"""axc.numpy index constructors and conversions: ``choose``, ``select``, ``ix_``,
``diag_indices``, ``tril_indices``/``triu_indices``, ``unravel_index``, ``ravel_multi_index``
(re-exported by ``axc.numpy`` through ``indexing``), and helpers shared with ``index_funcs``.
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
from ..reduce import reduce_or_p
from ..shapes import broadcast_shapes
from ..structural import broadcast_in_dim_p, iota_p, reshape_p, transpose_p
from . import ufuncs as uf
from .promote import asarray, convert, promote_dtypes


def ravel1d(a: Array) -> Array:
    return a if a.ndim == 1 else reshape_p.bind(a, new_sizes=(a.size,))


def move_axis(a: Array, src: int, dst: int) -> Array:
    perm = [i for i in range(a.ndim) if i != src]
    perm.insert(dst, src)
    return a if perm == list(range(a.ndim)) else transpose_p.bind(a, permutation=tuple(perm))


def int_iota(n: int, shape: tuple[int, ...] | None = None, dimension: int = 0) -> Array:
    return iota_p.bind(dtype=dtypes.default_int_dtype(), shape=shape or (n,),
                       dimension=dimension)


def full(shape: tuple[int, ...], value: Any, dt: np.dtype) -> Array:
    return broadcast_in_dim_p.bind(asarray(value, dt), shape=tuple(shape),
                                   broadcast_dimensions=())


def concrete_any(mask: Array) -> bool:
    """Concrete ``any(mask)`` (a concretisation point, as in JAX)."""
    mask = uf._as_bool(mask)
    return bool(reduce_or_p.bind(mask, axes=tuple(range(mask.ndim))))


def choose(a: Any, choices: Sequence[Any], out: None = None, mode: str = "raise") -> Array:
    """Element ``i`` from ``choices[a[i]]`` (all broadcast together)."""
    if out is not None:
        raise NotImplementedError("The 'out' argument to jnp.choose is not supported.")
    a = asarray(a)
    if a.dtype.kind not in "iu":
        raise ValueError("`a` array must be integer typed")
    n = len(choices)
    if mode == "raise":
        if concrete_any(uf.logical_or(uf.less(a, 0), uf.greater_equal(a, n))):
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
    return (int_iota(n),) * ndim


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
        out.append(full(shape, 0, dtypes.default_int_dtype()) if a.size == 0 else
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
        if any(concrete_any(uf.logical_or(uf.less(i, 0), uf.greater_equal(i, d)))
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
