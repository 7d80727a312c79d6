"""The structural primitives against ``jax.lax``: values, dtypes, weak types, shape rules."""
from __future__ import annotations

import numpy as np
import pytest
from axc.kernels import registry
from axc.kernels import structural as st
from axc.runtime import dtypes
from axc.runtime.array import wrap

jax = pytest.importorskip("jax")
jnp = pytest.importorskip("jax.numpy")
lax = jax.lax
hypothesis = pytest.importorskip("hypothesis")
from hypothesis import given, settings
from hypothesis import strategies as hs

RNG = np.random.default_rng(0)
DTYPES = ["bool", "uint32", "bfloat16", "complex64"]  # dtype-agnostic ops: a spread


def _dt(name: str) -> np.dtype:
    return np.dtype(dtypes.bfloat16) if name == "bfloat16" else np.dtype(name)


def _data(shape: tuple[int, ...], dt: str = "float32") -> np.ndarray:
    d = _dt(dt)
    if d.kind == "b":
        return RNG.random(shape) < 0.5
    if d.kind in "iu":
        return RNG.integers(0, 100, shape).astype(d)
    if d.kind == "c":
        return (RNG.normal(size=shape) + 1j * RNG.normal(size=shape)).astype(d)
    return RNG.normal(size=shape).astype(d)


# (primitive, operand shapes, params, the same operation in jax.lax)
CASES = [
    (st.broadcast_in_dim_p, [()], {"shape": (2, 3), "broadcast_dimensions": ()},
     lambda x: lax.broadcast_in_dim(x, (2, 3), ())),
    (st.broadcast_in_dim_p, [(3,)], {"shape": (2, 3), "broadcast_dimensions": (1,)},
     lambda x: lax.broadcast_in_dim(x, (2, 3), (1,))),
    (st.broadcast_in_dim_p, [(3, 1)], {"shape": (3, 4, 5), "broadcast_dimensions": (0, 2)},
     lambda x: lax.broadcast_in_dim(x, (3, 4, 5), (0, 2))),
    (st.broadcast_in_dim_p, [(3, 4)], {"shape": (4, 2, 3), "broadcast_dimensions": (2, 0)},
     lambda x: lax.broadcast_in_dim(x, (4, 2, 3), (2, 0))),
    (st.broadcast_in_dim_p, [(0, 1)], {"shape": (0, 5), "broadcast_dimensions": (0, 1)},
     lambda x: lax.broadcast_in_dim(x, (0, 5), (0, 1))),
    (st.reshape_p, [(2, 3, 4)], {"new_sizes": (6, 4)}, lambda x: lax.reshape(x, (6, 4))),
    (st.reshape_p, [(1,)], {"new_sizes": ()}, lambda x: lax.reshape(x, ())),
    (st.reshape_p, [(0, 3)], {"new_sizes": (3, 0, 1)}, lambda x: lax.reshape(x, (3, 0, 1))),
    (st.transpose_p, [(2, 3, 4)], {"permutation": (2, 0, 1)},
     lambda x: lax.transpose(x, (2, 0, 1))),
    (st.transpose_p, [()], {"permutation": ()}, lambda x: lax.transpose(x, ())),
    (st.squeeze_p, [(1, 3, 1)], {"dimensions": (0, 2)}, lambda x: lax.squeeze(x, (0, 2))),
    (st.squeeze_p, [(1,)], {"dimensions": (0,)}, lambda x: lax.squeeze(x, (0,))),
    (st.expand_dims_p, [(3,)], {"dimensions": (0, 2)}, lambda x: lax.expand_dims(x, (0, 2))),
    (st.expand_dims_p, [()], {"dimensions": (0,)}, lambda x: lax.expand_dims(x, (0,))),
    (st.rev_p, [(2, 3)], {"dimensions": (1,)}, lambda x: lax.rev(x, (1,))),
    (st.rev_p, [(2, 3, 4)], {"dimensions": (0, 2)}, lambda x: lax.rev(x, (0, 2))),
    (st.rev_p, [(0,)], {"dimensions": (0,)}, lambda x: lax.rev(x, (0,))),
    (st.slice_p, [(5, 6)], {"start_indices": (1, 0), "limit_indices": (4, 6)},
     lambda x: lax.slice(x, (1, 0), (4, 6))),
    (st.slice_p, [(7, 6)], {"start_indices": (1, 2), "limit_indices": (7, 6), "strides": (2, 3)},
     lambda x: lax.slice(x, (1, 2), (7, 6), (2, 3))),
    (st.slice_p, [(4,)], {"start_indices": (2,), "limit_indices": (2,), "strides": (5,)},
     lambda x: lax.slice(x, (2,), (2,), (5,))),
    (st.slice_p, [()], {"start_indices": (), "limit_indices": ()}, lambda x: lax.slice(x, (), ())),
    (st.pad_p, [(4,), ()], {"padding_config": ((1, 2, 0),)},
     lambda x, v: lax.pad(x, v, ((1, 2, 0),))),
    (st.pad_p, [(4, 3), ()], {"padding_config": ((-1, 2, 1), (0, -2, 2))},
     lambda x, v: lax.pad(x, v, ((-1, 2, 1), (0, -2, 2)))),
    (st.pad_p, [(3,), ()], {"padding_config": ((-5, 0, 2),)},
     lambda x, v: lax.pad(x, v, ((-5, 0, 2),))),
    (st.pad_p, [(0, 2), ()], {"padding_config": ((1, 1, 3), (0, 0, 0))},
     lambda x, v: lax.pad(x, v, ((1, 1, 3), (0, 0, 0)))),
    (st.pad_p, [(), ()], {"padding_config": ()}, lambda x, v: lax.pad(x, v, ())),
    (st.concatenate_p, [(2, 3), (1, 3), (0, 3)], {"dimension": 0},
     lambda *xs: lax.concatenate(xs, 0)),
    (st.concatenate_p, [(2, 3), (2, 1)], {"dimension": 1}, lambda *xs: lax.concatenate(xs, 1)),
    (st.concatenate_p, [(4,)], {"dimension": 0}, lambda *xs: lax.concatenate(xs, 0)),
    (st.copy_p, [(2, 3)], {}, lambda x: x),
]
_ID = [f"{c[0].name}-{i}" for i, c in enumerate(CASES)]

