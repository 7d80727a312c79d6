"""axc.numpy reductions against jax.numpy: values, dtypes, weak types and errors."""
from __future__ import annotations

import numpy as np
import pytest

import axc.numpy as anp
from axc.runtime import dtypes
from axc.runtime.array import wrap

jax = pytest.importorskip("jax")
jnp = pytest.importorskip("jax.numpy")

RNG = np.random.default_rng(1)
DTYPES = ["bool", "int8", "uint8", "int32", "uint32", "float16", "bfloat16", "float32",
          "complex64"]
SHAPES = [(), (0,), (5,), (3, 4), (2, 0, 3), (2, 3, 4)]


def data(shape, dt, nans=False):
    dt = np.dtype(dtypes.bfloat16) if dt == "bfloat16" else np.dtype(dt)
    if dt.kind == "b":
        x = RNG.random(shape) < 0.5
    elif dt.kind in "iu":
        x = RNG.integers(0 if dt.kind == "u" else -4, 5, shape)
    elif dt.kind == "c":
        x = RNG.normal(size=shape) + 1j * RNG.normal(size=shape)
    else:
        x = RNG.normal(size=shape)
        if nans and x.size:
            x[RNG.random(shape) < 0.3] = np.nan
    return np.asarray(x).astype(dt)


def tolerance(dt):
    dt = np.dtype(dt)
    if dt.kind not in "fcV":
        return 0
    return 2e-2 if dt.itemsize == 2 or dt == dtypes.bfloat16 else 2e-5


def assert_like(ours, theirs):
    """Same dtype, weak type, shape and values (to the dtype's rounding)."""
    if isinstance(theirs, tuple):
        assert isinstance(ours, tuple) and len(ours) == len(theirs)
        for o, t in zip(ours, theirs):
            assert_like(o, t)
        return
    assert isinstance(ours, anp.ndarray), type(ours)
    assert ours.dtype == theirs.dtype, (ours.dtype, theirs.dtype)
    assert ours.weak_type == theirs.weak_type, (ours.weak_type, theirs.weak_type)
    assert ours.shape == theirs.shape, (ours.shape, theirs.shape)
    a, b = np.asarray(ours), np.asarray(theirs)
    if a.dtype in (np.float16, dtypes.bfloat16):
        a, b = a.astype(np.float32), b.astype(np.float32)
    tol = tolerance(ours.dtype)
    if tol:
        np.testing.assert_allclose(a, b, rtol=tol, atol=tol, equal_nan=True)
    else:
        np.testing.assert_array_equal(a, b)


def compare(name, *args, **kwargs):
    """Call ``name`` in both libraries; same result, or the same exception class."""
    try:
        theirs = getattr(jnp, name)(*args, **kwargs)
    except Exception as e:  # noqa: BLE001 - the oracle's exception class is the expectation
        with pytest.raises(type(e)):
            getattr(anp, name)(*args, **kwargs)
        return None
    ours = getattr(anp, name)(*args, **kwargs)
    assert_like(ours, theirs)
    return ours


# --- plain reductions over every dtype and shape ------------------------------------------

BASIC = ["sum", "prod", "max", "min", "all", "any", "mean", "var", "std", "ptp",
         "count_nonzero", "argmax", "argmin", "cumsum", "cumprod", "median", "average", "amax",
         "amin", "nansum", "nanprod", "nanmax", "nanmin", "nanmean", "nanvar", "nanstd",
         "nanargmax", "nanargmin", "nancumsum", "nancumprod", "nanmedian"]


@pytest.mark.parametrize("name", BASIC)
@pytest.mark.parametrize("dt", DTYPES)
@pytest.mark.parametrize("shape", SHAPES, ids=str)
def test_reduce_all_axes(name, dt, shape):
    compare(name, data(shape, dt, nans=name.startswith("nan")))


AXES = [0, -1, (0, 1), (), (-1, 0), None]


@pytest.mark.parametrize("name", ["sum", "prod", "max", "min", "all", "any", "mean", "var",
                                  "std", "ptp", "count_nonzero", "nansum", "nanmax", "nanmean",
                                  "nanvar", "median", "nanmedian", "average"])
