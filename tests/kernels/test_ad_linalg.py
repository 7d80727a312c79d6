"""JVP and adjoint templates of the linalg primitives: finite differences, transposition, JAX."""
import inspect

import numpy as np
import pytest
from ad_rule_check import adjoint_by_templates, check_rules, jvp_by_templates
from axc.kernels import linalg as la
from axc.kernels import registry

import axc

jax = pytest.importorskip("jax")
lax = pytest.importorskip("jax.lax")

LINALG = sorted(n for n, p in registry.primitives().items() if p.family == "linalg")
ARITY = {"dot_general": 2, "triangular_solve": 2}
RNG = np.random.default_rng(11)


pytestmark = pytest.mark.usefixtures("x64_module")


def _rand(shape, complex_=False):
    x = RNG.standard_normal(shape)
    return x + 1j * RNG.standard_normal(shape) if complex_ else x


def _spd(*shape, complex_=False):
    """A well-conditioned Hermitian positive definite batch (for cholesky and eigh)."""
    a = _rand(shape, complex_)
    return a @ np.conj(np.swapaxes(a, -1, -2)) + shape[-1] * np.eye(shape[-1])


def _sym(a):
    return (a + np.conj(np.swapaxes(a, -1, -2))) / 2


def _tri(*shape, complex_=False):
    """A well-conditioned triangular-solve operand (both triangles filled: the rule masks)."""
    return _rand(shape, complex_) + 4 * np.eye(shape[-1])


def _dims(lc, rc, lb=(), rb=()):
    return {"dimension_numbers": ((lc, rc), (lb, rb)), "precision": None,
            "preferred_element_type": None}


# --- every slot filled ----------------------------------------------------------------------

@pytest.mark.parametrize("name", LINALG)
def test_every_linalg_primitive_has_ad_templates(name):
    prim = registry.get(name)
    for slot in ("jvp", "adjoint"):
        rule = getattr(prim, slot)
        assert isinstance(rule, registry.Templates), f"{name}.{slot} is {rule!r}"
        assert len(rule.per_operand) == ARITY.get(name, 1) and rule.rest is None
        for template in rule.per_operand:
            assert inspect.isfunction(template) and template.__name__ != "<lambda>"
            assert template.__module__ == la.__name__


# --- finite differences and transposition (check_rules) -------------------------------------

DOT_CASES = {
    "matvec": ((3, 4), (4,), _dims((1,), (0,))),
    "vecmat": ((4,), (4, 5), _dims((0,), (0,))),
    "inner": ((4,), (4,), _dims((0,), (0,))),
    "matmul": ((3, 4), (4, 5), _dims((1,), (0,))),
    "matmul_rhs_transposed": ((3, 4), (5, 4), _dims((1,), (1,))),
    "batched_matmul": ((2, 3, 4), (2, 4, 5), _dims((2,), (1,), (0,), (0,))),
    "batch_not_leading": ((3, 2, 4), (4, 5, 2), _dims((2,), (0,), (1,), (2,))),
    "outer": ((3,), (4,), _dims((), ())),
    "scalar_times_matrix": ((), (3, 2), _dims((), ())),
    "two_contracting_dims": ((3, 4, 5), (5, 2, 4), _dims((1, 2), (2, 0))),
    "batch_and_two_contracting": ((2, 3, 4, 6), (3, 5, 2, 6), _dims((3, 1), (3, 0),
                                                                    (0,), (2,))),
}


@pytest.mark.parametrize("complex_", [False, True], ids=["f64", "c128"])
@pytest.mark.parametrize("case", sorted(DOT_CASES))
def test_dot_general_rules(case, complex_):
    lhs, rhs, params = DOT_CASES[case]
    check_rules(la.dot_general_p, [_rand(lhs, complex_), _rand(rhs, complex_)], params)


TRI_FLAGS = [{"left_side": ls, "lower": lo, "transpose_a": ta, "conjugate_a": False,
              "unit_diagonal": ud}
             for ls in (True, False) for lo in (True, False) for ta in (False, True)
             for ud in (False, True)]


