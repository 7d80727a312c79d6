"""The index primitives: eager results, shape rules (agreeing with the impls) and errors."""
import numpy as np
import pytest
from axc.kernels import registry
from axc.kernels.indexing import (
    IndexTemplate,
    dynamic_slice_p,
    dynamic_update_slice_p,
    index_p,
    index_update_p,
)
from axc.kernels.numpy.index_expr import parse_index
from axc.runtime.abstract import ShapedArray
from axc.runtime.array import wrap

jax = pytest.importorskip("jax")
lax = pytest.importorskip("jax.lax")

X = np.arange(60, dtype=np.float32).reshape(3, 4, 5)
M = np.array([True, False, True])

# (index expression, bind parameters) on X: templates come from the parser.
GATHERS = [
    (0, {}), ((slice(None, None, -1), 2), {}), ((None, 1, None), {}),
    ((np.array([0, 2, -1]),), {}), ((np.array([7, -7]),), {"mode": "fill"}),
    ((np.array([7, -7]),), {"mode": "fill", "fill_value": -1.0}),
    ((np.array([7, -7]),), {"mode": "clip"}), ((-1,), {"normalize": False}),
    ((slice(None), np.array([[0], [3]]), np.array([1, 4])), {}),
    ((np.array([0, 1]), slice(None), np.array([1, 2])), {}), ((M, 0), {}),
    ((True, Ellipsis), {}), ((slice(None), False), {}), ((0, True, np.array([1, 2])), {}),
    ((np.array([], np.int32),), {}), ((np.array([1, 0], np.uint8), None, 3), {}),
]


def _bind_gather(x, idx, **params):
    template, arrays = parse_index(idx, x.shape)
    return template, arrays, index_p.bind(wrap(x), *arrays, template=template, **params)


@pytest.mark.parametrize("idx,params", GATHERS, ids=repr)
def test_index_matches_jax_and_its_shape_rule(idx, params):
    template, arrays, out = _bind_gather(X, idx, **params)
    aval = index_p.abstract_eval(registry.aval_of(X), *[a.aval for a in arrays],
                                 template=template, **params)
    assert (aval.shape, aval.dtype, aval.weak_type) == (out.shape, out.dtype, out.weak_type)
    mode = {"fill": "fill", "clip": "clip"}.get(params.get("mode"))
    want = jax.numpy.asarray(X).at[idx].get(
        mode=mode, fill_value=params.get("fill_value"),
        wrap_negative_indices=params.get("normalize", True))
    np.testing.assert_array_equal(np.asarray(out), np.asarray(want))


def test_index_default_fill_values():
    for dt, fill in [("float32", np.nan), ("int8", -128), ("uint16", 65535), ("bool", True)]:
        x = np.zeros(3, dt)
        template, arrays = parse_index((np.array([5]),), x.shape)
        out = index_p.bind(wrap(x), *arrays, template=template, mode="fill")
        np.testing.assert_array_equal(np.asarray(out), np.array([fill], dt))


def test_index_keeps_weak_type_and_never_aliases():
    x = wrap(np.arange(6.0, dtype=np.float32), True)
    template, _ = parse_index(slice(1, 4), x.shape)
    out = index_p.bind(x, template=template)
    assert out.weak_type and out.shape == (3,)
    assert not np.shares_memory(out._buf, x._buf)


# Repeated indices only ever receive equal values: which repeat ``set`` keeps is unspecified.
UPDATES = [
    (0, 1.0), ((np.array([0, 0, 2]),), np.ones((3, 4, 5), np.float32)),
    ((slice(None), np.array([1, 1])), np.float32(2)), ((np.array([5, -1]),), 3.0),
    ((None, 1), np.ones((1, 5), np.float32)), ((M,), np.arange(20.0).reshape(4, 5)),
    ((0, True, np.array([1, 1])), 4.0), ((slice(None, None, -1), 0, 0), np.arange(3.0)),
]


