"""WhatsApp as a Rasa channel (issue 27): Meta's WhatsApp Business Cloud API, on the same turn
pipeline as the widget (the channel guard, `decide`, handoff, live chat, signals).

Rasa 3.6 only has Twilio's WhatsApp connector; this is the Cloud API's webhook, at
`/webhooks/whatsapp/webhook`:

- `GET` is Meta's one-time handshake: `hub.challenge` back when `hub.verify_token` is ours.
- `POST` is checked before anything is read: the `X-Hub-Signature-256` header must be the
  HMAC-SHA256 of the raw body with the app secret (compared in constant time), else 401/403.
  Then each message is claimed once (store/whatsapp.py: Meta redelivers what it thinks failed,
  possibly to another process) and Meta gets its 200 at once; the message is handled in the
  background, in order per sender.

Privacy: the sender's number (`wa_id`) is never a Rasa sender id, metadata, log line or signal.
The conversation id is `wa-` + a keyed hash of it; the number itself waits sealed in the way
back (store/whatsapp.py) for Meta's 24-hour window. Pictures, voice messages, documents,
stickers and locations are not read or stored: the user is told that only text can be read and
how else to reach the steunpunt.

Sending goes through steunpunt/graph.py: texts (split above 4096 characters), our buttons as
reply buttons when they fit (at most 3, titles of at most 20 characters) and as a list
otherwise. A region names its number in its regio.yml (`whatsapp_phone_number_id`); a message
to that number gets that region's content and facts (docs/whatsapp.md).
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import logging
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Awaitable, Callable, Dict, List, Optional

from rasa.core.channels.channel import InputChannel, OutputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request

from channels.guarded import guard, message_context, server_turns
from channels.limits import contact_facts
from channels.live import STAFF_LABEL, LiveRelay
from library import shared
from signals.record import record, signal_for
from steunpunt import clients, clock, graph, settings
from store.db import engine_for
from store.whatsapp import WhatsAppStore

logger = logging.getLogger(__name__)

CHANNEL = "whatsapp"
#: The regional fact that names a region's WhatsApp number (Meta's phone_number_id).
NUMBER_FACT = "whatsapp_phone_number_id"
#: Conversation ids of WhatsApp users start with this (the rest is a keyed hash).
PREFIX = "wa-"
#: A webhook body larger than this is refused before its signature is even computed.
MAX_WEBHOOK_BYTES = 256 * 1024
#: Message types that are not text: never read or stored, answered with NOT_TEXT.
MEDIA_TYPES = frozenset(
    {"image", "audio", "voice", "video", "document", "sticker", "location", "contacts", "unsupported"}
)
NOT_TEXT = (
    "Sorry, ik kan alleen tekst lezen. Foto's, spraakberichten, documenten en locaties kan ik niet "
    "openen, en ik bewaar ze niet. Typ je vraag in een paar woorden. Wil je liever iemand spreken? "
    "Neem contact op met {steunpunt_naam}: {steunpunt_telefoon}, {steunpunt_email}."
)
#: Our own buttons, with a title that fits WhatsApp's 20 characters (the widget's can be longer).
BUTTON_TITLES = {
    "/iam_parent": "Ouder of verzorger",
    "/iam_youth": "Leerling",
    "/live_chat": "Ja, nu chatten",
    "/leave_question": "Vraag achterlaten",
}
LIST_BUTTON = "Maak een keuze"


# --- who is writing -------------------------------------------------------------------------------
def sender_id(wa_id: str) -> str:
    """The conversation id of a WhatsApp user: a keyed hash of the number, never the number."""
    digest = hmac.new(settings.secret_key(), b"whatsapp:" + wa_id.encode(), hashlib.sha256)
    return PREFIX + digest.hexdigest()[:32]


def region_for_number(phone_number_id: str) -> str:
    """The region whose regio.yml names this WhatsApp number; else the default region."""
    library = shared()
    for region in library.regions():
        if library.facts(region).get(NUMBER_FACT, "").strip() == phone_number_id:
            return region
    logger.warning("a WhatsApp number that no regio.yml names: the default region answers")
    return settings.DEFAULT_REGION


# --- Meta's webhook --------------------------------------------------------------------------------
def signature_ok(body: bytes, header: Optional[str]) -> bool:
    """`sha256=<hex>` of the raw body with the app secret, compared in constant time."""
    secret = settings.WHATSAPP_APP_SECRET
    if not secret or not header or not header.startswith("sha256="):
        return False
    expected = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(header[len("sha256=") :].strip().encode("utf-8", "replace"), expected.encode())


@dataclass(frozen=True)
class Inbound:
    """One user message of a webhook: its id, sender, the number it was sent to, and either the
    text (typed, or the id of our button or list row) or `media` (not read)."""

    message_id: str
    wa_id: str
    phone_number_id: str
    text: Optional[str]
    media: bool = False


def parse_webhook(body: Any) -> List[Inbound]:
    """The user messages in a webhook body, in order. Status updates (sent, delivered, read),
    reactions and anything malformed are left out."""
    found: List[Inbound] = []
    if not isinstance(body, dict):
        return found
    for entry in body.get("entry") or []:
        for change in (entry.get("changes") or []) if isinstance(entry, dict) else []:
            value = change.get("value") if isinstance(change, dict) else None
            if not isinstance(value, dict):
                continue
            number = str((value.get("metadata") or {}).get("phone_number_id") or "")
            for message in value.get("messages") or []:
                inbound = _inbound(message, number)
                if inbound is not None:
                    found.append(inbound)
    return found


def _inbound(message: Any, number: str) -> Optional[Inbound]:
    if not isinstance(message, dict):
        return None
    message_id, wa_id, kind = message.get("id"), message.get("from"), message.get("type")
    if not (isinstance(message_id, str) and message_id and isinstance(wa_id, str) and wa_id.isdigit()):
        return None
    if not number:
        return None
    text: Optional[str] = None
    if kind == "text":
        text = (message.get("text") or {}).get("body")
    elif kind == "interactive":
        interactive = message.get("interactive") or {}
        reply = interactive.get(interactive.get("type")) if isinstance(interactive, dict) else None
        if isinstance(reply, dict):
            text = reply.get("id") or reply.get("title")
    elif kind == "button":  # a quick reply of a template message
        button = message.get("button") or {}
        text = button.get("payload") or button.get("text")
    elif kind in MEDIA_TYPES:
        return Inbound(message_id, wa_id, number, None, media=True)
    else:  # reactions, system messages, ...: nothing to answer
        return None
    return Inbound(message_id, wa_id, number, text if isinstance(text, str) else "")


# --- what the bot sends ------------------------------------------------------------------------------
def button_title(button: Dict[str, Any]) -> str:
    payload = str(button.get("payload") or "")
    return BUTTON_TITLES.get(payload, str(button.get("title") or payload))


def payloads(to: str, message: Dict[str, Any]) -> List[graph.Payload]:
    """One bot message (text, buttons, custom payload) as Graph API messages. The text goes as
    it is (our texts are plain, with sources as "title (url)" links); buttons become reply
    buttons or a list, with the text as their body when it fits, else after the text."""
    text = str(message.get("text") or "").strip()
    buttons = [b for b in message.get("buttons") or [] if isinstance(b, dict) and b.get("payload")]
    choices = [(str(b["payload"]), button_title(b)) for b in buttons]
    sent: List[graph.Payload] = []
    if not choices:
        return [graph.text_message(to, piece) for piece in graph.split_text(text)] if text else []
    if text and len(text) <= graph.MAX_BODY:
        body = text
    else:
        sent = [graph.text_message(to, piece) for piece in graph.split_text(text)] if text else []
        body = "Zie ook:" if not graph.fits_buttons(choices) else "Kies hieronder:"
    if graph.fits_buttons(choices):
        sent.append(graph.buttons_message(to, body, choices))
    else:
        sent.append(graph.list_message(to, body, choices, button=LIST_BUTTON))
    return sent


class WhatsAppOutput(OutputChannel):
    """Sends a conversation's messages to its WhatsApp user, found through the way back
    (store/whatsapp.py): the bot's turns, the guard's replies and the live chat's."""

    sent = 0

    def __init__(self, store: WhatsAppStore) -> None:
        self.store = store

    @classmethod
    def name(cls) -> str:
        return CHANNEL

    async def send_response(self, recipient_id: str, message: Dict[str, Any]) -> None:
        self.sent += 1
        route = await asyncio.to_thread(self.store.route, recipient_id)
        if route is None:
            logger.warning("whatsapp: no way back to a conversation (window over or erased)")
            return
        for payload in payloads(route.wa_id, message):
            result = await graph.send(route.phone_number_id, payload)
            if not result.ok:
                return  # logged by graph.send; the rest would arrive without its start

    async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:
        await self.send_response(recipient_id, {"text": text})

    async def send_custom_json(self, recipient_id: str, json_message: Dict[str, Any], **kwargs: Any) -> None:
        return None  # the widget's payloads; WhatsApp users read the text that goes with them


