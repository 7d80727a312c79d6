"""Backends: the NumPy fallback ``interpreter`` and the LLVM CPU backend (``llvm``)."""
