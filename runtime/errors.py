"""axc's exception types, named as JAX names them, so ``except jax.errors.X`` code ports."""
from __future__ import annotations


class AxcTypeError(TypeError):
    """Base of axc's typed errors that JAX raises as ``TypeError`` subclasses."""


class ConcretizationTypeError(AxcTypeError):
    """A traced (abstract) value was used where a concrete Python value is required."""


class TracerBoolConversionError(ConcretizationTypeError):
    """``bool()`` of a traced value (a Python ``if``/``while`` axc could not convert)."""


class TracerIntegerConversionError(AxcTypeError):
    """``int()``/``__index__`` of a traced value."""


class TracerArrayConversionError(AxcTypeError):
    """``np.asarray`` of a traced value."""


class NonConcreteBooleanIndexError(IndexError):
    """Boolean-mask indexing whose result shape would depend on traced data."""


class UnexpectedTracerError(AxcTypeError):
    """A traced value escaped the transformation that created it."""


class KeyReuseError(RuntimeError):
    """A PRNG key was consumed twice (when key-reuse checking is on)."""
