"""Signals in the database: written one per turn, read by period, counted, and thinned out.

A signal keeps no sender id, no address and only the hour of its time; its id is random.
So signals of one person cannot be put together, not even by their order.
"""

from __future__ import annotations

import uuid
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Collection, Dict, Iterator, List, Optional, Sequence, Tuple

from sqlalchemy import delete, insert, select, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError

from steunpunt.clock import day_range, day_start, now, to_local
from store.schema import group_decisions, named_group_members, named_groups, signal_counts, signals, staff
from store.tickets import in_regions, of_channel

#: Columns that say what happened, without text: what counts and retention keep.
COUNT_FIELDS = ("channel", "audience", "region", "kind", "reason", "content_id")


@dataclass(frozen=True)
class Signal:
    kind: str
    region: str
    reason: Optional[str] = None
    content_id: Optional[str] = None
    candidates: Tuple[str, ...] = ()
    intents: Tuple[Dict[str, Any], ...] = ()
    channel: Optional[str] = None
    audience: Optional[str] = None
    ticket: Optional[str] = None
    text: Optional[str] = None  # already redacted
    #: Set for a turn's signal (signals.record.turn_signal_id): the same turn carried out twice
    #: is stored once. None: a fresh random id.
    id: Optional[str] = None


@dataclass(frozen=True)
class Count:
    """A number of signals of one kind on one day (from rows, or kept after retention)."""

    day: date
    channel: str
    audience: str
    region: str
    kind: str
    reason: str
    content_id: str
    count: int


def _hour(moment: datetime) -> datetime:
    return moment.replace(minute=0, second=0, microsecond=0)


def _day(stamp: datetime) -> date:
    """The local day a signal belongs to, as in the periods that select it (clock.day_range)."""
    return to_local(stamp).date()


