"""Vectorisable elementary functions, emitted inline as straight-line LLVM IR (llvmlite).

LLVM's loop vectoriser cannot widen a loop that calls libm (``expf``, or ``llvm.exp.*``,
which lowers to a libm call), so the jit backend emits its own implementations: only
arithmetic, ``fcmp``/``icmp``, ``select``, bit casts, integer operations and intrinsics that
lower to instructions (``llvm.fma``, ``llvm.fabs``, ``llvm.sqrt``, ``llvm.copysign``,
``llvm.floor``, ``llvm.trunc``). Branches are replaced by computing every piece and
selecting, and piecewise approximations select their coefficients, as SLEEF and Agner
Fog's vector class library do.

The algorithms are the classic ones: Cody-Waite argument reduction with fused
multiply-adds; exponentials scaled by 2**k in two steps so that gradual underflow rounds
once; fdlibm's log/asin/erf rationals, Cephes' atan/tanh rationals and float32
polynomials, Wichura's AS241 for the inverse error function, and double-length
arithmetic where cancellation demands it (pow, log2, log10, log1p, asinh, acosh). The
float32 functions that are hot in machine-learning code (exp, exp2, expm1, log, log2,
log10, log1p, tanh, logistic, sin, cos) run in float32 (sin and cos reduce in float64);
the others evaluate the float64 algorithm and round once, which is accurate and simple.

Accuracy against correctly rounded results (tests/kernels/test_llvm_math.py checks the
bounds against NumPy, long double NumPy, glibc and SciPy): float32 at most 1 ulp
(logistic 2), float64 at most 2 ulp (tan, erfc 3). Special values (NaN, infinities,
signed zeros, overflow, gradual underflow) are NumPy's; pow follows C99 as NumPy does.

Limits: sin, cos and tan are accurate for |x| < 2**47 in float64 (2**51 for float32
inputs); past 2**51 there is no Payne-Hanek reduction and the result is bounded but
meaningless (JAX/XLA is not exact there either). The emitted code relies on IEEE
semantics: put no fast-math flags (nnan, ninf, nsz, reassoc) on it, and compile for a
CPU with FMA, or ``llvm.fma`` becomes a libm call.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence

from llvmlite import ir

_FLOATS = (ir.FloatType, ir.DoubleType)


def _element(ty: ir.Type) -> ir.Type:
    return ty.element if isinstance(ty, ir.VectorType) else ty


class _V:
    """An SSA value whose Python operators emit IR through its context ``m``."""

    __slots__ = ("m", "v")

    def __init__(self, m: _Ctx, v: ir.Value):
        self.m, self.v = m, v

    def _is_float(self) -> bool:
        return isinstance(_element(self.v.type), _FLOATS)

    def _op(self, other, fop: str, iop: str, swap: bool = False) -> _V:
        other = self.m.lift(other, self)
        a, b = (other, self) if swap else (self, other)
        return _V(self.m, getattr(self.m.b, fop if self._is_float() else iop)(a.v, b.v))

    def __add__(self, o): return self._op(o, "fadd", "add")
    def __radd__(self, o): return self._op(o, "fadd", "add", True)
    def __sub__(self, o): return self._op(o, "fsub", "sub")
    def __rsub__(self, o): return self._op(o, "fsub", "sub", True)
    def __mul__(self, o): return self._op(o, "fmul", "mul")
    def __rmul__(self, o): return self._op(o, "fmul", "mul", True)
    def __truediv__(self, o): return self._op(o, "fdiv", "sdiv")
    def __rtruediv__(self, o): return self._op(o, "fdiv", "sdiv", True)
    def __and__(self, o): return self._op(o, "and_", "and_")
    def __or__(self, o): return self._op(o, "or_", "or_")
    def __xor__(self, o): return self._op(o, "xor", "xor")
    def __lshift__(self, o): return self._op(o, "shl", "shl")
    def __rshift__(self, o): return self._op(o, "ashr", "ashr")

    def __neg__(self):
        return _V(self.m, self.m.b.fneg(self.v)) if self._is_float() else 0 - self

    def __invert__(self):
        return _V(self.m, self.m.b.not_(self.v))

    def _cmp(self, o, op: str) -> _V:
        o = self.m.lift(o, self)
        b = self.m.b
        # Ordered comparisons: false when either side is NaN.
        v = b.fcmp_ordered(op, self.v, o.v) if self._is_float() else b.icmp_signed(op, self.v, o.v)
        return _V(self.m, v)

    def __lt__(self, o): return self._cmp(o, "<")
    def __le__(self, o): return self._cmp(o, "<=")
    def __gt__(self, o): return self._cmp(o, ">")
    def __ge__(self, o): return self._cmp(o, ">=")


class _Ctx:
    """Emission context: the builder, the float type (scalar or vector) and its layout."""

    def __init__(self, builder: ir.IRBuilder, ty: ir.Type):
        self.b, self.ty = builder, ty
        self.lanes = ty.count if isinstance(ty, ir.VectorType) else 0
        self.f64 = isinstance(_element(ty), ir.DoubleType)
        self.width = 64 if self.f64 else 32
        self.mant = 52 if self.f64 else 23
        self.bias = 1023 if self.f64 else 127
        self.ity = self._shaped(ir.IntType(self.width))

    def _shaped(self, scalar: ir.Type) -> ir.Type:
        return ir.VectorType(scalar, self.lanes) if self.lanes else scalar

    def const(self, value, ty: ir.Type) -> _V:
        if isinstance(ty, ir.VectorType):
            return _V(self, ir.Constant(ty, [value] * ty.count))
        return _V(self, ir.Constant(ty, value))

    def lift(self, value, like: _V) -> _V:
        return value if isinstance(value, _V) else self.const(value, like.v.type)

    def f(self, value: float) -> _V:
        return self.const(float(value), self.ty)

    def i(self, value: int) -> _V:
        return self.const(int(value), self.ity)

    def pick(self, f32, f64):
        return f64 if self.f64 else f32

    # -- selection and comparisons ---------------------------------------------------------
    def where(self, cond: _V, a, b) -> _V:
        if not isinstance(a, _V) and not isinstance(b, _V):
            a = self.f(a)
        like = a if isinstance(a, _V) else b
        a, b = self.lift(a, like), self.lift(b, like)
        return _V(self, self.b.select(cond.v, a.v, b.v))

    def eq(self, a: _V, b) -> _V:
        return a._cmp(b, "==")

    def isnan(self, x: _V) -> _V:
        return _V(self, self.b.fcmp_unordered("uno", x.v, x.v))

    def signbit(self, x: _V) -> _V:
        return self.bits(x) < 0

    # -- intrinsics that lower to single instructions --------------------------------------
    def intrinsic(self, name: str, *args: _V) -> _V:
        ty = args[0].v.type
        el = "f64" if isinstance(_element(ty), ir.DoubleType) else "f32"
        suffix = f"v{ty.count}{el}" if isinstance(ty, ir.VectorType) else el
        module = self.b.module
        full = f"llvm.{name}.{suffix}"
        fn = module.globals.get(full)
        if fn is None:
            fn = ir.Function(module, ir.FunctionType(ty, [ty] * len(args)), full)
        return _V(self, self.b.call(fn, [a.v for a in args]))

    def fma(self, a: _V, b, c) -> _V:
        return self.intrinsic("fma", a, self.lift(b, a), self.lift(c, a))

    def abs(self, x: _V) -> _V:
        return self.intrinsic("fabs", x)

    def sqrt(self, x: _V) -> _V:
        return self.intrinsic("sqrt", x)

    def floor(self, x: _V) -> _V:
        return self.intrinsic("floor", x)

    def trunc(self, x: _V) -> _V:
        return self.intrinsic("trunc", x)

    def copysign(self, mag: _V, sign: _V) -> _V:
        return self.intrinsic("copysign", self.lift(mag, sign), sign)

    # -- bit-level views -------------------------------------------------------------------
    def bits(self, x: _V) -> _V:
        return _V(self, self.b.bitcast(x.v, self.ity))

    def from_bits(self, i: _V) -> _V:
        return _V(self, self.b.bitcast(i.v, self.ty))

    def to_int(self, x: _V) -> _V:
        """fptosi; only for finite values known to be in range (else poison)."""
        return _V(self, self.b.fptosi(x.v, self.ity))

    def to_float(self, i: _V) -> _V:
        return _V(self, self.b.sitofp(i.v, self.ty))

    def horner(self, x: _V, coeffs: Sequence[float]) -> _V:
        """Polynomial with coefficients from the highest degree down, as an FMA chain."""
        acc = self.f(coeffs[0])
        for c in coeffs[1:]:
            acc = self.fma(acc, x, c)
        return acc

    def select_coeffs(self, cond: _V, a: Sequence[float], b: Sequence[float]) -> list[_V]:
        """Per-lane choice between two coefficient tables (zero-padded at the high end)."""
        n = max(len(a), len(b))
        a = [0.0] * (n - len(a)) + list(a)
        b = [0.0] * (n - len(b)) + list(b)
        return [self.where(cond, self.f(p), self.f(q)) for p, q in zip(a, b)]

    def horner_v(self, x: _V, coeffs: Sequence[_V]) -> _V:
        acc = coeffs[0]
        for c in coeffs[1:]:
            acc = self.fma(acc, x, c)
        return acc

    def wide(self) -> _Ctx:
        """The float64 context with the same lane count."""
        return _Ctx(self.b, self._shaped(ir.DoubleType()))


# --- constants: (float32, float64) pairs; *_HI + *_LO carry extra precision -----------------
_LN2 = ((0.6931471824645996, -1.9046542121259336e-09), (0.6931471805599453, 2.3190468138462996e-17))
_LOG2E = ((1.4426950216293335, 1.925963033500011e-08), (1.4426950408889634, 2.0355273740931033e-17))
_LOG10E = ((0.4342944920063019, -1.0103049952192578e-08),
           (0.4342944819032518, 1.098319650216765e-17))
_LOG10_2 = ((0.3010300099849701, -1.432098883924482e-08),
            (0.3010299956639812, -2.8037281277851704e-18))
_PIO2 = (1.5707963267948966, 6.123233995736766e-17, -1.4973849048591698e-33)
_PI = (3.141592653589793, 1.2246467991473532e-16)
_TWO_OVER_PI = 0.6366197723675814


# --- building blocks -------------------------------------------------------------------------
def _round_int(m: _Ctx, x: _V, scale: float) -> tuple[_V, _V]:
    """``k = rint(x * scale)`` as a float and as an integer, for |k| < 2**(mant-1).

    Adding 1.5 * 2**mant rounds to an integer and leaves it in the low mantissa bits, so
    no float-to-int conversion (poison on NaN or overflow) is needed.
    """
    shifter = m.f(1.5 * 2.0 ** m.mant)
    t = m.fma(x, scale, shifter)
    return t - shifter, m.bits(t) - m.bits(shifter)


def _pow2i(m: _Ctx, k: _V) -> _V:
    """2**k for an integer k in the normal exponent range."""
    return m.from_bits((k + m.bias) << m.mant)


def _ldexp(m: _Ctx, x: _V, k: _V) -> _V:
    """x * 2**k in two exact steps, so overflow and gradual underflow round once."""
    k1 = k >> 1
    return x * _pow2i(m, k1) * _pow2i(m, k - k1)


def _clamp(m: _Ctx, x: _V, lo: float, hi: float) -> _V:
    """Clamp to [lo, hi]; NaN stays NaN (both comparisons are false)."""
    return m.where(x > hi, hi, m.where(x < lo, lo, x))


_EXP_TAYLOR = [1.0 / f for f in (6227020800.0, 479001600.0, 39916800.0, 3628800.0, 362880.0,
                                 40320.0, 5040.0, 720.0, 120.0, 24.0, 6.0, 2.0)]
# Cephes expf: e**r - 1 - r ~ r**2 * P(r) on |r| <= ln2/2.
_EXPF_P = [1.9875691500e-4, 1.3981999507e-3, 8.3334519073e-3, 4.1665795894e-2,
           1.6666665459e-1, 5.0000001201e-1]


def _expm1_poly(m: _Ctx, r: _V) -> _V:
    """e**r - 1 on |r| <= ln2/2 (+ small), accurate relative to the result."""
    q = m.horner(r, m.pick(_EXPF_P, _EXP_TAYLOR))
    return m.fma(r * r, q, r)


def _exp_parts(m: _Ctx, x: _V, tail: _V | None = None) -> tuple[_V, _V]:
    """(p, k) with e**(x + tail) = p * 2**k, p in [0.7, 1.42]; NaN propagates into p.

    x is clamped to where e**x has over- or underflowed, so k stays in _ldexp's range.
    """
    lo, hi = m.pick((-104.0, 90.0), (-746.0, 711.0))
    if tail is not None:
        tail = m.where((x > hi) | (x < lo), 0.0, tail)
    xc = _clamp(m, x, lo, hi)
    ln2_hi, ln2_lo = m.pick(*_LN2)
    k, ki = _round_int(m, xc if tail is None else xc + tail, m.pick(*_LOG2E)[0])
    r = m.fma(k, -ln2_hi, xc)  # exact: Sterbenz
    r = m.fma(k, -ln2_lo, r)
    if tail is not None:
        r = r + tail
    return 1.0 + _expm1_poly(m, r), ki


def _exp(m: _Ctx, x: _V) -> _V:
    p, k = _exp_parts(m, x)
    return _ldexp(m, p, k)


def _exp2(m: _Ctx, x: _V) -> _V:
    lo, hi = m.pick((-151.0, 129.0), (-1076.0, 1025.0))
    xc = _clamp(m, x, lo, hi)
    k, ki = _round_int(m, xc, 1.0)
    r = xc - k  # exact
    ln2_hi, ln2_lo = m.pick(*_LN2)
    rl = m.fma(r, ln2_hi, r * ln2_lo)
    return _ldexp(m, 1.0 + _expm1_poly(m, rl), ki)


def _expm1(m: _Ctx, x: _V) -> _V:
    """2**k * (e**r - 1) + (2**k - 1), the fdlibm identity, with FMA."""
    lo, hi = m.pick((-30.0, 89.0), (-45.0, 710.0))
    xc = _clamp(m, x, lo, hi)
    ln2_hi, ln2_lo = m.pick(*_LN2)
    k, ki = _round_int(m, xc, m.pick(*_LOG2E)[0])
    r = m.fma(k, -ln2_lo, m.fma(k, -ln2_hi, xc))
    q = _expm1_poly(m, r)
    limit = m.mant + 2  # beyond, 2**k - 1 rounds to 2**k: use the overflow-safe form
    small_k = ki < limit
    t = _pow2i(m, m.where(small_k, ki, m.i(0)))
    near = m.fma(t, q, t - 1.0)
    far = _ldexp(m, 1.0 + q, ki)
    out = m.where(small_k, near, far)
    return m.where(m.eq(x, 0.0), x, out)  # keeps -0


# --- logarithms ------------------------------------------------------------------------------
_SQRT_HALF_BITS = (0x3F3504F3, 0x3FE6A09E667F3BCD)
# Cephes logf: log(1+f) = f - f**2/2 + f**3 * P(f) for 1+f in [sqrt(.5), sqrt(2)).
_LOGF_P = [7.0376836292e-2, -1.1514610310e-1, 1.1676998740e-1, -1.2420140846e-1,
           1.4249322787e-1, -1.6668057665e-1, 2.0000714765e-1, -2.4999993993e-1,
           3.3333331174e-1]
# fdlibm log: (log(1+f) - 2s)/s ~ s**2 * R(s**2), s = f/(2+f).
_LG = [1.479819860511658591e-01, 1.531383769920937332e-01, 1.818357216161805012e-01,
       2.222219843214978396e-01, 2.857142874366239149e-01, 3.999999999940941908e-01,
       6.666666666666735130e-01]


def _log_reduce(m: _Ctx, x: _V, subnormal: bool = True) -> tuple[_V, _V]:
    """(e, f) with x = 2**e * (1 + f), 1 + f in [sqrt(.5), sqrt(2)); f is exact."""
    eadj = None
    if subnormal:
        tiny = x < 2.0 ** (1 - m.bias)
        x = m.where(tiny, x * 2.0 ** (m.mant + 2), x)
        eadj = m.where(tiny, -(m.mant + 2.0), 0.0)
    off = _SQRT_HALF_BITS[m.f64]
    ix = m.bits(x) + (m.bias << m.mant) - off
    k = (ix >> m.mant) - m.bias
    f = m.from_bits((ix & ((1 << m.mant) - 1)) + off) - 1.0
    e = m.to_float(k)
    return (e if eadj is None else e + eadj), f


def _log_core(m: _Ctx, f: _V) -> _V:
    """y with log(1 + f) = f + y, |y| small relative to |f|."""
    z = f * f
    if not m.f64:
        return m.fma(z, -0.5, f * z * m.horner(f, _LOGF_P))
    s = f / (2.0 + f)
    w = s * s
    r = w * m.horner(w, _LG)
    hfsq = 0.5 * z
    return m.fma(s, hfsq + r, -hfsq)


def _log_from(m: _Ctx, e: _V, f: _V, y: _V) -> _V:
    ln2_hi, ln2_lo = m.pick(*_LN2)
    return m.fma(e, ln2_hi, f + m.fma(e, ln2_lo, y))


def _log_specials(m: _Ctx, x: _V, out: _V) -> _V:
    """log-like special values: x < 0 or NaN -> NaN, 0 -> -inf, +inf -> +inf."""
    out = m.where(x > 0.0, out, m.where(m.eq(x, 0.0), float("-inf"), float("nan")))
    return m.where(m.eq(x, float("inf")), x, out)


def _log(m: _Ctx, x: _V) -> _V:
    e, f = _log_reduce(m, x)
    return _log_specials(m, x, _log_from(m, e, f, _log_core(m, f)))


def _log2(m: _Ctx, x: _V) -> _V:
    e, f = _log_reduce(m, x)
    y = _log_core(m, f)
    c_hi, c_lo = m.pick(*_LOG2E)
    ph = f * c_hi
    lo = m.fma(y, c_hi, m.fma(f, c_lo, m.fma(f, c_hi, -ph)))
    hi = e + ph  # exact error below: |e| >= 1 > |ph| or e == 0
    lo = lo + ((e - hi) + ph)
    return _log_specials(m, x, hi + lo)


def _log10(m: _Ctx, x: _V) -> _V:
    e, f = _log_reduce(m, x)
    y = _log_core(m, f)
    a_hi, a_lo = m.pick(*_LOG10_2)
    c_hi, c_lo = m.pick(*_LOG10E)
    eh = e * a_hi
    el = m.fma(e, a_lo, m.fma(e, a_hi, -eh))
    ph = f * c_hi
    pl = m.fma(f, c_hi, -ph)
    hi = eh + ph  # |eh| >= |ph| unless e == 0
    lo = ((eh - hi) + ph) + el + m.fma(y, c_hi, m.fma(f, c_lo, pl))
    return _log_specials(m, x, hi + lo)


def _two_sum(a: _V, b: _V) -> tuple[_V, _V]:
    """s + err == a + b exactly (Knuth)."""
    s = a + b
    bb = s - a
    return s, (a - (s - bb)) + (b - bb)


def _log_sum(m: _Ctx, u: _V, c: _V) -> _V:
    """log(u + c) for u > 0 normal and |c| <= ulp(u): the reduction is exact on u."""
    e, f = _log_reduce(m, u, subnormal=False)
    return _log_from(m, e, f, _log_core(m, f) + c / u)


def _log1p(m: _Ctx, x: _V) -> _V:
    u, c = _two_sum(m.f(1.0), x)
    out = _log_sum(m, u, c)
    out = m.where(x > -1.0, out, m.where(m.eq(x, -1.0), float("-inf"), float("nan")))
    out = m.where(m.eq(x, float("inf")), x, out)
    return m.where(m.eq(x, 0.0), x, out)


# --- circular functions ----------------------------------------------------------------------
_SIN = ([1 / 362880, -1 / 5040, 1 / 120, -1 / 6],  # Taylor: ample for float32
        [1.58969099521155010221e-10, -2.50507602534068634195e-08, 2.75573137070700676789e-06,
         -1.98412698298579493134e-04, 8.33333333332248946124e-03,
         -1.66666666666666324348e-01])  # fdlibm __sin
_COS = ([-1 / 3628800, 1 / 40320, -1 / 720, 1 / 24],
        [-1.13596475577881948265e-11, 2.08757232129817482790e-09, -2.75573143513906633035e-07,
         2.48015872894767294178e-05, -1.38888888888741095749e-03,
         4.16666666666666019037e-02])  # fdlibm __cos


_TRIG_LIMIT = 2.0 ** 51  # k = rint(x * 2/pi) must fit _round_int


def _trig_reduce(m: _Ctx, x: _V, steps: int = 3) -> tuple[_V, _V]:
    """(r, k) with x = k*pi/2 + r, |r| <= pi/4: Cody-Waite in FMA steps (float64).

    The first step is exact (its result is a multiple of 2**-52 below 1 while |k| < 2**51),
    each later one rounds relative to its own result, and pi/2 is carried to 160 bits, so
    r is accurate to an ulp while |x| < 2**47 (past that, k = rint(x * 2/pi) may be off by
    one and |r| exceeds pi/4 a little). Callers apply _trig_limit.
    """
    k, ki = _round_int(m, x, _TWO_OVER_PI)
    r = m.fma(k, -_PIO2[0], x)
    for c in _PIO2[1:steps]:
        r = m.fma(k, -c, r)
    return r, ki


def _trig_limit(m: _Ctx, x: _V, r: _V, past: float = 0.4) -> _V:
    """Past 2**51 the reduction means nothing (no Payne-Hanek): use r = ``past`` there,
    for bounded results, and NaN for infinite x."""
    return m.where(m.abs(x) < _TRIG_LIMIT, r, (x - x) + past)


def _sin_poly(m: _Ctx, r: _V, z: _V) -> _V:
    return m.fma(r * z, m.horner(z, _SIN[m.f64]), r)


def _cos_poly(m: _Ctx, z: _V, tail=0.0) -> _V:
    """1 - z/2 + z*z*C(z) - tail; 1 - z/2 is carried to double length (fdlibm)."""
    hz = 0.5 * z
    w = 1.0 - hz
    return w + (((1.0 - w) - hz) + m.fma(z * z, m.horner(z, _COS[m.f64]), -tail))


def _sincos(m: _Ctx, x: _V) -> tuple[_V, _V, _V]:
    """(sin r, cos r, k) with x = k*pi/2 + r.

    float32 reduces in float64 (x is exact there) and continues in float32 on
    r = rh + rl, correcting to first order: sin(rh + rl) = sin(rh) + rl,
    cos(rh + rl) = cos(rh) - rh*rl.
    """
    if m.f64:
        r, k = _trig_reduce(m, x)
        r = _trig_limit(m, x, r)
        z = r * r
        return _sin_poly(m, r, z), _cos_poly(m, z), k
    w = m.wide()
    rd, kd = _trig_reduce(w, _V(w, m.b.fpext(x.v, w.ty)), steps=2)  # 2**-106: enough
    rh = _V(m, m.b.fptrunc(rd.v, m.ty))
    rl = _V(m, m.b.fptrunc((rd - _V(w, m.b.fpext(rh.v, w.ty))).v, m.ty))
    rh, rl = _trig_limit(m, x, rh), _trig_limit(m, x, rl, 0.0)
    z = rh * rh
    s = rh + m.fma(rh * z, m.horner(z, _SIN[0]), rl)
    return s, _cos_poly(m, z, rh * rl), _V(m, m.b.trunc(kd.v, m.ity))


def _quadrant(m: _Ctx, s: _V, c: _V, q: _V) -> _V:
    """sin(x) from sin(r), cos(r) and the quadrant q: swap on odd q, negate on q & 2."""
    v = m.where(m.eq(q & 1, 0), s, c)
    return m.from_bits(m.bits(v) ^ ((q & 2) << (m.width - 2)))


def _keep_zero(m: _Ctx, x: _V, out: _V) -> _V:
    """Odd functions whose last step adds a correction to x lose the sign of -0."""
    return m.where(m.eq(x, 0.0), x, out)


def _sin(m: _Ctx, x: _V) -> _V:
    s, c, q = _sincos(m, x)
    return _keep_zero(m, x, _quadrant(m, s, c, q))


def _cos(m: _Ctx, x: _V) -> _V:
    s, c, q = _sincos(m, x)
    return _quadrant(m, s, c, q + 1)


def _tan(m: _Ctx, x: _V) -> _V:
    s, c, q = _sincos(m, x)
    odd = m.eq(q & 1, 1)
    return _keep_zero(m, x, m.where(odd, -c, s) / m.where(odd, s, c))


# --- hyperbolic functions and the logistic sigmoid ---------------------------------------------
# Cephes tanhf (|x| < 0.625): tanh(x) = x + x**3 * P(x**2).
_TANHF_P = [-5.70498872745e-3, 2.06390887954e-2, -5.37397155531e-2, 1.33314422036e-1,
            -3.33332819422e-1]
# Cephes tanh (|x| < 0.625): tanh(x) = x + x**3 * P(x**2) / Q(x**2), Q monic.
_TANH_P = [-9.64399179425052238628e-1, -9.92877231001918586564e1, -1.61468768441708447952e3]
_TANH_Q = [1.0, 1.12811678491632931402e2, 2.23548839060100448583e3, 4.84406305325125486048e3]


def _tanh(m: _Ctx, x: _V) -> _V:
    a = m.abs(x)
    z = x * x
    if m.f64:
        ratio = m.horner(z, _TANH_P) / m.horner(z, _TANH_Q)
    else:
        ratio = m.horner(z, _TANHF_P)
    small = m.fma(x * z, ratio, x)
    # Past the clamp tanh rounds to 1, and e**(2a) stays far from overflow: one scaling.
    ac = m.where(a > m.pick(9.1, 19.1), m.pick(9.1, 19.1), a)
    p, k = _exp_parts(m, ac + ac)
    big = 1.0 - 2.0 / m.fma(p, _pow2i(m, k), 1.0)
    return _keep_zero(m, x, m.where(a < 0.625, small, m.copysign(big, x)))


def _logistic(m: _Ctx, x: _V) -> _V:
    """1/(1 + e**-x) as 1/(1+e) or e/(1+e), e = e**-|x|, so neither side cancels."""
    e = _exp(m, -m.abs(x))
    s, err = _two_sum(m.f(1.0), e)  # 1 + e == s + err exactly
    neg = x < 0.0
    out = m.where(neg, e, 1.0) / s
    inv_s = m.where(neg, 1.0 - out, out)  # 1/s from the quotient already computed
    return m.fma(-out * err, inv_s, out)


def _sinh(m: _Ctx, x: _V) -> _V:
    a = _clamp(m, m.abs(x), 0.0, m.pick(90.0, 711.0))
    e = _expm1(m, a)
    near = 0.5 * (e + e / (e + 1.0))
    p, k = _exp_parts(m, a)
    far = _ldexp(m, p, k - 1)
    return m.copysign(m.where(a < 22.0, near, far), x)


def _cosh(m: _Ctx, x: _V) -> _V:
    a = _clamp(m, m.abs(x), 0.0, m.pick(90.0, 711.0))
    p, k = _exp_parts(m, a)
    return _ldexp(m, p, k - 1) + _ldexp(m, 1.0 / p, -1 - k)


def _asinh(m: _Ctx, x: _V) -> _V:
    """log(a + sqrt(a*a + 1)) as one log of an argument kept to double length."""
    a = m.abs(x)
    big = 2.0 ** m.pick(12, 28)
    a2 = a * a
    root = m.sqrt(a2 + 1.0)
    u1, c1 = _two_sum(m.f(1.0), a + a2 / (1.0 + root))  # a < 2: log1p form
    w = 1.0 / (root + a)
    u2 = (a + a) + w  # 2 <= a < big
    c2 = ((a + a) - u2) + w
    mid = a >= 2.0
    huge = a >= big
    u = m.where(huge, a, m.where(mid, u2, u1))
    c = m.where(huge, 0.0, m.where(mid, c2, c1))
    out = _log_sum(m, u, c) + m.where(huge, m.pick(*_LN2)[0], 0.0)
    out = m.where(m.eq(a, float("inf")), a, out)
    return m.copysign(m.where(a < 2.0 ** -m.pick(12, 28), a, out), x)


def _acosh(m: _Ctx, x: _V) -> _V:
    big = 2.0 ** m.pick(12, 28)
    t = x - 1.0
    u1, c1 = _two_sum(m.f(1.0), t + m.sqrt(m.fma(t, t, t + t)))  # x < 2
    w = 1.0 / (x + m.sqrt(m.fma(x, x, -1.0)))
    u2 = (x + x) - w
    c2 = ((x + x) - u2) - w
    mid = x >= 2.0
    huge = x >= big
    u = m.where(huge, x, m.where(mid, u2, u1))
    c = m.where(huge, 0.0, m.where(mid, c2, c1))
    out = _log_sum(m, u, c) + m.where(huge, m.pick(*_LN2)[0], 0.0)
    out = m.where(m.eq(x, float("inf")), x, out)
    return m.where(x >= 1.0, out, float("nan"))


def _atanh(m: _Ctx, x: _V) -> _V:
    a = m.abs(x)
    t = (a + a) / (1.0 - a)
    t = m.where(a < 0.5, m.fma(a, t, a + a), t)  # 2a + 2a*a/(1-a)
    u, c = _two_sum(m.f(1.0), t)
    out = 0.5 * _log_sum(m, u, c)
    out = m.where(a < 1.0, out, m.where(m.eq(a, 1.0), float("inf"), float("nan")))
    return m.copysign(m.where(a < 2.0 ** -m.pick(12, 28), a, out), x)


# --- inverse circular functions --------------------------------------------------------------
# Cephes atan: atan(t) = t + t**3 * P(t**2) / Q(t**2) for |t| <= 0.66, Q monic.
_ATAN_P = [-8.750608600031904122785e-1, -1.615753718733365076637e1,
           -7.500855792314704667340e1, -1.228866684490136173410e2,
           -6.485021904942025371773e1]
_ATAN_Q = [1.0, 2.485846490142306297962e1, 1.650270098316988542046e2,
           4.328810604912902668951e2, 4.853903996359136964868e2, 1.945506571482613964425e2]
_T3P8 = 2.41421356237309504880  # tan(3 pi/8)


def _atan_pos(m: _Ctx, a: _V) -> _V:
    """atan(a) for a >= 0 (inf included): Cephes' three-interval reduction, one division."""
    big = a > _T3P8
    mid = (a > 0.66) & ~big
    num = m.where(big, -1.0, m.where(mid, a - 1.0, a))
    den = m.where(big, a, m.where(mid, a + 1.0, 1.0))
    t = num / den
    z = t * t
    w = m.fma(t * z, m.horner(z, _ATAN_P) / m.horner(z, _ATAN_Q), t)
    base = m.where(big, _PIO2[0], m.where(mid, 0.5 * _PIO2[0], 0.0))
    tail = m.where(big, _PIO2[1], m.where(mid, 0.5 * _PIO2[1], 0.0))
    return base + (w + tail)


