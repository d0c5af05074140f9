"""The runtime that drives a station: keys and pointer out, camera frames in.

Every robot statement becomes driver commands and vision queries: `press` sends
chords to the station's keyboard, `click_icon` rectifies a fresh frame, localises the
icon and clicks its centre, `await_*` poll fresh frames on the station's clock until
found or out of time. Failures raise the typed errors of :mod:`robotest.errors` with
what was expected and what was closest.
"""

from __future__ import annotations

import contextlib
import glob
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import numpy as np

from robotest.drivers.keymap import chord_for_character
from robotest.drivers.station import Station
from robotest.errors import IconNotFound, ScriptError, StillOnScreen, TextNotFound
from robotest.runtime.backend import Icon as IconRef
from robotest.runtime.backend import Match, Point, Region, Runtime
from robotest.runtime.match_overlay import failed_match_overlay
from robotest.runtime.screen import ScreenView
from robotest.settings import settings

if TYPE_CHECKING:
    from robotest.vision.ocr_engine import OcrResult

T = TypeVar("T")
DEFAULT_WITHIN = 10.0  # seconds, when a statement gives no `within`
_MAX_RIVALS = 16  # look-alikes of one icon checked at most (each costs a local search)
POLL_INTERVAL = 0.25  # seconds of station time between looks
KEY_HOLD = 0.08  # seconds an actuator holds a key by default


@dataclass
class Closest:
    """What a failed search came nearest to, for the error message (and, for an icon,
    the picture of its best candidate)."""

    describe: str = "nothing similar"
    picture: Callable[[], np.ndarray] | None = None
    screen: np.ndarray | None = None  # the screen the picture is drawn on


