"""Linear-algebra primitives: ``dot_general`` and the matrix factorisations and solves.

Every primitive here works on a batch of matrices in the two trailing dimensions, as
``jax.lax.linalg`` does, and keeps its input dtype. NumPy's LAPACK wrappers compute in
double precision and we round back to the input type; the factorisations NumPy lacks (LU,
triangular solves) are written here as column loops vectorised over the batch. Failures
are values, not exceptions, as in XLA: a matrix that is not positive definite gives a NaN
Cholesky factor and a singular one gives infinities in a solve.
"""
from __future__ import annotations

import functools
import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from ..runtime import dtypes
from ..runtime.abstract import ShapedArray
from .quiet import quiet
from .registry import Primitive, never_weak

LINALG_DTYPES = (dtypes.float32, dtypes.float64, dtypes.complex64, dtypes.complex128)

DimensionNumbers = tuple[tuple[tuple[int, ...], tuple[int, ...]],
                         tuple[tuple[int, ...], tuple[int, ...]]]


# --- dot_general ----------------------------------------------------------------------------

def canonical_dimension_numbers(dimension_numbers: Any) -> DimensionNumbers:
    """``((lhs_contract, rhs_contract), (lhs_batch, rhs_batch))`` as tuples of ints."""
    try:
        return _canonical_cached(dimension_numbers)
    except TypeError:  # unhashable (lists): convert without the cache
        return _canonical(dimension_numbers)


@functools.lru_cache(maxsize=1024)
def _canonical_cached(dimension_numbers: Any) -> DimensionNumbers:
    return _canonical(dimension_numbers)


def _canonical(dimension_numbers: Any) -> DimensionNumbers:
    try:
        (lc, rc), (lb, rb) = dimension_numbers
        return ((tuple(int(d) for d in lc), tuple(int(d) for d in rc)),
                (tuple(int(d) for d in lb), tuple(int(d) for d in rb)))
    except (TypeError, ValueError):
        raise TypeError("dot_general requires dimension_numbers of the form "
                        "((lhs_contracting, rhs_contracting), (lhs_batch, rhs_batch)), got "
                        f"{dimension_numbers!r}") from None


def _type_properties(dt: np.dtype) -> tuple:
    """XLA's ``HigherPrecisionType`` order: complex, exponent range, mantissa, width, sign."""
    real = np.dtype(np.finfo(dt).dtype) if dt.kind == "c" else dt
    floating = dtypes.is_float(real)
    info = dtypes.finfo(real) if floating else None
    if floating:
        width = info.bits
    elif real.kind in "iu":
        width = np.iinfo(real).bits
    else:
        width = 1
    return (dt.kind == "c", int(info.maxexp) if floating else -1,
            int(info.nmant) if floating else -1, width, real.kind != "u")


@functools.lru_cache(maxsize=512)
def _dot_result_dtype(lhs: np.dtype, rhs: np.dtype, preferred: Any) -> np.dtype:
    lp, rp = _type_properties(lhs), _type_properties(rhs)
    if lp > rp:
        out = lhs
    elif rp > lp:
        out = rhs
    elif lhs != rhs:
        raise TypeError(f"lax.dot_general argument type error: {lhs}, {rhs}")
    else:
        out = lhs
    if preferred is None or np.dtype(preferred) == out:
        return out
    preferred = np.dtype(preferred)
    if not dtypes.is_float(out) and _type_properties(preferred)[3] < _type_properties(out)[3]:
        raise TypeError("`preferred_element_type` must not be narrower than the original "
                        f"type, got preferred_element_type of {preferred} for result type "
                        f"of {out}.")
    return preferred


def _check_dims(side: str, dims: Sequence[int], ndim: int, batch, contract) -> None:
    if not all(0 <= d < ndim for d in dims):
        raise TypeError(f"dot_general requires {side} dimension numbers to be nonnegative "
                        f"and less than the number of axes of the {side} value, got "
                        f"{side}_batch of {batch} and {side}_contracting of {contract} for "
                        f"{side} of rank {ndim}")


