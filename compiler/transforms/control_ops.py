"""Runtime operators of converted control flow: what ``ag.if_stmt`` and friends do.

Code converted by ``control_flow`` calls these instead of running Python ``if``/``while``/
``for`` and ternaries itself. A concrete condition runs plain Python control flow: the user's
semantics exactly (short-circuiting, side effects, any Python values). A traced condition (a
``Tracer``, under ``jit``) stages the statement with ``lax.cond`` / ``lax.while_loop`` /
``lax.fori_loop`` / ``lax.scan``, after AutoGraph's check: every variable the statement
assigns and the program reads afterwards must have, on every path, one pytree structure,
shape and dtype; a violation is a ``ControlFlowError`` at the user's line.

State travels as AutoGraph's: ``get_state()`` returns the statement's variables (its branch
outputs or loop variables) in the order of ``names``; ``set_state(values)`` assigns them.

A ``for`` over a static ``range`` (or a concrete iterable) runs as a Python loop at trace
time, which unrolls it, as JAX does: the iterate stays a Python int and the body may do
anything. It is staged as ``fori_loop`` instead when that is safe and worth it: more than
``STAGE_MIN_TRIPS`` trips, traced loop variables, no ``break``, and a body the converter
found free of side effects; if the body turns out to need a concrete iterate (``lst[i]``,
``range(i)``) or changes a variable's type, the loop is unrolled after all.
"""
from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from typing import Any, NamedTuple

import numpy as np

from ...kernels import lax_control as lax
from ...kernels.lax_checks import is_arraylike
from ...kernels.numpy import ufuncs
from ...kernels.numpy.promote import asarray, convert
from ...runtime import dtypes
from ...runtime.array import Array, wrap
from ...runtime.errors import (
    ConcretizationTypeError,
    TracerArrayConversionError,
    TracerIntegerConversionError,
)
from ...runtime.pytree import tree_flatten, tree_leaves, tree_unflatten
from ..frontend.errors import FrontendError
from ..ir.tracer import Tracer

__all__ = [
    "STAGE_MIN_TRIPS",
    "ControlFlowError",
    "TracedRange",
    "Undefined",
    "and_",
    "converted_call",
    "for_stmt",
    "if_exp",
    "if_stmt",
    "not_",
    "or_",
    "range_",
    "register_origins",
    "while_stmt",
]

# Static ranges with more trips than this are staged as fori_loop (when safe); shorter ones
# unroll at trace time, which costs little and keeps the iterate a Python int.
STAGE_MIN_TRIPS = 16


class ControlFlowError(FrontendError, TypeError):
    """A converted statement cannot be staged: a variable undefined on some path, or one whose
    structure, shape or dtype differs between branches or loop iterations. A ``TypeError`` as
    JAX's own branch and carry checks; located at the user's ``if``/``while``/``for``."""


class Undefined:
    """The value of a variable not assigned yet, where Python would have no binding at all."""

    __slots__ = ("name",)

    def __init__(self, name: str) -> None:
        self.name = name

    def __repr__(self) -> str:
        return f"Undefined({self.name!r})"

    def __getattr__(self, attr: str) -> Any:
        if attr.startswith("__"):
            raise AttributeError(attr)
        self._unbound()

    def _unbound(self, *args: Any, **kwargs: Any) -> Any:
        raise UnboundLocalError(f"cannot access local variable '{self.name}' where it is not "
                                f"associated with a value")

    __bool__ = __call__ = __iter__ = __len__ = __getitem__ = __index__ = __float__ = _unbound
    __add__ = __radd__ = __sub__ = __rsub__ = __mul__ = __rmul__ = __neg__ = _unbound
    __truediv__ = __rtruediv__ = __matmul__ = __rmatmul__ = __pow__ = __rpow__ = _unbound
    __lt__ = __le__ = __gt__ = __ge__ = __array__ = _unbound


# --- where the user's statement is -----------------------------------------------------------

