"""Live chat in the store (issue 25): the queue, claiming, messages both ways, transfer, end as a
ticket with minutes, time-outs, abandoning, erasure and the analysts' figures. Fixed times
only; SQLite and (with TEST_DATABASE_URL) PostgreSQL."""

import os
from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import create_engine, select, text

from steunpunt.codes import code_hash, new_code, normalise
from store import db
from store.accounts import Accounts
from store.live import ACTIVE, CODE_MASK, ENDED, TIMED_OUT, WAITING, LiveError, LiveStore
from store.schema import audit_log, live_chats, live_messages, metadata, ticket_time, tickets
from store.tickets import TicketStore
from tests.support.servers import TEST_SECRET
from tests.support.services import skip_unless

SECRET = TEST_SECRET.encode()
T0 = datetime(2026, 12, 7, 10, 0)  # a Monday, inside the example region's hours
PASSWORD = "een heel lang wachtwoord"
BEFORE = [
    {"from": "user", "text": "Ik wil een medewerker", "time": 1.0},
    {"from": "bot", "text": "Oké", "time": 2.0},
]


@pytest.fixture(params=["sqlite", "postgresql"])
def engine(request, tmp_path):
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'store.db'}"
    else:
        skip_unless(os.environ.get("TEST_DATABASE_URL"), "PostgreSQL (TEST_DATABASE_URL)")
        url = os.environ["TEST_DATABASE_URL"]
        fresh = create_engine(url, future=True)
        with fresh.begin() as connection:
            metadata.drop_all(connection)
            connection.execute(text("DROP TABLE IF EXISTS alembic_version"))
        fresh.dispose()
        db._engines.pop(url, None)
    yield db.engine_for(url)
    db._engines.pop(url, None)


@pytest.fixture
def live(engine, tmp_path):
    """A live store whose tickets' conversations are in a tracker store with Rasa's events
    table (empty: these chats' bot turns are not what the tests look at)."""
    trackers = create_engine(f"sqlite:///{tmp_path / 'trackers.db'}", future=True)
    with trackers.begin() as connection:
        connection.execute(text("CREATE TABLE events (id INTEGER PRIMARY KEY, sender_id TEXT, data TEXT)"))
    trackers.dispose()
    return LiveStore(TicketStore(engine, SECRET, tracker_db=str(tmp_path / "trackers.db")))


@pytest.fixture
def staff_ids(engine):
    accounts = Accounts(engine, session_hours=8)
    return {
        "anna": accounts.create("anna", PASSWORD, regions=["voorbeeld"]),
        "bert": accounts.create("bert", PASSWORD, regions=["voorbeeld"]),
        "carla": accounts.create("carla", PASSWORD, regions=["elders"]),
    }


def queued(live, conversation="sess-1", region="voorbeeld", code=None, at=T0):
    return live.enqueue(
        conversation=conversation,
        region=region,
        audience="jongere",
        channel="socketio",
        transcript=BEFORE,
        code_hash=code_hash(normalise(code) or "", SECRET) if code else None,
        now=at,
    )


def test_the_queue_gives_places_in_order_per_region_and_does_not_queue_twice(live):
    first = queued(live, "a")
    second = queued(live, "b", at=T0 + timedelta(seconds=5))
    elsewhere = queued(live, "c", region="elders")
    assert (live.place(first), live.place(second), live.place(elsewhere)) == (1, 2, 1)
    assert queued(live, "a").id == first.id  # asking again keeps the place
    assert [chat.id for chat in live.for_regions(["voorbeeld"]).waiting()] == [first.id, second.id]


def test_one_claim_wins_and_only_staff_of_the_region_can_claim(live, staff_ids):
    chat = queued(live)
    with pytest.raises(LiveError):
        live.for_regions(["elders"]).claim(chat.id, staff_ids["carla"], T0)
    claimed = live.for_regions(["voorbeeld"]).claim(chat.id, staff_ids["anna"], T0 + timedelta(seconds=30))
    assert (claimed.status, claimed.staff_id) == (ACTIVE, staff_ids["anna"])
    with pytest.raises(LiveError):
        live.claim(chat.id, staff_ids["bert"], T0 + timedelta(seconds=31))
    with live.engine.connect() as connection:
        actions = [row.action for row in connection.execute(select(audit_log))]
    assert "live aangenomen" in actions


