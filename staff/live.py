"""Live chat in the staff app (issue 25): the control "Beschikbaar voor chat", the page
"Live gesprekken" (the waiting conversations of the member's regions and their own), one page
per conversation ("Neem gesprek aan", "Bericht" / "Verstuur", "Gesprek beëindigen",
"Overdragen"), and the server-sent events that bring new messages without a reload.

Who may do what: only staff (role `medewerker`); every read and change goes through the
region-limited live store (`live_of`), so another region's chat does not exist here (404); a
chat that is waiting can be read by every member of its region, an active one only by the
member who has it, an ended one by whoever is on its ticket (`LiveStore.may_read`), so whoever
handed a chat over reads no more of it (403). Every POST carries the CSRF token (staff/web.py
`requires`); claim, transfer and end are audited by the store.

Everything works with form posts and reloads. With JavaScript (staff/static/live.js, served
from this app: the CSP allows no inline script) the pages listen to `/live/stream` and
`/live/<id>/stream` (text/event-stream) and send messages with fetch(); the send route answers
JSON when asked with `Accept: application/json`. A stream waits on the process's one LiveFeed
(store/livebus.py) and reads what is new from the database, so it needs no other process and
never polls; a comment every KEEPALIVE_SECONDS keeps proxies from closing it. It stops when
the client goes, the session ends, or the member may no longer read the chat.
"""

from __future__ import annotations

import asyncio
import json
import time
from pathlib import Path
from typing import Any, Callable, Dict, FrozenSet, Iterable, List, Optional, Tuple

from sanic import response
from sanic.request import Request

from staff.web import SESSION_COOKIE, STAFF, Route, blueprint, error, headers, redirect, render
from steunpunt.clock import minutes_seconds, now, to_local
from store import presence
from store.live import (
    ABANDONED,
    ACTIVE,
    CLAIMED,
    ENDED,
    ENDED_KIND,
    LEFT_QUEUE,
    MAX_CHARS,
    MESSAGE,
    OPEN,
    OUTCOMES,
    QUEUED,
    TIMED_OUT,
    TRANSFERRED,
    USER,
    WAITING,
    Chat,
    LiveError,
    LiveStore,
    RateLimited,
    staff_names,
)

#: The control's accessible name: the button staff (and the browser tests) look for.
CONTROL = "Beschikbaar voor chat"
#: A comment line this often on a quiet stream, so that no proxy or browser closes it.
KEEPALIVE_SECONDS = 15.0
#: How far back (in message ids) a chat's stream looks for a message committed late.
LOOKBACK_IDS = 200
#: How long a browser waits before it opens a stream again after it broke (EventSource).
RETRY_MS = 3000
SCRIPT = Path(__file__).parent / "static" / "live.js"
AUDIENCES = {"ouder": "Ouder", "jongere": "Jongere"}
#: What staff read for each outcome of "Gesprek beëindigen" (the ticket's status).
OUTCOME_LABELS = {OUTCOMES[0]: "Afgehandeld", OUTCOMES[1]: "Open voor opvolging"}
LEFT = {
    "timeout": "Niemand nam het gesprek op tijd aan: het is een vraag in de wachtrij geworden.",
    "offline": "Er was geen medewerker meer beschikbaar: het is een vraag in de wachtrij geworden.",
    "abandoned": "De gebruiker is weggegaan uit de wachtrij.",
}
NOT_FOUND = "Dit gesprek bestaat niet (of hoort niet bij jouw regio's)."
NOT_YOURS = "Dit gesprek is niet (meer) van jou: een collega heeft het aangenomen of overgenomen."
NOTICES = {"overgedragen": "Het gesprek is overgedragen aan je collega."}


# --- availability (item 1) ---------------------------------------------------------------------
def is_available(request: Request, session) -> bool:
    """For the queue page: whether this member's switch is on and still counts."""
    return presence.is_available(request.app.ctx.accounts.engine, session.staff_id, now())


async def set_available(request: Request, session):
    """POST /beschikbaar with `aan` = "1" (on) or "0" (off); then back to the queue."""
    presence.set_available(
        request.app.ctx.accounts.engine, session.staff_id, request.form.get("aan") == "1", now()
    )
    return redirect("/")


# --- what a staff screen shows of a chat -------------------------------------------------------
def live_of(request: Request, session) -> LiveStore:
    """The live chats this account may see: its regions only."""
    return request.app.ctx.live.for_regions(session.regions)


def speaker(audience: Optional[str]) -> str:
    return AUDIENCES.get(audience or "", "Gebruiker")


