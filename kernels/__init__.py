"""axc kernels: the primitive registry. Every primitive is declared once, with all its rules."""
