"""The bounds on what the compiler takes: a file's size and how deeply code nests.

Every pass of the compiler is linear in the size of its input, but some are recursive
(Python's parser building its AST, the rewriter walking nested blocks, ``compile()``
converting the tree, ``ast.unparse`` for `rtest compile`): nesting depth is bounded
explicitly, before those passes run, so that a too deeply nested file is a located
compile error, whatever the caller's own stack depth, and never a ``RecursionError``.
"""

from __future__ import annotations

import ast
import io
import os
import re
import tokenize
from dataclasses import dataclass

MAX_SOURCE_BYTES = 1_000_000
MAX_NESTING = 200  # levels of blocks and expressions (CPython allows 200 nested brackets)

NESTING_MESSAGE = (
    f"nested too deeply: more than {MAX_NESTING} levels of blocks and "
    "expressions (split it into smaller expressions, variables or functions)"
)

# A subtree is walked only when its span could hold the rest of the allowed depth:
# each level of a statement or an expression takes at least one character beside its
# children, but for a few wrappers (an expression statement and its value, f-string
# parts, a lambda's arguments...), which never come two in a row.
_LEVELS_PER_CHAR = 2
_WRAPPER_LEVELS = 8


_BOM_BYTES = 3  # a UTF-8 byte order mark, which does not count


class SourceTooLarge(Exception):
    """A `.rtest` file over :data:`MAX_SOURCE_BYTES`; the message names the limit."""


def source_size_error(source: str) -> str | None:
    """Why *source* is too large to compile, or None."""
    size = len(source) if source.isascii() else len(source.encode("utf-8", "surrogatepass"))
    return _size_message(size) if size > MAX_SOURCE_BYTES else None


def _size_message(size: int) -> str:
    return (
        f"the file is {size:,} bytes; the compiler takes at most {MAX_SOURCE_BYTES:,} "
        "(split it into modules)"
    )


def read_source(path: str | os.PathLike[str]) -> bytes:
    """A `.rtest` file's bytes, reading no more than the limit allows (SourceTooLarge)."""
    with open(path, "rb") as handle:
        data = handle.read(MAX_SOURCE_BYTES + _BOM_BYTES + 1)
        if len(data) > MAX_SOURCE_BYTES + _BOM_BYTES:
            raise SourceTooLarge(_size_message(os.fstat(handle.fileno()).st_size))
    return data


@dataclass(frozen=True)
class Place:
    """A 1-based line and 0-based column in the parsed text (in UTF-8 bytes, as ast's)."""

    line: int
    col: int


def too_deep(tree: ast.AST, text: str, depth: int = 0) -> Place | None:
    """Where *tree*, parsed from *text*, first nests deeper than :data:`MAX_NESTING`.

    Iterative, and linear in the size of the tree; an expression too short to reach the
    limit is not entered, so that a usual file costs about one visit per statement.
    *depth* is how deeply *tree* itself stands. None when it is within the limit.
    """
    line_starts = _LineStarts(text)
    # each entry: a node, its depth, and the innermost node with a position around it
    stack: list[tuple[ast.AST, int, ast.AST | None]] = [(tree, depth, None)]
    while stack:
        node, level, anchor = stack.pop()
        if hasattr(node, "lineno"):
            anchor = node
        for child in _children(node):
            if (
                hasattr(child, "end_col_offset")
                and level + 1 + _max_levels(child, line_starts) <= MAX_NESTING
            ):
                continue  # too short to hold the rest of the allowed depth
            if level >= MAX_NESTING:  # the innermost construct allowed: its inside is too deep
                return Place(anchor.lineno, anchor.col_offset) if anchor else Place(1, 0)  # type: ignore[attr-defined]
            stack.append((child, level + 1, anchor))
    return None


