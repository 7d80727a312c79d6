"""Array creation in ``axc.numpy`` vs ``jax.numpy``: values, dtypes, weak types and errors."""
from __future__ import annotations

import warnings

import numpy as np
import pytest
from axc.kernels import registry
from axc.runtime import dtypes
from axc.runtime.config import config

import axc.numpy as anp

jax = pytest.importorskip("jax")
jnp = pytest.importorskip("jax.numpy")

X = np.arange(6.0, dtype=np.float32).reshape(2, 3)

# name -> f(module): run with axc.numpy and with jax.numpy
CASES = {
    "zeros": lambda m: m.zeros((2, 3)),
    "zeros_int": lambda m: m.zeros(3, int),
    "zeros_np_int": lambda m: m.zeros(np.int64(3), "int8"),
    "zeros_array_shape": lambda m: m.zeros(m.array(3)),
    "zeros_0d": lambda m: m.zeros(()),
    "zeros_empty": lambda m: m.zeros((0, 2)),
    "zeros_negative": lambda m: m.zeros((2, -1)),
    "zeros_float_shape": lambda m: m.zeros(3.0),
    "zeros_none_shape": lambda m: m.zeros(None),
    "zeros_str_dtype": lambda m: m.zeros(2, "U"),
    "ones_bool": lambda m: m.ones((), bool),
    "ones_c64": lambda m: m.ones(2, "complex64"),
    "ones_bf16": lambda m: m.ones(2, m.bfloat16),
    "empty": lambda m: m.empty((2, 2), "int32"),
    "full_int": lambda m: m.full(3, 2),
    "full_float": lambda m: m.full((2, 2), 2.5),
    "full_wraps": lambda m: m.full(2, 300, "int8"),
    "full_to_int": lambda m: m.full((2,), 2.5, dtype=int),
    "full_np_scalar": lambda m: m.full((2,), np.float64(2.5)),
    "full_array": lambda m: m.full((2, 3), m.arange(3)),
    "full_array_dtype": lambda m: m.full((2, 3), m.arange(3), dtype="float16"),
    "full_bad_broadcast": lambda m: m.full((2, 3), m.arange(2)),
    "full_list": lambda m: m.full(3, [1, 2, 3]),
    "full_bool": lambda m: m.full(2, True),
    "full_like": lambda m: m.full_like(m.ones(3), 2),
    "full_like_weak": lambda m: m.full_like(2.0, 2),
    "full_like_array": lambda m: m.full_like(m.ones((2, 3)), m.arange(3)),
    "full_like_shape": lambda m: m.full_like(m.ones((2, 3), "int8"), 5, shape=(4,)),
    "zeros_like_weak": lambda m: m.zeros_like(2.0),
    "zeros_like_shape": lambda m: m.zeros_like(m.ones((2, 3)), shape=4),
    "zeros_like_np": lambda m: m.zeros_like(np.int8(1)),
    "zeros_like_list": lambda m: m.zeros_like([1, 2]),
    "ones_like_dtype": lambda m: m.ones_like(m.ones(2, "int8"), dtype=float),
    "ones_like_int": lambda m: m.ones_like(m.arange(3)),
    "empty_like": lambda m: m.empty_like(np.ones(3, "int8")),
    "eye": lambda m: m.eye(3),
    "eye_rect": lambda m: m.eye(3, 4, 1),
    "eye_far": lambda m: m.eye(3, 4, -5),
    "eye_0": lambda m: m.eye(0),
    "eye_neg": lambda m: m.eye(-1),
    "eye_array_k": lambda m: m.eye(3, k=m.array(1)),
    "eye_bool": lambda m: m.eye(2, dtype=bool),
    "identity": lambda m: m.identity(2, dtype="int8"),
    "tri": lambda m: m.tri(3, 4, 1),
    "tri_int": lambda m: m.tri(3, dtype=int),
    "tri_neg": lambda m: m.tri(4, 2, -1),
    "arange": lambda m: m.arange(5),
    "arange_float": lambda m: m.arange(5.5),
    "arange_negative": lambda m: m.arange(-3),
    "arange_start_stop": lambda m: m.arange(2, 7),
    "arange_start_stop_f": lambda m: m.arange(2.5, 7),
    "arange_step_to_int": lambda m: m.arange(1, 4, 0.5, dtype=int),
    "arange_float16": lambda m: m.arange(1, 4, dtype="float16"),
    "arange_float16_step": lambda m: m.arange(0, 3000, 1.5, dtype="float16"),
    "arange_tenths": lambda m: m.arange(0, 1, 0.1),
    "arange_long": lambda m: m.arange(0.5, 1e5, 0.7),
    "arange_down": lambda m: m.arange(10, 0, -3),
    "arange_empty": lambda m: m.arange(5, 1),
    "arange_array": lambda m: m.arange(m.array(2.0), 5),
    "arange_np_int8": lambda m: m.arange(np.int8(5)),
    "arange_np_float64": lambda m: m.arange(np.float64(2.0), 5),
    "arange_int8": lambda m: m.arange(5, dtype="int8"),
    "arange_uint": lambda m: m.arange(2, 9, 3, dtype="uint8"),
    "arange_bool": lambda m: m.arange(2, dtype=bool),
    "arange_vector": lambda m: m.arange(m.ones(2)),
    "arange_complex": lambda m: m.arange(1 + 2j),
    "arange_zero_step": lambda m: m.arange(0, 5, 0),
    "arange_none": lambda m: m.arange(None),
    "arange_none_start": lambda m: m.arange(None, 3),
    "arange_none_stop": lambda m: m.arange(1, None, 2),
    "arange_list": lambda m: m.arange([3]),
    "linspace": lambda m: m.linspace(0, 1, 5),
    "linspace_retstep": lambda m: m.linspace(0, 1, 5, endpoint=False, retstep=True),
    "linspace_1": lambda m: m.linspace(0, 1, 1, retstep=True),
    "linspace_1_open": lambda m: m.linspace(2, 5, 1, endpoint=False, retstep=True),
    "linspace_0": lambda m: m.linspace(0, 1, 0, retstep=True),
    "linspace_axis": lambda m: m.linspace(m.array([0.0, 1.0]), 3, 3, axis=-1),
    "linspace_2d": lambda m: m.linspace(m.zeros((2, 1)), m.arange(3.0), 7, axis=1),
    "linspace_int": lambda m: m.linspace(0, 10, 4, dtype=int),
    "linspace_int_neg": lambda m: m.linspace(-7, 10, 9, dtype="int8"),
    "linspace_complex": lambda m: m.linspace(0, 1 + 1j, 3),
    "linspace_c64": lambda m: m.linspace(0, 1, 3, dtype="complex64"),
    "linspace_float_num": lambda m: m.linspace(0, 1, 3.0),
    "linspace_negative_num": lambda m: m.linspace(0, 1, -1),
    "linspace_big": lambda m: m.linspace(-3.7, 11.3, 1001),
    "linspace_int8_start": lambda m: m.linspace(np.int8(0), 1, 5),
    "linspace_f16": lambda m: m.linspace(m.zeros((), "float16"), 3, 7),
    "linspace_bad_axis": lambda m: m.linspace(0, 1, 3, axis=2),
    "logspace": lambda m: m.logspace(0, 2, 3),
    "logspace_base_int": lambda m: m.logspace(0, 2, 3, base=2, dtype=int),
    "logspace_many": lambda m: m.logspace(-2, 3.5, 37, endpoint=False),
    "geomspace": lambda m: m.geomspace(1, 8, 4),
    "geomspace_negative": lambda m: m.geomspace(-1, -8, 4),
    "geomspace_axis": lambda m: m.geomspace(m.array([1.0, 1000.0]), m.array([27.0, 1.0]), 4,
                                            axis=-1),
    "meshgrid": lambda m: m.meshgrid(m.arange(2), m.arange(3.0)),
    "meshgrid_sparse": lambda m: m.meshgrid(m.arange(2), m.arange(3.0), m.arange(4),
                                            sparse=True),
    "meshgrid_ij": lambda m: m.meshgrid(m.arange(2), m.arange(3.0), indexing="ij"),
    "meshgrid_one": lambda m: m.meshgrid(m.arange(3)),
    "meshgrid_none": lambda m: m.meshgrid(),
    "meshgrid_2d": lambda m: m.meshgrid(m.ones((2, 2))),
    "meshgrid_indexing": lambda m: m.meshgrid(m.arange(2), indexing="xx"),
    "meshgrid_nocopy": lambda m: m.meshgrid(m.arange(2), copy=False),
    "indices": lambda m: m.indices((2, 3)),
    "indices_sparse": lambda m: m.indices((2, 3), sparse=True),
    "indices_int8": lambda m: m.indices((2, 3, 1), dtype="int8"),
    "indices_empty": lambda m: m.indices(()),
    "mgrid": lambda m: m.mgrid[0:3, 0:2],
    "mgrid_complex_step": lambda m: m.mgrid[0:1:3j],
    "mgrid_1d": lambda m: m.mgrid[0:3],
    "mgrid_mixed": lambda m: m.mgrid[0:3, 0.0:1.0:0.25],
    "ogrid": lambda m: m.ogrid[0:3, 0:2],
    "fromfunction": lambda m: m.fromfunction(lambda i, j: i + j, (2, 3)),
    "fromfunction_int": lambda m: m.fromfunction(lambda i, j: i * 10 + j, (2, 3), dtype=int),
    "copy": lambda m: m.copy(m.ones(2)),
    "copy_weak": lambda m: m.copy(2.0),
    "copy_list": lambda m: m.copy([1]),
    "array_int": lambda m: m.array(3),
    "array_list": lambda m: m.array([1, 2.0]),
    "array_nested": lambda m: m.array([[1, 2], [3, 4]], dtype="uint8"),
    "array_ndmin": lambda m: m.array(3, ndmin=2),
    "array_ndmin3": lambda m: m.array(m.ones(2), ndmin=3),
    "array_of_array": lambda m: m.array(m.asarray(3.0)),
    "array_arrays_and_scalars": lambda m: m.array([m.asarray(3.0), 2]),
    "array_int8_list": lambda m: m.array([m.asarray(3, "int8"), 2]),
    "array_np_int8_list": lambda m: m.array([np.int8(3), 2]),
    "array_tuple_of_arrays": lambda m: m.array((m.ones(2), np.zeros(2, "int8"))),
    "array_nested_arrays": lambda m: m.array([[m.float32(1)], [2]]),
    "array_weak_arrays": lambda m: m.array([m.asarray(2.0), m.asarray(3.0)]),
    "array_empty": lambda m: m.array([]),
    "array_empty_nested": lambda m: m.array([[], []]),
    "array_bool_int": lambda m: m.array([True, 2]),
    "array_np_f64": lambda m: m.array(np.arange(3.0)),
    "array_dtype": lambda m: m.array([1.5, 2], dtype=int),
    "array_ragged": lambda m: m.array([[1, 2], [3]]),
    "array_ragged_arrays": lambda m: m.array([m.ones(2), m.zeros(3)]),
    "array_none": lambda m: m.array(None),
    "array_none_inside": lambda m: m.array([1, None]),
    "array_str": lambda m: m.array("a"),
    "array_order": lambda m: m.array([1, 2], order="F"),
    "array_overflow": lambda m: m.array(2**40),
    "array_list_overflow": lambda m: m.array([m.array(1, "uint8"), 300]),
    "asarray_weak": lambda m: m.asarray(3.0),
    "asarray_dtype_array": lambda m: m.asarray([1, 2], dtype=m.ones(2)),
    "asarray_np_f16": lambda m: m.asarray(np.float16(2)),
    "asarray_np_nocopy": lambda m: m.asarray(np.arange(3), copy=False),
    "asarray_to_f16": lambda m: m.asarray(m.asarray(3.0), dtype="float16"),
    "asarray_to_float": lambda m: m.asarray(m.asarray(3.0), dtype=float),
    "astype_same": lambda m: m.asarray(3.0).astype("float32"),
    "astype_int8": lambda m: m.arange(3.0).astype("int8"),
}
# computed with float arithmetic that XLA fuses (reciprocals, FMA): agree to a few ulp
APPROX = {"linspace_big", "logspace", "logspace_many", "geomspace", "geomspace_negative",
          "geomspace_axis", "arange_long", "linspace_2d", "mgrid_mixed", "linspace_complex"}


