"""``axc.numpy.linalg``: linear algebra."""
from ..kernels.numpy.linalg import *
