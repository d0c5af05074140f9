"""Templates' Fourier transforms, kept for the next searches within one memory budget.

A template's transform at a screen level's size is as large as that level (about 1 MB
a template at a quarter of 1080p, in whole complex form 2 MB), and an icon searched over
its range of sizes keeps one for every size, level and version it met: one 48 px icon
searched on 30 screens kept 42 MB of them. Counted per icon only, a suite's few dozen
icons grew a station's memory by gigabytes. Every template's transforms are therefore
counted against one process-wide budget (:data:`BUDGET_BYTES`): when a new transform
would pass it, the transforms of the templates used least recently are let go (made
again if asked for: the same numbers, a little time). The budget is kept here and not in
each icon's :class:`~robotest.vision.template_cache.TemplateCache`: a template's transforms
are made after the template is cached, one screen size at a time, and a per-icon bound
could not hold a whole suite's icons to one figure.
"""

from __future__ import annotations

import threading
import weakref
from collections import OrderedDict

import numpy as np

BUDGET_BYTES = 512 * 2**20
"""The templates' transforms kept in one process at most, in bytes."""

TransformKey = tuple[str, int, int]


class KeptTransforms(dict[TransformKey, np.ndarray]):
    """One template's transforms by (name, rows, columns), counted against the budget.

    A dictionary (``correlation.kept_transform`` fills it): storing a transform adds its
    bytes to the budget's count, reading one marks the template as just used.
    """

    def __setitem__(self, key: TransformKey, value: np.ndarray) -> None:
        old = self.get(key)
        super().__setitem__(key, value)
        _budget.grew(self, value.nbytes - (0 if old is None else old.nbytes))

    def __getitem__(self, key: TransformKey) -> np.ndarray:
        _budget.used(self)
        return super().__getitem__(key)

    @property
    def nbytes(self) -> int:
        """The bytes of the transforms kept now."""
        return sum(value.nbytes for value in self.values())

    def let_go(self) -> None:
        """Forget every transform (the budget's own call)."""
        super().clear()


class _Budget:
    """The templates' kept transforms, least recently used first, and their bytes."""

    def __init__(self) -> None:
        self._order: OrderedDict[int, tuple[weakref.ref[KeptTransforms], int]] = OrderedDict()
        self._bytes = 0
        self._lock = threading.RLock()  # a freed template's callback may come mid-update

    @property
    def bytes(self) -> int:
        """The bytes counted now."""
        return self._bytes

    def grew(self, kept: KeptTransforms, added: int) -> None:
        """*kept* holds *added* bytes more: the least recently used others let go while
        the count passes :data:`BUDGET_BYTES` (*kept* itself is never let go here)."""
        with self._lock:
            ref, size = self._order.get(id(kept)) or (self._watched(kept), 0)
            self._order[id(kept)] = (ref, size + added)
            self._order.move_to_end(id(kept))
            self._bytes += added
            while self._bytes > BUDGET_BYTES and len(self._order) > 1:
                _, (dropped_ref, dropped) = self._order.popitem(last=False)
                self._bytes -= dropped
                other = dropped_ref()
                if other is not None:
                    other.let_go()

    def used(self, kept: KeptTransforms) -> None:
        """*kept* was just read from."""
        with self._lock:
            if id(kept) in self._order:
                self._order.move_to_end(id(kept))

    def _watched(self, kept: KeptTransforms) -> weakref.ref[KeptTransforms]:
        """A weak reference to *kept* that takes its bytes out of the count when it is freed."""
        key = id(kept)
        return weakref.ref(kept, lambda _: self._forget(key))

    def _forget(self, key: int) -> None:
        """A template's transforms were freed with it: its bytes leave the count."""
        with self._lock:
            entry = self._order.pop(key, None)
            if entry is not None:
                self._bytes -= entry[1]


_budget = _Budget()


def kept_bytes() -> int:
    """The bytes of templates' transforms kept in this process now."""
    return _budget.bytes
