"""Linear-algebra primitives: ``dot_general`` and the matrix factorisations and solves.

Every primitive here works on a batch of matrices in the two trailing dimensions, as
``jax.lax.linalg`` does, and keeps its input dtype. NumPy's LAPACK wrappers compute in
double precision and we round back to the input type; the factorisations NumPy lacks (LU,
triangular solves) are written here as column loops vectorised over the batch. Failures
are values, not exceptions, as in XLA: a matrix that is not positive definite gives a NaN
Cholesky factor and a singular one gives infinities in a solve. The JVP and adjoint templates
follow JAX's rules (jax/_src/lax/linalg.py); the adjoints of the factorisations are those
JVPs transposed by hand, written with primitives so that they can be differentiated again.
"""
from __future__ import annotations

import functools
import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from ..runtime import dtypes
from ..runtime.abstract import ShapedArray
from ..runtime.array import Array, wrap
from . import batch_util as bu
from . import elementwise as ew
from . import reduce as red
from . import structural as st
from .ad_util import cast_like, zeros_like
from .quiet import quiet
from .registry import Primitive, Templates, never_weak

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
    elif work.kind in "fc" and not lb and rhs.ndim == 2 and lc == (lhs.ndim - 1,) and \
            rc == (1,):
        out = np.dot(lhs, rhs.T)  # x @ A.T (batched matvec): BLAS reads the transpose as is
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
    if k == 1:  # outer products (per-example weight gradients): a broadcast multiply
        out = lmat * rmat
    else:
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


def _dot_general_jvp_lhs(t: Array, ans: Array, x: Array, y: Array, *, dimension_numbers: Any,
                         precision: Any = None, preferred_element_type: Any = None) -> Array:
    return dot_general_p.bind(t, y, dimension_numbers=dimension_numbers, precision=precision,
                              preferred_element_type=preferred_element_type)


def _dot_general_jvp_rhs(t: Array, ans: Array, x: Array, y: Array, *, dimension_numbers: Any,
                         precision: Any = None, preferred_element_type: Any = None) -> Array:
    return dot_general_p.bind(x, t, dimension_numbers=dimension_numbers, precision=precision,
                              preferred_element_type=preferred_element_type)


def _dot_general_adjoint_lhs(g: Array, ans: Array, x: Array, y: Array, *,
                             dimension_numbers: Any, precision: Any = None,
                             preferred_element_type: Any = None) -> Array:
    dims = canonical_dimension_numbers(dimension_numbers)
    return _dot_transpose(g, x, y, dims, precision, preferred_element_type, swap_ans=False)


def _dot_general_adjoint_rhs(g: Array, ans: Array, x: Array, y: Array, *,
                             dimension_numbers: Any, precision: Any = None,
                             preferred_element_type: Any = None) -> Array:
    (xc, yc), (xb, yb) = canonical_dimension_numbers(dimension_numbers)
    # The rhs adjoint is the lhs one with the operands' roles swapped (JAX's transpose_rhs).
    return _dot_transpose(g, y, x, ((yc, xc), (yb, xb)), precision, preferred_element_type,
                          swap_ans=True)


def _dot_transpose(g: Array, x: Array, y: Array, dims: DimensionNumbers, precision: Any,
                   preferred_element_type: Any, swap_ans: bool) -> Array:
    """JAX's ``_dot_general_transpose_lhs``: contract ``g`` with ``y`` over ``y``'s free axes,
    then put the result's axes back in ``x``'s order."""
    g_dims, order = _dot_transpose_dims(x.ndim, y.ndim, dims, swap_ans)
    xbar = dot_general_p.bind(g, y, dimension_numbers=g_dims, precision=precision,
                              preferred_element_type=preferred_element_type)
    if order != tuple(range(len(order))):
        xbar = st.transpose_p.bind(xbar, permutation=order)
    return cast_like(xbar, x)


