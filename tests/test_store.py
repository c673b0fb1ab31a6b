"""Ticket store and staff accounts, on SQLite and (with TEST_DATABASE_URL) on PostgreSQL."""

import contextlib
import json
import os
import sqlite3
from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import create_engine, select, text

from steunpunt import clock
from steunpunt.codes import ALPHABET, new_code, normalise
from store import db, throttle, tickets as ticket_module
from store.accounts import Accounts
from store.schema import audit_log, metadata, tickets
from store.tickets import TicketStore
from tests.support.servers import TEST_SECRET
from tests.support.services import skip_unless

SECRET = TEST_SECRET.encode()
#: PostgreSQL only with TEST_DATABASE_URL; without it those tests are listed as skipped at the end.
BACKENDS = ["sqlite", "postgresql"]


def fresh_postgres(url):
    engine = create_engine(url, future=True)
    with engine.begin() as connection:
        metadata.drop_all(connection)
        connection.execute(text("DROP TABLE IF EXISTS alembic_version"))
    engine.dispose()
    db._engines.pop(url, None)
    return url


@pytest.fixture(params=BACKENDS)
def engine(request, tmp_path):
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'store.db'}"
    else:
        skip_unless(os.environ.get("TEST_DATABASE_URL"), "PostgreSQL (TEST_DATABASE_URL)")
        url = fresh_postgres(os.environ["TEST_DATABASE_URL"])
    yield db.engine_for(url)
    db._engines.pop(url, None)


@pytest.fixture
def store(engine, tmp_path):
    return TicketStore(engine, SECRET, tracker_db=str(tmp_path / "trackers.db"))


def new_ticket(store, contact=None, audience="jongere", topic="tlv-wat-is"):
    return store.create(
        audience=audience,
        channel="rest",
        topic_guess=[{"topic": topic, "confidence": 0.41}],
        transcript=[{"from": "user", "text": "help", "time": 1.0}],
        description="Ik wil hulp",
        contact=contact,
    )


def test_codes_are_unambiguous_and_typed_forgivingly():
    code = new_code()
    assert len(code) == 9 and code[4] == "-"
    assert not set("0O1IL") & set(ALPHABET)
    assert normalise(code.lower().replace("-", " ")) == code.replace("-", "")
    assert normalise("ABCD-EFG0") is None and normalise("kort") is None


def test_sqlite_runs_in_wal_mode(engine):
    if engine.dialect.name != "sqlite":
        pytest.skip("SQLite only")
    with engine.connect() as connection:
        assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"


def test_migrations_can_run_again(engine):
    db.migrate(str(engine.url))  # idempotent: no error, tables stay
    with engine.connect() as connection:
        assert connection.execute(select(tickets)).all() == []


def test_a_youth_ticket_gets_a_code_and_only_its_hash_is_stored(store, engine):
    ticket = new_ticket(store)
    assert ticket.number == "SP-00001" and ticket.code
    with engine.connect() as connection:
        row = connection.execute(select(tickets)).mappings().one()
    assert ticket.code not in str(dict(row)) and ticket.code.replace("-", "") not in str(dict(row))
    assert row["status"] == "nieuw" and row["transcript"][0]["text"] == "help"
    found = store.lookup_code(ticket.code.lower(), "conversation-1")
    assert found.ticket["id"] == 1 and found.wait_seconds == 0


def test_a_parent_who_leaves_contact_gets_no_code(store):
    ticket = new_ticket(store, contact="ouder@voorbeeld.nl", audience="ouder")
    assert ticket.code is None
    assert store.get(1)["contact"] == "ouder@voorbeeld.nl"


def test_wrong_codes_reveal_nothing_and_are_slowed_down(store):
    new_ticket(store)
    answers = [store.lookup_code(code, "guesser") for code in ("AAAA-AAAA", "not a code", "BBBB-BBBB")]
    assert all(a.ticket is None and a.wait_seconds == 0 for a in answers)
    blocked = store.lookup_code("CCCC-CCCC", "guesser")
    assert blocked.ticket is None and blocked.wait_seconds > 0
    assert store.lookup_code("DDDD-DDDD", "someone-else").wait_seconds == 0


def test_throttle_delay_grows_and_expires(engine):
    start = datetime(2026, 1, 1, 12, 0, 0)
    for _ in range(4):
        throttle.record_failure(engine, "k", start)
    assert throttle.wait_seconds(engine, "k", free=3, now=start) == 60
    assert throttle.wait_seconds(engine, "k", free=3, now=start + timedelta(seconds=61)) == 0
    throttle.reset(engine, "k")
    assert throttle.wait_seconds(engine, "k", free=0, now=start) == 0


def test_staff_changes_are_stored_and_audited(store, engine):
    staff_id = Accounts(engine).create("anna", "een lang wachtwoord")
    new_ticket(store)
    store.assign(1, staff_id)
    store.set_status(1, "in behandeling", staff_id)
    store.add_note(1, "Moeder gebeld", staff_id)
    store.reply(1, "We helpen je graag verder.", staff_id)
    ticket = store.get(1)
    assert (ticket["status"], ticket["assigned_name"], ticket["reply"]) == (
        "in behandeling",
        "anna",
        "We helpen je graag verder.",
    )
    assert [n["text"] for n in store.notes(1)] == ["Moeder gebeld"]
    assert [(a["username"], a["action"]) for a in store.audit_entries(1)] == [
        ("anna", "toegewezen"),
        ("anna", "status"),
        ("anna", "notitie"),
        ("anna", "antwoord"),
    ]
    with pytest.raises(ValueError, match="unknown status"):
        store.set_status(1, "weg", staff_id)
    with pytest.raises(KeyError):
        store.set_status(99, "afgehandeld", staff_id)


