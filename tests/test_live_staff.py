"""Live chat in the staff app (issue 25, items 3, 6 and 8), over real HTTP against `python -m
staff`: the page "Live gesprekken", claiming, messages, transfer, ending as a ticket, the
server-sent events, the limits and who may do what, and the analysts' live figures.

The user's side of a chat (queueing, typing) is written straight into the same database
through store/live.py, as the Rasa process does. Every process lives at T0 (a Monday morning):
no test depends on today's date."""

from __future__ import annotations

import http.client
import json
import re
import time
from datetime import datetime, timedelta
from pathlib import Path
from typing import Dict, List, Optional, Tuple

import pytest
from sqlalchemy import select, update
from test_staff_web import PASSWORD, Browser, create_account, staff_env, staff_server

from store.db import engine_for
from store.live import ACTIVE, WAITING, LiveStore
from store.schema import audit_log, live_chats
from store.tickets import TicketStore
from tests.support.browser import chromium, needs_browser, until as browser_until
from tests.support.servers import TEST_SECRET

T0 = datetime(2026, 12, 7, 10, 0)  # the clock of the staff app (STEUNPUNT_FROZEN_NOW)
BEFORE = [
    {"from": "user", "text": "Ik wil graag een medewerker spreken", "time": 1.0},
    {"from": "bot", "text": "Ik zoek een medewerker voor je.", "time": 2.0},
]
ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    """One staff app for the module; each test makes chats of its own (they do not meet)."""
    folder = tmp_path_factory.mktemp("live-staff")
    env = staff_env(folder, STEUNPUNT_FROZEN_NOW=T0.isoformat())
    create_account(env, "anna")  # the default region, "standaard"
    create_account(env, "bert")
    create_account(env, "dirk")
    create_account(env, "carla", extra=("--region", "voorbeeld"))
    create_account(env, "ali", role="analist")
    live = LiveStore(TicketStore(engine_for(env["STEUNPUNT_DATABASE_URL"]), TEST_SECRET.encode()))
    with staff_server(env) as port:
        yield {"port": port, "live": live}


_conversations = iter(range(1, 10_000))


def queued(app, region="standaard", audience="ouder", transcript=BEFORE, at=T0, typed=()):
    """A chat in the queue, as the Rasa process puts it there; `typed`: what the user wrote
    while waiting."""
    live = app["live"]
    chat = live.enqueue(
        conversation=f"gesprek-{next(_conversations)}",
        region=region,
        audience=audience,
        channel="socketio",
        transcript=list(transcript),
        code_hash=None,
        now=at,
    )
    for text in typed:
        live.post_user(chat.id, text, at)
    return chat


def member(app, name) -> Tuple[Browser, str]:
    browser = Browser(app["port"])
    assert browser.login(username=name, password=PASSWORD)[0] == 303
    return browser, browser.csrf("/live")


def staff_id(app, name) -> int:
    from store.schema import staff

    with app["live"].engine.connect() as connection:
        return connection.execute(select(staff.c.id).where(staff.c.username == name)).scalar_one()


def post_json(browser: Browser, path: str, form: Dict[str, str]) -> Tuple[int, dict]:
    """A POST as the page's script makes it: form-encoded, asking for JSON."""
    from urllib.parse import urlencode

    connection = http.client.HTTPConnection("127.0.0.1", browser.port, timeout=30)
    connection.request(
        "POST",
        path,
        body=urlencode(form),
        headers={
            "Cookie": "; ".join(f"{k}={v.value}" for k, v in browser.cookies.items()),
            "Content-Type": "application/x-www-form-urlencoded",
            "Accept": "application/json",
        },
    )
    reply = connection.getresponse()
    body = reply.read().decode()
    connection.close()
    is_json = reply.headers.get("Content-Type", "").startswith("application/json")
    return reply.status, json.loads(body) if is_json else {"html": body}


def button(page: str, label: str) -> bool:
    """Whether the page has a button with exactly this text (whatever its classes)."""
    return re.search(rf"<button[^>]*>{re.escape(label)}</button>", page) is not None


def texts(app, chat_id) -> List[Tuple[str, str]]:
    return [(m["sender"], m["text"]) for m in app["live"].messages(chat_id) if m["kind"] == "message"]


