"""Is a message plainly written in another language than Dutch?

The assistant answers in Dutch only (vetted content in other languages is planned; the turn
context carries the language for it: steunpunt/turn.py). A question in English, Turkish,
Polish, Arabic or Ukrainian gets a short reply in those languages that the assistant speaks
Dutch, and the offer of a person, instead of a Dutch answer the reader may not understand or a
misunderstood guess. The rule is cautious: a short
message, mixed words or anything unsure counts as Dutch, so a Dutch question is never refused.
"""

from __future__ import annotations

import re
from typing import Optional

DUTCH = "nl"
_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)
#: Frequent function words; none of them is also a common Dutch word.
_FUNCTION_WORDS = {
    "nl": set(
        "de het een en van ik je jij mijn is wat hoe waar wie niet dat die er op te met voor "
        "zijn aan kan moet wil naar ook maar dan als bij nog al wel geen of om over ze we "
        "heeft hebben kind zoon dochter school".split()
    ),
    "en": set(
        "the what how where who my your you is are can does do i to of and for with "
        "this that please child son daughter not have has would should need".split()
    ),
    "tr": set(
        "bir ve bu ne nasıl için benim çocuğum okul okulu mı mi mu mü var yok ile ama "
        "değil çok nerede neden oğlum kızım lütfen".split()
    ),
    "pl": set(
        "jest nie się jak co czy moje mój moja dziecko syn córka szkoła szkole gdzie "
        "dlaczego proszę mam ma być który która".split()
    ),
}
_SCRIPTS = {"ar": re.compile(r"[\u0600-\u06ff]"), "uk": re.compile(r"[\u0400-\u04ff]")}
MIN_WORDS = 3


def other_language(text: Optional[str]) -> Optional[str]:
    """The code of the language a message is plainly written in, when that is not Dutch
    ("en", "tr", "pl", "ar", "uk"); None when it is Dutch, too short or unclear."""
    text = text or ""
    letters = [ch for ch in text if ch.isalpha()]
    if len(letters) < 6:
        return None
    for code, script in _SCRIPTS.items():
        if sum(bool(script.match(ch)) for ch in letters) >= 0.5 * len(letters):
            return code
    words = [word.casefold() for word in _WORD.findall(text)]
    if len(words) < MIN_WORDS:
        return None
    hits = {code: sum(word in vocabulary for word in words) for code, vocabulary in _FUNCTION_WORDS.items()}
    best = max((code for code in hits if code != DUTCH), key=lambda code: hits[code])
    if hits[best] >= 2 and hits[best] >= 2 * hits[DUTCH] and hits[best] >= 0.3 * len(words):
        return best
    return None
