"""Linear-algebra primitives: dot_general's rules and the factorisations vs ``jax.lax``."""
import itertools

import numpy as np
import pytest
from axc.kernels import linalg, registry
from axc.runtime import dtypes
from axc.runtime.abstract import ShapedArray
from axc.runtime.array import wrap

jax = pytest.importorskip("jax")
lax = pytest.importorskip("jax.lax")

RNG = np.random.default_rng(7)


def _rand(shape, dt="float32"):
    dt = np.dtype(dt)
    if dt.kind == "c":
        return (RNG.standard_normal(shape) + 1j * RNG.standard_normal(shape)).astype(dt)
    if dt.kind in "iu":
        return RNG.integers(-5 if dt.kind == "i" else 0, 6, shape).astype(dt)
    if dt.kind == "b":
        return RNG.integers(0, 2, shape).astype(bool)
    return RNG.standard_normal(shape).astype(dt)


def _close(got, want, tol=2e-5):
    got, want = np.asarray(got), np.asarray(want)
    assert got.shape == want.shape and got.dtype == want.dtype, (got.shape, got.dtype,
                                                                  want.shape, want.dtype)
    scale = max(1.0, float(np.max(np.abs(want), initial=0)))
    np.testing.assert_allclose(got, want, rtol=tol, atol=tol * scale, equal_nan=True)


# --- dot_general ----------------------------------------------------------------------------

DOT_CASES = [
    # lhs shape, rhs shape, ((lc, rc), (lb, rb))
    ((3, 4), (4, 5), (((1,), (0,)), ((), ()))),
    ((4,), (4,), (((0,), (0,)), ((), ()))),
    ((), (3,), (((), ()), ((), ()))),
    ((2, 3, 4), (2, 4, 5), (((2,), (1,)), ((0,), (0,)))),
    ((2, 3, 4), (4, 2, 5), (((2,), (0,)), ((0,), (1,)))),
    ((2, 3, 4, 5), (5, 4, 6), (((3, 2), (0, 1)), ((), ()))),
    ((3, 2), (2, 3), (((), ()), ((), ()))),
    ((0, 4), (4, 5), (((1,), (0,)), ((), ()))),
    ((3, 0), (0, 5), (((1,), (0,)), ((), ()))),
    ((2, 1, 3), (2, 3, 7), (((2,), (1,)), ((0,), (0,)))),
    ((2, 3, 4), (2, 4, 3), (((2, 1), (1, 2)), ((0,), (0,)))),
]


@pytest.mark.parametrize("dt", ["float32", "int32", "int8", "bool", "complex64", "float16",
                                "bfloat16"])
@pytest.mark.parametrize("lhs_shape,rhs_shape,dims", DOT_CASES)
def test_dot_general_matches_lax(lhs_shape, rhs_shape, dims, dt):
    dtype = dtypes.bfloat16 if dt == "bfloat16" else np.dtype(dt)
    a = _rand(lhs_shape, "float32").astype(dtype) if dt == "bfloat16" else _rand(lhs_shape, dt)
    b = _rand(rhs_shape, "float32").astype(dtype) if dt == "bfloat16" else _rand(rhs_shape, dt)
    got = linalg.dot_general_p.bind(wrap(a), wrap(b), dimension_numbers=dims)
    want = jax.eval_shape(lambda x, y: lax.dot_general(x, y, dims), a, b)
    assert (got.shape, got.dtype) == (want.shape, want.dtype)
    ref = _einsum_ref(a, b, dims)
    if dtype.kind in "fcV":
        tol = 2e-2 if dtype.itemsize <= 2 else 2e-5
        _close(np.asarray(got).astype(ref.dtype), ref, tol)
    else:
        np.testing.assert_array_equal(np.asarray(got), ref.astype(got.dtype))


def _einsum_ref(a, b, dims):
    """dot_general in double precision (int64, wrapped by the caller) through einsum."""
    (lc, rc), (lb, rb) = dims
    letters = iter("abcdefghijklmnop")
    la, lb_ = [None] * a.ndim, [None] * b.ndim
    for i, j in zip(lb + lc, rb + rc):
        la[i] = lb_[j] = next(letters)
    la = [c or next(letters) for c in la]
    lb_ = [c or next(letters) for c in lb_]
    out = [la[i] for i in lb] + [c for i, c in enumerate(la) if i not in lb + lc] + \
        [c for i, c in enumerate(lb_) if i not in rb + rc]
    kind = np.asarray(a).dtype.kind
    wide = {"b": bool, "i": np.int64, "u": np.int64, "c": np.complex128}.get(kind, np.float64)
    spec = f"{''.join(la)},{''.join(lb_)}->{''.join(out)}"
    return np.asarray(np.einsum(spec, np.asarray(a).astype(wide), np.asarray(b).astype(wide)))


