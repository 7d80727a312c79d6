"""Functions differentiated by grad_overhead.py, written once against a NumPy-like module.

Each ``make_*`` takes the array module (``axc.numpy`` or ``jax.numpy``) and returns the
function, so axc and JAX differentiate the very same text. axc reads the source from this
file: the functions must live in a real file, not in an ``exec``'d string.

Calls of axc.numpy composites (``jnp.sum``, ``@``, ``jnp.dot``) stay outside loops: in the
generated gradient, a composite called inside a loop reuses the residuals of its last
iteration for every iteration (IndexError "pop from empty list"), so the loss's loops hold
primitives only until that is fixed.
"""
from __future__ import annotations

from collections.abc import Callable
from types import ModuleType


def make_small(jnp: ModuleType) -> Callable:
    """Three lines: a smooth scalar of a vector."""
    def small(x):
        y = jnp.sin(x) * x
        z = y + jnp.exp(-x)
        return jnp.sum(z * z)
    return small


def make_mlp_loss(jnp: ModuleType) -> Callable:
    """About fifty lines: a three-layer MLP with layer norm, a residual loop, branches on
    static values, a smooth-L1 loss and L2 penalties, in the shape of a training loss."""
    def dense(w, b, h):
        return jnp.dot(h, w) + b

    def layer_norm(h, eps=1e-5):
        mu = jnp.mean(h, axis=-1, keepdims=True)
        var = jnp.mean(jnp.square(h - mu), axis=-1, keepdims=True)
        return (h - mu) / jnp.sqrt(var + eps)

    def mlp_loss(params, x, y):
        w1, b1, w2, b2, w3, b3 = params
        # first layer: a normalised tanh MLP layer, scaled down by a softplus of its mean
        h = dense(w1, b1, x)
        h = jnp.tanh(layer_norm(h))
        scale = jnp.log(1.0 + jnp.exp(jnp.mean(h)))
        h = h / (1.0 + scale)
        # hidden layer, then a fixed number of residual smoothing steps on it (the loop body
        # stays primitive-only: see the module docstring)
        r = dense(w2, b2, h)
        for step in range(3):
            if step % 2 == 0:
                r = jnp.tanh(r)
            else:
                r = jnp.maximum(r, 0.1 * r)
            h = h + 0.5 * r
        # output layer
        out = dense(w3, b3, h)
        out = out.reshape(-1)
        # smooth-L1 (Huber) residuals, chosen elementwise
        diff = out - y
        absd = jnp.abs(diff)
        huber = jnp.where(absd < 1.0, 0.5 * diff * diff, absd - 0.5)
        loss = jnp.mean(huber)
        # L2 penalty on the weights, heavier on the first layer
        penalty = jnp.sum(w1 * w1) + jnp.sum(w2 * w2) + jnp.sum(w3 * w3)
        penalty = penalty + jnp.sum(w1 * w1)
        if x.shape[0] > 1:
            loss = loss + 1e-3 * penalty
        else:
            loss = loss + 1e-2 * penalty
        # a mild barrier on the biases keeps them bounded
        barrier = jnp.sum(jnp.square(b1)) + jnp.sum(jnp.square(b2))
        barrier = barrier + jnp.sum(jnp.square(b3))
        loss = loss + 1e-4 * barrier
        # logits of the last residual, squashed, pull towards zero mean
        logits = jnp.sum(h, axis=1)
        probs = 1.0 / (1.0 + jnp.exp(-logits))
        centre = jnp.mean(probs) - 0.5
        loss = loss + 0.01 * centre * centre
        return loss
    return mlp_loss
