"""Product image descriptions: the golden image loads, bad files fail with one clear line."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from robotest.sim import ImageError, ProductImage
from robotest.sim.image import GOLDEN_PATH


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "image.toml"
    path.write_text(text)
    return path


def _golden_with(tmp_path: Path, old: str, new: str) -> Path:
    text = GOLDEN_PATH.read_text()
    assert old in text
    return _write(tmp_path, text.replace(old, new, 1))


def test_golden_image_values() -> None:
    image = ProductImage.golden()
    assert image.bios_version == "1.07.3"
    assert image.shown_bios_version == "1.07.3"
    assert image.memory_text == "16384 MB"
    assert len(image.devices) == len(image.present_devices) == 7
    assert image.faults.drop_key_probability == 0.0
    assert image.icon_theme == "v1"


def test_faults_load_from_the_file(tmp_path: Path) -> None:
    text = GOLDEN_PATH.read_text()
    text = text.replace('bios_version = ""', 'bios_version = "0.99"')
    text = text.replace("missing_devices = []", 'missing_devices = ["Intel Bluetooth 5.3"]')
    text = text.replace('os_build = ""', 'os_build = "26100.1"')
    path = _write(tmp_path, text)
    image = ProductImage.load(path)
    assert image.shown_bios_version == "0.99"
    assert image.shown_build == "26100.1" and image.build == "26100.2314"
    assert "Intel Bluetooth 5.3" not in [device.name for device in image.present_devices]


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ('serial = "CB14G3-2611-0042"\n', "", "product.serial: is missing"),
        ("memory_mb = 16384", 'memory_mb = "16 GB"', "product.memory_mb: must be an integer"),
        ("secure_boot = true", "secure_boot = 1", "firmware.secure_boot: must be true or false"),
        ('icon_theme = "v1"', 'icon_theme = "v9"', "os.icon_theme: must be one of v1, v2"),
        ("boot_seconds = 6.0", "boot_seconds = -1", "os.boot_seconds: must be at least"),
        ('clock_start = "09:41"', 'clock_start = "nine"', "os.clock_start: must be a time"),
        (
            "charge_percent = 87",
            "charge_percent = 140",
            "battery.charge_percent: must be between 0 and 100",
        ),
        ("drop_key_probability = 0.0", "drop_key_probability = 2", "faults.drop_key_probability"),
        ("slow_boot_factor = 1.0", "slow_boot_factr = 2.0", "unknown fault 'slow_boot_factr'"),
        ("missing_devices = []", 'missing_devices = ["Floppy"]', "unknown devices: Floppy"),
        ('os_build = ""', "os_build = 26100", "faults.os_build: must be a string"),
        (
            "update_popup_window = [5.0, 40.0]",
            "update_popup_window = [9, 2]",
            "update_popup_window",
        ),
    ],
)
def test_bad_values_are_named(tmp_path: Path, old: str, new: str, message: str) -> None:
    path = _golden_with(tmp_path, old, new)
    with pytest.raises(ImageError) as caught:
        ProductImage.load(path)
    text = str(caught.value)
    assert message in text
    assert str(path) in text
    assert "\n" not in text


def test_unreadable_files(tmp_path: Path) -> None:
    with pytest.raises(ImageError, match="no such file"):
        ProductImage.load(tmp_path / "nope.toml")
    with pytest.raises(ImageError, match="not valid TOML"):
        ProductImage.load(_write(tmp_path, "[product\nvendor = 1"))
    with pytest.raises(ImageError, match=r"\[firmware\]: table is missing"):
        text = GOLDEN_PATH.read_text()
        data = tomllib.loads(text)
        del data["firmware"]
        ProductImage.from_dict(data, source="x.toml")
