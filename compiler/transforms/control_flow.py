"""AutoGraph-style control-flow conversion: Python ``if``/``while``/``for`` and ternaries become
calls of the runtime operators in ``control_ops`` (imported by generated code as ``ag``).

``convert(f)`` reads ``f``'s source and, in its body and nested defs, rewrites::

    if test: A else: B     ->  def if_body(): A      ag.if_stmt(test, if_body, else_body,
                               def else_body(): B               get_state, set_state, names)
    while test: A          ->  def loop_test(): ...   ag.while_stmt(loop_test, loop_body, ...)
    for x in it: A         ->  def loop_body(x): A    ag.for_stmt(it, extra_test, loop_body, ...)
    a if c else b          ->  ag.if_exp(c, lambda: a, lambda: b)
    not / and / or in a condition  ->  ag.not_ / ag.and_ / ag.or_ (operands stay lazy)
    g(x), g a user function        ->  ag.converted_call(g, x)

The local functions assign the variables the statement assigns through ``nonlocal``;
``get_state``/``set_state`` read and write the *state*: variables assigned by the statement
and live afterwards (branch outputs, loop variables), found by a liveness analysis. Before
that, as AutoGraph does, ``return`` inside a branch or loop is lowered into ``do_return`` and
``retval`` variables, and ``break``/``continue`` into flags the loop tests. A statement that
cannot be converted (a ``return`` inside ``try``, ``yield``, a walrus in a loop test...) is
left as it was, so it keeps plain Python semantics for concrete conditions.

The result is compiled inside a factory whose parameters are the original's free variables,
then rebuilt on the original's globals and closure cells: module globals and nonlocal
variables stay live, exactly as in the original function.
"""
from __future__ import annotations

import ast
import copy
import os
import sys
import sysconfig
import types
import weakref
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from ..frontend.errors import UnsupportedSyntaxError
from ..frontend.gast_compat import function_def, gast, to_python_ast
from ..frontend.resolve import UNRESOLVED, Resolver, local_names
from ..frontend.source import ParsedFunction, parse_function
from . import control_ops
from .emit import COMMENT_MARK, compile_function

__all__ = ["convert", "convert_or_self", "is_user_function"]

_OPS = {"if_stmt", "if_exp", "while_stmt", "for_stmt"}
_SCOPES = (gast.FunctionDef, gast.AsyncFunctionDef, gast.Lambda, gast.ClassDef)
_LOOPS = (gast.While, gast.For)


# --- public entry points ------------------------------------------------------------------

def convert(fn: Callable) -> Callable:
    """``fn`` with its control flow converted to ``control_ops`` calls.

    Parameters
    ----------
    fn : function
        A Python function (or lambda) whose source is available.

    Returns
    -------
    function
        Behaves as ``fn`` on concrete values and stages control flow on traced ones; its
        ``source`` attribute is the converted text.

    Raises
    ------
    SourceUnavailableError
        ``fn`` has no readable source (a builtin, code from ``exec``).
    UnsupportedSyntaxError
        ``fn`` is a generator, a coroutine, or uses zero-argument ``super()``.
    """
    return _convert(fn)[0]


_CACHE: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def convert_or_self(fn: Any) -> Any:
    """``convert(fn)`` when ``fn`` is user code that needs it, else ``fn`` itself (builtins,
    axc's and libraries' functions, functions without source or without control flow).
    Conversions are cached, weakly keyed by function."""
    if isinstance(fn, types.MethodType):
        func = convert_or_self(fn.__func__)
        return fn if func is fn.__func__ else types.MethodType(func, fn.__self__)
    if not is_user_function(fn):
        return fn
    hit = _CACHE.get(fn)
    if hit is None:
        try:
            converted, changed = _convert(fn)
            hit = converted if changed else False
        except Exception as error:  # noqa: BLE001 - unconverted code still runs as Python
            if os.environ.get("AXC_DEBUG"):
                print(f"# axc: control flow of {fn.__qualname__} left as is: {error}",
                      file=sys.stderr)
            hit = False
        _CACHE[fn] = hit
    return fn if hit is False else hit


# Modules whose functions are never converted: axc's own, the libraries it builds on, the
# standard library (also excluded by path below).
_LIBRARIES = {"axc", "numpy", "jax", "jaxlib", "scipy", "gast", "llvmlite", "pytest", "_pytest"}
_LIBRARY_PATHS = tuple({p for k in ("stdlib", "platstdlib", "purelib", "platlib")
                        if (p := sysconfig.get_paths().get(k))})


def is_user_function(obj: Any) -> bool:
    """A plain Python function from user code (not axc, a library, or generated code)."""
    if not isinstance(obj, types.FunctionType) or hasattr(obj, "__axc_converted_from__"):
        return False
    filename = obj.__code__.co_filename
    if filename.startswith(("<axc-generated", "<frozen")) or filename.startswith(_LIBRARY_PATHS):
        return False
    top = (obj.__module__ or "").split(".")[0]
    return top not in _LIBRARIES and top not in sys.stdlib_module_names


# --- conversion of one function -------------------------------------------------------------

