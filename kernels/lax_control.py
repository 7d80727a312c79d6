"""Eager control flow for ``axc.lax``: cond, switch, while_loop, fori_loop, scan, map.

JAX traces every branch and loop body before it runs anything, and refuses branches or
carries whose pytree structure, shape or dtype disagree. Eagerly, axc runs the same functions
on concrete arrays and makes the same checks on what they return, with JAX's messages: both
branches of ``cond`` run (JAX traces both too), and a loop body runs once even when the loop
takes no trip, to learn its output types. Weakly typed initial carries are promoted to the
body's output dtype as JAX does (``_promote_weak_typed_input``). Under ``jit`` (a traced
predicate or index, and every loop) they are staged as the primitives of ``control``.
"""
from __future__ import annotations

import operator
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from ..runtime import dtypes
from ..runtime.array import Array
from ..runtime.pytree import tree_flatten, tree_unflatten
from . import control
from . import elementwise as ew
from . import structural as st
from .control import split_pair
from .lax_checks import (
    aval,
    check_branch_outputs,
    check_carry_type,
    check_pred,
    flatten_arrays,
    leaf_array,
    promote_weak,
    typematch,
)
from .numpy.promote import asarray, convert

__all__ = ["associative_scan", "cond", "fori_loop", "map", "scan", "switch", "while_loop"]

_NO_OPERAND = object()


# --- cond and switch -----------------------------------------------------------------------

def _interpreter_rule(name: str, *args: Any) -> Any:
    """The active interpreter's version of this operator (``vmap``'s), or NotImplemented."""
    rule = control.interpreter_rule(name)
    return NotImplemented if rule is None else rule(*args)


def _pick(taken: tuple[list[Array], Any], typed: tuple[list[Array], Any]) -> Any:
    """The taken branch's values with the weak types of branch 0 (cond_p's output types)."""
    leaves = [convert(x, x.dtype, t.weak_type) for x, t in zip(taken[0], typed[0])]
    return tree_unflatten(taken[1], leaves)


def _operands(operands: tuple, operand: Any) -> tuple:
    if operand is _NO_OPERAND:
        return operands
    if operands:
        raise TypeError(f"if 'operand' keyword is passed then no positional operands can be "
                        f"passed, got operand={operand!r} and positional operands {operands}")
    return (operand,)


def _as_operands(operands: tuple) -> tuple:
    leaves, treedef = flatten_arrays(operands)
    return tree_unflatten(treedef, leaves)


def _shape_of(x: Any) -> tuple[int, ...]:
    return tuple(x.shape) if hasattr(x, "shape") else np.shape(x)


def cond(pred: Any, true_fun: Callable, false_fun: Callable, *operands: Any,
         operand: Any = _NO_OPERAND) -> Any:
    """Apply ``true_fun(*operands)`` if ``pred`` else ``false_fun(*operands)``.

    Both branches run (JAX traces both) and must return pytrees of the same structure,
    shapes and dtypes; the result carries the weak types of ``false_fun``'s output.
    """
    if not (callable(true_fun) and callable(false_fun)):
        # JAX still accepts the deprecated cond(pred, x_true, f_true, x_false, f_false).
        if callable(false_fun) and len(operands) == 2 and callable(operands[1]):
            x_true, f_true, x_false, f_false = true_fun, false_fun, *operands
            return cond(pred, lambda x, _: f_true(x), lambda _, x: f_false(x), x_true, x_false)
        raise TypeError("lax.cond: true_fun and false_fun arguments should be callable.")
    operands = _operands(operands, operand)
    if pred is None:
        raise TypeError("cond predicate is None")
    if isinstance(pred, Sequence) or len(_shape_of(pred)) != 0:
        where = (f"type {type(pred)}" if isinstance(pred, Sequence)
                 else f"shape {_shape_of(pred)}.")
        raise TypeError(f"Pred must be a scalar, got {pred} of {where}")
    try:
        pred_dtype = dtypes.result_type(pred)
    except TypeError as err:
        raise TypeError(f"Pred type must be either boolean or number, got {pred}.") from err
    if pred_dtype.kind != "b" and pred_dtype.kind not in "iufV":
        raise TypeError(f"Pred type must be either boolean or number, got {pred_dtype}.")
    batched = _interpreter_rule("lax_cond", pred, (false_fun, true_fun), operands)
    if batched is not NotImplemented:
        return batched
    stager = control.stager_for(pred)
    if stager is not None:
        return control.staged_cond(stager, pred, true_fun, false_fun, operands)
    ops = _as_operands(operands)
    true_out = flatten_arrays(true_fun(*ops))
    false_out = flatten_arrays(false_fun(*ops))
    check_branch_outputs("cond", "true_fun", "false_fun", true_fun, false_fun,
                          true_out, false_out)
    return _pick(true_out if bool(pred) else false_out, false_out)


