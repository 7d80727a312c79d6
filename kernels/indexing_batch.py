"""Batching rules of the index primitives (``kernels/indexing.py``): gathers and scatters.

The general method, as XLA's gather batching: the operand's batch axis goes in front and an
``iota`` index array picks each example's own slab of it, so every example reads (or writes)
only its own data. Cheaper forms serve the common cases: an operand batched under unbatched
indices just gains a full slice, and an unbatched operand read with batched indices needs no
iota at all. Batched index arrays move their batch axis in front and gain size-1 axes up to
the rank of the broadcast index shape, so that broadcasting keeps examples apart.
Primitives are bound by name: ``indexing`` imports this module while it declares them.
"""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from ..runtime.array import Array, wrap
from . import batch_util as bu
from .index_plan import IndexTemplate, Plan, make_plan
from .registry import get as _prim

_INT32 = np.dtype(np.int32)


def _example_shape(x: Array, d: int | None) -> tuple[int, ...]:
    shape = tuple(x.shape)
    return shape if d is None else shape[:d] + shape[d + 1:]


def _example_plan(operand: Array, od: int | None, indices: Sequence[Array], ids: bu.Dims,
                  template: IndexTemplate) -> Plan:
    """The plan of one example's indexing."""
    return make_plan(template, _example_shape(operand, od),
                     [_example_shape(i, d) for i, d in zip(indices, ids)])


def _block_position(plan: Plan) -> int:
    """Where the broadcast block of the advanced indices starts in one example's result."""
    pos = kept = 0
    while pos in plan.newaxes or kept < plan.dest:
        kept += pos not in plan.newaxes
        pos += 1
    return pos


def _batched_indices(indices: Sequence[Array], ids: bu.Dims, rank: int) -> list[Array]:
    """Index arrays with their batch axis in front, padded with size-1 axes to ``1 + rank``
    axes (``rank``: the rank of one example's broadcast index shape)."""
    return [i if d is None else bu.expand_after_batch(bu.moveaxis(i, d, 0), rank)
            for i, d in zip(indices, ids)]


def _batch_iota(size: int, rank: int) -> Array:
    """``0 .. size-1`` along axis 0 of ``1 + rank`` axes: each example's own slab."""
    return _prim("iota").bind(dtype=_INT32, shape=(size,) + (1,) * rank, dimension=0)


def _with_front(entry: tuple, template: IndexTemplate, advanced_first: bool) -> IndexTemplate:
    return IndexTemplate((entry, *template.entries), advanced_first)


def _block_order(block: int, pos: int, ndim: int) -> tuple[int, ...]:
    """The permutation that takes a result laid out as (batch, block, rest) to (batch, rest
    with the block at ``pos``)."""
    rest = list(range(1 + block, ndim))
    middle = list(range(1, 1 + block))
    return (0, *rest[:pos], *middle, *rest[pos:])


# --- index (gather) ---------------------------------------------------------------------------

def index_batch(args: list[Array], dims: bu.Dims, *, template: IndexTemplate,
                mode: str = "clip", fill_value: Any = None,
                normalize: bool = True) -> tuple[Array, int]:
    operand, *indices = args
    od, *ids = dims
    params = {"mode": mode, "fill_value": fill_value, "normalize": normalize}
    size = bu.batch_size(args, dims)
    plan = _example_plan(operand, od, indices, ids, template)
    if all(d is None for d in ids):
        # A full slice over the batch axis, in front of every entry: the advanced block then
        # stays where it was, unless it goes first anyway (ahead of the batch axis).
        operand = bu.moveaxis(operand, od, 0)
        new = _with_front(("slice", 0, size, 1), template, template.advanced_first)
        out = _prim("index").bind(operand, *indices, template=new, **params)
        return out, len(plan.bshape) if template.advanced_first and plan.advanced else 0
    rank = len(plan.bshape)
    indices = _batched_indices(indices, ids, rank)
    if od is None:  # the batch axis is the first axis of the broadcast index block
        out = _prim("index").bind(operand, *indices, template=template, **params)
        return out, _block_position(plan)
    operand = bu.moveaxis(operand, od, 0)
    new = _with_front(("array", len(indices)), template, True)
    out = _prim("index").bind(operand, *indices, _batch_iota(size, rank), template=new, **params)
    return _put_block_back(out, plan), 0


def _put_block_back(out: Array, plan: Plan) -> Array:
    """A batched result laid out (batch, block, rest) in the example's layout."""
    rank, pos = len(plan.bshape), _block_position(plan)
    if pos == 0:
        return out
    return _prim("transpose").bind(out, permutation=_block_order(rank, pos, out.ndim))


# --- index_update (scatter) -------------------------------------------------------------------

def index_update_batch(args: list[Array], dims: bu.Dims, *, template: IndexTemplate, op: str,
                       mode: str = "drop", normalize: bool = True) -> tuple[Array, int]:
    operand, updates, *indices = args
    od, ud, *ids = dims
    params = {"op": op, "mode": mode, "normalize": normalize}
    size = bu.batch_size(args, dims)
    plan = _example_plan(operand, od, indices, ids, template)
    operand = bu.bdim_at_front(operand, od, size)  # every example gets its own result
    updates = _updates_in_front(updates, ud, len(plan.out_shape))
    rank = len(plan.bshape)
    if all(d is None for d in ids):
        new = _with_front(("slice", 0, size, 1), template, template.advanced_first)
        if template.advanced_first and plan.advanced:  # the batch axis follows the block
            updates = bu.moveaxis(updates, 0, rank)
        return _prim("index_update").bind(operand, updates, *indices, template=new, **params), 0
    indices = _batched_indices(indices, ids, rank)
    new = _with_front(("array", len(indices)), template, True)
    pos = _block_position(plan)
    if pos:  # updates in the layout of the batched indexing: (batch, block, rest)
        order = _block_order(rank, pos, updates.ndim)
        updates = _prim("transpose").bind(updates, permutation=tuple(np.argsort(order).tolist()))
    out = _prim("index_update").bind(operand, updates, *indices, _batch_iota(size, rank),
                                 template=new, **params)
    return out, 0


def _updates_in_front(updates: Array, ud: int | None, rank: int) -> Array:
    """Updates of ``1 + rank`` axes, batched (or of size 1) at axis 0 and broadcastable to
    the batch axis followed by one example's indexed shape (of rank ``rank``)."""
    if ud is None:
        missing = rank + 1 - updates.ndim
        return _prim("expand_dims").bind(updates, dimensions=tuple(range(missing)))
    return bu.expand_after_batch(bu.moveaxis(updates, ud, 0), rank)


# --- dynamic_slice / dynamic_update_slice -----------------------------------------------------

def _window_indices(starts: Sequence[Array], sds: bu.Dims, shape: Sequence[int],
                    widths: Sequence[int]) -> list[Array]:
    """Index arrays of ``1 + len(shape)`` axes (batch first) reading each example's window
    along every example axis: its start, clamped into bounds as XLA does, plus an iota."""
    n = len(shape)
    out = []
    for k, (s, d, dim, width) in enumerate(zip(starts, sds, shape, widths)):
        hi = min(dim - width, int(np.iinfo(s.dtype).max))
        s = _prim("clamp").bind(bu.scalar_like(0, s), s, bu.scalar_like(hi, s))
        s = _prim("convert_element_type").bind(s, new_dtype=_INT32, weak_type=False)
        if d is not None:
            s = bu.expand_after_batch(s, n)
        line = (1,) * (k + 1) + (width,) + (1,) * (n - k - 1)
        line = _prim("iota").bind(dtype=_INT32, shape=line, dimension=k + 1)
        out.append(_prim("add").bind(s, line))
    return out


def _window_template(n: int) -> IndexTemplate:
    return IndexTemplate(tuple(("array", k) for k in range(n)))


def _zero_start(starts: Sequence[Array]) -> Array:
    """A start index of 0 for the batch axis, of the other starts' dtype."""
    return wrap(np.zeros((), starts[0].dtype if starts else _INT32))


def dynamic_slice_batch(args: list[Array], dims: bu.Dims, *,
                        slice_sizes: tuple[int, ...]) -> tuple[Array, int]:
    operand, *starts = args
    od, *sds = dims
    size = bu.batch_size(args, dims)
    if all(d is None for d in sds):  # the whole batch axis, from 0
        starts = bu.insert_at(starts, od, _zero_start(starts))
        return _prim("dynamic_slice").bind(operand, *starts,
                                       slice_sizes=bu.insert_at(slice_sizes, od, size)), od
    shape = _example_shape(operand, od)
    indices = _window_indices(starts, sds, shape, slice_sizes)
    if od is not None:  # each example reads its own operand: a batch iota picks it
        operand = bu.moveaxis(operand, od, 0)
        indices = [_batch_iota(size, len(shape)), *indices]
    return _prim("index").bind(operand, *indices, template=_window_template(len(indices))), 0


def dynamic_update_slice_batch(args: list[Array], dims: bu.Dims) -> tuple[Array, int]:
    operand, update, *starts = args
    od, ud, *sds = dims
    size = bu.batch_size(args, dims)
    if all(d is None for d in sds):
        target = od if od is not None else ud
        operand = bu.move_to(operand, od, target, size)
        update = bu.move_to(update, ud, target, size)
        starts = bu.insert_at(starts, target, _zero_start(starts))
        return _prim("dynamic_update_slice").bind(operand, update, *starts), target
    shape = _example_shape(operand, od)
    widths = _example_shape(update, ud)
    operand = bu.bdim_at_front(operand, od, size)
    update = update if ud is None else bu.moveaxis(update, ud, 0)  # broadcasts if unbatched
    indices = [_batch_iota(size, len(shape)), *_window_indices(starts, sds, shape, widths)]
    out = _prim("index_update").bind(operand, update, *indices,
                                 template=_window_template(len(indices)), op="set")
    return out, 0
