"""Every sub-script of the library against the simulated laptop, through the real drivers.

The laptop's own state (``station.laptop``) is the ground truth the tests check the
sub-scripts against; the sub-scripts themselves see only camera frames.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from robotest.stdlib_subscripts.screens import screen_state

from robotest.runtime.station_runtime import StationRuntime
from robotest.stdlib_subscripts import bios, checks, desktop, power, settings, terminal

OpenSim = Callable[..., StationRuntime]


def test_bios_setup_is_entered_read_and_left(open_sim: OpenSim) -> None:
    laptop = open_sim(bios_version="1.06.9").station.laptop
    bios.enter_setup()
    assert laptop.state == "bios"
    assert bios.read_field("BIOS Version") == "1.06.9"  # on the highlighted row
    assert bios.check_field("EC Version", "2.14") == "2.14"
    with pytest.raises(
        AssertionError,
        match=r"BIOS BIOS Version is '1\.06\.9', "
        r"expected '1\.07\.3'",
    ):
        bios.check_field("BIOS Version", "1.07.3")
    assert bios.read_field("Secure Boot", tab="Security") == "Enabled"
    assert bios.current_tab() == "Security"
    bios.enter_setup()  # already in setup: back to Main, no power cycle
    assert bios.current_tab() == "Main" and laptop.state == "bios"
    bios.exit_without_saving()
    assert laptop.state in ("restarting", "post", "os_boot")


def test_boot_menu_power_and_boot_time(open_sim: OpenSim) -> None:
    laptop = open_sim(slow_boot_factor=2.0).station.laptop
    bios.open_boot_menu()
    assert laptop.state == "boot_menu"
    power.force_off()
    assert laptop.state == "off" and screen_state() == "dark"
    took = power.boot_to_login()
    assert laptop.state == "login"
    expected = laptop.image.post_seconds + laptop.image.effective_boot_seconds
    assert expected - 1 <= took <= expected + 2, (took, expected)


def test_desktop_terminal_and_settings(open_sim: OpenSim) -> None:
    laptop = open_sim().station.laptop
    desktop.reach_desktop()  # from off: boots and signs in
    assert laptop.state == "desktop"
    output = terminal.run_command("bios-version")
    assert output.splitlines() == ["BIOS Version: 1.07.3", "EC Version: 2.14"]
    assert laptop.state == "terminal"
    checks.check_command_reports("bios-version", "EC Version", "2.14")
    assert settings.read_about("OS build") == laptop.image.build
    assert laptop.state == "settings"
    checks.check_devices_shown([device.name for device in laptop.image.devices])
    desktop.close_app("settings")
    desktop.close_app("terminal")
    assert laptop.state == "desktop"
    power.restart_from_desktop()
    assert laptop.state == "login"
    desktop.log_in()
    power.shut_down_from_desktop()
    assert laptop.state == "off"


def test_product_faults_fail_naming_expected_and_shown(open_sim: OpenSim) -> None:
    laptop = open_sim(
        missing_devices=["Goodix Fingerprint Reader"], os_build="26100.2200"
    ).station.laptop
    desktop.reach_desktop()
    with pytest.raises(
        AssertionError,
        match=r"missing device\(s\) 'Goodix Fingerprint "
        r"Reader'; lsdev lists: Network",
    ):
        checks.check_devices_listed([device.name for device in laptop.image.devices])
    with pytest.raises(
        AssertionError,
        match=r"About: OS build is '26100\.2200', "
        r"expected '26100\.2314'",
    ):
        checks.check_about("OS build", "26100.2314")


def test_popups_and_dropped_keys_do_not_derail_the_sub_scripts(open_sim: OpenSim) -> None:
    laptop = open_sim(
        seed=3, update_popup=True, update_popup_window=(1.0, 4.0), drop_key_probability=0.05
    ).station.laptop
    desktop.reach_desktop()
    output = terminal.run_command("uname -a")
    assert f"build {laptop.image.build}" in output
    assert terminal.run_command("echo robot") == "robot"
    assert laptop.dropped_keys > 0  # keys were dropped, and the commands still ran right
    assert laptop.state == "terminal"  # the popup came and went
    bios.enter_setup()  # from the OS: power cycle, F2 through POST
    assert bios.read_field("TPM Device", tab="Security") == "TPM 2.0"