@functools.lru_cache(maxsize=512)
def _dot_transpose_dims(x_ndim: int, y_ndim: int, dims: DimensionNumbers,
                        swap_ans: bool) -> tuple[DimensionNumbers, tuple[int, ...]]:
    """The dimension numbers contracting ``g`` with ``y``, and the permutation that puts the
    result (batch, ``x``'s kept axes, ``x``'s contracted axes in ``y``'s order) in ``x``'s."""
    (xc, yc), (xb, yb) = dims
    x_kept = tuple(d for d in range(x_ndim) if d not in xc + xb)
    y_kept = tuple(d for d in range(y_ndim) if d not in yc + yb)
    nb = len(xb)
    # ``g``'s axes are batch, lhs free, rhs free; ``x`` is the rhs when ``swap_ans``.
    start = nb if swap_ans else nb + len(x_kept)
    g_dims = ((tuple(range(start, start + len(y_kept))), y_kept), (tuple(range(nb)), yb))
    xc_by_y = tuple(xc[i] for i in np.argsort(yc))
    order = tuple(int(i) for i in np.argsort(xb + x_kept + xc_by_y))
    return g_dims, order


def _dot_general_batch(args: list[Array], dims: bu.Dims, *, dimension_numbers: Any,
                       precision: Any = None,
                       preferred_element_type: Any = None) -> tuple[Array, int]:
    """Two batched operands: their batch axes become a batch dimension of the product (the
    first, so the result is batched at 0). One: its batch axis is a free axis, which lands
    among the result's free axes; nothing moves, so ``vmap(dot, (None, 0))`` is one matrix
    product."""
    lhs, rhs = args
    ld, rd = dims
    (lc, rc), (lb, rb) = canonical_dimension_numbers(dimension_numbers)
    lc, lb, rc, rb = (bu.shift_axes(lc, ld), bu.shift_axes(lb, ld), bu.shift_axes(rc, rd),
                      bu.shift_axes(rb, rd))
    lfree = [a for a in range(lhs.ndim) if a not in lc + lb]
    if ld is not None and rd is not None:
        lb, rb, out_dim = (ld, *lb), (rd, *rb), 0
    elif ld is not None:
        out_dim = len(lb) + lfree.index(ld)
    else:
        rfree = [a for a in range(rhs.ndim) if a not in rc + rb]
        if rfree == [rd] and not lb:
            # A matrix times a batch of vectors: as the batch times the matrix, the product
            # comes out batched at axis 0 (x @ A.T), with nothing left to transpose.
            out = dot_general_p.bind(rhs, lhs, dimension_numbers=((rc, lc), (rb, lb)),
                                     precision=precision,
                                     preferred_element_type=preferred_element_type)
            return out, 0
        out_dim = len(lb) + len(lfree) + rfree.index(rd)
    out = dot_general_p.bind(lhs, rhs, dimension_numbers=((lc, rc), (lb, rb)),
                             precision=precision, preferred_element_type=preferred_element_type)
    return out, out_dim


dot_general_p = Primitive(
    "dot_general", impl=_dot_general, abstract_eval=_dot_general_rule, family="linalg",
    jvp=Templates((_dot_general_jvp_lhs, _dot_general_jvp_rhs)),
    adjoint=Templates((_dot_general_adjoint_lhs, _dot_general_adjoint_rhs)),
    batch=_dot_general_batch)


# --- helpers shared by the factorisations' AD templates --------------------------------------
# Written with primitives only, so the AD transforms can differentiate the templates again.
# Masks (triangles, identities) depend only on static shapes: they are constants.

def _mm(a: Array, b: Array) -> Array:
    """Matrix product over the trailing two axes, batched over the (equal) leading ones."""
    nd = a.ndim
    batch = tuple(range(nd - 2))
    return dot_general_p.bind(a, b, dimension_numbers=(((nd - 1,), (nd - 2,)), (batch, batch)),
                              precision=None, preferred_element_type=None)


def _mT(x: Array) -> Array:
    nd = x.ndim
    return st.transpose_p.bind(x, permutation=tuple(range(nd - 2)) + (nd - 1, nd - 2))


def _conj(x: Array) -> Array:
    return ew.conj_p.bind(x) if np.dtype(x.dtype).kind == "c" else x


