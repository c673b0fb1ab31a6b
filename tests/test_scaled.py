"""The scaled deployment (scripts/run_scaled.sh): two Rasa and two action server processes on
PostgreSQL and Redis behind nginx, under interleaved conversations, with one Rasa process killed
in the middle. Needs TEST_DATABASE_URL (PostgreSQL), redis-server and nginx (Debian packages;
.ci/run provides them); skipped without them, failed instead with STEUNPUNT_REQUIRE_SCALED=1.
Runs inside the normal suite: the servers' readiness is asked over HTTP (tests/support/servers.py)."""

import json
import os
import random
import re
import shutil
import signal
import subprocess
import threading
import time
import traceback
import urllib.error
import urllib.request
from collections import defaultdict
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from tests.support import meta
from tests.support.fake_graph import FakeGraph
from tests.support.servers import OPEN_MONDAY, TEST_SECRET, scaled_assistant
from tests.support.services import needs

ROOT = Path(__file__).resolve().parent.parent
pytestmark = needs(
    "STEUNPUNT_REQUIRE_SCALED",
    {
        "PostgreSQL (TEST_DATABASE_URL)": os.environ.get("TEST_DATABASE_URL"),
        "redis-server (apt-get install redis-server)": shutil.which("redis-server"),
        "nginx (apt-get install nginx)": shutil.which("nginx"),
    },
)

CONVERSATIONS = 10
RUN_SECONDS = 45
KILL_AFTER = 12
#: After RUN_SECONDS, how long the conversations may take to finish their last message (each
#: message is retried at most 8 times); a conversation still running after that has hung.
FINISH_SECONDS = 300
QUESTIONS = [
    "Wat is een TLV?",
    "Hoe lang is een TLV geldig?",
    "wat is een opp",
    "hoe bereid ik een mdo voor",
    "wat doet een onderwijsconsulent",
    "hoi",
    "bedankt",
]


@pytest.fixture(scope="module")
def fake_graph():
    fake = FakeGraph().start()
    yield fake
    fake.stop()