class Origin(NamedTuple):
    """A converted statement's place in the user's file (columns as AST UTF-8 bytes)."""

    filename: str
    lineno: int
    col: int
    end_col: int | None
    line: str


# generated filename -> ((line, col) of an ``ag.<op>(...)`` call -> the user's statement)
_ORIGINS: dict[str, dict[tuple[int, int], Origin]] = {}
# generated filename -> generated variable -> how errors describe it ("the return value")
_DESCRIPTIONS: dict[str, dict[str, str]] = {}


def register_origins(filename: str, calls: dict[tuple[int, int], Origin],
                     descriptions: dict[str, str]) -> None:
    """Record where the operator calls of generated file ``filename`` come from."""
    _ORIGINS[filename] = calls
    _DESCRIPTIONS[filename] = descriptions


class _Site(NamedTuple):
    origin: Origin | None
    descriptions: dict[str, str]

    def describe(self, name: str) -> str:
        return self.descriptions.get(name, f"'{name}'")


def _site() -> _Site:
    """The user statement of the innermost generated frame calling an operator."""
    frame = sys._getframe(1)
    while frame is not None:
        calls = _ORIGINS.get(frame.f_code.co_filename)
        if calls is not None:
            found = calls.get(_position(frame))
            if found is None:
                same_line = [o for (line, _), o in calls.items() if line == frame.f_lineno]
                found = same_line[0] if len(same_line) == 1 else None
            return _Site(found, _DESCRIPTIONS.get(frame.f_code.co_filename, {}))
        frame = frame.f_back
    return _Site(None, {})


def _position(frame: Any) -> tuple[int, int]:
    """(line, column) of the call a frame is executing (columns need Python 3.11+)."""
    positions = getattr(frame.f_code, "co_positions", None)
    if positions is not None:
        for i, (line, _, col, _) in enumerate(positions()):
            if i == frame.f_lasti // 2 and line is not None and col is not None:
                return line, col
    return frame.f_lineno, -1


def _error(site: _Site, message: str, hint: str | None = None) -> ControlFlowError:
    o = site.origin
    if o is None:
        return ControlFlowError(message, hint)
    start = len(o.line.encode("utf-8")[:o.col].decode("utf-8", errors="ignore"))
    end = len(o.line.encode("utf-8")[:o.end_col].decode("utf-8", errors="ignore")) \
        if o.end_col is not None else len(o.line.rstrip())
    return ControlFlowError(message, hint, filename=o.filename, lineno=o.lineno,
                            col_offset=start, source_line=o.line, width=max(1, end - start))


# --- values ---------------------------------------------------------------------------------

def _is_traced(x: Any) -> bool:
    """Whether a condition or bound is a value being staged (tests may widen this)."""
    return isinstance(x, Tracer)


UNDEF, STATIC, SCALAR, ARRAY = "undefined", "static", "scalar", "array"


def _kind(value: Any) -> str:
    """How a variable's value can cross a staged statement: as arrays (ARRAY, or Python
    scalars, SCALAR, that become arrays when they differ) or only unchanged (STATIC)."""
    if isinstance(value, Undefined):
        return UNDEF
    leaves = tree_leaves(value)
    if any(isinstance(x, Undefined) for x in leaves):
        return UNDEF
    if leaves and all(is_arraylike(x) for x in leaves):
        return ARRAY if any(isinstance(x, (Array, np.ndarray)) for x in leaves) else SCALAR
    return STATIC


def _same(a: Any, b: Any) -> bool:
    """Whether two Python values are interchangeable at trace time."""
    if a is b:
        return True
    if type(a) is not type(b):
        return False
    try:
        return bool(a == b)
    except Exception:  # noqa: BLE001 - values that cannot be compared are not the same
        return False


