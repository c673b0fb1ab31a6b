"""WhatsApp through the running assistant (issue 27). This test plays Meta: it sends signed
webhooks to `/webhooks/whatsapp/webhook` and reads what the assistant sends from a local fake
Graph API (tests/support/fake_graph.py). The clock of every process is frozen on a Monday within
the example region's opening hours; nothing depends on today's date.

Two numbers of the steunpunt: NUMBER is the example region's (content/regions/voorbeeld/
regio.yml names it), OTHER_NUMBER is named nowhere and gets the default region, whose facts
have no opening hours: there a request for a person is always the ticket flow.
"""

from __future__ import annotations

import asyncio
import json
import sqlite3
import threading
import time
import urllib.parse
from datetime import datetime, timedelta
from pathlib import Path
from typing import List

import pytest

from staff import whatsapp as staff_whatsapp
from steunpunt import settings
from store import db, presence
from store.accounts import Accounts
from store.live import LiveStore
from store.tickets import TicketStore
from tests.support import meta
from tests.support.fake_graph import FakeGraph, Received
from tests.support.meta import (
    NUMBER,
    TOKEN,
    VERIFY_TOKEN,
    button,
    list_choice,
    media,
    signed,
    text_message,
    webhook,
)
from tests.support.servers import OPEN_MONDAY, TEST_SECRET, assistant, available_colleague, http, status_of

OTHER_NUMBER = "200000000000002"
MONDAY = datetime.fromisoformat(OPEN_MONDAY)
PASSWORD = "een heel lang wachtwoord"
#: Every WhatsApp number this module writes from: none may end up in a store or the log.
USED_NUMBERS: List[str] = []


@pytest.fixture(scope="module")
def fake():
    fake = FakeGraph().start()
    yield fake
    fake.stop()


@pytest.fixture(scope="module")
def server(model_path, tmp_path_factory, fake):
    env = {"STEUNPUNT_FROZEN_NOW": MONDAY.isoformat(), **meta.env(fake.url)}
    with assistant(tmp_path_factory.mktemp("whatsapp"), env) as running:
        yield running


def new_number() -> str:
    number = f"316{10000000 + len(USED_NUMBERS) * 7919:08d}"
    USED_NUMBERS.append(number)
    return number


def post(server, body: bytes, signature: str | None = "sign") -> int:
    headers = {}
    if signature == "sign":
        headers["X-Hub-Signature-256"] = signed(body)
    elif signature is not None:
        headers["X-Hub-Signature-256"] = signature
    return http(server.base + "/webhooks/whatsapp/webhook", raw=body, headers=headers)[0]


def settled(
    fake: FakeGraph, wa_id: str, before: int, timeout: float = 30.0, quiet: float = 1.2
) -> List[Received]:
    """The messages sent to `wa_id` after the first `before`, once nothing new came for `quiet` s."""
    deadline = time.monotonic() + timeout
    count, last_change = before, time.monotonic()
    while time.monotonic() < deadline:
        now_count = len(fake.messages(wa_id))
        if now_count != count:
            count, last_change = now_count, time.monotonic()
        elif count > before and time.monotonic() - last_change >= quiet:
            break
        time.sleep(0.05)
    return fake.messages(wa_id)[before:]


def say(server, fake, wa_id: str, message: dict, number: str = NUMBER) -> List[Received]:
    before = len(fake.messages(wa_id))
    assert post(server, webhook(wa_id, message, number)) == 200
    return settled(fake, wa_id, before)


def choices(messages: List[Received]) -> List[str]:
    return [choice["id"] for m in messages for choice in m.choices]


def all_text(messages: List[Received]) -> str:
    return "\n".join(m.text for m in messages)


# --- the webhook ---------------------------------------------------------------------------------
def test_meta_s_handshake_returns_the_challenge_only_for_our_token(server):
    url = server.base + "/webhooks/whatsapp/webhook?"
    good = {"hub.mode": "subscribe", "hub.verify_token": VERIFY_TOKEN, "hub.challenge": "1158201444"}
    with urllib.request.urlopen(url + urllib.parse.urlencode(good), timeout=10) as response:
        assert response.status == 200 and response.read() == b"1158201444"
        assert response.headers["Content-Type"].startswith("text/plain")
    assert status_of(url + urllib.parse.urlencode({**good, "hub.verify_token": "geraden"})) == 403
    assert status_of(url + urllib.parse.urlencode({**good, "hub.mode": "unsubscribe"})) == 403
    assert status_of(url + "hub.mode=subscribe") == 403


