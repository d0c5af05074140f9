"""The Settings window: an About page (edition, version, OS build) and a Devices page."""

from __future__ import annotations

from robotest.sim.paint import Painter
from robotest.sim.screens.base import Machine
from robotest.sim.screens.windows import TEXT, Window

PAGES = ("About", "Devices")
NAV_W = 260
ROW_H = 50


class SettingsWindow(Window):
    kind = "settings"
    title = "Settings"
    origin = (480, 130)
    size = (1160, 720)

    def __init__(self, machine: Machine) -> None:
        super().__init__(machine)
        self.page = "About"

    def nav_box(self, index: int) -> tuple[int, int, int, int]:
        x0, y0, _, _ = self.body
        top = y0 + 30 + index * 60
        return (x0 + 10, top, x0 + NAV_W - 10, top + 52)

    def click_body(self, x: int, y: int) -> None:
        for index, page in enumerate(PAGES):
            bx0, by0, bx1, by1 = self.nav_box(index)
            if bx0 <= x < bx1 and by0 <= y < by1:
                self.page = page

    def key_down(self, key: str) -> None:
        if key in ("Up", "Down", "Tab"):
            step = -1 if key == "Up" else 1
            self.page = PAGES[(PAGES.index(self.page) + step) % len(PAGES)]

    def rows(self) -> list[tuple[str, str]]:
        image = self.machine.image
        if self.page == "About":
            return [
                ("Device name", image.hostname),
                ("Product", image.model),
                ("Processor", image.cpu),
                ("Installed RAM", f"{image.memory_mb / 1024:.1f} GB"),
                ("Serial number", image.serial),
                ("Edition", image.edition),
                ("Version", image.os_version),
                ("OS build", image.shown_build),
            ]
        return [(device.category, device.name) for device in image.present_devices]

    def draw_body(self, painter: Painter) -> None:
        x0, y0, x1, y1 = self.body
        painter.rect(self.body, fill=(255, 255, 255))
        painter.rect((x0, y0, x0 + NAV_W, y1), fill=(238, 240, 245))
        for index, page in enumerate(PAGES):
            box = self.nav_box(index)
            if page == self.page:
                painter.rect(box, fill=(208, 222, 244))
                painter.rect((box[0], box[1] + 10, box[0] + 5, box[3] - 10), fill=(30, 100, 200))
            painter.text(
                (box[0] + 24, (box[1] + box[3]) // 2), page, size=24, color=TEXT, anchor="lm"
            )
        left = x0 + NAV_W + 50
        painter.text((left, y0 + 34), self.page, size=36, face="bold", color=TEXT)
        for index, (label, value) in enumerate(self.rows()):
            y = y0 + 130 + index * ROW_H
            painter.text((left, y), label, size=24, color=(90, 90, 100), anchor="lm")
            painter.text((left + 250, y), value, size=24, color=TEXT, anchor="lm")
