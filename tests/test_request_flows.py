"""Requests as the people in them see them (issue 26): the worker, in the group and privately;
the cadres, in the cadre group and privately; and when each hears it."""

from __future__ import annotations

from datetime import datetime, timedelta

from tests.conftest import TZ

CONFIG = """timezone: Asia/Shanghai
bot:
  name: 小桥
cadres: [wxid_cadre]
groups:
  - name: 共享员工群
  - name: 干部群
    cadre_group: true
requests:
  calendar:
    hours: "08:30-17:30"
  departments:
    劳动权益: 劳动保障监察
    安全隐患: 安监站
  department_cadres:
    安监站: [wx_an]
    劳动保障监察: [wx_lao]
"""
WORKERS = "共享员工群"
CADRES = "干部群"


def at(day: int, hour: int, minute: int = 0, month: int = 3) -> datetime:
    return datetime(2025, month, day, hour, minute, tzinfo=TZ)


def _by(out, where: str | None):  # type: ignore[no-untyped-def]
    """The replies that went to a group (by name), or privately (None) to anyone."""
    return [r for r in out if (r.group_name if r.group is not None else None) == where]


def test_a_private_grievance_reaches_the_cadres_whole_and_no_workers_group(make_bot) -> None:  # type: ignore[no-untyped-def]
    bot = make_bot(config_yaml=CONFIG)
    bot.say("大家早", sender="w2", at=at(3, 8, 50))
    out = bot.say("老板拖欠我们三个月工资了，不敢在群里说，电话13857412345", sender="w1",
                  name="钱七", group=None, at=at(3, 10))
    mine = [r for r in out if r.to == "w1"]
    assert len(mine) == 1 and "三个工作日内" in mine[0].text and "难事" not in mine[0].text
    alert = _by(out, CADRES)
    assert len(alert) == 1 and alert[0].mentions == ("wx_lao",)
    # The whole text, the requester and the channel; the phone masked in a group.
    assert "老板拖欠我们三个月工资了" in alert[0].text and "钱七（私信工会）" in alert[0].text
    assert "138****2345" in alert[0].text and "劳动保障监察" in alert[0].text
    # #查看 typed in the workers' group answers the cadre privately; the group gets a note.
    out = bot.say("#查看 R1", sender="wxid_cadre", at=at(3, 10, 30))
    private = [r for r in out if r.to == "wxid_cadre"]
    assert len(private) == 1 and "13857412345" in private[0].text
    assert [r.text for r in _by(out, WORKERS)] == ["内容已私信发给你。"]
    # The department's cadre answers; the requester hears it privately, as they filed.
    out = bot.say("#回复 R1 已经联系企业，明天下午给你答复", sender="wx_lao", group=CADRES,
                  at=at(3, 11))
    assert [(r.to, r.text) for r in out if r.to == "w1"] == [
        ("w1", "关于你反映的 R1，工会干部回复：已经联系企业，明天下午给你答复")]
    assert bot.repo.request(1).first_response_at is not None
    record = bot.texts("#查看 R1", sender="wx_lao", group=CADRES, at=at(3, 11, 5))[0]
    assert "回复（wx_lao）：已经联系企业" in record and "138****2345" in record
    seen = [r for r in bot.transport.sent if r.group is not None and r.group_name != CADRES]
    assert not any("拖欠" in r.text or "工资" in r.text for r in seen)


def test_cadres_list_open_requests_and_workers_cannot(make_bot) -> None:  # type: ignore[no-untyped-def]
    bot = make_bot(config_yaml=CONFIG)
    bot.say("宿舍的热水器坏了，洗不了澡", sender="w1", at=at(3, 9))
    bot.say("老板拖欠我们三个月工资了", sender="w2", at=at(3, 9, 10))
    listed = bot.texts("#诉求 待办", sender="wxid_cadre", group=CADRES, at=at(3, 11))[0]
    assert listed.startswith("待办的诉求（2件，先到期的在前）")
    assert listed.index("R1") < listed.index("R2") and "热水器" in listed
    late = bot.texts("#诉求 超时", sender="wxid_cadre", group=CADRES, at=at(3, 11, 1))[0]
    assert "R1" in late and "已超时" in late and "R2" not in late
    assert "R2" in bot.texts("#诉求 我的", sender="wx_lao", group=CADRES, at=at(3, 11, 2))[0]
    assert bot.texts("#诉求 全部", sender="w1", at=at(3, 11, 3)) == [
        "“#诉求 全部”只有工会干部才能用。"]
    assert bot.repo.request(3) is None  # a list word filed nothing


def test_an_injury_on_a_holiday_eve_alerts_at_once_and_is_due_next_morning(make_bot) -> None:  # type: ignore[no-untyped-def]
    bot = make_bot(config_yaml=CONFIG, start=at(30, 17, month=4))
    out = bot.say("有人从架子上摔下来了，流了好多血，老板不肯送医院", sender="w1",
                  at=at(30, 20, 30, month=4))
    req = bot.repo.request(1)
    assert req.urgency == "urgent"
    assert req.deadline.astimezone(TZ) == at(1, 9, month=5)
    # The cadre group and the responsible cadre privately, both at 20:30, not held.
    assert [r.to for r in out if r.group is None] == ["wx_an"]
    assert _by(out, CADRES) and all(r.time == at(30, 20, 30, month=4) for r in out)
    assert "急事" not in _by(out, WORKERS)[0].text


