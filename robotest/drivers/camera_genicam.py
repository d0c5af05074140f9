"""Industrial GenICam cameras through ``harvesters`` and a GenTL producer (``.cti`` file).

The producer comes from the camera vendor (its SDK installs a ``.cti``); the
``genicam`` package ships a simulated one (``viky.cti``) that the tests use.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

import numpy as np

from robotest.errors import CameraError

if TYPE_CHECKING:
    from robotest.drivers.station_config import CameraSpec

_CHANNEL_ORDER = {
    "Mono8": None,
    "Mono16": None,
    "RGB8": "RGB",
    "RGB8Packed": "RGB",
    "BGR8": "BGR",
    "BGR8Packed": "BGR",
    "RGBa8": "RGBA",
    "RGBA8": "RGBA",
    "BGRa8": "BGRA",
    "BGRA8": "BGRA",
}
_BAYER = {"BayerRG8": 48, "BayerGR8": 47, "BayerBG8": 46, "BayerGB8": 49}  # cv2 codes


def simulated_producer() -> str | None:
    """Path of the simulated GenTL producer shipped by the ``genicam`` package, if installed."""
    try:
        import genicam
    except ImportError:
        return None
    path = os.path.join(os.path.dirname(genicam.__file__), "viky.cti")
    return path if os.path.isfile(path) else None


class GenICamCamera:
    """One GenICam camera: opened by list index or serial number, streaming while open."""

    def __init__(
        self,
        producer: str,
        *,
        device: int | str = 0,
        exposure: float | None = None,
        gain: float | None = None,
        timeout: float = 2.0,
    ) -> None:
        try:
            from harvesters.core import Harvester
        except ImportError as exc:
            raise CameraError(
                "GenICam cameras need the `harvesters` package (pip install harvesters)"
            ) from exc
        self.name = f"genicam:{os.path.basename(producer)}:{device}"
        if not os.path.isfile(producer):
            raise CameraError(f"camera {self.name}: GenTL producer {producer} does not exist")
        self.timeout = timeout
        self.unsupported: list[str] = []
        self._harvester = Harvester()
        self._harvester.add_file(producer)
        self._harvester.update()
        if not self._harvester.device_info_list:
            self._harvester.reset()
            raise CameraError(f"camera {self.name}: the producer finds no camera")
        try:
            key: int | dict[str, Any] = (
                device if isinstance(device, int) else {"serial_number": device}
            )
            self._acquirer = self._harvester.create(key)
        except Exception as exc:
            self._harvester.reset()
            raise CameraError(f"camera {self.name} could not be opened: {exc}") from exc
        node_map = self._acquirer.remote_device.node_map
        for label, node, value in (("exposure", "ExposureTime", exposure), ("gain", "Gain", gain)):
            if value is None:
                continue
            try:
                getattr(node_map, node).value = value
            except Exception:  # the camera has no such feature, or refuses the value
                self.unsupported.append(label)
        self._acquirer.start()

    def grab(self) -> np.ndarray:
        try:
            with self._acquirer.fetch(timeout=self.timeout) as buffer:
                component = buffer.payload.components[0]
                frame = _to_bgr(
                    component.data, component.width, component.height, str(component.data_format)
                )
        except CameraError:
            raise
        except Exception as exc:
            raise CameraError(f"camera {self.name} returned no frame: {exc}") from exc
        return frame

    def close(self) -> None:
        try:
            self._acquirer.stop()
            self._acquirer.destroy()
        finally:
            self._harvester.reset()


def _to_bgr(data: np.ndarray, width: int, height: int, pixel_format: str) -> np.ndarray:
    import cv2

    if pixel_format in _BAYER:
        return np.asarray(cv2.cvtColor(data.reshape(height, width), _BAYER[pixel_format]))
    if pixel_format not in _CHANNEL_ORDER:
        raise CameraError(f"pixel format {pixel_format} is not supported")
    order = _CHANNEL_ORDER[pixel_format]
    if order is None:
        grey = data.reshape(height, width)
        if grey.dtype != np.uint8:
            grey = (grey >> 8).astype(np.uint8)
        return np.asarray(cv2.cvtColor(grey, cv2.COLOR_GRAY2BGR))
    image = data.reshape(height, width, len(order)).copy()
    conversion = {
        "RGB": cv2.COLOR_RGB2BGR,
        "BGR": None,
        "RGBA": cv2.COLOR_RGBA2BGR,
        "BGRA": cv2.COLOR_BGRA2BGR,
    }[order]
    return image if conversion is None else np.asarray(cv2.cvtColor(image, conversion))


def open_genicam_camera(spec: CameraSpec) -> GenICamCamera:
    """``[camera] kind = "genicam"`` (the ``robotest.camera_kinds`` entry point)."""
    return GenICamCamera(spec.producer, device=spec.device, exposure=spec.exposure, gain=spec.gain)