def _convert(fn: Callable) -> tuple[Callable, bool]:
    """The converted function, and whether conversion changed anything."""
    if isinstance(fn, types.MethodType):
        func, changed = _convert(fn.__func__)
        return types.MethodType(func, fn.__self__), changed
    parsed = parse_function(fn)
    node = parsed.node
    _check_supported(node, parsed)
    ctx = _Context(parsed)
    converted = _Scope(ctx, node).convert()
    freevars = list(_code_of(fn).co_freevars)
    # A class body between factory and def: the def's own name stays a global inside it (a
    # recursive call), as in the original; a class named "_" mangles no ``__names``.
    fields = {"name": "_", "bases": [], "keywords": [], "body": [converted],
              "decorator_list": [], "type_params": []}
    holder = gast.ClassDef(**{f: fields[f] for f in gast.ClassDef._fields})
    result_expr = gast.Attribute(value=_name("_"), attr=node.name, ctx=gast.Load())
    factory = function_def("__axc_factory", _params([ctx.ag] + freevars),
                           [holder, gast.Return(value=result_expr)], node)
    made = compile_function(factory, {}, f"control flow of {parsed.qualname}")
    result = _rebuild(fn, made, node.name, ctx.ag)
    result.source = _inner_source(made.source)
    _register_origins(made, factory, ctx)
    return result, ctx.changed


def _code_of(fn: Any) -> types.CodeType:
    return (fn.__func__ if isinstance(fn, types.MethodType) else fn).__code__


def _check_supported(node: gast.AST, parsed: ParsedFunction) -> None:
    if isinstance(node, gast.AsyncFunctionDef):
        raise UnsupportedSyntaxError.located("cannot convert the control flow of a coroutine",
                                             node, parsed)
    for n in _walk_scope(node.body):
        if isinstance(n, (gast.Yield, gast.YieldFrom)):
            raise UnsupportedSyntaxError.located(
                "cannot convert the control flow of a generator", n, parsed)
    for n in gast.walk(node):
        if isinstance(n, gast.Name) and n.id in ("super", "__class__"):
            raise UnsupportedSyntaxError.located(
                "cannot convert a function that uses super() or __class__", n, parsed)


def _rebuild(fn: types.FunctionType, factory: Callable, name: str, ag: str) -> Callable:
    """The converted inner function on ``fn``'s own globals and closure cells."""
    holder = next(c for c in factory.__code__.co_consts if isinstance(c, types.CodeType))
    code = next(c for c in holder.co_consts
                if isinstance(c, types.CodeType) and c.co_name == name)
    cells = dict(zip(fn.__code__.co_freevars, fn.__closure__ or ()))
    cells[ag] = types.CellType(control_ops)
    out = types.FunctionType(code, fn.__globals__, fn.__name__, fn.__defaults__,
                             tuple(cells[v] for v in code.co_freevars))
    out.__kwdefaults__ = copy.copy(fn.__kwdefaults__)
    out.__qualname__, out.__module__, out.__doc__ = fn.__qualname__, fn.__module__, fn.__doc__
    out.__axc_converted_from__ = weakref.ref(fn)
    return out


def _inner_source(text: str) -> str:
    """The converted def out of the factory's text (factory, class and ``return`` dropped)."""
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("        "))
    return "\n".join(line[8:] for line in lines[start:-1]).strip("\n") + "\n"


def _register_origins(made: Callable, factory: gast.FunctionDef, ctx: _Context) -> None:
    """Map each operator call of the generated text to the user statement it came from."""
    mine = _strip_comments(to_python_ast(factory))
    theirs = ast.parse(made.source)
    ours = [c for c in ast.walk(mine) if _is_op_call(c, ctx.ag)]
    generated = [c for c in ast.walk(theirs) if _is_op_call(c, ctx.ag)]
    if len(ours) != len(generated):
        return
    table = {}
    lines = ctx.parsed.source_lines
    for o, g in zip(ours, generated):
        if not isinstance(o.lineno, int) or not 0 < o.lineno <= len(lines):
            continue
        line = lines[o.lineno - 1]
        end = o.end_col_offset if o.end_lineno == o.lineno else None
        table[(g.lineno, g.col_offset)] = control_ops.Origin(
            ctx.parsed.filename, o.lineno, o.col_offset, end, line.rstrip("\r\n"))
    control_ops.register_origins(made.__code__.co_filename, table, ctx.descriptions)


def _is_op_call(node: ast.AST, ag: str) -> bool:
    return isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and \
        isinstance(node.func.value, ast.Name) and node.func.value.id == ag and \
        node.func.attr in _OPS


def _strip_comments(tree: ast.AST) -> ast.AST:
    for node in ast.walk(tree):
        for field in ("body", "orelse", "finalbody"):
            stmts = getattr(node, field, None)
            if isinstance(stmts, list):
                stmts[:] = [s for s in stmts if not _is_comment(s)]
    return tree


def _is_comment(s: ast.AST) -> bool:
    return isinstance(s, ast.Expr) and isinstance(s.value, ast.Constant) and \
        isinstance(s.value.value, str) and s.value.value.startswith(COMMENT_MARK)


class _Context:
    """What all scopes of one conversion share: names, the resolver, what was generated."""

    def __init__(self, parsed: ParsedFunction) -> None:
        self.parsed = parsed
        taken = {n.id for n in gast.walk(parsed.node) if isinstance(n, gast.Name)}
        taken |= {n.name for n in gast.walk(parsed.node) if isinstance(n, (
            gast.FunctionDef, gast.AsyncFunctionDef, gast.ClassDef))}
        taken |= {(a.asname or a.name).split(".")[0] for a in gast.walk(parsed.node)
                  if isinstance(a, gast.alias)}
        taken |= set(_code_of(parsed.fn).co_freevars)
        self.taken = taken
        self.ag = self.fresh("ag")
        self.values = self.fresh("vars_")  # set_state's parameter (one per function scope)
        self.resolver = Resolver(parsed, local_names(parsed.node))
        self.descriptions: dict[str, str] = {}
        self.flags: set[str] = set()  # do_return, break_, continue_ flags made by lowering
        self.changed = False

    def fresh(self, base: str) -> str:
        """``base``, ``base_1``, ``base_2``...: the first name nobody uses yet."""
        name, n = base, 0
        while name in self.taken:
            n += 1
            name = f"{base}{n}" if base.endswith("_") else f"{base}_{n}"
        self.taken.add(name)
        return name

    def ag_attr(self, attr: str) -> gast.Attribute:
        return gast.Attribute(value=_name(self.ag), attr=attr, ctx=gast.Load())

    def comment(self, node: gast.stmt) -> gast.Expr:
        """``# converted from: <the user's line>  (file.py:12)``."""
        p, lineno = self.parsed, getattr(node, "lineno", None) or 0
        line = p.source_lines[lineno - 1].strip() if 0 < lineno <= len(p.source_lines) else ""
        where = f"{os.path.basename(p.filename)}:{lineno}"
        flag = getattr(node, "axc_guard", None)
        if flag is not None:  # the statements after one that may return or break
            line, where = f"if not {flag}:", f"after {where}"
        return gast.Expr(value=gast.Constant(
            value=f"{COMMENT_MARK}converted from: {line}  ({where})", kind=None))


