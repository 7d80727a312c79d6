"""Source retrieval: every kind of Python function parses to a tree at its real file position."""
import functools
import linecache
import math
from pathlib import Path

import pytest
from axc.compiler.frontend import gast_compat, source
from axc.compiler.frontend.errors import (
    FrontendError,
    SourceUnavailableError,
    UnsupportedSyntaxError,
)
from axc.compiler.frontend.gast_compat import gast, unparse
from axc.compiler.frontend.source import parse_function

THIS_FILE = Path(__file__).resolve()
LINES = THIS_FILE.read_text().splitlines()
SCALE = 3.0


def where(snippet, after=1):
    """(line, column), 1-based line and 0-based column, of the first ``snippet`` at or after
    line ``after`` of this file: expected positions read from the text, not from Python."""
    for number, line in enumerate(LINES[after - 1:], start=after):
        if snippet in line:
            return number, line.index(snippet)
    raise AssertionError(f"{snippet!r} not in this file")


def run_parsed(parsed, *args):
    """Compile the parsed tree back to a function (closure values as globals) and call it."""
    namespace = execute(unparse(parsed.node), "<test>", {**parsed.globals, **parsed.closure})
    return namespace[parsed.node.name](*args)


def execute(src, filename, namespace=None):
    """Run ``src`` compiled under ``filename``; the namespace it filled."""
    namespace = {} if namespace is None else namespace
    exec(compile(src, filename, "exec"), namespace)  # noqa: S102 - defining functions is the test
    return namespace


def module_fn(x, y=2.0, *rest, scale=SCALE, **options):
    """A docstring."""
    return x * y * scale + len(rest) + len(options)


def deco(fn):
    return fn


@deco
@functools.cache
def decorated(x):
    return x + 1


def make_closure(a):
    b = a * 2

    def inner(x):
        return x * a + b

    return inner


def make_with_empty_cell():
    def inner():
        return later
    return inner
    later = 1  # never runs: `later`'s cell stays empty


class Model:
    def method(self, x):
        return x * 3

    @staticmethod
    def static(x):
        return x - 1

    @classmethod
    def klass(cls, x):
        return x / 2


double, inc = lambda x: x * 2, lambda x: x + 1
same_a, same_b = lambda x: x, lambda x: x


def capture(fn):
    return fn


squared = capture(lambda x: x ** 2)
spread = capture(
    lambda x, k=2:
        x ** k)
curried = lambda x: lambda y: x * y


def make_lambda(scale):
    return lambda v: v * scale


# --- every kind of function: its tree, real position, and round-trip behaviour -----------

KINDS = [
    ("module", module_fn, "def module_fn(", (2.0, 3.0, 1, 1), "module_fn"),
    ("decorated", decorated.__wrapped__, "def decorated(", (4,), "decorated"),
    ("closure", make_closure(5.0), "def inner(x):", (2.0,), "inner"),
    ("method bound", Model().method, "def method(", (Model(), 2), "method"),
    ("method function", Model.method, "def method(", (Model(), 2), "method"),
    ("staticmethod", Model.static, "def static(", (3,), "static"),
    ("staticmethod object", Model.__dict__["static"], "def static(", (3,), "static"),
    ("classmethod object", Model.__dict__["klass"], "def klass(", (Model, 3), "klass"),
    ("lambda first on line", double, "lambda x: x * 2", (4,), "lambda_"),
    ("lambda second on line", inc, "lambda x: x + 1", (4,), "lambda_"),
    ("twin lambda a", same_a, "lambda x: x, lambda", (7,), "lambda_"),
    ("twin lambda b", same_b, "lambda x: x\n", (7,), "lambda_"),
    ("lambda argument", squared, "lambda x: x ** 2", (3,), "lambda_"),
    ("multi-line lambda", spread, "lambda x, k=2:", (3,), "lambda_"),
    ("outer of curried", curried, "lambda x: lambda", (2,), "lambda_"),
    ("inner of curried", curried(2), "lambda y: x * y", (5,), "lambda_"),
    ("lambda in a def", make_lambda(4.0), "lambda v: v * scale", (2.0,), "lambda_"),
]


def _expected_position(fn, snippet):
    code = getattr(fn, "__func__", fn).__code__
    if snippet.endswith("\n"):  # the last occurrence on its line
        line = LINES[code.co_firstlineno - 1]
        return code.co_firstlineno, line.rindex(snippet.rstrip("\n"))
    return where(snippet, code.co_firstlineno)


