"""Reductions compiled to LLVM loops: every reduction primitive over axes, dtypes and shapes
against NumPy and eager axc; NaN propagation; elementwise producers fused into the reducing
kernel; reductions split between threads; vectorised float sums."""
import functools
import re

import numpy as np
import pytest
from axc.compiler.codegen.llvm import backend
from axc.kernels import reduce as red

import axc
import axc.numpy as jnp

pytestmark = pytest.mark.filterwarnings("ignore::RuntimeWarning")

PRIMS = {name: getattr(red, f"reduce_{name}_p")
         for name in ("sum", "prod", "max", "min", "and", "or", "xor")}
UFUNCS = {"sum": np.add, "prod": np.multiply, "max": np.maximum, "min": np.minimum,
          "and": np.bitwise_and, "or": np.bitwise_or, "xor": np.bitwise_xor}
FLOAT_PRIMS = ("sum", "prod", "max", "min")
BOOL_PRIMS = ("max", "min", "and", "or", "xor")
# (shape, axes): empty, 0-d, size-1 axes, all axes, rows (short ones unrolled), columns,
# middle axes, lengths off the vector width, long enough for the blocked float sum (4100 >
# BLOCK), and no axes.
LAYOUTS = [((), ()), ((0,), (0,)), ((1,), (0,)), ((37,), (0,)), ((4100,), (0,)),
           ((3, 1, 4), (1,)), ((2, 0, 3), (1,)), ((2, 0, 3), (0, 2)), ((5, 37), (1,)),
           ((6, 3), (1,)),
           ((37, 5), (0,)), ((4, 5, 6), (0, 2)), ((4, 5, 6), (1,)), ((2, 3, 4, 5), (2, 3)),
           ((3, 4), ())]


def _identity(name, dt):
    if name in ("max", "min"):
        hi = name == "min"
        if dt.kind == "f":
            return np.inf if hi else -np.inf
        if dt.kind == "b":
            return hi
        return np.iinfo(dt).max if hi else np.iinfo(dt).min
    if name == "and":
        return ~np.zeros((), dt)  # all bits set (True for bool)
    return {"sum": 0, "prod": 1, "or": 0, "xor": 0}[name]


def _numpy(name, x, axes):
    """NumPy's reduction, with the identity for empty reductions (XLA's convention)."""
    init = np.asarray(_identity(name, x.dtype)).astype(x.dtype)
    return np.asarray(UFUNCS[name].reduce(x, axis=axes, initial=init)).astype(x.dtype)


def _data(shape, dt, name, seed=0):
    rng = np.random.default_rng(seed)
    if dt.kind == "b":
        return rng.random(shape) < (0.9 if name in ("and", "min") else 0.1)
    if dt.kind == "f":
        lo, hi = (0.8, 1.25) if name == "prod" else (-3, 3)
        return rng.uniform(lo, hi, shape).astype(dt)
    info = np.iinfo(dt)
    return rng.integers(max(info.min, -100), min(info.max, 100), shape, endpoint=True,
                        dtype=dt)


def _assert_close(got, want, name, x, axes):
    got = np.asarray(got)
    assert got.shape == want.shape and got.dtype == want.dtype
    if want.dtype.kind != "f":
        np.testing.assert_array_equal(got, want)
        return
    eps = np.finfo(want.dtype).eps
    n = max(int(np.prod([x.shape[a] for a in axes])), 1)
    scale = float(np.max(np.abs(x))) if x.size else 0.0
    atol = 2 * eps * n * scale if name == "sum" else 0.0
    rtol = 2 * eps * n if name == "prod" else (2 * eps if name == "sum" else 0.0)
    np.testing.assert_allclose(got, want, rtol=rtol, atol=atol)


def _jitted(name, axes):
    return axc.jit(functools.partial(PRIMS[name].bind, axes=axes))


ROWS, COLUMNS, EMPTY = ((5, 37), (1,)), ((37, 5), (0,)), ((0,), (0,))
FEW = [ROWS, COLUMNS, EMPTY, ((4, 5, 6), (0, 2)), ((4100,), (0,))]


def _cases():
    out = [(n, "float32", *layout) for n in ("sum", "max") for layout in LAYOUTS]
    out += [(n, "float32", *layout) for n in ("prod", "min") for layout in FEW]
    out += [(n, "int32", *layout) for n in ("sum", "max") for layout in FEW]
    out += [(n, "bool", *layout) for n in BOOL_PRIMS for layout in (ROWS, COLUMNS)]
    out += [(n, "bool", *EMPTY) for n in ("max", "and")]
    out += [(n, "uint8", *ROWS) for n in PRIMS]
    out += [(n, "int8", *COLUMNS) for n in ("sum", "prod", "min")]
    out += [(n, "float64", *layout) for n in ("sum", "max") for layout in (ROWS, COLUMNS)]
    out += [(n, "int64", (4, 5, 6), (0, 2)) for n in ("prod", "min")]
    return [pytest.param(*c, id=f"{c[0]}-{c[1]}-{c[2]}-{c[3]}") for c in out]