def _H(x: Array) -> Array:
    return _conj(_mT(x))


def _real_part(x: Array) -> Array:
    return ew.real_p.bind(x) if np.dtype(x.dtype).kind == "c" else x


def _const(x: Array, buf: np.ndarray) -> Array:
    return wrap(np.asarray(buf, dtype=x.dtype), False)


def _eye(x: Array, n: int | None = None) -> Array:
    """The identity matching ``x``'s trailing (square) matrix, in ``x``'s dtype."""
    return _const(x, np.eye(n or x.shape[-1]))


def _tril(x: Array, k: int = 0) -> Array:
    return x * _const(x, np.tril(np.ones(x.shape[-2:]), k))


def _triu(x: Array, k: int = 0) -> Array:
    return x * _const(x, np.triu(np.ones(x.shape[-2:]), k))


def _diag(x: Array) -> Array:
    """The diagonals of a batch of square matrices, shape ``(..., n)``."""
    return red.reduce_sum_p.bind(x * _eye(x), axes=(x.ndim - 1,))


def _diag_embed(d: Array) -> Array:
    """Square matrices with diagonals ``d`` (shape ``(..., n)``)."""
    nd = d.ndim
    rows = st.broadcast_in_dim_p.bind(d, shape=d.shape + d.shape[-1:],
                                      broadcast_dimensions=tuple(range(nd - 1)) + (nd,))
    return rows * _eye(rows)


def _as_row(v: Array) -> Array:
    """``v[..., None, :]``: scales columns when multiplied with a matrix."""
    return st.reshape_p.bind(v, new_sizes=v.shape[:-1] + (1, v.shape[-1]))


def _as_col(v: Array) -> Array:
    """``v[..., :, None]``: scales rows when multiplied with a matrix."""
    return st.reshape_p.bind(v, new_sizes=v.shape + (1,))


def _fit(x: Array, rows: int, cols: int) -> Array:
    """``x``'s trailing matrices cut or zero-padded to ``rows x cols`` (pad crops when < 0)."""
    m, n = x.shape[-2:]
    if (m, n) == (rows, cols):
        return x
    config = ((0, 0, 0),) * (x.ndim - 2) + ((0, rows - m, 0), (0, cols - n, 0))
    return st.pad_p.bind(x, _const(x, 0), padding_config=config)


def _block(x: Array, r0: int, r1: int, c0: int, c1: int) -> Array:
    """``x[..., r0:r1, c0:c1]`` (static bounds)."""
    lead = x.shape[:-2]
    return st.slice_p.bind(x, start_indices=(0,) * len(lead) + (r0, c0),
                           limit_indices=lead + (r1, c1), strides=None)


def _concat(xs: tuple, axis: int) -> Array:
    return st.concatenate_p.bind(*xs, dimension=axis)


def _solve(a: Array, b: Array, *, left_side: bool, lower: bool, transpose_a: bool = False,
           conjugate_a: bool = False, unit_diagonal: bool = False) -> Array:
    return triangular_solve_p.bind(a, b, left_side=left_side, lower=lower,
                                   transpose_a=transpose_a, conjugate_a=conjugate_a,
                                   unit_diagonal=unit_diagonal)


def _hermitian_part(t: Array, lower: bool) -> Array:
    """The Hermitian matrix that a factorisation reading only one triangle of ``t`` sees.

    For a Hermitian tangent this is ``t`` itself (JAX's rules assume one); for any other it
    makes the JVP the exact derivative of the primitive, which ignores the other triangle.
    """
    if lower:
        return _tril(t) + _H(_tril(t, -1))
    return _triu(t) + _H(_triu(t, 1))


def _hermitian_part_adjoint(s: Array, lower: bool) -> Array:
    """The transpose of ``_hermitian_part``: the cotangent lands on the triangle read."""
    if lower:
        return _tril(s) + _tril(_H(s), -1)
    return _triu(s) + _triu(_H(s), 1)


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


def _phi(x: Array) -> Array:
    """The lower triangle of ``x`` with its diagonal halved (Murray 2016's Phi)."""
    return x * _const(x, np.tril(np.ones(x.shape[-2:])) - 0.5 * np.eye(x.shape[-1]))


