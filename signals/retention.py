"""Keep nothing longer than needed: old signals become counts, old conversations leave Rasa.

- Signals older than `SIGNAL_RETENTION_DAYS` (default 365) are deleted after their counts per
  day, kind, topic, audience and channel are kept (`signal_counts`), so reports over old
  periods still add up but no text or single turn survives.
- Rasa's tracker store keeps conversations for `TRACKER_RETENTION_DAYS` (default 30): older
  events are deleted. Codes and contact data never reach it in plain text at all
  (store/tracker_store.py).

Run by `python -m signals retention` and once a day by the staff web app.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from typing import Optional

from sqlalchemy import inspect, text

from signals.store import SignalStore
from steunpunt import settings
from steunpunt.clock import day_start, today as local_today
from store.conversations import tracker_engine, tracker_url

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Pruned:
    signals: int
    tracker_events: int


def prune_tracker_store(url: str, before: datetime) -> int:
    """Delete Rasa tracker events older than `before` (UTC). Returns how many. A SQLite file
    that does not exist is not created (and the deleted rows are overwritten in the file)."""
    engine = tracker_engine(url)
    if engine is None:
        return 0
    try:
        if "events" not in inspect(engine).get_table_names():
            return 0
        cutoff = before.replace(tzinfo=timezone.utc).timestamp()
        with engine.begin() as connection:
            return connection.execute(
                text("DELETE FROM events WHERE timestamp < :cutoff"), {"cutoff": cutoff}
            ).rowcount
    finally:
        engine.dispose()


def run(
    store: SignalStore,
    today: Optional[date] = None,
    tracker_db: Optional[str] = None,
    signal_days: Optional[int] = None,
    tracker_days: Optional[int] = None,
) -> Pruned:
    today = today or local_today()
    signal_days = settings.SIGNAL_RETENTION_DAYS if signal_days is None else signal_days
    tracker_days = settings.TRACKER_RETENTION_DAYS if tracker_days is None else tracker_days
    pruned_signals = store.prune(today - timedelta(days=signal_days))
    cutoff = day_start(today - timedelta(days=tracker_days))  # a local day, as UTC
    events = prune_tracker_store(tracker_url(tracker_db or settings.TRACKER_DB), cutoff)
    log.info("retention: %d signals counted and deleted, %d tracker events deleted", pruned_signals, events)
    return Pruned(signals=pruned_signals, tracker_events=events)
