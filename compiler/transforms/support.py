"""Run-time helpers that generated derivative code calls (spelled ``ad.<name>`` there).

Cotangents of containers are containers of cotangents; ``None`` is a symbolic zero (a value
that received no derivative), so unused branches of a pytree cost nothing.

Generated code is differentiated again for higher-order derivatives, so every helper it calls
carries its own derivative; none is differentiated by reading its source:

* the structural helpers (``add``, ``part``, ``pack``, ...) are linear in their cotangent
  operands; their ``Rule`` gives each operand's cotangent as a call of another helper of
  this module, so the set is closed under differentiation, to any order;
* ``push`` and ``pop`` move values on a tape; their adjoints move cotangents, in the opposite
  order, on the tape's cotangent tape (``cotangents(tape)``), which has its own in turn;
* ``call_fwd``/``call_bwd`` (calls of functions known only when they run) and
  ``prim_adjoint``/``prim_adjoints`` (rules of primitives chosen at run time) are resolved,
  when they run, into small generated functions with readable source (``dynamic.py``);
* the rest (``Tape``, ``cotangents``, seeds, zeros, checks) carries no derivative.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
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


@dataclass(frozen=True)
class Rule:
    """The reverse rule of a helper.

    ``adjoints[i](d, ans, *operands)`` is a template (a one-line function, inlined) giving
    operand ``i``'s cotangent from the result's cotangent ``d``; None: no derivative.
    ``effect(d, ans, *operands)`` is a statement the adjoint runs for its side effect. With
    ``always`` the adjoint runs even when the result received no cotangent (``d`` is then
    None): tape effects must pair up one to one. ``statement``: the helper returns nothing.
    """

    adjoints: tuple = ()
    effect: Callable | None = None
    always: bool = False
    statement: bool = False


def helper_rule(obj: Any) -> Rule | None:
    """The ``Rule`` of a helper (or of ``tuple``/``list``), or None."""
    rule = getattr(obj, "__axc_rule__", None)
    if rule is None:
        try:
            rule = BUILTIN_RULES.get(obj)
        except TypeError:  # unhashable callables
            return None
    return rule


# --- the tape ----------------------------------------------------------------------------------

class Tape(list):
    """The tape of a generated primal pass: overwritten values, and on ``control`` the branch
    flags and trip counts. When generated code is differentiated again, the cotangents of
    popped values travel back to where they were pushed on ``cotangents(tape)`` (created on
    first use); control carries none."""

    __slots__ = ("control", "cts", "lenient")

    def __init__(self, lenient: bool = False) -> None:
        super().__init__()
        self.cts: Tape | None = None
        self.lenient = lenient  # a cotangent tape: empty means no cotangent arrived
        self.control: list = []


def cotangents(tape: Tape) -> Tape:
    """The tape that carries the cotangents of ``tape``'s values (in reverse order)."""
    if tape.cts is None:
        tape.cts = Tape(lenient=True)
    return tape.cts


def push(tape: Tape, x: Any) -> None:
    """Save ``x`` (an overwritten value, a branch flag, a trip count) on the tape."""
    tape.append(x)


def pop(tape: Tape) -> Any:
    """The value pushed last. A cotangent tape that received nothing gives None (zero): the
    adjoint that would have pushed it was not needed."""
    if not tape and tape.lenient:
        return None
    return tape.pop()


def push_control(tape: Tape, flag: Any) -> None:
    """Save a branch flag or a trip count (plain Python data: no derivative)."""
    tape.control.append(flag)


def pop_control(tape: Tape) -> Any:
    return tape.control.pop()


def _push_x(d, ans, tape, x):
    return pop(cotangents(tape))


def _pop_effect(d, ans, tape):
    return push(cotangents(tape), d)


def copy_tapes(saved: Any) -> Any:
    """``saved`` with every tape in it copied (recursively), so that an adjoint pass, which
    pops its tapes, can run again on the same saved values."""
    if isinstance(saved, Tape):
        out = Tape(saved.lenient)
        out.extend(copy_tapes(x) for x in saved)
        out.control = list(saved.control)
        return out
    if type(saved) in (tuple, list):
        return type(saved)(copy_tapes(x) for x in saved)
    return saved


