"""The simulated laptop and the simulated station camera that watches it.

:class:`CameraModel` photographs a screen image the way the station camera would
(perspective, lens, exposure, vignetting, noise, blur, glare), deterministically from a seed.
"""

from robotest.sim.camera_geometry import CameraGeometry
from robotest.sim.camera_model import CameraModel
from robotest.sim.camera_params import CameraParams

__all__ = ["CameraGeometry", "CameraModel", "CameraParams"]
