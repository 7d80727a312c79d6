"""The host target: LLVM initialisation, optimisation at O3 for the host CPU, and the JIT.

One MCJIT engine lives for the process; each compiled module is added to it and stays (its
functions' addresses are held by executables). Everything LLVM reports is turned into an
``LLVMCompileError`` that names the axc function being compiled.
"""
from __future__ import annotations

import functools
import threading

import llvmlite.binding as llvm


class LLVMCompileError(RuntimeError):
    """LLVM rejected or failed on generated code (an axc bug): names the function and op."""


@functools.cache
def _initialized() -> bool:
    llvm.initialize_native_target()
    llvm.initialize_native_asmprinter()
    return True


@functools.cache
def target_machine() -> llvm.TargetMachine:
    """The host CPU with all its features (AVX2 / AVX-512 where present), at O3."""
    _initialized()
    target = llvm.Target.from_default_triple()
    return target.create_target_machine(cpu=llvm.get_host_cpu_name(),
                                        features=llvm.get_host_cpu_features().flatten(),
                                        opt=3, codemodel="jitdefault")


_ENGINE: list = []
_LOCK = threading.Lock()


def _engine() -> llvm.ExecutionEngine:
    if not _ENGINE:
        backing = llvm.parse_assembly("")
        _ENGINE.append(llvm.create_mcjit_compiler(backing, target_machine()))
    return _ENGINE[0]


def optimize(mod: llvm.ModuleRef) -> None:
    """O3 with the loop and SLP vectorisers, as clang -O3 -march=native."""
    tm = target_machine()
    pto = llvm.create_pipeline_tuning_options(speed_level=3)
    pto.loop_vectorization = True
    pto.slp_vectorization = True
    pto.loop_unrolling = True
    pb = llvm.create_pass_builder(tm, pto)
    pm = pb.getModulePassManager()
    pm.run(mod, pb)


def compile_module(text: str, what: str) -> tuple[llvm.ModuleRef, dict[str, int]]:
    """Parse, verify, optimise and JIT-compile LLVM IR ``text``; returns the optimised module
    and the address of every defined function. ``what`` names the axc function."""
    _initialized()
    try:
        mod = llvm.parse_assembly(text)
        mod.verify()
    except RuntimeError as e:
        raise LLVMCompileError(f"LLVM rejected the code generated for {what}: "
                               f"{str(e).splitlines()[0] if str(e) else e}") from None
    mod.triple = target_machine().triple
    mod.data_layout = str(target_machine().target_data)
    optimize(mod)
    with _LOCK:
        engine = _engine()
        engine.add_module(mod)
        engine.finalize_object()
        addresses = {f.name: engine.get_function_address(f.name)
                     for f in mod.functions if not f.is_declaration}
    return mod, addresses


def assembly(mod: llvm.ModuleRef) -> str:
    return target_machine().emit_assembly(mod)
