"""The staff web app: the queue of handed-off conversations and one page per ticket for staff
(role `medewerker`), and the analysts' pages over the signals (role `analist`, staff/analysis.py).

Server-rendered HTML (works without JavaScript), Dutch UI. Every page needs a login and the
right role; every form carries a CSRF token; session cookies are HttpOnly and SameSite=Strict;
logins are throttled; every change is audited (store/tickets.py).
"""
from __future__ import annotations

import hmac
import secrets
from datetime import date
from functools import wraps
from pathlib import Path
from typing import Optional
from urllib.parse import urlencode

from jinja2 import ChoiceLoader, Environment, FileSystemLoader, select_autoescape
from sanic import Sanic, response
from sanic.request import Request

from library import shared
from signals.report import TEMPLATES as SIGNAL_TEMPLATES
from signals.store import SignalStore
from steunpunt import clock
from steunpunt.clients import client_address
from store.accounts import Accounts
from store.schema import ROLES, STATUSES
from store.tickets import TicketStore, ticket_number

SESSION_COOKIE = "sp_session"
LOGIN_CSRF_COOKIE = "sp_login_csrf"
STAFF, ANALYST = ROLES
HOME = {STAFF: "/", ANALYST: "/analyse"}
QUEUE_PAGE = 50  # tickets per page of the queue
_templates = Environment(loader=ChoiceLoader([FileSystemLoader(Path(__file__).parent / "templates"),
                                              FileSystemLoader(SIGNAL_TEMPLATES)]),
                         autoescape=select_autoescape(["html"]))
_templates.filters["ticket_number"] = ticket_number
_templates.filters["local"] = lambda stamp, form="%d-%m-%Y %H:%M": clock.to_local(stamp).strftime(form) if stamp else ""
HEADERS = {
    "Content-Security-Policy": "default-src 'self'; style-src 'self' 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'",
    "X-Frame-Options": "DENY", "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer", "Cache-Control": "no-store",
}


def render(name: str, status: int = 200, **context) -> response.HTTPResponse:
    return response.html(_templates.get_template(name).render(**context), status=status,
                         headers=HEADERS)


def same_token(given: Optional[str], expected: str) -> bool:
    """Constant-time comparison of form tokens; any text (also non-ASCII) is just "not equal"."""
    return hmac.compare_digest((given or "").encode("utf-8", "replace"), expected.encode())


def parse_page(text: Optional[str]) -> int:
    try:
        return min(max(1, int(text or 1)), 10_000)
    except ValueError:
        return 1


def parse_date(text: Optional[str]) -> Optional[date]:
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        return None