@functools.lru_cache(maxsize=2048)
def dot_general_shape(lhs: tuple[int, ...], rhs: tuple[int, ...],
                      dims: DimensionNumbers) -> tuple[int, ...]:
    """The output shape (batch, lhs free, rhs free), or JAX's TypeError for bad dims."""
    (lc, rc), (lb, rb) = dims
    _check_dims("lhs", lc + lb, len(lhs), lb, lc)
    _check_dims("rhs", rc + rb, len(rhs), rb, rc)
    if len(lb) != len(rb):
        raise TypeError("dot_general requires equal numbers of lhs_batch and rhs_batch "
                        f"dimensions, got lhs_batch {lb} and rhs_batch {rb}.")
    for side, batch, contract in (("lhs", lb, lc), ("rhs", rb, rc)):
        if len(set(batch)) != len(batch):
            raise TypeError(f"dot_general requires {side} batch dimensions to be distinct, "
                            f"got {side}_batch {batch}.")
        if len(set(contract)) != len(contract):
            raise TypeError(f"dot_general requires {side} contracting dimensions to be "
                            f"distinct, got {side}_contracting {contract}.")
        if set(batch) & set(contract):
            raise TypeError(f"dot_general requires {side} batch dimensions to be disjoint "
                            f"from contracting dimensions, got {side}_batch {batch} and "
                            f"{side}_contracting {contract}.")
    lbs, rbs = tuple(lhs[d] for d in lb), tuple(rhs[d] for d in rb)
    if lbs != rbs:
        raise TypeError("dot_general requires lhs batch dimensions and rhs batch dimensions "
                        f"to have the same shape, got {lbs} and {rbs}.")
    lcs, rcs = tuple(lhs[d] for d in lc), tuple(rhs[d] for d in rc)
    if lcs != rcs:
        raise TypeError("dot_general requires contracting dimensions to have the same "
                        f"shape, got {lcs} and {rcs}.")
    lfree = tuple(n for i, n in enumerate(lhs) if i not in lc + lb)
    rfree = tuple(n for i, n in enumerate(rhs) if i not in rc + rb)
    return lbs + lfree + rfree


def _dot_general_rule(lhs: ShapedArray, rhs: ShapedArray, *, dimension_numbers: Any,
                      precision: Any = None, preferred_element_type: Any = None) -> ShapedArray:
    dims = canonical_dimension_numbers(dimension_numbers)
    shape = dot_general_shape(tuple(lhs.shape), tuple(rhs.shape), dims)
    for a in (lhs, rhs):
        dtypes.check_supported(a.dtype)
    out_dt = _dot_result_dtype(lhs.dtype, rhs.dtype, preferred_element_type)
    return ShapedArray(shape, out_dt, lhs.weak_type and rhs.weak_type)


def _compute_dtype(dt: np.dtype) -> np.dtype:
    # NumPy has no BLAS for half types (and ml_dtypes' bfloat16 matmul returns float32):
    # accumulate in float32 and round once, as XLA's CPU backend does.
    return dtypes.float32 if dt in (dtypes.float16, dtypes.bfloat16) else dt


@quiet
def _dot_general(lhs: np.ndarray, rhs: np.ndarray, *, dimension_numbers: Any,
                 precision: Any = None, preferred_element_type: Any = None) -> np.ndarray:
    dims = canonical_dimension_numbers(dimension_numbers)
    dot_general_shape(lhs.shape, rhs.shape, dims)  # NumPy would contract mismatched axes
    (lc, rc), (lb, rb) = dims
    out_dt = _dot_result_dtype(lhs.dtype, rhs.dtype, preferred_element_type)
    work = _compute_dtype(out_dt)
    # Casting first keeps integer arithmetic in the result type: int32 products wrap around
    # exactly as XLA's do instead of widening to int64.
    lhs = lhs.astype(work, copy=False)
    rhs = rhs.astype(work, copy=False)
    lfree = [i for i in range(lhs.ndim) if i not in lc + lb]
    rfree = [i for i in range(rhs.ndim) if i not in rc + rb]
    if work.kind in "fc" and not lb and lc == (lhs.ndim - 1,) and \
            rc == ((0,) if rhs.ndim == 1 else (rhs.ndim - 2,)):
        out = np.dot(lhs, rhs)  # jnp.dot's own contraction: NumPy's dot is exactly that
    elif work.kind in "fc":
        out = _dot_via_matmul(lhs, rhs, lc, rc, lb, rb, lfree, rfree)
    else:
        # Integer and boolean products have no BLAS path; einsum's loops are the fastest
        # NumPy has and they accumulate in the operand type.
        out = _dot_via_einsum(lhs, rhs, lc, rc, lb, rb, lfree, rfree)
    return np.asarray(out).astype(out_dt, copy=False)


