"""Call signatures of a jitted function: static arguments, flattened leaves, the cache key.

The cache key holds exactly what the compiled code depends on: the pytree structure of the
dynamic arguments, each leaf's (shape, dtype, weak type), the static arguments' values and
the x64 flag. Nothing else is checked on the fast path.
"""
from __future__ import annotations

import inspect
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from ...runtime import dtypes
from ...runtime.abstract import ShapedArray
from ...runtime.array import Array, scalar_buffer, to_buffer
from ...runtime.config import config
from ...runtime.pytree import keystr, tree_flatten, tree_flatten_with_path

_SCALARS = (int, float, complex, bool)


def _tuple(x: int | str | Sequence | None) -> tuple:
    if x is None:
        return ()
    if isinstance(x, (int, str)):
        return (x,)
    return tuple(x)


class StaticSpec:
    """Which arguments are static, by position and by name (each inferred from the other)."""

    def __init__(self, fun: Callable, static_argnums: Any, static_argnames: Any) -> None:
        nums, names = _tuple(static_argnums), _tuple(static_argnames)
        try:
            params = list(inspect.signature(fun).parameters.values())
        except (TypeError, ValueError):
            params = []
        positional = [p.name for p in params if p.kind in (p.POSITIONAL_ONLY,
                                                           p.POSITIONAL_OR_KEYWORD)]
        self.positional = positional
        if not names:
            names = tuple(positional[i] for i in nums if -len(positional) <= i < len(positional)
                          and params[i].kind != params[i].POSITIONAL_ONLY)
        elif not nums:
            nums = tuple(positional.index(n) for n in names if n in positional)
        _check_static(fun, params, positional, nums, names)
        self.nums = frozenset(i % len(positional) if i < 0 and positional else i for i in nums)
        self.names = frozenset(names)

    def split(self, args: tuple, kwargs: dict) -> tuple[tuple, dict, tuple]:
        """(dynamic positional args, dynamic keyword args, static values for the key)."""
        if not self.nums and not self.names:
            return args, kwargs, ()
        dyn_args = tuple(a for i, a in enumerate(args) if i not in self.nums)
        dyn_kwargs = {k: v for k, v in kwargs.items() if k not in self.names}
        static = tuple((i, a) for i, a in enumerate(args) if i in self.nums) + \
            tuple(sorted(((k, v) for k, v in kwargs.items() if k in self.names),
                         key=lambda kv: kv[0]))
        for _, value in static:
            _check_hashable(value)
        # 1 and 1.0 are equal but trace differently: the key holds each value's type too.
        return dyn_args, dyn_kwargs, tuple((k, type(v), v) for k, v in static)

    def merge(self, dyn_args: Sequence, dyn_kwargs: dict, static: tuple) -> tuple[list, dict]:
        """Rebuild the full call from dynamic values and static ones."""
        args, kwargs = list(dyn_args), dict(dyn_kwargs)
        for key, _, value in static:
            if isinstance(key, int):
                args.insert(key, value)
            else:
                kwargs[key] = value
        return args, kwargs

    def arg_names(self, n_args: int, kwargs: dict) -> list[str]:
        names = [self.positional[i] if i < len(self.positional) else f"args[{i}]"
                 for i in range(n_args) if i not in self.nums]
        return names + list(kwargs)


def _check_static(fun: Callable, params: list, positional: list[str], nums: tuple,
                  names: tuple) -> None:
    """JAX's errors for static_argnums/static_argnames that name no parameter."""
    if not params or any(p.kind == p.VAR_POSITIONAL for p in params):
        return
    for i in nums:
        if not -len(positional) <= i < len(positional):
            raise ValueError(f"jitted function has static_argnums={nums}, but only accepts "
                             f"{len(positional)} positional arguments.")
    if any(p.kind == p.VAR_KEYWORD for p in params):
        return
    known = {p.name for p in params}
    for n in names:
        if n not in known:
            raise ValueError(f"jitted function has static_argnames={names}, but {n!r} is not "
                             f"an argument of {getattr(fun, '__name__', fun)!r}.")


def _check_hashable(value: Any) -> None:
    try:
        hash(value)
    except TypeError as e:
        raise ValueError(
            f"Non-hashable static arguments are not supported. An error occurred while "
            f"trying to hash an object of type {type(value)}, {value!r}. The error was:\n"
            f"TypeError: {e}\n") from None


def leaf_key(x: Any) -> tuple:
    """A leaf's (shape, dtype, weak) as the cache key sees it."""
    if type(x) is Array:
        buf = x._buf
        return buf.shape, buf.dtype, x._weak
    if type(x) in _SCALARS:
        return (), dtypes.canonicalize_dtype(dtypes.dtype(type(x))), type(x) is not bool
    buf, weak = leaf_buffer(x)
    return buf.shape, buf.dtype, weak


def leaf_buffer(x: Any) -> tuple[np.ndarray, bool]:
    """A leaf's buffer (canonical dtype) and weak type, with JAX's error for non-arrays."""
    if type(x) is Array:
        return x._buf, x._weak
    if type(x) in _SCALARS:
        return scalar_buffer(x), type(x) is not bool
    if isinstance(x, (Array, np.ndarray, np.generic)) or hasattr(x, "__jax_array__"):
        return to_buffer(x, copy=False)
    raise TypeError(f"Argument '{x!r}' of type {type(x)} is not a valid JAX type")


def flatten_call(spec: StaticSpec, args: tuple, kwargs: dict) -> tuple[tuple, list]:
    """(cache key, dynamic leaves) of a call."""
    dyn_args, dyn_kwargs, static = spec.split(args, kwargs)
    leaves, treedef = tree_flatten((dyn_args, dyn_kwargs))
    key = (treedef, tuple(leaf_key(x) for x in leaves), static, config.x64_enabled)
    return key, leaves


def leaf_names(spec: StaticSpec, args: tuple, kwargs: dict) -> list[str]:
    """Readable names of the dynamic leaves (``x``, ``params['w']``), for error messages."""
    dyn_args, dyn_kwargs, _ = spec.split(args, kwargs)
    names = spec.arg_names(len(args), dyn_kwargs)
    out = []
    for name, value in zip(names, list(dyn_args) + list(dyn_kwargs.values())):
        for path, _ in tree_flatten_with_path(value)[0]:
            out.append(name + keystr(path))
    return out


def avals_of(key: tuple) -> list[ShapedArray]:
    return [ShapedArray(shape, dt, weak) for shape, dt, weak in key[1]]
