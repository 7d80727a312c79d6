"""LLVM for a ``fusion`` equation: one loop nest computing every output of its body.

An elementwise body becomes one loop nest over its output shape (this module); a body that
ends in reductions loops over the reductions' input shape and accumulates
(``reduction_kernel``). The calling convention is ``kernel_common``'s.
"""
from __future__ import annotations

import numpy as np
from llvmlite import ir

from ....kernels.llvm_elementwise import RULES, llvm_type
from ...ir.ir import Eqn, Function
from ...ir.passes.fusion import REDUCTIONS
from . import reduction_kernel
from .kernel_common import KernelPlan, define, element_values, store, value_of
from .loops import broadcast_strides, collapse, nest, offset
from .reducers import supports


def can_emit(eqn: Eqn) -> bool:
    """True if the backend has a rule for this equation at these dtypes."""
    if eqn.prim.name in REDUCTIONS:
        return supports(eqn.prim.name, eqn.inputs[0].aval.dtype)
    if eqn.prim.name not in RULES or eqn.prim.multiple_results:
        return False
    return all(llvm_type(a.aval.dtype) is not None for a in list(eqn.inputs) + eqn.outputs)


def emit_kernel(module: ir.Module, name: str, body: Function) -> KernelPlan:
    """Add the kernel computing ``body`` to ``module``."""
    if any(e.prim.name in REDUCTIONS for e in body.eqns):
        return reduction_kernel.emit(module, name, body)
    out_shape = tuple(body.results[0].aval.shape)
    operands = [v.aval for v in body.params] + [a.aval for a in body.results]
    strides = [broadcast_strides(a.shape, out_shape) for a in operands]
    shape, strides = collapse(out_shape, strides)
    b, ptrs, start, stop = define(module, name, [a.dtype for a in operands])
    n_in = len(body.params)

    def element(indices: list[ir.Value]) -> None:
        env = element_values(b, body, ptrs, strides, indices)
        for k, res in enumerate(body.results, start=n_in):
            addr = b.gep(ptrs[k], [offset(b, indices, strides[k])])
            store(b, value_of(env, res), addr, res.aval.dtype)

    nest(b, shape, start, stop, element)
    b.ret_void()
    outer = shape[0] if shape else 1
    return KernelPlan(name, [out_shape] * len(body.results),
                      [a.aval.dtype for a in body.results], outer,
                      int(np.prod(shape[1:], dtype=np.int64)) if shape else 1,
                      [None] * len(body.results))
