"""One settings object for every environment variable: typed, validated, documented once."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from robotest.settings import Settings, SettingsError, markdown_table, settings, variables

ROOT = Path(__file__).resolve().parents[2]


def test_values_are_typed_and_empty_means_unset() -> None:
    chosen = settings(
        {
            "RTEST_SIM_SPEED": "4",
            "RTEST_SIM_SEED": "7",
            "RTEST_RESULTS_DB": " ",
            "RTEST_ICONS": "/a:/b",
            "RTEST_NO_CACHE": "1",
        }
    )
    assert (chosen.sim_speed, chosen.sim_seed, chosen.results_db) == (4.0, 7, None)
    assert chosen.icon_folders == [Path("/a"), Path("/b")] and chosen.no_cache
    assert settings({}) == Settings()


def test_older_names_are_read_after_the_rtest_name() -> None:
    assert settings({"ROBOTEST_TORCH_THREADS": "3"}).torch_threads == 3
    both = {"ROBOTEST_TORCH_THREADS": "3", "RTEST_TORCH_THREADS": "2"}
    assert settings(both).torch_threads == 2


@pytest.mark.parametrize(
    ("name", "value", "words"),
    [
        ("RTEST_SIM_SPEED", "fast", "valid number"),
        ("RTEST_SIM_SPEED", "-1", "positive"),
        ("RTEST_SIM_CAMERA", "fisheye", "'nominal', 'sampled' or 'glare'"),
        ("ROBOTEST_TORCH_THREADS", "many", "valid integer"),
    ],
)
def test_a_bad_value_is_one_line_naming_the_variable(name: str, value: str, words: str) -> None:
    with pytest.raises(SettingsError) as caught:
        settings({name: value})
    message = str(caught.value)
    assert message.startswith(f"{name}={value!r}: ") and words in message and "\n" not in message


def test_the_command_line_stops_on_a_bad_variable_before_anything_runs(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "robotest", "run", str(ROOT / "scripts"), "--station", "record"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT), "RTEST_SIM_SPEED": "fast"},
        timeout=60,
    )
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [
        "error: RTEST_SIM_SPEED='fast': input should be a valid number, "
        "unable to parse string as a number"
    ]
    assert not (tmp_path / "results").exists()


def test_the_docs_table_is_the_settings_table() -> None:
    docs = (ROOT / "docs" / "running.md").read_text()
    assert markdown_table() in docs
    assert set(re.findall(r"^\| `(\w+)` \|", markdown_table(), re.M)) == set(variables().values())


def test_no_module_reads_an_rtest_variable_around_the_settings() -> None:
    pattern = re.compile(r"environ(?:\.get)?\(?\[?[\"'](?:RTEST|ROBOTEST)_")
    readers = [
        str(path.relative_to(ROOT))
        for path in (ROOT / "robotest").rglob("*.py")
        if pattern.search(path.read_text())
    ]
    assert readers == []
