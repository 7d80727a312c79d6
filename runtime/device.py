"""Devices and shardings. The CPU device always exists; CUDA devices join in the GPU work."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Device:
    """A device that holds array buffers."""

    id: int
    platform: str = "cpu"

    @property
    def device_kind(self) -> str:
        return self.platform

    @property
    def process_index(self) -> int:
        return 0

    def __repr__(self) -> str:
        return f"{self.platform.capitalize()}Device(id={self.id})"


class CpuDevice(Device):
    """The host CPU (``CpuDevice(id=0)``)."""

    def __init__(self, id: int = 0) -> None:
        super().__init__(id, "cpu")

    def __repr__(self) -> str:
        return f"CpuDevice(id={self.id})"


@dataclass(frozen=True)
class SingleDeviceSharding:
    """All of an array on one device, as JAX's ``SingleDeviceSharding``."""

    device: Device
    memory_kind: str = "device"

    @property
    def device_set(self) -> set[Device]:
        return {self.device}

    @property
    def num_devices(self) -> int:
        return 1

    @property
    def is_fully_replicated(self) -> bool:
        return True

    @property
    def is_fully_addressable(self) -> bool:
        return True

    def __repr__(self) -> str:
        return f"SingleDeviceSharding(device={self.device!r}, memory_kind={self.memory_kind})"


CPU = CpuDevice(0)
# CPU buffers live in host memory; JAX names that memory kind "unpinned_host" (as the seeds show).
CPU_SHARDING = SingleDeviceSharding(CPU, memory_kind="unpinned_host")


def devices(backend: str | None = None) -> list[Device]:
    """``axc.devices()``: the devices of ``backend`` (default: the default backend)."""
    if backend not in (None, "cpu"):
        raise RuntimeError(f"Unknown backend {backend!r}: this axc build has only 'cpu'")
    return [CPU]


def local_device_count(backend: str | None = None) -> int:
    return len(devices(backend))


def local_devices(backend: str | None = None) -> list[Device]:
    return devices(backend)


def device_count(backend: str | None = None) -> int:
    return len(devices(backend))


def default_backend() -> str:
    """``axc.default_backend()``: the platform that new arrays land on."""
    return "cpu"
