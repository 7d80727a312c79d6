"""Elementwise ``axc.numpy`` functions: thin promotions onto primitives, or compositions."""
from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np

from ...runtime import dtypes
from ...runtime.array import Array
from .. import elementwise as ew
from ..registry import Primitive
from .promote import (
    asarray,
    const_like,
    convert,
    promote_args,
    promote_args_inexact,
    promote_args_numeric,
    strong_const,
)

__all__ = [
    "abs",
    "absolute",
    "acos",
    "acosh",
    "add",
    "allclose",
    "angle",
    "arccos",
    "arccosh",
    "arcsin",
    "arcsinh",
    "arctan",
    "arctan2",
    "arctanh",
    "around",
    "array_equal",
    "array_equiv",
    "asin",
    "asinh",
    "atan",
    "atan2",
    "atanh",
    "bitwise_and",
    "bitwise_invert",
    "bitwise_left_shift",
    "bitwise_not",
    "bitwise_or",
    "bitwise_right_shift",
    "bitwise_xor",
    "cbrt",
    "ceil",
    "clip",
    "conj",
    "conjugate",
    "copysign",
    "cos",
    "cosh",
    "deg2rad",
    "degrees",
    "divide",
    "divmod",
    "equal",
    "exp",
    "exp2",
    "expm1",
    "fabs",
    "fix",
    "float_power",
    "floor",
    "floor_divide",
    "fmax",
    "fmin",
    "fmod",
    "gcd",
    "greater",
    "greater_equal",
    "heaviside",
    "hypot",
    "imag",
    "invert",
    "isclose",
    "isfinite",
    "isinf",
    "isnan",
    "isneginf",
    "isposinf",
    "lcm",
    "ldexp",
    "left_shift",
    "less",
    "less_equal",
    "log",
    "log1p",
    "log2",
    "log10",
    "logaddexp",
    "logaddexp2",
    "logical_and",
    "logical_not",
    "logical_or",
    "logical_xor",
    "maximum",
    "minimum",
    "mod",
    "multiply",
    "nan_to_num",
    "negative",
    "nextafter",
    "not_equal",
    "positive",
    "pow",
    "power",
    "rad2deg",
    "radians",
    "real",
    "reciprocal",
    "remainder",
    "right_shift",
    "rint",
    "round",
    "sign",
    "signbit",
    "sin",
    "sinc",
    "sinh",
    "sqrt",
    "square",
    "subtract",
    "tan",
    "tanh",
    "true_divide",
    "trunc",
    "where",
]


def _wrap_primitive(name: str, fn: Callable, prim: Primitive) -> Callable:
    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = f"Elementwise ``{name}`` with JAX's promotion rules (primitive ``{prim}``)."
    fn.__axc_primitive__ = prim  # transforms map the wrapper straight to its primitive
    return fn


def _binary(name: str, prim: Primitive, promote=promote_args) -> Callable:
    def fn(x: Any, y: Any, /) -> Array:
        return prim.bind(*promote(name, x, y))
    return _wrap_primitive(name, fn, prim)


def _unary(name: str, prim: Primitive, promote=promote_args) -> Callable:
    def fn(x: Any, /) -> Array:
        return prim.bind(*promote(name, x))
    return _wrap_primitive(name, fn, prim)


def _check_real(name: str, x: Array) -> None:
    if x.dtype.kind == "c":
        raise ValueError(f"jnp.{name} is not well defined for complex-valued inputs.")


def _check_complex_unsupported(name: str, x: Array) -> None:
    if x.dtype.kind == "c":
        raise TypeError(f"axc's {name} does not support complex inputs yet")


def _check_kind(name: str, x: Array, kinds: str) -> None:
    if x.dtype.kind not in kinds:
        raise TypeError(f"{name} does not accept dtype {x.dtype.name}.")


def add(x: Any, y: Any, /) -> Array:
    """Elementwise ``x + y`` (logical or for booleans, as NumPy)."""
    x, y = promote_args("add", x, y)
    return (ew.or_p if x.dtype.kind == "b" else ew.add_p).bind(x, y)


def multiply(x: Any, y: Any, /) -> Array:
    """Elementwise ``x * y`` (logical and for booleans, as NumPy)."""
    x, y = promote_args("multiply", x, y)
    return (ew.and_p if x.dtype.kind == "b" else ew.mul_p).bind(x, y)