@pytest.mark.parametrize("kind,fn,snippet,args,name", KINDS, ids=[k[0] for k in KINDS])
def test_every_kind_parses_at_its_real_position_and_round_trips(kind, fn, snippet, args, name):
    parsed = parse_function(fn)
    assert isinstance(parsed.node, gast.FunctionDef)
    assert parsed.node.name.startswith(name) and parsed.node.name.isidentifier()
    assert (parsed.node.lineno, parsed.node.col_offset) == _expected_position(fn, snippet)
    assert parsed.node.decorator_list == []
    assert parsed.filename == str(THIS_FILE) and parsed.source_lines[0] == LINES[0] + "\n"
    assert parsed.fn is fn
    result, expected = run_parsed(parsed, *args), getattr(fn, "__func__", fn)(*args)
    if callable(expected):  # a curried lambda: compare what the returned functions give
        result, expected = result(5), expected(5)
    assert result == expected


def test_end_positions_and_inner_nodes_are_real():
    parsed = parse_function(make_closure(1.0))
    def_line, indent = where("def inner(x):")
    return_line, return_col = where("return x * a + b")
    assert (parsed.node.lineno, parsed.node.col_offset) == (def_line, indent) and indent == 4
    ret = parsed.node.body[0]
    assert (ret.lineno, ret.col_offset) == (return_line, return_col)
    assert (parsed.node.end_lineno, parsed.node.end_col_offset) == (return_line,
                                                                    len(LINES[return_line - 1]))
    assert (ret.value.end_lineno, ret.value.end_col_offset) == (return_line,
                                                                len(LINES[return_line - 1]))


def test_decorated_def_starts_at_def_and_keeps_decorator_text():
    parsed = parse_function(decorated.__wrapped__)
    assert parsed.node.lineno == where("def decorated(")[0]
    assert parsed.decorators == ("deco", "functools.cache")


def test_lambda_becomes_a_def_returning_its_body():
    parsed = parse_function(squared)
    line, col = where("lambda x: x ** 2")
    assert parsed.node.name == f"lambda_{line}" and parsed.name == "<lambda>"
    (ret,) = parsed.node.body
    assert isinstance(ret, gast.Return) and (ret.lineno, ret.col_offset) == (line, col + 10)
    assert unparse(parsed.node) == f"def lambda_{line}(x):\n    return x ** 2"
    twins = {parse_function(same_a).node.name, parse_function(same_b).node.name}
    assert len(twins) == 2  # several lambdas on one line get distinct names


def test_fields_closure_defaults_globals():
    parsed = parse_function(module_fn)
    assert parsed.name == parsed.qualname == "module_fn"
    assert parsed.defaults == {"y": 2.0, "scale": SCALE}
    assert parsed.globals is globals() and parsed.closure == {}
    closure = parse_function(make_closure(5.0))
    assert closure.closure == {"a": 5.0, "b": 10.0}
    assert closure.qualname == "make_closure.<locals>.inner"
    assert parse_function(make_with_empty_cell()).closure == {}
    assert parse_function(spread).defaults == {"k": 2}


def test_each_call_gets_a_fresh_tree_from_one_cached_parse():
    first, second = parse_function(module_fn), parse_function(module_fn)
    assert first.node is not second.node and unparse(first.node) == unparse(second.node)
    first.node.body.clear()  # a pass rewriting its tree must not touch the next caller's
    assert unparse(parse_function(module_fn).node) == unparse(second.node)
    assert source._FILES[str(THIS_FILE)].source_lines is first.source_lines


def test_wrapper_is_not_unwrapped():
    @functools.wraps(module_fn)
    def wrapper(*args, **kwargs):
        return module_fn(*args, **kwargs)

    parsed = parse_function(wrapper)
    assert parsed.node.lineno == where("def wrapper(")[0]
    assert parsed.node.args.vararg.id == "args"


# --- generated source: linecache entries and real files -----------------------------------

def _define(src, filename, name="f"):
    """Register ``src`` with linecache under ``filename`` (as axc does) and execute it."""
    lines = src.splitlines(keepends=True)
    linecache.cache[filename] = (len(src), None, lines, filename)
    return execute(src, filename)[name]


def test_generated_source_in_linecache_is_parsed():
    filename = "<axc-generated:test-linecache>"
    fn = _define("import math\n\n\ndef f(x):\n    return math.sin(x) * 2\n", filename)
    parsed = parse_function(fn)
    assert parsed.filename == filename and parsed.node.lineno == 4
    assert "math" in parsed.globals and run_parsed(parsed, 0.5) == fn(0.5)


