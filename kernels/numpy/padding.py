"""``axc.numpy.pad``: every NumPy padding mode, composed as JAX composes them.

``constant`` is the ``pad`` primitive; the other modes concatenate slices, flips and
broadcasts of the array's edges, one axis at a time. Pad widths must be concrete.
"""
from __future__ import annotations

import operator
from collections.abc import Callable
from typing import Any

import numpy as np

from ...runtime.array import Array, wrap
from .. import structural as st
from . import ufuncs
from .joining import slice_in_dim
from .promote import asarray, check_arraylike, convert

__all__ = ["pad"]

_MODE_KWARGS = {
    "empty": (), "edge": (), "wrap": (), "constant": ("constant_values",),
    "linear_ramp": ("end_values",), "maximum": ("stat_length",), "mean": ("stat_length",),
    "median": ("stat_length",), "minimum": ("stat_length",), "reflect": ("reflect_type",),
    "symmetric": ("reflect_type",),
}


def _pairs(values: Any, nd: int, name: str) -> tuple[tuple[Any, Any], ...]:
    """``values`` broadcast to one ``(before, after)`` pair per axis (JAX's rules)."""
    try:
        arr = np.asarray(_static(values))
    except ValueError:
        raise TypeError(f"`{name}` entries must be the same shape: {values}") from None
    if arr.shape == (nd, 2):
        return tuple((row[0], row[1]) for row in arr)
    if arr.shape == (1, 2):
        return ((arr[0, 0], arr[0, 1]),) * nd
    if arr.shape == (2,):
        return ((arr[0], arr[1]),) * nd
    if arr.shape == (1,):
        return ((arr[0], arr[0]),) * nd
    if arr.shape == ():
        return ((arr[()], arr[()]),) * nd
    raise ValueError(f"jnp.pad: {name} with nd={nd} has unsupported shape {arr.shape}. "
                     f"Valid shapes are ({nd}, 2), (1, 2), (2,), (1,), or ().")


def _static(x: Any) -> Any:
    """Nested lists of Arrays as nested lists of their (concrete) NumPy values."""
    if isinstance(x, Array):
        return np.asarray(x)  # widths are static: a concretisation point
    if isinstance(x, (list, tuple)):
        return [_static(e) for e in x]
    return x


def _check_no_padding(widths: tuple[int, int], mode: str) -> None:
    if widths[0] > 0 or widths[1] > 0:
        raise ValueError(f"Cannot apply '{mode}' padding to empty axis")


def _stretch(edge: Array, width: int, axis: int) -> Array:
    """A size-1 slice broadcast to ``width`` along ``axis``."""
    shape = list(edge.shape)
    shape[axis] = width
    return st.broadcast_in_dim_p.bind(edge, shape=tuple(shape),
                                      broadcast_dimensions=tuple(range(edge.ndim)))


def _join(parts: list[Array], axis: int) -> Array:
    parts = [p for p in parts if p.shape[axis]] or parts[:1]
    return parts[0] if len(parts) == 1 else st.concatenate_p.bind(*parts, dimension=axis)


def _pad_constant(x: Array, widths: tuple, values: Array) -> Array:
    values = convert(values, x.dtype, x.weak_type)
    if values.ndim == 1 and values.shape[0] == 1:
        values = st.reshape_p.bind(values, new_sizes=())
    elif values.ndim == 1 and values.shape[0] != 2:
        raise ValueError(f"jnp.pad: constant_values has unsupported shape {values.shape}. If "
                         f"the shape is 1D or 2D, the last dimension must be of size 1 or 2.")
    if values.ndim == 0:
        return st.pad_p.bind(x, values, padding_config=tuple((lo, hi, 0) for lo, hi in widths))
    from .manipulation import broadcast_to
    values = broadcast_to(values, (x.ndim, 2))
    for i, (lo, hi) in enumerate(widths):
        for side, w in ((0, lo), (1, hi)):
            if w:
                config = [(0, 0, 0)] * x.ndim
                config[i] = (w, 0, 0) if side == 0 else (0, w, 0)
                v = st.slice_p.bind(values, start_indices=(i, side),
                                    limit_indices=(i + 1, side + 1), strides=None)
                v = st.reshape_p.bind(v, new_sizes=())
                x = st.pad_p.bind(x, v, padding_config=tuple(config))
    return x


def _pad_wrap(x: Array, widths: tuple) -> Array:
    for i, (lo, hi) in enumerate(widths):
        n = x.shape[i]
        if n == 0:
            _check_no_padding((lo, hi), "wrap")
            continue
        lo_reps, lo_rest = divmod(lo, n)
        hi_reps, hi_rest = divmod(hi, n)
        parts = [slice_in_dim(x, n - lo_rest, n, i)] if lo_rest else []
        parts += [x] * (lo_reps + hi_reps + 1)
        parts += [slice_in_dim(x, 0, hi_rest, i)] if hi_rest else []
        x = _join(parts, i)
    return x


