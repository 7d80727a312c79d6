"""``axc.numpy`` reductions: sums, products, extrema, means and variances, arg-extrema.

Each function follows ``jax.numpy``'s dtype rules: ``sum``/``prod`` of booleans and narrow
integers accumulate in the default integer type, ``mean``/``var``/``std`` of integers give the
default float type, half floats are accumulated in float32, and results are never weakly
typed. The NaN-ignoring variants live in ``nan_reductions`` and the order statistics
(``median``, ``quantile``, ...) in ``quantiles``, the scans in ``cumulative``; all are
re-exported from here.
"""
from __future__ import annotations

import builtins
import operator
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from ...runtime import dtypes
from ...runtime.array import Array, wrap
from .. import elementwise as ew
from .. import reduce as red
from .. import structural as st
from ..registry import Primitive
from .promote import asarray, check_arraylike, convert, promote_args_inexact

__all__ = [
    "all", "amax", "amin", "any", "argmax", "argmin", "average", "count_nonzero", "cumprod",
    "cumsum", "cumulative_prod", "cumulative_sum", "max", "mean", "median", "min",
    "nanargmax", "nanargmin", "nancumprod", "nancumsum", "nanmax", "nanmean", "nanmedian",
    "nanmin", "nanpercentile", "nanprod", "nanquantile", "nanstd", "nansum", "nanvar",
    "percentile", "prod", "ptp", "quantile", "std", "sum", "var",
]

Axis = int | Sequence[int] | None


# --- helpers shared with nan_reductions and quantiles ----------------------------------------

def reduction_axes(axis: Any, ndim: int) -> tuple[int, ...]:
    """``axis`` (None, an int or a sequence of ints) as canonical axes, in the order given."""
    if axis is None:
        return tuple(range(ndim))
    if isinstance(axis, (tuple, list, np.ndarray)):
        axes = tuple(axis)
    else:
        axes = (axis,)
    try:
        canon = tuple(check_axis(operator.index(a), ndim) for a in axes)
    except TypeError:
        raise TypeError(f"axis must be None, an int or a tuple of ints, got {axis!r}") from None
    if len(set(canon)) != len(canon):
        raise ValueError(f"duplicate value in 'axis': {axis}")
    return canon


def check_axis(axis: int, ndim: int) -> int:
    """``axis`` in ``[0, ndim)``, or NumPy's AxisError: JAX raises ValueError or IndexError
    depending on the function, and AxisError is both."""
    if not -ndim <= axis < ndim:
        raise np.exceptions.AxisError(axis, ndim)
    return axis % ndim if ndim else axis


def user_dtype(dtype: Any) -> np.dtype | None:
    """A ``dtype=`` argument as the dtype axc stores (64-bit types narrow without x64)."""
    return None if dtype is None else dtypes.canonicalize_dtype(dtypes.dtype(dtype))


def check_out(name: str, out: Any) -> None:
    if out is not None:
        raise NotImplementedError(f"The 'out' argument to jnp.{name} is not supported.")


def check_where(name: str, where: Any) -> Array | None:
    if where is None:
        return None
    check_arraylike(name, where)
    where = asarray(where)
    if where.dtype != dtypes.bool_:
        raise ValueError(f"jnp.{name}: where must be None or a boolean array; got "
                         f"where.dtype={where.dtype!r}.")
    return where


def to_inexact(dt: np.dtype) -> np.dtype:
    """``dt`` if inexact, else the default float type (JAX's ``to_inexact_dtype``)."""
    return dt if dtypes.is_inexact(dt) else dtypes.result_type(dt, float)


def upcast_f16(dt: np.dtype) -> np.dtype:
    return dtypes.float32 if dt in (dtypes.float16, dtypes.bfloat16) else dt


def promote_integer_dtype(dt: np.dtype) -> np.dtype:
    """Booleans and integers narrower than the default widen to it (JAX, not NumPy's int64)."""
    if dt == dtypes.bool_:
        return dtypes.default_int_dtype()
    if dt.kind == "u" and dt.itemsize < dtypes.default_uint_dtype().itemsize:
        return dtypes.default_uint_dtype()
    if dt.kind == "i" and dt.itemsize < dtypes.default_int_dtype().itemsize:
        return dtypes.default_int_dtype()
    return dt


