"""One table of inputs for every registry primitive, and the tolerances that results obey.

Backends (``jit`` today runs the eager impls; the LLVM and CUDA backends next) are held to
the eager implementation on these cases: float32 always, float64 (``Case.needs_x64``),
integers, bool, complex64 and the half floats where a primitive accepts them; 0-d, 1-d, 2-d
broadcasting, empty operands, a length of 37 (not a multiple of a vector width) and 1000;
IEEE special values (nan, +-inf, -0.0, subnormals, huge values) and XLA's integer edge cases
(division by zero, ``INT_MIN / -1``, shifts by the bit width or more, negative shifts).
Control-flow primitives get their regions by staging ``axc.lax`` control flow.

    import primitive_cases as pc
    pc.cases("add"); pc.all_cases(); pc.select(family="reduce", dtype="int32")
    pc.assert_case_close(case, got, want)     # tolerance chosen by primitive and dtype

Operands are built from ``np.random.default_rng`` seeded by the primitive's name, so the
table is deterministic and adding cases to one primitive leaves the others' data alone.
"""
from __future__ import annotations

import math
import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import Any, NamedTuple

import numpy as np
from axc.kernels import registry
from axc.kernels.numpy.index_expr import parse_index
from axc.runtime import dtypes

F16, F32, F64 = np.dtype("float16"), np.dtype("float32"), np.dtype("float64")
BF16 = np.dtype(dtypes.bfloat16)
C64, C128 = np.dtype("complex64"), np.dtype("complex128")
I8, I32, U8, U32 = np.dtype("int8"), np.dtype("int32"), np.dtype("uint8"), np.dtype("uint32")
BOOL = np.dtype("bool")
_SHORT = {"float16": "f16", "float32": "f32", "float64": "f64", "bfloat16": "bf16",
          "complex64": "c64", "complex128": "c128", "bool": "bool"}


@dataclass(frozen=True, eq=False)
class Case:
    """``prim_name`` applied to ``operands`` (NumPy arrays) with ``params``; ``id`` is unique."""

    prim_name: str
    operands: tuple
    params: dict = field(default_factory=dict)
    id: str = ""

    @property
    def prim(self) -> registry.Primitive:
        return registry.get(self.prim_name)

    @property
    def family(self) -> str:
        return self.prim.family

    @property
    def dtypes(self) -> frozenset[str]:
        """Names of the operands' dtypes and of any dtype parameter."""
        names = {np.asarray(x).dtype.name for x in self.operands}
        names |= {np.dtype(v).name for k, v in self.params.items()
                  if k in ("new_dtype", "dtype", "index_dtype", "preferred_element_type")
                  and v is not None}
        return frozenset(names)

    @property
    def needs_x64(self) -> bool:
        """A 64-bit dtype is involved: run under ``config.override("jax_enable_x64", True)``."""
        return bool(self.dtypes & {"float64", "int64", "uint64", "complex128"})

    def __repr__(self) -> str:
        return f"Case({self.id})"


# --- value builders ------------------------------------------------------------------------

def _rng(tag: str) -> np.random.Generator:
    return np.random.default_rng(zlib.crc32(tag.encode()))


def _is_float(dt: np.dtype) -> bool:
    return dt.kind == "f" or dt == BF16


def rand(rng: np.random.Generator, shape: Sequence[int], dt: Any, lo: float = -3.0,
         hi: float = 3.0) -> np.ndarray:
    """Uniform data in ``[lo, hi)`` of any dtype (complex: both parts; bool: fair coins)."""
    dt, shape = np.dtype(dt), tuple(shape)
    if dt.kind == "b":
        return rng.random(shape) < 0.5
    if dt.kind in "iu":
        info = np.iinfo(dt)
        return rng.integers(max(math.floor(lo), info.min), min(math.ceil(hi), info.max) + 1,
                            shape).astype(dt)
    x = rng.uniform(lo, hi, shape)
    if dt.kind == "c":
        x = x + 1j * rng.uniform(lo, hi, shape)
    return x.astype(dt)


def special_floats(dt: Any) -> np.ndarray:
    """IEEE special and boundary values of a float dtype, in that dtype (33 of them)."""
    dt = np.dtype(dt)
    fi = dtypes.finfo(dt)
    big, sub, tiny = float(fi.max), float(fi.smallest_subnormal), float(fi.tiny)
    logmax = math.log(big)
    vals = [math.nan, math.inf, -math.inf, 0.0, -0.0, sub, -sub, 5 * sub, tiny, -tiny,
            float(fi.eps), 0.5, -0.5, 1.0, -1.0, 1.5, -2.5, 2.5, 3.0, -3.0, math.pi,
            -math.pi / 2, 10.0, -10.0, 100.0, logmax - 0.5, logmax + 0.5, -logmax - 10.0,
            1e4, big, -big, big / 3, math.sqrt(big)]
    return np.array(vals, np.float64).astype(dt)


def special_grid(dt: Any) -> tuple[np.ndarray, np.ndarray]:
    """Every pair of 13 special values, as operands of shapes (13, 1) and (1, 13)."""
    dt = np.dtype(dt)
    fi = dtypes.finfo(dt)
    vals = np.array([math.nan, math.inf, -math.inf, 0.0, -0.0, float(fi.smallest_subnormal),
                     -1.0, 1.0, -2.5, 0.5, 3.0, float(fi.max), -float(fi.max)]).astype(dt)
    return vals[:, None], vals[None, :]


def int_edges(dt: Any) -> np.ndarray:
    """Integer edge values: the extremes, 0, +-1, the bit width and its neighbours."""
    info = np.iinfo(dt)
    vals = {info.min, info.min + 1, -100, -7, -2, -1, 0, 1, 2, 3, 7, info.bits - 1, info.bits,
            info.bits + 1, 100, info.max - 1, info.max}
    return np.array(sorted(v for v in vals if info.min <= v <= info.max), dt)


def int_grid(dt: Any) -> tuple[np.ndarray, np.ndarray]:
    e = int_edges(dt)
    return e[:, None], e[None, :]


def _sig(operands: Sequence[np.ndarray]) -> str:
    parts = []
    for x in operands:
        x = np.asarray(x)
        parts.append(_SHORT.get(x.dtype.name, x.dtype.name) + "[" + "x".join(map(str, x.shape))
                     + "]")
    return ",".join(parts) or "none"


# --- the table: one builder per group of primitives ------------------------------------------

_BUILDERS: dict[str, Callable[[str, np.random.Generator], list]] = {}


def _builds(*names: str) -> Callable:
    """Register a builder ``f(name, rng) -> [(operands, params[, tag]), ...]`` for ``names``."""
    def register(fn: Callable) -> Callable:
        for n in names:
            _BUILDERS[n] = fn
        return fn
    return register


# In-domain ranges of the unary float primitives (random data within them).
UNARY_DOMAIN = {
    "neg": (-3, 3), "sign": (-3, 3), "abs": (-3, 3), "floor": (-5, 5), "ceil": (-5, 5),
    "round": (-5, 5), "is_finite": (-3, 3), "exp": (-10, 10), "exp2": (-10, 10),
    "log": (0.01, 10), "log1p": (-0.9, 10), "expm1": (-5, 5), "sqrt": (0, 10),
    "rsqrt": (0.01, 10), "cbrt": (-10, 10), "logistic": (-10, 10), "sin": (-10, 10),
    "cos": (-10, 10), "tan": (-1.5, 1.5), "asin": (-1, 1), "acos": (-1, 1), "atan": (-10, 10),
    "sinh": (-5, 5), "cosh": (-5, 5), "tanh": (-5, 5), "asinh": (-10, 10), "acosh": (1, 10),
    "atanh": (-0.99, 0.99), "erf": (-4, 4), "erfc": (-4, 10), "erf_inv": (-0.99, 0.99),
    "lgamma": (-4.5, 10), "digamma": (-4.5, 10),
}


