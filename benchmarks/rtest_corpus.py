"""Generates a corpus of `.rtest` files like a real qualification suite's.

Each file is about 100 lines, a third of them robot statements, the rest Python:
imports, constants, helpers, sub-scripts and parametrised tests. Deterministic by seed.
"""

from __future__ import annotations

import random
from pathlib import Path

WORDS = [
    "BIOS",
    "Setup",
    "Version",
    "Boot",
    "Menu",
    "Secure",
    "TPM",
    "Device",
    "Battery",
    "Network",
    "Audio",
    "Camera",
    "Display",
    "Update",
    "Settings",
    "About",
    "Terminal",
]
KEYS = ["F2", "F10", "F12", "Enter", "Esc", "Down", "Up", "Left", "Right", "Tab", "ctrl+alt+Delete"]


def _phrase(rng: random.Random) -> str:
    return " ".join(rng.sample(WORDS, rng.randint(1, 3)))


def _robot(rng: random.Random, var: str) -> str:
    choice = rng.randrange(12)
    phrase = _phrase(rng)
    if choice == 0:
        return f"press {rng.choice(KEYS)}"
    if choice == 1:
        return f"press {rng.choice(KEYS)} times {rng.randint(2, 9)} every {rng.randint(1, 9)}00ms"
    if choice == 2:
        return f'type_text f"echo {{{var}}} {rng.randint(0, 999)}\\n"'
    if choice == 3:
        return f'click_icon "{phrase.lower().replace(" ", "_")}" within {rng.randint(2, 60)}s'
    if choice == 4:
        return f'click_text "{phrase}" within {rng.randint(2, 30)}s double'
    if choice == 5:
        return f'await_text "{phrase}" within {rng.randint(1, 3)}min'
    if choice == 6:
        return f'await_icon "{phrase.lower().replace(" ", "_")}" in (0, 0, 960, 540)'
    if choice == 7:
        return f'await_gone "{phrase}" within ({var}_timeout)'
    if choice == 8:
        return f'{var} = read_text right_of "{phrase}"'
    if choice == 9:
        return f"click ({rng.randint(0, 1919)}, {rng.randint(0, 1079)}) button right"
    if choice == 10:
        return f"wait {rng.randint(1, 9)}.{rng.randint(0, 9)}s"
    return f'screenshot "{phrase.lower().replace(" ", "_")}_{rng.randint(0, 99)}"'


def _python(rng: random.Random, var: str) -> list[str]:
    choice = rng.randrange(6)
    if choice == 0:
        return [f"{var}_count = len({var}) + {rng.randint(0, 9)}"]
    if choice == 1:
        return [f'if {var}.startswith("{rng.choice(WORDS)}"):', f'    log(f"{{{var}!r}}")']
    if choice == 2:
        return [f"values = [v.strip() for v in {var}.split(',') if v]"]
    if choice == 3:
        return [f'assert {var} == EXPECTED.get("{rng.choice(WORDS)}", {var}), f"got {{{var}}}"']
    if choice == 4:
        return ["for attempt in range(3):", f"    log(attempt * {rng.randint(1, 9)})"]
    return [f"{var}_timeout = {rng.randint(5, 120)} * config.get('scale', 1)"]


def _body(rng: random.Random, var: str, lines: int) -> list[str]:
    body: list[str] = [f'{var} = "{_phrase(rng)}"', f"{var}_timeout = {rng.randint(5, 60)}"]
    while len(body) < lines:
        if rng.random() < 0.62:
            body.append(_robot(rng, var))
        else:
            body += _python(rng, var)
    return ["    " + line for line in body]


def make_file(seed: int) -> str:
    rng = random.Random(seed)
    out = [
        f'"""Generated qualification script {seed}."""',
        "import re",
        "",
        f'EXPECTED = {{"{rng.choice(WORDS)}": "{rng.randint(1, 9)}.{rng.randint(0, 99):02d}"}}',
        # distinct SKUs: a matrix over SKUS makes one title per SKU
        f"SKUS = {[f'SKU{n}' for n in rng.sample(range(100, 1000), 3)]!r}",
        "",
        "",
    ]
    out += [
        "def helper(value, factor=2):",
        '    """A plain Python helper."""',
        "    return [value * factor for _ in range(3)]",
        "",
        "",
    ]
    for n in range(2):
        out.append(f"subscript step_{seed}_{n}(key=F2, timeout=60s) retries {rng.randint(0, 2)}:")
        out.append(f'    """Sub-script {n} of script {seed}."""')
        out += _body(rng, "value", 14)
        out += ["", ""]
    out += ["setup:", "    press Power", '    await_text "Welcome" within 2min', "", ""]
    for n in range(3):
        if n == 2:
            out.append(f'test "Case {seed}-{n} on {{sku}}" tags smoke, bios for sku in SKUS:')
        else:
            out.append(f'test "Case {seed}-{n}" tags regression timeout 10min:')
        out.append(f"    step_{seed}_{n % 2}()")
        out += _body(rng, "text", 12)
        out += ["", ""]
    return "\n".join(out) + "\n"


def write_corpus(folder: Path, files: int, seed: int = 0) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for n in range(files):
        path = folder / f"case_{n:05d}.rtest"
        path.write_text(make_file(seed * 1_000_003 + n))
        paths.append(path)
    return paths
