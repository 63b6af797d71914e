"""Tables. Times are aware datetimes, stored and returned in UTC; local time is for display."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Column, Index, Text, UniqueConstraint
from sqlmodel import Field, SQLModel


class Message(SQLModel, table=True):
    """The raw archive: every inbound message, written before anything else happens."""

    __tablename__ = "messages"
    __table_args__ = (UniqueConstraint("transport", "message_id", name="uq_messages_transport_mid"),)
    id: int | None = Field(default=None, primary_key=True)
    transport: str = Field(max_length=32)
    message_id: str = Field(max_length=128)
    group_id: int | None = Field(default=None, foreign_key="groups.id", index=True)
    sender_id: str = Field(max_length=128, index=True)
    sender_name: str = Field(default="", max_length=128)
    type: str = Field(default="text", max_length=16)
    text: str | None = Field(default=None, sa_column=Column(Text))
    time: datetime = Field(index=True)
    is_group: bool = True
    raw: str | None = Field(default=None, sa_column=Column(Text))
    parse: str | None = Field(default=None, sa_column=Column(Text))
    status: str = Field(default="new", max_length=16)  # new | done | failed | skipped | stale
    error: str | None = Field(default=None, sa_column=Column(Text))


class Group(SQLModel, table=True):
    """A chat group under our own stable id, bound to a transport's room id."""

    __tablename__ = "groups"
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=128, index=True)
    transport: str = Field(default="console", max_length=32)
    external_id: str | None = Field(default=None, max_length=128, index=True)
    digest_time: str | None = Field(default=None, max_length=5)
    echo_requests: bool | None = None  # None: the config's requests.echo_in_group
    paused: bool = False
    is_cadre_group: bool = False
    created_at: datetime


class Member(SQLModel, table=True):
    """A person under a stable sender id; display names are only what they were seen as."""

    __tablename__ = "members"
    id: int | None = Field(default=None, primary_key=True)
    sender_id: str = Field(max_length=128, unique=True)
    display_name: str = Field(default="", max_length=128)
    names_seen: str = Field(default="", sa_column=Column(Text))
    role: str = Field(default="member", max_length=16)  # member | cadre | admin
    created_at: datetime


class Posting(SQLModel, table=True):
    """A job post (kind job) or a labour offer (kind offer). Its id is the number users see."""

    __tablename__ = "postings"
    # Matching reads open postings of one group and kind by job family, newest first.
    __table_args__ = (Index("ix_postings_match", "group_id", "kind", "status", "family", "id"),
                      Index("ix_postings_recent", "group_id", "kind", "status", "id"))
    id: int | None = Field(default=None, primary_key=True)
    # kind and status are served by the composite indexes above: single-column indexes on
    # them are so unselective that SQLite would pick them over the right one.
    kind: str = Field(default="job", max_length=8)
    group_id: int | None = Field(default=None, foreign_key="groups.id", index=True)
    poster_id: str = Field(max_length=128, index=True)
    poster_name: str = Field(default="", max_length=128)
    status: str = Field(default="open", max_length=16)
    headcount: int | None = None
    job: str | None = Field(default=None, max_length=64, index=True)
    family: str | None = Field(default=None, max_length=32)  # job family from the lexicon
    task: str | None = Field(default=None, max_length=128)
    employer: str | None = Field(default=None, max_length=128, index=True)
    location: str | None = Field(default=None, max_length=128)
    pay_min: float | None = None
    pay_max: float | None = None
    pay_unit: str | None = Field(default=None, max_length=8)
    settlement: str | None = Field(default=None, max_length=16)
    start_date: date | None = None
    end_date: date | None = None
    contact: str | None = Field(default=None, max_length=32)
    # The terms workers decide on (parse.md): age range, one gender, board, shift, licence.
    age_min: int | None = None
    age_max: int | None = None
    gender: str | None = Field(default=None, max_length=8)  # male | female
    board: str | None = Field(default=None, max_length=16)  # meals+lodging | lodging | meals
    shift: str | None = Field(default=None, max_length=16)  # night | day | rotating
    licence: str | None = Field(default=None, max_length=32)
    text: str = Field(default="", sa_column=Column(Text))
    source_message_id: int | None = Field(default=None, foreign_key="messages.id")
    created_at: datetime = Field(index=True)
    updated_at: datetime


