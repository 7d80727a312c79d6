"""Elementwise ``axc.lax`` functions: primitives bound with lax's strict typing.

Unlike ``axc.numpy``, lax never promotes: operands must already share a dtype (Python
scalars become weakly typed arrays of their default dtype, so ``lax.add(x_f32, 2.0)`` works
and ``lax.add(x_f32, 2)`` is a ``TypeError``), and only rank-0 operands and size-1
dimensions broadcast. Checks run in JAX's order (shapes, accepted dtypes, same dtypes) with
JAX's messages.
"""
from __future__ import annotations

import enum
from collections.abc import Callable
from typing import Any

import numpy as np

from ..runtime import dtypes
from ..runtime.array import Array
from ..runtime.pytree import tree_map
from . import elementwise as ew
from . import (
    registry,
    special,  # noqa: F401 - registers erf, lgamma, ... for the lookups below
)
from . import structural as st
from .numpy.promote import asarray, convert

# Accepted dtype kinds and the names JAX prints for them ('V' is bfloat16's kind).
NUM = ("iufcV", "integer, floating, complexfloating")
INEXACT = ("fcV", "floating, complexfloating")
FLOAT = ("fV", "floating")
INT = ("iu", "integer")
INT_OR_BOOL = ("iub", "integer, bool")
ORDERED = ("iufVb", "integer, floating, bool")
ANY = ("iufcVb", "integer, floating, complexfloating, bool")
SIGNED = ("ifcV", "floating, complexfloating, signedinteger")
REAL = ("iufV", "integer, floating")
COMPLEX = ("c", "complexfloating")
COMPLEX_PARTS = ("float32 float64", "float32, float64")  # dtype names, not kinds

# lax's hint at the promoting jax.numpy function, by primitive name (JAX's table).
_JNP_EQUIVALENT = {
    "abs": "fabs", "acos": "arccos", "acosh": "arccosh", "add": "add", "asin": "arcsin",
    "asinh": "arcsinh", "atan": "arctan", "atan2": "arctan2", "atanh": "arctanh",
    "bitwise_and": "bitwise_and", "bitwise_not": "bitwise_not", "bitwise_or": "bitwise_or",
    "bitwise_xor": "bitwise_xor", "cbrt": "cbrt", "ceil": "ceil", "concatenate": "concatenate",
    "cos": "cos", "cosh": "cosh", "div": "divide", "eq": "equal", "exp": "exp",
    "expm1": "expm1", "floor": "floor", "greater": "greater",
    "greater_equal": "greater_equal", "less": "less", "less_equal": "less_equal",
    "log": "log", "logical_and": "logical_and", "logical_not": "logical_not",
    "logical_or": "logical_or", "logical_xor": "logical_xor", "log1p": "log1p",
    "max": "maximum", "min": "minimum", "mul": "multiply", "ne": "not_equal",
    "neg": "negative", "nextafter": "nextafter", "pow": "float_power", "round": "round",
    "select": "where", "shift_left": "left_shift", "shift_right_logical": "right_shift",
    "shift_right_arithmetic": "right_shift", "sign": "sign", "sin": "sin", "sinh": "sinh",
    "sqrt": "sqrt", "sub": "subtract", "tan": "tan", "tanh": "tanh",
}


def operand(name: str, x: Any, pos: int = 0) -> Array:
    """A lax operand as an Array: Python scalars are weak, lists are refused as in JAX."""
    if isinstance(x, Array):
        return x
    if isinstance(x, (np.ndarray, np.generic)) or dtypes.is_python_scalar(x) \
            or hasattr(x, "__jax_array__"):
        return asarray(x)
    raise TypeError(f"Error interpreting argument to {name} as a JAX value. The problematic "
                    f"value is of type {type(x)} and was passed to {name} at position {pos}.")


def check_same_dtypes(name: str, *xs: Array) -> None:
    """JAX's ``check_same_dtypes``: ``lax.<name> requires arguments to have the same dtypes``."""
    if len({x.dtype for x in xs}) > 1:
        tip = _JNP_EQUIVALENT.get(name)
        hint = (f" (Tip: jnp.{tip} is a similar function that does automatic type promotion "
                f"on inputs).") if tip else ""
        raise TypeError(f"lax.{name} requires arguments to have the same dtypes, got "
                        f"{', '.join(x.dtype.name for x in xs)}.{hint}")


