"""LLVM for a ``fusion`` equation: one loop nest computing every output of its body.

Each kernel is a pair of functions: ``<name>.inner(T0* noalias, ..., i64 start, i64 stop)``
holds the loops, and ``<name>(i8** operands, i64 start, i64 stop)`` unpacks a pointer array
and calls it (O3 inlines it, keeping the no-alias facts the vectoriser needs). ``start`` and
``stop`` bound the outermost loop, so a caller can split the work between threads.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from llvmlite import ir

from ....kernels.llvm_elementwise import RULES, Emitter, llvm_type
from ...ir.ir import Eqn, Function, Literal
from .loops import I64, broadcast_strides, collapse, nest, offset


@dataclass
class KernelPlan:
    """What the caller needs to run a compiled kernel."""

    name: str
    out_shape: tuple[int, ...]
    out_dtypes: list[np.dtype]
    outer: int          # trip count of the outermost loop (the unit of thread splitting)
    inner_size: int     # elements per outer iteration


def can_emit(eqn: Eqn) -> bool:
    """True if the backend has a rule for this equation at these dtypes."""
    if eqn.prim.name not in RULES or eqn.prim.multiple_results:
        return False
    return all(llvm_type(a.aval.dtype) is not None for a in list(eqn.inputs) + eqn.outputs)


def _storage(dt: np.dtype) -> ir.Type:
    """Memory type: bool is a byte, everything else its register type."""
    return ir.IntType(8) if dt.kind == "b" else llvm_type(dt)


def _load(b: ir.IRBuilder, ptr: ir.Value, dt: np.dtype) -> ir.Value:
    value = b.load(ptr)
    return b.icmp_unsigned("!=", value, ir.Constant(ir.IntType(8), 0)) if dt.kind == "b" \
        else value


def _store(b: ir.IRBuilder, value: ir.Value, ptr: ir.Value, dt: np.dtype) -> None:
    b.store(b.zext(value, ir.IntType(8)) if dt.kind == "b" else value, ptr)


def _literal(lit: Literal) -> ir.Constant:
    dt = lit.aval.dtype
    value = lit.value[()]
    if dt.kind == "f":
        return ir.Constant(llvm_type(dt), float(value))
    return ir.Constant(llvm_type(dt), int(value) & ((1 << llvm_type(dt).width) - 1))


def emit_kernel(module: ir.Module, name: str, body: Function) -> KernelPlan:
    """Add the kernel computing ``body`` (all outputs share one shape) to ``module``."""
    out_shape = tuple(body.results[0].aval.shape)
    operands = [v.aval for v in body.params] + [a.aval for a in body.results]
    strides = [broadcast_strides(a.shape, out_shape) for a in operands]
    shape, strides = collapse(out_shape, strides)
    arg_types = [_storage(a.dtype).as_pointer() for a in operands]
    inner = ir.Function(module, ir.FunctionType(ir.VoidType(), arg_types + [I64, I64]),
                        f"{name}.inner")
    inner.linkage = "internal"
    for arg in inner.args[:len(operands)]:
        arg.add_attribute("noalias")
    b = ir.IRBuilder(inner.append_basic_block("entry"))
    *ptrs, start, stop = inner.args
    n_in = len(body.params)

    def element(indices: list[ir.Value]) -> None:
        env = {}
        for k, v in enumerate(body.params):
            addr = b.gep(ptrs[k], [offset(b, indices, strides[k])])
            env[id(v)] = _load(b, addr, v.aval.dtype)
        for eqn in body.eqns:
            args = [_literal(a) if isinstance(a, Literal) else env[id(a)] for a in eqn.inputs]
            em = Emitter(b, eqn.inputs[-1].aval.dtype, eqn.outputs[0].aval.dtype)
            env[id(eqn.outputs[0])] = RULES[eqn.prim.name](em, *args, **eqn.params)
        for k, res in enumerate(body.results, start=n_in):
            value = _literal(res) if isinstance(res, Literal) else env[id(res)]
            _store(b, value, b.gep(ptrs[k], [offset(b, indices, strides[k])]), res.aval.dtype)

    nest(b, shape, start, stop, element)
    b.ret_void()
    _entry(module, name, inner, arg_types)
    outer = shape[0] if shape else 1
    return KernelPlan(name, out_shape, [a.aval.dtype for a in body.results], outer,
                      int(np.prod(shape[1:], dtype=np.int64)) if shape else 1)


def _entry(module: ir.Module, name: str, inner: ir.Function, arg_types: list) -> None:
    byte_ptr = ir.IntType(8).as_pointer()
    fn = ir.Function(module, ir.FunctionType(ir.VoidType(), [byte_ptr.as_pointer(), I64, I64]),
                     name)
    b = ir.IRBuilder(fn.append_basic_block("entry"))
    table, start, stop = fn.args
    args = [b.bitcast(b.load(b.gep(table, [ir.Constant(I64, k)])), ty)
            for k, ty in enumerate(arg_types)]
    b.call(inner, args + [start, stop])
    b.ret_void()
