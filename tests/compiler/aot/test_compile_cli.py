"""``axc compile`` through a subprocess, on the modules in ``examples/``: every artefact is
written and non-empty, the manifest's hashes are the files', ``ir.txt`` is ``axc.make_ir``'s
text, and bad input gives a message, a non-zero exit and no output left behind."""
import hashlib
import importlib.util
import json
import sys
from pathlib import Path

import numpy as np
import pytest

import axc

EXAMPLES = Path(__file__).resolve().parents[3] / "examples"
FILES = {"source": "source.py", "ir": "ir.txt", "llvm": "llvm.ll", "asm": "asm.s",
         "obj": "obj.o"}
# Each example's functions, in definition order.
FUNCTIONS = {"selu": ["selu", "selu_grad", "selu_batched"],
             "linear_regression": ["update", "loss_grad"],
             "mlp": ["step", "loss_grad"]}


@pytest.fixture(scope="module")
def built(tmp_path_factory, axc_cli):
    """Each example compiled once: (completed process, OUTDIR)."""
    out = {}
    for example in FUNCTIONS:
        folder = tmp_path_factory.mktemp(example)
        proc = axc_cli("compile", EXAMPLES / f"{example}.py", "-o", folder / "out",
                       cwd=folder)
        out[example] = proc, folder / "out"
    return out


def load_example(name):
    spec = importlib.util.spec_from_file_location(f"aot_example_{name}", EXAMPLES / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("example", FUNCTIONS)
def test_every_artefact_is_written(built, example):
    proc, outdir = built[example]
    assert proc.returncode == 0, proc.stderr
    assert sorted(p.name for p in outdir.iterdir()) == sorted(FUNCTIONS[example] +
                                                              ["manifest.json"])
    for fn in FUNCTIONS[example]:
        for name in FILES.values():
            assert (outdir / fn / name).stat().st_size > 0, (fn, name)
        assert (outdir / fn / "obj.o").read_bytes()[:4] == b"\x7fELF"
        assert "define" in (outdir / fn / "llvm.ll").read_text()
    # One progress line per function, then every written path.
    lines = proc.stdout.splitlines()
    n = len(FUNCTIONS[example])
    assert [line.split(" (")[0] for line in lines[:n]] == \
        [f"[{k}/{n}] {fn}" for k, fn in enumerate(FUNCTIONS[example], 1)]
    written = {Path(line.strip()) for line in lines[n + 1:]}
    assert written == {p for p in outdir.rglob("*") if p.is_file()}
    assert not [p for p in outdir.parent.iterdir() if p.name.startswith(".")]  # no temp dirs


@pytest.mark.parametrize("example", FUNCTIONS)
def test_manifest_hashes_and_versions(built, example):
    _, outdir = built[example]
    manifest = json.loads((outdir / "manifest.json").read_text())
    assert list(manifest["functions"]) == FUNCTIONS[example]
    assert manifest["versions"]["axc"] == axc.__version__
    assert manifest["versions"]["python"] == ".".join(map(str, sys.version_info[:3]))
    assert {"llvmlite", "llvm"} <= set(manifest["versions"])
    for fn, record in manifest["functions"].items():
        assert set(record["artefacts"]) == set(FILES.values())
        for name, facts in record["artefacts"].items():
            data = (outdir / fn / name).read_bytes()
            assert facts == {"sha256": hashlib.sha256(data).hexdigest(), "bytes": len(data)}
        assert len(record["inputs"]) == len(record["signature"])
        assert all(a["dtype"] == "float32" for a in record["inputs"] + record["outputs"])


@pytest.mark.parametrize("example", FUNCTIONS)
def test_ir_is_make_irs_text(built, example):
    _, outdir = built[example]
    manifest = json.loads((outdir / "manifest.json").read_text())
    module = load_example(example)
    for fn, record in manifest["functions"].items():
        args = [np.zeros(a["shape"], a["dtype"]) for a in record["inputs"]]
        want = str(axc.make_ir(getattr(module, fn))(*args))
        assert (outdir / fn / "ir.txt").read_text() == want, fn


def test_kernels_are_in_the_assembly(built):
    _, outdir = built["selu"]
    record = json.loads((outdir / "manifest.json").read_text())["functions"]["selu"]
    assert record["kernels"]
    asm = (outdir / "selu" / "asm.s").read_text()
    assert all(k in asm for k in record["kernels"])


def test_emit_subset_and_sig_option(tmp_path, axc_cli, write_module):
    mod = write_module(tmp_path, "plain.py", """
        import axc.numpy as jnp

        def scale(x, y):
            return 2.0 * x + y
        """)
    proc = axc_cli("compile", mod, "-o", "out", "--emit", "ir,source",
                   "--sig", "scale=f32[4];f32[]", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert sorted(p.name for p in (tmp_path / "out" / "scale").iterdir()) == \
        ["ir.txt", "source.py"]
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text())
    assert manifest["emit"] == ["source", "ir"]
    assert manifest["functions"]["scale"]["signature"] == ["f32[4]", "f32[]"]
    assert "a:f32[4] b:f32[]" in (tmp_path / "out" / "scale" / "ir.txt").read_text()


def test_function_without_signature_is_source_only(tmp_path, axc_cli, write_module):
    mod = write_module(tmp_path, "nosig.py", """
        import axc
        import axc.numpy as jnp

        @axc.jit
        def f(x):
            return jnp.exp(x)
        """)
    proc = axc_cli("compile", mod, cwd=tmp_path)  # default OUTDIR: ./nosig_axc
    assert proc.returncode == 0, proc.stderr
    assert [p.name for p in (tmp_path / "nosig_axc" / "f").iterdir()] == ["source.py"]
    assert "note: f has no signature" in proc.stdout
    manifest = json.loads((tmp_path / "nosig_axc" / "manifest.json").read_text())
    assert manifest["functions"]["f"]["signature"] is None
