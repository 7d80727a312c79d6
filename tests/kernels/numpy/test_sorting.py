"""axc.numpy sorting, searching, set operations and histograms against JAX and NumPy.

Types (shape, dtype, weak type) and error classes come from JAX by tracing only
(``jax.eval_shape``); values come from NumPy where it agrees with JAX, and from JAX itself,
compiled once per test, where JAX has its own semantics (descending sorts, ``partition``'s
layout, ``size=`` padding).
"""
from __future__ import annotations

import numpy as np
import pytest
from axc.runtime import dtypes
from axc.runtime.array import wrap

import axc.numpy as anp

jax = pytest.importorskip("jax")
jnp = pytest.importorskip("jax.numpy")

RNG = np.random.default_rng(2)
DTYPES = ["bool", "int8", "uint8", "int32", "uint32", "float16", "bfloat16", "float32",
          "complex64"]
SPECIAL = np.array([3.0, -0.0, 0.0, np.nan, -np.nan, 1.0, -np.inf, np.inf, 1.0, 0.0, 2.5],
                   np.float32)


def data(shape, dt, low=-4, high=5):
    dt = np.dtype(dtypes.bfloat16) if dt == "bfloat16" else np.dtype(dt)
    if dt.kind == "b":
        return RNG.random(shape) < 0.5
    if dt.kind in "iu":
        return RNG.integers(0 if dt.kind == "u" else low, high, shape).astype(dt)
    if dt.kind == "c":
        return (RNG.integers(-2, 3, shape) + 1j * RNG.integers(-2, 3, shape)).astype(dt)
    return (RNG.integers(low, high, shape) / 2).astype(dt)  # ties, to exercise stability


def jax_spec(fn, *args, **kwargs):
    """JAX's output types by tracing, or the exception it raises."""
    consts = [np.asarray(a) if isinstance(a, anp.ndarray) else a for a in args]
    try:
        return jax.eval_shape(lambda: getattr(jnp, fn)(*consts, **kwargs))
    except Exception as e:  # noqa: BLE001 - the oracle's exception is the expectation
        return e


def check_types(ours, spec, what=""):
    specs = spec if isinstance(spec, (tuple, list)) else (spec,)
    outs = ours if isinstance(ours, tuple) else (ours,)
    assert len(outs) == len(specs), what
    for o, s in zip(outs, specs):
        assert isinstance(o, anp.ndarray), what
        assert (o.shape, o.dtype, o.weak_type) == (s.shape, s.dtype, s.weak_type), what


def check_values(ours, expected, what=""):
    outs = ours if isinstance(ours, tuple) else (ours,)
    exps = expected if isinstance(expected, tuple) else (expected,)
    assert len(outs) == len(exps), what
    for o, e in zip(outs, exps):
        a, b = np.asarray(o), np.asarray(e)
        if a.dtype == dtypes.bfloat16:
            a, b = a.astype(np.float32), b.astype(np.float32)
        assert a.shape == b.shape, (a.shape, b.shape, what)
        np.testing.assert_array_equal(a, b.astype(a.dtype), err_msg=what)


def compare(fn, *args, expected=None, trace_kwargs=None, **kwargs):
    """Types and errors as JAX's; values as ``expected`` (a NumPy computation) if given.

    ``trace_kwargs`` replaces ``kwargs`` for JAX's trace, e.g. a static ``length`` where
    the eager call reads it from the data.
    """
    spec = jax_spec(fn, *args, **(kwargs if trace_kwargs is None else trace_kwargs))
    if isinstance(spec, Exception):
        with pytest.raises(type(spec)):
            getattr(anp, fn)(*args, **kwargs)
        return None
    ours = getattr(anp, fn)(*args, **kwargs)
    what = f"{fn} {kwargs}"
    check_types(ours, spec, what)
    if expected is not None:
        check_values(ours, expected, what)
    return ours


