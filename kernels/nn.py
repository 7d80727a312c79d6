"""``axc.nn``: activation functions, softmax and friends, composed from ``axc.numpy``.

Each function follows ``jax.nn``'s formula (and so its dtypes and weak types): integer
inputs stay integers where JAX's composition keeps them (``relu``, ``hard_tanh``) and
promote where it does not. JAX's custom derivative rules (``relu`` at 0, ``softmax``'s
stop-gradient on the shift) are for the AD work to attach; the values are the same.
"""
from __future__ import annotations

import math
import operator
import warnings
from typing import Any

import numpy as np

from ..runtime import dtypes
from ..runtime.array import Array
from . import elementwise as ew
from . import structural as st
from .numpy import manipulation, reductions, ufuncs
from .numpy.promote import asarray, check_arraylike, convert, promote_args_inexact
from .shapes import canonicalize_axes, canonicalize_axis
from .special import erfc_p

__all__ = [
    "celu", "elu", "gelu", "glu", "hard_sigmoid", "hard_silu", "hard_swish", "hard_tanh",
    "identity", "leaky_relu", "log_sigmoid", "log_softmax", "logsumexp", "mish", "one_hot",
    "relu", "relu6", "selu", "sigmoid", "silu", "soft_sign", "softmax", "softplus",
    "sparse_plus", "sparse_sigmoid", "squareplus", "standardize", "swish", "tanh",
]

tanh = ufuncs.tanh


def _arr(name: str, x: Any) -> Array:
    check_arraylike(name, x)
    return asarray(x)


# --- elementwise activations ----------------------------------------------------------------

def identity(x: Any) -> Array:
    """Identity activation: ``x``."""
    return _arr("identity", x)


def relu(x: Any) -> Array:
    """Rectified linear unit: ``max(x, 0)``."""
    return ufuncs.maximum(x, 0)


def relu6(x: Any) -> Array:
    """ReLU capped at 6: ``min(max(x, 0), 6)``."""
    return ufuncs.minimum(ufuncs.maximum(x, 0), 6.0)


def sigmoid(x: Any) -> Array:
    """Logistic sigmoid ``1 / (1 + exp(-x))`` (floating inputs only, as ``lax.logistic``)."""
    return ew.logistic_p.bind(_arr("sigmoid", x))  # integers are a TypeError, as in JAX


def log_sigmoid(x: Any) -> Array:
    """``log(sigmoid(x))`` computed as ``-softplus(-x)``."""
    return ufuncs.negative(softplus(ufuncs.negative(_arr("log_sigmoid", x))))


def softplus(x: Any) -> Array:
    """``log(1 + exp(x))``, as ``logaddexp(x, 0)``."""
    return ufuncs.logaddexp(x, 0)


def soft_sign(x: Any) -> Array:
    """``x / (|x| + 1)``."""
    x = _arr("soft_sign", x)
    return ufuncs.divide(x, ufuncs.add(ufuncs.abs(x), 1))


def silu(x: Any) -> Array:
    """SiLU / swish: ``x * sigmoid(x)``."""
    x = _arr("silu", x)
    return ufuncs.multiply(x, sigmoid(x))


swish = silu


def gelu(x: Any, approximate: bool = True) -> Array:
    """Gaussian error linear unit (the tanh approximation by default)."""
    (x,) = promote_args_inexact("gelu", x)
    mul, add = ufuncs.multiply, ufuncs.add
    if approximate:
        # NumPy scalars of x's dtype are strongly typed, as in jax.nn.gelu.
        k = np.asarray(math.sqrt(2 / math.pi)).astype(x.dtype)
        inner = mul(k, add(x, mul(0.044715, ufuncs.power(x, 3))))
        return mul(x, mul(0.5, add(1.0, ufuncs.tanh(inner))))
    half = convert(asarray(np.sqrt(0.5).astype(x.dtype)), x.dtype)
    return convert(mul(mul(0.5, x), erfc_p.bind(mul(ufuncs.negative(x), half))), x.dtype)


def elu(x: Any, alpha: Any = 1.0) -> Array:
    """Exponential linear unit: ``x`` if positive, else ``alpha * (exp(x) - 1)``."""
    x = _arr("elu", x)
    pos = ufuncs.greater(x, 0)
    return ufuncs.where(pos, x, ufuncs.multiply(alpha, ufuncs.expm1(ufuncs.where(pos, 0.0, x))))


def celu(x: Any, alpha: Any = 1.0) -> Array:
    """Continuously differentiable ELU: ``max(x, 0) + alpha * expm1(min(x, 0) / alpha)``."""
    neg = ufuncs.expm1(ufuncs.divide(ufuncs.minimum(x, 0.0), alpha))
    return ufuncs.add(ufuncs.maximum(x, 0.0), ufuncs.multiply(alpha, neg))


