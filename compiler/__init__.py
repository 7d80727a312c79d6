"""axc compiler: frontend, transforms, IR, codegen."""
