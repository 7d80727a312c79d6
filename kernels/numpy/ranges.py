"""Evenly spaced values: ``arange``, ``linspace``, ``logspace``, ``geomspace``, ``mgrid``.

Computed as JAX computes them (``iota`` scaled and shifted in the working dtype), so
float32 results agree with JAX's to the last bit or two. Counts and bounds that fix a
shape must be concrete, as in JAX.
"""
from __future__ import annotations

import operator
from typing import Any

import numpy as np

from ...runtime import dtypes
from ...runtime.array import Array, wrap
from .. import elementwise as ew
from .. import structural as st
from ..shapes import canonicalize_axis
from . import ufuncs
from .creation import meshgrid, user_dtype, zeros
from .promote import asarray, check_arraylike, convert

__all__ = ["arange", "geomspace", "linspace", "logspace", "mgrid", "ogrid"]


def _concrete(x: Any, name: str) -> Any:
    """The static value of a range bound (NumPy data for an Array, else ``x`` itself)."""
    if x is None:
        return None
    if isinstance(x, Array):
        x = np.asarray(x)  # bounds fix the output shape: a concretisation point
    elif not (dtypes.is_python_scalar(x) or isinstance(x, (np.ndarray, np.generic))):
        raise TypeError(f"arange requires ndarray or scalar arguments, got "
                        f"{type(x).__name__} for {name}.")
    if np.ndim(x) != 0:
        raise ValueError(f"jax.numpy.arange: arguments must be scalars; got {name}={x}")
    return x


def _iota(dt: np.dtype, n: int) -> Array:
    return st.iota_p.bind(dtype=dt, shape=(n,), dimension=0)


def _cast(x: Any, dt: np.dtype) -> Array:
    return convert(asarray(x), dt)


def arange(start: Any, stop: Any = None, step: Any = None, dtype: Any = None, *,
           device: Any = None) -> Array:
    """Evenly spaced values in ``[start, stop)``; int32 for integers, float32 for floats."""
    dt = None if dtype is None else user_dtype(dtype, "arange")
    start_name = "stop" if stop is None and step is None else "start"
    if start is None:
        raise TypeError(f"jax.numpy.arange: {start_name} must be a number, not None")
    args = [v for v in (start, stop, step) if v is not None]
    start = _concrete(start, start_name)
    stop, step = _concrete(stop, "stop"), _concrete(step, "step")
    given = [v for v in (start, stop, step) if v is not None]
    if dt is None:  # from the arguments themselves, so a weakly typed Array stays weak
        dt = dtypes.result_type(*args)
    if any(np.iscomplexobj(v) for v in given):
        raise ValueError("Passing complex start/stop/step to jnp.arange is no longer "
                         "supported starting in JAX v0.10.0.")
    if stop is None:
        start, stop = 0, start
    if step is not None:
        if step == 0:
            raise ZeroDivisionError("division by zero")
        # JAX steps narrow floats in float32 so that the last values do not drift.
        work = dtypes.float32 if dtypes.is_float(dt) and dt.itemsize < 4 else dt
        size = max(0, int(np.ceil((stop - start) / step)))
        ramp = ew.mul_p.bind(_cast(step, work), _iota(work, size))
        return convert(ew.add_p.bind(_cast(start, work), ramp), dt)
    if start == 0:
        return _iota(dt, max(0, int(np.ceil(stop))))
    size = max(0, int(np.ceil(stop - start)))
    return ew.add_p.bind(_cast(start, dt), _iota(dt, size))


def _to_inexact(dt: np.dtype) -> np.dtype:
    return dt if dtypes.is_inexact(dt) else dtypes.result_type(dt, float)


def _range_dtypes(name: str, start: Any, stop: Any, dtype: Any) -> tuple[np.dtype, np.dtype]:
    """The output dtype and the inexact dtype the values are computed in."""
    check_arraylike(name, start, stop)
    if dtype is None:
        dt = _to_inexact(dtypes.result_type(start, stop))
    else:
        dt = user_dtype(dtype, name)
    return dt, _to_inexact(dt)


def _bcast(x: Array, shape: tuple[int, ...]) -> Array:
    if x.shape == shape:
        return x
    dims = tuple(range(len(shape) - x.ndim, len(shape)))
    return st.broadcast_in_dim_p.bind(x, shape=shape, broadcast_dimensions=dims)


