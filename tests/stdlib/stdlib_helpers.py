"""Where the example suite's specification and the simulated laptop's icons are."""

from __future__ import annotations

from pathlib import Path

import robotest.sim

ROOT = Path(__file__).resolve().parents[2]
SPEC_FILE = ROOT / "scripts" / "image.toml"
SIM_ICONS = Path(robotest.sim.__file__).parent / "assets" / "icons"