@dataclass
class StationRuntime(Runtime):
    """Implements the robot statements on a :class:`robotest.drivers.Station`."""

    station: Station = None  # type: ignore[assignment]  # dataclass order: given by keyword
    icon_paths: Sequence[Path] = ()
    default_within: float = DEFAULT_WITHIN
    poll_interval: float = POLL_INTERVAL
    key_hold: float = KEY_HOLD
    view: ScreenView = field(init=False)
    _icons: dict[str, Any] = field(default_factory=dict, repr=False)
    _rivals: dict[str, list[Any]] = field(default_factory=dict, repr=False)
    _pointer: Point | None = None  # where this runtime last put the pointer

    def __post_init__(self) -> None:
        self.view = ScreenView(
            self.station.camera,
            self.station.calibration_file,
            size=self.station.screen_size,
            framebuffer=self.station.framebuffer,
        )
        product = self.config.get("product") or {}
        self.serial = str(product.get("serial") or self.station.serial)

    def close(self) -> None:
        """Leave the station safe and closed (the runner calls this when the run ends)."""
        self.station.close()

    def start(self) -> None:
        """Calibrate on whatever the laptop shows now, before any test needs the screen."""
        with self.thinking():
            while self.view.calibrate() is None:
                pass

    # -- time ---------------------------------------------------------------------
    def now(self) -> float:
        return float(self.station.clock.now())

    def sleep(self, seconds: float) -> None:
        if seconds > 0:
            self.station.clock.sleep(seconds)

    # -- what the robot sees ----------------------------------------------------------
    def capture_screen(self) -> np.ndarray | None:
        """The current screen, for screenshots and failure images."""
        return self.view.look()

    def last_screen(self) -> np.ndarray | None:
        """The screen seen last (the same object while it has not changed), if any."""
        return self.view.last()

    def thinking(self) -> contextlib.AbstractContextManager[None]:
        """While the robot's computer works, a simulated station's time stands still."""
        return self.station.thinking()

    def _poll(self, find: Callable[[np.ndarray], T | None], within: float | None) -> T | None:
        """Look until *find* gives something or the time is up (the deadline applies)."""
        limit = self.remaining(self.default_within if within is None else within)
        deadline = self.now() + max(0.0, limit or 0.0)
        while True:
            self.check_deadline()
            with self.thinking():
                found = find(self.view.look())
            if found is not None:
                return found
            if self.now() >= deadline:
                return None
            self.sleep(min(self.poll_interval, max(0.0, deadline - self.now())))

    def _icon(self, name: str) -> Any:
        from robotest.vision import Icon

        if name not in self._icons:
            for folder in self.icon_paths:
                for candidate in (Path(folder) / name, Path(folder) / f"{name}.png"):
                    if candidate.exists():
                        self._icons[name] = Icon.load(candidate)
                        return self._icons[name]
            searched = ", ".join(str(p) for p in self.icon_paths) or "no icon folder"
            raise ScriptError(f"no icon named {name!r} (looked in {searched})")
        return self._icons[name]

    def _icon_rivals(self, name: str) -> list[Any]:
        """The icon's look-alikes: the other icons of its folders whose name shares its first
        word (``folder-music`` for ``folder-videos``); a match they fit as well is refused."""
        from robotest.vision import VisionInputError

        if name not in self._rivals:
            first = _first_word(name)
            names = {
                path.name if path.is_dir() else path.stem
                for folder in self.icon_paths
                for path in sorted(Path(folder).glob(f"{glob.escape(first)}*"))[:_MAX_RIVALS]
                if (path.is_dir() or path.suffix.lower() == ".png")
                and path.stem != name
                and _first_word(path.stem) == first
            }
            rivals = []
            for rival in sorted(names):  # loaded once, shared with a search for the rival itself
                with contextlib.suppress(VisionInputError):  # not an icon: no rival
                    rivals.append(self._icon(rival))
            self._rivals[name] = rivals
        return self._rivals[name]

    def _find_icon(
        self, name: str, region: Region | None, closest: Closest, params: Any = None
    ) -> Callable[[np.ndarray], Match | None]:
        from robotest.vision import locate_distinct

        icon = self._icon(name)
        rivals = self._icon_rivals(name)

        def find(screen: np.ndarray) -> Match | None:
            match = locate_distinct(screen, icon, rivals, region, params=params)
            if match.found and match.box is not None:
                return Match(tuple(match.box), match.score, version=match.version)  # type: ignore[arg-type]
            if match.box is not None and _inside(self._pointer, match.box):
                self._park_pointer()  # the pointer may hide the icon: look again without it
            where = f" at {tuple(match.box)}" if match.box is not None else ""
            scale = f", scale {match.scale:.2f}, version {match.version}" if match.scale else ""
            rival = f"; icon {match.rival!r} fits there as well" if match.rival else ""
            if match.structure is not None and match.score >= match.threshold and not rival:
                rival = f"; its edges do not run like the icon's (structure {match.structure:.2f})"
            closest.describe = (
                f"best score {match.score:.2f}{where}{scale} (needs {match.threshold:.2f}){rival}"
            )
            closest.picture = lambda: failed_match_overlay(screen, match, icon, name)
            closest.screen = screen
            return None

        return find

    def _find_text(
        self, text: str | re.Pattern[str], region: Region | None, closest: Closest
    ) -> Callable[[np.ndarray], Match | None]:
        from robotest.vision import find_text, screen_text

        # OCR splits words where the font leaves a gap ("qa@qa- laptop"): a part of a line
        # counts when it holds the text with the spaces left out on both sides
        wanted = "".join(text.split()).casefold() if isinstance(text, str) else ""

        def find(screen: np.ndarray) -> Match | None:
            if isinstance(text, str):  # whole words, tolerating OCR's slips
                found = find_text(screen, text, region)
                if found.found and found.box is not None:
                    return Match(tuple(found.box), 1.0, text=found.text)  # type: ignore[arg-type]
            for line in screen_text(screen, region).lines:  # a pattern, or part of a line
                read = " ".join(w.text for w in line)
                if isinstance(text, re.Pattern):
                    hit = text.search(read) is not None
                else:
                    hit = wanted in "".join(read.split()).casefold()
                if hit:
                    return Match(_union([w.box for w in line]), 1.0, text=read)
            lines = [" ".join(w.text for w in line) for line in screen_text(screen, region).lines]
            closest.describe = "screen reads: " + (" | ".join(lines)[:200] or "no text")
            return None

        return find

    # -- statements -----------------------------------------------------------------
    def press(
        self,
        specs: Sequence[tuple[str, ...]],
        *,
        times: int,
        every: float | None,
        hold: float | None,
    ) -> None:
        for round_ in range(times):
            for index, chord in enumerate(specs):
                self.check_deadline()
                self.station.keyboard.press(chord, hold=self.key_hold if hold is None else hold)
                last = round_ == times - 1 and index == len(specs) - 1
                if every and not last:
                    self.sleep(every)

    def type_text(self, text: str, *, every: float | None) -> None:
        chords = [chord_for_character(char) for char in text]  # refuse untypeable text first
        for chord in chords:
            self.check_deadline()
            self.station.keyboard.press(chord, hold=self.key_hold)
            if every:
                self.sleep(every)

    def await_text(self, text: Any, *, region: Region | None, within: float | None) -> Match:
        closest = Closest()
        found = self._poll(self._find_text(text, region, closest), within)
        if found is None:
            raise TextNotFound(
                f"{_show(text)} not on screen within {self._limit(within)}; {closest.describe}"
            )
        return found

    def await_icon(
        self, target: str, *, region: Region | None, within: float | None, params: Any = None
    ) -> Match:
        closest = Closest()
        found = self._poll(self._find_icon(target, region, closest, params), within)
        if found is None:
            raise IconNotFound(
                f"icon {target!r} not on screen within {self._limit(within)}; {closest.describe}",
                picture=None if closest.picture is None else closest.picture(),
                screen=closest.screen,
            )
        return found

    def exists_text(self, text: Any, *, region: Region | None, within: float) -> Match | None:
        return self._poll(self._find_text(text, region, Closest()), within)

    def exists_icon(self, target: str, *, region: Region | None, within: float) -> Match | None:
        return self._poll(self._find_icon(target, region, Closest()), within)

    def await_gone(self, target: Any, *, region: Region | None, within: float | None) -> None:
        closest = Closest()
        if isinstance(target, IconRef):
            find = self._find_icon(target.name, region, closest)
        else:
            find = self._find_text(target, region, closest)
        gone = self._poll(lambda screen: None if find(screen) is not None else True, within)
        if gone is None:
            what = f"icon {target.name!r}" if isinstance(target, IconRef) else _show(target)
            raise StillOnScreen(f"{what} still on screen after {self._limit(within)}")

    def click_icon(
        self,
        target: str,
        *,
        region: Region | None,
        within: float | None,
        button: str,
        double: bool,
        params: Any = None,
    ) -> Match:
        match = self.await_icon(target, region=region, within=within, params=params)
        self.click(match.center, button=button, double=double)
        return match

    def click_text(
        self, text: Any, *, region: Region | None, within: float | None, button: str, double: bool
    ) -> Match:
        match = self.await_text(text, region=region, within=within)
        self.click(match.center, button=button, double=double)
        return match

    def read_text(self, *, anchor: Any, side: str | None, region: Region | None) -> str:
        from robotest.vision import screen_text
        from robotest.vision.text_search import beside

        if anchor is None:
            with self.thinking():
                return str(screen_text(self.view.look(), region).text).strip()
        vision_anchor = self._icon(anchor.name) if isinstance(anchor, IconRef) else anchor
        if isinstance(anchor, IconRef):
            self.await_icon(anchor.name, region=region, within=None)
        else:
            self.await_text(anchor, region=region, within=None)
        with self.thinking():
            read = beside(self.view.look(), vision_anchor, side, region)  # type: ignore[arg-type]
        if read.doubtful:
            self.log(_doubt_note(read))
        return str(read.text).strip()

    def click(self, point: Point, *, button: str, double: bool) -> None:
        self.move_to(point)
        self.station.pointer.click(button, double=double)

    def move_to(self, point: Point) -> None:
        self.check_deadline()
        self.station.pointer.move_to(*point)
        self._pointer = point

    def _park_pointer(self) -> None:
        """Move the pointer to the middle of the screen's right edge, where it hides nothing."""
        width, height = self.view.screen_size
        self.move_to((width - 1, height // 2))

    def screenshot(self, name: str | None) -> None:
        self.capture_screen()

    def _limit(self, within: float | None) -> str:
        return f"{self.default_within if within is None else within:g}s"


def _doubt_note(read: OcrResult) -> str:
    """The report's line for a read with characters in doubt (:attr:`.OcrResult.doubtful`):
    the text with each doubtful character bracketed, so that a value that fails its check
    is seen to have been read unsure, not confidently wrong."""
    marked = " ".join(
        "".join(f"[{c}]" if i in w.doubt else c for i, c in enumerate(w.text)) for w in read.words
    )
    return f"read_text: {read.text.strip()!r} read with characters in doubt: {marked}"


def _show(text: Any) -> str:
    return f"/{text.pattern}/" if isinstance(text, re.Pattern) else repr(text)


def _first_word(name: str) -> str:
    return name.replace("_", "-").split("-")[0]


def _inside(point: Point | None, box: Sequence[int]) -> bool:
    if point is None:
        return False
    x, y, w, h = box
    return x <= point[0] < x + w and y <= point[1] < y + h


def _union(boxes: Sequence[Region]) -> Region:
    x0 = min(b[0] for b in boxes)
    y0 = min(b[1] for b in boxes)
    x1 = max(b[0] + b[2] for b in boxes)
    y1 = max(b[1] + b[3] for b in boxes)
    return (x0, y0, x1 - x0, y1 - y0)


def open_runtime(spec: str, options: Mapping[str, Any]) -> StationRuntime:
    """The runner's entry point: open station *spec* (``sim``, ``sim:NAME`` or a station
    file) and calibrate.

    Icons are looked up in the ``icons/`` folder next to the suite's scripts, then in the
    folders of ``RTEST_ICONS`` (``:``-separated), then in the station's own folders (the
    simulated laptop's artwork on the ``sim`` station: see
    :func:`robotest.drivers.sim_station.open_sim_for_run`).
    """
    from robotest.drivers import open_station_for_run

    station, station_icons = open_station_for_run(spec, options.get("image_file"))
    return start_runtime(station, station_icons, options)


def start_runtime(
    station: Station, station_icons: Sequence[Path], options: Mapping[str, Any]
) -> StationRuntime:
    """The runtime on an open *station*, calibrated; the station is closed if that fails."""
    icon_paths = [Path(folder) / "icons" for folder in options.get("suite_dirs", ())]
    icon_paths += [*settings().icon_folders, *station_icons]
    runtime = StationRuntime(
        config=options.get("config", {}),
        station=station,
        icon_paths=[p for p in icon_paths if p.is_dir()],
    )
    try:
        runtime.start()
    except BaseException:
        station.close()
        raise
    return runtime
