"""Issue 17, run-id squatting: run ids are namespaced by the uploading station."""

from __future__ import annotations

import pytest
from server.conftest import ServerProcess

from robotest.server.client import ServerClient
from robotest.server.errors import ClientError

from .conftest import get, run_files, run_json


def test_a_station_cannot_take_another_stations_run_id(server: ServerProcess) -> None:
    with ServerClient(server.url, server.token("squatter", "station")) as squatter:
        done = squatter.upload_run_files(
            run_files(run_json("nightly-1", "squatter", image="squatter.wim"))
        )
        assert done["id"] == "squatter/nightly-1"
    with ServerClient(server.url, server.token("owner", "station")) as owner:
        done = owner.upload_run_files(run_files(run_json("nightly-1", "owner", image="owner.wim")))
        assert done["run"] == "nightly-1" and done["id"] == "owner/nightly-1"
        with pytest.raises(ClientError, match="409.*owner/nightly-1 was already uploaded"):
            owner.upload_run_files(run_files(run_json("nightly-1", "owner")))
    reader = server.token("rita", "reader")
    for station in ("owner", "squatter"):
        run = get(server, f"/api/v1/runs/{station}/nightly-1", reader).json()
        assert run["station"] == station and run["image"] == f"{station}.wim"
        page = get(server, f"/runs/{station}/nightly-1", reader)
        assert page.status_code == 200 and f"{station}.wim" in page.text
        assert f'href="/runs/{station}/nightly-1/files/shots/bios.png"' in page.text
        sheet = get(server, f"/runs/{station}/nightly-1.xlsx", reader)
        assert sheet.status_code == 200
    stations = get(server, "/", reader).text
    assert 'href="/runs/owner/nightly-1"' in stations
    assert 'href="/runs/squatter/nightly-1"' in stations
