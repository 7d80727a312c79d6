"""Run the code cells of the seed documents (``shared/seeds/*.md``) under axc and under JAX.

A seed is a jupytext MyST notebook: its cells run in order in one namespace, with ``jax``
imports rewritten to ``axc`` and IPython magics turned into plain Python (``%timeit stmt``
runs ``stmt`` once). Each cell's output is what IPython would show: its stdout, then the repr
of a last expression not silenced by ``;``. Expected outputs come from a rendered copy of
the page where one exists (``<name>-rendered.md``) and otherwise from running the same cells
with JAX, the reference oracle.

Cells that use a transformation axc does not have yet are known failures, found statically:
an AST walk resolves names to the ``jax`` APIs they stand for (``from jax import grad``,
``jax.random.normal``, a function whose body calls ``jax.grad``...) and follows, cell to cell,
which names were bound by such cells.
"""
from __future__ import annotations

import ast
import contextlib
import dataclasses
import io
import linecache
import re
import sys
from pathlib import Path
from typing import Any

import numpy as np

SEEDS_DIR = Path(__file__).parents[1] / ".." / "shared" / "seeds"

# jax API prefix -> (axc name, issue that adds it)
FEATURES = {
    **{f"jax.{n}": (f"axc.{n}", "issue 4 (AD)") for n in (
        "grad", "value_and_grad", "jacfwd", "jacrev", "jacobian", "hessian", "vjp", "jvp",
        "linearize")},
    "jax.jit": ("axc.jit", "issue 5 (jit)"),
    "jax.make_jaxpr": ("axc.make_jaxpr", "issue 5 (jit)"),
    "jax.vmap": ("axc.vmap", "issue 6 (vmap)"),
}

# Expected-output lines that come from magics or images, not from the code.
_NOISE = [
    re.compile(r"^[\d.]+ (ns|µs|μs|us|ms|s) ± [\d.]+ (ns|µs|μs|us|ms|s) per loop \(mean ± std\. "
               r"dev\. of \d+ runs?, [\d,]+ loops? each\)$"),
    re.compile(r"^Exception reporting mode: \w+$"),
    re.compile(r"^\S+\.(png|svg|jpg|jpeg)$"),
]

_NUMBER = re.compile(r"[-+]?(?:\d+\.\d*|\.\d+|\d+)(?:[eE][-+]?\d+)?|nan|inf")


# --- documents and cells ------------------------------------------------------------------------

@dataclasses.dataclass
class Cell:
    doc: str
    index: int
    code: str            # the cell as written, option lines removed
    python: str          # the cell as Python (magics rewritten)
    raises: bool         # tagged raises-exception
    magics: tuple[str, ...]
    needs: list[str] = dataclasses.field(default_factory=list)  # xfail reasons

    @property
    def label(self) -> str:
        for line in self.code.splitlines():
            line = line.strip()
            if line and not line.startswith("#"):
                return re.sub(r"\W+", "_", line).strip("_")[:32] or "cell"
        return "cell"

    @property
    def id(self) -> str:
        return f"{self.doc}-{self.index:02d}-{self.label}"


def code_cells(text: str) -> list[tuple[str, bool]]:
    """The ``{code-cell}`` blocks of a MyST document: (code, tagged raises-exception)."""
    cells = []
    lines = text.splitlines()
    i = 0
    while i < len(lines):
        if lines[i].strip().startswith("```{code-cell}"):
            j = i + 1
            body = []
            while j < len(lines) and lines[j].strip() != "```":
                body.append(lines[j])
                j += 1
            options, k = [], 0
            while k < len(body) and body[k].startswith(":"):
                options.append(body[k])
                k += 1
            raises = any("raises-exception" in o for o in options if o.startswith(":tags:"))
            cells.append(("\n".join(body[k:]).strip("\n"), raises))
            i = j
        i += 1
    return cells


