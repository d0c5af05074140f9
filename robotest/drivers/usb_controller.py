"""The USB controller driver (pyusb): the laptop's mouse, and a HID keyboard alternative.

Each command is one 16-byte packet on bulk OUT 0x01 answered by a 4-byte status on
bulk IN 0x81, with a sequence number so that a resend after a timeout is answered
but not acted on twice. A stalled pipe is cleared and the packet resent; a device
that vanished is looked for again until ``reconnect_timeout``; a permission error
says which udev rule to add.
"""

from __future__ import annotations

import contextlib
import errno
import time
from typing import Any

import usb.core
import usb.util

from robotest.drivers.clock import Clock, RealClock
from robotest.drivers.errors import (
    DriverError,
    ProtocolError,
    UnmappedKey,
    UsbDeviceGone,
    UsbPermissionError,
)
from robotest.drivers.governor import Limits, SafetyGovernor
from robotest.drivers.health import HealthNotes
from robotest.drivers.station import click_with_buttons
from robotest.drivers.usb_protocol import (
    BUTTONS,
    EP_IN,
    EP_OUT,
    HID_USAGE,
    INTERFACE,
    MODIFIER_BITS,
    REQUEST_IN,
    REQUEST_OUT,
    STATUS_SIZE,
    UsbAnswer,
    UsbCommand,
    UsbInfo,
    UsbRequest,
    UsbStatus,
    button_payload,
    encode_packet,
    keyboard_report,
    move_payload,
    scroll_payload,
)
from robotest.errors import ScriptError
from robotest.keys import canonical_key


def udev_hint(vendor_id: int, product_id: int) -> str:
    return (
        "add the udev rule "
        f'SUBSYSTEM=="usb", ATTR{{idVendor}}=="{vendor_id:04x}", '
        f'ATTR{{idProduct}}=="{product_id:04x}", MODE="0660", GROUP="plugdev" '
        "to /etc/udev/rules.d/70-robotest.rules, run "
        "`sudo udevadm control --reload-rules && sudo udevadm trigger`, "
        "and make sure this user is in the plugdev group"
    )


class UsbController:
    """One USB controller: finds, configures and talks to the device."""

    def __init__(
        self,
        vendor_id: int,
        product_id: int,
        *,
        backend: Any = None,
        timeout_ms: int = 200,
        attempts: int = 4,
        reconnect_timeout: float = 3.0,
    ) -> None:
        self.vendor_id = vendor_id
        self.product_id = product_id
        self.backend = backend
        self.timeout_ms = timeout_ms
        self.attempts = attempts
        self.reconnect_timeout = reconnect_timeout
        self.name = f"USB device {vendor_id:04x}:{product_id:04x}"
        self.info: UsbInfo | None = None
        self.reconnects = 0
        self.fault: str | None = None
        self._device: Any = None
        self._gone = False
        self._seq = 0

    # -- connection --------------------------------------------------------------------------
    def open(self) -> UsbInfo:
        try:
            device = usb.core.find(
                idVendor=self.vendor_id, idProduct=self.product_id, backend=self.backend
            )
        except usb.core.NoBackendError:
            raise DriverError(
                f"{self.name}: no USB library found: install libusb "
                "(`sudo apt-get install libusb-1.0-0`)"
            ) from None
        if device is None:
            raise UsbDeviceGone(
                f"{self.name} is not connected: check the USB cable and the "
                "vendor/product ids in the station file"
            )
        try:
            device.set_configuration()
            usb.util.claim_interface(device, INTERFACE)
            raw = device.ctrl_transfer(
                REQUEST_IN, UsbRequest.GET_INFO, 0, 0, 64, timeout=self.timeout_ms
            )
        except usb.core.USBError as exc:
            raise self._error(exc, "opening") from exc
        self._device = device
        self.info = UsbInfo.decode(bytes(raw))
        return self.info

    def close(self) -> None:
        if self._device is not None:
            with contextlib.suppress(usb.core.USBError):
                usb.util.dispose_resources(self._device)
            self._device = None

    def reset(self) -> None:
        """Release every button and key with a control request (bypasses the bulk pipe)."""
        self._require().ctrl_transfer(
            REQUEST_OUT, UsbRequest.RESET, 0, 0, None, timeout=self.timeout_ms
        )

    # -- commands ----------------------------------------------------------------------------
    def command(self, command: UsbCommand, payload: bytes = b"") -> UsbAnswer:
        """Send one command packet and return the device's status for it."""
        self._seq = (self._seq + 1) & 0xFF
        packet = encode_packet(command, self._seq, payload)
        last = ""
        for _ in range(self.attempts):
            try:
                device = self._require()
                device.write(EP_OUT, packet, timeout=self.timeout_ms)
                answer = UsbAnswer.decode(
                    bytes(device.read(EP_IN, STATUS_SIZE, timeout=self.timeout_ms))
                )
            except usb.core.USBTimeoutError as exc:
                last = f"timed out ({exc.strerror})"
                continue
            except usb.core.USBError as exc:
                last = self._recover(exc)
                continue
            if answer.seq != self._seq:
                last = f"answer for seq {answer.seq}, expected {self._seq}"
                continue
            if answer.status != UsbStatus.OK:
                raise ProtocolError(
                    f"{self.name} refused {command.name}: {UsbStatus(answer.status).name}"
                )
            return answer
        self.fault = (
            f"{self.name} did not complete {command.name} after {self.attempts} attempts: {last}"
        )
        raise DriverError(self.fault)

    # -- internals ---------------------------------------------------------------------------
    def _require(self) -> Any:
        if self._device is None:
            self._reconnect()
        return self._device

    def _recover(self, exc: usb.core.USBError) -> str:
        if exc.errno == errno.EPIPE:
            try:
                self._device.clear_halt(EP_OUT)
            except usb.core.USBError as again:
                return f"stalled pipe could not be cleared ({again.strerror})"
            return "pipe stalled (cleared)"
        if exc.errno == errno.ENODEV:
            self._device = None
            self._reconnect()
            return "device disconnected (reconnected)"
        raise self._error(exc, "talking to")

    def _reconnect(self) -> None:
        if self._gone:
            raise UsbDeviceGone(self.fault)  # gave up once already: fail fast
        self.reconnects += 1
        deadline = time.monotonic() + self.reconnect_timeout
        while True:
            try:
                self.open()
                return
            except UsbDeviceGone:
                if time.monotonic() >= deadline:
                    self.fault = (
                        f"{self.name} disconnected and did not come back within "
                        f"{self.reconnect_timeout:.1f} s: check the USB cable"
                    )
                    self._gone = True
                    raise UsbDeviceGone(self.fault) from None
            time.sleep(0.02)

    def _error(self, exc: usb.core.USBError, doing: str) -> DriverError:
        if exc.errno == errno.EACCES:
            return UsbPermissionError(
                f"permission denied {doing} {self.name}: "
                f"{udev_hint(self.vendor_id, self.product_id)}"
            )
        if exc.errno == errno.ENODEV:
            return UsbDeviceGone(f"{self.name} disconnected while {doing} it")
        return DriverError(f"{self.name}: USB error while {doing} it: {exc.strerror}")


