"""The artefacts of one function: generated source, IR, LLVM IR, assembly, an object file.

Native code comes from ``jit(f).lower(*types).compile()``: the LLVM module of its fused
kernels (what runs natively today; other equations run NumPy implementations in the
executable's plan), emitted again for a position-independent object file.
"""
from __future__ import annotations

import functools
from dataclasses import dataclass, field
from typing import Any

import llvmlite.binding as llvm
import numpy as np

from ..jit.api import Compiled, JitFunction, Lowered, jit
from .discover import AotError, Entry, generated_source
from .signature import spec_text

# Emit kind -> file name in OUTDIR/<function>/.
FILES = {"source": "source.py", "ir": "ir.txt", "llvm": "llvm.ll", "asm": "asm.s",
         "obj": "obj.o"}
KINDS = tuple(FILES)
NATIVE = frozenset(("llvm", "asm", "obj"))


@dataclass
class Built:
    """What was built for one function: artefact bytes by file name, and manifest facts."""

    files: dict[str, bytes] = field(default_factory=dict)
    info: dict[str, Any] = field(default_factory=dict)


def parse_emit(text: str) -> tuple[str, ...]:
    """``--emit source,ir,...`` as kinds in canonical order; unknown kinds are an error."""
    kinds = [k.strip() for k in text.split(",") if k.strip()]
    bad = [k for k in kinds if k not in FILES]
    if bad or not kinds:
        raise ValueError(f"unknown --emit kind {', '.join(map(repr, bad)) or '(none)'}: "
                         f"choose from {','.join(KINDS)}")
    return tuple(k for k in KINDS if k in kinds)


def example_args(entry: Entry) -> list[np.ndarray]:
    """Zero arrays of the signature's types: ``lower`` reads only their shapes and dtypes."""
    return [np.zeros(s.shape, s.dtype) for s in entry.signature]


def lower(entry: Entry) -> tuple[Lowered, Compiled]:
    """Stage and compile ``entry`` for its signature; failures name the function."""
    target = entry.obj if isinstance(entry.obj, JitFunction) else jit(entry.obj)
    try:
        lowered = target.lower(*example_args(entry))
        return lowered, lowered.compile()
    except Exception as e:  # any failure, of user code or of the compiler
        sig = ", ".join(spec_text(s) for s in entry.signature)
        raise AotError(f"cannot compile {entry.name}({sig}): {type(e).__name__}: {e}") \
            from e


@functools.cache
def target_machine() -> llvm.TargetMachine:
    """The host CPU at O3, position-independent code (linkable into a shared library)."""
    llvm.initialize_native_target()
    llvm.initialize_native_asmprinter()
    target = llvm.Target.from_default_triple()
    return target.create_target_machine(cpu=llvm.get_host_cpu_name(),
                                        features=llvm.get_host_cpu_features().flatten(),
                                        opt=3, reloc="pic", codemodel="default")


def native_module(llvm_text: str) -> llvm.ModuleRef:
    """The compiled (already optimised) LLVM IR, parsed again for the AOT target."""
    mod = llvm.parse_assembly(llvm_text)
    mod.verify()
    mod.triple = target_machine().triple
    mod.data_layout = str(target_machine().target_data)
    return mod


def _aval(a: Any) -> dict[str, Any]:
    return {"shape": list(a.shape), "dtype": a.dtype.name, "weak_type": bool(a.weak_type)}


def build(entry: Entry, kinds: tuple[str, ...]) -> Built:
    """The requested artefacts of ``entry`` (source only when it has no signature)."""
    out = Built()
    if "source" in kinds:
        out.files[FILES["source"]] = generated_source(entry.obj).encode()
    if entry.signature is None or not set(kinds) - {"source"}:
        return out
    lowered, compiled = lower(entry)
    function = lowered.ir
    out.info = {"inputs": [_aval(a) for a in function.in_avals],
                "outputs": [_aval(a) for a in function.out_avals]}
    if "ir" in kinds:
        out.files[FILES["ir"]] = lowered.as_text("ir").encode()
    if NATIVE & set(kinds):
        mod = native_module(compiled.as_text("llvm"))
        out.info["kernels"] = sorted(f.name for f in mod.functions if not f.is_declaration)
        if "llvm" in kinds:
            out.files[FILES["llvm"]] = str(mod).encode()
        if "asm" in kinds:
            out.files[FILES["asm"]] = target_machine().emit_assembly(mod).encode()
        if "obj" in kinds:
            out.files[FILES["obj"]] = target_machine().emit_object(mod)
    return out


def target_info() -> dict[str, str]:
    """The target native artefacts are built for (part of the manifest)."""
    return {"triple": target_machine().triple, "cpu": llvm.get_host_cpu_name()}
