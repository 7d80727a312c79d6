"""Control flow under ``axc.vmap``, eagerly and under ``jit(vmap(...))``.

Python ``if``/``while``/``for`` on a batched value is beyond JAX (it raises there): axc runs
it per example, so its result must equal a Python loop applying the function to each
example. ``lax`` control flow is checked against ``jax.vmap`` of the same ``jax.lax`` call.
"""
import numpy as np
import pytest

import axc
import axc.numpy as anp
from axc import lax as alax

jax = pytest.importorskip("jax")
jnp = jax.numpy
from jax_oracle import assert_same as oracle_assert_same  # after the skip: it needs jax

X = np.array([-2.0, -0.5, 0.5, 3.0], np.float32)
N = np.array([1, 3, 0, 5], np.int32)


def assert_same(got, want, tol=1e-5):
    oracle_assert_same(got, want, tol, same_tree=False)


def per_example(f, *args):
    """``f`` applied by axc to each example in turn (the oracle for per-example Python
    control flow), the results stacked."""
    outs = [f(*[anp.asarray(a[i]) for a in args]) for i in range(len(args[0]))]
    return jax.tree_util.tree_map(lambda *xs: np.stack([np.asarray(anp.asarray(x)) for x in xs]),
                                  *outs)


@pytest.fixture(params=["eager", "jit"])
def vmap(request):
    """``vmap`` as is, or wrapped in ``jit``."""
    if request.param == "eager":
        return axc.vmap
    return lambda f, *a, **k: axc.jit(axc.vmap(f, *a, **k))


# --- Python control flow on batched values ---------------------------------------------------

def if_elif_else(x):
    if x > 1:
        y = x * 2
    elif x > 0:
        y = x + 10
    else:
        y = -x
    return y


def ternary(x):
    return x * 3 if x > 0 else x - 1


def early_return(x):
    if x > 0:
        return x * 2
    return x * 3


def while_doubling(x):
    x = anp.abs(x)
    n = 0
    while x < 10:  # a different trip count per example
        x = x * 2 + 1
        n = n + 1
    return x, n


def while_break(x):
    i = 0
    while True:
        if x > 5:
            break
        x = x + 2.0
        i = i + 1
    return x, i


def for_range(x):
    acc = x
    for i in range(4):
        acc = acc * 0.5 + i
    return acc


def for_with_if(x):
    acc = anp.zeros_like(x)
    for _ in range(5):
        if acc < x:
            acc = acc + 1.0
    return acc


def branch_on_vector(v):
    if v.sum() > 0:
        v = v * 2
    return anp.where(v > 0, v, 0.0)


def _helper(x):
    if x > 0:
        return anp.sqrt(x)
    return x ** 2


def calls_helper(x):
    return _helper(x) + 1.0


PYTHON_CASES = [if_elif_else, ternary, early_return, while_doubling, while_break, for_range,
                for_with_if, calls_helper]


@pytest.mark.parametrize("f", PYTHON_CASES, ids=lambda f: f.__name__)
def test_python_control_flow_runs_per_example(vmap, f):
    assert_same(vmap(f)(X), per_example(f, X))


def test_branch_on_a_reduction_of_a_batched_vector(vmap):
    xs = np.array([[1.0, -3.0], [2.0, -1.0], [-1.0, 0.5]], np.float32)
    assert_same(vmap(branch_on_vector)(xs), per_example(branch_on_vector, xs))


def while_int_bound(n):
    s = 0
    i = 0
    while i < n:
        s = s + i * i
        i += 1
    return s


def for_over_batched_range(n, x):
    acc = x
    for i in range(n):
        acc = acc + i * x
    return acc


@pytest.mark.parametrize("f,args", [(while_int_bound, (N,)),
                                    (for_over_batched_range, (N, X))],
                         ids=["while", "for_range_n"])
def test_loops_with_batched_bounds(vmap, f, args):
    assert_same(vmap(f)(*args), per_example(f, *args))


def test_unbatched_predicate_stays_python(vmap):
    def f(x, flag):
        if flag > 0:
            return x * 2
        return x - 1
    assert_same(vmap(f, (0, None))(X, 1.0), X * 2)
    assert_same(vmap(f, (0, None))(X, -1.0), X - 1)


# --- lax control flow -------------------------------------------------------------------------

def _cond(lax, np_):
    return lambda p, x: lax.cond(p > 0, lambda v: v * 2, lambda v: np_.sin(v) - 1, x)


def _cond_operands(lax, np_):
    return lambda p, x: lax.cond(p > 0, lambda a, b: (a * b, a), lambda a, b: (a - b, b), x,
                                 p)


def _switch(lax, np_):
    return lambda i, x: lax.switch(i, [lambda v: v * 2, lambda v: v - 1, lambda v: v ** 2], x)


def _switch2(lax, np_):
    return lambda i, x: lax.switch(i, [lambda v: v * 2, lambda v: v - 1], x)


def _cond_int(lax, np_):
    return lambda i, x: lax.cond(i, lambda v: v * 2, lambda v: v - 1, x)


def _while(lax, np_):
    return lambda n, x: lax.while_loop(lambda c: c[0] < n, lambda c: (c[0] + 1, c[1] * 1.5),
                                       (0, x))


