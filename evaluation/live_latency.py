"""Live chat delivery (issue 25, item 10): how fast a message gets from one side to the other,
with 20 live chats at once and the bot serving other conversations at the same time.

The real deployment on 127.0.0.1: the embedded form (`scripts/run.sh`: one Rasa process, the
staff app, SQLite, the database polled every STEUNPUNT_LIVE_POLL_SECONDS) and the scaled form
(`scripts/run_scaled.sh` with 2 Rasa processes, PostgreSQL, Redis wake-ups, nginx). Every
process lives at OPEN_MONDAY (tests/support/servers.py), inside the example region's opening
hours; the message limits are lifted (UNLIMITED, and the live chat's own limits and waits
below) so that only delivery is measured.

One round (each form runs --repeat rounds, 3, on one deployment: on a shared machine one
round says little):
1. staff accounts of region `voorbeeld` (one per chat) are made in the database, then log in
   through the staff app's real /login and switch "Beschikbaar voor chat" on (POST
   /beschikbaar): their sessions and CSRF tokens are the app's own;
2. a few REST conversations start asking the bot topic questions in a loop (a pause of
   BOT_PAUSE seconds between a reply and the next question), and go on until the end;
3. --chats parents at once, each a socket.io client as the widget (tests/support/widget.py),
   ask for a person, press "Ja, nu chatten" (/live_chat) and wait in the queue; each staff
   member takes one chat (POST /live/<id>/aannemen) and opens its event stream
   (GET /live/<id>/stream) in a thread;
4. all chats at once: staff message, pause, parent message, pause, --messages times, each pause
   random in PAUSE seconds. Staff to user: from just before the staff app's POST
   /live/<id>/bericht until the widget's socket receives that `bot_uttered` (`live_message`).
   User to staff: from just before the widget's `user_uttered` emit until the staff member's
   event stream yields it. One process, one clock (time.perf_counter).
5. each side must have received exactly the texts sent to it, in order: anything missing,
   twice, out of order or in the wrong chat is counted. Then every chat is ended
   (POST /live/<id>/einde). Also kept: the bot's reply times meanwhile, how long the staff
   app took to answer each POST, the CPU each server process used while the messages went
   and in a few quiet seconds after, and the machine's load average.

In the scaled form the widgets connect straight to the Rasa processes, in turn (chat 0 to the
first, chat 1 to the second, ...): nginx sends socket.io by client address (ip_hash on the
first three bytes), so every client of this machine would land on one process, where real
parents come from many addresses. REST questions go through nginx (spread over both).

    .venv/bin/python -m evaluation.live_latency [--form embedded|scaled|both] [--chats 20]
        [--messages 20] [--repeat 3] [--database-url postgresql+psycopg2://...] [--workdir DIR]

The scaled form needs a PostgreSQL database (--database-url, default $TEST_DATABASE_URL, e.g.
from scripts/ci_postgres.sh; the run adds its accounts and chats to it), redis-server and nginx.
Writes docs/live-latency.md and docs/live-latency.json (--out; --raw FILE: also every single
message's time, which the JSON keeps in steps of WINDOW_SECONDS); `--render that.json --notes
notes.md` writes the Markdown again from a run's JSON, with hand-written notes at the end.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import os
import platform
import random
import re
import statistics
import subprocess
import tempfile
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Any, Dict, Iterator, List, Optional, Tuple
from urllib.parse import urlencode, urlparse

from evaluation import code_version
from steunpunt import clock
from tests.support.servers import OPEN_MONDAY, ROOT, TEST_SECRET, Running, assistant, scaled_assistant
from tests.support.widget import SocketChat, kind

PASSWORD = "een heel lang wachtwoord voor de meting"  # noqa: S105 - benchmark accounts, thrown away
REGION = {"region": "voorbeeld", "audience": "ouder"}
#: Targets of issue 25, item 10: p95 in milliseconds per form, both directions.
TARGET_P95_MS = {"embedded": 300, "scaled": 500}
#: The live chat's own limits and waits, lifted for the run (the message limits of the
#: channels are lifted by UNLIMITED in tests/support/servers.py, which both forms apply).
LIVE_ENV = {
    "STEUNPUNT_FROZEN_NOW": OPEN_MONDAY,
    "STEUNPUNT_LIVE_STAFF_MESSAGES_PER_MINUTE": "1000000",
    "STEUNPUNT_LIVE_QUEUE_MINUTES": "100000",
    "STEUNPUNT_LIVE_ABANDON_SECONDS": "1000000",
    "STEUNPUNT_LIVE_IDLE_MINUTES": "100000",
}
#: Seconds between two messages of one chat (random in this range): people typing quickly.
PAUSE = (0.5, 2.0)
#: Seconds between a bot reply and the next question of a REST conversation.
BOT_PAUSE = (0.5, 1.5)
#: A REST visitor asks this many questions, then a new visitor takes their place.
BOT_TURNS = 8
BOT_QUESTIONS = [
    "Wat is een TLV?",
    "Hoe lang is een TLV geldig?",
    "wat is een opp",
    "hoe bereid ik een mdo voor",
    "wat doet een onderwijsconsulent",
    "hoe kies ik een school",
]
#: After the last message, how long the benchmark waits for what is still on its way.
DRAIN_SECONDS = 30.0
QUIET_SECONDS = 5.0


def percentile(values: List[float], p: float) -> Optional[float]:
    """Nearest-rank percentile (as evaluation/load_benchmark.py)."""
    ordered = sorted(values)
    if not ordered:
        return None
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered)) - 1))]


def summary(ms: List[float]) -> Dict[str, Any]:
    return {
        "count": len(ms),
        "p50_ms": round(percentile(ms, 50) or 0, 1) if ms else None,
        "p95_ms": round(percentile(ms, 95) or 0, 1) if ms else None,
        "p99_ms": round(percentile(ms, 99) or 0, 1) if ms else None,
        "max_ms": round(max(ms), 1) if ms else None,
        "mean_ms": round(statistics.mean(ms), 1) if ms else None,
    }


# --- the staff member: the staff app over HTTP, as a browser ------------------------------------
class StaffMember:
    """A staff member in the staff app: cookies, CSRF token, the live chat's routes."""

    def __init__(self, port: int, name: str) -> None:
        self.port, self.name, self.cookies = port, name, SimpleCookie()
        self.csrf = ""

    def cookie_header(self) -> str:
        return "; ".join(f"{k}={v.value}" for k, v in self.cookies.items())

    def request(
        self, method: str, path: str, form: Optional[Dict[str, str]] = None, accept: str = ""
    ) -> Tuple[int, str]:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        headers = {"Cookie": self.cookie_header()}
        if form is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        if accept:
            headers["Accept"] = accept
        try:
            connection.request(
                method, path, body=urlencode(form) if form is not None else None, headers=headers
            )
            reply = connection.getresponse()
            for raw in reply.headers.get_all("Set-Cookie") or []:
                self.cookies.load(raw)
            return reply.status, reply.read().decode()
        finally:
            connection.close()

    def form_token(self, path: str) -> str:
        found = re.search(r'name="csrf" value="([^"]+)"', self.request("GET", path)[1])
        if not found:
            raise RuntimeError(f"no CSRF field on {path}")
        return found.group(1)

    def log_in(self) -> None:
        token = self.form_token("/login")
        status, _ = self.request(
            "POST", "/login", {"csrf": token, "username": self.name, "password": PASSWORD}
        )
        if status != 303:
            raise RuntimeError(f"login of {self.name}: {status}")
        self.csrf = self.form_token("/live")

    def go_online(self) -> None:
        status, _ = self.request("POST", "/beschikbaar", {"csrf": self.csrf, "aan": "1"})
        if status != 303:
            raise RuntimeError(f"Beschikbaar voor chat for {self.name}: {status}")

    def claim(self, chat_id: int) -> None:
        status, _ = self.request("POST", f"/live/{chat_id}/aannemen", {"csrf": self.csrf})
        if status != 303:
            raise RuntimeError(f"claim of chat {chat_id} by {self.name}: {status}")

    def send(self, chat_id: int, text: str) -> int:
        """POST /live/<id>/bericht as the page's script does; the HTTP status."""
        return self.request(
            "POST", f"/live/{chat_id}/bericht", {"csrf": self.csrf, "text": text}, accept="application/json"
        )[0]

    def end(self, chat_id: int) -> int:
        return self.request("POST", f"/live/{chat_id}/einde", {"csrf": self.csrf, "uitkomst": "afgehandeld"})[
            0
        ]