def test_a_forged_or_missing_signature_is_refused_and_nothing_is_processed(server, fake):
    wa_id = new_number()
    body = webhook(wa_id, text_message("Wat is een TLV?"))
    assert post(server, body, signature=None) == 401
    assert post(server, body, signature=signed(body, "een ander geheim")) == 403
    assert post(server, body, signature="sha256=" + "0" * 64) == 403
    assert post(server, body + b" ", signature=signed(body)) == 403  # the signature of other bytes
    time.sleep(2.0)
    assert fake.messages(wa_id) == []
    # the refused message left nothing: the signed one is still answered, once
    assert say(server, fake, wa_id, json.loads(body)["entry"][0]["changes"][0]["value"]["messages"][0])


def test_a_question_is_answered_through_the_graph_api_with_the_token_to_the_sender(server, fake):
    wa_id = new_number()
    replies = say(server, fake, wa_id, text_message("Wat is een TLV?"))
    assert replies, "no answer through the Graph API"
    assert all(m.authorization == f"Bearer {TOKEN}" for m in replies)
    assert all(m.phone_number_id == NUMBER and m.to == wa_id for m in replies)
    text = all_text(replies)
    assert "toelaatbaarheidsverklaring" in text.lower()
    assert "https://" in text  # the sources, as plain links
    assert all(len(m.text) <= 4096 for m in replies)
    # "Zie ook" topics, then who is asking (the answer has a youth wording), as buttons
    assert any(c.startswith("/info_") for c in choices(replies))
    assert {"/iam_parent", "/iam_youth"} <= set(choices(replies))
    noted = say(server, fake, wa_id, button("/iam_parent", "Ouder of verzorger"))
    assert all_text(noted).startswith("Dank je")


def test_a_redelivered_message_is_answered_once(server, fake):
    wa_id = new_number()
    message = text_message("Wat is een OPP?")
    first = say(server, fake, wa_id, message)
    assert first
    for _ in range(2):  # Meta redelivers when it did not see our 200 in time
        assert post(server, webhook(wa_id, message)) == 200
    time.sleep(3.0)
    assert len(fake.messages(wa_id)) == len(first)


def test_pictures_and_voice_messages_are_refused_politely_and_not_stored(server, fake):
    wa_id = new_number()
    image = media("image", "MEDIA-ID-IMAGE")
    replies = say(server, fake, wa_id, image)
    assert len(replies) == 1 and "alleen tekst lezen" in replies[0].text
    assert "Steunpunt Voorbeeldregio" in replies[0].text  # how to reach this region's steunpunt
    voice = media("audio", "MEDIA-ID-VOICE")
    assert "alleen tekst lezen" in say(server, fake, wa_id, voice, number=OTHER_NUMBER)[0].text
    with sqlite3.connect(server.env["STEUNPUNT_TRACKER_DB"]) as connection:
        stored = " ".join(str(row) for row in connection.execute("SELECT data FROM events"))
    assert "MEDIA-ID" not in stored and "image/jpeg" not in stored


def test_a_region_s_number_gets_that_region_s_facts(server, fake):
    ours = say(server, fake, new_number(), media("sticker", "1"))
    other = say(server, fake, new_number(), media("sticker", "2"), number=OTHER_NUMBER)
    assert "Voorbeeldregio" in ours[0].text and "Voorbeeldregio" not in other[0].text
    assert other[0].phone_number_id == OTHER_NUMBER  # answered from the number written to


def test_a_clarify_question_comes_as_buttons_and_a_choice_answers_it(server, fake):
    wa_id = new_number()
    replies = []
    for vague in ("school", "hulp nodig", "papieren voor school", "mijn kind en school"):
        replies = say(server, fake, wa_id, text_message(vague))
        if any(c.startswith("/info_") for c in choices(replies)):
            break
    topics = [c for c in choices(replies) if c.startswith("/info_")]
    assert topics, f"no clarify among the vague questions: {all_text(replies)!r}"
    interactive = [m for m in replies if m.choices][-1]
    assert interactive.body["interactive"]["type"] in ("button", "list")
    if interactive.body["interactive"]["type"] == "button":
        assert all(len(c["title"]) <= 20 for c in interactive.choices) and len(interactive.choices) <= 3
    else:
        assert all(len(c["title"]) <= 24 for c in interactive.choices) and len(interactive.choices) <= 10
    answer = say(server, fake, wa_id, list_choice(topics[0]))
    assert "Had je hier iets aan?" in all_text(answer) and "https://" in all_text(answer)


