"""Live chat through the running assistant (issue 25): a parent in the widget's socket.io channel
and a staff member writing through the store from another process (this test process), as
the staff app does. The clock of every process is frozen on a Monday inside the example
region's opening hours; nothing depends on today's date.

The staff app's own pages and the two-browser test are in tests/test_live_staff.py and
tests/test_browser.py; the relay's chores with a fixed clock are in tests/test_live_relay.py.
"""

from __future__ import annotations

import sqlite3
import time
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from store import db, presence
from store.accounts import Accounts
from store.live import LiveStore
from store.tickets import TicketStore
from tests.support.browser import chromium, needs_browser, until as browser_until
from tests.support.servers import OPEN_MONDAY, TEST_SECRET, assistant, available_colleague, http
from tests.support.widget import SocketChat, kind

PASSWORD = "een heel lang wachtwoord"
REGION = {"region": "voorbeeld", "audience": "ouder"}


#: Inside the example region's opening hours (tests/support/servers.py).
MONDAY = datetime.fromisoformat(OPEN_MONDAY)


@pytest.fixture(scope="module")
def server(model_path, tmp_path_factory):
    with assistant(tmp_path_factory.mktemp("live"), {"STEUNPUNT_FROZEN_NOW": MONDAY.isoformat()}) as running:
        yield running


@pytest.fixture(scope="module")
def desk(server):
    """The staff member's side: a logged-in colleague of the example region, available."""
    engine = db.engine_for(server.env["STEUNPUNT_DATABASE_URL"])
    anna = available_colleague(server.env["STEUNPUNT_DATABASE_URL"], "anna", PASSWORD, MONDAY)
    live = LiveStore(TicketStore(engine, TEST_SECRET.encode(), tracker_db=server.env["STEUNPUNT_TRACKER_DB"]))
    return live, anna, engine


def wait_for(condition, what, timeout=15.0):
    deadline = time.time() + timeout
    while not condition():
        if time.time() > deadline:
            raise AssertionError(f"no {what} within {timeout} s")
        time.sleep(0.05)


def queued_widget(server):
    widget = SocketChat(server)
    widget.start()
    replies = widget.say("Ik wil graag een medewerker spreken", REGION, wait_for="live_offer")
    offer = next(m for m in replies if kind(m) == "live_offer")
    assert [b["payload"] for b in offer["buttons"]] == ["/live_chat", "/leave_question"]
    replies = widget.say("/live_chat", REGION, wait_for="live_queued")
    return widget, next(m for m in replies if kind(m) == "live_queued")["custom"]


