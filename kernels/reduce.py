"""Reduction primitives: reductions over axes, argmin/argmax, cumulative scans and sort.

These mirror ``jax.lax``'s reduction primitives. Axes are static, canonical (non-negative)
Python ints: ``axc.numpy`` normalises user axes before binding. Results keep the operand's
dtype and weak type (as ``lax.reduce_sum_p`` does; the logical ``reduce_and/or/xor`` drop
it, as lax's do); ``argmax``/``argmin`` return indices, never weak. Float16 and bfloat16
data are accumulated in float32 and rounded once (``jax.numpy`` upcasts the same way), so a
long half-precision sum does not drift. AD rules follow JAX's; the cumulative scans'
derivatives are linear recurrences solved by a log-depth scan (see ``_linear_scan``).
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from ..runtime import dtypes
from ..runtime.abstract import ShapedArray
from ..runtime.array import Array
from . import ad_util
from . import batch_util as bu
from . import elementwise as ew
from . import indexing as ix
from . import structural as st
from .quiet import quiet
from .registry import NotApplicable, Primitive, Templates, first_weak, get, never_weak

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


def _reduce_batcher(name: str) -> Callable:
    """Batching rule of a reduction: the batch axis is never reduced."""
    def batch(args: list[Array], dims: bu.Dims, *, axes: tuple[int, ...]) -> tuple[Array, int]:
        x = args[0]
        d = dims[0]
        out = get(name).bind(x, axes=bu.shift_axes(axes, d))
        return out, d - sum(a < d for a in axes)
    return batch


def _declare_reduce(name: str, impl: Callable, kinds: str, **rules: Any) -> Primitive:
    # The logical reductions drop the weak type, as lax's do; the others keep it.
    weak_rule = never_weak if name in _LOGICAL else first_weak
    return Primitive(name, impl=impl, abstract_eval=_reduce_rule(name, kinds),
                     weak_rule=weak_rule, family="reduce", batch=_reduce_batcher(name), **rules)


def _expand(v: Array, x: Array, axes: tuple[int, ...]) -> Array:
    """``v``, a reduction of ``x`` over ``axes``, broadcast back to ``x``'s shape."""
    kept = tuple(d for d in range(np.ndim(x)) if d not in axes)
    return st.broadcast_in_dim_p.bind(v, shape=np.shape(x), broadcast_dimensions=kept)


def _reduce_sum_jvp(t: Array, ans: Array, x: Array, *, axes: tuple[int, ...]) -> Array:
    return reduce_sum_p.bind(t, axes=axes)


def _reduce_sum_adjoint(g: Array, ans: Array, x: Array, *, axes: tuple[int, ...]) -> Array:
    return _expand(g, x, axes)


def _others_product(x: Array, ans: Array, axes: tuple[int, ...]) -> Array:
    """Each element's product of the other elements of its group, without dividing by 0.

    ``ans / x`` away from zeros; at a group's only zero, the product of the rest; 0 in a
    group with two zeros or more.
    """
    zero = ew.eq_p.bind(x, ad_util.zeros_like(x))
    is_zero = ad_util.cast_like(zero, x)
    safe = ew.select_n_p.bind(zero, x, ad_util.ones_like(x))
    n_zeros = reduce_sum_p.bind(is_zero, axes=axes)
    one_zero = ew.eq_p.bind(n_zeros, ad_util.ones_like(n_zeros))
    lone = reduce_prod_p.bind(safe, axes=axes) * ad_util.cast_like(one_zero, x)
    return is_zero * _expand(lone, x, axes) + _expand(ans, x, axes) / safe


def _reduce_prod_jvp(t: Array, ans: Array, x: Array, *, axes: tuple[int, ...]) -> Array:
    return reduce_sum_p.bind(t * _others_product(x, ans, axes), axes=axes)


def _reduce_prod_adjoint(g: Array, ans: Array, x: Array, *, axes: tuple[int, ...]) -> Array:
    return _expand(g, x, axes) * _others_product(x, ans, axes)


def _choice_weights(x: Array, ans: Array, axes: tuple[int, ...]) -> Array:
    """1/count at the elements equal to their group's extremum, 0 elsewhere: ties share
    equally (JAX's rule for reduce_max/min)."""
    hit = ad_util.cast_like(ew.eq_p.bind(x, _expand(ans, x, axes)), x)
    return hit / _expand(reduce_sum_p.bind(hit, axes=axes), x, axes)


