"""The USB controller, emulated at the transfer level as a pyusb backend.

``usb.core.find(idVendor=..., backend=EmulatedUsbBackend(device))`` finds the
emulated :class:`UsbControllerDevice`; configuration, interface claim, bulk and control
transfers then run through pyusb's own code down to this backend, which answers as the
device would. Faults on demand: transfer timeouts, a stalled pipe, the device
unplugged (and plugged back), access denied (missing udev rule).
"""

from __future__ import annotations

import array
import errno
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import usb.backend
import usb.core

from robotest.drivers.usb_protocol import (
    DEFAULT_PRODUCT_ID,
    DEFAULT_VENDOR_ID,
    EP_IN,
    EP_OUT,
    INTERFACE,
    PACKET_SIZE,
    PROTOCOL_VERSION,
    REQUEST_IN,
    REQUEST_OUT,
    STATUS_SIZE,
    UsbAnswer,
    UsbCommand,
    UsbInfo,
    UsbRequest,
    UsbStatus,
    report_keys,
)

# libusb error codes, as pyusb's libusb1 backend reports them
LIBUSB_ERROR_ACCESS = -3
LIBUSB_ERROR_NO_DEVICE = -4
LIBUSB_ERROR_TIMEOUT = -7
LIBUSB_ERROR_PIPE = -9

GET_DESCRIPTOR = 0x06
DESC_STRING = 0x03


@dataclass
class UsbListeners:
    """What the device does to the laptop it is plugged into."""

    move: Callable[[int, int], None] | None = None
    button: Callable[[str, bool], None] | None = None
    scroll: Callable[[int], None] | None = None
    key: Callable[[str, bool], None] | None = None


_BUTTON_NAMES = {1: "left", 2: "right", 3: "middle"}


@dataclass
class UsbControllerDevice:
    """The device's state and behaviour (what its firmware does with each packet)."""

    vendor_id: int = DEFAULT_VENDOR_ID
    product_id: int = DEFAULT_PRODUCT_ID
    width: int = 1920
    height: int = 1080
    listeners: UsbListeners = field(default_factory=UsbListeners)
    position: tuple[int, int] = (0, 0)
    buttons: set[int] = field(default_factory=set)
    keys: frozenset[str] = frozenset()
    plugged: bool = True
    access_denied: bool = False
    timeouts: int = 0  # fail this many transfers with a timeout
    stalls: int = 0  # stall the bulk OUT pipe for this many writes
    halted: bool = False
    executed: list[tuple[int, int]] = field(default_factory=list)  # (command, seq)
    _pending: bytes | None = None
    _cache: OrderedDict[int, tuple[bytes, bytes]] = field(default_factory=OrderedDict)
    lock: threading.RLock = field(default_factory=threading.RLock)

    def unplug(self) -> None:
        with self.lock:
            self.plugged = False
            self._release_all()

    def replug(self) -> None:
        with self.lock:
            self.plugged = True
            self.halted = False
            self._pending = None
            self._cache.clear()  # a replugged device starts afresh

    # -- transfers ---------------------------------------------------------------------------
    def bulk_out(self, data: bytes) -> None:
        packet = bytes(data[:PACKET_SIZE]).ljust(PACKET_SIZE, b"\0")
        command, seq, payload = packet[0], packet[1], packet[2:]
        cached = self._cache.get(seq)
        if cached is not None and cached[0] == packet:
            self._pending = cached[1]  # a resend: answer again, do not act twice
            return
        status = self._execute(command, payload)
        self.executed.append((command, seq))
        answer = UsbAnswer(seq, status, self._button_bits(), len(self.keys)).encode()
        self._cache[seq] = (packet, answer)
        while len(self._cache) > 64:
            self._cache.popitem(last=False)
        self._pending = answer

    def bulk_in(self) -> bytes | None:
        answer, self._pending = self._pending, None
        return answer

    def control(
        self, request_type: int, request: int, value: int, index: int, length: int
    ) -> bytes:
        if request_type == 0x80 and request == GET_DESCRIPTOR and value >> 8 == DESC_STRING:
            return _string_descriptor(value & 0xFF)
        if request_type == REQUEST_IN and request == UsbRequest.GET_INFO:
            return UsbInfo(
                self.width, self.height, PROTOCOL_VERSION, "robotest-usb-emu 1.0"
            ).encode()
        if request_type == REQUEST_OUT and request == UsbRequest.RESET:
            self._release_all()
            return b""
        raise usb.core.USBError("Pipe error", LIBUSB_ERROR_PIPE, errno.EPIPE)

    # -- behaviour ---------------------------------------------------------------------------
    def _execute(self, command: int, payload: bytes) -> int:
        if command == UsbCommand.MOVE_ABS:
            x, y = int.from_bytes(payload[0:2], "little"), int.from_bytes(payload[2:4], "little")
            if x >= self.width or y >= self.height:
                return UsbStatus.OUT_OF_RANGE
            self.position = (x, y)
            if self.listeners.move:
                self.listeners.move(x, y)
            return UsbStatus.OK
        if command == UsbCommand.BUTTON:
            button, down = payload[0], bool(payload[1])
            if button not in _BUTTON_NAMES:
                return UsbStatus.OUT_OF_RANGE
            self._set_button(button, down)
            return UsbStatus.OK
        if command == UsbCommand.SCROLL:
            dy = int.from_bytes(payload[0:2], "little", signed=True)
            if self.listeners.scroll:
                self.listeners.scroll(dy)
            return UsbStatus.OK
        if command == UsbCommand.KEYBOARD:
            self._set_keys(report_keys(payload[:8]))
            return UsbStatus.OK
        if command == UsbCommand.RELEASE_ALL:
            self._release_all()
            return UsbStatus.OK
        return UsbStatus.BAD_COMMAND

    def _set_button(self, button: int, down: bool) -> None:
        if down == (button in self.buttons):
            return
        (self.buttons.add if down else self.buttons.discard)(button)
        if self.listeners.button:
            self.listeners.button(_BUTTON_NAMES[button], down)

    def _set_keys(self, keys: frozenset[str]) -> None:
        released, pressed = self.keys - keys, keys - self.keys
        self.keys = keys
        if self.listeners.key:
            for key in sorted(released):
                self.listeners.key(key, False)
            for key in sorted(pressed):
                self.listeners.key(key, True)

    def _release_all(self) -> None:
        for button in sorted(self.buttons):
            self._set_button(button, False)
        self._set_keys(frozenset())

    def _button_bits(self) -> int:
        return sum(1 << (b - 1) for b in self.buttons)


