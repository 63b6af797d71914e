"""Cadre settings, digest on demand, announcements, and digests caught up after downtime."""

from __future__ import annotations

from datetime import datetime

from tests.conftest import TZ

CONFIG = "cadres: [wxid_admin]\nannounce_minutes: 10\n"
POST = "我们印刷厂需要10名临时工，一天200"


def at(day: int, h: int, m: int = 0) -> datetime:
    return datetime(2025, 3, day, h, m, tzinfo=TZ)


def test_digest_time_is_set_per_group(make_bot):  # type: ignore[no-untyped-def]
    bot = make_bot(config_yaml=CONFIG, simulated=True)
    assert bot.texts("#设置 摘要时间 9:15", sender="wxid_admin", at=at(3, 10)) == [
        "本群的摘要时间已改为09:15。"]
    bot.say(POST, sender="boss", at=at(3, 10, 30))
    out = bot.say("早", sender="x", at=at(4, 10))
    digests = [r for r in out if r.text.startswith("【每日岗位速递】")]
    assert [r.time for r in digests] == [at(4, 9, 15)]
    assert bot.texts("#设置 摘要时间 25:00", sender="wxid_admin", at=at(4, 11))[0].startswith("用法")
    assert "只有" in bot.texts("#设置 摘要时间 07:00", sender="w1", at=at(4, 12))[0]


def test_request_echo_is_set_per_group(make_bot):  # type: ignore[no-untyped-def]
    bot = make_bot(config_yaml=CONFIG)
    assert "拖欠" not in bot.texts("老板拖欠工资", sender="w1")[0]
    bot.say("#设置 诉求回显 开", sender="wxid_admin")
    assert "内容：老板拖欠工资" in bot.texts("老板拖欠工资", sender="w2")[0]
    assert bot.texts("#设置 颜色 红", sender="wxid_admin")[0].startswith("能设置的有")


def test_digest_on_demand(make_bot):  # type: ignore[no-untyped-def]
    bot = make_bot(config_yaml=CONFIG)
    assert bot.texts("#摘要", sender="wxid_admin") == ["本群现在没有在招的岗位，也没有新的找活信息。"]
    bot.say(POST, sender="boss")
    out = bot.texts("#摘要", sender="wxid_admin")[0]
    assert out.startswith("【每日岗位速递】") and "#1 印刷厂 临时工" in out


def test_announcement_goes_to_every_group_but_not_too_often(make_bot):  # type: ignore[no-untyped-def]
    bot = make_bot(config_yaml=CONFIG)
    bot.say("大家好", sender="a", group="一群")
    bot.say("大家好", sender="b", group="二群")
    bot.say("#暂停", sender="wxid_admin", group="三群")
    out = bot.say("#公告 周五下午三点工会开会，电话13812345678", sender="wxid_admin", group="一群",
                  at=at(3, 9))
    sent = {r.group_name: r.text for r in out}
    assert sent["二群"] == "【工会公告】周五下午三点工会开会，电话138****5678"
    assert "三群" not in sent  # paused
    assert out[-1].text == "公告已发到2个群。"
    again = bot.texts("#公告 再说一次", sender="wxid_admin", group="一群", at=at(3, 9, 5))
    assert again == ["公告发得太勤了，10分钟内只能发一次，请稍后再发。"]
    assert len(bot.say("#公告 再说一次", sender="wxid_admin", group="一群", at=at(3, 9, 20))) == 3


def test_a_digest_missed_while_down_goes_out_once_within_the_grace(make_bot, tmp_path):  # type: ignore[no-untyped-def]
    db = f"sqlite:///{tmp_path / 'shared.db'}"
    first = make_bot(db=db, config_yaml=CONFIG, start=at(3, 9))
    first.say(POST, sender="boss", at=at(3, 10))
    first.app.close()
    # Down over 08:30 on the 4th; back at 09:30: within two hours, so it goes out now, once.
    second = make_bot(db=db, config_yaml=CONFIG, start=at(4, 9, 30))
    assert second.app.catch_up(second.clock.now()) == 1
    sent = [r for r in second.transport.sent if r.text.startswith("【每日岗位速递】")]
    assert [r.time for r in sent] == [at(4, 8, 30)]
    assert second.app.catch_up(second.clock.now()) == 1 and len(second.transport.sent) == 1
    second.app.close()
    # Down over 08:30 on the 5th and back at 11:00: too late, skipped.
    third = make_bot(db=db, config_yaml=CONFIG, start=at(5, 11))
    third.app.catch_up(third.clock.now())
    assert third.transport.sent == []


