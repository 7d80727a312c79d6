"""The dtype lattice, weak types and canonicalisation, checked against JAX's tables."""
import itertools

import numpy as np
import pytest
from axc.runtime import dtypes

import axc

jax = pytest.importorskip("jax")
jnp = pytest.importorskip("jax.numpy")

STRONG = [np.dtype(t) for t in (
    np.bool_, np.int8, np.int16, np.int32, np.int64, np.uint8, np.uint16, np.uint32, np.uint64,
    np.float16, np.float32, np.float64, np.complex64, np.complex128)] + [dtypes.bfloat16]
WEAK = [int, float, complex, bool]
ALL = STRONG + WEAK


def _name(t):
    return t.__name__ if isinstance(t, type) else str(t)


@pytest.fixture(params=[False, True], ids=["x32", "x64"])
def x64(request):
    jax.config.update("jax_enable_x64", request.param)
    axc.config.update("jax_enable_x64", request.param)
    yield request.param
    jax.config.update("jax_enable_x64", False)
    axc.config.update("jax_enable_x64", False)


@pytest.mark.parametrize("a,b", list(itertools.product(ALL, ALL)),
                         ids=lambda t: _name(t))
def test_result_type_matches_jax(a, b, x64):
    want, want_weak = jax.dtypes.result_type(a, b, return_weak_type_flag=True)
    got, got_weak = dtypes.result_type(a, b, return_weak_type_flag=True)
    assert (got, got_weak) == (np.dtype(want), want_weak)


@pytest.mark.parametrize("a,b", list(itertools.product(STRONG, STRONG)), ids=_name)
def test_promote_types_matches_jax(a, b, x64):
    assert dtypes.promote_types(a, b) == jnp.promote_types(a, b)


@pytest.mark.parametrize("dt", STRONG, ids=_name)
def test_canonicalize(dt, x64):
    assert dtypes.canonicalize_dtype(dt) == jax.dtypes.canonicalize_dtype(dt)


@pytest.mark.parametrize("dt", STRONG, ids=_name)
@pytest.mark.parametrize("scalar", [2, 2.5, 1j, True], ids=repr)
def test_array_scalar_arithmetic_dtype_and_weakness(dt, scalar):
    """``x + scalar`` for arrays of every dtype: dtype and weak type as JAX gives them."""
    if dt.kind == "b" and isinstance(scalar, bool):
        pytest.skip("bool + bool is covered by test_bool_arithmetic")
    data = np.ones(3, dt)
    try:
        want = jnp.asarray(data) + scalar
    except Exception as e:  # noqa: BLE001  (JAX refuses: axc must refuse too)
        with pytest.raises(type(e)):
            axc.numpy.asarray(data) + scalar
        return
    got = axc.numpy.asarray(data) + scalar
    assert got.dtype == want.dtype
    assert got.weak_type == want.weak_type
    np.testing.assert_array_equal(np.asarray(got), np.asarray(want))


def test_python_scalars_are_weak():
    x = axc.numpy.asarray(1.0)
    assert x.dtype == np.float32 and x.weak_type
    assert not axc.numpy.asarray(True).weak_type
    assert not axc.numpy.asarray([1.0, 2.0]).weak_type


def test_float64_input_is_canonicalised_to_float32():
    assert axc.numpy.asarray(np.arange(3.0)).dtype == np.float32
    assert axc.numpy.asarray(np.arange(3)).dtype == np.int32


def test_x64_flag_accepts_both_spellings():
    try:
        axc.config.update("axc_enable_x64", True)
        assert axc.config.jax_enable_x64
        assert axc.numpy.asarray(np.arange(3.0)).dtype == np.float64
    finally:
        axc.config.update("jax_enable_x64", False)
    assert axc.numpy.asarray(np.arange(3.0)).dtype == np.float32


def test_unknown_config_option_raises():
    with pytest.raises(AttributeError, match="Unrecognized config option"):
        axc.config.update("jax_no_such_flag", 1)


def test_python_int_overflow():
    with pytest.raises(OverflowError, match="too large to convert to int32"):
        axc.numpy.asarray(2 ** 40)


@pytest.mark.parametrize("bad", [np.array(["a"]), np.array([object()], dtype=object), "abc"])
def test_non_numeric_data_rejected(bad):
    with pytest.raises(TypeError):
        axc.numpy.asarray(bad)


@pytest.mark.parametrize("dt", ["float32", "float16", "bfloat16", "float64"])
def test_finfo_matches_jax(dt):
    got, want = axc.numpy.finfo(dt), jnp.finfo(dt)
    assert (got.eps, got.max, got.tiny, got.bits) == (want.eps, want.max, want.tiny, want.bits)


@pytest.mark.parametrize("dt", ["int8", "uint16", "int32", "uint64"])
def test_iinfo_matches_jax(dt):
    got, want = axc.numpy.iinfo(dt), jnp.iinfo(dt)
    assert (got.min, got.max, got.bits) == (want.min, want.max, want.bits)


@pytest.mark.parametrize("a,b", [("float32", np.floating), ("bfloat16", np.floating),
                                 ("int8", np.integer), ("uint8", np.signedinteger),
                                 ("complex64", np.inexact), ("float16", np.complexfloating)])
def test_issubdtype_matches_jax(a, b):
    a = dtypes.bfloat16 if a == "bfloat16" else np.dtype(a)
    assert axc.numpy.issubdtype(a, b) == jnp.issubdtype(a, b)


def test_scalar_type_objects():
    jnp_ = axc.numpy
    x = jnp_.float32(2)
    assert isinstance(x, axc.Array) and x.dtype == np.float32 and not x.weak_type
    assert np.dtype(jnp_.float32) == np.float32
    assert jnp_.issubdtype(jnp_.float32, jnp_.floating)
    assert jnp_.zeros(2).astype(jnp_.int8).dtype == np.int8 if hasattr(jnp_, "zeros") else True
