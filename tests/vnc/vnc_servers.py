"""Real VNC servers for the tests: TigerVNC's Xvnc (its own X server) with an xterm on it,
and a TCP relay that can drop its connections, as a flaky network does."""

from __future__ import annotations

import contextlib
import ctypes
import os
import shutil
import signal
import socket
import subprocess
import threading
import time
from pathlib import Path

from robotest.drivers import Station, chord_for_character

SETUP_HINT = "run ./setup.sh (it installs tigervnc-standalone-server, tigervnc-tools and xterm)"
SCREEN = (1920, 1080)


def need(program: str) -> str:
    """The path of *program*; its absence is a failure, not a skip (CI runs setup.sh)."""
    path = shutil.which(program)
    if path is None:
        raise RuntimeError(f"{program} is missing: {SETUP_HINT}")
    return path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _display_free(number: int) -> bool:
    return not (
        Path(f"/tmp/.X{number}-lock").exists() or Path(f"/tmp/.X11-unix/X{number}").exists()
    )


def wait_for_port(
    port: int, timeout: float = 60.0, process: subprocess.Popen[bytes] | None = None
) -> bool:
    """True once something listens on 127.0.0.1:*port*; False if *process* exits first
    or nothing listens after *timeout* seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.2):
            return True
        if process is not None and process.poll() is not None:
            return False
        time.sleep(0.05)
    return False


_prctl = ctypes.CDLL(None).prctl  # looked up here: the child only calls it
PR_SET_PDEATHSIG = 1


def _die_with_parent() -> None:
    """In the child: SIGTERM when the process that started it dies, however it dies
    (a killed pytest leaves no X server behind)."""
    _prctl(PR_SET_PDEATHSIG, int(signal.SIGTERM))


def _stop(process: subprocess.Popen[bytes] | None) -> None:
    if process is None or process.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=5)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=5)


class XvncServer:
    """Xvnc on a free display and a free loopback port, with a VNC password."""

    def __init__(
        self,
        folder: Path,
        password: str = "robotest",
        security: str = "VncAuth",
        size: tuple[int, int] = SCREEN,
    ) -> None:
        self.xvnc = need("Xvnc")
        self.size = size
        self.folder = folder
        self.password = password
        self.security = security
        self.port = free_port()
        self.display = next(n for n in range(40, 400) if _display_free(n))
        self.process: subprocess.Popen[bytes] | None = None
        self.clients: list[subprocess.Popen[bytes]] = []
        self.password_file = folder / "passwd"
        digest = subprocess.run(
            [need("vncpasswd"), "-f"], input=password.encode(), capture_output=True, check=True
        ).stdout
        self.password_file.write_bytes(digest)

    def start(self) -> XvncServer:
        """Start Xvnc; on a display or port taken meanwhile (other test runs share this
        machine), try fresh ones (a restart keeps them while they stay free)."""
        for _attempt in range(3):
            log = (self.folder / "xvnc.log").open("ab")
            self.process = subprocess.Popen(
                [
                    self.xvnc,
                    f":{self.display}",
                    "-geometry",
                    f"{self.size[0]}x{self.size[1]}",
                    "-depth",
                    "24",
                    "-rfbport",
                    str(self.port),
                    "-interface",
                    "127.0.0.1",
                    "-nolisten",
                    "tcp",
                    "-SecurityTypes",
                    self.security,
                    "-PasswordFile",
                    str(self.password_file),
                    "-AlwaysShared",
                    "-BlacklistThreshold",
                    "1000",
                ],
                stdout=log,
                stderr=log,
                start_new_session=True,
                preexec_fn=_die_with_parent,
            )
            if wait_for_port(self.port, process=self.process):
                return self
            _stop(self.process)
            self.port = free_port()
            self.display = next(n for n in range(self.display + 1, 400) if _display_free(n))
        log_text = (self.folder / "xvnc.log").read_text(errors="replace")[-400:]
        raise RuntimeError(f"Xvnc did not start three times; its log ends: {log_text}")

    def xterm(self, *, whole_screen: bool = False) -> subprocess.Popen[bytes]:
        """An xterm at the top left, large black-on-white DejaVu text, a `robot$ ` prompt.

        *whole_screen*: the window covers the screen (a camera then tells the white screen
        from the dark bezel around it, as it does a desktop's bright wallpaper).
        """
        geometry = "200x60+0+0" if whole_screen else "80x20+60+60"
        env = {
            **os.environ,
            "DISPLAY": f":{self.display}",
            "PS1": "robot$ ",
            "HOME": str(self.folder),
        }
        log = (self.folder / "xterm.log").open("ab")
        process = subprocess.Popen(
            [
                need("xterm"),
                "-fa",
                "DejaVu Sans Mono",
                "-fs",
                "18",
                "-bg",
                "white",
                "-fg",
                "black",
                "-b",
                "40",
                "-geometry",
                geometry,
                "-e",
                "bash",
                "--norc",
                "--noprofile",
            ],
            env=env,
            stdout=log,
            stderr=log,
            start_new_session=True,
            preexec_fn=_die_with_parent,
        )
        self.clients.append(process)
        return process

    def resize(self, width: int, height: int) -> None:
        """Change the desktop's size, as a VM does between its BIOS and its desktop."""
        subprocess.run(
            [need("xrandr"), "-s", f"{width}x{height}"],
            check=True,
            timeout=30,
            env={**os.environ, "DISPLAY": f":{self.display}"},
            capture_output=True,
        )

    def stop(self) -> None:
        for client in self.clients:
            _stop(client)
        self.clients.clear()
        _stop(self.process)
        self.process = None

    def station_file(
        self, path: Path, *, port: int | None = None, password: str | None = None, extra: str = ""
    ) -> Path:
        path.write_text(
            f'[station]\nkind = "vnc"\nname = "xvnc-test"\n\n'
            f'[vnc]\nhost = "127.0.0.1"\nport = {port or self.port}\n'
            f'password = "{self.password if password is None else password}"\n'
            f"width = {self.size[0]}\nheight = {self.size[1]}\ntimeout = 5.0\n"
            f"reconnect_timeout = 4.0\n{extra}"
        )
        return path


class Relay:
    """A TCP relay to *target*; :meth:`drop` cuts every connection, as a network failure does."""

    def __init__(self, target: int) -> None:
        self.target = target
        self.port = free_port()
        self.connections: list[socket.socket] = []
        self._lock = threading.Lock()
        self._listener: socket.socket | None = None
        self._closed = False
        self.listen()

    def listen(self) -> None:
        if self._closed:
            return
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen()
        self._listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            try:
                server = socket.create_connection(("127.0.0.1", self.target))
            except OSError:
                client.close()
                continue
            with self._lock:
                self.connections += [client, server]
            for a, b in ((client, server), (server, client)):
                threading.Thread(target=self._pump, args=(a, b), daemon=True).start()

    @staticmethod
    def _pump(source: socket.socket, sink: socket.socket) -> None:
        with contextlib.suppress(OSError):
            while data := source.recv(65536):
                sink.sendall(data)
        for s in (source, sink):
            with contextlib.suppress(OSError):
                s.shutdown(socket.SHUT_RDWR)

    def drop(self, down_for: float = 0.0) -> None:
        """Cut every connection; refuse new ones for *down_for* seconds."""
        if down_for > 0 and self._listener is not None:
            self._stop_listening()
        with self._lock:
            connections, self.connections = self.connections, []
        for s in connections:
            with contextlib.suppress(OSError):
                s.shutdown(socket.SHUT_RDWR)
            s.close()
        if down_for > 0:
            timer = threading.Timer(down_for, self.listen)
            timer.daemon = True
            timer.start()

    def _stop_listening(self) -> None:
        """Close the listening socket (shutdown first: it wakes the thread in accept())."""
        listener, self._listener = self._listener, None
        if listener is not None:
            with contextlib.suppress(OSError):
                listener.shutdown(socket.SHUT_RDWR)
            listener.close()

    def close(self) -> None:
        self._closed = True
        self._stop_listening()
        self.drop()


def type_line(station: Station, text: str) -> None:
    """Type *text* and Enter on *station*, key by key."""
    for char in text + "\n":
        station.keyboard.press(chord_for_character(char), hold=0.02)


def wait_for_line(station: Station, wanted: str, timeout: float = 30.0) -> list[str]:
    """Poll the station's frames until OCR reads a line that starts with the words of *wanted*
    (the prompt line also shows the text cursor); the lines read."""
    from robotest.vision import screen_text

    deadline = time.monotonic() + timeout
    lines: list[str] = []
    while time.monotonic() < deadline:
        lines = [" ".join(w.text for w in line) for line in screen_text(station.grab()).lines]
        words = wanted.split()
        if any(line.split()[: len(words)] == words for line in lines):
            return lines
        time.sleep(0.2)
    raise AssertionError(f"no line {wanted!r} on the VNC screen; it reads {lines}")


def invoke(*args: object) -> tuple[int, str]:
    """Run the `rtest` CLI in this process; (exit code, output)."""
    from typer.testing import CliRunner

    from robotest.cli import app

    result = CliRunner().invoke(app, [str(a) for a in args])
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.output


def run_one_failing(folder: Path, suite_text: str, station: Path) -> dict[str, tuple[str, str]]:
    """Run *suite_text* as a one-file suite with `rtest run --station STATION`, in which
    one case fails on purpose (exit code 1); each case's (status, message) by title."""
    from robotest.runtime.store import ResultStore

    suite = folder / "suite"
    suite.mkdir()
    (suite / "cases.rtest").write_text(suite_text)
    db = folder / "results.db"
    code, output = invoke(
        "run", suite, "--station", station, "--db", db, "--report", folder / "report"
    )
    assert code == 1, output  # one case fails on purpose
    with ResultStore(db) as store:
        run = store.run(1)
    assert run is not None
    return {case.title: (case.status, case.message or "") for case in run.cases}