class StaffStream(threading.Thread):
    """GET /live/<id>/stream read line by line; every event with the moment it was complete."""

    def __init__(self, member: StaffMember, chat_id: int) -> None:
        super().__init__(daemon=True, name=f"stream-{chat_id}")
        self.events: List[Tuple[float, Dict[str, Any]]] = []
        self.ended: Optional[str] = None
        self.connection = http.client.HTTPConnection("127.0.0.1", member.port, timeout=120)
        self.connection.request(
            "GET",
            f"/live/{chat_id}/stream",
            headers={"Cookie": member.cookie_header(), "Accept": "text/event-stream"},
        )
        self.reply = self.connection.getresponse()
        if self.reply.status != 200:
            raise RuntimeError(f"stream of chat {chat_id}: {self.reply.status}")

    def run(self) -> None:
        fields: Dict[str, str] = {}
        try:
            while True:
                line = self.reply.readline().decode()
                if not line:
                    self.ended = self.ended or "closed"
                    return
                line = line.rstrip("\n")
                if line:
                    if not line.startswith(":"):
                        key, _, value = line.partition(":")
                        fields[key] = value[1:] if value.startswith(" ") else value
                    continue
                arrived = time.perf_counter()
                if "data" in fields:
                    if fields.get("event") == "einde":
                        self.ended = "einde"
                        return
                    if "event" not in fields:
                        self.events.append((arrived, json.loads(fields["data"])))
                fields = {}
        except (OSError, ValueError) as problem:
            self.ended = f"error: {type(problem).__name__}"

    def user_messages(self) -> List[Tuple[float, str]]:
        return [
            (t, e["text"])
            for t, e in list(self.events)
            if e.get("sender") == "user" and e.get("kind") == "message"
        ]

    def close(self) -> None:
        with contextlib.suppress(OSError):
            self.connection.close()


