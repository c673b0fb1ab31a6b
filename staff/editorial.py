"""The editors' pages (role `redacteur`): "Teksten", one edit page per topic file, four eyes,
history with a diff and "Terugzetten" (issue 26).

Published edits are written back to the topic files (atomically, library/editing.py): content/
stays the source of truth, and every process's hot reload (library/catalogue.py) serves the
new text within STEUNPUNT_CONTENT_RECHECK_SECONDS. Every version is kept in the database
(store/content_versions.py) and every step is audited.

Which files an editor may touch: the default region's are the national files
(content/topics/<id>.md); another region's are content/regions/<id>/topics|sections/<id>.md.
An editor sees only its own regions (`session.sees`): another region's page is a 404.
"""

from __future__ import annotations

import difflib
from datetime import timedelta
from pathlib import Path
from typing import Dict, List, Optional, Tuple
from urllib.parse import quote

from sanic.request import Request

from library.editing import (
    MAX_SOURCES,
    MAX_TOPIC_ID,
    SECTIONS_FILE,
    TEXTS,
    WHOLE_FILE,
    Fields,
    check,
    draft_text,
    fields_from_text,
    new_topic_problem,
    write_atomically,
)
from library.model import AUDIENCE_PARENT, PHASES, ContentError, Topic, intent_for_topic
from library.parse import apply_sections
from library.preview import draft_topic, open_facts
from library.training import intents_with_examples, topic_ids_on_disk
from staff.regiogegevens import AUDIENCES, preview_page
from staff.web import EDITOR, Route, blueprint, error, redirect, regions_seen_by, render
from steunpunt import settings
from steunpunt.regions import REGION_ID
from store.content_versions import OFFERED, ContentVersions, DraftTopic, ReviewError, Version

#: A text is "binnenkort te controleren" this long before its review-by day (as the reminders).
DUE_SOON = timedelta(weeks=6)
NOT_FOUND = "Dit onderwerp bestaat niet (of is niet van jouw regio)."
#: The status of a new topic the model cannot answer yet (issue 26, item 9).
WAITS_FOR_TRAINING = "wacht op training"
#: Where the developers' training examples are: a draft waits until its intent has some there.
NLU_DIR = settings.REPO_ROOT / "data" / "nlu"


def versions(request: Request) -> ContentVersions:
    return ContentVersions(request.app.ctx.store.engine)


def _dirs(request: Request) -> Tuple[Path, Path]:
    library = request.app.ctx.library
    return Path(library.topics_dir), Path(library.regions_dir or settings.REGIONS_DIR)


def file_for(request: Request, region: str, topic_id: str) -> Optional[Tuple[Path, str]]:
    """The file an editor edits for this topic in this region, and its kind; None if none may
    be made (no such topic). A region without a file of its own gets a whole-topic override."""
    if not REGION_ID.fullmatch(region) or not REGION_ID.fullmatch(topic_id):
        return None
    library = request.app.ctx.library
    topics_dir, regions_dir = _dirs(request)
    national = topics_dir / f"{topic_id}.md"
    if region != library.default_region and region not in library.regions():
        return None
    draft = versions(request).draft_topic(region, topic_id) is not None  # a new topic, from signals
    if region == library.default_region:
        return (national, WHOLE_FILE) if national.is_file() or draft else None
    folder = regions_dir / region
    if (folder / "sections" / f"{topic_id}.md").is_file():
        return folder / "sections" / f"{topic_id}.md", SECTIONS_FILE
    if (folder / "topics" / f"{topic_id}.md").is_file() or national.is_file() or draft:
        return folder / "topics" / f"{topic_id}.md", WHOLE_FILE
    return None


def waits_for_training(draft: Optional[DraftTopic]) -> bool:
    """A draft topic whose intent has no examples in data/nlu/ yet: the bot cannot answer it."""
    return draft is not None and intent_for_topic(draft.topic_id) not in intents_with_examples(NLU_DIR)


def _read(path: Path) -> Optional[str]:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None


