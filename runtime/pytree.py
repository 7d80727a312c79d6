"""Pytrees with JAX's semantics: flatten, unflatten, map and key paths over nested containers."""
from __future__ import annotations

import collections
import dataclasses
import functools
import operator
from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Any, NamedTuple, TypeVar

if TYPE_CHECKING:
    from typing_extensions import Self

T = TypeVar("T")
_LEAF, _NONE, _TUPLE, _LIST, _DICT, _NAMEDTUPLE, _CUSTOM = range(7)


# ---- key path entries --------------------------------------------------------------------

@dataclasses.dataclass(frozen=True, slots=True)
class SequenceKey:
    """Key of a child of a tuple or list: its index."""
    idx: int
    def __str__(self) -> str:
        return f"[{self.idx!r}]"


@dataclasses.dataclass(frozen=True, slots=True)
class DictKey:
    """Key of a child of a dict-like node: its dictionary key."""
    key: Any
    def __str__(self) -> str:
        return f"[{self.key!r}]"


@dataclasses.dataclass(frozen=True, slots=True)
class GetAttrKey:
    """Key of a child reached by attribute access (namedtuple and dataclass fields)."""
    name: str
    def __str__(self) -> str:
        return f".{self.name}"


@dataclasses.dataclass(frozen=True, slots=True)
class FlattenedIndexKey:
    """Key of a child of a custom node registered without keys: its position."""
    key: int
    def __str__(self) -> str:
        return f"[<flat index {self.key}>]"


KeyEntry = Any
KeyPath = tuple[KeyEntry, ...]


def keystr(keys: KeyPath, *, simple: bool = False, separator: str = "") -> str:
    """Render a key path as a string, e.g. ``['a'][0].x``.

    Parameters
    ----------
    keys : tuple of key entries.
    simple : if True, render each entry by its bare key (``a``, ``0``, ``x``).
    separator : string placed between entries.
    """
    if not simple:
        return separator.join(map(str, keys))
    bare = [str(getattr(k, k.__match_args__[0])) if hasattr(k, "__match_args__") else str(k)
            for k in keys]
    return separator.join(bare)


# ---- registry ------------------------------------------------------------------------------

class _Entry(NamedTuple):
    flatten: Callable[[Any], tuple[Iterable[Any], Any]]
    unflatten: Callable[[Any, Iterable[Any]], Any]
    flatten_with_keys: Callable[[Any], tuple[Iterable[tuple[KeyEntry, Any]], Any]] | None


_registry: dict[type, _Entry] = {}
_leaf_types: set[type] = set()  # types already seen to be leaves: a fast path in _flatten


def register_pytree_node(nodetype: type, flatten_func: Callable, unflatten_func: Callable,
                         flatten_with_keys_func: Callable | None = None) -> None:
    """Register ``nodetype`` as an internal pytree node.

    Parameters
    ----------
    nodetype : the type to register (matched exactly, not by subclass).
    flatten_func : ``x -> (children, aux_data)``; ``aux_data`` must be hashable and comparable.
    unflatten_func : ``(aux_data, children) -> x``.
    flatten_with_keys_func : optional ``x -> (((key, child), ...), aux_data)`` for key paths.
    """
    if nodetype in _registry or nodetype in (tuple, list, dict, type(None)):
        raise ValueError(f"Duplicate custom PyTreeDef type registration for {nodetype}.")
    _registry[nodetype] = _Entry(flatten_func, unflatten_func, flatten_with_keys_func)
    _leaf_types.discard(nodetype)


def register_pytree_with_keys(nodetype: type, flatten_with_keys: Callable,
                              unflatten_func: Callable,
                              flatten_func: Callable | None = None) -> None:
    """Register ``nodetype`` with a flatten function that also returns each child's key."""
    if flatten_func is None:
        def flatten_func(x: Any) -> tuple[list[Any], Any]:
            keyed, aux = flatten_with_keys(x)
            return [c for _, c in keyed], aux
    register_pytree_node(nodetype, flatten_func, unflatten_func, flatten_with_keys)


