"""Shape helpers shared by the shape rules: broadcasting and axis canonicalisation."""
from __future__ import annotations

import operator
from collections.abc import Sequence
from functools import lru_cache


@lru_cache(maxsize=2048)
def _broadcast(shapes: tuple[tuple[int, ...], ...]) -> tuple[int, ...] | None:
    ndim = max(len(s) for s in shapes)
    out = []
    for i in range(ndim):
        size = 1
        for s in shapes:
            j = i - (ndim - len(s))
            if j < 0:
                continue
            d = s[j]
            if d != 1:
                if size not in (1, d):
                    return None
                size = d
        if any(len(s) - ndim + i >= 0 and s[len(s) - ndim + i] == 0 for s in shapes):
            size = 0
        out.append(size)
    return tuple(out)


def broadcast_shapes(*shapes: Sequence[int], op: str = "broadcast_shapes") -> tuple[int, ...]:
    """NumPy broadcasting of ``shapes``; a ``TypeError`` naming ``op`` when incompatible."""
    shapes = tuple(tuple(s) for s in shapes)
    if not shapes:
        return ()
    out = _broadcast(shapes)
    if out is None:
        raise TypeError(f"{op} got incompatible shapes for broadcasting: "
                        f"{', '.join(map(str, shapes))}.")
    return out


def canonicalize_axis(axis: int, ndim: int) -> int:
    """``axis`` in ``[0, ndim)``; negative axes count from the end, as NumPy."""
    axis = operator.index(axis)
    if not -ndim <= axis < ndim:
        raise ValueError(f"axis {axis} is out of bounds for array of dimension {ndim}")
    return axis + ndim if axis < 0 else axis


def canonicalize_axes(axis: int | Sequence[int] | None, ndim: int) -> tuple[int, ...]:
    """A sorted tuple of distinct, non-negative axes (``None`` means every axis)."""
    if axis is None:
        return tuple(range(ndim))
    if isinstance(axis, (list, tuple)):
        axes = tuple(canonicalize_axis(a, ndim) for a in axis)
    else:
        axes = (canonicalize_axis(axis, ndim),)
    if len(set(axes)) != len(axes):
        raise ValueError(f"repeated axis in {axis}")
    return tuple(sorted(axes))