def to_python(code: str) -> tuple[str, tuple[str, ...]]:
    """IPython magics as Python, line for line: ``%timeit s`` runs ``s`` once."""
    out, magics = [], []
    lines = code.splitlines()
    for n, line in enumerate(lines):
        stripped = line.lstrip()
        indent = line[: len(line) - len(stripped)]
        if stripped.startswith("%%"):
            magics.append(stripped.split()[0][2:])
            out.append(indent + "pass")
            if magics[-1] != "timeit":  # other cell magics: the body is not Python
                out.extend("pass" for _ in lines[n + 1:])
                break
        elif stripped.startswith("%"):
            name, _, rest = stripped[1:].partition(" ")
            magics.append(name)
            out.append(indent + (_timeit_statement(rest) if name == "timeit" else "pass"))
        elif stripped.startswith("!"):
            magics.append("!")
            out.append(indent + "pass")
        else:
            out.append(line)
    return "\n".join(out), tuple(magics)


def _timeit_statement(rest: str) -> str:
    """The statement of a ``%timeit [-n N] [-r R] [-q...] stmt`` line."""
    tokens = rest.split()
    while tokens and tokens[0].startswith("-"):
        flag = tokens.pop(0)
        if flag in ("-n", "-r", "-p") and tokens:
            tokens.pop(0)
    if not tokens:
        return "pass"
    stmt = " ".join(tokens)
    try:
        ast.parse(stmt, mode="eval")
    except SyntaxError:
        return stmt
    return f"_ = {stmt}"  # %timeit shows timings, never the expression's value


def load_document(path: Path) -> list[Cell]:
    doc = path.stem
    cells = []
    for i, (code, raises) in enumerate(code_cells(path.read_text(encoding="utf-8"))):
        python, magics = to_python(code)
        cells.append(Cell(doc, i, code, python, raises, magics))
    FeatureScan().scan(cells)
    return cells


def documents(seeds_dir: Path = SEEDS_DIR) -> dict[str, list[Cell]]:
    """Every seed notebook's cells, by document name (rendered pages are not notebooks)."""
    return {p.stem: load_document(p) for p in sorted(seeds_dir.glob("*.md"))
            if not p.stem.endswith("-rendered")}


# --- which cells need features axc lacks ------------------------------------------------------

class FeatureScan:
    """Marks the cells that use a missing transformation, directly or through earlier cells."""

    def __init__(self) -> None:
        self.modules: dict[str, str] = {}      # name -> the jax module or API it is bound to
        self.tainted: dict[str, set[str]] = {}  # name -> reasons it cannot be used yet

    def scan(self, cells: list[Cell]) -> None:
        for cell in cells:
            try:
                tree = ast.parse(cell.python)
            except SyntaxError:
                continue
            reasons: set[str] = set()
            for stmt in tree.body:
                self._bind_imports(stmt)
                if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                    # The body runs when called: its needs go to the name it defines.
                    for deco in stmt.decorator_list:
                        reasons |= self._needs(deco)
                    local = _local_names(stmt)
                    body = set().union(*(self._needs(s, local) for s in stmt.body))
                    self._taint({stmt.name}, reasons | body)
                else:
                    reasons |= self._needs(stmt)
                    # After a failing statement nothing in the cell is bound as written.
                    self._taint(_stored_names(stmt), reasons)
            cell.needs = sorted(reasons)

    def _taint(self, names: set[str], reasons: set[str]) -> None:
        for name in names:
            if reasons:
                self.tainted[name] = set(reasons)
            else:
                self.tainted.pop(name, None)

    def _bind_imports(self, stmt: ast.stmt) -> None:
        for node in ast.walk(stmt):
            if isinstance(node, ast.Import):
                for a in node.names:
                    if a.asname:
                        self.modules[a.asname] = a.name
                    else:
                        self.modules[a.name.split(".")[0]] = a.name.split(".")[0]
            elif isinstance(node, ast.ImportFrom) and node.module:
                for a in node.names:
                    self.modules[a.asname or a.name] = f"{node.module}.{a.name}"

    def _needs(self, node: ast.AST, local: frozenset[str] = frozenset()) -> set[str]:
        """Reasons ``node`` cannot run yet; ``local`` names are a function's own."""
        out: set[str] = set()
        for sub in ast.walk(node):
            if isinstance(sub, ast.Name) and sub.id in local:
                continue
            if isinstance(sub, ast.ImportFrom) and sub.module:
                for a in sub.names:
                    out |= _feature(f"{sub.module}.{a.name}")
            elif isinstance(sub, ast.Import):
                for a in sub.names:
                    out |= _feature(a.name)
            elif isinstance(sub, (ast.Name, ast.Attribute)):
                dotted = self._resolve(sub)
                if dotted:
                    out |= _feature(dotted)
                if isinstance(sub, ast.Name) and isinstance(sub.ctx, ast.Load) \
                        and sub.id in self.tainted:
                    out |= self.tainted[sub.id]
        return out

    def _resolve(self, node: ast.AST) -> str | None:
        parts = []
        while isinstance(node, ast.Attribute):
            parts.append(node.attr)
            node = node.value
        if isinstance(node, ast.Name) and node.id in self.modules:
            return ".".join([self.modules[node.id], *reversed(parts)])
        return None