def _describe(value: Any) -> str:
    """``float32[3]``, ``(float32[], int32[])``, ``None``, ``undefined``, ``str``..."""
    if isinstance(value, Undefined):
        return "undefined"
    leaves, tree = tree_flatten(value)
    if tree.num_nodes == 1 and leaves:
        return _leaf_type(leaves[0])
    return str(tree_unflatten(tree, [_Shown(_leaf_type(x)) for x in leaves]))


class _Shown(str):
    __repr__ = str.__str__


def _leaf_type(x: Any) -> str:
    if isinstance(x, Undefined):
        return "undefined"
    if isinstance(x, (Array, np.ndarray, np.generic)):
        shape = ",".join(map(str, np.shape(x) if not isinstance(x, Array) else x.shape))
        weak = "weak " if getattr(x, "weak_type", False) else ""
        return f"{weak}{x.dtype.name}[{shape}]"
    if dtypes.is_python_scalar(x):
        return f"{type(x).__name__} {x!r}"
    return type(x).__name__


def _avals(value: Any) -> list[tuple[tuple[int, ...], np.dtype, bool]]:
    out = []
    for x in tree_leaves(value):
        a = x if isinstance(x, Array) else asarray(x)
        out.append((tuple(a.shape), a.dtype, a.weak_type))
    return out


def _as_arrays(value: Any, targets: list[tuple[np.dtype, bool]] | None = None) -> Any:
    """``value`` with every leaf an Array (of the given dtypes and weak types)."""
    leaves, tree = tree_flatten(value)
    if targets is None:
        arrays = [x if isinstance(x, Array) else asarray(x) for x in leaves]
    else:
        arrays = [convert(asarray(x), dt, weak) for x, (dt, weak) in zip(leaves, targets)]
    return tree_unflatten(tree, arrays)


def _read(get_state: Callable | None, site: _Site) -> tuple:
    if get_state is None:
        return ()
    try:
        return tuple(get_state())
    except NameError as e:  # a variable bound on some paths only (Python would fail later)
        raise _error(site, f"a variable of this statement may be undefined here ({e}); under "
                           f"jit, with a traced condition, every path must define it",
                     "assign it a value before the statement") from None


def _write(set_state: Callable | None, values: Sequence[Any]) -> None:
    if set_state is not None:
        set_state(tuple(values))


# --- logical operators in conditions ---------------------------------------------------------

def not_(x: Any) -> Any:
    """``not x``; elementwise on a traced value."""
    return ufuncs.logical_not(x) if _is_traced(x) else not x


def and_(a: Callable[[], Any], b: Callable[[], Any]) -> Any:
    """``a() and b()``: short-circuits on a concrete ``a``, both sides when it is traced."""
    x = a()
    if _is_traced(x):
        return ufuncs.logical_and(x, b())
    return b() if x else x


def or_(a: Callable[[], Any], b: Callable[[], Any]) -> Any:
    """``a() or b()``: short-circuits on a concrete ``a``, both sides when it is traced."""
    x = a()
    if _is_traced(x):
        return ufuncs.logical_or(x, b())
    return x if x else b()


def _scalar_pred(pred: Any, site: _Site, what: str) -> Any:
    """A traced condition as a boolean scalar (``if x:`` on a number tests ``x != 0``)."""
    shape = tuple(pred.shape)
    if shape != ():
        raise _error(site, f"the condition of {what} is a traced array of shape "
                           f"{list(shape)}; its truth value is ambiguous",
                     "reduce it with jnp.any(...) or jnp.all(...), or use jnp.where for an "
                     "elementwise choice")
    return pred if pred.dtype == dtypes.bool_ else ufuncs.not_equal(pred, 0)


# --- if statements and conditional expressions ------------------------------------------------