def _reduce_choice_jvp(t: Array, ans: Array, x: Array, *, axes: tuple[int, ...]) -> Array:
    return reduce_sum_p.bind(t * _choice_weights(x, ans, axes), axes=axes)


def _reduce_choice_adjoint(g: Array, ans: Array, x: Array, *, axes: tuple[int, ...]) -> Array:
    return _expand(g, x, axes) * _choice_weights(x, ans, axes)


_CHOICE_JVP = Templates((_reduce_choice_jvp,))
_CHOICE_ADJOINT = Templates((_reduce_choice_adjoint,))
_NOT_DIFFERENTIABLE = NotApplicable("logical reductions take and return integers or booleans")

reduce_sum_p = _declare_reduce("reduce_sum", _accumulating(np.add), NUMERIC,
                               jvp=Templates((_reduce_sum_jvp,)),
                               adjoint=Templates((_reduce_sum_adjoint,)))
reduce_prod_p = _declare_reduce("reduce_prod", _accumulating(np.multiply), NUMERIC,
                                jvp=Templates((_reduce_prod_jvp,)),
                                adjoint=Templates((_reduce_prod_adjoint,)))
reduce_max_p = _declare_reduce("reduce_max", _extremum(np.maximum, _identity_max), ANY,
                               jvp=_CHOICE_JVP, adjoint=_CHOICE_ADJOINT)
reduce_min_p = _declare_reduce("reduce_min", _extremum(np.minimum, _identity_min), ANY,
                               jvp=_CHOICE_JVP, adjoint=_CHOICE_ADJOINT)
reduce_and_p = _declare_reduce("reduce_and", _bitwise(np.bitwise_and), INT_OR_BOOL,
                               jvp=_NOT_DIFFERENTIABLE, adjoint=_NOT_DIFFERENTIABLE)
reduce_or_p = _declare_reduce("reduce_or", _bitwise(np.bitwise_or), INT_OR_BOOL,
                              jvp=_NOT_DIFFERENTIABLE, adjoint=_NOT_DIFFERENTIABLE)
reduce_xor_p = _declare_reduce("reduce_xor", _bitwise(np.bitwise_xor), INT_OR_BOOL,
                               jvp=_NOT_DIFFERENTIABLE, adjoint=_NOT_DIFFERENTIABLE)


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


def _arg_batcher(name: str) -> Callable:
    def batch(args: list[Array], dims: bu.Dims, *, axis: int,
              index_dtype: Any) -> tuple[Array, int]:
        x = args[0]
        d = dims[0]
        out = get(name).bind(x, axis=bu.shift_axis(axis, d), index_dtype=index_dtype)
        return out, d - (axis < d)
    return batch


_INDEX_RULE = NotApplicable("the result is an integer index")
argmax_p = Primitive("argmax", impl=_arg_impl(np.argmax), abstract_eval=_arg_rule("argmax"),
                     weak_rule=never_weak, family="reduce", jvp=_INDEX_RULE,
                     adjoint=_INDEX_RULE, batch=_arg_batcher("argmax"))
argmin_p = Primitive("argmin", impl=_arg_impl(np.argmin), abstract_eval=_arg_rule("argmin"),
                     weak_rule=never_weak, family="reduce", jvp=_INDEX_RULE,
                     adjoint=_INDEX_RULE, batch=_arg_batcher("argmin"))


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


def _scan_batcher(name: str) -> Callable:
    def batch(args: list[Array], dims: bu.Dims, *, axis: int,
              reverse: bool = False) -> tuple[Array, int]:
        x = args[0]
        d = dims[0]
        return get(name).bind(x, axis=bu.shift_axis(axis, d), reverse=reverse), d
    return batch


def _declare_scan(name: str, accumulate: Callable, kinds: str, jvp: Callable,
                  adjoint: Callable) -> Primitive:
    return Primitive(name, impl=_scan(accumulate), abstract_eval=_cumulative_rule(name, kinds),
                     weak_rule=first_weak, family="reduce", jvp=Templates((jvp,)),
                     adjoint=Templates((adjoint,)), batch=_scan_batcher(name))