def test_a_parent_chats_with_a_person_and_the_bot_steps_aside(server, desk):
    live, anna, _ = desk
    widget, queued = queued_widget(server)
    assert queued["place"] >= 1 and queued["code"]
    start = widget.send("Mijn zoon krijgt geen TLV, wat nu?", REGION, message_id="user-msg-0001")
    wait_for(lambda: "user-msg-0001" in widget.acks, "acknowledgement of the user's message")
    time.sleep(1.0)
    assert widget.received[start:] == []  # no answer, no clarify, no offer: the bot steps aside
    chat = live.open_chat(widget.session)
    assert chat is not None and chat.status == "waiting" and chat.region == "voorbeeld"
    assert any(line["from"] == "bot" for line in chat.transcript)  # the staff member reads it all

    live.claim(chat.id, anna, MONDAY)
    wait_for(lambda: any(kind(m) == "live_status" for m in widget.received[start:]), "claimed notice")
    for number in range(1, 4):
        live.post_staff(chat.id, anna, f"Bericht {number} van Anna", MONDAY)
        widget.send(f"Antwoord {number} van de ouder", REGION, message_id=f"user-msg-000{number + 1}")
    wait_for(
        lambda: len([m for m in widget.received if kind(m) == "live_message"]) == 3, "three staff messages"
    )
    staff_texts = [m["text"] for m in widget.received if kind(m) == "live_message"]
    assert staff_texts == ["Bericht 1 van Anna", "Bericht 2 van Anna", "Bericht 3 van Anna"]
    wait_for(lambda: len(widget.acks) == 4, "four acknowledgements")
    widget.send("Antwoord 3 van de ouder", REGION, message_id="user-msg-0004")  # sent again
    wait_for(lambda: len(widget.acks) == 5, "the resent message's acknowledgement")
    user_texts = [m["text"] for m in live.messages(chat.id) if m["sender"] == "user"]
    assert user_texts == ["Mijn zoon krijgt geen TLV, wat nu?"] + [
        f"Antwoord {n} van de ouder" for n in (1, 2, 3)
    ]

    before_end = len(widget.received)
    number = live.end(chat.id, anna, "afgehandeld", MONDAY + timedelta(minutes=4))
    widget.wait(
        lambda: any(kind(m) == "feedback" for m in widget.received[before_end:]), 20, "feedback", before_end
    )
    ended = next(m for m in widget.received[before_end:] if kind(m) == "live_ended")
    assert ended["custom"]["ticket"] == number and number in ended["text"]
    assert any(m["text"] == "Had je hier iets aan?" for m in widget.received[before_end:])
    start = widget.send("ja", REGION)
    widget.wait(lambda: len(widget.received) > start, 20, "thanks", start)
    assert widget.received[start]["text"].startswith("Fijn")

    ticket = live.tickets.get(int(number.split("-")[1]))
    assert ticket["status"] == "afgehandeld" and ticket["assigned_to"] == anna
    assert [line["from"] for line in ticket["transcript"]].count("staff") == 3
    assert live.tickets.minutes(ticket["id"]) == 4
    assert live.tickets.lookup_code(queued["code"], "someone-else").ticket["id"] == ticket["id"]
    # The tracker kept the user's live turns (as plain user turns, without NLU).
    with sqlite3.connect(server.env["STEUNPUNT_TRACKER_DB"]) as connection:
        stored = " ".join(row[0] for row in connection.execute("SELECT data FROM events"))
    assert "Antwoord 2 van de ouder" in stored and "Bericht 2 van Anna" in stored
    assert queued["code"] not in stored
    widget.close()


def test_a_widget_that_reconnects_gets_what_it_missed_once(server, desk):
    live, anna, _ = desk
    widget, _ = queued_widget(server)
    session = widget.session
    chat = live.open_chat(session)
    live.claim(chat.id, anna, MONDAY)
    live.post_staff(chat.id, anna, "Eerste", MONDAY)
    wait_for(lambda: any(m.get("text") == "Eerste" for m in widget.received), "the first message")
    seen = max(m["custom"]["id"] for m in widget.received if kind(m) in ("live_message", "live_status"))
    widget.close(abort=True)
    live.post_staff(chat.id, anna, "Gemist terwijl je weg was", MONDAY)
    again = SocketChat(server)
    again.start(session, live_after=seen)
    wait_for(
        lambda: any(m.get("text") == "Gemist terwijl je weg was" for m in again.received), "the missed one"
    )
    assert [m.get("text") for m in again.received].count("Eerste") == 0
    again.send("Ik ben er weer", REGION, message_id="back-again-01")
    wait_for(lambda: "back-again-01" in again.acks, "acknowledgement after the reconnect")
    live.end(chat.id, anna, "in behandeling", MONDAY)
    wait_for(lambda: any(kind(m) == "live_ended" for m in again.received), "the end")
    again.close()


