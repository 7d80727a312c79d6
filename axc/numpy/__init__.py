"""``axc.numpy``: JAX's NumPy API over immutable axc arrays."""
import numpy as _np

# Abstract scalar hierarchy and constants are NumPy's own objects, as in jax.numpy.
from numpy import (  # noqa: F401
    complexfloating,
    dtype,
    e,
    euler_gamma,
    flexible,
    floating,
    generic,
    inexact,
    inf,
    integer,
    nan,
    newaxis,
    number,
    pi,
    signedinteger,
    unsignedinteger,
)

from ..kernels.numpy.creation import *
from ..kernels.numpy.indexing import *
from ..kernels.numpy.manipulation import *
from ..kernels.numpy.products import *
from ..kernels.numpy.reductions import *
from ..kernels.numpy.scalar_types import (  # noqa: F401
    bfloat16,
    bool_,
    cdouble,
    complex64,
    complex128,
    complex_,
    csingle,
    double,
    float16,
    float32,
    float64,
    float_,
    half,
    int8,
    int16,
    int32,
    int64,
    int_,
    single,
    uint,
    uint8,
    uint16,
    uint32,
    uint64,
)
from ..kernels.numpy.sorting import *
from ..kernels.numpy.ufuncs import *
from ..kernels.numpy.utils import *
from ..runtime.array import Array as ndarray  # noqa: F401
from ..runtime.dtypes import (  # noqa: F401
    finfo,
    iinfo,
    issubdtype,
    promote_types,
    result_type,
)
from . import linalg  # noqa: F401

bool = bool_
ComplexWarning = getattr(_np.exceptions, "ComplexWarning", Warning)
