"""Every figure about requests (诉求), computed one way: on time, late, satisfied, response.

Pure functions of requests and their events (storage.models Request, RequestEvent); nothing
here reads the database or writes text for people. `#统计 诉求`, the weekly report and the
requests workbook all come through here (scheduler/reports.py), so they cannot disagree.

The rules:

- A *cadre action* is a step (dispatched, in_progress, resolved or waiting) by someone who is
  neither the requester nor the bot. A step that only sets a deadline (`#定级`, `#重办`) is not
  an answer, whoever takes it.
- The deadline in force after each step is the event's `deadline` (rows written before that
  column existed carry none: for them, the request's current deadline stands). Each time it
  changes, and each time a done request is reopened (重办, 不满意), a new *period* starts,
  even if the deadline stays the same. A period is *met* by a cadre action between its start
  and its deadline; the action that starts a period (a 难事's `#进展`, which sets the next
  deadline) answers the period before it. A period is *missed* when its deadline passed while
  still in force, with the request neither done (resolved, closed, withdrawn) nor waiting on
  the requester at that moment (the clock stops while waiting), and no cadre action met it.
- A request is "late" if any period was missed, "on_time" if none was and one was met, and
  "in_progress" otherwise (nothing due yet). Withdrawn requests are "withdrawn" and stay out
  of every rate. History is not rewritten: regrading after a deadline passed keeps it late.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from storage.models import Request, RequestEvent

STEPS = frozenset({"filed", "dispatched", "in_progress", "waiting", "resolved", "closed",
                   "withdrawn"})
CADRE_STEPS = frozenset({"dispatched", "in_progress", "resolved", "waiting"})
DONE = frozenset({"resolved", "closed", "withdrawn"})
BOT = "bot"
# Steps that set a deadline rather than answer one (notes written by bot/handlers/requests.py).
_NOT_AN_ANSWER = ("定级", "重办")
_URGENCY_ORDER = ("small", "urgent", "hard")
URGENCY = {"small": "小事", "urgent": "急事", "hard": "难事"}
# A rating's note: "评价 4", "评价 4：reason", "不满意（1分）：reason" (the reason may be absent).
_RATED = re.compile(r"^(?:评价\s*\d|不满意(?:[（(][^）)]*[）)])?)[\s：:，,。]*(?P<why>.*)$", re.S)

# ("75%", 3, 4): the rate as shown, how many of how many. (None, 0, 0): nothing to judge.
Share = tuple[str | None, int, int]


@dataclass(frozen=True)
class Period:
    """A stretch of time under one deadline."""

    start: datetime
    deadline: datetime | None
    met: bool
    missed: bool


@dataclass(frozen=True)
class Outcome:
    """What became of one request, judged at `now`."""

    request_id: int
    verdict: str  # on_time | late | in_progress | withdrawn
    urgency: str
    category: str
    department: str | None
    handled: bool  # at least one cadre action
    responded_at: datetime | None  # the first cadre action
    response_hours: float | None
    rating: int | None
    rating_reason: str | None
    last_action: tuple[str, datetime] | None  # the last event's note (else status), time
    last_progress: tuple[str, str | None, datetime] | None  # the last cadre action
    closed_at: datetime | None  # when it became resolved/closed/withdrawn; None while open
    periods: tuple[Period, ...] = field(default=(), compare=False)


@dataclass(frozen=True)
class Figures:
    """Counts over a set of outcomes; rates are fractions, None when there is nothing to
    judge (no request due) or nobody rated."""

    count: int
    on_time: int
    late: int
    in_progress: int
    withdrawn: int
    rated: int
    satisfied: int  # rated 4 or 5
    mean_response_hours: float | None

    @property
    def judged(self) -> int:
        return self.on_time + self.late

    @property
    def on_time_rate(self) -> float | None:
        return self.on_time / self.judged if self.judged else None

    @property
    def satisfied_rate(self) -> float | None:
        return self.satisfied / self.rated if self.rated else None

    def on_time_share(self) -> Share:
        return percent(self.on_time_rate), self.on_time, self.judged

    def satisfied_share(self) -> Share:
        return percent(self.satisfied_rate), self.satisfied, self.rated


@dataclass(frozen=True)
class Group:
    """One row of `grouped`: kind 合计/等级/类别/部门, its name, its figures."""

    kind: str
    name: str
    figures: Figures


def percent(rate: float | None) -> str | None:
    """0.75 → "75%"; None (nothing to judge or rate) stays None for the wording to say so."""
    return None if rate is None else f"{rate:.0%}"


def is_cadre_action(req: Request, ev: RequestEvent, before: str | None = None) -> bool:
    """A step that answers the requester: by a cadre, not the requester or the bot; not a
    #定级 or #重办 (by its note, or, given the status `before` it, by reopening)."""
    return (ev.status in CADRE_STEPS and ev.actor_id not in (req.requester_id, BOT)
            and not (ev.note or "").startswith(_NOT_AN_ANSWER)
            and not (before in DONE and ev.status not in DONE))