def test_queue_filters_and_counts(store, engine):
    staff_id = Accounts(engine).create("bob", "een lang wachtwoord")
    new_ticket(store, audience="jongere", topic="tlv-wat-is")
    new_ticket(store, contact="0612345678", audience="ouder", topic="opp-wat-is")
    store.set_status(2, "afgehandeld", staff_id)
    assert store.counts() == {"nieuw": 1, "in behandeling": 0, "afgehandeld": 1}
    assert [t["id"] for t in store.search()] == [2, 1]
    assert [t["id"] for t in store.search(status="nieuw")] == [1]
    assert [t["id"] for t in store.search(audience="ouder")] == [2]
    assert [t["id"] for t in store.search(topic="opp-wat-is")] == [2]
    today = clock.today()  # filters are days where the staff are
    assert len(store.search(since=today, until=today)) == 2
    assert store.search(until=today - timedelta(days=1)) == []


def test_date_filters_are_local_days_while_rows_are_stamped_in_utc(store, engine, monkeypatch):
    """Half past midnight on 1 December in the Netherlands is 23:30 UTC on 30 November."""
    from sqlalchemy import update

    monkeypatch.setattr(ticket_module.settings, "TIMEZONE", "Europe/Amsterdam")
    new_ticket(store)
    with engine.begin() as connection:
        connection.execute(update(tickets).values(created_at=datetime(2026, 11, 30, 23, 30)))
    december, november = date(2026, 12, 1), date(2026, 11, 30)
    assert [t["id"] for t in store.search(since=december, until=december)] == [1]
    assert store.search(since=november, until=november) == []
    assert clock.day_range(december, december) == (
        datetime(2026, 11, 30, 23, 0),
        datetime(2026, 12, 1, 23, 0),
    )
    summer = date(2026, 7, 1)  # summer time: two hours ahead of UTC
    assert clock.day_start(summer) == datetime(2026, 6, 30, 22, 0)


def test_accounts_hash_passwords_and_throttle_logins(engine):
    accounts = Accounts(engine)
    accounts.create("carla", "een lang wachtwoord")
    with pytest.raises(ValueError, match="bestaat al"):
        accounts.create("carla", "nog een lang wachtwoord")
    with pytest.raises(ValueError, match="minstens"):
        accounts.create("kort", "kort")
    token = accounts.login("carla", "een lang wachtwoord", "127.0.0.1")
    assert token is not None
    session = accounts.session(token)
    assert session is not None and session.username == "carla" and session.csrf_token
    accounts.logout(token)
    assert accounts.session(token) is None
    for _ in range(5):
        assert accounts.login("carla", "fout", "127.0.0.1") is None
    assert accounts.login_wait("carla", "127.0.0.1") > 0
    with engine.connect() as connection:
        stored = connection.execute(text("SELECT password_hash FROM staff")).scalar()
    assert stored.startswith("$argon2id$")


# --- issue 13: throttles, accounts and erasure --------------------------------------------------
def test_a_very_long_conversation_id_is_still_counted(store):
    """On PostgreSQL the unhashed key overflowed its column, the insert failed before the count
    and guessing was unlimited."""
    new_ticket(store)
    long_id = "x" * 5000
    for code in ("AAAA-AAAA", "BBBB-BBBB", "CCCC-CCCC"):
        assert store.lookup_code(code, long_id, "client-a").wait_seconds == 0
    assert store.lookup_code("DDDD-DDDD", long_id, "client-a").wait_seconds > 0


def test_rotating_conversation_ids_does_not_escape_the_client_limit(store):
    from store.tickets import CODE_CLIENT_FREE_FAILURES

    for n in range(CODE_CLIENT_FREE_FAILURES):
        assert store.lookup_code("AAAA-AAAA", f"rotating-{n}", "client-a").wait_seconds == 0
    assert store.lookup_code("AAAA-AAAA", "rotating-new", "client-a").wait_seconds > 0


def test_many_wrong_codes_elsewhere_never_lock_out_a_valid_code(store, caplog):
    from store import tickets as ticket_module

    ticket = new_ticket(store)
    stamp = clock.now()
    for _ in range(ticket_module.CODE_GLOBAL_ALARM):
        throttle.record_failure(store.engine, "code:*", stamp)
    found = store.lookup_code(ticket.code, "own-conversation", "own-client")
    assert found.ticket is not None and found.wait_seconds == 0


def test_code_checks_fail_closed_when_the_database_cannot_count(store, monkeypatch):
    from sqlalchemy.exc import OperationalError

    ticket = new_ticket(store)

    def broken(*args, **kwargs):
        raise OperationalError("UPDATE attempts", {}, Exception("database is locked"))

    monkeypatch.setattr(throttle, "record_failure", broken)
    found = store.lookup_code(ticket.code, "conversation", "client")
    assert found.ticket is None and found.wait_seconds > 0


def test_a_right_code_takes_back_its_counted_attempt(store):
    ticket = new_ticket(store)
    for _ in range(20):
        assert store.lookup_code(ticket.code, f"c-{_}", "same-client").ticket is not None
    assert store.lookup_code(ticket.code, "c-last", "same-client").wait_seconds == 0


def test_tickets_per_client_are_limited(store, monkeypatch):
    from steunpunt import settings

    monkeypatch.setattr(settings, "TICKETS_PER_CLIENT_HOUR", 3)
    assert [store.may_create("flooder") for _ in range(4)] == [True, True, True, False]
    assert store.may_create("someone-else")


def test_tickets_from_all_clients_have_an_hourly_cap_that_opens_again(store, monkeypatch):
    """Issue 24: new addresses started afresh, and there was no cap across clients. The cap's hour
    starts with its first ticket: a steady stream of tries does not keep it closed for good."""
    from steunpunt import settings

    monkeypatch.setattr(settings, "TICKETS_PER_HOUR", 2)
    start, made = datetime(2026, 6, 1, 9, 0), []
    for step in range(8):  # a try every 20 minutes, each from a new address
        with clock.frozen(start + timedelta(minutes=20 * step)):
            made.append(store.may_create(f"address-{step}"))
    assert made == [True, True, False, True, True, False, True, True]


