"""The analysts' pages (role `analist`): figures of a period, groups of unmet questions with
what to do about them, signals as CSV, the periodic report, and redacted transcripts.

Analysts never see contact data or codes: transcripts and descriptions pass the redaction,
and codes shown by the bot or of a real ticket (however typed) are hidden. Staff (role
`medewerker`) cannot open these pages, and analysts cannot open the ticket pages
(staff/queue.py).
"""

from __future__ import annotations

import asyncio
import csv
import io
import json
import posixpath
from dataclasses import dataclass
from datetime import date
from functools import wraps
from typing import Any, List, Optional
from urllib.parse import unquote, urlsplit

from sanic import response
from sanic.request import Request

from library.training import nlu_draft
from signals.period import Period
from signals.report import build_report, report_context
from signals.split import EDUCATION
from signals.stats import CHANNEL_LABELS
from signals.store import EXPORT_FIELDS, iter_export
from staff.web import (
    ANALYST,
    HOME,
    Route,
    blueprint,
    chosen_regions,
    error,
    parse_day,
    parse_page,
    redirect,
    regions_seen_by,
    render,
    topics_seen_by,
)
from steunpunt.clock import day_range, today as local_today
from steunpunt.codes import SHOWN_CODE
from store.tickets import hide_working_codes, ticket_number

DECISIONS = {"nieuw_onderwerp": "nieuw onderwerp nodig", "bestaand_onderwerp": "hoort bij bestaand onderwerp"}
_SPREADSHEET_FORMULA = ("=", "+", "-", "@", "\t", "\r")
#: The longest period the pages show: its chart and groups are made in the app's one worker.
MAX_PERIOD_DAYS = 2 * 366


def chosen_period(request: Request, today: Optional[date] = None) -> Period:
    """The period from ?periode=2026-Q4, or ?van=&tot= dates (31-12-2026 as typed in the form,
    or 2026-12-31 as links write them), else the last 30 days; at most
    two years, and only days that can be counted in (ValueError with the reason otherwise)."""
    today = today or local_today()

    def as_date(key):
        value = (request.args.get(key) or "").strip()
        return parse_day(value) if value else None

    try:
        if request.args.get("periode"):
            period = Period.parse(request.args.get("periode"))
        else:
            period = Period.between(as_date("van"), as_date("tot"), today=today)
        day_range(period.since, period.until)
    except OverflowError:
        raise ValueError("deze datum ligt te ver weg") from None
    if (period.until - period.since).days >= MAX_PERIOD_DAYS:
        raise ValueError("een periode is hoogstens twee jaar; kies een kortere periode")
    return period


def chosen_channel(request: Request) -> Optional[str]:
    """The channel picked with ?kanaal=whatsapp, or None for every channel; ValueError for one
    we do not know. Not ignored as an unknown ?regio= is: a mistyped link would otherwise show
    the figures of every channel as if they were those of one."""
    picked = (request.args.get("kanaal") or "").strip()
    if picked and picked not in CHANNEL_LABELS:
        raise ValueError(
            "dat kanaal kennen we niet; kies " + ", ".join(CHANNEL_LABELS.values()) + " of alle kanalen"
        )
    return picked or None


def csv_cell(value) -> str:
    """A value as a CSV cell that a spreadsheet will not run as a formula."""
    if isinstance(value, (list, dict)):
        value = json.dumps(value, ensure_ascii=False)
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_SPREADSHEET_FORMULA) else text


@dataclass(frozen=True)
class Scope:
    """What one analyst request may read: its regions' signals and tickets (of one channel,
    if one was picked)."""

    signals: Any
    tickets: Any
    regions: Optional[frozenset]
    channel: Optional[str] = None


def for_period(handler):
    """`handler(request, session, period, scope)`: with the chosen period and the signals and
    tickets of the account's regions (or the one picked with ?regio=) and of the channel picked
    with ?kanaal=; a period or channel that makes no sense is a 400."""

    @wraps(handler)
    async def wrapper(request: Request, session):
        try:
            period = chosen_period(request)
        except ValueError as problem:
            return error(400, f"Kies een andere periode: {problem}.", session)
        try:
            channel = chosen_channel(request)
        except ValueError as problem:
            return error(400, f"Kies een ander kanaal: {problem}.", session)
        regions = chosen_regions(request, session)
        ctx = request.app.ctx
        return await handler(
            request,
            session,
            period,
            Scope(
                ctx.signals.for_regions(regions).for_channel(channel),
                ctx.store.for_regions(regions).for_channel(channel),
                regions,
                channel,
            ),
        )

    return wrapper


