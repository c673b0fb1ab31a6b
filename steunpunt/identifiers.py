"""Identifiers in free text that no store may keep readable, found without heavy models.

Used where a text is stored: Rasa's tracker store (store/tracker_store.py) replaces ticket
codes, phone numbers and e-mail addresses in every user message, and the redaction of signals
(signals/redact.py) adds @-handles and disguised e-mail addresses to its own rules. Both look
at `detection_view()` of a text first, so full-width digits ("０６１２…"), other scripts'
digits, odd dashes and invisible characters do not hide anything.
"""

from __future__ import annotations

import re
import unicodedata
from typing import List, Tuple

from steunpunt.codes import code_spans

Span = Tuple[int, int, str]

#: The endings of most addresses parents use; only these may stand after a dot with spaces
#: around it ("pietjepuk @ gmail . com"), so a sentence's full stop is not taken for one.
_COMMON_TLD = r"(?:com|nl|be|de|net|org|eu|info|fr|pl|tr|ua|ma|cw|sr|uk|co\.uk|es|it|live|online)\b"
#: Plain e-mail addresses ("ouder@voorbeeld.nl", also with spaces on both sides of the @ or
#: after it, or around the last dot before a common ending). A space before the @ alone
#: ("gepest door @thijs.pf") starts a handle: taking it for an address would swallow the word
#: before it.
EMAIL = re.compile(
    r"[\w.+-]+(?:@\s?|\s@\s)[\w-]+(?:\.[\w-]+)*(?:\.[A-Za-z]{2,}|\s\.\s?"
    + _COMMON_TLD
    + r"|\.\s"
    + _COMMON_TLD
    + r")"
)
#: E-mail written so that machines would not see it: "info [at] voorbeeld [dot] nl",
#: "info(at)voorbeeld(punt)nl", "info at voorbeeld dot nl", "info apenstaartje voorbeeld.nl".
_AT = (
    r"(?:\s*[\[({<]\s*(?:at|@|apenstaartje|apestaartje)\s*[\])}>]\s*"
    r"|\s+(?:at|apenstaartje|apestaartje)\s+)"
)
_DOT = r"(?:\s*[\[({<]\s*(?:dot|punt|\.)\s*[\])}>]\s*|\s+(?:dot|punt)\s+|\.)"
#: The part before the at may be disguised too: "anna dot jansen at outlook dot com".
DISGUISED_EMAIL = re.compile(
    r"[\w+-]+(?:" + _DOT + r"[\w+-]+)*" + _AT + r"[\w-]+(?:" + _DOT + r"[\w-]+)*" + _DOT + r"[A-Za-z]{2,6}\b",
    re.IGNORECASE,
)
#: What may stand between the digits of an international number: nothing, a space, a dot, a
#: hyphen or a slash, the last two with spaces around them ("+31 6 - 4129 3387",
#: "+49 (0)171 / 482 93 07").
_PHONE_GAP = r"(?:\s?[-/]\s?|[\s.])?"
#: After a Dutch area code also a slash or a hyphen with spaces ("06 - 4129 3387",
#: "020 / 612 34 56", "0522/471239"), ten digits in all; only there, so a date range
#: ("06/07/2024 - 08/07/2024") stays a date range.
_AREA_GAP = r"\s?[-/]\s?"
#: Phone numbers: Dutch (06-12345678, 020 123 4567, +31 6 1234 5678, (038) 4211234,
#: 020 / 612 34 56) and international with + or 00 and any grouping (+32 470 12 34 56,
#: +49 151 23456789, +212 6 12 34 56 78, +599 9 123 4567, 0049 30 1234567, (0031) 6 ...,
#: +90(532)4187709): parents who moved here keep their old number. Also what
#: signals/redact.py uses, so the tracker store and the signals agree.
PHONE = re.compile(
    r"(?<![\w+])(?:"
    r"(?:(?:\+|00)\s?[1-9]\d{0,2}|\(\s?(?:\+|00)[1-9]\d{0,2}\s?\))[\s.-]?(?:\(0\)[\s.-]?)?"
    r"(?:\(\d{1,4}\)\s?)?\d(?:" + _PHONE_GAP + r"\d){6,12}"
    r"|\(0\d{2,3}\)[\s.-]?\d(?:[\s.-]?\d){5,6}"
    r"|0\d(?:[\s.-]?\d){8}"
    r"|0\d" + _AREA_GAP + r"\d(?:[\s.-]?\d){7}"
    r"|0\d{2}" + _AREA_GAP + r"\d(?:[\s.-]?\d){6}"
    r"|0\d{3}" + _AREA_GAP + r"\d(?:[\s.-]?\d){5}"
    r")(?!\d)"
)
#: @-handles of social media ("@sanne_2010"), not the @ of an e-mail address.
HANDLE = re.compile(r"(?<![\w.@+-])@[A-Za-z0-9_](?:[A-Za-z0-9_.]{0,28}[A-Za-z0-9_])?(?:#\d{1,6}(?!\w))?")


def _view_char(char: str) -> str:
    digit = unicodedata.decimal(char, None)
    if digit is not None:
        return str(digit)
    category = unicodedata.category(char)
    if category == "Pd":
        return "-"
    if category in ("Zs", "Cf", "Cc") and char not in "\n\t":
        return " "
    folded = unicodedata.normalize("NFKC", char)
    return folded if len(folded) == 1 else char


def detection_view(text: str) -> str:
    """The text as patterns should see it, character for character (same length, so spans
    found in it apply to the text itself): NFKC per character (full-width forms), every
    script's digits as 0-9, dashes as '-', spaces and invisible characters as ' '."""
    if text.isascii():
        return text
    return "".join(_view_char(char) for char in text)


def contact_spans(text: str) -> List[Span]:
    """Ticket codes, e-mail addresses and phone numbers in the text (its detection view)."""
    view = detection_view(text)
    spans = [(s, e, "code") for s, e in code_spans(view)]
    spans += [
        (m.start(), m.end(), "email") for pattern in (EMAIL, DISGUISED_EMAIL) for m in pattern.finditer(view)
    ]
    spans += [(m.start(), m.end(), "telefoon") for m in PHONE.finditer(view)]
    return spans


def replace_spans(text: str, spans: List[Span]) -> str:
    """Each span replaced by `[kind]`; overlapping spans become one (the first kind)."""
    out, position = [], 0
    for start, end, kind in sorted(spans):
        if start < position:  # overlaps the one before: cover the rest too
            if end > position:
                position = end
            continue
        out.append(text[position:start])
        out.append(f"[{kind}]")
        position = end
    out.append(text[position:])
    return "".join(out)


def hide_codes(text: str) -> str:
    """The text with every ticket code replaced by [code]."""
    if not text:
        return text
    return replace_spans(text, [(s, e, "code") for s, e in code_spans(detection_view(text))])


def scrub_contact(text: str) -> str:
    """The text without ticket codes, e-mail addresses and phone numbers."""
    if not text:
        return text
    return replace_spans(text, contact_spans(text))