def _answers(req: Request, steps: Sequence[RequestEvent]) -> list[bool]:
    """For each step in order: is it a cadre action?"""
    out: list[bool] = []
    status = "filed"
    for e in steps:
        out.append(is_cadre_action(req, e, status))
        status = e.status
    return out


def _steps(events: Iterable[RequestEvent]) -> list[RequestEvent]:
    """Status steps in time order; events that leave the status alone (a rating reminder)
    are no steps."""
    return sorted((e for e in events if e.status in STEPS), key=lambda e: (e.time, e.id or 0))


def _status_at(req: Request, steps: Sequence[RequestEvent], t: datetime) -> str:
    status = "filed"
    for e in steps:
        if e.time > t:
            break
        status = e.status
    return status if steps else req.status


def _periods(req: Request, steps: Sequence[RequestEvent], answers: Sequence[bool],
             now: datetime) -> list[Period]:
    # [start, deadline, cadre action times] of each period, in order
    raw: list[tuple[datetime, datetime | None, list[datetime]]] = []
    status = "filed"
    for e, answer in zip(steps, answers, strict=True):
        d = e.deadline if e.deadline is not None else req.deadline
        if not raw:
            raw.append((min(e.time, req.created_at), d, []))
        if answer:
            raw[-1][2].append(e.time)  # before a change: it answers the period it ends
        reopened = status in DONE and e.status not in DONE
        if d != raw[-1][1] or reopened:  # a reopened request is owed a new answer
            raw.append((e.time, d, []))
        status = e.status
    if not raw:
        raw.append((req.created_at, req.deadline, []))
    out = []
    for i, (start, deadline, actions) in enumerate(raw):
        end = raw[i + 1][0] if i + 1 < len(raw) else None
        if deadline is None:
            out.append(Period(start, None, bool(actions), False))
            continue
        met = any(t <= deadline for t in actions)
        in_force = start <= deadline and (end is None or deadline < end)
        missed = (not met and in_force and deadline < now
                  and _status_at(req, steps, deadline) not in (*DONE, "waiting"))
        out.append(Period(start, deadline, met, missed))
    return out


def _closed_at(req: Request, steps: Sequence[RequestEvent]) -> datetime | None:
    if not steps:
        return (req.resolved_at or req.created_at) if req.status in DONE else None
    closed: datetime | None = None
    for e in steps:
        if e.status in DONE:
            closed = closed or e.time
        else:
            closed = None
    return closed


def _reason(notes: Iterable[str | None]) -> str | None:
    """The reason given with the last rating, if it came with one."""
    found: str | None = None
    for note in notes:
        m = _RATED.match((note or "").strip())
        if m:
            found = m.group("why").strip() or None
    return found


