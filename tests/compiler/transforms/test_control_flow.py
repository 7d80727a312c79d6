"""AutoGraph-style control-flow conversion: the converted source (golden files), converted ==
original on concrete values, ``jit`` with traced conditions against NumPy, located errors.

The functions live in this file, so errors must point at its lines.
"""
import inspect
import os
import re
from pathlib import Path

import numpy as np
import pytest
from axc.compiler.transforms import control_flow, control_ops
from axc.compiler.transforms.control_flow import convert, convert_or_self
from axc.compiler.transforms.control_ops import ControlFlowError

import axc
import axc.numpy as jnp

THIS_FILE = str(Path(__file__).resolve())
GOLDEN = Path(__file__).parent / "golden" / "control_flow"
SCALE = 3.0


# --- functions under test ------------------------------------------------------------------

def seed_negate(x, neg):
    return -x if neg else x


def sign_piecewise(x):
    if x > 1.0:
        y = x * 2.0
    elif x < -1.0:
        y = -x
    else:
        y = x * 0.5
    return y


def nested_ifs(x, y):
    z = x
    if x > 0:
        if y > 0:
            z = x + y
        else:
            z = x - y
        z = z * 2.0
    return z


def early_return(x):
    if x > 0:
        return x * SCALE
    y = x - 1.0
    return y * y


def early_return_both(x):
    if x > 0:
        return x
    else:
        return -x


def count_up(n):
    i, total = 0, 0
    while i < n:
        sq = i * i
        total = total + sq
        i += 1
    return total


def halve_until(x):
    steps = 0
    while x > 1.0:
        x = x / 2.0
        steps = steps + 1
    return x, steps


def range_sum(x, n):
    acc = x * 0.0
    for i in range(n):
        acc = acc + x * i
    return acc


def skip_and_stop(xs):
    total = 0
    for k in range(len(xs)):
        if xs[k] < 0:
            continue
        if xs[k] > 10:
            break
        total += xs[k]
    else:
        total = -1
    return total


def first_square_above(n, limit):
    for i in range(n):
        if i * i > limit:
            return i
    return -1


def while_break(x):
    k = 0
    while True:
        x = x * 2.0
        k += 1
        if x > 100.0:
            break
    return x, k


def over_list(ws, x):
    for w in ws:
        x = x * w + 1.0
    return x


def tuple_target(pairs):
    out = 0
    for a, b in pairs:
        if a > b:
            out += a
        else:
            out -= b
    return out


def logic(x, y):
    if x > 0 and y > 0 or x < -5:
        r = 1.0
    elif not x > 0:
        r = 2.0
    else:
        r = 3.0
    return r


def ternaries(x):
    f = lambda v: v * 2.0 if v > 0 else v
    return [f(v) if v != 0 else 1.0 for v in (x, -x, 0 * x)]


def helper_abs(v):
    if v < 0:
        v = -v
    return v


def calls_helper(x, y):
    return helper_abs(x) + helper_abs(y)


def closure_counter(x):
    calls = 0

    def bump(v):
        nonlocal calls
        calls += 1
        if v > 0:
            return v
        return -v
    total = bump(x) + bump(-x)
    return total, calls


def short_circuit(x, log):
    if x > 0 and log.append("right") is None:
        log.append("taken")
    return log


def walrus_if(xs):
    if (n := len(xs)) > 2:
        return n
    return -n


def with_try(x):
    try:
        if x > 0:
            return 1
    except ValueError:
        return 2
    return 3


def branch_item_store(d, x):
    if x > 0:
        d["pos"] = x
    else:
        d["neg"] = x
    return d


def no_control_flow(x):
    return x * 2.0 + 1.0


def uses_global(x):
    if x > 0:
        return x * SCALE
    return x


def one_branch_only(x):
    if x > 0:
        y = x * 2.0
    return y


def shape_mismatch(x):
    if x[0] > 0:
        y = x
    else:
        y = x[:2]
    return y


def undefined_before_while(x):
    i = 0
    while x > i:
        z = x * i
        i = i + 1
    return z


def carry_changes_dtype(x):
    y = jnp.zeros(3, jnp.int32)
    while x > 0:
        y = y + 0.5
        x = x - 1
    return y


def long_static_loop(x):
    acc = x
    for i in range(40):
        acc = acc * 0.5 + i
    return acc


