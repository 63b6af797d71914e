"""Placements (调配): who actually went, and the figures unions report."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from pathlib import Path

from bot import replies
from bot.context import Ctx
from bot.handlers.common import UsageError, month_span, ref_arg
from bot.handlers.people import Unresolved, by_name, mentioned
from bot.permissions import is_cadre
from bot.router import Router
from bot.types import Reply
from scheduler.reports import request_stats
from storage.models import Claim, Posting

router = Router("placements")
HOURS_PER_DAY = 8
DAYS_PER_MONTH = 30


def pay_for(p: Posting, days: float, workers: int) -> float | None:
    """What one worker earned on a posting for `days`, where the pay terms allow a figure."""
    if p.pay_min is None or p.pay_unit is None:
        return None
    per = {"day": 1.0, "hour": HOURS_PER_DAY, "month": 1 / DAYS_PER_MONTH}.get(p.pay_unit)
    if per is not None:
        return round(p.pay_min * per * days, 2)
    if p.pay_unit == "job":
        return round(p.pay_min / max(workers, 1), 2)
    return None  # piece rates depend on output, which nobody reports


FORCE = "强制"  # `#确认 3 强制 王五`: the poster or a cadre vouches for someone who never claimed
DAYS = re.compile(r"(\d+(?:\.\d+)?)\s*天")
PEOPLE = re.compile(r"(\d+)\s*个?人$")  # 张三7人 / 张三 7人: how many of a team went


@dataclass
class _Named:
    """A person as `#确认` names them: as written, how many went with them, their @-mention."""

    name: str
    people: int | None = None
    mention: str | None = None


@dataclass(frozen=True)
class _Placed:
    """Whom a placement is filed under, under what name, and how many people it counts."""

    name: str
    worker: str
    people: int | None  # as written; None: as recorded before, else `default_people`
    default_people: int  # a claimant: the people of their claim; anyone else: 1


def default_days(p: Posting) -> tuple[float, bool]:
    """The days a placement counts when `#确认` gives none: the posting's dates, first to
    last day inclusive (and True); else 1 (and False)."""
    if p.start_date is not None and p.end_date is not None and p.end_date >= p.start_date:
        return float((p.end_date - p.start_date).days + 1), True
    return 1.0, False


def _arguments(ctx: Ctx) -> tuple[list[_Named], float | None, bool]:
    """(the people named, the days if written, whether 强制 was written)."""
    rest = ctx.rest
    days = None
    m = DAYS.search(rest)
    if m:
        days = float(m.group(1))
        rest = rest[:m.start()] + " " + rest[m.end():]
    force = False
    named: list[_Named] = []
    for token in re.split(r"[\s,，、]+", rest):
        if token.startswith(FORCE):
            force, token = True, token[len(FORCE):]
        m = PEOPLE.search(token)
        if m:
            token, n = token[:m.start()], int(m.group(1))
            if token:
                named.append(_Named(token, n))
            elif named and named[-1].people is None:
                named[-1].people = n
            else:
                raise UsageError()
            if n < 1:
                raise UsageError()
        elif token:
            named.append(_Named(token))
    for name, mention_id in mentioned(ctx):  # `#确认 1 @张三 @李四`: cut from the arguments
        hit = next((x for x in named if x.name == name), None)
        if hit is None:
            named.append(_Named(name, mention=mention_id))
        else:
            hit.mention = mention_id
    if not named or (days is not None and days <= 0):
        raise UsageError()
    return named, days, force


@router.command("确认", permission="poster", target="posting", help="确认谁实际去了（发布人或干部），记入调配台账",
                usage="#确认 编号 张三 李四 [3天]")
def cmd_confirm(ctx: Ctx) -> Reply:
    """Record who went: people who claimed the posting (a team's head for the people of
    their claim, or `张三5人` for fewer); anyone else only with the word 强制. Nothing is
    recorded unless every name is accepted. A person confirmed again on the same posting is
    updated, never counted twice. Days: as written, else the posting's dates, else 1."""
    number = ref_arg(ctx)
    named, days, force = _arguments(ctx)
    p = ctx.repo.posting(number)
    if p is None:
        return ctx.say(replies.no_such_posting(number))
    claims = ctx.repo.claims(number)
    placed: list[_Placed] = []
    strangers: list[str] = []
    over: list[tuple[str, int, bool]] = []
    for x in named:
        claim = _claim_of(ctx, claims, x)
        if isinstance(claim, Unresolved):
            return claim.reply(ctx)  # nothing recorded: the cadre says who, then confirms all
        worker = claim.claimant_id if claim is not None else _worker(ctx, x.name, x.mention)
        # Someone placed on this posting before (forced then) is updated without 强制 again.
        recorded = _recorded(ctx, number, worker) if isinstance(worker, str) else 0
        if claim is None and not (force or recorded):
            strangers.append(x.name)
            continue
        if isinstance(worker, Unresolved):
            return worker.reply(ctx)
        vouched = max(claim.headcount if claim is not None else 0, recorded)
        if x.people is not None and x.people > vouched and not force:
            over.append((x.name, vouched, claim is not None and claim.headcount >= recorded))
        placed.append(_Placed(x.name, worker, x.people,
                              claim.headcount if claim is not None else 1))
    if strangers or over:
        again = " ".join(x.name + (f"{x.people}人" if x.people else "") for x in named)
        again = f"#确认 {number} {FORCE} {again}" + (f" {days:g}天" if days is not None else "")
        return ctx.say(replies.placements_not_claimed(number, strangers, over, again))
    once: dict[str, _Placed] = {}
    for w in placed:
        once.setdefault(w.worker, w)  # a person named twice (张三 @张三) is placed once
    placed = list(once.values())
    fallback, dated = default_days(p)
    before = {}
    for w in placed:
        _, before[w.worker] = ctx.repo.place(
            posting_id=number, worker_id=w.worker, worker_name=w.name, people=w.people,
            default_people=w.default_people, days=days, default_days=fallback,
            confirmed_by=ctx.msg.sender_id, time=ctx.now())
    # Pay from the posting's terms as they stand (a lump sum shared by all placed on it).
    ctx.repo.price_placements(number, lambda d, n: pay_for(p, d, n))
    added: list[tuple[str, int]] = []
    changed: list[tuple[str, tuple[int, float, float | None], tuple[int, float, float | None]]] = []
    same: list[str] = []
    unpaid = False
    for w in placed:
        head = ctx.repo.placement_of(number, w.worker)
        assert head is not None
        now = (_recorded(ctx, number, w.worker), head.days, head.pay_total)
        unpaid = unpaid or head.pay_total is None
        was = before[w.worker]
        if was is None:
            added.append((w.name, now[0]))
        elif was == now:
            same.append(w.name)
        else:
            changed.append((w.name, was, now))
    span = (p.start_date, p.end_date) if days is None and dated else None
    ctx.repo.audit(actor_id=ctx.msg.sender_id, action="确认", now=ctx.now(),
                   group_id=ctx.group.id if ctx.group else None, target=f"#{number}",
                   after={"workers": [w.name for w in placed],
                          "people": sum(_recorded(ctx, number, w.worker) for w in placed),
                          "days": days if days is not None else fallback,
                          **({"forced": True} if force else {})})
    return ctx.say(replies.placements_confirmed(
        number, added, days if days is not None else fallback, span, changed, same, unpaid))