# --- handoff ---------------------------------------------------------------------------------------
def tickets_of(server) -> TicketStore:
    engine = db.engine_for(server.env["STEUNPUNT_DATABASE_URL"])
    return TicketStore(engine, TEST_SECRET.encode(), tracker_db=server.env["STEUNPUNT_TRACKER_DB"])


def test_a_parent_hands_off_with_the_whatsapp_number_as_contact_only_when_chosen(server, fake, monkeypatch):
    wa_id = new_number()
    start = say(server, fake, wa_id, text_message("Ik wil graag een medewerker spreken"), OTHER_NUMBER)
    assert "/iam_parent" in choices(start)  # who is writing? (buttons that fit WhatsApp)
    asked = say(server, fake, wa_id, button("/iam_parent", "Ouder of verzorger"), OTHER_NUMBER)
    assert "Waar wil je hulp bij?" in all_text(asked)
    contact = say(
        server,
        fake,
        wa_id,
        text_message("Mijn zoon zit thuis sinds de zomer en er is geen school."),
        OTHER_NUMBER,
    )
    assert "het nummer waarmee je nu WhatsAppt" in all_text(contact)
    assert choices(contact) == ["/affirm", "/deny"]
    done = say(server, fake, wa_id, button("/affirm", "Ja, dit nummer"), OTHER_NUMBER)
    assert "We nemen contact met je op" in all_text(done)
    number = next(word for word in all_text(done).replace(".", " ").split() if word.startswith("SP-"))
    ticket = tickets_of(server).get(int(number.split("-")[1]))
    assert ticket is not None
    assert ticket["channel"] == "whatsapp" and ticket["contact"] == f"+{wa_id}"
    assert "Mijn zoon zit thuis" in (ticket["description"] or "")

    # A colleague's reply reaches the parent in WhatsApp (the staff app's own send, staff/whatsapp.py;
    # its pages and the window's end are tested in tests/test_whatsapp_staff.py).
    monkeypatch.setenv("STEUNPUNT_SECRET_KEY", TEST_SECRET)  # the deployment's key seals the number
    monkeypatch.setattr(settings, "WHATSAPP_API_URL", fake.url)
    monkeypatch.setattr(settings, "WHATSAPP_TOKEN", TOKEN)
    before = len(fake.messages(wa_id))
    tickets = tickets_of(server)
    bram = Accounts(tickets.engine, session_hours=8).create("bram-wa", PASSWORD)
    tickets.reply(ticket["id"], "We bellen je morgen om 10 uur.", bram)
    outcome = asyncio.run(staff_whatsapp.deliver(tickets, ticket, "We bellen je morgen om 10 uur.", bram))
    assert outcome == staff_whatsapp.SENT
    [delivered] = settled(fake, wa_id, before)
    assert delivered.to == wa_id and delivered.phone_number_id == OTHER_NUMBER
    assert number in delivered.text and "We bellen je morgen om 10 uur." in delivered.text


def test_a_parent_who_says_no_gets_a_code_and_no_number_is_kept(server, fake):
    wa_id = new_number()
    say(server, fake, wa_id, text_message("Ik wil graag een medewerker spreken"), OTHER_NUMBER)
    say(server, fake, wa_id, button("/iam_parent"), OTHER_NUMBER)
    say(server, fake, wa_id, text_message("Het gaat over het OPP van mijn dochter."), OTHER_NUMBER)
    done = say(server, fake, wa_id, button("/deny", "Nee"), OTHER_NUMBER)
    assert "Je code is" in all_text(done)
    number = next(word for word in all_text(done).replace(".", " ").split() if word.startswith("SP-"))
    ticket = tickets_of(server).get(int(number.split("-")[1]))
    assert ticket is not None and ticket["contact"] is None


def test_a_youth_hears_that_whatsapp_shows_their_number_and_is_offered_the_website(server, fake):
    wa_id = new_number()
    say(server, fake, wa_id, text_message("Ik wil graag een medewerker spreken"), OTHER_NUMBER)
    told = say(server, fake, wa_id, button("/iam_youth", "Leerling"), OTHER_NUMBER)
    text = all_text(told)
    assert "niet anoniem" in text and "website" in text
    assert text.index("niet anoniem") < text.index("Waar wil je hulp bij?")  # before anything is asked
    done = say(
        server, fake, wa_id, text_message("Ik word gepest in de klas en niemand doet iets."), OTHER_NUMBER
    )
    assert "Je code is" in all_text(done)  # youths are never asked for contact data