# Booleans take the logical primitives, which have no derivative: for the transforms these
# wrappers are the arithmetic primitive.
add.__axc_primitive__ = ew.add_p
multiply.__axc_primitive__ = ew.mul_p

subtract = _binary("subtract", ew.sub_p)
true_divide = _binary("true_divide", ew.div_p, promote_args_inexact)
divide = true_divide
maximum = _binary("maximum", ew.max_p)
minimum = _binary("minimum", ew.min_p)


def arctan2(x1: Any, x2: Any, /) -> Array:
    """Elementwise arc tangent of ``x1 / x2`` choosing the quadrant (real inputs)."""
    x1, x2 = promote_args_inexact("arctan2", x1, x2)
    if x1.dtype.kind == "c":
        raise TypeError("axc's arctan2 does not support complex inputs yet")
    return ew.atan2_p.bind(x1, x2)


atan2 = arctan2
nextafter = _binary("nextafter", ew.nextafter_p, promote_args_inexact)

equal = _binary("equal", ew.eq_p)
not_equal = _binary("not_equal", ew.ne_p)


def _ordered(name: str, prim: Primitive) -> Callable:
    def fn(x: Any, y: Any, /) -> Array:
        x, y = promote_args(name, x, y)
        if x.dtype.kind != "c":
            return prim.bind(x, y)
        # Complex numbers compare lexicographically (real part, then imaginary), as JAX.
        xr, yr = ew.real_p.bind(x), ew.real_p.bind(y)
        tie = ew.eq_p.bind(xr, yr)
        strict = {"less": ew.lt_p, "less_equal": ew.lt_p, "greater": ew.gt_p,
                  "greater_equal": ew.gt_p}[name]
        return ew.or_p.bind(strict.bind(xr, yr),
                            ew.and_p.bind(tie, prim.bind(ew.imag_p.bind(x), ew.imag_p.bind(y))))
    return _wrap_primitive(name, fn, prim)


less = _ordered("less", ew.lt_p)
less_equal = _ordered("less_equal", ew.le_p)
greater = _ordered("greater", ew.gt_p)
greater_equal = _ordered("greater_equal", ew.ge_p)
bitwise_and = _binary("bitwise_and", ew.and_p)
bitwise_or = _binary("bitwise_or", ew.or_p)
bitwise_xor = _binary("bitwise_xor", ew.xor_p)
left_shift = bitwise_left_shift = _binary("left_shift", ew.shift_left_p,
                                          promote_args_numeric)
invert = bitwise_not = bitwise_invert = _unary("invert", ew.not_p)

negative = _unary("negative", ew.neg_p)
sign = _unary("sign", ew.sign_p)
exp = _unary("exp", ew.exp_p, promote_args_inexact)
exp2 = _unary("exp2", ew.exp2_p, promote_args_inexact)
expm1 = _unary("expm1", ew.expm1_p, promote_args_inexact)
log = _unary("log", ew.log_p, promote_args_inexact)
log1p = _unary("log1p", ew.log1p_p, promote_args_inexact)
sqrt = _unary("sqrt", ew.sqrt_p, promote_args_inexact)
cbrt = _unary("cbrt", ew.cbrt_p, promote_args_inexact)
sin = _unary("sin", ew.sin_p, promote_args_inexact)
cos = _unary("cos", ew.cos_p, promote_args_inexact)
tan = _unary("tan", ew.tan_p, promote_args_inexact)
arcsin = asin = _unary("arcsin", ew.asin_p, promote_args_inexact)
arccos = acos = _unary("arccos", ew.acos_p, promote_args_inexact)
arctan = atan = _unary("arctan", ew.atan_p, promote_args_inexact)
sinh = _unary("sinh", ew.sinh_p, promote_args_inexact)
cosh = _unary("cosh", ew.cosh_p, promote_args_inexact)
tanh = _unary("tanh", ew.tanh_p, promote_args_inexact)
arcsinh = asinh = _unary("arcsinh", ew.asinh_p, promote_args_inexact)
arccosh = acosh = _unary("arccosh", ew.acosh_p, promote_args_inexact)
arctanh = atanh = _unary("arctanh", ew.atanh_p, promote_args_inexact)


# --- compositions ---------------------------------------------------------------------------