def _leaves(x):
    return list(x) if isinstance(x, (list, tuple)) else [x]


def _assert_same(got, want, approx: bool) -> None:
    g_leaves, w_leaves = _leaves(got), _leaves(want)
    assert len(g_leaves) == len(w_leaves)
    for g, w in zip(g_leaves, w_leaves):
        assert isinstance(g, anp.ndarray), type(g)
        assert (g.shape, g.dtype, g.weak_type) == (w.shape, w.dtype, w.weak_type)
        gv, wv = np.asarray(g), np.asarray(w)
        if approx:
            scale = np.max(np.abs(wv)) if wv.size else 1.0
            eps = np.finfo(np.float32).eps
            np.testing.assert_allclose(gv, wv, rtol=4 * eps, atol=4 * eps * scale)
        else:
            np.testing.assert_array_equal(gv, wv)


@pytest.mark.parametrize("name", list(CASES))
def test_against_jax(name):
    fn = CASES[name]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            want = fn(jnp)
        except Exception as e:  # noqa: BLE001 - axc must refuse with JAX's class
            with pytest.raises(type(e)):
                fn(anp)
            return
        got = fn(anp)
    _assert_same(got, want, name in APPROX)


@pytest.mark.parametrize("fn", ["zeros", "ones", "empty"])
@pytest.mark.parametrize("dt", ["bool", "uint16", "bfloat16", "complex64"])
@pytest.mark.parametrize("shape", [(), (0,), 3, (2, 3), (2, 0, 4)], ids=repr)
def test_filled_over_dtypes_and_shapes(fn, dt, shape):
    got, want = getattr(anp, fn)(shape, dt), getattr(jnp, fn)(shape, dt)
    _assert_same(got, want, False)
    like = getattr(anp, fn + "_like")(got)
    _assert_same(like, getattr(jnp, fn + "_like")(want), False)


