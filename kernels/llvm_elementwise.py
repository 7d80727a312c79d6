"""LLVM emitters of the elementwise primitives: one scalar operation each, on llvmlite values.

The codegen (``compiler/codegen/llvm``) wraps them in fused, vectorisable loops. Each rule
computes what the primitive's eager ``impl`` computes, bit for bit where IEEE arithmetic
allows (the jit tests hold them to it): XLA's integer division and shift results, NumPy's
NaN-propagating ``maximum``/``minimum``, saturating float-to-int casts.

A rule is ``rule(em, *xs, **params) -> value``; ``em`` is an ``Emitter`` (the builder and
the operand and result dtypes). Primitives without a rule here (complex numbers, lgamma,
digamma, nextafter) run on the NumPy fallback.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
from llvmlite import ir

from . import llvm_math

_FLOAT_TYPES = {np.dtype(np.float32): ir.FloatType(), np.dtype(np.float64): ir.DoubleType()}


def llvm_type(dt: np.dtype) -> ir.Type | None:
    """The register type of a dtype (bool is i1), or None if the backend lacks it."""
    dt = np.dtype(dt)
    if dt in _FLOAT_TYPES:
        return _FLOAT_TYPES[dt]
    if dt.kind == "b":
        return ir.IntType(1)
    if dt.kind in "iu":
        return ir.IntType(dt.itemsize * 8)
    return None


class Emitter:
    """What a rule needs: the builder, the operands' dtype and the result's dtype."""

    def __init__(self, builder: ir.IRBuilder, in_dtype: np.dtype, out_dtype: np.dtype) -> None:
        self.b = builder
        self.dt = np.dtype(in_dtype)
        self.out = np.dtype(out_dtype)

    @property
    def is_float(self) -> bool:
        return self.dt.kind == "f"

    @property
    def signed(self) -> bool:
        return self.dt.kind == "i"

    def const(self, value: Any, dt: np.dtype | None = None) -> ir.Constant:
        dt = np.dtype(dt or self.dt)
        ty = llvm_type(dt)
        if dt.kind == "f":
            return ir.Constant(ty, float(value))
        return ir.Constant(ty, int(value) & ((1 << ty.width) - 1))

    def intrinsic(self, name: str, *args: ir.Value) -> ir.Value:
        """Call ``llvm.<name>`` overloaded on the first operand's type."""
        ty = args[0].type
        fn = self.b.module.declare_intrinsic(f"llvm.{name}", [ty],
                                             ir.FunctionType(ty, [ty] * len(args)))
        return self.b.call(fn, list(args))

    def math(self, name: str, *args: ir.Value) -> ir.Value:
        return llvm_math.emit(self.b, name, *args)


# --- arithmetic -------------------------------------------------------------------------------

def _arith(float_op: str, int_op: str) -> Callable:
    def rule(em: Emitter, x: ir.Value, y: ir.Value) -> ir.Value:
        return getattr(em.b, float_op if em.is_float else int_op)(x, y)
    return rule


def _div(em: Emitter, x: ir.Value, y: ir.Value) -> ir.Value:
    if em.is_float:
        return em.b.fdiv(x, y)
    b = em.b
    zero = b.icmp_unsigned("==", y, em.const(0))
    if not em.signed:
        q = b.udiv(x, b.select(zero, em.const(1), y))
        return b.select(zero, em.const(-1), q)  # all ones: the largest unsigned value
    bits = x.type.width
    overflow = b.and_(b.icmp_signed("==", x, em.const(-(1 << (bits - 1)))),
                      b.icmp_signed("==", y, em.const(-1)))
    safe = b.select(b.or_(zero, overflow), em.const(1), y)
    q = b.sdiv(x, safe)
    return b.select(zero, em.const(-1), b.select(overflow, x, q))


def _rem(em: Emitter, x: ir.Value, y: ir.Value) -> ir.Value:
    b = em.b
    if em.is_float:
        return b.frem(x, y)
    zero = b.icmp_unsigned("==", y, em.const(0))
    if not em.signed:
        return b.select(zero, x, b.urem(x, b.select(zero, em.const(1), y)))
    minus_one = b.icmp_signed("==", y, em.const(-1))
    r = b.srem(x, b.select(b.or_(zero, minus_one), em.const(1), y))
    return b.select(zero, x, r)


def _int_pow(em: Emitter, x: ir.Value, y: ir.Value) -> ir.Value:
    """Square-and-multiply over every exponent bit (branch-free); XLA's negative powers."""
    b = em.b
    acc, base = em.const(1), x
    for k in range(x.type.width - (1 if em.signed else 0)):
        bit = b.trunc(b.lshr(y, em.const(k)), ir.IntType(1))
        acc = b.select(bit, b.mul(acc, base), acc)
        base = b.mul(base, base)
    if not em.signed:
        return acc
    neg = b.icmp_signed("<", y, em.const(0))
    one = b.icmp_signed("==", x, em.const(1))
    minus_one = b.icmp_signed("==", x, em.const(-1))
    even = b.icmp_unsigned("==", b.and_(y, em.const(1)), em.const(0))
    negative_power = b.select(one, em.const(1),
                              b.select(minus_one, b.select(even, em.const(1), em.const(-1)),
                                       em.const(0)))
    return b.select(neg, negative_power, acc)