def compare_jax(cases):
    """Values and types against JAX, compiled once for all ``(fn, args, kwargs)`` cases."""
    flat = [a for _, args, _ in cases for a in args if isinstance(a, np.ndarray)]

    def run(*arrays):
        it = iter(arrays)
        return [getattr(jnp, fn)(*[next(it) if isinstance(a, np.ndarray) else a for a in args],
                                 **kwargs) for fn, args, kwargs in cases]

    for (fn, args, kwargs), theirs in zip(cases, jax.jit(run)(*flat)):
        ours = getattr(anp, fn)(*args, **kwargs)
        check_types(ours, theirs, f"{fn} {kwargs}")
        check_values(ours, tuple(theirs) if isinstance(theirs, (tuple, list)) else theirs,
                     f"{fn} {kwargs}")


def _np_key(x):
    return x.astype(np.float32) if x.dtype == dtypes.bfloat16 else x


# --- sort / argsort / lexsort -----------------------------------------------------------------

@pytest.mark.parametrize("dt", DTYPES)
def test_sort_and_argsort(dt):
    for shape, axis in [((7,), -1), ((3, 5), 0), ((3, 5), -1), ((2, 0, 3), 1), ((2, 3, 4), None),
                        ((0,), 0)]:
        x = data(shape, dt)
        flat = x.ravel() if axis is None else x
        ax = 0 if axis is None else axis
        compare("sort", x, axis=axis, expected=np.sort(flat, axis=ax, kind="stable"))
        compare("argsort", x, axis=axis,
                expected=np.argsort(_np_key(flat), axis=ax, kind="stable"))


@pytest.mark.parametrize("x", [SPECIAL, SPECIAL.astype(np.float16),
                               np.array([1 + 1j, np.nan + 0j, 1 + np.nan * 1j, 0j, -1j, 1j,
                                         2 + 0j, 1 + 1j], np.complex64)], ids=str)
def test_sort_total_order(x):
    # NumPy and JAX agree: NaNs last whatever their sign, -0.0 equal to 0.0, stable.
    compare("sort", x, expected=np.sort(x, kind="stable"))
    compare("argsort", x, expected=np.argsort(x, kind="stable"))


def test_descending_and_dtype():
    x = SPECIAL
    y = data((3, 5), "int8")
    compare_jax([
        ("sort", (x,), {"descending": True}),
        ("argsort", (x,), {"descending": True}),
        ("argsort", (x,), {"descending": True, "stable": False}),
        ("argsort", (y,), {"axis": 0, "descending": True}),
        ("sort", (y,), {"axis": 0, "descending": True}),
        ("argsort", (y,), {"dtype": "int8"}),
        ("argsort", (y,), {"axis": None}),
    ])


def test_sort_errors_and_weak_type():
    compare("sort", np.ones(3), kind="stable")
    compare("sort", np.ones(3), order="a")
    compare("argsort", np.ones(3), kind="quicksort")
    compare("sort", np.float32(1))  # 0-d: axis -1 is out of bounds
    compare("sort", np.ones((2, 3)), axis=2)
    w = wrap(np.array([2.0, 1.0], np.float32), True)
    out = anp.sort(w)
    assert out.weak_type and out.tolist() == [1.0, 2.0]
    assert not anp.argsort(w).weak_type
    with pytest.raises(TypeError):
        anp.sort([3, 1, 2])


@pytest.mark.parametrize("dt", ["bool", "int8", "float32", "bfloat16", "complex64"])
def test_lexsort(dt):
    k1, k2 = data((3, 6), dt), data((3, 6), "int8", 0, 2)
    for axis in (-1, 0):
        compare("lexsort", (k1, k2), axis=axis,
                expected=np.lexsort((_np_key(k1), k2), axis=axis))
    compare("lexsort", (SPECIAL, np.zeros(SPECIAL.shape, bool)),
            expected=np.lexsort((SPECIAL, np.zeros(SPECIAL.shape, bool))))
    compare("lexsort", (np.int32(3),), expected=np.int32(0))
    compare("lexsort", ())
    compare("lexsort", (np.ones(3), np.ones(4)))


