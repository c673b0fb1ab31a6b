"""A ticket's reply over WhatsApp (issue 27): sent when Meta still lets us write, said when not.

A ticket that came in over WhatsApp can be answered in WhatsApp itself, but only within Meta's
customer-service window: 24 hours after the user's last message (store/whatsapp.py). After that
Meta accepts only approved templates, which are out of scope; the reply is then stored as
always, and the user reads it with the ticket's code in WhatsApp. The staff member must know
which of the two happens before writing (the ticket page says so) and after sending (the page
says what happened, the audit log keeps it).

The reply is always stored first: a failed send never loses what a colleague wrote. What is
audited and logged is the outcome only, never the phone number or the text.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Dict, Optional

from steunpunt import clock, graph
from store import audit
from store.tickets import TicketStore, ticket_number
from store.whatsapp import Route, WhatsAppStore

CHANNEL = "whatsapp"
#: The first line of the message in WhatsApp: the user may have more than one question.
INTRO = "Antwoord van het steunpunt op je vraag {number}:\n\n"

#: What happened to a reply (the `?whatsapp=` of the ticket page after saving), as staff read it.
SENT, CLOSED, FAILED, OFF = "verstuurd", "venster", "mislukt", "uit"
OPEN = "open"  # a window's reason when the reply can be sent
OUTCOMES = {
    SENT: "Je antwoord is opgeslagen en via WhatsApp verstuurd.",
    CLOSED: (
        "Je antwoord is opgeslagen, maar niet via WhatsApp verstuurd: het venster van 24 uur is "
        "voorbij. De ouder/jongere leest het met de code in WhatsApp."
    ),
    FAILED: (
        "Je antwoord is opgeslagen, maar versturen via WhatsApp is mislukt. Probeer het later "
        "nog eens, of neem contact op via de contactgegevens."
    ),
    OFF: "Je antwoord is opgeslagen. WhatsApp is op deze server niet ingesteld: het is niet verstuurd.",
}


#: How the outcome is shown: the utrecht-alert kind, and whether it asks for attention at once.
KINDS = {
    SENT: ("ok", "status"),
    CLOSED: ("warning", "status"),
    FAILED: ("error", "alert"),
    OFF: ("warning", "status"),
}


@dataclass(frozen=True)
class Outcome:
    text: str
    kind: str  # utrecht-alert--<kind>
    role: str  # status or alert


def outcome(key: Optional[str]) -> Optional[Outcome]:
    """What to tell the staff member about `?whatsapp=<key>`; None for no (or an unknown) key."""
    if key not in OUTCOMES:
        return None
    return Outcome(OUTCOMES[key], *KINDS[key])


@dataclass(frozen=True)
class Window:
    """Where a WhatsApp ticket's reply goes now: `route` when it can be sent (reason OPEN),
    else None with the reason (CLOSED, or OFF when this server cannot send at all)."""

    route: Optional[Route]
    reason: str

    @property
    def until(self) -> Optional[datetime]:
        return self.route.open_until() if self.route else None


def window(tickets: TicketStore, ticket: Dict[str, Any], now: Optional[datetime] = None) -> Optional[Window]:
    """The WhatsApp window of a ticket; None for a ticket that did not come in over WhatsApp."""
    if ticket.get("channel") != CHANNEL:
        return None
    if not graph.configured():
        return Window(None, OFF)
    route = WhatsAppStore(tickets.engine, tickets.secret).route_of(tickets.conversation_keys(ticket["id"]))
    if route is None or not route.is_open(now or clock.now()):
        return Window(None, CLOSED)
    return Window(route, OPEN)


async def deliver(tickets: TicketStore, ticket: Dict[str, Any], text: str, staff_id: int) -> Optional[str]:
    """Send a stored reply over WhatsApp when its window is open; audit the outcome. Returns
    the outcome (a key of OUTCOMES), None for a ticket that did not come in over WhatsApp."""
    found = window(tickets, ticket)
    if found is None:
        return None
    if found.route is None:
        why = "venster voorbij" if found.reason == CLOSED else "niet ingesteld"
        _audit(tickets, ticket["id"], staff_id, f"antwoord niet via WhatsApp verstuurd: {why}", "")
        return found.reason
    route = found.route
    for piece in graph.split_text(INTRO.format(number=ticket_number(ticket["id"])) + text):
        sent = await graph.send(route.phone_number_id, graph.text_message(route.wa_id, piece))
        if not sent.ok:  # the pieces after it would read as a reply cut short: stop
            action = f"antwoord niet via WhatsApp verstuurd: mislukt (status {sent.status})"
            _audit(
                tickets, ticket["id"], staff_id, action, f"code {sent.error_code}" if sent.error_code else ""
            )
            return FAILED
    _audit(tickets, ticket["id"], staff_id, "antwoord verstuurd via WhatsApp", "")
    return SENT


def _audit(tickets: TicketStore, ticket_id: int, staff_id: int, action: str, detail: str) -> None:
    with tickets.engine.begin() as connection:
        audit.write(connection, staff_id, action, detail, clock.now(), ticket_id=ticket_id)