@_builds(*UNARY_DOMAIN)
def _unary(name: str, rng: np.random.Generator) -> list:
    lo, hi = UNARY_DOMAIN[name]
    params = [{"rounding_method": 0}, {"rounding_method": 1}] if name == "round" else [{}]
    out = [((rand(rng, (), F32, lo, hi),), params[0]),
           ((rand(rng, (1000,), F32, lo, hi),), params[0]), ((rand(rng, (4, 0), F32),), params[0]),
           ((rand(rng, (5, 7), F64, lo, hi),), params[0]),
           ((special_floats(F64),), params[0], "specials"),
           ((rand(rng, (37,), F16, lo, hi),), params[0]),
           ((rand(rng, (37,), BF16, lo, hi),), params[0])]
    for p in params:
        out += [((rand(rng, (37,), F32, lo, hi),), p), ((special_floats(F32),), p, "specials")]
    kinds = registry.get(name).eager_kinds or ""
    if "c" in kinds:
        # Complex inputs near the real domain's centre, off every branch cut.
        clo, chi = (0.2, 0.9) if name in ("log", "sqrt", "rsqrt", "acosh", "log1p") else (-1, 1)
        out += [((rand(rng, (37,), C64, clo, chi),), {}), ((rand(rng, (), C64, clo, chi),), {}),
                ((rand(rng, (5, 7), C128, clo, chi),), {})]
    if "i" in kinds:
        out += [((int_edges(dt),), {}, "edges") for dt in (I32, I8, U8)]
        out.append(((rand(rng, (1000,), I32, -1000, 1000),), {}))
    return out


@_builds("not", "population_count")
def _unary_bits(name: str, rng: np.random.Generator) -> list:
    out = [((int_edges(dt),), {}, "edges") for dt in (I32, I8, U8)]
    out += [((rand(rng, (1000,), U32, 0, 2**32 - 1),), {}), ((np.int32(-5),), {})]
    if name == "not":
        out.append(((rand(rng, (37,), BOOL),), {}))
    return out


FLOAT_BINARY_DOMAIN = {
    "add": ((-3, 3), (-3, 3)), "sub": ((-3, 3), (-3, 3)), "mul": ((-3, 3), (-3, 3)),
    "div": ((-3, 3), (0.1, 3)), "rem": ((-10, 10), (0.5, 3)), "pow": ((0.1, 3), (-3, 3)),
    "max": ((-3, 3), (-3, 3)), "min": ((-3, 3), (-3, 3)), "atan2": ((-3, 3), (-3, 3)),
    "nextafter": ((-3, 3), (-3, 3)),
}
BROADCAST_SHAPES = [((), ()), ((37,), (37,)), ((1000,), (1000,)), ((3, 1), (1, 4)),
                    ((4,), (3, 4)), ((2, 3), ()), ((0,), (1,))]


@_builds(*FLOAT_BINARY_DOMAIN)
def _binary(name: str, rng: np.random.Generator) -> list:
    (xl, xh), (yl, yh) = FLOAT_BINARY_DOMAIN[name]

    def pair(sx, sy, dt):
        return rand(rng, sx, dt, xl, xh), rand(rng, sy, dt, yl, yh)
    out = [(pair(sx, sy, F32), {}) for sx, sy in BROADCAST_SHAPES]
    out += [(special_grid(F32), {}, "specials"), (special_grid(F64), {}, "specials"),
            (pair((5, 7), (5, 7), F64), {}), (pair((37,), (37,), F16), {}),
            (pair((37,), (37,), BF16), {}), (special_grid(BF16), {}, "specials")]
    kinds = registry.get(name).eager_kinds
    if name in ("max", "min"):  # complex numbers compare lexicographically
        out.append(((rand(rng, (37,), I32, -1, 1).astype(C64), rand(rng, (37,), C64)), {}))
    elif "c" in kinds and name != "rem":  # JAX's rem refuses complex
        out += [(pair((37,), (37,), C64), {}), (pair((3, 1), (1, 4), C64), {}),
                (pair((5, 7), (5, 7), C128), {})]
    if "i" in kinds:
        out += [(int_grid(dt), {}, "edges") for dt in (I32, I8, U8)]
        out.append(((rand(rng, (1000,), I32, -10**6, 10**6), rand(rng, (1000,), I32, -50, 50)),
                    {}))
    if "b" in kinds:
        out.append(((rand(rng, (3, 1), BOOL), rand(rng, (1, 4), BOOL)), {}))
    return out


@_builds("complex")
def _complex(name: str, rng: np.random.Generator) -> list:
    return [((rand(rng, sx, dt), rand(rng, sy, dt)), {})
            for (sx, sy), dt in [(((), ()), F32), (((37,), (37,)), F32), (((3, 1), (1, 4)), F32),
                                 (((5, 7), (5, 7)), F64)]] + [(special_grid(F32), {}, "specials")]


@_builds("eq", "ne", "lt", "le", "gt", "ge")
def _compare(name: str, rng: np.random.Generator) -> list:
    def ties(shape, dt):  # small integers as floats: many equal pairs
        return rand(rng, shape, I32, -2, 2).astype(dt)
    out = [(special_grid(F32), {}, "specials"), ((ties((3, 1), F32), ties((1, 4), F32)), {}),
           ((ties((1000,), F32), ties((1000,), F32)), {}), ((ties((), F32), ties((37,), F32)), {}),
           (int_grid(I32), {}, "edges"), (int_grid(U8), {}, "edges"),
           ((rand(rng, (3, 1), BOOL), rand(rng, (1, 4), BOOL)), {}),
           ((ties((37,), BF16), ties((37,), BF16)), {}), (special_grid(F64), {}, "specials")]
    if name in ("eq", "ne"):
        out.append(((ties((37,), C64), ties((37,), C64)), {}))
    return out


@_builds("and", "or", "xor")
def _bitwise(name: str, rng: np.random.Generator) -> list:
    return [(int_grid(dt), {}, "edges") for dt in (I32, I8, U8)] + [
        ((rand(rng, (3, 1), BOOL), rand(rng, (1, 4), BOOL)), {}),
        ((rand(rng, (1000,), U32, 0, 2**32 - 1), rand(rng, (1000,), U32, 0, 2**32 - 1)), {})]


@_builds("shift_left", "shift_right_arithmetic", "shift_right_logical")
def _shift(name: str, rng: np.random.Generator) -> list:
    out = []
    for dt in (I32, I8, U8, U32):
        bits = np.iinfo(dt).bits
        amounts = [0, 1, 3, bits - 1, bits, bits + 1, 2 * bits, 100]
        if dt.kind == "i":
            amounts += [-1, -bits, np.iinfo(dt).min]
        amounts = np.array([a for a in amounts if a <= np.iinfo(dt).max], dt)
        out.append(((int_edges(dt)[:, None], amounts[None, :]), {}, "edges"))
    out.append(((rand(rng, (1000,), I32, -10**9, 10**9), rand(rng, (1000,), I32, -2, 40)), {}))
    return out