def switch(index: Any, branches: Sequence[Callable], *operands: Any,
           operand: Any = _NO_OPERAND) -> Any:
    """Apply ``branches[clamp(0, index, len(branches) - 1)](*operands)``.

    Every branch runs (JAX traces all of them) and must return the same structure and types.
    """
    if not all(callable(b) for b in branches):
        raise TypeError("lax.switch: branches argument should be a sequence of callables.")
    operands = _operands(operands, operand)
    if len(_shape_of(index)) != 0:
        raise TypeError(f"Branch index must be scalar, got {index} of shape "
                        f"{_shape_of(index)}.")
    try:
        index_dtype = dtypes.result_type(index)
    except TypeError as err:
        raise TypeError(f"Index type must be an integer, got {index}.") from err
    if index_dtype.kind not in "iu":
        raise TypeError(f"Index type must be an integer, got {index} as {index_dtype}")
    branches = tuple(branches)
    if not branches:
        raise ValueError("Empty branch sequence")
    if len(branches) == 1:
        return branches[0](*operands)
    batched = _interpreter_rule("lax_switch", index, branches, operands)
    if batched is not NotImplemented:
        return batched
    stager = control.stager_for(index)
    if stager is not None:
        return control.staged_switch(stager, index, branches, operands)
    i = min(max(operator.index(index), 0), len(branches) - 1)
    ops = _as_operands(operands)
    outs = [flatten_arrays(b(*ops)) for b in branches]
    for k in range(1, len(branches)):
        check_branch_outputs("switch", "branch 0", f"branch{k}", branches[0], branches[k],
                              outs[0], outs[k])
    return _pick(outs[i], outs[0])


# --- loops ---------------------------------------------------------------------------------

def while_loop(cond_fun: Callable[[Any], Any], body_fun: Callable[[Any], Any],
               init_val: Any) -> Any:
    """Run ``val = body_fun(val)`` while ``cond_fun(val)``; return the final ``val``.

    The carry must keep its pytree structure, shapes and dtypes (weakly typed initial values
    are first promoted to the body's output dtype, as JAX does).
    """
    if not (callable(body_fun) and callable(cond_fun)):
        raise TypeError("lax.while_loop: body_fun and cond_fun arguments should be callable.")
    rule = control.interpreter_rule("lax_while_loop")
    if rule is not None:
        return rule(cond_fun, body_fun, init_val)
    stager = control.stager_for()
    if stager is not None:
        return control.staged_while(stager, cond_fun, body_fun, init_val)
    init, tree = flatten_arrays(init_val)
    name = "while_loop body"

    def step(leaves: list[Array]) -> tuple[bool, list[Array], Any]:
        val = tree_unflatten(tree, leaves)
        pred = check_pred(cond_fun(val))
        out, out_tree = flatten_arrays(body_fun(val))
        return pred, out, out_tree

    # The first body call also types the loop, as JAX's trace does, even with zero trips.
    pred, out, out_tree = step(init)
    if len(out) != len(init):
        check_carry_type(name, body_fun, init, tree, out, out_tree)
    init, changed = promote_weak(init, out)
    if changed:
        pred, out, out_tree = step(init)
    check_carry_type(name, body_fun, init, tree, out, out_tree)
    if not pred:
        return tree_unflatten(tree, init)
    carry = out
    while True:
        val = tree_unflatten(tree, carry)
        if not check_pred(cond_fun(val)):
            return val
        out, out_tree = flatten_arrays(body_fun(val))
        check_carry_type(name, body_fun, init, tree, out, out_tree)
        carry = out


