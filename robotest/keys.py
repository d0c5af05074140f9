"""Key names and key specs, shared by the language, the runtime and the keymaps.

A *key spec* is one or more keys joined by ``+`` and pressed together as a chord
(``"ctrl+alt+Delete"``); each key is a named key (case-insensitive) or one character.
"""

from __future__ import annotations

from robotest.errors import ScriptError

NAMED_KEYS: tuple[str, ...] = (
    *(f"F{i}" for i in range(1, 25)),
    "Enter",
    "Esc",
    "Tab",
    "Space",
    "Backspace",
    "Delete",
    "Insert",
    "Up",
    "Down",
    "Left",
    "Right",
    "Home",
    "End",
    "PageUp",
    "PageDown",
    "Ctrl",
    "Alt",
    "Shift",
    "Win",
    "Fn",
    "Power",
    "PrintScreen",
    "CapsLock",
)

ALIASES: dict[str, str] = {
    "control": "Ctrl",
    "escape": "Esc",
    "return": "Enter",
    "del": "Delete",
    "ins": "Insert",
    "pgup": "PageUp",
    "pgdn": "PageDown",
    "super": "Win",
    "meta": "Win",
    "prtsc": "PrintScreen",
}

# A chord presses at most this many keys together: what a USB keyboard's boot report
# holds (6 keys besides the modifiers) and the 4 modifiers (Ctrl, Alt, Shift, Win).
MAX_CHORD_KEYS = 10

_CANONICAL: dict[str, str] = {name.lower(): name for name in NAMED_KEYS}
_CANONICAL.update(ALIASES)


def canonical_key(name: str) -> str | None:
    """The canonical spelling of a named key or single character, or None if unknown."""
    if len(name) == 1:
        return name
    return _CANONICAL.get(name.lower())


def is_key_name(name: str) -> bool:
    """True when *name* is a named key (not a single character)."""
    return len(name) > 1 and name.lower() in _CANONICAL


def parse_key_spec(spec: str) -> tuple[str, ...]:
    """Split ``"ctrl+alt+Delete"`` into canonical keys; raise ScriptError if one is unknown."""
    if spec == "+":
        return ("+",)
    parts = spec.split("+", MAX_CHORD_KEYS) if len(spec) > 1 else [spec]
    if len(parts) > MAX_CHORD_KEYS:
        shown = repr(spec[:40]) + ("..." if len(spec) > 40 else "")
        raise ScriptError(
            f"key spec {shown} has more than {MAX_CHORD_KEYS} keys "
            f"(a chord has at most {MAX_CHORD_KEYS} keys pressed together)"
        )
    keys: list[str] = []
    for part in parts:
        key = canonical_key(part.strip()) if part.strip() else None
        if key is None:
            raise ScriptError(f"unknown key {part.strip()!r} in key spec {spec!r}")
        keys.append(key)
    return tuple(keys)
