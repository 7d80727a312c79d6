"""Small ``axc.numpy`` utilities: shape queries, dtype predicates, printing options."""
from __future__ import annotations

from typing import Any

import numpy as np

from ...runtime import dtypes
from ...runtime.array import Array
from .promote import asarray

__all__ = [
    "can_cast",
    "finfo",
    "get_printoptions",
    "iinfo",
    "iscomplex",
    "iscomplexobj",
    "isdtype",
    "isreal",
    "isrealobj",
    "isscalar",
    "issubdtype",
    "iterable",
    "ndim",
    "printoptions",
    "promote_types",
    "result_type",
    "set_printoptions",
    "shape",
    "size",
]

result_type = dtypes.result_type
promote_types = dtypes.promote_types
issubdtype = dtypes.issubdtype
finfo = dtypes.finfo
iinfo = dtypes.iinfo
get_printoptions = np.get_printoptions
printoptions = np.printoptions
set_printoptions = np.set_printoptions
iterable = np.iterable


def isscalar(element: Any) -> bool:
    """True for Python/NumPy scalars and 0-d arrays (as ``jax.numpy.isscalar``)."""
    if isinstance(element, Array):
        return element.ndim == 0
    return dtypes.is_python_scalar(element) or isinstance(element, np.generic)


def ndim(a: Any) -> int:
    """Number of dimensions of ``a``."""
    return a.ndim if isinstance(a, Array) else np.ndim(a)


def shape(a: Any) -> tuple[int, ...]:
    """Shape of ``a``."""
    return a.shape if isinstance(a, Array) else np.shape(a)


def size(a: Any, axis: int | None = None) -> int:
    """Number of elements of ``a`` (along ``axis`` if given)."""
    s = shape(a)
    return int(np.prod(s, dtype=np.int64)) if axis is None else s[axis]


def can_cast(from_: Any, to: Any, casting: str = "safe") -> bool:
    """Whether a cast is allowed under NumPy's ``casting`` rule."""
    return bool(np.can_cast(dtypes.dtype(from_), dtypes.dtype(to), casting))


def iscomplexobj(x: Any) -> bool:
    """True if ``x`` has a complex dtype."""
    return dtypes.dtype(x).kind == "c" if not dtypes.is_python_scalar(x) else \
        isinstance(x, complex)


def isrealobj(x: Any) -> bool:
    """True if ``x`` does not have a complex dtype."""
    return not iscomplexobj(x)


def iscomplex(x: Any) -> Array:
    """Elementwise: imaginary part nonzero."""
    from .ufuncs import imag, not_equal
    return not_equal(imag(asarray(x)), 0)


def isreal(x: Any) -> Array:
    """Elementwise: imaginary part zero."""
    from .ufuncs import equal, imag
    return equal(imag(asarray(x)), 0)


_KINDS = {
    "bool": "b", "signed integer": "i", "unsigned integer": "u", "integral": "iu",
    "real floating": "fV", "complex floating": "c", "numeric": "iufcV",
}


def isdtype(dtype: Any, kind: Any) -> bool:
    """Array-API ``isdtype``: is ``dtype`` of ``kind`` (a name, a dtype, or a tuple)."""
    dt = dtypes.dtype(dtype)
    if isinstance(kind, tuple):
        return any(isdtype(dt, k) for k in kind)
    if isinstance(kind, str):
        if kind not in _KINDS:
            raise ValueError(f"Unrecognized kind {kind!r}")
        return dt.kind in _KINDS[kind]
    return dt == dtypes.dtype(kind)
