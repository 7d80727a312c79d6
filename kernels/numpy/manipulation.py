"""Shape manipulation in ``axc.numpy``: reshaping, axes, broadcasting, flips, tiling.

Every function composes the structural primitives (and, for ``repeat`` with per-element
counts, a gather with a static index). Counts that fix an output shape (``reshape``
sizes, ``roll`` shifts, ``repeat`` counts) must be concrete, as in JAX. Joining and
splitting live in ``joining.py``, padding in ``padding.py`` and diagonals in
``diagonals.py``; all are re-exported here.
"""
from __future__ import annotations

import operator
from collections.abc import Sequence
from typing import Any

import numpy as np

from ...runtime.array import Array
from .. import shapes
from .. import structural as st
from . import diagonals, joining, padding
from .creation import canonicalize_shape
from .diagonals import *  # diagonals', joining's and padding's APIs are re-exported here
from .joining import *
from .joining import gather_axis, index_tuple, slice_in_dim
from .padding import *
from .promote import asarray, check_arraylike

__all__ = [
    "broadcast_arrays", "broadcast_shapes", "broadcast_to", "expand_dims", "flip", "fliplr",
    "flipud", "matrix_transpose", "moveaxis", "permute_dims", "ravel", "repeat", "reshape",
    "roll", "rot90", "squeeze", "swapaxes", "tile", "transpose",
]
__all__ += joining.__all__ + padding.__all__ + diagonals.__all__


def _arr(name: str, a: Any) -> Array:
    check_arraylike(name, a)
    return asarray(a)


# --- reshaping ------------------------------------------------------------------------------

