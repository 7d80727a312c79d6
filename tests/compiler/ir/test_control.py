"""``axc.lax`` control flow under ``axc.jit``: staged as regions, checked against ``jax.jit``.

Each case is an expression over traced arguments (``p`` bool, ``i``/``n`` int32, ``s`` float32,
``v`` float32[3], ``w`` a weakly typed Python float) evaluated inside ``jax.jit`` with
``jax.lax`` and inside ``axc.jit`` with ``axc.lax``, for several argument values: the results
agree in structure, values, dtypes and weak types, and match eager axc on the same values;
or both raise the same error class (``MSG`` cases: the same message, word for word).
"""
from __future__ import annotations

import re

import numpy as np
import pytest
from axc.compiler.ir.ir import regions

import axc
import axc.numpy as anp
from axc import lax as alax

jax = pytest.importorskip("jax")
jnp = pytest.importorskip("jax.numpy")

MSG = "MSG:"
NAMES = ("p", "i", "n", "s", "v", "w")
ARGS = [  # (p, i, n, s, v, w): the branches and trip counts vary between the sets
    (True, 1, 7, 1.5, [0.5, 1.0, 2.0], 2.0),
    (False, 5, 27, -2.0, [3.0, -1.0, 2.5], -0.5),
    (False, -3, 1, 0.25, [-1.0, 0.0, 4.0], 3.0),
]

