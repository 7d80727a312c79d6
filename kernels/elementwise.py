"""Elementwise primitives: unary and binary math, comparisons, bitwise ops, select, casts.

Operands of an n-ary elementwise primitive share one dtype (``axc.numpy`` promotes first)
and broadcast as NumPy does; adjoint templates undo the broadcast with a reduction.
"""
from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np

from ..runtime import dtypes
from ..runtime.abstract import ShapedArray
from ..runtime.array import Array
from . import ad_util
from .batch_util import broadcast_batcher
from .quiet import quiet
from .registry import NotApplicable, Primitive, Templates, never_weak
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
                     eager_kinds=kinds, family="elementwise", batch=broadcast_batcher(name),
                     **rules)


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



def _bitcast_rule(x: ShapedArray, new_dtype: np.dtype) -> ShapedArray:
    new_dtype = np.dtype(new_dtype)
    if new_dtype.itemsize != x.dtype.itemsize:
        raise TypeError(f"bitcast_convert_type between {x.dtype.name} and {new_dtype.name} "
                        f"needs equal item sizes")
    return ShapedArray(x.shape, new_dtype, False)


# --- AD templates: JAX's rules (jax/_src/lax/lax.py) over primitives ------------------------
#
# A unary rule multiplies by the derivative, a product that is its own transpose under JAX's
# convention (no conjugation), so one function serves as the JVP template (``t`` a tangent)
# and as the adjoint template (``t`` a cotangent). A binary rule's adjoint is its JVP applied
# to the cotangent, summed back to the operand's shape.

def _rules(jvp: tuple, adjoint: tuple) -> dict[str, Templates]:
    return {"jvp": Templates(jvp), "adjoint": Templates(adjoint)}


def _unary(template: Callable) -> dict[str, Templates]:
    return _rules((template,), (template,))


def _no_derivative(why: str) -> dict[str, NotApplicable]:
    return {"jvp": NotApplicable(why), "adjoint": NotApplicable(why)}


def _zero_tangent(t: Array, ans: Array, x: Array, **params: Any) -> Array:
    return ad_util.zeros_like(ans)


def _zero_cotangent(g: Array, ans: Array, x: Array, **params: Any) -> Array:
    return ad_util.zeros_like(x)


# Piecewise-constant functions: differentiable with derivative zero, as in JAX.
_ZERO_DERIVATIVE = _rules((_zero_tangent,), (_zero_cotangent,))


def _replace_zero(x: Array) -> Array:
    """``x`` with ones where it is zero (JAX's guard for ``log`` and division in rules)."""
    return select_n_p.bind(eq_p.bind(x, ad_util.zeros_like(x)), x, ad_util.ones_like(x))


def _identity_jvp(t: Array, ans: Array, x: Array, y: Array) -> Array:
    return ad_util.broadcast_like(t, ans)


def _identity_adjoint_x(g: Array, ans: Array, x: Array, y: Array) -> Array:
    return ad_util.unbroadcast(g, x)


def _identity_adjoint_y(g: Array, ans: Array, x: Array, y: Array) -> Array:
    return ad_util.unbroadcast(g, y)


def _sub_jvp_y(t: Array, ans: Array, x: Array, y: Array) -> Array:
    return ad_util.broadcast_like(-t, ans)


def _sub_adjoint_y(g: Array, ans: Array, x: Array, y: Array) -> Array:
    return ad_util.unbroadcast(-g, y)


def _mul_jvp_x(t: Array, ans: Array, x: Array, y: Array) -> Array:
    return t * y


def _mul_jvp_y(t: Array, ans: Array, x: Array, y: Array) -> Array:
    return x * t


def _mul_adjoint_x(g: Array, ans: Array, x: Array, y: Array) -> Array:
    return ad_util.unbroadcast(_mul_jvp_x(g, ans, x, y), x)


def _mul_adjoint_y(g: Array, ans: Array, x: Array, y: Array) -> Array:
    return ad_util.unbroadcast(_mul_jvp_y(g, ans, x, y), y)


def _div_jvp_x(t: Array, ans: Array, x: Array, y: Array) -> Array:
    return t / y


def _div_jvp_y(t: Array, ans: Array, x: Array, y: Array) -> Array:
    return -t * x * integer_pow_p.bind(y, y=-2)