@pytest.mark.parametrize("dt", ["int8", "uint8", "int32", "float16", "float32", "complex64"])
@pytest.mark.parametrize("args", [(7,), (2, 9), (9, 2, -2), (1, 10, 3)], ids=repr)
def test_arange_dtypes(args, dt):
    _assert_same(anp.arange(*args, dtype=dt), jnp.arange(*args, dtype=dt), False)


@pytest.mark.parametrize("num", [2, 3, 10, 50, 257])
@pytest.mark.parametrize("endpoint", [True, False])
@pytest.mark.parametrize("bounds", [(0, 1), (-2.5, 7.25), (1e-3, 1e3), (5, -5)], ids=repr)
def test_linspace_within_ulps(bounds, num, endpoint):
    got = anp.linspace(*bounds, num, endpoint=endpoint)
    _assert_same(got, jnp.linspace(*bounds, num, endpoint=endpoint), approx=True)
    if endpoint:  # both end points are exact, as in JAX and NumPy
        assert got[0] == np.float32(bounds[0]) and got[-1] == np.float32(bounds[1])


def test_explicit_64_bit_dtype_warns_and_truncates():
    with pytest.warns(UserWarning, match="Explicitly requested dtype float64"):
        x = anp.zeros(2, "float64")
    assert x.dtype == np.float32
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert anp.zeros(2, float).dtype == np.float32  # Python types are silent


