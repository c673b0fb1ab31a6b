"""The Rasa server's live chat relay (channels/live.py) with a fixed clock: delivering staff
messages to the widgets connected here, the user's messages to the store, the time-out after
the queue limit, the ticket flow when nobody is available any more, abandoned waits, places
in the queue and what a reconnecting widget missed. The socket and Rasa are replaced by
recorders; the store is a real SQLite database."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta
from typing import Any, Dict, List

import pytest
from rasa.core.channels.channel import UserMessage

from channels.live import LiveRelay
from steunpunt import clock, settings
from store import db, presence
from store.accounts import Accounts
from store.live import LiveStore
from store.tickets import TicketStore
from tests.support.servers import TEST_SECRET

#: Monday 7 December 2026, 11:00 UTC: inside the example region's hours (9.00-16.00 local).
MONDAY = datetime(2026, 12, 7, 11, 0)
#: Sunday 6 December 2026, 11:00 UTC: the example region is closed.
SUNDAY = datetime(2026, 12, 6, 11, 0)
PASSWORD = "een heel lang wachtwoord"


class Recorder:
    def __init__(self) -> None:
        self.emitted: List[tuple] = []
        self.turns: List[UserMessage] = []
        self.connected: set = set()

    async def emit(self, event: str, data: Dict[str, Any], room: str) -> None:
        self.emitted.append((event, data, room))

    async def rasa(self, message: UserMessage) -> None:
        self.turns.append(message)

    def texts(self, room: str) -> List[str]:
        return [data.get("text") for event, data, to in self.emitted if to == room and event == "bot_uttered"]


@pytest.fixture
def setup(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'store.db'}"
    monkeypatch.setattr(settings, "DATABASE_URL", url)
    monkeypatch.setattr(settings, "LIVE_QUEUE_MINUTES", 3.0)
    monkeypatch.setattr(settings, "LIVE_ABANDON_SECONDS", 90.0)
    engine = db.engine_for(url)
    store = LiveStore(TicketStore(engine, TEST_SECRET.encode(), tracker_db=str(tmp_path / "t.db")))
    accounts = Accounts(engine, session_hours=8)
    anna = accounts.create("anna", PASSWORD, regions=["voorbeeld"])
    with clock.frozen(MONDAY):
        accounts.login("anna", PASSWORD, "127.0.0.1")
    presence.set_available(engine, anna, True, MONDAY)
    recorder = Recorder()
    relay = LiveRelay(
        emit=recorder.emit,
        rasa=recorder.rasa,
        output=lambda: None,
        holds=lambda conversation: conversation in recorder.connected,
        store=store,
    )
    yield relay, store, recorder, anna, engine
    db._engines.pop(url, None)


def queue(store, conversation, at=MONDAY):
    return store.enqueue(
        conversation=conversation,
        region="voorbeeld",
        audience="ouder",
        channel="socketio",
        transcript=[],
        code_hash=None,
        now=at,
    )


def run(coroutine):
    return asyncio.new_event_loop().run_until_complete(coroutine)


def test_staff_messages_reach_only_the_widgets_connected_here_in_order_once(setup):
    relay, store, recorder, anna, _ = setup
    here, elsewhere = queue(store, "here"), queue(store, "elsewhere")
    recorder.connected.add("here")
    relay.cursor = store.last_message_id()
    store.claim(here.id, anna, MONDAY)
    store.claim(elsewhere.id, anna, MONDAY)
    store.post_staff(here.id, anna, "Hallo <b>daar</b>", MONDAY)
    store.post_staff(elsewhere.id, anna, "Niet voor deze server", MONDAY)
    run(relay._deliver_new())
    run(relay._deliver_new())  # nothing twice
    assert recorder.texts("here") == [
        "Je praat nu met een medewerker van het steunpunt.",
        "Hallo <b>daar</b>",
    ]
    assert recorder.texts("elsewhere") == []
    assert relay.is_live("here") and not relay.is_live("elsewhere")


def test_a_users_message_in_a_live_chat_goes_to_the_store_not_to_rasa(setup):
    relay, store, recorder, _, _ = setup
    chat = queue(store, "conv")
    message = UserMessage(
        "Mijn vraag", None, "conv", input_channel="socketio", metadata={"region": "voorbeeld"}
    )
    assert run(relay.user_message(message, "client-id-01"))
    assert run(relay.user_message(message, "client-id-01"))  # resent: stored once, acknowledged again
    assert [m["text"] for m in store.messages(chat.id) if m["sender"] == "user"] == ["Mijn vraag"]
    assert [data for event, data, _ in recorder.emitted if event == "live_ack"] == [
        {"id": "client-id-01"}
    ] * 2
    assert recorder.turns == []
    other = UserMessage("Geen chat", None, "no-chat", input_channel="socketio")
    assert not run(relay.user_message(other, None))  # no open chat: the bot answers it


def test_the_wait_times_out_after_the_queue_limit_into_the_ticket_flow_once(setup):
    relay, store, recorder, _, _ = setup
    chat = queue(store, "slow")
    recorder.connected.add("slow")
    relay.live.add("slow")
    with clock.frozen(MONDAY + timedelta(minutes=2)):
        run(relay._chores())
    assert recorder.turns == []
    with clock.frozen(MONDAY + timedelta(minutes=3)):
        run(relay._chores())
        run(relay._chores())
    assert [(m.text, m.sender_id, m.metadata["region"]) for m in recorder.turns] == [
        ("/live_timeout", "slow", "voorbeeld")
    ]
    assert store.get(chat.id).status == "timed_out" and not relay.is_live("slow")


def test_nobody_available_any_more_or_closing_time_means_the_ticket_flow_now(setup):
    relay, store, recorder, anna, engine = setup
    queue(store, "a")
    recorder.connected.add("a")
    relay.live.add("a")
    with clock.frozen(MONDAY):
        run(relay._chores())
    assert recorder.turns == []  # someone is there
    presence.set_available(engine, anna, False, MONDAY)
    with clock.frozen(MONDAY):
        run(relay._chores())
    assert [m.text for m in recorder.turns] == ["/live_timeout"]
    assert store.latest("a").ended_by == "offline"
    presence.set_available(engine, anna, True, MONDAY)
    queue(store, "b", at=SUNDAY)
    recorder.connected.add("b")
    relay.live.add("b")
    with clock.frozen(SUNDAY):
        run(relay._chores())
    assert [m.text for m in recorder.turns] == ["/live_timeout", "/live_timeout"]


def test_a_wait_whose_widget_is_gone_everywhere_is_abandoned_and_one_still_here_is_not(setup):
    relay, store, recorder, _, _ = setup
    gone, here = queue(store, "gone"), queue(store, "here")
    store.post_user(gone.id, "Ik moet weg", MONDAY)
    recorder.connected.add("here")
    relay.live.add("here")
    with clock.frozen(MONDAY + timedelta(seconds=91)):
        run(relay._chores())
    assert store.get(gone.id).status == "abandoned" and store.get(gone.id).ticket_id is not None
    assert store.get(here.id).status == "waiting"  # its heartbeat kept it
    assert recorder.turns == []


def test_places_in_the_queue_go_down_when_someone_ahead_is_taken(setup):
    relay, store, recorder, anna, _ = setup
    first, second = queue(store, "first"), queue(store, "second")
    recorder.connected.add("second")
    relay.live.add("second")
    with clock.frozen(MONDAY):
        run(relay._chores())
    assert recorder.texts("second") == []  # place 2 was told when joining
    store.claim(first.id, anna, MONDAY)
    with clock.frozen(MONDAY):
        run(relay._chores())
    assert recorder.texts("second") == ["Je bent nu nummer 1 in de wachtrij. Een medewerker komt zo."]
    assert second.id != first.id


def test_a_reconnecting_widget_gets_what_it_missed_and_an_ended_chat_is_closed_for_it(setup):
    relay, store, recorder, anna, _ = setup
    chat = queue(store, "back")
    store.claim(chat.id, anna, MONDAY)
    first = store.post_staff(chat.id, anna, "Een", MONDAY)
    store.post_staff(chat.id, anna, "Twee", MONDAY)
    recorder.connected.add("back")
    run(relay.connected_again("back", first))
    assert recorder.texts("back") == ["Twee"] and relay.is_live("back")
    store.end(chat.id, anna, "afgehandeld", MONDAY)
    relay.live.discard("back")
    run(relay.connected_again("back", first))
    run(relay.connected_again("back", first))  # told once
    assert [m.text for m in recorder.turns] == ["/live_ended"]


def test_a_person_is_offered_only_in_opening_hours_with_someone_on_and_on_a_channel_that_pushes(setup):
    """actions/live.py: the one check the action server makes before offering a live chat."""
    from actions.live import person_available
    from library import shared
    from steunpunt.turn import build

    _, _, _, anna, engine = setup
    library = shared()

    def turn(channel, region="voorbeeld"):
        return build(channel=channel, sender_id="x", metadata={"region": region}, library=library)

    with clock.frozen(MONDAY):
        assert person_available(turn("socketio"), library)
        assert not person_available(turn("rest"), library)  # no push: the ticket flow
        assert not person_available(turn("socketio", region="standaard"), library)  # nobody of that region
    with clock.frozen(SUNDAY):
        assert not person_available(turn("socketio"), library)  # closed
    presence.set_available(engine, anna, False, MONDAY)
    with clock.frozen(MONDAY):
        assert not person_available(turn("socketio"), library)  # nobody switched on


def test_a_users_messages_are_stored_in_the_order_they_were_sent_even_when_a_write_is_slow(setup):
    """socket.io runs each message as a task of its own: without the relay's lock per
    conversation a slow first write lets the second message overtake it."""
    import time as _time

    relay, store, _, _, _ = setup
    chat = queue(store, "order")
    slow_first = store.post_user

    def post_user(chat_id, text, now, client_id=None):
        if text == "een":
            _time.sleep(0.3)
        return slow_first(chat_id, text, now, client_id)

    store.post_user = post_user

    async def send_all():
        messages = [UserMessage(t, None, "order", input_channel="socketio") for t in ("een", "twee", "drie")]
        await asyncio.gather(*(relay.user_message(m, None) for m in messages))

    run(send_all())
    assert [m["text"] for m in store.messages(chat.id) if m["sender"] == "user"] == ["een", "twee", "drie"]
    assert relay._locks == {}  # nothing kept once the conversation's messages are in


def test_the_relay_rests_between_messages_even_after_a_users_message(setup):
    """The feed's version counts every message, the delivery cursor only those for the widget:
    waiting on the cursor made the relay spin (a database query after another) as soon as a
    user had written anything."""
    relay, store, _, _, _ = setup
    chat = queue(store, "rest")
    looked = []
    original = store.new_for_users

    def counted(after, limit=500):
        looked.append(after)
        return original(after, limit)

    store.new_for_users = counted

    async def one_second():
        await relay.start(None)
        await asyncio.sleep(0.3)
        store.post_user(chat.id, "Hallo?", MONDAY)
        await asyncio.sleep(1.0)
        await relay.stop()

    run(one_second())
    assert 1 <= len(looked) <= 5, len(looked)


def test_the_relay_rests_while_the_newest_message_is_not_for_a_widget_and_still_delivers(setup, monkeypatch):
    """A user's message (or a queue entry) being the newest once kept the relay querying the
    database in a loop, a core busy (found by evaluation/live_latency.py): it looks when the
    feed moves, and on its chores' beat."""
    relay, store, recorder, anna, _ = setup
    monkeypatch.setattr(settings, "LIVE_POLL_SECONDS", 0.05)
    looks: List[int] = []
    real = store.new_for_users

    def counted(*args: Any, **kwargs: Any) -> List[Dict[str, Any]]:
        looks.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(store, "new_for_users", counted)
    recorder.connected.add("conv")

    async def scenario() -> None:
        await relay.start(None)
        try:
            chat = queue(store, "conv")
            store.post_user(chat.id, "Is er iemand?", MONDAY)
            await asyncio.sleep(1.0)
            assert 1 <= len(looks) <= 10, f"{len(looks)} looks in a quiet second"
            store.claim(chat.id, anna, MONDAY)
            store.post_staff(chat.id, anna, "Ja, ik ben er", MONDAY)
            for _ in range(40):
                if "Ja, ik ben er" in recorder.texts("conv"):
                    break
                await asyncio.sleep(0.05)
        finally:
            await relay.stop()

    run(scenario())
    assert recorder.texts("conv")[-1] == "Ja, ik ben er"


def test_a_message_committed_after_one_with_a_higher_id_is_still_delivered_once(setup):
    """On PostgreSQL an id is handed out when the row is written, not when it is committed:
    the relay looks back LOOKBACK_IDS ids and skips what it delivered already."""
    from sqlalchemy import insert

    from store.schema import live_messages

    relay, store, recorder, anna, _ = setup
    chat = queue(store, "late")
    recorder.connected.add("late")
    store.claim(chat.id, anna, MONDAY)
    relay.cursor = relay.floor = store.last_message_id()
    with store.engine.begin() as connection:
        connection.execute(
            insert(live_messages).values(
                id=100,
                chat_id=chat.id,
                sender="staff",
                kind="message",
                staff_id=anna,
                text="Later",
                created_at=MONDAY,
            )
        )
    run(relay._deliver_new())
    with store.engine.begin() as connection:  # written before "Later", committed after it
        connection.execute(
            insert(live_messages).values(
                id=50,
                chat_id=chat.id,
                sender="staff",
                kind="message",
                staff_id=anna,
                text="Eerder",
                created_at=MONDAY,
            )
        )
    run(relay._deliver_new())
    run(relay._deliver_new())
    assert recorder.texts("late") == ["Later", "Eerder"]
