"""Live chat availability (issue 25, item 1): staff presence in the store and the per-region
availability sentence. Fixed times only: never today's date."""

import re
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select, update

from library.availability import availability
from library.hours import parse_hours
from steunpunt import clock
from store import db, presence
from store.accounts import Accounts
from store.schema import audit_log, staff_presence

PASSWORD = "een heel lang wachtwoord"
#: Monday 7 December 2026, 10:00 UTC (11:00 in Amsterdam).
T0 = datetime(2026, 12, 7, 10, 0)
HOURS = parse_hours(
    {
        "maandag": "9.00-16.00",
        "dinsdag": "9.00-12.00, 13.00-16.00",
        "woensdag": "9.00-16.00",
        "donderdag": "9.00-16.00",
        "gesloten": ["2026-12-24"],
    }
)


@pytest.fixture
def engine(tmp_path):
    url = f"sqlite:///{tmp_path / 'store.db'}"
    yield db.engine_for(url)
    db._engines.pop(url, None)


@pytest.fixture
def accounts(engine):
    return Accounts(engine, session_hours=8)


def member(accounts, name, role="medewerker", regions=()):
    """A new account, logged in at T0; returns (staff id, session token)."""
    staff_id = accounts.create(name, PASSWORD, role=role, regions=regions)
    with clock.frozen(T0):
        token = accounts.login(name, PASSWORD, "127.0.0.1")
    assert token
    return staff_id, token


def test_a_member_switched_on_counts_and_switching_off_is_audited(engine, accounts):
    anna, _ = member(accounts, "anna", regions=None)
    assert presence.available_staff(engine, "standaard", T0) == []
    presence.set_available(engine, anna, True, T0)
    assert presence.available_staff(engine, "standaard", T0) == [anna]
    assert presence.is_available(engine, anna, T0)
    presence.set_available(engine, anna, False, T0 + timedelta(minutes=1))
    assert presence.available_staff(engine, "standaard", T0 + timedelta(minutes=1)) == []
    assert not presence.is_available(engine, anna, T0 + timedelta(minutes=1))
    with engine.connect() as connection:
        actions = connection.execute(select(audit_log.c.action, audit_log.c.staff_id)).all()
    assert ("beschikbaar voor chat", anna) in actions
    assert ("niet beschikbaar voor chat", anna) in actions


def test_presence_expires_when_idle_and_a_page_request_keeps_it(engine, accounts):
    anna, _ = member(accounts, "anna", regions=None)
    presence.set_available(engine, anna, True, T0)
    later = T0 + timedelta(minutes=11)
    assert presence.available_staff(engine, "standaard", later, idle_minutes=10) == []
    assert presence.available_staff(engine, "standaard", T0 + timedelta(minutes=10), idle_minutes=10) == [
        anna
    ]
    presence.touch(engine, anna, T0 + timedelta(minutes=9), idle_minutes=10)
    assert presence.available_staff(engine, "standaard", later, idle_minutes=10) == [anna]
    # Once idle, using the staff app again does not switch the member back on.
    presence.touch(engine, anna, T0 + timedelta(minutes=20), idle_minutes=10)
    assert presence.available_staff(engine, "standaard", T0 + timedelta(minutes=20), idle_minutes=10) == []
    assert not presence.is_available(engine, anna, T0 + timedelta(minutes=20), idle_minutes=10)


def test_the_idle_limit_is_a_setting(engine, accounts, monkeypatch):
    from steunpunt import settings

    anna, _ = member(accounts, "anna", regions=None)
    presence.set_available(engine, anna, True, T0)
    monkeypatch.setattr(settings, "LIVE_IDLE_MINUTES", 2)
    assert presence.available_staff(engine, "standaard", T0 + timedelta(minutes=3)) == []
    monkeypatch.setattr(settings, "LIVE_IDLE_MINUTES", 5)
    assert presence.available_staff(engine, "standaard", T0 + timedelta(minutes=3)) == [anna]


def test_presence_ends_with_the_session(engine, accounts):
    anna, _ = member(accounts, "anna", regions=None)
    presence.set_available(engine, anna, True, T0 + timedelta(hours=7, minutes=55))
    # The session (8 hours from T0) has expired, though the member was seen a minute ago.
    assert presence.available_staff(engine, "standaard", T0 + timedelta(hours=8, minutes=1)) == []
    assert presence.available_staff(engine, "standaard", T0 + timedelta(hours=7, minutes=59)) == [anna]


def test_logout_and_revoked_sessions_end_presence(engine, accounts):
    anna, token = member(accounts, "anna", regions=None)
    bert, _ = member(accounts, "bert", regions=None)
    presence.set_available(engine, anna, True, T0)
    presence.set_available(engine, bert, True, T0)
    accounts.logout(token)
    assert presence.available_staff(engine, "standaard", T0) == [bert]
    with clock.frozen(T0):
        accounts.revoke_sessions("bert")
    assert presence.available_staff(engine, "standaard", T0) == []
    # Logging in again does not switch anna back on: she must choose to be available.
    with clock.frozen(T0):
        assert accounts.login("anna", PASSWORD, "127.0.0.1")
    assert presence.available_staff(engine, "standaard", T0) == []


def test_a_disabled_account_does_not_count(engine, accounts):
    anna, _ = member(accounts, "anna", regions=None)
    presence.set_available(engine, anna, True, T0)
    with clock.frozen(T0):
        accounts.disable("anna")
    assert presence.available_staff(engine, "standaard", T0) == []


def test_only_staff_of_the_region_count_and_analysts_never(engine, accounts):
    national, _ = member(accounts, "nina", regions=None)
    north, _ = member(accounts, "noor", regions=["noord", "oost"])
    analyst, _ = member(accounts, "ali", role="analist", regions=None)
    for staff_id in (national, north, analyst):
        presence.set_available(engine, staff_id, True, T0)
    assert presence.available_staff(engine, "noord", T0) == [national, north]
    assert presence.available_staff(engine, "oost", T0) == [national, north]
    assert presence.available_staff(engine, "zuid", T0) == [national]


def test_now_when_open_and_someone_available():
    result = availability(HOURS, 2, datetime(2026, 12, 7, 11, 0))
    assert result == {"open": True, "staff": True, "now": True, "next_opening": None, "text": "Nu bereikbaar"}


def test_open_but_nobody_available_is_not_now():
    result = availability(HOURS, 0, datetime(2026, 12, 7, 11, 0))
    assert result["open"] and not result["staff"] and not result["now"]
    assert (
        result["text"] == "Er is op dit moment geen medewerker beschikbaar voor chat. Laat een vraag achter."
    )


def test_closed_gives_the_next_opening_in_dutch():
    # Thursday 10 December, 17:00: next is Monday 14 December, 9.00.
    result = availability(HOURS, 3, datetime(2026, 12, 10, 17, 0))
    assert not result["open"] and result["staff"] and not result["now"]
    assert result["next_opening"] == "2026-12-14T09:00:00"
    assert result["text"] == "Het steunpunt is weer bereikbaar op maandag 14 december om 9.00 uur."
    # Tuesday's lunch break: the same day at 13.00; an aware local time is read as local.
    from zoneinfo import ZoneInfo

    lunch = datetime(2026, 12, 8, 12, 30, tzinfo=ZoneInfo("Europe/Amsterdam"))
    assert (
        availability(HOURS, 1, lunch)["text"]
        == "Het steunpunt is weer bereikbaar op dinsdag 8 december om 13.00 uur."
    )
    # A closed day (24 December) is skipped.
    assert availability(HOURS, 1, datetime(2026, 12, 23, 16, 30))["next_opening"] == "2026-12-28T09:00:00"


def test_without_structured_hours_the_sentence_is_shown_and_it_is_never_now():
    result = availability(None, 4, datetime(2026, 12, 7, 11, 0), "op werkdagen van 9.00 tot 17.00 uur")
    assert result == {
        "open": False,
        "staff": True,
        "now": False,
        "next_opening": None,
        "text": "Het steunpunt is bereikbaar op werkdagen van 9.00 tot 17.00 uur.",
    }
    assert availability(None, 0, datetime(2026, 12, 7, 11, 0))["text"] == "Laat een vraag achter."


# --- the staff app's control, over real HTTP ---------------------------------------------------
FROZEN = "2026-12-07T10:00:00"  # the staff app's clock (STEUNPUNT_FROZEN_NOW): T0


@pytest.fixture
def staff_app(tmp_path):
    from tests.test_staff_web import start_app

    yield from start_app(tmp_path, STEUNPUNT_FROZEN_NOW=FROZEN)


