"""Name resolution: which object a name or dotted attribute in a function's source refers to.

Globals, closure cells, builtins and module attributes resolve to the objects they name, so
transforms never depend on how the user spelled an import (``np``, ``jnp``, ``from axc.numpy
import sin``). Local variables (assigned in the function, or its parameters) do not resolve:
their values exist only at run time.
"""
from __future__ import annotations

import builtins
import types
from typing import Any

from ...kernels.registry import Primitive
from .gast_compat import gast
from .source import ParsedFunction


class Unresolved:
    """The marker for a name whose object is only known at run time."""

    def __repr__(self) -> str:
        return "UNRESOLVED"


UNRESOLVED = Unresolved()

# Attributes that may be read statically: modules, classes, functions and primitives are not
# user data, so reading their attributes runs no user code (properties live on instances).
_STATIC_OWNERS = (types.ModuleType, type, types.FunctionType, types.BuiltinFunctionType,
                  Primitive)


def local_names(fn: gast.FunctionDef) -> set[str]:
    """Names bound inside ``fn``: parameters, assignment/loop targets, nested defs."""
    names = {a.id for a in _all_args(fn.args)}
    for node in gast.walk(fn):
        if node is fn:
            continue
        if isinstance(node, gast.Name) and isinstance(node.ctx, (gast.Store, gast.Del)):
            names.add(node.id)
        elif isinstance(node, gast.FunctionDef):
            names.add(node.name)
    return names


def _all_args(args: gast.arguments) -> list:
    out = list(args.posonlyargs) + list(args.args) + list(args.kwonlyargs)
    out += [a for a in (args.vararg, args.kwarg) if a is not None]
    return out


class Resolver:
    """Resolves names of one parsed function (locals stay unresolved)."""

    def __init__(self, parsed: ParsedFunction, local: set[str] | None = None) -> None:
        self.parsed = parsed
        self.local = local_names(parsed.node) if local is None else local

    def name(self, ident: str) -> Any:
        if ident in self.local:
            return UNRESOLVED
        if ident in self.parsed.closure:
            return self.parsed.closure[ident]
        g = self.parsed.globals
        if ident in g:
            return g[ident]
        return getattr(builtins, ident, UNRESOLVED)

    def expr(self, node: gast.expr) -> Any:
        """The object a Name or dotted Attribute chain names, or UNRESOLVED."""
        if isinstance(node, gast.Name):
            return self.name(node.id)
        if isinstance(node, gast.Attribute):
            owner = self.expr(node.value)
            if owner is UNRESOLVED or not isinstance(owner, _STATIC_OWNERS):
                return UNRESOLVED
            return getattr(owner, node.attr, UNRESOLVED)
        return UNRESOLVED