def full(shape: tuple[int, ...], value: Any, dt: np.dtype) -> Array:
    """A constant array (a broadcast 0-d constant, so transforms see one scalar)."""
    scalar = wrap(np.asarray(value, dtype=dt))
    if not shape:
        return scalar
    return st.broadcast_in_dim_p.bind(scalar, shape=tuple(shape), broadcast_dimensions=())


def expand(x: Array, dims: Sequence[int]) -> Array:
    """Insert size-1 axes at (canonical, output) positions ``dims``: ``keepdims``."""
    dims = tuple(sorted(dims))
    return st.expand_dims_p.bind(x, dimensions=dims) if dims else x


def ravel(x: Array) -> Array:
    return x if x.ndim == 1 else st.reshape_p.bind(x, new_sizes=(x.size,))


def broadcast_to(x: Array, shape: tuple[int, ...]) -> Array:
    if x.shape == shape:
        return x
    lead = len(shape) - x.ndim
    if lead < 0:
        raise ValueError(f"cannot broadcast array of shape {x.shape} to shape {shape}")
    return st.broadcast_in_dim_p.bind(x, shape=tuple(shape),
                                      broadcast_dimensions=tuple(range(lead, len(shape))))


def _init_value(dt: np.dtype, init: Any) -> Array:
    """The reduction's identity in ``dt`` (JAX's ``_reduction_init_val``)."""
    if dt == dtypes.bool_:
        return wrap(np.asarray(init > 0, dtype=dt))
    if dt.kind in "iu" and np.isinf(init):
        info = np.iinfo(dt)
        return wrap(np.asarray(info.min if init < 0 else info.max, dtype=dt))
    return wrap(np.asarray(init, dtype=dt))


def _select(pred: Array, on_true: Array, on_false: Array) -> Array:
    return ew.select_n_p.bind(pred, on_false, on_true)


# --- the generic reduction (JAX's ``_reduction``) ------------------------------------------

class _Op:
    """A reduction: its primitive, the binary op that folds in ``initial``, its identity."""

    def __init__(self, name: str, prim: Primitive, binop: Primitive, init: Any,
                 bool_prim: Primitive | None = None, bool_binop: Primitive | None = None,
                 has_identity: bool = True) -> None:
        self.name, self.prim, self.binop, self.init = name, prim, binop, init
        self.bool_prim = bool_prim or prim
        self.bool_binop = bool_binop or binop
        self.has_identity = has_identity


_SUM = _Op("sum", red.reduce_sum_p, ew.add_p, 0, red.reduce_or_p, ew.or_p)
_PROD = _Op("prod", red.reduce_prod_p, ew.mul_p, 1, red.reduce_and_p, ew.and_p)
_MAX = _Op("max", red.reduce_max_p, ew.max_p, -np.inf, has_identity=False)
_MIN = _Op("min", red.reduce_min_p, ew.min_p, np.inf, has_identity=False)
_ALL = _Op("all", red.reduce_and_p, ew.and_p, True)
_ANY = _Op("any", red.reduce_or_p, ew.or_p, False)


_WIDE_INEXACT = (dtypes.float32, dtypes.float64, dtypes.complex64, dtypes.complex128)


def _reduction(a: Any, op: _Op, *, axis: Axis = None, dtype: Any = None, out: Any = None,
               keepdims: bool = False, initial: Any = None, where: Any = None,
               promote_integers: bool = False, upcast: bool = False,
               preproc: Callable[[Array], Array] | None = None) -> Array:
    name = op.name
    check_out(name, out)
    check_arraylike(name, a)
    a = asarray(a)
    where = check_where(name, where)
    if initial is None and not op.has_identity and where is not None:
        raise ValueError(f"reduction operation {name} does not have an identity, so to use a "
                         f"where mask one has to specify 'initial'")
    if preproc is not None:
        a = preproc(a)
    dims = reduction_axes(axis, a.ndim)
    if initial is None and not op.has_identity and not builtins.all(a.shape[d] for d in dims):
        raise ValueError(f"zero-size array to reduction operation {name} which has no "
                         f"identity")
    result_dtype = user_dtype(dtype)
    if result_dtype is None:
        result_dtype = promote_integer_dtype(a.dtype) if promote_integers else a.dtype
    compute = upcast_f16(result_dtype) if upcast and dtypes.is_inexact(result_dtype) \
        else result_dtype
    a = convert(a, compute)
    is_bool = compute == dtypes.bool_
    prim = op.bool_prim if is_bool else op.prim
    binop = op.bool_binop if is_bool else op.binop
    if where is not None:
        a = _select(where, a, _init_value(compute, op.init))
    result = prim.bind(a, axes=tuple(sorted(dims)))
    if initial is not None:
        init = convert(asarray(initial), compute)
        if init.shape != ():
            raise ValueError(f"initial value must be a scalar. Got array of shape "
                             f"{init.shape}")
        result = binop.bind(init, result)
    if keepdims:
        result = expand(result, dims)
    return convert(result, user_dtype(dtype) or result_dtype)


