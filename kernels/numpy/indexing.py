"""axc.numpy indexing: ``x[idx]`` and ``x.at[idx].<op>(...)``, plus the index functions.

Out-of-bounds semantics are JAX's: gathers (``x[idx]``, ``.at[].get()``) clamp by default;
updates drop out-of-bounds indices by default; negative indices wrap once. ``take``,
``nonzero`` and the other index functions live in ``index_funcs`` and ``index_tricks`` and
are re-exported here.
"""
from __future__ import annotations

import math
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np

from ...runtime import dtypes
from ...runtime.array import Array
from .. import elementwise as ew
from ..indexing import index_p, index_update_p, indexed_shape
from ..reduce import reduce_max_p
from ..structural import broadcast_in_dim_p
from .index_expr import is_full_slice, parse_index
from .promote import asarray, const_like, convert

__all__ = [
    "argwhere",
    "choose",
    "compress",
    "diag_indices",
    "diag_indices_from",
    "extract",
    "flatnonzero",
    "ix_",
    "nonzero",
    "place",
    "put",
    "put_along_axis",
    "ravel_multi_index",
    "select",
    "take",
    "take_along_axis",
    "tril_indices",
    "tril_indices_from",
    "triu_indices",
    "triu_indices_from",
    "unravel_index",
]

# User-facing modes -> the primitives' modes. JAX's default (promise_in_bounds) clamps
# gathers and drops out-of-bounds updates on every backend we mirror.
GATHER_MODES = {"promise_in_bounds": "clip", "clip": "clip", "fill": "fill", "drop": "fill",
                "fill_or_drop": "fill"}
SCATTER_MODES = {"promise_in_bounds": "drop", "clip": "clip", "fill": "drop", "drop": "drop",
                 "fill_or_drop": "drop"}


def parse_mode(mode: Any, table: dict[str, str]) -> str:
    """The primitive mode for a user ``mode`` (None, a string or a GatherScatterMode)."""
    if mode is None:
        return table["promise_in_bounds"]
    key = str(getattr(mode, "name", mode)).lower()  # also lax.GatherScatterMode members
    if key not in table:
        raise ValueError(f'Unknown gather mode "{mode}"')
    return table[key]


def fill_scalar(fill_value: Any) -> Any:
    """``fill_value`` as a static Python scalar (None stays None)."""
    if fill_value is None:
        return None
    if np.ndim(fill_value) != 0:
        raise ValueError("fill_value argument to indexed get() must be a scalar")
    return np.asarray(fill_value).item()


def getitem(x: Any, idx: Any, *, mode: Any = None, fill_value: Any = None,
            wrap_negative_indices: bool = True) -> Array:
    """``x[idx]`` with NumPy's indexing rules and JAX's out-of-bounds handling.

    Out-of-bounds integer indices are clamped (``mode="clip"``, the default) or give
    ``fill_value`` (``mode="fill"``: NaN, the dtype's minimum/maximum, or True by default).
    Boolean masks need concrete values: the result's shape depends on them.
    """
    x = asarray(x)
    template, arrays = parse_index(idx, x.shape)
    if not arrays and is_full_slice(template, x.shape):
        return x
    return index_p.bind(x, *arrays, template=template, mode=parse_mode(mode, GATHER_MODES),
                        fill_value=fill_scalar(fill_value),
                        normalize=bool(wrap_negative_indices))


def _safe_to_cast(y: Array, dt: np.dtype) -> bool:
    return y.dtype == dt or dtypes.result_type(y, dt) == dt


def _values(x: Array, values: Any) -> Array:
    # A Python int that fits takes the operand's dtype, as JAX's _scatter_update does.
    if type(values) is int and x.dtype.kind in "iu":
        info = np.iinfo(x.dtype)
        if info.min <= values <= info.max:
            return asarray(values, dtype=x.dtype)
    return asarray(values)


def _full_like(x: Array, value: Any) -> Array:
    return broadcast_in_dim_p.bind(const_like(x, value), shape=x.shape, broadcast_dimensions=())