def _atan(m: _Ctx, x: _V) -> _V:
    return m.copysign(_atan_pos(m, m.abs(x)), x)


def _atan2(m: _Ctx, y: _V, x: _V) -> _V:
    ax, ay = m.abs(x), m.abs(y)
    swap = ay > ax
    num, den = m.where(swap, ax, ay), m.where(swap, ay, ax)
    t = num / den
    both_inf = m.eq(ax, float("inf")) & m.eq(ay, float("inf"))
    t = m.where(both_inf, 1.0, m.where(m.eq(den, 0.0), 0.0, t))
    a = _atan_pos(m, t)
    a = m.where(swap, (_PIO2[0] - a) + _PIO2[1], a)
    a = m.where(m.signbit(x), (_PI[0] - a) + _PI[1], a)
    return m.where(m.isnan(x) | m.isnan(y), x + y, m.copysign(a, y))


# fdlibm asin/acos: asin(x) = x + x * R(x**2), R = P/Q on [0, 0.5].
_ASIN_P = [3.47933107596021167570e-05, 7.91534994289814532176e-04, -4.00555345006794114027e-02,
           2.01212532134862925881e-01, -3.25565818622400915405e-01, 1.66666666666666657415e-01,
           0.0]
_ASIN_Q = [7.70381505559019352791e-02, -6.88283971605453293030e-01, 2.02094576023350569471e+00,
           -2.40339491173441421878e+00, 1.0]