@pytest.mark.parametrize("idx,upd", UPDATES, ids=repr)
@pytest.mark.parametrize("op", ["set", "add", "mul", "min", "max"])
@pytest.mark.parametrize("mode", ["drop", "clip"])
def test_index_update_matches_jax_and_its_shape_rule(idx, upd, op, mode):
    upd = np.asarray(upd, np.float32)
    template, arrays = parse_index(idx, X.shape)
    out = index_update_p.bind(wrap(X), wrap(upd), *arrays, template=template, op=op,
                              mode=mode)
    aval = index_update_p.abstract_eval(registry.aval_of(X), registry.aval_of(upd),
                                        *[a.aval for a in arrays], template=template, op=op,
                                        mode=mode)
    assert (aval.shape, aval.dtype, aval.weak_type) == (out.shape, out.dtype, out.weak_type)
    ref = jax.numpy.asarray(X).at[idx]
    name = {"mul": "multiply"}.get(op, op)
    want = getattr(ref, name)(upd, mode=mode)
    np.testing.assert_array_equal(np.asarray(out), np.asarray(want))
    assert not np.shares_memory(out._buf, X)


def test_index_update_accumulates_like_ufunc_at():
    x = np.zeros(4, np.int32)
    idx = np.array([1, 1, 3, 1])
    template, arrays = parse_index((idx,), x.shape)
    for op, ufunc in [("add", np.add), ("mul", np.multiply), ("min", np.minimum),
                      ("max", np.maximum)]:
        base = x + 2
        vals = np.array([3, -1, 5, 4], np.int32)
        out = index_update_p.bind(wrap(base), wrap(vals), *arrays, template=template, op=op)
        want = base.copy()
        ufunc.at(want, idx, vals)
        np.testing.assert_array_equal(np.asarray(out), want)


@pytest.mark.parametrize("shape,starts,sizes", [
    ((5,), (1,), (3,)), ((5,), (4,), (3,)), ((5,), (-2,), (2,)), ((4, 6), (2, 5), (2, 3)),
    ((4, 6), (0, 0), (0, 6)), ((), (), ()), ((3, 3), (100, -100), (1, 1)),
])
def test_dynamic_slices_match_lax(shape, starts, sizes):
    x = np.arange(int(np.prod(shape)), dtype=np.int32).reshape(shape)
    st = [wrap(np.int32(s)) for s in starts]
    out = dynamic_slice_p.bind(wrap(x), *st, slice_sizes=sizes)
    # lax.dynamic_slice wraps negative starts first; the primitive only clamps, as XLA.
    jst = [jax.numpy.int32(s) for s in starts]
    want = lax.dynamic_slice(x, jst, sizes, allow_negative_indices=False)
    np.testing.assert_array_equal(np.asarray(out), np.asarray(want))
    aval = dynamic_slice_p.abstract_eval(registry.aval_of(x), *[s.aval for s in st],
                                         slice_sizes=sizes)
    assert aval == out.aval
    upd = -np.ones(sizes, np.int32)
    out = dynamic_update_slice_p.bind(wrap(x), wrap(upd), *st)
    want = lax.dynamic_update_slice(x, upd, jst, allow_negative_indices=False)
    np.testing.assert_array_equal(np.asarray(out), np.asarray(want))
    aval = dynamic_update_slice_p.abstract_eval(registry.aval_of(x), registry.aval_of(upd),
                                                *[s.aval for s in st])
    assert aval == out.aval


F32 = ShapedArray((3, 4), np.dtype("float32"))
I32 = ShapedArray((), np.dtype("int32"))
TPL = IndexTemplate((("array", 0), ("slice", 0, 4, 1)))