def selu(x: Any) -> Array:
    """Scaled ELU with the self-normalising constants."""
    alpha = 1.6732632423543772848170429916717
    scale = 1.0507009873554804934193349852946
    return ufuncs.multiply(scale, elu(x, alpha))


def leaky_relu(x: Any, negative_slope: Any = 1e-2) -> Array:
    """``x`` if ``x >= 0`` else ``negative_slope * x``."""
    x = _arr("leaky_relu", x)
    return ufuncs.where(ufuncs.greater_equal(x, 0), x, ufuncs.multiply(negative_slope, x))


def hard_tanh(x: Any) -> Array:
    """``x`` clipped to ``[-1, 1]``."""
    x = _arr("hard_tanh", x)
    return ufuncs.where(ufuncs.greater(x, 1), 1, ufuncs.where(ufuncs.less(x, -1), -1, x))


def hard_sigmoid(x: Any) -> Array:
    """Piecewise-linear sigmoid: ``relu6(x + 3) / 6``."""
    return ufuncs.divide(relu6(ufuncs.add(x, 3.0)), 6.0)


def hard_silu(x: Any) -> Array:
    """Hard SiLU / hard swish: ``x * hard_sigmoid(x)``."""
    x = _arr("hard_silu", x)
    return ufuncs.multiply(x, hard_sigmoid(x))


hard_swish = hard_silu


def mish(x: Any) -> Array:
    """``x * tanh(softplus(x))``."""
    x = _arr("mish", x)
    return ufuncs.multiply(x, ufuncs.tanh(softplus(x)))


def squareplus(x: Any, b: Any = 4) -> Array:
    """``(x + sqrt(x^2 + b)) / 2``."""
    check_arraylike("squareplus", x, b)
    return ufuncs.divide(ufuncs.add(x, ufuncs.sqrt(ufuncs.add(ufuncs.square(x), b))), 2)


def sparse_plus(x: Any) -> Array:
    """0 below -1, ``x`` above 1, ``(x + 1)^2 / 4`` between."""
    x = _arr("sparse_plus", x)
    middle = ufuncs.divide(ufuncs.power(ufuncs.add(x, 1.0), 2), 4)
    return ufuncs.where(ufuncs.less_equal(x, -1.0), 0.0,
                        ufuncs.where(ufuncs.greater_equal(x, 1.0), x, middle))


def sparse_sigmoid(x: Any) -> Array:
    """``clip(x + 1, 0, 2) / 2``."""
    return ufuncs.multiply(0.5, ufuncs.clip(ufuncs.add(x, 1.0), 0.0, 2.0))


def glu(x: Any, axis: int = -1) -> Array:
    """Gated linear unit: the halves ``a, b`` of ``axis`` give ``a * sigmoid(b)``."""
    x = _arr("glu", x)
    axis = canonicalize_axis(axis, x.ndim)
    size = x.shape[axis]
    assert size % 2 == 0, "axis size must be divisible by 2"  # JAX raises AssertionError
    half = size // 2

    def part(lo: int, hi: int) -> Array:
        start = tuple(lo if d == axis else 0 for d in range(x.ndim))
        limit = tuple(hi if d == axis else n for d, n in enumerate(x.shape))
        return st.slice_p.bind(x, start_indices=start, limit_indices=limit)
    return ufuncs.multiply(part(0, half), sigmoid(part(half, size)))


# --- normalisations -------------------------------------------------------------------------

def softmax(x: Any, axis: int | tuple[int, ...] | None = -1, where: Any = None) -> Array:
    """``exp(x) / sum(exp(x))`` along ``axis``, shifted by the maximum for stability;
    entries masked out by ``where`` give 0."""
    x = _arr("softmax", x)
    x_max = reductions.max(x, axis, where=where, initial=-np.inf, keepdims=True)
    x_safe = x if where is None else ufuncs.where(where, x, -np.inf)
    unnormalized = ufuncs.exp(ufuncs.subtract(x_safe, x_max))
    total = reductions.sum(unnormalized, axis, where=where, keepdims=True)
    result = ufuncs.divide(unnormalized, total)
    return result if where is None else ufuncs.where(where, result, 0)


def log_softmax(x: Any, axis: int | tuple[int, ...] | None = -1, where: Any = None) -> Array:
    """``x - logsumexp(x)`` along ``axis``; entries masked out by ``where`` give -inf."""
    x = _arr("log_softmax", x)
    x_max = reductions.max(x, axis, where=where, initial=-np.inf, keepdims=True)
    x_safe = x if where is None else ufuncs.where(where, x, -np.inf)
    shifted = ufuncs.subtract(x_safe, x_max)
    total = reductions.sum(ufuncs.exp(shifted), axis, where=where, keepdims=True)
    result = ufuncs.subtract(shifted, ufuncs.log(total))
    return result if where is None else ufuncs.where(where, result, -np.inf)