def test_dot_general_int32_wraps_like_xla():
    v = np.arange(10**6, dtype=np.int32)
    got = linalg.dot_general_p.impl(v, v, dimension_numbers=(((0,), (0,)), ((), ())))
    assert got.dtype == np.int32
    assert int(got) == int(lax.dot_general(v, v, (((0,), (0,)), ((), ()))))


@pytest.mark.parametrize("lhs,rhs,pref", [("int8", "float32", None), ("int8", "int8", "int32"),
                                          ("float32", "float32", "float64"),
                                          ("bool", "int32", None), ("uint8", "int8", "int16")])
def test_dot_general_mixed_and_preferred(lhs, rhs, pref):
    a, b = _rand((3, 4), lhs), _rand((4, 2), rhs)
    dims = (((1,), (0,)), ((), ()))
    with jax.enable_x64(pref == "float64"):
        want = lax.dot_general(a, b, dims, preferred_element_type=pref)
    aval = linalg.dot_general_p.abstract_eval(ShapedArray(a.shape, a.dtype),
                                              ShapedArray(b.shape, b.dtype),
                                              dimension_numbers=dims,
                                              preferred_element_type=pref)
    got = linalg.dot_general_p.impl(a, b, dimension_numbers=dims, preferred_element_type=pref)
    assert aval.dtype == got.dtype == want.dtype
    _close(got, want)


BAD_DOTS = [
    ((3, 4), (5, 6), (((1,), (0,)), ((), ())), "contracting dimensions to have the same"),
    ((3, 4), (4, 6), (((2,), (0,)), ((), ())), "lhs dimension numbers"),
    ((3, 4), (4, 6), (((1,), (5,)), ((), ())), "rhs dimension numbers"),
    ((2, 3), (3, 3), (((1,), (0,)), ((0,), ())), "equal numbers of lhs_batch"),
    ((2, 3), (4, 3), (((1,), (1,)), ((0,), (0,))), "batch dimensions to have the same"),
    ((2, 3), (2, 3), (((1,), (1,)), ((1,), (1,))), "disjoint"),
    ((2, 3), (2, 3), (((1, 1), (1, 1)), ((), ())), "distinct"),
]


@pytest.mark.parametrize("ls,rs,dims,msg", BAD_DOTS)
def test_dot_general_rule_errors(ls, rs, dims, msg):
    with pytest.raises(TypeError, match=msg):
        linalg.dot_general_p.abstract_eval(ShapedArray(ls, np.dtype("float32")),
                                           ShapedArray(rs, np.dtype("float32")),
                                           dimension_numbers=dims)
    with pytest.raises(TypeError):
        lax.dot_general(np.ones(ls, np.float32), np.ones(rs, np.float32), dims)


def test_dot_general_rule_rejects_narrowing_integer_preference():
    f = ShapedArray((2, 2), np.dtype("int32"))
    with pytest.raises(TypeError, match="narrower"):
        linalg.dot_general_p.abstract_eval(f, f, dimension_numbers=(((1,), (0,)), ((), ())),
                                           preferred_element_type=np.dtype("int8"))


# --- factorisations -------------------------------------------------------------------------

def _spd(shape, dt):
    m = _rand(shape, dt)
    eye = np.eye(shape[-1], dtype=dt)
    return (m @ np.conj(np.swapaxes(m, -1, -2)) + shape[-1] * eye).astype(dt)


@pytest.mark.parametrize("dt", ["float32", "complex64"])
@pytest.mark.parametrize("shape", [(4, 4), (2, 3, 3), (1, 1), (0, 0), (2, 0, 0)])
def test_cholesky(shape, dt):
    a = _spd(shape, dt)
    got = linalg.cholesky_p.impl(a)
    assert got.dtype == a.dtype
    _close(got.astype(np.complex128), np.linalg.cholesky(a.astype(np.complex128)), 1e-4)


def test_cholesky_failure_is_nan_per_matrix():
    a = np.stack([np.array([[1.0, 2.0], [2.0, 1.0]]), 2 * np.eye(2)]).astype(np.float32)
    _close(linalg.cholesky_p.impl(a), lax.linalg.cholesky(a))


@pytest.mark.parametrize("dt", ["float32", "complex64"])
@pytest.mark.parametrize("left_side,lower,transpose_a,conjugate_a,unit_diagonal",
                         list(itertools.product([True, False], repeat=5)))
