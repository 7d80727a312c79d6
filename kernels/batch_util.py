"""Helpers that the primitives' batching rules share: moving and inserting batch axes.

A batching rule (a primitive's ``batch`` slot, JAX's ``primitive_batchers``) is
``rule(args, dims, **params) -> (out, out_dim)`` (``(outs, out_dims)`` for a primitive with
multiple results): ``dims[i]`` is the batch axis of ``args[i]``, or ``None`` for an operand
shared by every example, and at least one operand is batched. A rule binds primitives only,
so it runs eagerly, under ``jit`` staging and under AD alike; it moves a batch axis only when
the primitive cannot take it where it is.

Primitives are looked up by name when a rule runs: the family modules import this one while
they declare their primitives, so it must not import them.

The AD transforms read a rule's source when they differentiate code that calls it, so the
unary rules keep to what they can differentiate: operand and batch axis are read in separate
statements (an unpacking of ``args, dims`` together would make the axis a "differentiated"
value), and primitives are bound with explicit operands, never ``bind(*args)``. Rules over
lists of operands (n-ary, variadic) use comprehensions, which the AD refuses with an error.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from ..runtime.array import Array, wrap
from . import registry

Dims = Sequence[int | None]


def batch_size(args: Sequence[Array], dims: Dims) -> int:
    """The length of the batch: the size of the first batched operand's batch axis."""
    for x, d in zip(args, dims):
        if d is not None:
            return x.shape[d]
    raise ValueError("a batching rule needs at least one batched operand")


def shift_axis(axis: int, bdim: int | None) -> int:
    """Where axis ``axis`` of one example sits in an operand batched at ``bdim``."""
    return axis if bdim is None or axis < bdim else axis + 1


def shift_axes(axes: Sequence[int], bdim: int | None) -> tuple[int, ...]:
    return tuple(shift_axis(a, bdim) for a in axes)


def insert_at(items: Sequence, i: int, item: Any) -> tuple:
    """``items`` as a tuple with ``item`` inserted at position ``i``."""
    items = tuple(items)
    return items[:i] + (item,) + items[i:]


def moveaxis(x: Array, src: int, dst: int) -> Array:
    """``x`` with axis ``src`` moved to position ``dst`` (one ``transpose``, or ``x``)."""
    if src == dst:
        return x
    order = [i for i in range(x.ndim) if i != src]
    order.insert(dst, src)
    return registry.get("transpose").bind(x, permutation=tuple(order))


def broadcast_batch(x: Array, size: int, dst: int = 0) -> Array:
    """An unbatched ``x`` repeated ``size`` times along a new axis at ``dst``."""
    shape = insert_at(x.shape, dst, size)
    kept = tuple(i for i in range(len(shape)) if i != dst)
    return registry.get("broadcast_in_dim").bind(x, shape=shape, broadcast_dimensions=kept)


def move_to(x: Array, bdim: int | None, dst: int, size: int) -> Array:
    """``x`` batched at ``dst``: its batch axis moved there, or broadcast there if it has none."""
    if bdim is None:
        return broadcast_batch(x, size, dst)
    return moveaxis(x, bdim, dst)


def bdim_at_front(x: Array, bdim: int | None, size: int) -> Array:
    """``x`` batched at axis 0 (broadcast along a new axis 0 when it is unbatched)."""
    return move_to(x, bdim, 0, size)


def expand_after_batch(x: Array, rank: int) -> Array:
    """``x`` batched at axis 0, with size-1 axes after the batch axis up to ``1 + rank`` axes:
    NumPy broadcasting then aligns its example axes with those of rank-``rank`` operands."""
    missing = rank - (x.ndim - 1)
    if missing <= 0:
        return x
    return registry.get("expand_dims").bind(x, dimensions=tuple(range(1, 1 + missing)))


def scalar_like(value: Any, x: Array) -> Array:
    """``value`` as a 0-d constant of ``x``'s dtype and weak type (a padding value)."""
    return wrap(np.asarray(value, x.dtype), x.weak_type)


def common_bdim(args: Sequence[Array], dims: Dims) -> tuple[list[Array], int]:
    """Every operand batched at the same axis: the first batched operand's (operands of equal
    rank, e.g. ``sort``'s or ``concatenate``'s); unbatched ones are broadcast there."""
    size = batch_size(args, dims)
    dst = next(d for d in dims if d is not None)
    return [move_to(x, d, dst, size) for x, d in zip(args, dims)], dst


