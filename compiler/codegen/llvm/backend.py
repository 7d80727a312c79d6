"""The LLVM CPU backend: compiles every ``fusion`` equation of a function into one module
and hands the executor a native step for each.

Kernels are called through ctypes, which releases the GIL, so large iteration spaces are
split between the two halves of a thread pool (the caller's thread runs one share).
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
from .fusion_kernel import KernelPlan, emit_kernel
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

    def __init__(self, plan: KernelPlan, address: int) -> None:
        self.plan = plan
        self.cfunc = _PROTO(address)
        self.n_out = len(plan.out_dtypes)
        total = plan.outer * plan.inner_size
        self.chunks = _chunks(plan.outer, total)

    def __call__(self, *bufs: np.ndarray) -> list[np.ndarray]:
        plan = self.plan
        outs = [np.empty(plan.out_shape, dt) for dt in plan.out_dtypes]
        contiguous = [b if b.flags.c_contiguous else np.ascontiguousarray(b) for b in bufs]
        ptrs = [b.ctypes.data for b in contiguous] + [o.ctypes.data for o in outs]
        table = (ctypes.c_void_p * len(ptrs))(*ptrs)
        if len(self.chunks) == 1:
            self.cfunc(table, 0, plan.outer)
        else:
            futures = [_pool().submit(self.cfunc, table, lo, hi) for lo, hi in self.chunks[1:]]
            self.cfunc(table, *self.chunks[0])
            for f in futures:
                f.result()
        return outs


def _chunks(outer: int, total: int) -> list[tuple[int, int]]:
    n = min(_THREADS, outer) if total >= PARALLEL_MIN else 1
    bounds = [outer * k // n for k in range(n + 1)]
    return [(bounds[k], bounds[k + 1]) for k in range(n)]


class LLVMModule:
    """The native code of one function: kernels by equation, and the module's text."""

    def __init__(self, fn: Function, name: str) -> None:
        module = ir.Module(name=name)
        plans: dict[int, KernelPlan] = {}
        for k, eqn in enumerate(_fusions(fn.eqns)):
            plans[id(eqn)] = emit_kernel(module, f"{_symbol(name)}_fusion{k}", eqn.params["body"])
        self.text = str(module)
        self.kernels: dict[int, NativeKernel] = {}
        self.optimized = None
        if plans:
            self.optimized, addresses = compile_module(self.text, f"function {name!r}")
            self.kernels = {key: NativeKernel(p, addresses[p.name]) for key, p in plans.items()}

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
