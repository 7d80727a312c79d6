"""Activity analysis and A-normal form for the AD transforms.

A value is *active* when it depends on a differentiated input through differentiable
operations. Active expressions are flattened so that each assignment applies one operation
to atoms (names or constants); inactive code (shapes, dtypes, flags, error checks) is left as
written, so short-circuiting and readability survive. Each active assignment carries an
``Op`` (``node.axc_op``) telling the transforms what it computes. Source positions are kept.
"""
from __future__ import annotations

import builtins
import copy
from dataclasses import dataclass, field
from typing import Any

from ...kernels import elementwise as ew
from ...kernels.numpy import array_methods, products, ufuncs
from ..transforms.callees import CONVERT, HELPER, INACTIVE, UNKNOWN, Callee, classify
from . import fence
from .errors import FrontendError
from .gast_compat import gast
from .resolve import UNRESOLVED, Resolver
from .source import ParsedFunction

# Attributes of arrays that are static facts, never derivatives.
INACTIVE_ATTRS = {"shape", "dtype", "ndim", "size", "weak_type", "sharding", "itemsize",
                  "nbytes", "aval", "device"}
# Methods of an active value whose result is plain Python (a derivative cannot flow).
CONVERT_METHODS = {"item", "tolist", "__float__", "__int__"}
INACTIVE_METHODS = {"argmax", "argmin", "argsort", "nonzero", "searchsorted", "all", "any",
                    "devices", "block_until_ready", "keys", "index", "count"}
CONTAINER_METHODS = {"items", "values", "get", "copy"}

_OPERATORS = {gast.Add: ufuncs.add, gast.Sub: ufuncs.subtract, gast.Mult: ufuncs.multiply,
              gast.Div: ufuncs.true_divide, gast.FloorDiv: ufuncs.floor_divide,
              gast.Mod: ufuncs.remainder, gast.Pow: ufuncs.power,
              gast.MatMult: products.matmul}
_UNARY = {gast.USub: ufuncs.negative, gast.UAdd: ufuncs.positive}


class UnsupportedAD(FrontendError, NotImplementedError):
    """Code that the AD transforms cannot differentiate (the message says why and where)."""


@dataclass
class Op:
    """What an active assignment computes.

    kind: ``call`` (``callee`` applied to ``operands``/``keywords``), ``getitem``
    (``operands[0][index]``), ``getattr`` (a field of a container), ``build`` (a tuple, list
    or dict display of ``operands``), ``unpack`` (the target tuple from ``operands[0]``) or
    ``copy``.
    """

    kind: str
    operands: list = field(default_factory=list)
    keywords: dict = field(default_factory=dict)
    callee: Callee | None = None
    index: Any = None          # getitem: the index expression; getattr: the field name
    keys: list | None = None   # build of a dict: the key expressions
    container: str = ""        # build: "tuple" | "list" | "dict"
    dynamic: Any = None        # call of a function value known only at run time
    star_kwargs: list = field(default_factory=list)  # ``**options`` keywords (inactive)


