"""Session timing on an injected clock: deadlines, retries, heartbeat, reconnect."""

from __future__ import annotations

import pytest

from robotest.drivers.clock import ManualClock
from robotest.drivers.errors import ControllerSilent, PortGone
from robotest.drivers.keyboard_codec import (
    Command,
    Frame,
    FrameParser,
    decode_status,
    encode,
    encode_press,
)
from robotest.drivers.keyboard_firmware import Firmware
from robotest.drivers.keyboard_session import CommandRefused, KeyboardSession

from .fakes import FirmwareLink


def make(
    attempts: int = 4, timeout: float = 0.1
) -> tuple[KeyboardSession, FirmwareLink, ManualClock]:
    clock = ManualClock()
    link = FirmwareLink(Firmware(actuators=16, watchdog_ms=400), clock)
    session = KeyboardSession(
        link, clock, response_timeout=timeout, attempts=attempts, reconnect_timeout=1.0
    )
    session.open()
    return session, link, clock


def test_handshake_reads_the_controller_description() -> None:
    session, _, _ = make()
    assert session.info is not None
    assert (session.info.actuators, session.info.watchdog_ms) == (16, 400)


def test_silent_controller_fails_after_every_attempt_on_the_clock_naming_the_port() -> None:
    session, link, clock = make(attempts=4, timeout=0.1)
    link.silent = True
    before = clock.now()
    with pytest.raises(ControllerSilent, match="/dev/fake-kbd.*PRESS.*4 attempts"):
        session.request(Command.PRESS, encode_press((1,), 50))
    assert clock.now() - before == pytest.approx(0.4, abs=0.02)
    frames = link.written[-4:]
    assert len(set(frames)) == 1, "every resend carries the same bytes (same seq)"


def test_resends_use_the_same_sequence_number_and_press_once() -> None:
    session, link, _ = make()
    link.silent = True
    with pytest.raises(ControllerSilent):
        session.request(Command.PRESS, encode_press((3,), 50))
    link.silent = False
    # the next request has a new seq; the firmware saw none of the silent ones
    session.request(Command.PRESS, encode_press((3,), 50))
    assert [chord for _, chord in link.firmware.press_log] == [(3,)]


def test_permanent_nak_is_refused_without_resending() -> None:
    session, link, _ = make()
    sent = len(link.written)
    with pytest.raises(CommandRefused, match="BAD_ACTUATOR"):
        session.request(Command.PRESS, encode_press((40,), 50))
    assert len(link.written) == sent + 1


def test_heartbeat_is_sent_only_when_the_host_was_idle_for_an_interval() -> None:
    session, link, clock = make()
    assert session.heartbeat_if_due() is False  # the handshake just went out
    clock.advance(0.09)
    assert session.heartbeat_if_due() is False  # interval is watchdog/4 = 0.1 s
    clock.advance(0.02)
    assert session.heartbeat_if_due() is True
    assert session.stats.heartbeats == 1


def test_firmware_watchdog_releases_when_the_host_goes_silent() -> None:
    session, link, clock = make()
    session.request(Command.PRESS, encode_press((5,), 5000))
    assert link.firmware.down() == (5,)
    clock.advance(0.5)  # past the 400 ms watchdog with no frame from the host
    link.firmware.tick(clock.now())
    assert link.firmware.down() == ()
    status = decode_status(session.request(Command.STATUS))
    assert status.watchdog_tripped and status.actuators[5].cycles == 1


def test_an_answer_never_reports_a_press_still_down_past_its_hold() -> None:
    # the emulator's thread may be late to tick (starved under load); the controller's
    # timer is not: a status asked after the hold has ended shows the key released
    firmware = Firmware(actuators=8)
    parser = FrameParser()

    def ask(frame: Frame, now: float) -> Frame:
        (item,) = parser.feed(encode(frame))
        (answer,) = FrameParser().feed(firmware.receive(item, now))
        assert isinstance(answer, Frame)
        return answer

    ask(Frame(1, Command.PRESS, encode_press((5,), 50)), now=0.0)
    early = decode_status(ask(Frame(2, Command.STATUS), now=0.03).payload)
    late = decode_status(ask(Frame(3, Command.STATUS), now=0.2).payload)  # no tick between
    assert 5 in early.down and 5 not in late.down
    assert late.actuators[5].cycles == 1 and firmware.down() == ()


def test_reconnect_reopens_and_shakes_hands_again_then_gives_up_naming_the_port() -> None:
    session, link, clock = make()
    link.open_failures = 3
    session._reconnect()
    assert link.opened == 2 and session.stats.reconnects == 1
    link.open_failures = 10_000
    with pytest.raises(PortGone, match="/dev/fake-kbd vanished.*1.0 s"):
        session._reconnect()


def test_a_busy_actuator_is_retried_and_pressed_once_it_is_free() -> None:
    session, link, clock = make(attempts=6, timeout=0.1)
    session.request(Command.PRESS, encode_press((2,), 30))  # down for 30 ms
    session.request(Command.PRESS, encode_press((2,), 30))  # BUSY, resent until released
    assert [chord for _, chord in link.firmware.press_log] == [(2,), (2,)]
    assert session.stats.naks >= 1


def test_an_actuator_that_stays_busy_is_reported_as_busy_not_silent() -> None:
    session, link, clock = make(attempts=3, timeout=0.1)
    session.request(Command.PRESS, encode_press((2,), 5000))
    with pytest.raises(CommandRefused, match="stayed BUSY.*actuator 2 is still down"):
        session.request(Command.PRESS, encode_press((2,), 30))