def _asin_parts(m: _Ctx, x: _V):
    """Shared reduction: R(z) for |x| < 0.5 (z = x*x) or for z = (1-|x|)/2, sqrt(z) = s + c."""
    a = m.abs(x)
    small = a < 0.5
    z = m.where(small, x * x, 0.5 * (1.0 - a))
    r = m.horner(z, _ASIN_P) / m.horner(z, _ASIN_Q)
    s = m.sqrt(z)
    c = m.fma(-s, s, z) / m.where(s > 0.0, s + s, 1.0)
    return small, r, s, c


def _asin(m: _Ctx, x: _V) -> _V:
    small, r, s, c = _asin_parts(m, x)
    far = (_PIO2[0] - (s + s)) + (_PIO2[1] - 2.0 * m.fma(s, r, c))
    return m.where(small, m.fma(x, r, x), m.copysign(far, x))


def _acos(m: _Ctx, x: _V) -> _V:
    small, r, s, c = _asin_parts(m, x)
    near = _PIO2[0] - (x - (_PIO2[1] - x * r))
    t = m.fma(s, r, c)
    pos = 2.0 * (s + t)
    neg = (_PI[0] - (s + s)) + (_PI[1] - 2.0 * t)
    return m.where(small, near, m.where(x > 0.0, pos, neg))


