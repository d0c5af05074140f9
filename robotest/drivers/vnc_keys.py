"""Key names of the robot (``robotest/keys.py``) as X keysyms, for RFB key events.

RFB sends keysyms, not key positions, and servers such as TigerVNC's give the desktop
exactly the keysym sent, adjusting Shift themselves. So a chord with Shift sends the
shifted symbol of each character key (Shift + ``a`` sends ``A``, Shift + ``1`` sends
``!``, US layout, as :func:`~robotest.drivers.chord_for_character` assumes), and the
desktop sees what the robot's physical keys would have typed.
"""

from __future__ import annotations

from collections.abc import Mapping

from robotest.drivers.errors import StationConfigError, UnmappedKey
from robotest.drivers.keymap import _SHIFTED
from robotest.keys import canonical_key

NAMED_KEYSYMS: dict[str, int] = {
    **{f"F{i}": 0xFFBE + i - 1 for i in range(1, 25)},
    "Enter": 0xFF0D,
    "Esc": 0xFF1B,
    "Tab": 0xFF09,
    "Space": 0x0020,
    "Backspace": 0xFF08,
    "Delete": 0xFFFF,
    "Insert": 0xFF63,
    "Up": 0xFF52,
    "Down": 0xFF54,
    "Left": 0xFF51,
    "Right": 0xFF53,
    "Home": 0xFF50,
    "End": 0xFF57,
    "PageUp": 0xFF55,
    "PageDown": 0xFF56,
    "Ctrl": 0xFFE3,  # Control_L
    "Alt": 0xFFE9,  # Alt_L
    "Shift": 0xFFE1,  # Shift_L
    "Win": 0xFFEB,  # Super_L
    "PrintScreen": 0xFF61,  # Print
    "CapsLock": 0xFFE5,
    "Power": 0x1008FF2A,  # XF86PowerOff
}
"""The built-in keysyms. ``Fn`` has none: the Fn key never leaves a laptop's keyboard."""

_UNSHIFTED_TO_SHIFTED = {plain: shifted for shifted, plain in _SHIFTED.items()}
MAX_KEYSYM = 0x1FFFFFFF


class VncKeys:
    """Key name to keysym, with the station file's additions (``[keysyms]``)."""

    def __init__(self, overrides: Mapping[str, int] | None = None, source: str = "keysyms") -> None:
        self._named = dict(NAMED_KEYSYMS)
        for name, keysym in (overrides or {}).items():
            key = canonical_key(name)
            if key is None:
                raise StationConfigError(f"{source}: {name!r} is not a key name")
            if isinstance(keysym, bool) or not isinstance(keysym, int):
                raise StationConfigError(f"{source}: key {name!r}: a keysym is a number")
            if not 0 < keysym <= MAX_KEYSYM:
                raise StationConfigError(f"{source}: key {name!r}: keysym {keysym:#x} is invalid")
            self._named[key.lower() if len(key) == 1 else key] = keysym

    def keysym(self, key: str, shifted: bool = False) -> int:
        """The keysym that *key* sends, with Shift held when *shifted*."""
        canonical = canonical_key(key)
        if canonical is None:
            raise UnmappedKey(f"key {key!r} is not a key name")
        if len(canonical) > 1:
            if canonical not in self._named:
                raise UnmappedKey(
                    f"key {canonical!r} has no X keysym, so a VNC station cannot press it "
                    "(add it under [keysyms] in the station file if the desktop has one)"
                )
            return self._named[canonical]
        char = canonical.lower()
        if char in self._named:
            return self._named[char]
        if shifted:
            char = char.upper() if char.isalpha() else _UNSHIFTED_TO_SHIFTED.get(char, char)
        code = ord(char)
        if not (0x20 < code < 0x7F or 0xA0 <= code <= 0xFF):
            raise UnmappedKey(f"character {canonical!r} has no key on a VNC station")
        return code

    def chord(self, chord: tuple[str, ...]) -> tuple[int, ...]:
        """The keysyms of *chord*, in order (pressed in order, released in reverse)."""
        shifted = any(canonical_key(key) == "Shift" for key in chord)
        return tuple(self.keysym(key, shifted) for key in chord)