class Claim(SQLModel, table=True):
    """One person's claim on a posting (a second claim by them updates this one)."""

    __tablename__ = "claims"
    __table_args__ = (UniqueConstraint("posting_id", "claimant_id", name="uq_claims_posting_claimant"),)
    id: int | None = Field(default=None, primary_key=True)
    posting_id: int = Field(foreign_key="postings.id", index=True)
    claimant_id: str = Field(max_length=128)
    claimant_name: str = Field(default="", max_length=128)
    headcount: int = 1
    status: str = Field(default="active", max_length=16)  # active | cancelled
    source: str = Field(default="message", max_length=16)  # message | command | roster
    message_id: int | None = Field(default=None, foreign_key="messages.id")
    poster_notified_at: datetime | None = None  # when the poster was told of this claim
    created_at: datetime
    updated_at: datetime


class MatchNotice(SQLModel, table=True):
    """A job posting and an offer the bot has put together once: never again for that pair."""

    __tablename__ = "match_notices"
    __table_args__ = (UniqueConstraint("posting_id", "offer_id", name="uq_match_pair"),)
    id: int | None = Field(default=None, primary_key=True)
    posting_id: int = Field(foreign_key="postings.id", index=True)
    offer_id: int = Field(foreign_key="postings.id", index=True)
    time: datetime


class Request(SQLModel, table=True):
    """A request (诉求). Its id is the R-number users see."""

    __tablename__ = "requests"
    id: int | None = Field(default=None, primary_key=True)
    group_id: int | None = Field(default=None, foreign_key="groups.id", index=True)
    requester_id: str = Field(max_length=128, index=True)
    requester_name: str = Field(default="", max_length=128)
    via: str = Field(default="group", max_length=8)  # group | direct
    text: str = Field(default="", sa_column=Column(Text))
    category: str = Field(default="其他", max_length=16)
    urgency: str = Field(default="small", max_length=8)  # small | urgent | hard
    status: str = Field(default="filed", max_length=16, index=True)
    department: str | None = Field(default=None, max_length=64)
    deadline: datetime | None = None
    resolution: str | None = Field(default=None, sa_column=Column(Text))
    message_id: int | None = Field(default=None, foreign_key="messages.id")
    created_at: datetime
    resolved_at: datetime | None = None
    first_response_at: datetime | None = None  # the first cadre action: 小事当场回应
    paused_at: datetime | None = None  # waiting on the requester (#待补充): the clock stops
    overdue_at: datetime | None = None  # when the sweep found it past its deadline
    escalated_at: datetime | None = None  # when it went to the cadre group, twice overdue
    pressed_at: datetime | None = None  # the last daily 督办 line after the escalation
    rating: int | None = None  # 1-5; 满意 = 5, 不满意 = 1
    rating_asked_at: datetime | None = None
    attachments: str = Field(default="", sa_column=Column(Text))  # archived message ids


class RequestEvent(SQLModel, table=True):
    """Every status change of a request, with who did it and when."""

    __tablename__ = "request_events"
    id: int | None = Field(default=None, primary_key=True)
    request_id: int = Field(foreign_key="requests.id", index=True)
    status: str = Field(max_length=16)
    actor_id: str = Field(max_length=128)
    note: str | None = Field(default=None, sa_column=Column(Text))
    time: datetime
    # The deadline in force after this step: on time is judged against the deadline that
    # stood when it passed, whatever a later #定级 or #重办 set (scheduler.request_figures).
    deadline: datetime | None = None


