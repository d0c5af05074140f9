"""`.rtest` cases over VNC against real programs that show highlighted rows: a `dialog`
menu (the blue screen and highlighted bar of text-mode installers and firmware setup)
and an xterm in an X bitmap font with a reverse-video row. Each target has a case that
must pass and one that must fail; a target whose program is missing is skipped, saying
which package to install."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from vnc_servers import XvncServer, run_one_failing

SUITE = r"""
test "the highlighted row is read where it stands":
    await_text "{title}" within 20s
    value = read_text right_of "{label}"
    assert value == "{value}", f"{label} shows {{value!r}}"

test "a wrong expectation of the highlighted row fails":
    value = read_text right_of "{label}"
    assert value == "{wrong}", f"{label} shows {{value!r}}, expected '{wrong}'"
"""


def _program(name: str, package: str) -> str:
    path = shutil.which(name)
    if path is None:
        pytest.skip(f"{name} is not installed (./setup.sh --dev installs {package})")
    return path


def _show(server: XvncServer, folder: Path, *args: str) -> None:
    """A real xterm filling the top left of the screen, running *args*."""
    env = {**os.environ, "DISPLAY": f":{server.display}", "HOME": str(folder), "TERM": "xterm"}
    log = (folder / "target.log").open("ab")
    process = subprocess.Popen(
        [_program("xterm", "xterm"), "+sb", "-b", "0", "-geometry", "100x30+0+0", *args],
        env=env,
        stdout=log,
        stderr=log,
        start_new_session=True,
    )
    server.clients.append(process)


def _run(server: XvncServer, folder: Path, **fields: str) -> dict[str, tuple[str, str]]:
    station = server.station_file(folder / "vnc.toml")
    return run_one_failing(folder, SUITE.format(**fields), station)


def test_a_dialog_menu_highlighted_row(xvnc: XvncServer, tmp_path: Path) -> None:
    dialog = _program("dialog", "dialog")
    _show(
        xvnc,
        tmp_path,
        "-fa",
        "DejaVu Sans Mono",
        "-fs",
        "16",
        "-e",
        dialog,
        "--title",
        "Firmware Settings",
        "--menu",
        "Choose an item",
        "14",
        "60",
        "3",
        "BIOS Version",
        "1.07.3",
        "EC Version",
        "2.14",
        "Serial Number",
        "CB14-2611-0042",
    )
    outcomes = _run(
        xvnc,
        tmp_path,
        title="Firmware Settings",
        label="BIOS Version",
        value="1.07.3",
        wrong="1.07.4",
    )
    assert outcomes["the highlighted row is read where it stands"][0] == "passed", outcomes
    failed = outcomes["a wrong expectation of the highlighted row fails"]
    assert failed[0] == "failed", outcomes
    assert "BIOS Version shows '1.07.3', expected '1.07.4'" in failed[1], outcomes


def test_an_xterm_bitmap_font_reverse_video_row(xvnc: XvncServer, tmp_path: Path) -> None:
    if not Path("/usr/share/fonts/X11/misc/10x20.pcf.gz").exists():
        pytest.skip("the X bitmap fonts are not installed (./setup.sh --dev installs xfonts-base)")
    # the rows indented by two cells, as setup pages and menus draw them (a bar from the
    # screen's very edge is a known limit: see docs/vision.md)
    screen = (
        "\x1b[?25l\x1b[H\x1b[2J  System Summary\n\n"
        "  \x1b[7m EC Version          2.14                 \x1b[0m\n"
        "   Serial Number       CB14-2611-0042\n"
    )
    (tmp_path / "screen.txt").write_text(screen)
    _show(
        xvnc,
        tmp_path,
        "-fn",
        "10x20",
        "-bg",
        "black",
        "-fg",
        "#c0c0c0",
        "-e",
        "sh",
        "-c",
        f"cat {tmp_path / 'screen.txt'}; sleep 600",
    )
    outcomes = _run(
        xvnc, tmp_path, title="System Summary", label="EC Version", value="2.14", wrong="2.15"
    )
    assert outcomes["the highlighted row is read where it stands"][0] == "passed", outcomes
    failed = outcomes["a wrong expectation of the highlighted row fails"]
    assert failed[0] == "failed", outcomes
    assert "EC Version shows '2.14', expected '2.15'" in failed[1], outcomes
