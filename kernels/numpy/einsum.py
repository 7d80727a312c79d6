"""``axc.numpy.einsum``: Einstein summation as a sequence of pairwise ``dot_general`` s.

Subscripts are parsed once into label strings (ellipses become fresh labels); operands are
then contracted two at a time in a greedy order (smallest intermediate first, as
``opt_einsum``'s greedy path does), each pair through ``dot_general`` with the labels that
are still needed kept as batch dimensions. Labels used by a single operand are summed
first, repeated labels within one operand become a diagonal, and size-1 labels broadcast.
"""
from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Sequence
from typing import Any

import numpy as np

from ...runtime import dtypes
from ...runtime.array import Array
from .. import reduce as red
from .. import structural as st
from ..linalg import dot_general_p
from .promote import asarray, check_arraylike, convert

__all__ = ["einsum"]

_LETTERS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
_ELLIPSIS_BASE = 0xE000  # ellipsis dimensions get labels from Unicode's private use area


def user_dtype(dtype: Any) -> np.dtype:
    """A user's ``preferred_element_type`` as a canonical dtype (NumPy scalar types too)."""
    if isinstance(dtype, type) and issubclass(dtype, np.generic):
        dtype = np.dtype(dtype)
    return dtypes.canonicalize_dtype(dtypes.dtype(dtype))


def _interleaved_to_subscripts(args: Sequence[Any]) -> tuple[str, list[Any]]:
    """``einsum(op0, sub0, op1, sub1, ..., [sub_out])`` to a subscripts string."""
    def term(sub: Sequence[Any]) -> str:
        out = []
        for s in sub:
            if s is Ellipsis:
                out.append("...")
            else:
                i = int(s)
                if not 0 <= i < len(_LETTERS):
                    raise ValueError(f"subscript {s} is not in [0, {len(_LETTERS)})")
                out.append(_LETTERS[i])
        return "".join(out)
    operands = list(args[0::2])
    subs = list(args[1::2])
    out = None
    if len(operands) > len(subs):
        out = operands.pop()
    spec = ",".join(term(s) for s in subs)
    if out is not None:
        spec += "->" + term(out)
    return spec, operands


def _parse(spec: str, shapes: Sequence[tuple[int, ...]]) -> tuple[list[str], str]:
    """Input label strings (one char per axis) and the output labels."""
    spec = spec.replace(" ", "")
    if spec.count("->") > 1 or ("-" in spec.replace("->", "")) or \
            (">" in spec.replace("->", "")):
        raise ValueError("Subscripts can only contain one '->'.")
    lhs, arrow, rhs = spec.partition("->")
    terms = lhs.split(",")
    if len(terms) != len(shapes):
        raise ValueError(f"Number of einsum subscripts, {len(terms)}, must be equal to the "
                         f"number of operands, {len(shapes)}.")
    n_ell = 0
    inputs = []
    for i, (term, shape) in enumerate(zip(terms, shapes)):
        if term.count("...") > 1 or "." in term.replace("...", ""):
            raise ValueError(f"Invalid Ellipses in einsum subscript '{term}'.")
        explicit = len(term.replace("...", ""))
        if "..." in term:
            k = len(shape) - explicit
            if k < 0:
                raise ValueError(f"Einstein sum subscript '{term}' does not contain the "
                                 f"correct number of indices for operand {i}.")
            n_ell = max(n_ell, k)
        elif explicit != len(shape):
            raise ValueError(f"Einstein sum subscript '{term}' does not contain the correct "
                             f"number of indices for operand {i}.")
        inputs.append(term)
    ell = "".join(chr(_ELLIPSIS_BASE + j) for j in range(n_ell))
    labels = []
    for term, shape in zip(inputs, shapes):
        if "..." in term:
            k = len(shape) - len(term.replace("...", ""))
            term = term.replace("...", ell[n_ell - k:])
        labels.append(term)
    if arrow:
        if "." in rhs.replace("...", "") or rhs.count("...") > 1:
            raise ValueError(f"Invalid Ellipses in einsum output '{rhs}'.")
        out = rhs.replace("...", ell)
        seen = set("".join(labels))
        for c in out:
            if out.count(c) > 1:
                raise ValueError(f"Output character '{c}' appeared more than once in the "
                                 f"output.")
            if c not in seen:
                raise ValueError(f"Output character '{c}' did not appear in the input")
    else:
        counts = Counter("".join(labels))
        out = ell + "".join(sorted(c for c in counts if counts[c] == 1 and c not in ell))
    return labels, out


def _label_sizes(labels: Sequence[str], shapes: Sequence[tuple[int, ...]]) -> dict[str, int]:
    sizes: dict[str, int] = {}
    for i, (term, shape) in enumerate(zip(labels, shapes)):
        for c, d in zip(term, shape):
            prev = sizes.get(c)
            if prev is None or prev == 1:
                sizes[c] = d
            elif d != prev and d != 1:
                shown = "..." if ord(c) >= _ELLIPSIS_BASE else c
                raise ValueError(f"Size of label '{shown}' for operand {i} ({d}) does not "
                                 f"match previous terms ({prev}).")
    return sizes


def _sum(x: Array, axes: Sequence[int]) -> Array:
    if not axes:
        return x
    prim = red.reduce_or_p if x.dtype == dtypes.bool_ else red.reduce_sum_p
    return prim.bind(x, axes=tuple(sorted(axes)))


def _transpose(x: Array, perm: Sequence[int]) -> Array:
    perm = tuple(perm)
    return x if perm == tuple(range(x.ndim)) else st.transpose_p.bind(x, permutation=perm)