def test_weekly_report_without_a_chinese_font_is_text_with_a_warning(make_bot, monkeypatch, caplog):  # type: ignore[no-untyped-def]
    from bot import charts

    monkeypatch.setattr(charts, "cjk_font", lambda configured=None: None)  # a machine without one
    bot = make_bot(config_yaml=CONFIG + "groups:\n  - name: 干部群\n    cadre_group: true\n",
                   simulated=True)
    bot.say(POST, sender="boss", at=at(7, 9))  # a Friday
    out = bot.say("早", sender="x", at=at(10, 9))  # Monday
    weekly = [r for r in out if r.text.startswith("【工会周报】")]
    assert len(weekly) == 1 and weekly[0].file is None
    assert weekly[0].text.endswith("（本机没有中文字体，这次只发文字。）")
    assert "no font with Chinese glyphs" in caplog.text


def test_no_digest_on_a_public_holiday_when_configured(make_bot):  # type: ignore[no-untyped-def]
    bot = make_bot(config_yaml=CONFIG + "digest:\n  skip_holidays: true\n", simulated=True,
                   start=datetime(2025, 9, 30, 9, tzinfo=TZ))
    bot.say(POST, sender="boss", at=datetime(2025, 9, 30, 10, tzinfo=TZ))
    out = bot.say("国庆快乐", sender="x", at=datetime(2025, 10, 1, 12, tzinfo=TZ))  # 国庆节
    assert [r for r in out if r.text.startswith("【每日岗位速递】")] == []
    bot.say(POST.replace("10", "12"), sender="boss", at=datetime(2025, 10, 8, 12, tzinfo=TZ))
    out = bot.say("早", sender="x", at=datetime(2025, 10, 9, 12, tzinfo=TZ))  # a working day again
    assert len([r for r in out if r.text.startswith("【每日岗位速递】")]) == 1


def test_the_weekly_report_counts_the_weeks_shares_consultations_wishes_and_rewards(make_bot):  # type: ignore[no-untyped-def]
    """Issue 28's records in the Monday report, each counted by its own store's function."""
    bot = make_bot(config_yaml=CONFIG + "groups:\n  - name: 共享员工群\n  - name: 干部群\n"
                   "    cadre_group: true\n", simulated=True)
    g = {"group": "共享员工群"}
    bot.say("大家好", sender="w1", at=at(3, 9), **g)  # a Monday
    bot.say("中午哪些兄弟单位能接待午餐？", sender="base", name="基地老王", at=at(3, 9, 5), **g)
    bot.say("我这还能接待3桌。", sender="hotel", name="酒店老李", at=at(3, 9, 10), **g)
    bot.say("#确认共享 S1 酒店 3桌", sender="base", at=at(3, 9, 20), **g)
    bot.say("#征求意见 食堂管理办法 3月20日 群：共享员工群\n第一条 六点开门。", sender="wxid_admin",
            at=at(3, 10), **g)
    bot.say("希望工会组织叉车证培训", sender="w1", at=at(4, 10), **g)
    bot.say("路口井盖坏了，晚上很危险", sender="w2", at=at(5, 10), **g)
    bot.say("#奖励 R1 20", sender="wxid_admin", at=at(5, 11), **g)
    out = bot.say("早", sender="x", at=at(10, 9), **g)  # the next Monday
    [weekly] = [r.text for r in out if r.text.startswith("【工会周报】")]
    # The need asked for no quantity: a confirmation leaves it open until the asker closes it.
    assert "共享需求 1 个（已解决 0 个，还在征集 1 个），单位回应 1 次。" in weekly
    assert "企业结对 1 对（资源共享 1 对）。" in weekly
    assert "Y1《食堂管理办法》" in weekly
    assert "心愿墙：新心愿 1 条（1人）" in weekly
    assert "随手拍奖励：1件，1人，共20元。" in weekly
