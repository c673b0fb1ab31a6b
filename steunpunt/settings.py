"""Every setting of the product, in one typed object read from the environment once.

Why one home: settings used to be read where they were used (the grouping thresholds in
signals/, the redactor warm-up in actions/, defaults repeated in run scripts). Here each
setting is a field of `Settings` with its type, its default and a comment that says what it
is for; every value can be overridden with an environment variable `STEUNPUNT_<NAME>`, so a
steunpunt tunes a deployment without editing code. Rasa's own NLU thresholds
(FallbackClassifier) live in `config.yml`; regional facts (names, phone numbers, opening
hours) live in `content/regio.yml` and `content/regions/`.

Code reads `settings.NAME` (module attributes are the fields of `current()`); a test may
monkeypatch one such attribute, or build `Settings.from_env({...})` of its own.
"""

from __future__ import annotations

import os
import shlex
import sys
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any, FrozenSet, Iterable, Mapping, Optional, Tuple

REPO_ROOT = Path(__file__).resolve().parent.parent
#: At most this many topics are offered when the bot asks which topic is meant.
CLARIFY_MAX_OPTIONS = 3
STAFF_SESSION_HOURS = 8


def _list(value: str) -> Tuple[str, ...]:
    return tuple(item.strip() for item in value.split(",") if item.strip())


def _flag(value: str) -> bool:
    return value.strip().lower() not in ("0", "false", "no", "off")