def _fori(lax, np_):
    return lambda n, x: lax.fori_loop(0, n, lambda i, c: c * 0.5 + i, x)


def _fori_lower(lax, np_):
    return lambda n, x: lax.fori_loop(n, 6, lambda i, c: c + i * c, x)


def _scan(lax, np_):
    def f(c, xs):
        return lax.scan(lambda c, x: (c * 0.5 + x.sum(), (c * x, x.sum())), c, xs)
    return f


def _scan_reverse(lax, np_):
    return lambda c, xs: lax.scan(lambda c, x: (c + x, c), c, xs, reverse=True)


def _map(lax, np_):
    return lambda xs, s: lax.map(lambda v: np_.sum(v) * s, xs)


XS = np.arange(24, dtype=np.float32).reshape(4, 2, 3) / 10
LAX_CASES = {  # factory, arguments, in_axes
    "cond_batched": (_cond, (X, X), 0),
    "cond_unbatched_pred": (_cond, (1.0, X), (None, 0)),
    "cond_unbatched_false": (_cond, (-1.0, X), (None, 0)),
    "cond_only_pred": (_cond, (X, 2.0), (0, None)),
    "cond_tuple": (_cond_operands, (X, X[::-1]), 0),
    "switch_batched": (_switch, (np.array([0, 1, 2, 5], np.int32), X), 0),
    "switch_clamped_neg": (_switch, (np.array([-3, 1, 2, 0], np.int32), X), 0),
    "switch_two_neg": (_switch2, (np.array([-1, 0, 1, 7], np.int32), X), 0),
    "cond_int_pred": (_cond_int, (np.array([-1, 0, 1, 7], np.int32), X), 0),
    "switch_unbatched": (_switch, (np.int32(2), X), (None, 0)),
    "while_batched_cond": (_while, (N, X), 0),
    "while_unbatched_cond": (_while, (np.int32(3), X), (None, 0)),
    "fori_batched_upper": (_fori, (N, X), 0),
    "fori_batched_lower": (_fori_lower, (N, X), 0),
    "fori_static": (_fori, (4, X), (None, 0)),
    "scan_both": (_scan, (X[:2], XS[:2]), 0),
    "scan_xs": (_scan, (1.0, XS), (None, 0)),
    "scan_carry": (_scan, (X, XS[0]), (0, None)),
    "scan_xs_axis1": (_scan, (np.float32(1.0), XS.transpose(1, 0, 2)), (None, 1)),
    "scan_reverse": (_scan_reverse, (X, XS[..., 0].T), (0, 1)),
    "map": (_map, (XS, X), 0),
}


@pytest.mark.parametrize("make,args,in_axes", LAX_CASES.values(), ids=LAX_CASES.keys())
def test_lax_control_flow_matches_jax(vmap, make, args, in_axes):
    got = vmap(make(alax, anp), in_axes)(*args)
    want = jax.vmap(make(jax.lax, jnp), in_axes)(*args)
    assert_same(got, want)


def test_nested_vmap_of_while_with_batched_trip_counts(vmap):
    ns = np.array([[1, 4], [0, 2], [3, 3]], np.int32)
    xs = np.ones((3, 2), np.float32)
    got = vmap(axc.vmap(_while(alax, anp)))(ns, xs)
    want = jax.vmap(jax.vmap(_while(jax.lax, jnp)))(ns, xs)
    assert_same(got, want)


def _cond_inside_switch(lax, jnp):
    """A ``cond`` whose predicate is negative, in a ``switch`` branch: nonzero means true for
    ``cond`` even though ``switch`` clamps a negative index to branch 0."""
    def f(i, x):
        inner = (lambda v: lax.cond(v - 2.0, lambda y: y + 1.0, lambda y: y - 1.0, v))
        return lax.switch(i, [inner, lambda v: v * 10.0], x)
    return f


def test_cond_inside_a_switch_branch(vmap):
    i = np.array([0, 0, 1, -1], np.int32)
    x = np.array([0.0, 2.0, 3.0, 5.0], np.float32)
    assert_same(vmap(_cond_inside_switch(alax, anp))(i, x),
                jax.vmap(_cond_inside_switch(jax.lax, jnp))(i, x))


def _mismatched(lax, kind):
    def f(p, x):
        good, bad = (lambda v: v), (lambda v: v.astype(np.int32))
        if kind == "cond":
            return lax.cond(p > 0, good, bad, x)
        return lax.switch(p.astype(np.int32), [good, good, bad], x)
    return f


@pytest.mark.parametrize("kind,text", [
    ("cond", ("The output of true_fun has type float32[] but the corresponding output of "
             "false_fun has type int32[]")),
    ("switch", ("The output of branch 0 has type float32[] but the corresponding output of "
               "branch2 has type int32[]")),
])
def test_branch_type_mismatch_raises_like_jax(kind, text):
    for v, lax in ((axc.vmap, alax), (jax.vmap, jax.lax)):
        with pytest.raises(TypeError) as info:
            v(_mismatched(lax, kind))(X, X)
        assert text in str(info.value)