@for_period
async def analysis(request: Request, session, period: Period, scope: Scope):
    topics, regions = topics_seen_by(request, session), regions_seen_by(request, session)

    def page():  # figures, groups and chart: made in a thread, the worker keeps serving
        context = report_context(scope.signals, scope.tickets, period, scope.regions, scope.channel)
        decisions = scope.signals.decisions()  # newest first: a group shows its latest decision
        decided = [
            next((d for d in decisions if set(found.signal_ids) & set(d["signal_ids"])), None)
            for found in context["groups"]
        ]
        today = local_today()
        numbered = list(enumerate(context["groups"], 1))  # one numbering over both sides
        named = scope.signals.for_channel(None).named_groups()
        return render(
            "analysis.html",
            education=[(n, g) for n, g in numbered if g.side == EDUCATION],
            outside=[(n, g) for n, g in numbered if g.side != EDUCATION],
            named_targets=[(g["id"], g["name"]) for g in named],
            session=session,
            topics=topics,
            decided=decided,
            regions=regions,
            picked=request.args.get("regio") or "",
            channels=list(CHANNEL_LABELS.items()),
            channel=scope.channel or "",
            decisions_labels=DECISIONS,
            last_month=Period.last_month(today),
            quarter=f"{today.year}-Q{(today.month - 1) // 3 + 1}",
            **context,
        )

    return await asyncio.to_thread(page)


def export_text(rows) -> str:
    """Signals (`iter_export` rows) as CSV text, every cell made safe for a spreadsheet."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(EXPORT_FIELDS)
    for row in rows:
        writer.writerow([csv_cell(row[f]) for f in EXPORT_FIELDS])
    return buffer.getvalue()


@for_period
async def export_csv(request: Request, session, period: Period, scope: Scope):
    text = await asyncio.to_thread(
        lambda: export_text(iter_export(scope.signals.rows(period.since, period.until)))
    )
    name = f"signalen-{period.since}-{period.until}.csv"
    return response.text(
        text,
        content_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "no-store"},
    )


@for_period
async def report(request: Request, session, period: Period, scope: Scope):
    name = f"signalen-rapport-{period.since}-{period.until}.html"
    html = await asyncio.to_thread(
        build_report, scope.signals, scope.tickets, period, scope.regions, scope.channel
    )
    return response.html(
        html, headers={"Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "no-store"}
    )


def way_back(back: Optional[str]) -> str:
    """Where a form returns to: a page of the analysis on this site (e.g. with its period),
    never another site or page (`back` comes from the form, so anyone can write it)."""
    back = back or ""
    parts = urlsplit(back)
    path = unquote(parts.path)
    home = HOME[ANALYST]
    local = (
        not parts.scheme
        and not parts.netloc
        and back.isprintable()
        and "\\" not in back
        and posixpath.normpath(path) == path
        and (path == home or path.startswith(home + "/"))
    )
    return back if local else home


def group_texts(request: Request, session) -> List[dict]:
    """The texts of the chosen signals, of the account's own regions only."""
    ids = [i for i in request.form.getlist("signal_ids") or [] if i.isalnum()][:2000]
    return request.app.ctx.signals.for_regions(session.regions).by_ids(ids)


async def decide_group(request: Request, session):
    rows = group_texts(request, session)
    decision = request.form.get("decision", "")
    topic = (request.form.get("topic") or "").strip() or None
    if not rows or decision not in DECISIONS:
        return error(400, "Kies een groep en een besluit.", session)
    if decision == "bestaand_onderwerp" and topic not in topics_seen_by(request, session):
        return error(400, "Kies een bestaand onderwerp.", session)
    request.app.ctx.signals.decide_group(
        session.staff_id,
        decision,
        request.form.get("label", "")[:200] or "groep",
        [row["id"] for row in rows],
        topic,
    )
    return redirect(way_back(request.form.get("back")))


def _mine(request: Request, session):
    """The signals the account may change groups of: its own regions, every channel."""
    return request.app.ctx.signals.for_regions(session.regions)


def _group_id(value) -> Optional[int]:
    value = (value or "").strip()
    return int(value) if value.isdigit() and 0 < int(value) < 2**31 else None


async def name_group(request: Request, session):
    """Name a group: it stays from period to period, and later questions like it join it."""
    rows = group_texts(request, session)
    name = " ".join((request.form.get("naam") or "").split())
    store = _mine(request, session)
    named = _group_id(request.form.get("groep"))
    if not rows or not name:
        return error(400, "Kies een groep en typ een naam.", session)
    if named is not None and store.named_group(named) is None:
        return error(400, "Die groep bestaat niet (meer).", session)
    await asyncio.to_thread(store.name_group, session.staff_id, name, [r["id"] for r in rows], named)
    return redirect(way_back(request.form.get("back")))


