"""Reverse mode: Tangent-style primal and adjoint passes over A-normal form.

The primal pass is the user's code plus an explicit tape: before a variable that is assigned
more than once is overwritten its old value is pushed (when the adjoint reads it again), each
``if`` pushes the branch taken and each loop its trip count (on the tape's control stack).
The adjoint pass walks the statements backwards; each active assignment contributes, through
its derivative template, to the adjoints of its operands, then pops the overwritten value
back. Calls of Python functions are transformed recursively into ``<name>_fwd`` (primal,
returns the tape) and ``<name>_bwd`` (adjoint) pairs.

Generated code is differentiated again the same way (higher-order derivatives): the ``ad.*``
helpers it calls carry their own rules (support.py), calls resolved at run time become
generated adapters (dynamic.py).

Adjoint variables are tracked statically (unbound / None / set / maybe None), so straight
code reads ``dx = dy * cos(x)`` and only merges of control flow fall back to ``ad.add``.
"""
from __future__ import annotations

import inspect
import weakref
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ...kernels.numpy.promote import asarray
from ...kernels.registry import PENDING, Templates
from ..frontend.anf import Op, UnsupportedAD, normalize
from ..frontend.gast_compat import gast
from ..frontend.resolve import local_names
from ..frontend.source import ParsedFunction, parse_function
from . import callees
from .emit import COMMENT_MARK, compile_function
from .namespace import Namespace, clone, fresh_name, name_node
from .support import vjp_rule
from .templates import instantiate

UNBOUND, NONE, SET, MAYBE, DEAD = "unbound", "none", "set", "maybe", "dead"


@dataclass
class Pair:
    """A function's recursive-reverse-mode form, for one set of active parameters."""

    fwd: Callable
    bwd: Callable
    out_active: bool
    active_params: tuple[str, ...]
    always_set: frozenset = frozenset()   # parameters whose cotangent is never None
    derived: dict = field(default_factory=dict)  # functions built from this pair (dynamic.py)


_PAIRS: weakref.WeakKeyDictionary[Any, dict] = weakref.WeakKeyDictionary()


def pair_for(fn: Callable, active_params: frozenset, adapter: bool = False) -> Pair:
    """The (cached) fwd/bwd pair of ``fn`` with ``active_params`` differentiated.

    For an ``adapter`` (dynamic.py) the bwd returns the cotangents laid out as the
    parameters, ``((positional...), {keyword: ...})``, and a call that cannot be transformed
    is an error rather than deferred to run time (where it would come back here).
    """
    by_mask = _PAIRS.setdefault(fn, {})
    key = (active_params, adapter)
    if key not in by_mask:
        by_mask[key] = None  # in progress: recursion is refused below
        try:
            by_mask[key] = build_pair(parse_function(fn), active_params, adapter)
        except BaseException:
            del by_mask[key]
            raise
    pair = by_mask[key]
    if pair is None:
        raise UnsupportedAD(f"cannot differentiate the recursive function "
                            f"{getattr(fn, '__qualname__', fn)!r} yet")
    return pair


def build_pair(parsed: ParsedFunction, active_params: frozenset, adapter: bool = False) -> Pair:
    gen = ReverseGen(parsed, active_params, adapter=adapter)
    fwd = gen.fwd_function()
    bwd = gen.bwd_function()
    ns = gen.ns
    fwd_fn = compile_function(fwd, ns.globals, f"{parsed.qualname} (fwd)")
    bwd_fn = compile_function(bwd, ns.globals, f"{parsed.qualname} (bwd)")
    always = frozenset(p for p in gen.active_params if gen.final_state.get(p) in (SET, MAYBE))
    return Pair(fwd_fn, bwd_fn, gen.out_active, gen.active_params, always)


def _params(args: gast.arguments) -> list[str]:
    out = [a.id for a in list(args.posonlyargs) + list(args.args)]
    if args.vararg is not None:
        out.append(args.vararg.id)
    out += [a.id for a in args.kwonlyargs]
    if args.kwarg is not None:
        out.append(args.kwarg.id)
    return out