def if_stmt(cond: Any, body: Callable[[], None], orelse: Callable[[], None],
            get_state: Callable[[], tuple] | None = None,
            set_state: Callable[[tuple], None] | None = None, names: tuple[str, ...] = ()) -> None:
    """``if cond: body() else: orelse()``; staged with ``lax.cond`` when ``cond`` is traced.

    Parameters
    ----------
    cond : Any
        The condition's value.
    body, orelse : callable
        The branches; they assign the statement's variables (``nonlocal``).
    get_state, set_state : callable, optional
        Read and assign the variables in ``names`` (the branch outputs used afterwards).
    names : tuple of str
        The variables' names, for error messages.
    """
    if not _is_traced(cond):
        if cond:
            body()
        else:
            orelse()
        return
    site = _site()
    init = _read(get_state, site)

    def branch(fn: Callable[[], None]) -> Callable[[], tuple]:
        def run() -> tuple:
            _write(set_state, init)
            fn()
            return _read(get_state, site)
        return run

    pred = _scalar_pred(cond, site, "this if statement")
    _write(set_state, _staged_cond(pred, (branch(body), branch(orelse)), names, site,
                                   ("if", "else")))


def if_exp(cond: Any, if_true: Callable[[], Any], if_false: Callable[[], Any]) -> Any:
    """``if_true() if cond else if_false()``; staged with ``lax.cond`` when ``cond`` is traced."""
    if not _is_traced(cond):
        return if_true() if cond else if_false()
    site = _site()
    pred = _scalar_pred(cond, site, "this conditional expression")
    site = site._replace(descriptions={"": "the conditional expression"})
    out = _staged_cond(pred, (lambda: (if_true(),), lambda: (if_false(),)), ("",), site,
                       ("true", "false"))
    return out[0]


class _Retry(Exception):
    """Some variables must cross the branch with other dtypes (a weak type meets a strong
    one: Python ``0`` on one branch, a float32 array on the other)."""

    def __init__(self, targets: dict[int, list[tuple[np.dtype, bool]]]) -> None:
        super().__init__()
        self.targets = targets


def _staged_cond(pred: Any, branches: tuple[Callable[[], tuple], Callable[[], tuple]],
                 names: Sequence[str], site: _Site, labels: tuple[str, str]) -> tuple:
    """Stage a two-way branch whose thunks return the variables' values; return the values
    after it. Arrays and Python scalars cross as arrays, except that values equal on both
    branches (Python constants, objects) stay Python values; when dtypes must be unified,
    the branches are traced once more with the values converted."""
    targets: dict[int, list[tuple[np.dtype, bool]]] = {}
    for _ in range(2):
        seen: dict[int, tuple] = {}
        plan: list[str] = []
        runners = [_runner(k, branches[k], seen, plan, names, site, labels, targets)
                   for k in (0, 1)]
        try:
            out = lax.cond(pred, *runners)
        except _Retry as retry:
            targets.update(retry.targets)
            continue
        return tuple(out[i] if p == "dynamic" else seen[0][i] for i, p in enumerate(plan))
    raise AssertionError("unreachable: the second attempt converts every differing dtype")


def _runner(k: int, branch: Callable[[], tuple], seen: dict[int, tuple], plan: list[str],
            names: Sequence[str], site: _Site, labels: tuple[str, str],
            targets: dict[int, list]) -> Callable[[], tuple]:
    """Branch ``k`` for ``lax.cond``: its values, as arrays where they may differ."""
    def run() -> tuple:
        values = seen[k] = branch()
        if 1 - k in seen:  # the other branch is traced: compare before lax does
            plan[:] = _reconcile(seen[0], seen[1], names, site, labels, targets)
        return tuple(_as_arrays(v, targets[i]) if i in targets
                     else (v if _kind(v) in (ARRAY, SCALAR) else None)
                     for i, v in enumerate(values))
    return run


