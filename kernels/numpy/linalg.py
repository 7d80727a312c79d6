"""``axc.numpy.linalg``: decompositions, solves and determinants over the linalg primitives.

Each function follows ``jax.numpy.linalg``: integer inputs promote to the default float
type, leading dimensions are batch dimensions, and failures are values (NaN factors,
infinite solutions) rather than exceptions. Norms, ranks, pseudo-inverses, least
squares and the array-API aliases live in ``linalg_derived`` and are re-exported here.
"""
from __future__ import annotations

import operator
from typing import Any, NamedTuple

import numpy as np

from ...runtime import dtypes
from ...runtime.array import Array
from .. import linalg as lin
from .. import structural as st
from ..shapes import broadcast_shapes
from . import creation, manipulation, products, reductions, sorting, ufuncs
from .index_funcs import take_along_axis
from .promote import asarray, check_arraylike, convert, promote_args_inexact

__all__ = [
    "EighResult", "QRResult", "SVDResult", "SlogdetResult", "cholesky", "det", "eigh",
    "eigvalsh", "inv", "matrix_power", "qr", "slogdet", "solve", "svd", "svdvals",
    "tensorinv", "tensorsolve",
]


class EighResult(NamedTuple):
    eigenvalues: Array
    eigenvectors: Array


class QRResult(NamedTuple):
    Q: Array
    R: Array


class SVDResult(NamedTuple):
    U: Array
    S: Array
    Vh: Array


class SlogdetResult(NamedTuple):
    sign: Array
    logabsdet: Array


# --- helpers --------------------------------------------------------------------------------

def _inexact(name: str, a: Any) -> Array:
    check_arraylike(name, a)
    (a,) = promote_args_inexact(name, a)
    return a


def _T(x: Array) -> Array:
    perm = tuple(range(x.ndim - 2)) + (x.ndim - 1, x.ndim - 2)
    return st.transpose_p.bind(x, permutation=perm)


def _H(x: Array) -> Array:
    return ufuncs.conj(_T(x))


def _symmetrize(x: Array) -> Array:
    return ufuncs.divide(ufuncs.add(x, _H(x)), 2)


def _entry(a: Array, i: int, j: int) -> Array:
    """``a[..., i, j]``."""
    start = (0,) * (a.ndim - 2) + (i, j)
    limit = a.shape[:-2] + (i + 1, j + 1)
    piece = st.slice_p.bind(a, start_indices=start, limit_indices=limit)
    return st.squeeze_p.bind(piece, dimensions=(a.ndim - 2, a.ndim - 1))


# --- factorisations -------------------------------------------------------------------------

def cholesky(a: Any, *, upper: bool = False, symmetrize_input: bool = True) -> Array:
    """Cholesky factor ``L`` (``a = L L^H``), or ``U = L^H`` with ``upper=True``.

    A matrix that is not positive definite gives a NaN factor.
    """
    a = _inexact("jnp.linalg.cholesky", a)
    low = lin.cholesky_p.bind(_symmetrize(a) if symmetrize_input else a)
    return _H(low) if upper else low


def qr(a: Any, mode: str = "reduced") -> Array | QRResult:
    """QR decomposition; ``mode`` is ``reduced``, ``complete`` or ``r``."""
    a = _inexact("jnp.linalg.qr", a)
    if mode == "raw":
        raise NotImplementedError("jnp.linalg.qr(mode='raw') needs Householder data "
                                  "(geqrf), which axc does not provide")
    if mode in ("reduced", "r", "full"):
        full_matrices = False
    elif mode == "complete":
        full_matrices = True
    else:
        raise ValueError(f"Unsupported QR decomposition mode '{mode}'")
    q, r = lin.qr_p.bind(a, full_matrices=full_matrices)
    return r if mode == "r" else QRResult(q, r)


def svd(a: Any, full_matrices: bool = True, compute_uv: bool = True, hermitian: bool = False,
        subset_by_index: tuple[int, int] | None = None) -> Array | SVDResult:
    """Singular value decomposition ``a = U diag(S) Vh`` (``S`` descending)."""
    a = _inexact("jnp.linalg.svd", a)
    if subset_by_index is not None:
        raise NotImplementedError("svd(subset_by_index=...) is not supported by axc")
    if hermitian:
        return _svd_hermitian(a, compute_uv)
    if compute_uv:
        s, u, vh = lin.svd_p.bind(a, full_matrices=full_matrices, compute_uv=True)
        return SVDResult(u, s, vh)
    (s,) = lin.svd_p.bind(a, full_matrices=full_matrices, compute_uv=False)
    return s


