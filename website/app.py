"""The public site's Sanic app: content index, topic pages, search, the region's schools,
/widget.js and /demo.

Server-rendered HTML that works without JavaScript and prints well. A topic page is made from
the same answer payload as the bot's answer (`library.answer_payload`), so a page and
a chat answer can never say different things; a topic past its review date shows that it is
being checked, by the same rule the bot uses (`Topic.is_overdue`).

The pages are module-level handlers listed in `ROUTES` (one Blueprint); `create_app` puts the
app's state on `app.ctx` (the content library, the clock, the built assets, the chat URL).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Callable, Optional
from urllib.parse import urlparse

from jinja2 import Environment, FileSystemLoader, select_autoescape
from sanic import Blueprint, Sanic, response
from sanic.request import Request

from library import AUDIENCE_PARENT, PHASES, ContentLibrary, answer_payload, shared
from schools import model as school_data
from steunpunt import clock, settings
from steunpunt.clock import dutch_date
from steunpunt.regions import REGION_ID
from website import pages, schools as school_pages

ASSETS = {
    "widget.js": "text/javascript; charset=utf-8",
    "widget.css": "text/css; charset=utf-8",
    "site.css": "text/css; charset=utf-8",
}
_templates = Environment(
    loader=FileSystemLoader(Path(__file__).parent / "templates"), autoescape=select_autoescape(["html"])
)
_templates.filters["dutch_day"] = dutch_date
_templates.globals.update(
    page_path=pages.page_path,
    PHASES=PHASES,
    AUDIENCES=pages.AUDIENCES,
    kind_words=school_pages.kind_words,
    address=school_pages.address,
    count_text=school_pages.count_text,
    web_link=school_pages.web_link,
    GROUP_HEADINGS=school_pages.GROUP_HEADINGS,
)


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
            "frame-ancestors 'self'"
        ),
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "no-referrer",
    }


def render(
    request: Request, template: str, status: int = 200, region: Optional[str] = None, **context
) -> response.HTTPResponse:
    ctx = request.app.ctx
    html = _templates.get_template(template).render(
        facts=ctx.library.facts(region),
        chat_url=ctx.chat_url,
        site_name=settings.SITE_NAME,
        has_logo=settings.SITE_LOGO is not None,
        region=region,
        prefix=f"/{region}" if region else "",
        **context,
    )
    return response.html(html, status=status, headers=dict(ctx.headers))


def not_found(request: Request, region: Optional[str] = None) -> response.HTTPResponse:
    return render(
        request,
        "error.html",
        status=404,
        region=region,
        title="Pagina niet gevonden",
        message="Deze pagina bestaat niet (meer). Kijk in het overzicht of zoek een onderwerp.",
    )


def known(request: Request, region: Optional[str]) -> bool:
    """A region's pages live at /<region-id>/...; the default region's at /."""
    library = request.app.ctx.library
    return region is None or (region != library.default_region and region in library.regions())


def directory_of(request: Request, region: Optional[str]) -> Optional[school_data.Directory]:
    """The school directory of the region whose pages these are (the default region's at /):
    only ever its own, None when it has none."""
    return school_data.load(region or request.app.ctx.library.default_region)


async def index(request: Request, region: Optional[str] = None):
    if not known(request, region):
        return not_found(request)
    topics = request.app.ctx.library.topics(region).values()
    groups = {audience: pages.by_phase(pages.for_audience(topics, audience)) for audience in pages.AUDIENCES}
    has_schools = directory_of(request, region) is not None
    return render(request, "index.html", region=region, groups=groups, query="", has_schools=has_schools)


async def search(request: Request, region: Optional[str] = None):
    if not known(request, region):
        return not_found(request)
    query = pages.clean_query(request.args.get("q") or "")
    audience = pages.audience_of(request.args.get("voor") or "") or AUDIENCE_PARENT
    topics = request.app.ctx.library.topics(region).values()
    results = pages.search(pages.for_audience(topics, audience), query, audience)
    return render(request, "search.html", region=region, query=query, audience=audience, results=results)


async def topic_page(request: Request, audience_path: str, topic_id: str, region: Optional[str] = None):
    """A topic as the bot answers it in that region: the same payload, regional parts marked."""
    library = request.app.ctx.library
    audience = pages.audience_of(audience_path)
    topic = library.lookup(topic_id, region) if known(request, region) else None
    if topic is None or audience is None or not pages.for_audience([topic], audience):
        return not_found(request, region if known(request, region) else None)
    if topic.is_overdue(request.app.ctx.today()):
        return render(
            request, "topic.html", region=region, topic=topic, audience=audience, payload=None, related=[]
        )
    related = library.related(topic, region)
    payload = answer_payload(
        topic, audience, related, region or library.default_region, library.facts(region)
    )
    # Only when the region has a list: never a link to a page that only says there is none.
    links_schools = topic.id in school_pages.SCHOOL_TOPICS and directory_of(request, region) is not None
    return render(
        request,
        "topic.html",
        region=region,
        topic=topic,
        audience=audience,
        payload=payload,
        related=related,
        links_schools=links_schools,
    )


async def school_list(request: Request, region: Optional[str] = None):
    """The region's schools, grouped PO, VO, (V)SO, filtered by ?plaats= and ?soort=. A region
    without a directory gets a page that says so (and points to the general school-choice
    topic), never another region's schools."""
    if not known(request, region):
        return not_found(request)
    directory = directory_of(request, region)
    if directory is None:
        return render(request, "schools.html", region=region, directory=None)
    chosen = school_pages.read_filter(
        directory, request.args.get("plaats") or "", request.args.get("soort") or ""
    )
    groups = school_pages.filtered(directory, chosen)
    return render(
        request,
        "schools.html",
        region=region,
        directory=directory,
        chosen=chosen,
        groups=groups,
        count=sum(len(found) for found in groups.values()),
        places=directory.places(),
        kinds=school_pages.kind_options(directory),
    )


async def school_page(request: Request, slug: str, region: Optional[str] = None):
    """One school with everything the directory knows of it; an unknown school is a 404."""
    directory = directory_of(request, region) if known(request, region) else None
    school = directory.by_location(slug) if directory is not None else None
    if directory is None or school is None:
        return not_found(request, region if known(request, region) else None)
    return render(request, "school.html", region=region, directory=directory, school=school)


async def demo(request: Request):
    """The widget as a samenwerkingsverband embeds it; ?doelgroep=ouder|jongere and
    ?regio=<id> fill its data-audience and data-region, to try those settings."""
    audience = request.args.get("doelgroep")
    region = request.args.get("regio") or ""
    valid = region if REGION_ID.fullmatch(region) else None
    return render(
        request,
        "demo.html",
        audience=audience if audience in pages.AUDIENCES else None,
        data_region=valid,
        region=valid if valid and known(request, valid) else None,
    )


async def logo(request: Request):
    if settings.SITE_LOGO is None or not settings.SITE_LOGO.is_file():
        return not_found(request)
    return await response.file(settings.SITE_LOGO, headers={"Cache-Control": "public, max-age=3600"})


async def asset(request: Request, name: str):
    path = Path(request.app.ctx.assets_dir) / name
    if not path.is_file():
        return response.text("De site is nog niet gebouwd: voer scripts/setup.sh uit.", status=503)
    return await response.file(
        path,
        mime_type=ASSETS[name],
        headers={"Cache-Control": "public, max-age=300", "X-Content-Type-Options": "nosniff"},
    )


async def on_error(request: Request, problem: Exception):
    status = getattr(problem, "status_code", 500) or 500
    if status == 404:
        return not_found(request)
    return render(
        request,
        "error.html",
        status=status,
        title="Er ging iets mis",
        message="Deze pagina kan nu niet getoond worden. Probeer het later opnieuw.",
    )


REGION = f"<region:{REGION_ID.pattern}>"  # the one rule for region ids
TOPIC = "<audience_path:(ouders|jongeren)>/<topic_id:[a-z0-9-]{1,80}>"
SCHOOL = "scholen/<slug:[a-z0-9]{1,16}>"  # School.slug: the location code, lower case
#: (path, handler, route name): every page of the site; a region's pages live under its id.
ROUTES = (
    ("/", index, "index"),
    (f"/{REGION}/", index, "region_index"),
    ("/zoeken", search, "search"),
    (f"/{REGION}/zoeken", search, "region_search"),
    (f"/{TOPIC}", topic_page, "topic"),
    (f"/{REGION}/{TOPIC}", topic_page, "region_topic"),
    ("/scholen", school_list, "schools"),
    (f"/{REGION}/scholen", school_list, "region_schools"),
    (f"/{SCHOOL}", school_page, "school"),
    (f"/{REGION}/{SCHOOL}", school_page, "region_school"),
    ("/demo", demo, "demo"),
    ("/logo", logo, "logo"),
    ("/<name:(widget\\.js|widget\\.css|site\\.css)>", asset, "asset"),
)
bp = Blueprint("site")
for _path, _handler, _name in ROUTES:
    bp.add_route(_handler, _path, methods=["GET"], name=_name)


def create_app(
    library: Optional[ContentLibrary] = None,
    today: Callable[[], date] = clock.today,
    assets_dir: Path = settings.SITE_ASSETS_DIR,
    chat_url: str = settings.CHAT_URL,
    name: str = "steunpunt_site",
) -> Sanic:
    app = Sanic(name)
    app.config.REQUEST_MAX_SIZE = 16 * 1024  # the site takes no uploads; GET forms only
    app.ctx.library = library or shared()
    app.ctx.today = today
    app.ctx.assets_dir = assets_dir
    app.ctx.chat_url = chat_url
    app.ctx.headers = security_headers(chat_url)
    app.blueprint(bp)
    app.exception(Exception)(on_error)  # also for paths no route matches
    return app
