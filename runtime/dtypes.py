"""JAX's dtype rules: canonical 32-bit defaults, weak types and the promotion lattice.

The lattice and the join are JAX's (``jax._src.dtypes``): Python scalars are *weak* types
(``i*``, ``f*``, ``c*``) that yield to any array dtype of their kind or above, and integer
types meet floats at ``f*`` instead of widening to float64.
"""
from __future__ import annotations

import functools
from typing import Any

import numpy as np

from .config import config

try:  # NumPy-compatible bfloat16 and friends, maintained by the JAX team.
    import ml_dtypes as _ml_dtypes
except ImportError:  # pragma: no cover - exercised only without the optional extra
    _ml_dtypes = None

bool_ = np.dtype(np.bool_)
int8, int16, int32, int64 = (np.dtype(t) for t in (np.int8, np.int16, np.int32, np.int64))
uint8, uint16, uint32, uint64 = (np.dtype(t) for t in (np.uint8, np.uint16, np.uint32,
                                                       np.uint64))
float16, float32, float64 = (np.dtype(t) for t in (np.float16, np.float32, np.float64))
complex64, complex128 = np.dtype(np.complex64), np.dtype(np.complex128)
bfloat16 = np.dtype(_ml_dtypes.bfloat16) if _ml_dtypes is not None else None

_SUPPORTED = {bool_, int8, int16, int32, int64, uint8, uint16, uint32, uint64,
              float16, float32, float64, complex64, complex128}
if bfloat16 is not None:
    _SUPPORTED.add(bfloat16)

# 64-bit -> 32-bit when x64 is off.
_CANONICAL_32 = {int64: int32, uint64: uint32, float64: float32, complex128: complex64}

# Weak (Python scalar) lattice nodes. Strings, not the Python types, because
# ``np.dtype("int64") == int`` is True and would confuse set and dict lookups.
I_WEAK, F_WEAK, C_WEAK = "i*", "f*", "c*"
_WEAK_KIND = {"i": I_WEAK, "u": I_WEAK, "f": F_WEAK, "c": C_WEAK, "V": F_WEAK}
_WEAK_NODES = {I_WEAK: int, F_WEAK: float, C_WEAK: complex}
_weak_types = (int, float, complex)


def _lattice(x64: bool) -> dict[Any, list[Any]]:
    b1, i_, f_, c_ = bool_, I_WEAK, F_WEAK, C_WEAK
    edges: dict[Any, list[Any]] = {
        b1: [i_],
        i_: [uint8, int8],
        uint8: [int16, uint16], uint16: [int32, uint32], uint32: [int64, uint64],
        uint64: [f_],
        int8: [int16], int16: [int32], int32: [int64], int64: [f_],
        f_: [float16, float32, c_] if bfloat16 is None else [bfloat16, float16, c_],
        float16: [float32], float32: [float64, complex64], float64: [complex128],
        c_: [complex64], complex64: [complex128], complex128: [],
    }
    if bfloat16 is not None:
        edges[bfloat16] = [float32]
    if not x64:
        # Without x64 no promotion may create a 64-bit type from 32-bit inputs:
        # uint32 with a signed integer meets at int32 (JAX's x32 lattice).
        edges[uint32] = [int32, uint64]
    return edges


def _upper_bounds(edges: dict[Any, list[Any]]) -> dict[Any, frozenset]:
    """For each node, the set of nodes reachable from it (itself included)."""
    ub: dict[Any, frozenset] = {}

    def visit(n):
        if n not in ub:
            ub[n] = frozenset({n}).union(*(visit(m) for m in edges[n]))
        return ub[n]

    for node in edges:
        visit(node)
    return ub


_UPPER = {x64: _upper_bounds(_lattice(x64)) for x64 in (False, True)}


def _join(nodes) -> Any:
    """Least upper bound of lattice nodes (JAX's ``_least_upper_bound``)."""
    upper = _UPPER[config.x64_enabled]
    nodes = set(nodes)
    common = frozenset.intersection(*(upper[n] for n in nodes))
    for candidate in common:
        if upper[candidate] == common:
            return candidate
    raise TypeError(f"No promotion path for {sorted(map(str, nodes))}")  # pragma: no cover


# --- defaults and canonicalisation ----------------------------------------------------------

def default_int_dtype() -> np.dtype:
    return int64 if config.x64_enabled else int32


def default_uint_dtype() -> np.dtype:
    return uint64 if config.x64_enabled else uint32


def default_float_dtype() -> np.dtype:
    return float64 if config.x64_enabled else float32


def default_complex_dtype() -> np.dtype:
    return complex128 if config.x64_enabled else complex64


def _python_scalar_dtype(t: type) -> np.dtype:
    if t is bool:
        return bool_
    if t is int:
        return default_int_dtype()
    if t is float:
        return default_float_dtype()
    if t is complex:
        return default_complex_dtype()
    raise TypeError(f"{t} is not a Python scalar type")


def canonicalize_dtype(dt: Any) -> np.dtype:
    """The dtype axc stores for ``dt``: 64-bit types become 32-bit unless x64 is on."""
    dt = np.dtype(dt)
    if dt not in _SUPPORTED:
        raise TypeError(f"axc does not support dtype {dt}: use a boolean, integer, "
                        f"floating or complex dtype (object and string arrays are not arrays "
                        f"of numbers)")
    if config.x64_enabled:
        return dt
    return _CANONICAL_32.get(dt, dt)


