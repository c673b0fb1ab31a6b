"""The public site's Sanic app: content index, topic pages, search, /widget.js and /demo.

Server-rendered HTML that works without JavaScript and prints well. A topic page is made from
the same answer payload as the bot's answer (`library.answer_payload`), so a page and
a chat answer can never say different things; a topic past its review date shows that it is
being checked, by the same rule the bot uses (`Topic.is_overdue`).
"""
from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Callable, Optional
from urllib.parse import urlparse

from jinja2 import Environment, FileSystemLoader, select_autoescape
from sanic import Sanic, response
from sanic.request import Request

from library import AUDIENCE_PARENT, PHASES, ContentLibrary, shared
from library import answer_payload
from steunpunt.clock import dutch_date
from steunpunt.regions import REGION_ID
from steunpunt import clock, settings
from website import pages

ASSETS = {"widget.js": "text/javascript; charset=utf-8", "widget.css": "text/css; charset=utf-8",
          "site.css": "text/css; charset=utf-8"}
_templates = Environment(loader=FileSystemLoader(Path(__file__).parent / "templates"),
                         autoescape=select_autoescape(["html"]))
_templates.filters["dutch_date"] = lambda iso: dutch_date(date.fromisoformat(iso))
_templates.globals.update(page_path=pages.page_path, PHASES=PHASES, AUDIENCES=pages.AUDIENCES)


def _origin(url: str) -> str:
    parsed = urlparse(url)
    return f"{parsed.scheme}://{parsed.netloc}"


def security_headers(chat_url: str) -> dict:
    """Only our own files; the widget may talk to the chat server, and nothing else."""
    chat = _origin(chat_url)
    socket = chat.replace("https://", "wss://").replace("http://", "ws://")
    return {
        "Content-Security-Policy": (
            "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
            f"connect-src 'self' {chat} {socket}; form-action 'self'; base-uri 'none'; "
            "frame-ancestors 'self'"),
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "no-referrer",
    }


def create_app(library: Optional[ContentLibrary] = None, today: Callable[[], date] = clock.today,
               assets_dir: Path = settings.SITE_ASSETS_DIR, chat_url: str = settings.CHAT_URL,
               name: str = "steunpunt_site") -> Sanic:
    app = Sanic(name)
    app.config.REQUEST_MAX_SIZE = 16 * 1024  # the site takes no uploads; GET forms only
    library = library or shared()
    headers = security_headers(chat_url)

    def render(template: str, status: int = 200, region: Optional[str] = None,
               **context) -> response.HTTPResponse:
        html = _templates.get_template(template).render(
            facts=library.facts(region), chat_url=chat_url, site_name=settings.SITE_NAME,
            has_logo=settings.SITE_LOGO is not None, region=region,
            prefix=f"/{region}" if region else "", **context)
        return response.html(html, status=status, headers=headers)

    def not_found(region: Optional[str] = None) -> response.HTTPResponse:
        return render("error.html", status=404, region=region, title="Pagina niet gevonden",
                      message="Deze pagina bestaat niet (meer). Kijk in het overzicht of zoek een onderwerp.")

    def known(region: Optional[str]) -> bool:
        """A region's pages live at /<region-id>/...; the default region's at /."""
        return region is None or (region != library.default_region and region in library.regions())

    async def index(request: Request, region: Optional[str] = None):
        if not known(region):
            return not_found()
        topics = library.topics(region).values()
        groups = {audience: pages.by_phase(pages.for_audience(topics, audience))
                  for audience in pages.AUDIENCES}
        return render("index.html", region=region, groups=groups, query="")

    async def search(request: Request, region: Optional[str] = None):
        if not known(region):
            return not_found()
        query = (request.args.get("q") or "").strip()[:pages.MAX_QUERY_CHARS]
        audience = pages.audience_of(request.args.get("voor") or "") or AUDIENCE_PARENT
        results = pages.search(pages.for_audience(library.topics(region).values(), audience), query, audience)
        return render("search.html", region=region, query=query, audience=audience, results=results)

    async def topic_page(request: Request, audience_path: str, topic_id: str, region: Optional[str] = None):
        """A topic as the bot answers it in that region: the same payload, regional parts marked."""
        audience = pages.audience_of(audience_path)
        topic = library.lookup(topic_id, region) if known(region) else None
        if topic is None or audience is None or not pages.for_audience([topic], audience):
            return not_found(region if known(region) else None)
        if topic.is_overdue(today()):
            return render("topic.html", region=region, topic=topic, audience=audience, payload=None, related=[])
        related = library.related(topic, region)
        payload = answer_payload(topic, audience, related, region or library.default_region,
                                 library.facts(region))
        return render("topic.html", region=region, topic=topic, audience=audience, payload=payload,
                      related=related)

    region_id = f"<region:{REGION_ID.pattern}>"  # the one rule for region ids
    app.add_route(index, "/", name="index")
    app.add_route(index, f"/{region_id}/", name="region_index")
    app.add_route(search, "/zoeken", name="search")
    app.add_route(search, f"/{region_id}/zoeken", name="region_search")
    app.add_route(topic_page, "/<audience_path:(ouders|jongeren)>/<topic_id:[a-z0-9-]{1,80}>", name="topic")
    app.add_route(topic_page, f"/{region_id}/<audience_path:(ouders|jongeren)>/<topic_id:[a-z0-9-]{{1,80}}>",
                  name="region_topic")

    @app.get("/demo")
    async def demo(request: Request):
        """The widget as a samenwerkingsverband embeds it; ?doelgroep=ouder|jongere and
        ?regio=<id> fill its data-audience and data-region, to try those settings."""
        audience = request.args.get("doelgroep")
        region = request.args.get("regio") or ""
        valid = region if REGION_ID.fullmatch(region) else None
        return render("demo.html", audience=audience if audience in pages.AUDIENCES else None,
                      data_region=valid, region=valid if valid and known(valid) else None)

    @app.get("/logo")
    async def logo(request: Request):
        if settings.SITE_LOGO is None or not settings.SITE_LOGO.is_file():
            return not_found()
        return await response.file(settings.SITE_LOGO, headers={"Cache-Control": "public, max-age=3600"})

    @app.get("/<name:(widget\\.js|widget\\.css|site\\.css)>")
    async def asset(request: Request, name: str):
        path = Path(assets_dir) / name
        if not path.is_file():
            return response.text("De site is nog niet gebouwd: voer scripts/setup.sh uit.", status=503)
        return await response.file(path, mime_type=ASSETS[name],
                                   headers={"Cache-Control": "public, max-age=300",
                                            "X-Content-Type-Options": "nosniff"})

    @app.exception(Exception)
    async def on_error(request: Request, error: Exception):
        status = getattr(error, "status_code", 500) or 500
        if status == 404:
            return not_found()
        return render("error.html", status=status, title="Er ging iets mis",
                      message="Deze pagina kan nu niet getoond worden. Probeer het later opnieuw.")

    return app

