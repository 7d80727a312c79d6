"""Moving values between the host and devices: ``device_put``, ``device_get``."""
from __future__ import annotations

from typing import Any

import numpy as np

from .array import Array, to_buffer, wrap
from .device import CPU, Device, SingleDeviceSharding
from .pytree import tree_map


def _check_device(device: Any) -> None:
    if device is None or device == CPU:
        return
    if isinstance(device, SingleDeviceSharding) and device.device == CPU:
        return
    if isinstance(device, Device):
        raise TypeError(f"Device {device!r} is not available in this process")
    raise TypeError(f"device_put got an invalid device {device!r}: use axc.devices()[i] or a "
                    f"Sharding")


def _put_leaf(x: Any) -> Array:
    if isinstance(x, Array):
        return x
    buf, weak = to_buffer(x)
    return wrap(buf, weak)


def device_put(x: Any, device: Any = None, *, src: Any = None, donate: bool = False,
               may_alias: bool | None = None) -> Any:
    """Place every leaf of the pytree ``x`` on ``device`` (default: the default device)."""
    _check_device(device)
    return tree_map(_put_leaf, x)


def device_get(x: Any) -> Any:
    """Copy every Array leaf of the pytree ``x`` to a NumPy array on the host."""
    return tree_map(lambda v: np.asarray(v) if isinstance(v, Array) else v, x)


def block_until_ready(x: Any) -> Any:
    """Wait until every Array leaf of ``x`` is computed; returns ``x``."""
    tree_map(lambda v: v.block_until_ready() if isinstance(v, Array) else v, x)
    return x
