"""The reduce-family primitives against ``jax.lax`` and NumPy, and their shape rules."""
from __future__ import annotations

import itertools

import numpy as np
import pytest
from axc.kernels import reduce as red
from axc.kernels import registry
from axc.runtime import dtypes
from axc.runtime.array import wrap

jax = pytest.importorskip("jax")
jnp = pytest.importorskip("jax.numpy")
lax = jax.lax

RNG = np.random.default_rng(0)
ALL_DTYPES = ["bool", "int8", "uint8", "int32", "uint32", "float16", "bfloat16", "float32",
              "complex64"]
SHAPES = [(), (0,), (5,), (3, 4), (2, 0, 3), (2, 3, 4)]


def _data(shape: tuple[int, ...], dt: str) -> np.ndarray:
    dt = np.dtype(dtypes.bfloat16) if dt == "bfloat16" else np.dtype(dt)
    if dt.kind == "b":
        return RNG.random(shape) < 0.5
    if dt.kind in "iu":
        return RNG.integers(0 if dt.kind == "u" else -5, 6, shape).astype(dt)
    if dt.kind == "c":
        return (RNG.normal(size=shape) + 1j * RNG.normal(size=shape)).astype(dt)
    return RNG.normal(size=shape).astype(dt)


def _tol(dt: np.dtype) -> float:
    return {2: 2e-2, 4: 1e-5, 8: 1e-5}.get(dt.itemsize, 1e-5) if dt.kind in "fcV" else 0


def _assert_same(ours, theirs) -> None:
    theirs = np.asarray(theirs)
    assert ours.dtype == theirs.dtype, (ours.dtype, theirs.dtype)
    assert ours.shape == theirs.shape, (ours.shape, theirs.shape)
    a = np.asarray(ours)
    if a.dtype == dtypes.bfloat16 or a.dtype == np.float16:
        a, theirs = a.astype(np.float32), theirs.astype(np.float32)
    tol = _tol(np.dtype(ours.dtype))
    if tol:
        np.testing.assert_allclose(a, theirs, rtol=tol, atol=tol * 10, equal_nan=True)
    else:
        np.testing.assert_array_equal(a, theirs)


def _all_axes(ndim: int):
    for k in range(ndim + 1):
        yield from itertools.combinations(range(ndim), k)


# --- reductions over axes ---------------------------------------------------------------------

_REDUCTIONS = [
    (red.reduce_sum_p, lax.reduce_sum_p, "iufcV"),
    (red.reduce_prod_p, lax.reduce_prod_p, "iufcV"),
    (red.reduce_max_p, lax.reduce_max_p, "biufcV"),
    (red.reduce_min_p, lax.reduce_min_p, "biufcV"),
    (red.reduce_and_p, lax.reduce_and_p, "biu"),
    (red.reduce_or_p, lax.reduce_or_p, "biu"),
    (red.reduce_xor_p, lax.reduce_xor_p, "biu"),
]

def _dtypes_for(kinds: str) -> list[str]:
    return [d for d in ALL_DTYPES
            if np.dtype(dtypes.bfloat16 if d == "bfloat16" else d).kind in kinds]


REDUCE_CASES = [
    (prim, jprim, shape, dt, axes)
    for prim, jprim, kinds in _REDUCTIONS
    for shape in SHAPES
    for axes in _all_axes(len(shape))
    if len(shape) < 3 or len(axes) in (1, 3)
    for dt in _dtypes_for(kinds)
]


def _wide(x: np.ndarray) -> np.ndarray:
    """``x`` in a dtype wide enough to reduce exactly (wrapping back gives XLA's result)."""
    if x.dtype.kind in "iu":
        return x.astype(np.int64 if x.dtype.kind == "i" else np.uint64)
    if x.dtype.kind == "c":
        return x.astype(np.complex128)
    return x.astype(np.float64) if x.dtype.kind != "b" else x


_NUMPY_REDUCE = {
    "reduce_sum": lambda x, axes: np.sum(_wide(x), axis=axes),
    "reduce_prod": lambda x, axes: np.prod(_wide(x), axis=axes),
    "reduce_max": lambda x, axes: np.max(_wide(x), axis=axes, initial=_identity(x, -1)),
    "reduce_min": lambda x, axes: np.min(_wide(x), axis=axes, initial=_identity(x, 1)),
    "reduce_and": lambda x, axes: np.bitwise_and.reduce(x, axis=axes),
    "reduce_or": lambda x, axes: np.bitwise_or.reduce(x, axis=axes),
    "reduce_xor": lambda x, axes: np.bitwise_xor.reduce(x, axis=axes),
}


