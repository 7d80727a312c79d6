"""``axc.nn`` vs ``jax.nn``: values, dtypes, weak types and errors."""
import warnings

import numpy as np
import pytest
from axc.kernels import nn as knn
from axc.runtime import dtypes

import axc.nn as ann

jax = pytest.importorskip("jax")
jnp = pytest.importorskip("jax.numpy")
from jax_oracle import eval_shape_at  # after the skip: it needs jax

RNG = np.random.default_rng(5)
X = (RNG.standard_normal((3, 4)) * 4).astype(np.float32)

ELEMENTWISE = sorted(set(knn.__all__) - {"one_hot", "logsumexp", "softmax", "log_softmax",
                                         "standardize", "glu"})
INPUTS = {
    "f32": X,
    "int": np.arange(-4, 8, dtype=np.int32),
    "pyfloat": 2.5,
    "pyint": 3,
    "specials": np.array([np.nan, np.inf, -np.inf, 0.0, -0.0], np.float32),
    "bf16": X.astype(dtypes.bfloat16),
    "empty": np.zeros((0, 2), np.float32),
}


def _eval_shape(fn, args, kwargs):
    traced = [i for i, a in enumerate(args) if isinstance(a, np.ndarray) or
              (i == 0 and type(a) in (bool, int, float, complex))]
    return eval_shape_at(fn, args, kwargs, traced)


def _compare(fn_name, *args, tol=1e-6, values=True, ref=None, **kwargs):
    """Against JAX: values (``values=True``, XLA compiles) or only the abstract value
    (shape, dtype, weak type, error class), then values from the NumPy ``ref`` if given."""
    afn, jfn = getattr(ann, fn_name), getattr(jax.nn, fn_name)
    values = values and ref is None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        try:
            want = jfn(*args, **kwargs) if values else _eval_shape(jfn, args, kwargs)
        except Exception as e:  # noqa: BLE001 - JAX refuses: axc must refuse with the same class
            with pytest.raises(type(e)):
                afn(*args, **kwargs)
            return None
        got = afn(*args, **kwargs)
    pairs = zip(got, want) if isinstance(want, tuple) else [(got, want)]
    for g, w in pairs:
        assert (g.shape, g.dtype, g.weak_type) == (w.shape, w.dtype, w.weak_type)
        if values:
            _assert_close(g, w, tol)
    if ref is not None:
        with np.errstate(all="ignore"):
            expect = ref(*[_wide(a) for a in args], **kwargs)
        for g, r in (zip(got, expect) if isinstance(got, tuple) else [(got, expect)]):
            _assert_close(g, r, tol)
    return got


def _assert_close(got, want, tol):
    wide = np.complex128 if np.asarray(got).dtype.kind == "c" else np.float64
    np.testing.assert_allclose(np.asarray(got, wide), np.asarray(want, wide), rtol=tol,
                               atol=tol, equal_nan=True)


def _wide(a):
    if isinstance(a, np.ndarray) and a.dtype.kind in "iufc":
        return a.astype(np.complex128 if a.dtype.kind == "c" else np.float64)
    return a


# --- NumPy references (float64) -----------------------------------------------------------------

def _masked_max(x, axis, where):
    return np.max(np.where(where, x, -np.inf), axis=axis, keepdims=True, initial=-np.inf)


def _ref_softmax(x, axis=-1, where=True):
    x = np.asarray(x, np.float64)
    e = np.where(where, np.exp(x - _masked_max(x, axis, where)), 0)
    return np.where(where, e / np.sum(e, axis=axis, keepdims=True), 0)


def _ref_log_softmax(x, axis=-1, where=True):
    x = np.asarray(x, np.float64)
    shifted = x - _masked_max(x, axis, where)
    total = np.sum(np.where(where, np.exp(shifted), 0), axis=axis, keepdims=True)
    return np.where(where, shifted - np.log(total), -np.inf)


def _ref_logsumexp(a, axis=None, b=None, keepdims=False, return_sign=False, where=True):
    a = np.asarray(a)
    a = a.astype(np.complex128 if a.dtype.kind == "c" else np.float64)
    if b is not None:
        a = np.where(b != 0, a, -np.inf)
    axis = tuple(range(a.ndim)) if axis is None else axis
    amax = np.max(np.where(where, a.real, -np.inf), axis=axis, keepdims=True, initial=-np.inf)
    amax = np.where(np.isfinite(amax), amax, 0)
    terms = np.exp(a - amax) * (1 if b is None else b)
    total = np.sum(np.where(where, terms, 0), axis=axis, keepdims=True)
    sign = np.sign(total)
    out = np.log(total if (a.dtype.kind == "c" and not return_sign) else np.abs(total)) + amax
    if not keepdims:
        out, sign = np.squeeze(out, axis), np.squeeze(sign, axis)
    if return_sign:
        return out, sign
    return np.where(sign < 0, np.nan, out) if b is not None else out





