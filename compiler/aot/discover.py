"""Load a user module by path and find what ``axc compile`` builds: its module-level ``jit``,
``grad`` and ``vmap`` objects and the functions given a signature (or named by ``--sig``)."""
from __future__ import annotations

import importlib.util
import inspect
import sys
import textwrap
import traceback
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

from ...runtime.abstract import ShapeDtypeStruct
from ..jit.api import JitFunction
from ..transforms.api import GradFunction
from ..transforms.control_flow import convert_or_self
from ..transforms.vmap import VmapFunction
from .signature import signature_of


class AotError(Exception):
    """A user-facing failure of ``axc compile`` / ``axc show``: printed, exit status 1."""


@dataclass
class Entry:
    """One function to build: its module-level name, the object, its kind and types."""

    name: str
    obj: Any
    kind: str  # "jit", "grad", "value_and_grad", "vmap" or "function"
    signature: tuple[ShapeDtypeStruct, ...] | None


def load_module(path: str | Path) -> ModuleType:
    """Import the file at ``path`` as a module named after it (its folder goes on
    ``sys.path`` so its sibling imports work). Errors are ``AotError``s naming the file."""
    path = Path(path)
    if not path.is_file():
        raise AotError(f"{path}: no such file")
    name = path.stem if path.stem.isidentifier() else "axc_module"
    if name in sys.modules:  # never shadow an imported module (``math.py``, ``test.py``)
        name = f"axc_aot_{name}"
    spec = importlib.util.spec_from_file_location(name, path.resolve())
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses and pickling look the module up by name
    sys.path.insert(0, str(path.resolve().parent))
    try:
        spec.loader.exec_module(module)
    except SyntaxError as e:
        raise AotError(f"{e.filename}:{e.lineno}:{e.offset or 0}: SyntaxError: {e.msg}") \
            from None
    except Exception as e:  # noqa: BLE001 - whatever the module's own code raises
        line = _user_line(e, path)
        where = f"{path}:{line}: " if line else ""
        raise AotError(f"{where}error importing {path}: {type(e).__name__}: {e}") from None
    return module


def _user_line(e: BaseException, path: Path) -> int | None:
    """The line of the deepest frame of the traceback inside the module's file."""
    filename = str(path.resolve())
    lines = [f.lineno for f in traceback.extract_tb(e.__traceback__) if f.filename == filename]
    return lines[-1] if lines else None


def kind_of(obj: Any) -> str | None:
    """What ``obj`` is for ``axc compile``: ``None`` when it is not an axc function."""
    if isinstance(obj, JitFunction):
        return "jit"
    if isinstance(obj, GradFunction):
        return "value_and_grad" if obj.with_value else "grad"
    if isinstance(obj, VmapFunction):
        return "vmap"
    if callable(obj) and signature_of(obj) is not None:
        return "function"
    return None


def find_functions(module: ModuleType, sigs: dict[str, tuple] | None = None) -> list[Entry]:
    """The module's axc functions in definition order, each once (under its first name).

    ``sigs`` (from ``--sig``) override recorded signatures and also select plain functions.
    Objects imported from elsewhere are left out.
    """
    sigs = dict(sigs or {})
    unknown = [n for n in sigs if not callable(module.__dict__.get(n))]
    if unknown:
        raise AotError(f"--sig names {', '.join(unknown)}, not a function of module "
                       f"{module.__name__}")
    entries, seen = [], set()
    for name, obj in list(module.__dict__.items()):
        kind = kind_of(obj) or ("function" if name in sigs else None)
        if kind is None or id(obj) in seen:
            continue
        if name not in sigs and getattr(obj, "__module__", None) != module.__name__:
            continue  # imported, not defined here
        seen.add(id(obj))
        entries.append(Entry(name, obj, kind, sigs.get(name) or signature_of(obj)))
    return entries


def generated_source(obj: Any) -> str:
    """The Python that runs for ``obj``: the generated source of ``grad``/``vmap``, the
    control-flow-converted source of a function where it was converted, else its own."""
    if isinstance(obj, JitFunction):
        obj = obj.fun
    text = getattr(obj, "source", None)
    if isinstance(text, str):
        return text
    converted = convert_or_self(obj)
    text = getattr(converted, "source", None)
    if converted is not obj and isinstance(text, str):
        return text
    try:
        return textwrap.dedent(inspect.getsource(obj))
    except (OSError, TypeError):
        return f"# {getattr(obj, '__qualname__', obj)!r}: no Python source available\n"
