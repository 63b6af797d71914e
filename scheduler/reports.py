"""Ledgers (台账) and their figures: pure functions of the repository, no file formats here."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from parsers.fields.phone import mask_phones
from scheduler import request_figures as rf
from storage import Repository
from storage.models import Allocation, Member, Posting, Request, RequestEvent
from storage.postings import TEAM
from storage.wishes import WishFigures

URGENCY = {"small": "小事", "urgent": "急事", "hard": "难事"}
STATUS = {"filed": "已受理", "dispatched": "已派单", "in_progress": "办理中", "waiting": "待补充",
          "resolved": "已办结", "closed": "已销号", "withdrawn": "已撤回"}
POST_STATUS = {"open": "在招", "filled": "已招满", "closed": "已关闭", "expired": "已过期"}
VERDICT = {"on_time": "是", "late": "否", "in_progress": "办理中", "withdrawn": "已撤回"}
EVENT = {**STATUS, "rating_reminder": "提醒评价"}
EVENT.update({"photo": "照片", "reward": "奖励"})  # hazard photos (issue 28)
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


def on_time(r: Request, events: Sequence[RequestEvent], now: datetime) -> str:
    """是 / 否 / 办理中 / 已撤回: the workbook's word for `request_figures.judge`."""
    return VERDICT[rf.judge(r, events, now).verdict]


def _local(t: datetime | None, tz: ZoneInfo) -> str:
    return t.astimezone(tz).strftime("%Y-%m-%d %H:%M") if t else ""


def request_outcomes(repo: Repository, reqs: Sequence[Request], now: datetime
                     ) -> list[rf.Outcome]:
    """Each request judged at `now` (request_figures.judge), its events read in one query."""
    events = repo.request_events_for([r.id or 0 for r in reqs])
    return [rf.judge(r, events[r.id or 0], now) for r in reqs]


def outcomes_during(repo: Repository, start: datetime, end: datetime, now: datetime,
                    group_id: int | None = None) -> list[rf.Outcome]:
    """The one period rule of `#统计 诉求` and the weekly report: every request open at some
    moment of [start, end) (request_figures.open_during), of one group if `group_id` is
    given, judged at `now`."""
    reqs = [r for r in repo.all(Request)
            if r.created_at < end and (group_id is None or r.group_id == group_id)]
    events = repo.request_events_for([r.id or 0 for r in reqs])
    return [rf.judge(r, events[r.id or 0], now)
            for r in rf.open_during(reqs, events, start, end)]


def request_stats(repo: Repository, start: datetime, end: datetime, now: datetime,
                  group_id: int | None = None) -> list[rf.Group]:
    """`#统计 诉求` over [start, end): 合计, then per 等级, 类别 and 部门 (request_figures.grouped)
    of the requests open during the period (`outcomes_during`, as the weekly report)."""
    return rf.grouped(outcomes_during(repo, start, end, now, group_id))


def _actor(r: Request, e: RequestEvent, names: dict[str, str]) -> str:
    if e.actor_id == rf.BOT:
        return "系统"
    if e.actor_id == r.requester_id:
        return mask_name(r.requester_name or r.requester_id)
    return mask_name(names.get(e.actor_id) or e.actor_id)


def _progress(o: rf.Outcome) -> str:
    if o.last_progress is None:
        return ""
    status, note, _ = o.last_progress
    word = STATUS.get(status, status)
    if not note:
        return word
    labelled = "：" in note[:4]  # "回复：…" says what it is
    return _masked(note) if labelled else f"{word}：{_masked(note)}"


def _share(share: rf.Share) -> str:
    return share[0] if share[0] is not None else "暂无"


