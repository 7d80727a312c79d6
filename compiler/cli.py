"""The ``axc`` command line: ``axc compile`` and ``axc show`` (argparse front end only; the
work is in ``compiler.aot``).

Exit status: 0 on success, 1 when the work fails (a missing file, a syntax error in the
module, a function that does not compile, an unwritable output directory), 2 for a malformed
command line (an unknown option or ``--emit`` kind, a malformed ``--sig``).
"""
from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

_EMIT_DEFAULT = "source,ir,llvm,asm,obj"


def _parser() -> argparse.ArgumentParser:
    from .. import __version__
    p = argparse.ArgumentParser(prog="axc", description="axc: a source-to-source compiler "
                                "for numerical Python with JAX's programming model.")
    p.add_argument("--version", action="version", version=f"axc {__version__}")
    sub = p.add_subparsers(dest="command", metavar="COMMAND")
    _compile_parser(sub)
    _show_parser(sub)
    return p


def _compile_parser(sub: argparse._SubParsersAction) -> None:
    c = sub.add_parser(
        "compile", help="build a module's functions ahead of time",
        description="Import MODULE, find its module-level axc functions (jit, grad, vmap "
                    "objects and functions given @axc.signature) and write, per function, "
                    "OUTDIR/<function>/{source.py, ir.txt, llvm.ll, asm.s, obj.o} and "
                    "OUTDIR/manifest.json. A function without a signature is emitted as "
                    "source only.")
    c.add_argument("module", help="path of the Python module")
    c.add_argument("-o", "--outdir", help="output directory (default: ./<module>_axc); "
                   "replaced only if empty or an earlier axc compile output")
    c.add_argument("--emit", default=_EMIT_DEFAULT,
                   help=f"comma-separated artefact kinds (default: {_EMIT_DEFAULT})")
    c.add_argument("--sig", action="append", default=[], metavar="NAME=SPEC;SPEC",
                   help="argument types of a function, e.g. 'loss=f32[3];f32[4,3]' "
                        "(repeatable; overrides @axc.signature)")
    c.set_defaults(run=_run_compile, subparser=c)


def _show_parser(sub: argparse._SubParsersAction) -> None:
    s = sub.add_parser("show", help="print one function's generated form",
                       description="Print the generated source (default), IR or LLVM IR "
                                   "of one function, optionally transformed.")
    s.add_argument("target", metavar="MODULE.py:FUNCTION")
    how = s.add_mutually_exclusive_group()
    for t in ("grad", "vmap", "jit"):
        how.add_argument(f"--{t}", dest="transform", action="store_const", const=t,
                         help=f"show {t}(FUNCTION)")
    form = s.add_mutually_exclusive_group()
    form.add_argument("--ir", dest="form", action="store_const", const="ir",
                      help="the staged IR (needs a signature)")
    form.add_argument("--llvm", dest="form", action="store_const", const="llvm",
                      help="the optimised LLVM IR of its kernels (needs a signature)")
    s.add_argument("--sig", metavar="SPEC;SPEC", help="argument types, e.g. 'f32[3];i32[]'")
    s.set_defaults(form="source", run=_run_show, subparser=s)


def _run_compile(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    from .aot.build import compile_module
    from .aot.emit import parse_emit
    from .aot.signature import SignatureError, parse_sig_option
    try:
        kinds = parse_emit(args.emit)
        sigs = dict(parse_sig_option(s) for s in args.sig)
    except (ValueError, SignatureError) as e:
        parser.error(str(e))
    outdir = Path(args.outdir) if args.outdir else Path(f"{Path(args.module).stem}_axc")
    paths = compile_module(args.module, outdir, kinds, sigs, log=print)
    print(f"wrote {len(paths)} files to {outdir}:")
    for p in paths:
        print(f"  {p}")
    return 0


def _run_show(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    from .aot.show import show
    from .aot.signature import SignatureError, parse_sig_option, parse_signature
    sig = None
    try:
        if args.sig is not None:
            sig = parse_sig_option(args.sig)[1] if "=" in args.sig else \
                parse_signature(args.sig)
    except SignatureError as e:
        parser.error(str(e))
    text = show(args.target, args.transform, args.form, sig)
    sys.stdout.write(text if text.endswith("\n") else text + "\n")
    return 0


def main(argv: list[str]) -> int:
    """Run the command line on ``argv``; returns the exit code."""
    parser = _parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 0
    from .aot.discover import AotError
    try:
        return args.run(args, args.subparser)
    except AotError as e:
        print(f"axc {args.command}: error: {e}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # output piped into ``head``: stop quietly, as cat does
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141
