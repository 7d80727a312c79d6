"""JVP and adjoint templates of the elementwise and special primitives: finite differences,
transposition, and JAX's ``jax.jvp`` / ``jax.vjp`` of the matching ``jax.lax`` function."""
import inspect

import numpy as np
import pytest
from ad_rule_check import adjoint_by_templates, check_rules, jvp_by_templates
from axc.kernels import elementwise as ew
from axc.kernels import registry, special

import axc.numpy as anp

jax = pytest.importorskip("jax")
jnp = pytest.importorskip("jax.numpy")
lax = pytest.importorskip("jax.lax")

FAMILY = {n: p for n, p in registry.primitives().items()
          if p.family in ("elementwise", "special")}
NO_DERIVATIVE = {"and", "or", "xor", "not", "shift_left", "shift_right_arithmetic",
                 "shift_right_logical", "population_count", "eq", "ne", "lt", "le", "gt", "ge",
                 "is_finite", "nextafter"}


pytestmark = pytest.mark.usefixtures("x64_module")


def _uniform(lo, hi):
    return lambda rng, shape: rng.uniform(lo, hi, shape)


def _nonzero(rng, shape):
    return rng.uniform(0.2, 2.0, shape) * rng.choice([-1.0, 1.0], shape)


def _off_steps(rng, shape):
    """Away from the jumps of floor, ceil and round (so finite differences are 0)."""
    return rng.integers(-3, 3, shape) + rng.uniform(0.1, 0.4, shape)


# Real inputs inside each function's domain.
UNARY = {
    "neg": _uniform(-2, 2), "exp": _uniform(-2, 2), "exp2": _uniform(-2, 2),
    "log": _uniform(0.3, 3), "log1p": _uniform(-0.5, 2), "expm1": _uniform(-1, 1),
    "sqrt": _uniform(0.3, 3), "rsqrt": _uniform(0.3, 3), "cbrt": _nonzero,
    "logistic": _uniform(-3, 3), "sin": _uniform(-3, 3), "cos": _uniform(-3, 3),
    "tan": _uniform(-1, 1), "asin": _uniform(-0.8, 0.8), "acos": _uniform(-0.8, 0.8),
    "atan": _uniform(-2, 2), "sinh": _uniform(-2, 2), "cosh": _uniform(-2, 2),
    "tanh": _uniform(-2, 2), "asinh": _uniform(-2, 2), "acosh": _uniform(1.2, 3),
    "atanh": _uniform(-0.8, 0.8), "abs": _nonzero, "sign": _nonzero, "floor": _off_steps,
    "ceil": _off_steps, "round": _off_steps, "erf": _uniform(-2, 2), "erfc": _uniform(-2, 2),
    "erf_inv": _uniform(-0.8, 0.8), "lgamma": _uniform(0.3, 4), "digamma": _uniform(0.3, 4),
}
UNARY_PARAMS = {"round": {"rounding_method": 0}}
# (x, y) samplers of the binary primitives.
BINARY = {
    "add": (_uniform(-2, 2), _uniform(-2, 2)), "sub": (_uniform(-2, 2), _uniform(-2, 2)),
    "mul": (_uniform(-2, 2), _uniform(-2, 2)), "div": (_uniform(-2, 2), _nonzero),
    "rem": (_uniform(0.1, 5), _uniform(0.7, 1.3)), "pow": (_uniform(0.5, 2), _uniform(-2, 2)),
    "max": (_uniform(-2, 2), _uniform(-2, 2)), "min": (_uniform(-2, 2), _uniform(-2, 2)),
    "atan2": (_uniform(-2, 2), _uniform(-2, 2)),
}
SHAPES = [((2, 3), (2, 3)), ((3,), (2, 3)), ((2, 1), (1, 3)), ((), (2, 3)), ((2, 3), ())]
# Complex-differentiable (holomorphic) primitives: check_rules' pairing holds as is.
HOLOMORPHIC = ["neg", "exp", "exp2", "log", "log1p", "expm1", "sqrt", "rsqrt", "logistic",
               "sin", "cos", "tan", "asin", "acos", "atan", "sinh", "cosh", "tanh", "asinh",
               "acosh", "atanh"]


