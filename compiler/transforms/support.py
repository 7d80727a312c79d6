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


class Tape(list):
    """The tape of a generated primal pass. When generated code is differentiated again,
    ``cts`` carries the cotangents of popped values back to where they were pushed."""

    __slots__ = ("cts",)

    def __init__(self) -> None:
        super().__init__()
        self.cts: list = []


def push(tape: Tape, x: Any) -> None:
    """Save ``x`` (an overwritten value, a branch flag, a trip count) on the tape."""
    tape.append(x)


def pop(tape: Tape) -> Any:
    return tape.pop()


def _push_fwd(tape: Tape, x: Any) -> tuple:
    tape.append(x)
    return None, tape


def _push_bwd(tape: Tape, g: Any) -> tuple:
    return None, tape.cts.pop()


def _pop_fwd(tape: Tape) -> tuple:
    return tape.pop(), tape


def _pop_bwd(tape: Tape, g: Any) -> tuple:
    tape.cts.append(g)
    return (None,)


def _add_fwd(a: Any, b: Any) -> tuple:
    return add(a, b), (a is None, b is None)


def _add_bwd(nones: tuple, g: Any) -> tuple:
    return (None if nones[0] else g, None if nones[1] else g)


# Derivative rules of the helpers themselves, so that generated code can be differentiated
# again (higher-order derivatives). Push and pop always run their adjoint (``effect``).
push.__axc_vjp__, push.__axc_effect__ = (_push_fwd, _push_bwd), True
pop.__axc_vjp__, pop.__axc_effect__ = (_pop_fwd, _pop_bwd), True


def part(ct: Any, key: Any) -> Any:
    """The cotangent of ``container[key]`` from the container's cotangent (None: zero)."""
    if ct is None:
        return None
    return ct[key]


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


add.__axc_vjp__ = (_add_fwd, _add_bwd)


def _sequence_fwd(kind: type):
    def fwd(x: Any) -> tuple:
        return kind(x), type(x)
    return fwd


def _sequence_bwd(kind: type, g: Any) -> tuple:
    return (None if g is None else (g if kind is Array else kind(g)),)


# ``tuple(xs)`` / ``list(xs)``: a container conversion passes cotangents straight back.
BUILTIN_VJPS = {tuple: (_sequence_fwd(tuple), _sequence_bwd),
                list: (_sequence_fwd(list), _sequence_bwd)}


def vjp_rule(obj: Any) -> tuple | None:
    """``(fwd, bwd)`` of a function with its own reverse rule, or None."""
    rule = getattr(obj, "__axc_vjp__", None)
    if rule is None:
        try:
            rule = BUILTIN_VJPS.get(obj)
        except TypeError:
            return None
    return rule


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
    """Zeros shaped like the array leaves of ``like`` (None for leaves that are not data,
    such as a tape)."""
    leaves, tree = tree_flatten(like)
    return tree_unflatten(tree, [zeros_like(x) if _is_data(x) else None for x in leaves])


def _is_data(x: Any) -> bool:
    return isinstance(x, (Array, np.ndarray, int, float, complex, np.generic)) and \
        not isinstance(x, bool)


def prim_adjoint(prim: Any, i: int, g: Any, ans: Any, *operands: Any, **params: Any) -> Any:
    """Operand ``i``'s cotangent from ``prim``'s adjoint template, for a primitive chosen at
    run time (``(a_p if c else b_p).bind(x, y)`` in library code)."""
    template = _template(prim, i)
    if len(prim.adjoint.per_operand) <= i:
        params = dict(params, index=i)
    if template is None:
        return None
    return apply(template, concat((g, ans), operands), params)


def prim_adjoints(prim: Any, g: Any, ans: Any, *operands: Any, **params: Any) -> tuple:
    """Every operand's cotangent (None where it has none): ``prim.bind(*xs)`` with ``xs`` a
    differentiated sequence. (A loop the AD transforms can differentiate again.)"""
    out = ()
    for i in range(len(operands)):
        ct = None
        if _differentiable(operands[i]):
            ct = prim_adjoint(prim, i, g, ans, *operands, **params)
        out = tuple_append(out, ct)
    return out