def request_sheets(repo: Repository, tz: ZoneInfo, now: datetime) -> list[Sheet]:
    """诉求台账 (one row a request), 办理记录 (every event of every request) and 诉求统计
    (request_figures.grouped over every request): people masked, phone numbers masked."""
    reqs: Sequence[Request] = repo.all(Request)
    events = repo.request_events_for([r.id or 0 for r in reqs])
    outs = [rf.judge(r, events[r.id or 0], now) for r in reqs]
    rows = [(f"R{r.id}", _local(r.created_at, tz), mask_name(r.requester_name or r.requester_id),
             "私信" if r.via == "direct" else "群内", r.category, URGENCY.get(r.urgency, r.urgency),
             _masked(r.text), r.department or "", STATUS.get(r.status, r.status),
             _local(r.deadline, tz), _local(o.responded_at, tz), _progress(o),
             _local(r.resolved_at, tz), _masked(r.resolution), VERDICT[o.verdict],
             r.rating if r.rating is not None else "", _masked(o.rating_reason))
            for r, o in zip(reqs, outs, strict=True)]
    header = ("编号", "登记时间", "诉求人", "渠道", "类别", "等级", "诉求内容", "承办部门", "状态",
              "答复时限", "首次响应", "最新进展", "办结时间", "办理结果", "是否按时",
              "满意度(1-5)", "评价理由")
    names = {m.sender_id: m.display_name for m in repo.all(Member)}
    log = [(f"R{r.id}", _local(e.time, tz), EVENT.get(e.status, e.status), _actor(r, e, names),
            _masked(e.note)) for r in reqs for e in events[r.id or 0]]
    stats = [(g.kind, g.name, g.figures.count,
              round(g.figures.mean_response_hours, 2)
              if g.figures.mean_response_hours is not None else "",
              _share(g.figures.on_time_share()), _share(g.figures.satisfied_share()))
             for g in rf.grouped(outs)]
    return [Sheet("诉求台账", header, rows),
            Sheet("办理记录", ("编号", "时间", "状态", "操作人", "说明"), log),
            Sheet("诉求统计", ("维度", "名称", "诉求数", "平均响应(小时)", "按时率", "满意率"),
                  stats)]


# "All time" as bounds a database takes: datetime.min at UTC+8 is before year 1 in UTC.
_EVER = (datetime(1970, 1, 1, tzinfo=UTC), datetime(3000, 1, 1, tzinfo=UTC))


@dataclass(frozen=True)
class Weekly:
    """The Monday report's figures. `requests` covers every request open during the week
    (the rule of `#统计 诉求`: reports.outcomes_during); `filed` counts those filed in it."""

    start: date
    end: date  # exclusive
    placements: dict[str, float]
    filed: int
    requests: rf.Figures
    days: list[date]
    placements_by_day: list[int]
    requests_by_day: list[int]
    # The wish wall over the week (storage.wishes.wish_figures, as #心愿墙 counts).
    wishes: WishFigures | None = None

    @property
    def on_time(self) -> rf.Share:
        return self.requests.on_time_share()

    @property
    def satisfied(self) -> rf.Share:
        return self.requests.satisfied_share()


