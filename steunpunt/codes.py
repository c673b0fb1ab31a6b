"""Ticket codes: short, unguessable, easy to type; stored only as a keyed hash.

8 characters from 31 letters and digits (no 0/O, 1/I/L) give 31^8 ≈ 8.5e11 codes (~40 bits).
Only an HMAC with the deployment's secret key is stored, so a leaked database does not
reveal codes, and the lookup still works by hash.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from itertools import pairwise
from typing import List, Tuple

ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
LENGTH = 8
_SEPARATORS = re.compile(r"[\s\-_.]")
#: A code as the bot shows it, to find (and hide) it in texts.
SHOWN_CODE = re.compile(r"\b[" + ALPHABET + r"]{4}-[" + ALPHABET + r"]{4}\b")


def new_code() -> str:
    raw = "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))
    return f"{raw[:4]}-{raw[4:]}"


def normalise(text: str) -> str | None:
    """The code as typed ("abcd efgh", "ABCD-EFGH") in canonical form, or None if it is none."""
    candidate = _SEPARATORS.sub("", text or "").upper()
    if len(candidate) != LENGTH or any(ch not in ALPHABET for ch in candidate):
        return None
    return candidate


def code_hash(code: str, secret: bytes) -> str:
    return hmac.new(secret, code.encode(), hashlib.sha256).hexdigest()


#: Runs of letters and digits, and what may stand between the parts of one typed code.
_RUN = re.compile(r"[A-Za-z0-9]+")
_GAP = re.compile(r"[\s\-_.,/:|]{1,3}")
_JOINED = re.compile(r"[\-_.]+")  # a gap without a space: "k7.mp.q2.xd" is one word
#: "SP-234567" is a ticket number, not a code.
_TICKET_NUMBER = re.compile(r"SP[\s\-_.]*\d+", re.IGNORECASE)


def code_spans(text: str, every_spelling: bool = False) -> List[Tuple[int, int]]:
    """Where a ticket code may have been typed in a text: (start, end) pairs, merged.

    A code is 8 characters of ALPHABET in any case, in one run or split by separators as
    normalise() accepts them ("K7MP-Q2XD", "k7mp q2xd", "K7MPQ2XD", "k7.mp.q2.xd"), or as
    halves a reader could join ("K7MP/Q2XD"). Taken as a code when it has a digit (nine codes
    in ten do), or when it is written as shown: upper case, or two halves of four joined by a
    hyphen. A run of lower-case letters ("aanvraag",
    "deze week") is only taken with `every_spelling`, for checking against the real codes:
    too many Dutch words and word pairs are made of these letters to hide them all.

    With `every_spelling` (the callers check each span against the real codes by hash) a code
    split anywhere is a candidate too ("245 5UGGG", "24 55 ug gg": the code form takes those),
    and the spans are not merged, so that each candidate can be checked on its own."""
    text = text or ""
    runs = list(_RUN.finditer(text))
    found: List[Tuple[int, int]] = []
    for first in range(len(runs)):
        length, parts = 0, []
        for index in range(first, len(runs)):
            if index > first and not _GAP.fullmatch(text[runs[index - 1].end() : runs[index].start()]):
                break
            parts.append(runs[index])
            length += len(runs[index].group())
            if length >= LENGTH:
                break
        if length != LENGTH:
            continue
        start, end = parts[0].start(), parts[-1].end()
        typed = text[start:end]
        letters_digits = "".join(part.group() for part in parts)
        if any(ch not in ALPHABET for ch in letters_digits.upper()) or _TICKET_NUMBER.fullmatch(typed):
            continue
        gaps = [text[a.end() : b.start()] for a, b in pairwise(parts)]
        halves = [len(part.group()) for part in parts] == [4, 4]
        if not (halves or every_spelling) and not all(_JOINED.fullmatch(gap) for gap in gaps):
            continue  # "2 keer per": separate words are a code only as 4 + 4
        shown = (letters_digits.isupper() and (len(parts) == 1 or halves)) or (halves and gaps == ["-"])
        if every_spelling or any(ch.isdigit() for ch in letters_digits) or shown:
            found.append((start, end))
    if every_spelling:
        return sorted(found)
    merged: List[Tuple[int, int]] = []
    for start, end in sorted(found):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged
