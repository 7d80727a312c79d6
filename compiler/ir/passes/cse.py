"""Common-subexpression elimination: one equation per (primitive, inputs, params)."""
from __future__ import annotations

from typing import Any

from ..ir import Atom, Eqn, Function, Literal
from .substitute import apply, resolve


def _atom_key(a: Atom) -> Any:
    if isinstance(a, Literal):
        return ("lit", a.value.dtype.str, a.value.tobytes(), a.aval.weak_type)
    return id(a)


def _key(eqn: Eqn) -> Any:
    try:
        params = tuple(sorted(eqn.params.items()))
        hash(params)
    except TypeError:  # unhashable params (regions, arrays): never merged
        return None
    return eqn.prim, tuple(_atom_key(a) for a in eqn.inputs), params


def cse(fn: Function) -> Function:
    seen: dict[Any, Eqn] = {}
    subst: dict[int, Atom] = {}
    kept = []
    for eqn in fn.eqns:
        eqn.inputs = [resolve(a, subst) for a in eqn.inputs]
        key = _key(eqn)
        first = seen.get(key) if key is not None else None
        if first is None:
            if key is not None:
                seen[key] = eqn
            kept.append(eqn)
            continue
        for old, new in zip(eqn.outputs, first.outputs):
            subst[id(old)] = new
    return apply(fn, kept, subst)
