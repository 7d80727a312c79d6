"""``axc.vmap``'s API against ``jax.vmap``: in_axes/out_axes forms, axis_size, nesting,
results of every kind, axc.numpy composites inside the mapped function, and the errors.

Each case is a factory ``make(np_)`` returning the function to map, written once against
``axc.numpy`` and ``jax.numpy``; values, shapes and dtypes must match JAX's.
"""
import numpy as np
import pytest

import axc
import axc.numpy as anp

jax = pytest.importorskip("jax")
jnp = jax.numpy
from jax_oracle import assert_same  # after the skip: it needs jax

RNG = np.random.default_rng(0)
X = RNG.normal(size=(3, 4)).astype(np.float32)
Y = RNG.normal(size=(4,)).astype(np.float32)
Z = RNG.normal(size=(4, 3)).astype(np.float32)


def both(make, args, kwargs=None, **vmap_kw):
    """``vmap(make(np_), **vmap_kw)(*args, **kwargs)`` in axc and in JAX."""
    kwargs = kwargs or {}
    got = axc.vmap(make(anp), **vmap_kw)(*args, **kwargs)
    want = jax.vmap(make(jnp), **vmap_kw)(*args, **kwargs)
    return got, want


def _add(np_):
    return lambda a, b: a * 2 + b


def _dict_arg(np_):
    return lambda d: d["a"] * d["b"]


def _nested_arg(np_):
    return lambda t, s: t[0][0] + t[0][1] * t[1] + s


def _outer(np_):
    return lambda a: np_.outer(a, a)


def _shared_out(np_):
    return lambda a, b: (a.sum(), b * 2)


def _tree_out(np_):
    return lambda a: (a, {"s": a.sum(), "c": 1.0, "n": None})


def _const(np_):
    return lambda a: 1.0


def _const_tuple(np_):
    return lambda a: (3, a.max(), 2.5)


def _int_weak(np_):
    return lambda a: a * 2 + 1


API_CASES = {
    "int": (_add, (X, X), {}),
    "negative": (_add, (X, X), {"in_axes": -1}),
    "tuple_neg": (_add, (X, X.T), {"in_axes": (-1, 0)}),
    "none": (_add, (X, Y), {"in_axes": (0, None)}),
    "list": (_add, (X.T, Y), {"in_axes": [1, None]}),
    "dict_prefix": (_dict_arg, ({"a": X, "b": Y},), {"in_axes": ({"a": 0, "b": None},)}),
    "dict_whole": (_dict_arg, ({"a": X, "b": X.T},), {"in_axes": ({"a": 0, "b": 1},)}),
    "nested_prefix": (_nested_arg, (((X, X.T), Y), 1.5), {"in_axes": (((0, 1), None), None)}),
    "nested_int": (_nested_arg, (((X, X), X), X[:, 0]), {"in_axes": 0}),
    "scalar_arg": (_add, (np.float32(2), X[0]), {"in_axes": (None, 0)}),
    "python_scalar": (_add, (X, 2.0), {"in_axes": (0, None)}),
    "out_neg": (_outer, (X,), {"out_axes": -1}),
    "out_1": (_outer, (X,), {"out_axes": 1}),
    "out_none": (_shared_out, (X, Y), {"in_axes": (0, None), "out_axes": (0, None)}),
    "out_tree": (_tree_out, (X,), {"out_axes": (1, {"s": 0, "c": None, "n": 0})}),
    "out_tree_neg": (_tree_out, (X,), {"out_axes": -1}),
    "axis_size": (_add, (Y, Y), {"in_axes": None, "axis_size": 5}),
    "axis_size_agrees": (_add, (X, Y), {"in_axes": (0, None), "axis_size": 3}),
    "const_result": (_const, (X,), {}),
    "const_tuple": (_const_tuple, (X,), {}),
    "int_input": (_int_weak, (np.arange(6, dtype=np.int32).reshape(3, 2),), {}),
    "bool_input": (lambda np_: lambda a: np_.where(a, 1.0, -1.0), (X > 0,), {}),
}


