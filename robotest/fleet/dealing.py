"""A run's cases grouped into tasks (the rules in :mod:`robotest.dealing`, shared with
`rtest run --station a --station b`): one task per file, big files cut into fixed counts.

A task is one message on the broker; a worker runs its cases in one pytest session on its
station.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from robotest.dealing import DEFAULT_TASK_SIZE, MAX_TASK_SIZE, file_of, group_cases

__all__ = ["DEFAULT_TASK_SIZE", "MAX_TASK_SIZE", "Task", "file_of", "group_cases"]


@dataclass
class Task:
    """What a worker receives: the run, the suite version to sync, the cases to run."""

    run: str
    version: str
    channel: str
    image: str  # the image description TOML's text ("" for none)
    cases: list[str]
    attempt: int = 1
    exclude: list[str] = field(default_factory=list)  # stations that must not run it
    bounces: int = 0  # times an excluded station handed it back

    def as_kwargs(self) -> dict[str, Any]:
        return asdict(self)