def weekly(repo: Repository, tz: ZoneInfo, start: date, now: datetime) -> Weekly:
    """The week from `start` (a Monday) for the Monday report to the cadre group: requests
    judged at `now` by the same rule and period definition as `#统计 诉求` (`request_stats`)."""
    lo = datetime.combine(start, datetime.min.time(), tzinfo=tz)
    hi = lo + timedelta(days=7)
    stats = repo.placement_stats(None, lo, hi)
    figures = rf.summarize(outcomes_during(repo, lo, hi, now))
    filed = list(repo.requests_between(lo, hi))
    days = [start + timedelta(days=i) for i in range(7)]
    allocs = [a for a in repo.all(Allocation) if lo <= a.time < hi]
    by_day = [sum(1 for a in allocs if a.time.astimezone(tz).date() == d) for d in days]
    req_day = [sum(1 for r in filed if r.created_at.astimezone(tz).date() == d) for d in days]
    return Weekly(start, start + timedelta(days=7), stats, len(filed), figures, days, by_day,
                  req_day, repo.wish_figures(lo, hi))


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
    """调配台账 (one row a person placed: a team's members follow its head, as 张*同组第2人)
    and 调配统计 (`placement_stats`, the figures of `#统计` and the weekly report)."""
    allocs: Sequence[Allocation] = repo.all(Allocation)
    heads = {a.id: a for a in allocs}
    rows = []
    for a in allocs:
        p = repo.posting(a.posting_id)
        # Workers are masked as requesters are: the ledger is handed on.
        who = mask_name(a.worker_name)
        if a.worker_id.startswith(TEAM):
            head_id, k = a.worker_id[len(TEAM):].split(":")
            head = heads.get(int(head_id))
            who = f"{mask_name(head.worker_name) if head else ''}同组第{k}人"
        rows.append((_local(a.time, tz), f"#{a.posting_id}", _masked(p.employer) if p else "",
                     _masked(p.job) if p else "", who, a.days,
                     a.pay_total if a.pay_total is not None else ""))
    header = ("确认时间", "岗位", "企业", "工种", "职工", "天数", "收入(元)")
    first = min((a.time for a in allocs), default=None)
    stats = repo.placement_stats(None, start or first or _EVER[0],
                                 end or _EVER[1])
    unpaid = int(stats["unpaid"])
    summary: list[tuple[object, ...]] = [
        ("覆盖企业(家)", stats["enterprises"]), ("共享职工(人)", stats["workers"]),
        ("调配(人次)", stats["placements"]), ("其中没有工资数(人次)", unpaid),
        ("增收合计(元)", round(stats["income"], 2)),
        ("人均增收(元)", round(stats["income_per_worker"], 2)),
        ("人均增收的算法", "有工资数的调配收入合计 ÷ 有过有工资数调配的职工人数")]
    if unpaid:
        summary.append(("说明", f"另有{unpaid}人次没有工资数，未计入增收"))
    # 企业结对 (issue 28: storage.sharing.firm_pairs, as #统计 counts them), once there is one.
    pairs = repo.firm_pairs(None, start or first or _EVER[0],
                            end or _EVER[1])
    if pairs["pairs"]:
        summary += [("企业结对(对)", pairs["pairs"]), ("其中借调职工(对)", pairs["lending"]),
                    ("其中资源共享(对)", pairs["shares"])]
    return [Sheet("调配台账", header, rows), Sheet("调配统计", ("指标", "数值"), summary)]


# -- issue 28: opinions on a draft (征求意见) -----------------------------------------------
def opinion_sheets(repo: Repository, tz: ZoneInfo) -> list[Sheet]:
    """意见台账 (one row an opinion: its author masked unless they agreed to be named, phone
    numbers masked) and 征求意见 (one row a consultation, with the participation figure of
    `#意见` and the results message: storage's `participation`)."""
    from storage.models import Consultation  # noqa: PLC0415
    from storage.opinions import group_ids_of  # noqa: PLC0415

    groups = {g.id: g.name for g in repo.groups()}
    rows, summary = [], []
    for c in repo.all(Consultation):
        ops = repo.opinions(c.id or 0)
        for op in ops:
            rows.append((f"Y{c.id}", op.seq, _local(op.created_at, tz),
                         groups.get(op.group_id, "") if op.group_id is not None else "私信",
                         op.author_name if op.named else mask_name(op.author_name or op.author_id),
                         "是" if op.named else "否", _masked(op.text), op.outcome or "待答复",
                         op.owner or "", _masked(op.note), _local(op.answered_at, tz)))
        part = repo.participation(c)
        summary.append((f"Y{c.id}", c.title, _local(c.created_at, tz), _local(c.deadline, tz),
                        "进行中" if c.status == "open" else "已结束",
                        "、".join(groups.get(g, "") for g in group_ids_of(c)), len(ops),
                        part.authors, part.members,
                        f"{part.percent}%" if part.percent is not None else "暂无"))
    header = ("编号", "序号", "提出时间", "群", "提出人", "可署名", "意见内容", "处理结果",
              "负责人", "说明", "答复时间")
    return [Sheet("意见台账", header, rows),
            Sheet("征求意见", ("编号", "标题", "发起时间", "截止时间", "状态", "发往群", "意见数",
                           "参与人数", "群成员数", "参与率"), summary)]