def _resolve_shape(a: Array, shape: Any) -> tuple[int, ...]:
    """``shape`` with a ``-1`` resolved, or JAX's ``TypeError`` for a size mismatch."""
    shape = canonicalize_shape(shape)
    size = a.size
    if sum(d == -1 for d in shape) > 1:
        raise TypeError(f"can only specify one unknown axis size with a `-1` value, got "
                        f"{shape}")
    if -1 in shape:
        known = 1
        for d in shape:
            known *= d if d != -1 else 1
        if known == 0 or size % known:
            raise TypeError(f"cannot reshape array of shape {a.shape} (size {size}) into "
                            f"shape {shape} because the product of specified axis sizes "
                            f"({known}) does not evenly divide {size}")
        shape = tuple(size // known if d == -1 else d for d in shape)
    total = 1
    for d in shape:
        total *= d
    if total != size or any(d < 0 for d in shape):
        raise TypeError(f"cannot reshape array of shape {a.shape} (size {size}) into shape "
                        f"{shape} (size {total})")
    return shape


def reshape(a: Any, shape: Any, order: str = "C", *, copy: bool | None = None) -> Array:
    """``a`` with a new shape (one entry may be ``-1``), read in C or Fortran order."""
    a = _arr("reshape", a)
    if order == "A":
        raise NotImplementedError("np.reshape order=A is not implemented.")
    if order not in ("C", "F"):
        raise ValueError(f"Unexpected value for 'order' argument: {order}.")
    shape = _resolve_shape(a, shape)
    if order == "F":
        rev = transpose(a)
        out = st.reshape_p.bind(rev, new_sizes=shape[::-1]) if rev.shape != shape[::-1] \
            else rev
        return transpose(out)
    return a if a.shape == shape else st.reshape_p.bind(a, new_sizes=shape)


def ravel(a: Any, order: str = "C") -> Array:
    """``a`` flattened to one dimension."""
    a = _arr("ravel", a)
    return reshape(a, (a.size,), order=order)


# --- axes -----------------------------------------------------------------------------------

def transpose(a: Any, axes: Sequence[int] | None = None) -> Array:
    """``a`` with its axes permuted (reversed when ``axes`` is None)."""
    a = _arr("transpose", a)
    if axes is None:
        perm = tuple(range(a.ndim - 1, -1, -1))
    else:
        perm = tuple(shapes.canonicalize_axis(i, a.ndim) for i in index_tuple(axes))
    if perm == tuple(range(a.ndim)):
        return a
    return st.transpose_p.bind(a, permutation=perm)


def permute_dims(a: Any, /, axes: Sequence[int]) -> Array:
    """Array-API spelling of ``transpose``."""
    return transpose(a, axes)


def matrix_transpose(x: Any, /) -> Array:
    """Swap the last two axes."""
    x = _arr("matrix_transpose", x)
    if x.ndim < 2:
        raise ValueError(f"x must be at least two-dimensional for matrix_transpose; got "
                         f"ndim={x.ndim}")
    perm = (*range(x.ndim - 2), x.ndim - 1, x.ndim - 2)
    return st.transpose_p.bind(x, permutation=perm)


def swapaxes(a: Any, axis1: int, axis2: int) -> Array:
    """Interchange two axes."""
    a = _arr("swapaxes", a)
    perm = list(range(a.ndim))
    perm[axis1], perm[axis2] = perm[axis2], perm[axis1]  # IndexError out of range, as JAX
    return transpose(a, perm)


def moveaxis(a: Any, source: int | Sequence[int], destination: int | Sequence[int]) -> Array:
    """Move axes ``source`` to positions ``destination``, keeping the others in order."""
    a = _arr("moveaxis", a)
    src = tuple(shapes.canonicalize_axis(i, a.ndim) for i in index_tuple(source))
    dst = tuple(shapes.canonicalize_axis(i, a.ndim) for i in index_tuple(destination))
    if len(src) != len(dst):
        raise ValueError(f"Inconsistent number of elements: {len(src)} vs {len(dst)}")
    perm = [i for i in range(a.ndim) if i not in src]
    for d, s in sorted(zip(dst, src)):
        perm.insert(d, s)
    if tuple(perm) == tuple(range(a.ndim)):
        return a
    return st.transpose_p.bind(a, permutation=tuple(perm))


def expand_dims(a: Any, axis: int | Sequence[int]) -> Array:
    """Insert size-1 axes at positions ``axis`` of the result."""
    a = _arr("expand_dims", a)
    axes = index_tuple(axis)
    ndim = a.ndim + len(axes)
    dims = tuple(shapes.canonicalize_axis(i, ndim) for i in axes)
    if len(set(dims)) != len(dims):
        raise ValueError(f"repeated axis in lax.expand_dims: {dims}")
    return st.expand_dims_p.bind(a, dimensions=tuple(sorted(dims)))


def squeeze(a: Any, axis: int | Sequence[int] | None = None) -> Array:
    """Remove size-1 axes (all of them, or those in ``axis``, which must have size 1)."""
    a = _arr("squeeze", a)
    if axis is None:
        dims = tuple(i for i, d in enumerate(a.shape) if d == 1)
    else:
        dims = tuple(shapes.canonicalize_axis(i, a.ndim) for i in index_tuple(axis))
    if not dims:
        return a
    return st.squeeze_p.bind(a, dimensions=dims)


# --- broadcasting ---------------------------------------------------------------------------

def broadcast_shapes(*shapes_: Any) -> tuple[int, ...]:
    """The shape that ``shapes_`` broadcast to."""
    if not shapes_:
        return ()
    tuples = [canonicalize_shape(s) for s in shapes_]
    try:
        return shapes.broadcast_shapes(*tuples)
    except TypeError:
        raise ValueError(f"Incompatible shapes for broadcasting: shapes={tuples}") from None


def broadcast_to(array: Any, shape: Any) -> Array:
    """``array`` broadcast to ``shape`` (NumPy's rules: leading axes added, 1s stretched)."""
    arr = _arr("broadcast_to", array)
    shape = canonicalize_shape(shape)
    if arr.shape == shape:
        return arr
    if len(shape) < arr.ndim:
        raise ValueError(f"Cannot broadcast to shape with fewer dimensions: "
                         f"arr_shape={arr.shape} shape={shape}")
    lead = len(shape) - arr.ndim
    if not all(d in (1, s) for d, s in zip(arr.shape, shape[lead:])):
        typ = f"{arr.dtype.name}[{','.join(map(str, arr.shape))}]"
        want = f"{arr.dtype.name}[{','.join(map(str, shape))}]"
        raise ValueError(f"Incompatible types for broadcasting: input type={typ} and "
                         f"requested type={want}")
    return st.broadcast_in_dim_p.bind(arr, shape=shape,
                                      broadcast_dimensions=tuple(range(lead, len(shape))))


def broadcast_arrays(*args: Any) -> list[Array]:
    """Broadcast ``args`` against each other."""
    check_arraylike("broadcast_arrays", *args)
    arrs = [asarray(a) for a in args]
    shape = broadcast_shapes(*(a.shape for a in arrs))
    return [broadcast_to(a, shape) for a in arrs]


# --- flips and rotations --------------------------------------------------------------------

def flip(m: Any, axis: int | Sequence[int] | None = None) -> Array:
    """Reverse the order of elements along ``axis`` (every axis when None)."""
    m = _arr("flip", m)
    if axis is None:
        dims = tuple(range(m.ndim))
    else:
        dims = tuple(sorted(shapes.canonicalize_axis(i, m.ndim) for i in index_tuple(axis)))
    return st.rev_p.bind(m, dimensions=dims) if dims else m


def fliplr(m: Any) -> Array:
    """Reverse the order of columns (axis 1)."""
    return flip(m, 1)


def flipud(m: Any) -> Array:
    """Reverse the order of rows (axis 0)."""
    return flip(m, 0)


def roll(a: Any, shift: Any, axis: int | Sequence[int] | None = None) -> Array:
    """Rotate elements along ``axis`` by ``shift`` (on the flattened array if None)."""
    arr = _arr("roll", a)
    if axis is None:
        return reshape(roll(ravel(arr), shift, 0), arr.shape)
    axes = tuple(shapes.canonicalize_axis(i, arr.ndim) for i in index_tuple(axis))
    shifts = index_tuple(shift)
    for ax, s in zip(*np.broadcast_arrays(axes, shifts)):
        n = arr.shape[ax]
        if n == 0:
            continue
        i = int(-s) % n
        if i:
            arr = st.concatenate_p.bind(slice_in_dim(arr, i, n, ax), slice_in_dim(arr, 0, i, ax),
                                        dimension=int(ax))
    return arr


def rot90(m: Any, k: int = 1, axes: tuple[int, int] = (0, 1)) -> Array:
    """Rotate by 90 degrees ``k`` times in the plane of ``axes``."""
    m = _arr("rot90", m)
    if m.ndim < 2:
        raise ValueError(f"rot90 requires its first argument to have ndim at least two, but "
                         f"got first argument of shape {m.shape}, which has ndim {m.ndim}")
    ax1, ax2 = axes
    ax1, ax2 = shapes.canonicalize_axis(ax1, m.ndim), shapes.canonicalize_axis(ax2, m.ndim)
    if ax1 == ax2:
        raise ValueError("Axes must be different")
    k = operator.index(k) % 4
    if k == 0:
        return m
    if k == 2:
        return flip(m, (ax1, ax2))
    perm = list(range(m.ndim))
    perm[ax1], perm[ax2] = perm[ax2], perm[ax1]
    if k == 1:
        return transpose(flip(m, ax2), perm)
    return flip(transpose(m, perm), ax2)


# --- tiling and repetition ------------------------------------------------------------------

def tile(A: Any, reps: int | Sequence[int]) -> Array:
    """``A`` repeated ``reps`` times along each axis."""
    A = _arr("tile", A)
    reps = index_tuple(reps)
    reps = (1,) * (A.ndim - len(reps)) + reps
    if len(reps) > A.ndim:
        A = st.expand_dims_p.bind(A, dimensions=tuple(range(len(reps) - A.ndim)))
    if all(r == 1 for r in reps):
        return A
    # Broadcast to (r0, s0, r1, s1, ...) and merge each pair.
    wide = tuple(d for r, s in zip(reps, A.shape) for d in (r, s))
    out = st.broadcast_in_dim_p.bind(A, shape=wide,
                                     broadcast_dimensions=tuple(range(1, len(wide), 2)))
    return st.reshape_p.bind(out, new_sizes=tuple(r * s for r, s in zip(reps, A.shape)))


def repeat(a: Any, repeats: Any, axis: int | None = None, *,
           total_repeat_length: int | None = None) -> Array:
    """Repeat each element of ``a`` (along ``axis``; flattened if None) ``repeats`` times.

    ``repeats`` is an int or an array of per-element counts; counts must be concrete. With
    ``total_repeat_length`` the result is cut or padded (with the last element) to it.
    """
    if isinstance(repeats, (int, np.integer)) and not isinstance(repeats, bool):
        check_arraylike("repeat", a)
    else:
        check_arraylike("repeat", a, repeats)
    arr = asarray(a)
    if axis is None:
        arr, axis = ravel(arr), 0
    axis = operator.index(axis)
    reps = np.asarray(repeats)  # counts fix the output shape: a concretisation point
    if reps.dtype.kind not in "iub":
        raise TypeError(f"Shapes must be 1D sequences of concrete values of integer type, "
                        f"got {reps.tolist()}.")
    if arr.ndim:
        axis = shapes.canonicalize_axis(axis, arr.ndim)
    if reps.ndim == 0 and arr.ndim and total_repeat_length is None:
        r = int(reps)
        aux = list(arr.shape)
        aux.insert(axis + 1, r)
        wide = st.broadcast_in_dim_p.bind(
            arr, shape=tuple(aux), broadcast_dimensions=tuple(i for i in range(len(aux))
                                                              if i != axis + 1))
        out_shape = list(arr.shape)
        out_shape[axis] *= r
        return st.reshape_p.bind(wide, new_sizes=tuple(out_shape))
    reps = np.ravel(reps).astype(np.int64)
    if arr.ndim == 0:
        if reps.shape != (1,):
            raise ValueError("`repeat` with a scalar parameter `a` is only implemented for "
                             "scalar values of the parameter `repeats`.")
        total = int(reps[0]) if total_repeat_length is None else total_repeat_length
        return broadcast_to(arr, (total,))
    n = arr.shape[axis]
    try:
        reps = np.broadcast_to(reps, (n,))
    except ValueError:
        raise ValueError(f"repeats of shape {reps.shape} cannot be broadcast to the {n} "
                         f"elements of axis {axis}") from None
    if (reps < 0).any():
        raise ValueError("repeats may not contain negative values.")
    total = int(reps.sum()) if total_repeat_length is None \
        else operator.index(total_repeat_length)
    if total == 0:
        return slice_in_dim(arr, 0, 0, axis)
    if n == 0:
        return arr
    # Static gather indices by JAX's rule (scatter block starts, cumsum): past the sum of
    # repeats they stay at the last block, beyond total_repeat_length they are cut.
    starts = np.cumsum(reps) - reps
    marks = np.bincount(starts[starts < total], minlength=total)[:total]
    idx = np.cumsum(marks) - 1
    return gather_axis(arr, idx, axis)