def audited(app, action) -> List[str]:
    with app["live"].engine.connect() as connection:
        return [
            row.detail for row in connection.execute(select(audit_log).where(audit_log.c.action == action))
        ]


class EventStream:
    """A raw reader of a text/event-stream: no EventSource, just the socket, with a timeout."""

    def __init__(self, browser: Browser, path: str, last_event_id: Optional[int] = None) -> None:
        self.connection = http.client.HTTPConnection("127.0.0.1", browser.port, timeout=10)
        headers = {
            "Cookie": "; ".join(f"{k}={v.value}" for k, v in browser.cookies.items()),
            "Accept": "text/event-stream",
        }
        if last_event_id is not None:
            headers["Last-Event-ID"] = str(last_event_id)
        self.connection.request("GET", path, headers=headers)
        self.reply = self.connection.getresponse()

    def next_event(self, seconds: float = 10) -> Optional[Dict[str, str]]:
        """The next event (fields name, id, data; a comment is skipped); None at the end."""
        deadline = time.monotonic() + seconds
        fields: Dict[str, str] = {}
        while time.monotonic() < deadline:
            try:
                line = self.reply.readline().decode()
            except TimeoutError:
                break
            if not line:
                return None
            line = line.rstrip("\n")
            if not line:
                if "data" in fields:
                    return fields
                fields = {}
                continue
            if line.startswith(":"):
                continue
            key, _, value = line.partition(":")
            fields[key] = value[1:] if value.startswith(" ") else value
        raise AssertionError("no event in time")

    def until(self, wanted, seconds: float = 10) -> Dict[str, str]:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            found = self.next_event(deadline - time.monotonic())
            assert found is not None, "the stream ended first"
            if wanted(found):
                return found
        raise AssertionError("not in time")

    def close(self) -> None:
        self.connection.close()


# --- the list ------------------------------------------------------------------------------------
def test_the_list_shows_a_waiting_chat_with_wait_region_audience_and_the_transcript(app):
    chat = queued(app, at=T0 - timedelta(seconds=125), typed=["Mijn zoon zit al weken thuis"])
    browser, _ = member(app, "anna")
    status, headers, page, _ = browser.request("GET", "/live")
    assert status == 200 and re.search(r"<h1[^>]*>Live gesprekken</h1>", page)
    article = page[page.index(f'id="gesprek-{chat.id}"') :]
    article = article[: article.index("</article>")]
    for shown in (
        "2:05",  # waiting since 2 minutes 5 seconds
        "standaard",
        "ouder",
        "Ouder:</strong> Ik wil graag een medewerker spreken",
        "Assistent:</strong> Ik zoek een medewerker voor je.",  # the bot's turns too
        "Ouder:</strong> Mijn zoon zit al weken thuis",  # typed while waiting
        f'action="/live/{chat.id}/aannemen"',
        "Neem gesprek aan",
    ):
        assert shown in article, shown
    assert re.search(r"<title>\(\d+\) Live gesprekken", page)  # the count of waiting chats
    assert "Content-Security-Policy" in headers and '<script src="/static/live.js"' in page
    assert "gesprek-" + str(chat.id) not in page.split("Mijn gesprekken")[1]
    assert 'href="/live">Live gesprekken</a>' in browser.request("GET", "/")[2]  # in the menu
    # Analysts do not chat.
    analyst = Browser(app["port"])
    assert analyst.login(username="ali")[0] == 303
    assert analyst.request("GET", "/live")[0] == 403
    assert analyst.request("GET", f"/live/{chat.id}")[0] == 403
    assert "Live gesprekken" not in analyst.request("GET", "/analyse")[2].split("</nav>")[0]


