"""Frontend errors: typed, located at the user's file:line:col with a caret, with a hint."""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol


class _HasSource(Protocol):
    """What ``located`` needs of a ``ParsedFunction`` (a protocol, so source.py can import us)."""

    filename: str
    source_lines: Sequence[str]


class FrontendError(Exception):
    """Base of the frontend's errors. ``lineno`` is 1-based; ``col_offset`` is 0-based and in
    characters (AST columns are UTF-8 bytes); the message prints ``col_offset + 1``, as
    compilers and editors count columns."""

    def __init__(self, message: str, hint: str | None = None, *, filename: str | None = None,
                 lineno: int | None = None, col_offset: int | None = None,
                 source_line: str | None = None, width: int = 1):
        self.message, self.hint, self.filename = message, hint, filename
        self.lineno, self.col_offset = lineno, col_offset
        super().__init__(_format(self, source_line, width))

    @classmethod
    def located(cls, message: str, node: Any, parsed: _HasSource, hint: str | None = None):
        """The error at ``node``'s position (a gast or ast node) in ``parsed``'s file."""
        lineno = getattr(node, "lineno", None)
        if lineno is None or not 0 < lineno <= len(parsed.source_lines):
            return cls(message, hint, filename=parsed.filename, lineno=lineno)
        line = parsed.source_lines[lineno - 1].rstrip("\r\n")
        start = _char_column(line, node.col_offset)
        same_line = getattr(node, "end_lineno", None) == lineno
        end = _char_column(line, node.end_col_offset) if same_line else len(line)
        return cls(message, hint, filename=parsed.filename, lineno=lineno, col_offset=start,
                   source_line=line, width=max(1, end - start))


def _char_column(line: str, byte_offset: int) -> int:
    """AST columns count UTF-8 bytes; carets and printed columns count characters."""
    return len(line.encode("utf-8")[:byte_offset].decode("utf-8", errors="ignore"))


def _format(error: FrontendError, source_line: str | None, width: int) -> str:
    """``file:line:col: message``, the source line, a caret under the construct, the hint."""
    where = [str(part) for part in (error.filename, error.lineno) if part is not None]
    if error.col_offset is not None:
        where.append(str(error.col_offset + 1))
    text = f"{':'.join(where)}: {error.message}" if where else error.message
    if source_line is not None and error.col_offset is not None:
        # The line is shown dedented, as Python's tracebacks show it; tabs are kept in the
        # caret's indent so it lines up however the terminal expands them.
        code = source_line.lstrip()
        before = code[:max(0, error.col_offset - (len(source_line) - len(code)))]
        indent = "".join(c if c == "\t" else " " for c in before)
        text += f"\n    {code}\n    {indent}{'^' * width}"
    if error.hint:
        text += f"\nhint: {error.hint}"
    return text


class UnsupportedSyntaxError(FrontendError, NotImplementedError):
    """Valid Python that axc cannot transform. A ``NotImplementedError``, not a ``SyntaxError``:
    the code is legal and runs untransformed, so it must not look like a parse failure (and
    tools treat ``SyntaxError`` specially, reprinting its own offset); the limit is axc's."""


class SourceUnavailableError(FrontendError, TypeError):
    """The object has no Python source axc can read (a builtin, a partial, code from ``exec``).
    A ``TypeError`` because, as in JAX, passing the wrong kind of callable is a type error."""
