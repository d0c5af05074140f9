"""The screen is re-rendered only on change; the camera sees the laptop; icons ship as PNGs."""

from __future__ import annotations

import numpy as np
import pytest

from robotest.sim import ICON_NAMES, ICON_VERSIONS, CameraParams, SimCamera, icon_array, icon_path
from robotest.sim.icons import draw_icon
from robotest.sim.screens.desktop import icon_box

from .conftest import Driver


def test_screen_is_cached_until_something_changes(driver: Driver) -> None:
    driver.boot_to("bios")
    first = driver.laptop.screen()
    assert driver.laptop.screen() is first
    driver.clock.advance(0.5)
    assert driver.laptop.screen() is first  # nothing time-driven changed
    driver.press("Right")
    second = driver.laptop.screen()
    assert second is not first and not np.array_equal(second, first)
    with pytest.raises(ValueError):
        second[0, 0] = 1  # the cached picture is read-only


def test_the_minute_changing_re_renders_the_bios_clock(driver: Driver) -> None:
    driver.boot_to("bios")
    first = driver.laptop.screen()
    driver.clock.advance(60)
    assert not np.array_equal(driver.laptop.screen(), first)


def test_pointer_is_drawn_on_os_screens_only(driver: Driver) -> None:
    driver.boot_to("desktop")
    driver.laptop.pointer_move(1000, 300)
    screen = driver.laptop.screen()
    assert screen[310, 1003].min() > 240  # inside the white arrow
    driver.laptop.pointer_move(1200, 300)
    moved = driver.laptop.screen()
    assert moved[310, 1003].max() < 200 and moved[310, 1203].min() > 240
    driver.press("Power")
    driver.clock.advance(3)
    driver.boot_to("bios")
    before = driver.laptop.screen()
    driver.laptop.pointer_move(400, 400)
    assert driver.laptop.screen() is before


def test_unknown_keys_and_buttons_are_refused(driver: Driver) -> None:
    with pytest.raises(ValueError, match="unknown key"):
        driver.laptop.key_event("Hyper", True)
    with pytest.raises(ValueError, match="unknown mouse button"):
        driver.laptop.pointer_button("fourth", True)


def test_release_all_lets_go_of_everything(driver: Driver) -> None:
    driver.laptop.key_event("Shift", True)
    driver.laptop.key_event("a", True)
    driver.laptop.pointer_button("left", True)
    assert driver.laptop.held_keys == {"Shift", "a"}
    driver.laptop.release_all()
    assert not driver.laptop.held_keys and not driver.laptop.held_buttons


def test_camera_sees_the_screen_where_the_model_says(driver: Driver) -> None:
    driver.boot_to("desktop")
    driver.laptop.pointer_move(1500, 300)
    camera = SimCamera(driver.laptop, seed=3, params=CameraParams(noise_sigma=0.0))
    frame = camera.grab()
    assert frame.shape == (2048, 2448, 3)
    x0, y0, x1, y1 = icon_box(1)  # the Settings icon
    centre = camera.model.screen_to_frame([[(x0 + x1) / 2, (y0 + y1) / 2]])[0]
    cx, cy = round(centre[0]), round(centre[1])
    screen_pixel = driver.laptop.screen()[(y0 + y1) // 2, (x0 + x1) // 2].astype(int)
    assert np.abs(frame[cy, cx].astype(int) - screen_pixel).max() < 60
    corners = camera.screen_corners
    assert corners.shape == (4, 2)


def test_camera_reuses_the_exposure_until_the_screen_changes(driver: Driver) -> None:
    driver.boot_to("bios")
    camera = SimCamera(driver.laptop, seed=1)
    first, second = camera.grab(), camera.grab()
    assert not np.array_equal(first, second)  # fresh sensor noise every frame
    noise = np.abs(first.astype(int) - second.astype(int))
    assert noise.mean() < 6
    driver.press("Right")
    third = camera.grab()
    assert np.abs(third.astype(int) - second.astype(int)).max() > 100  # a new picture


@pytest.mark.parametrize("name", ICON_NAMES)
def test_icons_ship_in_both_themes(name: str) -> None:
    pictures = []
    for version in ICON_VERSIONS:
        path = icon_path(name, version)
        assert path.is_file() and 500 < path.stat().st_size < 16_000
        picture = icon_array(name, version)
        assert picture.shape == (64, 64, 3)
        drawn = np.asarray(draw_icon(name, version))[:, :, ::-1].astype(int)
        assert np.abs(drawn - picture.astype(int)).mean() < 2  # the PNG is this artwork
        pictures.append(picture.astype(int))
    assert np.abs(pictures[0] - pictures[1]).mean() > 30  # the themes really differ


def test_keys_and_frames_from_several_threads(driver: Driver) -> None:
    import threading

    driver.boot_to("desktop")
    driver.double_click(90, 72)
    errors: list[BaseException] = []

    def typist() -> None:
        try:
            for _ in range(40):
                driver.laptop.key_event("a", True)
                driver.laptop.key_event("a", False)
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    def viewer() -> None:
        try:
            for _ in range(15):
                assert driver.laptop.screen().shape == (1080, 1920, 3)
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)

    threads = [threading.Thread(target=typist), threading.Thread(target=viewer)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert driver.laptop.current_screen.focused.typed == "a" * 40  # type: ignore[attr-defined]
