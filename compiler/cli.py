"""The ``axc`` command line. Subcommands arrive with the AOT work (``axc compile``)."""
from __future__ import annotations

import argparse


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="axc", description="axc: a source-to-source compiler "
                                "for numerical Python with JAX's programming model.")
    from .. import __version__
    p.add_argument("--version", action="version", version=f"axc {__version__}")
    return p


def main(argv: list[str]) -> int:
    """Run the command line on ``argv``; returns the exit code."""
    parser = _parser()
    parser.parse_args(argv)
    parser.print_help()
    return 0
