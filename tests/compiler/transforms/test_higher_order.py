"""Derivatives of third and fourth order, and Jacobians of Jacobians: generated derivative
code differentiated again, against nested ``jax.grad`` / JAX's Jacobians and against finite
differences of the order below (float64)."""
from __future__ import annotations

import linecache
import re
import types

import jax
import numpy as np
import pytest
from axc.compiler.transforms import callees, support

import axc
import axc.numpy as jnp

# --- the functions (``jnp`` is rebound to jax.numpy for the oracle) ----------------------------

def sum_logistic(x):
    return jnp.sum(1.0 / (1.0 + jnp.exp(-x)))


def branchy(x):
    if x > 0.5:
        y = jnp.sin(x) * x
    else:
        y = jnp.cos(x) + x * x
    return y


def for_loop(x):
    y = x
    for _ in range(3):
        y = jnp.sin(y) * x
    return y


def while_loop(x):
    y = x
    n = 0
    while n < 3:
        y = jnp.tanh(y) + x * y
        n += 1
    return y


def calls_values(x):
    y = x
    for f in (jnp.sin, jnp.tanh):   # callees known only when the call runs
        y = f(y) * x
    return y


def vector_input(x):
    return jnp.sum(jnp.tanh(x) * x ** 2)


def vector_valued(x):
    return jnp.sin(x) * x[::-1] + x ** 3


def as_jax(fn):
    """``fn`` with ``jnp`` meaning jax.numpy (same code, other globals)."""
    return types.FunctionType(fn.__code__, {**fn.__globals__, "jnp": jax.numpy}, fn.__name__)


def total(y):
    """The sum of a 3-vector, by indexing (cheaper to differentiate again than jnp.sum)."""
    return y[0] + y[1] + y[2]


def nested(grad, fn, order: int, vector: bool = False):
    """``grad`` applied ``order`` times (each gradient of a vector summed to a scalar first)."""
    g = grad(fn)
    for _ in range(order - 1):
        g = grad(summed(g) if vector else g)
    return g


def summed(g):
    return lambda x: total(g(x))


VECTOR = np.array([0.3, -0.5, 1.2], np.float32)
SCALAR_CASES = [(sum_logistic, 1.0), (branchy, 0.8), (branchy, 0.3), (for_loop, 0.7),
                (while_loop, 0.4), (calls_values, 0.9), (vector_input, VECTOR)]
IDS = [f"{fn.__name__}-{i}" for i, (fn, _) in enumerate(SCALAR_CASES)]


def assert_close(got, want, rtol=2e-5, atol=1e-5):
    np.testing.assert_allclose(np.asarray(got), np.asarray(want), rtol=rtol, atol=atol)


# --- grad of grad of grad ----------------------------------------------------------------------

@pytest.mark.parametrize("fn,x", SCALAR_CASES, ids=IDS)
def test_third_order_matches_jax(fn, x):
    vector = np.ndim(x) > 0
    got = nested(axc.grad, fn, 3, vector)(x)
    assert_close(got, nested(jax.grad, as_jax(fn), 3, vector)(x))


@pytest.mark.parametrize("fn,x", [(branchy, 0.3), (for_loop, 0.7)], ids=["branchy", "for_loop"])
def test_fourth_order_matches_jax(fn, x):
    assert_close(nested(axc.grad, fn, 4)(x), nested(jax.grad, as_jax(fn), 4)(x), rtol=1e-4)


@pytest.fixture
def x64():
    with axc.config.override("jax_enable_x64", True):
        yield


@pytest.mark.parametrize("fn,x", [(sum_logistic, 1.0), (for_loop, 0.7), (calls_values, 0.9)],
                         ids=["sum_logistic", "for_loop", "calls_values"])
def test_third_order_matches_finite_differences(fn, x, x64):
    second = nested(axc.grad, fn, 2)
    eps = 1e-5
    fd = (second(np.float64(x + eps)) - second(np.float64(x - eps))) / (2 * eps)
    got = nested(axc.grad, fn, 3)(np.float64(x))
    assert np.asarray(got).dtype == np.float64
    assert_close(got, fd, rtol=1e-6, atol=1e-8)


def test_grad_sees_through_jit_at_third_order():
    """The quickstart's ``grad(jit(grad(jit(grad(sum_logistic)))))(1.0)``."""
    got = axc.grad(axc.jit(axc.grad(axc.jit(axc.grad(sum_logistic)))))(1.0)
    f = as_jax(sum_logistic)
    assert_close(got, jax.grad(jax.jit(jax.grad(jax.jit(jax.grad(f)))))(1.0))


