"""The reverse-mode public API: ``grad``, ``value_and_grad`` and ``vjp``.

``grad(f)`` reads ``f``'s source and generates one readable function, primal then adjoint,
whose text is ``grad(f).source``; calls convert the differentiated arguments to arrays and
check them as JAX does.
"""
from __future__ import annotations

import copy
import functools
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from ...kernels.numpy.promote import asarray
from ...runtime.array import Array
from ...runtime.pytree import tree_flatten, tree_map
from ..frontend.gast_compat import gast
from ..frontend.source import parse_function
from . import support
from .callees import source_function
from .emit import compile_function
from .namespace import name_node
from .reverse import ReverseGen, _assign, _function, comment, pair_for


def _argnums_tuple(argnums: int | Sequence[int]) -> tuple[int, ...]:
    if isinstance(argnums, int):
        return (argnums,)
    return tuple(argnums)


def _positional_params(fn: Callable) -> list[str]:
    node = parse_function(source_function(fn)).node
    return [a.id for a in list(node.args.posonlyargs) + list(node.args.args)]


def _check_argnums(fn: Callable, argnums: tuple[int, ...], nargs: int | None) -> None:
    params = _positional_params(fn)
    limit = len(params) if nargs is None else nargs
    for i in argnums:
        if not -limit <= i < limit:
            raise ValueError(f"differentiating with respect to argnums={argnums} requires at "
                             f"least {max(argnums) + 1} positional arguments to be passed by "
                             f"the caller, but got only {limit} positional arguments.")


def _check_input(x: Any, allow_int: bool, what: str) -> Any:
    def check(leaf: Any) -> Any:
        a = leaf if isinstance(leaf, Array) else asarray(leaf)
        if a.dtype.kind not in "fcV" and not allow_int:
            raise TypeError(f"{what} requires real- or complex-valued inputs (input dtype that "
                            f"is a sub-dtype of np.inexact), but got {a.dtype.name}. If you "
                            f"want to use Boolean- or integer-valued inputs, use vjp or set "
                            f"allow_int to True.")
        return a
    return tree_map(check, x)


class GradFunction:
    """``grad(f)`` / ``value_and_grad(f)``: callable, with the generated ``source``."""

    def __init__(self, fn: Callable, argnums: int | Sequence[int], has_aux: bool,
                 allow_int: bool, with_value: bool) -> None:
        self.fn = fn
        self.argnums = argnums
        self.has_aux = has_aux
        self.allow_int = allow_int
        self.with_value = with_value
        self._generated: Callable | None = None
        functools.update_wrapper(self, fn, updated=())

    @property
    def generated(self) -> Callable:
        if self._generated is None:
            self._generated = _generate_grad(self.fn, _argnums_tuple(self.argnums),
                                             self.has_aux, self.with_value,
                                             isinstance(self.argnums, int))
        return self._generated

    @property
    def __axc_function__(self) -> Callable:
        """What other transforms differentiate: the generated function (checks are skipped:
        inside another transform the arguments are already arrays)."""
        return self.generated

    @property
    def source(self) -> str:
        """The generated Python source of this gradient."""
        return self.generated.source

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        nums = _argnums_tuple(self.argnums)
        _check_argnums(self.fn, nums, len(args))
        what = "value_and_grad" if self.with_value else "grad"
        args = list(args)
        for i in nums:
            args[i] = _check_input(args[i], self.allow_int, what)
        return self.generated(*args, **kwargs)


def _generate_grad(fn: Callable, argnums: tuple[int, ...], has_aux: bool, with_value: bool,
                   single: bool) -> Callable:
    parsed = parse_function(source_function(fn))
    params = [a.id for a in list(parsed.node.args.posonlyargs) + list(parsed.node.args.args)]
    names = [params[i] for i in argnums]
    gen = ReverseGen(parsed, frozenset(names))
    body = list(gen.primal)
    ret = copy.deepcopy(gen.ret)
    if isinstance(ret, gast.Name) and ret.id in gen.multi:
        # the adjoint pass restores overwritten variables: keep the result first
        value_name = gen._fresh("value")
        body.append(_assign(value_name, ret))
        ret = name_node(value_name)
    out = ret
    if has_aux:
        out = gast.Subscript(value=ret, slice=gast.Constant(value=0, kind=None), ctx=gast.Load())
    body.append(gast.Expr(value=gast.Call(func=gen.ns.ad("check_scalar_output"), args=[out],
                                          keywords=[])))
    if gen.out_active:
        seed = gast.Call(func=gen.ns.ad("aux_seed" if has_aux else "ones_like"), args=[ret],
                         keywords=[])
        body += [comment("the adjoint pass"), _assign(gen.adj_out_name, seed)]
        body += gen.adjoint
    grads = [gast.Call(func=gen.ns.ad("materialize"), args=[gen._final(n, False),
                                                             name_node(n)],
                       keywords=[]) for n in names]
    result = grads[0] if single else gast.Tuple(elts=grads, ctx=gast.Load())
    if with_value:
        value = ret if not has_aux else gast.Tuple(elts=[
            out, gast.Subscript(value=copy.deepcopy(ret), slice=gast.Constant(value=1, kind=None),
                                ctx=gast.Load())], ctx=gast.Load())
        result = gast.Tuple(elts=[value, result], ctx=gast.Load())
    elif has_aux:
        aux = gast.Subscript(value=copy.deepcopy(ret), slice=gast.Constant(value=1, kind=None),
                             ctx=gast.Load())
        result = gast.Tuple(elts=[result, aux], ctx=gast.Load())
    body.append(gast.Return(value=result))
    prefix = "value_and_grad" if with_value else "grad"
    node = _function(f"{prefix}_{_identifier(parsed.name)}", copy.deepcopy(parsed.node.args),
                     body)
    return compile_function(node, gen.ns.globals, f"{prefix}({parsed.qualname})")


