"""The batching interpreter behind ``vmap``: values that carry a batch axis.

While a vmapped function runs, each value computed from a mapped argument is a
``BatchTracer``: an ``axc.Array`` that shows one example (its ``shape`` leaves the batch axis
out, as in JAX) and holds the whole batch (``_val``) with the position of its batch axis
(``_bdim``). ``BatchTrace`` is pushed as the registry's interpreter, so every
``Primitive.bind`` of ``axc.numpy``, ``lax``, user code and generated gradient code reaches
``process_primitive``, which applies the primitive's batching rule (``prim.batch``, declared
with the primitive) one level down: a rule binds primitives on whole batches, eagerly, under
an enclosing ``jit`` staging or under an outer ``vmap``. The batch axis stays where a rule
puts it and is moved only when a rule needs it elsewhere.

Control flow (``lax.cond``/``switch``/``while_loop``/``scan``/``fori_loop`` and the Python
``if``/``while`` that ``vmap`` converts into them) is batched here, at the level of the
``lax`` functions (their ``lax_*`` methods), because a batched predicate changes the
algorithm rather than one primitive: a batched ``cond`` runs both branches and selects per
example; a ``while_loop`` runs, one level down, until every example is done, freezing the
finished ones; ``scan`` runs one level down with the batch carried along.
"""
from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import numpy as np

from ...kernels import batch_util, registry
from ...kernels import lax_control as lax
from ...kernels.control import split_pair
from ...kernels.lax_checks import (
    check_branch_outputs,
    check_carry_type,
    check_pred,
    flatten_arrays,
    leaf_array,
)
from ...kernels.numpy import ufuncs
from ...kernels.numpy.promote import asarray, convert
from ...kernels.registry import PENDING, NotApplicable, Primitive
from ...runtime import dtypes
from ...runtime.abstract import ShapedArray
from ...runtime.array import Array
from ...runtime.pytree import tree_flatten, tree_unflatten
from ..ir.tracer import AbstractBuffer, Tracer

__all__ = ["BatchTrace", "BatchTracer", "NoBatchingRule"]


class NoBatchingRule(NotImplementedError):
    """A primitive without a batching rule was applied to a batched value."""


class _Example:
    """What a ``BatchTracer`` shows as its abstract value (``Tracer`` reads ``_var.aval``)."""

    __slots__ = ("aval",)

    def __init__(self, aval: ShapedArray) -> None:
        self.aval = aval


class BatchTracer(Tracer):
    """A batched value inside ``vmap``: one example's shape, the whole batch inside."""

    __slots__ = ("_bdim", "_val")

    def __repr__(self) -> str:
        return f"BatchTracer<{'~' if self._weak else ''}{self.aval.str_short()}>"

    __str__ = __repr__

    def __hash__(self) -> int:
        raise TypeError("unhashable type: 'BatchTracer'")


def new_batch_tracer(trace: BatchTrace, val: Array, bdim: int) -> BatchTracer:
    shape = tuple(val.shape)
    aval = ShapedArray(shape[:bdim] + shape[bdim + 1:], val.dtype, val._weak)
    t = object.__new__(BatchTracer)
    t._trace = trace
    t._val = val
    t._bdim = bdim
    t._var = _Example(aval)
    t._weak = val._weak
    t._buf = AbstractBuffer(aval, t)
    return t