def _dot_via_matmul(lhs, rhs, lc, rc, lb, rb, lfree, rfree) -> np.ndarray:
    def size(shape, dims):
        return math.prod(shape[d] for d in dims)
    batch_shape = tuple(lhs.shape[d] for d in lb)
    lfree_shape = tuple(lhs.shape[d] for d in lfree)
    rfree_shape = tuple(rhs.shape[d] for d in rfree)
    b, k = size(lhs.shape, lb), size(lhs.shape, lc)
    m, n = size(lhs.shape, lfree), size(rhs.shape, rfree)
    lmat = np.transpose(lhs, list(lb) + lfree + list(lc)).reshape(b, m, k)
    rmat = np.transpose(rhs, list(rb) + list(rc) + rfree).reshape(b, k, n)
    out = np.matmul(lmat, rmat) if b != 1 else np.matmul(lmat[0], rmat[0])
    return out.reshape(batch_shape + lfree_shape + rfree_shape)


def _dot_via_einsum(lhs, rhs, lc, rc, lb, rb, lfree, rfree) -> np.ndarray:
    letters = iter("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")
    lsub = [""] * lhs.ndim
    rsub = [""] * rhs.ndim
    for dl, dr in zip(lb + lc, rb + rc):
        lsub[dl] = rsub[dr] = next(letters)
    for d in lfree:
        lsub[d] = next(letters)
    for d in rfree:
        rsub[d] = next(letters)
    out = [lsub[d] for d in lb] + [lsub[d] for d in lfree] + [rsub[d] for d in rfree]
    spec = f"{''.join(lsub)},{''.join(rsub)}->{''.join(out)}"
    return np.einsum(spec, lhs, rhs, dtype=lhs.dtype)


dot_general_p = Primitive("dot_general", impl=_dot_general, abstract_eval=_dot_general_rule,
                          family="linalg")


# --- shared checks -------------------------------------------------------------------------

def _check_matrix(name: str, a: ShapedArray, square: bool = True) -> None:
    if a.dtype not in LINALG_DTYPES:
        raise TypeError(f"{name} requires a float32, float64, complex64 or complex128 "
                        f"operand, got {a.dtype.name}")
    if a.ndim < 2:
        raise ValueError(f"{name} requires an operand of rank >= 2, got shape {a.shape}")
    if square and a.shape[-1] != a.shape[-2]:
        raise ValueError(f"{name} requires the trailing two dimensions of its operand to be "
                         f"equal (square matrices), got shape {a.shape}")


def _require(a: np.ndarray, square: bool = True) -> None:
    """Cheap eager guard: on failure ``bind`` re-runs the rule for the precise error."""
    if a.dtype not in LINALG_DTYPES or a.ndim < 2 or (square and a.shape[-1] != a.shape[-2]):
        raise TypeError("bad linalg operand")


def _real(dt: np.dtype) -> np.dtype:
    return np.dtype(np.finfo(dt).dtype) if dt.kind == "c" else dt


def _batched(fn, a: np.ndarray, fail_shapes: Sequence[tuple[int, ...]]) -> list[np.ndarray]:
    """Run a NumPy LAPACK call over the batch; a failing matrix yields NaNs, not an error.

    NumPy raises ``LinAlgError`` for the whole batch when one matrix fails, so on error we
    redo the batch one matrix at a time (the rare path) to keep the good ones.
    """
    try:
        out = fn(a)
        return list(out) if isinstance(out, tuple) else [out]
    except np.linalg.LinAlgError:
        pass
    batch = a.shape[:-2]
    flat = a.reshape((int(np.prod(batch, dtype=np.int64)),) + a.shape[-2:])
    pieces = []
    for mat in flat:
        try:
            res = fn(mat)
            res = list(res) if isinstance(res, tuple) else [res]
        except np.linalg.LinAlgError:
            res = [np.full(s, np.nan) for s in fail_shapes]
        pieces.append(res)
    return [np.stack([p[i] for p in pieces]).reshape(batch + pieces[0][i].shape)
            if pieces else np.zeros(batch + fail_shapes[i])
            for i in range(len(fail_shapes))]


# --- cholesky -------------------------------------------------------------------------------

def _cholesky_rule(a: ShapedArray) -> ShapedArray:
    _check_matrix("cholesky", a)
    return ShapedArray(a.shape, a.dtype, False)


@quiet
def _cholesky(a: np.ndarray) -> np.ndarray:
    _require(a)
    n = a.shape[-1]
    (low,) = _batched(np.linalg.cholesky, a, [(n, n)])
    # XLA reports failure as a NaN factor; the strict upper triangle stays zero.
    return np.tril(low).astype(a.dtype, copy=False)


cholesky_p = Primitive("cholesky", impl=_cholesky, abstract_eval=_cholesky_rule,
                       weak_rule=never_weak, eager_kinds="fc", family="linalg")


# --- triangular_solve -----------------------------------------------------------------------

