"""Live chat in the staff app (issue 25). So far item 1, availability: the control
"Beschikbaar voor chat" on the queue page switches the logged-in staff member on or off
(store/presence.py; audited there). The live conversations page joins this module later.
"""

from __future__ import annotations

from sanic.request import Request

from staff.web import STAFF, Route, blueprint, redirect
from steunpunt.clock import now
from store import presence

#: The control's accessible name: the button staff (and the browser tests) look for.
CONTROL = "Beschikbaar voor chat"


def is_available(request: Request, session) -> bool:
    """For the queue page: whether this member's switch is on and still counts."""
    return presence.is_available(request.app.ctx.accounts.engine, session.staff_id, now())


async def set_available(request: Request, session):
    """POST /beschikbaar with `aan` = "1" (on) or "0" (off); then back to the queue."""
    presence.set_available(
        request.app.ctx.accounts.engine, session.staff_id, request.form.get("aan") == "1", now()
    )
    return redirect("/")


ROUTES = (Route("POST", "/beschikbaar", set_available, (STAFF,)),)
bp = blueprint("live", ROUTES)