def judge(req: Request, events: Iterable[RequestEvent], now: datetime) -> Outcome:
    """One request's outcome at `now`, from its events (see the module's rules)."""
    evs = sorted(events, key=lambda e: (e.time, e.id or 0))
    steps = _steps(evs)
    answers = _answers(req, steps)
    actions = [e for e, answer in zip(steps, answers, strict=True) if answer]
    periods = _periods(req, steps, answers, now)
    if req.status == "withdrawn":
        verdict = "withdrawn"
    elif any(p.missed for p in periods):
        verdict = "late"
    elif any(p.met for p in periods):
        verdict = "on_time"
    else:
        verdict = "in_progress"
    first = actions[0].time if actions else None
    last = evs[-1] if evs else None
    progress = actions[-1] if actions else None
    return Outcome(
        request_id=req.id or 0, verdict=verdict, urgency=req.urgency, category=req.category,
        department=req.department, handled=bool(actions), responded_at=first,
        response_hours=(first - req.created_at).total_seconds() / 3600 if first else None,
        rating=req.rating,
        rating_reason=_reason(e.note for e in evs if e.actor_id == req.requester_id),
        last_action=(last.note or last.status, last.time) if last else None,
        last_progress=(progress.status, progress.note, progress.time) if progress else None,
        closed_at=_closed_at(req, steps), periods=tuple(periods))


def summarize(outcomes: Iterable[Outcome]) -> Figures:
    """Counts and rates over outcomes. Withdrawn requests count in `count` and `withdrawn`
    only; the response mean is over every request a cadre answered."""
    outs = list(outcomes)
    kept = [o for o in outs if o.verdict != "withdrawn"]
    rated = [o.rating for o in kept if o.rating is not None]
    hours = [o.response_hours for o in outs if o.response_hours is not None]
    return Figures(
        count=len(outs), on_time=sum(o.verdict == "on_time" for o in outs),
        late=sum(o.verdict == "late" for o in outs),
        in_progress=sum(o.verdict == "in_progress" for o in outs),
        withdrawn=len(outs) - len(kept), rated=len(rated),
        satisfied=sum(r >= 4 for r in rated),
        mean_response_hours=sum(hours) / len(hours) if hours else None)


def department(o: Outcome) -> str:
    """The department a request is counted under: 未指定 once handled without one."""
    return o.department or ("未指定" if o.handled else "未派单")


def grouped(outcomes: Iterable[Outcome]) -> list[Group]:
    """合计/全部 first (the same figures as `summarize`), then per 等级 (小事, 急事, 难事),
    类别 and 部门, each in order of first appearance."""
    outs = list(outcomes)
    keys: dict[tuple[str, str], list[Outcome]] = {}
    for u in _URGENCY_ORDER:
        for o in outs:
            if o.urgency == u:
                keys.setdefault(("等级", URGENCY[u]), []).append(o)
    for o in outs:
        if o.urgency not in URGENCY:
            keys.setdefault(("等级", o.urgency), []).append(o)
    for o in outs:
        keys.setdefault(("类别", o.category), []).append(o)
    for o in outs:
        keys.setdefault(("部门", department(o)), []).append(o)
    return [Group("合计", "全部", summarize(outs)),
            *(Group(kind, name, summarize(rs)) for (kind, name), rs in keys.items())]


def open_spans(req: Request, events: Iterable[RequestEvent]) -> list[tuple[datetime,
                                                                          datetime | None]]:
    """The stretches [from, until) a request was open (until None: still open). A reopened
    request has more than one."""
    steps = _steps(events)
    if not steps:
        done = req.status in DONE
        return [(req.created_at, (req.resolved_at or req.created_at) if done else None)]
    spans: list[tuple[datetime, datetime | None]] = []
    since: datetime | None = req.created_at
    for e in steps:
        if e.status in DONE and since is not None:
            spans.append((since, e.time))
            since = None
        elif e.status not in DONE and since is None:
            since = e.time
    if since is not None:
        spans.append((since, None))
    return spans


def open_during(requests: Iterable[Request], events_by_id: Mapping[int, Sequence[RequestEvent]],
                start: datetime, end: datetime) -> list[Request]:
    """Every request open at some moment of [start, end): filed before `end` and not closed
    before `start` (a request closed and reopened counts only for when it was open). This is
    the period rule of both `#统计 诉求` and the weekly report."""
    out = []
    for r in requests:
        if r.created_at >= end:
            continue
        spans = open_spans(r, events_by_id.get(r.id or 0, ()))
        if any(a < end and (b is None or b > start) for a, b in spans):
            out.append(r)
    return out
