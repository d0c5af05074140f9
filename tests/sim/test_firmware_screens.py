"""Power, POST, BIOS setup and the boot menu, driven through the laptop's key API."""

from __future__ import annotations

import numpy as np

from robotest.sim.screens.bios import BiosScreen

from .conftest import Driver, ocr


def test_off_is_black_and_power_starts_post(driver: Driver) -> None:
    laptop = driver.laptop
    assert laptop.state == "off"
    assert laptop.screen().max() == 0
    driver.press("Power")
    assert laptop.state == "post"
    screen = laptop.screen()
    assert screen.shape == (1080, 1920, 3) and screen.dtype == np.uint8
    text = ocr(screen, (40, 900, 900, 1050))
    assert "Press F2 to enter Setup" in text
    assert "F12 Boot Menu" in text
    assert "CONTOSO" in ocr(screen, (500, 300, 1420, 620))


def test_post_ends_in_os_boot_then_login(driver: Driver) -> None:
    driver.press("Power")
    driver.clock.advance(driver.laptop.image.post_seconds - 0.5)
    assert driver.laptop.state == "post"
    driver.clock.advance(1.0)
    assert driver.laptop.state == "os_boot"
    driver.clock.advance(driver.laptop.image.boot_seconds)
    assert driver.laptop.state == "login"


def test_keys_other_than_f2_f12_do_nothing_during_post(driver: Driver) -> None:
    driver.press("Power")
    for key in ("Enter", "Esc", "a", "F1"):
        driver.press(key)
    assert driver.laptop.state == "post"


def test_bios_title_tabs_and_main_rows(driver: Driver) -> None:
    driver.boot_to("bios")
    screen = driver.laptop.screen()
    assert "BIOS Setup Utility" in ocr(screen, (600, 0, 1320, 70))
    tabs = ocr(screen, (40, 66, 900, 126))
    for tab in ("Main", "Advanced", "Boot", "Security", "Exit"):
        assert tab in tabs
    assert tuple(screen[180, 50]) == (120, 0, 0)  # the first row is highlighted
    driver.press("Down")  # move the highlight off BIOS Version (OCR reads dark-on-light)
    rows = ocr(driver.laptop.screen(), (60, 150, 1340, 660))
    image = driver.laptop.image
    for label, value in (
        ("BIOS Version", image.bios_version),
        ("EC Version", image.ec_version),
        ("Product Name", image.model),
        ("Serial Number", image.serial),
        ("System Memory", "16384 MB"),
    ):
        line = next(line for line in rows.splitlines() if line.startswith(label))
        assert value in line, f"{label}: {line!r}"
    assert "CPU Type" in rows


def test_left_right_switch_tabs_and_highlight_follows(driver: Driver) -> None:
    driver.boot_to("bios")
    laptop = driver.laptop
    bios = laptop.current_screen
    assert isinstance(bios, BiosScreen)
    main_tab_pixel = laptop.screen()[100, 70].copy()
    names = []
    for _ in range(5):
        names.append(bios.tab_name)
        driver.press("Right")
    assert names == ["Main", "Advanced", "Boot", "Security", "Exit"]
    assert bios.tab_name == "Main"
    driver.press("Left")
    assert bios.tab_name == "Exit"
    screen = laptop.screen()
    # the selected tab is drawn grey; Main (now unselected) shows the blue bar again
    assert tuple(main_tab_pixel) == (200, 200, 200)
    assert tuple(screen[100, 70]) == (168, 0, 0)


def test_security_and_boot_tabs(driver: Driver) -> None:
    driver.boot_to("bios")
    for _ in range(3):
        driver.press("Right")
    rows = dict(driver.laptop.current_screen.rows(driver.clock()))  # type: ignore[attr-defined]
    assert rows == {
        "Secure Boot": "Enabled",
        "TPM Device": "TPM 2.0",
        "Administrator Password": "Not Installed",
    }
    text = ocr(driver.laptop.screen(), (60, 150, 1340, 330))
    assert "Secure Boot" in text and "TPM Device" in text
    driver.press("Left")
    boot_rows = driver.laptop.current_screen.rows(driver.clock())  # type: ignore[attr-defined]
    order = [value for label, value in boot_rows if label.startswith("Boot Option #")]
    assert order == list(driver.laptop.image.boot_order)


