"""Process-wide configuration flags (``axc.config``), spelled as JAX spells them."""
from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from typing import Any

# name -> (default, documentation). Names are JAX's; ``axc_<x>`` is accepted for ``jax_<x>``.
_FLAGS: dict[str, tuple[Any, str]] = {
    "jax_enable_x64": (False, "Enable 64-bit dtypes (int64/float64 defaults)."),
    "jax_threefry_partitionable": (True, "Use JAX's partitionable threefry counter layout."),
    "jax_default_prng_impl": ("threefry2x32", "The PRNG implementation behind random keys."),
    "jax_numpy_rank_promotion": ("allow", "Rank promotion in broadcasting: allow/warn/raise."),
    "jax_numpy_dtype_promotion": ("standard", "Type promotion mode: standard/strict."),
    "jax_debug_nans": (False, "Raise FloatingPointError when an op produces NaN."),
    "jax_disable_jit": (False, "Run jitted functions eagerly."),
    "jax_platforms": ("", "Comma-separated platform preference (e.g. 'cpu')."),
    "axc_persistent_cache": (True, "Keep compiled executables in the on-disk cache."),
}


def _canonical_name(name: str) -> str:
    if name.startswith("axc_") and "jax_" + name[4:] in _FLAGS:
        return "jax_" + name[4:]
    if name not in _FLAGS:
        raise AttributeError(f"Unrecognized config option: {name}")
    return name


class Config:
    """Holds axc's flags. ``config.update(name, value)``, ``config.jax_enable_x64``."""

    def __init__(self) -> None:
        values = {name: default for name, (default, _) in _FLAGS.items()}
        if os.environ.get("JAX_ENABLE_X64", os.environ.get("AXC_ENABLE_X64", "")).lower() in (
            "1", "true", "yes"):
            values["jax_enable_x64"] = True
        object.__setattr__(self, "_values", values)
        object.__setattr__(self, "_listeners", [])

    def update(self, name: str, value: Any) -> None:
        """Set flag ``name`` (``jax_*`` or ``axc_*`` spelling) to ``value``."""
        name = _canonical_name(name)
        default = _FLAGS[name][0]
        if isinstance(default, bool) and not isinstance(value, bool):
            raise TypeError(f"Config option {name} takes a bool, got {value!r}")
        self._values[name] = value
        for listener in self._listeners:
            listener(name, value)

    def read(self, name: str) -> Any:
        return self._values[_canonical_name(name)]

    def __getattr__(self, name: str) -> Any:
        try:
            return self._values[_canonical_name(name)]
        except AttributeError:
            raise AttributeError(f"axc.config has no option {name!r}") from None

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError("Use axc.config.update(name, value) to change a flag")

    @property
    def x64_enabled(self) -> bool:
        return self._values["jax_enable_x64"]

    def on_update(self, listener) -> None:
        """Register ``listener(name, value)``, called after every update (caches use it)."""
        self._listeners.append(listener)

    @contextlib.contextmanager
    def override(self, name: str, value: Any) -> Iterator[None]:
        """Temporarily set a flag (used by ``axc.experimental.enable_x64`` and tests)."""
        name = _canonical_name(name)
        old = self._values[name]
        self.update(name, value)
        try:
            yield
        finally:
            self.update(name, old)


config = Config()
