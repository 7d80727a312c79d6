"""The implementation of ``axc.numpy``: primitives and plain-Python compositions of them."""
