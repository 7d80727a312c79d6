"""``axc.random``: counter-based threefry2x32 keys and samplers, bit-compatible with JAX."""
from .kernels.random_api import *
from .kernels.random_api import key_dtype  # noqa: F401
from .kernels.random_samplers import *
from .runtime.prng import KeyArray  # noqa: F401
