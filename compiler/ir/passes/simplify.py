"""Algebraic simplification: equations whose result is one of their operands, bit for bit,
are dropped (``x * 1``, ``reshape`` to the same shape, ...), and a few are rewritten into
cheaper ones (``integer_pow[y=2] x`` is ``mul x x``, as XLA does).

A rule fires only when the result's type (shape, dtype and weak type) is the operand's:
``x + 0`` that broadcasts ``x`` to a larger shape is no identity. Floating-point identities
are the exact ones: ``x + -0.0`` and ``x - 0.0`` (``-0.0 + 0.0`` is ``+0.0``, so ``x + 0.0``
is not), ``x * 1.0`` and ``x / 1.0``; complex ``mul``/``div`` by one are not exact (``inf``
parts give NaN) and are left alone.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from ....kernels import registry
from ..ir import Atom, Eqn, Function, Literal, Var
from .substitute import renamed, resolve

# A rule returns the atom the equation's result equals, a replacement equation, or None.
Rule = Callable[[Eqn, "_Context"], "Atom | Eqn | None"]
RULES: dict[str, Rule] = {}
# Constants larger than this are not scanned for identity values.
MAX_SCAN = 1 << 20


class _Context:
    """What rules may ask about operands: their constant values and their producers."""

    def __init__(self, fn: Function) -> None:
        self.consts = {id(v): c for v, c in zip(fn.consts, fn.const_values)}
        self.producers: dict[int, Eqn] = {}

    def value(self, a: Atom) -> np.ndarray | None:
        """The operand's value when it is known: a literal, a constant, or a literal
        broadcast (``jnp.ones(n)`` stages as ``broadcast_in_dim 1.0``)."""
        if isinstance(a, Literal):
            return a.value
        inner = self.producers.get(id(a))
        if inner is None:
            return self.consts.get(id(a))
        if inner.prim.name in ("broadcast_in_dim", "convert_element_type"):
            scalar = _scalar(self.value(inner.inputs[0]))  # (``jnp.full`` converts too)
            if scalar is not None:
                if inner.prim.name == "convert_element_type":
                    scalar = np.asarray(inner.prim.impl(scalar, **inner.params))
                return np.broadcast_to(scalar, a.aval.shape)
        return None

    def producer(self, a: Atom) -> Eqn | None:
        return self.producers.get(id(a))


def _scalar(value: np.ndarray | None) -> np.ndarray | None:
    """The 0-d value of a literal or of a broadcast scalar; None for anything else."""
    if value is None or value.size == 0:
        return None
    if value.ndim == 0:
        return value
    return value.reshape(-1)[0:1].reshape(()) if value.strides == (0,) * value.ndim else None


def simplify(fn: Function) -> Function:
    """Apply the rules of ``RULES`` once, in program order (the input is not modified)."""
    ctx = _Context(fn)
    subst: dict[int, Atom] = {}
    eqns = []
    for eqn in fn.eqns:
        eqn = renamed(eqn, subst)
        rule = RULES.get(eqn.prim.name)
        out = rule(eqn, ctx) if rule is not None and len(eqn.outputs) == 1 else None
        if isinstance(out, (Var, Literal)):
            subst[id(eqn.outputs[0])] = out
            continue
        if isinstance(out, Eqn):
            eqn = out
        for v in eqn.outputs:
            ctx.producers[id(v)] = eqn
        eqns.append(eqn)
    results = [resolve(a, subst) for a in fn.results]
    return Function(fn.params, results, eqns, fn.consts, fn.const_values, fn.name)


def rule(*names: str) -> Callable[[Rule], Rule]:
    def register(fun: Rule) -> Rule:
        for name in names:
            RULES[name] = fun
        return fun
    return register


def _same_type(eqn: Eqn, a: Atom) -> Atom | None:
    """``a`` when the equation's result has exactly ``a``'s type (else no rewrite)."""
    return a if eqn.outputs[0].aval == a.aval else None


def _all_bits(value: np.ndarray | None, scalar: Any) -> bool:
    """Whether every element of ``value`` has the bits of ``scalar`` in its dtype."""
    if value is None or value.size == 0 or value.size > MAX_SCAN:
        return False
    one = np.asarray(scalar).astype(value.dtype)
    if value.ndim and value.strides == (0,) * value.ndim:  # a broadcast scalar
        value = value.reshape(-1)[:1]
    return value.tobytes() == one.tobytes() * value.size


def _identity(value: np.ndarray | None, op: str) -> bool:
    """Whether ``x op value == x`` for every ``x`` of ``value``'s dtype, bit for bit."""
    if value is None:
        return False
    kind = value.dtype.kind
    if kind == "b":
        return False
    if kind == "c":  # componentwise add/sub only
        zero = {"add": -0.0, "sub": 0.0}.get(op)
        return zero is not None and _all_bits(value, complex(zero, zero))
    exact = {"add": -0.0, "sub": 0.0, "mul": 1, "div": 1}[op]
    if kind in "iu":
        exact = abs(exact)
    return _all_bits(value, exact)


@rule("add", "mul")
def _commutative_identity(eqn: Eqn, ctx: _Context) -> Atom | None:
    x, y = eqn.inputs
    name = eqn.prim.name
    if _identity(ctx.value(y), name):
        return _same_type(eqn, x)
    if _identity(ctx.value(x), name):
        return _same_type(eqn, y)
    return None


