"""Build the real-programs corpus: text-mode menus and firmware, shown by the programs.

    python3 benchmarks/real_screens/programs.py /tmp/real-programs      # ~2 min
    nice -n 10 python3 benchmarks/real_screens/score.py /tmp/real-programs /tmp/robotest-main

Nothing here is drawn by robotest, and no ground truth is typed by hand:

- ``dialog`` and ``whiptail`` (Debian packages dialog, whiptail) menus and checklists,
  as firmware setup pages and text-mode installers draw them: a back title, a window
  title in the frame, a prompt, items (a tag and its value) and one highlighted item
  (whiptail's checklist highlights only the item's check box).
  Each program runs in a pseudo-terminal of COLS x ROWS; its output bytes are shown by a
  real ``xterm`` on TigerVNC's ``Xvnc`` (the fonts of ``build.py``, same tune and
  held-out split) and laid out by ``pyte``, a terminal emulator, for the ground truth:
  the character and colours of each cell;
- **SeaBIOS and iPXE** (Debian packages seabios, ipxe-qemu) in a QEMU PC, on the VGA
  text console (720x400, the VGA BIOS's 9x16 font): the boot screen, the boot menu
  behind Esc, and iPXE starting. The ground truth is the VGA text memory (0xb8000: a
  character and a colour per cell), read through QEMU's monitor while the frame is
  grabbed over VNC. All firmware screens are held out.

Categories as in ``build.py``: an item's value right of its tag is a *value beside a
label*, or a *highlighted row* when the item is the highlighted one; the back title and
the window title are *title bars*; the prompt a *terminal line*; every firmware line
a *bitmap console* line.
"""

from __future__ import annotations

import argparse
import fcntl
import os
import pty
import re
import select
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import termios
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import cv2
import numpy as np
import pyte

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE.parents[1]), str(HERE.parents[1] / "tests" / "vnc"), str(HERE)]

import content  # noqa: E402
from build import COLS, ROWS, XTERM_FONTS, Read, Scene, save, show_in_xterm  # noqa: E402
from content import labelled  # noqa: E402

ITEMS = 7
TITLES = ("Main", "Advanced", "Boot", "Security", "Chipset", "Power", "Exit")
VGA_CELL = (9, 16)
VGA_GRID = (80, 25)


def record(argv: list[str], settle: float = 0.8) -> bytes:
    """What *argv* writes to a COLS x ROWS terminal until it has been quiet *settle*
    seconds (it then waits for a key and is killed, before it clears the screen)."""
    pid, fd = pty.fork()
    if pid == 0:  # the child: the program, on the terminal
        os.environ.update(TERM="xterm", LANG="C", LC_ALL="C")
        os.execvp(argv[0], argv)
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", ROWS, COLS, 0, 0))
    os.kill(pid, signal.SIGWINCH)
    output, last = b"", time.monotonic()
    try:
        while time.monotonic() - last < settle:
            if select.select([fd], [], [], 0.1)[0]:
                output += os.read(fd, 65536)
                last = time.monotonic()
    finally:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        os.close(fd)
    return output


class RepeatingScreen(pyte.Screen):
    """pyte's screen with ECMA-48's REP (``CSI n b``: the last character n times more),
    which ncurses sends to an xterm and pyte ignores: a dialog window's frame line left
    its run of rules out, and the window title after it was placed 30 columns left of
    where xterm shows it (every reader then read the frame's rules there)."""

    last = " "

    def draw(self, data: str) -> None:
        super().draw(data)
        if data:
            self.last = data[-1]

    def repeat(self, count: int = 1, *_: object, **__: object) -> None:
        self.draw(self.last * max(1, count))


class RepeatingStream(pyte.ByteStream):
    csi = {**pyte.ByteStream.csi, "b": "repeat"}


def laid_out(output: bytes) -> pyte.Screen:
    screen = RepeatingScreen(COLS, ROWS)
    RepeatingStream(screen).feed(output)
    return screen


def row_text(screen: pyte.Screen, row: int) -> str:
    return "".join(screen.buffer[row][x].data for x in range(COLS))


def find(screen: pyte.Screen, pattern: str) -> tuple[int, re.Match[str]]:
    """The first row matching *pattern* and the match."""
    for row in range(ROWS):
        found = re.search(pattern, row_text(screen, row))
        if found:
            return row, found
    raise LookupError(f"{pattern!r} is not on the program's screen")