def may_edit(session, region: str) -> bool:
    return session.sees(region)


# --- the list ------------------------------------------------------------------------------
async def texts(request: Request, session):
    library = request.app.ctx.library
    regions = [region for region in library.regions() if may_edit(session, region)]
    chosen = request.args.get("regio", "")
    phase = request.args.get("fase", "")
    audience = request.args.get("doelgroep", "")
    shown = [chosen] if chosen in regions else regions
    open_versions = versions(request).open_versions(set(shown))
    today = library.today()
    rows = []
    errors = library.errors()
    drafts = {(d.region, d.topic_id): d for d in versions(request).draft_topics(set(shown))}
    waiting = {key for key, draft in drafts.items() if waits_for_training(draft)}
    for region in shown:
        served = library.topics(region)
        for draft_region, topic_id in drafts:  # new topics not (yet) in content/
            if draft_region != region or topic_id in served or phase or audience:
                continue
            pending = open_versions.get((region, topic_id))
            rows.append(
                {
                    "region": region,
                    "id": topic_id,
                    "title": topic_id,
                    "status": " · ".join(
                        ([pending.status] if pending else [])
                        + ([WAITS_FOR_TRAINING] if (region, topic_id) in waiting else [])
                    ),
                    "review_by": None,
                    "regional": region != library.default_region,
                    "href": f"/teksten/{quote(region)}/{quote(topic_id)}",
                }
            )
        for topic_id, topic in sorted(served.items()):
            if phase and phase not in topic.phases:
                continue
            if audience == "jongeren" and not topic.youth_text:
                continue
            pending = open_versions.get((region, topic_id))
            if pending is not None:
                status = pending.status
            elif topic.is_overdue(today):
                status = "verlopen"
            elif topic.review_by - today <= DUE_SOON:
                status = "binnenkort te controleren"
            else:
                status = "gepubliceerd"
            if (region, topic_id) in waiting:
                status += f" · {WAITS_FOR_TRAINING}"
            rows.append(
                {
                    "region": region,
                    "id": topic_id,
                    "title": topic.title,
                    "status": status,
                    "review_by": topic.review_by,
                    "regional": bool(topic.regional_parts),
                    "href": f"/teksten/{quote(region)}/{quote(topic_id)}",
                }
            )
    broken = sorted(name for name in errors if may_edit(session, _region_of(name, library.default_region)))
    return render(
        "texts.html",
        session=session,
        rows=rows,
        regions=regions,
        phases=PHASES,
        filters={"regio": chosen, "fase": phase, "doelgroep": audience},
        broken=broken,
    )


def _region_of(file_name: str, default: str) -> str:
    parts = file_name.split("/")
    return parts[1] if parts[0] == "regions" and len(parts) > 2 else default


# --- one topic -----------------------------------------------------------------------------
def _context(request: Request, session, region: str, topic_id: str):
    """(path, kind, file text) of a topic the editor may edit, or None (404)."""
    if not may_edit(session, region):
        return None
    found = file_for(request, region, topic_id)
    if found is None:
        return None
    path, kind = found
    text = _read(path)
    if text is None:  # a region's first override starts from the national text
        text = _read(_dirs(request)[0] / f"{topic_id}.md")
    return path, kind, text


def _check(request: Request, region: str, fields: Fields):
    library = request.app.ctx.library
    regional = region != library.default_region
    known = set(library.topics(region))
    national = library.topics(library.default_region).get(fields.id) if fields.kind == SECTIONS_FILE else None
    return check(
        fields,
        library.facts(region),
        library.today(),
        known_topics=known,
        region=region if regional else None,
        national=national,
    )