def test_triangular_solve(left_side, lower, transpose_a, conjugate_a, unit_diagonal, dt):
    a = _rand((2, 4, 4), dt) + 4 * np.eye(4, dtype=dt)
    b = _rand((2, 4, 3) if left_side else (2, 3, 4), dt)
    kw = {"left_side": left_side, "lower": lower, "transpose_a": transpose_a,
          "conjugate_a": conjugate_a, "unit_diagonal": unit_diagonal}
    got = linalg.triangular_solve_p.impl(a, b, **kw)
    # Reference: the operator op(a) built explicitly and solved densely in double precision.
    m = (np.tril(a) if lower else np.triu(a)).astype(np.complex128)
    if unit_diagonal:
        m[..., np.arange(4), np.arange(4)] = 1
    if conjugate_a:
        m = np.conj(m)
    if transpose_a:
        m = np.swapaxes(m, -1, -2)
    bw = b.astype(np.complex128)
    if left_side:
        want = np.linalg.solve(m, bw)
    else:
        want = np.swapaxes(np.linalg.solve(np.swapaxes(m, -1, -2), np.swapaxes(bw, -1, -2)),
                           -1, -2)
    assert got.dtype == b.dtype
    _close(got.astype(np.complex128), want, 1e-4)


@pytest.mark.parametrize("kw", [{"left_side": True, "lower": True, "transpose_a": True,
                                 "conjugate_a": True},
                                {"left_side": False, "lower": False, "unit_diagonal": True}])
def test_triangular_solve_matches_lax(kw):
    a = _rand((4, 4), "complex64") + 4 * np.eye(4, dtype=np.complex64)
    b = _rand((4, 4), "complex64")
    _close(linalg.triangular_solve_p.impl(a, b, **kw), lax.linalg.triangular_solve(a, b, **kw),
           1e-4)


def test_triangular_solve_singular_gives_infinities():
    a = np.array([[0.0, 0.0], [1.0, 1.0]], np.float32)
    b = np.ones((2, 2), np.float32)
    kw = {"left_side": True, "lower": True}
    _close(linalg.triangular_solve_p.impl(a, b, **kw), lax.linalg.triangular_solve(a, b, **kw))


@pytest.mark.parametrize("shape,dt", [((5, 5), "float32"), ((2, 4, 4), "float64"),
                                      ((4, 3), "complex64"), ((3, 4), "float32"),
                                      ((1, 1), "float32"), ((0, 0), "float32"),
                                      ((3, 0), "float32")])
def test_lu(shape, dt):
    a = _rand(shape, dt)
    lu, piv, perm = linalg.lu_p.impl(a)
    with jax.enable_x64(dt == "float64"):
        jlu, jpiv, jperm = lax.linalg.lu(a)
    np.testing.assert_array_equal(piv, jpiv)
    np.testing.assert_array_equal(perm, jperm)
    assert piv.dtype == perm.dtype == np.int32
    _close(lu, jlu, 1e-4)


def test_lu_singular_and_repeated_pivots():
    a = np.array([[0.0, 0.0, 1.0], [0.0, 0.0, 2.0], [1.0, 1.0, 1.0]], np.float32)
    got, want = linalg.lu_p.impl(a), lax.linalg.lu(a)
    for g, w in zip(got, want):
        np.testing.assert_array_equal(g, w)


@pytest.mark.parametrize("full_matrices", [True, False])
@pytest.mark.parametrize("shape", [(5, 3), (3, 5), (2, 4, 4), (0, 3)])
@pytest.mark.parametrize("dt", ["float32", "complex64"])
def test_qr(shape, full_matrices, dt):
    a = _rand(shape, dt)
    q, r = linalg.qr_p.impl(a, full_matrices=full_matrices)
    jq, jr = jax.eval_shape(lambda x: lax.linalg.qr(x, full_matrices=full_matrices), a)
    assert q.shape == jq.shape and r.shape == jr.shape and q.dtype == r.dtype == a.dtype
    _close(q @ r, a, 1e-4)
    _close(np.conj(np.swapaxes(q, -1, -2)) @ q, np.broadcast_to(
        np.eye(q.shape[-1], dtype=dt), q.shape[:-2] + (q.shape[-1],) * 2), 1e-4)
    np.testing.assert_array_equal(np.triu(r), r)


@pytest.mark.parametrize("full_matrices,compute_uv", [(True, True), (False, True),
                                                      (False, False)])
@pytest.mark.parametrize("shape", [(5, 3), (3, 5), (2, 4, 4), (0, 3)])
@pytest.mark.parametrize("dt", ["float32", "complex64"])
def test_svd(shape, full_matrices, compute_uv, dt):
    a = _rand(shape, dt)
    got = linalg.svd_p.impl(a, full_matrices=full_matrices, compute_uv=compute_uv)
    want = jax.eval_shape(lambda x: lax.linalg.svd(x, full_matrices=full_matrices,
                                                   compute_uv=compute_uv), a)
    s = got[0]
    if compute_uv:
        ju, js, jvh = want
        _, u, vh = got
        assert u.shape == ju.shape and vh.shape == jvh.shape and u.dtype == ju.dtype
        k = min(shape[-2:])
        _close((u[..., :k] * s[..., None, :].astype(dt)) @ vh[..., :k, :], a, 1e-4)
    else:
        js = want
    assert (s.shape, s.dtype) == (js.shape, js.dtype)
    _close(s.astype(np.float64), np.linalg.svd(a.astype(np.complex128), compute_uv=False),
           1e-4)


