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
