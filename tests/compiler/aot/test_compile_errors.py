"""``axc compile`` and the ``axc`` command line on bad input: a missing file, a syntax or
import error, a function that does not compile, an unknown ``--emit`` kind, a malformed
``--sig``, an unwritable or foreign OUTDIR. Each gives a message on stderr (no traceback), a
non-zero exit and leaves nothing behind that looks complete. Also ``--help``/``--version``."""
import pytest

import axc

BAD_FUNCTION = """
    import axc
    import axc.numpy as jnp

    @axc.jit
    @axc.signature("f32[3]")
    def good(x):
        return x + 1.0

    @axc.signature("f32[3]")
    def bad(x):
        return float(x.sum())
    """


@pytest.mark.parametrize("setup, args, rc, message", [
    (None, ["compile", "missing.py"], 1, "missing.py: no such file"),
    (("syn.py", "import axc\n\ndef f(x):\n    return x +\n"), ["compile", "syn.py"], 1,
     "syn.py:4:"),
    (("boom.py", "import axc\nx = 1\nraise ValueError('no')\n"), ["compile", "boom.py"], 1,
     "boom.py:3: error importing"),
    (("bad.py", BAD_FUNCTION), ["compile", "bad.py"], 1, "cannot compile bad(f32[3])"),
    (("bad.py", BAD_FUNCTION), ["compile", "bad.py", "--emit", "ir,ptx"], 2,
     "unknown --emit kind 'ptx'"),
    (("bad.py", BAD_FUNCTION), ["compile", "bad.py", "--sig", "good"], 2, "NAME=SPEC"),
    (("bad.py", BAD_FUNCTION), ["compile", "bad.py", "--sig", "nothere=f32[]"], 1,
     "--sig names nothere"),
    (("empty.py", "x = 1\n"), ["compile", "empty.py"], 1, "no axc functions found"),
    (("bad.py", BAD_FUNCTION), ["compile", "bad.py", "-o", "afile/out", "--sig",
                                "bad=f32[3]"], 1, "cannot write"),
])
def test_bad_input(tmp_path, axc_cli, write_module, setup, args, rc, message):
    if setup is not None:
        write_module(tmp_path, *setup)
    (tmp_path / "afile").write_text("a file, not a folder")
    before = sorted(p.name for p in tmp_path.iterdir())
    proc = axc_cli(*args, cwd=tmp_path)
    assert proc.returncode == rc, proc.stderr
    assert message in proc.stderr
    assert "Traceback" not in proc.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == before  # nothing left behind


def test_failed_build_keeps_the_previous_output_and_a_new_one_replaces_it(tmp_path, axc_cli,
                                                                         write_module):
    write_module(tmp_path, "bad.py", BAD_FUNCTION)
    ok = axc_cli("compile", "bad.py", "-o", "out", "--sig", "bad=f32[3]", "--emit", "source",
                 cwd=tmp_path)
    assert ok.returncode == 0, ok.stderr
    manifest = (tmp_path / "out" / "manifest.json").read_bytes()
    proc = axc_cli("compile", "bad.py", "-o", "out", cwd=tmp_path)
    assert proc.returncode == 1
    assert "cannot compile bad(f32[3]): ConcretizationTypeError" in proc.stderr
    assert (tmp_path / "out" / "manifest.json").read_bytes() == manifest
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.py", "out"]
    # A successful build replaces the earlier output as a whole.
    write_module(tmp_path, "bad.py", BAD_FUNCTION.replace("float(x.sum())", "x.sum()"))
    again = axc_cli("compile", "bad.py", "-o", "out", "--emit", "ir", cwd=tmp_path)
    assert again.returncode == 0, again.stderr
    assert sorted(p.name for p in (tmp_path / "out" / "bad").iterdir()) == ["ir.txt"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.py", "out"]


def test_refuses_to_replace_a_foreign_directory(tmp_path, axc_cli, write_module):
    write_module(tmp_path, "bad.py", BAD_FUNCTION)
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "keep.txt").write_text("mine")
    proc = axc_cli("compile", "bad.py", "-o", "out", "--emit", "source", cwd=tmp_path)
    assert proc.returncode == 1 and "refusing to replace" in proc.stderr
    assert (tmp_path / "out" / "keep.txt").read_text() == "mine"


@pytest.mark.parametrize("args, expect", [
    (["--help"], ["compile", "show"]),
    (["compile", "--help"], ["--emit", "--sig", "manifest.json"]),
    (["show", "--help"], ["--grad", "--vmap", "--jit", "--ir", "--llvm"]),
    (["--version"], [f"axc {axc.__version__}"]),
])
def test_help_and_version(tmp_path, axc_cli, args, expect):
    proc = axc_cli(*args, cwd=tmp_path)
    assert proc.returncode == 0
    assert all(e in proc.stdout for e in expect), proc.stdout
