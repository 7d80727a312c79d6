"""What every fused kernel shares: its calling convention, memory access, and the
evaluation of a fusion body's elementwise equations at one point of the iteration space.

Each kernel is a pair of functions: ``<name>.inner(T0* noalias, ..., i64 start, i64 stop)``
holds the loops, and ``<name>(i8** operands, i64 start, i64 stop)`` unpacks a pointer array
and calls it (O3 inlines it, keeping the no-alias facts the vectoriser needs). ``start`` and
``stop`` bound the outermost loop, so a caller can split the work between threads.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from llvmlite import ir

from ....kernels.llvm_elementwise import RULES, Emitter, llvm_type
from ...ir.ir import Atom, Function, Literal
from .loops import I64, offset


@dataclass
class KernelPlan:
    """What the caller needs to run a compiled kernel."""

    name: str
    out_shapes: list[tuple[int, ...]]
    out_dtypes: list[np.dtype]
    outer: int          # trip count of the outermost loop (the unit of thread splitting)
    inner_size: int     # elements per outer iteration
    # Per output: the ufunc folding per-thread partial results into it when threads split a
    # reduced outermost dimension (None: each thread writes its own part of the output).
    partials: list[np.ufunc | None]


def storage(dt: np.dtype) -> ir.Type:
    """Memory type: bool is a byte, everything else its register type."""
    return ir.IntType(8) if dt.kind == "b" else llvm_type(dt)


def load(b: ir.IRBuilder, ptr: ir.Value, dt: np.dtype) -> ir.Value:
    value = b.load(ptr)
    return b.icmp_unsigned("!=", value, ir.Constant(ir.IntType(8), 0)) if dt.kind == "b" \
        else value


def store(b: ir.IRBuilder, value: ir.Value, ptr: ir.Value, dt: np.dtype) -> None:
    b.store(b.zext(value, ir.IntType(8)) if dt.kind == "b" else value, ptr)


def literal(lit: Literal) -> ir.Constant:
    dt = lit.aval.dtype
    value = lit.value[()]
    if dt.kind == "f":
        return ir.Constant(llvm_type(dt), float(value))
    return ir.Constant(llvm_type(dt), int(value) & ((1 << llvm_type(dt).width) - 1))


def value_of(env: dict[int, ir.Value], atom: Atom) -> ir.Value:
    return literal(atom) if isinstance(atom, Literal) else env[id(atom)]


def element_values(b: ir.IRBuilder, body: Function, ptrs: Sequence[ir.Value],
                   strides: Sequence[Sequence[int]], indices: list[ir.Value],
                   skip: frozenset[str] = frozenset()) -> dict[int, ir.Value]:
    """Load the body's parameters at ``indices`` and apply its equations (but those named in
    ``skip``); returns every value by ``id`` of its variable."""
    env: dict[int, ir.Value] = {}
    for k, v in enumerate(body.params):
        addr = b.gep(ptrs[k], [offset(b, indices, strides[k])])
        env[id(v)] = load(b, addr, v.aval.dtype)
    for eqn in body.eqns:
        if eqn.prim.name in skip:
            continue
        args = [value_of(env, a) for a in eqn.inputs]
        em = Emitter(b, eqn.inputs[-1].aval.dtype, eqn.outputs[0].aval.dtype)
        env[id(eqn.outputs[0])] = RULES[eqn.prim.name](em, *args, **eqn.params)
    return env


def define(module: ir.Module, name: str, operand_dtypes: Sequence[np.dtype]
           ) -> tuple[ir.IRBuilder, list[ir.Value], ir.Value, ir.Value]:
    """Declare kernel ``name`` over operands of these dtypes (inputs, then outputs).

    Returns a builder in the inner function's entry block, the operand pointers, and the
    ``start`` and ``stop`` of the outermost loop; the caller emits the loops and returns.
    """
    arg_types = [storage(np.dtype(dt)).as_pointer() for dt in operand_dtypes]
    inner = ir.Function(module, ir.FunctionType(ir.VoidType(), arg_types + [I64, I64]),
                        f"{name}.inner")
    inner.linkage = "internal"
    for arg in inner.args[:len(arg_types)]:
        arg.add_attribute("noalias")
    _entry(module, name, inner, arg_types)
    _objects_entry(module, name, inner, arg_types)
    *ptrs, start, stop = inner.args
    return ir.IRBuilder(inner.append_basic_block("entry")), ptrs, start, stop


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


# Where a NumPy array object keeps its data pointer: PyArrayObject_fields starts with
# PyObject_HEAD (refcount, type), then ``char *data`` (NumPy's stable ABI).
ARRAY_DATA_OFFSET = 16


def _objects_entry(module: ir.Module, name: str, inner: ir.Function, arg_types: list) -> None:
    """``<name>.objects(PyArrayObject* a0, ..., i64 start, i64 stop)``: reads each array's
    data pointer itself, sparing the caller a ``.ctypes.data`` (~1 us) per operand."""
    obj = ir.IntType(8).as_pointer()
    fn = ir.Function(module, ir.FunctionType(ir.VoidType(), [obj] * len(arg_types) + [I64, I64]),
                     f"{name}.objects")
    b = ir.IRBuilder(fn.append_basic_block("entry"))
    *objects, start, stop = fn.args
    data = [b.load(b.bitcast(b.gep(o, [ir.Constant(I64, ARRAY_DATA_OFFSET)]),
                             obj.as_pointer())) for o in objects]
    b.call(inner, [b.bitcast(d, ty) for d, ty in zip(data, arg_types)] + [start, stop])
    b.ret_void()