def transcript_lines(chat: Chat) -> List[Dict[str, Any]]:
    """The conversation with the assistant before the chat, as the staff screens show it."""
    return [
        {
            "id": None,
            "sender": "user" if line.get("from") == "user" else "bot",
            "kind": "transcript",
            "who": speaker(chat.audience) if line.get("from") == "user" else "Assistent",
            "text": str(line.get("text") or ""),
            "time": "",
        }
        for line in chat.transcript
    ]


def message_line(message: Dict[str, Any], chat: Chat, names: Dict[int, str], me: int) -> Dict[str, Any]:
    """One live message (or a change, as a note) as the page and the stream show it: who said
    it, the text, the local time. The user's text stays text: the template escapes it, the
    script sets it as textContent."""
    kind, sender, staff_id = message["kind"], message["sender"], message.get("staff_id")
    name = "jou" if staff_id == me else names.get(staff_id or 0, "een collega")
    if kind == MESSAGE:
        who = (
            speaker(chat.audience)
            if sender == USER
            else ("Jij" if staff_id == me else f"{name} (medewerker)")
        )
        text = message["text"]
    else:
        sender, who = "system", "Melding"
        text = {
            QUEUED: "In de wachtrij gezet.",
            CLAIMED: f"Aangenomen door {name}.",
            TRANSFERRED: f"Overgedragen aan {name}.",
            ENDED_KIND: f"Gesprek beëindigd; het staat nu als vraag {message['text']}.",
            LEFT_QUEUE: LEFT.get(message["text"], "Het gesprek wacht niet meer."),
        }.get(kind, kind)
    return {
        "id": message["id"],
        "sender": sender,
        "kind": kind,
        "who": who,
        "text": text,
        "time": to_local(message["created_at"]).strftime("%H:%M"),
    }


def message_lines(
    live: LiveStore, chat: Chat, messages: List[Dict[str, Any]], me: int
) -> List[Dict[str, Any]]:
    names = staff_names(live.engine, {m["staff_id"] for m in messages if m.get("staff_id")})
    return [message_line(m, chat, names, me) for m in messages]


def overview(live: LiveStore, me: int) -> Dict[str, Any]:
    """The list page's content (also what its stream sends): the waiting chats, longest
    waiting first, with what was said so far, and the member's own active chats."""
    moment = now()
    waiting = []
    for chat in live.waiting():
        typed = [m for m in live.messages(chat.id) if m["kind"] == MESSAGE]
        waited = chat.waited_seconds(moment)
        waiting.append(
            {
                "id": chat.id,
                "region": chat.region,
                "audience": chat.audience or "onbekend",
                "queued": to_local(chat.queued_at).strftime("%H:%M"),
                "waited": waited,
                "waited_text": minutes_seconds(waited),
                "lines": transcript_lines(chat) + message_lines(live, chat, typed, me),
            }
        )
    mine = [
        {
            "id": chat.id,
            "region": chat.region,
            "audience": chat.audience or "onbekend",
            "claimed": to_local(chat.claimed_at).strftime("%H:%M") if chat.claimed_at else "",
        }
        for chat in live.active_of(me)
    ]
    return {"waiting": waiting, "mine": mine}


def colleagues(request: Request, chat: Chat, me: int) -> List[Tuple[int, str]]:
    """Who this chat can be handed to: colleagues available for its region now."""
    engine = request.app.ctx.accounts.engine
    ids = [i for i in presence.available_staff(engine, chat.region, now()) if i != me]
    return sorted(staff_names(engine, ids).items(), key=lambda item: item[1].lower())


# --- the pages ---------------------------------------------------------------------------------
async def live_page(request: Request, session):
    """GET /live: "Live gesprekken"."""
    return render(
        "live.html",
        session=session,
        notice=NOTICES.get(request.args.get("gedaan") or ""),
        available=is_available(request, session),
        **overview(live_of(request, session), session.staff_id),
    )


def chat_page(request: Request, session, chat: Chat, status: int = 200, problem: str = "", draft: str = ""):
    live = live_of(request, session)
    messages = live.messages(chat.id)
    mine = chat.status == ACTIVE and chat.staff_id == session.staff_id
    return render(
        "live_chat.html",
        status,
        session=session,
        chat=chat,
        lines=transcript_lines(chat) + message_lines(live, chat, messages, session.staff_id),
        last=messages[-1]["id"] if messages else 0,
        mine=mine,
        open=chat.status in OPEN,
        waiting=chat.status == WAITING,
        waited=minutes_seconds(chat.waited_seconds(now())),
        colleagues=colleagues(request, chat, session.staff_id) if mine else [],
        outcomes=OUTCOME_LABELS,
        problem=problem,
        draft=draft,
        max_chars=MAX_CHARS,
    )


