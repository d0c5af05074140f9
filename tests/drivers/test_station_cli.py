"""`rtest station check` and `rtest station health`."""

from __future__ import annotations

from pathlib import Path

import pytest
import usb.core
from typer.testing import CliRunner

from robotest.cli import app
from robotest.drivers.errors import DriverError
from robotest.drivers.usb_controller import UsbController

STATIONS = Path(__file__).resolve().parents[2] / "stations"
runner = CliRunner()


def test_check_prints_what_the_file_describes() -> None:
    result = runner.invoke(app, ["station", "check", str(STATIONS / "line1-bay1.toml")])
    assert result.exit_code == 0
    assert "station line1-bay1: ok" in result.output
    assert "82 keys mapped" in result.output


def test_check_reports_a_bad_file_in_one_line_with_exit_2(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text("[keyboard]\nport = '/dev/x'\n[keyboard.keymap]\nF99 = 1\n")
    result = runner.invoke(app, ["station", "check", str(bad)])
    assert result.exit_code == 2
    assert "error: " in result.output and "'F99' is not a key name" in result.output
    assert "Traceback" not in result.output


def test_health_of_the_sim_station() -> None:
    result = runner.invoke(app, ["station", "health", "sim"])
    assert result.exit_code == 0, result.output
    assert "station sim: ready" in result.output


def test_missing_usb_library_says_what_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_backend(**_: object) -> None:
        raise usb.core.NoBackendError("No backend available")

    monkeypatch.setattr(usb.core, "find", no_backend)
    with pytest.raises(DriverError, match="apt-get install libusb-1.0-0"):
        UsbController(0x1209, 0x7E57).open()