def _page(request, session, region, topic_id, kind, fields, checked=None, status=200, message=""):
    store = versions(request)
    history = store.history(region, topic_id)
    return render(
        "text_edit.html",
        status,
        session=session,
        region=region,
        topic_id=topic_id,
        kind=kind,
        fields=fields,
        texts=TEXTS,
        phases=PHASES,
        errors=checked.errors if checked else {},
        warnings=checked.warnings if checked else {},
        history=history,
        offered=[v for v in history if v.status == OFFERED],
        base=f"/teksten/{quote(region)}/{quote(topic_id)}",
        message=message,
        max_sources=MAX_SOURCES,
        regional=region != request.app.ctx.library.default_region,
        draft=(draft := store.draft_topic(region, topic_id)),
        waits=waits_for_training(draft),
        preview_regions=regions_seen_by(request, session)
        if region == request.app.ctx.library.default_region
        else [region],
    )


async def edit_page(request: Request, session, region: str, topic_id: str):
    found = _context(request, session, region, topic_id)
    if found is None:
        return error(404, NOT_FOUND, session)
    _path, kind, text = found
    store = versions(request)
    history = store.history(region, topic_id)
    pending = next((v for v in history if v.open and v.author_id == session.staff_id), None)
    if pending is None and text is None:  # a new topic (from signals) has no file yet
        pending = store.newest_text(region, topic_id)
    try:
        fields = fields_from_text(pending.text if pending else text or "", topic_id, kind)
    except ContentError:
        fields = Fields(id=topic_id, kind=kind)
    message = {
        "opgeslagen": "Opgeslagen als concept.",
        "aangeboden": "Ter controle aangeboden.",
        "gepubliceerd": "Goedgekeurd en gepubliceerd.",
        "teruggestuurd": "Teruggestuurd.",
        "teruggezet": "De oude versie is ter controle aangeboden.",
        "nieuw": "Het concept-onderwerp is gemaakt. Vul de tekst, bronnen, fasen en data in.",
    }.get(request.args.get("klaar", ""), "")
    checked = _check(request, region, fields) if pending else None
    return _page(request, session, region, topic_id, kind, fields, checked, message=message)


def _fields_from_form(request: Request, topic_id: str, kind: str) -> Fields:
    form = request.form
    sources: List[Tuple[str, str]] = []
    for index in range(MAX_SOURCES + 1):
        title = (form.get(f"bron_titel_{index}") or "").strip()
        url = (form.get(f"bron_url_{index}") or "").strip()
        if title or url:
            sources.append((title, url))
    return Fields(
        id=topic_id,
        kind=kind,
        title=(form.get("title") or "")[:1000],
        label=(form.get("label") or "")[:1000],
        texts={name: (form.get(name) or "").replace("\r\n", "\n") for name in TEXTS},
        sources=sources,
        phases=[phase for phase in form.getlist("phases") or [] if phase in PHASES],
        related=(form.get("related") or "")[:1000],
        reviewed_on=(form.get("reviewed_on") or "")[:40],
        review_by=(form.get("review_by") or "")[:40],
    )


async def save(request: Request, session, region: str, topic_id: str):
    found = _context(request, session, region, topic_id)
    if found is None:
        return error(404, NOT_FOUND, session)
    _path, kind, _text = found
    fields = _fields_from_form(request, topic_id, kind)
    checked = _check(request, region, fields)
    if not checked.ok:  # a version that does not parse is never saved
        return _page(request, session, region, topic_id, kind, fields, checked, status=400)
    store = versions(request)
    if _text is not None and found[0].is_file():
        store.record_file(region, topic_id, kind, _text)
    try:
        version = store.save_concept(
            region, topic_id, kind, checked.text, session.staff_id, request.form.get("opmerking", "")
        )
        if request.form.get("aanbieden"):
            store.offer(region, topic_id, version.id, session.staff_id)
            return redirect(f"/teksten/{quote(region)}/{quote(topic_id)}?klaar=aangeboden")
    except ReviewError as problem:
        return error(400, str(problem), session)
    return redirect(f"/teksten/{quote(region)}/{quote(topic_id)}?klaar=opgeslagen")


def _version_id(request: Request) -> int:
    try:
        return int(request.form.get("versie") or "")
    except ValueError:
        raise KeyError("versie") from None