def _infer_length(xs: list[Any], length: Any) -> int:
    """JAX's ``_infer_scan_length``, with its messages."""
    if any(not hasattr(x, "shape") for x in xs):
        bad = ", ".join(str(x) for x in xs if not hasattr(x, "shape"))
        raise ValueError(f"scan got value with no leading axis to scan over: {bad}.")
    if any(len(x.shape) == 0 for x in xs):
        raise IndexError("tuple index out of range")
    lengths = [int(x.shape[0]) for x in xs]
    if length is not None:
        length = int(length)
        if not all(length == n for n in lengths):
            raise ValueError(f"scan got `length` argument of {length} which disagrees with "
                             f"leading axis sizes {lengths}.")
        return length
    unique = set(lengths)
    if len(unique) > 1:
        raise ValueError(f"scan got values with different leading axis sizes: "
                         f"{', '.join(str(n) for n in lengths)}.")
    if not unique:
        raise ValueError("scan got no values to scan over and `length` not provided.")
    return unique.pop()


def _index(x: Array, i: int) -> Array:
    """``x[i]`` along the leading axis, through the slice and squeeze primitives."""
    start = (i,) + (0,) * (x.ndim - 1)
    limit = (i + 1,) + tuple(x.shape[1:])
    s = st.slice_p.bind(x, start_indices=start, limit_indices=limit, strides=None)
    return st.squeeze_p.bind(s, dimensions=(0,))


def _stack(ys: list[Array], like: Array, length: int) -> Array:
    """Stack per-iteration outputs along a new leading axis, with ``like``'s type."""
    if length == 0:
        zero = asarray(np.zeros((), like.dtype))
        out = st.broadcast_in_dim_p.bind(
            zero, shape=(0,) + tuple(like.shape), broadcast_dimensions=())
    else:
        expand = st.expand_dims_p
        parts = [expand.bind(convert(y, like.dtype, y.weak_type), dimensions=(0,)) for y in ys]
        out = st.concatenate_p.bind(*parts, dimension=0)
    return convert(out, like.dtype, like.weak_type)


def scan(f: Callable[[Any, Any], tuple[Any, Any]], init: Any, xs: Any = None,
         length: int | None = None, reverse: bool = False, unroll: int | bool = 1,
         _split_transpose: bool = False) -> tuple[Any, Any]:
    """Loop ``carry, y = f(carry, x)`` over the leading axis of ``xs``; stack the ``y``.

    Returns ``(final carry, stacked ys)``. ``unroll`` is checked but has no effect eagerly.
    """
    if not callable(f):
        raise TypeError("lax.scan: f argument should be a callable.")
    carry, carry_tree = flatten_arrays(init)
    xs_raw, xs_tree = tree_flatten(xs)
    n = _infer_length(xs_raw, length)
    xs_leaves = [leaf_array(x) for x in xs_raw]
    if isinstance(unroll, bool):
        unroll = max(n, 1) if unroll else 1
    if operator.index(unroll) < 0:
        raise ValueError("`unroll` must be a `bool` or a non-negative `int`.")
    rule = control.interpreter_rule("lax_scan")
    if rule is not None:
        return rule(f, init, xs, length, reverse, operator.index(unroll))
    stager = control.stager_for()
    if stager is not None:
        return control.staged_scan(stager, f, init, xs_leaves, xs_tree, n, reverse,
                                   operator.index(unroll))
    order = range(n - 1, -1, -1) if reverse else range(n)

    def x_at(i: int | None) -> Any:
        if i is None:  # zero trips: a zero slice only to type the body, as JAX's trace does
            leaves = [asarray(np.zeros(x.shape[1:], x.dtype)) for x in xs_leaves]
        else:
            leaves = [_index(x, i) for x in xs_leaves]
        return tree_unflatten(xs_tree, leaves)

    def step(leaves: list[Array], i: int | None) -> tuple[list[Array], Any, list[Array], Any]:
        c, y = split_pair(f(tree_unflatten(carry_tree, leaves), x_at(i)))
        c_leaves, c_tree = flatten_arrays(c)
        y_leaves, y_tree = flatten_arrays(y)
        return c_leaves, c_tree, y_leaves, y_tree

    first = order[0] if n else None
    c_out, c_tree, y_out, y_tree = step(carry, first)
    if len(c_out) != len(carry):
        check_carry_type("scan body", f, carry, carry_tree, c_out, c_tree)
    carry, changed = promote_weak(carry, c_out)
    if changed:
        c_out, c_tree, y_out, y_tree = step(carry, first)
    check_carry_type("scan body", f, carry, carry_tree, c_out, c_tree)
    y_types = y_out
    if n == 0:
        ys = [_stack([], t, 0) for t in y_types]
        return tree_unflatten(carry_tree, carry), tree_unflatten(y_tree, ys)
    outs = [y_out]
    init_types = carry
    for i in order[1:]:
        c_out, c_tree, y_out, y_tree_i = step(c_out, i)
        check_carry_type("scan body", f, init_types, carry_tree, c_out, c_tree)
        if y_tree_i != y_tree or any(not typematch(aval(a), aval(b))
                                     for a, b in zip(y_out, y_types)):
            raise TypeError("scan body outputs must keep the same structure and types on "
                            "every iteration")
        outs.append(y_out)
    if reverse:
        outs.reverse()
    ys = [_stack([o[k] for o in outs], t, n) for k, t in enumerate(y_types)]
    return tree_unflatten(carry_tree, c_out), tree_unflatten(y_tree, ys)


