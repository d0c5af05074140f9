"""A deterministic camera that photographs the laptop's screen the way the station camera does.

The 1920x1080 screen image lands inside a larger camera frame (2448x2048 by default)
under the perspective of a seeded camera pose, with lens distortion, exposure,
vignetting, slight blur, an optional glare spot and sensor noise, so vision code meets
what a real camera gives it. Everything that does not depend on the screen content is
precomputed once per (sizes, seed, parameters) and shared: the combined
perspective+distortion remap maps, the exposure/vignetting multiplier, the glare layer,
the static background and a bank of noise frames. :meth:`CameraModel.photograph` is then
a copy, a small blur, one ``cv2.remap`` of the screen's footprint, a multiply and a noise add.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import cv2
import numpy as np

from robotest.sim.camera_geometry import CameraGeometry
from robotest.sim.camera_params import CameraParams

Box = tuple[int, int, int, int]

_BEZEL = 60
"""Width in screen pixels of the laptop lid drawn around the screen."""
_LID_EDGE = 14
"""Outer part of the bezel drawn lighter: the lid's aluminium edge."""
_LID_BGR = (30, 29, 28)
_LID_EDGE_BGR = (96, 98, 100)
_DESK_BGR = (58, 62, 66)
_SHADE_ONE = 128
"""Fixed-point unit of the shade map: multiply by shade, divide by this."""
_NOISE_FRAMES = 16
_NOISE_ROW_STEP = 8


@dataclass(frozen=True)
class _Optics:
    """The precomputed, read-only part of a camera (shared by equal cameras)."""

    geometry: CameraGeometry
    roi: Box
    map1: np.ndarray
    map2: np.ndarray
    shade: np.ndarray
    glare: np.ndarray | None
    background: np.ndarray
    noise: np.ndarray | None


def _read_only(array: np.ndarray) -> np.ndarray:
    array.setflags(write=False)
    return array


def _footprint(geometry: CameraGeometry) -> Box:
    """Bounding box in the frame of the screen plus its bezel, clipped to the frame."""
    w, h = geometry.screen_size
    xs = np.linspace(-_BEZEL, w - 1 + _BEZEL, 200)
    ys = np.linspace(-_BEZEL, h - 1 + _BEZEL, 200)
    edge = np.concatenate(
        [
            np.column_stack([xs, np.full_like(xs, ys[0])]),
            np.column_stack([xs, np.full_like(xs, ys[-1])]),
            np.column_stack([np.full_like(ys, xs[0]), ys]),
            np.column_stack([np.full_like(ys, xs[-1]), ys]),
        ]
    )
    pts = geometry.screen_to_frame(edge)
    frame_w, frame_h = geometry.frame_size
    x0 = max(0, int(np.floor(pts[:, 0].min())) - 3)
    y0 = max(0, int(np.floor(pts[:, 1].min())) - 3)
    x1 = min(frame_w, int(np.ceil(pts[:, 0].max())) + 4)
    y1 = min(frame_h, int(np.ceil(pts[:, 1].max())) + 4)
    return (x0, y0, x1, y1)


def _shade_factor(frame_size: tuple[int, int], params: CameraParams) -> np.ndarray:
    """Exposure times vignetting at every frame pixel (float32, frame_h x frame_w)."""
    w, h = frame_size
    xs = (np.arange(w, dtype=np.float32) - (w - 1) / 2) / ((w - 1) / 2)
    ys = (np.arange(h, dtype=np.float32) - (h - 1) / 2) / ((h - 1) / 2)
    rho2 = (xs[None, :] ** 2 + ys[:, None] ** 2) / 2.0
    falloff = 1.0 - params.vignetting * (0.6 * rho2 + 0.4 * rho2 * rho2)
    return (params.exposure * falloff).astype(np.float32)