# --- error function family (float64 algorithms) ---------------------------------------------
# fdlibm s_erf.c rationals: [0, 0.84375): erf = x + x*pp(x^2)/qq(x^2);
# [0.84375, 1.25): erf = erx + pa(s)/qa(s), s = |x| - 1;
# [1.25, 1/0.35) and [1/0.35, 28): erfc = exp(-x^2 - 0.5625 + ra/sa or rb/sb (1/x^2)) / x.
_ERX = 8.45062911510467529297e-01
_PP = [-2.37630166566501626084e-05, -5.77027029648944159157e-03, -2.84817495755985104766e-02,
       -3.25042107247001499370e-01, 1.28379167095512558561e-01]
_QQ = [-3.96022827877536812320e-06, 1.32494738004321644526e-04, 5.08130628187576562776e-03,
       6.50222499887672944485e-02, 3.97917223959155352819e-01, 1.0]
_PA = [-2.16637559486879084300e-03, 3.54783043256182359371e-02, -1.10894694282396677476e-01,
       3.18346619901161753674e-01, -3.72207876035701323847e-01, 4.14856118683748331666e-01,
       -2.36211856075265944077e-03]
_QA = [1.19844998467991074170e-02, 1.36370839120290507362e-02, 1.26171219808761642112e-01,
       7.18286544141962662868e-02, 5.40397917702171048937e-01, 1.06420880400844228286e-01, 1.0]