COND = [
    "lax.cond(p, lambda: v + 1, lambda: v * 2)",
    "lax.cond(p, lambda x: x + 1, lambda x: x - 1, s)",
    "lax.cond(i, lambda: 1, lambda: 2)", "lax.cond(s, lambda: s, lambda: -s)",
    "lax.cond(p, lambda: 1.0, lambda: s)", "lax.cond(p, lambda: s, lambda: 1.0)",
    "lax.cond(p, lambda: (1, 2.0), lambda: (i, w))",
    "lax.cond(p, lambda d: {'a': d['a'] * 2}, lambda d: {'a': d['a'] + 1}, {'a': v})",
    "lax.cond(p, lambda: None, lambda: None)",
    "lax.cond(p, lambda x: x, lambda x: x, operand=n)",
    "lax.cond(p, lambda: v * s, lambda: v - n)", "lax.cond(p, lambda: v, lambda: v)",
    "lax.cond(p, lambda: w, lambda: 2 * w)",
    "lax.cond(p, s, lambda x: x + 1, n * 1.0, lambda x: x * 2)",
    "lax.cond(i > 0, lambda: lax.cond(p, lambda: s, lambda: -s), lambda: s * 2)",
    "lax.cond(True, lambda: v * s, lambda: v)",
    MSG + "lax.cond(p, lambda: 1, lambda: 1.0)", MSG + "lax.cond(p, lambda: v, lambda: s)",
    MSG + "lax.cond(p, lambda: (1, 2), lambda: [1, 2])",
    MSG + "lax.cond(p, lambda: {'a': 1}, lambda: {'b': 1})",
    MSG + "lax.cond(p, lambda: (1, 2.0, v), lambda: (1, 2, jnp.ones(2)))",
    MSG + "lax.cond(v, lambda: 1, lambda: 2)",
]
SWITCH = [
    "lax.switch(i, [lambda: v, lambda: v * 2, lambda: v * 3])",
    "lax.switch(i, [lambda x: x + 1, lambda x: x * s], s)",
    "lax.switch(i.astype('uint8'), [lambda: 1, lambda: 2])",
    "lax.switch(i, (lambda: 1, lambda: jnp.int32(2)))", "lax.switch(i, [lambda: s])",
    "lax.switch(n - 5, [lambda x: x, lambda x: -x, lambda x: x * w], operand=v)",
    MSG + "lax.switch(i, [lambda: 1, lambda: 2.])",
    MSG + "lax.switch(i, [lambda: 1, lambda: 1, lambda: v])",
    MSG + "lax.switch(s, [lambda: 1, lambda: 2])",
]
WHILE = [
    # Collatz: steps from n down to 1
    ("lax.while_loop(lambda c: c[0] != 1, lambda c: (jnp.where(c[0] % 2 == 0, c[0] // 2, "
    "3 * c[0] + 1), c[1] + 1), (n, 0))"),
    # Newton's iteration for sqrt(2 + s * s), stopped by tolerance or count
    ("lax.while_loop(lambda c: (c[1] < 30) & (jnp.abs(c[0] * c[0] - (2 + s * s)) > 1e-5), "
    "lambda c: (0.5 * (c[0] + (2 + s * s) / c[0]), c[1] + 1), (jnp.abs(s) + 1, 0))"),
    "lax.while_loop(lambda c: c < n, lambda c: c + 1, 0)",
    "lax.while_loop(lambda c: c < n, lambda c: c + 1.5, 0)",
    "lax.while_loop(lambda c: c < s, lambda c: c + 1, 0)",
    "lax.while_loop(lambda c: c[0] < n, lambda c: (c[0] + 1, c[1] * s), (0, 1.))",
    ("lax.while_loop(lambda c: c['a'] < n, lambda c: {'a': c['a'] + 1, 'b': c['b'] * 2}, "
    "{'a': 0, 'b': v})"),
    "lax.while_loop(lambda c: c < 3, lambda c: c + 1, 0)",
    "lax.while_loop(lambda c: c < n, lambda c: c + jnp.int8(1), 0)",
    "lax.while_loop(lambda c: c < 10, lambda c: jnp.int32(10), jnp.int32(0) * n)",
    MSG + "lax.while_loop(lambda c: c < n, lambda c: jnp.zeros(2), 0.)",
    MSG + "lax.while_loop(lambda c: c < n, lambda c: (c + 1, c), 0)",
    MSG + "lax.while_loop(lambda c: (c < n, 1), lambda c: c + 1, 0)",
    MSG + "lax.while_loop(lambda c: c, lambda c: c + 1, n)",
    MSG + "lax.while_loop(lambda c: jnp.stack([c < n]), lambda c: c + 1, 0)",
    MSG + "lax.while_loop(lambda c: c < n, lambda c: jnp.float32(c) + 1, jnp.int8(0))",
    MSG + "lax.while_loop(lambda c: c['a'] < n, lambda c: {'a': c['a'] + 1, 'b': 1.0}, "
    "{'a': 0})",
]
FORI = [
    "lax.fori_loop(0, 10, lambda j, x: x + j * s, 0.)",
    "lax.fori_loop(0, n, lambda j, x: x + j, 0)",
    "lax.fori_loop(i, n, lambda j, x: x + j * s, 0.)",
    "lax.fori_loop(0, (n % 8).astype('int8'), lambda j, x: x + j, 0)",
    "lax.fori_loop(n, 0, lambda j, x: x + 1, 0)",
    "lax.fori_loop(0, 5, lambda j, x: x.at[j].set(j * s), jnp.zeros(5))",
    "lax.fori_loop(0, n % 5, lambda j, x: x.at[j].set(j * s), jnp.zeros(5))",
    "lax.fori_loop(0, n, lambda j, x: (x[0] + j, x[1] * 0.5), (0, s))",
    MSG + "lax.fori_loop(0, n, lambda j, x: x, 0, unroll=2)",
    MSG + "lax.fori_loop(0, n, lambda j, x: jnp.zeros(2), 0.)",
    MSG + "lax.fori_loop(0, 3, lambda j, x: jnp.zeros(2), 0.)",
    MSG + "lax.fori_loop(n.astype('uint8'), n.astype('int16'), lambda j, x: x, 0.5)",
]
SCAN = [
    "lax.scan(lambda c, x: (c + x, c * x), 0., v)",
    "lax.scan(lambda c, x: (c + x, c), s, v, reverse=True)",
    "lax.scan(lambda c, x: (c + s, c), 0, None, length=4)",
    "lax.scan(lambda c, x: (c + 1, None), n, None, length=3)",
    "lax.scan(lambda c, x: ((c[0] + x, c[1] * 2), {'a': x, 'b': (c[0],)}), (0., s), v)",
    "lax.scan(lambda c, x: (c + x['a'] * x['b'], c), 0., {'a': v, 'b': v * 2})",
    "lax.scan(lambda c, x: (c + 1, x), n, jnp.zeros((0, 2)))",
    "lax.scan(lambda c, x: (c + 1.0, x), 0, jnp.zeros((0, 2)) * s)",
    "lax.scan(lambda c, x: (c + x, lax.cond(x > 1, lambda: c * s, lambda: c)), 0., v)",
    "lax.scan(lambda c, x: (lax.fori_loop(0, n, lambda j, a: a + x, c), c), 0., v)",
    "lax.scan(lambda c, x: (c + x, c), jnp.zeros(2), jnp.ones((3, 2)) * s, unroll=2)",
    "lax.scan(lambda c, x: (c * w, x + c), 1.0, v, reverse=True)",
    "lax.map(lambda x: x * s, v)", "lax.map(lambda x: (x, x > s), v)",
    MSG + "lax.scan(lambda c, x: c + 1, 0, v)",
    MSG + "lax.scan(lambda c, x: (c + 1, x, 1), 0, v)",
    MSG + "lax.scan(lambda c, x: (jnp.zeros(2), x), 0., v)",
    MSG + "lax.scan(lambda c, x: (c + 1, x), 0, v, length=4)",
]


def _args(values: tuple, ns) -> list:
    p, i, n, s, v, w = values
    return [ns.asarray(p), ns.asarray(i, "int32"), ns.asarray(n, "int32"),
            ns.asarray(s, "float32"), ns.asarray(v, "float32"), w]


