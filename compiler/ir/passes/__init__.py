"""IR passes, each a function ``Function -> Function``; ``optimize`` runs the pipeline."""
from .pipeline import optimize

__all__ = ["optimize"]