def _step(action):
    async def handler(request: Request, session, region: str, topic_id: str):
        found = _context(request, session, region, topic_id)
        if found is None:
            return error(404, NOT_FOUND, session)
        try:
            done = action(request, session, region, topic_id, found, _version_id(request))
        except KeyError:
            return error(404, "Deze versie bestaat niet.", session)
        except ReviewError as problem:
            return error(400, str(problem), session)
        return redirect(f"/teksten/{quote(region)}/{quote(topic_id)}?klaar={done}")

    handler.__name__ = action.__name__
    return handler


@_step
def offer(request, session, region, topic_id, found, version_id):
    versions(request).offer(region, topic_id, version_id, session.staff_id)
    return "aangeboden"


@_step
def approve(request, session, region, topic_id, found, version_id):
    """Goedkeuren en publiceren: checked again against the content as it is now, then the file
    is written (atomically) and the version marked published."""
    path, kind, current = found
    store = versions(request)
    version = store.check_reviewer(region, topic_id, version_id, session.staff_id)
    try:
        fields = fields_from_text(version.text, topic_id, kind)
    except ContentError as problem:
        raise ReviewError(f"Deze versie klopt niet meer: {problem}") from None
    checked = _check(request, region, fields)
    if not checked.ok:
        shown = "; ".join(message for messages in checked.errors.values() for message in messages)
        raise ReviewError(f"Deze versie klopt niet meer: {shown}")
    if current is not None and path.is_file():
        store.record_file(region, topic_id, kind, current)
    write_atomically(path, version.text)
    store.approve(region, topic_id, version_id, session.staff_id)
    return "gepubliceerd"


@_step
def send_back(request, session, region, topic_id, found, version_id):
    versions(request).send_back(
        region, topic_id, version_id, session.staff_id, request.form.get("opmerking", "")
    )
    return "teruggestuurd"


@_step
def restore(request, session, region, topic_id, found, version_id):
    path, kind, current = found
    store = versions(request)
    if current is not None and path.is_file():
        store.record_file(region, topic_id, kind, current)
    store.restore(region, topic_id, version_id, session.staff_id)
    return "teruggezet"


async def history_page(request: Request, session, region: str, topic_id: str):
    found = _context(request, session, region, topic_id)
    if found is None:
        return error(404, NOT_FOUND, session)
    store = versions(request)
    history = store.history(region, topic_id)
    by_id: Dict[int, Version] = {v.id: v for v in history}
    diff: List[Tuple[str, str]] = []
    try:
        new_id = int(request.args.get("naar") or (history[0].id if history else 0))
        old_id = int(request.args.get("van") or (history[1].id if len(history) > 1 else 0))
    except ValueError:
        new_id = old_id = 0
    new, old = by_id.get(new_id), by_id.get(old_id)
    if new is not None and old is not None:
        for line in difflib.unified_diff(
            old.text.splitlines(),
            new.text.splitlines(),
            f"versie {old.id}",
            f"versie {new.id}",
            lineterm="",
            n=2,
        ):
            kind = {"+": "erbij", "-": "eraf", "@": "plek"}.get(line[:1], "gelijk")
            diff.append((kind, line))
    return render(
        "text_history.html",
        session=session,
        region=region,
        topic_id=topic_id,
        history=history,
        diff=diff,
        new=new,
        old=old,
        base=f"/teksten/{quote(region)}/{quote(topic_id)}",
        audit=store.audit_entries(region, topic_id),
    )


# --- the concept's preview ("Voorbeeld") ------------------------------------------------------
def concept_topic(request: Request, region: str, topic_id: str, kind: str, text: str, shown: str) -> Topic:
    """A concept's file text as the library would serve it in region `shown` (the file's own
    region for a region's file; any region for a national text). ContentError if it is wrong."""
    library = request.app.ctx.library
    if region != library.default_region and kind == WHOLE_FILE:
        return draft_topic(library, text, topic_id, region, own=True)
    if kind == SECTIONS_FILE:
        national = _read(_dirs(request)[0] / f"{topic_id}.md")
        if national is None:
            raise ContentError("er is geen landelijk onderwerp om aan te vullen")
        base = draft_topic(library, national, topic_id)
        return apply_sections(base, text, open_facts(library.facts(region)), library.today(), region)
    return draft_topic(library, text, topic_id, shown)