_RA = [-9.81432934416914548592e+00, -8.12874355063065934246e+01, -1.84605092906711035994e+02,
       -1.62396669462573470355e+02, -6.23753324503260060396e+01, -1.05586262253232909814e+01,
       -6.93858572707181764372e-01, -9.86494403484714822705e-03]
_SA = [-6.04244152148580987438e-02, 6.57024977031928170135e+00, 1.08635005541779435134e+02,
       4.29008140027567833386e+02, 6.45387271733267880336e+02, 4.34565877475229228821e+02,
       1.37657754143519042600e+02, 1.96512716674392571292e+01, 1.0]
_RB = [-4.83519191608651397019e+02, -1.02509513161107724954e+03, -6.37566443368389627722e+02,
       -1.60636384855821916062e+02, -1.77579549177547519889e+01, -7.99283237680523006574e-01,
       -9.86494292470009928597e-03]
_SB = [-2.24409524465858183362e+01, 4.74528541206955367215e+02, 2.55305040643316442583e+03,
       3.19985821950859553908e+03, 1.53672958608443695994e+03, 3.25792512996573918826e+02,
       3.03380607434824582924e+01, 1.0]


def _erf_rational(m: _Ctx, x: _V, a: _V) -> tuple[_V, _V]:
    """(inner, r) for a = |x| < 1.25: erf = x + x*r if inner (a < 0.84375) else erx + r."""
    inner = a < 0.84375
    v = m.where(inner, x * x, a - 1.0)
    r = (m.horner_v(v, m.select_coeffs(inner, _PP, _PA))
         / m.horner_v(v, m.select_coeffs(inner, _QQ, _QA)))
    return inner, r


