"""Staff accounts and login sessions.

Passwords are hashed with argon2id. A session is a random token in an HttpOnly cookie; the
database keeps only its SHA-256, plus a per-session CSRF token that every form must echo.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import FrozenSet, Iterable, List, Optional

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, insert, select, update
from sqlalchemy.engine import Engine

from steunpunt.clients import limited_network
from steunpunt.clock import now
from store import throttle
from store.schema import ROLES, audit_log, staff, staff_presence, staff_sessions

_hasher = PasswordHasher()
#: Failed logins before each further try must wait (store/throttle.py): for one name from one
#: address, and for one name from everywhere (which holds back only addresses that failed lately).
#: An address is what the other limits count as one client: an IPv6 address counts as its /64.
LOGIN_FREE_FAILURES = 5
#: ... and from one address, whatever the names (a colleague's typo is not a guesser).
LOGIN_FREE_FAILURES_PER_ADDRESS = LOGIN_FREE_FAILURES * 4
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


def _pair_key(username: str, client: str) -> str:
    return "login-from:" + json.dumps([normalise_name(username).casefold(), limited_network(client)])


def _address_key(client: str) -> str:
    return f"login-ip:{limited_network(client)}"


def _limits(username: str, client: str) -> List[throttle.Limit]:
    """Three counts hold a guesser back: this name from this address, this address for any
    name, and this name from everywhere. The last one holds back only an address that failed
    lately itself: guesses spread over many addresses get one try each once the name is
    locked, while the account's owner, from an address without failures, is never locked out
    by someone else's guessing."""
    address = _address_key(client)
    return [
        throttle.Limit(_pair_key(username, client), LOGIN_FREE_FAILURES),
        throttle.Limit(address, LOGIN_FREE_FAILURES_PER_ADDRESS),
        throttle.Limit(_name_key(username), LOGIN_FREE_FAILURES, when_failed=address),
    ]


@dataclass(frozen=True)
class LoginResult:
    #: The new session's token; None: no session (wrong, disabled or held back).
    token: Optional[str]
    #: > 0: too many failed logins, the password was not checked; wait this many seconds.
    wait: int = 0


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

    def create(
        self, username: str, password: str, role: str = ROLES[0], regions: Optional[Iterable[str]] = ()
    ) -> int:
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
            result = connection.execute(
                insert(staff).values(
                    username=username,
                    password_hash=_hasher.hash(password),
                    created_at=now(),
                    role=role,
                    regions=regions_field(regions),
                )
            )
            return result.inserted_primary_key[0]

    def login_wait(self, username: str, client: str) -> int:
        """Seconds before this name may be tried again from this address (see `_limits`)."""
        return throttle.wait_for(self.engine, _limits(username, client), now())

    def login(self, username: str, password: str, client: str) -> Optional[str]:
        """A new session token when name and password match; None otherwise (see `try_login`)."""
        return self.try_login(username, password, client).token

    def try_login(self, username: str, password: str, client: str) -> LoginResult:
        """A new session when name and password match and the limits (`_limits`) let the
        attempt through.

        The attempt is counted as a failure before the password is checked, in one step with
        checking the waits (`throttle.claim`), and taken back when it succeeds: requests sent at
        once cannot all pass a check that none of them has counted yet. The name is normalised
        once (`normalise_name`) for both the lookup and the throttle, and an unknown name costs
        the same hash check as a known one, so timing reveals nothing."""
        name = normalise_name(username)
        limits = _limits(name, client)
        wait = throttle.claim(self.engine, limits, now())
        if wait:
            return LoginResult(token=None, wait=wait)
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
            return LoginResult(token=None)
        # Only this address's count for the name starts again: the name's own count stays
        # (less this attempt), or each login of the owner would give guessers elsewhere five
        # fresh tries.
        pair, address, name_limit = limits
        throttle.reset(self.engine, pair.key)
        throttle.forgive(self.engine, address.key)
        throttle.forgive(self.engine, name_limit.key)
        token = secrets.token_urlsafe(32)
        with self.engine.begin() as connection:
            connection.execute(delete(staff_sessions).where(staff_sessions.c.expires_at < stamp))
            connection.execute(
                insert(staff_sessions).values(
                    token_hash=_digest(token),
                    staff_id=row.id,
                    csrf_token=secrets.token_urlsafe(32),
                    expires_at=stamp + self.session_length,
                )
            )
        return LoginResult(token=token)

    def session(self, token: Optional[str]) -> Optional[Session]:
        if not token:
            return None
        with self.engine.connect() as connection:
            row = connection.execute(
                select(staff_sessions, staff.c.username, staff.c.role, staff.c.regions)
                .select_from(staff_sessions.join(staff, staff_sessions.c.staff_id == staff.c.id))
                .where(staff_sessions.c.token_hash == _digest(token), staff.c.disabled_at.is_(None))
            ).first()
        if row is None or row.expires_at < now():
            return None
        return Session(
            staff_id=row.staff_id,
            username=row.username,
            csrf_token=row.csrf_token,
            role=row.role,
            regions=parse_regions(row.regions),
        )

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
            ended = connection.execute(
                delete(staff_sessions).where(staff_sessions.c.staff_id == staff_id)
            ).rowcount
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
        found = connection.execute(
            select(staff.c.id).where(staff.c.username == normalise_name(username))
        ).scalar_one_or_none()
        if found is None:
            raise ValueError(f"gebruiker {normalise_name(username)!r} bestaat niet")
        return found

    @staticmethod
    def _audit(connection, action: str, detail: str) -> None:
        connection.execute(
            insert(audit_log).values(
                staff_id=None, action=action, ticket_id=None, detail=detail, created_at=now()
            )
        )

    def logout(self, token: str) -> None:
        """End this session; the member is no longer available for live chat either."""
        with self.engine.begin() as connection:
            staff_id = connection.execute(
                select(staff_sessions.c.staff_id).where(staff_sessions.c.token_hash == _digest(token))
            ).scalar_one_or_none()
            connection.execute(delete(staff_sessions).where(staff_sessions.c.token_hash == _digest(token)))
            if staff_id is not None:
                connection.execute(delete(staff_presence).where(staff_presence.c.staff_id == staff_id))