def _chosen_groups(values) -> tuple:
    """The groups ticked to merge ("named id:signal id,signal id"): (named ids, signal ids)."""
    named, ids = [], []
    for value in values[:200]:
        head, _, tail = value.partition(":")
        if _group_id(head) is not None:
            named.append(int(head))
        ids += [i for i in tail.split(",") if i.isalnum()][:2000]
    return named, ids


async def merge_groups(request: Request, session):
    """Merge two or more groups into one named group."""
    chosen = [v for v in request.form.getlist("samen") or [] if v]
    named, ids = _chosen_groups(chosen)
    store = _mine(request, session)
    readable = [row["id"] for row in store.by_ids(ids)]
    if len(chosen) < 2 or not (readable or named):
        return error(400, "Kies minstens twee groepen om samen te voegen.", session)
    name = " ".join((request.form.get("naam") or "").split())
    if not name and not named:
        return error(400, "Geef de samengevoegde groep een naam.", session)
    try:
        await asyncio.to_thread(store.merge_groups, session.staff_id, name, readable, named)
    except ValueError:
        return error(400, "Een van die groepen bestaat niet (meer).", session)
    return redirect(way_back(request.form.get("back")))


async def move_question(request: Request, session):
    """Move one question to another named group."""
    signal_id = (request.form.get("signal_id") or "").strip()
    target = _group_id(request.form.get("naar"))
    store = _mine(request, session)
    if not signal_id.isalnum() or target is None:
        return error(400, "Kies een vraag en een groep.", session)
    try:
        moved = await asyncio.to_thread(store.move_to_group, session.staff_id, [signal_id], target)
    except ValueError:
        return error(400, "Die groep bestaat niet (meer).", session)
    if not moved:
        return error(400, "Die vraag bestaat niet (meer).", session)
    return redirect(way_back(request.form.get("back")))


async def download_nlu(request: Request, session):
    rows = group_texts(request, session)
    topic = (request.form.get("topic") or "").strip().lower()
    if not rows or not topic or not all(part.isalnum() for part in topic.split("-")):
        return error(
            400, "Kies een groep en een onderwerp (bestaand of een nieuw id als pesten-op-school).", session
        )
    return response.text(
        nlu_draft(topic, [row["text"] for row in rows]),
        content_type="text/yaml; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="concept-{topic}.yml"'},
    )


@for_period
async def transcripts(request: Request, session, period: Period, scope: Scope):
    """Handed-off conversations, redacted: what was asked and answered, never who. Besides the
    redaction, codes go as signals lose them: shown by the bot, and the real code of any ticket
    however it was typed ("kwrt abcd", which redaction takes for words). Made in a thread, as
    the other analyst pages: the redaction of twenty conversations keeps the worker busy."""
    from signals.redact import shared

    page = parse_page(request.args.get("pagina"))

    def made() -> response.HTTPResponse:
        rows = scope.tickets.search(
            since=period.since, until=period.until, limit=20, offset=(page - 1) * 20, with_transcripts=True
        )
        redactor, engine = shared(), scope.tickets.engine

        def clean(text: Optional[str]) -> str:
            return redactor.redact(hide_working_codes(SHOWN_CODE.sub("[code]", text or ""), engine))

        shown = [
            {
                "number": ticket_number(row["id"]),
                "created_at": row["created_at"],
                "status": row["status"],
                "audience": row["audience"],
                "topics": [g.get("topic") for g in row["topic_guess"] or []],
                "description": clean(row["description"]),
                "transcript": [
                    {"from": line["from"], "text": clean(line["text"])} for line in row["transcript"] or []
                ],
            }
            for row in rows
        ]
        return render("transcripts.html", session=session, tickets=shown, period=period, page=page)

    return await asyncio.to_thread(made)


ROUTES = (
    Route("GET", "/analyse", analysis, (ANALYST,)),
    Route("GET", "/analyse/export.csv", export_csv, (ANALYST,)),
    Route("GET", "/analyse/rapport", report, (ANALYST,)),
    Route("POST", "/analyse/groep", decide_group, (ANALYST,)),
    Route("POST", "/analyse/groep/nlu.yml", download_nlu, (ANALYST,)),
    Route("POST", "/analyse/groep/naam", name_group, (ANALYST,)),
    Route("POST", "/analyse/groep/samenvoegen", merge_groups, (ANALYST,)),
    Route("POST", "/analyse/groep/verplaatsen", move_question, (ANALYST,)),
    Route("GET", "/analyse/gesprekken", transcripts, (ANALYST,)),
)
bp = blueprint("analysis", ROUTES)
