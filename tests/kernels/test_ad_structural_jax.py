"""JVP and adjoint templates of structural, reduce and indexing primitives against
``jax.jvp``/``jax.vjp`` of the matching ``jax.lax`` (or ``jax.numpy`` indexing) function."""
import numpy as np
import pytest
from ad_rule_check import adjoint_by_templates, jvp_by_templates
from axc.kernels import indexing as ix
from axc.kernels import reduce as red
from axc.kernels import structural as st
from axc.kernels.numpy.index_expr import parse_index

import axc

jax = pytest.importorskip("jax")
lax = jax.lax
jnp = jax.numpy
RNG = np.random.default_rng(3)


pytestmark = pytest.mark.usefixtures("x64_module")


def r(*shape):
    return RNG.standard_normal(shape)


def i32(*values):
    return np.array(values, np.int32)


def _gather(x, idx, jax_fn, **params):
    template, arrays = parse_index(idx, x.shape)
    return ix.index_p, [x, *arrays], dict(params, template=template), jax_fn, (0,)


def _scatter(x, idx, y, op, jax_fn, **params):
    template, arrays = parse_index(idx, x.shape)
    return (ix.index_update_p, [x, y, *arrays], dict(params, template=template, op=op), jax_fn,
            (0, 1))


TIES = np.array([[1.0, 3.0, 3.0, -1.0], [2.0, 2.0, 2.0, 2.0]])
ZEROS = np.array([[0.5, 0.0, 2.0], [0.0, 3.0, 0.0], [1.5, -2.0, 0.5]])
IDX = i32(0, 3, 0, -1)
KEY, SECOND_KEY = np.array([1.0, 0.0, 1.0, 0.0]), np.array([4.0, 3.0, 2.0, 5.0])
MAX_TIES = (np.array([1.0, 0.5, 2.0]), np.array([4.0, 4.0, 0.5, 2.0]))