def _claim_of(ctx: Ctx, claims: Sequence[Claim], x: _Named) -> Claim | Unresolved | None:
    """The active claim on the posting a name in `#确认` stands for: the mentioned person's;
    else the one claimed under that name; else that of the member the name stands for
    (their id typed out, or a display name they have held a while: handlers.people)."""
    if x.mention is not None:
        return next((c for c in claims if c.claimant_id == x.mention), None)
    same = [c for c in claims if c.claimant_name == x.name]
    if len(same) > 1:  # two claimants of one name: the poster @-mentions the one meant
        return Unresolved(x.name, "several", tuple(
            m for c in same if (m := ctx.repo.member(c.claimant_id)) is not None))
    if same:
        return same[0]
    found = by_name(ctx, x.name)
    if isinstance(found, Unresolved):
        return None
    return next((c for c in claims if c.claimant_id == found.sender_id), None)


def _recorded(ctx: Ctx, number: int, worker: str) -> int:
    """How many people are placed on a posting under one person (0: not placed)."""
    head = ctx.repo.placement_of(number, worker)
    return 0 if head is None else 1 + len(ctx.repo.team_of(head))


def _worker(ctx: Ctx, name: str, mention_id: str | None) -> str | Unresolved:
    """Whose placement a forced name in `#确认` records (someone who never claimed): the
    mentioned person; else the member the name stands for (see handlers.people); a name
    nobody in the groups holds is kept as written."""
    if mention_id is not None:
        return mention_id
    found = by_name(ctx, name)
    if isinstance(found, Unresolved):
        return f"name:{name}" if found.why == "none" else found
    return found.sender_id


