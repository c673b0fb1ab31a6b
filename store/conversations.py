"""The conversations a ticket came from, and wiping them out of Rasa's tracker store.

A ticket remembers the conversation that made it and every conversation that read it back with
its code (store/tickets.py), as `conversation_key()`: an HMAC of Rasa's sender id with the
deployment's secret. Not the sender id itself: for the widget that is the chat session, which
should not be readable from the tickets database. To find the conversation again, the sender
ids still in the tracker store (at most the tracker retention period, 30 days) are hashed the
same way; that is one pass over the distinct sender ids, only when a ticket is erased.

`wipe()` deletes every event of those conversations (their texts, the bot's confirmation with
the ticket number, the staff reply read back, the sealed description), with SQLite's
secure_delete so the deleted rows are overwritten in the file too, and returns the ids of the
signals those conversations' turns wrote (steunpunt/turn.py turn_signal_id), so the ticket
store can blank their texts. Rasa's SQLTrackerStore keeps everything in one `events` table,
on SQLite (settings.TRACKER_DB is a path) or PostgreSQL (a URL).

A ticket with conversations to wipe and a tracker store that is not there (no file, no
`events` table, no connection) is a wrong setting, not an empty store: Rasa made the table when
it stored those conversations. `wipe()` then raises TrackerStoreUnavailable, so the ticket
keeps the links to its conversations and the erasure can be repeated once the setting is right.
A table without the conversations is fine: retention removed them already.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Collection, Dict, FrozenSet, List, Optional

from sqlalchemy import column, create_engine, delete, event, inspect, select, table
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import ArgumentError, SQLAlchemyError

from steunpunt.turn import turn_of, turn_signal_id

#: Rasa's SQLTrackerStore table.
EVENTS_TABLE = "events"
#: The columns of it that are read here, as a lightweight table: SQLAlchemy builds (and quotes)
#: the statements, and every value is a bound parameter.
_events = table(EVENTS_TABLE, column("id"), column("sender_id"), column("data"))


def conversation_key(sender_id: str, secret: bytes) -> str:
    """What a ticket stores of a conversation: a keyed hash of Rasa's sender id."""
    return hmac.new(secret, b"conversation:" + sender_id.encode(), hashlib.sha256).hexdigest()


def tracker_url(value: str) -> str:
    """The tracker store setting as a database URL (a plain path means the SQLite file)."""
    return value if "://" in value else f"sqlite:///{value}"


def _sqlite_path(url: str) -> Optional[Path]:
    return Path(url[len("sqlite:///") :]) if url.startswith("sqlite:///") else None


def tracker_engine(value: str) -> Optional[Engine]:
    """An engine on the tracker store, or None when its SQLite file does not exist (nothing was
    ever stored there, and opening it would create it). The caller disposes of it."""
    url = tracker_url(value)
    path = _sqlite_path(url)
    if path is not None and not path.exists():
        return None
    engine = create_engine(url, future=True)
    if engine.dialect.name == "sqlite":

        def pragmas(connection, _record) -> None:
            cursor = connection.cursor()
            cursor.execute("PRAGMA busy_timeout=5000")  # Rasa may be writing a turn
            cursor.execute("PRAGMA secure_delete=ON")  # deleted rows are zeroed in the file
            cursor.close()

        event.listen(engine, "connect", pragmas)
    return engine


class TrackerStoreUnavailable(RuntimeError):
    """The tracker store holding a ticket's conversations cannot be read: nothing was wiped."""


@dataclass(frozen=True)
class Wiped:
    conversations: int = 0
    events: int = 0
    #: Ids of the signals the wiped conversations' turns may have written.
    signal_ids: FrozenSet[str] = field(default_factory=frozenset)


def _turn_signal_ids(sender_id: str, events: List[Dict], kinds: Collection[str], secret: bytes) -> set:
    """Every id turn_signal_id() can have given a signal of this conversation: per user
    message (a turn), per kind. Only the events up to a turn's user message decide its id."""
    ids = set()
    for index, stored in enumerate(events):
        if stored.get("event") == "user":
            for kind in kinds:
                ids.add(turn_signal_id(sender_id, turn_of(events[: index + 1]), kind, secret=secret))
    return ids


def wipe(tracker_db: str, keys: Collection[str], secret: bytes, signal_kinds: Collection[str] = ()) -> Wiped:
    """Delete every event of the conversations with these keys from the tracker store. With
    keys, a tracker store that is not there (no SQLite file, no events table, no connection)
    raises TrackerStoreUnavailable: the caller must then keep what finds them again."""
    keys = set(keys)
    if not keys:
        return Wiped()
    engine = tracker_engine(tracker_db)
    if engine is None:
        raise TrackerStoreUnavailable(f"het gespreksgeheugen {_shown(tracker_db)} bestaat niet")
    try:
        if EVENTS_TABLE not in inspect(engine).get_table_names():
            raise TrackerStoreUnavailable(
                f"het gespreksgeheugen {_shown(tracker_db)} heeft geen tabel '{EVENTS_TABLE}'"
            )
        return _wipe(engine, keys, secret, signal_kinds)
    except SQLAlchemyError as error:  # unreadable, locked, refused: repeat when it is back
        raise TrackerStoreUnavailable(
            f"het gespreksgeheugen {_shown(tracker_db)} is niet bereikbaar ({type(error).__name__})"
        ) from error
    finally:
        engine.dispose()


def _wipe(engine: Engine, keys: Collection[str], secret: bytes, signal_kinds: Collection[str]) -> Wiped:
    with engine.begin() as connection:
        senders = [
            sender
            for (sender,) in connection.execute(select(_events.c.sender_id).distinct())
            if conversation_key(sender, secret) in keys
        ]
        if not senders:  # retention removed them already
            return Wiped()
        signal_ids: set = set()
        for sender in senders:
            rows = connection.execute(
                select(_events.c.data).where(_events.c.sender_id == sender).order_by(_events.c.id)
            )
            events = [_loaded(data) for (data,) in rows]
            signal_ids |= _turn_signal_ids(sender, events, signal_kinds, secret)
        deleted = connection.execute(delete(_events).where(_events.c.sender_id.in_(senders))).rowcount
    if engine.dialect.name == "sqlite":
        # Rebuild the file from the live rows: secure_delete zeroes the rows this connection
        # deletes, but earlier copies of them can survive in free space that Rasa's own
        # connection (default pragmas) left when it rebalanced pages; an end-to-end run found
        # an erased conversation's text in the file that way. Erase is rare; VACUUM is cheap
        # next to leaving a person behind. Then the rollback journal or WAL keeps no copy.
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.exec_driver_sql("VACUUM")
            connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    return Wiped(conversations=len(senders), events=deleted, signal_ids=frozenset(signal_ids))


def _shown(tracker_db: str) -> str:
    """The setting as it may be shown: a URL without its password."""
    try:
        return make_url(tracker_url(tracker_db)).render_as_string(hide_password=True)
    except ArgumentError:
        return "(onleesbare instelling)"


def _loaded(data: Optional[str]) -> Dict:
    try:
        loaded = json.loads(data or "{}")
    except ValueError:
        return {}
    return loaded if isinstance(loaded, dict) else {}
