"""axc runtime: arrays and their buffers, dtypes, devices, configuration, pytrees."""
