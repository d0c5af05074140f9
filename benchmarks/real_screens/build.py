"""Build the real-screens corpus: frames of real programs from Debian packages.

    python3 benchmarks/real_screens/build.py /tmp/real-screens

Nothing here is drawn by robotest. Each scene is shown by a real program and captured
through robotest's VNC client:

- ``xterm`` (package xterm) on TigerVNC's ``Xvnc``, with X bitmap fonts from
  ``xfonts-base`` (6x13, 7x14, 8x13, 9x15, 10x20) and TrueType fonts through
  fontconfig (DejaVu Sans Mono, Liberation Mono), in four colour schemes, showing a
  title bar, labelled values, highlighted rows (reverse video, white on blue, black
  on cyan, as setup menus and ``dialog`` draw them) and command output;
- the Linux text console: its PSF bitmap fonts from ``console-setup-linux``
  (Lat15-VGA16, -Fixed16, -Terminus16 ...) drawn glyph by glyph on a 1920x1080
  framebuffer, as the kernel's framebuffer console does.

Every screen is also photographed by the simulated camera (``robotest.sim``), the
camera calibrated once on a white screen, and rectified, as a station does. Ground
truth is what the program was told to show and where (character cells). Scenes are
split by font: the ``tune`` fonts and the ``held-out`` fonts never share a face.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import cv2
import numpy as np

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests" / "vnc"), str(HERE)]

from content import labelled, terminal_line  # noqa: E402
from psf import load_psf, render  # noqa: E402

SCREEN = (1920, 1080)
COLS, ROWS = 90, 24
XTERM_FONTS = {  # name: (xterm arguments, split)
    "x-6x13": (["-fn", "6x13"], "tune"),
    "x-9x15": (["-fn", "9x15"], "tune"),
    "ttf-dejavu-13": (["-fa", "DejaVu Sans Mono", "-fs", "13"], "tune"),
    "x-7x14": (["-fn", "7x14"], "held-out"),
    "x-8x13": (["-fn", "8x13"], "held-out"),
    "x-10x20": (["-fn", "10x20"], "held-out"),
    "ttf-liberation-12": (["-fa", "Liberation Mono", "-fs", "12"], "held-out"),
    "ttf-dejavu-16": (["-fa", "DejaVu Sans Mono", "-fs", "16"], "held-out"),
}
CONSOLE_FONTS = {
    "Lat15-VGA16": "tune",
    "Lat15-Terminus16": "tune",
    "Lat15-Fixed16": "held-out",
    "Lat15-TerminusBold16": "held-out",
    "Lat15-VGA14": "held-out",
    "Lat15-Fixed18": "held-out",
}
SCHEMES = [("black", "white"), ("#c0c0c0", "black"), ("white", "#300a24"), ("#00d000", "black")]
HIGHLIGHTS = ("\x1b[7m", "\x1b[97;44m", "\x1b[30;46m")
TITLE = "\x1b[1;97;44m"
RESET = "\x1b[0m"
CAMERA_SEEDS = (100, 101, 102, 103)


@dataclass
class Read:
    """One read to score: a value right of its label, or a whole line."""

    category: str
    kind: str  # "beside" or "line"
    truth: str
    region: list[int]  # the text's cells in screen pixels (x, y, w, h)
    label: str = ""


@dataclass
class Scene:
    name: str
    family: str
    split: str
    source: str
    reads: list[Read] = field(default_factory=list)


def layout(rng: np.random.Generator) -> tuple[list[tuple[int, str, str]], list[dict]]:
    """Rows of a scene: (row, text, highlight escape or ""), and what each row holds."""
    rows: list[tuple[int, str, str]] = []
    plan: list[dict] = []
    title = f"Setup Configuration {int(rng.integers(2, 99))}"
    rows.append((0, title.center(COLS), TITLE))
    plan.append({"row": 0, "kind": "title", "text": title, "column": (COLS - len(title)) // 2})
    pairs = labelled(rng, 9)
    for index, (label, value) in enumerate(pairs):
        row = 2 + index
        highlight = HIGHLIGHTS[index // 3] if index % 3 == 1 else ""
        line = f"{label:<20}{value}"
        rows.append((row, line.ljust(60) if highlight else line, highlight))
        plan.append(
            {
                "row": row,
                "kind": "beside",
                "label": label,
                "text": value,
                "column": 20,
                "highlighted": bool(highlight),
            }
        )
    for index in range(8):
        row = 12 + index
        line = terminal_line(rng)
        rows.append((row, line, ""))
        plan.append({"row": row, "kind": "line", "text": line, "column": 0})
    return rows, plan


def reads_of(plan: list[dict], cell: tuple[int, int], console: bool) -> list[Read]:
    width, height = cell
    reads = []
    for item in plan:
        x, y = item["column"] * width, item["row"] * height
        region = [x, y, len(item["text"]) * width, height]
        if console:
            category = "bitmap consoles"
        elif item["kind"] == "title":
            category = "title bars"
        elif item.get("highlighted"):
            category = "highlighted rows"
        elif item["kind"] == "beside":
            category = "values beside labels"
        else:
            category = "terminal lines"
        kind = "beside" if item["kind"] == "beside" else "line"
        reads.append(Read(category, kind, item["text"], region, item.get("label", "")))
    return reads


def xterm_scene(
    server: object,
    link: object,
    args: list[str],
    colours: tuple[str, str],
    rows: list[tuple[int, str, str]],
    folder: Path,
) -> tuple[np.ndarray, tuple[int, int]]:
    """Show *rows* in a real xterm at the top left; the framebuffer and the cell size."""
    text = "\x1b[?25l\x1b[H\x1b[2J"
    for row, line, highlight in rows:
        text += f"\x1b[{row + 1};1H{highlight}{line}{RESET if highlight else ''}"
    return show_in_xterm(server, link, args, colours, text.encode(), folder)


def show_in_xterm(
    server: object,
    link: object,
    args: list[str],
    colours: tuple[str, str],
    output: bytes,
    folder: Path,
) -> tuple[np.ndarray, tuple[int, int]]:
    """A real xterm (COLS x ROWS, top left) shows a program's *output* bytes; the
    framebuffer and the cell size."""
    from vnc_servers import need

    script = folder / "scene.txt"
    script.write_bytes(output)
    env = {"DISPLAY": f":{server.display}", "PATH": "/usr/bin:/bin", "HOME": str(folder)}
    xterm = subprocess.Popen(
        [
            need("xterm"),
            *args,
            "-fg",
            colours[0],
            "-bg",
            colours[1],
            "-b",
            "0",
            "+sb",
            "-geometry",
            f"{COLS}x{ROWS}+0+0",
            "-T",
            "robotest-scene",
            "-e",
            "sh",
            "-c",
            f"cat {script}; sleep 600",
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        size = _window_size(env)
        time.sleep(1.0)
        frame = cv2.cvtColor(link.grab(), cv2.COLOR_RGB2BGR)
    finally:
        xterm.terminate()
        xterm.wait(timeout=10)
    return frame, (size[0] // COLS, size[1] // ROWS)


def _window_size(env: dict[str, str]) -> tuple[int, int]:
    """The scene window's size once it is mapped at its full size (a window can show
    1x1 at first) and the same twice in a row."""
    seen = (0, 0)
    for _ in range(100):
        out = subprocess.run(
            ["xwininfo", "-name", "robotest-scene"], env=env, capture_output=True, text=True
        ).stdout
        if "Width:" in out:
            values = dict(line.strip().split(":", 1) for line in out.splitlines() if ":" in line)
            size = (int(values["Width"]), int(values["Height"]))
            if size == seen and size[0] >= 4 * COLS and size[1] >= 8 * ROWS:
                return size
            seen = size
        time.sleep(0.1)
    raise RuntimeError(f"xterm did not open at its size (last seen {seen[0]}x{seen[1]})")


def cameras(size: tuple[int, int] = SCREEN) -> dict[int, tuple[object, object]]:
    """Each camera and its calibration (taken on a white screen, as a station's setup)."""
    from robotest.sim import CameraModel, CameraParams
    from robotest.vision import Calibration

    white = np.full((size[1], size[0], 3), 235, np.uint8)
    out = {}
    for seed in CAMERA_SEEDS:
        camera = CameraModel(seed=seed, params=CameraParams.sample(seed), screen_size=size)
        out[seed] = (camera, Calibration.from_frame(camera.photograph(white), size))
    return out


def save(scenes: list[tuple[Scene, np.ndarray]], folder: Path, camera: bool = True) -> None:
    """Each screen as shown and (unless not *camera*) as photographed by one of the
    cameras (in turn), rectified, and ``truth.json``."""
    rigs: dict[tuple[int, int], dict[int, tuple[object, object]]] = {}
    index = []
    for number, (scene, frame) in enumerate(scenes):
        size = (frame.shape[1], frame.shape[0])
        cv2.imwrite(str(folder / f"{scene.name}.png"), frame)
        index.append(asdict(scene) | {"image": f"{scene.name}.png"})
        if not camera:
            continue
        seed = CAMERA_SEEDS[number % len(CAMERA_SEEDS)]
        rig, calibration = rigs.setdefault(size, cameras(size))[seed]
        rectified = calibration.rectify(rig.photograph(frame))
        cv2.imwrite(str(folder / f"{scene.name}-camera.png"), rectified)
        index.append(
            asdict(scene) | {"image": f"{scene.name}-camera.png", "source": f"camera {seed}"}
        )
    (folder / "truth.json").write_text(json.dumps(index, indent=1))
    print(f"{len(index)} screens in {folder}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("--scenes-per-font", type=int, default=2)
    args = parser.parse_args()
    from vnc_servers import XvncServer

    from robotest.drivers.vnc_link import VncLink

    args.folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(2026)
    scenes: list[tuple[Scene, np.ndarray]] = []
    with tempfile.TemporaryDirectory() as temp:
        server = XvncServer(Path(temp)).start()
        link = VncLink("127.0.0.1", server.port, server.password).open()
        try:
            for number, (family, (xargs, split)) in enumerate(XTERM_FONTS.items()):
                for index in range(args.scenes_per_font):
                    rows, plan = layout(rng)
                    scheme = SCHEMES[(number + index) % len(SCHEMES)]
                    frame, cell = xterm_scene(server, link, xargs, scheme, rows, Path(temp))
                    name = f"xterm-{family}-{index}"
                    scene = Scene(name, family, split, "framebuffer", reads_of(plan, cell, False))
                    scenes.append((scene, frame))
        finally:
            link.close()
            server.stop()
    for family, split in CONSOLE_FONTS.items():
        font = load_psf(Path(f"/usr/share/consolefonts/{family}.psf.gz"))
        for index in range(args.scenes_per_font):
            rows, plan = layout(rng)
            lines = [""] * ROWS
            for row, line, _ in rows:
                lines[row] = line
            frame = render(font, lines, SCREEN, 0xAA, 0)
            for row, line, highlight in rows:  # the console's highlight: reverse video
                if highlight:
                    width, height = font.cell
                    band = frame[row * height : (row + 1) * height, : len(line) * width]
                    band[:] = 0xAA - band
            name = f"console-{family}-{index}"
            scene = Scene(name, family, split, "framebuffer", reads_of(plan, font.cell, True))
            scenes.append((scene, frame))
    save(scenes, args.folder)


if __name__ == "__main__":
    main()