def _function(expr: str, lax, np_mod):
    env = {"lax": lax, "jnp": np_mod, "np": np}

    def fn(*args):
        return eval(expr, {**env, **dict(zip(NAMES, args))})
    return fn


def _outcome(fn, *args):
    try:
        return True, fn(*args)
    except Exception as err:  # noqa: BLE001 - an error is an outcome to compare
        return False, err


def _check_same(got, want, expr: str, types: bool = True) -> None:
    g_leaves, g_tree = axc.tree_util.tree_flatten(got)
    w_leaves, w_tree = (jax if types else axc).tree_util.tree_flatten(want)
    assert str(g_tree) == str(w_tree), f"{expr}: structure {got!r} != {want!r}"
    for g, w in zip(g_leaves, w_leaves):
        assert isinstance(g, axc.Array), f"{expr}: leaf {g!r} is not an axc.Array"
        gv, wv = np.asarray(g), np.asarray(w)
        assert gv.shape == wv.shape, f"{expr}: {g!r} vs {w!r}"
        if types:
            assert (gv.dtype, g.weak_type) == (wv.dtype, w.weak_type), f"{expr}: {g!r} vs {w!r}"
        np.testing.assert_allclose(gv, wv, rtol=1e-6, err_msg=expr)


def _jax_message(err: Exception) -> str:
    """JAX's message with axc's spelling of the classes and tracers it names."""
    text = str(err).replace("jax._src.core.ShapedArray", "axc.runtime.abstract.ShapedArray")
    return re.sub(r"JitTracer\(([^()]*)\)", r"JitTracer<\1>", text)


def _compare(expr: str) -> None:
    check_msg = expr.startswith(MSG)
    expr = expr.removeprefix(MSG)
    jitted_j = jax.jit(_function(expr, jax.lax, jnp))
    jitted_a = axc.jit(_function(expr, alax, anp))
    eager_a = _function(expr, alax, anp)
    for values in ARGS:
        ok_j, want = _outcome(jitted_j, *_args(values, jnp))
        ok_a, got = _outcome(jitted_a, *_args(values, anp))
        if not ok_j:
            assert not ok_a, f"{expr}: JAX raises {want!r}; axc returned {got!r}"
            assert type(got).__name__ == type(want).__name__, f"{expr}: {got!r} vs {want!r}"
            if check_msg:
                assert str(got) == _jax_message(want), f"{expr}:\naxc: {got}\nJAX: {want}"
            return  # the error comes from the types, the same for every value set
        if not ok_a:
            raise AssertionError(f"{expr}: axc raised, JAX returned {want!r}") from got
        _check_same(got, want, expr)
        # Eager axc computes the same values. Not always the same types: as in JAX, a
        # fori_loop with concrete bounds counts with a weak int32, with traced ones in
        # the bounds' dtype.
        _check_same(got, eager_a(*_args(values, anp)), expr, types=False)


@pytest.mark.parametrize("expr", COND)
def test_cond(expr: str) -> None:
    _compare(expr)


@pytest.mark.parametrize("expr", SWITCH)
def test_switch(expr: str) -> None:
    _compare(expr)


@pytest.mark.parametrize("expr", WHILE)
def test_while_loop(expr: str) -> None:
    _compare(expr)


@pytest.mark.parametrize("expr", FORI)
def test_fori_loop(expr: str) -> None:
    _compare(expr)


@pytest.mark.parametrize("expr", SCAN)
def test_scan(expr: str) -> None:
    _compare(expr)


# --- the staged IR -----------------------------------------------------------------------------

def _prims(fn) -> list[str]:
    return [e.prim.name for e in fn.eqns]


@pytest.mark.parametrize("lax_call,prim,n_regions", [
    ("lax.cond(p, lambda: v * s, lambda: v)", "cond", 2),
    ("lax.switch(i, [lambda: v, lambda: v + s, lambda: -v])", "cond", 3),
    ("lax.while_loop(lambda c: c < n, lambda c: c + s, s)", "while", 2),
    ("lax.fori_loop(0, n, lambda j, x: x * s, v)", "while", 2),
    ("lax.fori_loop(0, 4, lambda j, x: x * s, v)", "scan", 1),
    ("lax.scan(lambda c, x: (c + x * s, c), 0., v)", "scan", 1),
])
def test_ir_shows_regions(lax_call: str, prim: str, n_regions: int) -> None:
    """The control flow is one equation whose params hold its regions, printed nested."""
    fn = axc.make_ir(_function(lax_call, alax, anp))(*_args(ARGS[0], anp))
    eqn = next(e for e in fn.eqns if e.prim.name == prim)
    assert len(regions(eqn)) == n_regions
    # The values the regions read (s, v, n) are operands, not constants of the function.
    assert not fn.consts
    lines = str(fn).splitlines()
    head = next(k for k, line in enumerate(lines) if line.endswith(f"= {prim}["))
    end = next(k for k in range(head, len(lines)) if lines[k].startswith("    ] "))
    # The regions are printed between the equation's head and its operands, indented.
    assert sum("{ lambda" in line for line in lines[head:end]) == n_regions
    assert sum("{ lambda" in line for line in lines) == 1 + n_regions
    assert all(line.startswith("      ") for line in lines[head + 1:end])


