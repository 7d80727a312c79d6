"""``axc.numpy`` products: dot, matmul, tensordot, einsum, ... all built on ``dot_general``.

As in ``jax.numpy``, operands keep their own dtypes into ``dot_general`` and the result type
comes from ``preferred_element_type`` (the promoted type by default); the weak type of the
result is that of the promotion. Shape plumbing binds the structural primitives directly,
as JAX's implementations use ``lax``.
"""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from ...runtime import dtypes
from ...runtime.array import Array
from .. import structural as st
from ..linalg import dot_general_p
from ..shapes import broadcast_shapes, canonicalize_axis
from . import ufuncs
from .einsum import einsum, user_dtype
from .promote import asarray, check_arraylike, convert, promote_args, promote_args_inexact

__all__ = [
    "convolve",
    "correlate",
    "cross",
    "dot",
    "einsum",
    "inner",
    "kron",
    "matmul",
    "matvec",
    "outer",
    "tensordot",
    "vdot",
    "vecdot",
    "vecmat",
]


# --- shape helpers (lax-level) --------------------------------------------------------------

def _squeeze(x: Array, dims: Sequence[int]) -> Array:
    return st.squeeze_p.bind(x, dimensions=tuple(dims)) if dims else x


def _expand_dims(x: Array, dims: Sequence[int]) -> Array:
    return st.expand_dims_p.bind(x, dimensions=tuple(dims)) if dims else x


def _transpose(x: Array, perm: Sequence[int]) -> Array:
    perm = tuple(int(p) for p in perm)
    return x if perm == tuple(range(x.ndim)) else st.transpose_p.bind(x, permutation=perm)


def _reshape(x: Array, shape: Sequence[int]) -> Array:
    shape = tuple(int(d) for d in shape)
    return x if shape == x.shape else st.reshape_p.bind(x, new_sizes=shape)


def _broadcast_to(x: Array, shape: tuple[int, ...]) -> Array:
    if x.shape == shape:
        return x
    dims = tuple(range(len(shape) - x.ndim, len(shape)))
    return st.broadcast_in_dim_p.bind(x, shape=shape, broadcast_dimensions=dims)


def _moveaxis_last(x: Array, axis: int) -> Array:
    axis = canonicalize_axis(axis, x.ndim)
    return _transpose(x, [d for d in range(x.ndim) if d != axis] + [axis])


def _take_last(x: Array, i: int) -> Array:
    """``x[..., i]`` through ``slice`` + ``squeeze``."""
    start = (0,) * (x.ndim - 1) + (i,)
    limit = x.shape[:-1] + (i + 1,)
    return _squeeze(st.slice_p.bind(x, start_indices=start, limit_indices=limit), [x.ndim - 1])


def _zeros_like(x: Array) -> Array:
    return _broadcast_to(convert(asarray(0), x.dtype, x.weak_type), x.shape)


def _result_dtype(name: str, args: Sequence[Any], preferred: Any) -> tuple[np.dtype, bool]:
    """JAX's choice: the promoted type (and its weakness), or the user's type, never weak."""
    if preferred is None:
        return dtypes.result_type_and_weak(*args)
    return user_dtype(preferred), False


def _dot_general(a: Array, b: Array, contract: tuple, batch: tuple, preferred: np.dtype,
                 precision: Any = None) -> Array:
    return dot_general_p.bind(a, b, dimension_numbers=(contract, batch), precision=precision,
                              preferred_element_type=preferred)


# --- dot, matmul and relatives --------------------------------------------------------------

def dot(a: Any, b: Any, *, precision: Any = None, preferred_element_type: Any = None,
        out_sharding: Any = None) -> Array:
    """Dot product: sum over the last axis of ``a`` and the second-to-last of ``b``.

    Scalars multiply elementwise; batch dimensions of N-d operands are stacked (not
    broadcast, unlike :func:`matmul`).
    """
    check_arraylike("dot", a, b)
    a, b = asarray(a), asarray(b)
    out_dt, weak = _result_dtype("dot", (a, b), preferred_element_type)
    if a.ndim == 0 or b.ndim == 0:
        contract: tuple = ((), ())
    elif b.ndim == 1:
        contract = ((a.ndim - 1,), (0,))
    else:
        contract = ((a.ndim - 1,), (b.ndim - 2,))
    out = _dot_general(a, b, contract, ((), ()), out_dt, precision)
    return convert(out, out_dt, weak)