def _pow(em: Emitter, x: ir.Value, y: ir.Value) -> ir.Value:
    return em.math("pow", x, y) if em.is_float else _int_pow(em, x, y)


def _minmax(is_max: bool) -> Callable:
    def rule(em: Emitter, x: ir.Value, y: ir.Value) -> ir.Value:
        b = em.b
        if em.is_float:  # NumPy: (x > y or isnan(x)) ? x : y (NaN propagates; ties give y)
            keep = b.or_(b.fcmp_ordered(">" if is_max else "<", x, y),
                         b.fcmp_unordered("uno", x, x))
        elif em.signed:
            keep = b.icmp_signed(">=" if is_max else "<=", x, y)
        else:
            keep = b.icmp_unsigned(">=" if is_max else "<=", x, y)
        return b.select(keep, x, y)
    return rule


def _clamp(em: Emitter, lo: ir.Value, x: ir.Value, hi: ir.Value) -> ir.Value:
    return _minmax(False)(em, _minmax(True)(em, x, lo), hi)


def _integer_pow(em: Emitter, x: ir.Value, *, y: int) -> ir.Value:
    """``x ** y`` for a static ``y``, by repeated squaring; negative ``y`` is 1 / x**-y."""
    b = em.b
    mul = b.fmul if em.is_float else b.mul
    n, acc, base = abs(y), None, x
    while n:
        if n & 1:
            acc = base if acc is None else mul(acc, base)
        n >>= 1
        if n:
            base = mul(base, base)
    if acc is None:
        return em.const(1)
    return b.fdiv(em.const(1), acc) if y < 0 else acc


# --- bits and logic ---------------------------------------------------------------------------

def _not(em: Emitter, x: ir.Value) -> ir.Value:
    return em.b.not_(x)


def _shift(kind: str) -> Callable:
    def rule(em: Emitter, x: ir.Value, y: ir.Value) -> ir.Value:
        b = em.b
        bits = x.type.width
        negative = b.icmp_signed("<", y, em.const(0)) if em.signed else ir.Constant(
            ir.IntType(1), 0)
        too_big = b.icmp_unsigned(">=", y, em.const(bits)) if not em.signed else \
            b.icmp_signed(">=", y, em.const(bits))
        if kind == "ashr" and em.signed:
            # As the eager rule: the shift is clipped to [0, bits - 1].
            amount = b.select(negative, em.const(0), b.select(too_big, em.const(bits - 1), y))
            return b.ashr(x, amount)
        bad = b.or_(negative, too_big)
        amount = b.select(bad, em.const(0), y)
        shifted = b.shl(x, amount) if kind == "shl" else b.lshr(x, amount)
        return b.select(bad, em.const(0), shifted)
    return rule


def _popcount(em: Emitter, x: ir.Value) -> ir.Value:
    if em.signed:  # as the eager rule: the bits of |x|
        x = _abs(em, x)
    return em.intrinsic("ctpop", x)


# --- comparisons ------------------------------------------------------------------------------

def _compare(op: str) -> Callable:
    def rule(em: Emitter, x: ir.Value, y: ir.Value) -> ir.Value:
        b = em.b
        if em.is_float:
            return b.fcmp_unordered(op, x, y) if op == "!=" else b.fcmp_ordered(op, x, y)
        if em.signed:
            return b.icmp_signed(op, x, y)
        return b.icmp_unsigned(op, x, y)
    return rule


def _is_finite(em: Emitter, x: ir.Value) -> ir.Value:
    return em.b.fcmp_ordered("<", em.intrinsic("fabs", x), em.const(np.inf))


# --- unary ------------------------------------------------------------------------------------

def _neg(em: Emitter, x: ir.Value) -> ir.Value:
    return em.b.fneg(x) if em.is_float else em.b.neg(x)


def _abs(em: Emitter, x: ir.Value) -> ir.Value:
    if em.is_float:
        return em.intrinsic("fabs", x)
    if not em.signed:
        return x
    return em.b.select(em.b.icmp_signed("<", x, em.const(0)), em.b.neg(x), x)


def _sign(em: Emitter, x: ir.Value) -> ir.Value:
    b = em.b
    if em.is_float:  # as np.sign: NaN stays NaN, both zeros give +0
        rest = b.select(b.fcmp_unordered("uno", x, x), x, em.const(0))
        return b.select(b.fcmp_ordered(">", x, em.const(0)), em.const(1),
                        b.select(b.fcmp_ordered("<", x, em.const(0)), em.const(-1), rest))
    if not em.signed:
        return b.select(b.icmp_unsigned(">", x, em.const(0)), em.const(1), em.const(0))
    return b.select(b.icmp_signed(">", x, em.const(0)), em.const(1),
                    b.select(b.icmp_signed("<", x, em.const(0)), em.const(-1), em.const(0)))