def _shown_region(request: Request, session, region: str, asked: str) -> Optional[str]:
    """The region a concept is previewed in: a national text in any region the editor sees,
    a region's file in its own region only. None: not allowed."""
    library = request.app.ctx.library
    if region != library.default_region:
        return region if asked in ("", region) else None
    asked = asked or region
    return asked if asked in regions_seen_by(request, session) else None


def _audiences(asked: str, topic: Topic) -> Optional[List[str]]:
    if asked and asked not in AUDIENCES:
        return None
    return [asked] if asked else [a for a in AUDIENCES if a == AUDIENCE_PARENT or topic.youth_text]


def _show_concept(request, session, region, topic_id, kind, text, shown, audience, form_action):
    try:
        topic = concept_topic(request, region, topic_id, kind, text, shown)
    except ContentError as problem:
        return error(400, f"Dit concept kan (nog) niet getoond worden: {problem}", session)
    audiences = _audiences(audience, topic)
    if audiences is None:
        return error(400, "Kies als doelgroep ouder of jongere.", session)
    return preview_page(
        request,
        session,
        topic,
        shown,
        audiences,
        concept=True,
        action=form_action,
        back=f"/teksten/{quote(region)}/{quote(topic_id)}",
    )


async def concept_preview(request: Request, session, region: str, topic_id: str):
    """GET: the newest saved concept (the editor's own, else the newest open version; with
    none, the file as it is) in the chosen region, for both audiences. Nothing is published."""
    found = _context(request, session, region, topic_id)
    if found is None:
        return error(404, NOT_FOUND, session)
    _path, kind, text = found
    shown = _shown_region(request, session, region, request.args.get("regio", ""))
    if shown is None:
        return error(404, NOT_FOUND, session)
    history = versions(request).history(region, topic_id)
    concept = next((v for v in history if v.open and v.author_id == session.staff_id), None) or next(
        (v for v in history if v.open), None
    )
    base = f"/teksten/{quote(region)}/{quote(topic_id)}"
    return _show_concept(
        request,
        session,
        region,
        topic_id,
        kind,
        concept.text if concept else text or "",
        shown,
        request.args.get("doelgroep", ""),
        f"{base}/voorbeeld",
    )


async def form_preview(request: Request, session, region: str, topic_id: str):
    """POST (the "Voorbeeld" button of the edit form): the text as typed, unsaved, checked as on
    save; with errors the form comes back with the messages next to the fields."""
    found = _context(request, session, region, topic_id)
    if found is None:
        return error(404, NOT_FOUND, session)
    _path, kind, _text = found
    shown = _shown_region(request, session, region, request.form.get("voorbeeld_regio", ""))
    if shown is None:
        return error(404, NOT_FOUND, session)
    fields = _fields_from_form(request, topic_id, kind)
    checked = _check(request, region, fields)
    if not checked.ok:
        return _page(request, session, region, topic_id, kind, fields, checked, status=400)
    return _show_concept(request, session, region, topic_id, kind, checked.text, shown, "", "")


# --- from signal to topic ("nieuw onderwerp nodig", item 9) ---------------------------------------
def new_topic_groups(request: Request, session) -> List[dict]:
    """The groups an analyst marked "nieuw onderwerp nodig" that hold signals of the editor's
    regions, with their example questions (redacted texts, of those regions only)."""
    scoped = request.app.ctx.signals.for_regions(session.regions)
    made = {d.decision_id: d for d in versions(request).draft_topics()}
    groups = []
    for decision in scoped.decisions():
        if decision["decision"] != "nieuw_onderwerp":
            continue
        texts = [row["text"] for row in scoped.by_ids(decision["signal_ids"] or []) if row["text"]]
        draft = made.get(decision["id"])
        groups.append(
            {
                "id": decision["id"],
                "label": decision["label"],
                "proposed": decision["topic_id"] or "",
                "by": decision["username"],
                "at": decision["created_at"],
                "examples": list(dict.fromkeys(texts)),
                "draft": draft if draft is not None and session.sees(draft.region) else None,
            }
        )
    return groups


