"""Who the bot is talking to: a parent (`ouder`) or a youth (`jongere`).

The website widget sends `{"audience": "ouder"|"jongere"}` as message metadata. Otherwise the
text often says it plainly ("mijn zoon", "ik zit in 2 havo"); only when it does not, the bot
asks once, when an answer has a youth wording, and remembers the reply in a slot. Pure
functions on text and metadata: the turn context (steunpunt/turn.py) uses them on either side
of Rasa, and nothing here knows Rasa.
"""

from __future__ import annotations

import re
from typing import Any, Mapping, Optional

#: Who the bot talks to. The content's sections use the same names (library/model.py).
AUDIENCE_PARENT = "ouder"
AUDIENCE_YOUTH = "jongere"
AUDIENCES = (AUDIENCE_PARENT, AUDIENCE_YOUTH)


def audience_from_metadata(metadata: Any) -> Optional[str]:
    """The audience the client declared, or None when it sent nothing valid."""
    if not isinstance(metadata, Mapping):
        return None
    value = metadata.get("audience")
    return value if value in AUDIENCES else None


#: Plain statements of a parent about their child, or of a pupil about themselves. Only
#: first-person phrases count: "zijn mentor" or "de moeder van" say nothing about the writer.
_CHILD = (
    r"zoon|dochter|kind|kinderen|kindje|pleegkind|pleegzoon|pleegdochter|stiefzoon|"
    r"stiefdochter|jongste|oudste"
)
PARENT_SAYS = re.compile(
    rf"\b(?:mijn|m'n|mn|ons|onze)\s+(?:{_CHILD})\b"
    r"|\bik ben (?:de |een |zijn |haar )?(?:moeder|vader|ouder|mama|papa|verzorger|voogd|pleegouder)\b"
    r"|\b(?:wij|ik) als ouders?\b",
    re.IGNORECASE,
)
YOUTH_SAYS = re.compile(
    r"\bik zit (?:nu )?in (?:groep|klas|de brugklas|\d)"
    r"|\bik zit op (?:de |het |een )?(?:basisschool|middelbare|vmbo|mavo|havo|vwo|gymnasium|sbo|so|vso|"
    r"praktijkonderwijs|school)\b"
    r"|\bmijn (?:mentor|juf|meester|leraar|lerares|docent|ouders|moeder|vader|mama|papa)\b"
    r"|\bik ben (?:een )?(?:leerling|scholier|jongere|brugklasser)\b|\bik ben \d{1,2}(?: jaar)?\b",
    re.IGNORECASE,
)


def audience_in_text(text: Optional[str]) -> Optional[str]:
    """The audience a message states plainly, or None (also when it seems to say both)."""
    parent, youth = bool(PARENT_SAYS.search(text or "")), bool(YOUTH_SAYS.search(text or ""))
    if parent == youth:
        return None
    return AUDIENCE_PARENT if parent else AUDIENCE_YOUTH


def audience_in_reply(text: Optional[str]) -> Optional[str]:
    """A reply to "ouder of leerling?": a plain statement, or just the word ('moeder', 'klas 2')."""
    stated = audience_in_text(text)
    if stated:
        return stated
    words = (text or "").lower()
    if re.search(r"ouder|moeder|vader|mama|papa|verzorger|voogd", words):
        return AUDIENCE_PARENT
    if re.search(r"leerling|jongere|scholier|student|\bklas\b|\bgroep\b|ik ben \d+", words):
        return AUDIENCE_YOUTH
    return None
