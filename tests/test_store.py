"""Ticket store and staff accounts, on SQLite and (with TEST_DATABASE_URL) on PostgreSQL."""
import os
from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import create_engine, select, text

from tests.support.servers import TEST_SECRET
from tests.support.services import skip_unless
from store import db, throttle
from store.accounts import Accounts
from store.codes import ALPHABET, new_code, normalise
from store.schema import audit_log, metadata, tickets
from store import tickets as ticket_module
from store.tickets import TicketStore
from steunpunt import clock

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
def store(engine):
    return TicketStore(engine, SECRET)


def new_ticket(store, contact=None, audience="jongere", topic="tlv-wat-is"):
    return store.create(audience=audience, channel="rest",
                        topic_guess=[{"topic": topic, "confidence": 0.41}],
                        transcript=[{"from": "user", "text": "help", "time": 1.0}],
                        description="Ik wil hulp", contact=contact)


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
    answers = [store.lookup_code(code, "guesser") for code in
               ("AAAA-AAAA", "not a code", "BBBB-BBBB")]
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
        "in behandeling", "anna", "We helpen je graag verder.")
    assert [n["text"] for n in store.notes(1)] == ["Moeder gebeld"]
    assert [(a["username"], a["action"]) for a in store.audit_entries(1)] == [
        ("anna", "toegewezen"), ("anna", "status"), ("anna", "notitie"), ("anna", "antwoord")]
    with pytest.raises(ValueError):
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
    assert clock.day_range(december, december) == (datetime(2026, 11, 30, 23, 0),
                                                           datetime(2026, 12, 1, 23, 0))
    summer = date(2026, 7, 1)  # summer time: two hours ahead of UTC
    assert clock.day_start(summer) == datetime(2026, 6, 30, 22, 0)


def test_accounts_hash_passwords_and_throttle_logins(engine):
    accounts = Accounts(engine)
    accounts.create("carla", "een lang wachtwoord")
    with pytest.raises(ValueError):
        accounts.create("carla", "nog een lang wachtwoord")
    with pytest.raises(ValueError):
        accounts.create("kort", "kort")
    token = accounts.login("carla", "een lang wachtwoord", "127.0.0.1")
    session = accounts.session(token)
    assert session.username == "carla" and session.csrf_token
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
    stamp = datetime.utcnow()
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


def test_login_name_is_normalised_once_for_lookup_and_throttle(engine):
    accounts = Accounts(engine)
    accounts.create("anna", "een lang wachtwoord")
    for name in (" anna", "anna ", "ANNA", "\tanna"):
        for _ in range(2):
            assert accounts.login(name, "fout wachtwoord!", "1.2.3.4") is None
    assert accounts.login_wait("anna", "5.6.7.8") > 0  # the same bucket, whatever the spacing
    assert accounts.login(" anna ", "een lang wachtwoord", "5.6.7.8") is not None  # one account


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
    with pytest.raises(ValueError):
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


def test_the_queue_pages_and_leaves_transcripts_out(store):
    for n in range(7):
        new_ticket(store, topic="opp-wat-is" if n % 2 else "tlv-wat-is")
    first, second = store.search(limit=5), store.search(limit=5, offset=5)
    assert len(first) == 5 and len(second) == 2
    assert {t["id"] for t in first}.isdisjoint(t["id"] for t in second)
    assert "transcript" not in first[0] and "code_hash" not in first[0]
    assert len(store.search(topic="opp-wat-is")) == 3


def test_the_global_code_count_raises_one_alarm_and_a_right_code_resets_its_conversation(store, caplog, monkeypatch):
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
    assert [store.lookup_code("ZZZZ-ZZZZ", "mine", "my-client").wait_seconds for _ in range(free)] == [0] * free
    assert store.lookup_code("ZZZZ-ZZZZ", "mine", "my-client").wait_seconds > 0