# --- elementwise primitives -------------------------------------------------------------------

def broadcast_alignment(ndims: Sequence[int], dims: Dims) -> tuple[int | None, int]:
    """How to line up the batch axes of a NumPy-broadcasting primitive's operands (ranks
    ``ndims``, batch axes ``dims``): ``(rank, out_dim)``.

    ``rank`` is None when the operands broadcast as they are: batched at one common axis
    with one rank next to unbatched scalars, or batched in front at the highest example rank
    (unbatched operands align from the right). Otherwise every batched operand goes through
    ``to_front(x, d, rank)``, so that unbatched ones broadcast against example axes only.
    """
    batched = [(n, d) for n, d in zip(ndims, dims) if d is not None]
    n0, d0 = batched[0]
    if all(d == d0 and n == n0 for n, d in batched) and \
            all(n == 0 for n, d in zip(ndims, dims) if d is None):
        return None, d0
    rank = max(n - (d is not None) for n, d in zip(ndims, dims))
    if all(d == 0 and n == rank + 1 for n, d in batched):
        return None, 0
    return rank, 0


def to_front(x: Array, bdim: int | None, rank: int) -> Array:
    """A batched ``x`` with its batch axis in front, then size-1 axes up to ``1 + rank``
    axes; an unbatched one as it is."""
    if bdim is None:
        return x
    return expand_after_batch(moveaxis(x, bdim, 0), rank)


def unary_batch(name: str, x: Array, bdim: int, params: dict) -> tuple[Array, int]:
    """A primitive that maps each element (or each example) on its own: batched in place."""
    return registry.get(name).bind(x, **params), bdim


def _binary_batch(name: str, x: Array, y: Array, dx: int | None, dy: int | None,
                  rank: int | None, params: dict) -> Array:
    if rank is not None:
        x = to_front(x, dx, rank)
        y = to_front(y, dy, rank)
    return registry.get(name).bind(x, y, **params)


def _ternary_batch(name: str, x: Array, y: Array, z: Array, dims: Dims, rank: int | None,
                   params: dict) -> Array:
    if rank is not None:
        x = to_front(x, dims[0], rank)
        y = to_front(y, dims[1], rank)
        z = to_front(z, dims[2], rank)
    return registry.get(name).bind(x, y, z, **params)


def _nary_batch(name: str, args: Sequence[Array], dims: Dims, rank: int | None,
                params: dict) -> Array:
    if rank is not None:
        args = [to_front(x, d, rank) for x, d in zip(args, dims)]
    return registry.get(name).bind(*args, **params)


def broadcast_batcher(name: str) -> Callable:
    """The batching rule of the broadcasting (elementwise) primitive ``name``.

    Up to three operands are spelled out (no comprehension over arrays), so that the AD
    transforms can differentiate the rule. A primitive with several results (all of the
    broadcast shape, e.g. ``threefry2x32``) gets the same batch axis for each.
    """
    def batch(args: Sequence[Array], dims: Dims, **params: Any) -> tuple[Array, int]:
        if len(args) == 1:
            return unary_batch(name, args[0], dims[0], params)
        rank, out_dim = broadcast_alignment([a.ndim for a in args], dims)
        if len(args) == 2:
            return _binary_batch(name, args[0], args[1], dims[0], dims[1], rank,
                                 params), out_dim
        if len(args) == 3:
            return _ternary_batch(name, args[0], args[1], args[2], dims, rank, params), out_dim
        outs = _nary_batch(name, args, dims, rank, params)
        if registry.get(name).multiple_results:
            return outs, (out_dim,) * len(outs)
        return outs, out_dim
    batch.__name__ = batch.__qualname__ = f"{name}_batch"
    return batch


def leading_batch_batcher(name: str, core_rank: int) -> Callable:
    """The batching rule of a primitive (unary) that maps over every axis before its last
    ``core_rank`` ones (the factorisations): the batch axis just has to be one of those."""
    def batch(args: Sequence[Array], dims: Dims, **params: Any) -> tuple[Any, Any]:
        x = args[0]
        d = dims[0]
        if d > x.ndim - 1 - core_rank:
            x = moveaxis(x, d, 0)
            d = 0
        out = registry.get(name).bind(x, **params)
        if registry.get(name).multiple_results:
            return out, (d,) * len(out)
        return out, d
    batch.__name__ = batch.__qualname__ = f"{name}_batch"
    return batch
