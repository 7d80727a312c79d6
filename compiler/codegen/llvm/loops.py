"""Loop nests over a fused iteration space, with broadcasting folded into strides.

The iteration shape is collapsed first: size-1 dimensions go, and neighbouring dimensions
merge when every operand walks them the same way (all contiguous, or all broadcast). An
elementwise chain over same-shaped arrays becomes one flat loop, whose innermost stride is
1 (or 0, for a broadcast operand): the form LLVM's loop vectoriser wants.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence

from llvmlite import ir

I64 = ir.IntType(64)


def broadcast_strides(shape: Sequence[int], out_shape: Sequence[int]) -> list[int]:
    """Element strides of a C-contiguous ``shape`` read in ``out_shape`` coordinates."""
    shape = (1,) * (len(out_shape) - len(shape)) + tuple(shape)
    strides, step = [0] * len(shape), 1
    for d in reversed(range(len(shape))):
        strides[d] = 0 if shape[d] == 1 and out_shape[d] != 1 else step
        step *= shape[d]
    return strides


def collapse(out_shape: Sequence[int], operand_strides: list[list[int]]
             ) -> tuple[list[int], list[list[int]]]:
    """Merge dimensions that every operand walks alike; drop size-1 dimensions."""
    dims = [d for d in range(len(out_shape)) if out_shape[d] != 1]
    shape = [out_shape[d] for d in dims]
    strides = [[s[d] for d in dims] for s in operand_strides]
    d = len(shape) - 1
    while d > 0:
        inner = shape[d]
        if all(s[d - 1] == s[d] * inner for s in strides):
            shape[d - 1] *= inner
            del shape[d]
            for s in strides:
                del s[d - 1]
        d -= 1
    return shape, strides


def for_range(b: ir.IRBuilder, start: ir.Value, stop: ir.Value,
              body: Callable[[ir.Value], None], name: str = "i") -> None:
    """Emit ``for i in range(start, stop): body(i)`` at the builder's position."""
    def step(i: ir.Value, values: list[ir.Value]) -> list[ir.Value]:
        body(i)
        return values
    carried_range(b, start, stop, [], step, name=name)


def nest(b: ir.IRBuilder, shape: Sequence[int], start: ir.Value, stop: ir.Value,
         body: Callable[[list[ir.Value]], None]) -> None:
    """Loops over ``shape`` with the outermost index in ``[start, stop)``; ``body(indices)``."""
    if not shape:
        body([])
        return

    def level(d: int, indices: list[ir.Value]) -> None:
        if d == len(shape):
            body(indices)
            return
        lo = start if d == 0 else ir.Constant(I64, 0)
        hi = stop if d == 0 else ir.Constant(I64, shape[d])
        for_range(b, lo, hi, lambda i: level(d + 1, indices + [i]), name=f"i{d}")
    level(0, [])


def offset(b: ir.IRBuilder, indices: Sequence[ir.Value], strides: Sequence[int]) -> ir.Value:
    """``sum(index * stride)`` in elements, skipping broadcast (stride-0) dimensions."""
    total = ir.Constant(I64, 0)
    for i, s in zip(indices, strides):
        if s == 1:
            total = b.add(total, i)
        elif s:
            total = b.add(total, b.mul(i, ir.Constant(I64, s)))
    return total


def carried_range(b: ir.IRBuilder, start: ir.Value, stop: ir.Value, inits: Sequence[ir.Value],
                  body: Callable[[ir.Value, list[ir.Value]], list[ir.Value]], step: int = 1,
                  name: str = "r", rolled: int = 0) -> list[ir.Value]:
    """``for i in range(start, stop, step): values = body(i, values)``; the final values.

    The values live in registers (phi nodes): the form of a reduction LLVM vectorises.
    ``rolled``: if not 0, the loop is not to be unrolled but to interleave that many vector
    iterations (``keep_rolled``).
    """
    fn = b.function
    header = fn.append_basic_block(f"{name}.header")
    loop = fn.append_basic_block(f"{name}.body")
    done = fn.append_basic_block(f"{name}.done")
    before = b.block
    b.branch(header)
    b.position_at_end(header)
    i = b.phi(I64, name=name)
    i.add_incoming(start, before)
    phis = []
    for k, v in enumerate(inits):
        phi = b.phi(v.type, name=f"{name}.acc{k}")
        phi.add_incoming(v, before)
        phis.append(phi)
    b.cbranch(b.icmp_signed("<", i, stop), loop, done)
    b.position_at_end(loop)
    new = body(i, list(phis))
    for phi, v in zip(phis, new):
        phi.add_incoming(v, b.block)
    i.add_incoming(b.add(i, ir.Constant(I64, step), name=f"{name}.next"), b.block)
    latch = b.branch(header)
    if rolled:
        keep_rolled(latch, rolled)
    b.position_at_end(done)
    return list(phis)


def keep_rolled(branch: ir.Instruction, interleave: int) -> None:
    """Mark the loop whose latch is ``branch`` not to be unrolled, but (once vectorised) to
    interleave ``interleave`` vector iterations: LLVM takes "no unrolling" to forbid
    interleaving too, which would leave a reduction with a single vector accumulator."""
    module = branch.module
    hints = [module.add_metadata([ir.MetaDataString(module, "llvm.loop.unroll.disable")]),
             module.add_metadata([ir.MetaDataString(module, "llvm.loop.interleave.count"),
                                  ir.Constant(ir.IntType(32), interleave)])]
    loop_id = ir.values.MDValue(module, hints, name=str(len(module.metadata)))
    loop_id.operands = (loop_id, *hints)  # a loop ID refers to itself
    branch.set_metadata("llvm.loop", loop_id)