def test_when_the_last_colleague_goes_offline_the_wait_becomes_a_ticket_without_retyping(server, desk):
    live, anna, engine = desk
    widget, queued = queued_widget(server)
    widget.send("Mijn dochter wordt gepest en school doet niets", REGION, message_id="pest-msg-0001")
    wait_for(lambda: "pest-msg-0001" in widget.acks, "acknowledgement")
    start = len(widget.received)
    presence.set_available(engine, anna, False, MONDAY)
    try:
        widget.wait(
            lambda: any(kind(m) == "live_timeout" for m in widget.received[start:]), 20, "live_timeout", start
        )
        # A parent is asked only how to be reached: the description is what they typed.
        widget.wait(
            lambda: any("bereiken" in (m.get("text") or "") for m in widget.received[start:]),
            20,
            "contact",
            start,
        )
        replies = widget.say("nee", REGION, wait_for="handoff")
        confirmation = next(m for m in replies if kind(m) == "handoff")
        assert not confirmation["custom"]["code"]  # the code shown in the queue reads it back
        number = confirmation["custom"]["ticket"]
        ticket = live.tickets.lookup_code(queued["code"], "someone").ticket
        assert ticket is not None and f"SP-{ticket['id']:05d}" == number
        assert (
            live.tickets.get(ticket["id"])["description"] == "Mijn dochter wordt gepest en school doet niets"
        )
    finally:
        presence.set_available(engine, anna, True, MONDAY)
    widget.close()


def test_rest_users_get_the_ticket_flow_as_before(server, desk):
    status, replies = http(
        f"{server.base}/webhooks/rest/webhook",
        {"sender": "rest-live-1", "message": "Ik wil een medewerker spreken", "metadata": REGION},
    )
    assert status == 200
    kinds = [(m.get("custom") or {}).get("type") for m in replies]
    assert "live_offer" not in kinds  # REST has no push: the ticket flow, as before
    assert any((m.get("text") or "").startswith("Ik zet je vraag door") for m in replies)


# --- in real Chromium: a parent at 320 px and a staff member at 1280 px ---------------------------
AXE = (
    Path(__file__).resolve().parent.parent / "website" / "assets" / "node_modules" / "axe-core" / "axe.min.js"
)


def until(driver, condition, timeout=30):
    return browser_until(driver, condition, seconds=timeout, poll=0.5)


def axe_violations(driver):
    driver.execute_script(AXE.read_text())
    return driver.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a','wcag2aa','wcag21a','wcag21aa']}})"
        ".then(r => done(r.violations.map("
        "v => v.id + ': ' + v.nodes.map(n => n.target.join(' ')).slice(0, 3))))"
        ".catch(e => done(['axe-error: ' + e]));"
    )