def _erf_near(m: _Ctx, x: _V) -> _V:
    """erf(x) for |x| < 1.25."""
    inner, r = _erf_rational(m, x, m.abs(x))
    return m.where(inner, m.fma(x, r, x), m.copysign(_ERX + r, x))


def _erf_parts(m: _Ctx, x: _V):
    """(a, inner, near, far): |x| (clamped to 28), the rational of _erf_rational, and
    erfc(a) for a >= 1.25."""
    a = _clamp(m, m.abs(x), 0.0, 28.0)
    inner, near = _erf_rational(m, x, a)
    lower = a < 1.0 / 0.35
    s = 1.0 / (a * a)
    g = (m.horner_v(s, m.select_coeffs(lower, _RA, _RB))
         / m.horner_v(s, m.select_coeffs(lower, _SA, _SB)))
    hi = a * a  # e**-(a*a) with a*a carried to double length
    lo = m.fma(a, a, -hi)
    p, k = _exp_parts(m, -hi, (g - 0.5625) - lo)
    far = _ldexp(m, p / a, k)
    return a, inner, near, far


def _erf(m: _Ctx, x: _V) -> _V:
    a, inner, near, far = _erf_parts(m, x)
    mid = m.copysign(_ERX + near, x)
    out = m.where(a < 1.25, mid, m.copysign(1.0 - far, x))
    return m.where(inner, m.fma(x, near, x), out)


