"""``axc.numpy.linalg`` functions derived from the factorisations: norms, rank, condition
number, pseudo-inverse, least squares, ``multi_dot`` and the array-API aliases."""
from __future__ import annotations

import itertools
from collections.abc import Sequence
from typing import Any

import numpy as np

from ...runtime import dtypes
from ...runtime.array import Array
from .. import structural as st
from ..shapes import canonicalize_axis
from . import manipulation, products, reductions, ufuncs
from .einsum import einsum
from .linalg import inv, svd, svdvals
from .promote import asarray, check_arraylike, convert, promote_args_inexact

__all__ = ["cond", "cross", "diagonal", "lstsq", "matmul", "matrix_norm", "matrix_rank",
           "matrix_transpose", "multi_dot", "norm", "outer", "pinv", "tensordot", "trace",
           "vecdot", "vector_norm"]


def _mT(x: Array) -> Array:
    perm = tuple(range(x.ndim - 2)) + (x.ndim - 1, x.ndim - 2)
    return st.transpose_p.bind(x, permutation=perm)


def _at_last(x: Array, i: int) -> Array:
    """``x[..., i]``."""
    i = canonicalize_axis(i, x.shape[-1])
    piece = st.slice_p.bind(x, start_indices=(0,) * (x.ndim - 1) + (i,),
                            limit_indices=x.shape[:-1] + (i + 1,))
    return st.squeeze_p.bind(piece, dimensions=(x.ndim - 1,))


def _abs2_sum(x: Array, axis: Any, keepdims: bool) -> Array:
    return reductions.sum(ufuncs.real(ufuncs.multiply(x, ufuncs.conj(x))), axis=axis,
                          keepdims=keepdims)


# --- norms ------------------------------------------------------------------------------------

def vector_norm(x: Any, /, *, axis: int | tuple[int, ...] | None = None, keepdims: bool = False,
                ord: int | str = 2) -> Array:
    """Vector ``ord``-norm over ``axis`` (all axes flattened when None)."""
    check_arraylike("jnp.linalg.vector_norm", x)
    x = asarray(x)  # not promoted: integer 1- and inf-norms stay integers, as in JAX
    if ord is None or ord == 2:
        return ufuncs.sqrt(_abs2_sum(x, axis, keepdims))
    if ord == np.inf:
        return reductions.max(ufuncs.abs(x), axis=axis, keepdims=keepdims, initial=0)
    if ord == -np.inf:
        return reductions.min(ufuncs.abs(x), axis=axis, keepdims=keepdims)
    if ord == 0:
        real = np.finfo(x.dtype).dtype  # a ValueError for integers, as in JAX
        return reductions.sum(ufuncs.not_equal(x, 0), dtype=real, axis=axis,
                              keepdims=keepdims)
    if ord == 1:
        return reductions.sum(ufuncs.abs(x), axis=axis, keepdims=keepdims)
    if isinstance(ord, str):
        msg = f"Invalid order '{ord}' for vector norm."
        if ord in ("inf", "-inf"):
            msg += f"Use '{'-' if ord[0] == '-' else ''}jax.numpy.inf' instead."
        raise ValueError(msg)  # noqa: TRY004  (JAX raises ValueError here)
    abs_x = ufuncs.abs(x)
    p = convert(asarray(ord), abs_x.dtype)
    total = reductions.sum(ufuncs.power(abs_x, p), axis=axis, keepdims=keepdims)
    return ufuncs.power(total, convert(asarray(1.0 / ord), abs_x.dtype))


def _matrix_norm(x: Array, ord: Any, axis: tuple[int, int], keepdims: bool) -> Array:
    row, col = axis
    if ord is None or ord in ("f", "fro"):
        return ufuncs.sqrt(_abs2_sum(x, axis, keepdims))
    if ord in (1, -1, np.inf, -np.inf):
        # 1-norms sum down the rows then take the extreme column; inf-norms the reverse.
        inner, outer_ax = (row, col) if ord in (1, -1) else (col, row)
        if not keepdims and outer_ax > inner:
            outer_ax -= 1
        sums = reductions.sum(ufuncs.abs(x), axis=inner, keepdims=keepdims)
        if ord in (1, np.inf):
            return reductions.max(sums, axis=outer_ax, keepdims=keepdims, initial=0)
        return reductions.min(sums, axis=outer_ax, keepdims=keepdims)
    if ord in ("nuc", 2, -2):
        s = svd(manipulation.moveaxis(x, axis, (-2, -1)), compute_uv=False)
        if ord == 2:
            y = reductions.max(s, axis=-1, initial=0)
        elif ord == -2:
            y = reductions.min(s, axis=-1)
        else:
            y = reductions.sum(s, axis=-1)
        return manipulation.expand_dims(y, axis) if keepdims else y
    raise ValueError(f"Invalid order '{ord}' for matrix norm.")