def _svd_hermitian(a: Array, compute_uv: bool) -> Array | SVDResult:
    # As jnp.linalg.svd: singular values are |eigenvalues|, sorted descending (a stable
    # ascending sort, reversed), and the eigenvalue signs move into Vh.
    v, w = lin.eigh_p.bind(_symmetrize(a), lower=True)
    s = ufuncs.abs(w)
    last = s.ndim - 1
    if not compute_uv:
        return st.rev_p.bind(sorting.sort(s, axis=-1), dimensions=(last,))
    idx = st.iota_p.bind(dtype=dtypes.int32, shape=s.shape, dimension=last)
    s, idx, sign = sorting.sort_along((s, idx, ufuncs.sign(w)), axis=last, num_keys=1)
    s, idx, sign = (st.rev_p.bind(t, dimensions=(last,)) for t in (s, idx, sign))
    u = take_along_axis(v, manipulation.expand_dims(idx, -2), axis=-1)
    vh = _H(ufuncs.multiply(u, convert(manipulation.expand_dims(sign, -2), u.dtype)))
    return SVDResult(u, s, vh)


def svdvals(x: Any, /) -> Array:
    """Singular values, descending."""
    return svd(x, compute_uv=False)


def eigh(a: Any, UPLO: str | None = None, symmetrize_input: bool = True) -> EighResult:
    """Eigenvalues (ascending) and eigenvectors (columns) of a Hermitian matrix."""
    check_arraylike("jnp.linalg.eigh", a)
    if UPLO is None or UPLO == "L":
        lower = True
    elif UPLO == "U":
        lower = False
    else:
        raise ValueError(f"UPLO must be one of None, 'L', or 'U', got {UPLO}")
    a = _inexact("jnp.linalg.eigh", a)
    v, w = lin.eigh_p.bind(_symmetrize(a) if symmetrize_input else a, lower=lower)
    return EighResult(w, v)


def eigvalsh(a: Any, UPLO: str | None = "L", *, symmetrize_input: bool = True) -> Array:
    """Eigenvalues of a Hermitian matrix, ascending."""
    return eigh(a, UPLO, symmetrize_input=symmetrize_input).eigenvalues


# --- solves and determinants ----------------------------------------------------------------

def _lu_solve(a: Array, b: Array) -> Array:
    """Solve ``a x = b`` for batched square ``a`` and matrix ``b`` of equal batch shape."""
    lu, _, perm = lin.lu_p.bind(a)
    rows = manipulation.expand_dims(perm, -1)
    x = take_along_axis(b, rows, axis=-2)
    x = lin.triangular_solve_p.bind(lu, x, left_side=True, lower=True, unit_diagonal=True)
    return lin.triangular_solve_p.bind(lu, x, left_side=True, lower=False)


def solve(a: Any, b: Any) -> Array:
    """Solve ``a x = b``; ``b`` is a vector ``(..., m)`` only when 1-d, else ``(..., m, n)``.

    Batch dimensions broadcast. A singular ``a`` gives infinities or NaNs, as in JAX.
    """
    check_arraylike("jnp.linalg.solve", a, b)
    a, b = promote_args_inexact("jnp.linalg.solve", a, b)
    if a.ndim < 2:
        raise ValueError(f"left hand array must be at least two dimensional; got "
                         f"a.shape={a.shape}")
    if b.ndim > 1 and a.ndim == b.ndim + 1 and a.shape[-1] == b.shape[-1] and \
            a.shape[-1] != b.shape[-2]:
        raise ValueError(f"Invalid shapes for solve: {a.shape}, {b.shape}. Prior to JAX "
                         f"v0.5.0, this would have been treated as a batched 1-dimensional "
                         f"solve. To recover this behavior, use solve(a, b[..., None])."
                         f"squeeze(-1).")
    if a.shape[-1] != a.shape[-2]:
        raise ValueError(f"solve requires a square matrix a, got a.shape={a.shape}")
    vector = b.ndim == 1
    if vector:
        b = manipulation.expand_dims(b, -1)
    if b.shape[-2] != a.shape[-1]:
        raise ValueError(f"solve: the last dimension of a ({a.shape[-1]}) must match the "
                         f"{'only' if vector else 'second-to-last'} dimension of b "
                         f"({b.shape[-2]})")
    batch = broadcast_shapes(a.shape[:-2], b.shape[:-2], op="jnp.linalg.solve")
    a = manipulation.broadcast_to(a, batch + a.shape[-2:])
    b = manipulation.broadcast_to(b, batch + b.shape[-2:])
    x = _lu_solve(a, b)
    return st.squeeze_p.bind(x, dimensions=(x.ndim - 1,)) if vector else x


