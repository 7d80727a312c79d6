"""Dead-code elimination: drop equations whose results nobody uses, and unused constants."""
from __future__ import annotations

from ..ir import Function, Var


def dce(fn: Function) -> Function:
    live = {id(a) for a in fn.results if isinstance(a, Var)}
    kept = []
    for eqn in reversed(fn.eqns):
        if any(id(v) in live for v in eqn.outputs):
            kept.append(eqn)
            live.update(id(a) for a in eqn.inputs if isinstance(a, Var))
    kept.reverse()
    consts = [(v, c) for v, c in zip(fn.consts, fn.const_values) if id(v) in live]
    return Function(fn.params, fn.results, kept, [v for v, _ in consts],
                    [c for _, c in consts], fn.name)
