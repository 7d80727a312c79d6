"""kernels.llvm_math: accuracy against NumPy, special values, and loop vectorisation.

Each (function, dtype) pair is compiled once, as the loop ``out[i] = f(x[i] [, y[i]])``,
at O3 for the host CPU and run through MCJIT on NumPy arrays.
"""
import ctypes
import functools
import math
import re
import zlib

import llvmlite.binding as llvm
import numpy as np
import pytest
from axc.kernels import llvm_math
from llvmlite import ir

special = pytest.importorskip("scipy.special")

NAMES = sorted(llvm_math.FUNCTIONS)
BINARY = {"pow", "atan2"}
DTYPES = [np.float32, np.float64]
ULP_BOUND = {np.float32: 2, np.float64: 4}

NUMPY = {"exp": np.exp, "exp2": np.exp2, "expm1": np.expm1, "log": np.log, "log2": np.log2,
         "log10": np.log10, "log1p": np.log1p, "sin": np.sin, "cos": np.cos, "tan": np.tan,
         "tanh": np.tanh, "atan": np.arctan, "atan2": np.arctan2, "asin": np.arcsin,
         "acos": np.arccos, "sinh": np.sinh, "cosh": np.cosh, "asinh": np.arcsinh,
         "acosh": np.arccosh, "atanh": np.arctanh, "cbrt": np.cbrt, "pow": np.power}


def _precise(name, *xs):
    """A reference at least as precise as float64: long double NumPy, glibc or SciPy."""
    if name == "logistic":
        return 1 / (1 + np.exp(-np.asarray(xs[0], np.longdouble)))
    if name in ("erf", "erfc"):
        return np.vectorize(getattr(math, name), otypes=[np.float64])(xs[0])
    if name == "erf_inv":
        return special.erfinv(np.asarray(xs[0], np.float64))
    return NUMPY[name](*[np.asarray(x, np.longdouble) for x in xs])


# --- the test-only harness: a loop kernel compiled with MCJIT ----------------------------------
def _init_llvm():
    try:
        llvm.initialize()  # needed before llvmlite 0.45, an error after
    except RuntimeError:
        pass
    llvm.initialize_native_target()
    llvm.initialize_native_asmprinter()


_init_llvm()


def _target_machine():
    """A fresh host target machine: an MCJIT engine takes ownership of the one it gets."""
    return llvm.Target.from_default_triple().create_target_machine(
        cpu=llvm.get_host_cpu_name(), features=llvm.get_host_cpu_features().flatten(), opt=3)


def _jit(mod):
    engine = llvm.create_mcjit_compiler(mod, _target_machine())
    engine.finalize_object()
    return engine


def _loop_module(name, dtype):
    """``void k(T* x, [T* y,] T* out, i64 n)`` applying ``name`` elementwise."""
    fty = ir.FloatType() if dtype == np.float32 else ir.DoubleType()
    module = ir.Module(name=f"k_{name}")
    module.triple = llvm.get_process_triple()
    arity = 2 if name in BINARY else 1
    i64 = ir.IntType(64)
    fn = ir.Function(module, ir.FunctionType(ir.VoidType(), [fty.as_pointer()] * (arity + 1)
                                             + [i64]), "k")
    *ins, out, n = fn.args
    entry, loop, done = (fn.append_basic_block(s) for s in ("entry", "loop", "done"))
    b = ir.IRBuilder(entry)
    b.cbranch(b.icmp_signed(">", n, ir.Constant(i64, 0)), loop, done)
    b.position_at_end(loop)
    i = b.phi(i64)
    i.add_incoming(ir.Constant(i64, 0), entry)
    blocks_before = len(fn.blocks)
    result = llvm_math.emit(b, name, *[b.load(b.gep(p, [i])) for p in ins])
    assert len(fn.blocks) == blocks_before and b.block is loop, "emit must not branch"
    b.store(result, b.gep(out, [i]))
    nxt = b.add(i, ir.Constant(i64, 1))
    i.add_incoming(nxt, loop)
    b.cbranch(b.icmp_signed("<", nxt, n), loop, done)
    b.position_at_end(done)
    b.ret_void()
    return module