def linspace(start: Any, stop: Any, num: int = 50, endpoint: bool = True,
             retstep: bool = False, dtype: Any = None, axis: int = 0, *,
             device: Any = None) -> Array | tuple[Array, Array]:
    """``num`` evenly spaced values from ``start`` to ``stop`` (inclusive if ``endpoint``)."""
    num = operator.index(num)
    axis = operator.index(axis)
    if num < 0:
        raise ValueError(f"Number of samples, {num}, must be non-negative.")
    dt, work = _range_dtypes("linspace", start, stop, dtype)
    start, stop = convert(asarray(start), work), convert(asarray(stop), work)
    bounds = np.broadcast_shapes(start.shape, stop.shape)
    start, stop = _bcast(start, bounds), _bcast(stop, bounds)
    axis = len(bounds) + axis + 1 if axis < 0 else axis
    if not 0 <= axis <= len(bounds):
        # NumPy's AxisError is both a ValueError and (JAX's class here) an IndexError.
        raise np.exceptions.AxisError(axis, len(bounds) + 1)
    split = [*bounds[:axis], 1, *bounds[axis:]]
    div = num - 1 if endpoint else num
    if num > 1:
        delta = ufuncs.true_divide(ufuncs.subtract(stop, start), wrap(np.asarray(div, work)))
        real = np.dtype(np.finfo(work).dtype) if work.kind == "c" else work
        # start * (1 - t) + stop * t recovers both end points exactly in float32.
        t = ufuncs.true_divide(_iota(real, div), wrap(np.asarray(div, real)))
        t_shape = [1] * len(split)
        t_shape[axis] = div
        t = convert(st.reshape_p.bind(t, new_sizes=tuple(t_shape)), work)
        lo = st.reshape_p.bind(start, new_sizes=tuple(split))
        hi = st.reshape_p.bind(stop, new_sizes=tuple(split))
        one = wrap(np.asarray(1, work))
        out = ufuncs.add(ufuncs.multiply(lo, ufuncs.subtract(one, t)), ufuncs.multiply(hi, t))
        if endpoint:
            last = st.expand_dims_p.bind(stop, dimensions=(axis,))
            out = st.concatenate_p.bind(out, last, dimension=axis)
    elif num == 1:
        delta = wrap(np.asarray(np.nan, work)) if endpoint else ufuncs.subtract(stop, start)
        out = st.reshape_p.bind(start, new_sizes=tuple(split))
    else:
        delta = wrap(np.asarray(np.nan, work))
        split[axis] = 0
        out = zeros(tuple(split), dt)
    if dt.kind in "iu" and out.dtype.kind not in "iu":
        out = ufuncs.floor(out)
    out = convert(out, dt)
    return (out, delta) if retstep else out


def logspace(start: Any, stop: Any, num: int = 50, endpoint: bool = True,
             base: Any = 10.0, dtype: Any = None, axis: int = 0) -> Array:
    """``base ** linspace(start, stop, ...)``."""
    dt, work = _range_dtypes("logspace", start, stop, dtype)
    start, stop = convert(asarray(start), work), convert(asarray(stop), work)
    lin = linspace(start, stop, num, endpoint=endpoint, axis=axis)
    return convert(ufuncs.power(base, lin), dt)


def geomspace(start: Any, stop: Any, num: int = 50, endpoint: bool = True,
              dtype: Any = None, axis: int = 0) -> Array:
    """Values spaced evenly on a log scale from ``start`` to ``stop``."""
    num, axis = operator.index(num), operator.index(axis)
    dt, work = _range_dtypes("geomspace", start, stop, dtype)
    start, stop = convert(asarray(start), work), convert(asarray(stop), work)
    sign = ufuncs.sign(start)
    res = ufuncs.multiply(sign, logspace(ufuncs.log10(ufuncs.true_divide(start, sign)),
                                         ufuncs.log10(ufuncs.true_divide(stop, sign)),
                                         num, endpoint=endpoint, base=10.0, dtype=work))
    axis = canonicalize_axis(axis, res.ndim)
    if axis != 0:
        perm = (*range(1, axis + 1), 0, *range(axis + 1, res.ndim))
        res = st.transpose_p.bind(res, permutation=perm)
    return convert(res, dt)


# --- mgrid / ogrid --------------------------------------------------------------------------

def _grid_1d(s: slice) -> Array:
    start = s.start if s.start is not None else 0
    step = s.step if s.step is not None else 1
    if isinstance(step, complex) or np.iscomplexobj(step):
        return linspace(start, s.stop, int(abs(step)))
    return arange(start, s.stop, step)


class _Grid:
    """``mgrid[...]`` (dense) and ``ogrid[...]`` (sparse) index grids from slices."""

    def __init__(self, sparse: bool) -> None:
        self.sparse = sparse

    def __getitem__(self, key: slice | tuple[slice, ...]) -> Array | list[Array]:
        if isinstance(key, slice):
            return _grid_1d(key)
        grids = [_grid_1d(k) for k in key]
        if grids:
            dt = dtypes.result_type(*grids)
            grids = [convert(g, dt) for g in grids]
        out = meshgrid(*grids, indexing="ij", sparse=self.sparse)
        if self.sparse:
            return out
        if not out:
            return arange(0)
        return st.concatenate_p.bind(*[st.expand_dims_p.bind(g, dimensions=(0,)) for g in out],
                                  dimension=0)

    def __repr__(self) -> str:
        return "ogrid" if self.sparse else "mgrid"


mgrid = _Grid(sparse=False)
ogrid = _Grid(sparse=True)
