"""Parse a NumPy index expression (``x[idx]``) into an ``IndexTemplate`` and index arrays.

This follows ``jax._src.numpy.indexing``: a bare list is rejected (use a tuple or an array),
boolean masks become integer index arrays (so they need concrete values), scalar booleans
add an axis, ``...`` expands, and the placement of the advanced-index block follows NumPy
(in front when the advanced indices are not adjacent; ``None`` and ``...`` count as
separators). Everything here works on static structure; index data stays in Arrays.
"""
from __future__ import annotations

import itertools
import operator
from collections.abc import Sequence
from typing import Any

import numpy as np

from ...runtime import dtypes
from ...runtime.array import Array
from ...runtime.errors import (
    ConcretizationTypeError,
    NonConcreteBooleanIndexError,
    TracerArrayConversionError,
)
from ..indexing import IndexTemplate
from .promote import asarray

_LIST_MSG = ("Using a non-tuple sequence for multidimensional indexing is not allowed; use "
             "`arr[{}(seq)]` instead of `arr[seq]`. See "
             "https://github.com/jax-ml/jax/issues/4564 for more information.")


def _as_tuple(idx: Any) -> tuple:
    if isinstance(idx, tuple):
        return idx
    if isinstance(idx, Sequence) and not isinstance(idx, (Array, np.ndarray, str)):
        unpack = any(isinstance(i, (Sequence, slice)) and not isinstance(i, str) or
                     i is None or i is Ellipsis or
                     isinstance(i, (np.ndarray, Array)) and np.ndim(i) != 0 for i in idx)
        raise TypeError(_LIST_MSG.format("tuple" if unpack else "array"))
    return (idx,)


def _bad_dtype(dt: Any) -> TypeError:
    return TypeError(f"Indexer must have integer or boolean type, got indexer with type {dt}")


def _classify(i: Any) -> tuple[str, Any]:
    """``(kind, value)`` with kind one of none, ellipsis, slice, int, bool, mask, array."""
    if i is None:
        return "none", None
    if i is Ellipsis:
        return "ellipsis", None
    if isinstance(i, slice):
        return "slice", i
    if isinstance(i, (bool, np.bool_)):
        return "bool", bool(i)
    if isinstance(i, (int, np.integer)):
        return "int", int(i)
    if isinstance(i, str):
        raise TypeError(f"JAX does not support string indexing; got idx={i!r}")
    if hasattr(i, "shape") and hasattr(i, "dtype"):  # arrays, NumPy scalars, traced values
        dt = np.dtype(i.dtype)
        if dt == dtypes.bool_:
            return "mask", i
        if dt.kind in "iu":
            return "array", i
        raise _bad_dtype(dt)
    if isinstance(i, Sequence):
        if len(i) == 0:  # an empty list would default to float
            return "array", np.zeros((0,), dtypes.default_int_dtype())
        arr = asarray(i)
        if arr.dtype == dtypes.bool_:
            return "mask", arr
        if arr.dtype.kind in "iu":
            return "array", arr
        raise _bad_dtype(arr.dtype)
    if isinstance(i, (float, complex, np.generic)):
        raise _bad_dtype(np.dtype(type(i)))
    raise IndexError("only integers, slices (`:`), ellipsis (`...`), newaxis (`None`) and "
                     f"integer or boolean arrays are valid indices. Got {i}")


def _concrete_mask(mask: Any) -> np.ndarray:
    try:
        return np.asarray(mask)
    except (ConcretizationTypeError, TracerArrayConversionError) as err:
        shape = ",".join(map(str, np.shape(mask._buf)))
        raise NonConcreteBooleanIndexError(
            f"Array boolean indices must be concrete; got bool[{shape}]\n\nSee "
            f"https://docs.jax.dev/en/latest/errors.html#jax.errors.NonConcreteBooleanIndexError"
            f"\n{str(err).split(chr(10), 1)[-1]}") from err