def register_pytree_node_class(cls: type[T]) -> type[T]:
    """Class decorator: register ``cls`` via its ``tree_flatten``/``tree_unflatten`` methods."""
    register_pytree_node(cls, operator.methodcaller("tree_flatten"), cls.tree_unflatten)
    return cls


def register_dataclass(nodetype: type[T], data_fields: Sequence[str] | None = None,
                       meta_fields: Sequence[str] | None = None,
                       drop_fields: Sequence[str] = ()) -> type[T]:
    """Register a dataclass-like type: data fields are children, meta fields are static.

    Parameters
    ----------
    nodetype : the class; returned unchanged, so this works as a decorator.
    data_fields, meta_fields : attribute names; if both are omitted ``nodetype`` must be a
        dataclass and fields marked ``field(metadata=dict(static=True))`` are meta fields.
    drop_fields : dataclass fields left out of the pytree.
    """
    if data_fields is None or meta_fields is None:
        if (data_fields is None) != (meta_fields is None):
            raise TypeError("register_dataclass: data_fields and meta_fields must both be "
                            f"specified when either is. Got {data_fields=} {meta_fields=}.")
        if not dataclasses.is_dataclass(nodetype):
            raise TypeError("register_dataclass: data_fields and meta_fields are required when "
                            f"nodetype is not a dataclass. Got {nodetype=}.")
        fields = [f for f in dataclasses.fields(nodetype) if f.name not in drop_fields]
        data_fields = [f.name for f in fields if not f.metadata.get("static", False)]
        meta_fields = [f.name for f in fields if f.metadata.get("static", False)]
    data, meta = tuple(data_fields), tuple(meta_fields)
    if set(data) & set(meta):
        raise ValueError(f"data_fields {data} and meta_fields {meta} must not overlap.")
    if dataclasses.is_dataclass(nodetype) and {*data, *meta} != (
            {f.name for f in dataclasses.fields(nodetype) if f.init} - set(drop_fields)):
        raise ValueError("data_fields and meta_fields must include all dataclass fields with "
                         "``init=True`` and only them; list the others in drop_fields.")

    def flatten_with_keys(x: Any) -> tuple[list[tuple[GetAttrKey, Any]], tuple]:
        return ([(GetAttrKey(n), getattr(x, n)) for n in data],
                tuple(getattr(x, n) for n in meta))

    def unflatten(aux: tuple, children: Iterable[Any]) -> Any:
        return nodetype(**dict(zip(meta, aux)), **dict(zip(data, children)))

    def flatten(x: Any) -> tuple[list[Any], tuple]:
        return [getattr(x, n) for n in data], tuple(getattr(x, n) for n in meta)

    register_pytree_node(nodetype, flatten, unflatten, flatten_with_keys)
    return nodetype


# ---- treedefs ------------------------------------------------------------------------------

class _Mismatch(Exception):
    """Raised inside ``flatten_up_to``; the key path is collected while unwinding."""

    def __init__(self, title: str, body: str):
        super().__init__(title)
        self.title, self.body, self.rpath = title, body, []

    def error(self, name: str) -> ValueError:
        where = name + keystr(tuple(reversed(self.rpath)))
        return ValueError(f"pytree structure error: {self.title} at key path\n    {where}\n"
                          f"At that key path, the prefix pytree {name} has a subtree of type"
                          f"{self.body}")


def _sorted_keys(d: dict) -> tuple:
    try:
        return tuple(sorted(d))
    except TypeError as e:
        raise ValueError("Comparator raised exception while sorting pytree dictionary keys.") from e


