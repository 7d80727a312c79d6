"""Frontend: source retrieval (gast), the syntax fence, and their located errors."""
