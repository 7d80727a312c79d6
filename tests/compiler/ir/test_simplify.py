"""Algebraic simplification: which equations go, which stay, and that results keep their bits.

Most cases are one-equation functions built directly (``axc.numpy`` already drops many
no-ops before they reach the IR); each is run by the IR interpreter before and after the
pass on random data laced with -0.0, NaN, infinities and extreme integers. A few user
functions also go through ``axc.jit`` (LLVM kernels) against eager axc.
"""
from __future__ import annotations

import numpy as np
import pytest
from axc.compiler.ir.ir import Eqn, Function, Literal, Var
from axc.compiler.ir.passes import optimize
from axc.compiler.ir.passes.dce import dce
from axc.compiler.ir.passes.simplify import simplify
from axc.kernels import registry
from axc.runtime import dtypes
from axc.runtime.abstract import ShapedArray

import axc
import axc.numpy as jnp
from axc import lax

F32, F16, I32, U8, C64 = (np.dtype(t) for t in ("float32", "float16", "int32", "uint8",
                                               "complex64"))
FLOATS = [F32, F16] + ([dtypes.bfloat16] if dtypes.bfloat16 is not None else [])
NUMERIC = FLOATS + [I32, U8, C64]
SHAPE = (3, 4)


# --- building and running one-equation functions -------------------------------------------

def lit(value, dtype, weak=False) -> Literal:
    dtype = np.dtype(dtype)
    return Literal(np.asarray(value).astype(dtype), ShapedArray((), dtype, weak))


def param(dtype, shape=SHAPE, weak=False) -> Var:
    return Var(ShapedArray(tuple(shape), np.dtype(dtype), weak))


def eqn(name: str, operands: list, **params) -> tuple[Eqn, Var]:
    prim = registry.get(name)
    aval = prim.abstract_eval(*[a.aval for a in operands], **params)
    weak = prim.weak_rule([a.aval.weak_type for a in operands], **params)
    out = Var(ShapedArray(aval.shape, aval.dtype, weak))
    return Eqn(prim, list(operands), [out], params), out


def function(name: str, operands: list, **params) -> Function:
    e, out = eqn(name, operands, **params)
    params_ = list({id(a): a for a in operands if isinstance(a, Var)}.values())
    return Function(params_, [out], [e])


def specials(dtype: np.dtype, shape: tuple[int, ...], rng: np.random.Generator) -> np.ndarray:
    """Random values with the awkward ones mixed in: signed zeros, NaN, infinities, extremes."""
    if dtype.kind in "iu":
        info = np.iinfo(dtype)
        pool = np.array([0, 1, info.min, info.max, info.max - 1, 2], dtype)
        x = rng.integers(info.min, info.max, size=shape, dtype=dtype, endpoint=True)
    elif dtype.kind == "b":
        return rng.random(shape) < 0.5
    elif dtype.kind == "c":
        real = specials(np.dtype(np.float64), shape, rng)
        x = np.empty(shape, dtype)
        x.real, x.imag = real, rng.permutation(real.reshape(-1)).reshape(shape)
        return x
    else:
        pool = np.array([0.0, -0.0, np.nan, np.inf, -np.inf, 1.0, -1.0, 6.5e4, 1e-40])
        x = rng.standard_normal(shape) * 100
    mask = rng.random(shape) < 0.5
    x = np.where(mask, rng.choice(pool, size=shape), x)
    return np.asarray(x).astype(dtype)


def same_bits(a: np.ndarray, b: np.ndarray) -> bool:
    a, b = np.asarray(a), np.asarray(b)
    return a.dtype == b.dtype and a.shape == b.shape and a.tobytes() == b.tobytes()


def check_bits(before: Function, after: Function, seed: int = 0, rounds: int = 8) -> None:
    rng = np.random.default_rng(seed)
    for _ in range(rounds):
        bufs = [specials(p.aval.dtype, p.aval.shape, rng) for p in before.params]
        for want, got in zip(before(*bufs), after(*bufs)):
            assert same_bits(want, got), (want, got)


def prims(fn: Function) -> list[str]:
    return [e.prim.name for e in fn.eqns]


# --- rules that fire --------------------------------------------------------------------------

def _arith(dtype):
    """``(op, identity literal, identity on the left too)`` exact for ``dtype``."""
    zero_add = {"c": complex(-0.0, -0.0), "f": -0.0, "V": -0.0}.get(dtype.kind, 0)
    cases = [("add", lit(zero_add, dtype), True), ("sub", lit(0, dtype), False)]
    if dtype.kind != "c":
        cases += [("mul", lit(1, dtype), True), ("div", lit(1, dtype), False)]
    return cases


ARITH = [(dt, op, one, left) for dt in NUMERIC for op, one, left in _arith(dt)]


@pytest.mark.parametrize("dtype,op,one,left", ARITH,
                         ids=[f"{dt.name}-{op}" for dt, op, _, _ in ARITH])