def _div_adjoint_x(g: Array, ans: Array, x: Array, y: Array) -> Array:
    return ad_util.unbroadcast(_div_jvp_x(g, ans, x, y), x)


def _div_adjoint_y(g: Array, ans: Array, x: Array, y: Array) -> Array:
    return ad_util.unbroadcast(_div_jvp_y(g, ans, x, y), y)


def _rem_jvp_y(t: Array, ans: Array, x: Array, y: Array) -> Array:
    # rem(x, y) = x - y * trunc(x / y), and trunc is piecewise constant.
    q = x / y
    return -t * (sign_p.bind(q) * floor_p.bind(abs_p.bind(q)))


def _rem_adjoint_y(g: Array, ans: Array, x: Array, y: Array) -> Array:
    return ad_util.unbroadcast(_rem_jvp_y(g, ans, x, y), y)


def _pow_jvp_x(t: Array, ans: Array, x: Array, y: Array) -> Array:
    return t * (y * pow_p.bind(x, y - 1))


def _pow_jvp_y(t: Array, ans: Array, x: Array, y: Array) -> Array:
    # JAX's convention: d/dy x**y is 0 (not nan) at x == 0.
    return t * (log_p.bind(_replace_zero(x)) * ans)


def _pow_adjoint_x(g: Array, ans: Array, x: Array, y: Array) -> Array:
    return ad_util.unbroadcast(_pow_jvp_x(g, ans, x, y), x)


def _pow_adjoint_y(g: Array, ans: Array, x: Array, y: Array) -> Array:
    return ad_util.unbroadcast(_pow_jvp_y(g, ans, x, y), y)


def _balanced_eq(x: Array, ans: Array, y: Array) -> Array:
    """1 where ``x`` is the result of max/min, 0 elsewhere, 1/2 at ties (JAX splits ties)."""
    chosen = convert_element_type_p.bind(eq_p.bind(x, ans), new_dtype=ans.dtype,
                                         weak_type=False)
    tied = convert_element_type_p.bind(eq_p.bind(y, ans), new_dtype=ans.dtype, weak_type=False)
    return chosen / (tied + 1)


# max and min share these: each picks the operand that equals the result.
def _minmax_jvp_x(t: Array, ans: Array, x: Array, y: Array) -> Array:
    return t * _balanced_eq(x, ans, y)


def _minmax_jvp_y(t: Array, ans: Array, x: Array, y: Array) -> Array:
    return t * _balanced_eq(y, ans, x)


def _minmax_adjoint_x(g: Array, ans: Array, x: Array, y: Array) -> Array:
    return ad_util.unbroadcast(_minmax_jvp_x(g, ans, x, y), x)


def _minmax_adjoint_y(g: Array, ans: Array, x: Array, y: Array) -> Array:
    return ad_util.unbroadcast(_minmax_jvp_y(g, ans, x, y), y)


def _atan2_jvp_x(t: Array, ans: Array, x: Array, y: Array) -> Array:
    return t * (y / (x * x + y * y))


def _atan2_jvp_y(t: Array, ans: Array, x: Array, y: Array) -> Array:
    return t * (-x / (x * x + y * y))


def _atan2_adjoint_x(g: Array, ans: Array, x: Array, y: Array) -> Array:
    return ad_util.unbroadcast(_atan2_jvp_x(g, ans, x, y), x)


def _atan2_adjoint_y(g: Array, ans: Array, x: Array, y: Array) -> Array:
    return ad_util.unbroadcast(_atan2_jvp_y(g, ans, x, y), y)


# complex(x, y) = x + iy is linear; its transpose takes the real part and minus the imaginary
# part (JAX's convention pairs real and imaginary parts, <a, b> = re(sum(a * b))).
def _complex_jvp_x(t: Array, ans: Array, x: Array, y: Array) -> Array:
    return complex_p.bind(t, ad_util.zeros_like(y))


def _complex_jvp_y(t: Array, ans: Array, x: Array, y: Array) -> Array:
    return complex_p.bind(ad_util.zeros_like(x), t)


def _complex_adjoint_x(g: Array, ans: Array, x: Array, y: Array) -> Array:
    return ad_util.unbroadcast(real_p.bind(g), x)