def _diagonal(x: Array, names: str, label: str) -> tuple[Array, str]:
    """Keep the diagonal of every axis labelled ``label`` (moved last): a strided slice of
    the flattened block, whose stride ``n^(k-1) + ... + n + 1`` walks the diagonal."""
    axes = [i for i, c in enumerate(names) if c == label]
    rest = [i for i in range(x.ndim) if i not in axes]
    x = _transpose(x, rest + axes)
    n, k = x.shape[-1], len(axes)
    lead = x.shape[:len(rest)]
    flat = st.reshape_p.bind(x, new_sizes=lead + (n ** k,))
    stride = sum(n ** j for j in range(k))
    diag = st.slice_p.bind(flat, start_indices=(0,) * flat.ndim,
                           limit_indices=flat.shape, strides=(1,) * len(lead) + (stride,))
    return diag, "".join(names[i] for i in rest) + label


def _simplify(x: Array, names: str, keep: set[str]) -> tuple[Array, str]:
    """Take diagonals of repeated labels, then sum labels that nothing else needs."""
    for label, count in Counter(names).items():
        if count > 1:
            x, names = _diagonal(x, names, label)
    drop = [i for i, c in enumerate(names) if c not in keep]
    return _sum(x, drop), "".join(c for c in names if c in keep)


def _drop_broadcast_dims(x: Array, names: str, other: Array, other_names: str) -> tuple:
    """Squeeze size-1 axes whose label has a larger size in the other operand."""
    dims = [i for i, c in enumerate(names)
            if x.shape[i] == 1 and c in other_names and other.shape[other_names.index(c)] != 1]
    if not dims:
        return x, names
    x = st.squeeze_p.bind(x, dimensions=tuple(dims))
    return x, "".join(c for i, c in enumerate(names) if i not in dims)


def _contract(a: Array, la: str, b: Array, lb: str, keep: set[str], dt: np.dtype,
              precision: Any) -> tuple[Array, str]:
    a, la = _drop_broadcast_dims(a, la, b, lb)
    b, lb = _drop_broadcast_dims(b, lb, a, la)
    a, la = _simplify(a, la, keep | set(lb))
    b, lb = _simplify(b, lb, keep | set(la))
    shared = [c for c in la if c in lb]
    batch = [c for c in shared if c in keep]
    contract = [c for c in shared if c not in keep]
    dims = ((tuple(la.index(c) for c in contract), tuple(lb.index(c) for c in contract)),
            (tuple(la.index(c) for c in batch), tuple(lb.index(c) for c in batch)))
    out = dot_general_p.bind(a, b, dimension_numbers=dims, precision=precision,
                             preferred_element_type=dt)
    names = "".join(batch) + "".join(c for c in la if c not in lb) + \
        "".join(c for c in lb if c not in la)
    return out, names


def _pick_pair(terms: list[str], sizes: dict[str, int], out: str) -> tuple[int, int]:
    """The pair whose contraction leaves the smallest intermediate (first such pair)."""
    best, best_cost = (0, 1), None
    for i, j in itertools.combinations(range(len(terms)), 2):
        others = set(out).union(*(terms[k] for k in range(len(terms)) if k not in (i, j)))
        kept = (set(terms[i]) | set(terms[j])) & others
        cost = int(np.prod([sizes[c] for c in kept], dtype=np.float64))
        if best_cost is None or cost < best_cost:
            best, best_cost = (i, j), cost
    return best


def einsum(subscripts: Any, /, *operands: Any, out: None = None, optimize: Any = "auto",
           precision: Any = None, preferred_element_type: Any = None,
           _dot_general: Any = None, out_sharding: Any = None) -> Array:
    """Einstein summation (``numpy.einsum``), including ``...`` and implicit output.

    Also accepts the interleaved form ``einsum(op0, [0, 1], op1, [1, 2], [0, 2])``.
    """
    if out is not None:
        raise NotImplementedError("The 'out' argument to jnp.einsum is not supported.")
    if isinstance(subscripts, str):
        spec, ops = subscripts, list(operands)
    else:
        spec, ops = _interleaved_to_subscripts((subscripts,) + operands)
    check_arraylike("einsum", *ops)
    arrays = [asarray(o) for o in ops]
    labels, out_labels = _parse(spec, [a.shape for a in arrays])
    sizes = _label_sizes(labels, [a.shape for a in arrays])
    if preferred_element_type is None:
        out_dt, weak = dtypes.result_type_and_weak(*arrays)
        work = out_dt
    else:
        out_dt, weak = user_dtype(preferred_element_type), False
        work = dtypes.promote_types(dtypes.result_type(*arrays), out_dt)
    terms = list(labels)
    arrays = [convert(a, work) for a in arrays]
    if len(arrays) == 1:
        x, names = _simplify(arrays[0], terms[0], set(out_labels))
    else:
        while len(arrays) > 1:
            i, j = _pick_pair(terms, sizes, out_labels)
            keep = set(out_labels).union(*(terms[k] for k in range(len(terms))
                                           if k not in (i, j)))
            x, names = _contract(arrays[i], terms[i], arrays[j], terms[j], keep, work,
                                 precision)
            arrays = [a for k, a in enumerate(arrays) if k not in (i, j)] + [x]
            terms = [t for k, t in enumerate(terms) if k not in (i, j)] + [names]
        x, names = _simplify(arrays[0], terms[0], set(out_labels))
    # Labels that were size 1 everywhere may have been squeezed out along the way.
    x = _transpose(x, [names.index(c) for c in out_labels if c in names])
    if len(names) != len(out_labels):
        shape = tuple(sizes[c] for c in out_labels)
        dims = tuple(k for k, c in enumerate(out_labels) if c in names)
        x = st.broadcast_in_dim_p.bind(x, shape=shape, broadcast_dimensions=dims)
    return convert(x, out_dt, weak)
