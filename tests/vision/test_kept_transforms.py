"""Templates' transforms are kept within one process-wide memory budget."""

from __future__ import annotations

import gc

import numpy as np
import pytest

from robotest.vision import Icon, locate
from robotest.vision import kept_transforms as kt
from robotest.vision.correlation import kept_transform, transform

from .conftest import icon_image, paste, text_screen


def _pixels(seed: int) -> np.ndarray:
    return np.random.default_rng(seed).random((24, 24)).astype(np.float32)


def test_a_transform_is_kept_and_counted_until_its_template_is_freed() -> None:
    gc.collect()
    before = kt.kept_bytes()
    kept = kt.KeptTransforms()
    first = kept_transform(kept, "kernel", _pixels(1), (256, 256))
    assert kept_transform(kept, "kernel", _pixels(1), (256, 256)) is first  # kept, not made again
    assert kt.kept_bytes() - before == first.nbytes == kept.nbytes
    del kept
    gc.collect()
    assert kt.kept_bytes() == before


def test_past_the_budget_the_least_recently_used_templates_let_go(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(kt, "BUDGET_BYTES", kt.kept_bytes() + 3 * 256 * 256 * 4)
    templates = [kt.KeptTransforms() for _ in range(3)]
    for seed, kept in enumerate(templates):
        kept_transform(kept, "kernel", _pixels(seed), (256, 256))
    kept_transform(templates[0], "kernel", _pixels(0), (256, 256))  # the first used again
    newest = kt.KeptTransforms()
    kept_transform(newest, "kernel", _pixels(9), (256, 256))
    assert [len(kept) for kept in templates] == [1, 0, 1]  # the least recently used let go
    assert kt.kept_bytes() <= kt.BUDGET_BYTES
    again = kept_transform(templates[1], "kernel", _pixels(1), (256, 256))
    assert np.array_equal(again, transform(_pixels(1), (256, 256)))  # made again, the same


def test_a_template_larger_than_the_budget_is_still_kept_while_used(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(kt, "BUDGET_BYTES", 1024)
    kept = kt.KeptTransforms()
    made = kept_transform(kept, "kernel", _pixels(2), (64, 64))
    assert kept_transform(kept, "kernel", _pixels(2), (64, 64)) is made


def _screens() -> list[np.ndarray]:
    screens = []
    for seed in range(4):
        screen = text_screen([(20, 20, "Documents")], (960, 540))
        rng = np.random.default_rng(seed)
        box = (int(rng.integers(40, 800)), int(rng.integers(60, 440)))
        paste(screen, icon_image(1), *box, scale=float(rng.uniform(0.8, 1.5)))
        screens.append(screen)
    return screens


def test_searches_within_a_small_budget_give_the_same_answers_and_keep_less(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    screens = _screens()
    gc.collect()
    floor = kt.kept_bytes()
    roomy = Icon.from_images("target", {"v1.png": icon_image(1)})
    answers = [locate(screen, roomy) for screen in screens]
    roomy_bytes = kt.kept_bytes() - floor
    del roomy
    gc.collect()
    monkeypatch.setattr(kt, "BUDGET_BYTES", floor + roomy_bytes // 8)
    tight = Icon.from_images("target", {"v1.png": icon_image(1)})
    for screen, answer in zip(screens, answers, strict=True):
        match = locate(screen, tight)
        assert (match.found, match.box, match.score) == (answer.found, answer.box, answer.score)
        assert kt.kept_bytes() - floor < roomy_bytes // 2  # templates' transforms let go
    assert all(a.found for a in answers)
