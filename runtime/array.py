"""``Array``: an immutable n-d array whose buffer lives on a device.

The runtime owns the data side (buffer, dtype, weak type, device, printing, conversion to
NumPy and Python scalars). Operators, indexing and methods are installed by
``axc.kernels.numpy.array_methods`` so that they run through the primitive registry, as
``jax.numpy`` does for ``jax.Array``.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from . import dtypes
from .device import CPU, CPU_SHARDING

_IMMUTABLE_MSG = (
    "axc arrays are immutable and do not support in-place item assignment. Instead of "
    "x[idx] = y, use x = x.at[idx].set(y) or another .at[] method: "
    "https://docs.jax.dev/en/latest/_autosummary/jax.numpy.ndarray.at.html"
)


class Array:
    """An immutable array (``axc.Array``), the result of every axc operation.

    Create arrays with ``axc.numpy`` functions (``jnp.array``, ``jnp.arange``, ...), never
    with this constructor. Update them functionally with ``x.at[idx].set(y)``.
    """

    __slots__ = ("__weakref__", "_buf", "_weak")
    __array_priority__ = 100

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        raise TypeError("axc.Array cannot be constructed directly: use axc.numpy.array(...)")

    # -- data ---------------------------------------------------------------------------
    @property
    def shape(self) -> tuple[int, ...]:
        return self._buf.shape

    @property
    def dtype(self) -> np.dtype:
        return self._buf.dtype

    @property
    def ndim(self) -> int:
        return self._buf.ndim

    @property
    def size(self) -> int:
        return self._buf.size

    @property
    def itemsize(self) -> int:
        return self._buf.itemsize

    @property
    def nbytes(self) -> int:
        return self._buf.nbytes

    @property
    def weak_type(self) -> bool:
        return self._weak

    @property
    def aval(self):
        from .abstract import ShapedArray
        return ShapedArray(self.shape, self.dtype, self._weak)

    # -- placement ----------------------------------------------------------------------
    def devices(self) -> set:
        return {CPU}

    @property
    def device(self):
        return CPU

    @property
    def sharding(self):
        return CPU_SHARDING

    @property
    def is_fully_addressable(self) -> bool:
        return True

    @property
    def is_fully_replicated(self) -> bool:
        return True

    def block_until_ready(self) -> Array:
        return self

    def is_ready(self) -> bool:
        return True

    def copy_to_host_async(self) -> None:
        return None

    def is_deleted(self) -> bool:
        return False

    # -- conversion -----------------------------------------------------------------------
    def __array__(self, dtype: Any = None, copy: bool | None = None) -> np.ndarray:
        if copy:
            out = np.array(self._buf, dtype=dtype, copy=True)
        elif dtype is not None and np.dtype(dtype) != self._buf.dtype:
            if copy is False:
                raise ValueError("Unable to avoid a copy while converting the dtype")
            out = self._buf.astype(dtype)
        else:
            out = self._buf.view()
            out.flags.writeable = False
        return out

    def item(self, *args: Any) -> Any:
        return self._buf.item(*args)

    def tolist(self) -> Any:
        return self._buf.tolist()

    def __bool__(self) -> bool:
        self._check_scalar("bool")
        return bool(self._buf)

    def __int__(self) -> int:
        self._check_scalar("int")
        return int(self._buf.reshape(()))

    def __float__(self) -> float:
        self._check_scalar("float")
        return float(self._buf.reshape(()))

    def __complex__(self) -> complex:
        self._check_scalar("complex")
        return complex(self._buf.reshape(()))

    def __index__(self) -> int:
        if self._buf.dtype.kind not in "iub" or self._buf.size != 1:
            raise TypeError("only integer scalar arrays can be converted to a scalar index")
        return int(self._buf.reshape(()))

    def _check_scalar(self, kind: str) -> None:
        if self._buf.size != 1:
            raise TypeError("The truth value of an array with more than one element is "
                            "ambiguous. Use a.any() or a.all()" if kind == "bool" else
                            f"only size-1 arrays can be converted to Python {kind}, "
                            f"got shape {self.shape}")

    def __len__(self) -> int:
        if self._buf.ndim == 0:
            raise TypeError("len() of unsized object")
        return self._buf.shape[0]

    def __hash__(self):
        raise TypeError("unhashable type: 'Array'")

    def __setitem__(self, idx: Any, value: Any) -> None:
        raise TypeError(_IMMUTABLE_MSG)

    def __delitem__(self, idx: Any) -> None:
        raise TypeError(_IMMUTABLE_MSG)

    def __copy__(self) -> Array:
        return self

    def __deepcopy__(self, memo: dict) -> Array:
        return self

    def __reduce__(self):
        return (_rebuild, (np.array(self._buf), self._weak))

    def __dlpack__(self, *args: Any, **kwargs: Any):
        return self.__array__().__dlpack__(*args, **kwargs)

    def __dlpack_device__(self):
        return self._buf.__dlpack_device__()

    # -- printing -------------------------------------------------------------------------
    def __repr__(self) -> str:
        prefix = "Array("
        dtype_str = f"dtype={self.dtype.name}" + (", weak_type=True)" if self._weak else ")")
        if self.size == 0:
            body = f"[], shape={self.shape}"
        else:
            body = np.array2string(self._buf, prefix=prefix, suffix=",", separator=", ")
        width = np.get_printoptions()["linewidth"]
        last_line = len(body) - body.rfind("\n") + 1
        sep = " " if last_line + len(dtype_str) + 1 <= width else "\n" + " " * len(prefix)
        return f"{prefix}{body},{sep}{dtype_str}"

    def __str__(self) -> str:
        return str(self._buf)

    def __format__(self, spec: str) -> str:
        if self._buf.ndim == 0:
            return format(self._buf.item(), spec)
        return format(str(self), spec)


def _rebuild(buf: np.ndarray, weak: bool) -> Array:
    return wrap(buf, weak)


def wrap(buf: Any, weak: bool = False) -> Array:
    """Wrap a NumPy buffer (or scalar) that nobody else holds as an Array, without copying."""
    if type(buf) is not np.ndarray:
        buf = np.asarray(buf)
    a = object.__new__(Array)
    a._buf = buf
    a._weak = weak
    return a


def _check_int_fits(value: int, dt: np.dtype) -> None:
    info = np.iinfo(dt)
    if not info.min <= value <= info.max:
        raise OverflowError(f"Python int {value} too large to convert to {dt.name}")


def scalar_buffer(x: Any, dt: np.dtype | None = None) -> np.ndarray:
    """A 0-d buffer for a Python scalar, in ``dt`` or in its (weak) default dtype."""
    if dt is None:
        dt = dtypes.dtype(type(x), canonicalize=True)
    if type(x) is int and dt.kind in "iu":
        _check_int_fits(x, dt)
    return np.asarray(x, dtype=dt)


def _contains_arrays(x: Any) -> bool:
    if isinstance(x, Array):
        return True
    if isinstance(x, (list, tuple)):
        return any(_contains_arrays(e) for e in x)
    return False


def _unwrap_nested(x: Any) -> Any:
    if isinstance(x, Array):
        return x._buf
    if isinstance(x, (list, tuple)):
        return [_unwrap_nested(e) for e in x]
    return x


def to_buffer(x: Any, dtype: Any = None, copy: bool = True) -> tuple[np.ndarray, bool]:
    """Convert array-like ``x`` to a canonical NumPy buffer and its weak-type flag.

    Python scalars are weakly typed; NumPy float64 data becomes float32 unless x64 is on;
    object and string data are rejected.
    """
    want = None if dtype is None else dtypes.canonicalize_dtype(dtypes.dtype(dtype))
    if isinstance(x, Array):
        buf, weak = x._buf, x._weak and want is None
        if want is not None and buf.dtype != want:
            return buf.astype(want), False
        return buf, weak
    if dtypes.is_python_scalar(x):
        weak = type(x) is not bool and want is None
        return scalar_buffer(x, want), weak
    if hasattr(x, "__jax_array__"):
        return to_buffer(x.__jax_array__(), dtype, copy)
    if isinstance(x, (list, tuple)):
        return _sequence_buffer(x, want)
    if isinstance(x, (np.ndarray, np.generic)) or hasattr(x, "__array__"):
        arr = np.asarray(x)
        _check_numeric(arr)
        out = arr.astype(want if want is not None else dtypes.canonicalize_dtype(arr.dtype),
                         copy=copy)
        return out, False
    raise TypeError(f"Value {x!r} of type {type(x).__name__} is not a valid axc array type")


def _sequence_buffer(x: Any, want: np.dtype | None) -> tuple[np.ndarray, bool]:
    leaves = list(_iter_leaves(x))
    if not leaves and want is None:
        return np.zeros(np.shape(x), dtypes.default_float_dtype()), False
    if want is None:
        dt, _ = dtypes.result_type_and_weak(*leaves)
    else:
        dt = want
    for leaf in leaves:
        if type(leaf) is int and dt.kind in "iu":
            _check_int_fits(leaf, dt)
    data = _unwrap_nested(x) if _contains_arrays(x) else x
    arr = np.array(data, dtype=dt)
    _check_numeric(arr)
    return arr, False  # lists are never weakly typed, whatever their elements


def _iter_leaves(x: Any):
    if isinstance(x, (list, tuple)):
        for e in x:
            yield from _iter_leaves(e)
    elif isinstance(x, (np.ndarray, np.generic)):
        _check_numeric(np.asarray(x))
        yield np.dtype(dtypes.canonicalize_dtype(x.dtype))
    elif isinstance(x, Array) or dtypes.is_python_scalar(x):
        yield x
    else:
        arr = np.asarray(x)
        _check_numeric(arr)
        yield dtypes.canonicalize_dtype(arr.dtype)


def _check_numeric(arr: np.ndarray) -> None:
    if arr.dtype.kind in "OSUMmV" and arr.dtype != dtypes.bfloat16:
        raise TypeError(f"axc arrays hold numbers; got data of dtype {arr.dtype} "
                        f"(object, string and datetime arrays are not supported)")
    dtypes.check_supported(arr.dtype)
