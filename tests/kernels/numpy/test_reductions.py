"""axc.numpy reductions against jax.numpy: values, dtypes, weak types and errors."""
from __future__ import annotations

import warnings

import numpy as np
import pytest
from axc.runtime import dtypes
from axc.runtime.array import wrap

import axc.numpy as anp

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


def _check_values(ours, expected, what=""):
    a, b = np.asarray(ours), np.asarray(expected)
    if a.dtype in (np.float16, dtypes.bfloat16):
        a, b = a.astype(np.float32), b.astype(np.float32)
    tol = tolerance(ours.dtype)
    if tol:
        np.testing.assert_allclose(a, b, rtol=tol, atol=tol, equal_nan=True, err_msg=what)
    else:
        np.testing.assert_array_equal(a, b, err_msg=what)


def assert_like(ours, theirs, what=""):
    """Same dtype, weak type, shape and values (to the dtype's rounding)."""
    if isinstance(theirs, (tuple, list)):
        assert isinstance(ours, tuple) and len(ours) == len(theirs), what
        for o, t in zip(ours, theirs):
            assert_like(o, t, what)
        return
    assert isinstance(ours, anp.ndarray), (type(ours), what)
    assert (ours.dtype, ours.weak_type, ours.shape) == \
        (theirs.dtype, theirs.weak_type, theirs.shape), what
    _check_values(ours, theirs, what)


def jax_spec(name, args, kwargs):
    """JAX's result type (shape, dtype, weak type) by tracing only, or the exception raised.

    Weakly typed axc arrays are traced as weakly typed abstract inputs; everything else is
    a constant of the traced function.
    """
    weak = [i for i, a in enumerate(args) if isinstance(a, anp.ndarray) and a.weak_type]
    structs = [jax.ShapeDtypeStruct(args[i].shape, args[i].dtype, weak_type=True)
               for i in weak]
    consts = [np.asarray(a) if isinstance(a, anp.ndarray) else a for a in args]

    def fn(*traced):
        full = list(consts)
        for i, t in zip(weak, traced):
            full[i] = t
        return getattr(jnp, name)(*full, **kwargs)

    try:
        return jax.eval_shape(fn, *structs)
    except Exception as e:  # noqa: BLE001 - the oracle's exception is the expectation
        return e


def _wide(x):
    x = np.asarray(x)
    if x.dtype == dtypes.bfloat16 or x.dtype.kind == "f":
        return x.astype(np.float64)
    if x.dtype.kind == "c":
        return x.astype(np.complex128)
    if x.dtype.kind in "iu":
        return x.astype(np.int64 if x.dtype.kind == "i" else np.uint64)
    return x


def _nan_arg(fn, x, axis=None, keepdims=False, out=None):
    nan = np.isnan(x) if x.dtype.kind in "fc" else np.zeros(x.shape, bool)
    fill = -np.inf if fn is np.argmax else np.inf
    res = fn(np.where(nan, fill, x), axis=axis, keepdims=keepdims)
    return np.where(np.all(nan, axis=axis, keepdims=keepdims), -1, res)


_VAR = ("var", "std", "nanvar", "nanstd")


def xla_cast(x, dt):
    """``x.astype(dt)`` as XLA converts: float to int saturates, NaN becomes 0."""
    x = np.asarray(x)
    if dt.kind in "iu" and x.dtype.kind in "fcV":
        info = np.iinfo(dt)
        x = np.clip(np.where(np.isnan(x.real), 0, x.real), info.min, info.max)
    return x.astype(dt)


def numpy_ref(name, args, kwargs):
    """NumPy's answer in wide precision (cast to JAX's dtype by the caller)."""
    kw = dict(kwargs)
    x = np.asarray(args[0])
    if name.startswith("nan") and x.dtype.kind in "fcV":
        x = np.where(np.isnan(x), 1 if "prod" in name else 0, x).astype(x.dtype) \
            if "sum" in name or "prod" in name else x
    if kw.get("dtype") is not None:
        x = xla_cast(x, dtypes.canonicalize_dtype(np.dtype(kw.pop("dtype"))))
    kw.pop("dtype", None)
    if kw.get("initial") is not None and np.ndim(kw["initial"]) == 0:
        # JAX folds ``initial`` in after converting it to the accumulation dtype.
        acc = np.dtype(np.int32) if x.dtype == bool and ("sum" in name or "prod" in name) \
            else x.dtype
        kw["initial"] = _wide(xla_cast(np.asarray(kw["initial"]), acc))
    x = _wide(x)
    if name in ("nanargmax", "nanargmin"):
        return _nan_arg(np.argmax if name == "nanargmax" else np.argmin, x, **kw)
    out = getattr(np, name)(x, *args[1:], **kw)
    if name in _VAR:  # JAX gives NaN where no degrees of freedom are left
        ddof = kw.get("ddof", 0) if kw.get("correction") is None else kw["correction"]
        valid = ~np.isnan(x) if name.startswith("nan") else np.ones(x.shape, bool)
        where = kw.get("where")
        valid = valid & where if where is not None else valid
        n = np.sum(valid, axis=kw.get("axis"), keepdims=kw.get("keepdims", False))
        out = np.where(n - ddof > 0, out, np.nan)
    return out