def _optimise(mod):
    tm = _target_machine()
    if hasattr(llvm, "create_pass_builder"):
        pb = llvm.create_pass_builder(tm, llvm.create_pipeline_tuning_options(speed_level=3))
        pb.getModulePassManager().run(mod, pb)
    else:  # llvmlite < 0.44: legacy pass manager
        pmb = llvm.create_pass_manager_builder()
        pmb.opt_level, pmb.loop_vectorize, pmb.slp_vectorize = 3, True, True
        pm = llvm.create_module_pass_manager()
        tm.add_analysis_passes(pm)
        pmb.populate(pm)
        pm.run(mod)


@functools.cache
def _kernel(name, dtype):
    """(callable on NumPy arrays, unoptimised IR, optimised IR) for ``name`` on ``dtype``."""
    text = str(_loop_module(name, dtype))
    mod = llvm.parse_assembly(text)
    mod.verify()
    _optimise(mod)
    optimised = str(mod)
    engine = _jit(mod)
    arity = 2 if name in BINARY else 1
    cfunc = ctypes.CFUNCTYPE(None, *[ctypes.c_void_p] * (arity + 1), ctypes.c_int64)(
        engine.get_function_address("k"))

    def call(*xs):
        xs = [np.ascontiguousarray(x, dtype) for x in np.broadcast_arrays(*xs)]
        out = np.empty_like(xs[0])
        cfunc(*[x.ctypes.data for x in xs], out.ctypes.data, out.size)
        return out

    call.engine = engine  # keeps the JIT code alive
    return call, text, optimised


def _ulps(a, b):
    """Distance in units in the last place; NaN matches NaN only."""
    a, b = np.asarray(a), np.asarray(b)
    it = np.int32 if a.dtype == np.float32 else np.int64
    ia, ib = a.view(it).astype(np.int64), b.view(it).astype(np.int64)
    ia = np.where(ia < 0, np.iinfo(it).min - ia, ia)  # sign-magnitude -> monotone line
    ib = np.where(ib < 0, np.iinfo(it).min - ib, ib)
    diff = np.abs(ia - ib)
    diff = np.where(np.isnan(a) | np.isnan(b), np.iinfo(np.int64).max, diff)
    return np.where((a == b) | (np.isnan(a) & np.isnan(b)), 0, diff)


def _error(name, dtype, got, *xs):
    """Per-element ulp error: the smaller of the distances to NumPy's own result in
    ``dtype`` and to a more precise reference rounded to ``dtype``."""
    with np.errstate(all="ignore"):
        err = _ulps(got, _precise(name, *xs).astype(dtype))
        if name in NUMPY:
            err = np.minimum(err, _ulps(got, NUMPY[name](*xs).astype(dtype)))
    return err


# --- inputs: dense over the whole domain ------------------------------------------------------
def _rng(*key):
    return np.random.default_rng(zlib.crc32(repr(key).encode()))


def _bit_patterns(rng, dtype, n):
    """Uniformly random bit patterns: every binade, subnormals included, equally likely."""
    it = np.uint32 if dtype == np.float32 else np.uint64
    x = rng.integers(0, np.iinfo(it).max, n, dtype=it, endpoint=True).view(dtype)
    return x[np.isfinite(x)]


