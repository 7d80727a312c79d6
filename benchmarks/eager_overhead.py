"""Eager per-op overhead on small arrays: axc vs NumPy vs JAX, side by side, as ratios.

Target (issue 3): axc's eager overhead <= JAX's and <= 3x NumPy's. Each cell is the median
of several repeats of a timeit loop, in microseconds per call.

    python benchmarks/eager_overhead.py [--repeats 7]
"""
from __future__ import annotations

import argparse
import os
import statistics
import timeit

import numpy as np

os.environ.setdefault("JAX_PLATFORMS", "cpu")


def _median_us(fn, repeats: int) -> float:
    fn()  # warm up (JAX compiles each new shape/dtype on first use)
    timer = timeit.Timer(fn)
    number, _ = timer.autorange()
    return statistics.median(t / number * 1e6 for t in timer.repeat(repeats, number))


def _cases(mod, x, y):
    return {
        "x + y": lambda: x + y,
        "x * 2.0": lambda: x * 2.0,
        "sin(x)": lambda: mod.sin(x),
        "x.sum()": lambda: x.sum(),
        "where(x > 0, x, y)": lambda: mod.where(x > 0, x, y),
    }


def _ready(fn):
    def run():
        out = fn()
        return out.block_until_ready() if hasattr(out, "block_until_ready") else out
    return run


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=7)
    args = parser.parse_args()

    import axc.numpy as anp
    libs = {"numpy": np, "axc": anp}
    try:
        import jax.numpy as jnp
        libs["jax"] = jnp
    except ImportError:
        print("(jax not installed: its column is skipped)")

    print(f"{'op':<22}{'n':>6}" + "".join(f"{k + ' us':>11}" for k in libs)
          + f"{'axc/numpy':>11}" + (f"{'axc/jax':>9}" if "jax" in libs else ""))
    for n in (3, 1000):
        base = np.linspace(-1, 1, n, dtype=np.float32)
        results: dict[str, dict[str, float]] = {}
        for name, mod in libs.items():
            x, y = mod.asarray(base), mod.asarray(base[::-1].copy())
            for op, fn in _cases(mod, x, y).items():
                results.setdefault(op, {})[name] = _median_us(_ready(fn), args.repeats)
        for op, row in results.items():
            line = f"{op:<22}{n:>6}" + "".join(f"{row[k]:>11.2f}" for k in libs)
            line += f"{row['axc'] / row['numpy']:>10.2f}x"
            if "jax" in libs:
                line += f"{row['axc'] / row['jax']:>8.2f}x"
            print(line)


if __name__ == "__main__":
    main()