def _to_bool(a: Array) -> Array:
    if a.dtype.kind == "c":
        a = ew.real_p.bind(a)
    return convert(a, dtypes.bool_)


def sum(a: Any, axis: Axis = None, dtype: Any = None, out: None = None,
        keepdims: bool = False, initial: Any = None, where: Any = None,
        promote_integers: bool = True) -> Array:
    """Sum of array elements over ``axis`` (booleans and narrow ints widen to int32)."""
    if type(a) is Array and axis is None and dtype is None and not keepdims and \
            initial is None and where is None and out is None and not a.weak_type and \
            a.dtype in _WIDE_INEXACT:
        # The common case, without argument processing: a whole-array sum of a dtype that
        # needs no promotion or upcast (what the general path below computes too).
        return red.reduce_sum_p.bind(a, axes=tuple(range(a.ndim)))
    return _reduction(a, _SUM, axis=axis, dtype=dtype, out=out, keepdims=keepdims,
                      initial=initial, where=where, promote_integers=promote_integers,
                      upcast=dtype is None)


def prod(a: Any, axis: Axis = None, dtype: Any = None, out: None = None,
         keepdims: bool = False, initial: Any = None, where: Any = None,
         promote_integers: bool = True) -> Array:
    """Product of array elements over ``axis``."""
    return _reduction(a, _PROD, axis=axis, dtype=dtype, out=out, keepdims=keepdims,
                      initial=initial, where=where, promote_integers=promote_integers,
                      upcast=dtype is None)


def max(a: Any, axis: Axis = None, out: None = None, keepdims: bool = False,
        initial: Any = None, where: Any = None) -> Array:
    """Maximum over ``axis``; NaN propagates. Empty input needs ``initial``."""
    return _reduction(a, _MAX, axis=axis, out=out, keepdims=keepdims, initial=initial,
                      where=where)


def min(a: Any, axis: Axis = None, out: None = None, keepdims: bool = False,
        initial: Any = None, where: Any = None) -> Array:
    """Minimum over ``axis``; NaN propagates. Empty input needs ``initial``."""
    return _reduction(a, _MIN, axis=axis, out=out, keepdims=keepdims, initial=initial,
                      where=where)


amax, amin = max, min


def all(a: Any, axis: Axis = None, out: None = None, keepdims: bool = False, *,
        where: Any = None) -> Array:
    """True if every element over ``axis`` is nonzero."""
    return _reduction(a, _ALL, axis=axis, out=out, keepdims=keepdims, where=where,
                      preproc=_to_bool)


def any(a: Any, axis: Axis = None, out: None = None, keepdims: bool = False, *,
        where: Any = None) -> Array:
    """True if some element over ``axis`` is nonzero."""
    return _reduction(a, _ANY, axis=axis, out=out, keepdims=keepdims, where=where,
                      preproc=_to_bool)


def _axis_size(shape: tuple[int, ...], axis: Axis) -> int:
    size = 1
    for d in reduction_axes(axis, len(shape)):
        size *= shape[d]
    return size


def count(a: Array, axis: Axis, keepdims: bool, where: Array | None, dt: np.dtype) -> Array:
    """How many elements each reduction sees: the axis sizes, or the ``where`` count."""
    if where is None:
        return full((), _axis_size(a.shape, axis), dt)
    return sum(broadcast_to(where, a.shape), axis, dtype=dt, keepdims=keepdims)


