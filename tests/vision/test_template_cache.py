"""The icon's template cache: made once, reused, bounded."""

from __future__ import annotations

import numpy as np
import pytest

from robotest.vision import Icon, locate
from robotest.vision.template_cache import TemplateCache

from .conftest import icon_image, paste, text_screen


def test_made_once_then_reused_and_bounded() -> None:
    cache = TemplateCache(limit=2)
    made: list[str] = []

    def make(key: str) -> str:
        made.append(key)
        return key.upper()

    assert cache.get("a", lambda: make("a")) == "A"
    assert cache.get("a", lambda: make("a")) == "A"
    cache.get("b", lambda: make("b"))
    cache.get("a", lambda: make("a"))  # "a" used last: "b" goes first
    cache.get("c", lambda: make("c"))
    assert len(cache) == 2 and made == ["a", "b", "c"]
    cache.get("b", lambda: make("b"))
    assert made == ["a", "b", "c", "b"]
    with pytest.raises(ValueError):
        TemplateCache(limit=0)


def test_a_search_fills_the_icons_cache_and_a_second_search_agrees() -> None:
    screen = text_screen([(20, 20, "Documents")], (400, 300))
    truth = paste(screen, icon_image(9), 200, 120)
    icon = Icon.from_images("target", {"v1.png": icon_image(9)})
    first = locate(screen, icon)
    kept = len(icon.templates)
    again = locate(screen.copy(), icon)
    assert kept > 0 and len(icon.templates) == kept  # nothing derived a second time
    assert first.found and first.box == again.box and first.box[:2] == truth[:2]
    assert np.isclose(first.score, again.score)
