"""The error families every layer shares, and the outcome each one means.

A step that finds the laptop not doing what the script expects is a *failure* of the
image; a mistake in the script itself is a script *error*; a fault of the robot (a
driver, the camera, the emergency stop) is a *station error* and is never counted
against the image.
"""

from __future__ import annotations


class RobotestError(Exception):
    """Base of every error robotest raises on purpose."""


class ScriptError(RobotestError):
    """The script is wrong (bad key name, bad argument, duplicate test title...)."""


class StepFailed(RobotestError, AssertionError):
    """The laptop did not do what the script expects: the image fails.

    *picture* is what the report shows for the failure instead of the bare screen (a
    failed icon search's overlay); *screen* is the screen it was drawn on, kept so that a
    new look can be captured from the step (``rtest icon capture --step``). Both are
    numpy images or None.
    """

    def __init__(self, *args: object, picture: object = None, screen: object = None) -> None:
        super().__init__(*args)
        self.picture = picture
        self.screen = screen


class TextNotFound(StepFailed):
    """Text awaited or clicked was not on screen before the deadline."""


class IconNotFound(StepFailed):
    """An icon awaited or clicked was not on screen before the deadline."""


class StillOnScreen(StepFailed):
    """Text or an icon that should have left the screen is still there."""


class StepTimeout(StepFailed):
    """A step, sub-script or test ran past its time limit."""


class DryRunStop(RobotestError):
    """The ``record`` station reached a question about the screen (``exists_text``,
    ``exists_icon``, ``read_text``) that it cannot answer: the dry run of the case stops
    there, as skipped; what the screen shows is checked on the sim or a robot."""


class StationError(RobotestError):
    """The robot itself is at fault; the run of this station stops cleanly."""


class DriverError(StationError):
    """A keyboard, pointer or controller driver fault (names the port or device)."""


class CameraError(StationError):
    """The camera returned nothing, frozen frames or the wrong resolution."""


class EmergencyStop(StationError):
    """The emergency stop was pressed: everything was released."""
