"""The optimisation pipeline run on every staged function before code generation."""
from __future__ import annotations

import copy

from ..ir import Function
from .cse import cse
from .dce import dce


def optimize(fn: Function) -> Function:
    """CSE then DCE, on a copy (the staged function stays as traced, for ``as_text``)."""
    fn = Function(fn.params, list(fn.results), [copy.copy(e) for e in fn.eqns], fn.consts,
                  fn.const_values, fn.name)
    return dce(cse(fn))
