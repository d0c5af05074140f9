"""VNC station: frame grab rate and key round trip against a real Xvnc on loopback.

Starts TigerVNC's Xvnc (1920x1080, VNC password) with an xterm, then measures, side by
side in one run:

* frame grabs: the baseline is vncdotool's own threaded API (``api.connect`` then
  ``refreshScreen()`` and the PIL screen as a NumPy array), against the station's
  ``VncLink.grab`` (RGB), ``station.grab()`` (BGR, frame guard) and a grab through the
  camera model (2448x2048 photograph with noise);
* key round trip: ``station.keyboard.press`` of one letter (10 ms hold) until the letter
  shows in the framebuffer (polling full grabs), then Backspace until it is gone.

    PYTHONPATH=$PWD python3 benchmarks/bench_vnc.py [--grabs 60] [--keys 30]

Needs ./setup.sh (tigervnc-standalone-server, tigervnc-tools, xterm).
"""

from __future__ import annotations

import argparse
import signal
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "vnc"))
from vnc_servers import XvncServer, wait_for_line  # noqa: E402

from robotest.drivers import Station, open_station  # noqa: E402


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def timed(count: int, fn: Callable[[], object]) -> list[float]:
    fn()  # warm up
    times = []
    for _ in range(count):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return times


def vncdotool_baseline(server: XvncServer, count: int) -> list[float]:
    from vncdotool import api

    client = api.connect(f"127.0.0.1::{server.port}", password=server.password, timeout=10)

    def grab() -> np.ndarray:
        client.refreshScreen()
        return np.asarray(client.screen)

    try:
        return timed(count, grab)
    finally:
        client.disconnect()


def text_area(station: Station) -> np.ndarray:
    return station.grab()[60:200, 60:900]


def key_round_trips(station: Station, count: int) -> list[float]:
    times = []
    for _ in range(count):
        before = text_area(station)
        start = time.perf_counter()
        station.keyboard.press(("x",), hold=0.01)
        while np.array_equal(text_area(station), before):
            pass
        times.append((time.perf_counter() - start) * 1000)
        after = text_area(station)
        station.keyboard.press(("Backspace",), hold=0.01)
        while np.array_equal(text_area(station), after):
            pass
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--grabs", type=int, default=60)
    parser.add_argument("--keys", type=int, default=30)
    args = parser.parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))  # `timeout` still stops Xvnc
    folder = Path(tempfile.mkdtemp(prefix="bench-vnc-"))
    server = XvncServer(folder).start()
    try:
        server.xterm()
        rows: list[tuple[str, list[float]]] = []
        station_file = server.station_file(folder / "vnc.toml")
        modelled_file = server.station_file(
            folder / "model.toml", extra="[camera_model]\nseed = 1\n"
        )
        with open_station(station_file) as station:
            wait_for_line(station, "robot$", timeout=20)
            station.pointer.move_to(400, 300)
            link = station.keyboard.device.link
            rows.append(
                (
                    "baseline: vncdotool api refreshScreen() + NumPy array",
                    vncdotool_baseline(server, args.grabs),
                )
            )
            rows.append(("VncLink.grab() (RGB)", timed(args.grabs, link.grab)))
            rows.append(("station.grab() (BGR, frame guard)", timed(args.grabs, station.grab)))
            with open_station(modelled_file) as modelled:
                rows.append(
                    (
                        "station.grab() through the camera model (2448x2048)",
                        timed(args.grabs, modelled.grab),
                    )
                )
            keys = key_round_trips(station, args.keys)
        base = statistics.median(rows[0][1])
        print(
            f"| measurement ({args.grabs} grabs of 1920x1080) | median ms | p95 ms | "
            "frames/s | ratio to baseline |"
        )
        print("|---|---|---|---|---|")
        for name, times in rows:
            median = statistics.median(times)
            print(
                f"| {name} | {median:.1f} | {percentile(times, 0.95):.1f} | "
                f"{1000 / median:.0f} | {median / base:.2f}x |"
            )
        print()
        print(f"| key round trip ({args.keys} presses) | median ms | p95 ms |")
        print("|---|---|---|")
        print(
            f"| press `x` (10 ms hold) until it shows in the framebuffer | "
            f"{statistics.median(keys):.1f} | {percentile(keys, 0.95):.1f} |"
        )
    finally:
        server.stop()


if __name__ == "__main__":
    main()