def concat(a: tuple, b: tuple) -> tuple:
    """``a + b`` for tuples, differentiable (``+`` on arrays means addition in user code)."""
    return tuple(a) + tuple(b)


def _concat_fwd(a: tuple, b: tuple) -> tuple:
    return concat(a, b), len(a)


def _concat_bwd(n: int, g: Any) -> tuple:
    return (None, None) if g is None else (tuple(g[:n]), tuple(g[n:]))


concat.__axc_vjp__ = (_concat_fwd, _concat_bwd)


def tuple_append(t: tuple, x: Any) -> tuple:
    """``t + (x,)``, differentiable (``+`` on arrays means addition in user code)."""
    return t + (x,)


def _tuple_append_fwd(t: tuple, x: Any) -> tuple:
    return t + (x,), len(t)


def _tuple_append_bwd(n: int, g: Any) -> tuple:
    if g is None:
        return None, None
    return (None if n == 0 else tuple(g[:n])), g[n]


tuple_append.__axc_vjp__ = (_tuple_append_fwd, _tuple_append_bwd)


def _template(prim: Any, i: int) -> Any:
    return prim.adjoint(i)


_template.__axc_ad__ = "stop_gradient"   # a rule lookup, not a computation


def apply(fn: Any, args: tuple, kwargs: dict) -> Any:
    """``fn(*args, **kwargs)`` for a function known only at run time. Its reverse rule
    transforms ``fn`` when it runs, differentiating the arguments that are float arrays."""
    return fn(*args, **kwargs)


def _differentiable(x: Any) -> bool:
    return isinstance(x, Array) and x.dtype.kind in "fcV"


def _apply_fwd(fn: Any, args: tuple, kwargs: dict) -> tuple:
    out, record = call_fwd(fn, *args, **kwargs)
    return out, (record, len(args))


def _apply_bwd(res: tuple, g: Any) -> tuple:
    record, n = res
    cts = call_bwd(record, g)[0][:n]
    return None, (None if all(c is None for c in cts) else tuple(cts)), None


apply.__axc_vjp__ = (_apply_fwd, _apply_bwd)


def aux_seed(out: Any) -> tuple:
    """The seed cotangent of ``(value, aux)``: one for the value, nothing for the aux."""
    return (ones_like(out[0]), None)


def call_fwd(fn: Any, *args: Any, **kwargs: Any) -> tuple:
    """Call ``fn`` — a function value known only at run time, or one whose transformation
    is deferred until a call reaches it — recording what its adjoint needs. Arguments that
    hold float arrays are differentiated."""
    from . import callees
    from .reverse import pair_for
    callee = callees.classify(fn)
    if callee.kind == callees.PRIM:
        out = fn(*args, **kwargs)
        return out, ("prim", callee.prim, out, args, kwargs)
    if callee.kind == callees.CUSTOM:
        fwd, bwd = vjp_rule(fn)
        out, res = fwd(*args, **kwargs)
        return out, ("custom", bwd, res, len(args), kwargs)
    if callee.kind in (callees.INACTIVE, callees.STOP) or not _any_differentiable(args, kwargs):
        return fn(*args, **kwargs), None
    if callee.kind != callees.RECURSE or callee.bound_self:
        raise TypeError(f"axc cannot differentiate through {fn!r}: it is not a Python function "
                        f"whose source axc can read, nor an axc primitive")
    target = callee.fn
    import inspect
    bound = inspect.signature(target).bind(*args, **kwargs)
    active = frozenset(p for p, v in bound.arguments.items() if _any_differentiable((v,), {}))
    pair = pair_for(target, active)
    if not pair.out_active:
        return fn(*args, **kwargs), None
    out, saved = pair.fwd(*args, **kwargs)
    return out, ("fn", pair, saved, _layout(target, args, kwargs))


def _any_differentiable(args: tuple, kwargs: dict) -> bool:
    leaves, _ = tree_flatten((args, kwargs))
    return any(_differentiable(x) for x in leaves)


