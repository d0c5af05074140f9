"""Fixtures of the edge tests (defined in ``edge_helpers``, which the tests also import)."""

from edge_helpers import home, plant, runner, served

__all__ = ["home", "plant", "runner", "served"]