def test_messages_go_both_ways_once_and_codes_never_reach_the_staff(live, staff_ids):
    chat = queued(live)
    code = new_code()
    assert live.post_user(chat.id, "Mijn oude code is " + code, T0, client_id="m1") is not None
    assert live.post_user(chat.id, "Mijn oude code is " + code, T0, client_id="m1") is None  # resent
    live.claim(chat.id, staff_ids["anna"], T0)
    with pytest.raises(LiveError):
        live.post_staff(chat.id, staff_ids["bert"], "Ik ben niet van dit gesprek", T0)
    live.post_staff(chat.id, staff_ids["anna"], "Hoi, ik ben Anna", T0)
    texts = [(m["sender"], m["text"]) for m in live.messages(chat.id) if m["kind"] == "message"]
    assert texts == [("user", f"Mijn oude code is {CODE_MASK}"), ("staff", "Hoi, ik ben Anna")]
    to_users = live.new_for_users(0)
    assert [m["kind"] for m in to_users] == ["claimed", "message"]
    assert all(m["conversation"] == "sess-1" for m in to_users)
    for bad in ("", "   ", "x" * 5000, None):
        with pytest.raises(LiveError):
            live.post_staff(chat.id, staff_ids["anna"], bad, T0)


def test_ordinary_words_are_not_taken_for_a_code_but_codes_with_a_digit_are(live, staff_ids):
    """Every spelling of a code is also Dutch ("Waar gaat", "aanvraag", "deze week"): masking
    those made staff messages unreadable. A code with a digit or as shown is still masked."""
    chat = queued(live)
    live.claim(chat.id, staff_ids["anna"], T0)
    plain = "Waar gaat het over? Een aanvraag voor deze week."
    live.post_staff(chat.id, staff_ids["anna"], plain, T0)
    live.post_user(chat.id, "mijn code is k7mp q2xd", T0)
    texts = [m["text"] for m in live.messages(chat.id) if m["kind"] == "message"]
    assert texts == [plain, f"mijn code is {CODE_MASK}"]


def test_ending_makes_a_ticket_with_transcript_handler_status_minutes_and_the_queue_code(live, staff_ids):
    code = new_code()
    chat = queued(live, code=code)
    live.post_user(chat.id, "Mijn zoon krijgt geen TLV", T0 + timedelta(seconds=10))
    live.claim(chat.id, staff_ids["anna"], T0 + timedelta(minutes=1))
    live.post_staff(chat.id, staff_ids["anna"], "Wat heeft school gezegd?", T0 + timedelta(minutes=2))
    number = live.end(chat.id, staff_ids["anna"], "in behandeling", T0 + timedelta(minutes=8, seconds=30))
    ticket_id = int(number.split("-")[1])
    ticket = live.tickets.get(ticket_id)
    assert ticket["status"] == "in behandeling" and ticket["assigned_to"] == staff_ids["anna"]
    assert [line["from"] for line in ticket["transcript"]] == ["user", "bot", "user", "staff"]
    assert ticket["description"] == "Mijn zoon krijgt geen TLV" and ticket["region"] == "voorbeeld"
    assert live.tickets.minutes(ticket_id) == 8  # 7.5 minutes from claim to end, rounded up
    # The code the user got in the queue reads this ticket back.
    assert live.tickets.lookup_code(code, "sess-1").ticket["id"] == ticket_id
    ended = live.get(chat.id)
    assert ended.status == ENDED and ended.transcript == [] and ended.code_hash is None
    assert live.new_for_users(0)[-1]["kind"] == "ended"
    with pytest.raises(LiveError):
        live.end(chat.id, staff_ids["anna"], "afgehandeld", T0 + timedelta(minutes=9))


def test_transfer_goes_only_to_an_available_colleague_and_the_first_reads_no_more(live, staff_ids):
    chat = queued(live)
    live.claim(chat.id, staff_ids["anna"], T0)
    with pytest.raises(LiveError):
        live.transfer(chat.id, staff_ids["anna"], staff_ids["bert"], available=[], now=T0)
    bert = staff_ids["bert"]
    moved = live.transfer(chat.id, staff_ids["anna"], bert, available=[bert], now=T0)
    assert moved.staff_id == staff_ids["bert"]
    assert not live.may_read(moved, staff_ids["anna"]) and live.may_read(moved, staff_ids["bert"])
    with pytest.raises(LiveError):
        live.post_staff(chat.id, staff_ids["anna"], "nog iets", T0)


def test_a_time_out_races_a_claim_with_one_winner(live, staff_ids):
    late = queued(live, "late")
    assert [c.id for c in live.due(T0 + timedelta(minutes=3), 3, 90)] == [late.id]
    assert live.due(T0 + timedelta(minutes=2), 3, 600) == []  # not yet, and still seen
    live.claim(late.id, staff_ids["anna"], T0 + timedelta(minutes=3))
    assert not live.time_out(late.id, T0 + timedelta(minutes=3))
    other = queued(live, "other")
    assert live.time_out(other.id, T0 + timedelta(minutes=3))
    with pytest.raises(LiveError):
        live.claim(other.id, staff_ids["anna"], T0 + timedelta(minutes=3))
    assert live.get(other.id).status == TIMED_OUT
    assert live.unclosed("other").id == other.id
    assert live.close(other.id, T0 + timedelta(minutes=3)) and not live.close(other.id, T0)


