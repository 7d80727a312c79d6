"""Control-flow primitives (``cond``, ``while``, ``scan``) and the staging of ``axc.lax``
control flow into them under ``jit``.

Their params hold *regions*: closed functions of the IR, seen here only through the
``Region`` protocol (this layer may not import the compiler). Operands follow JAX's layout:
the values the regions read from the enclosing function (captures, JAX's consts) come first.

Eagerly, ``lax_control`` runs Python control flow and never binds these primitives. Under
``jit`` the active interpreter offers ``control_flow()``, a ``Stager`` that traces Python
functions into regions and records an equation whose outputs keep their own weak types
(``Primitive.bind`` gives all outputs one weak type). ``cond``/``switch`` stage when their
predicate is traced; loops always stage, since a body may read traced values of the
enclosing function whatever the initial carry is. A loop whose operands are all concrete is
then evaluated at once by ``impl``, as the trace folds other primitives.

Batching rules stay PENDING: batching a region means running the batching transform over
the region's IR (a batched ``cond`` predicate becomes both branches and a ``select_n``; a
batched ``while`` predicate runs until every lane is done, freezing finished lanes), which
comes with ``vmap`` itself (issue 6), not with a per-primitive rule over arrays.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Protocol

import numpy as np

from ..runtime import dtypes
from ..runtime.abstract import ShapedArray
from ..runtime.array import Array, wrap
from ..runtime.pytree import tree_flatten, tree_unflatten
from . import elementwise as ew
from . import registry
from .lax_checks import (
    aval,
    aval_repr,
    check_branch_outputs,
    check_carry_type,
    flatten_arrays,
    leaf_array,
    promote_weak,
    typematch,
)
from .numpy.promote import convert
from .registry import Primitive

__all__ = ["cond_p", "scan_p", "split_pair", "staged_cond", "staged_fori", "staged_scan",
           "staged_switch", "staged_while", "stager_for", "while_p"]


class Region(Protocol):
    """A branch or loop body: a closed function of the IR (``compiler.ir.Function``)."""

    in_avals: list[ShapedArray]
    out_avals: list[ShapedArray]

    def __call__(self, *bufs: np.ndarray) -> list[np.ndarray]: ...


class Stager(Protocol):
    """What ``kernels`` asks of a staging interpreter (``compiler.ir.regions``).

    ``regions(specs)`` traces each ``(fun, in_avals, user_fun)``, where ``fun(tracers)``
    returns ``(flat results, extra)``; it returns the regions, each ``extra``, and the outer
    values the regions read (shared by them: the leading parameters of each). ``bind``
    records an equation, or evaluates it at once when every operand is concrete.
    """

    def is_traced(self, x: Any) -> bool: ...

    def regions(self, specs: Sequence[tuple[Callable, Sequence[ShapedArray], Callable]]
                ) -> tuple[list[Region], list[Any], list[Array]]: ...

    def bind(self, prim: Primitive, operands: Sequence[Array], params: dict) -> list[Array]: ...


def _check_operands(what: str, avals: Sequence[ShapedArray],
                    params: Sequence[ShapedArray]) -> None:
    if len(avals) != len(params) or not all(map(typematch, avals, params)):
        raise TypeError(f"{what} takes ({', '.join(map(str, params))}), got operands of types "
                        f"({', '.join(map(str, avals))})")


def _row(length: int, y: ShapedArray) -> ShapedArray:
    return ShapedArray((length, *y.shape), y.dtype, y.weak_type)


# --- cond: index, *consts, *operands ---------------------------------------------------------

def _cond_rule(index: ShapedArray, *args: ShapedArray, branches: tuple[Region, ...]
               ) -> tuple[ShapedArray, ...]:
    if index.shape != () or index.dtype != np.int32:
        raise TypeError(f"cond index must be an int32 scalar, got {index.str_short()}")
    out = branches[0].out_avals
    for b in branches:
        _check_operands("cond branch", args, b.in_avals)
        if len(b.out_avals) != len(out) or not all(map(typematch, b.out_avals, out)):
            raise TypeError("cond branches must have equal output types")
    return tuple(out)  # branch 0's weak types, as JAX's cond_p


def _cond(index: np.ndarray, *args: np.ndarray, branches: tuple[Region, ...]) -> tuple:
    i = min(max(int(index), 0), len(branches) - 1)
    return tuple(branches[i](*args))


cond_p = Primitive("cond", impl=_cond, abstract_eval=_cond_rule, multiple_results=True,
                   family="control")


# --- while: *cond_consts, *body_consts, *carry ----------------------------------------------

def _while_rule(*args: ShapedArray, cond_region: Region, body: Region, cond_nconsts: int,
                body_nconsts: int) -> tuple[ShapedArray, ...]:
    carry = args[cond_nconsts + body_nconsts:]
    _check_operands("while cond_region", args[:cond_nconsts] + carry, cond_region.in_avals)
    _check_operands("while body", args[cond_nconsts:], body.in_avals)
    pred = cond_region.out_avals
    if len(pred) != 1 or pred[0].shape != () or pred[0].dtype != np.bool_:
        raise TypeError(f"while cond_region must return a boolean scalar, got {pred}")
    _check_operands("while body output", body.out_avals, carry)
    return tuple(body.out_avals)


def _while(*args: np.ndarray, cond_region: Region, body: Region, cond_nconsts: int,
           body_nconsts: int) -> tuple:
    cond_consts = args[:cond_nconsts]
    body_consts = args[cond_nconsts:cond_nconsts + body_nconsts]
    carry = args[cond_nconsts + body_nconsts:]
    while cond_region(*cond_consts, *carry)[0]:
        carry = body(*body_consts, *carry)
    return tuple(carry)


while_p = Primitive("while", impl=_while, abstract_eval=_while_rule, multiple_results=True,
                    family="control")


# --- scan: *consts, *carry, *xs -> *carry, *ys -----------------------------------------------

def _scan_rule(*args: ShapedArray, body: Region, length: int, reverse: bool, unroll: int,
               num_consts: int, num_carry: int) -> tuple[ShapedArray, ...]:
    xs = args[num_consts + num_carry:]
    if any(x.ndim == 0 or x.shape[0] != length for x in xs):
        raise TypeError(f"scan of length {length} got xs of types {[str(x) for x in xs]}")
    x_avals = [ShapedArray(x.shape[1:], x.dtype, x.weak_type) for x in xs]
    _check_operands("scan body", [*args[:num_consts + num_carry], *x_avals], body.in_avals)
    carry, ys = body.out_avals[:num_carry], body.out_avals[num_carry:]
    _check_operands("scan body output", carry, args[num_consts:num_consts + num_carry])
    return (*carry, *[_row(length, y) for y in ys])


def _scan(*args: np.ndarray, body: Region, length: int, reverse: bool, unroll: int,
          num_consts: int, num_carry: int) -> tuple:
    consts = args[:num_consts]
    carry = args[num_consts:num_consts + num_carry]
    xs = args[num_consts + num_carry:]
    ys = [np.empty(_row(length, y).shape, y.dtype) for y in body.out_avals[num_carry:]]
    for i in (range(length - 1, -1, -1) if reverse else range(length)):
        out = body(*consts, *carry, *[x[i] for x in xs])
        carry = out[:num_carry]
        for stacked, y in zip(ys, out[num_carry:]):
            stacked[i] = y
    return (*carry, *ys)


scan_p = Primitive("scan", impl=_scan, abstract_eval=_scan_rule, multiple_results=True,
                   family="control")


# --- staging lax control flow -----------------------------------------------------------------

def interpreter_rule(name: str) -> Callable | None:
    """The active interpreter's own version of a control operator (``vmap``'s batching
    interpreter has ``lax_cond``, ``lax_while_loop``, ...), or None. It may return
    ``NotImplemented`` to leave the call to the usual path."""
    if not registry._INTERPRETERS:
        return None
    return getattr(registry._INTERPRETERS[-1], name, None)


def stager_for(*values: Any) -> Stager | None:
    """The active interpreter's stager when control flow should be staged: under ``jit``,
    and, when ``values`` (a predicate, an index, loop bounds) are given, one is traced."""
    if not registry._INTERPRETERS:
        return None
    make = getattr(registry._INTERPRETERS[-1], "control_flow", None)
    if make is None:
        return None
    stager = make()
    if values and not any(stager.is_traced(v) for v in values):
        return None
    return stager


def _flat(fun: Callable, in_tree: Any, spread: bool = False) -> Callable:
    """``fun`` on flat tracers -> (flat results, their structure). The tracers rebuilt as
    ``in_tree`` are one argument, or with ``spread`` a tuple of positional arguments."""
    def run(tracers: list) -> tuple[list[Array], Any]:
        args = tree_unflatten(in_tree, tracers)
        return flatten_arrays(fun(*args) if spread else fun(args))
    return run


def _branches(stager: Stager, api: str, index: Array, branches: Sequence[Callable],
              names: Sequence[str], operands: tuple, order: Sequence[int]) -> Any:
    """Stage the ``branches`` (traced in ``order``) as one ``cond`` on ``index``."""
    ops, ops_tree = flatten_arrays(operands)
    avals = [aval(x) for x in ops]
    specs = [(_flat(branches[k], ops_tree, spread=True), avals, branches[k]) for k in order]
    traced, trees, consts = stager.regions(specs)
    regions = [traced[order.index(k)] for k in range(len(branches))]
    outs = [(regions[k].out_avals, trees[order.index(k)]) for k in range(len(branches))]
    first = order[0]
    for k in order[1:]:
        check_branch_outputs(api, names[first], names[k], branches[first], branches[k],
                             outs[first], outs[k])
    result = stager.bind(cond_p, [index, *consts, *ops], {"branches": tuple(regions)})
    return tree_unflatten(outs[first][1], result)


def staged_cond(stager: Stager, pred: Array, true_fun: Callable, false_fun: Callable,
                operands: tuple) -> Any:
    """``lax.cond`` on a traced predicate: a ``cond`` with branches (false_fun, true_fun)."""
    if pred.dtype.kind != "b":
        pred = pred != 0  # JAX: a number is true when non-zero
    index = convert(pred, np.dtype(np.int32))
    return _branches(stager, "cond", index, [false_fun, true_fun], ["false_fun", "true_fun"],
                     operands, order=[1, 0])


def staged_switch(stager: Stager, index: Array, branches: Sequence[Callable],
                  operands: tuple) -> Any:
    """``lax.switch`` on a traced index, clamped into range as JAX does."""
    index = convert(leaf_array(index), np.dtype(np.int32))
    lo, hi = wrap(np.int32(0)), wrap(np.int32(len(branches) - 1))
    index = ew.clamp_p.bind(lo, index, hi)
    names = ["branch 0"] + [f"branch{k}" for k in range(1, len(branches))]
    return _branches(stager, "switch", index, branches, names, operands,
                     order=list(range(len(branches))))


def _check_cond_fun(tree: Any, out: list[ShapedArray]) -> None:
    if tree.num_nodes != 1 or len(out) != 1:
        raise TypeError(f"cond_fun must return a boolean scalar, but got pytree {tree}.")
    if out[0].shape != () or out[0].dtype != np.bool_:
        raise TypeError(f"cond_fun must return a boolean scalar, but got output type(s) "
                        f"[{aval_repr(out[0])}].")


def staged_while(stager: Stager, cond_fun: Callable, body_fun: Callable, init_val: Any) -> Any:
    """``lax.while_loop`` as a ``while``: JAX's two-pass typing of weak initial carries."""
    init, tree = flatten_arrays(init_val)

    def create(init: list[Array]) -> tuple:
        avals = [aval(x) for x in init]
        (cond_region,), (cond_tree,), cond_consts = stager.regions(
            [(_flat(cond_fun, tree), avals, cond_fun)])
        (body,), (body_tree,), body_consts = stager.regions(
            [(_flat(body_fun, tree), avals, body_fun)])
        _check_cond_fun(cond_tree, cond_region.out_avals)
        return cond_region, cond_consts, body, body_tree, body_consts

    cond_region, cond_consts, body, body_tree, body_consts = create(init)
    name = "while_loop body"
    if len(body.out_avals) != len(init):
        check_carry_type(name, body_fun, init, tree, body.out_avals, body_tree)
    init, changed = promote_weak(init, body.out_avals)
    if changed:
        cond_region, cond_consts, body, body_tree, body_consts = create(init)
    check_carry_type(name, body_fun, init, tree, body.out_avals, body_tree)
    outs = stager.bind(while_p, [*cond_consts, *body_consts, *init],
                       {"cond_nconsts": len(cond_consts), "body_nconsts": len(body_consts),
                        "cond_region": cond_region, "body": body})
    return tree_unflatten(body_tree, outs)


