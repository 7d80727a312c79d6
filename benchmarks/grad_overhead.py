"""Reverse-mode overhead: axc.grad's transformation time and its per-call time vs jax.grad.

Targets (issue 4): generating the gradient of a ~50-line function takes < 50 ms; an eager
call of the generated gradient is no slower than JAX's un-jitted ``jax.grad`` call.

Part 1 times a *fresh* transformation each repeat, in milliseconds (median of repeats):
``generate`` is ``axc.grad(f).generated`` (parse, ANF, primal/adjoint passes, compile);
``first call`` is ``axc.grad(f)(*args)``, which adds the library calls whose transformation
is deferred until a call reaches them, and one run. ``cold`` clears every axc cache first
(parsed files, transformed library functions, templates), as in a new process; ``warm lib``
clears only the user's file, as for a second function in the same session.

Part 2 is the steady per-call time in microseconds (median of timeit repeats) of
``axc.grad(f)``, ``jax.grad(f)`` and ``jax.jit(jax.grad(f))`` on the same function text.

    python benchmarks/grad_overhead.py [--repeats 7]
"""
from __future__ import annotations

import argparse
import gc
import inspect
import os
import statistics
import time
import timeit
from collections.abc import Callable
from types import ModuleType
from typing import Any

import grad_functions  # beside this script: axc reads these functions' source from its file
import numpy as np

import axc
import axc.numpy as anp

os.environ.setdefault("JAX_PLATFORMS", "cpu")

TARGET_MS = 50.0


def _ready(out: Any) -> Any:
    """Wait for every leaf of ``out`` (JAX dispatches asynchronously; axc eager does not)."""
    if isinstance(out, (tuple, list)):
        return [_ready(o) for o in out]
    return out.block_until_ready() if hasattr(out, "block_until_ready") else out


def _median_us(fn: Callable[[], Any], repeats: int) -> float:
    fn()  # warm up (JAX compiles each new shape/dtype on first use)
    timer = timeit.Timer(fn)
    number, _ = timer.autorange()
    return statistics.median(t / number * 1e6 for t in timer.repeat(repeats, number))


def _call_us(grad_fn: Callable, args: tuple, repeats: int) -> float:
    """Median microseconds of ``grad_fn(*args)``, its result ready."""
    return _median_us(lambda: _ready(grad_fn(*args)), repeats)


def _inputs(mod: ModuleType, case: str) -> tuple:
    """The arguments of each benchmarked case, as float32 arrays of ``mod``."""
    rng = np.random.default_rng(0)
    if case.startswith("small"):
        n = int(case.split("n=")[1])
        return (mod.asarray(np.linspace(-1, 1, n, dtype=np.float32)),)
    n_in, n_hidden, batch = 4, 16, 8
    shapes = [(n_in, n_hidden), (n_hidden,), (n_hidden, n_hidden), (n_hidden,), (n_hidden, 1),
              (1,)]
    params = tuple(mod.asarray((0.5 * rng.normal(size=s)).astype(np.float32)) for s in shapes)
    x = mod.asarray(rng.normal(size=(batch, n_in)).astype(np.float32))
    y = mod.asarray(rng.normal(size=batch).astype(np.float32))
    return params, x, y


CASES: dict[str, Callable[[ModuleType], Callable]] = {
    "small n=3": grad_functions.make_small,
    "small n=100": grad_functions.make_small,
    "mlp_loss": grad_functions.make_mlp_loss,
}


# --- part 1: transformation time -----------------------------------------------------------

def _clear_caches(cold: bool) -> None:
    """Forget what axc transformed: everything (cold) or only this benchmark's file."""
    from axc.compiler.frontend import source
    from axc.compiler.transforms import reverse, templates
    if cold:
        source._FILES.clear()
        reverse._PAIRS.clear()
        templates._shape.cache_clear()
    else:
        source._FILES.pop(grad_functions.__file__, None)
    # the user's functions need no clearing: each make_* call builds new function objects
    gc.collect()  # the dropped trees are garbage that the timed run should not collect


