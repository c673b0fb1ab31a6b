"""The chat widget's side of socket.io, for tests: one client that connects as the widget does.

Both the end-to-end tests (a full assistant) and the channel tests (a Rasa server without a
model) talk to the socket.io channel through this one class.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Any, List


class _Collect(logging.Handler):
    def __init__(self, lines):
        super().__init__(logging.DEBUG)
        self.lines = lines

    def emit(self, record):
        self.lines.append(record.getMessage())


class SocketChat:
    """A socket.io client as the widget uses it: session_request, then user_uttered.

    `received` keeps every bot message of this connection in order of arrival; `say` returns
    those that arrived after its message, and fails when the reply it waits for does not come
    in time, saying whether nothing at all arrived or only something else did."""

    def __init__(self, server: Any, origin: Any = None, headers: Any = None):
        """`server`: a base URL, or a running server with `.base`; `headers`: more headers for
        every request of the connection (e.g. X-Forwarded-For, as a trusted proxy adds it)."""
        import socketio

        self.transport_log: List[str] = []  # the engine.io client's own lines, e.g. a refused packet's status
        transport = logging.getLogger(f"e2e.engineio.{id(self)}")
        transport.setLevel(logging.DEBUG)
        transport.propagate = False
        transport.addHandler(_Collect(self.transport_log))
        self.client = socketio.Client(reconnection=False, engineio_logger=transport)
        self.received: List[dict] = []
        self.acks: List[Any] = []  # client ids of live chat messages the server stored
        self.session: Any = None
        self.confirmed = threading.Event()
        self.client.on("bot_uttered", self._bot_uttered)
        self.client.on("session_confirm", self._confirmed)
        self.client.on("live_ack", lambda data: self.acks.append((data or {}).get("id")))
        headers = {**(headers or {}), **({"Origin": origin} if origin else {})}
        self.client.connect(
            getattr(server, "base", server),
            socketio_path="/socket.io",
            transports=["polling"],
            headers=headers,
        )

    def _bot_uttered(self, data):
        self.received.append(data)

    def _confirmed(self, session_id):
        self.session = session_id
        self.confirmed.set()

    def start(self, session_id=None, live_after=None):
        self.confirmed.clear()
        request = {"session_id": session_id}
        if live_after is not None:  # the widget in a live chat: what it already has
            request["live_after"] = live_after
        self.client.emit("session_request", request)
        assert self.confirmed.wait(timeout=30)
        return self.session

    def send(self, text, metadata=None, session_id=None, message_id=None):
        """Send a message (in a live chat with the widget's message id); returns where its
        replies will start in `received`."""
        start = len(self.received)
        data = {"message": text, "session_id": session_id or self.session, "metadata": metadata or {}}
        if message_id:
            data["id"] = message_id
        self.client.emit("user_uttered", data)
        return start

    def say(self, text, metadata=None, session_id=None, wait_for="answer", timeout=60):
        """Send a message and wait for a reply of type `wait_for`; return what arrived since."""
        start = self.send(text, metadata, session_id)
        self.wait(
            lambda: any(kind(m) == wait_for for m in self.received[start:]),
            timeout,
            f"{wait_for!r} reply to {text[:30]!r}",
            start,
        )
        return self.received[start:]

    def wait(self, condition, timeout, what, start=0):
        deadline = time.time() + timeout
        while not condition():
            if time.time() > deadline:
                got = [kind(m) or m.get("text", "")[:30] for m in self.received[start:]]
                raise AssertionError(
                    f"no {what} within {timeout} s: "
                    + (f"only {got} arrived" if got else "no reply arrived at all")
                )
            time.sleep(0.1)

    def close(self, abort: bool = False):
        """Disconnect; `abort`: without waiting for a pending long-poll to return (up to 30 s)."""
        if abort:
            if self.client.connected:
                self.client.eio.disconnect(abort=True)
        else:
            self.client.disconnect()


def kind(message):
    return message.get("custom", {}).get("type")
