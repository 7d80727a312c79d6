"""The optimisation pipeline run on every staged function before code generation.

``optimize`` runs ``PASSES`` in order, on the regions (branches, loop bodies) first, then on
the function, repeating the list while it still shrinks the function (folding exposes
identities, simplification exposes common subexpressions and constants), at most
``MAX_ROUNDS`` times. ``AXC_DEBUG=passes`` prints the function after each pass. In-place
updates (``inplace.mark_inplace``) are marked later, by the executor, on the fused function
it runs.
"""
from __future__ import annotations

import copy
import os
import sys
from collections.abc import Callable
from typing import Any

from ..ir import Eqn, Function, regions
from .cse import cse
from .dce import dce
from .fold import fold
from .simplify import simplify

PASSES: list[tuple[str, Callable[[Function], Function]]] = [
    ("fold", fold), ("simplify", simplify), ("cse", cse), ("dce", dce)]
MAX_ROUNDS = 3


def optimize(fn: Function) -> Function:
    """Run the pipeline on a copy (the staged function stays as traced, for ``as_text``),
    regions (branches, loop bodies) first."""
    fn = Function(fn.params, list(fn.results), [_copy(e) for e in fn.eqns], fn.consts,
                  fn.const_values, fn.name)
    debug = "passes" in os.environ.get("AXC_DEBUG", "")
    for _ in range(MAX_ROUNDS):
        before = _size(fn)
        for name, run in PASSES:
            fn = run(fn)
            if debug:
                print(f"-- after {name}:\n{fn}", file=sys.stderr)
        if _size(fn) == before:
            break
    return fn


def _size(fn: Function) -> tuple[int, int]:
    return len(fn.eqns), len(fn.consts)


def _copy(eqn: Eqn) -> Eqn:
    """A copy of ``eqn`` for the passes to rewrite, with its regions optimised (copies too:
    the staged function's regions stay as they were)."""
    new = copy.copy(eqn)
    if regions(eqn):
        new.params = {k: _optimize_region(v) for k, v in eqn.params.items()}
    return new


def _optimize_region(value: Any) -> Any:
    if isinstance(value, Function):
        return optimize(value)
    if isinstance(value, tuple) and value and isinstance(value[0], Function):
        return tuple(optimize(f) for f in value)
    return value
