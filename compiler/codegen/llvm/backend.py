"""The LLVM CPU backend: compiles every ``fusion`` equation of a function into one module
and hands the executor a native step for each.

Kernels are called through ctypes, which releases the GIL, so large iteration spaces are
split between the threads of a pool (the caller's thread runs one share), by ranges of the
outermost loop. A reduction whose outermost dimension is a reduced one (all-axes sums,
column reductions) gives each thread its own partial output, folded into the result after.
"""
from __future__ import annotations

import ctypes
import os
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor

import numpy as np
from llvmlite import ir

from ...ir.ir import Eqn, Function
from ...ir.passes.fusion import FUSION
from .fusion_kernel import emit_kernel
from .kernel_common import ARRAY_DATA_OFFSET, KernelPlan
from .target import assembly, compile_module

_PROTO = ctypes.CFUNCTYPE(None, ctypes.c_void_p, ctypes.c_int64, ctypes.c_int64)
# Below this many elements a second thread costs more than it saves.
PARALLEL_MIN = 1 << 17
_THREADS = max(1, min(os.cpu_count() or 1, 8))
_POOL: list[ThreadPoolExecutor] = []


def _pool() -> ThreadPoolExecutor:
    if not _POOL:
        _POOL.append(ThreadPoolExecutor(_THREADS - 1, thread_name_prefix="axc-kernel"))
    return _POOL[0]


class NativeKernel:
    """A compiled fusion kernel as an executor step: ``kernel(*inputs) -> outputs``."""

    returns_arrays = True  # a list of ndarrays (the executor may return it as it is)

    def __init__(self, plan: KernelPlan, address: int, objects_address: int,
                 n: int) -> None:
        self.plan = plan
        self.cfunc = _PROTO(address)
        self.direct = ctypes.CFUNCTYPE(None, *[ctypes.py_object] * n, ctypes.c_int64,
                                       ctypes.c_int64)(objects_address) if _DIRECT else None
        total = plan.outer * plan.inner_size
        self.chunks = _chunks(plan.outer, total)

    def __call__(self, *bufs: np.ndarray) -> list[np.ndarray]:
        plan = self.plan
        outs = [np.empty(s, dt) for s, dt in zip(plan.out_shapes, plan.out_dtypes)]
        held = [b if b.flags.c_contiguous else np.ascontiguousarray(b) for b in bufs]
        if len(self.chunks) == 1 and self.direct is not None:
            self.direct(*held, *outs, 0, plan.outer)
            return outs
        ins = [b.ctypes.data for b in held]  # ``held`` keeps the copies alive meanwhile
        if len(self.chunks) == 1:
            self.cfunc(_table(ins, outs), 0, plan.outer)
            return outs
        # Threads splitting a reduced dimension each fill a partial output of their own.
        parts = [outs] + [[np.empty_like(o) if fold is not None else o
                           for o, fold in zip(outs, plan.partials)] for _ in self.chunks[1:]]
        tables = [_table(ins, p) for p in parts]
        futures = [_pool().submit(self.cfunc, t, lo, hi)
                   for t, (lo, hi) in zip(tables[1:], self.chunks[1:])]
        self.cfunc(tables[0], *self.chunks[0])
        for f in futures:
            f.result()
        for part in parts[1:]:
            for o, p, fold in zip(outs, part, plan.partials):
                if fold is not None:
                    fold(o, p, out=o)
        return outs


def _data_offset_holds() -> bool:
    """Check the array data-pointer offset the ``.objects`` entry relies on."""
    probe = np.empty(3)
    return ctypes.c_void_p.from_address(id(probe) + ARRAY_DATA_OFFSET).value == \
        probe.ctypes.data


_DIRECT = _data_offset_holds()


def _table(ins: list[int], outs: list[np.ndarray]) -> ctypes.Array:
    ptrs = ins + [o.ctypes.data for o in outs]
    return (ctypes.c_void_p * len(ptrs))(*ptrs)


def _chunks(outer: int, total: int) -> list[tuple[int, int]]:
    n = min(_THREADS, outer) if total >= PARALLEL_MIN else 1
    bounds = [outer * k // n for k in range(n + 1)]
    return [(bounds[k], bounds[k + 1]) for k in range(n)]


class LLVMModule:
    """The native code of one function: kernels by equation, and the module's text."""

    def __init__(self, fn: Function, name: str) -> None:
        module = ir.Module(name=name)
        plans: dict[int, tuple[KernelPlan, int]] = {}
        for k, eqn in enumerate(_fusions(fn.eqns)):
            plan = emit_kernel(module, f"{_symbol(name)}_fusion{k}", eqn.params["body"])
            plans[id(eqn)] = plan, len(eqn.inputs) + len(eqn.outputs)
        self.text = str(module)
        self.kernels: dict[int, NativeKernel] = {}
        self.optimized = None
        if plans:
            self.optimized, addresses = compile_module(self.text, f"function {name!r}")
            self.kernels = {key: NativeKernel(p, addresses[p.name], addresses[f"{p.name}.objects"],
                                              n) for key, (p, n) in plans.items()}

    def step(self, eqn: Eqn):
        return self.kernels.get(id(eqn))

    def as_text(self, dialect: str) -> str:
        if dialect == "llvm":
            return str(self.optimized) if self.optimized is not None else self.text
        if dialect == "asm":
            return assembly(self.optimized) if self.optimized is not None else ""
        raise ValueError(f"unknown dialect {dialect!r}: use 'ir', 'llvm' or 'asm'")


def _fusions(eqns: Sequence[Eqn]) -> list[Eqn]:
    return [e for e in eqns if e.prim is FUSION]


def _symbol(name: str) -> str:
    return "".join(c if c.isalnum() or c == "_" else "_" for c in name) or "f"
