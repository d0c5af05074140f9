"""The Terminal window: a prompt and a handful of commands answered from the product image."""

from __future__ import annotations

from robotest.sim.paint import Painter
from robotest.sim.screens.base import Machine, typed_character
from robotest.sim.screens.windows import Window

LINE_H = 28
FONT_SIZE = 22
MAX_INPUT = 200


class TerminalWindow(Window):
    kind = "terminal"
    title = "Terminal"
    origin = (420, 110)
    size = (1080, 660)

    def __init__(self, machine: Machine) -> None:
        super().__init__(machine)
        self.lines: list[str] = []
        self.typed = ""
        self.scrolled = 0

    @property
    def prompt(self) -> str:
        image = self.machine.image
        return f"{image.user}@{image.hostname}:~$ "

    @property
    def visible_lines(self) -> int:
        return (self.size[1] - 44 - 24) // LINE_H

    def key_down(self, key: str) -> None:
        self.scrolled = 0
        if key == "Enter":
            command = self.typed
            self.lines.append(self.prompt + command)
            self.typed = ""
            self.run(command.strip())
        elif key == "Backspace":
            self.typed = self.typed[:-1]
        elif key == "l" and "Ctrl" in self.machine.modifiers:
            self.lines.clear()
        elif key == "c" and "Ctrl" in self.machine.modifiers:
            self.lines.append(self.prompt + self.typed + "^C")
            self.typed = ""
        else:
            char = typed_character(key, self.machine.modifiers)
            if char is not None and len(self.typed) < MAX_INPUT:
                self.typed += char

    def scroll(self, dy: int) -> None:
        most = max(0, len(self.lines) + 1 - self.visible_lines)
        self.scrolled = max(0, min(most, self.scrolled + dy))

    def run(self, command: str) -> None:
        """Run one command line: print its output, or act (reboot, shutdown, exit)."""
        image = self.machine.image
        word, _, rest = command.partition(" ")
        if not command:
            return
        if command == "uname -a":
            self.lines.append(
                f"{image.os_name} {image.hostname} {image.kernel} #1 SMP "
                f"{image.edition} {image.os_version} build {image.shown_build} x86_64"
            )
        elif word == "uname" and not rest:
            self.lines.append(image.os_name)
        elif word == "bios-version":
            self.lines.append(f"BIOS Version: {image.shown_bios_version}")
            self.lines.append(f"EC Version: {image.ec_version}")
        elif word == "lsdev":
            for device in image.present_devices:
                self.lines.append(f"{device.category:<12}{device.name}")
        elif word == "battery":
            self.lines.append(f"Battery: {image.battery_percent}% ({image.battery_status})")
        elif word == "echo":
            self.lines.append(rest)
        elif word == "clear":
            self.lines.clear()
        elif word == "reboot":
            self.machine.enter("restart")
        elif word == "shutdown":
            self.machine.enter("shutdown")
        elif word == "exit":
            self.close()
        else:
            self.lines.append(f"{word}: command not found")

    def draw_body(self, painter: Painter) -> None:
        x0, y0, x1, y1 = self.body
        painter.rect(self.body, fill=(16, 16, 18))
        rows = [*self.lines, self.prompt + self.typed]
        end = len(rows) - self.scrolled
        shown = rows[max(0, end - self.visible_lines) : end]
        for index, line in enumerate(shown):
            y = y0 + 14 + index * LINE_H
            painter.text((x0 + 16, y), line, size=FONT_SIZE, color=(225, 225, 225), face="mono")
        if self.scrolled == 0:
            cursor_x = x0 + 16 + painter.text_width(rows[-1], size=FONT_SIZE, face="mono")
            cursor_y = y0 + 14 + (len(shown) - 1) * LINE_H
            painter.rect(
                (cursor_x + 2, cursor_y + 2, cursor_x + 13, cursor_y + 25), fill=(200, 200, 200)
            )
