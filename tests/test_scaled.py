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

from tests.support.servers import scaled_assistant
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
def scaled(model_path, tmp_path_factory):
    url = os.environ["TEST_DATABASE_URL"]
    engine = create_engine(url, future=True)
    with engine.begin() as connection:  # a test database: start from nothing
        connection.execute(text("DROP SCHEMA public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    engine.dispose()
    with scaled_assistant(tmp_path_factory.mktemp("scaled"), url) as running:
        yield {
            "base": running.base,
            "url": url,
            "group": running.group,
            "rasa_ports": running.rasa_ports,
            "log": running.log,
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