class SignalStore:
    """Signals in the database. A store made `for_regions` reads and counts only those
    regions' signals: analysts see, export and report their own regions. Made `for_channel`,
    only that channel's: an analyst compares WhatsApp with the website chat."""

    def __init__(
        self, engine: Engine, regions: Optional[Collection[str]] = None, channel: Optional[str] = None
    ) -> None:
        self.engine = engine
        self.regions = None if regions is None else frozenset(regions)
        self.channel = channel

    def for_regions(self, regions: Optional[Collection[str]]) -> SignalStore:
        return SignalStore(self.engine, regions, self.channel)

    def for_channel(self, channel: Optional[str]) -> SignalStore:
        """The same store, limited to the signals of one channel (None: every channel); the
        counts kept after retention have their channel too, so old periods narrow as well."""
        return SignalStore(self.engine, self.regions, channel)

    def _mine(self, table=signals) -> list:
        return in_regions(self.regions, table.c.region) + of_channel(self.channel, table.c.channel)

    def add(self, signal: Signal, at: Optional[datetime] = None) -> str:
        """Store a signal; one whose id is already stored (a turn carried out again after a
        crash) is left as it was."""
        signal_id = signal.id or uuid.uuid4().hex
        try:
            with self.engine.begin() as connection:
                connection.execute(
                    insert(signals).values(
                        id=signal_id,
                        created_at=_hour(at or now()),
                        channel=signal.channel,
                        audience=signal.audience,
                        region=signal.region,
                        kind=signal.kind,
                        reason=signal.reason,
                        content_id=signal.content_id,
                        candidates=list(signal.candidates) or None,
                        intents=list(signal.intents) or None,
                        ticket=signal.ticket,
                        text=signal.text,
                    )
                )
        except IntegrityError:
            if signal.id is None or not self._exists(signal_id):
                raise
        return signal_id

    def _exists(self, signal_id: str) -> bool:
        with self.engine.connect() as connection:
            return (
                connection.execute(select(signals.c.id).where(signals.c.id == signal_id)).first() is not None
            )

    def rows(
        self,
        since: Optional[date] = None,
        until: Optional[date] = None,
        kinds: Optional[Sequence[str]] = None,
        with_text: bool = False,
    ) -> List[Dict[str, Any]]:
        """Signals in a period (local days, inclusive), oldest first."""
        query = select(signals).where(*self._mine()).order_by(signals.c.created_at, signals.c.id)
        start, end = day_range(since, until)
        if start:
            query = query.where(signals.c.created_at >= start)
        if end:
            query = query.where(signals.c.created_at < end)
        if kinds:
            query = query.where(signals.c.kind.in_(list(kinds)))
        if with_text:
            query = query.where(signals.c.text.isnot(None))
        with self.engine.connect() as connection:
            return [dict(row) for row in connection.execute(query).mappings()]

    def by_ids(self, ids: Sequence[str]) -> List[Dict[str, Any]]:
        """The signals with these ids that have a text (what a group of unmet questions holds)."""
        if not ids:
            return []
        query = select(signals).where(signals.c.id.in_(list(ids)), signals.c.text.isnot(None), *self._mine())
        with self.engine.connect() as connection:
            return [dict(row) for row in connection.execute(query).mappings()]

    def counts(self, since: Optional[date] = None, until: Optional[date] = None) -> List[Count]:
        """Per day and kind: the signals still stored plus the counts kept of deleted ones."""
        tally: Counter = Counter()
        for row in self.rows(since, until):
            tally[(_day(row["created_at"]),) + tuple(row[f] or "" for f in COUNT_FIELDS)] += 1
        query = select(signal_counts).where(*self._mine(signal_counts))
        if since:
            query = query.where(signal_counts.c.day >= since)
        if until:
            query = query.where(signal_counts.c.day <= until)
        with self.engine.connect() as connection:
            for row in connection.execute(query).mappings():
                tally[(row["day"],) + tuple(row[f] for f in COUNT_FIELDS)] += row["count"]
        return [
            Count(day=key[0], count=n, **dict(zip(COUNT_FIELDS, key[1:], strict=True)))
            for key, n in sorted(tally.items())
        ]

    def prune(self, before: date) -> int:
        """Delete signals from (local) days before `before`, keeping their counts per local
        day. Returns how many."""
        cutoff = day_start(before)
        with self.engine.begin() as connection:
            old = connection.execute(select(signals).where(signals.c.created_at < cutoff)).mappings().all()
            tally: Counter = Counter(
                (_day(row["created_at"]),) + tuple(row[f] or "" for f in COUNT_FIELDS) for row in old
            )
            for key, number in tally.items():
                where = [signal_counts.c.day == key[0]] + [
                    getattr(signal_counts.c, f) == value
                    for f, value in zip(COUNT_FIELDS, key[1:], strict=True)
                ]
                changed = connection.execute(
                    update(signal_counts).where(*where).values(count=signal_counts.c.count + number)
                ).rowcount
                if not changed:
                    connection.execute(
                        insert(signal_counts).values(
                            day=key[0], count=number, **dict(zip(COUNT_FIELDS, key[1:], strict=True))
                        )
                    )
            connection.execute(delete(signals).where(signals.c.created_at < cutoff))
            gone = [row["id"] for row in old]
            for start in range(0, len(gone), 500):  # a deleted question leaves its named group
                connection.execute(
                    delete(named_group_members).where(
                        named_group_members.c.signal_id.in_(gone[start : start + 500])
                    )
                )
        return len(old)

    def settle_clarify(self, signal_id: str, reason: str) -> bool:
        """Say how a clarify ended, on the clarify's own signal: "chosen" (the next turn was
        answered) or "rejected" ("Iets anders": that turn's own signal keeps the question). A
        clarify left unsettled was followed by no choice and counts as unmet. The action server
        finds the clarify's signal from the same conversation's previous turn
        (steunpunt.turn.turn_signal_id), so nothing stored links two signals."""
        with self.engine.begin() as connection:
            return bool(
                connection.execute(
                    update(signals)
                    .where(signals.c.id == signal_id, signals.c.kind == "clarify", signals.c.reason.is_(None))
                    .values(reason=reason)
                ).rowcount
            )

    # --- what analysts decided about groups of unmet questions -----------------------------------
    def decide_group(
        self,
        staff_id: int,
        decision: str,
        label: str,
        signal_ids: Sequence[str],
        topic_id: Optional[str] = None,
    ) -> int:
        if decision not in ("nieuw_onderwerp", "bestaand_onderwerp"):
            raise ValueError(f"onbekende keuze {decision!r}")
        with self.engine.begin() as connection:
            return connection.execute(
                insert(group_decisions).values(
                    created_at=now(),
                    staff_id=staff_id,
                    decision=decision,
                    topic_id=topic_id,
                    label=label[:200],
                    signal_ids=list(signal_ids),
                )
            ).inserted_primary_key[0]

    def decisions(self) -> List[Dict[str, Any]]:
        query = (
            select(group_decisions, staff.c.username)
            .select_from(group_decisions.join(staff, group_decisions.c.staff_id == staff.c.id))
            .order_by(group_decisions.c.created_at.desc(), group_decisions.c.id.desc())
        )
        with self.engine.connect() as connection:
            rows = [dict(row) for row in connection.execute(query).mappings()]
            if not self._mine():
                return rows
            # A decision belongs to the regions (and channels) of the signals it was made on.
            mine = {row[0] for row in connection.execute(select(signals.c.id).where(*self._mine()))}
        return [row for row in rows if mine & set(row["signal_ids"] or [])]

    # --- groups that analysts named, merged and moved questions into ------------------------------
    def _named_visible(self, row) -> bool:
        """An analyst sees a named group only when all its regions are theirs: its name was
        written about those regions' questions."""
        return self.regions is None or set(row["regions"] or []) <= self.regions

    def named_groups(self) -> List[Dict[str, Any]]:
        """The named groups this store may see, oldest first, each with the ids of its questions
        that this store may read (`members`)."""
        with self.engine.connect() as connection:
            found = [
                dict(row)
                for row in connection.execute(select(named_groups).order_by(named_groups.c.id)).mappings()
                if self._named_visible(row)
            ]
            pairs = connection.execute(
                select(
                    named_group_members.c.signal_id,
                    named_group_members.c.group_id,
                    named_group_members.c.moved,
                )
                .select_from(
                    named_group_members.join(signals, signals.c.id == named_group_members.c.signal_id)
                )
                .where(*self._mine())
            ).all()
        for row in found:
            row["members"] = [sid for sid, gid, _ in pairs if gid == row["id"]]
            row["anchors"] = [sid for sid, gid, moved in pairs if gid == row["id"] and not moved]
        return found

    def named_group(self, group_id: int) -> Optional[Dict[str, Any]]:
        return next((g for g in self.named_groups() if g["id"] == group_id), None)

    def _regions_of(self, connection, ids: Sequence[str]) -> List[str]:
        query = select(signals.c.region).where(signals.c.id.in_(list(ids))).distinct()
        return sorted({row[0] for row in connection.execute(query)})

    def name_group(
        self, staff_id: int, name: str, signal_ids: Sequence[str], group_id: Optional[int] = None
    ) -> int:
        """Name a group: a new named group holding these questions, or (`group_id`) a new name
        for a named group, which also takes in these questions. Only questions this store may
        read are taken (the caller passes ids that came from a form)."""
        ids = [row["id"] for row in self.by_ids(signal_ids)]
        name = " ".join(name.split())[:200]
        if not name:
            raise ValueError("een groep heeft een naam nodig")
        with self.engine.begin() as connection:
            if group_id is None:
                group_id = connection.execute(
                    insert(named_groups).values(
                        created_at=now(),
                        staff_id=staff_id,
                        name=name,
                        regions=self._regions_of(connection, ids),
                    )
                ).inserted_primary_key[0]
            else:
                connection.execute(
                    update(named_groups).where(named_groups.c.id == group_id).values(name=name)
                )
            self._put(connection, staff_id, group_id, ids)
        return group_id

    def _put(self, connection, staff_id: int, group_id: int, ids: Sequence[str], moved: bool = False) -> None:
        """Put questions in a named group (out of any other), and widen its regions to theirs."""
        if not ids:
            return
        connection.execute(delete(named_group_members).where(named_group_members.c.signal_id.in_(list(ids))))
        for signal_id in ids:
            connection.execute(
                insert(named_group_members).values(
                    signal_id=signal_id, group_id=group_id, staff_id=staff_id, added_at=now(), moved=moved
                )
            )
        known = connection.execute(
            select(named_groups.c.regions).where(named_groups.c.id == group_id)
        ).scalar()
        regions = sorted(set(known or []) | set(self._regions_of(connection, ids)))
        connection.execute(update(named_groups).where(named_groups.c.id == group_id).values(regions=regions))

    def move_to_group(self, staff_id: int, signal_ids: Sequence[str], group_id: int) -> int:
        """Move questions (that this store may read) into a named group it may see; how many.
        A moved question is a correction of one question: it stays in the group, but does not
        pull later questions like it in (they may be about what the group it left is about)."""
        if self.named_group(group_id) is None:
            raise ValueError("onbekende groep")
        ids = [row["id"] for row in self.by_ids(signal_ids)]
        with self.engine.begin() as connection:
            self._put(connection, staff_id, group_id, ids, moved=True)
        return len(ids)

    def merge_groups(
        self, staff_id: int, name: str, signal_ids: Sequence[str], group_ids: Sequence[int] = ()
    ) -> int:
        """Merge groups into one named group: the first of the named `group_ids` (the others'
        questions move into it and they go), else a new one. `signal_ids`: the questions of
        the unnamed groups merged in. Returns the group's id."""
        visible = [g for g in (self.named_group(i) for i in dict.fromkeys(group_ids)) if g]
        if len(visible) != len(set(group_ids)):
            raise ValueError("onbekende groep")
        ids = list(signal_ids) + [sid for g in visible[1:] for sid in g["members"]]
        if not visible:
            return self.name_group(staff_id, name, ids)
        target = visible[0]["id"]
        self.name_group(staff_id, name or visible[0]["name"], ids, group_id=target)
        with self.engine.begin() as connection:
            for other in visible[1:]:
                left = connection.execute(
                    select(named_group_members.c.signal_id).where(
                        named_group_members.c.group_id == other["id"]
                    )
                ).first()
                if left is None:  # (questions of other regions would keep it)
                    connection.execute(delete(named_groups).where(named_groups.c.id == other["id"]))
        return target


def iter_export(rows: Sequence[Dict[str, Any]]) -> Iterator[Dict[str, Any]]:
    """Signals as analysts export them (JSON lines, CSV): every field but the internal id."""
    for row in rows:
        yield {
            "time": row["created_at"].isoformat(timespec="minutes") + "Z",
            "kind": row["kind"],
            "reason": row["reason"],
            "channel": row["channel"],
            "audience": row["audience"],
            "region": row["region"],
            "content_id": row["content_id"],
            "candidates": row["candidates"] or [],
            "intents": row["intents"] or [],
            "ticket": row["ticket"],
            "text": row["text"],
        }


EXPORT_FIELDS = (
    "time",
    "kind",
    "reason",
    "channel",
    "audience",
    "region",
    "content_id",
    "candidates",
    "intents",
    "ticket",
    "text",
)
