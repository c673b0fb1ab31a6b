"""Seal a value that must wait in Rasa's tracker store between two turns, so it is not there in
plain text.

A parent's description of their situation is asked before their contact data, so it has to
survive one turn in the tracker store. It is stored sealed: encrypted and authenticated with a
key derived from the deployment's secret (Fernet), readable only by our own processes, and only
for `LIFETIME` after it was typed. A dump of the tracker database shows no story; a sealed value
that is older than a day reads as nothing, so a forgotten conversation keeps nothing readable.
"""

from __future__ import annotations

import base64
from typing import Optional, TypeGuard

from cryptography.fernet import Fernet, InvalidToken

from steunpunt import settings

PREFIX = "sealed:v1:"
#: How long a sealed value can be read back (seconds).
LIFETIME = 24 * 3600


def _fernet() -> Fernet:
    raw = bytes.fromhex(settings.derived_token("tracker-seal"))  # 32 bytes
    return Fernet(base64.urlsafe_b64encode(raw))


def is_sealed(value: object) -> TypeGuard[str]:
    return isinstance(value, str) and value.startswith(PREFIX)


def seal(value: str) -> str:
    """`value` encrypted, marked so that it is never sealed twice."""
    if is_sealed(value):
        return value
    return PREFIX + _fernet().encrypt(value.encode("utf-8")).decode("ascii")


def unseal(value: Optional[str]) -> Optional[str]:
    """The plain value of a sealed one (None when too old or not ours); other values as they are:
    within the turn the value was typed, the tracker in memory still holds it in plain text."""
    if not is_sealed(value):
        return value
    try:
        return _fernet().decrypt(value[len(PREFIX) :].encode("ascii"), ttl=LIFETIME).decode("utf-8")
    except (InvalidToken, ValueError):
        return None