def _pad_reflect(x: Array, widths: tuple, mode: str, reflect_type: str) -> Array:
    if reflect_type not in ("even", "odd"):
        raise ValueError(f"unsupported reflect_type {reflect_type!r}: use 'even' or 'odd'")
    for i, (lo, hi) in enumerate(widths):
        n = x.shape[i]
        if n == 0:
            _check_no_padding((lo, hi), mode)
            continue
        offset = 1 if mode == "reflect" and n > 1 else 0
        for before, padding in ((True, lo), (False, hi)):
            size = x.shape[i]
            edge = slice_in_dim(x, 0, 1, i) if before else slice_in_dim(x, size - 1, size, i)
            # Reflect in chunks of at most n - offset, each mirrored about the current edge.
            while padding > 0:
                size = x.shape[i]
                cur = min(padding, n - offset)
                padding -= cur
                if before:
                    chunk = slice_in_dim(x, offset, offset + cur, i)
                else:
                    stop = size if mode == "symmetric" or n == 1 else size - 1
                    chunk = slice_in_dim(x, size - cur - offset, stop, i)
                chunk = st.rev_p.bind(chunk, dimensions=(i,))
                if reflect_type == "odd":
                    chunk = ufuncs.subtract(ufuncs.multiply(2, edge), chunk)
                    if n > 1:
                        c = chunk.shape[i]
                        edge = slice_in_dim(chunk, 0, 1, i) if before else \
                            slice_in_dim(chunk, c - 1, c, i)
                x = _join([chunk, x] if before else [x, chunk], i)
    return x


def _pad_edge(x: Array, widths: tuple) -> Array:
    for i, (lo, hi) in enumerate(widths):
        n = x.shape[i]
        if n == 0:
            _check_no_padding((lo, hi), "edge")
            continue
        before = _stretch(slice_in_dim(x, 0, 1, i), lo, i)
        after = _stretch(slice_in_dim(x, n - 1, n, i), hi, i)
        x = _join([before, x, after], i)
    return x


def _pad_linear_ramp(x: Array, widths: tuple, end_values: tuple) -> Array:
    from .ranges import linspace
    for i, (lo, hi) in enumerate(widths):
        n = x.shape[i]
        first = st.squeeze_p.bind(slice_in_dim(x, 0, 1, i), dimensions=(i,))
        last = st.squeeze_p.bind(slice_in_dim(x, n - 1, n, i), dimensions=(i,))
        before = linspace(end_values[i][0], first, lo, endpoint=False, dtype=x.dtype, axis=i)
        after = linspace(end_values[i][1], last, hi, endpoint=False, dtype=x.dtype, axis=i)
        before = convert(before, x.dtype, x.weak_type)
        after = st.rev_p.bind(convert(after, x.dtype, x.weak_type), dimensions=(i,))
        x = _join([before, x, after], i)
    return x


def _pad_stats(x: Array, widths: tuple, stat_length: tuple | None,
               stat: Callable[..., Array]) -> Array:
    for i, (lo, hi) in enumerate(widths):
        n = x.shape[i]
        if stat_length is None:
            s_before = s_after = stat(x, axis=i, keepdims=True)
        else:
            len_before, len_after = (operator.index(v) for v in stat_length[i])
            if len_before == 0 or len_after == 0:
                raise ValueError("stat_length of 0 yields no value for padding")
            len_before, len_after = min(len_before, n), min(len_after, n)
            s_before = stat(slice_in_dim(x, 0, len_before, i), axis=i, keepdims=True)
            s_after = stat(slice_in_dim(x, n - len_after, n, i), axis=i, keepdims=True)
        if x.dtype.kind in "iu":
            s_before, s_after = ufuncs.round(s_before), ufuncs.round(s_after)
        s_before = convert(s_before, x.dtype, x.weak_type)
        s_after = convert(s_after, x.dtype, x.weak_type)
        x = _join([_stretch(s_before, lo, i), x, _stretch(s_after, hi, i)], i)
    return x


def pad(array: Any, pad_width: Any, mode: str = "constant", **kwargs: Any) -> Array:
    """Pad ``array`` with ``pad_width`` entries before and after each axis.

    Modes are NumPy's: ``constant`` (``constant_values``), ``edge``, ``wrap``, ``reflect``
    and ``symmetric`` (``reflect_type``), ``linear_ramp`` (``end_values``), ``maximum``,
    ``minimum``, ``mean``, ``median`` (``stat_length``) and ``empty`` (zeros).
    """
    check_arraylike("pad", array)
    x = asarray(array)
    widths = _pairs(pad_width, x.ndim, "pad_width")
    try:
        widths = tuple((operator.index(lo), operator.index(hi)) for lo, hi in widths)
    except TypeError:
        raise TypeError("`pad_width` must be of integral type.") from None
    if callable(mode):
        raise NotImplementedError("jnp.pad with a callable mode is not supported by axc.")
    if mode not in _MODE_KWARGS:
        raise NotImplementedError(f"Unimplemented padding mode '{mode}' for np.pad.")
    unsupported = set(kwargs) - set(_MODE_KWARGS[mode])
    if unsupported:
        raise ValueError(f"unsupported keyword arguments for mode '{mode}': {unsupported}")
    if x.ndim == 0:
        return x
    if any(lo < 0 or hi < 0 for lo, hi in widths):
        raise ValueError("index can't contain negative values")
    if mode == "constant":
        values = kwargs.get("constant_values", 0)
        return _pad_constant(x, widths, asarray(values))
    if mode == "empty":
        return _pad_constant(x, widths, wrap(np.zeros((), x.dtype)))
    if mode == "wrap":
        return _pad_wrap(x, widths)
    if mode in ("reflect", "symmetric"):
        return _pad_reflect(x, widths, mode, kwargs.get("reflect_type", "even"))
    if mode == "edge":
        return _pad_edge(x, widths)
    if mode == "linear_ramp":
        return _pad_linear_ramp(x, widths, _pairs(kwargs.get("end_values", 0), x.ndim,
                                                  "end_values"))
    from . import reductions
    stat = {"maximum": reductions.max, "minimum": reductions.min, "mean": reductions.mean,
            "median": reductions.median}[mode]
    length = kwargs.get("stat_length")
    return _pad_stats(x, widths, None if length is None else
                      _pairs(length, x.ndim, "stat_length"), stat)

