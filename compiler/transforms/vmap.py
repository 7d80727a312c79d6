"""``axc.vmap``: map a function over an axis of its arguments, as one batched computation.

``vmap(f)(xs)`` runs ``f`` once, on values that carry a batch axis (``batching.py``): every
primitive it binds applies its batching rule to the whole batch, so ``vmap(jnp.dot, (None,
0))`` is one matrix product. ``f``'s Python control flow is first converted as ``jit``
converts it (``control_flow.py``), so an ``if`` or ``while`` on a batched value runs per
example: both branches and a select, or a loop until every example is done.

``in_axes``/``out_axes`` are ints, None (not mapped / not batched) or pytrees matching the
arguments / results as prefixes, with JAX's errors for what does not fit.
"""
from __future__ import annotations

import collections
import functools
import inspect
import textwrap
from collections.abc import Callable
from typing import Any

import numpy as np

from ...kernels import batch_util, registry
from ...kernels.numpy.promote import asarray
from ...runtime.array import Array
from ...runtime.prng import KeyArray
from ...runtime.pytree import (
    keystr,
    tree_flatten,
    tree_flatten_with_path,
    tree_structure,
    tree_unflatten,
)
from ..frontend.anf import UnsupportedAD
from ..ir.tracer import user_location
from . import support
from .batching import BatchTrace, new_batch_tracer
from .callees import source_function
from .control_flow import convert_or_self
from .emit import compile_text

__all__ = ["VmapFunction", "vmap"]


def _is_axis_leaf(x: Any) -> bool:
    return x is None or (isinstance(x, int) and not isinstance(x, bool))


def _children(x: Any) -> tuple[list, Any]:
    """One level of a pytree: its children and that level's structure."""
    return tree_flatten(x, is_leaf=lambda y: y is not x)


def broadcast_prefix(spec: Any, tree: Any, what: str) -> list:
    """The axis spec of every leaf of ``tree``: ``spec`` is a pytree prefix of ``tree`` whose
    leaves are ints or None (JAX's ``flatten_axes``)."""
    if _is_axis_leaf(spec):
        return [spec] * len(tree_flatten(tree)[0])
    spec_kids, spec_def = _children(spec)
    tree_kids, tree_def = _children(tree)
    if spec_def != tree_def:
        raise ValueError(f"{what} specification must be a tree prefix of the corresponding "
                         f"value, got specification {spec!r} for value tree "
                         f"{tree_structure(tree)}.")
    out: list = []
    for s, t in zip(spec_kids, tree_kids):
        out += broadcast_prefix(s, t, what)
    return out


def _shape(x: Any) -> tuple[int, ...]:
    return tuple(x.shape) if hasattr(x, "shape") else np.shape(x)


def _type_str(x: Any) -> str:
    dtype = getattr(x, "dtype", None) or np.asarray(x).dtype
    return f"{np.dtype(dtype).name if not isinstance(x, KeyArray) else dtype}" \
           f"[{','.join(map(str, _shape(x)))}]"


def _param_names(fun: Callable, nargs: int) -> list[str]:
    try:
        params = list(inspect.signature(fun).parameters.values())
    except (TypeError, ValueError):
        params = []
    names = []
    for i in range(nargs):
        p = params[i] if i < len(params) else None
        if p is None or p.kind in (p.VAR_KEYWORD, p.KEYWORD_ONLY):
            names.append(f"args[{i}]")
        elif p.kind == p.VAR_POSITIONAL:
            names.append(f"{p.name}[{i - params.index(p)}]")
        else:
            names.append(p.name)
    return names


def _check_axis_types(in_axes: Any, out_axes: Any) -> None:
    """JAX's TypeErrors, raised by ``vmap`` itself, for axes that are not ints or None."""
    if not (_is_axis_leaf(in_axes) or isinstance(in_axes, tuple)):
        raise TypeError(f"vmap in_axes must be an int, None, or a tuple of entries "
                        f"corresponding to the positional arguments passed to the function, "
                        f"but got {in_axes}.")
    for what, spec in (("in_axes", in_axes), ("out_axes", out_axes)):
        if not all(_is_axis_leaf(a) for a in tree_flatten(spec)[0]):
            raise TypeError(f"vmap {what} must be an int, None, or (nested) container with "
                            f"those types as leaves, but got {spec}.")


