"""``axc.lax``."""
from .kernels.lax import *
