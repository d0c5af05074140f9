"""Errors of the forecast plugin: bad input data and unusable models."""

from __future__ import annotations

from robotest.errors import RobotestError


class ForecastError(RobotestError):
    """Base of every error the forecast plugin raises on purpose."""


class DataError(ForecastError, ValueError):
    """An input file is wrong; the message is one line naming the file and row."""


class ModelError(ForecastError):
    """A model directory is missing, damaged or does not fit the data given."""