@pytest.mark.parametrize("lower", [True, False])
@pytest.mark.parametrize("shape", [(4, 4), (2, 3, 3), (0, 0)])
@pytest.mark.parametrize("dt", ["float32", "complex64"])
def test_eigh(shape, lower, dt):
    a = _spd(shape, dt)
    v, w = linalg.eigh_p.impl(a, lower=lower)
    jv, jw = jax.eval_shape(lambda x: lax.linalg.eigh(x, lower=lower), a)
    assert (v.shape, v.dtype, w.shape, w.dtype) == (jv.shape, jv.dtype, jw.shape, jw.dtype)
    _close(w.astype(np.float64), np.linalg.eigvalsh(a.astype(np.complex128)), 1e-4)
    _close((v * w[..., None, :].astype(dt)) @ np.conj(np.swapaxes(v, -1, -2)), a, 1e-4)


# --- rules ----------------------------------------------------------------------------------

RULE_CASES = [
    ("cholesky", [(3, 3)], {}),
    ("cholesky", [(2, 0, 0)], {}),
    ("triangular_solve", [(2, 3, 3), (2, 3, 4)], {"left_side": True, "lower": True}),
    ("triangular_solve", [(3, 3), (4, 3)], {"left_side": False, "lower": False}),
    ("lu", [(4, 3)], {}),
    ("lu", [(2, 3, 5)], {}),
    ("qr", [(4, 3)], {"full_matrices": True}),
    ("qr", [(3, 4)], {"full_matrices": False}),
    ("svd", [(4, 3)], {"full_matrices": True, "compute_uv": True}),
    ("svd", [(2, 3, 4)], {"full_matrices": False, "compute_uv": True}),
    ("svd", [(3, 4)], {"full_matrices": False, "compute_uv": False}),
    ("eigh", [(3, 3)], {"lower": True}),
    ("dot_general", [(2, 3), (3, 4)], {"dimension_numbers": (((1,), (0,)), ((), ()))}),
    ("dot_general", [(2, 3, 4), (2, 4)], {"dimension_numbers": (((2,), (1,)), ((0,), (0,)))}),
]


@pytest.mark.parametrize("dt", ["float32", "complex64"])
@pytest.mark.parametrize("name,shapes,params", RULE_CASES)
def test_abstract_eval_agrees_with_impl(name, shapes, params, dt):
    prim = registry.get(name)
    assert prim.family == "linalg"
    bufs = [_spd(s, dt) if name in ("cholesky", "eigh") else _rand(s, dt) for s in shapes]
    if name == "triangular_solve":
        bufs[0] = bufs[0] + 3 * np.eye(bufs[0].shape[-1], dtype=dt)
    outs = prim.bind(*[wrap(b) for b in bufs], **params)
    avals = prim.abstract_eval(*[registry.aval_of(b) for b in bufs], **params)
    outs = outs if prim.multiple_results else (outs,)
    avals = avals if prim.multiple_results else (avals,)
    assert len(outs) == len(avals)
    for o, a in zip(outs, avals):
        assert (o.shape, o.dtype, o.weak_type) == (a.shape, a.dtype, a.weak_type)


@pytest.mark.parametrize("name,shape", [("cholesky", (3, 4)), ("lu", (3,)), ("eigh", (2, 3)),
                                        ("qr", (4,)), ("svd", ())])
def test_rules_reject_bad_shapes(name, shape):
    with pytest.raises(ValueError):
        registry.get(name).abstract_eval(ShapedArray(shape, np.dtype("float32")))


@pytest.mark.parametrize("name", ["cholesky", "lu", "eigh", "qr", "svd"])
@pytest.mark.parametrize("dt", ["int32", "float16", "bool"])
def test_rules_reject_bad_dtypes(name, dt):
    with pytest.raises(TypeError):
        registry.get(name).abstract_eval(ShapedArray((3, 3), np.dtype(dt)))


def test_triangular_solve_rule_checks_shapes():
    f32 = np.dtype("float32")
    rule = linalg.triangular_solve_p.abstract_eval
    with pytest.raises(TypeError):
        rule(ShapedArray((3, 3), f32), ShapedArray((4, 2), f32), left_side=True)
    with pytest.raises(TypeError):
        rule(ShapedArray((2, 3, 3), f32), ShapedArray((3, 3, 2), f32), left_side=True)
    with pytest.raises(TypeError):
        rule(ShapedArray((3, 3), f32), ShapedArray((3, 2), np.dtype("float64")))