INTEGER_POW_CASES = [(F32, -3), (F32, -2), (F32, -1), (F32, 0), (F32, 1), (F32, 2), (F32, 3),
                     (F32, 7), (F64, -5), (F16, 2), (BF16, -2), (C64, 3), (C64, -1)]


@_builds("integer_pow")
def _integer_pow(name: str, rng: np.random.Generator) -> list:
    out = [((special_floats(dt) if dt.kind != "c" else rand(rng, (37,), dt),), {"y": y})
           for dt, y in INTEGER_POW_CASES]
    out += [((rand(rng, (1000,), F32, -2, 2),), {"y": 3}), ((rand(rng, (), F32),), {"y": 2}),
            ((int_edges(I32),), {"y": 2}, "edges"), ((int_edges(I32),), {"y": 3}, "edges"),
            ((int_edges(U8),), {"y": 5}, "edges"), ((rand(rng, (0,), F32),), {"y": 2})]
    return out


@_builds("convert_element_type")
def _convert(name: str, rng: np.random.Generator) -> list:
    def to(x, *targets, tag=""):
        return [((x,), {"new_dtype": dt}, tag) for dt in targets]
    # Float to integer saturates and maps nan to 0 (XLA); the specials probe both.
    return (to(special_floats(F32), I32, I8, U8, U32, BOOL, F16, BF16, C64, F32, F64,
               tag="specials")
            + to(rand(rng, (1000,), F32, -1e5, 1e5), I32) + to(rand(rng, (), F32), I32)
            + to(int_edges(I32), F32, F16, I8, U8, BOOL, C64, F64, tag="edges")
            + to(int_edges(U8), I32, I8, F32, tag="edges")
            + to(rand(rng, (37,), BOOL), F32, I32) + to(rand(rng, (37,), C64), F32, I32, BOOL)
            + to(special_floats(F16), F32, tag="specials")
            + to(special_floats(BF16), F32, F16, tag="specials")
            + to(special_floats(F64), F32, tag="specials")
            + [((rand(rng, (37,), I32, -9, 9),), {"new_dtype": F32, "weak_type": True}, "weak")])


@_builds("bitcast_convert_type")
def _bitcast(name: str, rng: np.random.Generator) -> list:
    pairs = [(special_floats(F32), I32), (special_floats(F32), U32), (int_edges(I32), F32),
             (int_edges(U8), I8), (special_floats(F16), np.dtype("int16")),
             (special_floats(BF16), np.dtype("uint16")), (special_floats(F64), np.dtype("int64")),
             (rand(rng, (3, 4), I32, -2**31, 2**31 - 1), F32)]
    return [((x,), {"new_dtype": dt}) for x, dt in pairs]


@_builds("real", "imag", "conj")
def _complex_parts(name: str, rng: np.random.Generator) -> list:
    inf = np.array([complex(math.inf, -0.0), complex(math.nan, 1.0), complex(-0.0, math.inf)],
                   C64)
    return [((rand(rng, (37,), C64),), {}), ((rand(rng, (), C64),), {}), ((inf,), {}, "specials"),
            ((rand(rng, (5, 7), C128),), {}), ((rand(rng, (0, 3), C64),), {})]


@_builds("select_n")
def _select_n(name: str, rng: np.random.Generator) -> list:
    def r(shape, dt=F32):
        return rand(rng, shape, dt)
    which3 = rand(rng, (5, 7), I32, 0, 2)
    return [((r((37,), BOOL), r((37,)), r((37,))), {}),
            ((r((3, 1), BOOL), r((1, 4)), r(())), {}),
            ((which3, r((5, 7)), r((7,)), r((5, 7))), {}),
            ((r((), BOOL), r((37,)), r((37,))), {}),
            ((r((1000,), BOOL), r((1000,), I32), r((1000,), I32)), {}),
            ((r((37,), BOOL), r((37,), BOOL), r((37,), BOOL)), {}),
            ((r((37,), BOOL), r((37,), C64), r((37,), C64)), {}),
            ((r((37,), BOOL), r((37,), BF16), r((37,), BF16)), {}),
            ((r((5, 7), BOOL), r((5, 7), F64), r((5, 7), F64)), {}),
            ((r((4,), BOOL), r((4,))), {}),
            ((r((0,), BOOL), r((0,)), r((0,))), {})]


@_builds("clamp")
def _clamp(name: str, rng: np.random.Generator) -> list:
    return [((np.float32(-1), rand(rng, (37,), F32), np.float32(1)), {}),
            ((np.float32(-1), special_floats(F32), np.float32(2)), {}, "specials"),
            ((rand(rng, (3, 1), F32, -2, 0), rand(rng, (3, 4), F32), rand(rng, (4,), F32, 0, 2)),
             {}),
            ((np.int32(-5), int_edges(I32), np.int32(100)), {}, "edges"),
            ((np.uint8(3), int_edges(U8), np.uint8(200)), {}, "edges"),
            ((np.array(-1, BF16), rand(rng, (37,), BF16), np.array(1, BF16)), {}),
            ((np.bool_(True), rand(rng, (37,), BOOL), np.bool_(True)), {}),
            ((np.complex64(-1), rand(rng, (37,), C64), np.complex64(1 + 1j)), {}),
            ((np.float64(-1), rand(rng, (1000,), F64), np.float64(1)), {})]


# --- reductions ----------------------------------------------------------------------------

REDUCE_SHAPES = [((), ()), ((0,), (0,)), ((37,), (0,)), ((1000,), (0,)), ((3, 4), (1,)),
                 ((3, 4), (0, 1)), ((3, 4), ()), ((2, 0, 3), (1,)), ((5, 37), (1,)),
                 ((4, 5, 6), (0, 2))]


@_builds("reduce_sum", "reduce_prod", "reduce_max", "reduce_min")
def _reduce(name: str, rng: np.random.Generator) -> list:
    lo, hi = (0.8, 1.25) if name == "reduce_prod" else (-3, 3)

    def data(shape, dt):
        x = rand(rng, shape, dt, lo, hi)
        if name == "reduce_prod" and _is_float(dt):
            x = x * np.where(rng.random(shape) < 0.5, -1, 1).astype(dt)  # signs, no overflow
        return x
    out = [((data(s, F32),), {"axes": a}) for s, a in REDUCE_SHAPES]
    out += [((data((5, 37), dt),), {"axes": (1,)})
            for dt in (I32, U8, I8, C64, F16, BF16, F64)]
    out.append(((special_floats(F32)[None, :].repeat(2, 0),), {"axes": (1,)}, "specials"))
    if name in ("reduce_max", "reduce_min"):
        out.append(((data((37,), BOOL),), {"axes": (0,)}))
        out.append(((int_edges(I32),), {"axes": (0,)}, "edges"))
    return out


@_builds("reduce_and", "reduce_or", "reduce_xor")
def _reduce_bits(name: str, rng: np.random.Generator) -> list:
    out = []
    for dt in (BOOL, I32, U8):
        out += [((rand(rng, (37,), dt, -9, 9),), {"axes": (0,)}),
                ((rand(rng, (3, 4), dt, 0, 255),), {"axes": (1,)}),
                ((rand(rng, (0, 3), dt),), {"axes": (0,)})]
    out += [((rand(rng, (1000,), BOOL) | True,), {"axes": (0,)}, "all_true"),
            ((rand(rng, (4, 5, 6), I32, -10**6, 10**6),), {"axes": (0, 2)})]
    return out


