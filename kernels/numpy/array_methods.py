"""Install operators and methods on ``Array`` (as ``jax._src.numpy.array_methods`` does).

Binary operators take a fast path when NumPy's own promotion already gives JAX's answer
(same dtypes, or a Python scalar of a kind the array absorbs): one primitive ``impl`` call
and a wrap, with no dtype lattice walk. Anything else goes through ``axc.numpy``.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from ...runtime.array import Array, wrap
from .. import elementwise as ew
from .. import registry
from ..quiet import quiet
from . import creation, indexing, manipulation, products, reductions, sorting, ufuncs

# Python scalar type -> array dtype kinds for which NumPy 2 (NEP 50) promotes as JAX does.
_SCALAR_KINDS = {float: "fc", int: "iufc"}


def _binop(jnp_fn: Callable, impl: Callable | None, kinds: str, reflected: bool) -> Callable:
    """An operator: ``impl`` (a NumPy kernel taking arrays or scalars) on the fast path."""
    interpreters = registry._INTERPRETERS

    def op(self: Array, other: Any) -> Any:
        if impl is not None and not interpreters:
            a = self._buf
            t = type(other)
            if t is Array:
                b = other._buf
                if a.dtype == b.dtype and a.dtype.kind in kinds:
                    try:
                        out = impl(b, a) if reflected else impl(a, b)
                    except ValueError:
                        pass  # incompatible shapes: the slow path raises JAX's error
                    else:
                        return wrap(out, self._weak and other._weak)
            elif t in _SCALAR_KINDS and a.dtype.kind in _SCALAR_KINDS[t] and \
                    a.dtype.kind in kinds:
                return wrap(impl(other, a) if reflected else impl(a, other), self._weak)
        if not _is_operand(other):
            return NotImplemented
        return jnp_fn(other, self) if reflected else jnp_fn(self, other)
    return op


def _is_operand(x: Any) -> bool:
    return isinstance(x, (Array, int, float, complex, bool)) or hasattr(x, "__array__") \
        or hasattr(x, "__jax_array__")


_NUM = "iufc"
# name -> (axc.numpy function, fast NumPy kernel or None, dtype kinds it is valid for)
_BINARY = {
    "add": (ufuncs.add, ew.add_p.impl, _NUM),
    "sub": (ufuncs.subtract, ew.sub_p.impl, _NUM),
    "mul": (ufuncs.multiply, ew.mul_p.impl, _NUM),
    "truediv": (ufuncs.true_divide, quiet(np.true_divide), "fc"),
    "floordiv": (ufuncs.floor_divide, None, ""),
    "mod": (ufuncs.remainder, None, ""),
    "divmod": (ufuncs.divmod, None, ""),
    "pow": (ufuncs.power, None, ""),
    "matmul": (lambda a, b: products.matmul(a, b), None, ""),
    "and": (ufuncs.bitwise_and, np.bitwise_and, "iub"),
    "or": (ufuncs.bitwise_or, np.bitwise_or, "iub"),
    "xor": (ufuncs.bitwise_xor, np.bitwise_xor, "iub"),
    "lshift": (ufuncs.left_shift, None, ""),
    "rshift": (ufuncs.right_shift, None, ""),
}
_COMPARE = {
    "eq": (ufuncs.equal, np.equal, "iufcb"), "ne": (ufuncs.not_equal, np.not_equal, "iufcb"),
    "lt": (ufuncs.less, np.less, "iufb"), "le": (ufuncs.less_equal, np.less_equal, "iufb"),
    "gt": (ufuncs.greater, np.greater, "iufb"),
    "ge": (ufuncs.greater_equal, np.greater_equal, "iufb"),
}


def _unop(fn: Callable) -> Callable:
    def op(self: Array) -> Array:
        return fn(self)
    return op


def _iter(self: Array):
    if self.ndim == 0:
        raise TypeError("iteration over a 0-d array")
    for i in range(self.shape[0]):
        yield indexing.getitem(self, i)


def _contains(self: Array, value: Any) -> bool:
    return bool(reductions.any(ufuncs.equal(self, value)))


def _round(self: Array, ndigits: int | None = None) -> Any:
    if ndigits is None:
        return round(self.item()) if self.ndim == 0 else ufuncs.round(self)
    return ufuncs.round(self, ndigits)


def _astype(self: Array, dtype: Any, copy: bool = False, device: Any = None) -> Array:
    return creation.asarray(self, dtype=dtype)


def _reshape(self: Array, *shape: Any, order: str = "C") -> Array:
    if len(shape) == 1 and not isinstance(shape[0], int):
        shape = shape[0]
    return manipulation.reshape(self, shape, order=order)


def _transpose(self: Array, *axes: Any) -> Array:
    if len(axes) == 1 and (axes[0] is None or not isinstance(axes[0], int)):
        axes = axes[0]
    return manipulation.transpose(self, axes or None)


def _getitem(self: Array, idx: Any) -> Array:
    return indexing.getitem(self, idx)


def _view(self: Array, dtype: Any = None) -> Array:
    return self if dtype is None else ew.bitcast_convert_type_p.bind(self, new_dtype=dtype)


def _method(module: Any, name: str) -> Callable:
    """``x.name(...)`` calls ``module.name(x, ...)``, looked up at call time."""
    def method(self: Array, *args: Any, **kwargs: Any) -> Any:
        return getattr(module, name)(self, *args, **kwargs)
    method.__name__ = name
    return method


# method name -> the axc.numpy module that implements it
_METHODS = {
    reductions: ("sum", "prod", "mean", "std", "var", "min", "max", "argmin", "argmax", "all",
                 "any", "cumsum", "cumprod", "ptp"),
    manipulation: ("ravel", "swapaxes", "squeeze", "repeat", "diagonal", "trace"),
    sorting: ("sort", "argsort", "searchsorted"),
    indexing: ("take", "nonzero"),
    products: ("dot",),
    ufuncs: ("clip", "conj", "conjugate"),
}
_PROPERTIES = {
    "T": (manipulation, "transpose"), "mT": (manipulation, "matrix_transpose"),
    "real": (ufuncs, "real"), "imag": (ufuncs, "imag"), "flat": (manipulation, "ravel"),
    "at": (indexing, "IndexUpdateHelper"),
}


def install() -> None:
    """Attach operators, properties and methods to ``Array``."""
    for name, (fn, prim, kinds) in _BINARY.items():
        setattr(Array, f"__{name}__", _binop(fn, prim, kinds, reflected=False))
        setattr(Array, f"__r{name}__", _binop(fn, prim, kinds, reflected=True))
    for name, (fn, prim, kinds) in _COMPARE.items():
        setattr(Array, f"__{name}__", _binop(fn, prim, kinds, reflected=False))
    Array.__neg__ = _unop(ufuncs.negative)
    Array.__pos__ = _unop(ufuncs.positive)
    Array.__abs__ = _unop(ufuncs.abs)
    Array.__invert__ = _unop(ufuncs.invert)
    Array.__round__ = _round
    Array.__iter__ = _iter
    Array.__contains__ = _contains
    Array.__getitem__ = _getitem
    Array.astype = _astype
    Array.reshape = _reshape
    Array.transpose = _transpose
    Array.view = _view
    Array.flatten = _method(manipulation, "ravel")
    Array.copy = lambda self: self
    Array.round = lambda self, decimals=0: ufuncs.round(self, decimals)
    for name, (module, fn) in _PROPERTIES.items():
        setattr(Array, name, property(_method(module, fn)))
    for module, names in _METHODS.items():
        for name in names:
            setattr(Array, name, _method(module, name))


# --- for the transforms: the function behind ``x.name(...)``, ``x.name`` and ``x.at[i].op`` ---

_DIRECT_METHODS = {"astype": _astype, "reshape": _reshape, "transpose": _transpose,
                   "flatten": manipulation.ravel, "round": ufuncs.round}
_AT_OPS = {"set": "set", "add": "add", "subtract": "sub", "multiply": "mul", "mul": "mul",
           "min": "min", "max": "max"}


def method_function(name: str) -> Callable | None:
    """The axc.numpy function that ``x.name(*args)`` calls as ``function(x, *args)``."""
    if name in _DIRECT_METHODS:
        return _DIRECT_METHODS[name]
    for module, names in _METHODS.items():
        if name in names:
            return getattr(module, name)
    return None


def property_function(name: str) -> Callable | None:
    """The axc.numpy function computing the property ``x.name`` (``T``, ``real``, ...)."""
    if name == "at" or name not in _PROPERTIES:
        return None
    module, fn = _PROPERTIES[name]
    return getattr(module, fn)


def at_function(name: str) -> Callable | None:
    """``function(x, *values, index=i)`` computing ``x.at[i].name(*values)``."""
    if name == "get":
        return at_get
    op = _AT_OPS.get(name)
    return None if op is None else _AT_FUNCTIONS[op]


def at_get(x: Any, *, index: Any, **kwargs: Any) -> Array:
    return indexing.getitem(x, index, mode=kwargs.get("mode"),
                            fill_value=kwargs.get("fill_value"))


def _at(op: str) -> Callable:
    def update(x: Any, values: Any, *, index: Any, mode: Any = None, **unused: Any) -> Array:
        return indexing.scatter_update(x, index, values, op, mode=mode)
    update.__name__ = f"at_{op}"
    return update


_AT_FUNCTIONS = {op: _at(op) for op in set(_AT_OPS.values())}
