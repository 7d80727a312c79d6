"""``jit`` performance: axc vs JAX (``jax.jit``) vs NumPy, side by side, as ratios.

Workloads: tiny-input dispatch, elementwise (selu, a fused sin/cos/exp chain), a gradient,
an MLP SGD step, the seeds' linear-regression loop (``accelerated-numpy.md``), a 1024x1024
matmul, and each one's first-call (compile) time. The NumPy column runs the same maths
written by hand (gradients included) with no compiler.

Targets (the jit issue): dispatch axc/JAX <= 0.5; steady state axc/JAX <= 1.0; compile
axc/JAX <= 0.5; elementwise workloads reach >= 70% of the memory-bandwidth floor (NumPy's
``copyto`` bandwidth, bytes read + written per second); matmul >= 90% of NumPy's BLAS.

Steady times are medians of repeats of a timeit loop (each >= 0.2 s), the repeats of axc, JAX
and NumPy interleaved so that load from elsewhere on the machine slows them alike.
A compile time is the first call of a *fresh* ``jit`` object over freshly built functions
(so axc redoes the grad transformation; the parse of this file stays cached, as for a second
function in a session), result ready, median of a few repeats. Each axc result is checked
against JAX's once before timing; a workload that fails in axc is reported, not fatal.

    python benchmarks/jit_bench.py [--quick]
"""
from __future__ import annotations

import argparse
import os
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from types import ModuleType
from typing import Any

import numpy as np
from bench_common import agree, failure, fmt_time, interleaved, ratio, ready, to_lib

import axc

os.environ.setdefault("JAX_PLATFORMS", "cpu")

SELU_ALPHA, SELU_LAMBDA = 1.67, 1.05  # the seeds' quickstart values
LINREG_STEPS = 1000
NP_LR = np.float32(0.1)  # the seeds' learning rate, kept float32 in NumPy


# --- the workloads, written once against ``lib`` (axc or jax) ------------------------------

def selu_setup(lib: ModuleType) -> Callable:
    jnp = lib.numpy

    def selu(x, alpha=SELU_ALPHA, lmbda=SELU_LAMBDA):
        return lmbda * jnp.where(x > 0, x, alpha * jnp.exp(x) - alpha)
    return lib.jit(selu)


def chain_setup(lib: ModuleType) -> Callable:
    jnp = lib.numpy

    def chain(x):
        return jnp.sin(x) * jnp.cos(x) + jnp.exp(-x * x)
    return lib.jit(chain)


def tanh_grad_setup(lib: ModuleType) -> Callable:
    jnp = lib.numpy

    def sum_tanh_sq(x):
        return jnp.sum(jnp.tanh(x) ** 2)
    return lib.jit(lib.grad(sum_tanh_sq))


def mlp_setup(lib: ModuleType) -> Callable:
    jnp, lax = lib.numpy, lib.lax

    def loss(params, x, y):
        (w1, b1), (w2, b2) = params
        h = jnp.tanh(jnp.dot(x, w1) + b1)
        logits = jnp.dot(h, w2) + b2
        m = lax.stop_gradient(jnp.max(logits, axis=1, keepdims=True))
        z = logits - m
        logp = z - jnp.log(jnp.sum(jnp.exp(z), axis=1, keepdims=True))
        return -jnp.mean(jnp.sum(y * logp, axis=1))

    def sgd_step(params, x, y):
        grads = lib.grad(loss)(params, x, y)
        return lib.tree_util.tree_map(lambda p, g: p - 0.01 * g, params, grads)
    return lib.jit(sgd_step)


def linreg_setup(lib: ModuleType) -> Callable:
    """The seeds' ``update`` (accelerated-numpy.md, "a simple training loop"), jitted."""
    jnp = lib.numpy

    def model(theta, x):
        w, b = theta
        return w * x + b

    def loss_fn(theta, x, y):
        prediction = model(theta, x)
        return jnp.mean((prediction - y) ** 2)

    def update(theta, x, y, lr=0.1):
        return theta - lr * lib.grad(loss_fn)(theta, x, y)
    return lib.jit(update)


