"""Elementwise and reduction fusion: runs of elementwise equations with one iteration shape,
and the reductions they feed, become one ``fusion`` equation whose body is the sub-function
they form (one loop nest, no temporaries).

Clusters grow in program order. An equation joins the open clusters that produce its inputs
when its output has their shape; a cluster closes as soon as something outside it reads one
of its values (the fused kernel runs where its last member was, so every reader must come
after). Operands may broadcast into the iteration shape; values of another shape are never
recomputed inside a loop (``sin`` of a column stays out of a matrix-shaped loop).

A reduction (``REDUCTIONS``) joins the cluster of its operand, whose iteration shape is the
reduction's *input* shape, and accumulates there: ``sum(x * x)`` never stores ``x * x``. The
reductions of one cluster share their axes, and nothing in a cluster reads a reduction's
result (that needs the whole reduction first: ``x - max(x)`` starts a new cluster).
"""
from __future__ import annotations

from collections.abc import Callable

from ..ir import Atom, Eqn, Function, Var


class FusionOp:
    """The pseudo-primitive of a fused cluster: ``body`` computes its outputs."""

    name = "fusion"
    multiple_results = True

    @staticmethod
    def impl(*bufs, body: Function):
        return body(*bufs)

    def __repr__(self) -> str:
        return "fusion"


FUSION = FusionOp()

REDUCTIONS = frozenset({"reduce_sum", "reduce_prod", "reduce_max", "reduce_min",
                        "reduce_and", "reduce_or", "reduce_xor"})


def _reduced_axes(eqn: Eqn) -> tuple[int, ...] | None:
    """The axes a reduction reduces; None for any other equation."""
    return tuple(eqn.params["axes"]) if eqn.prim.name in REDUCTIONS else None


class _Cluster:
    def __init__(self, shape: tuple[int, ...]) -> None:
        self.shape = shape
        self.eqns: list[Eqn] = []
        self.open = True
        self.merged_into: _Cluster | None = None
        self.axes: tuple[int, ...] | None = None  # of its reductions, if it has any
        self.reduced: set[int] = set()              # ids of its reductions' results

    def root(self) -> _Cluster:
        c = self
        while c.merged_into is not None:
            c = c.merged_into
        return c


def fuse(fn: Function, can_fuse: Callable[[Eqn], bool], min_size: int = 2) -> Function:
    """Replace clusters of at least ``min_size`` fusible equations by ``fusion`` equations."""
    owner: dict[int, _Cluster] = {}       # id(var) -> cluster that defines it
    position: dict[int, int] = {}         # id(cluster) -> index of its last member
    slots: list[Eqn | _Cluster | None] = []
    order = {id(e): i for i, e in enumerate(fn.eqns)}
    for eqn in fn.eqns:
        producers = {owner[id(a)].root() for a in eqn.inputs if id(a) in owner}
        if can_fuse(eqn):
            axes = _reduced_axes(eqn)
            shape = (eqn.inputs if axes is not None else eqn.outputs)[0].aval.shape
            joinable = _joinable(eqn, producers, shape, axes, position)
            for c in producers:
                if c not in joinable:
                    c.open = False
            cluster = _merge(joinable, slots, position, order) if joinable else _Cluster(shape)
            cluster.eqns.append(eqn)
            for v in eqn.outputs:
                owner[id(v)] = cluster
            if axes is not None:
                cluster.axes = axes
                cluster.reduced.update(id(v) for v in eqn.outputs)
            if joinable:
                slots[position[id(cluster)]] = None
            position[id(cluster)] = len(slots)
            slots.append(cluster)
        else:
            for c in producers:
                c.open = False
            slots.append(eqn)
    used_later = _readers(fn)
    eqns = []
    for item in slots:
        if item is None:
            continue
        if isinstance(item, Eqn):
            eqns.append(item)
        elif len(item.eqns) < min_size:
            eqns.extend(item.eqns)
        else:
            eqns.append(_fusion_eqn(item, used_later))
    return Function(fn.params, fn.results, eqns, fn.consts, fn.const_values, fn.name)


def _joinable(eqn: Eqn, producers: set[_Cluster], shape: tuple[int, ...],
              axes: tuple[int, ...] | None, position: dict[int, int]) -> list[_Cluster]:
    """The producers ``eqn`` can join: open, of its iteration shape, none of whose reduction
    results it reads, and whose reductions (with ``eqn``, if it is one) share their axes."""
    reads = {id(a) for a in eqn.inputs}
    out = []
    for c in sorted(producers, key=lambda c: position[id(c)]):
        if not c.open or c.shape != shape or reads & c.reduced:
            continue
        if c.axes is not None and axes is not None and c.axes != axes:
            continue
        axes = axes if axes is not None else c.axes
        out.append(c)
    return out


def _merge(clusters: list[_Cluster], slots: list, position: dict,
           order: dict[int, int]) -> _Cluster:
    """Fold ``clusters`` into the first; the others' slots are emptied."""
    first = clusters[0]
    for other in clusters[1:]:
        first.eqns.extend(other.eqns)
        first.reduced |= other.reduced
        first.axes = first.axes if first.axes is not None else other.axes
        other.merged_into = first
        slots[position.pop(id(other))] = None
    first.eqns.sort(key=lambda e: order[id(e)])  # members stay in program order
    return first


def _readers(fn: Function) -> dict[int, int]:
    """How many times each variable is read (by equations or as a result)."""
    count: dict[int, int] = {}
    for eqn in fn.eqns:
        for a in eqn.inputs:
            count[id(a)] = count.get(id(a), 0) + 1
    for a in fn.results:
        count[id(a)] = count.get(id(a), 0) + 1
    return count


def _fusion_eqn(cluster: _Cluster, reads: dict[int, int]) -> Eqn:
    """The ``fusion`` equation of a cluster: its outputs are the values read outside it."""
    defined = {id(v) for e in cluster.eqns for v in e.outputs}
    inside_reads: dict[int, int] = {}
    inputs: list[Var] = []
    for e in cluster.eqns:
        for a in e.inputs:
            inside_reads[id(a)] = inside_reads.get(id(a), 0) + 1
            if isinstance(a, Var) and id(a) not in defined and a not in inputs:
                inputs.append(a)
    outputs = [v for e in cluster.eqns for v in e.outputs
               if reads.get(id(v), 0) > inside_reads.get(id(v), 0)]
    params = [Var(a.aval) for a in inputs]
    rename: dict[int, Atom] = {id(a): p for a, p in zip(inputs, params)}
    body_eqns = []
    for e in cluster.eqns:
        outs = [Var(v.aval) for v in e.outputs]
        body_eqns.append(Eqn(e.prim, [rename.get(id(a), a) for a in e.inputs], outs, e.params,
                             e.where))
        rename.update((id(v), o) for v, o in zip(e.outputs, outs))
    body = Function(params, [rename[id(v)] for v in outputs], body_eqns, name="fusion")
    return Eqn(FUSION, list(inputs), outputs, {"body": body}, cluster.eqns[-1].where)