def abs(x: Any, /) -> Array:
    """Absolute value (identity on booleans and unsigned integers)."""
    (x,) = promote_args("abs", x)
    return x if x.dtype.kind in "bu" else ew.abs_p.bind(x)


absolute = abs


def conjugate(x: Any, /) -> Array:
    """Complex conjugate (identity on real input)."""
    (x,) = promote_args("conjugate", x)
    return ew.conj_p.bind(x) if x.dtype.kind == "c" else x


conj = conjugate


def positive(x: Any, /) -> Array:
    """``+x``."""
    return asarray(x)


def fabs(x: Any, /) -> Array:
    """Absolute value of a real array, as floating point."""
    (x,) = promote_args_inexact("fabs", x)
    _check_kind("fabs", x, "fV")
    return ew.abs_p.bind(x)


def _float_or_identity(name: str, prim: Primitive) -> Callable:
    def fn(x: Any, /) -> Array:
        (x,) = promote_args(name, x)
        if x.dtype.kind in "iub":  # integers are already integral
            return x
        _check_kind(name, x, "fV")
        return prim.bind(x)
    return _wrap_primitive(name, fn, prim)


floor = _float_or_identity("floor", ew.floor_p)
ceil = _float_or_identity("ceil", ew.ceil_p)


def trunc(x: Any, /) -> Array:
    """Round toward zero."""
    (x,) = promote_args("trunc", x)
    if x.dtype.kind in "iub":
        return x
    return where(less(x, 0), ceil(x), floor(x))


fix = trunc


def rint(x: Any, /) -> Array:
    """Round to the nearest integer, half to even."""
    (x,) = promote_args("rint", x)
    if x.dtype.kind in "iub":  # integers are already integral: just the float cast
        return convert(x, dtypes.result_type(x.dtype, float))
    if x.dtype.kind == "c":
        return ew.complex_p.bind(rint(real(x)), rint(imag(x)))
    return ew.round_p.bind(x, rounding_method=1)