@pytest.mark.parametrize("name,dtype,shape,axes", _cases())
def test_reduction_matches_numpy_and_eager(name, dtype, shape, axes):
    dt = np.dtype(dtype)
    with axc.config.override("jax_enable_x64", dt.itemsize == 8):
        x = _data(shape, dt, name)
        got = _jitted(name, axes)(x)
        eager = PRIMS[name].bind(jnp.asarray(x), axes=axes)
    want = _numpy(name, x, axes)
    _assert_close(got, want, name, x, axes)
    _assert_close(got, np.asarray(eager), name, x, axes)


@pytest.mark.parametrize("name", ["max", "min"])
@pytest.mark.parametrize("shape,axes,where", [
    ((40,), (0,), (17,)),              # all axes: the register accumulator
    ((3, 40), (1,), (1, 33)),          # rows
    ((40, 3), (0,), (21, 2)),          # columns: folded in memory
    ((5000,), (0,), (4097,))])         # long: blocked (with a fused sum, below)
def test_nan_propagates(name, shape, axes, where):
    x = _data(shape, np.dtype("float32"), name)
    x[where] = np.nan
    got = np.asarray(_jitted(name, axes)(x))
    want = _numpy(name, x, axes)
    np.testing.assert_array_equal(np.isnan(got), np.isnan(want))
    assert np.isnan(got).sum() == 1
    np.testing.assert_array_equal(got[~np.isnan(got)], want[~np.isnan(want)])


def test_nan_propagates_through_a_blocked_fused_reduction():
    x = _data((5000,), np.dtype("float32"), "sum")
    x[4097] = np.nan
    s, m = axc.jit(lambda v: (jnp.sum(v * 2), jnp.max(v * 2)))(x)
    assert np.isnan(s) and np.isnan(m)
    x[4097] = 1.0
    s, m = axc.jit(lambda v: (jnp.sum(v * 2), jnp.max(v * 2)))(x)
    np.testing.assert_allclose([s, m], [np.sum(x * 2, dtype=np.float64), np.max(x * 2)],
                               rtol=1e-5)


# --- fusion --------------------------------------------------------------------------------

def _top_level(text):
    """The primitives of the top-level equations of printed IR (4 spaces in)."""
    return re.findall(r"^    \S[^=\n]* = ([a-z_]+)", text, re.MULTILINE)


def _fused(text):
    """The primitives inside fusion bodies (deeper in)."""
    return re.findall(r"^ {5,}\S[^=\n]* = ([a-z_]+)", text, re.MULTILINE)


def _compiled_ir(f, *args):
    return axc.jit(f).lower(*args).compile().as_text()


X = np.random.default_rng(1).uniform(-2, 2, (6, 37)).astype(np.float32)
V = np.random.default_rng(2).uniform(-2, 2, (37,)).astype(np.float32)
C = np.random.default_rng(3).uniform(-2, 2, (6, 1)).astype(np.float32)

FUSED = [
    ("sum(x*x)", lambda x: jnp.sum(x * x), lambda x: np.sum(x * x), (X,), "reduce_sum"),
    ("sum(exp(x))", lambda x: jnp.sum(jnp.exp(x)), lambda x: np.sum(np.exp(x)), (X,),
     "reduce_sum"),
    ("rows of sin", lambda x: jnp.max(jnp.sin(x) + 1, axis=1),
     lambda x: np.max(np.sin(x) + 1, axis=1), (X,), "reduce_max"),
    ("columns of a broadcast product", lambda x, v: jnp.sum(x * v, axis=0),
     lambda x, v: np.sum(x * v, axis=0), (X, V), "reduce_sum"),
    ("outer sum reduced over rows", lambda c, v: jnp.min(c + v, axis=1),
     lambda c, v: np.min(c + v, axis=1), (C, V), "reduce_min"),
    ("any of a comparison", lambda x: jnp.any(x > 1.5, axis=0),
     lambda x: np.any(x > 1.5, axis=0), (X,), "reduce_or"),
]


