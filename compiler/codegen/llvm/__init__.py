"""The LLVM CPU backend: loop nests (``loops``), fusion kernels (``fusion_kernel``), the host
target and JIT (``target``), and the per-function module (``backend``)."""
