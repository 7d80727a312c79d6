"""Diagonals and triangles in ``axc.numpy``: ``diag``, ``diagonal``, ``trace``, ``tril``.

Re-exported by ``manipulation.py``. Diagonals are strided slices of the flattened
last two axes; ``diag`` of a vector is one interior ``pad``; triangles select with an
``iota`` mask.
"""
from __future__ import annotations

import operator
from typing import Any

import numpy as np

from ...runtime import dtypes
from ...runtime.array import Array, wrap
from .. import elementwise as ew
from .. import shapes
from .. import structural as st
from .joining import flat
from .promote import asarray, check_arraylike, convert

__all__ = ["diag", "diagflat", "diagonal", "trace", "tril", "triu"]


def _arr(name: str, a: Any) -> Array:
    check_arraylike(name, a)
    return asarray(a)


def diagonal(a: Any, offset: int = 0, axis1: int = 0, axis2: int = 1) -> Array:
    """The ``offset``-th diagonal of the ``(axis1, axis2)`` planes, as the last axis."""
    a = _arr("diagonal", a)
    if a.ndim < 2:
        raise ValueError("diagonal requires an array of at least two dimensions.")
    k = operator.index(offset)
    n, m = a.shape[axis1], a.shape[axis2]
    if a.ndim == 2 and n == m and k == 0 and a.dtype != dtypes.bool_:
        # JAX computes this case as sum(eye * a), which drops the weak type.
        a = convert(a, a.dtype, False)
    ax1, ax2 = shapes.canonicalize_axis(axis1, a.ndim), shapes.canonicalize_axis(axis2, a.ndim)
    perm = (*(i for i in range(a.ndim) if i not in (ax1, ax2)), ax1, ax2)
    if perm != tuple(range(a.ndim)):  # a repeated axis fails here, as in JAX
        a = st.transpose_p.bind(a, permutation=perm)
    size = max(0, min(n + min(k, 0), m - max(k, 0)))
    # Row-major, element (i, i + k) of an n x m plane sits at flat index i * (m + 1) + k.
    batch = a.shape[:-2]
    flat = st.reshape_p.bind(a, new_sizes=(*batch, n * m))
    start = (k if k >= 0 else -k * m) if size else 0
    limit = start + (size - 1) * (m + 1) + 1 if size else 0
    return st.slice_p.bind(flat, start_indices=(0,) * len(batch) + (start,),
                           limit_indices=(*batch, limit), strides=(1,) * len(batch) + (m + 1,))


def diag(v: Any, k: int = 0) -> Array:
    """The ``k``-th diagonal of a 2-d array, or a 2-d array with 1-d ``v`` on it."""
    v = _arr("diag", v)
    k = operator.index(k)
    if v.ndim == 2:
        return diagonal(v, offset=k)
    if v.ndim != 1:
        raise ValueError("diag input must be 1d or 2d")
    n = v.shape[0]
    size = n + abs(k)
    # Pad the vector with size zeros between elements: the flat layout of the matrix.
    lo = k if k >= 0 else -k * size
    hi = size * size - lo - st.dilate_dim(n, size + 1)
    zero = wrap(np.zeros((), v.dtype), v.weak_type)
    flat = st.pad_p.bind(v, zero, padding_config=((lo, hi, size),))
    return st.reshape_p.bind(flat, new_sizes=(size, size))


def diagflat(v: Any, k: int = 0) -> Array:
    """A 2-d array with the flattened ``v`` on its ``k``-th diagonal."""
    return diag(flat(_arr("diagflat", v)), k)


def trace(a: Any, offset: int = 0, axis1: int = 0, axis2: int = 1, dtype: Any = None,
          out: None = None) -> Array:
    """Sum along the ``offset``-th diagonal (with ``sum``'s dtype rules)."""
    a = _arr("trace", a)
    if out is not None:
        raise NotImplementedError("The 'out' argument to jnp.trace is not supported.")
    if shapes.canonicalize_axis(axis1, a.ndim) == shapes.canonicalize_axis(axis2, a.ndim):
        raise ValueError(f"axis1 and axis2 can not be same. axis1={axis1} and axis2={axis2}")
    from . import reductions
    out = reductions.sum(diagonal(a, offset, axis1, axis2), axis=-1, dtype=dtype)
    return convert(out, out.dtype, False)  # JAX's trace is never weakly typed


def _triangle(name: str, m: Any, k: int, lower: bool) -> Array:
    m = _arr(name, m)
    if m.ndim < 2:
        raise ValueError(f"Argument to jax.numpy.{name} must be at least 2D")
    n, cols = m.shape[-2:]
    rows = st.iota_p.bind(dtype=dtypes.int32, shape=(n, cols), dimension=0)
    col = st.iota_p.bind(dtype=dtypes.int32, shape=(n, cols), dimension=1)
    shifted = ew.add_p.bind(rows, wrap(np.asarray(operator.index(k), dtypes.int32)))
    # tril keeps col <= row + k; triu keeps col >= row + k.
    keep = ew.ge_p.bind(shifted, col) if lower else ew.ge_p.bind(col, shifted)
    mask = st.broadcast_in_dim_p.bind(keep, shape=m.shape,
                                      broadcast_dimensions=(m.ndim - 2, m.ndim - 1))
    zero = wrap(np.zeros((), m.dtype), m.weak_type)
    return ew.select_n_p.bind(mask, zero, m)


def tril(m: Any, k: int = 0) -> Array:
    """Zero the elements above the ``k``-th diagonal (of the last two axes)."""
    return _triangle("tril", m, k, lower=True)


def triu(m: Any, k: int = 0) -> Array:
    """Zero the elements below the ``k``-th diagonal (of the last two axes)."""
    return _triangle("triu", m, k, lower=False)