def matmul(a: Any, b: Any, *, precision: Any = None, preferred_element_type: Any = None,
           out_sharding: Any = None) -> Array:
    """Matrix product with NumPy's ``matmul`` rules: 1-d operands are promoted to matrices
    and removed again; leading (batch) dimensions broadcast."""
    check_arraylike("matmul", a, b)
    a, b = asarray(a), asarray(b)
    for i, x in enumerate((a, b)):
        if x.ndim < 1:
            raise ValueError(f"matmul input operand {i} must have ndim at least 1, but it has "
                             f"ndim {x.ndim}")
    out_dt, weak = _result_dtype("matmul", (a, b), preferred_element_type)
    a_is_mat, b_is_mat = a.ndim > 1, b.ndim > 1
    a_batch = a.shape[:-2] if a_is_mat else ()
    b_batch = b.shape[:-2] if b_is_mat else ()
    nb = max(len(a_batch), len(b_batch))
    a_batch = (None,) * (nb - len(a_batch)) + a_batch
    b_batch = (None,) * (nb - len(b_batch)) + b_batch
    # Follow jnp.matmul: a size-1 batch dimension facing a larger one is squeezed out and
    # the larger becomes a free dimension of its operand, so nothing is materialised.
    a_squeeze, b_squeeze, both_squeeze = [], [], []
    a_bdims, b_bdims = [], []
    idx_batch, idx_a, idx_b = [], [], []
    for i, (ba, bb) in enumerate(zip(a_batch, b_batch)):
        if ba is None:
            idx_b.append(i)
        elif bb is None:
            idx_a.append(i)
        elif ba == 1 and bb == 1:
            a_squeeze.append(len(idx_batch) + len(idx_a) + len(a_squeeze))
            b_squeeze.append(len(idx_batch) + len(idx_b) + len(b_squeeze))
            both_squeeze.append(i)
        elif ba == 1:
            idx_b.append(i)
            a_squeeze.append(len(idx_batch) + len(idx_a) + len(a_squeeze))
        elif bb == 1:
            idx_a.append(i)
            b_squeeze.append(len(idx_batch) + len(idx_b) + len(b_squeeze))
        elif ba == bb:
            a_bdims.append(len(idx_batch) + len(idx_a))
            b_bdims.append(len(idx_batch) + len(idx_b))
            idx_batch.append(i)
        else:
            raise ValueError(f"Incompatible types for matmul arguments: "
                             f"{a.aval.str_short()} and {b.aval.str_short()}")
    if a_is_mat:
        idx_a.append(nb)
    if b_is_mat:
        idx_b.append(nb + a_is_mat)
    perm = np.argsort(idx_batch + idx_a + idx_b)
    a, b = _squeeze(a, a_squeeze), _squeeze(b, b_squeeze)
    contract = ((a.ndim - 1,), (b.ndim - 1 - b_is_mat,))
    out = _dot_general(a, b, contract, (tuple(a_bdims), tuple(b_bdims)), out_dt, precision)
    out = _expand_dims(_transpose(out, perm), both_squeeze)
    return convert(out, out_dt, weak)