class _Leaf:
    """One argument leaf and its axis; where it came from is worked out only for a message
    (reading the signature costs more than the rest of a small call)."""

    __slots__ = ("arg", "axis", "fun", "nargs", "path", "value")

    def __init__(self, value: Any, axis: int | None, fun: Callable, nargs: int, arg: int | None,
                 path: tuple) -> None:
        self.value, self.axis, self.fun, self.nargs, self.arg, self.path = \
            value, axis, fun, nargs, arg, path

    @property
    def label(self) -> str:
        if self.arg is None:
            return f"kwargs{keystr(self.path)}"
        return f"argument {_param_names(self.fun, self.nargs)[self.arg]}{keystr(self.path)}"


def _leaves(fun: Callable, in_axes: Any, args: tuple, kwargs: dict) -> tuple[list, Any]:
    """Every argument leaf with its (normalized) axis; and the arguments' structure."""
    if isinstance(in_axes, tuple) and len(in_axes) != len(args):
        raise ValueError(f"vmap in_axes must be an int, None, or a tuple of entries "
                         f"corresponding to the positional arguments passed to the function, "
                         f"but got len(in_axes)={len(in_axes)}, len(args)={len(args)}")
    per_arg = in_axes if isinstance(in_axes, tuple) else (in_axes,) * len(args)
    n = len(args)
    leaves: list[_Leaf] = []
    for i, (spec, arg) in enumerate(zip(per_arg, args)):
        if isinstance(arg, Array) and _is_axis_leaf(spec):  # the common case: one leaf
            leaves.append(_Leaf(arg, spec, fun, n, i, ()))
            continue
        axes = broadcast_prefix(spec, arg, "vmap in_axes")
        for (path, x), axis in zip(tree_flatten_with_path(arg)[0], axes):
            leaves.append(_Leaf(x, axis, fun, n, i, path))
    for path, x in tree_flatten_with_path(kwargs)[0]:  # keyword arguments map along axis 0
        leaves.append(_Leaf(x, 0, fun, n, None, path))
    for leaf in leaves:
        if leaf.axis is not None:
            rank = len(_shape(leaf.value))
            if not -rank <= leaf.axis < rank:
                raise ValueError(f"vmap was requested to map its argument along axis "
                                 f"{leaf.axis}, which implies that its rank should be at least "
                                 f"{leaf.axis + 1 if leaf.axis >= 0 else -leaf.axis}, but is "
                                 f"only {rank} (its shape is {_shape(leaf.value)})")
            leaf.axis %= rank
    if not kwargs and len(leaves) == n and all(lf.path == () for lf in leaves):
        return leaves, None  # every argument is one array: no pytree to rebuild
    return leaves, tree_structure((args, kwargs))


def _axis_size(leaves: list[_Leaf], axis_size: int | None, args: tuple, kwargs: dict) -> int:
    mapped = [lf for lf in leaves if lf.axis is not None]
    if not leaves and axis_size is None:
        raise ValueError(f"vmap wrapped function must be passed at least one argument "
                         f"containing an array or axis_size must be specified, got empty "
                         f"*args={args} and **kwargs={kwargs}")
    if not mapped:
        if axis_size is None:
            raise ValueError("vmap must have at least one non-None value in in_axes or "
                             "axis_size must be specified")
        return axis_size
    sizes = [_shape(lf.value)[lf.axis] for lf in mapped]
    if len(set(sizes + ([] if axis_size is None else [axis_size]))) == 1:
        return sizes[0]
    # JAX's message: the sizes grouped, most common first, each with one example.
    counts = collections.Counter(sizes).most_common()
    lines = [] if axis_size is None else [f"  * the `axis_size` argument was {axis_size}"]
    for k, (n, ct) in enumerate(counts):
        lf = mapped[sizes.index(n)]
        where = f"axis {lf.axis} of {lf.label} of type {_type_str(lf.value)}"
        if ct == 1:
            lines.append(f"  * one axis had size {n}: {where}")
        else:
            lines.append(f"  * {'most' if k == 0 else 'some'} axes ({ct} of them) had size "
                         f"{n}, e.g. {where}")
    raise ValueError("vmap got inconsistent sizes for array axes to be mapped:\n" +
                     ";\n".join(lines))


