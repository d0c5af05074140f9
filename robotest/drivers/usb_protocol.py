"""The USB controller's transfers: packet layout, request codes and HID usage codes.

Shared by the driver (:mod:`usb_controller`) and the emulated device
(:mod:`usb_emulator`). Documented in ``docs/protocols/usb.md``.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from enum import IntEnum

DEFAULT_VENDOR_ID = 0x1209  # pid.codes test range
DEFAULT_PRODUCT_ID = 0x7E57
EP_OUT = 0x01
EP_IN = 0x81
INTERFACE = 0
PACKET_SIZE = 16
STATUS_SIZE = 4
PROTOCOL_VERSION = 1


class UsbCommand(IntEnum):
    MOVE_ABS = 0x01  # x u16, y u16 (screen pixels)
    BUTTON = 0x02  # button u8, down u8
    SCROLL = 0x03  # dy i16 (wheel detents, positive scrolls up)
    KEYBOARD = 0x04  # 8-byte HID boot keyboard report
    RELEASE_ALL = 0x05


class UsbRequest(IntEnum):
    """Vendor control requests on endpoint 0."""

    GET_INFO = 0x01  # IN: width u16, height u16, protocol u8, firmware ASCII
    RESET = 0x02  # OUT: release every button and key (works with a stalled bulk pipe)


class UsbStatus(IntEnum):
    OK = 0
    BAD_COMMAND = 1
    OUT_OF_RANGE = 2


BUTTONS: dict[str, int] = {"left": 1, "right": 2, "middle": 3}
REQUEST_IN = 0xC0  # device-to-host, vendor, device
REQUEST_OUT = 0x40  # host-to-device, vendor, device


def encode_packet(command: UsbCommand, seq: int, payload: bytes = b"") -> bytes:
    if len(payload) > PACKET_SIZE - 2:
        raise ValueError("USB command payload too long")
    return bytes([int(command), seq & 0xFF]) + payload.ljust(PACKET_SIZE - 2, b"\0")


def move_payload(x: int, y: int) -> bytes:
    return struct.pack("<HH", x, y)


def button_payload(button: int, down: bool) -> bytes:
    return bytes([button, 1 if down else 0])


def scroll_payload(dy: int) -> bytes:
    return struct.pack("<h", dy)


@dataclass(frozen=True)
class UsbAnswer:
    """The 4-byte status read from EP 0x81 after each command packet."""

    seq: int
    status: int
    buttons: int  # bitmap of held buttons (bit 0 left, 1 right, 2 middle)
    keys: int  # keys held by the HID keyboard report

    def encode(self) -> bytes:
        return bytes([self.seq, self.status, self.buttons, self.keys])

    @staticmethod
    def decode(data: bytes) -> UsbAnswer:
        if len(data) != STATUS_SIZE:
            raise ValueError(f"USB status of {len(data)} bytes, expected {STATUS_SIZE}")
        return UsbAnswer(data[0], data[1], data[2], data[3])


@dataclass(frozen=True)
class UsbInfo:
    width: int
    height: int
    protocol: int
    firmware: str

    def encode(self) -> bytes:
        return struct.pack("<HHB", self.width, self.height, self.protocol) + (
            self.firmware.encode("ascii")
        )

    @staticmethod
    def decode(data: bytes) -> UsbInfo:
        width, height, protocol = struct.unpack_from("<HHB", data)
        return UsbInfo(width, height, protocol, bytes(data[5:]).decode("ascii", "replace"))


# -- HID boot keyboard report ------------------------------------------------------------

MODIFIER_BITS: dict[str, int] = {"Ctrl": 0x01, "Shift": 0x02, "Alt": 0x04, "Win": 0x08}


def _usage_table() -> dict[str, int]:
    table: dict[str, int] = {}
    for i, ch in enumerate("abcdefghijklmnopqrstuvwxyz"):
        table[ch] = 0x04 + i
    for i, ch in enumerate("1234567890"):
        table[ch] = 0x1E + i
    named = {
        "Enter": 0x28,
        "Esc": 0x29,
        "Backspace": 0x2A,
        "Tab": 0x2B,
        "Space": 0x2C,
        "-": 0x2D,
        "=": 0x2E,
        "[": 0x2F,
        "]": 0x30,
        "\\": 0x31,
        ";": 0x33,
        "'": 0x34,
        "`": 0x35,
        ",": 0x36,
        ".": 0x37,
        "/": 0x38,
        "CapsLock": 0x39,
        "PrintScreen": 0x46,
        "Insert": 0x49,
        "Home": 0x4A,
        "PageUp": 0x4B,
        "Delete": 0x4C,
        "End": 0x4D,
        "PageDown": 0x4E,
        "Right": 0x4F,
        "Left": 0x50,
        "Down": 0x51,
        "Up": 0x52,
        "Power": 0x66,
    }
    table.update(named)
    for i in range(1, 13):
        table[f"F{i}"] = 0x3A + i - 1
    for i in range(13, 25):
        table[f"F{i}"] = 0x68 + i - 13
    return table


HID_USAGE: dict[str, int] = _usage_table()
HID_KEY: dict[int, str] = {code: key for key, code in HID_USAGE.items()}


def keyboard_report(keys: tuple[str, ...]) -> bytes:
    """The 8-byte boot report holding *keys* (canonical names; letters lower case)."""
    modifiers = 0
    codes: list[int] = []
    for key in keys:
        if key in MODIFIER_BITS:
            modifiers |= MODIFIER_BITS[key]
        else:
            codes.append(HID_USAGE[key])
    if len(codes) > 6:
        raise ValueError("a HID boot report holds at most 6 keys besides modifiers")
    return bytes([modifiers, 0, *codes, *([0] * (6 - len(codes)))])


def report_keys(report: bytes) -> frozenset[str]:
    """The keys a boot report holds down."""
    keys = {name for name, bit in MODIFIER_BITS.items() if report[0] & bit}
    keys.update(HID_KEY[code] for code in report[2:8] if code in HID_KEY)
    return frozenset(keys)
