"""In-place updates: an ``index_update`` / ``dynamic_update_slice`` whose operand dies there
may overwrite the operand's buffer instead of copying it, so ``x.at[i].set`` in a loop costs
the update, not the array.

Runs last, on the function the executor runs (after fusion). A marked equation gets two
attributes that the interpreter reads (params belong to the primitive and stay as they are):

* ``donate = (0,)``: operand 0's buffer may be overwritten;
* ``disjoint_from``: values whose buffers that one must not overlap at run time, since an
  ``impl`` may return a view of its operand (``reshape``, ``broadcast_in_dim``): the
  producer's operands and other results, the values derived from the operand that are still
  live, and the update's other operands. The buffer must also own its data and be writeable.

Static conditions: the operand is a ``Var`` that this function owns (defined by one of its
equations, or a loop-carried parameter the loop owns; never another parameter or a
constant: those are the caller's), that this update reads last and once, and that is not a
result; its producer has no regions other than a fusion body (a region could return one of
its own constants, which the run-time check would not see).

Loops (``scan``, ``while``): a body parameter carried from an update's result (the
``x = x.at[i].set(v)`` pattern) belongs to the loop from the second iteration on; the first
gets a ``copy`` of the initial value, inserted before the loop. That ``copy`` is itself
marked: when the initial value dies at the loop, it hands its buffer over instead of copying.
"""
from __future__ import annotations

import copy

from ....kernels import registry
from ..ir import Atom, Eqn, Function, Var, regions
from .fusion import FUSION

UPDATES = ("index_update", "dynamic_update_slice")
# Equations whose result is a buffer of their own (copied or donated): fresh by construction.
OWNING = UPDATES + ("copy",)
# Past this many guards the run-time check costs more than it is worth; the update copies.
MAX_GUARDS = 16


def mark_inplace(fn: Function, owned: frozenset[int] = frozenset()) -> Function:
    """``fn`` with the updates that may overwrite their operand marked (``donate``).

    Parameters
    ----------
    fn : Function
        The function the executor runs (optimised and fused). It is not modified: marked
        equations, loops with marked bodies, and their regions are copies.
    owned : frozenset of int
        Positions of parameters whose buffers ``fn`` may overwrite (loop-carried values of
        a body; empty for a function called by the user).

    Returns
    -------
    Function
        The same function with marked copies of the qualifying equations.
    """
    fn = _own_loop_carries(fn)
    uses = _Uses(fn)
    owned_vars = {id(fn.params[i]) for i in owned}
    eqns = list(fn.eqns)
    for k, eqn in enumerate(fn.eqns):
        guards = _guards(fn.eqns, k, uses, owned_vars)
        if guards is not None:
            marked = copy.copy(eqn)
            marked.donate = (0,)
            marked.disjoint_from = tuple(guards)
            eqns[k] = marked
    return Function(fn.params, fn.results, eqns, fn.consts, fn.const_values, fn.name)


class _Uses:
    """Where each value is defined and read (``len(eqns)`` stands for "a result")."""

    def __init__(self, fn: Function) -> None:
        self.producer: dict[int, int] = {}
        self.readers: dict[int, list[int]] = {}
        self.last: dict[int, int] = {}
        for k, eqn in enumerate(fn.eqns):
            for a in eqn.inputs:
                self.readers.setdefault(id(a), []).append(k)
                self.last[id(a)] = k
            for v in eqn.outputs:
                self.producer[id(v)] = k
        for a in fn.results:
            self.last[id(a)] = len(fn.eqns)


def _guards(eqns: list[Eqn], k: int, uses: _Uses, owned: set[int]) -> list[Atom] | None:
    """The run-time guards of equation ``k`` if it may overwrite its operand, else None."""
    eqn = eqns[k]
    if eqn.prim.name not in OWNING or not eqn.inputs:
        return None
    x = eqn.inputs[0]
    if not isinstance(x, Var) or uses.last.get(id(x)) != k or \
            sum(a is x for a in eqn.inputs) != 1:
        return None
    guards: list[Atom] = []
    if id(x) not in owned:
        if id(x) not in uses.producer:  # a parameter or constant: the caller's buffer
            return None
        source = eqns[uses.producer[id(x)]]
        if source.prim is not FUSION and regions(source):
            return None
        if source.prim.name not in OWNING:  # an owning result needs no check against these
            guards += source.inputs
        guards += [v for v in source.outputs if v is not x]
    guards += _live_derived(eqns, x, k, uses)
    guards += [a for a in eqn.inputs[1:] if isinstance(a, Var)]
    unique = list({id(a): a for a in guards}.values())
    return unique if len(unique) <= MAX_GUARDS else None


