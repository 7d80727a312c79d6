"""AOT signatures: the ``"f32[3,4]"`` spec language, ``--sig NAME=SPEC;SPEC``, and
``axc.signature`` stacked with ``jit`` / ``grad`` / ``vmap``."""
import numpy as np
import pytest
from axc.compiler.aot.signature import (
    SignatureError,
    parse_sig_option,
    parse_signature,
    parse_spec,
    signature_of,
    spec_text,
)

import axc
import axc.numpy as jnp


@pytest.mark.parametrize("spec, shape, dtype", [
    ("f32[1000]", (1000,), np.float32),
    ("i32[]", (), np.int32),
    ("i32", (), np.int32),
    ("f32[3,4]", (3, 4), np.float32),
    (" u8[ 2 , 3 ] ", (2, 3), np.uint8),
    ("bool[2]", (2,), np.bool_),
    ("pred[]", (), np.bool_),
    ("float64[5]", (5,), np.float64),
    ("c64[0]", (0,), np.complex64),
    ("i64[1,1,1]", (1, 1, 1), np.int64),
])
def test_parse_spec(spec, shape, dtype):
    s = parse_spec(spec)
    assert s.shape == shape and s.dtype == np.dtype(dtype)
    assert parse_spec(spec_text(s)) == s  # spec_text writes what parse_spec reads


def test_parse_spec_passes_shape_dtype_structs_and_arrays():
    sds = axc.ShapeDtypeStruct((3, 4), jnp.float32)
    assert parse_spec(sds) is sds
    assert parse_spec(np.zeros((2, 5), np.int16)) == axc.ShapeDtypeStruct((2, 5), np.int16)


@pytest.mark.parametrize("spec, message", [
    ("f32[-1]", "not a non-negative integer"),
    ("f32[n]", "static shapes"),
    ("f32[3", "not a type spec"),
    ("", "not a type spec"),
    ("xyz[3]", "unknown dtype 'xyz'"),
    ("str[3]", "does not support dtype"),
    (3, "got int"),
])
def test_parse_spec_errors(spec, message):
    with pytest.raises(SignatureError, match=message):
        parse_spec(spec)


def test_parse_signature_and_sig_option():
    assert parse_signature("f32[3]; f32[]") == (parse_spec("f32[3]"), parse_spec("f32[]"))
    assert parse_signature("") == ()
    assert parse_sig_option("loss=f32[3];i32[]") == ("loss", parse_signature("f32[3];i32[]"))


@pytest.mark.parametrize("text", ["loss", "=f32[3]", "1x=f32[]", "a-b=f32[]"])
def test_sig_option_errors(text):
    with pytest.raises(SignatureError, match="NAME=SPEC"):
        parse_sig_option(text)


def _f(x):
    return jnp.sum(jnp.sin(x))


SIG = (parse_spec("f32[3]"),)


@pytest.mark.parametrize("make", [
    pytest.param(lambda: axc.jit(axc.signature("f32[3]")(lambda x: x)), id="jit-over-sig"),
    pytest.param(lambda: axc.signature("f32[3]")(axc.jit(lambda x: x)), id="sig-over-jit"),
    pytest.param(lambda: axc.signature("f32[3]")(axc.grad(_f)), id="sig-on-grad"),
    pytest.param(lambda: axc.jit(axc.signature("f32[3]")(axc.grad(_f))), id="jit-grad"),
    pytest.param(lambda: axc.signature(axc.ShapeDtypeStruct((3,), np.float32))(_f_copy()),
                 id="shape-dtype-struct"),
])
def test_signature_found_through_wrappers(make):
    assert signature_of(make()) == SIG


def _f_copy():
    def f(x):
        return x
    return f


def test_signature_returns_its_argument_and_keeps_it_callable():
    g = axc.grad(_f)
    assert axc.signature("f32[3]")(g) is g
    x = np.array([0.0, 1.0, 2.0], np.float32)
    np.testing.assert_allclose(g(x), np.cos(x), rtol=1e-6)
    jitted = axc.signature("f32[3]")(axc.jit(_f))
    np.testing.assert_allclose(jitted(x), np.sin(x).sum(), rtol=1e-6)


def test_vmap_does_not_inherit_the_unbatched_signature():
    f = axc.signature("f32[3]")(_f_copy())
    assert signature_of(axc.vmap(f)) is None
    assert signature_of(axc.signature("f32[2,3]")(axc.vmap(f))) == (parse_spec("f32[2,3]"),)


def test_signature_rejects_non_callables_and_bad_specs():
    with pytest.raises(SignatureError, match="decorates a function"):
        axc.signature("f32[3]")(3)
    with pytest.raises(SignatureError, match="unknown dtype"):
        axc.signature("q32[3]")
