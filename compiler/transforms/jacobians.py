"""Forward-mode products and Jacobians: ``jvp``, ``linearize``, ``jacfwd``, ``jacrev``,
``jacobian``, ``hessian``.

``jvp`` uses the transposition identity ``J t = vjp(u -> vjp(f)(u))(t)``: the generated
adjoint function is linear in its cotangent, so differentiating it in reverse mode once more
gives Jacobian-vector products exactly, for every function the reverse transform handles.
(A dedicated forward-mode source transform is the planned cheaper path.) Jacobians loop over
basis vectors until ``vmap`` can batch them.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from ...kernels.numpy.joining import stack
from ...kernels.numpy.promote import asarray
from ...runtime.array import Array
from ...runtime.pytree import tree_flatten, tree_map, tree_unflatten
from . import support
from .api import _argnums_tuple, _check_input, _positional_params, vjp
from .callees import source_function
from .reverse import pair_for


def _as_arrays(tree: Any) -> Any:
    return tree_map(lambda a: a if isinstance(a, Array) else asarray(a), tree)


def _check_tangents(primals: tuple, tangents: tuple) -> None:
    if len(primals) != len(tangents):
        raise TypeError(f"jvp primal and tangent arguments must be tuples or lists with the "
                        f"same length; got {len(primals)} and {len(tangents)}.")
    for p, t in zip(tree_flatten(primals)[0], tree_flatten(tangents)[0]):
        if np.shape(p) != np.shape(t):
            raise ValueError(f"jvp called with different primal and tangent shapes; got "
                             f"primal shape {np.shape(p)} and tangent shape {np.shape(t)}")


def jvp(fun: Callable, primals: Sequence, tangents: Sequence, has_aux: bool = False) -> tuple:
    """``(fun(*primals), J @ tangents)``: the Jacobian-vector product (forward mode).

    Parameters
    ----------
    fun : callable
        A Python function of ``len(primals)`` positional arguments.
    primals, tangents : tuple or list
        Points and tangent vectors, pytrees of the same structure.
    """
    if not isinstance(primals, (tuple, list)) or not isinstance(tangents, (tuple, list)):
        raise TypeError("primal and tangent arguments to jax.jvp must be tuples or lists; "
                        f"found {type(primals).__name__} and {type(tangents).__name__}.")
    primals, tangents = tuple(_as_arrays(primals)), tuple(_as_arrays(tangents))
    _check_tangents(primals, tangents)
    params = _positional_params(fun)[: len(primals)]
    pair = pair_for(source_function(fun), frozenset(params))
    if not pair.out_active:
        out = fun(*primals)
        value = out[0] if has_aux else out
        zero = tree_map(support.zeros_like, value)
        return (value, zero, out[1]) if has_aux else (value, zero)
    out, saved = pair.fwd(*primals)
    value = out[0] if has_aux else out
    # The adjoint is linear in its cotangent: its own adjoint maps input tangents to J t.
    dout = _positional_params(pair.bwd)[1]
    transpose = pair_for(pair.bwd, frozenset({dout}))
    seed = tree_map(support.zeros_like, value)
    _, tsaved = transpose.fwd(saved, (seed, None) if has_aux else seed)
    by_name = dict(zip(params, tangents))
    (t_out,) = transpose.bwd(tsaved, tuple(by_name[p] for p in pair.active_params))
    t_out = support.materialize(t_out[0] if has_aux else t_out, value)
    return (value, t_out, out[1]) if has_aux else (value, t_out)


def linearize(fun: Callable, *primals: Any) -> tuple:
    """``(fun(*primals), f_jvp)`` where ``f_jvp(*tangents)`` is the JVP at ``primals``."""
    primals = tuple(_as_arrays(primals))
    out = fun(*primals)

    def f_jvp(*tangents: Any) -> Any:
        return jvp(fun, primals, tangents)[1]

    return out, f_jvp


def _basis(x: Array) -> list:
    n = int(np.prod(x.shape))
    eye = np.eye(n, dtype=x.dtype).reshape((n,) + x.shape)
    return [asarray(e) for e in eye]


def jacrev(fun: Callable, argnums: int | Sequence[int] = 0, has_aux: bool = False,
           holomorphic: bool = False, allow_int: bool = False) -> Callable:
    """The Jacobian of ``fun`` by reverse mode: one VJP per output element."""
    nums = _argnums_tuple(argnums)

    def jac(*args: Any) -> Any:
        args = list(args)
        for i in nums:
            args[i] = _check_input(args[i], allow_int, "jacrev")
        res = vjp(_select(fun, nums, args), *[args[i] for i in nums], has_aux=has_aux)
        out, pullback = res[0], res[1]
        rows = [pullback(e) for e in _basis(asarray(out))]
        jacs = tuple(_stack_rows([r[k] for r in rows], np.shape(out)) for k in range(len(nums)))
        result = jacs[0] if isinstance(argnums, int) else jacs
        return (result, res[2]) if has_aux else result

    return _opaque(jac)


def jacfwd(fun: Callable, argnums: int | Sequence[int] = 0, has_aux: bool = False,
           holomorphic: bool = False) -> Callable:
    """The Jacobian of ``fun`` by forward mode: one JVP per input element."""
    nums = _argnums_tuple(argnums)

    def jac(*args: Any) -> Any:
        args = [_as_arrays(a) for a in args]
        jacs, aux = [], None
        for k, i in enumerate(nums):
            f = _select(fun, (i,), args)
            cols = []
            for e in _basis(args[i]):
                res = jvp(f, (args[i],), (e,), has_aux=has_aux)
                cols.append(res[1])
                aux = res[2] if has_aux else None
            out_shape = np.shape(res[0])
            col = stack(cols, axis=-1)
            jacs.append(col.reshape(out_shape + np.shape(args[i])))
        result = jacs[0] if isinstance(argnums, int) else tuple(jacs)
        return (result, aux) if has_aux else result

    return _opaque(jac)


jacobian = jacrev


def hessian(fun: Callable, argnums: int | Sequence[int] = 0, has_aux: bool = False,
            holomorphic: bool = False) -> Callable:
    """The Hessian of a scalar function: the Jacobian of its gradient (reverse over
    reverse: ``grad(fun)`` is generated source, which ``jacrev`` differentiates again)."""
    if has_aux:
        raise NotImplementedError("axc.hessian(..., has_aux=True) is not supported yet")
    from .api import grad
    return jacrev(grad(fun, argnums), argnums)


def _opaque(fn: Callable) -> Callable:
    """Jacobian closures are not source another transform can read yet: refuse loudly
    rather than differentiate them wrongly."""
    fn.__axc_ad__ = "opaque"
    return fn


def _select(fun: Callable, nums: tuple, args: list) -> Callable:
    """``fun`` as a function of the arguments ``nums`` only (the others fixed)."""
    if list(nums) == list(range(len(nums))) and len(nums) == len(args):
        return fun

    def selected(*chosen: Any) -> Any:
        full = list(args)
        for i, c in zip(nums, chosen):
            full[i] = c
        return fun(*full)

    return selected


def _stack_rows(rows: list, out_shape: tuple) -> Any:
    leaves0, tree = tree_flatten(rows[0])
    per_leaf = [stack([tree_flatten(r)[0][j] for r in rows]) for j in range(len(leaves0))]
    shaped = [p.reshape(out_shape + p.shape[1:]) for p in per_leaf]
    return tree_unflatten(tree, shaped)