def mean(a: Any, axis: Axis = None, dtype: Any = None, out: None = None,
         keepdims: bool = False, *, where: Any = None) -> Array:
    """Arithmetic mean over ``axis`` (integers give the default float type)."""
    check_out("mean", out)
    check_arraylike("mean", a)
    a = asarray(a)
    where = check_where("mean", where)
    result_dtype = to_inexact(a.dtype) if dtype is None else user_dtype(dtype)
    compute = upcast_f16(result_dtype) if dtype is None else result_dtype
    n = count(a, axis, keepdims, where, compute)
    total = sum(a, axis, dtype=compute, keepdims=keepdims, where=where)
    return convert(ew.div_p.bind(total, n), result_dtype)


def _var_dtypes(a_dtype: np.dtype, dtype: np.dtype | None) -> tuple[np.dtype, np.dtype]:
    """(computation dtype, result dtype) of ``var``, as JAX's ``_var_promote_types``."""
    if dtype is not None:
        if dtype.kind != "c" and a_dtype.kind == "c":
            raise ValueError("jax.numpy.var does not yet support real dtype parameters when "
                             "computing the variance of an array of complex values.")
        return upcast_f16(dtype), dtype
    if not dtypes.is_inexact(a_dtype):
        out = to_inexact(a_dtype)
        return upcast_f16(out), out
    real = np.dtype(np.finfo(a_dtype).dtype) if a_dtype.kind == "c" else a_dtype
    return upcast_f16(a_dtype), real


def _correction(ddof: Any, correction: Any) -> Any:
    if correction is None:
        return ddof
    if not isinstance(ddof, int) or ddof != 0:
        raise ValueError("ddof and correction can't be provided simultaneously.")
    return correction


def var(a: Any, axis: Axis = None, dtype: Any = None, out: None = None, ddof: int = 0,
        keepdims: bool = False, *, where: Any = None, mean: Any = None,
        correction: float | None = None) -> Array:
    """Variance over ``axis`` with ``correction`` (alias ``ddof``) degrees of freedom."""
    correction = _correction(ddof, correction)
    check_out("var", out)
    check_arraylike("var", a)
    a = asarray(a)
    where = check_where("var", where)
    compute, result_dtype = _var_dtypes(a.dtype, user_dtype(dtype))
    a = convert(a, compute)
    if mean is None:
        a_mean = _mean(a, axis, dtype=compute, keepdims=True, where=where)
    else:
        a_mean = convert(asarray(mean), compute)
    centered = ew.sub_p.bind(a, a_mean)
    if compute.kind == "c":
        centered = ew.real_p.bind(ew.mul_p.bind(centered, ew.conj_p.bind(centered)))
        compute = centered.dtype
    else:
        centered = ew.integer_pow_p.bind(centered, y=2)
    n = count(a, axis, keepdims, where, compute)
    n = ew.sub_p.bind(n, convert(asarray(correction), compute))
    total = sum(centered, axis, dtype=compute, keepdims=keepdims, where=where)
    result = convert(ew.div_p.bind(total, n), result_dtype)
    positive = ew.gt_p.bind(n, full((), 0, n.dtype))
    # Promotes as JAX's ``where(n > 0, result, nan)``: an integer dtype= gives a weak float.
    from .ufuncs import where as where_
    return where_(positive, result, np.nan)


_mean = mean


def std(a: Any, axis: Axis = None, dtype: Any = None, out: None = None, ddof: int = 0,
        keepdims: bool = False, *, where: Any = None, mean: Any = None,
        correction: float | None = None) -> Array:
    """Standard deviation: the square root of ``var``."""
    correction = _correction(ddof, correction)
    check_out("std", out)
    dt = user_dtype(dtype)
    if dt is not None and not dtypes.is_inexact(dt):
        raise ValueError(f"dtype argument to jnp.std must be inexact; got {dt}")
    return ew.sqrt_p.bind(var(a, axis, dt, keepdims=keepdims, where=where, mean=mean,
                              correction=correction))


def ptp(a: Any, axis: Axis = None, out: None = None, keepdims: bool = False) -> Array:
    """Peak to peak (``max - min``) over ``axis``."""
    check_out("ptp", out)
    check_arraylike("ptp", a)
    hi = max(a, axis, keepdims=keepdims)
    lo = min(a, axis, keepdims=keepdims)
    if hi.dtype == dtypes.bool_:
        raise TypeError("ptp does not accept dtype bool: subtraction is not defined for "
                        "booleans.")
    return ew.sub_p.bind(hi, lo)


