"""What a call in user code means to the AD transforms: a primitive, a function to transform
recursively, a call that carries no derivative, or one that cannot be differentiated.

Objects are classified, never spellings: ``np.sin``, ``jnp.sin`` and ``from axc.numpy import
sin`` are told apart by what they are.
"""
from __future__ import annotations

import builtins
import inspect
import re
import types
from dataclasses import dataclass
from typing import Any

import numpy as np

from ...kernels import ad_util
from ...kernels.registry import NotApplicable, Primitive
from . import support

PRIM = "prim"            # a primitive's bind, or an axc.numpy wrapper of exactly one primitive
RECURSE = "recurse"      # a Python function whose source is transformed in turn
INACTIVE = "inactive"    # its result carries no derivative (shapes, dtypes, comparisons)
STOP = "stop"            # lax.stop_gradient: the value passes, the derivative stops
CUSTOM = "custom"        # custom_jvp / custom_vjp: the user's rule replaces the source
HELPER = "helper"        # an ``ad.*`` helper of generated code, with its own rule (support.Rule)
DYNAMIC = "dynamic"      # ``ad.call_fwd`` and friends: what they call is known when they run
CONVERT = "convert"      # float()/int()/.item(): leaves the array world (an error under AD)
UNKNOWN = "unknown"      # a callable axc cannot see into (C code, NumPy on arrays)


@dataclass(frozen=True)
class Callee:
    kind: str
    obj: Any
    prim: Primitive | None = None   # for PRIM
    fn: Any = None                  # for RECURSE: the function whose source is read
    bound_self: bool = False        # a bound method: ``self`` is the first operand
    rule: Any = None                # for HELPER: its support.Rule


# Builtins whose result never carries a derivative (introspection, counts, printing).
_INACTIVE_BUILTINS = {builtins.sorted, builtins.min, builtins.max, builtins.round,
                      builtins.set, builtins.frozenset, builtins.slice, builtins.divmod,
                      builtins.len, builtins.isinstance, builtins.issubclass, builtins.type,
                      builtins.range, builtins.print, builtins.repr, builtins.str,
                      builtins.hasattr, builtins.getattr, builtins.id, builtins.callable,
                      builtins.hash, builtins.format, builtins.all, builtins.any}
_CONVERSIONS = {builtins.float, builtins.int, builtins.bool, builtins.complex}
_INACTIVE_NUMPY = {np.shape, np.ndim, np.size, np.result_type, np.dtype, np.iinfo, np.finfo,
                   np.issubdtype, np.isscalar, np.broadcast_shapes}
# Results that do not depend on the values of their operands (shapes and dtypes only).
_CONSTANT_RESULTS = {ad_util.zeros_like, ad_util.ones_like}


def classify(obj: Any) -> Callee:
    """The AD meaning of calling ``obj``."""
    try:
        special = getattr(obj, "__axc_ad__", None)
    except Exception:  # noqa: BLE001 - an object whose attribute lookup fails is plain data
        special = None
    if special == "stop_gradient":
        return Callee(STOP, obj)
    if special == "inactive":
        return Callee(INACTIVE, obj)
    if special == "dynamic":
        return Callee(DYNAMIC, obj)
    rule = support.helper_rule(obj)
    if rule is not None:
        return Callee(HELPER, obj, rule=rule)
    if special == "custom" or support.vjp_rule(obj) is not None:
        return Callee(CUSTOM, obj)
    if isinstance(obj, types.MethodType) and isinstance(obj.__self__, Primitive) \
            and obj.__func__ is Primitive.bind:
        return _prim_callee(obj, obj.__self__)
    prim = getattr(obj, "__axc_primitive__", None)
    if isinstance(prim, Primitive):
        return _prim_callee(obj, prim)
    generated = getattr(type(obj), "__axc_function__", None)
    if generated is not None:  # grad(f) and friends: their generated source is transformed
        return Callee(RECURSE, obj, fn=obj.__axc_function__)
    if obj in _CONVERSIONS:
        return Callee(CONVERT, obj)
    if _is_inactive(obj):
        return Callee(INACTIVE, obj)
    if isinstance(obj, types.MethodType) and isinstance(obj.__func__, types.FunctionType):
        return Callee(RECURSE, obj, fn=obj.__func__, bound_self=True)
    if isinstance(obj, types.FunctionType):
        return Callee(RECURSE, obj, fn=obj)
    return Callee(UNKNOWN, obj)


def _prim_callee(obj: Any, prim: Primitive) -> Callee:
    if isinstance(prim.jvp, NotApplicable) and isinstance(prim.adjoint, NotApplicable):
        return Callee(INACTIVE, obj, prim=prim)
    return Callee(PRIM, obj, prim=prim)


def _is_inactive(obj: Any) -> bool:
    try:
        if obj in _INACTIVE_BUILTINS or obj in _INACTIVE_NUMPY or obj in _CONSTANT_RESULTS:
            return True
    except TypeError:  # unhashable callables
        return False
    if isinstance(obj, type):
        return issubclass(obj, (np.dtype, np.generic))
    module = getattr(obj, "__module__", None) or ""
    if module.startswith("axc.runtime"):   # dtypes, shapes, config: never array data
        return True
    return _annotated_inactive(obj)


def _annotated_inactive(obj: Any) -> bool:
    """A library function annotated to return plain Python data (``-> None``, ``-> bool``,
    ``-> tuple[int, ...]``, ``-> np.dtype``) needs no transformation."""
    if not isinstance(obj, types.FunctionType) or not obj.__module__.startswith("axc."):
        return False
    ret = obj.__annotations__.get("return", inspect.Signature.empty)
    if ret is inspect.Signature.empty:
        return False
    text = ret if isinstance(ret, str) else getattr(ret, "__name__", repr(ret))
    if "Array" in text or "Any" in text:
        return False
    return _STATIC_ANNOTATION.fullmatch(text.replace(" ", "")) is not None


# Return annotations that name plain Python data: ints, bools, strings, dtypes, shapes.
_STATIC_ANNOTATION = re.compile(
    r"(None|bool|int|str|float|np\.dtype|dtype|ShapedArray|slice"
    r"|(tuple|list|Sequence)\[(int|str|bool)(,\.\.\.)?\]"
    r"|tuple\[(int|bool|str|np\.dtype),(int|bool|str|np\.dtype)\])"
    r"(\|None)?")


def source_function(obj: Any) -> Any:
    """The function whose source a transform reads: ``grad(f)`` and friends stand for their
    generated function, so transforms nest."""
    while getattr(type(obj), "__axc_function__", None) is not None:
        obj = obj.__axc_function__
    return obj


