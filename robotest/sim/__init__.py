"""The simulated laptop and the simulated station camera that watches it.

- :class:`ProductImage`: every value the laptop shows, and injected faults (TOML).
- :class:`SimLaptop`: boots, shows POST, BIOS setup, boot menu, login, desktop,
  Terminal and Settings; driven by key events, pointer moves, clicks and scroll.
- :class:`CameraModel`: photographs a screen image like the station camera
  (perspective, lens, exposure, vignetting, noise, blur, glare), seeded.
- :class:`SimCamera`: the camera model watching a :class:`SimLaptop`.
"""

from robotest.sim.camera import SimCamera
from robotest.sim.camera_geometry import CameraGeometry
from robotest.sim.camera_model import CameraModel
from robotest.sim.camera_params import CameraParams
from robotest.sim.icons import ICON_NAMES, ICON_VERSIONS, icon_array, icon_path
from robotest.sim.image import Device, Faults, ImageError, ProductImage
from robotest.sim.laptop import SimLaptop

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