def test_namespace_exports():
    assert set(knn.__all__) <= set(dir(ann))
    assert ann.swish is ann.silu and ann.hard_swish is ann.hard_silu


@pytest.mark.parametrize("name", ELEMENTWISE)
def test_elementwise_values(name):
    x = np.concatenate([X.ravel(), INPUTS["specials"]])
    _compare(name, x, tol=2e-6)


@pytest.mark.parametrize("kind", list(INPUTS))
@pytest.mark.parametrize("name", ELEMENTWISE)
def test_elementwise_types(name, kind):
    x = INPUTS[kind]
    got = _compare(name, x, values=False)
    if got is None or kind in ("f32", "specials", "empty"):
        return
    # The values follow the float32 computation (rounded to bfloat16 for bfloat16 input).
    ref = np.asarray(getattr(ann, name)(np.asarray(x, np.float32)), np.float64)
    tol = 2e-2 if kind == "bf16" else 1e-6
    np.testing.assert_allclose(np.asarray(got, np.float64), ref, rtol=tol, atol=tol)


@pytest.mark.parametrize("name,kw", [("gelu", {"approximate": False}), ("elu", {"alpha": 0.5}),
                                     ("celu", {"alpha": 2.0}),
                                     ("leaky_relu", {"negative_slope": 0.2}),
                                     ("squareplus", {"b": 1.0})])
def test_activation_parameters(name, kw):
    _compare(name, X, tol=2e-6, **kw)


@pytest.mark.parametrize("name", ["softmax", "log_softmax"])
@pytest.mark.parametrize("kw", [{}, {"axis": 0}, {"axis": None}, {"axis": (0, 1)},
                                {"where": X > 0}, {"axis": 2}], ids=str)
def test_softmax(name, kw):
    ref = _ref_softmax if name == "softmax" else _ref_log_softmax
    _compare(name, X, ref=None if not kw else ref, tol=2e-6, **kw)


@pytest.mark.parametrize("name", ["softmax", "log_softmax"])
@pytest.mark.parametrize("x", [np.arange(3, dtype=np.int32), np.ones((0,), np.float32),
                               np.array([-np.inf, 0.0, 1.0], np.float32),
                               np.array([-np.inf, -np.inf], np.float32), 2.0,
                               np.array([1e30, 1e30], np.float32)], ids=str)
def test_softmax_edge_cases(name, x):
    _compare(name, x, ref=_ref_softmax if name == "softmax" else _ref_log_softmax)


@pytest.mark.parametrize("kw", [{}, {"axis": 0}, {"axis": 1, "keepdims": True},
                                {"b": np.abs(X)}, {"b": X}, {"b": X, "return_sign": True},
                                {"where": X > 0}, {"axis": (0, 1)}, {"axis": 3}], ids=str)
def test_logsumexp(kw):
    _compare("logsumexp", X, tol=1e-5, ref=None if not kw else _ref_logsumexp, **kw)


@pytest.mark.parametrize("x", [np.arange(-3, 3, dtype=np.int32), 2.0,
                               np.array([-np.inf, -np.inf], np.float32),
                               np.array([np.inf, 1.0], np.float32),
                               (X + 1j * X).astype(np.complex64)], ids=str)
def test_logsumexp_inputs(x):
    _compare("logsumexp", x, tol=1e-5, ref=_ref_logsumexp)


@pytest.mark.parametrize("kw", [{}, {"axis": 0}, {"algorithm": "stable"}, {"where": X > 0},
                                {"mean": 1.0, "variance": 2.0}, {"epsilon": 0.1},
                                {"algorithm": "other"}], ids=str)
def test_standardize(kw):
    _compare("standardize", X, tol=1e-5, **kw)
    _compare("standardize", np.arange(6, dtype=np.int32), tol=1e-5, **kw)


@pytest.mark.parametrize("x,n,kw", [
    (np.array([0, 2, 5, -1]), 3, {}),
    (np.array([[0, 1]]), 3, {"axis": 0, "dtype": jnp.int8}),
    (np.array([[0, 1], [2, 2]]), 4, {"axis": 1}),
    (np.array([0.0, 2.0]), 3, {}),
    (np.array([0, 2]), 3, {"dtype": np.int32}),
    (1, 3, {}),
    (np.zeros((0,), np.int32), 2, {}),
    (np.array([0, 1], np.uint8), 300, {"dtype": "bool"}),
    (np.array([0, 1]), 3, {"axis": 5}),
], ids=str)
def test_one_hot(x, n, kw):
    _compare("one_hot", x, n, **kw)


@pytest.mark.parametrize("shape,axis", [((3, 4), -1), ((4, 3), 0), ((3,), 0), ((2, 6), 1)],
                         ids=str)
def test_glu(shape, axis):
    _compare("glu", RNG.standard_normal(shape).astype(np.float32), axis=axis)
