"""The staff web app: the queue of handed-off conversations and one page per ticket for staff
(role `medewerker`, staff/queue.py), and the analysts' pages over the signals (role `analist`,
staff/analysis.py), the editors' region facts and preview (role `redacteur`,
staff/regiogegevens.py), with logging in and out (staff/login.py).

Server-rendered HTML (works without JavaScript), Dutch UI. Every page needs a login and the
right role; every form carries a CSRF token; session cookies are HttpOnly and SameSite=Strict;
logins are throttled; every change is audited (store/tickets.py).

`create_app` only puts the app's state on `app.ctx` and registers the blueprints; the
handlers are module-level functions that read that state from `request.app.ctx`. Live chat
(staff/live.py) adds `ctx.live` (store/live.py) and `ctx.feed`: the process's one LiveFeed
(store/livebus.py), started with the server, on which every open live screen waits. The pages'
look is the NL Design System's, as on the public site: /static/staff.css (staff/assets.py).
"""

from __future__ import annotations

from pathlib import Path
from typing import Optional

from sanic import Sanic
from sanic.request import Request
from sanic.response import BaseHTTPResponse

from library import ContentLibrary, shared
from signals.store import SignalStore
from staff import analysis, assets, editorial, live, login, queue, regiogegevens
from staff.web import HSTS, same_token  # noqa: F401 - same_token: part of this module's public names
from steunpunt import settings
from steunpunt.clients import warn_untrusted_forwarding
from store.accounts import Accounts
from store.live import LiveStore
from store.livebus import LiveFeed
from store.tickets import TicketStore

BLUEPRINTS = (assets.bp, login.bp, queue.bp, analysis.bp, live.bp, editorial.bp, regiogegevens.bp)


def create_app(
    store: TicketStore,
    accounts: Accounts,
    secure_cookies: bool,
    name: str = "steunpunt_staff",
    signals: Optional[SignalStore] = None,
    library: Optional[ContentLibrary] = None,
    assets_dir: Path = settings.SITE_ASSETS_DIR,
) -> Sanic:
    app = Sanic(name)
    app.config.REQUEST_MAX_SIZE = 64 * 1024  # forms only: a reply of 5000 characters fits
    app.ctx.store = store
    app.ctx.accounts = accounts
    app.ctx.signals = signals or SignalStore(store.engine)
    app.ctx.library = library or shared()
    app.ctx.secure_cookies = secure_cookies
    app.ctx.live = LiveStore(store)
    app.ctx.feed = LiveFeed(app.ctx.live.last_message_id)
    app.ctx.streams = set()  # the open event streams (staff/live.py), ended at shutdown
    app.ctx.changed_chats = live.ChangedChats(app.ctx.live)  # one query per wake for all streams
    app.ctx.assets_dir = assets_dir  # the built stylesheet (staff/assets.py)
    for blueprint in BLUEPRINTS:
        app.blueprint(blueprint)
    app.register_middleware(check_forwarding, "request")
    app.register_middleware(strict_transport_security, "response")
    app.register_listener(start_feed, "after_server_start")
    app.register_listener(stop_feed, "before_server_stop")
    return app


async def start_feed(app: Sanic, _loop=None) -> None:
    """Watch for live chat messages from the moment the server serves (in its event loop)."""
    app.ctx.feed.start()


async def stop_feed(app: Sanic, _loop=None) -> None:
    live.stop_streams(app.ctx.streams)
    await app.ctx.feed.stop()


async def check_forwarding(request: Request) -> None:
    """A proxy in front that is not trusted makes all colleagues one address: say so (once)."""
    warn_untrusted_forwarding(request.ip, request.headers)


async def strict_transport_security(request: Request, response: BaseHTTPResponse) -> None:
    """Behind https (Secure cookies) a browser must never come back over plain http."""
    if request.app.ctx.secure_cookies:
        response.headers["Strict-Transport-Security"] = HSTS