def _complex(rng, shape):
    """First-quadrant points near 0.5 + 0.4i: away from every branch cut."""
    return rng.uniform(0.3, 0.8, shape) + 1j * rng.uniform(0.2, 0.6, shape)


# --- every rule slot is filled with real, module-level functions -------------------------------

@pytest.mark.parametrize("name", sorted(FAMILY))
def test_rule_slots_are_templates_or_not_applicable(name):
    prim = FAMILY[name]
    for slot in ("jvp", "adjoint"):
        rule = getattr(prim, slot)
        if name in NO_DERIVATIVE:
            assert isinstance(rule, registry.NotApplicable) and rule.why
            continue
        assert isinstance(rule, registry.Templates), f"{name}.{slot} is {rule!r}"
        for fn in (*rule.per_operand, rule.rest):
            if fn is not None:
                module = inspect.getmodule(fn)
                assert module in (ew, special), fn
                assert getattr(module, fn.__name__) is fn, f"{fn} is not module-level"


# --- finite differences and transposition ------------------------------------------------------

@pytest.mark.parametrize("name", sorted(UNARY))
def test_unary(name):
    rng = np.random.default_rng(0)
    check_rules(FAMILY[name], [UNARY[name](rng, (2, 3))], UNARY_PARAMS.get(name))


@pytest.mark.parametrize("name", ["lgamma", "digamma"])
def test_gamma_functions_left_of_zero(name):
    check_rules(FAMILY[name], [np.random.default_rng(1).uniform(-2.8, -2.2, (5,))])


@pytest.mark.parametrize("shapes", SHAPES, ids=str)
@pytest.mark.parametrize("name", sorted(BINARY))
def test_binary_broadcasting(name, shapes):
    rng = np.random.default_rng(0)
    operands = [sample(rng, shape) for sample, shape in zip(BINARY[name], shapes)]
    check_rules(FAMILY[name], operands)


@pytest.mark.parametrize("name", HOLOMORPHIC)
def test_unary_complex(name):
    check_rules(FAMILY[name], [_complex(np.random.default_rng(0), (2, 3))])


@pytest.mark.parametrize("shapes", SHAPES[:3], ids=str)
@pytest.mark.parametrize("name", ["add", "sub", "mul", "div", "pow"])
def test_binary_complex(name, shapes):
    rng = np.random.default_rng(0)
    check_rules(FAMILY[name], [_complex(rng, shapes[0]), _complex(rng, shapes[1])])


@pytest.mark.parametrize("y", [-3, -1, 0, 1, 2, 5])
def test_integer_pow(y):
    x = np.random.default_rng(0).uniform(0.5, 2, (2, 3))
    check_rules(ew.integer_pow_p, [x], {"y": y})
    check_rules(ew.integer_pow_p, [x + 0.5j], {"y": y})


@pytest.mark.parametrize("shapes", [((), (2, 3), ()), ((3,), (2, 3), (2, 1)),
                                    ((2, 3), (2, 3), (2, 3))], ids=str)
def test_clamp(shapes):
    rng = np.random.default_rng(0)
    lo, x, hi = rng.uniform(-1, 0, shapes[0]), rng.uniform(-2, 2, shapes[1]), \
        rng.uniform(0.1, 1, shapes[2])
    check_rules(ew.clamp_p, [lo, x, hi])


@pytest.mark.parametrize("dtype", ["float64", "complex128"])
def test_select_n(dtype):
    rng = np.random.default_rng(0)
    x, y, z = (rng.standard_normal(s).astype(dtype) for s in [(2, 3), (3,), (2, 3)])
    check_rules(ew.select_n_p, [rng.random((2, 3)) > 0.5, x, y])
    check_rules(ew.select_n_p, [rng.integers(0, 3, (2, 3)).astype(np.int32), x, y, z])


def test_convert_element_type_between_floats():
    x = np.random.default_rng(0).uniform(-2, 2, (2, 3))
    check_rules(ew.convert_element_type_p, [x], {"new_dtype": np.dtype("float64")})


@pytest.mark.parametrize("new_dtype,x", [("int32", np.array([1.5, -2.5])),
                                         ("bool", np.array([1.5, 0.0])),
                                         ("float64", np.array([1, 2], np.int32))])