@rule("sub", "div")
def _right_identity(eqn: Eqn, ctx: _Context) -> Atom | None:
    x, y = eqn.inputs
    return _same_type(eqn, x) if _identity(ctx.value(y), eqn.prim.name) else None


@rule("neg")
def _double_negation(eqn: Eqn, ctx: _Context) -> Atom | None:
    inner = ctx.producer(eqn.inputs[0])
    if inner is not None and inner.prim.name == "neg":
        return _same_type(eqn, inner.inputs[0])
    return None


@rule("integer_pow")
def _integer_pow(eqn: Eqn, ctx: _Context) -> Atom | Eqn | None:
    x, y = eqn.inputs[0], eqn.params["y"]
    if y == 1:
        return _same_type(eqn, x)
    if y == 2 and x.aval.dtype.kind != "c":  # NumPy squares complex numbers differently
        return Eqn(registry.get("mul"), [x, x], eqn.outputs, {}, eqn.where)
    return None


@rule("convert_element_type", "squeeze", "expand_dims", "concatenate", "reduce_and",
      "reduce_or", "reduce_xor", "slice", "dynamic_slice")
def _same_type_is_identity(eqn: Eqn, ctx: _Context) -> Atom | None:
    """For these, a result of the operand's type can only be the operand: a cast to its
    own dtype, a bitwise reduction over no axes, a full slice, a concatenation of one."""
    if eqn.prim.name == "concatenate" and len(eqn.inputs) != 1:
        return None
    return _same_type(eqn, eqn.inputs[0])


# dtype kinds for which a reduction over no axes returns its operand bit for bit. The
# impls still combine each element with the identity: ``+0.0 + -0.0`` is ``+0.0``, and
# complex products and NaN-propagating comparisons with complex numbers are inexact.
_EXACT_EMPTY_REDUCTION = {"reduce_sum": "iu", "reduce_prod": "iufV", "reduce_max": "biufV",
                          "reduce_min": "biufV"}


@rule(*_EXACT_EMPTY_REDUCTION)
def _empty_reduction(eqn: Eqn, ctx: _Context) -> Atom | None:
    if eqn.inputs[0].aval.dtype.kind in _EXACT_EMPTY_REDUCTION[eqn.prim.name]:
        return _same_type(eqn, eqn.inputs[0])
    return None


@rule("transpose")
def _permutation(eqn: Eqn, ctx: _Context) -> Atom | Eqn | None:
    """An identity permutation is the operand; a transpose of a transpose is one."""
    x, perm = eqn.inputs[0], tuple(eqn.params["permutation"])
    inner = ctx.producer(x)
    if inner is not None and inner.prim is eqn.prim:
        x, first = inner.inputs[0], tuple(inner.params["permutation"])
        perm = tuple(first[p] for p in perm)
        if perm != tuple(range(len(perm))):
            return Eqn(eqn.prim, [x], eqn.outputs, {"permutation": perm}, eqn.where)
    return _same_type(eqn, x) if perm == tuple(range(len(perm))) else None


@rule("reshape")
def _reshape(eqn: Eqn, ctx: _Context) -> Atom | Eqn | None:
    """A reshape to the operand's shape is the operand; a reshape of a reshape is one."""
    x = eqn.inputs[0]
    inner = ctx.producer(x)
    if inner is not None and inner.prim is eqn.prim:
        x = inner.inputs[0]
        if eqn.outputs[0].aval != x.aval:
            return Eqn(eqn.prim, [x], eqn.outputs, dict(eqn.params), eqn.where)
    return _same_type(eqn, x)


@rule("broadcast_in_dim")
def _trivial_broadcast(eqn: Eqn, ctx: _Context) -> Atom | None:
    dims = tuple(eqn.params["broadcast_dimensions"])
    return _same_type(eqn, eqn.inputs[0]) if dims == tuple(range(len(dims))) else None


@rule("rev")
def _no_reversal(eqn: Eqn, ctx: _Context) -> Atom | None:
    return _same_type(eqn, eqn.inputs[0]) if not eqn.params["dimensions"] else None


@rule("pad")
def _no_padding(eqn: Eqn, ctx: _Context) -> Atom | None:
    config = eqn.params["padding_config"]
    return _same_type(eqn, eqn.inputs[0]) if all(
        tuple(c) == (0, 0, 0) for c in config) else None


@rule("dynamic_update_slice")
def _full_update(eqn: Eqn, ctx: _Context) -> Atom | None:
    """An update of the operand's whole shape is the update (the starts clamp to zero)."""
    operand, update = eqn.inputs[:2]
    return _same_type(eqn, update) if operand.aval.shape == update.aval.shape else None


@rule("select_n")
def _known_case(eqn: Eqn, ctx: _Context) -> Atom | None:
    which, *cases = eqn.inputs
    if all(c is cases[0] for c in cases):
        return _same_type(eqn, cases[0])
    value = ctx.value(which)
    if value is None or value.size == 0:
        return None
    flat = value.reshape(-1)
    k = int(flat[0])
    if not np.all(flat == flat[0]) or not 0 <= k < len(cases):
        return None
    return _same_type(eqn, cases[k])
