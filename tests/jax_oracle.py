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
