"""OS boot, login, desktop, Terminal, Settings and the Start menu, driven through the API."""

from __future__ import annotations

import numpy as np

from robotest.sim import icon_array
from robotest.sim.screens.desktop import DESKTOP_ICONS, START_BUTTON, START_MENU, icon_box
from robotest.sim.screens.login import FIELD
from robotest.sim.screens.terminal import TerminalWindow

from .conftest import Driver, find_template, ocr


def _icon_centre(name: str) -> tuple[int, int]:
    index = [icon for icon, _ in DESKTOP_ICONS].index(name)
    x0, y0, x1, y1 = icon_box(index)
    return ((x0 + x1) // 2, (y0 + y1) // 2)


def _terminal(driver: Driver) -> TerminalWindow:
    window = driver.laptop.current_screen.focused  # type: ignore[attr-defined]
    assert isinstance(window, TerminalWindow)
    return window


def test_os_boot_progress_advances_with_the_clock(driver: Driver) -> None:
    driver.press("Power")
    driver.clock.advance(driver.laptop.image.post_seconds + 0.1)
    assert driver.laptop.state == "os_boot"
    early = driver.laptop.screen()
    assert "Starting RoboOS" in ocr(early, (560, 570, 1360, 630))
    bar = (slice(684, 696), slice(664, 1256))
    driver.clock.advance(driver.laptop.image.boot_seconds * 0.6)
    later = driver.laptop.screen()
    blue = lambda img: int((img[bar][:, :, 0] > 200).sum())  # noqa: E731
    assert blue(later) > blue(early) + 1000


def test_login_shows_welcome_and_rejects_a_wrong_password(driver: Driver) -> None:
    driver.boot_to("login")
    screen = driver.laptop.screen()
    assert "Welcome" in ocr(screen, (700, 250, 1220, 350))
    assert "Password" in ocr(screen, (FIELD[0], FIELD[1], FIELD[2], FIELD[3]))
    driver.type("wrong")
    typed = driver.laptop.screen()
    assert "Password" not in ocr(typed, (FIELD[0], FIELD[1], FIELD[2], FIELD[3]))
    driver.press("Enter")
    assert driver.laptop.state == "login"
    assert "password is incorrect" in ocr(driver.laptop.screen(), (500, 725, 1420, 775))


def test_the_right_password_opens_the_desktop(driver: Driver) -> None:
    driver.boot_to("login")
    driver.type("Factory")  # passwords are case-sensitive
    driver.press("Enter")
    assert driver.laptop.state == "login"
    driver.type("factory")
    driver.click(FIELD[2] + 40, (FIELD[1] + FIELD[3]) // 2)  # the arrow button signs in
    assert driver.laptop.state == "desktop"


def test_desktop_shows_every_icon_with_its_label_and_the_taskbar(driver: Driver) -> None:
    driver.boot_to("desktop")
    driver.laptop.pointer_move(1000, 400)
    screen = driver.laptop.screen()
    for index, (name, label) in enumerate(DESKTOP_ICONS):
        score, where = find_template(screen, icon_array(name, "v1"))
        assert score > 0.99, name
        assert where == icon_box(index)[:2]
        x0, y0, x1, y1 = icon_box(index)
        assert label in ocr(screen, (x0 - 50, y1 + 4, x1 + 50, y1 + 36))
    assert "Start" in ocr(screen, (48, START_BUTTON[1], START_BUTTON[2], START_BUTTON[3]))
    assert "09:41" in ocr(screen, (1780, 1028, 1900, 1080))


def test_taskbar_clock_follows_the_station_clock(driver: Driver) -> None:
    driver.boot_to("desktop")
    before = driver.laptop.screen()
    driver.clock.advance(61)
    after = driver.laptop.screen()
    assert not np.array_equal(before[1028:, 1780:], after[1028:, 1780:])
    assert driver.laptop.time_of_day().strftime("%H:%M") in ocr(after, (1780, 1028, 1900, 1080))


def test_double_click_opens_a_single_click_only_selects(driver: Driver) -> None:
    driver.boot_to("desktop")
    x, y = _icon_centre("terminal")
    driver.click(x, y)
    assert driver.laptop.state == "desktop"
    driver.clock.advance(0.6)
    driver.click(x, y)  # too late for a double click
    assert driver.laptop.state == "desktop"
    driver.double_click(x, y)
    assert driver.laptop.state == "terminal"


def test_every_icon_opens_its_window(driver: Driver) -> None:
    driver.boot_to("desktop")
    titles = {"files": "Home", "browser": "No internet connection", "recycle_bin": "Recycle Bin"}
    for name, heading in titles.items():
        driver.double_click(*_icon_centre(name))
        assert driver.laptop.state == name
        window = driver.laptop.current_screen.focused  # type: ignore[attr-defined]
        x0, y0, x1, _ = window.body
        assert heading in ocr(driver.laptop.screen(), (x0 + 20, y0 + 20, x1 - 20, y0 + 90))
        driver.click(*window.close_button[:2])
        assert driver.laptop.state == "desktop"


def test_terminal_commands_answer_from_the_product_image(driver: Driver) -> None:
    driver.boot_to("desktop")
    driver.double_click(*_icon_centre("terminal"))
    terminal = _terminal(driver)
    image = driver.laptop.image
    driver.command("uname -a")
    assert image.build in terminal.lines[-1] and image.hostname in terminal.lines[-1]
    driver.command("bios-version")
    assert terminal.lines[-2:] == [
        f"BIOS Version: {image.bios_version}",
        f"EC Version: {image.ec_version}",
    ]
    driver.command("lsdev")
    assert len([line for line in terminal.lines if "Intel Wi-Fi 6E AX211" in line]) == 1
    driver.command("battery")
    assert terminal.lines[-1] == "Battery: 87% (Charging)"
    driver.command("echo Hello QA")
    assert terminal.lines[-1] == "Hello QA"
    driver.command("frobnicate --now")
    assert terminal.lines[-1] == "frobnicate: command not found"
    x0, y0, x1, y1 = terminal.body
    text = ocr(driver.laptop.screen(), (x0, y0, x1, y1))
    assert "BIOS Version: 1.07.3" in text
    assert "frobnicate: command not found" in text


def test_terminal_exit_closes_and_scroll_moves_through_history(driver: Driver) -> None:
    driver.boot_to("desktop")
    driver.double_click(*_icon_centre("terminal"))
    terminal = _terminal(driver)
    for index in range(30):
        driver.command(f"echo line{index}")
    before = driver.laptop.screen()
    driver.laptop.scroll(5)
    assert terminal.scrolled == 5
    assert not np.array_equal(before, driver.laptop.screen())
    driver.laptop.scroll(-100)
    assert terminal.scrolled == 0
    driver.command("exit")
    assert driver.laptop.state == "desktop"


def test_terminal_reboot_and_shutdown(driver: Driver) -> None:
    driver.boot_to("desktop")
    driver.double_click(*_icon_centre("terminal"))
    driver.command("reboot")
    assert driver.laptop.state == "restarting"
    driver.clock.advance(2.5)
    assert driver.laptop.state == "post"
    driver.clock.advance(30)
    driver.type("factory")
    driver.press("Enter")
    driver.double_click(*_icon_centre("terminal"))
    driver.command("shutdown")
    assert "Shutting down" in ocr(driver.laptop.screen(), (660, 500, 1260, 580))
    driver.clock.advance(2.5)
    assert driver.laptop.state == "off"


def test_settings_about_and_devices_pages(driver: Driver) -> None:
    driver.boot_to("desktop")
    driver.double_click(*_icon_centre("settings"))
    assert driver.laptop.state == "settings"
    window = driver.laptop.current_screen.focused  # type: ignore[attr-defined]
    x0, y0, x1, y1 = window.body
    content = (x0 + 280, y0 + 100, x1, y1)
    about = ocr(driver.laptop.screen(), content)
    image = driver.laptop.image
    for value in (image.edition, image.os_version, image.build):
        assert value in about
    assert "OS build" in about
    nav = window.nav_box(1)
    driver.click((nav[0] + nav[2]) // 2, (nav[1] + nav[3]) // 2)
    assert window.page == "Devices"
    devices = ocr(driver.laptop.screen(), content)
    assert "Goodix Fingerprint Reader" in devices and "Realtek High Definition Audio" in devices


def test_start_menu_opens_apps_and_alt_f4_closes(driver: Driver) -> None:
    driver.boot_to("desktop")
    driver.click(60, 1050)
    assert driver.laptop.state == "start_menu"
    assert "Shut down" in ocr(driver.laptop.screen(), START_MENU)
    driver.click(100, START_MENU[1] + 10 + 60 + 30)  # second item: Settings
    assert driver.laptop.state == "settings"
    driver.press("Alt", "F4")
    assert driver.laptop.state == "desktop"
    driver.press("Win")
    assert driver.laptop.state == "start_menu"
    driver.press("Esc")
    assert driver.laptop.state == "desktop"


def test_shift_types_capitals_and_symbols(driver: Driver) -> None:
    driver.boot_to("desktop")
    driver.double_click(*_icon_centre("terminal"))
    driver.press("Shift", "1")
    driver.press("CapsLock")
    driver.press("a")
    assert _terminal(driver).typed == "!A"


def test_power_key_on_the_desktop_shuts_down(driver: Driver) -> None:
    driver.boot_to("desktop")
    driver.press("Power")
    assert driver.laptop.state == "shutting_down"
    driver.clock.advance(3)
    assert driver.laptop.state == "off"
