"""The staff's pages (role `medewerker`): the queue of handed-off conversations and one page per
ticket, with its changes (assign, status, reply, note, minutes, erase). Every change is audited
(store/tickets.py) and reads and writes through `mine()`: the account's regions only.
"""

from __future__ import annotations

import logging
from functools import wraps
from urllib.parse import urlencode

from sanic.request import Request

from staff import whatsapp
from staff.live import is_available
from staff.regiogegevens import review_reminders
from staff.web import (
    DAY_FORMAT,
    HOME,
    STAFF,
    Route,
    blueprint,
    chosen_regions,
    error,
    mine,
    parse_date,
    parse_page,
    redirect,
    regions_seen_by,
    render,
    topics_seen_by,
)
from store.conversations import TrackerStoreUnavailable
from store.schema import ROLES, STATUSES

logger = logging.getLogger(__name__)

QUEUE_PAGE = 50  # tickets per page of the queue
FILTERS = ("status", "audience", "topic", "van", "tot", "regio")


async def queue(request: Request, session):
    if session.role != STAFF:  # an analyst's home is the analysis, not the queue
        return redirect(HOME[session.role])
    filters = {key: request.args.get(key, "") for key in FILTERS}
    days = {key: parse_date(filters[key]) for key in ("van", "tot")}
    visible = request.app.ctx.store.for_regions(chosen_regions(request, session))
    page = parse_page(request.args.get("pagina"))
    rows = visible.search(
        status=filters["status"] or None,
        audience=filters["audience"] or None,
        topic=filters["topic"] or None,
        since=days["van"],
        until=days["tot"],
        limit=QUEUE_PAGE + 1,
        offset=(page - 1) * QUEUE_PAGE,
    )

    def query(to_page: int) -> str:
        return urlencode({**{k: v for k, v in filters.items() if v}, "pagina": to_page})

    return render(
        "queue.html",
        session=session,
        tickets=rows[:QUEUE_PAGE],
        counts=visible.counts(),
        filters=filters,
        # a day as dd-mm-jjjj, however it was typed; what is no day stays as typed, marked
        shown_days={key: day.strftime(DAY_FORMAT) if day else filters[key] for key, day in days.items()},
        bad_days={key for key, day in days.items() if filters[key] and day is None},
        statuses=STATUSES,
        topics=topics_seen_by(request, session),
        regions=regions_seen_by(request, session),
        page=page,
        more=len(rows) > QUEUE_PAGE,
        query=query,
        first=(page - 1) * QUEUE_PAGE + 1,
        available=is_available(request, session),
        reminders=review_reminders(request, session),
    )


async def ticket_page(request: Request, session, ticket_id: int):
    tickets = mine(request, session)
    ticket = tickets.get(ticket_id)
    if ticket is None:
        return error(404, "Deze vraag bestaat niet.")
    return render(
        "ticket.html",
        session=session,
        ticket=ticket,
        statuses=STATUSES,
        notes=tickets.notes(ticket_id),
        audit=tickets.audit_entries(ticket_id),
        minutes=tickets.minutes(ticket_id),
        whatsapp=whatsapp.window(tickets, ticket),
        # what happened to the reply just saved (set by `reply`): a fixed text, never the reply
        whatsapp_outcome=whatsapp.outcome(request.args.get("whatsapp")),
    )


#: What staff see when the tracker store cannot be reached: nothing was erased (store/tickets.py).
ERASE_NOT_DONE = (
    "Er is niets gewist: de opgeslagen gesprekken van de chatbot zijn nu niet bereikbaar, en zonder "
    "die gesprekken te wissen blijft de vraag staan. Probeer het later opnieuw; blijft dit "
    "gebeuren, vraag dan de beheerder de instelling STEUNPUNT_TRACKER_DB na te kijken."
)


def change(handler):
    """A POST that changes a ticket, then back to its page: `handler(request, session, tickets,
    ticket_id)` raises KeyError for a ticket it cannot see (404), ValueError for a bad form (400),
    TrackerStoreUnavailable when an erasure could not reach Rasa's conversations (503)."""

    @wraps(handler)
    async def wrapper(request: Request, session, ticket_id: int):
        try:
            handler(request, session, mine(request, session), ticket_id)
        except KeyError:
            return error(404, "Deze vraag bestaat niet.")
        except ValueError as problem:
            return error(400, str(problem))
        except TrackerStoreUnavailable as problem:  # only erase reads the tracker store
            logger.error("ticket %s not erased, nothing changed: %s", ticket_id, problem)
            return error(503, ERASE_NOT_DONE)
        return redirect(f"/tickets/{ticket_id}")

    return wrapper


def required_text(request: Request, field: str) -> str:
    text = (request.form.get(field) or "").strip()
    if not text or len(text) > 5000:
        raise ValueError("Vul een tekst in (maximaal 5000 tekens).")
    return text


@change
def assign(request, session, tickets, ticket_id):
    tickets.assign(ticket_id, session.staff_id)


@change
def status(request, session, tickets, ticket_id):
    tickets.set_status(ticket_id, request.form.get("status", ""), session.staff_id)


async def reply(request: Request, session, ticket_id: int):
    """Store the reply (as every change), then send it over WhatsApp when the ticket came from
    there and Meta's window is open (staff/whatsapp.py). Its own handler, not `change`: sending
    waits for Meta, and the page afterwards must say what happened."""
    tickets = mine(request, session)
    try:
        text = required_text(request, "text")
        tickets.reply(ticket_id, text, session.staff_id)
        ticket = tickets.get(ticket_id)
        if ticket is None:
            raise KeyError(ticket_id)
    except KeyError:
        return error(404, "Deze vraag bestaat niet.")
    except ValueError as problem:
        return error(400, str(problem))
    outcome = await whatsapp.deliver(tickets, ticket, text, session.staff_id)
    return redirect(f"/tickets/{ticket_id}" + (f"?{urlencode({'whatsapp': outcome})}" if outcome else ""))


@change
def note(request, session, tickets, ticket_id):
    tickets.add_note(ticket_id, required_text(request, "text"), session.staff_id)


@change
def time_spent(request, session, tickets, ticket_id):
    try:
        minutes = int((request.form.get("minuten") or "").strip())
    except ValueError:
        raise ValueError("Vul een aantal minuten in tussen 1 en 600.") from None
    tickets.add_minutes(ticket_id, minutes, session.staff_id)


@change
def erase(request, session, tickets, ticket_id):
    if request.form.get("zeker") != "ja":
        raise ValueError("Vink aan dat je de gegevens van deze vraag echt wilt wissen.")
    tickets.erase(ticket_id, session.staff_id)  # TrackerStoreUnavailable: `change` says so


TICKET = "/tickets/<ticket_id:int>"
ROUTES = (
    Route("GET", "/", queue, ROLES),  # both roles: an analyst is sent on to the analysis
    Route("GET", TICKET, ticket_page, (STAFF,)),
    Route("POST", f"{TICKET}/toewijzen", assign, (STAFF,)),
    Route("POST", f"{TICKET}/status", status, (STAFF,)),
    Route("POST", f"{TICKET}/antwoord", reply, (STAFF,)),
    Route("POST", f"{TICKET}/notitie", note, (STAFF,)),
    Route("POST", f"{TICKET}/tijd", time_spent, (STAFF,)),
    Route("POST", f"{TICKET}/wissen", erase, (STAFF,)),
)
bp = blueprint("queue", ROUTES)
