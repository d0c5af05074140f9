"""Duration literals: ``250ms``, ``2s``, ``1.5min``, ``1h`` in seconds."""

from __future__ import annotations

import ast
import io
import re
import tokenize

UNITS = {"ms": 0.001, "s": 1.0, "min": 60.0, "h": 3600.0}
_DURATION = re.compile(r"(\d+(?:\.\d*)?|\.\d+)(ms|min|s|h)")


def parse_duration(text: str) -> float:
    """Seconds in a duration literal; ValueError if *text* is not one."""
    match = _DURATION.fullmatch(text)
    if match is None:
        raise ValueError(f"not a duration: {text!r}")
    return float(match.group(1)) * UNITS[match.group(2)]


_CANDIDATE = re.compile(r"(?:\d|\.\d)(?:ms|min|s|h)\b")
_UNIT_WORDS = frozenset(UNITS)


def mask_durations(text: str) -> tuple[str, dict[tuple[int, int], float]]:
    """Python *text* with each duration literal replaced by zeros of the same length.

    ``enter_setup(within=2min)`` is not Python (`2min` is an invalid decimal literal), so
    each duration in Python code (not in strings or comments) becomes ``0000``: a valid
    literal of the same width, so every later position on the line is unchanged. The
    returned map says which constants, by (line, column), stand for how many seconds;
    :func:`unmask_durations` puts the seconds back after parsing.
    """
    if _CANDIDATE.search(text) is None:
        return text, {}
    lines = text.split("\n")
    seconds: dict[tuple[int, int], float] = {}
    previous: tokenize.TokenInfo | None = None
    try:
        for token in tokenize.generate_tokens(io.StringIO(text).readline):
            if (previous is not None and previous.type == tokenize.NUMBER
                    and token.type == tokenize.NAME and token.string in _UNIT_WORDS
                    and token.start == previous.end and token.start[0] == previous.start[0]):
                literal = previous.string + token.string
                if _DURATION.fullmatch(literal):
                    row, col = previous.start
                    line = lines[row - 1]
                    lines[row - 1] = line[:col] + "0" * len(literal) + line[col + len(literal):]
                    seconds[(row, col)] = parse_duration(literal)
            previous = token
    except (tokenize.TokenError, SyntaxError):
        pass  # Python's parser reports the error itself, at its place
    return "\n".join(lines), seconds


def unmask_durations(module: ast.Module, seconds: dict[tuple[int, int], float]) -> None:
    """Give the constants that :func:`mask_durations` stood in their values in seconds."""
    if not seconds:
        return
    for node in ast.walk(module):
        if isinstance(node, ast.Constant) and node.value == 0:
            value = seconds.get((node.lineno, node.col_offset))
            if value is not None:
                node.value = value