class ReverseGen:
    """Generates the primal-with-tape and adjoint code of one function."""

    def __init__(self, parsed: ParsedFunction, active_params: frozenset,
                 ns: Namespace | None = None, adapter: bool = False) -> None:
        self.parsed = parsed
        self.adapter = adapter
        self.params = _params(parsed.node.args)
        self.active_params = tuple(p for p in self.params if p in active_params)
        self.fn, self.active = normalize(parsed, set(self.active_params))
        self.ns = ns or Namespace({**parsed.globals, **parsed.closure})
        self.taken = local_names(self.fn) | set(self.ns.globals)
        self.ns.locals = local_names(self.fn)
        self.tape = self._fresh("tape")
        self.multi = _multi_assigned(self.fn)
        self.in_loops = {id(x) for x, in_loop in _statements(self.fn.body) if in_loop}
        self.adj: dict[str, str] = {}
        self.saved_of: dict[int, str] = {}
        self.ret = self.fn.body[-1].value
        self.out_active = isinstance(self.ret, gast.Name) and self.ret.id in self.active
        self.needed: set[str] | None = None  # names the adjoint reads (second pass)
        self.silent: set[int] = set()        # ifs and loops whose adjoint does nothing
        self.deferred: set[int] = set()      # calls transformed only when they run
        self.first_pass = True
        self.primal = self._primal_pass()
        self.adjoint = self._adjoint_pass()
        # The adjoint reads these; a parameter whose cotangent may stay None is read too,
        # to fill it with zeros of its (restored) shape.
        self.needed = _loads(self.adjoint) | {self.tape} | {
            p for p in self.active_params if self.final_state.get(p) == MAYBE}
        self.first_pass = False
        self.primal = self._primal_pass()
        self.adjoint = self._adjoint_pass()
        # A restored value that the rest of the adjoint never reads needs no tape traffic
        # (after the adjoint pass only parameters are read, to shape zero cotangents).
        dead = _dead_restores(self.adjoint, set(self.params))
        self.primal = _without_restores(self.primal, dead)
        self.adjoint = _without_restores(self.adjoint, dead)

    # --- names ------------------------------------------------------------------------------

    def _fresh(self, base: str) -> str:
        name = fresh_name(base, self.taken)
        self.ns.locals.add(name)
        return name

    def d(self, var: str) -> str:
        if var not in self.adj:
            self.adj[var] = self._fresh("d" + var.lstrip("_"))
        return self.adj[var]

    def _push(self, expr: gast.expr, helper: str = "push") -> gast.stmt:
        return gast.Expr(value=gast.Call(func=self.ns.ad(helper),
                                         args=[name_node(self.tape), expr], keywords=[]))

    def _pop(self, helper: str = "pop") -> gast.expr:
        return gast.Call(func=self.ns.ad(helper), args=[name_node(self.tape)], keywords=[])

    def _save(self, var: str, at: gast.AST) -> gast.stmt:
        """``ad.push(tape, var)`` before ``at`` overwrites ``var`` (paired with _restore)."""
        node = self._push(name_node(var))
        node.axc_restore = (id(at), var)
        return node

    def _restore(self, var: str, at: gast.AST) -> gast.stmt:
        node = _assign(var, self._pop())
        node.axc_restore = (id(at), var)
        return node

    def _tracked(self, var: str) -> bool:
        return var in self.multi and (self.needed is None or var in self.needed)

    # --- primal -------------------------------------------------------------------------------

    def _primal_pass(self) -> list:
        body = self.fn.body[:-1]
        pre = [_assign(self.tape, gast.Call(func=self.ns.ad("Tape"), args=[], keywords=[]))]
        locals_ = sorted(v for v in self.multi if v not in self.params and self._tracked(v))
        if locals_:  # so that the first push of a loop variable finds it bound
            pre.append(gast.Assign(targets=[name_node_store(v) for v in locals_],
                                   value=gast.Constant(value=None, kind=None)))
        return pre + self._primal_block(body)

    def _primal_block(self, stmts: list) -> list:
        out: list = []
        for s in stmts:
            out += self._primal_stmt(s)
        return out

    def _primal_stmt(self, s: gast.stmt) -> list:
        if isinstance(s, gast.Assign):
            new = self._primal_assign(s)  # may add a saved-values target (fwd calls)
            saved = self.saved_of.get(id(s))
            # The saved record is pushed first: the adjoint pops it last (see _adj_assign).
            order = ([saved] if saved is not None else []) + sorted(_targets(s))
            pushes = [self._save(v, s) for v in order if self._tracked(v)]
            return pushes + [new]
        if isinstance(s, gast.If):
            flag = [] if id(s) in self.silent else [
                self._push(gast.Constant(value=True, kind=None), "push_control")]
            body = self._primal_block(s.body) + flag
            orelse = self._primal_block(s.orelse)
            if flag:
                orelse.append(self._push(gast.Constant(value=False, kind=None), "push_control"))
            return [gast.If(test=s.test, body=body or [gast.Pass()], orelse=orelse)]
        if isinstance(s, (gast.For, gast.While)):
            return self._primal_loop(s)
        if isinstance(s, (gast.Break, gast.Continue)):
            raise UnsupportedAD.located("cannot differentiate `break`/`continue` yet", s,
                                        self.parsed, hint="use a flag in the loop condition")
        return [s]

    def _primal_loop(self, s) -> list:
        if id(s) in self.silent:
            body = self._primal_block(s.body)
            if isinstance(s, gast.For):
                return [gast.For(target=s.target, iter=s.iter, body=body, orelse=[],
                                 type_comment=None)]
            return [gast.While(test=s.test, body=body, orelse=[])]
        trips = self._fresh("trips")
        count = gast.AugAssign(target=name_node_store(trips), op=gast.Add(),
                               value=gast.Constant(value=1, kind=None))
        body = self._primal_block(s.body) + [count]
        if isinstance(s, gast.For):
            body += [self._save(v, s) for v in sorted(_stored(s.target))
                     if self.needed is None or v in self.needed]
            loop = gast.For(target=s.target, iter=s.iter, body=body, orelse=[],
                            type_comment=None)
        else:
            loop = gast.While(test=s.test, body=body, orelse=[])
        s.axc_trips = trips
        return [_assign(trips, gast.Constant(value=0, kind=None)), loop,
                self._push(name_node(trips), "push_control")]

    def _primal_assign(self, s: gast.Assign) -> gast.stmt:
        op: Op | None = getattr(s, "axc_op", None)
        if op is not None and op.kind == "call" and op.dynamic is not None and not (
                isinstance(op.dynamic, gast.Attribute) and op.dynamic.attr == "bind"):
            return self._primal_dynamic(s, op)
        kind = op.callee.kind if op is not None and op.kind == "call" and \
            op.callee is not None else None
        if kind == callees.CUSTOM:
            return self._primal_custom(s, op)
        if kind == callees.DYNAMIC:  # ad.call_fwd(f, x): differentiated as f is when it runs
            self.deferred.add(id(s))
            return self._primal_dynamic(s, op, op.callee.obj)
        if kind == callees.HELPER and op.callee.rule.statement:
            return gast.Expr(value=s.value)
        if kind != callees.RECURSE:
            return s
        try:
            pair = self._pair(s, op)
        except UnsupportedAD:
            if self.adapter:
                raise
            # Transformed when a call reaches it: library code often has branches (dtype
            # checks, rare options) that no call with these arguments takes.
            self.deferred.add(id(s))
            return self._primal_dynamic(s, op, op.callee.obj)
        if pair is None:
            return s
        fwd = self.ns.ref(pair.fwd, f"{_fn_name(op.callee.fn)}_fwd")
        return self._recorded_call(s, op, fwd, [], "saved")

    def _primal_custom(self, s: gast.Assign, op: Op) -> gast.stmt:
        """A function with its own VJP (``custom_vjp``): its ``fwd`` saves the residuals."""
        fwd, _ = vjp_rule(op.callee.obj)
        return self._recorded_call(s, op, self.ns.ref(fwd, f"{_fn_name(op.callee.obj)}_fwd"),
                                   [], "res")

    def _recorded_call(self, s: gast.Assign, op: Op, func: gast.expr, leading: list,
                       suffix: str) -> gast.stmt:
        """``target, target_saved = func(*leading, <the call's arguments>)``: a forward call
        that also returns what the adjoint will need (kept per iteration inside loops)."""
        target = s.targets[0].id
        saved = self.saved_of.setdefault(id(s), self._fresh(f"{target}_{suffix}"))
        if id(s) in self.in_loops:
            self.multi.add(saved)
        args, keywords = _call_parts(s.value, op, self.ns)
        call = gast.Call(func=func, args=leading + args, keywords=keywords)
        return gast.Assign(targets=[gast.Tuple(elts=[name_node_store(target),
                                                    name_node_store(saved)], ctx=gast.Store())],
                           value=call, type_comment=None)

    def _custom_parts(self, s: gast.Assign, op: Op, g: gast.expr) -> tuple[list, list]:
        _, bwd = vjp_rule(op.callee.obj)
        cts = self._fresh(f"d{s.targets[0].id}_args")
        call = gast.Call(func=self.ns.ref(bwd, f"{_fn_name(op.callee.obj)}_bwd"),
                         args=[name_node(self.saved_of[id(s)]), g], keywords=[])
        parts = []
        starred = False
        for i, a in enumerate(op.operands):
            if isinstance(a, gast.Starred):  # fwd(name, *args): cotangents from position i on
                if self._is_active(a.value):
                    ct = self._ad_call("starred_ct", name_node(cts),
                                       gast.Constant(value=i, kind=None), a.value)
                    parts.append((a.value, ct, True))
                starred = True
            elif self._is_active(a):
                if starred:
                    raise UnsupportedAD(f"cannot differentiate a call of "
                                        f"{_fn_name(op.callee.obj)} with differentiated "
                                        f"arguments after `*args` yet")
                ct = gast.Subscript(value=name_node(cts), slice=gast.Constant(value=i, kind=None),
                                    ctx=gast.Load())
                parts.append((a, ct, True))
        return [_assign(cts, call)], parts

    def _primal_dynamic(self, s: gast.Assign, op: Op, fn: Any = None) -> gast.stmt:
        """A call transformed only when it runs (``ad.call_fwd``)."""
        func = clone(op.dynamic) if fn is None else self.ns.ref(fn)
        return self._recorded_call(s, op, self.ns.ad("call_fwd"), [func], "saved")

    def _pair(self, s: gast.Assign, op: Op) -> Pair | None:
        active = self._active_params_of_call(op)
        if not active:
            return None
        pair = pair_for(op.callee.fn, frozenset(active))
        return pair if pair.out_active else None

    def _active_params_of_call(self, op: Op) -> dict[str, list]:
        """{callee parameter: [caller atoms or (atom, position in *args)]} that are active."""
        fn = op.callee.fn
        sig = inspect.signature(fn)
        args = list(op.operands)
        if op.callee.bound_self:
            raise UnsupportedAD(f"cannot differentiate the method call {_fn_name(fn)} yet")
        if any(isinstance(a, gast.Starred) for a in args):
            if any(isinstance(a, gast.Starred) and self._is_active(a.value) for a in args):
                raise UnsupportedAD(f"cannot differentiate a call with `*args` of "
                                    f"differentiated values into {_fn_name(fn)}")
            args = [a for a in args if not isinstance(a, gast.Starred)]
        marks = [object() for _ in args]
        kw_marks = {k: object() for k in op.keywords}
        bound = sig.bind_partial(*marks, **kw_marks)
        where = {id(m): a for m, a in zip(marks, args)}
        where.update({id(m): op.keywords[k] for k, m in kw_marks.items()})
        active: dict[str, list] = {}
        for pname, value in bound.arguments.items():
            kind = sig.parameters[pname].kind
            if kind is inspect.Parameter.VAR_POSITIONAL:
                atoms = [where[id(v)] for v in value]
                if any(self._is_active(a) for a in atoms):
                    active[pname] = [(a, i) for i, a in enumerate(atoms)]
            elif kind is inspect.Parameter.VAR_KEYWORD:
                atoms = {k: where[id(v)] for k, v in value.items()}
                if any(self._is_active(a) for a in atoms.values()):
                    raise UnsupportedAD(f"cannot differentiate `**kwargs` of {_fn_name(fn)}")
            elif self._is_active(where[id(value)]):
                active[pname] = [where[id(value)]]
        return active

    def _is_active(self, e: gast.expr) -> bool:
        return isinstance(e, gast.Name) and e.id in self.active

    # --- adjoint ------------------------------------------------------------------------------

    def _adjoint_pass(self) -> list:
        # DEAD marks an adjoint whose variable's definition has been processed (it is read no
        # more); everything starts unbound.
        state: dict[str, str] = {v: UNBOUND for v in self.active}
        if self.out_active:
            state[self.ret.id] = SET
        self.adj_out_name = self.d(self.ret.id) if self.out_active else None
        code, self.final_state = self._adj_block(self.fn.body[:-1], state)
        return code

    def _adj_block(self, stmts: list, state: dict) -> tuple[list, dict]:
        out: list = []
        for s in reversed(stmts):
            code, state = self._adj_stmt(s, state)
            out += code
        return out, state

    def _adj_stmt(self, s: gast.stmt, state: dict) -> tuple[list, dict]:
        if isinstance(s, gast.Assign):
            return self._adj_assign(s, dict(state))
        if isinstance(s, gast.If):
            return self._adj_if(s, state)
        if isinstance(s, (gast.For, gast.While)):
            return self._adj_loop(s, state)
        return [], state

    def _adj_if(self, s: gast.If, state: dict) -> tuple[list, dict]:
        pre: list = []
        while True:
            a, sa = self._adj_block(s.body, dict(state))
            b, sb = self._adj_block(s.orelse, dict(state))
            merged, unbound = _merge(sa, sb)
            if not unbound:
                break
            pre += self._bind_none(unbound, state)
        if id(s) in self.silent or (self.first_pass and not a and not b and not pre):
            self.silent.add(id(s))
            return [], merged
        node = gast.If(test=self._pop("pop_control"), body=a or [gast.Pass()], orelse=b)
        return pre + [node], merged

    def _adj_loop(self, s, state: dict) -> tuple[list, dict]:
        pre: list = []
        entry = dict(state)
        for _ in range(8):
            body, out = self._adj_block(s.body, dict(entry))
            merged, unbound = _merge(entry, out)
            if unbound:
                pre += self._bind_none(unbound, entry)
                continue
            if merged == entry:
                break
            entry = merged
        targets = sorted(_stored(s.target)) if isinstance(s, gast.For) else []
        restore = [self._restore(v, s) for v in targets
                   if self.needed is None or v in self.needed]
        if id(s) in self.silent or (self.first_pass and not body and not pre):
            self.silent.add(id(s))
            return [], entry
        loop = gast.For(target=name_node_store("_"),
                        iter=gast.Call(func=name_node("range"), args=[self._pop("pop_control")],
                                       keywords=[]),
                        body=restore + body or [gast.Pass()], orelse=[], type_comment=None)
        return pre + [loop], entry

    def _bind_none(self, names: set, state: dict) -> list:
        for v in names:
            state[v] = NONE
        return [_assign(self.d(v), gast.Constant(value=None, kind=None)) for v in sorted(names)]

    def _adj_assign(self, s: gast.Assign, state: dict) -> tuple[list, dict]:
        op: Op | None = getattr(s, "axc_op", None)
        targets = sorted(_targets(s))
        code: list = []
        saved_values = self.saved_of.get(id(s))
        self._restarted = None
        self._ans = None
        restored = set()
        if op is not None and len(targets) == 1 and self._tracked(targets[0]) and \
                targets[0] in _names_in(op.operands + list(op.keywords.values())):
            # x = f(x): the adjoint needs the old x as operand and the new one as result
            t = targets[0]
            self._ans = self._fresh(f"{t}_new")
            code += [_assign(self._ans, name_node(t)), self._restore(t, s)]
            restored.add(t)
        if op is not None and (any(t in self.active for t in targets) or self._always(op)):
            contributions = self._contributions(s, op, state)
            if contributions:
                code += _origin_comment(s, self.parsed) + contributions
        for t in targets:
            if t == self._restarted:
                pass
            elif t in self.multi:
                if state.get(t) in (SET, MAYBE):
                    code.append(_assign(self.d(t), gast.Constant(value=None, kind=None)))
                    state[t] = NONE
            else:
                state[t] = DEAD
            if self._tracked(t) and t not in restored:
                code.append(self._restore(t, s))
        if saved_values is not None and self._tracked(saved_values):
            code.append(self._restore(saved_values, s))  # the previous iteration's record
        return code, state

    def _contributions(self, s: gast.Assign, op: Op, state: dict) -> list:
        if op.kind == "unpack":
            return self._unpack_adjoint(s, op, state)
        target = s.targets[0].id
        st = state.get(target, UNBOUND)
        if self._always(op):
            return self._effect_adjoint(op, target, st, state)
        if st in (UNBOUND, NONE, DEAD):
            return []
        code, parts = self._parts(s, op, target)  # [(operand atom, expression, maybe None)]
        parts = [(a, e, m) for a, e, m in parts if self._is_active(a)]
        if not parts:
            return []
        if any(a.id == target for a, _, _ in parts):  # x = f(x): read dx before it restarts
            tmp = []
            for a, e, m in parts:
                name = self._fresh(f"{self.d(a.id)}_part")
                code.append(_assign(name, e))
                tmp.append((a, name_node(name), m))
            parts = tmp
            code.append(_assign(self.d(target), gast.Constant(value=None, kind=None)))
            state[target] = NONE
            self._restarted = target  # the statement's own reset is done
        before = dict(state)
        for a, e, m in parts:
            code += self._contribute(a.id, e, m, state)
        if st == MAYBE:
            guard = gast.Compare(left=name_node(self.d(target)), ops=[gast.IsNot()],
                                 comparators=[gast.Constant(value=None, kind=None)])
            pre = []
            for v in {a.id for a, _, _ in parts}:  # inside a guard it may not happen
                if before.get(v, UNBOUND) in (UNBOUND, DEAD):
                    pre.append(_assign(self.d(v), gast.Constant(value=None, kind=None)))
                if before.get(v) != SET:
                    state[v] = MAYBE
            return pre + [gast.If(test=guard, body=code, orelse=[])]
        return code

    def _always(self, op: Op) -> bool:
        return op.kind == "call" and op.callee is not None and \
            op.callee.kind == callees.HELPER and op.callee.rule.always

    def _effect_adjoint(self, op: Op, target: str, st: str, state: dict) -> list:
        """A tape effect (``ad.push``/``ad.pop``): its adjoint moves a cotangent on the
        cotangent tape whether or not one arrived, so that pushes and pops pair up."""
        rule = op.callee.rule
        g = name_node(self.d(target)) if st in (SET, MAYBE) else \
            gast.Constant(value=None, kind=None)
        args = [g, name_node(self._ans or target)] + list(op.operands)
        code = []
        if rule.effect is not None:
            code.append(gast.Expr(value=instantiate(rule.effect, args, {}, self.ns)))
        for i, a in enumerate(op.operands):
            template = rule.adjoints[i] if i < len(rule.adjoints) else None
            if template is None:
                continue
            expr = instantiate(template, args, {}, self.ns)
            if self._is_active(a):
                code += self._contribute(a.id, expr, True, state)
            else:
                code.append(gast.Expr(value=expr))
        return code

    def _contribute(self, var: str, expr: gast.expr, maybe_none: bool, state: dict) -> list:
        st = state.get(var, UNBOUND)
        dv = self.d(var)
        if st in (UNBOUND, NONE, DEAD):
            state[var] = MAYBE if maybe_none else SET
            return [_assign(dv, expr)]
        value = gast.Call(func=self.ns.ad("add"), args=[name_node(dv), expr], keywords=[])
        if st == SET and not maybe_none:
            value = gast.BinOp(left=name_node(dv), op=gast.Add(), right=expr)
            if not self._array_valued(var):
                value = gast.Call(func=self.ns.ad("add"), args=[name_node(dv), expr],
                                  keywords=[])
        state[var] = SET if st == SET or not maybe_none else MAYBE
        return [_assign(dv, value)]

    def _array_valued(self, var: str) -> bool:
        return var not in self.params and not var.startswith("unpacked")

    def _parts(self, s: gast.Assign, op: Op, target: str) -> list:
        g = name_node(self.d(target))
        if op.kind == "copy":
            return [], [(op.operands[0], g, False)]
        if op.kind == "getitem":
            x = op.operands[0]
            idx = gast.Subscript(value=self.ns.ad("index_exp"), slice=clone(op.index),
                                 ctx=gast.Load())
            return [], [(x, self._ad_call("getitem_ct", x, idx, g), True)]
        if op.kind == "getattr":
            x = op.operands[0]
            field = gast.Constant(value=op.index, kind=None)
            return [], [(x, self._ad_call("getattr_ct", x, field, g), True)]
        if op.kind == "build":
            keys = op.keys or [gast.Constant(value=i, kind=None) for i in range(len(op.operands))]
            return [], [(a, self._ad_call("part", g, k), True) for a, k in zip(op.operands, keys)]
        return self._call_parts(s, op, target, g)

    def _ad_call(self, helper: str, *args: gast.expr) -> gast.Call:
        return gast.Call(func=self.ns.ad(helper), args=[clone(a) for a in args],
                         keywords=[])

    def _call_parts(self, s: gast.Assign, op: Op, target: str, g: gast.expr) -> list:
        callee = op.callee
        if op.dynamic is not None and isinstance(op.dynamic, gast.Attribute) and \
                op.dynamic.attr == "bind":
            return [], self._dynamic_prim_parts(op, target, g)
        if op.dynamic is not None or id(s) in self.deferred:
            return self._dynamic_parts(s, op, g)
        if callee.kind == callees.PRIM:
            return [], self._prim_parts(s, op, target, g)
        if callee.kind == callees.RECURSE:
            return self._recurse_parts(s, op, g)
        if callee.kind == callees.CUSTOM:
            return self._custom_parts(s, op, g)
        if callee.kind == callees.HELPER:
            return [], self._helper_parts(op, target, g)
        return [], []  # stop_gradient, inactive results

    def _helper_parts(self, op: Op, target: str, g: gast.expr) -> list:
        """An ``ad.*`` helper: each operand's cotangent is its rule's template, a call of
        another helper (support.Rule)."""
        rule = op.callee.rule
        args = [g, name_node(self._ans or target)] + list(op.operands)
        out = []
        for i, a in enumerate(op.operands):
            template = rule.adjoints[i] if i < len(rule.adjoints) else None
            if template is not None and self._is_active(a):
                out.append((a, instantiate(template, args, dict(op.keywords), self.ns), True))
        return out

    def _prim_parts(self, s: gast.Assign, op: Op, target: str, g: gast.expr) -> list:
        prim = op.callee.prim
        rule = prim.adjoint
        target = self._ans or target
        if rule is PENDING or not isinstance(rule, Templates):
            raise UnsupportedAD.located(f"no adjoint rule for the primitive `{prim.name}` yet",
                                        s, self.parsed)
        operands = list(op.operands)
        ans = name_node(target)
        if prim.multiple_results:
            g = gast.Call(func=self.ns.ad("materialize"), args=[g, ans], keywords=[])
        starred = [a for a in operands if isinstance(a, gast.Starred)]
        trailing_inactive = starred and operands[-len(starred):] == starred and \
            not any(self._is_active(a.value) for a in starred)
        if starred and not trailing_inactive:
            return self._starred_prim_parts(op, operands, g, ans)
        if op.star_kwargs:  # ``p.bind(x, **params)``: the template is chosen when it runs
            return self._dynamic_prim_parts(op, target, g, self.ns.ref(prim))
        out = []
        args = [g, ans] + [self._as_array(a, op) for a in operands]
        for i, a in enumerate(operands):
            if isinstance(a, gast.Starred):
                break  # trailing index operands: no derivative
            template = rule(i)
            if template is None or not self._is_active(a):
                continue
            kw = dict(op.keywords)
            if i >= len(rule.per_operand):
                kw["index"] = gast.Constant(value=i, kind=None)
            out.append((a, instantiate(template, args, kw, self.ns), False))
        return out

    def _as_array(self, a: gast.expr, op: Op) -> gast.expr:
        """A Python-number operand of an ``axc.numpy`` wrapper, as the weak array the
        primitive received (templates may read array attributes of every operand)."""
        if isinstance(a, gast.Constant) and isinstance(a.value, (int, float, complex)) and \
                not isinstance(a.value, bool) and op.callee.obj is not getattr(
                    op.callee.prim, "bind", None):
            return gast.Call(func=self.ns.ref(asarray), args=[a], keywords=[])
        return a

    def _dynamic_parts(self, s: gast.Assign, op: Op, g: gast.expr) -> tuple[list, list]:
        cts = self._fresh(f"d{s.targets[0].id}_args")
        call = gast.Call(func=self.ns.ad("call_bwd"),
                         args=[name_node(self.saved_of[id(s)]), g], keywords=[])
        parts = []
        positional = gast.Subscript(value=name_node(cts), slice=gast.Constant(value=0, kind=None),
                                    ctx=gast.Load())
        for i, a in enumerate(op.operands):
            if isinstance(a, gast.Starred):
                if self._is_active(a.value):
                    ct = self._ad_call("starred_ct", positional, gast.Constant(value=i, kind=None),
                                       a.value)
                    parts.append((a.value, ct, True))
                continue
            if self._is_active(a):
                ct = gast.Subscript(value=clone(positional),
                                    slice=gast.Constant(value=i, kind=None), ctx=gast.Load())
                parts.append((a, ct, True))
        for k, a in op.keywords.items():
            if self._is_active(a):
                kw = gast.Subscript(value=name_node(cts), slice=gast.Constant(value=1, kind=None),
                                    ctx=gast.Load())
                parts.append((a, gast.Subscript(value=kw, slice=gast.Constant(value=k, kind=None),
                                                ctx=gast.Load()), True))
        return [_assign(cts, call)], parts

    def _starred_prim_parts(self, op: Op, operands: list, g: gast.expr, ans: gast.expr) -> list:
        """``p.bind(*xs)``: all operands' cotangents at once, as a sequence for ``xs``."""
        if len(operands) != 1:
            raise UnsupportedAD(f"cannot differentiate `{op.callee.prim.name}` applied to "
                                f"`*args` mixed with other operands yet")
        star = operands[0].value
        if not self._is_active(star):
            return []
        kw = [gast.keyword(arg=k, value=clone(v)) for k, v in op.keywords.items()]
        kw += [clone(k) for k in op.star_kwargs]
        call = gast.Call(func=self.ns.ad("prim_adjoints"),
                         args=[self.ns.ref(op.callee.prim), g, ans,
                               gast.Starred(value=clone(star), ctx=gast.Load())],
                         keywords=kw)
        return [(star, call, False)]

    def _dynamic_prim_parts(self, op: Op, target: str, g: gast.expr,
                            prim: gast.expr | None = None) -> list:
        target = self._ans or target
        prim = op.dynamic.value if prim is None else prim
        out = []
        for i, a in enumerate(op.operands):
            if self._is_active(a):
                args = [clone(prim), gast.Constant(value=i, kind=None), g,
                        name_node(target)] + [clone(o) for o in op.operands]
                kw = [gast.keyword(arg=k, value=clone(v)) for k, v in op.keywords.items()]
                kw += [clone(k) for k in op.star_kwargs]
                out.append((a, gast.Call(func=self.ns.ad("prim_adjoint"), args=args,
                                         keywords=kw), False))
        return out

    def _recurse_parts(self, s: gast.Assign, op: Op, g: gast.expr) -> list:
        saved = self.saved_of.get(id(s))
        if saved is None:  # the callee's result turned out inactive
            return [], []
        pair = self._pair(s, op)
        active = self._active_params_of_call(op)
        call = gast.Call(func=self.ns.ref(pair.bwd, f"{_fn_name(op.callee.fn)}_bwd"),
                         args=[name_node(saved), g], keywords=[])
        cts = self._fresh(f"d{_fn_name(op.callee.fn)}_args")
        out = []
        for k, pname in enumerate(pair.active_params):
            entries = active[pname]
            ct = gast.Subscript(value=name_node(cts), slice=gast.Constant(value=k, kind=None),
                                ctx=gast.Load())
            for entry in entries:
                if isinstance(entry, tuple):
                    atom, pos = entry
                    out.append((atom, self._ad_call("part", ct, gast.Constant(value=pos,
                                                                                 kind=None)),
                                True))
                else:
                    out.append((entry, ct, pname not in pair.always_set))
        return [_assign(cts, call)], out

    def _unpack_adjoint(self, s: gast.Assign, op: Op, state: dict) -> list:
        names = [e.id for e in s.targets[0].elts]
        src = op.operands[0]
        if not self._is_active(src):
            return []
        parts = []
        for n in names:
            st = state.get(n, UNBOUND)
            parts.append(gast.Constant(value=None, kind=None) if st in (UNBOUND, NONE, DEAD)
                         else name_node(self.d(n)))
        if all(isinstance(p, gast.Constant) for p in parts):
            return []
        expr = self._ad_call("pack", src, gast.Tuple(elts=parts, ctx=gast.Load()))
        return self._contribute(src.id, expr, True, state)

    # --- functions ----------------------------------------------------------------------------

    def fwd_function(self) -> gast.FunctionDef:
        defined = set(self.params) | local_names(self.fn) | _stores(self.primal)
        saved = sorted((self.needed - {self.tape}) & defined)
        self.saved_names = [self.tape] + saved
        tape = gast.Tuple(elts=[name_node(v) for v in self.saved_names], ctx=gast.Load())
        ret = gast.Return(value=gast.Tuple(elts=[clone(self.ret), tape],
                                           ctx=gast.Load()))
        # A value saved from one branch only must still exist for the tape tuple.
        unset = [v for v in saved if v not in self.params and v not in self.multi]
        init = [gast.Assign(targets=[name_node_store(v) for v in unset],
                            value=gast.Constant(value=None, kind=None))] if unset else []
        return _function(f"{self.fn.name}_fwd", clone(self.fn.args),
                         self.primal[:1] + init + self.primal[1:] + [ret])

    def bwd_function(self) -> gast.FunctionDef:
        saved_arg = self._fresh("saved")
        unpack = gast.Assign(targets=[gast.Tuple(elts=[name_node_store(v)
                                                      for v in self.saved_names],
                                                 ctx=gast.Store())],
                             value=name_node(saved_arg), type_comment=None)
        dout = self.adj_out_name or self._fresh("dout")
        cts = gast.Tuple(elts=[self._final(p) for p in self.active_params], ctx=gast.Load())
        ret = gast.Return(value=self._layout() if self.adapter else cts)
        args = _arguments([saved_arg, dout])
        return _function(f"{self.fn.name}_bwd", args,
                         [unpack] + self.adjoint + [ret])

    def _layout(self) -> gast.expr:
        """``((positional cotangents...), {keyword: cotangent})`` over every parameter (an
        adapter's; None for those not differentiated)."""
        args = self.fn.args
        positional = [a.id for a in list(args.posonlyargs) + list(args.args)]
        keywords = [a.id for a in args.kwonlyargs]
        pos = gast.Tuple(elts=[self._final(p) for p in positional], ctx=gast.Load())
        kw = gast.Dict(keys=[gast.Constant(value=k, kind=None) for k in keywords],
                       values=[self._final(k) for k in keywords])
        return gast.Tuple(elts=[pos, kw], ctx=gast.Load())

    def _final(self, p: str, materialize: bool = True) -> gast.expr:
        """The cotangent returned for parameter ``p``; one that may be None at run time is
        filled with zeros, so callers need no None checks."""
        st = self.final_state.get(p, UNBOUND)
        if st in (UNBOUND, NONE, DEAD):
            return gast.Constant(value=None, kind=None)
        if st == MAYBE and materialize:
            return gast.Call(func=self.ns.ad("materialize"), args=[name_node(self.d(p)),
                                                                  name_node(p)], keywords=[])
        return name_node(self.d(p))


