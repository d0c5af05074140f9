"""The results a station uploads after a run: `run.json` plus report files and screenshots.

The upload is a tar archive. `run.json` at its root describes the run in the shared
result model (:class:`robotest.results.model.RunRecord`, the classes `rtest run` writes
it with); every other member (reports, screenshots) is stored by hash and linked to the
run.
"""

from __future__ import annotations

from pydantic import ValidationError

from robotest.results.model import MAX_PATH, STATUSES, RunRecord
from robotest.server.errors import ArchiveError
from robotest.server.schemas import MAX_RUN_KEY

RUN_FILE = "run.json"

__all__ = ["MAX_PATH", "RUN_FILE", "STATUSES", "counts", "parse_run", "run_key"]


def parse_run(files: dict[str, bytes]) -> RunRecord:
    """The run of an uploaded archive, checked against the files it names."""
    if RUN_FILE not in files:
        raise ArchiveError(f"results archive has no {RUN_FILE}")
    try:
        run = RunRecord.model_validate_json(files[RUN_FILE])
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise ArchiveError(f"{RUN_FILE}: {where}: {first['msg']}") from exc
    if len(run_key(run.station, run.run_id)) > MAX_RUN_KEY:
        raise ArchiveError(
            f"{RUN_FILE}: run_id: station name and run id together are over "
            f"{MAX_RUN_KEY - 1} characters"
        )
    for path in files:
        if len(path) > MAX_PATH:
            raise ArchiveError(f"{path[:60]}...: path is over {MAX_PATH} characters")
    for test in run.tests:
        shots = [*test.screenshots, *(s.screenshot for s in test.steps if s.screenshot)]
        for shot in shots:
            if shot not in files:
                raise ArchiveError(
                    f"{RUN_FILE}: screenshot {shot} of test {test.title!r} is not in the archive"
                )
    return run


def run_key(station: str, run_id: str) -> str:
    """How a run is stored and addressed: under its station's name, so that one station
    can never take or overwrite another's run id."""
    return f"{station}/{run_id}"


def counts(run: RunRecord) -> dict[str, int]:
    """How many tests ended in each status."""
    return run.counts()