def _glare_layer(
    geometry: CameraGeometry, roi: Box, params: CameraParams, seed: int
) -> np.ndarray | None:
    """Additive glare spot (uint8 BGR over the ROI), or None when glare is off."""
    if not params.glare or params.glare_strength <= 0:
        return None
    rng = np.random.default_rng([seed, 0x61A4E])
    w, h = geometry.screen_size
    spot = rng.uniform((0.15 * w, 0.15 * h), (0.85 * w, 0.85 * h))
    cx, cy = geometry.screen_to_frame(spot[None, :])[0]
    x0, y0, x1, y1 = roi
    radius = params.glare_radius * geometry.frame_size[0]
    stretch = float(rng.uniform(0.6, 1.0))
    xs = (np.arange(x0, x1, dtype=np.float32) - cx) / radius
    ys = (np.arange(y0, y1, dtype=np.float32) - cy) / (radius * stretch)
    spot_map = np.exp(-2.0 * (xs[None, :] ** 2 + ys[:, None] ** 2)) * params.glare_strength
    tint = np.array([0.92, 0.97, 1.0], np.float32)  # a warm lamp: a little less blue
    return np.clip(spot_map[:, :, None] * tint, 0, 255).astype(np.uint8)


def _noise_bank(frame_size: tuple[int, int], sigma: float, seed: int) -> np.ndarray | None:
    """Noise offset by 128 (uint8), tall enough to cut several distinct frames from it."""
    if sigma <= 0:
        return None
    w, h = frame_size
    rng = np.random.default_rng([seed, 0x4015E])
    rows = h + _NOISE_FRAMES * _NOISE_ROW_STEP
    noise = rng.standard_normal((rows, w, 3), dtype=np.float32)
    noise *= sigma
    noise += 128.5
    np.clip(noise, 0, 255, out=noise)
    return noise.astype(np.uint8)


@functools.lru_cache(maxsize=4)
def _optics(
    screen_size: tuple[int, int], frame_size: tuple[int, int], seed: int, params: CameraParams
) -> _Optics:
    geometry = CameraGeometry.from_seed(screen_size, frame_size, params, seed)
    roi = _footprint(geometry)
    map_x, map_y = geometry.frame_to_screen_grid(roi)
    map_x += _BEZEL
    map_y += _BEZEL
    map1, map2 = cv2.convertMaps(map_x, map_y, cv2.CV_16SC2)
    factor = _shade_factor(frame_size, params)
    shade_full = np.clip(np.rint(factor * _SHADE_ONE), 0, 255).astype(np.uint8)
    x0, y0, x1, y1 = roi
    shade = cv2.merge([shade_full[y0:y1, x0:x1]] * 3)
    desk = np.array(_DESK_BGR, np.float32)
    background = np.clip(factor[:, :, None] * desk, 0, 255).astype(np.uint8)
    return _Optics(
        geometry=geometry,
        roi=roi,
        map1=_read_only(map1),
        map2=_read_only(map2),
        shade=_read_only(shade),
        glare=_glare_layer(geometry, roi, params, seed),
        background=_read_only(background),
        noise=_noise_bank(frame_size, params.noise_sigma, seed),
    )


def _lid_canvas(screen_size: tuple[int, int]) -> np.ndarray:
    """The screen's surroundings (lid bezel and edge); the screen is copied into its middle."""
    w, h = screen_size
    canvas = np.empty((h + 2 * _BEZEL, w + 2 * _BEZEL, 3), np.uint8)
    canvas[:] = _LID_EDGE_BGR
    inner = _LID_EDGE
    canvas[inner:-inner, inner:-inner] = _LID_BGR
    return canvas