def _shift(v: Array, s: int, axis: int, reverse: bool, fill: float) -> Array:
    """``v`` moved ``s`` places along ``axis`` in scan order, ``fill`` entering first."""
    edge = (-s, s, 0) if reverse else (s, -s, 0)
    config = tuple(edge if d == axis else (0, 0, 0) for d in range(np.ndim(v)))
    return st.pad_p.bind(v, st.full_scalar(fill, v.dtype), padding_config=config)


def _doubling_steps(n: int) -> list[int]:
    """1, 2, 4, ... below ``n``: the rounds of a Hillis-Steele scan."""
    return [1 << i for i in range(max(n - 1, 0).bit_length())]


def _linear_scan(a: Array, b: Array, axis: int, reverse: bool) -> Array:
    """``y`` with ``y[k] = a[k] * y[k-1] + b[k]`` along ``axis`` (``y[k+1]`` when
    ``reverse``) and zero before the start.

    The scans' JVPs are such recurrences. Each round composes the affine maps ``(a, b)``
    with those ``s`` places earlier (the identity ``(1, 0)`` enters at the start): log2(n)
    rounds, no division and no exponent range to lose, like JAX's ``associative_scan``.
    """
    for s in _doubling_steps(np.shape(b)[axis]):
        b = b + a * _shift(b, s, axis, reverse, 0)
        a = a * _shift(a, s, axis, reverse, 1)
    return b


def _linear_scan_transpose(a: Array, g: Array, axis: int, reverse: bool) -> Array:
    """The transpose of ``b -> _linear_scan(a, b)``: the recurrence run the other way, each
    ``a[k]`` moved to the element it links from."""
    return _linear_scan(_shift(a, 1, axis, not reverse, 1), g, axis, not reverse)


def _cumsum_jvp(t: Array, ans: Array, x: Array, *, axis: int, reverse: bool = False) -> Array:
    return cumsum_p.bind(t, axis=axis, reverse=reverse)


def _cumsum_adjoint(g: Array, ans: Array, x: Array, *, axis: int,
                    reverse: bool = False) -> Array:
    return cumsum_p.bind(g, axis=axis, reverse=not reverse)


# cumprod: p[k] = x[k] * p[k-1], so dp[k] = x[k] * dp[k-1] + p[k-1] * t[k]; exact at zeros
# of x, where ans * cumsum(t / x) is not.
def _cumprod_jvp(t: Array, ans: Array, x: Array, *, axis: int, reverse: bool = False) -> Array:
    return _linear_scan(x, _shift(ans, 1, axis, reverse, 1) * t, axis, reverse)


def _cumprod_adjoint(g: Array, ans: Array, x: Array, *, axis: int,
                     reverse: bool = False) -> Array:
    return _shift(ans, 1, axis, reverse, 1) * _linear_scan_transpose(x, g, axis, reverse)


# cummax/cummin: m[k] is x[k] where x[k] equals it (w[k] = 1) and m[k-1] elsewhere, so
# dm[k] = (1 - w[k]) * dm[k-1] + w[k] * t[k]. A tie hands the whole derivative to the later
# element (JAX differentiates a tree of max, which splits ties by tree position).
def _running_choice(x: Array, ans: Array) -> Array:
    return ad_util.cast_like(ew.eq_p.bind(x, ans), x)


def _cum_choice_jvp(t: Array, ans: Array, x: Array, *, axis: int,
                    reverse: bool = False) -> Array:
    w = _running_choice(x, ans)
    return _linear_scan(1 - w, w * t, axis, reverse)


def _cum_choice_adjoint(g: Array, ans: Array, x: Array, *, axis: int,
                        reverse: bool = False) -> Array:
    w = _running_choice(x, ans)
    return w * _linear_scan_transpose(1 - w, g, axis, reverse)


# cumlogsumexp: c[k] = logaddexp(c[k-1], x[k]), so
# dc[k] = exp(c[k-1] - c[k]) * dc[k-1] + exp(x[k] - c[k]) * t[k], both factors in [0, 1].
def _logaddexp_factors(x: Array, ans: Array, axis: int, reverse: bool) -> tuple[Array, Array]:
    before = _shift(ans, 1, axis, reverse, -np.inf)
    # While the sum is still empty (c = -inf, e.g. masked logits) both factors are 0, not
    # the NaN of -inf - -inf, which would spread along the scan.
    empty = ew.eq_p.bind(ans, st.full_scalar(-np.inf, ans.dtype))
    ans = ew.select_n_p.bind(empty, ans, ad_util.zeros_like(ans))
    return ew.exp_p.bind(before - ans), ew.exp_p.bind(x - ans)