def test_claim_then_messages_and_a_second_member_cannot_claim_it_again(app):
    chat = queued(app, typed=["Hallo?"])
    anna, csrf = member(app, "anna")
    bert, bert_csrf = member(app, "bert")
    status, headers, _, _ = anna.request("POST", f"/live/{chat.id}/aannemen", {"csrf": csrf})
    assert status == 303 and headers["Location"] == f"/live/{chat.id}"
    assert app["live"].get(chat.id).status == ACTIVE
    assert f"gesprek {chat.id}" in audited(app, "live aangenomen")

    status, _, page, _ = bert.request("POST", f"/live/{chat.id}/aannemen", {"csrf": bert_csrf})
    assert status == 409 and "al aangenomen" in page
    assert app["live"].get(chat.id).staff_id == staff_id(app, "anna")
    assert bert.request("GET", f"/live/{chat.id}")[0] == 403  # a colleague's chat
    assert bert.request("POST", f"/live/{chat.id}/bericht", {"csrf": bert_csrf, "text": "ik ook"})[0] == 403

    status, headers, _, _ = anna.request(
        "POST", f"/live/{chat.id}/bericht", {"csrf": csrf, "text": "Hoi, ik ben Anna"}
    )
    assert status == 303 and headers["Location"] == f"/live/{chat.id}"
    status, body = post_json(anna, f"/live/{chat.id}/bericht", {"csrf": csrf, "text": "Waar gaat het over?"})
    assert status == 200 and isinstance(body["id"], int)
    assert texts(app, chat.id) == [
        ("user", "Hallo?"),
        ("staff", "Hoi, ik ben Anna"),
        ("staff", "Waar gaat het over?"),
    ]
    status, _, page, _ = anna.request("GET", f"/live/{chat.id}")
    assert status == 200 and "in gesprek met jou" in page
    assert "<strong>Jij</strong>" in page and "Hoi, ik ben Anna" in page
    assert "Aangenomen door jou." in page
    assert re.search(r'<label[^>]* for="bericht">Bericht</label>', page)
    assert re.search(r'<textarea[^>]* id="bericht" name="text"', page)
    assert button(page, "Verstuur") and button(page, "Gesprek beëindigen")
    lists = anna.request("GET", "/live")[2]
    assert f'id="gesprek-{chat.id}"' not in lists  # no longer waiting
    mine = lists.split("Mijn gesprekken")[1]
    assert re.search(rf'<a[^>]* href="/live/{chat.id}">Gesprek {chat.id}</a>', mine)


def test_another_regions_member_finds_no_chat_anywhere(app):
    chat = queued(app)
    carla, csrf = member(app, "carla")  # region voorbeeld
    assert f"gesprek-{chat.id}" not in carla.request("GET", "/live")[2]
    for path in (f"/live/{chat.id}", f"/live/{chat.id}/stream"):
        assert carla.request("GET", path)[0] == 404, path
    for action, form in [
        ("aannemen", {}),
        ("bericht", {"text": "hallo"}),
        ("einde", {"uitkomst": "afgehandeld"}),
        ("overdragen", {"aan": "1"}),
    ]:
        assert carla.request("POST", f"/live/{chat.id}/{action}", {"csrf": csrf, **form})[0] == 404, action
    assert post_json(carla, f"/live/{chat.id}/bericht", {"csrf": csrf, "text": "x"})[0] == 404
    assert app["live"].get(chat.id).status == WAITING and texts(app, chat.id) == []
    # And the other way round: her region's chat is not anna's.
    theirs = queued(app, region="voorbeeld")
    anna, _ = member(app, "anna")
    assert anna.request("GET", f"/live/{theirs.id}")[0] == 404
    assert f"gesprek-{theirs.id}" in carla.request("GET", "/live")[2]


def test_every_live_form_needs_the_csrf_token(app):
    chat = queued(app)
    anna, csrf = member(app, "anna")
    for action, form in [
        ("aannemen", {}),
        ("bericht", {"text": "x"}),
        ("einde", {"uitkomst": "afgehandeld"}),
    ]:
        status, _, page, _ = anna.request("POST", f"/live/{chat.id}/{action}", form)
        assert status == 403 and "CSRF" in page, action
    assert app["live"].get(chat.id).status == WAITING
    anna.request("POST", f"/live/{chat.id}/aannemen", {"csrf": csrf})
    for action, form in [
        ("bericht", {"text": "x", "csrf": "fout"}),
        ("einde", {"uitkomst": "afgehandeld"}),
        ("overdragen", {"aan": str(staff_id(app, "bert"))}),
    ]:
        assert anna.request("POST", f"/live/{chat.id}/{action}", form)[0] == 403, action
    assert post_json(anna, f"/live/{chat.id}/bericht", {"text": "zonder token"})[0] == 403
    got = app["live"].get(chat.id)
    assert (got.status, got.staff_id, texts(app, chat.id)) == (ACTIVE, staff_id(app, "anna"), [])


