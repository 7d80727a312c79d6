"""``vmap`` performance: axc vs JAX (``jax.vmap``) vs code batched by hand, side by side.

Workloads (the vmap issue's): a batched matrix-vector product ``vmap(jnp.dot, (None, 0))(A,
xs)`` with ``A`` 150x100 float32 over 10 and 10,000 vectors, and the per-example gradients
of a small MLP, ``vmap(grad(loss), in_axes=(None, 0, 0))``. Each runs eagerly and under
``jit``. The "hand" columns run the same batched maths written by hand once against a
NumPy-like module (``xs @ A.T``; a manual backprop whose weight gradients are per-example
outer products), in axc and in NumPy.

Targets (the vmap issue): axc's vmap within 1.2x of the hand-batched axc code (eager vs
eager, jit vs jit), and under jit no slower than JAX (axc/JAX <= 1.0).

Times are medians of repeats of a timeit loop (each >= 0.2 s), the repeats of every column
interleaved so that load from elsewhere on the machine slows them alike. Each result is
checked once against JAX's vmap (or, without JAX, the NumPy hand code) before timing; a
workload that fails in axc is reported, not fatal.

    python benchmarks/vmap_bench.py [--quick]
"""
from __future__ import annotations

import argparse
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any

import numpy as np
from bench_common import agree, failure, fmt_time, interleaved, ratio, ready, to_lib

import axc

os.environ.setdefault("JAX_PLATFORMS", "cpu")

HAND_LIMIT = 1.2  # vmap / hand-batched axc
JAX_LIMIT = 1.0   # axc / JAX, under jit
MLP_SIZES = (784, 512, 10)
MLP_BATCH = 128


# --- the vmapped workloads, written once against ``lib`` (axc or jax) ----------------------

def matvec_vmapped(lib: ModuleType) -> Callable:
    return lib.vmap(lib.numpy.dot, (None, 0))


def per_example_grads_vmapped(lib: ModuleType) -> Callable:
    jnp, lax = lib.numpy, lib.lax

    def loss(params, x, y):
        """Softmax cross-entropy of one example (``x``: (784,), ``y``: one-hot (10,))."""
        (w1, b1), (w2, b2) = params
        h = jnp.tanh(jnp.dot(x, w1) + b1)
        logits = jnp.dot(h, w2) + b2
        z = logits - lax.stop_gradient(jnp.max(logits))
        logp = z - jnp.log(jnp.sum(jnp.exp(z)))
        return -jnp.sum(y * logp)
    return lib.vmap(lib.grad(loss), in_axes=(None, 0, 0))


# --- the same batched maths by hand, against ``xp`` (numpy, axc.numpy or jax.numpy) --------

def matvec_hand(xp: ModuleType) -> Callable:
    def batched_matvec(a, xs):
        return xs @ a.T
    return batched_matvec


def per_example_grads_hand(xp: ModuleType) -> Callable:
    def batched_grads(params, x, y):
        """Manual backprop of the per-example loss over the batch; the weight gradients are
        per-example outer products (B, fan_in, fan_out)."""
        (w1, b1), (w2, b2) = params
        h = xp.tanh(x @ w1 + b1)
        logits = h @ w2 + b2
        e = xp.exp(logits - xp.max(logits, axis=1, keepdims=True))
        p = e / xp.sum(e, axis=1, keepdims=True)
        d_logits = p * xp.sum(y, axis=1, keepdims=True) - y
        d_pre = (d_logits @ w2.T) * (1.0 - h * h)
        return [(x[:, :, None] * d_pre[:, None, :], d_pre),
                (h[:, :, None] * d_logits[:, None, :], d_logits)]
    return batched_grads


# --- inputs --------------------------------------------------------------------------------

def _f32(a: Any) -> np.ndarray:
    return np.asarray(a, dtype=np.float32)


def _matvec_inputs(batch: int) -> tuple:
    rng = np.random.default_rng(batch)
    return _f32(rng.normal(size=(150, 100))), _f32(rng.normal(size=(batch, 100)))


def _mlp_inputs() -> tuple:
    rng = np.random.default_rng(0)
    n_in, n_hidden, n_out = MLP_SIZES
    params = [(_f32(rng.normal(size=(n_in, n_hidden)) / np.sqrt(n_in)), _f32(np.zeros(n_hidden))),
              (_f32(rng.normal(size=(n_hidden, n_out)) / np.sqrt(n_hidden)),
               _f32(np.zeros(n_out)))]
    labels = np.eye(n_out, dtype=np.float32)[rng.integers(0, n_out, size=MLP_BATCH)]
    return params, _f32(rng.normal(size=(MLP_BATCH, n_in))), labels


@dataclass
class Workload:
    key: str
    title: str
    vmapped: Callable    # lib -> the vmapped function (not jitted)
    hand: Callable       # xp -> the hand-batched function (not jitted)
    inputs: Callable     # () -> NumPy float32 arguments


