"""The tables. Changes go through a new migration in store/migrations/versions/."""
from sqlalchemy import (JSON, Column, DateTime, ForeignKey, Integer, MetaData, String, Table,
                        Text)

metadata = MetaData()

STATUSES = ("nieuw", "in behandeling", "afgehandeld")

staff = Table(
    "staff", metadata,
    Column("id", Integer, primary_key=True),
    Column("username", String(80), nullable=False, unique=True),
    Column("password_hash", String(200), nullable=False),
    Column("created_at", DateTime, nullable=False),
)

staff_sessions = Table(
    "staff_sessions", metadata,
    Column("token_hash", String(64), primary_key=True),
    Column("staff_id", Integer, ForeignKey("staff.id"), nullable=False),
    Column("csrf_token", String(64), nullable=False),
    Column("expires_at", DateTime, nullable=False),
)

tickets = Table(
    "tickets", metadata,
    Column("id", Integer, primary_key=True),
    Column("code_hash", String(64), unique=True, index=True),  # HMAC of the code, never the code
    Column("status", String(20), nullable=False),
    Column("audience", String(10)),
    Column("channel", String(30)),
    Column("topic_guess", JSON),   # [{"topic": id, "confidence": 0.42}, ...]
    Column("transcript", JSON),    # [{"from": "user"|"bot", "text": ..., "time": iso}, ...]
    Column("description", Text),
    Column("contact", String(200)),  # e-mail or phone; parents only, optional
    Column("assigned_to", Integer, ForeignKey("staff.id")),
    Column("reply", Text),
    Column("replied_at", DateTime),
    Column("created_at", DateTime, nullable=False, index=True),
    Column("updated_at", DateTime, nullable=False),
)

ticket_notes = Table(
    "ticket_notes", metadata,
    Column("id", Integer, primary_key=True),
    Column("ticket_id", Integer, ForeignKey("tickets.id"), nullable=False, index=True),
    Column("staff_id", Integer, ForeignKey("staff.id"), nullable=False),
    Column("text", Text, nullable=False),
    Column("created_at", DateTime, nullable=False),
)

audit_log = Table(
    "audit_log", metadata,
    Column("id", Integer, primary_key=True),
    Column("staff_id", Integer, ForeignKey("staff.id")),
    Column("action", String(40), nullable=False),
    Column("ticket_id", Integer, ForeignKey("tickets.id"), index=True),
    Column("detail", Text),
    Column("created_at", DateTime, nullable=False),
)

attempts = Table(
    "attempts", metadata,
    Column("key", String(200), primary_key=True),  # e.g. "code:<sender>", "login:<name>"
    Column("failures", Integer, nullable=False),
    Column("last_failure", DateTime, nullable=False),
)
