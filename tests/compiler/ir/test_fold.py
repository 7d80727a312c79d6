"""Constant folding: all-constant equations are evaluated at compile time, within limits."""
from __future__ import annotations

import numpy as np
import pytest
from axc.compiler.ir.ir import Eqn, Function, Literal, Var, regions
from axc.compiler.ir.passes import optimize
from axc.compiler.ir.passes.dce import dce
from axc.compiler.ir.passes.fold import SMALL, fold
from axc.kernels import registry
from axc.runtime.abstract import ShapedArray

import axc
import axc.numpy as jnp
from axc import lax

F32 = np.dtype(np.float32)
BIG = SMALL * 5  # more elements than staging folds by itself
W = jnp.arange(float(BIG)) / 7.0


def prims(fn: Function) -> list[str]:
    return [e.prim.name for e in fn.eqns]


def same_bits(a, b) -> bool:
    a, b = np.asarray(a), np.asarray(b)
    return a.dtype == b.dtype and a.shape == b.shape and a.tobytes() == b.tobytes()


def const_function(name: str, value: np.ndarray, **params) -> Function:
    """``f(x) = x * prim(c)`` for a constant ``c``: one foldable equation, one that is not."""
    c = Var(ShapedArray(value.shape, value.dtype))
    prim = registry.get(name)
    aval = prim.abstract_eval(c.aval, **params)
    y, x, out = Var(aval), Var(aval), Var(aval)
    eqns = [Eqn(prim, [c], [y], params), Eqn(registry.get("mul"), [x, y], [out], {})]
    return Function([x], [out], eqns, [c], [value])


def on_big_constants(x):
    return x + jnp.sin(W) * 2.0 - jnp.cumsum(W)


def made_constant_by_simplification(x):
    return x + jnp.exp(jnp.where(True, W, x))  # select_n picks W, then exp(W) folds


def expanding(x):
    return x + jnp.zeros(BIG) + jnp.arange(float(BIG))  # broadcast and iota: cheaper lazy


FUNCTIONS = [(on_big_constants, ["add", "sub"]), (made_constant_by_simplification, ["add"]),
             (expanding, ["broadcast_in_dim", "add", "iota", "add"])]


@pytest.mark.parametrize("f,expected", FUNCTIONS, ids=[f.__name__ for f, _ in FUNCTIONS])
def test_folded_functions_match_eager_bit_for_bit(f, expected):
    x = np.linspace(-3, 3, BIG).astype(F32)
    staged = axc.make_ir(f)(x)
    out = optimize(staged)
    assert prims(out) == expected
    assert len(prims(staged)) > len(expected) or f is expanding
    assert same_bits(axc.jit(f)(x), f(jnp.asarray(x)))


def test_large_constants_are_folded_into_one_new_constant():
    fn = optimize(axc.make_ir(on_big_constants)(np.ones(BIG, F32)))
    assert len(fn.consts) == 2  # sin(W) * 2 and cumsum(W); W itself is dead
    assert same_bits(fn.const_values[0], jnp.sin(W) * 2.0)


def test_zero_d_results_become_literals():
    value = np.arange(BIG, dtype=F32)
    fn = const_function("reduce_sum", value, axes=(0,))
    out = dce(fold(fn))
    assert prims(out) == ["mul"] and out.consts == []
    lit = out.eqns[0].inputs[1]
    assert isinstance(lit, Literal) and same_bits(lit.value, registry.get("reduce_sum").impl(
        value, axes=(0,)))
    x = np.float32(3.0)
    assert same_bits(out(x)[0], fn(x)[0])


def test_folded_views_own_their_data():
    value = np.arange(BIG, dtype=F32)
    out = fold(const_function("reshape", value, new_sizes=(5, SMALL)))
    new = out.const_values[-1]
    assert new.shape == (5, SMALL) and new.flags.owndata and not np.shares_memory(new, value)


def test_results_larger_than_max_size_are_not_folded():
    fn = const_function("sin", np.arange(BIG, dtype=F32))
    assert prims(fold(fn, max_size=BIG - 1)) == ["sin", "mul"]
    assert prims(fold(fn, max_size=BIG)) == ["mul"]


def test_an_impl_that_raises_is_left_for_run_time():
    fn = const_function("reshape", np.arange(6, dtype=F32), new_sizes=(6,))
    fn.eqns[0].params = {"new_sizes": (-1,)}  # a shape the impl refuses
    assert prims(fold(fn)) == ["reshape", "mul"]


def test_regions_are_not_evaluated():
    def loop(x):
        return x + lax.fori_loop(0, 3, lambda i, v: v * 2.0, W)
    staged = axc.make_ir(loop)(np.ones(BIG, F32))
    assert [e.prim.name for e in optimize(staged).eqns if regions(e)] == ["scan"]


def test_fold_does_not_modify_its_input():
    fn = const_function("sin", np.arange(BIG, dtype=F32))
    text, n = str(fn), len(fn.consts)
    fold(fn)
    assert str(fn) == text and len(fn.consts) == n
