"""Reduction primitives: reductions over axes, argmin/argmax, cumulative scans and sort.

These mirror ``jax.lax``'s reduction primitives. Axes are static, canonical (non-negative)
Python ints: ``axc.numpy`` normalises user axes before binding. Results keep the operand's
dtype and weak type (as ``lax.reduce_sum_p`` does; the logical ``reduce_and/or/xor`` drop
it, as lax's do); ``argmax``/``argmin`` return indices, never weak. Float16 and bfloat16
data are accumulated in float32 and rounded once (``jax.numpy`` upcasts the same way), so a
long half-precision sum does not drift.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from ..runtime import dtypes
from ..runtime.abstract import ShapedArray
from .quiet import quiet
from .registry import Primitive, first_weak, never_weak

NUMERIC = "iufcV"
ANY = "biufcV"
INT_OR_BOOL = "iub"
REAL_FLOAT = "fV"

_HALF = tuple(d for d in (dtypes.float16, dtypes.bfloat16) if d is not None)


def _kind_name(kinds: str) -> str:
    return {NUMERIC: "number", ANY: "any", REAL_FLOAT: "floating",
            "biufV": "integer, floating or bool"}.get(kinds, kinds)


def _check_dtype(name: str, x: ShapedArray, kinds: str) -> None:
    if x.dtype.kind not in kinds:
        raise TypeError(f"{name} does not accept dtype {x.dtype.name}. Accepted dtypes are "
                        f"subtypes of {_kind_name(kinds)}.")


def _compute_dtype(dt: np.dtype) -> np.dtype:
    """The dtype to accumulate ``dt`` in: float32 for half precision, else ``dt`` itself."""
    return dtypes.float32 if dt in _HALF else dt


# --- reductions over axes ---------------------------------------------------------------------

def _check_axes(axes: tuple[int, ...], x: ShapedArray) -> None:
    if len(set(axes)) != len(axes):
        raise ValueError(f"duplicate value in 'axes' of reduction: {axes}")
    if any(not isinstance(a, (int, np.integer)) or not 0 <= a < x.ndim for a in axes):
        raise ValueError(f"reduction axes {axes} contains out-of-bounds indices for {x}.")


_LOGICAL = ("reduce_and", "reduce_or", "reduce_xor")


def _reduce_rule(name: str, kinds: str) -> Callable:
    def rule(x: ShapedArray, *, axes: tuple[int, ...]) -> ShapedArray:
        if name in _LOGICAL and x.dtype.kind not in kinds:
            raise TypeError(f"logical reduction requires operand dtype bool or int, got "
                            f"{x.dtype.name}.")
        _check_dtype(name, x, kinds)
        _check_axes(axes, x)
        shape = tuple(d for i, d in enumerate(x.shape) if i not in axes)
        return ShapedArray(shape, x.dtype, x.weak_type and name not in _LOGICAL)
    return rule


def _identity_max(dt: np.dtype) -> Any:
    """The identity of ``max`` on ``dt`` (what XLA returns for an empty reduction)."""
    if dt.kind == "b":
        return False
    if dt.kind in "iu":
        return np.iinfo(dt).min
    return -np.inf


def _identity_min(dt: np.dtype) -> Any:
    if dt.kind == "b":
        return True
    if dt.kind in "iu":
        return np.iinfo(dt).max
    return np.inf


def _accumulating(ufunc: np.ufunc) -> Callable:
    """``ufunc.reduce`` over ``axes`` that wraps integers and upcasts half floats."""
    @quiet
    def impl(x: np.ndarray, *, axes: tuple[int, ...]) -> np.ndarray:
        ct = _compute_dtype(x.dtype)
        out = ufunc.reduce(x.astype(ct, copy=False), axis=tuple(axes), dtype=ct)
        return np.asarray(out).astype(x.dtype, copy=False)
    return impl


def _extremum(ufunc: np.ufunc, identity: Callable) -> Callable:
    # The identity as ``initial`` makes empty reductions return it, as XLA does; complex
    # data compare lexicographically in NumPy and in XLA alike.
    @quiet
    def impl(x: np.ndarray, *, axes: tuple[int, ...]) -> np.ndarray:
        init = np.asarray(identity(x.dtype)).astype(x.dtype)
        out = ufunc.reduce(x, axis=tuple(axes), initial=init)
        return np.asarray(out).astype(x.dtype, copy=False)
    return impl


def _bitwise(ufunc: np.ufunc) -> Callable:
    def impl(x: np.ndarray, *, axes: tuple[int, ...]) -> np.ndarray:
        return np.asarray(ufunc.reduce(x, axis=tuple(axes))).astype(x.dtype, copy=False)
    return impl


def _declare_reduce(name: str, impl: Callable, kinds: str) -> Primitive:
    # The logical reductions drop the weak type, as lax's do; the others keep it.
    weak_rule = never_weak if name in _LOGICAL else first_weak
    return Primitive(name, impl=impl, abstract_eval=_reduce_rule(name, kinds),
                     weak_rule=weak_rule, family="reduce")


reduce_sum_p = _declare_reduce("reduce_sum", _accumulating(np.add), NUMERIC)
reduce_prod_p = _declare_reduce("reduce_prod", _accumulating(np.multiply), NUMERIC)
reduce_max_p = _declare_reduce("reduce_max", _extremum(np.maximum, _identity_max), ANY)
reduce_min_p = _declare_reduce("reduce_min", _extremum(np.minimum, _identity_min), ANY)
reduce_and_p = _declare_reduce("reduce_and", _bitwise(np.bitwise_and), INT_OR_BOOL)
reduce_or_p = _declare_reduce("reduce_or", _bitwise(np.bitwise_or), INT_OR_BOOL)
reduce_xor_p = _declare_reduce("reduce_xor", _bitwise(np.bitwise_xor), INT_OR_BOOL)


# --- argmax / argmin ---------------------------------------------------------------------------

def _arg_rule(name: str) -> Callable:
    def rule(x: ShapedArray, *, axis: int, index_dtype: Any) -> ShapedArray:
        index_dtype = np.dtype(index_dtype)
        if index_dtype.kind not in "iu":
            raise TypeError(f"index_dtype must be an integer type, but got "
                            f"{index_dtype.name}")
        _check_dtype(name, x, "biufV")
        if not isinstance(axis, (int, np.integer)) or not 0 <= axis < x.ndim:
            raise ValueError(f"Invalid axis {axis} for operand shape {x.shape}")
        if x.shape[axis] == 0:
            raise ValueError(f"argmin and argmax require non-empty reduced dimension. "
                             f"operand.shape={x.shape} axis={axis}")
        shape = tuple(d for i, d in enumerate(x.shape) if i != axis)
        return ShapedArray(shape, index_dtype, False)
    return rule


def _arg_impl(fn: Callable) -> Callable:
    # NumPy's argmax/argmin return the first NaN, as JAX does (NaN wins either way).
    def impl(x: np.ndarray, *, axis: int, index_dtype: Any) -> np.ndarray:
        if x.dtype == dtypes.bfloat16:
            x = x.astype(np.float32)
        return np.asarray(fn(x, axis=axis)).astype(index_dtype)
    return impl


argmax_p = Primitive("argmax", impl=_arg_impl(np.argmax), abstract_eval=_arg_rule("argmax"),
                     weak_rule=never_weak, family="reduce")
argmin_p = Primitive("argmin", impl=_arg_impl(np.argmin), abstract_eval=_arg_rule("argmin"),
                     weak_rule=never_weak, family="reduce")


# --- cumulative scans ------------------------------------------------------------------------

def _cumulative_rule(name: str, kinds: str) -> Callable:
    def rule(x: ShapedArray, *, axis: int, reverse: bool = False) -> ShapedArray:
        _check_dtype(name, x, kinds)
        if not isinstance(axis, (int, np.integer)):
            raise TypeError(f"{name} axis must be a static int, got {axis!r}")
        if axis < 0:
            raise ValueError("XLA operations do not allow negative axes")
        if axis >= x.ndim:
            raise ValueError(f"axis {axis} is out of bounds for array of shape {x.shape}")
        return x
    return rule


def _scan(accumulate: Callable) -> Callable:
    @quiet
    def impl(x: np.ndarray, *, axis: int, reverse: bool = False) -> np.ndarray:
        ct = _compute_dtype(x.dtype)
        y = x.astype(ct, copy=False)
        if reverse:
            y = np.flip(y, axis)
        out = accumulate(y, axis)
        if reverse:
            out = np.flip(out, axis)
        return np.ascontiguousarray(out).astype(x.dtype, copy=False)
    return impl


def _declare_scan(name: str, accumulate: Callable, kinds: str) -> Primitive:
    return Primitive(name, impl=_scan(accumulate), abstract_eval=_cumulative_rule(name, kinds),
                     weak_rule=first_weak, family="reduce")


cumsum_p = _declare_scan("cumsum", lambda y, ax: np.cumsum(y, ax, dtype=y.dtype), NUMERIC)
cumprod_p = _declare_scan("cumprod", lambda y, ax: np.cumprod(y, ax, dtype=y.dtype), NUMERIC)
cummax_p = _declare_scan("cummax", lambda y, ax: np.maximum.accumulate(y, ax), NUMERIC)
cummin_p = _declare_scan("cummin", lambda y, ax: np.minimum.accumulate(y, ax), NUMERIC)
cumlogsumexp_p = _declare_scan("cumlogsumexp", lambda y, ax: np.logaddexp.accumulate(y, ax),
                               REAL_FLOAT)


# --- sort -------------------------------------------------------------------------------------

def _sort_rule(*operands: ShapedArray, dimension: int, is_stable: bool = True,
               num_keys: int = 1) -> tuple[ShapedArray, ...]:
    if not operands:
        raise TypeError("sort requires at least one operand")
    shapes = {x.shape for x in operands}
    if len(shapes) != 1:
        raise TypeError(f"Arguments to sort must have equal shapes, got: "
                        f"{' '.join(str(x.shape) for x in operands)}")
    if not 1 <= num_keys <= len(operands):
        raise ValueError(f"num_keys={num_keys} must be between 1 and "
                         f"len(operand)={len(operands)}")
    ndim = operands[0].ndim
    if not isinstance(dimension, (int, np.integer)) or not 0 <= dimension < ndim:
        raise ValueError(f"axis {dimension} is out of bounds for array of dimension {ndim}")
    for x in operands:
        dtypes.check_supported(x.dtype)
    return tuple(operands)


def _sort_key(x: np.ndarray) -> np.ndarray:
    # bfloat16 widens exactly to float32, which every NumPy sort routine understands.
    return x.astype(np.float32) if x.dtype == dtypes.bfloat16 else x


def _sort_impl(*operands: np.ndarray, dimension: int, is_stable: bool = True,
               num_keys: int = 1) -> tuple[np.ndarray, ...]:
    # A stable sort whatever ``is_stable`` says: a valid answer for both. NumPy orders NaNs
    # last and -0.0 equal to 0.0, as JAX's total order for sort does.
    if len(operands) == 1 and operands[0].dtype != dtypes.bfloat16:
        return (np.sort(operands[0], axis=dimension, kind="stable"),)
    keys = [np.moveaxis(_sort_key(k), dimension, -1) for k in operands[:num_keys]]
    if num_keys == 1:
        perm = np.argsort(keys[0], axis=-1, kind="stable")
    else:
        perm = np.lexsort(keys[::-1], axis=-1)  # lexsort's primary key comes last
    outs = []
    for x in operands:
        moved = np.moveaxis(x, dimension, -1)
        outs.append(np.ascontiguousarray(
            np.moveaxis(np.take_along_axis(moved, perm, axis=-1), -1, dimension)))
    return tuple(outs)


# The registry gives every output of a primitive one weak flag in eager mode; sort's
# abstract rule keeps each operand's own flag (as lax.sort). Outputs are weak eagerly only
# when every operand is, which is exact for the single-operand sort and for argsort.
sort_p = Primitive("sort", impl=_sort_impl, abstract_eval=_sort_rule,
                   weak_rule=lambda weaks, **params: all(weaks), multiple_results=True,
                   family="reduce")
