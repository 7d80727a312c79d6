"""LLVM for a fusion body that ends in reductions: the elementwise part is computed at each
point of the reductions' input shape and accumulated at once, never stored (unless it is an
output of the fusion too).

All the reductions of a body share their input shape and axes (the fusion pass sees to it).
The iteration space is collapsed as for elementwise kernels, a reduced dimension never
merging with a kept one, and walked in memory order:

* innermost dimension reduced (all-axes and row reductions): the accumulators live in
  registers across the innermost loop, in the ``Reducer``'s vectorisable carried form; long
  float sums are summed in blocks of ``BLOCK`` elements, each block's (vectorised) partial
  sum added to a running total, which keeps the rounding error near NumPy's pairwise sum;
  the loop over a row longer than ``SHORT_ROW`` is marked not to be unrolled;
* innermost dimension kept (column reductions, over leading axes): each element is folded
  into its output in memory, ``out[k] = op(out[k], f(x[r, k]))``, a loop over ``k`` that
  vectorises across the kept dimension like any elementwise loop.

Reduced outputs are first set to the identity (for the part of them this call owns), so an
empty reduction gives it. Threads split the outermost dimension; when it is a reduced one,
each thread accumulates into its own partial output and the caller folds them together.
"""
from __future__ import annotations

from collections.abc import Callable, Iterator

import numpy as np
from llvmlite import ir

from ...ir.ir import Function
from ...ir.passes.fusion import REDUCTIONS
from .kernel_common import KernelPlan, define, element_values, load, store, value_of
from .loops import I64, broadcast_strides, carried_range, collapse, nest, offset
from .reducers import Reducer

# Elements per block of a long float sum: the vectorised partial sums of a block are short,
# and so is the sequence of blocks.
BLOCK = 2048
# Rows up to SHORT_ROW long are left to LLVM to unroll fully, and it then vectorises across
# rows; longer rows keep their loop (vectorised along the row). Unrolled rows of a dozen
# elements or more run slower than the loop, and compile slowly (seconds, for byte products).
# Rows of LONG_ROW or more interleave 4 vector accumulators (LLVM's choice, which it drops
# for loops marked not to unroll); shorter ones keep one, or the vector loop is never entered.
SHORT_ROW = 8
LONG_ROW = 256


class _Space:
    """The collapsed iteration space and how every operand (params, results) walks it."""

    def __init__(self, body: Function) -> None:
        reductions = [e for e in body.eqns if e.prim.name in REDUCTIONS]
        shape = tuple(reductions[0].inputs[0].aval.shape)
        axes = set(reductions[0].params["axes"])
        kept_shape = tuple(1 if d in axes else n for d, n in enumerate(shape))
        produced = {id(e.outputs[0]): e for e in reductions}
        self.reduction_of = [produced.get(id(r)) for r in body.results]
        strides = [broadcast_strides(p.aval.shape, shape) for p in body.params]
        strides += [broadcast_strides(kept_shape if e is not None else shape, shape)
                    for e in self.reduction_of]
        # A last pseudo-operand that walks only kept dimensions marks the reduced ones.
        self.shape, strides = collapse(shape, strides + [broadcast_strides(kept_shape, shape)])
        self.reduced = [s == 0 for s in strides.pop()]
        self.strides = strides


def emit(module: ir.Module, name: str, body: Function) -> KernelPlan:
    """Add the kernel computing ``body`` (elementwise equations, then reductions)."""
    space = _Space(body)
    n_in = len(body.params)
    dtypes = [p.aval.dtype for p in body.params] + [r.aval.dtype for r in body.results]
    b, ptrs, start, stop = define(module, name, dtypes)
    outs = [(n_in + k, e, Reducer(e.prim.name, e.outputs[0].aval.dtype))
            for k, e in enumerate(space.reduction_of) if e is not None]
    stored = [(n_in + k, r) for k, r in enumerate(body.results)
              if space.reduction_of[k] is None]
    _initialise(b, space, ptrs, outs, start, stop)
    emit_loops = _rows if space.shape and space.reduced[-1] else _columns
    emit_loops(b, space, body, ptrs, outs, stored, start, stop)
    b.ret_void()
    shape = space.shape
    split_reduced = bool(shape) and space.reduced[0]
    folds = {k - n_in: red.ufunc for k, _, red in outs} if split_reduced else {}
    return KernelPlan(name, [tuple(r.aval.shape) for r in body.results], dtypes[n_in:],
                      shape[0] if shape else 1,
                      int(np.prod(shape[1:], dtype=np.int64)) if shape else 1,
                      [folds.get(k) for k in range(len(body.results))])


