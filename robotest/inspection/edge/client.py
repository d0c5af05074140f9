"""A blocking client of the TCP protocol (what a line's PC or a test bench uses)."""

from __future__ import annotations

import socket

from robotest.inspection.edge.protocol import Reply, Request, encode_request, parse_reply


class TcpClient:
    """One connection to the edge service; requests are answered in order."""

    def __init__(self, host: str, port: int, timeout: float = 10.0):
        self.sock = socket.create_connection((host, port), timeout=timeout)
        self.file = self.sock.makefile("rb")

    def __enter__(self) -> TcpClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self.file.close()
        self.sock.close()

    def send(self, request: Request) -> Reply:
        self.sock.sendall(encode_request(request))
        return self.read_reply()

    def read_reply(self) -> Reply:
        line = self.file.readline()
        if not line:
            raise ConnectionError("the edge service closed the connection")
        return parse_reply(line.rstrip(b"\n"))

    def inspect(self, unit: str, image: bytes) -> Reply:
        return self.send(Request("INSPECT", unit, image))

    def ping(self) -> Reply:
        return self.send(Request("PING"))

    def auth(self, token: str) -> Reply:
        """Show a ``line`` token; the connection may then send units."""
        return self.send(Request("AUTH", payload=token.encode("ascii")))