def _cholesky_jvp(t: Array, ans: Array, x: Array) -> Array:
    # JAX's rule: dL = L Phi(L^-1 dA L^-H), on the Hermitian matrix the kernel reads.
    s = _solve(ans, _hermitian_part(t, True), left_side=False, lower=True, transpose_a=True,
               conjugate_a=True)
    return _mm(ans, _phi(_solve(ans, s, left_side=True, lower=True)))


def _cholesky_adjoint(g: Array, ans: Array, x: Array) -> Array:
    # The JVP read backwards: Phi is its own transpose, L^-1 . L^-H becomes L^-T . conj(L)^-1.
    s = _solve(ans, _phi(_mm(_mT(ans), g)), left_side=False, lower=True, conjugate_a=True)
    s = _solve(ans, s, left_side=True, lower=True, transpose_a=True)
    return _hermitian_part_adjoint(s, True)


cholesky_p = Primitive("cholesky", impl=_cholesky, abstract_eval=_cholesky_rule,
                       weak_rule=never_weak, eager_kinds="fc", family="linalg",
                       jvp=Templates((_cholesky_jvp,)), adjoint=Templates((_cholesky_adjoint,)),
                       batch=bu.leading_batch_batcher("cholesky", 2))


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


def _triangle_read(x: Array, lower: bool, unit_diagonal: bool) -> Array:
    """The part of ``x`` that the solve reads (the diagonal is not read when it is unit)."""
    k = 1 if unit_diagonal else 0
    return _tril(x, -k) if lower else _triu(x, k)


def _op(x: Array, transpose_a: bool, conjugate_a: bool) -> Array:
    x = _mT(x) if transpose_a else x
    return _conj(x) if conjugate_a else x


def _triangular_solve_jvp_a(t: Array, ans: Array, a: Array, b: Array, *,
                            left_side: bool = False, lower: bool = False,
                            transpose_a: bool = False, conjugate_a: bool = False,
                            unit_diagonal: bool = False) -> Array:
    # op(A) X = B  =>  dX = -op(A)^-1 op(dA) X   (X op(A) = B: dX = -X op(dA) op(A)^-1)
    d = -_op(_triangle_read(t, lower, unit_diagonal), transpose_a, conjugate_a)
    solved = _solve(a, d, left_side=left_side, lower=lower, transpose_a=transpose_a,
                    conjugate_a=conjugate_a, unit_diagonal=unit_diagonal)
    return _mm(solved, ans) if left_side else _mm(ans, solved)


def _triangular_solve_jvp_b(t: Array, ans: Array, a: Array, b: Array, *,
                            left_side: bool = False, lower: bool = False,
                            transpose_a: bool = False, conjugate_a: bool = False,
                            unit_diagonal: bool = False) -> Array:
    return _solve(a, t, left_side=left_side, lower=lower, transpose_a=transpose_a,
                  conjugate_a=conjugate_a, unit_diagonal=unit_diagonal)


def _triangular_solve_adjoint_a(g: Array, ans: Array, a: Array, b: Array, *,
                                left_side: bool = False, lower: bool = False,
                                transpose_a: bool = False, conjugate_a: bool = False,
                                unit_diagonal: bool = False) -> Array:
    # -b_bar X^T (or -X^T b_bar), with b_bar = op(A)^-T g, mapped back through op and the mask.
    gb = _solve(a, g, left_side=left_side, lower=lower, transpose_a=not transpose_a,
                conjugate_a=conjugate_a, unit_diagonal=unit_diagonal)
    d = -(_mm(gb, _mT(ans)) if left_side else _mm(_mT(ans), gb))
    return _triangle_read(_op(d, transpose_a, conjugate_a), lower, unit_diagonal)


def _triangular_solve_adjoint_b(g: Array, ans: Array, a: Array, b: Array, *,
                                left_side: bool = False, lower: bool = False,
                                transpose_a: bool = False, conjugate_a: bool = False,
                                unit_diagonal: bool = False) -> Array:
    return _solve(a, g, left_side=left_side, lower=lower, transpose_a=not transpose_a,
                  conjugate_a=conjugate_a, unit_diagonal=unit_diagonal)