def test_convert_to_or_from_integers_has_zero_derivative(new_dtype, x):
    prim, params = ew.convert_element_type_p, {"new_dtype": np.dtype(new_dtype)}
    x = anp.asarray(x)
    ans, (tan,) = jvp_by_templates(prim, [x], [anp.ones_like(x)], params)
    (adj,) = adjoint_by_templates(prim, [x], [anp.ones_like(ans)], params, [0])
    assert tan.dtype == ans.dtype and not np.asarray(tan).any()
    assert adj.dtype == x.dtype and not np.asarray(adj).any()


@pytest.mark.parametrize("name", sorted(UNARY) + sorted(BINARY))
def test_float32_stays_float32(name):
    """Constants in the templates are weak: they must not promote float32 under x64."""
    rng = np.random.default_rng(0)
    samplers = BINARY.get(name) or (UNARY[name],)
    ops = [anp.asarray(s(rng, (3,)).astype(np.float32)) for s in samplers]
    prim, params = FAMILY[name], UNARY_PARAMS.get(name, {})
    for i in range(len(ops)):
        tangents = [None] * len(ops)
        tangents[i] = ops[i]
        ans, (tan,) = jvp_by_templates(prim, ops, tangents, params)
        (adj,) = adjoint_by_templates(prim, ops, [ans], params, [i])
        assert tan.dtype == adj.dtype == np.float32, (i, tan.dtype, adj.dtype)


# --- JAX as the oracle ---------------------------------------------------------------------------

def _jax_lax(name, params):
    fn = getattr(lax, name)
    if name == "round":
        return lambda x: fn(x, lax.RoundingMethod(params["rounding_method"]))
    if name == "integer_pow":
        return lambda x: fn(x, params["y"])
    if name == "convert_element_type":
        return lambda x: fn(x, params["new_dtype"])
    # lax does not broadcast (axc's primitives do, as NumPy does): broadcast first.
    return lambda *ops: fn(*jnp.broadcast_arrays(*ops))