@pytest.fixture(scope="module")
def scaled(model_path, tmp_path_factory, fake_graph):
    url = os.environ["TEST_DATABASE_URL"]
    engine = create_engine(url, future=True)
    with engine.begin() as connection:  # a test database: start from nothing
        connection.execute(text("DROP SCHEMA public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    engine.dispose()
    # Three Rasa processes: the first test kills one, the live chat test another. The clock
    # stands on a Monday in the example region's opening hours (a person can be available).
    env = {"STEUNPUNT_FROZEN_NOW": OPEN_MONDAY, **meta.env(fake_graph.url)}
    with scaled_assistant(tmp_path_factory.mktemp("scaled"), url, rasa=3, extra_env=env) as running:
        yield {
            "base": running.base,
            "url": url,
            "group": running.group,
            "rasa_ports": running.rasa_ports,
            "log": running.log,
            "env": running.env,
            "fake_graph": fake_graph,
        }


def post(base, sender, message, metadata=None):
    """One message, retried (as the widget's user would) when nginx finds no process to take it."""
    body = json.dumps({"sender": sender, "message": message, "metadata": metadata or {}}).encode()
    for attempt in range(8):
        try:
            request = urllib.request.Request(
                base + "/webhooks/rest/webhook", data=body, headers={"Content-Type": "application/json"}
            )
            with urllib.request.urlopen(request, timeout=120) as response:
                replies = json.loads(response.read())
                if replies:
                    return replies, attempt
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(2)
    raise AssertionError(f"no reply after retries for {sender}: {message}")


def test_a_whatsapp_message_delivered_to_two_processes_is_answered_once(scaled):
    """Meta redelivers a webhook it did not see answered, and behind nginx the redelivery can
    reach another process: the once-key in PostgreSQL (store/whatsapp.py) lets one answer.
    Runs first, while all three Rasa processes are alive."""
    fake = scaled["fake_graph"]
    wa_id = "31687654321"
    body = meta.webhook(wa_id, meta.text_message("Wat is een TLV?"))
    headers = {"Content-Type": "application/json", "X-Hub-Signature-256": meta.signed(body)}
    targets = [f"http://127.0.0.1:{port}" for port in scaled["rasa_ports"]] + [scaled["base"]]
    statuses = []

    def deliver(base):
        request = urllib.request.Request(base + "/webhooks/whatsapp/webhook", data=body, headers=headers)
        with urllib.request.urlopen(request, timeout=30) as response:
            statuses.append(response.status)

    threads = [threading.Thread(target=deliver, args=(base,)) for base in targets]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert statuses == [200] * len(targets)
    until(lambda: fake.messages(wa_id), "the answer through the Graph API", 60)
    time.sleep(5.0)  # time for a second answer, if one were coming
    answers = [m for m in fake.messages(wa_id) if "toelaatbaarheidsverklaring" in m.text.lower()]
    assert len(answers) == 1, [m.text[:60] for m in fake.messages(wa_id)]


def test_interleaved_conversations_survive_a_killed_rasa_process(scaled):
    sent, tickets, retried, failures = defaultdict(list), {}, [], []
    stop = time.time() + RUN_SECONDS

    def conversation(n):
        sender, youth = f"scaled-{n}", {"audience": "jongere"}
        rng = random.Random(n)
        try:
            while time.time() < stop:
                if n % 3 == 0 and sender not in tickets:
                    for message in ("ik wil een medewerker spreken", f"mijn verhaal nummer {n}"):
                        sent[sender].append(message)
                        replies, attempts = post(scaled["base"], sender, message, youth)
                        retried.append(attempts)
                    handoff = [r["custom"] for r in replies if r.get("custom", {}).get("type") == "handoff"]
                    tickets[sender] = handoff[0]["ticket"] if handoff else None
                else:
                    question = rng.choice(QUESTIONS)
                    sent[sender].append(question)
                    retried.append(post(scaled["base"], sender, question)[1])
                time.sleep(rng.uniform(0.1, 0.6))
        except BaseException:  # noqa: BLE001 - every error, not only a failed check: a thread cannot raise
            failures.append(f"{sender}:\n{traceback.format_exc()}")

    threads = [
        threading.Thread(target=conversation, args=(n,), name=f"scaled-{n}", daemon=True)
        for n in range(CONVERSATIONS)
    ]
    for thread in threads:
        thread.start()
    time.sleep(KILL_AFTER)
    killed = subprocess.run(
        ["pgrep", "-g", str(scaled["group"]), "-f", "--", f"--port {scaled['rasa_ports'][0]}"],
        capture_output=True,
        text=True,
        check=False,
    ).stdout.split()
    assert killed, "the first Rasa process was not found"
    for pid in killed:
        os.kill(int(pid), signal.SIGKILL)
    finished_by = stop + FINISH_SECONDS
    for thread in threads:
        thread.join(timeout=max(0.0, finished_by - time.time()))
    hung = [thread.name for thread in threads if thread.is_alive()]
    assert not hung, f"conversations still running {FINISH_SECONDS} s after the end: {hung}"

    assert not failures, "\n".join(failures)  # every message got its reply, some after a retry
    engine = create_engine(scaled["url"], future=True)
    with engine.connect() as connection:
        events = connection.execute(
            text("SELECT sender_id, data FROM events WHERE type_name = 'user' ORDER BY id")
        ).all()
        ticket_rows = connection.execute(text("SELECT id, description FROM tickets")).all()
        signal_count = connection.execute(text("SELECT count(*) FROM signals")).scalar_one()
    stored = defaultdict(list)
    for sender, data in events:
        stored[sender].append(json.loads(data)["text"])
    for sender, typed in sent.items():
        # In order; a message retried after the kill may appear twice in a row, never out of order.
        deduplicated = [t for i, t in enumerate(stored[sender]) if i == 0 or t != stored[sender][i - 1]]
        # The story typed for a ticket is kept by the tracker store only as a placeholder.
        texts = ["[beschrijving]" if t.startswith("mijn verhaal nummer") else t for t in typed]
        collapsed = [t for i, t in enumerate(texts) if i == 0 or t != texts[i - 1]]
        assert deduplicated == collapsed, sender
    confirmed = {sender: number for sender, number in tickets.items() if number}
    assert len(confirmed) == len([n for n in range(CONVERSATIONS) if n % 3 == 0])
    for sender, number in confirmed.items():
        story = f"mijn verhaal nummer {sender.split('-')[1]}"
        rows = [row for row in ticket_rows if row.description == story]
        assert [f"SP-{row.id:05d}" for row in rows] == [number], (sender, rows)
    # Exactly one signal per handled turn. A turn cut off by the kill may have been registered
    # by an action server before Rasa could save it: its retry is the same turn (same id).
    turns = len(events)
    assert signal_count == turns, (turns, signal_count)
    assert sum(1 for a in retried if a) <= 4 * CONVERSATIONS
    assert not re.search(r"sentry", scaled["log"].read_text(errors="replace"))


def kill_rasa(scaled, port):
    pids = subprocess.run(
        ["pgrep", "-g", str(scaled["group"]), "-f", "--", f"--port {port}"],
        capture_output=True,
        text=True,
        check=False,
    ).stdout.split()
    assert pids, f"the Rasa process on {port} was not found"
    for pid in pids:
        os.kill(int(pid), signal.SIGKILL)


def until(condition, what, timeout=30.0):
    deadline = time.time() + timeout
    while not condition():
        if time.time() > deadline:
            raise AssertionError(f"no {what} within {timeout} s")
        time.sleep(0.05)


def test_a_live_chat_goes_on_when_the_users_rasa_process_is_killed(scaled, monkeypatch):
    """The widget on one Rasa process, the staff member writing from another process (through
    PostgreSQL and a Redis wake-up); the widget's process is killed mid-chat, the widget
    reconnects through nginx to a process still alive, and nothing either side typed is lost."""
    from datetime import datetime

    from steunpunt import clock, settings
    from store import db, presence
    from store.accounts import Accounts
    from store.live import LiveStore
    from store.tickets import TicketStore
    from tests.support.widget import SocketChat, kind

    monkeypatch.setattr(settings, "REDIS_URL", scaled["env"]["STEUNPUNT_REDIS_URL"])
    monday = datetime.fromisoformat(OPEN_MONDAY)
    engine = db.engine_for(scaled["url"])
    accounts = Accounts(engine, session_hours=8)
    anna = accounts.create("anna-scaled", "een heel lang wachtwoord", regions=["voorbeeld"])
    with clock.frozen(monday):
        assert accounts.login("anna-scaled", "een heel lang wachtwoord", "127.0.0.1")
    presence.set_available(engine, anna, True, monday)
    live = LiveStore(TicketStore(engine, TEST_SECRET.encode(), tracker_db=scaled["url"]))
    region = {"region": "voorbeeld", "audience": "jongere"}

    doomed = scaled["rasa_ports"][2]  # the first test killed the first process
    widget = SocketChat(f"http://127.0.0.1:{doomed}")
    session = widget.start()
    widget.say("ik wil met een medewerker praten", region, wait_for="live_offer")
    widget.say("/live_chat", region, wait_for="live_queued")
    widget.send("Hoi, ik heb een vraag over mijn OPP", region, message_id="scaled-user-01")
    until(lambda: "scaled-user-01" in widget.acks, "the first acknowledgement")
    chat = live.open_chat(session)
    assert chat is not None
    live.claim(chat.id, anna, monday)
    live.post_staff(chat.id, anna, "Hoi, ik ben er. Wat wil je weten?", monday)
    until(
        lambda: any(m.get("text", "").startswith("Hoi, ik ben er") for m in widget.received),
        "staff message 1",
    )
    seen = max(m["custom"]["id"] for m in widget.received if kind(m) in ("live_message", "live_status"))

    kill_rasa(scaled, doomed)
    widget.close(abort=True)
    live.post_staff(chat.id, anna, "Ben je er nog?", monday)  # while the widget is away
    again = SocketChat(scaled["base"])  # nginx: to a process still alive
    again.start(session, live_after=seen)
    until(lambda: any(m.get("text") == "Ben je er nog?" for m in again.received), "the missed message", 60)
    again.send("Ja, de verbinding viel weg", region, message_id="scaled-user-02")
    until(lambda: "scaled-user-02" in again.acks, "the acknowledgement after the reconnect")
    live.post_staff(chat.id, anna, "Geen probleem", monday)
    until(lambda: any(m.get("text") == "Geen probleem" for m in again.received), "staff message 3")
    number = live.end(chat.id, anna, "afgehandeld", monday)
    until(lambda: any(kind(m) == "live_ended" for m in again.received), "the end of the chat", 60)
    again.close()

    texts = [(m["sender"], m["text"]) for m in live.messages(chat.id) if m["kind"] == "message"]
    assert texts == [
        ("user", "Hoi, ik heb een vraag over mijn OPP"),
        ("staff", "Hoi, ik ben er. Wat wil je weten?"),
        ("staff", "Ben je er nog?"),
        ("user", "Ja, de verbinding viel weg"),
        ("staff", "Geen probleem"),
    ]
    staff_seen = [m.get("text") or "" for m in widget.received + again.received if kind(m) == "live_message"]
    assert sorted(set(staff_seen)) == sorted(staff_seen)  # none twice
    ticket = live.tickets.get(int(number.split("-")[1]))
    assert ticket is not None
    assert [line["text"] for line in ticket["transcript"] if line["from"] in ("user", "staff")][-5:] == [
        text for _, text in texts
    ]