def readable(
    request: Request, session, chat_id: int
) -> Tuple[Optional[Chat], Optional[response.HTTPResponse]]:
    """The chat, or the error page: 404 outside the member's regions, 403 when it is another
    member's (handed over, or claimed by a colleague)."""
    live = live_of(request, session)
    chat = live.get(chat_id)
    if chat is None:
        return None, error(404, NOT_FOUND, session)
    if not live.may_read(chat, session.staff_id):
        return None, error(403, NOT_YOURS, session)
    return chat, None


async def conversation(request: Request, session, chat_id: int):
    """GET /live/<id>: the conversation so far and, for its member, what they can do."""
    chat, refused = readable(request, session, chat_id)
    if chat is None:
        return refused
    return chat_page(request, session, chat)


async def claim(request: Request, session, chat_id: int):
    """POST /live/<id>/aannemen: "Neem gesprek aan"; the first one wins."""
    live = live_of(request, session)
    if live.get(chat_id) is None:
        return error(404, NOT_FOUND, session)
    try:
        live.claim(chat_id, session.staff_id, now())
    except LiveError as problem:
        return error(409, str(problem), session)
    return redirect(f"/live/{chat_id}")


def wants_json(request: Request) -> bool:
    return "application/json" in (request.headers.get("accept") or "")


def answer_json(status: int, **body) -> response.HTTPResponse:
    return response.json(body, status=status, headers=headers())


async def send(request: Request, session, chat_id: int):
    """POST /live/<id>/bericht: "Verstuur". JSON for the script (`Accept: application/json`),
    else back to the conversation; a message too long (413), empty (400) or one too many in
    a minute (429) is refused with the reason, and the typed text stays in the form."""
    live = live_of(request, session)
    chat = live.get(chat_id)
    text = request.form.get("text") or ""

    def refuse(status: int, message: str):
        if wants_json(request):
            return answer_json(status, error=message)
        if chat is not None and status in (400, 413, 429):
            return chat_page(request, session, chat, status, message, text[:MAX_CHARS])
        return error(status, message, session)

    if chat is None:
        return refuse(404, NOT_FOUND)
    if chat.status != ACTIVE:
        return refuse(409, "Dit gesprek loopt niet (meer): er kan geen bericht meer bij.")
    if chat.staff_id != session.staff_id:
        return refuse(403, NOT_YOURS)
    if not text.strip():
        return refuse(400, "Een leeg bericht wordt niet verstuurd.")
    if len(text) > MAX_CHARS:
        return refuse(413, f"Een bericht is hoogstens {MAX_CHARS} tekens lang (dit zijn er {len(text)}).")
    try:
        message_id = live.post_staff(chat_id, session.staff_id, text, now())
    except RateLimited as problem:
        return refuse(429, str(problem))
    except LiveError as problem:
        return refuse(409, str(problem))
    if wants_json(request):
        return answer_json(200, id=message_id)
    return redirect(f"/live/{chat_id}")


async def end(request: Request, session, chat_id: int):
    """POST /live/<id>/einde with `uitkomst` (afgehandeld / in behandeling): "Gesprek
    beëindigen". The chat becomes a ticket; the member goes to its page."""
    live = live_of(request, session)
    if live.get(chat_id) is None:
        return error(404, NOT_FOUND, session)
    outcome = request.form.get("uitkomst") or ""
    if outcome not in OUTCOMES:
        return error(400, "Kies of het gesprek is afgehandeld of open blijft voor opvolging.", session)
    try:
        live.end(chat_id, session.staff_id, outcome, now())
    except LiveError as problem:
        return error(409, str(problem), session)
    ended = live.get(chat_id)
    return redirect(f"/tickets/{ended.ticket_id}" if ended and ended.ticket_id else "/live")


async def transfer(request: Request, session, chat_id: int):
    """POST /live/<id>/overdragen with `aan` (a colleague's id): "Overdragen", only to a
    colleague available for the chat's region now."""
    live = live_of(request, session)
    chat = live.get(chat_id)
    if chat is None:
        return error(404, NOT_FOUND, session)
    try:
        to_staff = int(request.form.get("aan") or "")
    except ValueError:
        return error(400, "Kies een collega.", session)
    available = presence.available_staff(request.app.ctx.accounts.engine, chat.region, now())
    try:
        live.transfer(chat_id, session.staff_id, to_staff, available, now())
    except LiveError as problem:
        return error(409, str(problem), session)
    return redirect("/live?gedaan=overgedragen")


