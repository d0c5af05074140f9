"""Errors of the station's drivers: each names the port or device it concerns.

Faults of the robot are :class:`~robotest.errors.StationError` subclasses (never a
failed laptop); requests the safety governor refuses and keys missing from the keymap
are :class:`~robotest.errors.ScriptError` subclasses (the script asked for them).
"""

from __future__ import annotations

from robotest.errors import CameraError, DriverError, ScriptError, StationError

__all__ = [
    "ActuatorStuck",
    "CameraError",
    "ControllerSilent",
    "DriverError",
    "LowPressure",
    "PortGone",
    "ProtocolError",
    "SafetyLimitError",
    "StationConfigError",
    "StationError",
    "UnmappedKey",
    "UsbDeviceGone",
    "UsbPermissionError",
    "VncAuthError",
    "VncConnectionError",
]


class ControllerSilent(DriverError):
    """The keyboard controller did not answer a command after every retry."""


class PortGone(DriverError):
    """The serial port vanished (unplugged) and did not come back in time."""


class ProtocolError(DriverError):
    """The controller refused a command it should accept (NAK with a permanent code)."""


class LowPressure(DriverError):
    """The compressed-air supply is below what the actuators need."""


class ActuatorStuck(DriverError):
    """An actuator stays down after release: its key is stuck."""


class UsbDeviceGone(DriverError):
    """The USB controller is not on the bus (unplugged, or never plugged)."""


class UsbPermissionError(DriverError):
    """The USB controller is there but this user may not open it (udev rule)."""


class StationConfigError(StationError):
    """The station file is wrong (bad TOML, missing or invalid entry)."""


class SafetyLimitError(ScriptError):
    """The script asked for an actuation beyond the station's safety limits."""


class UnmappedKey(ScriptError):
    """The key has no actuator (or HID code) on this station's laptop model."""


class VncConnectionError(DriverError):
    """A VNC station's server refused the connection, went away, or stopped answering."""


class VncAuthError(DriverError):
    """A VNC station's server refused the password."""
