"""Abstract argument types for ahead-of-time compilation: ``"f32[1000]"``, ``"i32[]"``.

``axc.signature(*specs)`` records the types on the function (``__axc_signature__``) without
wrapping it, so it stacks with ``jit`` in either order and applies to module-level
transformed functions (``dloss = axc.signature("f32[3]")(axc.grad(loss))``). The command
line's ``--sig NAME=SPEC;SPEC`` spells the same types.
"""
from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import numpy as np

from ...runtime import dtypes
from ...runtime.abstract import ShapeDtypeStruct

ATTRIBUTE = "__axc_signature__"

# Short names (as printed in the IR and by JAX) and the NumPy names they stand for.
_SHORT = {
    "pred": "bool", "bool": "bool",
    "i8": "int8", "i16": "int16", "i32": "int32", "i64": "int64",
    "u8": "uint8", "u16": "uint16", "u32": "uint32", "u64": "uint64",
    "f16": "float16", "f32": "float32", "f64": "float64", "bf16": "bfloat16",
    "c64": "complex64", "c128": "complex128",
}
_TEXT = {v: k for k, v in _SHORT.items() if k != "pred"}
_SPEC = re.compile(r"^\s*([A-Za-z_][A-Za-z0-9_]*)\s*(?:\[([^\]]*)\])?\s*$")


class SignatureError(ValueError):
    """A malformed type spec, or a signature given to something that cannot hold one."""


def _dtype(name: str, spec: str) -> np.dtype:
    full = _SHORT.get(name, name)
    if full == "bfloat16":
        if dtypes.bfloat16 is None:
            raise SignatureError(f"{spec!r}: bfloat16 needs the ml_dtypes package")
        return dtypes.bfloat16
    try:
        dt = np.dtype(full)
    except TypeError:
        raise SignatureError(f"{spec!r}: unknown dtype {name!r} (use f32, f64, i32, i64, "
                             f"u8, bool, c64, ... or a NumPy dtype name)") from None
    try:
        dtypes.check_supported(dt)
    except TypeError as e:
        raise SignatureError(f"{spec!r}: {e}") from None
    return dt


def _shape(dims: str | None, spec: str) -> tuple[int, ...]:
    if dims is None or not dims.strip():
        return ()
    shape = []
    for d in dims.split(","):
        d = d.strip()
        if not d.isdigit():
            raise SignatureError(f"{spec!r}: dimension {d!r} is not a non-negative integer "
                                 f"(AOT signatures need static shapes)")
        shape.append(int(d))
    return tuple(shape)


def parse_spec(spec: str | ShapeDtypeStruct | Any) -> ShapeDtypeStruct:
    """One argument type from ``"f32[3,4]"``, ``"i32[]"`` (or ``"i32"``), or anything with
    ``shape`` and ``dtype`` (``axc.ShapeDtypeStruct``, arrays)."""
    if isinstance(spec, ShapeDtypeStruct):
        return spec
    if not isinstance(spec, str):
        if hasattr(spec, "shape") and hasattr(spec, "dtype"):
            return ShapeDtypeStruct(tuple(spec.shape), np.dtype(spec.dtype))
        raise SignatureError(f"a type spec is a string like 'f32[3,4]' or a ShapeDtypeStruct, "
                             f"got {type(spec).__name__}: {spec!r}")
    m = _SPEC.match(spec)
    if m is None:
        raise SignatureError(f"{spec!r} is not a type spec: write dtype[dims], e.g. "
                             f"'f32[1000]', 'i32[]', 'f32[3,4]'")
    return ShapeDtypeStruct(_shape(m.group(2), spec), _dtype(m.group(1), spec))


def parse_signature(text: str) -> tuple[ShapeDtypeStruct, ...]:
    """Argument types separated by ``;``: ``"f32[3];f32[]"``. An empty text is no argument."""
    return tuple(parse_spec(s) for s in text.split(";") if s.strip())


def parse_sig_option(text: str) -> tuple[str, tuple[ShapeDtypeStruct, ...]]:
    """``--sig NAME=SPEC;SPEC`` as (name, types)."""
    name, eq, specs = text.partition("=")
    if not eq or not name.strip().isidentifier():
        raise SignatureError(f"--sig {text!r}: write NAME=SPEC;SPEC, e.g. "
                             f"--sig 'loss=f32[3];f32[]'")
    return name.strip(), parse_signature(specs)


def spec_text(s: ShapeDtypeStruct) -> str:
    """``ShapeDtypeStruct((3, 4), float32)`` as ``"f32[3,4]"`` (what ``parse_spec`` reads)."""
    return f"{_TEXT.get(s.dtype.name, s.dtype.name)}[{','.join(map(str, s.shape))}]"


def signature(*specs: str | ShapeDtypeStruct) -> Callable[[Any], Any]:
    """Record the argument types ``axc compile`` builds a function for.

    Parameters
    ----------
    *specs : str or ShapeDtypeStruct
        One per positional argument: ``"f32[1000]"``, ``"i32[]"``, ``"f32[3,4]"`` or
        ``axc.ShapeDtypeStruct((3, 4), jnp.float32)``.

    Returns
    -------
    callable
        A decorator that sets the types on its argument and returns it unchanged, so it
        stacks with ``@axc.jit`` in either order and applies to ``axc.grad(f)`` objects.

    Examples
    --------
    >>> @axc.jit
    ... @axc.signature("f32[1000]")
    ... def selu(x): ...
    >>> dloss = axc.signature("f32[3]", "f32[3]")(axc.grad(loss))
    """
    parsed = tuple(parse_spec(s) for s in specs)

    def record(fun: Any) -> Any:
        if not callable(fun):
            raise SignatureError(f"axc.signature decorates a function, got "
                                 f"{type(fun).__name__}: {fun!r}")
        try:
            setattr(fun, ATTRIBUTE, parsed)
        except (AttributeError, TypeError):
            raise SignatureError(f"cannot record a signature on {fun!r}: wrap it in a "
                                 f"Python function first") from None
        return fun
    return record


def signature_of(obj: Any) -> tuple[ShapeDtypeStruct, ...] | None:
    """The types recorded on ``obj`` or on the functions it wraps (through ``jit`` and
    ``grad``, whose arguments are the wrapped function's; not through ``vmap``)."""
    from ..transforms.vmap import VmapFunction
    seen: set[int] = set()
    while obj is not None and id(obj) not in seen:
        seen.add(id(obj))
        found = getattr(obj, "__dict__", {}).get(ATTRIBUTE)
        if found is not None:
            return found
        if isinstance(obj, VmapFunction):
            return None  # the mapped function's arguments have the batch axis removed
        obj = getattr(obj, "__wrapped__", None)
    return None
