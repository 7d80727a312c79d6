"""The fence: supported Python passes untouched; each unsupported construct gets one located
error naming this file, the construct's line and column, and a hint."""
import math
from pathlib import Path

import pytest
from axc.compiler.frontend import fence
from axc.compiler.frontend.errors import FrontendError, UnsupportedSyntaxError
from axc.compiler.frontend.gast_compat import parse, unparse
from axc.compiler.frontend.source import parse_function

THIS_FILE = Path(__file__).resolve()
LINES = THIS_FILE.read_text().splitlines()
LIMIT = 10


# --- supported: every form passes the fence and round-trips to the same result --------------

def signature(a, b=2, *args, c, d=4, **kwargs):
    return a + b + c + d + sum(args) + len(kwargs)


def early_returns(x):
    if x < 0:
        return -x
    elif x == 0:
        return 0
    else:
        return x * 2


def unpacking(xs):
    a, b = xs[0], xs[1]
    [c, (d, e)] = [a, (b, a)]
    (f, g), h = (a, b), c
    return a + b + c + d + e + f + g + h


def subscript_targets(n):
    table = {}
    table["k"] = n
    items = [0, 0]
    items[1] = n
    items[0] += 3
    items[-1:] = [n * 2]
    return table["k"] + items[0] + items[1]


def augmented(x):
    x += 1
    x *= 2
    x -= 3
    x /= 2
    x **= 2
    x //= 1
    x %= 7
    return x


def annotated(x):
    y: float = x * 2
    return y


def loops(n):
    total = 0
    for i in range(n):
        total += i
    for i, (a, b) in enumerate(zip([1, 2], [3, 4])):
        total += i * a * b
    for key in {"p": 1, "q": 2}:
        total += len(key)
    for v in [1.0, 2.0, 3.0]:
        if v > 2.5:
            break
        if v < 1.5:
            continue
        total += v
    while n > 0:
        n -= 1
        if n == 2:
            continue
        if n == 3:
            pass
    return total


def statements(x):
    """A docstring is an expression statement."""
    assert x >= 0, "negative"
    if x > LIMIT:
        raise ValueError("too big")
    str(x)
    return math.sqrt(x)


def nested(x):
    def helper(y, k=2):
        return y * k

    square = lambda z, p=2: z ** p
    constant = lambda: x
    return helper(x) + square(x) + constant()


def comprehensions(xs):
    a = [x * 2 for x in xs if x > 0]
    b = {x: x ** 2 for x in xs}
    c = {x % 2 for x in xs}
    d = sum(x for x in xs)
    e = [x * y for x in xs for y in xs if x != y]
    return len(a) + len(b) + len(c) + d + len(e)


def expressions(x, y):
    z = x if x > y else -y
    either = x > 0 and y > 0 or not x
    chained = 0 < x < y <= LIMIT
    text = f"{x:.2f} {y!r} {'nested'}"
    backwards = (x, y)[::-1]
    tail = [1, 2, 3][1:]
    more = {"b": 2}
    merged = {"a": 1, **more}
    unique = {1, 2, -x}
    return z, either, chained, text, backwards, tail, merged, unique, ..., None


def starred_calls(*args, **kwargs):
    parts = [*args, 0]
    again = (*args, *parts)
    merged = {**kwargs, "extra": 1}
    options = {"ndigits": 1}
    return max(*parts) + len(again) + len(merged) + round(*args[:1], **options)


SUPPORTED = [
    (signature, (1, 2, 3), {"c": 4, "e": 5}),
    (early_returns, (-2,), {}),
    (early_returns, (0,), {}),
    (early_returns, (3,), {}),
    (unpacking, ((1, 2),), {}),
    (subscript_targets, (5,), {}),
    (augmented, (4.0,), {}),
    (annotated, (1.5,), {}),
    (loops, (5,), {}),
    (statements, (4.0,), {}),
    (nested, (3,), {}),
    (comprehensions, ([1, -2, 3],), {}),
    (expressions, (1.0, 2.0), {}),
    (starred_calls, (1.25, 2), {"k": 3}),
]


@pytest.mark.parametrize("fn,args,kwargs", SUPPORTED, ids=[s[0].__name__ for s in SUPPORTED])
def test_supported_forms_pass_and_round_trip(fn, args, kwargs):
    parsed = parse_function(fn)
    fence.check(parsed)
    namespace = dict(parsed.globals)
    exec(compile(unparse(parsed.node), "<test>", "exec"), namespace)  # noqa: S102 - the check
    assert namespace[fn.__name__](*args, **kwargs) == fn(*args, **kwargs)


def test_lambdas_pass():
    for fn in (lambda x, k=2, *a, **kw: x * k, lambda: [i for i in range(3)]):
        fence.check(parse_function(fn))


# --- rejected: one located error per construct --------------------------------------------

def generator(x):
    yield x


def delegating_generator(xs):
    yield from xs


async def coroutine(x):
    return x


def nested_async(x):
    async def inner():
        return x
    return inner


def class_inside(x):
    class Local:
        pass
    return Local


def uses_global(x):
    global LIMIT
    LIMIT = x


def uses_nonlocal(x):
    def inner():
        nonlocal x
        x = 1
    return inner


def try_except(x):
    try:
        return 1 / x
    except ZeroDivisionError:
        return 0


def try_finally(x):
    y = x
    try:
        return y
    finally:
        y = 0


def with_block(path):
    with open(path) as handle:
        return handle.read()


