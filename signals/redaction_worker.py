"""One redaction worker per machine: the redaction tables loaded once, the servers ask it over a socket.

Why: deduce's lookup tables take ~1.1 GB of memory in every process that loads them (measured:
its street and care-institution tries are ~0.5 GB each, docs/performance.md "Action server
memory"), and a full garbage collection over their 4.5 million objects stalls that process
for ~3.5 s. Loaded in every action server, each scaled-out process paid both. Here one process
(`python -m signals redactor`, started by scripts/run.sh and scripts/run_scaled.sh) holds the
tables, frozen out of the garbage collector, and the action servers send it the text of a
signal over a Unix socket and get the redacted text back (~2 ms).

Unredacted text never touches the disk on the way: it goes through the kernel's socket buffer
only. The socket file is this user's only (mode 600, in the deployment's var/ folder), so no
other user on the machine can send text or pose as the worker. Redaction *rules* stay in
signals/redact.py; this module only decides where they run.

The protocol is a frame: 4 bytes of length (big-endian) and UTF-8 text; the answer is a frame
of one status byte (`+` redacted, `-` failed) and the redacted text. A failed or missing
worker raises `Unavailable` in the client: the caller then stores the signal without its text
(signals/record.py), never the raw text.
"""

from __future__ import annotations

import contextlib
import gc
import logging
import os
import signal
import socket
import socketserver
import struct
import threading
import time
from pathlib import Path
from typing import Callable, Optional

log = logging.getLogger(__name__)

#: The largest request accepted. Signals cap their text at settings.MAX_MESSAGE_CHARS
#: characters (at most 4 bytes each); anything far larger is not a signal's text.
MAX_FRAME_BYTES = 256 * 1024
_LENGTH = struct.Struct(">I")
OK, FAILED = b"+", b"-"


class Unavailable(Exception):
    """The worker could not redact this text (not running, too slow, failed, or a bad answer)."""


def _read_exact(connection: socket.socket, count: int) -> Optional[bytes]:
    """`count` bytes, or None when the other side closed the connection before the first byte."""
    chunks, received = [], 0
    while received < count:
        chunk = connection.recv(count - received)
        if not chunk:
            if received == 0:
                return None
            raise ConnectionError("connection closed inside a frame")
        chunks.append(chunk)
        received += len(chunk)
    return b"".join(chunks)


def _send_frame(connection: socket.socket, payload: bytes) -> None:
    connection.sendall(_LENGTH.pack(len(payload)) + payload)


def _read_frame(connection: socket.socket) -> Optional[bytes]:
    header = _read_exact(connection, _LENGTH.size)
    if header is None:
        return None
    (length,) = _LENGTH.unpack(header)
    if length > MAX_FRAME_BYTES:
        raise ValueError(f"frame of {length} bytes refused")
    return _read_exact(connection, length) if length else b""


# --- the worker --------------------------------------------------------------------------------


class _Server(socketserver.ThreadingUnixStreamServer):
    daemon_threads = True  # a client that keeps its connection open must not keep the worker up
    redact: Callable[[str], str]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.connections: set = set()
        self.connections_lock = threading.Lock()

    def server_close(self) -> None:
        """Stop listening and end the kept connections too: a stopped worker answers nothing."""
        super().server_close()
        with self.connections_lock:
            for connection in list(self.connections):
                with contextlib.suppress(OSError):
                    connection.shutdown(socket.SHUT_RDWR)


class _Handler(socketserver.BaseRequestHandler):
    """One client connection (an action server's thread keeps it open): frames until it closes."""

    def setup(self) -> None:
        with self.server.connections_lock:  # type: ignore[attr-defined]
            self.server.connections.add(self.request)  # type: ignore[attr-defined]

    def finish(self) -> None:
        with self.server.connections_lock:  # type: ignore[attr-defined]
            self.server.connections.discard(self.request)  # type: ignore[attr-defined]

    def handle(self) -> None:
        connection: socket.socket = self.request
        while True:
            try:
                frame = _read_frame(connection)
            except (OSError, ValueError) as error:
                log.warning("redaction request refused: %s", type(error).__name__)
                return
            if frame is None:
                return
            try:
                answer = OK + self.server.redact(frame.decode("utf-8", errors="replace")).encode("utf-8")  # type: ignore[attr-defined]
            except Exception as error:  # noqa: BLE001 - the client stores no text; never the raw one
                log.error("redaction failed: %s", type(error).__name__)
                answer = FAILED
            try:
                _send_frame(connection, answer)
            except OSError:
                return


