"""Station health: ready, degraded, stopped by the emergency stop, or faulted."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class HealthState(StrEnum):
    READY = "ready"
    DEGRADED = "degraded"  # works, but needs attention soon (worn actuator, retries...)
    EMERGENCY_STOPPED = "emergency-stopped"
    FAULTED = "faulted"  # cannot run: a driver or the camera failed


@dataclass
class HealthNotes:
    """What one device reports: faults stop the station, warnings degrade it."""

    faults: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def extend(self, other: HealthNotes) -> None:
        self.faults.extend(other.faults)
        self.warnings.extend(other.warnings)


@dataclass(frozen=True)
class Health:
    state: HealthState
    reasons: tuple[str, ...] = ()

    def __str__(self) -> str:
        return self.state.value + (": " + "; ".join(self.reasons) if self.reasons else "")

    @staticmethod
    def from_notes(notes: HealthNotes, stopped: bool = False) -> Health:
        if stopped:
            return Health(HealthState.EMERGENCY_STOPPED, ("emergency stop pressed", *notes.faults))
        if notes.faults:
            return Health(HealthState.FAULTED, tuple(notes.faults + notes.warnings))
        if notes.warnings:
            return Health(HealthState.DEGRADED, tuple(notes.warnings))
        return Health(HealthState.READY)