def test_arithmetic_identities_go_and_keep_every_bit(dtype, op, one, left):
    x = param(dtype)
    fn = function(op, [x, one])
    out = simplify(fn)
    assert prims(out) == [] and out.results[0] is x
    check_bits(fn, out)
    if left:
        fn = function(op, [one, x])
        assert simplify(fn).results[0] is x
        check_bits(fn, simplify(fn))


def test_identity_constants_are_recognised_like_literals():
    x = param(F32)
    ones = Var(ShapedArray(SHAPE, F32))
    e, out = eqn("mul", [x, ones])
    fn = Function([x], [out], [e], [ones], [np.ones(SHAPE, F32)])
    assert simplify(fn).results[0] is x


def _structural():
    x = param(F32)
    return [
        ("reshape", [x], {"new_sizes": SHAPE}),
        ("transpose", [x], {"permutation": (0, 1)}),
        ("broadcast_in_dim", [x], {"shape": SHAPE, "broadcast_dimensions": (0, 1)}),
        ("squeeze", [x], {"dimensions": ()}),
        ("expand_dims", [x], {"dimensions": ()}),
        ("concatenate", [x], {"dimension": 1}),
        ("slice", [x], {"start_indices": (0, 0), "limit_indices": SHAPE, "strides": None}),
        ("slice", [x], {"start_indices": (0, 0), "limit_indices": SHAPE, "strides": (1, 1)}),
        ("rev", [x], {"dimensions": ()}),
        ("pad", [x, lit(7, F32)], {"padding_config": ((0, 0, 0), (0, 0, 0))}),
        ("dynamic_slice", [x, lit(2, I32), lit(-1, I32)], {"slice_sizes": SHAPE}),
        ("integer_pow", [x], {"y": 1}),
        ("convert_element_type", [x], {"new_dtype": F32, "weak_type": False}),
        ("select_n", [lit(True, np.bool_), param(F32), x], {}),
        ("select_n", [lit(0, I32), x, param(F32), param(F32)], {}),
        ("select_n", [param(np.bool_), x, x], {}),
    ]


STRUCTURAL = _structural()


@pytest.mark.parametrize("name,operands,params", STRUCTURAL,
                         ids=[f"{n}-{i}" for i, (n, _, _) in enumerate(STRUCTURAL)])
def test_no_op_structural_equations_go(name, operands, params):
    fn = function(name, operands, **params)
    out = simplify(fn)
    assert prims(out) == []
    check_bits(fn, out)


_REDUCE_KINDS = {"reduce_sum": "iufcV", "reduce_prod": "iufcV", "reduce_max": "biufcV",
                 "reduce_min": "biufcV", "reduce_and": "iub", "reduce_or": "iub",
                 "reduce_xor": "iub"}
REDUCTIONS = [(name, dt) for name, kinds in _REDUCE_KINDS.items()
              for dt in NUMERIC + [np.dtype(np.bool_)] if dt.kind in kinds]


@pytest.mark.parametrize("name,dtype", REDUCTIONS, ids=[f"{n}-{d}" for n, d in REDUCTIONS])
def test_reductions_over_no_axes_go_when_exact(name, dtype):
    fn = function(name, [param(dtype)], axes=())
    out = simplify(fn)
    inexact = dtype.kind in "fcV" if name == "reduce_sum" else dtype.kind == "c"
    if inexact and name in ("reduce_sum", "reduce_prod", "reduce_max", "reduce_min"):
        assert prims(out) == [name]  # 0.0 + -0.0 is 0.0; complex numbers are inexact
        with pytest.raises(AssertionError):
            check_bits(fn, simplify(Function(fn.params, fn.eqns[0].inputs, [])))
        return
    assert prims(out) == []
    check_bits(fn, out)


def test_full_dynamic_update_slice_is_the_update():
    x, u = param(F32), param(F32)
    fn = function("dynamic_update_slice", [x, u, lit(1, I32), lit(3, I32)])
    out = simplify(fn)
    assert prims(out) == [] and out.results[0] is u
    check_bits(fn, out)


@pytest.mark.parametrize("dtype", [d for d in NUMERIC if d.kind != "c"], ids=str)
def test_square_becomes_a_multiplication(dtype):
    x = param(dtype)
    fn = function("integer_pow", [x], y=2)
    out = simplify(fn)
    assert prims(out) == ["mul"] and out.eqns[0].inputs == [x, x]
    check_bits(fn, out)


@pytest.mark.parametrize("dtype", [F32, I32, U8, np.dtype(np.int8)], ids=str)
def test_double_negation_goes(dtype):
    x = param(dtype)
    e1, y = eqn("neg", [x])
    e2, z = eqn("neg", [y])
    fn = Function([x], [z], [e1, e2])
    out = dce(simplify(fn))
    assert prims(out) == [] and out.results[0] is x
    check_bits(fn, out)


def test_transposes_compose():
    x = param(F32, (2, 3, 4))
    e1, y = eqn("transpose", [x], permutation=(1, 2, 0))
    e2, z = eqn("transpose", [y], permutation=(2, 0, 1))  # undoes the first
    e3, w = eqn("transpose", [y], permutation=(1, 0, 2))
    fn = Function([x], [z, w], [e1, e2, e3])
    out = dce(simplify(fn))
    assert out.results[0] is x
    assert prims(out) == ["transpose"] and out.eqns[0].inputs == [x]
    check_bits(fn, out)


