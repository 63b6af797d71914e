"""Issue 27: matching by what people can do, queries that answer, the how-to.

Through the real app (tests/conftest.py: make_bot / bot), on SQLite and the memory transport;
Bot.say checks every group message for an unmasked phone number.
"""

from __future__ import annotations

from datetime import date, datetime

import pytest

from bot.handlers.matching import Trades, days_asked, posting_trades, trades
from tests.conftest import TZ

PACKING = "我们印刷厂需要3名包装工，一天200，日结"
COOK = "饭店招厨师1名，月薪6000"
REBAR = "工地招钢筋工5名，一天350"
FORKLIFT = "物流园招叉车司机2名，一天260，电话13700001234"
FORKLIFT_WORKER = "我有叉车证，想找活，电话13912345678"


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2025, 3, day, hour, minute, tzinfo=TZ)


# -- the vocabulary -------------------------------------------------------------------------
def test_synonyms_are_one_trade_and_skills_name_it() -> None:
    t = trades()

    def names(text: str) -> set[str]:
        return {x.name for x in t.find(text)}

    assert names("叉车工") == names("叉车司机") == names("我会开叉车") == names("有叉车证") == {"叉车工"}
    assert names("普工") == names("操作工") == names("流水线上的活") == {"普工"}
    assert names("保洁") == names("清洁工") == names("阿姨") == names("会打扫卫生") == {"保洁"}
    assert names("我们班组木工瓦工都会") == {"木工", "瓦工"}
    assert names("建筑工地") == set()  # a site, not 建筑工
    assert t.family("叉车证") == "物流与运输" and t.family("包装工") == "普工与临时工"


def test_every_lexicon_word_has_one_trade_and_a_cue_must_name_a_trade() -> None:
    from parsers.lexicon import Lexicon

    lex = Lexicon.load(tokenizer=False)
    t = trades()
    for word, family in lex.jobs.items():
        assert t.words[word].family == family, word  # one family, whoever reads the file
    with pytest.raises(ValueError, match="no trade line"):
        Trades.parse("family: 甲\n木工\n#~ 叉车工: 开叉车\n")


def test_the_days_a_query_asks_about() -> None:
    monday = date(2025, 3, 3)
    assert (days_asked("周末有什么活", monday).start, days_asked("周末有什么活", monday).end) == (
        date(2025, 3, 8), date(2025, 3, 9))
    assert days_asked("这周有活吗", monday).end == date(2025, 3, 9)
    assert days_asked("下周有活吗", monday).start == date(2025, 3, 10)
    assert days_asked("明天有活吗", monday).label == "明天"
    assert days_asked("周六有活吗", monday).start == date(2025, 3, 8)
    assert days_asked("周末", date(2025, 3, 9)).start == date(2025, 3, 9)  # on a Sunday: today
    assert days_asked("有什么活", monday) is None


# -- matching offers and postings -----------------------------------------------------------
def test_a_forklift_licence_is_offered_the_forklift_post_not_packing_cook_or_rebar(bot) -> None:  # type: ignore[no-untyped-def]
    for i, post in enumerate((PACKING, COOK, REBAR, FORKLIFT)):
        bot.say(post, sender=f"boss{i}")
    out = bot.texts(FORKLIFT_WORKER, sender="w1", name="小刘")
    assert out[0].startswith("@小刘 已登记找活 #5") or out[0].startswith("已登记找活 #5")
    assert "#4 物流园 叉车司机" in out[0]
    assert "#1" not in out[0] and "#2" not in out[0] and "#3" not in out[0]


def test_a_forklift_worker_is_told_when_a_forklift_post_comes(bot) -> None:  # type: ignore[no-untyped-def]
    ack = bot.say("我会开叉车，找个活干", sender="w1", name="小刘")
    assert "暂时没有合适的岗位" in ack[0].text
    for post in (PACKING, COOK, REBAR):  # nothing the worker can do: nobody is told
        assert len(bot.say(post, sender="boss")) == 1
    out = bot.say(FORKLIFT, sender="boss2")
    assert len(out) == 2 and out[1].mentions == ("w1",)
    assert out[1].text == "新岗位 #5 可能适合找活的朋友（#1），想去就回复“报名 5”。"
    assert bot.repo.matched_before(5, 1)
    # The same need posted again is the same posting: not told twice.
    assert len(bot.say(FORKLIFT.replace("2名", "3名"), sender="boss2")) == 1