def _triangular_solve_rule(a: ShapedArray, b: ShapedArray, *, left_side: bool = False,
                           lower: bool = False, transpose_a: bool = False,
                           conjugate_a: bool = False,
                           unit_diagonal: bool = False) -> ShapedArray:
    _check_matrix("triangular_solve", a)
    if b.dtype != a.dtype:
        raise TypeError(f"triangular_solve requires both operands to have the same dtype, "
                        f"got {a.dtype.name} and {b.dtype.name}")
    if b.ndim < 2:
        raise ValueError(f"triangular_solve requires b to have rank >= 2, got {b.shape}")
    if a.shape[:-2] != b.shape[:-2]:
        raise TypeError("triangular_solve requires both arguments to have the same number "
                        f"of dimensions and equal batch dimensions, got {a.shape} and "
                        f"{b.shape}.")
    common = b.shape[-2] if left_side else b.shape[-1]
    if a.shape[-1] != common:
        raise TypeError("triangular_solve requires the shared dimension of a and b to "
                        f"match, got shapes {a.shape} and {b.shape} with "
                        f"left_side={left_side}.")
    return ShapedArray(b.shape, b.dtype, False)


def _substitute(m: np.ndarray, b: np.ndarray, lower: bool) -> np.ndarray:
    """Solve ``m @ x = b`` for a batch of lower (or upper) triangular ``m``, by columns."""
    x = b.copy()
    n = m.shape[-1]
    order = range(n) if lower else range(n - 1, -1, -1)
    for i in order:
        xi = x[..., i, :] / m[..., i, i][..., None]
        x[..., i, :] = xi
        rest = slice(i + 1, None) if lower else slice(0, i)
        x[..., rest, :] -= m[..., rest, i][..., :, None] * xi[..., None, :]
    return x


@quiet
def _triangular_solve(a: np.ndarray, b: np.ndarray, *, left_side: bool = False,
                      lower: bool = False, transpose_a: bool = False, conjugate_a: bool = False,
                      unit_diagonal: bool = False) -> np.ndarray:
    common = b.shape[-2] if left_side else b.shape[-1]
    if a.dtype not in LINALG_DTYPES or a.dtype != b.dtype or a.shape[:-2] != b.shape[:-2] \
            or a.shape[-1] != a.shape[-2] or a.shape[-1] != common:
        raise ValueError("bad triangular_solve operands")  # bind reports the rule's error
    tri = np.tril(a) if lower else np.triu(a)
    if unit_diagonal:
        n = a.shape[-1]
        tri = tri.copy()
        tri[..., np.arange(n), np.arange(n)] = 1
    if conjugate_a:
        tri = np.conj(tri)
    if transpose_a:
        tri = np.swapaxes(tri, -1, -2)
        lower = not lower
    if left_side:
        return _substitute(tri, b, lower)
    # x @ A = b  <=>  A^T @ x^T = b^T
    xt = _substitute(np.swapaxes(tri, -1, -2), np.swapaxes(b, -1, -2), not lower)
    return np.swapaxes(xt, -1, -2)


triangular_solve_p = Primitive("triangular_solve", impl=_triangular_solve,
                               abstract_eval=_triangular_solve_rule, weak_rule=never_weak,
                               eager_kinds="fc", family="linalg")


# --- lu -------------------------------------------------------------------------------------

def _lu_rule(a: ShapedArray) -> tuple[ShapedArray, ShapedArray, ShapedArray]:
    _check_matrix("lu", a, square=False)
    batch, (m, n) = a.shape[:-2], a.shape[-2:]
    return (ShapedArray(a.shape, a.dtype, False),
            ShapedArray(batch + (min(m, n),), dtypes.int32, False),
            ShapedArray(batch + (m,), dtypes.int32, False))