def logsumexp(a: Any, axis: int | tuple[int, ...] | None = None, b: Any = None,
              keepdims: bool = False, return_sign: bool = False,
              where: Any = None) -> Array | tuple[Array, Array]:
    """``log(sum(b * exp(a)))`` over ``axis``, stably; with ``return_sign`` also the sign of
    the sum (negative sums give NaN otherwise)."""
    if where is not None:
        a = ufuncs.where(where, a, 0)
    if b is not None:
        a_arr, b_arr = promote_args_inexact("logsumexp", a, b)
        a_arr = ufuncs.where(ufuncs.not_equal(b_arr, 0), a_arr, -np.inf)
    else:
        (a_arr,) = promote_args_inexact("logsumexp", a)
    dims = canonicalize_axes(axis, a_arr.ndim)
    amax = reductions.max(ufuncs.real(a_arr), axis=dims, keepdims=keepdims, where=where,
                          initial=-np.inf)
    amax = ufuncs.where(ufuncs.isfinite(amax), amax, convert(asarray(0), amax.dtype))
    amax_dims = amax if keepdims else manipulation.expand_dims(amax, dims)
    exp_a = ufuncs.exp(ufuncs.subtract(a_arr, convert(amax_dims, a_arr.dtype)))
    if b is not None:
        exp_a = ufuncs.multiply(exp_a, b_arr)
    sumexp = reductions.sum(exp_a, axis=dims, keepdims=keepdims, where=where)
    sign = ufuncs.sign(sumexp)
    if return_sign or sumexp.dtype.kind != "c":
        sumexp = ufuncs.abs(sumexp)
    out = ufuncs.add(ufuncs.log(sumexp), convert(amax, sumexp.dtype))
    if return_sign:
        return out, sign
    if b is not None and out.dtype.kind != "c":
        out = ufuncs.where(ufuncs.less(sign, 0), convert(asarray(np.nan), out.dtype), out)
    return out


def standardize(x: Any, axis: int | tuple[int, ...] | None = -1, mean: Any = None,
                variance: Any = None, epsilon: Any = 1e-5, where: Any = None, *,
                algorithm: str = "fast") -> Array:
    """``(x - mean) / sqrt(variance + epsilon)`` along ``axis``."""
    check_arraylike("standardize", x)
    for arg in (mean, variance, where):
        if arg is not None:
            check_arraylike("standardize", arg)
    if mean is None:
        mean = reductions.mean(x, axis, keepdims=True, where=where)
    if variance is None:
        if algorithm == "stable":
            variance = reductions.mean(ufuncs.square(ufuncs.subtract(x, mean)), axis,
                                       keepdims=True, where=where)
        elif algorithm == "fast":
            # E[x^2] - E[x]^2 may dip below zero by rounding; rsqrt needs it clipped.
            variance = ufuncs.subtract(
                reductions.mean(ufuncs.square(x), axis, keepdims=True, where=where),
                ufuncs.square(mean))
            variance = ufuncs.clip(variance, 0)
        else:
            raise ValueError(f"Unknown algorithm '{algorithm}'. Expected 'fast' or 'stable'.")
    (scale,) = promote_args_inexact("standardize", ufuncs.add(variance, epsilon))
    return ufuncs.multiply(ufuncs.subtract(x, mean), ew.rsqrt_p.bind(scale))


def one_hot(x: Any, num_classes: int, *, dtype: Any = None, axis: int = -1) -> Array:
    """One-hot encoding of integer ``x`` along a new ``axis`` of size ``num_classes``;
    out-of-range indices give all zeros."""
    num_classes = operator.index(num_classes)
    x = asarray(x)
    if x.dtype.kind not in "iu":
        warnings.warn(f"jax.nn.one_hot input should be integer-typed; got dtype={x.dtype}",
                      DeprecationWarning, stacklevel=2)
    if dtype is None:
        out_dt = dtypes.default_float_dtype()
    else:
        if isinstance(dtype, type) and issubclass(dtype, np.generic):
            dtype = np.dtype(dtype)
        out_dt = dtypes.canonicalize_dtype(dtypes.dtype(dtype))
    pos = canonicalize_axis(axis, x.ndim + 1)
    lhs = st.expand_dims_p.bind(x, dimensions=(pos,))
    shape = [1] * x.ndim
    shape.insert(pos, num_classes)
    iota_dt = x.dtype if x.dtype.kind in "iuf" else dtypes.default_float_dtype()
    rhs = st.iota_p.bind(dtype=iota_dt, shape=tuple(shape), dimension=pos)
    return convert(ufuncs.equal(lhs, rhs), out_dt)
