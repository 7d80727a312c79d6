"""Abstract values: what staging and shape rules know about an array (shape, dtype, weak)."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class ShapedArray:
    """An array's type: ``float32[3,4]``. Printed as JAX prints abstract values."""

    shape: tuple[int, ...]
    dtype: np.dtype
    weak_type: bool = False

    @property
    def ndim(self) -> int:
        return len(self.shape)

    @property
    def size(self) -> int:
        return int(np.prod(self.shape, dtype=np.int64))

    def str_short(self) -> str:
        return f"{self.dtype.name}[{','.join(map(str, self.shape))}]"

    def __str__(self) -> str:
        return self.str_short()


@dataclass(frozen=True)
class ShapeDtypeStruct:
    """A shape and dtype without data, as ``jax.ShapeDtypeStruct`` (for AOT signatures)."""

    shape: tuple[int, ...]
    dtype: np.dtype
    weak_type: bool = False

    def __post_init__(self) -> None:
        object.__setattr__(self, "shape", tuple(int(d) for d in self.shape))
        object.__setattr__(self, "dtype", np.dtype(self.dtype))
