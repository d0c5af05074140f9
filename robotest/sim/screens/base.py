"""What every screen of the simulated laptop is, and what it may ask of the laptop.

A screen handles input (key-down, clicks, scroll), may expire at a time of its own
(``due``: the end of POST, of the OS boot...), and draws itself on a :class:`Painter`.
Screens never import each other: they ask the laptop to ``enter("name", ...)``.
"""

from __future__ import annotations

from collections.abc import Hashable
from datetime import datetime
from typing import Any, Protocol

from robotest.sim.image import ProductImage
from robotest.sim.paint import Painter


class Machine(Protocol):
    """The laptop as its screens see it."""

    image: ProductImage
    firmware: dict[str, bool]
    """Saved firmware (BIOS) settings, kept across reboots."""

    @property
    def now(self) -> float: ...

    @property
    def modifiers(self) -> frozenset[str]: ...

    def enter(self, name: str, **options: Any) -> None: ...

    def time_of_day(self, now: float | None = None) -> datetime: ...

    def random_delay(self, low: float, high: float) -> float: ...


class Screen:
    """Base screen: ignores all input, never expires, draws black."""

    name = "screen"
    shows_pointer = False
    """The mouse pointer is drawn over this screen (OS screens only)."""

    def __init__(self, machine: Machine) -> None:
        self.machine = machine
        self.due: float | None = None

    @property
    def state(self) -> str:
        """The state name reported by ``SimLaptop.state`` (the screen, or its open dialog)."""
        return self.name

    def expire(self) -> None:
        """Called once the clock has reached ``due``."""

    def key_down(self, key: str) -> None:
        """A key went down (canonical name; modifiers in ``machine.modifiers``)."""

    def click(self, x: int, y: int, button: str) -> None:
        """A button went down at screen pixel (x, y)."""

    def double_click(self, x: int, y: int) -> None:
        """A second left click close in time and place to the first."""
        self.click(x, y, "left")

    def scroll(self, dy: int) -> None:
        """The wheel turned: positive *dy* scrolls the content up (towards its start)."""

    def clock_token(self, now: float) -> Hashable:
        """Changes whenever time alone changes what this screen shows (minute, progress)."""
        return None

    def draw(self, painter: Painter, now: float) -> None:
        """Draw the screen (the painter starts black)."""


SHIFTED = dict(zip("1234567890-=[];'`\\,./", '!@#$%^&*()_+{}:"~|<>?', strict=True))


def typed_character(key: str, modifiers: frozenset[str]) -> str | None:
    """The character a key types (Shift applied), or None for a non-printing key."""
    if key == "Space":
        return " "
    if len(key) != 1:
        return None
    shift = "Shift" in modifiers
    if key.isalpha():
        return key.upper() if shift != ("CapsLock" in modifiers) else key.lower()
    return SHIFTED.get(key, key) if shift else key