@pytest.mark.parametrize("dt", ["int8", "uint32", "float16", "float32"])
@pytest.mark.parametrize("axis", AXES, ids=str)
@pytest.mark.parametrize("keepdims", [False, True])
def test_reduce_axes_keepdims(name, dt, axis, keepdims):
    x = data((2, 3, 4), dt, nans=name.startswith("nan"))
    compare(name, x, axis=axis, keepdims=keepdims)


@pytest.mark.parametrize("name", ["argmax", "argmin", "nanargmax", "nanargmin"])
@pytest.mark.parametrize("axis", [None, 0, 1, -1, 2], ids=str)
@pytest.mark.parametrize("keepdims", [False, True])
def test_arg_reductions(name, axis, keepdims):
    x = data((3, 4), "float32", nans=True)
    x[1] = np.nan
    compare(name, x, axis=axis, keepdims=keepdims)


@pytest.mark.parametrize("name", ["cumsum", "cumprod", "nancumsum", "nancumprod"])
@pytest.mark.parametrize("dt", ["bool", "int8", "uint8", "float16", "float32", "complex64"])
@pytest.mark.parametrize("axis", [None, 0, 1, -1, 2], ids=str)
@pytest.mark.parametrize("dtype", [None, "int32", "float32", "bool"], ids=str)
def test_cumulative(name, dt, axis, dtype):
    compare(name, data((3, 4), dt, nans=True), axis=axis, dtype=dtype)


@pytest.mark.parametrize("name", ["cumulative_sum", "cumulative_prod"])
@pytest.mark.parametrize("dt", ["bool", "int8", "uint16", "float32"])
@pytest.mark.parametrize("shape,axis", [((5,), None), ((3, 4), 1), ((3, 4), -2),
                                        ((3, 4), None), ((), None), ((0, 2), 0)], ids=str)
@pytest.mark.parametrize("include_initial", [False, True])
def test_array_api_cumulative(name, dt, shape, axis, include_initial):
    compare(name, data(shape, dt), axis=axis, include_initial=include_initial)


def test_cumsum_python_scalar_is_raveled():
    compare("cumsum", 3.0, axis=0)
    compare("cumsum", np.float32(3), axis=0)
    compare("cumsum", jnp.float32(3), axis=0)  # a 0-d array is not: out of bounds


# --- dtype=, initial=, where= ------------------------------------------------------------------

@pytest.mark.parametrize("name", ["sum", "prod", "mean", "var", "std", "nansum", "nanprod",
                                  "nanmean", "nanvar", "nanstd", "cumsum", "cumprod"])
@pytest.mark.parametrize("dtype", ["int8", "int32", "uint8", "float16", "float32",
                                   "complex64", "bool"])
@pytest.mark.parametrize("dt", ["int8", "float32", "complex64"])
def test_dtype_argument(name, dtype, dt):
    compare(name, data((3, 4), dt), dtype=dtype)


@pytest.mark.parametrize("name", ["sum", "prod", "max", "min", "nansum", "nanprod", "nanmax",
                                  "nanmin"])
@pytest.mark.parametrize("dt", ["int8", "uint8", "float32", "bool"])
@pytest.mark.parametrize("initial", [None, 2, -1.5, True, np.zeros(2)], ids=str)
@pytest.mark.parametrize("axis", [None, 1])
def test_initial(name, dt, initial, axis):
    compare(name, data((3, 4), dt, nans=True), axis=axis, initial=initial)


@pytest.mark.parametrize("name", ["sum", "prod", "max", "min", "all", "any", "mean", "var",
                                  "std", "nansum", "nanmax", "nanmin", "nanmean", "nanvar",
                                  "nanstd", "nanprod"])
@pytest.mark.parametrize("where", ["mask", "row", "int", "none_true"])
@pytest.mark.parametrize("axis", [None, 0, 1])
def test_where(name, where, axis):
    x = data((3, 4), "float32", nans=name.startswith("nan"))
    w = {"mask": RNG.random((3, 4)) < 0.6, "row": np.array([True, False, True, True]),
         "int": np.ones((3, 4), np.int32), "none_true": np.zeros((3, 4), bool)}[where]
    compare(name, x, axis=axis, where=w)
    if name in ("max", "min", "nanmax", "nanmin"):
        compare(name, x, axis=axis, where=w, initial=0.5)