@_builds("argmax", "argmin")
def _arg(name: str, rng: np.random.Generator) -> list:
    ties = rand(rng, (3, 4), I32, -1, 1).astype(F32)
    nan_row = rand(rng, (3, 4), F32)
    nan_row[1, 2] = nan_row[2, 0] = math.nan
    idx = {"index_dtype": I32}
    return [((rand(rng, (37,), F32),), {"axis": 0, **idx}),
            ((ties,), {"axis": 1, **idx}, "ties"), ((nan_row,), {"axis": 1, **idx}, "nan"),
            ((special_floats(F32),), {"axis": 0, **idx}, "specials"),
            ((rand(rng, (5, 37), F32),), {"axis": 0, **idx}),
            ((rand(rng, (1000,), F32),), {"axis": 0, **idx}),
            ((int_edges(I32),), {"axis": 0, **idx}, "edges"),
            ((rand(rng, (3, 4), U8, 0, 3),), {"axis": 1, "index_dtype": U8}),
            ((rand(rng, (37,), BOOL),), {"axis": 0, **idx}),
            ((rand(rng, (4, 5), BF16),), {"axis": 1, **idx}),
            ((rand(rng, (4, 5), F64),), {"axis": 0, **idx})]


@_builds("cumsum", "cumprod", "cummax", "cummin", "cumlogsumexp")
def _cumulative(name: str, rng: np.random.Generator) -> list:
    lo, hi = (0.8, 1.25) if name == "cumprod" else (-3, 3)

    def r(shape, dt=F32):
        return rand(rng, shape, dt, lo, hi)
    out = [((r((37,)),), {"axis": 0}), ((r((37,)),), {"axis": 0, "reverse": True}),
           ((r((5, 37)),), {"axis": 1}), ((r((4, 6)),), {"axis": 0, "reverse": True}),
           ((r((3, 0)),), {"axis": 1}), ((r((1,)),), {"axis": 0}),
           ((r((1000,)),), {"axis": 0}), ((special_floats(F32),), {"axis": 0}, "specials"),
           ((r((5, 7), F16),), {"axis": 1}), ((r((5, 7), BF16),), {"axis": 0}),
           ((r((5, 7), F64),), {"axis": 1, "reverse": True})]
    if name != "cumlogsumexp":
        out += [((rand(rng, (5, 37), I32, -50, 50),), {"axis": 1}),
                ((rand(rng, (37,), U8, 0, 3),), {"axis": 0, "reverse": True})]
    if name in ("cumsum", "cumprod"):
        out.append(((r((37,), C64),), {"axis": 0}))
    return out


@_builds("sort")
def _sort(name: str, rng: np.random.Generator) -> list:
    keys = rand(rng, (37,), I32, -3, 3).astype(F32)  # ties: the sort must be stable
    one = {"dimension": 0, "num_keys": 1}
    return [((special_floats(F32),), one, "specials"),
            ((rand(rng, (5, 37), F32),), {"dimension": 1, "num_keys": 1}),
            ((rand(rng, (5, 37), F32),), one), ((rand(rng, (1000,), F32),), one),
            ((int_edges(I32),), one, "edges"), ((rand(rng, (37,), U8, 0, 255),), one),
            ((rand(rng, (37,), BOOL),), one), ((special_floats(BF16),), one, "specials"),
            ((rand(rng, (37,), C64, -1, 1).round(),), one), ((special_floats(F64),), one),
            ((keys, np.arange(37, dtype=I32)), one, "stable"),
            ((keys, rand(rng, (37,), I32, 0, 2).astype(F32), rand(rng, (37,), F32)),
             {"dimension": 0, "num_keys": 2}), ((rand(rng, (0,), F32),), one)]


# --- structural ----------------------------------------------------------------------------

def _structural_dtypes(rng: np.random.Generator, shape: tuple) -> list[np.ndarray]:
    return [rand(rng, shape, dt) for dt in (F32, I32, BOOL, C64, BF16)]


def _each_dtype(rng: np.random.Generator, shape: tuple, params: dict) -> list:
    return [((x,), params) for x in _structural_dtypes(rng, shape)]


@_builds("broadcast_in_dim")
def _broadcast_in_dim(name: str, rng: np.random.Generator) -> list:
    return (_each_dtype(rng, (3, 1), {"shape": (4, 3, 5), "broadcast_dimensions": (1, 2)})
            + [((rand(rng, (), F32),), {"shape": (37,), "broadcast_dimensions": ()}),
               ((rand(rng, (37,), F32),), {"shape": (3, 37), "broadcast_dimensions": (1,)}),
               ((rand(rng, (4, 3), F32),), {"shape": (3, 2, 4), "broadcast_dimensions": (2, 0)}),
               ((rand(rng, (0, 1), F32),), {"shape": (0, 5), "broadcast_dimensions": (0, 1)})])


@_builds("reshape")
def _reshape(name: str, rng: np.random.Generator) -> list:
    return (_each_dtype(rng, (2, 3, 4), {"new_sizes": (6, 4)})
            + [((rand(rng, (1,), F32),), {"new_sizes": ()}),
               ((rand(rng, (), F32),), {"new_sizes": (1, 1)}),
               ((rand(rng, (0, 3), F32),), {"new_sizes": (3, 0, 1)}),
               ((rand(rng, (1000,), F32),), {"new_sizes": (8, 125)})])


@_builds("transpose")
def _transpose(name: str, rng: np.random.Generator) -> list:
    return (_each_dtype(rng, (2, 3, 4), {"permutation": (2, 0, 1)})
            + [((rand(rng, (), F32),), {"permutation": ()}),
               ((rand(rng, (37, 40), F32),), {"permutation": (1, 0)}),
               ((rand(rng, (0, 3), F32),), {"permutation": (1, 0)})])


@_builds("squeeze")
def _squeeze(name: str, rng: np.random.Generator) -> list:
    return (_each_dtype(rng, (1, 3, 1), {"dimensions": (0, 2)})
            + [((rand(rng, (1,), F32),), {"dimensions": (0,)})])


@_builds("expand_dims")
def _expand_dims(name: str, rng: np.random.Generator) -> list:
    return (_each_dtype(rng, (3, 4), {"dimensions": (0, 2)})
            + [((rand(rng, (), F32),), {"dimensions": (0,)})])


@_builds("rev")
def _rev(name: str, rng: np.random.Generator) -> list:
    return (_each_dtype(rng, (2, 3, 4), {"dimensions": (0, 2)})
            + [((rand(rng, (37,), F32),), {"dimensions": (0,)}),
               ((rand(rng, (1000,), F32),), {"dimensions": (0,)}),
               ((rand(rng, (0,), F32),), {"dimensions": (0,)})])


@_builds("slice")
def _slice(name: str, rng: np.random.Generator) -> list:
    strided = {"start_indices": (1, 2), "limit_indices": (7, 6), "strides": (2, 3)}
    return (_each_dtype(rng, (7, 6), strided)
            + [((rand(rng, (5, 6), F32),), {"start_indices": (1, 0), "limit_indices": (4, 6)}),
               ((rand(rng, (4,), F32),),
                {"start_indices": (2,), "limit_indices": (2,), "strides": (5,)}),
               ((rand(rng, (), F32),), {"start_indices": (), "limit_indices": ()}),
               ((rand(rng, (1000,), F32),),
                {"start_indices": (3,), "limit_indices": (998,), "strides": (7,)})])