def _complex_adjoint_y(g: Array, ans: Array, x: Array, y: Array) -> Array:
    return ad_util.unbroadcast(-imag_p.bind(g), y)


def _d_neg(t: Array, ans: Array, x: Array) -> Array:
    return -t


def _abs_jvp(t: Array, ans: Array, x: Array) -> Array:
    if x.dtype.kind == "c":
        return real_p.bind(t * _abs_direction(ans, x))
    # JAX takes the right derivative at 0: +t.
    return select_n_p.bind(ge_p.bind(x, ad_util.zeros_like(x)), -t, t)


def _abs_adjoint(g: Array, ans: Array, x: Array) -> Array:
    if x.dtype.kind == "c":
        return g * _abs_direction(ans, x)
    return _abs_jvp(g, ans, x)


def _abs_direction(ans: Array, x: Array) -> Array:
    """``conj(x) / |x|`` (``conj(x)`` where x is 0): d|x| = re(conj(x) dx) / |x|."""
    size = convert_element_type_p.bind(ans, new_dtype=x.dtype, weak_type=False)
    return conj_p.bind(x) / _replace_zero(size)


def _d_exp(t: Array, ans: Array, x: Array) -> Array:
    return t * ans


def _d_exp2(t: Array, ans: Array, x: Array) -> Array:
    return math.log(2) * (t * ans)


def _d_log(t: Array, ans: Array, x: Array) -> Array:
    return t / x


def _d_log1p(t: Array, ans: Array, x: Array) -> Array:
    return t / (x + 1)


def _d_expm1(t: Array, ans: Array, x: Array) -> Array:
    return t * (ans + 1)


def _d_sqrt(t: Array, ans: Array, x: Array) -> Array:
    return t * (0.5 / ans)


def _d_rsqrt(t: Array, ans: Array, x: Array) -> Array:
    return t * (-0.5 * (ans / x))


def _d_cbrt(t: Array, ans: Array, x: Array) -> Array:
    return t * ((1 / 3) * integer_pow_p.bind(ans, y=-2))


def _d_logistic(t: Array, ans: Array, x: Array) -> Array:
    return t * (ans * (1 - ans))


def _d_sin(t: Array, ans: Array, x: Array) -> Array:
    return t * cos_p.bind(x)


def _d_cos(t: Array, ans: Array, x: Array) -> Array:
    return -(t * sin_p.bind(x))


def _d_tan(t: Array, ans: Array, x: Array) -> Array:
    return t * (ans * ans + 1)


def _d_asin(t: Array, ans: Array, x: Array) -> Array:
    return t * rsqrt_p.bind(1 - x * x)


def _d_acos(t: Array, ans: Array, x: Array) -> Array:
    return t * -rsqrt_p.bind(1 - x * x)


def _d_atan(t: Array, ans: Array, x: Array) -> Array:
    return t / (x * x + 1)


def _d_sinh(t: Array, ans: Array, x: Array) -> Array:
    return t * cosh_p.bind(x)


def _d_cosh(t: Array, ans: Array, x: Array) -> Array:
    return t * sinh_p.bind(x)


def _d_tanh(t: Array, ans: Array, x: Array) -> Array:
    return (t + t * ans) * (1 - ans)


def _d_asinh(t: Array, ans: Array, x: Array) -> Array:
    return t * rsqrt_p.bind(x * x + 1)


def _d_acosh(t: Array, ans: Array, x: Array) -> Array:
    return t * rsqrt_p.bind(x * x - 1)


def _d_atanh(t: Array, ans: Array, x: Array) -> Array:
    return (1 / (x + 1)) * (t / (1 - x))


def _real_jvp(t: Array, ans: Array, x: Array) -> Array:
    return real_p.bind(t)


def _real_adjoint(g: Array, ans: Array, x: Array) -> Array:
    return complex_p.bind(g, ad_util.zeros_like(g))


def _imag_jvp(t: Array, ans: Array, x: Array) -> Array:
    return imag_p.bind(t)


def _imag_adjoint(g: Array, ans: Array, x: Array) -> Array:
    return complex_p.bind(ad_util.zeros_like(g), -g)


def _d_conj(t: Array, ans: Array, x: Array) -> Array:
    return conj_p.bind(t)