# -- the wish wall (issue 28): the needs list and its supply, by month -----------------------
WISH_STATUS = {"open": "待安排", "answered": "已安排"}


def _month_starts(first: date, last: date) -> list[date]:
    out, d = [], first.replace(day=1)
    while d <= last:
        out.append(d)
        d = date(d.year + (d.month == 12), d.month % 12 + 1, 1)
    return out


def wish_sheets(repo: Repository, tz: ZoneInfo, now: datetime) -> list[Sheet]:
    """需求清单 (one row a line of the wish wall: topic, people, first and last wish, supply,
    status), 供给清单 (the lines answered) and 按月汇总 (each month's new wishes, lines opened
    and answered, and lines waiting at its end). Every figure is `repo.wish_wall` /
    `repo.wish_figures`, as #心愿墙 counts them; no names: the sheet travels."""
    lines = repo.wish_wall()
    rows = [(f"W{ln.number}", ln.topic, ln.people, ln.wishes, _local(ln.first, tz),
             _local(ln.last, tz), ln.supply_date.isoformat() if ln.supply_date else "",
             _masked(ln.supply_text), WISH_STATUS.get(ln.status, ln.status))
            for ln in lines]
    header = ("编号", "心愿", "人数", "心愿条数", "首次许愿", "最近许愿", "供给日期", "供给内容",
              "状态")
    supply = [(f"W{ln.number}", ln.topic, ln.people,
               ln.supply_date.isoformat() if ln.supply_date else "", _masked(ln.supply_text),
               _local(ln.supplied_at, tz))
              for ln in lines if ln.status == "answered"]
    firsts = [t for ln in lines for t in (ln.first, ln.supplied_at) if t is not None]
    monthly: list[tuple[object, ...]] = []
    if firsts:
        last = max(now, *firsts).astimezone(tz).date()
        for m in _month_starts(min(firsts).astimezone(tz).date(), last):
            lo = datetime.combine(m, datetime.min.time(), tzinfo=tz)
            nxt = date(m.year + (m.month == 12), m.month % 12 + 1, 1)
            hi = datetime.combine(nxt, datetime.min.time(), tzinfo=tz)
            f = repo.wish_figures(lo, hi)
            monthly.append((f"{m:%Y-%m}", f.wishes, f.people, f.opened, f.answered, f.waiting))
    return [Sheet("需求清单", header, rows),
            Sheet("供给清单", ("编号", "心愿", "人数", "供给日期", "供给内容", "记录时间"), supply),
            Sheet("按月汇总", ("月份", "新心愿(条)", "许愿人数", "新开需求(条)", "答复(条)",
                           "月末待安排(条)"), monthly)]


# -- hazard photos (随手拍, issue 28): the monthly reward ledger ------------------------------
def reward_sheets(repo: Repository, tz: ZoneInfo) -> list[Sheet]:
    """奖励台账 (one row a person a month: total and count) and 奖励明细 (one row a reward),
    month by month, each month as `repo.reward_ledger` computes it for #奖励台账. Names in
    full: the ledger is what the rewards are paid by; no request text, only the place."""
    from storage.models import Reward  # noqa: PLC0415

    times = [r.created_at.astimezone(tz).date() for r in repo.all(Reward)]
    totals: list[tuple[object, ...]] = []
    items: list[tuple[object, ...]] = []
    for first in _month_starts(min(times), max(times)) if times else []:
        end = date(first.year + (first.month == 12), first.month % 12 + 1, 1)
        month = f"{first:%Y-%m}"
        for line in repo.reward_ledger(datetime.combine(first, datetime.min.time(), tzinfo=tz),
                                       datetime.combine(end, datetime.min.time(), tzinfo=tz)):
            totals.append((month, line.name, line.person_id, len(line.items), line.total))
            items += [(month, f"R{n}", line.name, _masked(place), amount, _local(when, tz))
                      for n, amount, place, when in line.items]
    return [Sheet("奖励台账", ("月份", "姓名", "微信号", "件数", "合计(元)"), totals),
            Sheet("奖励明细", ("月份", "编号", "姓名", "地点", "金额(元)", "记录时间"), items)]