def dispatch_setup(lib: ModuleType) -> Callable:
    return lib.jit(lambda x: x + 1.0)


def matmul_setup(lib: ModuleType) -> Callable:
    return lib.jit(lib.numpy.dot)


def linreg_loop(update: Callable, theta: Any, x: Any, y: Any) -> Any:
    for _ in range(LINREG_STEPS):
        theta = update(theta, x, y)
    return theta


# --- the same maths in plain NumPy ---------------------------------------------------------

def np_selu(x):
    return SELU_LAMBDA * np.where(x > 0, x, SELU_ALPHA * np.exp(x) - SELU_ALPHA)


def np_chain(x):
    return np.sin(x) * np.cos(x) + np.exp(-x * x)


def np_tanh_grad(x):
    t = np.tanh(x)
    return 2.0 * t * (1.0 - t * t)


def np_sgd_step(params, x, y):
    (w1, b1), (w2, b2) = params
    h = np.tanh(x @ w1 + b1)
    logits = h @ w2 + b2
    p = np.exp(logits - logits.max(axis=1, keepdims=True))
    p /= p.sum(axis=1, keepdims=True)
    d_logits = (p - y) / np.float32(x.shape[0])
    d_pre = (d_logits @ w2.T) * (1.0 - h * h)
    grads = ((x.T @ d_pre, d_pre.sum(0)), (h.T @ d_logits, d_logits.sum(0)))
    return [tuple(p - np.float32(0.01) * g for p, g in zip(layer, glayer))
            for layer, glayer in zip(params, grads)]


def np_linreg_update(theta, x, y, lr=NP_LR):
    r = theta[0] * x + theta[1] - y
    grad = np.array([2 * np.mean(r * x), 2 * np.mean(r)], dtype=np.float32)
    return theta - lr * grad


# --- inputs --------------------------------------------------------------------------------

def _inputs() -> dict[str, tuple]:
    """NumPy float32 arguments of each workload (converted per library at setup)."""
    rng = np.random.default_rng(0)

    def f32(a):
        return np.asarray(a, dtype=np.float32)

    xs = f32(rng.normal(size=100))
    params = [(f32(rng.normal(size=(784, 512)) / 28), f32(np.zeros(512))),
              (f32(rng.normal(size=(512, 10)) / 23), f32(np.zeros(10)))]
    labels = np.eye(10, dtype=np.float32)[rng.integers(0, 10, size=128)]
    return {
        "dispatch": (f32([1.0, 2.0, 3.0]),),
        "selu": (f32(rng.normal(size=1_000_000)),),
        "chain": (f32(rng.uniform(-4, 4, size=10_000_000)),),
        "grad": (f32(rng.normal(size=1000)),),
        "mlp": (params, f32(rng.normal(size=(128, 784))), labels),
        "linreg": (f32([1.0, 1.0]), xs, f32(xs * 3 - 1 + rng.normal(scale=0.1, size=100))),
        "matmul": (f32(rng.normal(size=(1024, 1024))), f32(rng.normal(size=(1024, 1024)))),
    }


@dataclass
class Workload:
    key: str
    title: str
    kind: str            # "dispatch" | "steady" | "elementwise" | "matmul"
    setup: Callable      # lib -> a fresh jitted function
    numpy_fn: Callable   # the NumPy version of one call
    loop: bool = False   # the workload is LINREG_STEPS calls threading the first argument
    number: int = 0      # calls per timing loop (0: timeit's autorange)

    def bytes_moved(self, args: tuple) -> int:
        """Bytes read + written by an elementwise workload (one output like its input)."""
        return 2 * sum(a.nbytes for a in args)