def _children(node: ast.AST) -> list[ast.AST]:
    children: list[ast.AST] = []
    for name in node._fields:
        value = getattr(node, name, None)
        if isinstance(value, list):
            children += [item for item in value if isinstance(item, ast.AST)]
        elif isinstance(value, ast.AST) and not isinstance(value, ast.expr_context):
            children.append(value)
    return children


class _LineStarts:
    """The offsets where *text*'s lines start, found when first asked for."""

    def __init__(self, text: str):
        self.text = text
        self.starts: list[int] | None = None

    def __getitem__(self, line: int) -> int:
        if self.starts is None:
            self.starts = [0, *(m.end() for m in re.finditer("\n", self.text))]
        return self.starts[line]


def _max_levels(node: ast.AST, line_starts: _LineStarts) -> int:
    """An upper bound on how deeply the subtree of positioned *node* can nest."""
    line, end_line = node.lineno, node.end_lineno or node.lineno  # type: ignore[attr-defined]
    end_col = node.end_col_offset or 0  # type: ignore[attr-defined]
    if line == end_line:
        span = end_col - node.col_offset  # type: ignore[attr-defined]
    else:  # columns are UTF-8 byte offsets: this over-estimates, which is safe
        span = line_starts[end_line - 1] - line_starts[line - 1] + end_col
    return _LEVELS_PER_CHAR * span + _WRAPPER_LEVELS


def locate_parser_overflow(text: str) -> Place:
    """Where Python's parser ran out of stack on *text* (it names no place itself).

    Only statements of at least :data:`MAX_NESTING` tokens, or a longer ``elif`` chain,
    can nest that deeply: each is parsed alone, and the first one too deep is the place.
    """
    candidates = _long_statements(text)
    for place, snippet in candidates:
        if snippet is None:
            return place
        try:
            tree = ast.parse(snippet)
        except (RecursionError, MemoryError):
            return place
        except SyntaxError:
            continue
        inner = too_deep(tree, snippet)
        if inner is not None:
            return Place(
                place.line + inner.line - 1, inner.col + (place.col if inner.line == 1 else 0)
            )
    return candidates[0][0] if candidates else Place(1, 0)


def _long_statements(text: str) -> list[tuple[Place, str | None]]:
    """Long logical lines (with their text, dedented) and too long ``elif`` chains (None)."""
    found: list[tuple[Place, str | None]] = []
    lines = text.split("\n")
    count, first, start = 0, None, (1, 0)
    chains: dict[int, int] = {}  # column -> elifs in a row there
    try:
        for token in tokenize.generate_tokens(io.StringIO(text).readline):
            if token.type in (
                tokenize.NL,
                tokenize.COMMENT,
                tokenize.INDENT,
                tokenize.DEDENT,
                tokenize.ENDMARKER,
            ):
                continue
            if first is None:
                start = token.start
                row, col = token.start
                first = (row, len(lines[row - 1][:col].encode("utf-8")))  # as ast counts
                if token.string == "elif":
                    chains[first[1]] = chains.get(first[1], 0) + 1
                    if chains[first[1]] == MAX_NESTING:
                        found.append((Place(*first), None))
                elif token.string != "else":
                    chains.pop(first[1], None)
            count += 1
            if token.type == tokenize.NEWLINE and first is not None:
                if count > MAX_NESTING:
                    found.append((Place(*first), _snippet(lines, start, token.start)))
                count, first = 0, None
    except (tokenize.TokenError, SyntaxError):
        pass  # Python's parser reports what tokenize stumbles on
    return found


def _snippet(lines: list[str], start: tuple[int, int], end: tuple[int, int]) -> str:
    """The logical line from *start* to *end*, dedented (its block header given a body)."""
    (line, col), (end_line, end_col) = start, end
    text = "\n".join(lines[line - 1 : end_line])[col:]
    text = text[: len(text) - (len(lines[end_line - 1]) - end_col)]
    if text.startswith("elif"):
        text = "if  " + text[4:]  # the same columns
    if text.rstrip().endswith(":"):
        text += "\n    pass"
    return text
