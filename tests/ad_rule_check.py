"""Checks a primitive's JVP and adjoint templates: finite differences, transposition, JAX.

Used by the per-family rule tests (``tests/kernels/test_ad_*.py``). Inputs are float64
(under x64) so central differences are accurate; ``check_rules`` returns nothing and asserts.
"""
from __future__ import annotations

import numpy as np
from axc.kernels.ad_util import zeros_like

import axc

EPS = 1e-6


def _as_tuple(x):
    return tuple(x) if isinstance(x, (tuple, list)) else (x,)


def _rand_like(rng, x):
    x = np.asarray(x)
    if x.dtype.kind == "c":
        return rng.standard_normal(x.shape) + 1j * rng.standard_normal(x.shape)
    return rng.standard_normal(x.shape).astype(x.dtype)


def jvp_by_templates(prim, operands, tangents, params):
    """The output tangent(s) that the JVP templates give for ``tangents`` (None = zero)."""
    ans = prim.bind(*operands, **params)
    total = None
    for i, t in enumerate(tangents):
        if t is None:
            continue
        rule = prim.jvp(i)
        assert rule is not None, f"{prim}: operand {i} has no JVP template"
        kw = dict(params, index=i) if i >= len(prim.jvp.per_operand) else params
        c = _as_tuple(rule(t, ans, *operands, **kw))
        total = c if total is None else tuple(a + b for a, b in zip(total, c))
    return ans, total


def adjoint_by_templates(prim, operands, cts, params, which):
    ans = prim.bind(*operands, **params)
    g = cts if prim.multiple_results else cts[0]
    out = []
    for i in which:
        rule = prim.adjoint(i)
        kw = dict(params, index=i) if i >= len(prim.adjoint.per_operand) else params
        out.append(rule(g, ans, *operands, **kw))
    return out


def check_rules(prim, operands, params=None, which=None, rtol=1e-5, atol=1e-6, seed=0):
    """Assert the JVP templates match central differences and the adjoint templates are
    their transpose (``<adj(g), t> == <g, jvp(t)>``), for the operands listed in ``which``
    (default: every operand that has a template)."""
    params = params or {}
    rng = np.random.default_rng(seed)
    ops = [axc.numpy.asarray(o) for o in operands]
    if which is None:
        which = [i for i in range(len(ops)) if prim.jvp(i) is not None]
    for i in which:
        t = _rand_like(rng, ops[i])
        tangents = [None] * len(ops)
        tangents[i] = axc.numpy.asarray(t)
        ans, tan = jvp_by_templates(prim, ops, tangents, params)
        plus = list(ops); plus[i] = axc.numpy.asarray(np.asarray(ops[i]) + EPS * t)
        minus = list(ops); minus[i] = axc.numpy.asarray(np.asarray(ops[i]) - EPS * t)
        fd = [(np.asarray(a) - np.asarray(b)) / (2 * EPS) for a, b in
              zip(_as_tuple(prim.bind(*plus, **params)), _as_tuple(prim.bind(*minus, **params)))]
        for got, want in zip(tan, fd):
            np.testing.assert_allclose(np.asarray(got), want, rtol=rtol * 100, atol=atol * 100,
                                       err_msg=f"{prim} JVP of operand {i}")
        cts = [axc.numpy.asarray(_rand_like(rng, a)) for a in _as_tuple(ans)]
        (adj,) = adjoint_by_templates(prim, ops, cts, params, [i])
        assert np.shape(adj) == np.shape(ops[i]), f"{prim} adjoint {i} shape"
        assert np.asarray(adj).dtype == np.asarray(ops[i]).dtype, f"{prim} adjoint {i} dtype"
        lhs = np.sum(np.asarray(adj) * t)
        rhs = sum(np.sum(np.asarray(c) * np.asarray(tt)) for c, tt in zip(cts, tan))
        np.testing.assert_allclose(lhs, rhs, rtol=rtol, atol=atol,
                                   err_msg=f"{prim} adjoint of operand {i} is not the "
                                           f"transpose of its JVP")


__all__ = ["adjoint_by_templates", "check_rules", "jvp_by_templates", "zeros_like"]
