"""The versions of content files that editors write in the staff app (staff/editorial.py).

Every version is kept: concept, ter controle, gepubliceerd, teruggestuurd; with the full file
text, its author, its reviewer, when and why. Four eyes: the author of a version can offer it for
review but never approve it. Every change is in the audit log. Writing the file itself is the
caller's (staff/editorial.py, with library/editing.py): this module knows only the database.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import List, Optional

from sqlalchemy import insert, select, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError

from steunpunt.clock import now
from store import audit
from store.schema import CONTENT_STATUSES, audit_log, content_versions, staff, topic_drafts

CONCEPT, OFFERED, PUBLISHED, RETURNED = CONTENT_STATUSES
MAX_REMARK = 1000


class ReviewError(ValueError):
    """A step of the review that is not allowed (the message says why, in Dutch)."""


@dataclass(frozen=True)
class Version:
    id: int
    region: str
    topic_id: str
    kind: str
    status: str
    text: str
    author_id: Optional[int]
    author: Optional[str]
    created_at: datetime
    submitted_at: Optional[datetime]
    reviewer_id: Optional[int]
    reviewer: Optional[str]
    reviewed_at: Optional[datetime]
    remark: Optional[str]
    restored_from: Optional[int]

    @property
    def open(self) -> bool:
        return self.status in (CONCEPT, OFFERED)


@dataclass(frozen=True)
class DraftTopic:
    """A new topic made from a group of unmet questions: it waits for training (an intent with
    examples in data/nlu/ and a retrained model) until a developer takes it up."""

    region: str
    topic_id: str
    decision_id: Optional[int]
    examples: List[str]
    created_by: Optional[str]
    created_at: datetime


class ContentVersions:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    # --- reading ---------------------------------------------------------------------------
    def _select(self):
        author, reviewer = staff.alias("author"), staff.alias("reviewer")
        return select(
            content_versions,
            author.c.username.label("author"),
            reviewer.c.username.label("reviewer"),
        ).select_from(
            content_versions.outerjoin(author, content_versions.c.author_id == author.c.id).outerjoin(
                reviewer, content_versions.c.reviewer_id == reviewer.c.id
            )
        )

    @staticmethod
    def _version(row) -> Version:
        return Version(**{name: getattr(row, name) for name in Version.__dataclass_fields__})

    def history(self, region: str, topic_id: str) -> List[Version]:
        """Every version of one file, newest first."""
        query = (
            self._select()
            .where(content_versions.c.region == region, content_versions.c.topic_id == topic_id)
            .order_by(content_versions.c.id.desc())
        )
        with self.engine.connect() as connection:
            return [self._version(row) for row in connection.execute(query)]

    def get(self, region: str, topic_id: str, version_id: int) -> Version:
        """One version of this file; KeyError for any other id (another file's, another region's)."""
        query = self._select().where(
            content_versions.c.id == version_id,
            content_versions.c.region == region,
            content_versions.c.topic_id == topic_id,
        )
        with self.engine.connect() as connection:
            row = connection.execute(query).first()
        if row is None:
            raise KeyError(version_id)
        return self._version(row)

    def open_versions(self, regions: Optional[set] = None) -> dict:
        """(region, topic_id) -> the newest open version (concept or ter controle)."""
        query = self._select().where(content_versions.c.status.in_((CONCEPT, OFFERED)))
        found: dict = {}
        with self.engine.connect() as connection:
            for row in connection.execute(query.order_by(content_versions.c.id)):
                if regions is None or row.region in regions:
                    found[(row.region, row.topic_id)] = self._version(row)
        return found

    def latest_published(self, region: str, topic_id: str) -> Optional[Version]:
        return next((v for v in self.history(region, topic_id) if v.status == PUBLISHED), None)

    # --- changing --------------------------------------------------------------------------
    def record_file(self, region: str, topic_id: str, kind: str, text: str) -> Optional[Version]:
        """Keep the file's text as a published version "uit het bestand" when it is not the
        newest published version (the start of the history, or a developer's edit in content/)."""
        latest = self.latest_published(region, topic_id)
        if latest is not None and latest.text == text:
            return None
        with self.engine.begin() as connection:
            new_id = connection.execute(
                insert(content_versions).values(
                    region=region,
                    topic_id=topic_id,
                    kind=kind,
                    status=PUBLISHED,
                    text=text,
                    created_at=now(),
                    reviewed_at=now(),
                    remark="tekst uit het bestand in content/",
                )
            ).inserted_primary_key[0]
        return self.get(region, topic_id, new_id)

    def save_concept(
        self, region: str, topic_id: str, kind: str, text: str, staff_id: int, remark: str = ""
    ) -> Version:
        """Save as concept: the author's own newest concept is updated, else a new version."""
        remark = _remark(remark)
        history = self.history(region, topic_id)
        own = next((v for v in history if v.status == CONCEPT and v.author_id == staff_id), None)
        with self.engine.begin() as connection:
            if own is not None and history[0].id == own.id:
                connection.execute(
                    update(content_versions)
                    .where(content_versions.c.id == own.id)
                    .values(text=text, created_at=now(), remark=remark or own.remark)
                )
                version_id = own.id
            else:
                version_id = connection.execute(
                    insert(content_versions).values(
                        region=region,
                        topic_id=topic_id,
                        kind=kind,
                        status=CONCEPT,
                        text=text,
                        author_id=staff_id,
                        created_at=now(),
                        remark=remark or None,
                    )
                ).inserted_primary_key[0]
            _audit(connection, staff_id, "tekst opgeslagen", region, topic_id, version_id)
        return self.get(region, topic_id, version_id)

    def offer(self, region: str, topic_id: str, version_id: int, staff_id: int) -> Version:
        """ "Ter controle aanbieden": only a concept, only by its author."""
        version = self.get(region, topic_id, version_id)
        if version.status != CONCEPT:
            raise ReviewError("Alleen een concept kan ter controle worden aangeboden.")
        if version.author_id != staff_id:
            raise ReviewError("Alleen de schrijver van dit concept kan het aanbieden.")
        return self._step(version, staff_id, "tekst ter controle", status=OFFERED, submitted_at=now())

    def approve(self, region: str, topic_id: str, version_id: int, staff_id: int) -> Version:
        """ "Goedkeuren en publiceren": a version offered for review, by another editor. The
        caller writes the file first; this marks the version published."""
        version = self.check_reviewer(region, topic_id, version_id, staff_id)
        return self._step(
            version, staff_id, "tekst gepubliceerd", status=PUBLISHED, reviewer_id=staff_id, reviewed_at=now()
        )

    def send_back(self, region: str, topic_id: str, version_id: int, staff_id: int, remark: str) -> Version:
        """ "Terugsturen" with a remark: the author can save a new concept from it."""
        remark = _remark(remark)
        if not remark:
            raise ReviewError("Schrijf waarom je de tekst terugstuurt.")
        version = self.check_reviewer(region, topic_id, version_id, staff_id)
        return self._step(
            version,
            staff_id,
            "tekst teruggestuurd",
            status=RETURNED,
            reviewer_id=staff_id,
            reviewed_at=now(),
            remark=remark,
        )

    def check_reviewer(self, region: str, topic_id: str, version_id: int, staff_id: int) -> Version:
        version = self.get(region, topic_id, version_id)
        if version.status != OFFERED:
            raise ReviewError("Deze versie is niet ter controle aangeboden.")
        if version.author_id == staff_id:
            raise ReviewError("Je kunt je eigen tekst niet goedkeuren: vraag een andere redacteur.")
        return version

    def restore(self, region: str, topic_id: str, version_id: int, staff_id: int) -> Version:
        """ "Terugzetten": a new version with an earlier version's text, offered for review at
        once (a restore is checked like any change)."""
        old = self.get(region, topic_id, version_id)
        with self.engine.begin() as connection:
            new_id = connection.execute(
                insert(content_versions).values(
                    region=region,
                    topic_id=topic_id,
                    kind=old.kind,
                    status=OFFERED,
                    text=old.text,
                    author_id=staff_id,
                    created_at=now(),
                    submitted_at=now(),
                    remark=f"teruggezet naar versie {old.id}",
                    restored_from=old.id,
                )
            ).inserted_primary_key[0]
            _audit(connection, staff_id, "tekst teruggezet", region, topic_id, new_id, f"van versie {old.id}")
        return self.get(region, topic_id, new_id)

    # --- new topics from signals ("nieuw onderwerp nodig") ---------------------------------------
    def create_draft_topic(
        self,
        region: str,
        topic_id: str,
        kind: str,
        text: str,
        examples: List[str],
        decision_id: Optional[int],
        staff_id: int,
    ) -> Version:
        """A new topic's first concept and its draft training examples, in one transaction. A
        topic id already taken (in any region: one intent serves all) is a ReviewError."""
        examples = list(dict.fromkeys(" ".join(e.split()) for e in examples if e and e.strip()))
        try:
            with self.engine.begin() as connection:
                connection.execute(
                    insert(topic_drafts).values(
                        region=region,
                        topic_id=topic_id,
                        decision_id=decision_id,
                        examples=examples,
                        created_by=staff_id,
                        created_at=now(),
                    )
                )
                version_id = connection.execute(
                    insert(content_versions).values(
                        region=region,
                        topic_id=topic_id,
                        kind=kind,
                        status=CONCEPT,
                        text=text,
                        author_id=staff_id,
                        created_at=now(),
                        remark="nieuw onderwerp uit signalen",
                    )
                ).inserted_primary_key[0]
                _audit(
                    connection,
                    staff_id,
                    "concept-onderwerp gemaakt",
                    region,
                    topic_id,
                    version_id,
                    f"groep {decision_id}, {len(examples)} voorbeeldvragen",
                )
        except IntegrityError:
            raise ReviewError(f"Het onderwerp {topic_id} bestaat al als concept.") from None
        return self.get(region, topic_id, version_id)

    def draft_topics(self, regions: Optional[set] = None) -> List[DraftTopic]:
        """Every draft topic (of these regions), oldest first."""
        query = (
            select(topic_drafts, staff.c.username)
            .select_from(topic_drafts.outerjoin(staff, topic_drafts.c.created_by == staff.c.id))
            .order_by(topic_drafts.c.id)
        )
        with self.engine.connect() as connection:
            rows = connection.execute(query).mappings().all()
        return [
            DraftTopic(
                region=row["region"],
                topic_id=row["topic_id"],
                decision_id=row["decision_id"],
                examples=list(row["examples"] or []),
                created_by=row["username"],
                created_at=row["created_at"],
            )
            for row in rows
            if regions is None or row["region"] in regions
        ]

    def draft_topic(self, region: str, topic_id: str) -> Optional[DraftTopic]:
        return next((d for d in self.draft_topics({region}) if d.topic_id == topic_id), None)

    def taken_topic_ids(self) -> set:
        with self.engine.connect() as connection:
            return {row[0] for row in connection.execute(select(topic_drafts.c.topic_id))}

    def newest_text(self, region: str, topic_id: str) -> Optional[Version]:
        """The version a developer should take: the newest open one, else the newest published."""
        history = self.history(region, topic_id)
        return next((v for v in history if v.open), None) or next(
            (v for v in history if v.status == PUBLISHED), None
        )

    def _step(self, version: Version, staff_id: int, action: str, **values) -> Version:
        with self.engine.begin() as connection:
            changed = connection.execute(
                update(content_versions)
                .where(content_versions.c.id == version.id, content_versions.c.status == version.status)
                .values(**values)
            ).rowcount
            if not changed:  # someone else took this step just now
                raise ReviewError("Deze versie is intussen veranderd. Laad de pagina opnieuw.")
            _audit(connection, staff_id, action, version.region, version.topic_id, version.id)
        return self.get(version.region, version.topic_id, version.id)

    def audit_entries(self, region: str, topic_id: str) -> list:
        prefix = f"{region}/{topic_id} "
        with self.engine.connect() as connection:
            return list(
                connection.execute(
                    select(audit_log.c.action, audit_log.c.detail, audit_log.c.created_at, staff.c.username)
                    .select_from(audit_log.outerjoin(staff, audit_log.c.staff_id == staff.c.id))
                    .where(audit_log.c.detail.startswith(prefix))
                    .order_by(audit_log.c.id)
                )
            )


def _remark(text: Optional[str]) -> str:
    text = (text or "").strip()
    if len(text) > MAX_REMARK:
        raise ReviewError(f"Een opmerking is hoogstens {MAX_REMARK} tekens.")
    return text


def _audit(
    connection, staff_id: int, action: str, region: str, topic_id: str, version_id: int, extra: str = ""
) -> None:
    detail = f"{region}/{topic_id} versie {version_id}" + (f" ({extra})" if extra else "")
    audit.write(connection, staff_id, action, detail, now())
