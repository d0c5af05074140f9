"""Errors of the inspection plugin: one line each, naming the file or folder at fault."""

from __future__ import annotations

from robotest.errors import RobotestError


class InspectionError(RobotestError):
    """Bad input to inspection: a missing folder, an unreadable or wrong-sized image, no data."""


class ModelFileError(InspectionError):
    """A model folder that is missing, incomplete or from an unknown format version."""
