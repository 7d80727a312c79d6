"""Every registry primitive under ``jit`` reproduces its eager result, over the whole table of
``primitive_cases`` (dtypes, shapes, special values, integer edge cases).

Today ``jit`` runs the eager impls, so results agree bit for bit; the tolerances of
``primitive_cases.tolerance`` are what the compiled backends will be held to.
"""
import functools

import numpy as np
import primitive_cases as pc
import pytest
from axc.kernels import registry

import axc

CASES = pc.all_cases()
# The eager impls compute nan and inf from special values; NumPy's warnings are noise here.
pytestmark = pytest.mark.filterwarnings("ignore::RuntimeWarning")


def _jitted(case: pc.Case):
    """``jit(lambda *xs: prim.bind(*xs, **params))``, as a partial: a lambda would also go
    through control-flow conversion (reading and compiling its source), not what is tested."""
    return axc.jit(functools.partial(case.prim.bind, **case.params))


def _eager(case: pc.Case, operands):
    return case.prim.bind(*[axc.numpy.asarray(x) for x in operands], **case.params)


def _x64(case: pc.Case):
    return axc.config.override("jax_enable_x64", case.needs_x64)


# Known gaps of the LLVM backend (strict: fixing one flips its case).
LLVM_GAPS = {
    f"{name}-{dt}[33]-specials": "llvm_math reduces trig arguments exactly only up to |x| < "
                                 "2**47 (no Payne-Hanek); the specials include 1e22 and 3.4e38"
    for name in ("sin", "cos", "tan") for dt in ("f32", "f64")}


def _with_gaps(case: pc.Case):
    marks = [pytest.mark.xfail(strict=True, reason=LLVM_GAPS[case.id])] \
        if case.id in LLVM_GAPS else []
    return pytest.param(case, id=case.id, marks=marks)


@pytest.mark.parametrize("case", [_with_gaps(c) for c in CASES])
def test_jit_matches_eager(case):
    with _x64(case):
        want = _eager(case, case.operands)
        got = _jitted(case)(*case.operands)
    pc.assert_case_close(case, got, want)


# --- Python scalars for 0-d operands: weakly typed values ----------------------------------

_PYTHON = {np.dtype("float32"): float, np.dtype("int32"): int, np.dtype("bool"): bool,
           np.dtype("complex64"): complex}


def _as_python(x):
    x = np.asarray(x)
    kind = _PYTHON.get(x.dtype) if x.ndim == 0 else None
    return kind(x.item()) if kind else x


SCALAR_CASES = [c for c in CASES if not c.needs_x64
                and any(np.ndim(x) == 0 and np.asarray(x).dtype in _PYTHON for x in c.operands)]


@pytest.mark.parametrize("case", SCALAR_CASES, ids=lambda c: c.id)
def test_jit_matches_eager_with_python_scalars(case):
    operands = [_as_python(x) for x in case.operands]
    want = _eager(case, operands)
    got = _jitted(case)(*operands)
    pc.assert_case_close(case, got, want)


def test_python_scalars_give_weak_results():
    """The scalar cases above could pass vacuously if nothing were weak: check that some are."""
    add = registry.get("add")
    f = axc.jit(lambda x, y: add.bind(x, y))
    assert f(1.5, 2.0).weak_type and f(1, 2).weak_type
    assert not f(np.float32(1.5), 2.0).weak_type
    weak = [c for c in SCALAR_CASES if all(np.ndim(x) == 0 for x in c.operands)
            and c.family == "elementwise"]
    assert len(weak) > 30


# --- multiple results ----------------------------------------------------------------------

MULTI = sorted(n for n, p in registry.primitives().items() if p.multiple_results)


@pytest.mark.parametrize("name", MULTI)
def test_multiple_results_come_back_as_a_tuple(name):
    case = pc.cases(name)[0]
    with _x64(case):
        out = _jitted(case)(*case.operands)
        want = _eager(case, case.operands)
    assert type(out) is tuple and len(out) == len(want) >= 1
    assert all(isinstance(o, axc.Array) for o in out)


# --- the table itself ----------------------------------------------------------------------

def test_every_primitive_has_cases_and_ids_are_unique():
    assert not [n for n in registry.primitives() if not pc.cases(n)]
    ids = [c.id for c in CASES]
    assert len(ids) == len(set(ids))
    assert 600 <= len(CASES) <= 1200