def test_transfer_goes_to_an_available_colleague_and_the_first_reads_no_more(app):
    chat = queued(app)
    anna, csrf = member(app, "anna")
    bert, bert_csrf = member(app, "bert")
    bert_id = staff_id(app, "bert")
    anna.request("POST", f"/live/{chat.id}/aannemen", {"csrf": csrf})
    anna.request("POST", f"/live/{chat.id}/bericht", {"csrf": csrf, "text": "Ik geef je door aan Bert"})

    # Bert is not switched on for chat: not offered, and refused.
    page = anna.request("GET", f"/live/{chat.id}")[2]
    assert "geen collega beschikbaar" in page and f'<option value="{bert_id}">' not in page
    assert anna.request("POST", f"/live/{chat.id}/overdragen", {"csrf": csrf, "aan": str(bert_id)})[0] == 409
    assert bert.request("POST", "/beschikbaar", {"csrf": bert_csrf, "aan": "1"})[0] == 303
    page = anna.request("GET", f"/live/{chat.id}")[2]
    assert f'<option value="{bert_id}">bert</option>' in page and button(page, "Overdragen")

    stream = EventStream(anna, f"/live/{chat.id}/stream")
    try:
        assert stream.reply.status == 200
        status, headers, _, _ = anna.request(
            "POST", f"/live/{chat.id}/overdragen", {"csrf": csrf, "aan": str(bert_id)}
        )
        assert status == 303 and headers["Location"] == "/live?gedaan=overgedragen"
        ended = stream.until(lambda e: e.get("event") == "einde")
        assert "overgedragen" in json.loads(ended["data"])["reden"]
        assert stream.next_event() is None  # and the stream is closed
    finally:
        stream.close()
        bert.request("POST", "/beschikbaar", {"csrf": bert_csrf, "aan": "0"})

    assert app["live"].get(chat.id).staff_id == bert_id
    assert f"gesprek {chat.id} aan {bert_id}" in audited(app, "live overgedragen")
    assert "overgedragen aan je collega" in anna.request("GET", "/live?gedaan=overgedragen")[2]
    assert anna.request("GET", f"/live/{chat.id}")[0] == 403
    assert anna.request("GET", f"/live/{chat.id}/stream")[0] == 403
    assert anna.request("POST", f"/live/{chat.id}/bericht", {"csrf": csrf, "text": "nog iets"})[0] == 403
    assert anna.request("POST", f"/live/{chat.id}/einde", {"csrf": csrf, "uitkomst": "afgehandeld"})[0] == 409
    status, _, page, _ = bert.request("GET", f"/live/{chat.id}")
    assert status == 200 and "Ik geef je door aan Bert" in page and "Overgedragen aan jou." in page
    assert (
        bert.request("POST", f"/live/{chat.id}/bericht", {"csrf": bert_csrf, "text": "Hoi, Bert hier"})[0]
        == 303
    )


