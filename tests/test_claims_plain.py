"""Issue 27: claims that need no guessing, cancels and fills in plain words."""

from __future__ import annotations

from datetime import timedelta

from storage.models import AuditLog, Claim

PRINT = "我们印刷厂需要3名临时工,手工包装纸品,一天200,日结"
SEW = "服装厂招缝纫工2名，计件"
BIND = "装订厂招装订工4名，一天180"


def _postings(bot, n: int) -> None:  # type: ignore[no-untyped-def]
    """n postings, #1..#n, each by its own poster, each wanting 3 people."""
    jobs = ["保安", "保洁", "搬运工", "包装工", "厨师", "电工", "焊工", "木工", "瓦工", "油漆工",
            "叉车工", "装卸工", "服务员", "快递员"]
    for i in range(n):
        out = bot.texts(f"招{jobs[i]}3名，一天{200 + i}", sender=f"boss{i + 1}")
        assert out[0].startswith(f"已登记招工 #{i + 1}"), out


# -- a bare number ------------------------------------------------------------------------------
def test_five_ones_after_a_notice_claim_nothing(bot):  # type: ignore[no-untyped-def]
    bot.say(PRINT, sender="boss")
    bot.say("【通知】明天上午九点在工会开会，请各位准时参加，收到请回复1", sender="wxid_cadre")
    for who in ("w1", "w2", "w3", "w4", "w5"):
        assert bot.say("1", sender=who) == []
    assert bot.say("1。", sender="w6") == []
    assert bot.say("2", sender="w1") == []
    assert bot.repo.claimed(1) == 0 and bot.repo.count(Claim) == 0


def test_a_bare_number_answers_the_bots_question(bot):  # type: ignore[no-untyped-def]
    bot.say(PRINT, sender="boss")
    bot.say(SEW, sender="boss2")
    assert bot.texts("我们两个报名", sender="w1")[0].startswith("你想报哪一个？")
    out = bot.texts("2。", sender="w1")
    assert "报名成功 #2（2人）" in out[0]
    # The question was answered: a later bare number is quiet again.
    assert bot.say("1", sender="w1") == []
    assert bot.repo.claimed(1) == 0


def test_the_answer_is_only_the_asked_persons_and_only_for_a_while(bot):  # type: ignore[no-untyped-def]
    bot.say(PRINT, sender="boss")
    bot.say(SEW, sender="boss2")
    bot.say("我报名", sender="w1")
    assert bot.say("2", sender="w2") == []  # not asked
    later = bot.clock.now() + timedelta(minutes=11)
    assert bot.say("2", sender="w1", at=later) == []  # asked too long ago
    assert bot.repo.claimed(2) == 0
    bot.say("我报名", sender="w1", at=later + timedelta(minutes=1))
    out = bot.texts("1", sender="w1", at=later + timedelta(minutes=2))
    assert "报名成功 #1" in out[0]  # a listed number (not the first line: #2 is listed first)


# -- a posting number with a verb ---------------------------------------------------------------
def test_a_number_with_a_verb_claims_that_posting(bot):  # type: ignore[no-untyped-def]
    _postings(bot, 14)
    assert "报名成功 #12（1人）" in bot.texts("报12", sender="w1")[0]
    assert "报名成功 #11（1人）" in bot.texts("我报11", sender="w2")[0]
    assert "报名成功 #10（1人）" in bot.texts("10我去", sender="w3")[0]
    assert "报名成功 #9（1人）" in bot.texts("9号算我一个", sender="w4")[0]
    assert "报名成功 #8（2人）" in bot.texts("报名8两人", sender="w5")[0]
    assert "报名成功 #7（2人）" in bot.texts("#报名 7 两人", sender="w6")[0]
    assert "报名成功 #6（3人）" in bot.texts("我们三个报6", sender="w7")[0]
    assert "报名成功 #5（2人）" in bot.texts("报5 两个人", sender="w8")[0]
    assert [bot.repo.claimed(n) for n in (12, 11, 10, 9, 8, 7, 6, 5)] == [1, 1, 1, 1, 2, 2, 3, 2]