# --- structural helpers: linear in their cotangent operands ------------------------------------

def add(a: Any, b: Any) -> Any:
    """``a + b`` for cotangents: None is zero; tuples, lists and dicts add leaf by leaf."""
    if a is None:
        return b
    if b is None:
        return a
    if isinstance(a, Array) or not isinstance(a, (tuple, list, dict)):
        return a + b
    if isinstance(a, dict):
        return {k: add(a.get(k), b.get(k)) for k in {**a, **b}}
    return _rebuild(a, [add(x, y) for x, y in zip(a, b)])


def _add_a(d, ans, a, b):
    return gate(a, d)


def _add_b(d, ans, a, b):
    return gate(b, d)


def gate(a: Any, g: Any) -> Any:
    """``g`` where ``a`` holds a value and None where ``a`` is None (leaf by leaf): the
    cotangent of ``a`` in ``add(a, b)``, ``materialize(a, like)``."""
    if a is None or g is None:
        return None
    if isinstance(a, dict) and isinstance(g, dict):
        return {k: gate(a.get(k), v) for k, v in g.items()}
    if isinstance(a, (tuple, list)) and isinstance(g, (tuple, list)):
        return _rebuild(g, [gate(x, y) for x, y in zip(a, g)])
    return g


def _gate_g(d, ans, a, g):
    return gate(a, d)


def part(ct: Any, key: Any) -> Any:
    """The cotangent of ``container[key]`` from the container's cotangent (None: zero)."""
    if ct is None:
        return None
    if isinstance(ct, dict):
        return ct.get(key)
    return ct[key]


def _part_ct(d, ans, ct, key):
    return getitem_ct(ct, key, d)


def getitem_ct(x: Any, index: Any, g: Any) -> Any:
    """The cotangent of ``x`` from that of ``x[index]``."""
    if g is None or x is None or isinstance(x, _NoCotangents):
        return None
    if isinstance(x, Array):
        return indexing.scatter_update(zeros_like(x), index, g, "add")
    if isinstance(x, dict):
        return {**{k: None for k in x}, index: g}
    parts = [None] * len(x)
    if isinstance(index, slice):
        for i, gi in zip(range(*index.indices(len(x))), g):
            parts[i] = gi
    else:
        parts[index] = g
    return _rebuild(x, parts)


def _getitem_ct_g(d, ans, x, index, g):
    return part(d, index)


def field(ct: Any, name: str) -> Any:
    """The cotangent of the field ``x.name`` of a namedtuple from ``x``'s cotangent."""
    return None if ct is None else getattr(ct, name)


def _field_ct(d, ans, ct, name):
    return getattr_ct(ct, name, d)


def getattr_ct(x: Any, name: str, g: Any) -> Any:
    """The cotangent of a namedtuple ``x`` from that of its field ``x.name``."""
    if g is None or x is None:
        return None
    return type(x)(*[(g if f == name else None) for f in x._fields])


def _getattr_ct_g(d, ans, x, name, g):
    return field(d, name)


def pack(like: Any, parts: tuple) -> Any:
    """A cotangent shaped like the container ``like`` from its parts (None if all zero)."""
    if parts is None or all(p is None for p in parts):
        return None
    if isinstance(like, Array):  # unpacking an array iterates its first axis
        rows = [zeros_like(like[0]) if p is None else p for p in parts]
        from ...kernels.numpy.joining import stack
        return stack(rows)
    return _rebuild(like, list(parts))


def _pack_parts(d, ans, like, parts):
    return unpack_ct(like, d, parts)


def unpack_ct(like: Any, g: Any, parts: tuple) -> tuple | None:
    """The parts of the cotangent ``g`` of a container unpacked into ``parts``."""
    if g is None:
        return None
    return tuple(part(g, i) for i in range(len(parts)))


def _unpack_ct_g(d, ans, like, g, parts):
    return pack(like, d)


def materialize(ct: Any, like: Any) -> Any:
    """``ct`` with every symbolic zero replaced by zeros shaped like ``like``'s leaves."""
    if ct is None:
        return tree_map_like(like)
    if isinstance(like, (tuple, list)):
        return _rebuild(like, [materialize(c, x) for c, x in zip(ct, like)])
    if isinstance(like, dict):
        return {k: materialize(ct.get(k), like[k]) for k in like}
    return ct