# (primitive, operands, params, JAX function of the differentiated operands, their positions)
CASES = [
    (st.broadcast_in_dim_p, [r(3, 1)], {"shape": (2, 3, 4), "broadcast_dimensions": (1, 2)},
     lambda x: lax.broadcast_in_dim(x, (2, 3, 4), (1, 2)), (0,)),
    (st.transpose_p, [r(2, 3, 4)], {"permutation": (1, 2, 0)},
     lambda x: lax.transpose(x, (1, 2, 0)), (0,)),
    (st.slice_p, [r(7, 5)], {"start_indices": (1, 0), "limit_indices": (6, 5), "strides": (2, 3)},
     lambda x: lax.slice(x, (1, 0), (6, 5), (2, 3)), (0,)),
    (st.pad_p, [r(3, 4), r()], {"padding_config": ((-1, 2, 1), (2, -3, 2))},
     lambda x, v: lax.pad(x, v, ((-1, 2, 1), (2, -3, 2))), (0, 1)),
    (st.concatenate_p, [r(2, 3), r(2, 1), r(2, 2)], {"dimension": 1},
     lambda *xs: lax.concatenate(xs, 1), (0, 1, 2)),
    (red.reduce_sum_p, [r(2, 3, 4)], {"axes": (0, 2)}, lambda x: x.sum((0, 2)), (0,)),
    (red.reduce_max_p, [TIES], {"axes": (1,)}, lambda x: lax.reduce_max(x, (1,)), (0,)),
    (red.reduce_min_p, [TIES], {"axes": (0, 1)}, lambda x: lax.reduce_min(x, (0, 1)), (0,)),
    (red.reduce_prod_p, [ZEROS], {"axes": (1,)}, lambda x: lax.reduce_prod(x, (1,)), (0,)),
    (red.reduce_prod_p, [ZEROS], {"axes": (0, 1)}, lambda x: lax.reduce_prod(x, (0, 1)), (0,)),
    (red.cumsum_p, [r(3, 5)], {"axis": 1, "reverse": True},
     lambda x: lax.cumsum(x, 1, reverse=True), (0,)),
    (red.cumprod_p, [ZEROS], {"axis": 1}, lambda x: lax.cumprod(x, 1), (0,)),
    (red.cumprod_p, [ZEROS.T], {"axis": 0, "reverse": True},
     lambda x: lax.cumprod(x, 0, reverse=True), (0,)),
    (red.cummax_p, [r(2, 9)], {"axis": 1}, lambda x: lax.cummax(x, 1), (0,)),
    (red.cummin_p, [r(6, 2)], {"axis": 0, "reverse": True},
     lambda x: lax.cummin(x, 0, reverse=True), (0,)),
    (red.cumlogsumexp_p, [r(3, 7) * 20], {"axis": 1},
     lambda x: lax.cumlogsumexp(x, 1), (0,)),
    (red.cumlogsumexp_p, [r(5) * 20], {"axis": 0, "reverse": True},
     lambda x: lax.cumlogsumexp(x, 0, reverse=True), (0,)),
    (red.sort_p, [r(3, 4), r(3, 4)], {"dimension": 0, "num_keys": 1},
     lambda k, v: lax.sort((k, v), dimension=0, num_keys=1), (0, 1)),
    (red.sort_p, [KEY, SECOND_KEY, r(4)], {"dimension": 0, "num_keys": 2},
     lambda v: lax.sort((KEY, SECOND_KEY, v), dimension=0, num_keys=2), (2,)),
    _gather(r(5, 3), (IDX,), lambda x: x[IDX]),
    _gather(r(3, 4, 5), (slice(None), i32(3, 0), None, 1), lambda x: x[:, i32(3, 0), None, 1]),
    _gather(r(4), (i32(7, 1, -9),), lambda x: x.at[i32(7, 1, -9)].get(mode="fill"),
            mode="fill"),
    _scatter(r(5, 3), (IDX,), r(4, 3), "add", lambda x, y: x.at[IDX].add(y)),
    _scatter(r(5, 3), (IDX,), r(3), "set", lambda x, y: x.at[IDX].set(y)),
    _scatter(r(5), (i32(1, 9, 3),), r(3), "set", lambda x, y: x.at[i32(1, 9, 3)].set(y)),
    _scatter(r(5, 2), (i32(4, 0, 2),), r(3, 2), "mul",
             lambda x, y: x.at[i32(4, 0, 2)].multiply(y, unique_indices=True)),
    _scatter(r(6), (IDX,), r(4), "max", lambda x, y: x.at[IDX].max(y)),
    _scatter(*MAX_TIES[:1], (i32(0, 0, 1, 2),), MAX_TIES[1], "max",
             lambda x, y: x.at[i32(0, 0, 1, 2)].max(y)),
    _scatter(r(3, 4), (slice(None), i32(1, 1)), r(3, 2), "min",
             lambda x, y: x.at[:, i32(1, 1)].min(y)),
    (ix.dynamic_slice_p, [r(5, 6), np.int32(4), np.int32(5)], {"slice_sizes": (3, 4)},
     lambda x: lax.dynamic_slice(x, (4, 5), (3, 4)), (0,)),
    (ix.dynamic_update_slice_p, [r(5, 6), r(2, 3), np.int32(1), np.int32(9)], {},
     lambda x, u: lax.dynamic_update_slice(x, u, (1, 9)), (0, 1)),
]


def _tuple(x):
    return tuple(x) if isinstance(x, (tuple, list)) else (x,)


def _close(got, want):
    for a, b in zip(_tuple(got), _tuple(want), strict=True):
        assert np.shape(a) == np.shape(b)
        np.testing.assert_allclose(np.asarray(a), np.asarray(b), rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("prim,operands,params,jax_fn,which", CASES,
                         ids=[f"{c[0].name}-{k}" for k, c in enumerate(CASES)])
def test_templates_match_jax(prim, operands, params, jax_fn, which):
    ops = [axc.numpy.asarray(o) for o in operands]
    primals = tuple(operands[i] for i in which)
    tangents = tuple(r(*np.shape(p)) for p in primals)
    want_ans, want_tan = jax.jvp(jax_fn, primals, tangents)
    full = [None] * len(ops)
    for i, t in zip(which, tangents):
        full[i] = axc.numpy.asarray(t)
    ans, tan = jvp_by_templates(prim, ops, full, params)
    _close(ans, want_ans)
    _close(tan, want_tan)

    cts = tuple(r(*np.shape(a)) for a in _tuple(ans))
    _, vjp = jax.vjp(jax_fn, *primals)
    want_bar = vjp(cts if prim.multiple_results else cts[0])
    got_bar = adjoint_by_templates(prim, ops, [axc.numpy.asarray(g) for g in cts], params, which)
    _close(got_bar, want_bar)
