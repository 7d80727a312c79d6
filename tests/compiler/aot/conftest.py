"""Helpers of the ``axc compile`` / ``axc show`` tests: the command line in a subprocess."""
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest


def _run(*args, cwd=None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "axc", *map(str, args)], cwd=cwd, check=False,
                          capture_output=True, text=True, timeout=120)


def _write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(textwrap.dedent(text))
    return path


@pytest.fixture(scope="session")
def axc_cli():
    """``axc_cli(*args, cwd=None)``: ``python -m axc ARGS`` (a CompletedProcess, text)."""
    return _run


@pytest.fixture(scope="session")
def write_module():
    """``write_module(folder, name, text)``: ``text`` dedented into ``folder/name``."""
    return _write