IOTA_CASES = [("int32", (5,), 0), ("int8", (300,), 0), ("uint8", (2, 3), 1),
              ("float16", (3000,), 0), ("bfloat16", (4, 2), 0), ("float32", (2, 0, 3), 2),
              ("complex64", (3, 2), 0)]


def _operands(shapes, dt, weak):
    bufs = [_data(s, dt) for s in shapes]
    return bufs, [wrap(b, weak) for b in bufs]


def _check(got, want) -> None:
    want = np.asarray(want)
    assert got.shape == want.shape
    assert got.dtype == want.dtype
    np.testing.assert_array_equal(np.asarray(got), want)


@pytest.mark.parametrize("dt", DTYPES)
@pytest.mark.parametrize("prim,shapes,params,ref", CASES, ids=_ID)
def test_against_lax(prim, shapes, params, ref, dt):
    bufs, args = _operands(shapes, dt, False)
    got = prim.bind(*args, **params)
    _check(got, ref(*[jnp.asarray(b) for b in bufs]))
    assert got.weak_type is False


@pytest.mark.parametrize("weak", [False, True])
@pytest.mark.parametrize("prim,shapes,params,ref", CASES, ids=_ID)
def test_abstract_eval_agrees_with_impl(prim, shapes, params, ref, weak):
    """The shape rule predicts the eager result's shape, dtype and weak type."""
    dt = "float32"
    _, args = _operands(shapes, dt, weak)
    got = prim.bind(*args, **params)
    aval = prim.abstract_eval(*[registry.aval_of(a._buf, a._weak) for a in args], **params)
    assert (aval.shape, aval.dtype, aval.weak_type) == (got.shape, got.dtype, got.weak_type)
    assert got.weak_type is weak  # structural primitives preserve weak types


@pytest.mark.parametrize("dt,shape,dim", IOTA_CASES)
def test_iota(dt, shape, dim):
    got = st.iota_p.bind(dtype=_dt(dt), shape=shape, dimension=dim)
    want = lax.broadcasted_iota(_dt(dt), shape, dim)
    assert not got.weak_type
    _check(got, want)
    aval = st.iota_p.abstract_eval(dtype=_dt(dt), shape=shape, dimension=dim)
    assert (aval.shape, aval.dtype, aval.weak_type) == (got.shape, got.dtype, False)


