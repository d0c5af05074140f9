"""Where the camera sits and how its lens bends light: screen points to frame pixels and back.

Units: the screen plane is measured in screen pixels (pixel centres at integer
coordinates, as OpenCV does), the camera is a pinhole with radial distortion placed by a
pose drawn from a seed. :meth:`CameraGeometry.screen_to_frame` is the exact forward
projection (ground truth); :meth:`CameraGeometry.frame_to_screen` inverts it, which is
what the remap maps of the camera model are built from.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import cv2
import numpy as np

from robotest.sim.camera_params import CameraParams

_CAMERA_DISTANCE = 2000.0
"""Distance from the camera to the screen, in screen pixels (about one screen width)."""

_UNDISTORT_CRITERIA = (cv2.TERM_CRITERIA_COUNT | cv2.TERM_CRITERIA_EPS, 40, 1e-9)


def _rotation(yaw_deg: float, pitch_deg: float, roll_deg: float) -> np.ndarray:
    """Rotation matrix of the screen in camera coordinates (yaw about y, pitch about x, roll z)."""
    yaw, pitch, roll = (math.radians(a) for a in (yaw_deg, pitch_deg, roll_deg))
    ry = np.array(
        [[math.cos(yaw), 0, math.sin(yaw)], [0, 1, 0], [-math.sin(yaw), 0, math.cos(yaw)]]
    )
    rx = np.array(
        [[1, 0, 0], [0, math.cos(pitch), -math.sin(pitch)], [0, math.sin(pitch), math.cos(pitch)]]
    )
    rz = np.array(
        [[math.cos(roll), -math.sin(roll), 0], [math.sin(roll), math.cos(roll), 0], [0, 0, 1]]
    )
    return rz @ rx @ ry


@dataclass(frozen=True)
class CameraGeometry:
    """Intrinsics, distortion and pose of one simulated camera, and the mappings they imply."""

    screen_size: tuple[int, int]
    frame_size: tuple[int, int]
    camera_matrix: np.ndarray
    dist_coeffs: np.ndarray
    rotation: np.ndarray
    translation: np.ndarray

    @classmethod
    def from_seed(
        cls,
        screen_size: tuple[int, int],
        frame_size: tuple[int, int],
        params: CameraParams,
        seed: int,
    ) -> CameraGeometry:
        """The camera for *seed*: a pose jittered within *params*' limits, a lens from *params*."""
        rng = np.random.default_rng([seed, 0x9E0])
        jitter = params.pose_jitter_deg
        yaw, pitch = rng.uniform(-jitter, jitter, 2)
        roll = rng.uniform(-jitter / 2, jitter / 2)
        frame_w, frame_h = frame_size
        focal = params.screen_fill * frame_w * _CAMERA_DISTANCE / screen_size[0]
        shift = rng.uniform(-params.offset_jitter, params.offset_jitter, 2) * (frame_w, frame_h)
        camera_matrix = np.array(
            [[focal, 0, (frame_w - 1) / 2], [0, focal, (frame_h - 1) / 2], [0, 0, 1]], np.float64
        )
        translation = np.array(
            [
                shift[0] * _CAMERA_DISTANCE / focal,
                shift[1] * _CAMERA_DISTANCE / focal,
                _CAMERA_DISTANCE,
            ]
        )
        k1 = params.distortion
        dist = np.array([k1, k1 * 0.3, 0.0, 0.0, 0.0], np.float64)
        return cls(
            screen_size=screen_size,
            frame_size=frame_size,
            camera_matrix=camera_matrix,
            dist_coeffs=dist,
            rotation=_rotation(float(yaw), float(pitch), float(roll)),
            translation=translation,
        )

    @property
    def _screen_centre(self) -> np.ndarray:
        w, h = self.screen_size
        return np.array([(w - 1) / 2, (h - 1) / 2])

    @property
    def plane_homography(self) -> np.ndarray:
        """Homography from screen pixels to ideal (undistorted, normalised) camera coordinates."""
        centre = self._screen_centre
        to_plane = np.array([[1, 0, -centre[0]], [0, 1, -centre[1]], [0, 0, 1]], np.float64)
        rt = np.column_stack([self.rotation[:, 0], self.rotation[:, 1], self.translation])
        return rt @ to_plane

    def screen_to_frame(self, points: np.ndarray) -> np.ndarray:
        """Frame pixel coordinates of screen points, shape (N, 2) -> (N, 2) float64."""
        pts = np.asarray(points, np.float64).reshape(-1, 2)
        world = np.column_stack([pts - self._screen_centre, np.zeros(len(pts))])
        rvec, _ = cv2.Rodrigues(self.rotation)
        projected, _ = cv2.projectPoints(
            world, rvec, self.translation, self.camera_matrix, self.dist_coeffs
        )
        return projected.reshape(-1, 2)

    def frame_to_screen(self, points: np.ndarray) -> np.ndarray:
        """Screen coordinates seen at frame pixels, shape (N, 2) -> (N, 2) float64."""
        pts = np.asarray(points, np.float64).reshape(-1, 1, 2)
        ideal = cv2.undistortPoints(
            pts, self.camera_matrix, self.dist_coeffs, None, None, None, _UNDISTORT_CRITERIA
        ).reshape(-1, 2)
        inverse = np.linalg.inv(self.plane_homography)
        homog = np.column_stack([ideal, np.ones(len(ideal))]) @ inverse.T
        return homog[:, :2] / homog[:, 2:3]

    def frame_to_screen_grid(
        self, box: tuple[int, int, int, int], step: int = 4
    ) -> tuple[np.ndarray, np.ndarray]:
        """Screen x and y (float32 maps) seen at every frame pixel of *box* ``(x0, y0, x1, y1)``.

        The exact inverse is computed on a grid every *step* pixels and interpolated
        (the mapping is smooth: the error is far below a hundredth of a pixel).
        """
        x0, y0, x1, y1 = box
        width, height = x1 - x0, y1 - y0
        cols = -(-width // step) + 2
        rows = -(-height // step) + 2
        offset = (step - 1) / 2 - step
        xs = x0 + offset + step * np.arange(cols, dtype=np.float64)
        ys = y0 + offset + step * np.arange(rows, dtype=np.float64)
        grid_x, grid_y = np.meshgrid(xs, ys)
        screen = self.frame_to_screen(np.column_stack([grid_x.ravel(), grid_y.ravel()]))
        maps = []
        for axis in (0, 1):
            coarse = screen[:, axis].reshape(rows, cols)
            fine = cv2.resize(coarse, (cols * step, rows * step), interpolation=cv2.INTER_LINEAR)
            maps.append(fine[step : step + height, step : step + width].astype(np.float32))
        return maps[0], maps[1]