# --- the parent: the widget's socket.io client, with arrival times -----------------------------
class TimedChat(SocketChat):
    """SocketChat that notes when each bot_uttered arrived."""

    def __init__(self, server: Any) -> None:
        self.arrivals: List[Tuple[float, Dict[str, Any]]] = []
        super().__init__(server)

    def _bot_uttered(self, data: Dict[str, Any]) -> None:
        self.arrivals.append((time.perf_counter(), data))
        super()._bot_uttered(data)

    def staff_messages(self) -> List[Tuple[float, str]]:
        return [(t, m.get("text") or "") for t, m in list(self.arrivals) if kind(m) == "live_message"]


@dataclass
class Sent:
    text: str
    at: float
    answer_ms: float = 0.0  # staff: how long the POST took to answer
    status: int = 0


@dataclass
class LiveChat:
    index: int
    member: StaffMember
    widget: TimedChat
    chat_id: int = 0
    stream: Optional[StaffStream] = None
    staff_sent: List[Sent] = field(default_factory=list)
    user_sent: List[Sent] = field(default_factory=list)


def queue_parent(server: str, index: int) -> TimedChat:
    """A parent in the widget: asks for a person, chooses to chat now, waits in the queue."""
    widget = TimedChat(server)
    widget.start()
    widget.say("Ik wil een medewerker spreken", REGION, wait_for="live_offer", timeout=120)
    widget.say("/live_chat", REGION, wait_for="live_queued", timeout=120)
    return widget


def converse(chat: LiveChat, messages: int, rng: random.Random, run: str) -> None:
    """Staff message, pause, parent message, pause; `messages` times."""
    time.sleep(rng.uniform(0, PAUSE[1]))
    for number in range(messages):
        text = f"Medewerker {chat.index} zegt bericht {number}"
        started = time.perf_counter()
        status = chat.member.send(chat.chat_id, text)
        chat.staff_sent.append(Sent(text, started, (time.perf_counter() - started) * 1000, status))
        time.sleep(rng.uniform(*PAUSE))
        text = f"Ouder {chat.index} zegt bericht {number}"
        started = time.perf_counter()
        chat.widget.send(text, REGION, message_id=f"{run}-{chat.index}-{number}")
        chat.user_sent.append(Sent(text, started))
        time.sleep(rng.uniform(*PAUSE))


def compare(sent: List[Sent], received: List[Tuple[float, str]]) -> Dict[str, Any]:
    """Latencies of what arrived, and what was lost, twice, out of order or not sent here."""
    first: Dict[str, float] = {}
    for at, text in received:
        first.setdefault(text, at)
    texts = [text for _, text in received]
    sent_texts = [s.text for s in sent]
    wanted = set(sent_texts)
    order = [text for text in dict.fromkeys(texts) if text in wanted]
    return {
        "latencies_ms": [(first[s.text] - s.at) * 1000 for s in sent if s.text in first],
        "timeline": [(s.at, (first[s.text] - s.at) * 1000 if s.text in first else None) for s in sent],
        "sent": len(sent),
        "received": len(texts),
        "lost": sum(1 for s in sent if s.text not in first),
        "duplicated": sum(texts.count(text) - 1 for text in set(texts) if text in wanted),
        "out_of_order": order != [t for t in sent_texts if t in first],
        "not_sent_here": [text for text in texts if text not in wanted],
    }


# --- the bot serving others meanwhile ------------------------------------------------------------
class BotLoad:
    """REST conversations asking topic questions in a loop, each with its reply time."""

    def __init__(self, base: str, conversations: int, rng: random.Random, run: str) -> None:
        self.url = base + "/webhooks/rest/webhook"
        self.replies: List[Tuple[float, float]] = []  # (asked at, seconds)
        self.errors = 0
        self.stopping = threading.Event()
        self.threads = [
            threading.Thread(target=self.talk, args=(n, random.Random(rng.random()), run), daemon=True)
            for n in range(conversations)
        ]

    def talk(self, n: int, rng: random.Random, run: str) -> None:
        asked = 0
        while not self.stopping.is_set():
            sender = f"bot-{run}-{n}-{asked // BOT_TURNS}"
            body = json.dumps({"sender": sender, "message": rng.choice(BOT_QUESTIONS), "metadata": REGION})
            started = time.perf_counter()
            try:
                # The URL is the local server under test (http://127.0.0.1).
                request = urllib.request.Request(  # noqa: S310
                    self.url, body.encode(), {"Content-Type": "application/json"}
                )
                with urllib.request.urlopen(request, timeout=120) as response:  # noqa: S310
                    ok = response.status == 200 and bool(json.loads(response.read()))
            except (OSError, ValueError):
                ok = False
            if ok:
                self.replies.append((started, time.perf_counter() - started))
            else:
                self.errors += 1
            asked += 1
            self.stopping.wait(rng.uniform(*BOT_PAUSE))

    def start(self) -> None:
        for thread in self.threads:
            thread.start()

    def stop(self) -> None:
        self.stopping.set()
        for thread in self.threads:
            thread.join(timeout=150)

    def between(self, start: float, end: float) -> Dict[str, Any]:
        ms = [seconds * 1000 for at, seconds in self.replies if start <= at <= end]
        return {
            **summary(ms),
            "per_second": round(len(ms) / (end - start), 2) if end > start else None,
            "latencies_ms": [round(value, 1) for value in ms],
        }


