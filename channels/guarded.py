"""Rasa's REST and socket.io channels with input limits in front of the NLU pipeline.

Plain Rasa 3.6 answers a JSON list body with HTTP 500 and needs ~12 GB and 30 s for one
100 kB message. Here a malformed request gets a clear 400/413, and an empty, over-long or
binary message gets a short, friendly reply without ever reaching NLU or the tracker.
The URLs stay Rasa's own: /webhooks/rest/webhook and /socket.io.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import inspect
import json
import logging
import re
import secrets
import unicodedata
from datetime import timezone
from typing import Any, Awaitable, Callable, Dict, Optional

from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from rasa.core.channels.rest import RestInput
from rasa.core.channels.socketio import SocketIOInput, SocketIOOutput
from sanic import Blueprint, response
from sanic.request import Request

from channels.limits import (
    LiveSessions,
    check_rest_origin_and_type,
    contact_facts,
    refused_over_rate_limit,
)
from channels.live import CLIENT_ID_KEY, LiveRelay, client_id_of
from library import shared
from signals.record import record, signal_for
from steunpunt import clients, clock, settings
from steunpunt.clients import client_address, warn_untrusted_forwarding
from steunpunt.turn import TurnContext, build

MessageHandler = Callable[[UserMessage], Awaitable[Any]]
logger = logging.getLogger(__name__)

TOO_LONG = (
    "Je bericht is te lang voor mij. Stel je vraag in een paar korte zinnen "
    f"(maximaal {settings.MAX_MESSAGE_CHARS} tekens)."
)
EMPTY = "Ik heb geen vraag ontvangen. Typ je vraag over passend onderwijs."


def clean_text(text: Any) -> Optional[str]:
    """Printable text only (control and other binary characters become spaces); None if not text."""
    if not isinstance(text, str):
        return None
    cleaned = "".join(ch if ch in "\n\t" or unicodedata.category(ch)[0] != "C" else " " for ch in text)
    return cleaned.strip()


#: What the bot's own buttons send. Rasa reads any text that starts with "/" as an intent (with
#: entities in JSON, and Rasa's own intents such as /restart or /session_start), so a typed
#: "/..." that is not one of these is passed on as plain words instead.
BUTTON_PAYLOAD = re.compile(
    r"/(info_[a-z0-9_]{1,60}|affirm|deny|iam_parent|iam_youth|live_chat|leave_question)"
)


def as_typed(text: str) -> str:
    """Text that a button could have sent stays as it is; any other "/..." loses its slashes,
    also those behind spaces ("/ /" where a character that cannot be shown became a space), so
    nothing that reaches Rasa starts with one."""
    if text.startswith("/") and not BUTTON_PAYLOAD.fullmatch(text):
        return re.sub(r"^[/\s]+", "", text)
    return text


def rejection(text: Optional[str]) -> Optional[tuple]:
    """Why a message must not reach NLU, as (reply text, reason), or None when it may."""
    if not text:
        return EMPTY, "empty"
    if len(text) > settings.MAX_MESSAGE_CHARS:
        return TOO_LONG, "too_long"
    return None


UNAVAILABLE = (
    "Er ging bij mij iets mis, sorry. Probeer het over een paar minuten opnieuw. "
    "Lukt het dan nog niet? Neem contact op met {steunpunt_naam}: {steunpunt_telefoon}, "
    "{steunpunt_email}."
)


def unavailable_text(turn: TurnContext) -> str:
    """What a user reads when the assistant could not answer (action server down, an error):
    never silence, always the way to a person (the region's facts)."""
    return UNAVAILABLE.format(**contact_facts(turn.facts))


def message_context(message: UserMessage) -> TurnContext:
    """The turn context of a message at the door, before NLU (steunpunt/turn.py)."""
    return build(
        channel=message.input_channel,
        sender_id=message.sender_id,
        metadata=message.metadata,
        library=shared(),
        text=message.text,
    )


def _sent(output: Any) -> int:
    """How many messages an output channel has sent so far."""
    if isinstance(output, CollectingOutputChannel):
        return len(output.messages)
    return getattr(output, "sent", 0)


async def _bot_turn(on_new_message: MessageHandler, message: UserMessage, turn: TurnContext) -> Any:
    """Rasa's turn for a message, within `settings.TURN_SECONDS`, and a "try again later" reply
    (with the region's phone number) when it sent nothing."""
    before = _sent(message.output_channel)
    try:
        return await asyncio.wait_for(on_new_message(message), settings.TURN_SECONDS)
    except asyncio.TimeoutError:  # the turn is dropped unsaved: the next one starts clean
        logger.error("a turn took longer than %s s and was given up", settings.TURN_SECONDS)
        return None
    finally:
        if _sent(message.output_channel) == before:
            logger.error("no reply was sent for a message; told the user to try again")
            await message.output_channel.send_response(
                message.sender_id,
                {"text": unavailable_text(turn), "custom": {"type": "error", "reason": "unavailable"}},
            )


def server_turns(on_new_message: MessageHandler) -> MessageHandler:
    """The handler for turns the server starts itself: the bot's turn after a live chat
    ("/live_ended", "/live_timeout", channels/live.py). They skip the checks of typed input (their
    text is an intent, which `guard` refuses from a user on purpose, and they count against no
    user's message limit) but get the same turn context, time limit and fallback reply."""

    async def handle(message: UserMessage) -> Any:
        return await _bot_turn(on_new_message, message, message_context(message))

    return handle


def guard(on_new_message: MessageHandler, live: Optional[LiveRelay] = None) -> MessageHandler:
    """Wrap Rasa's message handler: clean the text, answer rejected input ourselves, and never
    leave a user without a reply (Rasa logs a failed action, e.g. the action server being
    down, and then sends nothing at all; a slow one would keep the user waiting for Rasa's
    five-minute action time-out, so a turn gets at most `settings.TURN_SECONDS`).

    With a `live` relay (the socket.io channel), a message of a conversation in a live chat
    goes to the staff member instead of to Rasa (channels/live.py), after the same checks."""

    async def guarded(message: UserMessage) -> Any:
        client_id = None
        if message.metadata and CLIENT_ID_KEY in message.metadata:
            message.metadata = dict(message.metadata)
            client_id = message.metadata.pop(CLIENT_ID_KEY)
        text = clean_text(message.text)
        text = as_typed(text) if text else text
        refused = rejection(text)
        message.text = text if refused is None else None
        turn = message_context(message)
        # Too many messages (channels/limits.py): told to wait; no NLU, tracker or signal write.
        if await refused_over_rate_limit(turn, message.output_channel):
            return None
        if turn.region != (message.metadata or {}).get("region"):
            # resolved once, here: the actions read a known region id
            message.metadata = {**(message.metadata or {}), "region": turn.region}
        in_live_chat = refused is None and live is not None and live.is_live(message.sender_id)
        if in_live_chat and live is not None and await live.user_message(message, client_id):
            return None
        if refused is None:
            return await _bot_turn(on_new_message, message, turn)
        reply, reason = refused
        await message.output_channel.send_response(
            message.sender_id, {"text": reply, "custom": {"type": "input_rejected", "reason": reason}}
        )
        # Refused before NLU, so no action runs: this is the turn's one signal (no text).
        await asyncio.to_thread(record, signal_for(turn, "input_rejected", reason=reason))

    return guarded


def bad_request(status: int, message: str) -> response.HTTPResponse:
    return response.json({"error": message}, status=status)


def check_rest_request(request: Request) -> Optional[response.HTTPResponse]:
    """Refuse what Rasa's REST handler would crash on, before it is parsed."""
    if request.method != "POST":
        return None
    refused = check_rest_origin_and_type(request)  # channels/limits.py: 403, 400, 415
    if refused is not None:
        return refused
    if len(request.body or b"") > settings.MAX_REQUEST_BYTES:
        return bad_request(413, f"request body larger than {settings.MAX_REQUEST_BYTES} bytes")
    try:
        body = json.loads(request.body or b"")
    except (ValueError, UnicodeDecodeError):
        return bad_request(400, "body must be a JSON object")
    if not isinstance(body, dict):
        return bad_request(400, "body must be a JSON object")
    sender = body.get("sender")
    if not isinstance(sender, str) or not sender.strip() or len(sender) > 128:
        return bad_request(400, "'sender' must be a non-empty string of at most 128 characters")
    if not isinstance(body.get("message"), (str, type(None))):
        return bad_request(400, "'message' must be a string")
    if not isinstance(body.get("metadata"), (dict, type(None))):
        return bad_request(400, "'metadata' must be a JSON object")
    return None


class GuardedRestInput(RestInput):
    """`/webhooks/rest/webhook`, with request validation and message limits."""

    @classmethod
    def name(cls) -> str:
        return "rest"

    def get_metadata(self, request: Request) -> dict:
        """Known metadata only, plus the client's key for the limits (never its address)."""
        body = request.json if isinstance(request.json, dict) else {}
        warn_untrusted_forwarding(request.ip, request.headers)
        return with_client(
            clean_metadata(body.get("metadata")),
            client_address(request.ip, request.headers.get("x-forwarded-for")),
        )

    def blueprint(self, on_new_message: MessageHandler) -> Blueprint:
        blueprint = super().blueprint(guard(on_new_message))

        @blueprint.middleware("request")
        async def validate(request: Request) -> Optional[response.HTTPResponse]:
            return check_rest_request(request)

        return blueprint


class PayloadSocketIOOutput(SocketIOOutput):
    """One `bot_uttered` event per bot message: its text, buttons and custom payload together.

    Rasa 3.6 splits a text at blank lines into several events and sends the payload apart
    (passing its keys to `emit` as keyword arguments, which raises for any payload with a
    `type` key). The widget needs a message whole: an answer's payload with its buttons."""

    sent = 0
    #: The live chat relay of this channel, told of every message (joining the queue).
    relay: Optional[LiveRelay] = None

    async def _send_message(self, socket_id: str, response: Any) -> None:
        self.sent += 1
        if self.relay is not None:
            self.relay.watch(socket_id, response)
        await super()._send_message(socket_id, response)

    async def send_response(self, recipient_id: str, message: dict) -> None:
        event = {
            key: message[key]
            for key in ("text", "buttons", "quick_replies", "custom", "image", "attachment")
            if message.get(key)
        }
        if event:
            await self._send_message(recipient_id, event)

    async def send_custom_json(self, recipient_id: str, json_message: dict, **kwargs: Any) -> None:
        await self._send_message(recipient_id, {"custom": json_message})


#: Message metadata a browser may send, and the longest value kept; anything else is dropped
#: before it reaches Rasa (and its tracker store).
METADATA_KEYS = ("audience", "region")
METADATA_MAX_CHARS = 64


def clean_metadata(metadata: Any) -> dict:
    if not isinstance(metadata, dict):
        return {}
    return {
        key: metadata[key]
        for key in METADATA_KEYS
        if isinstance(metadata.get(key), str) and 0 < len(metadata[key]) <= METADATA_MAX_CHARS
    }


def with_client(metadata: dict, address: str) -> dict:
    return {**metadata, clients.METADATA_KEY: clients.client_key(address)}


def _session_mac(raw: str) -> str:
    digest = hmac.new(
        settings.secret_key(), b"socketio-session:" + raw.encode("utf-8", "replace"), hashlib.sha256
    )
    return digest.hexdigest()[:32]


def _epoch_now() -> int:
    return int(clock.now().replace(tzinfo=timezone.utc).timestamp())


def new_session_id() -> str:
    """A random session id signed by the server with the time it was issued:
    `<random>.<issued>.<mac>`. A browser can only resume a conversation with an id this server
    gave it, never choose someone else's, and only for settings.SOCKETIO_SESSION_HOURS."""
    raw = f"{secrets.token_urlsafe(18)}.{_epoch_now()}"
    return f"{raw}.{_session_mac(raw)}"


#: An id issued this far "in the future" is still taken (servers' clocks differ a little).
SESSION_CLOCK_SKEW_SECONDS = 300


def verified_session_id(value: Any) -> Optional[str]:
    if not isinstance(value, str) or len(value) > 128 or value.count(".") != 2:
        return None
    token, issued, mac = value.split(".")
    raw = f"{token}.{issued}"
    expected = _session_mac(raw).encode()
    if not (token and issued.isdigit() and hmac.compare_digest(mac.encode("utf-8", "replace"), expected)):
        return None
    age = _epoch_now() - int(issued)
    if not -SESSION_CLOCK_SKEW_SECONDS <= age <= settings.SOCKETIO_SESSION_HOURS * 3600:
        return None
    return value


class GuardedSocketIOInput(SocketIOInput):
    """Rasa's socket.io channel (for the website widget) with the same message limits, only the
    site's origins (settings.SITE_ORIGINS), server-signed session ids, and known metadata only."""

    @classmethod
    def name(cls) -> str:
        return "socketio"

    relay: Optional[LiveRelay] = None

    def get_output_channel(self) -> Optional[PayloadSocketIOOutput]:
        if self.sio is None:
            return None
        return self._output(self.sio)

    def _output(self, sio: Any) -> PayloadSocketIOOutput:
        output = PayloadSocketIOOutput(sio, self.bot_message_evt)
        output.relay = self.relay
        return output

    def blueprint(self, on_new_message: MessageHandler) -> Blueprint:
        sessions = LiveSessions()  # connection id <-> the session it holds (one per session)

        async def emit(event: str, data: Dict[str, Any], room: str) -> None:
            await sio.emit(event, data, room=room)

        relay = LiveRelay(
            emit=emit,
            rasa=server_turns(on_new_message),
            output=lambda: self._output(sio),
            holds=sessions.holds,
        )
        self.relay = relay
        guarded = guard(on_new_message, relay)

        async def with_payload_output(message: UserMessage) -> Any:
            message.output_channel = self._output(message.output_channel.sio)
            return await guarded(message)

        blueprint = super().blueprint(with_payload_output)
        sio = self.sio
        namespace = self.namespace or "/"

        @blueprint.listener("after_server_start")
        async def start_relay(app: Any, _loop: Any) -> None:
            await relay.start(getattr(app.ctx, "agent", None))

        @blueprint.listener("before_server_stop")
        async def stop_relay(_app: Any, _loop: Any) -> None:
            await relay.stop()

        # Rasa creates the server with CORS checks switched off ([] = any origin may connect).
        sio.eio.cors_allowed_origins = list(settings.SITE_ORIGINS)
        # engine.io takes packets of up to 1 MB by default; a chat message is at most
        # MAX_MESSAGE_CHARS, so anything near the REST body limit is refused before parsing.
        sio.eio.max_http_buffer_size = settings.MAX_REQUEST_BYTES
        rasa_message_handler = sio.handlers[namespace][self.user_message_evt]

        @sio.on("session_request", namespace=self.namespace)
        async def session_request(sid: str, data: Any) -> None:
            """Resume a signed session id, or give a new one. (Also replaces Rasa 3.6's handler,
            which calls enter_room without await: with the python-socketio it installs (5.10+)
            the client never joined its session room and never received a reply.)"""
            data = data if isinstance(data, dict) else {}
            session_id = verified_session_id(data.get("session_id")) or new_session_id()
            left, displaced = sessions.claim(sid, session_id)
            # One live connection per session: the one that held it gets no more replies.
            for connection, room in ((sid, left), (displaced, session_id)):
                if connection is not None and room is not None:
                    gone = sio.leave_room(connection, room)
                    if inspect.isawaitable(gone):
                        await gone
            if displaced is not None:
                await sio.disconnect(displaced, namespace=namespace)
            joined = sio.enter_room(sid, session_id)
            if inspect.isawaitable(joined):
                await joined
            await sio.emit("session_confirm", session_id, room=sid)
            # A live chat goes on after a reconnect (also on another process): what was missed.
            await relay.connected_again(session_id, data.get("live_after"))

        @sio.on(self.user_message_evt, namespace=self.namespace)
        async def handle_message(sid: str, data: Any) -> None:
            """Only from a confirmed session, as that session, with known metadata."""
            session_id = sessions.get(sid)
            if session_id is None or not isinstance(data, dict):
                return
            environ = sio.get_environ(sid, namespace=namespace) or {}
            forwarded = environ.get("HTTP_X_FORWARDED_FOR") or ""
            warn_untrusted_forwarding(environ.get("REMOTE_ADDR"), {"x-forwarded-for": forwarded})
            address = client_address(environ.get("REMOTE_ADDR"), environ.get("HTTP_X_FORWARDED_FOR"))
            metadata = with_client(clean_metadata(data.get(self.metadata_key)), address)
            client_id = client_id_of(data)
            if client_id:  # taken off again before Rasa sees the message (guard)
                metadata[CLIENT_ID_KEY] = client_id
            await rasa_message_handler(
                sid,
                {
                    "message": data.get("message") if isinstance(data.get("message"), str) else "",
                    "session_id": session_id,
                    self.metadata_key: metadata,
                },
            )

        @sio.on("disconnect", namespace=self.namespace)
        async def disconnect(sid: str, *_: Any) -> None:
            sessions.pop(sid, None)

        return blueprint
