"""Renaming values: replace uses of some variables by other atoms."""
from __future__ import annotations

from ..ir import Atom, Eqn, Function


def resolve(atom: Atom, subst: dict[int, Atom]) -> Atom:
    while id(atom) in subst:
        atom = subst[id(atom)]
    return atom


def renamed(eqn: Eqn, subst: dict[int, Atom]) -> Eqn:
    """``eqn`` with its inputs renamed through ``subst`` (a new equation only if one changed;
    passes must not modify equations they do not own)."""
    inputs = [resolve(a, subst) for a in eqn.inputs]
    if all(a is b for a, b in zip(inputs, eqn.inputs)):
        return eqn
    return Eqn(eqn.prim, inputs, eqn.outputs, eqn.params, eqn.where)


def apply(fn: Function, eqns: list[Eqn], subst: dict[int, Atom]) -> Function:
    """``fn`` with equations ``eqns`` and every input/result renamed through ``subst``."""
    if subst:
        for eqn in eqns:
            eqn.inputs = [resolve(a, subst) for a in eqn.inputs]
    results = [resolve(a, subst) for a in fn.results]
    return Function(fn.params, results, eqns, fn.consts, fn.const_values, fn.name)
