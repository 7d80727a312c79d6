"""AD and batching transforms: generated Python source from canonical ASTs."""