def period(arg: str, today: date) -> tuple[date, date, str]:
    """[start, end) of 本周 / 本月 / YYYY-MM (default this month) and its title."""
    arg = arg.strip()
    if arg in ("本周", "这周"):
        start = today - timedelta(days=today.weekday())
        return start, start + timedelta(days=7), "本周"
    m = re.fullmatch(r"(\d{4})-(\d{1,2})", arg)
    if m:
        return month_span(int(m.group(1)), int(m.group(2)))
    if arg in ("", "本月", "这个月"):
        return month_span(today.year, today.month)
    raise UsageError()


@router.command("导出", permission="cadre", help="导出台账（诉求、岗位、调配）为 Excel（干部）",
                usage="#导出 诉求|岗位|调配")
def cmd_export(ctx: Ctx) -> Reply:
    from bot.exports import WORDS, write_xlsx  # noqa: PLC0415 - openpyxl only when exporting

    word = ctx.args.strip()
    kind = WORDS.get(word)
    if kind is None:
        raise UsageError()
    now = ctx.now()
    # Date units, not a digit run: a long run of digits in a group message reads as a phone.
    path = Path(ctx.config.exports_dir) / f"{word}台账{ctx.local(now):%Y年%m月%d日%H时%M分}.xlsx"
    rows = write_xlsx(kind, ctx.repo, ctx.config.tz, now, path)
    ctx.repo.audit(actor_id=ctx.msg.sender_id, action="导出", now=now,
                   group_id=ctx.group.id if ctx.group else None, target=word,
                   after={"file": str(path), "rows": rows})
    return replace(ctx.say(replies.exported(word, path.name, ctx.config.exports_dir, rows),
                           audience="cadres"), file=str(path))


@router.command("统计", permission="cadre",
                help="调配统计（覆盖企业、共享职工、调配人次、人均增收、企业结对）或诉求统计（干部）",
                usage="#统计 [诉求] [本周|本月|2025-03]")
def cmd_stats(ctx: Ctx) -> Reply:
    today = ctx.local(ctx.now()).date()
    args = ctx.args.strip()
    about_requests = args.startswith("诉求")
    start, end, title = period(args[2:] if about_requests else args, today)
    tz = ctx.config.tz
    lo = datetime.combine(start, time(0), tzinfo=tz)
    hi = datetime.combine(end, time(0), tzinfo=tz)
    # The cadre group (and a direct message from a cadre) sees every group; others their own.
    scope = None if (ctx.group is None or ctx.group.is_cadre_group) and is_cadre(
        ctx.msg.sender_id, ctx.repo, ctx.config) else (ctx.group.id if ctx.group else None)
    if about_requests:
        # Requests in hand at any moment of the period, judged now: the weekly report's rule.
        rows = [(g.kind, g.name, g.figures.count, g.figures.mean_response_hours,
                 g.figures.on_time_share(), g.figures.satisfied_share(),
                 g.figures.in_progress, g.figures.withdrawn)
                for g in request_stats(ctx.repo, lo, hi, ctx.now(), scope)]
        return ctx.say(replies.request_stats(title, rows))
    text = replies.stats(title, ctx.repo.placement_stats(scope, lo, hi))
    pairs = ctx.repo.firm_pairs(scope, lo, hi)  # 企业结对 (issue 28): shown once there is one
    if pairs["pairs"]:
        text += replies.firm_pairs_line(pairs)
    return ctx.say(text)