# --- small AST helpers ----------------------------------------------------------------------

def name_node_store(ident: str) -> gast.Name:
    return gast.Name(id=ident, ctx=gast.Store(), annotation=None, type_comment=None)


def _assign(target: str, value: gast.expr) -> gast.Assign:
    return gast.Assign(targets=[name_node_store(target)], value=value, type_comment=None)


def _function(name: str, args: gast.arguments, body: list) -> gast.FunctionDef:
    return gast.FunctionDef(name=name, args=args, body=body, decorator_list=[], returns=None,
                            type_comment=None, type_params=[])


def _arguments(names: list[str]) -> gast.arguments:
    return gast.arguments(args=[gast.Name(id=n, ctx=gast.Param(), annotation=None,
                                          type_comment=None) for n in names],
                          posonlyargs=[], vararg=None, kwonlyargs=[], kw_defaults=[],
                          kwarg=None, defaults=[])


def _stored(t: gast.expr) -> set[str]:
    return {n.id for n in gast.walk(t) if isinstance(n, gast.Name)}


def _targets(s: gast.Assign) -> set[str]:
    out: set[str] = set()
    for t in s.targets:
        out |= _stored(t)
    return out


def _statements(stmts: list, in_loop: bool = False):
    """(statement, inside a loop?) for every statement, nested blocks included."""
    for s in stmts:
        yield s, in_loop
        if isinstance(s, gast.If):
            yield from _statements(s.body, in_loop)
            yield from _statements(s.orelse, in_loop)
        elif isinstance(s, (gast.For, gast.While)):
            yield from _statements(s.body, True)