def _triangular_solve_batch(args: list[Array], dims: bu.Dims,
                            **flags: bool) -> tuple[Array, int]:
    # Both operands need the same leading batch dimensions.
    a, b = args
    da, db = dims
    if da != db or da >= a.ndim - 2:
        size = a.shape[da] if da is not None else b.shape[db]
        a = bu.bdim_at_front(a, da, size)
        b = bu.bdim_at_front(b, db, size)
        da = 0
    return triangular_solve_p.bind(a, b, **flags), da


triangular_solve_p = Primitive(
    "triangular_solve", impl=_triangular_solve, abstract_eval=_triangular_solve_rule,
    weak_rule=never_weak, eager_kinds="fc", family="linalg",
    jvp=Templates((_triangular_solve_jvp_a, _triangular_solve_jvp_b)),
    adjoint=Templates((_triangular_solve_adjoint_a, _triangular_solve_adjoint_b)),
    batch=_triangular_solve_batch)


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


def _lu_factors(lu: Array) -> tuple[Array, Array]:
    """``L`` (m x m, unit lower) and ``U`` (n x n, identity-padded) from the packed result."""
    m, n = lu.shape[-2:]
    k = min(m, n)
    low = _tril(_fit(lu, m, m), -1) + _eye(lu, m)
    up = _triu(_fit(lu, n, n)) + _const(lu, np.diag(np.arange(n) >= k))
    return low, up


def _permutation_matrix(perm: Array, dtype: np.dtype) -> Array:
    """``P`` with ``P @ a == a[perm]`` (one-hot rows), in ``dtype``."""
    shape = perm.shape + perm.shape[-1:]
    rows = st.broadcast_in_dim_p.bind(perm, shape=shape,
                                      broadcast_dimensions=tuple(range(perm.ndim)))
    cols = st.iota_p.bind(dtype=perm.dtype, shape=shape, dimension=perm.ndim)
    return ew.convert_element_type_p.bind(ew.eq_p.bind(rows, cols), new_dtype=dtype,
                                          weak_type=False)


def _lu_jvp(t: Array, ans: tuple, x: Array) -> tuple:
    # JAX's rule (de Hoog, Anderssen, Lukas): with M = L^-1 P dA U^-1,
    # dL = L tril(M, -1) and dU = triu(M) U, packed together as the result is.
    lu, pivots, perm = ans
    low, up = _lu_factors(lu)
    pa = _mm(_permutation_matrix(perm, x.dtype), t)
    m = _solve(up, _solve(low, pa, left_side=True, lower=True, unit_diagonal=True),
               left_side=False, lower=False)
    dlu = _mm(low, _tril(m, -1)) + _mm(_triu(m), up)
    return dlu, zeros_like(pivots), zeros_like(perm)


def _lu_adjoint(g: tuple, ans: tuple, x: Array) -> Array:
    lu, _, perm = ans
    low, up = _lu_factors(lu)
    m_bar = _tril(_mm(_mT(low), g[0]), -1) + _triu(_mm(g[0], _mT(up)))
    pa_bar = _solve(low, _solve(up, m_bar, left_side=False, lower=False, transpose_a=True),
                    left_side=True, lower=True, transpose_a=True, unit_diagonal=True)
    return _mm(_mT(_permutation_matrix(perm, x.dtype)), pa_bar)


lu_p = Primitive("lu", impl=_lu, abstract_eval=_lu_rule, weak_rule=never_weak,
                 multiple_results=True, eager_kinds="fc", family="linalg",
                 jvp=Templates((_lu_jvp,)), adjoint=Templates((_lu_adjoint,)),
                 batch=bu.leading_batch_batcher("lu", 2))


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


def _imaginary_diagonal(c: Array) -> Array:
    """``I * (c - real(c))``: the gauge term of complex QR (zero, so absent, for reals)."""
    return _eye(c) * (c - cast_like(_real_part(c), c))