# --- server-sent events --------------------------------------------------------------------------
def event(data: Dict[str, Any], name: Optional[str] = None, event_id: Optional[int] = None) -> str:
    """One event of a text/event-stream. JSON has no raw line breaks, so a text cannot end
    the event early or add fields of its own."""
    lines = ([f"event: {name}"] if name else []) + ([f"id: {event_id}"] if event_id is not None else [])
    return "\n".join([*lines, "data: " + json.dumps(data, ensure_ascii=False)]) + "\n\n"


def stopped(reason: str, ticket_id: Optional[int] = None) -> str:
    """The last event of a conversation's stream: why it stopped (and where the ticket is)."""
    return event({"reden": reason, "ticket": f"/tickets/{ticket_id}" if ticket_id else None}, "einde")


Produce = Callable[[], Tuple[List[str], bool]]
#: How often an open stream checks that its session still lives (and on every keep-alive).
SESSION_CHECK_SECONDS = 5.0


class ChangedChats:
    """Which chats got messages between two versions of the feed: asked by every chat stream
    of the process on each wake, answered with one query for all of them (the measurement
    found 20 streams each re-reading their chat on every message of any chat)."""

    def __init__(self, live: LiveStore) -> None:
        self.live = live
        self._answer: Tuple[Tuple[int, int], FrozenSet[int]] = ((-1, -1), frozenset())

    def between(self, since: int, upto: int) -> FrozenSet[int]:
        key, chats = self._answer
        if key != (since, upto):
            chats = frozenset(self.live.chats_with_messages(since, upto))
            self._answer = ((since, upto), chats)
        return chats


async def serve_events(
    request: Request, produce: Produce, concerns: Optional[Callable[[int, int], bool]] = None
) -> None:
    """Send what `produce()` (run in a thread: it reads the database) has, then again every
    time the LiveFeed sees a new message that `concerns(since, upto)` this stream (None: every
    message), and in full with every keep-alive comment when it is quiet (a message committed
    late is found then); until `produce` says it is done, the session ends, or the client goes
    (Sanic then cancels this handler)."""
    app = request.app
    token = request.cookies.get(SESSION_COOKIE)
    stream_headers = {**headers(), "X-Accel-Buffering": "no"}
    resp = await request.respond(headers=stream_headers, content_type="text/event-stream; charset=utf-8")
    task = asyncio.current_task()
    app.ctx.streams.add(task)
    try:
        await resp.send(f"retry: {RETRY_MS}\n\n")
        sent_at = checked_at = time.monotonic()
        session = await asyncio.to_thread(app.ctx.accounts.session, token)
        version, relevant = app.ctx.feed.version, True
        while True:
            if time.monotonic() - checked_at >= SESSION_CHECK_SECONDS:
                session = await asyncio.to_thread(app.ctx.accounts.session, token)
                checked_at = time.monotonic()
            if session is None:
                await resp.send(stopped("Je bent niet meer ingelogd. Log opnieuw in."))
                break
            if relevant:
                events, done = await asyncio.to_thread(produce)
                if events:
                    await resp.send("".join(events))
                    sent_at = time.monotonic()
                if done:
                    break
            quiet = time.monotonic() - sent_at
            since = version
            version = await app.ctx.feed.changed(since, max(0.1, KEEPALIVE_SECONDS - quiet))
            relevant = concerns is None or (
                version > since and await asyncio.to_thread(concerns, since, version)
            )
            if time.monotonic() - sent_at >= KEEPALIVE_SECONDS:
                relevant = True  # a full look with every keep-alive
                await resp.send(": nog verbonden\n\n")
                sent_at = time.monotonic()
                # A colleague with the live page open is at the desk: not idle for live chat
                # (store/presence.py). A closed tab stops this, and presence then expires.
                await asyncio.to_thread(presence.touch, app.ctx.accounts.engine, session.staff_id, now())
        await resp.eof()
    finally:
        app.ctx.streams.discard(task)


def last_event_id(request: Request) -> int:
    """Where a stream goes on from: the browser's Last-Event-ID after a reconnect, else ?na=."""
    for given in (request.headers.get("last-event-id"), request.args.get("na")):
        if given and given.isdigit():
            return min(int(given), 2**62)
    return 0