def _erfc(m: _Ctx, x: _V) -> _V:
    a, inner, near, far = _erf_parts(m, x)
    half = x >= 0.25
    t = m.where(half, 0.5, 1.0)
    in_out = t - m.fma(x, near, x - (1.0 - t))
    mid = m.where(x > 0.0, (1.0 - _ERX) - near, 1.0 + (_ERX + near))
    out = m.where(a < 1.25, mid, m.where(x > 0.0, far, 2.0 - far))
    return m.where(inner, in_out, out)


# Wichura's AS241 (PPND16) for the normal quantile, written in terms of x = 2p - 1.
_AS241 = {
    "a": [2.5090809287301226727e3, 3.3430575583588128105e4, 6.7265770927008700853e4,
          4.5921953931549871457e4, 1.3731693765509461125e4, 1.9715909503065514427e3,
          1.3314166789178437745e2, 3.3871328727963666080],
    "b": [5.2264952788528545610e3, 2.8729085735721942674e4, 3.9307895800092710610e4,
          2.1213794301586595867e4, 5.3941960214247511077e3, 6.8718700749205790830e2,
          4.2313330701600911252e1, 1.0],
    "c": [7.74545014278341407640e-4, 2.27238449892691845833e-2, 2.41780725177450611770e-1,
          1.27045825245236838258, 3.64784832476320460504, 5.76949722146069140550,
          4.63033784615654529590, 1.42343711074968357734],
    "d": [1.05075007164441684324e-9, 5.47593808499534494600e-4, 1.51986665636164571966e-2,
          1.48103976427480074590e-1, 6.89767334985100004550e-1, 1.67638483018380384940,
          2.05319162663775882187, 1.0],
    "e": [2.01033439929228813265e-7, 2.71155556874348757815e-5, 1.24266094738807843860e-3,
          2.65321895265761230930e-2, 2.96560571828504891230e-1, 1.78482653991729133580,
          5.46378491116411436990, 6.65790464350110377720],
    "f": [2.04426310338993978564e-15, 1.42151175831644588870e-7, 1.84631831751005468180e-5,
          7.86869131145613259100e-4, 1.48753612908506148525e-2, 1.36929880922735805310e-1,
          5.99832206555887937690e-1, 1.0],
}
_SQRT_HALF = 0.7071067811865476
_SQRT_PI_2 = 0.886226925452758  # sqrt(pi)/2 = 1/erf'(0)
_EXP_TAYLOR_8 = [1.0 / 40320, 1.0 / 5040, 1.0 / 720, 1.0 / 120, 1.0 / 24, 1.0 / 6, 0.5, 1.0, 1.0]


def _erf_inv(m: _Ctx, x: _V, refine: bool = True) -> _V:
    a = m.abs(x)
    q = 0.5 * x
    r = 0.180625 - q * q
    central = q * (m.horner(r, _AS241["a"]) / m.horner(r, _AS241["b"])) * _SQRT_HALF
    if refine:  # AS241 is 1e-16 absolute: a Newton step on erf makes it relative near 0
        inv_slope = _SQRT_PI_2 * m.horner(central * central, _EXP_TAYLOR_8)
        central = m.fma(x - _erf_near(m, central), inv_slope, central)
    u = m.sqrt(-_log(m, 0.5 * (1.0 - a)))  # exact argument: 1 - a is exact for a >= 0.5
    near = u <= 5.0
    u = u - m.where(near, 1.6, 5.0)
    tail = (m.horner_v(u, m.select_coeffs(near, _AS241["c"], _AS241["e"]))
            / m.horner_v(u, m.select_coeffs(near, _AS241["d"], _AS241["f"])))
    tail = tail * _SQRT_HALF
    if refine:  # a Newton step on erfc(t) = 1 - a (exact) removes the log/sqrt error
        _, _, near, far = _erf_parts(m, tail)
        ec = m.where(tail < 1.25, (1.0 - _ERX) - near, far)
        # 1/erfc'(t) = -sqrt(pi)/2 e**(t*t) = -erfc(t) / (t + sqrt(t*t + ~1.8)) to 2%
        tail = tail + ((ec - (1.0 - a)) / ec) / (tail + m.sqrt(m.fma(tail, tail, 1.8)))
    out = m.where(a <= 0.85, central, m.copysign(tail, x))
    return _keep_zero(m, x, m.where(m.eq(a, 1.0), m.copysign(float("inf"), x), out))


# --- cube root and power -----------------------------------------------------------------------
# cbrt on [0.7, 1.42], relative error 8e-5 (a seed for the iterations).
_CBRT_P = [0.05854865755, -0.2915936111, 0.7411590949, 0.4919615580]


def _cbrt(m: _Ctx, x: _V) -> _V:
    """2**q * cbrt(2**rem * (1+f)) with e = 3q + rem: a polynomial seed, a Halley step,
    then a Newton step whose residual t**3 - y is computed to double length."""
    a = m.abs(x)
    e, f = _log_reduce(m, a)  # a = 2**e * (1 + f); e is finite even for 0, inf, NaN
    q = m.floor(m.fma(e, 1.0 / 3.0, 0.1))  # e/3 is 0, 1/3 or 2/3 past an integer
    rem = e - 3.0 * q
    one, two = m.eq(rem, 0.0), m.eq(rem, 1.0)
    y = (1.0 + f) * m.where(one, 1.0, m.where(two, 2.0, 4.0))
    t = m.horner(1.0 + f, _CBRT_P) * m.where(one, 1.0, m.where(two, 2.0 ** (1 / 3), 4.0 ** (1 / 3)))
    t3 = t * t * t
    t = t * m.fma(t3, 1.0, y + y) / m.fma(t3, 2.0, y)  # Halley: t (t^3 + 2y) / (2 t^3 + y)
    t2 = t * t
    res = m.fma(t2, t, -y) + m.fma(t, t, -t2) * t
    t = t - res / (3.0 * t2)
    out = t * _pow2i(m, m.to_int(q))
    return m.where((a < float("inf")) & (a > 0.0), m.copysign(out, x), x + x)