def _compare_with_jax(name, operands, params=None, diff=None):
    """Templates' JVP (all differentiable operands at once) and VJP == JAX's."""
    params = params or {}
    prim = FAMILY[name]
    rng = np.random.default_rng(2)
    diff = [i for i in range(len(operands)) if prim.jvp(i) is not None] if diff is None else diff
    tangents = [rng.standard_normal(np.shape(operands[i])).astype(np.asarray(operands[i]).dtype)
                for i in diff]
    fn = _jax_lax(name, params)

    def f(*d):
        full = list(operands)
        for i, v in zip(diff, d):
            full[i] = v
        return fn(*full)
    primals = [operands[i] for i in diff]
    want_ans, want_tan = jax.jvp(f, primals, tangents)
    ops = [anp.asarray(o) for o in operands]
    ours = [None] * len(ops)
    for i, t in zip(diff, tangents):
        ours[i] = anp.asarray(t)
    ans, (tan,) = jvp_by_templates(prim, ops, ours, params)
    np.testing.assert_allclose(np.asarray(ans), want_ans, rtol=1e-12)
    np.testing.assert_allclose(np.asarray(tan), want_tan, rtol=1e-9, atol=1e-12)
    assert tan.dtype == want_tan.dtype
    ct = rng.standard_normal(np.shape(want_ans)).astype(want_ans.dtype)
    if np.iscomplexobj(ct):
        ct = ct + 1j * rng.standard_normal(ct.shape)
    want_cts = jax.vjp(f, *primals)[1](ct)
    got_cts = adjoint_by_templates(prim, ops, [anp.asarray(ct)], params, diff)
    for got, want in zip(got_cts, want_cts):
        assert got.dtype == want.dtype and got.shape == want.shape
        np.testing.assert_allclose(np.asarray(got), want, rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("name", sorted(UNARY))
def test_unary_matches_jax(name):
    x = UNARY[name](np.random.default_rng(3), (4,))
    _compare_with_jax(name, [x], UNARY_PARAMS.get(name))


@pytest.mark.parametrize("name", sorted(BINARY))
def test_binary_matches_jax(name):
    rng = np.random.default_rng(3)
    x, y = (sample(rng, s) for sample, s in zip(BINARY[name], [(2, 1), (3,)]))
    _compare_with_jax(name, [x, y])


@pytest.mark.parametrize("name,x", [
    ("abs", np.array([0.0, -1.5, 2.0])),             # the right derivative at 0
    ("abs", np.array([0j, 3 + 4j, -1 - 2j])),         # conj(x) / |x|, 0 at 0
    ("sqrt", np.array([0.0, 4.0])),                   # inf at 0
    ("sign", np.array([-2 + 1j, 0j])),
    ("real", np.array([1 + 2j, -3 - 0.5j])), ("imag", np.array([1 + 2j, -3 - 0.5j])),
    ("conj", np.array([1 + 2j, -3 - 0.5j])),
    ("digamma", np.array([-2.3, -0.6, 0.7, 9.5])),
    ("lgamma", np.array([-2.3, -0.6, 0.7, 9.5])),
], ids=["abs", "abs-complex", "sqrt", "sign-complex", "real", "imag", "conj", "digamma",
        "lgamma"])
def test_unary_edges_match_jax(name, x):
    _compare_with_jax(name, [x])


@pytest.mark.parametrize("name,x,y", [
    ("max", np.array([1.0, 2.0, 3.0]), np.array([1.0, 0.0, 4.0])),   # ties split 1/2
    ("min", np.array([1.0, 2.0, 3.0]), np.array([1.0, 0.0, 4.0])),
    ("pow", np.array([0.0, 0.0, 2.0]), np.array([2.0, 0.5, 0.0])),   # d/dy is 0 at x = 0
    ("complex", np.array([1.0, -2.0]), np.array([[0.5], [3.0]])),
], ids=["max-ties", "min-ties", "pow-at-zero", "complex"])
def test_binary_edges_match_jax(name, x, y):
    _compare_with_jax(name, [x, y])


@pytest.mark.filterwarnings("ignore::numpy.exceptions.ComplexWarning")  # JAX's own cast
@pytest.mark.parametrize("new_dtype,x", [
    ("float32", np.array([1.25, -2.0])), ("complex128", np.array([1.25, -2.0])),
    ("float64", np.array([1.25 + 3j, -2.0 - 1j])), ("float64", np.array([1.5, -2.5], np.float32)),
], ids=["f64-f32", "f64-c128", "c128-f64", "f32-f64"])
def test_convert_element_type_matches_jax(new_dtype, x):
    _compare_with_jax("convert_element_type", [x], {"new_dtype": np.dtype(new_dtype)})


@pytest.mark.parametrize("y", [-2, 0, 1, 3])
def test_integer_pow_matches_jax(y):
    _compare_with_jax("integer_pow", [np.array([0.5, -1.5, 2.0])], {"y": y})


def test_clamp_matches_jax_with_ties():
    x = np.array([-2.0, -1.0, 0.0, 1.0, 2.0])
    _compare_with_jax("clamp", [np.full(5, -1.0), x, np.full(5, 1.0)])


def test_select_n_matches_jax():
    rng = np.random.default_rng(0)
    which = rng.integers(0, 3, (2, 3)).astype(np.int32)
    _compare_with_jax("select_n", [which] + [rng.standard_normal((2, 3)) for _ in range(3)])
    _compare_with_jax("select_n", [which > 0, rng.standard_normal((3,)), np.float64(2.0)])


def test_trigamma_matches_scipy():
    """digamma's derivative; SciPy is the oracle (JAX's polygamma(1, x) is wrong below -15)."""
    ss = pytest.importorskip("scipy.special")
    x = np.concatenate([np.linspace(-20.3, 60, 2001), np.logspace(-8, 8, 50),
                        -np.logspace(-8, 0.5, 20) + 1e-3, [-15.0002, -2.999999]])
    got = np.asarray(special.trigamma(anp.asarray(x)))
    np.testing.assert_allclose(got, ss.polygamma(1, x), rtol=1e-13)
    assert np.isinf(np.asarray(special.trigamma(anp.asarray(np.array([0.0, -3.0]))))).all()