class PyTreeDef:
    """The structure of a pytree: its nodes and where its leaves go, without the leaves."""

    __slots__ = ("_children", "_data", "_entry", "_hash", "_kind", "_type", "num_leaves")

    def __init__(self, kind: int, typ: type | None, data: Any, children: tuple[PyTreeDef, ...],
                 entry: _Entry | None = None, num_leaves: int | None = None):
        self._kind, self._type, self._data = kind, typ, data
        self._children, self._entry, self._hash = children, entry, None
        if num_leaves is None:
            num_leaves = 1 if kind == _LEAF else sum(c.num_leaves for c in children)
        self.num_leaves = num_leaves

    @property
    def num_nodes(self) -> int:
        """The number of nodes, leaves and None included."""
        return 1 + sum(c.num_nodes for c in self._children)

    def unflatten(self, leaves: Iterable[Any]) -> Any:
        """Build a pytree of this structure from ``leaves``."""
        leaves = list(leaves)
        if len(leaves) < self.num_leaves:
            raise ValueError(f"Too few leaves for PyTreeDef; expected {self.num_leaves}, "
                             f"got {len(leaves)}")
        if len(leaves) > self.num_leaves:
            raise ValueError(f"Too many leaves for PyTreeDef; expected {self.num_leaves}.")
        return self._build(iter(leaves))

    def _build(self, it: Any) -> Any:
        kind = self._kind
        if kind == _LEAF:
            return next(it)
        if kind == _NONE:
            return None
        items = [next(it) if c._kind == _LEAF else c._build(it) for c in self._children]
        if kind == _TUPLE:
            return tuple(items)
        if kind == _LIST:
            return items
        if kind == _DICT:
            return dict(zip(self._data, items))
        if kind == _NAMEDTUPLE:
            return self._type(*items)
        return self._entry.unflatten(self._data, tuple(items))

    def flatten_up_to(self, tree: Any) -> list[Any]:
        """Flatten ``tree`` down to this structure: each leaf here takes a whole subtree."""
        out: list[Any] = []
        try:
            self._up_to(tree, out)
        except _Mismatch as m:
            raise m.error("tree") from None
        return out

    def _up_to(self, x: Any, out: list[Any]) -> None:
        kind = self._kind
        if kind == _LEAF:
            out.append(x)
            return
        if type(x) is not self._type:
            raise _Mismatch("different types", f"\n    {self._type}\nbut at the same key path "
                            f"the full pytree has a subtree of different type\n    {type(x)}.")
        if kind == _NONE:
            return
        n = len(self._children)
        if kind == _DICT:
            data = _sorted_keys(x)
            items = [x[k] for k in data]
        elif kind == _CUSTOM:
            items, data = self._entry.flatten(x)
            items = tuple(items)
        else:
            items, data = x, self._data
            if len(x) != n:
                name = self._type.__name__
                raise _Mismatch(f"different lengths of {name}", f" {name} of length {n}, but "
                                "the full pytree has a subtree of the same type but of length "
                                f"{len(x)}.")
        if len(items) != n:
            raise _Mismatch("different numbers of pytree children", f"\n    {self._type}\n"
                            f"with {n} children but at the same key path the full pytree has a "
                            f"subtree of the same type but with {len(items)} children.")
        if data != self._data:
            raise _Mismatch("different pytree metadata", f"\n    {self._type}\nwith metadata"
                            f"\n    {self._data}\nbut at the same key path the full pytree has a "
                            f"subtree of the same type but with metadata\n    {data}")
        for i, (child, item) in enumerate(zip(self._children, items)):
            if child._kind == _LEAF:
                out.append(item)
                continue
            try:
                child._up_to(item, out)
            except _Mismatch as m:
                m.rpath.append(self._child_key(x, i))
                raise

    def _child_key(self, x: Any, i: int) -> KeyEntry:
        entry = self._entry
        if entry is not None and entry.flatten_with_keys is not None:
            return list(entry.flatten_with_keys(x)[0])[i][0]
        return _keys(self._kind, self._type, self._data, i + 1)[i]

    def children(self) -> list[PyTreeDef]:
        """The treedefs of this node's immediate children."""
        return list(self._children)

    def compose(self, inner: PyTreeDef) -> PyTreeDef:
        """This structure with every leaf replaced by ``inner``."""
        if self._kind == _LEAF:
            return inner
        return PyTreeDef(self._kind, self._type, self._data,
                         tuple(c.compose(inner) for c in self._children), self._entry)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, PyTreeDef):
            return NotImplemented
        return (self is other or (self._kind == other._kind and self._type is other._type
                                  and self.num_leaves == other.num_leaves
                                  and self._children == other._children
                                  and self._data == other._data))

    def __hash__(self) -> int:
        if self._hash is None:
            data = self._data if self._kind == _DICT else None
            self._hash = hash((self._kind, self._type, data, self._children))
        return self._hash

    def _text(self) -> str:
        kind = self._kind
        if kind == _LEAF:
            return "*"
        if kind == _NONE:
            return "None"
        parts = [c._text() for c in self._children]
        if kind == _TUPLE:
            return "(" + ", ".join(parts) + ("," if len(parts) == 1 else "") + ")"
        if kind == _LIST:
            return "[" + ", ".join(parts) + "]"
        if kind == _DICT:
            return "{" + ", ".join(f"{k!r}: {p}" for k, p in zip(self._data, parts)) + "}"
        name = self._type.__name__
        head = f"namedtuple[{name}]" if kind == _NAMEDTUPLE else f"{name}[{self._data}]"
        return f"CustomNode({head}, [{', '.join(parts)}])"

    def __repr__(self) -> str:
        return f"PyTreeDef({self._text()})"


