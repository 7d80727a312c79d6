"""Pytrees (``axc.tree_util``), checked against ``jax.tree_util`` where JAX is installed."""
import ast
import collections
import dataclasses
import functools
import operator
import pathlib
import sys

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from axc import tree_util as tu

NT = collections.namedtuple("NT", "x y")
Empty = collections.namedtuple("Empty", "")


class Box:
    """A custom node registered with flatten/unflatten functions (no keys)."""

    def __init__(self, a, b, tag="box"):
        self.a, self.b, self.tag = a, b, tag

    def __eq__(self, other):
        return type(other) is Box and (self.a, self.b, self.tag) == (other.a, other.b, other.tag)

    def __repr__(self):
        return f"Box({self.a!r}, {self.b!r}, tag={self.tag!r})"


def _box_flatten(x):
    return (x.a, x.b), x.tag


def _box_unflatten(tag, children):
    return Box(*children, tag=tag)


class Keyed:
    """A custom node registered with keys."""

    def __init__(self, u, v):
        self.u, self.v = u, v

    def __eq__(self, other):
        return type(other) is Keyed and (self.u, self.v) == (other.u, other.v)

    def __repr__(self):
        return f"Keyed({self.u!r}, {self.v!r})"


def _keyed_flatten_with_keys(x, mod):
    return ((mod.GetAttrKey("u"), x.u), (mod.DictKey("vee"), x.v)), None


class Point:
    """A custom node registered with the class decorator."""

    def __init__(self, x, y):
        self.x, self.y = x, y

    def tree_flatten(self):
        return (self.x, self.y), None

    @classmethod
    def tree_unflatten(cls, aux, children):
        return cls(*children)

    def __eq__(self, other):
        return type(other) is Point and (self.x, self.y) == (other.x, other.y)

    def __repr__(self):
        return f"Point({self.x!r}, {self.y!r})"


@dataclasses.dataclass
class Params:
    """A dataclass registered with inferred fields; ``name`` is static."""
    w: object
    b: object
    name: str = dataclasses.field(default="layer", metadata={"static": True})


@dataclasses.dataclass
class Explicit:
    """A dataclass registered with explicit data and meta fields."""
    z: object
    a: object
    scale: float = 1.0


def _add(*args, **kwargs):
    return sum(args) + sum(kwargs.values())


def _register(mod):
    mod.register_pytree_node(Box, _box_flatten, _box_unflatten)
    mod.register_pytree_with_keys(Keyed, functools.partial(_keyed_flatten_with_keys, mod=mod),
                                  lambda aux, ch: Keyed(*ch))
    mod.register_pytree_node_class(Point)
    mod.register_dataclass(Params)
    mod.register_dataclass(Explicit, data_fields=["z", "a"], meta_fields=["scale"])


_register(tu)
_JAX_REGISTERED = []


def _jtu():
    """``jax.tree_util`` with this file's custom types registered (or skip if no JAX)."""
    jax = pytest.importorskip("jax")
    if not _JAX_REGISTERED:
        _register(jax.tree_util)
        _JAX_REGISTERED.append(True)
    return jax.tree_util


def _trees(mod):
    """(id, tree) pairs covering every node kind; ``mod`` supplies ``Partial``."""
    od = collections.OrderedDict([("b", 1), ("a", (2, 3)), ("c", None)])
    dd = collections.defaultdict(list, {"y": [1], "x": 2})
    return [
        ("leaf", 1.5),
        ("none", None),
        ("empty_tuple", ()),
        ("empty_list", []),
        ("empty_dict", {}),
        ("tuple1", (1,)),
        ("list", [1, 2, 3]),
        ("dict", {"b": 1, "a": (2, 3)}),
        ("nested", {"x": [1, (2, None, {"q": 3})], "a": {"z": [], "y": [4, [5]]}}),
        ("none_inside", [None, (None,), {"n": None, "v": 1}]),
        ("int_keys", {3: "c", 1: "a", 2: ("b", "bb")}),
        ("namedtuple", NT(1, [2, NT(3, 4)])),
        ("namedtuple_empty", [Empty(), 1]),
        ("box", Box(1, (2, 3))),
        ("box_in_dict", {"k": Box([1], None, tag=("t", 1))}),
        ("keyed", Keyed(1, [2, {"w": 3}])),
        ("point", [Point(1, 2), Point((3,), None)]),
        ("dataclass", Params(w=np.ones(2), b=[1.0, 2.0], name="dense")),
        ("dataclass_explicit", Explicit(z=1, a=(2,), scale=0.5)),
        ("ordereddict", od),
        ("defaultdict", dd),
        ("partial", mod.Partial(_add, 1, 2, k=3)),
        ("partial_nested", mod.Partial(mod.Partial(_add, 1), 2)),
        ("array_leaves", (np.arange(3), np.float32(2.0), "str", b"bytes")),
        ("mixed", [Params(w=Box(1, 2), b=None), (od, dd), {"p": NT(None, [])}]),
    ]