def test_ending_makes_a_ticket_with_status_and_minutes_and_the_list_drops_it(app):
    chat = queued(app, typed=["Mijn dochter krijgt geen TLV"])
    anna, csrf = member(app, "anna")
    anna.request("POST", f"/live/{chat.id}/aannemen", {"csrf": csrf})
    anna.request("POST", f"/live/{chat.id}/bericht", {"csrf": csrf, "text": "Wat zegt de school?"})
    with app["live"].engine.begin() as connection:  # claimed 7 minutes before the app's now
        connection.execute(
            update(live_chats).where(live_chats.c.id == chat.id).values(claimed_at=T0 - timedelta(minutes=7))
        )
    status, _, page, _ = anna.request("POST", f"/live/{chat.id}/einde", {"csrf": csrf})
    assert status == 400 and "afgehandeld" in page  # an outcome must be chosen
    page = anna.request("GET", f"/live/{chat.id}")[2]
    assert (
        'value="afgehandeld"' in page and 'value="in behandeling"' in page and "Open voor opvolging" in page
    )

    status, headers, _, _ = anna.request(
        "POST", f"/live/{chat.id}/einde", {"csrf": csrf, "uitkomst": "in behandeling"}
    )
    ended = app["live"].get(chat.id)
    assert status == 303 and headers["Location"] == f"/tickets/{ended.ticket_id}"
    ticket = app["live"].tickets.get(ended.ticket_id)
    assert ticket["status"] == "in behandeling" and ticket["assigned_to"] == staff_id(app, "anna")
    assert [line["from"] for line in ticket["transcript"]] == ["user", "bot", "user", "staff"]
    assert app["live"].tickets.minutes(ended.ticket_id) == 7
    assert f"gesprek {chat.id}: in behandeling" in audited(app, "live beëindigd")
    status, _, page, _ = anna.request("GET", f"/tickets/{ended.ticket_id}")
    assert status == 200 and "7 minuten" in page and "in behandeling" in page

    lists = anna.request("GET", "/live")[2]
    assert f"/live/{chat.id}" not in lists
    status, _, page, _ = anna.request("GET", f"/live/{chat.id}")  # she is on its ticket
    assert status == 200 and "afgelopen" in page and "Verstuur" not in page and "data-stream" not in page
    assert anna.request("POST", f"/live/{chat.id}/bericht", {"csrf": csrf, "text": "nog iets"})[0] == 409


def test_user_text_is_shown_escaped_and_the_script_never_writes_html(app):
    attack = "<script>alert('x')</script><b>vet</b>"
    chat = queued(
        app,
        transcript=[{"from": "user", "text": '<img src=x onerror="alert(1)">', "time": 1}],
        typed=[attack],
    )
    anna, _ = member(app, "anna")
    for path in ("/live", f"/live/{chat.id}"):
        page = anna.request("GET", path)[2]
        assert "<script>alert" not in page and "<b>vet</b>" not in page and "<img src=x" not in page, path
        assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&lt;b&gt;vet&lt;/b&gt;" in page, path
    script = anna.request("GET", "/static/live.js")
    assert script[0] == 200 and script[1]["Content-Type"].startswith("text/javascript")
    assert "innerHTML" not in script[2] and "insertAdjacentHTML" not in script[2]
    assert "textContent" in script[2] and "EventSource" in script[2]


def test_message_size_and_rate_limits_are_refused_clearly(app):
    chat = queued(app)
    dirk, csrf = member(app, "dirk")
    dirk.request("POST", f"/live/{chat.id}/aannemen", {"csrf": csrf})
    path = f"/live/{chat.id}/bericht"
    status, body = post_json(dirk, path, {"csrf": csrf, "text": "x" * 2001})
    assert status == 413 and "2000 tekens" in body["error"]
    status, _, page, _ = dirk.request("POST", path, {"csrf": csrf, "text": "y" * 2001})
    assert status == 413 and "2000 tekens" in page and 'id="bericht"' in page  # the form, with the text
    assert post_json(dirk, path, {"csrf": csrf, "text": "   "})[0] == 400
    assert texts(app, chat.id) == []
    from steunpunt import settings

    for number in range(settings.LIVE_STAFF_MESSAGES_PER_MINUTE):  # all in the app's one minute
        assert post_json(dirk, path, {"csrf": csrf, "text": f"bericht {number}"})[0] == 200
    status, body = post_json(dirk, path, {"csrf": csrf, "text": "een te veel"})
    assert status == 429 and "te veel berichten" in body["error"]
    status, _, page, _ = dirk.request("POST", path, {"csrf": csrf, "text": "nog een"})
    assert status == 429 and "te veel berichten" in page
    assert len(texts(app, chat.id)) == settings.LIVE_STAFF_MESSAGES_PER_MINUTE


