"""Placements (调配): who actually went, and the figures unions report."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date, datetime, time, timedelta
from pathlib import Path

from bot import replies
from bot.context import Ctx
from bot.handlers.common import UsageError, ref_arg
from bot.handlers.people import Unresolved, by_name, mentioned
from bot.permissions import is_cadre
from bot.router import Router
from bot.types import Reply
from scheduler.reports import request_stats
from storage.models import Posting

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


@router.command("确认", permission="poster", target="posting", help="确认谁实际去了（发布人或干部），记入调配台账",
                usage="#确认 编号 张三 李四 [3天]")
def cmd_confirm(ctx: Ctx) -> Reply:
    number = ref_arg(ctx)
    rest = ctx.rest
    days = 1.0
    m = re.search(r"(\d+(?:\.\d+)?)\s*天", rest)
    if m:
        days = float(m.group(1))
        rest = rest[:m.start()] + rest[m.end():]
    at = mentioned(ctx)  # `#确认 1 @张三 @李四`: mentions are cut from the arguments
    named = [n for n in re.split(r"[\s,，、]+", rest) if n]
    names = [*named, *(n for n, _ in at if n not in named)]
    if not names or days <= 0:
        raise UsageError()
    p = ctx.repo.posting(number)
    if p is None:
        return ctx.say(replies.no_such_posting(number))
    workers = []
    for name in names:
        worker = _worker(ctx, number, name, dict(at).get(name))
        if isinstance(worker, Unresolved):
            return worker.reply(ctx)  # nothing recorded: the cadre says who, then confirms all
        workers.append(worker)
    for name, worker in zip(names, workers, strict=True):
        ctx.repo.add_allocation(posting_id=number, worker_id=worker, worker_name=name, days=days,
                                pay_total=pay_for(p, days, len(names)),
                                confirmed_by=ctx.msg.sender_id, time=ctx.now())
    ctx.repo.audit(actor_id=ctx.msg.sender_id, action="确认", now=ctx.now(),
                   group_id=ctx.group.id if ctx.group else None, target=f"#{number}",
                   after={"workers": names, "days": days})
    return ctx.say(replies.placements_confirmed(number, names, days))


def _worker(ctx: Ctx, number: int, name: str, mention_id: str | None) -> str | Unresolved:
    """Whose placement a name in `#确认` records: the mentioned person; else the one who
    claimed the posting under that name; else the member the name stands for (see
    handlers.people); a name nobody in the groups holds is kept as written."""
    if mention_id is not None:
        return mention_id
    claimed = {c.claimant_id for c in ctx.repo.claims(number) if c.claimant_name == name}
    if len(claimed) == 1:
        return claimed.pop()
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
        y, mo = int(m.group(1)), int(m.group(2))
        if not 1 <= mo <= 12:
            raise UsageError()
    elif arg in ("", "本月", "这个月"):
        y, mo = today.year, today.month
    else:
        raise UsageError()
    start = date(y, mo, 1)
    end = date(y + (mo == 12), mo % 12 + 1, 1)
    return start, end, f"{y}年{mo}月"


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
                help="调配统计（覆盖企业、共享职工、调配人次、人均增收）或诉求统计（干部）",
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
    return ctx.say(replies.stats(title, ctx.repo.placement_stats(scope, lo, hi)))