_TWO_THIRDS = (0.6666666666666666, 3.700743415417188e-17)
# log((1+s)/(1-s)) = 2s + (2/3) s**3 + s**5 * U(s**2), U's Taylor coefficients 2/(2n+5).
_LOG_U = [2.0 / n for n in range(27, 3, -2)]


def _log_dd(m: _Ctx, a: _V) -> tuple[_V, _V]:
    """log(a) as hi + lo to about 2**-68 relative, for finite a > 0 (float64).

    pow needs it: e**(y * log a) amplifies an error in log a by |y * log a| <= 745.
    """
    e, f = _log_reduce(m, a)
    d = 2.0 + f
    dl = (2.0 - d) + f  # 2 + f == d + dl exactly
    sh = f / d
    sl = (m.fma(-sh, d, f) - sh * dl) / d  # s = f/(2+f) == sh + sl
    z = sh * sh
    c = z * sh  # s**3 as c + cl
    cl = m.fma(z, sh, -c) + m.fma(sh, sh, -z) * sh + 3.0 * z * sl
    th = c * _TWO_THIRDS[0]  # (2/3) s**3 as th + tl
    tl = m.fma(c, _TWO_THIRDS[0], -th) + m.fma(cl, _TWO_THIRDS[0], c * _TWO_THIRDS[1])
    tail = z * z * sh * m.horner(z, _LOG_U)
    ln2_hi, ln2_lo = _LN2[1]
    eh = e * ln2_hi
    el = m.fma(e, ln2_lo, m.fma(e, ln2_hi, -eh))
    h1, e1 = _two_sum(eh, sh + sh)
    h2, e2 = _two_sum(h1, th)
    lo = e1 + e2 + (el + m.fma(sl, 2.0, tl) + tail)
    hi = h2 + lo
    return hi, lo - (hi - h2)


def _pow(m: _Ctx, x: _V, y: _V, double_length: bool = True) -> _V:
    """|x|**y = e**(y log|x|), with C99/NumPy special values and signs for x < 0."""
    a = m.abs(x)
    if double_length:
        lh, ll = _log_dd(m, a)
    else:  # float32 inputs evaluated in float64: a plain log is 2**-40 short of enough
        e, f = _log_reduce(m, a)
        lh, ll = _log_from(m, e, f, _log_core(m, f)), m.f(0.0)
    finite = (a > 0.0) & (a < float("inf"))
    lh = _log_specials(m, a, lh)
    ph = y * lh
    pl = m.where(finite, m.fma(y, lh, -ph) + y * ll, 0.0)
    p, k = _exp_parts(m, ph, pl)
    r = _ldexp(m, p, k)
    y_int = m.eq(m.trunc(y), y)
    half = 0.5 * y
    y_odd = y_int & ~m.eq(m.trunc(half), half)
    r = m.where(y_odd & m.signbit(x), -r, r)
    r = m.where((x < 0.0) & (x > float("-inf")) & ~y_int, float("nan"), r)
    one = m.eq(y, 0.0) | m.eq(x, 1.0) | (m.eq(x, -1.0) & m.eq(m.abs(y), float("inf")))
    return m.where(one, 1.0, r)


# --- the table the code generator uses --------------------------------------------------------
def _widened(fn: Callable[..., _V], **narrow) -> Callable[..., _V]:
    """Evaluate a float64 algorithm on float32 arguments and round once; ``narrow`` are
    keyword arguments for the float32 case (refinements float32 does not need)."""
    def impl(m: _Ctx, *args: _V) -> _V:
        if m.f64:
            return fn(m, *args)
        w = m.wide()
        out = fn(w, *[_V(w, m.b.fpext(a.v, w.ty)) for a in args], **narrow)
        return _V(m, m.b.fptrunc(out.v, m.ty))
    return impl


def _pow_any(m: _Ctx, x: _V, y: _V) -> _V:
    if m.f64:
        return _pow(m, x, y)
    w = m.wide()
    out = _pow(w, _V(w, m.b.fpext(x.v, w.ty)), _V(w, m.b.fpext(y.v, w.ty)), double_length=False)
    return _V(m, m.b.fptrunc(out.v, m.ty))


_IMPLS: dict[str, Callable[..., _V]] = {
    # native in both precisions
    "exp": _exp, "exp2": _exp2, "expm1": _expm1, "log": _log, "log2": _log2,
    "log10": _log10, "log1p": _log1p, "tanh": _tanh, "logistic": _logistic,
    "sin": _sin, "cos": _cos,
    # float32 through the float64 algorithm
    "tan": _widened(_tan),
    "erf": _widened(_erf), "erfc": _widened(_erfc), "erf_inv": _widened(_erf_inv, refine=False),
    "atan": _widened(_atan), "atan2": _widened(_atan2), "asin": _widened(_asin),
    "acos": _widened(_acos), "sinh": _widened(_sinh), "cosh": _widened(_cosh),
    "asinh": _widened(_asinh), "acosh": _widened(_acosh), "atanh": _widened(_atanh),
    "cbrt": _widened(_cbrt), "pow": _pow_any,
}
_BINARY = frozenset({"atan2", "pow"})

FUNCTIONS: frozenset[str] = frozenset(_IMPLS)


def emit(builder: ir.IRBuilder, name: str, *args: ir.Value) -> ir.Value:
    """Emit ``name(*args)`` inline at the builder's position; return the result value.

    Parameters
    ----------
    builder : llvmlite.ir.IRBuilder
        Positioned inside a function whose module receives any intrinsic declarations.
    name : str
        One of :data:`FUNCTIONS`. ``atan2(y, x)`` and ``pow(x, y)`` take two arguments.
    *args : llvmlite.ir.Value
        Values of one type: ``float``, ``double`` or a vector of either.

    Returns
    -------
    llvmlite.ir.Value
        The result, of the arguments' type. The emitted code is straight-line (no
        branches, no calls but vectorisable intrinsics), so loops containing it vectorise.
    """
    impl = _IMPLS.get(name)
    if impl is None:
        raise ValueError(f"llvm_math has no function {name!r}; known: {sorted(FUNCTIONS)}")
    arity = 2 if name in _BINARY else 1
    if len(args) != arity:
        raise TypeError(f"{name} takes {arity} argument(s), got {len(args)}")
    ty = args[0].type
    if not isinstance(_element(ty), _FLOATS) or any(a.type != ty for a in args):
        raise TypeError(f"{name} needs float or double arguments of one type, got "
                        f"{[str(a.type) for a in args]}")
    m = _Ctx(builder, ty)
    return impl(m, *[_V(m, a) for a in args]).v
