"""Posting lifecycle: reposts, edits, reopen, expiry on the simulated clock."""

from __future__ import annotations

from datetime import datetime, timedelta

from storage.models import AuditLog, Posting
from tests.conftest import TZ

POST = "我们印刷厂需要3名临时工,手工包装纸品,一天200,日结"


def test_same_sender_reposting_refreshes_the_posting(bot):  # type: ignore[no-untyped-def]
    bot.say(POST, sender="boss")
    out = bot.texts("我们印刷厂需要5名临时工,手工包装纸品,一天220,日结", sender="boss")
    assert out[0].startswith("已更新 #1") and "5人" in out[0] and "220元/天" in out[0]
    assert bot.repo.count(Posting) == 1
    p = bot.repo.posting(1)
    assert (p.headcount, p.pay_min) == (5, 220)


def test_a_different_employer_or_sender_is_a_new_posting(bot):  # type: ignore[no-untyped-def]
    bot.say(POST, sender="boss")
    assert "已登记招工 #2" in bot.texts(POST, sender="other_boss")[0]
    assert "已登记招工 #3" in bot.texts(POST.replace("印刷厂", "纸箱厂"), sender="boss")[0]


def test_a_repost_after_the_window_is_a_new_posting(bot):  # type: ignore[no-untyped-def]
    bot.say(POST, sender="boss")
    later = bot.clock.now() + timedelta(days=8)
    assert "已登记招工 #2" in bot.texts(POST, sender="boss", at=later)[0]


def test_poster_edits_headcount_and_pay(bot):  # type: ignore[no-untyped-def]
    bot.say(POST, sender="boss")
    assert bot.texts("#修改 1 人数 8", sender="boss") == ["#1 的人数已改为8。"]
    assert bot.texts("#修改 1 工资 250/天", sender="boss") == ["#1 的工资已改为250元/天。"]
    assert bot.texts("#修改 1 工资 很多", sender="boss")[0].startswith("“很多”看不懂")
    assert bot.texts("#修改 1 颜色 红", sender="boss")[0].startswith("能改的有")
    p = bot.repo.posting(1)
    assert (p.headcount, p.pay_min, p.pay_unit) == (8, 250, "day")
    assert bot.texts("#修改 1 人数 1", sender="w1") == ["“#修改”只有岗位发布人或工会干部才能用。"]
    assert bot.repo.posting(1).headcount == 8
    assert [(a.action, a.allowed) for a in bot.repo.all(AuditLog)] == [
        ("修改", True), ("修改", True), ("修改", False)]


def test_lowering_headcount_to_the_claims_fills_the_posting(bot):  # type: ignore[no-untyped-def]
    bot.say(POST, sender="boss")
    bot.say("#报名 1 2", sender="w1")
    bot.say("#修改 1 人数 2", sender="boss")
    assert bot.repo.posting(1).status == "filled"
    bot.say("#修改 1 人数 4", sender="boss")
    assert bot.repo.posting(1).status == "open"


def test_reopen_a_closed_posting(bot):  # type: ignore[no-untyped-def]
    bot.say(POST, sender="boss")
    bot.say("#关闭 1", sender="boss")
    assert bot.texts("#重开 1", sender="boss") == ["#1 重新开放报名。"]
    assert bot.repo.posting(1).status == "open"
    assert bot.texts("#重开 1", sender="boss") == ["#1 正在招，不用这样操作。"]


def test_answering_the_which_question_with_a_bare_number(bot):  # type: ignore[no-untyped-def]
    bot.say(POST, sender="boss")
    bot.say("服装厂招车工2名，计件", sender="boss2")
    assert bot.texts("我报名", sender="w1")[0].startswith("你想报哪一个？")
    assert "报名成功 #2" in bot.texts("2", sender="w1")[0]


def test_postings_expire_after_their_end_date_on_the_simulated_clock(make_bot):  # type: ignore[no-untyped-def]
    bot = make_bot(simulated=True)
    bot.say("需要临时工5个，干三天，明天开始", sender="boss")  # runs 3-04 .. 3-06
    bot.say("需要保安2名，月薪4000", sender="boss2")
    bot.say("#报名 2 1", sender="w1", at=datetime(2025, 3, 10, 10, 0, tzinfo=TZ))
    assert bot.repo.posting(1).status == "expired"  # swept at 00:05 on 3-07
    assert bot.repo.posting(2).status == "open"
    bot.app.advance(datetime(2025, 3, 24, 0, 10, tzinfo=TZ))
    assert bot.repo.posting(2).status == "open"  # its last claim was 3-10: 14 days not yet up
    bot.app.advance(datetime(2025, 3, 25, 0, 10, tzinfo=TZ))
    assert bot.repo.posting(2).status == "expired"
    assert "已过期" in bot.texts("报名 2", sender="w2")[0]


