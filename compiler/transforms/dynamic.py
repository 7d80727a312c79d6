"""Calls whose callee is known only when they run, as generated functions with source.

``ad.call_fwd(fn, *args, **kwargs)`` meets a function value (or a call deferred until it
runs): for the function and the argument pattern it meets it generates a small *adapter*,
``def call_sin(a0): return sin(a0)``, and differentiates that like any other function. The
adapter's adjoint returns cotangents laid out as the call's arguments,
``((positional...), {keyword: ...})``, which is what ``ad.call_bwd`` hands back.

Differentiating generated code again meets ``ad.call_fwd``, ``ad.call_bwd``,
``ad.prim_adjoint`` and ``ad.prim_adjoints`` themselves as callees known only at run time
(the transform emits ``ad.call_fwd(ad.call_fwd, fn, x)``). Each resolves, from its run-time
arguments, to an adapter whose source states what it computes::

    def fwd_of_call_sin(a0, a1):          # ad.call_fwd(sin, x), as a function of (sin, x)
        out, saved = call_sin_fwd(a1)
        return out, (call_sin_bwd, saved)

so derivatives of any order need nothing but the source transform.
"""
from __future__ import annotations

import types
import weakref
from collections.abc import Callable
from typing import Any

from ...runtime.pytree import tree_flatten
from . import callees, support
from .emit import compile_text
from .reverse import Pair, pair_for

_MODULE = __name__  # adapters count as axc's own code (the fence trusts them)


def pair_of_call(fn: Any, args: tuple, kwargs: dict) -> Pair | None:
    """The adapter pair of ``fn(*args, **kwargs)``, or None when no derivative flows (no
    float array among the arguments, an inactive callee or result)."""
    if not _has_data((args, kwargs)):
        return None
    resolver = _RESOLVERS.get(fn) if isinstance(fn, types.FunctionType) else None
    adapter = resolver(args, kwargs) if resolver is not None else \
        _call_adapter(fn, len(args), tuple(kwargs))
    if adapter is None:
        return None
    params = _parameters(adapter)
    values = list(args) + [kwargs[k] for k in params[len(args):]]
    active = frozenset(p for p, v in zip(params, values) if _has_data(v))
    if not active:
        return None
    pair = pair_for(adapter, active, adapter=True)
    return pair if pair.out_active else None


# --- adapters ---------------------------------------------------------------------------------

def _call_adapter(fn: Any, n: int, keywords: tuple) -> Callable | None:
    """``def call_f(a0, ..., *, k): return f(a0, ..., k=k)`` (None: no derivative)."""
    callee = callees.classify(fn)
    if callee.kind in (callees.INACTIVE, callees.STOP):
        return None
    if callee.kind not in (callees.PRIM, callees.RECURSE, callees.CUSTOM, callees.HELPER) \
            or callee.bound_self:
        raise TypeError(f"axc cannot differentiate through {fn!r}: it is not a Python function "
                        f"whose source axc can read, nor an axc primitive")
    cache = _cache(fn)
    key = (n, keywords)
    if key not in cache:
        name = _name(fn, keywords)
        cache[key] = _compile(f"call_{name}", n, keywords, {name: fn},
                              [f"return {name}({_arguments(n, keywords)})"])
    return cache[key]


def _fwd_adapter(args: tuple, kwargs: dict) -> Callable | None:
    """``ad.call_fwd(fn, *rest)`` as a function of ``(fn, *rest)``."""
    inner = pair_of_call(args[0], args[1:], kwargs)
    if inner is None:
        return None
    if "fwd" not in inner.derived:
        fwd, bwd = _name(inner.fwd), _name(inner.bwd)
        call = _arguments(len(args), tuple(kwargs), start=1)
        inner.derived["fwd"] = _compile(
            f"fwd_of_{_name(inner.fwd).removesuffix('_fwd')}", len(args), tuple(kwargs),
            {fwd: inner.fwd, bwd: inner.bwd},
            [f"out, saved = {fwd}({call})", f"return out, ({bwd}, saved)"])
    return inner.derived["fwd"]


def _bwd_adapter(args: tuple, kwargs: dict) -> Callable | None:
    """``ad.call_bwd(record, g)`` as a function of ``(record, g)``."""
    record, g = args
    if record is None or g is None:
        return None
    bwd = record[0]
    cache = _cache(bwd)
    if "bwd" not in cache:
        name = _name(bwd)
        cache["bwd"] = _compile(f"bwd_of_{name.removesuffix('_bwd')}", 2, (), {name: bwd},
                                ["saved = a0[1]", f"return {name}(saved, a1)"])
    return cache["bwd"]


