"""The fleet end to end: real Redis, the real server, `rtest worker` processes on the
record station, `rtest submit`."""

from __future__ import annotations

import json
import time

from tests.fleet.conftest import Fleet

ALL_PASSING = [
    "boot.rtest::test_boot[boot 1]",
    "boot.rtest::test_boot[boot 2]",
    "boot.rtest::test_boot[boot 3]",
    "bios.rtest::test_bios[bios 1]",
    "bios.rtest::test_bios[bios 2]",
]


def by_nodeid(run: dict) -> dict[str, dict]:
    nodeids = [c["id"] for c in run["cases"]]
    assert len(nodeids) == len(set(nodeids))
    return {c["id"]: c for c in run["cases"]}


def test_submit_wait_deals_every_case_once_and_exits_with_the_verdict(fleet: Fleet) -> None:
    fleet.start_workers(("w1",), ("w2",))
    done = fleet.submit("boot.rtest", "bios.rtest", "--json")
    assert done.returncode == 0, done.stderr
    run = json.loads(done.stdout[done.stdout.index("{") :])
    cases = by_nodeid(run)
    assert sorted(cases) == sorted(ALL_PASSING)
    assert {c["status"] for c in cases.values()} == {"passed"}
    assert {c["station"] for c in cases.values()} <= {"w1", "w2"}
    assert cases["boot.rtest::test_boot[boot 1]"]["title"] == "boot 1"
    assert run["status"] == "finished" and run["done"] == 5

    failing = fleet.submit("-m", "failing", "--wait")
    assert failing.returncode == 1, failing.stderr
    assert "1 failed" in failing.stderr


def test_a_run_goes_only_to_workers_with_its_labels(fleet: Fleet) -> None:
    fleet.start_workers(
        ("small", "--labels", "model=cb14,screen=1366x768"),
        ("big", "--labels", "model=cb16,screen=1920x1200"),
    )
    run = fleet.start_run("boot.rtest", "bios.rtest", "--labels", "screen=1920x1200")
    final = fleet.wait_for(run, lambda r: r["status"] == "finished")
    assert {c["station"] for c in final["cases"]} == {"big"}
    assert final["stations"] == {"big": 5}
    page = fleet.page(f"/fleet/runs/{run}")
    assert "<td>big</td><td>5</td>" in page  # cases done per station
    assert "bios 2" in page and "finished" in page


def test_a_killed_worker_s_task_is_dealt_again_and_every_case_ends_once(fleet: Fleet) -> None:
    doomed = fleet.worker("doomed", "--labels", "pool=death", "--record-delay", "0.4")
    run = fleet.start_run("boot.rtest", "bios.rtest", "--labels", "pool=death", "--task-size", "10")
    fleet.wait_for(run, lambda r: r["done"] >= 1)
    doomed.kill()  # mid-task: its pytest child dies with it
    fleet.worker("heir", "--labels", "pool=death")
    final = fleet.wait_for(run, lambda r: r["status"] == "finished")
    cases = by_nodeid(final)
    assert sorted(cases) == sorted(ALL_PASSING)
    assert {c["status"] for c in cases.values()} == {"passed"}
    assert "heir" in final["stations"]
    assert sum(final["stations"].values()) == 5


def test_a_station_error_is_run_again_on_another_station(fleet: Fleet) -> None:
    fleet.worker("faulty", "--labels", "pool=faults", "--record-fault", "press:Esc")
    run = fleet.start_run("bios.rtest", "--labels", "pool=faults")
    fleet.wait_for(run, lambda r: any(c["stations_tried"] for c in r["cases"]))
    fleet.worker("sound", "--labels", "pool=faults")
    final = fleet.wait_for(run, lambda r: r["status"] == "finished")
    for case in final["cases"]:
        assert case["status"] == "passed", case
        assert case["station"] == "sound"
    assert any(c["stations_tried"] == ["faulty"] for c in final["cases"])
    assert final["exit_code"] == 0  # never counted against the image


def test_a_cancelled_run_stops_and_its_waiting_submit_exits_2(fleet: Fleet) -> None:
    fleet.worker("slow", "--labels", "pool=cancel", "--record-delay", "0.5")
    run = fleet.start_run("--labels", "pool=cancel", "-m", "boot or bios")
    fleet.wait_for(run, lambda r: r["done"] >= 1)
    cancel = fleet.submit("--cancel", run)
    assert cancel.returncode == 0 and "cancelled" in cancel.stdout
    final = fleet.wait_for(run, lambda r: r["status"] == "cancelled")
    statuses = [c["status"] for c in final["cases"]]
    assert "cancelled" in statuses and statuses.count("pending") == 0
    time.sleep(1.5)  # the worker stops at its next result: nothing more is run
    later = fleet.api("GET", f"/runs/{run}", params={"cases": "true"})
    assert [c["status"] for c in later["cases"]] == statuses
    assert later["exit_code"] == 2


def test_a_submit_to_an_unknown_channel_is_a_one_line_error(fleet: Fleet) -> None:
    done = fleet.submit("--channel", "nightly")
    assert done.returncode == 2
    assert done.stderr.strip() == "error: server refused (404): no channel 'nightly'"