def test_a_count_is_no_posting_number(bot):  # type: ignore[no-untyped-def]
    _postings(bot, 3)
    out = bot.texts("我们3个都去", sender="w1")
    assert out[0].startswith("你想报哪一个？")
    assert bot.repo.count(Claim) == 0


def test_a_quote_of_the_bots_card_claims_that_posting(bot):  # type: ignore[no-untyped-def]
    card = bot.texts(PRINT, sender="boss")[0]
    bot.say(SEW, sender="boss2")
    quoted = f"「小桥：{card}」\n- - - - - - - - - - - - - - -\n我去"
    assert "报名成功 #1（1人）" in bot.texts(quoted, sender="w1")[0]
    quoted = "「boss2：服装厂招缝纫工2名，计件」\n- - - - - - - - - - - - - - -\n算我一个"
    assert "报名成功 #2（1人）" in bot.texts(quoted, sender="w2")[0]


def test_a_claim_again_says_already_claimed(bot):  # type: ignore[no-untyped-def]
    bot.say("需要2个搬运工，一天200", sender="boss")
    bot.say("报名 1", sender="w1")
    assert bot.texts("报名 1", sender="w1") == ["你已经报过了 #1（1人），不用再报。"]
    bot.say("报名 1", sender="w2")
    assert bot.repo.posting(1).status == "filled"
    assert bot.texts("我报1号", sender="w2") == ["你已经报过了 #1（1人），不用再报。"]
    out = bot.texts("#报名 1 2", sender="w2")
    assert out == ["你已经报过了 #1（1人），#1 已经招满了，加不了人了。"]
    assert bot.texts("报名 1", sender="w3") == ["#1 已经招满了，看看别的岗位吧，发“#列表”查看。"]
    assert bot.repo.claimed(1) == 2


# -- cancels and reductions in plain words ------------------------------------------------------
def test_a_cancel_by_number_frees_the_place(bot):  # type: ignore[no-untyped-def]
    _postings(bot, 12)
    bot.say("#报名 12 3", sender="w1")
    assert bot.repo.posting(12).status == "filled"
    out = bot.texts("12号我去不了了", sender="w1")
    assert out == ["已取消你对 #12 的报名，现在已报0/3人。"]
    assert bot.repo.claimed(12) == 0 and bot.repo.posting(12).status == "open"


def test_a_cancel_by_job_word_or_of_the_only_claim(bot):  # type: ignore[no-untyped-def]
    bot.say(PRINT, sender="boss")
    bot.say(SEW, sender="boss2")
    bot.say("报名 1", sender="w1")
    bot.say("报名 2", sender="w1")
    assert "#2" in bot.texts("算了缝纫工我不去了", sender="w1")[0]
    assert bot.repo.claimed(2) == 0 and bot.repo.claimed(1) == 1
    assert "#1" in bot.texts("那个活我不去了", sender="w1")[0]
    assert bot.repo.claimed(1) == 0


def test_withdraw_words_about_something_else_stay_quiet(bot):  # type: ignore[no-untyped-def]
    bot.say(PRINT, sender="boss")
    bot.say("报名 1", sender="w1")
    assert bot.say("周末聚餐我去不了了", sender="w1") == []
    assert bot.say("我老婆去不了了", sender="w1") == []
    assert bot.say("12号我去不了了", sender="w1") == []  # not a posting they are on
    assert bot.say("我不去了", sender="w2") == []  # no claim at all
    assert bot.repo.claimed(1) == 1