def _d_integer_pow(t: Array, ans: Array, x: Array, *, y: int) -> Array:
    if y == 0:
        return ad_util.zeros_like(x)
    return t * (y * integer_pow_p.bind(x, y=y - 1))


def _converts_values(x: Array, new_dtype: Any) -> bool:
    """A cast between inexact dtypes carries derivatives; one to or from integers does not."""
    return x.dtype.kind in FLOAT and np.dtype(new_dtype).kind in FLOAT


def _convert_jvp(t: Array, ans: Array, x: Array, *, new_dtype: Any,
                 weak_type: bool = False) -> Array:
    if not _converts_values(x, new_dtype):
        return ad_util.zeros_like(ans)
    return convert_element_type_p.bind(t, new_dtype=new_dtype, weak_type=weak_type)


def _convert_adjoint(g: Array, ans: Array, x: Array, *, new_dtype: Any,
                     weak_type: bool = False) -> Array:
    if not _converts_values(x, new_dtype):
        return ad_util.zeros_like(x)
    return ad_util.cast_like(g, x)


def _select_n_jvp(t: Array, ans: Array, which: Array, *cases: Array, index: int) -> Array:
    """Case ``index`` (operand ``index``, case ``index - 1``) contributes where it is chosen."""
    zero = ad_util.zeros_like(ans)
    picked = ad_util.broadcast_like(t, ans)
    return select_n_p.bind(which, *[picked if i == index else zero
                                    for i in range(1, len(cases) + 1)])


def _select_n_adjoint(g: Array, ans: Array, which: Array, *cases: Array, index: int) -> Array:
    return ad_util.unbroadcast(_select_n_jvp(g, ans, which, *cases, index=index),
                               cases[index - 1])


def _masked(mask: Array, t: Array, ans: Array) -> Array:
    """``t`` (broadcast to ``ans``) where ``mask`` holds, zero elsewhere."""
    return select_n_p.bind(mask, ad_util.zeros_like(ans), ad_util.broadcast_like(t, ans))


# clamp(lo, x, hi): JAX gives every operand a zero derivative at ties.
def _clamp_jvp_lo(t: Array, ans: Array, lo: Array, x: Array, hi: Array) -> Array:
    return _masked(and_p.bind(gt_p.bind(lo, x), lt_p.bind(lo, hi)), t, ans)


def _clamp_jvp_x(t: Array, ans: Array, lo: Array, x: Array, hi: Array) -> Array:
    return _masked(and_p.bind(gt_p.bind(x, lo), lt_p.bind(x, hi)), t, ans)


def _clamp_jvp_hi(t: Array, ans: Array, lo: Array, x: Array, hi: Array) -> Array:
    return _masked(lt_p.bind(hi, x), t, ans)


def _clamp_adjoint_lo(g: Array, ans: Array, lo: Array, x: Array, hi: Array) -> Array:
    return ad_util.unbroadcast(_clamp_jvp_lo(g, ans, lo, x, hi), lo)


def _clamp_adjoint_x(g: Array, ans: Array, lo: Array, x: Array, hi: Array) -> Array:
    return ad_util.unbroadcast(_clamp_jvp_x(g, ans, lo, x, hi), x)


def _clamp_adjoint_hi(g: Array, ans: Array, lo: Array, x: Array, hi: Array) -> Array:
    return ad_util.unbroadcast(_clamp_jvp_hi(g, ans, lo, x, hi), hi)


# --- declarations: one line per primitive, with its AD rules -------------------------------

_BITWISE = _no_derivative("bitwise operation on integers or booleans")
_COMPARISON = _no_derivative("comparison: boolean output")

add_p = _declare("add", quiet(np.add), NUMERIC,
                 **_rules((_identity_jvp, _identity_jvp),
                          (_identity_adjoint_x, _identity_adjoint_y)))
sub_p = _declare("sub", quiet(np.subtract), NUMERIC,
                 **_rules((_identity_jvp, _sub_jvp_y), (_identity_adjoint_x, _sub_adjoint_y)))
mul_p = _declare("mul", quiet(np.multiply), NUMERIC,
                 **_rules((_mul_jvp_x, _mul_jvp_y), (_mul_adjoint_x, _mul_adjoint_y)))
