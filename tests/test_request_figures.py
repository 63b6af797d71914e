"""Request figures (scheduler.request_figures): one request judged on hand-built events, and
the same figures four ways on one database — `#统计 诉求`, the weekly report, the daily
诉求日报 and the workbook."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta

from openpyxl import load_workbook

from bot import replies
from bot.exports import write_xlsx
from scheduler import reports
from scheduler.request_figures import (
    Outcome,
    grouped,
    judge,
    open_during,
    open_spans,
    percent,
    summarize,
)
from storage.models import Request, RequestEvent
from tests.conftest import TZ

T0 = datetime(2025, 3, 3, 9, 0, tzinfo=TZ)  # a Monday
HOUR = timedelta(hours=1)
DUE = T0 + HOUR  # a 小事's first deadline
_KEEP = object()


def req(status: str = "filed", deadline: datetime | None = DUE, **kw: object) -> Request:
    fields: dict = {"id": 1, "requester_id": "w1", "requester_name": "钱七",
                    "category": "设施服务", "urgency": "small", "created_at": T0}
    fields.update(kw)
    return Request(status=status, deadline=deadline, **fields)


def ev(minutes: float, status: str, actor: str = "cadre", note: str | None = None,
       deadline: datetime | None | object = _KEEP) -> RequestEvent:
    """An event `minutes` after T0; its deadline in force is DUE unless given (None: legacy)."""
    return RequestEvent(request_id=1, status=status, actor_id=actor, note=note,
                        time=T0 + timedelta(minutes=minutes),
                        deadline=DUE if deadline is _KEEP else deadline)


def at(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)


# -- judge, one request at a time --------------------------------------------------------
def test_answered_in_time_is_on_time() -> None:
    o = judge(req("dispatched"), [ev(0, "filed", "w1"), ev(30, "dispatched", note="园区")],
              at(600))
    assert (o.verdict, o.response_hours, o.handled, o.closed_at) == ("on_time", 0.5, True, None)
    assert o.last_action == ("园区", at(30)) and o.last_progress == ("dispatched", "园区", at(30))


def test_no_cadre_action_by_the_deadline_is_late_even_if_answered_later() -> None:
    o = judge(req("dispatched"), [ev(0, "filed", "w1"), ev(90, "dispatched")], at(600))
    assert (o.verdict, o.response_hours) == ("late", 1.5)
    assert judge(req(), [ev(0, "filed", "w1")], at(61)).verdict == "late"


def test_not_yet_due_is_in_progress_not_late() -> None:
    o = judge(req(), [ev(0, "filed", "w1")], at(30))
    assert (o.verdict, o.response_hours, o.handled) == ("in_progress", None, False)


def test_withdrawn_is_left_out() -> None:
    o = judge(req("withdrawn"), [ev(0, "filed", "w1"), ev(10, "withdrawn", "w1")], at(600))
    assert (o.verdict, o.closed_at) == ("withdrawn", at(10))
    assert summarize([o]).on_time_rate is None


def test_regraded_after_the_deadline_passed_stays_late() -> None:
    """History is not rewritten: the 小事 deadline passed unanswered before the #定级."""
    later = T0 + timedelta(days=3)
    o = judge(req("dispatched", later, urgency="hard"),
              [ev(0, "filed", "w1"), ev(90, "filed", note="定级 难事", deadline=later),
               ev(100, "dispatched", deadline=later)], at(200))
    assert o.verdict == "late"
    assert o.response_hours == 100 / 60  # the #定级 is no answer


def test_regraded_before_the_deadline_and_answered_by_the_new_one_is_on_time() -> None:
    later = T0 + timedelta(hours=8)
    o = judge(req("dispatched", later, urgency="urgent"),
              [ev(0, "filed", "w1"), ev(30, "filed", note="定级 急事", deadline=later),
               ev(120, "dispatched", deadline=later)], at(600))
    assert o.verdict == "on_time"
    assert [(p.met, p.missed) for p in o.periods] == [(False, False), (True, False)]