def _shape_id(shape):
    return "x".join(map(str, shape))


def _flags_id(flags):
    return "-".join(k for k, v in flags.items() if v) or "default"


@pytest.mark.parametrize("flags", TRI_FLAGS, ids=_flags_id)
def test_triangular_solve_rules(flags):
    b = (2, 4, 3) if flags["left_side"] else (2, 3, 4)
    check_rules(la.triangular_solve_p, [_tri(2, 4, 4), _rand(b)], flags)


def test_triangular_solve_rules_complex():
    # The templates are complex-linear when conjugate_a is False; JAX covers conjugate_a.
    flags = {"left_side": True, "lower": False, "transpose_a": True, "conjugate_a": False,
             "unit_diagonal": False}
    check_rules(la.triangular_solve_p, [_tri(4, 4, complex_=True), _rand((4, 2), True)], flags)


FACTOR_CASES = [
    ("cholesky", (4, 4), {}),
    ("cholesky", (2, 3, 3), {}),
    ("lu", (4, 4), {}),
    ("lu", (5, 3), {}),
    ("lu", (3, 5), {}),
    ("lu", (2, 4, 4), {}),
    ("qr", (4, 4), {"full_matrices": True}),
    ("qr", (5, 3), {"full_matrices": False}),
    ("qr", (2, 4, 3), {"full_matrices": False}),
    ("qr", (2, 5, 3), {"full_matrices": True}),
    ("qr", (3, 5), {"full_matrices": False}),
    ("qr", (2, 3, 4), {"full_matrices": True}),
    ("svd", (4, 4), {"full_matrices": True, "compute_uv": True}),
    ("svd", (5, 3), {"full_matrices": False, "compute_uv": True}),
    ("svd", (3, 5), {"full_matrices": False, "compute_uv": True}),
    ("svd", (2, 4, 3), {"full_matrices": False, "compute_uv": True}),
    ("svd", (5, 3), {"full_matrices": True, "compute_uv": False}),
    ("svd", (2, 3, 4), {"full_matrices": False, "compute_uv": False}),
    ("eigh", (4, 4), {"lower": True}),
    ("eigh", (4, 4), {"lower": False}),
    ("eigh", (2, 3, 3), {"lower": True}),
]


def _factor_operand(name, shape):
    return _spd(*shape) if name in ("cholesky", "eigh") else _rand(shape)


@pytest.mark.parametrize("name,shape,params", FACTOR_CASES,
                         ids=[f"{n}-{_shape_id(s)}" + "".join(f"-{k}={v}" for k, v in p.items())
                              for n, s, p in FACTOR_CASES])
def test_factorisation_rules(name, shape, params):
    # Random (non-symmetric) tangents: cholesky and eigh read one triangle only, and their
    # templates differentiate exactly that. Real eigen/singular vectors keep their LAPACK
    # signs under the tiny central-difference steps, so the raw outputs are compared.
    check_rules(registry.get(name), [_factor_operand(name, shape)], params)


def test_lu_rules_complex():
    check_rules(la.lu_p, [_rand((2, 4, 3), True)])


def test_lu_integer_results_get_zero_tangents():
    a = axc.numpy.asarray(_rand((4, 4)))
    _, (_, dpiv, dperm) = jvp_by_templates(la.lu_p, [a], [axc.numpy.asarray(_rand((4, 4)))], {})
    assert dpiv.dtype == np.int32 and dperm.dtype == np.int32
    assert not np.any(np.asarray(dpiv)) and not np.any(np.asarray(dperm))


@pytest.mark.parametrize("shape", [(5, 3), (3, 5)], ids=_shape_id)
def test_full_svd_of_non_square_raises_like_jax(shape):
    params = {"full_matrices": True, "compute_uv": True}
    a = axc.numpy.asarray(_rand(shape))
    with pytest.raises(NotImplementedError):
        jvp_by_templates(la.svd_p, [a], [a], params)
    ans = la.svd_p.bind(a, **params)
    with pytest.raises(NotImplementedError):
        adjoint_by_templates(la.svd_p, [a], list(ans), params, [0])
    with pytest.raises(NotImplementedError):  # JAX refuses the same case
        jax.jvp(lambda x: lax.linalg.svd(x, **params), (np.asarray(a),), (np.asarray(a),))


