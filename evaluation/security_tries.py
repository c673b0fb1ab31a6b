"""Security tries against a running instance: the checks of the security issue's "How it will
be checked", sent to the real servers over HTTP and socket.io, each with what was sent, what
was expected and what happened. Writes docs/security-tries.md; exits 1 when any try fails.

    .venv/bin/python -m evaluation.security_tries [--out docs/security-tries.md] [--workdir DIR]
        [--start auto|run.sh|direct]

The instance: the embedded form on 127.0.0.1, in a folder of its own (`<workdir>/var`: both
SQLite databases, the redaction worker's socket; the servers' log beside it), with the
production limits of docs/security.md (not the tests' UNLIMITED) except two caps lowered so a
run can reach them (`RUN_ENV`), with 127.0.0.1 as a trusted proxy so that one machine can
speak for many client addresses (X-Forwarded-For), and with the staff app's cookies as a
deployment has them (Secure). `--start run.sh` is tests/support/servers.py `assistant()`: the
README's run command with its set-up, for a checkout that is set up (.venv, built site, a
model). `--start direct` starts the same processes as scripts/run.sh without the set-up
(redaction worker, action server, staff app, site, Rasa with $STEUNPUNT_MODEL or the newest
model in models/), under run.sh's umask and folder mode: for a work tree without its own .venv
or built site (the site then answers 503 for /widget.js; no try needs it). `auto` (the
default) picks run.sh when the checkout has .venv and build/website/widget.js.

Staff and analysts are made in the database (as evaluation/live_latency.py does) and log in
through the real /login with its CSRF token; the widget is tests/support/widget.py.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import hashlib
import hmac
import io
import json
import os
import re
import sqlite3
import stat
import sys
import tempfile
import threading
import time
import traceback
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from http.client import HTTPConnection
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Any, Callable, Dict, Iterator, List, Optional, Tuple
from urllib.parse import quote, urlencode

from evaluation import code_version
from tests.support.servers import (
    FROZEN_NOW,
    RASA,
    ROOT,
    TEST_SECRET,
    UNLIMITED,
    Running,
    answers,
    assistant,
    demo_schools_dir,
    free_port,
    frozen_clock,
    http,
    process_group,
    python_module,
    rasa_ready,
    wait_until_ready,
)
from tests.support.widget import SocketChat, kind

REST = "/webhooks/rest/webhook"
PASSWORD = "een heel lang wachtwoord voor de proef"  # noqa: S105 - accounts of a throw-away instance
#: The two ticket caps, lowered so that a run reaches them; every other limit is the default.
TICKETS_PER_CLIENT_HOUR = 2
TICKETS_PER_HOUR = 8
#: The message limits a deployment has (docs/security.md, steunpunt/settings.py defaults).
MESSAGE_LIMITS = {
    "MESSAGES_PER_CONVERSATION_MINUTE": 20,
    "MESSAGE_BURST_PER_CONVERSATION": 10,
    "MESSAGES_PER_CLIENT_MINUTE": 90,
    "MESSAGE_BURST_PER_CLIENT": 30,
    "MESSAGES_PER_MINUTE": 1500,
    "MESSAGE_BURST": 100,
}
FLOOD = 40
PARENT = {"audience": "ouder"}
YOUTH = {"audience": "jongere"}
MARKER = "zwanenvlotkampmarker"


def run_env(var_dir: Path) -> Dict[str, str]:
    """What the run's instance gets on top of assistant()'s environment."""
    return {
        "STEUNPUNT_VAR_DIR": str(var_dir),
        "STEUNPUNT_TRACKER_DB": str(var_dir / "trackers.db"),
        "STEUNPUNT_DATABASE_URL": f"sqlite:///{var_dir / 'steunpunt.db'}",
        "STEUNPUNT_TRUSTED_PROXIES": "127.0.0.1",
        "STEUNPUNT_STAFF_SECURE_COOKIES": "1",
        "STEUNPUNT_TICKETS_PER_CLIENT_HOUR": str(TICKETS_PER_CLIENT_HOUR),
        "STEUNPUNT_TICKETS_PER_HOUR": str(TICKETS_PER_HOUR),
        **{f"STEUNPUNT_{name}": str(value) for name, value in MESSAGE_LIMITS.items()},
    }


# --- starting the instance -----------------------------------------------------------------------
#: scripts/run.sh without its set-up (`source setup.sh`): the same processes, umask and folder.
DIRECT = r"""
set -euo pipefail
umask 077
mkdir -p "$STEUNPUNT_VAR_DIR"
chmod -R go-rwx "$STEUNPUNT_VAR_DIR"
"$PY" -c 'from steunpunt import settings; from store.db import engine_for; engine_for(settings.DATABASE_URL)'
token='from steunpunt import settings; print(settings.action_token())'
export STEUNPUNT_ACTION_TOKEN="${STEUNPUNT_ACTION_TOKEN:-$("$PY" -c "$token")}"
"$PY" -m signals redactor &
"$PY" -m actions --host "$STEUNPUNT_HOST" --port "$STEUNPUNT_ACTION_PORT" &
STEUNPUNT_STAFF_SECURE_COOKIES="${STEUNPUNT_STAFF_SECURE_COOKIES:-0}" \
  "$PY" -m staff --host "$STEUNPUNT_HOST" --port "$STEUNPUNT_STAFF_PORT" &
"$PY" -m website --host "$STEUNPUNT_HOST" --port "$STEUNPUNT_SITE_PORT" &
"$RASA" run --model "$MODEL" --credentials credentials.yml --endpoints endpoints.yml \
  --interface "$STEUNPUNT_HOST" --port "$STEUNPUNT_PORT"
