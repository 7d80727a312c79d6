"""``axc show module.py:func``: one function's generated source, IR or LLVM IR, on stdout."""
from __future__ import annotations

from typing import Any

from ..jit.api import JitFunction, jit
from ..transforms.api import grad
from ..transforms.vmap import vmap
from .discover import AotError, Entry, find_functions, generated_source, kind_of, load_module
from .emit import lower, native_module
from .signature import signature_of

TRANSFORMS = {"grad": grad, "vmap": vmap,
              "jit": lambda f: f if isinstance(f, JitFunction) else jit(f)}


def _lookup(target: str) -> tuple[str, Any]:
    path, sep, name = target.rpartition(":")
    if not sep or not path or not name:
        raise AotError(f"{target!r}: write module.py:function")
    module = load_module(path)
    obj = module.__dict__.get(name)
    if not callable(obj):
        found = ", ".join(e.name for e in find_functions(module)) or "none"
        raise AotError(f"{path} has no function {name!r} (its axc functions: {found})")
    return name, obj


def show(target: str, transform: str | None = None, form: str = "source",
         sig: tuple | None = None) -> str:
    """The text ``axc show`` prints.

    Parameters
    ----------
    target : ``module.py:function``
    transform : ``"grad"``, ``"vmap"``, ``"jit"`` or None (the function as defined)
    form : ``"source"`` (generated Python), ``"ir"`` or ``"llvm"``
    sig : argument types (``--sig``); else the function's recorded signature
    """
    name, obj = _lookup(target)
    if transform is not None:
        obj = TRANSFORMS[transform](obj)
    if form == "source":
        return generated_source(obj)
    sig = sig if sig is not None else signature_of(obj)
    if sig is None:
        raise AotError(f"{name} has no signature for --{form}: give one with --sig "
                       f"'f32[...];...' or @axc.signature(...)"
                       + (" (vmap's is the batched arguments' types)"
                          if transform == "vmap" else ""))
    lowered, compiled = lower(Entry(name, obj, kind_of(obj) or "function", sig))
    if form == "ir":
        return lowered.as_text("ir")
    return str(native_module(compiled.as_text("llvm")))