def chat_events(
    live: LiveStore, chat_id: int, me: int, after: List[Any], opened_at: int
) -> Tuple[List[str], bool]:
    """New messages of one chat after `after[0]` (moved on as they are sent), and whether the
    stream is over: the chat ended or stopped waiting, or it went to someone else.

    The stream opened when the member could read the chat, at message `opened_at` (its last
    message then; `after` starts at or before it, so no message is skipped). What came before
    is what the page shows too; after it, a claim by or a transfer to a colleague ends the
    stream there, and nothing written after it is sent."""
    chat = live.get(chat_id)
    if chat is None:
        return [stopped(NOT_FOUND)], True
    # A look back: on PostgreSQL a message can be committed after one with a higher id (the
    # user's on a Rasa process, the colleague's here); ids sent already are skipped (the page
    # also shows each id once).
    sent: set = after[1] if len(after) > 1 else set()
    batch = [m for m in live.messages(chat_id, max(0, after[0] - LOOKBACK_IDS)) if m["id"] not in sent]
    names = staff_names(live.engine, {m["staff_id"] for m in batch if m.get("staff_id")})
    out: List[str] = []
    for message in batch:
        handed_over = message["kind"] in (CLAIMED, TRANSFERRED) and message.get("staff_id") != me
        if handed_over and message["id"] > opened_at:
            if message["kind"] == CLAIMED:
                return [*out, stopped("Een collega heeft dit gesprek aangenomen.")], True
            return [*out, stopped("Dit gesprek is overgedragen aan een collega.")], True
        out.append(event(message_line(message, chat, names, me), event_id=message["id"]))
        after[0] = max(after[0], message["id"])
        sent.add(message["id"])
    if len(after) > 1:
        after[1] = {i for i in sent if i > after[0] - LOOKBACK_IDS}
    if not live.may_read(chat, me):
        return [*out, stopped(NOT_YOURS)], True
    if chat.status == ENDED:
        return [*out, stopped("Het gesprek is beëindigd.", chat.ticket_id)], True
    if chat.status in (TIMED_OUT, ABANDONED):
        return [*out, stopped("Het gesprek wacht niet meer.", chat.ticket_id)], True
    return out, False


async def chat_stream(request: Request, session, chat_id: int):
    """GET /live/<id>/stream: the conversation's new messages as they come."""
    chat, refused = readable(request, session, chat_id)
    if chat is None:
        return refused
    live = live_of(request, session)
    history = await asyncio.to_thread(live.messages, chat_id)
    opened_at = history[-1]["id"] if history else 0
    start = min(last_event_id(request), opened_at)
    # [the newest id sent, the ids sent within the look-back]; what the page had is not sent.
    after = [start, {m["id"] for m in history if m["id"] <= start}]
    await serve_events(
        request,
        lambda: chat_events(live, chat_id, session.staff_id, after, opened_at),
        lambda since, upto: chat_id in request.app.ctx.changed_chats.between(since, upto),
    )
    return None


def overview_events(live: LiveStore, me: int, last: List[str]) -> Tuple[List[str], bool]:
    """The list page's content when it changed (a wait time going up is no change: the
    script counts that itself)."""
    content = overview(live, me)
    key = json.dumps(
        {
            **content,
            "waiting": [
                {k: v for k, v in c.items() if not k.startswith("waited")} for c in content["waiting"]
            ],
        }
    )
    if key == last[0]:
        return [], False
    last[0] = key
    return [event(content)], False


async def overview_stream(request: Request, session):
    """GET /live/stream: the waiting chats and the member's own, whenever they change."""
    live, last = live_of(request, session), [""]
    await serve_events(request, lambda: overview_events(live, session.staff_id, last))
    return None


async def script(request: Request):
    """GET /static/live.js: the script of the live pages (no inline script under the CSP)."""
    return response.text(
        SCRIPT.read_text(encoding="utf-8"),
        content_type="text/javascript; charset=utf-8",
        headers={**headers(), "Cache-Control": "no-cache"},
    )


def stop_streams(tasks: Iterable[asyncio.Task]) -> None:
    """At shutdown: open streams end now rather than hold the server up."""
    for task in list(tasks):
        task.cancel()


CHAT = "/live/<chat_id:int>"
ROUTES = (
    Route("POST", "/beschikbaar", set_available, (STAFF,)),
    Route("GET", "/live", live_page, (STAFF,)),
    Route("GET", "/live/stream", overview_stream, (STAFF,)),
    Route("GET", CHAT, conversation, (STAFF,)),
    Route("GET", f"{CHAT}/stream", chat_stream, (STAFF,)),
    Route("POST", f"{CHAT}/aannemen", claim, (STAFF,)),
    Route("POST", f"{CHAT}/bericht", send, (STAFF,)),
    Route("POST", f"{CHAT}/einde", end, (STAFF,)),
    Route("POST", f"{CHAT}/overdragen", transfer, (STAFF,)),
    Route("GET", "/static/live.js", script),
)
bp = blueprint("live", ROUTES)
