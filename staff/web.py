"""What every page of the staff app shares: templates, headers, the login and role check, the
CSRF check, and the app's state (`app.ctx`: store, accounts, signals, library, secure_cookies).

Handlers are module-level functions in staff/login.py, staff/queue.py and staff/analysis.py;
each module lists its routes as data (`Route`), with the roles that may use them, and
`blueprint()` turns such a list into a Sanic Blueprint. So "who may do what" is one table per
module, and the login/role/CSRF check is applied to every route in one place.
"""

from __future__ import annotations

import hmac
import re
from dataclasses import dataclass
from datetime import date
from functools import wraps
from pathlib import Path
from types import MappingProxyType
from typing import Callable, FrozenSet, Optional, Sequence, Tuple

from jinja2 import ChoiceLoader, Environment, FileSystemLoader, select_autoescape
from sanic import Blueprint, response
from sanic.request import Request

from signals.report import TEMPLATES as SIGNAL_TEMPLATES
from steunpunt import settings
from steunpunt.clients import client_address
from steunpunt.clock import day_range, now, to_local
from store import presence
from store.schema import ROLES
from store.tickets import TicketStore, ticket_number

SESSION_COOKIE = "sp_session"
LOGIN_CSRF_COOKIE = "sp_login_csrf"
STAFF, ANALYST, EDITOR = ROLES
HOME = {STAFF: "/", ANALYST: "/analyse", EDITOR: "/teksten"}
#: The menu of each role, in the header of every page (templates/base.html): (key, path, name);
#: a page names its key with {% set nav = "..." %} to be marked as the current page.
MENU = {
    STAFF: (("wachtrij", "/", "Wachtrij"), ("live", "/live", "Live gesprekken")),
    ANALYST: (
        ("analyse", "/analyse", "Analyse"),
        ("gesprekken", "/analyse/gesprekken", "Gesprekken (geanonimiseerd)"),
    ),
    EDITOR: (("teksten", "/teksten", "Teksten"), ("regiogegevens", "/regiogegevens", "Regiogegevens")),
}
#: Sent with every page of the app. Read-only: each response gets a copy (Sanic's redirect()
#: writes Location into the dict it is given, which once leaked into every later page).
HEADERS = MappingProxyType(
    {
        "Content-Security-Policy": (
            "default-src 'self'; style-src 'self' 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'"
        ),
        "X-Frame-Options": "DENY",
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "no-referrer",
        "Cache-Control": "no-store",
    }
)
#: Sent when the app runs behind https (its cookies are Secure): browsers then never use http.
HSTS = "max-age=31536000"
CSRF_MESSAGE = "Ongeldig formulier (CSRF). Laad de pagina opnieuw."

#: How the date fields show a day, and the hint next to them: never the browser's locale (a
#: type="date" field shows mm/dd/yyyy in an English browser), the same for every colleague.
DAY_FORMAT = "%d-%m-%Y"
DAY_HINT = "dd-mm-jjjj"
_DUTCH_DAY = re.compile(r"(\d{1,2})[-./](\d{1,2})[-./](\d{4})", re.ASCII)
_ISO_DAY = re.compile(r"(\d{4})-(\d{2})-(\d{2})", re.ASCII)


def period_label(period) -> str:
    """A period (signals.period.Period) as staff read it: "november 2026 (01-11-2026 t/m
    30-11-2026)", or only the days when it has no name of its own."""
    days = f"{period.since.strftime(DAY_FORMAT)} t/m {period.until.strftime(DAY_FORMAT)}"
    unnamed = period.name == f"{period.since.isoformat()} t/m {period.until.isoformat()}"
    return days if unnamed else f"{period.name} ({days})"


_templates = Environment(
    loader=ChoiceLoader(
        [FileSystemLoader(Path(__file__).parent / "templates"), FileSystemLoader(SIGNAL_TEMPLATES)]
    ),
    autoescape=select_autoescape(["html"]),
)
_templates.filters["ticket_number"] = ticket_number
_templates.globals.update(HOME=HOME, MENU=MENU, site_name=settings.SITE_NAME)
# The database stamps in UTC; staff read, and the date filters count, days in STEUNPUNT_TIMEZONE.
_templates.filters["local_time"] = lambda stamp: to_local(stamp).strftime("%d-%m-%Y %H:%M") if stamp else ""
_templates.filters["local_date"] = lambda stamp: to_local(stamp).strftime("%d-%m-%Y") if stamp else ""
#: A calendar day (already local, e.g. a period's first day) as staff type it: dd-mm-jjjj.
_templates.filters["day"] = lambda day: day.strftime(DAY_FORMAT) if day else ""
_templates.filters["period_label"] = period_label


def headers() -> dict:
    """A fresh copy of the security headers, for one response."""
    return dict(HEADERS)


def render(name: str, status: int = 200, **context) -> response.HTTPResponse:
    return response.html(_templates.get_template(name).render(**context), status=status, headers=headers())