def long_loop_python_index(x, ws):
    acc = x
    for i in range(20):
        acc = acc + ws[i]
    return acc


def array_rows(m):
    s = m[0] * 0.0
    for row in m:
        s = s + row * row
    return s


def traced_while_count(x):
    n = 0
    while x < 100.0:
        x = x * 3.0
        n = n + 1
    return x, n


def return_in_traced_loop(x):
    while x > 1.0:
        if x > 10.0:
            return x
        x = x - 1.0
    return x


COUNTER = 0


def with_global(x):
    global COUNTER
    if x > 0:
        COUNTER = COUNTER + 1
        y = x
    else:
        y = -x
    return y


def with_del(x):
    t = x
    if x > 0:
        del t
        t = 5
    return t


def nested_loops(n):
    for i in range(n):
        for j in range(n):
            if i * j == 6:
                return i, j
    return None


def while_else(n):
    i = 0
    while i < n:
        i += 1
        if i == 7:
            break
    else:
        i = -i
    return i


def negative_step(n):
    out = []
    for i in range(n, 0, -2):
        out.append(i)  # noqa: PERF402 - a loop statement with a side effect
    return out, i


def iterate_used_after(x):
    for i in range(30):
        x = x + i
    return x, i


def carry_grows(x):
    acc = ()
    for _ in range(20):
        acc = acc + (x,)
    return acc


def appends_in_long_loop(x):
    out = []
    for i in range(20):
        out.append(x * i)
    return out


@axc.jit
def jitted_abs(v):
    if v < 0:
        v = -v
    return v


def calls_jitted(x):
    return jitted_abs(x) * 2.0


def factorial(n):
    return 1 if n <= 1 else n * factorial(n - 1)


def break_over_list(x, ws):
    for w in ws:
        if x > 10:
            break
        x = x * w
    return x


def ambiguous(x):
    if x:
        return 1.0
    return 2.0


def keyword_only(x, *, scale=2.0):
    return x * scale if x > 0 else x


def numpy_piecewise(x):
    return np.where(x > 1.0, x * 2.0, np.where(x < -1.0, -x, x * 0.5))


# --- converted source --------------------------------------------------------------------------

GOLDEN_CASES = [seed_negate, sign_piecewise, early_return, count_up, skip_and_stop,
                first_square_above, over_list, logic, calls_helper]


def _normalized(source: str) -> str:
    """Locations in ``# converted from`` comments name this file's lines: not golden."""
    return re.sub(r"\(((after )?)[\w.]+:\d+\)", r"(\1<file>:<line>)", source)


@pytest.mark.parametrize("fn", GOLDEN_CASES, ids=lambda f: f.__name__)
def test_source_matches_golden(fn):
    source = _normalized(convert(fn).source)
    path = GOLDEN / f"{fn.__name__}.py"
    if os.environ.get("AXC_UPDATE_GOLDEN"):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(source)
    assert source == path.read_text()


@pytest.mark.parametrize("fn", GOLDEN_CASES + [nested_ifs, while_break, closure_counter,
                                               ternaries, tuple_target],
                         ids=lambda f: f.__name__)
def test_source_is_valid_and_readable(fn):
    source = convert(fn).source
    compile(source, "<converted>", "exec")
    assert source.startswith(f"def {fn.__name__}(")
    assert ";" not in source
    statements = [line for line in source.splitlines() if re.match(r"\s*if |\s*while |\s*for ",
                                                                       line)]
    assert not statements, "every if/while/for is converted"
    # each converted statement says where it came from, quoting the user's line
    lines = Path(THIS_FILE).read_text().splitlines()
    for match in re.finditer(r"# converted from: (.*)  \((?:after )?[\w.]+:(\d+)\)", source):
        text, line = match.groups()
        if not text.startswith("if not "):
            assert text == lines[int(line) - 1].strip()


def test_converted_source_names_statement_parts():
    source = convert(sign_piecewise).source
    assert "def if_body():" in source and "def else_body():" in source
    assert "ag.if_stmt(x > 1.0, if_body, else_body, get_state_1, set_state_1, ('y',))" in source
    assert "# converted from: elif x < -1.0:" in source
    loop = convert(count_up).source
    assert "ag.while_stmt(loop_test, loop_body, get_state, set_state, ('total', 'i'))" in loop
    assert "sq = i * i" in loop and "nonlocal sq" not in loop  # a temporary stays local


