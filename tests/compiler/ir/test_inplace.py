"""In-place updates: which updates are marked, and that overwriting never shows.

Every function runs compiled (with the marking) and eagerly; the results must agree bit for
bit, the caller's arrays must be untouched, and a second run must give the first run's
results (a constant or literal written over would change them).
"""
from __future__ import annotations

import numpy as np
import pytest
from axc.compiler.codegen import interpreter
from axc.compiler.ir.ir import Function
from axc.compiler.ir.passes import optimize
from axc.compiler.ir.passes.inplace import mark_inplace
from axc.compiler.jit.executable import Executable

import axc
import axc.numpy as jnp
from axc import lax

N = 64
BIG = 2048  # more elements than staging computes by itself
W = jnp.arange(float(N * 20)).reshape(20, N)  # a closed-over constant (never to be written)


def compiled(f, *args) -> Executable:
    """``f``'s executable as jit builds it, with the updates marked for in-place execution
    (marked here when the executable does not mark them itself)."""
    ex = Executable(axc.make_ir(f)(*args))
    if not any(getattr(e, "donate", ()) for e in ex.function.walk()):
        ex.function = mark_inplace(ex.function)
        ex.run = interpreter.plan(ex.function, ex._step)
    return ex


def donated(fn: Function) -> list[str]:
    """The primitives of the marked equations, nested regions included."""
    return [e.prim.name for e in fn.walk() if getattr(e, "donate", ())]


def same_bits(a, b) -> bool:
    a, b = np.asarray(a), np.asarray(b)
    return a.dtype == b.dtype and a.shape == b.shape and a.tobytes() == b.tobytes()


def run_checked(f, *args) -> Executable:
    """Run ``f`` compiled twice and eagerly; check results and that no input changed."""
    ex = compiled(f, *args)
    saved = [np.array(a, copy=True) for a in args]
    w_saved = np.array(W)
    want = f(*[jnp.asarray(a) for a in args])
    want = want if isinstance(want, tuple) else (want,)
    for _ in range(2):
        got = ex.run([np.asarray(a) for a in args])
        assert len(got) == len(want)
        for w, g in zip(want, got):
            assert same_bits(w, g)
        for a, s in zip(args, saved):
            assert same_bits(a, s), "an input was modified"
        assert same_bits(W, w_saved), "a constant was modified"
    return ex


# --- the functions ----------------------------------------------------------------------------

def chain_on_fresh(x):
    y = x * 2.0
    y = y.at[0].set(-1.0)
    return y.at[1].add(5.0)


def chain_on_parameter(x):
    y = x.at[0].set(-1.0)
    return y.at[1].set(3.0)


def operand_read_later(x):
    y = x * 2.0
    z = y.at[0].set(-1.0)
    return z + y


def operand_is_a_result(x):
    y = x * 2.0
    return y, y.at[0].set(-1.0)


def on_a_constant(x):
    return W[0].at[0].set(x[0]).at[1].set(x[1])


