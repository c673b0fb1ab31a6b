"""A local stand-in for Meta's Graph API (issue 27), for the tests and for trying WhatsApp by hand.

It accepts `POST /<version>/<phone_number_id>/messages`, records each request (path, the
Authorization header, the JSON body) and answers as Meta does (`{"messages": [{"id": ...}]}`).
A test can make it refuse the next requests with a status of its choice (`fail_next`), to see
retries and give-ups. It runs in a thread of the test process (a plain ThreadingHTTPServer):
the servers under test reach it on 127.0.0.1.

By hand: `python -m tests.support.fake_graph --port 8899` prints every message it gets; start
the assistant with STEUNPUNT_WHATSAPP_API_URL=http://127.0.0.1:8899/v21.0 (docs/whatsapp.md).
"""

from __future__ import annotations

import argparse
import itertools
import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Dict, List, Optional


@dataclass
class Received:
    path: str
    authorization: str
    body: Dict[str, Any]

    @property
    def phone_number_id(self) -> str:
        return self.path.strip("/").split("/")[-2]

    @property
    def to(self) -> str:
        return self.body.get("to", "")

    @property
    def text(self) -> str:
        """What the user reads: a text's body, or an interactive message's body and choices."""
        if self.body.get("type") == "text":
            return self.body["text"]["body"]
        interactive = self.body.get("interactive") or {}
        return (interactive.get("body") or {}).get("text", "")

    @property
    def choices(self) -> List[Dict[str, str]]:
        """The buttons or list rows of an interactive message, as {"id", "title"}."""
        interactive = self.body.get("interactive") or {}
        action = interactive.get("action") or {}
        if interactive.get("type") == "button":
            return [button["reply"] for button in action.get("buttons", [])]
        if interactive.get("type") == "list":
            return [row for section in action.get("sections", []) for row in section.get("rows", [])]
        return []


@dataclass
class FakeGraph:
    port: int = 0
    received: List[Received] = field(default_factory=list)
    #: (status, raw body or None for Meta's usual JSON) to answer the next requests with, in order.
    failures: List[tuple] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    _server: Optional[ThreadingHTTPServer] = None
    _ids: Any = field(default_factory=lambda: itertools.count(1))

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v21.0"

    def fail_next(self, *statuses: int) -> None:
        with self.lock:
            self.failures.extend((status, None) for status in statuses)

    def answer_next(self, status: int, raw: bytes) -> None:
        """Answer the next request with this status and body (e.g. a proxy's non-JSON page)."""
        with self.lock:
            self.failures.append((status, raw))

    def messages(self, to: Optional[str] = None) -> List[Received]:
        with self.lock:
            return [m for m in self.received if to is None or m.to == to]

    def clear(self) -> None:
        with self.lock:
            self.received.clear()

    def wait_for(self, count: int, to: Optional[str] = None, timeout: float = 30.0) -> List[Received]:
        """At least `count` messages (to one user), waiting up to `timeout` seconds."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = self.messages(to)
            if len(found) >= count:
                return found
            time.sleep(0.05)
        return self.messages(to)

    def start(self) -> FakeGraph:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *_: Any) -> None:  # quiet in tests
                pass

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length)
                try:
                    body = json.loads(raw or b"{}")
                except ValueError:
                    body = {}
                with fake.lock:
                    status, raw_answer = fake.failures.pop(0) if fake.failures else (200, None)
                    if status == 200 and self.path.endswith("/messages"):
                        fake.received.append(Received(self.path, self.headers.get("Authorization", ""), body))
                    number = next(fake._ids)
                answer: Dict[str, Any]
                if status == 200:
                    answer = {
                        "messaging_product": "whatsapp",
                        "contacts": [{"input": body.get("to"), "wa_id": body.get("to")}],
                        "messages": [{"id": f"wamid.fake{number}"}],
                    }
                else:
                    answer = {"error": {"message": "fake refusal", "code": 131000 if status >= 500 else 100}}
                data = raw_answer if raw_answer is not None else json.dumps(answer).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self._server.daemon_threads = True
        self.port = self._server.server_address[1]
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=8899)
    args = parser.parse_args()
    fake = FakeGraph(port=args.port).start()
    print(f"fake Graph API at {fake.url}  (Ctrl-C stops)", flush=True)
    seen = 0
    try:
        while True:
            messages = fake.messages()
            for message in messages[seen:]:
                print(json.dumps({"path": message.path, **message.body}, ensure_ascii=False), flush=True)
            seen = len(messages)
            time.sleep(0.2)
    except KeyboardInterrupt:
        fake.stop()


if __name__ == "__main__":
    main()