TREES = _trees(tu)
IDS = [name for name, _ in TREES]


def _tree(name, mod):
    return dict(_trees(mod))[name]


def _shape(mod, tree):
    leaves, treedef = mod.tree_flatten(tree)
    return (repr(leaves), repr(treedef), treedef.num_leaves, treedef.num_nodes,
            [repr(c) for c in treedef.children()])


def _path_view(mod, tree, **kw):
    return [(mod.keystr(p), mod.keystr(p, simple=True, separator="/"), repr(p), repr(x))
            for p, x in mod.tree_leaves_with_path(tree, **kw)]


# ---- flatten / unflatten ---------------------------------------------------------------------

@pytest.mark.parametrize("name", IDS)
def test_flatten_matches_jax(name):
    jtu = _jtu()
    assert _shape(tu, _tree(name, tu)) == _shape(jtu, _tree(name, jtu))


@pytest.mark.parametrize("name", IDS)
def test_roundtrip(name):
    tree = _tree(name, tu)
    leaves, treedef = tu.tree_flatten(tree)
    assert treedef.num_leaves == len(leaves) == len(tu.tree_leaves(tree))
    assert tu.tree_structure(tree) == treedef
    rebuilt = tu.tree_unflatten(treedef, leaves)
    assert type(rebuilt) is type(tree)
    leaves2, treedef2 = tu.tree_flatten(rebuilt)
    assert treedef2 == treedef and all(a is b for a, b in zip(leaves, leaves2, strict=True))
    if name not in ("partial", "partial_nested", "dataclass", "array_leaves", "mixed"):
        assert rebuilt == tree
    assert treedef.unflatten(iter(leaves)) is not None or tree is None


def test_dict_children_sorted_and_rebuilt_sorted():
    tree = {"b": 1, "c": 2, "a": 3}
    leaves, treedef = tu.tree_flatten(tree)
    assert leaves == [3, 1, 2]
    assert list(treedef.unflatten([7, 8, 9])) == ["a", "b", "c"]
    assert repr(treedef) == "PyTreeDef({'a': *, 'b': *, 'c': *})"


def test_ordereddict_and_defaultdict():
    od = collections.OrderedDict([("b", 1), ("a", 2)])
    leaves, treedef = tu.tree_flatten(od)
    assert leaves == [1, 2]
    back = treedef.unflatten([5, 6])
    assert type(back) is collections.OrderedDict and list(back.items()) == [("b", 5), ("a", 6)]
    dd = collections.defaultdict(list, {"b": 1, "a": 2})
    leaves, treedef = tu.tree_flatten(dd)
    assert leaves == [2, 1]
    back = treedef.unflatten([5, 6])
    assert type(back) is collections.defaultdict and back.default_factory is list
    assert dict(back) == {"a": 5, "b": 6}


def test_subclasses_of_builtin_containers_are_leaves():
    class MyDict(dict):
        pass

    class MyList(list):
        pass

    tree = [MyDict(a=1), MyList([1, 2])]
    assert tu.tree_leaves(tree) == tree


def test_unflatten_wrong_leaf_count():
    treedef = tu.tree_structure({"a": 1, "b": (2, 3)})
    with pytest.raises(ValueError, match="Too few leaves for PyTreeDef; expected 3, got 2"):
        treedef.unflatten([1, 2])
    with pytest.raises(ValueError, match="Too many leaves for PyTreeDef; expected 3"):
        treedef.unflatten([1, 2, 3, 4])


