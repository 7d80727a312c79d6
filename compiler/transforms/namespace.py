"""The global namespace of a generated module, and readable names for the objects it uses.

Generated code runs with the user's globals and closure values, plus the helpers it calls
under public spellings: ``jnp`` (axc.numpy), ``ad`` (derivative helpers), ``<name>_p``
(primitives). A helper never shadows a user's name: it gets a suffix instead.
"""
from __future__ import annotations

import types
from typing import Any

from ...kernels import numpy as jnp_pkg
from ...kernels.registry import Primitive
from ..frontend.gast_compat import gast
from . import support


def clone(node: Any) -> Any:
    """A copy of a gast tree (faster than ``copy.deepcopy``; annotations such as ``axc_op``
    are shared, not copied)."""
    if isinstance(node, list):
        return [clone(x) for x in node]
    if not isinstance(node, gast.AST) or isinstance(node, gast.expr_context):
        return node
    new = type(node).__new__(type(node))
    new.__dict__.update({k: clone(v) for k, v in node.__dict__.items()})
    return new


def fresh_name(base: str, taken: set[str]) -> str:
    """``base``, ``base2``, ``base3``...: the first name not in ``taken`` (which gets it)."""
    name, n = base, 1
    while name in taken:
        n += 1
        name = f"{base}{n}"
    taken.add(name)
    return name


def name_node(ident: str) -> gast.Name:
    return gast.Name(id=ident, ctx=gast.Load(), annotation=None, type_comment=None)


def attr_node(value: gast.expr, attr: str) -> gast.Attribute:
    return gast.Attribute(value=value, attr=attr, ctx=gast.Load())


class Namespace:
    """A module namespace being built: ``ref(obj)`` gives an expression naming ``obj``."""

    def __init__(self, base: dict[str, Any]) -> None:
        self.globals: dict[str, Any] = dict(base)
        self._names: dict[int, str] = {}
        self.locals: set[str] = set()  # names of the generated function's own variables

    def bind(self, hint: str, obj: Any) -> str:
        """A name for ``obj`` in this namespace (``hint`` when free or already ``obj``)."""
        known = self._names.get(id(obj))
        if known is not None and self.globals.get(known) is obj:
            return known
        name, n = hint, 1
        while name in self.locals or (name in self.globals and self.globals[name] is not obj):
            n += 1
            name = f"{hint}{n}"
        self.globals[name] = obj
        self._names[id(obj)] = name
        return name

    def ref(self, obj: Any, hint: str | None = None) -> gast.expr:
        if isinstance(obj, types.MethodType) and isinstance(obj.__self__, Primitive):
            prim = obj.__self__
            return attr_node(name_node(self.bind(f"{prim.name}_p", prim)), obj.__name__)
        if isinstance(obj, Primitive):
            return name_node(self.bind(f"{obj.name}_p", obj))
        public = _public_name(obj)
        if public is not None:
            module, attr = public
            return attr_node(self.ref(module), attr)
        if obj is jnp_pkg:
            return name_node(self.bind("jnp", obj))
        if obj is support:
            return name_node(self.bind("ad", obj))
        if isinstance(obj, types.ModuleType):
            return name_node(self.bind(hint or obj.__name__.rsplit(".", 1)[-1], obj))
        return name_node(self.bind(hint or getattr(obj, "__name__", "fn"), obj))

    def ad(self, helper: str) -> gast.expr:
        return attr_node(self.ref(support), helper)


def _public_name(obj: Any) -> tuple[Any, str] | None:
    """(module, name) when ``obj`` is exported by axc.numpy or is an ``ad`` helper."""
    name = getattr(obj, "__name__", None)
    if not isinstance(name, str) or isinstance(obj, types.ModuleType):
        return None
    if getattr(support, name, None) is obj:
        return support, name
    try:
        if getattr(jnp_pkg, name, None) is obj:
            return jnp_pkg, name
    except Exception:  # noqa: BLE001 - a lazy attribute that fails is simply not public
        return None
    return None
