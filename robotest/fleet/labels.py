"""Worker labels (`model=cb14g3,screen=1920x1200`) and the broker queue of each label set.

A run asks for a set of labels; its tasks go to the queue named after that set. A worker
consumes the queue of every subset of its own labels, so a task reaches only workers
whose labels include all of the run's (the usual Celery routing: one queue per set).
"""

from __future__ import annotations

import itertools
import re

MAX_LABELS = 6  # a worker listens on 2**n queues
LABEL_PART = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,39}$")
QUEUE_PREFIX = "rtest.fleet"

Labels = dict[str, str]


def parse_labels(text: str | None) -> Labels:
    """`k=v,k=v` as a dict; ValueError with a one-line reason when malformed."""
    labels: Labels = {}
    for part in (text or "").split(","):
        part = part.strip()
        if not part:
            continue
        key, sep, value = part.partition("=")
        key, value = key.strip(), value.strip()
        if not sep or not LABEL_PART.match(key) or not LABEL_PART.match(value):
            raise ValueError(
                f"bad label {part[:60]!r}: write key=value, each 1 to 40 "
                "letters, digits and '. _ -'"
            )
        if key in labels:
            raise ValueError(f"label {key!r} given twice")
        labels[key] = value
    if len(labels) > MAX_LABELS:
        raise ValueError(f"at most {MAX_LABELS} labels")
    return labels


def check_labels(labels: Labels) -> Labels:
    """The same checks for labels that arrive as a mapping (the API)."""
    return parse_labels(",".join(f"{k}={v}" for k, v in labels.items()))


def queue_name(labels: Labels) -> str:
    """The queue of the tasks that need exactly these labels (any order)."""
    if not labels:
        return QUEUE_PREFIX
    return QUEUE_PREFIX + "." + "+".join(f"{k}={labels[k]}" for k in sorted(labels))


def worker_queues(labels: Labels) -> list[str]:
    """Every queue a worker with `labels` serves: one per subset of its labels."""
    keys = sorted(labels)
    return [
        queue_name({k: labels[k] for k in subset})
        for size in range(len(keys) + 1)
        for subset in itertools.combinations(keys, size)
    ]