def _reconcile(a: tuple, b: tuple, names: Sequence[str], site: _Site, labels: tuple[str, str],
               targets: dict[int, list]) -> list[str]:
    """Per variable, "static" (one Python value on both branches) or "dynamic" (arrays);
    raises ``_Retry`` when dtypes must be unified, a located error when they cannot."""
    plan, retry = [], {}
    for i, (name, x, y) in enumerate(zip(names, a, b)):
        kx, ky = _kind(x), _kind(y)
        if kx == ky == UNDEF or (kx == ky and kx in (STATIC, SCALAR) and _same(x, y)):
            plan.append("static")
        elif UNDEF in (kx, ky):
            raise _one_branch_error(name, labels[1] if kx == UNDEF else labels[0],
                                    labels[0] if kx == UNDEF else labels[1], site)
        elif {kx, ky} <= {ARRAY, SCALAR}:
            unified = _common_targets(name, x, y, site, labels)
            if unified is not None and i not in targets:
                retry[i] = unified
            plan.append("dynamic")
        else:
            raise _mismatch_error(name, x, y, site, labels)
    if retry:
        raise _Retry(retry)
    return plan


def _common_targets(name: str, x: Any, y: Any, site: _Site,
                    labels: tuple[str, str]) -> list[tuple[np.dtype, bool]] | None:
    """The dtypes two values must share as arrays (JAX's promotion of weak types), or None
    when they already agree; a located error when structure, shapes or dtypes clash."""
    ax, ay = _avals(x), _avals(y)
    if tree_flatten(x)[1] != tree_flatten(y)[1] or \
            [s for s, _, _ in ax] != [s for s, _, _ in ay]:
        raise _mismatch_error(name, x, y, site, labels)
    if all(dx == dy for (_, dx, _), (_, dy, _) in zip(ax, ay)):
        return None
    out = []
    for (_, dx, wx), (_, dy, wy) in zip(ax, ay):
        if dx != dy and not (wx or wy):
            raise _mismatch_error(name, x, y, site, labels)
        dt, weak = dtypes.result_type(wrap(np.zeros((), dx), wx), wrap(np.zeros((), dy), wy),
                                      return_weak_type_flag=True)
        out.append((dt, weak))
    return out


def _returns_inside(site: _Site) -> ControlFlowError:
    return _error(site, "the function returns from inside this statement, whose condition "
                        "is traced, while on other paths it goes on; under jit the staged "
                        "statement cannot end the function",
                  "assign the result to a variable initialized before the loop or branch, "
                  "and return it after the statement")


def _one_branch_error(name: str, defined: str, undefined: str, site: _Site) -> ControlFlowError:
    what = site.describe(name)
    if what == "the return value":
        return _error(site, f"the function returns a value in the {defined} branch of this "
                            f"if statement but not in the {undefined} branch; under jit, "
                            f"with a traced condition, every path must return a value of "
                            f"the same type",
                      "return a value on every path (or compute both and use jnp.where)")
    return _error(site, f"{what} is assigned in the {defined} branch of this if statement but "
                        f"not in the {undefined} branch, and it is used afterwards; under "
                        f"jit, with a traced condition, it must be defined on both branches "
                        f"(or before the if)",
                  f"assign {what} a value before the if statement, or in the {undefined} "
                  f"branch too")


def _mismatch_error(name: str, x: Any, y: Any, site: _Site,
                    labels: tuple[str, str]) -> ControlFlowError:
    what = site.describe(name)
    if what == "the return value" and (x is None or y is None):
        return _returns_inside(site)
    return _error(site, f"{what} is {_describe(x)} in the {labels[0]} branch but "
                        f"{_describe(y)} in the {labels[1]} branch; under jit, with a traced "
                        f"condition, both branches must give it the same structure, shape "
                        f"and dtype",
                  "make both branches produce the same type (e.g. with .astype or "
                  "jnp.broadcast_to), or choose elementwise with jnp.where")


# --- loops -----------------------------------------------------------------------------------

class _Unstageable(Exception):
    """A loop tried as fori_loop/scan needs Python iteration after all."""