def _prim_adjoint_adapter(args: tuple, kwargs: dict) -> Callable | None:
    """``ad.prim_adjoint(prim, i, g, ans, *operands)``: the primitive's adjoint template."""
    prim, i = args[0], args[1]
    key = ("adjoint", prim, i, len(args), tuple(kwargs))
    if key not in _PRIM_ADAPTERS:
        call = _template_call(prim, i, 2, len(args), tuple(kwargs))
        _PRIM_ADAPTERS[key] = None if call is None else _compile(
            f"{prim.name}_adjoint{i}", len(args), tuple(kwargs), call[1], [f"return {call[0]}"])
    return _PRIM_ADAPTERS[key]


def _prim_adjoints_adapter(args: tuple, kwargs: dict) -> Callable | None:
    """``ad.prim_adjoints(prim, g, ans, *operands)``: a tuple of template calls."""
    prim, operands = args[0], args[3:]
    mask = tuple(support.differentiable(x) for x in operands)
    key = ("adjoints", prim, mask, len(args), tuple(kwargs))
    if key not in _PRIM_ADAPTERS:
        names: dict = {}
        parts = []
        for i, active in enumerate(mask):
            call = _template_call(prim, i, 1, len(args), tuple(kwargs)) if active else None
            parts.append("None" if call is None else call[0])
            names.update(call[1] if call is not None else {})
        body = f"return ({', '.join(parts)}{',' if len(parts) == 1 else ''})"
        _PRIM_ADAPTERS[key] = _compile(f"{prim.name}_adjoints", len(args), tuple(kwargs),
                                       names, [body])
    return _PRIM_ADAPTERS[key]


def _template_call(prim: Any, i: int, g_at: int, n: int, keywords: tuple) -> tuple | None:
    """The source of a call of ``prim``'s adjoint template of operand ``i`` (cotangent in
    ``a<g_at>``, result next, operands after), and the names it uses; None: no template."""
    template = prim.adjoint(i)
    if template is None:
        return None
    name = _name(template)
    g = f"a{g_at}"
    names = {name: template}
    if prim.multiple_results:
        g = f"materialize(a{g_at}, a{g_at + 1})"
        names["materialize"] = support.materialize
    params = [f"{k}={k}" for k in keywords]
    if len(prim.adjoint.per_operand) <= i:
        params.append(f"index={i}")
    operands = [g] + [f"a{j}" for j in range(g_at + 1, n)] + params
    return f"{name}({', '.join(operands)})", names


_RESOLVERS: dict[Callable, Callable] = {
    support.call_fwd: _fwd_adapter,
    support.call_bwd: _bwd_adapter,
    support.prim_adjoint: _prim_adjoint_adapter,
    support.prim_adjoints: _prim_adjoints_adapter,
}
_PRIM_ADAPTERS: dict[tuple, Callable | None] = {}
_WEAK: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
_STRONG: dict[Any, dict] = {}  # bound methods (``p.bind``) are new objects on each access


def _cache(fn: Any) -> dict:
    if isinstance(fn, types.FunctionType):
        return _WEAK.setdefault(fn, {})
    return _STRONG.setdefault(fn, {})


def _compile(name: str, n: int, keywords: tuple, names: dict, body: list[str]) -> Callable:
    """A function ``name(a0, ..., a<n-1>, *, keywords...)`` with ``body``, run with
    ``names`` as its globals; its source is kept for the transforms to read."""
    params = [f"a{i}" for i in range(n)] + (["*"] + list(keywords) if keywords else [])
    text = f"def {name}({', '.join(params)}):\n" + "".join(f"    {line}\n" for line in body)
    return compile_text(text, names, _MODULE)


def _arguments(n: int, keywords: tuple, start: int = 0) -> str:
    return ", ".join([f"a{i}" for i in range(start, n)] + [f"{k}={k}" for k in keywords])


def _parameters(fn: Callable) -> list[str]:
    code = fn.__code__
    return list(code.co_varnames[:code.co_argcount + code.co_kwonlyargcount])


def _name(fn: Any, keywords: tuple = ()) -> str:
    """A readable identifier for ``fn`` that no adapter parameter uses."""
    name = getattr(fn, "__name__", None) or "fn"
    if not name.isidentifier() or name.startswith("a") and name[1:].isdigit():
        name = "fn"
    while name in keywords:
        name += "_fn"
    return name


def _has_data(x: Any) -> bool:
    """Whether ``x`` holds a float array anywhere (in pytrees, records and tapes)."""
    leaves, _ = tree_flatten(x)
    return any(_has_data(list(v)) if isinstance(v, support.Tape) else support.differentiable(v)
               for v in leaves)
