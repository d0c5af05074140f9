"""A simulated station runtime for the sub-script library, with the example suite's spec."""

from __future__ import annotations

import contextlib
import tomllib
from collections.abc import Callable, Iterator

import pytest
from stdlib_helpers import SIM_ICONS, SPEC_FILE

from robotest.drivers import open_station
from robotest.runtime import use_runtime
from robotest.runtime.station_runtime import StationRuntime
from robotest.sim import ProductImage


@pytest.fixture
def open_sim() -> Iterator[Callable[..., StationRuntime]]:
    """Open a sim station runtime on the spec's image (faults as keyword arguments).

    The runtime is the active one until the test ends; the station is closed then.
    """
    with contextlib.ExitStack() as stack:

        def open_(seed: int = 0, **faults: object) -> StationRuntime:
            image = ProductImage.load(SPEC_FILE).with_faults(**faults)
            station = stack.enter_context(open_station("sim", image=image, seed=seed, speed=8))
            product = tomllib.loads(SPEC_FILE.read_text())
            runtime = StationRuntime(
                config={"product": product}, station=station, icon_paths=[SIM_ICONS]
            )
            runtime.start()
            stack.enter_context(use_runtime(runtime))
            return runtime

        yield open_