def test_a_post_without_a_job_word_still_finds_the_forklift_worker(bot) -> None:  # type: ignore[no-untyped-def]
    bot.say(FORKLIFT_WORKER, sender="w1")
    out = bot.say("有没有会开叉车的？仓库缺一个，日结300", sender="boss")
    assert any(r.mentions == ("w1",) and "#1" in r.text for r in out), [r.text for r in out]


def test_one_notice_names_every_offer_a_post_fits(bot) -> None:  # type: ignore[no-untyped-def]
    bot.say("我有叉车证，想找活", sender="w1")
    bot.say("会开叉车，有证，想找个活", sender="w2")
    bot.say("我会做保洁，想找活", sender="w3")
    out = bot.say(FORKLIFT, sender="boss")
    notices = [r for r in out if r.text.startswith("新岗位")]
    assert len(notices) == 1 and set(notices[0].mentions) == {"w1", "w2"}
    assert "#1、#2" in notices[0].text


# -- putting an employer in touch with an offer ---------------------------------------------
def test_an_employer_contacting_an_offer_puts_both_in_touch_privately(bot) -> None:  # type: ignore[no-untyped-def]
    bot.say(FORKLIFT_WORKER, sender="w1", name="小刘")
    bot.say(FORKLIFT, sender="boss", name="赵老板")
    out = bot.say("#联系 1", sender="boss", name="赵老板")
    private = {r.to: r.text for r in out if r.group is None}
    assert "13912345678" in private["boss"] and "小刘" in private["boss"]
    assert "13700001234" in private["w1"] and "赵老板" in private["w1"]
    group = [r for r in out if r.group is not None]
    assert [r.text for r in group] == ["已把找活 #1 和你的联系方式私下发给双方，请留意私信。"]
    assert group[0].mentions == ("boss",)
    assert bot.repo.matched_before(2, 1)
    # A job is not an offer; one's own offer, an unknown number: said so.
    assert bot.texts("#联系 2", sender="w9") == ["#2 是招工岗位，不是找活的人。想去就回复“报名 2”。"]
    assert "你自己登记的找活" in bot.texts("#联系 1", sender="w1")[0]
    assert bot.texts("#联系 9", sender="boss") == ["没有找到 #9 号岗位，请核对编号。"]
    assert bot.texts("#联系", sender="boss")[0].startswith("用法：")


def test_an_offer_is_reached_from_the_members_other_groups_only(bot) -> None:  # type: ignore[no-untyped-def]
    bot.say(FORKLIFT_WORKER, sender="w1", group="一群")
    bot.say("大家好", sender="boss", group="一群")
    # The employer writes in another group (or privately): #1 is in a group of theirs.
    out = bot.say("#联系 1", sender="boss", group="二群")
    assert any(r.to == "boss" and "13912345678" in r.text for r in out)
    out = bot.say("#联系 1", sender="boss", group=None)
    assert any(r.to == "boss" and "13912345678" in r.text for r in out)
    # A stranger to 一群 learns nothing of #1.
    assert bot.texts("#联系 1", sender="stranger", group="二群") == ["没有找到 #1 号岗位，请核对编号。"]


def test_a_claim_on_an_offer_number_puts_the_employer_in_touch(bot) -> None:  # type: ignore[no-untyped-def]
    bot.say(FORKLIFT_WORKER, sender="w1", name="小刘")
    bot.say(FORKLIFT, sender="boss", name="赵老板")
    for claim in ("报名 1", "#报名 1"):
        out = bot.say(claim, sender="boss", name="赵老板")
        private = {r.to: r.text for r in out if r.group is None}
        assert "13912345678" in private["boss"] and "13700001234" in private["w1"], claim
        assert [r.text for r in out if r.group is not None] == [
            "已把找活 #1 和你的联系方式私下发给双方，请留意私信。"]
    assert bot.repo.claims(1) == []  # an offer takes no claims


