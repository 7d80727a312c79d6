"""Special-function primitives vs ``jax.lax``: ulp distance, bit-exact erf/erf_inv, rules."""
import numpy as np
import pytest
from axc.kernels import registry, special
from axc.runtime.abstract import ShapedArray
from axc.runtime.array import wrap

jax = pytest.importorskip("jax")
lax = pytest.importorskip("jax.lax")

NAMES = ["erf", "erfc", "erf_inv", "lgamma", "digamma"]
_RNG = np.random.default_rng(1234)
_EDGES = [0.0, -0.0, 1.0, -1.0, 2.0, 0.5, -2.5, -3.0, 1e-30, 1e30, np.inf, -np.inf, np.nan]


def _inputs(name, dt):
    lo, hi = {"erf": (-5, 5), "erfc": (-5, 12), "erf_inv": (-1, 1), "lgamma": (-10, 30),
              "digamma": (-10, 30)}[name]
    vals = np.concatenate([_RNG.uniform(lo, hi, 4000), _EDGES])
    if name == "erf_inv":
        vals = np.concatenate([vals, 1 - np.logspace(-7, -1, 50), [0.999999, -0.9999999]])
    return vals.astype(dt)


def _ulps(a, b):
    """Distance in units in the last place (NaNs equal each other)."""
    a, b = np.asarray(a), np.asarray(b)
    it = np.int32 if a.dtype == np.float32 else np.int64
    ia, ib = a.view(it).astype(np.int64), b.view(it).astype(np.int64)
    # Map the sign-magnitude encoding onto a monotone integer line.
    ia = np.where(ia < 0, np.iinfo(it).min - ia, ia)
    ib = np.where(ib < 0, np.iinfo(it).min - ib, ib)
    same = (a == b) | (np.isnan(a) & np.isnan(b))
    return np.where(same, 0, np.abs(ia - ib))


def _jax(name, x):
    with jax.enable_x64(x.dtype == np.float64):
        return np.asarray(getattr(lax, name)(x))


def _ours(name, x):
    return getattr(special, f"{name}_p").impl(x)


# Largest differences seen against XLA's CPU kernels, which use their own exp/sin/cos:
# (max ulp overall, absolute tolerance near the zeros of lgamma/digamma where ulps of a
# tiny result mean nothing).
BUDGET = {("erf", "float32"): 0, ("erf_inv", "float32"): 0, ("erfc", "float32"): 8,
          ("lgamma", "float32"): None, ("digamma", "float32"): None,
          ("erf", "float64"): 4, ("erfc", "float64"): 32, ("erf_inv", "float64"): 4,
          ("lgamma", "float64"): None, ("digamma", "float64"): None}


@pytest.mark.parametrize("dt", ["float32", "float64"])
@pytest.mark.parametrize("name", NAMES)
def test_matches_jax(name, dt):
    x = _inputs(name, np.dtype(dt))
    got, want = _ours(name, x), _jax(name, x)
    assert got.dtype == want.dtype == x.dtype
    assert np.array_equal(np.isnan(got), np.isnan(want)), x[np.isnan(got) != np.isnan(want)]
    budget = BUDGET[(name, dt)]
    if budget is None:
        eps = np.finfo(dt).eps
        same = (got == want) | np.isnan(want)
        with np.errstate(invalid="ignore"):
            err = np.abs(got.astype(np.float64) - want)
        ok = same | (err <= 64 * eps * np.abs(want) + 16 * eps)
        assert ok.all(), list(zip(x[~ok], got[~ok], want[~ok]))[:5]
    else:
        worst = _ulps(got, want).max()
        assert worst <= budget, f"{name} {dt}: {worst} ulp"


def test_erf_inv_float32_is_bit_exact():
    # random.normal is built on erf_inv; JAX's values are reproduced exactly.
    x = np.random.default_rng(0).uniform(-1, 1, 100_000).astype(np.float32)
    assert np.array_equal(_ours("erf_inv", x), _jax("erf_inv", x))


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("dt", ["float16", "bfloat16"])
def test_half_precision_goes_through_float32(name, dt):
    from axc.runtime import dtypes
    dtype = dtypes.bfloat16 if dt == "bfloat16" else np.dtype(dt)
    x = np.array([-0.75, -0.25, 0.0, 0.3, 0.9], np.float32).astype(dtype)
    got = _ours(name, x)
    assert got.dtype == dtype
    want = _ours(name, x.astype(np.float32)).astype(dtype)
    np.testing.assert_array_equal(got.astype(np.float32), want.astype(np.float32))


@pytest.mark.parametrize("name", NAMES)
def test_special_values(name):
    x = np.array([np.nan, np.inf, -np.inf, 0.0, 1.0, -1.0, -2.0], np.float32)
    got, want = _ours(name, x), _jax(name, x)
    np.testing.assert_array_equal(got[:4], want[:4])  # nan, +-inf, 0: exactly as XLA
    np.testing.assert_allclose(got[4:], want[4:], rtol=1e-6, atol=1e-7)


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("dt", ["int32", "bool", "complex64"])
def test_rule_rejects_non_real_float(name, dt):
    prim = getattr(special, f"{name}_p")
    with pytest.raises(TypeError, match=name):
        prim.abstract_eval(ShapedArray((3,), np.dtype(dt)))


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("shape", [(), (0,), (3, 2)])
@pytest.mark.parametrize("weak", [False, True])
def test_abstract_eval_agrees_with_impl(name, shape, weak):
    prim = registry.get(name)
    x = np.full(shape, 0.25, np.float32)
    out = prim.bind(wrap(x, weak))
    aval = prim.abstract_eval(registry.aval_of(x, weak))
    assert (aval.shape, aval.dtype, aval.weak_type) == (out.shape, out.dtype, out.weak_type)
    assert prim.family == "special"
