"""Requests (诉求) through their whole life, on the simulated clock."""

from __future__ import annotations

from datetime import datetime

import pytest

from storage.models import AuditLog, Request
from tests.conftest import TZ

CONFIG = """
timezone: Asia/Shanghai
cadres: [wxid_admin]
groups:
  - name: 干部群
    cadre_group: true
requests:
  departments:
    设施服务: 园区管委会
  department_cadres:
    园区管委会: [wxid_yuanqu]
"""


def at(h: int, m: int = 0, day: int = 3) -> datetime:
    return datetime(2025, 3, day, h, m, tzinfo=TZ)


@pytest.fixture
def rbot(make_bot):  # type: ignore[no-untyped-def]
    b = make_bot(config_yaml=CONFIG, simulated=True)
    b.app.repo.ensure_member("wxid_yuanqu", "园区老陈", now=at(8))
    b.app.repo.commit()
    return b


def test_small_request_unanswered_is_reminded_then_escalated(rbot):  # type: ignore[no-untyped-def]
    rbot.say("文昌社区驿站的饮水机坏了", sender="w1", name="钱七", at=at(9))
    assert rbot.repo.request(1).department == "园区管委会"  # proposed from the category
    out = rbot.say("收到", sender="x", at=at(10, 20))
    alerts = [r for r in out if r.group_name == "干部群"]
    assert [(r.time, r.mentions) for r in alerts] == [(at(10, 15), ("wxid_yuanqu",))]
    assert alerts[0].text == "R1（小事，设施服务，园区管委会）已超时未答复，请尽快处理。"
    out = rbot.say("好的", sender="x", at=at(11, 5))
    assert [(r.time, r.text[:4]) for r in out if r.group_name == "干部群"] == [(at(11, 0), "【督办】")]
    assert rbot.say("嗯", sender="x", at=at(15)) == []  # each alert once


def test_a_small_request_answered_in_time_is_never_overdue(rbot):  # type: ignore[no-untyped-def]
    rbot.say("饮水机坏了", sender="w1", at=at(9))
    rbot.say("#派单 R1", sender="wxid_admin", at=at(9, 30))  # accepts the proposal
    assert rbot.repo.request(1).department == "园区管委会"
    assert rbot.say("收到", sender="x", at=at(18)) == []


def test_urgent_request_is_due_the_same_day(rbot):  # type: ignore[no-untyped-def]
    rbot.say("紧急！车间配电箱一直冒火花", sender="w1", at=at(9))
    r = rbot.repo.request(1)
    assert r.deadline.astimezone(TZ) == at(23, 59)
    out = rbot.say("早", sender="x", at=at(8, day=4))
    assert any("R1（急事" in x.text for x in out if x.group_name == "干部群")


def unscheduled(out):  # type: ignore[no-untyped-def]
    """What a message caused, without the morning's 诉求日报 the clock sent on the way."""
    return [r for r in out if not r.text.startswith("【诉求日报】")]


def test_hard_request_feedback_every_three_days(rbot):  # type: ignore[no-untyped-def]
    out = rbot.say("老板拖欠我们三个月工资了", sender="w1", at=at(9))
    assert rbot.repo.request(1).urgency == "hard"  # wage arrears: a 难事 by itself
    assert out[0].text == ("收到，你反映的事编号 R1，工会会帮你协调，"
                           "三个工作日内（3月6日 09:00前）给你答复进展。")
    assert rbot.texts("#定级 R1 难事", sender="wxid_admin", at=at(9, 10)) == [
        "R1 已定为难事，最晚3月6日 09:10前答复。"]
    out = unscheduled(rbot.say("#进展 R1 已约谈企业，下周一前答复", sender="wxid_admin",
                               at=at(10, day=5)))
    # Filed in a group: the progress goes to the requester privately, the group hears only that.
    assert (out[1].to, out[1].group_name) == ("w1", None)
    assert out[1].text.startswith("你的诉求 R1 有进展：已约谈企业")
    assert [(r.group_name, r.text, r.mentions) for r in out[2:]] == [
        ("共享员工群", "内容已私信发给你。", ("w1",))]
    # The next feedback is due three working days later: Wednesday → Monday.
    assert rbot.repo.request(1).deadline.astimezone(TZ) == at(10, day=10)
    def alerts(out):  # type: ignore[no-untyped-def]
        return [x for x in out if x.group_name == "干部群" and "超时" in x.text and "日报" not in x.text]

    assert alerts(rbot.say("好", sender="x", at=at(11, day=8))) == []  # the weekend is not counted
    assert alerts(rbot.say("好", sender="x", at=at(9, day=10))) == []
    assert alerts(rbot.say("好", sender="x", at=at(11, day=10)))


