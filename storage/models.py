"""Tables. Times are aware datetimes, stored and returned in UTC; local time is for display."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Column, Index, Text, UniqueConstraint, text
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
    # One group per room id, and one per name among groups bound to no room: several bot
    # processes seeing a group's first messages at once create it once (storage.groups).
    __table_args__ = (Index("uq_groups_unbound_name", "name", unique=True,
                            postgresql_where=text("external_id IS NULL"),
                            sqlite_where=text("external_id IS NULL")),)
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=128, index=True)
    transport: str = Field(default="console", max_length=32)
    external_id: str | None = Field(default=None, max_length=128, index=True, unique=True)
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
    location: str | None = Field(default=None, max_length=64)  # the place, as the parser read it


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


# -- issue 28: gathering opinions on a draft (征求意见) -------------------------------------
class Consultation(SQLModel, table=True):
    """A draft sent to groups for comment (征求意见). Its id is the Y-number users see."""

    __tablename__ = "consultations"
    id: int | None = Field(default=None, primary_key=True)
    title: str = Field(max_length=128)
    text: str = Field(default="", sa_column=Column(Text))  # the draft
    group_ids: str = Field(default="", sa_column=Column(Text))  # our group ids, one a line
    created_by: str = Field(max_length=128)
    created_by_name: str = Field(default="", max_length=128)
    status: str = Field(default="open", max_length=16, index=True)  # open | closed
    deadline: datetime | None = None
    message_id: int | None = Field(default=None, foreign_key="messages.id")
    created_at: datetime
    closed_at: datetime | None = None
    results_sent_at: datetime | None = None  # the results message went to the groups


class Opinion(SQLModel, table=True):
    """One opinion on a consultation; `seq` is its number within it (第k条)."""

    __tablename__ = "opinions"
    __table_args__ = (UniqueConstraint("consultation_id", "seq", name="uq_opinions_seq"),)
    id: int | None = Field(default=None, primary_key=True)
    consultation_id: int = Field(foreign_key="consultations.id", index=True)
    seq: int
    author_id: str = Field(max_length=128, index=True)
    author_name: str = Field(default="", max_length=128)
    group_id: int | None = Field(default=None, foreign_key="groups.id")  # None: privately
    via: str = Field(default="group", max_length=8)  # quote | group | direct
    text: str = Field(default="", sa_column=Column(Text))
    named: bool = False  # the author agreed to be named when the results are published
    outcome: str | None = Field(default=None, max_length=16)  # 已采纳 | 部分采纳 | 暂不采纳 | 已解释
    owner: str | None = Field(default=None, max_length=64)
    note: str | None = Field(default=None, sa_column=Column(Text))
    answered_by: str | None = Field(default=None, max_length=128)
    answered_at: datetime | None = None
    message_id: int | None = Field(default=None, foreign_key="messages.id")
    created_at: datetime


# -- hazard photos (随手拍) and their rewards: issue 28 --------------------------------------
class Media(SQLModel, table=True):
    """A photo or file a transport stored under the data folder (or refused: too large)."""

    __tablename__ = "media"
    id: int | None = Field(default=None, primary_key=True)
    message_id: int = Field(foreign_key="messages.id", index=True)  # the archive row
    person_id: str = Field(max_length=128, index=True)
    group_id: int | None = Field(default=None, foreign_key="groups.id")
    kind: str = Field(default="image", max_length=16)  # image | file | video | voice
    status: str = Field(default="stored", max_length=16)  # stored | too_large | missing
    path: str | None = Field(default=None, max_length=512)
    bytes: int = 0
    content_type: str = Field(default="", max_length=64)
    request_id: int | None = Field(default=None, foreign_key="requests.id", index=True)
    time: datetime


class Reward(SQLModel, table=True):
    """A reward (奖励) for a hazard photo report: one per request; #奖励 Rn 30 改 replaces it."""

    __tablename__ = "rewards"
    id: int | None = Field(default=None, primary_key=True)
    request_id: int = Field(foreign_key="requests.id", unique=True)
    person_id: str = Field(max_length=128, index=True)
    person_name: str = Field(default="", max_length=128)
    amount: int  # yuan
    place: str | None = Field(default=None, max_length=64)
    actor_id: str = Field(max_length=128)
    created_at: datetime = Field(index=True)  # the month of the ledger it counts in
    updated_at: datetime