WORKLOADS = [
    Workload("dispatch", "dispatch x+1.0, 3 f32", "dispatch", dispatch_setup,
             lambda x: x + np.float32(1.0), number=10_000),
    Workload("selu", "selu 1M f32", "elementwise", selu_setup, np_selu),
    Workload("chain", "sin*cos+exp(-x*x) 10M f32", "elementwise", chain_setup, np_chain),
    Workload("grad", "grad sum(tanh^2) 1000", "steady", tanh_grad_setup, np_tanh_grad),
    Workload("mlp", "MLP SGD step 784-512-10", "steady", mlp_setup, np_sgd_step),
    Workload("linreg", f"linreg {LINREG_STEPS} SGD steps", "steady", linreg_setup,
             np_linreg_update, loop=True),
    Workload("matmul", "matmul 1024x1024 f32", "matmul", matmul_setup, np.dot),
]


# --- timing ----------------------------------------------------------------------------------


def _runner(w: Workload, lib: ModuleType | None, fn: Callable, args: tuple) -> Callable:
    """A zero-argument call of one timed unit of ``w`` (a whole loop for linreg)."""
    if w.loop:
        return lambda: ready(lib, linreg_loop(fn, *args))
    return lambda: ready(lib, fn(*args))


def _first_call_s(w: Workload, lib: ModuleType, args: tuple) -> float:
    """Seconds of the first call of a fresh jit (trace + compile + one run, result ready)."""
    fn = w.setup(lib)
    t0 = time.perf_counter()
    ready(lib, fn(*args))
    return time.perf_counter() - t0


@dataclass
class Measured:
    steady: dict[str, float]     # lib name -> seconds per timed unit
    compile: dict[str, float]    # lib name -> seconds of the first call
    note: str = ""               # a failure or a mismatch with JAX


def _measure(w: Workload, args: tuple, libs: dict[str, ModuleType], repeats: int,
             compile_repeats: int) -> Measured:
    """Compile and steady times of ``w`` in every library, interleaved; axc's failure is
    noted and its cells left empty (JAX's or NumPy's would be a bug of this script)."""
    m = Measured({}, {})
    live = dict(libs)
    largs = {name: to_lib(lib, args) for name, lib in libs.items()}
    compiles: dict[str, list[float]] = {name: [] for name in libs}
    runs: dict[str, Callable[[], Any]] = {}
    outs = {}
    for step in [*range(compile_repeats), "steady"]:
        for name in list(live):
            try:
                if step == "steady":
                    runs[name] = _runner(w, live[name], w.setup(live[name]), largs[name])
                    outs[name] = runs[name]()
                else:
                    compiles[name].append(_first_call_s(w, live[name], largs[name]))
            except Exception as err:  # a missing feature is a result, not a crash
                if name != "axc":
                    raise
                m.note = failure(err)
                del live[name]
    m.compile = {name: statistics.median(compiles[name]) for name in live}
    runs["numpy"] = _runner(w, None, w.numpy_fn, args)
    m.steady = interleaved(runs, repeats, w.number)
    if "axc" in outs and "jax" in outs and not agree(outs["axc"], outs["jax"]):
        m.note = "differs from JAX!"
    return m


def copy_bandwidth(repeats: int) -> float:
    """NumPy's copy bandwidth in bytes/s (read + write) on arrays well beyond the caches."""
    src = np.ones(1 << 25, dtype=np.float32)  # 128 MiB
    dst = np.empty_like(src)
    t = interleaved({"copy": lambda: np.copyto(dst, src)}, repeats, 3)["copy"]
    return 2 * src.nbytes / t


# --- the table -------------------------------------------------------------------------------


def _verdict(w: Workload, m: Measured, args: tuple, floor: float) -> tuple[str, str]:
    """(target, met?) of the steady row of ``w``."""
    axc_s, jax_s, np_s = (m.steady.get(k) for k in ("axc", "jax", "numpy"))
    if w.kind == "elementwise":
        pct = None if axc_s is None else 100 * w.bytes_moved(args) / axc_s / floor
        return "bw >= 70% floor", "-" if pct is None else f"{_yes(pct >= 70)} ({pct:.0f}%)"
    if w.kind == "matmul":
        pct = None if axc_s is None else 100 * np_s / axc_s
        return "BLAS >= 90%", "-" if pct is None else f"{_yes(pct >= 90)} ({pct:.0f}%)"
    limit = 0.5 if w.kind == "dispatch" else 1.0
    return _ratio_target(axc_s, jax_s, limit)


