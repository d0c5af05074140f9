"""The parts of a VNC station that need no server: keysyms, station files, the
framebuffer as the screen at its own size, and the pointer in its pixels."""

from __future__ import annotations

import string
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from vnc_servers import invoke

from robotest.drivers import StationConfigError, UnmappedKey, chord_for_character, load_station
from robotest.drivers.clock import ManualClock
from robotest.drivers.station_files import load_station_file
from robotest.drivers.vnc_config import VncStationSpec, parse_vnc_station
from robotest.drivers.vnc_keys import NAMED_KEYSYMS, VncKeys
from robotest.drivers.vnc_station import VncPointer
from robotest.errors import ScriptError
from robotest.keys import NAMED_KEYS
from robotest.runtime.screen import ScreenView

PRINTABLE = string.ascii_letters + string.digits + string.punctuation + " "


@given(st.sampled_from(PRINTABLE))
def test_typing_a_character_sends_exactly_its_keysym(char: str) -> None:
    """chord_for_character gives physical keys (Shift + 1 for '!'); the last keysym sent is
    the character itself, so the desktop gets what the robot's fingers would type."""
    keysyms = VncKeys().chord(chord_for_character(char))
    assert keysyms[-1] == ord(char)
    assert keysyms[:-1] in ((), (NAMED_KEYSYMS["Shift"],))


def test_named_keys_have_distinct_keysyms_and_fn_has_none() -> None:
    keys = VncKeys()
    pressable = [name for name in NAMED_KEYS if name != "Fn"]
    assert len({keys.keysym(name) for name in pressable}) == len(pressable)
    assert keys.chord(("ctrl", "alt", "Delete")) == (0xFFE3, 0xFFE9, 0xFFFF)
    assert keys.chord(("Ctrl", "c")) == (0xFFE3, ord("c"))
    with pytest.raises(UnmappedKey, match="'Fn' has no X keysym"):
        keys.keysym("Fn")


def test_the_station_file_adds_keysyms() -> None:
    assert VncKeys({"Fn": 0x1008FF2B}).keysym("Fn") == 0x1008FF2B
    with pytest.raises(StationConfigError, match="'Fnn' is not a key name"):
        VncKeys({"Fnn": 1})
    with pytest.raises(StationConfigError, match="keysym 0x0 is invalid"):
        VncKeys({"Fn": 0})


def _spec(text: str, tmp_path: Path) -> VncStationSpec:
    path = tmp_path / "vnc.toml"
    path.write_text('[station]\nkind = "vnc"\n' + text)
    spec = load_station_file(path)
    assert isinstance(spec, VncStationSpec)
    return spec


def test_a_vnc_station_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VM_PASSWORD", "s3cret")
    spec = _spec(
        'name = "vm1"\n[vnc]\nhost = "10.0.0.5"\ndisplay = 3\n'
        'password_env = "VM_PASSWORD"\nwidth = 1280\nheight = 720\n'
        "[camera_model]\nseed = 4\nframe_size = [1600, 1200]\n"
        "[keysyms]\nFn = 0x1008FF2B\n",
        tmp_path,
    )
    assert (spec.name, spec.address, spec.password) == ("vm1", "10.0.0.5:5903", "s3cret")
    assert spec.screen_size == (1280, 720) and spec.keysyms == {"Fn": 0x1008FF2B}
    assert spec.camera_model is not None and spec.camera_model.frame_size == (1600, 1200)
    assert spec.limits.max_presses_per_second == 50  # no actuator to wear out
    assert "s3cret" not in repr(spec)
    defaults = _spec("", tmp_path)
    assert (defaults.address, defaults.password, defaults.camera_model) == (
        "127.0.0.1:5900",
        None,
        None,
    )


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("[vnc]\nport = 5901\ndisplay = 1\n", "vnc.display: give either port or display"),
        ("[vnc]\nport = 70000\n", "vnc.port: TCP ports are 1 to 65535"),
        ("[vnc]\nwidth = 1920\n", "vnc.height: give both width and height"),
        ('[vnc]\npassword_env = "NO_SUCH_VARIABLE_HERE"\n', "environment variable NO_SUCH"),
        ('[vnc]\nhots = "x"\n', "vnc.hots: unknown entry"),
        ('[keyboard]\nkind = "usb"\n', "unknown section [keyboard] in a VNC station"),
        ('[keysyms]\nF2 = "F2"\n', "keysyms.F2: expected int"),
        (
            "[camera_model]\nframe_size = [100]\n",
            "camera_model.frame_size: expected [width, height]",
        ),
    ],
)
def test_mistakes_in_a_vnc_station_file_name_the_entry(
    text: str, problem: str, tmp_path: Path
) -> None:
    with pytest.raises(StationConfigError, match=problem.replace("[", r"\[").replace("]", r"\]")):
        _spec(text, tmp_path)