def broadcasting_shape(name: str, *xs: Array) -> tuple[int, ...]:
    """lax's broadcasting: rank-0 operands and size-1 dimensions only (``TypeError`` else)."""
    shapes = [tuple(x.shape) for x in xs if x.ndim]
    if not shapes:
        return ()
    ranks = {len(s) for s in shapes}
    if len(ranks) != 1:
        raise TypeError(f"{name}: arrays must have the same number of dimensions, got {ranks}")
    out = []
    for ds in zip(*shapes):
        big = {d for d in ds if d != 1}
        if len(big) > 1:
            raise TypeError(f"{name} got incompatible shapes for broadcasting: "
                            f"{', '.join(map(str, shapes))}.")
        out.append(big.pop() if big else 1)
    return tuple(out)


def _check_kind(name: str, x: Array, kinds: tuple[str, str], pos: int | None) -> None:
    accepted = kinds[0].split() if " " in kinds[0] else None
    if (x.dtype.name in accepted) if accepted else (x.dtype.kind in kinds[0]):
        return
    if pos is None:
        raise TypeError(f"{name} does not accept dtype {x.dtype.name}. Accepted dtypes are "
                        f"subtypes of {kinds[1]}.")
    raise TypeError(f"{name} does not accept dtype {x.dtype.name} at position {pos}. Accepted "
                    f"dtypes at position {pos} are subtypes of {kinds[1]}.")


def _prim(name: str) -> registry.Primitive:
    """An elementwise or special-function primitive, by its (lax) name."""
    return registry.get(name)


def _unary(name: str, kinds: tuple[str, str], prim: str | None = None) -> Callable:
    prim_name = prim or name

    def fn(x: Any) -> Array:
        x = operand(name, x)
        _check_kind(prim_name, x, kinds, None)
        return _prim(prim_name).bind(x)
    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = f"Elementwise ``{name}`` (lax: no dtype promotion)."
    return fn


def _binary(name: str, kinds: tuple[str, str], prim: str | None = None) -> Callable:
    prim_name = prim or name

    def fn(x: Any, y: Any) -> Array:
        x, y = operand(name, x, 0), operand(name, y, 1)
        broadcasting_shape(prim_name, x, y)
        _check_kind(prim_name, x, kinds, 0)
        _check_kind(prim_name, y, kinds, 1)
        check_same_dtypes(prim_name, x, y)
        return _prim(prim_name).bind(x, y)
    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = f"Elementwise ``{name}`` of two arrays of one dtype (lax: no promotion)."
    return fn


add = _binary("add", NUM)
sub = _binary("sub", NUM)
mul = _binary("mul", NUM)
div = _binary("div", NUM)
rem = _binary("rem", REAL)
max = _binary("max", ANY)  # lax's names shadow builtins, as in JAX
min = _binary("min", ANY)
atan2 = _binary("atan2", FLOAT)
nextafter = _binary("nextafter", FLOAT)
complex = _binary("complex", COMPLEX_PARTS)
bitwise_and = _binary("bitwise_and", INT_OR_BOOL, "and")
bitwise_or = _binary("bitwise_or", INT_OR_BOOL, "or")
bitwise_xor = _binary("bitwise_xor", INT_OR_BOOL, "xor")
shift_left = _binary("shift_left", INT)
shift_right_arithmetic = _binary("shift_right_arithmetic", INT)
shift_right_logical = _binary("shift_right_logical", INT)
eq = _binary("eq", ANY)
ne = _binary("ne", ANY)
lt = _binary("lt", ORDERED)
le = _binary("le", ORDERED)
gt = _binary("gt", ORDERED)
ge = _binary("ge", ORDERED)

neg = _unary("neg", NUM)
sign = _unary("sign", NUM)
abs = _unary("abs", SIGNED)
floor = _unary("floor", FLOAT)
ceil = _unary("ceil", FLOAT)
is_finite = _unary("is_finite", FLOAT)
exp = _unary("exp", INEXACT)
exp2 = _unary("exp2", INEXACT)
log = _unary("log", INEXACT)
log1p = _unary("log1p", INEXACT)
expm1 = _unary("expm1", INEXACT)
tanh = _unary("tanh", INEXACT)
logistic = _unary("logistic", INEXACT)
sin = _unary("sin", INEXACT)
cos = _unary("cos", INEXACT)
tan = _unary("tan", INEXACT)
asin = _unary("asin", INEXACT)
acos = _unary("acos", INEXACT)
atan = _unary("atan", INEXACT)
sinh = _unary("sinh", INEXACT)
cosh = _unary("cosh", INEXACT)
asinh = _unary("asinh", INEXACT)
acosh = _unary("acosh", INEXACT)
atanh = _unary("atanh", INEXACT)
sqrt = _unary("sqrt", INEXACT)
rsqrt = _unary("rsqrt", INEXACT)
cbrt = _unary("cbrt", FLOAT)
erf = _unary("erf", FLOAT)
erfc = _unary("erfc", FLOAT)
erf_inv = _unary("erf_inv", FLOAT)
lgamma = _unary("lgamma", FLOAT)
digamma = _unary("digamma", FLOAT)
bitwise_not = _unary("bitwise_not", INT_OR_BOOL, "not")
population_count = _unary("population_count", INT)
real = _unary("real", COMPLEX)
imag = _unary("imag", COMPLEX)