def _string_descriptor(index: int) -> bytes:
    if index == 0:
        return bytes([4, DESC_STRING, 0x09, 0x04])  # US English
    text = {1: "robotest", 2: "Robot USB HID controller", 3: "EMU0001"}.get(index, "")
    body = text.encode("utf-16-le")
    return bytes([2 + len(body), DESC_STRING]) + body


# -- descriptors, as pyusb reads them from a backend ---------------------------------------


class _Descriptor:
    def __init__(self, **fields: Any) -> None:
        self.__dict__.update(fields)


def _device_descriptor(dev: UsbControllerDevice) -> _Descriptor:
    return _Descriptor(
        bLength=18,
        bDescriptorType=1,
        bcdUSB=0x0200,
        bDeviceClass=0,
        bDeviceSubClass=0,
        bDeviceProtocol=0,
        bMaxPacketSize0=64,
        idVendor=dev.vendor_id,
        idProduct=dev.product_id,
        bcdDevice=0x0100,
        iManufacturer=1,
        iProduct=2,
        iSerialNumber=3,
        bNumConfigurations=1,
        address=7,
        bus=1,
        port_number=2,
        port_numbers=(2,),
        speed=3,
    )


_CONFIG = _Descriptor(
    bLength=9,
    bDescriptorType=2,
    wTotalLength=32,
    bNumInterfaces=1,
    bConfigurationValue=1,
    iConfiguration=0,
    bmAttributes=0x80,
    bMaxPower=50,
    extra_descriptors=[],
)
_INTERFACE = _Descriptor(
    bLength=9,
    bDescriptorType=4,
    bInterfaceNumber=INTERFACE,
    bAlternateSetting=0,
    bNumEndpoints=2,
    bInterfaceClass=0xFF,
    bInterfaceSubClass=0,
    bInterfaceProtocol=0,
    iInterface=0,
    extra_descriptors=[],
)
_ENDPOINTS = (
    _Descriptor(
        bLength=7,
        bDescriptorType=5,
        bEndpointAddress=EP_OUT,
        bmAttributes=0x02,
        wMaxPacketSize=64,
        bInterval=0,
        bRefresh=0,
        bSynchAddress=0,
        extra_descriptors=[],
    ),
    _Descriptor(
        bLength=7,
        bDescriptorType=5,
        bEndpointAddress=EP_IN,
        bmAttributes=0x02,
        wMaxPacketSize=64,
        bInterval=0,
        bRefresh=0,
        bSynchAddress=0,
        extra_descriptors=[],
    ),
)


class _Handle:
    def __init__(self, device: UsbControllerDevice) -> None:
        self.device = device
        self.configuration = 0
        self.claimed: set[int] = set()


def _no_device() -> usb.core.USBError:
    return usb.core.USBError(
        "No such device (it may have been disconnected)", LIBUSB_ERROR_NO_DEVICE, errno.ENODEV
    )