def test_x64_defaults():
    with config.override("jax_enable_x64", True), jax.enable_x64(True):
        for name in ("zeros", "arange", "linspace_2d", "eye", "array_list", "full_int",
                     "indices"):
            _assert_same(CASES[name](anp), CASES[name](jnp), name in APPROX)


def test_asarray_does_not_copy_and_array_does():
    x = anp.arange(3)
    assert anp.asarray(x) is x
    y = anp.array(x)
    assert y is not x and not np.shares_memory(y._buf, x._buf)


def test_conversion_snapshots_numpy_data():
    data = np.arange(3.0, dtype=np.float32)
    a, b = anp.array(data), anp.asarray(data)
    data[0] = 42
    assert float(a[0]) == 0.0 and float(b[0]) == 0.0


class _Recorder:
    """An interpreter that records every primitive bound, then evaluates it eagerly."""

    def __init__(self) -> None:
        self.names: list[str] = []

    def process_primitive(self, prim, args, params):
        self.names.append(prim.name)
        registry.pop_interpreter()
        try:
            return prim.bind(*args, **params)
        finally:
            registry.push_interpreter(self)


@pytest.mark.parametrize("call,prims", [
    (lambda: anp.zeros((2, 3)), {"broadcast_in_dim"}),
    (lambda: anp.full((2, 3), 1.5), {"broadcast_in_dim"}),
    (lambda: anp.ones_like(anp.arange(3)), {"broadcast_in_dim", "iota"}),
    (lambda: anp.arange(5), {"iota"}),
    (lambda: anp.arange(1, 5, 2), {"iota", "mul", "add"}),
    (lambda: anp.eye(3), {"iota", "eq", "convert_element_type"}),
    (lambda: anp.tri(3), {"iota", "ge", "convert_element_type"}),
    (lambda: anp.linspace(0, 1, 5), {"iota", "concatenate"}),
    (lambda: anp.indices((2, 3)), {"iota", "concatenate"}),
    (lambda: anp.array([anp.ones(2), anp.zeros(2)]), {"concatenate", "expand_dims"}),
])
def test_creation_goes_through_primitives(call, prims):
    """Creation is staged through primitives, so that a tracing interpreter sees it."""
    rec = _Recorder()
    registry.push_interpreter(rec)
    try:
        out = call()
    finally:
        registry.pop_interpreter()
    assert isinstance(out, anp.ndarray)
    assert prims <= set(rec.names), rec.names


def test_every_public_creation_function_is_tested():
    from axc.kernels.numpy import creation
    tested = {name.split("_")[0] for name in CASES} | {n for n in creation.__all__
                                                      if any(k.startswith(n) for k in CASES)}
    assert set(creation.__all__) - tested == set()


def test_bfloat16_and_canonical_dtypes():
    assert anp.arange(3, dtype=anp.bfloat16).dtype == dtypes.bfloat16
    assert anp.array(np.arange(3, dtype=np.int64)).dtype == np.int32