# --- live updates ----------------------------------------------------------------------------
def test_the_stream_brings_messages_written_after_it_was_opened_and_stops_at_the_end(app):
    chat = queued(app, typed=["Ben je er?"])
    anna, csrf = member(app, "anna")
    anna.request("POST", f"/live/{chat.id}/aannemen", {"csrf": csrf})
    page = anna.request("GET", f"/live/{chat.id}")[2]
    found = re.search(r'data-last="(\d+)"', page)
    assert found, "no data-last on the conversation page"
    last = int(found.group(1))
    assert f'data-stream="/live/{chat.id}/stream"' in page

    stream = EventStream(anna, f"/live/{chat.id}/stream?na={last}")
    try:
        assert stream.reply.status == 200
        assert stream.reply.headers["Content-Type"].startswith("text/event-stream")
        assert stream.reply.headers["Cache-Control"] == "no-store"
        app["live"].post_user(chat.id, "Ja, ik ben er nog <b>!</b>", T0)
        got = stream.until(lambda e: "data" in e and "event" not in e)
        line = json.loads(got["data"])
        assert (line["sender"], line["who"], line["text"]) == ("user", "Ouder", "Ja, ik ben er nog <b>!</b>")
        assert int(got["id"]) == line["id"] > last and line["time"] == "11:00"  # local time
        assert post_json(anna, f"/live/{chat.id}/bericht", {"csrf": csrf, "text": "Fijn!"})[0] == 200
        line = json.loads(stream.until(lambda e: "event" not in e)["data"])
        assert (line["sender"], line["who"], line["text"]) == ("staff", "Jij", "Fijn!")

        # A browser that reconnects goes on after the last message it had (Last-Event-ID).
        again = EventStream(anna, f"/live/{chat.id}/stream?na=0", last_event_id=line["id"] - 1)
        try:
            assert json.loads(again.until(lambda e: "event" not in e)["data"])["text"] == "Fijn!"
        finally:
            again.close()

        anna.request("POST", f"/live/{chat.id}/einde", {"csrf": csrf, "uitkomst": "afgehandeld"})
        ended = stream.until(lambda e: e.get("event") == "einde")
        assert json.loads(ended["data"])["ticket"] == f"/tickets/{app['live'].get(chat.id).ticket_id}"
        assert stream.next_event() is None
    finally:
        stream.close()


def test_the_list_stream_announces_a_newly_waiting_chat(app):
    anna, _ = member(app, "anna")
    stream = EventStream(anna, "/live/stream")
    try:
        assert stream.reply.status == 200
        opened = stream.next_event()
        assert opened is not None
        first = json.loads(opened["data"])
        assert {"waiting", "mine"} <= set(first)
        chat = queued(app, audience="jongere", typed=["Ik ben 15 en zit thuis"])
        content = json.loads(stream.until(lambda e: f'"id": {chat.id},' in e["data"])["data"])
        [shown] = [c for c in content["waiting"] if c["id"] == chat.id]
        assert shown["audience"] == "jongere" and shown["region"] == "standaard"
        assert ("Jongere", "Ik ben 15 en zit thuis") in [
            (line["who"], line["text"]) for line in shown["lines"]
        ]
    finally:
        stream.close()


def test_without_login_no_stream_and_no_live_page(app):
    anonymous = Browser(app["port"])
    for path in ("/live", "/live/stream", "/live/1", "/live/1/stream"):
        status, headers, _, _ = anonymous.request("GET", path)
        assert status == 303 and headers["Location"] == "/login", path


# --- the analysts' figures ---------------------------------------------------------------------
def test_the_analyst_view_and_report_show_the_live_figures_of_their_regions_only(app):
    live, day = app["live"], datetime(2026, 11, 10, 9, 0)  # a day no other test uses
    anna_id = staff_id(app, "anna")
    for wait, minutes in ((50, 4), (80, 6)):  # answered: median wait 65 s, 10 staff minutes
        chat = queued(app, at=day, typed=["Een vraag met een naam: Daan"])
        live.claim(chat.id, anna_id, day + timedelta(seconds=wait))
        live.end(chat.id, anna_id, "afgehandeld", day + timedelta(seconds=wait, minutes=minutes))
    live.time_out(queued(app, at=day).id, day + timedelta(minutes=3))
    live.abandon(queued(app, at=day).id, day + timedelta(minutes=1))
    queued(app, region="voorbeeld", at=day)  # another region: not in ali's figures

    analyst = Browser(app["port"])
    assert analyst.login(username="ali")[0] == 303
    status, _, page, _ = analyst.request("GET", "/analyse?van=2026-11-10&tot=2026-11-10")
    assert status == 200
    section = page[page.index('<h2 id="live">') :]
    section = section[: section.index("</section>")]
    figures = dict(re.findall(r"<dt>([^<]+)</dt><dd>([^<]+)</dd>", section))
    assert figures == {
        "Live gesprek gevraagd (in de wachtrij gezet)": "4",
        "Live beantwoord door een medewerker": "2",
        "Na wachten een vraag geworden (niemand nam op tijd aan)": "1",
        "Afgebroken in de wachtrij": "1",
        "Wachttijd tot een medewerker (mediaan, minuten:seconden)": "1:05",
        "Tijd besteed aan live gesprekken": "10 minuten",
    }
    assert "Daan" not in page and "gesprek-" not in section
    report = analyst.request("GET", "/analyse/rapport?van=2026-11-10&tot=2026-11-10")[2]
    assert "Live gesprekken met een medewerker" in report and "<dd>1:05</dd>" in report