def test_no_control_flow_is_left_alone():
    assert convert_or_self(no_control_flow) is no_control_flow
    assert convert_or_self(np.sin) is np.sin
    assert convert_or_self(jnp.where) is jnp.where
    assert convert_or_self(len) is len


def test_conversion_is_cached_and_keeps_globals_live():
    first = convert_or_self(uses_global)
    assert first is convert_or_self(uses_global) and first is not uses_global
    global SCALE
    old, SCALE = SCALE, 5.0
    try:
        assert first(2.0) == uses_global(2.0) == 10.0
    finally:
        SCALE = old


def test_unsupported_functions_fall_back():
    def gen(n):
        for i in range(n):
            if i >= 0:
                yield i
    assert convert_or_self(gen) is gen
    assert list(convert_or_self(gen)(3)) == [0, 1, 2]
    src_less = eval("lambda x: x if x else -x")  # no source, on purpose
    assert convert_or_self(src_less) is src_less


# --- converted == original on concrete values --------------------------------------------------

CONCRETE = [
    (seed_negate, [(3.0, True), (3.0, False)]),
    (sign_piecewise, [(2.0,), (-3.0,), (0.5,), (1.0,)]),
    (nested_ifs, [(1.0, 2.0), (1.0, -2.0), (-1.0, 3.0)]),
    (early_return, [(2.0,), (-2.0,), (0.0,)]),
    (early_return_both, [(2.0,), (-2.0,)]),
    (count_up, [(0,), (1,), (7,)]),
    (halve_until, [(100.0,), (0.5,)]),
    (range_sum, [(1.5, 0), (1.5, 4)]),
    (skip_and_stop, [([1, 2, 3],), ([1, -2, 30, 4],), ([],), ([-1, 5],)]),
    (first_square_above, [(10, 10), (3, 10), (0, 0)]),
    (while_break, [(1.0,), (200.0,)]),
    (over_list, [([1.0, 2.0, 3.0], 0.5), ([], 2.0)]),
    (tuple_target, [([(1, 2), (5, 3), (0, 0)],)]),
    (logic, [(1.0, 1.0), (1.0, -1.0), (-6.0, 0.0), (-1.0, 1.0)]),
    (ternaries, [(2.0,), (-1.0,)]),
    (calls_helper, [(-2.0, 3.0)]),
    (closure_counter, [(2.0,), (-3.0,)]),
    (walrus_if, [([1, 2, 3],), ([1],)]),
    (with_try, [(1,), (-1,)]),
    (long_static_loop, [(3.0,)]),
    (long_loop_python_index, [(1.0, list(range(20)))]),
    (with_del, [(1.0,), (-1.0,)]),
    (nested_loops, [(5,), (2,)]),
    (while_else, [(3,), (10,)]),
    (negative_step, [(7,)]),
    (iterate_used_after, [(1.0,)]),
    (factorial, [(5,)]),
    (break_over_list, [(2.0, [3, 3, 3]), (20.0, [2])]),
    (keyword_only, [(2.0,), (-2.0,)]),
]


@pytest.mark.parametrize("fn, args", [(f, a) for f, cases in CONCRETE for a in cases],
                         ids=lambda v: getattr(v, "__name__", ""))
def test_converted_equals_original(fn, args):
    assert convert(fn)(*args) == fn(*args)


def test_global_statement_is_kept():
    global COUNTER
    COUNTER = 0
    assert convert(with_global)(2.0) == 2.0 and convert(with_global)(-2.0) == 2.0
    assert COUNTER == 1


def test_side_effects_and_short_circuit_are_kept():
    assert convert(short_circuit)(1.0, []) == short_circuit(1.0, []) == ["right", "taken"]
    assert convert(short_circuit)(-1.0, []) == short_circuit(-1.0, []) == []
    assert convert(branch_item_store)({}, 2.0) == {"pos": 2.0}
    assert convert(branch_item_store)({}, -2.0) == {"neg": -2.0}


def test_undefined_variable_still_fails_on_concrete_path():
    """Where Python has no binding the converted code reads ``Undefined``, whose use raises
    UnboundLocalError (the read itself does not, unlike Python)."""
    with pytest.raises(UnboundLocalError, match="'y'"):
        convert(one_branch_only)(-1.0) + 1.0
    with pytest.raises(UnboundLocalError):
        negative_step(0)
    out, i = convert(negative_step)(0)
    assert out == [] and isinstance(i, control_ops.Undefined)
    with pytest.raises(UnboundLocalError, match="'i'"):
        i * 2


