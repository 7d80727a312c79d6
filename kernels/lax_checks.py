"""Type and structure checks for ``axc.lax`` control flow, with JAX's error messages.

JAX compares the traced outputs of branches and loop bodies; eager axc compares the concrete
arrays they return. The messages follow ``jax._src.lax.control_flow`` word for word.
"""
from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

import numpy as np

from ..runtime import dtypes
from ..runtime.abstract import ShapedArray
from ..runtime.array import Array
from ..runtime.pytree import (
    keystr,
    tree_flatten,
    tree_flatten_with_path,
    tree_structure,
    tree_unflatten,
)
from .numpy.promote import asarray, convert

# --- values and their types ----------------------------------------------------------------

def is_arraylike(x: Any) -> bool:
    """True for values JAX accepts as array leaves (arrays and Python/NumPy scalars)."""
    return isinstance(x, (Array, np.ndarray, np.generic)) or dtypes.is_python_scalar(x) \
        or hasattr(x, "__jax_array__")


def leaf_array(x: Any) -> Array:
    """``x`` as an Array, with JAX's error for values that are not arrays."""
    if not is_arraylike(x):
        raise TypeError(f"Argument '{x}' of type {type(x)} is not a valid JAX type")
    return asarray(x)


def flatten_arrays(tree: Any) -> tuple[list[Array], Any]:
    """A pytree's leaves as Arrays, and its structure."""
    leaves, treedef = tree_flatten(tree)
    return [leaf_array(x) for x in leaves], treedef


def aval(x: Array) -> ShapedArray:
    """The abstract value (shape, dtype, weak type) of a concrete array."""
    return ShapedArray(tuple(x.shape), x.dtype, x.weak_type)


def typematch(a: ShapedArray, b: ShapedArray) -> bool:
    """JAX's ``core.typematch``: shape and dtype agree; weak types are ignored."""
    return a.shape == b.shape and a.dtype == b.dtype


def _str_short(a: ShapedArray) -> str:
    return a.str_short()


def aval_repr(a: ShapedArray) -> str:
    """JAX's ``repr`` of an abstract value, e.g. ``ShapedArray(int32[], weak_type=True)``."""
    weak = ", weak_type=True" if a.weak_type else ""
    return f"ShapedArray({a.str_short()}{weak})"


def _mismatch_extra(a: ShapedArray, b: ShapedArray) -> str:
    why = []
    if a.dtype != b.dtype:
        why.append("the dtypes do not match")
    if a.shape != b.shape:
        why.append("the shapes do not match")
    if not why:
        return ""
    if len(why) == 1:
        return ", so " + why[0]
    return ", so " + ", ".join(why[:-1]) + ", and " + why[-1]


def _capitalize(s: str) -> str:
    return s[0].upper() + s[1:]


def _bullets(diffs: list[str], capitalize: bool = True, compact: bool = False) -> str:
    """JAX's layout of a list of differences (its two bullet styles included)."""
    if len(diffs) == 1:
        return f"{_capitalize(diffs[0]) if capitalize else diffs[0]}.\n"
    if compact:
        return "\n".join(f"  * {d};" for d in diffs[:-1]) + f"\n  * {diffs[-1]}.\n"
    return "\n".join(f"  * {d};\n" for d in diffs[:-1]) + f"  * {diffs[-1]}.\n"


def _fun_sourceinfo(fun: Callable) -> str:
    while hasattr(fun, "func"):  # functools.partial
        fun = fun.func
    fun = inspect.unwrap(fun)
    try:
        code = fun.__code__
        return f"{fun.__name__} at {code.co_filename}:{code.co_firstlineno}"
    except AttributeError:
        return "<unknown>"


def _one_level(x: Any) -> tuple[list[tuple[Any, Any]], Any]:
    """The (key, child) pairs of a pytree node and its one-level structure."""
    pairs, treedef = tree_flatten_with_path(x, is_leaf=lambda y: y is not x)
    return [(path[0], child) for path, child in pairs], treedef


def _equality_errors(path: tuple, t1: Any, t2: Any):
    """JAX's ``tree_util.equality_errors``: where and why two pytrees' structures differ."""
    if tree_structure(t1).num_nodes == 1 and tree_structure(t2).num_nodes == 1 \
            and tree_structure(t1) == tree_structure(t2):
        return
    if type(t1) is not type(t2):
        yield path, str(type(t1)), str(type(t2)), "their Python types differ"
        return
    if isinstance(t1, (list, tuple)) and len(t1) != len(t2):
        name = type(t1).__name__
        yield (path, f"{name} of length {len(t1)}", f"{name} of length {len(t2)}",
               "the lengths do not match")
        return
    c1, s1 = _one_level(t1)
    c2, s2 = _one_level(t2)
    if len(c1) != len(c2):
        keys = {k for k, _ in c1} ^ {k for k, _ in c2}
        diff = " ".join(repr(getattr(k, "key", k)) for k in keys)
        plural = lambda n: "ren" if n > 1 else ""
        yield (path, f"{type(t1)} with {len(c1)} child{plural(len(c1))}",
               f"{type(t2)} with {len(c2)} child{plural(len(c2))}",
               "the numbers of children do not match"
               + (f", with the symmetric difference of key sets: {{{diff}}}" if diff else ""))
        return
    if s1 != s2:
        meta1 = tuple(sorted(t1)) if isinstance(t1, dict) else s1
        meta2 = tuple(sorted(t2)) if isinstance(t2, dict) else s2
        yield (path, f"{type(t1)} with pytree metadata {meta1}",
               f"{type(t2)} with pytree metadata {meta2}",
               "the pytree node metadata does not match")
        return
    for (k, a), (_, b) in zip(c1, c2):
        yield from _equality_errors((*path, k), a, b)