@pytest.mark.parametrize("name", ["sum", "mean", "max", "argmax", "cumsum", "median", "var",
                                  "nanmean", "quantile"])
def test_out_is_rejected(name):
    args = (np.ones(3), 0.5) if name == "quantile" else (np.ones(3),)
    compare(name, *args, out=np.ones(()))


# --- var/std options, average, quantiles -----------------------------------------------------

@pytest.mark.parametrize("name", ["var", "std", "nanvar", "nanstd"])
@pytest.mark.parametrize("kw", [{"ddof": 1}, {"ddof": 5}, {"correction": 1.5},
                                {"ddof": 1, "correction": 1}, {"mean": "given"}], ids=str)
@pytest.mark.parametrize("dt", ["int32", "float16", "complex64"])
def test_variance_options(name, kw, dt):
    x = data((3, 4), dt, nans=True)
    kw = dict(kw)
    if name.startswith("nan") and "correction" in kw:
        return  # nanvar/nanstd take ddof only
    if "mean" in kw:
        kw["mean"] = np.asarray(jnp.mean(jnp.asarray(x), axis=1, keepdims=True))
        kw["axis"] = 1
    compare(name, x, **kw)


@pytest.mark.parametrize("axis,wshape", [(None, None), (1, None), (1, (4,)), (None, (3, 4)),
                                         ((0, 1), (3, 4)), ((1, 0), (4, 3)), (None, (4,)),
                                         (0, (4,))], ids=str)
@pytest.mark.parametrize("returned", [False, True])
@pytest.mark.parametrize("keepdims", [False, True])
@pytest.mark.parametrize("dt", ["int32", "float16", "float32"])
def test_average(axis, wshape, returned, keepdims, dt):
    x = data((3, 4), dt)
    w = None if wshape is None else RNG.random(wshape).astype(np.float32) + 0.1
    compare("average", x, axis=axis, weights=w, returned=returned, keepdims=keepdims)


@pytest.mark.parametrize("name", ["quantile", "nanquantile", "percentile", "nanpercentile"])
@pytest.mark.parametrize("q", [0.0, 0.3, 1.0, [0.1, 0.5, 0.9], "int"], ids=str)
@pytest.mark.parametrize("axis", [None, 0, -1, (0, 2), (2, 0)], ids=str)
@pytest.mark.parametrize("method", ["linear", "lower", "higher", "midpoint", "nearest"])
@pytest.mark.parametrize("keepdims", [False, True])
def test_quantiles(name, q, axis, method, keepdims):
    x = data((2, 3, 4), "float32", nans=name.startswith("nan"))
    if name.startswith("nan"):
        x[0, :, 0] = np.nan  # some slices entirely NaN
    q = np.asarray(q if q != "int" else 1)
    if "percentile" in name:
        q = q * 100
        if method != "linear" and q.dtype.kind == "f" and (q == 100).any():
            # XLA rewrites JAX's q / 100 into a product that rounds 100% to just below the
            # last index; axc divides exactly, as NumPy does.
            ours = getattr(anp, name)(x, q, axis=axis, method=method, keepdims=keepdims)
            np.testing.assert_allclose(ours, getattr(np, name)(x, q, axis=axis, method=method,
                                                               keepdims=keepdims), rtol=1e-6)
            return
    compare(name, x, q.astype(np.float32) if q.dtype.kind == "f" else q, axis=axis,
            method=method, keepdims=keepdims)


@pytest.mark.parametrize("dt", ["bool", "int8", "uint8", "float16", "bfloat16", "float32"])
def test_quantile_dtypes(dt):
    x = data((4, 5), dt)
    compare("quantile", x, 0.25, axis=1)
    compare("median", x, axis=0)
    compare("percentile", x, np.array([10, 60]), axis=1)


def test_quantile_errors():
    x = np.arange(12.0).reshape(3, 4)
    compare("quantile", x, np.ones((2, 2)) * 0.5)
    compare("quantile", x, 0.5, method="foo")
    compare("quantile", x, 0.5, overwrite_input=True)
    compare("quantile", x, 1)  # integer q: floor is undefined
    compare("quantile", np.array([1j, 2j]), 0.5)
    with pytest.raises(NotImplementedError):
        anp.quantile(x, 0.5, weights=x, method="inverted_cdf")