class BatchTrace:
    """One ``vmap`` in progress: ``size`` examples, mapped by the function ``name``."""

    def __init__(self, size: int, name: str, where: str) -> None:
        self.size, self.name, self.where = size, name, where
        self.active = True

    # -- moving between levels -------------------------------------------------------------
    @contextmanager
    def lowered(self) -> Iterator[None]:
        """Run one level down: this trace (and anything above it) off the interpreter stack."""
        stack = registry._INTERPRETERS
        i = next(k for k in range(len(stack) - 1, -1, -1) if stack[k] is self)
        above = stack[i:]
        del stack[i:]
        try:
            yield
        finally:
            stack[len(stack):] = above

    @contextmanager
    def pushed(self) -> Iterator[None]:
        """Run at this level again (inside a loop body staged one level down)."""
        registry.push_interpreter(self)
        try:
            yield
        finally:
            registry.pop_interpreter()

    def owns(self, x: Any) -> bool:
        return isinstance(x, BatchTracer) and x._trace is self

    def wrap(self, val: Any, bdim: int | None) -> Any:
        return val if bdim is None else new_batch_tracer(self, val, bdim)

    def unwrap(self, x: Any) -> tuple[Any, int | None]:
        return (x._val, x._bdim) if self.owns(x) else (x, None)

    def to_front(self, x: Any) -> Array:
        """``x`` one level down, batched at axis 0 (broadcast there when unbatched)."""
        val, bdim = self.unwrap(x)
        with self.lowered():
            return batch_util.move_to(asarray(val), bdim, 0, self.size)

    # -- the interpreter protocol (called by Primitive.bind) -------------------------------
    def process_primitive(self, prim: Primitive, args: Sequence[Any], params: dict):
        dims = [x._bdim if type(x) is BatchTracer and x._trace is self else None for x in args]
        if all(d is None for d in dims):
            return self.run_lowered(prim.bind, *args, **params)
        rule = prim.batch
        if rule is PENDING or isinstance(rule, NotApplicable) or not callable(rule):
            raise NoBatchingRule(f"vmap: the primitive `{prim.name}` has no batching rule yet "
                                 f"(while mapping {self.describe()})")
        vals = [x._val if d is not None else x for x, d in zip(args, dims)]
        out, out_dim = self.run_lowered(rule, vals, dims, **params)
        if prim.multiple_results:
            if not isinstance(out_dim, (tuple, list)):
                out_dim = (out_dim,) * len(out)
            return tuple(self.wrap(o, d) for o, d in zip(out, out_dim))
        return self.wrap(out, out_dim)

    def run_lowered(self, fn: Callable, *args: Any, **kwargs: Any) -> Any:
        """``fn(*args, **kwargs)`` one level down (``lowered``, without a context manager's
        cost on the per-primitive path)."""
        stack = registry._INTERPRETERS
        if not stack or stack[-1] is not self:
            with self.lowered():
                return fn(*args, **kwargs)
        stack.pop()
        try:
            return fn(*args, **kwargs)
        finally:
            stack.append(self)

    # -- what tracer errors say ------------------------------------------------------------
    def describe(self) -> str:
        return f"the function {self.name} at {self.where} for vmap"

    def dependence(self, tracer: Tracer) -> str:
        return " The value is batched: it differs from one mapped example to the next."

    # -- control flow (called by axc.lax while this trace is on top) -----------------------
    def lax_cond(self, pred: Any, branches: Sequence[Callable], operands: tuple) -> Any:
        """``cond`` on a traced predicate (``branches`` are ``(false_fun, true_fun)``)."""
        return self._select_branches(pred, branches, operands, True)

    def lax_switch(self, index: Any, branches: Sequence[Callable], operands: tuple) -> Any:
        """``switch`` on a traced index (clamped: -1 picks branch 0)."""
        return self._select_branches(index, branches, operands, False)

    def _select_branches(self, which: Any, branches: Sequence[Callable], operands: tuple,
                         is_cond: bool) -> Any:
        """Every branch runs and each example takes its own branch's values (JAX's rule for
        a batched predicate). A concrete ``which`` returns ``NotImplemented``: the branch is
        chosen in Python."""
        if not isinstance(which, Tracer):
            return NotImplemented
        leaves, tree = flatten_arrays(operands)
        operands = tree_unflatten(tree, leaves)
        outs = [flatten_arrays(b(*operands)) for b in branches]
        if is_cond:  # branches are (false_fun, true_fun)
            check_branch_outputs("cond", "true_fun", "false_fun", branches[1], branches[0],
                                 outs[1], outs[0])
        for k in range(1, len(outs) if not is_cond else 0):
            check_branch_outputs("switch", "branch 0", f"branch{k}", branches[0], branches[k],
                                 outs[0], outs[k])
        if is_cond:  # a nonzero predicate is true
            index = ufuncs.not_equal(which, 0) if which.dtype != dtypes.bool_ else which
        else:  # an index out of range is clamped (so -1 picks branch 0, not the last)
            index = ufuncs.clip(which, 0, len(branches) - 1)
        sel = registry.get("select_n")
        leaves = []
        for parts in zip(*(o[0] for o in outs)):
            picked = sel.bind(index, *parts)
            leaves.append(convert(picked, parts[0].dtype, parts[0].weak_type))
        return tree_unflatten(outs[0][1], leaves)

    def lax_while_loop(self, cond_fun: Callable, body_fun: Callable, init_val: Any) -> Any:
        """Run the loop one level down on the whole batch while any example's predicate holds;
        an example whose predicate is false keeps its carry (JAX's batched while)."""
        init, tree = flatten_arrays(init_val)

        def lanes(carry: list) -> Array:
            pred = leaf_array(cond_fun(tree_unflatten(tree, [self.wrap(c, 0) for c in carry])))
            if pred.shape != () or pred.dtype != dtypes.bool_:
                check_pred(pred)  # raises JAX's error for a non-boolean-scalar
            return self.to_front(pred)

        def low_cond(carry: list) -> Array:
            with self.pushed():
                active = lanes(carry)
            return registry.get("reduce_or").bind(active, axes=(0,))

        def low_body(carry: list) -> list:
            with self.pushed():
                active = lanes(carry)
                out, _ = flatten_arrays(body_fun(tree_unflatten(
                    tree, [self.wrap(c, 0) for c in carry])))
                new = [self.to_front(o) for o in out]
            if len(new) != len(carry):
                return new  # the loop's own carry check reports the mismatch
            return [ufuncs.where(batch_util.expand_after_batch(active, n.ndim - 1), n, c)
                    for n, c in zip(new, carry)]

        start = [self.to_front(x) for x in init]
        with self.lowered():
            final = lax.while_loop(low_cond, low_body, start)
        return tree_unflatten(tree, [self.wrap(v, 0) for v in final])

    def lax_scan(self, f: Callable, init: Any, xs: Any, length: int | None, reverse: bool,
                 unroll: int) -> Any:
        """Scan one level down: the carry batched at axis 0, batched ``xs`` at axis 1 (axis 0
        is scanned), so the stacked outputs come back batched at axis 1."""
        carry, carry_tree = flatten_arrays(init)
        xs_raw, xs_tree = tree_flatten(xs)
        xs_low, x_dims = [], []
        for x in xs_raw:
            val, bdim = self.unwrap(leaf_array(x))
            if bdim is not None:
                with self.lowered():
                    val = batch_util.moveaxis(val, bdim, 1)
            xs_low.append(val)
            x_dims.append(None if bdim is None else 0)
        y_tree: list = []

        def low_f(c: list, x_slice: list) -> tuple[list, list]:
            with self.pushed():
                args = (tree_unflatten(carry_tree, [self.wrap(v, 0) for v in c]),
                        tree_unflatten(xs_tree, [self.wrap(v, d)
                                                 for v, d in zip(x_slice, x_dims)]))
                c_out, y = split_pair(f(*args))
                c_leaves, c_out_tree = flatten_arrays(c_out)
                if c_out_tree != carry_tree:
                    check_carry_type("scan body", f, carry, carry_tree, c_leaves,
                                         c_out_tree)
                y_leaves, tree = flatten_arrays(y)
                y_tree[:] = [tree]
                return [self.to_front(v) for v in c_leaves], [self.to_front(v) for v in y_leaves]

        start = [self.to_front(c) for c in carry]
        with self.lowered():
            c_final, ys = lax.scan(low_f, start, xs_low, length=length, reverse=reverse,
                                   unroll=unroll)
        return (tree_unflatten(carry_tree, [self.wrap(v, 0) for v in c_final]),
                tree_unflatten(y_tree[0], [self.wrap(v, 1) for v in ys]))

    def lax_fori_loop(self, lower: Any, upper: Any, body_fun: Callable, init_val: Any) -> Any:
        """A loop with a batched bound: a while loop over ``(i, val)``."""
        if not (isinstance(lower, Tracer) or isinstance(upper, Tracer)):
            return NotImplemented
        i0 = asarray(lower)
        i0 = convert(i0, np.result_type(i0.dtype, asarray(upper).dtype), False)

        def body(c: tuple) -> tuple:
            i, val = c
            return i + 1, body_fun(i, val)

        return self.lax_while_loop(lambda c: c[0] < upper, body, (i0, init_val))[1]