# dtypes a primitive accepts (by its eager kinds) that the table deliberately leaves out.
NOT_COVERED = {("rem", "c")}
KIND_DTYPE = {"f": "float32", "i": "int32", "u": "uint8", "b": "bool", "c": "complex64",
              "V": "bfloat16"}


@pytest.mark.parametrize("name", sorted(n for n, p in registry.primitives().items()
                                        if p.eager_kinds))
def test_cases_cover_every_accepted_dtype_kind(name):
    kinds = registry.get(name).eager_kinds
    covered = set().union(*(c.dtypes for c in pc.cases(name)))
    for kind in kinds:
        if (name, kind) not in NOT_COVERED:
            assert KIND_DTYPE[kind] in covered, (name, KIND_DTYPE[kind])


FLOAT_ELEMENTWISE = sorted(set(pc.UNARY_DOMAIN) | set(pc.FLOAT_BINARY_DOMAIN))


@pytest.mark.parametrize("name", FLOAT_ELEMENTWISE)
def test_float_elementwise_cases_span_shapes_and_special_values(name):
    cs = pc.cases(name)
    shapes = {np.shape(x) for c in cs for x in c.operands}
    assert {(), (37,), (1000,)} <= shapes
    assert any(0 in s for s in shapes)
    specials = [c for c in cs if "specials" in c.id]
    assert {"float32", "float64"} <= set().union(*(c.dtypes for c in specials))
    values = np.concatenate([np.ravel(np.asarray(x, np.float64)) for c in specials
                             for x in c.operands])
    assert np.isnan(values).any() and np.isposinf(values).any() and np.isneginf(values).any()
    assert (np.signbit(values) & (values == 0)).any()


def test_integer_edge_cases_hit_xla_corner_cases():
    div = next(c for c in pc.cases("div") if c.dtypes == {"int32"} and "edges" in c.id)
    x, y = np.broadcast_arrays(*div.operands)
    assert ((y == 0).any() and ((x == np.iinfo(np.int32).min) & (y == -1)).any())
    shifts = [c for c in pc.cases("shift_left") if "edges" in c.id]
    amounts = np.concatenate([np.ravel(c.operands[1]).astype(np.int64) for c in shifts])
    assert (amounts < 0).any() and (amounts >= 32).any()


def test_select_filters():
    assert all(c.family == "reduce" for c in pc.select(family="reduce"))
    ints = pc.select(dtype="int32", prim=["add", "mul"])
    assert ints and all("int32" in c.dtypes and c.prim_name in ("add", "mul") for c in ints)
    assert all(c.needs_x64 for c in pc.select(x64=True)) and pc.select(x64=True)
    assert not any(c.needs_x64 for c in pc.select(dtype="float64", x64=False))


def test_cases_are_deterministic():
    pc._table.cache_clear()
    again = pc.all_cases()
    assert [c.id for c in again] == [c.id for c in CASES]
    for a, b in zip(again, CASES):
        for x, y in zip(a.operands, b.operands):
            x, y = np.asarray(x), np.asarray(y)
            assert (x.dtype, x.shape, x.tobytes()) == (y.dtype, y.shape, y.tobytes()), a.id


# --- the comparison helper -----------------------------------------------------------------

F32 = np.float32


def _ulp_step(x, n):
    x = np.array(x, F32)
    for _ in range(n):
        x = np.nextafter(x, F32(np.inf))
    return x


@pytest.mark.parametrize("got,want,ulps,ok", [
    (_ulp_step(1.0, 1), F32(1.0), 1, True),
    (_ulp_step(1.0, 2), F32(1.0), 1, False),
    (_ulp_step(0.0, 1), F32(0.0), 4, False),           # zeros are exact
    (F32(-0.0), F32(0.0), 4, False),                   # sign of zero included
    (F32(np.nan), F32(np.nan), 0, True),
    (F32(np.nan), F32(1.0), 100, False),
    (F32(np.inf), np.finfo(F32).max, 2, False),
    (F32(0.0), F32(1e-40), 2, False),                  # a subnormal flushed to zero
    (np.array([1e-40], F32), np.array([1e-40], F32), 0, True),
    (_ulp_step(-1.0, 1), F32(-1.0), 1, True),          # across negative values
    (F32(-1e-45), F32(1e-45), 1, False),               # two ulps apart, across zero
    (np.complex64(1 + 1e-7j), np.complex64(1 + 0j), 2, True),  # small next to the modulus
    (np.complex64(1 + 1e-3j), np.complex64(1 + 0j), 2, False),
    (np.int32(3), np.int32(4), 10, False),
], ids=str)
def test_assert_close_ulp(got, want, ulps, ok):
    if ok:
        pc.assert_close_ulp(got, want, ulps)
    else:
        with pytest.raises(AssertionError):
            pc.assert_close_ulp(got, want, ulps)