def test_a_claim_by_number_reaches_the_senders_groups_only(bot) -> None:  # type: ignore[no-untyped-def]
    bot.say(PACKING, sender="boss", group="一群")
    bot.say("大家好", sender="w1", group="一群")
    bot.say("大家好", sender="w1", group="二群")
    bot.say("大家好", sender="w2", group="二群")
    # w1 is in 一群: the number typed in 二群, or privately, claims #1.
    assert "报名成功" in bot.texts("报名 1", sender="w1", group="二群")[0]
    # A stranger to 一群, in a group or privately, learns nothing of #1.
    assert bot.texts("报名 1", sender="w2", group="二群") == ["没有找到 #1 号岗位，请核对编号。"]
    assert bot.texts("#报名 1", sender="w2", group=None) == ["没有找到 #1 号岗位，请核对编号。"]
    assert [c.claimant_id for c in bot.repo.claims(1)] == ["w1"]


def test_without_direct_messages_both_are_mentioned_and_no_number_is_said(make_bot) -> None:  # type: ignore[no-untyped-def]
    bot = make_bot()
    bot.app.dispatcher.can_direct = False
    bot.say(FORKLIFT_WORKER, sender="w1")
    out = bot.say("#联系 1", sender="boss")
    assert [r.to for r in out] == [None] and set(out[0].mentions) == {"boss", "w1"}
    assert "私下加好友" in out[0].text


def test_posting_for_member_finds_numbers_of_the_senders_groups(bot) -> None:  # type: ignore[no-untyped-def]
    bot.say(PACKING, sender="boss", group="一群")
    bot.say(FORKLIFT_WORKER, sender="w1", group="一群")
    bot.say("大家好", sender="w2", group="二群")
    bot.say("大家好", sender="w3", group="一群")
    repo = bot.repo
    assert repo.posting_for_member(1, "w3").id == 1
    assert repo.posting_for_member(1, "w2") is None
    assert repo.posting_for_member(2, "w3", kind="offer").id == 2
    assert repo.posting_for_member(2, "w3", kind="job") is None
    assert repo.posting_for_member(99, "w3") is None
    assert repo.member_groups("w2") == {repo.group_by_name("二群").id}


# -- queries --------------------------------------------------------------------------------
def test_weekend_query_answers_with_the_weekend(bot) -> None:  # type: ignore[no-untyped-def]
    bot.say("周六需要5个小工搬货，一天200", sender="b1", at=at(3, 9))   # 3月8日
    bot.say("明天要两个临时工，干一天，一天180", sender="b2", at=at(3, 9, 5))  # 3月4日 only
    bot.say("下周一开始招普工3名，干一个月", sender="b3", at=at(3, 9, 10))   # 3月10日 on
    bot.say(PACKING, sender="b4", at=at(3, 9, 15))                    # no dates, by the day
    bot.say(COOK, sender="b5", at=at(3, 9, 20))                       # no dates, by the month
    out = bot.texts("周末有什么活", sender="w", at=at(3, 10))[0]
    head, *rest = out.split("\n")
    assert head == "周末（3月8日-9日）能干的活："
    assert rest[0].startswith("#1 ") and "#2 " not in out and "#3 " not in out
    assert "这些没写日期" in out and "#4 印刷厂" in out and "#5 " not in out
    out = bot.texts("明天有活吗", sender="w", at=at(3, 10, 5))[0]
    assert out.startswith("明天（3月4日）能干的活：\n#2 ")
    out = bot.texts("下周有活吗", sender="w", at=at(3, 10, 10))[0]
    assert "#3 " in out and "#1 " not in out and "#2 " not in out


def test_weekend_query_with_nothing_says_so(bot) -> None:  # type: ignore[no-untyped-def]
    bot.say("明天要两个临时工，干一天，一天180", sender="b2")
    assert bot.texts("周末有什么活", sender="w") == ["周末（3月8日-9日）暂时没有合适的活，有了会在群里说。"]