WORKLOADS = [
    Workload("matvec10", "matvec 150x100, 10 vecs", matvec_vmapped, matvec_hand,
             lambda: _matvec_inputs(10)),
    Workload("matvec10k", "matvec 150x100, 10k vecs", matvec_vmapped, matvec_hand,
             lambda: _matvec_inputs(10_000)),
    Workload("pegrad", "per-ex grads " + "-".join(map(str, MLP_SIZES)) + f" B{MLP_BATCH}",
             per_example_grads_vmapped, per_example_grads_hand, _mlp_inputs),
]
MODES = ("eager", "jit")


# --- timing ----------------------------------------------------------------------------------


@dataclass
class Measured:
    times: dict[str, float] = field(default_factory=dict)  # column -> seconds per call
    notes: list[str] = field(default_factory=list)         # failures, mismatches


def _candidates(w: Workload, mode: str, libs: dict[str, ModuleType]
                ) -> dict[str, tuple[ModuleType | None, Callable]]:
    """column -> (library to block on, function) of ``w`` in ``mode``."""
    def wrap(lib: ModuleType, fn: Callable) -> Callable:
        return lib.jit(fn) if mode == "jit" else fn
    out: dict[str, tuple[ModuleType | None, Callable]] = {
        "axc": (axc, wrap(axc, w.vmapped(axc))),
        "axc hand": (axc, wrap(axc, w.hand(axc.numpy))),
    }
    if "jax" in libs:
        jax = libs["jax"]
        out["jax"] = (jax, wrap(jax, w.vmapped(jax)))
    out["numpy"] = (None, w.hand(np))
    return out


def _measure(w: Workload, mode: str, args: tuple, libs: dict[str, ModuleType],
             repeats: int) -> Measured:
    """Times of every column of ``w`` in ``mode``, interleaved; an axc failure or a result
    that differs from the reference is noted (JAX's or NumPy's failure is this script's bug)."""
    m = Measured()
    largs = {name: to_lib(lib, args) for name, lib in libs.items()}
    runs: dict[str, Callable[[], Any]] = {}
    outs: dict[str, Any] = {}
    for col, (lib, fn) in _candidates(w, mode, libs).items():
        a = args if lib is None else largs["jax" if lib is not axc else "axc"]
        run = (lambda lib=lib, fn=fn, a=a: ready(lib, fn(*a)))
        try:
            outs[col] = run()  # jit: trace + compile here, not in the timing
        except Exception as err:  # a missing feature is a result, not a crash
            if not col.startswith("axc"):
                raise
            m.notes.append(f"{col} {failure(err)}")
            continue
        runs[col] = run
    ref = outs.get("jax", outs["numpy"])
    for col in ("axc", "axc hand"):
        if col in outs and not agree(outs[col], ref):
            m.notes.append(f"{col} differs from {'JAX' if 'jax' in outs else 'NumPy'}!")
    outs.clear()  # the per-example gradients are large: free them before timing
    m.times = interleaved(runs, repeats)
    return m


# --- the table -------------------------------------------------------------------------------


def _met(a: float | None, b: float | None, limit: float) -> str:
    return "-" if a is None or b is None else ("yes" if a / b <= limit else "NO")


COLUMNS = [("workload", 29), ("mode", 6), ("axc vmap", 10), ("axc hand", 10), ("JAX vmap", 10),
           ("NumPy hand", 11), ("vmap/hand", 10), ("axc/JAX", 9), ("axc/NumPy", 10),
           ("<=1.2x hand", 12), ("<=JAX", 6), ("check", 0)]


def _row(cells: list[str]) -> str:
    return "".join(f"{c:<{width}}" if width else c for c, (_, width) in zip(cells, COLUMNS))


def _print_table(results: list[tuple[Workload, str, Measured]]) -> None:
    print(_row([name for name, _ in COLUMNS]))
    for w, mode, m in results:
        a, h, j, n = (m.times.get(k) for k in ("axc", "axc hand", "jax", "numpy"))
        print(_row([w.title, mode, fmt_time(a), fmt_time(h), fmt_time(j), fmt_time(n),
                    ratio(a, h), ratio(a, j), ratio(a, n), _met(a, h, HAND_LIMIT),
                    _met(a, j, JAX_LIMIT) if mode == "jit" else "-", "; ".join(m.notes)]))


def _warm_up(libs: dict[str, ModuleType]) -> None:
    """Pay one-time costs (backend start-up, first jit, parsing this file) before timing."""
    a, xs = _matvec_inputs(2)
    for lib in libs.values():
        ready(lib, lib.jit(matvec_vmapped(lib))(*to_lib(lib, (a, xs))))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="3 repeats instead of 7")
    args = parser.parse_args()
    repeats = 3 if args.quick else 7

    libs: dict[str, ModuleType] = {"axc": axc}
    try:
        import jax
        libs["jax"] = jax
    except ImportError:
        print("(jax not installed: its columns are skipped)")
    t0 = time.perf_counter()
    _warm_up(libs)
    results = []
    for w in WORKLOADS:
        inputs = w.inputs()
        for mode in MODES:
            results.append((w, mode, _measure(w, mode, inputs, libs, repeats)))
    print(f"median of {repeats} repeats; targets: axc vmap <= {HAND_LIMIT}x the hand-batched "
          f"axc code (same mode), and under jit axc/JAX <= {JAX_LIMIT}")
    _print_table(results)
    print(f"(total {time.perf_counter() - t0:.0f} s)")


if __name__ == "__main__":
    main()