class _Carry:
    """The loop variables of a staged loop: which cross as arrays, which stay Python values."""

    def __init__(self, init: tuple, names: Sequence[str], site: _Site, kind: str) -> None:
        self.init, self.names, self.site = init, tuple(names), site
        for name, value in zip(names, init):
            if _kind(value) == UNDEF:
                raise self._undefined(name, kind)
        self.dynamic = [i for i, v in enumerate(init) if _kind(v) in (ARRAY, SCALAR)]

    def _undefined(self, name: str, kind: str) -> ControlFlowError:
        what = self.site.describe(name)
        return _error(self.site, f"{what} is assigned in the body of this {kind} loop and used "
                                 f"in a later iteration or after the loop, but it has no value "
                                 f"before the loop; under jit, loop variables of a staged loop "
                                 f"must be defined before it",
                      f"initialize {what} before the loop (e.g. with jnp.zeros_like(...))")

    def start(self) -> tuple:
        return tuple(_as_arrays(self.init[i]) for i in self.dynamic)

    def values(self, carry: Sequence[Any]) -> tuple:
        values = list(self.init)
        for i, x in zip(self.dynamic, carry):
            values[i] = x
        return tuple(values)

    def after_body(self, out: tuple, strict: bool) -> tuple:
        """The carry a body iteration produced; ``strict`` raises located errors, otherwise
        ``_Unstageable`` (the loop can still run in Python)."""
        for i, (name, before, after) in enumerate(zip(self.names, self.init, out)):
            if i in self.dynamic:
                problem = _carry_problem(before, after)
            else:
                problem = None if _same(before, after) else "python"
            if problem is None:
                continue
            if not strict:
                raise _Unstageable(name)
            raise self._changed(name, before, after, problem)
        return tuple(out[i] for i in self.dynamic)

    def _changed(self, name: str, before: Any, after: Any, problem: str) -> ControlFlowError:
        what = self.site.describe(name)
        if what == "the return value":
            return _returns_inside(self.site)
        if problem == "python":
            return _error(self.site, f"{what} holds a Python {type(before).__name__} that the "
                                     f"body of this loop changes (to {_describe(after)}); a "
                                     f"staged loop can only carry arrays",
                          f"make {what} an array (jnp.asarray) or keep it unchanged in the loop")
        return _error(self.site, f"{what} changes type in this loop: {_describe(before)} before "
                                 f"the loop, {_describe(after)} after an iteration; loop "
                                 f"variables of a staged loop must keep their structure, shape "
                                 f"and dtype",
                      f"give {what} its final shape and dtype before the loop")


def _carry_problem(before: Any, after: Any) -> str | None:
    if _kind(after) not in (ARRAY, SCALAR) or tree_flatten(before)[1] != tree_flatten(after)[1]:
        return "type"
    for (s0, d0, w0), (s1, d1, _) in zip(_avals(before), _avals(after)):
        if s0 != s1 or (d0 != d1 and not w0):
            return "type"
    return None


def while_stmt(test: Callable[[], Any], body: Callable[[], None],
               get_state: Callable[[], tuple] | None = None,
               set_state: Callable[[tuple], None] | None = None,
               names: tuple[str, ...] = ()) -> None:
    """``while test(): body()``; staged with ``lax.while_loop`` once ``test()`` is traced.

    The test is evaluated in Python as long as it is concrete; the first traced value stages
    the rest of the loop from the current state (a loop whose first trips are decided in
    Python, e.g. ``done = False``, works).
    """
    while True:
        t = test()
        if _is_traced(t):
            _staged_while(test, body, get_state, set_state, names, _site())
            return
        if not t:
            return
        body()


def _staged_while(test: Callable[[], Any], body: Callable[[], None],
                  get_state: Callable | None, set_state: Callable | None,
                  names: Sequence[str], site: _Site) -> None:
    carry = _Carry(_read(get_state, site), names, site, "while")

    def cond_fun(c: tuple) -> Any:
        _write(set_state, carry.values(c))
        t = test()
        if not isinstance(t, Array):
            return asarray(bool(t))
        return _scalar_pred(t, site, "this while loop")

    def body_fun(c: tuple) -> tuple:
        _write(set_state, carry.values(c))
        body()
        return carry.after_body(_read(get_state, site), strict=True)

    _write(set_state, carry.values(lax.while_loop(cond_fun, body_fun, carry.start())))


