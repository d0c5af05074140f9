"""Inspection in production: the edge service of one line, its review queue and updates.

``EdgeService`` judges and records units (``service``); ``web`` and ``tcp`` carry it
over HTTP (with the line managers' console, behind ``auth``'s tokens and roles) and
plain TCP (``protocol``); ``units`` keeps every unit and its review, ``archive`` their
pictures; ``calibration`` gives scores a meaning and sets the review band; ``review``
says how far the line has drifted; ``updates`` fine-tunes and retrains behind the
statistical ``gate``; ``serve`` runs it all. Heavy libraries load on first use.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from robotest.inspection.edge.client import TcpClient
    from robotest.inspection.edge.gate import compare
    from robotest.inspection.edge.protocol import ProtocolError, Reply, Request
    from robotest.inspection.edge.review import decision_score, failed_sample_ratio
    from robotest.inspection.edge.serve import ServeOptions, serve
    from robotest.inspection.edge.service import EdgeService
    from robotest.inspection.edge.units import UnitRecord, UnitStore
    from robotest.inspection.edge.updates import Update, UpdateOptions, Updates

_EXPORTS = {
    "TcpClient": "client",
    "ProtocolError": "protocol",
    "Reply": "protocol",
    "Request": "protocol",
    "decision_score": "review",
    "failed_sample_ratio": "review",
    "ServeOptions": "serve",
    "serve": "serve",
    "EdgeService": "service",
    "UnitRecord": "units",
    "UnitStore": "units",
    "Update": "updates",
    "UpdateOptions": "updates",
    "Updates": "updates",
    "compare": "gate",
}

__all__ = [
    "EdgeService",
    "ProtocolError",
    "Reply",
    "Request",
    "ServeOptions",
    "TcpClient",
    "UnitRecord",
    "UnitStore",
    "Update",
    "UpdateOptions",
    "Updates",
    "compare",
    "decision_score",
    "failed_sample_ratio",
    "serve",
]


def __getattr__(name: str) -> Any:
    if name not in _EXPORTS:
        raise AttributeError(f"module 'robotest.inspection.edge' has no attribute {name!r}")
    return getattr(importlib.import_module(f"robotest.inspection.edge.{_EXPORTS[name]}"), name)
