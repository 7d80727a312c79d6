"""Run-time helpers that generated derivative code calls (spelled ``ad.<name>`` there).

Cotangents of containers are containers of cotangents; ``None`` is a symbolic zero (a value
that received no derivative), so unused branches of a pytree cost nothing.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from ...kernels import ad_util
from ...kernels.numpy import indexing
from ...kernels.numpy.promote import asarray
from ...runtime.array import Array
from ...runtime.pytree import tree_flatten, tree_unflatten

unbroadcast = ad_util.unbroadcast
zeros_like = ad_util.zeros_like
ones_like = ad_util.ones_like
index_exp = np.s_  # ``index_exp[1:3, None]`` is the index object of ``x[1:3, None]``


def add(a: Any, b: Any) -> Any:
    """``a + b`` for cotangents: None is zero; tuples, lists and dicts add leaf by leaf."""
    if a is None:
        return b
    if b is None:
        return a
    if isinstance(a, Array) or not isinstance(a, (tuple, list, dict)):
        return a + b
    if isinstance(a, dict):
        return {k: add(a.get(k), b.get(k)) for k in a}
    parts = [add(x, y) for x, y in zip(a, b)]
    return type(a)(*parts) if _is_namedtuple(a) else type(a)(parts)


def part(ct: Any, key: Any) -> Any:
    """The cotangent of ``container[key]`` from the container's cotangent (None: zero)."""
    if ct is None:
        return None
    return ct[key]


def field(ct: Any, name: str) -> Any:
    return None if ct is None else getattr(ct, name)


def pack(like: Any, parts: tuple) -> Any:
    """A cotangent shaped like the container ``like`` from its parts (None if all zero)."""
    if all(p is None for p in parts):
        return None
    if isinstance(like, Array):  # unpacking an array iterates its first axis
        rows = [zeros_like(like[0]) if p is None else p for p in parts]
        from ...kernels.numpy.joining import stack
        return stack(rows)
    if _is_namedtuple(like):
        return type(like)(*parts)
    return type(like)(parts)


def getitem_ct(x: Any, index: Any, g: Any) -> Any:
    """The cotangent of ``x`` from that of ``x[index]``."""
    if isinstance(x, Array):
        return indexing.scatter_update(zeros_like(x), index, g, "add")
    if isinstance(x, dict):
        return {k: (g if k == index else None) for k in x}
    parts = [None] * len(x)
    if isinstance(index, slice):
        for i, gi in zip(range(*index.indices(len(x))), g):
            parts[i] = gi
    else:
        parts[index] = g
    return type(x)(*parts) if _is_namedtuple(x) else type(x)(parts)


def getattr_ct(x: Any, name: str, g: Any) -> Any:
    """The cotangent of a namedtuple ``x`` from that of its field ``x.name``."""
    return type(x)(*[(g if f == name else None) for f in x._fields])


def materialize(ct: Any, like: Any) -> Any:
    """``ct`` with every symbolic zero replaced by zeros shaped like ``like``'s leaves."""
    if ct is None:
        return tree_map_like(like)
    if isinstance(like, (tuple, list)):
        parts = [materialize(c, l) for c, l in zip(ct, like)]
        return type(like)(*parts) if _is_namedtuple(like) else type(like)(parts)
    if isinstance(like, dict):
        return {k: materialize(ct.get(k), like[k]) for k in like}
    return ct


def tree_map_like(like: Any) -> Any:
    leaves, tree = tree_flatten(like)
    return tree_unflatten(tree, [zeros_like(x) for x in leaves])


def prim_adjoint(prim: Any, i: int, g: Any, ans: Any, *operands: Any, **params: Any) -> Any:
    """Operand ``i``'s cotangent from ``prim``'s adjoint template, for a primitive chosen at
    run time (``(a_p if c else b_p).bind(x, y)`` in library code)."""
    template = prim.adjoint(i)
    if len(prim.adjoint.per_operand) <= i:
        params = dict(params, index=i)
    return None if template is None else template(g, ans, *operands, **params)


def aux_seed(out: Any) -> tuple:
    """The seed cotangent of ``(value, aux)``: one for the value, nothing for the aux."""
    return (ones_like(out[0]), None)


def call_fwd(fn: Any, active: tuple, *args: Any, **kwargs: Any) -> tuple:
    """Call ``fn`` (a function value known only at run time) recording what its adjoint
    needs; ``active[i]`` says whether positional argument ``i`` is differentiated."""
    from . import callees
    from .reverse import pair_for
    callee = callees.classify(fn)
    if callee.kind == callees.PRIM:
        out = fn(*args, **kwargs)
        return out, ("prim", callee.prim, out, args, kwargs, active)
    if callee.kind != callees.RECURSE or callee.bound_self:
        return fn(*args, **kwargs), None
    import inspect
    bound = inspect.signature(fn).bind_partial(*args, **kwargs)
    names = list(bound.arguments)
    params = frozenset(n for n, a in zip(names, active) if a)
    pair = pair_for(fn, params)
    if not pair.out_active:
        return fn(*args, **kwargs), None
    out, saved = pair.fwd(*args, **kwargs)
    return out, ("fn", pair, saved, names, active)


def call_bwd(record: Any, g: Any) -> tuple:
    """The cotangents of the active positional arguments of a ``call_fwd`` call."""
    if record is None or g is None:
        return (None,) * 64
    if record[0] == "prim":
        _, prim, out, args, kwargs, active = record
        return tuple(prim_adjoint(prim, i, g, out, *args, **kwargs) if i < len(active) and
                     active[i] else None for i in range(len(args)))
    _, pair, saved, names, active = record
    cts = dict(zip(pair.active_params, pair.bwd(saved, g)))
    return tuple(cts.get(n) for n in names)


def check_scalar_output(ans: Any) -> None:
    """grad's contract: one real scalar out (JAX's wording for the error)."""
    if not isinstance(ans, Array):
        ans = asarray(ans)
    if ans.shape != ():
        raise TypeError(f"Gradient only defined for scalar-output functions. "
                        f"Output had shape: {ans.shape}.")


def _is_namedtuple(x: Any) -> bool:
    return isinstance(x, tuple) and hasattr(type(x), "_fields")