def test_sort_complex():
    for dt in ["int8", "int32", "float32", "complex64"]:
        x = data((6,), dt)
        compare("sort_complex", x, expected=np.sort(x).astype(np.complex64))


# --- partition -----------------------------------------------------------------------------

def test_partition_matches_jax():
    x = data((4, 7), "float32")
    u = np.array([5, 0, 8, 1, 0, 2], np.uint8)
    cases = []
    for kth in (0, 2, -1, 6):
        cases += [("partition", (x, kth), {}), ("argpartition", (x, kth), {})]
    for kth in (0, 3):
        cases += [("partition", (x, kth), {"axis": 0}), ("argpartition", (x, kth), {"axis": 0})]
    cases += [("partition", (u, 2), {}), ("argpartition", (u, 2), {}),
              ("argpartition", (np.array([5, 3, 3, 1, 3, 2, 3], np.int32), 3), {})]
    compare_jax(cases)


def test_partition_property_and_errors():
    x = data((50,), "float32")
    for kth in (0, 10, 49):
        p = np.asarray(anp.partition(x, kth))
        assert p[kth] == np.sort(x)[kth]
        assert (p[:kth] <= p[kth]).all() and (p[kth + 1:] >= p[kth]).all()
        ap = np.asarray(anp.argpartition(x, kth))
        assert sorted(ap.tolist()) == list(range(50)) and x[ap[kth]] == np.sort(x)[kth]
    compare("partition", x, 50)
    compare("partition", x, 1, axis=1)
    compare("partition", np.ones(3, np.complex64), 1)


# --- searchsorted / digitize ------------------------------------------------------------------

SORTED = np.array([-np.inf, -1.0, 0.0, 0.0, 2.0, 2.0, 3.5, np.inf, np.nan], np.float32)
QUERIES = np.array([[2.0, -0.0, np.nan, 5.0], [-np.inf, np.inf, -3.0, 3.5]], np.float32)


@pytest.mark.parametrize("method", ["scan", "scan_unrolled", "compare_all", "sort"])
@pytest.mark.parametrize("side", ["left", "right"])
def test_searchsorted(method, side):
    compare("searchsorted", SORTED, QUERIES, side=side, method=method,
            expected=np.searchsorted(SORTED, QUERIES, side=side))
    big = np.sort(data((200,), "float32", -50, 50))
    q = data((3, 7), "float32", -60, 60)
    compare("searchsorted", big, q, side=side, method=method,
            expected=np.searchsorted(big, q, side=side))
    ints = np.sort(data((9,), "int8"))
    compare("searchsorted", ints, np.float32(0.5), side=side, method=method,
            expected=np.searchsorted(ints, 0.5, side=side))
    c = np.sort(data((9,), "complex64"))
    cq = data((4,), "complex64")
    compare("searchsorted", c, cq, side=side, method=method,
            expected=np.searchsorted(c, cq, side=side))


def test_searchsorted_edges():
    a = np.array([3, 1, 2], np.int32)
    sorter = np.argsort(a).astype(np.int32)
    compare("searchsorted", a, 2, sorter=sorter,
            expected=np.searchsorted(a, 2, sorter=sorter))
    compare("searchsorted", np.zeros(0, np.float32), np.ones(3, np.float32),
            expected=np.zeros(3, np.int32))
    compare("searchsorted", SORTED, np.zeros((0, 2), np.float32),
            expected=np.zeros((0, 2), np.int32))
    compare("searchsorted", SORTED, 2.0, side="middle")
    compare("searchsorted", SORTED, 2.0, method="foo")
    compare("searchsorted", np.ones((2, 2)), 2.0)
    compare("searchsorted", np.array([False, True]), np.array([True]),
            expected=np.searchsorted(np.array([False, True]), [True]))