def redirect(to: str) -> response.HTTPResponse:
    """See Other, with the security headers (a copy: redirect() adds Location to it)."""
    return response.redirect(to, status=303, headers=headers())


def error(status: int, message: str, session=None) -> response.HTTPResponse:
    return render("error.html", status, session=session, message=message)


def same_token(given: Optional[str], expected: str) -> bool:
    """Constant-time comparison of form tokens; any text (also non-ASCII) is just "not equal"."""
    return hmac.compare_digest((given or "").encode("utf-8", "replace"), expected.encode())


def parse_page(text: Optional[str]) -> int:
    try:
        return min(max(1, int(text or 1)), 10_000)
    except ValueError:
        return 1


def parse_day(text: str) -> date:
    """A day as staff type it, 31-12-2026 (also 31/12/2026, 31.12.2026, 1-2-2026), or as links
    and older bookmarks write it, 2026-12-31; ValueError (in Dutch) for anything else."""
    text = text.strip()
    dutch, iso = _DUTCH_DAY.fullmatch(text), _ISO_DAY.fullmatch(text)
    found = dutch.groups()[::-1] if dutch else iso.groups() if iso else None
    try:
        if found is None:
            raise ValueError
        year, month, day = (int(part) for part in found)
        return date(year, month, day)
    except ValueError:
        raise ValueError(f"dat is geen datum (schrijf {DAY_HINT}, bijvoorbeeld 31-12-2026)") from None


def parse_date(text: Optional[str]) -> Optional[date]:
    """A date typed in a filter; anything else, also a day too far off to count in
    (9999-12-31 has no next day), is no filter."""
    try:
        day = parse_day(text) if text else None
        if day is not None:
            day_range(day, day)
        return day
    except (ValueError, OverflowError):
        return None


def set_cookie(request: Request, resp: response.HTTPResponse, key: str, value: str) -> None:
    """A cookie only our pages read: HttpOnly, SameSite=Strict, and Secure unless turned off
    for plain http on localhost (STEUNPUNT_STAFF_SECURE_COOKIES=0)."""
    resp.cookies[key] = value
    resp.cookies[key]["httponly"] = True
    resp.cookies[key]["samesite"] = "Strict"
    resp.cookies[key]["secure"] = request.app.ctx.secure_cookies
    resp.cookies[key]["path"] = "/"


def client(request: Request) -> str:
    return client_address(request.ip, request.headers.get("x-forwarded-for"))


# --- what an account may see -------------------------------------------------------------------
def mine(request: Request, session) -> TicketStore:
    """The tickets this account may see: its regions only. Every ticket route reads and changes
    through it, so another region's ticket does not exist here (404)."""
    return request.app.ctx.store.for_regions(session.regions)


def topics_seen_by(request: Request, session) -> list:
    """Topic ids of the account's regions: national ones and a region's own."""
    library = request.app.ctx.library
    return sorted(
        {topic for region in library.regions() if session.sees(region) for topic in library.topics(region)}
    )


def regions_seen_by(request: Request, session) -> list:
    return [region for region in request.app.ctx.library.regions() if session.sees(region)]


def chosen_regions(request: Request, session) -> Optional[FrozenSet[str]]:
    """The account's regions, or the one it picked with ?regio= (if it is one of them)."""
    picked = request.args.get("regio") or ""
    return frozenset({picked}) if picked and session.sees(picked) else session.regions


# --- routes as data ----------------------------------------------------------------------------
def requires(*roles: str):
    """No page without login and one of these roles; no form without the CSRF token."""

    def decorate(handler):
        @wraps(handler)
        async def wrapper(request: Request, *args, **kwargs):
            session = request.app.ctx.accounts.session(request.cookies.get(SESSION_COOKIE))
            if session is None:
                return redirect("/login")
            if session.role not in roles:
                return error(403, "Deze pagina is niet voor jouw rol.", session)
            if request.method == "POST" and not same_token(request.form.get("csrf"), session.csrf_token):
                return error(403, CSRF_MESSAGE)
            if session.role == STAFF:  # in use: not idle for live chat (store/presence.py)
                presence.touch(request.app.ctx.accounts.engine, session.staff_id, now())
            return await handler(request, session, *args, **kwargs)

        return wrapper

    return decorate


@dataclass(frozen=True)
class Route:
    """One route: `handler(request, session, **path)` for the `roles` given; with no roles the
    route is public and the handler is `handler(request, **path)` (only the login form)."""

    method: str
    path: str
    handler: Callable
    roles: Tuple[str, ...] = ()


def blueprint(name: str, routes: Sequence[Route]) -> Blueprint:
    bp = Blueprint(name)
    for route in routes:
        handler = requires(*route.roles)(route.handler) if route.roles else route.handler
        bp.add_route(handler, route.path, methods=[route.method], name=route.handler.__name__)
    return bp