def test_reshapes_compose():
    x = param(F32)
    e1, y = eqn("reshape", [x], new_sizes=(12,))
    e2, z = eqn("reshape", [y], new_sizes=(2, 6))
    e3, w = eqn("reshape", [y], new_sizes=SHAPE)
    fn = Function([x], [z, w], [e1, e2, e3])
    out = dce(simplify(fn))
    assert out.results[1] is x
    assert prims(out) == ["reshape"] and out.eqns[0].inputs == [x]
    check_bits(fn, out)


# --- rules that must not fire -----------------------------------------------------------------

def _kept():
    x, sq = param(F32), param(F32, (3, 3))
    row = param(F32, (4,))
    return [
        ("add", [x, lit(0.0, F32)], {}),          # -0.0 + 0.0 is +0.0
        ("add", [lit(0.0, F32), x], {}),
        ("sub", [x, lit(-0.0, F32)], {}),         # -0.0 - -0.0 is +0.0
        ("add", [param(C64), lit(-0.0, C64)], {}),  # the imaginary part is +0.0
        ("mul", [param(C64), lit(1, C64)], {}),   # inf parts give NaN
        ("div", [param(C64), lit(1, C64)], {}),
        ("div", [lit(1, F32), x], {}),
        ("sub", [lit(0, I32), param(I32)], {}),
        ("mul", [param(F32, weak=True), lit(1.0, F32)], {}),  # the result is strong
        ("transpose", [sq], {"permutation": (1, 0)}),
        ("broadcast_in_dim", [sq], {"shape": (3, 3), "broadcast_dimensions": (1, 0)}),
        ("broadcast_in_dim", [row], {"shape": SHAPE, "broadcast_dimensions": (1,)}),
        ("convert_element_type", [x], {"new_dtype": F32, "weak_type": True}),
        ("convert_element_type", [x], {"new_dtype": F16, "weak_type": False}),
        ("rev", [x], {"dimensions": (0,)}),
        ("pad", [x, lit(0, F32)], {"padding_config": ((-1, 1, 0), (0, 0, 0))}),
        ("integer_pow", [x], {"y": 3}),
        ("reduce_sum", [x], {"axes": ()}),      # -0.0 + 0.0 again
        ("reduce_prod", [param(C64)], {"axes": ()}),
        ("select_n", [param(np.bool_), x, param(F32)], {}),
        ("select_n", [lit(True, np.bool_), x, row], {}),  # would broadcast ``row``
        ("dynamic_update_slice", [x, param(F32, (1, 4)), lit(0, I32), lit(0, I32)], {}),
    ]


KEPT = _kept()


@pytest.mark.parametrize("name,operands,params", KEPT,
                         ids=[f"{n}-{i}" for i, (n, _, _) in enumerate(KEPT)])
def test_non_identities_stay(name, operands, params):
    fn = function(name, operands, **params)
    assert prims(simplify(fn)) == [name]


def test_broadcasting_by_an_identity_constant_stays():
    x = param(F32, (4,))
    zeros = Var(ShapedArray(SHAPE, F32))
    e, out = eqn("add", [x, zeros])
    fn = Function([x], [out], [e], [zeros], [np.full(SHAPE, -0.0, F32)])
    assert prims(simplify(fn)) == ["add"]


def test_simplify_does_not_modify_its_input():
    x = param(F32)
    fn = function("mul", [x, lit(1, F32)])
    text = str(fn)
    simplify(fn)
    assert str(fn) == text and len(fn.eqns) == 1


# --- through the pipeline and jit -------------------------------------------------------------

def chain(x):
    y = ((x * 1.0 + (-0.0)) - 0.0) / 1.0
    return jnp.negative(-y) * 2.0


def square_sum(x):
    return lax.integer_pow(x, 2) + lax.integer_pow(x, 1) * x.T.T


def picks(x):
    return lax.select_n(True, x * 3.0, x - 1.0) + jnp.where(False, x, x * 1.0)


def still_needed(x):
    return x + 0.0, x * 0.0


USER = [(chain, ["mul"]), (square_sum, ["mul", "add"]), (picks, ["sub", "add"]),
        (still_needed, ["add", "mul"])]


@pytest.mark.parametrize("f,expected", USER, ids=[f.__name__ for f, _ in USER])
def test_jit_matches_eager_bit_for_bit(f, expected):
    rng = np.random.default_rng(1)
    x = specials(F32, (5, 5), rng)
    staged = axc.make_ir(f)(x)
    assert sorted(prims(optimize(staged))) == sorted(expected)
    jitted = axc.jit(f)
    for _ in range(5):
        x = specials(F32, (5, 5), rng)
        want = f(jnp.asarray(x))
        got = jitted(x)
        for w, g in zip(want if isinstance(want, tuple) else (want,),
                        got if isinstance(got, tuple) else (got,)):
            assert same_bits(np.asarray(w), np.asarray(g))
