"""The tables. Changes go through a new migration in store/migrations/versions/."""

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    false as sa_false,
)

metadata = MetaData()

STATUSES = ("nieuw", "in behandeling", "afgehandeld")

staff = Table(
    "staff",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("username", String(80), nullable=False, unique=True),
    Column("password_hash", String(200), nullable=False),
    Column("created_at", DateTime, nullable=False),
    Column("role", String(20), nullable=False, server_default="medewerker"),  # see ROLES
    Column("disabled_at", DateTime),  # set: no login, no session
    # The regions whose tickets and signals this account sees: "*" (national) or "a,b".
    Column("regions", String(2000), nullable=False, server_default="*"),
)

staff_sessions = Table(
    "staff_sessions",
    metadata,
    Column("token_hash", String(64), primary_key=True),
    Column("staff_id", Integer, ForeignKey("staff.id"), nullable=False),
    Column("csrf_token", String(64), nullable=False),
    Column("expires_at", DateTime, nullable=False),
)

tickets = Table(
    "tickets",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("code_hash", String(64), unique=True, index=True),  # HMAC of the code, never the code
    Column("status", String(20), nullable=False),
    Column("audience", String(10)),
    Column("channel", String(30)),
    Column("topic_guess", JSON),  # [{"topic": id, "confidence": 0.42}, ...]
    Column("transcript", JSON),  # [{"from": "user"|"bot", "text": ..., "time": iso}, ...]
    Column("description", Text),
    Column("contact", String(200)),  # e-mail or phone; parents only, optional
    Column("assigned_to", Integer, ForeignKey("staff.id")),
    Column("reply", Text),
    Column("replied_at", DateTime),
    Column("created_at", DateTime, nullable=False, index=True),
    Column("updated_at", DateTime, nullable=False),
    Column("erased_at", DateTime),  # personal data removed on request; the number stays
    Column("region", String(40), nullable=False, index=True),  # steunpunt/regions.py
)

ticket_notes = Table(
    "ticket_notes",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("ticket_id", Integer, ForeignKey("tickets.id"), nullable=False, index=True),
    Column("staff_id", Integer, ForeignKey("staff.id"), nullable=False),
    Column("text", Text, nullable=False),
    Column("created_at", DateTime, nullable=False),
)

audit_log = Table(
    "audit_log",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("staff_id", Integer, ForeignKey("staff.id")),
    Column("action", String(40), nullable=False),
    Column("ticket_id", Integer, ForeignKey("tickets.id"), index=True),
    Column("detail", Text),
    Column("created_at", DateTime, nullable=False),
)

attempts = Table(
    "attempts",
    metadata,
    Column("key", String(200), primary_key=True),  # SHA-256 of e.g. "code:<sender>", "login:<name>"
    Column("failures", Integer, nullable=False),
    Column("last_failure", DateTime, nullable=False),
)

#: medewerker: tickets and live chat; analist: signals and figures; redacteur: the texts
#: ("Teksten", staff/editorial.py) and the region's facts, of its own regions only.
ROLES = ("medewerker", "analist", "redacteur")

# Signals: one row per turn of the assistant (signals/), for the analysts. No sender id, no
# address and no exact time (the hour only), so rows of one person cannot be linked; a random
# id, so the order of rows says nothing either. Text only for turns the bot could not answer,
# and only after redaction.
signals = Table(
    "signals",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("created_at", DateTime, nullable=False, index=True),  # UTC, whole hour
    Column("channel", String(30)),
    Column("audience", String(10)),
    Column("region", String(40), nullable=False),
    Column("kind", String(20), nullable=False),
    Column("reason", String(30)),
    Column("content_id", String(80)),
    Column("candidates", JSON),  # clarify: the topics offered
    Column("intents", JSON),  # [{"intent": name, "confidence": 0.42}, ...] top 3
    Column("ticket", String(20)),  # e.g. SP-00042 when this turn made a ticket
    Column("text", Text),  # redacted; only for turns that were not a confident answer
)