# --- live chat ---------------------------------------------------------------------------------------
class WhatsAppRelay(LiveRelay):
    """The live chat relay for WhatsApp conversations. There is no connection to hold: every
    process may deliver a staff message, so each is sent once (store/whatsapp.py `once`), and a
    waiting WhatsApp user is present for as long as the chat is open."""

    def is_live(self, conversation: str) -> bool:
        # Any process may get the user's next message: the store (not this process) knows.
        return conversation.startswith(PREFIX)

    async def present(self) -> set:
        return set(await asyncio.to_thread(self.live_store().open_on, CHANNEL))


def live_emit(store: WhatsAppStore) -> Callable[[str, Dict[str, Any], str], Awaitable[bool]]:
    """What the relay sends to a WhatsApp user: the staff member's messages and the chat's
    changes, each once across all processes (False when another process sent it)."""
    output = WhatsAppOutput(store)

    async def emit(event: str, data: Dict[str, Any], conversation: str) -> bool:
        if event != "bot_uttered" or not data.get("text"):
            return False  # live_ack and the like are for the widget
        found = data.get("custom")
        custom: Dict[str, Any] = found if isinstance(found, dict) else {}
        mark = custom.get("id", custom.get("place", data["text"]))
        key = f"live:{conversation}:{custom.get('type')}:{mark}"
        if not await asyncio.to_thread(store.once, key, clock.now()):
            return False
        text = data["text"]
        if custom.get("type") == "live_message":
            text = f"{STAFF_LABEL}:\n{text}"
        await output.send_response(conversation, {"text": text})
        return True

    return emit