def _thin_qr_jvp(q: Array, r: Array, t: Array) -> tuple[Array, Array]:
    # JAX's rule for m >= n (Townsend): with C = Q^H dA R^-1 and the skew-Hermitian
    # W = tril(C, -1) - tril(C, -1)^H, dQ = Q (W - C) + dA R^-1 and dR = (C - W) R.
    d = _solve(r, t, left_side=False, lower=False)
    c = _mm(_H(q), d)
    w = _tril(c, -1) - _H(_tril(c, -1))
    if np.dtype(c.dtype).kind == "c":
        w = w + _imaginary_diagonal(c)
    return _mm(q, w - c) + d, _mm(c - w, r)


def _thin_qr_adjoint(q: Array, r: Array, gq: Array, gr: Array) -> Array:
    w_bar = _mm(_mT(q), gq) - _mm(gr, _mT(r))
    c_bar = _tril(w_bar - _H(w_bar), -1) - w_bar
    if np.dtype(w_bar.dtype).kind == "c":
        c_bar = c_bar + _imaginary_diagonal(w_bar)
    d_bar = gq + _mm(_conj(q), c_bar)
    return _solve(r, d_bar, left_side=False, lower=False, transpose_a=True)


def _wide_qr_jvp(q: Array, r: Array, x: Array, t: Array) -> tuple[Array, Array]:
    # JAX's rule for m < n: [A1 A2] = Q [R1 R2] is the square QR of A1 and R2 = Q^H A2.
    m, n = x.shape[-2:]
    dq, dr1 = _thin_qr_jvp(q, _block(r, 0, m, 0, m), _block(t, 0, m, 0, m))
    dr2 = _mm(_H(dq), _block(x, 0, m, m, n)) + _mm(_H(q), _block(t, 0, m, m, n))
    return dq, _concat((dr1, dr2), x.ndim - 1)


def _wide_qr_adjoint(q: Array, r: Array, x: Array, gq: Array, gr: Array) -> Array:
    m, n = x.shape[-2:]
    gr2 = _block(gr, 0, m, m, n)
    gq = gq + _mm(_conj(_block(x, 0, m, m, n)), _H(gr2))
    ga1 = _thin_qr_adjoint(q, _block(r, 0, m, 0, m), gq, _block(gr, 0, m, 0, m))
    return _concat((ga1, _mm(_conj(q), gr2)), x.ndim - 1)


def _qr_completion(q: Array, n: int) -> tuple[Array, Array]:
    """For full tall QR, JAX's ``Z = Q_pn (Q_nn - I)^-1`` and ``B = Q_mn + Q_mp Z``: the
    Householder completion's columns move as ``dQ_mp = dQ_mn Z^H - B (dQ_pn - Z dQ_nn)^H``
    (arXiv 2409.13374, eqs. 32-33)."""
    m = q.shape[-1]
    q_mn = _block(q, 0, m, 0, n)
    shifted = _block(q_mn, 0, n, 0, n) - _eye(q, n)
    lu, _, perm = lu_p.bind(shifted)
    low, up = _lu_factors(lu)
    # Z (P^T L U) = Q_pn, solved right to left, then the permutation undone.
    w = _solve(low, _solve(up, _block(q_mn, n, m, 0, n), left_side=False, lower=False),
               left_side=False, lower=True, unit_diagonal=True)
    z = _mm(w, _permutation_matrix(perm, q.dtype))
    return z, q_mn + _mm(_block(q, 0, m, n, m), z)


def _full_qr_jvp(q: Array, r: Array, t: Array) -> tuple[Array, Array]:
    m, n = t.shape[-2:]
    dq_mn, dr = _thin_qr_jvp(_block(q, 0, m, 0, n), _block(r, 0, n, 0, n), t)
    z, b = _qr_completion(q, n)
    moved = _block(dq_mn, n, m, 0, n) - _mm(z, _block(dq_mn, 0, n, 0, n))
    dq_mp = _mm(dq_mn, _H(z)) - _mm(b, _H(moved))
    return _concat((dq_mn, dq_mp), t.ndim - 1), _fit(dr, m, n)


