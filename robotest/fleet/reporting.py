"""How a worker talks to the server: claim a task's cases, send case results.

`send_results` is the one place results leave a station: it builds the server's own
result model (robotest.fleet.models.CaseResult, a robotest.results.model.CaseRecord) from
the runtime's results, so that both sides validate the same fields.
"""

from __future__ import annotations

from robotest.fleet.models import CaseResult, ClaimRequest, ResultBatch
from robotest.runtime.results import CaseResult as RuntimeCase
from robotest.server.client import ServerClient

MAX_MESSAGE = 100_000


def claim(client: ServerClient, run: str, station: str, cases: list[str]) -> tuple[bool, list[str]]:
    """(cancelled, the cases still waiting for a result)."""
    body = ClaimRequest(station=station, cases=cases).model_dump()
    answer = client.request("POST", f"/fleet/runs/{run}/claim", json=body, retry=True).json()
    return bool(answer["cancelled"]), list(answer["pending"])


def case_result(case: RuntimeCase) -> CaseResult:
    return CaseResult(
        id=case.id,
        title=case.title or case.id,
        tags=[t[:200] for t in case.tags],
        status=case.status,  # type: ignore[arg-type]  # recorded as str
        duration=max(0.0, case.duration or 0.0),
        message=(case.message or "")[:MAX_MESSAGE],
    )


def send_results(
    client: ServerClient, run: str, station: str, attempt: int, cases: list[CaseResult]
) -> bool:
    """Post finished cases; True when the run was cancelled meanwhile (stop running it)."""
    if not cases:
        return False
    body = ResultBatch(station=station, attempt=attempt, cases=cases).model_dump(mode="json")
    answer = client.request("POST", f"/fleet/runs/{run}/results", json=body, retry=True).json()
    return bool(answer["cancelled"])
