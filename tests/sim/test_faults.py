"""Each injected fault of the product image shows on the laptop's screen."""

from __future__ import annotations

from collections.abc import Callable

from robotest.sim import ProductImage, icon_array
from robotest.sim.screens.desktop import DESKTOP_ICONS, POPUP, POPUP_LATER, icon_box

from .conftest import Driver, find_template, ocr

MakeDriver = Callable[..., Driver]


def test_wrong_bios_version_in_setup_and_terminal(
    make_driver: MakeDriver, golden: ProductImage
) -> None:
    driver = make_driver(golden.with_faults(bios_version="1.06.9"))
    driver.boot_to("bios")
    driver.press("Down")
    line = next(
        line
        for line in ocr(driver.laptop.screen(), (60, 150, 1340, 210)).splitlines()
        if line.startswith("BIOS Version")
    )
    assert "1.06.9" in line
    driver.press("Esc")
    driver.press("Enter")
    driver.clock.advance(60)
    driver.type("factory")
    driver.press("Enter")
    x0, y0, x1, y1 = icon_box(0)
    driver.double_click(x0 + 10, y0 + 10)
    driver.command("bios-version")
    assert driver.laptop.current_screen.focused.lines[-2] == "BIOS Version: 1.06.9"  # type: ignore[attr-defined]


def test_wrong_os_build_in_about_and_uname(make_driver: MakeDriver, golden: ProductImage) -> None:
    driver = make_driver(golden.with_faults(os_build="26100.2200"))
    driver.boot_to("desktop")
    x0, y0, _, _ = icon_box(0)
    driver.double_click(x0 + 10, y0 + 10)
    driver.command("uname -a")
    terminal = driver.laptop.current_screen.focused  # type: ignore[attr-defined]
    assert terminal.lines[-1].endswith("build 26100.2200 x86_64")
    driver.command("exit")
    x0, y0, _, _ = icon_box(1)
    driver.double_click(x0 + 10, y0 + 10)
    window = driver.laptop.current_screen.focused  # type: ignore[attr-defined]
    assert ("OS build", "26100.2200") in window.rows()


def test_missing_device_is_absent_from_lsdev_and_settings(
    make_driver: MakeDriver, golden: ProductImage
) -> None:
    driver = make_driver(golden.with_faults(missing_devices=["Goodix Fingerprint Reader"]))
    driver.boot_to("desktop")
    x0, y0, _, _ = icon_box(0)
    driver.double_click(x0 + 10, y0 + 10)
    driver.command("lsdev")
    terminal = driver.laptop.current_screen.focused  # type: ignore[attr-defined]
    assert not any("Fingerprint" in line for line in terminal.lines)
    assert any("Touchpad" in line for line in terminal.lines)
    driver.command("exit")
    x0, y0, _, _ = icon_box(1)
    driver.double_click(x0 + 10, y0 + 10)
    window = driver.laptop.current_screen.focused  # type: ignore[attr-defined]
    window.key_down("Down")
    bx0, by0, bx1, by1 = window.body
    text = ocr(driver.laptop.screen(), (bx0 + 280, by0 + 100, bx1, by1))
    assert "Fingerprint" not in text and "Touchpad" in text


def test_update_popup_appears_at_a_seeded_moment_and_later_dismisses(
    make_driver: MakeDriver, golden: ProductImage
) -> None:
    image = golden.with_faults(update_popup=True, update_popup_window=[5.0, 20.0])
    moments = []
    for seed in (1, 1, 2):
        driver = make_driver(image, seed=seed)
        driver.boot_to("desktop")
        start = driver.clock()
        while driver.laptop.state != "update_popup":
            driver.clock.advance(0.25)
            assert driver.clock() - start < 21, "popup never appeared"
        moments.append(driver.clock() - start)
    assert moments[0] == moments[1]
    assert moments[0] != moments[2]
    assert all(4.9 <= moment <= 20.3 for moment in moments)
    assert "Updates are ready" in ocr(
        driver.laptop.screen(), (POPUP[0], POPUP[1], POPUP[2], POPUP[1] + 90)
    )
    driver.press("a")  # keys go to the popup, not the desktop
    assert driver.laptop.state == "update_popup"
    driver.click((POPUP_LATER[0] + POPUP_LATER[2]) // 2, (POPUP_LATER[1] + POPUP_LATER[3]) // 2)
    assert driver.laptop.state == "desktop"
    driver.clock.advance(60)
    assert driver.laptop.state == "desktop"  # once per boot


def test_update_popup_over_an_open_terminal_eats_keys(
    make_driver: MakeDriver, golden: ProductImage
) -> None:
    driver = make_driver(golden.with_faults(update_popup=True, update_popup_window=[3.0, 3.0]))
    driver.boot_to("desktop")
    x0, y0, _, _ = icon_box(0)
    driver.double_click(x0 + 10, y0 + 10)
    driver.clock.advance(3)
    driver.type("uname")
    assert driver.laptop.state == "update_popup"
    driver.press("Esc")
    assert driver.laptop.state == "terminal"
    assert driver.laptop.current_screen.focused.typed == ""  # type: ignore[attr-defined]


def test_slow_boot_takes_longer(make_driver: MakeDriver, golden: ProductImage) -> None:
    driver = make_driver(golden.with_faults(slow_boot_factor=5.0))
    driver.press("Power")
    driver.clock.advance(golden.post_seconds + golden.boot_seconds + 1)
    assert driver.laptop.state == "os_boot"
    driver.clock.advance(golden.boot_seconds * 4)
    assert driver.laptop.state == "login"


def test_changed_icon_theme_draws_the_new_artwork(
    make_driver: MakeDriver, golden: ProductImage
) -> None:
    driver = make_driver(golden.with_faults(icon_theme="v2"))
    driver.boot_to("desktop")
    driver.laptop.pointer_move(1000, 500)
    screen = driver.laptop.screen()
    for index, (name, _) in enumerate(DESKTOP_ICONS):
        new_score, where = find_template(screen, icon_array(name, "v2"))
        old_score, _ = find_template(screen, icon_array(name, "v1"))
        assert new_score > 0.99 and where == icon_box(index)[:2]
        assert old_score < 0.8, name


def test_dropped_keys_follow_the_seeded_probability(
    make_driver: MakeDriver, golden: ProductImage
) -> None:
    image = golden.with_faults(drop_key_probability=0.3)
    typed = []
    for seed in (4, 4, 5):
        driver = make_driver(image, seed=seed)
        driver.laptop.enter("desktop")
        x0, y0, _, _ = icon_box(0)
        driver.double_click(x0 + 10, y0 + 10)
        if driver.laptop.state != "terminal":  # a click is never dropped: only keys are
            raise AssertionError(driver.laptop.state)
        driver.type("abcdefghij" * 10)
        typed.append(driver.laptop.current_screen.focused.typed)  # type: ignore[attr-defined]
        assert driver.laptop.dropped_keys == 100 - len(typed[-1])
    assert typed[0] == typed[1] and typed[0] != typed[2]
    assert 50 <= len(typed[0]) <= 90


def test_no_key_is_dropped_without_the_fault(driver: Driver) -> None:
    driver.laptop.enter("desktop")
    x0, y0, _, _ = icon_box(0)
    driver.double_click(x0 + 10, y0 + 10)
    driver.type("abcdefghij" * 10)
    assert driver.laptop.current_screen.focused.typed == "abcdefghij" * 10  # type: ignore[attr-defined]
    assert driver.laptop.dropped_keys == 0