def _full_qr_adjoint(q: Array, r: Array, gq: Array, gr: Array) -> Array:
    m, n = gr.shape[-2:]
    z, b = _qr_completion(q, n)
    g_mp = _block(gq, 0, m, n, m)
    g_moved = -_mm(_H(g_mp), _conj(b))
    g_mn = (_block(gq, 0, m, 0, n) + _mm(g_mp, _conj(z))
            + _concat((-_mm(_mT(z), g_moved), g_moved), gq.ndim - 2))
    return _thin_qr_adjoint(_block(q, 0, m, 0, n), _block(r, 0, n, 0, n), g_mn,
                            _block(gr, 0, n, 0, n))


def _qr_jvp(t: Array, ans: tuple, x: Array, *, full_matrices: bool = True) -> tuple:
    q, r = ans
    m, n = x.shape[-2:]
    if m < n:
        return _wide_qr_jvp(q, r, x, t)
    if full_matrices and m > n:
        return _full_qr_jvp(q, r, t)
    return _thin_qr_jvp(q, r, t)


def _qr_adjoint(g: tuple, ans: tuple, x: Array, *, full_matrices: bool = True) -> Array:
    q, r = ans
    m, n = x.shape[-2:]
    if m < n:
        return _wide_qr_adjoint(q, r, x, g[0], g[1])
    if full_matrices and m > n:
        return _full_qr_adjoint(q, r, g[0], g[1])
    return _thin_qr_adjoint(q, r, g[0], g[1])


qr_p = Primitive("qr", impl=_qr, abstract_eval=_qr_rule, weak_rule=never_weak,
                 multiple_results=True, eager_kinds="fc", family="linalg",
                 jvp=Templates((_qr_jvp,)), adjoint=Templates((_qr_adjoint,)),
                 batch=bu.leading_batch_batcher("qr", 2))


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


def _svd_factors(ans: tuple, x: Array, full_matrices: bool, compute_uv: bool) -> tuple:
    """``(s, U, Vt)`` of the thin SVD, recomputed when the primal did not return them."""
    m, n = x.shape[-2:]
    if compute_uv and full_matrices and m != n:
        raise NotImplementedError(
            "Singular value decomposition JVP not implemented for full matrices")
    if compute_uv:
        return ans
    return svd_p.bind(x, full_matrices=False, compute_uv=True)


def _svd_coupling(s: Array, x: Array) -> tuple[Array, Array]:
    """``F[i, j] = 1 / (s_j^2 - s_i^2)`` (0 on the diagonal) and ``diag(1 / s)`` (0 for s = 0),
    both in ``x``'s dtype."""
    row, col = _as_row(s), _as_col(s)
    eye = _eye(s, s.shape[-1])
    f = 1 / ((row + col) * (row - col) + eye) - eye
    zero = ew.convert_element_type_p.bind(ew.eq_p.bind(s, _const(s, 0)), new_dtype=s.dtype,
                                          weak_type=False)
    s_inv = 1 / (s + zero) - zero
    return cast_like(f, x), cast_like(_diag_embed(s_inv), x)


def _svd_jvp(t: Array, ans: tuple, x: Array, *, full_matrices: bool = True,
             compute_uv: bool = True) -> tuple:
    # JAX's rule: with dS = U^H dA V, ds = real(diag(dS)); dU, dV from the coupling F, plus
    # the components outside U's (V's) span for tall (wide) matrices.
    s, u, vt = _svd_factors(ans, x, full_matrices, compute_uv)
    v = _H(vt)
    ds = _mm(_mm(_H(u), t), v)
    ds_diag = _real_part(_diag(ds))
    if not compute_uv:
        return (ds_diag,)
    f, s_inv = _svd_coupling(s, x)
    row, col = _as_row(cast_like(s, x)), _as_col(cast_like(s, x))
    du = _mm(u, f * (ds * row + _H(ds * row)) + 0.5 * (ds - _H(ds)) * s_inv)
    dv = _mm(v, f * (col * ds + _H(col * ds)))
    m, n = x.shape[-2:]
    if m > n:
        dav = _mm(t, v)
        du = du + (dav - _mm(u, _mm(_H(u), dav))) / row
    if n > m:
        dahu = _mm(_H(t), u)
        dv = dv + (dahu - _mm(v, _mm(vt, dahu))) / row
    return ds_diag, du, _H(dv)


