"""The server side of the fleet: submit (list the cases, deal them onto the broker),
claims and results from workers, re-runs after station errors, cancel, progress.
"""

from __future__ import annotations

import json
import logging
import secrets
import threading
import time
from dataclasses import dataclass
from typing import Any

from celery import Celery

from robotest.dealing import may_run_again
from robotest.fleet.collection import CollectionError, collect_cases, suite_tree
from robotest.fleet.dealing import Task, group_cases
from robotest.fleet.engine import TASK_NAME
from robotest.fleet.labels import queue_name
from robotest.fleet.models import CaseResult, SubmitRequest
from robotest.fleet.store import (
    CANCELLED,
    ENDED,
    FAILED,
    FINISHED,
    FleetStore,
)
from robotest.results.statuses import RUNNING, STATION_ERROR
from robotest.server.service import Service

log = logging.getLogger("robotest.fleet")


class UnknownRun(LookupError):
    pass


class NoChannel(LookupError):
    pass


@dataclass
class Outcome:
    """What one result batch did."""

    recorded: int = 0
    duplicates: int = 0
    rerun: int = 0
    cancelled: bool = False


def exit_code(run: dict[str, Any], statuses: dict[str, int]) -> int:
    """The status `rtest submit --wait` exits with (the same numbers as `rtest run`):
    0 every case passed (or was skipped), 1 some case failed or errored, 2 the run did not
    reach a verdict on every case (cancelled, station errors left after re-runs, could not
    be dealt), 5 no case selected."""
    if (
        run["status"] in (CANCELLED, FAILED)
        or statuses.get("station error")
        or statuses.get("interrupted")
    ):
        return 2
    if statuses.get("failed") or statuses.get("error"):
        return 1
    return 5 if not run["total"] else 0


