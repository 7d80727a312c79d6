"""Elementwise special-function primitives: erf, erfc, erf_inv, lgamma, digamma.

The kernels follow the approximations XLA uses on CPU (its erf intrinsic; StableHLO's CHLO
decompositions: Cephes rational functions for erfc, Giles' polynomials for erf_inv, Lanczos
[g=7, n=9] for lgamma/digamma), evaluated in the input's precision with XLA's operation
order, its fused multiply-adds and its own float32 ``log``/``log1p``. Float32 ``erf`` and
``erf_inv`` (which ``random.normal`` is built on) therefore match JAX bit for bit; the others
differ by a few ulp where XLA's ``exp``/``sin``/``cos`` round differently from NumPy's.
Half-precision inputs are computed in float32 and rounded back, as XLA does.
"""
from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from ..runtime import dtypes
from ..runtime.array import Array
from . import ad_util
from . import elementwise as ew
from .batch_util import broadcast_batcher
from .elementwise import REAL_FLOAT, elementwise_rule
from .quiet import quiet
from .registry import Primitive, Templates


def _fma(a: np.ndarray, b: Any, c: Any) -> np.ndarray:
    """``a * b + c`` rounded once, as the FMA instructions XLA's CPU backend fuses into.

    NumPy has no ``fma``. A float32 product is exact in float64, so rounding the float64 sum
    to float32 differs from a true FMA only on rare double-rounding ties. Wider types get
    an unfused multiply-add (no exact emulation exists in NumPy).
    """
    if a.dtype == np.float32:
        wide = np.asarray(a, np.float64) * np.asarray(b, np.float64) + np.asarray(c, np.float64)
        return wide.astype(np.float32)
    return a * b + c


def _poly(x: np.ndarray, coefficients: Sequence[float]) -> np.ndarray:
    """Horner evaluation (coefficients in decreasing order) with fused multiply-adds."""
    dt = x.dtype.type
    if x.dtype != np.float32:
        p = np.full_like(x, dt(coefficients[0]))
        for c in coefficients[1:]:
            p = p * x + dt(c)
        return p
    # float32: each step is an exact float64 product-sum rounded once to float32 (see _fma).
    x64 = np.asarray(x, np.float64)
    p = np.full_like(x, dt(coefficients[0]))
    for c in coefficients[1:]:
        p = (x64 * p + np.float64(dt(c))).astype(np.float32)
    return p


# XLA's CPU float32 log: Cephes' logf polynomial, in three interleaved Horner chains.
_LOG32_P = ((0.070376836, -0.1151461, 0.116769984), (-0.12420141, 0.14249323, -0.16668057),
            (0.20000714, -0.24999994, 0.3333333))
_LOG32_Q1, _LOG32_Q2 = -0.00021219444, 0.693359375


def _xla_log32(x: np.ndarray) -> np.ndarray:
    """``log`` of float32 ``x`` rounded as XLA's CPU backend rounds it (FMAs included)."""
    f = np.float32
    xc = np.maximum(x, f(np.finfo(np.float32).tiny))
    bits = xc.view(np.uint32)
    e = ((bits >> 23).astype(np.int32) - 127).astype(f) + f(1)
    m = ((bits & np.uint32(0x807FFFFF)) | np.uint32(0x3F000000)).view(f)
    low = m < f(0.70710677)
    xm = (m + f(-1)) + np.where(low, m, f(0))
    e = e - np.where(low, f(1), f(0))
    x2 = xm * xm
    x3 = x2 * xm
    y, y1, y2 = (_fma(_fma(xm, f(a), f(b)), xm, f(c)) for a, b, c in _LOG32_P)
    y = _fma(_fma(_fma(y, x3, y1), x3, y2), x3, e * f(_LOG32_Q1))
    r = _fma(e, f(_LOG32_Q2), _fma(-x2, f(0.5), xm) + y)
    r = np.where(x > 0, r, f(np.nan))
    return np.where(x == 0, f(-np.inf), np.where(x == np.inf, f(np.inf), r))


