"""axc's typed IR: SSA equations over registry primitives, with structured regions.

A ``Function`` is a list of ``Eqn`` s, each applying one primitive to ``Var`` s and
``Literal`` s and defining fresh ``Var`` s. Regions (branches and loop bodies) are
``Function`` s held in an equation's params. The text form is jaxpr-like::

    { lambda a:f32[]; b:f32[3,4] c:f32[4]. let
        d:f32[3] = dot_general[dimension_numbers=(((1,), (0,)), ((), ()))] b c
        e:f32[3] = add d 1.0:f32[]
      in (e,) }

``a`` is a constant (an array the function closed over), ``b`` and ``c`` are parameters.
"""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ...kernels.registry import Primitive
from ...runtime.abstract import ShapedArray

_SHORT = {"float16": "f16", "float32": "f32", "float64": "f64", "bfloat16": "bf16",
          "int8": "i8", "int16": "i16", "int32": "i32", "int64": "i64", "uint8": "u8",
          "uint16": "u16", "uint32": "u32", "uint64": "u64", "complex64": "c64",
          "complex128": "c128", "bool": "bool"}


def type_text(aval: ShapedArray) -> str:
    """``f32[3,4]``. Weak types are not shown, as in jaxprs."""
    return f"{_SHORT.get(aval.dtype.name, aval.dtype.name)}[{','.join(map(str, aval.shape))}]"


class Var:
    """An SSA value: defined once (by a parameter, a constant or an equation)."""

    __slots__ = ("aval",)

    def __init__(self, aval: ShapedArray) -> None:
        self.aval = aval

    def __repr__(self) -> str:
        return f"Var({type_text(self.aval)})"


class Literal:
    """A scalar constant written inline (``1.0:f32[]``)."""

    __slots__ = ("aval", "value")

    def __init__(self, value: np.ndarray, aval: ShapedArray) -> None:
        self.value = value
        self.aval = aval

    def __repr__(self) -> str:
        return f"{self.value[()]!s}:{type_text(self.aval)}"


Atom = Var | Literal


@dataclass
class Eqn:
    """``outputs = prim[params](*inputs)``; ``where`` is the user's ``file:line`` (or "")."""

    prim: Primitive
    inputs: list[Atom]
    outputs: list[Var]
    params: dict[str, Any]
    where: str = ""


@dataclass
class Function:
    """A closed function: constants (with their values), parameters, equations, results."""

    params: list[Var]
    results: list[Atom]
    eqns: list[Eqn]
    consts: list[Var] = field(default_factory=list)
    const_values: list[np.ndarray] = field(default_factory=list)
    name: str = "f"

    @property
    def in_avals(self) -> list[ShapedArray]:
        return [v.aval for v in self.params]

    @property
    def out_avals(self) -> list[ShapedArray]:
        return [a.aval for a in self.results]

    def walk(self) -> Iterator[Eqn]:
        """Every equation, including those of nested regions (depth first)."""
        for eqn in self.eqns:
            yield eqn
            for sub in regions(eqn):
                yield from sub.walk()

    def __call__(self, *bufs: np.ndarray) -> list[np.ndarray]:
        """Run on NumPy buffers: how a control-flow primitive's eager ``impl`` runs a region.

        The fallback executor's plan is built on the first call and kept.
        """
        run = self.__dict__.get("_run")
        if run is None:
            from ..codegen.interpreter import plan  # codegen builds on this module
            run = self.__dict__["_run"] = plan(self)
        return run(bufs)

    def __str__(self) -> str:
        return Printer().function(self, 0)

    def pretty(self) -> str:
        return str(self)


def regions(eqn: Eqn) -> list[Function]:
    """The nested functions (branches, loop bodies) in an equation's params."""
    out = []
    for value in eqn.params.values():
        if isinstance(value, Function):
            out.append(value)
        elif isinstance(value, tuple) and value and isinstance(value[0], Function):
            out.extend(value)
    return out


def _letters(n: int) -> str:
    """a, b, ..., z, ba, bb, ... (jaxpr's naming)."""
    digits = []
    while True:
        n, r = divmod(n, 26)
        digits.append(chr(ord("a") + r))
        if n == 0:
            return "".join(reversed(digits))


class Printer:
    """Names variables in order of definition, across nested regions, as jaxprs do."""

    def __init__(self) -> None:
        self.names: dict[int, str] = {}

    def name(self, v: Var) -> str:
        key = id(v)
        if key not in self.names:
            self.names[key] = _letters(len(self.names))
        return self.names[key]

    def atom(self, a: Atom) -> str:
        return repr(a) if isinstance(a, Literal) else self.name(a)

    def binder(self, v: Var) -> str:
        return f"{self.name(v)}:{type_text(v.aval)}"

    def function(self, fn: Function, indent: int) -> str:
        pad = " " * indent
        consts = " ".join(self.binder(v) for v in fn.consts)
        params = " ".join(self.binder(v) for v in fn.params)
        lines = [f"{{ lambda {consts}; {params}. let"]
        for eqn in fn.eqns:
            lines.append(self.eqn(eqn, indent + 4))
        results = ", ".join(self.atom(a) for a in fn.results)
        lines.append(f"{pad}  in ({results},) }}" if len(fn.results) == 1
                     else f"{pad}  in ({results}) }}")
        return "\n".join(lines)

    def eqn(self, eqn: Eqn, indent: int) -> str:
        pad = " " * indent
        outs = " ".join(self.binder(v) for v in eqn.outputs)
        if regions(eqn):  # one param a line, regions nested below them, as jaxprs print
            inner = " " * (indent + 2)
            lines = [f"{pad}{outs} = {eqn.prim.name}["]
            lines += [f"{inner}{k}={self.param(v, indent + 2)}" for k, v in eqn.params.items()]
            args = " ".join(self.atom(a) for a in eqn.inputs)
            return "\n".join(lines) + f"\n{pad}] {args}".rstrip()
        params = [f"{k}={self.param(v, indent)}" for k, v in eqn.params.items()]
        head = eqn.prim.name + (f"[{', '.join(params)}]" if params else "")
        args = " ".join(self.atom(a) for a in eqn.inputs)
        return f"{pad}{outs} = {head} {args}".rstrip()

    def param(self, v: Any, indent: int) -> str:
        if isinstance(v, Function):
            return self.function(v, indent)
        if isinstance(v, tuple) and v and isinstance(v[0], Function):
            pad = " " * (indent + 2)
            return "(\n" + "".join(f"{pad}{self.function(f, indent + 2)}\n" for f in v) + \
                " " * indent + ")"
        if isinstance(v, np.dtype):
            return v.name
        return str(v)