def test_unsortable_dict_keys():
    with pytest.raises(ValueError, match="sorting pytree dictionary keys"):
        tu.tree_leaves({1: 2, "a": 3})


# ---- treedefs --------------------------------------------------------------------------------

def test_treedef_equality_and_hash():
    s = tu.tree_structure
    assert s({"a": 1, "b": 2}) == s({"b": 3.0, "a": "x"})
    assert hash(s({"a": 1, "b": 2})) == hash(s({"b": 3.0, "a": "x"}))
    assert s({"a": 1, "b": 2}) != s({"a": 1, "c": 2})
    assert s((1, 2)) != s([1, 2])
    assert s(NT(1, 2)) != s((1, 2))
    assert s(1) == s("leaf") and s(None) != s(1)
    assert s(Box(1, 2, tag="t")) == s(Box(3, 4, tag="t")) != s(Box(1, 2, tag="u"))
    assert s(Box(1, 2, tag=[1])) == s(Box(1, 2, tag=[1]))  # unhashable aux data still compares
    hash(s(Box(1, 2, tag=[1])))
    assert s([1]) != 1 and len({s((1, 2)), s((3, 4)), s([1, 2])}) == 2


@pytest.mark.parametrize("tree,expected", [
    ({"a": 1, "b": (2, 3)}, "PyTreeDef({'a': *, 'b': (*, *)})"),
    ((1,), "PyTreeDef((*,))"),
    ([None, ()], "PyTreeDef([None, ()])"),
    (NT(1, [2]), "PyTreeDef(CustomNode(namedtuple[NT], [*, [*]]))"),
    (Box(1, 2), "PyTreeDef(CustomNode(Box[box], [*, *]))"),
    (Params(1, 2, "n"), "PyTreeDef(CustomNode(Params[('n',)], [*, *]))"),
])
def test_treedef_repr(tree, expected):
    assert repr(tu.tree_structure(tree)) == expected == str(tu.tree_structure(tree))


def test_treedef_helpers_match_jax():
    jtu = _jtu()
    for mod_trees in (_trees(tu), _trees(jtu)):
        assert len(mod_trees) == len(TREES)
    for (name, ours), (_, theirs) in zip(_trees(tu), _trees(jtu), strict=True):
        a, b = tu.tree_structure(ours), jtu.tree_structure(theirs)
        assert tu.treedef_is_leaf(a) == jtu.treedef_is_leaf(b), name
        assert tu.all_leaves([ours]) == jtu.all_leaves([theirs]), name
        if name not in ("dataclass", "array_leaves"):  # multi-element arrays have no truth
            assert tu.tree_all(ours) == jtu.tree_all(theirs), name
    assert tu.all_leaves([1, 2]) and not tu.all_leaves([None]) and not tu.all_leaves([(1,)])
    assert tu.all_leaves([(1,)], is_leaf=lambda x: isinstance(x, tuple))
    compose = tu.tree_structure([1, 2]).compose(tu.tree_structure((1, 1)))
    assert repr(compose) == repr(jtu.tree_structure([1, 2]).compose(jtu.tree_structure((1, 1))))
    assert repr(tu.treedef_tuple([tu.tree_structure(1), tu.tree_structure([1])])) == \
        "PyTreeDef((*, [*]))"


def test_flatten_up_to():
    treedef = tu.tree_structure([1, {"a": 2}])
    assert treedef.flatten_up_to([(1, 2), {"a": [3]}]) == [(1, 2), [3]]
    with pytest.raises(ValueError, match="different types"):
        treedef.flatten_up_to([(1, 2), [3]])


# ---- tree_map ----------------------------------------------------------------------------------

def _numeric(name):
    return name not in ("array_leaves", "dataclass", "mixed", "int_keys")


@pytest.mark.parametrize("name", [n for n in IDS if _numeric(n)])
def test_tree_map_multiple_trees_matches_jax(name):
    jtu = _jtu()
    results = []
    for mod in (tu, jtu):
        tree = _tree(name, mod)
        tens = mod.tree_map(lambda x: x * 10, tree)
        out = mod.tree_map(lambda x, y, z: (x, y, z), tree, tens, tree)
        results.append((repr(mod.tree_leaves(out)), repr(mod.tree_structure(out))))
    assert results[0] == results[1]


