"""JVP and adjoint templates of the structural, reduce and indexing primitives: finite
differences and transposition, table-driven over every primitive of the three families.

``test_ad_structural_jax.py`` compares a representative set against ``jax.jvp``/``jax.vjp``.
"""
import numpy as np
import pytest
from ad_rule_check import adjoint_by_templates, check_rules, jvp_by_templates
from axc.kernels import indexing as ix
from axc.kernels import reduce as red
from axc.kernels import registry
from axc.kernels import structural as st
from axc.kernels.numpy.index_expr import parse_index

import axc

FAMILIES = ("structural", "reduce", "indexing")
OURS = [p for p in registry.primitives().values() if p.family in FAMILIES]
NOT_DIFFERENTIABLE = {"iota", "argmax", "argmin", "reduce_and", "reduce_or", "reduce_xor"}
RNG = np.random.default_rng(0)


pytestmark = pytest.mark.usefixtures("x64_module")


def r(*shape):
    return RNG.standard_normal(shape)


def c(*shape):
    return r(*shape) + 1j * r(*shape)


def i32(*values):
    return np.array(values, np.int32)


def gather(x, idx, **params):
    """``(operands, params)`` of ``index_p`` for ``x[idx]``."""
    template, arrays = parse_index(idx, x.shape)
    return [x, *arrays], dict(params, template=template)


def scatter(x, idx, y, op, **params):
    """``(operands, params)`` of ``index_update_p`` for ``x[idx] op= y``."""
    template, arrays = parse_index(idx, x.shape)
    return [x, y, *arrays], dict(params, template=template, op=op)


def _with_zeros():
    x = r(3, 4)
    x[0, 1] = 0.0          # one zero in a group: the zero's cofactor is the rest's product
    x[2, 0] = x[2, 3] = 0  # two zeros: every cofactor in the group is 0
    return x