def test_login_name_is_normalised_once_for_lookup_and_throttle(engine):
    accounts = Accounts(engine)
    accounts.create("anna", "een lang wachtwoord")
    for name in (" anna", "anna ", "ANNA", "\tanna"):
        for _ in range(2):
            assert accounts.login(name, "fout wachtwoord!", "1.2.3.4") is None
    assert accounts.login_wait("anna", "1.2.3.4") > 0  # the same bucket, whatever the spacing
    assert accounts.login_wait("anna", "5.6.7.8") == 0  # the owner, elsewhere, is not locked out
    assert accounts.login(" anna ", "een lang wachtwoord", "5.6.7.8") is not None  # one account


def test_failed_logins_from_one_ipv6_64_count_together(engine):
    """One home or phone picks new addresses in its /64 at will: counted per exact IPv6 address,
    every fresh address got its own five guesses at a name and twenty at any names."""
    accounts = Accounts(engine)
    accounts.create("anna", "een lang wachtwoord")
    for n in range(5):
        assert accounts.login("anna", "fout wachtwoord!", f"2001:db8:1:2::{n + 1}") is None
    assert accounts.login_wait("anna", "2001:db8:1:2:ffff::9") > 0  # the name, from that /64
    for n in range(15):
        assert accounts.login(f"naam{n}", "fout wachtwoord!", f"2001:db8:1:2::{n + 100}") is None
    assert accounts.login_wait("bert", "2001:db8:1:2::abc") > 0  # any name, from that /64
    assert accounts.login_wait("bert", "2001:db8:1:3::1") == 0  # the next /64 is someone else
    assert accounts.login(" anna ", "een lang wachtwoord", "2001:db8:1:3::1") is not None


def test_parallel_logins_from_a_clean_address_get_one_guess_at_a_locked_name(engine, monkeypatch):
    """Checking the waits and counting a failure were separate steps with the password check
    between them: requests sent at once from a clean address all passed the check before any
    was counted, each a guess at a locked name. An attempt is counted before its check now."""
    from store import accounts as accounts_module

    accounts = Accounts(engine)
    accounts.create("anna", "een lang wachtwoord")
    for n in range(5):  # the name is locked by guesses from elsewhere
        assert accounts.login("anna", "fout wachtwoord!", f"198.51.100.{n + 1}") is None
    checked, real = [], accounts_module._hasher

    class Parallel:
        """While the first password is checked, a second request from the same address arrives."""

        def verify(self, stored, password):
            checked.append(password)
            if len(checked) == 1:
                assert accounts.login_wait("anna", "203.0.113.9") > 0
                assert accounts.login("anna", "tweede gok!", "203.0.113.9") is None
            return real.verify(stored, password)

    monkeypatch.setattr(accounts_module, "_hasher", Parallel())
    assert accounts.login("anna", "eerste gok!", "203.0.113.9") is None
    assert checked == ["eerste gok!"]  # the second guess was never checked


def test_an_unknown_name_costs_a_hash_check_like_a_known_one(engine, monkeypatch):
    from store import accounts as accounts_module

    accounts = Accounts(engine)
    accounts.create("anna", "een lang wachtwoord")
    checked, real = [], accounts_module._hasher

    class Spy:
        def verify(self, stored, password):
            checked.append(stored)
            return real.verify(stored, password)

    monkeypatch.setattr(accounts_module, "_hasher", Spy())
    assert accounts.login("bestaat-niet", "een lang wachtwoord", "1.2.3.4") is None
    assert accounts.login("anna", "fout wachtwoord!", "1.2.3.4") is None
    assert len(checked) == 2 and checked[0] == accounts_module._DUMMY_HASH


def test_a_disabled_account_cannot_log_in_and_its_sessions_end(engine):
    accounts = Accounts(engine)
    accounts.create("anna", "een lang wachtwoord")
    token = accounts.login("anna", "een lang wachtwoord", "1.2.3.4")
    assert accounts.session(token) is not None
    accounts.disable("anna")
    assert accounts.session(token) is None
    assert accounts.login("anna", "een lang wachtwoord", "1.2.3.4") is None
    accounts.enable("anna")
    second = accounts.login("anna", "een lang wachtwoord", "1.2.3.4")
    assert accounts.revoke_sessions("anna") == 1 and accounts.session(second) is None
    with pytest.raises(ValueError, match="bestaat niet"):
        accounts.disable("niemand")
    with engine.connect() as connection:
        actions = [row.action for row in connection.execute(select(audit_log))]
    assert actions == ["account uit", "account aan", "sessies ingetrokken"]


def test_erasing_a_ticket_removes_its_personal_data_but_keeps_its_number(store, engine):
    staff_id = Accounts(engine).create("anna", "een lang wachtwoord")
    ticket = new_ticket(store, contact="ouder@voorbeeld.nl")
    ticket_id = int(ticket.number[3:])
    store.reply(ticket_id, "Bel ons op 0612345678", staff_id)
    store.add_note(ticket_id, "Moeder van Daan belde", staff_id)
    store.erase(ticket_id, staff_id)
    erased = store.get(ticket_id)
    assert erased["erased_at"] is not None and erased["transcript"] == []
    assert erased["description"] is None and erased["contact"] is None and erased["reply"] is None
    assert store.notes(ticket_id) == []
    details = " ".join(entry["detail"] or "" for entry in store.audit_entries(ticket_id))
    assert "0612345678" not in details and "Daan" not in details
    assert [e["action"] for e in store.audit_entries(ticket_id)][-1] == "gewist op verzoek"
    assert store.search() == [] and store.counts()["nieuw"] == 0
    with pytest.raises(KeyError):
        store.erase(9999, staff_id)