def norm(x: Any, ord: int | str | None = None, axis: None | tuple[int, ...] | int = None,
         keepdims: bool = False) -> Array:
    """Vector norm (one axis) or matrix norm (two axes); Frobenius/2-norm of everything by
    default."""
    check_arraylike("jnp.linalg.norm", x)
    (x,) = promote_args_inexact("jnp.linalg.norm", x)
    if axis is None:
        if ord is None:
            return ufuncs.sqrt(_abs2_sum(x, None, keepdims))
        axes = tuple(range(x.ndim))
    elif isinstance(axis, tuple):
        axes = tuple(canonicalize_axis(a, x.ndim) for a in axis)
    else:
        axes = (canonicalize_axis(axis, x.ndim),)
    if len(axes) == 1:
        return vector_norm(x, ord=2 if ord is None else ord, axis=axes, keepdims=keepdims)
    if len(axes) == 2:
        return _matrix_norm(x, ord, axes, keepdims)
    raise ValueError(f"Improper number of axes for norm: axis={axis}. Pass one axis to "
                     f"compute a vector-norm, or two axes to compute a matrix-norm.")


def matrix_norm(x: Any, /, *, keepdims: bool = False, ord: str | int = "fro") -> Array:
    """Matrix norm of the trailing two axes."""
    return norm(x, ord=ord, keepdims=keepdims, axis=(-2, -1))


# --- rank, condition number, pseudo-inverse, least squares ----------------------------------

def matrix_rank(M: Any, rtol: Any = None, *, hermitian: bool = False, tol: Any = None) -> Array:
    """Number of singular values above ``rtol * max(s)`` (default ``max(m, n) * eps``)."""
    check_arraylike("jnp.linalg.matrix_rank", M)
    if tol is not None:
        if rtol is not None:
            raise ValueError("matrix_rank: only one of tol or rtol may be specified.")
        rtol = tol
    (M,) = promote_args_inexact("jnp.linalg.matrix_rank", M)
    if M.ndim < 2:
        return convert(reductions.any(ufuncs.not_equal(M, 0)), dtypes.int32)
    s = svd(M, full_matrices=False, compute_uv=False, hermitian=hermitian)
    if rtol is None:
        eps = float(np.finfo(s.dtype).eps)
        rtol = ufuncs.multiply(reductions.max(s, axis=-1), max(M.shape[-2:]) * eps)
    rtol = asarray(rtol)
    rtol = manipulation.expand_dims(rtol, rtol.ndim)
    return reductions.sum(ufuncs.greater(s, rtol), axis=-1)


def cond(x: Any, p: Any = None) -> Array:
    """Condition number in the ``p`` norm (2-norm by default, from singular values)."""
    check_arraylike("cond", x)
    arr = asarray(x)
    if arr.ndim < 2:
        raise ValueError(f"jnp.linalg.cond: input array must be at least 2D; got "
                         f"arr.shape={arr.shape}")
    if arr.shape[-1] == 0 or arr.shape[-2] == 0:
        raise ValueError(f"jnp.linalg.cond: input array must not be empty; got "
                         f"arr.shape={arr.shape}")
    if p is None or p == 2:
        s = svdvals(arr)
        return ufuncs.divide(_at_last(s, 0),
                             _at_last(s, -1))
    if p == -2:
        s = svdvals(arr)
        r = ufuncs.divide(_at_last(s, -1), _at_last(s, 0))
    else:
        if arr.shape[-2] != arr.shape[-1]:
            raise ValueError(f"jnp.linalg.cond: for p={p}, array must be square; got "
                             f"arr.shape={arr.shape}")
        r = ufuncs.multiply(norm(arr, ord=p, axis=(-2, -1)),
                            norm(inv(arr), ord=p, axis=(-2, -1)))
    # NaN from a singular matrix means an infinite condition number (not NaN input).
    nan_in = reductions.any(ufuncs.isnan(arr), axis=(-2, -1))
    return ufuncs.where(ufuncs.logical_and(ufuncs.isnan(r), ufuncs.logical_not(nan_in)),
                        np.inf, r)