@pytest.mark.parametrize("make,args,kw", API_CASES.values(), ids=API_CASES.keys())
def test_axes_forms_match_jax(make, args, kw):
    assert_same(*both(make, args, **kw))


def test_keyword_arguments_map_along_axis_0():
    got, want = both(_add, (X.T,), {"b": X}, in_axes=(1,))
    assert_same(got, want)
    got, want = both(_add, (Y,), {"b": X}, in_axes=(None,))
    assert_same(got, want)


A3 = RNG.normal(size=(3, 4, 5)).astype(np.float32)
NESTED = {  # inner in_axes, outer in_axes, arguments
    "shared_then_mixed": ((1, 0), (0, None), (A3, A3[0].T)),
    "last_then_first": ((0, 0), (2, 1), (A3, A3.transpose(0, 2, 1))),
    "negative": (-1, 1, (A3, A3 * 2)),
}


@pytest.mark.parametrize("inner,outer,args", NESTED.values(), ids=NESTED.keys())
def test_nested_vmap_with_different_axes(inner, outer, args):
    def make(v, np_):
        return v(v(lambda p, q: np_.sin(p) * q.sum(), in_axes=inner, out_axes=-1),
                 in_axes=outer)

    assert_same(make(axc.vmap, anp)(*args), make(jax.vmap, jnp)(*args))


def test_dot_with_shared_matrix_is_a_matrix_product():
    """The seeds' example: ``vmap(jnp.dot, (None, 0))`` of a matrix and a batch of vectors."""
    mat = RNG.normal(size=(150, 100)).astype(np.float32)
    vs = RNG.normal(size=(10, 100)).astype(np.float32)
    got = axc.vmap(anp.dot, (None, 0))(mat, vs)
    want = jax.vmap(jnp.dot, (None, 0))(mat, vs)
    assert_same(got, want, tol=1e-4)
    assert isinstance(got, axc.Array)


def _composites(np_):
    def helper(v):
        return np_.tanh(v) * 2

    def f(x, y, i):
        return {
            "mean": np_.mean(x), "dot": np_.dot(x, y), "helper": helper(x)[::2],
            "index": x[1], "dyn_index": x[i], "set": x.at[i].set(3.0), "add": x.at[0].add(y[0]),
            "concat": np_.concatenate([x, y]), "sort": np_.sort(x), "cumsum": np_.cumsum(x),
            "where": np_.where(x > 0, x, y), "reshape_t": x.reshape(2, 2).T,
            "einsum": np_.einsum("i,i->", x, y), "stack": np_.stack([x, y], axis=1),
            "matmul": np_.matmul(x.reshape(2, 2), y.reshape(2, 2)),
            "transpose": np_.transpose(np_.outer(x, y)), "max": np_.max(x, axis=0),
        }
    return f


@pytest.mark.parametrize("in_axes", [(0, 0, 0), (0, None, 0), (1, 0, None)])
def test_composites_and_helpers_match_jax(in_axes):
    xs = X if in_axes[0] == 0 else X.T
    ys = RNG.normal(size=(3, 4)).astype(np.float32) if in_axes[1] == 0 else Y
    idx = np.array([0, 3, 1], np.int32) if in_axes[2] == 0 else np.int32(2)
    got, want = both(_composites, (xs, ys, idx), in_axes=in_axes)
    assert_same(got, want)


# --- errors -----------------------------------------------------------------------------------

def _two(np_):
    def f(alpha, beta):
        return alpha + beta
    return f


ERROR_CASES = {
    "inconsistent": ((X, X.T), {}, "vmap got inconsistent sizes for array axes to be mapped"),
    "in_axes_length": ((X, X), {"in_axes": (0, 0, 0)},
                       "but got len(in_axes)=3, len(args)=2"),
    "axis_range": ((X, X), {"in_axes": 2}, ("vmap was requested to map its argument along "
                   "axis 2, which implies that its rank should be at least 3, but is only 2")),
    "axis_range_neg": ((X, X), {"in_axes": -3}, "rank should be at least 3, but is only 2"),
    "no_mapped": ((Y, Y), {"in_axes": None}, ("vmap must have at least one non-None value in "
                  "in_axes or axis_size must be specified")),
    "out_none_batched": ((X, X), {"out_axes": None},
                         "at vmap out_axes, got axis spec None but output was batched"),
    "out_range": ((X, X), {"out_axes": 3},
                  "axis 3 is out of bounds for array of dimension 2"),
    "out_structure": ((X, X), {"out_axes": (0, 0)}, ("vmap out_axes specification must be a "
                      "tree prefix of the corresponding value")),
    "axis_size_disagrees": ((X, X), {"axis_size": 4},
                            "* the `axis_size` argument was 4"),
}