@_builds("pad")
def _pad(name: str, rng: np.random.Generator) -> list:
    config = ((-1, 2, 1), (0, -2, 2))
    return ([((x, rand(rng, (), x.dtype)), {"padding_config": config})
             for x in _structural_dtypes(rng, (4, 3))]
            + [((rand(rng, (37,), F32), np.float32(0)), {"padding_config": ((1, 2, 0),)}),
               ((rand(rng, (3,), F32), np.float32(1)), {"padding_config": ((-5, 0, 2),)}),
               ((rand(rng, (0, 2), F32), np.float32(7)),
                {"padding_config": ((1, 1, 3), (0, 0, 0))}),
               ((rand(rng, (), F32), np.float32(7)), {"padding_config": ()})])


@_builds("concatenate")
def _concatenate(name: str, rng: np.random.Generator) -> list:
    out = [((rand(rng, (2, 3), dt), rand(rng, (1, 3), dt), rand(rng, (0, 3), dt)),
            {"dimension": 0}) for dt in (F32, I32, BOOL, C64, BF16)]
    out += [((rand(rng, (2, 3), F32), rand(rng, (2, 1), F32)), {"dimension": 1}),
            ((rand(rng, (37,), F32),), {"dimension": 0}),
            ((rand(rng, (500,), F32), rand(rng, (500,), F32)), {"dimension": 0})]
    return out


@_builds("iota")
def _iota(name: str, rng: np.random.Generator) -> list:
    # (37, 40) exceeds staging's constant-folding limit, so that iota is really staged.
    return [((), {"dtype": dt, "shape": s, "dimension": d})
            for dt, s, d in [(I32, (37,), 0), (F32, (3, 4), 1), (U8, (300,), 0), (F16, (5,), 0),
                             (BF16, (300,), 0), (C64, (4, 2), 0), (I32, (37, 40), 1),
                             (F32, (37, 40), 0), (F64, (6,), 0)]]


@_builds("copy")
def _copy(name: str, rng: np.random.Generator) -> list:
    return _each_dtype(rng, (2, 3), {}) + [((rand(rng, (), F32),), {}),
                                           ((rand(rng, (1000,), F32),), {})]


# --- indexing ------------------------------------------------------------------------------

def i32(*values: int) -> np.ndarray:
    return np.array(values, I32)


def gather(x: np.ndarray, idx: Any, **params: Any) -> tuple:
    """``(operands, params)`` of ``index`` for ``x[idx]``."""
    template, arrays = parse_index(idx, x.shape)
    return (x, *map(np.asarray, arrays)), dict(params, template=template)


def scatter(x: np.ndarray, idx: Any, y: np.ndarray, op: str, **params: Any) -> tuple:
    """``(operands, params)`` of ``index_update`` for ``x.at[idx].<op>(y)``."""
    template, arrays = parse_index(idx, x.shape)
    return (x, y, *map(np.asarray, arrays)), dict(params, template=template, op=op)


@_builds("index")
def _index(name: str, rng: np.random.Generator) -> list:
    x = rand(rng, (3, 4, 5), F32)
    return [gather(x, (i32(0, 2, 0, -1),)), gather(x, (None, 1, slice(None, None, -2))),
            gather(x, (slice(None), i32(3, 0), 1)),
            gather(rand(rng, (4,), F32), (i32(7, 1, -9),), mode="fill", fill_value=5.0),
            gather(rand(rng, (4,), F32), (i32(7, 1, -9),), mode="fill"),
            gather(rand(rng, (4, 3), I32), (i32(7, 1),), mode="clip"),
            gather(x, (i32(0, 2), None, i32(1, 1))), gather(rand(rng, (3, 4), BOOL), (1,)),
            gather(rand(rng, (5, 2), C64), (i32(4, 0, 4),)),
            gather(rand(rng, (1000,), F32), (rand(rng, (37,), I32, -1000, 999),)),
            gather(rand(rng, (6,), BF16), (slice(1, 5),)),
            gather(rand(rng, (3, 4), F32), (i32(),))]


@_builds("index_update")
def _index_update(name: str, rng: np.random.Generator) -> list:
    def r(*shape, dt=F32):
        return rand(rng, shape, dt)
    return [scatter(r(5, 3), (i32(0, 3, 0),), r(3, 3), "add"),
            scatter(r(5, 3), (i32(0, 3, 0),), r(3, 3), "set"),
            scatter(r(5, 3), (slice(1, 4), 2), r(), "set"),
            scatter(r(5), (i32(1, 9, 3),), r(3), "set"),
            scatter(r(5), (i32(1, 9, 3),), r(3), "set", mode="clip"),
            scatter(r(5, 3), (i32(0, 3, 0),), r(3, 1), "mul"),
            scatter(r(6), (i32(0, 2, 0, 5),), r(4), "max"),
            scatter(r(3, 4), (slice(None), i32(1, 1)), r(3, 2), "min"),
            scatter(r(5, 3, dt=I32), (i32(4, 4, -1),), r(3, 3, dt=I32), "add"),
            scatter(r(4, dt=BOOL), (i32(2),), r(1, dt=BOOL), "set"),
            scatter(r(4, dt=C64), (i32(2, 2),), r(2, dt=C64), "add"),
            scatter(r(1000), (rand(rng, (37,), I32, -1000, 999),), r(37), "add")]


@_builds("dynamic_slice")
def _dynamic_slice(name: str, rng: np.random.Generator) -> list:
    x = rand(rng, (5, 6), F32)
    return [((x, np.int32(1), np.int32(2)), {"slice_sizes": (3, 2)}),
            ((x, np.int32(4), np.int32(-3)), {"slice_sizes": (3, 4)}, "clamped"),
            ((x, np.int32(-2**31), np.int32(2**31 - 1)), {"slice_sizes": (2, 2)}, "edges"),
            ((rand(rng, (37,), I32), np.uint8(30)), {"slice_sizes": (10,)}),
            ((rand(rng, (1000,), F32), np.int32(3)), {"slice_sizes": (995,)}),
            ((rand(rng, (4, 3), C64), np.int32(1), np.int32(0)), {"slice_sizes": (0, 3)})]


@_builds("dynamic_update_slice")
def _dynamic_update_slice(name: str, rng: np.random.Generator) -> list:
    def r(*shape, dt=F32):
        return rand(rng, shape, dt)
    return [((r(5, 6), r(2, 3), np.int32(1), np.int32(9)), {}, "clamped"),
            ((r(5, 6), r(2, 3), np.int32(-1), np.int32(2)), {}, "negative"),
            ((r(4, dt=C64), r(2, dt=C64), np.int32(1)), {}),
            ((r(37, dt=I32), r(5, dt=I32), np.uint8(20)), {}),
            ((r(1000), r(37), np.int32(963)), {}),
            ((r(4, dt=BOOL), r(0, dt=BOOL), np.int32(2)), {})]


# --- linalg --------------------------------------------------------------------------------

