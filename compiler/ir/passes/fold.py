"""Constant folding: an equation whose operands are all literals or constants is evaluated
now, with its primitive's ``impl``; a 0-d result becomes a ``Literal``, a larger one a new
constant of the function.

Staging already folds small all-concrete operations; this pass catches what other passes
expose (a ``select_n`` made constant by simplification, chains through new constants) and
operations on large closed-over arrays. It never evaluates regions (a loop could run long),
never bakes in more than ``max_size`` elements, and never turns a cheap description into a
big array (``broadcast_in_dim`` of a scalar, ``iota``, an outer product): a result larger
than ``SMALL`` must be no larger than its operands together. An ``impl`` that raises is left
for run time, where the program would raise too.
"""
from __future__ import annotations

import numpy as np

from ..ir import Atom, Eqn, Function, Literal, Var, regions
from .substitute import renamed, resolve

MAX_SIZE = 1_000_000
# A result this small may be computed from nothing (staging folds up to the same size).
SMALL = 1024


def fold(fn: Function, max_size: int = MAX_SIZE) -> Function:
    """Evaluate the all-constant equations of ``fn`` (which is not modified).

    Parameters
    ----------
    fn : Function
        The function to fold.
    max_size : int
        The largest result (in elements) to store as a new constant.

    Returns
    -------
    Function
        ``fn`` without the folded equations, their results replaced by literals and new
        constants (unused constants stay until DCE).
    """
    values = {id(v): c for v, c in zip(fn.consts, fn.const_values)}
    consts, const_values = list(fn.consts), list(fn.const_values)
    subst: dict[int, Atom] = {}
    eqns = []
    for eqn in fn.eqns:
        eqn = renamed(eqn, subst)
        outs = _evaluate(eqn, values, max_size)
        if outs is None:
            eqns.append(eqn)
            continue
        for var, buf in zip(eqn.outputs, outs):
            if buf.ndim == 0:
                subst[id(var)] = Literal(buf, var.aval)
            else:
                const = Var(var.aval)
                values[id(const)] = buf
                consts.append(const)
                const_values.append(buf)
                subst[id(var)] = const
    results = [resolve(a, subst) for a in fn.results]
    return Function(fn.params, results, eqns, consts, const_values, fn.name)


def _value(a: Atom, values: dict[int, np.ndarray]) -> np.ndarray | None:
    return a.value if isinstance(a, Literal) else values.get(id(a))


def _evaluate(eqn: Eqn, values: dict[int, np.ndarray], max_size: int
              ) -> list[np.ndarray] | None:
    """The equation's results, when it is worth folding and folds cleanly; else None."""
    bufs = [_value(a, values) for a in eqn.inputs]
    if any(b is None for b in bufs) or regions(eqn):
        return None
    sizes = [v.aval.size for v in eqn.outputs]
    given = sum(b.size for b in bufs)
    if any(s > max_size or (s > SMALL and s > given) for s in sizes):
        return None
    try:
        out = eqn.prim.impl(*bufs, **eqn.params)
    except Exception:  # noqa: BLE001 - the error belongs to run time
        return None
    outs = [np.asarray(o) for o in (out if eqn.prim.multiple_results else [out])]
    if len(outs) != len(eqn.outputs) or any(
            o.shape != v.aval.shape or o.dtype != v.aval.dtype for o, v in zip(outs, eqn.outputs)):
        return None
    # A folded value may be a view of a constant (reshape, slice): keep its own copy, so no
    # constant's buffer is shared with another's or handed out as a result twice.
    return [o if o.flags.owndata and o.flags.writeable else np.array(o) for o in outs]
