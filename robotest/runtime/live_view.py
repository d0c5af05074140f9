"""`rtest shell --view`: the station's screen on a local web page, live.

The page shows the screen as the shell's station sees it, refreshed every second. A
click prints the screen coordinates of the point (for ``click (x, y)``); a drag draws a
box and prints it (for ``in (x, y, w, h)``), and the form under the screen captures the
box as a new version of an icon (``rtest icon capture``, from the live screen).

It is served by the standard library's ``http.server`` on 127.0.0.1 from a thread of
the shell: three routes and no event loop to share with the shell's own thread. The
screen is looked at afresh only while the shell is idle (a lock held while an entry
runs); otherwise the page gets the screen the running statement saw last.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from dataclasses import dataclass
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import cv2
import numpy as np

MAX_BODY = 4096  # bytes of a capture request
JPEG_QUALITY = 85

Screen = Callable[[], Any]  # a BGR image, PNG bytes or None

PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>robotest live view</title>
<style>body{font:14px system-ui,sans-serif;margin:1em}#wrap{position:relative;
display:inline-block;cursor:crosshair}#screen{display:block;max-width:100%;
user-select:none}#box{position:absolute;border:2px solid #e11;display:none;
pointer-events:none}#status{font-family:monospace}</style></head><body>
<div id="wrap"><img id="screen" src="screen.jpg" alt="the station's screen"
draggable="false"><div id="box"></div></div>
<p id="status">Click for a point's coordinates; drag a box to capture it.</p>
<form id="capture">icon name <input id="name" required pattern="[A-Za-z0-9][A-Za-z0-9_.-]*">
<label><input type="checkbox" id="auto"> leave the border colour out (auto mask)</label>
<button id="go" disabled>Capture the box</button></form><pre id="result"></pre>
<script>
var img=document.getElementById('screen'),boxEl=document.getElementById('box');
var statusEl=document.getElementById('status'),start=null,box=null;
function at(e){var r=img.getBoundingClientRect(),sx=img.naturalWidth/r.width,
 sy=img.naturalHeight/r.height;return{x:Math.round((e.clientX-r.left)*sx),
 y:Math.round((e.clientY-r.top)*sy),cx:e.clientX-r.left,cy:e.clientY-r.top};}
img.addEventListener('mousedown',function(e){start=at(e);e.preventDefault();});
window.addEventListener('mousemove',function(e){if(!start)return;var p=at(e);
 boxEl.style.display='block';boxEl.style.left=Math.min(start.cx,p.cx)+'px';
 boxEl.style.top=Math.min(start.cy,p.cy)+'px';boxEl.style.width=Math.abs(p.cx-start.cx)+'px';
 boxEl.style.height=Math.abs(p.cy-start.cy)+'px';});
window.addEventListener('mouseup',function(e){if(!start)return;var p=at(e),s=start;start=null;
 if(Math.abs(p.x-s.x)<3&&Math.abs(p.y-s.y)<3){boxEl.style.display='none';box=null;
  document.getElementById('go').disabled=true;statusEl.textContent='point ('+s.x+', '+s.y+')';
  return;}
 box=[Math.min(s.x,p.x),Math.min(s.y,p.y),Math.abs(p.x-s.x),Math.abs(p.y-s.y)];
 document.getElementById('go').disabled=false;statusEl.textContent='box ('+box.join(', ')+')';});
document.getElementById('capture').addEventListener('submit',function(e){e.preventDefault();
 fetch('capture',{method:'POST',headers:{'Content-Type':'application/json'},
  body:JSON.stringify({name:document.getElementById('name').value,box:box,
  mask:document.getElementById('auto').checked?'auto':null})})
 .then(function(r){return r.json();}).then(function(d){
  document.getElementById('result').textContent=d.error?('error: '+d.error):d.summary;});});
setInterval(function(){if(!start){var next=new Image();next.onload=function(){
 img.src=next.src;};next.src='screen.jpg?t='+Date.now();}},1000);
</script></body></html>
"""


@dataclass
class LiveView:
    """Serves *screen* and captures icons into *icons* until :meth:`close`."""

    screen: Screen
    icons: Path
    host: str = "127.0.0.1"
    port: int = 0

    def __post_init__(self) -> None:
        view = self

        class Handler(_Handler):
            live = view

        self.server = ThreadingHTTPServer((self.host, self.port), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.server.server_address[1]}/"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def current(self) -> np.ndarray | None:
        """The screen now, as a BGR image (None before the station has shown one)."""
        screen = self.screen()
        if isinstance(screen, bytes | bytearray):
            screen = cv2.imdecode(np.frombuffer(screen, np.uint8), cv2.IMREAD_COLOR)
        return screen if isinstance(screen, np.ndarray) else None

    def capture(self, request: Any) -> dict[str, Any]:
        """Capture a box of the current screen as an icon version; the JSON answer."""
        from robotest.vision.capture import capture_from
        from robotest.vision.errors import VisionInputError

        if not isinstance(request, dict):
            return {"error": "send a JSON object with name, box and mask"}
        name, box, mask = request.get("name"), request.get("box"), request.get("mask")
        if not isinstance(name, str) or not _is_box(box) or mask not in (None, "auto"):
            return {"error": "name is text, box is [x, y, w, h] in pixels, mask is auto or null"}
        screen = self.current()
        if screen is None:
            return {"error": "no screen seen yet"}
        try:
            done = capture_from(screen, tuple(box), name, self.icons, mask)  # type: ignore[arg-type]
        except VisionInputError as exc:
            return {"error": str(exc)}
        return {"summary": done.summary(), **done.to_dict()}


def _is_box(box: Any) -> bool:
    return (
        isinstance(box, list)
        and len(box) == 4
        and all(isinstance(v, int) and not isinstance(v, bool) for v in box)
    )


class _Handler(BaseHTTPRequestHandler):
    live: LiveView

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the base's name
        """Quiet: the shell's own output is what the user reads."""

    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        path = self.path.split("?", 1)[0]
        if path == "/":
            self._send(HTTPStatus.OK, "text/html; charset=utf-8", PAGE.encode())
        elif path == "/screen.jpg":
            screen = self.live.current()
            if screen is None:
                self._send(HTTPStatus.SERVICE_UNAVAILABLE, "text/plain", b"no screen yet")
                return
            ok, data = cv2.imencode(".jpg", screen, [cv2.IMWRITE_JPEG_QUALITY, JPEG_QUALITY])
            self._send(HTTPStatus.OK, "image/jpeg", data.tobytes() if ok else b"")
        else:
            self._send(HTTPStatus.NOT_FOUND, "text/plain", b"not found")

    def do_POST(self) -> None:  # noqa: N802 - http.server's naming
        if self.path != "/capture":
            self._send(HTTPStatus.NOT_FOUND, "text/plain", b"not found")
            return
        length = int(self.headers.get("Content-Length") or 0)
        if not 0 < length <= MAX_BODY:
            self._send(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, "text/plain", b"bad request size")
            return
        try:
            request = json.loads(self.rfile.read(length))
        except ValueError:
            request = None
        answer = self.live.capture(request)
        status = HTTPStatus.BAD_REQUEST if "error" in answer else HTTPStatus.OK
        self._send(status, "application/json", json.dumps(answer).encode())

    def _send(self, status: HTTPStatus, kind: str, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(body)