def _new_topics_page(request: Request, session, status=200, errors=None, given=None):
    return render(
        "new_topics.html",
        status,
        session=session,
        groups=new_topic_groups(request, session),
        regions=[r for r in request.app.ctx.library.regions() if may_edit(session, r)],
        default_region=request.app.ctx.library.default_region,
        errors=errors or {},
        given=given or {},
        max_id=MAX_TOPIC_ID,
    )


async def new_topics(request: Request, session):
    return _new_topics_page(request, session)


async def make_draft_topic(request: Request, session):
    """ "Maak concept-onderwerp": a concept of a new topic (a content version) with the group's
    example questions as its draft training examples; nothing is written to content/ or data/."""
    library = request.app.ctx.library
    try:
        decision_id = int(request.form.get("groep") or "")
    except ValueError:
        return error(400, "Kies een groep.", session)
    group = next((g for g in new_topic_groups(request, session) if g["id"] == decision_id), None)
    if group is None:
        return error(404, "Deze groep bestaat niet (of is niet van jouw regio).", session)
    topic_id = (request.form.get("onderwerp") or "").strip().lower()[:200]
    region = request.form.get("regio") or library.default_region
    given = {"groep": decision_id, "onderwerp": topic_id, "regio": region}
    if not may_edit(session, region) or region not in library.regions():
        return _new_topics_page(
            request, session, 400, {decision_id: "Kies een regio waarvan je de teksten schrijft."}, given
        )
    store = versions(request)
    topics_dir, regions_dir = _dirs(request)
    taken = set(topic_ids_on_disk(topics_dir, regions_dir)) | store.taken_topic_ids()
    for known in library.regions():
        taken |= set(library.topics(known))
    problem = new_topic_problem(topic_id, taken)
    if problem is None and group["draft"] is not None:
        problem = f"Van deze groep is al een concept-onderwerp gemaakt: {group['draft'].topic_id}."
    if problem:
        return _new_topics_page(request, session, 400, {decision_id: problem}, given)
    try:
        store.create_draft_topic(
            region,
            topic_id,
            WHOLE_FILE,
            draft_text(topic_id, group["label"]),
            group["examples"],
            decision_id,
            session.staff_id,
        )
    except ReviewError as refused:
        return _new_topics_page(request, session, 400, {decision_id: str(refused)}, given)
    return redirect(f"/teksten/{quote(region)}/{quote(topic_id)}?klaar=nieuw")


TOPIC = "/teksten/<region:str>/<topic_id:str>"
ROUTES = (
    Route("GET", "/teksten", texts, (EDITOR,)),
    Route("GET", "/nieuwe-onderwerpen", new_topics, (EDITOR,)),
    Route("POST", "/nieuwe-onderwerpen", make_draft_topic, (EDITOR,)),
    Route("GET", TOPIC, edit_page, (EDITOR,)),
    Route("POST", TOPIC, save, (EDITOR,)),
    Route("POST", f"{TOPIC}/aanbieden", offer, (EDITOR,)),
    Route("POST", f"{TOPIC}/goedkeuren", approve, (EDITOR,)),
    Route("POST", f"{TOPIC}/terugsturen", send_back, (EDITOR,)),
    Route("POST", f"{TOPIC}/terugzetten", restore, (EDITOR,)),
    Route("GET", f"{TOPIC}/geschiedenis", history_page, (EDITOR,)),
    Route("GET", f"{TOPIC}/voorbeeld", concept_preview, (EDITOR,)),
    Route("POST", f"{TOPIC}/voorbeeld", form_preview, (EDITOR,)),
)
bp = blueprint("editorial", ROUTES)