def bind(path: Path, redact: Callable[[str], str]) -> _Server:
    """A worker listening on `path`, this user's only. A socket file left by a worker that
    died is replaced; one that a running worker answers on is not (two deployments must not
    share a socket: scripts/run.sh names it after the action port)."""
    path = Path(path)
    if path.exists():
        probe = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            probe.connect(str(path))
        except OSError:
            path.unlink()
        else:
            raise RuntimeError(f"a redaction worker already listens on {path}")
        finally:
            probe.close()
    path.parent.mkdir(parents=True, exist_ok=True)
    previous = os.umask(0o077)
    try:
        server = _Server(str(path), _Handler)
    finally:
        os.umask(previous)
    os.chmod(path, 0o600)
    server.redact = redact
    return server


def serve(path: Path) -> None:
    """Load the tables, freeze them out of the garbage collector, then answer on `path` until
    SIGTERM/SIGINT. The socket appears only once the tables are loaded: until then clients
    find no worker and store signals without text rather than wait for ~8 s."""
    from signals.redact import shared

    started = time.monotonic()
    redactor = shared()
    redactor.redact("warm")  # the first call builds deduce's lazy structures too
    # 4.5 million long-lived objects: without this every full collection walks them (~3.5 s).
    gc.collect()
    gc.freeze()
    server = bind(path, redactor.redact)

    def stop(signum, frame):
        raise SystemExit(0)

    signal.signal(signal.SIGTERM, stop)
    log.info("redaction worker ready on %s after %.1f s", path, time.monotonic() - started)
    try:
        server.serve_forever(poll_interval=0.5)
    finally:
        server.server_close()
        with contextlib.suppress(OSError):
            Path(path).unlink()


# --- the client --------------------------------------------------------------------------------

_local = threading.local()


def _connect(path: str, timeout: float) -> socket.socket:
    connection = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    connection.settimeout(timeout)
    try:
        connection.connect(path)
    except OSError:
        connection.close()
        raise
    return connection


def _drop(path: str, connection: Optional[socket.socket]) -> None:
    _local.connections.pop(path, None)
    if connection is not None:
        with contextlib.suppress(OSError):
            connection.close()


def redact(text: str, path: Path | str, timeout: float) -> str:
    """`text` redacted by the worker on `path`. Each thread keeps one connection open (signals
    are recorded from a thread pool); a kept connection that fails (the worker restarted) is
    tried once more with a new one. Raises Unavailable; the message names the failure, never
    the text."""
    path = str(path)
    if not hasattr(_local, "connections"):
        _local.connections = {}
    payload = text.encode("utf-8", errors="replace")
    if len(payload) > MAX_FRAME_BYTES:
        raise Unavailable("text too long for the worker")
    for attempt in range(2):
        connection = _local.connections.get(path)
        reused = connection is not None
        try:
            if connection is None:
                connection = _connect(path, timeout)
                _local.connections[path] = connection
            _send_frame(connection, payload)
            answer = _read_frame(connection)
        except (OSError, ValueError) as error:
            _drop(path, connection)
            if reused and attempt == 0:
                continue
            raise Unavailable(type(error).__name__) from None
        if answer is None:
            _drop(path, connection)
            if reused and attempt == 0:
                continue
            raise Unavailable("connection closed")
        if answer[:1] != OK:
            raise Unavailable("redaction failed in the worker")
        return answer[1:].decode("utf-8")
    raise Unavailable("no answer")  # pragma: no cover - the loop returns or raises