# --- the script, in a real browser ---------------------------------------------------------------


@needs_browser
def test_in_a_browser_messages_come_and_go_without_a_reload_with_a_marker_and_a_title_count(app):
    from selenium.webdriver.common.by import By

    driver = chromium(1280, 900)
    base = f"http://127.0.0.1:{app['port']}"

    def until(condition, seconds=15):
        return browser_until(driver, condition, seconds)

    try:
        driver.get(base + "/login")
        driver.find_element(By.ID, "username").send_keys("bert")
        driver.find_element(By.ID, "password").send_keys(PASSWORD)
        driver.find_element(By.CSS_SELECTOR, "main form button").click()
        until(lambda d: "Wachtrij" in d.title)
        driver.get(base + "/live")
        driver.execute_script("window.sameLoad = true")
        # A chat that starts waiting now appears by itself, marked new, and counts in the title.
        chat = queued(app, typed=['<img src=x onerror="window.hacked = 1">Help'])
        article = until(lambda d: d.find_element(By.ID, f"gesprek-{chat.id}"))
        assert "Nieuw" in article.find_element(By.CSS_SELECTOR, ".nieuw-marker").text
        assert re.match(r"\(\d+\) Live gesprekken", driver.title)
        assert '<img src=x onerror="window.hacked = 1">Help' in article.text  # as text
        assert driver.execute_script("return window.sameLoad") is True
        article.find_element(By.XPATH, ".//button[normalize-space()='Neem gesprek aan']").click()
        until(lambda d: d.current_url.endswith(f"/live/{chat.id}"))

        # The user writes: it appears without a reload, with the marker.
        driver.execute_script("window.sameLoad = true")
        driver.execute_script("Object.defineProperty(document, 'hidden', {get: () => true})")  # tab away
        app["live"].post_user(chat.id, "Ben je daar <b>nog</b>?", T0)
        until(lambda d: "Ben je daar <b>nog</b>?" in d.find_element(By.ID, "berichten").text)
        assert driver.find_element(By.CSS_SELECTOR, "#berichten .nieuw-marker").text == "Nieuw bericht"
        assert driver.title.startswith("(1) Gesprek")
        assert driver.execute_script("return window.hacked") is None
        assert not driver.find_elements(By.CSS_SELECTOR, "#berichten img, #berichten b")

        # Staff answer: sent with fetch (the page stays), the message comes back by the stream.
        box = driver.find_element(By.ID, "bericht")
        box.send_keys("Ja, ik ben er. Vertel het maar.")
        driver.find_element(By.XPATH, "//button[normalize-space()='Verstuur']").click()
        until(lambda d: "Ja, ik ben er. Vertel het maar." in d.find_element(By.ID, "berichten").text)
        assert box.get_attribute("value") == "" and driver.execute_script("return window.sameLoad") is True
        assert not driver.find_elements(By.CSS_SELECTOR, "#berichten .nieuw-marker")  # seen
        assert texts(app, chat.id)[-1] == ("staff", "Ja, ik ben er. Vertel het maar.")

        # Ending: a form post, on to the ticket.
        driver.find_element(By.XPATH, "//label[normalize-space()='Afgehandeld']").click()
        driver.find_element(By.XPATH, "//button[normalize-space()='Gesprek beëindigen']").click()
        until(lambda d: "/tickets/" in d.current_url)
        assert app["live"].get(chat.id).status == "ended"
    finally:
        driver.quit()
