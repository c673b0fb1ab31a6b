"""Staff accounts and login sessions.

Passwords are hashed with argon2id. A session is a random token in an HttpOnly cookie; the
database keeps only its SHA-256, plus a per-session CSRF token that every form must echo.
"""
from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import FrozenSet, Iterable, Optional

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, insert, select, update
from sqlalchemy.engine import Engine

from store import throttle
from store.schema import ROLES, audit_log, staff, staff_sessions
from steunpunt.clock import now

_hasher = PasswordHasher()
LOGIN_FREE_FAILURES = 5
MIN_PASSWORD_LENGTH = 12


@dataclass(frozen=True)
class Session:
    staff_id: int
    username: str
    csrf_token: str
    role: str = ROLES[0]
    #: The regions whose tickets and signals this account may see; None: every region.
    regions: Optional[FrozenSet[str]] = None

    def sees(self, region: Optional[str]) -> bool:
        return self.regions is None or region in self.regions


#: Checked against when the name is unknown, so that a wrong name takes as long as a wrong password.
_DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(16))


def normalise_name(username: str) -> str:
    """The one form of a user name, for creating, looking up and throttling accounts."""
    return username.strip()


def _name_key(username: str) -> str:
    return "login:" + normalise_name(username).casefold()


ALL_REGIONS = "*"


def regions_field(regions: Optional[Iterable[str]]) -> str:
    """How an account's regions are stored: "*" for all (a national role), else "a,b"."""
    if regions is None:
        return ALL_REGIONS
    from steunpunt.regions import REGION_ID

    chosen = sorted({region.strip() for region in regions if region.strip()})
    if not chosen or not all(REGION_ID.fullmatch(region) for region in chosen):
        raise ValueError("noem een of meer geldige regio's (kleine letters, cijfers, streepjes)")
    return ",".join(chosen)


def parse_regions(field: str) -> Optional[FrozenSet[str]]:
    return None if field == ALL_REGIONS else frozenset(filter(None, field.split(",")))


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class Accounts:
    def __init__(self, engine: Engine, session_hours: int = 8) -> None:
        self.engine = engine
        self.session_length = timedelta(hours=session_hours)

    def create(self, username: str, password: str, role: str = ROLES[0],
               regions: Optional[Iterable[str]] = ()) -> int:
        """A new account. Roles: `medewerker` (tickets, contact data) or `analist` (signals,
        figures and redacted transcripts, never contact data or codes). `regions`: the regions
        it sees (empty: the default region only; None: all, a national role)."""
        if regions is not None and not list(regions):
            from steunpunt import settings

            regions = [settings.DEFAULT_REGION]
        username = normalise_name(username)
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
                role=role, regions=regions_field(regions)))
            return result.inserted_primary_key[0]

    def login_wait(self, username: str, client: str) -> int:
        """Seconds before another login may be tried for this name or from this address."""
        stamp = now()
        return max(throttle.wait_seconds(self.engine, _name_key(username), LOGIN_FREE_FAILURES, stamp),
                   throttle.wait_seconds(self.engine, f"login-ip:{client}", LOGIN_FREE_FAILURES * 4, stamp))

    def login(self, username: str, password: str, client: str) -> Optional[str]:
        """A new session token when name and password match; None otherwise (and counted).

        The name is normalised once (`normalise_name`) for both the lookup and the throttle, and
        an unknown name costs the same hash check as a known one, so timing reveals nothing."""
        name = normalise_name(username)
        with self.engine.connect() as connection:
            row = connection.execute(select(staff).where(staff.c.username == name)).first()
        try:
            valid = _hasher.verify(row.password_hash if row else _DUMMY_HASH, password) and row is not None
        except (VerificationError, InvalidHashError):
            valid = False
        stamp = now()
        if valid and row.disabled_at is not None:
            valid = False
        if not valid:
            throttle.record_failure(self.engine, _name_key(name), stamp)
            throttle.record_failure(self.engine, f"login-ip:{client}", stamp)
            return None
        throttle.reset(self.engine, _name_key(name))
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
                select(staff_sessions, staff.c.username, staff.c.role, staff.c.regions)
                .select_from(staff_sessions.join(staff, staff_sessions.c.staff_id == staff.c.id))
                .where(staff_sessions.c.token_hash == _digest(token),
                       staff.c.disabled_at.is_(None))).first()
        if row is None or row.expires_at < now():
            return None
        return Session(staff_id=row.staff_id, username=row.username, csrf_token=row.csrf_token,
                       role=row.role, regions=parse_regions(row.regions))

    def set_regions(self, username: str, regions: Optional[Iterable[str]]) -> None:
        """Which regions an account sees from now on (None: all). Audited."""
        field = regions_field(regions)
        with self.engine.begin() as connection:
            staff_id = self._id(connection, username)
            connection.execute(update(staff).where(staff.c.id == staff_id).values(regions=field))
            self._audit(connection, "regio's", f"{normalise_name(username)}: {field}")

    def disable(self, username: str) -> None:
        """No more logins for this account, and its open sessions end now. Audited."""
        self._set_disabled(username, now())

    def enable(self, username: str) -> None:
        self._set_disabled(username, None)

    def revoke_sessions(self, username: str) -> int:
        """End every session of this account (e.g. a lost laptop). Audited; returns how many."""
        with self.engine.begin() as connection:
            staff_id = self._id(connection, username)
            ended = connection.execute(delete(staff_sessions)
                                       .where(staff_sessions.c.staff_id == staff_id)).rowcount
            self._audit(connection, "sessies ingetrokken", f"{normalise_name(username)}: {ended}")
        return ended

    def _set_disabled(self, username: str, stamp) -> None:
        with self.engine.begin() as connection:
            staff_id = self._id(connection, username)
            connection.execute(update(staff).where(staff.c.id == staff_id).values(disabled_at=stamp))
            connection.execute(delete(staff_sessions).where(staff_sessions.c.staff_id == staff_id))
            self._audit(connection, "account uit" if stamp else "account aan", normalise_name(username))

    @staticmethod
    def _id(connection, username: str) -> int:
        found = connection.execute(select(staff.c.id).where(
            staff.c.username == normalise_name(username))).scalar_one_or_none()
        if found is None:
            raise ValueError(f"gebruiker {normalise_name(username)!r} bestaat niet")
        return found

    @staticmethod
    def _audit(connection, action: str, detail: str) -> None:
        connection.execute(insert(audit_log).values(staff_id=None, action=action, ticket_id=None,
                                                    detail=detail, created_at=now()))

    def logout(self, token: str) -> None:
        with self.engine.begin() as connection:
            connection.execute(delete(staff_sessions).where(staff_sessions.c.token_hash == _digest(token)))
