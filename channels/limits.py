"""Limits on the Rasa port that are not about one message's content (channels/guarded.py is):
how many messages may come (steunpunt/ratelimit.py), which requests the REST webhook takes at
all, and what the port tells an anonymous visitor about itself.

- Too many messages (per conversation, per client address, for the whole process): a friendly
  Dutch reply with what to do, and the message never reaches NLU, the tracker store or the
  signals (a flood must not write anything).
- REST: only `application/json` bodies (415 otherwise) and no foreign `Origin` (403): a web
  page can make its visitors' browsers send a cross-origin `text/plain` POST without asking
  (no CORS preflight), and so open tickets from many addresses. Without an `Origin` header
  (curl, a server) a request is allowed as before. `?stream=true` (Rasa's streaming reply,
  which hangs for a minute and logs a TypeError with the guarded channel) is refused (400).
- `/` says "ok" and nothing else (Rasa's own says "Hello from Rasa: <version>").
"""

from __future__ import annotations

import logging
from typing import Any, Mapping, Optional

from sanic import Blueprint, response
from sanic.request import Request

from steunpunt import ratelimit, settings
from steunpunt.turn import TurnContext

logger = logging.getLogger(__name__)

BUSY_SELF = (
    "Je stuurt veel berichten kort na elkaar. Wacht {wait} en stuur je vraag dan opnieuw. "
    "Je gesprek blijft gewoon bewaard."
)
BUSY_NETWORK = (
    "Er komen nu veel berichten binnen vanaf jouw netwerk (bijvoorbeeld van een school). "
    "Wacht {wait} en stuur je vraag dan opnieuw. Je gesprek blijft gewoon bewaard."
)
BUSY_EVERYONE = (
    "Het is nu erg druk bij de assistent. Wacht {wait} en stuur je vraag dan opnieuw. "
    "Heb je haast? Neem contact op met {steunpunt_naam}: {steunpunt_telefoon}, "
    "{steunpunt_email}."
)
TEXTS = {ratelimit.CONVERSATION: BUSY_SELF, ratelimit.CLIENT: BUSY_NETWORK, ratelimit.GLOBAL: BUSY_EVERYONE}


def waiting_time(seconds: int) -> str:
    """'ongeveer 5 seconden', in words a reader takes in at once."""
    if seconds <= 1:
        return "een paar seconden"
    if seconds < 60:
        return f"ongeveer {seconds} seconden"
    minutes = (seconds + 59) // 60
    return "ongeveer een minuut" if minutes == 1 else f"ongeveer {minutes} minuten"


def contact_facts(facts: Mapping[str, str]) -> dict:
    """The region's facts with a neutral name and empty phone and e-mail where they are missing:
    the channels' own replies (refused, unavailable, not text) always fill in the way to a person."""
    return {"steunpunt_naam": "het steunpunt", "steunpunt_telefoon": "", "steunpunt_email": "", **facts}


def rate_limited_reply(refusal: ratelimit.Refusal, facts: Mapping[str, str]) -> dict:
    """The reply to a refused message, with the region's way to a person when everyone waits."""
    facts = contact_facts(facts)
    text = TEXTS[refusal.scope].format(wait=waiting_time(refusal.retry_after), **facts)
    return {
        "text": text,
        "custom": {
            "type": "input_rejected",
            "reason": "rate_limited",
            "scope": refusal.scope,
            "retry_after": refusal.retry_after,
        },
    }


async def refused_over_rate_limit(turn: TurnContext, output: Any) -> bool:
    """Whether the message was refused for coming too fast (then the user has been told)."""
    refusal = ratelimit.limiter().check(str(turn.sender_id), turn.client)
    if refusal is None:
        return False
    await output.send_response(turn.sender_id, rate_limited_reply(refusal, turn.facts))
    return True


def _error(status: int, message: str) -> response.HTTPResponse:
    return response.json({"error": message}, status=status)


def check_rest_origin_and_type(request: Request) -> Optional[response.HTTPResponse]:
    """A POST to the REST webhook from a foreign page, as streaming, or not as JSON: refused."""
    origin = request.headers.get("origin")
    if origin is not None and origin.strip().rstrip("/") not in settings.SITE_ORIGINS:
        return _error(403, "this origin may not use the chat")
    stream = request.args.get("stream")
    if stream is not None and str(stream).strip().lower() != "false":
        return _error(400, "streaming replies are not supported")
    content_type = (request.headers.get("content-type") or "").split(";")[0].strip().lower()
    if content_type != "application/json":
        return _error(415, "Content-Type must be application/json")
    return None


async def quiet_root(request: Request) -> Optional[response.HTTPResponse]:
    """`/` answers that the server is up, without naming the software or its version."""
    if request.path == "/":
        return response.text("ok")
    return None


class QuietRootBlueprint(Blueprint):
    """A blueprint that, when a Rasa server registers it, also makes that server's `/` quiet
    (Rasa adds its own `/` route, which announces its version, before any channel)."""

    def register(self, app: Any, options: Any) -> None:
        app.register_middleware(quiet_root, "request")
        super().register(app, options)


class LiveSessions:
    """Which socket.io connection holds which conversation: one live connection per session.

    A signed session id in a second connection (a copied tab, a stolen id) takes the
    conversation over: the connection that held it leaves the session's room (it receives no
    more replies) and is disconnected. Looked up like the dict it replaces (`get`, `pop`)."""

    def __init__(self) -> None:
        self._session_of: dict = {}  # connection id -> session id
        self._holder: dict = {}  # session id -> connection id

    def get(self, sid: str) -> Optional[str]:
        return self._session_of.get(sid)

    def holds(self, session_id: str) -> bool:
        """Whether a connection of this process holds the session (its widget is here)."""
        return session_id in self._holder

    def claim(self, sid: str, session_id: str) -> tuple:
        """Give `session_id` to connection `sid`; returns (the session this connection leaves,
        the connection that loses this session), each None when there is none."""
        left = self._session_of.get(sid)
        left = left if left != session_id else None
        if left is not None and self._holder.get(left) == sid:
            del self._holder[left]
        displaced = self._holder.get(session_id)
        displaced = displaced if displaced != sid else None
        if displaced is not None:
            self._session_of.pop(displaced, None)
        self._session_of[sid] = session_id
        self._holder[session_id] = sid
        return left, displaced

    def pop(self, sid: str, default: Any = None) -> Optional[str]:
        session_id = self._session_of.pop(sid, default)
        if session_id is not None and self._holder.get(session_id) == sid:
            del self._holder[session_id]
        return session_id

    def __len__(self) -> int:
        return len(self._session_of)
