"""Timing, checking and formatting shared by the benchmark scripts (imported from beside
them: each script's folder is on ``sys.path`` when it runs)."""
from __future__ import annotations

import statistics
import timeit
from collections.abc import Callable
from types import ModuleType
from typing import Any

import numpy as np


def ready(lib: ModuleType | None, out: Any) -> Any:
    """``out`` computed (``block_until_ready`` for axc/JAX; NumPy is always ready)."""
    return out if lib is None else lib.block_until_ready(out)


def interleaved(runs: dict[str, Callable[[], Any]], repeats: int,
                number: int = 0) -> dict[str, float]:
    """Median seconds per call of each runner over ``repeats`` timeit loops of ``number``
    calls (0: timeit's autorange), each run once beforehand as a warm-up. The repeats
    alternate between the runners, so a burst of load from elsewhere on the machine slows
    them alike and their ratios stay meaningful."""
    timers, numbers, times = {}, {}, {}
    for name, run in runs.items():
        run()  # warm up (first use of shapes, caches)
        timers[name] = timeit.Timer(run)
        numbers[name] = number or timers[name].autorange()[0]
        times[name] = []
    for _ in range(repeats):
        for name, timer in timers.items():
            times[name].append(timer.timeit(numbers[name]) / numbers[name])
    return {name: statistics.median(ts) for name, ts in times.items()}


def to_lib(lib: ModuleType, tree: Any) -> Any:
    """``tree`` of NumPy arrays as arrays of ``lib`` (on its device: copies are not timed)."""
    return lib.tree_util.tree_map(lib.numpy.asarray, tree)


def agree(ours: Any, theirs: Any) -> bool:
    """Whether two results (pytrees of arrays) match to float32 rounding (the absolute
    tolerance scales with the result: a 1024-term dot product of N(0, 1) values is ~100)."""
    a, b = _leaves(ours), _leaves(theirs)
    return len(a) == len(b) and all(
        x.shape == y.shape and np.allclose(x, y, rtol=1e-4, atol=1e-5 * max(1.0, _peak(y)))
        for x, y in zip(a, b))


def _peak(y: np.ndarray) -> float:
    return float(np.abs(y).max()) if y.size else 0.0


def _leaves(tree: Any) -> list[np.ndarray]:
    if isinstance(tree, (list, tuple)):
        return [leaf for t in tree for leaf in _leaves(t)]
    return [np.asarray(tree)]


def failure(err: Exception) -> str:
    """A table cell for a run that raised: the error's class and first line."""
    first = (str(err).strip().splitlines() or [""])[0]
    return f"fails: {type(err).__name__}: {first[:100]}"


def fmt_time(s: float | None) -> str:
    if s is None:
        return "-"
    for unit, scale in (("s", 1.0), ("ms", 1e-3), ("µs", 1e-6)):
        if s >= scale:
            return f"{s / scale:.3g} {unit}"
    return f"{s / 1e-9:.3g} ns"


def ratio(a: float | None, b: float | None) -> str:
    return "-" if a is None or b is None else f"{a / b:.2f}x"