def _slice_bound(v: Any) -> int | None:
    if v is None:
        return None
    try:
        return operator.index(v)
    except TypeError:
        raise TypeError(f"slice indices must be static integers or None, got {v!r}") from None


def _normalize_slice(s: slice, size: int) -> tuple:
    step = _slice_bound(s.step)
    if step == 0:
        raise ValueError("slice step cannot be zero")
    start, stop, step = slice(_slice_bound(s.start), _slice_bound(s.stop), step).indices(size)
    return ("slice", start, stop, step)


def _expand_masks(items: list[tuple[str, Any]], shape: tuple[int, ...],
                  ) -> list[tuple[str, Any]]:
    out, axis = [], 0
    for position, (kind, value) in enumerate(items):
        if kind == "mask":
            m = _concrete_mask(value)
            if m.ndim == 0:
                out.append(("bool", bool(m)))
                continue
            expected = list(shape[axis:axis + m.ndim])
            if len(expected) < m.ndim or not all(s in (0, e) for s, e in zip(m.shape, expected)):
                raise IndexError(f"boolean index did not match shape of indexed array in index "
                                 f"{position}: got {m.shape}, expected {expected}")
            out.extend(("array", np.asarray(nz, dtypes.default_int_dtype()))
                       for nz in np.nonzero(m))
            axis += m.ndim
        else:
            out.append((kind, value))
            axis += kind in ("slice", "int", "array")
    return out


def parse_index(idx: Any, shape: tuple[int, ...]) -> tuple[IndexTemplate, list[Array]]:
    """The ``IndexTemplate`` and integer index Arrays for ``x[idx]`` on an array of ``shape``.

    Raises JAX's errors: ``IndexError`` for too many indices, several ellipses, masks of the
    wrong shape or invalid index objects; ``TypeError`` for float, string or list indices.
    """
    items = [_classify(i) for i in _as_tuple(idx)]
    if sum(kind == "ellipsis" for kind, _ in items) > 1:
        raise IndexError("an index can only have a single ellipsis ('...')")
    consumed = sum(np.ndim(v) if kind == "mask" else kind in ("slice", "int", "array")
                   for kind, v in items)
    if consumed > len(shape):
        raise IndexError(f"Too many indices: array is {len(shape)}-dimensional, but "
                         f"{consumed} were indexed")
    items = _expand_masks(items, shape)
    # NumPy's rule, as JAX applies it: the advanced block goes in front unless the integer
    # and array indices are adjacent (None and ... separate them; scalar booleans do not).
    positions = [p for p, (kind, _) in enumerate(items) if kind in ("int", "array")]
    advanced_first = any(b - a != 1 for a, b in itertools.pairwise(positions))
    entries: list[tuple] = []
    arrays: list[Array] = []
    axis = 0
    for kind, value in items:
        if kind == "ellipsis":
            for _ in range(len(shape) - consumed):
                entries.append(("slice", 0, shape[axis], 1))
                axis += 1
        elif kind == "none":
            entries.append(("newaxis",))
        elif kind == "bool":
            entries.append(("bool", value))
        elif kind == "slice":
            entries.append(_normalize_slice(value, shape[axis]))
            axis += 1
        elif kind == "int":
            entries.append(("int", value))
            axis += 1
        else:
            entries.append(("array", len(arrays)))
            arrays.append(asarray(value) if isinstance(value, np.ndarray) else value)
            axis += 1
    while axis < len(shape):
        entries.append(("slice", 0, shape[axis], 1))
        axis += 1
    return IndexTemplate(tuple(entries), advanced_first), arrays


def is_full_slice(template: IndexTemplate, shape: tuple[int, ...]) -> bool:
    """True when the template selects the whole array unchanged (``x[...]``, ``x[:]``)."""
    return all(e[0] == "slice" and e[1:] == (0, n, 1)
               for e, n in zip(template.entries, shape)) and len(template.entries) == len(shape)