class CameraModel:
    """A seeded station camera: ``photograph(screen)`` returns what it would see.

    ``CameraModel(seed=3)`` or ``CameraModel(seed=3, exposure=0.5, glare=True)``: keyword
    arguments are :class:`CameraParams` fields; *params* gives them all at once.
    """

    def __init__(
        self,
        screen_size: tuple[int, int] = (1920, 1080),
        frame_size: tuple[int, int] = (2448, 2048),
        seed: int = 0,
        params: CameraParams | None = None,
        **overrides: float | bool,
    ) -> None:
        base = params if params is not None else CameraParams()
        self.params: CameraParams = base.with_changes(**overrides) if overrides else base
        self.screen_size: tuple[int, int] = (int(screen_size[0]), int(screen_size[1]))
        self.frame_size: tuple[int, int] = (int(frame_size[0]), int(frame_size[1]))
        self.seed = int(seed)
        self._optics = _optics(self.screen_size, self.frame_size, self.seed, self.params)
        self._canvas = _lid_canvas(self.screen_size)
        self._shots = 0

    @property
    def geometry(self) -> CameraGeometry:
        """Intrinsics, distortion and pose of this camera."""
        return self._optics.geometry

    @property
    def screen_corners(self) -> np.ndarray:
        """Ground truth: frame positions of the screen's corner pixels, TL, TR, BR, BL, (4, 2).

        These are the centres of screen pixels (0, 0), (w-1, 0), (w-1, h-1), (0, h-1).
        """
        w, h = self.screen_size
        return self.screen_to_frame(np.array([[0, 0], [w - 1, 0], [w - 1, h - 1], [0, h - 1]]))

    @property
    def screen_box(self) -> Box:
        """The frame region ``(x0, y0, x1, y1)`` the screen and its bezel occupy."""
        return self._optics.roi

    def screen_to_frame(self, points: np.ndarray | list[list[float]]) -> np.ndarray:
        """Ground truth: frame pixel coordinates of screen points, (N, 2) float64."""
        return self.geometry.screen_to_frame(np.asarray(points, np.float64))

    def frame_to_screen(self, points: np.ndarray | list[list[float]]) -> np.ndarray:
        """Ground truth inverse: screen coordinates seen at frame pixels, (N, 2) float64."""
        return self.geometry.frame_to_screen(np.asarray(points, np.float64))

    def photograph(self, screen: np.ndarray) -> np.ndarray:
        """The camera frame (uint8 BGR, frame_h x frame_w x 3) of one screen image."""
        return self.add_noise(self.expose(screen))

    def expose(self, screen: np.ndarray) -> np.ndarray:
        """The noise-free frame: perspective, lens, blur, exposure, vignetting and glare."""
        self._check_screen(screen)
        optics = self._optics
        w, h = self.screen_size
        canvas = self._canvas
        canvas[_BEZEL : _BEZEL + h, _BEZEL : _BEZEL + w] = screen
        source = canvas
        if self.params.blur_sigma > 0:
            source = cv2.GaussianBlur(canvas, (0, 0), self.params.blur_sigma)
        region = cv2.remap(
            source,
            optics.map1,
            optics.map2,
            cv2.INTER_LINEAR,
            borderMode=cv2.BORDER_CONSTANT,
            borderValue=_DESK_BGR,
        )
        region = cv2.multiply(region, optics.shade, scale=1.0 / _SHADE_ONE)
        if optics.glare is not None:
            region = cv2.add(region, optics.glare)
        frame = optics.background.copy()
        x0, y0, x1, y1 = optics.roi
        frame[y0:y1, x0:x1] = region
        return frame

    def add_noise(self, frame: np.ndarray) -> np.ndarray:
        """*frame* plus the next sensor-noise frame of the bank (a new array)."""
        noise = self._optics.noise
        if noise is None:
            return frame.copy()
        start = (self._shots % _NOISE_FRAMES) * _NOISE_ROW_STEP
        self._shots += 1
        height = self.frame_size[1]
        return cv2.addWeighted(frame, 1.0, noise[start : start + height], 1.0, -128.0)

    def _check_screen(self, screen: np.ndarray) -> None:
        w, h = self.screen_size
        if screen.shape != (h, w, 3) or screen.dtype != np.uint8:
            raise ValueError(
                f"screen image must be uint8 BGR {h}x{w}x3, got {screen.dtype} {screen.shape}"
            )