def _map_in(trace: BatchTrace, leaf: _Leaf) -> Any:
    x = leaf.value
    if leaf.axis is None:
        return x
    if isinstance(x, KeyArray):
        return KeyArray(x._impl, new_batch_tracer(trace, asarray(x._base), leaf.axis))
    return new_batch_tracer(trace, asarray(x), leaf.axis)


def _map_out(trace: BatchTrace, x: Any, axis: int | None, path: str) -> Any:
    """A result leaf with its batch axis at ``axis`` (run after ``trace`` is popped);
    ``path`` locates it in the results, for messages."""
    key = x._impl if isinstance(x, KeyArray) else None
    base = x._base if key is not None else x
    val, bdim = trace.unwrap(base)
    if axis is None:
        if bdim is not None:
            raise ValueError(f"at vmap out_axes{path}, got axis spec None but output was "
                             f"batched on axis {bdim}")
        return x
    val = asarray(val)
    rank = val.ndim if bdim is None else val.ndim - 1
    if key is not None:
        rank -= len(key.key_shape)
    if not -rank - 1 <= axis <= rank:
        raise ValueError(f"axis {axis} is out of bounds for array of dimension {rank + 1}")
    axis %= rank + 1
    val = batch_util.move_to(val, bdim, axis, trace.size)
    return val if key is None else KeyArray(key, val)