def pinv(a: Any, rtol: Any = None, hermitian: bool = False, *, rcond: Any = None) -> Array:
    """Moore-Penrose pseudo-inverse via the SVD (singular values below ``rtol * s_max``
    are dropped; default ``rtol = 10 * max(m, n) * eps``)."""
    if rcond is not None:
        if rtol is not None:
            raise ValueError("pinv: only one of rtol and rcond may be specified.")
        rtol = rcond
    check_arraylike("jnp.linalg.pinv", a)
    (arr,) = promote_args_inexact("jnp.linalg.pinv", a)
    m, n = arr.shape[-2:]
    if m == 0 or n == 0:
        return manipulation.broadcast_to(convert(asarray(0), arr.dtype),
                                         arr.shape[:-2] + (n, m))
    arr = ufuncs.conj(arr)
    if rtol is None:
        rtol = 10.0 * max(m, n) * float(np.finfo(arr.dtype).eps)
    rtol = asarray(rtol)
    u, s, vh = svd(arr, full_matrices=False, hermitian=hermitian)
    rtol = manipulation.expand_dims(manipulation.expand_dims(rtol, -1),
                                    tuple(range(s.ndim - rtol.ndim - 1)))
    first = st.slice_p.bind(s, start_indices=(0,) * s.ndim,
                            limit_indices=s.shape[:-1] + (min(1, s.shape[-1]),))
    cutoff = ufuncs.multiply(rtol, first)
    s = convert(ufuncs.where(ufuncs.greater(s, cutoff), s, np.inf), u.dtype)
    res = products.matmul(_mT(vh), ufuncs.divide(_mT(u), manipulation.expand_dims(s, -1)))
    return convert(res, arr.dtype)


def lstsq(a: Any, b: Any, rcond: float | None = None, *,
          numpy_resid: bool = False) -> tuple[Array, Array, Array, Array]:
    """Least-squares solution of ``a x = b`` via the SVD: ``(x, residuals, rank, s)``."""
    check_arraylike("jnp.linalg.lstsq", a, b)
    a, b = promote_args_inexact("jnp.linalg.lstsq", a, b)
    if a.shape[0] != b.shape[0]:
        raise ValueError("Leading dimensions of input arrays must match")
    b_ndim = b.ndim
    if b_ndim == 1:
        b = manipulation.expand_dims(b, 1)
    if a.ndim != 2:
        raise TypeError(f"{a.ndim}-dimensional array given. Array must be two-dimensional")
    if b.ndim != 2:
        raise TypeError(f"{b.ndim}-dimensional array given. Array must be one or "
                        f"two-dimensional")
    m, n = a.shape
    real = np.dtype(np.finfo(a.dtype).dtype)
    if a.size == 0:
        s = manipulation.broadcast_to(convert(asarray(0), real), (0,))
        rank = convert(asarray(0), dtypes.default_int_dtype())
        x = manipulation.broadcast_to(convert(asarray(0), a.dtype), (n,) + b.shape[1:])
    else:
        eps = float(np.finfo(a.dtype).eps)
        rc = eps * max(n, m) if rcond is None else ufuncs.where(ufuncs.less(rcond, 0), eps,
                                                                 rcond)
        u, s, vt = svd(a, full_matrices=False)
        s0 = _at_last(s, 0)
        mask = ufuncs.logical_and(ufuncs.greater(s, 0),
                                  ufuncs.greater_equal(s, ufuncs.multiply(
                                      convert(asarray(rc), real), s0)))
        rank = reductions.sum(mask)
        safe_s = convert(ufuncs.where(mask, s, 1), a.dtype)
        s_inv = manipulation.expand_dims(ufuncs.where(mask, ufuncs.divide(1, safe_s), 0), 1)
        utb = products.matmul(ufuncs.conj(_mT(u)), b)
        x = products.matmul(ufuncs.conj(_mT(vt)), ufuncs.multiply(s_inv, utb))
    if numpy_resid and (int(rank) < n or m <= n):
        resid = manipulation.broadcast_to(convert(asarray(0), real), (0,))
    else:
        estimate = products.matmul(a, x)
        resid = ufuncs.power(norm(ufuncs.subtract(b, estimate), axis=0), 2)
    if b_ndim == 1:
        x = manipulation.ravel(x)
    return x, resid, rank, s