def _dims(lc: tuple, rc: tuple, lb: tuple = (), rb: tuple = (), pref: Any = None) -> dict:
    return {"dimension_numbers": ((lc, rc), (lb, rb)), "precision": None,
            "preferred_element_type": pref}


@_builds("dot_general")
def _dot_general(name: str, rng: np.random.Generator) -> list:
    def pair(ls, rs, dt=F32, lo=-3, hi=3):
        return rand(rng, ls, dt, lo, hi), rand(rng, rs, dt, lo, hi)
    mm = _dims((1,), (0,))
    return [(pair((3, 4), (4,)), mm), (pair((37, 40), (40, 9)), mm),
            (pair((2, 3, 4), (2, 4, 5)), _dims((2,), (1,), (0,), (0,))),
            (pair((3,), (4,)), _dims((), ())), (pair((), (3, 2)), _dims((), ())),
            (pair((3, 4, 5), (5, 2, 4)), _dims((1, 2), (2, 0))),
            (pair((1000,), (1000,)), _dims((0,), (0,))), (pair((3, 0), (0, 4)), mm),
            (pair((8, 9), (9, 7), I32, -2**20, 2**20), mm, "wrap"),
            (pair((8, 9), (9, 7), I8, -128, 127), _dims((1,), (0,), pref=I32)),
            (pair((5, 6), (6, 3), F16), mm), (pair((5, 6), (6, 3), BF16), mm),
            (pair((5, 6), (6, 3), BF16), _dims((1,), (0,), pref=F32)),
            (pair((5, 6), (6, 3), C64), mm), (pair((5, 6), (6, 3), F64), mm),
            (pair((3, 4), (4, 2), BOOL), mm)]


def _spd(rng: np.random.Generator, shape: tuple, dt: np.dtype) -> np.ndarray:
    a = rand(rng, shape, dt, -1, 1)
    return (a @ np.conj(np.swapaxes(a, -1, -2)) + shape[-1] * np.eye(shape[-1])).astype(dt)


def _tri(rng: np.random.Generator, shape: tuple, dt: np.dtype) -> np.ndarray:
    return (rand(rng, shape, dt, -1, 1) + 4 * np.eye(shape[-1])).astype(dt)


@_builds("cholesky", "eigh")
def _hermitian(name: str, rng: np.random.Generator) -> list:
    params = [{"lower": True}, {"lower": False}] if name == "eigh" else [{}]
    out = [((_spd(rng, s, dt),), p) for p in params
           for s, dt in [((4, 4), F32), ((2, 3, 3), F32), ((4, 4), C64), ((5, 5), F64)]]
    return out + [((_spd(rng, (0, 0), F32),), {})]


TRI_FLAGS = [{"left_side": ls, "lower": lo, "transpose_a": ta, "conjugate_a": False,
              "unit_diagonal": ud}
             for ls, lo, ta, ud in [(True, True, False, False), (False, False, True, False),
                                    (True, False, True, True), (False, True, False, True)]]


@_builds("triangular_solve")
def _triangular_solve(name: str, rng: np.random.Generator) -> list:
    out = [((_tri(rng, (2, 4, 4), F32), rand(rng, (2, 4, 3) if f["left_side"] else (2, 3, 4),
                                               F32)), f) for f in TRI_FLAGS]
    conj = dict(TRI_FLAGS[0], conjugate_a=True, transpose_a=True)
    out += [((_tri(rng, (4, 4), C64), rand(rng, (4, 2), C64)), conj),
            ((_tri(rng, (5, 5), F64), rand(rng, (5, 37), F64)), TRI_FLAGS[0])]
    return out


@_builds("lu", "qr", "svd")
def _factor(name: str, rng: np.random.Generator) -> list:
    params = {"lu": [{}], "qr": [{"full_matrices": True}, {"full_matrices": False}],
              "svd": [{"full_matrices": False, "compute_uv": True},
                      {"full_matrices": True, "compute_uv": True},
                      {"full_matrices": False, "compute_uv": False}]}[name]
    shapes = [((4, 4), F32), ((5, 3), F32), ((2, 3, 5), F32), ((4, 4), C64), ((4, 3), F64)]
    return [((rand(rng, s, dt),), p) for k, p in enumerate(params)
            for s, dt in (shapes if k == 0 else shapes[1:3])]


# --- control flow: regions come from staging axc.lax control flow ---------------------------

def staged_control(name: str, fun: Callable, *args: Any, index: Any = None) -> tuple:
    """``(operands, params)`` of the ``name`` equation that staging ``fun(*args)`` records.

    The equation's operands must be ``fun``'s parameters (so that ``args`` are its operands)
    or literals, except ``cond``'s index, given as ``index``.
    """
    import axc  # staging is the compiler's: import it only when the table is built

    fn = axc.make_ir(fun)(*args)
    (eqn,) = [e for e in fn.eqns if e.prim.name == name]
    by_var = {id(v): np.asarray(a) for v, a in zip(fn.params, args)}
    inputs = eqn.inputs[1:] if index is not None else eqn.inputs
    operands = [by_var[id(v)] if id(v) in by_var else np.asarray(v.value) for v in inputs]
    if index is not None:
        operands.insert(0, np.int32(index))
    return tuple(operands), dict(eqn.params)


@_builds("cond")
def _cond(name: str, rng: np.random.Generator) -> list:
    from axc import lax

    def two_results(p, x, y):
        return lax.cond(p, lambda a, b: (a * 2.0 + b, a), lambda a, b: (a - b, b), x, y)

    def captures(p, n, m):
        return lax.cond(p, lambda a: a + m, lambda a: a * m, n)

    def switch(i, x):
        return lax.switch(i, [lambda a: a + 1.0, lambda a: a * a, lambda a: -a], x)
    x, y = rand(rng, (37,), F32), rand(rng, (37,), F32)
    # Out-of-range indices (5, -1) are clamped by the primitive, as XLA's conditional does.
    out = [(*staged_control(name, two_results, True, x, y, index=i), f"index{i}")
           for i in (0, 1, 5, -1)]
    out.append((*staged_control(name, two_results, True, rand(rng, (), F32), rand(rng, (), F32),
                                index=1), "scalar"))
    out.append((*staged_control(name, captures, True, rand(rng, (5, 7), I32, -9, 9),
                                rand(rng, (7,), I32, -9, 9), index=0), "captured"))
    out += [(*staged_control(name, switch, np.int32(0), rand(rng, (1000,), F32), index=i),
             f"switch{i}") for i in (0, 1, 2)]
    return out


@_builds("while")
def _while(name: str, rng: np.random.Generator) -> list:
    from axc import lax

    def loop(n, i, x):
        return lax.while_loop(lambda c: c[0] < n, lambda c: (c[0] + 1, c[1] * 1.5 - 1.0), (i, x))

    def fori(n, x):
        return lax.fori_loop(0, n, lambda k, v: v + k.astype(v.dtype), x)
    return [(*staged_control(name, loop, np.int32(n), np.int32(i), rand(rng, s, F32)),
             f"trips{max(n - i, 0)}")
            for n, i, s in [(5, 0, (37,)), (3, 7, (37,)), (4, 0, ()), (3, 1, (1000,))]] + [
        (*staged_control(name, fori, np.int32(6), rand(rng, (5, 7), I32, -9, 9)), "fori")]