def test_assert_close_checks_dtype_and_shape():
    with pytest.raises(AssertionError, match="dtype"):
        pc.assert_close_ulp(np.zeros(3, np.float32), np.zeros(3, np.float64))
    with pytest.raises(AssertionError, match="shape"):
        pc.assert_close_ulp(np.zeros(3, np.float32), np.zeros(4, np.float32))


def test_sum_tolerance_grows_with_length_and_catches_a_lost_element():
    case = next(c for c in pc.cases("reduce_sum") if np.shape(c.operands[0]) == (1000,))
    x = np.asarray(case.operands[0], np.float64)
    want = np.float32(x.sum())
    tol = pc.tolerance(case, np.float32)
    pc.assert_close(np.float32(want + tol.atol / 2), want, tol)
    with pytest.raises(AssertionError):  # a remainder loop that drops the last element
        pc.assert_close(np.float32(x[:-1].sum()), want, tol)


# --- the reference itself: integer results agree with XLA ----------------------------------

def _lax_call(case: pc.Case, jax):
    lax = jax.lax
    if case.prim_name == "convert_element_type":
        return lambda x: lax.convert_element_type(x, case.params["new_dtype"])
    if case.prim_name == "integer_pow":
        return lambda x: lax.integer_pow(x, case.params["y"])
    prim = getattr(lax, f"{case.prim_name}_p")
    return lambda *xs: prim.bind(*jax.numpy.broadcast_arrays(*xs), **case.params)


@functools.cache
def _xla_results() -> dict[str, np.ndarray]:
    """XLA's results of the cases below that JAX accepts, from one compiled function."""
    jax = pytest.importorskip("jax")
    calls = {}
    for case in INTEGER_RESULTS:
        fn = _lax_call(case, jax)
        try:
            jax.eval_shape(fn, *case.operands)
        except TypeError:
            continue  # JAX refuses the dtype (axc accepts more, e.g. pow of integers)
        calls[case.id] = (fn, case.operands)
    outs = jax.jit(lambda ops: {k: fn(*ops[k]) for k, (fn, _) in calls.items()})(
        {k: ops for k, (_, ops) in calls.items()})
    return {k: np.asarray(v) for k, v in outs.items()}


def _subnormal(x) -> bool:
    x = np.asarray(x)
    if x.dtype.kind not in "fcV":
        return False
    a = np.abs(x.astype(np.complex128))
    return bool(((a > 0) & (a < float(pc.dtypes.finfo(x.dtype).tiny))).any())


# XLA on CPU flushes subnormals to zero, the eager impls (NumPy) do not: a deliberate
# difference, so cases with subnormal inputs are left out here.
INTEGER_RESULTS = [c for c in pc.select(family="elementwise", x64=False)
                   if ("edges" in c.id or "specials" in c.id)
                   and not any(map(_subnormal, c.operands))
                   and c.prim.abstract_eval(*[registry.aval_of(np.asarray(x)) for x in c.operands],
                                            **c.params).dtype.kind in "biu"]
# Known disagreements of the eager impls with XLA (kernels/elementwise.py).
EAGER_BUGS = {
    "shift_right_arithmetic": "eager shift_right_arithmetic: negative shift amounts leave x "
                              "unchanged (XLA: as >= bit width), and unsigned operands shift "
                              "logically (XLA: arithmetically, the top bit replicated)",
    "population_count": "eager population_count uses np.bitwise_count, which counts the bits "
                        "of |x| for negative signed integers",
}


def _mark(case: pc.Case):
    reason = EAGER_BUGS.get(case.prim_name)
    fails = reason and (case.prim_name == "shift_right_arithmetic"
                        or any((np.asarray(x) < 0).any() for x in case.operands))
    return pytest.param(case, id=case.id,
                        marks=[pytest.mark.xfail(strict=True, reason=reason)] if fails else [])


@pytest.mark.parametrize("case", [_mark(c) for c in INTEGER_RESULTS])
def test_integer_results_of_the_reference_match_xla(case):
    want = _xla_results().get(case.id)
    if want is None:
        pytest.skip(f"jax.lax refuses {case.id} (axc accepts more dtypes)")
    got = _eager(case, case.operands)
    pc.assert_close(np.asarray(got), want, pc.EXACT, case.id)