def _flush_subnormal(x: np.ndarray) -> np.ndarray:
    """Zero for subnormal results: XLA's CPU code runs with flush-to-zero on."""
    return np.where(np.abs(x) < np.finfo(x.dtype).tiny, x.dtype.type(0), x)


def _log(x: np.ndarray) -> np.ndarray:
    return _xla_log32(x) if x.dtype == np.float32 else np.log(x)


_LOG1P_NUM = (4.5270000862445199635215e-5, 4.9854102823193375972212e-1,
              6.5787325942061044846969e0, 2.9911919328553073277375e1,
              6.0949667980987787057556e1, 5.7112963590585538103336e1,
              2.0039553499201281259648e1)
_LOG1P_DEN = (1.0, 1.5062909083469192043167e1, 8.3047565967967209469434e1,
              2.2176239823732856465394e2, 3.0909872225312059774938e2,
              2.1642788614495947685003e2, 6.0118660497603843919306e1)


def _xla_log1p(x: np.ndarray) -> np.ndarray:
    """XLA's CPU ``log1p``: a Cephes rational function near 0, ``log(1 + x)`` beyond."""
    f = x.dtype.type
    x2 = x * x
    small = x + (x2 * f(-0.5) + (x * x2) * (_poly(x, _LOG1P_NUM) / _poly(x, _LOG1P_DEN)))
    large = _log(x + f(1))
    return np.where(np.abs(x) < f(0.41421356237309504880), small, large)


def _in_working_precision(kernel32: Callable, kernel64: Callable) -> Callable:
    """Dispatch on dtype: float64 kernel, float32 kernel (half types go through float32)."""
    @quiet
    def impl(x: np.ndarray) -> np.ndarray:
        if x.dtype == dtypes.float64:
            return kernel64(x)
        if x.dtype == dtypes.float32:
            return kernel32(x)
        return kernel32(x.astype(np.float32)).astype(x.dtype)
    return impl


# --- erf / erfc -----------------------------------------------------------------------------

# float32 erf: XLA's CPU intrinsic (Eigen's rational interpolant, evaluated with FMAs);
# |x| >= 3.8325... is +-1 to within half an ulp.
_ERF32_CLAMP = 3.832506856900711
_ERF32_ALPHA = (0.00022905065861350646, 0.0034082910107109506, 0.050955695062380861,
                0.18520832239976145, 1.128379143519084)
_ERF32_BETA = (-1.1791602954361697e-7, 0.000023547966471313185, 0.0010179625278914885,
               0.014070470171167667, 0.11098505178285362, 0.49746925110067538, 1.0)
# float32 erf for |x| < 1, used by erfc there: x * T(x^2) (Cephes erff).
_ERF32_T = (7.853861353153693e-5, -8.010193625184903e-4, 5.188327685732524e-3,
            -2.685381193529856e-2, 1.128358514861418e-1, -3.761262582423300e-1,
            1.128379165726710e+0)
# float32 erfc for |x| >= 1: exp(-x^2) / |x| * P(1/x^2) on [1, 2), R(1/x^2) beyond (Cephes).
_ERFC32_P = (2.326819970068386e-2, -1.387039388740657e-1, 3.687424674597105e-1,
             -5.824733027278666e-1, 6.210004621745983e-1, -4.944515323274145e-1,
             3.404879937665872e-1, -2.741127028184656e-1, 5.638259427386472e-1)
_ERFC32_R = (-1.047766399936249e+1, 1.297719955372516e+1, -7.495518717768503e+0,
             2.921019019210786e+0, -1.015265279202700e+0, 4.218463358204948e-1,
             -2.820767439740514e-1, 5.641895067754075e-1)
_MAXLOG32 = 88.72283905206835