def _svd_adjoint(g: tuple, ans: tuple, x: Array, *, full_matrices: bool = True,
                 compute_uv: bool = True) -> Array:
    # The transpose of the JVP, term by term; for s alone it is conj(U diag(g_s) V^H).
    s, u, vt = _svd_factors(ans, x, full_matrices, compute_uv)
    ds_bar = _diag_embed(cast_like(g[0], x))
    if compute_uv:
        ds_bar = ds_bar + _svd_uv_adjoint(g[1], _H(g[2]), s, u, vt, x)
    a_bar = _mm(_mm(_conj(u), ds_bar), _conj(vt))
    m, n = x.shape[-2:]
    if compute_uv and m > n:
        gu = g[1] / _as_row(cast_like(s, x))
        a_bar = a_bar + _mm(gu - _mm(_conj(u), _mm(_mT(u), gu)), _conj(vt))
    if compute_uv and n > m:
        gv = _H(g[2]) / _as_row(cast_like(s, x))
        v = _H(vt)
        a_bar = a_bar + _mm(_conj(u), _H(gv - _mm(_conj(v), _mm(_mT(v), gv))))
    return a_bar


def _svd_uv_adjoint(gu: Array, gv: Array, s: Array, u: Array, vt: Array, x: Array) -> Array:
    """The cotangent of ``dS = U^H dA V`` coming from the cotangents of ``U`` and ``V``."""
    f, s_inv = _svd_coupling(s, x)
    row, col = _as_row(cast_like(s, x)), _as_col(cast_like(s, x))
    yu = _mm(_mT(u), gu)
    wu = f * yu
    wv = f * _mm(_mT(_H(vt)), gv)
    half = 0.5 * s_inv * yu
    return (wu + _H(wu)) * row + col * (wv + _H(wv)) + half - _H(half)


svd_p = Primitive("svd", impl=_svd, abstract_eval=_svd_rule, weak_rule=never_weak,
                  multiple_results=True, eager_kinds="fc", family="linalg",
                  jvp=Templates((_svd_jvp,)), adjoint=Templates((_svd_adjoint,)),
                  batch=bu.leading_batch_batcher("svd", 2))


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


def _eigh_coupling(w: Array, v: Array) -> Array:
    """``F[i, j] = 1 / (w_j - w_i)`` (0 on the diagonal), in ``v``'s dtype."""
    w = cast_like(w, v)
    eye = _eye(v)
    return 1 / (eye + _as_row(w) - _as_col(w)) - eye


def _eigh_jvp(t: Array, ans: tuple, x: Array, *, lower: bool = True) -> tuple:
    # JAX's rule: with dX = V^H dA V, dV = V (F * dX) and dw = real(diag(dX)).
    v, w = ans
    dx = _mm(_mm(_H(v), _hermitian_part(t, lower)), v)
    return _mm(v, _eigh_coupling(w, v) * dx), _real_part(_diag(dx))


def _eigh_adjoint(g: tuple, ans: tuple, x: Array, *, lower: bool = True) -> Array:
    v, w = ans
    gv, gw = g
    dx_bar = _eigh_coupling(w, v) * _mm(_mT(v), gv) + _diag_embed(cast_like(gw, v))
    return _hermitian_part_adjoint(_mm(_mm(_conj(v), dx_bar), _mT(v)), lower)


eigh_p = Primitive("eigh", impl=_eigh, abstract_eval=_eigh_rule, weak_rule=never_weak,
                   multiple_results=True, eager_kinds="fc", family="linalg",
                   jvp=Templates((_eigh_jvp,)), adjoint=Templates((_eigh_adjoint,)),
                   batch=bu.leading_batch_batcher("eigh", 2))
