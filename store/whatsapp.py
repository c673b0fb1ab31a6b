"""What WhatsApp needs kept (issue 27): the way back to a conversation, and "done once".

Rasa knows a WhatsApp conversation only by a keyed hash of the phone number (its sender id,
channels/whatsapp.py), so the tracker store, the logs and the signals never hold the number.
To write back, the number is needed after all: it waits here, sealed (steunpunt/sealed.py),
keyed by `conversation_key()` of the sender id (as ticket_conversations), with the time of the
user's last message. Meta lets a business write freely only within 24 hours of that message
(the customer-service window), so after that the row is of no use and is purged; erasing a
ticket deletes the rows of its conversations (store/tickets.py).

`once()` is how several processes agree that something happens one time only: Meta redelivers a
webhook it thinks failed (possibly to another process), and every process's live chat relay sees
each staff message. The first to insert the key does it; the key is a keyed hash, since a
WhatsApp message id encodes the sender's number.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Collection, Optional

from sqlalchemy import delete, insert, select, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError

from steunpunt.sealed import seal, unseal
from store.conversations import conversation_key
from store.schema import done_once, whatsapp_routes

#: Meta's customer-service window: free-form messages only this long after the user's last one.
WINDOW = timedelta(hours=24)
#: Meta retries a webhook delivery for up to seven days; a message id is remembered as long.
ONCE_DAYS = 8


@dataclass(frozen=True)
class Route:
    """Where to send a conversation's messages: the user's number and the steunpunt's number id."""

    wa_id: str
    phone_number_id: str
    last_inbound_at: datetime

    def open_until(self) -> datetime:
        return self.last_inbound_at + WINDOW

    def is_open(self, now: datetime) -> bool:
        return now < self.open_until()


class WhatsAppStore:
    def __init__(self, engine: Engine, secret: bytes) -> None:
        self.engine = engine
        self.secret = secret

    def _key(self, sender_id: str) -> str:
        return conversation_key(sender_id, self.secret)

    # --- the way back ---------------------------------------------------------------------------
    def remember(self, sender_id: str, wa_id: str, phone_number_id: str, now: datetime) -> None:
        """A user wrote (now): keep their number sealed, and the window open from now."""
        key = self._key(sender_id)
        values = {"phone_number_id": phone_number_id, "wa_id": seal(wa_id), "last_inbound_at": now}
        with self.engine.begin() as connection:
            changed = connection.execute(
                update(whatsapp_routes).where(whatsapp_routes.c.conversation == key).values(**values)
            ).rowcount
            if not changed:
                try:
                    with connection.begin_nested():
                        connection.execute(insert(whatsapp_routes).values(conversation=key, **values))
                except IntegrityError:  # another process inserted it a moment ago
                    connection.execute(
                        update(whatsapp_routes).where(whatsapp_routes.c.conversation == key).values(**values)
                    )

    def route(self, sender_id: str) -> Optional[Route]:
        """The way back to a conversation (None when unknown, purged, or no longer readable)."""
        return self.route_by_key(self._key(sender_id))

    def route_by_key(self, key: str) -> Optional[Route]:
        with self.engine.connect() as connection:
            row = connection.execute(
                select(whatsapp_routes).where(whatsapp_routes.c.conversation == key)
            ).first()
        if row is None:
            return None
        wa_id = unseal(row.wa_id)
        if not wa_id:
            return None
        return Route(wa_id=wa_id, phone_number_id=row.phone_number_id, last_inbound_at=row.last_inbound_at)

    def route_of(self, keys: Collection[str]) -> Optional[Route]:
        """The way back among these conversations (a ticket's, TicketStore.conversation_keys):
        the one whose user wrote last, since only that one's window can still be open; None when
        none is known or readable."""
        if not keys:
            return None
        with self.engine.connect() as connection:
            found = connection.execute(
                select(whatsapp_routes.c.conversation)
                .where(whatsapp_routes.c.conversation.in_(sorted(keys)))
                .order_by(whatsapp_routes.c.last_inbound_at.desc())
            ).all()
        for (key,) in found:
            route = self.route_by_key(key)
            if route is not None:
                return route
        return None

    def forget_keys(self, keys: Collection[str]) -> int:
        """Delete the ways back to these conversations (conversation keys): erasing a ticket."""
        if not keys:
            return 0
        with self.engine.begin() as connection:
            return connection.execute(
                delete(whatsapp_routes).where(whatsapp_routes.c.conversation.in_(sorted(keys)))
            ).rowcount

    # --- once --------------------------------------------------------------------------------------
    def once(self, key: str, now: datetime) -> bool:
        """True for the first caller with this key (in any process), False for every later one."""
        hashed = hmac.new(self.secret, b"once:" + key.encode("utf-8"), hashlib.sha256).hexdigest()
        try:
            with self.engine.begin() as connection:
                connection.execute(insert(done_once).values(key=hashed, done_at=now))
        except IntegrityError:
            return False
        return True

    def purge(self, now: datetime) -> int:
        """Ways back whose window closed, and once-keys Meta can no longer redeliver."""
        with self.engine.begin() as connection:
            routes = connection.execute(
                delete(whatsapp_routes).where(whatsapp_routes.c.last_inbound_at < now - WINDOW)
            ).rowcount
            keys = connection.execute(
                delete(done_once).where(done_once.c.done_at < now - timedelta(days=ONCE_DAYS))
            ).rowcount
        return routes + keys
