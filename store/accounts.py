"""Staff accounts and login sessions.

Passwords are hashed with argon2id. A session is a random token in an HttpOnly cookie; the
database keeps only its SHA-256, plus a per-session CSRF token that every form must echo.
"""
from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import Optional

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, insert, select
from sqlalchemy.engine import Engine

from store import throttle
from store.schema import ROLES, staff, staff_sessions
from store.tickets import now

_hasher = PasswordHasher()
LOGIN_FREE_FAILURES = 5
MIN_PASSWORD_LENGTH = 12


@dataclass(frozen=True)
class Session:
    staff_id: int
    username: str
    csrf_token: str
    role: str = ROLES[0]


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class Accounts:
    def __init__(self, engine: Engine, session_hours: int = 8) -> None:
        self.engine = engine
        self.session_length = timedelta(hours=session_hours)

    def create(self, username: str, password: str, role: str = ROLES[0]) -> int:
        """A new account. Roles: `medewerker` (tickets, contact data) or `analist` (signals,
        figures and redacted transcripts, never contact data or codes)."""
        username = username.strip()
        if not username or len(username) > 80:
            raise ValueError("gebruikersnaam is leeg of te lang")
        if role not in ROLES:
            raise ValueError(f"onbekende rol {role!r}: kies uit {', '.join(ROLES)}")
        if len(password) < MIN_PASSWORD_LENGTH:
            raise ValueError(f"wachtwoord moet minstens {MIN_PASSWORD_LENGTH} tekens hebben")
        with self.engine.begin() as connection:
            if connection.execute(select(staff.c.id).where(staff.c.username == username)).first():
                raise ValueError(f"gebruiker {username!r} bestaat al")
            result = connection.execute(insert(staff).values(
                username=username, password_hash=_hasher.hash(password), created_at=now(),
                role=role))
            return result.inserted_primary_key[0]

    def login_wait(self, username: str, client: str) -> int:
        """Seconds before another login may be tried for this name or from this address."""
        stamp = now()
        return max(throttle.wait_seconds(self.engine, f"login:{username.lower()}", LOGIN_FREE_FAILURES, stamp),
                   throttle.wait_seconds(self.engine, f"login-ip:{client}", LOGIN_FREE_FAILURES * 4, stamp))

    def login(self, username: str, password: str, client: str) -> Optional[str]:
        """A new session token when name and password match; None otherwise (and counted)."""
        with self.engine.connect() as connection:
            row = connection.execute(select(staff).where(staff.c.username == username.strip())).first()
        try:
            valid = row is not None and _hasher.verify(row.password_hash, password)
        except (VerificationError, InvalidHashError):
            valid = False
        stamp = now()
        if not valid:
            throttle.record_failure(self.engine, f"login:{username.lower()}", stamp)
            throttle.record_failure(self.engine, f"login-ip:{client}", stamp)
            return None
        throttle.reset(self.engine, f"login:{username.lower()}")
        token = secrets.token_urlsafe(32)
        with self.engine.begin() as connection:
            connection.execute(delete(staff_sessions).where(staff_sessions.c.expires_at < stamp))
            connection.execute(insert(staff_sessions).values(
                token_hash=_digest(token), staff_id=row.id, csrf_token=secrets.token_urlsafe(32),
                expires_at=stamp + self.session_length))
        return token

    def session(self, token: Optional[str]) -> Optional[Session]:
        if not token:
            return None
        with self.engine.connect() as connection:
            row = connection.execute(
                select(staff_sessions, staff.c.username, staff.c.role)
                .select_from(staff_sessions.join(staff, staff_sessions.c.staff_id == staff.c.id))
                .where(staff_sessions.c.token_hash == _digest(token))).first()
        if row is None or row.expires_at < now():
            return None
        return Session(staff_id=row.staff_id, username=row.username, csrf_token=row.csrf_token,
                       role=row.role)

    def logout(self, token: str) -> None:
        with self.engine.begin() as connection:
            connection.execute(delete(staff_sessions).where(staff_sessions.c.token_hash == _digest(token)))
