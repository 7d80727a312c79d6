"""Index primitives: NumPy-style gather (``index``) and scatter (``index_update``), and XLA's
``dynamic_slice`` / ``dynamic_update_slice``.

``index`` and ``index_update`` take the operand, then one integer array per dynamic index
position, and a static, hashable ``IndexTemplate``: a normalised NumPy index expression in
which each entry is one of

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
NumPy's rule when advanced entries are not adjacent). Out-of-bounds indices are clamped
(``mode="clip"``), filled with ``fill_value`` (``index``, ``mode="fill"``) or dropped
(``index_update``, ``mode="drop"``), as ``lax.gather``/``lax.scatter`` modes do.
"""
from __future__ import annotations

import functools
import math
import operator
from dataclasses import dataclass
from typing import Any, NamedTuple

import numpy as np

from ..runtime import dtypes
from ..runtime.abstract import ShapedArray
from .quiet import quiet
from .registry import Primitive, first_weak

UPDATE_OPS = ("set", "add", "mul", "min", "max")
_UFUNCS = {"add": np.add, "mul": np.multiply, "min": np.minimum, "max": np.maximum}


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


class _Plan(NamedTuple):
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


def _plan(template: IndexTemplate, shape: tuple[int, ...],
          index_shapes: list[tuple[int, ...]]) -> _Plan:
    return _plan_cached(template, tuple(shape), tuple(map(tuple, index_shapes)))


@functools.lru_cache(maxsize=1024)
def _plan_cached(template: IndexTemplate, shape: tuple[int, ...],
                 index_shapes: tuple[tuple[int, ...], ...]) -> _Plan:
    if not isinstance(template, IndexTemplate):
        raise TypeError(f"index template must be an IndexTemplate, got {template!r}")
    bool_axes, basic, advanced, adv_shapes = [], [], [], []
    layout: list[Any] = []  # ints (slice sizes), "B" (advanced block) and None (new axes)
    consumed = 0
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
        if tag != "slice" and "B" not in layout and not template.advanced_first:
            layout.append("B")
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
    return _Plan(tuple(bool_axes), tuple(basic), tuple(advanced), bshape, dest, tuple(newaxes),
                 tuple(out_shape))


def indexed_shape(template: IndexTemplate, shape: tuple[int, ...],
                  index_shapes: list[tuple[int, ...]]) -> tuple[int, ...]:
    """The shape of ``x[...]`` for ``template`` (what updates broadcast to); validates."""
    return _plan(template, tuple(shape), [tuple(s) for s in index_shapes]).out_shape


def _check_index_avals(name: str, indices: tuple[ShapedArray, ...]) -> None:
    for i in indices:
        if i.dtype.kind not in "iu":
            raise TypeError(f"{name}: index arrays must have an integer dtype, got "
                            f"{i.dtype.name}")


def _check_mode(name: str, mode: str, allowed: tuple[str, ...]) -> None:
    if mode not in allowed:
        raise ValueError(f"{name} mode must be one of {allowed}, got {mode!r}")