class VmapFunction:
    """``vmap(f)``: callable like ``f`` with every argument leaf mapped along its axis."""

    def __init__(self, fun: Callable, in_axes: Any, out_axes: Any, axis_size: int | None,
                 axis_name: Any) -> None:
        if not callable(fun):
            raise TypeError(f"vmap requires a callable, got {fun!r}")
        if isinstance(in_axes, list):
            in_axes = tuple(in_axes)  # JAX accepts a list at the top level
        _check_axis_types(in_axes, out_axes)
        self.fun = fun
        self.in_axes = in_axes
        self.out_axes = out_axes
        self.axis_size = axis_size
        self.axis_name = axis_name
        self._wrapper: Callable | None = None
        functools.update_wrapper(self, fun, updated=())

    def _name(self) -> str:
        return getattr(self.fun, "__qualname__", None) or getattr(self.fun, "__name__", "fun")

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        trace, out = self._run(convert_or_self(self.fun), args, kwargs)
        return self._outputs(trace, out)

    def _run(self, fn: Callable, args: tuple, kwargs: dict) -> tuple[BatchTrace, Any]:
        """``fn`` on the mapped arguments; its raw result (batched values inside)."""
        leaves, tree = _leaves(self.fun, self.in_axes, args, kwargs)
        size = _axis_size(leaves, self.axis_size, args, kwargs)
        trace = BatchTrace(size, self._name(), user_location())
        mapped = [_map_in(trace, lf) for lf in leaves]
        args, kwargs = (tuple(mapped), {}) if tree is None else tree_unflatten(tree, mapped)
        registry.push_interpreter(trace)
        try:
            out = fn(*args, **kwargs)
        finally:
            registry.pop_interpreter()
        return trace, out

    def _outputs(self, trace: BatchTrace, out: Any) -> Any:
        try:
            axes = broadcast_prefix(self.out_axes, out, "vmap out_axes")
            leaves, tree = tree_flatten(out)
            paths = [keystr(p) for p, _ in tree_flatten_with_path(out)[0]]
            return tree_unflatten(tree, [_map_out(trace, x, a, p)
                                         for x, a, p in zip(leaves, axes, paths)])
        finally:
            trace.active = False

    @property
    def source(self) -> str:
        """The Python that runs per batch: ``f`` with its control flow converted (an ``if``
        or ``while`` on a batched value runs per example), under a header giving the axes."""
        fn = convert_or_self(self.fun)
        text = getattr(fn, "source", None)
        prim = getattr(self.fun, "__axc_primitive__", None)
        if text is None and prim is not None:
            text = f"# {self._name()} applies the primitive `{prim.name}`: its batching rule " \
                   f"runs on the batch.\n"
        elif text is None:
            try:
                text = textwrap.dedent(inspect.getsource(source_function(self.fun)))
            except (OSError, TypeError):
                text = f"# {self._name()}: no Python source (a builtin or compiled function)\n"
        header = (f"# vmap({self._name()}, in_axes={self.in_axes!r}, "
                  f"out_axes={self.out_axes!r}): every value computed from a mapped argument "
                  f"carries\n# its batch axis; each primitive applies its batching rule to "
                  f"the whole batch.\n")
        return header + text

    @property
    def __axc_function__(self) -> Callable:
        """``def vmap_f(x, y): return vmapped(x, y)``, generated with ``f``'s positional
        parameters: the source that ``grad``/``vjp``/``jacrev`` of ``vmap(f)`` itself read;
        the call inside differentiates through this object's VJP rule."""
        if self._wrapper is None:
            params = _wrapper_params(self.fun, self.in_axes)
            args = ", ".join(params)
            name = "vmap_" + (self._name().rsplit(".", 1)[-1] if
                              self._name().rsplit(".", 1)[-1].isidentifier() else "f")
            self._wrapper = compile_text(f"def {name}({args}):\n    return vmapped({args})\n",
                                         {"vmapped": self}, __name__)
        return self._wrapper

    # -- reverse mode: grad of code that calls vmap(f) -----------------------------------------
    @property
    def __axc_vjp__(self) -> tuple[Callable, Callable]:
        """``(fwd, bwd)`` for the AD transforms: the VJP of ``vmap(f)`` is ``vmap`` of ``f``'s
        forward and adjoint passes; cotangents of unmapped arguments sum over the batch."""
        return self._vjp_fwd, self._vjp_bwd

    def _vjp_fwd(self, *args: Any) -> tuple[Any, Any]:
        from .reverse import pair_for  # reverse mode builds on this module's users
        fn = source_function(self.fun)
        if not inspect.isfunction(fn):
            raise UnsupportedAD(f"cannot differentiate vmap of {self._name()!r} yet: only "
                                f"vmap of a Python function (or of grad of one)")
        params = list(inspect.signature(fn).parameters)[:len(args)]
        active = frozenset(p for p, a in zip(params, args)
                           if any(getattr(x, "dtype", np.dtype(float)).kind in "fc"
                                  for x in tree_flatten(a)[0]))
        pair = pair_for(fn, active)
        if not pair.out_active:
            return self(*args), len(args)
        trace, (out, saved) = self._run(pair.fwd, args, {})
        leaves, _ = _leaves(self.fun, self.in_axes, args, {})
        axes = [lf.axis for lf in leaves]
        saved = _map_arrays(saved, trace)
        counts = [len(tree_flatten(a)[0]) for a in args]  # the layout, not the values
        return self._outputs(trace, out), (pair, saved, trace, counts, axes)

    def _vjp_bwd(self, res: Any, g: Any) -> tuple:
        if isinstance(res, int):  # the result does not depend on the arguments
            return (None,) * res
        pair, saved, fwd_trace, counts, axes = res
        trace = BatchTrace(fwd_trace.size, self._name(), user_location())
        out_axes = broadcast_prefix(self.out_axes, g, "vmap out_axes")
        g_leaves, g_tree = tree_flatten(g)
        g = tree_unflatten(g_tree, [trace.wrap(asarray(x), a) for x, a in zip(g_leaves, out_axes)])
        tapes = support.copy_tapes(_map_arrays(saved, fwd_trace, into=trace))
        registry.push_interpreter(trace)
        try:
            cts = dict(zip(pair.active_params, pair.bwd(tapes, g)))
        finally:
            registry.pop_interpreter()
            trace.active = False
        params = list(inspect.signature(source_function(self.fun)).parameters)
        out, k = [], 0
        for p, n in zip(params, counts):
            arg_axes = axes[k:k + n]
            k += n
            ct = cts.get(p)
            out.append(None if ct is None else _ct_to_arg(trace, ct, arg_axes))
        return tuple(out)


