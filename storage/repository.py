"""The Repository: domain verbs over one session. The caller decides when to commit."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import bindparam, event, func, or_, update
from sqlalchemy import insert as sa_insert
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import make_transient_to_detached
from sqlalchemy.orm.attributes import set_committed_value
from sqlmodel import Session, col, select

from storage.models import (
    Allocation,
    AuditLog,
    Binding,
    Claim,
    DigestLog,
    Group,
    MatchNotice,
    Member,
    Message,
    Outbox,
    Posting,
    Request,
    RequestEvent,
    State,
)
from storage.prepared import Prepared

ACTIVE = "active"


@dataclass(slots=True)
class Queued:
    """A reply just written to the outbox, as the sender reads it (an Outbox row's fields
    without the cost of building an ORM object for every reply)."""

    id: int
    key: str
    text: str
    due: datetime
    created_at: datetime
    group_id: int | None = None
    to_id: str | None = None
    mentions: str = ""
    file: str | None = None
    reply_to: str | None = None
    sent_at: datetime | None = None
    attempted_at: datetime | None = None
    failed_at: datetime | None = None
    error: str | None = None
    gateway_id: str | None = None


@dataclass(slots=True)
class Archived:
    """A message just archived: its id and where it stands (a full ORM row costs more to build
    than the insert takes, and this is made for every message)."""

    id: int
    group_id: int | None
    status: str = "new"
    error: str | None = None

@dataclass(frozen=True, slots=True)
class Candidate:
    """An open posting as matching, lists and claims read it: the columns they compare and
    show, not a whole row. A whole Posting costs about ten times as much to load, and most
    candidates are only scored or listed; one that is claimed is loaded whole (`posting`)."""

    id: int
    kind: str
    poster_id: str
    job: str | None
    task: str | None
    location: str | None
    settlement: str | None
    employer: str | None
    headcount: int | None
    pay_min: float | None
    pay_max: float | None
    pay_unit: str | None
    start_date: date | None
    text: str = ""  # only where a quote or a repost is compared with it


_CANDIDATE = (Posting.id, Posting.kind, Posting.poster_id, Posting.job, Posting.task,
              Posting.location, Posting.settlement, Posting.employer, Posting.headcount,
              Posting.pay_min, Posting.pay_max, Posting.pay_unit, Posting.start_date)

# Statements run for nearly every message: compiled once for the engine's dialect and run on
# the session's DBAPI connection (storage.prepared). Each is (statement, column keys).
_OUTBOX = Outbox.__table__
_MESSAGES = Message.__table__
_ARCHIVE_DEFAULTS = {"group_id": None, "sender_name": "", "type": "text", "text": None,
                     "is_group": True, "raw": None, "parse": None, "status": "new",
                     "error": None}
_OUTBOX_DEFAULTS = {"group_id": None, "to_id": None, "mentions": "", "file": None,
                    "reply_to": None, "sent_at": None, "attempted_at": None, "failed_at": None,
                    "error": None, "gateway_id": None}
_BY_ROW_ID = _OUTBOX.c.id == bindparam("row_id")
_PREPARED: dict[str, Callable[[Any], tuple[Any, list[str] | None]]] = {
    "archive": lambda ins: (
        ins(_MESSAGES).on_conflict_do_nothing(index_elements=["transport", "message_id"])
        .returning(_MESSAGES.c.id),
        ["transport", "message_id", "sender_id", "time", *_ARCHIVE_DEFAULTS]),
    "enqueue": lambda ins: (
        ins(_OUTBOX).on_conflict_do_nothing(index_elements=["key"]).returning(_OUTBOX.c.id),
        ["key", "text", "due", "created_at", *_OUTBOX_DEFAULTS]),
    "sent": lambda ins: (update(_OUTBOX).where(_BY_ROW_ID), ["sent_at", "gateway_id"]),
    "attempted": lambda ins: (update(_OUTBOX).where(_BY_ROW_ID), ["attempted_at"]),
    "failed": lambda ins: (update(_OUTBOX).where(_BY_ROW_ID), ["failed_at", "error"]),
    # Constant lists are written as OR: SQLAlchemy renders an IN list anew at every execution.
    "awaiting": lambda ins: (select(Request.id).where(
        Request.requester_id == bindparam("rid"),
        or_(Request.status == "waiting", Request.status == "resolved")).limit(1), None),
    "claimed": lambda ins: (select(func.coalesce(func.sum(Claim.headcount), 0)).where(
        Claim.posting_id == bindparam("pid"), Claim.status == ACTIVE), None),
    "member": lambda ins: (select(Member.id).where(Member.sender_id == bindparam("sid")), None),
    "matched": lambda ins: (
        select(MatchNotice.offer_id).where(MatchNotice.posting_id == bindparam("pid")), None),
    "match": lambda ins: (
        ins(MatchNotice.__table__).on_conflict_do_nothing(index_elements=["posting_id", "offer_id"]),
        ["posting_id", "offer_id", "time"]),
}
_CLAIMED = (select(Claim.posting_id, func.sum(Claim.headcount))
            .where(col(Claim.posting_id).in_(bindparam("ids", expanding=True)),
                   Claim.status == ACTIVE)
            .group_by(Claim.posting_id))
_AWAITING = (select(Request).where(Request.requester_id == bindparam("rid"),
                                   or_(Request.status == "waiting", Request.status == "resolved"))
             .order_by(col(Request.id).desc()))


class Repository:
    """All reads and writes of the bot's state go through here."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        # One connection for the repository's life, its session bound to it: a session on the
        # engine checks a connection out of the pool and back in for every transaction, and
        # at one or two transactions a message that bookkeeping cost more than the SQL did.
        # A connection the server dropped is replaced on the next transaction after the
        # rollback (SQLAlchemy reconnects an invalidated connection), see Dispatcher.dispatch.
        self._conn = engine.connect()
        self.s = Session(bind=self._conn, expire_on_commit=False)
        self._reads: dict[tuple, Any] = {}  # candidate reads, built once per shape
        self._prepared: dict[str, Prepared] = {}
        # Rows `_add` inserted in the transaction in hand: a rollback takes the rows back, so
        # their objects leave the session, as the session does with objects it inserted.
        self._added: list[Any] = []
        event.listen(self.s, "after_commit", lambda _s: self._added.clear())
        event.listen(self.s, "after_rollback", self._forget_added)

    def _insert(self, table: Any) -> Any:
        """An INSERT with ON CONFLICT support, in this database's dialect."""
        return (sqlite_insert if self.engine.dialect.name == "sqlite" else pg_insert)(table)

    def _prepare(self, name: str, build: Callable[[], tuple[Any, list[str] | None]]) -> Prepared:
        """The prepared statement of this name, compiled on first use: build() gives the
        statement and the columns it sets."""
        p = self._prepared.get(name)
        if p is None:
            stmt, keys = build()
            p = self._prepared[name] = Prepared(stmt, self.engine.dialect, keys)
        return p

    def _statement(self, name: str) -> Prepared:
        return self._prepare(name, lambda: _PREPARED[name](self._insert))

    def _run(self, name: str, values: dict[str, Any]) -> Any:
        """Run one of the _PREPARED statements in this session's transaction; the cursor."""
        return self._statement(name).run(self.s.connection(), values)

    def _add(self, obj: Any) -> None:
        """Insert a new row with a prepared statement and attach the object as if loaded.

        The same as `session.add` and a flush, at about a tenth of the cost (the unit of
        work takes some 500 µs for one new object). The object must carry every column's
        value (SQLModel sets the defaults), and its table an integer `id` key.
        """
        table = type(obj).__table__
        p = self._prepare(f"insert:{table.name}", lambda: (
            sa_insert(table).returning(table.c.id),
            [c.key for c in table.columns if not c.primary_key]))
        self.s.flush()  # what this row refers to is written first
        row = p.run(self.s.connection(), {k: getattr(obj, k) for k in p.keys})
        obj.id = row.fetchone()[0]
        make_transient_to_detached(obj)  # as though just loaded: no pending changes
        self.s.add(obj)
        self._added.append(obj)

    def _forget_added(self, _session: Any) -> None:
        for obj in self._added:
            if obj in self.s:
                self.s.expunge(obj)
        self._added.clear()

    @staticmethod
    def _marked(row: Any, **stored: Any) -> None:
        """Show on the row object what a mark just committed.

        On a session's row the values are set as already stored: set as plain attributes
        they would be a pending change, and the next query's autoflush would write them again
        in a new transaction, holding SQLite's write lock until some later commit (at
        start-up the gateway thread then waited out the 30 s busy timeout to bind a room id).
        """
        for key, value in stored.items():
            if hasattr(row, "_sa_instance_state"):
                set_committed_value(row, key, value)
            else:
                setattr(row, key, value)

    def _mark(self, name: str, values: dict[str, Any]) -> None:
        """One outbox mark, committed at once (a crash repeats at most this one reply).

        Between messages, where it is made, the mark is a transaction of its own, run on the
        DBAPI connection: SQLite takes about 15 µs for the UPDATE and the COMMIT, a Session
        transaction several times that in bookkeeping. Inside a transaction in hand it joins
        that transaction and commits it.
        """
        if self.s.in_transaction():
            self._run(name, values)
            self.s.commit()
        else:
            self._statement(name).run(self._conn, values, commit=True)

    # -- unit of work -----------------------------------------------------------------------
    def commit(self) -> None:
        self.s.commit()

    def rollback(self) -> None:
        self.s.rollback()

    def close(self) -> None:
        self.s.close()
        self._conn.close()

    # -- archive ----------------------------------------------------------------------------
    def seen(self, transport: str, message_id: str) -> Message | None:
        return self.s.exec(select(Message).where(
            Message.transport == transport, Message.message_id == message_id)).first()

    def archive(self, *, parse: dict | None = None, **fields: Any) -> Archived | None:
        """Store a raw message, with how it was handled; None when this message id was archived
        before.

        One statement does the duplicate check and the insert (ON CONFLICT DO NOTHING), so
        two processes sharing a database cannot both take the same message: the second waits
        for the first one's transaction and then finds the id taken. The caller commits the
        row together with the work the message caused, so a crash leaves neither (and a
        re-delivered message is then processed afresh) rather than an archived message whose
        work was lost. The row returned is detached: it carries the id.
        """
        values = {**_ARCHIVE_DEFAULTS, **fields,
                  "parse": json.dumps(parse, ensure_ascii=False, default=str) if parse else None}
        row = self._run("archive", values).fetchone()
        if row is None:
            return None
        return Archived(id=row[0], group_id=values["group_id"], status=values["status"],
                        error=values["error"])

    def last_message_time(self) -> datetime | None:
        return self.s.exec(select(func.max(Message.time))).one()

    # -- groups and members -----------------------------------------------------------------
    def ensure_group(self, name: str, *, transport: str, external_id: str | None, now: datetime,
                     is_cadre_group: bool = False) -> Group:
        """Our stable group for a transport's room (by room id where there is one, else name)."""
        q = select(Group)
        q = q.where(Group.external_id == external_id) if external_id else q.where(Group.name == name)
        g = self.s.exec(q.order_by(Group.id)).first()
        if g is None and external_id:
            # A re-login can bring new room ids: re-bind an existing group of the same name.
            g = self.s.exec(select(Group).where(Group.name == name).order_by(Group.id)).first()
            if g is not None:
                g.external_id = external_id
        if g is None:
            g = Group(name=name, transport=transport, external_id=external_id, created_at=now,
                      is_cadre_group=is_cadre_group)
            self.s.add(g)
            self.s.flush()
        elif g.name != name and external_id:
            g.name = name  # the group was renamed; it keeps its id and settings
        return g

    def group(self, group_id: int | None) -> Group | None:
        return self.s.get(Group, group_id) if group_id is not None else None

    def group_by_name(self, name: str) -> Group | None:
        return self.s.exec(select(Group).where(Group.name == name).order_by(Group.id)).first()

    def groups(self) -> Sequence[Group]:
        return self.s.exec(select(Group).order_by(Group.id)).all()

    def ensure_member(self, sender_id: str, name: str, *, now: datetime) -> Member:
        # Most senders not yet seen by this process are new: ask for the id alone first.
        row = self._run("member", {"sid": sender_id}).fetchone()
        m = self.s.get(Member, row[0]) if row is not None else None
        if m is None:
            m = Member(sender_id=sender_id, display_name=name, names_seen=name, created_at=now)
            self._add(m)
        elif name and m.display_name != name:
            m.display_name = name
            seen = [n for n in m.names_seen.split("\n") if n]
            if name not in seen:
                m.names_seen = "\n".join([*seen, name])
        return m

    def member(self, sender_id: str) -> Member | None:
        return self.s.exec(select(Member).where(Member.sender_id == sender_id)).first()

    # -- postings and claims ----------------------------------------------------------------
    def save_posting(self, **fields: Any) -> Posting:
        p = Posting(**fields)
        self._add(p)
        return p

    def posting(self, number: int) -> Posting | None:
        return self.s.get(Posting, number)

    def open_postings(self, group_id: int | None, *, kind: str = "job",
                      limit: int | None = None) -> Sequence[Posting]:
        q = select(Posting).where(Posting.kind == kind, Posting.status == "open")
        if group_id is not None:
            q = q.where(Posting.group_id == group_id)
        q = q.order_by(col(Posting.id).desc())
        if limit:
            q = q.limit(limit)
        return self.s.exec(q).all()

    CANDIDATES = 100  # matching scores at most this many postings, fetched through indexes

    def _read(self, key: tuple, build: Callable[[], Any]) -> Any:
        """A candidate read built once for its shape: building a statement costs more than
        SQLite takes to run it."""
        q = self._reads.get(key)
        if q is None:
            q = self._reads[key] = build()
        return q

    def _candidates(self, q: Any, params: dict[str, Any]) -> list[Candidate]:
        self.s.flush()  # changes made in this unit of work count
        return [Candidate(*row) for row in self.s.connection().execute(q, params)]

    def match_candidates(self, group_id: int | None, *, kind: str = "job",
                         family: str | None = None, settlement: str | None = None,
                         location: str | None = None,
                         limit: int = CANDIDATES) -> list[Candidate]:
        """Open postings worth scoring, newest first: same family where one is known.

        Served by ix_postings_match (group_id, kind, status, family, id), so the cost does
        not grow with the number of open postings.
        """
        shape = (group_id is not None, family is not None, settlement is not None,
                 bool(location))

        def build() -> Any:
            q = select(*_CANDIDATE).where(Posting.kind == bindparam("kind"),
                                          Posting.status == "open")
            if shape[0]:
                q = q.where(Posting.group_id == bindparam("gid"))
            if shape[1]:
                q = q.where(Posting.family == bindparam("family"))
            if shape[2]:
                q = q.where(Posting.settlement == bindparam("settlement"))
            if shape[3]:
                q = q.where(col(Posting.location).contains(bindparam("location")))
            return q.order_by(col(Posting.id).desc()).limit(bindparam("limit"))

        return self._candidates(self._read(("match", *shape), build), {
            "kind": kind, "gid": group_id, "family": family, "settlement": settlement,
            "location": location, "limit": limit})

    def recent_open(self, group_id: int | None, limit: int) -> list[Candidate]:
        """The newest open job postings with their text (a quote is compared with it)."""

        def build() -> Any:
            q = select(*_CANDIDATE, Posting.text).where(Posting.kind == "job",
                                                         Posting.status == "open")
            if group_id is not None:
                q = q.where(Posting.group_id == bindparam("gid"))
            return q.order_by(col(Posting.id).desc()).limit(bindparam("limit"))

        return self._candidates(self._read(("recent", group_id is not None), build),
                                {"gid": group_id, "limit": limit})

    def postings_named(self, group_id: int | None, words: Sequence[str],
                       limit: int = 20) -> list[Candidate]:
        """Open job postings whose employer or job is one of `words` (indexed lookups)."""
        if not words:
            return []
        found: dict[int, Candidate] = {}
        # One query per column, each led by its own index. Without statistics SQLite would
        # rather walk the group's recency index over every open posting; `group_id + 0`
        # keeps that index out of the plan (SQLAlchemy's SQLite dialect drops index hints).
        for column in (Posting.employer, Posting.job):
            def build(column: Any = column) -> Any:
                q = select(*_CANDIDATE).where(col(column).in_(bindparam("words", expanding=True)),
                                              Posting.kind == "job", Posting.status == "open")
                if group_id is not None:
                    q = q.where((col(Posting.group_id) + 0) == bindparam("gid"))
                return q.order_by(col(Posting.id).desc()).limit(bindparam("limit"))

            q = self._read(("named", column.key, group_id is not None), build)
            for c in self._candidates(q, {"words": list(words), "gid": group_id,
                                          "limit": limit}):
                found[c.id] = c
        return sorted(found.values(), key=lambda c: -c.id)[:limit]

    def count_open(self, group_id: int | None, kind: str = "job") -> int:
        q = select(func.count()).select_from(Posting).where(Posting.kind == kind,
                                                            Posting.status == "open")
        if group_id is not None:
            q = q.where(Posting.group_id == group_id)
        return int(self.s.exec(q).one())

    def latest_posting(self, group_id: int | None, *, kind: str = "job") -> Posting | None:
        q = select(Posting).where(Posting.kind == kind)
        if group_id is not None:
            q = q.where(Posting.group_id == group_id)
        return self.s.exec(q.order_by(col(Posting.id).desc()).limit(1)).first()

    def recent_postings_by(self, poster_id: str, group_id: int | None, since: datetime,
                           kind: str = "job") -> list[Candidate]:
        """One sender's open or filled postings since a time, newest first, with their text."""

        def build() -> Any:
            q = select(*_CANDIDATE, Posting.text).where(
                Posting.poster_id == bindparam("poster"), Posting.kind == bindparam("kind"),
                Posting.created_at >= bindparam("since"),
                col(Posting.status).in_(["open", "filled"]))
            if group_id is not None:
                q = q.where(Posting.group_id == bindparam("gid"))
            return q.order_by(col(Posting.id).desc())

        return self._candidates(self._read(("by", group_id is not None), build), {
            "poster": poster_id, "kind": kind, "since": since, "gid": group_id})

    def expirable(self, today: date, idle_since: datetime) -> Sequence[Posting]:
        """Open or filled postings whose end date has passed or that saw no activity since."""
        return self.s.exec(select(Posting).where(
            col(Posting.status).in_(["open", "filled"]),
            (col(Posting.end_date) < today) | (Posting.updated_at < idle_since))).all()

    def last_claim_time(self, posting_id: int) -> datetime | None:
        return self.s.exec(select(func.max(Claim.updated_at)).where(
            Claim.posting_id == posting_id)).one()

    def postings_between(self, group_id: int, start: datetime, end: datetime,
                         kind: str | None = None) -> Sequence[Posting]:
        q = select(Posting).where(Posting.group_id == group_id, Posting.created_at >= start,
                                  Posting.created_at < end)
        if kind:
            q = q.where(Posting.kind == kind)
        return self.s.exec(q.order_by(Posting.id)).all()

    def claims(self, posting_id: int, *, active_only: bool = True) -> Sequence[Claim]:
        q = select(Claim).where(Claim.posting_id == posting_id)
        if active_only:
            q = q.where(Claim.status == ACTIVE)
        return self.s.exec(q.order_by(Claim.id)).all()

    def claimed(self, posting_id: int) -> int:
        """People claimed so far on one posting (active claims)."""
        self.s.flush()  # claims added in this unit of work count
        return int(self._run("claimed", {"pid": posting_id}).fetchone()[0])

    def claimed_many(self, posting_ids: Iterable[int]) -> dict[int, int]:
        """People claimed so far, for several postings in one query; absent means none."""
        ids = list(dict.fromkeys(posting_ids))
        if not ids:
            return {}
        self.s.flush()  # claims added in this unit of work count
        rows = self.s.connection().execute(_CLAIMED, {"ids": ids}).all()
        return {pid: int(n or 0) for pid, n in rows}

    def claims_between(self, group_id: int, start: datetime, end: datetime) -> Sequence[Claim]:
        q = (select(Claim).join(Posting, col(Posting.id) == Claim.posting_id)
             .where(Posting.group_id == group_id, Claim.updated_at >= start, Claim.updated_at < end))
        return self.s.exec(q).all()

    def claims_to_notify(self) -> list[tuple[Posting, list[Claim]]]:
        """Active claims the poster has not been told of, grouped by posting."""
        rows = self.s.exec(select(Claim, Posting).join(Posting, col(Posting.id) == Claim.posting_id)
                           .where(Claim.status == ACTIVE, col(Claim.poster_notified_at).is_(None))
                           .order_by(Claim.posting_id, Claim.id)).all()
        out: dict[int, tuple[Posting, list[Claim]]] = {}
        for c, p in rows:
            out.setdefault(p.id or 0, (p, []))[1].append(c)
        return list(out.values())

    def claims_by(self, claimant_id: str) -> Sequence[Claim]:
        return self.s.exec(select(Claim).where(Claim.claimant_id == claimant_id,
                                               Claim.status == ACTIVE).order_by(Claim.id)).all()

    def postings_by(self, poster_id: str) -> Sequence[Posting]:
        return self.s.exec(select(Posting).where(Posting.poster_id == poster_id,
                                                 col(Posting.status).in_(["open", "filled"]))
                           .order_by(Posting.id)).all()

    def claim(self, posting: Posting, claimant_id: str, claimant_name: str, headcount: int, *,
              message_id: int | None, now: datetime, source: str = "message") -> tuple[Claim, bool]:
        """Record or update one person's claim. Returns (claim, created)."""
        c = self.s.exec(select(Claim).where(Claim.posting_id == posting.id,
                                            Claim.claimant_id == claimant_id)).first()
        created = c is None
        if c is None:
            c = Claim(posting_id=posting.id, claimant_id=claimant_id, claimant_name=claimant_name,
                      headcount=headcount, message_id=message_id, created_at=now, updated_at=now,
                      source=source)
            self._add(c)
        else:
            c.headcount, c.status, c.updated_at, c.message_id = headcount, ACTIVE, now, message_id
            c.source, c.poster_notified_at = source, None
            self.s.add(c)
            self.s.flush()
        return c, created

    def cancel_claim(self, posting_id: int, claimant_id: str, *, now: datetime) -> Claim | None:
        c = self.s.exec(select(Claim).where(Claim.posting_id == posting_id,
                                            Claim.claimant_id == claimant_id,
                                            Claim.status == ACTIVE)).first()
        if c is not None:
            c.status, c.updated_at = "cancelled", now
            self.s.add(c)
        return c

    def set_posting_status(self, p: Posting, status: str, *, now: datetime) -> None:
        p.status, p.updated_at = status, now
        self.s.add(p)

    def add_allocation(self, **fields: Any) -> Allocation:
        a = Allocation(**fields)
        self.s.add(a)
        self.s.flush()
        return a

    def matched_before(self, posting_id: int, offer_id: int) -> bool:
        return offer_id in self.matched_offers(posting_id)

    def matched_offers(self, posting_id: int) -> set[int]:
        """The offers already told of (or shown) this posting."""
        self.s.flush()
        return {r[0] for r in self._run("matched", {"pid": posting_id}).fetchall()}

    def record_match(self, posting_id: int, offer_id: int, *, now: datetime) -> None:
        """Remember that this pair was put together (a no-op when it was before)."""
        self.s.flush()
        self._run("match", {"posting_id": posting_id, "offer_id": offer_id, "time": now})

    def member_by_name(self, name: str) -> Member | None:
        return self.s.exec(select(Member).where(Member.display_name == name)
                           .order_by(Member.id)).first()

    def placement_stats(self, group_id: int | None, start: datetime,
                        end: datetime) -> dict[str, float]:
        """The figures unions report: enterprises, workers, placements, income per worker."""
        q = (select(Allocation, Posting).join(Posting, col(Posting.id) == Allocation.posting_id)
             .where(Allocation.time >= start, Allocation.time < end))
        if group_id is not None:
            q = q.where(Posting.group_id == group_id)
        rows = self.s.exec(q).all()
        workers = {a.worker_id for a, _ in rows}
        firms = {p.employer or f"poster:{p.poster_id}" for _, p in rows}
        income = sum(a.pay_total or 0 for a, _ in rows)
        return {"enterprises": len(firms), "workers": len(workers), "placements": len(rows),
                "income": income, "income_per_worker": income / len(workers) if workers else 0.0}

    # -- requests ---------------------------------------------------------------------------
    def open_request(self, *, actor_id: str, now: datetime, **fields: Any) -> Request:
        r = Request(created_at=now, **fields)
        self._add(r)
        self.request_event(r, "filed", actor_id=actor_id, now=now)
        return r

    def request(self, number: int) -> Request | None:
        return self.s.get(Request, number)

    def request_event(self, r: Request, status: str, *, actor_id: str, now: datetime,
                      note: str | None = None) -> RequestEvent:
        r.status = status
        if status == "resolved":
            r.resolved_at = now
        self.s.add(r)
        ev = RequestEvent(request_id=r.id, status=status, actor_id=actor_id, note=note, time=now)
        self._add(ev)
        return ev

    def request_events(self, request_id: int) -> Sequence[RequestEvent]:
        return self.s.exec(select(RequestEvent).where(RequestEvent.request_id == request_id)
                           .order_by(RequestEvent.id)).all()

    def requests_awaiting(self, requester_id: str) -> Sequence[Request]:
        """This person's requests waiting on them: for more information, or for a rating."""
        # "resolved" until rated: a rating moves it to closed. Nearly every message asks this,
        # and nearly every answer is no: a bare id look-up first, whole rows only when needed.
        self.s.flush()
        if self._run("awaiting", {"rid": requester_id}).fetchone() is None:
            return []
        return self.s.exec(_AWAITING, params={"rid": requester_id}).all()

    def requests_between(self, start: datetime, end: datetime) -> Sequence[Request]:
        return self.s.exec(select(Request).where(Request.created_at >= start,
                                                 Request.created_at < end).order_by(Request.id)).all()

    def requests_open(self) -> Sequence[Request]:
        return self.s.exec(select(Request).where(
            col(Request.status).in_(["filed", "dispatched", "in_progress"]))
            .order_by(Request.id)).all()

    def requests_unrated(self, asked_before: datetime) -> Sequence[Request]:
        return self.s.exec(select(Request).where(
            Request.status == "resolved",
            col(Request.rating_asked_at).is_not(None), Request.rating_asked_at < asked_before)
            .order_by(Request.id)).all()

    def requests_by(self, requester_id: str) -> Sequence[Request]:
        return self.s.exec(select(Request).where(Request.requester_id == requester_id,
                                                 col(Request.status).not_in(["closed", "withdrawn"]))
                           .order_by(Request.id)).all()

    # -- outbox -----------------------------------------------------------------------------
    def enqueue(self, **fields: Any) -> Outbox | None:
        """Queue a reply unless one with the same key was queued before.

        One statement (ON CONFLICT DO NOTHING on the key); the row returned is detached and
        carries what the sender needs.
        """
        values = {**_OUTBOX_DEFAULTS, **fields}
        row = self._run("enqueue", values).fetchone()
        if row is None:
            return None
        return Queued(id=row[0], **values)  # type: ignore[return-value]

    def pending(self, *, until: datetime | None = None, limit: int = 100) -> Sequence[Outbox]:
        q = select(Outbox).where(col(Outbox.sent_at).is_(None), col(Outbox.failed_at).is_(None))
        if until is not None:
            q = q.where(Outbox.due <= until)
        return self.s.exec(q.order_by(Outbox.due, Outbox.id).limit(limit)).all()

    def mark_attempted(self, row: Outbox, *, now: datetime) -> None:
        """Record, and commit, that this reply is about to go out (see Outbox.attempted_at)."""
        self._mark("attempted", {"row_id": row.id, "attempted_at": now})
        self._marked(row, attempted_at=now)

    def mark_failed(self, row: Outbox, error: str, *, now: datetime) -> None:
        """Give up on a reply that can never go out (its group is gone), and say why."""
        self._mark("failed", {"row_id": row.id, "failed_at": now, "error": error[:256]})
        self._marked(row, failed_at=now)

    def settle_in_doubt(self, group_id: int | None, to_id: str | None, text: str, *,
                        echo_id: str | None = None, sent: datetime,
                        now: datetime) -> Outbox | None:
        """The gateway echoed a message the bot sent: mark the in-doubt reply it was, if any.

        An in-doubt reply was attempted and not marked sent (the process died in between).
        The echo's text is the reply as sent, so it ends with the row's text (a mention may
        come before it) or is a part of it (a long text goes out in pieces). Only an echo
        sent after the attempt counts (`sent`, the gateway's time, with a second of clock
        skew allowed): a re-delivered echo of an earlier reply with the same words must not
        settle a later one that never went out; nor may the echo of a reply whose send was
        confirmed (its gateway id, `echo_id`, is on that row).
        """
        if echo_id and self.s.exec(select(Outbox.id).where(Outbox.gateway_id == echo_id)).first():
            return None
        q = select(Outbox).where(col(Outbox.sent_at).is_(None),
                                 col(Outbox.attempted_at).is_not(None),
                                 col(Outbox.attempted_at) <= sent + timedelta(seconds=1))
        q = q.where(Outbox.group_id == group_id) if group_id is not None else q.where(
            Outbox.to_id == to_id)
        for row in self.s.exec(q.order_by(Outbox.id)).all():
            if text and (text.endswith(row.text) or text in row.text):
                self.mark_sent(row, now=now)
                return row
        return None

    def mark_sent(self, row: Outbox, *, now: datetime, gateway_id: str | None = None) -> None:
        """Mark one reply sent and commit at once: a crash repeats at most this reply."""
        self._mark("sent", {"row_id": row.id, "sent_at": now, "gateway_id": gateway_id})
        self._marked(row, sent_at=now)

    # -- audit ------------------------------------------------------------------------------
    def audit(self, *, actor_id: str, action: str, now: datetime, group_id: int | None = None,
              target: str | None = None, before: Any = None, after: Any = None,
              allowed: bool = True) -> AuditLog:
        def dump(v: Any) -> str | None:
            return None if v is None else json.dumps(v, ensure_ascii=False, default=str)

        row = AuditLog(time=now, actor_id=actor_id, group_id=group_id, action=action,
                       target=target, before=dump(before), after=dump(after), allowed=allowed)
        self._add(row)
        return row

    def audit_log(self, limit: int = 20) -> Sequence[AuditLog]:
        return self.s.exec(select(AuditLog).order_by(col(AuditLog.id).desc()).limit(limit)).all()

    # -- state and digests ------------------------------------------------------------------
    def get_state(self, key: str) -> str | None:
        row = self.s.get(State, key)
        return row.value if row else None

    def set_state(self, key: str, value: str) -> None:
        row = self.s.get(State, key)
        if row is None:
            self.s.add(State(key=key, value=value))
        elif row.value != value:
            row.value = value
            self.s.add(row)

    def digest_sent(self, group_id: int, kind: str, day: date) -> bool:
        return self.s.exec(select(DigestLog).where(DigestLog.group_id == group_id,
                                                   DigestLog.kind == kind,
                                                   DigestLog.day == day)).first() is not None

    def record_digest(self, group_id: int, kind: str, day: date, *, now: datetime) -> None:
        self.s.add(DigestLog(group_id=group_id, kind=kind, day=day, sent_at=now))
        self.s.flush()

    def last_digest_day(self, group_id: int, kind: str = "daily") -> date | None:
        return self.s.exec(select(func.max(DigestLog.day)).where(
            DigestLog.group_id == group_id, DigestLog.kind == kind)).one()

    def count(self, model: type, **where: Any) -> int:
        q = select(func.count()).select_from(model)
        for k, v in where.items():
            q = q.where(getattr(model, k) == v)
        return int(self.s.exec(q).one())

    def all(self, model: type, order: Iterable[Any] = ()) -> Sequence[Any]:
        return self.s.exec(select(model).order_by(*(order or [model.id]))).all()




