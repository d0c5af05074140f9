"""The pneumatic keyboard: key names in, actuator presses out, with the safety governor.

``press(("ctrl", "alt", "Delete"), hold=0.1)`` maps the keys through the laptop
model's keymap, asks the governor, sends one PRESS (the firmware releases by itself
after the hold), waits the hold on the station clock, then checks the controller's
status: a key that stays down is reported stuck.
"""

from __future__ import annotations

from robotest.drivers.clock import Clock, RealClock
from robotest.drivers.errors import (
    ActuatorStuck,
    DriverError,
    LowPressure,
    StationConfigError,
    StationError,
)
from robotest.drivers.governor import Limits, SafetyGovernor
from robotest.drivers.health import HealthNotes
from robotest.drivers.keyboard_codec import (
    Command,
    ControllerStatus,
    NakCode,
    decode_status,
    encode_press,
)
from robotest.drivers.keyboard_session import CommandRefused, KeyboardSession
from robotest.drivers.keymap import Keymap
from robotest.drivers.serial_transport import SerialTransport

RELEASE_CHECK_S = 0.5  # real seconds the firmware gets to report a chord released


class PneumaticKeyboard:
    """The station's keyboard when keys are pressed by actuators."""

    def __init__(
        self,
        session: KeyboardSession,
        keymap: Keymap,
        limits: Limits | None = None,
        clock: Clock | None = None,
    ) -> None:
        self.session = session
        self.keymap = keymap
        self.governor = SafetyGovernor(limits or Limits())
        self.clock = clock or RealClock()
        self._fault: str | None = None

    @classmethod
    def open(
        cls,
        port: str,
        keymap: Keymap,
        *,
        baudrate: int = 115200,
        limits: Limits | None = None,
        clock: Clock | None = None,
        response_timeout: float = 0.1,
        attempts: int = 5,
        reconnect_timeout: float = 3.0,
    ) -> PneumaticKeyboard:
        """Open the controller on *port*, shake hands and start the heartbeat."""
        session = KeyboardSession(
            SerialTransport(port, baudrate),
            RealClock(),
            response_timeout=response_timeout,
            attempts=attempts,
            reconnect_timeout=reconnect_timeout,
        )
        info = session.open()
        if keymap.size > info.actuators:
            session.close()
            raise StationConfigError(
                f"{keymap.source} uses actuator {keymap.size - 1} but the controller on "
                f"{port} has {info.actuators} actuators"
            )
        session.start_heartbeat()
        return cls(session, keymap, limits, clock)

    @property
    def port(self) -> str:
        return self.session.port

    # -- the station API ---------------------------------------------------------------------
    def press(self, chord: tuple[str, ...], hold: float) -> None:
        """Press the keys of *chord* together for *hold* station seconds, then release."""
        actuators = self.keymap.actuators(chord)
        now = self.clock.now()
        self.governor.check(len(actuators), hold, now)
        hold_ms = max(1, round(_real(self.clock, hold) * 1000))
        try:
            self.session.request(Command.PRESS, encode_press(actuators, hold_ms))
        except CommandRefused as exc:
            raise self._refusal(exc) from exc
        except DriverError as exc:
            self._fault = str(exc)
            raise
        self.governor.record(actuators, now)
        self.clock.sleep(hold)
        self._check_released(actuators)

    def release_all(self) -> None:
        """Release every actuator (also what the firmware watchdog does on its own)."""
        self.session.request(Command.RELEASE_ALL)

    def emergency_release(self) -> None:
        """Release everything at once (not queued behind a request in progress), then
        confirm with an acknowledged RELEASE_ALL."""
        self.session.send_now(Command.RELEASE_ALL)
        self.release_all()

    def status(self) -> ControllerStatus:
        return decode_status(self.session.request(Command.STATUS))

    def wear(self) -> dict[str, int]:
        """Cycle count of each mapped key's actuator, as the controller counts them."""
        actuators = self.status().actuators
        return {key: actuators[i].cycles for key, i in self.keymap.items() if i < len(actuators)}

    def health(self) -> HealthNotes:
        notes = HealthNotes()
        if self._fault:
            notes.faults.append(self._fault)
        if self.session.last_error is not None:
            notes.faults.append(f"heartbeat: {self.session.last_error}")
        if notes.faults:
            return notes
        try:
            status = self.status()
        except DriverError as exc:
            notes.faults.append(str(exc))
            return notes
        for i in status.stuck:
            notes.faults.append(f"{self.keymap.describe(i)} on {self.port} is stuck down")
        if status.low_pressure:
            notes.faults.append(f"supply pressure on {self.port} is low: {status.pressure_kpa} kPa")
        cycles = {i: a.cycles for i, a in enumerate(status.actuators)}
        for i in self.governor.worn(cycles):
            notes.warnings.append(
                f"{self.keymap.describe(i)} is past its rated "
                f"{self.governor.limits.rated_cycles} cycles: replace it"
            )
        if self.session.stats.reconnects:
            notes.warnings.append(
                f"{self.port} was reconnected {self.session.stats.reconnects} time(s)"
            )
        return notes

    def close(self) -> None:
        """Release everything and close the port (safe to call twice)."""
        try:
            self.release_all()
        finally:
            self.session.close()

    # -- internals ---------------------------------------------------------------------------
    def _check_released(self, actuators: tuple[int, ...]) -> None:
        deadline = RealClock().now() + RELEASE_CHECK_S
        while True:
            status = self.status()
            stuck = [i for i in actuators if i in status.stuck]
            if stuck:
                self._fault = self._stuck_message(stuck[0])
                raise ActuatorStuck(self._fault)
            if not any(i in status.down for i in actuators):
                return
            if RealClock().now() > deadline:
                self.release_all()
                self._fault = (
                    f"{self.keymap.describe(actuators[0])} on {self.port} did not "
                    "release after its hold time"
                )
                raise ActuatorStuck(self._fault)
            RealClock().sleep(0.002)

    def _stuck_message(self, index: int) -> str:
        return (
            f"{self.keymap.describe(index)} on {self.port} is stuck down: "
            "the station needs service before the next run"
        )

    def _refusal(self, exc: CommandRefused) -> StationError:
        if exc.code == NakCode.LOW_PRESSURE:
            pressure = self._pressure()
            self._fault = (
                f"supply pressure at the keyboard controller on {self.port} is "
                f"{pressure}, below {self.governor.limits.min_pressure_kpa} kPa: "
                "check the compressed-air supply"
            )
            return LowPressure(self._fault)
        if exc.code == NakCode.ACTUATOR_STUCK:
            self._fault = self._stuck_message(exc.detail)
            return ActuatorStuck(self._fault)
        if exc.code == NakCode.BAD_ACTUATOR:
            return StationConfigError(
                f"{self.keymap.source} maps a key to actuator {exc.detail}, which the "
                f"controller on {self.port} does not have"
            )
        return exc

    def _pressure(self) -> str:
        try:
            return f"{self.status().pressure_kpa} kPa"
        except DriverError:
            return "unknown"


def _real(clock: Clock, seconds: float) -> float:
    if clock.speed == float("inf"):
        return seconds
    return seconds / clock.speed
