"""Argument handling shared by ``axc.numpy``: conversion to Array and dtype promotion."""
from __future__ import annotations

from typing import Any

import numpy as np

from ...runtime import dtypes
from ...runtime.array import Array, scalar_buffer, to_buffer, wrap
from ..elementwise import convert_element_type_p


def asarray(x: Any, dtype: Any = None) -> Array:
    """``x`` as an Array (no copy for an Array of the right dtype)."""
    if type(x) is Array and dtype is None:
        return x
    if isinstance(x, Array):  # a tracer: converted through the primitive, never read
        return x if dtype is None else convert(x, dtypes.canonicalize_dtype(np.dtype(dtype)))
    buf, weak = to_buffer(x, dtype, copy=False)
    return wrap(buf, weak)


def const_like(x: Array, value: Any) -> Array:
    """A 0-d constant of ``x``'s dtype *and weak type* (JAX's ``lax._const``)."""
    return wrap(np.asarray(value, x.dtype), x.weak_type)


def strong_const(x: Array, value: Any) -> Array:
    """A strongly typed 0-d constant of ``x``'s dtype (JAX's ``_constant_like``)."""
    return wrap(np.asarray(value, x.dtype), False)


def check_arraylike(name: str, *args: Any) -> None:
    for i, a in enumerate(args):
        if not (isinstance(a, (Array, np.ndarray, np.generic)) or dtypes.is_python_scalar(a)
                or hasattr(a, "__jax_array__") or hasattr(a, "shape") and hasattr(a, "dtype")):
            msg = f"{name} requires ndarray or scalar arguments, got {type(a).__name__} at " \
                  f"position {i}."
            raise TypeError(msg)


def convert(x: Array, dt: np.dtype, weak: bool = False) -> Array:
    """``x`` converted to ``dt`` (through the primitive, so every trace sees the cast)."""
    if x.dtype == dt and x.weak_type == weak:
        return x
    return convert_element_type_p.bind(x, new_dtype=dt, weak_type=weak)


def _to_array(x: Any, dt: np.dtype, weak: bool) -> Array:
    if type(x) in (int, float, complex, bool):
        return wrap(scalar_buffer(x, dt), weak)
    if not isinstance(x, Array):
        buf, _ = to_buffer(x)
        x = wrap(buf, False)
    return convert(x, dt, weak)


def _same_arrays(args: tuple) -> bool:
    """Fast check: every arg an Array of one dtype and one weak type (nothing to promote)."""
    first = args[0]
    if type(first) is not Array:
        return False
    dt, weak = first._buf.dtype, first._weak
    for a in args[1:]:
        if type(a) is not Array or a._buf.dtype != dt or a._weak != weak:
            return False
    return True


def promote_args(name: str, *args: Any) -> list[Array]:
    """Convert ``args`` to Arrays of their common (JAX-promoted) dtype."""
    if _same_arrays(args):
        return args
    check_arraylike(name, *args)
    dt, weak = dtypes.result_type_and_weak(*args)
    return [_to_array(a, dt, weak) for a in args]


def promote_args_inexact(name: str, *args: Any) -> list[Array]:
    """As ``promote_args``, then integers and booleans become the default float type."""
    if _same_arrays(args) and args[0]._buf.dtype.kind in "fcV":
        return args
    check_arraylike(name, *args)
    dt, weak = dtypes.result_type_and_weak(*args)
    if not dtypes.is_inexact(dt):
        dt = dtypes.result_type(dt, float)
    return [_to_array(a, dt, weak) for a in args]


def promote_args_numeric(name: str, *args: Any) -> list[Array]:
    """As ``promote_args``, with booleans turned into the default integer type."""
    check_arraylike(name, *args)
    dt, weak = dtypes.result_type_and_weak(*args)
    if dt == dtypes.bool_:
        dt, weak = dtypes.default_int_dtype(), False
    return [_to_array(a, dt, weak) for a in args]


def promote_dtypes(*args: Any) -> list[Array]:
    dt, weak = dtypes.result_type_and_weak(*args)
    return [_to_array(a, dt, weak) for a in args]


# --- derivative rules: promotion is a cast per argument; its adjoint casts back ---------------

def _promote_fwd(fn):
    def fwd(name: str, *args: Any) -> tuple:
        return fn(name, *args), args
    return fwd


def _promote_bwd(args: tuple, cts: Any) -> tuple:
    """Cotangents of ``(name, *args)``: each arg's own dtype; none for Python scalars."""
    from ..ad_util import cast_like
    out = [None]
    for a, ct in zip(args, cts):
        out.append(cast_like(ct, a) if isinstance(a, Array) and ct is not None else None)
    return tuple(out)


def _promote_bwd_fwd(args: tuple, cts: Any) -> tuple:
    return _promote_bwd(args, cts), tuple(getattr(c, "dtype", None) for c in cts)


def _promote_bwd_bwd(ct_dtypes: tuple, gg: tuple) -> tuple:
    """``_promote_bwd`` is linear in ``cts``: its adjoint casts back to the promoted dtype."""
    from ..ad_util import cast_like
    out = []
    for dt, g in zip(ct_dtypes, gg[1:]):
        out.append(None if g is None or dt is None else cast_like(g, np.zeros((), dt)))
    return None, tuple(out)


_promote_bwd.__axc_vjp__ = (_promote_bwd_fwd, _promote_bwd_bwd)
for _fn in (promote_args, promote_args_inexact, promote_args_numeric):
    _fn.__axc_vjp__ = (_promote_fwd(_fn), _promote_bwd)
