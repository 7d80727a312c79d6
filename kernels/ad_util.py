"""Helpers that AD templates share: undoing broadcasts, casts back to an operand's dtype, zeros.

They are written with primitives only, so that the AD transforms can differentiate them again
(higher-order derivatives read their source like any other function). Family modules are
imported as modules: the attributes are read at call time, so no import cycle arises.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from ..runtime.array import Array
from . import elementwise as ew
from . import reduce as red
from . import structural as st


def unbroadcast(g: Array, x: Array) -> Array:
    """``g`` (an output cotangent) summed down to ``x``'s shape and cast to ``x``'s dtype.

    The adjoint of NumPy-style broadcasting: leading axes that ``x`` lacks and axes where
    ``x`` has size 1 are summed away.
    """
    shape = np.shape(x)
    gshape = np.shape(g)
    if gshape != shape:
        lead = len(gshape) - len(shape)
        axes = tuple(range(lead)) + tuple(
            lead + i for i, n in enumerate(shape) if n == 1 and gshape[lead + i] != 1)
        if axes:
            g = red.reduce_sum_p.bind(g, axes=axes)
        if np.shape(g) != shape:
            g = st.reshape_p.bind(g, new_sizes=shape)
    return cast_like(g, x)


def cast_like(g: Array, x: Any) -> Array:
    """``g`` in ``x``'s dtype (a real cotangent of a complex operand becomes complex)."""
    dt = _dtype(x)
    if g.dtype == dt:
        return g
    if g.dtype.kind == "c" and dt.kind != "c":
        g = ew.real_p.bind(g)
        if g.dtype == dt:
            return g
    return ew.convert_element_type_p.bind(g, new_dtype=dt, weak_type=False)


def broadcast_like(t: Array, ans: Array) -> Array:
    """A tangent ``t`` broadcast to the shape of the result ``ans`` (for JVP templates)."""
    shape = np.shape(ans)
    if np.shape(t) == shape:
        return t
    nd = len(shape) - len(np.shape(t))
    return st.broadcast_in_dim_p.bind(t, shape=shape,
                                      broadcast_dimensions=tuple(range(nd, len(shape))))


def zeros_like(x: Any) -> Array:
    """Zeros with ``x``'s shape and dtype (a zero cotangent or tangent)."""
    return _full_like(x, 0)


def ones_like(x: Any) -> Array:
    """Ones with ``x``'s shape and dtype (the seed cotangent of a scalar output)."""
    return _full_like(x, 1)


def _full_like(x: Any, value: Any) -> Array:
    from ..runtime.array import wrap
    return wrap(np.full(np.shape(x), value, _dtype(x)), False)


def _dtype(x: Any) -> np.dtype:
    dt = getattr(x, "dtype", None)
    if dt is None:
        from ..runtime import dtypes
        return dtypes.canonicalize_dtype(np.result_type(x))
    return np.dtype(dt)