def _identity(x: np.ndarray, sign: int):
    if x.dtype.kind == "b":
        return sign > 0
    if x.dtype.kind in "iu":
        info = np.iinfo(x.dtype)
        return info.max if sign > 0 else info.min
    return sign * np.inf


@pytest.mark.parametrize("prim,kinds", [(p, k) for p, _, k in _REDUCTIONS], ids=str)
@pytest.mark.parametrize("shape", SHAPES, ids=str)
def test_reduction_matches_numpy(prim, kinds, shape):
    for axes in _all_axes(len(shape)):
        for dt in _dtypes_for(kinds):
            x = _data(shape, dt)
            out = prim.bind(wrap(x), axes=axes)
            expected = np.asarray(_NUMPY_REDUCE[prim.name](x, axes))
            with np.errstate(all="ignore"):
                _assert_same(out, expected.astype(x.dtype))
            assert not out.weak_type


@pytest.mark.parametrize("prim,jprim", [(p, j) for p, j, _ in _REDUCTIONS], ids=str)
@pytest.mark.parametrize("dt", ["int8", "float16", "float32", "complex64"])
def test_reduction_matches_lax(prim, jprim, dt):
    x = _data((3, 4), dt)
    try:
        expected = jprim.bind(jnp.asarray(x), axes=(1,))
    except TypeError:
        with pytest.raises(TypeError):
            prim.abstract_eval(registry.aval_of(x), axes=(1,))
        return
    _assert_same(prim.bind(wrap(x), axes=(1,)), expected)


@pytest.mark.parametrize("prim,jprim", [(p, j) for p, j, _ in _REDUCTIONS], ids=str)
def test_reduction_weak_type_as_lax(prim, jprim):
    x = wrap(np.arange(6, dtype=np.int32).reshape(2, 3), weak=True)
    jx = lax.broadcast(jnp.asarray(2), (2, 3))  # a weakly typed JAX array
    expected = jprim.bind(jx, axes=(1,)).weak_type
    assert jx.weak_type and expected == (prim not in (red.reduce_and_p, red.reduce_or_p,
                                                      red.reduce_xor_p))
    assert prim.bind(x, axes=(1,)).weak_type == expected
    assert prim.abstract_eval(registry.aval_of(x._buf, True), axes=(1,)).weak_type == expected


@pytest.mark.parametrize("prim,jprim", [(p, j) for p, j, _ in _REDUCTIONS], ids=str)
@pytest.mark.parametrize("dt", ["float32", "int32", "bool", "complex64"])
def test_empty_reduction_gives_identity(prim, jprim, dt):
    x = np.zeros((0, 2), dt)
    try:
        expected = jprim.bind(jnp.asarray(x), axes=(0,))
    except TypeError:
        return  # dtype not accepted; covered by the error tests
    _assert_same(prim.bind(wrap(x), axes=(0,)), expected)


@pytest.mark.parametrize("prim,axes,dt,err", [
    (red.reduce_sum_p, (1,), "float32", ValueError),
    (red.reduce_sum_p, (0, 0), "float32", ValueError),
    (red.reduce_sum_p, (-1,), "float32", ValueError),
    (red.reduce_sum_p, (0,), "bool", TypeError),
    (red.reduce_prod_p, (0,), "bool", TypeError),
    (red.reduce_and_p, (0,), "float32", TypeError),
    (red.reduce_or_p, (0,), "complex64", TypeError),
    (red.reduce_xor_p, (0,), "float16", TypeError),
])
def test_reduction_rule_errors(prim, axes, dt, err):
    with pytest.raises(err):
        prim.abstract_eval(registry.aval_of(np.zeros((3,), dt)), axes=axes)


# --- argmax / argmin --------------------------------------------------------------------------

ARG_CASES = [
    (prim, jfn, shape, dt, axis, idx)
    for prim, jfn in [(red.argmax_p, lax.argmax), (red.argmin_p, lax.argmin)]
    for dt in ["bool", "int8", "uint32", "float16", "bfloat16", "float32"]
    for shape in [(5,), (3, 4), (2, 3, 4)]
    for axis in range(len(shape))
    for idx in ["int32", "uint8"]
]


@pytest.mark.parametrize("prim", [red.argmax_p, red.argmin_p], ids=str)
def test_arg_extremum_matches_numpy(prim):
    fn = np.argmax if prim is red.argmax_p else np.argmin
    for p, _, shape, dt, axis, idx in ARG_CASES:
        if p is prim:
            x = _data(shape, dt)
            out = prim.bind(wrap(x, weak=True), axis=axis, index_dtype=np.dtype(idx))
            _assert_same(out, fn(_wide(x), axis=axis).astype(idx))
            assert not out.weak_type


