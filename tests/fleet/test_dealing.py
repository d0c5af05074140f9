"""Labels, queues and task grouping: the routing rules, without a broker."""

from __future__ import annotations

import pytest

from robotest.fleet.dealing import group_cases
from robotest.fleet.labels import parse_labels, queue_name, worker_queues
from robotest.fleet.service import exit_code


def test_a_worker_serves_the_queue_of_every_subset_of_its_labels() -> None:
    worker = worker_queues(parse_labels("screen=1920x1200,model=cb14g3"))
    assert queue_name({}) in worker
    assert queue_name({"model": "cb14g3"}) in worker
    assert queue_name({"screen": "1920x1200", "model": "cb14g3"}) in worker
    assert queue_name({"model": "cb16"}) not in worker
    assert queue_name({"model": "cb14g3", "ram": "16"}) not in worker
    assert len(worker) == 4


def test_label_order_does_not_change_the_queue() -> None:
    assert queue_name(parse_labels("a=1,b=2")) == queue_name(parse_labels(" b=2 , a=1"))


@pytest.mark.parametrize("text", ["model", "model=", "=x", "a=1,a=2", "a b=1", "k=v,w"])
def test_malformed_labels_are_refused(text: str) -> None:
    with pytest.raises(ValueError):
        parse_labels(text)


def test_cases_are_grouped_per_file_and_cut_at_the_task_size() -> None:
    nodeids = [f"a.rtest::t[{i}]" for i in range(5)] + ["b.rtest::u", "c.rtest::v"]
    tasks = list(group_cases(nodeids, 2))
    assert tasks == [nodeids[0:2], nodeids[2:4], nodeids[4:5], ["b.rtest::u"], ["c.rtest::v"]]
    assert [n for task in group_cases(nodeids, 200) for n in task] == nodeids


@pytest.mark.parametrize(
    ("status", "counts", "code"),
    [
        ("finished", {"passed": 3, "skipped": 1}, 0),
        ("finished", {"passed": 3, "failed": 1}, 1),
        ("finished", {"passed": 3, "error": 1}, 1),
        ("finished", {"passed": 3, "station error": 1}, 2),
        ("cancelled", {"passed": 3, "cancelled": 4}, 2),
        ("error", {}, 2),
    ],
)
def test_the_exit_code_says_passed_failed_or_no_verdict(
    status: str, counts: dict[str, int], code: int
) -> None:
    assert exit_code({"status": status, "total": 4}, counts) == code
    assert exit_code({"status": "finished", "total": 0}, {}) == 5
