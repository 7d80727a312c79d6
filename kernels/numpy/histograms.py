"""Counting and binning: ``bincount``, ``histogram``, ``histogram_bin_edges``, ``digitize``.

Bins are located with ``searchsorted`` and counted with a scatter-add (``x.at[i].add``), as
in ``jax.numpy``. Re-exported from ``sorting``.
"""
from __future__ import annotations

import operator
from typing import Any

import numpy as np

from ...runtime import dtypes
from ...runtime.array import Array, wrap
from .. import elementwise as ew
from .. import structural as st
from . import sorting as srt
from .indexing import scatter_update
from .promote import asarray, check_arraylike, convert, promote_args_inexact
from .reductions import broadcast_to, full
from .reductions import max as max_
from .reductions import min as min_
from .reductions import sum as sum_
from .setops import _concrete_count

__all__ = ["bincount", "digitize", "histogram", "histogram_bin_edges"]


def _const(value: Any, dt: np.dtype) -> Array:
    return wrap(np.asarray(value, dtype=dt))


def _ravel(x: Array) -> Array:
    return x if x.ndim == 1 else st.reshape_p.bind(x, new_sizes=(x.size,))


def _scatter_add(length: int, idx: Array, weights: Array) -> Array:
    """``zeros(length).at[idx].add(weights)``, dropping out-of-range indices."""
    return scatter_update(full((length,), 0, weights.dtype), idx, weights, "add", mode="drop")


def bincount(x: Any, weights: Any = None, minlength: int = 0, *,
             length: int | None = None) -> Array:
    """Count occurrences of each non-negative integer in 1-d ``x`` (optionally weighted).

    Without a static ``length`` the output length is ``max(x) + 1`` (at least
    ``minlength``), which needs concrete values; negative values count in bin 0.
    """
    check_arraylike("bincount", x)
    x = asarray(x)
    if x.dtype == dtypes.bool_:
        x = convert(x, dtypes.int32)
    if x.dtype.kind not in "iu":
        raise TypeError(f"x argument to bincount must have an integer type; got {x.dtype}")
    if x.ndim != 1:
        raise ValueError("only 1-dimensional input supported.")
    minlength = operator.index(minlength)
    if length is None:
        top = _concrete_count(max_(x), "bincount") if x.size else -1
        length = max(minlength, top + 1, 0)
    length = operator.index(length)
    if weights is None:
        w = _const(1, dtypes.default_int_dtype())
    else:
        check_arraylike("bincount", weights)
        w = asarray(weights)
        if w.shape != x.shape:
            raise ValueError(f"type of weights must match type of x. Got weights of shape "
                             f"{w.shape} for x of shape {x.shape}")
    idx = ew.max_p.bind(x, _const(0, x.dtype))
    return _scatter_add(length, idx, broadcast_to(w, x.shape))


def histogram_bin_edges(a: Any, bins: Any = 10, range: Any = None,
                        weights: Any = None) -> Array:
    """The bin edges ``histogram`` uses: ``bins`` itself if 1-d, else evenly spaced edges."""
    if isinstance(bins, str):
        raise NotImplementedError("string values for `bins` not implemented.")
    check_arraylike("histogram_bin_edges", a, bins)
    arr = asarray(a)
    dt = arr.dtype if dtypes.is_inexact(arr.dtype) else dtypes.result_type(arr.dtype, float)
    if np.ndim(bins) == 1:
        return convert(asarray(bins), dt)
    n = operator.index(bins)
    if range is None:
        lo, hi = convert(min_(arr), dt), convert(max_(arr), dt)
    else:
        if np.shape(range) != (2,):
            raise ValueError(f"`range` must be either None or a sequence of scalars, got "
                             f"{range}")
        lo, hi = (convert(asarray(v), dt) for v in range)
    same = ew.eq_p.bind(lo, hi)
    half = _const(0.5, dt)
    lo = ew.select_n_p.bind(same, lo, ew.sub_p.bind(lo, half))
    hi = ew.select_n_p.bind(same, hi, ew.add_p.bind(hi, half))
    from .ranges import linspace
    return linspace(lo, hi, n + 1, dtype=dt)


def histogram(a: Any, bins: Any = 10, range: Any = None, weights: Any = None,
              density: bool | None = None) -> tuple[Array, Array]:
    """Histogram of ``a``: the (weighted) counts per bin and the bin edges.

    Bins are half-open ``[e_i, e_{i+1})`` except the last, which includes its right edge;
    values outside the edges are not counted.
    """
    if isinstance(bins, str):
        raise TypeError(f"histogram: bins must be an int or an array of edges, got {bins!r}")
    check_arraylike("histogram", a, bins)
    if weights is None:
        (arr,) = promote_args_inexact("histogram", a)
        w = _const(1, arr.dtype)
    else:
        check_arraylike("histogram", weights)
        if np.shape(a) != np.shape(weights):
            raise ValueError("weights should have the same shape as a.")
        arr, w = promote_args_inexact("histogram", a, weights)
    edges = histogram_bin_edges(arr, bins, range)
    nb = edges.shape[0]
    flat = _ravel(arr)
    idx = srt.searchsorted(edges, flat, side="right")
    last_edge = srt.take_slice(edges, nb - 1, nb)
    on_last = ew.eq_p.bind(flat, last_edge)
    idx = ew.select_n_p.bind(on_last, idx, _const(nb - 1, idx.dtype))
    w = broadcast_to(w, arr.shape)
    w = _ravel(w)
    counts = srt.take_slice(_scatter_add(nb, idx, convert(w, edges.dtype)), 1, nb)
    if density:
        widths = ew.sub_p.bind(srt.take_slice(edges, 1, nb), srt.take_slice(edges, 0, nb - 1))
        counts = ew.div_p.bind(ew.div_p.bind(counts, widths), sum_(counts))
    return counts, edges


def digitize(x: Any, bins: Any, right: bool = False, *, method: str | None = None) -> Array:
    """Index of the bin each value of ``x`` falls in (bins increasing or decreasing)."""
    check_arraylike("digitize", x, bins)
    xa, b = asarray(x), asarray(bins)
    right = bool(right)
    if b.ndim != 1:
        raise ValueError(f"digitize: bins must be a 1-dimensional array; got bins={bins}")
    n = b.shape[0]
    if n == 0:
        return full(xa.shape, 0, dtypes.int32)
    side = "left" if right else "right"
    kw = {} if method is None else {"method": method}
    up = srt.searchsorted(b, xa, side=side, **kw)
    down = ew.sub_p.bind(_const(n, up.dtype),
                         srt.searchsorted(srt.reverse(b, 0), xa, side=side, **kw))
    increasing = ew.ge_p.bind(srt.take_slice(b, n - 1, n), srt.take_slice(b, 0, 1))
    increasing = broadcast_to(st.reshape_p.bind(increasing, new_sizes=()), up.shape)
    return ew.select_n_p.bind(increasing, down, up)