def _feature(dotted: str) -> set[str]:
    """The missing feature a dotted name needs (none once axc has it)."""
    import axc
    for prefix, (name, issue) in FEATURES.items():
        if (dotted == prefix or dotted.startswith(prefix + ".")) and \
                not hasattr(axc, name.split(".", 1)[1]):
            return {f"needs {name} ({issue})"}
    return set()


def _local_names(fn: ast.AST) -> frozenset[str]:
    """A function's parameters and the names its body assigns."""
    names = set()
    args = getattr(fn, "args", None)
    if args is not None:
        for a in [*args.posonlyargs, *args.args, *args.kwonlyargs, args.vararg, args.kwarg]:
            if a is not None:
                names.add(a.arg)
    for node in ast.walk(fn):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            names.add(node.id)
    return frozenset(names)


def _stored_names(stmt: ast.stmt) -> set[str]:
    """The names a top-level statement binds."""
    names = set()
    for node in ast.walk(stmt):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            names.add(node.id)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            names.update((a.asname or a.name).split(".")[0] for a in node.names)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
    return names


# --- running cells --------------------------------------------------------------------------

class _ToAxc(ast.NodeTransformer):
    """``import jax[.x] [as y]`` and ``from jax[.x] import ...`` name axc's modules instead."""

    def visit_Import(self, node: ast.Import) -> Any:
        out: list[ast.stmt] = []
        for a in node.names:
            top, _, rest = a.name.partition(".")
            if top != "jax":
                out.append(ast.Import(names=[a]))
            elif a.asname:
                out.append(ast.Import(names=[ast.alias("axc" + ("." + rest if rest else ""),
                                                       a.asname)]))
            else:
                if rest:
                    out.append(ast.Import(names=[ast.alias("axc." + rest)]))
                out.append(ast.Import(names=[ast.alias("axc", "jax")]))
        return [ast.copy_location(s, node) for s in out]

    def visit_ImportFrom(self, node: ast.ImportFrom) -> Any:
        if node.module and node.module.split(".")[0] == "jax" and not node.level:
            node.module = "axc" + node.module[3:]
        return node


@dataclasses.dataclass
class Outcome:
    output: str = ""
    error: BaseException | None = None

    @property
    def error_name(self) -> str | None:
        return None if self.error is None else type(self.error).__name__


def display(value: Any) -> str:
    """What IPython shows for a cell's value (classes as ``module.qualname``)."""
    if isinstance(value, type):
        mod = value.__module__
        return value.__qualname__ if mod == "builtins" else f"{mod}.{value.__qualname__}"
    return repr(value)


def run_cell(python: str, namespace: dict, filename: str, to_axc: bool) -> Outcome:
    """Run one cell in ``namespace`` as IPython would; capture what it prints and shows."""
    buf = io.StringIO()
    outcome = Outcome()
    try:
        tree = ast.parse(python, filename)
        # As IPython does: the cell's text stays readable, so axc can read its functions.
        linecache.cache[filename] = (len(python), None, python.splitlines(True), filename)
        if to_axc:
            tree = ast.fix_missing_locations(_ToAxc().visit(tree))
        last = None
        silenced = python.rstrip().endswith(";")
        if tree.body and isinstance(tree.body[-1], ast.Expr) and not silenced:
            last = ast.Expression(tree.body.pop().value)
        with contextlib.redirect_stdout(buf):
            exec(compile(tree, filename, "exec"), namespace)  # noqa: S102 - running the cell is the test
            if last is not None:
                value = eval(compile(last, filename, "eval"), namespace)
                if value is not None:
                    print(display(value))
    except Exception as err:  # noqa: BLE001 - a cell's error is its outcome
        outcome.error = err
    finally:
        _close_figures()
    outcome.output = buf.getvalue()
    return outcome


