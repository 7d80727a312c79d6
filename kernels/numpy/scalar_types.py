"""Scalar type objects (``axc.numpy.float32`` ...): usable as dtypes and as constructors.

As in JAX, ``jnp.float32(2)`` returns a 0-d ``Array`` rather than a NumPy scalar, while
``jnp.dtype(jnp.float32)`` and ``x.astype(jnp.float32)`` see the NumPy dtype.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from ...runtime import dtypes
from .promote import asarray


class _ScalarMeta(type):
    dtype: np.dtype

    def __call__(cls, x: Any = 0) -> Any:
        return asarray(x, dtype=cls.dtype)

    def __eq__(cls, other: object) -> bool:
        return cls is other or other is cls.dtype.type

    def __ne__(cls, other: object) -> bool:
        return not cls == other

    def __hash__(cls) -> int:
        return hash(cls.dtype.type)

    def __instancecheck__(cls, instance: Any) -> bool:
        return isinstance(instance, cls.dtype.type)

    def __repr__(cls) -> str:
        return f"<class 'axc.numpy.{cls.__name__}'>"


def _scalar_type(name: str, dt: np.dtype) -> type:
    return _ScalarMeta(name, (object,), {"dtype": np.dtype(dt), "__module__": "axc.numpy"})


bool_ = _scalar_type("bool", dtypes.bool_)
int8, int16, int32, int64 = (_scalar_type(n, getattr(dtypes, n))
                             for n in ("int8", "int16", "int32", "int64"))
uint8, uint16, uint32, uint64 = (_scalar_type(n, getattr(dtypes, n))
                                 for n in ("uint8", "uint16", "uint32", "uint64"))
float16, float32, float64 = (_scalar_type(n, getattr(dtypes, n))
                             for n in ("float16", "float32", "float64"))
complex64, complex128 = (_scalar_type(n, getattr(dtypes, n)) for n in ("complex64",
                                                                       "complex128"))
bfloat16 = _scalar_type("bfloat16", dtypes.bfloat16) if dtypes.bfloat16 is not None else None

# The default-width aliases, as jax.numpy spells them.
int_, uint, float_, complex_ = int64, uint64, float64, complex128
single, double, csingle, cdouble = float32, float64, complex64, complex128
half = float16