def test_methods_are_converted():
    class Model:
        scale = 2.0

        def apply(self, x):
            if x > 0:
                return x * self.scale
            return x
    m = Model()
    assert convert_or_self(m.apply)(3.0) == 6.0
    assert axc.jit(m.apply)(3.0) == 6.0 and axc.jit(m.apply)(-3.0) == -3.0


# --- jit with traced conditions, against NumPy ----------------------------------------------

def test_seed_example_negates_under_jit():
    assert axc.jit(seed_negate)(1, True) == -1
    assert axc.jit(seed_negate)(1, False) == 1


@pytest.mark.parametrize("x", [2.0, -3.0, 0.5])
def test_if_elif_else_traced(x):
    out = axc.jit(sign_piecewise)(x)
    np.testing.assert_allclose(out, numpy_piecewise(np.float32(x)), rtol=1e-6)
    ir = str(axc.make_ir(sign_piecewise)(x))
    assert "cond[" in ir


@pytest.mark.parametrize("x, y", [(1.0, 2.0), (1.0, -2.0), (-1.0, 3.0)])
def test_nested_ifs_traced(x, y):
    np.testing.assert_allclose(axc.jit(nested_ifs)(x, y), nested_ifs(x, y), rtol=1e-6)


@pytest.mark.parametrize("x", [2.0, -2.0])
def test_early_return_traced(x):
    np.testing.assert_allclose(axc.jit(early_return)(x), early_return(x), rtol=1e-6)
    np.testing.assert_allclose(axc.jit(early_return_both)(x), abs(x), rtol=1e-6)


@pytest.mark.parametrize("n", [0, 5])
def test_while_traced(n):
    assert int(axc.jit(count_up)(n)) == sum(i * i for i in range(n))
    assert "while[" in str(axc.make_ir(count_up)(n))


@pytest.mark.parametrize("x", [100.0, 0.5])
def test_while_carrying_two_values_traced(x):
    out, steps = axc.jit(halve_until)(x)
    ref_out, ref_steps = halve_until(x)
    np.testing.assert_allclose(out, ref_out, rtol=1e-6)
    assert int(steps) == ref_steps


def test_while_true_with_traced_break():
    out, k = axc.jit(while_break)(1.5)
    ref = while_break(np.float32(1.5))
    np.testing.assert_allclose(out, ref[0], rtol=1e-6)
    assert int(k) == ref[1]


@pytest.mark.parametrize("n", [0, 3])
def test_for_over_traced_range(n):
    x = np.arange(3, dtype=np.float32)
    np.testing.assert_allclose(axc.jit(range_sum)(x, n), range_sum(x, n), rtol=1e-6)


def test_for_with_traced_break_and_continue():
    for xs in ([1, 2, 3], [1, -2, 30, 4], [-1, 5, 7]):
        assert int(axc.jit(skip_and_stop)(jnp.asarray(xs))) == skip_and_stop(xs)


def test_long_static_loop_is_staged_as_one_loop():
    np.testing.assert_allclose(axc.jit(long_static_loop)(3.0), long_static_loop(3.0), rtol=1e-5)
    ir = str(axc.make_ir(long_static_loop)(3.0))
    assert ir.count(" mul ") == 1, "staged as one loop body, not unrolled 40 times"


def test_long_loop_needing_python_index_is_unrolled():
    ws = [float(i) for i in range(20)]
    np.testing.assert_allclose(axc.jit(long_loop_python_index)(1.0, ws),
                               long_loop_python_index(1.0, ws))


def test_loop_over_traced_array_rows():
    m = np.arange(6, dtype=np.float32).reshape(3, 2)
    np.testing.assert_allclose(axc.jit(array_rows)(m), (m * m).sum(0), rtol=1e-6)


def test_traced_while_counts_python_int_as_array():
    x, n = axc.jit(traced_while_count)(2.0)
    ref = traced_while_count(2.0)
    np.testing.assert_allclose(x, ref[0], rtol=1e-6)
    assert int(n) == ref[1]