def test_query_by_trade_place_board_and_shift(bot) -> None:  # type: ignore[no-untyped-def]
    bot.say(PACKING, sender="b1")
    bot.say("仓库招叉车工2名，北仑，包吃住，一天260", sender="b2")
    bot.say("电子厂招普工10名，夜班，一天220", sender="b3")
    out = bot.texts("有开叉车的活吗", sender="w")[0]
    assert "#2 " in out and "#1 " not in out and "#3 " not in out
    out = bot.texts("有没有包吃住的活", sender="w")[0]
    assert "#2 " in out and "#1 " not in out and "#3 " not in out
    out = bot.texts("有夜班的活吗", sender="w")[0]
    assert "#3 " in out and "#1 " not in out and "#2 " not in out
    out = bot.texts("北仑有活吗", sender="w")[0]
    assert "#2 " in out and "#1 " not in out


def test_a_direct_message_query_answers_across_the_senders_groups(bot) -> None:  # type: ignore[no-untyped-def]
    bot.say(PACKING, sender="b1", group="一群")
    bot.say(REBAR, sender="b2", group="二群")
    bot.say(COOK, sender="b3", group="三群")
    bot.say("大家好", sender="w", group="一群")
    bot.say("收到", sender="w", group="二群")
    out = bot.say("有什么活", sender="w", group=None)
    assert [r.to for r in out] == ["w"]
    assert "#1 " in out[0].text and "#2 " in out[0].text and "#3 " not in out[0].text
    assert bot.texts("有什么活", sender="nobody", group=None) == [
        "我还不知道你在哪个群。先在群里说一句话（比如“有什么活”），再来问我。"]
    # #列表 privately: the sender's groups too, not every group's.
    listed = bot.texts("#列表", sender="w", group=None)[0]
    assert "#1 " in listed and "#3 " not in listed


# -- lists ----------------------------------------------------------------------------------
def test_the_list_pages_on_past_ten_and_says_how(bot) -> None:  # type: ignore[no-untyped-def]
    for i in range(23):
        bot.say(f"第{i + 1}号仓库招搬运工{i % 5 + 2}名，一天200", sender=f"b{i}")
    first = bot.texts("#列表", sender="w")[0].split("\n")
    assert first[0] == "在招的岗位（第1/3页，共23个）："
    assert first[1].startswith("#23 ") and first[10].startswith("#14 ")
    assert first[-1] == "发“#列表 2”看下一页；想去就回复“报名 编号”。"
    second = bot.texts("#列表 2", sender="w")[0].split("\n")
    assert second[0] == "在招的岗位（第2/3页，共23个）："
    assert second[1].startswith("#13 ") and second[-1].startswith("发“#列表 3”")
    third = bot.texts("#列表 第3页", sender="w")[0].split("\n")
    assert [x.split()[0] for x in third[1:4]] == ["#3", "#2", "#1"]
    assert third[-1] == "想去就回复“报名 编号”。"
    assert bot.texts("#列表 4", sender="w") == ["没有第4页，一共3页。"]


def test_a_short_list_reads_as_before(bot) -> None:  # type: ignore[no-untyped-def]
    bot.say(PACKING, sender="b1")
    assert bot.texts("#列表", sender="w") == [
        "在招的岗位：\n#1 印刷厂 包装工，3人，200元/天，日结\n想去就回复“报名 编号”。"]


def test_the_list_filters_by_settlement_trade_and_offers(bot) -> None:  # type: ignore[no-untyped-def]
    bot.say(PACKING, sender="b1")
    bot.say(FORKLIFT, sender="b2")
    bot.say(FORKLIFT_WORKER, sender="w1")
    assert "#2 " not in bot.texts("#列表 日结", sender="w")[0]
    listed = bot.texts("#列表 叉车", sender="w")[0]
    assert "#2 " in listed and "#1 " not in listed
    offers = bot.texts("#列表 找活", sender="b2")[0]
    assert offers.startswith("在找活的：\n#3 ") and "#联系 编号" in offers
    assert "#1 " not in offers


