"""A person's session with the simulated laptop: steps such as ``press F2`` or ``wait 5``.

Used by ``rtest sim``: each step is one line of text, parsed by :func:`parse_step` and
applied to a :class:`SimSession` (a laptop, its camera and a clock). Lines that are not
steps are robot statements and Python, run as ``rtest shell --station sim`` runs them.
"""

from __future__ import annotations

import shlex
from dataclasses import dataclass
from pathlib import Path

import cv2

from robotest.drivers.clock import Clock, ManualClock, RealClock
from robotest.errors import RobotestError, ScriptError
from robotest.keys import parse_key_spec
from robotest.sim.camera import SimCamera
from robotest.sim.image import ProductImage
from robotest.sim.laptop import SimLaptop

KEY_HOLD_SECONDS = 0.05
KEY_GAP_SECONDS = 0.1

STEP_HELP = {
    "press": "press KEYSPEC [KEYSPEC...]   keys one after another; chords with + (ctrl+alt+Delete)",
    "type": "type TEXT                     type text (quote it for spaces)",
    "click": "click X Y                     left click at screen pixel X, Y",
    "double_click": "double_click X Y              double click at X, Y",
    "right_click": "right_click X Y               right click at X, Y",
    "move": "move X Y                      move the pointer to X, Y",
    "scroll": "scroll DY                     wheel: positive scrolls up",
    "wait": "wait SECONDS                  let time pass",
    "screen": "screen FILE.png               save the clean screen",
    "frame": "frame FILE.png                save the camera frame",
    "state": "state                         print the screen's state name",
}


class StepError(RobotestError):
    """A step line is malformed (the message names the step)."""


@dataclass(frozen=True)
class Step:
    verb: str
    args: tuple[str, ...]
    text: str


def parse_step(text: str) -> Step:
    """Parse one step line; raise :class:`StepError` saying what is wrong."""
    try:
        words = shlex.split(text)
    except ValueError as exc:
        raise StepError(f"step {text!r}: {exc}") from None
    if not words:
        raise StepError("empty step")
    verb, args = words[0].lower(), tuple(words[1:])
    if verb not in STEP_HELP:
        raise StepError(f"step {text!r}: unknown step {verb!r} (known: {', '.join(STEP_HELP)})")
    counts = {"press": None, "type": 1, "scroll": 1, "wait": 1, "screen": 1, "frame": 1, "state": 0}
    wanted = counts.get(verb, 2)
    if (wanted is None and not args) or (wanted is not None and len(args) != wanted):
        raise StepError(f"step {text!r}: usage: {STEP_HELP[verb].split('  ')[0]}")
    try:
        if verb in ("click", "double_click", "right_click", "move", "scroll"):
            [int(a) for a in args]
        if verb == "wait" and not 0 <= float(args[0]) < 1e6:
            raise StepError(f"step {text!r}: wait between 0 and 1e6 seconds")
        if verb == "press":
            for spec in args:
                parse_key_spec(spec)
    except ValueError:
        raise StepError(f"step {text!r}: usage: {STEP_HELP[verb].split('  ')[0]}") from None
    except ScriptError as exc:
        raise StepError(f"step {text!r}: {exc}") from None
    return Step(verb, args, text)


class SimSession:
    """A simulated laptop, its camera and a clock (simulated by default, or real time)."""

    def __init__(
        self,
        image: ProductImage,
        seed: int = 0,
        camera_seed: int | None = None,
        realtime: bool = False,
        *,
        laptop: SimLaptop | None = None,
        clock: Clock | None = None,
    ) -> None:
        """*laptop* and *clock*: a laptop already running (the one a sim station drives,
        so that robot statements and these steps act on the same machine)."""
        self.clock: Clock = clock or (RealClock() if realtime else ManualClock(0.0))
        self.laptop = laptop or SimLaptop(image, self.clock.now, seed=seed)
        self.camera_seed = seed if camera_seed is None else camera_seed
        self._camera: SimCamera | None = None
        self.started = self.clock.now()

    @property
    def camera(self) -> SimCamera:
        if self._camera is None:
            self._camera = SimCamera(self.laptop, seed=self.camera_seed)
        return self._camera

    @property
    def elapsed(self) -> float:
        return self.clock.now() - self.started

    def run(self, step: Step) -> str | None:
        """Apply one step; returns a line to print, if any."""
        verb, args = step.verb, step.args
        if verb == "press":
            for spec in args:
                self.press(parse_key_spec(spec))
        elif verb == "type":
            self.type_text(args[0])
        elif verb in ("click", "double_click", "right_click"):
            x, y = int(args[0]), int(args[1])
            self.laptop.pointer_move(x, y)
            button = "right" if verb == "right_click" else "left"
            for _ in range(2 if verb == "double_click" else 1):
                self._button(button)
        elif verb == "move":
            self.laptop.pointer_move(int(args[0]), int(args[1]))
        elif verb == "scroll":
            self.laptop.scroll(int(args[0]))
        elif verb == "wait":
            self.clock.sleep(float(args[0]))
        elif verb == "screen":
            return self.save(Path(args[0]), camera=False)
        elif verb == "frame":
            return self.save(Path(args[0]), camera=True)
        elif verb == "state":
            return self.describe()
        return None

    def press(self, keys: tuple[str, ...]) -> None:
        """Press a chord: keys down in order, held briefly, released in reverse order."""
        try:
            for key in keys:
                self.laptop.key_event(key, True)
            self.clock.sleep(KEY_HOLD_SECONDS)
        finally:
            for key in reversed(keys):
                self.laptop.key_event(key, False)
        self.clock.sleep(KEY_GAP_SECONDS)

    def type_text(self, text: str) -> None:
        for char in text:
            if char == " ":
                self.press(("Space",))
            elif char.isalpha() and char.isupper():
                self.press(("Shift", char.lower()))
            else:
                self.press((char,))

    def _button(self, button: str) -> None:
        self.laptop.pointer_button(button, True)
        self.clock.sleep(KEY_HOLD_SECONDS)
        self.laptop.pointer_button(button, False)
        self.clock.sleep(KEY_HOLD_SECONDS)

    def save(self, path: Path, camera: bool) -> str:
        """Write the clean screen or the camera frame as PNG; returns what was saved."""
        picture = self.camera.grab() if camera else self.laptop.screen()
        if path.suffix.lower() != ".png":
            raise StepError(f"{path}: pictures are saved as PNG (use a .png file name)")
        if not path.parent.is_dir():
            raise StepError(f"{path}: folder {path.parent} does not exist")
        if not cv2.imwrite(str(path), picture):
            raise StepError(f"{path}: could not write the picture")
        what = "camera frame" if camera else "screen"
        height, width = picture.shape[:2]
        return f"saved {what} {width}x{height} to {path}"

    def describe(self) -> str:
        return f"state: {self.laptop.state} (t={self.elapsed:.2f} s)"
