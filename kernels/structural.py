"""Structural primitives: moving, selecting and creating elements without arithmetic.

``broadcast_in_dim``, ``reshape``, ``transpose``, ``squeeze``, ``expand_dims``, ``rev``,
``slice``, ``pad``, ``concatenate``, ``iota`` and ``copy``, with lax's parameters and shape
rules. Parameters are static tuples of Python ints (hashable, so staging can key on them).
Every primitive preserves weak types except ``iota`` (a fresh array, never weak).
Eager implementations return NumPy views where they can: buffers are never written.
All of them but ``iota`` are linear: a JVP applies the primitive to the tangent, an adjoint
is its transpose (JAX's ``deflinear`` rules).
"""
from __future__ import annotations

import operator
from collections.abc import Sequence
from typing import Any

import numpy as np

from ..runtime import dtypes
from ..runtime.abstract import ShapedArray
from ..runtime.array import Array, wrap
from . import ad_util
from . import batch_util as bu
from . import elementwise as ew
from . import reduce as red
from .registry import NotApplicable, Primitive, Templates, first_weak, never_weak

__all__ = [
    "broadcast_in_dim_p", "check_shapelike", "concatenate_p", "copy_p", "dilate_dim",
    "expand_dims_p", "full_scalar", "iota_p", "pad_p", "reshape_p", "rev_p", "slice_p",
    "squeeze_p", "transpose_p",
]


def check_shapelike(fun: str, arg: str, obj: Any) -> tuple[int, ...]:
    """``obj`` as a tuple of non-negative ints, or lax's ``TypeError``."""
    if not isinstance(obj, (tuple, list, np.ndarray)):
        raise TypeError(f"{fun} {arg} must be of type tuple/list/ndarray, got {type(obj)}.")
    try:
        out = tuple(operator.index(d) for d in obj)
    except TypeError as err:
        raise TypeError(f"{fun} {arg} must have every element be an integer type, got "
                        f"{tuple(map(type, obj))}.") from err
    if not all(d >= 0 for d in out):
        raise TypeError(f"{fun} {arg} must have every element be nonnegative, got {out}.")
    return out


def _same_dtypes(name: str, avals: Sequence[ShapedArray], tip: str = "") -> None:
    if len({a.dtype for a in avals}) > 1:
        raise TypeError(f"{name} requires arguments to have the same dtypes, got "
                        f"{', '.join(a.dtype.name for a in avals)}.{tip}")


def dilate_dim(d: int, dilation: int) -> int:
    """Size of a dimension of size ``d`` with ``dilation - 1`` holes between elements."""
    return 0 if d == 0 else 1 + dilation * (d - 1)


def _invalid() -> None:
    """Raised by an ``impl`` on input NumPy would accept silently: ``bind`` then runs the
    shape rule, which raises the precise error."""
    raise ValueError("invalid structural primitive parameters")


def _size(shape: Sequence[int]) -> int:
    out = 1
    for d in shape:
        out *= d
    return out


def full_scalar(value: Any, dtype: np.dtype) -> Array:
    """``value`` as a 0-d constant of ``dtype``: a padding value in AD templates (it takes
    the dtype, not an array, so the AD transforms see that it carries no derivative)."""
    return wrap(np.asarray(value, dtype), False)


# --- broadcast_in_dim -----------------------------------------------------------------------

def _broadcast_in_dim_rule(x: ShapedArray, *, shape: tuple[int, ...],
                           broadcast_dimensions: tuple[int, ...]) -> ShapedArray:
    shape = check_shapelike("broadcast_in_dim", "shape", shape)
    dims = check_shapelike("broadcast_in_dim", "broadcast_dimensions", broadcast_dimensions)
    if x.ndim != len(dims):
        raise TypeError(f"broadcast_in_dim broadcast_dimensions must have length equal to "
                        f"operand ndim; got broadcast_dimensions {dims} for operand ndim "
                        f"{x.ndim}.")
    if len(shape) < x.ndim:
        raise TypeError(f"broadcast_in_dim target broadcast shape must have equal or higher "
                        f"rank to the operand shape; got operand ndim {x.ndim} and target "
                        f"broadcast ndim {len(shape)}.")
    if not set(dims) <= set(range(len(shape))):
        raise TypeError(f"broadcast_in_dim broadcast_dimensions must be a subset of output "
                        f"dimensions, got {dims} for operand ndim {x.ndim} and shape {shape}.")
    if not all(x.shape[i] in (1, shape[d]) for i, d in enumerate(dims)):
        raise TypeError(f"broadcast_in_dim operand dimension sizes must either be 1, or be "
                        f"equal to their corresponding dimensions in the target broadcast "
                        f"shape; got operand of shape {x.shape}, target broadcast shape "
                        f"{shape}, broadcast_dimensions {dims} ")
    if len(set(dims)) != len(dims):
        raise TypeError(f"broadcast_in_dim broadcast_dimensions must not contain duplicates, "
                        f"got broadcast_dimensions {dims}")
    return ShapedArray(shape, x.dtype, x.weak_type)


