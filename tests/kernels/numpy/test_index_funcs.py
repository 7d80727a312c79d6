"""The ``axc.numpy`` index functions (take, nonzero, put, ...) vs ``jax.numpy``."""
import numpy as np
import pytest
from axc.kernels.numpy import indexing
from axc.kernels.numpy.promote import asarray
from axc.runtime.array import Array

import axc.numpy as anp

jax = pytest.importorskip("jax")
jnp = pytest.importorskip("jax.numpy")

A = np.arange(12, dtype=np.float32).reshape(3, 4) - 4
B = np.array([[0, 3, 0], [1, 0, -2]], np.int32)


def _to(lib, x):
    if isinstance(x, np.ndarray):
        return asarray(x) if lib is anp else jnp.asarray(x)
    if isinstance(x, (list, tuple)) and any(isinstance(e, np.ndarray) for e in x):
        return type(x)(_to(lib, e) for e in x)
    return x


def _check(got, want):
    if isinstance(want, tuple):
        assert isinstance(got, tuple) and len(got) == len(want)
        for g, w in zip(got, want):
            _check(g, w)
        return
    assert isinstance(got, Array)
    assert (got.shape, got.dtype, got.weak_type) == (want.shape, want.dtype, want.weak_type)
    np.testing.assert_array_equal(np.asarray(got), np.asarray(want))


def _compare(name, *args, **kwargs):
    fa, fj = getattr(indexing, name), getattr(jnp, name)
    try:
        want = fj(*[_to(jnp, a) for a in args], **kwargs)
    except Exception as e:  # noqa: BLE001 - JAX refuses: axc must refuse with the same class
        with pytest.raises(type(e)):
            fa(*[_to(anp, a) for a in args], **kwargs)
        return
    _check(fa(*[_to(anp, a) for a in args], **kwargs), want)


def test_exported_from_axc_numpy():
    for name in indexing.__all__:
        assert getattr(anp, name) is getattr(indexing, name)


@pytest.mark.parametrize("args,kwargs", [
    ((A, np.array([0, 5, -1, 20, -20])), {}),
    ((A, np.array([0, 5, -1, 20, -20])), {"mode": "clip"}),
    ((A, np.array([0, 5, -1, 20, -20])), {"mode": "wrap"}),
    ((A, np.array([[0, 2], [-1, 7]])), {"axis": 1}),
    ((A, np.array([0, 3, -4])), {"axis": 0, "fill_value": -9}),
    ((A, np.array([0, 3])), {"axis": -1, "mode": "fill"}),
    ((B, np.array(1)), {"axis": 0}), ((B, np.array([7])), {"axis": 1}),
    ((np.zeros((0, 3), np.float32), np.array([], np.int32)), {"axis": 0}),
    ((np.zeros((0, 3), np.float32), np.array([0])), {"axis": 0}),
    ((A, np.array([1.0])), {}), ((A, np.array([1])), {"mode": "raise"}),
    ((A, np.array([1])), {"mode": "foo"}), ((A, np.array([1])), {"axis": 2}),
])
def test_take(args, kwargs):
    _compare("take", *args, **kwargs)


def test_take_method():
    _check(asarray(A).take(asarray(np.array([1, 2])), axis=1),
           jnp.asarray(A).take(jnp.array([1, 2]), axis=1))


@pytest.mark.parametrize("args,kwargs", [
    ((A, np.array([[0, 3, -1, 9]])), {"axis": 0}),
    ((A, np.array([[0, 3, -1, 9]])), {"axis": 0, "mode": "clip"}),
    ((A, np.array([[1], [0], [3]])), {"axis": 1}),
    ((A, np.array([[1, 2], [0, 0], [3, -1]])), {"axis": -1}),
    ((A, np.array([[5, -1]])), {"axis": 1, "fill_value": 0.5}),
    ((A, np.array([2, 11])), {"axis": None}),
    ((np.arange(3.0).reshape(1, 3), np.array([[1], [2]])), {"axis": 1}),
    ((A, np.array([[1, 2]])), {"axis": 0, "mode": "promise_in_bounds"}),
    ((A, np.array([1, 2])), {"axis": 0}), ((A, np.array([[1.0]])), {"axis": 0}),
    ((A, np.array([[1, 2]])), {"axis": None}),
    ((np.zeros((2, 0)), np.array([[0], [0]])), {"axis": 1}),
])
def test_take_along_axis(args, kwargs):
    _compare("take_along_axis", *args, **kwargs)


