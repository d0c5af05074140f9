"""`config` and `plugins`: the names every `.rtest` module sees without import."""

from __future__ import annotations

import importlib
from collections.abc import Iterator, Mapping
from typing import Any

from robotest.runtime.backend import current


class FrozenConfig(Mapping[str, Any]):
    """A read-only mapping with attribute access (``config.product.bios_version``)."""

    def __init__(self, data: Mapping[str, Any]):
        self._data = dict(data)

    def __getitem__(self, key: str) -> Any:
        value = self._data[key]
        return FrozenConfig(value) if isinstance(value, Mapping) else value

    def __getattr__(self, name: str) -> Any:
        try:
            return self[name]
        except KeyError:
            raise AttributeError(f"config has no entry {name!r}") from None

    def __iter__(self) -> Iterator[str]:
        return iter(self._data)

    def __len__(self) -> int:
        return len(self._data)

    def __repr__(self) -> str:
        return f"config({self._data!r})"


class _ConfigProxy(Mapping[str, Any]):
    """Forwards to the active runtime's configuration."""

    def _target(self) -> FrozenConfig:
        return FrozenConfig(current().config)

    def __getitem__(self, key: str) -> Any:
        return self._target()[key]

    def __getattr__(self, name: str) -> Any:
        return getattr(self._target(), name)

    def __iter__(self) -> Iterator[str]:
        return iter(self._target())

    def __len__(self) -> int:
        return len(self._target())


class _Plugins:
    """Plugins load on first use: ``plugins.inspection``, ``plugins.forecast``."""

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        try:
            return importlib.import_module(f"robotest.{name}.plugin")
        except ModuleNotFoundError as exc:
            raise AttributeError(f"no robotest plugin named {name!r}") from exc


config: Mapping[str, Any] = _ConfigProxy()
plugins = _Plugins()
