"""`--image` files are validated whole: types, unknown keys, a name; errors name the line.

They once were not: a wrong type was stored as a string, an unknown key or an empty
file was accepted.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from robotest.errors import ScriptError
from robotest.runtime.image_file import key_line
from robotest.runtime.session import read_image
from robotest.sim import ImageError, ProductImage

ROOT = Path(__file__).resolve().parents[2]
SPEC = ROOT / "scripts" / "image.toml"
GOLDEN = ROOT / "robotest" / "sim" / "images" / "golden.toml"


def _spec_with(tmp_path: Path, old: str, new: str) -> tuple[Path, int]:
    """scripts/image.toml with *old* replaced; and the line where *new* starts."""
    text = SPEC.read_text()
    assert old in text
    text = text.replace(old, new, 1)
    path = tmp_path / "image.toml"
    path.write_text(text)
    return path, text[: text.index(new.lstrip("\n"))].count("\n") + 1


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        (
            "secure_boot = true",
            'secure_boot = "yes"',
            "[firmware] secure_boot: expected a valid boolean, got 'yes'",
        ),
        (
            "memory_mb = 16384",
            'memory_mb = "16384"',
            "[product] memory_mb: expected a valid integer, got '16384'",
        ),
        ("boot_seconds = 6.0", 'boot_seconds = "6"', "[os] boot_seconds: expected a valid number"),
        ('tpm = "TPM 2.0"', 'tmp = "TPM 2.0"', "[firmware] tmp: no such key (known: "),
        ("reboot_cycles = 3", "reboot_cycle = 3", "[qualification] reboot_cycle: no such key"),
        (
            'name = "Goodix Fingerprint Reader"',
            "name = 3",
            "[[devices]] #6 name: expected a valid string, got 3",
        ),
        (
            'date = "2026-11-21"',
            'date = "21/11/2026"',
            "[os] date: expected a date like 2026-11-21",
        ),
        (
            "drop_key_probability = 0.0",
            "drop_key_probability = 2",
            "[faults] drop_key_probability: expected less than or equal to 1, got 2",
        ),
        ("\n[faults]\n", "\n[fault]\n", "fault: no such key"),
    ],
)
def test_a_bad_key_is_named_with_its_line(tmp_path: Path, old: str, new: str, message: str) -> None:
    path, line = _spec_with(tmp_path, old, new)
    with pytest.raises(ScriptError) as caught:
        read_image(path)
    text = str(caught.value)
    assert text.startswith(f"{path}:{line}: {message}"), text
    assert "\n" not in text


def test_an_empty_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "empty.toml"
    path.write_text("# nothing yet\n")
    with pytest.raises(ScriptError, match=r"empty.toml:1: the image has no name"):
        read_image(path)


def test_the_repository_image_files_are_valid() -> None:
    spec = read_image(SPEC)
    assert (spec.name, spec.version, spec.serial) == (
        "RoboOS Pro 24H2 factory image",
        "26100.2314",
        "CB14G3-2611-0042",
    )
    assert read_image(GOLDEN).name == "RoboOS Pro 24H2 golden image"
    assert ProductImage.load(SPEC).bios_version == "1.07.3"


def test_a_minimal_station_file_is_valid(tmp_path: Path) -> None:
    path = tmp_path / "image.toml"
    path.write_text(
        '[image]\nname = "Win11-Factory"\nversion = "24H2.7"\n\n'
        '[laptop]\nserial = "SN-0042"\n\n[suite]\nanything = [1, "two"]\n'
    )
    info = read_image(path)
    assert (info.name, info.version, info.serial) == ("Win11-Factory", "24H2.7", "SN-0042")


def test_the_simulator_refuses_unknown_keys_too(tmp_path: Path) -> None:
    path, line = _spec_with(tmp_path, "[battery]", "[battery]\ncolour = 'red'")
    with pytest.raises(ImageError, match=rf"image.toml:{line + 1}: \[battery\] colour: no such"):
        ProductImage.load(path)


def test_key_line_finds_the_nth_array_entry() -> None:
    text = "[[devices]]\nname = 'a'\n\n[[devices]]\ncategory = 'b'\nname = 'c'\n"
    assert key_line(text, ("devices", 1, "name")) == 6
    assert key_line(text, ("devices", 0, "name")) == 2
    assert key_line(text, ("devices", 1, "vendor")) == 4  # missing: the entry's header


def test_rtest_run_prints_one_line_and_exits_2(tmp_path: Path) -> None:
    path, line = _spec_with(tmp_path, "secure_boot = true", "secure_boot = 1")
    suite = tmp_path / "suite"
    suite.mkdir()
    (suite / "a.rtest").write_text("test 'a':\n    pass\n")
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "robotest",
            "run",
            str(suite),
            "--station",
            "record",
            "--image",
            str(path),
            "--db",
            str(tmp_path / "r.db"),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert result.returncode == 2
    assert result.stderr.strip() == (
        f"error: {path}:{line}: [firmware] secure_boot: expected a valid boolean, got 1"
    )
    assert "Traceback" not in result.stdout