def control_state(page):
    found = re.search(r'<button aria-pressed="(true|false)"[^>]*>Beschikbaar voor chat</button>', page)
    assert found, "no control 'Beschikbaar voor chat' on the queue page"
    return found.group(1) == "true"


def test_staff_switch_themselves_on_and_off_with_the_control_audited(staff_app):
    from tests.test_staff_web import Browser

    engine = staff_app["store"].engine
    browser = Browser(staff_app["port"])
    assert browser.login()[0] == 303
    status, _, page, _ = browser.request("GET", "/")
    assert status == 200 and control_state(page) is False
    assert "Je staat uit voor live chat." in page
    csrf = browser.csrf("/")

    # Without the form token nothing changes.
    status, _, page, _ = browser.request("POST", "/beschikbaar", {"aan": "1"})
    assert status == 403 and "CSRF" in page
    assert presence.available_staff(engine, "standaard", T0) == []

    status, headers, _, _ = browser.request("POST", "/beschikbaar", {"csrf": csrf, "aan": "1"})
    assert status == 303 and headers["Location"] == "/"
    page = browser.request("GET", "/")[2]
    assert control_state(page) is True and "Je staat aan voor live chat" in page
    [anna] = presence.available_staff(engine, "standaard", T0)
    assert presence.available_staff(engine, "andere-regio", T0) == []  # anna sees her region only

    # Every page request of hers refreshes last_seen: set it back, then ask a page.
    with engine.begin() as connection:
        connection.execute(update(staff_presence).values(last_seen=T0 - timedelta(minutes=9)))
    assert presence.available_staff(engine, "standaard", T0 + timedelta(minutes=2)) == []
    assert browser.request("GET", "/tickets/1")[0] == 200
    assert presence.available_staff(engine, "standaard", T0 + timedelta(minutes=2)) == [anna]

    # After an idle hour, opening the queue shows the switch off: she chooses again.
    with engine.begin() as connection:
        connection.execute(update(staff_presence).values(last_seen=T0 - timedelta(hours=1)))
    assert control_state(browser.request("GET", "/")[2]) is False
    assert browser.request("POST", "/beschikbaar", {"csrf": csrf, "aan": "1"})[0] == 303
    assert control_state(browser.request("GET", "/")[2]) is True

    assert browser.request("POST", "/beschikbaar", {"csrf": csrf, "aan": "0"})[0] == 303
    assert control_state(browser.request("GET", "/")[2]) is False
    assert presence.available_staff(engine, "standaard", T0) == []
    with engine.connect() as connection:
        audited = connection.execute(
            select(audit_log.c.action, audit_log.c.staff_id).order_by(audit_log.c.id)
        ).all()
    assert [tuple(row) for row in audited] == [
        ("beschikbaar voor chat", anna),
        ("beschikbaar voor chat", anna),
        ("niet beschikbaar voor chat", anna),
    ]


def test_logging_out_ends_availability_and_analysts_have_no_control(staff_app):
    from tests.test_staff_web import PASSWORD as STAFF_PASSWORD, Browser, create_account, staff_env

    engine = staff_app["store"].engine
    browser = Browser(staff_app["port"])
    browser.login()
    csrf = browser.csrf("/")
    browser.request("POST", "/beschikbaar", {"csrf": csrf, "aan": "1"})
    assert len(presence.available_staff(engine, "standaard", T0)) == 1
    assert browser.request("POST", "/logout", {"csrf": csrf})[0] == 303
    assert presence.available_staff(engine, "standaard", T0) == []

    env = {**staff_env(Path(str(engine.url.database)).parent), "STEUNPUNT_DATABASE_URL": str(engine.url)}
    create_account(env, "ali", role="analist")
    analyst = Browser(staff_app["port"])
    assert analyst.login(username="ali", password=STAFF_PASSWORD)[0] == 303
    analyst_csrf = analyst.csrf("/analyse")
    status, _, page, _ = analyst.request("POST", "/beschikbaar", {"csrf": analyst_csrf, "aan": "1"})
    assert status == 403 and "niet voor jouw rol" in page
    assert "Beschikbaar voor chat" not in analyst.request("GET", "/analyse")[2]
    assert presence.available_staff(engine, "standaard", T0) == []