def _multi_assigned(fn: gast.FunctionDef) -> set[str]:
    """Names assigned more than once, or inside a loop (each iteration overwrites them)."""
    counts: dict[str, int] = {}
    for s, in_loop in _statements(fn.body):
        if isinstance(s, (gast.Assign, gast.AugAssign, gast.AnnAssign)):
            targets = s.targets if isinstance(s, gast.Assign) else [s.target]
            for t in targets:
                for v in _stored(t):
                    counts[v] = counts.get(v, 0) + (2 if in_loop else 1)
        elif isinstance(s, gast.For):
            for v in _stored(s.target):
                counts[v] = counts.get(v, 0) + 2
    return {v for v, c in counts.items() if c > 1} | set(_params(fn.args))


def _names_in(exprs: list) -> set[str]:
    out: set[str] = set()
    for e in exprs:
        out |= {n.id for n in gast.walk(e) if isinstance(n, gast.Name)}
    return out


def _stores(stmts: list) -> set[str]:
    return {n.id for s in stmts for n in gast.walk(s)
            if isinstance(n, gast.Name) and isinstance(n.ctx, gast.Store)}


def _loads(stmts: list) -> set[str]:
    out: set[str] = set()
    for s in stmts:
        for n in gast.walk(s):
            if isinstance(n, gast.Name) and isinstance(n.ctx, gast.Load):
                out.add(n.id)
    return out