# --- node helpers ----------------------------------------------------------------------------

def _name(ident: str, ctx: type = gast.Load) -> gast.Name:
    return gast.Name(id=ident, ctx=ctx(), annotation=None, type_comment=None)


def _const(value: Any) -> gast.Constant:
    return gast.Constant(value=value, kind=None)


def _assign(ident: str, value: gast.expr) -> gast.Assign:
    return gast.Assign(targets=[_name(ident, gast.Store)], value=value, type_comment=None)


def _call(func: gast.expr, args: list, keywords: list | None = None) -> gast.Call:
    return gast.Call(func=func, args=args, keywords=keywords or [])


def _params(names: Iterable[str]) -> gast.arguments:
    return gast.arguments(args=[_name(n, gast.Param) for n in names], posonlyargs=[],
                          vararg=None, kwonlyargs=[], kw_defaults=[], kwarg=None, defaults=[])


def _lambda(body: gast.expr) -> gast.Lambda:
    return gast.Lambda(args=_params([]), body=body)


def _not(e: gast.expr) -> gast.UnaryOp:
    return gast.UnaryOp(op=gast.Not(), operand=e)


def _names_tuple(names: Iterable[str], ctx: type = gast.Load) -> gast.Tuple:
    return gast.Tuple(elts=[_name(n, ctx) for n in names], ctx=ctx())


def _at(node: gast.AST, like: gast.AST) -> gast.AST:
    """``node`` located at ``like`` (operator calls carry their statement's position)."""
    for attr in ("lineno", "col_offset", "end_lineno", "end_col_offset"):
        setattr(node, attr, getattr(like, attr, None))
    return node


# --- scope-level analyses -----------------------------------------------------------------

_COMPREHENSIONS = (gast.ListComp, gast.SetComp, gast.DictComp, gast.GeneratorExp)


def _walk_scope(stmts: Iterable[gast.AST], comprehensions: bool = True) -> Iterator[gast.AST]:
    """Nodes of ``stmts`` in this function's scope: nested defs, lambdas and classes are
    yielded but not entered (their decorators and defaults are, being evaluated here);
    comprehensions are entered unless ``comprehensions`` is false."""
    todo = list(stmts)[::-1]
    while todo:
        node = todo.pop()
        yield node
        if not comprehensions and isinstance(node, _COMPREHENSIONS):
            children = [node.generators[0].iter]
        elif isinstance(node, (gast.FunctionDef, gast.AsyncFunctionDef)):
            children = node.decorator_list + node.args.defaults + \
                [d for d in node.args.kw_defaults if d is not None]
        elif isinstance(node, gast.Lambda):
            children = node.args.defaults + [d for d in node.args.kw_defaults if d is not None]
        elif isinstance(node, gast.ClassDef):
            children = node.decorator_list + node.bases + node.keywords
        else:
            children = list(gast.iter_child_nodes(node))
        todo.extend(reversed(children))


def _stores(target: gast.AST) -> list[str]:
    """Names a target binds (``a, (b, *c) = ...``), in order."""
    if isinstance(target, gast.Name):
        return [target.id]
    if isinstance(target, (gast.Tuple, gast.List)):
        return [n for e in target.elts for n in _stores(e)]
    if isinstance(target, gast.Starred):
        return _stores(target.value)
    return []


def _assigned(stmts: Iterable[gast.AST]) -> list[str]:
    """Names bound in this scope by ``stmts`` (first binding first)."""
    out: dict[str, None] = {}
    for node in _walk_scope(stmts, comprehensions=False):
        if isinstance(node, gast.Name) and isinstance(node.ctx, (gast.Store, gast.Del)):
            out[node.id] = None
        elif isinstance(node, (gast.FunctionDef, gast.AsyncFunctionDef, gast.ClassDef)):
            out[node.name] = None
        elif isinstance(node, gast.alias):
            out[(node.asname or node.name).split(".")[0]] = None
    return list(out)


def _reads(node: gast.AST | None) -> set[str]:
    """Names an expression (or statement) reads, free variables of nested scopes included."""
    if node is None:
        return set()
    if isinstance(node, gast.Name):
        return {node.id} if isinstance(node.ctx, gast.Load) else set()
    if isinstance(node, _COMPREHENSIONS):
        inner = set().union(*(_reads(c) for c in gast.iter_child_nodes(node)))
        bound = {n for g in node.generators for n in _stores(g.target)}
        return inner - bound | _reads(node.generators[0].iter)
    if isinstance(node, (gast.Lambda, gast.FunctionDef, gast.AsyncFunctionDef)):
        params = {a.id for a in _all_params(node.args)}
        inner = set().union(*(_reads(c) for c in gast.iter_child_nodes(node)))
        return inner - params
    return set().union(*(_reads(c) for c in gast.iter_child_nodes(node)))


