"""The widget's side of a live chat with a person, in the Rasa server (issue 25).

Choice (item 4, "the bot steps aside"): the socket.io channel carries the live chat, not
Rasa's pause/resume. While a person has the conversation (or it waits in the queue), a user's
message never reaches NLU: the channel stores it for the staff member (store/live.py) and adds
it to Rasa's tracker as a plain user turn, under Rasa's own lock of the conversation (so the
conversation's record stays whole, scrubbed as always by store/tracker_store.py). Rasa's
`ConversationPaused` would still parse every message (NLU for nothing, and its guesses kept)
and resuming needs the same tracker access anyway; at the door it costs nothing and no answer,
clarify or handoff offer can slip out.

The turns *around* the chat are the bot's again, and go through Rasa like any message: when
the chat ended or nobody picked it up, the channel sends the conversation an intent of its own
(`/live_ended`, `/live_timeout`), so `decide` (actions/outcome.py) stays the one place that
says what the bot does, and the turn's signal is written as every other.

Every Rasa process runs one `LiveRelay`:
- it wakes on the process's `LiveFeed` (store/livebus.py: the database polled every 0.1 s in
  the embedded form, Redis pub/sub in the scaled form) and delivers the staff member's messages
  to the widgets connected to *this* process, in order, each with its id;
- a widget that reconnects (to this or another process, e.g. after one was killed) says the
  last id it has (`live_after`) and gets what it missed; its own unconfirmed messages come
  again with their client ids, and are stored once;
- every few seconds it tells the store which waiting widgets are still here (a heartbeat), and
  hands a wait that took too long, or whose region has nobody available any more, to the
  ticket flow; a wait whose widget is gone everywhere is abandoned (store/live.py).
"""

from __future__ import annotations

import asyncio
import logging
import re
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any, Awaitable, Callable, Dict, List, Optional, Set

from rasa.core.channels.channel import UserMessage
from rasa.shared.core.events import BotUttered, UserUttered

from library import shared
from library.availability import availability
from steunpunt import clock, settings
from store.db import engine_for
from store.live import CLAIMED, ENDED, ENDED_KIND, MESSAGE, TIMED_OUT, TRANSFERRED, Chat, LiveError, LiveStore
from store.livebus import LiveFeed
from store.presence import available_staff
from store.tickets import TicketStore

logger = logging.getLogger(__name__)

#: A message id the widget gives its own messages, so one sent again after a reconnect is
#: stored once. Short, from a small alphabet: it never carries anything else.
CLIENT_ID = re.compile(r"[A-Za-z0-9_-]{8,40}")
#: The metadata key the socket handler uses to pass a valid client id to the relay (removed
#: before any message reaches Rasa).
CLIENT_ID_KEY = "live_client_id"
#: What the widget shows for the changes of a chat (the staff member's name is never sent).
STATUS_TEXTS = {
    CLAIMED: "Je praat nu met een medewerker van het steunpunt.",
    TRANSFERRED: "Een collega van het steunpunt neemt het gesprek over.",
}
STAFF_LABEL = "Medewerker van het steunpunt"
#: How often the relay does its chores (heartbeat, time-outs, places in the queue).
CHORE_SECONDS = 2.0
#: How far back (in message ids) each look reaches. On PostgreSQL ids are handed out when a
#: row is written, not when it is committed: a message written a moment before another can be
#: committed after it, below the cursor already passed. Ids already delivered are skipped.
LOOKBACK_IDS = 200

Emit = Callable[[str, Dict[str, Any], str], Awaitable[Any]]
Handler = Callable[[UserMessage], Awaitable[Any]]


def client_id_of(data: Any) -> Optional[str]:
    value = data.get("id") if isinstance(data, dict) else None
    return value if isinstance(value, str) and CLIENT_ID.fullmatch(value) else None