def count_nonzero(a: Any, axis: Axis = None, keepdims: bool = False) -> Array:
    """Number of nonzero elements over ``axis``, in the default integer type."""
    check_arraylike("count_nonzero", a)
    a = asarray(a)
    nonzero = ew.ne_p.bind(a, wrap(np.zeros((), a.dtype)))
    return sum(nonzero, axis, dtype=dtypes.default_int_dtype(), keepdims=keepdims)


def average(a: Any, axis: Axis = None, weights: Any = None, returned: bool = False,
            keepdims: bool = False) -> Array | tuple[Array, Array]:
    """Weighted mean over ``axis``; with ``returned``, also the sum of the weights."""
    check_arraylike("average", a)
    ndim = np.ndim(a) if not isinstance(a, Array) else a.ndim
    axes = reduction_axes(axis, ndim)
    if weights is None:
        (a,) = promote_args_inexact("average", a)
        avg = mean(a, axis=axis, keepdims=keepdims)
        size = 1
        for d in axes:
            size *= a.shape[d]
        weights_sum = full((), size, avg.dtype)
    else:
        a, weights = promote_args_inexact("average", a, weights)
        if a.shape != weights.shape:
            if axis is None:
                raise ValueError("Axis must be specified when shapes of a and weights "
                                 "differ.")
            if weights.shape != tuple(a.shape[d] for d in axes):
                raise ValueError("Shape of weights must be consistent with shape of a along "
                                 "specified axis.")
            order = tuple(sorted(range(len(axes)), key=axes.__getitem__))
            if order != tuple(range(len(axes))):  # broadcast dimensions must increase
                weights = st.transpose_p.bind(weights, permutation=order)
            weights = st.broadcast_in_dim_p.bind(weights, shape=a.shape,
                                                 broadcast_dimensions=tuple(sorted(axes)))
        weights_sum = sum(weights, axis=axis, keepdims=keepdims)
        avg = ew.div_p.bind(sum(ew.mul_p.bind(a, weights), axis=axis, keepdims=keepdims),
                            weights_sum)
    if returned:
        return avg, broadcast_to(weights_sum, avg.shape)
    return avg


# --- argmax / argmin ----------------------------------------------------------------------

def _arg_extremum(name: str, prim: Primitive, a: Any, axis: int | None, out: Any,
                  keepdims: bool | None) -> Array:
    check_out(name, out)
    check_arraylike(name, a)
    a = asarray(a)
    if axis is None:
        dims = tuple(range(a.ndim))
        a = ravel(a) if a.ndim != 1 else a
        axis = 0
    else:
        axis = check_axis(operator.index(axis), a.ndim)
        dims = (axis,)
    if a.shape[axis] == 0:
        raise ValueError(f"attempt to get {name} of an empty sequence")
    if a.dtype.kind == "c":
        raise TypeError(f"{name} does not accept dtype {a.dtype.name}: complex numbers are "
                        f"not ordered.")
    result = prim.bind(a, axis=axis, index_dtype=dtypes.default_int_dtype())
    return expand(result, dims) if keepdims else result


def argmax(a: Any, axis: int | None = None, out: None = None,
           keepdims: bool | None = None) -> Array:
    """Index of the maximum along ``axis`` (the first one; NaN counts as the maximum)."""
    return _arg_extremum("argmax", red.argmax_p, a, axis, out, keepdims)


def argmin(a: Any, axis: int | None = None, out: None = None,
           keepdims: bool | None = None) -> Array:
    """Index of the minimum along ``axis`` (the first one; NaN counts as the minimum)."""
    return _arg_extremum("argmin", red.argmin_p, a, axis, out, keepdims)


# The cumulative and NaN-aware reductions and the order statistics build on the functions
# above; they are imported last so that they can import this module (axc.numpy loads it first).
from .cumulative import (
    cumprod,
    cumsum,
    cumulative_prod,
    cumulative_sum,
    nancumprod,
    nancumsum,
)
from .nan_reductions import (
    nanargmax,
    nanargmin,
    nanmax,
    nanmean,
    nanmin,
    nanprod,
    nanstd,
    nansum,
    nanvar,
)
from .quantiles import (
    median,
    nanmedian,
    nanpercentile,
    nanquantile,
    percentile,
    quantile,
)