# -- wish wall (issue 28: 衢州 心愿墙) ------------------------------------------------------
class WishLine(SQLModel, table=True):
    """One line of the needs list (需求清单): similar wishes under one topic. Its id is the
    W-number users see; a cadre's #供给 answers it (the supply list, 服务供给清单)."""

    __tablename__ = "wish_lines"
    id: int | None = Field(default=None, primary_key=True)
    topic: str = Field(max_length=64)
    status: str = Field(default="open", max_length=16)  # open | answered
    created_at: datetime = Field(index=True)
    supply_date: date | None = None  # the day the supply is offered, where the cadre gave one
    supply_text: str | None = Field(default=None, sa_column=Column(Text))
    supplied_by: str | None = Field(default=None, max_length=128)
    supplied_at: datetime | None = None


class Wish(SQLModel, table=True):
    """One person's wish, filed under a line of the needs list."""

    __tablename__ = "wishes"
    id: int | None = Field(default=None, primary_key=True)
    line_id: int = Field(foreign_key="wish_lines.id", index=True)
    wisher_id: str = Field(max_length=128, index=True)
    wisher_name: str = Field(default="", max_length=128)
    group_id: int | None = Field(default=None, foreign_key="groups.id")
    via: str = Field(default="group", max_length=8)  # group | direct
    text: str = Field(default="", sa_column=Column(Text))
    message_id: int | None = Field(default=None, foreign_key="messages.id")
    created_at: datetime = Field(index=True)
    told_at: datetime | None = None  # when the wisher was told of the line's supply


# -- sharing between member units (issue 28: 共享+) ------------------------------------------
class Share(SQLModel, table=True):
    """A resource a member unit asks for (kind need) or offers (kind offer): a canteen's
    tables, a meeting room, a bus. Its id is the S-number users see (S3)."""

    __tablename__ = "shares"
    __table_args__ = (Index("ix_shares_open", "group_id", "kind", "status", "id"),)
    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(default="need", max_length=8)  # need | offer
    group_id: int | None = Field(default=None, foreign_key="groups.id")
    poster_id: str = Field(max_length=128, index=True)
    poster_name: str = Field(default="", max_length=128)
    unit: str | None = Field(default=None, max_length=128)  # the unit's name, where read
    resource: str = Field(max_length=32)  # 午餐接待, 会议室, 大巴 (parsers/data/vocab/shares.txt)
    quantity_number: float | None = None
    quantity_unit: str | None = Field(default=None, max_length=8)  # 桌, 辆, 间
    quantity_text: str | None = Field(default=None, max_length=32)  # as written: 3桌
    status: str = Field(default="open", max_length=16)  # open | covered | closed
    need_id: int | None = Field(default=None, foreign_key="shares.id", index=True)  # an offer's
    contact: str | None = Field(default=None, max_length=32)  # told privately, never in a group
    text: str = Field(default="", sa_column=Column(Text))
    message_id: int | None = Field(default=None, foreign_key="messages.id")
    created_at: datetime
    updated_at: datetime
    closed_at: datetime | None = None


class ShareConfirmation(SQLModel, table=True):
    """The asker (or a cadre) confirms who provides how much of a need: #确认 S3 某单位 3桌."""

    __tablename__ = "share_confirmations"
    id: int | None = Field(default=None, primary_key=True)
    need_id: int = Field(foreign_key="shares.id", index=True)
    offer_id: int | None = Field(default=None, foreign_key="shares.id")
    provider_id: str | None = Field(default=None, max_length=128)
    provider_name: str = Field(default="", max_length=128)
    quantity_number: float | None = None
    quantity_unit: str | None = Field(default=None, max_length=8)
    quantity_text: str | None = Field(default=None, max_length=32)
    confirmed_by: str = Field(max_length=128)
    time: datetime


# -- issue 29: several bot processes on one store ---------------------------------------------
class JobRun(SQLModel, table=True):
    """A scheduled job's run at one due time, claimed by the process that runs it: with
    several processes on one PostgreSQL each job fires once per due time (bot/schedule.py)."""

    __tablename__ = "job_runs"
    __table_args__ = (UniqueConstraint("job", "due", name="uq_job_runs_job_due"),)
    id: int | None = Field(default=None, primary_key=True)
    job: str = Field(max_length=64)
    due: datetime
    ran_at: datetime