def test_waiting_when_the_deadline_passed_is_not_late() -> None:
    """#待补充 on a 难事 answers the first period and starts the next; that one's deadline
    passes while the request waits on the requester: the clock stood still."""
    nxt = T0 + 2 * HOUR
    events = [ev(0, "filed", "w1"), ev(30, "waiting", note="哪家企业？", deadline=nxt)]
    assert judge(req("waiting", nxt), events, at(300)).verdict == "on_time"
    # The same without the wait: the second deadline passed with nobody acting.
    events[1] = ev(30, "in_progress", note="在办", deadline=nxt)
    assert judge(req("in_progress", nxt), events, at(300)).verdict == "late"


def test_a_hard_requests_feedback_answers_the_period_it_ends() -> None:
    """难事三日反馈: each #进展 sets the next deadline, and owes the next feedback by it."""
    d1, d2 = T0 + timedelta(days=3), T0 + timedelta(days=4)
    events = [ev(0, "filed", "w1", deadline=d1),
              ev(24 * 60, "in_progress", note="已约谈", deadline=d2)]
    r = req("in_progress", d2, urgency="hard")
    assert judge(r, events, T0 + timedelta(days=3, hours=12)).verdict == "on_time"
    assert judge(r, events, T0 + timedelta(days=5)).verdict == "late"
    events.append(ev(3 * 24 * 60, "resolved", note="已补发", deadline=T0 + timedelta(days=6)))
    done = judge(req("resolved", T0 + timedelta(days=6), urgency="hard"), events,
                 T0 + timedelta(days=9))
    assert (done.verdict, done.closed_at) == ("on_time", T0 + timedelta(days=3))


def test_reopened_and_the_new_deadline_missed_is_late() -> None:
    again = at(90)
    events = [ev(0, "filed", "w1"), ev(10, "dispatched"), ev(20, "resolved", note="修好了"),
              ev(30, "in_progress", "w1", "不满意（1分）：还是坏的", deadline=again)]
    o = judge(req("in_progress", again, rating=1), events, at(200))
    assert (o.verdict, o.rating, o.rating_reason, o.closed_at) == (
        "late", 1, "还是坏的", None)
    assert o.last_action == ("不满意（1分）：还是坏的", at(30))
    assert o.last_progress == ("resolved", "修好了", at(20))
    # Answered again by the new deadline: on time.
    events.append(ev(60, "in_progress", note="回复：明天换新的", deadline=again))
    assert judge(req("in_progress", again, rating=1), events, at(200)).verdict == "on_time"


def test_reopened_under_the_same_deadline_is_owed_a_new_answer() -> None:
    """A 急事 reopened the same day keeps its deadline; the first answer does not cover it."""
    events = [ev(0, "filed", "w1"), ev(10, "in_progress", note="电工已到场"),
              ev(20, "resolved", note="换好了"), ev(30, "in_progress", "w1", "不满意（1分）")]
    r = req("in_progress", rating=1, urgency="urgent")
    assert judge(r, events, at(50)).verdict == "on_time"  # the new answer is not due yet
    assert judge(r, events, at(120)).verdict == "late"
    # Reopened by a cadre (#重办, its note erased with the requester's data): still no answer.
    events[3] = ev(30, "in_progress", "cadre", None)
    assert judge(r, events, at(120)).verdict == "late"


def test_legacy_events_without_a_deadline_use_the_requests_current_one() -> None:
    r = req("dispatched", DUE)
    old = [ev(0, "filed", "w1", deadline=None), ev(30, "dispatched", deadline=None)]
    assert judge(r, old, at(600)).verdict == "on_time"
    assert judge(req(), [ev(0, "filed", "w1", deadline=None)], at(61)).verdict == "late"
    # A rating reminder (the bot, no deadline) is no step: it starts no period.
    r2 = req("resolved", DUE, rating=None)
    reminded = [ev(0, "filed", "w1"), ev(30, "resolved", note="好了"),
                ev(24 * 60, "rating_reminder", "bot", deadline=None)]
    assert judge(r2, reminded, at(2 * 24 * 60)).verdict == "on_time"