TWO_ZEROS = np.array([0.5, 0.0, -2.0, 0.0, 3.0, 1.5])
# (primitive, operands, params); operands after the first integer one are indices.
CASES = [
    (st.broadcast_in_dim_p, [r(3)], {"shape": (2, 3), "broadcast_dimensions": (1,)}),
    (st.broadcast_in_dim_p, [r(1, 3)], {"shape": (4, 2, 3), "broadcast_dimensions": (1, 2)}),
    (st.broadcast_in_dim_p, [r(2, 1)], {"shape": (2, 3), "broadcast_dimensions": (0, 1)}),
    (st.broadcast_in_dim_p, [r()], {"shape": (2, 3), "broadcast_dimensions": ()}),
    (st.broadcast_in_dim_p, [c(3, 1)], {"shape": (2, 4, 3), "broadcast_dimensions": (2, 0)}),
    (st.reshape_p, [r(2, 3)], {"new_sizes": (3, 2)}),
    (st.reshape_p, [c(6)], {"new_sizes": (1, 2, 3)}),
    (st.reshape_p, [r()], {"new_sizes": (1, 1)}),
    (st.transpose_p, [r(2, 3, 4)], {"permutation": (2, 0, 1)}),
    (st.squeeze_p, [r(1, 3, 1)], {"dimensions": (2, 0)}),
    (st.expand_dims_p, [c(3)], {"dimensions": (0, 2)}),
    (st.rev_p, [r(2, 3)], {"dimensions": (0, 1)}),
    (st.slice_p, [r(5, 6)], {"start_indices": (1, 0), "limit_indices": (4, 6)}),
    (st.slice_p, [c(5, 7)], {"start_indices": (1, 2), "limit_indices": (5, 6), "strides": (2, 3)}),
    (st.slice_p, [r(4)], {"start_indices": (2,), "limit_indices": (2,), "strides": (2,)}),
    (st.pad_p, [r(3, 4), r()], {"padding_config": ((1, 2, 0), (0, 1, 2))}),
    (st.pad_p, [r(3, 4), r()], {"padding_config": ((-1, 2, 1), (2, -3, 0))}),
    (st.pad_p, [c(2), c()], {"padding_config": ((-2, -1, 3),)}),
    (st.concatenate_p, [r(2, 3), r(4, 3), r(1, 3)], {"dimension": 0}),
    (st.concatenate_p, [c(2, 1), c(2, 2)], {"dimension": 1}),
    (st.copy_p, [r(2, 3)], {}),
    (red.reduce_sum_p, [r(2, 3, 4)], {"axes": (0, 2)}),
    (red.reduce_sum_p, [c(2, 3)], {"axes": (1,)}),
    (red.reduce_sum_p, [r(2, 3)], {"axes": ()}),
    (red.reduce_prod_p, [r(2, 3, 4)], {"axes": (0, 2)}),
    (red.reduce_prod_p, [_with_zeros()], {"axes": (1,)}),
    (red.reduce_prod_p, [c(3, 2)], {"axes": (0, 1)}),
    (red.reduce_max_p, [r(3, 4)], {"axes": (1,)}),
    (red.reduce_max_p, [r(2, 3, 2)], {"axes": (0, 2)}),
    (red.reduce_min_p, [r(3, 4)], {"axes": (0,)}),
    (red.cumsum_p, [r(3, 4)], {"axis": 1}),
    (red.cumsum_p, [c(5, 2)], {"axis": 0, "reverse": True}),
    (red.cumprod_p, [r(3, 5)], {"axis": 1}),
    (red.cumprod_p, [TWO_ZEROS], {"axis": 0}),
    (red.cumprod_p, [TWO_ZEROS], {"axis": 0, "reverse": True}),
    (red.cumprod_p, [c(6, 2)], {"axis": 0, "reverse": True}),
    (red.cummax_p, [r(7, 2)], {"axis": 0}),
    (red.cummax_p, [r(2, 6)], {"axis": 1, "reverse": True}),
    (red.cummin_p, [r(9)], {"axis": 0}),
    (red.cumlogsumexp_p, [r(2, 6) * 3], {"axis": 1}),
    (red.cumlogsumexp_p, [r(5)], {"axis": 0, "reverse": True}),
    (red.sort_p, [r(3, 5)], {"dimension": 1}),
    (red.sort_p, [c(4, 2)], {"dimension": 0}),
    (red.sort_p, [r(6), r(6)], {"dimension": 0, "num_keys": 1}),
    (red.sort_p, [r(2, 4), r(2, 4), r(2, 4)], {"dimension": 1, "num_keys": 2}),
    (ix.index_p, *gather(r(3, 4, 5), (i32(0, 2, 0, -1),))),
    (ix.index_p, *gather(c(3, 4), (None, 1, slice(None, None, -2)))),
    (ix.index_p, *gather(r(3, 4, 5), (slice(None), i32(3, 0), 1))),
    (ix.index_p, *gather(r(4), (i32(7, 1, -9),), mode="fill", fill_value=5.0)),
    (ix.index_p, *gather(r(4, 3), (i32(7, 1),), mode="clip")),
    (ix.index_p, *gather(r(3, 4), (i32(0, 2), None, i32(1, 1)))),
    (ix.index_update_p, *scatter(r(5, 3), (i32(0, 3, 0),), r(3, 3), "add")),
    (ix.index_update_p, *scatter(c(5, 3), (i32(4, 1),), c(3), "add")),
    (ix.index_update_p, *scatter(r(5, 3), (i32(0, 3, 0),), r(3, 3), "set")),
    (ix.index_update_p, *scatter(r(5, 3), (slice(1, 4), 2), r(), "set")),
    (ix.index_update_p, *scatter(r(5), (i32(1, 9, 3),), r(3), "set")),
    (ix.index_update_p, *scatter(r(5), (i32(1, 9, 3),), r(3), "set", mode="clip")),
    (ix.index_update_p, *scatter(r(5, 3), (i32(0, 3, 0),), r(3, 1), "mul")),
    # Position 0 gets one zero update, position 2 two: zero-safe cofactors.
    (ix.index_update_p, *scatter(np.arange(1.0, 6.0), (i32(0, 0, 0, 2, 2),),
                                 np.array([0.0, 2.0, 3.0, 0.0, 0.0]), "mul")),
    (ix.index_update_p, *scatter(c(4), (i32(2, 2),), c(2), "mul")),
    (ix.index_update_p, *scatter(r(6), (i32(0, 2, 0, 5),), r(4), "max")),
    (ix.index_update_p, *scatter(r(3, 4), (slice(None), i32(1, 1)), r(3, 2), "min")),
    (ix.dynamic_slice_p, [r(5, 6), np.int32(1), np.int32(2)], {"slice_sizes": (3, 2)}),
    (ix.dynamic_slice_p, [r(5, 6), np.int32(4), np.int32(-3)], {"slice_sizes": (3, 4)}),
    (ix.dynamic_update_slice_p, [r(5, 6), r(2, 3), np.int32(1), np.int32(9)], {}),
    (ix.dynamic_update_slice_p, [c(4), c(2), np.int32(1)], {}),
]