@dataclass(frozen=True)
class Settings:
    # --- content -------------------------------------------------------------------------
    #: Folder with one Markdown file per topic (`<id>.md`).
    CONTENT_DIR: Path
    #: How often (seconds) a process checks content files for edits: an edit is live within
    #: this time, and a message does not pay for a directory scan.
    CONTENT_RECHECK_SECONDS: float
    #: The default region's facts (name, phone, e-mail, opening hours, websites): the region a
    #: message gets when it names none, or one that does not exist.
    REGIO_FILE: Path
    #: One folder per further region (samenwerkingsverband): `<region-id>/regio.yml` with its
    #: facts, optional `topics/` (whole topics, replaced or its own) and `sections/` (parts).
    REGIONS_DIR: Path
    #: The region a message belongs to when its metadata names none (or an unknown one).
    DEFAULT_REGION: str
    #: The steunpunt's own time zone: "today", a date typed in a filter or a report period and
    #: a review date are days here, while the database stamps every row in UTC
    #: (steunpunt/clock.py).
    TIMEZONE: str

    # --- understanding ---------------------------------------------------------------------
    #: A topic is offered as a clarification button only when the classifier gives it at least
    #: this confidence, and at least CLARIFY_OUT_OF_SCOPE_RATIO times the confidence of
    #: out_of_scope; with no such topic the bot says it cannot answer and offers a person. Both
    #: chosen by 5-fold cross-validation on the training data (evaluation/tune_clarify.py,
    #: docs/clarify-cv.md): a button costs one click, a missing button costs a person's time.
    CLARIFY_MIN_CONFIDENCE: float
    CLARIFY_OUT_OF_SCOPE_RATIO: float

    # --- input limits --------------------------------------------------------------------
    #: Messages longer than this are answered with a request to shorten them and never reach
    #: the NLU pipeline (plain Rasa needs ~12 GB of memory for one 100 kB message).
    MAX_MESSAGE_CHARS: int
    #: The longest a user waits for one turn (NLU, actions, saving): a slow action server or
    #: database then gets "try again later" with the way to a person, not minutes of silence.
    TURN_SECONDS: float
    #: Request bodies larger than this are refused before they are parsed (also one socket.io
    #: packet: engine.io would otherwise take up to 1 MB).
    MAX_REQUEST_BYTES: int
    #: Handoff tickets one client (address; an IPv6 /64 counts as one) may make per hour: a
    #: family or a class may hand off several questions, a script not hundreds.
    TICKETS_PER_CLIENT_HOUR: int
    #: Handoff tickets all clients together may make per hour (counted in the database, so
    #: across every process): beyond it a user is told to contact the steunpunt directly, and
    #: the log says "ALARM" once per hour. Many addresses at once is a flood.
    TICKETS_PER_HOUR: int
    #: Chat messages that may reach the assistant (steunpunt/ratelimit.py): token buckets that
    #: fill up with `..._MINUTE` tokens a minute to at most `..._BURST`. Per conversation (a
    #: person reads between messages), per client address (larger: a school class or a
    #: carrier's NAT shares one address) and for the whole process. A refused message gets a
    #: friendly "wait a moment" and never reaches NLU or the tracker store. Each Rasa process
    #: keeps its own buckets (the scaled form's nginx caps each address as well).
    MESSAGES_PER_CONVERSATION_MINUTE: float
    MESSAGE_BURST_PER_CONVERSATION: float
    MESSAGES_PER_CLIENT_MINUTE: float
    MESSAGE_BURST_PER_CLIENT: float
    MESSAGES_PER_MINUTE: float
    MESSAGE_BURST: float
    #: A widget's signed socket.io session id is accepted for this many hours after it was
    #: issued; after that the widget gets a new one (and a new conversation).
    SOCKETIO_SESSION_HOURS: float

    # --- storage -------------------------------------------------------------------------
    #: The folder of the deployment's own files when no other place is set for them: the
    #: SQLite databases, the generated secret key, nginx's files of the scaled form. var/ in
    #: the checkout; the tests point it (and every path below) at a temporary folder.
    VAR_DIR: Path
    #: The regions' school directories imported from DUO's open data (schools/, issue 28):
    #: one file per region, replaced whole by each import.
    SCHOOLS_DIR: Path
    #: Tickets, staff accounts, the audit log and signals. Embedded SQLite (WAL) by default;
    #: set a PostgreSQL URL (postgresql+psycopg2://user:pass@host/db) to share it.
    DATABASE_URL: str
    #: The deployment's secret (ticket-code hashes, client keys, signal ids, tokens). Set
    #: STEUNPUNT_SECRET_KEY in production (the same value on every server); otherwise one is
    #: generated once in this file.
    SECRET_KEY_FILE: Path
    #: Signals older than this many days are deleted; their counts per day are kept.
    SIGNAL_RETENTION_DAYS: int
    #: Conversation texts leave Rasa's tracker store after this many days.
    TRACKER_RETENTION_DAYS: int
    #: Rasa's tracker store (conversations): the SQLite file of the embedded default, or a
    #: database URL when Rasa's SQL tracker store runs on PostgreSQL.
    TRACKER_DB: str

    # --- servers -------------------------------------------------------------------------
    #: The interface every server of ours listens on. 127.0.0.1 unless a deployment says
    #: otherwise (behind a reverse proxy on the same machine, nothing else needs to reach them).
    HOST: str
    #: Rasa's server (REST webhook and socket.io for the widget).
    PORT: int
    #: The action server (python -m actions); only the Rasa server calls it, with action_token().
    ACTION_PORT: int
    #: An action call carries the conversation's tracker: allow long conversations, not more.
    ACTION_MAX_REQUEST_BYTES: int
    #: Load the redaction tables in the background as the action server starts, so the first
    #: unanswered question does not wait for them. Only without REDACTION_SOCKET: with the
    #: shared worker the action server never loads them.
    WARM_REDACTOR: bool
    #: The Unix socket of the shared redaction worker (`python -m signals redactor`), which
    #: holds the ~1.1 GB of redaction tables once per machine instead of once per action server
    #: (signals/redaction_worker.py). scripts/run.sh and run_scaled.sh start the worker and set
    #: it (var/redactor-<port>.sock). Empty: each process redacts with its own tables.
    REDACTION_SOCKET: str
    #: How long a signal waits for the worker (redaction takes ~2 ms); after that, or when the
    #: worker is down, the signal is stored without its text (signals/record.py).
    REDACTION_TIMEOUT_SECONDS: float
    #: Reverse proxies whose X-Forwarded-For header is believed (comma-separated addresses).
    #: Empty: every request's own peer address counts (steunpunt/clients.py).
    TRUSTED_PROXIES: FrozenSet[str]
    #: The public site: content pages, /widget.js and /demo.
    SITE_PORT: int
    #: Where browsers reach Rasa's socket.io (the widget's data-server on the demo page).
    CHAT_URL: str
    #: Web pages (origins) allowed to open a chat: the site itself, and the
    #: samenwerkingsverband's own website where the widget is embedded. Comma-separated.
    SITE_ORIGINS: Tuple[str, ...]
    #: The steunpunt's name and logo on the pages (colours and font are a token theme,
    #: STEUNPUNT_THEME_CSS at build time; see docs/widget.md).
    SITE_NAME: str
    SITE_LOGO: Optional[Path]
    #: The built widget and page styles (website/assets/build.mjs writes them; set-up runs it).
    SITE_ASSETS_DIR: Path
    #: Staff web app (tickets queue and analysis).
    STAFF_PORT: int
    #: The staff app runs behind https: its cookies are Secure and it sends HSTS. Only for
    #: plain http on localhost (development, tests; scripts/run.sh) set it to 0.
    STAFF_SECURE_COOKIES: bool
    #: A staff member switched on for live chat ("Beschikbaar voor chat") stops counting as
    #: available when their staff app has not been used for this many minutes (store/presence.py).
    LIVE_IDLE_MINUTES: int
    #: The public availability answer (GET /webhooks/status/availability) is reused this many
    #: seconds per region and process: anyone may ask, so a flood costs no query each.
    LIVE_AVAILABILITY_CACHE_SECONDS: float
    #: A parent or youth waiting for a person gets the ticket flow after this many minutes
    #: (store/live.py), with what they typed while waiting as the description.
    LIVE_QUEUE_MINUTES: float
    #: A waiting conversation whose widget has been gone this long is abandoned in the queue.
    LIVE_ABANDON_SECONDS: float
    #: How often a process looks for new live messages in the database when no Redis is set
    #: (the embedded form); with Redis a publish wakes it at once and this is only a fallback.
    LIVE_POLL_SECONDS: float
    #: Live chat messages a staff member may send per minute (users have the message limits).
    LIVE_STAFF_MESSAGES_PER_MINUTE: int
    #: Redis of the scaled form (redis://host:port/db): Rasa's lock store and the live chat's
    #: wake-ups between processes. Empty in the embedded form.
    REDIS_URL: str

    # --- WhatsApp (issue 27, channels/whatsapp.py, docs/whatsapp.md) -------------------------
    #: The token Meta sends once when the webhook is set up (hub.verify_token); empty: refused.
    WHATSAPP_VERIFY_TOKEN: str = field(repr=False)
    #: The Meta app's secret: every webhook POST is signed with it (X-Hub-Signature-256).
    #: Empty: WhatsApp is off and every POST is refused.
    WHATSAPP_APP_SECRET: str = field(repr=False)
    #: The access token for sending (a system user's token of the WhatsApp Business account).
    WHATSAPP_TOKEN: str = field(repr=False)
    #: Meta's Graph API with its version; the tests point it at a local fake.
    WHATSAPP_API_URL: str
    #: How often a failed send is tried in all (network errors, 429 and 5xx; never other 4xx).
    WHATSAPP_SEND_ATTEMPTS: int

    # --- signals -------------------------------------------------------------------------
    #: Average cosine distance below which unmet questions join one group (chosen on the dev
    #: fixture, docs/signals.md), and the weight of stemmed words against character n-grams.
    GROUP_THRESHOLD: float
    GROUP_WORD_WEIGHT: float
    #: Which Dutch word forms the grouping adds to the stems (signals/words.py): "lemma",
    #: "compound", both (comma-separated) or none (""); chosen on the development fixtures.
    GROUP_WORD_FORMS: Tuple[str, ...]
    #: Centroid cosine distance below which a group of later questions joins an analyst's named
    #: group (tuned on the development fixtures, docs/signals.md).
    GROUP_NAMED_THRESHOLD: float

    @classmethod
    def from_env(cls, env: Mapping[str, str] = os.environ) -> Settings:
        """The settings of this deployment: each field from `STEUNPUNT_<NAME>`, else its default."""

        def get(name: str, default: Any) -> str:
            return env.get(f"STEUNPUNT_{name}", str(default))

        content_dir = Path(get("CONTENT_DIR", REPO_ROOT / "content" / "topics"))
        var_dir = Path(get("VAR_DIR", REPO_ROOT / "var"))
        host, port, site_port = get("HOST", "127.0.0.1"), int(get("PORT", 5005)), int(get("SITE_PORT", 5057))
        logo = env.get("STEUNPUNT_SITE_LOGO")
        return cls(
            CONTENT_DIR=content_dir,
            CONTENT_RECHECK_SECONDS=float(get("CONTENT_RECHECK_SECONDS", 1.0)),
            REGIO_FILE=Path(get("REGIO_FILE", REPO_ROOT / "content" / "regio.yml")),
            REGIONS_DIR=Path(get("REGIONS_DIR", content_dir.parent / "regions")),
            DEFAULT_REGION=get("DEFAULT_REGION", "standaard"),
            TIMEZONE=get("TIMEZONE", "Europe/Amsterdam"),
            CLARIFY_MIN_CONFIDENCE=float(get("CLARIFY_MIN_CONFIDENCE", 0.075)),
            CLARIFY_OUT_OF_SCOPE_RATIO=float(get("CLARIFY_OUT_OF_SCOPE_RATIO", 0.5)),
            MAX_MESSAGE_CHARS=int(get("MAX_MESSAGE_CHARS", 1000)),
            TURN_SECONDS=float(get("TURN_SECONDS", 20.0)),
            MAX_REQUEST_BYTES=int(get("MAX_REQUEST_BYTES", 16 * 1024)),
            TICKETS_PER_CLIENT_HOUR=int(get("TICKETS_PER_CLIENT_HOUR", 5)),
            TICKETS_PER_HOUR=int(get("TICKETS_PER_HOUR", 30)),
            MESSAGES_PER_CONVERSATION_MINUTE=float(get("MESSAGES_PER_CONVERSATION_MINUTE", 20)),
            MESSAGE_BURST_PER_CONVERSATION=float(get("MESSAGE_BURST_PER_CONVERSATION", 10)),
            MESSAGES_PER_CLIENT_MINUTE=float(get("MESSAGES_PER_CLIENT_MINUTE", 90)),
            MESSAGE_BURST_PER_CLIENT=float(get("MESSAGE_BURST_PER_CLIENT", 30)),
            MESSAGES_PER_MINUTE=float(get("MESSAGES_PER_MINUTE", 1500)),
            MESSAGE_BURST=float(get("MESSAGE_BURST", 100)),
            SOCKETIO_SESSION_HOURS=float(get("SOCKETIO_SESSION_HOURS", 24)),
            VAR_DIR=var_dir,
            SCHOOLS_DIR=Path(get("SCHOOLS_DIR", var_dir / "schools")),
            DATABASE_URL=get("DATABASE_URL", f"sqlite:///{var_dir / 'steunpunt.db'}"),
            SECRET_KEY_FILE=Path(get("SECRET_KEY_FILE", var_dir / "secret.key")),
            SIGNAL_RETENTION_DAYS=int(get("SIGNAL_RETENTION_DAYS", 365)),
            TRACKER_RETENTION_DAYS=int(get("TRACKER_RETENTION_DAYS", 30)),
            TRACKER_DB=get("TRACKER_DB", var_dir / "trackers.db"),
            HOST=host,
            PORT=port,
            ACTION_PORT=int(get("ACTION_PORT", 5055)),
            ACTION_MAX_REQUEST_BYTES=int(get("ACTION_MAX_REQUEST_BYTES", 2 * 1024 * 1024)),
            WARM_REDACTOR=_flag(get("WARM_REDACTOR", "0")),
            REDACTION_SOCKET=get("REDACTION_SOCKET", ""),
            REDACTION_TIMEOUT_SECONDS=float(get("REDACTION_TIMEOUT_SECONDS", 2.0)),
            TRUSTED_PROXIES=frozenset(_list(get("TRUSTED_PROXIES", ""))),
            SITE_PORT=site_port,
            CHAT_URL=get("CHAT_URL", f"http://{host}:{port}"),
            SITE_ORIGINS=tuple(
                origin.rstrip("/")
                for origin in _list(
                    get("SITE_ORIGINS", f"http://{host}:{site_port},http://localhost:{site_port}")
                )
            ),
            SITE_NAME=get("SITE_NAME", "Ouder- en jeugdsteunpunt passend onderwijs"),
            SITE_LOGO=Path(logo) if logo else None,
            SITE_ASSETS_DIR=Path(get("SITE_ASSETS_DIR", REPO_ROOT / "build" / "website")),
            STAFF_PORT=int(get("STAFF_PORT", 5056)),
            STAFF_SECURE_COOKIES=_flag(get("STAFF_SECURE_COOKIES", "1")),
            LIVE_IDLE_MINUTES=int(get("LIVE_IDLE_MINUTES", 10)),
            LIVE_AVAILABILITY_CACHE_SECONDS=float(get("LIVE_AVAILABILITY_CACHE_SECONDS", 5)),
            LIVE_QUEUE_MINUTES=float(get("LIVE_QUEUE_MINUTES", 3)),
            LIVE_ABANDON_SECONDS=float(get("LIVE_ABANDON_SECONDS", 90)),
            LIVE_POLL_SECONDS=float(get("LIVE_POLL_SECONDS", 0.1)),
            LIVE_STAFF_MESSAGES_PER_MINUTE=int(get("LIVE_STAFF_MESSAGES_PER_MINUTE", 30)),
            REDIS_URL=get("REDIS_URL", ""),
            WHATSAPP_VERIFY_TOKEN=get("WHATSAPP_VERIFY_TOKEN", ""),
            WHATSAPP_APP_SECRET=get("WHATSAPP_APP_SECRET", ""),
            WHATSAPP_TOKEN=get("WHATSAPP_TOKEN", ""),
            WHATSAPP_API_URL=get("WHATSAPP_API_URL", "https://graph.facebook.com/v21.0").rstrip("/"),
            WHATSAPP_SEND_ATTEMPTS=int(get("WHATSAPP_SEND_ATTEMPTS", 4)),
            GROUP_THRESHOLD=float(get("GROUP_THRESHOLD", 0.94)),
            GROUP_WORD_WEIGHT=float(get("GROUP_WORD_WEIGHT", 1.0)),
            GROUP_WORD_FORMS=tuple(
                f.strip() for f in get("GROUP_WORD_FORMS", "lemma,compound").split(",") if f.strip()
            ),
            GROUP_NAMED_THRESHOLD=float(get("GROUP_NAMED_THRESHOLD", 0.94)),
        )