class Normalizer:
    """Flattens the active expressions of one function (``run``)."""

    def __init__(self, parsed: ParsedFunction, active_args: set[str]) -> None:
        self.parsed = parsed
        self.resolver = Resolver(parsed)
        self.active = set(active_args)
        self._counts: dict[str, int] = {}
        self._reserved = set(self.resolver.local) | set(parsed.globals) | \
            set(parsed.closure) | set(dir(builtins))

    # --- activity -------------------------------------------------------------------------

    def analyse(self, fn: gast.FunctionDef) -> None:
        """Grow ``self.active`` to a fixpoint over every assignment (loops feed back)."""
        while True:
            before = len(self.active)
            for node in gast.walk(fn):
                for target, value in _bindings(node):
                    if self.is_active(value):
                        self.active |= _stored_names(target)
            if len(self.active) == before:
                return

    def is_active(self, e: gast.expr) -> bool:
        if isinstance(e, gast.Name):
            return e.id in self.active
        if isinstance(e, gast.Attribute):
            if self.resolver.expr(e) is not UNRESOLVED or e.attr in INACTIVE_ATTRS:
                return False
            return self.is_active(e.value)
        if isinstance(e, gast.Subscript):
            return self.is_active(e.value)
        if isinstance(e, gast.Call):
            return self._call_active(e)
        if isinstance(e, gast.BinOp):
            return self.is_active(e.left) or self.is_active(e.right)
        if isinstance(e, gast.UnaryOp):
            return not isinstance(e.op, gast.Not) and self.is_active(e.operand)
        if isinstance(e, gast.IfExp):
            return self.is_active(e.body) or self.is_active(e.orelse)
        if isinstance(e, (gast.Tuple, gast.List, gast.Set)):
            return any(self.is_active(x) for x in e.elts)
        if isinstance(e, gast.Dict):
            return any(self.is_active(x) for x in e.values)
        if isinstance(e, gast.Starred):
            return self.is_active(e.value)
        if isinstance(e, (gast.ListComp, gast.SetComp, gast.GeneratorExp, gast.DictComp)):
            return self._comprehension_active(e)
        return False  # constants, comparisons, boolean ops, lambdas, f-strings

    def _comprehension_active(self, e: gast.expr) -> bool:
        """Whether a comprehension yields differentiated values (it is then refused when
        flattened: better than a derivative silently lost)."""
        saved = set(self.active)
        try:
            for gen in e.generators:
                if self.is_active(gen.iter):
                    self.active |= _stored_names(gen.target)
            elts = [e.key, e.value] if isinstance(e, gast.DictComp) else [e.elt]
            return any(self.is_active(x) for x in elts)
        finally:
            self.active = saved

    def _call_active(self, e: gast.Call) -> bool:
        args_active = any(self.is_active(a) for a in e.args) or \
            any(self.is_active(k.value) for k in e.keywords)
        func = e.func
        obj = self.resolver.expr(func)
        if obj is UNRESOLVED:
            if isinstance(func, gast.Attribute) and self.is_active(func.value):
                return func.attr not in INACTIVE_METHODS | CONVERT_METHODS
            return args_active
        if _at_chain(func) is not None:
            return args_active or self.is_active(_at_chain(func)[0])
        callee = classify(obj)
        if callee.kind == HELPER and callee.rule.always:
            return True  # a tape effect: its adjoint must run, to keep the tapes aligned
        return callee.kind not in (INACTIVE, CONVERT) and args_active

    # --- flattening -----------------------------------------------------------------------

    def run(self) -> gast.FunctionDef:
        if not (getattr(self.parsed.fn, "__module__", None) or "").startswith("axc."):
            fence.check(self.parsed)  # axc's own functions are written within the fence
        fn = copy.deepcopy(self.parsed.node)
        if _returns(fn.body) != "always" or not isinstance(fn.body[-1], gast.Return) or \
                any(isinstance(n, gast.Return) for s in fn.body[:-1] for n in gast.walk(s)):
            self.result = self.fresh("result")
            fn.body = single_exit(fn.body, self.result, self._error)
        self.parsed_node = fn
        self.analyse(fn)
        fn.body = self.block(fn.body)
        return fn

    def block(self, stmts: list) -> list:
        out: list = []
        for s in stmts:
            out.extend(self.stmt(s))
        return out

    def stmt(self, s: gast.stmt) -> list:
        if isinstance(s, gast.Assign):
            return self._assign(s, s.targets, s.value)
        if isinstance(s, gast.AnnAssign):
            return self._assign(s, [s.target], s.value) if s.value is not None else []
        if isinstance(s, gast.AugAssign):
            target = copy.deepcopy(s.target)
            load = _as_load(copy.deepcopy(s.target))
            value = gast.BinOp(left=load, op=s.op, right=s.value)
            _copy_pos(value, s)
            return self._assign(s, [target], value)
        if isinstance(s, gast.If):
            pre, test = self._inactive_test(s.test, s)
            s.body, s.orelse = self.block(s.body), self.block(s.orelse)
            s.test = test
            return pre + [s]
        if isinstance(s, gast.While):
            if self.is_active(s.test):
                raise self._error(s.test, "a loop condition must be a Python bool",
                                  "compare arrays with jnp functions and reduce them first")
            s.body = self.block(s.body)
            return [s]
        if isinstance(s, gast.For):
            return self._for(s)
        if isinstance(s, gast.Return):
            if s.value is None or not self.is_active(s.value):
                return [s]
            pre, atom = self.atomize(s.value)
            s.value = atom
            return pre + [s]
        if isinstance(s, gast.Expr):
            if self.is_active(s.value):
                pre, _ = self.atomize(s.value)
                return pre
            return [s]
        if isinstance(s, gast.FunctionDef):
            return [s]
        return [s]  # pass, assert, raise, break, continue: inactive by construction

    def _inactive_test(self, test: gast.expr, s: gast.stmt) -> tuple[list, gast.expr]:
        """An active condition is computed first (its value is concrete when it runs)."""
        if self.is_active(test):
            return self.atomize(test, "flag")
        return [], test

    def _for(self, s: gast.For) -> list:
        pre: list = []
        if isinstance(s.iter, gast.Call) and len(s.iter.args) == 1 and \
                self.resolver.expr(s.iter.func) is range and self.is_active(s.iter.args[0]):
            pre, atom = self.atomize(s.iter.args[0], "trips")   # range(ad.pop(tape))
            s.iter.args[0] = atom
            self.active.discard(atom.id)
            s.body = self.block(s.body)
            return pre + [s]
        if self.is_active(s.iter):
            return self._indexed_for(s)
        s.body = self.block(s.body)
        return [s]

    def _indexed_for(self, s: gast.For) -> list:
        """``for x in xs`` over differentiated values as ``for i in range(len(xs)):
        x = xs[i]`` (also through ``enumerate`` and ``zip``), so each item is an indexing
        operation with an adjoint."""
        it, target = s.iter, s.target
        fn = self.resolver.expr(it.func) if isinstance(it, gast.Call) else None
        counter = None
        if fn is enumerate and len(it.args) == 1 and isinstance(target, gast.Tuple):
            seqs, counter, items = [it.args[0]], target.elts[0], [target.elts[1]]
        elif fn is zip and isinstance(target, gast.Tuple) and len(target.elts) == len(it.args):
            seqs, items = list(it.args), list(target.elts)
        else:
            seqs, items = [it], [target]
        pre, atoms = self._atoms(seqs)
        index = self.fresh("index")
        lengths = [gast.Call(func=_name("len", gast.Load()), args=[a], keywords=[])
                   for a in atoms]
        count = lengths[0] if len(lengths) == 1 else gast.Call(
            func=_name("min", gast.Load()), args=lengths, keywords=[])
        head = []
        if counter is not None:
            head.append(_copy_pos(gast.Assign(targets=[counter], value=_name(index, gast.Load()),
                                              type_comment=None), s))
        for atom, item in zip(atoms, items):
            value = _copy_pos(gast.Subscript(value=atom, slice=_name(index, gast.Load()),
                                             ctx=gast.Load()), s)
            assign = _copy_pos(gast.Assign(targets=[item], value=value, type_comment=None), s)
            head += self.stmt(assign)
        loop = gast.For(target=_name(index, gast.Store()),
                        iter=gast.Call(func=_name("range", gast.Load()), args=[count],
                                       keywords=[]),
                        body=head + self.block(s.body), orelse=[], type_comment=None)
        return pre + [_copy_pos(loop, s)]

    def _assign(self, s: gast.stmt, targets: list, value: gast.expr) -> list:
        if not self.is_active(value):
            return [s]  # a constant, even into a variable active elsewhere: no derivative
        if len(targets) != 1:
            pre, atom = self.atomize(value)
            return pre + [self._copy_to(t, atom, s) for t in targets]
        target = targets[0]
        if isinstance(target, gast.Name):
            pre, rhs, op = self.operation(value)
            return pre + [_annotated(gast.Assign(targets=[target], value=rhs), op, s)]
        if isinstance(target, (gast.Tuple, gast.List)):
            pre, atom = self.atomize(value)
            return pre + self._unpack(target, atom, s)
        raise self._error(target, "assignment to subscripts or attributes of a differentiated "
                                  "value", "arrays are immutable: use `x = x.at[i].set(v)`")

    def _copy_to(self, target: gast.expr, atom: gast.expr, s: gast.stmt) -> gast.stmt:
        if isinstance(target, gast.Name):
            return _annotated(gast.Assign(targets=[target], value=atom), Op("copy", [atom]), s)
        return self._unpack(target, atom, s)[0]

    def _unpack(self, target: gast.expr, atom: gast.expr, s: gast.stmt) -> list:
        """``a, (b, c) = t`` as ``a, _bc = t`` then ``b, c = _bc`` (one level per statement)."""
        names, nested = [], []
        for elt in target.elts:
            if isinstance(elt, gast.Starred):
                raise self._error(elt, "starred assignment targets", "index the sequence")
            if isinstance(elt, gast.Name):
                names.append(elt)
            else:
                tmp = self.fresh("unpacked")
                self.active.add(tmp)
                names.append(_name(tmp, gast.Store()))
                nested.append((elt, tmp))
        for n in names:
            self.active.add(n.id)
        tup = gast.Tuple(elts=names, ctx=gast.Store())
        out = [_annotated(gast.Assign(targets=[tup], value=atom), Op("unpack", [atom]), s)]
        for elt, tmp in nested:
            out += self._unpack(elt, _name(tmp, gast.Load()), s)
        return out

    def atomize(self, e: gast.expr, hint: str = "") -> tuple[list, gast.expr]:
        """Statements computing ``e`` and the atom (name/constant) that holds its value."""
        if not self.is_active(e) or isinstance(e, gast.Name):
            return [], e
        pre, rhs, op = self.operation(e)
        tmp = self.fresh(hint or _hint(e))
        self.active.add(tmp)
        node = _annotated(gast.Assign(targets=[_name(tmp, gast.Store())], value=rhs), op, e)
        return pre + [node], _name(tmp, gast.Load())

    def _atoms(self, exprs: list) -> tuple[list, list]:
        pre, atoms = [], []
        for x in exprs:
            if isinstance(x, gast.Starred):
                p, a = self.atomize(x.value)
                pre += p
                atoms.append(gast.Starred(value=a, ctx=gast.Load()))
            else:
                p, a = self.atomize(x)
                pre += p
                atoms.append(a)
        return pre, atoms

    def operation(self, e: gast.expr) -> tuple[list, gast.expr, Op]:
        """(statements, right-hand side on atoms, its Op) for an active expression."""
        if isinstance(e, gast.Name):
            return [], e, Op("copy", [e])
        if isinstance(e, gast.BinOp) and isinstance(e.op, gast.Pow) and \
                isinstance(e.right, gast.Constant) and type(e.right.value) is int and \
                e.right.value >= 0:
            # x ** 2: JAX's integer_pow, whose template inlines (no promotion machinery)
            pre, (a,) = self._atoms([e.left])
            rhs = _pos(gast.BinOp(left=a, op=e.op, right=e.right), e)
            op = Op("call", [a], {"y": e.right}, callee=classify(ew.integer_pow_p.bind))
            return pre, rhs, op
        if isinstance(e, gast.BinOp):
            pre, (a, b) = self._atoms([e.left, e.right])
            fn = _OPERATORS.get(type(e.op))
            if fn is None:
                raise self._error(e, f"the operator {type(e.op).__name__} on arrays",
                                  "use the jnp function")
            rhs = _pos(gast.BinOp(left=a, op=e.op, right=b), e)
            return pre, rhs, Op("call", [a, b], callee=classify(fn))
        if isinstance(e, gast.UnaryOp):
            pre, (a,) = self._atoms([e.operand])
            rhs = _pos(gast.UnaryOp(op=e.op, operand=a), e)
            return pre, rhs, Op("call", [a], callee=classify(_UNARY[type(e.op)]))
        if isinstance(e, gast.Call):
            return self._call(e)
        if isinstance(e, gast.Subscript):
            pre, (a,) = self._atoms([e.value])
            if self.is_active(e.slice):
                raise self._error(e.slice, "an index computed from a differentiated value",
                                  "indices are integers; compute them from inactive values")
            rhs = _pos(gast.Subscript(value=a, slice=e.slice, ctx=gast.Load()), e)
            return pre, rhs, Op("getitem", [a], index=e.slice)
        if isinstance(e, gast.Attribute):
            pre, (a,) = self._atoms([e.value])
            rhs = _pos(gast.Attribute(value=a, attr=e.attr, ctx=gast.Load()), e)
            fn = array_methods.property_function(e.attr)
            if fn is not None:
                return pre, rhs, Op("call", [a], callee=classify(fn))
            return pre, rhs, Op("getattr", [a], index=e.attr)
        if isinstance(e, (gast.Tuple, gast.List)):
            pre, atoms = self._atoms(e.elts)
            if any(isinstance(a, gast.Starred) for a in atoms):
                raise self._error(e, "starred items in a display of differentiated values",
                                  "build the sequence without `*`")
            kind = "tuple" if isinstance(e, gast.Tuple) else "list"
            rhs = _pos(type(e)(elts=atoms, ctx=gast.Load()), e)
            return pre, rhs, Op("build", atoms, container=kind)
        if isinstance(e, gast.Dict):
            if any(k is None for k in e.keys):
                raise self._error(e, "`**` in a dict of differentiated values", "list the keys")
            pre, atoms = self._atoms(e.values)
            rhs = _pos(gast.Dict(keys=e.keys, values=atoms), e)
            return pre, rhs, Op("build", atoms, keys=list(e.keys), container="dict")
        if isinstance(e, gast.IfExp):
            return self._if_exp(e)
        raise self._error(e, f"{type(e).__name__} expressions of differentiated values",
                          "split the expression into simpler statements")

    def _if_exp(self, e: gast.IfExp) -> tuple[list, gast.expr, Op]:
        """``a if c else b`` as an if statement: each side is computed on its branch only."""
        if self.is_active(e.test):
            raise self._error(e.test, "a condition computed from a differentiated value", "")
        choice = self.fresh("choice")
        self.active.add(choice)
        branches = []
        for side in (e.body, e.orelse):
            pre, atom = self.atomize(side)
            branches.append(pre + [_annotated(gast.Assign(targets=[_name(choice, gast.Store())],
                                                          value=atom), Op("copy", [atom]), side)])
        node = _copy_pos(gast.If(test=e.test, body=branches[0], orelse=branches[1]), e)
        atom = _name(choice, gast.Load())
        return [node], atom, Op("copy", [atom])

    def _call(self, e: gast.Call) -> tuple[list, gast.expr, Op]:
        at = _at_chain(e.func)
        if at is not None:
            return self._at_update(e, *at)
        obj = self.resolver.expr(e.func)
        receiver = None
        if obj is UNRESOLVED and isinstance(e.func, gast.Attribute):
            receiver = e.func.value
            if not self.is_active(receiver):
                receiver = None
        pre, args = self._atoms(list(e.args))
        star_kw = [k for k in e.keywords if k.arg is None]
        named = [k for k in e.keywords if k.arg is not None]
        if any(self.is_active(k.value) for k in star_kw):
            raise self._error(e, "`**kwargs` holding differentiated values",
                              "pass the differentiated values as named arguments")
        kw_pre, kw_atoms = self._atoms([k.value for k in named])
        pre += kw_pre
        keywords = {k.arg: a for k, a in zip(named, kw_atoms)}
        new_kw = [gast.keyword(arg=k.arg, value=a) for k, a in zip(named, kw_atoms)] + star_kw
        if receiver is not None:
            rpre, ratom = self.atomize(receiver)
            pre = rpre + pre
            method = e.func.attr
            fn = array_methods.method_function(method)
            func = gast.Attribute(value=ratom, attr=method, ctx=gast.Load())
            rhs = _pos(gast.Call(func=func, args=args, keywords=new_kw), e)
            if method in CONVERT_METHODS:
                raise self._concretization(e, method)
            if fn is None:
                raise self._error(e, f"the method `.{method}()` of a differentiated value",
                                  "call the axc.numpy function instead")
            return pre, rhs, Op("call", [ratom] + args, keywords, callee=classify(fn),
                                star_kwargs=star_kw)
        rhs = _pos(gast.Call(func=e.func, args=args, keywords=new_kw), e)
        if obj is UNRESOLVED:
            self._check_local_closure(e)
            return pre, rhs, Op("call", args, keywords, dynamic=e.func, star_kwargs=star_kw)
        callee = classify(obj)
        if callee.kind == CONVERT:
            raise self._concretization(e, getattr(obj, "__name__", "conversion"))
        if callee.kind == UNKNOWN:
            raise self._error(e, f"axc cannot differentiate through {_describe(obj)}",
                              "use axc.numpy / axc.lax functions on arrays")
        return pre, rhs, Op("call", args, keywords, callee=callee, star_kwargs=star_kw)

    def _check_local_closure(self, e: gast.Call) -> None:
        """A nested def or lambda that reads a differentiated variable of this function is
        refused: its derivative with respect to that variable would be lost."""
        if not isinstance(e.func, gast.Name):
            return
        for node in gast.walk(self.parsed_node):
            defines = (isinstance(node, gast.FunctionDef) and node.name == e.func.id) or (
                isinstance(node, gast.Assign) and isinstance(node.value, gast.Lambda) and
                any(isinstance(t, gast.Name) and t.id == e.func.id for t in node.targets))
            if not defines:
                continue
            inner = node if isinstance(node, gast.FunctionDef) else node.value
            params = {a.id for a in gast.walk(inner.args) if isinstance(a, gast.Name)}
            free = {n.id for n in gast.walk(inner) if isinstance(n, gast.Name)} - params
            if free & self.active:
                raise self._error(e, f"a call of the nested function `{e.func.id}`, which "
                                     f"reads the differentiated value(s) "
                                     f"{sorted(free & self.active)} of its enclosing function",
                                  "pass them as arguments instead")

    def _at_update(self, e: gast.Call, array: gast.expr, index: gast.expr, method: str):
        """``x.at[i].set(v)`` and friends: one call of the scatter function."""
        pre, (a,) = self._atoms([array])
        vpre, values = self._atoms(list(e.args))
        kwpre, kw = self._atoms([k.value for k in e.keywords])
        keywords = {k.arg: v for k, v in zip(e.keywords, kw)}
        keywords["index"] = index
        if self.is_active(index):
            raise self._error(index, "an index computed from a differentiated value",
                              "indices are integers; compute them from inactive values")
        func = gast.Attribute(value=gast.Subscript(
            value=gast.Attribute(value=a, attr="at", ctx=gast.Load()), slice=index,
            ctx=gast.Load()), attr=method, ctx=gast.Load())
        rhs = _pos(gast.Call(func=func, args=values,
                             keywords=[gast.keyword(arg=k, value=v) for k, v in keywords.items()
                                       if k != "index"]),
                   e)
        fn = array_methods.at_function(method)
        if fn is None:
            raise self._error(e, f"`.at[...].{method}` of a differentiated value", "")
        return pre + vpre + kwpre, rhs, Op("call", [a] + values, keywords, callee=classify(fn),
                                            index=index)

    # --- names and errors -----------------------------------------------------------------

    def fresh(self, hint: str) -> str:
        base = hint if hint.isidentifier() else "t"
        n = self._counts.get(base, 0)
        while True:
            name = base if n == 0 else f"{base}{n}"
            n += 1
            if name not in self._reserved:
                self._counts[base] = n
                self._reserved.add(name)
                return name

    def _error(self, node: Any, what: str, hint: str) -> UnsupportedAD:
        return UnsupportedAD.located(f"cannot differentiate {what}", node, self.parsed,
                                     hint=hint or None)

    def _concretization(self, node: Any, what: str) -> Exception:
        from ...runtime.errors import ConcretizationTypeError
        err = self._error(node, f"`{what}(...)` of a differentiated value: it becomes a "
                                "Python number and its derivative would be lost",
                          "keep the value as an array")
        return ConcretizationTypeError(str(err))


