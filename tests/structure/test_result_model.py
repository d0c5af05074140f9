"""One result vocabulary, from the run to the server (issue 21).

The six statuses are defined once (robotest.results.statuses); a case and a step are
the model's ``CaseRecord``/``StepRecord`` (robotest.results.model), recorded by the
runtime as light dataclasses with the same field names (robotest.runtime.results).
These checks read the package's source with ``ast`` (nothing is imported but the
classes compared) and fail when a second vocabulary appears: a module of its own
status constants, a class with an ``outcome`` field, or a new case or step class.
"""

from __future__ import annotations

import ast
import dataclasses
from collections.abc import Iterator
from pathlib import Path

from robotest.results.model import CaseRecord, StepRecord
from robotest.results.statuses import RUNNING, STATUSES
from robotest.runtime.results import CaseResult, Step

ROOT = Path(__file__).resolve().parents[2] / "robotest"
VOCABULARY = ROOT / "results" / "statuses.py"
WORDS = {*STATUSES, RUNNING}

# The classes that hold one case's or one step's result, each named by its module and
# its name. A new one is a second vocabulary: use the model's classes instead.
CASE_CLASSES = {
    ("robotest.results.model", "CaseRecord"),  # run.json, uploads, the server
    ("robotest.fleet.models", "CaseResult"),  # a CaseRecord that names its case
    ("robotest.runtime.results", "CaseResult"),  # recorded by the runtime
}
STEP_CLASSES = {
    ("robotest.results.model", "StepRecord"),
    ("robotest.runtime.results", "Step"),
}


def _modules() -> Iterator[tuple[str, Path, ast.Module]]:
    for path in sorted(ROOT.rglob("*.py")):
        parts = path.relative_to(ROOT.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        yield name, path, ast.parse(path.read_text(encoding="utf-8"), str(path))


def _fields(node: ast.ClassDef) -> set[str]:
    """The names a class body annotates (its dataclass or pydantic fields)."""
    return {
        item.target.id
        for item in node.body
        if isinstance(item, ast.AnnAssign) and isinstance(item.target, ast.Name)
    }


def _status_words(node: ast.expr) -> int:
    """How many of the status words *node* (a constant or a collection) spells."""
    if isinstance(node, ast.Constant):
        return int(node.value in WORDS)
    if isinstance(node, ast.Tuple | ast.List | ast.Set):
        return sum(_status_words(item) for item in node.elts)
    if isinstance(node, ast.Subscript):  # Literal["passed", ...]
        return _status_words(node.slice)
    return 0


def test_the_statuses_are_defined_once() -> None:
    """No module but statuses.py names a status word as a constant, or lists several."""
    second = []
    for name, path, tree in _modules():
        if path == VOCABULARY:
            continue
        for node in ast.walk(tree):
            if not isinstance(node, ast.Assign | ast.AnnAssign) or node.value is None:
                continue
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            names = [n for t in targets for n in ast.walk(t) if isinstance(n, ast.Name)]
            constant = any(n.id.isupper() for n in names)
            words = _status_words(node.value)
            if (constant and words) or words >= 3:
                second.append(f"{name}:{node.lineno}")
    assert second == [], f"status words defined outside {VOCABULARY.name}: {second}"


def test_no_second_case_or_step_class() -> None:
    """A class with a ``status`` and a ``title`` holds a case, with ``status`` and
    ``args`` a step: only the model's and the runtime's recording classes do; and no
    class keeps a status under the old name ``outcome``."""
    cases, steps, outcomes = set(), set(), []
    for name, _path, tree in _modules():
        for node in ast.walk(tree):
            if not isinstance(node, ast.ClassDef):
                continue
            fields = _fields(node)
            if "outcome" in fields:
                outcomes.append(f"{name}.{node.name}")
            if {"status", "title"} <= fields or (name, node.name) in CASE_CLASSES:
                cases.add((name, node.name))
            if {"status", "args"} <= fields or (name, node.name) in STEP_CLASSES:
                steps.add((name, node.name))
    assert outcomes == []
    assert cases == CASE_CLASSES
    assert steps == STEP_CLASSES


def _names(cls: type) -> set[str]:
    """A dataclass's fields and properties."""
    properties = {n for n in dir(cls) if isinstance(getattr(cls, n, None), property)}
    return {f.name for f in dataclasses.fields(cls)} | properties


def test_the_recording_classes_use_the_models_names() -> None:
    """Every field of a CaseRecord/StepRecord is a field (or a property) of the same
    name on the runtime's class, so that run.json is a copy, not a translation.
    A case's ``screenshots`` are its steps' screenshots, gathered when it is copied."""
    assert set(CaseRecord.model_fields) - {"screenshots"} <= _names(CaseResult)
    assert set(StepRecord.model_fields) <= _names(Step)


def test_a_recorded_case_copies_into_the_model() -> None:
    """The copy keeps the node id, the status and the ``file:line`` location."""
    from robotest.results.export import run_record
    from robotest.runtime.results import RunInfo

    step = Step("type_text", "'x'", "a.rtest", 4, 0.0, status="failed", message="boom")
    case = CaseResult("a.rtest::test_t[t]", "t", "a.rtest", "sim", status="failed", line=3)
    case.steps = [step]
    run = RunInfo(7, "sim", "img", "", "", "v1", 0.0, 1.0, "failed", 1, "h", cases=[case])
    record, _shots = run_record(run)
    (copied,) = record.tests
    assert (copied.id, copied.status, copied.location) == (case.id, "failed", "a.rtest:3")
    assert (copied.steps[0].status, copied.steps[0].location) == ("failed", "a.rtest:4")