def fori_loop(lower: Any, upper: Any, body_fun: Callable[[Any, Any], Any], init_val: Any,
              *, unroll: int | bool | None = None) -> Any:
    """Run ``val = body_fun(i, val)`` for ``i`` in ``range(lower, upper)``; return ``val``.

    As in JAX, with concrete bounds this is a ``scan`` whose counter ``i`` is a weakly typed
    int32 array; with a traced bound (under ``jit``) a ``while_loop``.
    """
    if not callable(body_fun):
        raise TypeError("lax.fori_loop: body_fun argument should be callable.")
    lower_dt, upper_dt = dtypes.dtype(lower, canonicalize=True), \
        dtypes.dtype(upper, canonicalize=True)
    dtype = lower_dt
    if lower_dt != upper_dt:
        ok = lower_dt.kind == "i" and upper_dt.kind == "i" and \
            dtypes.is_weakly_typed(lower) != dtypes.is_weakly_typed(upper)
        if not ok:
            raise TypeError(f"lower and upper arguments to fori_loop must have equal types, "
                            f"got {lower_dt.name} and {upper_dt.name}")
        dtype = upper_dt if dtypes.is_weakly_typed(lower) else lower_dt
    batched = _interpreter_rule("lax_fori_loop", lower, upper, body_fun, init_val)
    if batched is not NotImplemented:
        return batched
    stager = control.stager_for(lower, upper)
    if stager is not None:  # a traced bound: JAX's while_loop over (i, upper, val)
        return control.staged_fori(stager, lower, upper, dtype, body_fun, init_val, unroll)
    lo, hi = int(lower), int(upper)

    def scan_body(loop_carry: tuple, _: Any) -> tuple[tuple, None]:
        i, x = loop_carry  # JAX's name for it, shown in carry type errors
        return (i + 1, body_fun(i, x)), None

    (_, result), _ = scan(scan_body, (lo, init_val), None, length=max(hi - lo, 0),
                          unroll=1 if unroll is None else unroll)
    return result


def map(f: Callable[[Any], Any], xs: Any, *, batch_size: int | None = None) -> Any:
    """Apply ``f`` to each slice of ``xs`` along its leading axis and stack the results.

    ``batch_size`` (JAX vmaps ``f`` over batches of that size) gives the same values; eagerly
    ``f`` sees one slice at a time.
    """
    if batch_size is not None and operator.index(batch_size) < 0:
        raise ValueError(f"batch_size must be non-negative, got {batch_size}")
    _, ys = scan(lambda _, x: ((), f(x)), (), xs)
    return ys