# --- the widget's endpoint on the Rasa port ------------------------------------------------------
@pytest.fixture(scope="module")
def rasa_at_t0(tmp_path_factory):
    """The lightweight Rasa server of tests/test_channels.py, its clock frozen at T0 (a Monday,
    11.00 in Amsterdam: the fictional voorbeeld region is open)."""
    from tests.test_channels import run_channels_server

    yield from run_channels_server(
        tmp_path_factory.mktemp("availability"),
        STEUNPUNT_FROZEN_NOW=T0.isoformat(),
        STEUNPUNT_LIVE_AVAILABILITY_CACHE_SECONDS="0",  # each answer fresh: the test changes presence
    )


def get_json(url, origin=None):
    import json
    import urllib.request

    request = urllib.request.Request(url, headers={"Origin": origin} if origin else {})
    with urllib.request.urlopen(request, timeout=10) as reply:
        return reply.status, reply.headers, json.loads(reply.read())


def test_the_widget_endpoint_says_whether_a_person_is_reachable_in_the_region(rasa_at_t0):
    from steunpunt import settings

    url = rasa_at_t0.base + "/webhooks/status/availability?region="
    status, _, body = get_json(url + "voorbeeld")
    assert status == 200
    assert body == {
        "open": True,
        "staff": False,
        "now": False,
        "next_opening": "2026-12-08T09:00:00",
        "text": "Er is op dit moment geen medewerker beschikbaar voor chat. Laat een vraag achter.",
    }

    engine = db.engine_for(rasa_at_t0.database)
    accounts = Accounts(engine)
    staff_id, _ = member(accounts, "vera-voorbeeld", regions=["voorbeeld"])
    presence.set_available(engine, staff_id, True, T0)
    status, headers, body = get_json(url + "voorbeeld", origin=settings.SITE_ORIGINS[0])
    assert body["now"] is True and body["text"] == "Nu bereikbaar" and body["next_opening"] is None
    assert headers["Access-Control-Allow-Origin"] == settings.SITE_ORIGINS[0]
    assert headers["Cache-Control"] == "no-store"
    assert "vera" not in json_text(body)  # no names, no counts of staff

    # An unknown region is the default region, which gives no structured hours and whose
    # staff (none here: vera sees only voorbeeld) do not count.
    _, headers, body = get_json(url + "bestaat-niet", origin="https://evil.invalid")
    assert body["open"] is False and body["staff"] is False and body["now"] is False
    assert body["text"] and "[" not in body["text"]
    assert "Access-Control-Allow-Origin" not in headers
    assert get_json(rasa_at_t0.base + "/webhooks/status/availability")[2] == body
    db._engines.pop(rasa_at_t0.database, None)


def json_text(body):
    import json

    return json.dumps(body)


def test_the_widget_asks_for_availability_when_opened_and_at_most_once_a_minute():
    """A source check (the browser test of the widget lives in tests/test_browser.py): the status
    line is plain text, asked for on opening, not polled faster than once a minute."""
    source = (Path(__file__).resolve().parent.parent / "website/assets/src/widget.js").read_text()
    assert '"/webhooks/status/availability"' in source
    opened = source[source.index("function setOpen(") :]
    assert "checkAvailability();" in opened[: opened.index("\n}\n")]
    asked = source[source.index("function checkAvailability(") :]
    assert "< 60000) return;" in asked[: asked.index("\n}\n")]
    assert "availability.textContent =" in asked and "innerHTML" not in asked
    assert "setInterval" not in source


def test_the_public_availability_answer_is_reused_per_region_for_a_few_seconds(monkeypatch):
    """Anyone may ask: a flood of requests must not cost a presence query each."""
    import asyncio

    from channels import status
    from steunpunt import settings

    asked: list = []

    def counted(library, region):
        asked.append(region)
        return {"r": region}

    monkeypatch.setattr(status, "_answers", {})
    monkeypatch.setattr(status, "region_availability", counted)
    monkeypatch.setattr(settings, "LIVE_AVAILABILITY_CACHE_SECONDS", 60.0)

    async def ask(*regions):
        return [await status.cached_availability(region) for region in regions]

    assert asyncio.run(ask("voorbeeld", "voorbeeld", "standaard", "voorbeeld")) == [
        {"r": "voorbeeld"},
        {"r": "voorbeeld"},
        {"r": "standaard"},
        {"r": "voorbeeld"},
    ]
    assert asked == ["voorbeeld", "standaard"]
    monkeypatch.setattr(settings, "LIVE_AVAILABILITY_CACHE_SECONDS", 0.0)
    asyncio.run(ask("voorbeeld"))
    assert asked == ["voorbeeld", "standaard", "voorbeeld"]