def _fresh_ms(make: Callable, args: tuple, cold: bool, repeats: int) -> tuple[float, float]:
    """Median (generate, first call) milliseconds of a transformation from scratch."""
    generate, first = [], []
    for _ in range(repeats):
        _clear_caches(cold)
        t0 = time.perf_counter()
        _ = axc.grad(make(anp)).generated
        generate.append((time.perf_counter() - t0) * 1e3)
        _clear_caches(cold)
        t0 = time.perf_counter()
        _ready(axc.grad(make(anp))(*args))
        first.append((time.perf_counter() - t0) * 1e3)
    return statistics.median(generate), statistics.median(first)


def _transformation_table(repeats: int) -> None:
    print(f"{'function':<14}{'lines':>6}{'generate ms':>24}{'first call ms':>26}")
    print(f"{'':<20}" + f"{'cold':>12}{'warm lib':>12}" * 2)
    verdicts = []
    for case in ("small n=3", "mlp_loss"):
        make = CASES[case]
        args = _inputs(anp, case)
        name = case.split()[0]
        cold = _fresh_ms(make, args, True, repeats)
        warm = _fresh_ms(make, args, False, repeats)
        line = f"{name:<14}{_lines(make(anp)):>6}"
        line += "".join(f"{v:>12.1f}" for v in (cold[0], warm[0], cold[1], warm[1]))
        print(line)
        if case == "mlp_loss":
            verdicts = [("cold", cold[1]), ("warm lib", warm[1])]
    print(f"target: first call of the ~50-line gradient < {TARGET_MS:.0f} ms: "
          + ", ".join(f"{k} {'met' if v < TARGET_MS else 'NOT met'} ({v:.0f} ms)"
                      for k, v in verdicts))


def _lines(fn: Callable) -> int:
    """Source lines of ``fn`` plus those of the functions it closes over (its helpers)."""
    cells = [c.cell_contents for c in fn.__closure__ or ()]
    return sum(len(inspect.getsource(f).splitlines()) for f in [fn, *cells]
               if inspect.isfunction(f))


# --- part 2: per-call time -----------------------------------------------------------------

def _agree(ours: Any, theirs: Any) -> bool:
    """Whether two gradients (arrays or tuples of them) match to float32 rounding: a fast
    wrong gradient would be no result."""
    if isinstance(ours, (tuple, list)):
        return len(ours) == len(theirs) and all(map(_agree, ours, theirs))
    return np.allclose(np.asarray(ours), np.asarray(theirs), rtol=1e-4, atol=1e-6)


def _per_call_table(repeats: int, has_jax: bool) -> None:
    header = f"{'function':<14}{'axc us':>11}"
    if has_jax:
        header += f"{'jax us':>11}{'jax.jit us':>12}{'axc/jax':>9}{'axc/jit':>9}"
    print(header)
    ratios = []
    for case, make in CASES.items():
        axc_grad, args = axc.grad(make(anp)), _inputs(anp, case)
        t_axc = _call_us(axc_grad, args, repeats)
        line = f"{case:<14}{t_axc:>11.1f}"
        if has_jax:
            import jax
            import jax.numpy as jnp
            jax_grad, jargs = jax.grad(make(jnp)), _inputs(jnp, case)
            t_jax = _call_us(jax_grad, jargs, repeats)
            t_jit = _call_us(jax.jit(jax_grad), jargs, repeats)
            line += f"{t_jax:>11.1f}{t_jit:>12.1f}{t_axc / t_jax:>8.2f}x{t_axc / t_jit:>8.2f}x"
            ratios.append(t_axc / t_jax)
            if not _agree(axc_grad(*args), jax_grad(*jargs)):
                line += "  (gradients differ from JAX's!)"
        print(line)
    if ratios:
        worst = max(ratios)
        print(f"target: eager axc no slower than un-jitted jax.grad (axc/jax <= 1.00x): "
              f"{'met' if worst <= 1.0 else 'NOT met'} (worst {worst:.2f}x)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=7)
    args = parser.parse_args()
    try:
        import jax  # noqa: F401
        has_jax = True
    except ImportError:
        has_jax = False
        print("(jax not installed: its columns are skipped)")
    print("transformation time, median ms of fresh transformations")
    _transformation_table(args.repeats)
    print()
    print("per-call time of the gradient, median us")
    _per_call_table(args.repeats, has_jax)


if __name__ == "__main__":
    main()
