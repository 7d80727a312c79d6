"""jvp, jacfwd and jacrev against JAX, for axc.numpy functions and user functions."""
import numpy as np
import pytest

import axc
import axc.numpy as anp

jax = pytest.importorskip("jax")
jnp = jax.numpy


def user_fn(x):
    return anp.sin(x) * x + x ** 2


def user_fn_jax(x):
    return jnp.sin(x) * x + x ** 2


CASES = [("sin", anp.sin, jnp.sin), ("exp", anp.exp, jnp.exp), ("user", user_fn, user_fn_jax)]
X = np.array([0.5, -1.0, 2.0], np.float32)


@pytest.mark.parametrize("name,fn,ref", CASES, ids=[c[0] for c in CASES])
def test_jvp_matches_jax(name, fn, ref):
    t = np.array([1.0, 0.5, -2.0], np.float32)
    out, tan = axc.jvp(fn, (anp.asarray(X),), (anp.asarray(t),))
    want_out, want_tan = jax.jvp(ref, (X,), (t,))
    np.testing.assert_allclose(np.asarray(out), want_out, rtol=1e-6)
    np.testing.assert_allclose(np.asarray(tan), want_tan, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("transform", ["jacfwd", "jacrev"])
@pytest.mark.parametrize("name,fn,ref", CASES, ids=[c[0] for c in CASES])
def test_jacobian_matches_jax(transform, name, fn, ref):
    got = getattr(axc, transform)(fn)(anp.asarray(X))
    want = getattr(jax, transform)(ref)(X)
    np.testing.assert_allclose(np.asarray(got), want, rtol=1e-5, atol=1e-6)
