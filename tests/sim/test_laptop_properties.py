"""Any sequence of inputs leaves the laptop in a known state, drawing a valid screen."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from robotest.keys import NAMED_KEYS
from robotest.sim import ProductImage, SimLaptop

from .conftest import ManualClock

KNOWN_STATES = {
    "off", "post", "bios", "bios_exit_dialog", "bios_save_dialog", "bios_defaults_dialog",
    "boot_menu", "no_boot_device", "os_boot", "login", "desktop", "terminal", "settings",
    "files", "browser", "recycle_bin", "start_menu", "update_popup", "restarting",
    "shutting_down",
}  # fmt: skip

keys = st.sampled_from([*NAMED_KEYS, *"abcxyz019 -"]).filter(lambda k: k != " ")
events = st.one_of(
    st.tuples(st.just("key"), keys, st.booleans()),
    st.tuples(st.just("move"), st.integers(-50, 2000), st.integers(-50, 1200)),
    st.tuples(st.just("button"), st.sampled_from(["left", "right", "middle"]), st.booleans()),
    st.tuples(st.just("scroll"), st.integers(-5, 5), st.just(0)),
    st.tuples(st.just("wait"), st.floats(0, 8), st.just(0)),
)

IMAGE = ProductImage.golden().with_faults(update_popup=True, drop_key_probability=0.1)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(events, max_size=60),
    st.integers(0, 3),
    st.sampled_from(["post", "bios", "boot_menu", "login", "desktop"]),
)
def test_random_inputs_keep_the_laptop_consistent(
    script: list[tuple[str, object, object]], seed: int, start: str
) -> None:
    clock = ManualClock()
    laptop = SimLaptop(IMAGE, clock, seed=seed)
    laptop.enter(start)
    for kind, a, b in script:
        if kind == "key":
            laptop.key_event(str(a), bool(b))
        elif kind == "move":
            laptop.pointer_move(int(a), int(b))  # type: ignore[call-overload]
        elif kind == "button":
            laptop.pointer_button(str(a), bool(b))
        elif kind == "scroll":
            laptop.scroll(int(a))  # type: ignore[call-overload]
        else:
            clock.advance(float(a))  # type: ignore[arg-type]
        assert laptop.state in KNOWN_STATES
    x, y = laptop.pointer
    assert 0 <= x < 1920 and 0 <= y < 1080
    screen = laptop.screen()
    assert screen.shape == (1080, 1920, 3)
    laptop.release_all()
    assert not laptop.held_keys and not laptop.held_buttons