def _batched_contract(name: str, x: Array, y: Array, x_core: int, y_core: int,
                      contract: tuple[int, int], preferred: Any, precision: Any) -> Array:
    """Broadcast the leading (loop) dimensions of ``x`` and ``y`` and contract one axis of
    their ``x_core``/``y_core`` trailing core dimensions (a gufunc over ``dot_general``)."""
    for arr, core in ((x, x_core), (y, y_core)):
        if arr.ndim < core:
            raise ValueError(f"{name}: input array has too few dimensions, got shape "
                             f"{arr.shape}")
    out_dt, weak = _result_dtype(name, (x, y), preferred)
    loop = broadcast_shapes(x.shape[:x.ndim - x_core], y.shape[:y.ndim - y_core], op=name)
    x = _broadcast_to(x, loop + x.shape[x.ndim - x_core:])
    y = _broadcast_to(y, loop + y.shape[y.ndim - y_core:])
    nb = len(loop)
    batch = tuple(range(nb))
    out = _dot_general(x, y, ((nb + contract[0],), (nb + contract[1],)), (batch, batch),
                       out_dt, precision)
    return convert(out, out_dt, weak)


def matvec(x1: Any, x2: Any, /) -> Array:
    """Matrix-vector product over broadcast batch dimensions: ``(..., n, m), (..., m)``."""
    check_arraylike("matvec", x1, x2)
    return _batched_contract("matvec", asarray(x1), asarray(x2), 2, 1, (1, 0), None, None)


def vecmat(x1: Any, x2: Any, /) -> Array:
    """Conjugated vector-matrix product: ``(..., n), (..., n, m) -> (..., m)``."""
    check_arraylike("vecmat", x1, x2)
    return _batched_contract("vecmat", ufuncs.conj(asarray(x1)), asarray(x2), 1, 2, (0, 0),
                             None, None)


def vdot(a: Any, b: Any, *, precision: Any = None, preferred_element_type: Any = None) -> Array:
    """Dot product of the flattened arrays, conjugating ``a`` when complex."""
    check_arraylike("vdot", a, b)
    a, b = asarray(a), asarray(b)
    if a.dtype.kind == "c":
        a = ufuncs.conj(a)
    return dot(_reshape(a, (a.size,)), _reshape(b, (b.size,)), precision=precision,
               preferred_element_type=preferred_element_type)


def vecdot(x1: Any, x2: Any, /, *, axis: int = -1, precision: Any = None,
           preferred_element_type: Any = None) -> Array:
    """Vector dot product along ``axis`` (conjugating ``x1``), broadcasting the others."""
    check_arraylike("jnp.vecdot", x1, x2)
    x1, x2 = asarray(x1), asarray(x2)
    n1, n2 = x1.shape[axis], x2.shape[axis]  # an IndexError for a bad axis, as in JAX
    if n1 != n2:
        raise ValueError(f"axes must match; got shapes {x1.shape} and {x2.shape} with "
                         f"axis={axis}")
    x1, x2 = _moveaxis_last(x1, axis), _moveaxis_last(x2, axis)
    if x1.dtype.kind == "c":
        x1 = ufuncs.conj(x1)
    return _batched_contract("vecdot", x1, x2, 1, 1, (0, 0), preferred_element_type, precision)


def tensordot(a: Any, b: Any, axes: int | Sequence[int] | Sequence[Sequence[int]] = 2, *,
              precision: Any = None, preferred_element_type: Any = None,
              out_sharding: Any = None) -> Array:
    """Contract ``a`` and ``b`` over ``axes`` (a count of trailing/leading axes, or a pair
    of axis lists)."""
    check_arraylike("tensordot", a, b)
    a, b = asarray(a), asarray(b)
    out_dt, weak = _result_dtype("tensordot", (a, b), preferred_element_type)
    if type(axes) is int:
        if axes > min(a.ndim, b.ndim):
            raise TypeError(f"Number of tensordot axes (axes {axes}) exceeds input ranks "
                            f"({a.shape} and {b.shape})")
        if axes < 0:
            raise ValueError(f"tensordot axes must be non-negative, got {axes}")
        contract = (tuple(range(a.ndim - axes, a.ndim)), tuple(range(axes)))
    elif isinstance(axes, (tuple, list)) and len(axes) == 2:
        ax1, ax2 = axes
        if isinstance(ax1, int) and isinstance(ax2, int):
            contract = ((canonicalize_axis(ax1, a.ndim),), (canonicalize_axis(ax2, b.ndim),))
        elif isinstance(ax1, (tuple, list)) and isinstance(ax2, (tuple, list)):
            if len(ax1) != len(ax2):
                raise TypeError(f"tensordot requires axes lists to have equal length, got "
                                f"{ax1} and {ax2}.")
            contract = (tuple(canonicalize_axis(i, a.ndim) for i in ax1),
                        tuple(canonicalize_axis(i, b.ndim) for i in ax2))
        else:
            raise TypeError(f"tensordot requires both axes lists to be either ints, tuples or "
                            f"lists, got {ax1} and {ax2}")
    else:
        raise TypeError("tensordot axes argument must be an int, a pair of ints, or a pair "
                        "of lists/tuples of ints.")
    out = _dot_general(a, b, contract, ((), ()), out_dt, precision)
    return convert(out, out_dt, weak)