# float64 (Cephes ndtr.c): erf(x) = x T(x^2) / U(x^2) for |x| < 1; erfc beyond it as
# exp(-x^2) P(|x|) / Q(|x|) on [1, 8) and exp(-x^2) R(|x|) / S(|x|) from 8 on.
_ERF64_T = (9.60497373987051638749e0, 9.00260197203842689217e1, 2.23200534594684319226e3,
            7.00332514112805075473e3, 5.55923013010394962768e4)
_ERF64_U = (1.0, 3.35617141647503099647e1, 5.21357949780152679795e2,
            4.59432382970980127987e3, 2.26290000613890934246e4, 4.92673942608635921086e4)
_ERFC64_P = (2.46196981473530512524e-10, 5.64189564831068821977e-1, 7.46321056442269912687e0,
             4.86371970985681366614e1, 1.96520832956077098242e2, 5.26445194995477358631e2,
             9.34528527171957607540e2, 1.02755188689515710272e3, 5.57535335369399327526e2)
_ERFC64_Q = (1.0, 1.32281951154744992508e1, 8.67072140885989742329e1,
             3.54937778887819891062e2, 9.75708501743205489753e2, 1.82390916687909736289e3,
             2.24633760818710981792e3, 1.65666309194161350182e3, 5.57535340817727675546e2)
_ERFC64_R = (5.64189583547755073984e-1, 1.27536670759978104416e0, 5.01905042251180477414e0,
             6.16021097993053585195e0, 7.40974269950448939160e0, 2.97886665372100240670e0)
_ERFC64_S = (1.0, 2.26052863220117276590e0, 9.39603524938001434673e0,
             1.20489539808096656605e1, 1.70814450747565897222e1, 9.60896809063285878198e0,
             3.36907645100081516050e0)
_MAXLOG64 = 7.09782712893383996843e2


def _erf32(x: np.ndarray) -> np.ndarray:
    x2 = x * x
    ratio = x * _poly(x2, _ERF32_ALPHA) / _poly(x2, _ERF32_BETA)
    return np.where(np.abs(x) >= np.float32(_ERF32_CLAMP), np.copysign(np.float32(1), x), ratio)


def _erfc32(x: np.ndarray) -> np.ndarray:
    f = np.float32
    x2 = x * x
    z = -x2
    ax = np.abs(x)
    inv_x2 = f(1) / x2
    poly = np.where(ax < f(2), _poly(inv_x2, _ERFC32_P), _poly(inv_x2, _ERFC32_R))
    big = np.exp(z) * (f(1) / ax) * poly
    big = np.where(z < f(-_MAXLOG32), f(0), big)
    big = np.where(x < f(0), f(2) - big, big)
    small = _fma(-x, _poly(x2, _ERF32_T), f(1))
    return _flush_subnormal(np.where(ax < f(1), small, big))


def _erfc64_tail(x: np.ndarray) -> np.ndarray:
    """erfc for |x| >= 1 (either sign)."""
    z = -(x * x)
    ax = np.abs(x)
    ez = np.exp(z)
    near = ez * _poly(ax, _ERFC64_P) / _poly(ax, _ERFC64_Q)
    far = ez * _poly(ax, _ERFC64_R) / _poly(ax, _ERFC64_S)
    out = np.where(z < -_MAXLOG64, 0.0, np.where(ax < 8.0, near, far))
    return np.where(x < 0, 2.0 - out, out)


def _erf64_core(x: np.ndarray) -> np.ndarray:
    """erf for |x| < 1."""
    x2 = x * x
    return x * _poly(x2, _ERF64_T) / _poly(x2, _ERF64_U)


def _erf64(x: np.ndarray) -> np.ndarray:
    return np.where(np.abs(x) < 1.0, _erf64_core(x), 1.0 - _erfc64_tail(x))


def _erfc64(x: np.ndarray) -> np.ndarray:
    return np.where(np.abs(x) < 1.0, 1.0 - _erf64_core(x), _erfc64_tail(x))


# --- erf_inv --------------------------------------------------------------------------------