_LEAF_DEF = PyTreeDef(_LEAF, None, None, ())
_NONE_DEF = PyTreeDef(_NONE, type(None), None, ())


# ---- flattening ----------------------------------------------------------------------------

def _keys(kind: int, typ: type, data: Any, n: int) -> list[KeyEntry]:
    """Key entries of the children of a node that has no registered key function."""
    if kind == _DICT:
        return [DictKey(k) for k in data]
    if kind == _NAMEDTUPLE:
        return [GetAttrKey(f) for f in typ._fields]
    return [(FlattenedIndexKey if kind == _CUSTOM else SequenceKey)(i) for i in range(n)]


def _flatten(x: Any, is_leaf: Callable[..., bool] | None, leaves: list[Any],
             path: KeyPath | None = None) -> PyTreeDef:
    """Flatten ``x`` into ``leaves``; with a ``path``, leaves are ``(path, leaf)`` pairs."""
    if is_leaf is not None and (is_leaf(x) if path is None else is_leaf(path, x)):
        leaves.append(x if path is None else (path, x))
        return _LEAF_DEF
    t, entry, data, keys = type(x), None, None, None
    if t in _leaf_types:
        leaves.append(x if path is None else (path, x))
        return _LEAF_DEF
    if t is tuple:
        kind, items = _TUPLE, x
    elif t is list:
        kind, items = _LIST, x
    elif t is dict:
        kind, data = _DICT, _sorted_keys(x)
        items = [x[k] for k in data]
    elif x is None:
        return _NONE_DEF
    elif (entry := _registry.get(t)) is not None:
        kind = _CUSTOM
        if path is not None and entry.flatten_with_keys is not None:
            keyed, data = entry.flatten_with_keys(x)
            keyed = list(keyed)
            keys, items = [k for k, _ in keyed], [c for _, c in keyed]
        else:
            items, data = entry.flatten(x)
    elif isinstance(x, tuple) and hasattr(t, "_fields"):
        kind, items = _NAMEDTUPLE, x
    else:
        _leaf_types.add(t)
        leaves.append(x if path is None else (path, x))
        return _LEAF_DEF
    start = len(leaves)
    if path is None:
        children = []
        for c in items:
            if is_leaf is None and type(c) in _leaf_types:  # inlined leaf case, for speed
                leaves.append(c)
                children.append(_LEAF_DEF)
            else:
                children.append(_flatten(c, is_leaf, leaves))
        children = tuple(children)
    else:
        items = tuple(items)
        keys = keys or _keys(kind, t, data, len(items))
        children = tuple([_flatten(c, is_leaf, leaves, (*path, k)) for k, c in zip(keys, items)])
    return PyTreeDef(kind, t, data, children, entry, len(leaves) - start)