def menu_argv(
    program: str, widget: str, pairs: list[tuple[str, str]], chosen: int, titles: tuple[str, str]
) -> list[str]:
    back, title = titles
    argv = [program, "--backtitle", back, "--title", title]
    argv += ["--default-item", pairs[chosen][0], f"--{widget}", "Select an item", "18", "72"]
    argv.append(str(ITEMS))
    state = [] if widget == "menu" else ["off" if program == "dialog" else "OFF"]
    for tag, value in pairs:
        argv += [tag, value, *state]
    return argv


def menu_reads(
    screen: pyte.Screen,
    pairs: list[tuple[str, str]],
    titles: tuple[str, str],
    cell: tuple[int, int],
) -> list[Read]:
    """Every read of a menu, located and classified from the program's own layout."""
    width, height = cell

    def region(row: int, column: int, text: str) -> list[int]:
        return [column * width, row * height, len(text) * width, height]

    reads = []
    for title in titles:
        row, found = find(screen, re.escape(title))
        reads.append(Read("title bars", "line", title, region(row, found.start(), title)))
    row, found = find(screen, "Select an item")
    prompt = found.group()
    reads.append(Read("terminal lines", "line", prompt, region(row, found.start(), prompt)))
    shown = "\n".join(row_text(screen, row) for row in range(ROWS))
    for tag, _ in pairs:
        if shown.count(tag) != 1:
            raise RuntimeError(f"the anchor {tag!r} is not unique on the menu's screen")
    places = []
    for tag, value in pairs:
        row, found = find(screen, rf"{re.escape(tag)}\s+({re.escape(value)})")
        lit = screen.buffer[row][found.start(1)]
        places.append((tag, value, row, found.start(1), (lit.bg, lit.reverse)))
    # the highlighted item is coloured unlike the others (a checklist's items may all
    # differ from the prompt's window)
    usual = Counter(colours for *_, colours in places).most_common(1)[0][0]
    for tag, value, row, column, colours in places:
        category = "highlighted rows" if colours != usual else "values beside labels"
        reads.append(Read(category, "beside", value, region(row, column, value), tag))
    if sum(read.category == "highlighted rows" for read in reads) > 1:
        raise RuntimeError("the menu shows more than one highlighted item")
    return reads


WIDGETS = (
    ("dialog", "menu"),
    ("dialog", "checklist"),
    ("whiptail", "menu"),
    ("whiptail", "checklist"),
)


def highlighted_item(
    rng: np.random.Generator, label: str | None
) -> tuple[list[tuple[str, str]], int]:
    """A menu's items and the index of the highlighted one: at random, or the item
    labelled *label* (put among the items at a random row)."""
    pairs = labelled(rng, ITEMS)
    if label is None:
        return pairs, int(rng.integers(0, ITEMS))
    labels = [tag for tag, _ in pairs]
    chosen = labels.index(label) if label in labels else int(rng.integers(0, ITEMS))
    pairs[chosen] = (label, content.value(rng, label))
    return pairs, chosen


def menu_scenes(
    rng: np.random.Generator, temp: Path, highlights: Iterator[list[str | None]] | None = None
) -> list[tuple[Scene, np.ndarray]]:
    """Each font's four widgets; *highlights*, when given, yields for each (font,
    widget) the labels to highlight, one screen each (``None``: a random item)."""
    from vnc_servers import XvncServer

    from robotest.drivers.vnc_link import VncLink

    scenes = []
    server = XvncServer(temp).start()
    link = VncLink("127.0.0.1", server.port, server.password).open()
    try:
        for family, (xargs, split) in XTERM_FONTS.items():
            for program, widget in WIDGETS:
                for label in [None] if highlights is None else next(highlights):
                    pairs, chosen = highlighted_item(rng, label)
                    release = f"{int(rng.integers(2, 30))}.{int(rng.integers(0, 99)):02d}"
                    # no label's word in the back title: "Firmware Setup Utility" made the
                    # anchor ``Firmware`` ambiguous (menu_reads checks every anchor is unique)
                    back = f"System Setup Utility {release}"
                    titles = (back, str(rng.choice(TITLES)))
                    output = record(menu_argv(program, widget, pairs, chosen, titles))
                    colours = ("black", "white")
                    frame, cell = show_in_xterm(server, link, xargs, colours, output, temp)
                    reads = menu_reads(laid_out(output), pairs, titles, cell)
                    name = f"{program}-{widget}-{family}"
                    if label is not None:
                        name += "-" + label.lower().replace(" ", "-")
                    scenes.append((Scene(name, family, split, "framebuffer", reads), frame))
    finally:
        link.close()
        server.stop()
    return scenes