# Giles, "Approximating the erfinv function" (GPU Computing Gems, 2011).
_ERFINV32_SMALL = (2.81022636e-08, 3.43273939e-07, -3.5233877e-06, -4.39150654e-06,
                   0.00021858087, -0.00125372503, -0.00417768164, 0.246640727, 1.50140941)
_ERFINV32_LARGE = (-0.000200214257, 0.000100950558, 0.00134934322, -0.00367342844,
                   0.00573950773, -0.0076224613, 0.00943887047, 1.00167406, 2.83297682)
_ERFINV64_W625 = (
    -3.6444120640178196996e-21, -1.685059138182016589e-19, 1.2858480715256400167e-18,
    1.115787767802518096e-17, -1.333171662854620906e-16, 2.0972767875968561637e-17,
    6.6376381343583238325e-15, -4.0545662729752068639e-14, -8.1519341976054721522e-14,
    2.6335093153082322977e-12, -1.2975133253453532498e-11, -5.4154120542946279317e-11,
    1.051212273321532285e-09, -4.1126339803469836976e-09, -2.9070369957882005086e-08,
    4.2347877827932403518e-07, -1.3654692000834678645e-06, -1.3882523362786468719e-05,
    0.0001867342080340571352, -0.00074070253416626697512, -0.0060336708714301490533,
    0.24015818242558961693, 1.6536545626831027356)
_ERFINV64_W16 = (
    2.2137376921775787049e-09, 9.0756561938885390979e-08, -2.7517406297064545428e-07,
    1.8239629214389227755e-08, 1.5027403968909827627e-06, -4.013867526981545969e-06,
    2.9234449089955446044e-06, 1.2475304481671778723e-05, -4.7318229009055733981e-05,
    6.8284851459573175448e-05, 2.4031110387097893999e-05, -0.0003550375203628474796,
    0.00095328937973738049703, -0.0016882755560235047313, 0.0024914420961078508066,
    -0.0037512085075692412107, 0.005370914553590063617, 1.0052589676941592334,
    3.0838856104922207635)
_ERFINV64_WBIG = (
    -2.7109920616438573243e-11, -2.5556418169965252055e-10, 1.5076572693500548083e-09,
    -3.7894654401267369937e-09, 7.6157012080783393804e-09, -1.4960026627149240478e-08,
    2.9147953450901080826e-08, -6.7711997758452339498e-08, 2.2900482228026654717e-07,
    -9.9298272942317002539e-07, 4.5260625972231537039e-06, -1.9681778105531670567e-05,
    7.5995277030017761139e-05, -0.00021503011930044477347, -0.00013871931833623122026,
    1.0103004648645343977, 4.8499064014085844221)


def _erf_inv_edges(x: np.ndarray, result: np.ndarray) -> np.ndarray:
    # erf_inv(+-1) = +-inf; the polynomial is indeterminate there.
    return np.where(np.abs(x) == 1, x * x.dtype.type(np.inf), result)


def _erf_inv32(x: np.ndarray) -> np.ndarray:
    f = np.float32
    w = -_xla_log1p(x * -x)
    small = w < f(5)
    # XLA selects coefficients per element; evaluating both polynomials and selecting the
    # result rounds identically and avoids a select per coefficient.
    p = np.where(small, _poly(w - f(2.5), _ERFINV32_SMALL),
                 _poly(np.sqrt(w) - f(3), _ERFINV32_LARGE))
    return _erf_inv_edges(x, p * x)