@pytest.mark.parametrize("name", LINALG)
def test_float32_templates_keep_float32(name):
    cases = {"dot_general": ([_rand((3, 4)), _rand((4, 2))], _dims((1,), (0,))),
             "triangular_solve": ([_tri(3, 3), _rand((3, 2))], TRI_FLAGS[0])}
    arrays, params = cases.get(name, ([_spd(3, 3)], {}))
    ops = [axc.numpy.asarray(a.astype(np.float32)) for a in arrays]
    prim = registry.get(name)
    ans = prim.bind(*ops, **params)
    for i, op in enumerate(ops):
        _, tan = jvp_by_templates(prim, ops, [op if j == i else None for j in range(len(ops))],
                                  params)
        for t, a in zip(tan, ans if prim.multiple_results else (ans,)):
            assert t.dtype == a.dtype and t.shape == a.shape
        g = [axc.numpy.ones_like(a) for a in (ans if prim.multiple_results else (ans,))]
        (adj,) = adjoint_by_templates(prim, ops, g, params, [i])
        assert adj.dtype == np.float32 and adj.shape == op.shape


# --- against JAX ----------------------------------------------------------------------------
# One compiled JAX call per case (eager JAX would compile every operation separately).

F64, C128 = False, True


def _dtype_id(complex_):
    return "c128" if complex_ else "f64"


def _close(got, want, tol=1e-8):
    got, want = np.asarray(got), np.asarray(want)
    assert got.shape == want.shape, (got.shape, want.shape)
    np.testing.assert_allclose(got, want, rtol=tol, atol=tol * max(1.0, np.abs(want).max()))


def _jax_rules(f, ops, tangents, complex_):
    """JAX's output, JVP and VJP (for random cotangents) of ``f`` at ``ops``."""
    cts = jax.tree.map(lambda o: _rand(o.shape, complex_ and o.dtype.kind == "c"),
                       jax.eval_shape(f, *ops))

    def rules(ops, tangents, cts):
        out, tan = jax.jvp(f, ops, tangents)
        return out, tan, jax.vjp(f, *ops)[1](cts)
    out, tan, adj = jax.jit(rules)(tuple(ops), tuple(tangents), cts)
    return out, tan, cts, adj


def _ours(prim, ops, params, tangents, cts):
    """Our JVP (all tangents at once) and every operand's adjoint, as NumPy arrays."""
    ops = [axc.numpy.asarray(o) for o in ops]
    _, tan = jvp_by_templates(prim, ops, [axc.numpy.asarray(t) for t in tangents], params)
    adj = adjoint_by_templates(prim, ops, [axc.numpy.asarray(c) for c in cts], params,
                               range(len(ops)))
    return [np.asarray(t) for t in tan], [np.asarray(a) for a in adj]


@pytest.mark.parametrize("case,complex_", [("matvec", C128), ("outer", F64),
                                           ("batch_not_leading", F64),
                                           ("batch_and_two_contracting", C128)],
                         ids=lambda x: x if isinstance(x, str) else _dtype_id(x))
def test_dot_general_matches_jax(case, complex_):
    lhs, rhs, params = DOT_CASES[case]
    ops = [_rand(lhs, complex_), _rand(rhs, complex_)]
    tangents = [_rand(lhs, complex_), _rand(rhs, complex_)]
    _, want_tan, cts, want_adj = _jax_rules(
        lambda x, y: lax.dot_general(x, y, params["dimension_numbers"]), ops, tangents,
        complex_)
    (tan,), adj = _ours(la.dot_general_p, ops, params, tangents, [cts])
    _close(tan, want_tan)
    for got, want in zip(adj, want_adj):
        _close(got, want)