def _wrapper_params(fun: Callable, in_axes: Any) -> list[str]:
    """Names for the positional parameters of ``vmap(fun)``'s generated wrapper: ``fun``'s
    own where its signature has plain ones, else ``a0, a1, ...``."""
    try:
        params = list(inspect.signature(fun).parameters.values())
    except (TypeError, ValueError):
        params = []
    plain = [p.name for p in params
             if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD) and p.default is p.empty]
    n = len(in_axes) if isinstance(in_axes, tuple) else len(plain) or 1
    if len(plain) >= n and "vmapped" not in plain[:n]:
        return plain[:n]
    return [f"a{i}" for i in range(n)]


def _ct_to_arg(trace: BatchTrace, ct: Any, axes: list) -> Any:
    """An argument's cotangent laid out as the argument: summed over the batch where it was
    not mapped, its batch axis at the mapped axis where it was."""
    leaves, tree = tree_flatten(ct)
    out = []
    for x, axis in zip(leaves, axes):
        val, bdim = trace.unwrap(x)
        if x is None:
            out.append(None)
        elif axis is None:
            out.append(val if bdim is None else registry.get("reduce_sum").bind(
                val, axes=(bdim,)))
        else:
            out.append(batch_util.move_to(asarray(val), bdim, axis, trace.size))
    return tree_unflatten(tree, out)


def _map_arrays(saved: Any, trace: BatchTrace, into: BatchTrace | None = None) -> Any:
    """``saved`` (tapes, tuples, lists of values) with each array stored as ``(value, bdim)``
    one level below ``trace``; or, given ``into``, with what ``trace`` stored wrapped again
    as values of ``into`` (the backward pass's trace). A nested ``vmap``'s stored values are
    traversed, not taken as ours."""
    unwrap = into is not None
    if isinstance(saved, support.Tape):
        out = support.Tape(saved.lenient)
        out.extend(_map_arrays(x, trace, into) for x in saved)
        out.control = list(saved.control)
        return out
    if isinstance(saved, _Stored):
        if unwrap and saved.owner is trace:
            return into.wrap(saved.value, saved.bdim)
        return _Stored(_map_arrays(saved.value, trace, into), saved.bdim, saved.owner)
    if type(saved) in (tuple, list):
        return type(saved)(_map_arrays(x, trace, into) for x in saved)
    if not unwrap and isinstance(saved, Array):
        return _Stored(*trace.unwrap(saved), trace)
    return saved


class _Stored:
    """A value of the forward pass's tape, one level below the ``vmap`` (``owner``) that
    stored it, with its batch axis."""

    __slots__ = ("bdim", "owner", "value")

    def __init__(self, value: Any, bdim: int | None, owner: BatchTrace) -> None:
        self.value, self.bdim, self.owner = value, bdim, owner


def vmap(fun: Callable, in_axes: Any = 0, out_axes: Any = 0, axis_name: Any = None,
         axis_size: int | None = None, spmd_axis_name: Any = None) -> VmapFunction:
    """Vectorize ``fun`` over an axis of its arguments.

    Parameters
    ----------
    fun : callable
        The function to map; it sees one example (the mapped axis removed).
    in_axes : int, None or pytree
        Which axis of each argument to map (None: the argument is shared by every example).
        An int applies to every argument; a tuple has one entry per positional argument,
        each a pytree prefix of that argument. Keyword arguments are mapped along axis 0.
    out_axes : int, None or pytree
        Where the mapped axis goes in each result (None: the result is not batched).
    axis_size : int, optional
        The number of examples, required when no argument is mapped.

    Returns
    -------
    VmapFunction
        Callable like ``fun``; ``.source`` is the Python that runs on the batch.
    """
    return VmapFunction(fun, in_axes, out_axes, axis_size, axis_name)
