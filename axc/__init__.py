"""axc: JAX's programming model, compiled source to source.

``import axc as jax; import axc.numpy as jnp`` runs JAX programs. This package only
re-exports: the runtime, kernels and compiler live in ``axc.runtime``, ``axc.kernels`` and
``axc.compiler``.
"""
from . import lax, nn, numpy, random, tree_util
from .compiler.aot.signature import signature
from .compiler.jit.api import jit, make_ir
from .compiler.jit.api import make_ir as make_jaxpr
from .compiler.transforms.api import grad, value_and_grad, vjp
from .compiler.transforms.jacobians import hessian, jacfwd, jacobian, jacrev, jvp, linearize
from .compiler.transforms.vmap import vmap
from .kernels.numpy import array_methods as _array_methods
from .runtime import errors
from .runtime.abstract import ShapedArray, ShapeDtypeStruct
from .runtime.array import Array
from .runtime.config import config
from .runtime.device import (
    default_backend,
    device_count,
    devices,
    local_device_count,
    local_devices,
)
from .runtime.transfer import block_until_ready, device_get, device_put

_array_methods.install()

__version__ = "0.1.0"

__all__ = [
    "Array",
    "ShapeDtypeStruct",
    "ShapedArray",
    "block_until_ready",
    "config",
    "default_backend",
    "device_count",
    "device_get",
    "device_put",
    "devices",
    "errors",
    "grad",
    "hessian",
    "jacfwd",
    "jacobian",
    "jacrev",
    "jit",
    "jvp",
    "lax",
    "linearize",
    "local_device_count",
    "local_devices",
    "make_ir",
    "make_jaxpr",
    "nn",
    "numpy",
    "random",
    "signature",
    "tree_util",
    "value_and_grad",
    "vjp",
    "vmap",
]
