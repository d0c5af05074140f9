"""The TCP listener of the edge service: the protocol of ``protocol.py`` over asyncio streams.

Images are judged in a worker thread so that one slow unit does not stop other
connections from being read; a message the parser cannot read ends only its own
connection.
"""

from __future__ import annotations

import asyncio

from robotest.inspection.edge.protocol import (
    FrameReader,
    ProtocolError,
    encode_error,
    encode_result,
)
from robotest.inspection.edge.service import EdgeService
from robotest.inspection.errors import InspectionError


async def start_tcp(service: EdgeService, host: str, port: int) -> asyncio.Server:
    """Listen on *host*:*port*; the caller closes the returned server."""

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            await serve_connection(service, reader, writer)
        except (ConnectionError, asyncio.IncompleteReadError):
            pass
        finally:
            writer.close()

    return await asyncio.start_server(handle, host, port)


async def serve_connection(service: EdgeService, reader: asyncio.StreamReader,
                           writer: asyncio.StreamWriter) -> None:
    frames = FrameReader()
    while not frames.broken:
        data = await reader.read(65536)
        if not data:
            return
        for item in frames.feed(data):
            if isinstance(item, ProtocolError):
                writer.write(encode_error(None, str(item)))
            elif item.command == "PING":
                writer.write(b"PONG\n")
            else:
                writer.write(await _inspect(service, item.unit, item.payload))
        await writer.drain()


async def _inspect(service: EdgeService, unit: str, payload: bytes) -> bytes:
    try:
        record, _ = await asyncio.to_thread(service.inspect, unit, payload)
    except InspectionError as exc:
        return encode_error(unit, str(exc))
    return encode_result(record.answer())