def test_routine_alerts_and_reminders_wait_for_working_hours(make_bot) -> None:  # type: ignore[no-untyped-def]
    bot = make_bot(config_yaml=CONFIG, start=at(7, 17))
    out = bot.say("宿舍的热水器坏了，洗不了澡", sender="w1", at=at(7, 17, 20))  # a Friday
    req = bot.repo.request(1)
    assert req.deadline.astimezone(TZ) == at(10, 9, 20)  # one working hour: Monday 09:20
    assert _by(out, CADRES)[0].time == at(7, 17, 20)  # in working hours: at once
    out = bot.say("食堂的筷子太少了", sender="w2", at=at(7, 22))
    # Filed at night: the worker is answered now, the cadres hear on Monday morning.
    assert _by(out, WORKERS) and not _by(out, CADRES)
    out = bot.say("早", sender="w3", at=at(10, 9))
    held = [r for r in _by(out, CADRES) if r.text.startswith("【新诉求】R2")]
    assert held and held[0].time == at(10, 8, 30)


def test_unsatisfied_reopens_the_same_request_and_a_rating_claims_nothing(make_bot) -> None:  # type: ignore[no-untyped-def]
    bot = make_bot(config_yaml=CONFIG)
    bot.say("五金厂招包装工3名，日薪200，明天开始", sender="boss", at=at(3, 9))
    bot.say("宿舍的热水器坏了，洗不了澡", sender="w1", name="钱七", at=at(3, 9, 30))
    bot.say("#办结 R1 已经修好了", sender="wxid_cadre", group=CADRES, at=at(3, 10))
    out = bot.say("不满意，根本没人来，还是洗不了澡", sender="w1", name="钱七", at=at(3, 10, 20))
    req = bot.repo.request(1)
    assert (req.status, req.rating, bot.repo.request(2)) == ("in_progress", 1, None)
    assert req.deadline > at(3, 10, 20) and req.first_response_at is None
    alert = _by(out, CADRES)[0].text
    assert alert.startswith("【不满意，已重办】R1") and "根本没人来" in alert
    assert "重新办理" in _by(out, WORKERS)[0].text
    # Saying it again adds to R1 rather than filing anew.
    out = bot.say("宿舍热水器到现在还是坏的", sender="w1", name="钱七", at=at(3, 10, 40))
    assert _by(out, WORKERS)[0].text == "已补充到 R1，工会会一起处理。"
    assert bot.repo.request(2) is None
    # Another request, resolved and rated 5: a rating, not a claim on posting #1.
    bot.say("车间门口的灯坏了，晚上看不见路", sender="w3", at=at(3, 11))
    bot.say("#办结 R2 已经换了灯", sender="wxid_cadre", group=CADRES, at=at(3, 11, 30))
    assert bot.texts("5", sender="w3", at=at(3, 11, 40)) == ["谢谢评价！R2 已销号。"]
    assert bot.repo.request(2).rating == 5 and bot.repo.claimed(1) == 0


def test_a_paused_group_still_hears_its_worker_privately(make_bot) -> None:  # type: ignore[no-untyped-def]
    bot = make_bot(config_yaml=CONFIG)
    bot.say("#暂停", sender="wxid_cadre", at=at(3, 9))
    out = bot.say("宿舍的热水器坏了，洗不了澡", sender="w1", at=at(3, 9, 10))
    assert [r.to for r in out if r.group is None] == ["w1"] and not _by(out, WORKERS)
    assert _by(out, CADRES)


def test_a_cadre_withdrawal_tells_the_requester(make_bot) -> None:  # type: ignore[no-untyped-def]
    bot = make_bot(config_yaml=CONFIG)
    bot.say("宿舍的热水器坏了，洗不了澡", sender="w1", at=at(3, 9))
    out = bot.say("#撤回 R1", sender="wxid_cadre", group=CADRES, at=at(3, 9, 30))
    told = [r for r in out if r.to == "w1"]
    assert len(told) == 1 and "撤回" in told[0].text


def test_overdue_requests_are_pressed_daily_with_their_age(make_bot) -> None:  # type: ignore[no-untyped-def]
    bot = make_bot(config_yaml=CONFIG, simulated=True)
    bot.say("厂里一直没给我们交社保，问了好几次都说下个月", sender="w1", at=at(3, 9))
    bot.say("大家好", sender="w2", at=at(14, 18))
    sent = [r for r in bot.transport.sent if r.group_name == CADRES]
    pressed = [r for r in sent if r.text.startswith("【督办】以下诉求")]
    assert pressed and "已超时" in pressed[-1].text and "天" in pressed[-1].text
    # One a day, in working hours, never on the weekend.
    days = [r.time.astimezone(TZ) for r in pressed]
    assert len({d.date() for d in days}) == len(days)
    assert all(d.weekday() < 5 and 8 <= d.hour < 18 for d in days)
    assert any(r.text.startswith("【督办】R1") for r in sent)
    # A cadre acts: the pressing stops.
    bot.say("#进展 R1 已约企业下周谈", sender="wxid_cadre", group=CADRES, at=at(17, 8, 40))
    before = len(bot.transport.sent)
    bot.say("大家好", sender="w2", at=at(18, 17))
    later = [r for r in bot.transport.sent[before:] if r.text.startswith("【督办】")]
    assert later == [] and bot.repo.request(1).deadline > at(18, 17) - timedelta(days=1)