def test_esc_asks_exit_without_saving_and_enter_confirms(driver: Driver) -> None:
    driver.boot_to("bios")
    driver.press("Esc")
    assert driver.laptop.state == "bios_exit_dialog"
    assert "Exit Without Saving?" in ocr(driver.laptop.screen(), (560, 470, 1360, 560))
    driver.press("Enter")
    assert driver.laptop.state == "restarting"
    driver.clock.advance(1.5)
    assert driver.laptop.state == "post"


def test_esc_in_the_dialog_returns_to_setup(driver: Driver) -> None:
    driver.boot_to("bios")
    driver.press("Esc")
    driver.press("Esc")
    assert driver.laptop.state == "bios"
    driver.press("Esc")
    driver.press("Right")  # choose No
    driver.press("Enter")
    assert driver.laptop.state == "bios"


def test_f10_saves_changed_settings_across_reboot(driver: Driver) -> None:
    driver.boot_to("bios")
    for _ in range(3):
        driver.press("Right")
    driver.press("Enter")  # toggle Secure Boot
    driver.press("F10")
    assert driver.laptop.state == "bios_save_dialog"
    assert "Save configuration and exit?" in ocr(driver.laptop.screen(), (560, 470, 1360, 560))
    driver.press("Enter")
    assert driver.laptop.firmware["secure_boot"] is False
    driver.clock.advance(1.5)
    driver.press("F2")
    for _ in range(3):
        driver.press("Right")
    assert dict(driver.laptop.current_screen.rows(driver.clock()))["Secure Boot"] == "Disabled"  # type: ignore[attr-defined]


def test_discarded_changes_are_lost(driver: Driver) -> None:
    driver.boot_to("bios")
    for _ in range(3):
        driver.press("Right")
    driver.press("Enter")
    driver.press("Esc")
    driver.press("Enter")
    assert driver.laptop.firmware["secure_boot"] is True


def test_exit_tab_items_open_their_dialogs(driver: Driver) -> None:
    driver.boot_to("bios")
    driver.press("Left")
    driver.press("Enter")
    assert driver.laptop.state == "bios_save_dialog"
    driver.press("Esc")
    driver.press("Down")
    driver.press("Enter")
    assert driver.laptop.state == "bios_exit_dialog"


def test_boot_menu_lists_the_boot_order_and_boots(driver: Driver) -> None:
    driver.boot_to("boot_menu")
    screen = driver.laptop.screen()
    assert "Boot Menu" in ocr(screen, (500, 280, 1420, 340))
    text = ocr(screen, (500, 340, 1420, 640))
    assert "USB Storage Device" in text and "Enter Setup" in text
    driver.press("Enter")
    assert driver.laptop.state == "os_boot"


def test_boot_menu_enter_setup_and_no_boot_device(driver: Driver) -> None:
    driver.boot_to("boot_menu")
    driver.press("Up")
    driver.press("Enter")
    assert driver.laptop.state == "bios"
    driver.press("Esc")
    driver.press("Enter")
    driver.clock.advance(1.5)
    driver.press("F12")
    driver.press("Down")
    driver.press("Enter")
    assert driver.laptop.state == "no_boot_device"
    driver.press("Space")
    assert driver.laptop.state == "restarting"


def test_holding_power_four_seconds_forces_off(driver: Driver) -> None:
    driver.boot_to("bios")
    driver.laptop.key_event("Power", True)
    driver.clock.advance(3.0)
    assert driver.laptop.state == "bios"
    driver.clock.advance(1.5)
    assert driver.laptop.state == "off"
    driver.laptop.key_event("Power", False)
    assert driver.laptop.screen().max() == 0