def test_copy_is_a_new_buffer():
    x = wrap(np.arange(3.0))
    y = st.copy_p.bind(x)
    assert y._buf is not x._buf and not np.shares_memory(y._buf, x._buf)


# (primitive, operand shapes/dtypes, params, the jax.lax call that must fail the same way)
BAD = [
    (st.broadcast_in_dim_p, [(3,)], {"shape": (2, 4), "broadcast_dimensions": (1,)},
     lambda x: lax.broadcast_in_dim(x, (2, 4), (1,))),
    (st.broadcast_in_dim_p, [(3,)], {"shape": (3,), "broadcast_dimensions": ()}, None),
    (st.broadcast_in_dim_p, [(3, 3)], {"shape": (3, 3), "broadcast_dimensions": (0, 0)},
     lambda x: lax.broadcast_in_dim(x, (3, 3), (0, 0))),
    (st.broadcast_in_dim_p, [(3,)], {"shape": (3,), "broadcast_dimensions": (1,)},
     lambda x: lax.broadcast_in_dim(x, (3,), (1,))),
    (st.broadcast_in_dim_p, [()], {"shape": (2, -1), "broadcast_dimensions": ()},
     lambda x: lax.broadcast_in_dim(x, (2, -1), ())),
    (st.broadcast_in_dim_p, [(2, 3)], {"shape": (3,), "broadcast_dimensions": (0, 1)},
     lambda x: lax.broadcast_in_dim(x, (3,), (0, 1))),
    (st.reshape_p, [(6,)], {"new_sizes": (-1,)}, lambda x: lax.reshape(x, (-1,))),
    (st.transpose_p, [(2, 3)], {"permutation": (0, 0)}, lambda x: lax.transpose(x, (0, 0))),
    (st.transpose_p, [(2, 3)], {"permutation": (0,)}, lambda x: lax.transpose(x, (0,))),
    (st.transpose_p, [(2, 3)], {"permutation": (-1, 0)}, lambda x: lax.transpose(x, (-1, 0))),
    (st.squeeze_p, [(2, 1)], {"dimensions": (0,)}, lambda x: lax.squeeze(x, (0,))),
    (st.squeeze_p, [(1, 1)], {"dimensions": (0, 0)}, lambda x: lax.squeeze(x, (0, 0))),
    (st.squeeze_p, [(2, 1)], {"dimensions": (-1,)}, None),
    (st.expand_dims_p, [(3,)], {"dimensions": (2,)}, lambda x: lax.expand_dims(x, (2,))),
    (st.expand_dims_p, [(3,)], {"dimensions": (0, 0)}, lambda x: lax.expand_dims(x, (0, 0))),
    (st.rev_p, [(3, 1)], {"dimensions": (2,)}, lambda x: lax.rev(x, (2,))),
    (st.rev_p, [(3, 1)], {"dimensions": (0, 0)}, lambda x: lax.rev(x, (0, 0))),
    (st.rev_p, [(3, 1)], {"dimensions": (-1,)}, lambda x: lax.rev(x, (-1,))),
    (st.slice_p, [(3, 1)], {"start_indices": (0, 0), "limit_indices": (4, 1)},
     lambda x: lax.slice(x, (0, 0), (4, 1))),
    (st.slice_p, [(3, 1)], {"start_indices": (2, 0), "limit_indices": (1, 1)},
     lambda x: lax.slice(x, (2, 0), (1, 1))),
    (st.slice_p, [(3, 1)], {"start_indices": (0,), "limit_indices": (1,)}, None),
    (st.slice_p, [(3, 4)], {"start_indices": (0, 0), "limit_indices": (3, 4), "strides": (2,)},
     lambda x: lax.slice(x, (0, 0), (3, 4), (2,))),
    (st.slice_p, [(3, 4)], {"start_indices": (0, 0), "limit_indices": (3, 4), "strides": (1, 0)},
     None),
    (st.pad_p, [(3,), ()], {"padding_config": ((1, 1, -1),)},
     lambda x, v: lax.pad(x, v, ((1, 1, -1),))),
    (st.pad_p, [(3,), ()], {"padding_config": ((-3, -1, 0),)},
     lambda x, v: lax.pad(x, v, ((-3, -1, 0),))),
    (st.pad_p, [(3,), (1,)], {"padding_config": ((0, 0, 0),)},
     lambda x, v: lax.pad(x, v, ((0, 0, 0),))),
    (st.pad_p, [(3, 2), ()], {"padding_config": ((0, 0, 0),)},
     lambda x, v: lax.pad(x, v, ((0, 0, 0),))),
    (st.concatenate_p, [(2,), (2, 1)], {"dimension": 0}, lambda *xs: lax.concatenate(xs, 0)),
    (st.concatenate_p, [(2, 3), (3, 2)], {"dimension": 0}, lambda *xs: lax.concatenate(xs, 0)),
    (st.concatenate_p, [(2,), (2,)], {"dimension": 1}, lambda *xs: lax.concatenate(xs, 1)),
    (st.concatenate_p, [(), ()], {"dimension": 0}, lambda *xs: lax.concatenate(xs, 0)),
    (st.concatenate_p, [(2,), (2,)], {"dimension": -1}, None),
]


