"""Helpers of the runtime tests: a small suite, a product description, `rtest` in-process."""

from __future__ import annotations

import textwrap
from pathlib import Path

from typer.testing import CliRunner

from robotest.cli import app

SUITE = '''
subscript enter_setup() retries 2:
    """Power on and open the BIOS setup (retried on a failed step)."""
    press Power
    await_text "BIOS Setup Utility" within 60s

subscript broken() retries 2:
    press Esc
    x = 1 / 0

setup:
    log("setup")

teardown:
    press Esc

test "passes" tags smoke:
    press F2
    await_text "Welcome" within 5s

test "assert fails" tags bios:
    version = config.get("bios_version", "")  # as read from the screen
    assert version == "1.07", f"BIOS version is '{version}', expected 1.07"

test "icon missing" tags smoke, "ui check":
    await_icon "spinner" within 30s

test "times out" timeout 5s:
    wait 10s
    press Enter

test "retried sub-script":
    enter_setup()

test "script error in sub-script":
    broken()

test "boot {sku}" tags boot for sku in ["A1", "B2"]:
    press F12
    type_text f"{sku}\\n"
'''

IMAGE = """
[image]
name = "Win11-Factory"
version = "24H2.7"

[laptop]
serial = "SN-0042"
"""


def write_files(folder: Path, files: dict[str, str]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, source in files.items():
        (folder / name).write_text(textwrap.dedent(source))
    return folder


def invoke(*args: object) -> tuple[int, str]:
    """Run the `rtest` CLI in this process; (exit code, output)."""
    result = CliRunner().invoke(app, [str(a) for a in args])
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.output
