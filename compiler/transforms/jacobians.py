"""Forward-mode products and Jacobians: ``jvp``, ``linearize``, ``jacfwd``, ``jacrev``,
``jacobian``, ``hessian``.

``jvp`` uses the transposition identity ``J t = vjp(u -> vjp(f)(u))(t)``: the generated
adjoint function is linear in its cotangent, so differentiating it in reverse mode once more
gives Jacobian-vector products exactly, for every function the reverse transform handles.
(A dedicated forward-mode source transform is the planned cheaper path.) Jacobians loop over
basis vectors in one ``vmap``-batched call.

``jacrev(f)``/``jacfwd(f)`` are ``JacobianFunction`` s: calling one computes the Jacobian
directly; other transforms read its generated source (``jacrev_f``: a loop of calls of a
generated ``vjp_f``), so Jacobians nest (``jacfwd(jacrev(f))``, ``grad`` of a Jacobian).
"""
from __future__ import annotations

import functools
import inspect
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from ...kernels.numpy.manipulation import reshape as _reshape
from ...kernels.numpy.manipulation import transpose as _transpose
from ...kernels.numpy.promote import asarray
from ...runtime.array import Array
from ...runtime.pytree import tree_flatten, tree_map
from . import support
from .api import _argnums_tuple, _check_input, _positional_params, vjp
from .callees import source_function
from .emit import compile_text
from .namespace import fresh_name
from .reverse import pair_for
from .vmap import vmap


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


def _basis(x: Array) -> Array:
    """The standard basis of ``x``'s space, stacked: ``(x.size,) + x.shape``."""
    n = int(np.prod(x.shape))
    return asarray(np.eye(n, dtype=x.dtype).reshape((n,) + x.shape))


def jacrev(fun: Callable, argnums: int | Sequence[int] = 0, has_aux: bool = False,
           holomorphic: bool = False, allow_int: bool = False) -> JacobianFunction:
    """The Jacobian of ``fun`` by reverse mode: one VJP per output element.

    Returns
    -------
    JacobianFunction
        Callable like ``fun``; other transforms differentiate its generated ``source``.
    """
    return JacobianFunction(fun, argnums, has_aux, allow_int, "jacrev")


def jacfwd(fun: Callable, argnums: int | Sequence[int] = 0, has_aux: bool = False,
           holomorphic: bool = False) -> JacobianFunction:
    """The Jacobian of ``fun`` by forward mode: one JVP per input element.

    Returns
    -------
    JacobianFunction
        Callable like ``fun``; other transforms differentiate its generated ``source``.
    """
    return JacobianFunction(fun, argnums, has_aux, False, "jacfwd")


jacobian = jacrev


def hessian(fun: Callable, argnums: int | Sequence[int] = 0, has_aux: bool = False,
            holomorphic: bool = False) -> JacobianFunction:
    """The Hessian of a scalar function: the Jacobian of its gradient (reverse over
    reverse: ``grad(fun)`` is generated source, which ``jacrev`` differentiates again)."""
    if has_aux:
        raise NotImplementedError("axc.hessian(..., has_aux=True) is not supported yet")
    from .api import grad
    return jacrev(grad(fun, argnums), argnums)


class JacobianFunction:
    """``jacrev(f)`` / ``jacfwd(f)``. A call computes the Jacobian directly (one forward
    pass, then one pullback per row; or one JVP per column); other transforms differentiate
    the generated ``source`` instead, which loops over the same products as calls of
    generated functions (``jacfwd(jacrev(f))``, ``grad`` of a Jacobian)."""

    def __init__(self, fun: Callable, argnums: int | Sequence[int], has_aux: bool,
                 allow_int: bool, mode: str) -> None:
        self.fun = fun
        self.argnums = argnums
        self.has_aux = has_aux
        self.allow_int = allow_int
        self.mode = mode
        self._generated: Callable | None = None
        functools.update_wrapper(self, fun, updated=())

    def __call__(self, *args: Any) -> Any:
        if self.mode == "jacrev":
            return _jacrev_call(self.fun, self.argnums, self.has_aux, self.allow_int, args)
        return _jacfwd_call(self.fun, self.argnums, self.has_aux, args)

    @property
    def generated(self) -> Callable:
        if self._generated is None:
            if self.has_aux or not isinstance(self.argnums, int):
                raise NotImplementedError(
                    f"axc cannot yet transform {self.mode}(..., has_aux=True) or {self.mode} "
                    f"with a tuple of argnums again")
            self._generated = _generate(self.fun, self.argnums, self.mode)
        return self._generated

    @property
    def __axc_function__(self) -> Callable:
        """What other transforms differentiate: the generated Jacobian function."""
        return self.generated

    @property
    def source(self) -> str:
        """The generated Python source of this Jacobian."""
        return self.generated.source


