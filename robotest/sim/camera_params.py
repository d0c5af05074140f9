"""What the simulated camera is like: exposure, noise, blur, glare, lens and pose limits.

The values are magnitudes; the concrete camera pose, glare position and noise pattern
are drawn from the seed given to :class:`~robotest.sim.camera_model.CameraModel`, so one
seed always gives the same camera.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np


@dataclass(frozen=True)
class CameraParams:
    """Optical and sensor settings of the simulated industrial camera.

    Defaults describe a well set-up station: nominal exposure, a little read noise,
    slight focus blur, mild barrel distortion and a camera mounted within a couple of
    degrees of square to the screen.
    """

    exposure: float = 1.0
    """Brightness factor: 1.0 nominal, 0.4 dim, 1.6 over-exposed (highlights clip)."""
    noise_sigma: float = 2.0
    """Sensor read noise, standard deviation in grey levels (0..255)."""
    blur_sigma: float = 0.7
    """Focus and optics blur, Gaussian sigma in screen pixels (0 disables)."""
    glare: bool = False
    """Add a soft reflection spot (a ceiling lamp on the glass) somewhere on the screen."""
    glare_strength: float = 80.0
    """Grey levels the glare adds at its centre."""
    glare_radius: float = 0.12
    """Glare spot radius as a fraction of the frame width."""
    distortion: float = -0.05
    """Radial lens distortion k1 (negative: barrel, positive: pincushion)."""
    vignetting: float = 0.25
    """Brightness lost in the frame corners (0: none, 1: black corners)."""
    pose_jitter_deg: float = 2.0
    """Largest random yaw/pitch of the camera, degrees (roll is half of it)."""
    offset_jitter: float = 0.02
    """Largest random shift of the screen centre, as a fraction of the frame size."""
    screen_fill: float = 0.8
    """Fraction of the frame width the screen spans when seen square on."""

    def __post_init__(self) -> None:
        checks = {
            "exposure": 0 < self.exposure <= 1.9,
            "noise_sigma": self.noise_sigma >= 0,
            "blur_sigma": self.blur_sigma >= 0,
            "glare_strength": self.glare_strength >= 0,
            "glare_radius": self.glare_radius > 0,
            "distortion": -0.3 <= self.distortion <= 0.3,
            "vignetting": 0 <= self.vignetting < 1,
            "pose_jitter_deg": 0 <= self.pose_jitter_deg <= 20,
            "offset_jitter": 0 <= self.offset_jitter <= 0.1,
            "screen_fill": 0.2 <= self.screen_fill <= 0.95,
        }
        bad = [name for name, ok in checks.items() if not ok]
        if bad:
            values = ", ".join(f"{name}={getattr(self, name)!r}" for name in bad)
            raise ValueError(f"camera parameters out of range: {values}")

    @classmethod
    def sample(cls, seed: int) -> CameraParams:
        """A realistic variety of cameras: exposure, noise, blur, glare and lens from *seed*.

        Useful to prove vision code copes with more than the one nominal camera.
        """
        rng = np.random.default_rng([seed, 0xCA3E])
        return cls(
            exposure=float(rng.uniform(0.6, 1.4)),
            noise_sigma=float(rng.uniform(1.0, 5.0)),
            blur_sigma=float(rng.uniform(0.4, 1.3)),
            glare=bool(rng.random() < 0.3),
            distortion=float(rng.uniform(-0.08, 0.02)),
            vignetting=float(rng.uniform(0.1, 0.4)),
            pose_jitter_deg=float(rng.uniform(0.5, 4.0)),
        )

    def with_changes(self, **changes: float | bool) -> CameraParams:
        """A copy with some fields changed (validated like the original)."""
        return replace(self, **changes)  # type: ignore[arg-type]
