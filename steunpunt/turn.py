"""One turn's context: who asks, through which channel, in which region, in which language.

Why one object: region, audience and client used to be re-read from message metadata at six
call sites, and the region travelled twice (its id and its facts) side by side. Now each
process builds one `TurnContext` per message, at the door:

- the Rasa server's channel guard (channels/guarded.py) builds it from the incoming message,
  before NLU, for its own replies (refused input, "try again later") and signals;
- the action server builds it once per action call from the tracker (actions/context.py)
  and passes it down to the decision, the rendering, the ticket and the signal.

Both use `build()`, so a new channel (live chat, WhatsApp) gets the same context by calling it
with its own channel name, never by copying the reading of metadata.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass, field
from typing import Any, Iterable, Mapping, Optional, Protocol, Sequence, Tuple

from steunpunt import settings
from steunpunt.audience import audience_from_metadata, audience_in_text
from steunpunt.clients import client_from_metadata
from steunpunt.language import other_language
from steunpunt.regions import resolve


class FactsSource(Protocol):
    """Anything that knows a region's facts (the content library does)."""

    def facts(self, region: Optional[str] = None) -> dict: ...


@dataclass(frozen=True)
class TurnContext:
    #: The channel the message came in on: "rest", "socketio", ...
    channel: Optional[str]
    #: The conversation (Rasa's sender id).
    sender_id: str
    #: The region's id (resolved: a known region, else the default region).
    region: str
    #: The region's facts (name, phone, e-mail, opening hours, ...), for texts and replies.
    facts: Mapping[str, str] = field(default_factory=dict)
    #: "ouder", "jongere" or None: declared by the client, remembered, or plain in the text.
    audience: Optional[str] = None
    #: A keyed hash of the client's address (steunpunt/clients.py), for limits.
    client: str = "onbekend"
    #: The language the message is plainly written in when that is not Dutch ("en", "tr", ...),
    #: else None (Dutch, too short, unclear, or a button).
    other_language: Optional[str] = None
    #: Which turn of the conversation this is (session start, number of user messages), so a
    #: retried turn gets the same signal id. Empty on the Rasa-server side.
    turn: Tuple[Any, ...] = ()


def is_button(text: Optional[str]) -> bool:
    """A payload our buttons send ("/info_tlv_wat_is"), not words a person typed."""
    return bool(text and text.startswith("/"))


def build(
    channel: Optional[str],
    sender_id: str,
    metadata: Optional[Mapping[str, Any]],
    library: FactsSource,
    text: Optional[str] = None,
    remembered_audience: Optional[str] = None,
    turn: Tuple[Any, ...] = (),
) -> TurnContext:
    """The context of one message. The audience is what the client declared with this message,
    else what the conversation remembered, else what the text plainly says."""
    region = resolve(metadata.get("region") if isinstance(metadata, Mapping) else None)
    typed = None if is_button(text) else text
    return TurnContext(
        channel=channel,
        sender_id=sender_id,
        region=region,
        facts=library.facts(region),
        audience=(audience_from_metadata(metadata) or remembered_audience or audience_in_text(typed)),
        client=client_from_metadata(metadata),
        other_language=other_language(typed) if typed else None,
        turn=turn,
    )


def turn_of(events: Iterable[Mapping[str, Any]]) -> Tuple[Any, int]:
    """Which turn of its conversation session a tracker's latest message is: (the session's
    start time, the number of user messages since), the key of `turn_signal_id`."""
    events = list(events)
    starts = [i for i, event in enumerate(events) if event.get("event") == "session_started"]
    first = starts[-1] if starts else 0  # Rasa sends a session's events; sessions restart the count
    session = events[first].get("timestamp") if events else None
    return session, sum(1 for event in events[first:] if event.get("event") == "user")


def turn_signal_id(sender_id: str, turn: Sequence[Any], kind: str, secret: Optional[bytes] = None) -> str:
    """The id of a turn's signal of `kind`, the same each time the turn is carried out.

    When a Rasa process dies after the action server registered a turn but before the turn was
    saved, the user's retry is the same turn again (same conversation session, same number of
    user messages in it): it gets the same id and is stored once. `turn` is `turn_of(events)`.
    The id is an HMAC with the deployment's secret, so ids of one conversation cannot be linked
    to each other or to the sender; erasing a ticket computes them again from its
    conversations (store/conversations.py) to blank those signals' texts."""
    session, number = turn
    digest = hmac.new(
        secret or settings.secret_key(),
        f"signal:{sender_id}:{session}:{number}:{kind}".encode(),
        hashlib.sha256,
    )
    return digest.hexdigest()[:32]
