"""How a run's cases are dealt out to stations: the rules the fleet (over a broker) and
`rtest run --station a --station b` (over pytest-xdist) share.

- Cases go out in tasks: consecutive cases of one file, at most a fixed count per task
  (a file's setup and station state stay together; a matrix of thousands of cases in
  one file is cut so that many stations share it).
- A case that ends in ``station error`` is not a verdict on the image: it is run again
  on a station that has not failed it, at most :data:`MAX_STATION_ERRORS` runs in all.
- A station with a station error takes no more work (the fleet: until its health check
  passes; a local run: for the rest of the run). Cases it was given and did not run are
  dealt to the other stations.
"""

from __future__ import annotations

from collections.abc import Iterator

DEFAULT_TASK_SIZE = 200
MAX_TASK_SIZE = 5000
MAX_STATION_ERRORS = 3  # a case is run at most this many times when its station fails
NOT_RUN_PREFIX = "not run: station"  # the message of a case its stopped station skipped


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


def may_run_again(stations_failed: int) -> bool:
    """Whether a case whose stations failed `stations_failed` times is dealt again."""
    return stations_failed < MAX_STATION_ERRORS


def not_run_message(station: str, reason: str) -> str:
    """The message of a case a stopped station did not run (see :func:`was_not_run`)."""
    return f"{NOT_RUN_PREFIX} {station} stopped ({reason})"


def was_not_run(outcome: str, message: str) -> bool:
    """A case its station skipped because it had stopped: dealt to another station."""
    return outcome == "skipped" and message.startswith(NOT_RUN_PREFIX)
