"""Elementwise primitives: unary and binary math, comparisons, bitwise ops, select, casts.

Operands of an n-ary elementwise primitive share one dtype (``axc.numpy`` promotes first)
and broadcast as NumPy does; adjoints undo the broadcast with a reduction.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from ..runtime import dtypes
from ..runtime.abstract import ShapedArray
from .quiet import quiet
from .registry import Primitive, never_weak
from .shapes import broadcast_shapes

FLOAT = "fcV"      # inexact: float, complex, bfloat16 (kind V)
REAL_FLOAT = "fV"
NUMERIC = "iufcV"
INTEGER = "iu"
INT_OR_BOOL = "iub"
ANY = "biufcV"
ORDERED = "biufV"  # complex numbers have no order


def _kind_name(kinds: str) -> str:
    return {FLOAT: "floating or complex", REAL_FLOAT: "floating", NUMERIC: "numeric",
            INTEGER: "integer", INT_OR_BOOL: "integer or boolean", ANY: "any"}.get(kinds, kinds)


def elementwise_rule(name: str, kinds: str, out_dtype: Any = None) -> Callable:
    """Shape/dtype rule: same dtypes of an accepted kind, broadcast shapes."""
    def rule(*avals: ShapedArray, **params: Any) -> ShapedArray:
        dts = {a.dtype for a in avals}
        if len(dts) > 1:
            raise TypeError(f"{name} requires arguments to have the same dtypes, got "
                            f"{', '.join(a.dtype.name for a in avals)}.")
        dt = avals[0].dtype
        if dt.kind not in kinds:
            raise TypeError(f"{name} does not accept dtype {dt.name}. Accepted dtypes are "
                            f"subtypes of {_kind_name(kinds)}.")
        shape = broadcast_shapes(*(a.shape for a in avals), op=name)
        out = dt if out_dtype is None else out_dtype(dt)
        # JAX: an elementwise result is weak iff every operand is (comparisons included).
        return ShapedArray(shape, np.dtype(out), all(a.weak_type for a in avals))
    return rule


def _declare(name: str, impl: Callable, kinds: str, *, out_dtype=None, **rules) -> Primitive:
    return Primitive(name, impl=impl, abstract_eval=elementwise_rule(name, kinds, out_dtype),
                     eager_kinds=kinds, family="elementwise", **rules)


def _bool_out(dt: np.dtype) -> np.dtype:
    return dtypes.bool_


def _real_out(dt: np.dtype) -> np.dtype:
    return np.dtype(np.finfo(dt).dtype) if dt.kind == "c" else dt


# --- integer helpers with XLA semantics -----------------------------------------------------

def _int_div(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Division rounding toward zero, with XLA's answers: x / 0 is -1, MIN / -1 is MIN."""
    zero = y == 0
    safe = np.where(zero, 1, y).astype(y.dtype)
    if x.dtype.kind == "u":
        return np.where(zero, np.iinfo(x.dtype).max, np.floor_divide(x, safe)).astype(x.dtype)
    overflow = (x == np.iinfo(x.dtype).min) & (safe == -1)
    safe = np.where(overflow, 1, safe).astype(y.dtype)
    q = np.floor_divide(x, safe)
    fix = (np.remainder(x, safe) != 0) & ((x < 0) != (safe < 0))
    q = np.where(fix, q + 1, q)
    return np.where(zero, -1, q).astype(x.dtype)


