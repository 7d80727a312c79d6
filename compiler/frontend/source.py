"""Source retrieval: a Python function (def, method, closure, lambda) to its gast tree."""
from __future__ import annotations

import ast
import functools
import inspect
import linecache
import types
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from .errors import SourceUnavailableError
from .gast_compat import from_python_ast, function_def, gast

_DEFS = (ast.FunctionDef, ast.AsyncFunctionDef)


@dataclass(frozen=True, eq=False)
class ParsedFunction:
    """A function's tree with real file positions, plus what names in it refer to.
    ``node`` is a fresh tree on every ``parse_function`` call: passes may rewrite it. An
    ``async def`` stays an ``AsyncFunctionDef``, for the fence to reject at its line."""

    node: gast.FunctionDef
    name: str
    qualname: str
    filename: str
    globals: dict[str, Any]
    closure: dict[str, Any]
    defaults: dict[str, Any]
    source_lines: tuple[str, ...]
    fn: Callable
    decorators: tuple[str, ...] = field(default=())


@dataclass
class _SourceFile:
    """One version of a file's text and its (standard-library) parse tree."""

    lines: list[str]
    tree: ast.Module
    source_lines: tuple[str, ...]


# filename -> the latest version parsed. A file is parsed once per text: a redefinition (a
# notebook cell rerun, an edited file, generated source re-registered) brings new text.
_FILES: dict[str, _SourceFile] = {}


def parse_function(fn: Callable) -> ParsedFunction:
    """Parse ``fn``'s own source (decorators and ``functools.wraps`` are not looked through)."""
    func = _python_function(fn)
    code = func.__code__
    source = _source_file(func)
    node = _locate(source.tree, code)
    return ParsedFunction(
        node=_to_function_def(node, source.tree, code),
        name=func.__name__, qualname=func.__qualname__, filename=code.co_filename,
        globals=func.__globals__, closure=_closure(func), defaults=_defaults(func),
        source_lines=source.source_lines, fn=fn,
        decorators=tuple(ast.unparse(d) for d in getattr(node, "decorator_list", ())))


def _python_function(fn: Callable) -> types.FunctionType:
    """The plain function behind ``fn`` (methods unwrapped), or a SourceUnavailableError."""
    if isinstance(fn, (types.MethodType, staticmethod, classmethod)):
        fn = fn.__func__
    if isinstance(fn, types.FunctionType):
        return fn
    what, hint = _not_a_function(fn)
    raise SourceUnavailableError(f"cannot read the source of {fn!r}: {what}", hint)


def _not_a_function(fn: Any) -> tuple[str, str]:
    """Why ``fn`` has no source, and what to do instead."""
    if isinstance(fn, (functools.partial, functools.partialmethod)):
        return ("it is a functools.partial, which has no source of its own",
                ("pass the underlying function (partial.func), binding the arguments with a "
                 "closure or a lambda defined in a file"))
    if isinstance(fn, (types.BuiltinFunctionType, types.MethodWrapperType,
                       types.WrapperDescriptorType, types.MethodDescriptorType)):
        return ("it is a built-in function implemented in C",
                "use the axc.numpy equivalent, or call it from a Python function in a file")
    if isinstance(fn, type):
        return "it is a class, not a function", "pass a function (or a method of the class)"
    return (f"it is a {type(fn).__qualname__} object, not a Python function",
            "pass a function defined with def or lambda (for a callable object, its method)")


def _source_file(func: types.FunctionType) -> _SourceFile:
    """The parsed text of the file ``func`` was compiled from, as linecache holds it now."""
    filename = func.__code__.co_filename
    linecache.checkcache(filename)  # drop stale entries of files edited on disk
    lines = linecache.getlines(filename, func.__globals__)
    if not lines:
        raise SourceUnavailableError(
            f"cannot read the source of {func.__qualname__}: Python kept no text for "
            f"{filename!r} (defined at an interactive prompt, or by exec/compile of a string)",
            "define it in a file (a module or a notebook cell), or put the text in "
            "linecache.cache under the filename given to compile()")
    cached = _FILES.get(filename)
    if cached is not None and (cached.lines is lines or cached.lines == lines):
        cached.lines = lines  # identity makes the next lookup O(1)
        return cached
    try:
        tree = ast.parse("".join(lines), filename)
    except SyntaxError as error:
        why = f"the file no longer parses ({error.msg}, line {error.lineno})"
        raise _changed(func, why) from error
    _FILES[filename] = parsed = _SourceFile(lines, tree, tuple(lines))
    return parsed


def _changed(func: types.FunctionType, why: str) -> SourceUnavailableError:
    return SourceUnavailableError(
        f"cannot read the source of {func.__qualname__} in {func.__code__.co_filename}: {why}",
        "the file was probably edited after the function was defined: reload the module "
        "(or rerun the cell)")


def _locate(tree: ast.Module, code: types.CodeType) -> ast.AST:
    """The def or lambda that compiled to ``code``: the one starting on its first line whose
    parameters match; for several lambdas on that line, the one at its column."""
    line = code.co_firstlineno
    if code.co_name == "<lambda>":
        candidates = [n for n in _nodes_on_line(tree, line) if isinstance(n, ast.Lambda)
                      and n.lineno == line]
    else:
        candidates = [n for n in _nodes_on_line(tree, line) if isinstance(n, _DEFS)
                      and _first_line(n) == line and n.name == code.co_name]
    candidates = [n for n in candidates if _parameters(n.args) == _code_parameters(code)]
    if len(candidates) > 1:
        candidates = _pick_by_position(candidates, code) or _pick_by_code(candidates, code)
    if len(candidates) != 1:
        raise _changed_code(code, len(candidates))
    return candidates[0]