class EmulatedUsbBackend(usb.backend.IBackend):
    """A pyusb backend whose bus holds the given emulated devices."""

    def __init__(self, *devices: UsbControllerDevice) -> None:
        super().__init__()
        self.devices = list(devices)

    # enumeration and descriptors
    def enumerate_devices(self) -> Iterator[UsbControllerDevice]:
        return iter([d for d in self.devices if d.plugged])

    def get_device_descriptor(self, dev: UsbControllerDevice) -> _Descriptor:
        return _device_descriptor(dev)

    def get_configuration_descriptor(self, dev: UsbControllerDevice, config: int) -> _Descriptor:
        if config != 0:
            raise IndexError("configuration index out of range")
        return _CONFIG

    def get_interface_descriptor(
        self, dev: UsbControllerDevice, intf: int, alt: int, config: int
    ) -> _Descriptor:
        if (intf, alt, config) != (0, 0, 0):
            raise IndexError("interface index out of range")
        return _INTERFACE

    def get_endpoint_descriptor(
        self, dev: UsbControllerDevice, ep: int, intf: int, alt: int, config: int
    ) -> _Descriptor:
        if (intf, alt, config) != (0, 0, 0) or not 0 <= ep < len(_ENDPOINTS):
            raise IndexError("endpoint index out of range")
        return _ENDPOINTS[ep]

    # handles
    def open_device(self, dev: UsbControllerDevice) -> _Handle:
        if not dev.plugged:
            raise _no_device()
        if dev.access_denied:
            raise usb.core.USBError(
                "Access denied (insufficient permissions)", LIBUSB_ERROR_ACCESS, errno.EACCES
            )
        return _Handle(dev)

    def close_device(self, dev_handle: _Handle) -> None:
        dev_handle.claimed.clear()

    def set_configuration(self, dev_handle: _Handle, config_value: int) -> None:
        self._check(dev_handle)
        if config_value not in (0, 1):
            raise usb.core.USBError("Invalid parameter", -2, errno.EINVAL)
        dev_handle.configuration = config_value

    def get_configuration(self, dev_handle: _Handle) -> int:
        self._check(dev_handle)
        return dev_handle.configuration

    def set_interface_altsetting(self, dev_handle: _Handle, intf: int, altsetting: int) -> None:
        self._check(dev_handle)

    def claim_interface(self, dev_handle: _Handle, intf: int) -> None:
        self._check(dev_handle)
        if dev_handle.configuration != 1:
            raise usb.core.USBError("Resource busy (configuration not set)", -6, errno.EBUSY)
        dev_handle.claimed.add(intf)

    def release_interface(self, dev_handle: _Handle, intf: int) -> None:
        dev_handle.claimed.discard(intf)

    def is_kernel_driver_active(self, dev_handle: _Handle, intf: int) -> bool:
        return False

    def clear_halt(self, dev_handle: _Handle, ep: int) -> None:
        self._check(dev_handle)
        dev_handle.device.halted = False

    def reset_device(self, dev_handle: _Handle) -> None:
        self._check(dev_handle)
        dev_handle.device.halted = False

    # transfers
    def bulk_write(
        self, dev_handle: _Handle, ep: int, intf: int, data: array.array, timeout: int
    ) -> int:
        device = self._transfer(dev_handle, intf, ep == EP_OUT)
        with device.lock:
            if device.stalls:
                device.stalls -= 1
                device.halted = True
            if device.halted:
                raise usb.core.USBError("Pipe error", LIBUSB_ERROR_PIPE, errno.EPIPE)
            device.bulk_out(data.tobytes())
        return len(data)

    def bulk_read(
        self, dev_handle: _Handle, ep: int, intf: int, buff: array.array, timeout: int
    ) -> int:
        device = self._transfer(dev_handle, intf, ep == EP_IN)
        with device.lock:
            answer = device.bulk_in()
        if answer is None:
            raise usb.core.USBTimeoutError(
                "Operation timed out", LIBUSB_ERROR_TIMEOUT, errno.ETIMEDOUT
            )
        size = min(len(answer), len(buff) * buff.itemsize, STATUS_SIZE)
        for i in range(size):
            buff[i] = answer[i]
        return size

    def ctrl_transfer(
        self,
        dev_handle: _Handle,
        bmRequestType: int,
        bRequest: int,
        wValue: int,
        wIndex: int,
        data: array.array,
        timeout: int,
    ) -> int:
        self._check(dev_handle)
        device = dev_handle.device
        with device.lock:
            if bmRequestType & 0x80:
                answer = device.control(bmRequestType, bRequest, wValue, wIndex, len(data))
                size = min(len(answer), len(data))
                for i in range(size):
                    data[i] = answer[i]
                return size
            device.control(bmRequestType, bRequest, wValue, wIndex, 0)
            return len(data)

    def _check(self, dev_handle: _Handle) -> None:
        if not dev_handle.device.plugged:
            raise _no_device()

    def _transfer(
        self, dev_handle: _Handle, intf: int, right_direction: bool
    ) -> UsbControllerDevice:
        self._check(dev_handle)
        device = dev_handle.device
        if intf not in dev_handle.claimed or not right_direction:
            raise usb.core.USBError("Invalid parameter", -2, errno.EINVAL)
        with device.lock:
            if device.timeouts:
                device.timeouts -= 1
                raise usb.core.USBTimeoutError(
                    "Operation timed out", LIBUSB_ERROR_TIMEOUT, errno.ETIMEDOUT
                )
        return device
