"""Typed PRNG key arrays: ``key<fry>`` arrays overlaying their uint32 key data.

A ``KeyArray`` of shape ``S`` holds a uint32 ``Array`` of shape ``S + impl.key_shape`` (the
*base*; a tracer while ``jit`` stages). As JAX's ``PRNGKeyArray`` it is a pytree node whose
single child is the base, so ``jit`` passes the uint32 data as the argument and rebuilds the
key inside the staged function, and control-flow carries hold keys. Structural operations
(indexing, iteration, ``reshape``) act on the key dimensions only; arithmetic is refused.
Shape operations call methods of the base (installed by ``axc.kernels``), so this module
stays in the runtime layer.
"""
from __future__ import annotations

import math
from collections.abc import Iterator
from typing import Any, NamedTuple

import numpy as np

from .pytree import register_pytree_node


class PRNGImpl(NamedTuple):
    """A PRNG implementation: its name, the tag shown in the key dtype, the key data shape."""

    name: str
    tag: str
    key_shape: tuple[int, ...]


THREEFRY = PRNGImpl("threefry2x32", "fry", (2,))
IMPLS = {THREEFRY.name: THREEFRY}


class KeyDType:
    """The dtype of a key array, printed ``key<fry>``."""

    __slots__ = ("_impl",)

    def __init__(self, impl: PRNGImpl) -> None:
        self._impl = impl

    @property
    def name(self) -> str:
        return f"key<{self._impl.tag}>"

    @property
    def itemsize(self) -> int:
        return 4 * math.prod(self._impl.key_shape)

    def __repr__(self) -> str:
        return self.name

    __str__ = __repr__

    def __eq__(self, other: object) -> bool:
        return type(other) is KeyDType and other._impl == self._impl

    def __hash__(self) -> int:
        return hash((KeyDType, self._impl))