def _all_params(args: gast.arguments) -> list[gast.Name]:
    out = list(args.posonlyargs) + list(args.args) + list(args.kwonlyargs)
    return out + [a for a in (args.vararg, args.kwarg) if a is not None]


def _captured(stmts: list) -> set[str]:
    """Names read or declared nonlocal by nested defs and lambdas: never made local to a
    generated function (a closure sees the function's variable, not a copy)."""
    out: set[str] = set()
    for node in _walk_scope(stmts):
        if isinstance(node, (gast.FunctionDef, gast.AsyncFunctionDef, gast.Lambda)):
            out |= _reads(node) | {n for s in gast.walk(node) if isinstance(s, gast.Nonlocal)
                                   for n in s.names}
    return out


def _declared(stmts: list, kind: type) -> set[str]:
    return {n for s in _walk_scope(stmts) if isinstance(s, kind) for n in s.names}


def _contains(stmts: Iterable[gast.AST], kinds: tuple, through_loops: bool = True) -> bool:
    """Whether this scope's part of ``stmts`` has a node of ``kinds`` (not looking inside
    nested loops when ``through_loops`` is false: their break/continue are their own)."""
    todo = list(stmts)
    while todo:
        node = todo.pop()
        if isinstance(node, kinds):
            return True
        if isinstance(node, _SCOPES) or (not through_loops and isinstance(node, _LOOPS)):
            if isinstance(node, _LOOPS):
                todo.extend(node.orelse)  # a loop's else belongs to the enclosing loop
            continue
        todo.extend(gast.iter_child_nodes(node))
    return False


class _Liveness:
    """Backward liveness over structured statements: what is live after each statement, at
    each loop head and at the start of each branch. Nested scopes count as reads of their
    free variables where they are defined; ``try`` is approximated (all it reads is live)."""

    def __init__(self, loop_reads: dict[int, str]) -> None:
        self.loop_reads = loop_reads  # a for loop's break flag, read before each iteration
        self.after: dict[int, set[str]] = {}
        self.head: dict[int, set[str]] = {}
        self.branches: dict[int, tuple[set[str], set[str]]] = {}

    def block(self, stmts: list, out: set[str], loop: tuple[set, set] | None = None) -> set:
        live = set(out)
        for s in reversed(stmts):
            live = self.stmt(s, live, loop)
        return live

    def stmt(self, s: gast.stmt, out: set[str], loop: tuple[set, set] | None) -> set[str]:
        self.after[id(s)] = out
        if isinstance(s, gast.Assign):
            stored = {n for t in s.targets for n in _stores(t)}
            return (out - stored) | _reads(s.value) | set().union(*map(_reads, s.targets))
        if isinstance(s, gast.AugAssign):
            return out | _reads(s.value) | _reads(s.target) | set(_stores(s.target))
        if isinstance(s, gast.AnnAssign):
            if s.value is None:
                return out
            return (out - set(_stores(s.target))) | _reads(s.value) | _reads(s.target)
        if isinstance(s, gast.Return):
            return _reads(s.value)
        if isinstance(s, gast.Break):
            return set(loop[0]) if loop else set(out)
        if isinstance(s, gast.Continue):
            return set(loop[1]) if loop else set(out)
        if isinstance(s, gast.If):
            body, orelse = self.block(s.body, out, loop), self.block(s.orelse, out, loop)
            self.branches[id(s)] = (body, orelse)
            return _reads(s.test) | body | orelse
        if isinstance(s, (gast.While, gast.For)):
            return self._loop(s, out, loop)
        if isinstance(s, (gast.FunctionDef, gast.AsyncFunctionDef, gast.ClassDef)):
            return (out - {s.name}) | _reads(s)
        if isinstance(s, (gast.Import, gast.ImportFrom)):
            return out - set(_assigned([s]))
        if isinstance(s, (gast.Expr, gast.Assert, gast.Raise, gast.Delete, gast.Pass,
                          gast.Global, gast.Nonlocal)):
            return out | _reads(s)
        everything = out | _reads(s)  # try, with, match: every read may matter
        for field in ("body", "orelse", "finalbody"):
            self.block(getattr(s, field, []) or [], everything, loop)
        for h in getattr(s, "handlers", []) or []:
            self.block(h.body, everything, loop)
        for case in getattr(s, "cases", []) or []:
            self.block(case.body, everything, loop)
        return everything

    def _loop(self, s: gast.While | gast.For, out: set[str], loop: Any) -> set[str]:
        after = self.block(s.orelse, out, loop)
        is_for = isinstance(s, gast.For)
        target = set(_stores(s.target)) if is_for else set()
        fixed = (_reads(s.target) if is_for else _reads(s.test)) | after
        fixed |= {self.loop_reads[id(s)]} if id(s) in self.loop_reads else set()
        head: set[str] = set(fixed)
        while True:
            body = self.block(s.body, head, (out, head))
            new = fixed | (body - target)
            if new == head:
                break
            head = new
        self.head[id(s)] = head
        return head | _reads(s.iter) if is_for else head


# --- lowering return, break and continue ----------------------------------------------------