class FleetService:
    """Fleet runs of one server process."""

    def __init__(self, service: Service, engine: Celery, store: FleetStore):
        self.service = service
        self.engine = engine
        self.store = store
        self._send_lock = threading.Lock()

    # submit and deal --------------------------------------------------------

    def submit(self, request: SubmitRequest, who: str) -> str:
        channel = self.service.storage.get_channel(request.channel)
        if channel is None:
            raise NoChannel(f"no channel {request.channel!r}")
        run_id = time.strftime("%Y%m%d-%H%M%S-") + secrets.token_hex(3)
        self.store.add_run(
            run_id, request.channel, channel.version_id, who, request.model_dump(), time.time()
        )
        threading.Thread(
            target=self._deal,
            args=(run_id, request, channel.version_id),
            name=f"deal-{run_id}",
            daemon=True,
        ).start()
        return run_id

    def _deal(self, run_id: str, request: SubmitRequest, version: str) -> None:
        try:
            cached = self.service.manifest(version)
            if cached is None:
                raise CollectionError(f"version {version[:12]} is gone")
            tree = suite_tree(
                cached.raw, self.service.objects, self.service.config.data_dir / "fleet-trees"
            )
            nodeids = collect_cases(tree, request.paths, request.keyword, request.markers)
            self.store.add_cases(run_id, nodeids)
            if self._run(run_id)["status"] in ENDED:  # cancelled while its cases were listed
                self.store.cancel_pending(run_id)
                return
            queue = queue_name(request.labels)
            count = 0
            for cases in group_cases(nodeids, request.task_size):
                self._send(Task(run_id, version, request.channel, request.image, cases), queue)
                count += 1
        except (CollectionError, OSError, ValueError) as exc:
            self._fail(run_id, str(exc))
            return
        except Exception as exc:  # the broker refused: the run says why
            log.exception("dealing run %s failed", run_id)
            self._fail(run_id, f"cannot deal the run: {exc}"[:500])
            return
        if not nodeids:
            self.store.set_status(
                run_id, FINISHED, "no case selected", ended_at=time.time(), dealt_at=time.time()
            )
        else:
            self.store.set_status(run_id, RUNNING, tasks=count, dealt_at=time.time())
            self._finish_if_done(run_id)  # the fastest stations may be done already

    def _fail(self, run_id: str, message: str) -> None:
        if self.store.set_status(run_id, FAILED, message, ended_at=time.time()):
            self.store.cancel_pending(run_id, "not run: the run could not be dealt")

    def _finish_if_done(self, run_id: str) -> None:
        if not self.store.has_pending(run_id):
            self.store.set_status(run_id, FINISHED, ended_at=time.time())

    def _send(self, task: Task, queue: str) -> None:
        with self._send_lock:
            self.engine.send_task(TASK_NAME, kwargs=task.as_kwargs(), queue=queue)

    # workers ------------------------------------------------------------------

    def claim(self, run_id: str, cases: list[str]) -> dict[str, Any]:
        run = self._run(run_id)
        if run["status"] in ENDED:
            return {"cancelled": run["status"] != FINISHED, "pending": []}
        return {"cancelled": False, "pending": self.store.unfinished(run_id, cases)}

    def record(self, run_id: str, station: str, cases: list[CaseResult]) -> Outcome:
        """Store final results; a station error is dealt again to another station (at most
        robotest.dealing.MAX_STATION_ERRORS runs in all) and never counted against the image."""
        run = self._run(run_id)
        outcome = Outcome(cancelled=run["status"] in (CANCELLED, FAILED))
        again: dict[tuple[str, ...], list[str]] = {}
        final: dict[str, dict[str, Any]] = {}
        now = time.time()
        for case in cases:
            if case.status == STATION_ERROR and run["status"] not in ENDED:
                tried = self.store.retry_case(run_id, case.id, station, case.message)
                if tried is None:
                    outcome.duplicates += 1
                    continue
                if may_run_again(len(tried)):
                    again.setdefault(tuple(tried), []).append(case.id)
                    outcome.rerun += 1
                    continue
            final[case.id] = {
                "status": case.status,
                "title": case.title,
                "station": station,
                "tags": json.dumps(case.tags),
                "duration": case.duration,
                "message": case.message,
                "finished_at": now,
            }
        outcome.recorded = self.store.finish_cases(run_id, final)
        outcome.duplicates += len(final) - outcome.recorded
        if again:
            self._deal_again(run, again)
        if run["status"] == RUNNING:
            self._finish_if_done(run_id)
        return outcome

    def _deal_again(self, run: dict[str, Any], again: dict[tuple[str, ...], list[str]]) -> None:
        """Station errors' cases to other stations (never to those in their key)."""
        run_id = run["id"]
        request = SubmitRequest.model_validate(run["request"])
        for stations, nodeids in again.items():
            self._send(
                Task(
                    run_id,
                    run["version"],
                    run["channel"],
                    request.image,
                    nodeids,
                    attempt=len(stations) + 1,
                    exclude=list(stations),
                ),
                queue_name(request.labels),
            )

    # people -------------------------------------------------------------------

    def cancel(self, run_id: str) -> dict[str, Any]:
        """Stop a run: its pending cases end `cancelled`; workers drop its queued tasks
        when they claim them and stop a running one at its next result."""
        self._run(run_id)
        if self.store.set_status(run_id, CANCELLED, "cancelled", ended_at=time.time()):
            self.store.cancel_pending(run_id)
        return self.progress(run_id)

    def progress(self, run_id: str) -> dict[str, Any]:
        run = self._run(run_id)
        statuses, stations = self.store.counts(run_id)
        done = sum(n for s, n in statuses.items() if s != "pending")
        started = run["dealt_at"] or run["submitted_at"]
        end = run["ended_at"] or time.time()
        rate = done / (end - started) if done and end > started else 0.0
        remaining = run["total"] - done
        return {
            "id": run_id,
            "status": run["status"],
            "message": run["message"],
            "channel": run["channel"],
            "version": run["version"],
            "labels": run["request"].get("labels", {}),
            "submitted_by": run["submitted_by"],
            "submitted_at": run["submitted_at"],
            "dealt_at": run["dealt_at"],
            "ended_at": run["ended_at"],
            "tasks": run["tasks"],
            "total": run["total"],
            "done": done,
            "counts": statuses,
            "stations": stations,
            "cases_per_second": round(rate, 3),
            "eta_seconds": round(remaining / rate, 1)
            if rate and remaining > 0 and run["status"] == RUNNING
            else None,
            "exit_code": exit_code(run, statuses) if run["status"] in ENDED else None,
        }

    def _run(self, run_id: str) -> dict[str, Any]:
        run = self.store.run(run_id)
        if run is None:
            raise UnknownRun(f"no fleet run {run_id}")
        return run
