"""``jit``: signatures and the executable cache (``signature``, ``api``), executables."""
