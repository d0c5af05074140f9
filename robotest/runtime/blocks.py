"""Test cases, sub-scripts, setup and teardown: what `.rtest` blocks compile to.

A module's blocks register themselves in the module's globals; :func:`collect`
expands each `test` block's ``for`` clauses into uniquely titled cases.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any

from robotest.errors import ScriptError
from robotest.matrix import Matrix, MatrixError, case_title, combinations
from robotest.runtime.backend import SubscriptCall, current

TESTS = "__rtest_tests__"
SETUP = "__rtest_setup__"
TEARDOWN = "__rtest_teardown__"


@dataclass(frozen=True)
class TestBlock:
    """One `test` block as written: a title template and its ``for`` clauses."""

    title: str
    function: Callable[..., Any]
    tags: tuple[str, ...] = ()
    timeout: float | None = None
    matrix: tuple[tuple[tuple[str, ...], tuple[Any, ...]], ...] = ()

    @property
    def location(self) -> tuple[str, int]:
        code = self.function.__code__
        return code.co_filename, code.co_firstlineno


@dataclass(frozen=True)
class TestCase:
    """One runnable case: a block and one combination of its loop values."""

    title: str
    block: TestBlock
    params: dict[str, Any] = field(default_factory=dict)

    @property
    def tags(self) -> tuple[str, ...]:
        return self.block.tags

    @property
    def timeout(self) -> float | None:
        return self.block.timeout

    def run_body(self) -> Any:
        return self.block.function(**self.params)


def test(
    title: str, *, tags: Sequence[str] = (), timeout: float | None = None, matrix: Matrix = ()
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Register a test block in its module (the compiled form of ``test "..."``)."""
    frozen = tuple((tuple(names), tuple(values)) for names, values in matrix)

    def register(function: Callable[..., Any]) -> Callable[..., Any]:
        block = TestBlock(title, function, tuple(tags), timeout, frozen)
        function.__globals__.setdefault(TESTS, []).append(block)
        return function

    return register


def _module_hook(slot: str) -> Callable[[Callable[[], Any]], Callable[[], Any]]:
    def register(function: Callable[[], Any]) -> Callable[[], Any]:
        function.__globals__[slot] = function
        return function

    return register


setup = _module_hook(SETUP)
teardown = _module_hook(TEARDOWN)


def subscript(
    name: str, *, retries: int = 0, timeout: float | None = None
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Make a function a sub-script: a named group of steps with retries and a timeout."""

    def wrap(function: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(function)
        def run(*args: Any, **kwargs: Any) -> Any:
            call = SubscriptCall(name, function, args, kwargs, retries, timeout)
            return current().run_subscript(call)

        run.__rtest_subscript__ = True  # type: ignore[attr-defined]
        return run

    return wrap


def expand(block: TestBlock) -> list[TestCase]:
    """The cases of one block: the cross product of its ``for`` clauses."""
    try:
        return [
            TestCase(case_title(block.title, params), block, params)
            for params in combinations(block.matrix)
        ]
    except MatrixError as error:
        file, line = block.location
        raise ScriptError(f"{file}:{line}: {error}") from None


def collect(module: ModuleType) -> list[TestCase]:
    """Every case of a compiled `.rtest` module; duplicate titles are a ScriptError."""
    cases: list[TestCase] = []
    seen: dict[str, TestBlock] = {}
    for block in getattr(module, TESTS, []):
        for case in expand(block):
            if case.title in seen:
                file, line = block.location
                first = seen[case.title].location[1]
                raise ScriptError(
                    f"{file}:{line}: duplicate test title {case.title!r} "
                    f"(also produced by the test on line {first})"
                )
            seen[case.title] = block
            cases.append(case)
    return cases


def run_case(module: ModuleType, case: TestCase) -> None:
    """Run setup, the case, then teardown (even when the case failed), under its timeout."""
    runtime = current()
    module_setup = getattr(module, SETUP, None)
    module_teardown = getattr(module, TEARDOWN, None)
    try:
        with runtime.deadline(case.timeout, f"test {case.title!r}"):
            if module_setup is not None:
                module_setup()
            case.run_body()
    finally:
        if module_teardown is not None:
            module_teardown()