def _layout(fn: Any, args: tuple, kwargs: dict) -> list:
    """Where each parameter's cotangent goes: ("pos", i), ("var", start) or ("kw", name)."""
    import inspect
    out, i = [], 0
    params = inspect.signature(fn).parameters
    for name, p in params.items():
        if p.kind is inspect.Parameter.VAR_POSITIONAL:
            out.append((name, "var", i))
            i = len(args)
        elif p.kind is inspect.Parameter.VAR_KEYWORD:
            continue
        elif i < len(args) and p.kind is not inspect.Parameter.KEYWORD_ONLY:
            out.append((name, "pos", i))
            i += 1
        elif name in kwargs:
            out.append((name, "kw", name))
    return out


def call_bwd(record: Any, g: Any) -> tuple:
    """``(positional cotangents, keyword cotangents)`` of a ``call_fwd`` call."""
    if record is None or g is None:
        return _NO_CTS
    kind = record[0]
    if kind == "prim":
        _, prim, out, args, kwargs = record
        return tuple(prim_adjoint(prim, i, g, out, *args, **kwargs)
                     if _differentiable(a) else None for i, a in enumerate(args)) + (None,) * 64, \
            _KeywordCotangents()
    if kind == "custom":
        _, bwd, res, n, kwargs = record
        cts = tuple(bwd(res, g))
        return cts[:n] + (None,) * 64, _KeywordCotangents()
    _, pair, saved, layout = record
    by_param = dict(zip(pair.active_params, pair.bwd(saved, g)))
    pos: dict[int, Any] = {}
    kw: dict[str, Any] = {}
    for name, where, at in layout:
        ct = by_param.get(name)
        if where == "pos":
            pos[at] = ct
        elif where == "kw":
            kw[at] = ct
        elif ct is not None:
            for j, c in enumerate(ct):
                pos[at + j] = c
    n = max(pos, default=-1) + 1
    return tuple(pos.get(i) for i in range(n)) + (None,) * 64, _KeywordCotangents(kw)


class _NoCotangents(tuple):
    def __getitem__(self, key: Any) -> Any:
        return None


class _KeywordCotangents(dict):
    def __missing__(self, key: str) -> None:
        return None


_NO_CTS = (_NoCotangents(), _KeywordCotangents())


def starred_ct(cts: tuple, start: int, like: Any) -> Any:
    """The cotangent of a ``*xs`` argument that filled positions ``start...``."""
    parts = tuple(cts[start + j] for j in range(len(like)))
    return None if all(p is None for p in parts) else parts


def check_scalar_output(ans: Any) -> None:
    """grad's contract: one real scalar out (JAX's wording for the error)."""
    if isinstance(ans, (tuple, list, dict)):
        raise TypeError(f"Gradient only defined for scalar-output functions. Output was {ans}.")
    if not isinstance(ans, Array):
        ans = asarray(ans)
    if ans.shape != ():
        raise TypeError(f"Gradient only defined for scalar-output functions. "
                        f"Output had shape: {ans.shape}.")


def _is_namedtuple(x: Any) -> bool:
    return isinstance(x, tuple) and hasattr(type(x), "_fields")


# --- reverse rules of the container helpers (they are linear in their cotangent input) -------

def _getitem_ct_fwd(x: Any, index: Any, g: Any) -> tuple:
    return getitem_ct(x, index, g), index


def _getitem_ct_bwd(index: Any, gg: Any) -> tuple:
    return None, None, (None if gg is None else gg[index])


def _part_fwd(ct: Any, key: Any) -> tuple:
    return part(ct, key), (ct, key)


def _part_bwd(res: tuple, gg: Any) -> tuple:
    ct, key = res
    if ct is None or gg is None:
        return None, None
    return getitem_ct(ct, key, gg), None


def _pack_fwd(like: Any, parts: tuple) -> tuple:
    return pack(like, parts), len(parts)


def _pack_bwd(n: int, gg: Any) -> tuple:
    if gg is None:
        return None, None
    return None, tuple(gg[i] for i in range(n))


def _materialize_fwd(ct: Any, like: Any) -> tuple:
    return materialize(ct, like), None


def _materialize_bwd(res: None, gg: Any) -> tuple:
    return gg, None


getitem_ct.__axc_vjp__ = (_getitem_ct_fwd, _getitem_ct_bwd)
part.__axc_vjp__ = (_part_fwd, _part_bwd)
pack.__axc_vjp__ = (_pack_fwd, _pack_bwd)
materialize.__axc_vjp__ = (_materialize_fwd, _materialize_bwd)