def test_tree_map_rest_may_have_subtrees_at_leaves():
    out = tu.tree_map(lambda x, y: (x, y), [1, {"a": 2}], [(3, 4), {"a": {"deep": [5]}}])
    assert out == [(1, (3, 4)), {"a": (2, {"deep": [5]})}]
    assert tu.tree_map(lambda x, y: x + y, (1, None), (2, None)) == (3, None)


@pytest.mark.parametrize("is_leaf", [
    lambda x: isinstance(x, tuple),
    lambda x: x is None,
    lambda x: isinstance(x, list) and len(x) == 1,
    lambda x: isinstance(x, (Box, NT)),
], ids=["tuple", "none", "singleton_list", "custom"])
@pytest.mark.parametrize("name", ["nested", "none_inside", "namedtuple", "box_in_dict", "mixed"])
def test_is_leaf_matches_jax(name, is_leaf):
    jtu = _jtu()
    got = [(repr(tu.tree_leaves(_tree(name, tu), is_leaf=is_leaf)),
            repr(tu.tree_structure(_tree(name, tu), is_leaf=is_leaf)),
            _path_view(tu, _tree(name, tu), is_leaf=is_leaf),
            repr(tu.tree_map(lambda x: ("leaf", x), _tree(name, tu), is_leaf=is_leaf)))]
    want = [(repr(jtu.tree_leaves(_tree(name, jtu), is_leaf=is_leaf)),
             repr(jtu.tree_structure(_tree(name, jtu), is_leaf=is_leaf)),
             _path_view(jtu, _tree(name, jtu), is_leaf=is_leaf),
             repr(jtu.tree_map(lambda x: ("leaf", x), _tree(name, jtu), is_leaf=is_leaf)))]
    assert got == want


def test_tree_map_is_leaf_applies_to_first_tree_only():
    out = tu.tree_map(lambda x, y: (x, y), {"a": (1, 2)}, {"a": [3, 4]},
                      is_leaf=lambda x: isinstance(x, tuple))
    assert out == {"a": ((1, 2), [3, 4])}


MISMATCHES = [
    ((1, 2), (1, 2, 3)),
    ((1, 2), [1, 2]),
    ({"a": 1}, {"b": 1}),
    ({"a": 1}, {"a": 1, "b": 2}),
    (NT(1, 2), (1, 2)),
    (Box(1, 2), (1, 2)),
    (Box(1, 2, tag="x"), Box(1, 2, tag="y")),
    ([None, 1], [2, 3]),
    ({"k": [1, (2, 3)]}, {"k": [1, (2,)]}),
    ((1, 2), 1),
    ({"a": 1}, collections.OrderedDict(a=1)),
    (Keyed(1, [2]), Keyed(1, (2,))),
    (Params(1, [2]), Params(1, (2,))),
]


@pytest.mark.parametrize("a,b", MISMATCHES, ids=range(len(MISMATCHES)))
def test_tree_map_mismatch_raises_like_jax(a, b):
    with pytest.raises(ValueError) as ours:
        tu.tree_map(lambda *xs: xs, a, b)
    jtu = _jtu()
    with pytest.raises(ValueError) as theirs:
        jtu.tree_map(lambda *xs: xs, a, b)
    ours_lines, theirs_lines = str(ours.value).splitlines(), str(theirs.value).splitlines()
    assert ours_lines[:2] == theirs_lines[:2]  # the kind of mismatch and the key path
    if "metadata" not in ours_lines[0] and "children" not in ours_lines[0]:  # JAX lists keys
        assert ours_lines == theirs_lines


# ---- key paths ---------------------------------------------------------------------------------

@pytest.mark.parametrize("name", IDS)
def test_paths_match_jax(name):
    jtu = _jtu()
    assert _path_view(tu, _tree(name, tu)) == _path_view(jtu, _tree(name, jtu))
    tree = _tree(name, tu)
    ours, treedef = tu.tree_flatten_with_path(tree)
    assert treedef == tu.tree_structure(tree)
    assert all(a is b for (_, a), b in zip(ours, tu.tree_leaves(tree), strict=True))


