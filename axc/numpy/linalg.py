"""``axc.numpy.linalg``: linear algebra."""
from ..kernels.numpy.linalg import *  # noqa: F401,F403