def _broadcast_in_dim(x: np.ndarray, *, shape: tuple[int, ...],
                      broadcast_dimensions: tuple[int, ...]) -> np.ndarray:
    dims = tuple(broadcast_dimensions)
    if len(set(dims)) != x.ndim or (dims and min(dims) < 0):
        _invalid()
    order = sorted(range(len(dims)), key=dims.__getitem__)
    if order != list(range(len(dims))):
        x = x.transpose(order)
        dims = tuple(dims[i] for i in order)
    expanded = [1] * len(shape)
    for size, d in zip(x.shape, dims):
        expanded[d] = size
    return np.broadcast_to(x.reshape(expanded), shape)


def _broadcast_in_dim_jvp(t: Array, ans: Array, x: Array, *, shape: tuple[int, ...],
                          broadcast_dimensions: tuple[int, ...]) -> Array:
    return broadcast_in_dim_p.bind(t, shape=shape, broadcast_dimensions=broadcast_dimensions)


def _broadcast_in_dim_adjoint(g: Array, ans: Array, x: Array, *, shape: tuple[int, ...],
                              broadcast_dimensions: tuple[int, ...]) -> Array:
    # Sum over the new axes and the axes where ``x`` had size 1, then put the kept axes back
    # in operand order (broadcast_dimensions need not be increasing here, unlike in lax).
    kept = tuple(d for d, n in zip(broadcast_dimensions, np.shape(x)) if n != 1)
    summed = tuple(d for d in range(len(shape)) if d not in kept)
    if summed:
        g = red.reduce_sum_p.bind(g, axes=summed)
    order = sorted(kept)
    if list(kept) != order:
        g = transpose_p.bind(g, permutation=tuple(order.index(d) for d in kept))
    if np.shape(g) != np.shape(x):
        g = reshape_p.bind(g, new_sizes=np.shape(x))
    return g


def _broadcast_in_dim_batch(args: list[Array], dims: bu.Dims, *, shape: tuple[int, ...],
                            broadcast_dimensions: tuple[int, ...]) -> tuple[Array, int]:
    # The batch axis goes in front (keeps increasing broadcast_dimensions increasing).
    x = args[0]
    d = dims[0]
    x = bu.moveaxis(x, d, 0)
    return broadcast_in_dim_p.bind(
        x, shape=(x.shape[0], *shape),
        broadcast_dimensions=(0, *(b + 1 for b in broadcast_dimensions))), 0


broadcast_in_dim_p = Primitive("broadcast_in_dim", impl=_broadcast_in_dim,
                               abstract_eval=_broadcast_in_dim_rule, weak_rule=first_weak,
                               family="structural",
                               jvp=Templates((_broadcast_in_dim_jvp,)),
                               adjoint=Templates((_broadcast_in_dim_adjoint,)),
                               batch=_broadcast_in_dim_batch)


# --- reshape --------------------------------------------------------------------------------

def _reshape_rule(x: ShapedArray, *, new_sizes: tuple[int, ...]) -> ShapedArray:
    if not all(operator.index(d) >= 0 for d in new_sizes):
        raise TypeError(f"reshape new_sizes must all be positive, got {tuple(new_sizes)}.")
    new_sizes = tuple(operator.index(d) for d in new_sizes)
    if _size(new_sizes) != _size(x.shape):
        raise TypeError(f"cannot reshape array of shape {x.shape} (size {_size(x.shape)}) "
                        f"into shape {new_sizes} (size {_size(new_sizes)})")
    return ShapedArray(new_sizes, x.dtype, x.weak_type)