_current: Optional[Settings] = None


def current() -> Settings:
    """This process's settings, read from the environment on first use."""
    global _current
    if _current is None:
        _current = Settings.from_env()
    return _current


_FIELDS = frozenset(field.name for field in fields(Settings))


def __getattr__(name: str) -> Any:
    """`settings.NAME` is `current().NAME` (a monkeypatched module attribute wins)."""
    if name in _FIELDS:
        return getattr(current(), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def shell_assignments(names: Iterable[str], settings: Optional[Settings] = None) -> str:
    """`STEUNPUNT_HOST=127.0.0.1` lines (shell-quoted) for the run scripts, which `eval` them:
    the defaults of the ports, the host and the folders live here only, not again in bash.
    An environment variable that is set wins, as everywhere else."""
    settings = settings or current()
    return "\n".join(f"STEUNPUNT_{name}={shlex.quote(str(getattr(settings, name)))}" for name in names)


def _value(name: str) -> Any:
    """A setting as code outside this module sees it (a test's monkeypatch included)."""
    return getattr(sys.modules[__name__], name)


MIN_SECRET_CHARS = 32


def secret_key() -> bytes:
    """The deployment's secret, from the environment or a file created once (mode 600).

    The file is written under a temporary name and linked into place, so a process starting at
    the same moment never reads it half-written; a key that is empty or short is refused, not
    used. A good key from a file is read once per process: limits ask for it on every message."""
    if os.environ.get("STEUNPUNT_SECRET_KEY") is not None:
        key = os.environ["STEUNPUNT_SECRET_KEY"].strip()
        source = "STEUNPUNT_SECRET_KEY"
    elif str(_value("SECRET_KEY_FILE")) in _file_keys:
        return _file_keys[str(_value("SECRET_KEY_FILE"))]
    else:
        path = _value("SECRET_KEY_FILE")
        if not path.exists():
            _create_secret_file(path)
        key = path.read_text().strip()
        source = str(path)
    if len(key) < MIN_SECRET_CHARS:
        raise RuntimeError(
            f"the secret key in {source} is empty or shorter than "
            f"{MIN_SECRET_CHARS} characters; set a long random value"
        )
    if source != "STEUNPUNT_SECRET_KEY":
        _file_keys[source] = key.encode()
    return key.encode()


_file_keys: dict = {}  # path -> the good key read from it


def private_dir(path: Path) -> None:
    """Make a directory for this user only (0700): the deployment's own var/ always (its
    databases would otherwise be world-readable beside a key of mode 600), another one only
    when it is made here (a folder chosen by an operator keeps the mode it was given), and so
    is every missing folder above it that is made on the way. Used for the secret key's folder
    and for a SQLite database's (store/db.py)."""
    missing = [folder for folder in (path, *path.parents) if not folder.is_dir()]
    for folder in reversed(missing):  # outermost first; mkdir's mode is cut by the umask
        folder.mkdir(mode=0o700, exist_ok=True)
        os.chmod(folder, 0o700)
    if path.resolve() == (REPO_ROOT / "var").resolve():
        os.chmod(path, 0o700)


def _create_secret_file(path: Path) -> None:
    import secrets
    import tempfile

    private_dir(path.parent)
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=".secret-")  # mode 600
    with os.fdopen(fd, "w") as handle:
        handle.write(secrets.token_hex(32))
        handle.flush()
        os.fsync(handle.fileno())
    try:
        os.link(temporary, path)  # atomic, and never replaces a key another process made first
    except FileExistsError:
        pass
    finally:
        os.unlink(temporary)


def derived_token(purpose: str) -> str:
    """A token for one purpose, derived from the secret key: every process of a deployment
    agrees on it without more set-up, and one purpose's token says nothing about another's."""
    import hashlib
    import hmac

    return hmac.new(secret_key(), purpose.encode(), hashlib.sha256).hexdigest()


def action_token() -> str:
    """What the Rasa server sends to the action server (endpoints.yml; run.sh exports it)."""
    return os.environ.get("STEUNPUNT_ACTION_TOKEN") or derived_token("action-server-token")


def status_token() -> str:
    """What an operator sends to see the details of /webhooks/status/ (model, content errors)."""
    return os.environ.get("STEUNPUNT_STATUS_TOKEN") or derived_token("status-token")


if __name__ == "__main__":  # python -m steunpunt.settings HOST PORT ...: for scripts/run*.sh
    unknown = [name for name in sys.argv[1:] if name not in _FIELDS]
    if unknown:
        sys.exit(f"unknown settings: {', '.join(unknown)}")
    print(shell_assignments(sys.argv[1:]))