class TracedRange(NamedTuple):
    """``range(start, stop, step)`` whose bounds are traced: only a staged loop can run it."""

    start: Any
    stop: Any
    step: int


def range_(*args: Any) -> range | TracedRange:
    """``range(*args)``, or a ``TracedRange`` when a bound is traced (under ``jit``)."""
    if not any(_is_traced(a) for a in args):
        return range(*args)
    start, stop, step = (0, args[0], 1) if len(args) == 1 else (tuple(args) + (1,))[:3]
    if _is_traced(step):
        raise _error(_site(), "the step of a range with traced bounds must be a Python int",
                     "make the step a static value (static_argnums)")
    if step == 0:
        raise ValueError("range() arg 3 must not be zero")
    return TracedRange(start, stop, int(step))


def for_stmt(iter_: Any, extra_test: Callable[[], Any] | None, body: Callable[[Any], None],
             get_state: Callable[[], tuple] | None = None,
             set_state: Callable[[tuple], None] | None = None, names: tuple[str, ...] = (),
             opts: dict | None = None) -> None:
    """``for itr in iter_: body(itr)``, stopping when ``extra_test()`` is false (``break``).

    Parameters
    ----------
    iter_ : iterable, Array or TracedRange
        What the loop iterates over; a traced array iterates over its leading axis.
    extra_test : callable or None
        Checked before each iteration; ``break`` was converted into it.
    body : callable
        One iteration, given the iterate.
    get_state, set_state, names :
        The loop variables (see ``if_stmt``).
    opts : dict, optional
        ``iterate_names``: loop variables assigned from the iterate; ``side_effects``: the
        body does more than assign variables, so it is never staged as a whole.
    """
    opts = opts or {}
    loop = _Loop(extra_test, body, get_state, set_state, names, opts)
    if isinstance(iter_, TracedRange):
        loop.staged_range(iter_.start, iter_.stop, iter_.step, _site())
    elif isinstance(iter_, range) and loop.worth_staging(len(iter_)):
        loop.try_fori(iter_) or loop.python(iter_)
    elif _is_traced(iter_) and iter_.ndim > 0 and loop.worth_staging(iter_.shape[0]):
        loop.try_scan(iter_) or loop.python(iter_)
    else:
        loop.python(iter_)