# --- CPU per process ---------------------------------------------------------------------------
def processes(running: Running) -> Dict[int, str]:
    """The processes of this run (pid: a short name); in the scaled form also its Redis and the
    PostgreSQL backends connected to its database when the measurement starts."""
    names = {}
    for pid in running.pids("."):
        with contextlib.suppress(OSError):
            command = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
            for pattern, name in (
                ("rasa run", "rasa"),
                ("-m actions", "actions"),
                ("-m staff", "staff app"),
                ("-m website", "site"),
                ("nginx", "nginx"),
            ):
                if pattern in command:
                    port = re.search(r"--port (\d+)", command)
                    names[pid] = f"{name} :{port.group(1)}" if port and name in ("rasa", "actions") else name
    redis = urlparse(running.env.get("STEUNPUNT_REDIS_URL") or "")
    database = urlparse(running.env.get("STEUNPUNT_DATABASE_URL") or "").path.lstrip("/")
    if redis.port:
        for pid in pgrep(f"redis-server .*:{redis.port}"):
            names[pid] = "redis"
    if running.env.get("STEUNPUNT_DATABASE_URL", "").startswith("postgresql") and database:
        for pid in pgrep(f"postgres: .* {re.escape(database)} "):
            names[pid] = "postgresql (backends of this run)"
    return names


def pgrep(pattern: str) -> List[int]:
    found = subprocess.run(["pgrep", "-f", "--", pattern], capture_output=True, text=True, check=False)
    return [int(pid) for pid in found.stdout.split()]


def cpu_seconds(pids: Dict[int, str]) -> Dict[str, float]:
    """CPU time (user + system) so far per named process; processes of one name (nginx's
    workers, PostgreSQL's backends) summed."""
    tick = os.sysconf("SC_CLK_TCK")
    used: Dict[str, float] = {}
    for pid, name in pids.items():
        with contextlib.suppress(OSError, IndexError, ValueError):
            stat = Path(f"/proc/{pid}/stat").read_text()
            fields = stat[stat.rindex(")") + 2 :].split()
            used[name] = used.get(name, 0.0) + (int(fields[11]) + int(fields[12])) / tick
    own = os.times()
    used["this benchmark"] = own.user + own.system
    return used


def cpu_share(before: Dict[str, float], after: Dict[str, float], seconds: float) -> Dict[str, float]:
    """Per process: the share of one core used between two readings, in percent."""
    return {
        name: round(100 * (after[name] - before.get(name, 0.0)) / seconds, 1)
        for name in sorted(after)
        if seconds > 0
    }