@pytest.mark.parametrize("args,kw,text", ERROR_CASES.values(), ids=ERROR_CASES.keys())
def test_errors_match_jax(args, kw, text):
    for vmap, np_ in ((axc.vmap, anp), (jax.vmap, jnp)):
        with pytest.raises(ValueError) as info:
            vmap(_two(np_), **kw)(*args)
        assert text in str(info.value), (vmap, str(info.value))


def test_inconsistent_sizes_names_the_arguments():
    msg = {}
    for vmap, np_ in ((axc.vmap, anp), (jax.vmap, jnp)):
        with pytest.raises(ValueError) as info:
            vmap(_two(np_))(X, np.ones((5, 4), np.float32))
        msg[vmap] = str(info.value)
    assert msg[axc.vmap] == msg[jax.vmap]
    assert "axis 0 of argument alpha of type float32[3,4]" in msg[axc.vmap]
    assert "axis 0 of argument beta of type float32[5,4]" in msg[axc.vmap]


def test_inconsistent_sizes_groups_like_jax():
    args = ({"a": X, "b": X}, np.ones((5,), np.float32))
    msg = {}
    for vmap in (axc.vmap, jax.vmap):
        with pytest.raises(ValueError) as info:
            vmap(lambda d, e: d["a"] + e.sum())(*args)
        msg[vmap] = str(info.value)
    assert msg[axc.vmap] == msg[jax.vmap]
    assert "most axes (2 of them) had size 3, e.g. axis 0 of argument d['a']" in msg[axc.vmap]


def test_tree_prefix_mismatch_names_in_axes():
    for vmap in (axc.vmap, jax.vmap):
        with pytest.raises(ValueError, match="vmap in_axes specification must be a tree "
                                             "prefix of the corresponding value"):
            vmap(lambda d: d["a"], in_axes=({"b": 0},))({"a": X})


def test_no_arguments_without_axis_size():
    for vmap in (axc.vmap, jax.vmap):
        with pytest.raises(ValueError, match="vmap wrapped function must be passed at least "
                                             "one argument containing an array"):
            vmap(lambda: 1.0)()
    np.testing.assert_array_equal(axc.vmap(lambda: 1.0, axis_size=3)(), np.ones(3))


@pytest.mark.parametrize("kw,text", [
    ({"in_axes": 0.5}, "vmap in_axes must be an int, None, or a tuple of entries"),
    ({"in_axes": {"a": 0}}, "vmap in_axes must be an int, None, or a tuple of entries"),
    ({"in_axes": (0, "x")}, "vmap in_axes must be an int, None, or (nested) container"),
    ({"out_axes": (0, 1.0)}, "vmap out_axes must be an int, None, or (nested) container"),
])
def test_axis_types_raise_type_error_at_vmap(kw, text):
    for vmap in (axc.vmap, jax.vmap):
        with pytest.raises(TypeError) as info:
            vmap(lambda a, b: a, **kw)  # raised before any call
        assert text in str(info.value)


@pytest.mark.parametrize("convert,error", [
    (float, "ConcretizationTypeError"), (int, "ConcretizationTypeError"),
    (bool, "TracerBoolConversionError"), (np.asarray, "TracerArrayConversionError"),
])
def test_concrete_conversion_of_batched_value_raises(convert, error):
    for vmap, errors in ((axc.vmap, axc.errors), (jax.vmap, jax.errors)):
        with pytest.raises(getattr(errors, error)) as info:
            vmap(lambda a: convert(a[0]))(X)
        if vmap is axc.vmap:
            assert "for vmap" in str(info.value)
            assert "batched" in str(info.value)