def scatter_update(x: Any, idx: Any, values: Any, op: str, *, mode: Any = None,
                   wrap_negative_indices: bool = True) -> Array:
    """``x[idx] op= values`` as a new array (``op``: set, add, sub, mul, min, max).

    As JAX: ``x`` and ``values`` are promoted together, combined, and the result is cast
    back to ``x``'s dtype and weak type; repeated indices accumulate (last wins for set).
    """
    x = asarray(x)
    y = _values(x, values)
    template, arrays = parse_index(idx, x.shape)
    if math.prod(indexed_shape(template, x.shape, [a.shape for a in arrays])) == 0:
        return x
    if not _safe_to_cast(y, x.dtype):
        warnings.warn(f"scatter inputs have incompatible types: cannot safely cast value from "
                      f"dtype={y.dtype} to dtype={x.dtype} with "
                      f"jax_numpy_dtype_promotion=standard. In future JAX releases this will "
                      f"result in an error.", FutureWarning, stacklevel=4)
    dt, weak = dtypes.result_type_and_weak(x, y)
    xp, yp = convert(x, dt, weak), convert(y, dt, weak)
    if op == "sub":  # x - y == x + (-y) in IEEE and in wrapping integer arithmetic
        if dt == dtypes.bool_:
            raise TypeError("sub does not accept dtype bool at position 0. Accepted dtypes at "
                            "position 0 are subtypes of integer, floating, complexfloating.")
        op, yp = "add", ew.neg_p.bind(yp)
    out = index_update_p.bind(xp, yp, *arrays, template=template, op=op,
                              mode=parse_mode(mode, SCATTER_MODES),
                              normalize=bool(wrap_negative_indices))
    return convert(out, x.dtype, x.weak_type)


class _IndexUpdateRef:
    """``x.at[idx]``: methods return updated copies of ``x`` (see ``IndexUpdateHelper``)."""

    __slots__ = ("array", "index")

    def __init__(self, array: Array, index: Any) -> None:
        self.array = array
        self.index = index

    def __repr__(self) -> str:
        return f"_IndexUpdateRef({self.array!r}, {self.index!r})"

    def get(self, *, indices_are_sorted: bool = False, unique_indices: bool = False,
            mode: Any = None, fill_value: Any = None,
            wrap_negative_indices: bool = True) -> Array:
        """``x[idx]``, with ``mode`` and ``fill_value`` for out-of-bounds indices."""
        return getitem(self.array, self.index, mode=mode, fill_value=fill_value,
                       wrap_negative_indices=wrap_negative_indices)

    def _update(self, values: Any, op: str, mode: Any, wrap: bool) -> Array:
        return scatter_update(self.array, self.index, values, op, mode=mode,
                              wrap_negative_indices=wrap)

    def set(self, values: Any, *, indices_are_sorted: bool = False,
            unique_indices: bool = False, mode: Any = None,
            wrap_negative_indices: bool = True) -> Array:
        """``x[idx] = values``."""
        return self._update(values, "set", mode, wrap_negative_indices)

    def add(self, values: Any, *, indices_are_sorted: bool = False,
            unique_indices: bool = False, mode: Any = None,
            wrap_negative_indices: bool = True) -> Array:
        """``x[idx] += values`` (repeated indices accumulate)."""
        return self._update(values, "add", mode, wrap_negative_indices)

    def subtract(self, values: Any, *, indices_are_sorted: bool = False,
                 unique_indices: bool = False, mode: Any = None,
                 wrap_negative_indices: bool = True) -> Array:
        """``x[idx] -= values``."""
        return self._update(values, "sub", mode, wrap_negative_indices)

    def multiply(self, values: Any, *, indices_are_sorted: bool = False,
                 unique_indices: bool = False, mode: Any = None,
                 wrap_negative_indices: bool = True) -> Array:
        """``x[idx] *= values``."""
        return self._update(values, "mul", mode, wrap_negative_indices)

    mul = multiply

    def divide(self, values: Any, *, indices_are_sorted: bool = False,
               unique_indices: bool = False, mode: Any = None,
               wrap_negative_indices: bool = True) -> Array:
        """``x[idx] /= values``: ``x / ones.at[idx].multiply(values)``, as JAX (so integer
        ``x`` gives a floating result)."""
        from .ufuncs import true_divide
        x = asarray(self.array)
        denom = scatter_update(_full_like(x, 1), self.index, values, "mul", mode=mode,
                               wrap_negative_indices=wrap_negative_indices)
        return true_divide(x, denom)

    def power(self, values: Any, *, indices_are_sorted: bool = False,
              unique_indices: bool = False, mode: Any = None,
              wrap_negative_indices: bool = True) -> Array:
        """``x[idx] **= values``: ``x ** ones.at[idx].multiply(values)``, as JAX."""
        from .ufuncs import power
        x = asarray(self.array)
        exponent = scatter_update(_full_like(x, 1), self.index, values, "mul", mode=mode,
                                  wrap_negative_indices=wrap_negative_indices)
        return power(x, exponent)

    def min(self, values: Any, *, indices_are_sorted: bool = False,
            unique_indices: bool = False, mode: Any = None,
            wrap_negative_indices: bool = True) -> Array:
        """``x[idx] = minimum(x[idx], values)``."""
        return self._update(values, "min", mode, wrap_negative_indices)

    def max(self, values: Any, *, indices_are_sorted: bool = False,
            unique_indices: bool = False, mode: Any = None,
            wrap_negative_indices: bool = True) -> Array:
        """``x[idx] = maximum(x[idx], values)``."""
        return self._update(values, "max", mode, wrap_negative_indices)

    def apply(self, func: Callable[[Array], Array], *, indices_are_sorted: bool = False,
              unique_indices: bool = False, mode: Any = None,
              wrap_negative_indices: bool = True) -> Array:
        """``func.at(x, idx)`` for an elementwise ``func``: applied once per occurrence of
        an index (so twice where an index repeats).

        With integer-array indices the number of repetitions must be concrete.
        """
        from .ufuncs import greater_equal, where
        x = asarray(self.array)
        zeros = broadcast_in_dim_p.bind(asarray(0, dtypes.int32), shape=x.shape,
                                        broadcast_dimensions=())
        counts = scatter_update(zeros, self.index, asarray(1, dtypes.int32), "add", mode=mode,
                                wrap_negative_indices=wrap_negative_indices)
        _, arrays = parse_index(self.index, x.shape)
        # Static indices never repeat; array indices may, and then the count must be concrete.
        repeats = 1 if not arrays or x.size == 0 else \
            int(reduce_max_p.bind(counts, axes=tuple(range(x.ndim))))
        out = x
        for j in range(1, repeats + 1):
            applied = asarray(func(out))
            if applied.dtype != x.dtype or applied.shape != x.shape:
                raise TypeError(f"at[].apply requires func to map {x.aval} to the same shape "
                                f"and dtype, got {applied.aval}")
            out = where(greater_equal(counts, j), applied, out)
        return convert(out, x.dtype, x.weak_type)