def test_an_erasure_that_cannot_reach_the_tracker_store_erases_nothing_and_can_be_repeated(
    store, engine, tmp_path
):
    """A wrong tracker store setting (no file, or a file without Rasa's events table) is no
    empty store: the ticket, its links to its conversations and the file stay as they were,
    so the erasure can be repeated with the right setting. A table without the conversation
    (retention removed it) is fine."""
    from store.conversations import TrackerStoreUnavailable
    from store.schema import ticket_conversations

    staff_id = Accounts(engine).create("anna", "een lang wachtwoord")
    ticket = store.create(
        audience="ouder",
        channel="rest",
        topic_guess=[],
        transcript=[{"from": "user", "text": "Mijn zoon Daan", "time": 1.0}],
        description="Verhaal over Daan",
        contact="ouder@voorbeeld.nl",
        conversation="chat-van-daan",
    )
    ticket_id = int(ticket.number[3:])

    def links():
        with engine.connect() as connection:
            return connection.execute(
                select(ticket_conversations.c.conversation).where(
                    ticket_conversations.c.ticket_id == ticket_id
                )
            ).all()

    before = links()
    assert len(before) == 1
    missing = tmp_path / "elders" / "trackers.db"
    no_table = tmp_path / "leeg.db"
    with contextlib.closing(sqlite3.connect(no_table)) as connection:
        connection.execute("CREATE TABLE iets_anders (id INTEGER PRIMARY KEY)")
    for tracker_db in (missing, no_table):
        wrong = TicketStore(engine, SECRET, tracker_db=str(tracker_db))
        with pytest.raises(TrackerStoreUnavailable, match="gespreksgeheugen"):
            wrong.erase(ticket_id, staff_id)
        row = store.get(ticket_id)
        assert row["erased_at"] is None and row["contact"] == "ouder@voorbeeld.nl", tracker_db
        assert row["description"] == "Verhaal over Daan" and links() == before, tracker_db
    assert not missing.exists() and not missing.parent.exists()  # not made by the attempt
    assert "gewist op verzoek" not in [e["action"] for e in store.audit_entries(ticket_id)]

    with contextlib.closing(sqlite3.connect(no_table)) as connection:  # a table, no conversation
        connection.execute("CREATE TABLE events (id INTEGER PRIMARY KEY, sender_id VARCHAR(255), data TEXT)")
    erased = TicketStore(engine, SECRET, tracker_db=str(no_table)).erase(ticket_id, staff_id)
    assert erased.conversations == 0 and store.get(ticket_id)["erased_at"] is not None and links() == []


MARKER = "Zwanenvlotmarker"


def every_row(engine) -> str:
    """Every row of every table of a database, as one text."""
    from sqlalchemy import MetaData

    tables = MetaData()
    tables.reflect(bind=engine)
    with engine.connect() as connection:
        return "\n".join(
            str(tuple(row)) for table in tables.sorted_tables for row in connection.execute(select(table))
        )


