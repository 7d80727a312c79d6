"""The fence: reject, up front and at the user's line and column, Python axc cannot transform."""
from __future__ import annotations

from typing import NamedTuple

from .errors import UnsupportedSyntaxError
from .gast_compat import gast, node_type
from .source import ParsedFunction

_ASYNC = "axc transforms ordinary functions: use def, plain loops and plain calls"
_GENERATOR = "return the values together (a list, a tuple or an array) instead of yielding them"
_SCOPE = "pass the value in as an argument and return the new value"
_TRY = ("move error handling out of the function being transformed: put the try/except "
        "around the call instead")
_IMPORT = "import at module level"
_WITH = "enter the context outside the function being transformed, around the call"
_DELETE = ("rebind the name instead, or let it go out of scope (arrays are immutable: use "
           "x.at[i].set(v) for a changed copy)")

# Node type name -> (what it is, what to do instead). Rejected wherever it appears, nested
# defs and lambdas included. Names, not classes, so a gast without TryStar or Match still loads.
_REJECTED_BY_NAME: dict[str, tuple[str, str]] = {
    "Yield": ("`yield` (a generator)", _GENERATOR),
    "YieldFrom": ("`yield from` (a generator)", _GENERATOR),
    "AsyncFunctionDef": ("`async def`", _ASYNC),
    "Await": ("`await`", _ASYNC),
    "AsyncFor": ("`async for`", _ASYNC),
    "AsyncWith": ("`async with`", _ASYNC),
    "ClassDef": ("a class definition inside the function", "define the class at module level"),
    "Global": ("`global`", _SCOPE),
    "Nonlocal": ("`nonlocal`", _SCOPE),
    "Try": ("`try` (exception handling)", _TRY),
    "TryStar": ("`try`/`except*` (exception handling)", _TRY),
    "With": ("a `with` block", _WITH),
    "Delete": ("`del`", _DELETE),
    "Import": ("`import` inside the function", _IMPORT),
    "ImportFrom": ("`from ... import` inside the function", _IMPORT),
    "Match": ("a `match` statement", "use if/elif/else"),
    "NamedExpr": ("the walrus operator `:=`", "assign in a statement of its own first"),
    "TypeAlias": ("a `type` alias statement", "define the alias at module level"),
}
_REJECTED = {node_type(name): entry for name, entry in _REJECTED_BY_NAME.items()
             if node_type(name) is not None}


class _Problem(NamedTuple):
    node: gast.AST
    what: str
    hint: str


def check(parsed: ParsedFunction) -> None:
    """Raise one UnsupportedSyntaxError, at the first unsupported construct in source order."""
    fence = _Fence()
    fence.visit(parsed.node)
    if fence.problems:
        first = min(fence.problems, key=lambda p: (p.node.lineno, p.node.col_offset))
        raise UnsupportedSyntaxError.located(
            f"{first.what} is not supported by axc's transformations", first.node, parsed,
            hint=first.hint)


class _Fence(gast.NodeVisitor):
    """One method per construct that needs more than the table; records every problem."""

    def __init__(self):
        self.problems: list[_Problem] = []

    def reject(self, node: gast.AST, what: str, hint: str) -> None:
        self.problems.append(_Problem(node, what, hint))

    def visit(self, node: gast.AST) -> None:
        rejected = _REJECTED.get(type(node))
        if rejected is not None:
            self.reject(node, *rejected)  # not descended into: one error per construct
        else:
            super().visit(node)

    def visit_For(self, node: gast.For) -> None:
        self._loop_else(node, "for")
        self.generic_visit(node)

    def visit_While(self, node: gast.While) -> None:
        self._loop_else(node, "while")
        self.generic_visit(node)

    def _loop_else(self, node: gast.AST, keyword: str) -> None:
        if node.orelse:
            self.reject(node, f"an `else` block on a `{keyword}` loop (line "
                              f"{node.orelse[0].lineno})",
                        "set a flag before `break` and test it after the loop")

    def visit_Attribute(self, node: gast.Attribute) -> None:
        if isinstance(node.ctx, gast.Store):
            self.reject(node, "assignment to an attribute",
                        "transformed functions must not mutate objects (arrays are immutable):"
                        " bind the value to a new variable, or use x.at[i].set(v) for arrays")
        self.generic_visit(node)

    def visit_Starred(self, node: gast.Starred) -> None:
        if isinstance(node.ctx, gast.Store):
            self.reject(node, "a starred assignment target",
                        "unpack a fixed number of values and slice the rest, e.g. "
                        "`a, rest = xs[0], xs[1:]`")
        self.generic_visit(node)

    def visit_AnnAssign(self, node: gast.AnnAssign) -> None:
        if node.value is None:
            self.reject(node, "an annotation without a value",
                        "assign a value (`x: float = 0.0`) or drop the annotation")
        self.generic_visit(node)

    def _comprehension(self, node: gast.AST) -> None:
        # `async for` inside a comprehension is a flag on the generator, which has no position.
        if any(generator.is_async for generator in node.generators):
            self.reject(node, "an `async for` comprehension", _ASYNC)
        self.generic_visit(node)

    visit_ListComp = visit_SetComp = visit_DictComp = visit_GeneratorExp = _comprehension