# -- the how-to -----------------------------------------------------------------------------
def test_asking_the_bot_gets_a_how_to_for_ones_role(bot) -> None:  # type: ignore[no-untyped-def]
    bot.say(PACKING, sender="boss")
    worker = bot.say("@小桥 你好", sender="w", mentions_bot=True)
    assert len(worker) == 1 and worker[0].mentions == ("w",)
    assert "报名 编号" in worker[0].text and "#联系" not in worker[0].text
    assert "报名 编号" in bot.texts("怎么报名啊", sender="w2")[0]
    poster = bot.texts("这个机器人怎么用", sender="boss")[0]
    assert "#关闭 编号" in poster and "#联系 编号" in poster
    cadre = bot.texts("@小桥 在吗", sender="wxid_cadre", mentions_bot=True)[0]
    assert "#诉求 待办" in cadre
    # The @ written in the text counts where the transport does not flag it (a replay).
    assert bot.say("@小桥 你好", sender="w3")


def test_chit_chat_stays_quiet(bot) -> None:  # type: ignore[no-untyped-def]
    for text in ("你好", "大家好", "这台机器怎么用", "列表"):
        assert bot.say(text, sender="w") == [], text
    assert bot.say("@小桥 谢谢", sender="w", mentions_bot=True) == []
    assert bot.texts("你好", sender="w", group=None)[0].startswith("你好，我是搭桥助手")


def test_posting_trades_read_the_text_where_the_job_is_missing(bot) -> None:  # type: ignore[no-untyped-def]
    bot.say("有没有会开叉车的？仓库缺一个，日结300", sender="boss")
    p = bot.repo.posting(1)
    assert {t.name for t in posting_trades(p)} == {"叉车工"} and p.family == "物流与运输"


# -- the replay scenario --------------------------------------------------------------------
def test_the_jobs_matching_scenario_replays_as_reviewed_and_shows_issue_27(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """tests/data/scenarios/jobs_matching.jsonl through the real `daqiao replay`, as
    tests/test_scenarios.py runs every scenario, and what its reviewed output shows."""
    from tests.test_cli import daqiao, lines
    from tests.test_scenarios import SCENARIOS, config_of

    cfg = tmp_path / "config.yaml"
    cfg.write_text(config_of("jobs_matching"), encoding="utf-8")
    run = daqiao("replay", str(SCENARIOS / "jobs_matching.jsonl"), "--config", str(cfg),
                 "--db", f"sqlite:///{tmp_path / 'd.db'}", cwd=tmp_path)
    assert run.returncode == 0, run.stderr.decode()[-2000:]
    got = lines(run.stdout)  # every group line checked for an unmasked number
    assert got == lines((SCENARIOS / "jobs_matching.expected.jsonl").read_bytes())
    by = {}
    for x in got:
        by.setdefault(x["reply_to"], []).append(x)
    # The forklift worker (#1) is told of the forklift post (#3), not of the packing one (#2).
    assert [x["text"] for x in by["jm2"]] == [by["jm2"][0]["text"]]
    assert by["jm3"][1]["text"] == "@小刘 新岗位 #3 可能适合找活的朋友（#1），想去就回复“报名 3”。"
    # An employer contacting an offer: both told privately, each the other's number.
    touch = {x["to"]: x["text"] for x in by["jm5b"] if x["group"] is None}
    assert "13912345678" in touch["wx_zhao"] and "13700001234" in touch["wx_liu"]
    assert [x["group"] for x in by["jm5b"]] == [None, None, "共享员工群"]
    assert by["jm7"][0]["text"].startswith("周末（3月8日-9日）能干的活：\n#5 小工")
    assert by["jm17"][0]["text"].endswith("发“#列表 2”看下一页；想去就回复“报名 编号”。")
    assert by["jm18"][0]["text"].startswith("在招的岗位（第2/2页，共12个）：\n#3 ")
    assert by["jm19"][0]["to"] == "wx_sun"  # a query by direct message is answered
    assert by["jm20"][0]["text"].startswith("@孙师傅 我是搭桥助手。")
    assert "jm22" not in by  # a plain 你好 stays quiet
