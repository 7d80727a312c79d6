"""Index primitives: NumPy-style gather (``index``) and scatter (``index_update``), and XLA's
``dynamic_slice`` / ``dynamic_update_slice``.

``index`` and ``index_update`` take the operand, then one integer array per dynamic index
position, and a static, hashable ``IndexTemplate`` (see ``index_plan``): a normalised NumPy
index expression. Out-of-bounds indices are clamped (``mode="clip"``), filled with
``fill_value`` (``index``, ``mode="fill"``) or dropped (``index_update``, ``mode="drop"``), as
``lax.gather``/``lax.scatter`` modes do; negative indices wrap once when ``normalize``.
``index_update`` combines with ``op`` (set, add, mul, min, max); repeated indices accumulate.
``dynamic_slice``/``dynamic_update_slice`` clamp their start indices into bounds, as XLA.
AD: a gather's transpose is a scatter-add into zeros and back; integer indices have no
derivative.
"""
from __future__ import annotations

import operator
from typing import Any

import numpy as np

from ..runtime import dtypes
from ..runtime.abstract import ShapedArray
from ..runtime.array import Array
from . import ad_util
from . import elementwise as ew
from . import indexing_batch as _batch
from . import structural as st
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
from .registry import Primitive, Templates, first_weak

__all__ = [
    "INPLACE_IMPLS",
    "UPDATE_OPS",
    "IndexTemplate",
    "add_along_axis",
    "dynamic_slice_p",
    "dynamic_update_slice_p",
    "index_p",
    "index_update_p",
    "indexed_shape",
    "take_along_axis",
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


# The gather that reads what a scatter in ``mode`` writes, and the scatter that a gather in
# ``mode`` transposes to: dropped updates and filled reads carry no derivative.
_GATHER_MODE = {"clip": "clip", "drop": "fill"}
_SCATTER_MODE = {"clip": "clip", "fill": "drop"}


def _index_jvp(t: Array, ans: Array, operand: Array, *indices: Array, template: IndexTemplate,
               mode: str = "clip", fill_value: Any = None, normalize: bool = True) -> Array:
    # A filled (out-of-bounds) read is a constant: its tangent is 0 whatever the fill.
    return index_p.bind(t, *indices, template=template, mode=mode, fill_value=0,
                        normalize=normalize)


def _index_adjoint(g: Array, ans: Array, operand: Array, *indices: Array,
                   template: IndexTemplate, mode: str = "clip", fill_value: Any = None,
                   normalize: bool = True) -> Array:
    return _scatter_add(operand, g, indices, template, _SCATTER_MODE[mode], normalize)


index_p = Primitive("index", impl=_index_impl, abstract_eval=_index_rule, weak_rule=first_weak,
                    family="indexing", jvp=Templates((_index_jvp,)),
                    adjoint=Templates((_index_adjoint,)), batch=_batch.index_batch)


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
    out = operand.copy()  # never alias the input: arrays are immutable
    return _scatter_into(out, updates, idx_bufs, template, op, mode, normalize)


@quiet
def _index_update_inplace(operand: np.ndarray, updates: np.ndarray, *idx_bufs: np.ndarray,
                          template: IndexTemplate, op: str, mode: str = "drop",
                          normalize: bool = True) -> np.ndarray:
    """``index_update`` that scatters into ``operand`` itself: only for a buffer that the
    executor proved dead after this update and shared with no other live value."""
    _check_update(operand, updates, idx_bufs, op, mode)
    return _scatter_into(operand, updates, idx_bufs, template, op, mode, normalize)


def _scatter_into(out: np.ndarray, updates: np.ndarray, idx_bufs: tuple[np.ndarray, ...],
                  template: IndexTemplate, op: str, mode: str, normalize: bool) -> np.ndarray:
    """Combine ``updates`` into ``out`` at the indexed positions; returns ``out``."""
    plan = make_plan(template, out.shape, [b.shape for b in idx_bufs])
    check_broadcast_to(updates, plan.out_shape)
    upd = updates if updates.shape == plan.out_shape else \
        np.broadcast_to(updates, plan.out_shape)
    if plan.newaxes:
        upd = upd.reshape([d for i, d in enumerate(plan.out_shape) if i not in plan.newaxes])
    if not plan.advanced:
        _apply(op, expanded(out, plan), upd)
        return out
    basic = static_ints(plan, out.shape, normalize, mode, idx_bufs)
    if basic is None:  # an integer out of bounds: the update is dropped
        return out
    if basic:
        _apply(op, out[basic], upd)
        return out
    view = expanded(out, plan)
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


def _gather(v: Array, indices: tuple, template: IndexTemplate, mode: str,
            normalize: bool) -> Array:
    """``v`` read where ``index_update`` in ``mode`` writes (0 for dropped updates)."""
    return index_p.bind(v, *indices, template=template, mode=_GATHER_MODE[mode], fill_value=0,
                        normalize=normalize)


def _scatter_add(like: Array, u: Array, indices: tuple, template: IndexTemplate, mode: str,
                 normalize: bool) -> Array:
    """Zeros of ``like``'s shape with ``u`` added where ``index_update`` in ``mode`` writes."""
    return index_update_p.bind(ad_util.zeros_like(like), u, *indices, template=template,
                               op="add", mode=mode, normalize=normalize)


def _selection(operand: Array, updates: Array, ans: Array, indices: tuple,
               template: IndexTemplate, op: str, mode: str,
               normalize: bool) -> tuple[Array, Array, Array]:
    """For set/min/max, ``(keep, won, count)``: 1 where the operand's element is the result,
    1 for each update that is the result at its position, and how many of those share each
    result element. Ties share equally, as in reduce_max (for set: equal duplicate updates;
    a distinct overwritten update is not the result, so it gets no derivative)."""
    if op == "set":
        keep = index_update_p.bind(ad_util.ones_like(operand), ad_util.zeros_like(updates),
                                   *indices, template=template, op="set", mode=mode,
                                   normalize=normalize)
    else:
        keep = ad_util.cast_like(ew.eq_p.bind(operand, ans), operand)
    result = _gather(ans, indices, template, mode, normalize)
    won = ad_util.cast_like(ew.eq_p.bind(updates, result), operand)
    count = keep + _scatter_add(operand, won, indices, template, mode, normalize)
    return keep, won, count


def _others_product(operand: Array, updates: Array, indices: tuple, template: IndexTemplate,
                    mode: str, normalize: bool) -> Array:
    """For each update of a ``mul``, the product of the other updates to its position,
    without dividing by 0 (as reduce_prod's rule)."""
    zero = ew.eq_p.bind(updates, ad_util.zeros_like(updates))
    is_zero = ad_util.cast_like(zero, updates)
    safe = ew.select_n_p.bind(zero, updates, ad_util.ones_like(updates))
    ones = ad_util.ones_like(operand)
    every = index_update_p.bind(ones, updates, *indices, template=template, op="mul",
                                mode=mode, normalize=normalize)
    nonzero = index_update_p.bind(ones, safe, *indices, template=template, op="mul",
                                  mode=mode, normalize=normalize)
    n_zeros = _scatter_add(operand, is_zero, indices, template, mode, normalize)
    lone = nonzero * ad_util.cast_like(ew.eq_p.bind(n_zeros, ones), operand)
    return (is_zero * _gather(lone, indices, template, mode, normalize)
            + _gather(every, indices, template, mode, normalize) / safe)


def _index_update_operand_rule(t: Array, ans: Array, operand: Array, updates: Array,
                               *indices: Array, template: IndexTemplate, op: str,
                               mode: str = "drop", normalize: bool = True) -> Array:
    """Both rules for the operand: its elements are only scaled, a self-adjoint map."""
    if op == "add":
        return t
    if op == "mul":
        return index_update_p.bind(t, updates, *indices, template=template, op="mul",
                                   mode=mode, normalize=normalize)
    keep, _, count = _selection(operand, updates, ans, indices, template, op, mode, normalize)
    return t * keep / count


def _update_factors(operand: Array, updates: Array, ans: Array, indices: tuple,
                    template: IndexTemplate, op: str, mode: str,
                    normalize: bool) -> tuple[Array, Array]:
    """``(pre, post)``: the updates' tangent map is ``t -> post * scatter_add(pre * t)``."""
    if op == "mul":
        return _others_product(operand, updates, indices, template, mode, normalize), operand
    _, won, count = _selection(operand, updates, ans, indices, template, op, mode, normalize)
    return won, 1 / count


def _index_update_updates_jvp(t: Array, ans: Array, operand: Array, updates: Array,
                              *indices: Array, template: IndexTemplate, op: str,
                              mode: str = "drop", normalize: bool = True) -> Array:
    if op == "add":
        return _scatter_add(operand, t, indices, template, mode, normalize)
    pre, post = _update_factors(operand, updates, ans, indices, template, op, mode, normalize)
    return post * _scatter_add(operand, pre * t, indices, template, mode, normalize)


def _index_update_updates_adjoint(g: Array, ans: Array, operand: Array, updates: Array,
                                  *indices: Array, template: IndexTemplate, op: str,
                                  mode: str = "drop", normalize: bool = True) -> Array:
    if op == "add":
        return ad_util.unbroadcast(_gather(g, indices, template, mode, normalize), updates)
    pre, post = _update_factors(operand, updates, ans, indices, template, op, mode, normalize)
    return ad_util.unbroadcast(pre * _gather(post * g, indices, template, mode, normalize),
                               updates)


index_update_p = Primitive(
    "index_update", impl=_index_update_impl, abstract_eval=_index_update_rule,
    weak_rule=first_weak, family="indexing",
    jvp=Templates((_index_update_operand_rule, _index_update_updates_jvp)),
    adjoint=Templates((_index_update_operand_rule, _index_update_updates_adjoint)),
    batch=_batch.index_update_batch)


def _along_axis(idx: Array, axis: int) -> tuple[tuple[Array, ...], IndexTemplate]:
    """Index arrays and template reading ``idx`` along ``axis``, each other axis in place."""
    shape = np.shape(idx)
    arrays = tuple(idx if d == axis else st.iota_p.bind(dtype=idx.dtype, shape=shape, dimension=d)
                   for d in range(len(shape)))
    return arrays, IndexTemplate(tuple(("array", d) for d in range(len(shape))))


def take_along_axis(x: Array, idx: Array, axis: int) -> Array:
    """NumPy's ``take_along_axis`` for an integer ``idx`` of ``x``'s shape."""
    arrays, template = _along_axis(idx, axis)
    return index_p.bind(x, *arrays, template=template)


def add_along_axis(x: Array, updates: Array, idx: Array, axis: int) -> Array:
    """``x`` plus ``updates`` added at ``idx`` along ``axis``: the transpose of
    ``take_along_axis``."""
    arrays, template = _along_axis(idx, axis)
    return index_update_p.bind(x, updates, *arrays, template=template, op="add")


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


def _dynamic_slice_jvp(t: Array, ans: Array, operand: Array, *starts: Array,
                       slice_sizes: tuple[int, ...]) -> Array:
    return dynamic_slice_p.bind(t, *starts, slice_sizes=slice_sizes)


def _dynamic_slice_adjoint(g: Array, ans: Array, operand: Array, *starts: Array,
                           slice_sizes: tuple[int, ...]) -> Array:
    # Both primitives clamp the starts alike, so the window lands where it was read.
    return dynamic_update_slice_p.bind(ad_util.zeros_like(operand), g, *starts)


dynamic_slice_p = Primitive("dynamic_slice", impl=_dynamic_slice_impl,
                            abstract_eval=_dynamic_slice_rule, weak_rule=first_weak,
                            family="indexing", jvp=Templates((_dynamic_slice_jvp,)),
                            adjoint=Templates((_dynamic_slice_adjoint,)),
                            batch=_batch.dynamic_slice_batch)


def _dynamic_update_slice_impl(operand: np.ndarray, update: np.ndarray,
                               *starts: np.ndarray) -> np.ndarray:
    _dynamic_update_slice_rule(*map(_aval, (operand, update, *starts)))
    return _write_window(operand.copy(), update, starts)


def _dynamic_update_slice_inplace(operand: np.ndarray, update: np.ndarray,
                                  *starts: np.ndarray) -> np.ndarray:
    """``dynamic_update_slice`` writing into ``operand`` itself (see ``INPLACE_IMPLS``)."""
    _dynamic_update_slice_rule(*map(_aval, (operand, update, *starts)))
    return _write_window(operand, update, starts)


def _write_window(out: np.ndarray, update: np.ndarray, starts: tuple) -> np.ndarray:
    lo = _clamped_starts(out.shape, update.shape, starts)
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


def _dynamic_update_slice_operand_rule(t: Array, ans: Array, operand: Array, update: Array,
                                      *starts: Array) -> Array:
    """Both rules for the operand: zero the overwritten window (a self-adjoint mask)."""
    return dynamic_update_slice_p.bind(t, ad_util.zeros_like(update), *starts)


def _dynamic_update_slice_update_jvp(t: Array, ans: Array, operand: Array, update: Array,
                                     *starts: Array) -> Array:
    return dynamic_update_slice_p.bind(ad_util.zeros_like(operand), t, *starts)


def _dynamic_update_slice_update_adjoint(g: Array, ans: Array, operand: Array, update: Array,
                                         *starts: Array) -> Array:
    return dynamic_slice_p.bind(g, *starts, slice_sizes=np.shape(update))


dynamic_update_slice_p = Primitive(
    "dynamic_update_slice", impl=_dynamic_update_slice_impl,
    abstract_eval=_dynamic_update_slice_rule, weak_rule=first_weak, family="indexing",
    jvp=Templates((_dynamic_update_slice_operand_rule, _dynamic_update_slice_update_jvp)),
    adjoint=Templates((_dynamic_update_slice_operand_rule,
                       _dynamic_update_slice_update_adjoint)),
    batch=_batch.dynamic_update_slice_batch)

# In-place variants of the update primitives, for an executor that knows the operand's buffer
# is its own to overwrite (dead afterwards, aliased by no live value): same arguments and
# result as ``impl``, but they write into the operand and return it.
INPLACE_IMPLS = {"index_update": _index_update_inplace,
                 "dynamic_update_slice": _dynamic_update_slice_inplace}