class StoreUnavailable(Exception):
    """The store could not take a write: the database stayed locked past its busy timeout or
    went away. Raised instead of the driver's own error, so callers need not know the driver."""


class Identities:
    """Stable ids for a gateway's rooms and contacts (see storage.models.Binding).

    Used by a transport from its own thread, with its own session. A first-seen gateway id
    becomes the local id; after a re-login a new gateway id is moved onto the existing
    binding when it can be told to be the same room or person:
    - a room by its topic, else by its member list (at least 60% the same people);
    - a person by WeChat id, else by name, but by name only once a room has been seen to
      change its id since this login (the gateway re-issued ids), and only when exactly one
      binding of that name was not seen since then (two live people are never merged).
    """

    def __init__(self, engine: Engine, transport: str) -> None:
        self.engine, self.transport = engine, transport
        self.login_at: datetime | None = None
        self.ids_changed = False  # a known room came back under a new id since this login

    def logged_in(self, now: datetime) -> None:
        self.login_at, self.ids_changed = now, False

    def _session(self) -> Session:
        return Session(self.engine, expire_on_commit=False)

    @contextmanager
    def _binding(self) -> Iterator[Session]:
        """A session that binds an id and commits; a database that cannot take the write
        raises StoreUnavailable."""
        try:
            with self._session() as s:
                yield s
        except OperationalError as e:
            raise StoreUnavailable(str(e.orig)) from e

    def _find(self, s: Session, kind: str, **where: str) -> Sequence[Binding]:
        q = select(Binding).where(Binding.transport == self.transport, Binding.kind == kind)
        for k, v in where.items():
            q = q.where(getattr(Binding, k) == v)
        return s.exec(q.order_by(Binding.id)).all()

    def contact(self, external_id: str, *, name: str, weixin: str = "", now: datetime) -> str:
        """Our id for a gateway contact id, binding or re-binding it."""
        with self._binding() as s:
            found = self._find(s, "contact", external_id=external_id)
            b = found[0] if found else None
            if b is None and weixin:
                b = next(iter(self._find(s, "contact", weixin=weixin)), None)
            if b is None and name and self.ids_changed and self.login_at is not None:
                login_at = self.login_at
                stale = [x for x in self._find(s, "contact", name=name) if x.seen_at < login_at]
                b = stale[0] if len(stale) == 1 else None
            if b is None:
                b = Binding(transport=self.transport, kind="contact", local_id=external_id,
                            external_id=external_id, name=name, weixin=weixin, seen_at=now)
            b.external_id, b.seen_at = external_id, now
            b.name = name or b.name
            b.weixin = weixin or b.weixin
            s.add(b)
            s.commit()
            return b.local_id

    def room(self, external_id: str, *, topic: str, members: Sequence[str], now: datetime) -> str:
        """Our id for a gateway room id; `members` are our ids of the people in it."""
        with self._binding() as s:
            found = self._find(s, "room", external_id=external_id)
            b = found[0] if found else None
            if b is None and topic:
                b = next(iter(self._find(s, "room", name=topic)), None)
            if b is None and members:
                mine = set(members)
                best, share = None, 0.0
                for x in self._find(s, "room"):
                    theirs = {m for m in x.members.split("\n") if m}
                    if theirs:
                        j = len(mine & theirs) / len(mine | theirs)
                        if j > share:
                            best, share = x, j
                b = best if share >= 0.6 else None
            if b is not None and b.external_id != external_id:
                self.ids_changed = True
            if b is None:
                b = Binding(transport=self.transport, kind="room", local_id=external_id,
                            external_id=external_id, name=topic, seen_at=now)
            b.external_id, b.seen_at, b.name = external_id, now, topic or b.name
            if members:
                b.members = "\n".join(members)
            s.add(b)
            s.commit()
            return b.local_id

    def external(self, kind: str, local_id: str) -> str | None:
        """The gateway id our room or contact has today (None if never bound)."""
        with self._session() as s:
            found = self._find(s, kind, local_id=local_id)
            return max(found, key=lambda b: b.seen_at).external_id if found else None

    def room_named(self, topic: str) -> str | None:
        with self._session() as s:
            found = self._find(s, "room", name=topic)
            return found[0].local_id if found else None
