"""A run's cases grouped into tasks: one task per file, big files cut into fixed counts.

A task is one message on the broker; a worker runs its cases in one pytest session on its
station. Grouping by file keeps a file's setup and station state together; a matrix of
thousands of cases in one file is cut so that many stations share it.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from typing import Any

DEFAULT_TASK_SIZE = 200
MAX_TASK_SIZE = 5000


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


def file_of(nodeid: str) -> str:
    return nodeid.split("::", 1)[0]


def group_cases(nodeids: list[str], task_size: int = DEFAULT_TASK_SIZE) -> Iterator[list[str]]:
    """The cases in tasks: consecutive cases of one file, at most `task_size` per task."""
    if task_size < 1:
        raise ValueError("task size must be at least 1")
    current: list[str] = []
    for nodeid in nodeids:
        if current and (file_of(current[0]) != file_of(nodeid) or len(current) >= task_size):
            yield current
            current = []
        current.append(nodeid)
    if current:
        yield current