def _erf_inv64(x: np.ndarray) -> np.ndarray:
    w = -_xla_log1p(x * -x)
    lt625, lt16 = w < 6.25, w < 16.0
    w = np.where(lt625, w - 3.125, np.sqrt(w) - np.where(lt16, 3.25, 5.0))
    # The three polynomials have different degrees; shorter ones are right-aligned.
    c625, c16, cbig = _ERFINV64_W625, _ERFINV64_W16, _ERFINV64_WBIG
    p = np.where(lt625, c625[0], np.where(lt16, c16[0], cbig[0]))
    for i in range(1, 17):
        p = _fma(p, w, np.where(lt625, c625[i], np.where(lt16, c16[i], cbig[i])))
    for i in range(17, 19):
        p = np.where(lt16, _fma(p, w, np.where(lt625, c625[i], c16[i])), p)
    for i in range(19, 23):
        p = np.where(lt625, _fma(p, w, c625[i]), p)
    return _erf_inv_edges(x, p * x)


# --- lgamma / digamma -----------------------------------------------------------------------

# Lanczos approximation with g = 7, n = 9 (XLA's choice: least sensitive to log accuracy).
_LANCZOS_G = 7.0
_LANCZOS_BASE = 0.99999999999980993227684700473478
_LANCZOS = (676.520368121885098567009190444019, -1259.13921672240287047156078755283,
            771.3234287776530788486528258894, -176.61502916214059906584551354,
            12.507343278686904814458936853, -0.13857109526572011689554707,
            9.984369578019570859563e-6, 1.50563273514931155834e-7)


def _lanczos_setup(x: np.ndarray):
    f = x.dtype.type
    reflect = x < f(0.5)
    z = np.where(reflect, -x, x - f(1))
    t = f(_LANCZOS_G + 0.5) + z
    # XLA folds the division by the constant into a multiplication by its reciprocal.
    log_t = _xla_log1p(z * f(1 / (_LANCZOS_G + 0.5))) + f(math.log(_LANCZOS_G + 0.5))
    return f, reflect, z, t, log_t


def _lgamma(x: np.ndarray) -> np.ndarray:
    f, reflect, z, t, log_t = _lanczos_setup(x)
    a = np.full_like(x, f(_LANCZOS_BASE))
    for i, c in enumerate(_LANCZOS):
        a = a + f(c) / (z + f(i + 1))
    # (z + 1/2) log t - t, arranged so that a large t does not overflow.
    r = _fma(z + f(0.5) - t / log_t, log_t, f((math.log(2) + math.log(math.pi)) / 2))
    lg = r + _log(a)
    # Reflection: lgamma(x) = log(pi) - lgamma(1 - x) - log|sin(pi x)|, with the sine of
    # the fractional part folded into [0, 1/2] for accuracy near the poles.
    ax = np.abs(x)
    frac = ax - np.floor(ax)
    frac = np.where(f(0.5) < frac, f(1) - frac, frac)
    denom = _log(np.sin(f(math.pi) * frac))
    refl = np.where(np.isfinite(denom), f(math.log(math.pi)) - denom - lg, -denom)
    out = np.where(reflect, refl, lg)
    return np.where(np.isinf(x), f(np.inf), out)


def _digamma(x: np.ndarray) -> np.ndarray:
    f, reflect, z, t, log_t = _lanczos_setup(x)
    a = np.full_like(x, f(_LANCZOS_BASE))
    a_prime = np.zeros_like(x)
    for i, c in enumerate(_LANCZOS):
        zk = z + f(i + 1)
        a_prime = a_prime - f(c) / (zk * zk)
        a = a + f(c) / zk
    dg = log_t + a_prime / a - f(_LANCZOS_G) / t
    # Reflection: digamma(x) = digamma(1 - x) - pi cot(pi x), with x shifted into
    # [-1/2, 1/2] first so that pi * x keeps its precision.
    reduced = x + np.abs(np.floor(x + f(0.5)))
    pr = f(math.pi) * reduced
    refl = dg - f(math.pi) * np.cos(pr) / np.sin(pr)
    out = np.where(reflect, refl, dg)
    # Poles at zero and the negative integers give nan (as XLA's digamma does).
    return np.where((x <= f(0)) & (x == np.floor(x)), f(np.nan), out)