def _dead_restores(stmts: list, live_out: set) -> set:
    """Tags of the restores (``v = ad.pop(tape)``) in ``stmts`` whose value is never read."""
    dead: set = set()
    _live_in(stmts, set(live_out), dead)
    return dead


def _live_in(stmts: list, live: set, dead: set) -> set:
    """Names live before ``stmts`` given those live after (backward liveness); adds the tags
    of dead restores to ``dead``."""
    for s in reversed(stmts):
        if isinstance(s, gast.If):
            live = _live_in(s.body, set(live), dead) | _live_in(s.orelse, set(live), dead) | \
                _loads([s.test])
        elif isinstance(s, (gast.For, gast.While)):
            head = _loads([s.iter if isinstance(s, gast.For) else s.test])
            loop = set(live)
            while True:  # the body's reads feed back into the previous iteration
                body_dead: set = set()
                new = live | head | _live_in(s.body, set(loop), body_dead)
                if new == loop:
                    break
                loop = new
            dead |= body_dead
            live = loop
        else:
            stores = _stores([s])
            tag = getattr(s, "axc_restore", None)
            if tag is not None and isinstance(s, gast.Assign) and not stores & live:
                dead.add(tag)
            live = (live - stores) | _loads([s])
    return live


def _without_restores(stmts: list, dead: set) -> list:
    """``stmts`` without the pushes and pops tagged in ``dead`` (nested blocks included)."""
    out = []
    for s in stmts:
        if getattr(s, "axc_restore", None) in dead:
            continue
        if isinstance(s, gast.If):
            s.body = _without_restores(s.body, dead) or [gast.Pass()]
            s.orelse = _without_restores(s.orelse, dead)
        elif isinstance(s, (gast.For, gast.While)):
            s.body = _without_restores(s.body, dead) or [gast.Pass()]
        out.append(s)
    return out