def dtype(x: Any, *, canonicalize: bool = False) -> np.dtype:
    """``axc.numpy.dtype``-like conversion of a dtype spec, scalar type or value to a dtype."""
    if x is None:
        raise TypeError("dtype must be specified, got None")
    if isinstance(x, type) and x in (bool, int, float, complex):
        dt = _python_scalar_dtype(x)
    elif isinstance(x, (bool, int, float, complex)) and not isinstance(x, np.generic):
        dt = _python_scalar_dtype(type(x))
    elif isinstance(x, type) and issubclass(x, np.generic):
        dt = np.dtype(x)
    elif isinstance(x, str) and x == "bfloat16" and bfloat16 is not None:
        dt = bfloat16
    elif hasattr(x, "dtype") and not isinstance(x, (type, np.dtype)):
        dt = np.dtype(x.dtype)
    else:
        dt = np.dtype(getattr(x, "dtype", x))
    return canonicalize_dtype(dt) if canonicalize else dt


def is_python_scalar(x: Any) -> bool:
    return type(x) in (bool, int, float, complex)


def is_weakly_typed(x: Any) -> bool:
    if type(x) in _weak_types:
        return True
    return bool(getattr(x, "weak_type", False))


def _node(dt: np.dtype, weak: bool) -> Any:
    if weak and dt != bool_:
        return _WEAK_KIND[dt.kind]
    return dt


@functools.lru_cache(maxsize=4096)
def _lattice_result(dtypes: tuple, weaks: tuple, x64: bool) -> tuple[np.dtype, bool]:
    if len(set(dtypes)) == 1 and not all(weaks):
        return dtypes[0], False
    if all(weaks):
        out = _join({_node(d, False) for d in dtypes})
        weak = True
    else:
        out = _join({_node(d, w) for d, w in zip(dtypes, weaks)})
        weak = isinstance(out, str)
    if isinstance(out, str):
        out = _python_scalar_dtype(_WEAK_NODES[out])
    return out, weak


def _dtype_and_weak(x: Any) -> tuple[np.dtype, bool]:
    t = type(x)
    if t in (int, float, complex):
        return _python_scalar_dtype(t), True
    if t is bool:
        return bool_, False
    if isinstance(x, type) and x in (bool, int, float, complex):
        return _python_scalar_dtype(x), x is not bool
    weak = bool(getattr(x, "weak_type", False))
    if isinstance(x, np.dtype):
        return x, False
    if hasattr(x, "dtype"):
        return np.dtype(x.dtype), weak
    return np.dtype(x), False


def result_type_and_weak(*args: Any) -> tuple[np.dtype, bool]:
    """JAX's ``_lattice_result_type``: the promoted dtype (canonicalised) and weakness."""
    if not args:
        raise ValueError("at least one array or dtype is required")
    pairs = [_dtype_and_weak(a) for a in args]
    dts = tuple(canonicalize_dtype(d) for d, _ in pairs)  # JAX canonicalises inputs first
    weaks = tuple(w for _, w in pairs)
    out, weak = _lattice_result(dts, weaks, config.x64_enabled)
    return canonicalize_dtype(out), weak


def result_type(*args: Any, return_weak_type_flag: bool = False):
    """``jax.numpy.result_type``: promote arrays, dtypes and Python scalars as JAX does."""
    out, weak = result_type_and_weak(*args)
    return (out, weak) if return_weak_type_flag else out


def promote_types(a: Any, b: Any) -> np.dtype:
    """``jax.numpy.promote_types``: promotion of two dtypes (Python types are weak)."""
    da, db = dtype(a), dtype(b)
    wa = any(a is t for t in _weak_types)
    wb = any(b is t for t in _weak_types)
    out = _join({_node(da, wa), _node(db, wb)})
    # As JAX's, the result is not canonicalised (a weak join gives the 64-bit type).
    return np.dtype(_WEAK_NODES[out]) if isinstance(out, str) else np.dtype(out)


def issubdtype(arg1: Any, arg2: Any) -> bool:
    """``jax.numpy.issubdtype``, aware of bfloat16 (a floating type)."""
    if bfloat16 is not None:
        if _is_bf16(arg1):
            return _is_bf16(arg2) or arg2 in (np.floating, np.inexact, np.number, np.generic)
        if _is_bf16(arg2):
            return False
    return bool(np.issubdtype(_dtype_or_type(arg1), _dtype_or_type(arg2)))


def _dtype_or_type(x: Any) -> Any:
    """A NumPy dtype or abstract scalar type (``np.floating``) for ``issubdtype``."""
    dt = getattr(x, "dtype", None)
    if isinstance(dt, np.dtype):  # arrays, and axc's scalar type objects
        return dt
    return x


def _is_bf16(x: Any) -> bool:
    try:
        return np.dtype(getattr(x, "dtype", x)) == bfloat16
    except TypeError:
        return False


def finfo(dt: Any):
    """Machine limits for a floating dtype (``ml_dtypes.finfo`` handles bfloat16)."""
    dt = dtype(dt)
    if _ml_dtypes is not None:
        return _ml_dtypes.finfo(dt)
    return np.finfo(dt)


def iinfo(dt: Any):
    """Machine limits for an integer dtype."""
    return np.iinfo(dtype(dt))


def is_inexact(dt: np.dtype) -> bool:
    return dt.kind in "fcV"


def is_float(dt: np.dtype) -> bool:
    return dt.kind == "f" or dt == bfloat16


def check_supported(dt: np.dtype) -> None:
    if dt not in _SUPPORTED:
        canonicalize_dtype(dt)