# Counts of signals that retention deleted, per day and kind, so reports over old periods
# still add up. Empty strings stand for "none" (a unique key must not contain NULL).
signal_counts = Table(
    "signal_counts",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("day", Date, nullable=False, index=True),
    Column("channel", String(30), nullable=False),
    Column("audience", String(10), nullable=False),
    Column("region", String(40), nullable=False),
    Column("kind", String(20), nullable=False),
    Column("reason", String(30), nullable=False),
    Column("content_id", String(80), nullable=False),
    Column("count", Integer, nullable=False),
    UniqueConstraint(
        "day", "channel", "audience", "region", "kind", "reason", "content_id", name="uq_signal_counts_key"
    ),
)

# What an analyst decided about a group of unmet questions.
group_decisions = Table(
    "group_decisions",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("created_at", DateTime, nullable=False),
    Column("staff_id", Integer, ForeignKey("staff.id"), nullable=False),
    Column("decision", String(20), nullable=False),  # "nieuw_onderwerp" | "bestaand_onderwerp"
    Column("topic_id", String(80)),  # the existing or proposed topic
    Column("label", String(200), nullable=False),
    Column("signal_ids", JSON, nullable=False),
)

# Groups of unmet questions that an analyst named (and merged, and moved questions into): they
# keep their name and questions from month to month, and later questions like them join them
# (signals/groups.py). `regions`: the regions of its questions when it was made; an analyst of
# other regions never sees its name.
named_groups = Table(
    "named_groups",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("created_at", DateTime, nullable=False),
    Column("staff_id", Integer, ForeignKey("staff.id"), nullable=False),
    Column("name", String(200), nullable=False),
    Column("regions", JSON, nullable=False),
)

# Which named group a question was put in by an analyst: one group per question at most.
named_group_members = Table(
    "named_group_members",
    metadata,
    Column("signal_id", String(32), primary_key=True),
    Column("group_id", Integer, ForeignKey("named_groups.id"), nullable=False, index=True),
    Column("staff_id", Integer, ForeignKey("staff.id"), nullable=False),
    Column("added_at", DateTime, nullable=False),
    # Moved in one by one: kept in the group, but not what the group is about (later questions
    # join a group by its merged and named questions only).
    Column("moved", Boolean, nullable=False, server_default=sa_false()),
)

# Minutes a staff member spent on a ticket ("tijdsinvestering" in the steunpunt's reports).
ticket_time = Table(
    "ticket_time",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("ticket_id", Integer, ForeignKey("tickets.id"), nullable=False, index=True),
    Column("staff_id", Integer, ForeignKey("staff.id"), nullable=False),
    Column("minutes", Integer, nullable=False),
    Column("created_at", DateTime, nullable=False),
)

# The conversations a ticket came from: the one that made it and every one that read it back
# with its code, so that erasing the ticket can find them in Rasa's tracker store. Only a keyed
# hash of Rasa's sender id (store/conversations.py): a sender id can be a live chat session.
ticket_conversations = Table(
    "ticket_conversations",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("ticket_id", Integer, ForeignKey("tickets.id"), nullable=False, index=True),
    Column("conversation", String(64), nullable=False),
    Column("created_at", DateTime, nullable=False),
    UniqueConstraint("ticket_id", "conversation", name="uq_ticket_conversations"),
)

# Staff available for live chat (issue 25): one row per staff member who switched
# "Beschikbaar voor chat" on. Counts only while the member's session lives and `last_seen` is
# recent (store/presence.py); switching off or logging out removes the row.
staff_presence = Table(
    "staff_presence",
    metadata,
    Column("staff_id", Integer, ForeignKey("staff.id"), primary_key=True),
    Column("since", DateTime, nullable=False),
    Column("last_seen", DateTime, nullable=False),
)

# Live chat (issue 25, store/live.py): a parent or youth who chose to chat with a person now.
# `conversation` is Rasa's sender id while the chat is open (to reach the widget); when it is
# closed it is replaced by its keyed hash, as in ticket_conversations. The transcript of the
# bot's turns before the chat is kept only until the chat becomes a ticket.
LIVE_STATUSES = ("waiting", "active", "ended", "timed_out", "abandoned")
live_chats = Table(
    "live_chats",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("conversation", String(128), nullable=False, index=True),
    Column("region", String(40), nullable=False, index=True),
    Column("audience", String(10)),
    Column("channel", String(30)),
    Column("status", String(12), nullable=False, index=True),  # LIVE_STATUSES
    Column("queued_at", DateTime, nullable=False, index=True),
    Column("claimed_at", DateTime),
    Column("ended_at", DateTime),
    Column("staff_id", Integer, ForeignKey("staff.id")),  # who has it now
    Column("code_hash", String(64)),  # the code the user got when queued; moves to the ticket
    Column("ticket_id", Integer, ForeignKey("tickets.id"), index=True),
    Column("transcript", JSON),  # the bot's conversation before the chat, for the staff member
    Column("outcome", String(20)),  # the ticket status the staff member chose at the end
    Column("ended_by", String(12)),  # staff, timeout, offline, abandoned
    Column("user_seen_at", DateTime),  # the widget is connected (a heartbeat of its Rasa process)
    Column("closed_at", DateTime),  # the user side has been told the chat ended
)