@pytest.mark.parametrize("ind,v,mode", [
    (np.array([0, 2, 4]), np.array([10.0, 20.0, 30.0]), None),
    (np.array([-1, 6, -7, 11]), np.array([1.0, 2.0]), None),
    (np.array([-1, 6, -7]), np.array([1.0, 2.0]), "clip"),
    (np.array([-1, 6, -7]), np.array([1.0, 2.0, 3.0, 4.0]), "wrap"),
    (np.array([[0], [5]]), 7.0, None), (np.array([1]), np.array([1.0]), "raise"),
    (np.array([1]), np.array([1.0]), "foo"),
])
def test_put(ind, v, mode):
    _compare("put", A, ind, v, mode=mode, inplace=False)
    with pytest.raises(ValueError):
        indexing.put(asarray(A), 0, 1.0)


def test_put_along_axis():
    idx = np.array([[1], [2], [0]])
    _compare("put_along_axis", A, idx, np.array([[5.0], [6.0], [7.0]]), 1, inplace=False)
    _compare("put_along_axis", A, idx, 9.0, 1, inplace=False)
    _compare("put_along_axis", A, np.array([3, 11]), np.array([1.0, 2.0]), None,
             inplace=False)
    _compare("put_along_axis", A, idx, np.ones((3, 2)), 1, inplace=False)
    _compare("put_along_axis", A, np.array([1]), 1.0, 1, inplace=False)
    with pytest.raises(ValueError):
        indexing.put_along_axis(asarray(A), asarray(idx), 1.0, 1)


def test_place():
    mask = np.array([[1, 0, 1, 1], [0, 0, 1, 0], [1, 1, 0, 0]], bool)
    _compare("place", A, mask, np.array([7.0, 8.0]), inplace=False)
    _compare("place", A, mask, np.arange(10.0), inplace=False)
    _compare("place", A, mask[:2], np.array([7.0]), inplace=False)
    _compare("place", A, mask, np.array([], np.float32), inplace=False)
    with pytest.raises(ValueError):
        indexing.place(asarray(A), asarray(mask), 1.0)


@pytest.mark.parametrize("x", [B, np.zeros((2, 3)), np.array([0.0, 1.5, -0.0, np.nan]),
                               np.zeros((2, 0, 3), bool), np.array(3), np.array([1 + 0j, 0j]),
                               np.arange(24).reshape(2, 3, 4) % 5])
@pytest.mark.parametrize("kwargs", [{}, {"size": 6, "fill_value": -1}])
def test_nonzero_family(x, kwargs):
    _compare("nonzero", x, **kwargs)
    _compare("flatnonzero", x, **kwargs)
    _compare("argwhere", x, **kwargs)


def test_nonzero_fill_values_and_method():
    _compare("nonzero", B, size=1, fill_value=-1)
    _compare("nonzero", A > 0, size=0)
    _compare("nonzero", B, size=4)
    _compare("nonzero", B, size=5, fill_value=(1.5, 2))
    _compare("nonzero", B, size=5, fill_value=(1, 2, 3))
    _compare("argwhere", np.array(0))
    _check(asarray(B).nonzero(), jnp.asarray(B).nonzero())
    _check(anp.where(asarray(B)), jnp.where(jnp.asarray(B)))


@pytest.mark.parametrize("args,kwargs", [
    ((np.array([1, 0, 1]), A), {"axis": 0}), ((np.array([1, 0, 1, 1]), A), {"axis": 1}),
    ((np.array([True, False, True]), A), {}),
    ((np.array([True, False, True]), A), {"axis": 0, "size": 3, "fill_value": 9}),
    ((np.array([False, True]), A), {"axis": -1, "size": 1}),
    ((np.array([1, 0, 1, 1]), A), {"axis": 0}), ((np.array([1, 0, 1, 0]), A), {"axis": 0}),
    ((np.array([[True]]), A), {}), ((np.array([True, True]), A), {"axis": 0, "size": 5}),
])
def test_compress(args, kwargs):
    _compare("compress", *args, **kwargs)


def test_extract():
    _compare("extract", A > 0, A)
    _compare("extract", np.array([1, 0, 1]), A)
    _compare("extract", A > 0, A, size=8, fill_value=-1)