def round(a: Any, decimals: int = 0, out: None = None) -> Array:
    """Round to ``decimals`` decimals, half to even (``numpy.round``)."""
    if out is not None:
        raise NotImplementedError("The 'out' argument to round is not supported.")
    (a,) = promote_args("round", a)
    if a.dtype.kind == "b":
        raise ValueError(f"data type {a.dtype} not inexact")
    decimals = int(decimals)
    if a.dtype.kind in "iub":
        if decimals >= 0:
            return a
        factor = const_like(a, 10 ** -decimals)
        return multiply(floor_divide(add(a, factor // 2), factor), factor)
    if a.dtype.kind == "c":
        return ew.complex_p.bind(round(real(a), decimals), round(imag(a), decimals))
    if decimals == 0:
        return ew.round_p.bind(a, rounding_method=1)
    factor = const_like(a, 10.0 ** decimals)
    return true_divide(ew.round_p.bind(multiply(a, factor), rounding_method=1), factor)


around = round


def square(x: Any, /) -> Array:
    """``x * x``."""
    (x,) = promote_args_numeric("square", x)
    return ew.integer_pow_p.bind(x, y=2)


def reciprocal(x: Any, /) -> Array:
    """``1 / x``, in floating point (as JAX)."""
    (x,) = promote_args_inexact("reciprocal", x)
    return ew.integer_pow_p.bind(x, y=-1)


def log2(x: Any, /) -> Array:
    """Base-2 logarithm (``log(x) / log(2)``, as JAX)."""
    (x,) = promote_args_inexact("log2", x)
    return ew.div_p.bind(ew.log_p.bind(x), strong_const(x, math.log(2)))


def log10(x: Any, /) -> Array:
    """Base-10 logarithm (``log(x) / log(10)``, as JAX)."""
    (x,) = promote_args_inexact("log10", x)
    return ew.div_p.bind(ew.log_p.bind(x), strong_const(x, math.log(10)))


def deg2rad(x: Any, /) -> Array:
    (x,) = promote_args_inexact("deg2rad", x)
    return multiply(x, const_like(x, np.pi / 180))


def rad2deg(x: Any, /) -> Array:
    (x,) = promote_args_inexact("rad2deg", x)
    return multiply(x, const_like(x, 180 / np.pi))


radians, degrees = deg2rad, rad2deg


def sinc(x: Any, /) -> Array:
    """``sin(pi x) / (pi x)``, 1 at 0."""
    (x,) = promote_args_inexact("sinc", x)
    zero = equal(x, 0)
    safe = where(zero, const_like(x, 1), x)
    pix = multiply(safe, const_like(x, np.pi))
    return where(zero, const_like(x, 1), true_divide(sin(pix), pix))


def hypot(x: Any, y: Any, /) -> Array:
    """``sqrt(x**2 + y**2)`` without undue overflow."""
    x, y = promote_args_inexact("hypot", x, y)
    _check_real("hypot", x)
    x, y = abs(x), abs(y)
    big, small = maximum(x, y), minimum(x, y)
    safe = where(equal(big, 0), const_like(big, 1), big)
    r = true_divide(small, safe)
    return where(equal(big, 0), big, multiply(big, sqrt(add(const_like(r, 1), square(r)))))


def logaddexp(x1: Any, x2: Any, /) -> Array:
    """``log(exp(x1) + exp(x2))``, stably."""
    x1, x2 = promote_args_inexact("logaddexp", x1, x2)
    _check_complex_unsupported("logaddexp", x1)
    amax = maximum(x1, x2)
    delta = subtract(x1, x2)
    out = add(amax, log1p(exp(negative(abs(delta)))))
    return where(isnan(delta), add(x1, x2), out)


def logaddexp2(x1: Any, x2: Any, /) -> Array:
    """``log2(2**x1 + 2**x2)``, stably."""
    x1, x2 = promote_args_inexact("logaddexp2", x1, x2)
    _check_complex_unsupported("logaddexp2", x1)
    amax = maximum(x1, x2)
    delta = subtract(x1, x2)
    ln2 = const_like(x1, math.log(2))
    out = add(amax, true_divide(log1p(exp2(negative(abs(delta)))), ln2))
    return where(isnan(delta), add(x1, x2), out)


def copysign(x1: Any, x2: Any, /) -> Array:
    """Magnitude of ``x1`` with the sign of ``x2``."""
    x1, x2 = promote_args_inexact("copysign", x1, x2)
    return where(signbit(x2), negative(abs(x1)), abs(x1))


def ldexp(x1: Any, x2: Any, /) -> Array:
    """``x1 * 2**x2``."""
    (x1,) = promote_args_inexact("ldexp", x1)
    x2 = asarray(x2)
    return multiply(x1, exp2(convert(x2, x1.dtype)))


def heaviside(x1: Any, x2: Any, /) -> Array:
    """0 where ``x1 < 0``, ``x2`` where ``x1 == 0``, 1 where ``x1 > 0``."""
    x1, x2 = promote_args_inexact("heaviside", x1, x2)
    if x1.dtype.kind == "c":
        raise TypeError("heaviside does not accept complex inputs (they have no order)")
    zero, one = const_like(x1, 0), const_like(x1, 1)
    out = where(less(x1, zero), zero, where(greater(x1, zero), one, x2))
    return where(isnan(x1), x1, out)


def _int_floor_divide(x: Array, y: Array) -> Array:
    q = ew.div_p.bind(x, y)
    if x.dtype.kind == "u":
        return q
    r = ew.rem_p.bind(x, y)
    # sign(), not x < 0: with XLA's x / 0 == -1 this gives JAX's answers for zero divisors.
    fix_sign = logical_and(not_equal(r, 0), not_equal(ew.sign_p.bind(x), ew.sign_p.bind(y)))
    return where(fix_sign, subtract(q, const_like(q, 1)), q)


def _float_divmod(x: Array, y: Array) -> tuple[Array, Array]:
    mod = ew.rem_p.bind(x, y)
    div = true_divide(subtract(x, mod), y)
    adjust = logical_and(not_equal(mod, 0), not_equal(less(y, 0), less(mod, 0)))
    mod = where(adjust, add(mod, y), mod)
    div = where(adjust, subtract(div, const_like(div, 1)), div)
    floordiv = floor(div)
    floordiv = where(greater(subtract(div, floordiv), const_like(div, 0.5)),
                     add(floordiv, const_like(div, 1)), floordiv)
    return where(equal(div, 0), multiply(div, 0), floordiv), mod


def floor_divide(x1: Any, x2: Any, /) -> Array:
    """Division rounding toward negative infinity (``numpy.floor_divide``)."""
    x1, x2 = promote_args_numeric("floor_divide", x1, x2)
    if x1.dtype.kind in "iu":
        return _int_floor_divide(x1, x2)
    if x1.dtype.kind == "c":
        raise TypeError("floor_divide does not support complex-valued inputs")
    # A zero divisor gives x / 0 (+-inf or nan), as NumPy and JAX do.
    return where(equal(x2, 0), true_divide(x1, x2), _float_divmod(x1, x2)[0])


def _int_rem(x1: Array, x2: Array) -> Array:
    """``lax.rem``, except that an integer zero divisor gives 0 as ``jnp.fmod`` does."""
    r = ew.rem_p.bind(x1, x2)
    if x1.dtype.kind in "iu":
        r = where(equal(x2, const_like(x2, 0)), const_like(r, 0), r)
    return r


def fmod(x1: Any, x2: Any, /) -> Array:
    """Remainder with the sign of the dividend (C's ``fmod``)."""
    x1, x2 = promote_args_numeric("fmod", x1, x2)
    return _int_rem(x1, x2)


def remainder(x1: Any, x2: Any, /) -> Array:
    """Remainder with the sign of the divisor (``numpy.mod``)."""
    x1, x2 = promote_args_numeric("remainder", x1, x2)
    if x1.dtype.kind == "c":
        raise TypeError("remainder does not support complex-valued inputs")
    r = _int_rem(x1, x2)
    if x1.dtype.kind == "u":
        return r
    fix_sign = logical_and(not_equal(r, 0), not_equal(less(r, 0), less(x2, 0)))
    return where(fix_sign, add(r, x2), r)


mod = remainder


def divmod(x1: Any, x2: Any, /) -> tuple[Array, Array]:
    """``(floor_divide(x1, x2), mod(x1, x2))``."""
    x1, x2 = promote_args_numeric("divmod", x1, x2)
    if x1.dtype.kind in "fV":
        return _float_divmod(x1, x2)
    return floor_divide(x1, x2), remainder(x1, x2)


def power(x1: Any, x2: Any, /) -> Array:
    """``x1 ** x2``. A static Python int exponent uses repeated multiplication, as JAX."""
    if isinstance(x2, Array) and x2.ndim == 0 and x2.dtype.kind in "iu" and \
            not isinstance(x1, (int, float, complex)):
        x2 = int(x2)  # a concrete integer exponent: integer_pow, with x1's dtype (as JAX)
    if type(x2) is int and not isinstance(x1, (int, float, complex)):
        (x1,) = promote_args_numeric("power", x1)
        if x2 >= 0 or x1.dtype.kind not in "iu":
            return ew.integer_pow_p.bind(x1, y=x2)
    x1, x2 = promote_args_numeric("power", x1, x2)
    return ew.pow_p.bind(x1, x2)


pow = power


def float_power(x1: Any, x2: Any, /) -> Array:
    """``x1 ** x2`` in the widest float type enabled."""
    x1, x2 = promote_args_inexact("float_power", x1, x2)
    return ew.pow_p.bind(x1, x2)


def fmax(x1: Any, x2: Any, /) -> Array:
    """Maximum that ignores NaNs."""
    x1, x2 = promote_args("fmax", x1, x2)
    return where(isnan(x2), x1, where(isnan(x1), x2, maximum(x1, x2)))


def fmin(x1: Any, x2: Any, /) -> Array:
    """Minimum that ignores NaNs."""
    x1, x2 = promote_args("fmin", x1, x2)
    return where(isnan(x2), x1, where(isnan(x1), x2, minimum(x1, x2)))


def right_shift(x1: Any, x2: Any, /) -> Array:
    """Arithmetic right shift for signed, logical for unsigned integers."""
    x1, x2 = promote_args_numeric("right_shift", x1, x2)
    prim = ew.shift_right_logical_p if x1.dtype.kind == "u" else ew.shift_right_arithmetic_p
    return prim.bind(x1, x2)


bitwise_right_shift = right_shift


def _as_bool(x: Any) -> Array:
    x = asarray(x)
    return x if x.dtype == dtypes.bool_ else ew.ne_p.bind(x, const_like(x, 0))


def logical_and(x1: Any, x2: Any, /) -> Array:
    return ew.and_p.bind(_as_bool(x1), _as_bool(x2))


def logical_or(x1: Any, x2: Any, /) -> Array:
    return ew.or_p.bind(_as_bool(x1), _as_bool(x2))


def logical_xor(x1: Any, x2: Any, /) -> Array:
    return ew.xor_p.bind(_as_bool(x1), _as_bool(x2))


def logical_not(x: Any, /) -> Array:
    return ew.not_p.bind(_as_bool(x))


def isfinite(x: Any, /) -> Array:
    """True where ``x`` is neither infinite nor NaN."""
    (x,) = promote_args("isfinite", x)
    if x.dtype.kind in "iub":
        return _full_bool(x, True)
    if x.dtype.kind == "c":
        return logical_and(isfinite(real(x)), isfinite(imag(x)))
    return ew.is_finite_p.bind(x)


def isinf(x: Any, /) -> Array:
    """True where ``x`` is +inf or -inf."""
    (x,) = promote_args("isinf", x)
    if x.dtype.kind in "iub":
        return _full_bool(x, False)
    if x.dtype.kind == "c":
        return logical_or(isinf(real(x)), isinf(imag(x)))
    return equal(abs(x), strong_const(x, np.inf))


def isnan(x: Any, /) -> Array:
    """True where ``x`` is NaN."""
    (x,) = promote_args("isnan", x)
    if x.dtype.kind in "iub":
        return _full_bool(x, False)
    return not_equal(x, x)


def isposinf(x: Any, /) -> Array:
    (x,) = promote_args("isposinf", x)
    _check_complex_inf(x)
    return equal(x, strong_const(x, np.inf)) if x.dtype.kind in "fV" else _full_bool(x, False)


def _check_complex_inf(x: Array) -> None:
    if x.dtype.kind == "c":
        raise ValueError("isposinf/isneginf are not well defined for complex types")


def isneginf(x: Any, /) -> Array:
    (x,) = promote_args("isneginf", x)
    _check_complex_inf(x)
    return equal(x, strong_const(x, -np.inf)) if x.dtype.kind in "fV" else _full_bool(x, False)


def signbit(x: Any, /) -> Array:
    """True where the sign bit is set (including -0.0 and negative NaNs)."""
    (x,) = promote_args("signbit", x)
    if x.dtype.kind in "ub":
        return _full_bool(x, False)
    if x.dtype.kind == "i":
        return less(x, strong_const(x, 0))
    bits = np.dtype(f"i{x.dtype.itemsize}") if x.dtype.kind != "c" else None
    if bits is None:
        raise TypeError("signbit does not support complex-valued inputs")
    return less(ew.bitcast_convert_type_p.bind(x, new_dtype=bits), asarray(0, bits))


def _full_bool(x: Array, value: bool) -> Array:
    """A strong boolean array of ``x``'s shape, for integer ``x``."""
    from .creation import full_like
    return full_like(x, value, dtype=dtypes.bool_)


def real(x: Any, /) -> Array:
    x = asarray(x)
    return ew.real_p.bind(x) if x.dtype.kind == "c" else x


def imag(x: Any, /) -> Array:
    x = asarray(x)
    if x.dtype.kind == "c":
        return ew.imag_p.bind(x)
    from .creation import full_like
    return full_like(x, 0)


def angle(z: Any, deg: bool = False) -> Array:
    """Argument of complex ``z`` (radians, or degrees if ``deg``)."""
    (z,) = promote_args_inexact("angle", z)
    out = arctan2(imag(z), real(z))
    return rad2deg(out) if deg else out


def clip(arr: Any = None, /, min: Any = None, max: Any = None, *, a: Any = None,
         a_min: Any = None, a_max: Any = None) -> Array:
    """Clip values to ``[min, max]`` (either bound may be None)."""
    arr = a if arr is None else arr
    min = a_min if min is None else min
    max = a_max if max is None else max
    (arr,) = promote_args("clip", arr)
    if min is not None:
        arr = maximum(min, arr)
    if max is not None:
        arr = minimum(max, arr)
    return asarray(arr)


def where(condition: Any, x: Any = None, y: Any = None, /, *, size: int | None = None,
          fill_value: Any = None) -> Array:
    """Select from ``x`` where ``condition`` holds, else from ``y``.

    With only ``condition``, the indices where it holds (``nonzero``), which needs concrete
    values or a static ``size``.
    """
    if x is None and y is None:
        from .indexing import nonzero
        return nonzero(condition, size=size, fill_value=fill_value)
    if x is None or y is None:
        raise ValueError("Either both or neither of the x and y arguments should be provided "
                         "to jax.numpy.where, got x and y")
    x, y = promote_args("where", x, y)
    return ew.select_n_p.bind(_as_bool(condition), y, x)


def nan_to_num(x: Any, copy: bool = True, nan: float = 0.0, posinf: float | None = None,
               neginf: float | None = None) -> Array:
    """Replace NaN with ``nan`` and infinities with large finite numbers."""
    (x,) = promote_args("nan_to_num", x)
    if x.dtype.kind == "c":
        return ew.complex_p.bind(nan_to_num(real(x), nan=nan, posinf=posinf, neginf=neginf),
                                 nan_to_num(imag(x), nan=nan, posinf=posinf, neginf=neginf))
    if x.dtype.kind not in "fV":
        return x
    info = dtypes.finfo(x.dtype)
    posinf = float(info.max) if posinf is None else posinf
    neginf = float(info.min) if neginf is None else neginf
    out = where(isnan(x), const_like(x, nan), x)
    out = where(isposinf(out), const_like(x, posinf), out)
    return where(isneginf(out), const_like(x, neginf), out)


def isclose(a: Any, b: Any, rtol: float = 1e-05, atol: float = 1e-08,
            equal_nan: bool = False) -> Array:
    """Elementwise ``|a - b| <= atol + rtol * |b|``, with infinities equal to themselves."""
    a, b = promote_args("isclose", a, b)
    if a.dtype.kind not in "fcV":
        return equal(a, b)
    rtol_a, atol_a = const_like(real(a), rtol), const_like(real(a), atol)
    out = less_equal(abs(subtract(a, b)), add(atol_a, multiply(rtol_a, abs(b))))
    both_inf = logical_and(isinf(a), isinf(b))
    out = where(both_inf, equal(a, b), logical_and(out, logical_not(isinf(a))))
    out = where(isinf(b), equal(a, b), out)
    if equal_nan:
        out = logical_or(out, logical_and(isnan(a), isnan(b)))
    return out


def allclose(a: Any, b: Any, rtol: float = 1e-05, atol: float = 1e-08,
             equal_nan: bool = False) -> Array:
    """True if every element of ``a`` and ``b`` is close."""
    from .reductions import all as all_
    return all_(isclose(a, b, rtol, atol, equal_nan))


def array_equal(a1: Any, a2: Any, equal_nan: bool = False) -> Array:
    """True if shapes and elements match."""
    from .reductions import all as all_
    a1, a2 = asarray(a1), asarray(a2)
    if a1.shape != a2.shape:
        return asarray(False)
    eq = equal(a1, a2)
    if equal_nan:
        eq = logical_or(eq, logical_and(isnan(a1), isnan(a2)))
    return all_(eq)


def array_equiv(a1: Any, a2: Any) -> Array:
    """True if ``a1`` and ``a2`` broadcast to each other and are equal."""
    from .reductions import all as all_
    a1, a2 = asarray(a1), asarray(a2)
    try:
        return all_(equal(a1, a2))
    except (TypeError, ValueError):
        return asarray(False)


def gcd(x1: Any, x2: Any, /) -> Array:
    """Greatest common divisor of integers (Euclid's algorithm, elementwise)."""
    x1, x2 = promote_args("gcd", x1, x2)
    _check_kind("gcd", x1, "iu")
    a, b = abs(x1), abs(x2)
    # Euclid needs fewer steps than the Fibonacci bound: ~1.44 * bits, so a fixed count works
    # under every transform (no data-dependent Python loop).
    for _ in range(int(1.5 * 8 * x1.dtype.itemsize) + 2):
        zero_b = equal(b, 0)
        safe_b = where(zero_b, const_like(b, 1), b)
        a, b = where(zero_b, a, b), where(zero_b, b, fmod(a, safe_b))
    return a


def lcm(x1: Any, x2: Any, /) -> Array:
    """Least common multiple of integers."""
    x1, x2 = promote_args("lcm", x1, x2)
    g = gcd(x1, x2)
    safe = where(equal(g, 0), const_like(g, 1), g)
    return where(equal(g, 0), g, abs(multiply(floor_divide(x1, safe), x2)))