@pytest.mark.parametrize("right", [False, True])
def test_digitize(right):
    x = np.array([-1.0, 0.5, 1.0, 2.5, 3.0, 4.0, np.nan], np.float32)
    for bins in (np.array([1.0, 2.0, 3.0], np.float32), np.array([3.0, 2.0, 1.0], np.float32),
                 np.array([1.0, 1.0, 3.0], np.float32)):
        compare("digitize", x, bins, right=right, expected=np.digitize(x, bins, right=right))
        compare("digitize", x.reshape(7, 1), bins, right=right, method="compare_all",
                expected=np.digitize(x.reshape(7, 1), bins, right=right))
    compare("digitize", x, np.zeros(0, np.float32), expected=np.zeros(7, np.int32))
    compare("digitize", x, np.ones((2, 2)))


# --- bincount / histogram ---------------------------------------------------------------------

def test_bincount():
    x = np.array([0, 1, 1, 3, 7, 1], np.int32)
    w = np.array([0.5, 1.0, 2.0, 3.0, 1.0, -1.0], np.float32)
    for kw, expected in [
            ({}, np.bincount(x)),
            ({"minlength": 10}, np.bincount(x, minlength=10)),
            ({"weights": w}, np.bincount(x, weights=w)),
            ({"weights": w.astype(np.int8)}, np.bincount(x, w.astype(np.int8))),
            ({"length": 3}, np.bincount(x)[:3]),
            ({"length": 12}, np.bincount(x, minlength=12))]:
        # JAX needs a static length to trace; the eager call reads it from the data.
        compare("bincount", x, expected=expected, trace_kwargs={**kw, "length": len(expected)},
                **kw)
    compare("bincount", np.array([-2, 1, 1], np.int8), expected=np.array([1, 2]),
            trace_kwargs={"length": 2})
    compare("bincount", np.array([True, False, True]), expected=np.array([1, 2]),
            trace_kwargs={"length": 2})
    compare("bincount", np.zeros(0, np.int32), expected=np.zeros(0), trace_kwargs={"length": 0})
    compare("bincount", np.array([0.0, 1.0]), trace_kwargs={"length": 2})
    compare("bincount", np.ones((2, 2), np.int32), trace_kwargs={"length": 2})
    compare("bincount", x, weights=np.ones(3), trace_kwargs={"length": 8, "weights": np.ones(3)})


@pytest.mark.parametrize("dt", ["int32", "float16", "float32"])
def test_histogram(dt):
    a = data((40,), dt, -10, 10)
    w = RNG.random(40).astype(np.float32)
    for kw in ({"bins": 4}, {"bins": np.array([-5.0, 0.0, 1.0, 6.0], np.float32)},
               {"bins": 3, "range": (-2, 2)}, {"bins": 5, "weights": w},
               {"bins": 3, "density": True}):
        spec = jax_spec("histogram", a, **kw)
        ours = anp.histogram(a, **kw)
        check_types(ours, spec, str(kw))
        tol = 2e-3 if dt == "float16" else 1e-5
        edges = np.histogram_bin_edges(a.astype(np.float64), kw["bins"], kw.get("range"))
        np.testing.assert_allclose(np.asarray(ours[1], np.float64), edges, rtol=tol, atol=tol)
        # Count against NumPy with axc's own (rounded) edges: values sit on the edges.
        ref = dict(kw, bins=np.asarray(ours[1], np.float64))
        ref.pop("range", None)
        counts, _ = np.histogram(a.astype(np.float64), **ref)
        np.testing.assert_allclose(np.asarray(ours[0], np.float64), counts, rtol=tol, atol=tol)
    constant = np.ones(4, np.float32)
    ours = anp.histogram(constant, bins=2)
    np.testing.assert_allclose(ours[1], np.histogram(constant, bins=2)[1])
    compare("histogram", a, bins="auto")
    compare("histogram", a, bins=3, weights=np.ones(3))
    compare("histogram_bin_edges", a, bins=3, range=(1, 2, 3))
    compare("histogram_bin_edges", a, bins=4)


# --- unique and set operations ------------------------------------------------------------------

UNIQUE_INPUTS = {
    "int": np.array([3, 1, 3, 2, 1, 5, 5, 5], np.int32),
    "float": np.array([1.0, np.nan, 2.0, np.nan, 1.0, -0.0, 0.0], np.float32),
    "bool": np.array([True, False, True]),
    "2d": np.array([[1, 2], [3, 4], [1, 2], [0, 9]], np.int8),
    "empty": np.zeros(0, np.float32),
    "scalar": np.float32(3),
}