def test_rating_reason_is_the_last_ratings() -> None:
    events = [ev(0, "filed", "w1"), ev(10, "resolved", note="好了"),
              ev(20, "in_progress", "w1", "不满意（2分）：没人来"),
              ev(30, "resolved", note="换了"), ev(40, "closed", "w1", "评价 4：这次好了")]
    assert judge(req("closed", rating=4), events, at(60)).rating_reason == "这次好了"
    events[-1] = ev(40, "closed", "w1", "评价 5")
    assert judge(req("closed", rating=5), events, at(60)).rating_reason is None


# -- summaries -------------------------------------------------------------------------------
def outcome(verdict: str, *, rating: int | None = None, hours: float | None = None,
            urgency: str = "small", category: str = "设施服务", department: str | None = None,
            handled: bool = True) -> Outcome:
    return Outcome(request_id=0, verdict=verdict, urgency=urgency, category=category,
                   department=department, handled=handled, responded_at=None,
                   response_hours=hours, rating=rating, rating_reason=None, last_action=None,
                   last_progress=None, closed_at=None)


def test_summarize_rates_and_their_absence() -> None:
    f = summarize([outcome("on_time", rating=5, hours=1), outcome("on_time", hours=2),
                   outcome("on_time", rating=4), outcome("late", rating=2, hours=3),
                   outcome("in_progress", handled=False), outcome("withdrawn", rating=5)])
    assert (f.count, f.on_time, f.late, f.in_progress, f.withdrawn) == (6, 3, 1, 1, 1)
    assert (f.rated, f.satisfied, f.mean_response_hours) == (3, 2, 2.0)
    assert f.on_time_share() == ("75%", 3, 4) and f.satisfied_share() == ("67%", 2, 3)
    empty = summarize([outcome("in_progress", handled=False)])
    assert (empty.on_time_rate, empty.satisfied_rate, empty.mean_response_hours) == (
        None, None, None)
    assert empty.on_time_share() == (None, 0, 0) and percent(None) is None


def test_grouped_names_an_unrouted_but_handled_request_unassigned() -> None:
    rows = grouped([outcome("on_time", urgency="hard", department=None),
                    outcome("late", urgency="small", category="劳动权益", department=None,
                            handled=False),
                    outcome("on_time", department="园区管委会")])
    got = {(g.kind, g.name): g.figures.count for g in rows}
    assert [(g.kind, g.name) for g in rows][:3] == [("合计", "全部"), ("等级", "小事"),
                                                    ("等级", "难事")]
    assert got[("部门", "未指定")] == 1 and got[("部门", "未派单")] == 1
    assert got[("部门", "园区管委会")] == 1 and got[("合计", "全部")] == 3
    assert rows[0].figures == summarize([outcome("on_time", urgency="hard"),
                                         outcome("late", handled=False),
                                         outcome("on_time")])


def test_open_during_counts_a_request_for_when_it_was_open() -> None:
    week = (T0, T0 + timedelta(days=7))
    early = req("resolved", id=1, created_at=T0 - timedelta(days=10))
    early_events = [ev(-10 * 24 * 60, "filed", "w1"), ev(-9 * 24 * 60, "resolved")]
    carried = req("in_progress", id=2, created_at=T0 - timedelta(days=3))
    reopened = req("in_progress", id=3, created_at=T0 - timedelta(days=20))
    reopened_events = [ev(-20 * 24 * 60, "filed", "w1"), ev(-19 * 24 * 60, "resolved"),
                       ev(2 * 24 * 60, "in_progress", "w1", "重办")]
    after = req(id=4, created_at=T0 + timedelta(days=8))
    events = {1: early_events, 2: [], 3: reopened_events, 4: []}
    got = open_during([early, carried, reopened, after], events, *week)
    assert [r.id for r in got] == [2, 3]
    assert len(open_spans(reopened, reopened_events)) == 2


