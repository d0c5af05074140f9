"""The simulated laptop and the simulated station camera that watches it.

- :class:`ProductImage`: every value the laptop shows, and injected faults (TOML).
- :class:`SimLaptop`: boots, shows POST, BIOS setup, boot menu, login, desktop,
  Terminal and Settings; driven by key events, pointer moves, clicks and scroll.
- :class:`CameraModel`: photographs a screen image like the station camera
  (perspective, lens, exposure, vignetting, noise, blur, glare), seeded.
- :class:`SimCamera`: the camera model watching a :class:`SimLaptop`.

Names are imported on first use (OpenCV and Pillow load only then), so the ``rtest``
command starts fast.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from robotest.sim.camera import SimCamera
    from robotest.sim.camera_geometry import CameraGeometry
    from robotest.sim.camera_model import CameraModel
    from robotest.sim.camera_params import CameraParams
    from robotest.sim.icons import ICON_NAMES, ICON_VERSIONS, icon_array, icon_path
    from robotest.sim.image import Device, Faults, ImageError, ProductImage
    from robotest.sim.laptop import SimLaptop

_HOMES = {
    "SimCamera": "camera",
    "CameraGeometry": "camera_geometry",
    "CameraModel": "camera_model",
    "CameraParams": "camera_params",
    "ICON_NAMES": "icons",
    "ICON_VERSIONS": "icons",
    "icon_array": "icons",
    "icon_path": "icons",
    "Device": "image",
    "Faults": "image",
    "ImageError": "image",
    "ProductImage": "image",
    "SimLaptop": "laptop",
}

__all__ = [
    "ICON_NAMES",
    "ICON_VERSIONS",
    "CameraGeometry",
    "CameraModel",
    "CameraParams",
    "Device",
    "Faults",
    "ImageError",
    "ProductImage",
    "SimCamera",
    "SimLaptop",
    "icon_array",
    "icon_path",
]


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'robotest.sim' has no attribute {name!r}")
    value = getattr(importlib.import_module(f"robotest.sim.{home}"), name)
    globals()[name] = value
    return value