class Allocation(SQLModel, table=True):
    """A confirmed placement (调配): who went to which posting, for how long, for what pay."""

    __tablename__ = "allocations"
    id: int | None = Field(default=None, primary_key=True)
    posting_id: int = Field(foreign_key="postings.id", index=True)
    worker_id: str = Field(max_length=128)
    worker_name: str = Field(default="", max_length=128)
    days: float = 1.0
    pay_total: float | None = None
    confirmed_by: str = Field(max_length=128)
    time: datetime


class AuditLog(SQLModel, table=True):
    """Every admin action, allowed or refused. Never edited through the bot."""

    __tablename__ = "audit_log"
    id: int | None = Field(default=None, primary_key=True)
    time: datetime = Field(index=True)
    actor_id: str = Field(max_length=128)
    group_id: int | None = Field(default=None, foreign_key="groups.id")
    action: str = Field(max_length=32)
    target: str | None = Field(default=None, max_length=64)
    before: str | None = Field(default=None, sa_column=Column(Text))
    after: str | None = Field(default=None, sa_column=Column(Text))
    allowed: bool = True


class Outbox(SQLModel, table=True):
    """Replies written in the same transaction as the work that caused them, then sent."""

    __tablename__ = "outbox"
    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(max_length=160, unique=True)  # idempotency key
    group_id: int | None = Field(default=None, foreign_key="groups.id")
    to_id: str | None = Field(default=None, max_length=128)
    text: str = Field(sa_column=Column(Text))
    mentions: str = Field(default="", sa_column=Column(Text))
    file: str | None = Field(default=None, max_length=512)
    reply_to: str | None = Field(default=None, max_length=128)
    due: datetime = Field(index=True)
    created_at: datetime
    sent_at: datetime | None = Field(default=None, index=True)
    # Set (and committed) just before a transport that can't be asked afterwards takes the
    # reply: a row attempted but not marked sent after a crash is "in doubt" until the
    # gateway's echo of the bot's own message settles it.
    attempted_at: datetime | None = None
    failed_at: datetime | None = None  # given up on (no such group): never retried
    gateway_id: str | None = Field(default=None, max_length=128, index=True)  # as sent
    error: str | None = Field(default=None, max_length=256)


class DigestLog(SQLModel, table=True):
    """One row per group, kind and local day a scheduled summary went out: never twice."""

    __tablename__ = "digest_log"
    __table_args__ = (UniqueConstraint("group_id", "kind", "day", name="uq_digest_group_kind_day"),)
    id: int | None = Field(default=None, primary_key=True)
    group_id: int = Field(foreign_key="groups.id")
    kind: str = Field(default="daily", max_length=16)
    day: date
    sent_at: datetime


class State(SQLModel, table=True):
    """Small named values, such as where the simulated clock last stood."""

    __tablename__ = "state"
    key: str = Field(primary_key=True, max_length=64)
    value: str = Field(sa_column=Column(Text))


class Binding(SQLModel, table=True):
    """Our stable id for a gateway's room or contact, and the gateway id it has today.

    Gateway ids can change after a re-login; the binding is then moved to the new id (by
    room topic or member list; by WeChat id, or by name and the same rooms but never for a
    role holder: see storage.identities), so our id and everything filed under it stay the
    same.
    """

    __tablename__ = "bindings"
    __table_args__ = (UniqueConstraint("transport", "kind", "external_id", name="uq_binding_external"),)
    id: int | None = Field(default=None, primary_key=True)
    transport: str = Field(max_length=32)
    kind: str = Field(max_length=16)  # room | contact
    local_id: str = Field(max_length=128, index=True)
    external_id: str = Field(max_length=128)
    name: str = Field(default="", max_length=128)
    weixin: str = Field(default="", max_length=128)
    members: str = Field(default="", sa_column=Column(Text))  # rooms: local ids, one a line
    seen_at: datetime