class _Jumps:
    """Replaces one kind of jump by flag assignments; the statements after a statement that
    may jump move into its other branch when one branch always jumps, else under
    ``if not flag:``. ``lower`` returns the statements and whether they always jump.
    ``loop`` (for ``return``) rewrites a loop that contains the jump."""

    def __init__(self, kind: type, replace: Callable[[gast.stmt], list], flag: str,
                 through_loops: bool, loop: Callable[[gast.stmt], gast.stmt] | None = None):
        self.kind, self.replace, self.flag = kind, replace, flag
        self.through_loops, self.loop = through_loops, loop

    def has(self, s: gast.AST) -> bool:
        return _contains([s], (self.kind,), self.through_loops)

    def lower(self, stmts: list) -> tuple[list, bool]:
        out: list = []
        for i, s in enumerate(stmts):
            if isinstance(s, self.kind):
                return out + self.replace(s), True
            rest = stmts[i + 1:]
            if isinstance(s, _LOOPS) and self.loop is not None and self.has(s):
                out.append(self.loop(s))
            elif isinstance(s, gast.If) and self.has(s):
                body, body_jumps = self.lower(s.body)
                orelse, else_jumps = self.lower(s.orelse)
                if body_jumps and rest and not else_jumps:
                    orelse, else_jumps = self.lower(s.orelse + rest)
                    rest = []
                elif else_jumps and rest and not body_jumps:
                    body, body_jumps = self.lower(s.body + rest)
                    rest = []
                out.append(gast.copy_location(gast.If(test=s.test, body=body, orelse=orelse),
                                              s))
                if body_jumps and else_jumps:
                    return out, True
            else:
                out.append(s)
                continue
            if rest:
                guard = gast.copy_location(gast.If(test=_not(_name(self.flag)),
                                                   body=self.lower(rest)[0], orelse=[]), s)
                guard.axc_guard = self.flag
                out.append(guard)
            return out, False
        return out, False


def _lower_returns(fn: gast.FunctionDef, ctx: _Context) -> None:
    """Single exit: ``do_return`` / ``retval`` (only when a return sits in a branch or loop)."""
    doc = _docstring(fn.body)
    body = fn.body[len(doc):]
    if not any(isinstance(s, (gast.If,) + _LOOPS) and _contains([s], (gast.Return,))
               for s in body):
        return
    flag, value = ctx.fresh("do_return"), ctx.fresh("retval")
    ctx.flags.add(flag)
    ctx.descriptions[value] = "the return value"
    ctx.descriptions[flag] = "whether the function has returned"

    def replace(s: gast.Return, in_loop: bool = False) -> list:
        result = s.value if s.value is not None else _const(None)
        stmts = [_assign(flag, _const(True)), _assign(value, result)]
        return stmts + [gast.Break()] if in_loop else stmts

    jumps = _Jumps(gast.Return, replace, flag, through_loops=True,
                   loop=lambda s: _returns_in_loop(s, lambda r: replace(r, True), flag))
    new_body, always = jumps.lower(body)
    prefix = [_assign(flag, _const(False))] + ([] if always else [_assign(value, _const(None))])
    fn.body = doc + prefix + new_body + [gast.Return(value=_name(value))]
    if not _reads_name(fn, flag):
        _drop_assignments(fn, flag)


def _reads_name(tree: gast.AST, ident: str) -> bool:
    return any(isinstance(n, gast.Name) and n.id == ident and isinstance(n.ctx, gast.Load)
               for n in gast.walk(tree))


def _returns_in_loop(loop: gast.stmt, replace: Callable, flag: str) -> gast.stmt:
    """Inside a loop, ``return`` becomes flag, value and ``break``; after a nested loop that
    may return, ``if flag: break`` leaves the enclosing loop too."""
    def visit(stmts: list) -> list:
        out = []
        for s in stmts:
            if isinstance(s, gast.Return):
                out += replace(s)
            elif isinstance(s, gast.If):
                out.append(gast.copy_location(
                    gast.If(test=s.test, body=visit(s.body), orelse=visit(s.orelse)), s))
            elif isinstance(s, _LOOPS) and _contains([s], (gast.Return,)):
                leave = gast.If(test=_name(flag), body=[gast.Break()], orelse=[])
                out += [_loop_copy(s, visit(s.body), visit(s.orelse)),
                        gast.copy_location(leave, s)]
            else:
                out.append(s)  # returns inside try/with stay real returns
        return out
    return _loop_copy(loop, visit(loop.body), visit(loop.orelse))


def _loop_copy(loop: gast.stmt, body: list, orelse: list) -> gast.stmt:
    new = copy.copy(loop)
    new.body, new.orelse = body, orelse
    return new


def _docstring(body: list) -> list:
    first = body[0] if body else None
    if isinstance(first, gast.Expr) and isinstance(first.value, gast.Constant) and \
            isinstance(first.value.value, str):
        return [first]
    return []


def _drop_assignments(fn: gast.AST, flag: str) -> None:
    """Remove the stores of a flag nothing reads (a body left empty gets ``pass``)."""
    for node in gast.walk(fn):
        for field in ("body", "orelse"):
            stmts = getattr(node, field, None)
            if isinstance(stmts, list) and stmts:
                kept = [s for s in stmts if not (isinstance(s, gast.Assign) and
                                                 _stores(s.targets[0]) == [flag])]
                stmts[:] = kept or ([gast.Pass()] if field == "body" else [])


