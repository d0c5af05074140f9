"""The templates a search derives from an icon's versions, kept for the next searches.

Scaling, reducing and normalising a version costs more than correlating it with a
reduced screen, and the runtime asks for the same icon on frame after frame: each
:class:`~robotest.vision.icons.Icon` carries a bounded :class:`TemplateCache` of them,
keyed by what was derived (kind, version, scale, pyramid factor).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import TypeVar

T = TypeVar("T")

DEFAULT_LIMIT = 1024
"""Templates kept per icon (least recently used dropped first)."""


class TemplateCache:
    """A bounded, thread-safe least-recently-used store of derived templates."""

    def __init__(self, limit: int = DEFAULT_LIMIT) -> None:
        if limit < 1:
            raise ValueError(f"a template cache holds at least one template, got {limit}")
        self.limit = limit
        self._items: OrderedDict[Hashable, object] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable, make: Callable[[], T]) -> T:
        """The template under *key*, made by *make* (and kept) the first time."""
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                return self._items[key]  # type: ignore[return-value]
        made = make()
        with self._lock:
            self._items[key] = made
            while len(self._items) > self.limit:
                self._items.popitem(last=False)
        return made

    def clear(self) -> None:
        with self._lock:
            self._items.clear()

    def __len__(self) -> int:
        return len(self._items)
