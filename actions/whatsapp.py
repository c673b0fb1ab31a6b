"""The action server's part of WhatsApp (issue 27): what a handoff on WhatsApp asks and says.

The channel itself (webhook, sending, live chat) is the Rasa server's (channels/whatsapp.py);
here are only the two things the handoff form does differently on WhatsApp:

- a youth is told, before being asked anything, that WhatsApp passes their phone number to the
  steunpunt, and is offered the anonymous chat on the website instead;
- a parent may choose the WhatsApp number as the contact ("Ja, dit nummer"). The slot then
  holds only the marker WHATSAPP_CONTACT; the number itself is read from the sealed way back
  (store/whatsapp.py) when the ticket is made, so it never enters Rasa's tracker store.
"""

from __future__ import annotations

from typing import Any, Dict, Optional

from steunpunt import settings
from steunpunt.turn import TurnContext
from store.db import engine_for
from store.whatsapp import WhatsAppStore

WHATSAPP = "whatsapp"
#: The handoff_contact value of a parent who chose "contact me on this WhatsApp number".
WHATSAPP_CONTACT = "whatsapp"
#: Replies that choose the WhatsApp number as contact (the button sends /affirm).
USE_THIS_NUMBER = {"/affirm", "ja", "ja graag", "ja, graag", "ja dit nummer", "ja, dit nummer", "dit nummer"}


def youth_on_whatsapp(turn: TurnContext) -> Dict[str, Any]:
    """The notice for a youth on WhatsApp before a handoff (the site's chat is anonymous)."""
    return {
        "response": "utter_whatsapp_youth_notice",
        "steunpunt_website": turn.facts.get("steunpunt_website", ""),
        "json_message": {"type": "whatsapp_youth_notice"},
    }


def chose_this_number(value: Optional[str]) -> bool:
    return " ".join((value or "").lower().replace(",", " ").split()) in {
        " ".join(choice.replace(",", " ").split()) for choice in USE_THIS_NUMBER
    }


def whatsapp_number(conversation: str) -> Optional[str]:
    """The WhatsApp number of a conversation, for a ticket's contact (None once its window is
    over or the way back was erased: then the user gets a code instead)."""
    route = WhatsAppStore(engine_for(settings.DATABASE_URL), settings.secret_key()).route(conversation)
    return f"+{route.wa_id}" if route is not None else None
