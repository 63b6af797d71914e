"""Ledgers (台账) and their figures: pure functions of the repository, no file formats here."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from parsers.fields.phone import mask_phones
from storage import Repository
from storage.models import Allocation, Posting, Request

URGENCY = {"small": "小事", "urgent": "急事", "hard": "难事"}
STATUS = {"filed": "已受理", "dispatched": "已派单", "in_progress": "办理中", "waiting": "待补充",
          "resolved": "已办结", "closed": "已销号", "withdrawn": "已撤回"}
POST_STATUS = {"open": "在招", "filled": "已招满", "closed": "已关闭", "expired": "已过期"}
UNIT = {"hour": "元/小时", "day": "元/天", "month": "元/月", "piece": "元/件", "job": "元/整活"}


@dataclass(frozen=True)
class Sheet:
    title: str
    header: tuple[str, ...]
    rows: list[tuple[object, ...]]


def mask_name(name: str) -> str:
    """A requester in a ledger that travels: 钱七 → 钱*, wxid_abc → w***."""
    if not name:
        return ""
    return name[0] + ("*" if "\u4e00" <= name[0] <= "\u9fff" else "***")


def _masked(text: str | None) -> str:
    """A free-text cell of a ledger that travels: phone numbers masked (138****5678)."""
    return mask_phones(text) if text else ""


def on_time(r: Request, now: datetime) -> str:
    """是 / 否 / 未到期: answered (first cadre action) by its deadline and never overdue."""
    if r.overdue_at is not None:
        return "否"
    if r.first_response_at is not None:
        return "是" if r.deadline is None or r.first_response_at <= r.deadline else "否"
    if r.status == "withdrawn":
        return "—"
    if r.deadline is not None and now > r.deadline:
        return "否"
    return "未到期"


def _local(t: datetime | None, tz: ZoneInfo) -> str:
    return t.astimezone(tz).strftime("%Y-%m-%d %H:%M") if t else ""


def request_sheets(repo: Repository, tz: ZoneInfo, now: datetime) -> list[Sheet]:
    reqs: Sequence[Request] = repo.all(Request)
    rows = [(f"R{r.id}", _local(r.created_at, tz), mask_name(r.requester_name or r.requester_id),
             "私信" if r.via == "direct" else "群内", r.category, URGENCY.get(r.urgency, r.urgency),
             r.department or "", STATUS.get(r.status, r.status), _local(r.deadline, tz),
             _local(r.first_response_at, tz), _local(r.resolved_at, tz), on_time(r, now),
             r.rating if r.rating is not None else "") for r in reqs]
    header = ("编号", "登记时间", "诉求人", "渠道", "类别", "等级", "承办部门", "状态", "答复时限",
              "首次响应", "办结时间", "是否按时", "满意度(1-5)")
    return [Sheet("诉求台账", header, rows), Sheet("诉求统计", *request_stats(reqs, now))]


def request_stats(reqs: Sequence[Request], now: datetime) -> tuple[tuple[str, ...], list[tuple]]:
    """Per urgency, category and department: count, mean response hours, on-time and satisfied rates."""
    groups: dict[tuple[str, str], list[Request]] = defaultdict(list)
    for r in reqs:
        groups[("合计", "全部")].append(r)
        groups[("等级", URGENCY.get(r.urgency, r.urgency))].append(r)
        groups[("类别", r.category)].append(r)
        groups[("部门", r.department or "未派单")].append(r)
    rows = []
    for (kind, name), rs in groups.items():
        hours = [(r.first_response_at - r.created_at).total_seconds() / 3600
                 for r in rs if r.first_response_at]
        judged = [on_time(r, now) for r in rs]
        judged = [j for j in judged if j in ("是", "否")]
        rated = [r.rating for r in rs if r.rating is not None]
        rows.append((kind, name, len(rs), round(sum(hours) / len(hours), 2) if hours else "",
                     _rate(judged.count("是"), len(judged)), _rate(sum(x >= 4 for x in rated), len(rated))))
    header = ("维度", "名称", "诉求数", "平均响应(小时)", "按时率", "满意率")
    return header, rows


def _rate(n: int, d: int) -> str:
    return f"{n / d:.0%}" if d else ""


@dataclass(frozen=True)
class Weekly:
    start: date
    end: date  # exclusive
    placements: dict[str, float]
    filed: int
    on_time: str
    satisfied: str
    days: list[date]
    placements_by_day: list[int]
    requests_by_day: list[int]


def weekly(repo: Repository, tz: ZoneInfo, start: date, now: datetime) -> Weekly:
    """The week from `start` (a Monday) for the Monday report to the cadre group."""
    lo = datetime.combine(start, datetime.min.time(), tzinfo=tz)
    hi = lo + timedelta(days=7)
    stats = repo.placement_stats(None, lo, hi)
    reqs = list(repo.requests_between(lo, hi))
    judged = [on_time(r, now) for r in reqs]
    judged = [j for j in judged if j in ("是", "否")]
    rated = [r.rating for r in reqs if r.rating is not None]
    days = [start + timedelta(days=i) for i in range(7)]
    allocs = [a for a in repo.all(Allocation) if lo <= a.time < hi]
    by_day = [sum(1 for a in allocs if a.time.astimezone(tz).date() == d) for d in days]
    req_day = [sum(1 for r in reqs if r.created_at.astimezone(tz).date() == d) for d in days]
    return Weekly(start, start + timedelta(days=7), stats, len(reqs),
                  _rate(judged.count("是"), len(judged)), _rate(sum(x >= 4 for x in rated), len(rated)),
                  days, by_day, req_day)


def posting_sheets(repo: Repository, tz: ZoneInfo) -> list[Sheet]:
    posts: Sequence[Posting] = repo.all(Posting)
    rows = []
    for p in posts:
        pay = ""
        if p.pay_min is not None and p.pay_unit:
            hi = "" if p.pay_max == p.pay_min else (f"-{p.pay_max:g}" if p.pay_max else "以上")
            pay = f"{p.pay_min:g}{hi}{UNIT.get(p.pay_unit, '')}"
        group = repo.group(p.group_id)
        rows.append((f"#{p.id}", "招工" if p.kind == "job" else "找活", _local(p.created_at, tz),
                     group.name if group else "", _masked(p.employer), _masked(p.job),
                     _masked(p.task), _masked(p.location), p.headcount or "", repo.claimed(p.id or 0) if p.kind == "job" else "",
                     pay, POST_STATUS.get(p.status, p.status)))
    header = ("编号", "类型", "登记时间", "群", "企业", "工种", "活儿", "地点", "人数", "已报名", "工资", "状态")
    return [Sheet("岗位台账", header, rows)]


def allocation_sheets(repo: Repository, tz: ZoneInfo, start: datetime | None = None,
                      end: datetime | None = None) -> list[Sheet]:
    allocs: Sequence[Allocation] = repo.all(Allocation)
    rows = []
    for a in allocs:
        p = repo.posting(a.posting_id)
        # Workers are masked as requesters are: the ledger is handed on.
        rows.append((_local(a.time, tz), f"#{a.posting_id}", _masked(p.employer) if p else "",
                     _masked(p.job) if p else "", mask_name(a.worker_name), a.days,
                     a.pay_total if a.pay_total is not None else ""))
    header = ("确认时间", "岗位", "企业", "工种", "职工", "天数", "收入(元)")
    first = min((a.time for a in allocs), default=None)
    stats = repo.placement_stats(None, start or first or datetime.min.replace(tzinfo=tz),
                                 end or datetime.max.replace(tzinfo=tz))
    summary = [("覆盖企业(家)", stats["enterprises"]), ("共享职工(人)", stats["workers"]),
               ("调配(人次)", stats["placements"]), ("增收合计(元)", round(stats["income"], 2)),
               ("人均增收(元)", round(stats["income_per_worker"], 2))]
    return [Sheet("调配台账", header, rows), Sheet("调配统计", ("指标", "数值"), summary)]
