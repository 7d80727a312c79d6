"""Ahead-of-time compilation: ``axc compile`` and ``axc show``.

One file per concern: ``signature`` (argument types: ``axc.signature``, ``--sig``),
``discover`` (load a module by path, find its axc functions), ``emit`` (one function's
artefacts), ``build`` (all of a module's, written atomically with a manifest), ``show``.
"""
