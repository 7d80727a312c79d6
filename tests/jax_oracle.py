"""Helpers for using JAX as the test oracle."""
import jax


def eval_shape_at(fn, args, kwargs, traced):
    """``jax.eval_shape`` of ``fn(*args, **kwargs)`` tracing only the positions ``traced``.

    The other arguments stay static Python values, as the function under test sees them.
    """
    def call(*ops):
        full = list(args)
        for i, op in zip(traced, ops):
            full[i] = op
        return fn(*full, **kwargs)
    return jax.eval_shape(call, *[args[i] for i in traced])


def assert_same(got, want, tol=1e-5, same_tree=True):
    """``got`` (axc) equals ``want`` (JAX): the same pytree structure (when ``same_tree``),
    and leaf by leaf the same shape, dtype and values within ``tol``."""
    import numpy as np
    got_leaves, got_tree = jax.tree_util.tree_flatten(got)
    want_leaves, want_tree = jax.tree_util.tree_flatten(want)
    if same_tree:
        assert str(got_tree) == str(want_tree)
    assert len(got_leaves) == len(want_leaves)
    for g, w in zip(got_leaves, want_leaves):
        g, w = np.asarray(g), np.asarray(w)
        assert g.shape == w.shape
        assert g.dtype == w.dtype
        np.testing.assert_allclose(g, w, rtol=tol, atol=tol)
