"""What one turn leaves behind as a signal, and writing it without ever breaking the reply.

The action server calls `record` right where a turn's outcome is carried out (and the Rasa
server for input it refused before NLU). Text is kept only where the bot did not give a
confident answer, is redacted first, and is capped; answered turns keep no text at all.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from typing import Any, Dict, Iterable, Mapping, Optional, Sequence, Tuple

from signals.store import Signal, SignalStore
from steunpunt import settings
from steunpunt.turn import TurnContext, turn_signal_id
from store.tickets import hide_working_codes

log = logging.getLogger(__name__)

#: Replies to a question of the bot ("ja", "nee"): the question itself was in an earlier turn.
_BARE_REPLIES = {"affirm", "deny"}
#: Kinds of turns that mean an unmet question; their text is what analysts group.
UNMET_KINDS = ("handoff_offer", "handoff", "ticket", "feedback")


def kept_text(
    kind: str,
    reason: Optional[str],
    intent: Optional[str],
    text: Optional[str],
    question_before: Optional[str] = None,
) -> Optional[str]:
    """The user's words worth keeping for this turn (before redaction), or None.

    Kept: what was not understood, out of scope, ambiguous (clarify), being checked, "this did
    not help" in the user's own words, a request for a person, and the question behind a
    rejected clarification. Not kept: answers, small talk, bare yes/no and button payloads.
    """
    if kind == "handoff_offer" and reason == "clarify_rejected":
        return question_before
    if kind == "ticket":
        return text
    keeps = (
        kind in ("clarify", "handoff_offer")
        or (kind == "handoff" and reason == "asked")
        or (kind == "feedback" and reason == "negative")
    )
    if not keeps or intent in _BARE_REPLIES or not text or text.lstrip().startswith("/"):
        return None
    return text


def top_intents(ranking: Iterable[Mapping[str, Any]], limit: int = 3) -> Tuple[Dict[str, Any], ...]:
    ranked = sorted(ranking or [], key=lambda r: r.get("confidence") or 0.0, reverse=True)
    return tuple(
        {"intent": r.get("name"), "confidence": round(float(r.get("confidence") or 0.0), 3)}
        for r in ranked[:limit]
        if r.get("name")
    )


def signal_for(
    turn: TurnContext,
    kind: str,
    *,
    reason: Optional[str] = None,
    content_id: Optional[str] = None,
    candidates: Sequence[str] = (),
    ranking: Iterable[Mapping[str, Any]] = (),
    text: Optional[str] = None,
    ticket: Optional[str] = None,
) -> Signal:
    """The one way a turn becomes a signal: what happened (kind, reason, topic, candidates, the
    classifier's top intents), where (channel, region, audience) and the unredacted text worth
    keeping (`record` redacts it). A turn of the action server gets a stable id (retries are
    stored once, steunpunt.turn.turn_signal_id); a message refused at the door a random one."""
    return Signal(
        kind=kind,
        reason=reason,
        content_id=content_id,
        candidates=tuple(candidates),
        intents=top_intents(ranking),
        channel=turn.channel,
        audience=turn.audience,
        region=turn.region,
        ticket=ticket,
        text=text,
        id=turn_signal_id(turn.sender_id, turn.turn, kind) if turn.turn else None,
    )


_store: Optional[SignalStore] = None


def signal_store() -> SignalStore:
    global _store
    if _store is None:
        from store.db import engine_for

        _store = SignalStore(engine_for(settings.DATABASE_URL))
    return _store


def redacted(text: str) -> Optional[str]:
    """`text` redacted, or None when it cannot be redacted now.

    With settings.REDACTION_SOCKET (set by scripts/run.sh) the shared redaction worker does it,
    so this process never loads the ~1.1 GB of redaction tables (signals/redaction_worker.py);
    without it (tests, the command line) this process's own redactor does. When the worker is
    down, slow or fails, the answer is None and the signal is stored without its text: the raw
    text is never stored, and a masked text ("[tekst]") would tell analysts nothing while it
    would still be grouped and counted as a question. Everything else of the signal (kind,
    reason, topic, region, hour) is kept, so no count is lost."""
    if not settings.REDACTION_SOCKET:
        from signals.redact import redact

        return redact(text)
    from signals import redaction_worker

    try:
        return redaction_worker.redact(text, settings.REDACTION_SOCKET, settings.REDACTION_TIMEOUT_SECONDS)
    except redaction_worker.Unavailable as error:
        log.error("redaction worker unavailable (%s): signal stored without its text", error)
        return None


def record(signal: Signal, store: Optional[SignalStore] = None) -> bool:
    """Redact the text and store the signal. Never raises: a reply must not fail for a signal
    (the failure is logged, without the text). A text that cannot be redacted is left out,
    never stored as typed (`redacted`)."""
    try:
        store = store or signal_store()
        text = signal.text
        if text:
            text = redacted(text[: settings.MAX_MESSAGE_CHARS])
            if text is not None:
                text = hide_working_codes(text, store.engine)
        store.add(replace(signal, text=text))
        return True
    except Exception as error:  # noqa: BLE001
        log.error("signal not stored (kind %s): %s", signal.kind, type(error).__name__)
        return False
