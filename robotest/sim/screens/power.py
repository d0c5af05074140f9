"""Power states: off (black), "Restarting..." and "Shutting down...", no boot device."""

from __future__ import annotations

from robotest.sim.paint import Painter
from robotest.sim.screens.base import Machine, Screen


class OffScreen(Screen):
    """The laptop is off: a black screen until Power is pressed."""

    name = "off"

    def key_down(self, key: str) -> None:
        if key == "Power":
            self.machine.enter("post")


class TransitionScreen(Screen):
    """A message for a moment ("Restarting...", "Shutting down..."), then the next screen."""

    def __init__(
        self, machine: Machine, message: str, then: str, seconds: float, name: str
    ) -> None:
        super().__init__(machine)
        self.name = name
        self.message = message
        self.then = then
        self.due = machine.now + seconds

    def expire(self) -> None:
        self.machine.enter(self.then)

    def draw(self, painter: Painter, now: float) -> None:
        if not self.message:
            return
        painter.vertical_gradient((0, 0, 1920, 1080), (16, 32, 64), (8, 16, 32))
        painter.text((960, 540), self.message, size=40, anchor="mm")


class NoBootDeviceScreen(Screen):
    """Firmware found nothing to boot: any key restarts."""

    name = "no_boot_device"

    def key_down(self, key: str) -> None:
        if key != "Power":
            self.machine.enter("restart")

    def draw(self, painter: Painter, now: float) -> None:
        grey = (200, 200, 200)
        painter.text((80, 80), "No bootable device found.", size=32, color=grey, face="mono")
        painter.text(
            (80, 140),
            "Insert boot media and press any key to restart.",
            size=28,
            color=grey,
            face="mono",
        )