# --- AD templates: JAX's rules (jax/_src/lax/special.py) over primitives ------------------
#
# Each rule multiplies by the derivative, a product that is its own transpose, so one
# function serves as the JVP template (``t`` a tangent) and the adjoint template (a cotangent).

def _d_erf(t: Array, ans: Array, x: Array) -> Array:
    return (2 / math.sqrt(math.pi)) * (t * ew.exp_p.bind(-(x * x)))


def _d_erfc(t: Array, ans: Array, x: Array) -> Array:
    return (-2 / math.sqrt(math.pi)) * (t * ew.exp_p.bind(-(x * x)))


def _d_erf_inv(t: Array, ans: Array, x: Array) -> Array:
    return (math.sqrt(math.pi) / 2) * (t * ew.exp_p.bind(ans * ans))


def _d_lgamma(t: Array, ans: Array, x: Array) -> Array:
    return t * digamma_p.bind(x)


def _d_digamma(t: Array, ans: Array, x: Array) -> Array:
    return t * trigamma(x)


# trigamma(w) ~ 1/w + 1/(2 w^2) + sum_k B_2k / w^(2k+1) for large w (Bernoulli numbers
# B_2 .. B_14); after the recurrence below w >= 10.5, where the first omitted term is below
# float64's rounding.
_TRIGAMMA_SHIFT = 10
_TRIGAMMA_BERNOULLI = (7 / 6, -691 / 2730, 5 / 66, -1 / 30, 1 / 42, -1 / 30, 1 / 6)


def trigamma(x: Array) -> Array:
    """``polygamma(1, x)``, composed of primitives (digamma's derivative, as in JAX).

    Reflection ``trigamma(x) = pi^2 / sin(pi x)^2 - trigamma(1 - x)`` below 1/2, the
    recurrence ``trigamma(z) = 1 / z^2 + trigamma(z + 1)`` up to ``z + 10``, then the
    asymptotic series. Being a composition, it is differentiable again (higher orders).
    """
    reflect = ew.lt_p.bind(x, ad_util.zeros_like(x) + 0.5)
    z = ew.select_n_p.bind(reflect, x, 1 - x)
    head = ad_util.zeros_like(x)
    for k in range(_TRIGAMMA_SHIFT):
        head = head + 1 / ((z + k) * (z + k))
    inv = 1 / (z + _TRIGAMMA_SHIFT)
    inv2 = inv * inv
    series = ad_util.zeros_like(x) + _TRIGAMMA_BERNOULLI[0]
    for b in _TRIGAMMA_BERNOULLI[1:]:
        series = series * inv2 + b
    psi1 = head + (inv + inv2 * (0.5 + inv * series))
    # sin(pi x)^2 has period 1: reducing x first keeps its precision near the poles.
    s = ew.sin_p.bind(math.pi * (x - ew.round_p.bind(x, rounding_method=1)))
    return ew.select_n_p.bind(reflect, psi1, (math.pi * math.pi) / (s * s) - psi1)


# --- declarations ---------------------------------------------------------------------------

def _declare(name: str, impl: Callable, d: Callable) -> Primitive:
    """A special function whose JVP and adjoint templates are both ``d``."""
    rule = Templates((d,))
    return Primitive(name, impl=impl, abstract_eval=elementwise_rule(name, REAL_FLOAT),
                     eager_kinds=REAL_FLOAT, family="special", jvp=rule, adjoint=rule,
                     batch=broadcast_batcher(name))


erf_p = _declare("erf", _in_working_precision(_erf32, _erf64), _d_erf)
erfc_p = _declare("erfc", _in_working_precision(_erfc32, _erfc64), _d_erfc)
erf_inv_p = _declare("erf_inv", _in_working_precision(_erf_inv32, _erf_inv64), _d_erf_inv)
lgamma_p = _declare("lgamma", _in_working_precision(_lgamma, _lgamma), _d_lgamma)
digamma_p = _declare("digamma", _in_working_precision(_digamma, _digamma), _d_digamma)
