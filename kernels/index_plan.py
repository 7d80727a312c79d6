"""Index templates and their plans: the static side of the ``index``/``index_update``
primitives (``kernels/indexing.py``), shared by their shape rules and NumPy impls.

An ``IndexTemplate`` is a normalised NumPy index expression in which each entry is one of

==========================  ==============================================================
``("slice", a, b, s)``      a static slice, already normalised to the axis (``slice.indices``)
``("int", i)``              a static integer (raw: wrapping and bounds follow ``normalize``
                            and ``mode``)
``("array", k)``            the ``k``-th dynamic integer index array
``("bool", b)``             a scalar boolean: a new axis of size 1 (True) or 0 (False)
``("newaxis",)``            ``None``
==========================  ==============================================================

Integers, arrays and scalar booleans are the *advanced* entries: their broadcast shape
replaces them in the result, at the first advanced entry or in front (``advanced_first``,
NumPy's rule when advanced entries are not adjacent).
"""
from __future__ import annotations

import functools
import math
import operator
from dataclasses import dataclass
from typing import Any, NamedTuple

import numpy as np

from ..runtime.abstract import ShapedArray


@dataclass(frozen=True)
class IndexTemplate:
    """The static part of a normalised NumPy index (see the module docstring)."""

    entries: tuple[tuple, ...]
    advanced_first: bool = False

    def __str__(self) -> str:
        parts = []
        for e in self.entries:
            if e[0] == "slice":
                parts.append(f"{e[1]}:{e[2]}:{e[3]}")
            elif e[0] == "array":
                parts.append(f"<{e[1]}>")
            elif e[0] == "newaxis":
                parts.append("None")
            else:
                parts.append(repr(e[1]))
        return "[" + ", ".join(parts) + "]" + (" advanced_first" if self.advanced_first else "")


class Plan(NamedTuple):
    """How a template applies to concrete shapes; shared by shape rules and impls."""

    bool_axes: tuple[int, ...]    # where scalar booleans insert size-1 axes into the operand
    basic: tuple[slice, ...]      # a basic index per (expanded) operand axis
    advanced: tuple[tuple, ...]   # (entry, axis of the expanded operand) per advanced entry
    bshape: tuple[int, ...]       # broadcast shape of the advanced entries
    dest: int                     # where the advanced block lands among non-newaxis dims
    newaxes: tuple[int, ...]      # positions of ``None`` axes in the result
    out_shape: tuple[int, ...]    # the result shape (the shape updates broadcast to)


def _broadcast_index_shapes(shapes: list[tuple[int, ...]]) -> tuple[int, ...]:
    try:
        return tuple(np.broadcast_shapes(*shapes))
    except ValueError:
        raise ValueError(f"Incompatible shapes for broadcasting: shapes={list(shapes)}") \
            from None


def make_plan(template: IndexTemplate, shape: tuple[int, ...],
              index_shapes: list[tuple[int, ...]]) -> Plan:
    """The ``Plan`` of ``template`` on an operand of ``shape``; raises on invalid input."""
    return _plan_cached(template, tuple(shape), tuple(map(tuple, index_shapes)))


@functools.lru_cache(maxsize=1024)
def _plan_cached(template: IndexTemplate, shape: tuple[int, ...],
                 index_shapes: tuple[tuple[int, ...], ...]) -> Plan:
    if not isinstance(template, IndexTemplate):
        raise TypeError(f"index template must be an IndexTemplate, got {template!r}")
    bool_axes, basic, advanced, adv_shapes = [], [], [], []
    layout: list[Any] = []  # ints (slice sizes), "B" (advanced block) and None (new axes)
    consumed, placed = 0, template.advanced_first
    for e in template.entries:
        tag = e[0]
        if tag == "newaxis":
            layout.append(None)
            continue
        if tag == "bool":
            bool_axes.append(len(basic))
            advanced.append((e, len(basic)))
            adv_shapes.append((1,) if e[1] else (0,))
            basic.append(slice(None))
        elif tag in ("slice", "int", "array"):
            if consumed >= len(shape):
                raise IndexError(f"Too many indices: array is {len(shape)}-dimensional, "
                                 f"but {consumed + 1} were indexed")
            size = shape[consumed]
            if tag == "slice":
                start, stop, step = e[1:]
                s = slice(start, stop if stop >= 0 else None, step)  # stop -1: before index 0
                if step == 0 or (start, stop, step) != s.indices(size):
                    raise ValueError(f"index template slice {e} is not normalised to an axis "
                                     f"of size {size}")
                basic.append(s)
                layout.append(len(range(start, stop, step)))
            else:
                if tag == "array":
                    if not 0 <= e[1] < len(index_shapes):
                        raise TypeError(f"index template refers to index array {e[1]}, but "
                                        f"{len(index_shapes)} were given")
                    adv_shapes.append(tuple(index_shapes[e[1]]))
                else:
                    operator.index(e[1])
                    adv_shapes.append(())
                advanced.append((e, len(basic)))
                basic.append(slice(None))
            consumed += 1
        else:
            raise TypeError(f"unknown index template entry {e!r}")
        if tag != "slice" and not placed:  # the advanced block goes at the first advanced entry
            layout.append("B")
            placed = True
    if consumed != len(shape):
        raise TypeError(f"index template consumes {consumed} axes of an array of rank "
                        f"{len(shape)}")
    n_arrays = sum(1 for e in template.entries if e[0] == "array")
    if n_arrays != len(index_shapes):
        raise TypeError(f"index template uses {n_arrays} index arrays, but "
                        f"{len(index_shapes)} were given")
    bshape = _broadcast_index_shapes(adv_shapes) if advanced else ()
    if advanced and template.advanced_first:
        layout.insert(0, "B")
    if math.prod(bshape):
        for e, axis in advanced:
            if e[0] != "bool" and shape[axis - sum(a < axis for a in bool_axes)] == 0:
                raise IndexError(f"index is out of bounds for axis "
                                 f"{axis - sum(a < axis for a in bool_axes)} with size 0")
    out_shape: list[int] = []
    newaxes, dest = [], 0
    for item in layout:
        if item is None:
            newaxes.append(len(out_shape))
            out_shape.append(1)
        elif item == "B":
            dest = len(out_shape) - len(newaxes)
            out_shape.extend(bshape)
        else:
            out_shape.append(item)
    return Plan(tuple(bool_axes), tuple(basic), tuple(advanced), bshape, dest, tuple(newaxes),
                tuple(out_shape))