def _sample(name, dtype, n=40000):
    rng = _rng(name, dtype.__name__)
    tiny = np.finfo(dtype).smallest_subnormal
    sign = rng.choice([-1.0, 1.0], n)
    parts = [_bit_patterns(rng, dtype, n), rng.uniform(-1, 1, n), rng.uniform(-12, 12, n),
             rng.uniform(-800, 800, n // 4), sign * np.geomspace(tiny, 1e4, n),
             1 + rng.uniform(-1e-3, 1e-3, n // 4), rng.uniform(-1e-5, 1e-5, n // 4)]
    with np.errstate(over="ignore"):
        x = np.concatenate(parts).astype(dtype)
    if name in ("sin", "cos", "tan"):
        x = np.concatenate([x[np.abs(x) < 1e5], rng.uniform(-1e5, 1e5, n).astype(dtype)])
    elif name == "erf_inv":
        x = np.concatenate([x[np.abs(x) <= 1], rng.uniform(-1, 1, n),
                            sign * (1 - np.geomspace(1e-16, 0.5, n))]).astype(dtype)
    elif name == "acosh":
        x = np.concatenate([x, 1 + np.geomspace(1e-12, 1e3, n)]).astype(dtype)
    return x


def _sample2(name, dtype):
    rng = _rng(name, dtype.__name__, 2)
    x, y = _sample("x", dtype, 10000), _sample("y", dtype, 10000)
    k = min(len(x), len(y))
    xs, ys = [x[:k]], [rng.permutation(y[:k])]
    if name == "pow":
        n = 30000
        xs += [np.abs(rng.normal(0, 10, n)), rng.normal(0, 3, n), rng.uniform(0.5, 2, n)]
        big = 700 if dtype == np.float64 else 90  # results near overflow and underflow
        ys += [rng.normal(0, 10, n), rng.integers(-40, 40, n),
               rng.uniform(-big, big, n) / np.abs(np.log(xs[-1]))]
    return [np.concatenate(v).astype(dtype) for v in (xs, ys)]


# --- accuracy ----------------------------------------------------------------------------------
@pytest.mark.parametrize("dtype", DTYPES, ids=lambda d: d.__name__)
@pytest.mark.parametrize("name", NAMES)
def test_accuracy(name, dtype):
    f, _, _ = _kernel(name, dtype)
    xs = _sample2(name, dtype) if name in BINARY else [_sample(name, dtype)]
    with np.errstate(all="ignore"):
        got = f(*xs)
    err = _error(name, dtype, got, *xs)
    worst = int(np.argmax(err))
    assert err[worst] <= ULP_BOUND[dtype], (
        f"{name}({', '.join(repr(x[worst]) for x in xs)}) = {got[worst]!r}: {err[worst]} ulp")


@pytest.mark.parametrize("dtype", DTYPES, ids=lambda d: d.__name__)
@pytest.mark.parametrize("name", ["sin", "cos", "tan"])
def test_trig_large_arguments(name, dtype):
    """The Cody-Waite reduction holds far beyond 1e5 (documented limit: 2**47)."""
    rng = _rng(name, dtype.__name__, "large")
    x = (np.exp(rng.uniform(np.log(1e5), np.log(2.0 ** 47), 20000))
         * rng.choice([-1, 1], 20000)).astype(dtype)
    got = _kernel(name, dtype)[0](x)
    assert _error(name, dtype, got, x).max() <= ULP_BOUND[dtype]


# --- special values ------------------------------------------------------------------------------
SPECIALS = [np.nan, np.inf, -np.inf, 0.0, -0.0, 1.0, -1.0, 0.5, -0.5, 2.0, -2.0, 3.0, -3.0,
            1e-45, -1e-45, 1e-40, 1e-310, -5e-324, 1e-30, 3.4e38, -3.4e38, 1e300, -1e300,
            88.7, 89.0, -87.5, -103.5, -104.0, 709.7, 709.8, 710.5, -745.0, -745.2, -746.0,
            1 - 2.0 ** -24, -(1 - 2.0 ** -53), 1e5, -1e5]
EXPECTED = {"logistic": lambda x: _precise("logistic", x), "erf": special.erf, "erfc": special.erfc,
            # SciPy drops the sign of erfinv(-0.0); erf_inv is odd, as in JAX
            "erf_inv": lambda x: np.where(x == 0, x, special.erfinv(x))}


@pytest.mark.parametrize("dtype", DTYPES, ids=lambda d: d.__name__)
@pytest.mark.parametrize("name", NAMES)
def test_special_values(name, dtype):
    """NaN, infinities and zeros (with their sign) exactly as NumPy (or SciPy, in float64)
    gives them; overflow, underflow and everything else within the ulp bound."""
    with np.errstate(all="ignore"):
        v = np.array(SPECIALS, dtype)
        xs = [np.repeat(v, len(v)), np.tile(v, len(v))] if name in BINARY else [v]
        got = _kernel(name, dtype)[0](*xs)
        if name in NUMPY:
            want = NUMPY[name](*xs)
        else:
            want = EXPECTED[name](xs[0].astype(np.float64)).astype(dtype)
    if name in ("sin", "cos", "tan"):  # beyond the reduction's documented range
        keep = ~((np.abs(xs[0]) >= 2.0 ** 47) & np.isfinite(xs[0]))
        xs, got, want = [x[keep] for x in xs], got[keep], want[keep]
    exact = ~np.isfinite(want) | (want == 0) | ~np.isfinite(got) | (got == 0)
    same = (got == want) & (np.signbit(got) == np.signbit(want)) | np.isnan(got) & np.isnan(want)
    bad = (exact & ~same) | (~exact & (_error(name, dtype, got, *xs) > ULP_BOUND[dtype]))
    assert not bad.any(), [(tuple(x[i] for x in xs), got[i], want[i]) for i in np.flatnonzero(bad)]


# --- vectorisation and code shape --------------------------------------------------------------
@pytest.mark.parametrize("dtype", DTYPES, ids=lambda d: d.__name__)
@pytest.mark.parametrize("name", NAMES)
def test_loop_vectorises(name, dtype):
    _, text, optimised = _kernel(name, dtype)
    element = "float" if dtype == np.float32 else "double"
    assert re.search(rf"<(4|8|16) x {element}>", optimised), "the loop was not vectorised"
    calls = set(re.findall(r"call [^@]*@([\w.]+)", text + optimised))
    assert all(c.startswith("llvm.") for c in calls), f"calls outside LLVM intrinsics: {calls}"


@pytest.mark.parametrize("dtype", DTYPES, ids=lambda d: d.__name__)
def test_vector_arguments_match_scalar(dtype):
    """emit also accepts <4 x T> values, and computes the same bits lane by lane."""
    fty = ir.FloatType() if dtype == np.float32 else ir.DoubleType()
    vty = ir.VectorType(fty, 4)
    module = ir.Module(name="vec")
    module.triple = llvm.get_process_triple()
    for name in NAMES:
        arity = 2 if name in BINARY else 1
        fn = ir.Function(module, ir.FunctionType(ir.VoidType(), [vty.as_pointer()] * (arity + 1)),
                         f"v_{name}")
        b = ir.IRBuilder(fn.append_basic_block())
        args = [b.load(p, align=dtype().itemsize) for p in fn.args[:arity]]
        b.store(llvm_math.emit(b, name, *args), fn.args[arity], align=dtype().itemsize)
        b.ret_void()
    mod = llvm.parse_assembly(str(module))
    mod.verify()
    engine = _jit(mod)
    rng = _rng("vector", dtype.__name__)
    for name in NAMES:
        arity = 2 if name in BINARY else 1
        xs = [rng.uniform(0.1, 0.9, 4).astype(dtype) for _ in range(arity)]
        out = np.empty(4, dtype)
        ctypes.CFUNCTYPE(None, *[ctypes.c_void_p] * (arity + 1))(
            engine.get_function_address(f"v_{name}"))(*[x.ctypes.data for x in xs],
                                                      out.ctypes.data)
        np.testing.assert_array_equal(out, _kernel(name, dtype)[0](*xs), err_msg=name)


def test_rejects_bad_calls():
    b = ir.IRBuilder(ir.Function(ir.Module(), ir.FunctionType(ir.VoidType(), []), "f")
                     .append_basic_block())
    one = ir.Constant(ir.FloatType(), 1.0)
    with pytest.raises(ValueError, match="no function 'expf'"):
        llvm_math.emit(b, "expf", one)
    with pytest.raises(TypeError, match="takes 2"):
        llvm_math.emit(b, "pow", one)
    with pytest.raises(TypeError, match="one type"):
        llvm_math.emit(b, "exp", ir.Constant(ir.IntType(32), 1))
    with pytest.raises(TypeError, match="one type"):
        llvm_math.emit(b, "atan2", one, ir.Constant(ir.DoubleType(), 1.0))
