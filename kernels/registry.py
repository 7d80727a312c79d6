"""The primitive registry: ``Primitive`` declarations and the ``bind`` dispatch.

A primitive carries every rule it has, declared in one place (its family module):

==============  ===================================================  ================
rule            meaning                                              filled by
==============  ===================================================  ================
abstract_eval   shape/dtype/weak-type rule on ``ShapedArray`` s      foundation
impl            eager implementation on NumPy buffers                foundation
jvp             tangent rule                                         AD work
adjoint         adjoint template (a real Python function)            AD work
batch           batching rule                                        vmap work
llvm            LLVM emitter                                         jit work
cuda            CUDA emitter                                         GPU work
==============  ===================================================  ================

A rule that a primitive will never have is declared ``NotApplicable("why")`` (e.g. an
integer-only primitive has no JVP); a rule that later work will add stays ``PENDING``, and
``missing_rules()`` reports both so tests can hold the registry to account.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..runtime.abstract import ShapedArray
from ..runtime.array import Array, wrap

RULE_SLOTS = ("jvp", "adjoint", "batch", "llvm", "cuda")


@dataclass(frozen=True)
class NotApplicable:
    """A rule a primitive deliberately lacks, with the reason (e.g. integer output)."""

    why: str


@dataclass(frozen=True)
class Templates:
    """A primitive's ``jvp`` or ``adjoint`` rule: one template per operand.

    Templates are real Python functions (the AD transforms inline or call them):

    * JVP template ``t_i(t, ans, *operands, **params)``: the output tangent that operand
      ``i``'s tangent ``t`` contributes (shape and dtype of ``ans``; a tuple of tangents for a
      multiple-result primitive).
    * adjoint template ``a_i(g, ans, *operands, **params)``: the cotangent of operand ``i``
      (its shape and dtype), given the output cotangent ``g`` (a tuple for multiple results;
      zeros stand for unused results).

    ``None`` marks an operand without a derivative (a predicate, an integer index).
    ``rest`` serves operands past ``per_operand`` (variadic primitives such as
    ``concatenate``) and receives the operand's position as ``index=i``.
    """

    per_operand: tuple
    rest: Callable | None = None

    def __call__(self, i: int) -> Callable | None:
        """The template of operand ``i`` (None when it has no derivative)."""
        if i < len(self.per_operand):
            return self.per_operand[i]
        return self.rest


class _Pending:
    def __repr__(self) -> str:
        return "PENDING"


PENDING = _Pending()

_REGISTRY: dict[str, Primitive] = {}
_new_array = object.__new__

# Interpreters that intercept ``bind`` (jit staging pushes one). Empty means eager.
_INTERPRETERS: list[Any] = []


class Primitive:
    """An operation of axc's closed primitive set.

    Parameters
    ----------
    name : str
        Unique name, e.g. ``"sin"``.
    impl : callable
        Eager implementation on NumPy buffers: ``impl(*bufs, **params) -> ndarray``
        (a tuple of them if ``multiple_results``).
    abstract_eval : callable
        ``abstract_eval(*avals, **params) -> ShapedArray`` (or a tuple): the shape/dtype
        rule, which also validates its inputs.
    weak_rule : callable, optional
        ``weak_rule(weak_flags, **params) -> bool``: the weak type of the output in eager
        mode. Defaults to "all inputs weak" (JAX's rule for elementwise operations).
    eager_kinds : str, optional
        dtype kinds the first operand may have. Eager ``bind`` checks only this (cheap) and
        falls back to ``abstract_eval`` for the full error when it, or the kernel, fails.
    """

    __slots__ = ("name", "impl", "abstract_eval", "weak_rule", "multiple_results",
                 "family", "eager_kinds") + RULE_SLOTS

    def __init__(self, name: str, *, impl: Callable, abstract_eval: Callable,
                 weak_rule: Callable | None = None, multiple_results: bool = False,
                 family: str = "", eager_kinds: str | None = None, **rules: Any) -> None:
        if name in _REGISTRY:
            raise ValueError(f"primitive {name!r} is declared twice")
        unknown = set(rules) - set(RULE_SLOTS)
        if unknown:
            raise TypeError(f"unknown rule slots {sorted(unknown)} for {name!r}")
        self.name = name
        self.impl = impl
        self.abstract_eval = abstract_eval
        self.weak_rule = weak_rule or _all_weak
        self.multiple_results = multiple_results
        self.family = family
        self.eager_kinds = eager_kinds
        for slot in RULE_SLOTS:
            setattr(self, slot, rules.get(slot, PENDING))
        _REGISTRY[name] = self

    def bind(self, *args: Array, **params: Any):
        """Apply the primitive: eagerly on concrete arrays, or through the active interpreter."""
        if _INTERPRETERS:
            return _INTERPRETERS[-1].process_primitive(self, args, params)
        if self.weak_rule is _all_weak:  # the common case, without building a list
            weak = True
            for a in args:
                weak = weak and a._weak
            weak = weak and bool(args)
        else:
            weak = self.weak_rule([a._weak for a in args], **params)
        bufs = [a._buf for a in args]
        kinds = self.eager_kinds
        if kinds is not None and bufs[0].dtype.kind not in kinds:
            self._raise_shape_error(args, params)
        try:
            out = self.impl(*bufs, **params)
        except (ValueError, TypeError, IndexError):
            self._raise_shape_error(args, params)
            raise
        if self.multiple_results:
            return tuple(wrap(o, weak) for o in out)
        if type(out) is not np.ndarray:
            out = np.asarray(out)
        a = _new_array(Array)
        a._buf = out
        a._weak = weak
        return a

    def _raise_shape_error(self, args: tuple, params: dict) -> None:
        """Run the shape rule on ``args`` so that bad input gets its precise error."""
        self.abstract_eval(*[aval_of(a._buf, a._weak) for a in args], **params)

    def eval_shape(self, *avals: ShapedArray, **params: Any):
        return self.abstract_eval(*avals, **params)

    def __repr__(self) -> str:
        return self.name


def _all_weak(weaks: list[bool], **params: Any) -> bool:
    return all(weaks) if weaks else False


def never_weak(weaks: list[bool], **params: Any) -> bool:
    return False


def first_weak(weaks: list[bool], **params: Any) -> bool:
    return weaks[0]


def primitives() -> dict[str, Primitive]:
    """Every declared primitive, by name."""
    return dict(_REGISTRY)


def get(name: str) -> Primitive:
    return _REGISTRY[name]


def missing_rules() -> dict[str, list[str]]:
    """``{primitive: [slots still PENDING]}``, for the registry's accounting tests."""
    out = {}
    for name, p in _REGISTRY.items():
        pending = [s for s in RULE_SLOTS if getattr(p, s) is PENDING]
        if pending:
            out[name] = pending
    return out


def push_interpreter(interp: Any) -> None:
    _INTERPRETERS.append(interp)


def pop_interpreter() -> Any:
    return _INTERPRETERS.pop()


def aval_of(buf: np.ndarray, weak: bool = False) -> ShapedArray:
    return ShapedArray(tuple(buf.shape), buf.dtype, weak)