def indexed_shape(template: IndexTemplate, shape: tuple[int, ...],
                  index_shapes: list[tuple[int, ...]]) -> tuple[int, ...]:
    """The shape of ``x[...]`` for ``template`` (what updates broadcast to); validates."""
    return make_plan(template, tuple(shape), [tuple(s) for s in index_shapes]).out_shape


def check_index_avals(name: str, indices: tuple[ShapedArray, ...]) -> None:
    for i in indices:
        if i.dtype.kind not in "iu":
            raise TypeError(f"{name}: index arrays must have an integer dtype, got "
                            f"{i.dtype.name}")


def check_mode(name: str, mode: str, allowed: tuple[str, ...]) -> None:
    if mode not in allowed:
        raise ValueError(f"{name} mode must be one of {allowed}, got {mode!r}")


def advanced_indices(plan: Plan, view: np.ndarray, idx_bufs: tuple[np.ndarray, ...],
                      normalize: bool, mode: str) -> tuple[list[np.ndarray], np.ndarray | None]:
    """The advanced indices as in-bounds ``intp`` arrays of the broadcast shape, and a mask
    of the out-of-bounds positions (``None`` when clamping or when none is out of bounds)."""
    arrays, oob = [], None
    for e, axis in plan.advanced:
        n = view.shape[axis]
        if e[0] == "bool":
            arrays.append(np.zeros((1,) if e[1] else (0,), np.intp))
            continue
        raw = np.asarray(e[1]) if e[0] == "int" else idx_bufs[e[1]]
        i = raw.astype(np.int64)
        if raw.dtype.kind == "u" and raw.dtype.itemsize == 8:  # beyond int64: out of bounds
            i = np.where(raw > np.iinfo(np.int64).max, np.iinfo(np.int64).max, i)
        if normalize and raw.dtype.kind != "u":
            i = np.where(i < 0, i + n, i)
        if mode == "clip":
            i = np.clip(i, 0, max(n - 1, 0))
        else:
            bad = (i < 0) | (i >= n)
            if bad.any():
                oob = bad if oob is None else oob | bad
                i = np.where(bad, 0, i)
        arrays.append(i.astype(np.intp))
    arrays = [np.broadcast_to(a, plan.bshape) for a in arrays]
    if oob is not None:
        oob = np.broadcast_to(oob, plan.bshape)
    return arrays, oob


def static_ints(plan: Plan, shape: tuple[int, ...], normalize: bool, mode: str,
                idx_bufs: tuple[np.ndarray, ...] = ()) -> tuple | None:
    """When every advanced entry is one integer (static, or a 0-d array of ``idx_bufs``), the
    basic index with those integers resolved (clamped, or ``None`` for an out-of-bounds one
    under fill/drop); ``()`` when some entry is not a single integer."""
    if plan.bool_axes:
        return ()
    basic = list(plan.basic)
    for e, axis in plan.advanced:
        if e[0] == "int":
            i, signed = e[1], True
        else:
            buf = idx_bufs[e[1]] if idx_bufs else None
            if buf is None or buf.ndim:
                return ()
            i, signed = int(buf), buf.dtype.kind != "u"
        n = shape[axis]
        if normalize and signed and i < 0:
            i += n
        if not 0 <= i < n:
            if mode != "clip":
                return None
            i = min(max(i, 0), n - 1)
        basic[axis] = i
    return tuple(basic) + (Ellipsis,)


def expanded(x: np.ndarray, plan: Plan) -> np.ndarray:
    """A view of ``x`` with the scalar-boolean axes inserted, then basic-indexed."""
    if plan.bool_axes:
        x = np.expand_dims(x, plan.bool_axes)
    return x[plan.basic + (Ellipsis,)]  # the Ellipsis keeps 0-d results arrays (views)


def default_fill_value(dt: np.dtype) -> Any:
    """``lax.gather``'s fill: NaN (inexact), the minimum (signed), maximum (unsigned), True."""
    if dt.kind in "fcV":
        return np.nan
    if dt.kind == "i":
        return np.iinfo(dt).min
    if dt.kind == "u":
        return np.iinfo(dt).max
    return True


def check_broadcast_to(x: Any, shape: tuple[int, ...]) -> None:
    """``jnp.broadcast_to``'s errors for broadcasting ``x`` (an aval or buffer) to ``shape``."""
    if x.ndim > len(shape):
        raise ValueError(f"Cannot broadcast to shape with fewer dimensions: "
                         f"arr_shape={x.shape} shape={shape}")
    tail = shape[len(shape) - x.ndim:]
    if any(d not in (1, t) for d, t in zip(x.shape, tail)):
        src = ShapedArray(tuple(x.shape), x.dtype)
        raise ValueError(f"Incompatible shapes for broadcasting: input type={src} and "
                         f"requested type={ShapedArray(tuple(shape), x.dtype)}")