# --- products and aliases with the array-API signatures ---------------------------------------

def multi_dot(arrays: Sequence[Any], *, precision: Any = None) -> Array:
    """Chained matrix product, contracted in a cheap order (1-d ends allowed)."""
    check_arraylike("jnp.linalg.multi_dot", *arrays)
    arrs = [asarray(a) for a in arrays]
    if len(arrs) < 2:
        raise ValueError(f"multi_dot requires at least two arrays; got "
                         f"len(arrays)={len(arrs)}")
    if not (arrs[0].ndim in (1, 2) and arrs[-1].ndim in (1, 2)
            and all(a.ndim == 2 for a in arrs[1:-1])):
        raise ValueError(f"multi_dot: input arrays must all be two-dimensional, except for "
                         f"the first and last array which may be 1 or 2 dimensional. Got "
                         f"array shapes {[a.shape for a in arrs]}")
    if any(a.shape[-1] != b.shape[0] for a, b in itertools.pairwise(arrs)):
        raise ValueError(f"multi_dot: last dimension of each array must match first "
                         f"dimension of following array. Got array shapes "
                         f"{[a.shape for a in arrs]}")
    axes: list[list[int]] = [[i, i + 1] for i in range(len(arrs))]
    if arrs[0].ndim == 1:
        axes[0] = axes[0][1:]
    if arrs[-1].ndim == 1:
        axes[-1] = axes[-1][:1]
    args: list[Any] = []
    for arr, ax in zip(arrs, axes):
        args += [arr, ax]
    return einsum(*args, precision=precision)


def outer(x1: Any, x2: Any, /) -> Array:
    """Outer product of two 1-d arrays."""
    check_arraylike("jnp.linalg.outer", x1, x2)
    x1, x2 = asarray(x1), asarray(x2)
    if x1.ndim != 1 or x2.ndim != 1:
        raise ValueError(f"Input arrays must be one-dimensional, but they are "
                         f"x1.ndim={x1.ndim} x2.ndim={x2.ndim}")
    return products.outer(x1, x2)


def cross(x1: Any, x2: Any, /, *, axis: int = -1) -> Array:
    """Cross product of 3-vectors along ``axis``."""
    check_arraylike("jnp.linalg.cross", x1, x2)
    x1, x2 = asarray(x1), asarray(x2)
    if x1.shape[axis] != 3 or x2.shape[axis] != 3:
        raise ValueError(f"Both input arrays must be (arrays of) 3-dimensional vectors, but "
                         f"they have x1.shape[axis]={x1.shape[axis]} and "
                         f"x2.shape[axis]={x2.shape[axis]}")
    return products.cross(x1, x2, axis=axis)


def vecdot(x1: Any, x2: Any, /, *, axis: int = -1, precision: Any = None,
           preferred_element_type: Any = None) -> Array:
    """Vector dot product along ``axis`` (``jnp.vecdot``)."""
    return products.vecdot(x1, x2, axis=axis, precision=precision,
                           preferred_element_type=preferred_element_type)


def matmul(x1: Any, x2: Any, /, *, precision: Any = None,
           preferred_element_type: Any = None) -> Array:
    """Matrix product (``jnp.matmul``)."""
    return products.matmul(x1, x2, precision=precision,
                           preferred_element_type=preferred_element_type)


def tensordot(x1: Any, x2: Any, /, *, axes: Any = 2, precision: Any = None,
              preferred_element_type: Any = None) -> Array:
    """Tensor contraction (``jnp.tensordot``)."""
    return products.tensordot(x1, x2, axes=axes, precision=precision,
                              preferred_element_type=preferred_element_type)


def matrix_transpose(x: Any, /) -> Array:
    """Swap the last two axes."""
    return manipulation.matrix_transpose(x)


def diagonal(x: Any, /, *, offset: int = 0) -> Array:
    """Diagonals of the trailing matrices."""
    return manipulation.diagonal(x, offset=offset, axis1=-2, axis2=-1)


def trace(x: Any, /, *, offset: int = 0, dtype: Any = None) -> Array:
    """Traces of the trailing matrices."""
    return manipulation.trace(x, offset=offset, axis1=-2, axis2=-1, dtype=dtype)
