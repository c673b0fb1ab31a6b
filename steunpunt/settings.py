"""All settings of the action server in one place.

Every value can be overridden with an environment variable, so a steunpunt can tune a
deployment without editing code. Rasa's own NLU thresholds (FallbackClassifier) live in
`config.yml`; regional facts (names, phone numbers) live in `content/regio.yml`.
"""

from __future__ import annotations

import os
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent


def _env_path(name: str, default: Path) -> Path:
    return Path(os.environ.get(name, str(default)))


def _env_float(name: str, default: float) -> float:
    return float(os.environ.get(name, default))


#: Folder with one Markdown file per topic (`<id>.md`).
CONTENT_DIR = _env_path("STEUNPUNT_CONTENT_DIR", REPO_ROOT / "content" / "topics")
#: How often (seconds) the action server checks content files for edits: an edit is live
#: within this time, and a message does not pay for a directory scan.
CONTENT_RECHECK_SECONDS = _env_float("STEUNPUNT_CONTENT_RECHECK_SECONDS", 1.0)
#: The default region's facts (name, phone, e-mail, opening hours, websites): the region a
#: message gets when it names none, or one that does not exist.
REGIO_FILE = _env_path("STEUNPUNT_REGIO_FILE", REPO_ROOT / "content" / "regio.yml")
#: One folder per further region (samenwerkingsverband): `<region-id>/regio.yml` with its
#: facts, optional `topics/` (whole topics, replaced or its own) and `sections/` (parts).
REGIONS_DIR = _env_path("STEUNPUNT_REGIONS_DIR", CONTENT_DIR.parent / "regions")

#: A topic is offered as a clarification button only when the classifier gives it at least
#: this confidence, and at least CLARIFY_OUT_OF_SCOPE_RATIO times the confidence of
#: out_of_scope; with no such topic the bot says it cannot answer and offers a person. Both
#: chosen by 5-fold cross-validation on the training data (evaluation/tune_clarify.py,
#: docs/clarify-cv.md): a button costs one click, a missing button costs a person's time.
CLARIFY_MIN_CONFIDENCE = _env_float("STEUNPUNT_CLARIFY_MIN_CONFIDENCE", 0.05)
CLARIFY_OUT_OF_SCOPE_RATIO = _env_float("STEUNPUNT_CLARIFY_OUT_OF_SCOPE_RATIO", 1.0)
#: At most this many topics are offered when the bot asks which topic is meant.
CLARIFY_MAX_OPTIONS = 3

#: Messages longer than this are answered with a request to shorten them and never reach
#: the NLU pipeline (plain Rasa needs ~12 GB of memory for one 100 kB message).
MAX_MESSAGE_CHARS = int(os.environ.get("STEUNPUNT_MAX_MESSAGE_CHARS", 1000))
#: The longest a user waits for one turn (NLU, actions, saving): a slow action server or
#: database then gets "try again later" with the way to a person, not minutes of silence.
TURN_SECONDS = _env_float("STEUNPUNT_TURN_SECONDS", 20.0)
#: Request bodies larger than this are refused before they are parsed (also one socket.io
#: packet: engine.io would otherwise take up to 1 MB).
MAX_REQUEST_BYTES = int(os.environ.get("STEUNPUNT_MAX_REQUEST_BYTES", 16 * 1024))

#: Handoff tickets one client (address; an IPv6 /64 counts as one) may make per hour: a family
#: or a class may hand off several questions, a script not hundreds.
TICKETS_PER_CLIENT_HOUR = int(os.environ.get("STEUNPUNT_TICKETS_PER_CLIENT_HOUR", 5))
#: Handoff tickets all clients together may make per hour (counted in the database, so across
#: every process): beyond it a user is told to contact the steunpunt directly, and the log says
#: "ALARM" once per hour. Many addresses at once is a flood; a real day brings a handful.
TICKETS_PER_HOUR = int(os.environ.get("STEUNPUNT_TICKETS_PER_HOUR", 30))