class _Loop:
    """One ``for`` statement's parts, and the ways it can run."""

    def __init__(self, extra_test: Callable | None, body: Callable, get_state: Callable | None,
                 set_state: Callable | None, names: Sequence[str], opts: dict) -> None:
        self.extra_test, self.body = extra_test, body
        self.get_state, self.set_state, self.names = get_state, set_state, tuple(names)
        self.iterate_names = tuple(opts.get("iterate_names", ()))
        self.side_effects = bool(opts.get("side_effects", False))

    def python(self, iterable: Any) -> None:
        """The loop in Python; a traced ``break`` test stages the remaining trips."""
        for k, itr in enumerate(iterable):
            if self.extra_test is not None:
                t = self.extra_test()
                if _is_traced(t):
                    self._stage_rest(iterable, k)
                    return
                if not t:
                    return
            self.body(itr)

    def _stage_rest(self, iterable: Any, k: int) -> None:
        site = _site()
        if isinstance(iterable, range):
            rest = iterable[k:]
            self.staged_range(rest.start, rest.stop, rest.step, site)
        elif isinstance(iterable, Array) and iterable.ndim > 0:
            body = self.body
            self.body = lambda i: body(iterable[i])
            self.staged_range(k, iterable.shape[0], 1, site)
        else:
            raise _error(site, f"a break in this loop over a Python {type(iterable).__name__} "
                               f"depends on a traced value, which only a staged loop can "
                               f"decide",
                         "loop over range(...) or over an array instead")

    def worth_staging(self, trips: int) -> bool:
        return trips > STAGE_MIN_TRIPS and self.extra_test is None and not self.side_effects

    def _init(self, site: _Site, start: Any) -> tuple:
        """The loop variables before a staged loop (the iterate's, when it has none yet)."""
        init = list(_read(self.get_state, site))
        for i, name in enumerate(self.names):
            if name in self.iterate_names and isinstance(init[i], Undefined):
                init[i] = asarray(start)
        return tuple(init)

    def staged_range(self, start: Any, stop: Any, step: int, site: _Site) -> None:
        """A ``while_loop`` over a counter (traced bounds, or a traced ``break``)."""
        init = self._init(site, start)
        counter = [start]

        def get_state() -> tuple:
            return (counter[0], *_read(self.get_state, site))

        def set_state(values: tuple) -> None:
            counter[0] = values[0]
            _write(self.set_state, values[1:])

        def test() -> Any:
            i = counter[0]
            more = ufuncs.less(i, stop) if step > 0 else ufuncs.greater(i, stop)
            return more if self.extra_test is None else and_(lambda: more, self.extra_test)

        def body() -> None:
            self.body(counter[0])
            counter[0] = counter[0] + step

        _write(self.set_state, init)
        _staged_while(test, body, get_state, set_state, ("the loop counter",) + self.names,
                      site)

    def _try_staged(self, stage: Callable[[_Carry], tuple], first: Callable[[], Any]) -> bool:
        """Run ``stage``; on a body that needs Python iteration, restore the state, say no.
        ``first()`` gives the first iterate (the value of iterate variables not yet set)."""
        try:
            init = tuple(self.get_state()) if self.get_state is not None else ()
        except NameError:
            return False  # a maybe-undefined variable: Python iteration says what happens
        if not any(isinstance(x, Tracer) for x in tree_leaves(init)):
            return False  # nothing traced is carried: Python iteration is exact and cheap
        site = _site()
        start = tuple(first() if n in self.iterate_names and isinstance(v, Undefined) else v
                      for n, v in zip(self.names, init))
        try:
            carry = _Carry(start, self.names, site, "for")
            out = stage(carry)
        except (_Unstageable, ConcretizationTypeError, TracerIntegerConversionError,
                TracerArrayConversionError, ControlFlowError):
            _write(self.set_state, init)
            return False
        _write(self.set_state, carry.values(out))
        return True

    def _step(self, carry: _Carry, c: tuple, itr: Any) -> tuple:
        _write(self.set_state, carry.values(c))
        self.body(itr)
        return carry.after_body(_read(self.get_state, carry.site), strict=False)

    def try_fori(self, r: range) -> bool:
        def stage(carry: _Carry) -> tuple:
            def body_fun(k: Any, c: tuple) -> tuple:
                itr = k if (r.start, r.step) == (0, 1) else r.start + k * r.step
                return self._step(carry, c, itr)
            return lax.fori_loop(0, len(r), body_fun, carry.start())
        return self._try_staged(stage, lambda: asarray(r.start))

    def try_scan(self, xs: Array) -> bool:
        def stage(carry: _Carry) -> tuple:
            out, _ = lax.scan(lambda c, x: (self._step(carry, c, x), None), carry.start(), xs)
            return out
        return self._try_staged(stage, lambda: xs[0])


# --- calls -----------------------------------------------------------------------------------

def converted_call(f: Any, /, *args: Any, **kwargs: Any) -> Any:
    """``f(*args, **kwargs)``, with ``f``'s control flow converted when it is user code."""
    from .control_flow import convert_or_self
    return convert_or_self(_unjit(f))(*args, **kwargs)


def _unjit(f: Any) -> Any:
    """A ``jit`` function called while staging inlines its Python function."""
    from ...kernels import registry
    fun = getattr(f, "fun", None)
    if registry._INTERPRETERS and type(f).__name__ == "JitFunction" and callable(fun):
        return fun
    return f