def compare(name, *args, values=True, **kwargs):
    """``anp.name`` against JAX's type rule and error class and NumPy's values."""
    spec = jax_spec(name, args, kwargs)
    if isinstance(spec, Exception):
        with pytest.raises(type(spec)):
            getattr(anp, name)(*args, **kwargs)
        return None
    try:
        ours = getattr(anp, name)(*args, **kwargs)
    except Exception as e:  # noqa: BLE001
        # Some JAX errors only surface when the traced program is lowered: run it.
        with pytest.raises(type(e)):
            getattr(jnp, name)(*[np.asarray(a) if isinstance(a, anp.ndarray) else a
                                 for a in args], **kwargs)
        return None
    what = f"{name}({', '.join(map(repr, args[1:]))}, {kwargs})"
    specs = spec if isinstance(spec, (tuple, list)) else (spec,)
    outs = ours if isinstance(ours, tuple) else (ours,)
    assert len(outs) == len(specs), what
    for o, sp in zip(outs, specs):
        assert isinstance(o, anp.ndarray), what
        assert (o.shape, o.dtype, o.weak_type) == (sp.shape, sp.dtype, sp.weak_type), what
    if values:
        with np.errstate(all="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            expected = numpy_ref(name, args, kwargs)
        expected = expected if isinstance(expected, tuple) else (expected,)
        for o, e, sp in zip(outs, expected, specs):
            with np.errstate(all="ignore"), warnings.catch_warnings():
                warnings.simplefilter("ignore")
                e = np.asarray(e).astype(sp.dtype)
            _check_values(o, e, what)
    return ours


def compare_jax(cases):
    """Values, types and errors against JAX itself, compiled once for all ``cases``.

    Each case is ``(name, args, kwargs)``; array arguments become jit inputs.
    """
    ok = []
    for name, args, kwargs in cases:
        spec = jax_spec(name, args, kwargs)
        if isinstance(spec, Exception):
            with pytest.raises(type(spec)):
                getattr(anp, name)(*args, **kwargs)
        else:
            ok.append((name, args, kwargs))
    flat = [a for _, args, _ in ok for a in args if isinstance(a, np.ndarray)]

    def run(*arrays):
        it = iter(arrays)
        return [getattr(jnp, name)(*[next(it) if isinstance(a, np.ndarray) else a
                                     for a in args], **kwargs) for name, args, kwargs in ok]

    expected = jax.jit(run)(*flat)
    for (name, args, kwargs), theirs in zip(ok, expected):
        assert_like(getattr(anp, name)(*args, **kwargs), theirs, f"{name} {kwargs}")


# --- plain reductions over every dtype and shape ------------------------------------------

BASIC = ["sum", "prod", "max", "min", "all", "any", "mean", "var", "std", "ptp",
         "count_nonzero", "argmax", "argmin", "cumsum", "cumprod", "median", "average", "amax",
         "amin", "nansum", "nanprod", "nanmax", "nanmin", "nanmean", "nanvar", "nanstd",
         "nanargmax", "nanargmin", "nancumsum", "nancumprod", "nanmedian"]


@pytest.mark.parametrize("name", BASIC)
def test_reduce_dtypes(name):
    for dt in DTYPES:
        compare(name, data((3, 4), dt, nans=name.startswith("nan")))


@pytest.mark.parametrize("name", BASIC)
@pytest.mark.parametrize("shape", [(), (0,), (2, 0, 3)], ids=str)
def test_reduce_edge_shapes(name, shape):
    compare(name, data(shape, "float32", nans=name.startswith("nan")))


AXES = [0, -1, (0, 1), (), (-1, 0), None]


@pytest.mark.parametrize("name", ["sum", "prod", "max", "min", "all", "any", "mean", "var",
                                  "std", "ptp", "count_nonzero", "nansum", "nanmax", "nanmean",
                                  "nanvar", "median", "nanmedian", "average"])
@pytest.mark.parametrize("axis", AXES, ids=str)
def test_reduce_axes_keepdims(name, axis):
    x = data((3, 4), "float32", nans=name.startswith("nan"))
    for keepdims in (False, True):
        compare(name, x, axis=axis, keepdims=keepdims)
    compare(name, data((3, 4), "int8"), axis=axis)


@pytest.mark.parametrize("name", ["argmax", "argmin", "nanargmax", "nanargmin"])
@pytest.mark.parametrize("axis", [None, 0, 1, -1, 2], ids=str)
@pytest.mark.parametrize("keepdims", [False, True])
def test_arg_reductions(name, axis, keepdims):
    x = data((3, 4), "float32", nans=True)
    x[1] = np.nan
    compare(name, x, axis=axis, keepdims=keepdims)


@pytest.mark.parametrize("name", ["cumsum", "cumprod", "nancumsum", "nancumprod"])
@pytest.mark.parametrize("dt", ["bool", "int8", "uint8", "float16", "float32", "complex64"])
@pytest.mark.parametrize("axis", [None, -1, 2], ids=str)
def test_cumulative(name, dt, axis):
    compare(name, data((3, 4), dt, nans=True), axis=axis)


@pytest.mark.parametrize("name", ["cumsum", "cumprod", "nancumsum"])
@pytest.mark.parametrize("dtype", ["int32", "float32", "bool", "uint8"])
def test_cumulative_dtype(name, dtype):
    compare(name, data((3, 4), "float32", nans=True), axis=0, dtype=dtype)
    compare(name, np.array([[1, -1, 2], [0, 0, 3]], np.int8), axis=1, dtype=dtype)


@pytest.mark.parametrize("name", ["cumulative_sum", "cumulative_prod"])
@pytest.mark.parametrize("dt", ["bool", "int8", "uint16", "float32"])
@pytest.mark.parametrize("shape,axis", [((5,), None), ((3, 4), 1), ((3, 4), -2),
                                        ((3, 4), None), ((), None), ((0, 2), 0)], ids=str)
def test_array_api_cumulative(name, dt, shape, axis):
    compare(name, data(shape, dt), axis=axis, include_initial=dt in ("int8", "float32"))


def test_cumsum_python_scalar_is_raveled():
    compare("cumsum", 3.0, axis=0)
    compare("cumsum", np.float32(3), axis=0)
    compare("cumsum", jnp.float32(3), axis=0)  # a 0-d array is not: out of bounds


# --- dtype=, initial=, where= ------------------------------------------------------------------

@pytest.mark.parametrize("name", ["sum", "prod", "mean", "var", "std", "nansum", "nanprod",
                                  "nanmean", "nanvar", "nanstd"])
@pytest.mark.parametrize("dtype", ["int8", "uint8", "float16", "float32", "complex64", "bool"])
def test_dtype_argument(name, dtype):
    # An integer dtype makes means and variances compute in integers (JAX's rule); the
    # NumPy oracle does not follow that, so only their types are checked then.
    values = name in ("sum", "prod", "nansum", "nanprod") or np.dtype(dtype).kind in "fc"
    compare(name, data((3, 4), "int8"), dtype=dtype, values=values)
    compare(name, data((3, 4), "float32"), dtype=dtype, values=values)


@pytest.mark.parametrize("name", ["sum", "prod", "max", "min", "nansum", "nanprod", "nanmax",
                                  "nanmin"])
@pytest.mark.parametrize("dt", ["int8", "uint8", "float32", "bool"])
def test_initial(name, dt):
    x = data((3, 4), dt, nans=True)
    for initial in (2, -1.5, True, np.zeros(2)):
        compare(name, x, axis=1, initial=initial)
    compare(name, x, initial=2)


@pytest.mark.parametrize("name", ["sum", "prod", "max", "min", "all", "any", "mean", "var",
                                  "std", "nansum", "nanmax", "nanmin", "nanmean", "nanvar",
                                  "nanstd", "nanprod"])
@pytest.mark.parametrize("where", ["mask", "row", "int", "none_true"])
@pytest.mark.parametrize("axis", [None, 1])
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
@pytest.mark.parametrize("dt", ["int32", "float16", "complex64"])
def test_variance_options(name, dt):
    x = data((3, 4), dt, nans=True)
    for kw in ({"ddof": 1}, {"ddof": 5}, {"correction": 1.5}, {"ddof": 1, "correction": 1}):
        if not (name.startswith("nan") and "correction" in kw):  # nanvar/nanstd: ddof only
            compare(name, x, **kw)
    mean = np.nanmean(x.astype(np.float64), axis=1, keepdims=True).astype(np.float32)
    compare(name, x, axis=1, mean=mean)


@pytest.mark.parametrize("axis,wshape", [(None, None), (1, None), (1, (4,)), (None, (3, 4)),
                                         ((0, 1), (3, 4)), ((1, 0), (4, 3)), (None, (4,)),
                                         (0, (4,))], ids=str)
@pytest.mark.parametrize("dt", ["int32", "float16", "float32"])
def test_average(axis, wshape, dt):
    x = data((3, 4), dt)
    w = None if wshape is None else RNG.random(wshape).astype(np.float32) + 0.1
    compare("average", x, axis=axis, weights=w, returned=dt == "float32",
            keepdims=dt == "float16")


@pytest.mark.parametrize("name", ["quantile", "nanquantile"])
def test_quantiles(name):
    x = data((2, 3, 4), "float32", nans=True)
    x[0, :, 0] = np.nan  # slices entirely NaN
    y = data((2, 3, 4), "float32")
    cases = []
    qs = np.array([0.0, 0.3, 0.5, 0.9, 1.0], np.float32)
    for method in ["linear", "lower", "higher", "midpoint", "nearest"]:
        for axis in [None, -1, (2, 0)]:
            keepdims = method in ("linear", "nearest")
            cases.append((name, (x, qs), {"axis": axis, "method": method,
                                          "keepdims": keepdims}))
            cases.append((name, (y, qs), {"axis": axis, "method": method}))
    for q in [np.float32(0.3), np.float32(1.0)]:
        cases.append((name, (x, q), {"axis": 1, "keepdims": True}))
        cases.append((name, (y, q), {"axis": (0, 2)}))
    compare_jax(cases)


@pytest.mark.parametrize("name", ["percentile", "nanpercentile"])
def test_percentiles(name):
    x = data((3, 4), "float32", nans=True)
    cases = [(name, (x, q), {"axis": axis, "method": "linear", "keepdims": axis == 1})
             for q in [np.float32(30.0), np.array([0, 50, 90], np.int32), 100]
             for axis in [None, 1]]
    compare_jax(cases)
    # XLA rewrites JAX's q / 100 as a product that can round 100% just below the last
    # index; axc divides exactly, as NumPy does.
    for method in ["lower", "higher", "nearest", "midpoint"]:
        ours = getattr(anp, name)(x, 100, axis=1, method=method)
        np.testing.assert_allclose(ours, getattr(np, name)(x, 100, axis=1, method=method))


def test_quantile_dtypes_and_median():
    cases = []
    for dt in ["bool", "int8", "uint8", "float16", "bfloat16", "float32"]:
        x = data((4, 5), dt)
        cases += [("quantile", (x, 0.25), {"axis": 1}), ("median", (x,), {"axis": 0}),
                  ("percentile", (x, np.array([10, 60], np.int32)), {"axis": 1}),
                  ("nanmedian", (x,), {})]
    m = np.array([[1.0, np.nan, 3.0], [1.0, 2.0, 3.0]], np.float32)
    cases += [("median", (m,), {"axis": 1}), ("nanmedian", (m,), {"axis": 1}),
              ("quantile", (m, np.float32(0.7)), {})]
    compare_jax(cases)


def test_quantile_errors():
    x = np.arange(12.0, dtype=np.float32).reshape(3, 4)
    compare("quantile", x, np.ones((2, 2)) * 0.5, values=False)
    compare("quantile", x, 0.5, method="foo", values=False)
    compare("quantile", x, 0.5, overwrite_input=True, values=False)
    compare("quantile", x, 1, values=False)  # integer q: floor is undefined
    compare("quantile", np.array([1j, 2j]), 0.5, values=False)
    with pytest.raises(TypeError):
        anp.median(anp.zeros((0, 3)), axis=0)  # JAX fails in its gather
    with pytest.raises(IndexError):
        anp.nanmedian(anp.zeros((0, 3)), axis=0)
    with pytest.raises(NotImplementedError):
        anp.quantile(x, 0.5, weights=x, method="inverted_cdf")
    assert anp.median(anp.zeros((0, 3)), axis=1).shape == (0,)


# --- weak types and non-array inputs -----------------------------------------------------------

@pytest.mark.parametrize("name", BASIC + ["sort", "cumulative_sum", "quantile"])
@pytest.mark.parametrize("dt", ["int32", "float32"])
def test_weak_input(name, dt):
    x = wrap(data((3,), dt), True)
    args = (x, 0.5) if name == "quantile" else (x,)
    compare(name, *args, values=name not in ("sort", "quantile"))


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
    x = anp.asarray(data((3, 4), "float32"))
    for name in ["sum", "prod", "mean", "std", "var", "min", "max", "argmin", "argmax", "all",
                 "any", "cumsum", "cumprod", "ptp"]:
        fn = getattr(anp, name)
        for kw in ({}, {"axis": 1}):
            ours = getattr(x, name)(**kw)
            expected = fn(x, **kw)
            assert (ours.dtype, ours.shape) == (expected.dtype, expected.shape)
            np.testing.assert_array_equal(ours, expected)
    np.testing.assert_array_equal(x.sum(1, keepdims=True), anp.sum(x, 1, keepdims=True))
