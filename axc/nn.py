"""``axc.nn``."""
from .kernels.nn import *  # noqa: F401,F403