def _live_derived(eqns: list[Eqn], x: Var, k: int, uses: _Uses) -> list[Var]:
    """Values computed from ``x`` before equation ``k`` and read after it: any of them may
    be a view of ``x``'s buffer."""
    return [w for w in _derived(eqns, x, k, uses) if uses.last.get(id(w), -1) > k]


def _derived(eqns: list[Eqn], x: Var, k: int, uses: _Uses) -> list[Var]:
    """Values computed from ``x`` (transitively) by the equations before ``k``."""
    out: list[Var] = []
    seen = {id(x)}
    todo = [x]
    while todo:
        v = todo.pop()
        for j in uses.readers.get(id(v), ()):
            if j >= k:
                continue
            for w in eqns[j].outputs:
                if id(w) not in seen:
                    seen.add(id(w))
                    todo.append(w)
                    out.append(w)
    return out


# --- loops ------------------------------------------------------------------------------------

def _carry_layout(eqn: Eqn) -> tuple[int, int, int] | None:
    """(first carried body parameter, first carried operand, number carried) of a loop."""
    p = eqn.params
    if eqn.prim.name == "scan":
        return p["num_consts"], p["num_consts"], p["num_carry"]
    if eqn.prim.name == "while":
        n = len(p["body"].results)
        return p["body_nconsts"], p["cond_nconsts"] + p["body_nconsts"], n
    return None


def _own_loop_carries(fn: Function) -> Function:
    """Mark loop bodies whose carried values are updated in place, with ``copy`` s of the
    initial values inserted before the loops."""
    eqns: list[Eqn] = []
    changed = False
    for eqn in fn.eqns:
        layout = _carry_layout(eqn)
        loop = _owning_loop(eqn, *layout) if layout is not None else None
        if loop is None:
            eqns.append(eqn)
            continue
        new, carried = loop
        first_operand = layout[1]
        for j in carried:
            x = new.inputs[first_operand + j]
            fresh = Var(x.aval)
            eqns.append(Eqn(registry.get("copy"), [x], [fresh], {}, eqn.where))
            new.inputs[first_operand + j] = fresh
        eqns.append(new)
        changed = True
    if not changed:
        return fn
    return Function(fn.params, fn.results, eqns, fn.consts, fn.const_values, fn.name)


def _owning_loop(eqn: Eqn, first_param: int, first_operand: int, n: int
                 ) -> tuple[Eqn, list[int]] | None:
    """A copy of the loop with its body marked, and the carried values the body overwrites;
    None when marking changes nothing."""
    body: Function = eqn.params["body"]
    uses = _Uses(body)
    candidates = frozenset(first_param + j for j in range(n) if _owned_result(body, j, uses))
    marked = mark_inplace(body, candidates)
    if all(a is b for a, b in zip(marked.eqns, body.eqns)) and \
            len(marked.eqns) == len(body.eqns):
        return None
    donated = {id(e.inputs[0]) for e in marked.eqns if getattr(e, "donate", ())}
    carried = [j for j in range(n) if first_param + j in candidates and
               id(body.params[first_param + j]) in donated]
    new = copy.copy(eqn)
    new.params = {**eqn.params, "body": marked}
    new.inputs = list(eqn.inputs)
    return new, carried


def _owned_result(body: Function, j: int, uses: _Uses) -> bool:
    """Whether the body's carried result ``j`` is a buffer of its own that no other result
    can see: then the next iteration's parameter ``j`` is the loop's to overwrite."""
    r = body.results[j]
    if not isinstance(r, Var) or sum(a is r for a in body.results) != 1:
        return False
    k = uses.producer.get(id(r))
    if k is None or body.eqns[k].prim.name not in OWNING:
        return False
    derived = {id(v) for v in _derived(body.eqns, r, len(body.eqns), uses)}
    return not any(id(a) in derived for a in body.results)