def _reshape(x: np.ndarray, *, new_sizes: tuple[int, ...]) -> np.ndarray:
    if any(d < 0 for d in new_sizes):  # NumPy would infer a -1
        _invalid()
    return x.reshape(new_sizes)


def _reshape_jvp(t: Array, ans: Array, x: Array, *, new_sizes: tuple[int, ...]) -> Array:
    return reshape_p.bind(t, new_sizes=new_sizes)


def _reshape_adjoint(g: Array, ans: Array, x: Array, *, new_sizes: tuple[int, ...]) -> Array:
    return reshape_p.bind(g, new_sizes=np.shape(x))


def _reshape_batch(args: list[Array], dims: bu.Dims, *,
                   new_sizes: tuple[int, ...]) -> tuple[Array, int]:
    # A reshape reads elements in row-major order: the batch axis must lead.
    x = args[0]
    d = dims[0]
    x = bu.moveaxis(x, d, 0)
    return reshape_p.bind(x, new_sizes=(x.shape[0], *new_sizes)), 0


reshape_p = Primitive("reshape", impl=_reshape,
                      abstract_eval=_reshape_rule, weak_rule=first_weak, family="structural",
                      jvp=Templates((_reshape_jvp,)), adjoint=Templates((_reshape_adjoint,)),
                      batch=_reshape_batch)


# --- transpose ------------------------------------------------------------------------------

def _transpose_rule(x: ShapedArray, *, permutation: tuple[int, ...]) -> ShapedArray:
    if not isinstance(permutation, (tuple, list, np.ndarray)):
        raise TypeError(f"transpose permutation must be a tuple/list/ndarray, got "
                        f"{type(permutation)}.")
    if tuple(sorted(permutation)) != tuple(range(x.ndim)):
        raise TypeError(f"transpose permutation isn't a permutation of operand dimensions, "
                        f"got permutation {tuple(permutation)} for operand shape {x.shape}.")
    return ShapedArray(tuple(x.shape[i] for i in permutation), x.dtype, x.weak_type)


def _transpose(x: np.ndarray, *, permutation: tuple[int, ...]) -> np.ndarray:
    if any(p < 0 for p in permutation):  # NumPy would wrap negative axes
        _invalid()
    return x.transpose(permutation)


def _transpose_jvp(t: Array, ans: Array, x: Array, *,
                   permutation: tuple[int, ...]) -> Array:
    return transpose_p.bind(t, permutation=permutation)


def _transpose_adjoint(g: Array, ans: Array, x: Array, *,
                       permutation: tuple[int, ...]) -> Array:
    inverse = tuple(int(i) for i in np.argsort(permutation))
    return transpose_p.bind(g, permutation=inverse)


def _transpose_batch(args: list[Array], dims: bu.Dims, *,
                     permutation: tuple[int, ...]) -> tuple[Array, int]:
    x = args[0]
    d = dims[0]
    perm = (d, *bu.shift_axes(permutation, d))
    return transpose_p.bind(x, permutation=perm), 0


transpose_p = Primitive("transpose", impl=_transpose,
                        abstract_eval=_transpose_rule, weak_rule=first_weak,
                        family="structural", jvp=Templates((_transpose_jvp,)),
                        adjoint=Templates((_transpose_adjoint,)), batch=_transpose_batch)


# --- squeeze / expand_dims ------------------------------------------------------------------

def _squeeze_rule(x: ShapedArray, *, dimensions: tuple[int, ...]) -> ShapedArray:
    dims = set(dimensions)
    if len(dims) != len(dimensions):
        raise ValueError(f"dimensions are not unique: {tuple(dimensions)}")
    if not all(0 <= d < x.ndim for d in dims):
        raise ValueError(f"dimensions outside range [0, ndim): {tuple(dimensions)}")
    if any(x.shape[d] != 1 for d in dims):
        raise ValueError(f"cannot select an axis to squeeze out which has size not equal to "
                         f"one, got shape={x.shape} and dimensions={tuple(dimensions)}")
    shape = tuple(s for i, s in enumerate(x.shape) if i not in dims)
    return ShapedArray(shape, x.dtype, x.weak_type)


