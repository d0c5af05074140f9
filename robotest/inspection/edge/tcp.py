"""The TCP listener of the edge service: the protocol of ``protocol.py`` over asyncio streams.

Images are judged in a worker thread so that one slow unit does not stop other
connections from being read; a message the parser cannot read ends only its own
connection. Unless the service runs with ``open_units``, a connection must first
send ``AUTH <token>`` with a ``line`` token of this line; its ``INSPECT`` requests get
``ERROR <unit> UNAUTHORIZED ...`` until then.
"""

from __future__ import annotations

import asyncio

from robotest.inspection.edge.auth import POST_UNITS, Holder, Tokens
from robotest.inspection.edge.protocol import (
    FrameReader,
    ProtocolError,
    Request,
    encode_error,
    encode_result,
)
from robotest.inspection.edge.service import EdgeService
from robotest.inspection.edge.units import UnitConflict
from robotest.inspection.errors import InspectionError


async def start_tcp(
    service: EdgeService, host: str, port: int, *, open_units: bool = False
) -> asyncio.Server:
    """Listen on *host*:*port*; the caller closes the returned server."""
    tokens = Tokens(service.registry)

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            await Connection(service, tokens, open_units).serve(reader, writer)
        except (ConnectionError, asyncio.IncompleteReadError):
            pass
        finally:
            writer.close()

    return await asyncio.start_server(handle, host, port)


class Connection:
    """One client's connection: its parser and whether it has shown a line token."""

    def __init__(self, service: EdgeService, tokens: Tokens, open_units: bool):
        self.service, self.tokens, self.open_units = service, tokens, open_units
        self.holder: Holder | None = None

    async def serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        frames = FrameReader()
        while not frames.broken:
            data = await reader.read(65536)
            if not data:
                return
            for item in frames.feed(data):
                writer.write(await self.answer(item))
            await writer.drain()

    async def answer(self, item: Request | ProtocolError) -> bytes:
        if isinstance(item, ProtocolError):
            return encode_error(None, str(item))
        if item.command == "PING":
            return b"PONG\n"
        if item.command == "AUTH":
            return self.login(item.payload.decode("ascii"))
        if not (self.open_units or self.holder is not None):
            return encode_error(
                item.unit, "a line token is needed: send AUTH <token> first", "UNAUTHORIZED"
            )
        return await self.inspect(item.unit, item.payload)

    def login(self, token: str) -> bytes:
        holder = self.tokens.holder(token, self.service.line_name)
        if holder is None or holder.role not in POST_UNITS:
            self.holder = None
            return encode_error(
                None,
                f"this is not a live line token of line {self.service.line_name}",
                "UNAUTHORIZED",
            )
        self.holder = holder
        return f"OK {holder.name}\n".encode("ascii", "replace")

    async def inspect(self, unit: str, payload: bytes) -> bytes:
        try:
            record, _ = await asyncio.to_thread(self.service.inspect, unit, payload)
        except UnitConflict as exc:
            return encode_error(unit, str(exc), "CONFLICT")
        except InspectionError as exc:
            return encode_error(unit, str(exc))
        return encode_result(record.answer())