def _ratio_target(axc_s: float | None, jax_s: float | None, limit: float) -> tuple[str, str]:
    if axc_s is None or jax_s is None:
        return f"axc/JAX <= {limit}", "-"
    return f"axc/JAX <= {limit}", _yes(axc_s / jax_s <= limit)


def _yes(ok: bool) -> str:
    return "yes" if ok else "NO"


COLUMNS = [("workload", 28), ("axc", 10), ("JAX", 10), ("NumPy", 10), ("axc/JAX", 9),
           ("axc/NumPy", 10), ("target", 17), ("met?", 10), ("check", 0)]


def _row(cells: list[str]) -> str:
    return "".join(f"{c:<{width}}" if width else c for c, (_, width) in zip(cells, COLUMNS))


def _print_table(results: list[tuple[Workload, tuple, Measured]], floor: float) -> None:
    print(_row([name for name, _ in COLUMNS]))
    for w, args, m in results:
        a, j, n = (m.steady.get(k) for k in ("axc", "jax", "numpy"))
        target, met = _verdict(w, m, args, floor)
        print(_row([w.title, _axc_cell(a, m), fmt_time(j), fmt_time(n), ratio(a, j),
                    ratio(a, n), target, met, m.note]))
    for w, _, m in results:
        a, j = m.compile.get("axc"), m.compile.get("jax")
        target, met = _ratio_target(a, j, 0.5)
        print(_row([f"compile: {w.key}", _axc_cell(a, m), fmt_time(j), "-", ratio(a, j), "-",
                    target, met, m.note if a is None else ""]))


def _axc_cell(seconds: float | None, m: Measured) -> str:
    return "fails" if seconds is None and m.note.startswith("fails") else fmt_time(seconds)


def _print_bandwidth(results: list[tuple[Workload, tuple, Measured]], floor: float) -> None:
    print(f"bandwidth floor (np.copyto, 128 MiB, read + write): {floor / 1e9:.1f} GB/s")
    for w, args, m in results:
        if w.kind != "elementwise":
            continue
        parts = [f"{k} {100 * w.bytes_moved(args) / s / floor:.0f}%"
                 for k, s in m.steady.items()]
        print(f"  {w.title}: {w.bytes_moved(args) / 1e6:.0f} MB moved; " + ", ".join(parts))
    for w, _, m in results:
        if w.kind == "matmul" and "axc" in m.steady:
            flops = 2 * 1024 ** 3
            print("  matmul GFLOP/s: " + ", ".join(
                f"{k} {flops / s / 1e9:.1f}" for k, s in m.steady.items()))


def _warm_up(libs: dict[str, ModuleType]) -> None:
    """Pay one-time costs (backend start-up, LLVM target, parsing this file) before timing."""
    x = np.ones(3, dtype=np.float32)
    for lib in libs.values():
        ready(lib, tanh_grad_setup(lib)(lib.numpy.asarray(x)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true",
                        help="3 repeats (compile: 2) instead of 7 (5)")
    args = parser.parse_args()
    repeats, compile_repeats = (3, 2) if args.quick else (7, 5)

    libs: dict[str, ModuleType] = {"axc": axc}
    try:
        import jax
        libs["jax"] = jax
    except ImportError:
        print("(jax not installed: its columns are skipped)")
    t0 = time.perf_counter()
    _warm_up(libs)
    floor = copy_bandwidth(repeats)
    inputs = _inputs()
    results = []
    for w in WORKLOADS:
        args_ = inputs[w.key]
        results.append((w, args_, _measure(w, args_, libs, repeats, compile_repeats)))
    print(f"median of {repeats} repeats (compile: {compile_repeats}); "
          f"dispatch: per call over {WORKLOADS[0].number} calls")
    _print_table(results, floor)
    print()
    _print_bandwidth(results, floor)
    print(f"(total {time.perf_counter() - t0:.0f} s)")


if __name__ == "__main__":
    main()
