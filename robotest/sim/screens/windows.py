"""Application windows on the desktop: the frame every window shares, and the simple ones.

A window owns a box in screen pixels, draws a title bar with a close button, and gets
keys while it has the focus. Terminal and Settings live in their own modules.
"""

from __future__ import annotations

from robotest.sim.paint import Box, Painter
from robotest.sim.screens.base import Machine

TITLE_H = 44
TITLE_FOCUSED = (232, 236, 244)
TITLE_UNFOCUSED = (200, 204, 212)
BODY = (250, 250, 252)
TEXT = (24, 24, 28)


class Window:
    """A window: title bar, close button, body; subclasses draw the body and handle keys."""

    kind = "window"
    title = "Window"
    origin = (520, 140)
    size = (1000, 640)

    def __init__(self, machine: Machine) -> None:
        self.machine = machine
        self.closed = False

    @property
    def box(self) -> Box:
        x, y = self.origin
        w, h = self.size
        return (x, y, x + w, y + h)

    @property
    def body(self) -> Box:
        x0, y0, x1, y1 = self.box
        return (x0, y0 + TITLE_H, x1, y1)

    @property
    def close_button(self) -> Box:
        x0, y0, x1, _ = self.box
        return (x1 - 56, y0, x1, y0 + TITLE_H)

    def contains(self, x: int, y: int) -> bool:
        x0, y0, x1, y1 = self.box
        return x0 <= x < x1 and y0 <= y < y1

    def close(self) -> None:
        self.closed = True

    def click(self, x: int, y: int) -> None:
        """A left click inside the window (screen coordinates)."""
        bx0, by0, bx1, by1 = self.close_button
        if bx0 <= x < bx1 and by0 <= y < by1:
            self.close()
        else:
            self.click_body(x, y)

    def click_body(self, x: int, y: int) -> None:
        """A left click in the body."""

    def key_down(self, key: str) -> None:
        """A key while focused."""

    def scroll(self, dy: int) -> None:
        """Wheel over the focused window."""

    def draw(self, painter: Painter, focused: bool) -> None:
        x0, y0, x1, y1 = self.box
        painter.rect((x0 - 1, y0 - 1, x1, y1), outline=(60, 64, 72))
        painter.rect(
            (x0, y0, x1 - 1, y0 + TITLE_H), fill=TITLE_FOCUSED if focused else TITLE_UNFOCUSED
        )
        painter.text((x0 + 18, y0 + TITLE_H // 2), self.title, size=22, color=TEXT, anchor="lm")
        cx0, cy0, cx1, cy1 = self.close_button
        painter.text(
            ((cx0 + cx1) // 2, (cy0 + cy1) // 2), "\u2715", size=22, color=TEXT, anchor="mm"
        )
        self.draw_body(painter)

    def draw_body(self, painter: Painter) -> None:
        painter.rect(self.body, fill=BODY)


class TextWindow(Window):
    """A window that shows a heading and a few lines (Files, Browser, Recycle Bin)."""

    heading = ""
    lines: tuple[str, ...] = ()
    origin = (640, 200)
    size = (900, 560)

    def draw_body(self, painter: Painter) -> None:
        super().draw_body(painter)
        x0, y0, _, _ = self.body
        painter.text((x0 + 40, y0 + 40), self.heading, size=32, face="bold", color=TEXT)
        for index, line in enumerate(self.lines):
            painter.text((x0 + 40, y0 + 110 + index * 44), line, size=24, color=TEXT)


class FilesWindow(TextWindow):
    kind = "files"
    title = "Files"
    heading = "Home"
    lines = ("Desktop", "Documents", "Downloads", "Music", "Pictures", "Videos")


class BrowserWindow(TextWindow):
    kind = "browser"
    title = "Browser"
    heading = "No internet connection"
    lines = ("Check the network cable or the Wi-Fi connection,", "then reload the page.")


class RecycleBinWindow(TextWindow):
    kind = "recycle_bin"
    title = "Recycle Bin"
    heading = "Recycle Bin is empty"
    lines = ("Deleted files appear here.",)
    origin = (700, 260)
