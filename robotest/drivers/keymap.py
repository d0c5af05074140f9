"""A laptop model's keymap: canonical key name to actuator index.

Each laptop model has its own layout, so each station file carries one. Keys are
physical: ``"A"`` and ``"a"`` are the same key (typing a capital is Shift plus the
key, which the runtime decides, not the keymap).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from robotest.drivers.errors import StationConfigError, UnmappedKey
from robotest.keys import canonical_key


def _physical(key: str) -> str:
    return key.lower() if len(key) == 1 else key


class Keymap:
    """Key name to actuator index, validated against :mod:`robotest.keys`."""

    def __init__(self, mapping: Mapping[str, int], source: str = "keymap") -> None:
        self.source = source
        self._index: dict[str, int] = {}
        owners: dict[int, str] = {}
        for name, index in mapping.items():
            key = canonical_key(name)
            if key is None:
                raise StationConfigError(f"{source}: {name!r} is not a key name")
            if not isinstance(index, int) or isinstance(index, bool) or not 0 <= index < 128:
                raise StationConfigError(
                    f"{source}: key {name!r} maps to {index!r}; actuator indices are 0 to 127"
                )
            if index in owners:
                raise StationConfigError(
                    f"{source}: keys {owners[index]!r} and {name!r} share actuator {index}"
                )
            owners[index] = name
            self._index[_physical(key)] = index
        self._names = {index: key for key, index in self._index.items()}

    def actuator(self, key: str) -> int:
        canonical = canonical_key(key)
        index = self._index.get(_physical(canonical)) if canonical else None
        if index is None:
            raise UnmappedKey(f"key {key!r} has no actuator on this laptop model ({self.source})")
        return index

    def actuators(self, chord: Iterable[str]) -> tuple[int, ...]:
        return tuple(self.actuator(key) for key in chord)

    def key(self, index: int) -> str | None:
        """The key above actuator *index* (None for an unused actuator)."""
        return self._names.get(index)

    def describe(self, index: int) -> str:
        name = self.key(index)
        return f"key {name} (actuator {index})" if name else f"actuator {index}"

    @property
    def size(self) -> int:
        return max(self._names, default=-1) + 1

    def items(self) -> list[tuple[str, int]]:
        return sorted(self._index.items(), key=lambda item: item[1])


_DEFAULT_ROWS: tuple[tuple[str, ...], ...] = (
    ("Esc", *(f"F{i}" for i in range(1, 13)), "PrintScreen", "Insert", "Delete", "Power"),
    tuple("`1234567890-=") + ("Backspace",),
    ("Tab", *"qwertyuiop[]\\"),
    ("CapsLock", *"asdfghjkl;'", "Enter"),
    ("Shift", *"zxcvbnm,./"),
    ("Ctrl", "Fn", "Win", "Alt", "Space", "Left", "Up", "Down", "Right"),
    ("Home", "End", "PageUp", "PageDown"),
)


def default_keymap() -> Keymap:
    """The built-in layout (a US laptop keyboard), used by the ``sim`` station."""
    keys = [key for row in _DEFAULT_ROWS for key in row]
    return Keymap({key: index for index, key in enumerate(keys)}, source="built-in keymap")


_SHIFTED = dict(zip('~!@#$%^&*()_+{}|:"<>?', "`1234567890-=[]\\;',./", strict=True))


def chord_for_character(char: str) -> tuple[str, ...]:
    """The physical chord that types *char* on a US layout: ``"A"`` is Shift+a, ``"!"`` Shift+1.

    Raises UnmappedKey for a character no key types (the runtime's ``type`` uses this).
    """
    if len(char) != 1:
        raise ValueError(f"one character expected, got {char!r}")
    if char == " ":
        return ("Space",)
    if char == "\n":
        return ("Enter",)
    if char == "\t":
        return ("Tab",)
    if "A" <= char <= "Z":
        return ("Shift", char.lower())
    if char in _SHIFTED:
        return ("Shift", _SHIFTED[char])
    if char.isascii() and char.isprintable():
        return (char,)
    raise UnmappedKey(f"character {char!r} cannot be typed on a US keyboard")