# --- the channel ------------------------------------------------------------------------------------
class WhatsAppInput(InputChannel):
    """`/webhooks/whatsapp/webhook`: Meta's Cloud API webhook."""

    @classmethod
    def name(cls) -> str:
        return CHANNEL

    def __init__(self) -> None:
        self.store: Optional[WhatsAppStore] = None
        self._locks: Dict[str, List[Any]] = {}
        self._tasks: set = set()

    def wa_store(self) -> WhatsAppStore:
        if self.store is None:
            self.store = WhatsAppStore(engine_for(settings.DATABASE_URL), settings.secret_key())
        return self.store

    def get_output_channel(self) -> Optional[OutputChannel]:
        return WhatsAppOutput(self.wa_store())

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        store = self.wa_store()
        relay = WhatsAppRelay(
            emit=live_emit(store),
            rasa=server_turns(on_new_message),
            output=lambda: WhatsAppOutput(store),
            holds=lambda conversation: conversation.startswith(PREFIX),
            channel=CHANNEL,
        )
        guarded = guard(on_new_message, relay)
        blueprint = Blueprint("whatsapp_webhook", __name__)

        @blueprint.listener("after_server_start")
        async def start(app: Any, _loop: Any) -> None:
            await relay.start(getattr(app.ctx, "agent", None))
            self._spawn(self._purge_hourly())

        @blueprint.listener("before_server_stop")
        async def stop(_app: Any, _loop: Any) -> None:
            await relay.stop()
            for task in list(self._tasks):
                task.cancel()

        @blueprint.route("/", methods=["GET"])
        async def health(_request: Request) -> response.HTTPResponse:
            return response.json({"status": "ok"})

        @blueprint.route("/webhook", methods=["GET"])
        async def verify(request: Request) -> response.HTTPResponse:
            token = settings.WHATSAPP_VERIFY_TOKEN
            given = request.args.get("hub.verify_token") or ""
            challenge = request.args.get("hub.challenge") or ""
            if (
                token
                and request.args.get("hub.mode") == "subscribe"
                and hmac.compare_digest(given.encode("utf-8", "replace"), token.encode())
                and challenge
                and len(challenge) <= 200
            ):
                return response.text(challenge)
            return response.json({"error": "verification failed"}, status=403)

        @blueprint.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> response.HTTPResponse:
            body = request.body or b""
            if not settings.WHATSAPP_APP_SECRET:
                return response.json({"error": "WhatsApp is not configured"}, status=403)
            if len(body) > MAX_WEBHOOK_BYTES:
                return response.json({"error": "body too large"}, status=413)
            header = request.headers.get("x-hub-signature-256")
            if not header:
                return response.json({"error": "signature missing"}, status=401)
            if not signature_ok(body, header):
                return response.json({"error": "signature does not match"}, status=403)
            try:
                messages = parse_webhook(json.loads(body))
            except (ValueError, UnicodeDecodeError):
                return response.json({"error": "body must be JSON"}, status=400)
            now = clock.now()
            for inbound in messages:
                if not await asyncio.to_thread(store.once, f"wa-in:{inbound.message_id}", now):
                    continue  # a redelivery: answered (or being answered) already
                conversation = sender_id(inbound.wa_id)
                await asyncio.to_thread(
                    store.remember, conversation, inbound.wa_id, inbound.phone_number_id, now
                )
                self._spawn(self._in_order(conversation, self._handle(guarded, conversation, inbound)))
            return response.json({"status": "ok"})

        return blueprint

    # --- handling, in the background ------------------------------------------------------------
    def _spawn(self, work: Awaitable[Any]) -> None:
        task = asyncio.ensure_future(work)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _in_order(self, conversation: str, work: Awaitable[Any]) -> None:
        """One sender's messages one after the other, in the order they came in (the lock is
        taken in the order the tasks were made: asyncio's locks are fair)."""
        entry = self._locks.setdefault(conversation, [asyncio.Lock(), 0])
        entry[1] += 1
        try:
            async with entry[0]:
                await work
        except Exception as error:  # noqa: BLE001 - one bad message must not stop the others
            logger.error("whatsapp: a message could not be handled: %s", type(error).__name__)
        finally:
            entry[1] -= 1
            if not entry[1]:
                self._locks.pop(conversation, None)

    async def _handle(
        self, guarded: Callable[[UserMessage], Awaitable[Any]], conversation: str, inbound: Inbound
    ) -> None:
        region = region_for_number(inbound.phone_number_id)
        metadata = {
            "region": region,
            clients.METADATA_KEY: clients.client_key("whatsapp:" + conversation),
        }
        output = WhatsAppOutput(self.wa_store())
        message = UserMessage(inbound.text, output, conversation, input_channel=CHANNEL, metadata=metadata)
        if inbound.media:
            await self._not_text(message)
            return
        await guarded(message)

    async def _not_text(self, message: UserMessage) -> None:
        """A picture, voice message, ...: not opened, not stored; the user hears how else."""
        turn = message_context(message)
        text = NOT_TEXT.format(**contact_facts(turn.facts))
        await message.output_channel.send_response(message.sender_id, {"text": text})
        await asyncio.to_thread(record, signal_for(turn, "input_rejected", reason="not_text"))

    async def _purge_hourly(self) -> None:
        """Ways back whose window closed and old once-keys go (store/whatsapp.py)."""
        while True:
            try:
                await asyncio.to_thread(self.wa_store().purge, clock.now())
            except Exception as error:  # noqa: BLE001 - try again next hour
                logger.error("whatsapp purge: %s", type(error).__name__)
            await asyncio.sleep(timedelta(hours=1).total_seconds())
