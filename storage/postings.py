"""Postings (jobs and offers), the claims on them, allocations (placements) and match records."""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import bindparam, func
from sqlmodel import col, select

from storage.base import ACTIVE, Statement, StoreBase
from storage.models import Allocation, Binding, Claim, Group, MatchNotice, Message, Posting


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
    age_min: int | None
    age_max: int | None
    gender: str | None
    board: str | None
    shift: str | None
    licence: str | None
    end_date: date | None  # a query's days (周末) are met by the days a posting runs
    text: str = ""  # only where a quote or a repost is compared with it


_CANDIDATE = (Posting.id, Posting.kind, Posting.poster_id, Posting.job, Posting.task,
              Posting.location, Posting.settlement, Posting.employer, Posting.headcount,
              Posting.pay_min, Posting.pay_max, Posting.pay_unit, Posting.start_date,
              Posting.age_min, Posting.age_max, Posting.gender, Posting.board, Posting.shift,
              Posting.licence, Posting.end_date)

# The worker id of a person a team's head brought: TEAM + "<the head's row id>:<k>".
TEAM = "team:"

_CLAIMED_ONE = Statement("claimed", lambda ins: (
    select(func.coalesce(func.sum(Claim.headcount), 0)).where(
        Claim.posting_id == bindparam("pid"), Claim.status == ACTIVE), None))
_MATCHED = Statement("matched", lambda ins: (
    select(MatchNotice.offer_id).where(MatchNotice.posting_id == bindparam("pid")), None))
_MATCH = Statement("match", lambda ins: (
    ins(MatchNotice.__table__)
    .on_conflict_do_nothing(index_elements=["posting_id", "offer_id"]),
    ["posting_id", "offer_id", "time"]))
_CLAIMED = (select(Claim.posting_id, func.sum(Claim.headcount))
            .where(col(Claim.posting_id).in_(bindparam("ids", expanding=True)),
                   Claim.status == ACTIVE)
            .group_by(Claim.posting_id))