def inner(a: Any, b: Any, *, precision: Any = None, preferred_element_type: Any = None) -> Array:
    """Inner product over the last axes of ``a`` and ``b``."""
    check_arraylike("inner", a, b)
    a, b = asarray(a), asarray(b)
    if a.ndim == 0 or b.ndim == 0:
        if preferred_element_type is not None:
            dt = user_dtype(preferred_element_type)
            a, b = convert(a, dt), convert(b, dt)
        return ufuncs.multiply(a, b)
    return tensordot(a, b, (-1, -1), precision=precision,
                     preferred_element_type=preferred_element_type)


def outer(a: Any, b: Any, out: None = None) -> Array:
    """Outer product of the flattened arrays."""
    if out is not None:
        raise NotImplementedError("The 'out' argument to jnp.outer is not supported.")
    a, b = promote_args("outer", a, b)
    return ufuncs.multiply(_reshape(a, (a.size, 1)), _reshape(b, (1, b.size)))


def kron(a: Any, b: Any) -> Array:
    """Kronecker product."""
    a, b = promote_args("kron", a, b)
    if a.ndim < b.ndim:
        a = _expand_dims(a, range(b.ndim - a.ndim))
    elif b.ndim < a.ndim:
        b = _expand_dims(b, range(a.ndim - b.ndim))
    a2 = _expand_dims(a, range(1, 2 * a.ndim, 2))
    b2 = _expand_dims(b, range(0, 2 * b.ndim, 2))
    shape = tuple(da * db for da, db in zip(a.shape, b.shape))
    return _reshape(ufuncs.multiply(a2, b2), shape)


def cross(a: Any, b: Any, axisa: int = -1, axisb: int = -1, axisc: int = -1,
          axis: int | None = None) -> Array:
    """Cross product of 2- or 3-vectors along the given axes."""
    check_arraylike("cross", a, b)
    a, b = asarray(a), asarray(b)
    if axis is not None:
        axisa = axisb = axisc = axis
    a, b = _moveaxis_last(a, axisa), _moveaxis_last(b, axisb)
    if a.shape[-1] not in (2, 3) or b.shape[-1] not in (2, 3):
        raise ValueError("Dimension must be either 2 or 3 for cross product")
    mul, sub = ufuncs.multiply, ufuncs.subtract
    a0, a1, b0, b1 = _take_last(a, 0), _take_last(a, 1), _take_last(b, 0), _take_last(b, 1)
    if a.shape[-1] == 2 and b.shape[-1] == 2:
        return sub(mul(a0, b1), mul(a1, b0))
    a2 = _take_last(a, 2) if a.shape[-1] == 3 else _zeros_like(a0)
    b2 = _take_last(b, 2) if b.shape[-1] == 3 else _zeros_like(b0)
    parts = [sub(mul(a1, b2), mul(a2, b1)), sub(mul(a2, b0), mul(a0, b2)),
             sub(mul(a0, b1), mul(a1, b0))]
    shape = broadcast_shapes(*(p.shape for p in parts), op="cross")
    dt, weak = dtypes.result_type_and_weak(*parts)
    parts = [_expand_dims(_broadcast_to(convert(p, dt, weak), shape), (0,)) for p in parts]
    c = st.concatenate_p.bind(*parts, dimension=0)
    axisc = canonicalize_axis(axisc, c.ndim)
    return _transpose(c, list(range(1, axisc + 1)) + [0] + list(range(axisc + 1, c.ndim)))