def view_stays_intact(x):
    y = x * 2.0
    v = y.reshape(8, N // 8)
    z = y.at[0].set(-1.0)
    return z, v


def update_from_own_view(x):
    y = x * 2.0
    return y.at[1:].set(lax.slice(y, (0,), (N - 1,)))  # a view of y


def update_from_own_gather(x):
    y = x * 2.0
    return y.at[1:].set(y[:-1])  # ``index`` copies what it gathers


def on_broadcast_zeros(x):
    return jnp.zeros(BIG).at[3].set(x[0]).at[4].set(x[1])  # staged: a read-only broadcast


def update_of_updated_view(x):
    z = (x * 2.0).at[0].set(1.0)
    w = z.reshape(N // 8, 8)
    return z.at[1].set(2.0), w


def dynamic_slices(x, i):
    y = x * 1.5
    y = lax.dynamic_update_slice(y, x[:4] + 1.0, (i,))
    return lax.dynamic_update_slice(y, x[4:8], (i + 8,))


def loop_on_parameter(x):
    for i in range(N // 2):
        x = x.at[i].set(i * 0.5)
    return x


def loop_on_fresh(x):
    y = x * 3.0
    for i in range(N // 2):
        y = y.at[2 * i].add(x[i])
    return y


def loop_keeps_old_values(x):
    y = x + 1.0
    acc = x * 0.0
    for i in range(N // 2):
        old = y
        y = y.at[i].set(-y[i])
        acc = acc + old  # the pre-update value is still read: no overwriting
    return y, acc


def loop_swaps_carries(x):
    a, b = x * 2.0, x * 3.0
    for i in range(N // 2):
        a, b = b.at[i].add(1.0), a.at[i].multiply(2.0)
    return a, b


def loop_carries_one_buffer_twice(x):
    a = x * 2.0
    b = a
    for i in range(N // 2):
        a = a.at[i].set(-1.0)
    return a, b


def loop_carries_a_view_of_the_update(x):
    a, b, acc = x * 2.0, x * 3.0, x * 0.0
    for i in range(N // 2):
        a = a.at[i].add(1.0)
        acc = acc + b  # b is a view of the previous a: it must not see this update
        b = lax.rev(a, (0,))
    return a, acc


def fori_with_traced_bounds(x, n):
    def body(i, y):
        return lax.dynamic_update_slice(y, jnp.full((1,), i * 1.0), (i,))
    return lax.fori_loop(0, n, body, x * 2.0)


def scan_with_rows(x):
    def body(c, row):
        c = c.at[0].add(row[0])
        return c.at[1].set(row[1]), c[0]
    return lax.scan(body, x * 2.0, W)  # c[0] reads the first update's result: one marked


def nested_loops(x):
    def outer(i, y):
        def inner(j, z):
            return z.at[4 * i + j].set(z[4 * i + j] * 10.0)
        return lax.fori_loop(0, 4, inner, y * 0.5)
    return lax.fori_loop(0, 4, outer, x - 1.0)


def body_returns_a_constant_row(x):
    def body(c, row):
        return row, c.at[0].set(1.0)  # the next carry is a row of W: never written
    return lax.scan(body, x * 2.0, W)


X = np.linspace(-2.0, 2.0, N).astype(np.float32)
CASES = [  # (function, extra arguments, primitives marked)
    (chain_on_fresh, (), ["index_update", "index_update"]),
    (chain_on_parameter, (), ["index_update"]),
    (operand_read_later, (), []),
    (operand_is_a_result, (), []),
    (on_a_constant, (), ["index_update"]),
    (view_stays_intact, (), ["index_update"]),
    (update_from_own_view, (), ["index_update"]),
    (update_from_own_gather, (), ["index_update"]),
    (on_broadcast_zeros, (), ["index_update", "index_update"]),
    (update_of_updated_view, (), ["index_update", "index_update"]),
    (dynamic_slices, (np.int32(3),), ["dynamic_update_slice", "dynamic_update_slice"]),
    (loop_on_parameter, (), ["index_update"]),
    (loop_on_fresh, (), ["copy", "index_update"]),
    (loop_keeps_old_values, (), []),
    (loop_swaps_carries, (), ["copy", "copy", "index_update", "index_update"]),
    (loop_carries_one_buffer_twice, (), ["index_update"]),
    (loop_carries_a_view_of_the_update, (), []),
    (fori_with_traced_bounds, (np.int32(N // 3),), ["copy", "dynamic_update_slice"]),
    (scan_with_rows, (), ["copy", "index_update"]),
    (nested_loops, (), ["copy", "index_update"]),  # the inner copy hands over
    (body_returns_a_constant_row, (), []),
]


@pytest.mark.parametrize("f,extra,marked", CASES, ids=[f.__name__ for f, _, _ in CASES])
def test_compiled_matches_eager_and_inputs_stay_intact(f, extra, marked):
    ex = run_checked(f, X, *extra)
    assert sorted(donated(ex.function)) == sorted(marked)


def test_marking_leaves_the_function_as_it_was():
    fn = optimize(axc.make_ir(loop_on_fresh)(X))
    text = str(fn)
    marked = mark_inplace(fn)
    assert str(fn) == text and not donated(fn) and donated(marked)


def test_a_loop_copies_its_parameter_once_and_then_updates_in_place():
    ex = compiled(loop_on_parameter, X)
    top = [e.prim.name for e in ex.function.eqns]
    assert top == ["copy", "scan"]
    copy_eqn = ex.function.eqns[0]
    assert not getattr(copy_eqn, "donate", ())  # its operand is the caller's


def test_guards_name_the_values_that_may_share_the_buffer():
    ex = compiled(view_stays_intact, X)
    (update,) = [e for e in ex.function.eqns if getattr(e, "donate", ())]
    reshaped = [e.outputs[0] for e in ex.function.eqns if e.prim.name == "reshape"]
    assert reshaped and reshaped[0] in update.disjoint_from


@pytest.fixture
def calls(monkeypatch):
    """Counts of in-place and copying runs of the marked steps."""
    counts = {"inplace": 0, "copying": 0}
    real = dict(interpreter._INPLACE)

    def counting(name, fn):
        def run(*args, **params):
            counts[name] += 1
            return fn(*args, **params)
        return run

    monkeypatch.setattr(interpreter, "_INPLACE",
                        {k: counting("inplace", v) for k, v in real.items()})
    real_init = interpreter.InPlaceStep.__init__

    def init(self, copying, inplace, n):
        real_init(self, counting("copying", copying), inplace, n)
    monkeypatch.setattr(interpreter.InPlaceStep, "__init__", init)
    return counts


@pytest.mark.parametrize("f,inplace,copying", [
    (loop_on_parameter, N // 2, 0),       # the copy before the loop is an unmarked ``copy``
    (loop_on_fresh, 1 + N // 2, 0),       # the copy hands its operand's buffer over
    (view_stays_intact, 0, 1),            # the reshape is a view of the operand: copy
    (update_from_own_view, 0, 1),         # the update reads a view of the operand: copy
    (update_from_own_gather, 1, 0),
    (on_broadcast_zeros, 1, 1),           # a read-only broadcast is copied once
])
def test_run_time_checks_choose_between_overwriting_and_copying(calls, f, inplace, copying):
    ex = compiled(f, X)
    ex.run([X])
    assert calls == {"inplace": inplace, "copying": copying}


def test_random_programs_of_updates_and_views():
    rng = np.random.default_rng(0)
    for trial in range(12):
        program = [(rng.integers(4), rng.integers(3), rng.integers(N)) for _ in range(8)]
        keep = rng.random(len(program)) < 0.3

        def f(x, program=program, keep=keep):
            values, out = [x * 1.0], []
            for (op, src, k), kept in zip(program, keep):
                v = values[min(src, len(values) - 1)]
                if op == 0:
                    v = v.at[k].set(-float(k))
                elif op == 1:
                    v = v.at[k].add(v[(k + 1) % N])
                elif op == 2:
                    v = v.reshape(N // 8, 8).T.reshape(N)
                else:
                    v = lax.dynamic_update_slice(v, v[:3], (k % (N - 3),))
                values.append(v)
                if kept:
                    out.append(v)
            return tuple(out) + (values[-1],)
        run_checked(f, X)