def test_erasing_a_ticket_leaves_no_trace_in_any_table_of_any_store(engine, tmp_path, monkeypatch):
    """A parent asks, is handed off, gets a code, and reads the reply back later in another
    conversation. After erasing the ticket, no table of the tickets database (signals too) and
    no table of Rasa's tracker store holds anything of it; the rows and counts stay."""
    import asyncio

    from conftest import ROOT
    from rasa.shared.core.domain import Domain
    from rasa.shared.core.events import (
        ActionExecuted,
        ActiveLoop,
        BotUttered,
        SessionStarted,
        SlotSet,
        UserUttered,
    )
    from rasa.shared.core.trackers import DialogueStateTracker

    from signals.store import Signal, SignalStore
    from steunpunt.turn import turn_of, turn_signal_id
    from store.tracker_store import ScrubbingSQLTrackerStore

    monkeypatch.setenv("STEUNPUNT_SECRET_KEY", TEST_SECRET)  # the sealed description
    domain = Domain.load(str(ROOT / "domain.yml"))
    if engine.dialect.name == "sqlite":
        tracker_db = str(tmp_path / "trackers.db")
        trackers = ScrubbingSQLTrackerStore(domain=domain, dialect="sqlite", db=tracker_db)
    else:  # the scaled form: Rasa's events table in the same PostgreSQL database
        tracker_db = str(engine.url.render_as_string(hide_password=False))
        with engine.begin() as connection:
            connection.execute(text("DROP TABLE IF EXISTS events"))
        trackers = ScrubbingSQLTrackerStore(domain=domain, host=tracker_db)
    store = TicketStore(engine, SECRET, tracker_db=tracker_db)
    signals = SignalStore(engine)
    staff_id = Accounts(engine).create("anna", "een lang wachtwoord")

    def conversation(sender):
        return DialogueStateTracker.from_events(
            sender,
            [ActionExecuted("action_session_start"), SessionStarted(), ActionExecuted("action_listen")],
            slots=domain.slots,
        )

    def turn(tracker, said, *, bot=(), events=(), signal=None, ticket=None):
        """One turn as Rasa runs it: the user's message, the action's signal, the replies, saved."""
        tracker.update(UserUttered(said, intent={"name": "nlu_fallback", "confidence": 0.3}))
        for event in events:
            tracker.update(event)
        if signal:
            signals.add(
                Signal(
                    kind=signal,
                    region="standaard",
                    text=said,
                    ticket=ticket,
                    id=turn_signal_id(
                        tracker.sender_id,
                        turn_of([e.as_dict() for e in tracker.events]),
                        signal,
                        secret=SECRET,
                    ),
                )
            )
        for text_ in bot:
            tracker.update(BotUttered(text_))
        asyncio.run(trackers.save(tracker))

    # The conversation that makes the ticket.
    chat = conversation("chat-van-de-ouder")
    turn(
        chat,
        f"Mijn zoon {MARKER} wordt gepest, wat kan ik doen?",
        signal="handoff_offer",
        bot=["Daar heb ik geen antwoord op. Wil je een medewerker spreken?"],
    )
    turn(
        chat,
        "ja",
        events=[ActiveLoop("handoff_form"), SlotSet("requested_slot", "handoff_description")],
        bot=["Vertel kort wat er speelt."],
    )
    story = f"{MARKER} zit al drie weken thuis"
    turn(
        chat,
        story,
        events=[SlotSet("handoff_description", story), SlotSet("requested_slot", "handoff_contact")],
        bot=["Hoe kunnen we je bereiken?"],
    )
    ticket = store.create(
        audience="ouder",
        channel="rest",
        topic_guess=[{"topic": "pesten", "confidence": 0.4}],
        transcript=[{"from": "user", "text": story, "time": 1.0}],
        description=story,
        contact=None,
        conversation="chat-van-de-ouder",
    )
    assert ticket.code is not None  # no contact left: the parent gets a code
    turn(
        chat,
        "nee",
        events=[SlotSet("requested_slot", None), ActiveLoop(None)],
        signal="ticket",
        ticket=ticket.number,
        bot=[f"Je vraag heeft nummer {ticket.number}. Je code is {ticket.code}."],
    )
    ticket_id = int(ticket.number[3:])
    store.reply(ticket_id, f"Beste ouder van {MARKER}, bel ons gerust.", staff_id)
    store.add_note(ticket_id, f"Moeder van {MARKER} belde", staff_id)
    store.add_minutes(ticket_id, 15, staff_id)

    # Days later, in a new conversation, the reply is read back with the code.
    later = conversation("chat-met-de-code")
    turn(
        later,
        "ik heb een code",
        events=[ActiveLoop("code_form"), SlotSet("requested_slot", "ticket_code")],
        bot=["Typ je code."],
    )
    found = store.lookup_code(ticket.code, "chat-met-de-code")
    assert found.ticket is not None
    assert found.ticket["reply"].startswith("Beste ouder")
    turn(
        later,
        ticket.code,
        events=[SlotSet("ticket_code", ticket.code), ActiveLoop(None)],
        signal="code_check",
        bot=[
            f"Ik heb je vraag {ticket.number} gevonden.",
            f"Antwoord van het steunpunt:\n\n{found.ticket['reply']}",
        ],
    )

    # Someone else's conversation and ticket, which must stay.
    other = conversation("iemand-anders")
    turn(other, "Wie betaalt het Andersvervoer?", signal="handoff_offer", bot=["Dat weet ik niet."])
    kept = store.create(
        audience="jongere",
        channel="rest",
        topic_guess=[],
        transcript=[],
        description="Andersverhaal",
        contact=None,
        conversation="iemand-anders",
    )

    tracker_engine = create_engine(
        tracker_db if "://" in tracker_db else f"sqlite:///{tracker_db}", future=True
    )
    assert MARKER in every_row(engine) and ticket.number in every_row(tracker_engine)
    counts_before = signals.counts()

    erased = store.erase(ticket_id, staff_id)

    assert (erased.conversations, erased.signals) == (2, 3)
    for name, database in (("tickets", engine), ("tracker store", tracker_engine)):
        rows = every_row(database)
        assert MARKER.lower() not in rows.lower(), name
        for secret in (ticket.code, ticket.code.replace("-", ""), "chat-van-de-ouder", "chat-met-de-code"):
            assert secret not in rows, (name, secret)
    assert ticket.number not in every_row(tracker_engine)
    assert [r["ticket"] for r in signals.rows()].count(ticket.number) == 0
    if engine.dialect.name == "sqlite":  # nor in the files' free pages, journals or WAL
        on_disk = b"".join(path.read_bytes() for path in tmp_path.iterdir() if path.is_file())
        assert MARKER.encode() not in on_disk and ticket.code.encode() not in on_disk
    # What stays: the ticket's number and time, every signal row and count, the others' data.
    row = store.get(ticket_id)
    assert row is not None and row["erased_at"] is not None and store.minutes(ticket_id) == 15
    assert signals.counts() == counts_before and len(signals.rows()) == 4
    assert "Andersvervoer" in every_row(tracker_engine) and "Andersvervoer" in every_row(engine)
    kept_row = store.get(int(kept.number[3:]))
    assert kept_row is not None and kept_row["description"] == "Andersverhaal"
    assert store.lookup_code(ticket.code, "chat-3").ticket is None
    assert store.erase(ticket_id, staff_id).conversations == 0  # again: nothing left to find
    tracker_engine.dispose()


def stores_beside(engine, tmp_path):
    """Rasa's tracker store beside the tickets database, as the product runs it: a SQLite file
    in `tmp_path`, or (the scaled form) the events table in the same PostgreSQL database. Returns
    the setting, the scrubbing store Rasa writes with and an engine to read every row."""
    from conftest import ROOT
    from rasa.shared.core.domain import Domain

    from store.tracker_store import ScrubbingSQLTrackerStore

    domain = Domain.load(str(ROOT / "domain.yml"))
    if engine.dialect.name == "sqlite":
        tracker_db = str(tmp_path / "trackers.db")
        trackers = ScrubbingSQLTrackerStore(domain=domain, dialect="sqlite", db=tracker_db)
    else:
        tracker_db = str(engine.url.render_as_string(hide_password=False))
        with engine.begin() as connection:
            connection.execute(text("DROP TABLE IF EXISTS events"))
        trackers = ScrubbingSQLTrackerStore(domain=domain, host=tracker_db)
    reader = create_engine(tracker_db if "://" in tracker_db else f"sqlite:///{tracker_db}", future=True)
    return tracker_db, trackers, reader


def nowhere(secrets, engine, tracker_engine, tmp_path):
    """None of `secrets` in any row of the tickets database (signals, WhatsApp's ways back and
    live chats too) or of the tracker store, nor in the SQLite files' bytes (free pages,
    journals and WAL included)."""
    for name, database in (("tickets", engine), ("tracker store", tracker_engine)):
        rows = every_row(database).lower()
        for secret in secrets:
            assert secret.lower() not in rows, (name, secret)
    if engine.dialect.name == "sqlite":
        on_disk = b"".join(path.read_bytes() for path in tmp_path.iterdir() if path.is_file()).lower()
        for secret in secrets:
            assert secret.lower().encode() not in on_disk, ("file", secret)


