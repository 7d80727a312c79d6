"""``axc show module.py:func`` through a subprocess: its output is what the library gives
in-process (``grad(f).source``, ``make_ir``), and bad targets give a message and exit 1."""
import importlib.util
from pathlib import Path

import numpy as np
import pytest

import axc

EXAMPLES = Path(__file__).resolve().parents[3] / "examples"
LINREG = EXAMPLES / "linear_regression.py"
SELU = EXAMPLES / "selu.py"


@pytest.fixture(scope="module")
def examples():
    out = {}
    for path in (LINREG, SELU):
        spec = importlib.util.spec_from_file_location(f"show_{path.stem}", path)
        out[path.stem] = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(out[path.stem])
    return out


def test_show_grad_source(axc_cli, examples):
    proc = axc_cli("show", f"{LINREG}:loss", "--grad")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == axc.grad(examples["linear_regression"].loss).source


def test_show_source_of_a_grad_object(axc_cli, examples):
    proc = axc_cli("show", f"{LINREG}:loss_grad")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == examples["linear_regression"].loss_grad.source


@pytest.mark.parametrize("transform, sig, shape", [
    (None, None, (1000,)),  # the recorded signature
    ("--jit", "f32[7]", (7,)),
    ("--vmap", "f32[2,3]", (2, 3)),
])
def test_show_ir_is_make_ir(axc_cli, examples, transform, sig, shape):
    args = [a for a in (transform, "--sig" if sig else None, sig) if a]
    proc = axc_cli("show", f"{SELU}:selu", "--ir", *args)
    assert proc.returncode == 0, proc.stderr
    fn = examples["selu"].selu
    fn = axc.vmap(fn) if transform == "--vmap" else fn
    assert proc.stdout == str(axc.make_ir(fn)(np.zeros(shape, np.float32))) + "\n"


def test_show_llvm(axc_cli, examples):
    proc = axc_cli("show", f"{SELU}:selu", "--llvm")
    assert proc.returncode == 0, proc.stderr
    assert "define" in proc.stdout and "selu_fusion0" in proc.stdout


@pytest.mark.parametrize("args, rc, message", [
    ([f"{SELU}:nope"], 1, "has no function 'nope' (its axc functions: selu, selu_grad"),
    ([f"{SELU}"], 1, "write module.py:function"),
    ([f"{SELU}:selu", "--vmap", "--ir"], 1, "selu has no signature for --ir"),
    ([f"{SELU}:selu", "--ir", "--sig", "f32[x]"], 2, "static shapes"),
    ([f"{SELU}:selu", "--grad", "--vmap"], 2, "not allowed with"),
])
def test_show_errors(axc_cli, args, rc, message):
    proc = axc_cli("show", *args)
    assert proc.returncode == rc
    assert message in proc.stderr
