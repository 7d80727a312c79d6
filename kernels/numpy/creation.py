"""Array creation in ``axc.numpy``: conversion, filled arrays, identity-like and grids.

Data that already lives in Python or NumPy becomes an Array through the runtime's
``to_buffer``; everything else is built from primitives (``iota``, ``broadcast_in_dim`` of
a scalar constant, comparisons) so that staging sees how each array is made. Ranges
(``arange``, ``linspace``, ...) live in ``ranges.py`` and are re-exported from here.
"""
from __future__ import annotations

import operator
import warnings
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from ...runtime import dtypes
from ...runtime.array import Array, to_buffer, wrap
from .. import elementwise as ew
from ..structural import broadcast_in_dim_p, copy_p, expand_dims_p, iota_p
from .promote import asarray as _asarray  # no copy, no dtype checks: for internal operands
from .promote import check_arraylike, convert

__all__ = [
    "array", "asarray", "copy", "empty", "empty_like", "eye", "full", "full_like", "identity",
    "indices", "meshgrid", "ones", "ones_like", "tri", "zeros", "zeros_like",
]

_X64_HINT = ("To enable more dtypes, set the jax_enable_x64 configuration option or the "
             "JAX_ENABLE_X64 shell environment variable. See "
             "https://github.com/jax-ml/jax#current-gotchas for more.")


def user_dtype(dtype: Any, fun_name: str) -> np.dtype:
    """A dtype the user asked for, canonicalised (with JAX's warning when 64-bit is off)."""
    if dtype is None:
        raise ValueError("dtype must be specified.")
    if isinstance(dtype, Array):
        raise ValueError(  # noqa: TRY004 - JAX's error class
            "Passing an array as a dtype argument is no longer supported; "
            "instead of dtype=arr use dtype=arr.dtype.")
    if isinstance(dtype, type) and dtype in (bool, int, float, complex):
        return dtypes.dtype(dtype, canonicalize=True)
    try:
        dt = dtypes.dtype(dtype)
        dtypes.check_supported(dt)
    except TypeError:
        raise TypeError(f"axc only supports number and bool dtypes, got dtype {dtype} in "
                        f"{fun_name}") from None
    canonical = dtypes.canonicalize_dtype(dt)
    if canonical != dt:
        warnings.warn(f"Explicitly requested dtype {dt} requested in {fun_name} is not "
                      f"available, and will be truncated to dtype {canonical.name}. "
                      f"{_X64_HINT}", stacklevel=3)
    return canonical


def canonicalize_shape(shape: Any) -> tuple[int, ...]:
    """``shape`` (an int or a sequence of ints) as a tuple of Python ints."""
    if isinstance(shape, (Array, np.ndarray)):
        shape = np.asarray(shape).tolist()  # shapes are static: a concretisation point
    try:
        return (operator.index(shape),)
    except TypeError:
        pass
    try:
        return tuple(operator.index(d) for d in shape)
    except TypeError:
        shown = tuple(shape) if isinstance(shape, (list, tuple)) else (shape,)
        raise TypeError(f"Shapes must be 1D sequences of concrete values of integer type, "
                        f"got {shown}.") from None


def _filled(shape: tuple[int, ...], value: Any, dt: np.dtype) -> Array:
    """``value`` broadcast to ``shape``: a scalar constant through ``broadcast_in_dim``."""
    return broadcast_in_dim_p.bind(wrap(np.asarray(value, dt)), shape=shape,
                                   broadcast_dimensions=())


# --- conversion -----------------------------------------------------------------------------

def _leaves(x: Any) -> list[Any]:
    if isinstance(x, (list, tuple)):
        return [leaf for e in x for leaf in _leaves(e)]
    return [x]


def _stack_nested(obj: Any, dt: np.dtype) -> Array:
    """A nested list that holds Arrays, built by ``expand_dims`` and ``concatenate``."""
    from .manipulation import concatenate
    if not isinstance(obj, (list, tuple)):
        return array(obj, dtype=dt, copy=False)
    if not obj:
        return wrap(np.zeros((0,), dt))
    return concatenate([expand_dims_p.bind(_stack_nested(e, dt), dimensions=(0,))
                        for e in obj], axis=0)


def array(object: Any, dtype: Any = None, copy: bool = True, order: str | None = "K",
          ndmin: int = 0, *, device: Any = None) -> Array:
    """Convert ``object`` (an array, scalar, or nested sequence) to an Array.

    Only Python scalars (and weakly typed Arrays) give a weakly typed result; lists never do.
    """
    if order is not None and order != "K":
        raise NotImplementedError("Only implemented for order='K'")
    dt = None if dtype is None else user_dtype(dtype, "array")
    if isinstance(object, Array):
        out = copy_p.bind(object) if copy else object
    elif hasattr(object, "__jax_array__"):
        out = array(object.__jax_array__(), copy=copy)
    else:
        leaves = _leaves(object)
        if any(leaf is None for leaf in leaves):
            raise ValueError("None is not a valid value for jnp.array")
        if isinstance(object, (list, tuple)) and any(isinstance(x, Array) for x in leaves):
            out = _stack_nested(object, dt or dtypes.result_type(*leaves))
        else:
            out = wrap(*to_buffer(object, dt, copy=True))
    if dt is not None:
        out = convert(out, dt, False)
    if ndmin > out.ndim:
        out = expand_dims_p.bind(out, dimensions=tuple(range(ndmin - out.ndim)))
    return out