def test_erasing_a_whatsapp_ticket_leaves_no_trace_in_any_table_of_any_store(engine, tmp_path, monkeypatch):
    """A parent asks on WhatsApp and leaves "this number" as contact. Rasa knows the conversation
    only as `wa-` + a keyed hash of the number; the number waits sealed in whatsapp_routes, the
    way back for the staff's reply. After erasing the ticket neither the marker, nor the number,
    nor the conversation's id is in any table of any store or in the files."""
    import asyncio

    from rasa.shared.core.events import (
        ActionExecuted,
        ActiveLoop,
        BotUttered,
        SessionStarted,
        SlotSet,
        UserUttered,
    )
    from rasa.shared.core.trackers import DialogueStateTracker

    from channels.whatsapp import CHANNEL, sender_id
    from signals.store import Signal, SignalStore
    from steunpunt import clients
    from steunpunt.turn import turn_of, turn_signal_id
    from store.whatsapp import WhatsAppStore

    monkeypatch.setenv("STEUNPUNT_SECRET_KEY", TEST_SECRET)  # the number's hash and seal
    tracker_db, trackers, tracker_engine = stores_beside(engine, tmp_path)
    store, signals = TicketStore(engine, SECRET, tracker_db=tracker_db), SignalStore(engine)
    routes = WhatsAppStore(engine, SECRET)
    staff_id = Accounts(engine).create("anna", "een lang wachtwoord")
    wa_id = "31687654321"
    sender = sender_id(wa_id)  # as the channel makes it for each message of this number
    metadata = {"region": "standaard", clients.METADATA_KEY: clients.client_key("whatsapp:" + sender)}
    routes.remember(sender, wa_id, "109876543210", clock.now())

    tracker = DialogueStateTracker.from_events(
        sender,
        [ActionExecuted("action_session_start"), SessionStarted(), ActionExecuted("action_listen")],
        slots=trackers.domain.slots,
    )

    def turn(said, *, bot=(), events=(), signal=None, ticket=None):
        tracker.update(UserUttered(said, input_channel=CHANNEL, metadata=metadata))
        for event in events:
            tracker.update(event)
        if signal:
            turn_id = turn_signal_id(
                sender, turn_of([e.as_dict() for e in tracker.events]), signal, secret=SECRET
            )
            signals.add(
                Signal(kind=signal, region="standaard", channel=CHANNEL, text=said, ticket=ticket, id=turn_id)
            )
        for text_ in bot:
            tracker.update(BotUttered(text_))
        asyncio.run(trackers.save(tracker))

    turn(
        f"Mijn dochter {MARKER} mag niet mee op kamp", signal="handoff_offer", bot=["Wil je een medewerker?"]
    )
    turn("ja", events=[ActiveLoop("handoff_form"), SlotSet("requested_slot", "handoff_description")])
    story = f"{MARKER} heeft een rolstoel en de school zegt nee"
    turn(story, events=[SlotSet("handoff_description", story), SlotSet("requested_slot", "handoff_contact")])
    ticket = store.create(
        audience="ouder",
        channel=CHANNEL,
        topic_guess=[{"topic": "passend-onderwijs", "confidence": 0.4}],
        transcript=[{"from": "user", "text": story, "time": 1.0}],
        description=story,
        contact=f"+{wa_id}",  # "Ja, dit nummer": read from the way back when the ticket is made
        region="standaard",
        conversation=sender,
    )
    turn(
        "Ja, dit nummer",
        events=[SlotSet("handoff_contact", "whatsapp"), SlotSet("requested_slot", None), ActiveLoop(None)],
        signal="ticket",
        ticket=ticket.number,
        bot=[f"Je vraag heeft nummer {ticket.number}."],
    )
    ticket_id = int(ticket.number[3:])
    store.reply(ticket_id, f"Beste ouder van {MARKER}, we bellen je.", staff_id)
    assert routes.route_of(store.conversation_keys(ticket_id)) is not None  # the reply could go out
    assert MARKER in every_row(engine) and MARKER in every_row(tracker_engine)

    erased = store.erase(ticket_id, staff_id)

    assert erased.conversations == 1 and erased.signals == 2
    nowhere([MARKER, wa_id, sender, ticket.number], engine, tracker_engine, tmp_path)
    assert routes.route(sender) is None
    row = store.get(ticket_id)
    assert row is not None and row["erased_at"] is not None and row["contact"] is None
    tracker_engine.dispose()


