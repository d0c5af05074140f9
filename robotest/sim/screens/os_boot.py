"""The operating system starting: logo, "Starting ..." and a progress bar driven by the clock."""

from __future__ import annotations

from collections.abc import Hashable

from robotest.sim.paint import Painter
from robotest.sim.screens.base import Machine, Screen

STEPS = 20


class OsBootScreen(Screen):
    name = "os_boot"

    def __init__(self, machine: Machine) -> None:
        super().__init__(machine)
        self.started = machine.now
        self.duration = machine.image.effective_boot_seconds
        self.due = self.started + self.duration

    def expire(self) -> None:
        self.machine.enter("login")

    def progress_step(self, now: float) -> int:
        fraction = (now - self.started) / self.duration
        return max(0, min(STEPS, int(fraction * STEPS)))

    def clock_token(self, now: float) -> Hashable:
        return self.progress_step(now)

    def draw(self, painter: Painter, now: float) -> None:
        image = self.machine.image
        painter.vertical_gradient((0, 0, 1920, 1080), (6, 10, 24), (14, 26, 56))
        painter.ellipse((880, 300, 1040, 460), fill=(60, 140, 230))
        painter.ellipse((920, 340, 1000, 420), fill=(6, 12, 28))
        painter.text((960, 520), image.os_name, size=56, face="bold", anchor="mm")
        painter.text((960, 600), f"Starting {image.os_name}...", size=28, anchor="mm")
        step = self.progress_step(now)
        painter.rect((660, 680, 1260, 700), outline=(120, 140, 180), width=2)
        if step:
            painter.rect((662, 682, 662 + int(596 * step / STEPS), 698), fill=(60, 140, 230))