def _squeeze(x: np.ndarray, *, dimensions: tuple[int, ...]) -> np.ndarray:
    if len(set(dimensions)) != len(dimensions) or \
            any(not 0 <= d < x.ndim or x.shape[d] != 1 for d in dimensions):
        _invalid()
    return x.reshape(tuple(s for i, s in enumerate(x.shape) if i not in set(dimensions)))


def _squeeze_jvp(t: Array, ans: Array, x: Array, *, dimensions: tuple[int, ...]) -> Array:
    return squeeze_p.bind(t, dimensions=dimensions)


def _squeeze_adjoint(g: Array, ans: Array, x: Array, *, dimensions: tuple[int, ...]) -> Array:
    return expand_dims_p.bind(g, dimensions=dimensions)


def _squeeze_batch(args: list[Array], dims: bu.Dims, *,
                   dimensions: tuple[int, ...]) -> tuple[Array, int]:
    x = args[0]
    d = dims[0]
    out = squeeze_p.bind(x, dimensions=bu.shift_axes(dimensions, d))
    return out, d - sum(s < d for s in dimensions)


squeeze_p = Primitive("squeeze", impl=_squeeze, abstract_eval=_squeeze_rule,
                      weak_rule=first_weak, family="structural",
                      jvp=Templates((_squeeze_jvp,)), adjoint=Templates((_squeeze_adjoint,)),
                      batch=_squeeze_batch)


def _expand_dims_rule(x: ShapedArray, *, dimensions: tuple[int, ...]) -> ShapedArray:
    ndim = x.ndim + len(dimensions)
    if len(set(dimensions)) != len(dimensions):
        raise ValueError(f"repeated axis in lax.expand_dims: {tuple(dimensions)}")
    for d in dimensions:
        if not 0 <= d < ndim:
            raise ValueError(f"axis {d} is out of bounds for array of dimension {ndim}")
    shape = iter(x.shape)
    out = tuple(1 if i in dimensions else next(shape) for i in range(ndim))
    return ShapedArray(out, x.dtype, x.weak_type)


def _expand_dims(x: np.ndarray, *, dimensions: tuple[int, ...]) -> np.ndarray:
    if any(d < 0 for d in dimensions):  # NumPy would wrap negative axes
        _invalid()
    return np.expand_dims(x, tuple(dimensions)) if dimensions else x


def _expand_dims_jvp(t: Array, ans: Array, x: Array, *, dimensions: tuple[int, ...]) -> Array:
    return expand_dims_p.bind(t, dimensions=dimensions)


def _expand_dims_adjoint(g: Array, ans: Array, x: Array, *,
                         dimensions: tuple[int, ...]) -> Array:
    return squeeze_p.bind(g, dimensions=dimensions)


def _expand_dims_batch(args: list[Array], dims: bu.Dims, *,
                       dimensions: tuple[int, ...]) -> tuple[Array, int]:
    # The batch axis stays just before the example axis it preceded (last if it was last),
    # so that no transpose is needed.
    x = args[0]
    d = dims[0]
    ndim = x.ndim - 1 + len(dimensions)
    kept = [i for i in range(ndim) if i not in dimensions]
    out_dim = kept[d] if d < len(kept) else ndim
    new = tuple(e + (e >= out_dim) for e in dimensions)
    return expand_dims_p.bind(x, dimensions=new), out_dim


expand_dims_p = Primitive("expand_dims", impl=_expand_dims, abstract_eval=_expand_dims_rule,
                          weak_rule=first_weak, family="structural",
                          jvp=Templates((_expand_dims_jvp,)),
                          adjoint=Templates((_expand_dims_adjoint,)),
                          batch=_expand_dims_batch)


# --- rev ------------------------------------------------------------------------------------

def _rev_rule(x: ShapedArray, *, dimensions: tuple[int, ...]) -> ShapedArray:
    dims = check_shapelike("rev", "dimensions", dimensions)
    if len(set(dims)) != len(dims):
        raise TypeError(f"rev dimensions must be unique, got {dims}.")
    if dims and not max(dims) < x.ndim:
        raise TypeError(f"rev dimensions must all be less than operand ndim, got dimensions "
                        f"{dims} for operand ndim {x.ndim}.")
    return x