def test_captured_values_become_leading_operands() -> None:
    def f(p, v, s, t):
        return alax.cond(p, lambda: v * s, lambda: v - t)
    fn = axc.make_ir(f)(True, anp.ones(3), anp.float32(2), anp.float32(1))
    (eqn,) = fn.eqns[-1:]
    p, v, s, t = fn.params
    index = eqn.inputs[0]
    assert eqn.prim.name == "cond" and index is not p  # converted to an int32 index
    assert eqn.inputs[1:] == [v, s, t]  # captures of both branches, shared, in trace order
    false_fn, true_fn = eqn.params["branches"]
    assert [len(b.params) for b in (false_fn, true_fn)] == [3, 3]
    got = axc.jit(f)(False, anp.ones(3), anp.float32(2), anp.float32(1))
    np.testing.assert_array_equal(np.asarray(got), np.zeros(3))


def test_nested_capture_goes_through_each_level() -> None:
    """A cond inside a scan body reading the outer ``s``: the scan captures it, then the
    cond captures the scan body's parameter for it."""
    def f(v, s):
        return alax.scan(lambda c, x: (c + alax.cond(x > 0, lambda: s, lambda: x), c), 0., v)
    fn = axc.make_ir(f)(anp.ones(3), anp.float32(2))
    (scan,) = [e for e in fn.eqns if e.prim.name == "scan"]
    assert scan.params["num_consts"] == 1 and scan.inputs[0] is fn.params[1]
    body = scan.params["body"]
    (cond,) = [e for e in body.eqns if e.prim.name == "cond"]
    assert body.params[0] in cond.inputs


def test_concrete_control_flow_is_not_staged() -> None:
    """A concrete predicate picks its branch while tracing; a loop over concrete values is
    evaluated while tracing (constant folding)."""
    def f(x):
        a = alax.cond(True, lambda: x * 2, lambda: x)
        b = alax.while_loop(lambda c: c < 10, lambda c: c * 2, 1)
        return a + b
    fn = axc.make_ir(f)(anp.ones(3))
    assert _prims(fn) == ["mul", "add"]
    np.testing.assert_array_equal(np.asarray(axc.jit(f)(anp.ones(3))), np.full(3, 18.0))


def test_unused_control_flow_is_removed_and_used_is_kept() -> None:
    def f(p, x):
        alax.cond(p, lambda: x + 1, lambda: x - 1)  # result unused
        return alax.cond(p, lambda: x * 2, lambda: x)
    compiled = axc.jit(f).lower(True, anp.ones(2)).compile()
    optimised = compiled.as_text()
    assert optimised.count("cond[") == 1 and "add" not in optimised
    np.testing.assert_array_equal(np.asarray(compiled(True, anp.ones(2))), [2.0, 2.0])


def test_retraces_only_when_types_change() -> None:
    traces = []

    @axc.jit
    def f(n, x):
        traces.append(1)
        return alax.fori_loop(0, n, lambda j, c: alax.cond(j % 2 == 0, lambda: c + x,
                                                            lambda: c * x), x)

    for n, x in [(3, [1.0, 2.0]), (5, [0.5, 1.0]), (0, [2.0, 2.0])]:
        want = np.asarray(x, np.float32)
        for j in range(n):
            want = want + np.float32(x) if j % 2 == 0 else want * np.float32(x)
        np.testing.assert_allclose(np.asarray(f(anp.int32(n), anp.asarray(x))), want)
    assert len(traces) == 1
    f(anp.int32(2), anp.ones(3))  # a new shape
    f(anp.int32(2), anp.ones(2, "int32"))  # a new dtype
    assert len(traces) == 3


def test_concrete_value_needed_inside_a_region() -> None:
    def f(p, x):
        return alax.cond(p, lambda: x * float(x * 2), lambda: x)
    with pytest.raises(axc.errors.ConcretizationTypeError, match="<lambda>"):
        axc.jit(f)(True, anp.float32(1))


def test_value_leaked_from_a_region_is_refused() -> None:
    leaked = []

    def branch(x):
        leaked.append(x * 2)
        return x

    axc.jit(lambda p, x: alax.cond(p, branch, lambda x: x, x))(True, anp.float32(1))
    with pytest.raises(axc.errors.UnexpectedTracerError):
        axc.jit(lambda y: y + leaked[0])(anp.float32(1))