def _round(em: Emitter, x: ir.Value, rounding_method: int = 0) -> ir.Value:
    return em.intrinsic("roundeven" if int(rounding_method) == 1 else "round", x)


def _intrinsic(name: str) -> Callable:
    return lambda em, x: em.intrinsic(name, x)


def _math(name: str) -> Callable:
    return lambda em, *xs: em.math(name, *xs)


def _logistic(em: Emitter, x: ir.Value) -> ir.Value:
    """1 / (1 + exp(-x)), the eager (and XLA) formula: 0 where exp(-x) overflows."""
    one = em.const(1)
    return em.b.fdiv(one, em.b.fadd(one, em.math("exp", em.b.fneg(x))))


def _rsqrt(em: Emitter, x: ir.Value) -> ir.Value:
    return em.b.fdiv(em.const(1), em.intrinsic("sqrt", x))


# --- casts and selection ----------------------------------------------------------------------

def _convert(em: Emitter, x: ir.Value, new_dtype: Any, weak_type: bool = False) -> ir.Value:
    b, src, dst = em.b, em.dt, np.dtype(new_dtype)
    to = llvm_type(dst)
    if src == dst:
        return x
    if dst.kind == "b":
        if src.kind == "f":
            return b.fcmp_unordered("!=", x, em.const(0))
        return b.icmp_unsigned("!=", x, em.const(0))
    if src.kind == "b":
        return b.uitofp(x, to) if dst.kind == "f" else b.zext(x, to)
    if src.kind == "f" and dst.kind == "f":
        return b.fptrunc(x, to) if dst.itemsize < src.itemsize else b.fpext(x, to)
    if src.kind == "f":
        return _saturating_cast(em, x, dst)
    if dst.kind == "f":
        return b.sitofp(x, to) if src.kind == "i" else b.uitofp(x, to)
    if dst.itemsize < src.itemsize:
        return b.trunc(x, to)
    if dst.itemsize > src.itemsize:
        return b.sext(x, to) if src.kind == "i" else b.zext(x, to)
    return x


def _saturating_cast(em: Emitter, x: ir.Value, dst: np.dtype) -> ir.Value:
    """XLA's float -> int: NaN is 0, out-of-range values saturate (llvm.fpto[su]i.sat)."""
    to = llvm_type(dst)
    name = f"llvm.fpto{'s' if dst.kind == 'i' else 'u'}i.sat.i{to.width}.{_suffix(x.type)}"
    module = em.b.module
    fn = module.globals.get(name) or ir.Function(module, ir.FunctionType(to, [x.type]), name)
    return em.b.call(fn, [x])


def _suffix(ty: ir.Type) -> str:
    return "f32" if isinstance(ty, ir.FloatType) else "f64"


def _select_n(em: Emitter, which: ir.Value, *cases: ir.Value) -> ir.Value:
    b = em.b
    if len(cases) == 1:
        return cases[0]
    if which.type.width == 1:
        return b.select(which, cases[1], cases[0])
    out = cases[0]
    for i, case in enumerate(cases[1:], start=1):
        out = b.select(b.icmp_signed(">=", which, ir.Constant(which.type, i)), case, out)
    return out


RULES: dict[str, Callable] = {
    "add": _arith("fadd", "add"), "sub": _arith("fsub", "sub"), "mul": _arith("fmul", "mul"),
    "div": _div, "rem": _rem, "pow": _pow, "max": _minmax(True), "min": _minmax(False),
    "atan2": _math("atan2"), "and": lambda em, x, y: em.b.and_(x, y),
    "or": lambda em, x, y: em.b.or_(x, y), "xor": lambda em, x, y: em.b.xor(x, y),
    "not": _not, "shift_left": _shift("shl"), "shift_right_arithmetic": _shift("ashr"),
    "shift_right_logical": _shift("lshr"), "population_count": _popcount,
    "eq": _compare("=="), "ne": _compare("!="), "lt": _compare("<"), "le": _compare("<="),
    "gt": _compare(">"), "ge": _compare(">="), "is_finite": _is_finite, "neg": _neg,
    "sign": _sign, "abs": _abs, "floor": _intrinsic("floor"), "ceil": _intrinsic("ceil"),
    "round": _round, "sqrt": _intrinsic("sqrt"), "rsqrt": _rsqrt,
    "integer_pow": _integer_pow, "convert_element_type": _convert, "select_n": _select_n,
    "clamp": _clamp, "logistic": _logistic,
    "fma": lambda em, a, b, c: em.intrinsic("fma", a, b, c),
    # erf, erfc and erf_inv stay on the eager kernels, which follow XLA's own polynomials
    # (llvm_math's are more accurate, so they would not match JAX bit for bit).
    **{name: _math(name) for name in (
        "exp", "exp2", "log", "log1p", "expm1", "cbrt", "sin", "cos", "tan", "asin", "acos",
        "atan", "sinh", "cosh", "tanh", "asinh", "acosh", "atanh")},
}