def conj(x: Any) -> Array:
    """Complex conjugate; a real operand becomes complex (as ``lax.conj``)."""
    x = operand("conj", x)
    _check_kind("conj", x, ("float32 float64 complex64 complex128",
                            "float32, complexfloating, float64"), None)
    if x.dtype.kind != "c":
        cdt = dtypes.complex128 if x.dtype == dtypes.float64 else dtypes.complex64
        return convert(x, cdt, x.weak_type)
    return ew.conj_p.bind(x)


def square(x: Any) -> Array:
    """``x * x``."""
    x = operand("square", x)
    _check_kind("square", x, NUM, None)
    return ew.integer_pow_p.bind(x, y=2)


def reciprocal(x: Any) -> Array:
    """``1 / x`` for inexact ``x``."""
    x = operand("reciprocal", x)
    _check_kind("reciprocal", x, INEXACT, None)
    return ew.integer_pow_p.bind(x, y=-1)


def pow(x: Any, y: Any) -> Array:
    """``x ** y`` for inexact ``x``; ``y`` has ``x``'s dtype or is an integer."""
    x, y = operand("pow", x, 0), operand("pow", y, 1)
    broadcasting_shape("pow", x, y)
    _check_kind("pow", x, INEXACT, 0)
    _check_kind("pow", y, NUM, 1)
    if y.dtype.kind in "iu":
        # XLA converts an integer exponent to the base's type before its power.
        y = convert(y, x.dtype, y.weak_type)
    elif x.dtype != y.dtype:
        raise TypeError(f"the first argument to pow must have an inexact dtype (float or "
                        f"complex), and the second argument must have an inexact or integer "
                        f"dtype, and two inexact dtypes must match, but got {x.dtype.name} "
                        f"and {y.dtype.name} respectively.")
    return ew.pow_p.bind(x, y)


def integer_pow(x: Any, y: int) -> Array:
    """``x ** y`` for a static Python integer ``y``."""
    x = operand("integer_pow", x)
    _check_kind("integer_pow", x, NUM, None)
    y = int(np.asarray(y).item()) if not isinstance(y, int) else y
    if y < 0 and x.dtype.kind in "iu":
        weak = "~" if x.weak_type else ""
        raise TypeError(f"Integers cannot be raised to negative powers, got "
                        f"integer_pow({weak}{x.dtype.name}[{','.join(map(str, x.shape))}], "
                        f"{y})")
    return ew.integer_pow_p.bind(x, y=y)


class RoundingMethod(enum.IntEnum):
    """``lax.round``'s tie-breaking rule."""

    AWAY_FROM_ZERO = 0
    TO_NEAREST_EVEN = 1


def round(x: Any, rounding_method: RoundingMethod | int = RoundingMethod.AWAY_FROM_ZERO,
          ) -> Array:
    """Round to the nearest integer; ties away from zero or to even."""
    method = RoundingMethod(rounding_method)
    x = operand("round", x)
    _check_kind("round", x, FLOAT, None)
    return ew.round_p.bind(x, rounding_method=int(method))


def convert_element_type(operand_: Any, new_dtype: Any) -> Array:
    """Cast to ``new_dtype`` (canonicalised); the result is never weakly typed."""
    x = asarray(operand_) if not isinstance(operand_, Array) else operand_
    dt = dtypes.canonicalize_dtype(dtypes.dtype(new_dtype))
    if x.dtype == dt and not x.weak_type:
        return x
    return ew.convert_element_type_p.bind(x, new_dtype=dt, weak_type=False)


def bitcast_convert_type(operand_: Any, new_dtype: Any) -> Array:
    """Reinterpret the bits of each element as ``new_dtype`` (equal item sizes only)."""
    x = operand("bitcast_convert_type", operand_)
    dt = dtypes.canonicalize_dtype(dtypes.dtype(new_dtype))
    if dt.itemsize != x.dtype.itemsize:
        raise NotImplementedError(
            f"bitcast_convert_type between {x.dtype.name} and {dt.name}: axc only bitcasts "
            f"between types of equal width so far")
    return ew.bitcast_convert_type_p.bind(x, new_dtype=dt)


# --- select and clamp ---------------------------------------------------------------------