def tree_flatten(tree: Any, is_leaf: Callable[[Any], bool] | None = None,
                 ) -> tuple[list[Any], PyTreeDef]:
    """Flatten a pytree into ``(leaves, treedef)``; dict children go in sorted key order.

    Parameters
    ----------
    tree : the pytree.
    is_leaf : optional predicate; a subtree for which it returns True is taken as one leaf.
    """
    leaves: list[Any] = []
    treedef = _flatten(tree, is_leaf, leaves)
    return leaves, treedef


def tree_unflatten(treedef: PyTreeDef, leaves: Iterable[Any]) -> Any:
    """Rebuild a pytree from a ``treedef`` and its ``leaves``."""
    return treedef.unflatten(leaves)


def tree_leaves(tree: Any, is_leaf: Callable[[Any], bool] | None = None) -> list[Any]:
    """The leaves of a pytree, in ``tree_flatten`` order."""
    leaves: list[Any] = []
    _flatten(tree, is_leaf, leaves)
    return leaves


def tree_structure(tree: Any, is_leaf: Callable[[Any], bool] | None = None) -> PyTreeDef:
    """The PyTreeDef of a pytree."""
    return _flatten(tree, is_leaf, [])


def _up_to_all(treedef: PyTreeDef, rest: tuple[Any, ...]) -> list[list[Any]]:
    others: list[list[Any]] = []
    try:
        for tree in rest:
            others.append([])
            treedef._up_to(tree, others[-1])
    except _Mismatch as m:
        raise m.error("tree_map tree") from None
    return others


def tree_map(f: Callable[..., Any], tree: Any, *rest: Any,
             is_leaf: Callable[[Any], bool] | None = None) -> Any:
    """Apply ``f`` leafwise over ``tree`` and the trees in ``rest``, which ``tree`` must prefix.

    Raises
    ------
    ValueError : if a tree in ``rest`` does not have ``tree``'s structure down to its leaves.
    """
    leaves, treedef = tree_flatten(tree, is_leaf)
    if not rest:
        return treedef.unflatten([f(x) for x in leaves])
    others = _up_to_all(treedef, rest)
    return treedef.unflatten([f(*xs) for xs in zip(leaves, *others)])


def tree_flatten_with_path(tree: Any, is_leaf: Callable[..., bool] | None = None,
                           is_leaf_takes_path: bool = False,
                           ) -> tuple[list[tuple[KeyPath, Any]], PyTreeDef]:
    """Like ``tree_flatten``, but each leaf comes paired with its key path.

    ``is_leaf`` takes ``(path, x)`` if ``is_leaf_takes_path`` is True, else ``x``.
    """
    pred = is_leaf
    if is_leaf is not None and not is_leaf_takes_path:
        def pred(_path: KeyPath, x: Any) -> bool:
            return is_leaf(x)
    leaves: list[tuple[KeyPath, Any]] = []
    treedef = _flatten(tree, pred, leaves, ())
    return leaves, treedef


def tree_leaves_with_path(tree: Any, is_leaf: Callable[..., bool] | None = None,
                          is_leaf_takes_path: bool = False) -> list[tuple[KeyPath, Any]]:
    """The ``(key path, leaf)`` pairs of a pytree."""
    return tree_flatten_with_path(tree, is_leaf, is_leaf_takes_path)[0]


def tree_map_with_path(f: Callable[..., Any], tree: Any, *rest: Any,
                       is_leaf: Callable[..., bool] | None = None,
                       is_leaf_takes_path: bool = False) -> Any:
    """Like ``tree_map``, but ``f`` receives each leaf's key path first."""
    pairs, treedef = tree_flatten_with_path(tree, is_leaf, is_leaf_takes_path)
    others = _up_to_all(treedef, rest)
    return treedef.unflatten([f(p, x, *xs) for (p, x), *xs in zip(pairs, *others)])


# ---- utilities -----------------------------------------------------------------------------

def treedef_is_leaf(treedef: PyTreeDef) -> bool:
    """True if ``treedef`` has a single node (a leaf, or an empty node such as None)."""
    return treedef.num_nodes == 1


