"""The F12 boot menu: the boot order plus Enter Setup; Esc continues the normal boot."""

from __future__ import annotations

from robotest.sim.paint import Painter
from robotest.sim.screens.base import Machine, Screen

SETUP_ITEM = "Enter Setup"


class BootMenuScreen(Screen):
    name = "boot_menu"

    def __init__(self, machine: Machine) -> None:
        super().__init__(machine)
        self.items = [*machine.image.boot_order, SETUP_ITEM]
        self.row = 0

    def key_down(self, key: str) -> None:
        if key in ("Up", "Down"):
            self.row = (self.row + (1 if key == "Down" else -1)) % len(self.items)
        elif key == "Esc":
            self.machine.enter("os_boot")
        elif key == "Enter":
            chosen = self.items[self.row]
            if chosen == SETUP_ITEM:
                self.machine.enter("bios")
            elif self.row == 0:
                self.machine.enter("os_boot")
            else:
                self.machine.enter("no_boot_device")

    def draw(self, painter: Painter, now: float) -> None:
        top = 280
        bottom = top + 110 + 56 * len(self.items) + 60
        painter.rect(
            (500, top, 1420, bottom), fill=(200, 200, 200), outline=(255, 255, 255), width=3
        )
        painter.rect((500, top, 1420, top + 60), fill=(0, 0, 168))
        painter.text((960, top + 30), "Boot Menu", size=32, face="bold", anchor="mm")
        for index, item in enumerate(self.items):
            y = top + 110 + index * 56
            selected = index == self.row
            if selected:
                painter.rect((530, y - 24, 1390, y + 24), fill=(0, 0, 120))
            colour = (255, 255, 255) if selected else (0, 0, 0)
            painter.text((560, y), item, size=28, color=colour, anchor="lm")
        painter.text(
            (960, bottom - 34),
            "\u2191\u2193 Select    Enter Boot    Esc Exit",
            size=24,
            color=(0, 0, 0),
            anchor="mm",
        )
