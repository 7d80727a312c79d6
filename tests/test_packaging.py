"""Packaging: the wheel and the editable install both give one consistent ``axc`` package."""
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def test_editable_install_maps_the_layer_folders():
    """``axc.runtime`` is ``runtime/``, ``axc.kernels`` is ``kernels/``, and so on."""
    import axc.compiler
    import axc.kernels
    import axc.runtime
    for module, folder in [(axc.runtime, "runtime"), (axc.kernels, "kernels"),
                           (axc.compiler, "compiler"), (axc, "axc")]:
        assert Path(module.__file__).resolve().parent == ROOT / folder


def test_stray_top_level_import_does_not_load_a_second_copy():
    out = subprocess.run([sys.executable, "-c", "import runtime.array"], check=False,
                         cwd=ROOT / "tests",
                         capture_output=True, text=True)
    assert out.returncode != 0


@pytest.mark.slow
def test_wheel_builds_and_imports(tmp_path):
    """Build the wheel, install it into a target folder, and import from there."""
    wheel_dir, target = tmp_path / "wheel", tmp_path / "site"
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps",
                    "-q", "-w", str(wheel_dir), str(ROOT)], check=True)
    wheels = list(wheel_dir.glob("axc-*.whl"))
    assert len(wheels) == 1
    subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target",
                    str(target), str(wheels[0])], check=True)
    code = ("import axc, axc.numpy as jnp, axc.runtime, axc.kernels.registry;"
            "print(axc.__file__); print(axc.runtime.__file__);"
            "print(float(jnp.sum(jnp.arange(4.0))))")
    env = {**os.environ, "PYTHONPATH": str(target)}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                         text=True, cwd=tmp_path, check=True).stdout.split()
    assert out[0].startswith(str(target)) and out[1].startswith(str(target))
    assert out[2] == "6.0"
    assert (target / "axc" / "runtime" / "array.py").exists()
    # Every package of the source tree is in the wheel (pyproject lists them one by one).
    for layer in ("compiler", "kernels", "runtime"):
        for init in (ROOT / layer).rglob("__init__.py"):
            rel = init.relative_to(ROOT / layer)
            assert (target / "axc" / layer / rel).exists(), f"{layer}/{rel} not in the wheel"
