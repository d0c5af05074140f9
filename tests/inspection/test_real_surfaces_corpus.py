"""The real-surfaces corpus generator's defects (``benchmarks/real_surfaces/build_corpus.py``).

The generator is the yardstick of issue 22: a truth box is a connected piece of a
defect's mask, so a defect drawn as loose pieces counts as several defects. Loaded from
its file as ``conftest._generator`` loads the synthetic set's generator.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import numpy as np
import pytest

from robotest.inspection.metrics import mask_boxes

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def build_corpus() -> ModuleType:
    path = ROOT / "benchmarks" / "real_surfaces" / "build_corpus.py"
    spec = importlib.util.spec_from_file_location("real_surfaces_build_corpus", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["real_surfaces_build_corpus"] = module
    spec.loader.exec_module(module)
    return module


def test_a_drawn_crack_is_one_connected_mask_piece(build_corpus: ModuleType) -> None:
    """A crack's branches start on its main line: one crack, one truth box (they began
    one random step off the line, and a crack was 2-4 mask pieces)."""
    side = build_corpus.SIDE
    surface = np.full((side, side), 0.6, np.float32)
    for seed in range(40):
        image, mask = build_corpus.crack(surface, np.random.default_rng(seed))
        assert len(mask_boxes(mask)) == 1, seed
        assert (image[mask > 0] < surface[mask > 0]).all()  # the crack is dark


def test_every_drawn_defect_kind_is_one_mask_piece(build_corpus: ModuleType) -> None:
    """Scratches, holes, smudges, stains and cracks each make one truth box."""
    side = build_corpus.SIDE
    rng = np.random.default_rng(7)
    surface = rng.uniform(0.3, 0.7, (side, side)).astype(np.float32)
    for kind, draw in build_corpus.DRAWINGS.items():
        for _ in range(10):
            _, mask = draw(surface, rng)
            assert len(mask_boxes(mask)) == 1, kind


def test_a_stretched_surface_keeps_its_mean_and_reaches_the_defect_tones(
    build_corpus: ModuleType,
) -> None:
    """``--contrast`` (a harder tuning proxy) widens the grey levels about the mean, clipped
    to [0, 1]; at 1 the photograph is returned untouched (rs7's classes are unchanged)."""
    rng = np.random.default_rng(3)
    surface = np.clip(rng.normal(0.5, 0.1, (64, 64)), 0, 1).astype(np.float32)
    assert build_corpus.stretched(surface, 1.0) is surface
    wide = build_corpus.stretched(surface, 2.5)
    assert wide.dtype == np.float32 and wide.min() >= 0.0 and wide.max() <= 1.0
    assert wide.std() > 2.0 * surface.std()
    assert abs(float(wide.mean()) - float(surface.mean())) < 0.01
    assert (wide < 0.25).mean() > 0.05 > (surface < 0.25).mean()  # dark as a hole's rim


def test_the_streaked_tuning_classes_are_not_held_out(build_corpus: ModuleType) -> None:
    """The extra streaked classes are tuning proxies, built only when named."""
    assert set(build_corpus.STREAKED) <= set(build_corpus.PATTERN_FILES)
    assert not set(build_corpus.STREAKED) & set(build_corpus.HELD_OUT)
    assert not set(build_corpus.STREAKED) & set(build_corpus.TUNING)


def test_a_quilted_surface_keeps_the_tiles_grey_levels_but_does_not_repeat(
    build_corpus: ModuleType,
) -> None:
    """``--quilt`` lays a pattern's tile in random flips and quarter turns: the same grey
    levels as the tiled surface, but a copy one period along is not the same picture (a
    non-repeating tuning proxy, as grass and gravel are single photographs)."""
    rng = np.random.default_rng(5)
    tile = rng.uniform(0, 255, (40, 40)).astype(np.float32)
    laid = build_corpus.quilted(tile, np.random.default_rng(1))
    side = build_corpus.SOURCE_SIDE
    assert laid.shape == (side, side)
    assert np.allclose(np.sort(laid[:40, :40].ravel()), np.sort(tile.ravel()))
    tiled = np.tile(tile, (side // 40 + 1, side // 40 + 1))[:side, :side]
    assert np.array_equal(tiled[:, :40], tiled[:, 40:80])
    copies = [laid[:40, 40 * i : 40 * i + 40] for i in range(side // 40)]
    assert len({c.tobytes() for c in copies}) > 3
    again = build_corpus.quilted(tile, np.random.default_rng(1))
    assert np.array_equal(laid, again)