def _initialise(b: ir.IRBuilder, space: _Space, ptrs: list, outs: list, start: ir.Value,
                stop: ir.Value) -> None:
    """Set the reduced outputs to the identity: this call's rows, or all of a partial."""
    kept = [d for d in range(len(space.shape)) if not space.reduced[d]]
    shape = [space.shape[d] for d in kept]
    if kept and kept[0] == 0:
        lo, hi = start, stop
    else:
        lo, hi = ir.Constant(I64, 0), ir.Constant(I64, shape[0] if shape else 1)

    def element(indices: list[ir.Value]) -> None:
        for k, _, red in outs:
            strides = [space.strides[k][d] for d in kept]
            addr = b.gep(ptrs[k], [offset(b, indices, strides)])
            store(b, red.identity(), addr, red.dt)

    nest(b, shape, lo, hi, element)


def _store_elementwise(b: ir.IRBuilder, space: _Space, ptrs: list, stored: list,
                       env: dict, indices: list[ir.Value]) -> None:
    """Results of the body that are not reductions (read outside the fusion too)."""
    for k, res in stored:
        addr = b.gep(ptrs[k], [offset(b, indices, space.strides[k])])
        store(b, value_of(env, res), addr, res.aval.dtype)


def _fold_into(b: ir.IRBuilder, ptr: ir.Value, red: Reducer, value: ir.Value) -> None:
    store(b, red.combine(b, load(b, ptr, red.dt), value), ptr, red.dt)


def _columns(b: ir.IRBuilder, space: _Space, body: Function, ptrs: list, outs: list,
             stored: list, start: ir.Value, stop: ir.Value) -> None:
    """Innermost dimension kept (or no dimension at all): fold each element into memory."""
    def element(indices: list[ir.Value]) -> None:
        env = element_values(b, body, ptrs, space.strides, indices, skip=REDUCTIONS)
        _store_elementwise(b, space, ptrs, stored, env, indices)
        for k, eqn, red in outs:
            addr = b.gep(ptrs[k], [offset(b, indices, space.strides[k])])
            _fold_into(b, addr, red, value_of(env, eqn.inputs[0]))

    nest(b, space.shape, start, stop, element)


def _rows(b: ir.IRBuilder, space: _Space, body: Function, ptrs: list, outs: list,
          stored: list, start: ir.Value, stop: ir.Value) -> None:
    """Innermost dimension reduced: accumulate it in registers, then fold into memory."""
    shape = space.shape
    last = len(shape) - 1
    reducers = [red for _, _, red in outs]

    def row(outer: list[ir.Value]) -> None:
        lo = start if last == 0 else ir.Constant(I64, 0)
        hi = stop if last == 0 else ir.Constant(I64, shape[last])

        def step(i: ir.Value, carry: list[ir.Value]) -> list[ir.Value]:
            indices = outer + [i]
            env = element_values(b, body, ptrs, space.strides, indices, skip=REDUCTIONS)
            _store_elementwise(b, space, ptrs, stored, env, indices)
            return [v for (red, part), (_, eqn, _) in zip(_shares(reducers, carry), outs)
                    for v in red.step(b, part, value_of(env, eqn.inputs[0]))]

        blocked = shape[last] > BLOCK and any(r.reassociates for r in reducers)
        rolled = 0 if shape[last] <= SHORT_ROW else 4 if shape[last] >= LONG_ROW else 1
        results = _blocked(b, lo, hi, reducers, step) if blocked else _finished(
            b, reducers, carried_range(b, lo, hi, _starts(reducers), step, rolled=rolled))
        for (k, _, red), value in zip(outs, results):
            addr = b.gep(ptrs[k], [offset(b, outer, space.strides[k][:last])])
            _fold_into(b, addr, red, value)

    nest(b, shape[:last], start, stop, row)


def _starts(reducers: list[Reducer]) -> list[ir.Value]:
    return [v for red in reducers for v in red.start()]


def _shares(reducers: list[Reducer], carry: list[ir.Value]
            ) -> Iterator[tuple[Reducer, list[ir.Value]]]:
    """Each reducer with its part of the flat list of carried values."""
    at = 0
    for red in reducers:
        width = len(red.start())
        yield red, carry[at:at + width]
        at += width


def _finished(b: ir.IRBuilder, reducers: list[Reducer], carry: list[ir.Value]
              ) -> list[ir.Value]:
    return [red.finish(b, part) for red, part in _shares(reducers, carry)]


def _blocked(b: ir.IRBuilder, lo: ir.Value, hi: ir.Value, reducers: list[Reducer],
             step: Callable) -> list[ir.Value]:
    """The carried loop over ``[lo, hi)`` in blocks of ``BLOCK``, each block's finished
    value added to a running total."""
    def block(j: ir.Value, totals: list[ir.Value]) -> list[ir.Value]:
        end = b.add(j, ir.Constant(I64, BLOCK))
        end = b.select(b.icmp_signed("<", end, hi), end, hi)
        carry = carried_range(b, j, end, _starts(reducers), step, name="blk")
        return [red.add_block(b, t, v)
                for red, t, v in zip(reducers, totals, _finished(b, reducers, carry))]

    totals = carried_range(b, lo, hi, [red.total_start() for red in reducers], block,
                           step=BLOCK, name="blocks")
    return [red.total(b, t) for red, t in zip(reducers, totals)]