def _lower_loop(loop: gast.While | gast.For, ctx: _Context,
                flags: list[str]) -> tuple[list, str | None]:
    """``break``/``continue``/``else`` of one loop as flags (appended to ``flags``): the
    statements that replace the loop, and the break flag (tested before each iteration)."""
    def own(kind: type) -> bool:
        return _contains(loop.body, (kind,), through_loops=False)
    guarded = [n for n in _walk_scope(loop.body) if isinstance(n, (gast.Try, gast.With))]
    if any(_contains([n], (gast.Break, gast.Continue), through_loops=False) for n in guarded):
        return [loop], None  # a jump out of try/with cannot become a flag: leave the loop
    body, before, after, flag = loop.body, [], [], None
    if own(gast.Continue):
        cont = ctx.fresh("continue_")
        flags.append(cont)
        ctx.flags.add(cont)
        jumps = _Jumps(gast.Continue, lambda s: [_assign(cont, _const(True))], cont, False)
        body = [_assign(cont, _const(False))] + jumps.lower(body)[0]
    if own(gast.Break):
        flag = ctx.fresh("break_")
        flags.append(flag)
        ctx.flags.add(flag)
        jumps = _Jumps(gast.Break, lambda s: [_assign(flag, _const(True))], flag, False)
        body = jumps.lower(body)[0]
        before = [_assign(flag, _const(False))]
        if loop.orelse:
            guard = gast.copy_location(gast.If(test=_not(_name(flag)), body=loop.orelse,
                                               orelse=[]), loop)
            guard.axc_guard = flag
            after = [guard]
    elif loop.orelse:
        after = loop.orelse
    new = _loop_copy(loop, body, [])
    if flag is not None and isinstance(loop, gast.While):
        forever = isinstance(loop.test, gast.Constant) and loop.test.value is True
        new.test = _not(_name(flag)) if forever else \
            gast.BoolOp(op=gast.And(), values=[_not(_name(flag)), loop.test])
    return before + [new] + after, flag


# --- the converter ---------------------------------------------------------------------------