@pytest.mark.parametrize("call,exc", [
    (lambda: index_p.abstract_eval(F32, ShapedArray((2,), np.dtype("float32")),
                                   template=TPL), TypeError),
    (lambda: index_p.abstract_eval(F32, template=TPL), TypeError),
    (lambda: index_p.abstract_eval(F32, I32, template=TPL, mode="foo"), ValueError),
    (lambda: index_p.abstract_eval(F32, I32, template=TPL, mode="fill",
                                   fill_value=np.zeros(2)), ValueError),
    (lambda: index_p.abstract_eval(F32, template=IndexTemplate((("slice", 0, 9, 1),) * 2)),
     ValueError),
    (lambda: index_p.abstract_eval(F32, template=IndexTemplate((("int", 0),) * 3)),
     IndexError),
    (lambda: index_p.abstract_eval(F32, template=IndexTemplate((("int", 0),))), TypeError),
    (lambda: index_p.abstract_eval(F32, template=(("int", 0), ("int", 0))), TypeError),
    (lambda: index_p.abstract_eval(F32, template=IndexTemplate((("foo",),))), TypeError),
    (lambda: index_p.abstract_eval(F32, ShapedArray((2,), np.dtype("int32")),
                                   ShapedArray((3,), np.dtype("int32")),
                                   template=IndexTemplate((("array", 0), ("array", 1)))),
     ValueError),
    (lambda: index_p.abstract_eval(ShapedArray((0, 4), np.dtype("float32")), I32,
                                   template=TPL), IndexError),
    (lambda: index_update_p.abstract_eval(F32, ShapedArray((4,), np.dtype("int32")), I32,
                                          template=TPL, op="set"), TypeError),
    (lambda: index_update_p.abstract_eval(F32, ShapedArray((3,), np.dtype("float32")), I32,
                                          template=TPL, op="set"), ValueError),
    (lambda: index_update_p.abstract_eval(F32, ShapedArray((1, 1, 4), np.dtype("float32")),
                                          I32, template=TPL, op="set"), ValueError),
    (lambda: index_update_p.abstract_eval(F32, ShapedArray((), np.dtype("float32")), I32,
                                          template=TPL, op="sub"), ValueError),
    (lambda: index_update_p.abstract_eval(F32, ShapedArray((), np.dtype("float32")), I32,
                                          template=TPL, op="set", mode="fill"), ValueError),
    (lambda: index_update_p.abstract_eval(
        ShapedArray((3, 4), np.dtype("bool")), ShapedArray((), np.dtype("bool")), I32,
        template=TPL, op="add"), TypeError),
    (lambda: dynamic_slice_p.abstract_eval(F32, I32, slice_sizes=(1, 1)), TypeError),
    (lambda: dynamic_slice_p.abstract_eval(F32, I32, I32, slice_sizes=(4, 1)), TypeError),
    (lambda: dynamic_slice_p.abstract_eval(F32, I32, I32, slice_sizes=(1,)), TypeError),
    (lambda: dynamic_slice_p.abstract_eval(F32, I32, ShapedArray((), np.dtype("int8")),
                                           slice_sizes=(1, 1)), TypeError),
    (lambda: dynamic_slice_p.abstract_eval(F32, I32, ShapedArray((1,), np.dtype("int32")),
                                           slice_sizes=(1, 1)), TypeError),
    (lambda: dynamic_update_slice_p.abstract_eval(F32, ShapedArray((1, 1), np.dtype("int32")),
                                                  I32, I32), TypeError),
    (lambda: dynamic_update_slice_p.abstract_eval(F32, ShapedArray((5, 1), np.dtype("float32")),
                                                  I32, I32), TypeError),
    (lambda: dynamic_update_slice_p.abstract_eval(F32, ShapedArray((1,), np.dtype("float32")),
                                                  I32), TypeError),
])
def test_shape_rule_errors(call, exc):
    with pytest.raises(exc):
        call()


def test_eager_binds_validate_like_the_shape_rules():
    with pytest.raises(TypeError):
        index_update_p.bind(wrap(np.zeros(3, bool)), wrap(np.array(True)),
                            template=IndexTemplate((("int", 0),)), op="add")
    with pytest.raises(ValueError):
        index_update_p.bind(wrap(np.zeros((3, 4))), wrap(np.zeros(3)),
                            template=IndexTemplate((("int", 0), ("slice", 0, 4, 1))), op="set")
    with pytest.raises(TypeError):
        dynamic_slice_p.bind(wrap(np.zeros(3)), wrap(np.float32(0)), slice_sizes=(1,))


def test_registry_declarations():
    prims = registry.primitives()
    for name in ["index", "index_update", "dynamic_slice", "dynamic_update_slice"]:
        assert prims[name].family == "indexing"


def test_template_str():
    template, _ = parse_index((slice(None, None, -1), np.array([0]), None, 2), (3, 4, 5))
    assert str(template).startswith("[2:-1:-1, <0>, None, 2]")
    assert "advanced_first" in str(parse_index((0, slice(None), np.array([1])), (3, 4, 5))[0])
