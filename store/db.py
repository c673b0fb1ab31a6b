"""Engine creation and migrations for the one database URL of the deployment."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Dict

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine

from steunpunt import settings

_MIGRATIONS = Path(__file__).resolve().parent / "migrations"
_engines: Dict[str, Engine] = {}
_lock = threading.Lock()


def _sqlite_pragmas(connection, _record) -> None:
    # WAL: readers do not block the writer (action server and staff app share the file);
    # synchronous=FULL: a committed ticket survives a crash or power loss; secure_delete: what
    # is deleted or overwritten (an erased ticket) is zeroed in the file, not left in free space.
    cursor = connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.execute("PRAGMA secure_delete=ON")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.close()


def migrate(url: str) -> None:
    """Bring the database schema up to date (Alembic, store/migrations)."""
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(_MIGRATIONS))
    config.attributes["url"] = url
    # What a migration needs of the deployment is handed to it here, never read by it.
    config.attributes["default_region"] = settings.DEFAULT_REGION
    command.upgrade(config, "head")


def engine_for(url: str) -> Engine:
    """One migrated engine per URL and process."""
    with _lock:
        if url not in _engines:
            if url.startswith("sqlite:///"):
                # The folder of the database (var/ by default) for this user only, when it is made
                # here: with STEUNPUNT_SECRET_KEY set no key file makes it private first, and the
                # usual umask would leave the tickets readable to every account on the machine.
                settings.private_dir(Path(url[len("sqlite:///") :]).parent)
            engine = create_engine(url, future=True, pool_pre_ping=True)
            if engine.dialect.name == "sqlite":
                event.listen(engine, "connect", _sqlite_pragmas)
            migrate(url)
            _engines[url] = engine
        return _engines[url]