def test_waiting_on_the_requester_stops_the_clock(rbot):  # type: ignore[no-untyped-def]
    rbot.say("老板拖欠我们工资了", sender="w1", at=at(9))
    rbot.say("#定级 R1 难事", sender="wxid_admin", at=at(9, 0))
    out = rbot.say("#待补充 R1 是哪家企业？欠了多久？", sender="wxid_admin", at=at(10))
    # The question goes to the requester privately; the group hears only that it was sent.
    assert (out[1].to, out[1].group_name) == ("w1", None) and "还需要补充" in out[1].text
    assert [(r.group_name, r.text, r.mentions) for r in out[2:]] == [
        ("共享员工群", "内容已私信发给你。", ("w1",))]
    assert rbot.repo.request(1).status == "waiting"
    out = unscheduled(rbot.say("是恒科精工，欠了三个月", sender="w1", at=at(10, day=4)))  # 24 h on
    assert [r.group_name for r in out] == ["共享员工群", "干部群"]
    assert out[0].text == "收到补充，R1 继续办理。"
    assert out[1].text.startswith("R1 诉求人w1补充：是恒科精工")  # the cadres hear the answer
    r = rbot.repo.request(1)
    # The question was feedback on a 难事: due three working days after it (Thursday 10:00),
    # plus the 24 h spent waiting on the requester.
    assert r.status == "in_progress" and r.deadline.astimezone(TZ) == at(10, day=7)
    assert r.attachments  # the answer is archived with the request
    assert rbot.repo.request_events(1)[-1].note.startswith("补充：是恒科精工")


def test_rating_closes_the_loop_and_a_reminder_goes_once(rbot):  # type: ignore[no-untyped-def]
    rbot.say("饮水机坏了", sender="w1", at=at(9))
    rbot.say("#办结 R1 已换新饮水机", sender="wxid_admin", at=at(9, 30))
    out = rbot.say("在吗", sender="x", at=at(10, day=4))
    assert [r.text for r in out if r.mentions == ("w1",)] == [
        "你的诉求 R1 办结一天了，问题解决了吗？请回复“满意”或“不满意”（也可以打1-5分）。"]
    assert rbot.say("在吗", sender="x", at=at(11, day=5)) == []
    assert rbot.texts("满意", sender="w1", at=at(12, day=5)) == ["谢谢评价！R1 已销号。"]
    r = rbot.repo.request(1)
    assert (r.status, r.rating) == ("closed", 5)
    assert [e.status for e in rbot.repo.request_events(1)] == [
        "filed", "resolved", "rating_reminder", "closed"]


def test_unsatisfied_requester_reopens(rbot):  # type: ignore[no-untyped-def]
    rbot.say("饮水机坏了", sender="w1", at=at(9))
    rbot.say("#办结 R1 已换新饮水机", sender="wxid_admin", at=at(9, 30))
    # 不满意 reopens the same request by itself, with a fresh deadline, and the cadres hear it.
    out = rbot.say("不满意", sender="w1", at=at(10))
    assert [(r.group_name, r.text, r.mentions) for r in out[:1]] == [
        ("共享员工群", "收到，R1 没解决好，工会重新办理，最晚今天11:00前给你答复。", ("w1",))]
    alerts = [r for r in out[1:] if r.group_name == "干部群"]
    assert len(out) == 2 and len(alerts) == 1
    assert alerts[0].text.startswith("【不满意，已重办】R1") and alerts[0].mentions == ("wxid_yuanqu",)
    r = rbot.repo.request(1)
    assert (r.status, r.rating, r.resolved_at) == ("in_progress", 1, None)  # 不满意 still counts
    assert r.first_response_at is None and r.deadline.astimezone(TZ) == at(11)
    assert rbot.repo.request(2) is None  # never a new request
    assert "正在办理，不用重办" in rbot.texts("#重办 R1", sender="w1", at=at(10, 5))[0]  # reopened
    rbot.say("#办结 R1 换了新的", sender="wxid_admin", at=at(10, 30))
    assert rbot.texts("满意", sender="w1", at=at(10, 40)) == ["谢谢评价！R1 已销号。"]
    assert rbot.repo.request(1).rating == 5