live_messages = Table(
    "live_messages",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("chat_id", Integer, ForeignKey("live_chats.id"), nullable=False, index=True),
    Column("sender", String(8), nullable=False),  # user, staff, system
    Column("kind", String(12), nullable=False),  # message, claimed, transferred, ended
    Column("staff_id", Integer, ForeignKey("staff.id")),
    Column("text", Text, nullable=False),
    Column("client_id", String(64)),  # a resent message (after a reconnect) is stored once
    Column("created_at", DateTime, nullable=False),
    UniqueConstraint("chat_id", "client_id", name="uq_live_messages_client_id"),
)

# Every version of a content file edited in the staff app ("Teksten", staff/editorial.py):
# concept, ter controle, gepubliceerd or teruggestuurd, with the full file text, who wrote it and
# who reviewed it, when and why. Publishing writes `text` to the file in content/ (the source of
# truth); a text found changed in the file is kept here as a version "uit het bestand".
CONTENT_STATUSES = ("concept", "ter controle", "gepubliceerd", "teruggestuurd")
content_versions = Table(
    "content_versions",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("region", String(40), nullable=False),  # the default region: the national files
    Column("topic_id", String(80), nullable=False),
    Column("kind", String(10), nullable=False),  # "topic" (topics/<id>.md) or "sections"
    Column("status", String(20), nullable=False, index=True),  # CONTENT_STATUSES
    Column("text", Text, nullable=False),
    Column("author_id", Integer, ForeignKey("staff.id")),  # None: found in the file
    Column("created_at", DateTime, nullable=False),
    Column("submitted_at", DateTime),
    Column("reviewer_id", Integer, ForeignKey("staff.id")),
    Column("reviewed_at", DateTime),
    Column("remark", Text),  # why: the author's note, or the reviewer's reason to send it back
    Column("restored_from", Integer),  # "Terugzetten": the version this one copies
)

# A new topic made from a group of unmet questions ("nieuw onderwerp nodig", issue 26 item 9):
# its text is a content version (concept); its draft training examples (redacted signal texts)
# wait here for the developers (`python -m staff.cli export-drafts`). A topic id is one intent
# for every region: unique over all regions.
topic_drafts = Table(
    "topic_drafts",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("region", String(40), nullable=False),
    Column("topic_id", String(80), nullable=False, unique=True),
    Column("decision_id", Integer, ForeignKey("group_decisions.id")),
    Column("examples", JSON, nullable=False),
    Column("created_by", Integer, ForeignKey("staff.id")),
    Column("created_at", DateTime, nullable=False),
)

# WhatsApp (issue 27, store/whatsapp.py). How to reach a WhatsApp conversation: Rasa only knows
# it by a keyed hash of the phone number, so the number waits here, sealed, for as long as Meta
# lets us write to it (24 hours after the user's last message; purged after that, and deleted
# with the ticket when it is erased). `conversation` is conversation_key() of the sender id,
# as in ticket_conversations.
whatsapp_routes = Table(
    "whatsapp_routes",
    metadata,
    Column("conversation", String(64), primary_key=True),
    Column("phone_number_id", String(40), nullable=False),  # the steunpunt's number it came in on
    Column("wa_id", Text, nullable=False),  # sealed (steunpunt/sealed.py)
    Column("last_inbound_at", DateTime, nullable=False, index=True),
)

# Things done once across all processes: a WhatsApp message id answered, a live chat message
# sent to WhatsApp. Only a keyed hash of the key (a message id encodes the phone number).
done_once = Table(
    "done_once",
    metadata,
    Column("key", String(64), primary_key=True),
    Column("done_at", DateTime, nullable=False, index=True),
)