def _materialize_ct(d, ans, ct, like):
    return gate(ct, d)


def starred_ct(cts: tuple, start: int, like: Any) -> Any:
    """The cotangent of a ``*xs`` argument that filled positions ``start...``."""
    if cts is None:
        return None
    parts = tuple(cts[start + j] for j in range(len(like)))
    return None if all(p is None for p in parts) else parts


def _starred_ct_cts(d, ans, cts, start, like):
    return spread_ct(cts, start, like, d)


def spread_ct(cts: tuple, start: int, like: Any, g: Any) -> tuple | None:
    """A positional cotangent tuple shaped like ``cts`` holding ``g``'s items from ``start``
    (the transpose of ``starred_ct``)."""
    if g is None or isinstance(cts, _NoCotangents):
        return None
    parts = [None] * len(cts)
    for j in range(len(like)):
        parts[start + j] = g[j]
    return tuple(parts)


def _spread_ct_g(d, ans, cts, start, like, g):
    return starred_ct(d, start, like)


def sequence_ct(like: Any, g: Any) -> Any:
    """``g`` as a cotangent of ``like``'s kind: ``tuple(xs)``/``list(xs)`` pass cotangents
    straight back, converted to the kind of ``xs``."""
    if g is None or isinstance(like, Array):
        return g
    return _rebuild(like, list(g))


def _sequence_ct_g(d, ans, like, g):
    return sequence_ct(g, d)


def _sequence_xs(d, ans, xs):
    return sequence_ct(xs, d)


def _rebuild(like: Any, parts: list) -> Any:
    """A container of ``like``'s kind from ``parts``."""
    if isinstance(like, tuple) and hasattr(type(like), "_fields"):
        return type(like)(*parts)
    return (tuple if isinstance(like, tuple) else type(like))(parts)


push.__axc_rule__ = Rule((None, _push_x), always=True, statement=True)
pop.__axc_rule__ = Rule((None,), effect=_pop_effect, always=True)
add.__axc_rule__ = Rule((_add_a, _add_b))
gate.__axc_rule__ = Rule((None, _gate_g))
part.__axc_rule__ = Rule((_part_ct, None))
getitem_ct.__axc_rule__ = Rule((None, None, _getitem_ct_g))
field.__axc_rule__ = Rule((_field_ct, None))
getattr_ct.__axc_rule__ = Rule((None, None, _getattr_ct_g))
pack.__axc_rule__ = Rule((None, _pack_parts))
unpack_ct.__axc_rule__ = Rule((None, _unpack_ct_g, None))
materialize.__axc_rule__ = Rule((_materialize_ct, None))
starred_ct.__axc_rule__ = Rule((_starred_ct_cts, None, None))
spread_ct.__axc_rule__ = Rule((None, None, None, _spread_ct_g))
sequence_ct.__axc_rule__ = Rule((None, _sequence_ct_g))

# ``tuple(xs)`` / ``list(xs)``: a container conversion passes cotangents straight back.
BUILTIN_RULES = {tuple: Rule((_sequence_xs,)), list: Rule((_sequence_xs,))}


# --- values without a derivative ----------------------------------------------------------------

def tree_map_like(like: Any) -> Any:
    """Zeros shaped like the array leaves of ``like`` (None for leaves that are not data,
    such as a tape)."""
    leaves, tree = tree_flatten(like)
    return tree_unflatten(tree, [zeros_like(x) if _is_data(x) else None for x in leaves])


def _is_data(x: Any) -> bool:
    return isinstance(x, (Array, np.ndarray, int, float, complex, np.generic)) and \
        not isinstance(x, bool)


def aux_seed(out: Any) -> tuple:
    """The seed cotangent of ``(value, aux)``: one for the value, nothing for the aux."""
    return (ones_like(out[0]), None)


def check_scalar_output(ans: Any) -> None:
    """grad's contract: one real scalar out (JAX's wording for the error)."""
    if isinstance(ans, (tuple, list, dict)):
        raise TypeError(f"Gradient only defined for scalar-output functions. Output was {ans}.")
    if not isinstance(ans, Array):
        ans = asarray(ans)
    if ans.shape != ():
        raise TypeError(f"Gradient only defined for scalar-output functions. "
                        f"Output had shape: {ans.shape}.")


