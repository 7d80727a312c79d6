"""The typed IR: data structures and printing (``ir``), staging (``stage``, ``tracer``),
and optimisation passes (``passes``)."""
