"""Keypress round trip through the serial emulator: PRESS sent to ACK received.

Runs the real driver (pyserial on a pseudo-terminal) against the firmware emulator, side
by side with the baseline floor: the same 14-byte frame echoed back through a pty by a
bare thread (no codec, no firmware). Prints a Markdown table for docs/benchmarks.md.

    PYTHONPATH=$PWD python3 benchmarks/bench_keyboard.py [--presses 300]
"""

from __future__ import annotations

import argparse
import os
import select
import statistics
import threading
import time
import tty

import serial

from robotest.drivers.governor import Limits
from robotest.drivers.keyboard_codec import Command, Frame, encode, encode_press
from robotest.drivers.keyboard_emulator import KeyboardEmulator
from robotest.drivers.keyboard_firmware import Firmware
from robotest.drivers.keymap import default_keymap
from robotest.drivers.pneumatic_keyboard import PneumaticKeyboard


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def baseline_echo(count: int, frame: bytes) -> list[float]:
    """Raw pty round trip: write a frame, a thread echoes it, read it back."""
    master, slave = os.openpty()
    tty.setraw(slave)
    stop = threading.Event()

    def echo() -> None:
        while not stop.is_set():
            ready, _, _ = select.select([master], [], [], 0.002)
            if ready:
                os.write(master, os.read(master, 4096))

    thread = threading.Thread(target=echo, daemon=True)
    thread.start()
    port = serial.Serial(os.ttyname(slave), 115200, timeout=1)
    times = []
    for _ in range(count):
        start = time.perf_counter()
        port.write(frame)
        got = b""
        while len(got) < len(frame):
            got += port.read(len(frame) - len(got))
        times.append(time.perf_counter() - start)
    stop.set()
    thread.join()
    port.close()
    os.close(master)
    os.close(slave)
    return times


def press_to_ack(count: int) -> tuple[list[float], list[float]]:
    """The driver's PRESS -> ACK time, and a whole press() with a 10 ms hold."""
    keymap = default_keymap()
    with KeyboardEmulator(Firmware()) as emulator:
        keyboard = PneumaticKeyboard.open(
            emulator.port, keymap, limits=Limits(max_presses_per_second=10_000, min_hold=0.001)
        )
        session = keyboard.session
        actuators = [i for _, i in keymap.items()]
        acks = []
        for n in range(count):
            payload = encode_press((actuators[n % len(actuators)],), 1)
            start = time.perf_counter()
            session.request(Command.PRESS, payload)
            acks.append(time.perf_counter() - start)
        time.sleep(0.05)
        whole = []
        for n in range(min(count, 100)):
            key = keymap.key(actuators[n % len(actuators)])
            assert key is not None
            start = time.perf_counter()
            keyboard.press((key,), hold=0.01)
            whole.append(time.perf_counter() - start)
        keyboard.close()
        with emulator.locked() as firmware:
            assert len(firmware.press_log) == count + min(count, 100)
    return acks, whole


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--presses", type=int, default=300)
    args = parser.parse_args()
    frame = encode(Frame(1, Command.PRESS, encode_press((5,), 80)))
    base = baseline_echo(args.presses, frame)
    acks, whole = press_to_ack(args.presses)
    base_median = statistics.median(base)
    print(f"| measurement ({args.presses} presses) | median ms | p95 ms | ratio to baseline |")
    print("|---|---|---|---|")
    rows = [
        ("baseline: raw pty echo of one frame", base),
        ("PRESS -> ACK (driver + pyserial + pty + firmware emulator)", acks),
        ("whole `press()` with a 10 ms hold (ACK, hold, release check)", whole),
    ]
    for label, values in rows:
        median = statistics.median(values)
        print(
            f"| {label} | {median * 1000:.2f} | {percentile(values, 0.95) * 1000:.2f} | "
            f"{median / base_median:.1f}x |"
        )


if __name__ == "__main__":
    main()