def test_third_order_source_calls_helpers_with_rules():
    """Generated code of any order calls only ``ad`` helpers that carry their own rule (none
    is differentiated by reading its source), and stays readable Python."""
    g3 = nested(axc.grad, calls_values, 3)
    g3(0.9)
    compile(g3.source, "<third order>", "exec")
    assert "# grad of:" in g3.source
    sources = [text for name, (_, _, text, _) in linecache.cache.items()
               if name.startswith("<axc-generated")]
    helpers = {h for text in sources for h in re.findall(r"\bad\.(\w+)", "".join(text))}
    assert {"push", "pop", "cotangents", "call_fwd", "call_bwd", "add", "part"} <= helpers
    for name in helpers:
        obj = getattr(support, name)
        if getattr(obj, "__module__", None) == support.__name__:
            assert callees.classify(obj).kind in (callees.HELPER, callees.DYNAMIC,
                                                  callees.INACTIVE), name


@pytest.mark.parametrize("order", [2])
def test_loops_keep_tapes_aligned(order):
    """Each push of a generated primal pass pairs with one pop, at every order (a loop's trip
    count and branch flags live on the tape's control stack, which has no cotangents)."""
    def twice_looped(x):
        return for_loop(x) + while_loop(x * 0.5)

    got = nested(axc.grad, twice_looped, order)(0.6)
    f = as_jax(twice_looped)
    f.__globals__.update(for_loop=as_jax(for_loop), while_loop=as_jax(while_loop))
    assert_close(got, nested(jax.grad, f, order)(0.6))


def test_pullback_can_run_many_times():
    x = jnp.asarray(VECTOR)
    _, pullback = axc.vjp(for_loop, x)
    ct = jnp.asarray(np.array([1.0, -2.0, 0.5], np.float32))
    first, second = pullback(ct), pullback(ct)
    assert_close(second[0], first[0], rtol=0, atol=0)
    assert_close(first[0], jax.vjp(as_jax(for_loop), VECTOR)[1](np.asarray(ct))[0])


# --- Jacobians of Jacobians --------------------------------------------------------------------

PAIRS = [("jacfwd", "jacrev"), ("jacrev", "jacrev"), ("jacrev", "jacfwd"), ("jacfwd", "jacfwd")]


@pytest.mark.parametrize("outer,inner", PAIRS, ids=[f"{a}-{b}" for a, b in PAIRS])
def test_jacobian_of_jacobian_matches_jax(outer, inner):
    got = getattr(axc, outer)(getattr(axc, inner)(vector_valued))(jnp.asarray(VECTOR))
    want = getattr(jax, outer)(getattr(jax, inner)(as_jax(vector_valued)))(VECTOR)
    assert got.shape == (3, 3, 3)
    assert_close(got, want)


def test_hessian_seed():
    """The quickstart's ``jit(jacfwd(jacrev(fun)))`` on ``jnp.arange(3.)``."""
    def hessian(fun):
        return axc.jit(axc.jacfwd(axc.jacrev(fun)))

    got = hessian(sum_logistic)(jnp.arange(3.0))
    want = jax.jit(jax.jacfwd(jax.jacrev(as_jax(sum_logistic))))(jax.numpy.arange(3.0))
    assert_close(got, want)
    assert_close(axc.hessian(sum_logistic)(jnp.arange(3.0)), want)


def test_grad_jvp_and_vjp_of_jacobians():
    x, t = jnp.asarray(VECTOR), jnp.asarray(np.array([1.0, 0.5, -2.0], np.float32))
    w = np.arange(9.0, dtype=np.float32).reshape(3, 3)
    f = as_jax(vector_valued)

    def weighted(jac):
        return lambda x: jnp.sum(jac(x) * w)

    got = axc.grad(weighted(axc.jacrev(vector_valued)))(x)
    jax_weighted = lambda x: jax.numpy.sum(jax.jacrev(f)(x) * w)
    assert_close(got, jax.grad(jax_weighted)(VECTOR))
    _, tangent = axc.jvp(axc.jacrev(vector_valued), (x,), (t,))
    assert_close(tangent, jax.jvp(jax.jacrev(f), (VECTOR,), (np.asarray(t),))[1])
    _, pullback = axc.vjp(axc.jacfwd(vector_valued), x)
    assert_close(pullback(jnp.asarray(w))[0], jax.vjp(jax.jacfwd(f), VECTOR)[1](w)[0])


def test_jacobian_source_is_readable():
    source = axc.jacrev(vector_valued).source
    compile(source, "<jacrev>", "exec")
    assert source.startswith("def jacrev_vector_valued(x):")
    assert "vjp_vector_valued(x, " in source
    assert "def jacfwd_jacrev_vector_valued(x):" in axc.jacfwd(axc.jacrev(vector_valued)).source


def test_retransforming_jacobian_with_aux_is_refused():
    with pytest.raises(NotImplementedError, match="has_aux"):
        axc.grad(lambda x: jnp.sum(axc.jacrev(vector_valued, has_aux=True)(x)[0]))(VECTOR)