def test_an_abandoned_wait_keeps_what_was_typed_as_a_ticket_and_forgets_the_sender(live):
    silent = queued(live, "silent")
    talker = queued(live, "talker")
    live.post_user(talker.id, "Bel me terug aub", T0)
    live.seen(["silent"], T0 + timedelta(seconds=100))
    due = live.due(T0 + timedelta(seconds=100), 3, 90)
    assert [c.id for c in due] == [talker.id]
    number = live.abandon(talker.id, T0 + timedelta(seconds=100))
    assert number is not None and live.abandon(talker.id, T0) is None
    assert live.get(talker.id).conversation.startswith("#")
    assert live.abandon(silent.id, T0 + timedelta(seconds=200)) is None  # nothing typed: no ticket
    with live.engine.connect() as connection:
        assert connection.execute(select(tickets.c.id)).all() == [(int(number.split("-")[1]),)]


def test_erasing_the_ticket_erases_the_live_messages(live, staff_ids):
    chat = queued(live)
    live.post_user(chat.id, "MARKER-LIVE-123", T0)
    live.claim(chat.id, staff_ids["anna"], T0)
    number = live.end(chat.id, staff_ids["anna"], "afgehandeld", T0 + timedelta(minutes=1))
    live.tickets.erase(int(number.split("-")[1]), staff_ids["anna"])
    with live.engine.connect() as connection:
        assert connection.execute(select(live_messages).where(live_messages.c.chat_id == chat.id)).all() == []
        texts = [str(row) for row in connection.execute(select(live_chats, tickets).join(tickets))]
    assert not any("MARKER-LIVE" in row for row in texts)


def test_figures_count_answered_timed_out_abandoned_median_wait_and_minutes(live, staff_ids):
    answered = queued(live, "a")
    live.claim(answered.id, staff_ids["anna"], T0 + timedelta(seconds=40))
    live.end(answered.id, staff_ids["anna"], "afgehandeld", T0 + timedelta(minutes=5))
    quick = queued(live, "b")
    live.claim(quick.id, staff_ids["bert"], T0 + timedelta(seconds=20))
    live.time_out(queued(live, "c").id, T0 + timedelta(minutes=3))
    live.abandon(queued(live, "d").id, T0 + timedelta(minutes=2))
    figures = live.figures(date(2026, 12, 7), date(2026, 12, 7))
    assert figures == {
        "queued": 4,
        "answered": 2,
        "timed_out": 1,
        "abandoned": 1,
        "median_wait_seconds": 30,
        "minutes": 5,
    }
    assert live.for_regions(["elders"]).figures(date(2026, 12, 7), date(2026, 12, 7))["queued"] == 0
    with live.engine.connect() as connection:
        assert sum(row.minutes for row in connection.execute(select(ticket_time))) == 5


def test_purge_removes_the_copies_of_chats_long_over(live, staff_ids):
    chat = queued(live)
    live.post_user(chat.id, "hallo", T0)
    live.time_out(chat.id, T0 + timedelta(minutes=3))
    assert live.purge(T0) == 0
    assert live.purge(T0 + timedelta(days=2)) >= 1
    assert live.messages(chat.id) == [] and live.get(chat.id).transcript == []
    assert live.get(chat.id).status == TIMED_OUT and live.get(chat.id).conversation.startswith("#")
    assert live.open_chat("sess-1") is None and WAITING != TIMED_OUT


def test_a_real_code_in_lower_case_letters_is_hidden_and_a_word_that_looks_like_one_is_not(live, staff_ids):
    """A code of letters only, typed in lower case, is hidden when it is the code of a ticket
    (or of a waiting chat); the same shape that is no one's code stays readable."""
    letters = "".join(ch for ch in "ABCDEFGHJKMNPQRSTUVWXYZ" if ch.isalpha())[:8]
    code = f"{letters[:4]}-{letters[4:]}"
    queued(live, "with-code", code=code)
    chat = queued(live)
    typed = f"ik had {letters[:4].lower()} {letters[4:].lower()} als code, en deze week een aanvraag"
    live.post_user(chat.id, typed, T0)
    assert live.messages(chat.id)[-1]["text"] == f"ik had {CODE_MASK} als code, en deze week een aanvraag"


def test_which_chats_changed_between_two_versions_is_one_query_for_every_stream(live, staff_ids):
    from staff.live import ChangedChats

    first, second = queued(live, "one"), queued(live, "two")
    since = live.last_message_id()
    live.post_user(second.id, "Hallo", T0)
    upto = live.last_message_id()
    assert live.chats_with_messages(since, upto) == [second.id]
    changed = ChangedChats(live)
    asked = []
    real = live.chats_with_messages

    def counted(a, b):
        asked.append((a, b))
        return real(a, b)

    live.chats_with_messages = counted
    assert changed.between(since, upto) == frozenset({second.id}) == changed.between(since, upto)
    assert asked == [(since, upto)] and first.id not in changed.between(since, upto)
