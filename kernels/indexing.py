"""Index primitives: NumPy-style gather (``index``) and scatter (``index_update``), and XLA's
``dynamic_slice`` / ``dynamic_update_slice``.

``index`` and ``index_update`` take the operand, then one integer array per dynamic index
position, and a static, hashable ``IndexTemplate`` (see ``index_plan``): a normalised NumPy
index expression. Out-of-bounds indices are clamped (``mode="clip"``), filled with
``fill_value`` (``index``, ``mode="fill"``) or dropped (``index_update``, ``mode="drop"``), as
``lax.gather``/``lax.scatter`` modes do; negative indices wrap once when ``normalize``.
``index_update`` combines with ``op`` (set, add, mul, min, max); repeated indices accumulate.
``dynamic_slice``/``dynamic_update_slice`` clamp their start indices into bounds, as XLA.
"""
from __future__ import annotations

import operator
from typing import Any

import numpy as np

from ..runtime import dtypes
from ..runtime.abstract import ShapedArray
from .index_plan import (
    IndexTemplate,
    advanced_indices,
    check_broadcast_to,
    check_index_avals,
    check_mode,
    default_fill_value,
    expanded,
    indexed_shape,
    make_plan,
    static_ints,
)
from .quiet import quiet
from .registry import Primitive, first_weak

__all__ = [
    "UPDATE_OPS",
    "IndexTemplate",
    "dynamic_slice_p",
    "dynamic_update_slice_p",
    "index_p",
    "index_update_p",
    "indexed_shape",
]

UPDATE_OPS = ("set", "add", "mul", "min", "max")
_UFUNCS = {"add": np.add, "mul": np.multiply, "min": np.minimum, "max": np.maximum}


# --- index (gather) ---------------------------------------------------------------------------

@quiet
def _index_impl(operand: np.ndarray, *idx_bufs: np.ndarray, template: IndexTemplate,
                mode: str = "clip", fill_value: Any = None, normalize: bool = True) -> np.ndarray:
    _check_index(mode, fill_value, idx_bufs)
    plan = make_plan(template, operand.shape, [b.shape for b in idx_bufs])
    basic = static_ints(plan, operand.shape, normalize, mode) if plan.advanced else ()
    if basic:  # fast path: only static integers, in bounds or clamped
        out = operand[basic]
    else:
        out = expanded(operand, plan)
    if plan.advanced and not basic:
        arrays, oob = advanced_indices(plan, out, idx_bufs, normalize, mode)
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
    check_mode("index", mode, ("clip", "fill"))
    check_index_avals("index", indices)
    if fill_value is not None and np.ndim(fill_value) != 0:
        raise ValueError("fill_value argument to indexed get() must be a scalar")


def _index_rule(operand: ShapedArray, *indices: ShapedArray, template: IndexTemplate,
                mode: str = "clip", fill_value: Any = None,
                normalize: bool = True) -> ShapedArray:
    _check_index(mode, fill_value, indices)
    plan = make_plan(template, operand.shape, [i.shape for i in indices])
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
    plan = make_plan(template, operand.shape, [b.shape for b in idx_bufs])
    check_broadcast_to(updates, plan.out_shape)
    out = operand.copy()  # never alias the input: arrays are immutable
    view = expanded(out, plan)
    upd = np.broadcast_to(updates, plan.out_shape)
    if plan.newaxes:
        upd = upd.reshape([d for i, d in enumerate(plan.out_shape) if i not in plan.newaxes])
    if not plan.advanced:
        _apply(op, view, upd)
        return out
    basic = static_ints(plan, operand.shape, normalize, mode)
    if basic is None:  # a static integer out of bounds: the update is dropped
        return out
    if basic:
        _apply(op, out[basic], upd)
        return out
    arrays, oob = advanced_indices(plan, view, idx_bufs, normalize, mode)
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
    check_mode("index_update", mode, ("clip", "drop"))
    check_index_avals("index_update", indices)
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
    plan = make_plan(template, operand.shape, [i.shape for i in indices])
    check_broadcast_to(updates, plan.out_shape)
    return ShapedArray(operand.shape, operand.dtype, operand.weak_type)


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
