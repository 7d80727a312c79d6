"""``jit``, ``make_ir`` and the ahead-of-time stages ``lower`` / ``compile``.

``jit(f)(*args)`` looks the call's signature up in a per-function cache; on a miss it stages
``f`` on tracers (``compiler.ir.stage``), optimises the IR and builds an executable; on a hit
it only flattens the arguments and runs the executable on their buffers.
"""
from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from typing import Any

from ...kernels import registry
from ...runtime.abstract import ShapedArray
from ...runtime.array import Array, wrap
from ...runtime.config import config
from ...runtime.pytree import tree_flatten, tree_structure, tree_unflatten
from ..ir.ir import Function, type_text
from ..ir.stage import stage
from ..ir.tracer import user_location
from ..transforms.control_flow import convert_or_self
from .executable import Executable
from .signature import StaticSpec, avals_of, flatten_call, leaf_buffer, leaf_key, leaf_names

_LEAF = tree_structure(0)
_X64 = [config.x64_enabled]  # read on every call: kept current by a config listener
config.on_update(lambda name, value: _X64.__setitem__(0, config.x64_enabled))


class Staged:
    """One traced signature: the IR, the output structure, and (once built) its executable."""

    def __init__(self, function: Function, out_tree: Any) -> None:
        self.function = function
        self.out_tree = out_tree
        self.out_weak = [a.weak_type for a in function.out_avals]
        self.single = out_tree.num_leaves == 1 and out_tree == _LEAF  # f returns one array
        self._executable: Executable | None = None

    @property
    def executable(self) -> Executable:
        if self._executable is None:
            self._executable = Executable(self.function)
        return self._executable

    def call(self, leaves: Sequence[Any]) -> Any:
        return self.run([x._buf if type(x) is Array else leaf_buffer(x)[0] for x in leaves])

    def run(self, bufs: list) -> Any:
        outs = self.executable.run(bufs)
        if self.single:
            return wrap(outs[0], self.out_weak[0])
        return tree_unflatten(self.out_tree, [wrap(b, w) for b, w in zip(outs, self.out_weak)])


def _as_result(x: Any) -> Any:
    if isinstance(x, Array):
        return x
    try:
        buf, weak = leaf_buffer(x)
    except TypeError:
        raise TypeError(f"jit-compiled functions must return arrays (or pytrees of them); "
                        f"got a value of type {type(x).__name__}: {x!r}") from None
    return wrap(buf, weak)


class JitFunction:
    """``jit(f)``: call it like ``f``; ``lower(*args)`` gives the staged IR and code."""

    def __init__(self, fun: Callable, static_argnums: Any = None, static_argnames: Any = None,
                 donate_argnums: Any = None, donate_argnames: Any = None) -> None:
        if not callable(fun):
            raise TypeError(f"jit expects a callable, got {type(fun).__name__}: {fun!r}")
        self.fun = fun
        self.static = StaticSpec(fun, static_argnums, static_argnames)
        # Buffers are immutable and reused by the executable's own planning; donation is
        # accepted for compatibility (JAX on CPU ignores it too).
        self.donate_argnums = donate_argnums
        self.donate_argnames = donate_argnames
        self._cache: dict[Any, Staged] = {}
        self._fast: dict[tuple, Staged] = {}
        self.where = _definition_site(fun)
        functools.update_wrapper(self, fun, updated=())

    @property
    def __axc_function__(self) -> Callable:
        return self.fun  # transforms (grad, vmap) read the wrapped function's source

    def __get__(self, obj: Any, objtype: Any = None) -> Any:
        return self if obj is None else functools.partial(self, obj)

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        if registry._INTERPRETERS:  # inside another staging: inline into it
            return convert_or_self(self.fun)(*args, **kwargs)
        if not kwargs:
            # Fast path: positional Arrays only, keyed on their types alone (no pytree walk).
            bufs, fast = [], [_X64[0]]
            for a in args:
                if type(a) is not Array:
                    break
                buf = a._buf
                bufs.append(buf)
                fast.append((buf.shape, buf.dtype, a._weak))
            else:
                staged = self._fast.get(tuple(fast))
                if staged is not None:
                    return staged.run(bufs)
        key, leaves = flatten_call(self.static, args, kwargs)
        staged = self._cache.get(key)
        if staged is None:
            staged = self._stage(key, args, kwargs)
        if not kwargs and not key[2] and all(type(a) is Array for a in args):
            self._fast[(key[3],) + key[1]] = staged
        return staged.call(leaves)

    def _stage(self, key: tuple, args: tuple, kwargs: dict) -> Staged:
        names = leaf_names(self.static, args, kwargs)
        in_tree, static = key[0], key[2]

        def call(fun: Callable, tracers: list) -> tuple[list, Any]:
            dyn_args, dyn_kwargs = tree_unflatten(in_tree, tracers)
            full_args, full_kwargs = self.static.merge(dyn_args, dyn_kwargs, static)
            out = fun(*full_args, **full_kwargs)
            leaves, out_tree = tree_flatten(out)
            return [_as_result(x) for x in leaves], out_tree

        # Python control flow on traced values is converted (lazily, cached per function).
        function, out_tree = stage(convert_or_self(self.fun), avals_of(key), names,
                                   name=getattr(self.fun, "__name__", "f"), where=self.where,
                                   call=call)
        staged = self._cache[key] = Staged(function, out_tree)
        return staged

    def lower(self, *args: Any, **kwargs: Any) -> Lowered:
        """Stage for these arguments' types, without running: ``.as_text()``, ``.compile()``."""
        key, _ = flatten_call(self.static, args, kwargs)
        staged = self._cache.get(key) or self._stage(key, args, kwargs)
        return Lowered(staged, key)

    def trace(self, *args: Any, **kwargs: Any) -> Lowered:
        return self.lower(*args, **kwargs)

    def clear_cache(self) -> None:
        self._cache.clear()
        self._fast.clear()

    def _cache_size(self) -> int:
        return len(self._cache)

    def __repr__(self) -> str:
        return f"<axc.jit of {getattr(self.fun, '__qualname__', self.fun)!r}>"