@pytest.mark.parametrize("flags,complex_", [
    (dict(TRI_FLAGS[0], conjugate_a=True), C128), (TRI_FLAGS[5], F64),
    (dict(TRI_FLAGS[10], conjugate_a=True), C128), (TRI_FLAGS[15], F64)],
    ids=lambda x: _flags_id(x) if isinstance(x, dict) else _dtype_id(x))
def test_triangular_solve_matches_jax(flags, complex_):
    b_shape = (2, 3, 2) if flags["left_side"] else (2, 2, 3)
    ops = [_tri(2, 3, 3, complex_=complex_), _rand(b_shape, complex_)]
    tangents = [_rand((2, 3, 3), complex_), _rand(b_shape, complex_)]
    _, want_tan, cts, want_adj = _jax_rules(
        lambda a, b: lax.linalg.triangular_solve(a, b, **flags), ops, tangents, complex_)
    (tan,), adj = _ours(la.triangular_solve_p, ops, flags, tangents, [cts])
    _close(tan, want_tan)
    for got, want in zip(adj, want_adj):
        _close(got, want)


@pytest.mark.parametrize("shape,complex_", [((2, 4, 4), F64), ((3, 5), C128), ((5, 3), F64)],
                         ids=["2x4x4-f64", "3x5-c128", "5x3-f64"])
def test_lu_matches_jax(shape, complex_):
    a, t = _rand(shape, complex_), _rand(shape, complex_)
    want_lu, want_tan, ct, (want_adj,) = _jax_rules(lambda x: lax.linalg.lu(x)[0], [a], [t],
                                                    complex_)
    lu, piv, perm = la.lu_p.bind(axc.numpy.asarray(a))
    _close(lu, want_lu)  # same pivots, so the packed factors are comparable
    cts = [ct, np.zeros(piv.shape, np.int32), np.zeros(perm.shape, np.int32)]
    tan, (adj,) = _ours(la.lu_p, [a], {}, [t], cts)
    _close(tan[0], want_tan)
    _close(adj, want_adj)


@pytest.mark.parametrize("shape,full,complex_", [
    ((4, 4), True, C128), ((2, 5, 3), False, F64), ((5, 3), True, C128),
    ((2, 3, 5), False, C128)], ids=["4x4-full-c128", "2x5x3-f64", "5x3-full-c128", "2x3x5-c128"])
def test_qr_matches_jax(shape, full, complex_):
    a, t = _rand(shape, complex_), _rand(shape, complex_)
    want_out, want_tan, cts, (want_adj,) = _jax_rules(
        lambda x: lax.linalg.qr(x, full_matrices=full), [a], [t], complex_)
    for got, want in zip(la.qr_p.bind(axc.numpy.asarray(a), full_matrices=full), want_out):
        _close(got, want)  # same Householder signs, so raw Q and R are comparable
    tan, (adj,) = _ours(la.qr_p, [a], {"full_matrices": full}, [t], cts)
    for got, want in zip(tan, want_tan):
        _close(got, want)
    _close(adj, want_adj)


@pytest.mark.parametrize("complex_", [F64, C128], ids=_dtype_id)
def test_cholesky_matches_jax(complex_):
    # JAX's rule assumes a Hermitian tangent, and lax.linalg.cholesky symmetrises its input
    # (as jnp.linalg.cholesky does in both): there the two agree.
    a, t = _spd(2, 3, 3, complex_=complex_), _sym(_rand((2, 3, 3), complex_))
    _, want_tan, ct, (want_adj,) = _jax_rules(lax.linalg.cholesky, [a], [t], complex_)
    (tan,), (adj,) = _ours(la.cholesky_p, [a], {}, [t], [ct])
    _close(tan, want_tan)
    _close(_sym(adj), want_adj)


def _projector(v, c, xp=np):
    """``V diag(c) V^H``: invariant under the sign (phase) of each column of ``V``."""
    return xp.einsum("...ij,j,...kj->...ik", v, c, xp.conj(v))


def _projector_jvp(v, dv, c):
    d = np.einsum("...ij,j,...kj->...ik", dv, c, np.conj(v))
    return d + np.conj(np.swapaxes(d, -1, -2))