def _merge(a: dict, b: dict) -> tuple[dict, set]:
    out, unbound = {}, set()
    for v in set(a) | set(b):
        x, y = a.get(v, UNBOUND), b.get(v, UNBOUND)
        if x == y:
            out[v] = x
        elif DEAD in (x, y):
            out[v] = DEAD
        elif UNBOUND in (x, y):
            unbound.add(v)
        else:
            out[v] = MAYBE if {x, y} != {NONE} else NONE
    return out, unbound


def _call_parts(call: gast.expr, op: Op, ns: Namespace) -> tuple[list, list]:
    """Positional and keyword arguments of the function an active call applies."""
    args = [clone(a) for a in op.operands]
    keywords = [gast.keyword(arg=k, value=clone(v)) for k, v in op.keywords.items()]
    if op.index is not None and "index" in op.keywords:  # x.at[1:3]: an index object
        index = gast.Subscript(value=ns.ad("index_exp"), slice=clone(op.index),
                               ctx=gast.Load())
        keywords = [k if k.arg != "index" else gast.keyword(arg="index", value=index)
                    for k in keywords]
    return args, keywords + [clone(k) for k in op.star_kwargs]


def _fn_name(fn: Any) -> str:
    name = getattr(fn, "__name__", "fn")
    return name if name.isidentifier() else "fn"


def _origin_comment(s: gast.Assign, parsed: ParsedFunction) -> list:
    origin = getattr(s, "axc_origin", s)
    line = getattr(origin, "lineno", None)
    if line is None or not parsed.source_lines or line > len(parsed.source_lines):
        return []
    text = parsed.source_lines[line - 1].strip()
    return [comment(f"grad of: {text}")]


def comment(text: str) -> gast.Expr:
    """A ``# text`` line in generated source (``emit`` turns the marked string into it)."""
    return gast.Expr(value=gast.Constant(value=COMMENT_MARK + text, kind=None))