def test_erasing_a_live_chat_ticket_leaves_no_trace_in_any_table_of_any_store(engine, tmp_path, monkeypatch):
    """A youth in the widget asks, joins the live chat queue and chats with a staff member. The
    chat's messages are in live_messages and, as the live relay writes them (channels/live.py),
    in Rasa's tracker store; the staff member ends the chat (a ticket) and, as the youth asked in
    the chat, erases it at once, before the widget was told the chat ended. After erasing, the
    marker, the code shown in the queue and the widget's conversation id are in no table of any
    store and not in the files; the chat still counts in the figures."""
    import asyncio
    from types import SimpleNamespace

    from rasa.core.lock_store import InMemoryLockStore
    from rasa.shared.core.events import ActionExecuted, BotUttered, SessionStarted, UserUttered
    from rasa.shared.core.trackers import DialogueStateTracker

    from channels.live import LiveRelay
    from signals.store import Signal, SignalStore
    from steunpunt.codes import code_hash
    from steunpunt.turn import turn_of, turn_signal_id
    from store.live import LiveStore

    monkeypatch.setenv("STEUNPUNT_SECRET_KEY", TEST_SECRET)
    tracker_db, trackers, tracker_engine = stores_beside(engine, tmp_path)
    store, signals = TicketStore(engine, SECRET, tracker_db=tracker_db), SignalStore(engine)
    live = LiveStore(store)
    staff_id = Accounts(engine).create("anna", "een lang wachtwoord", regions=["standaard"])
    sender = "widget-sessie-7f3a9c"  # the socket.io session id: Rasa's sender id
    # The relay's tracker writes only (no widget to emit to, no bot turn): Rasa's stores.
    relay = LiveRelay(emit=None, rasa=None, output=None, holds=bool, store=live)  # type: ignore[arg-type]
    relay.agent = SimpleNamespace(tracker_store=trackers, lock_store=InMemoryLockStore())

    tracker = DialogueStateTracker.from_events(
        sender,
        [ActionExecuted("action_session_start"), SessionStarted(), ActionExecuted("action_listen")],
        slots=trackers.domain.slots,
    )
    asked = f"Mijn vriendin {MARKER} wordt gepest, kan ik iemand spreken?"
    tracker.update(UserUttered(asked, metadata={"audience": "jongere"}))
    turn_id = turn_signal_id(
        sender, turn_of([e.as_dict() for e in tracker.events]), "live_offer", secret=SECRET
    )
    signals.add(Signal(kind="live_offer", region="standaard", channel="socketio", text=asked, id=turn_id))
    code = new_code()
    tracker.update(BotUttered(f"Je staat in de wachtrij. Je code is {code}."))
    asyncio.run(trackers.save(tracker))

    chat = live.enqueue(
        conversation=sender,
        region="standaard",
        audience="jongere",
        channel="socketio",
        transcript=[{"from": "user", "text": asked, "time": 1.0}],
        code_hash=code_hash(normalise(code) or "", SECRET),
        now=clock.now(),
    )
    said = f"Het gaat om {MARKER}, ze zit in mijn klas"
    live.post_user(chat.id, said, clock.now())
    asyncio.run(relay._record(sender, [UserUttered(said, metadata={"live": True})]))
    live.claim(chat.id, staff_id, clock.now())
    answer = f"Goed dat je het over {MARKER} vertelt. Weet de mentor het?"
    live.post_staff(chat.id, staff_id, answer, clock.now())
    asyncio.run(relay._record(sender, [BotUttered(answer, metadata={"live": True})]))
    number = live.end(chat.id, staff_id, "afgehandeld", clock.now() + timedelta(minutes=5))
    ticket_id = int(number[3:])
    for source in (engine, tracker_engine):
        assert MARKER in every_row(source)

    erased = store.erase(ticket_id, staff_id)

    assert erased.conversations == 1 and erased.signals == 1
    nowhere([MARKER, sender, code, code.replace("-", "")], engine, tracker_engine, tmp_path)
    assert store.lookup_code(code, "iemand").ticket is None
    assert live.figures(clock.today(), clock.today())["answered"] == 1  # the chat still counts
    tracker_engine.dispose()


def test_the_erase_command_erases_a_ticket_with_its_conversations(tmp_path):
    import subprocess
    import sys

    from conftest import ROOT

    url, tracker_db = f"sqlite:///{tmp_path / 'db.sqlite'}", tmp_path / "trackers.db"
    env = {
        **os.environ,
        "STEUNPUNT_DATABASE_URL": url,
        "STEUNPUNT_TRACKER_DB": str(tracker_db),
        "STEUNPUNT_SECRET_KEY": TEST_SECRET,
        "PYTHONPATH": str(ROOT),
    }
    store = TicketStore(db.engine_for(url), SECRET, tracker_db=str(tracker_db))
    store.create(
        audience="ouder",
        channel="rest",
        topic_guess=[],
        transcript=[{"from": "user", "text": "Daan"}],
        description="Verhaal over Daan",
        contact="ouder@voorbeeld.nl",
        conversation="chat-cli",
    )
    trackers = create_engine(f"sqlite:///{tracker_db}", future=True)
    with trackers.begin() as connection:  # Rasa's events table, as SQLTrackerStore makes it
        connection.execute(
            text(
                "CREATE TABLE events (id INTEGER PRIMARY KEY, sender_id VARCHAR(255), "
                "type_name VARCHAR(255), timestamp FLOAT, intent_name VARCHAR(255), "
                "action_name VARCHAR(255), data TEXT)"
            )
        )
        for sender, said in (("chat-cli", "Mijn zoon Daan"), ("chat-cli", "SP-00001"), ("ander", "hoi")):
            connection.execute(
                text(
                    "INSERT INTO events (sender_id, type_name, timestamp, data) VALUES (:s, 'user', 1.0, :d)"
                ),
                {"s": sender, "d": f'{{"event": "user", "text": "{said}"}}'},
            )

    def erase(number):
        return subprocess.run(
            [sys.executable, "-m", "staff.cli", "erase-ticket", number],
            env=env,
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )

    done = erase("sp-00001")
    assert done.returncode == 0, done.stderr
    assert "SP-00001" not in done.stdout or "gewist" in done.stdout
    assert "1 gesprek(ken) (2 gebeurtenissen)" in done.stdout
    erased = store.get(1)
    assert (
        erased is not None
        and erased["erased_at"] is not None
        and erased["description"] is None
        and erased["contact"] is None
    )
    with trackers.connect() as connection:
        assert [r[0] for r in connection.execute(text("SELECT sender_id FROM events"))] == ["ander"]
    assert store.audit_entries(1)[-1]["action"] == "gewist op verzoek"
    unknown, wrong = erase("SP-00009"), erase("vraag 1")
    assert unknown.returncode == 1 and "bestaat niet" in unknown.stderr
    assert wrong.returncode == 1 and "geen vraagnummer" in wrong.stderr
    trackers.dispose()