def _close_figures() -> None:
    plt = sys.modules.get("matplotlib.pyplot")
    if plt is not None:
        plt.close("all")


def _bound_names(python: str) -> set[str]:
    """Names a cell binds at top level (assignments, defs, imports)."""
    names = set()
    for node in ast.walk(ast.parse(python)):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            names.add(node.id)
        elif isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, ast.alias):
            names.add((node.asname or node.name).split(".")[0])
    return names


class DocRunner:
    """Runs one document's cells in order, once, in one namespace (per engine)."""

    def __init__(self, cells: list[Cell], to_axc: bool) -> None:
        self.cells = cells
        self.to_axc = to_axc
        self.namespace: dict = {"__name__": "__main__"}
        self.outcomes: list[Outcome] = []
        # Each run keeps its own NumPy global random stream, as a fresh kernel would.
        self.rng_state = np.random.RandomState(0).get_state()

    def outcome(self, index: int) -> Outcome:
        while len(self.outcomes) <= index:
            cell = self.cells[len(self.outcomes)]
            saved = np.random.get_state()
            np.random.set_state(self.rng_state)
            try:
                engine = "axc" if self.to_axc else "jax"
                got = run_cell(cell.python, self.namespace,
                               f"<{cell.doc} cell {cell.index} ({engine})>", self.to_axc)
                self.outcomes.append(got)
                if got.error is not None and not cell.raises:
                    # What the failed cell would have (re)defined is gone: later cells must
                    # not run on stale values from before it.
                    for name in _bound_names(cell.python):
                        self.namespace.pop(name, None)
            finally:
                self.rng_state = np.random.get_state()
                np.random.set_state(saved)
        return self.outcomes[index]


# --- expected outputs -------------------------------------------------------------------------

def rendered_outputs(cells: list[Cell], rendered: str) -> dict[int, str]:
    """Each cell's output on a rendered page: the lines after its code, up to a blank line
    or the next cell's code."""
    lines = [line.rstrip() for line in rendered.splitlines()]
    spans: dict[int, tuple[int, int]] = {}
    cursor = 0
    for cell in cells:
        code = [line.rstrip() for line in cell.code.splitlines()]
        n = len(code)
        for p in range(cursor, len(lines) - n + 1):
            if lines[p:p + n] == code:
                spans[cell.index] = (p, p + n)
                cursor = p + n
                break
    starts = sorted(start for start, _ in spans.values()) + [len(lines)]
    out: dict[int, str] = {}
    for index, (_, end) in spans.items():
        stop = min(s for s in starts if s >= end)
        q = end
        while q < stop and lines[q].strip():
            q += 1
        out[index] = "\n".join(lines[end:q])
    return out


def clean_expected(text: str) -> str:
    return "\n".join(line for line in text.splitlines()
                     if not any(rx.match(line.strip()) for rx in _NOISE))


def expected_error_name(text: str) -> str | None:
    m = re.match(r"^\s*([A-Za-z_][\w.]*(?:Error|Exception|Warning))\b", text)
    return m.group(1).rsplit(".", 1)[-1] if m else None


def _tokens(text: str) -> list[str | float]:
    out: list[str | float] = []
    pos = 0
    for m in _NUMBER.finditer(text):
        prev = text[pos:m.start()]
        # a number glued to a word (float32, id=0x...) is part of the word
        if prev and (prev[-1].isalpha() or prev[-1] == "_"):
            out.append(prev + m.group())
        else:
            out.append(prev)
            out.append(float(m.group()))
        pos = m.end()
    out.append(text[pos:])
    merged: list[str | float] = []
    for t in out:
        if isinstance(t, str):
            t = re.sub(r"\s+", "", t)
            if merged and isinstance(merged[-1], str):
                merged[-1] += t
                continue
        merged.append(t)
    return [t for t in merged if t != ""]


def outputs_match(got: str, want: str, rtol: float = 1e-5, atol: float = 1e-6) -> bool:
    """Equal up to whitespace, with numbers compared to float32 rounding."""
    a, b = _tokens(got), _tokens(want)
    if len(a) != len(b):
        return False
    for x, y in zip(a, b):
        if isinstance(x, float) and isinstance(y, float):
            if np.isnan(x) and np.isnan(y):
                continue
            if not abs(x - y) <= atol + rtol * abs(y):
                return False
        elif x != y:
            return False
    return True
