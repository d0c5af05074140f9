"""Every environment variable robotest reads, in one validated settings object.

``settings()`` reads the environment each time it is called (a command's option may
set a variable for the rest of the process and its children), checks every value with
pydantic and gives one typed object; a bad value is one :class:`SettingsError` line
naming the variable. The table in ``docs/running.md`` ("Environment variables") is
checked against :data:`Settings` by a test, so the two cannot drift apart.

Older names (``ROBOTEST_TORCH_THREADS``, ``ROBOTEST_EDGE_HOME``) are still read, after
the ``RTEST_`` name.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

from pydantic import AliasChoices, BaseModel, ConfigDict, Field, ValidationError, field_validator

from robotest.errors import ScriptError


class SettingsError(ScriptError):
    """An environment variable with a value robotest cannot use."""


def _env(name: str, *older: str, default: Any = None, help: str) -> Any:
    return Field(default, validation_alias=AliasChoices(name, *older), description=help)


class Settings(BaseModel):
    """robotest's environment, validated (field name -> ``RTEST_`` variable)."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    results_db: Path | None = _env(
        "RTEST_RESULTS_DB",
        help="The results database when `--db` is not given (default `results/results.db` "
        "in the suite's root).",
    )
    icons: str = _env(
        "RTEST_ICONS",
        default="",
        help="More icon folders, `:`-separated, searched after the suite's own `icons/` folder.",
    )
    sim_seed: int = _env(
        "RTEST_SIM_SEED", default=0, help="The simulated station's seed (laptop faults and camera)."
    )
    sim_speed: float = _env(
        "RTEST_SIM_SPEED",
        default=8.0,
        help="How much faster than real time the simulated station runs (default 8).",
    )
    sim_camera: Literal["nominal", "sampled", "glare"] = _env(
        "RTEST_SIM_CAMERA",
        default="nominal",
        help="The simulated station's camera: "
        "`nominal`, `sampled` (drawn from the seed) or `glare`.",
    )
    cache_dir: Path | None = _env(
        "RTEST_CACHE_DIR",
        help="Where compiled `.rtest` modules are cached (default "
        "`$XDG_CACHE_HOME/robotest/compile`).",
    )
    no_cache: bool = _env(
        "RTEST_NO_CACHE",
        default=False,
        help="`1`: compile every `.rtest` file afresh (`rtest check --no-cache` sets it).",
    )
    max_image_megapixels: float | None = _env(
        "RTEST_MAX_IMAGE_MEGAPIXELS",
        help="Largest image accepted, checked from the file's header before decoding (default 50).",
    )
    torch_threads: int = _env(
        "RTEST_TORCH_THREADS",
        "ROBOTEST_TORCH_THREADS",
        default=0,
        help="CPU threads for PyTorch in the inspection plugin (default 1).",
    )
    ocr_threads: int = _env(
        "RTEST_OCR_THREADS",
        default=0,
        help="Threads reading a screen's lines of text at once (default: the cores less one, "
        "at most 4; `1`: one after another).",
    )
    edge_home: Path = _env(
        "RTEST_EDGE_HOME",
        "ROBOTEST_EDGE_HOME",
        default=Path("inspection-edge"),
        help="The inspection edge service's registry folder (default `./inspection-edge`).",
    )
    server: str | None = _env(
        "RTEST_SERVER", help="The script server's URL, for the commands that take `--server`."
    )
    token: str | None = _env(
        "RTEST_TOKEN", help="An access token, for the commands that take `--token`."
    )
    server_key: Path | None = _env(
        "RTEST_SERVER_KEY", help="The script server's public key (`--public-key`)."
    )
    forecast_token: str | None = _env(
        "RTEST_FORECAST_TOKEN", help="The forecast service's API token."
    )

    @field_validator("ocr_threads")
    @classmethod
    def _not_negative(cls, value: int) -> int:
        if value < 0:
            raise ValueError("must be 0 (the default) or more")
        return value

    @field_validator("sim_speed", "max_image_megapixels")
    @classmethod
    def _positive(cls, value: float | None) -> float | None:
        if value is not None and not value > 0:
            raise ValueError("must be a positive number")
        return value

    @property
    def icon_folders(self) -> list[Path]:
        return [Path(p) for p in self.icons.split(os.pathsep) if p]


def variable(field: str) -> str:
    """The environment variable of a :class:`Settings` field (``"token"`` -> ``RTEST_TOKEN``)."""
    alias = Settings.model_fields[field].validation_alias
    assert isinstance(alias, AliasChoices)
    return str(alias.choices[0])


def variables() -> dict[str, str]:
    """Every field and its variable, in declaration order (for the docs' table)."""
    return {name: variable(name) for name in Settings.model_fields}


def settings(environ: Mapping[str, str] | None = None) -> Settings:
    """The settings from *environ* (default: this process's environment); an empty
    variable counts as unset."""
    source = os.environ if environ is None else environ
    given = {
        key: value
        for key, value in source.items()
        if value.strip() and key.startswith(("RTEST_", "ROBOTEST_"))
    }
    try:
        return Settings.model_validate(given)
    except ValidationError as exc:
        error = exc.errors()[0]
        name = _variable_of(error["loc"], given)
        got = given.get(name, "")
        message = str(error["msg"]).removeprefix("Value error, ").lower()
        raise SettingsError(f"{name}={got!r}: {message}") from None


def _variable_of(location: tuple[int | str, ...], given: Mapping[str, str]) -> str:
    """The variable a pydantic error location names (the alias the user set)."""
    key = str(location[0]) if location else ""
    for field, info in Settings.model_fields.items():
        alias = info.validation_alias
        choices = [str(c) for c in alias.choices] if isinstance(alias, AliasChoices) else []
        if key == field or key in choices:
            return next((c for c in choices if c in given), choices[0] if choices else key)
    return key


def markdown_table() -> str:
    """The table of ``docs/running.md`` ("Environment variables"), from :class:`Settings`."""
    rows = ["| Variable | What it sets |", "|---|---|"]
    for name, info in Settings.model_fields.items():
        alias = info.validation_alias
        older = [str(c) for c in alias.choices[1:]] if isinstance(alias, AliasChoices) else []
        also = f" (also read: `{'`, `'.join(older)}`)" if older else ""
        rows.append(f"| `{variable(name)}` | {info.description}{also} |")
    return "\n".join(rows) + "\n"