@pytest.mark.parametrize("x, y", [(1.0, 1.0), (1.0, -1.0), (-6.0, 0.0), (-1.0, 1.0)])
def test_logical_operators_traced(x, y):
    assert float(axc.jit(logic)(x, y)) == logic(x, y)


def test_user_functions_are_converted_recursively():
    np.testing.assert_allclose(axc.jit(calls_helper)(-2.0, 3.0), 5.0)
    assert float(axc.jit(calls_jitted)(-2.0)) == 4.0
    total, calls = axc.jit(closure_counter)(-2.0)
    assert float(total) == 4.0 and int(calls) == 2


def test_ternaries_in_lambdas_and_comprehensions_traced():
    out = axc.jit(ternaries)(2.0)
    np.testing.assert_allclose([float(v) for v in out], ternaries(2.0))


def test_static_loop_with_iterate_used_after_is_staged():
    x, i = axc.jit(iterate_used_after)(1.0)
    assert (float(x), int(i)) == iterate_used_after(1.0)
    assert "scan[" in str(axc.make_ir(iterate_used_after)(1.0))


@pytest.mark.parametrize("fn", [carry_grows, appends_in_long_loop], ids=lambda f: f.__name__)
def test_long_loops_that_cannot_be_staged_run_in_python(fn):
    out = axc.jit(fn)(2.0)
    assert [float(v) for v in out] == [float(v) for v in fn(2.0)]
    assert "scan[" not in str(axc.make_ir(fn)(2.0))


def test_while_else_and_keyword_defaults_traced():
    assert int(axc.jit(while_else)(3)) == -3 and int(axc.jit(while_else)(10)) == 7
    assert float(axc.jit(keyword_only)(2.0)) == 4.0
    assert float(axc.jit(keyword_only)(2.0, scale=3.0)) == 6.0


def test_jit_of_lambda_with_ternary():
    f = axc.jit(lambda x: -x if x > 0 else x * 2.0)
    assert float(f(3.0)) == -3.0 and float(f(-3.0)) == -6.0


# --- errors -----------------------------------------------------------------------------------

def _line_of(fn, text: str) -> int:
    lines, start = inspect.getsourcelines(fn)
    return start + next(i for i, line in enumerate(lines) if text in line)


@pytest.mark.parametrize("fn, args, statement, words", [
    (one_branch_only, (1.0,), "if x > 0:", ["'y'", "if branch", "else branch"]),
    (shape_mismatch, (np.ones(3, np.float32),), "if x[0] > 0:",
     ["'y'", "float32[3]", "float32[2]"]),
    (undefined_before_while, (3.0,), "while x > i:", ["'z'", "before the loop"]),
    (carry_changes_dtype, (3,), "while x > 0:", ["'y'", "int32[3]", "float32[3]"]),
    (return_in_traced_loop, (5.0,), "if x > 10.0:", ["returns from inside"]),
    (ambiguous, (np.ones(3, np.float32),), "if x:", ["shape [3]", "jnp.any"]),
    (break_over_list, (2.0, [3.0, 3.0]), "for w in ws:", ["Python list", "range(...)"]),
], ids=lambda v: getattr(v, "__name__", None))
def test_errors_name_variable_and_user_line(fn, args, statement, words):
    with pytest.raises(ControlFlowError) as info:
        axc.jit(fn)(*args)
    message = str(info.value)
    assert info.value.filename == THIS_FILE
    assert info.value.lineno == _line_of(fn, statement)
    assert f"{THIS_FILE}:{info.value.lineno}:" in message
    assert statement in message  # the user's line is quoted
    for w in words:
        assert w in message
    assert isinstance(info.value, TypeError)


def test_error_tracebacks_show_converted_source():
    with pytest.raises(ControlFlowError) as info:
        axc.jit(one_branch_only)(1.0)
    frames = [f for f in info.traceback if "axc-generated" in str(f.path)]
    assert frames and "ag.if_stmt" in str(frames[-1].statement)


def test_origins_are_registered_per_generated_file():
    fn = convert(one_branch_only)
    calls = control_ops._ORIGINS[fn.__code__.co_filename]
    (origin,) = calls.values()
    assert origin.filename == THIS_FILE
    assert origin.lineno == _line_of(one_branch_only, "if x > 0:")


def test_library_functions_are_not_user_code():
    assert not control_flow.is_user_function(jnp.where)
    assert not control_flow.is_user_function(os.path.join)
    assert control_flow.is_user_function(helper_abs)
