"""The staff app's stylesheet, /static/staff.css: served by the app itself, never from elsewhere.

Set-up builds it (scripts/build_site.sh: npm + esbuild, website/assets/src/staff.css) into the
site's built assets (`settings.SITE_ASSETS_DIR`, build/website/ by default), from the same
NL Design System components and token theme as the public site. It is not committed. Without
a build the pages still work, unstyled; the stylesheet then answers 503 saying what to run.
"""

from __future__ import annotations

from pathlib import Path

from sanic import response
from sanic.request import Request

from staff.web import Route, blueprint, headers

#: The files under /static/ and their types: only these names, never a path from the request.
FILES = {"staff.css": "text/css; charset=utf-8"}
#: Not `no-store` as the pages (the stylesheet holds no data): a colleague's browser may keep it
#: for five minutes, so a page view does not fetch it again.
CACHE = "public, max-age=300"


async def static_file(request: Request, name: str):
    """GET /static/<name> for a name in FILES (the route admits no other), with the security
    headers of every page. Public: the login page needs it too."""
    path = Path(request.app.ctx.assets_dir) / name
    if not path.is_file():
        return response.text(
            "De stijl van de medewerkersomgeving is nog niet gebouwd: voer scripts/setup.sh uit.",
            status=503,
            headers=headers(),
        )
    return await response.file(path, mime_type=FILES[name], headers={**headers(), "Cache-Control": CACHE})


NAMES = "|".join(name.replace(".", "\\.") for name in FILES)
ROUTES = (Route("GET", f"/static/<name:({NAMES})>", static_file),)
bp = blueprint("assets", ROUTES)
