"""HTTP client of the script server, used by `rtest publish`, `rtest sync` and uploads."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx

from robotest.server.archive import check_no_links, pack_directory, pack_files
from robotest.server.errors import ClientError, CompileRefused


class ServerClient:
    """One server URL and token; every failure becomes a one-line ClientError."""

    def __init__(self, url: str, token: str | None, timeout: float | httpx.Timeout = 60.0):
        self.url = url.rstrip("/")
        token = token.strip() if token else None  # a token file's or variable's newline
        if token and not token.isprintable():
            raise ClientError(
                "the token holds spaces or control characters; check --token or RTEST_TOKEN"
            )
        self._token = token
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        self._http = httpx.Client(base_url=self.url + "/api/v1", headers=headers, timeout=timeout)

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> ServerClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def request(
        self, method: str, path: str, retry: bool | None = None, **kwargs: Any
    ) -> httpx.Response:
        """Send one request; a GET (or `retry=True`) is sent again once when the server
        closed a kept-alive connection just as it was reused."""
        attempts = 2 if (method == "GET" if retry is None else retry) else 1
        for attempt in range(attempts):
            try:
                response = self._http.request(method, path, **kwargs)
                break
            except httpx.RemoteProtocolError as exc:
                if attempt + 1 == attempts:
                    raise self._error(f"server {self.url} unreachable: {exc}") from exc
            except httpx.HTTPError as exc:
                raise self._error(f"server {self.url} unreachable: {exc}") from exc
        if response.status_code >= 400:
            detail = _detail(response)
            if response.status_code == 422 and isinstance(detail, dict):
                raise CompileRefused(list(detail.get("diagnostics", [])))
            if isinstance(detail, dict):
                detail = detail.get("error", detail)
            raise self._error(
                f"server refused ({response.status_code}): {detail}", response.status_code
            )
        return response

    def _error(self, message: str, status_code: int | None = None) -> ClientError:
        """A ClientError whose one-line message never shows the token."""
        if self._token:
            message = message.replace(self._token, "<token>")
        return ClientError(" ".join(message.split()), status_code)

    def publish(self, suite: Path, channel: str) -> dict[str, Any]:
        """Pack `suite` and publish it to `channel` (ArchiveError when it holds a link)."""
        check_no_links(suite)
        body = pack_directory(suite)
        return self.request(
            "POST",
            "/publish",
            params={"channel": channel},
            content=body,
            headers={"Content-Type": "application/x-tar"},
        ).json()

    def publish_bytes(self, archive: bytes, channel: str) -> dict[str, Any]:
        return self.request(
            "POST",
            "/publish",
            params={"channel": channel},
            content=archive,
            headers={"Content-Type": "application/x-tar"},
        ).json()

    def channel(self, name: str) -> dict[str, Any]:
        result: dict[str, Any] = self.request("GET", f"/channels/{name}").json()
        return result

    def manifest(self, version: str) -> tuple[bytes, str | None]:
        """A version's manifest bytes and the signature the server sent with them."""
        response = self.request("GET", f"/versions/{version}/manifest")
        return response.content, response.headers.get("x-signature")

    def fetch(self, hashes: list[str]) -> Iterator[tuple[str, bytes]]:
        """The objects `hashes`, as (claimed hash, bytes); the caller verifies them."""
        received = 0
        try:
            for item in self._fetch(hashes):
                received += 1
                yield item
        except ClientError:
            if received:
                raise
            yield from self._fetch(hashes)  # once more: a stale kept-alive connection

    def _fetch(self, hashes: list[str]) -> Iterator[tuple[str, bytes]]:
        try:
            with self._http.stream("POST", "/objects/fetch", json={"hashes": hashes}) as resp:
                if resp.status_code >= 400:
                    resp.read()
                    raise self._error(f"server refused ({resp.status_code}): {_detail(resp)}")
                yield from _frames(resp.iter_bytes())
        except httpx.HTTPError as exc:
            raise self._error(f"download from {self.url} failed: {exc}") from exc

    def versions(self) -> list[dict[str, Any]]:
        result: list[dict[str, Any]] = self.request("GET", "/versions").json()
        return result

    def diff(self, old: str, new: str) -> dict[str, list[str]]:
        result: dict[str, list[str]] = self.request("GET", f"/versions/{old}/diff/{new}").json()
        return result

    def rollback(self, channel: str, version: str | None = None) -> dict[str, Any]:
        body = {"version": version} if version else {}
        result: dict[str, Any] = self.request(
            "POST", f"/channels/{channel}/rollback", json=body
        ).json()
        return result

    def report_sync(self, channel: str, version: str | None, status: str, error: str) -> None:
        report = {"channel": channel, "version": version, "status": status, "error": error}
        self.request("POST", "/stations/sync", retry=True, json=report)

    def upload_run(self, run_dir: Path) -> dict[str, Any]:
        """Upload a run directory: its `run.json` plus every report file and screenshot."""
        files = {
            p.relative_to(run_dir).as_posix(): p.read_bytes()
            for p in sorted(run_dir.rglob("*"))
            if p.is_file()
        }
        return self.upload_run_files(files)

    def upload_run_files(self, files: dict[str, bytes]) -> dict[str, Any]:
        return self.upload_run_archive(pack_files(files))

    def upload_run_archive(self, archive: bytes) -> dict[str, Any]:
        """Upload a results archive (a tar with `run.json` at its root)."""
        result: dict[str, Any] = self.request(
            "POST", "/runs", content=archive, headers={"Content-Type": "application/x-tar"}
        ).json()
        return result


def _detail(response: httpx.Response) -> Any:
    try:
        return response.json().get("detail", response.text)
    except ValueError:
        return response.text.strip()[:200]


def _frames(chunks: Iterator[bytes]) -> Iterator[tuple[str, bytes]]:
    """Split the `<sha256> <size>\\n<bytes>` stream of /objects/fetch."""
    buffer = bytearray()
    for chunk in chunks:
        buffer += chunk
        while True:
            newline = buffer.find(b"\n", 0, 100)
            if newline < 0:
                if len(buffer) > 100:
                    raise ClientError("download is garbled (bad object header)")
                break
            try:
                digest, size_text = buffer[:newline].decode().split(" ")
                size = int(size_text)
            except ValueError as exc:
                raise ClientError("download is garbled (bad object header)") from exc
            end = newline + 1 + size
            if len(buffer) < end:
                break
            yield digest, bytes(buffer[newline + 1 : end])
            del buffer[:end]
    if buffer:
        raise ClientError("download ended in the middle of an object")