class UsbPointer:
    """The station's pointer: absolute moves in screen pixels, buttons, scroll."""

    def __init__(
        self, controller: UsbController, clock: Clock | None = None, click_interval: float = 0.08
    ) -> None:
        self.controller = controller
        self.clock = clock or RealClock()
        self.click_interval = click_interval

    def move_to(self, x: int, y: int) -> None:
        info = self.controller.info
        if info is not None and not (0 <= x < info.width and 0 <= y < info.height):
            raise ScriptError(
                f"point ({x}, {y}) is outside the {info.width}x{info.height} "
                f"screen of {self.controller.name}"
            )
        self.controller.command(UsbCommand.MOVE_ABS, move_payload(int(x), int(y)))

    def button(self, button: str, down: bool) -> None:
        self.controller.command(UsbCommand.BUTTON, button_payload(_button(button), down))

    def click(self, button: str = "left", double: bool = False) -> None:
        click_with_buttons(self, self.clock, self.click_interval, button, double)

    def scroll(self, dy: int) -> None:
        """Scroll *dy* wheel detents (positive: up)."""
        self.controller.command(UsbCommand.SCROLL, scroll_payload(int(dy)))

    def release_all(self) -> None:
        self.controller.command(UsbCommand.RELEASE_ALL)

    def health(self) -> HealthNotes:
        notes = HealthNotes()
        if self.controller.fault:
            notes.faults.append(self.controller.fault)
        elif self.controller.reconnects:
            notes.warnings.append(
                f"{self.controller.name} was reconnected {self.controller.reconnects} time(s)"
            )
        return notes


class UsbKeyboard:
    """Keys typed as HID keyboard reports through the USB controller (no actuators)."""

    def __init__(
        self, controller: UsbController, limits: Limits | None = None, clock: Clock | None = None
    ) -> None:
        self.controller = controller
        self.governor = SafetyGovernor(limits or Limits())
        self.clock = clock or RealClock()

    def press(self, chord: tuple[str, ...], hold: float) -> None:
        keys = tuple(_hid_key(key) for key in chord)
        now = self.clock.now()
        self.governor.check(len(keys), hold, now)
        report = keyboard_report(keys)
        try:
            self.controller.command(UsbCommand.KEYBOARD, report)
            self.governor.record((), now)  # rate only: HID keys wear nothing
            self.clock.sleep(hold)
        finally:
            self.controller.command(UsbCommand.KEYBOARD, bytes(8))

    def release_all(self) -> None:
        self.controller.command(UsbCommand.KEYBOARD, bytes(8))

    def emergency_release(self) -> None:
        self.release_all()  # one empty report is already the fastest release

    def health(self) -> HealthNotes:
        return HealthNotes()

    def close(self) -> None:
        self.release_all()


def _button(name: str) -> int:
    try:
        return BUTTONS[name.lower()]
    except KeyError:
        raise ScriptError(f"unknown mouse button {name!r} (left, right or middle)") from None


def _hid_key(key: str) -> str:
    canonical = canonical_key(key)
    if canonical is not None and len(canonical) == 1:
        canonical = canonical.lower()
    if canonical is None or (canonical not in HID_USAGE and canonical not in MODIFIER_BITS):
        raise UnmappedKey(f"key {key!r} has no USB HID code (the USB keyboard cannot press it)")
    return canonical
