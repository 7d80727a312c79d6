"""The fallback executor: run an IR ``Function`` by calling each primitive's eager ``impl``.

Equations that no backend kernel covers run here, on NumPy buffers. Slots are resolved
once, when the plan is built, so a call is a flat loop over precomputed steps. An update
that ``passes.inplace`` marked (``eqn.donate``) overwrites its operand instead of copying it.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from ...kernels.indexing import INPLACE_IMPLS
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
    """The step running ``eqn`` with its primitive's ``impl`` (or, for an equation that
    ``passes.inplace`` marked, an ``InPlaceStep`` choosing between the impls at run time)."""
    ins = tuple(slots.of(a) for a in eqn.inputs)
    if getattr(eqn, "donate", ()):
        guards = tuple(slots.of(a) for a in eqn.disjoint_from)
        outs = tuple(slots.define(v) for v in eqn.outputs)
        step = InPlaceStep(eqn.prim.impl, _INPLACE[eqn.prim.name], len(ins))
        return step, ins + guards, outs, eqn.params, eqn.prim.multiple_results
    outs = tuple(slots.define(v) for v in eqn.outputs)
    return eqn.prim.impl, ins, outs, eqn.params, eqn.prim.multiple_results


def _hand_over(x: np.ndarray) -> np.ndarray:
    """``copy`` of a buffer nobody else will read: the buffer itself."""
    return x


_INPLACE = {**INPLACE_IMPLS, "copy": _hand_over}


class InPlaceStep:
    """An update (or a ``copy``) that reuses its operand's buffer (operand 0) when that is
    safe at run time, and runs the copying ``impl`` otherwise.

    The ``inplace`` pass proved statically that the operand dies here and is none of the
    caller's buffers; what it cannot see is whether an ``impl`` returned a view. So the
    buffer must own its data, be writeable, and share no memory with the *guards*: the
    values it could alias (its producer's operands, values derived from it that are still
    live, this update's other operands), passed after the real arguments.
    """

    __slots__ = ("copying", "inplace", "n")

    def __init__(self, copying: Callable, inplace: Callable, n: int) -> None:
        self.copying, self.inplace, self.n = copying, inplace, n

    def __call__(self, *bufs: np.ndarray, **params: Any) -> np.ndarray:
        args = bufs[:self.n]
        x = args[0]
        if type(x) is np.ndarray and x.flags.owndata and x.flags.writeable and \
                not any(np.may_share_memory(x, g) for g in bufs[self.n:]):
            return self.inplace(*args, **params)
        return self.copying(*args, **params)


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
    if len(steps) == 1 and getattr(steps[0][0], "returns_arrays", False) and \
            steps[0][1] == tuple(range(first, stop)) and list(steps[0][2]) == results and \
            first == 0:
        kernel = steps[0][0]  # one kernel from parameters to results: call it directly
        return lambda args: kernel(*args)

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
