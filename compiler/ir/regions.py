"""Staging ``axc.lax`` control flow: branches and loop bodies become regions of the IR.

``kernels`` may not import the compiler, so ``kernels.control`` reaches it through the active
interpreter: ``Trace.control_flow()`` returns a ``RegionStager`` for that trace. The stager
traces Python functions into closed ``Function`` s (nested ``stage`` calls) and records the
control-flow equation (``cond``, ``while``, ``scan``) in the enclosing trace.

A region that reads a value of an enclosing function (a *capture*) gets it as a parameter;
the regions of one equation share one list of captures, which lead their parameters and the
equation's operands (JAX's "consts" layout).
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from ...kernels import registry
from ...kernels.registry import Primitive
from ...runtime.abstract import ShapedArray
from ...runtime.array import Array, wrap
from .ir import Eqn, Function, Var
from .stage import FOLD_LIMIT, Trace, stage
from .tracer import Tracer, new_tracer, user_location

# A function to stage: ``fun(tracers) -> (flat results, extra)``, its parameters' types, and
# the user's function it calls (named in errors raised while tracing it).
RegionSpec = tuple[Callable[[list[Tracer]], tuple[Sequence[Any], Any]], Sequence[ShapedArray],
                   Callable]


def _origin(fun: Callable) -> tuple[str, str]:
    """The user's function's name and definition site."""
    code = getattr(fun, "__code__", None)
    where = f"{code.co_filename}:{code.co_firstlineno}" if code is not None else ""
    return getattr(fun, "__name__", "region"), where


class RegionStager:
    """Stages regions inside ``trace`` and records their equations there."""

    def __init__(self, trace: Trace) -> None:
        self.trace = trace

    def is_traced(self, x: Any) -> bool:
        """Whether ``x`` is abstract here (a tracer of this or an enclosing staging)."""
        return isinstance(x, Tracer)

    def regions(self, specs: Sequence[RegionSpec]) -> tuple[list[Function], list[Any], list]:
        """Stage each function; returns the regions, each function's ``extra``, and the
        captured outer values (the regions' leading parameters, shared by all of them)."""
        staged = [self._stage(*spec) for spec in specs]
        captures: dict[int, Tracer] = {}
        for _, _, inner in staged:
            for _, outer in inner.captured.values():
                captures.setdefault(id(outer), outer)
        functions = []
        for fn, _, inner in staged:
            mine = {id(outer): var for var, outer in inner.captured.values()}
            own = fn.params[:len(fn.params) - len(mine)]
            # A capture only another region reads is an unused parameter here.
            head = [mine[k] if k in mine else Var(t.aval) for k, t in captures.items()]
            functions.append(Function(head + own, fn.results, fn.eqns, fn.consts,
                                      fn.const_values, fn.name))
        return functions, [extra for _, extra, _ in staged], list(captures.values())

    def _stage(self, fun: Callable, avals: Sequence[ShapedArray], origin: Callable
               ) -> tuple[Function, Any, Trace]:
        inner: list[Trace] = []

        def call(f: Callable, tracers: list[Tracer]) -> tuple[Sequence[Any], Any]:
            inner.append(registry._INTERPRETERS[-1])  # the nested trace stage() pushed
            return f(tracers)

        name, where = _origin(origin)
        fn, extra = stage(fun, avals, name=name, where=where, call=call)
        return fn, extra, inner[0]

    def bind(self, prim: Primitive, operands: Sequence[Array], params: dict) -> list[Array]:
        """Record ``prim`` (its outputs keep their own weak types), or evaluate it now when
        every operand is concrete and the results are small (as the trace folds others)."""
        out_avals = prim.abstract_eval(*[x.aval for x in operands], **params)
        if not any(isinstance(x, Tracer) for x in operands) and \
                all(a.size <= FOLD_LIMIT for a in out_avals):
            outs = prim.impl(*[x._buf for x in operands], **params)
            return [wrap(np.asarray(o), a.weak_type) for o, a in zip(outs, out_avals)]
        trace = self.trace
        atoms = [trace.atom(x) for x in operands]
        outs = [Var(a) for a in out_avals]
        trace.eqns.append(Eqn(prim, atoms, outs, dict(params), user_location()))
        return [new_tracer(v, trace) for v in outs]
