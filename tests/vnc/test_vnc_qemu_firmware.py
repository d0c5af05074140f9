"""`.rtest` cases over VNC against real firmware: a QEMU virtual machine booting Debian's
SeaBIOS, whose own VGA text console (720x400, the firmware's 9x16 font, light grey on
black) shows its version and offers a boot menu behind Esc. Nothing on that screen is
drawn by robotest: the ground truth is the version string built into the firmware file.
One case must pass (read the version, open the boot menu with a real key press), one
must fail (a wrong expected version). Skipped, saying so, where QEMU is not installed.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from vnc_servers import _die_with_parent, _stop, free_port, run_one_failing, wait_for_port

FIRMWARE = Path("/usr/share/seabios/bios-256k.bin")
MACHINE = (
    "-nodefaults -vga std -display none -boot menu=on,splash-time=60000 -m 64"
    " -no-reboot -monitor none -serial none -nic user,model=e1000"
)
"""A PC with no disk: SeaBIOS, then its iPXE network boot entry; the menu prompt stays a
minute (the firmware's default is 2.5 s)."""

SUITE = r"""
test "the firmware shows its version and opens its boot menu":
    await_text "SeaBIOS" within 60s
    version = read_text right_of "SeaBIOS"
    assert version == "(version {version})", f"the firmware shows {{version!r}}"
    await_text "Press ESC for boot menu" within 60s
    press Esc
    await_text "Select boot device" within 20s
    await_text "iPXE" within 10s

test "a wrong expected firmware version fails":
    await_text "SeaBIOS" within 60s
    version = read_text right_of "SeaBIOS"
    assert version == "(version {wrong})", f"the firmware shows {{version!r}}"
"""


def firmware_version() -> str:
    """The version SeaBIOS prints, as built into the firmware file (``1.16.2-debian-...``)."""
    found = re.search(rb"\d+\.\d+\.\d+-debian-[\w.+~-]+", FIRMWARE.read_bytes())
    assert found is not None, f"no version string in {FIRMWARE}"
    return found.group().decode()


@pytest.fixture
def qemu_port(tmp_path: Path) -> Iterator[int]:
    """A QEMU PC (SeaBIOS, a network card for its iPXE boot entry, no disk) whose screen
    is served over VNC on a free loopback port; the boot menu prompt stays a minute."""
    qemu = shutil.which("qemu-system-x86_64")
    if qemu is None or not FIRMWARE.exists():
        pytest.skip("QEMU is not installed (./setup.sh --dev installs qemu-system-x86)")
    port = free_port()
    log = (tmp_path / "qemu.log").open("ab")
    process = subprocess.Popen(
        [qemu, *MACHINE.split(), "-vnc", f"127.0.0.1:{port - 5900}"],
        stdout=log,
        stderr=log,
        start_new_session=True,
        preexec_fn=_die_with_parent,
    )
    try:
        if not wait_for_port(port, timeout=30, process=process):
            log_text = (tmp_path / "qemu.log").read_text(errors="replace")[-400:]
            pytest.fail(f"QEMU did not serve VNC on port {port}; its log ends: {log_text}")
        yield port
    finally:
        _stop(process)


def test_real_firmware_in_qemu(qemu_port: int, tmp_path: Path) -> None:
    version = firmware_version()
    wrong = version.replace("-debian-", "-custom-")
    station = tmp_path / "qemu.toml"
    station.write_text(
        f'[station]\nkind = "vnc"\nname = "qemu"\n\n'
        f'[vnc]\nhost = "127.0.0.1"\nport = {qemu_port}\ntimeout = 5.0\n'
    )
    outcomes = run_one_failing(tmp_path, SUITE.format(version=version, wrong=wrong), station)
    passing = outcomes["the firmware shows its version and opens its boot menu"]
    assert passing[0] == "passed", outcomes
    failing = outcomes["a wrong expected firmware version fails"]
    assert failing[0] == "failed", outcomes
    assert f"the firmware shows '(version {version})'" in failing[1], outcomes