class Lowered:
    """A staged signature: ``as_text("ir" | "llvm" | "asm")`` and ``compile()``."""

    def __init__(self, staged: Staged, key: tuple) -> None:
        self._staged = staged
        self._key = key

    @property
    def ir(self) -> Function:
        return self._staged.function

    def as_text(self, dialect: str = "ir") -> str:
        if dialect == "ir":
            return str(self._staged.function)
        return self._staged.executable.as_text(dialect)

    def compile(self) -> Compiled:
        self._staged.executable  # noqa: B018 (build it now, as JAX's compile() does)
        return Compiled(self._staged, self._key)


class Compiled(Lowered):
    """An executable for one signature; call it with arguments of that signature."""

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        leaves, treedef = tree_flatten((args, kwargs))
        got = [leaf_key(x) for x in leaves]
        if treedef != self._key[0] or tuple(got) != self._key[1]:
            want = ", ".join(type_text(a) for a in avals_of(self._key))
            have = ", ".join(type_text(ShapedArray(*k)) for k in got)
            raise TypeError(f"Argument types differ from the types for which this computation "
                            f"was compiled. Expected ({want}), got ({have}).")
        return self._staged.call(leaves)

    def as_text(self, dialect: str = "ir") -> str:
        if dialect == "ir":
            return str(self._staged.executable.function)
        return self._staged.executable.as_text(dialect)


def _definition_site(fun: Callable) -> str:
    code = getattr(fun, "__code__", None)
    if code is None:
        return user_location(3)
    return f"{code.co_filename}:{code.co_firstlineno}"


def jit(fun: Callable | None = None, *, static_argnums: int | Sequence[int] | None = None,
        static_argnames: str | Sequence[str] | None = None,
        donate_argnums: int | Sequence[int] | None = None,
        donate_argnames: str | Sequence[str] | None = None, **unused: Any) -> Any:
    """Compile ``fun`` for the shapes and dtypes it is called with.

    Parameters
    ----------
    fun : callable
        A function of arrays (and pytrees of them). Python control flow on traced values is
        converted to staged control flow.
    static_argnums, static_argnames : int, str or sequences of them, optional
        Arguments treated as compile-time constants: they must be hashable, and each new
        value compiles again.
    donate_argnums, donate_argnames : optional
        Accepted for compatibility; buffers are reused by the compiler's own planning.

    Returns
    -------
    JitFunction
        Callable like ``fun``; ``.lower(*args)`` gives the staged IR (``as_text``).
    """
    if fun is None:
        return functools.partial(jit, static_argnums=static_argnums,
                                 static_argnames=static_argnames,
                                 donate_argnums=donate_argnums, donate_argnames=donate_argnames)
    return JitFunction(fun, static_argnums, static_argnames, donate_argnums, donate_argnames)


def make_ir(fun: Callable, static_argnums: int | Sequence[int] | None = None,
            static_argnames: str | Sequence[str] | None = None) -> Callable[..., Function]:
    """``make_ir(f)(*args)``: the typed IR of ``f`` at these arguments (as ``make_jaxpr``)."""
    jitted = JitFunction(fun, static_argnums, static_argnames)

    @functools.wraps(fun)
    def make(*args: Any, **kwargs: Any) -> Function:
        return jitted.lower(*args, **kwargs).ir
    return make