def select_n(which: Any, *cases: Any) -> Array:
    """``cases[which]`` elementwise; a boolean ``which`` picks between two cases."""
    if not cases:
        raise ValueError("select_n() must have at least one case")
    which = operand("select_n", which, 0)
    cases = tuple(operand("select_n", c, i + 1) for i, c in enumerate(cases))
    if any(c.shape != cases[0].shape for c in cases[1:]):
        raise TypeError(f"select cases must have the same shapes, got "
                        f"[{', '.join(str(c.shape) for c in cases)}].")
    if which.shape and which.shape != cases[0].shape:
        raise TypeError(f"select `which` must be scalar or have the same shape as cases, got "
                        f"`which` shape {which.shape} but case shape {cases[0].shape}.")
    check_same_dtypes("select_n", *cases)
    if which.dtype.kind not in "biu":
        raise TypeError(f"select `which` must be boolean or integer type, got "
                        f"{which.dtype.name}.")
    if which.dtype.kind == "b" and len(cases) > 2:
        raise TypeError("select with boolean `which` cannot have > 2 cases.")
    if len(cases) == 1:
        return cases[0]
    return ew.select_n_p.bind(which, *cases)


def select(pred: Any, on_true: Any, on_false: Any) -> Array:
    """``on_true`` where ``pred`` else ``on_false`` (``pred`` scalar or of the cases' shape)."""
    pred = operand("select", pred, 0)
    on_true, on_false = operand("select", on_true, 1), operand("select", on_false, 2)
    if on_true.shape != on_false.shape:
        raise TypeError(f"select cases must have the same shapes, got "
                        f"[{on_false.shape}, {on_true.shape}].")
    if pred.shape and pred.shape != on_true.shape:
        raise TypeError(f"select `which` must be scalar or have the same shape as cases, got "
                        f"`which` shape {pred.shape} but case shape {on_true.shape}.")
    check_same_dtypes("select", on_false, on_true)
    if pred.dtype.kind not in "biu":
        raise TypeError(f"select `which` must be boolean or integer type, got "
                        f"{pred.dtype.name}.")
    return ew.select_n_p.bind(pred, on_false, on_true)


def clamp(min: Any, x: Any, max: Any) -> Array:
    """``x`` clipped to ``[min, max]``; bounds are scalars or of ``x``'s shape."""
    lo, x, hi = (operand("clamp", v, i) for i, v in enumerate((min, x, max)))
    if lo.shape and lo.shape != x.shape:
        raise TypeError(f"clamp requires min.shape == operand.shape or min.shape == (), got "
                        f"min.shape={lo.shape}, operand.shape={x.shape}.")
    if hi.shape and hi.shape != x.shape:
        raise TypeError(f"clamp requires max.shape == operand.shape or max.shape == (), got "
                        f"max.shape={hi.shape}, operand.shape={x.shape}.")
    for i, v in enumerate((lo, x, hi)):
        _check_kind("clamp", v, ANY, i)
    check_same_dtypes("clamp", lo, x, hi)
    return ew.clamp_p.bind(lo, x, hi)


def stop_gradient(x: Any) -> Any:
    """The identity on a pytree of arrays; derivatives do not flow through it.

    Eagerly it only converts leaves to arrays; the AD transforms treat it as a constant.
    """
    return tree_map(lambda leaf: operand("stop_gradient", leaf), x)


stop_gradient.__axc_ad__ = "stop_gradient"  # the AD transforms pass no derivative through it


# --- filled arrays --------------------------------------------------------------------------

def _shape(shape: Any) -> tuple[int, ...]:
    if isinstance(shape, (int, np.integer)):
        return (int(shape),)
    return tuple(int(d) for d in shape)


def full(shape: Any, fill_value: Any, dtype: Any = None, *, sharding: Any = None) -> Array:
    """An array of ``shape`` filled with the scalar ``fill_value``."""
    shape = _shape(shape)
    fill = asarray(fill_value)
    if fill.ndim:
        raise TypeError(f"full must be called with scalar fill_value, got fill_value.shape "
                        f"{fill.shape}.")
    if dtype is not None:
        fill = convert(fill, dtypes.canonicalize_dtype(dtypes.dtype(dtype)), False)
    return st.broadcast_in_dim_p.bind(fill, shape=shape, broadcast_dimensions=())


def full_like(x: Any, fill_value: Any, dtype: Any = None, shape: Any = None,
              sharding: Any = None) -> Array:
    """An array like ``x`` (its shape and dtype unless given) filled with ``fill_value``."""
    weak = dtype is None and dtypes.is_weakly_typed(x)
    dt = dtypes.dtype(x if dtype is None else dtype, canonicalize=True)
    out_shape = np.shape(x) if shape is None else _shape(shape)
    out = full(out_shape, fill_value, dt)
    return convert(out, dt, weak)
