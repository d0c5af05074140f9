"""`rtest station check FILE` and `rtest station health SPEC`."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

import typer

if TYPE_CHECKING:
    from robotest.drivers.vnc_config import VncStationSpec

app = typer.Typer(help="Check station files and station health.", no_args_is_help=True)


def _fail(message: str, code: int) -> typer.Exit:
    print(f"error: {message}", file=sys.stderr)
    return typer.Exit(code)


@app.command("check")
def check(path: str = typer.Argument(..., help="station file (TOML)")) -> None:
    """Read a station file and print what it describes (opens no hardware)."""
    from robotest.drivers.errors import StationConfigError
    from robotest.drivers.station_files import load_station_file
    from robotest.drivers.vnc_config import VncStationSpec

    try:
        spec = load_station_file(path)
    except StationConfigError as exc:
        raise _fail(str(exc), 2) from None
    if isinstance(spec, VncStationSpec):
        _print_vnc(spec)
        return
    kb = spec.keyboard
    keys = len(kb.keymap.items()) if kb.keymap else 0
    print(f"station {spec.name}: ok")
    print(
        f"  keyboard   {kb.kind}"
        + (
            f" on {kb.port} at {kb.baud} baud, {keys} keys mapped"
            if kb.kind == "pneumatic"
            else " (USB HID)"
        )
    )
    print(f"  usb        {spec.usb.vendor_id:04x}:{spec.usb.product_id:04x}")
    cam = spec.camera
    print(f"  camera     {cam.kind} {cam.producer or cam.source}")
    print(f"  calibration {spec.calibration_file or '(none)'}")
    lim = spec.limits
    print(
        f"  limits     chord <= {lim.max_chord}, hold {lim.min_hold:g}..{lim.max_hold:g} s, "
        f"<= {lim.max_presses_per_second:g} presses/s"
    )


def _print_vnc(spec: VncStationSpec) -> None:
    size = f"{spec.screen_size[0]}x{spec.screen_size[1]}" if spec.screen_size else "any size"
    model = spec.camera_model
    if model is None:
        camera, calibration = "the framebuffer", "(framebuffer: identity)"
    else:
        width, height = model.frame_size
        camera = f"framebuffer through the camera model (seed {model.seed}, {width}x{height})"
        calibration = "(from frames)"
    print(f"station {spec.name}: ok")
    print(
        f"  vnc        {spec.address}, screen {size}, "
        f"{'password' if spec.password else 'no password'}, "
        f"reconnects within {spec.reconnect_timeout:g} s"
    )
    print(f"  camera     {camera}")
    print(f"  calibration {spec.calibration_file or calibration}")


@app.command("health")
def health(spec: str = typer.Argument("sim", help='"sim" or a station file')) -> None:
    """Open a station, print its health and close it (exit 1 unless ready or degraded)."""
    from robotest.drivers import HealthState, open_station
    from robotest.drivers.errors import StationConfigError
    from robotest.errors import StationError

    try:
        with open_station(spec) as station:
            report = station.health()
    except StationConfigError as exc:
        raise _fail(str(exc), 2) from None
    except StationError as exc:
        raise _fail(str(exc), 1) from None
    print(f"station {station.name}: {report}")
    if report.state not in (HealthState.READY, HealthState.DEGRADED):
        raise typer.Exit(1)