# --- live chat ---------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def desk(server):
    """A logged-in colleague of the example region, available for live chat."""
    anna = available_colleague(server.env["STEUNPUNT_DATABASE_URL"], "anna-wa", PASSWORD, MONDAY)
    yield LiveStore(tickets_of(server)), anna
    presence.set_available(db.engine_for(server.env["STEUNPUNT_DATABASE_URL"]), anna, False, MONDAY)


def test_live_chat_works_over_whatsapp(server, fake, desk):
    live, anna = desk
    wa_id = new_number()
    offer = say(server, fake, wa_id, text_message("Ik wil graag een medewerker spreken"))
    assert choices(offer) == ["/live_chat", "/leave_question"]
    queued = say(server, fake, wa_id, button("/live_chat", "Ja, nu chatten"))
    assert "wachtrij" in all_text(queued) and "Je code is" in all_text(queued)
    chat = next(c for c in live.waiting() if c.channel == "whatsapp")
    assert (
        chat.region == "voorbeeld" and chat.conversation.startswith("wa-") and wa_id not in chat.conversation
    )

    before = len(fake.messages(wa_id))
    assert post(server, webhook(wa_id, text_message("Mijn zoon krijgt geen TLV."))) == 200
    deadline = time.monotonic() + 15
    while not any(m["sender"] == "user" for m in live.messages(chat.id)) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert [m["text"] for m in live.messages(chat.id) if m["sender"] == "user"] == [
        "Mijn zoon krijgt geen TLV."
    ]
    live.claim(chat.id, anna, MONDAY)
    live.post_staff(chat.id, anna, "Hoi, ik ben Anna. Vertel eens?", MONDAY)
    staff = settled(fake, wa_id, before)
    texts = [m.text for m in staff]
    assert "Je praat nu met een medewerker van het steunpunt." in texts
    assert "Medewerker van het steunpunt:\nHoi, ik ben Anna. Vertel eens?" in texts
    assert texts.count("Medewerker van het steunpunt:\nHoi, ik ben Anna. Vertel eens?") == 1
    assert not any("toelaatbaarheidsverklaring" in t.lower() for t in texts)  # the bot stepped aside

    before = len(fake.messages(wa_id))
    number = live.end(chat.id, anna, "afgehandeld", MONDAY + timedelta(minutes=3))
    ended = settled(fake, wa_id, before)
    assert number in all_text(ended) and "Had je hier iets aan?" in all_text(ended)
    ticket = live.tickets.get(int(number.split("-")[1]))
    assert ticket is not None and ticket["channel"] == "whatsapp"


# --- many at once, and privacy -------------------------------------------------------------------------
def test_twenty_senders_at_once_each_get_their_own_answer(server, fake):
    senders = [new_number() for _ in range(20)]
    statuses: List[int] = []

    def write(wa_id: str) -> None:
        statuses.append(post(server, webhook(wa_id, text_message("Wat is een MDO?"))))

    threads = [threading.Thread(target=write, args=(wa_id,)) for wa_id in senders]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert statuses == [200] * 20
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and not all(fake.messages(w) for w in senders):
        time.sleep(0.2)
    for wa_id in senders:
        received = fake.messages(wa_id)
        assert received and all(m.to == wa_id for m in received), wa_id
        assert "overleg" in all_text(received).lower() or "mdo" in all_text(received).lower()


def test_no_whatsapp_number_is_in_the_tracker_store_the_signals_or_the_log(server):
    """Runs last: every number this module wrote from, searched in every store and the log."""
    assert len(USED_NUMBERS) >= 25
    places = {
        "tracker store": Path(server.env["STEUNPUNT_TRACKER_DB"]),
        "log": server.log,
    }
    with sqlite3.connect(server.env["STEUNPUNT_DATABASE_URL"][len("sqlite:///") :]) as connection:
        signals = " ".join(str(row) for row in connection.execute("SELECT * FROM signals"))
        kinds = {row[0] for row in connection.execute("SELECT channel FROM signals")}
        tickets = list(connection.execute("SELECT contact FROM tickets WHERE channel = 'whatsapp'"))
    assert "whatsapp" in kinds  # the turns' signals carry the channel
    for number in USED_NUMBERS:
        assert number not in signals, "a WhatsApp number in the signals"
        for name, path in places.items():
            assert number.encode() not in path.read_bytes(), f"a WhatsApp number in the {name}"
    # the only number kept in plain text is the one a parent chose as contact
    assert [c for (c,) in tickets if c] and all(c.startswith("+316") for (c,) in tickets if c)