def test_redefinition_under_the_same_filename_is_seen():
    filename = "<axc-generated:test-redefinition>"
    old = _define("def f(x):\n    return x + 1\n", filename)
    assert run_parsed(parse_function(old), 1) == 2
    new = _define("def f(x):\n    return x * 10\n", filename)
    assert unparse(parse_function(new).node) == "def f(x):\n    return x * 10"
    assert run_parsed(parse_function(new), 1) == 10


def test_generated_source_in_a_real_file(tmp_path):
    path = tmp_path / "generated_module.py"
    path.write_text("def helper(x):\n    return x\n\n\ndef g(x, y):\n    return helper(x) - y\n")
    parsed = parse_function(execute(path.read_text(), str(path))["g"])
    assert parsed.node.lineno == 5 and run_parsed(parsed, 5, 2) == 3


def test_a_file_edited_after_definition_is_reported(tmp_path):
    path = tmp_path / "edited.py"
    path.write_text("def f(x):\n    return x\n")
    namespace = execute(path.read_text(), str(path))
    path.write_text("# a longer first line, so the size changes\ndef f(x):\n    return x\n")
    with pytest.raises(SourceUnavailableError, match="no matching definition.*edited.py:1"):
        parse_function(namespace["f"])


# --- no source: a clear, typed error ------------------------------------------------------

class CallableThing:
    def __call__(self, x):
        return x


NO_SOURCE = [
    ("builtin", math.sin, "built-in function", "axc.numpy"),
    ("builtin method", [].append, "built-in function", "axc.numpy"),
    ("partial", functools.partial(module_fn, 1.0), "functools.partial", "partial.func"),
    ("class", CallableThing, "is a class", "pass a function"),
    ("callable object", CallableThing(), "CallableThing object", "its method"),
]


@pytest.mark.parametrize("kind,fn,what,hint", NO_SOURCE, ids=[k[0] for k in NO_SOURCE])
def test_objects_without_source_raise_a_typed_error(kind, fn, what, hint):
    with pytest.raises(SourceUnavailableError) as info:
        parse_function(fn)
    assert what in str(info.value) and hint in info.value.hint
    assert isinstance(info.value, TypeError) and isinstance(info.value, FrontendError)


def test_exec_without_linecache_explains_what_to_do():
    namespace = execute("def f(x):\n    return x\n", "<string>")
    with pytest.raises(SourceUnavailableError, match="kept no text for '<string>'") as info:
        parse_function(namespace["f"])
    assert "define it in a file" in info.value.hint


def test_error_types_are_catchable_as_their_python_bases():
    assert issubclass(UnsupportedSyntaxError, NotImplementedError)
    assert not issubclass(UnsupportedSyntaxError, SyntaxError)
    assert issubclass(SourceUnavailableError, TypeError)


def test_located_error_counts_characters_and_underlines_the_node():
    filename = "<axc-generated:test-located>"
    fn = _define("def f(x):\n    s = 'ééé'; y = x + 1\n    return y\n", filename)
    parsed = parse_function(fn)
    target = parsed.node.body[1].value  # `x + 1`, after multi-byte characters
    error = FrontendError.located("bad", target, parsed, hint="do this")
    assert str(error) == (f"{filename}:2:20: bad\n"
                          "    s = 'ééé'; y = x + 1\n"
                          "                   ^^^^^\n"
                          "hint: do this")
    assert (error.lineno, error.col_offset, error.filename) == (2, 19, filename)


# --- Python 3.10 fallback and gast_compat ------------------------------------------------

def test_lambda_fallback_without_columns_compares_code(monkeypatch):
    """On 3.10 (no co_positions) the lambda is found by compiling each candidate alone."""
    tree = source._source_file(inc).tree
    candidates = [n for n in source._nodes_on_line(tree, inc.__code__.co_firstlineno)
                  if isinstance(n, source.ast.Lambda)]
    assert len(candidates) == 2
    (found,) = source._pick_by_code(candidates, inc.__code__)
    assert found.col_offset == where("lambda x: x + 1")[1]
    assert len(source._pick_by_code(candidates, same_a.__code__)) == 0  # other line's code


def test_gast_compat_round_trips_and_builds_defs():
    module = gast_compat.parse("def f(a, *b):\n    return a\n")
    assert isinstance(module, gast.Module)
    std = gast_compat.to_python_ast(module)
    assert type(std).__module__ == "ast" and std.body[0].lineno == 1
    back = gast_compat.from_python_ast(std)
    assert unparse(back) == "def f(a, *b):\n    return a"
    made = gast_compat.function_def("g", back.body[0].args, back.body[0].body, back.body[0])
    assert unparse(made) == "def g(a, *b):\n    return a" and made.lineno == 1
    assert gast_compat.node_type("Try") is gast.Try and gast_compat.node_type("Nope") is None