def _changed_code(code: types.CodeType, found: int) -> SourceUnavailableError:
    where = f"{code.co_filename}:{code.co_firstlineno}"
    if found == 0:
        why, hint = f"no matching definition at {where}", "reload the module (or rerun the cell)"
    else:
        why = f"{found} lambdas at {where} cannot be told apart"
        hint = "put the lambda on a line of its own, or define it with def"
    return SourceUnavailableError(f"cannot read the source of {code.co_name}: {why}", hint)


def _first_line(node: ast.AST) -> int:
    """The line ``co_firstlineno`` names: a decorated def's first decorator."""
    return min([node.lineno] + [d.lineno for d in getattr(node, "decorator_list", ())])


def _nodes_on_line(node: ast.AST, line: int) -> Iterator[ast.AST]:
    """Nodes whose span (decorators included) covers ``line``, without walking the file."""
    for child in ast.iter_child_nodes(node):
        start = _first_line(child) if hasattr(child, "lineno") else None
        if start is None or start <= line <= child.end_lineno:
            if start is not None:
                yield child
            yield from _nodes_on_line(child, line)


def _parameters(args: ast.arguments) -> tuple[str, ...]:
    """Parameter names in ``co_varnames`` order: positional, keyword-only, *args, **kwargs."""
    names = [a.arg for a in args.posonlyargs + args.args + args.kwonlyargs]
    names += [a.arg for a in (args.vararg, args.kwarg) if a is not None]
    return tuple(names)


def _code_parameters(code: types.CodeType) -> tuple[str, ...]:
    count = code.co_argcount + code.co_kwonlyargcount
    count += bool(code.co_flags & inspect.CO_VARARGS) + bool(code.co_flags & inspect.CO_VARKEYWORDS)
    return code.co_varnames[:count]


def _pick_by_position(lambdas: list[ast.Lambda], code: types.CodeType) -> list[ast.Lambda]:
    """The innermost lambda whose body covers every instruction of ``code`` (Python 3.11+
    records each instruction's source span; the columns are UTF-8 bytes, as in the AST)."""
    if not hasattr(code, "co_positions"):
        return []
    spans = [((l0, c0), (l1, c1)) for l0, l1, c0, c1 in code.co_positions()
             if None not in (l0, l1, c0, c1) and (l0, c0) < (l1, c1)]  # skip "no location"
    if not spans:
        return []
    first, last = min(s for s, _ in spans), max(e for _, e in spans)
    covering = [n for n in lambdas if _start(n.body) <= first and last <= _end(n.body)]
    return [max(covering, key=lambda n: _start(n.body))] if covering else []


def _start(node: ast.AST) -> tuple[int, int]:
    return node.lineno, node.col_offset


def _end(node: ast.AST) -> tuple[int, int]:
    return node.end_lineno, node.end_col_offset


def _pick_by_code(lambdas: list[ast.Lambda], code: types.CodeType) -> list[ast.Lambda]:
    """Python 3.10 has no instruction columns: compile each candidate alone and compare what
    its code object holds. Free variables compile to globals there, hence the union."""
    want = (code.co_varnames, _constants(code), set(code.co_names) | set(code.co_freevars))
    return [n for n in lambdas if _standalone_signature(n, code.co_filename) == want]


def _standalone_signature(node: ast.Lambda, filename: str) -> tuple:
    module = compile(ast.Expression(body=node), filename, "eval")
    lambda_code = next(c for c in module.co_consts if isinstance(c, types.CodeType))
    return lambda_code.co_varnames, _constants(lambda_code), set(lambda_code.co_names)


def _constants(code: types.CodeType) -> tuple:
    return tuple(c for c in code.co_consts if not isinstance(c, types.CodeType))


def _to_function_def(node: ast.AST, tree: ast.Module, code: types.CodeType) -> gast.AST:
    """A fresh gast def for ``node``, decorators dropped; a lambda becomes ``lambda_<line>``
    (``lambda_<line>_<col>`` when its line holds several) returning its expression."""
    if not isinstance(node, ast.Lambda):
        converted = from_python_ast(node)
        converted.decorator_list = []
        return converted
    lambdas_on_line = [n for n in _nodes_on_line(tree, node.lineno)
                       if isinstance(n, ast.Lambda) and n.lineno == node.lineno]
    name = f"lambda_{node.lineno}"
    if len(lambdas_on_line) > 1:
        name += f"_{node.col_offset}"
    converted = from_python_ast(node)
    body = gast.copy_location(gast.Return(value=converted.body), converted.body)
    return function_def(name, converted.args, [body], converted)


def _closure(func: types.FunctionType) -> dict[str, Any]:
    """Free variable -> value; cells not yet assigned (a later ``def`` in the scope) left out."""
    cells = zip(func.__code__.co_freevars, func.__closure__ or ())
    values = {}
    for name, cell in cells:
        try:
            values[name] = cell.cell_contents
        except ValueError:
            continue
    return values


def _defaults(func: types.FunctionType) -> dict[str, Any]:
    """Parameter -> default value, positional and keyword-only alike."""
    code = func.__code__
    positional = code.co_varnames[:code.co_argcount]
    defaults = func.__defaults__ or ()
    values = dict(zip(positional[len(positional) - len(defaults):], defaults))
    values.update(func.__kwdefaults__ or {})
    return values