def normalize(parsed: ParsedFunction, active_args: set[str]) -> tuple[gast.FunctionDef, set]:
    """The function in A-normal form and the set of active variable names."""
    n = Normalizer(parsed, active_args)
    fn = n.run()
    return fn, n.active


# --- small AST helpers ----------------------------------------------------------------------

def _bindings(node: gast.AST) -> list:
    """(target, value) pairs a statement binds: assignments and loop targets."""
    if isinstance(node, gast.Assign):
        return [(t, node.value) for t in node.targets]
    if isinstance(node, (gast.AugAssign, gast.AnnAssign)) and node.value is not None:
        return [(node.target, node.value)]
    if isinstance(node, gast.For):
        return [(node.target, node.iter)]
    return []


def _stored_names(t: gast.expr) -> set[str]:
    if isinstance(t, gast.Name):
        return {t.id}
    if isinstance(t, (gast.Tuple, gast.List)):
        out: set[str] = set()
        for e in t.elts:
            out |= _stored_names(e)
        return out
    if isinstance(t, gast.Starred):
        return _stored_names(t.value)
    return set()


def _at_chain(func: gast.expr):
    """``x.at[i].method`` -> (x, i, method), else None."""
    if isinstance(func, gast.Attribute) and isinstance(func.value, gast.Subscript):
        sub = func.value
        if isinstance(sub.value, gast.Attribute) and sub.value.attr == "at":
            return sub.value.value, sub.slice, func.attr
    return None


