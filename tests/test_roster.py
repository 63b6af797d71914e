"""接龙 rosters: a roster growing over several messages, diffed by name."""

from __future__ import annotations

from bot.handlers.roster import Entry, parse_roster

POST = "我们印刷厂需要5名临时工,手工包装纸品,一天200"


def roster(*lines: str, title: str = "#1 印刷厂 临时工，5人，200元/天") -> str:
    return "\n".join(["#接龙", title, "报名请复制这条消息", "", *lines])


def test_parse_roster_reads_names_and_counts():  # type: ignore[no-untyped-def]
    titles, entries = parse_roster("#1 印刷厂\n\n1. 李四\n2、王五 2人\n3.赵六（两人）\n4. \n5) 钱七+1")
    assert titles == ["#1 印刷厂"]
    assert entries == [Entry("李四", 1), Entry("王五", 2), Entry("赵六", 2), Entry("钱七", 1)]


def test_roster_grows_over_five_messages_with_an_edit_and_a_removal(bot):  # type: ignore[no-untyped-def]
    bot.say(POST, sender="boss", name="张老板")
    pub = bot.texts("#接龙 1", sender="boss", name="张老板")[0]
    assert pub.startswith("#接龙\n#1 印刷厂 临时工") and pub.endswith("1. ")

    out = bot.texts(roster("1. 李四"), sender="w1", name="李四")
    assert out[0] == "#1 接龙已记录：新增 李四（1人）。目前已报1/5人。"
    out = bot.texts(roster("1. 李四", "2. 王五 2人"), sender="w2", name="王五")
    assert out[0] == "#1 接龙已记录：新增 王五（2人）。目前已报3/5人。"
    # 赵六 copied the roster from before 王五 signed up: 王五 stays.
    out = bot.texts(roster("1. 李四", "2. 赵六"), sender="w3", name="赵六")
    assert out[0] == "#1 接龙已记录：新增 赵六（1人）。目前已报4/5人。"
    # 王五 edits his own line; the lines are reordered and renumbered.
    out = bot.texts(roster("1. 赵六", "2. 王五 1人", "3. 李四"), sender="w2", name="王五")
    assert out[0] == "#1 接龙已记录：修改 王五（1人）。目前已报3/5人。"
    # 李四 takes himself off.
    out = bot.texts(roster("1. 赵六", "2. 王五"), sender="w1", name="李四")
    assert out[0] == "#1 接龙已记录：取消 李四。目前已报2/5人。"
    # The same roster again changes nothing and says nothing.
    assert bot.say(roster("1. 赵六", "2. 王五"), sender="w3", name="赵六") == []

    claims = {c.claimant_name: (c.claimant_id, c.headcount, c.source) for c in bot.repo.claims(1)}
    assert claims == {"王五": ("w2", 1, "roster"), "赵六": ("w3", 1, "roster")}


def test_someone_elses_line_cannot_be_removed_or_edited_by_a_copy(bot):  # type: ignore[no-untyped-def]
    bot.say(POST, sender="boss")
    bot.say(roster("1. 李四 2人"), sender="w1", name="李四")
    assert bot.say(roster("1. 李四"), sender="w3", name="赵六") == []
    assert bot.repo.claimed(1) == 2
    # the poster may tidy the roster
    out = bot.texts(roster("1. 李四"), sender="boss")
    assert out[0] == "#1 接龙已记录：修改 李四（1人）。目前已报1/5人。"


def test_roster_fills_the_posting_and_stops(bot):  # type: ignore[no-untyped-def]
    bot.say("需要2个搬运工，一天200", sender="boss")
    for sender, name in (("w1", "李四"), ("w2", "王五"), ("w3", "赵六")):
        bot.say("大家好", sender=sender, name=name)
    # The poster writes the roster for three members: two places, so the third waits.
    out = bot.texts(roster("1. 李四", "2. 王五", "3. 赵六", title="#1 搬运工"), sender="boss")
    assert "#1 已招满（2人），停止报名，谢谢大家！" in out
    assert bot.repo.claimed(1) == 2 and bot.repo.posting(1).status == "filled"


def test_a_roster_that_is_not_about_a_posting_gets_silence(bot):  # type: ignore[no-untyped-def]
    bot.say(POST, sender="boss")
    lunch = "#接龙\n周五聚餐，吃火锅的接龙\n\n1. 李四\n2. 王五"
    assert bot.say(lunch, sender="w1", name="李四") == []
    assert bot.repo.claimed(1) == 0


def test_roster_without_a_number_matches_the_posting_by_its_text(bot):  # type: ignore[no-untyped-def]
    bot.say(POST, sender="boss")
    out = bot.texts(roster("1. 李四", title="印刷厂需要5名临时工 手工包装纸品"), sender="w1", name="李四")
    assert out[0].startswith("#1 接龙已记录：新增 李四")
