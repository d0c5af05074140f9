"""Characters to key chords, for `type_text` on a US keyboard layout."""

from __future__ import annotations

from robotest.errors import ScriptError

_SHIFTED = dict(zip('~!@#$%^&*()_+{}|:"<>?', "`1234567890-=[]\\;',./", strict=True))
_NAMED = {"\n": "Enter", "\t": "Tab", " ": "Space", "\b": "Backspace"}
_PLAIN = set("abcdefghijklmnopqrstuvwxyz0123456789`-=[]\\;',./")


def chord_for(char: str) -> tuple[str, ...]:
    """The keys to press together to type *char* (Shift for capitals and symbols)."""
    if char in _NAMED:
        return (_NAMED[char],)
    if char in _PLAIN:
        return (char,)
    if char.isascii() and char.isupper():
        return ("Shift", char.lower())
    if char in _SHIFTED:
        return ("Shift", _SHIFTED[char])
    raise ScriptError(f"type_text cannot type {char!r} on a US keyboard")