def _advanced_indices(plan: _Plan, view: np.ndarray, idx_bufs: tuple[np.ndarray, ...],
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


def _static_ints(plan: _Plan, shape: tuple[int, ...], normalize: bool,
                 mode: str) -> tuple | None:
    """When every advanced entry is a static integer, the basic index with those integers
    resolved (clamped, or ``None`` for an out-of-bounds one under fill/drop)."""
    if plan.bool_axes or any(e[0] != "int" for e, _ in plan.advanced):
        return ()
    basic = list(plan.basic)
    for (_, i), axis in plan.advanced:
        n = shape[axis]
        if normalize and i < 0:
            i += n
        if not 0 <= i < n:
            if mode != "clip":
                return None
            i = min(max(i, 0), n - 1)
        basic[axis] = i
    return tuple(basic) + (Ellipsis,)


def _expanded(x: np.ndarray, plan: _Plan) -> np.ndarray:
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


# --- index (gather) ---------------------------------------------------------------------------

@quiet
def _index_impl(operand: np.ndarray, *idx_bufs: np.ndarray, template: IndexTemplate,
                mode: str = "clip", fill_value: Any = None, normalize: bool = True) -> np.ndarray:
    _check_index(mode, fill_value, idx_bufs)
    plan = _plan(template, operand.shape, [b.shape for b in idx_bufs])
    basic = _static_ints(plan, operand.shape, normalize, mode) if plan.advanced else ()
    if basic:  # fast path: only static integers, in bounds or clamped
        out = operand[basic]
    else:
        out = _expanded(operand, plan)
    if plan.advanced and not basic:
        arrays, oob = _advanced_indices(plan, out, idx_bufs, normalize, mode)
        m, nb = len(arrays), len(plan.bshape)
        out = np.moveaxis(out, [axis for _, axis in plan.advanced], range(m))[tuple(arrays)]
        if oob is not None:
            fill = default_fill_value(operand.dtype) if fill_value is None else fill_value
            fill = np.asarray(fill).astype(operand.dtype)
            out = np.where(oob.reshape(oob.shape + (1,) * (out.ndim - nb)), fill, out)
        out = np.moveaxis(out, range(nb), range(plan.dest, plan.dest + nb))
    if plan.newaxes:
        out = np.expand_dims(out, plan.newaxes)
    return out.copy() if out.base is not None else out


def _check_index(mode: str, fill_value: Any, indices: tuple) -> None:
    _check_mode("index", mode, ("clip", "fill"))
    _check_index_avals("index", indices)
    if fill_value is not None and np.ndim(fill_value) != 0:
        raise ValueError("fill_value argument to indexed get() must be a scalar")


def _index_rule(operand: ShapedArray, *indices: ShapedArray, template: IndexTemplate,
                mode: str = "clip", fill_value: Any = None,
                normalize: bool = True) -> ShapedArray:
    _check_index(mode, fill_value, indices)
    plan = _plan(template, operand.shape, [i.shape for i in indices])
    return ShapedArray(plan.out_shape, operand.dtype, operand.weak_type)


index_p = Primitive("index", impl=_index_impl, abstract_eval=_index_rule, weak_rule=first_weak,
                    family="indexing")


# --- index_update (scatter) -------------------------------------------------------------------

def _apply(op: str, target: np.ndarray, values: np.ndarray) -> None:
    if op == "set":
        target[...] = values
    else:
        _UFUNCS[op](target, values, out=target)


@quiet
def _index_update_impl(operand: np.ndarray, updates: np.ndarray, *idx_bufs: np.ndarray,
                       template: IndexTemplate, op: str, mode: str = "drop",
                       normalize: bool = True) -> np.ndarray:
    _check_update(operand, updates, idx_bufs, op, mode)
    plan = _plan(template, operand.shape, [b.shape for b in idx_bufs])
    check_broadcast_to(updates, plan.out_shape)
    out = operand.copy()  # never alias the input: arrays are immutable
    view = _expanded(out, plan)
    upd = np.broadcast_to(updates, plan.out_shape)
    if plan.newaxes:
        upd = upd.reshape([d for i, d in enumerate(plan.out_shape) if i not in plan.newaxes])
    if not plan.advanced:
        _apply(op, view, upd)
        return out
    basic = _static_ints(plan, operand.shape, normalize, mode)
    if basic is None:  # a static integer out of bounds: the update is dropped
        return out
    if basic:
        _apply(op, out[basic], upd)
        return out
    arrays, oob = _advanced_indices(plan, view, idx_bufs, normalize, mode)
    nb = len(plan.bshape)
    upd = np.moveaxis(upd, range(plan.dest, plan.dest + nb), range(nb))
    view = np.moveaxis(view, [axis for _, axis in plan.advanced], range(len(arrays)))
    if oob is not None:  # drop out-of-bounds updates
        keep = ~oob
        arrays = [a[keep] for a in arrays]
        upd = upd[keep]
    if op == "set":
        view[tuple(arrays)] = upd
    else:
        _UFUNCS[op].at(view, tuple(arrays), upd)
    return out


def _check_update(operand: Any, updates: Any, indices: tuple, op: str, mode: str) -> None:
    if op not in UPDATE_OPS:
        raise ValueError(f"index_update op must be one of {UPDATE_OPS}, got {op!r}")
    _check_mode("index_update", mode, ("clip", "drop"))
    _check_index_avals("index_update", indices)
    if updates.dtype != operand.dtype:
        raise TypeError(f"index_update requires updates of the operand's dtype, got "
                        f"{updates.dtype.name} for {operand.dtype.name}")
    if operand.dtype == dtypes.bool_ and op in ("add", "mul"):
        raise TypeError(f"{op} does not accept dtype bool at position 0. Accepted dtypes at "
                        f"position 0 are subtypes of integer, floating, complexfloating.")


def _index_update_rule(operand: ShapedArray, updates: ShapedArray, *indices: ShapedArray,
                       template: IndexTemplate, op: str, mode: str = "drop",
                       normalize: bool = True) -> ShapedArray:
    _check_update(operand, updates, indices, op, mode)
    plan = _plan(template, operand.shape, [i.shape for i in indices])
    check_broadcast_to(updates, plan.out_shape)
    return ShapedArray(operand.shape, operand.dtype, operand.weak_type)


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


index_update_p = Primitive("index_update", impl=_index_update_impl,
                           abstract_eval=_index_update_rule, weak_rule=first_weak,
                           family="indexing")


# --- dynamic_slice / dynamic_update_slice -----------------------------------------------------

def _check_starts(name: str, operand: ShapedArray, starts: tuple[ShapedArray, ...]) -> None:
    if len(starts) != operand.ndim:
        raise TypeError(f"{name} start_indices must have length equal to the rank of "
                        f"operand, got {len(starts)} indices for operand shape "
                        f"{operand.shape}.")
    if any(s.ndim != 0 for s in starts):
        raise TypeError(f"start_indices arguments to {name} must be scalars, got indices "
                        f"{', '.join(map(str, starts))}")
    if any(s.dtype != starts[0].dtype or s.dtype.kind not in "iu" for s in starts):
        raise TypeError(f"index arguments to {name} must be integers of the same type, got: "
                        f"{', '.join(s.dtype.name for s in starts)}")


def _aval(x: np.ndarray) -> ShapedArray:
    return ShapedArray(x.shape, x.dtype)


def _clamped_starts(shape: tuple[int, ...], sizes: tuple[int, ...],
                    starts: tuple[np.ndarray, ...]) -> list[int]:
    # XLA clamps each start so that the whole slice lies in bounds.
    return [min(max(int(s), 0), n - k) for s, n, k in zip(starts, shape, sizes)]


def _dynamic_slice_impl(operand: np.ndarray, *starts: np.ndarray,
                        slice_sizes: tuple[int, ...]) -> np.ndarray:
    _dynamic_slice_rule(*map(_aval, (operand, *starts)), slice_sizes=slice_sizes)
    lo = _clamped_starts(operand.shape, slice_sizes, starts)
    return operand[tuple(slice(a, a + k) for a, k in zip(lo, slice_sizes))].copy()


def _dynamic_slice_rule(operand: ShapedArray, *starts: ShapedArray,
                        slice_sizes: tuple[int, ...]) -> ShapedArray:
    slice_sizes = tuple(operator.index(k) for k in slice_sizes)
    if len(slice_sizes) != operand.ndim:
        raise TypeError(f"dynamic_slice slice_sizes must have the same length as the rank "
                        f"of operand, got slice_sizes {slice_sizes} for operand shape "
                        f"{operand.shape}.")
    if not all(k <= n for k, n in zip(slice_sizes, operand.shape)):
        raise TypeError(f"slice slice_sizes must be less than or equal to operand shape, got "
                        f"slice_sizes {slice_sizes} for operand shape {operand.shape}.")
    if not all(k >= 0 for k in slice_sizes):
        raise TypeError(f"slice slice_sizes must be greater than or equal to zero, got "
                        f"slice_sizes of {slice_sizes}.")
    _check_starts("dynamic_slice", operand, starts)
    return ShapedArray(slice_sizes, operand.dtype, operand.weak_type)


dynamic_slice_p = Primitive("dynamic_slice", impl=_dynamic_slice_impl,
                            abstract_eval=_dynamic_slice_rule, weak_rule=first_weak,
                            family="indexing")


def _dynamic_update_slice_impl(operand: np.ndarray, update: np.ndarray,
                               *starts: np.ndarray) -> np.ndarray:
    _dynamic_update_slice_rule(*map(_aval, (operand, update, *starts)))
    lo = _clamped_starts(operand.shape, update.shape, starts)
    out = operand.copy()
    out[tuple(slice(a, a + k) for a, k in zip(lo, update.shape))] = update
    return out


def _dynamic_update_slice_rule(operand: ShapedArray, update: ShapedArray,
                               *starts: ShapedArray) -> ShapedArray:
    if update.dtype != operand.dtype:
        raise TypeError(f"dynamic_update_slice requires arguments to have the same dtypes, "
                        f"got {operand.dtype.name}, {update.dtype.name}.")
    if operand.ndim != update.ndim:
        raise TypeError(f"dynamic_update_slice update must have the same rank as operand, "
                        f"got update shape {update.shape} for operand shape {operand.shape}.")
    if not all(u <= n for u, n in zip(update.shape, operand.shape)):
        raise TypeError(f"dynamic_update_slice update shape must be smaller than operand "
                        f"shape, got update shape {update.shape} for operand shape "
                        f"{operand.shape}.")
    _check_starts("dynamic_update_slice", operand, starts)
    return ShapedArray(operand.shape, operand.dtype, operand.weak_type)


dynamic_update_slice_p = Primitive("dynamic_update_slice", impl=_dynamic_update_slice_impl,
                                   abstract_eval=_dynamic_update_slice_rule,
                                   weak_rule=first_weak, family="indexing")