def _identifier(name: str) -> str:
    return name if name.isidentifier() else "fn"


def grad(fun: Callable, argnums: int | Sequence[int] = 0, has_aux: bool = False,
         holomorphic: bool = False, allow_int: bool = False,
         reduce_axes: Sequence = ()) -> GradFunction:
    """The gradient of the scalar function ``fun`` with respect to argument(s) ``argnums``.

    Parameters
    ----------
    fun : callable
        A Python function (its source is read) returning a scalar (or ``(scalar, aux)`` with
        ``has_aux``).
    argnums : int or sequence of int
        Which positional arguments to differentiate; a sequence gives a tuple of gradients.
    has_aux : bool
        ``fun`` returns a pair whose second element is passed through.
    allow_int : bool
        Accept integer inputs (their gradient is zero).

    Returns
    -------
    GradFunction
        Callable like ``fun``; ``.source`` is the generated Python.
    """
    return GradFunction(fun, argnums, has_aux, allow_int, with_value=False)


def value_and_grad(fun: Callable, argnums: int | Sequence[int] = 0, has_aux: bool = False,
                   holomorphic: bool = False, allow_int: bool = False,
                   reduce_axes: Sequence = ()) -> GradFunction:
    """Like ``grad`` but the call returns ``(value, gradient)`` (``((value, aux), grad)``
    with ``has_aux``)."""
    return GradFunction(fun, argnums, has_aux, allow_int, with_value=True)


def vjp(fun: Callable, *primals: Any, has_aux: bool = False) -> tuple:
    """``(fun(*primals), vjp_fn)``: ``vjp_fn(cotangent)`` gives one cotangent per primal.

    With ``has_aux``, ``fun`` returns ``(out, aux)`` and the result is
    ``(out, vjp_fn, aux)``.
    """
    params = _positional_params(fun)
    if len(primals) > len(params):
        raise TypeError(f"{getattr(fun, '__name__', fun)} takes {len(params)} positional "
                        f"arguments but vjp got {len(primals)} primals")
    names = frozenset(params[: len(primals)])
    primals = tuple(tree_map(lambda a: a if isinstance(a, Array) else asarray(a), p)
                    for p in primals)
    pair = pair_for(source_function(fun), names)
    if not pair.out_active:
        out = fun(*primals)
        saved = None
    else:
        out, saved = pair.fwd(*primals)
    value, aux = (out[0], out[1]) if has_aux else (out, None)

    def vjp_fn(ct: Any) -> tuple:
        _check_cotangent(ct, value)
        if saved is None:
            return tuple(support.tree_map_like(p) for p in primals)
        seed = (ct, None) if has_aux else ct
        # The adjoint pass pops its tapes: each call gets its own copy (JAX's vjp_fn may be
        # called many times, as jacrev does).
        cts = dict(zip(pair.active_params, pair.bwd(support.copy_tapes(saved), seed)))
        return tuple(support.materialize(cts.get(n), p) for n, p in zip(params, primals))

    return (value, vjp_fn, aux) if has_aux else (value, vjp_fn)


def _check_cotangent(ct: Any, out: Any) -> None:
    ct_leaves, ct_tree = tree_flatten(ct)
    out_leaves, out_tree = tree_flatten(out)
    if ct_tree != out_tree:
        raise ValueError(f"Expected pytree structure of cotangent to match that of the "
                         f"primal output: got {ct_tree} and {out_tree}.")
    for c, o in zip(ct_leaves, out_leaves):
        if np.shape(c) != np.shape(o):
            raise ValueError(f"Expected cotangent to have shape {np.shape(o)}, got shape "
                             f"{np.shape(c)}.")


__all__ = ["GradFunction", "grad", "value_and_grad", "vjp"]