@pytest.mark.parametrize("prim,jfn", [(red.argmax_p, lax.argmax), (red.argmin_p, lax.argmin)])
def test_arg_extremum_first_nan_wins(prim, jfn):
    x = np.array([[1.0, np.nan, 3.0, np.nan], [np.inf, -np.inf, 0.0, -0.0]], np.float32)
    for axis in (0, 1):
        _assert_same(prim.bind(wrap(x), axis=axis, index_dtype=np.int32),
                     jfn(jnp.asarray(x), axis, np.int32))


@pytest.mark.parametrize("shape,dt,axis,idx,err", [
    ((3,), "float32", 1, "int32", ValueError),
    ((3,), "float32", -1, "int32", ValueError),
    ((0,), "float32", 0, "int32", ValueError),
    ((3,), "float32", 0, "float32", TypeError),
    ((3,), "complex64", 0, "int32", TypeError),
])
def test_arg_extremum_rule_errors(shape, dt, axis, idx, err):
    with pytest.raises(err):
        red.argmax_p.abstract_eval(registry.aval_of(np.zeros(shape, dt)), axis=axis,
                                   index_dtype=np.dtype(idx))


# --- cumulative scans -------------------------------------------------------------------------

_SCANS = [
    (red.cumsum_p, lax.cumsum, "iufc"),
    (red.cumprod_p, lax.cumprod, "iufc"),
    (red.cummax_p, lax.cummax, "iuf"),
    (red.cummin_p, lax.cummin, "iuf"),
    (red.cumlogsumexp_p, lax.cumlogsumexp, "f"),
]

SCAN_CASES = [
    (prim, jfn, shape, dt, axis, rev)
    for prim, jfn, kinds in _SCANS
    for dt in ["int8", "uint8", "int32", "float16", "float32", "complex64"]
    if np.dtype(dt).kind in kinds
    for shape in [(0,), (5,), (3, 4), (2, 0, 3)]
    for axis in range(len(shape))
    for rev in (False, True)
]


_NUMPY_SCAN = {
    "cumsum": lambda x, ax: np.cumsum(x, ax),
    "cumprod": lambda x, ax: np.cumprod(x, ax),
    "cummax": lambda x, ax: np.maximum.accumulate(x, ax),
    "cummin": lambda x, ax: np.minimum.accumulate(x, ax),
    "cumlogsumexp": lambda x, ax: np.logaddexp.accumulate(x, ax),
}


@pytest.mark.parametrize("prim", [p for p, _, _ in _SCANS], ids=str)
def test_scan_matches_numpy(prim):
    for p, _, shape, dt, axis, rev in SCAN_CASES:
        if p is not prim:
            continue
        x = _data(shape, dt)
        out = prim.bind(wrap(x), axis=axis, reverse=rev)
        w = np.flip(_wide(x), axis) if rev else _wide(x)
        expected = _NUMPY_SCAN[prim.name](w, axis)
        expected = np.flip(expected, axis) if rev else expected
        _assert_same(out, expected.astype(x.dtype))


def test_scan_nan_and_weak_type():
    x = np.array([1.0, np.nan, 3.0, -1.0], np.float32)
    for prim, jfn, _ in _SCANS:
        out = prim.bind(wrap(x, weak=True), axis=0, reverse=False)
        _assert_same(out, jfn(jnp.asarray(x), axis=0))
        assert out.weak_type


@pytest.mark.parametrize("prim,dt,axis,err", [
    (red.cumsum_p, "bool", 0, TypeError),
    (red.cummax_p, "bool", 0, TypeError),
    (red.cumsum_p, "float32", -1, ValueError),
    (red.cumsum_p, "float32", 1, ValueError),
    (red.cumlogsumexp_p, "int32", 0, TypeError),
])
def test_scan_rule_errors(prim, dt, axis, err):
    with pytest.raises(err):
        prim.abstract_eval(registry.aval_of(np.zeros((3,), dt)), axis=axis, reverse=False)


# --- sort -------------------------------------------------------------------------------------

SPECIAL = np.array([3.0, -0.0, 0.0, np.nan, -np.nan, 1.0, -np.inf, np.inf, 1.0, 0.0],
                   np.float32)


@pytest.mark.parametrize("dt", ["bool", "int8", "uint32", "float16", "bfloat16", "float32",
                                "complex64"])
def test_sort_matches_numpy(dt):
    for shape, dim in [((7,), 0), ((3, 5), 0), ((3, 5), 1), ((2, 0, 3), 2), ((2, 3, 4), 1)]:
        x = _data(shape, dt)
        (out,) = red.sort_p.bind(wrap(x), dimension=dim, is_stable=True, num_keys=1)
        _assert_same(out, np.sort(x, axis=dim, kind="stable"))