def test_tree_map_with_path_matches_jax():
    jtu = _jtu()
    results = []
    for mod in (tu, jtu):
        tree = _tree("mixed", mod)
        out = mod.tree_map_with_path(lambda p, x, y, k=mod.keystr: (k(p), repr(x), repr(y)),
                                     tree, tree)
        taken = mod.tree_leaves_with_path(
            tree, is_leaf=lambda p, x: len(p) == 2, is_leaf_takes_path=True)
        results.append((repr(out), repr(taken)))
    assert results[0] == results[1]


def test_key_entries():
    path = (tu.DictKey("a"), tu.SequenceKey(0), tu.GetAttrKey("x"), tu.FlattenedIndexKey(3))
    assert tu.keystr(path) == "['a'][0].x[<flat index 3>]"
    assert tu.keystr(path, simple=True, separator="/") == "a/0/x/3"
    assert [repr(k) for k in path] == [
        "DictKey(key='a')", "SequenceKey(idx=0)", "GetAttrKey(name='x')",
        "FlattenedIndexKey(key=3)"]
    assert tu.DictKey("a") == tu.DictKey("a") and hash(tu.SequenceKey(1)) == hash(
        tu.SequenceKey(1))
    match tu.DictKey(key="k"):
        case tu.DictKey(key=k):
            assert k == "k"


def test_keystr_matches_jax():
    jtu = _jtu()
    def path(m):
        return (m.DictKey(1), m.DictKey("s"), m.SequenceKey(2), m.GetAttrKey("f"),
                m.FlattenedIndexKey(0))

    for kw in ({}, {"simple": True}, {"simple": True, "separator": "."}, {"separator": " "}):
        assert tu.keystr(path(tu), **kw) == jtu.keystr(path(jtu), **kw)


# ---- registration --------------------------------------------------------------------------

def test_register_dataclass_decorator_and_statics():
    @tu.register_dataclass
    @dataclasses.dataclass
    class Layer:
        w: object
        act: str = dataclasses.field(default="relu", metadata={"static": True})

    leaves, treedef = tu.tree_flatten(Layer(w=[1, 2], act="tanh"))
    assert leaves == [1, 2]
    assert repr(treedef) == "PyTreeDef(CustomNode(Layer[('tanh',)], [[*, *]]))"
    assert treedef.unflatten([3, 4]) == Layer(w=[3, 4], act="tanh")
    assert tu.tree_structure(Layer(1, "a")) != tu.tree_structure(Layer(1, "b"))
    assert tu.keystr(tu.tree_leaves_with_path(Layer(w=1))[0][0]) == ".w"


def test_register_dataclass_errors():
    @dataclasses.dataclass
    class D:
        a: int
        b: int

    with pytest.raises(ValueError, match="must include all dataclass fields"):
        tu.register_dataclass(D, data_fields=["a"], meta_fields=[])
    with pytest.raises(TypeError, match="must both be specified"):
        tu.register_dataclass(D, data_fields=["a", "b"])
    with pytest.raises(TypeError, match="required when nodetype is not a dataclass"):
        tu.register_dataclass(Box)
    with pytest.raises(ValueError, match="overlap"):
        tu.register_dataclass(D, data_fields=["a", "b"], meta_fields=["a"])
    with pytest.raises(ValueError, match="Duplicate custom PyTreeDef type registration"):
        tu.register_pytree_node(Box, _box_flatten, _box_unflatten)
    with pytest.raises(ValueError, match="Duplicate custom PyTreeDef type registration"):
        tu.register_pytree_node(tuple, _box_flatten, _box_unflatten)


def test_registering_a_type_after_it_was_seen_as_leaf():
    class Late:
        def __init__(self, v):
            self.v = v

    assert tu.tree_leaves([Late(1)])[0].v == 1
    tu.register_pytree_node(Late, lambda x: ((x.v,), None), lambda _, ch: Late(*ch))
    assert tu.tree_leaves([Late(1)]) == [1]


def test_custom_unflatten_receives_tuple_of_children():
    seen = []

    class Rec:
        def __init__(self, *ch):
            self.ch = ch

    tu.register_pytree_node(Rec, lambda x: (list(x.ch), None),
                            lambda _, ch: seen.append(type(ch)) or Rec(*ch))
    tu.tree_map(lambda x: x + 1, Rec(1, 2))
    assert seen == [tuple]


