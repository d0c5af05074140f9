"""Publishing against a real server: versions, channels, refusals, tokens, rollback."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner

from robotest.cli import app
from robotest.server.errors import ClientError, CompileRefused

from .conftest import BAD_SCRIPT, ServerProcess, small_suite, write_suite

runner = CliRunner()


def cli(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_publish_stores_a_content_addressed_version_and_moves_the_channel(
    server: ServerProcess, tmp_path: Path
) -> None:
    suite = small_suite(tmp_path / "suite")
    code, out, err = cli(
        "publish",
        str(suite),
        "--server",
        server.url,
        "--channel",
        "pub1",
        "--token",
        server.token("alice", "publisher"),
    )
    assert code == 0, err
    assert "4 files" in out and "4 added" in out
    with server.client() as client:
        channel = client.channel("pub1")
        versions = {v["version"]: v for v in client.versions()}
        assert channel["version"] in versions
        assert versions[channel["version"]]["files"] == 4
        # the same content again is the same version; the channel moves (seq) but no new id
        again = client.publish(suite, "pub1")
        assert again["version"] == channel["version"]
        assert again["channel"]["seq"] == channel["seq"] + 1
        assert len(client.versions()) == len(versions)


def test_compile_errors_refuse_the_whole_version(server: ServerProcess, tmp_path: Path) -> None:
    suite = small_suite(tmp_path / "suite")
    write_suite(suite, {"lib/broken.rtest": BAD_SCRIPT})
    with server.client() as client:
        before = client.versions()
        with pytest.raises(CompileRefused) as info:
            client.publish(suite, "refused")
        assert client.versions() == before
        with pytest.raises(ClientError, match="no channel 'refused'"):
            client.channel("refused")
    diags = info.value.diagnostics
    assert {d["file"] for d in diags} == {"lib/broken.rtest"}
    assert diags[0]["line"] == 4
    assert "expected ':'" in str(diags[0]["message"])
    code, _, err = cli(
        "publish",
        str(suite),
        "--server",
        server.url,
        "--channel",
        "refused",
        "--token",
        server.token("alice", "publisher"),
    )
    assert code == 1
    assert "lib/broken.rtest:4:" in err and "nothing published" in err


def test_list_diff_and_rollback(server: ServerProcess, tmp_path: Path) -> None:
    with server.client() as client:
        v1 = client.publish(small_suite(tmp_path / "a", "1"), "rb")["version"]
        suite2 = small_suite(tmp_path / "b", "2")
        write_suite(suite2, {"extra.rtest": BAD_SCRIPT.replace("if True", "if True:")})
        (suite2 / "lib/enter_setup.rtest").unlink()
        v2 = client.publish(suite2, "rb")["version"]
        assert client.diff(v1, v2) == {
            "added": ["extra.rtest"],
            "removed": ["lib/enter_setup.rtest"],
            "changed": ["icons/terminal.png", "specs/product.json"],
        }
        moved = client.rollback("rb")
        assert moved["version"] == v1 and client.channel("rb")["version"] == v1
        with pytest.raises(ClientError, match="no earlier version"):
            client.rollback("rb")
        assert client.rollback("rb", v2[:10])["version"] == v2
    code, out, _ = cli(
        "server",
        "rollback",
        "--server",
        server.url,
        "--channel",
        "rb",
        "--token",
        server.token("alice", "publisher"),
    )
    assert code == 0 and out.strip() == f"rb -> {v1[:12]}"
    code, out, _ = cli(
        "server", "versions", "--server", server.url, "--token", server.token("rita", "reader")
    )
    assert code == 0 and f"{v1[:12]}" in out and "<- rb" in out
    code, out, _ = cli(
        "server", "diff", v1, v2, "--server", server.url, "--token", server.token("rita", "reader")
    )
    assert code == 0 and "+ extra.rtest" in out and "- lib/enter_setup.rtest" in out


@pytest.mark.parametrize(("role", "status"), [("station", 403), ("reader", 403)])
def test_only_publishers_publish_or_roll_back(
    server: ServerProcess, tmp_path: Path, role: str, status: int
) -> None:
    suite = small_suite(tmp_path / "suite")
    with server.client("someone", role) as client:
        with pytest.raises(ClientError, match=f"\\({status}\\).*{role} token may not"):
            client.publish(suite, "tok")
        with pytest.raises(ClientError, match=f"\\({status}\\)"):
            client.rollback("rb")


@pytest.mark.parametrize("header", [None, "Bearer wrong-token", "Basic abc"])
def test_missing_or_unknown_tokens_are_refused(server: ServerProcess, header: str | None) -> None:
    headers = {"Authorization": header} if header else {}
    for method, path in [
        ("GET", "/api/v1/channels"),
        ("POST", "/api/v1/publish"),
        ("GET", "/api/v1/versions"),
        ("POST", "/api/v1/runs"),
    ]:
        response = httpx.request(method, server.url + path, headers=headers)
        assert response.status_code == 401, (method, path)
        assert "token" in response.json()["detail"]


def test_cli_reports_an_unreachable_server(tmp_path: Path) -> None:
    suite = small_suite(tmp_path / "suite")
    code, _, err = cli("publish", str(suite), "--server", "http://127.0.0.1:9", "--token", "x")
    assert code == 2 and err.startswith("error: server http://127.0.0.1:9 unreachable")