@pytest.mark.parametrize("key", list(UNIQUE_INPUTS))
@pytest.mark.parametrize("flags", [(False, False, False), (True, True, True),
                                   (False, True, False), (False, False, True)], ids=str)
def test_unique_matches_numpy(key, flags):
    x = UNIQUE_INPUTS[key]
    ri, rv, rc = flags
    expected = np.unique(x, return_index=ri, return_inverse=rv, return_counts=rc)
    ours = anp.unique(x, return_index=ri, return_inverse=rv, return_counts=rc)
    check_values(ours, expected, f"{key} {flags}")
    outs = ours if isinstance(ours, tuple) else (ours,)
    assert outs[0].dtype == np.asarray(x).dtype
    assert all(o.dtype == np.int32 for o in outs[1:])


def test_unique_options():
    x2 = UNIQUE_INPUTS["2d"]
    check_values(anp.unique(x2, axis=0, return_index=True, return_inverse=True,
                            return_counts=True),
                 np.unique(x2, axis=0, return_index=True, return_inverse=True,
                           return_counts=True))
    y = np.array([[1, 2, 1], [3, 4, 3]], np.int32)
    check_values(anp.unique(y, axis=1, return_counts=True),
                 np.unique(y, axis=1, return_counts=True))
    f = UNIQUE_INPUTS["float"]
    check_values(anp.unique(f, equal_nan=False), np.unique(f, equal_nan=False))
    check_values(anp.unique_values(f), np.unique_values(f))
    check_values(tuple(anp.unique_counts(UNIQUE_INPUTS["int"])),
                 tuple(np.unique_counts(UNIQUE_INPUTS["int"])))
    inv = anp.unique_inverse(UNIQUE_INPUTS["int"])
    check_values(tuple(inv), tuple(np.unique_inverse(UNIQUE_INPUTS["int"])))
    assert inv.inverse_indices.dtype == np.int32
    allr = anp.unique_all(UNIQUE_INPUTS["int"])
    check_values(tuple(allr), tuple(np.unique_all(UNIQUE_INPUTS["int"])))
    c = np.array([1 + 1j, 1 + np.nan * 1j, np.nan + 1j, 1 + 1j], np.complex64)
    assert np.asarray(anp.unique(c)).shape == (2,)


def test_unique_size_and_fill_value():
    # JAX pads to size= with fill_value, or with the smallest value when none is given;
    # padded counts are 0 and padded indices repeat the first entry's.
    x = UNIQUE_INPUTS["int"]
    check_values(anp.unique(x, size=6), np.array([1, 2, 3, 5, 1, 1]))
    check_values(anp.unique(x, size=6, fill_value=-1, return_index=True, return_inverse=True,
                            return_counts=True),
                 (np.array([1, 2, 3, 5, -1, -1]), np.array([1, 3, 0, 5, 1, 1]),
                  np.array([2, 0, 2, 1, 0, 3, 3, 3]), np.array([2, 1, 2, 3, 0, 0])))
    check_values(anp.unique(x, size=2, return_counts=True),
                 (np.array([1, 2]), np.array([2, 1])))
    check_values(anp.unique(np.zeros(0, np.float32), size=3, fill_value=7),
                 np.array([7.0, 7.0, 7.0]))
    with pytest.raises(ValueError, match="fill_value must be specified"):
        anp.unique(np.zeros(0, np.float32), size=3)


A1 = np.array([4, 1, 3, 4, 5, 9], np.int32)
A2 = np.array([3, 1, 2, 1, 7], np.int32)


