"""The editors' pages for a region (role `redacteur`, issue 26 items 3, 7 and 8): the region's
facts as a form ("Regiogegevens"), the preview of a topic as the site and the widget show it
("Voorbeeld"), and the texts whose review date comes near (also on the staff's queue page).

Saving the facts writes the region's `regio.yml` (library/regionfile.py): the files stay the
one source of truth, and the hot reload of every process serves the new facts within
CONTENT_RECHECK_SECONDS, no restart. An editor of region A cannot open region B's facts or
preview (404), as for tickets; a national editor (all regions) edits every region, also the
default region's `content/regio.yml`. Every save is audited ("regiogegevens" and the names
of the changed facts).
"""

from __future__ import annotations

from pathlib import Path
from typing import List, Optional

from sanic.request import Request

from library import AUDIENCE_PARENT, AUDIENCE_YOUTH, ContentError, Topic
from library.hours import WEEKDAYS
from library.preview import Preview, preview
from library.regionfile import (
    CLOSED_FIELD,
    FIELDS,
    SENTENCE_FIELD,
    Conflict,
    check_form,
    form_values,
    read_raw,
    save,
    version,
)
from library.review import Reminder, due_for_review
from staff.web import EDITOR, Route, blueprint, error, redirect, regions_seen_by, render
from steunpunt.clock import dutch_date
from steunpunt.regions import REGION_ID
from store import audit

AUDIT_ACTION = "regiogegevens"
#: The audiences of the preview: the value in ?doelgroep= and its heading.
AUDIENCES = {AUDIENCE_PARENT: "Voor ouders en verzorgers", AUDIENCE_YOUTH: "Voor jongeren"}
NOT_FOUND = "Deze regio bestaat niet."


# --- review reminders (also on the queue page) -------------------------------------------------
def review_reminders(request: Request, session) -> List[Reminder]:
    """The texts of the account's regions whose review date is within six weeks or past."""
    library = request.app.ctx.library
    return due_for_review(library, session.sees, library.today())


# --- which file, for whom ----------------------------------------------------------------------
def region_file(request: Request, session, region: str) -> Optional[Path]:
    """The facts file of a region this account may edit; None (404) for any other region."""
    library = request.app.ctx.library
    if not REGION_ID.fullmatch(region) or region not in library.regions() or not session.sees(region):
        return None
    if region == library.default_region:
        return library.regio_file
    return library.regions_dir / region / "regio.yml" if library.regions_dir else None


async def start(request: Request, session):
    """The editor's start page: the regions whose facts it may edit, and the reminders."""
    return render(
        "regiogegevens_start.html",
        session=session,
        regions=regions_seen_by(request, session),
        default_region=request.app.ctx.library.default_region,
        reminders=review_reminders(request, session),
        preview_links=True,
    )


def show_form(request: Request, session, region: str, values, errors, file_version, status=200, **extra):
    library = request.app.ctx.library
    name = library.regio_file.name if region == library.default_region else f"regions/{region}/regio.yml"
    problem = library.errors().get(name)
    return render(
        "regiogegevens.html",
        status,
        session=session,
        region=region,
        fields=FIELDS,
        weekdays=WEEKDAYS,
        closed_field=CLOSED_FIELD,
        sentence_field=SENTENCE_FIELD,
        values=values,
        errors=errors,
        version=file_version,
        recheck=int(max(1, round(library.recheck_seconds))),
        file_problem=problem,
        **extra,
    )


async def facts_form(request: Request, session, region: str):
    path = region_file(request, session, region)
    if path is None:
        return error(404, NOT_FOUND, session)
    try:
        text, data = read_raw(path)
    except ContentError as problem:
        return error(500, f"De gegevens kunnen niet gelezen worden: {problem}", session)
    return show_form(
        request,
        session,
        region,
        form_values(data),
        {},
        version(text),
        saved=request.args.get("opgeslagen"),
    )


async def save_facts(request: Request, session, region: str):
    path = region_file(request, session, region)
    if path is None:
        return error(404, NOT_FOUND, session)
    form = {key: request.form.get(key, "") for key in request.form}
    checked = check_form(form)
    given = form_values({})
    given.update({key: value for key, value in form.items() if key in given})
    if checked.errors:
        return show_form(request, session, region, given, checked.errors, form.get("versie", ""), status=400)
    try:
        changed = save(path, checked.data, expected_version=form.get("versie") or None)
    except Conflict:
        text, _ = read_raw(path)
        return show_form(
            request,
            session,
            region,
            given,
            {},
            version(text),
            status=409,
            conflict=True,
        )
    except ContentError as problem:
        return show_form(
            request, session, region, given, {}, form.get("versie", ""), status=400, save_error=str(problem)
        )
    if changed:
        audit.record(
            request.app.ctx.store.engine, session.staff_id, AUDIT_ACTION, f"{region}: {', '.join(changed)}"
        )
    return redirect(f"/regiogegevens/{region}?opgeslagen={'1' if changed else '0'}")


# --- the preview ("Voorbeeld") -----------------------------------------------------------------
def preview_page(
    request: Request,
    session,
    topic: Topic,
    region: str,
    audiences,
    concept: bool = False,
    action: Optional[str] = None,
    back: Optional[str] = None,
):
    """The page for `topic` (published or a concept: the other editorial pages call this with
    a Topic of their own, parsed by library.preview.draft_topic). `action`: where the form that
    picks region and audience goes (default the published topic's preview; "" no such form);
    `back`: a link back to the edit page."""
    library = request.app.ctx.library
    shown: List[Preview] = [preview(library, topic, region, audience) for audience in audiences]
    return render(
        "voorbeeld.html",
        session=session,
        topic=topic,
        region=region,
        regions=regions_seen_by(request, session),
        audiences=AUDIENCES,
        chosen=audiences[0] if len(audiences) == 1 else "",
        previews=shown,
        reviewed=dutch_date(topic.reviewed_on),
        concept=concept,
        action=f"/voorbeeld/{topic.id}" if action is None else action,
        back=back,
    )


async def topic_preview(request: Request, session, topic_id: str):
    library = request.app.ctx.library
    region = request.args.get("regio") or library.default_region
    if not REGION_ID.fullmatch(region) or region not in library.regions() or not session.sees(region):
        return error(404, NOT_FOUND, session)
    topic = library.lookup(topic_id, region)
    if topic is None:
        return error(404, "Dit onderwerp bestaat niet (of wordt nu niet getoond).", session)
    audience = request.args.get("doelgroep") or ""
    if audience and audience not in AUDIENCES:
        return error(400, "Kies als doelgroep ouder of jongere.", session)
    audiences = [audience] if audience else [a for a in AUDIENCES if a == AUDIENCE_PARENT or topic.youth_text]
    return preview_page(request, session, topic, region, audiences)


REGION = f"<region:{REGION_ID.pattern}>"
ROUTES = (
    Route("GET", "/regiogegevens", start, (EDITOR,)),
    Route("GET", f"/regiogegevens/{REGION}", facts_form, (EDITOR,)),
    Route("POST", f"/regiogegevens/{REGION}", save_facts, (EDITOR,)),
    Route("GET", "/voorbeeld/<topic_id:[a-z0-9-]{1,80}>", topic_preview, (EDITOR,)),
)
bp = blueprint("regiogegevens", ROUTES)
