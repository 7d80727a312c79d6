"""``axc.nn``."""
from .kernels.nn import *