@dataclass
class LiveRelay:
    """The live chats of the widgets connected to this Rasa process."""

    emit: Emit  # emit(event, data, room)
    rasa: Handler  # Rasa's own message handler (agent.handle_message), for the bot's turns
    output: Callable[[], Any]  # a fresh output channel for the bot's turns
    holds: Callable[[str], bool]  # whether a widget of this conversation is connected here
    store: Optional[LiveStore] = None
    agent: Any = None  # Rasa's agent (tracker store and lock store), set once the server runs
    live: Set[str] = field(default_factory=set)  # conversations in a live chat, connected here
    places: Dict[str, int] = field(default_factory=dict)
    feed: Optional[LiveFeed] = None
    cursor: int = 0
    _locks: Dict[str, list] = field(default_factory=dict)  # conversation -> [lock, users]
    _delivered: Set[int] = field(default_factory=set)  # ids delivered, within the look-back
    floor: int = 0  # the newest message when the relay started: older ones are never sent
    _tasks: List[asyncio.Task] = field(default_factory=list)
    #: The Rasa channel of the bot's turns around a chat ("socketio", "whatsapp").
    channel: str = "socketio"

    def live_store(self) -> LiveStore:
        if self.store is None:
            self.store = LiveStore(TicketStore(engine_for(settings.DATABASE_URL), settings.secret_key()))
        return self.store

    # --- lifecycle -----------------------------------------------------------------------------
    async def start(self, agent: Any) -> None:
        self.agent = agent
        store = self.live_store()
        self.cursor = self.floor = await asyncio.to_thread(store.last_message_id)
        self.feed = LiveFeed(store.last_message_id)
        self.feed.start()
        # Delivery and chores apart: a slow round of chores (queries per waiting chat) must not
        # hold up the messages of every chat on this process.
        loop = asyncio.get_running_loop()
        self._tasks = [loop.create_task(self._run()), loop.create_task(self._chores_loop())]

    async def stop(self) -> None:
        if self.feed is not None:
            await self.feed.stop()
        for task in self._tasks:
            task.cancel()
        self._tasks = []

    # --- the user's messages -----------------------------------------------------------------
    def is_live(self, conversation: str) -> bool:
        return conversation in self.live

    async def present(self) -> Set[str]:
        """The conversations in a live chat whose user is here (the widgets connected to this
        process): the heartbeat that keeps their waits from being abandoned."""
        return {c for c in self.live if self.holds(c)}

    def watch(self, conversation: str, message: Dict[str, Any]) -> None:
        """A bot message on its way to a widget: joining the queue makes the conversation live
        here (its next messages go to the staff member, not to NLU)."""
        custom = message.get("custom")
        if isinstance(custom, dict) and custom.get("type") == "live_queued":
            self.live.add(conversation)

    async def user_message(self, message: UserMessage, client_id: Optional[str]) -> bool:
        """Store a message of a conversation in a live chat for the staff member, in the order
        the widget sent them (socket.io handles each message as a task of its own, and the
        database write lets the next one overtake: a lock per conversation, taken before the
        first await, keeps them in line); False when the conversation has no open chat (then
        the bot answers it as usual)."""
        entry = self._locks.setdefault(message.sender_id, [asyncio.Lock(), 0])
        entry[1] += 1  # messages of this conversation holding or waiting for its lock
        try:
            async with entry[0]:
                return await self._user_message(message, client_id)
        finally:
            entry[1] -= 1
            if not entry[1]:
                self._locks.pop(message.sender_id, None)

    async def _user_message(self, message: UserMessage, client_id: Optional[str]) -> bool:
        metadata = dict(message.metadata or {})
        store = self.live_store()
        chat = await asyncio.to_thread(store.open_chat, message.sender_id)
        if chat is None:
            self.live.discard(message.sender_id)
            return False
        try:
            stored = await asyncio.to_thread(
                store.post_user, chat.id, message.text or "", clock.now(), client_id
            )
        except LiveError as error:
            await self.emit(
                "bot_uttered", {"text": str(error), "custom": {"type": "live_rejected"}}, message.sender_id
            )
            return True
        if client_id:
            await self.emit("live_ack", {"id": client_id}, message.sender_id)
        if stored is not None:  # in the background: the next message need not wait for Rasa's SQL
            self._background(
                self._record(
                    message.sender_id, [UserUttered(message.text, metadata={**metadata, "live": True})]
                )
            )
        return True

    def _background(self, work: Awaitable[Any]) -> None:
        """Tracker writes, in order per conversation (Rasa's lock store serves the lock in the
        order it was asked for), without holding up delivery."""
        task = asyncio.ensure_future(work)
        self._tasks.append(task)
        task.add_done_callback(lambda done: self._tasks.remove(done) if done in self._tasks else None)

    async def _record(self, conversation: str, events: List[Any]) -> None:
        """The turns in Rasa's tracker too, under Rasa's lock of the conversation."""
        agent = self.agent
        if agent is None or getattr(agent, "tracker_store", None) is None:
            return
        try:
            async with agent.lock_store.lock(conversation):
                tracker = await agent.tracker_store.get_or_create_tracker(conversation)
                for event in events:
                    tracker.update(event)
                await agent.tracker_store.save(tracker)
        except Exception as error:  # noqa: BLE001 - the live chat goes on; its record is the store
            logger.warning("live chat turn not added to the tracker: %s", type(error).__name__)

    # --- a widget (re)connects -------------------------------------------------------------------
    async def connected_again(self, conversation: str, live_after: Any) -> None:
        """A widget confirmed its session: if its conversation is in a live chat, it takes part
        again (and gets what it missed); a chat that ended meanwhile is closed for it now."""
        store = self.live_store()
        chat = await asyncio.to_thread(store.open_chat, conversation)
        if chat is not None:
            self.live.add(conversation)
            after = live_after if isinstance(live_after, int) and live_after >= 0 else None
            if after is not None:  # delivered (and put in the tracker) the first time already
                for message in await asyncio.to_thread(store.messages, chat.id, after):
                    await self._deliver(conversation, message)
            return
        ended = await asyncio.to_thread(store.unclosed, conversation)
        if ended is not None:
            await self._close(ended)

    # --- the relay ---------------------------------------------------------------------------------
    async def _run(self) -> None:
        """Deliver whenever the feed moves, and at least every CHORE_SECONDS (on PostgreSQL a
        message can be committed after one with a higher id, which moves no version)."""
        feed = self.feed
        if feed is None:
            return
        # The feed's version this loop last acted on. Not the cursor: that moves only over what
        # goes to widgets (staff and system messages), so while a user's message or a queue
        # entry is the newest, waiting for the feed to pass the cursor returned at once: a
        # database query in a loop, a core busy, until the next staff message.
        seen = 0
        while True:
            try:
                seen = max(seen, await feed.changed(seen, timeout=CHORE_SECONDS))
                await self._deliver_new()
            except asyncio.CancelledError:
                raise
            except Exception as error:  # noqa: BLE001 - a bad round must not stop the relay
                logger.error("live chat relay: %s", type(error).__name__)
                await asyncio.sleep(1.0)

    async def _deliver_new(self) -> None:
        """Everything new for the widgets here, first sent, then (in the background, one write
        per conversation) added to the tracker; an end closes its chat in the background too."""
        store = self.live_store()
        since = max(0, self.cursor - LOOKBACK_IDS)
        to_record: Dict[str, List[Any]] = {}
        for message in await asyncio.to_thread(store.new_for_users, since):
            if message["id"] <= self.floor or message["id"] in self._delivered:
                continue
            self._delivered.add(message["id"])
            self.cursor = max(self.cursor, message["id"])
            conversation = message["conversation"]
            if not self.holds(conversation):
                continue
            if message["kind"] == ENDED_KIND:
                self._background(self._close_latest(conversation))
                continue
            self.live.add(conversation)
            if await self._deliver(conversation, message):
                to_record.setdefault(conversation, []).append(
                    BotUttered(message["text"], metadata={"live": True})
                )
        self._delivered = {i for i in self._delivered if i > self.cursor - LOOKBACK_IDS}
        for conversation, events in to_record.items():
            self._background(self._record(conversation, events))

    async def _close_latest(self, conversation: str) -> None:
        chat = await asyncio.to_thread(self.live_store().latest, conversation)
        if chat is not None:
            await self._close(chat)

    async def _deliver(self, conversation: str, message: Dict[str, Any]) -> bool:
        """One staff message or change of the chat to the widget, with its id (the widget
        shows each id once). True for a staff message sent from here: a bot turn for the
        tracker (an `emit` that returns False sent nothing: another process did)."""
        if message["kind"] == MESSAGE and message["sender"] == "staff":
            payload = {
                "text": message["text"],
                "custom": {"type": "live_message", "id": message["id"], "from": STAFF_LABEL},
            }
            return await self.emit("bot_uttered", payload, conversation) is not False
        if message["kind"] in STATUS_TEXTS:
            payload = {
                "text": STATUS_TEXTS[message["kind"]],
                "custom": {"type": "live_status", "id": message["id"], "status": message["kind"]},
            }
            await self.emit("bot_uttered", payload, conversation)
        return False

    async def _close(self, chat: Chat) -> None:
        """Tell the user the chat is over, exactly once across all processes: the bot's turn
        after a live chat (ended: "Had je hier iets aan?"; timed out: the ticket flow)."""
        store = self.live_store()
        if not await asyncio.to_thread(store.close, chat.id, clock.now()):
            return
        self.live.discard(chat.conversation)
        self.places.pop(chat.conversation, None)
        if chat.status in (ENDED, TIMED_OUT):
            intent = "/live_ended" if chat.status == ENDED else "/live_timeout"
            await self._bot_turn(chat, intent)
        if chat.status == ENDED:
            await asyncio.to_thread(store.forget, chat.id)

    async def _bot_turn(self, chat: Chat, intent: str) -> None:
        metadata = {"region": chat.region, **({"audience": chat.audience} if chat.audience else {})}
        message = UserMessage(
            intent, self.output(), chat.conversation, input_channel=self.channel, metadata=metadata
        )
        try:
            await asyncio.wait_for(self.rasa(message), settings.TURN_SECONDS)
        except Exception as error:  # noqa: BLE001 - the chat is over either way
            logger.error("live chat: the bot's turn after the chat failed: %s", type(error).__name__)

    async def _chores_loop(self) -> None:
        while True:
            await asyncio.sleep(CHORE_SECONDS)
            try:
                await self._chores()
            except asyncio.CancelledError:
                raise
            except Exception as error:  # noqa: BLE001 - a bad round must not stop the chores
                logger.error("live chat chores: %s", type(error).__name__)

    async def _chores(self) -> None:
        """Heartbeat for the waiting widgets here, places in the queue, time-outs, abandons."""
        store = self.live_store()
        now = clock.now()
        here = await self.present()
        await asyncio.to_thread(store.seen, sorted(here), now)
        due = await asyncio.to_thread(
            store.due, now, settings.LIVE_QUEUE_MINUTES, settings.LIVE_ABANDON_SECONDS
        )
        for chat in due:
            if self.holds(chat.conversation):
                if await asyncio.to_thread(store.time_out, chat.id, now):
                    timed_out = await asyncio.to_thread(store.latest, chat.conversation)
                    if timed_out is not None:
                        await self._close(timed_out)
            elif (chat.user_seen_at or chat.queued_at) <= now - timedelta(
                seconds=settings.LIVE_ABANDON_SECONDS
            ):
                await asyncio.to_thread(store.abandon, chat.id, now)
        await self._nobody_left(here, now)
        await self._places(here)
        if int(now.timestamp()) % 3600 < CHORE_SECONDS:  # once an hour: the copies of old chats
            await asyncio.to_thread(store.purge, now - timedelta(days=1))

    async def _nobody_left(self, here: Set[str], now: Any) -> None:
        """A waiting user whose region has nobody available any more (the last colleague went
        offline, or opening hours are over) gets the ticket flow now, not after the wait."""
        store = self.live_store()
        library = shared()
        for conversation in sorted(here):
            chat = await asyncio.to_thread(store.open_chat, conversation)
            if chat is None or chat.status != "waiting":
                continue
            staff = await asyncio.to_thread(
                available_staff, engine_for(settings.DATABASE_URL), chat.region, now
            )
            if availability(library.hours(chat.region), len(staff), clock.local_now())["now"]:
                continue
            if await asyncio.to_thread(store.time_out, chat.id, now, "offline"):
                timed_out = await asyncio.to_thread(store.latest, conversation)
                if timed_out is not None:
                    await self._close(timed_out)

    async def _places(self, here: Set[str]) -> None:
        """A waiting user sees their place go down ("Je bent nu nummer 1")."""
        store = self.live_store()
        for conversation in sorted(here):
            chat = await asyncio.to_thread(store.open_chat, conversation)
            if chat is None or chat.status != "waiting":
                continue
            place = await asyncio.to_thread(store.place, chat)
            if self.places.get(conversation, place) != place:
                await self.emit(
                    "bot_uttered",
                    {
                        "text": f"Je bent nu nummer {place} in de wachtrij. Een medewerker komt zo.",
                        "custom": {"type": "live_place", "place": place},
                    },
                    conversation,
                )
            self.places[conversation] = place