def test_requester_withdraws_but_nobody_else_can(rbot):  # type: ignore[no-untyped-def]
    rbot.say("饮水机坏了", sender="w1", at=at(9))
    assert "只有" in rbot.texts("#撤回 R1", sender="w2", at=at(9, 1))[0]
    assert rbot.texts("#撤回 R1", sender="w1", at=at(9, 2)) == ["R1 已撤回。"]
    assert rbot.repo.request(1).status == "withdrawn"
    assert rbot.say("收到", sender="x", at=at(18)) == []  # withdrawn: never overdue


ADMIN_VERBS = ["#派单 R1 交通局", "#进展 R1 在办", "#办结 R1 好了", "#定级 R1 难事",
               "#待补充 R1 哪里？", "#重办 R1", "#撤回 R1"]


def test_every_admin_verb_is_refused_to_a_plain_member(rbot):  # type: ignore[no-untyped-def]
    rbot.say("饮水机坏了", sender="w1", at=at(9))
    before = rbot.repo.request(1).model_dump()
    for i, verb in enumerate(ADMIN_VERBS):
        out = rbot.texts(verb, sender="w9", name="wxid_admin", at=at(9, 10 + i))
        assert len(out) == 1 and "只有" in out[0], verb
    rbot.repo.s.expire_all()
    after = rbot.repo.request(1).model_dump()
    assert before == after
    log = [(a.action, a.allowed, a.actor_id) for a in rbot.repo.all(AuditLog)]
    assert log == [(v.split()[0][1:], False, "w9") for v in ADMIN_VERBS]


def test_a_private_filing_leaves_no_trace_in_any_group(rbot):  # type: ignore[no-untyped-def]
    secret = "我在恒科精工被老板打了，不敢说"
    seen = rbot.say(secret, sender="w1", group=None, at=at(9))
    seen += rbot.say("#派单 R1 劳动保障监察", sender="wxid_admin", group="干部群", at=at(9, 5))
    seen += rbot.say("#办结 R1 已协调处理", sender="wxid_admin", group="干部群", at=at(9, 30))
    seen += rbot.say("收到", sender="x", at=at(10, day=4))
    # The cadres see all of it: the whole text, and that it came privately ...
    filed = [r for r in seen if r.group_name == "干部群" and r.text.startswith(("【新诉求】R1", "【急事】R1"))]
    assert len(filed) == 1 and "恒科精工被老板打了" in filed[0].text and "私信工会" in filed[0].text
    # ... and no workers' group hears anything of it: the cadre group is the only group told.
    assert {r.group_name for r in seen if r.group_name is not None} == {"干部群"}
    workers = [r for r in rbot.transport.sent if r.group_name not in (None, "干部群")]
    assert all("恒科" not in r.text and "打" not in r.text for r in workers)
    private = [r for r in seen if r.group_name is None]
    # The requester hears every step privately (a 急事 also goes privately to the cadres).
    assert "w1" in {r.to for r in private} and {r.to for r in private} <= {"w1", "wxid_admin"}
    assert len([r for r in private if r.to == "w1"]) == 4  # ack, 派单, 办结, rating reminder
    assert rbot.repo.s.get(Request, 1).via == "direct"


def test_deadlines_follow_the_working_calendar_when_configured(make_bot):  # type: ignore[no-untyped-def]
    cfg = CONFIG + "  calendar:\n    hours: \"08:30-17:30\"\n"
    b = make_bot(config_yaml=cfg, simulated=True)
    b.say("饮水机坏了", sender="w1", at=datetime(2025, 3, 7, 17, 0, tzinfo=TZ))  # Friday
    assert b.repo.request(1).deadline.astimezone(TZ) == datetime(2025, 3, 10, 9, 0, tzinfo=TZ)
    assert [r for r in b.say("周末愉快", sender="x", at=datetime(2025, 3, 9, 12, tzinfo=TZ))
            if r.group_name == "干部群"] == []  # not overdue over the weekend