def asarray(a: Any, dtype: Any = None, order: str | None = None, *,
            copy: bool | None = None, device: Any = None) -> Array:
    """Convert ``a`` to an Array, without copying an Array that needs no conversion."""
    if type(a) is Array and dtype is None and not copy:
        return a
    dt = None if dtype is None else user_dtype(dtype, "asarray")
    return array(a, dtype=dt, copy=bool(copy), order=order)


def copy(a: Any, order: str | None = None) -> Array:
    """A copy of ``a``."""
    check_arraylike("copy", a)
    return array(a, copy=True, order=order)


# --- filled arrays --------------------------------------------------------------------------

def zeros(shape: Any, dtype: Any = None, *, device: Any = None) -> Array:
    """An array of zeros (float32 by default)."""
    dt = dtypes.default_float_dtype() if dtype is None else user_dtype(dtype, "zeros")
    return _filled(canonicalize_shape(shape), 0, dt)


def ones(shape: Any, dtype: Any = None, *, device: Any = None) -> Array:
    """An array of ones (float32 by default)."""
    dt = dtypes.default_float_dtype() if dtype is None else user_dtype(dtype, "ones")
    return _filled(canonicalize_shape(shape), 1, dt)


def empty(shape: Any, dtype: Any = None, *, device: Any = None) -> Array:
    """As ``zeros``: axc arrays are always initialised."""
    dt = dtypes.default_float_dtype() if dtype is None else user_dtype(dtype, "empty")
    return _filled(canonicalize_shape(shape), 0, dt)


def full(shape: Any, fill_value: Any, dtype: Any = None, *, device: Any = None) -> Array:
    """An array of ``shape`` filled with ``fill_value`` (weakly typed if it is)."""
    dt = None if dtype is None else user_dtype(dtype, "full")
    check_arraylike("full", fill_value)
    if np.ndim(fill_value) == 0:
        x = _asarray(fill_value)
        if dt is not None:
            x = convert(x, dt, False)
        return broadcast_in_dim_p.bind(x, shape=canonicalize_shape(shape),
                                       broadcast_dimensions=())
    from .manipulation import broadcast_to
    return broadcast_to(asarray(fill_value, dtype=dt), canonicalize_shape(shape))


def _like(name: str, a: Any, fill_value: Any, dtype: Any, shape: Any) -> Array:
    if hasattr(a, "dtype") and hasattr(a, "shape"):  # duck-typed arrays
        check_arraylike(name, fill_value)
    else:
        check_arraylike(name, a, fill_value)
    dt = None if dtype is None else user_dtype(dtype, name)
    out_shape = np.shape(a) if shape is None else canonicalize_shape(shape)
    if np.ndim(fill_value) == 0:
        weak = dt is None and dtypes.is_weakly_typed(a)
        dt = dtypes.dtype(a, canonicalize=True) if dt is None else dt
        x = convert(_asarray(fill_value), dt, weak)
        return broadcast_in_dim_p.bind(x, shape=tuple(out_shape), broadcast_dimensions=())
    from .manipulation import broadcast_to
    dt = dtypes.dtype(a, canonicalize=True) if dt is None else dt
    return broadcast_to(asarray(fill_value, dtype=dt), tuple(out_shape))


def full_like(a: Any, fill_value: Any, dtype: Any = None, shape: Any = None, *,
              device: Any = None) -> Array:
    """An array like ``a`` (its shape, dtype and weak type) filled with ``fill_value``."""
    return _like("full_like", a, fill_value, dtype, shape)


def zeros_like(a: Any, dtype: Any = None, shape: Any = None, *, device: Any = None) -> Array:
    """Zeros with the shape, dtype and weak type of ``a``."""
    return _like("zeros_like", a, 0, dtype, shape)


def ones_like(a: Any, dtype: Any = None, shape: Any = None, *, device: Any = None) -> Array:
    """Ones with the shape, dtype and weak type of ``a``."""
    return _like("ones_like", a, 1, dtype, shape)


def empty_like(prototype: Any, dtype: Any = None, shape: Any = None, *,
               device: Any = None) -> Array:
    """As ``zeros_like``: axc arrays are always initialised."""
    return _like("empty_like", prototype, 0, dtype, shape)


# --- identity-like --------------------------------------------------------------------------