def _cumlogsumexp_jvp(t: Array, ans: Array, x: Array, *, axis: int,
                      reverse: bool = False) -> Array:
    carry, new = _logaddexp_factors(x, ans, axis, reverse)
    return _linear_scan(carry, new * t, axis, reverse)


def _cumlogsumexp_adjoint(g: Array, ans: Array, x: Array, *, axis: int,
                          reverse: bool = False) -> Array:
    carry, new = _logaddexp_factors(x, ans, axis, reverse)
    return new * _linear_scan_transpose(carry, g, axis, reverse)


cumsum_p = _declare_scan("cumsum", lambda y, ax: np.cumsum(y, ax, dtype=y.dtype), NUMERIC,
                         _cumsum_jvp, _cumsum_adjoint)
cumprod_p = _declare_scan("cumprod", lambda y, ax: np.cumprod(y, ax, dtype=y.dtype), NUMERIC,
                          _cumprod_jvp, _cumprod_adjoint)
cummax_p = _declare_scan("cummax", lambda y, ax: np.maximum.accumulate(y, ax), NUMERIC,
                         _cum_choice_jvp, _cum_choice_adjoint)
cummin_p = _declare_scan("cummin", lambda y, ax: np.minimum.accumulate(y, ax), NUMERIC,
                         _cum_choice_jvp, _cum_choice_adjoint)
cumlogsumexp_p = _declare_scan("cumlogsumexp", lambda y, ax: np.logaddexp.accumulate(y, ax),
                               REAL_FLOAT, _cumlogsumexp_jvp, _cumlogsumexp_adjoint)


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


def _sort_permutation(operands: tuple[Array, ...], dimension: int, is_stable: bool,
                      num_keys: int) -> Array:
    """Where each sorted element came from along ``dimension`` (JAX sorts an iota along)."""
    iota = st.iota_p.bind(dtype=np.dtype(np.int32), shape=np.shape(operands[0]),
                          dimension=dimension)
    return sort_p.bind(*operands, iota, dimension=dimension, is_stable=is_stable,
                       num_keys=num_keys)[-1]


def _sort_jvp(t: Array, ans: tuple[Array, ...], *operands: Array, dimension: int,
              is_stable: bool = True, num_keys: int = 1, index: int) -> tuple[Array, ...]:
    # Operand ``index``'s tangent moves with it; the other results get zero tangents.
    perm = _sort_permutation(operands, dimension, is_stable, num_keys)
    moved = ix.take_along_axis(t, perm, dimension)
    return tuple(moved if i == index else ad_util.zeros_like(a) for i, a in enumerate(ans))


def _sort_adjoint(g: tuple[Array, ...], ans: tuple[Array, ...], *operands: Array,
                  dimension: int, is_stable: bool = True, num_keys: int = 1,
                  index: int) -> Array:
    perm = _sort_permutation(operands, dimension, is_stable, num_keys)
    return ix.add_along_axis(ad_util.zeros_like(operands[index]), g[index], perm, dimension)


def _sort_batch(args: list[Array], dims: bu.Dims, *, dimension: int, is_stable: bool = True,
                num_keys: int = 1) -> tuple[tuple[Array, ...], tuple[int, ...]]:
    xs, d = bu.common_bdim(args, dims)
    outs = sort_p.bind(*xs, dimension=bu.shift_axis(dimension, d), is_stable=is_stable,
                       num_keys=num_keys)
    return outs, (d,) * len(outs)


# The registry gives every output of a primitive one weak flag in eager mode; sort's
# abstract rule keeps each operand's own flag (as lax.sort). Outputs are weak eagerly only
# when every operand is, which is exact for the single-operand sort and for argsort.
sort_p = Primitive("sort", impl=_sort_impl, abstract_eval=_sort_rule,
                   weak_rule=lambda weaks, **params: all(weaks), multiple_results=True,
                   family="reduce", jvp=Templates((), rest=_sort_jvp),
                   adjoint=Templates((), rest=_sort_adjoint), batch=_sort_batch)