@needs_browser
def test_in_two_browsers_a_parent_and_a_colleague_chat_live_from_offer_to_feedback(server, desk):
    from selenium.webdriver.common.by import By

    engine = desk[2]
    Accounts(engine, session_hours=8).create("bea", PASSWORD, regions=["voorbeeld"])
    staff_url = f"http://127.0.0.1:{server.env['STEUNPUNT_STAFF_PORT']}"
    staff, parent = chromium(1280, 800), chromium(320, 800)
    try:
        # The colleague logs in and goes online.
        staff.get(staff_url + "/login")
        staff.find_element(By.ID, "username").send_keys("bea")
        staff.find_element(By.ID, "password").send_keys(PASSWORD)
        staff.find_element(By.CSS_SELECTOR, "main form button").click()
        until(
            staff, lambda d: d.find_element(By.XPATH, "//button[normalize-space()='Beschikbaar voor chat']")
        ).click()
        until(staff, lambda d: d.find_element(By.XPATH, "//button[@aria-pressed='true']"))
        staff.find_element(By.LINK_TEXT, "Live gesprekken").click()

        # The parent opens the widget, asks for a person and chooses to chat now.
        parent.get(server.site + "/demo?regio=voorbeeld&doelgroep=ouder")
        until(parent, lambda d: d.find_element(By.CSS_SELECTOR, ".steunpunt-launcher")).click()
        until(
            parent,
            lambda d: "Nu bereikbaar" in d.find_element(By.CSS_SELECTOR, ".steunpunt-availability").text,
        )
        parent.find_element(By.ID, "steunpunt-input").send_keys("Ik wil graag een medewerker spreken")
        parent.find_element(By.CSS_SELECTOR, ".steunpunt-form button[type=submit]").click()
        until(
            parent, lambda d: d.find_element(By.XPATH, "//button[normalize-space()='Ja, nu chatten']")
        ).click()
        until(parent, lambda d: d.find_element(By.CSS_SELECTOR, ".steunpunt-code-box"))
        assert "Je bent nummer 1" in parent.find_element(By.CSS_SELECTOR, "[role=log]").text

        # The colleague sees the waiting parent without reloading, and takes the conversation.
        claim = "//button[normalize-space()='Neem gesprek aan']"
        until(staff, lambda d: d.find_element(By.XPATH, claim)).click()
        until(
            parent,
            lambda d: "Je praat nu met een medewerker" in d.find_element(By.CSS_SELECTOR, "[role=log]").text,
        )
        for number in range(1, 4):
            box = until(staff, lambda d: d.find_element(By.ID, "bericht"))
            box.send_keys(f"Medewerker zegt {number}")
            staff.find_element(By.XPATH, "//button[normalize-space()='Verstuur']").click()
            until(
                parent,
                lambda d, n=number: len(d.find_elements(By.CSS_SELECTOR, ".steunpunt-msg--staff")) == n,
            )
            parent.find_element(By.ID, "steunpunt-input").send_keys(f"Ouder zegt {number}")
            parent.find_element(By.CSS_SELECTOR, ".steunpunt-form button[type=submit]").click()
            until(staff, lambda d, n=number: f"Ouder zegt {n}" in d.find_element(By.ID, "berichten").text)
        staff_said = [e.text for e in parent.find_elements(By.CSS_SELECTOR, ".steunpunt-msg--staff")]
        assert [text.splitlines()[-1] for text in staff_said] == [f"Medewerker zegt {n}" for n in (1, 2, 3)]
        # No answer of the bot came in between: only the staff member's and the parent's.
        assert not parent.find_elements(By.CSS_SELECTOR, ".steunpunt-answer-title")
        if AXE.exists():
            assert axe_violations(parent) == []
            assert axe_violations(staff) == []

        # The colleague ends it; the parent is asked whether it helped.
        for control in (
            "//label[normalize-space()='Afgehandeld']",
            "//button[normalize-space()='Gesprek beëindigen']",
        ):
            element = staff.find_element(By.XPATH, control)
            staff.execute_script("arguments[0].scrollIntoView({block: 'center'})", element)
            element.click()
        until(parent, lambda d: "Had je hier iets aan?" in d.find_element(By.CSS_SELECTOR, "[role=log]").text)
        assert (
            "Het gesprek met de medewerker is beëindigd"
            in parent.find_element(By.CSS_SELECTOR, "[role=log]").text
        )
        until(staff, lambda d: "/tickets/" in d.current_url)
    except Exception:
        # What each side saw, as artifacts of the failed run.
        folder = Path(__file__).resolve().parent.parent / "results" / "browser"
        folder.mkdir(parents=True, exist_ok=True)
        parent.save_screenshot(str(folder / "live-parent-320-failed.png"))
        staff.save_screenshot(str(folder / "live-staff-1280-failed.png"))
        raise
    finally:
        staff.quit()
        parent.quit()


def test_without_opening_hours_now_asking_for_a_person_is_the_ticket_flow_as_before(server, desk):
    """The default region gives its hours only as a sentence: nobody knows when it is open, so
    a colleague switched on for every region is still not offered live there."""
    engine = desk[2]
    accounts = Accounts(engine, session_hours=8)
    nora = accounts.create("nora", PASSWORD, regions=None)  # national: every region
    from steunpunt import clock

    with clock.frozen(MONDAY):
        assert accounts.login("nora", PASSWORD, "127.0.0.1")
    presence.set_available(engine, nora, True, MONDAY)
    widget = SocketChat(server)
    widget.start()
    start = widget.send("Ik wil een medewerker spreken", {"region": "standaard", "audience": "jongere"})
    widget.wait(
        lambda: any("Waar wil je hulp bij?" in (m.get("text") or "") for m in widget.received[start:]),
        30,
        "the handoff form's question",
        start,
    )
    assert not any(kind(m) in ("live_offer", "live_queued") for m in widget.received[start:])
    presence.set_available(engine, nora, False, MONDAY)
    widget.close()
