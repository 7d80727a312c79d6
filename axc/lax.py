"""``axc.lax``."""
from .kernels.lax import *  # noqa: F401,F403