div_p = _declare("div", _div, NUMERIC,
                 **_rules((_div_jvp_x, _div_jvp_y), (_div_adjoint_x, _div_adjoint_y)))
rem_p = _declare("rem", quiet(_rem), NUMERIC,
                 **_rules((_identity_jvp, _rem_jvp_y), (_identity_adjoint_x, _rem_adjoint_y)))
pow_p = _declare("pow", _pow, NUMERIC,
                 **_rules((_pow_jvp_x, _pow_jvp_y), (_pow_adjoint_x, _pow_adjoint_y)))
max_p = _declare("max", np.maximum, ANY, **_rules((_minmax_jvp_x, _minmax_jvp_y),
                                                  (_minmax_adjoint_x, _minmax_adjoint_y)))
min_p = _declare("min", np.minimum, ANY, **_rules((_minmax_jvp_x, _minmax_jvp_y),
                                                  (_minmax_adjoint_x, _minmax_adjoint_y)))
atan2_p = _declare("atan2", quiet(np.arctan2), REAL_FLOAT,
                   **_rules((_atan2_jvp_x, _atan2_jvp_y), (_atan2_adjoint_x, _atan2_adjoint_y)))
# JAX defines no derivative for nextafter: a one-ulp step, neither the identity nor constant.
nextafter_p = _declare("nextafter", np.nextafter, REAL_FLOAT,
                       **_no_derivative("JAX defines no differentiation rule for nextafter"))
complex_p = Primitive("complex", impl=lambda x, y: x + 1j * y, abstract_eval=_complex_rule,
                      family="elementwise", batch=broadcast_batcher("complex"),
                      **_rules((_complex_jvp_x, _complex_jvp_y),
                               (_complex_adjoint_x, _complex_adjoint_y)))

and_p = _declare("and", np.bitwise_and, INT_OR_BOOL, **_BITWISE)
or_p = _declare("or", np.bitwise_or, INT_OR_BOOL, **_BITWISE)
xor_p = _declare("xor", np.bitwise_xor, INT_OR_BOOL, **_BITWISE)
not_p = _declare("not", np.invert, INT_OR_BOOL, **_BITWISE)
shift_left_p = _declare("shift_left", _shift_left, INTEGER, **_BITWISE)
shift_right_arithmetic_p = _declare("shift_right_arithmetic", _shift_right_arithmetic, INTEGER,
                                    **_BITWISE)
shift_right_logical_p = _declare("shift_right_logical", _shift_right_logical, INTEGER,
                                 **_BITWISE)
population_count_p = _declare("population_count", lambda x: np.bitwise_count(x).astype(x.dtype),
                              INTEGER, **_BITWISE)

eq_p = _declare("eq", np.equal, ANY, out_dtype=_bool_out, **_COMPARISON)
ne_p = _declare("ne", np.not_equal, ANY, out_dtype=_bool_out, **_COMPARISON)
lt_p = _declare("lt", np.less, ORDERED, out_dtype=_bool_out, **_COMPARISON)
le_p = _declare("le", np.less_equal, ORDERED, out_dtype=_bool_out, **_COMPARISON)
gt_p = _declare("gt", np.greater, ORDERED, out_dtype=_bool_out, **_COMPARISON)
ge_p = _declare("ge", np.greater_equal, ORDERED, out_dtype=_bool_out, **_COMPARISON)
is_finite_p = _declare("is_finite", np.isfinite, REAL_FLOAT, out_dtype=_bool_out,
                       **_no_derivative("boolean output"))

neg_p = _declare("neg", np.negative, NUMERIC, **_unary(_d_neg))
sign_p = _declare("sign", np.sign, NUMERIC, **_ZERO_DERIVATIVE)
abs_p = _declare("abs", np.abs, NUMERIC, out_dtype=_real_out,
                 **_rules((_abs_jvp,), (_abs_adjoint,)))