def test_median_nan_propagates():
    x = np.array([[1.0, np.nan, 3.0], [1.0, 2.0, 3.0]], np.float32)
    compare("median", x, axis=1)
    compare("nanmedian", x, axis=1)
    compare("quantile", x, np.float32(0.7))


# --- weak types and non-array inputs -----------------------------------------------------------

def weak_pair(value, shape):
    """The same weakly typed array in axc and in JAX."""
    j = jax.lax.broadcast(jnp.asarray(value), shape)
    assert j.weak_type
    return wrap(np.asarray(j), True), j


@pytest.mark.parametrize("name", BASIC + ["sort", "cumulative_sum"])
@pytest.mark.parametrize("value", [2, 1.5])
def test_weak_input(name, value):
    ours_in, theirs_in = weak_pair(value, (3,))
    theirs = getattr(jnp, name)(theirs_in)
    ours = getattr(anp, name)(ours_in)
    assert_like(ours, theirs)


@pytest.mark.parametrize("name", ["sum", "prod", "max", "mean", "var", "argmax", "cumsum",
                                  "median", "all", "count_nonzero", "ptp"])
@pytest.mark.parametrize("value", [3, 2.5, True, np.float16(2), np.int8(3)], ids=repr)
def test_scalar_inputs(name, value):
    compare(name, value)


@pytest.mark.parametrize("name", ["sum", "mean", "max", "argmax", "cumsum", "median", "var"])
def test_non_array_inputs_are_rejected(name):
    with pytest.raises(TypeError):
        getattr(anp, name)([1, 2, 3])
    with pytest.raises(TypeError):
        getattr(anp, name)("abc")


# --- errors ----------------------------------------------------------------------------------

@pytest.mark.parametrize("name", ["sum", "max", "min", "mean", "var", "any", "argmax",
                                  "cumsum", "nanmax", "median"])
@pytest.mark.parametrize("axis", [2, -3, (0, 0), (0, -2)], ids=str)
def test_bad_axes(name, axis):
    compare(name, np.ones((3, 4), np.float32), axis=axis)


@pytest.mark.parametrize("name", ["max", "min", "amax", "argmax", "argmin", "ptp"])
def test_empty_without_identity(name):
    compare(name, np.zeros((0, 3), np.float32))
    compare(name, np.zeros((0, 3), np.float32), axis=0)
    compare(name, np.zeros((0, 3), np.float32), axis=1)


def test_error_messages():
    with pytest.raises(ValueError, match="zero-size array to reduction operation max"):
        anp.max(anp.zeros(0))
    with pytest.raises(ValueError, match="attempt to get argmax of an empty sequence"):
        anp.argmax(anp.zeros(0))
    with pytest.raises(NotImplementedError, match="'out' argument to jnp.sum"):
        anp.sum(anp.ones(3), out=anp.ones(()))
    with pytest.raises(ValueError, match="duplicate value in 'axis'"):
        anp.sum(anp.ones((2, 2)), axis=(1, 1))
    with pytest.raises(ValueError, match="does not have an identity"):
        anp.max(anp.ones(3), where=anp.ones(3, bool))
    with pytest.raises(ValueError, match="where must be None or a boolean array"):
        anp.sum(anp.ones(3), where=anp.ones(3))
    with pytest.raises(ValueError, match="ddof and correction"):
        anp.var(anp.ones(3), ddof=1, correction=1)
    with pytest.raises(TypeError):
        anp.argmax(anp.ones(3, "complex64"))
    with pytest.raises(TypeError):
        anp.ptp(anp.ones(3, bool))


def test_array_methods():
    x = anp.arange(12.0).reshape(3, 4)
    j = jnp.arange(12.0).reshape(3, 4)
    for name in ["sum", "prod", "mean", "std", "var", "min", "max", "argmin", "argmax", "all",
                 "any", "cumsum", "cumprod", "ptp"]:
        assert_like(getattr(x, name)(), getattr(j, name)())
        assert_like(getattr(x, name)(axis=1), getattr(j, name)(axis=1))
    assert_like(x.sum(1, keepdims=True), j.sum(1, keepdims=True))