def _projector_vjp(v, g, c):
    """The cotangent of ``V`` from the cotangent ``g`` of ``V diag(c) V^H`` (JAX's rules)."""
    return (g + np.conj(np.swapaxes(g, -1, -2))) @ np.conj(v) * c


@pytest.mark.parametrize("complex_", [F64, C128], ids=_dtype_id)
def test_eigh_matches_jax(complex_):
    a, t = _spd(2, 3, 3, complex_=complex_), _sym(_rand((2, 3, 3), complex_))
    c = RNG.standard_normal(3)

    def f(x):
        v, w = lax.linalg.eigh(x)
        return _projector(v, c, jax.numpy), w
    _, (want_dp, want_dw), (gp, gw), (want_adj,) = _jax_rules(f, [a], [t], complex_)
    v = np.asarray(la.eigh_p.bind(axc.numpy.asarray(a), lower=True)[0])
    (dv, dw), (adj,) = _ours(la.eigh_p, [a], {"lower": True}, [t],
                             [_projector_vjp(v, gp, c), gw])
    _close(dw, want_dw)
    _close(_projector_jvp(v, dv, c), want_dp)
    _close(_sym(adj), want_adj)


@pytest.mark.parametrize("shape,full,complex_", [((4, 4), True, F64), ((2, 5, 3), False, C128),
                                                 ((3, 5), False, F64)],
                         ids=["4x4-full-f64", "2x5x3-c128", "3x5-f64"])
def test_svd_matches_jax(shape, full, complex_):
    a, t = _rand(shape, complex_), _rand(shape, complex_)
    k = min(shape[-2:])
    cu, cv = RNG.standard_normal(k), RNG.standard_normal(k)

    def f(x):
        u, s, vh = lax.linalg.svd(x, full_matrices=full)
        return s, _projector(u, cu, jax.numpy), _projector(jax.numpy.conj(vh).mT, cv, jax.numpy)
    _, want_tan, (gs, gu, gv), (want_adj,) = _jax_rules(f, [a], [t], complex_)
    params = {"full_matrices": full, "compute_uv": True}
    _, u, vt = (np.asarray(o) for o in la.svd_p.bind(axc.numpy.asarray(a), **params))
    v = np.conj(np.swapaxes(vt, -1, -2))
    gvt = np.conj(np.swapaxes(_projector_vjp(v, gv, cv), -1, -2))
    (ds, du, dvt), (adj,) = _ours(la.svd_p, [a], params, [t],
                                  [gs, _projector_vjp(u, gu, cu), gvt])
    _close(ds, want_tan[0])
    _close(_projector_jvp(u, du, cu), want_tan[1])
    _close(_projector_jvp(v, np.conj(np.swapaxes(dvt, -1, -2)), cv), want_tan[2])
    _close(adj, want_adj)


def test_singular_values_only_match_jax():
    a, t = _rand((2, 3, 5), True), _rand((2, 3, 5), True)
    params = {"full_matrices": True, "compute_uv": False}
    _, want_tan, gs, (want_adj,) = _jax_rules(lambda x: lax.linalg.svd(x, **params), [a], [t],
                                              True)
    (ds,), (adj,) = _ours(la.svd_p, [a], params, [t], [gs])
    _close(ds, want_tan)
    _close(adj, want_adj)


@pytest.mark.parametrize("shape", [(4, 4), (5, 3), (3, 5)], ids=_shape_id)
def test_svd_jvp_reconstructs_the_tangent(shape):
    """``d(U diag(s) Vt) == dA`` for complex input: the whole thin-SVD JVP, without JAX."""
    a, t = _rand(shape, True), _rand(shape, True)
    params = {"full_matrices": False, "compute_uv": True}
    (s, u, vt), (ds, du, dvt) = jvp_by_templates(
        la.svd_p, [axc.numpy.asarray(a)], [axc.numpy.asarray(t)], params)
    s, u, vt, ds, du, dvt = (np.asarray(x) for x in (s, u, vt, ds, du, dvt))
    _close(du * s @ vt + u * ds @ vt + u * s @ dvt, t)