@pytest.mark.parametrize("prim,shapes,params,ref", BAD,
                         ids=[f"{c[0].name}-{i}" for i, c in enumerate(BAD)])
def test_bad_parameters_raise_as_lax(prim, shapes, params, ref):
    bufs, args = _operands(shapes, "float32", False)
    expected = (TypeError, ValueError)
    if ref is not None:
        with pytest.raises(Exception) as info:
            ref(*[jnp.asarray(b) for b in bufs])
        expected = type(info.value)
    with pytest.raises(expected):
        prim.bind(*args, **params)
    with pytest.raises(expected):  # the shape rule alone (what staging sees) raises too
        prim.abstract_eval(*[registry.aval_of(b) for b in bufs], **params)


def test_mixed_dtypes_are_refused():
    f32, i32 = wrap(np.ones(2, np.float32)), wrap(np.ones(2, np.int32))
    with pytest.raises(TypeError, match="same dtypes"):
        st.concatenate_p.bind(f32, i32, dimension=0)
    with pytest.raises(TypeError, match="same dtype"):
        st.pad_p.bind(f32, wrap(np.int32(0)), padding_config=((1, 1, 0),))


@pytest.mark.parametrize("dt,shape,dim,exc", [
    ("bool", (3,), 0, TypeError), ("int32", (3,), 1, ValueError),
    ("int32", (-1,), 0, TypeError)])
def test_bad_iota(dt, shape, dim, exc):
    with pytest.raises(exc):
        lax.broadcasted_iota(_dt(dt), shape, dim)
    with pytest.raises(exc):
        st.iota_p.bind(dtype=_dt(dt), shape=shape, dimension=dim)


def test_reshape_size_mismatch():
    with pytest.raises(TypeError, match="cannot reshape array of shape"):
        st.reshape_p.bind(wrap(np.ones(6)), new_sizes=(4,))


def test_registered_in_family():
    names = {"broadcast_in_dim", "reshape", "transpose", "squeeze", "expand_dims", "rev",
             "slice", "pad", "concatenate", "iota", "copy"}
    prims = registry.primitives()
    assert all(prims[n].family == "structural" for n in names)


@settings(max_examples=40, deadline=None)
@given(hs.lists(hs.tuples(hs.integers(0, 4), hs.integers(-4, 4), hs.integers(-4, 4),
                          hs.integers(0, 3)), min_size=0, max_size=3))
def test_pad_matches_lax(dims):
    """Negative and interior padding in every combination, against ``lax.pad``."""
    shape = tuple(d[0] for d in dims)
    config = tuple(d[1:] for d in dims)
    x = _data(shape, "int32")
    try:
        want = lax.pad(jnp.asarray(x), jnp.int32(-7), config)
    except (TypeError, ValueError) as e:
        with pytest.raises(type(e)):
            st.pad_p.bind(wrap(x), wrap(np.int32(-7)), padding_config=config)
        return
    _check(st.pad_p.bind(wrap(x), wrap(np.int32(-7)), padding_config=config), want)
