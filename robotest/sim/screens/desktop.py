"""The desktop: labelled icons (double click opens), windows, a taskbar with Start and clock.

Also the two things that float above it: the Start menu, and the "Updates are ready"
popup that the ``update_popup`` fault makes appear at a seeded moment.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Hashable
from dataclasses import dataclass

from PIL import Image

from robotest.sim.icons import ICON_SIZE, load_icon
from robotest.sim.paint import Box, Painter
from robotest.sim.screens.base import Machine, Screen
from robotest.sim.screens.settings import SettingsWindow
from robotest.sim.screens.terminal import TerminalWindow
from robotest.sim.screens.windows import BrowserWindow, FilesWindow, RecycleBinWindow, Window

TASKBAR_H = 52
TASKBAR_TOP = 1080 - TASKBAR_H
START_BUTTON = (0, TASKBAR_TOP, 140, 1080)
ICON_X, ICON_Y, ICON_STEP = 58, 40, 130

WINDOWS: dict[str, Callable[[Machine], Window]] = {
    "terminal": TerminalWindow,
    "settings": SettingsWindow,
    "files": FilesWindow,
    "browser": BrowserWindow,
    "recycle_bin": RecycleBinWindow,
}

DESKTOP_ICONS = (
    ("terminal", "Terminal"),
    ("settings", "Settings"),
    ("files", "Files"),
    ("browser", "Browser"),
    ("recycle_bin", "Recycle Bin"),
)

START_ITEMS = ("Terminal", "Settings", "Files", "Browser", "Restart", "Shut down")
START_MENU = (0, TASKBAR_TOP - 60 * len(START_ITEMS) - 20, 420, TASKBAR_TOP)

POPUP = (620, 390, 1300, 650)
POPUP_RESTART = (760, 560, 990, 616)
POPUP_LATER = (1030, 560, 1200, 616)
POPUP_TITLE = "Updates are ready"


def _inside(box: Box, x: int, y: int) -> bool:
    return box[0] <= x < box[2] and box[1] <= y < box[3]


def icon_box(index: int) -> Box:
    """Screen box of desktop icon *index* (the 64x64 artwork)."""
    y = ICON_Y + index * ICON_STEP
    return (ICON_X, y, ICON_X + ICON_SIZE, y + ICON_SIZE)


@dataclass
class Popup:
    """The update popup: shown at ``due`` once per boot, dismissed with Later, Esc or Enter."""

    due: float
    shown: bool = False
    done: bool = False


class DesktopScreen(Screen):
    name = "desktop"
    shows_pointer = True

    def __init__(self, machine: Machine) -> None:
        super().__init__(machine)
        self.windows: list[Window] = []  # last one has the focus
        self.selected_icon: int | None = None
        self.start_open = False
        self.popup: Popup | None = None
        faults = machine.image.faults
        if faults.update_popup:
            low, high = faults.update_popup_window
            self.popup = Popup(due=machine.now + machine.random_delay(low, high))
            self.due = self.popup.due

    # -- state ----------------------------------------------------------------------
    @property
    def state(self) -> str:
        if self.popup_visible:
            return "update_popup"
        if self.start_open:
            return "start_menu"
        return self.windows[-1].kind if self.windows else "desktop"

    @property
    def popup_visible(self) -> bool:
        return self.popup is not None and self.popup.shown and not self.popup.done

    @property
    def focused(self) -> Window | None:
        return self.windows[-1] if self.windows else None

    def expire(self) -> None:
        if self.popup is not None:
            self.popup.shown = True
        self.due = None

    def open(self, kind: str) -> None:
        """Open the window of *kind*, or bring it to the front when already open."""
        for window in self.windows:
            if window.kind == kind:
                self.windows.remove(window)
                self.windows.append(window)
                return
        self.windows.append(WINDOWS[kind](self.machine))

    def _tidy(self) -> None:
        self.windows = [window for window in self.windows if not window.closed]

    # -- input ----------------------------------------------------------------------
    def key_down(self, key: str) -> None:
        modifiers = self.machine.modifiers
        if key == "Power":
            self.machine.enter("shutdown")
        elif self.popup_visible:
            if key in ("Esc", "Enter"):
                self._dismiss_popup()
        elif key == "Win":
            self.start_open = not self.start_open
        elif self.start_open:
            if key == "Esc":
                self.start_open = False
        elif key == "F4" and "Alt" in modifiers:
            if self.focused is not None:
                self.focused.close()
        elif self.focused is not None:
            self.focused.key_down(key)
        elif key == "Enter" and self.selected_icon is not None:
            self.open(DESKTOP_ICONS[self.selected_icon][0])
        self._tidy()

    def click(self, x: int, y: int, button: str) -> None:
        if button != "left":
            return
        if self.popup_visible:
            if _inside(POPUP_LATER, x, y):
                self._dismiss_popup()
            elif _inside(POPUP_RESTART, x, y):
                self._dismiss_popup()
                self.machine.enter("restart")
            return
        if self.start_open:
            self.start_open = False
            if _inside(START_MENU, x, y):
                self._start_item((y - START_MENU[1] - 10) // 60)
                self._tidy()
                return
        if _inside(START_BUTTON, x, y):
            self.start_open = True
            return
        for window in reversed(self.windows):
            if window.contains(x, y):
                self.windows.remove(window)
                self.windows.append(window)
                window.click(x, y)
                self._tidy()
                return
        self.selected_icon = self._icon_at(x, y)

    def double_click(self, x: int, y: int) -> None:
        if self.popup_visible or self.start_open or any(w.contains(x, y) for w in self.windows):
            self.click(x, y, "left")
            return
        index = self._icon_at(x, y)
        self.selected_icon = index
        if index is not None:
            self.open(DESKTOP_ICONS[index][0])

    def scroll(self, dy: int) -> None:
        if self.focused is not None and not self.popup_visible:
            self.focused.scroll(dy)

    def _icon_at(self, x: int, y: int) -> int | None:
        for index in range(len(DESKTOP_ICONS)):
            x0, y0, x1, y1 = icon_box(index)
            if x0 - 30 <= x < x1 + 30 and y0 - 6 <= y < y1 + 40:
                return index
        return None

    def _start_item(self, index: int) -> None:
        if not 0 <= index < len(START_ITEMS):
            return
        item = START_ITEMS[index]
        if item == "Restart":
            self.machine.enter("restart")
        elif item == "Shut down":
            self.machine.enter("shutdown")
        else:
            self.open(item.lower())

    def _dismiss_popup(self) -> None:
        if self.popup is not None:
            self.popup.done = True

    # -- drawing --------------------------------------------------------------------
    def clock_token(self, now: float) -> Hashable:
        return self.machine.time_of_day(now).strftime("%H:%M")

    def draw(self, painter: Painter, now: float) -> None:
        self._draw_wallpaper(painter)
        self._draw_icons(painter)
        for window in self.windows:
            window.draw(painter, focused=window is self.focused and not self.start_open)
        self._draw_taskbar(painter, now)
        if self.start_open:
            self._draw_start_menu(painter)
        if self.popup_visible:
            self._draw_popup(painter)

    def _draw_wallpaper(self, painter: Painter) -> None:
        painter.paste(_wallpaper(), (0, 0))

    def _draw_icons(self, painter: Painter) -> None:
        theme = self.machine.image.shown_icon_theme
        for index, (name, label) in enumerate(DESKTOP_ICONS):
            x0, y0, x1, y1 = icon_box(index)
            if index == self.selected_icon:
                painter.rect((x0 - 34, y0 - 8, x1 + 34, y1 + 44), fill=(60, 100, 150))
            painter.paste(load_icon(name, theme), (x0, y0))
            centre = ((x0 + x1) // 2, y1 + 20)
            painter.text(
                (centre[0] + 1, centre[1] + 1), label, size=20, color=(0, 0, 0), anchor="mm"
            )
            painter.text(centre, label, size=20, anchor="mm")

    def _draw_taskbar(self, painter: Painter, now: float) -> None:
        painter.rect((0, TASKBAR_TOP, 1920, 1080), fill=(28, 32, 42))
        start_fill = (70, 80, 100) if self.start_open else (40, 46, 60)
        painter.rect(START_BUTTON, fill=start_fill)
        for dx, dy in ((0, 0), (14, 0), (0, 14), (14, 14)):
            painter.rect(
                (16 + dx, TASKBAR_TOP + 13 + dy, 28 + dx, TASKBAR_TOP + 25 + dy),
                fill=(90, 170, 240),
            )
        painter.text((54, TASKBAR_TOP + TASKBAR_H // 2), "Start", size=22, anchor="lm")
        for index, window in enumerate(self.windows):
            x = 160 + index * 210
            fill = (70, 80, 100) if window is self.focused else (44, 50, 64)
            painter.rect((x, TASKBAR_TOP + 4, x + 200, 1076), fill=fill)
            painter.text(
                (x + 100, TASKBAR_TOP + TASKBAR_H // 2), window.title, size=20, anchor="mm"
            )
        clock = self.machine.time_of_day(now)
        painter.text((1840, TASKBAR_TOP + 15), clock.strftime("%H:%M"), size=20, anchor="mm")
        painter.text((1840, TASKBAR_TOP + 38), clock.strftime("%Y-%m-%d"), size=16, anchor="mm")

    def _draw_start_menu(self, painter: Painter) -> None:
        painter.rect(START_MENU, fill=(36, 40, 52), outline=(90, 100, 120))
        for index, item in enumerate(START_ITEMS):
            y = START_MENU[1] + 10 + index * 60 + 30
            painter.text((40, y), item, size=26, anchor="lm")

    def _draw_popup(self, painter: Painter) -> None:
        painter.rect((POPUP[0] + 8, POPUP[1] + 8, POPUP[2] + 8, POPUP[3] + 8), fill=(20, 24, 32))
        painter.rect(POPUP, fill=(255, 255, 255), outline=(30, 100, 200), width=3)
        painter.text(
            (POPUP[0] + 40, POPUP[1] + 40), POPUP_TITLE, size=32, face="bold", color=(20, 20, 24)
        )
        painter.text(
            (POPUP[0] + 40, POPUP[1] + 100),
            "Restart now to finish installing updates.",
            size=24,
            color=(40, 40, 48),
        )
        painter.rect(POPUP_RESTART, fill=(30, 100, 200))
        painter.text(_centre(POPUP_RESTART), "Restart now", size=24, anchor="mm")
        painter.rect(POPUP_LATER, fill=(225, 228, 234))
        painter.text(_centre(POPUP_LATER), "Later", size=24, color=(20, 20, 24), anchor="mm")


@functools.cache
def _wallpaper() -> Image.Image:
    """Dark blue at the top left (under the icons), light swells at the bottom right."""
    painter = Painter()
    painter.vertical_gradient((0, 0, 1920, TASKBAR_TOP), (16, 42, 84), (34, 92, 140))
    painter.ellipse((1150, 560, 2700, 1700), fill=(150, 190, 222))
    painter.ellipse((1420, 720, 2500, 1500), fill=(206, 226, 242))
    return painter.image


def _centre(box: Box) -> tuple[int, int]:
    return ((box[0] + box[2]) // 2, (box[1] + box[3]) // 2)
