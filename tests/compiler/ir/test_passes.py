"""The IR and its generic passes: printing, CSE, DCE, and what the executable keeps."""
import numpy as np
import pytest
from axc.compiler.ir.passes import optimize
from axc.compiler.ir.passes.cse import cse
from axc.compiler.ir.passes.dce import dce

import axc
import axc.numpy as jnp


def _prims(fn):
    return [e.prim.name for e in fn.eqns]


def test_printed_ir_reads_like_a_jaxpr():
    text = str(axc.make_ir(lambda x, y: jnp.dot(x + 1, y))(np.ones((3, 4)), np.ones(4)))
    lines = text.splitlines()
    assert lines[0] == "{ lambda ; a:f32[3,4] b:f32[4]. let"
    assert lines[1].strip() == "c:f32[3,4] = add a 1.0:f32[]"
    assert lines[2].strip().startswith("d:f32[3] = dot_general[")
    assert lines[-1].strip() == "in (d,) }"


def test_closed_over_arrays_become_constants():
    w = jnp.arange(6.0).reshape(2, 3)
    fn = axc.make_ir(lambda x: x @ w)(np.ones((4, 2), np.float32))
    assert len(fn.consts) == 1 and fn.const_values[0].shape == (2, 3)
    assert str(fn).startswith("{ lambda a:f32[2,3]; b:f32[4,2]. let")


def test_small_concrete_operations_fold_while_tracing():
    fn = axc.make_ir(lambda x: x + jnp.arange(3.0) * 2)(np.ones(3, np.float32))
    assert _prims(fn) == ["add"]


def test_cse_merges_repeated_operations_and_dce_drops_the_rest():
    def f(x):
        unused = jnp.cos(x)  # noqa: F841 - dead
        return jnp.sin(x) * jnp.sin(x)
    staged = axc.make_ir(f)(np.ones(3, np.float32))
    assert _prims(staged) == ["cos", "sin", "sin", "mul"]
    assert _prims(dce(cse(staged))) == ["sin", "mul"]
    out = optimize(staged)
    assert out.eqns[1].inputs[0] is out.eqns[1].inputs[1]
    assert _prims(staged) == ["cos", "sin", "sin", "mul"]  # optimize works on a copy


def test_cse_keeps_operations_with_different_params():
    fn = optimize(axc.make_ir(lambda x: (x.sum(0), x.sum(1)))(np.ones((2, 3), np.float32)))
    assert _prims(fn) == ["reduce_sum", "reduce_sum"]


def test_lowered_text_dialects():
    lowered = axc.jit(lambda x: jnp.exp(x) * 2.0).lower(np.ones(8, np.float32))
    assert "exp" in lowered.as_text("ir")
    assert "define" in lowered.as_text("llvm")
    assert "ret" in lowered.as_text("asm")
    with pytest.raises(ValueError, match="dialect"):
        lowered.as_text("ptx")


def test_compiled_ir_shows_the_fusion():
    text = axc.jit(lambda x: jnp.sin(x) * jnp.cos(x) + 1.0).lower(
        np.ones(5, np.float32)).compile().as_text()
    assert text.count("fusion[") == 1 and "sin" in text and "cos" in text
