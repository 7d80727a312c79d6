"""``JitTracer``: the abstract stand-in for an array while a function is staged.

A tracer is an ``axc.Array`` (so every ``axc.numpy`` function accepts it and ``isinstance``
holds, as in JAX) whose buffer is an ``AbstractBuffer``: it knows shape and dtype, and any
attempt to read values raises JAX's typed error, naming the user's line.
"""
from __future__ import annotations

import os
import sys
from typing import Any

from ...runtime.abstract import ShapedArray
from ...runtime.array import Array
from ...runtime.errors import (
    ConcretizationTypeError,
    TracerArrayConversionError,
    TracerBoolConversionError,
    TracerIntegerConversionError,
    UnexpectedTracerError,
)

_AXC_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def user_location(depth: int = 2) -> str:
    """``file:line`` of the innermost caller outside axc's own source (the user's line)."""
    frame = sys._getframe(depth)
    while frame is not None:
        filename = frame.f_code.co_filename
        if not filename.startswith(_AXC_ROOT) or "/tests/" in filename or \
                "/examples/" in filename or "/benchmarks/" in filename:
            return f"{filename}:{frame.f_lineno}"
        frame = frame.f_back
    return ""


class AbstractBuffer:
    """What a tracer holds instead of data: shape and dtype; values are unavailable."""

    __slots__ = ("dtype", "itemsize", "nbytes", "ndim", "shape", "size", "tracer")

    def __init__(self, aval: ShapedArray, tracer: Tracer) -> None:
        self.shape = aval.shape
        self.dtype = aval.dtype
        self.ndim = len(aval.shape)
        self.size = aval.size
        self.itemsize = aval.dtype.itemsize
        self.nbytes = self.size * self.itemsize
        self.tracer = tracer

    def __array__(self, *args: Any, **kwargs: Any):
        self.tracer._fail(TracerArrayConversionError,
                          "The numpy.ndarray conversion method __array__() was called on "
                          f"traced array with shape {self.tracer.aval.str_short()}.")

    def __bool__(self) -> bool:
        return self.tracer.__bool__()

    def _no_value(self, *args: Any, **kwargs: Any):
        self.tracer._fail(ConcretizationTypeError,
                          f"Abstract tracer value encountered where concrete value is "
                          f"expected: {self.tracer!r}")

    item = tolist = astype = reshape = __float__ = __int__ = __index__ = _no_value


class Tracer(Array):
    """An array being staged by ``jit``: printed as ``JitTracer<float32[3,4]>``."""

    __slots__ = ("_trace", "_var")

    @property
    def aval(self) -> ShapedArray:
        return self._var.aval

    def __repr__(self) -> str:
        return f"JitTracer<{'~' if self._weak else ''}{self.aval.str_short()}>"

    __str__ = __repr__

    def __format__(self, spec: str) -> str:
        return repr(self)

    def __hash__(self) -> int:
        raise TypeError("unhashable type: 'JitTracer'")

    def _fail(self, cls: type, message: str):
        trace = self._trace
        if not trace.active:
            raise UnexpectedTracerError(
                f"Encountered an unexpected tracer: {self!r}, created while staging "
                f"{trace.describe()}, was used after that staging finished (it escaped, "
                f"e.g. through a global or a closure).")
        raise cls(f"{message}\nThe error occurred while tracing {trace.describe()}."
                  f"{trace.dependence(self)}\n(at {user_location(3)})")

    def __bool__(self) -> bool:  # noqa: PLE0304 (always raises)
        self._fail(TracerBoolConversionError,
                   f"Attempted boolean conversion of traced array with shape "
                   f"{self.aval.str_short()}.")

    def __int__(self) -> int:
        self._fail(ConcretizationTypeError,
                   f"Abstract tracer value encountered where concrete value is expected: "
                   f"the __int__() method was called on traced array with shape "
                   f"{self.aval.str_short()}.")

    def __index__(self) -> int:  # noqa: PLE0305 (always raises)
        self._fail(TracerIntegerConversionError,
                   f"The __index__() method was called on traced array with shape "
                   f"{self.aval.str_short()}.")

    def __float__(self) -> float:
        self._fail(ConcretizationTypeError,
                   f"Abstract tracer value encountered where concrete value is expected: "
                   f"float() of {self!r}.")

    def __complex__(self) -> complex:
        self._fail(ConcretizationTypeError,
                   f"Abstract tracer value encountered where concrete value is expected: "
                   f"complex() of {self!r}.")

    def __array__(self, *args: Any, **kwargs: Any):
        self._buf.__array__()

    def item(self, *args: Any) -> Any:
        self._buf._no_value()

    def tolist(self) -> Any:
        self._buf._no_value()

    def __reduce__(self):
        self._buf._no_value()


def new_tracer(var: Any, trace: Any) -> Tracer:
    t = object.__new__(Tracer)
    t._var = var
    t._trace = trace
    t._weak = var.aval.weak_type
    t._buf = AbstractBuffer(var.aval, t)
    return t