# --- one form --------------------------------------------------------------------------------------
def until(condition: Any, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


def in_threads(work: Any, items: List[Any]) -> List[Any]:
    """work(item) for every item at once; results in order; the first failure is raised."""
    results: List[Any] = [None] * len(items)
    failures: List[BaseException] = []

    def one(n: int) -> None:
        try:
            results[n] = work(items[n])
        except BaseException as problem:  # noqa: BLE001 - raised again below
            failures.append(problem)

    threads = [threading.Thread(target=one, args=(n,), daemon=True) for n in range(len(items))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if failures:
        raise failures[0]
    return results


def measure(running: Running, form: str, args: argparse.Namespace, repetition: int) -> Dict[str, Any]:
    from store import db
    from store.accounts import Accounts
    from store.live import LiveStore
    from store.tickets import TicketStore

    run = f"m{int(time.time()) % 100000}r{repetition}"
    rng = random.Random(args.seed + repetition)
    engine = db.engine_for(running.env["STEUNPUNT_DATABASE_URL"])
    accounts = Accounts(engine, session_hours=8)
    live = LiveStore(TicketStore(engine, TEST_SECRET.encode()))
    staff_port = int(running.env["STEUNPUNT_STAFF_PORT"])
    members = [StaffMember(staff_port, f"meting-{run}-{n}") for n in range(args.chats)]
    for member in members:
        accounts.create(member.name, PASSWORD, regions=["voorbeeld"])
    in_threads(lambda m: (m.log_in(), m.go_online()), members)

    widget_servers = (
        [f"http://127.0.0.1:{port}" for port in running.rasa_ports] if running.rasa_ports else [running.base]
    )
    bots = BotLoad(running.base, args.bot_conversations, rng, run)
    bots.start()
    chats: List[LiveChat] = []
    try:
        widgets = in_threads(
            lambda n: queue_parent(widget_servers[n % len(widget_servers)], n), list(range(args.chats))
        )
        chats = [LiveChat(n, members[n], widgets[n]) for n in range(args.chats)]
        for chat in chats:
            found = live.open_chat(chat.widget.session)
            if found is None or found.status != "waiting":
                raise RuntimeError(f"parent {chat.index} is not waiting in the queue")
            chat.chat_id = found.id

        def take(chat: LiveChat) -> None:
            chat.member.claim(chat.chat_id)
            if not until(lambda: any(kind(m) == "live_status" for m in chat.widget.received), 60):
                raise RuntimeError(f"parent {chat.index} was not told that a person took over")
            chat.stream = StaffStream(chat.member, chat.chat_id)
            chat.stream.start()

        in_threads(take, chats)

        pids = processes(running)
        load = {"before": load_average()}
        cpu_before = cpu_seconds(pids)
        started = time.perf_counter()
        in_threads(
            lambda chat: converse(chat, args.messages, random.Random(rng.random()), run),
            chats,
        )
        sending_ended = time.perf_counter()

        def complete() -> bool:
            return all(
                len(c.widget.staff_messages()) >= len(c.staff_sent)
                and c.stream is not None
                and len(c.stream.user_messages()) >= len(c.user_sent)
                for c in chats
            )

        until(complete, DRAIN_SECONDS)
        ended = time.perf_counter()
        cpu_after = cpu_seconds(pids)
        load["after"] = load_average()
        bots.stop()
        bot = bots.between(started, sending_ended)
        bot_errors = bots.errors
        # Quiet: the bot load stopped, the chats still open (each ends with the parent's message).
        quiet_before = cpu_seconds(pids)
        time.sleep(QUIET_SECONDS)
        quiet = cpu_share(quiet_before, cpu_seconds(pids), QUIET_SECONDS)
        stored = {
            c.index: [(m["sender"], m["text"]) for m in live.messages(c.chat_id) if m["kind"] == "message"]
            for c in chats
        }
    finally:
        bots.stop()
        for chat in chats:
            with contextlib.suppress(OSError, RuntimeError):
                chat.member.end(chat.chat_id)
        for chat in chats:
            if chat.stream is not None:
                chat.stream.join(timeout=10)
                chat.stream.close()
            chat.widget.close(abort=True)

    measured = result(
        form,
        args,
        chats,
        stored,
        bot,
        bot_errors,
        started,
        sending_ended,
        ended,
        cpu_before,
        cpu_after,
        quiet,
    )
    return {**measured, "load_average": load}


def result(
    form: str,
    args: argparse.Namespace,
    chats: List[LiveChat],
    stored: Dict[int, List[Tuple[str, str]]],
    bot: Dict[str, Any],
    bot_errors: int,
    started: float,
    sending_ended: float,
    ended: float,
    cpu_before: Dict[str, float],
    cpu_after: Dict[str, float],
    quiet: Dict[str, float],
) -> Dict[str, Any]:
    directions: Dict[str, Dict[str, Any]] = {}
    per_chat: Dict[str, List[Dict[str, Any]]] = {"staff_to_user": [], "user_to_staff": []}
    for chat in chats:
        per_chat["staff_to_user"].append(compare(chat.staff_sent, chat.widget.staff_messages()))
        per_chat["user_to_staff"].append(
            compare(chat.user_sent, chat.stream.user_messages() if chat.stream else [])
        )
    for direction, found in per_chat.items():
        ms = [value for one in found for value in one["latencies_ms"]]
        directions[direction] = {
            **summary(ms),
            "sent": sum(one["sent"] for one in found),
            "received": sum(one["received"] for one in found),
            "lost": sum(one["lost"] for one in found),
            "duplicated": sum(one["duplicated"] for one in found),
            "chats_out_of_order": sum(1 for one in found if one["out_of_order"]),
            "not_sent_here": sum(len(one["not_sent_here"]) for one in found),
            "latencies_ms": [round(value, 1) for value in ms],
            # [chat, seconds since the first message, milliseconds (None: lost)], by sending time
            "timeline": sorted(
                (
                    (n, round(at - started, 3), None if latency is None else round(latency, 1))
                    for n, one in enumerate(found)
                    for at, latency in one["timeline"]
                ),
                key=lambda row: row[1],
            ),
        }
    # Each side's messages once, in the order that side sent them. (Between the two sides the
    # database's order is the order they arrived in: a parent's message that took longer than
    # the pause comes after the staff member's next one.)
    store_problems = []
    for chat in chats:
        rows = stored.get(chat.index, [])
        for sender, sent in (("staff", chat.staff_sent), ("user", chat.user_sent)):
            if [text for who, text in rows if who == sender] != [s.text for s in sent]:
                store_problems.append(chat.index)
                break
    post_ms = [s.answer_ms for chat in chats for s in chat.staff_sent]
    statuses: Dict[str, int] = {}
    for chat in chats:
        for s in chat.staff_sent:
            statuses[str(s.status)] = statuses.get(str(s.status), 0) + 1
    streams_ended = sum(1 for chat in chats if chat.stream and chat.stream.ended == "einde")
    seconds = sending_ended - started
    target = TARGET_P95_MS[form]
    met = {
        direction: bool(
            values["p95_ms"] is not None
            and values["p95_ms"] <= target
            and values["lost"] == 0
            and values["duplicated"] == 0
            and values["chats_out_of_order"] == 0
            and values["not_sent_here"] == 0
        )
        for direction, values in directions.items()
    }
    return {
        "form": form,
        # time.perf_counter() when the messages began: on Linux CLOCK_MONOTONIC, the same clock
        # as in the servers' processes, so their own timings can be laid beside the timeline
        "clock_origin": round(started, 6),
        "chats": len(chats),
        "messages_per_direction_per_chat": args.messages,
        "bot_conversations": args.bot_conversations,
        "seconds_sending": round(seconds, 1),
        "seconds_draining": round(ended - sending_ended, 1),
        "live_messages_per_second": round(
            sum(len(c.staff_sent) + len(c.user_sent) for c in chats) / seconds, 1
        ),
        "directions": directions,
        "staff_post": {
            **summary(post_ms),
            "statuses": statuses,
            "latencies_ms": [round(value, 1) for value in post_ms],
        },
        "stored_not_as_sent": store_problems,
        "streams_ended_by_einde": streams_ended,
        "bot": {**bot, "errors": bot_errors},
        "cpu_percent": cpu_share(cpu_before, cpu_after, ended - started),
        "cpu_percent_quiet": quiet,
        "target_p95_ms": target,
        "met": met,
    }


@contextlib.contextmanager
def deployment(form: str, workdir: Path, args: argparse.Namespace) -> Iterator[Running]:
    if form == "embedded":
        with assistant(workdir / "embedded", LIVE_ENV) as running:
            yield running
    else:
        if not args.database_url:
            raise SystemExit("the scaled form needs --database-url (or TEST_DATABASE_URL): a PostgreSQL URL")
        folder = workdir / "scaled"
        folder.mkdir(parents=True, exist_ok=True)
        with scaled_assistant(folder, args.database_url, rasa=2, extra_env=LIVE_ENV) as running:
            yield running


# --- the report --------------------------------------------------------------------------------------
def load_average() -> str:
    """The machine's load average over 1, 5 and 15 minutes (other work on it counts too)."""
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def machine() -> Dict[str, Any]:
    model = ""
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    memory = ""
    with contextlib.suppress(OSError):
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                memory = f"{round(int(line.split()[1]) / 1024 / 1024, 1)} GB"
    return {
        "cores": os.cpu_count(),
        "cpu": model,
        "memory": memory,
        "python": platform.python_version(),
        "system": platform.platform(),
    }


#: Seconds per step of the timeline kept in the JSON.
WINDOW_SECONDS = 4


def windows(timeline: List[Tuple[int, float, Optional[float]]]) -> List[List[Any]]:
    """Per WINDOW_SECONDS of sending time: [start s, messages, p50 ms, max ms, lost]. Shows
    whether slow messages are spread out or come in stalls where every chat waits."""
    steps: Dict[int, List[Optional[float]]] = {}
    for _chat, at, latency in timeline:
        steps.setdefault(int(at // WINDOW_SECONDS) * WINDOW_SECONDS, []).append(latency)
    rows = []
    for start, values in sorted(steps.items()):
        arrived = [value for value in values if value is not None]
        rows.append(
            [
                start,
                len(values),
                round(percentile(arrived, 50) or 0, 1) if arrived else None,
                round(max(arrived), 1) if arrived else None,
                len(values) - len(arrived),
            ]
        )
    return rows


def slim(forms: Dict[str, Any]) -> Dict[str, Any]:
    """The results without one number per message (--raw keeps those): the timeline becomes
    WINDOW_SECONDS steps."""
    out = json.loads(json.dumps(forms))
    for result in out.values():
        for run in result["runs"]:
            for direction in run["directions"].values():
                direction.pop("latencies_ms", None)
                if "timeline" in direction:
                    direction["windows"] = windows(direction.pop("timeline"))
            run["bot"].pop("latencies_ms", None)
            run["staff_post"].pop("latencies_ms", None)
    return out


def pooled(form: str, runs: List[Dict[str, Any]]) -> Dict[str, Any]:
    """A form's runs together: the verdict is on every message of every run."""
    directions: Dict[str, Dict[str, Any]] = {}
    for direction in ("staff_to_user", "user_to_staff"):
        parts = [run["directions"][direction] for run in runs]
        directions[direction] = {
            **summary([value for part in parts for value in part["latencies_ms"]]),
            **{
                key: sum(part[key] for part in parts)
                for key in ("sent", "received", "lost", "duplicated", "chats_out_of_order", "not_sent_here")
            },
        }
    target = TARGET_P95_MS[form]
    met = {
        direction: bool(
            values["p95_ms"] is not None
            and values["p95_ms"] <= target
            and not any(values[key] for key in ("lost", "duplicated", "chats_out_of_order", "not_sent_here"))
        )
        for direction, values in directions.items()
    }
    bot = [value for run in runs for value in run["bot"]["latencies_ms"]]
    post = [value for run in runs for value in run["staff_post"]["latencies_ms"]]
    return {
        "directions": directions,
        "bot": {**summary(bot), "errors": sum(run["bot"]["errors"] for run in runs)},
        "staff_post": summary(post),
        "stored_not_as_sent": sum(len(run["stored_not_as_sent"]) for run in runs),
        "target_p95_ms": target,
        "met": met,
        "runs": runs,
    }


def verdict(ok: bool) -> str:
    return "met" if ok else "**NOT met**"


NAMES = {"staff_to_user": "staff → user", "user_to_staff": "user → staff"}


def report(results: Dict[str, Any], meta: Dict[str, Any]) -> str:
    repeats = meta["repeat"]
    lines = [
        "# Live chat delivery",
        "",
        "How fast a live chat message gets from one side to the other (issue 25, item 10), with "
        f"{meta['chats']} live chats at once and the bot answering other conversations at the same "
        "time. Generated by `evaluation/live_latency.py`: the numbers of one run of it.",
        "",
        f"- date: {meta['date']} ({meta['started_local']}, the real clock; the servers themselves "
        f"live at {OPEN_MONDAY} UTC, a Monday inside the example region's opening hours)",
        f"- machine: {meta['machine']['cores']} cores ({meta['machine']['cpu']}), "
        f"{meta['machine']['memory']}, Python {meta['machine']['python']}, **shared with other "
        f"work**: load average {meta['load_before']} (1, 5, 15 min) before the run, "
        f"{meta['load_after']} after; per round below. All traffic on 127.0.0.1; every client "
        "is in the one benchmark process (one clock)",
        f"- code: {meta['code']}",
        f"- rerun: `{meta['command']}` (the scaled form needs `--database-url` or "
        "`TEST_DATABASE_URL`, e.g. `TEST_DATABASE_URL=$(./scripts/ci_postgres.sh)`, redis-server "
        "and nginx)",
        f"- each form: one deployment, {repeats} rounds. A round: {meta['chats']} parents in the "
        "widget (socket.io as tests/support/widget.py: the polling transport) ask for a person and "
        "choose to chat now; one staff member per chat logs in through the staff app's /login, "
        'switches "Beschikbaar voor chat" on, takes the chat and reads its event stream; then, in '
        f"all chats at once, {meta['messages']} x (staff message, pause, parent message, pause), "
        f"each pause random between {PAUSE[0]} and {PAUSE[1]} s",
        f"- meanwhile {meta['bot_conversations']} REST conversations ask the bot topic questions "
        f'("Wat is een TLV?", ...), {BOT_PAUSE[0]}-{BOT_PAUSE[1]} s after each reply',
        "- the embedded form: `scripts/run.sh` (one Rasa process, SQLite, the database looked at every "
        "`STEUNPUNT_LIVE_POLL_SECONDS`, 0.1 s); the scaled form: `scripts/run_scaled.sh` with 2 Rasa "
        "and 2 action server processes, PostgreSQL, Redis wake-ups, nginx; the widgets connect to "
        "the two Rasa processes in turn (nginx's ip_hash would put every client of this machine on "
        "one), REST goes through nginx",
        "- staff → user: from just before the staff app's `POST /live/<id>/bericht` until the "
        "widget's socket has the `bot_uttered` (`live_message`); user → staff: from just before the "
        "widget's `user_uttered` emit until the staff member's `GET /live/<id>/stream` yields it",
        "- lost: sent, never received; duplicated: received more than once; out of order: chats "
        "whose messages arrived in another order than sent; wrong chat: texts received in a chat "
        "they were not sent to",
        "",
        f"## All {repeats} rounds together",
        "",
        "| form | direction | received | p50 ms | p95 ms | p99 ms | max ms | lost | duplicated | "
        "out of order | wrong chat | target p95 | met |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for form, r in results.items():
        for direction, label in NAMES.items():
            d = r["directions"][direction]
            lines.append(
                f"| {form} | {label} | {d['received']}/{d['sent']} | {d['p50_ms']} | {d['p95_ms']} | "
                f"{d['p99_ms']} | {d['max_ms']} | {d['lost']} | {d['duplicated']} | "
                f"{d['chats_out_of_order']} | {d['not_sent_here']} | ≤ {r['target_p95_ms']} | "
                f"{verdict(r['met'][direction])} |"
            )
    lines += [
        "",
        "| form | bot replies meanwhile | bot p50 ms | bot p95 ms | bot errors | staff POST p50 / p95 ms | "
        "chats not stored as sent |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    for form, r in results.items():
        b, p = r["bot"], r["staff_post"]
        lines.append(
            f"| {form} | {b['count']} | {b['p50_ms']} | {b['p95_ms']} | {b['errors']} | "
            f"{p['p50_ms']} / {p['p95_ms']} | {r['stored_not_as_sent']} |"
        )
    lines += [
        "",
        '"stored as sent": the database holds each side\'s messages of each chat exactly once, in '
        "the order that side sent them.",
        "",
        "## Round by round",
        "",
        "The machine is shared: how busy it was (load average over 1 minute, at the start and the "
        "end of a round's messages) moves the numbers more than anything else.",
        "",
        "| form | round | staff → user p50 / p95 / max ms | user → staff p50 / p95 / max ms | lost | "
        "duplicated | live msg/s | bot p50 / p95 ms | staff POST p50 / p95 ms | streams ended | "
        "load before / after |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for form, r in results.items():
        for number, run in enumerate(r["runs"], 1):
            s, u = run["directions"]["staff_to_user"], run["directions"]["user_to_staff"]
            b, p = run["bot"], run["staff_post"]
            lines.append(
                f"| {form} | {number} | {s['p50_ms']} / {s['p95_ms']} / {s['max_ms']} | "
                f"{u['p50_ms']} / {u['p95_ms']} / {u['max_ms']} | {s['lost'] + u['lost']} | "
                f"{s['duplicated'] + u['duplicated']} | {run['live_messages_per_second']} | "
                f"{b['p50_ms']} / {b['p95_ms']} | {p['p50_ms']} / {p['p95_ms']} | "
                f"{run['streams_ended_by_einde']}/{run['chats']} | "
                f"{run['load_average']['before'].split()[0]} / {run['load_average']['after'].split()[0]} |"
            )
    lines += [
        "",
        '"streams ended": staff event streams that closed with their `einde` event when the chat was ended.',
        "",
        "CPU per process, percent of one core (round by round), while the messages were sent and "
        f"delivered, and in {QUIET_SECONDS:.0f} quiet seconds after (bot load stopped, chats still "
        "open, each chat's last message the parent's):",
        "",
        "| form | process | busy | quiet |",
        "| --- | --- | --- | --- |",
    ]
    for form, r in results.items():
        names = sorted({name for run in r["runs"] for name in run["cpu_percent"]})
        for name in names:
            busy = " / ".join(str(run["cpu_percent"].get(name, "–")) for run in r["runs"])
            quiet = " / ".join(str(run["cpu_percent_quiet"].get(name, "–")) for run in r["runs"])
            lines.append(f"| {form} | {name} | {busy} | {quiet} |")
    lines += ["", "## Verdict", ""]
    for form, r in results.items():
        for direction, label in NAMES.items():
            d = r["directions"][direction]
            rounds = sum(
                1 for run in r["runs"] if (run["directions"][direction]["p95_ms"] or 0) <= r["target_p95_ms"]
            )
            lines.append(
                f"- {form}, {label}: p95 {d['p95_ms']} ms against ≤ {r['target_p95_ms']} ms "
                f"({rounds} of {len(r['runs'])} rounds within it), {d['lost']} lost, "
                f"{d['duplicated']} duplicated: {verdict(r['met'][direction])}"
            )
    if meta.get("notes"):
        lines += ["", *meta["notes"]]
    return "\n".join(lines) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--form", choices=("embedded", "scaled", "both"), default="both")
    parser.add_argument("--chats", type=int, default=20)
    parser.add_argument("--messages", type=int, default=20, help="messages per direction per chat")
    parser.add_argument("--repeat", type=int, default=3, help="rounds per form, on one deployment")
    parser.add_argument("--bot-conversations", type=int, default=3)
    parser.add_argument("--seed", type=int, default=25)
    parser.add_argument("--database-url", default=os.environ.get("TEST_DATABASE_URL"))
    parser.add_argument("--workdir", type=Path, default=None, help="keep the servers' logs here")
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "live-latency.md")
    parser.add_argument("--notes", type=Path, default=None, help="Markdown added at the report's end")
    parser.add_argument("--raw", type=Path, default=None, help="also write every message's time here")
    parser.add_argument(
        "--render",
        type=Path,
        default=None,
        help="no run: write the report again from this JSON (and --notes)",
    )
    args = parser.parse_args()
    if args.render:
        saved = json.loads(args.render.read_text())
        if args.notes:
            saved["run"]["notes"] = args.notes.read_text().strip().splitlines()
        args.out.write_text(report(saved["forms"], saved["run"]))
        saved["forms"] = slim(saved["forms"])
        args.out.with_suffix(".json").write_text(json.dumps(saved, indent=1) + "\n")
        return 0
    forms = ["embedded", "scaled"] if args.form == "both" else [args.form]
    os.environ.pop("STEUNPUNT_FROZEN_NOW", None)  # the report's date is the real one
    begun = clock.local_now()
    meta: Dict[str, Any] = {
        "date": begun.date().isoformat(),
        "started_local": begun.strftime("%Y-%m-%d %H:%M %Z"),
        "machine": machine(),
        "load_before": load_average(),
        "code": code_version(),
        "command": f".venv/bin/python -m evaluation.live_latency --form {args.form} --chats {args.chats} "
        f"--messages {args.messages} --repeat {args.repeat}",
        "chats": args.chats,
        "messages": args.messages,
        "repeat": args.repeat,
        "bot_conversations": args.bot_conversations,
    }
    results: Dict[str, Any] = {}
    with contextlib.ExitStack() as stack:
        tmp = str(args.workdir) if args.workdir else stack.enter_context(tempfile.TemporaryDirectory())
        for form in forms:
            runs = []
            with deployment(form, Path(tmp), args) as running:
                for repetition in range(args.repeat):
                    runs.append(measure(running, form, args, repetition))
                    for direction, d in runs[-1]["directions"].items():
                        shown = {k: d[k] for k in ("p50_ms", "p95_ms", "lost", "duplicated")}
                        print(form, "round", repetition + 1, direction, shown, flush=True)
            results[form] = pooled(form, runs)
    meta["load_after"] = load_average()
    if args.notes:
        meta["notes"] = args.notes.read_text().strip().splitlines()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(report(results, meta))
    if args.raw:
        args.raw.write_text(json.dumps({"run": meta, "forms": results}) + "\n")
    args.out.with_suffix(".json").write_text(
        json.dumps({"run": meta, "forms": slim(results)}, indent=1) + "\n"
    )
    for form, r in results.items():
        for direction, d in r["directions"].items():
            print(form, "all rounds", direction, d, "met" if r["met"][direction] else "NOT met")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