@_builds("scan")
def _scan(name: str, rng: np.random.Generator) -> list:
    from axc import lax

    def cumulative(c, xs):
        return lax.scan(lambda c, x: (c + x, c * x), c, xs)

    def rev(c, xs):
        return lax.scan(lambda c, x: (c * 0.5 + x, c), c, xs, reverse=True)

    def captured(w, c, xs):
        return lax.scan(lambda c, x: (c + w * x, c - x), c, xs)
    return [(*staged_control(name, cumulative, rand(rng, (3,), F32), rand(rng, (5, 3), F32)),),
            (*staged_control(name, rev, rand(rng, (), F32), rand(rng, (37,), F32)), "reverse"),
            (*staged_control(name, captured, rand(rng, (4,), F32), rand(rng, (4,), F32),
                             rand(rng, (6, 4), F32)), "captured"),
            (*staged_control(name, cumulative, rand(rng, (3,), I32), rand(rng, (9, 3), I32)),),
            (*staged_control(name, cumulative, rand(rng, (3,), F32), rand(rng, (0, 3), F32)),)]


@_builds("threefry2x32")
def _threefry(name: str, rng: np.random.Generator) -> list:
    def words(shape):
        return rng.integers(0, 2 ** 32, shape, dtype=np.uint64).astype(U32)
    return [((words(()), words(()), words((37,)), words((37,))), {}),
            ((words(()), words(()), words((5, 7)), words((5, 7))), {}),
            ((words((3, 1)), words((3, 1)), words((1, 1000)), words((1, 1000))), {}, "batched"),
            ((words(()), words(()), words((0,)), words((0,))), {})]


@_builds("fma")
def _fma(name: str, rng: np.random.Generator) -> list:
    return [(tuple(rand(rng, s, dt) for s in shapes), {})
            for dt in (F32, F64)
            for shapes in [((), (), ()), ((37,), (37,), (37,)), ((5, 7), (7,), ()),
                           ((1000,), (), (1000,))]] + [
        ((special_floats(F32), np.float32(3.0), special_floats(F32)[::-1].copy()), {},
         "specials")]


# --- the public API ------------------------------------------------------------------------

def _simple(v: Any) -> bool:
    """A parameter worth naming in an id (numbers, flags, short tuples; not regions)."""
    if isinstance(v, (bool, int, float, str, np.integer)) or v is None:
        return True
    return isinstance(v, tuple) and len(str(v)) < 40 and all(map(_simple, v))


def _make(name: str, entry: tuple) -> Case:
    operands, params = tuple(entry[0]), dict(entry[1])
    tag = entry[2] if len(entry) > 2 else ""
    named = {k: np.dtype(v).name if isinstance(v, np.dtype) else v for k, v in params.items()}
    pid = ",".join(f"{k}={v}" for k, v in named.items()
                   if v is not None and _simple(v) and k not in ("precision",
                                                                  "dimension_numbers"))
    if "dimension_numbers" in params:
        pid = str(params["dimension_numbers"]) + (f",{pid}" if pid else "")
    pid = pid.replace(" ", "")
    parts = [name, _sig(operands), pid, tag]
    return Case(name, operands, params, "-".join(p for p in parts if p))


@cache
def _table() -> dict[str, tuple[Case, ...]]:
    table = {}
    for name in registry.primitives():
        build = _BUILDERS.get(name)
        entries = build(name, _rng(name)) if build else []
        cases = [_make(name, e) for e in entries]
        seen: dict[str, int] = {}
        for k, c in enumerate(cases):  # identical descriptions get a counter
            n = seen[c.id] = seen.get(c.id, 0) + 1
            if n > 1:
                cases[k] = Case(c.prim_name, c.operands, c.params, f"{c.id}#{n}")
        table[name] = tuple(cases)
    return table


def cases(prim_name: str) -> list[Case]:
    """The cases of one primitive (empty if it has none: tests assert that none is empty)."""
    return list(_table()[prim_name])


def all_cases() -> list[Case]:
    """Every case of every registered primitive, grouped by primitive."""
    return [c for cs in _table().values() for c in cs]


def example_variant(case: Case, i: int, k: int) -> np.ndarray:
    """Example ``k`` of a batch built from operand ``i`` of ``case`` (batching tests): the
    operand itself for ``k == 0``; otherwise its elements shuffled (integers stay in range:
    indices stay valid), or a scalar shifted or scaled."""
    x = np.asarray(case.operands[i])
    if k == 0:
        return x
    factor = (2.0, 0.5)[(k - 1) % 2]
    if case.family == "linalg" and case.prim_name != "dot_general":
        # Scaling by a power of two keeps matrices positive definite or triangular.
        return (x * factor).astype(x.dtype)
    if x.size > 1:
        rng = np.random.default_rng(zlib.crc32(f"{case.id}/{i}/{k}".encode()))
        return rng.permutation(x.ravel()).reshape(x.shape)
    if x.dtype.kind == "b":
        return x ^ bool(k % 2)
    if x.dtype.kind in "iu":
        return (x.astype(np.int64) + k).astype(x.dtype)  # wraps around at the extremes
    return (x * factor).astype(x.dtype)


def select(family: str | Sequence[str] | None = None, dtype: str | Sequence[str] | None = None,
           prim: str | Sequence[str] | None = None, x64: bool | None = None) -> list[Case]:
    """Cases filtered by family, involved dtype name, primitive and need for x64."""
    def as_set(v):
        return None if v is None else {v} if isinstance(v, str) else set(v)
    families, dts, prims = as_set(family), as_set(dtype), as_set(prim)
    return [c for c in all_cases()
            if (families is None or c.family in families)
            and (dts is None or c.dtypes & dts)
            and (prims is None or c.prim_name in prims)
            and (x64 is None or c.needs_x64 == x64)]


# --- tolerances ----------------------------------------------------------------------------

class Tol(NamedTuple):
    """Accept ``|got - want| <= ulps`` units in the last place, or ``<= atol + rtol * |want|``.

    ``ulps=None`` compares with ``rtol``/``atol`` only (reductions, linear algebra). nan
    matches nan and infinities must be equal; with ``ulps`` set, zeros must match in sign.
    """

    ulps: int | None = 0
    rtol: float = 0.0
    atol: float = 0.0


EXACT = Tol(0)
# Rounded once by IEEE 754 (or twice, e.g. rsqrt = 1 / sqrt): one ulp leaves room for that.
ARITHMETIC = {"add", "sub", "mul", "div", "rem", "sqrt", "rsqrt"}
TRANSCENDENTAL = {"exp", "exp2", "log", "log1p", "expm1", "cbrt", "logistic", "sin", "cos",
                  "tan", "asin", "acos", "atan", "sinh", "cosh", "tanh", "asinh", "acosh",
                  "atanh", "pow", "atan2", "erf", "erfc", "erf_inv", "integer_pow"}
# Near their zeros lgamma and digamma lose relative (not absolute) accuracy.
ABSOLUTE_NEAR_ZERO = {"lgamma", "digamma"}
SUMS = {"reduce_sum", "cumsum", "cumlogsumexp"}
PRODUCTS = {"reduce_prod", "cumprod"}


def _eps(dt: np.dtype) -> float:
    return float(dtypes.finfo(np.finfo(dt).dtype if dt.kind == "c" else dt).eps)


def _reduced_length(case: Case) -> int:
    x = np.asarray(case.operands[0])
    if "axes" in case.params:
        return int(np.prod([x.shape[a] for a in case.params["axes"]], dtype=np.int64))
    return x.shape[case.params["axis"]]


