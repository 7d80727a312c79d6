"""Generated source to function objects: unparse, register the text so tracebacks, debuggers
and ``inspect.getsource`` see it (so transforms re-apply), compile, attach ``.source``."""
from __future__ import annotations

import ast
import hashlib
import linecache
import os
import sys
from collections.abc import Callable
from typing import Any

from ..frontend.gast_compat import gast, to_python_ast

COMMENT_MARK = "__axc_comment__ "


def source_of(fn_ast: gast.FunctionDef) -> str:
    """Readable source: comment markers become ``#`` lines, repeated comments collapse."""
    tree = ast.fix_missing_locations(ast.Module(body=[to_python_ast(fn_ast)], type_ignores=[]))
    text = ast.unparse(tree)
    lines, last = [], None
    for line in text.splitlines():
        stripped = line.strip()
        if COMMENT_MARK in stripped and stripped[:1] in "'\"":
            indent = line[: len(line) - len(line.lstrip())]
            comment = ast.literal_eval(stripped)[len(COMMENT_MARK):]
            if comment != last:
                lines.append(f"{indent}# {comment}")
            last = comment
            continue
        lines.append(line)
    return "\n".join(lines) + "\n"


def compile_function(fn_ast: gast.FunctionDef, namespace: dict[str, Any],
                     label: str) -> Callable:
    """The function that ``fn_ast`` defines, run in ``namespace`` (with ``.source``)."""
    src = source_of(fn_ast)
    digest = hashlib.sha1(src.encode()).hexdigest()[:12]
    filename = f"<axc-generated {label} {digest}>"
    linecache.cache[filename] = (len(src), None, src.splitlines(True), filename)
    code = compile(src, filename, "exec")
    exec(code, namespace)  # noqa: S102 - running generated source is what emit is for
    fn = namespace[fn_ast.name]
    fn.source = src
    if os.environ.get("AXC_DEBUG"):
        print(f"# --- {label}\n{src}", file=sys.stderr)
    return fn


def compile_text(text: str, names: dict[str, Any], module: str) -> Callable:
    """The function that the source ``text`` defines, with ``names`` as its globals and
    ``module`` as its ``__module__`` (with ``.source``, readable by the transforms)."""
    node = gast.parse(text).body[0]
    return compile_function(node, {"__name__": module, **names}, node.name)
