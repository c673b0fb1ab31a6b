"""A WhatsApp ticket's reply from the staff app (issue 27), over real HTTP against a fake Graph API.

Why these tests: Meta lets us write freely only within 24 hours of the user's last message. A
reply written in time must reach the user's WhatsApp once (also when Meta stumbles first); one
written too late, or refused, must be stored all the same, and the staff member must be told
which of these happened. The number and the text never go into the audit log.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from steunpunt import clock
from store.conversations import conversation_key
from store.whatsapp import WhatsAppStore
from tests.support.fake_graph import FakeGraph
from tests.support.servers import TEST_SECRET
from tests.test_staff_web import Browser, start_app

TOKEN = "test-whatsapp-token"
WA_ID, PHONE_NUMBER_ID, SENDER = "31612345678", "1111", "wa-test1"
WINDOW_OVER = "Het WhatsApp-venster van 24 uur is voorbij"


@pytest.fixture
def fake():
    graph = FakeGraph().start()
    yield graph
    graph.stop()


@pytest.fixture
def app(tmp_path, fake, monkeypatch):
    """A staff app whose Graph API is the fake (three attempts per message), with ticket 2 from
    the WhatsApp conversation SENDER; its way back is put in by each test (`routes`)."""
    # The test process seals the number with the deployment's secret, as the Rasa server would.
    monkeypatch.setenv("STEUNPUNT_SECRET_KEY", TEST_SECRET)
    yield from _with_whatsapp_ticket(
        start_app(
            tmp_path,
            STEUNPUNT_WHATSAPP_API_URL=fake.url,
            STEUNPUNT_WHATSAPP_TOKEN=TOKEN,
            STEUNPUNT_WHATSAPP_SEND_ATTEMPTS="3",
        )
    )


def _with_whatsapp_ticket(started):
    for app in started:
        ticket = app["store"].create(
            audience="ouder",
            channel="whatsapp",
            topic_guess=[],
            transcript=[{"from": "user", "text": "Mijn kind zit thuis", "time": 1}],
            description="Thuiszitter",
            contact=None,
            conversation=SENDER,
        )
        assert ticket.id == 2
        app["routes"] = WhatsAppStore(app["store"].engine, TEST_SECRET.encode())
        yield app


def logged_in(app):
    browser = Browser(app["port"])
    assert browser.login()[0] == 303
    return browser


def post_reply(browser, ticket_id, text):
    """The reply form, then the page it leads to: (Location, page)."""
    csrf = browser.csrf(f"/tickets/{ticket_id}")
    status, headers, _, _ = browser.request(
        "POST", f"/tickets/{ticket_id}/antwoord", {"csrf": csrf, "text": text}
    )
    assert status == 303
    return headers["Location"], browser.request("GET", headers["Location"])[2]


def whatsapp_audit(app, ticket_id=2):
    return [entry for entry in app["store"].audit_entries(ticket_id) if "WhatsApp" in entry["action"]]


def test_a_reply_within_the_window_is_sent_over_whatsapp(app, fake):
    now = clock.now()
    app["routes"].remember(SENDER, WA_ID, PHONE_NUMBER_ID, now)
    browser = logged_in(app)
    page = browser.request("GET", "/tickets/2")[2]
    until = clock.to_local(now + timedelta(hours=24)).strftime("%d-%m-%Y %H:%M")
    assert f"Via WhatsApp: je antwoord wordt via WhatsApp verstuurd (kan tot {until})" in page
    assert "Antwoord (wordt via WhatsApp verstuurd en vastgelegd)" in page

    reply = "Neem contact op met de school.\n\nBel ons gerust."
    location, page = post_reply(browser, 2, reply)
    assert location == "/tickets/2?whatsapp=verstuurd"
    assert "Je antwoord is opgeslagen en via WhatsApp verstuurd." in page
    [message] = fake.wait_for(1, timeout=5)
    assert (message.to, message.phone_number_id, message.authorization) == (
        WA_ID,
        PHONE_NUMBER_ID,
        f"Bearer {TOKEN}",
    )
    assert message.text == f"Antwoord van het steunpunt op je vraag SP-00002:\n\n{reply}"
    assert app["store"].get(2)["reply"] == reply
    [entry] = whatsapp_audit(app)
    assert entry["action"] == "antwoord verstuurd via WhatsApp" and entry["detail"] == ""

    # Longer than one WhatsApp message (4096): sent in pieces, in order, nothing lost.
    long_reply = " ".join(["Dit is een lange uitleg over passend onderwijs."] * 100)
    assert len(long_reply) > 4096
    location, _ = post_reply(browser, 2, long_reply)
    assert location == "/tickets/2?whatsapp=verstuurd"
    pieces = [m.text for m in fake.messages()[1:]]
    assert len(pieces) == 2 and all(len(piece) <= 4096 for piece in pieces)
    assert (
        " ".join(pieces).split() == f"Antwoord van het steunpunt op je vraag SP-00002: {long_reply}".split()
    )

    # Nothing about the user or the text in the audit log's WhatsApp lines.
    for entry in whatsapp_audit(app):
        assert WA_ID not in entry["action"] + entry["detail"] and "school" not in entry["detail"]

    # A ticket from the website chat: no WhatsApp status, nothing sent.
    page = browser.request("GET", "/tickets/1")[2]
    assert "WhatsApp" not in page
    location, _ = post_reply(browser, 1, "Antwoord voor de website")
    assert location == "/tickets/1" and len(fake.messages()) == 3


def test_after_the_window_the_reply_is_only_stored_and_the_page_says_so(app, fake):
    app["routes"].remember(SENDER, WA_ID, PHONE_NUMBER_ID, clock.now() - timedelta(hours=25))
    browser = logged_in(app)
    page = browser.request("GET", "/tickets/2")[2]
    assert WINDOW_OVER in page and "Via WhatsApp:" not in page
    assert "de gebruiker leest dit met de code in WhatsApp" in page

    location, page = post_reply(browser, 2, "Te laat, maar wel bewaard.")
    assert location == "/tickets/2?whatsapp=venster"
    assert "niet via WhatsApp verstuurd: het venster van 24 uur is voorbij" in page
    assert fake.messages() == []
    assert app["store"].get(2)["reply"] == "Te laat, maar wel bewaard."
    [entry] = whatsapp_audit(app)
    assert entry["action"] == "antwoord niet via WhatsApp verstuurd: venster voorbij"


def test_a_ticket_without_a_way_back_says_the_window_is_over(app, fake):
    """No route at all (purged after the window, or never kept): the same as a closed window."""
    browser = logged_in(app)
    assert WINDOW_OVER in browser.request("GET", "/tickets/2")[2]
    location, _ = post_reply(browser, 2, "Bewaard.")
    assert location == "/tickets/2?whatsapp=venster" and fake.messages() == []


def test_a_send_that_meta_refuses_twice_with_500_is_delivered_once_after_retries(app, fake):
    app["routes"].remember(SENDER, WA_ID, PHONE_NUMBER_ID, clock.now())
    fake.fail_next(500, 500)
    browser = logged_in(app)
    location, _ = post_reply(browser, 2, "Na twee keer proberen.")
    assert location == "/tickets/2?whatsapp=verstuurd"
    assert fake.failures == []  # both refusals were met: the third attempt went through
    [message] = fake.messages()
    assert message.text.endswith("Na twee keer proberen.")
    [entry] = whatsapp_audit(app)
    assert entry["action"] == "antwoord verstuurd via WhatsApp"


def test_a_send_refused_with_400_is_not_retried_and_the_page_says_it_failed(app, fake):
    app["routes"].remember(SENDER, WA_ID, PHONE_NUMBER_ID, clock.now())
    fake.fail_next(400, 400)
    browser = logged_in(app)
    location, page = post_reply(browser, 2, "Dit komt niet aan.")
    assert location == "/tickets/2?whatsapp=mislukt"
    assert re.search(r'role="alert" id="whatsapp-uitkomst">.*versturen via WhatsApp is mislukt', page)
    assert fake.failures == [(400, None)]  # one attempt only: a 4xx does not get better by trying again
    assert fake.messages() == []
    assert app["store"].get(2)["reply"] == "Dit komt niet aan."  # stored all the same
    [entry] = whatsapp_audit(app)
    assert entry["action"] == "antwoord niet via WhatsApp verstuurd: mislukt (status 400)"
    assert entry["detail"] == "code 100"  # Meta's error code, nothing of the user


def test_erasing_the_ticket_deletes_its_way_back(app, fake):
    app["routes"].remember(SENDER, WA_ID, PHONE_NUMBER_ID, clock.now())
    browser = logged_in(app)
    assert "Via WhatsApp:" in browser.request("GET", "/tickets/2")[2]
    csrf = browser.csrf("/tickets/2")
    assert browser.request("POST", "/tickets/2/wissen", {"csrf": csrf, "zeker": "ja"})[0] == 303
    assert app["routes"].route_by_key(conversation_key(SENDER, TEST_SECRET.encode())) is None
    assert WINDOW_OVER in browser.request("GET", "/tickets/2")[2]