def create_app(store: TicketStore, accounts: Accounts, secure_cookies: bool,
               name: str = "steunpunt_staff", signals: Optional[SignalStore] = None) -> Sanic:
    app = Sanic(name)
    app.config.REQUEST_MAX_SIZE = 64 * 1024  # forms only: a reply of 5000 characters fits
    topics = shared()
    signals = signals or SignalStore(store.engine)

    def mine(session) -> TicketStore:
        """The tickets this account may see: its regions only. Every ticket route reads and
        changes through it, so another region's ticket does not exist here (404)."""
        return store.for_regions(session.regions)

    def topics_seen_by(session) -> list:
        """Topic ids of the account's regions: national ones and a region's own."""
        return sorted({topic for region in topics.regions() if session.sees(region)
                       for topic in topics.topics(region)})

    def chosen_regions(request: Request, session):
        """The account's regions, or the one it picked with ?regio= (if it is one of them)."""
        picked = request.args.get("regio") or ""
        return {picked} if picked and session.sees(picked) else session.regions

    def set_cookie(resp, key: str, value: str) -> None:
        resp.cookies[key] = value
        resp.cookies[key]["httponly"] = True
        resp.cookies[key]["samesite"] = "Strict"
        resp.cookies[key]["secure"] = secure_cookies
        resp.cookies[key]["path"] = "/"

    def client(request: Request) -> str:
        return client_address(request.ip, request.headers.get("x-forwarded-for"))

    def requires(*roles: str):
        """No page without login and one of these roles; no form without the CSRF token."""

        def decorate(handler):
            @wraps(handler)
            async def wrapper(request: Request, *args, **kwargs):
                session = accounts.session(request.cookies.get(SESSION_COOKIE))
                if session is None:
                    return response.redirect("/login", status=303, headers=HEADERS)
                if session.role not in roles:
                    return render("error.html", 403, session=session,
                                  message="Deze pagina is niet voor jouw rol.")
                if request.method == "POST" and not same_token(request.form.get("csrf"), session.csrf_token):
                    return render("error.html", 403, message="Ongeldig formulier (CSRF). Laad de pagina opnieuw.")
                return await handler(request, session, *args, **kwargs)

            return wrapper

        return decorate

    login_required = requires(STAFF)  # the ticket pages: staff only

    @app.get("/login")
    async def login_form(request: Request):
        token = secrets.token_urlsafe(32)
        resp = render("login.html", csrf=token, error=None)
        set_cookie(resp, LOGIN_CSRF_COOKIE, token)
        return resp

    @app.post("/login")
    async def login(request: Request):
        expected = request.cookies.get(LOGIN_CSRF_COOKIE, "")
        if not expected or not same_token(request.form.get("csrf"), expected):
            return render("error.html", 403, message="Ongeldig formulier (CSRF). Laad de pagina opnieuw.")
        username = request.form.get("username", "")[:80]
        wait = accounts.login_wait(username, client(request))
        if wait:
            return render("login.html", 429, csrf=expected,
                          error=f"Te veel mislukte pogingen. Probeer het over {wait} seconden opnieuw.")
        token = accounts.login(username, request.form.get("password", ""), client(request))
        if token is None:
            return render("login.html", 401, csrf=expected,
                          error="Gebruikersnaam of wachtwoord klopt niet.")
        session = accounts.session(token)
        resp = response.redirect(HOME.get(session.role, "/") if session else "/", status=303,
                                 headers=HEADERS)
        set_cookie(resp, SESSION_COOKIE, token)
        return resp

    @app.post("/logout")
    @requires(*ROLES)
    async def logout(request: Request, session):
        accounts.logout(request.cookies.get(SESSION_COOKIE))
        resp = response.redirect("/login", status=303, headers=HEADERS)
        del resp.cookies[SESSION_COOKIE]
        return resp

    @app.get("/")
    @requires(*ROLES)
    async def queue(request: Request, session):
        if session.role != STAFF:  # an analyst's home is the analysis, not the queue
            return response.redirect(HOME[session.role], status=303, headers=HEADERS)
        filters = {key: request.args.get(key, "") for key in ("status", "audience", "topic", "van", "tot", "regio")}
        visible = store.for_regions(chosen_regions(request, session))
        page = parse_page(request.args.get("pagina"))
        rows = visible.search(status=filters["status"] or None, audience=filters["audience"] or None,
                            topic=filters["topic"] or None, since=parse_date(filters["van"]),
                            until=parse_date(filters["tot"]), limit=QUEUE_PAGE + 1,
                            offset=(page - 1) * QUEUE_PAGE)

        def query(to_page: int) -> str:
            return urlencode({**{k: v for k, v in filters.items() if v}, "pagina": to_page})

        return render("queue.html", session=session, tickets=rows[:QUEUE_PAGE], counts=visible.counts(),
                      filters=filters, statuses=STATUSES, topics=topics_seen_by(session),
                      regions=[r for r in topics.regions() if session.sees(r)],
                      page=page, more=len(rows) > QUEUE_PAGE, query=query,
                      first=(page - 1) * QUEUE_PAGE + 1)

    @app.get("/tickets/<ticket_id:int>")
    @login_required
    async def ticket_page(request: Request, session, ticket_id: int):
        ticket = mine(session).get(ticket_id)
        if ticket is None:
            return render("error.html", 404, message="Deze vraag bestaat niet.")
        return render("ticket.html", session=session, ticket=ticket, statuses=STATUSES,
                      notes=mine(session).notes(ticket_id), audit=mine(session).audit_entries(ticket_id),
                      minutes=mine(session).minutes(ticket_id))

    def change(handler):
        """A POST that changes a ticket, then back to its page."""

        @login_required
        @wraps(handler)
        async def wrapper(request: Request, session, ticket_id: int):
            try:
                handler(request, session, ticket_id)
            except KeyError:
                return render("error.html", 404, message="Deze vraag bestaat niet.")
            except ValueError as error:
                return render("error.html", 400, message=str(error))
            return response.redirect(f"/tickets/{ticket_id}", status=303, headers=HEADERS)

        return wrapper

    def required_text(request: Request, field: str) -> str:
        text = (request.form.get(field) or "").strip()
        if not text or len(text) > 5000:
            raise ValueError("Vul een tekst in (maximaal 5000 tekens).")
        return text

    @app.post("/tickets/<ticket_id:int>/toewijzen")
    @change
    def assign(request, session, ticket_id):
        mine(session).assign(ticket_id, session.staff_id)

    @app.post("/tickets/<ticket_id:int>/status")
    @change
    def status(request, session, ticket_id):
        mine(session).set_status(ticket_id, request.form.get("status", ""), session.staff_id)

    @app.post("/tickets/<ticket_id:int>/antwoord")
    @change
    def reply(request, session, ticket_id):
        mine(session).reply(ticket_id, required_text(request, "text"), session.staff_id)

    @app.post("/tickets/<ticket_id:int>/notitie")
    @change
    def note(request, session, ticket_id):
        mine(session).add_note(ticket_id, required_text(request, "text"), session.staff_id)

    @app.post("/tickets/<ticket_id:int>/tijd")
    @change
    def time_spent(request, session, ticket_id):
        try:
            minutes = int((request.form.get("minuten") or "").strip())
        except ValueError:
            raise ValueError("Vul een aantal minuten in tussen 1 en 600.") from None
        mine(session).add_minutes(ticket_id, minutes, session.staff_id)

    @app.post("/tickets/<ticket_id:int>/wissen")
    @change
    def erase(request, session, ticket_id):
        if request.form.get("zeker") != "ja":
            raise ValueError("Vink aan dat je de gegevens van deze vraag echt wilt wissen.")
        mine(session).erase(ticket_id, session.staff_id)

    from staff.analysis import add_analysis_routes

    add_analysis_routes(app, requires(ANALYST), render, store, signals, topics, chosen_regions, topics_seen_by)
    return app
