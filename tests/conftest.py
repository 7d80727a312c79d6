"""Shared test configuration: JAX (the reference oracle) runs on the CPU only."""
import os
import sys
from pathlib import Path

os.environ.setdefault("JAX_PLATFORMS", "cpu")
os.environ.setdefault("MPLBACKEND", "Agg")

# Test modules import shared helpers (jax_oracle, seeds_util) from this folder.
sys.path.append(str(Path(__file__).parent))