def _slice_in_dim(x: Array, start: int, stop: int | None, stride: int, axis: int) -> Array:
    n = x.shape[axis]
    start, stop, _ = slice(start, stop).indices(n)
    starts = [0] * x.ndim
    limits = list(x.shape)
    strides = [1] * x.ndim
    starts[axis], limits[axis], strides[axis] = start, max(stop, start), stride
    return st.slice_p.bind(x, start_indices=tuple(starts),
                                      limit_indices=tuple(limits), strides=tuple(strides))


def _interleave(a: Array, b: Array, axis: int) -> Array:
    """Interleave ``a`` and ``b`` along ``axis`` (JAX's ``_interleave``: pad, then add)."""
    same = a.shape[axis] == b.shape[axis]
    a_pad = [(0, 0, 0)] * a.ndim
    b_pad = [(0, 0, 0)] * b.ndim
    a_pad[axis] = (0, 1 if same else 0, 1)
    b_pad[axis] = (1, 0 if same else 1, 1)
    pad = st.pad_p
    zero_a = convert(asarray(np.zeros((), a.dtype)), a.dtype, a.weak_type)
    zero_b = convert(asarray(np.zeros((), b.dtype)), b.dtype, b.weak_type)
    op = ew.or_p if a.dtype == dtypes.bool_ else ew.add_p
    return op.bind(pad.bind(a, zero_a, padding_config=tuple(a_pad)),
                   pad.bind(b, zero_b, padding_config=tuple(b_pad)))


def associative_scan(fn: Callable[[Any, Any], Any], elems: Any, reverse: bool = False,
                     axis: int = 0) -> Any:
    """Inclusive scan of ``elems`` along ``axis`` with the associative ``fn``.

    JAX's parallel-prefix algorithm (Blelloch), so that floating-point results round as in
    JAX.
    """
    if not callable(fn):
        raise TypeError("lax.associative_scan: fn argument should be callable.")
    raw, tree = tree_flatten(elems)
    for x in raw:
        if not hasattr(x, "ndim"):
            raise AttributeError(f"'{type(x).__name__}' object has no attribute 'ndim'")
    flat = [asarray(x) for x in raw]
    from .shapes import canonicalize_axis
    axis = canonicalize_axis(axis, flat[0].ndim)
    rev = st.rev_p
    if reverse:
        flat = [rev.bind(x, dimensions=(axis,)) for x in flat]
    num = flat[0].shape[axis]
    if not all(x.shape[axis] == num for x in flat[1:]):
        raise ValueError(f"Array inputs to associative_scan must have the same first "
                         f"dimension. (saw: {[x.shape for x in flat]})")

    def combine(a: list[Array], b: list[Array]) -> list[Array]:
        out = fn(tree_unflatten(tree, a), tree_unflatten(tree, b))
        return [asarray(x) for x in tree_flatten(out)[0]]

    def _scan(es: list[Array]) -> list[Array]:
        n = es[0].shape[axis]
        if n < 2:
            return es
        reduced = combine([_slice_in_dim(e, 0, -1, 2, axis) for e in es],
                          [_slice_in_dim(e, 1, None, 2, axis) for e in es])
        odd = _scan(reduced)
        if n % 2 == 0:
            even = combine([_slice_in_dim(e, 0, -1, 1, axis) for e in odd],
                           [_slice_in_dim(e, 2, None, 2, axis) for e in es])
        else:
            even = combine(odd, [_slice_in_dim(e, 2, None, 2, axis) for e in es])
        cat = st.concatenate_p
        even = [cat.bind(_slice_in_dim(e, 0, 1, 1, axis), r, dimension=axis)
                for e, r in zip(es, even)]
        return [_interleave(e, o, axis) for e, o in zip(even, odd)]

    out = _scan(flat)
    if reverse:
        out = [rev.bind(x, dimensions=(axis,)) for x in out]
    return tree_unflatten(tree, out)
