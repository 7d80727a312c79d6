"""How each reduction primitive accumulates, in LLVM, for one dtype.

A ``Reducer`` gives two forms of the same operation:

* a *carried* form for an accumulator held in registers across the innermost loop
  (``start`` values, ``step``, ``finish``), written the way LLVM's loop vectoriser recognises
  a reduction: float sums and products carry the ``reassoc`` flag on the accumulating
  instruction only (so the vectoriser may keep a vector of partial sums; the element
  computations stay strict), and float max/min accumulate with ``llvm.maximumnum`` (which
  vectorises without fast-math flags) beside an "any NaN seen" flag that ``finish`` turns
  into NaN — the eager rule (``np.maximum.reduce``) propagates NaN;
* an exact ``combine(a, b)`` of two finished values, for folding a partial result into the
  output (in memory, or across the reduced dimension of a column reduction); running totals
  of blocks use ``total_start``/``add_block``/``total`` (float64 for float32 sums).

``ufunc`` combines the per-thread partial outputs of a reduction split between threads.
"""
from __future__ import annotations

import numpy as np
from llvmlite import ir

from ....kernels.llvm_elementwise import llvm_type
from ...ir.passes.fusion import REDUCTIONS

_KINDS = {"reduce_sum": "iuf", "reduce_prod": "iuf", "reduce_max": "biuf",
          "reduce_min": "biuf", "reduce_and": "biu", "reduce_or": "biu", "reduce_xor": "biu"}
_UFUNCS = {"reduce_sum": np.add, "reduce_prod": np.multiply, "reduce_max": np.maximum,
           "reduce_min": np.minimum, "reduce_and": np.bitwise_and,
           "reduce_or": np.bitwise_or, "reduce_xor": np.bitwise_xor}
_I1 = ir.IntType(1)


def supports(name: str, dt: np.dtype) -> bool:
    """True if ``name`` reduces ``dt`` in LLVM (not half floats or complex numbers)."""
    dt = np.dtype(dt)
    return name in REDUCTIONS and dt.kind in _KINDS[name] and llvm_type(dt) is not None


def _identity(name: str, dt: np.dtype) -> float | int:
    """The value an empty reduction gives (the eager impl's, and XLA's)."""
    if name in ("reduce_sum", "reduce_or", "reduce_xor"):
        return 0
    if name == "reduce_prod":
        return 1
    if name == "reduce_and":
        return -1  # all bits set (True for bool)
    high = name == "reduce_min"
    if dt.kind == "f":
        return np.inf if high else -np.inf
    if dt.kind == "b":
        return 1 if high else 0
    info = np.iinfo(dt)
    return int(info.max if high else info.min)


class Reducer:
    """The accumulation of primitive ``name`` over values of dtype ``dt``."""

    def __init__(self, name: str, dt: np.dtype) -> None:
        self.name = name
        self.dt = np.dtype(dt)
        self.ty = llvm_type(self.dt)
        self.ufunc: np.ufunc = _UFUNCS[name]
        self.is_float = self.dt.kind == "f"
        self.extremum = name in ("reduce_max", "reduce_min")
        # Float sums and products regroup their terms when vectorised: worth blocking.
        self.reassociates = self.is_float and name in ("reduce_sum", "reduce_prod")

    def identity(self) -> ir.Constant:
        value = _identity(self.name, self.dt)
        if self.is_float:
            return ir.Constant(self.ty, float(value))
        return ir.Constant(self.ty, int(value) & ((1 << self.ty.width) - 1))

    # --- the carried (vectorisable) form ---

    def start(self) -> list[ir.Value]:
        if self.is_float and self.extremum:
            return [self.identity(), ir.Constant(_I1, 0)]
        return [self.identity()]

    def step(self, b: ir.IRBuilder, carry: list[ir.Value], x: ir.Value) -> list[ir.Value]:
        if self.is_float and self.extremum:
            value, nan = carry
            which = "maximumnum" if self.name == "reduce_max" else "minimumnum"
            return [self._intrinsic(b, which, value, x),
                    b.or_(nan, b.fcmp_unordered("uno", x, x))]
        if self.reassociates:
            op = b.fadd if self.name == "reduce_sum" else b.fmul
            return [op(carry[0], x, flags=("reassoc",))]
        return [self.combine(b, carry[0], x)]

    def finish(self, b: ir.IRBuilder, carry: list[ir.Value]) -> ir.Value:
        if self.is_float and self.extremum:
            value, nan = carry
            return b.select(nan, ir.Constant(self.ty, float("nan")), value)
        return carry[0]

    # --- running totals of blocks (``reduction_kernel._blocked``) ---

    @property
    def _wide_total(self) -> bool:
        # A float32 sum's blocks add up in float64: the total's rounding error then stays
        # below that of the blocks themselves, for a few cycles per block.
        return self.name == "reduce_sum" and self.dt == np.float32

    def total_start(self) -> ir.Constant:
        return ir.Constant(ir.DoubleType(), 0.0) if self._wide_total else self.identity()

    def add_block(self, b: ir.IRBuilder, total: ir.Value, value: ir.Value) -> ir.Value:
        if self._wide_total:
            return b.fadd(total, b.fpext(value, ir.DoubleType()))
        return self.combine(b, total, value)

    def total(self, b: ir.IRBuilder, total: ir.Value) -> ir.Value:
        return b.fptrunc(total, self.ty) if self._wide_total else total

    # --- the exact form ---

    def combine(self, b: ir.IRBuilder, a: ir.Value, x: ir.Value) -> ir.Value:
        """``op(a, x)`` on finished values (NaN-propagating for float max/min)."""
        name, dt = self.name, self.dt
        if name == "reduce_sum":
            return b.fadd(a, x) if self.is_float else b.add(a, x)
        if name == "reduce_prod":
            return b.fmul(a, x) if self.is_float else b.mul(a, x)
        if self.extremum:
            high = name == "reduce_max"
            if self.is_float:
                return self._intrinsic(b, "maximum" if high else "minimum", a, x)
            if dt.kind == "b":
                return b.or_(a, x) if high else b.and_(a, x)
            sign = "s" if dt.kind == "i" else "u"
            return self._intrinsic(b, f"{sign}{'max' if high else 'min'}", a, x)
        if name == "reduce_and":
            return b.and_(a, x)
        if name == "reduce_or":
            return b.or_(a, x)
        return b.xor(a, x)

    def _intrinsic(self, b: ir.IRBuilder, which: str, a: ir.Value, x: ir.Value) -> ir.Value:
        fn = b.module.declare_intrinsic(f"llvm.{which}", [self.ty],
                                        ir.FunctionType(self.ty, [self.ty, self.ty]))
        return b.call(fn, [a, x])