def _name(ident: str, ctx: Any) -> gast.Name:
    return gast.Name(id=ident, ctx=ctx, annotation=None, type_comment=None)


def _as_load(t: gast.expr) -> gast.expr:
    for node in gast.walk(t):
        if hasattr(node, "ctx"):
            node.ctx = gast.Load()
    return t


def _copy_pos(dst: gast.AST, src: gast.AST) -> gast.AST:
    for attr in ("lineno", "col_offset", "end_lineno", "end_col_offset"):
        if hasattr(src, attr):
            setattr(dst, attr, getattr(src, attr))
    return dst


_pos = _copy_pos


def _annotated(node: gast.Assign, op: Op, src: gast.AST) -> gast.Assign:
    node.axc_op = op
    node.axc_origin = src
    return _copy_pos(node, src)


def _hint(e: gast.expr) -> str:
    """A readable temporary name: the called function's or the operator's."""
    if isinstance(e, gast.Call):
        f = e.func
        if isinstance(f, gast.Attribute):
            return f.attr if f.attr not in ("set", "add", "bind") else "updated"
        if isinstance(f, gast.Name):
            return f.id
    if isinstance(e, gast.BinOp):
        return {gast.Add: "sum_", gast.Sub: "diff", gast.Mult: "prod", gast.Div: "quot",
                gast.Pow: "power", gast.MatMult: "matmul"}.get(type(e.op), "t")
    if isinstance(e, gast.UnaryOp):
        return "neg"
    if isinstance(e, gast.Subscript):
        return "item"
    if isinstance(e, gast.Attribute):
        return e.attr
    return "t"