def inv(a: Any) -> Array:
    """Matrix inverse (infinities or NaNs for a singular matrix, as in JAX)."""
    check_arraylike("jnp.linalg.inv", a)
    arr = asarray(a)
    if arr.ndim < 2 or arr.shape[-1] != arr.shape[-2]:
        raise ValueError(f"Argument to inv must have shape [..., n, n], got {arr.shape}.")
    (arr,) = promote_args_inexact("jnp.linalg.inv", arr)
    eye = manipulation.broadcast_to(creation.eye(arr.shape[-1], dtype=arr.dtype), arr.shape)
    return _lu_solve(arr, eye)


def _slogdet_lu(a: Array) -> tuple[Array, Array]:
    lu, pivots, _ = lin.lu_p.bind(a)
    diag = manipulation.diagonal(lu, axis1=-2, axis2=-1)
    zero = convert(asarray(0), a.dtype)
    is_zero = reductions.any(ufuncs.equal(diag, zero), axis=-1)
    iota = st.iota_p.bind(dtype=pivots.dtype, shape=pivots.shape, dimension=pivots.ndim - 1)
    parity = reductions.count_nonzero(ufuncs.not_equal(pivots, iota), axis=-1)
    if a.dtype.kind == "c":
        unit = ufuncs.divide(diag, convert(ufuncs.abs(diag), diag.dtype))
        sign = reductions.prod(unit, axis=-1)
    else:
        sign = convert(asarray(1), a.dtype)
        parity = ufuncs.add(parity, reductions.count_nonzero(ufuncs.less(diag, zero), axis=-1))
    flip = convert(ufuncs.subtract(1, ufuncs.multiply(2, ufuncs.remainder(parity, 2))),
                   a.dtype)
    sign = ufuncs.where(is_zero, zero, ufuncs.multiply(sign, flip))
    logs = convert(ufuncs.log(ufuncs.abs(diag)), a.dtype)
    minus_inf = convert(asarray(-np.inf), a.dtype)
    logdet = ufuncs.where(is_zero, minus_inf, reductions.sum(logs, axis=-1))
    return sign, ufuncs.real(logdet)


def _det_small(a: Array) -> Array:
    """Closed-form determinants of 1x1, 2x2 and 3x3 matrices (JAX's formulas and order)."""
    n = a.shape[-1]
    e = {(i, j): _entry(a, i, j) for i in range(n) for j in range(n)}
    mul, sub, add = ufuncs.multiply, ufuncs.subtract, ufuncs.add
    if n == 1:
        return e[0, 0]
    if n == 2:
        return sub(mul(e[0, 0], e[1, 1]), mul(e[0, 1], e[1, 0]))
    terms = [((0, 0), (1, 1), (2, 2)), ((0, 1), (1, 2), (2, 0)), ((0, 2), (1, 0), (2, 1)),
             ((0, 2), (1, 1), (2, 0)), ((0, 0), (1, 2), (2, 1)), ((0, 1), (1, 0), (2, 2))]
    prods = [mul(mul(e[p], e[q]), e[r]) for p, q, r in terms]
    return sub(sub(sub(add(add(prods[0], prods[1]), prods[2]), prods[3]), prods[4]),
               prods[5])


def slogdet(a: Any, *, method: str | None = None) -> SlogdetResult:
    """Sign and natural log of the absolute determinant."""
    a = _inexact("jnp.linalg.slogdet", a)
    if a.ndim < 2 or a.shape[-1] != a.shape[-2]:
        raise ValueError(f"Argument to slogdet() must have shape [..., n, n], got {a.shape}")
    if method not in (None, "lu"):
        if method == "qr":
            raise NotImplementedError("slogdet(method='qr') is not supported by axc")
        raise ValueError(f"Unknown slogdet method '{method}'. Supported methods are 'lu' "
                         f"(`None`), and 'qr'.")
    if a.shape[-1] in (1, 2):
        d = _det_small(a)
        return SlogdetResult(ufuncs.sign(d), ufuncs.real(ufuncs.log(ufuncs.abs(d))))
    return SlogdetResult(*_slogdet_lu(a))