class IndexUpdateHelper:
    """``x.at``: functionally pure indexed updates, ``x.at[idx].set(y)`` and friends.

    ==============================  ================================
    ``x.at[idx].set(y)``            ``x[idx] = y``
    ``x.at[idx].add(y)``            ``x[idx] += y``
    ``x.at[idx].subtract(y)``       ``x[idx] -= y``
    ``x.at[idx].multiply(y)``       ``x[idx] *= y``
    ``x.at[idx].divide(y)``         ``x[idx] /= y``
    ``x.at[idx].power(y)``          ``x[idx] **= y``
    ``x.at[idx].min(y)``            ``x[idx] = minimum(x[idx], y)``
    ``x.at[idx].max(y)``            ``x[idx] = maximum(x[idx], y)``
    ``x.at[idx].apply(ufunc)``      ``ufunc.at(x, idx)``
    ``x.at[idx].get()``             ``x[idx]``
    ==============================  ================================

    Each returns a new array. Repeated indices all apply. Updates drop out-of-bounds
    indices by default (``mode="drop"``; ``"clip"`` clamps); ``get`` clamps by default
    (``mode="fill"`` returns ``fill_value``).
    """

    __slots__ = ("array",)

    def __init__(self, array: Array) -> None:
        self.array = array

    def __getitem__(self, index: Any) -> _IndexUpdateRef:
        return _IndexUpdateRef(self.array, index)

    def __repr__(self) -> str:
        return f"_IndexUpdateHelper({self.array!r})"


# Last: index_funcs builds on getitem and scatter_update above.
from .index_funcs import (
    argwhere,
    compress,
    extract,
    flatnonzero,
    nonzero,
    place,
    put,
    put_along_axis,
    take,
    take_along_axis,
)
from .index_tricks import (
    choose,
    diag_indices,
    diag_indices_from,
    ix_,
    ravel_multi_index,
    select,
    tril_indices,
    tril_indices_from,
    triu_indices,
    triu_indices_from,
    unravel_index,
)