class Firmware:
    """A QEMU PC booting SeaBIOS (then iPXE) with its screen on VNC and its monitor on a
    socket, for key presses and for reading the VGA text memory."""

    MACHINE = (
        "-nodefaults -vga std -display none -boot menu=on,splash-time=60000 -m 64"
        " -no-reboot -serial none -nic user,model=e1000"
    )

    def __init__(self, folder: Path) -> None:
        from vnc_servers import free_port, wait_for_port

        qemu = shutil.which("qemu-system-x86_64")
        if qemu is None:
            raise SystemExit("QEMU is not installed (./setup.sh --dev installs qemu-system-x86)")
        self.port = free_port()
        monitor = folder / "monitor.sock"
        self.process = subprocess.Popen(
            [
                qemu,
                *self.MACHINE.split(),
                "-vnc",
                f"127.0.0.1:{self.port - 5900}",
                "-monitor",
                f"unix:{monitor},server,nowait",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        if not wait_for_port(self.port, timeout=30, process=self.process):
            raise RuntimeError("QEMU did not serve VNC")
        self.monitor = socket.socket(socket.AF_UNIX)
        self.monitor.connect(str(monitor))
        self.command("")

    def command(self, line: str) -> str:
        self.monitor.sendall(line.encode() + b"\n")
        output = b""
        self.monitor.settimeout(0.3)
        try:
            while chunk := self.monitor.recv(65536):
                output += chunk
        except TimeoutError:
            pass
        return output.decode(errors="replace")

    def text_cells(self) -> list[list[tuple[str, int]]]:
        """The VGA text console: each row's cells as (character, colour attribute)."""
        count = VGA_GRID[0] * VGA_GRID[1]
        dump = self.command(f"xp /{count}hx 0xb8000").split("0xb8000", 1)[-1]
        words = [int(word, 16) for word in re.findall(r"\b0x([0-9a-f]{4})\b", dump)][:count]
        cells = [(chr(w & 0xFF) if 32 <= w & 0xFF < 127 else " ", w >> 8) for w in words]
        return [cells[r * VGA_GRID[0] : (r + 1) * VGA_GRID[0]] for r in range(VGA_GRID[1])]

    def await_text(self, text: str, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if any(text in "".join(c for c, _ in row) for row in self.text_cells()):
                return
            time.sleep(0.3)
        raise RuntimeError(f"the firmware never showed {text!r}")

    def stop(self) -> None:
        self.monitor.close()
        self.process.kill()
        self.process.wait(timeout=10)


def console_reads(cells: list[list[tuple[str, int]]]) -> list[Read]:
    """Each line of text on the VGA console, from its first to its last character."""
    width, height = VGA_CELL
    reads = []
    for row, line in enumerate(cells):
        text = "".join(c for c, _ in line).rstrip()
        if text.strip():
            start = len(text) - len(text.lstrip())
            region = [start * width, row * height, (len(text) - start) * width, height]
            reads.append(Read("bitmap consoles", "line", text.strip(), region))
    return reads


def firmware_scenes(temp: Path) -> list[tuple[Scene, np.ndarray]]:
    from robotest.drivers.vnc_link import VncLink

    steps = [  # a scene's name, the key pressed before it, the text that shows it
        ("seabios-boot", "", "Press ESC for boot menu"),
        ("seabios-menu", "esc", "Select boot device"),
        ("ipxe-start", "1", "Open Source Network Boot Firmware"),
    ]
    firmware = Firmware(temp)
    link = VncLink("127.0.0.1", firmware.port, None).open()
    scenes = []
    try:
        for name, key, shown in steps:
            if key:
                firmware.command(f"sendkey {key}")
            firmware.await_text(shown)
            time.sleep(1.0)
            for _ in range(10):  # a frame and the text memory of the same moment
                before = firmware.text_cells()
                frame = cv2.cvtColor(link.grab(), cv2.COLOR_RGB2BGR)
                if firmware.text_cells() == before:
                    break
            if frame.shape[:2] != (VGA_GRID[1] * VGA_CELL[1], VGA_GRID[0] * VGA_CELL[0]):
                raise RuntimeError(f"the firmware's screen is {frame.shape[1]}x{frame.shape[0]}")
            scene = Scene(name, "vga-9x16", "held-out", "framebuffer", console_reads(before))
            scenes.append((scene, frame))
    finally:
        link.close()
        firmware.stop()
    return scenes


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path)
    args = parser.parse_args()
    args.folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(2027)
    with tempfile.TemporaryDirectory() as temp:
        scenes = menu_scenes(rng, Path(temp)) + firmware_scenes(Path(temp))
    save(scenes, args.folder)


if __name__ == "__main__":
    main()