def test_we_can_only_send_two_reduces_the_claim(bot):  # type: ignore[no-untyped-def]
    bot.say("需要4个搬运工，一天200", sender="boss")
    bot.say("报名 1 4人", sender="w1")
    assert bot.repo.posting(1).status == "filled"
    out = bot.texts("我们只能去两个了", sender="w1")
    assert out == ["已更新报名 #1（2人），目前已报2/4人。"]
    assert bot.repo.claimed(1) == 2 and bot.repo.posting(1).status == "open"


# -- fills in plain words -----------------------------------------------------------------------
def test_the_posters_full_closes_their_only_open_posting(bot):  # type: ignore[no-untyped-def]
    bot.say(PRINT, sender="boss")
    bot.say("报名 1", sender="w1")
    assert bot.say("招满了", sender="w1") == []  # not the poster
    out = bot.say("招满了", sender="boss")
    assert out[0].text == "#1 已招满，停止报名，谢谢大家！"
    # Whoever had claimed hears it privately (the group only that they did).
    told = [r.text for r in out[1:] if r.group is None]
    assert told and all("发布人说人已经招满" in t for t in told)
    assert bot.repo.posting(1).status == "closed"
    assert bot.texts("报名 1", sender="w2") == ["#1 已关闭，不能报名了。"]
    audit = [a for a in bot.repo.all(AuditLog) if a.action == "关闭"]
    assert audit and audit[-1].target == "#1"
    assert bot.texts("#重开 1", sender="boss") == ["#1 重新开放报名。"]


def test_a_full_by_number_or_job_word_closes_that_posting(bot):  # type: ignore[no-untyped-def]
    bot.say(PRINT, sender="boss")
    bot.say(BIND, sender="boss")
    bot.say("仓库招搬运工5名，一天220", sender="boss")
    assert bot.texts("2号招满了", sender="boss") == ["#2 已招满，停止报名，谢谢大家！"]
    assert "#3" in bot.texts("搬运工已经找到人了", sender="boss")[0]
    assert [bot.repo.posting(n).status for n in (1, 2, 3)] == ["open", "closed", "closed"]


def test_a_full_with_several_open_asks_which(bot):  # type: ignore[no-untyped-def]
    bot.say(PRINT, sender="boss")
    bot.say(BIND, sender="boss")
    out = bot.texts("人够了", sender="boss")
    assert out[0].startswith("你说的是哪一个招满了？") and "#1" in out[0] and "#2" in out[0]
    assert bot.texts("1", sender="boss") == ["#1 已招满，停止报名，谢谢大家！"]
    assert [bot.repo.posting(n).status for n in (1, 2)] == ["closed", "open"]


def test_full_words_that_are_no_fill_stay_quiet(bot):  # type: ignore[no-untyped-def]
    bot.say(PRINT, sender="boss")
    for text in ("招满了吗？", "还没招满", "人够了吗", "我家修水管的人找到了，谢谢大家帮忙联系"):
        assert bot.say(text, sender="boss") == [], text
    assert bot.repo.posting(1).status == "open"


def test_withdraw_words_the_model_reads_as_a_claim_cancel_instead(bot):  # type: ignore[no-untyped-def]
    _postings(bot, 12)
    bot.say("报名 12", sender="w1")
    bot.say("报名 3", sender="w1")
    assert bot.say("11号我退出", sender="w2") == []  # on nothing: no claim either
    assert bot.repo.claimed(11) == 0
    assert "#12" in bot.texts("取消12号报名", sender="w1")[0]
    assert "#3" in bot.texts("我取消3号", sender="w1")[0]
    assert bot.repo.claimed(12) == bot.repo.claimed(3) == 0
    bot.say("报名 5", sender="w1")
    assert bot.say("我退出群聊了", sender="w1") == []
    assert bot.repo.claimed(5) == 1


def test_a_time_or_a_price_is_no_posting_number(bot):  # type: ignore[no-untyped-def]
    _postings(bot, 2)
    out = bot.texts("我去，13:00到", sender="w1")
    assert out[0].startswith("你想报哪一个？"), out
    assert bot.repo.count(Claim) == 0