def _rem(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """C's ``fmod``; for integers XLA's x % 0 is x, and MIN % -1 is 0."""
    if x.dtype.kind not in "iu":
        return np.fmod(x, y)
    zero = y == 0
    safe = np.where(zero | ((y == -1) if x.dtype.kind == "i" else False), 1, y).astype(y.dtype)
    return np.where(zero, x, np.fmod(x, safe)).astype(x.dtype)


@quiet
def _div(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    return np.true_divide(x, y) if x.dtype.kind not in "iu" else _int_div(x, y)


@quiet
def _pow(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    if x.dtype.kind in "iu":
        neg = y < 0
        safe = np.where(neg, 0, y)
        out = np.power(x, safe)
        # x ** negative is 0 except for |x| == 1, as XLA computes it.
        return np.where(neg, np.where(x == 1, 1, np.where(x == -1, np.where(y % 2 == 0, 1, -1),
                                                                    0)), out).astype(x.dtype)
    out = np.power(x, y)
    if x.dtype.kind == "c":  # XLA: 0 ** y is nan when y has an imaginary part
        out = np.where((x == 0) & (y.imag != 0), np.array(complex(np.nan, np.nan), x.dtype), out)
    return out


def _shift_bits(x: np.ndarray) -> int:
    return x.dtype.itemsize * 8


def _shift_left(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    bits = _shift_bits(x)
    bad = (y < 0) | (y >= bits)
    return np.where(bad, 0, np.left_shift(x, np.where(bad, 0, y))).astype(x.dtype)


def _shift_right_arithmetic(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    bits = _shift_bits(x)
    yc = np.clip(y, 0, bits - 1) if x.dtype.kind == "i" else np.where(y >= bits, 0, y)
    out = np.right_shift(x, yc)
    if x.dtype.kind == "u":
        out = np.where(y >= bits, 0, out)
    return out.astype(x.dtype)


def _shift_right_logical(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    bits = _shift_bits(x)
    unsigned = np.dtype(f"u{x.dtype.itemsize}")
    ux = x.view(unsigned) if x.ndim else x.astype(unsigned)
    bad = (y < 0) | (y >= bits)
    out = np.right_shift(ux, np.where(bad, 0, y).astype(unsigned))
    return np.where(bad, 0, out).astype(unsigned).astype(x.dtype)


@quiet
def _round(x: np.ndarray, rounding_method: int = 0) -> np.ndarray:
    if rounding_method == 1:  # to nearest even
        return np.rint(x)
    t = np.trunc(x)  # away from zero
    return np.where(np.abs(x - t) >= 0.5, t + np.sign(x), t).astype(x.dtype)


@quiet
def _logistic(x: np.ndarray) -> np.ndarray:
    one = np.ones((), x.dtype)
    return one / (one + np.exp(-x))


@quiet
def _rsqrt(x: np.ndarray) -> np.ndarray:
    return np.ones((), x.dtype) / np.sqrt(x)


@quiet
def _convert(x: np.ndarray, new_dtype: np.dtype, weak_type: bool = False) -> np.ndarray:
    new_dtype = np.dtype(new_dtype)
    if new_dtype == x.dtype:
        return x
    if x.dtype.kind == "c" and new_dtype.kind != "c":
        x = x.real
    if new_dtype == dtypes.bool_:
        return x != 0
    if new_dtype.kind in "iu" and x.dtype.kind in "fV":
        # XLA saturates float->int conversions and maps NaN to 0.
        info = np.iinfo(new_dtype)
        xf = x.astype(np.float64)
        xf = np.where(np.isnan(xf), 0, np.clip(xf, info.min, info.max))
        return np.trunc(xf).astype(new_dtype)
    return x.astype(new_dtype)


def _convert_rule(x: ShapedArray, new_dtype: np.dtype, weak_type: bool = False) -> ShapedArray:
    dtypes.check_supported(np.dtype(new_dtype))
    return ShapedArray(x.shape, np.dtype(new_dtype), weak_type)


def _integer_pow(x: np.ndarray, y: int) -> np.ndarray:
    if y == 0:
        return np.ones_like(x)
    if y < 0:
        with np.errstate(all="ignore"):
            return (np.ones((), x.dtype) / np.power(x, -y)).astype(x.dtype)
    return np.power(x, y).astype(x.dtype, copy=False)


def _integer_pow_rule(x: ShapedArray, y: int) -> ShapedArray:
    if x.dtype.kind not in NUMERIC:
        raise TypeError(f"integer_pow does not accept dtype {x.dtype.name}")
    if y < 0 and x.dtype.kind in "iu":
        raise TypeError("integer_pow with a negative exponent requires a floating dtype")
    return x


def _select_n(which: np.ndarray, *cases: np.ndarray) -> np.ndarray:
    if len(cases) == 1:
        return np.broadcast_to(cases[0], np.broadcast_shapes(which.shape, cases[0].shape))
    if len(cases) == 2:
        return np.where(which, cases[1], cases[0])
    return np.choose(which.astype(np.intp), np.broadcast_arrays(*cases))


def _select_n_rule(which: ShapedArray, *cases: ShapedArray) -> ShapedArray:
    if not cases:
        raise TypeError("select_n requires at least one case")
    if which.dtype != dtypes.bool_ and which.dtype.kind != "i":
        raise TypeError(f"select_n `which` must be boolean or integer, got {which.dtype.name}")
    out = elementwise_rule("select_n", ANY)(*cases)
    shape = broadcast_shapes(which.shape, out.shape, op="select_n")
    return ShapedArray(shape, out.dtype, out.weak_type)


def _clamp(lo: np.ndarray, x: np.ndarray, hi: np.ndarray) -> np.ndarray:
    return np.minimum(np.maximum(x, lo), hi)


def _complex_rule(x: ShapedArray, y: ShapedArray) -> ShapedArray:
    out = elementwise_rule("complex", REAL_FLOAT)(x, y)
    cdt = dtypes.complex128 if out.dtype == dtypes.float64 else dtypes.complex64
    return ShapedArray(out.shape, cdt, out.weak_type)


# --- declarations: one line per primitive; later work adds rules to these calls ------------

add_p = _declare("add", quiet(np.add), NUMERIC)
sub_p = _declare("sub", quiet(np.subtract), NUMERIC)
mul_p = _declare("mul", quiet(np.multiply), NUMERIC)
div_p = _declare("div", _div, NUMERIC)
rem_p = _declare("rem", quiet(_rem), NUMERIC)
pow_p = _declare("pow", _pow, NUMERIC)
max_p = _declare("max", np.maximum, ANY)
min_p = _declare("min", np.minimum, ANY)
atan2_p = _declare("atan2", quiet(np.arctan2), REAL_FLOAT)
nextafter_p = _declare("nextafter", np.nextafter, REAL_FLOAT)
complex_p = Primitive("complex", impl=lambda x, y: x + 1j * y, abstract_eval=_complex_rule,
                      family="elementwise")

and_p = _declare("and", np.bitwise_and, INT_OR_BOOL)
or_p = _declare("or", np.bitwise_or, INT_OR_BOOL)
xor_p = _declare("xor", np.bitwise_xor, INT_OR_BOOL)
not_p = _declare("not", np.invert, INT_OR_BOOL)
shift_left_p = _declare("shift_left", _shift_left, INTEGER)
shift_right_arithmetic_p = _declare("shift_right_arithmetic", _shift_right_arithmetic, INTEGER)
shift_right_logical_p = _declare("shift_right_logical", _shift_right_logical, INTEGER)
population_count_p = _declare("population_count", lambda x: np.bitwise_count(x).astype(x.dtype),
                             INTEGER)

eq_p = _declare("eq", np.equal, ANY, out_dtype=_bool_out)
ne_p = _declare("ne", np.not_equal, ANY, out_dtype=_bool_out)
lt_p = _declare("lt", np.less, ORDERED, out_dtype=_bool_out)
le_p = _declare("le", np.less_equal, ORDERED, out_dtype=_bool_out)
gt_p = _declare("gt", np.greater, ORDERED, out_dtype=_bool_out)
ge_p = _declare("ge", np.greater_equal, ORDERED, out_dtype=_bool_out)
is_finite_p = _declare("is_finite", np.isfinite, REAL_FLOAT, out_dtype=_bool_out)

neg_p = _declare("neg", np.negative, NUMERIC)
sign_p = _declare("sign", np.sign, NUMERIC)
abs_p = _declare("abs", np.abs, NUMERIC, out_dtype=_real_out)
floor_p = _declare("floor", np.floor, REAL_FLOAT)
ceil_p = _declare("ceil", np.ceil, REAL_FLOAT)
round_p = _declare("round", _round, REAL_FLOAT)
exp_p = _declare("exp", quiet(np.exp), FLOAT)
exp2_p = _declare("exp2", quiet(np.exp2), FLOAT)
log_p = _declare("log", quiet(np.log), FLOAT)
log1p_p = _declare("log1p", quiet(np.log1p), FLOAT)
expm1_p = _declare("expm1", quiet(np.expm1), FLOAT)
sqrt_p = _declare("sqrt", quiet(np.sqrt), FLOAT)
rsqrt_p = _declare("rsqrt", _rsqrt, FLOAT)
cbrt_p = _declare("cbrt", np.cbrt, REAL_FLOAT)
logistic_p = _declare("logistic", _logistic, FLOAT)
sin_p = _declare("sin", quiet(np.sin), FLOAT)
cos_p = _declare("cos", quiet(np.cos), FLOAT)
tan_p = _declare("tan", quiet(np.tan), FLOAT)
asin_p = _declare("asin", quiet(np.arcsin), FLOAT)
acos_p = _declare("acos", quiet(np.arccos), FLOAT)
atan_p = _declare("atan", quiet(np.arctan), FLOAT)
sinh_p = _declare("sinh", quiet(np.sinh), FLOAT)
cosh_p = _declare("cosh", quiet(np.cosh), FLOAT)
tanh_p = _declare("tanh", np.tanh, FLOAT)
asinh_p = _declare("asinh", quiet(np.arcsinh), FLOAT)
acosh_p = _declare("acosh", quiet(np.arccosh), FLOAT)
atanh_p = _declare("atanh", quiet(np.arctanh), FLOAT)
real_p = _declare("real", np.real, "c", out_dtype=_real_out)
imag_p = _declare("imag", np.imag, "c", out_dtype=_real_out)
conj_p = _declare("conj", np.conjugate, "c")

integer_pow_p = Primitive("integer_pow", impl=quiet(_integer_pow),
                          abstract_eval=_integer_pow_rule, family="elementwise")
convert_element_type_p = Primitive(
    "convert_element_type", impl=_convert, abstract_eval=_convert_rule,
    weak_rule=lambda weaks, new_dtype, weak_type=False: weak_type, family="elementwise")
select_n_p = Primitive("select_n", impl=_select_n, abstract_eval=_select_n_rule,
                       weak_rule=lambda weaks: all(weaks[1:]), family="elementwise")
clamp_p = _declare("clamp", _clamp, ANY)


def _bitcast_rule(x: ShapedArray, new_dtype: np.dtype) -> ShapedArray:
    new_dtype = np.dtype(new_dtype)
    if new_dtype.itemsize != x.dtype.itemsize:
        raise TypeError(f"bitcast_convert_type between {x.dtype.name} and {new_dtype.name} "
                        f"needs equal item sizes")
    return ShapedArray(x.shape, new_dtype, False)


bitcast_convert_type_p = Primitive(
    "bitcast_convert_type", impl=lambda x, new_dtype: x.view(np.dtype(new_dtype)),
    abstract_eval=_bitcast_rule, weak_rule=never_weak, family="elementwise")