def _jacrev_call(fun: Callable, argnums: Any, has_aux: bool, allow_int: bool,
                 args: tuple) -> Any:
    nums = _argnums_tuple(argnums)
    args = list(args)
    for i in nums:
        args[i] = _check_input(args[i], allow_int, "jacrev")
    res = vjp(_select(fun, nums, args), *[args[i] for i in nums], has_aux=has_aux)
    out, pullback = res[0], res[1]
    rows = vmap(pullback)(_basis(asarray(out)))  # one batched pullback: a row per example
    jacs = tuple(tree_map(lambda r: r.reshape(np.shape(out) + r.shape[1:]), rows[k])
                 for k in range(len(nums)))
    result = jacs[0] if isinstance(argnums, int) else jacs
    return (result, res[2]) if has_aux else result


def _jacfwd_call(fun: Callable, argnums: Any, has_aux: bool, args: tuple) -> Any:
    nums = _argnums_tuple(argnums)
    args = [_as_arrays(a) for a in args]
    jacs, aux = [], None
    for i in nums:
        f = _select(fun, (i,), args)
        x = args[i]
        # One batched JVP: the tangents are the basis of x's space, a column per example.
        value, cols, *rest = vmap(lambda e, f=f, x=x: jvp(f, (x,), (e,), has_aux=has_aux),
                                  out_axes=(None, -1) + ((None,) if has_aux else ()))(
            _basis(x))
        aux = rest[0] if has_aux else None
        jacs.append(cols.reshape(np.shape(value) + np.shape(x)))
    result = jacs[0] if isinstance(argnums, int) else tuple(jacs)
    return (result, aux) if has_aux else result


# --- generated source -----------------------------------------------------------------------

def _generate(fun: Callable, argnum: int, mode: str) -> Callable:
    """``jacrev_f``/``jacfwd_f``: the Jacobian as a loop over generated VJPs (one per output
    element) or JVPs (one per input element, by transposing the adjoint)."""
    target = source_function(fun)
    sig = inspect.signature(target)
    if any(p.kind not in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)
           for p in sig.parameters.values()):
        raise NotImplementedError(f"axc cannot yet transform {mode} of a function with "
                                  f"*args, keyword-only or **kwargs parameters again")
    params = list(sig.parameters)
    x = params[argnum]
    ns = _Names(params)
    name = ns.bind(fun, _identifier(getattr(target, "__name__", "f")))
    args = ", ".join(params)
    signature = ", ".join(_with_defaults(sig, ns))
    product = _product(target, x, params, mode, name, ns)
    ad, np_, reshape = ns.bind(support, "ad"), ns.bind(np, "np"), ns.bind(_reshape, "reshape")
    out, jac, i, item = ns.local("out"), ns.local("jac"), ns.local("i"), ns.local("item")
    rows, cols = (out, x) if mode == "jacrev" else (x, out)
    body = [f"{out} = {name}({args})",
            f"{ad}.check_jacobian_arrays({mode!r}, {out}, {x})",
            f"{jac} = {ad}.jacobian_zeros({rows}, {cols})",
            f"for {i} in range({rows}.size):",
            f"    {item} = {product}({args}, {ad}.basis({rows}, {i}))",
            f"    {jac} = {jac}.at[{i}].set({item})"]
    if mode == "jacfwd":  # the columns were filled as rows
        transpose = ns.bind(_transpose, "transpose")
        body.append(f"{jac} = {transpose}({reshape}({jac}, ({x}.size, {out}.size)))")
    body.append(f"return {reshape}({jac}, {np_}.shape({out}) + {np_}.shape({x}))")
    doc = f'"""The Jacobian of {name} in {x}: one {_ONE[mode]} per {_PER[mode]}."""'
    return _compile(f"{mode}_{name}", signature, [doc] + body, ns.globals)