def _describe(obj: Any) -> str:
    mod = getattr(obj, "__module__", None)
    name = getattr(obj, "__qualname__", None) or getattr(obj, "__name__", None) or repr(obj)
    return f"`{mod}.{name}`" if mod else f"`{name}`"


# --- single exit ----------------------------------------------------------------------------

def _returns(stmts: list) -> str:
    """'always' when every path through ``stmts`` returns, 'never', or 'some'."""
    found = "never"
    for s in stmts:
        if isinstance(s, gast.Return):
            return "always"
        if isinstance(s, gast.If):
            a, b = _returns(s.body), _returns(s.orelse)
            if a == b == "always":
                return "always"
            if "never" != a or "never" != b:
                found = "some"
        elif isinstance(s, (gast.For, gast.While)) and _returns(s.body) != "never":
            found = "loop"
    return found


def single_exit(stmts: list, result: str, error) -> list:
    """``stmts`` rewritten so that the only ``return`` is the last statement: an early return
    in a branch moves the statements after the ``if`` into the other branch."""
    out = _exit_block(stmts, result, error)
    out.append(gast.Return(value=_name(result, gast.Load())))
    return out


def _exit_block(stmts: list, result: str, error) -> list:
    out: list = []
    for i, s in enumerate(stmts):
        if isinstance(s, gast.Return):
            value = s.value if s.value is not None else gast.Constant(value=None, kind=None)
            out.append(_copy_pos(gast.Assign(targets=[_name(result, gast.Store())],
                                             value=value), s))
            return out
        if isinstance(s, (gast.For, gast.While)) and _returns(s.body) != "never":
            raise error(s, "a `return` inside a loop", "set a variable and `break` instead")
        if isinstance(s, gast.If) and _returns([s]) != "never":
            rest = stmts[i + 1:]
            body = s.body if _returns(s.body) == "always" else s.body + rest
            orelse = s.orelse if _returns(s.orelse) == "always" else s.orelse + rest
            s.body = _exit_block(body, result, error) or [gast.Pass()]
            s.orelse = _exit_block(orelse, result, error)
            out.append(s)
            return out
        out.append(s)
    return out