class _Scope:
    """Converts one function scope (the function itself, or a def nested in it)."""

    def __init__(self, ctx: _Context, fn: gast.FunctionDef) -> None:
        self.ctx, self.fn = ctx, fn
        self.break_flags: dict[int, str] = {}
        self.flags: list[str] = []  # break/continue flags made while lowering
        self.live = _Liveness(self.break_flags)

    def convert(self) -> gast.FunctionDef:
        fn = self.fn
        if _contains_yield(fn.body) or isinstance(fn, gast.AsyncFunctionDef):
            return fn  # the body cannot move into local functions
        _lower_returns(fn, self.ctx)
        fn.body = self._lower_loops(fn.body)
        tested = set(self.break_flags.values())  # read by extra_test, made later
        for flag in self.flags:
            if flag not in tested and not _reads_name(fn, flag):
                _drop_assignments(fn, flag)
        self.globals = _declared(fn.body, gast.Global)
        self.nonlocals = _declared(fn.body, gast.Nonlocal)
        self.locals = set(_assigned(fn.body)) | {a.id for a in _all_params(fn.args)}
        self.captured = _captured(fn.body)
        self.live.block(fn.body, set())
        bound = {a.id for a in _all_params(fn.args)} | self.globals | self.nonlocals
        fn.body = self._bind(self.block(fn.body), bound)
        self._convert_signature(fn)
        return fn

    def _convert_signature(self, fn: gast.FunctionDef) -> None:
        exprs = _Expressions(self)
        fn.decorator_list = [exprs.visit(d) for d in fn.decorator_list]
        fn.args.defaults = [exprs.visit(d) for d in fn.args.defaults]
        fn.args.kw_defaults = [d if d is None else exprs.visit(d) for d in fn.args.kw_defaults]

    def _lower_loops(self, stmts: list) -> list:
        """Lower break/continue/else of every convertible loop, innermost first."""
        out = []
        for s in stmts:
            for field in ("body", "orelse", "finalbody"):
                if isinstance(getattr(s, field, None), list) and not isinstance(s, _SCOPES):
                    setattr(s, field, self._lower_loops(getattr(s, field)))
            for h in getattr(s, "handlers", []) or []:
                h.body = self._lower_loops(h.body)
            if isinstance(s, _LOOPS) and not _contains_yield([s]):
                replaced, flag = _lower_loop(s, self.ctx, self.flags)
                if flag is not None:
                    self.break_flags[id(replaced[1])] = flag
                    self.ctx.descriptions[flag] = "the break flag"
                out += replaced
            else:
                out.append(s)
        return out

    # -- statements --------------------------------------------------------------------------
    def block(self, stmts: list) -> list:
        out = []
        for s in stmts:
            if not self._dead_flag(s):
                out += self.stmt(s)
        return out

    def _dead_flag(self, s: gast.stmt) -> bool:
        """A store of a return/break/continue flag that nothing reads afterwards."""
        if not (isinstance(s, gast.Assign) and isinstance(s.targets[0], gast.Name)):
            return False
        flag = s.targets[0].id
        return flag in self.ctx.flags and flag not in self.live.after.get(id(s), {flag})

    def stmt(self, s: gast.stmt) -> list:
        if isinstance(s, gast.If) and self._convertible(s):
            return self._if(s)
        if isinstance(s, gast.While) and self._convertible(s) and not _has_walrus(s.test):
            return self._while(s)
        if isinstance(s, gast.For) and self._convertible(s):
            return self._for(s)
        if isinstance(s, gast.FunctionDef):
            return [_Scope(self.ctx, s).convert()]
        if isinstance(s, (gast.ClassDef, gast.AsyncFunctionDef)):
            return [s]
        for field in ("body", "orelse", "finalbody"):
            if isinstance(getattr(s, field, None), list) and getattr(s, field):
                setattr(s, field, self.block(getattr(s, field)) or [gast.Pass()])
        for h in getattr(s, "handlers", []) or []:
            h.body = self.block(h.body) or [gast.Pass()]
        for case in getattr(s, "cases", []) or []:
            case.body = self.block(case.body) or [gast.Pass()]
        return [_Expressions(self).visit_statement_expressions(s)]

    def _convertible(self, s: gast.stmt) -> bool:
        """No jump or declaration that would change meaning inside a local function."""
        if isinstance(s, _LOOPS) and s.orelse:
            return False  # left by a loop whose break could not be lowered
        own = s.body + (s.orelse if isinstance(s, gast.If) else [])
        return not (_contains(own, (gast.Break, gast.Continue), through_loops=False)
                    or _contains([s], (gast.Return, gast.Global, gast.Nonlocal, gast.Yield,
                                       gast.YieldFrom, gast.Await)))

    def _keep(self, names: Iterable[str], live: set[str]) -> list[str]:
        """Which assigned names a local function must declare nonlocal (the others are its
        own temporaries: not live at its start or after it, not seen by closures)."""
        return [n for n in names if n not in self.globals and
                (n in live or n in self.captured or n in self.nonlocals)]

    def _if(self, s: gast.If) -> list:
        ctx, after = self.ctx, self.live.after[id(s)]
        ctx.changed = True
        body_in, else_in = self.live.branches[id(s)]
        assigned = _assigned(s.body + s.orelse)
        state = [n for n in assigned if n in after and n not in self.globals]
        test = _Expressions(self).test(s.test)
        body_name, else_name = ctx.fresh("if_body"), ctx.fresh("else_body")
        out = [ctx.comment(s)]
        out.append(self._def(body_name, [], self.block(s.body),
                             self._keep(_assigned(s.body), after | body_in),
                             _assigned(s.body), s))
        out.append(self._def(else_name, [], self.block(s.orelse),
                             self._keep(_assigned(s.orelse), after | else_in),
                             _assigned(s.orelse), s))
        args = [test, _name(body_name), _name(else_name)]
        out += self._state_functions(state, args, s)
        out.append(gast.Expr(value=_at(_call(ctx.ag_attr("if_stmt"), args), s)))
        return out

    def _while(self, s: gast.While) -> list:
        ctx, head = self.ctx, self.live.head[id(s)]
        ctx.changed = True
        assigned = _assigned(s.body)
        state = [n for n in assigned if n in head and n not in self.globals]
        test_name, body_name = ctx.fresh("loop_test"), ctx.fresh("loop_body")
        test = _Expressions(self).test(s.test)
        out = [ctx.comment(s),
               self._def(test_name, [], [gast.Return(value=test)], [], [], s),
               self._def(body_name, [], self.block(s.body), self._keep(assigned, head),
                         assigned, s)]
        args = [_name(test_name), _name(body_name)]
        out += self._state_functions(state, args, s)
        out.append(gast.Expr(value=_at(_call(ctx.ag_attr("while_stmt"), args), s)))
        return out

    def _for(self, s: gast.For) -> list:
        ctx, head = self.ctx, self.live.head[id(s)]
        ctx.changed = True
        targets = _stores(s.target)
        assigned = list(dict.fromkeys(targets + _assigned(s.body)))
        state = [n for n in assigned if n in head and n not in self.globals]
        keep = self._keep(assigned, head)
        body = self.block(s.body)
        if isinstance(s.target, gast.Name) and s.target.id not in keep + list(self.globals):
            param = s.target.id
        else:
            param = ctx.fresh("itr")
            body = [gast.Assign(targets=[s.target], value=_name(param), type_comment=None)] + body
        out = [ctx.comment(s)]
        body_name = ctx.fresh("loop_body")
        out.append(self._def(body_name, [param], body, keep, assigned, s))
        extra: gast.expr = _const(None)
        flag = self.break_flags.get(id(s))
        if flag is not None:
            extra_name = ctx.fresh("extra_test")
            test = _call(ctx.ag_attr("not_"), [_name(flag)])
            out.append(self._def(extra_name, [], [gast.Return(value=test)], [], [], s))
            extra = _name(extra_name)
        args = [_Expressions(self).iterable(s.iter), extra, _name(body_name)]
        out += self._state_functions(state, args, s)
        opts = self._for_options(s, state, targets)
        keywords = [gast.keyword(arg="opts", value=opts)] if opts is not None else []
        out.append(gast.Expr(value=_at(_call(ctx.ag_attr("for_stmt"), args, keywords), s)))
        return out

    def _for_options(self, s: gast.For, state: list, targets: list) -> gast.expr | None:
        keys, values = [], []
        iterate = [n for n in targets if n in state]
        if iterate:
            keys.append(_const("iterate_names"))
            values.append(gast.Tuple(elts=[_const(n) for n in iterate], ctx=gast.Load()))
        if _has_side_effects(s.body):
            keys.append(_const("side_effects"))
            values.append(_const(True))
        return gast.Dict(keys=keys, values=values) if keys else None

    # -- generated local functions -------------------------------------------------------------
    def _def(self, name: str, params: list[str], body: list, nonlocal_names: list[str],
             assigned: list[str], like: gast.stmt) -> gast.FunctionDef:
        decls = []
        if nonlocal_names:
            decls.append(gast.Nonlocal(names=list(nonlocal_names)))
        global_names = [n for n in assigned if n in self.globals]
        if global_names:
            decls.append(gast.Global(names=global_names))
        bound = set(params) | set(nonlocal_names) | set(global_names)
        body = decls + (self._bind(body, bound) or [gast.Pass()])
        return function_def(name, _params(params), body, like)

    def _state_functions(self, state: list[str], args: list, like: gast.stmt) -> list:
        """``get_state`` / ``set_state`` over ``state`` (appended to the call's ``args``)."""
        if not state:
            return []
        get_name, set_name = self.ctx.fresh("get_state"), self.ctx.fresh("set_state")
        values = self.ctx.values
        get = self._def(get_name, [], [gast.Return(value=_names_tuple(state))], [], [], like)
        unpack = gast.Assign(targets=[_names_tuple(state, gast.Store)], value=_name(values),
                             type_comment=None)
        put = self._def(set_name, [values], [unpack], state, [], like)
        args += [_name(get_name), _name(set_name),
                 gast.Tuple(elts=[_const(n) for n in state], ctx=gast.Load())]
        return [get, put]

    def _bind(self, body: list, bound: set[str]) -> list:
        """Bind ``x = ag.Undefined('x')`` where a local function first declares ``nonlocal x``
        and this function has no binding of ``x`` yet (Python requires one)."""
        bound, out, comments = set(bound), [], []
        for s in body:
            if _is_gast_comment(s):
                comments.append(s)  # stays with the statement it describes
                continue
            for n in _demands(s):
                if n not in bound and n in self.locals:  # others belong to outer scopes
                    value = _call(self.ctx.ag_attr("Undefined"), [_const(n)])
                    out.append(_assign(n, value))
                    bound.add(n)
            bound |= set(_assigned([s]))
            out += comments + [s]
            comments = []
        return out + comments


