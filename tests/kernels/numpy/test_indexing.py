"""``x[idx]`` and ``x.at[idx].<op>()`` vs ``jax.numpy``: values, dtypes, weak types, errors."""
import warnings

import numpy as np
import pytest
from axc.kernels.numpy.promote import asarray
from axc.runtime.array import Array

jax = pytest.importorskip("jax")
jnp = pytest.importorskip("jax.numpy")

X = np.arange(60).reshape(3, 4, 5)
I2 = np.array([[0, 1], [2, -1]])
MASK = np.array([True, False, True])

# Index expressions on a (3, 4, 5) array, written with NumPy arrays (converted per library).
INDICES = [
    0, -1, 2, 10, -4, -10, (1, 2), (1, 2, 3), (-1, -2, -3), (2, 10, 0),
    slice(None), slice(1, None), slice(None, None, -1), slice(None, None, 2),
    slice(-2, None), slice(5, 1, -2), slice(10, 20), slice(-10, 1), slice(2, 1),
    (slice(None), 1), (slice(1, 3), slice(None, None, -2), 0), (Ellipsis, 0), (0, Ellipsis),
    (Ellipsis,), (), None, (None, 0), (0, None), (Ellipsis, None), (None, Ellipsis, None),
    (slice(None), None, 1), (0, 1, 2, None),
    (np.array([0, 2]),), (np.array([2, 0, 2]),), (np.array(1),), (np.array([-1, -3]),),
    (np.array([5, -7, 1]),), (I2,), (I2, I2), (slice(None), I2),
    (np.array([0, 1]), np.array([1, 2])), (np.array([0, 1]), slice(None), np.array([1, 2])),
    (0, slice(None), np.array([1, 2])), (slice(None), np.array([0, 1]), 0),
    (slice(None), np.array([[0], [1]]), np.array([1, 2, 3])),
    (np.array([0, 1]), None, np.array([1, 2])), (None, np.array([0, 1]), np.array([1, 2])),
    (slice(None), np.array([0, 1]), Ellipsis, np.array([1, 2])),
    (np.array([0, 1]), Ellipsis, np.array([1, 2]), slice(None)),
    (Ellipsis, np.array([0, 4])), (np.array([], np.int32),), (np.array([[]], np.int32), 0),
    (MASK,), (MASK, 0), (slice(None), np.array([True, False, True, True])),
    (np.ones((3, 4), bool),), (X % 3 == 0,), (slice(None), np.zeros((4, 5), bool)),
    (MASK, np.array([0, 1])), (True,), (False,), (slice(None), True), (0, True, np.array([1])),
    (np.array(True),), (np.uint8(2),), (np.array([1, 2], np.uint8),),
    (np.array([1, -1], np.int8),), ([0, 1],), ([[0, 1], [1, 2]],), ([True, False, True],),
]


def _conv(idx, lib):
    """The index with NumPy arrays as ``lib`` arrays (and kept as NumPy for ``np``)."""
    if isinstance(idx, tuple):
        return tuple(_conv(i, lib) for i in idx)
    if isinstance(idx, np.ndarray) and lib is not np:
        return lib.asarray(idx)
    return idx


def _check(got, want):
    assert isinstance(got, Array)
    assert got.shape == want.shape, (got.shape, want.shape)
    assert got.dtype == want.dtype, (got.dtype, want.dtype)
    assert got.weak_type == want.weak_type
    np.testing.assert_array_equal(np.asarray(got), np.asarray(want))


def _same_error(fn_axc, fn_jax):
    with pytest.raises(Exception) as jerr:
        fn_jax()
    with pytest.raises(jerr.type):
        fn_axc()


def _has_array(idx):
    return any(isinstance(i, np.ndarray) for i in (idx if isinstance(idx, tuple) else (idx,)))


@pytest.mark.parametrize("idx,as_array",
                         [(i, False) for i in INDICES] + [(i, True) for i in INDICES
                                                          if _has_array(i)], ids=repr)
def test_getitem_matches_jax(idx, as_array):
    lib_a = type("lib", (), {"asarray": staticmethod(asarray)}) if as_array else np
    got = asarray(X)[_conv(idx, lib_a)]
    try:  # NumPy is the oracle where it agrees with JAX (in-bounds indices)...
        want = X.astype(np.int32)[idx]
    except IndexError:  # ... and JAX where NumPy raises (out of bounds: JAX clamps)
        want = jnp.asarray(X)[_conv(idx, jnp if as_array else np)]
    else:
        want = jnp.asarray(np.asarray(want)) if np.ndim(want) else jnp.int32(want)
    _check(got, want)


@pytest.mark.parametrize("dtype", ["float32", "int8", "uint8", "bool", "complex64", "float16"])
@pytest.mark.parametrize("weak", [False, True])
def test_getitem_dtypes_and_weak_type(dtype, weak):
    x = np.arange(6).reshape(2, 3).astype(dtype)
    a, j = asarray(x), jnp.asarray(x)
    if weak:  # weakly typed arrays come from Python scalars
        a = asarray(1.0)
        j = jnp.asarray(1.0)
        for idx in [(), None, Ellipsis, True]:
            _check(a[idx], j[idx])
        return
    for idx in [0, (1, slice(None, None, -1)), (np.array([1, 0]),), (x != 0,)]:
        _check(a[idx], j[idx])


