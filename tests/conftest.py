"""Shared test configuration: JAX (the reference oracle) runs on the CPU only."""
import os
import sys
from pathlib import Path

import pytest

os.environ.setdefault("JAX_PLATFORMS", "cpu")
os.environ.setdefault("MPLBACKEND", "Agg")

# Test modules import shared helpers (jax_oracle, seeds_util) from this folder.
sys.path.append(str(Path(__file__).parent))


@pytest.fixture(scope="module")
def x64_module():
    """x64 mode for a whole test module, in axc and (when the module uses it) in JAX."""
    import axc
    jax = sys.modules.get("jax")
    with axc.config.override("jax_enable_x64", True):
        if jax is None:
            yield
            return
        jax.config.update("jax_enable_x64", True)
        try:
            yield
        finally:
            jax.config.update("jax_enable_x64", False)