def deletes(x):
    y = x
    del y
    return x


def imports(x):
    import cmath
    return cmath.sin(x)


def from_imports(x):
    from cmath import sin
    return sin(x)


def for_else(xs):
    for x in xs:
        if x:
            break
    else:
        return 0


def while_else(x):
    while x:
        if x == 3:
            break
        x -= 1
    else:
        return x


def matches(x):
    match x:
        case 1:
            return 1
    return 0


def starred_target(xs):
    a, *rest = xs
    return a, rest


def starred_loop_target(xs):
    for a, *rest in xs:
        return a, rest


def walrus(x):
    if (y := x * 2) > 1:
        return y


def attribute_target(obj, x):
    obj.value = x
    return obj


def attribute_augmented(obj):
    obj.count += 1


def bare_annotation(x):
    y: float  # noqa: F842 - the construct under test
    return x


def yield_in_nested(x):
    def inner():
        yield x
    return inner


def walrus_in_lambda(x):
    return lambda v: (w := v) + w


def two_problems(x):
    # The test of a conditional expression is visited before its body: source order wins.
    return (a := x) if (b := x) else a + b


REJECTED = [
    ("yield", generator, "yield x", "`yield`", "instead of yielding"),
    ("yield from", delegating_generator, "yield from xs", "`yield from`", "instead of yielding"),
    ("async def", coroutine, "async def coroutine", "`async def`", "use def"),
    ("nested async def", nested_async, "async def inner", "`async def`", "use def"),
    ("class", class_inside, "class Local", "class definition", "at module level"),
    ("global", uses_global, "global LIMIT", "`global`", "as an argument"),
    ("nonlocal", uses_nonlocal, "nonlocal x", "`nonlocal`", "as an argument"),
    ("try/except", try_except, "try:", "`try`", "move error handling out"),
    ("try/finally", try_finally, "try:", "`try`", "move error handling out"),
    ("with", with_block, "with open", "`with`", "around the call"),
    ("del", deletes, "del y", "`del`", "rebind the name"),
    ("import", imports, "import cmath", "`import`", "import at module level"),
    ("from import", from_imports, "from cmath", "`from ... import`", "import at module level"),
    ("for else", for_else, "for x in xs", "`else` block on a `for` loop", "set a flag"),
    ("while else", while_else, "while x:", "`else` block on a `while` loop", "set a flag"),
    ("match", matches, "match x", "`match`", "if/elif/else"),
    ("starred target", starred_target, "*rest", "starred assignment target", "slice the rest"),
    ("starred loop target", starred_loop_target, "*rest", "starred", "slice the rest"),
    ("walrus", walrus, "y := x", "`:=`", "statement of its own"),
    ("attribute target", attribute_target, "obj.value", "attribute", "new variable"),
    ("attribute augmented", attribute_augmented, "obj.count", "attribute", "new variable"),
    ("bare annotation", bare_annotation, "y: float", "annotation without a value", "assign"),
    ("yield in nested def", yield_in_nested, "yield x", "`yield`", "instead of yielding"),
    ("walrus in lambda", walrus_in_lambda, "w := v", "`:=`", "statement of its own"),
    ("first in source order", two_problems, "a := x", "`:=`", "statement of its own"),
]


def where(fn, snippet):
    """(line, column) of the first ``snippet`` in ``fn``'s lines of this file, from the text."""
    first = fn.__code__.co_firstlineno
    for number, line in enumerate(LINES[first - 1:], start=first):
        if snippet in line:
            return number, line.index(snippet)
    raise AssertionError(f"{snippet!r} not in {fn.__name__}")


@pytest.mark.parametrize("kind,fn,snippet,what,hint", REJECTED, ids=[r[0] for r in REJECTED])
def test_rejected_forms_raise_one_located_error(kind, fn, snippet, what, hint):
    with pytest.raises(UnsupportedSyntaxError) as info:
        fence.check(parse_function(fn))
    line, col = where(fn, snippet)
    error = info.value
    assert (error.filename, error.lineno, error.col_offset) == (str(THIS_FILE), line, col)
    message = str(error)
    assert message.startswith(f"{THIS_FILE}:{line}:{col + 1}: ")
    assert what in message.splitlines()[0] and hint in error.hint
    source_line, caret = message.splitlines()[1:3]
    code = LINES[line - 1].lstrip()
    assert source_line == f"    {code}"
    assert caret.index("^") - 4 == col - (len(LINES[line - 1]) - len(code))
    assert message.splitlines()[-1] == f"hint: {error.hint}"


def test_error_is_catchable_as_not_implemented_and_as_frontend_error():
    with pytest.raises(NotImplementedError):
        fence.check(parse_function(generator))
    with pytest.raises(FrontendError):
        fence.check(parse_function(generator))


def test_async_constructs_inside_are_each_named():
    """``await``/``async for``/``async with`` sit inside an ``async def`` (rejected first), so
    the table's entries for them are checked on the statements directly."""
    body = parse("async def f(x):\n    await x\n    async for a in x:\n        pass\n"
                 "    async with x:\n        pass\n    return [a async for a in x]\n").body[0].body
    checker = fence._Fence()
    for statement in body:
        checker.visit(statement)
    found = [(p.node.lineno, p.what) for p in checker.problems]
    assert found == [(2, "`await`"), (3, "`async for`"), (5, "`async with`"),
                     (7, "an `async for` comprehension")]
