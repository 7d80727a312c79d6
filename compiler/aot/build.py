"""``axc compile``: build every function of a module into OUTDIR, all or nothing.

Everything is written to a temporary folder beside OUTDIR and renamed into place at the end,
so a failure leaves no partial output that looks complete (an earlier OUTDIR stays as it
was). An existing OUTDIR is replaced only when it is empty or an earlier ``axc compile``
output (it holds a ``manifest.json``).
"""
from __future__ import annotations

import hashlib
import json
import os
import platform
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import llvmlite
import llvmlite.binding as llvm

from .discover import AotError, Entry, find_functions, load_module
from .emit import Built, build, target_info
from .signature import spec_text

MANIFEST = "manifest.json"
MANIFEST_VERSION = 1


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _versions() -> dict[str, str]:
    from ... import __version__
    return {"axc": __version__, "llvmlite": llvmlite.__version__,
            "llvm": ".".join(map(str, llvm.llvm_version_info)),
            "python": platform.python_version()}


def _check_outdir(outdir: Path) -> None:
    if outdir.exists() and not outdir.is_dir():
        raise AotError(f"{outdir}: output path exists and is not a directory")
    if outdir.is_dir() and any(outdir.iterdir()) and not (outdir / MANIFEST).is_file():
        raise AotError(f"{outdir}: not empty and not an axc compile output (no {MANIFEST}); "
                       f"refusing to replace it")


def _staging_dir(outdir: Path) -> Path:
    try:
        outdir.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{outdir.name}.partial-", dir=outdir.parent))
        umask = os.umask(0)
        os.umask(umask)
        staging.chmod(0o777 & ~umask)  # mkdtemp's 0700 would outlive the rename
        return staging
    except OSError as e:
        raise AotError(f"{outdir}: cannot write the output directory: {e.strerror or e}") \
            from None


def _install(staging: Path, outdir: Path) -> None:
    """Put ``staging`` at ``outdir``, moving an earlier output aside first."""
    old = None
    if outdir.exists():
        old = Path(tempfile.mkdtemp(prefix=f".{outdir.name}.old-", dir=outdir.parent))
        os.rename(outdir, old / "out")
    try:
        os.rename(staging, outdir)
    except OSError:
        if old is not None:
            os.rename(old / "out", outdir)
        raise
    finally:
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)


def _entry_record(entry: Entry, built: Built) -> dict[str, Any]:
    record: dict[str, Any] = {"kind": entry.kind,
                              "signature": None if entry.signature is None
                              else [spec_text(s) for s in entry.signature]}
    record.update(built.info)
    if entry.signature is None:
        record["note"] = "no signature: source only"
    record["artefacts"] = {name: {"sha256": sha256(data), "bytes": len(data)}
                           for name, data in built.files.items()}
    return record


def _write(folder: Path, files: dict[str, bytes]) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, data in files.items():
        (folder / name).write_bytes(data)
        paths.append(folder / name)
    return paths


def compile_module(path: str | Path, outdir: str | Path, kinds: tuple[str, ...],
                   sigs: dict[str, tuple] | None = None,
                   log: Callable[[str], None] = print) -> list[Path]:
    """Build ``path``'s axc functions into ``outdir``; returns the written paths (final).

    Parameters
    ----------
    path : path of the Python module
    outdir : output folder; ``outdir/<function>/`` per function and ``manifest.json``
    kinds : emit kinds (``emit.KINDS``)
    sigs : signatures from ``--sig`` by function name (override the decorator's)
    log : receives one progress line per function, and notes
    """
    path, outdir = Path(path), Path(outdir)
    module = load_module(path)
    entries = find_functions(module, sigs)
    if not entries:
        raise AotError(f"{path}: no axc functions found (decorate them with @axc.jit or "
                       f"@axc.signature(...), or name them with --sig)")
    _check_outdir(outdir)
    staging = _staging_dir(outdir)
    try:
        manifest = _build_all(entries, kinds, staging, log)
        manifest.update(module=str(path.resolve()), emit=list(kinds), versions=_versions(),
                        target=target_info(), manifest_version=MANIFEST_VERSION)
        data = (json.dumps(manifest, indent=2) + "\n").encode()
        (staging / MANIFEST).write_bytes(data)
        written = sorted(p.relative_to(staging) for p in staging.rglob("*") if p.is_file())
        _install(staging, outdir)
    except BaseException as e:
        shutil.rmtree(staging, ignore_errors=True)
        if isinstance(e, OSError):
            raise AotError(f"{outdir}: cannot write the output: {e}") from None
        raise
    return [outdir / p for p in written]


def _build_all(entries: list[Entry], kinds: tuple[str, ...], staging: Path,
               log: Callable[[str], None]) -> dict[str, Any]:
    functions: dict[str, Any] = {}
    for k, entry in enumerate(entries, 1):
        sig = "no signature" if entry.signature is None else \
            ", ".join(spec_text(s) for s in entry.signature)
        built = build(entry, kinds)
        _write(staging / entry.name, built.files)
        log(f"[{k}/{len(entries)}] {entry.name} ({entry.kind}; {sig}): "
            f"{', '.join(built.files) or 'nothing'}")
        if entry.signature is None and set(kinds) - {"source"}:
            log(f"note: {entry.name} has no signature, so only its source was emitted; give "
                f"one with @axc.signature(...) or --sig '{entry.name}=f32[...]'")
        functions[entry.name] = _entry_record(entry, built)
    return {"functions": functions}

