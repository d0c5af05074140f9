"""`config` and `plugins`: the names every `.rtest` module sees without import."""

from __future__ import annotations

import sys
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from types import ModuleType
from typing import Any

from robotest import registry
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


@dataclass(frozen=True)
class Requirement:
    """A configuration value a `.rtest` module needs: ``config.require(path, why)``."""

    path: tuple[str, ...]  # ("product", "os", "password")
    why: str  # "the desktop sub-scripts sign in with it"

    def describe(self) -> str:
        """The value as the user writes it: ``[os] password`` in the image description."""
        if self.path[0] == "product" and len(self.path) == 3:
            return f"[{self.path[1]}] {self.path[2]}"
        return ".".join(self.path)


# module name -> what it requires; filled when modules are imported (collection)
_REQUIREMENTS: dict[str, list[Requirement]] = {}


def missing_values(modules: Iterable[ModuleType], values: Mapping[str, Any]) -> list[Requirement]:
    """The requirements of *modules* (and the `.rtest` modules they use) that *values* lack."""
    missing: list[Requirement] = []
    for name in sorted(_used_rtest_modules(modules)):
        for requirement in _REQUIREMENTS.get(name, ()):
            if _lookup(values, requirement.path) in (None, "") and requirement not in missing:
                missing.append(requirement)
    return missing


def _lookup(values: Any, path: tuple[str, ...]) -> Any:
    for key in path:
        if not isinstance(values, Mapping):
            return None
        values = values.get(key)
    return values


def _used_rtest_modules(modules: Iterable[ModuleType]) -> set[str]:
    """*modules* and every `.rtest` module whose functions or modules they hold, transitively."""
    seen: set[str] = set()
    todo = list(modules)
    while todo:
        module = todo.pop()
        if module.__name__ in seen or not str(getattr(module, "__file__", "")).endswith(".rtest"):
            continue
        seen.add(module.__name__)
        for value in list(vars(module).values()):
            owner = (
                value
                if isinstance(value, ModuleType)
                else sys.modules.get(getattr(value, "__module__", None) or "")
            )
            if owner is not None and owner.__name__ not in seen:
                todo.append(owner)
    return seen


class _ConfigProxy(Mapping[str, Any]):
    """Forwards to the active runtime's configuration."""

    def require(self, path: str, why: str) -> None:
        """Declare, at a module's top level, a value its sub-scripts cannot do without.

        ``config.require("product.os.password", "the desktop sub-scripts sign in with it")``:
        a run of a suite that uses the module stops before its first case, as an error
        naming the value and the image description, when the value is missing or empty.
        """
        caller = sys._getframe(1).f_globals.get("__name__", "")  # the declaring module
        requirement = Requirement(tuple(path.split(".")), why)
        declared = _REQUIREMENTS.setdefault(caller, [])
        if requirement not in declared:
            declared.append(requirement)

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
    """Plugins load on first use: ``plugins.inspection``, ``plugins.forecast``, and any a
    package registers under the ``robotest.plugins`` entry point (:mod:`robotest.registry`)."""

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        try:
            return registry.load(registry.PLUGINS, name)
        except registry.NotRegistered as exc:
            raise AttributeError(str(exc)) from None

    def __dir__(self) -> list[str]:
        return list(registry.names(registry.PLUGINS))


config: Mapping[str, Any] = _ConfigProxy()
plugins = _Plugins()
