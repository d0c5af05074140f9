"""Executing robot statements: the runtime interface, test blocks and runtimes."""

from robotest.runtime.backend import Icon, Match, Runtime, current, script_location, use_runtime
from robotest.runtime.blocks import TestBlock, TestCase, collect, expand, run_case
from robotest.runtime.config import FrozenConfig
from robotest.runtime.recording import Call, RecordingRuntime

__all__ = [
    "Call",
    "FrozenConfig",
    "Icon",
    "Match",
    "RecordingRuntime",
    "Runtime",
    "TestBlock",
    "TestCase",
    "collect",
    "current",
    "expand",
    "run_case",
    "script_location",
    "use_runtime",
]
