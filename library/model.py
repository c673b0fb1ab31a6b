"""The content domain's model: topics, their sources and audiences, and how a topic is asked for.

Why its own package: the action server, the public site, the staff app and the Rasa server's
status endpoint all read the same vetted content. It used to live inside the Rasa action
adapter, so the Rasa-server side imported action code; now every process uses this package
and nothing of Rasa.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Optional, Tuple
from urllib.parse import urlparse

from steunpunt.audience import AUDIENCE_PARENT, AUDIENCE_YOUTH

TOPIC_INTENT_PREFIX = "info_"

#: The regional section: only in a region's files, shown under the answer as regional.
REGIONAL = "regio"
#: What of a topic a region replaced: the whole topic, or one audience's text.
WHOLE = "geheel"

#: School phases the pages group topics by, in reading order: id -> heading on the pages.
PHASES = {
    "po": "Basisonderwijs (PO)",
    "po-vo": "Overstap van basisschool naar middelbare school (PO-VO)",
    "vo": "Voortgezet onderwijs (VO)",
}

#: Sources must be official pages: national government, law texts, the bodies that passend
#: onderwijs law names, and the national information points. A subdomain counts too.
OFFICIAL_DOMAINS = (
    "rijksoverheid.nl",
    "overheid.nl",
    "officielebekendmakingen.nl",
    "eerstekamer.nl",
    "tweedekamer.nl",
    "rechtspraak.nl",
    "passendonderwijs.nl",
    "oudersenonderwijs.nl",
    "onderwijsconsulenten.nl",
    "onderwijsgeschillen.nl",
    "onderwijsinspectie.nl",
    "autoriteitpersoonsgegevens.nl",
    "duo.nl",
    "nji.nl",
    # the national quality institute for the dyslexia care that gemeenten pay for under the
    # Jeugdwet: it states who qualifies (basisschool pupils with severe dyslexia)
    "nkd.nl",
)


def is_official(url: str) -> bool:
    host = (urlparse(url).hostname or "").lower()
    return any(host == domain or host.endswith("." + domain) for domain in OFFICIAL_DOMAINS)


def intent_for_topic(topic_id: str) -> str:
    """The NLU intent that asks for a topic: `tlv-wat-is` -> `info_tlv_wat_is`."""
    return TOPIC_INTENT_PREFIX + topic_id.replace("-", "_")


def topic_for_intent(intent: Optional[str]) -> Optional[str]:
    """The topic id an intent asks for, or None when the intent is not a topic question."""
    if not intent or not intent.startswith(TOPIC_INTENT_PREFIX):
        return None
    return intent[len(TOPIC_INTENT_PREFIX) :].replace("_", "-")


class ContentError(ValueError):
    """A content file breaks the rules; the message says what to fix, in plain words."""


@dataclass(frozen=True)
class Source:
    title: str
    url: str


@dataclass(frozen=True)
class Topic:
    id: str
    title: str
    label: str
    sources: Tuple[Source, ...]
    reviewed_on: date
    review_by: date
    parent_text: str
    youth_text: Optional[str]
    phases: Tuple[str, ...] = ()
    related: Tuple[str, ...] = ()
    #: The region this version is for, and what in it is regional: WHOLE, an audience whose
    #: text the region replaced, and/or REGIONAL (an added "## In onze regio" section).
    region: Optional[str] = None
    regional_parts: Tuple[str, ...] = ()
    regional_text: Optional[str] = None

    def text_for(self, audience: Optional[str]) -> str:
        """The youth wording for youths where one exists, else the parents' text."""
        if audience == AUDIENCE_YOUTH and self.youth_text:
            return self.youth_text
        return self.parent_text

    def is_regional_for(self, audience: Optional[str]) -> bool:
        """Whether the text a reader of `audience` gets was written by the region."""
        shown = AUDIENCE_YOUTH if audience == AUDIENCE_YOUTH and self.youth_text else AUDIENCE_PARENT
        return WHOLE in self.regional_parts or shown in self.regional_parts

    def is_overdue(self, today: date) -> bool:
        """Past its review-by date the answer may be outdated and is not served as fact."""
        return today > self.review_by