class KeyArray:
    """An array of PRNG keys (``jax.random.key``), backed by uint32 key data."""

    __slots__ = ("__weakref__", "_base", "_impl")
    __array_priority__ = 100
    __hash__ = None  # type: ignore[assignment]

    def __init__(self, impl: PRNGImpl, base: Any) -> None:
        self._impl = impl
        self._base = base

    # -- type -------------------------------------------------------------------------------
    @property
    def dtype(self) -> KeyDType:
        return KeyDType(self._impl)

    @property
    def shape(self) -> tuple[int, ...]:
        return tuple(self._base.shape[:len(self._base.shape) - len(self._impl.key_shape)])

    @property
    def ndim(self) -> int:
        return len(self.shape)

    @property
    def size(self) -> int:
        return math.prod(self.shape)

    @property
    def itemsize(self) -> int:
        return self.dtype.itemsize

    @property
    def nbytes(self) -> int:
        return self.size * self.itemsize

    @property
    def weak_type(self) -> bool:
        return False

    # -- placement --------------------------------------------------------------------------
    def devices(self) -> set:
        return self._base.devices()

    @property
    def device(self) -> Any:
        return self._base.device

    @property
    def sharding(self) -> Any:
        return self._base.sharding

    def block_until_ready(self) -> KeyArray:
        self._base.block_until_ready()
        return self

    def is_concrete(self) -> bool:
        """False while ``jit`` stages (the key data is then a tracer)."""
        return type(getattr(self._base, "_buf", None)) is np.ndarray

    # -- structure (on the key dimensions only) ----------------------------------------------
    def _wrap(self, base: Any) -> KeyArray:
        return KeyArray(self._impl, base)

    def __len__(self) -> int:
        if not self.shape:
            raise TypeError("len() of unsized object")
        return self.shape[0]

    def __iter__(self) -> Iterator[KeyArray]:
        if not self.shape:
            raise TypeError("iteration over a 0-d key array")
        return (self[i] for i in range(self.shape[0]))

    def __getitem__(self, idx: Any) -> KeyArray:
        idx = idx if isinstance(idx, tuple) else (idx,)
        if any(i is Ellipsis for i in idx):
            # The ellipsis must not reach into the key data dimensions.
            idx = idx + (slice(None),) * len(self._impl.key_shape)
        else:
            used = sum(np.ndim(i) if _is_bool_index(i) else (i is not None) for i in idx)
            if used > self.ndim:
                raise IndexError(f"Too many indices for key array: {used} non-None/Ellipsis "
                                 f"indices for dim {self.ndim}.")
        return self._wrap(self._base[idx])

    def reshape(self, *shape: Any, order: str = "C") -> KeyArray:
        if len(shape) == 1 and not isinstance(shape[0], int):
            shape = tuple(shape[0])
        return self._wrap(self._base.reshape(tuple(shape) + self._impl.key_shape, order=order))

    def ravel(self, order: str = "C") -> KeyArray:
        return self.reshape(-1, order=order)

    flatten = ravel

    def squeeze(self, axis: Any = None) -> KeyArray:
        if axis is None:
            axis = tuple(i for i, d in enumerate(self.shape) if d == 1)
        axes = (axis,) if isinstance(axis, int) else tuple(axis)
        axes = tuple(a % max(self.ndim, 1) for a in axes)
        for a in axes:
            if self.shape[a] != 1:
                raise ValueError(f"cannot select an axis to squeeze out which has size not "
                                 f"equal to one, got shape={self.shape} and dimensions={axes}")
        return self.reshape(tuple(d for i, d in enumerate(self.shape) if i not in axes))

    def transpose(self, *axes: Any) -> KeyArray:
        if len(axes) == 1 and not isinstance(axes[0], int):
            axes = tuple(axes[0]) if axes[0] is not None else ()
        nd = self.ndim
        perm = tuple(a % nd for a in axes) if axes else tuple(reversed(range(nd)))
        data = tuple(range(nd, nd + len(self._impl.key_shape)))
        return self._wrap(self._base.transpose(perm + data))

    @property
    def T(self) -> KeyArray:
        return self.transpose()

    def copy(self) -> KeyArray:
        return self._wrap(self._base)

    __copy__ = copy

    def __deepcopy__(self, memo: dict) -> KeyArray:
        return self

    # -- comparison (arithmetic on keys is refused, as in JAX) ---------------------------------
    def __eq__(self, other: object) -> Any:  # type: ignore[override]
        if not isinstance(other, KeyArray) or other._impl != self._impl:
            return NotImplemented
        return (self._base == other._base).all(axis=self._data_axes())

    def __ne__(self, other: object) -> Any:  # type: ignore[override]
        if not isinstance(other, KeyArray) or other._impl != self._impl:
            return NotImplemented
        return (self._base != other._base).any(axis=self._data_axes())

    def _data_axes(self) -> tuple[int, ...]:
        nd = len(self._impl.key_shape)
        return tuple(range(-nd, 0))

    # -- conversion and printing ---------------------------------------------------------------
    def __array__(self, *args: Any, **kwargs: Any) -> np.ndarray:
        raise TypeError("JAX array with PRNGKey dtype cannot be converted to a NumPy array. "
                        "Use jax.random.key_data(arr) if you wish to extract the underlying "
                        "integer array.")

    def __bool__(self) -> bool:
        raise TypeError("key array cannot be converted to boolean.")

    def __repr__(self) -> str:
        if not self.is_concrete():
            dims = ",".join(map(str, self.shape))
            return f"JitTracer<{self.dtype.name}[{dims}]>"
        return f"Array({self.shape}, dtype={self.dtype.name}) overlaying:\n{self._base}"

    __str__ = __repr__

    def __format__(self, spec: str) -> str:
        return format(repr(self), spec)

    def __reduce__(self):
        return (KeyArray, (self._impl, self._base))


def _is_bool_index(i: Any) -> bool:
    dt = getattr(i, "dtype", None)
    return dt is not None and np.ndim(i) > 0 and np.dtype(dt) == np.bool_


def _flatten(k: KeyArray) -> tuple[tuple[Any], PRNGImpl]:
    return (k._base,), k._impl


def _unflatten(impl: PRNGImpl, children: Any) -> KeyArray:
    (base,) = children
    return KeyArray(impl, base)


register_pytree_node(KeyArray, _flatten, _unflatten)
