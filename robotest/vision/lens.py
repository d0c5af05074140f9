"""The camera lens: intrinsics from chessboard views (standard OpenCV), and point (un)distortion.

A :class:`Lens` is what `cv2.calibrateCamera` estimates: a camera matrix and distortion
coefficients. It is saved to a small JSON file once per camera, and given to screen
calibration so that the screen's curved edges become straight lines.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from robotest.vision.errors import VisionInputError
from robotest.vision.images import to_grey


@dataclass(frozen=True)
class Lens:
    """Camera matrix (3x3) and distortion coefficients (OpenCV order k1, k2, p1, p2, k3)."""

    camera_matrix: np.ndarray
    dist_coeffs: np.ndarray
    image_size: tuple[int, int]
    rms: float = 0.0
    """Reprojection error of the chessboard calibration, pixels (0 when estimated otherwise)."""

    @classmethod
    def from_chessboards(
        cls,
        images: Sequence[np.ndarray],
        pattern: tuple[int, int] = (9, 6),
        square_size: float = 1.0,
    ) -> Lens:
        """Calibrate from views of a chessboard with *pattern* inner corners (columns, rows)."""
        if not images:
            raise VisionInputError("no chessboard images given")
        grid = np.zeros((pattern[0] * pattern[1], 3), np.float32)
        grid[:, :2] = np.mgrid[0 : pattern[0], 0 : pattern[1]].T.reshape(-1, 2) * square_size
        object_points: list[np.ndarray] = []
        image_points: list[np.ndarray] = []
        size: tuple[int, int] | None = None
        criteria = (cv2.TERM_CRITERIA_EPS | cv2.TERM_CRITERIA_MAX_ITER, 50, 1e-4)
        for image in images:
            grey = to_grey(image)
            if size is not None and (grey.shape[1], grey.shape[0]) != size:
                raise VisionInputError("chessboard images have different sizes")
            size = (grey.shape[1], grey.shape[0])
            found, corners = cv2.findChessboardCorners(grey, pattern)
            if not found:
                continue
            corners = cv2.cornerSubPix(grey, corners, (7, 7), (-1, -1), criteria)
            object_points.append(grid)
            image_points.append(corners)
        if len(image_points) < 3 or size is None:
            raise VisionInputError(
                f"chessboard with {pattern[0]}x{pattern[1]} inner corners found in "
                f"{len(image_points)} of {len(images)} images; at least 3 needed"
            )
        # k3 stays 0: with a few views it overfits and makes the model fold over at the edges
        rms, matrix, dist, _, _ = cv2.calibrateCamera(
            object_points, image_points, size, None, None, flags=cv2.CALIB_FIX_K3
        )
        return cls(
            np.asarray(matrix, np.float64), np.asarray(dist, np.float64).ravel(), size, float(rms)
        )

    @classmethod
    def radial(cls, image_size: tuple[int, int], k1: float, k2: float = 0.0) -> Lens:
        """A radial lens centred on the image, focal length one image width (used when none
        was calibrated): OpenCV's *k1* and *k2* terms."""
        width, height = image_size
        focal = float(width)
        matrix = np.array([[focal, 0, (width - 1) / 2], [0, focal, (height - 1) / 2], [0, 0, 1]])
        return cls(matrix, np.array([k1, k2, 0.0, 0.0, 0.0]), image_size)

    def undistort_points(self, points: np.ndarray) -> np.ndarray:
        """Ideal (distortion-free) pixel positions of raw frame points, (N, 2) -> (N, 2)."""
        pts = np.asarray(points, np.float64).reshape(-1, 1, 2)
        criteria = (cv2.TERM_CRITERIA_COUNT | cv2.TERM_CRITERIA_EPS, 20, 1e-6)
        out = cv2.undistortPoints(
            pts, self.camera_matrix, self.dist_coeffs, None, None, self.camera_matrix, criteria
        )
        return out.reshape(-1, 2)

    def distort_points(self, points: np.ndarray) -> np.ndarray:
        """Raw frame positions of ideal pixel points (inverse of :meth:`undistort_points`)."""
        pts = np.asarray(points, np.float64).reshape(-1, 2)
        f = np.array([self.camera_matrix[0, 0], self.camera_matrix[1, 1]])
        c = np.array([self.camera_matrix[0, 2], self.camera_matrix[1, 2]])
        rays = np.column_stack([(pts - c) / f, np.ones(len(pts))])
        zero = np.zeros(3)
        projected, _ = cv2.projectPoints(rays, zero, zero, self.camera_matrix, self.dist_coeffs)
        return projected.reshape(-1, 2)

    def to_dict(self) -> dict[str, object]:
        return {
            "camera_matrix": self.camera_matrix.tolist(),
            "dist_coeffs": self.dist_coeffs.tolist(),
            "image_size": list(self.image_size),
            "rms": self.rms,
        }

    @classmethod
    def from_dict(cls, data: dict[str, object], source: str = "lens") -> Lens:
        try:
            matrix = np.array(data["camera_matrix"], np.float64)
            dist = np.array(data["dist_coeffs"], np.float64).ravel()
            size_values = list(data["image_size"])  # type: ignore[call-overload]
            size = (int(size_values[0]), int(size_values[1]))
            rms = float(data.get("rms", 0.0))  # type: ignore[arg-type]
        except (KeyError, TypeError, ValueError, IndexError) as exc:
            raise VisionInputError(f"{source}: not a lens calibration ({exc})") from None
        if matrix.shape != (3, 3) or dist.size not in (4, 5, 8, 12, 14):
            raise VisionInputError(f"{source}: camera matrix must be 3x3 with 4-14 coefficients")
        return cls(matrix, dist, size, rms)

    def save(self, path: str | Path) -> None:
        Path(path).write_text(json.dumps(self.to_dict(), indent=2) + "\n")

    @classmethod
    def load(cls, path: str | Path) -> Lens:
        file = Path(path)
        try:
            data = json.loads(file.read_text())
        except (OSError, ValueError) as exc:
            raise VisionInputError(f"{file}: cannot read lens calibration ({exc})") from None
        if not isinstance(data, dict):
            raise VisionInputError(f"{file}: not a lens calibration (JSON object expected)")
        return cls.from_dict(data, str(file))