@pytest.mark.parametrize("shape,idx", [
    ((), ()), ((), None), ((), Ellipsis), ((), True), ((), False), ((0,), slice(None)),
    ((0, 3), (np.array([], np.int32),)), ((0, 3), (slice(None), 1)), ((2, 0), 1),
    ((3,), (np.zeros(3, bool),)), ((0,), (np.zeros(0, bool),)),
])
def test_getitem_edge_shapes(shape, idx):
    x = np.arange(int(np.prod(shape))).reshape(shape).astype(np.float32)
    _check(asarray(x)[idx], jnp.asarray(x)[idx])


@pytest.mark.parametrize("idx,exc", [
    ((0, 0, 0, 0), IndexError), ((Ellipsis, Ellipsis), IndexError), (1.0, TypeError),
    ("a", TypeError), ((np.array([1.0]),), TypeError), (np.float32(1), TypeError),
    (1j, TypeError), (object(), IndexError), ({1: 2}, IndexError), ([0, 1], TypeError),
    ([slice(None)], TypeError), ((np.array([0, 1]), np.array([0, 1, 2])), ValueError),
    ((np.ones((3, 5), bool),), IndexError), ((slice(1.0, 2),), TypeError),
    ((slice(None, None, 0),), ValueError), ((np.array(["a"]),), TypeError),
])
def test_getitem_errors_match_jax(idx, exc):
    with pytest.raises(exc):
        jnp.asarray(X)[idx]
    with pytest.raises(exc):
        asarray(X)[idx]


def test_getitem_empty_axis_errors():
    _same_error(lambda: asarray(np.zeros((0, 3)))[0], lambda: jnp.zeros((0, 3))[0])
    with pytest.raises(IndexError):
        asarray(np.zeros((0, 3)))[asarray(np.array([0]))]


def test_immutability():
    x = asarray(X)
    with pytest.raises(TypeError, match=r"\.at\[idx\]\.set"):
        x[0] = 1
    y = x.at[0].set(-1)
    np.testing.assert_array_equal(np.asarray(x), X)  # the input is untouched
    assert np.asarray(y)[0].max() == -1
    assert not np.shares_memory(np.asarray(y), np.asarray(x))
    z = x[1:]
    assert not np.shares_memory(np.asarray(z), np.asarray(x))


def test_iteration_uses_getitem():
    rows = list(asarray(X))
    assert len(rows) == 3
    np.testing.assert_array_equal(np.asarray(rows[2]), X[2])


# --- .at[] ----------------------------------------------------------------------------------

UPDATE_INDICES = [
    -1, (1, 2), (slice(None, None, -2), 0), (Ellipsis, 1), (None, 1), (np.array([0, 0, 2]),),
    (slice(None), np.array([1, 1, 3])), (np.array([0, 2]), slice(None), np.array([4, 4])),
    (MASK, np.array([0, 3])), (0, True), (X % 7 == 0,), (np.array([], np.int32),),
]
OPS = ["set", "add", "subtract", "multiply", "divide", "power", "min", "max"]


def _compare_at(idx, op, mode):
    xf = (X.astype(np.float32) - 20) / 4
    a, j = asarray(xf), jnp.asarray(xf)
    vals = np.float32(1.5) if op != "power" else np.float32(2.0)
    got = getattr(a.at[_conv(idx, type("l", (), {"asarray": staticmethod(asarray)}))], op)(
        vals, mode=mode)
    want = getattr(j.at[_conv(idx, jnp)], op)(vals, mode=mode)
    _check(got, want)


@pytest.mark.parametrize("idx", UPDATE_INDICES, ids=repr)
@pytest.mark.parametrize("op", OPS)
def test_at_ops_match_jax(idx, op):
    _compare_at(idx, op, None)


@pytest.mark.parametrize("idx", [10, -10, (np.array([5, -1, -7]),), (slice(None), 7),
                                 (np.array([0, 2]), slice(None), np.array([4, 9]))], ids=repr)
@pytest.mark.parametrize("op", ["set", "add"])
@pytest.mark.parametrize("mode", ["clip", "drop", "promise_in_bounds", "fill"])
def test_at_out_of_bounds_modes_match_jax(idx, op, mode):
    _compare_at(idx, op, mode)


@pytest.mark.parametrize("op", ["set", "add", "subtract", "multiply", "min", "max"])
def test_at_duplicate_indices_accumulate(op):
    x = np.arange(5, dtype=np.int32)
    idx = np.array([1, 1, 3, 1, -2])
    vals = np.array([5, -2, 7, 3, 1], np.int32)
    _check(getattr(asarray(x).at[asarray(idx)], op)(asarray(vals)),
           getattr(jnp.asarray(x).at[jnp.asarray(idx)], op)(jnp.asarray(vals)))