def det(a: Any) -> Array:
    """Determinant (closed forms up to 3x3, LU beyond)."""
    a = _inexact("jnp.linalg.det", a)
    if a.ndim < 2 or a.shape[-1] != a.shape[-2]:
        raise ValueError(f"Argument to _det() must have shape [..., n, n], got {a.shape}")
    if a.shape[-1] in (2, 3):
        return _det_small(a)
    sign, logdet = _slogdet_lu(a)
    return ufuncs.multiply(sign, convert(ufuncs.exp(logdet), sign.dtype))


def matrix_power(a: Any, n: int) -> Array:
    """``a`` raised to the integer power ``n`` by repeated squaring (``n < 0`` inverts)."""
    check_arraylike("jnp.linalg.matrix_power", a)
    arr = asarray(a)
    if arr.ndim < 2:
        raise TypeError(f"{arr.ndim}-dimensional array given. Array must be at least "
                        f"two-dimensional")
    if arr.shape[-2] != arr.shape[-1]:
        raise TypeError("Last 2 dimensions of the array must be square")
    try:
        n = operator.index(n)
    except TypeError as err:
        raise TypeError(f"exponent must be an integer, got {n}") from err
    if n == 0:
        return manipulation.broadcast_to(creation.eye(arr.shape[-2], dtype=arr.dtype),
                                         arr.shape)
    if n < 0:
        arr, n = inv(arr), -n
    if n == 1:
        return arr
    if n == 2:
        return products.matmul(arr, arr)
    if n == 3:
        return products.matmul(products.matmul(arr, arr), arr)
    z = result = None
    while n > 0:
        z = arr if z is None else products.matmul(z, z)
        n, bit = divmod(n, 2)
        if bit:
            result = z if result is None else products.matmul(result, z)
    return result


def tensorinv(a: Any, ind: int = 2) -> Array:
    """Inverse of an N-d array seen as a matrix over its first ``ind`` axes."""
    check_arraylike("tensorinv", a)
    arr = asarray(a)
    ind = operator.index(ind)
    if ind <= 0:
        raise ValueError(f"ind must be a positive integer; got ind={ind}")
    head, tail = arr.shape[:ind], arr.shape[ind:]
    rows, cols = int(np.prod(head, dtype=np.int64)), int(np.prod(tail, dtype=np.int64))
    if rows != cols:
        raise ValueError(f"tensorinv is only possible when the product of the first `ind` "
                         f"dimensions equals that of the remaining dimensions. got "
                         f"arr.shape={arr.shape} with ind={ind}.")
    out = inv(manipulation.reshape(arr, (rows, cols)))
    return manipulation.reshape(out, tail + head)


def tensorsolve(a: Any, b: Any, axes: tuple[int, ...] | None = None) -> Array:
    """Solve the tensor equation ``tensordot(a, x, x.ndim) = b`` for ``x``."""
    check_arraylike("tensorsolve", a, b)
    a_arr, b_arr = asarray(a), asarray(b)
    if axes is not None:
        a_arr = manipulation.moveaxis(a_arr, axes, len(axes) * (a_arr.ndim - 1,))
    out_shape = a_arr.shape[b_arr.ndim:]
    if a_arr.shape[:b_arr.ndim] != b_arr.shape:
        raise ValueError(f"After moving axes to end, leading shape of a must match shape of "
                         f"b. got a.shape={a_arr.shape}, b.shape={b_arr.shape}")
    n = int(np.prod(out_shape, dtype=np.int64))
    if b_arr.size != n:
        raise ValueError(f"Input arrays must have prod(a.shape[:b.ndim]) == "
                         f"prod(a.shape[b.ndim:]); got a.shape={a_arr.shape}, "
                         f"b.ndim={b_arr.ndim}.")
    x = solve(manipulation.reshape(a_arr, (b_arr.size, n)), manipulation.ravel(b_arr))
    return manipulation.reshape(x, out_shape)


# Imported last: linalg_derived builds on the solves and factorisations above.
from .linalg_derived import (
    cond,
    cross,
    diagonal,
    lstsq,
    matmul,
    matrix_norm,
    matrix_rank,
    matrix_transpose,
    multi_dot,
    norm,
    outer,
    pinv,
    tensordot,
    trace,
    vecdot,
    vector_norm,
)

__all__ += ["cond", "cross", "diagonal", "lstsq", "matmul", "matrix_norm", "matrix_rank",
            "matrix_transpose", "multi_dot", "norm", "outer", "pinv", "tensordot", "trace",
            "vecdot", "vector_norm"]