# -- the wording ---------------------------------------------------------------------------
def test_the_weekly_wording_says_when_nobody_rated() -> None:
    p = {"enterprises": 1, "workers": 2, "placements": 3, "income_per_worker": 100}
    text = replies.weekly_report(date(2025, 3, 3), date(2025, 3, 9), p, 2, ("75%", 3, 4),
                                 (None, 0, 0), True, handled=6)
    assert "新登记诉求 2 件，连同以前没办完的，本周在办 6 件。" in text
    assert "本周在办的诉求：按时率 75%（3/4）；满意率：暂无人评价。" in text


# -- the acceptance test: three ways, one answer ---------------------------------------------
def _day(d: int, h: int, m: int = 0) -> datetime:
    return datetime(2025, 3, d, h, m, tzinfo=TZ)


def test_chat_weekly_report_and_workbook_agree(make_bot, tmp_path) -> None:  # type: ignore[no-untyped-def]
    bot = make_bot()
    cadre = {"sender": "wxid_cadre", "group": "干部群"}
    # The bot's clock only moves forward: every step below comes after the one before.

    def file(n: int, text: str, when: datetime) -> Request:
        bot.say(f"#诉求 {text}", sender=f"w{n}", name=f"职工{n}", at=when)
        r = bot.repo.request(n)
        assert r is not None and r.urgency == "small", (text, r)
        return r

    # R1 answered in time and rated 5 (满意).
    file(1, "园区东门的路灯不亮", _day(3, 9))
    bot.say("#派单 R1 园区管委会", at=_day(3, 9, 20), **cadre)
    bot.say("#办结 R1 已换灯泡", at=_day(3, 9, 40), **cadre)
    bot.say("满意", sender="w1", at=_day(3, 9, 50))
    # R2 dispatched an hour after its deadline: late.
    r2 = file(2, "宿舍热水器坏了", _day(3, 9, 55))
    bot.say("#派单 R2 物业", at=r2.deadline + HOUR, **cadre)
    # R3 withdrawn by the requester.
    file(3, "厂区班车晚点太多", _day(3, 12))
    assert bot.texts("#撤回 R3", sender="w3", at=_day(3, 12, 10)) == ["R3 已撤回。"]
    # R4 regraded to 急事 before its 小事 deadline, answered after that one, before the new.
    small_due = file(4, "食堂的饭菜太咸了", _day(3, 13)).deadline
    bot.say("#定级 R4 急事", at=_day(3, 13, 30), **cadre)
    assert bot.repo.request(4).deadline > _day(3, 15) > small_due
    bot.say("#派单 R4 食堂", at=_day(3, 15), **cadre)
    # R5 resolved, rated 不满意 with a reason: reopened, and the new deadline missed.
    file(5, "宿舍空调不制冷", _day(3, 15, 10))
    bot.say("#派单 R5 物业", at=_day(3, 15, 20), **cadre)
    bot.say("#办结 R5 已修好", at=_day(3, 15, 30), **cadre)
    bot.say("不满意，还是坏的", sender="w5", at=_day(3, 15, 40))
    r5 = bot.repo.request(5)
    assert (r5.status, r5.rating) == ("in_progress", 1)
    # R6 answered through #回复 in time.
    file(6, "车间厕所没有纸", _day(4, 9))
    bot.say("#回复 R6 已经通知保洁", at=_day(4, 9, 10), **cadre)
    # R7 filed on Sunday evening: not due yet when the figures are taken.
    r7 = file(7, "园区停车位太少", _day(9, 19, 30))
    now = _day(9, 20)
    assert r7.deadline > now

    # By hand: on time R1, R4, R6; late R2, R5; not yet due R7; withdrawn R3.
    # Rated: R1 5, R5 1. Responses: 20, 120, 120, 10, 10 minutes: mean 56 minutes.
    want_on_time, want_satisfied = ("60%", 3, 5), ("50%", 1, 2)

    # 1. #统计 诉求 本月, in the cadre group.
    chat = next(t for t in bot.texts("#统计 诉求 本月", at=now, **cadre)
                if t.startswith("【2025年3月诉求统计】"))
    m_on = re.search(r"按时率 (\d+%)（(\d+)/(\d+)）", chat)
    m_sat = re.search(r"满意率 (\d+%)（(\d+)/(\d+)）", chat)
    assert m_on and m_sat, chat
    chat_on_time = (m_on.group(1), int(m_on.group(2)), int(m_on.group(3)))
    chat_satisfied = (m_sat.group(1), int(m_sat.group(2)), int(m_sat.group(3)))
    assert chat.split("\n")[1:4] == ["合计：7件，平均56分钟响应",
                                     "按时率 60%（3/5），另有1件还没到期", "满意率 50%（1/2）"]
    assert "撤回的1件不计入按时率和满意率" in chat

    # 2. The weekly report of the week that holds them all.
    w = reports.weekly(bot.repo, TZ, date(2025, 3, 3), now)
    assert (w.filed, w.requests.count) == (7, 7)
    week = reports.request_stats(bot.repo, _day(3, 0), _day(10, 0), now)
    assert week[0].figures == w.requests  # #统计 诉求 over the same week: the same figures
    text = replies.weekly_report(w.start, w.end - timedelta(days=1), w.placements, w.filed,
                                 w.on_time, w.satisfied, True)  # as the Monday job calls it
    assert "本周在办的诉求：按时率 60%（3/5）；满意率 50%（1/2）。" in text

    # 4. The daily 诉求日报: this month so far, the same rule.
    from bot.handlers.clock import ClockCtx, _cadre_digest  # noqa: PLC0415

    daily = _cadre_digest(ClockCtx(bot.repo, bot.app.config), date(2025, 3, 9), now)
    assert daily is not None and "本月：按时率 60%（3/5）；满意率 50%（1/2）。" in daily

    # 3. The workbook.
    path = tmp_path / "requests.xlsx"
    assert write_xlsx("requests", bot.repo, TZ, now, path) == 7
    wb = load_workbook(path)
    stats = {(r[0], r[1]): r for r in wb["诉求统计"].iter_rows(min_row=2, values_only=True)}
    total = stats[("合计", "全部")]
    assert total[2:] == (7, 0.93, "60%", "50%")

    assert chat_on_time == w.on_time == want_on_time
    assert chat_satisfied == w.satisfied == want_satisfied
    assert total[4] == w.on_time[0] == chat_on_time[0]
    assert total[5] == w.satisfied[0] == chat_satisfied[0]

    rows = list(wb["诉求台账"].iter_rows(values_only=True))
    col = {name: i for i, name in enumerate(rows[0])}
    got = [(r[col["编号"]], r[col["是否按时"]], r[col["满意度(1-5)"]], r[col["评价理由"]])
           for r in rows[1:]]
    assert got == [("R1", "是", 5, None), ("R2", "否", None, None),
                   ("R3", "已撤回", None, None), ("R4", "是", None, None),
                   ("R5", "否", 1, "还是坏的"), ("R6", "是", None, None),
                   ("R7", "办理中", None, None)]
    r1 = rows[1]
    assert (r1[col["诉求内容"]], r1[col["办理结果"]], r1[col["诉求人"]]) == (
        "园区东门的路灯不亮", "已换灯泡", "职*")
    assert rows[6][col["最新进展"]] == "回复：已经通知保洁"
    assert rows[2][col["最新进展"]] == "已派单：物业"
    log = list(wb["办理记录"].iter_rows(min_row=2, values_only=True))
    assert ("R1", "2025-03-03 09:50", "已销号", "职*", "评价 5") in log
    assert ("R1", "2025-03-03 09:20", "已派单", "w***", "园区管委会") in log