def test_confirmed_placements_add_up_in_the_stats(bot):  # type: ignore[no-untyped-def]
    bot.say(POST, sender="boss", name="张老板")                       # 200/day
    bot.say("服装厂招车工2名，月薪4500", sender="boss2", name="王老板")  # month
    bot.say("#报名 1 1", sender="w1", name="张三")
    bot.say("#报名 1 1", sender="w2", name="李四")
    bot.say("#报名 2 1", sender="w1", name="张三")
    assert bot.texts("#确认 1 张三 李四 3天", sender="boss") == ["#1 已确认调配2人：张三、李四，各3天。"]
    assert bot.texts("#确认 2 张三 30天", sender="boss2") == ["#2 已确认调配1人：张三，各30天。"]
    assert bot.texts("#确认 1 王五", sender="w1") == ["“#确认”只有岗位发布人或工会干部才能用。"]
    assert bot.texts("#确认 1", sender="boss") == ["用法：#确认 编号 张三 李四 [3天]"]
    out = bot.texts("#统计 2025-03", sender="wxid_cadre")[0]
    # 2 firms; workers 张三, 李四; 3 placements; income 600+600+4500 = 5700 over 2 workers.
    assert out == ("【2025年3月统计】\n覆盖企业 2 家，共享职工 2 人，调配 3 人次，人均增收 2850 元。")
    assert bot.texts("#统计 2025-04", sender="wxid_cadre")[0].endswith("调配 0 人次，人均增收 0 元。")
    assert "只有工会干部" in bot.texts("#统计", sender="w1")[0]
    assert bot.texts("#统计 明年", sender="wxid_cadre") == ["用法：#统计 [诉求] [本周|本月|2025-03]"]


def test_a_new_posting_mentions_matching_offers_once_per_pair(bot):  # type: ignore[no-untyped-def]
    bot.say("我们班组6个人找活，木工瓦工都会", sender="team", name="老刘")
    bot.say("两个人找搬运装卸的活，日结", sender="pair", name="小王")
    out = bot.say("工地招木工3名，一天350", sender="boss")
    assert len(out) == 2
    assert out[1].mentions == ("team",)
    assert out[1].text == "新岗位 #3 可能适合找活的朋友（#1），想去就回复“报名 3”。"
    # a repost of the same need is the same posting: nobody is told twice
    out = bot.say("工地招木工4名，一天350", sender="boss")
    assert len(out) == 1 and out[0].text.startswith("已更新 #3")
    # another posting for the same offer is another pair, and the offerer hears of it
    out = bot.say("搬家公司招搬运工2名，日结200", sender="mover")
    assert out[1].mentions == ("pair",) and "#2" in out[1].text
    assert bot.repo.matched_before(4, 2) and not bot.repo.matched_before(4, 1)


def test_poster_hears_of_claims_in_one_batched_message(make_bot):  # type: ignore[no-untyped-def]
    bot = make_bot(simulated=True)
    bot.say(POST, sender="boss", name="张老板", at=datetime(2025, 3, 3, 9, 0, tzinfo=TZ))
    bot.say("报名 1", sender="w1", name="李四", at=datetime(2025, 3, 3, 9, 5, tzinfo=TZ))
    bot.say("报名 1", sender="w2", name="王五", at=datetime(2025, 3, 3, 9, 10, tzinfo=TZ))
    out = bot.say("收到", sender="x", at=datetime(2025, 3, 3, 9, 45, tzinfo=TZ))
    pings = [r for r in out if r.text.startswith("#1 新报名")]
    assert len(pings) == 1 and pings[0].mentions == ("boss",)
    assert pings[0].text == "#1 新报名：李四（1人）、王五（1人），目前已报2/3人。请和他们联系。"
    assert pings[0].time == datetime(2025, 3, 3, 9, 30, tzinfo=TZ)
    # nothing new: no second ping at 10:00
    assert bot.say("好的", sender="x", at=datetime(2025, 3, 3, 10, 5, tzinfo=TZ)) == []


def test_cadre_exports_a_ledger_from_the_chat(make_bot, tmp_path):  # type: ignore[no-untyped-def]
    from openpyxl import load_workbook

    bot = make_bot(config_yaml=f"cadres: [wxid_cadre]\nexports_dir: {tmp_path / 'out'}\n")
    bot.say(POST, sender="boss", name="张老板")
    bot.say("报名 1", sender="w1", name="李四")
    assert "只有" in bot.texts("#导出 岗位", sender="w1")[0]
    out = bot.say("#导出 岗位", sender="wxid_cadre")
    assert out[0].file and out[0].text.startswith("岗位台账已导出（1条）")
    rows = list(load_workbook(out[0].file)["岗位台账"].iter_rows(values_only=True))
    assert rows[1][:2] == ("#1", "招工") and rows[1][9] == 1  # one claimed
    assert bot.texts("#导出 工资", sender="wxid_cadre") == ["用法：#导出 诉求|岗位|调配"]