# --- convolve / correlate -------------------------------------------------------------------

# Above this many window elements the sliding-window matrix is not materialised; the
# contraction is accumulated one kernel tap at a time instead.
_WINDOW_LIMIT = 1 << 24


def _windows(x: Array, m: int, n_out: int) -> Array:
    """``w[k, i] = x[i + k]`` for ``k < m``, ``i < n_out``, from five structural ops.

    Broadcasting ``x`` (length ``L``) to ``(m, L)``, padding the flattened result and
    re-reading it with rows of ``L + 1`` shifts row ``k`` left by ``k``.
    """
    length = x.shape[0]
    tiled = _reshape(_broadcast_to(x, (m, length)), (m * length,))
    zero = convert(asarray(0), x.dtype)
    padded = st.pad_p.bind(tiled, zero, padding_config=((0, m, 0),))
    skewed = _reshape(st.slice_p.bind(padded, start_indices=(0,),
                                      limit_indices=(m * (length + 1),)), (m, length + 1))
    return st.slice_p.bind(skewed, start_indices=(0, 0), limit_indices=(m, n_out))


def _conv(x: Array, y: Array, mode: str, op: str, precision: Any,
          preferred_element_type: Any) -> Array:
    if x.ndim != 1 or y.ndim != 1:
        raise ValueError(f"{op}() only support 1-dimensional inputs.")
    if preferred_element_type is None:
        x, y = promote_args_inexact(op, x, y)
        out_dt = x.dtype
    else:
        x, y = promote_args(op, x, y)
        out_dt = user_dtype(preferred_element_type)
    if x.shape[0] == 0 or y.shape[0] == 0:
        raise ValueError(f"{op}: inputs cannot be empty, got shapes {x.shape} and {y.shape}.")
    reverse = False
    if op == "correlate":
        y = ufuncs.conj(y)
        if x.shape[0] < y.shape[0]:
            x, y, reverse = y, x, True
    else:
        if x.shape[0] < y.shape[0]:
            x, y = y, x
        y = st.rev_p.bind(y, dimensions=(0,))
    m = y.shape[0]
    if mode == "valid":
        lo, hi = 0, 0
    elif mode == "same":
        lo, hi = m // 2, m - m // 2 - 1
    elif mode == "full":
        lo, hi = m - 1, m - 1
    else:
        raise ValueError("mode must be one of ['full', 'same', 'valid']")
    zero = convert(asarray(0), x.dtype)
    xp = st.pad_p.bind(x, zero, padding_config=((lo, hi, 0),))
    n_out = xp.shape[0] - m + 1
    if m * xp.shape[0] <= _WINDOW_LIMIT:
        out = _dot_general(_windows(xp, m, n_out), y, ((0,), (0,)), ((), ()), out_dt,
                           precision)
    else:
        out = None
        for k in range(m):
            tap = st.slice_p.bind(xp, start_indices=(k,), limit_indices=(k + n_out,))
            term = ufuncs.multiply(tap, _take_last(y, k))
            out = term if out is None else ufuncs.add(out, term)
        out = convert(out, out_dt)
    return st.rev_p.bind(out, dimensions=(0,)) if reverse else out


def convolve(a: Any, v: Any, mode: str = "full", *, precision: Any = None,
             preferred_element_type: Any = None) -> Array:
    """Discrete linear convolution of two 1-d arrays (``mode``: full, same or valid)."""
    check_arraylike("convolve", a, v)
    return _conv(asarray(a), asarray(v), mode, "convolve", precision, preferred_element_type)


def correlate(a: Any, v: Any, mode: str = "valid", *, precision: Any = None,
              preferred_element_type: Any = None) -> Array:
    """Cross-correlation of two 1-d arrays (``mode``: full, same or valid)."""
    check_arraylike("correlate", a, v)
    return _conv(asarray(a), asarray(v), mode, "correlate", precision, preferred_element_type)

