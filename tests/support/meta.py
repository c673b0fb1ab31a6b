"""Meta's side of WhatsApp in tests (issue 27): signed webhook bodies as the Cloud API sends them.
The Graph API that receives our messages is tests/support/fake_graph.py."""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import time

APP_SECRET = "test-app-secret"
VERIFY_TOKEN = "test-verify-token"
TOKEN = "test-graph-token"
#: The example region's number (content/regions/voorbeeld/regio.yml names it).
NUMBER = "100000000000001"

_ids = itertools.count(1)


def env(api_url: str) -> dict:
    """The settings of a deployment that talks to a fake Graph API at `api_url`."""
    return {
        "STEUNPUNT_WHATSAPP_APP_SECRET": APP_SECRET,
        "STEUNPUNT_WHATSAPP_VERIFY_TOKEN": VERIFY_TOKEN,
        "STEUNPUNT_WHATSAPP_TOKEN": TOKEN,
        "STEUNPUNT_WHATSAPP_API_URL": api_url,
    }


def signed(body: bytes, secret: str = APP_SECRET) -> str:
    """The X-Hub-Signature-256 header of a body."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def webhook(wa_id: str, message: dict, number: str = NUMBER) -> bytes:
    """A webhook body with one user message, as Meta sends it."""
    value = {
        "messaging_product": "whatsapp",
        "metadata": {"display_phone_number": "31000000000", "phone_number_id": number},
        "contacts": [{"profile": {"name": "Test"}, "wa_id": wa_id}],
        "messages": [{"from": wa_id, "timestamp": str(int(time.time())), **message}],
    }
    change = {"value": value, "field": "messages"}
    body = {"object": "whatsapp_business_account", "entry": [{"id": "0", "changes": [change]}]}
    return json.dumps(body).encode()


def text_message(text: str) -> dict:
    return {"id": f"wamid.test{next(_ids)}", "type": "text", "text": {"body": text}}


def button(payload: str, title: str = "knop") -> dict:
    reply = {"type": "button_reply", "button_reply": {"id": payload, "title": title}}
    return {"id": f"wamid.test{next(_ids)}", "type": "interactive", "interactive": reply}


def list_choice(payload: str, title: str = "keuze") -> dict:
    reply = {"type": "list_reply", "list_reply": {"id": payload, "title": title}}
    return {"id": f"wamid.test{next(_ids)}", "type": "interactive", "interactive": reply}


def media(kind: str, media_id: str) -> dict:
    return {"id": f"wamid.test{next(_ids)}", "type": kind, kind: {"id": media_id, "mime_type": "image/jpeg"}}