def tolerance(case: Case, out_dtype: Any) -> Tol:
    """How closely a backend must reproduce the eager result of ``case`` (an output dtype)."""
    dt = np.dtype(out_dtype)
    name = case.prim_name
    if dt.kind in "biu":
        return EXACT
    half = dt in (F16, BF16)
    eps = _eps(dt)
    if case.family == "linalg":
        rtol = {2: 1e-2, 4: 1e-4, 8: 1e-10}[np.dtype(np.finfo(dt).dtype if dt.kind == "c"
                                                       else dt).itemsize]
        scale = max([1.0] + [float(np.max(np.abs(np.asarray(x, np.complex128))))
                             for x in case.operands if np.size(x)])
        return Tol(None, rtol, rtol * scale)
    if name in SUMS | PRODUCTS:
        n = max(_reduced_length(case), 1)
        acc = _eps(F32) if half else eps  # halves accumulate in float32, then round once
        if name in PRODUCTS:
            return Tol(None, 2 * eps + 2 * acc * n)
        mags = [np.abs(np.asarray(case.operands[0], np.complex128))]
        big = max([0.0] + [float(np.max(m[np.isfinite(m)])) for m in mags if np.isfinite(m).any()])
        return Tol(None, 2 * eps, 2 * acc * n * big)
    if case.family == "control":  # regions of a few operations each, run many times over
        return Tol(4, rtol=16 * eps)
    if name in ARITHMETIC:
        return Tol(4 if dt.kind == "c" else 1)
    if name in TRANSCENDENTAL:
        return Tol(4 if half or dt.kind == "c" else 2)
    if name in ABSOLUTE_NEAR_ZERO:
        return Tol(4 if half else 3, atol=8 * eps)
    return EXACT


# --- comparisons ---------------------------------------------------------------------------

def _bits(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(sign, magnitude) of each float's bit pattern, as unsigned 64-bit integers."""
    width = x.dtype.itemsize * 8
    u = x.view(np.dtype(f"u{x.dtype.itemsize}")).astype(np.uint64)
    return u >> np.uint64(width - 1), u & np.uint64((1 << (width - 1)) - 1)


def ulp_distance(got: np.ndarray, want: np.ndarray) -> np.ndarray:
    """Representable values between ``got`` and ``want`` (same float dtype); ``-0 == +0``."""
    sg, mg = _bits(np.ascontiguousarray(got))
    sw, mw = _bits(np.ascontiguousarray(want))
    same = np.where(mg > mw, mg - mw, mw - mg)
    return np.where(sg == sw, same, mg + mw)


def _fail(what: str, got: np.ndarray, want: np.ndarray, bad: np.ndarray) -> None:
    got, want, bad = np.atleast_1d(got, want, bad)
    where = np.argwhere(bad)[:5]
    shown = "; ".join(f"at {tuple(int(i) for i in w)}: got {got[tuple(w)]!r}, "
                      f"want {want[tuple(w)]!r}" for w in where)
    raise AssertionError(f"{what}: {int(bad.sum())} of {bad.size} elements differ ({shown})")


def _close_real(got: np.ndarray, want: np.ndarray, tol: Tol, slack: np.ndarray | None,
                what: str, exact_zeros: bool = True) -> None:
    gw, ww = got.astype(np.float64), want.astype(np.float64)
    nan_g, nan_w = np.isnan(gw), np.isnan(ww)
    if (nan_g != nan_w).any():
        _fail(f"{what}: nan mismatch", got, want, nan_g != nan_w)
    inf_w, inf_g = np.isinf(ww), np.isinf(gw)
    bad = (inf_w | inf_g) & (gw != ww)
    if bad.any():
        _fail(f"{what}: infinities differ", got, want, bad)
    finite = ~(nan_w | inf_w | inf_g)
    err = np.abs(gw - ww)
    allowed = tol.atol + tol.rtol * np.abs(ww)
    if slack is not None:
        allowed = np.maximum(allowed, slack)
    ok = err <= allowed
    if tol.ulps is not None:
        ok |= ulp_distance(got, want) <= tol.ulps
    if tol.ulps is not None and exact_zeros:
        zero = (ww == 0) & finite
        bad = zero & ((gw != 0) | (np.signbit(gw) != np.signbit(ww)))
        if bad.any():
            _fail(f"{what}: zeros must match exactly, sign included", got, want, bad)
    bad = finite & ~ok
    if bad.any():
        _fail(f"{what}: beyond {tol}", got, want, bad)


def assert_close_ulp(got: Any, want: Any, ulps: int = 0, *, rtol: float = 0.0,
                     atol: float = 0.0) -> None:
    """``got`` equals ``want`` within ``ulps`` (or ``atol + rtol*|want|``), elementwise.

    Integers and bools must be equal; nan equals nan; infinities and signed zeros must match
    exactly. Complex numbers compare part by part, each part also allowed ``ulps`` of the
    modulus (a part much smaller than the modulus carries no more accuracy than that).
    """
    assert_close(got, want, Tol(ulps, rtol, atol))


def assert_close(got: Any, want: Any, tol: Tol, what: str = "values") -> None:
    """Values of ``got`` match ``want`` (same shape and dtype) within ``tol``."""
    got, want = np.asarray(got), np.asarray(want)
    assert got.shape == want.shape, f"{what}: shape {got.shape} != {want.shape}"
    assert got.dtype == want.dtype, f"{what}: dtype {got.dtype} != {want.dtype}"
    if got.dtype.kind in "biu":
        bad = got != want
        if bad.any():
            _fail(f"{what}: not equal", got, want, bad)
        return
    if got.dtype.kind == "c":
        part = np.finfo(got.dtype).dtype
        modulus = np.abs(want.astype(np.complex128))
        modulus = np.where(np.isfinite(modulus), modulus, 0)
        slack = (tol.ulps or 0) * _eps(part) * modulus
        for fn, label in ((np.real, "real part"), (np.imag, "imaginary part")):
            _close_real(np.ascontiguousarray(fn(got)), np.ascontiguousarray(fn(want)), tol,
                        slack, f"{what} ({label})", exact_zeros=not tol.ulps)
        zero = (want == 0) & (got != 0)  # a zero part may be approximate, a zero value not
        if tol.ulps is not None and zero.any():
            _fail(f"{what}: zeros must match exactly", got, want, zero)
        return
    _close_real(got, want, tol, None, what)


def assert_case_close(case: Case, got: Any, want: Any) -> None:
    """A backend's result of ``case`` matches the eager one: structure, shapes, dtypes, weak
    types and values (within ``tolerance(case, dtype)``)."""
    many = case.prim.multiple_results
    if many:
        assert isinstance(got, tuple) and isinstance(want, tuple), (type(got), type(want))
        assert len(got) == len(want), f"{len(got)} results, want {len(want)}"
    for k, (g, w) in enumerate(zip(got, want) if many else [(got, want)]):
        label = f"{case.id} result {k}" if many else case.id
        assert g.shape == w.shape, f"{label}: shape {g.shape} != {w.shape}"
        assert g.dtype == w.dtype, f"{label}: dtype {g.dtype} != {w.dtype}"
        assert g.weak_type == w.weak_type, f"{label}: weak_type {g.weak_type} != {w.weak_type}"
        assert_close(g, w, tolerance(case, w.dtype), label)