@pytest.mark.parametrize("f,ref,args,prim", [pytest.param(*c[1:], id=c[0]) for c in FUSED])
def test_elementwise_producers_fuse_into_the_reduction(f, ref, args, prim):
    text = _compiled_ir(f, *args)
    assert _top_level(text) == ["fusion"], text
    assert prim in _fused(text), text
    np.testing.assert_allclose(np.asarray(axc.jit(f)(*args)), ref(*args), rtol=2e-6,
                               atol=1e-5)


def test_an_intermediate_read_elsewhere_is_an_output_too():
    def f(x):
        y = jnp.exp(x) * 2
        return y, jnp.sum(y, axis=1), jnp.max(y, axis=1)
    text = _compiled_ir(f, X)
    assert _top_level(text) == ["fusion"], text
    y, s, m = axc.jit(f)(X)
    np.testing.assert_allclose(np.asarray(y), np.exp(X) * 2, rtol=1e-6)
    np.testing.assert_allclose(np.asarray(s), np.sum(np.exp(X) * 2, axis=1), rtol=1e-5)
    np.testing.assert_allclose(np.asarray(m), np.max(np.exp(X) * 2, axis=1), rtol=1e-6)


def test_softmax_fuses_exp_into_its_sum():
    def softmax(x):
        e = jnp.exp(x - jnp.max(x, axis=1, keepdims=True))
        return e / jnp.sum(e, axis=1, keepdims=True)
    text = _compiled_ir(softmax, X)
    fused = _fused(text)
    assert _top_level(text).count("fusion") == 3, text  # max | sub, exp, sum | div
    assert "exp" in fused and "reduce_sum" in fused and "reduce_max" in fused
    e = np.exp(X - X.max(1, keepdims=True))
    np.testing.assert_allclose(np.asarray(axc.jit(softmax)(X)), e / e.sum(1, keepdims=True),
                               rtol=1e-5)


def test_reductions_over_different_axes_stay_apart():
    def f(x):
        y = x * 3
        return jnp.sum(y, axis=0), jnp.sum(y, axis=1), y - jnp.max(y)
    text = _compiled_ir(f, X)
    # A cluster's reductions share their axes, and nothing in it reads their results.
    assert _top_level(text).count("fusion") >= 3
    outs = axc.jit(f)(X)
    y = X * 3
    for got, want in zip(outs, (y.sum(0), y.sum(1), y - y.max())):
        np.testing.assert_allclose(np.asarray(got), want, rtol=1e-5, atol=1e-5)


# --- threads and vectors -------------------------------------------------------------------

@pytest.mark.parametrize("shape,axes", [((300_001,), (0,)), ((1000, 150), (0,)),
                                        ((150, 1000), (1,)), ((40, 50, 70), (0, 2))])
@pytest.mark.parametrize("name", ["sum", "max"])
def test_large_reductions_split_between_threads(monkeypatch, shape, axes, name):
    monkeypatch.setattr(backend, "_THREADS", 3)  # uneven shares, whatever the machine
    x = _data(shape, np.dtype("float32"), name, seed=4)
    x[(0,) * len(shape)] = 5.0  # an extremum in the first share: partials must carry it
    f = axc.jit(lambda v: getattr(jnp, name)(v * 1.0, axis=axes))
    kernels = list(f.lower(x).compile()._staged.executable.native.kernels.values())
    assert len(kernels) == 1 and len(kernels[0].chunks) == 3
    _assert_close(f(x), _numpy(name, x, axes), name, x, axes)


def test_split_reduction_stores_its_elementwise_output_whole(monkeypatch):
    monkeypatch.setattr(backend, "_THREADS", 3)
    x = _data((1000, 150), np.dtype("float32"), "sum", seed=5)
    y, s = axc.jit(lambda v: (v * 2 + 1, jnp.sum(v * 2 + 1, axis=0)))(x)
    np.testing.assert_array_equal(np.asarray(y), x * 2 + 1)
    np.testing.assert_allclose(np.asarray(s), np.sum(x * 2 + 1, axis=0), rtol=1e-5, atol=1e-4)


def _vector_types(text):
    return set(re.findall(r"<(\d+) x float>", text))


def test_float32_sum_is_vectorised():
    x = np.ones(1000, np.float32)
    llvm = axc.jit(lambda v: jnp.sum(v)).lower(x).compile().as_text("llvm")
    assert _vector_types(llvm) & {"8", "16"}, llvm


def test_column_sum_vectorises_across_the_kept_dimension():
    x = np.ones((100, 64), np.float32)
    llvm = axc.jit(lambda v: jnp.sum(v, axis=0)).lower(x).compile().as_text("llvm")
    assert _vector_types(llvm) & {"8", "16"}, llvm
