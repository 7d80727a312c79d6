"""Run NumPy kernels with floating-point warnings off: axc, like XLA, returns inf/nan silently.

``np.errstate`` costs about a microsecond; setting NumPy's error-state context variable
directly costs a tenth of that, so eager ops stay cheap. This is the one place that touches
NumPy's private ufunc configuration, with ``np.errstate`` as the fallback.
"""
from __future__ import annotations

import functools
from collections.abc import Callable

import numpy as np

try:
    from numpy._core import _ufunc_config as _cfg

    _VAR = _cfg._extobj_contextvar
    _IGNORE = _cfg._make_extobj(all="ignore")
except (ImportError, AttributeError):  # pragma: no cover - other NumPy versions
    _VAR = None


def quiet(fn: Callable) -> Callable:
    """Wrap a NumPy kernel so it runs with floating-point errors ignored."""
    if _VAR is None:  # pragma: no cover
        @functools.wraps(fn)
        def slow(*args, **kwargs):
            with np.errstate(all="ignore"):
                return fn(*args, **kwargs)
        return slow

    var, ignore = _VAR, _IGNORE

    @functools.wraps(fn)
    def wrapped(*args, **kwargs):
        token = var.set(ignore)
        try:
            return fn(*args, **kwargs)
        finally:
            var.reset(token)
    return wrapped