def split_pair(out: Any) -> tuple[Any, Any]:
    """A scan body's ``(carry, y)``, with JAX's error for anything else."""
    if isinstance(out, (tuple, list)) and len(out) == 2:
        return out[0], out[1]
    leaves, treedef = tree_flatten(out)
    if treedef.num_nodes == 1 and leaves:
        shown = "~" * leaf_array(leaves[0]).weak_type + aval(leaf_array(leaves[0])).str_short()
    else:
        shown = str(tree_unflatten(treedef, [aval_repr(aval(leaf_array(x)))
                                             for x in leaves])).replace("'", "")
    raise TypeError(f"scan body output must be a pair, got {shown}.")


def staged_scan(stager: Stager, f: Callable, init: Any, xs: list[Array], xs_tree: Any,
                length: int, reverse: bool, unroll: int) -> tuple[Any, Any]:
    """``lax.scan`` as a ``scan``: JAX's two-pass typing of weak initial carries."""
    carry, carry_tree = flatten_arrays(init)
    x_avals = [ShapedArray(tuple(x.shape[1:]), x.dtype, x.weak_type) for x in xs]

    def create(carry: list[Array]) -> tuple:
        n_in = len(carry)

        def body_fun(tracers: list) -> tuple[list[Array], tuple]:
            c = tree_unflatten(carry_tree, tracers[:n_in])
            c_out, y = split_pair(f(c, tree_unflatten(xs_tree, tracers[n_in:])))
            c_leaves, c_tree = flatten_arrays(c_out)
            y_leaves, y_tree = flatten_arrays(y)
            return c_leaves + y_leaves, (len(c_leaves), c_tree, y_tree)

        (body,), (trees,), consts = stager.regions(
            [(body_fun, [aval(c) for c in carry] + x_avals, f)])
        return body, trees, consts

    body, (n, c_tree, y_tree), consts = create(carry)
    if n != len(carry):
        check_carry_type("scan body", f, carry, carry_tree, body.out_avals[:n], c_tree)
    carry, changed = promote_weak(carry, body.out_avals[:n])
    if changed:
        body, (n, c_tree, y_tree), consts = create(carry)
    check_carry_type("scan body", f, carry, carry_tree, body.out_avals[:n], c_tree)
    outs = stager.bind(scan_p, [*consts, *carry, *xs],
                       {"length": length, "reverse": reverse, "unroll": unroll,
                        "num_consts": len(consts), "num_carry": n, "body": body})
    return tree_unflatten(c_tree, outs[:n]), tree_unflatten(y_tree, outs[n:])


def staged_fori(stager: Stager, lower: Any, upper: Any, dtype: np.dtype, body_fun: Callable,
                init_val: Any, unroll: Any) -> Any:
    """``lax.fori_loop`` with a traced bound: a ``while`` over ``(i, upper, val)``."""
    if unroll is not None and unroll is not False and unroll != 1:
        raise ValueError("Can only use `unroll` in `fori_loop` if the loop bounds are "
                         "statically known.")
    # JAX converts only a bound whose own dtype differs: a Python int stays weak.
    lower, upper = (b if dtypes.dtype(b, canonicalize=True) == dtype
                    else convert(leaf_array(b), dtype) for b in (lower, upper))

    def fori_cond(loop_carry: tuple) -> Array:
        i, stop, _ = loop_carry
        return i < stop

    def while_body_fun(loop_carry: tuple) -> tuple:
        i, stop, x = loop_carry
        return i + 1, stop, body_fun(i, x)

    _, _, result = staged_while(stager, fori_cond, while_body_fun, (lower, upper, init_val))
    return result