#: Chat messages that may reach the assistant (steunpunt/ratelimit.py): token buckets that fill
#: up with `..._MINUTE` tokens a minute to at most `..._BURST`. Per conversation (a person reads
#: between messages), per client address (larger: a school class or a carrier's NAT shares one
#: address) and for the whole process (what one Rasa process can answer, ~35 messages/s). A
#: refused message gets a friendly "wait a moment" and never reaches NLU or the tracker store.
#: Each Rasa process keeps its own buckets (the scaled form's nginx caps each address as well).
MESSAGES_PER_CONVERSATION_MINUTE = _env_float("STEUNPUNT_MESSAGES_PER_CONVERSATION_MINUTE", 20)
MESSAGE_BURST_PER_CONVERSATION = _env_float("STEUNPUNT_MESSAGE_BURST_PER_CONVERSATION", 10)
MESSAGES_PER_CLIENT_MINUTE = _env_float("STEUNPUNT_MESSAGES_PER_CLIENT_MINUTE", 90)
MESSAGE_BURST_PER_CLIENT = _env_float("STEUNPUNT_MESSAGE_BURST_PER_CLIENT", 30)
MESSAGES_PER_MINUTE = _env_float("STEUNPUNT_MESSAGES_PER_MINUTE", 1500)
MESSAGE_BURST = _env_float("STEUNPUNT_MESSAGE_BURST", 100)

#: A widget's signed socket.io session id is accepted for this many hours after it was issued;
#: after that the widget gets a new one (and a new conversation).
SOCKETIO_SESSION_HOURS = _env_float("STEUNPUNT_SOCKETIO_SESSION_HOURS", 24)

#: The folder of the deployment's own files when no other place is set for them: the SQLite
#: databases, the generated secret key, nginx's files of the scaled form. var/ in the checkout;
#: the tests point it (and every path below) at a temporary folder (tests/conftest.py).
VAR_DIR = _env_path("STEUNPUNT_VAR_DIR", REPO_ROOT / "var")
#: Tickets, staff accounts and the audit log. Embedded SQLite (WAL) by default; set a
#: PostgreSQL URL (postgresql+psycopg2://user:pass@host/db) to share it between servers.
DATABASE_URL = os.environ.get("STEUNPUNT_DATABASE_URL", f"sqlite:///{VAR_DIR / 'steunpunt.db'}")
#: Key for ticket-code hashes. Set STEUNPUNT_SECRET_KEY in production (the same value on
#: every server); otherwise one is generated once in var/secret.key.
SECRET_KEY_FILE = _env_path("STEUNPUNT_SECRET_KEY_FILE", VAR_DIR / "secret.key")

#: The region a message belongs to when its metadata names none (one region for now; the id
#: is recorded with every signal, so a later multi-region deployment can tell them apart).
#: The steunpunt's own time zone: a date typed in a filter or a report period is a day here,
#: while the database stamps every row in UTC.
TIMEZONE = os.environ.get("STEUNPUNT_TIMEZONE", "Europe/Amsterdam")
DEFAULT_REGION = os.environ.get("STEUNPUNT_DEFAULT_REGION", "standaard")
#: Signals older than this many days are deleted; their counts per day are kept.
SIGNAL_RETENTION_DAYS = int(os.environ.get("STEUNPUNT_SIGNAL_RETENTION_DAYS", 365))
#: Conversation texts leave Rasa's tracker store after this many days.
TRACKER_RETENTION_DAYS = int(os.environ.get("STEUNPUNT_TRACKER_RETENTION_DAYS", 30))
#: Rasa's tracker store (conversations): the SQLite file of the embedded default, or a
#: database URL when Rasa's SQL tracker store runs on PostgreSQL.
TRACKER_DB = os.environ.get("STEUNPUNT_TRACKER_DB", str(VAR_DIR / "trackers.db"))

