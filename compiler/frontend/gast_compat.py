"""The one module that imports gast: parsing, ast<->gast conversion, version-drift shims."""
from __future__ import annotations

import ast

import gast

__all__ = ["from_python_ast", "function_def", "gast", "node_type", "parse", "to_python_ast",
           "unparse"]


def parse(src: str, filename: str = "<unknown>") -> gast.Module:
    """Parse Python source into a gast module."""
    return gast.ast_to_gast(ast.parse(src, filename))


def to_python_ast(node: gast.AST) -> ast.AST:
    """A standard-library ``ast`` copy of a gast tree (positions kept)."""
    return gast.gast_to_ast(node)


def from_python_ast(node: ast.AST) -> gast.AST:
    """A gast copy of a standard-library ``ast`` tree (positions kept; new nodes throughout)."""
    return gast.ast_to_gast(node)


def unparse(node: gast.AST) -> str:
    """Python source for a gast tree, through the standard library's ``ast.unparse``."""
    return ast.unparse(to_python_ast(node))


def function_def(name: str, args: gast.arguments, body: list, like: gast.AST) -> gast.FunctionDef:
    """A decorator-less ``FunctionDef`` at ``like``'s position. gast added fields over versions
    (``type_params`` in 0.6), so only the fields this gast declares are filled in."""
    fields = {"name": name, "args": args, "body": body, "decorator_list": [], "returns": None,
              "type_comment": None, "type_params": []}
    node = gast.FunctionDef(**{f: fields[f] for f in gast.FunctionDef._fields})
    return gast.copy_location(node, like)


def node_type(name: str) -> type | None:
    """The gast node class called ``name``, or None where this gast predates it (``TryStar``,
    ``Match``, ``TypeAlias``): tables of node types stay valid across gast versions."""
    return getattr(gast, name, None)