# ---- Partial, reductions, transpose -----------------------------------------------------------

def test_partial():
    p = tu.Partial(_add, 1, k=2)
    assert p(3) == 6 and isinstance(p, functools.partial)
    assert tu.tree_leaves(p) == [1, 2]
    doubled = tu.tree_map(lambda x: 10 * x, p)
    assert type(doubled) is tu.Partial and doubled(3) == 33
    nested = tu.Partial(tu.Partial(_add, 1), 2)
    assert tu.tree_leaves(nested) == [2] and nested() == 3
    assert tu.tree_structure(tu.Partial(_add, 1)) == tu.tree_structure(tu.Partial(_add, 5))
    assert tu.tree_structure(tu.Partial(_add, 1)) != tu.tree_structure(tu.Partial(print, 1))


def test_reduce_and_all():
    assert tu.tree_reduce(operator.add, [1, (2, 3), {"a": 4}]) == 10
    assert tu.tree_reduce(operator.add, [], 7) == 7
    assert tu.tree_reduce(operator.add, [(1, 2), (3,)], (), is_leaf=lambda x: isinstance(
        x, tuple)) == (1, 2, 3)
    with pytest.raises(TypeError):
        tu.tree_reduce(operator.add, [])
    assert tu.tree_all([1, (True, None)]) and not tu.tree_all({"a": 0})
    assert tu.tree_all([None]) and tu.tree_all([[0]], is_leaf=lambda x: x == [0])


def test_transpose_matches_jax():
    jtu = _jtu()
    tree = [(1, 2, 3), (4, 5, 6)]
    for mod in (tu, jtu):
        outer, inner = mod.tree_structure([0, 0]), mod.tree_structure((0, 0, 0))
        assert mod.tree_transpose(outer, inner, tree) == ([1, 4], [2, 5], [3, 6])
        assert mod.tree_transpose(outer, None, tree) == ([1, 4], [2, 5], [3, 6])
    with pytest.raises(TypeError, match="Mismatch"):
        tu.tree_transpose(tu.tree_structure([0, 0]), tu.tree_structure((0, 0)), tree)
    d = {"a": {"x": 1, "y": 2}, "b": {"x": 3, "y": 4}}
    args = (tu.tree_structure({"a": 0, "b": 0}), tu.tree_structure({"x": 0, "y": 0}), d)
    assert tu.tree_transpose(*args) == {"x": {"a": 1, "b": 3}, "y": {"a": 2, "b": 4}}


# ---- property tests -----------------------------------------------------------------------------

_leaf = st.one_of(st.integers(-5, 5), st.floats(allow_nan=False, width=32), st.text(max_size=2))
_trees_st = st.recursive(
    st.one_of(_leaf, st.none()),
    lambda kids: st.one_of(
        st.lists(kids, max_size=3),
        st.lists(kids, max_size=3).map(tuple),
        st.dictionaries(st.text("abc", min_size=1, max_size=2), kids, max_size=3),
        st.tuples(kids, kids).map(lambda t: NT(*t)),
        st.tuples(kids, kids).map(lambda t: Box(*t)),
        st.dictionaries(st.sampled_from("xyz"), kids, max_size=3).map(
            collections.OrderedDict),
    ),
    max_leaves=12)


@settings(max_examples=150, deadline=None)
@given(_trees_st)
def test_random_trees_roundtrip(tree):
    leaves, treedef = tu.tree_flatten(tree)
    assert treedef.unflatten(leaves) == tree
    assert tu.tree_map(lambda x: x, tree) == tree
    assert [x for _, x in tu.tree_leaves_with_path(tree)] == leaves


@settings(max_examples=100, deadline=None)
@given(_trees_st)
def test_random_trees_match_jax(tree):
    jtu = _jtu()
    assert _shape(tu, tree) == _shape(jtu, tree)
    assert _path_view(tu, tree) == _path_view(jtu, tree)


# ---- hygiene ---------------------------------------------------------------------------------

def test_library_does_not_import_jax():
    source = pathlib.Path(sys.modules[tu.tree_map.__module__].__file__).read_text()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            assert not any(a.name.split(".")[0] == "jax" for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0:
            assert node.module.split(".")[0] != "jax"
