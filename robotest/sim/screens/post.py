"""The power-on self test: the vendor logo and the Setup / Boot Menu prompts, for a few seconds."""

from __future__ import annotations

from robotest.sim.paint import Painter
from robotest.sim.screens.base import Machine, Screen


class PostScreen(Screen):
    """POST: F2 enters BIOS setup, F12 the boot menu; otherwise the OS boots when it ends."""

    name = "post"

    def __init__(self, machine: Machine) -> None:
        super().__init__(machine)
        self.due = machine.now + machine.image.post_seconds

    def expire(self) -> None:
        self.machine.enter("os_boot")

    def key_down(self, key: str) -> None:
        if key == "F2":
            self.machine.enter("bios")
        elif key == "F12":
            self.machine.enter("boot_menu")

    def draw(self, painter: Painter, now: float) -> None:
        vendor = self.machine.image.vendor.upper()
        width = painter.text_width(vendor, size=120, face="bold")
        box = (960 - width // 2 - 60, 330, 960 + width // 2 + 60, 530)
        painter.rounded(box, 24, fill=(200, 16, 46))
        painter.text((960, 430), vendor, size=120, face="bold", anchor="mm")
        painter.text(
            (960, 580), self.machine.image.model, size=32, color=(190, 190, 190), anchor="mm"
        )
        painter.text((80, 940), "Press F2 to enter Setup", size=30, color=(235, 235, 235))
        painter.text((80, 990), "F12 Boot Menu", size=30, color=(235, 235, 235))