@pytest.mark.parametrize("x", [SPECIAL, SPECIAL.astype(np.float16),
                               np.array([1 + np.nan * 1j, np.nan + 0j, 1 + 0j, 1j, -1j, 2 + 1j,
                                         np.nan * 1j, 1 + 1j], np.complex64)])
def test_sort_total_order_is_stable(x):
    idx = np.arange(x.size, dtype=np.int32)
    ours = red.sort_p.bind(wrap(x), wrap(idx), dimension=0, is_stable=True, num_keys=1)
    theirs = lax.sort((jnp.asarray(x), jnp.asarray(idx)), dimension=0, num_keys=1)
    _assert_same(ours[1], theirs[1])
    _assert_same(ours[0], theirs[0])


def test_sort_multiple_keys():
    k1 = np.array([1, 0, 1, 0, 1, 0], np.int32)
    k2 = np.array([3.0, 2.0, 1.0, np.nan, 1.0, 2.0], np.float32)
    v = np.arange(6, dtype=np.int8)
    for num_keys in (1, 2):
        ours = red.sort_p.bind(wrap(k1), wrap(k2), wrap(v), dimension=0, num_keys=num_keys)
        theirs = lax.sort((jnp.asarray(k1), jnp.asarray(k2), jnp.asarray(v)), num_keys=num_keys)
        for o, t in zip(ours, theirs):
            _assert_same(o, t)


@pytest.mark.parametrize("shapes,dim,num_keys,err", [
    (((3,), (4,)), 0, 1, TypeError),
    (((3,), (3,)), 0, 0, ValueError),
    (((3,), (3,)), 0, 3, ValueError),
    (((3,),), 1, 1, ValueError),
    (((),), 0, 1, ValueError),
])
def test_sort_rule_errors(shapes, dim, num_keys, err):
    avals = [registry.aval_of(np.zeros(s, np.float32)) for s in shapes]
    with pytest.raises(err):
        red.sort_p.abstract_eval(*avals, dimension=dim, is_stable=True, num_keys=num_keys)


def test_sort_rule_keeps_each_operands_weak_type():
    avals = (registry.aval_of(np.zeros(3, np.float32), True),
             registry.aval_of(np.zeros(3, np.int32), False))
    out = red.sort_p.abstract_eval(*avals, dimension=0, is_stable=True, num_keys=1)
    assert [o.weak_type for o in out] == [True, False]


# --- abstract_eval agrees with the eager impl on every case above ----------------------------

def _rule_cases():
    for prim, _, shape, dt, axes in REDUCE_CASES[::23]:
        yield prim, [_data(shape, dt)], {"axes": axes}
    for prim, _, shape, dt, axis, idx in ARG_CASES[::9]:
        yield prim, [_data(shape, dt)], {"axis": axis, "index_dtype": np.dtype(idx)}
    for prim, _, shape, dt, axis, rev in SCAN_CASES[::7]:
        yield prim, [_data(shape, dt)], {"axis": axis, "reverse": rev}
    for shape, dim in [((7,), 0), ((3, 5), 1), ((2, 0, 3), 2)]:
        yield red.sort_p, [_data(shape, "float32"), _data(shape, "int8")], \
            {"dimension": dim, "is_stable": True, "num_keys": 1}


@pytest.mark.parametrize("prim,bufs,params", list(_rule_cases()),
                         ids=lambda v: getattr(v, "name", None))
@pytest.mark.parametrize("weak", [False, True])
def test_abstract_eval_agrees_with_impl(prim, bufs, params, weak):
    arrays = [wrap(b, weak) for b in bufs]
    avals = [registry.aval_of(b, weak) for b in bufs]
    out = prim.bind(*arrays, **params)
    rule = prim.abstract_eval(*avals, **params)
    outs = out if prim.multiple_results else (out,)
    rules = rule if prim.multiple_results else (rule,)
    for o, r in zip(outs, rules):
        assert (o.shape, o.dtype, o.weak_type) == (r.shape, r.dtype, r.weak_type)


def test_family_is_declared():
    names = {"reduce_sum", "reduce_prod", "reduce_max", "reduce_min", "reduce_and", "reduce_or",
             "reduce_xor", "argmax", "argmin", "cumsum", "cumprod", "cummax", "cummin",
             "cumlogsumexp", "sort"}
    prims = registry.primitives()
    assert names <= set(prims)
    assert all(prims[n].family == "reduce" for n in names)