def test_a_photo_after_filing_is_attached_to_the_request(rbot):  # type: ignore[no-untyped-def]
    rbot.say("园区东门的路灯不亮", sender="w1", at=at(9))
    out = rbot.say(None, sender="w1", type="image", at=at(9, 2))
    assert [(r.group_name, r.text) for r in out] == [
        ("共享员工群", "已附在诉求 R1 里。"), ("干部群", "R1 诉求人w1发来照片（#查看 R1）")]
    assert rbot.repo.request(1).attachments
    assert rbot.say(None, sender="w2", type="image", at=at(9, 3)) == []  # not a requester
    late = rbot.say(None, sender="w1", type="image", at=at(11))         # too late, not waiting
    assert [r for r in late if r.group_name != "干部群"] == []


def test_request_figures_in_the_chat(rbot):  # type: ignore[no-untyped-def]
    rbot.say("饮水机坏了", sender="w1", at=at(9))
    rbot.say("#派单 R1", sender="wxid_admin", at=at(9, 30))
    rbot.say("#办结 R1 修好了", sender="wxid_admin", at=at(9, 40))
    rbot.say("满意", sender="w1", at=at(9, 50))
    rbot.say("老板拖欠工资", sender="w2", at=at(10))  # a 难事: three working days, unanswered
    replies = rbot.say("#统计 诉求 2025-03", sender="wxid_admin", group="干部群", at=at(12, day=7))
    out = next(r.text for r in replies if r.reply_to)  # the sweep's alerts come first
    lines = out.split("\n")
    assert lines[0] == "【2025年3月诉求统计】"
    assert lines[1:4] == ["合计：2件，平均30分钟响应", "按时率 50%（1/2）", "满意率 100%（1/1）"]
    assert "设施服务：1件，平均30分钟响应，按时率 100%（1/1），满意率 100%（1/1）" in lines
    assert "劳动权益：1件，按时率 0%（0/1），暂无人评价" in lines
    # Requests in hand during the period count, wherever they were filed: R2 is still open.
    april = [r.text for r in rbot.say("#统计 诉求 2025-04", sender="wxid_admin", at=at(13, day=7))
             if r.reply_to]
    assert april[0].split("\n")[:3] == ["【2025年4月诉求统计】", "合计：1件", "按时率 0%（0/1）"]
    assert [r.text for r in rbot.say("#统计 诉求 2025-02", sender="wxid_admin", at=at(14, day=7))
            if r.reply_to] == ["【2025年2月诉求统计】\n这段时间没有诉求。"]


def test_an_acknowledgement_is_not_the_answer_a_cadre_asked_for(rbot):  # type: ignore[no-untyped-def]
    rbot.say("老板拖欠我们工资了", sender="w1", at=at(9))
    rbot.say("#待补充 R1 是哪家企业？", sender="wxid_admin", at=at(9, 5))
    assert rbot.say("收到", sender="w1", at=at(9, 6)) == []
    assert rbot.repo.request(1).status == "waiting"
    out = rbot.say("是恒科精工", sender="w1", at=at(9, 20))
    assert [(r.group_name, r.text) for r in out] == [
        ("共享员工群", "收到补充，R1 继续办理。"), ("干部群", "R1 诉求人w1补充：是恒科精工")]
    assert rbot.repo.request(1).status == "in_progress"


def test_explicit_request_command(rbot):  # type: ignore[no-untyped-def]
    out = rbot.say("#诉求 园区东门的路灯不亮，晚上很危险", sender="w1", at=at(9))
    # Filed as typed: the requester hears what happens by when (the tier's name is for cadres) ...
    assert (out[0].group_name, out[0].text, out[0].mentions) == (
        "共享员工群", "收到，你反映的事编号 R1，工会会尽快答复你，最晚今天10:00前。", ("w1",))
    # ... and the cadre group gets the whole of it.
    assert [r.group_name for r in out[1:]] == ["干部群"]
    assert out[1].text.startswith("【新诉求】R1\u3000小事 · 安全隐患")
    assert "园区东门的路灯不亮，晚上很危险" in out[1].text
    r = rbot.repo.request(1)
    assert (r.category, r.text) == ("安全隐患", "园区东门的路灯不亮，晚上很危险")