#: The interface every server of ours listens on. 127.0.0.1 unless a deployment says otherwise
#: (behind a reverse proxy on the same machine, nothing else needs to reach them).
HOST = os.environ.get("STEUNPUNT_HOST", "127.0.0.1")
#: Rasa's server (REST webhook and socket.io for the widget).
PORT = int(os.environ.get("STEUNPUNT_PORT", 5005))
#: The action server (python -m actions); only the Rasa server calls it, with action_token().
ACTION_PORT = int(os.environ.get("STEUNPUNT_ACTION_PORT", 5055))
#: An action call carries the conversation's tracker: allow long conversations, not more.
ACTION_MAX_REQUEST_BYTES = int(os.environ.get("STEUNPUNT_ACTION_MAX_REQUEST_BYTES", 2 * 1024 * 1024))
#: Reverse proxies whose X-Forwarded-For header is believed (comma-separated IP addresses).
#: Empty: every request's own peer address counts (steunpunt/clients.py).
TRUSTED_PROXIES = frozenset(
    address.strip()
    for address in os.environ.get("STEUNPUNT_TRUSTED_PROXIES", "").split(",")
    if address.strip()
)
#: The public site: content pages, /widget.js and /demo.
SITE_PORT = int(os.environ.get("STEUNPUNT_SITE_PORT", 5057))
#: Where browsers reach Rasa's socket.io (the widget's data-server on the demo page).
CHAT_URL = os.environ.get("STEUNPUNT_CHAT_URL", f"http://{HOST}:{PORT}")
#: Web pages (origins) allowed to open a chat over socket.io: the site itself, and the
#: samenwerkingsverband's own website where the widget is embedded. Comma-separated.
SITE_ORIGINS = tuple(
    origin.strip().rstrip("/")
    for origin in os.environ.get(
        "STEUNPUNT_SITE_ORIGINS", f"http://{HOST}:{SITE_PORT},http://localhost:{SITE_PORT}"
    ).split(",")
    if origin.strip()
)
#: The steunpunt's name and logo on the pages (house style: colours and font are a token theme,
#: STEUNPUNT_THEME_CSS at build time; see README "De huisstijl").
SITE_NAME = os.environ.get("STEUNPUNT_SITE_NAME", "Ouder- en jeugdsteunpunt passend onderwijs")
SITE_LOGO = Path(os.environ["STEUNPUNT_SITE_LOGO"]) if os.environ.get("STEUNPUNT_SITE_LOGO") else None
#: The built widget and page styles (website/assets/build.mjs writes them; set-up runs it).
SITE_ASSETS_DIR = _env_path("STEUNPUNT_SITE_ASSETS_DIR", REPO_ROOT / "build" / "website")

#: Staff web app (tickets queue and analysis).
STAFF_PORT = int(os.environ.get("STEUNPUNT_STAFF_PORT", 5056))
#: The staff app runs behind https: its cookies are Secure and it sends HSTS. Only for plain
#: http on localhost (development, tests; scripts/run.sh) set STEUNPUNT_STAFF_SECURE_COOKIES=0.
STAFF_SECURE_COOKIES = os.environ.get("STEUNPUNT_STAFF_SECURE_COOKIES", "1").strip().lower() not in (
    "0",
    "false",
    "no",
    "off",
)
STAFF_SESSION_HOURS = 8


MIN_SECRET_CHARS = 32


def secret_key() -> bytes:
    """The deployment's secret, from the environment or a file created once (mode 600).

    The file is written under a temporary name and linked into place, so a process starting at
    the same moment never reads it half-written; a key that is empty or short is refused, not
    used. A good key from a file is read once per process: limits ask for it on every message."""
    if os.environ.get("STEUNPUNT_SECRET_KEY") is not None:
        key = os.environ["STEUNPUNT_SECRET_KEY"].strip()
        source = "STEUNPUNT_SECRET_KEY"
    elif str(SECRET_KEY_FILE) in _file_keys:
        return _file_keys[str(SECRET_KEY_FILE)]
    else:
        path = SECRET_KEY_FILE
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
    when it is made here (a folder chosen by an operator keeps the mode it was given)."""
    existed = path.is_dir()
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    if not existed or path.resolve() == (REPO_ROOT / "var").resolve():
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