@pytest.mark.parametrize("fn", ["intersect1d", "union1d", "setdiff1d", "setxor1d"])
def test_set_operations_match_numpy(fn):
    for a, b in [(A1, A2), (A1, A2.astype(np.float32)), (A1, np.zeros(0, np.int32)),
                 (np.zeros(0, np.int32), A2), (A1.reshape(2, 3), A2),
                 (np.array([1.0, np.nan], np.float32), np.array([np.nan, 2.0], np.float32))]:
        check_values(getattr(anp, fn)(a, b), getattr(np, fn)(a, b), f"{fn} {a} {b}")
    u1, u2 = np.array([4, 1, 3], np.int32), np.array([3, 2, 1], np.int32)
    if fn != "union1d":
        check_values(getattr(anp, fn)(u1, u2, assume_unique=True),
                     getattr(np, fn)(u1, u2, assume_unique=True))


def test_intersect1d_indices():
    check_values(anp.intersect1d(A1, A2, return_indices=True),
                 np.intersect1d(A1, A2, return_indices=True))
    u1, u2 = np.array([4, 1, 3], np.int32), np.array([3, 2, 1], np.int32)
    check_values(anp.intersect1d(u1, u2, assume_unique=True, return_indices=True),
                 np.intersect1d(u1, u2, assume_unique=True, return_indices=True))


def test_set_operations_with_size():
    # Expected values are JAX's (jax 0.10.2): padding is fill_value, else the smallest
    # value found (0 when nothing is found); setdiff1d pads with 0; indices pad with len.
    check_values(anp.intersect1d(A1, A2, size=4), np.array([1, 3, 1, 1]))
    check_values(anp.intersect1d(A1, A2, size=4, fill_value=-9), np.array([1, 3, -9, -9]))
    check_values(anp.intersect1d(A1, A2, size=3, return_indices=True),
                 (np.array([1, 3, 1]), np.array([1, 2, 6]), np.array([1, 0, 5])))
    check_values(anp.intersect1d(A1, np.array([7, 8]), size=2), np.array([0, 0]))
    check_values(anp.union1d(A1, A2, size=9), np.array([1, 2, 3, 4, 5, 7, 9, 1, 1]))
    check_values(anp.setdiff1d(A1, A2, size=5), np.array([4, 5, 9, 0, 0]))
    check_values(anp.setdiff1d(A1, A2, size=2, fill_value=-1), np.array([4, 5]))
    check_values(anp.setxor1d(A1, A2, size=7), np.array([2, 4, 5, 7, 9, 2, 2]))
    check_values(anp.setxor1d(A1, A2, size=7, fill_value=0), np.array([2, 4, 5, 7, 9, 0, 0]))


@pytest.mark.parametrize("method", ["auto", "compare_all", "binary_search", "sort"])
@pytest.mark.parametrize("invert", [False, True])
def test_isin(method, invert):
    e = np.array([[1, 2], [3, 4]], np.int32)
    t = np.array([2, 3, 9], np.int32)
    compare("isin", e, t, invert=invert, method=method,
            expected=np.isin(e, t, invert=invert))
    f = np.array([1.0, np.nan, 2.5], np.float32)
    compare("isin", f, np.array([np.nan, 1], np.float32), invert=invert, method=method,
            expected=np.isin(f, [np.nan, 1], invert=invert))
    compare("isin", e, np.zeros(0, np.int32), invert=invert, method=method,
            expected=np.isin(e, [], invert=invert))
    compare("isin", 2, t, invert=invert, method=method, expected=np.isin(2, t, invert=invert))
    compare("isin", e, t, method="foo")


def test_data_dependent_sizes_need_concrete_values():
    from axc.runtime.errors import ConcretizationTypeError
    assert issubclass(ConcretizationTypeError, TypeError)
    assert anp.unique(anp.asarray([2, 2, 1])).tolist() == [1, 2]


def test_array_methods():
    x = anp.asarray(data((3, 5), "float32"))
    np.testing.assert_array_equal(x.sort(), anp.sort(x))
    np.testing.assert_array_equal(x.sort(axis=0), anp.sort(x, axis=0))
    np.testing.assert_array_equal(x.argsort(), anp.argsort(x))
    s = anp.sort(x.ravel())
    np.testing.assert_array_equal(s.searchsorted(0.5), anp.searchsorted(s, 0.5))