def _dims(name: str, N: Any, M: Any) -> tuple[int, int]:
    n = operator.index(N)
    m = n if M is None else operator.index(M)
    if n < 0 or m < 0:
        raise ValueError(f"negative dimensions are not allowed, got {N} and {M}")
    return n, m


def _diagonal_mask(shape: tuple[int, int], k: int, prim: Any) -> Array:
    """``prim(row + k, col)`` over a 2-d grid of int32 indices (XLA's ``_eye``/``_tri``)."""
    rows = iota_p.bind(dtype=dtypes.int32, shape=shape, dimension=0)
    cols = iota_p.bind(dtype=dtypes.int32, shape=shape, dimension=1)
    if k:
        rows = ew.add_p.bind(rows, wrap(np.asarray(k, dtypes.int32)))
    return prim.bind(rows, cols)


def eye(N: Any, M: Any = None, k: Any = 0, dtype: Any = None, *, device: Any = None) -> Array:
    """A 2-d array with ones on the ``k``-th diagonal and zeros elsewhere."""
    dt = dtypes.default_float_dtype() if dtype is None else user_dtype(dtype, "eye")
    n, m = _dims("eye", N, M)
    return convert(_diagonal_mask((n, m), operator.index(k), ew.eq_p), dt)


def identity(n: Any, dtype: Any = None) -> Array:
    """The ``n`` x ``n`` identity matrix."""
    return eye(n, dtype=dtype)


def tri(N: Any, M: Any = None, k: Any = 0, dtype: Any = None) -> Array:
    """Ones at and below the ``k``-th diagonal, zeros above."""
    dt = dtypes.default_float_dtype() if dtype is None else user_dtype(dtype, "tri")
    n, m = _dims("tri", N, M)
    return convert(_diagonal_mask((n, m), operator.index(k), ew.ge_p), dt)


# --- grids ----------------------------------------------------------------------------------

def meshgrid(*xi: Any, copy: bool = True, sparse: bool = False,
             indexing: str = "xy") -> list[Array]:
    """Coordinate grids from 1-d coordinate vectors (``'xy'`` or ``'ij'`` indexing)."""
    check_arraylike("meshgrid", *xi)
    args = [_asarray(x) for x in xi]
    if not copy:
        raise ValueError("jax.numpy.meshgrid only supports copy=True")
    if indexing not in ("xy", "ij"):
        raise ValueError(f"Valid values for indexing are 'xy' and 'ij', got {indexing}")
    if any(a.ndim != 1 for a in args):
        raise ValueError(f"Arguments to jax.numpy.meshgrid must be 1D, got shapes "
                         f"{[a.shape for a in args]}")
    swap = indexing == "xy" and len(args) >= 2
    if swap:
        args[0], args[1] = args[1], args[0]
    full_shape = tuple(a.shape[0] for a in args)
    out = []
    for i, a in enumerate(args):
        shape = tuple(a.shape[0] if j == i else 1 for j in range(len(args))) if sparse \
            else full_shape
        out.append(broadcast_in_dim_p.bind(a, shape=shape, broadcast_dimensions=(i,)))
    if swap:
        out[0], out[1] = out[1], out[0]
    return out


def indices(dimensions: Sequence[int], dtype: Any = None,
            sparse: bool = False) -> Array | tuple[Array, ...]:
    """Index grids for an array of shape ``dimensions`` (stacked, or sparse)."""
    dt = user_dtype(int if dtype is None else dtype, "indices")
    dims = tuple(operator.index(d) for d in dimensions)
    n = len(dims)
    if sparse:
        return tuple(iota_p.bind(dtype=dt, shape=(1,) * i + (d,) + (1,) * (n - i - 1),
                                 dimension=i) for i, d in enumerate(dims))
    if not dims:
        return wrap(np.zeros((0,), dt))
    from .manipulation import concatenate
    return concatenate([iota_p.bind(dtype=dt, shape=(1, *dims), dimension=i + 1)
                        for i in range(n)], axis=0)


def fromfunction(function: Callable[..., Any], shape: Any, *, dtype: Any = float,
                 **kwargs: Any) -> Any:
    """``function`` applied to index grids of ``shape`` (as ``numpy.fromfunction``).

    Coordinates are passed as broadcast index arrays, which agrees with JAX's
    ``vmap``-based construction for functions that act elementwise.
    """
    shape = canonicalize_shape(shape)
    grids = [broadcast_in_dim_p.bind(arange(s, dtype=dtype), shape=shape,
                                     broadcast_dimensions=(i,)) for i, s in enumerate(shape)]
    return function(*grids, **kwargs)



# Ranges build on the helpers above; ``axc`` always imports this module before them.
from .ranges import arange, geomspace, linspace, logspace, mgrid, ogrid

__all__ += ["arange", "fromfunction", "geomspace", "linspace", "logspace", "mgrid", "ogrid"]
