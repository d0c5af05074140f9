"""Property tests of the protocol's promise: whatever the line does, a press happens at most
once, exactly once when the driver reports success, and nothing stays down."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from robotest.drivers.clock import ManualClock
from robotest.drivers.errors import ControllerSilent
from robotest.drivers.keyboard_codec import Command, Frame, FrameParser, encode, encode_press
from robotest.drivers.keyboard_firmware import Firmware
from robotest.drivers.keyboard_session import KeyboardSession

from .fakes import FirmwareLink

ACTIONS = (
    "deliver",
    "drop_request",
    "drop_answer",
    "corrupt_request",
    "corrupt_answer",
    "duplicate_request",
    "duplicate_answer",
    "late_answer",
)


class LossyLink(FirmwareLink):
    """Applies one drawn action to each frame the host writes."""

    def __init__(self, firmware: Firmware, clock: ManualClock, actions: list[str]) -> None:
        super().__init__(firmware, clock)
        self.actions = actions
        self._late = b""
        self._firmware_parser = FrameParser()

    def write(self, data: bytes) -> None:
        self.written.append(data)
        action = self.actions.pop(0) if self.actions else "deliver"
        if action == "drop_request":
            return
        if action == "corrupt_request":
            data = data[:-1] + bytes([data[-1] ^ 0xFF])
        copies = 2 if action == "duplicate_request" else 1
        answer = b""
        for _ in range(copies):
            for item in self._firmware_parser.feed(data):
                answer += self.firmware.receive(item, self.clock.now())
        if action == "drop_answer":
            return
        if action == "corrupt_answer":
            answer = answer[:-1] + bytes([answer[-1] ^ 0xFF])
        if action == "duplicate_answer":
            answer += answer
        if action == "late_answer":
            self._late += answer  # arrives with the next answer, after this one timed out
            return
        self._inbox += self._late + answer
        self._late = b""


@given(st.lists(st.sampled_from(ACTIONS), max_size=60), st.integers(1, 12))
@settings(max_examples=150, deadline=None)
def test_every_press_happens_at_most_once_and_exactly_once_on_success(
    actions: list[str], presses: int
) -> None:
    clock = ManualClock()
    firmware = Firmware(actuators=16, watchdog_ms=60_000)
    link = LossyLink(firmware, clock, [])
    session = KeyboardSession(link, clock, response_timeout=0.05, attempts=4)
    session.open()
    link.actions = list(actions)
    succeeded: list[int] = []
    for n in range(presses):
        try:
            session.request(Command.PRESS, encode_press((n % 16,), 10))
            succeeded.append(n % 16)
        except ControllerSilent:
            pass
        clock.advance(0.02)
        firmware.tick(clock.now())
    executed = [chord[0] for _, chord in firmware.press_log]
    seqs = [seq for seq, _ in firmware.press_log]
    assert len(seqs) == len(set(seqs)), "a sequence number was executed twice"
    for actuator in succeeded:
        assert actuator in executed
    assert len(executed) <= presses
    assert firmware.down() == ()


@given(
    st.lists(st.integers(0, 255), min_size=1, max_size=20, unique=True),
    st.lists(st.integers(0, 2), min_size=20, max_size=20),
    st.randoms(),
)
def test_firmware_executes_each_sequence_number_once_however_often_it_arrives(
    seqs: list[int], repeats: list[int], rng
) -> None:  # type: ignore[no-untyped-def]
    firmware = Firmware(actuators=8)
    frames = [Frame(seq, Command.PRESS, encode_press((i % 8,), 1)) for i, seq in enumerate(seqs)]
    deliveries = []
    for i, frame in enumerate(frames):
        deliveries += [frame] * (1 + repeats[i])
    rng.shuffle(deliveries)
    now = 0.0
    parser = FrameParser()
    for frame in deliveries:
        for item in parser.feed(encode(frame)):
            firmware.receive(item, now)
        now += 0.01
        firmware.tick(now)
    assert sorted(seq for seq, _ in firmware.press_log) == sorted(seqs)