@pytest.mark.parametrize("x_dtype,values", [
    ("int32", 1.5), ("int8", 300), ("uint8", -1), ("float16", 1.5), ("float32", 2),
    ("bool", True), ("complex64", 1.5), ("int32", True), ("float32", np.float64(2.5)),
    ("int8", np.int32(5)), ("int32", np.array([1.5, 2.5], np.float32)),
])
@pytest.mark.parametrize("op", ["set", "add", "subtract", "divide"])
def test_at_dtype_rules_match_jax(x_dtype, values, op):
    x = np.arange(4).astype(x_dtype)
    idx = np.array([0, 2])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            want = getattr(jnp.asarray(x).at[idx], op)(values)
        except Exception as e:  # noqa: BLE001 - JAX refuses: axc must refuse alike
            with pytest.raises(type(e)):
                getattr(asarray(x).at[idx], op)(values)
            return
        got = getattr(asarray(x).at[idx], op)(values)
    _check(got, want)


def test_at_unsafe_cast_warns_like_jax():
    with pytest.warns(FutureWarning, match="scatter inputs have incompatible types"):
        asarray(np.arange(3)).at[0].set(1.5)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        asarray(np.arange(3, dtype=np.int8)).at[0].set(300)  # weak int: no warning


def test_at_weak_type_kept():
    _check(asarray(3.0).at[()].set(1), jnp.asarray(3.0).at[()].set(1))
    _check(asarray(3.0).at[None].add(2.5), jnp.asarray(3.0).at[None].add(2.5))


@pytest.mark.parametrize("dtype,mode,fill", [
    ("float32", None, None), ("float32", "fill", None), ("float32", "fill", 2.5),
    ("int8", "fill", None), ("uint8", "fill", None), ("bool", "fill", None),
    ("int8", "clip", None), ("float32", "drop", 7), ("uint8", "promise_in_bounds", None),
])
def test_at_get_modes(dtype, mode, fill):
    x = np.arange(10).reshape(2, 5).astype(dtype)
    for idx in [10, (np.array([10, -1, -6, 2]),), (np.array([[7], [0]]), slice(3, 10))]:
        _check(asarray(x).at[_conv(idx, np)].get(mode=mode, fill_value=fill),
               jnp.asarray(x).at[idx].get(mode=mode, fill_value=fill))


def test_wrap_negative_indices_false():
    x = np.arange(5.0)
    for op, args in [("get", ()), ("set", (9.0,)), ("add", (9.0,))]:
        for mode in [None, "clip", "drop"]:
            if op == "get" and mode == "drop":
                continue
            kw = {"mode": mode, "wrap_negative_indices": False}
            _check(getattr(asarray(x).at[-1], op)(*args, **kw),
                   getattr(jnp.asarray(x).at[-1], op)(*args, **kw))


@pytest.mark.parametrize("idx", [0, (np.array([0, 0, 2]),), slice(1, 4), (MASK,)])
def test_at_apply(idx):
    x = np.arange(1.0, 6.0)[:3]
    _check(asarray(x).at[_conv(idx, np)].apply(lambda v: v * 2 + 1),
           jnp.asarray(x).at[idx].apply(lambda v: v * 2 + 1))


def test_at_errors_match_jax():
    x = np.zeros((3, 4), np.float32)
    _same_error(lambda: asarray(x).at[0].set(asarray(np.ones(3))),
                lambda: jnp.asarray(x).at[0].set(jnp.ones(3)))
    _same_error(lambda: asarray(x).at[0, 0].set(asarray(np.ones((1, 1)))),
                lambda: jnp.asarray(x).at[0, 0].set(jnp.ones((1, 1))))
    _same_error(lambda: asarray(x).at[0].set(1, mode="foo"),
                lambda: jnp.asarray(x).at[0].set(1, mode="foo"))
    _same_error(lambda: asarray(x).at[0].get(mode="foo"),
                lambda: jnp.asarray(x).at[0].get(mode="foo"))
    b = np.array([True, False])
    for op in ["add", "multiply", "subtract", "divide", "power"]:
        _same_error(lambda op=op: getattr(asarray(b).at[1], op)(True),
                    lambda op=op: getattr(jnp.asarray(b).at[1], op)(True))
    _same_error(lambda: asarray(np.zeros((0, 3))).at[0].set(1),
                lambda: jnp.zeros((0, 3)).at[0].set(1))
    _same_error(lambda: asarray(x).at[1.0].set(1), lambda: jnp.asarray(x).at[1.0].set(1))


def test_at_repr_and_helpers():
    x = asarray(np.arange(3))
    _check(x.at[1].mul(3), jnp.arange(3).at[1].mul(3))
    assert repr(x.at).startswith("_IndexUpdateHelper(")
    assert repr(x.at[0]).startswith("_IndexUpdateRef(")
    _check(x.at[1].get(), jnp.arange(3).at[1].get())


def test_empty_update_skips_broadcast_check():
    _check(asarray(np.zeros(3)).at[asarray(np.array([], np.int32))].set(asarray(np.ones(5))),
           jnp.zeros(3).at[jnp.array([], jnp.int32)].set(jnp.ones(5)))