# Stands for an array leaf when branch structures are compared; its type prints as JAX's.
_Leaf = type("LeafMeta", (type,), {"__repr__": lambda _: "pytree leaf"})("Leaf", (), {})


def _avals_tree(leaves: list[Array], treedef: Any) -> Any:
    return tree_unflatten(treedef, [aval(x) for x in leaves])


def _skeleton(treedef: Any) -> Any:
    return tree_unflatten(treedef, [_Leaf() for _ in range(treedef.num_leaves)])


# --- branches and carries ------------------------------------------------------------

def check_branch_outputs(api: str, name1: str, name2: str, f1: Callable, f2: Callable,
                         out1: tuple[list[Array], Any], out2: tuple[list[Array], Any]) -> None:
    """JAX's ``_check_branch_outputs``: same pytree structure, then same types leafwise."""
    (leaves1, tree1), (leaves2, tree2) = out1, out2
    info = f"{name1} is {_fun_sourceinfo(f1)}\n{name2} is {_fun_sourceinfo(f2)}\n\n"
    paths = [p for p, _ in tree_flatten_with_path(_skeleton(tree1))[0]]
    component = (lambda p: f" at path {keystr(p)}" if p else "")
    if tree1 != tree2:
        diffs = [f"{name1} output{component(p)} is a {a} but {name2} output{component(p)} is "
                 f"a {b}, so {why}"
                 for p, a, b, why in _equality_errors((), _skeleton(tree1), _skeleton(tree2))]
        if not diffs:
            return
        differences = _bullets(diffs, capitalize=False)
        raise TypeError(f"{api} branch outputs must have the same pytree structure, but they "
                        f"differ:\n\n{info}{differences}\nRevise {name1} and/or {name2} so that "
                        f"they have the same pytree structure.")
    avals1, avals2 = [aval(x) for x in leaves1], [aval(x) for x in leaves2]
    diffs = [f"the output of {name1}{component(p)} has type {_str_short(a)} but the "
             f"corresponding output of {name2} has type {_str_short(b)}{_mismatch_extra(a, b)}"
             for p, a, b in zip(paths, avals1, avals2) if not typematch(a, b)]
    if diffs:
        raise TypeError(f"{api} branches must have equal output types but they differ.\n\n"
                        f"{info}{_bullets(diffs, compact=True)}\nRevise {name1} and/or {name2} so "
                        f"that all output types match.")


def _carry_name(fun: Callable) -> str | None:
    try:
        params = list(inspect.signature(fun).parameters)
    except (ValueError, TypeError):
        return None
    return params[0] if params else None


def check_carry_type(name: str, body_fun: Callable, in_leaves: list[Array], in_tree: Any,
                     out_leaves: list[Array], out_tree: Any) -> None:
    """JAX's ``_check_carry_type``: the body returns the carry's structure and types."""
    carry = _carry_name(body_fun)
    if carry:
        component = (lambda p: f"the input carry component {carry}{keystr(p)}" if p
                     else f"the input carry {carry}")
    else:
        component = (lambda p: f"the input carry at path {keystr(p)}" if p
                     else "the input carry")
    if in_tree != out_tree:
        diffs = [f"{component(p)} is a {a} but the corresponding component of the carry "
                 f"output is a {b}, so {why}"
                 for p, a, b, why in _equality_errors((), _avals_tree(in_leaves, in_tree),
                                                      _avals_tree(out_leaves, out_tree))]
        if not diffs:
            return
        raise TypeError(f"{name} function carry input and carry output must have the same "
                        f"pytree structure, but they differ:\n\n{_bullets(diffs)}\nRevise the "
                        f"function so that the carry output has the same pytree structure as "
                        f"the carry input.")
    paths = [p for p, _ in tree_flatten_with_path(_skeleton(in_tree))[0]]
    diffs = [f"{component(p)} has type {_str_short(a)} but the corresponding output carry "
             f"component has type {_str_short(b)}{_mismatch_extra(a, b)}"
             for p, a, b in zip(paths, [aval(x) for x in in_leaves], [aval(x) for x in out_leaves])
             if not typematch(a, b)]
    if diffs:
        raise TypeError(f"{name} function carry input and carry output must have equal types, "
                        f"but they differ:\n\n{_bullets(diffs)}\nRevise the function so that "
                        f"all output types match the corresponding input types.")


def promote_weak(init: list[Array], out: list[Array]) -> tuple[list[Array], bool]:
    """JAX's ``_promote_weak_typed_input``: a weak initial carry takes the body's dtype."""
    new, changed = [], False
    for x, y in zip(init, out):
        if x.weak_type and not typematch(aval(x), aval(y)):
            dt = dtypes.result_type(x, aval(y))
            new.append(convert(x, dt, False))
            changed = True
        else:
            new.append(x)
    return new, changed


def check_pred(out: Any) -> bool:
    """``cond_fun``'s output as a Python bool; it must be a boolean scalar, as in JAX."""
    leaves, treedef = tree_flatten(out)
    if len(leaves) != 1 or treedef.num_nodes != 1:
        raise TypeError(f"cond_fun must return a boolean scalar, but got pytree {treedef}.")
    pred = leaf_array(leaves[0])
    if pred.shape != () or pred.dtype != dtypes.bool_:
        raise TypeError(f"cond_fun must return a boolean scalar, but got output type(s) "
                        f"[{aval_repr(aval(pred))}].")
    return bool(pred)
