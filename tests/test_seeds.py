"""Every code cell of the seed documents runs under axc and shows what JAX shows.

One test per cell, in document order; cells share their document's namespace (see
``seeds_util``). A cell that uses a transformation axc does not have yet, or a name bound by
such a cell, is a strict expected failure naming the issue that adds it: when that issue
lands the test XPASSes, fails, and the mark must go.
"""
from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
import seeds_util

os.environ.setdefault("MPLBACKEND", "Agg")

# Outputs that differ by design: JAX's concrete array class is an implementation detail.
EXPECTED_ALIASES = {"jaxlib._jax.ArrayImpl": "axc.runtime.array.Array"}

# Per-cell numeric tolerances, (document, cell index) -> (rtol, atol), where the printed
# value itself amplifies float32 rounding: central differences with eps=1e-3 divide a
# rounding error of ~1e-7 by 2e-3.
TOLERANCES: dict[tuple[str, int], tuple[float, float]] = {
    ("thinking-in-jax", 19): (1e-5, 5e-4),
    ("quickstart", 5): (1e-5, 5e-4),
}


# Cells that use only features axc has, but hit a known gap (strict xfails: fixing the gap
# flips them, and the test then asks for this entry to go).
KNOWN_GAPS: dict[tuple[str, int], str] = {}


def _cases() -> list:
    if not seeds_util.SEEDS_DIR.is_dir():
        return [pytest.param(None, id="no-seeds", marks=pytest.mark.skip(
            reason=f"seed documents not found at {seeds_util.SEEDS_DIR.resolve()} (CI checks "
                   f"out shared/ beside the repository)"))]
    out = []
    for cells in seeds_util.documents().values():
        for cell in cells:
            reasons = cell.needs + [KNOWN_GAPS[cell.doc, cell.index]] \
                if (cell.doc, cell.index) in KNOWN_GAPS else cell.needs
            marks = [pytest.mark.xfail(strict=True, reason="; ".join(reasons))] \
                if reasons else []
            out.append(pytest.param(cell, id=cell.id, marks=marks))
    return out


_RUNNERS: dict[tuple[str, bool], seeds_util.DocRunner] = {}
_RENDERED: dict[str, dict[int, str]] = {}


def _runner(cell: seeds_util.Cell, to_axc: bool) -> seeds_util.DocRunner:
    """The document's runner for one engine, created on first use and kept for its cells."""
    key = (cell.doc, to_axc)
    if key not in _RUNNERS:
        cells = seeds_util.load_document(seeds_util.SEEDS_DIR / f"{cell.doc}.md")
        _RUNNERS[key] = seeds_util.DocRunner(cells, to_axc)
    return _RUNNERS[key]


def _rendered(doc: str) -> dict[int, str] | None:
    path = seeds_util.SEEDS_DIR / f"{doc}-rendered.md"
    if not path.is_file():
        return None
    if doc not in _RENDERED:
        cells = seeds_util.load_document(seeds_util.SEEDS_DIR / f"{doc}.md")
        _RENDERED[doc] = seeds_util.rendered_outputs(cells, path.read_text(encoding="utf-8"))
    return _RENDERED[doc]


def _expected(cell: seeds_util.Cell) -> seeds_util.Outcome:
    """The cell's output as the rendered page shows it, else as JAX prints it here."""
    rendered = _rendered(cell.doc)
    if rendered is not None and cell.index in rendered:
        text = seeds_util.clean_expected(rendered[cell.index])
        for theirs, ours in EXPECTED_ALIASES.items():
            text = text.replace(theirs, ours)
        name = seeds_util.expected_error_name(text) if cell.raises else None
        return seeds_util.Outcome(output=text, error=type(name, (Exception,), {})()
                                  if name else None)
    pytest.importorskip("jax")
    return _runner(cell, to_axc=False).outcome(cell.index)


@pytest.mark.parametrize("cell", _cases())
def test_seed_cell(cell: seeds_util.Cell) -> None:
    got = _runner(cell, to_axc=True).outcome(cell.index)
    if cell.raises:
        assert got.error is not None, f"{cell.id} should raise, but ran:\n{cell.code}"
        want = _expected(cell)
        assert want.error is not None, f"JAX ran {cell.id} without the error it is tagged with"
        assert got.error_name == want.error_name, (
            f"{cell.id} raised {got.error_name}: {got.error}\nJAX raises {want.error_name}")
        return
    if got.error is not None:
        raise AssertionError(f"{cell.id} failed:\n{cell.code}") from got.error
    want = _expected(cell)
    if want.error is not None:
        pytest.fail(f"JAX fails on {cell.id} ({want.error_name}: {want.error}); axc ran it")
    rtol, atol = TOLERANCES.get((cell.doc, cell.index), (1e-5, 1e-6))
    assert seeds_util.outputs_match(got.output, want.output, rtol, atol), (
        f"{cell.id} output differs from JAX's\n--- axc:\n{got.output}\n--- JAX:\n"
        f"{want.output}")


def test_rendered_page_matches_every_cell() -> None:
    """Each cell of a document with a rendered page is found on that page, in order."""
    if not seeds_util.SEEDS_DIR.is_dir():
        pytest.skip("seed documents not found")
    for doc, cells in seeds_util.documents().items():
        rendered = _rendered(doc)
        if rendered is None:
            continue
        missing = [c.id for c in cells if c.index not in rendered]
        assert not missing, f"cells not found on the rendered page: {missing}"


def test_feature_scan(monkeypatch: pytest.MonkeyPatch) -> None:
    """The static scan finds transformations through aliases, function bodies and names
    (``pmap`` stands for a feature axc lacks)."""
    monkeypatch.setitem(seeds_util.FEATURES, "jax.pmap", ("axc.pmap", "no issue"))
    src = [
        "import jax\nimport numpy as np\nx = np.random.rand(3)",
        "from jax import pmap\nkey = pmap(abs)",
        "y = x + 1",
        "def f(v):\n  return jax.pmap(g)(v)",
        "def h(x):\n  return x * 2\nz = h(y)",
        "w = f(y)",
        "k2 = key",
        "x = 1\nprint(x)",
    ]
    cells = [seeds_util.Cell("t", i, s, s, False, ()) for i, s in enumerate(src)]
    seeds_util.FeatureScan().scan(cells)
    assert [bool(c.needs) for c in cells] == [False, True, False, False, False, True, True,
                                              False]
    assert cells[1].needs == ["needs axc.pmap (no issue)"]
    assert cells[5].needs == ["needs axc.pmap (no issue)"]


def test_outputs_match() -> None:
    assert seeds_util.outputs_match("Array([1., 2.], dtype=float32)",
                                    "Array([1.0000001, 2. ], dtype=float32)")
    assert not seeds_util.outputs_match("Array([1., 2.], dtype=float32)",
                                        "Array([1., 2.], dtype=int32)")
    assert not seeds_util.outputs_match("[1 2 3]", "[1 2 4]")
    assert seeds_util.outputs_match("[[ 1  2]\n [ 3  4]]", "[[1 2]\n [3 4]]")


def test_magics_become_python() -> None:
    python, magics = seeds_util.to_python(
        "%xmode minimal\n%timeit f(x)\n  %matplotlib inline\n%timeit -n 3 -r 1 g(y)")
    assert python == "pass\n_ = f(x)\n  pass\n_ = g(y)"
    assert magics == ("xmode", "timeit", "matplotlib", "timeit")