def test_station_kinds(tmp_path: Path) -> None:
    path = tmp_path / "x.toml"
    path.write_text('[station]\nkind = "kvm"\n')
    with pytest.raises(StationConfigError, match="station.kind: 'kvm' is not one of robot, vnc"):
        load_station_file(path)
    path.write_text('[station]\nkind = "vnc"\n')
    with pytest.raises(StationConfigError, match="a VNC station file, not a robot's"):
        load_station(path)
    assert parse_vnc_station({"station": {"kind": "vnc"}}).port == 5900


def test_station_check_prints_a_vnc_station(tmp_path: Path) -> None:
    path = tmp_path / "vm.toml"
    path.write_text('[station]\nkind = "vnc"\n[vnc]\nport = 5905\npassword = "x"\n')
    code, output = invoke("station", "check", path)
    assert code == 0, output
    assert "station vm: ok" in output and "127.0.0.1:5905" in output
    assert "the framebuffer" in output


class _Framebuffer:
    """A link and a camera in one: a framebuffer of some size, and the pointer events."""

    def __init__(self, size: tuple[int, int]) -> None:
        self.size = size
        self.events: list[tuple[int, int, int]] = []

    def grab(self) -> np.ndarray:
        rng = np.random.default_rng(self.size[0])
        return rng.integers(0, 256, (self.size[1], self.size[0], 3), dtype=np.uint8)

    def pointer(self, x: int, y: int, buttons: int) -> None:
        self.events.append((x, y, buttons))


@pytest.mark.parametrize("size", [(800, 600), (1024, 768), (1366, 768), (2880, 1800)])
def test_the_framebuffer_is_the_screen_at_its_own_size(size: tuple[int, int]) -> None:
    """No calibration, no resampling: the screen is the frame, pixel for pixel."""
    framebuffer = _Framebuffer(size)
    view = ScreenView(framebuffer, framebuffer=True)
    screen = view.look()
    assert np.array_equal(screen, framebuffer.grab())
    assert view.screen_size == size


def test_a_framebuffer_that_changes_size_is_followed() -> None:
    framebuffer = _Framebuffer((1024, 768))
    view = ScreenView(framebuffer, framebuffer=True)
    first = view.look()
    framebuffer.size = (1920, 1200)
    second = view.look()
    assert first.shape == (768, 1024, 3) and second.shape == (1200, 1920, 3)
    assert view.screen_size == (1920, 1200) and view.version == 2


@settings(max_examples=60, deadline=None)
@given(st.data(), st.sampled_from([(800, 600), (1024, 768), (1280, 720), (2560, 1600)]))
def test_the_pointer_goes_to_the_framebuffer_pixel_the_script_names(
    data: st.DataObject, size: tuple[int, int]
) -> None:
    x = data.draw(st.integers(0, size[0] - 1))
    y = data.draw(st.integers(0, size[1] - 1))
    framebuffer = _Framebuffer(size)
    pointer = VncPointer(framebuffer, ManualClock())  # type: ignore[arg-type]
    pointer.move_to(x, y)
    assert framebuffer.events == [(x, y, 0)]
    with pytest.raises(ScriptError, match=rf"outside the {size[0]}x{size[1]} screen"):
        pointer.move_to(size[0], y)


def test_the_example_vnc_station_file(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VNC_PASSWORD", "robotest")
    path = Path(__file__).resolve().parents[2] / "stations" / "vnc" / "qemu-vm1.toml"
    spec = load_station_file(path)
    assert isinstance(spec, VncStationSpec)
    assert (spec.name, spec.address, spec.password) == ("qemu-vm1", "127.0.0.1:5901", "robotest")


@given(
    st.one_of(
        st.integers(-10, 70000).map(lambda p: ("port", p)),
        st.integers(-5, 120).map(lambda d: ("display", d)),
    ),
    st.text(st.characters(codec="ascii", exclude_categories=("Cc",)), max_size=12),
)
def test_vnc_tables_are_read_or_refused_with_the_entry_named(
    entry: tuple[str, int], password: str
) -> None:
    key, value = entry
    data = {"station": {"kind": "vnc"}, "vnc": {key: value, "password": password}}
    valid = 0 < value < 65536 if key == "port" else 0 <= value <= 100
    if not valid:
        with pytest.raises(StationConfigError, match=rf"<station>\.vnc\.{key}: "):
            parse_vnc_station(data)
        return
    spec = parse_vnc_station(data)
    assert spec.port == (value if key == "port" else 5900 + value)
    assert spec.password == password and "password=" not in repr(spec)