def basis(like: Any, i: int) -> Array:
    """The ``i``-th unit vector shaped like the array ``like`` (row-major order)."""
    e = np.zeros(int(np.prod(like.shape)), np.dtype(like.dtype))
    e[i] = 1
    return asarray(e.reshape(like.shape))


def jacobian_zeros(rows: Any, like: Any) -> Array:
    """Zeros of shape ``(rows.size, *like.shape)`` in ``like``'s dtype: a Jacobian filled in
    one row at a time."""
    return asarray(np.zeros((int(np.prod(rows.shape)),) + tuple(like.shape),
                            np.dtype(like.dtype)))


def check_jacobian_arrays(transform: str, *values: Any) -> None:
    """Re-transformed Jacobians (``jacfwd(jacrev(f))``) take and return single arrays."""
    for v in values:
        if not isinstance(v, Array):
            raise NotImplementedError(
                f"axc can transform {transform}(f) again only where f takes and returns single "
                f"arrays; got a {type(v).__name__}")


for _fn in (Tape, cotangents, push_control, pop_control, tree_map_like, aux_seed, basis,
            jacobian_zeros, check_jacobian_arrays):
    _fn.__axc_ad__ = "inactive"


# --- calls resolved when they run (their derivatives: see dynamic.py) ---------------------------

def call_fwd(fn: Any, *args: Any, **kwargs: Any) -> tuple:
    """Call ``fn`` — a function value known only at run time, or one whose transformation
    is deferred until a call reaches it — returning ``(result, record)``; the record holds
    what the adjoint needs (None when no derivative flows). Arguments that hold float arrays
    are differentiated."""
    from .dynamic import pair_of_call
    pair = pair_of_call(fn, args, kwargs)
    if pair is None:
        return fn(*args, **kwargs), None
    out, saved = pair.fwd(*args, **kwargs)
    return out, (pair.bwd, saved)


def call_bwd(record: Any, g: Any) -> tuple:
    """``(positional cotangents, keyword cotangents)`` of a ``call_fwd`` call."""
    if record is None or g is None:
        return _NO_CTS
    bwd, saved = record
    return bwd(saved, g)


def prim_adjoint(prim: Any, i: int, g: Any, ans: Any, *operands: Any, **params: Any) -> Any:
    """Operand ``i``'s cotangent from ``prim``'s adjoint template, for a primitive chosen at
    run time (``(a_p if c else b_p).bind(x, y)`` in library code)."""
    template = prim.adjoint(i)
    if template is None:
        return None
    if len(prim.adjoint.per_operand) <= i:
        params = dict(params, index=i)
    if prim.multiple_results:
        g = materialize(g, ans)
    return template(g, ans, *operands, **params)


def prim_adjoints(prim: Any, g: Any, ans: Any, *operands: Any, **params: Any) -> tuple:
    """Every operand's cotangent (None where it has none): ``prim.bind(*xs)`` with ``xs`` a
    differentiated sequence."""
    return tuple(prim_adjoint(prim, i, g, ans, *operands, **params)
                 if differentiable(x) else None for i, x in enumerate(operands))


def differentiable(x: Any) -> bool:
    """Whether ``x`` is a float (or complex) array, which calls differentiate."""
    return isinstance(x, Array) and x.dtype.kind in "fcV"


for _fn in (call_fwd, call_bwd, prim_adjoint, prim_adjoints):
    _fn.__axc_ad__ = "dynamic"


class _NoCotangents(tuple):
    def __getitem__(self, key: Any) -> Any:
        return None


class _KeywordCotangents(dict):
    def __missing__(self, key: str) -> None:
        return None


_NO_CTS = (_NoCotangents(), _KeywordCotangents())


# --- custom rules ----------------------------------------------------------------------------

def vjp_rule(obj: Any) -> tuple | None:
    """``(fwd, bwd)`` of a function with its own reverse rule (``__axc_vjp__``), or None."""
    return getattr(obj, "__axc_vjp__", None)