floor_p = _declare("floor", np.floor, REAL_FLOAT, **_ZERO_DERIVATIVE)
ceil_p = _declare("ceil", np.ceil, REAL_FLOAT, **_ZERO_DERIVATIVE)
round_p = _declare("round", _round, REAL_FLOAT, **_ZERO_DERIVATIVE)
exp_p = _declare("exp", quiet(np.exp), FLOAT, **_unary(_d_exp))
exp2_p = _declare("exp2", quiet(np.exp2), FLOAT, **_unary(_d_exp2))
log_p = _declare("log", quiet(np.log), FLOAT, **_unary(_d_log))
log1p_p = _declare("log1p", quiet(np.log1p), FLOAT, **_unary(_d_log1p))
expm1_p = _declare("expm1", quiet(np.expm1), FLOAT, **_unary(_d_expm1))
sqrt_p = _declare("sqrt", quiet(np.sqrt), FLOAT, **_unary(_d_sqrt))
rsqrt_p = _declare("rsqrt", _rsqrt, FLOAT, **_unary(_d_rsqrt))
cbrt_p = _declare("cbrt", np.cbrt, REAL_FLOAT, **_unary(_d_cbrt))
logistic_p = _declare("logistic", _logistic, FLOAT, **_unary(_d_logistic))
sin_p = _declare("sin", quiet(np.sin), FLOAT, **_unary(_d_sin))
cos_p = _declare("cos", quiet(np.cos), FLOAT, **_unary(_d_cos))
tan_p = _declare("tan", quiet(np.tan), FLOAT, **_unary(_d_tan))
asin_p = _declare("asin", quiet(np.arcsin), FLOAT, **_unary(_d_asin))
acos_p = _declare("acos", quiet(np.arccos), FLOAT, **_unary(_d_acos))
atan_p = _declare("atan", quiet(np.arctan), FLOAT, **_unary(_d_atan))
sinh_p = _declare("sinh", quiet(np.sinh), FLOAT, **_unary(_d_sinh))
cosh_p = _declare("cosh", quiet(np.cosh), FLOAT, **_unary(_d_cosh))
tanh_p = _declare("tanh", np.tanh, FLOAT, **_unary(_d_tanh))
asinh_p = _declare("asinh", quiet(np.arcsinh), FLOAT, **_unary(_d_asinh))
acosh_p = _declare("acosh", quiet(np.arccosh), FLOAT, **_unary(_d_acosh))
atanh_p = _declare("atanh", quiet(np.arctanh), FLOAT, **_unary(_d_atanh))
real_p = _declare("real", np.real, "c", out_dtype=_real_out,
                  **_rules((_real_jvp,), (_real_adjoint,)))
imag_p = _declare("imag", np.imag, "c", out_dtype=_real_out,
                  **_rules((_imag_jvp,), (_imag_adjoint,)))
conj_p = _declare("conj", np.conjugate, "c", **_unary(_d_conj))

integer_pow_p = Primitive("integer_pow", impl=quiet(_integer_pow),
                          abstract_eval=_integer_pow_rule, family="elementwise",
                          batch=broadcast_batcher("integer_pow"),
                          **_unary(_d_integer_pow))
convert_element_type_p = Primitive(
    "convert_element_type", impl=_convert, abstract_eval=_convert_rule,
    weak_rule=lambda weaks, new_dtype, weak_type=False: weak_type, family="elementwise",
    batch=broadcast_batcher("convert_element_type"),
    **_rules((_convert_jvp,), (_convert_adjoint,)))
# The predicate (operand 0) has no derivative; the cases are variadic.
select_n_p = Primitive("select_n", impl=_select_n, abstract_eval=_select_n_rule,
                       weak_rule=lambda weaks: all(weaks[1:]), family="elementwise",
                       batch=broadcast_batcher("select_n"),
                       jvp=Templates((None,), rest=_select_n_jvp),
                       adjoint=Templates((None,), rest=_select_n_adjoint))
clamp_p = _declare("clamp", _clamp, ANY,
                   **_rules((_clamp_jvp_lo, _clamp_jvp_x, _clamp_jvp_hi),
                            (_clamp_adjoint_lo, _clamp_adjoint_x, _clamp_adjoint_hi)))
# JAX: a zero derivative (a float-to-float reinterpretation carries no derivative either).
bitcast_convert_type_p = Primitive(
    "bitcast_convert_type", impl=lambda x, new_dtype: x.view(np.dtype(new_dtype)),
    abstract_eval=_bitcast_rule, weak_rule=never_weak, family="elementwise",
    batch=broadcast_batcher("bitcast_convert_type"), **_ZERO_DERIVATIVE)
