"""Instantiating derivative templates: a template's one-line body is inlined with its
parameters replaced by the caller's expressions (as Tangent does); a longer template is
called instead. Globals the template uses are bound in the generated namespace."""
from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from typing import Any

from ..frontend.gast_compat import gast
from ..frontend.resolve import UNRESOLVED, Resolver
from ..frontend.source import parse_function
from .namespace import Namespace, clone


@functools.cache
def _shape(template: Callable):
    """(parameter list, body expression or None, has **kwargs, resolver) of a template."""
    parsed = parse_function(template)
    args = parsed.node.args
    params = [a.id for a in list(args.posonlyargs) + list(args.args) + list(args.kwonlyargs)]
    body = [s for s in parsed.node.body
            if not (isinstance(s, gast.Expr) and isinstance(s.value, gast.Constant))]
    expr = body[0].value if len(body) == 1 and isinstance(body[0], gast.Return) else None
    return params, expr, args.kwarg is not None or args.vararg is not None, Resolver(parsed)


def instantiate(template: Callable, positional: list, keywords: dict, ns: Namespace) -> gast.expr:
    """An expression applying ``template`` to ``positional`` and ``keywords`` (gast exprs)."""
    params, expr, variadic, resolver = _shape(template)
    if expr is None or variadic or len(positional) > len(params):
        return _call(template, positional, keywords, ns)
    bindings = dict(zip(params, positional))
    defaults = _defaults(template)
    for p in params[len(positional):]:
        if p in keywords:
            bindings[p] = keywords[p]
        elif p in defaults:
            bindings[p] = gast.Constant(value=defaults[p], kind=None) \
                if _literal(defaults[p]) else ns.ref(defaults[p])
        else:
            return _call(template, positional, keywords, ns)
    return _substitute(clone(expr), bindings, resolver, ns)


def _call(template: Callable, positional: list, keywords: dict, ns: Namespace) -> gast.Call:
    return gast.Call(func=ns.ref(template), args=[clone(p) for p in positional],
                     keywords=[gast.keyword(arg=k, value=clone(v))
                               for k, v in keywords.items()])


def _defaults(fn: Callable) -> dict[str, Any]:
    return {k: p.default for k, p in inspect.signature(fn).parameters.items()
            if p.default is not inspect.Parameter.empty}


def _literal(v: Any) -> bool:
    return v is None or isinstance(v, (bool, int, float, str))


def _substitute(expr: gast.expr, bindings: dict, resolver: Resolver, ns: Namespace) -> gast.expr:
    class Sub(gast.NodeTransformer):
        def visit_Name(self, node: gast.Name) -> gast.expr:
            if node.id in bindings:
                return clone(bindings[node.id])
            obj = resolver.name(node.id)
            return node if obj is UNRESOLVED else ns.ref(obj, node.id)

        def visit_Attribute(self, node: gast.Attribute) -> gast.expr:
            obj = resolver.expr(node)
            if obj is not UNRESOLVED and not _is_local_chain(node, bindings):
                return ns.ref(obj, node.attr)
            self.generic_visit(node)
            return node

    return Sub().visit(expr)


def _is_local_chain(node: gast.expr, bindings: dict) -> bool:
    while isinstance(node, gast.Attribute):
        node = node.value
    return isinstance(node, gast.Name) and node.id in bindings