def _is_gast_comment(s: gast.AST) -> bool:
    return isinstance(s, gast.Expr) and isinstance(s.value, gast.Constant) and \
        isinstance(s.value.value, str) and s.value.value.startswith(COMMENT_MARK)


def _demands(s: gast.stmt) -> list[str]:
    """Names that functions defined directly in ``s`` declare nonlocal."""
    out: dict[str, None] = {}
    for node in _walk_scope([s]):
        if isinstance(node, (gast.FunctionDef, gast.AsyncFunctionDef)):
            for inner in node.body:
                if isinstance(inner, gast.Nonlocal):
                    out.update(dict.fromkeys(inner.names))
    return list(out)


def _contains_yield(stmts: list) -> bool:
    return _contains(stmts, (gast.Yield, gast.YieldFrom, gast.Await))


def _has_walrus(node: gast.AST) -> bool:
    return any(isinstance(n, gast.NamedExpr) for n in gast.walk(node))


def _has_side_effects(stmts: list) -> bool:
    """Whether a loop body may do more than assign variables: calls as statements (append,
    print), item or attribute stores, del. Calls inside expressions are assumed pure."""
    for node in _walk_scope(stmts):
        if isinstance(node, gast.Expr) and not isinstance(node.value, gast.Constant):
            return True
        if isinstance(node, (gast.Delete, gast.Global, gast.Nonlocal)):
            return True
        if isinstance(node, (gast.Subscript, gast.Attribute)) and \
                isinstance(node.ctx, (gast.Store, gast.Del)):
            return True
    return False


# --- expressions -----------------------------------------------------------------------------

class _Expressions(gast.NodeTransformer):
    """Ternaries to ``ag.if_exp``, user calls to ``ag.converted_call``, in one expression."""

    def __init__(self, scope: _Scope) -> None:
        self.scope, self.ctx = scope, scope.ctx

    def visit_statement_expressions(self, s: gast.stmt) -> gast.stmt:
        """Convert the expressions of a statement whose nested statements are done."""
        for field, value in gast.iter_fields(s):
            if isinstance(value, gast.expr):
                setattr(s, field, self.visit(value))
            elif isinstance(value, list):
                setattr(s, field, [self.visit(v) if isinstance(v, (gast.expr, gast.withitem,
                                                                   gast.keyword))
                                   else v for v in value])
        return s

    def visit_FunctionDef(self, node: gast.FunctionDef) -> gast.FunctionDef:
        return node  # converted as its own scope

    def visit_IfExp(self, node: gast.IfExp) -> gast.expr:
        self.generic_visit(node)
        if any(isinstance(n, (gast.NamedExpr, gast.Yield, gast.YieldFrom, gast.Await))
               for n in gast.walk(node)):
            return node
        self.ctx.changed = True
        args = [self.test(node.test, visited=True), _lambda(node.body), _lambda(node.orelse)]
        return _at(_call(self.ctx.ag_attr("if_exp"), args), node)

    def visit_Call(self, node: gast.Call) -> gast.expr:
        self.generic_visit(node)
        if not self._user_call(node.func):
            return node
        self.ctx.changed = True
        return gast.copy_location(
            _call(self.ctx.ag_attr("converted_call"), [node.func] + node.args, node.keywords),
            node)

    def _user_call(self, func: gast.expr) -> bool:
        """A call that may reach user code with control flow: a local name (its value is
        only known at run time), or a name or attribute naming a user function."""
        if isinstance(func, gast.Name) and func.id in self.ctx.resolver.local:
            return True
        if isinstance(func, (gast.Name, gast.Attribute)):
            obj = self.ctx.resolver.expr(func)
            jitted = type(obj).__name__ == "JitFunction"  # inlined while staging: convert
            return obj is not UNRESOLVED and (is_user_function(obj) or jitted)
        return False

    def test(self, node: gast.expr, visited: bool = False) -> gast.expr:
        """A condition: ``not``/``and``/``or`` become ``ag`` calls (traced operands)."""
        if _has_walrus(node):
            return node if visited else self.visit(node)
        if isinstance(node, gast.UnaryOp) and isinstance(node.op, gast.Not):
            return _call(self.ctx.ag_attr("not_"), [self.test(node.operand, visited)])
        if isinstance(node, gast.BoolOp):
            values = [self.test(v, visited) for v in node.values]
            op = "and_" if isinstance(node.op, gast.And) else "or_"
            result = values[-1]
            for v in reversed(values[:-1]):
                result = _call(self.ctx.ag_attr(op), [_lambda(v), _lambda(result)])
            return result
        return node if visited else self.visit(node)

    def iterable(self, node: gast.expr) -> gast.expr:
        """A loop's iterable; ``range(...)`` becomes ``ag.range_(...)`` (traced bounds)."""
        node = self.visit(node)
        if isinstance(node, gast.Call) and isinstance(node.func, gast.Name) and \
                self.ctx.resolver.expr(node.func) is range and not node.keywords:
            return gast.copy_location(_call(self.ctx.ag_attr("range_"), node.args), node)
        return node
