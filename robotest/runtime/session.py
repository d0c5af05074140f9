"""What a run executes on: the runtime for a station spec, and the image under test.

:func:`make_runtime` is the single place where a ``--station`` value becomes a
:class:`Runtime`. ``record`` is a :class:`RecordingRuntime` (records statements instead
of driving a robot; failures injected with ``--record-fail``). ``sim`` and station
``.toml`` files are served by the station runtime through one entry point:

``robotest.runtime.station_runtime.open_runtime(spec: str, options: Mapping) -> Runtime``

- *spec* is ``"sim"`` or the path of a station TOML file; *options* holds ``config``
  (``{"product": <the --image TOML as a dict>, "station": <station name>}``, what
  scripts see as ``config``) and the record-station keys, which it may ignore.
- It returns a :class:`Runtime` subclass implementing the robot statements. Every
  statement is recorded as a step by :class:`~robotest.runtime.steps.StepRecorder`
  around it, so the runtime does not record anything itself.
- Optional hooks the runner uses when present: ``capture_screen()`` (the current
  screen, a numpy image or PNG bytes, for failed steps and `screenshot`), a
  ``screenshot`` attribute on a raised error (its annotated image, preferred), a
  ``serial`` attribute (the laptop's serial number for the reports) and ``close()``
  (called once when the run ends: leave the station safe).
- Raising :class:`~robotest.errors.StationError` from ``open_runtime`` or from any
  statement stops that station's run cleanly: the case is a ``station error``, the
  station's remaining cases are ``skipped``; never a failure of the image.
"""

from __future__ import annotations

import hashlib
import importlib
import importlib.util
import subprocess
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from robotest import language
from robotest.errors import (
    DriverError,
    DryRunStop,
    IconNotFound,
    ScriptError,
    StepFailed,
    StillOnScreen,
    TextNotFound,
)
from robotest.runtime.backend import Icon, Runtime
from robotest.runtime.image_file import load_image_file
from robotest.runtime.recording import Call, RecordingRuntime


class StationSpecError(ScriptError):
    """A ``--station`` value that names no usable station."""


@dataclass(frozen=True)
class ImageInfo:
    """The software image under test, from the product description TOML."""

    name: str = ""
    version: str = ""
    serial: str = ""
    data: Mapping[str, Any] | None = None


def read_image(path: str | Path | None) -> ImageInfo:
    """The image's name, version and serial from the ``--image`` file, validated whole
    (:mod:`robotest.runtime.image_file`); a bad file is a one-line :class:`ScriptError`
    naming its line and key.
    """
    if path is None:
        return ImageInfo()
    description, data = load_image_file(path)
    return ImageInfo(
        description.image_name, description.image_version, description.serial_number, data
    )


def suite_version(paths: Iterable[str | Path]) -> str:
    """The suite's version: the script server's version it was synced to, else
    ``git describe`` of its folder, else a hash of its files."""
    from robotest.station_sync import read_synced_version

    folders = [Path(p) for p in paths]
    folder = next((p if p.is_dir() else p.parent for p in folders), Path("."))
    synced = read_synced_version(folder)
    if synced is not None and synced.version:
        stale = "" if synced.status == "ok" else f", {synced.status}"
        return f"synced {synced.version[:12]} ({synced.channel}{stale})"
    try:
        described = subprocess.run(
            ["git", "-C", str(folder), "describe", "--always", "--dirty", "--tags"],
            capture_output=True,
            text=True,
            timeout=5,
            check=False,
        )
        if described.returncode == 0 and described.stdout.strip():
            return "git " + described.stdout.strip()
    except (OSError, subprocess.SubprocessError):
        pass
    digest = hashlib.sha256()
    for path in folders:
        files = sorted(path.rglob("*.rtest")) if path.is_dir() else [path]
        for file in files:
            if file.is_file():
                digest.update(str(file).encode() + b"\0" + file.read_bytes())
    return "sha256 " + digest.hexdigest()[:12]


# -- the record station: failures on request ---------------------------------------------
_ERRORS: dict[str, type[Exception]] = {
    "icon not found": IconNotFound,
    "text not found": TextNotFound,
    "still on screen": StillOnScreen,
}
_FAILURES = {
    statement.name: _ERRORS[statement.fails]
    for statement in language.STATEMENTS
    if statement.fails is not None
}


@dataclass
class FailSpec:
    """``STATEMENT[:TARGET][*N]``: make the N first matching calls fail (all if no N)."""

    statement: str
    target: str | None
    times: int | None
    station: bool = False

    @classmethod
    def parse(cls, text: str, *, station: bool = False) -> FailSpec:
        head, _, count = text.partition("*")
        statement, _, target = head.partition(":")
        if statement not in language.STEPS:
            raise StationSpecError(
                f"--record-fail {text!r}: {statement!r} is not a robot "
                f"statement ({', '.join(language.STEPS)})"
            )
        if count and not count.isdigit():
            raise StationSpecError(f"--record-fail {text!r}: the count after * must be a number")
        return cls(statement, target or None, int(count) if count else None, station)

    def matches(self, call: Call) -> bool:
        if call.name != self.statement:
            return False
        if self.target is None:
            return True
        return self.target in (_target_text(v) for v in call.args.values())

    def error(self, call: Call) -> Exception:
        if self.station:
            return DriverError(f"record station: injected fault in {call.name}")
        kind = _FAILURES.get(call.name, StepFailed)
        return kind(
            f"{call.name} {self.target or ''}: injected by --record-fail "
            f"(closest: nothing, score 0.00)".replace("  ", " ")
        )