"""


def model_file() -> Path:
    if os.environ.get("STEUNPUNT_MODEL"):
        return Path(os.environ["STEUNPUNT_MODEL"])
    models = sorted((ROOT / "models").glob("*.tar.gz"), key=lambda p: p.stat().st_mtime)
    if not models:
        raise SystemExit("no model: run scripts/setup.sh, or set STEUNPUNT_MODEL to a trained model")
    return models[-1]


def spacy_pipeline(model: Path) -> None:
    """A model trained on spaCy's blank Dutch pipeline loads it from build/spacy/nl_blank (set-up
    writes it when nl_core_news_sm cannot be had): made here as set-up makes it, if missing."""
    from scripts.spacy_pipeline import FALLBACK_DIR, blank_dutch

    if "blank-nl" in model.name and not (FALLBACK_DIR / "config.cfg").exists():
        blank_dutch()


@contextlib.contextmanager
def direct_assistant(workdir: Path, extra_env: Dict[str, str]) -> Iterator[Running]:
    """The processes of scripts/run.sh, started without its set-up (see the module's text)."""
    port, action_port, staff_port, site_port = free_port(), free_port(), free_port(), free_port()
    var_dir = Path(extra_env["STEUNPUNT_VAR_DIR"])
    model = model_file()
    spacy_pipeline(model)
    env = frozen_clock(
        {
            **os.environ,
            "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
            "TF_CPP_MIN_LOG_LEVEL": "2",
            "RASA_TELEMETRY_ENABLED": "false",
            "STEUNPUNT_HOST": "127.0.0.1",
            "STEUNPUNT_PORT": str(port),
            "STEUNPUNT_ACTION_PORT": str(action_port),
            "STEUNPUNT_STAFF_PORT": str(staff_port),
            "STEUNPUNT_SITE_PORT": str(site_port),
            "STEUNPUNT_SECRET_KEY": TEST_SECRET,
            "STEUNPUNT_SCHOOLS_DIR": str(demo_schools_dir()),
            **UNLIMITED,
            **extra_env,
            "STEUNPUNT_ACTION_URL": f"http://127.0.0.1:{action_port}/webhook",
            "STEUNPUNT_REDACTION_SOCKET": str(var_dir / f"redactor-{action_port}.sock"),
            "PY": sys.executable,
            "RASA": str(RASA),
            "MODEL": str(model),
        }
    )
    env.pop("RASA_API_TOKEN", None)
    log = workdir / "run.log"
    base, site = f"http://127.0.0.1:{port}", f"http://127.0.0.1:{site_port}"
    with process_group(["bash", "-c", DIRECT], ROOT, env, log) as process:
        checks: Dict[str, Callable[[], bool]] = {
            "rasa": lambda: rasa_ready(base),
            "action server": lambda: answers(f"http://127.0.0.1:{action_port}/health", 200),
            "redaction worker": Path(env["STEUNPUNT_REDACTION_SOCKET"]).exists,
            "staff app": lambda: answers(f"http://127.0.0.1:{staff_port}/"),
            "site": lambda: answers(site + "/", 200),
        }
        wait_until_ready(lambda: [name for name, ready in checks.items() if not ready()], process, log)
        yield Running(base=base, env=env, group=process.pid, action_port=action_port, log=log, site=site)


def set_up() -> bool:
    """Whether scripts/run.sh (assistant()) can start here without building or training."""
    return (ROOT / ".venv").is_dir() and (ROOT / "build" / "website" / "widget.js").is_file()


@contextlib.contextmanager
def instance(workdir: Path, start: str) -> Iterator[Tuple[Running, str]]:
    var_dir = workdir / "var"
    env = run_env(var_dir)
    if start == "auto":
        start = "run.sh" if set_up() else "direct"
    if start == "run.sh":
        with assistant(workdir, env) as running:
            yield running, "scripts/run.sh (tests/support/servers.py `assistant()`)"
    else:
        with direct_assistant(workdir, env) as running:
            yield (
                running,
                (
                    "the processes of scripts/run.sh without its set-up (`--start direct`: this "
                    "checkout has no .venv or built site of its own), with run.sh's `umask 077` and "
                    "`chmod -R go-rwx var/`"
                ),
            )


# --- talking to it --------------------------------------------------------------------------------
def say(
    running: Running,
    sender: str,
    text: str,
    address: str,
    metadata: Optional[Dict[str, str]] = None,
    timeout: float = 90,
) -> List[Dict[str, Any]]:
    """One REST message from a client `address` (X-Forwarded-For from the trusted 127.0.0.1)."""
    body = {"sender": sender, "message": text, "metadata": metadata or {}}
    status, messages = http(running.base + REST, body, headers={"X-Forwarded-For": address}, timeout=timeout)
    if status != 200:
        raise RuntimeError(f"REST {status} for {text[:40]!r}: {messages}")
    return messages or []


def custom(messages: List[Dict[str, Any]], wanted: str) -> List[Dict[str, Any]]:
    return [m["custom"] for m in messages if (m.get("custom") or {}).get("type") == wanted]


def kinds(messages: List[Dict[str, Any]]) -> List[str]:
    return [kind(m) for m in messages if kind(m)]


def text_of(messages: List[Dict[str, Any]]) -> str:
    return " ".join(m.get("text") or "" for m in messages)


def rate_limited(messages: List[Dict[str, Any]]) -> Optional[Dict[str, Any]]:
    refused = [c for c in custom(messages, "input_rejected") if c.get("reason") == "rate_limited"]
    return refused[0] if refused else None


@dataclass
class Reply:
    status: int
    headers: Any
    body: str
    cookies: List[str]
    seconds: float


class Browser:
    """A browser of the staff app from one client address (X-Forwarded-For), with its cookies."""

    def __init__(self, port: int, address: str) -> None:
        self.port, self.address = port, address
        self.cookies: Dict[str, str] = {}

    def request(self, method: str, path: str, form: Optional[Dict[str, Any]] = None) -> Reply:
        connection = HTTPConnection("127.0.0.1", self.port, timeout=120)
        headers = {"X-Forwarded-For": self.address}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if form is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            body = urlencode(form, doseq=True)
        started = time.perf_counter()
        try:
            connection.request(method, path, body=body, headers=headers)
            reply = connection.getresponse()
            raw = reply.headers.get_all("Set-Cookie") or []
            for line in raw:
                jar: SimpleCookie = SimpleCookie()
                jar.load(line)
                for key, morsel in jar.items():
                    if morsel.value and morsel["max-age"] != "0":
                        self.cookies[key] = morsel.value
                    else:
                        self.cookies.pop(key, None)
            text = reply.read().decode(errors="replace")
            return Reply(reply.status, reply.headers, text, raw, time.perf_counter() - started)
        finally:
            connection.close()

    def csrf(self, path: str) -> str:
        found = re.search(r'name="csrf" value="([^"]+)"', self.request("GET", path).body)
        if not found:
            raise RuntimeError(f"no CSRF field on {path}")
        return found.group(1)

    def log_in(self, name: str, password: str = PASSWORD) -> Reply:
        token = self.csrf("/login")
        return self.request("POST", "/login", {"csrf": token, "username": name, "password": password})


def create_account(running: Running, name: str, role: str = "medewerker", regions: Any = ()) -> None:
    from store import db
    from store.accounts import Accounts

    Accounts(db.engine_for(running.env["STEUNPUNT_DATABASE_URL"])).create(name, PASSWORD, role, regions)


def staff_port(running: Running) -> int:
    return int(running.env["STEUNPUNT_STAFF_PORT"])


def var_dir(running: Running) -> Path:
    return Path(running.env["STEUNPUNT_VAR_DIR"])


# --- the report's rows ----------------------------------------------------------------------------
@dataclass
class Try:
    number: str
    title: str
    sent: str = ""
    expected: str = ""
    happened: List[str] = field(default_factory=list)
    passed: Optional[bool] = None  # None: not tried
    why_not: str = ""

    def note(self, line: str) -> None:
        self.happened.append(line)
        print(f"  [{self.number}] {line}", flush=True)

    def verdict(self, ok: bool) -> None:
        self.passed = bool(ok) if self.passed is None else self.passed and bool(ok)


class Tries:
    def __init__(self) -> None:
        self.rows: List[Try] = []

    @contextlib.contextmanager
    def attempt(self, number: str, title: str, sent: str, expected: str) -> Iterator[Try]:
        row = Try(number, title, sent, expected)
        self.rows.append(row)
        print(f"[{number}] {title}", flush=True)
        try:
            yield row
        except Exception as problem:  # noqa: BLE001 - a try that breaks is a failed try, reported
            row.note(f"the try itself broke: {type(problem).__name__}: {problem}")
            print(traceback.format_exc(), file=sys.stderr)
            row.passed = False
        if row.passed is None and not row.why_not:
            row.passed = False
            row.note("no verdict was reached")
        print(f"[{number}] {'PASS' if row.passed else 'NOT TRIED' if row.why_not else 'FAIL'}", flush=True)

    def not_tried(self, number: str, title: str, why: str) -> None:
        self.rows.append(Try(number, title, why_not=why))


# --- 1. erasing a ticket --------------------------------------------------------------------------
def handoff_parent(running: Running, sender: str, address: str, row: Try) -> Dict[str, Any]:
    """A parent over REST: a question with the marker, "ik wil een medewerker", the description
    with the marker, then contact data; returns the `handoff` payload."""
    steps = [
        f"hoeveel kost een {MARKER} eigenlijk",
        "ik wil een medewerker",
        f"Mijn zoon zit thuis sinds het {MARKER} gedoe en de school belt niet terug",
        f"{MARKER}@voorbeeld.nl",
    ]
    for text in steps:
        messages = say(running, sender, text, address, PARENT)
        row.note(f"sent {text!r}: got {kinds(messages) or 'text'}: {text_of(messages)[:110]!r}")
        handoffs = custom(messages, "handoff")
        if handoffs:
            return handoffs[0]
    raise RuntimeError("the parent's conversation made no ticket")


def sqlite_rows(path: Path) -> Iterator[Tuple[str, str]]:
    """(table, row as text) for every row of every table of an SQLite file, read-only."""
    connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        names = [r[0] for r in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        for name in names:
            for values in connection.execute(f'SELECT * FROM "{name}"'):  # noqa: S608 - names from the file
                yield (
                    name,
                    " ".join(
                        v.decode("utf-8", "replace") if isinstance(v, bytes) else str(v) for v in values
                    ),
                )
    finally:
        connection.close()


def traces(folder: Path, needles: Dict[str, re.Pattern[bytes]]) -> Dict[str, List[str]]:
    """Where each needle occurs: raw bytes of every file in `folder` (journals and WAL too), and
    every row of every table of every SQLite file there."""
    found: Dict[str, List[str]] = {name: [] for name in needles}
    files = sorted(p for p in folder.rglob("*") if p.is_file())
    for path in files:  # the bytes first: opening a database must not change what is looked at
        data = path.read_bytes().lower()
        for name, pattern in needles.items():
            hits = len(pattern.findall(data))
            if hits:
                found[name].append(f"{path.name}: {hits}x in the file's bytes")
    for path in files:
        with open(path, "rb") as head:
            if head.read(16) != b"SQLite format 3\x00":
                continue
        counts: Dict[Tuple[str, str], int] = {}
        for table, text in sqlite_rows(path):
            for name, pattern in needles.items():
                if pattern.search(text.lower().encode()):
                    counts[(name, table)] = counts.get((name, table), 0) + 1
        for (name, table), hits in sorted(counts.items()):
            found[name].append(f"{path.name}, table {table}: {hits} row(s)")
    return found


def try_erase(running: Running, tries: Tries) -> None:
    with tries.attempt(
        "1",
        "Erasing a ticket leaves nothing of it in any store",
        f"A parent over REST (client 192.0.2.11): a question with the marker word `{MARKER}`, "
        '"ik wil een medewerker", a description with the marker, and an e-mail address with it '
        "as contact: a ticket. A staff member (made in the database, logged in through /login) "
        'erases it on its page (POST /tickets/<id>/wissen, "zeker=ja", with the CSRF token). '
        "Then every file in the instance's var/ folder is read byte by byte, and every row of "
        "every table of every SQLite file in it, for the marker and the ticket number; also the "
        "servers' log.",
        "Before the erasure the marker is found (so the search can find it); after it neither "
        "the marker nor the ticket number is anywhere; the ticket's row and the counts stay.",
    ) as row:
        handoff = handoff_parent(running, "tries-erase", "192.0.2.11", row)
        number = handoff["ticket"]
        ticket_id = int(number[3:])
        row.note(f"ticket {number} made")
        needles = {
            "marker": re.compile(re.escape(MARKER.encode())),
            "ticket number": re.compile(re.escape(number.lower().encode()) + rb"(?!\d)"),
        }
        time.sleep(3)  # the turn's signals are written after the reply
        before = traces(var_dir(running), needles)
        row.note(f"before erasing: marker in {before['marker'] or 'nothing'}")
        row.note(f"before erasing: ticket number in {before['ticket number'] or 'nothing'}")
        from signals.store import SignalStore
        from store import db
        from store.tickets import TicketStore

        engine = db.engine_for(running.env["STEUNPUNT_DATABASE_URL"])
        counts_before = SignalStore(engine).counts()
        create_account(running, "wisser", regions=["standaard"])
        member = Browser(staff_port(running), "192.0.2.200")
        login = member.log_in("wisser")
        token = member.csrf(f"/tickets/{ticket_id}")
        erased = member.request("POST", f"/tickets/{ticket_id}/wissen", {"csrf": token, "zeker": "ja"})
        row.note(
            f"login {login.status}; POST /tickets/{ticket_id}/wissen: {erased.status} "
            f"-> {erased.headers.get('Location')}"
        )
        page = member.request("GET", f"/tickets/{ticket_id}")
        row.note(f"the ticket's page after: {page.status}, says gewist: {'gewist' in page.body.lower()}")
        after = traces(var_dir(running), needles)
        files = sorted(
            str(p.relative_to(var_dir(running))) for p in var_dir(running).rglob("*") if p.is_file()
        )
        row.note(f"searched after erasing: {', '.join(files)}")
        row.note(f"after erasing: marker in {after['marker'] or 'nothing'}")
        row.note(f"after erasing: ticket number in {after['ticket number'] or 'nothing'}")
        log = running.log.read_bytes().lower()
        in_log = {name: len(pattern.findall(log)) for name, pattern in needles.items()}
        row.note(f"in the servers' log (never in var/): {in_log}")
        counts_same = SignalStore(engine).counts() == counts_before
        row.note(f"the signals' counts per day, kind and reason: {'unchanged' if counts_same else 'CHANGED'}")
        kept = TicketStore(engine, TEST_SECRET.encode()).get(ticket_id)
        row.note(
            f"the ticket's row: {'kept' if kept else 'gone'}, erased_at {kept and kept.get('erased_at')}, "
            f"status {kept and kept.get('status')}"
        )
        row.verdict(bool(before["marker"]) and erased.status == 303)
        row.verdict(not after["marker"] and not after["ticket number"])
        row.verdict(not any(in_log.values()))
        row.verdict(kept is not None and kept.get("erased_at") is not None and counts_same)


# --- 2. codes and personal data in the analysts' CSV export ----------------------------------------
def youth_ticket(running: Running, sender: str, address: str, row: Try) -> Dict[str, Any]:
    for text in ("kan ik een medewerker spreken", "Ik zit al weken thuis en wil weer naar school"):
        messages = say(running, sender, text, address, YOUTH)
        row.note(f"sent {text!r}: got {kinds(messages) or 'text'}")
        if custom(messages, "handoff"):
            return custom(messages, "handoff")[0]
    raise RuntimeError("the youth's conversation made no ticket")


def fullwidth(digits: str) -> str:
    return "".join(chr(ord(d) - ord("0") + 0xFF10) for d in digits)


def try_csv(running: Running, tries: Tries) -> None:
    with tries.attempt(
        "2",
        "Codes, @-handles, licence plates, full-width digits and written-out e-mail never reach "
        "the analysts' CSV export",
        "A youth's ticket (client 192.0.2.12) gives a real code of this instance. Then, each in a "
        "new REST conversation of client 192.0.2.13, questions the bot cannot answer (so their "
        "text is kept, redacted) holding: that code as shown, the code typed in small letters "
        "with a space, an @-handle, a Dutch plate, a phone number in full-width digits and an "
        "e-mail address written with [at] and [punt]; each question also holds an everyday "
        "word (a control word). An analyst (made in the database) logs in through /login and "
        "downloads GET /analyse/export.csv.",
        "The export is a CSV (200) that holds the control words (the texts were kept) but none "
        "of the values, in any spelling tried.",
    ) as row:
        code = youth_ticket(running, "tries-code", "192.0.2.12", row)["code"]
        row.note(f"a real code of this instance: {code[:2]}…")
        compact = code.replace("-", "")
        typed_loosely = f"{compact[:4].lower()} {compact[4:].lower()}"
        phone = "0612345678"
        values = {
            "code": [code, compact, typed_loosely, compact.lower()],
            "@-handle": ["@meester_bram2024", "meester_bram2024"],
            "plate": ["GZ-708-K", "GZ708K", "gz-708-k"],
            "full-width phone": [fullwidth(phone), phone, "612345678", "06 12345678"],
            "written-out e-mail": [
                "info [at] voorbeeld [punt] nl",
                "info [at]",
                "[at] voorbeeld",
                "voorbeeld [punt] nl",
            ],
        }
        questions = [
            (
                "code",
                f"Mijn buurman heeft code {code} op zijn fietsslot gezet en nu kan ik er niet bij",
                "fietsslot",
            ),
            ("code", f"de code {typed_loosely} werkt niet op mijn wasmachine, wat nu", "wasmachine"),
            (
                "@-handle",
                "Volg jij @meester_bram2024 al, hij maakt filmpjes over voetbal en bakken",
                "voetbal",
            ),
            ("plate", "Een auto met kenteken GZ-708-K staat al dagen voor mijn garage geparkeerd", "garage"),
            (
                "full-width phone",
                f"Bel mij terug op {fullwidth(phone)} over de lekkage in mijn badkamer",
                "badkamer",
            ),
            (
                "written-out e-mail",
                "Mail de bonnetjes naar info [at] voorbeeld [punt] nl voor de belastingaangifte",
                "belastingaangifte",
            ),
        ]
        for number, (what, text, _word) in enumerate(questions):
            messages = say(running, f"tries-csv-{number}", text, "192.0.2.13", PARENT)
            shown = text.replace(code, "<code>").replace(typed_loosely, "<code typed loosely>")
            row.note(f"{what}: sent {shown!r}: got {kinds(messages) or 'text'}")
        time.sleep(3)
        create_account(running, "analist-proef", role="analist", regions=None)
        analyst = Browser(staff_port(running), "192.0.2.201")
        login = analyst.log_in("analist-proef")
        export = analyst.request("GET", "/analyse/export.csv")
        row.note(
            f"analyst login {login.status}; GET /analyse/export.csv: {export.status}, "
            f"{export.headers.get('Content-Type')}, {len(export.body.splitlines())} lines"
        )
        body = export.body.lower()
        controls = {word: word in body for _what, _text, word in questions}
        row.note(f"control words in the export: {controls}")
        leaked = {
            what: [v if what != "code" else "<code spelling>" for v in spellings if v.lower() in body]
            for what, spellings in values.items()
        }
        row.note(f"values found in the export: {leaked}")
        for exported in csv.DictReader(io.StringIO(export.body)):
            text = exported.get("text") or ""
            if any(word in text.lower() for word in controls):
                shown = text.replace(code, "<code>").replace(typed_loosely, "<code typed loosely>")
                row.note(f"exported text ({exported.get('kind')}, {exported.get('reason')}): {shown!r}")
        row.verdict(export.status == 200 and "csv" in (export.headers.get("Content-Type") or ""))
        row.verdict(all(controls.values()))
        row.verdict(not any(leaked.values()))


# --- 3. a flood of messages ----------------------------------------------------------------------
def in_threads(work: Callable[[Any], Any], items: List[Any]) -> List[Any]:
    results: List[Any] = [None] * len(items)

    def one(n: int) -> None:
        try:
            results[n] = work(items[n])
        except Exception as problem:  # noqa: BLE001 - counted as what happened
            results[n] = problem

    threads = [threading.Thread(target=one, args=(n,), daemon=True) for n in range(len(items))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def timed_question(running: Running, sender: str, address: str) -> Tuple[float, List[Dict[str, Any]]]:
    started = time.perf_counter()
    messages = say(running, sender, "Wat is een TLV?", address, PARENT)
    return time.perf_counter() - started, messages


def tally(results: List[Any]) -> Dict[str, Any]:
    refused = [rate_limited(r) for r in results if isinstance(r, list)]
    scopes: Dict[str, int] = {}
    for found in refused:
        if found:
            scopes[found["scope"]] = scopes.get(found["scope"], 0) + 1
    return {
        "refused": sum(1 for f in refused if f),
        "answered": sum(1 for r in results if isinstance(r, list) and not rate_limited(r)),
        "errors": [f"{type(r).__name__}: {str(r)[:80]}" for r in results if not isinstance(r, list)],
        "scopes": scopes,
        "retry_after": sorted({int(f["retry_after"]) for f in refused if f}),
    }


def scope(message: Dict[str, Any]) -> str:
    return str((message.get("custom") or {}).get("scope"))


def socket_flood(running: Running, row: Try, address: str, pause: float) -> Tuple[list, list, str]:
    """FLOOD messages from one widget, `pause` seconds apart; waits until nothing arrives for 8 s.
    Returns (refusals, answers, the session id)."""
    widget = SocketChat(running, headers={"X-Forwarded-For": address})
    try:
        session = widget.start()
        started = time.perf_counter()
        for n in range(FLOOD):
            widget.send(f"wat is een tlv, vraag {n}", PARENT)
            if pause:
                time.sleep(pause)
        sent = time.perf_counter() - started
        last, quiet_since = -1, time.time()
        deadline = time.time() + 120
        while time.time() < deadline and time.time() - quiet_since < 8:
            if len(widget.received) != last:
                last, quiet_since = len(widget.received), time.time()
            time.sleep(0.2)
        refused = [m for m in widget.received if kind(m) == "input_rejected"]
        answered = [m for m in widget.received if kind(m) == "answer"]
        sample = refused[0].get("text", "") if refused else ""
        row.note(
            f"{FLOOD} emitted in {sent:.1f} s; received {len(widget.received)} messages: {len(refused)} "
            f"refusals (scopes {sorted({scope(m) for m in refused})}), {len(answered)} answers; "
            f"still connected: {widget.client.connected}"
        )
        if sample:
            row.note(f"a refusal reads: {sample[:160]!r}")
        return refused, answered, session
    finally:
        widget.close(abort=True)


def other_widget_answer(running: Running, row: Try, address: str) -> List[Dict[str, Any]]:
    other = SocketChat(running, headers={"X-Forwarded-For": address})
    try:
        other.start()
        started = time.perf_counter()
        got = other.say("Wat is een TLV?", PARENT, timeout=60)
        row.note(f"the other widget ({address}): {kinds(got)} in {time.perf_counter() - started:.2f} s")
        return got
    finally:
        other.close(abort=True)


def try_flood(running: Running, tries: Tries) -> None:
    limits = MESSAGE_LIMITS
    with tries.attempt(
        "3a",
        "40 messages at once from one conversation over REST",
        f"{FLOOD} REST messages of one conversation from client 192.0.2.21, all sent at once (one "
        'thread each); while they are handled, client 192.0.2.22 asks "Wat is een TLV?"; after '
        "them GET /webhooks/status/.",
        f"At most the conversation's burst ({limits['MESSAGE_BURST_PER_CONVERSATION']}) plus what "
        f"refills meanwhile ({limits['MESSAGES_PER_CONVERSATION_MINUTE']}/min) get through; the rest "
        "get the friendly Dutch reply (`input_rejected`, `rate_limited`, scope `conversation`, a "
        "`retry_after`), no errors; the other client gets its answer; the server says it is ready.",
    ) as row:
        other: Dict[str, Any] = {}

        def other_client() -> None:
            time.sleep(0.3)
            other["seconds"], other["messages"] = timed_question(running, "tries-other-rest", "192.0.2.22")

        watcher = threading.Thread(target=other_client)
        watcher.start()
        started = time.perf_counter()
        results = in_threads(
            lambda n: say(running, "tries-flood-rest", f"wat is een tlv, vraag {n}", "192.0.2.21", PARENT),
            list(range(FLOOD)),
        )
        flood_seconds = time.perf_counter() - started
        watcher.join()
        counted = tally(results)
        sample = next((r for r in results if isinstance(r, list) and rate_limited(r)), [])
        row.note(f"{FLOOD} sent in {flood_seconds:.1f} s: {counted}")
        row.note(f"a refusal reads: {text_of(sample)[:160]!r}")
        row.note(f"the other client: {kinds(other.get('messages') or [])} in {other.get('seconds', 0):.2f} s")
        started = time.perf_counter()
        ready = rasa_ready(running.base)
        row.note(f"GET /webhooks/status/ after: ready={ready} in {time.perf_counter() - started:.2f} s")
        row.verdict(counted["refused"] > FLOOD / 2 and not counted["errors"])
        row.verdict(set(counted["scopes"]) == {"conversation"} and "Wacht" in text_of(sample))
        row.verdict(
            bool(custom(other.get("messages") or [], "answer")) and not rate_limited(other["messages"])
        )
        row.verdict(ready)

    with tries.attempt(
        "3b",
        "40 messages at once from one client, each as a new conversation, over REST",
        f"{FLOOD} REST messages from client 192.0.2.23, each with a new sender id, all at once; "
        "then client 192.0.2.24 asks a question.",
        f"The client's burst ({limits['MESSAGE_BURST_PER_CLIENT']}) gets through, the rest are "
        "refused with scope `client` (a script cannot escape the limit by making up conversations); "
        "the other client is answered.",
    ) as row:
        results = in_threads(
            lambda n: say(running, f"tries-flood-new-{n}", "wat is een opp", "192.0.2.23", PARENT),
            list(range(FLOOD)),
        )
        counted = tally(results)
        row.note(f"{FLOOD} sent: {counted}")
        seconds, messages = timed_question(running, "tries-other-rest-2", "192.0.2.24")
        row.note(f"the other client: {kinds(messages)} in {seconds:.2f} s")
        row.verdict(counted["refused"] >= FLOOD - limits["MESSAGE_BURST_PER_CLIENT"] - 2)
        row.verdict(set(counted["scopes"]) == {"client"} and not counted["errors"])
        row.verdict(bool(custom(messages, "answer")))

    with tries.attempt(
        "3c",
        "40 messages in quick succession from one widget over socket.io",
        f"A widget (socket.io, polling, client 192.0.2.25 via X-Forwarded-For) emits {FLOOD} "
        "`user_uttered` of one session, one every 50 ms (20 a second: each reaches the server in "
        'a polling request of a few); then a widget of client 192.0.2.26 asks "Wat is een TLV?".',
        "As over REST: at most the burst and what refills get through, the rest get the friendly "
        "reply (scope `conversation`); the other widget gets its answer.",
    ) as row:
        refused, answered, _ = socket_flood(running, row, "192.0.2.25", pause=0.05)
        got = other_widget_answer(running, row, "192.0.2.26")
        row.verdict(len(refused) > FLOOD / 2 and {scope(m) for m in refused} == {"conversation"})
        row.verdict(len(refused) + len(answered) <= FLOOD)
        row.verdict("answer" in kinds(got))

    with tries.attempt(
        "3d",
        "40 messages at once from one widget over socket.io, in one polling request",
        f"A widget of client 192.0.2.27 emits {FLOOD} `user_uttered` without any pause, so its "
        "socket.io client sends them together in one polling request (as a script can); then a "
        "widget of client 192.0.2.28 asks a question. The servers' log and the tracker store are "
        "looked at for the flood.",
        "None of them reaches NLU or the tracker store; the server stays responsive and the other "
        "widget gets its answer. (engine.io takes at most 16 packets per polling request: such a "
        "request is refused as a whole, before the channel's limits see it.)",
    ) as row:
        log_before = running.log.read_text(errors="replace").count("Too many packets in payload")
        refused, answered, session = socket_flood(running, row, "192.0.2.27", pause=0.0)
        time.sleep(1)
        log_after = running.log.read_text(errors="replace").count("Too many packets in payload")
        row.note(
            f"engine.io's 'Too many packets in payload' in the servers' log: {log_after - log_before} new"
        )
        tracker = b"".join(p.read_bytes() for p in var_dir(running).glob("trackers.db*"))
        stored = session.encode() in tracker
        row.note(f"the flooding session in the tracker store: {'yes' if stored else 'no'}")
        got = other_widget_answer(running, row, "192.0.2.28")
        row.verdict(not answered and not stored and "answer" in kinds(got))
        if not refused:
            row.note(
                "so nothing of the flood got through, but the widget got no reply at all, not the "
                "friendly one, and the server logged a traceback for the refused request"
            )


# --- 4. tickets from many addresses, and foreign pages ----------------------------------------------
def ticket_attempt(running: Running, sender: str, address: str) -> Tuple[str, List[Dict[str, Any]]]:
    """A youth asks for a person and describes the question: 'ticket', 'limit' or what else."""
    say(running, sender, "kan ik een medewerker spreken", address, YOUTH)
    messages = say(running, sender, "Ik zit al weken thuis en wil weer naar school", address, YOUTH)
    if custom(messages, "handoff"):
        return "ticket", messages
    failed = custom(messages, "handoff_failed")
    return (failed[0].get("reason") or "failed") if failed else ",".join(kinds(messages)) or "?", messages


def ticket_count(running: Running) -> int:
    from sqlalchemy import func, select

    from store import db
    from store.schema import tickets

    with db.engine_for(running.env["STEUNPUNT_DATABASE_URL"]).connect() as connection:
        return int(connection.execute(select(func.count()).select_from(tickets)).scalar_one())


def try_tickets(running: Running, tries: Tries) -> None:
    with tries.attempt(
        "4a",
        "Many IPv6 addresses inside one /64 are one client for the ticket limit",
        f"STEUNPUNT_TICKETS_PER_CLIENT_HOUR={TICKETS_PER_CLIENT_HOUR} for this run. Youths over "
        "REST from 2001:db8:aa:bb::1, ::2 and ::3 (three addresses, one /64), each a new "
        "conversation, each asking for a person and describing the question; then one from "
        "2001:db8:aa:cc::1 (the next /64).",
        f"The first {TICKETS_PER_CLIENT_HOUR} make tickets, the third is refused (`handoff_failed`, "
        "reason `limit`); the next /64 makes a ticket.",
    ) as row:
        outcomes: List[str] = []
        for n in (1, 2, 3):
            outcome, _ = ticket_attempt(running, f"tries-v6-{n}", f"2001:db8:aa:bb::{n}")
            outcomes.append(outcome)
        neighbour, _ = ticket_attempt(running, "tries-v6-next", "2001:db8:aa:cc::1")
        row.note(f"2001:db8:aa:bb::1, ::2, ::3: {outcomes}; 2001:db8:aa:cc::1: {neighbour}")
        expected = ["ticket"] * TICKETS_PER_CLIENT_HOUR + ["limit"] * (3 - TICKETS_PER_CLIENT_HOUR)
        row.verdict(outcomes == expected and neighbour == "ticket")

    with tries.attempt(
        "4b",
        "The global hourly ticket cap stops ticket creation, with one alarm in the log",
        f"STEUNPUNT_TICKETS_PER_HOUR={TICKETS_PER_HOUR} for this run (tickets made by the earlier "
        "tries count too). Youths from new IPv4 addresses 203.0.113.1, .2, ... (one ticket each, "
        "under the per-client limit) until one is refused, then two more from new addresses.",
        f"Tickets until {TICKETS_PER_HOUR} were made this hour, then every further one refused "
        "(`handoff_failed`, reason `limit`); the log has exactly one `ALARM` line about tickets, "
        "naming no address.",
    ) as row:
        before = ticket_count(running)
        row.note(f"tickets already made this hour: {before}")
        outcomes = []
        for n in range(1, TICKETS_PER_HOUR + 3):
            outcome, messages = ticket_attempt(running, f"tries-cap-{n}", f"203.0.113.{n}")
            outcomes.append(outcome)
            if outcome != "ticket":
                row.note(f"refused at 203.0.113.{n}: {text_of(messages)[:160]!r}")
                break
        for n in (101, 102):
            outcomes.append(ticket_attempt(running, f"tries-cap-{n}", f"203.0.113.{n}")[0])
        after = ticket_count(running)
        row.note(f"outcomes in order: {outcomes}; tickets now: {after}")
        time.sleep(1)
        alarms = [line for line in running.log.read_text(errors="replace").splitlines() if "ALARM" in line]
        ticket_alarms = [line for line in alarms if "ticket" in line.lower() and "code" not in line.lower()]
        row.note(f"ALARM lines about tickets in the log: {len(ticket_alarms)}")
        for line in ticket_alarms:
            row.note(f"log: {line.strip()[:240]}")
        addresses = re.compile(r"203\.0\.113\.|2001:db8|192\.0\.2\.")
        row.verdict(after == TICKETS_PER_HOUR and outcomes[-3:] == ["limit"] * 3)
        row.verdict(len(ticket_alarms) == 1 and not any(addresses.search(line) for line in alarms))

    with tries.attempt(
        "4c",
        "A foreign page's POST and a text/plain body are refused",
        "POST /webhooks/rest/webhook with `Origin: https://evil.example` (a valid JSON body); "
        "the same without Origin but `Content-Type: text/plain` (as a page's form or fetch can "
        "send without a CORS preflight); a widget (socket.io) connecting with `Origin: "
        "https://evil.example`. Each with its own sender id, looked for in the tracker store after.",
        "403 for the foreign origin, 415 for text/plain, the socket.io connection refused; none of "
        "the sender ids reaches the tracker store.",
    ) as row:
        url = running.base + REST
        body = json.dumps({"sender": "tries-evil-origin", "message": "Wat is een TLV?"}).encode()
        foreign = http(url, raw=body, headers={"Origin": "https://evil.example"})
        plain_body = json.dumps({"sender": "tries-evil-plain", "message": "Wat is een TLV?"}).encode()
        plain = http(url, raw=plain_body, headers={"Content-Type": "text/plain"})
        row.note(f"Origin https://evil.example: {foreign[0]} {foreign[1]}")
        row.note(f"text/plain: {plain[0]} {plain[1]}")
        try:
            evil = SocketChat(running, origin="https://evil.example")
            evil.close(abort=True)
            socket_refused = False
            row.note("socket.io from https://evil.example: connected")
        except Exception as problem:  # noqa: BLE001 - refused is what is expected
            socket_refused = True
            row.note(f"socket.io from https://evil.example: refused ({type(problem).__name__})")
        tracker = b"".join(p.read_bytes() for p in var_dir(running).glob("trackers.db*"))
        reached = [s for s in ("tries-evil-origin", "tries-evil-plain") if s.encode() in tracker]
        row.note(f"sender ids in the tracker store: {reached or 'none'}")
        row.verdict(foreign[0] == 403 and plain[0] == 415 and socket_refused and not reached)


# --- 5. staff logins ----------------------------------------------------------------------------
def try_logins(running: Running, tries: Tries) -> None:
    port = staff_port(running)
    with tries.attempt(
        "5a",
        "A name locked by wrong passwords from one address still logs in from a clean address",
        "Staff account `slot-a` (made in the database). Six wrong passwords through /login (each "
        "with its CSRF token) from 198.51.100.7; then the right password from 198.51.100.7; then "
        "the right password from 198.51.100.8, which has no failures.",
        "The first five wrong passwords 401, the sixth 429 (wait); the right password from the "
        "locked address 429 too; from the clean address 303 with a session cookie.",
    ) as row:
        create_account(running, "slot-a", regions=["standaard"])
        locked = Browser(port, "198.51.100.7")
        wrong = [locked.log_in("slot-a", "dit is niet het wachtwoord").status for _ in range(6)]
        right_locked = locked.log_in("slot-a")
        clean = Browser(port, "198.51.100.8")
        right_clean = clean.log_in("slot-a")
        row.note(f"wrong passwords from 198.51.100.7: {wrong}")
        row.note(f"right password from 198.51.100.7: {right_locked.status}")
        row.note(
            f"right password from 198.51.100.8: {right_clean.status} -> "
            f"{right_clean.headers.get('Location')}, session cookie {'sp_session' in clean.cookies}"
        )
        row.verdict(wrong == [401] * 5 + [429] and right_locked.status == 429)
        row.verdict(right_clean.status == 303 and "sp_session" in clean.cookies)

    with tries.attempt(
        "5b",
        "Wrong passwords from several addresses inside one /64 count together",
        "Staff account `slot-b`. One wrong password each from 2001:db8:77:1::1, ::2, ... ::6 (six "
        "addresses, one /64); then a wrong one from 2001:db8:77:2::1 (another /64, no failures); "
        "then the right one from 2001:db8:77:3::1.",
        "401 for the first five, 429 for the sixth address (the /64 has used its five); 401 (not "
        "429) from the other /64; 303 with the right password from a clean /64.",
    ) as row:
        create_account(running, "slot-b", regions=["standaard"])
        inside = [
            Browser(port, f"2001:db8:77:1::{n}").log_in("slot-b", "dit is niet het wachtwoord").status
            for n in range(1, 7)
        ]
        other = Browser(port, "2001:db8:77:2::1").log_in("slot-b", "dit is niet het wachtwoord").status
        right = Browser(port, "2001:db8:77:3::1").log_in("slot-b").status
        row.note(
            f"2001:db8:77:1::1 ... ::6: {inside}; 2001:db8:77:2::1 (wrong): {other}; "
            f"2001:db8:77:3::1 (right): {right}"
        )
        row.verdict(inside == [401] * 5 + [429] and other == 401 and right == 303)


# --- 6. the low ones ------------------------------------------------------------------------------
def session_id(issued: datetime) -> str:
    """A socket.io session id as channels/guarded.py signs it, with this instance's secret."""
    raw = f"proefsessie.{int(issued.timestamp())}"
    mac = hmac.new(TEST_SECRET.encode(), b"socketio-session:" + raw.encode(), hashlib.sha256).hexdigest()[:32]
    return f"{raw}.{mac}"


def try_low(running: Running, tries: Tries) -> None:
    port = staff_port(running)
    with tries.attempt(
        "6a",
        "An anonymous GET /login carries no ticket's Location",
        "A staff member saves a note on a ticket (POST /tickets/<id>/notitie, answered with "
        "303 to /tickets/<id>); then a browser without cookies GETs /login, and GETs /.",
        "/login: 200 without a Location header; /: 303 to /login only.",
    ) as row:
        member = Browser(port, "192.0.2.202")
        member.log_in("wisser")
        ticket = f"/tickets/{ticket_count(running)}"  # the newest ticket (not the erased one)
        token = member.csrf(ticket)
        noted = member.request("POST", f"{ticket}/notitie", {"csrf": token, "text": "notitie van de proef"})
        anonymous = Browser(port, "192.0.2.203")
        login = anonymous.request("GET", "/login")
        home = anonymous.request("GET", "/")
        row.note(f"note: {noted.status} -> {noted.headers.get('Location')}")
        row.note(f"anonymous GET /login: {login.status}, Location {login.headers.get('Location')!r}")
        row.note(f"anonymous GET /: {home.status}, Location {home.headers.get('Location')!r}")
        row.verdict(login.status == 200 and login.headers.get("Location") is None)
        row.verdict(home.status == 303 and home.headers.get("Location") == "/login")

    with tries.attempt(
        "6b",
        "?stream=true on the REST webhook is refused quickly",
        "POST /webhooks/rest/webhook?stream=true with a valid JSON body.",
        "400 within a second or two (Rasa's own streaming hangs for a minute).",
    ) as row:
        started = time.perf_counter()
        status, body = http(
            running.base + REST + "?stream=true", {"sender": "tries-stream", "message": "Wat is een TLV?"}
        )
        seconds = time.perf_counter() - started
        row.note(f"{status} {body} in {seconds:.2f} s")
        row.verdict(status == 400 and seconds < 5)

    with tries.attempt(
        "6c",
        "Staff cookies are Secure unless opted out",
        "This run sets no opt-out: STEUNPUNT_STAFF_SECURE_COOKIES=1 (the product's default; "
        "scripts/run.sh would set 0 for plain http when it is unset). GET /login and a login "
        "through POST /login: their Set-Cookie headers and Strict-Transport-Security. Then a "
        "second staff app on the same database with STEUNPUNT_STAFF_SECURE_COOKIES=0 (the opt-out): "
        "GET /login.",
        "With the default: every cookie Secure, HttpOnly, SameSite=Strict, and HSTS sent. With the "
        "opt-out: HttpOnly and SameSite=Strict but not Secure.",
    ) as row:
        browser = Browser(port, "192.0.2.204")
        form = browser.request("GET", "/login")
        login = browser.log_in("wisser")
        cookies = form.cookies + login.cookies
        for line in cookies:
            row.note(f"Set-Cookie: {re.sub(r'=[^;]{8,}', '=…', line, count=1)}")
        row.note(f"Strict-Transport-Security: {form.headers.get('Strict-Transport-Security')!r}")

        def flags(line: str) -> set:
            return {part.strip().split("=")[0].lower() for part in line.split(";")[1:]} | {
                part.strip().lower() for part in line.split(";")[1:]
            }

        secure = all({"secure", "httponly", "samesite=strict"} <= flags(line) for line in cookies if line)
        row.verdict(len(cookies) >= 2 and secure and bool(form.headers.get("Strict-Transport-Security")))
        opted_env = {**running.env, "STEUNPUNT_STAFF_SECURE_COOKIES": "0"}
        with python_module("staff", opted_env) as opted_port:
            plain = Browser(opted_port, "192.0.2.205").request("GET", "/login")
        for line in plain.cookies:
            row.note(f"opted out, Set-Cookie: {re.sub(r'=[^;]{8,}', '=…', line, count=1)}")
        row.note(f"opted out, Strict-Transport-Security: {plain.headers.get('Strict-Transport-Security')!r}")
        row.verdict(
            bool(plain.cookies)
            and all("secure" not in flags(line) and "httponly" in flags(line) for line in plain.cookies)
        )

    with tries.attempt(
        "6d",
        "var/ is 0700 and nothing in it is readable by others",
        "stat() of the instance's var/ folder and of every file in it, while the servers run.",
        "var/ has mode 0700; no file has any group or world permission bit.",
    ) as row:
        folder = var_dir(running)
        mode = stat.S_IMODE(folder.stat().st_mode)
        row.note(f"var/: {oct(mode)}")
        open_to_others = []
        for path in sorted(folder.rglob("*")):
            file_mode = stat.S_IMODE(path.lstat().st_mode)
            kind_name = (
                "socket" if stat.S_ISSOCK(path.lstat().st_mode) else "dir" if path.is_dir() else "file"
            )
            row.note(f"{path.relative_to(folder)} ({kind_name}): {oct(file_mode)}")
            if file_mode & 0o077:
                open_to_others.append(str(path.relative_to(folder)))
        row.verdict(mode == 0o700 and not open_to_others)

    with tries.attempt(
        "6e",
        "An impossible or a 100-year analyst period gives a clear 4xx, not 500",
        "As an analyst: GET /analyse?van=01-01-2026&tot=9999-12-31, GET /analyse/export.csv with "
        "the same, and GET /analyse?van=1926-01-01&tot=2025-12-31 (100 years).",
        "400 with a Dutch explanation for each (the pages show at most two years), never 500 and "
        "never a 100-year page.",
    ) as row:
        analyst = Browser(port, "192.0.2.206")
        analyst.log_in("analist-proef")
        for page_path in (
            "/analyse?van=01-01-2026&tot=9999-12-31",
            "/analyse/export.csv?van=01-01-2026&tot=9999-12-31",
            "/analyse?van=1926-01-01&tot=2025-12-31",
        ):
            reply = analyst.request("GET", page_path)
            said = re.search(r"Kies een andere periode[^<]*", reply.body)
            row.note(
                f"GET {page_path}: {reply.status} in {reply.seconds:.1f} s: "
                f"{said.group(0) if said else reply.body[:80]!r}"
            )
            row.verdict(400 <= reply.status < 500 and bool(said))

    with tries.attempt(
        "6f",
        "An expired socket.io session id is refused; a second connection takes the session over",
        "A widget asks for a session with an id signed with this instance's key but issued 25 hours "
        "before the server's clock (SOCKETIO_SESSION_HOURS is 24); as a control, one issued now. "
        "Then widget A gets a session and asks a question; widget B connects with A's session id; "
        "B asks a question, and A (if still connected) asks one.",
        "The old id is not taken (a new one is confirmed), the fresh one is; after B takes the "
        "session over, A is disconnected and gets no more replies, B gets its own reply only, and "
        "nothing A sends reaches B.",
    ) as row:
        server_now = datetime.fromisoformat(FROZEN_NOW).replace(tzinfo=timezone.utc)
        old, fresh = session_id(server_now - timedelta(hours=25)), session_id(server_now)
        probe = SocketChat(running, headers={"X-Forwarded-For": "192.0.2.30"})
        try:
            got_old = probe.start(old)
            got_fresh = probe.start(fresh)
        finally:
            probe.close(abort=True)
        row.note(f"25-hour-old id: {'taken' if got_old == old else 'refused, a new id was given'}")
        row.note(f"id issued now (control): {'taken' if got_fresh == fresh else 'refused'}")
        row.verdict(got_old != old and got_fresh == fresh)
        first = SocketChat(running, headers={"X-Forwarded-For": "192.0.2.31"})
        second = None
        try:
            session = first.start()
            first.say("Wat is een TLV?", PARENT, timeout=60)
            before_takeover = len(first.received)
            second = SocketChat(running, headers={"X-Forwarded-For": "192.0.2.32"})
            second.start(session)
            time.sleep(2)
            row.note(
                f"after B took the session: A connected={first.client.connected}, B received "
                f"{len(second.received)} messages"
            )
            got = second.say("wat is een opp", PARENT, timeout=60)
            row.note(
                f"B asked: B got {kinds(got)}; A got {len(first.received) - before_takeover} new messages"
            )
            sent_by_first = "no (disconnected)"
            if first.client.connected:
                with contextlib.suppress(Exception):
                    first.send("hoe bereid ik een mdo voor", PARENT)
                    sent_by_first = "yes"
            b_count = len(second.received)
            time.sleep(8)
            row.note(
                f"A sent a question afterwards: {sent_by_first}; in 8 s B received "
                f"{len(second.received) - b_count} more, A {len(first.received) - before_takeover} "
                "in all since the takeover"
            )
            row.verdict(not first.client.connected or len(first.received) == before_takeover)
            row.verdict(len(first.received) == before_takeover)
            row.verdict("answer" in kinds(got) and len(second.received) == b_count)
            row.verdict(
                not any(
                    kind(m) == "answer" and "mdo" in (m.get("text") or "").lower() for m in second.received
                )
            )
        finally:
            first.close(abort=True)
            if second is not None:
                second.close(abort=True)

    with tries.attempt(
        "6g",
        "`back=` with an external address in the analyst group form does not redirect outside",
        "As an analyst: POST /analyse/groep (a real signal id of this instance, decision "
        "`nieuw_onderwerp`, the CSRF token) with back= https://evil.example/, //evil.example/, "
        "/analyse/../..//evil.example, /\\evil.example and, as a control, /analyse?periode=2026-Q4.",
        "303 to a local /analyse page every time: the external ones to /analyse, the control as given.",
    ) as row:
        from signals.store import SignalStore
        from store import db

        signals = SignalStore(db.engine_for(running.env["STEUNPUNT_DATABASE_URL"]))
        ids = [r["id"] for r in signals.rows(with_text=True) if r.get("text")][:1]
        if not ids:
            raise RuntimeError("no signal with a text to decide on")
        analyst = Browser(port, "192.0.2.207")
        analyst.log_in("analist-proef")
        token = analyst.csrf("/analyse")
        outside = [
            "https://evil.example/",
            "//evil.example/",
            "/analyse/../..//evil.example",
            "/\\evil.example",
        ]
        for back in [*outside, "/analyse?periode=2026-Q4"]:
            reply = analyst.request(
                "POST",
                "/analyse/groep",
                {
                    "csrf": token,
                    "signal_ids": ids,
                    "decision": "nieuw_onderwerp",
                    "label": "proef",
                    "back": back,
                },
            )
            location = reply.headers.get("Location")
            row.note(f"back={back!r}: {reply.status} -> {location!r}")
            wanted = "/analyse" if back in outside else back
            row.verdict(reply.status == 303 and location == wanted)

    with tries.attempt(
        "6h",
        "`/` on the Rasa port does not announce Rasa or its version",
        "GET / on the Rasa port.",
        "A short `ok`, with no 'Rasa' and no version number in the body or the headers.",
    ) as row:
        from importlib.metadata import version

        connection = HTTPConnection("127.0.0.1", int(running.env["STEUNPUNT_PORT"]), timeout=30)
        connection.request("GET", "/")
        root = connection.getresponse()
        body = root.read().decode(errors="replace")
        headers = " ".join(f"{k}: {v}" for k, v in root.getheaders())
        connection.close()
        row.note(f"{root.status} {body!r}; headers: {headers}")
        telling = [w for w in ("rasa", version("rasa")) if w in (body + headers).lower()]
        row.verdict(root.status == 200 and not telling)

    with tries.attempt(
        "6i",
        "The site's search page does not echo bidi-override or control characters",
        "GET /zoeken?q= with U+202E (right-to-left override), U+2066, U+200B (zero width), U+00AD, "
        "a BEL (U+0007), an ESC and a line break around the word 'tlv'.",
        "200, the query shown without any of those characters (the word itself still shown).",
    ) as row:
        bad = ["\u202e", "\u2066", "\u200b", "\u00ad", "\x07", "\x1b"]
        query = "\u202etlv\u2066 \u200bgeldig\u00ad\x07\x1b\nvraag"
        connection = HTTPConnection("127.0.0.1", int(running.env["STEUNPUNT_SITE_PORT"]), timeout=30)
        connection.request("GET", "/zoeken?q=" + quote(query))
        searched = connection.getresponse()
        page = searched.read().decode(errors="replace")
        connection.close()
        echoed = [f"U+{ord(c):04X}" for c in bad if c in page]
        shown = re.search(r'name="q"[^>]*value="([^"]*)"', page)
        row.note(
            f"{searched.status}; query field shows {shown.group(1) if shown else None!r}; "
            f"characters echoed: {echoed or 'none'}"
        )
        row.verdict(searched.status == 200 and not echoed and "tlv" in page.lower())


# --- the report ------------------------------------------------------------------------------------
def result_word(row: Try) -> str:
    if row.why_not:
        return "NOT TRIED"
    return "PASS" if row.passed else "**FAIL**"


def report(tries: Tries, meta: Dict[str, str]) -> str:
    failed = [row for row in tries.rows if row.passed is False and not row.why_not]
    lines = [
        "# Security tries against a running instance",
        "",
        'The checks of the security issue\'s "How it will be checked", tried against a running '
        "instance over HTTP and socket.io, as an outsider, a staff member and an analyst would. "
        "Generated by `evaluation/security_tries.py`: one run of it; rerun with "
        "`.venv/bin/python -m evaluation.security_tries`. Unit and end-to-end tests of the same "
        "defences are in tests/ (test_security.py, test_store.py, test_channels.py, "
        "test_end_to_end.py); what each defence is and why is in [security.md](security.md).",
        "",
        f"- date: {meta['date']}; code: {meta['code']}",
        f"- instance: {meta['started']}; every process on 127.0.0.1 with its own folder (var/), the "
        f"test secret key, and the servers' clock frozen at {FROZEN_NOW} UTC (tests/support/servers.py)",
        "- settings of the run: `STEUNPUNT_TRUSTED_PROXIES=127.0.0.1` (so one machine can speak for "
        "many client addresses with X-Forwarded-For, as behind a proxy); the message limits at "
        "their defaults ("
        + ", ".join(f"`STEUNPUNT_{k}={v}`" for k, v in MESSAGE_LIMITS.items())
        + f"); `STEUNPUNT_TICKETS_PER_CLIENT_HOUR={TICKETS_PER_CLIENT_HOUR}` and "
        f"`STEUNPUNT_TICKETS_PER_HOUR={TICKETS_PER_HOUR}` (lowered from 5 and 30 so the run reaches "
        "them); `STEUNPUNT_STAFF_SECURE_COOKIES=1` (the product's default: Secure cookies and HSTS)",
        f"- result: {sum(1 for r in tries.rows if r.passed and not r.why_not)} passed, {len(failed)} "
        f"failed, {sum(1 for r in tries.rows if r.why_not)} not tried",
        "",
        "The tries ran in the order 1, 2, 5, 6, 3, 4: 1 first, so that its ticket is the only one "
        "whose number could be searched for, and 4 last, because it closes the hourly ticket cap "
        "for everyone.",
        "",
        "| # | try | result |",
        "| --- | --- | --- |",
    ]
    rows = sorted(tries.rows, key=lambda row: (int(row.number[0]), row.number))
    lines += [f"| {row.number} | {row.title} | {result_word(row)} |" for row in rows]
    for row in rows:
        lines += ["", f"## {row.number}. {row.title}", ""]
        if row.why_not:
            lines += [f"**Not tried.** {row.why_not}"]
            continue
        lines += [f"**Sent.** {row.sent}", "", f"**Expected.** {row.expected}", "", "**What happened.**", ""]
        lines += [f"- {md(line)}" for line in row.happened]
        lines += ["", f"**Result: {result_word(row)}**"]
    if meta.get("not_tried"):
        lines += ["", "## What this run could not try", "", meta["not_tried"]]
    return "\n".join(lines) + "\n"


def md(text: str) -> str:
    """A line of what happened, safe in a Markdown list (no table pipes, no raw control bytes)."""
    return "".join(c if c.isprintable() else f"\\u{ord(c):04x}" for c in text).replace("|", "\\|")


NOT_TRIED = (
    "- The scaled form (scripts/run_scaled.sh: nginx's per-address `limit_req`, keyed on the /64, "
    "and several Rasa processes with their own buckets): this run tries the embedded form only; "
    "nginx's map is checked by tests/test_security.py.\n"
    "- A real reverse proxy: X-Forwarded-For is sent by this script from 127.0.0.1, which the run "
    "trusts as its proxy; that a header from an untrusted peer is ignored is a unit test "
    "(test_security.py), since every connection here comes from 127.0.0.1.\n"
    "- A socket.io session id older than 24 hours made by the server itself: the server's clock is "
    "frozen, so the old id is one the script signs with the instance's own (test) key, as the server "
    "would have signed it 25 hours earlier."
)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "security-tries.md")
    parser.add_argument("--workdir", type=Path, default=None, help="keep the instance's folder and log here")
    parser.add_argument("--start", choices=("auto", "run.sh", "direct"), default="auto")
    args = parser.parse_args()
    os.environ.pop("STEUNPUNT_FROZEN_NOW", None)
    from steunpunt import clock

    begun = clock.local_now().strftime("%Y-%m-%d %H:%M %Z")
    meta = {"date": begun, "code": code_version(), "not_tried": NOT_TRIED}
    tries = Tries()
    with contextlib.ExitStack() as stack:
        folder = args.workdir or Path(
            stack.enter_context(tempfile.TemporaryDirectory(prefix="security-tries-"))
        )
        folder.mkdir(parents=True, exist_ok=True)
        running, meta["started"] = stack.enter_context(instance(folder, args.start))
        print(f"instance up: {running.base} (staff :{staff_port(running)}, log {running.log})", flush=True)
        try_erase(running, tries)  # first: its ticket number is SP-00001 and no other can contain it
        try_csv(running, tries)
        try_logins(running, tries)
        try_low(running, tries)
        try_flood(running, tries)
        try_tickets(running, tries)  # last: it closes the hourly ticket cap for everyone
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(report(tries, meta))
    for row in tries.rows:
        print(f"{row.number:>3} {result_word(row):10} {row.title}")
    return 1 if any(row.passed is False and not row.why_not for row in tries.rows) else 0


if __name__ == "__main__":
    raise SystemExit(main())