class PostingStore(StoreBase):
    """Verbs on postings, claims, allocations and match records."""

    CANDIDATES = 100  # matching scores at most this many postings, fetched through indexes

    # -- postings ---------------------------------------------------------------------------
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

    def expirable(self, today: date, idle_since: datetime) -> Sequence[Posting]:
        """Open or filled postings whose end date has passed or that saw no activity since."""
        return self.s.exec(select(Posting).where(
            col(Posting.status).in_(["open", "filled"]),
            (col(Posting.end_date) < today) | (Posting.updated_at < idle_since))).all()

    def postings_between(self, group_id: int, start: datetime, end: datetime,
                         kind: str | None = None) -> Sequence[Posting]:
        q = select(Posting).where(Posting.group_id == group_id, Posting.created_at >= start,
                                  Posting.created_at < end)
        if kind:
            q = q.where(Posting.kind == kind)
        return self.s.exec(q.order_by(Posting.id)).all()

    def postings_by(self, poster_id: str) -> Sequence[Posting]:
        return self.s.exec(select(Posting).where(Posting.poster_id == poster_id,
                                                 col(Posting.status).in_(["open", "filled"]))
                           .order_by(Posting.id)).all()

    def set_posting_status(self, p: Posting, status: str, *, now: datetime) -> None:
        p.status, p.updated_at = status, now
        self.s.add(p)

    # -- candidates: open postings as matching and lists read them --------------------------
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

    # -- claims -----------------------------------------------------------------------------
    def lock_posting(self, posting: Posting) -> Posting:
        """Hold the posting for this transaction before its claims are counted and one is
        recorded or cancelled, and read it as it stands (status, headcount).

        With several bot processes on one PostgreSQL, two claims on a posting's last place
        would otherwise both count one place left and both be recorded: the row lock
        (SELECT ... FOR UPDATE, held until the commit) makes the second wait and count again.
        SQLite is one process, and its writes are serialised anyway: nothing to do.
        """
        if self.engine.dialect.name != "sqlite" and posting.id is not None:
            self.s.flush()
            self.s.refresh(posting, with_for_update=True)
        return posting

    def claims(self, posting_id: int, *, active_only: bool = True) -> Sequence[Claim]:
        q = select(Claim).where(Claim.posting_id == posting_id)
        if active_only:
            q = q.where(Claim.status == ACTIVE)
        # Claims as stored now: another process may have changed one this session holds.
        return self.s.exec(q.order_by(Claim.id).execution_options(populate_existing=True)).all()

    def claimed(self, posting_id: int) -> int:
        """People claimed so far on one posting (active claims)."""
        self.s.flush()  # claims added in this unit of work count
        return int(self._run(_CLAIMED_ONE, {"pid": posting_id}).fetchone()[0])

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
             .where(Posting.group_id == group_id, Claim.updated_at >= start,
                    Claim.updated_at < end))
        return self.s.exec(q).all()

    def claims_to_notify(self) -> list[tuple[Posting, list[Claim]]]:
        """Active claims the poster has not been told of, grouped by posting."""
        q = (select(Claim, Posting).join(Posting, col(Posting.id) == Claim.posting_id)
             .where(Claim.status == ACTIVE, col(Claim.poster_notified_at).is_(None))
             .order_by(Claim.posting_id, Claim.id))
        rows = self.s.exec(q).all()
        out: dict[int, tuple[Posting, list[Claim]]] = {}
        for c, p in rows:
            out.setdefault(p.id or 0, (p, []))[1].append(c)
        return list(out.values())

    def claims_by(self, claimant_id: str) -> Sequence[Claim]:
        return self.s.exec(select(Claim).where(Claim.claimant_id == claimant_id,
                                               Claim.status == ACTIVE).order_by(Claim.id)).all()

    def last_claim_time(self, posting_id: int) -> datetime | None:
        return self.s.exec(select(func.max(Claim.updated_at)).where(
            Claim.posting_id == posting_id)).one()

    def claim(self, posting: Posting, claimant_id: str, claimant_name: str, headcount: int, *,
              message_id: int | None, now: datetime,
              source: str = "message") -> tuple[Claim, bool]:
        """Record or update one person's claim. Returns (claim, created)."""
        c = self.s.exec(select(Claim).where(Claim.posting_id == posting.id,
                                            Claim.claimant_id == claimant_id)
                        .execution_options(populate_existing=True)).first()
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
        """Cancel one person's active claim, written at once (None if there was none)."""
        c = self.s.exec(select(Claim).where(Claim.posting_id == posting_id,
                                            Claim.claimant_id == claimant_id,
                                            Claim.status == ACTIVE)).first()
        if c is not None:
            c.status, c.updated_at = "cancelled", now
            self.s.add(c)
            self.s.flush()  # a following count (claimed, claimed_many) sees it
        return c

    def save_claim(self, claim: Claim) -> None:
        """Keep changes to a claim, such as the poster notified (written at the next flush
        or commit)."""
        self.s.add(claim)

    # -- allocations (placements) -----------------------------------------------------------
    # One row is one person placed (a 调配人次). A team confirmed by its head is the head's
    # row and one row for each other member, filed as TEAM + "<head row id>:<k>" (k = 2..n):
    # no name or id of theirs is known, and none of the head's is repeated (an erasure of
    # the head leaves nothing of them behind).

    def add_allocation(self, **fields: Any) -> Allocation:
        a = Allocation(**fields)
        self.s.add(a)
        self.s.flush()
        return a

    def allocations(self, posting_id: int) -> Sequence[Allocation]:
        """Every placement on one posting, heads and team members alike, in order."""
        return self.s.exec(select(Allocation).where(Allocation.posting_id == posting_id)
                           .order_by(Allocation.id)).all()

    def placement_of(self, posting_id: int, worker_id: str) -> Allocation | None:
        """One person's placement on a posting (the row a repeated #确认 updates)."""
        return self.s.exec(select(Allocation).where(Allocation.posting_id == posting_id,
                                                    Allocation.worker_id == worker_id)).first()

    def team_of(self, head: Allocation) -> list[Allocation]:
        """The rows of the people a head brought (not the head's own), by k."""
        rows = self.s.exec(select(Allocation).where(
            Allocation.posting_id == head.posting_id,
            col(Allocation.worker_id).startswith(f"{TEAM}{head.id}:"))).all()
        return sorted(rows, key=lambda a: int(a.worker_id.rsplit(":", 1)[1]))

    def place(self, *, posting_id: int, worker_id: str, worker_name: str, people: int | None,
              default_people: int, days: float | None, default_days: float, confirmed_by: str,
              time: datetime) -> tuple[Allocation, tuple[int, float, float | None] | None]:
        """Record that `people` went to a posting under one person (themself and, past one,
        the team they brought), or update what was recorded: one person is placed on one
        posting once, however often it is confirmed. `people` or `days` None keeps what was
        recorded (a new placement takes `default_people`, `default_days`). The time of the
        first confirmation stays, so a placement stays in the period it was first reported in.

        Returns the head's row and what stood before as (people, days, pay of one), or None
        when the placement is new. Pay is set afterwards (`price_placements`)."""
        head = self.placement_of(posting_id, worker_id)
        before = None
        if head is None:
            head = Allocation(posting_id=posting_id, worker_id=worker_id,
                              worker_name=worker_name, days=default_days if days is None else days,
                              confirmed_by=confirmed_by, time=time)
            self._add(head)
            team: list[Allocation] = []
            people = default_people if people is None else people
        else:
            team = self.team_of(head)
            before = (1 + len(team), head.days, head.pay_total)
            people = before[0] if people is None else people
            if days is not None:
                head.days = days
            head.worker_name = worker_name or head.worker_name
            head.confirmed_by = confirmed_by
            self.s.add(head)
        for a in team[people - 1:]:
            self.s.delete(a)  # fewer went than were recorded
        for a in team[:people - 1]:
            a.days, a.confirmed_by = head.days, confirmed_by
            self.s.add(a)
        for k in range(len(team) + 2, people + 1):
            self._add(Allocation(posting_id=posting_id, worker_id=f"{TEAM}{head.id}:{k}",
                                 worker_name="", days=head.days, confirmed_by=confirmed_by,
                                 time=head.time))
        self.s.flush()
        return head, before

    def price_placements(self, posting_id: int,
                         pay: Callable[[float, int], float | None]) -> None:
        """Set every placement's pay on a posting from the posting's terms as they stand:
        `pay(days, people placed on the posting)` for one person (a lump sum is shared)."""
        rows = self.allocations(posting_id)
        for a in rows:
            a.pay_total = pay(a.days, len(rows))
            self.s.add(a)
        self.s.flush()

    def placement_stats(self, group_id: int | None, start: datetime,
                        end: datetime) -> dict[str, float]:
        """The figures unions report, over the placements first confirmed in [start, end)
        on postings of one group (or of all groups). One source for `#统计`, the weekly
        report and the allocation workbook.

        - enterprises: employers placed with (a posting without an employer: its poster);
        - workers: people placed at least once (a team's members each count);
        - placements: 调配人次, one a person a posting;
        - unpaid: placements whose posting gives no pay figure (piece rates, none written):
          left out of the income figures, and said;
        - income: the pay of the placements that have a figure;
        - income_per_worker (人均增收): income / the workers with at least one placement
          that has a figure (paid_workers). A worker whose only placements have no figure
          is in neither side of the division, so an unknown pay never lowers the average.
        """
        q = (select(Allocation, Posting).join(Posting, col(Posting.id) == Allocation.posting_id)
             .where(Allocation.time >= start, Allocation.time < end))
        if group_id is not None:
            q = q.where(Posting.group_id == group_id)
        rows = self.s.exec(q).all()
        workers = {a.worker_id for a, _ in rows}
        firms = {p.employer or f"poster:{p.poster_id}" for _, p in rows}
        paid = [a for a, _ in rows if a.pay_total is not None]
        paid_workers = {a.worker_id for a in paid}
        income = sum(a.pay_total or 0 for a in paid)
        return {"enterprises": len(firms), "workers": len(workers), "placements": len(rows),
                "unpaid": len(rows) - len(paid), "paid_workers": len(paid_workers),
                "income": income,
                "income_per_worker": income / len(paid_workers) if paid_workers else 0.0}

    # -- match records ----------------------------------------------------------------------
    def matched_before(self, posting_id: int, offer_id: int) -> bool:
        return offer_id in self.matched_offers(posting_id)

    def matched_offers(self, posting_id: int) -> set[int]:
        """The offers already told of (or shown) this posting."""
        self.s.flush()
        return {r[0] for r in self._run(_MATCHED, {"pid": posting_id}).fetchall()}

    def record_match(self, posting_id: int, offer_id: int, *, now: datetime) -> None:
        """Remember that this pair was put together (a no-op when it was before)."""
        self.s.flush()
        self._run(_MATCH, {"posting_id": posting_id, "offer_id": offer_id, "time": now})

    # -- where a member belongs; postings as a member may see them ---------------------------
    def member_groups(self, sender_id: str) -> set[int]:
        """The groups a person is in, as far as the bot can tell: every group they have
        written in, and every group whose room's member list (the gateway's room binding)
        names them, though they never wrote there."""
        self.s.flush()  # the message in hand counts
        conn = self.s.connection()
        ids = {gid for (gid,) in conn.execute(
            select(Message.group_id).where(Message.sender_id == sender_id,
                                           col(Message.group_id).is_not(None)).distinct())}
        rooms = conn.execute(
            select(Group.id, Binding.members)
            .join(Binding, col(Binding.local_id) == col(Group.external_id))
            .where(Binding.kind == "room", col(Binding.members).contains(sender_id))).all()
        ids |= {gid for gid, members in rooms if sender_id in members.split("\n")}
        return ids

    def posting_for_member(self, number: int, sender_id: str, *,
                           kind: str | None = None) -> Posting | None:
        """Posting `number` where `sender_id` may see it: it lives in one of the groups they
        are in (member_groups), so a number typed in another group of theirs, or in a direct
        message, finds it, and a number of a group they are not in finds nothing. `kind`
        ("job" or "offer") narrows it. Cadres are not special here: callers decide that."""
        p = self.posting(number)
        if p is None or (kind is not None and p.kind != kind) or p.group_id is None:
            return None
        return p if p.group_id in self.member_groups(sender_id) else None

    def open_candidates(self, group_ids: Collection[int] | None, *, kind: str = "job",
                        family: str | None = None, settlement: str | None = None,
                        limit: int = CANDIDATES, offset: int = 0,
                        with_text: bool = False) -> list[Candidate]:
        """Open postings of several groups (None: of every group), newest first, from
        `offset` on: lists page through them, queries and matching score them. `with_text`
        loads each one's text too (a query's 包吃住 or 夜班 may be only there)."""
        if group_ids is not None and not group_ids:
            return []
        shape = (group_ids is not None, family is not None, settlement is not None, with_text)

        def build() -> Any:
            cols = (*_CANDIDATE, Posting.text) if shape[3] else _CANDIDATE
            q = select(*cols).where(Posting.kind == bindparam("kind"), Posting.status == "open")
            if shape[0]:
                q = q.where(col(Posting.group_id).in_(bindparam("gids", expanding=True)))
            if shape[1]:
                q = q.where(Posting.family == bindparam("family"))
            if shape[2]:
                q = q.where(Posting.settlement == bindparam("settlement"))
            return (q.order_by(col(Posting.id).desc()).limit(bindparam("limit"))
                    .offset(bindparam("offset")))

        return self._candidates(self._read(("open_in", *shape), build), {
            "kind": kind, "gids": sorted(group_ids) if group_ids is not None else None,
            "family": family, "settlement": settlement, "limit": limit, "offset": offset})

    def count_open_in(self, group_ids: Collection[int] | None, *, kind: str = "job") -> int:
        """Open postings of several groups (None: of every group)."""
        if group_ids is not None and not group_ids:
            return 0
        q = select(func.count()).select_from(Posting).where(Posting.kind == kind,
                                                            Posting.status == "open")
        if group_ids is not None:
            q = q.where(col(Posting.group_id).in_(list(group_ids)))
        return int(self.s.exec(q).one())