def treedef_tuple(treedefs: Iterable[PyTreeDef]) -> PyTreeDef:
    """The treedef of a tuple whose children have the given treedefs."""
    return PyTreeDef(_TUPLE, tuple, None, tuple(treedefs))


def all_leaves(iterable: Iterable[Any], is_leaf: Callable[[Any], bool] | None = None) -> bool:
    """True if every element of ``iterable`` is a leaf."""
    items = list(iterable)
    leaves = tree_leaves(items, is_leaf)
    return len(leaves) == len(items) and all(a is b for a, b in zip(items, leaves))


_NO_INIT: Any = object()


def tree_reduce(function: Callable[[T, Any], T], tree: Any, initializer: Any = _NO_INIT,
                is_leaf: Callable[[Any], bool] | None = None) -> T:
    """``functools.reduce`` over the leaves of ``tree``."""
    if initializer is _NO_INIT:
        return functools.reduce(function, tree_leaves(tree, is_leaf))
    return functools.reduce(function, tree_leaves(tree, is_leaf), initializer)


def tree_all(tree: Any, *, is_leaf: Callable[[Any], bool] | None = None) -> bool:
    """True if every leaf of ``tree`` is truthy."""
    return all(tree_leaves(tree, is_leaf))


def tree_transpose(outer_treedef: PyTreeDef, inner_treedef: PyTreeDef | None,
                   pytree_to_transpose: Any) -> Any:
    """Turn an outer tree of inner trees into an inner tree of outer trees."""
    flat, treedef = tree_flatten(pytree_to_transpose)
    if inner_treedef is None:
        inner_treedef = tree_structure(outer_treedef.flatten_up_to(pytree_to_transpose)[0])
    inner, outer = inner_treedef.num_leaves, outer_treedef.num_leaves
    if treedef.num_leaves != inner * outer:
        raise TypeError(f"Mismatch\n{treedef}\n != \n{outer_treedef.compose(inner_treedef)}")
    rows = [flat[i * inner:(i + 1) * inner] for i in range(outer)]
    return inner_treedef.unflatten([outer_treedef.unflatten(col) for col in zip(*rows)])


# ---- built-in custom nodes -----------------------------------------------------------------

register_pytree_with_keys(
    collections.OrderedDict,
    lambda x: (tuple((DictKey(k), v) for k, v in x.items()), tuple(x)),
    lambda keys, values: collections.OrderedDict(zip(keys, values)))


def _defaultdict_flatten_with_keys(x: collections.defaultdict) -> tuple[tuple, tuple]:
    keys = _sorted_keys(x)
    return tuple((DictKey(k), x[k]) for k in keys), (x.default_factory, keys)


register_pytree_with_keys(
    collections.defaultdict, _defaultdict_flatten_with_keys,
    lambda aux, values: collections.defaultdict(aux[0], zip(aux[1], values)))


class _HashableCallableShim:
    """Delegates call, hash and equality to a wrapped callable (a partial kept unmerged)."""

    def __init__(self, fun: Callable[..., Any]):
        self.fun = fun

    def __call__(self, *args: Any, **kw: Any) -> Any:
        return self.fun(*args, **kw)

    def __hash__(self) -> int:
        return hash(self.fun)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, _HashableCallableShim):
            return self.fun == other.fun
        return self.fun == other

    def __repr__(self) -> str:
        return f"_HashableCallableShim({self.fun!r})"


class Partial(functools.partial):
    """A ``functools.partial`` that is a pytree: bound arguments are children, func is static."""

    def __new__(cls, func: Callable[..., Any], *args: Any, **kw: Any) -> Self:
        if isinstance(func, functools.partial):
            # Box a partial so functools does not merge its arguments into this node's children.
            original, func = func, _HashableCallableShim(func)
            out = super().__new__(cls, func, *args, **kw)
            func.func, func.args, func.keywords = original.func, original.args, original.keywords
            return out
        return super().__new__(cls, func, *args, **kw)


register_pytree_node(
    Partial,
    lambda p: ((p.args, p.keywords), p.func),
    lambda func, xs: Partial(func, *xs[0], **xs[1]))