@quiet
def _lu(a: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """LU with partial pivoting (LAPACK ``getrf``), vectorised over the batch."""
    _require(a, square=False)
    batch, (m, n) = a.shape[:-2], a.shape[-2:]
    k = min(m, n)
    nb = int(np.prod(batch, dtype=np.int64))
    lu = a.reshape((nb, m, n)).copy()
    rows = np.arange(nb)
    perm = np.broadcast_to(np.arange(m, dtype=np.int32), (nb, m)).copy()
    pivots = np.zeros((nb, k), np.int32)
    for j in range(k):
        col = lu[:, j:, j]
        # LAPACK's i?amax measures complex entries by |re| + |im| and keeps the first max.
        mag = np.abs(col.real) + np.abs(col.imag) if col.dtype.kind == "c" else np.abs(col)
        p = np.argmax(mag, axis=1) + j
        pivots[:, j] = p
        row_j, row_p = lu[rows, j].copy(), lu[rows, p].copy()
        lu[rows, j], lu[rows, p] = row_p, row_j
        perm_j = perm[rows, j].copy()
        perm[rows, j], perm[rows, p] = perm[rows, p], perm_j
        piv = lu[:, j, j]
        # A zero pivot leaves its column unscaled (LAPACK reports it in `info`, XLA ignores).
        safe = np.where(piv == 0, 1, piv)
        lu[:, j + 1:, j] /= safe[:, None]
        lu[:, j + 1:, j + 1:] -= lu[:, j + 1:, j, None] * lu[:, j, None, j + 1:]
    return (lu.reshape(a.shape), pivots.reshape(batch + (k,)), perm.reshape(batch + (m,)))


lu_p = Primitive("lu", impl=_lu, abstract_eval=_lu_rule, weak_rule=never_weak,
                 multiple_results=True, eager_kinds="fc", family="linalg")


# --- qr -------------------------------------------------------------------------------------

def _qr_rule(a: ShapedArray, *, full_matrices: bool = True) -> tuple[ShapedArray, ShapedArray]:
    _check_matrix("qr", a, square=False)
    batch, (m, n) = a.shape[:-2], a.shape[-2:]
    k = m if full_matrices else min(m, n)
    return (ShapedArray(batch + (m, k), a.dtype, False),
            ShapedArray(batch + (k, n), a.dtype, False))


@quiet
def _qr(a: np.ndarray, *, full_matrices: bool = True) -> tuple[np.ndarray, np.ndarray]:
    _require(a, square=False)
    q, r = np.linalg.qr(a, mode="complete" if full_matrices else "reduced")
    return q.astype(a.dtype, copy=False), r.astype(a.dtype, copy=False)


qr_p = Primitive("qr", impl=_qr, abstract_eval=_qr_rule, weak_rule=never_weak,
                 multiple_results=True, eager_kinds="fc", family="linalg")


# --- svd ------------------------------------------------------------------------------------

def _svd_rule(a: ShapedArray, *, full_matrices: bool = True,
              compute_uv: bool = True) -> tuple[ShapedArray, ...]:
    _check_matrix("svd", a, square=False)
    batch, (m, n) = a.shape[:-2], a.shape[-2:]
    k = min(m, n)
    s = ShapedArray(batch + (k,), _real(a.dtype), False)
    if not compute_uv:
        return (s,)
    um, vn = (m, n) if full_matrices else (k, k)
    return (s, ShapedArray(batch + (m, um), a.dtype, False),
            ShapedArray(batch + (vn, n), a.dtype, False))


@quiet
def _svd(a: np.ndarray, *, full_matrices: bool = True,
         compute_uv: bool = True) -> tuple[np.ndarray, ...]:
    _require(a, square=False)
    m, n = a.shape[-2:]
    k = min(m, n)
    if not compute_uv:
        (s,) = _batched(lambda x: np.linalg.svd(x, compute_uv=False), a, [(k,)])
        return (s.astype(_real(a.dtype), copy=False),)
    um, vn = (m, n) if full_matrices else (k, k)
    u, s, vh = _batched(lambda x: tuple(np.linalg.svd(x, full_matrices=full_matrices)), a,
                        [(m, um), (k,), (vn, n)])
    return (s.astype(_real(a.dtype), copy=False), u.astype(a.dtype, copy=False),
            vh.astype(a.dtype, copy=False))


svd_p = Primitive("svd", impl=_svd, abstract_eval=_svd_rule, weak_rule=never_weak,
                  multiple_results=True, eager_kinds="fc", family="linalg")


# --- eigh -----------------------------------------------------------------------------------

def _eigh_rule(a: ShapedArray, *, lower: bool = True) -> tuple[ShapedArray, ShapedArray]:
    _check_matrix("eigh", a)
    return (ShapedArray(a.shape, a.dtype, False),
            ShapedArray(a.shape[:-1], _real(a.dtype), False))


@quiet
def _eigh(a: np.ndarray, *, lower: bool = True) -> tuple[np.ndarray, np.ndarray]:
    _require(a)
    n = a.shape[-1]
    w, v = _batched(lambda x: tuple(np.linalg.eigh(x, UPLO="L" if lower else "U")), a,
                    [(n,), (n, n)])
    # JAX's order: eigenvectors (columns), then eigenvalues in ascending order.
    return v.astype(a.dtype, copy=False), w.astype(_real(a.dtype), copy=False)


eigh_p = Primitive("eigh", impl=_eigh, abstract_eval=_eigh_rule, weak_rule=never_weak,
                   multiple_results=True, eager_kinds="fc", family="linalg")
