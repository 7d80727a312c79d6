"""Shared test configuration: JAX (the reference oracle) runs on the CPU only."""
import os

os.environ.setdefault("JAX_PLATFORMS", "cpu")
os.environ.setdefault("MPLBACKEND", "Agg")
