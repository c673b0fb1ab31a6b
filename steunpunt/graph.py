"""Meta's Graph API for WhatsApp (issue 27): the messages we send, and sending them with retries.

Both doors that write to WhatsApp use it: the Rasa server's channel (channels/whatsapp.py: the
bot's turns, live chat) and the staff app (a ticket's reply within the 24-hour window). The
builders are pure and keep to Meta's limits, so a message is never refused for its shape:

- text: at most 4096 characters per message (longer text is split at paragraph, line or
  word boundaries);
- reply buttons: at most 3, titles at most 20 characters, body at most 1024;
- list: at most 10 rows, row titles at most 24 characters (the full title goes into the row's
  description, at most 72), the button that opens it at most 20.

`send` posts one message to `{WHATSAPP_API_URL}/{phone_number_id}/messages` with the bearer
token. Network errors, 429 and 5xx are tried again with growing waits; any other 4xx will not
succeed by retrying (a bad token, a closed window, a blocked number) and is given up at once.
What is logged: the status, Meta's error code and the attempt; never a text or a number.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
from dataclasses import dataclass
from typing import Any, Awaitable, Callable, Dict, List, Optional, Sequence, Tuple

import aiohttp

from steunpunt import settings

logger = logging.getLogger(__name__)

MAX_TEXT = 4096
MAX_BODY = 1024
MAX_BUTTONS = 3
MAX_BUTTON_TITLE = 20
MAX_ROWS = 10
MAX_ROW_TITLE = 24
MAX_ROW_DESCRIPTION = 72
MAX_ID = 200
#: The first wait before a retry (seconds); it doubles each time.
FIRST_WAIT = 0.5
TIMEOUT_SECONDS = 10.0

Payload = Dict[str, Any]
Choice = Tuple[str, str]  # (id sent back to us, title shown)


def split_text(text: str, limit: int = MAX_TEXT) -> List[str]:
    """Text in pieces of at most `limit` characters, cut at a blank line, a line end or a space
    where one is near (never in the middle of a word unless a word is longer than the limit)."""
    pieces: List[str] = []
    rest = text.strip()
    while len(rest) > limit:
        window = rest[:limit]
        cut = max(window.rfind("\n\n"), window.rfind("\n"), window.rfind(" "))
        if cut < limit // 2:
            cut = limit
        pieces.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip()
    if rest:
        pieces.append(rest)
    return pieces


def shorten(text: str, limit: int) -> str:
    """At most `limit` characters, cut at a word with "…" when it had to be cut."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    space = cut.rfind(" ")
    return (cut[:space] if space > limit // 2 else cut).rstrip(" ,.;:-") + "…"


def _base(to: str) -> Payload:
    return {"messaging_product": "whatsapp", "recipient_type": "individual", "to": to}


def text_message(to: str, body: str) -> Payload:
    """One text message (the caller splits long text with split_text). Links are not previewed:
    a preview would fetch the page and show a picture nobody checked."""
    return {**_base(to), "type": "text", "text": {"preview_url": False, "body": body[:MAX_TEXT]}}


def fits_buttons(choices: Sequence[Choice]) -> bool:
    return 0 < len(choices) <= MAX_BUTTONS and all(len(title) <= MAX_BUTTON_TITLE for _, title in choices)


def buttons_message(to: str, body: str, choices: Sequence[Choice]) -> Payload:
    """Reply buttons (at most 3, titles of at most 20 characters: see fits_buttons)."""
    return {
        **_base(to),
        "type": "interactive",
        "interactive": {
            "type": "button",
            "body": {"text": shorten(body, MAX_BODY)},
            "action": {
                "buttons": [
                    {"type": "reply", "reply": {"id": choice_id[:MAX_ID], "title": title[:MAX_BUTTON_TITLE]}}
                    for choice_id, title in choices[:MAX_BUTTONS]
                ]
            },
        },
    }


def list_message(
    to: str, body: str, choices: Sequence[Choice], button: str = "Kies een onderwerp"
) -> Payload:
    """A list of at most 10 rows; a title too long for a row is shortened, and shown whole as
    the row's description."""
    rows = []
    for choice_id, title in choices[:MAX_ROWS]:
        row = {"id": choice_id[:MAX_ID], "title": shorten(title, MAX_ROW_TITLE)}
        if row["title"] != title:
            row["description"] = shorten(title, MAX_ROW_DESCRIPTION)
        rows.append(row)
    return {
        **_base(to),
        "type": "interactive",
        "interactive": {
            "type": "list",
            "body": {"text": shorten(body, MAX_BODY)},
            "action": {"button": shorten(button, MAX_BUTTON_TITLE), "sections": [{"rows": rows}]},
        },
    }


def choices_message(to: str, body: str, choices: Sequence[Choice]) -> Payload:
    """Buttons when they fit, else a list."""
    if fits_buttons(choices):
        return buttons_message(to, body, choices)
    return list_message(to, body, choices)


@dataclass(frozen=True)
class Sent:
    ok: bool
    status: int  # the last HTTP status; 0 when the API could not be reached
    attempts: int
    message_id: Optional[str] = None
    #: Meta's error code of the last refusal (e.g. 131047: outside the 24-hour window).
    error_code: Optional[int] = None


Sleep = Callable[[float], Awaitable[Any]]
_WAMID = re.compile(r"[A-Za-z0-9=_.:-]{1,200}")


def _json_object(raw: bytes) -> Dict[str, Any]:
    """Meta's answer as a JSON object; anything else (an empty or non-JSON body from a proxy in
    between) as {}. A sent message must never be sent again because its answer was odd."""
    try:
        found = json.loads(raw or b"{}")
    except (ValueError, UnicodeDecodeError):
        return {}
    return found if isinstance(found, dict) else {}


def _retry_after(headers: Any, fallback: float) -> float:
    try:
        return min(30.0, max(fallback, float(headers.get("Retry-After", ""))))
    except (TypeError, ValueError):
        return fallback


async def send(
    phone_number_id: str,
    payload: Payload,
    *,
    attempts: Optional[int] = None,
    sleep: Sleep = asyncio.sleep,
) -> Sent:
    """Post one message; retried as the module docstring says. Never raises for a failed send."""
    attempts = attempts or settings.WHATSAPP_SEND_ATTEMPTS
    url = f"{settings.WHATSAPP_API_URL}/{phone_number_id}/messages"
    headers = {"Authorization": f"Bearer {settings.WHATSAPP_TOKEN}"}
    wait = FIRST_WAIT
    status, code = 0, None
    timeout = aiohttp.ClientTimeout(total=TIMEOUT_SECONDS)
    async with aiohttp.ClientSession(timeout=timeout) as session:
        for attempt in range(1, attempts + 1):
            retry_in = wait
            try:
                async with session.post(url, json=payload, headers=headers) as response:
                    status = response.status
                    body = _json_object(await response.read())
                    if 200 <= status < 300:
                        messages = body.get("messages") or [{}]
                        found = messages[0].get("id") if isinstance(messages[0], dict) else None
                        message_id = found if isinstance(found, str) and _WAMID.fullmatch(found) else None
                        return Sent(True, status, attempt, message_id)
                    error = body.get("error")
                    found_code = error.get("code") if isinstance(error, dict) else None
                    code = found_code if isinstance(found_code, int) else None
                    retry_in = _retry_after(response.headers, wait) if status == 429 else wait
            except (aiohttp.ClientError, asyncio.TimeoutError) as problem:
                status, code = 0, None
                logger.warning("whatsapp send: %s (attempt %s/%s)", type(problem).__name__, attempt, attempts)
            else:
                logger.warning(
                    "whatsapp send refused: status %s, code %s (attempt %s/%s)",
                    status,
                    code,
                    attempt,
                    attempts,
                )
                if 400 <= status < 500 and status != 429:
                    return Sent(False, status, attempt, error_code=code)
            if attempt < attempts:
                await sleep(retry_in)
                wait *= 2
    logger.error("whatsapp send given up after %s attempts (status %s)", attempts, status)
    return Sent(False, status, attempts, error_code=code)


def configured() -> bool:
    """Whether this deployment can send to WhatsApp at all."""
    return bool(settings.WHATSAPP_TOKEN and settings.WHATSAPP_API_URL)
