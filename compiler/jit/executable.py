"""An executable: the optimised IR of one signature, its native code, and the run plan."""
from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ..codegen import interpreter
from ..codegen.interpreter import SlotMap
from ..codegen.llvm.backend import LLVMModule
from ..codegen.llvm.fusion_kernel import can_emit
from ..ir.ir import Eqn, Function
from ..ir.passes import optimize
from ..ir.passes.fusion import fuse
from ..ir.passes.inplace import mark_inplace


class Executable:
    """Runs a ``Function`` on NumPy buffers (parameters in, results out).

    Elementwise clusters (ending, possibly, in reductions) run as fused LLVM kernels;
    updates whose operand is dead run in place; every other equation runs its primitive's
    NumPy implementation.
    """

    def __init__(self, staged: Function) -> None:
        self.staged = staged
        self.function = mark_inplace(fuse(optimize(staged), can_emit, min_size=1))
        self.native = LLVMModule(self.function, staged.name)
        self.run = interpreter.plan(self.function, self._step)

    def _step(self, eqn: Eqn, slots: SlotMap) -> tuple:
        kernel = self.native.step(eqn)
        if kernel is None:
            return interpreter.default_step(eqn, slots)
        ins = tuple(slots.of(a) for a in eqn.inputs)
        outs = tuple(slots.define(v) for v in eqn.outputs)
        return kernel, ins, outs, {}, True

    def __call__(self, bufs: Sequence[np.ndarray]) -> list[np.ndarray]:
        return self.run(bufs)

    def as_text(self, dialect: str) -> str:
        return self.native.as_text(dialect)