def test_the_erase_command_says_so_and_erases_nothing_when_the_tracker_store_is_missing(tmp_path):
    """STEUNPUNT_TRACKER_DB pointing where there is no tracker store: a clear message, exit
    code 1, no traceback; the ticket and its links stay, and with the right setting the
    same command erases it."""
    import subprocess
    import sys

    from conftest import ROOT

    from store.schema import ticket_conversations

    url, tracker_db = f"sqlite:///{tmp_path / 'db.sqlite'}", tmp_path / "trackers.db"
    store = TicketStore(db.engine_for(url), SECRET, tracker_db=str(tracker_db))
    store.create(
        audience="ouder",
        channel="rest",
        topic_guess=[],
        transcript=[{"from": "user", "text": "Daan"}],
        description="Verhaal over Daan",
        contact="ouder@voorbeeld.nl",
        conversation="chat-cli",
    )

    def erase(tracker_setting):
        env = {
            **os.environ,
            "STEUNPUNT_DATABASE_URL": url,
            "STEUNPUNT_TRACKER_DB": str(tracker_setting),
            "STEUNPUNT_SECRET_KEY": TEST_SECRET,
            "PYTHONPATH": str(ROOT),
        }
        return subprocess.run(
            [sys.executable, "-m", "staff.cli", "erase-ticket", "SP-00001"],
            env=env,
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )

    def links():
        with store.engine.connect() as connection:
            return len(connection.execute(select(ticket_conversations)).all())

    failed = erase(tmp_path / "typfout" / "trackers.db")
    assert failed.returncode == 1 and "Traceback" not in failed.stderr, failed.stderr
    assert "Niet gelukt" in failed.stderr and "niets gewist" in failed.stderr, failed.stderr
    assert "typfout" in failed.stderr and "STEUNPUNT_TRACKER_DB" in failed.stderr
    kept = store.get(1)
    assert kept is not None and kept["erased_at"] is None and kept["description"] == "Verhaal over Daan"
    assert links() == 1
    trackers = create_engine(f"sqlite:///{tracker_db}", future=True)
    with trackers.begin() as connection:
        connection.execute(text("CREATE TABLE events (id INTEGER PRIMARY KEY, sender_id TEXT, data TEXT)"))
        connection.execute(text("INSERT INTO events (sender_id, data) VALUES ('chat-cli', 'Mijn zoon Daan')"))
    done = erase(tracker_db)
    assert done.returncode == 0, done.stderr
    assert "1 gesprek(ken) (1 gebeurtenissen)" in done.stdout
    erased = store.get(1)
    assert erased is not None and erased["erased_at"] is not None and links() == 0
    trackers.dispose()


def test_a_ticket_remembers_its_conversations_only_as_keyed_hashes(store, engine):
    from store.schema import ticket_conversations

    ticket = new_ticket(store)
    store.create(
        audience="ouder",
        channel="rest",
        topic_guess=[],
        transcript=[],
        description=None,
        contact=None,
        conversation="sessie-123",
    )
    for _ in range(2):  # read back twice in one conversation: remembered once
        assert store.lookup_code(ticket.code, "sessie-456").ticket is not None
    with engine.connect() as connection:
        rows = connection.execute(select(ticket_conversations)).mappings().all()
    assert [(r["ticket_id"], len(r["conversation"])) for r in rows] == [(2, 64), (1, 64)]
    assert "sessie" not in str([dict(r) for r in rows])


def test_the_queue_pages_and_leaves_transcripts_out(store):
    for n in range(7):
        new_ticket(store, topic="opp-wat-is" if n % 2 else "tlv-wat-is")
    first, second = store.search(limit=5), store.search(limit=5, offset=5)
    assert len(first) == 5 and len(second) == 2
    assert {t["id"] for t in first}.isdisjoint(t["id"] for t in second)
    assert "transcript" not in first[0] and "code_hash" not in first[0]
    assert len(store.search(topic="opp-wat-is")) == 3


def test_the_global_code_count_raises_one_alarm_and_a_right_code_resets_its_conversation(
    store, caplog, monkeypatch
):
    monkeypatch.setattr(ticket_module, "CODE_GLOBAL_ALARM", 5)
    ticket = new_ticket(store)
    for n in range(7):  # seven wrong codes from seven clients: one alarm, at the fifth
        assert store.lookup_code("ZZZZ-ZZZZ", f"c-{n}", f"client-{n}").wait_seconds == 0
    alarms = [r for r in caplog.records if "ALARM" in r.getMessage()]
    assert len(alarms) == 1 and "5 wrong ticket codes" in alarms[0].getMessage()
    # Two wrong codes, then the right one: the conversation starts counting again from zero.
    for _ in range(2):
        store.lookup_code("ZZZZ-ZZZZ", "mine", "my-client")
    assert store.lookup_code(ticket.code, "mine", "my-client").ticket is not None
    free = ticket_module.CODE_FREE_FAILURES
    assert [store.lookup_code("ZZZZ-ZZZZ", "mine", "my-client").wait_seconds for _ in range(free)] == [
        0
    ] * free
    assert store.lookup_code("ZZZZ-ZZZZ", "mine", "my-client").wait_seconds > 0


def test_wiping_conversations_leaves_no_stale_copy_anywhere_in_the_tracker_file(tmp_path):
    """Rasa writes events on its own connection with default pragmas, so copies of a
    conversation's text can sit in the file's free space besides the live rows (a full
    end-to-end run found one after an erase). wipe() zeroes what it deletes and then rebuilds
    the file (VACUUM); either alone passes this table, neither fails it. Checked on the file's
    bytes, journal and WAL included."""
    import sqlite3

    from store.conversations import conversation_key, wipe

    path = tmp_path / "trackers.db"
    rasa = sqlite3.connect(path)  # as Rasa writes: default pragmas
    rasa.execute("CREATE TABLE events (id INTEGER PRIMARY KEY, sender_id TEXT, data TEXT)")
    for turn in range(400):  # interleaved conversations, enough rows to split pages many times
        for sender in ("erase-me", "keep-me"):
            text = f"geheimemarker {turn}" if sender == "erase-me" else f"schoolreisje {turn}"
            rasa.execute(
                "INSERT INTO events (sender_id, data) VALUES (?, ?)",
                (sender, json.dumps({"event": "user", "text": text, "pad": "x" * (turn % 97)})),
            )
        rasa.commit()
    rasa.close()

    wiped = wipe(str(path), {conversation_key("erase-me", TEST_SECRET.encode())}, TEST_SECRET.encode())

    assert wiped.conversations == 1 and wiped.events == 400
    everything = b"".join(p.read_bytes() for p in tmp_path.glob("trackers.db*"))
    assert b"geheimemarker" not in everything
    assert b"schoolreisje 399" in everything  # the other conversation stays
