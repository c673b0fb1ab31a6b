"""Rasa's REST and socket.io channels with input limits in front of the NLU pipeline.

Plain Rasa 3.6 answers a JSON list body with HTTP 500 and needs ~12 GB and 30 s for one
100 kB message. Here a malformed request gets a clear 400/413, and an empty, over-long or
binary message gets a short, friendly reply without ever reaching NLU or the tracker.
The URLs stay Rasa's own: /webhooks/rest/webhook and /socket.io.
"""
from __future__ import annotations

import asyncio
import inspect
import json
import unicodedata
import uuid
from typing import Any, Awaitable, Callable, Optional

from sanic import Blueprint, response
from sanic.request import Request

from rasa.core.channels.channel import UserMessage
from rasa.core.channels.rest import RestInput
from rasa.core.channels.socketio import SocketIOInput, SocketIOOutput

from actions.audience import audience_from_metadata
from signals.record import record, region_from_metadata
from signals.store import Signal
from steunpunt import settings

MessageHandler = Callable[[UserMessage], Awaitable[Any]]

TOO_LONG = (
    "Je bericht is te lang voor mij. Stel je vraag in een paar korte zinnen "
    f"(maximaal {settings.MAX_MESSAGE_CHARS} tekens)."
)
EMPTY = "Ik heb geen vraag ontvangen. Typ je vraag over passend onderwijs."


def clean_text(text: Any) -> Optional[str]:
    """Printable text only (control and other binary characters become spaces); None if not text."""
    if not isinstance(text, str):
        return None
    cleaned = "".join(
        ch if ch in "\n\t" or unicodedata.category(ch)[0] != "C" else " " for ch in text
    )
    return cleaned.strip()


def rejection(text: Optional[str]) -> Optional[tuple]:
    """Why a message must not reach NLU, as (reply text, reason), or None when it may."""
    if not text:
        return EMPTY, "empty"
    if len(text) > settings.MAX_MESSAGE_CHARS:
        return TOO_LONG, "too_long"
    return None


def guard(on_new_message: MessageHandler) -> MessageHandler:
    """Wrap Rasa's message handler: clean the text, and answer rejected input ourselves."""

    async def guarded(message: UserMessage) -> Any:
        text = clean_text(message.text)
        refused = rejection(text)
        if refused is None:
            message.text = text
            return await on_new_message(message)
        reply, reason = refused
        await message.output_channel.send_text_message(message.sender_id, reply)
        await message.output_channel.send_custom_json(
            message.sender_id, {"type": "input_rejected", "reason": reason}
        )
        # Refused before NLU, so no action runs: this is the turn's one signal (no text).
        await asyncio.to_thread(record, Signal(
            kind="input_rejected", reason=reason, channel=message.input_channel,
            audience=audience_from_metadata(message.metadata),
            region=region_from_metadata(message.metadata)))

    return guarded


def bad_request(status: int, message: str) -> response.HTTPResponse:
    return response.json({"error": message}, status=status)


def check_rest_request(request: Request) -> Optional[response.HTTPResponse]:
    """Refuse what Rasa's REST handler would crash on, before it is parsed."""
    if request.method != "POST":
        return None
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

    def blueprint(self, on_new_message: MessageHandler) -> Blueprint:
        blueprint = super().blueprint(guard(on_new_message))

        @blueprint.middleware("request")
        async def validate(request: Request) -> Optional[response.HTTPResponse]:
            return check_rest_request(request)

        return blueprint


class PayloadSocketIOOutput(SocketIOOutput):
    """Sends custom payloads as `{"custom": payload}`, the same shape as the REST channel.

    Rasa 3.6 passes a payload's keys to `emit` as keyword arguments, which raises for any
    payload with a `type` key: every payload of this bot would be lost on socket.io.
    """

    async def send_custom_json(self, recipient_id: str, json_message: dict, **kwargs: Any) -> None:
        await self._send_message(recipient_id, {"custom": json_message})


class GuardedSocketIOInput(SocketIOInput):
    """Rasa's socket.io channel (for the website widget) with the same message limits."""

    @classmethod
    def name(cls) -> str:
        return "socketio"

    def get_output_channel(self) -> Optional[PayloadSocketIOOutput]:
        if self.sio is None:
            return None
        return PayloadSocketIOOutput(self.sio, self.bot_message_evt)

    def blueprint(self, on_new_message: MessageHandler) -> Blueprint:
        guarded = guard(on_new_message)

        async def with_payload_output(message: UserMessage) -> Any:
            output = message.output_channel
            message.output_channel = PayloadSocketIOOutput(output.sio, output.bot_message_evt)
            return await guarded(message)

        blueprint = super().blueprint(with_payload_output)
        sio = self.sio

        @sio.on("session_request", namespace=self.namespace)
        async def session_request(sid: str, data: Any) -> None:
            """Replaces Rasa 3.6's handler, which calls enter_room without await: with the
            python-socketio it installs (5.10+) that is a coroutine, so the client never
            joined its session room and never received a reply."""
            data = data if isinstance(data, dict) else {}
            if not isinstance(data.get("session_id"), str) or not data["session_id"]:
                data["session_id"] = uuid.uuid4().hex
            if self.session_persistence:
                joined = sio.enter_room(sid, data["session_id"])
                if inspect.isawaitable(joined):
                    await joined
            await sio.emit("session_confirm", data["session_id"], room=sid)

        return blueprint
