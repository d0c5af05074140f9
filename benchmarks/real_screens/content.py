"""What the real programs are told to show: labelled values, terminal lines, titles.

Seeded, so the corpus is the same on every machine. Ground truth is this text, never a
read of the screen.
"""

from __future__ import annotations

import string

import numpy as np

LABELS = (
    "BIOS Version",
    "BIOS Date",
    "EC Version",
    "Serial Number",
    "Product Name",
    "UUID",
    "MAC Address",
    "CPU Type",
    "Memory Size",
    "Asset Tag",
    "Board Revision",
    "ME Version",
    "Build Number",
    "Kernel",
    "Disk Model",
    "Firmware",
)
WORDS = (
    "started",
    "loaded",
    "device",
    "driver",
    "mounted",
    "network",
    "link",
    "ready",
    "usb",
    "pci",
    "audio",
    "input",
    "module",
    "service",
    "target",
    "reached",
    "found",
)


def value(rng: np.random.Generator, label: str) -> str:
    """A value of the kind *label* names (versions, dates, serials, hex, sizes)."""
    digits, upper, hexd = string.digits, string.ascii_uppercase + string.digits, "0123456789ABCDEF"

    def pick(chars: str, n: int) -> str:
        return "".join(rng.choice(list(chars), n))

    if label in ("BIOS Version", "EC Version", "ME Version", "Firmware"):
        parts = int(rng.integers(2, 5))
        return ".".join(str(int(rng.integers(0, 100))) for _ in range(parts))
    if label == "BIOS Date":
        return f"{int(rng.integers(1, 13)):02d}/{int(rng.integers(1, 29)):02d}/20{pick(digits, 2)}"
    if label == "MAC Address":
        return ":".join(pick(hexd, 2) for _ in range(6))
    if label == "UUID":
        return f"{pick(hexd, 8)}-{pick(hexd, 4)}-{pick(hexd, 4)}"
    if label in ("Memory Size", "Disk Model"):
        return f"{int(rng.choice([4096, 8192, 16384, 32768, 512, 1024]))} MB"
    if label == "Kernel":
        minor, patch, abi = (int(rng.integers(0, n)) for n in (12, 80, 40))
        return f"6.{minor}.{patch}-{abi}-amd64"
    if label == "Build Number":
        return f"{pick(digits, 5)}.{pick(digits, 4)}"
    serial = pick(upper, int(rng.integers(5, 10)))
    return f"{pick(string.ascii_uppercase, 2)}{serial}-{pick(digits, 4)}"


def terminal_line(rng: np.random.Generator) -> str:
    """A line of command output: a kernel log line, a listing, a status line."""
    kind = int(rng.integers(0, 3))
    if kind == 0:
        stamp = f"[{int(rng.integers(0, 999)):5d}.{int(rng.integers(0, 999999)):06d}]"
        words = " ".join(rng.choice(WORDS, int(rng.integers(2, 5))))
        bus, port = int(rng.integers(0, 16)), int(rng.integers(1, 9))
        return f"{stamp} {rng.choice(WORDS)} {bus}-{port}: {words}"
    if kind == 1:
        size = int(rng.integers(100, 99999))
        name = "".join(rng.choice(list(string.ascii_lowercase), int(rng.integers(3, 9))))
        day, minute = int(rng.integers(1, 29)), int(rng.integers(0, 60))
        return f"-rw-r--r-- 1 root root {size:6d} Oct {day:2d} 17:{minute:02d} {name}.conf"
    unit = "".join(rng.choice(list(string.ascii_lowercase), int(rng.integers(4, 9))))
    return f"  {unit}.service  loaded active running  {rng.choice(WORDS).title()} {unit} daemon"


def labelled(rng: np.random.Generator, count: int) -> list[tuple[str, str]]:
    """*count* distinct labels with values."""
    labels = rng.choice(LABELS, count, replace=False)
    return [(str(label), value(rng, str(label))) for label in labels]