_ONE = {"jacrev": "vector-Jacobian product", "jacfwd": "Jacobian-vector product"}
_PER = {"jacrev": "output element", "jacfwd": "input element"}


def _product(target: Callable, x: str, params: list, mode: str, name: str, ns: _Names) -> str:
    """The name of a generated ``vjp_f(*params, ct)`` / ``jvp_f(*params, t)``."""
    pair = pair_for(target, frozenset({x}))
    args = ", ".join(params)
    seed = ns.local("ct" if mode == "jacrev" else "t")
    out, saved, cts = ns.local("out"), ns.local("saved"), ns.local("cts")
    ad = ns.bind(support, "ad")
    if not pair.out_active:
        zeros_of = x if mode == "jacrev" else f"{name}({args})"
        body = [f"return {ad}.tree_map_like({zeros_of})"]
    elif mode == "jacrev":
        fwd, bwd = ns.bind(pair.fwd), ns.bind(pair.bwd)
        body = [f"{out}, {saved} = {fwd}({args})",
                f"{cts} = {bwd}({saved}, {seed})",
                f"return {ad}.materialize({cts}[0], {x})"]
    else:  # J t: the adjoint is linear in its cotangent; its own adjoint maps t to J t
        dout = list(inspect.signature(pair.bwd).parameters)[1]
        transpose = pair_for(pair.bwd, frozenset({dout}))
        fwd, tfwd, tbwd = ns.bind(pair.fwd), ns.bind(transpose.fwd), ns.bind(transpose.bwd)
        tsaved = ns.local("tsaved")
        body = [f"{out}, {saved} = {fwd}({args})",
                f"{cts}, {tsaved} = {tfwd}({saved}, {ad}.tree_map_like({out}))",
                f"return {ad}.materialize({tbwd}({tsaved}, ({seed},))[0], {out})"]
    kind = "vjp" if mode == "jacrev" else "jvp"
    fn = _compile(f"{kind}_{name}", f"{args}, {seed}", body, dict(ns.globals))
    return ns.bind(fn)


def _compile(name: str, signature: str, body: list, names: dict) -> Callable:
    text = f"def {name}({signature}):\n" + "".join(f"    {line}\n" for line in body)
    return compile_text(text, names, __name__)


class _Names:
    """The names of a generated function: its parameters and fresh locals, and the globals
    it reads (bound to objects), none shadowing another."""

    def __init__(self, params: list) -> None:
        self.taken = set(params)
        self.globals: dict[str, Any] = {}
        self._locals: dict[str, str] = {}

    def _fresh(self, base: str) -> str:
        return fresh_name(base, self.taken)

    def local(self, base: str) -> str:
        if base not in self._locals:
            self._locals[base] = self._fresh(base)
        return self._locals[base]

    def bind(self, obj: Any, base: str | None = None) -> str:
        for k, v in self.globals.items():
            if v is obj:
                return k
        name = self._fresh(base or _identifier(getattr(obj, "__name__", "fn")))
        self.globals[name] = obj
        return name


def _with_defaults(sig: inspect.Signature, ns: _Names) -> list:
    out = []
    for p in sig.parameters.values():
        if p.default is inspect.Parameter.empty:
            out.append(p.name)
        else:
            out.append(f"{p.name}={ns.bind(p.default, p.name + '_default')}")
    return out


def _identifier(name: str) -> str:
    return name if name.isidentifier() else "f"


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