def _rev(x: np.ndarray, *, dimensions: tuple[int, ...]) -> np.ndarray:
    if not dimensions:
        return x
    if min(dimensions) < 0:  # NumPy would wrap negative axes
        _invalid()
    return np.flip(x, tuple(dimensions))


def _rev_template(t: Array, ans: Array, x: Array, *, dimensions: tuple[int, ...]) -> Array:
    """Both rules: reversing is its own transpose."""
    return rev_p.bind(t, dimensions=dimensions)


def _rev_batch(args: list[Array], dims: bu.Dims, *,
               dimensions: tuple[int, ...]) -> tuple[Array, int]:
    x = args[0]
    d = dims[0]
    return rev_p.bind(x, dimensions=bu.shift_axes(dimensions, d)), d


rev_p = Primitive("rev", impl=_rev, abstract_eval=_rev_rule, weak_rule=first_weak,
                  family="structural", jvp=Templates((_rev_template,)),
                  adjoint=Templates((_rev_template,)), batch=_rev_batch)


# --- slice ----------------------------------------------------------------------------------

def _slice_rule(x: ShapedArray, *, start_indices: tuple[int, ...],
                limit_indices: tuple[int, ...],
                strides: tuple[int, ...] | None = None) -> ShapedArray:
    start = check_shapelike("slice", "start_indices", start_indices)
    limit = check_shapelike("slice", "limit_indices", limit_indices)
    if x.ndim != len(start):
        raise TypeError(f"slice start_indices must have length equal to the number of "
                        f"dimensions of the operand, got indices {start} for operand shape "
                        f"{x.shape}.")
    if len(start) != len(limit):
        raise TypeError(f"slice limit_indices must have the same length as start_indices, "
                        f"got start_indices {start} and limit_indices {limit}.")
    if not all(map(operator.ge, x.shape, limit)):
        raise TypeError(f"slice limit_indices must be less than or equal to operand shape, "
                        f"got limit_indices {limit} for operand shape {x.shape}.")
    if not all(map(operator.ge, limit, start)):
        raise TypeError(f"slice limit_indices must be greater than or equal to "
                        f"start_indices, got start_indices {start} and limit_indices {limit}.")
    diff = tuple(map(operator.sub, limit, start))
    if strides is None:
        return ShapedArray(diff, x.dtype, x.weak_type)
    strides = check_shapelike("slice", "strides", strides)
    if len(strides) != x.ndim:
        raise TypeError(f"slice strides must have length equal to the number of dimensions "
                        f"of the operand, got strides {strides} for operand shape {x.shape}.")
    if not all(s > 0 for s in strides):
        raise TypeError(f"slice strides must be positive, got {strides}")
    shape = tuple(0 if d == 0 else (d - 1) // s + 1 for d, s in zip(diff, strides))
    return ShapedArray(shape, x.dtype, x.weak_type)


def _slice(x: np.ndarray, *, start_indices: tuple[int, ...], limit_indices: tuple[int, ...],
           strides: tuple[int, ...] | None = None) -> np.ndarray:
    strides = strides or (1,) * x.ndim
    # NumPy clamps out-of-range bounds; lax refuses them.
    if not len(start_indices) == len(limit_indices) == len(strides) == x.ndim or not all(
            0 <= s <= lim <= d and st > 0
            for s, lim, st, d in zip(start_indices, limit_indices, strides, x.shape)):
        _invalid()
    return x[tuple(map(slice, start_indices, limit_indices, strides))]


def _slice_jvp(t: Array, ans: Array, x: Array, *, start_indices: tuple[int, ...],
               limit_indices: tuple[int, ...], strides: tuple[int, ...] | None = None) -> Array:
    return slice_p.bind(t, start_indices=start_indices, limit_indices=limit_indices,
                        strides=strides)


def _slice_adjoint(g: Array, ans: Array, x: Array, *, start_indices: tuple[int, ...],
                   limit_indices: tuple[int, ...],
                   strides: tuple[int, ...] | None = None) -> Array:
    # Zeros around the slice, and strides as interior padding; the high edge is measured from
    # the last element taken, which a stride may leave short of the limit (JAX's rule).
    strides = strides or (1,) * len(start_indices)
    config = tuple((lo, n - lo - dilate_dim(k, s), s - 1) for lo, n, k, s in
                   zip(start_indices, np.shape(x), np.shape(g), strides))
    return pad_p.bind(g, full_scalar(0, g.dtype), padding_config=config)


def _slice_batch(args: list[Array], dims: bu.Dims, *, start_indices: tuple[int, ...],
                 limit_indices: tuple[int, ...],
                 strides: tuple[int, ...] | None = None) -> tuple[Array, int]:
    x = args[0]
    d = dims[0]
    strides = None if strides is None else bu.insert_at(strides, d, 1)
    return slice_p.bind(x, start_indices=bu.insert_at(start_indices, d, 0),
                        limit_indices=bu.insert_at(limit_indices, d, x.shape[d]),
                        strides=strides), d


slice_p = Primitive("slice", impl=_slice, abstract_eval=_slice_rule, weak_rule=first_weak,
                    family="structural", jvp=Templates((_slice_jvp,)),
                    adjoint=Templates((_slice_adjoint,)), batch=_slice_batch)


# --- pad ------------------------------------------------------------------------------------

def _pad_rule(x: ShapedArray, padding_value: ShapedArray, *,
              padding_config: tuple[tuple[int, int, int], ...]) -> ShapedArray:
    if x.dtype != padding_value.dtype:
        raise TypeError(f"pad operand and padding_value must be same dtype: got "
                        f"{x.dtype.name} and {padding_value.dtype.name}.")
    if padding_value.ndim != 0:
        raise ValueError(f"padding_value must be a scalar; got "
                         f"np.shape(padding_value)={padding_value.shape}")
    config = tuple(tuple(operator.index(p) for p in c) for c in padding_config)
    if len(config) != x.ndim or not all(len(c) == 3 for c in config):
        raise ValueError(f"length of padding_config must equal the number of axes of operand, "
                         f"got padding_config {config} for operand shape {x.shape}")
    if not all(i >= 0 for _, _, i in config):
        raise ValueError(f"interior padding in padding_config must be nonnegative, got "
                         f"padding_config {config}")
    shape = tuple(lo + hi + dilate_dim(d, i + 1) for (lo, hi, i), d in zip(config, x.shape))
    if not all(d >= 0 for d in shape):
        raise ValueError(f"Dimension size after padding is not at least 0, got result shape "
                         f"{shape}, for padding_config {config} and operand shape {x.shape}")
    return ShapedArray(shape, x.dtype, x.weak_type and padding_value.weak_type)


def _pad(x: np.ndarray, padding_value: np.ndarray, *,
         padding_config: tuple[tuple[int, int, int], ...]) -> np.ndarray:
    if len(padding_config) != x.ndim or padding_value.ndim or \
            padding_value.dtype != x.dtype or any(c[2] < 0 for c in padding_config):
        _invalid()
    shape = tuple(lo + hi + dilate_dim(d, i + 1)
                  for (lo, hi, i), d in zip(padding_config, x.shape))
    out = np.full(shape, padding_value, x.dtype)
    src, dst = [], []
    # Input element j lands at lo + j * (interior + 1); keep those inside [0, out_dim).
    for (lo, _, interior), d, n in zip(padding_config, x.shape, shape):
        step = interior + 1
        first = 0 if lo >= 0 else (-lo + step - 1) // step
        last = min(d, (n - 1 - lo) // step + 1)
        if last <= first:
            return out
        src.append(slice(first, last))
        dst.append(slice(lo + first * step, lo + (last - 1) * step + 1, step))
    out[tuple(dst)] = x[tuple(src)]
    return out


# pad is linear in the operand and the padding value together.
def _pad_operand_jvp(t: Array, ans: Array, x: Array, padding_value: Array, *,
                     padding_config: tuple[tuple[int, int, int], ...]) -> Array:
    return pad_p.bind(t, full_scalar(0, t.dtype), padding_config=padding_config)


def _pad_value_jvp(t: Array, ans: Array, x: Array, padding_value: Array, *,
                   padding_config: tuple[tuple[int, int, int], ...]) -> Array:
    return pad_p.bind(ad_util.zeros_like(x), t, padding_config=padding_config)


def _pad_operand_adjoint(g: Array, ans: Array, x: Array, padding_value: Array, *,
                         padding_config: tuple[tuple[int, int, int], ...]) -> Array:
    # Negated edges crop the padding (and restore cropped elements as zeros); a strided
    # slice then skips the interior padding.
    unpad = tuple((-lo, -hi, 0) for lo, hi, _ in padding_config)
    g = pad_p.bind(g, full_scalar(0, g.dtype), padding_config=unpad)
    return slice_p.bind(g, start_indices=(0,) * len(unpad), limit_indices=np.shape(g),
                        strides=tuple(i + 1 for _, _, i in padding_config))


def _pad_value_adjoint(g: Array, ans: Array, x: Array, padding_value: Array, *,
                       padding_config: tuple[tuple[int, int, int], ...]) -> Array:
    # Every element of the result that is not an element of ``x`` is the padding value.
    from_x = _pad_operand_adjoint(g, ans, x, padding_value, padding_config=padding_config)
    return (red.reduce_sum_p.bind(g, axes=tuple(range(np.ndim(g))))
            - red.reduce_sum_p.bind(from_x, axes=tuple(range(np.ndim(from_x)))))


def _pad_batch(args: list[Array], dims: bu.Dims, *,
               padding_config: tuple[tuple[int, int, int], ...]) -> tuple[Array, int]:
    x, value = args
    dx, dv = dims
    if dv is None:
        config = bu.insert_at(padding_config, dx, (0, 0, 0))
        return pad_p.bind(x, value, padding_config=config), dx
    # One padding value per example: pad with anything, then select each example's value
    # wherever a mask of the operand's elements (padded with False) is False (JAX's rule).
    x = bu.bdim_at_front(x, dx, value.shape[dv])
    padded = pad_p.bind(x, bu.scalar_like(0, x), padding_config=((0, 0, 0), *padding_config))
    inside = broadcast_in_dim_p.bind(full_scalar(True, np.dtype(bool)), shape=x.shape[1:],
                                     broadcast_dimensions=())
    mask = pad_p.bind(inside, full_scalar(False, np.dtype(bool)), padding_config=padding_config)
    value = bu.expand_after_batch(value, padded.ndim - 1)
    return ew.select_n_p.bind(mask, value, padded), 0


pad_p = Primitive("pad", impl=_pad, abstract_eval=_pad_rule, family="structural",
                  jvp=Templates((_pad_operand_jvp, _pad_value_jvp)),
                  adjoint=Templates((_pad_operand_adjoint, _pad_value_adjoint)),
                  batch=_pad_batch)


# --- concatenate ----------------------------------------------------------------------------

def _concatenate_rule(*xs: ShapedArray, dimension: int) -> ShapedArray:
    if not xs:
        raise TypeError("concatenate expects at least one operand, got 0.")
    _same_dtypes("lax.concatenate", xs, " (Tip: jnp.concatenate is a similar function that "
                 "does automatic type promotion on inputs).")
    shapes = ", ".join(str(x.shape) for x in xs)
    if len({x.ndim for x in xs}) != 1:
        raise TypeError(f"Cannot concatenate arrays with different numbers of dimensions: "
                        f"got {shapes}.")
    if not 0 <= dimension < xs[0].ndim:
        raise TypeError(f"concatenate dimension out of bounds: dimension {dimension} for "
                        f"shapes {shapes}.")
    rest = {x.shape[:dimension] + x.shape[dimension + 1:] for x in xs}
    if len(rest) != 1:
        raise TypeError(f"Cannot concatenate arrays with shapes that differ in dimensions "
                        f"other than the one being concatenated: concatenating along "
                        f"dimension {dimension} for shapes {shapes}.")
    shape = list(xs[0].shape)
    shape[dimension] = sum(x.shape[dimension] for x in xs)
    return ShapedArray(tuple(shape), xs[0].dtype, all(x.weak_type for x in xs))


def _concatenate(*xs: np.ndarray, dimension: int) -> np.ndarray:
    # NumPy would promote mixed dtypes and wrap a negative dimension.
    if dimension < 0 or len({x.dtype for x in xs}) > 1:
        _invalid()
    return np.concatenate(xs, axis=dimension)


def _offset(xs: Sequence[Array], index: int, dimension: int) -> int:
    """Where operand ``index`` starts along ``dimension`` in the concatenation."""
    return sum(np.shape(x)[dimension] for x in xs[:index])


def _concatenate_jvp(t: Array, ans: Array, *xs: Array, dimension: int, index: int) -> Array:
    # Operand ``index``'s tangent, with zeros where the other operands sit.
    lo = _offset(xs, index, dimension)
    hi = np.shape(ans)[dimension] - lo - np.shape(t)[dimension]
    config = tuple((lo, hi, 0) if d == dimension else (0, 0, 0) for d in range(np.ndim(t)))
    return pad_p.bind(t, full_scalar(0, t.dtype), padding_config=config)


def _concatenate_adjoint(g: Array, ans: Array, *xs: Array, dimension: int,
                         index: int) -> Array:
    lo = _offset(xs, index, dimension)
    start = tuple(lo if d == dimension else 0 for d in range(np.ndim(g)))
    limit = tuple(lo + n if d == dimension else n
                  for d, n in enumerate(np.shape(xs[index])))
    return slice_p.bind(g, start_indices=start, limit_indices=limit)


def _concatenate_batch(args: list[Array], dims: bu.Dims, *,
                       dimension: int) -> tuple[Array, int]:
    xs, d = bu.common_bdim(args, dims)
    return concatenate_p.bind(*xs, dimension=bu.shift_axis(dimension, d)), d


concatenate_p = Primitive(
    "concatenate", impl=_concatenate,
    abstract_eval=_concatenate_rule, family="structural",
    jvp=Templates((), rest=_concatenate_jvp), adjoint=Templates((), rest=_concatenate_adjoint),
    batch=_concatenate_batch)


# --- iota / copy ----------------------------------------------------------------------------

def _iota_rule(*, dtype: np.dtype, shape: tuple[int, ...], dimension: int) -> ShapedArray:
    shape = check_shapelike("iota", "shape", shape)
    dt = np.dtype(dtype)
    dtypes.check_supported(dt)
    if dt.kind not in "iufcV":
        raise TypeError(f"iota does not accept dtype {dt.name}. Accepted dtypes are subtypes "
                        f"of integer, floating, complexfloating.")
    if not 0 <= dimension < len(shape):
        raise ValueError(f"iota dimension must be between 0 and len(shape), got "
                         f"dimension={dimension} for shape={shape}")
    return ShapedArray(shape, dt, False)


def _iota(*, dtype: np.dtype, shape: tuple[int, ...], dimension: int) -> np.ndarray:
    if np.dtype(dtype).kind not in "iufcV" or not 0 <= dimension < len(shape):
        _invalid()
    # XLA's iota converts the integer index, so wide ranges round (float16) or wrap (int8).
    line = np.arange(shape[dimension], dtype=np.int64).astype(np.dtype(dtype))
    expanded = [1] * len(shape)
    expanded[dimension] = shape[dimension]
    return np.broadcast_to(line.reshape(expanded), shape)


_NO_OPERANDS = NotApplicable("iota has no operands: its result is a constant")
iota_p = Primitive("iota", impl=_iota, abstract_eval=_iota_rule, weak_rule=never_weak,
                   family="structural", jvp=_NO_OPERANDS, adjoint=_NO_OPERANDS,
                   batch=NotApplicable("iota has no operands: its result is never batched"))


def _copy_template(t: Array, ans: Array, x: Array) -> Array:
    """Both rules: arrays are immutable, so a copy's derivative is the identity."""
    return t


def _copy_batch(args: list[Array], dims: bu.Dims) -> tuple[Array, int]:
    return copy_p.bind(args[0]), dims[0]


copy_p = Primitive("copy", impl=lambda x: np.array(x, copy=True),
                   abstract_eval=lambda x: x, weak_rule=first_weak, family="structural",
                   jvp=Templates((_copy_template,)), adjoint=Templates((_copy_template,)),
                   batch=_copy_batch)
