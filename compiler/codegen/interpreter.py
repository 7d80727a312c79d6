"""The fallback executor: run an IR ``Function`` by calling each primitive's eager ``impl``.

Equations that no backend kernel covers run here, on NumPy buffers. Slots are resolved
once, when the plan is built, so a call is a flat loop over precomputed steps.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from ..ir.ir import Atom, Eqn, Function, Literal


class SlotMap:
    """Numbers every value of a function: a run keeps them in one flat list."""

    def __init__(self) -> None:
        self.index: dict[int, int] = {}
        self.template: list[Any] = []

    def define(self, var: Any) -> int:
        self.index[id(var)] = len(self.template)
        self.template.append(None)
        return self.index[id(var)]

    def of(self, atom: Atom) -> int:
        if isinstance(atom, Literal):
            self.template.append(atom.value)
            return len(self.template) - 1
        return self.index[id(atom)]


def default_step(eqn: Eqn, slots: SlotMap) -> tuple:
    ins = tuple(slots.of(a) for a in eqn.inputs)
    outs = tuple(slots.define(v) for v in eqn.outputs)
    return eqn.prim.impl, ins, outs, eqn.params, eqn.prim.multiple_results


def plan(fn: Function, steps_for: Callable[[Eqn, SlotMap], tuple] | None = None
         ) -> Callable[[Sequence[np.ndarray]], list[np.ndarray]]:
    """A callable ``run(param_buffers) -> result_buffers`` for ``fn``.

    ``steps_for`` lets a backend supply the step of an equation (a compiled kernel); it
    returns a tuple ``(callable, in_slots, out_slots, params, many)``.
    """
    slots = SlotMap()
    for v, value in zip(fn.consts, fn.const_values):
        slots.template[slots.define(v)] = value
    first = len(slots.template)
    for v in fn.params:
        slots.define(v)
    stop = len(slots.template)
    steps = [(steps_for or default_step)(eqn, slots) for eqn in fn.eqns]
    results = [slots.of(a) for a in fn.results]
    template = slots.template

    def run(args: Sequence[np.ndarray]) -> list[np.ndarray]:
        env = template[:]
        env[first:stop] = args
        for impl, ins, outs, params, many in steps:
            out = impl(*[env[i] for i in ins], **params)
            if many:
                for i, o in zip(outs, out):
                    env[i] = o if type(o) is np.ndarray else np.asarray(o)
            else:
                env[outs[0]] = out if type(out) is np.ndarray else np.asarray(out)
        return [env[i] for i in results]
    return run