@pytest.mark.parametrize("prim,operands,params", CASES,
                         ids=[f"{p.name}-{k}" for k, (p, _, _) in enumerate(CASES)])
def test_templates_match_finite_differences_and_transpose(prim, operands, params):
    check_rules(prim, operands, params)


def test_every_differentiable_primitive_has_a_case():
    tested = {p.name for p, _, _ in CASES}
    assert tested == {p.name for p in OURS} - NOT_DIFFERENTIABLE


@pytest.mark.parametrize("prim", OURS, ids=str)
def test_ad_slots_are_templates_or_not_applicable(prim):
    for slot in ("jvp", "adjoint"):
        rule = getattr(prim, slot)
        if prim.name in NOT_DIFFERENTIABLE:
            assert isinstance(rule, registry.NotApplicable) and rule.why
            continue
        assert isinstance(rule, registry.Templates)
        for t in (*rule.per_operand, rule.rest):
            # Real module-level functions: the AD transforms read their source.
            assert t is None or t.__qualname__ == t.__name__ != "<lambda>", t


def test_index_operands_have_no_derivative():
    for prim, first_index in [(ix.index_p, 1), (ix.index_update_p, 2),
                              (ix.dynamic_slice_p, 1), (ix.dynamic_update_slice_p, 2)]:
        for rule in (prim.jvp, prim.adjoint):
            assert rule(first_index) is None and rule(first_index + 3) is None
            assert all(rule(i) is not None for i in range(first_index))


def _grad_of_sum(prim, operands, params, i=0):
    ops = [axc.numpy.asarray(o) for o in operands]
    g = axc.numpy.ones(prim.bind(*ops, **params).shape, dtype=ops[0].dtype)
    return np.asarray(adjoint_by_templates(prim, ops, [g], params, [i])[0])


def test_reduce_max_splits_ties_equally():
    x = np.array([[1.0, 3.0, 3.0], [2.0, 2.0, 2.0]])
    got = _grad_of_sum(red.reduce_max_p, [x], {"axes": (1,)})
    np.testing.assert_allclose(got, [[0, 0.5, 0.5], [1 / 3, 1 / 3, 1 / 3]])


def test_cummax_tie_hands_the_derivative_to_the_later_element():
    x = np.array([1.0, 3.0, 3.0, 2.0])
    got = _grad_of_sum(red.cummax_p, [x], {"axis": 0})
    np.testing.assert_allclose(got, [1, 1, 2, 0])


def test_cumlogsumexp_of_leading_minus_inf_is_finite():
    x = np.array([-np.inf, -np.inf, 0.0, 1.0])
    ops = [axc.numpy.asarray(x)]
    _, (tan,) = jvp_by_templates(red.cumlogsumexp_p, ops, [axc.numpy.ones(4, "float64")],
                                 {"axis": 0})
    np.testing.assert_allclose(np.asarray(tan), [0, 0, 1, 1])
    assert np.isfinite(_grad_of_sum(red.cumlogsumexp_p, [x], {"axis": 0})).all()


def test_scatter_set_gives_overwritten_updates_no_derivative():
    operands, params = scatter(np.zeros(3), (i32(1, 1),), np.array([5.0, 7.0]), "set")
    ops = [axc.numpy.asarray(o) for o in operands]
    g = axc.numpy.asarray(np.array([1.0, 2.0, 3.0]))
    x_bar, y_bar = adjoint_by_templates(ix.index_update_p, ops, [g], params, [0, 1])
    np.testing.assert_allclose(np.asarray(x_bar), [1, 0, 3])
    np.testing.assert_allclose(np.asarray(y_bar), [0, 2])  # NumPy's (and XLA's) last wins