@pytest.mark.parametrize("a,choices,mode", [
    (np.array([0, 1, 2, 1]), [np.arange(4), np.arange(4) * 10, np.arange(4) * 100], "raise"),
    (np.array([[0, 1], [1, 0]]), [np.zeros((2, 2)), np.array([5.0, 6.0])], "raise"),
    (np.array([0, 3, -1]), [np.arange(3), np.arange(3) + 10], "raise"),
    (np.array([0, 3, -1]), [np.arange(3), np.arange(3) + 10], "wrap"),
    (np.array([0, 3, -1]), [np.arange(3), np.arange(3) + 10], "clip"),
    (np.array([0, 1, 2]), [1, 2.5, np.arange(3)], "clip"),
    (np.array([0.0]), [np.arange(1)], "raise"), (np.array([0]), [np.arange(1)], "foo"),
])
def test_choose(a, choices, mode):
    _compare("choose", a, choices, mode=mode)


@pytest.mark.parametrize("condlist,choicelist,default", [
    ([np.array([True, False, True]), np.array([True, True, False])], [1, 2.5], 0),
    ([A > 0, A < -2], [A, -A], np.float32(7)),
    ([np.array([True, False])], [np.int8(1)], 0),
    ([np.array([1, 0])], [np.array([3, 4])], np.array([[9], [8]])),
    ([np.array([True])], [1, 2], 0), ([], [], 0),
])
def test_select(condlist, choicelist, default):
    _compare("select", condlist, choicelist, default)


@pytest.mark.parametrize("name,args", [
    ("diag_indices", (3,)), ("diag_indices", (4, 3)), ("diag_indices", (0,)),
    ("diag_indices", (-1,)), ("diag_indices", (2, -1)),
    ("diag_indices_from", (np.zeros((3, 3)),)), ("diag_indices_from", (np.zeros((3, 4)),)),
    ("diag_indices_from", (np.zeros(3),)),
    ("tril_indices", (3,)), ("tril_indices", (3, 1, 4)), ("tril_indices", (4, -1, 2)),
    ("triu_indices", (3,)), ("triu_indices", (3, 1, 4)), ("triu_indices", (0,)),
    ("tril_indices_from", (np.zeros((3, 5)),)), ("triu_indices_from", (np.zeros((3, 5)), 2)),
    ("triu_indices_from", (np.zeros(3),)),
])
def test_index_constructors(name, args):
    _compare(name, *args)


def test_ix_():
    _compare("ix_", np.array([0, 2]), np.array([1, 3, 0]))
    _compare("ix_", np.array([0, 1]), np.array([], np.int32))
    _compare("ix_", np.array([[0]]))
    _compare("ix_", np.array([True, False]))
    got = asarray(A)[indexing.ix_(asarray(np.array([0, 2])), asarray(np.array([1, 3])))]
    np.testing.assert_array_equal(np.asarray(got), A[np.ix_([0, 2], [1, 3])])


@pytest.mark.parametrize("indices,shape", [
    (np.array([-7, -1, 0, 5, 6, 100]), (2, 3)), (np.array(4), (5,)), (np.array([3]), 4),
    (np.array([[1, 7]]), (2, 2, 2)), (np.array([1, 5], np.uint8), (2, 2)),
    (np.array([1]), [[2, 2]]),
])
def test_unravel_index(indices, shape):
    _compare("unravel_index", indices, shape)


@pytest.mark.parametrize("multi,dims,kwargs", [
    ((np.array([0, 1]), np.array([2, 2])), (2, 3), {}),
    ((np.array([0, 1]), np.array([2, 3])), (2, 3), {}),
    ((np.array([0, 1]), np.array([2, 3])), (2, 3), {"mode": "clip"}),
    ((np.array([0, -1]), np.array([2, 3])), (2, 3), {"mode": "wrap"}),
    ((np.array([0, 1]), np.array([2, 4])), (2, 3), {"mode": "ignore", "order": "F"}),
    ((np.array([0, 1]), np.array([2, 1])), (2, 3), {"order": "X"}),
    ((np.array([0, 1]), np.array([2, 1])), (2, 3), {"mode": "x"}),
    ((np.array([0.0]), np.array([2])), (2, 3), {}),
    ((np.array([1]), np.array([2])), (200, 3), {"dtype": np.int8}),
    ((np.array([1]), np.array([2])), (2, 3), {"dtype": np.int16}),
])
def test_ravel_multi_index(multi, dims, kwargs):
    _compare("ravel_multi_index", multi, dims, **kwargs)
