"""Staging: run a function on tracers and record the primitives it binds as an IR ``Function``.

The trace is pushed as the registry's interpreter, so every ``Primitive.bind`` (from
``axc.numpy``, ``lax``, generated gradient code, ...) lands in ``process_primitive``. An
operation whose operands are all concrete and whose result is small is evaluated on the spot
(constant folding at trace time); everything else becomes an equation.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from ...kernels import registry
from ...kernels.registry import Primitive
from ...runtime.abstract import ShapedArray
from ...runtime.array import Array, wrap
from .ir import Atom, Eqn, Function, Literal, Var
from .tracer import Tracer, new_tracer, user_location

# Results of all-concrete operations up to this many elements are computed while tracing.
FOLD_LIMIT = 1024


class Trace:
    """One staging in progress: the equations, constants and parameters recorded so far."""

    def __init__(self, name: str, where: str, parent: Trace | None = None) -> None:
        self.name, self.where, self.parent = name, where, parent
        self.eqns: list[Eqn] = []
        self.params: list[Var] = []
        self.param_names: list[str] = []
        self.consts: dict[int, tuple[Var, Array]] = {}
        # Tracers of enclosing traces used here (a branch reading an outer value).
        self.captured: dict[int, tuple[Var, Tracer]] = {}
        self.active = True

    # -- values --------------------------------------------------------------------------
    def new_param(self, aval: ShapedArray, name: str = "") -> Tracer:
        var = Var(aval)
        self.params.append(var)
        self.param_names.append(name)
        return new_tracer(var, self)

    def atom(self, x: Any) -> Atom:
        """The IR value for an operand: own tracer, captured outer tracer, or constant."""
        if isinstance(x, Tracer):
            if x._trace is self:
                return x._var
            return self._capture(x)
        if not isinstance(x, Array):
            x = wrap(np.asarray(x))
        buf = x._buf
        if buf.ndim == 0:
            return Literal(buf, ShapedArray((), buf.dtype, x._weak))
        entry = self.consts.get(id(x))
        if entry is None:
            entry = self.consts[id(x)] = (Var(ShapedArray(buf.shape, buf.dtype, x._weak)), x)
        return entry[0]

    def _capture(self, x: Tracer) -> Var:
        if not x._trace.active:
            x._fail(Exception, "")  # raises UnexpectedTracerError
        entry = self.captured.get(id(x))
        if entry is None:
            entry = self.captured[id(x)] = (Var(x.aval), x)
        return entry[0]

    # -- the interpreter protocol (called by Primitive.bind) -------------------------------
    def process_primitive(self, prim: Primitive, args: Sequence[Any], params: dict):
        if not any(isinstance(a, Tracer) for a in args) and self._small_result(prim, args,
                                                                                params):
            return self._eager(prim, args, params)
        atoms = [self.atom(a) for a in args]
        out_avals = prim.abstract_eval(*[a.aval for a in atoms], **params)
        weak = prim.weak_rule([a.aval.weak_type for a in atoms], **params)
        many = prim.multiple_results
        outs = [Var(_with_weak(av, weak)) for av in (out_avals if many else [out_avals])]
        self.eqns.append(Eqn(prim, atoms, outs, dict(params), user_location()))
        tracers = [new_tracer(v, self) for v in outs]
        return tuple(tracers) if many else tracers[0]

    def _small_result(self, prim: Primitive, args: Sequence[Any], params: dict) -> bool:
        avals = [a.aval if isinstance(a, Array) else ShapedArray((), np.asarray(a).dtype)
                 for a in args]
        out = prim.abstract_eval(*avals, **params)
        return all(o.size <= FOLD_LIMIT for o in (out if prim.multiple_results else [out]))

    def _eager(self, prim: Primitive, args: Sequence[Any], params: dict):
        stack = registry._INTERPRETERS
        saved = stack[:]
        stack.clear()  # concrete operands: run eagerly, outside every trace
        try:
            return prim.bind(*args, **params)
        finally:
            stack[:] = saved

    def control_flow(self) -> Any:
        """The stager of ``axc.lax`` control flow into regions of this trace (``regions``)."""
        from .regions import RegionStager  # regions builds on this module
        return RegionStager(self)

    # -- finishing -------------------------------------------------------------------------
    def finish(self, results: Sequence[Any]) -> Function:
        """The recorded ``Function`` returning ``results`` (tracers or concrete arrays)."""
        atoms = [self.atom(r) for r in results]
        consts = [v for v, _ in self.consts.values()]
        values = [a._buf for _, a in self.consts.values()]
        captured = [v for v, _ in self.captured.values()]
        return Function(self.params + captured, atoms, self.eqns, consts, values, self.name)

    def describe(self) -> str:
        return f"the function {self.name} at {self.where} for jit"

    def dependence(self, tracer: Tracer) -> str:
        """Which parameters a traced value depends on (for concretization errors)."""
        names = self._depends_on(tracer._var)
        if not names:
            return ""
        which = ", ".join(names)
        plural = "s" if len(names) > 1 else ""
        return (f" This concrete value was not available in Python because it depends on "
                f"the value of the argument{plural} {which}.")

    def _depends_on(self, var: Var) -> list[str]:
        producer = {id(o): e for e in self.eqns for o in e.outputs}
        seen, todo, found = set(), [var], set()
        while todo:
            v = todo.pop()
            if id(v) in seen:
                continue
            seen.add(id(v))
            eqn = producer.get(id(v))
            if eqn is not None:
                todo.extend(a for a in eqn.inputs if isinstance(a, Var))
        for p, name in zip(self.params, self.param_names):
            if id(p) in seen and name:
                found.add(name)
        return sorted(found)


def _with_weak(aval: ShapedArray, weak: bool) -> ShapedArray:
    return aval if aval.weak_type == weak else ShapedArray(aval.shape, aval.dtype, weak)


def stage(fn: Callable[..., Any], avals: Sequence[ShapedArray], names: Sequence[str] = (),
          *, name: str = "", where: str = "",
          call: Callable[[Callable, list[Tracer]], Sequence[Any]] | None = None
          ) -> tuple[Function, Any]:
    """Trace ``fn`` on abstract ``avals``.

    ``call(fn, tracers)`` runs the function and returns its flat results (the caller does
    pytree handling); returns the ``Function`` and whatever ``call`` returned besides.
    """
    parent = registry._INTERPRETERS[-1] if registry._INTERPRETERS else None
    trace = Trace(name or getattr(fn, "__name__", "f"), where, parent)
    tracers = [trace.new_param(a, n) for a, n in zip(avals, list(names) + [""] * len(avals))]
    registry.push_interpreter(trace)
    try:
        results, extra = call(fn, tracers)
        function = trace.finish(results)
    finally:
        registry.pop_interpreter()
        trace.active = False
    return function, extra