def _target_text(value: Any) -> str:
    if isinstance(value, Icon):
        return value.name
    if isinstance(value, list) and all(isinstance(v, tuple) for v in value):
        return ", ".join("+".join(chord) for chord in value)
    return str(value)


def _responder(specs: list[FailSpec], delay: float, default: Any) -> Callable[[Call], Any]:
    def respond(call: Call) -> Any:
        if delay:
            time.sleep(delay)
        for spec in specs:
            if spec.matches(call) and (spec.times is None or spec.times > 0):
                if spec.times is not None:
                    spec.times -= 1
                raise spec.error(call)
        return default(call)

    return respond


def record_runtime(options: Mapping[str, Any]) -> RecordingRuntime:
    """A recording runtime with ``record_fail``/``record_fault`` specs and ``record_delay``
    (real seconds each statement takes, to stand in for device time)."""
    from robotest.runtime.backend import Match

    specs = [FailSpec.parse(t) for t in options.get("record_fail") or ()]
    specs += [FailSpec.parse(t, station=True) for t in options.get("record_fault") or ()]
    delay = float(options.get("record_delay") or 0.0)
    runtime = RecordingRuntime(config=dict(options.get("config") or {}))
    found = Match((0, 0, 10, 10))
    defaults: dict[str, Callable[[Call], Any]] = {
        "click_icon": lambda c: found,
        "click_text": lambda c: found,
        "await_icon": lambda c: found,
        "await_text": lambda c: Match((0, 0, 10, 10), text=str(c.args.get("text"))),
        **{name: _cannot_tell for name in SCREEN_QUESTIONS},
    }
    for name in language.STEPS:
        runtime.responses[name] = _responder(specs, delay, defaults.get(name, lambda c: None))
    return runtime


#: Statements whose answer is what the screen shows (robotest/language.py: they give a
#: match or None, or the text read, and never fail), which the record station cannot
#: know: the dry run of a case stops (skipped) at the first one that no --record-fail
#: rule answers.
SCREEN_QUESTIONS = tuple(
    statement.name
    for statement in language.STATEMENTS
    if statement.gives in ("match or none", "text")
)


def _cannot_tell(call: Call) -> Any:
    target = next((repr(_target_text(v)) for v in call.args.values() if v is not None), "")
    raise DryRunStop(
        f"dry run stopped at {call.name} {target}: "
        "the record station cannot tell what the screen shows; run the case on the sim "
        "or a station to go further"
    )


STATION_RUNTIME = "robotest.runtime.station_runtime"


def make_runtime(station_spec: str, options: Mapping[str, Any] | None = None) -> Runtime:
    """The runtime for one ``--station`` value.

    ``record`` / ``record:NAME``: a :class:`RecordingRuntime`; *options* may hold
    ``record_fail`` and ``record_fault`` (lists of ``STATEMENT[:TARGET][*N]``),
    ``record_delay`` (seconds) and ``config`` (what scripts see as ``config``).
    ``sim`` / ``sim:NAME`` (several simulated laptops) and ``FILE.toml``:
    ``robotest.runtime.station_runtime.open_runtime(spec, options)``.
    The runner calls the runtime's ``close()``, if it has one, when the run ends.
    """
    check_station_spec(station_spec)
    if station_spec.split(":", 1)[0] == "record":
        return record_runtime(options or {})
    module = importlib.import_module(STATION_RUNTIME)
    runtime: Runtime = module.open_runtime(station_spec, options or {})
    return runtime


def check_station_spec(station_spec: str) -> None:
    """Raise :class:`StationSpecError` for a spec no runtime can serve (opens nothing)."""
    if station_spec.split(":", 1)[0] == "record":
        return
    if station_spec.split(":", 1)[0] != "sim" and not station_spec.endswith(".toml"):
        raise StationSpecError(
            f"station {station_spec!r}: expected 'sim', a station .toml file or 'record'"
        )
    if station_spec.endswith(".toml") and not Path(station_spec).is_file():
        raise StationSpecError(f"station {station_spec!r}: no such station file")


def station_name(station_spec: str) -> str:
    """The name reports show for a station spec (``record:b`` -> ``b``; a TOML -> its stem)."""
    kind, _, name = station_spec.partition(":")
    if name:
        return name
    return Path(station_spec).stem if station_spec.endswith(".toml") else kind
