"""Handlers through the dispatcher, on a real SQLite repository and the memory transport."""

from __future__ import annotations

import json
import re

from storage.models import AuditLog, Message, Posting, Request

POST = "我们印刷厂需要3名临时工,手工包装纸品,一天200,日结,电话13812345678"
PHONE = re.compile(r"1[3-9]\d{9}")


def test_job_post_gets_a_numbered_card_without_the_phone(bot):  # type: ignore[no-untyped-def]
    out = bot.say(POST, sender="boss")
    assert len(out) == 1
    card = out[0]
    assert card.group_name == "共享员工群" and card.mentions == ("boss",)
    assert "已登记招工 #1" in card.text and "印刷厂" in card.text and "3人" in card.text
    assert "报名 1" in card.text
    assert not PHONE.search(card.text)
    p = bot.repo.posting(1)
    assert (p.job, p.headcount, p.pay_min, p.pay_unit, p.settlement, p.contact) == (
        "临时工", 3, 200, "day", "daily", "13812345678")


def test_claims_by_number_context_and_count_until_filled(bot):  # type: ignore[no-untyped-def]
    bot.say(POST, sender="boss")
    out = bot.say("报名 1", sender="w1")
    assert out[0].text.endswith("目前已报1/3人。")
    assert out[1].to == "w1" and "13812345678" in out[1].text  # full contact only in private
    out = bot.say("我们两个可以去", sender="w2")  # the only open posting: context
    texts = [r.text for r in out]
    assert any("目前已报3/3人" in t for t in texts)
    assert any("已招满" in t for t in texts)
    assert bot.repo.posting(1).status == "filled"
    out = bot.say("+1", sender="w3")
    assert [r.text for r in out] == ["#1 已经招满了，看看别的岗位吧，发“#列表”查看。"]
    assert bot.repo.claimed(1) == 3


def test_a_second_claim_updates_the_first(bot):  # type: ignore[no-untyped-def]
    bot.say("工地需要小工8个，一天260", sender="boss")
    bot.say("报名 1", sender="w1")
    out = bot.say("#报名 1 3", sender="w1")
    assert "已更新报名 #1（3人）" in out[0].text
    assert bot.repo.claimed(1) == 3


def test_overfilling_is_trimmed_to_the_places_left(bot):  # type: ignore[no-untyped-def]
    bot.say(POST, sender="boss")
    out = bot.say("#报名 1 5", sender="w1")
    assert "只剩3个名额" in out[0].text
    assert bot.repo.claimed(1) == 3


def test_ambiguous_claim_asks_which_posting(bot):  # type: ignore[no-untyped-def]
    bot.say(POST, sender="boss")
    bot.say("服装厂招车工2名，计件", sender="boss2")
    out = bot.say("我报名", sender="w1")
    assert out[0].text.startswith("你想报哪一个？") and "#1" in out[0].text and "#2" in out[0].text
    assert bot.repo.claimed(1) == bot.repo.claimed(2) == 0
    out = bot.say("服装厂那个活我去", sender="w1")
    assert "报名成功 #2" in out[0].text


def test_claim_by_quote_lands_on_the_quoted_posting(bot):  # type: ignore[no-untyped-def]
    bot.say(POST, sender="boss")
    bot.say("服装厂招车工2名，计件", sender="boss2")
    quoted = "「boss：我们印刷厂需要3名临时工,手工包装纸品」\n- - - - - - - - - - - - - - -\n我去，带上我弟弟"
    out = bot.say(quoted, sender="w1")
    assert "报名成功 #1（2人）" in out[0].text


def test_cancel_claim_reopens_a_filled_posting(bot):  # type: ignore[no-untyped-def]
    bot.say("需要2个搬运工，一天200", sender="boss")
    bot.say("#报名 1 2", sender="w1")
    assert bot.repo.posting(1).status == "filled"
    out = bot.say("#取消报名 1", sender="w1")
    assert out[0].text.startswith("已取消你对 #1 的报名")
    assert bot.repo.posting(1).status == "open" and bot.repo.claimed(1) == 0
    assert bot.texts("#取消报名 1", sender="w1") == ["你没有报名 #1，不用取消。"]


def test_offer_is_stored_and_gets_matching_postings(bot):  # type: ignore[no-untyped-def]
    bot.say(POST, sender="boss")
    bot.say("保安公司招保安2名，月薪4000", sender="boss2")
    out = bot.say("谁家需要临时工?我这边有7个人,可以做到年底", sender="team")
    assert "已登记找活 #3（7人）" in out[0].text
    lines = out[0].text.split("\n")
    assert lines[1].startswith("#1 印刷厂 临时工")
    offer = bot.repo.posting(3)
    assert (offer.kind, offer.headcount, offer.job) == ("offer", 7, "临时工")


def test_query_lists_matching_open_postings_only(bot):  # type: ignore[no-untyped-def]
    bot.say(POST, sender="boss")
    bot.say("保安公司招保安2名，月薪4000，月结", sender="boss2")
    out = bot.texts("有没有日结的活?", sender="w")
    assert len(out) == 1 and "#1" in out[0] and "#2" not in out[0]
    out = bot.texts("北仑这边有招普工的吗", sender="w")
    assert out == ["暂时没有符合条件的岗位，有了会在群里说。"]


def test_lists_never_show_another_groups_postings(bot):  # type: ignore[no-untyped-def]
    bot.say(POST, sender="boss", group="一群")
    out = bot.texts("#列表", sender="w", group="二群")
    assert out == ["现在群里没有在招的岗位。"]
    assert bot.texts("报名 1", sender="w", group="二群") == ["没有找到 #1 号岗位，请核对编号。"]


def test_request_is_filed_with_deadline_and_not_repeated_in_group(bot):  # type: ignore[no-untyped-def]
    text = "老板拖欠我们三个月工资了，怎么办"
    out = bot.say(text, sender="w1")
    here = [r for r in out if r.group_name == "共享员工群"]
    assert len(here) == 1 and "R1" in here[0].text and "三个工作日内（3月6日" in here[0].text
    # The group hears the promise, not the grievance and not its tier ...
    assert not any(w in here[0].text for w in ("拖欠", "工资", "难事"))
    # ... the cadre group hears all of it.
    cadre = [r for r in out if r.group_name == "干部群"]
    assert len(cadre) == 1 and "老板拖欠我们三个月工资了" in cadre[0].text
    assert "难事" in cadre[0].text and "诉求人：w1（在共享员工群里说的）" in cadre[0].text
    r = bot.repo.request(1)
    assert (r.category, r.urgency, r.status, r.via) == ("劳动权益", "hard", "filed", "group")
    # Three working days: filed on Monday, due on Thursday at the same hour.
    assert (r.deadline - r.created_at).days == 3


def test_urgent_request_deadline_is_the_same_day(bot):  # type: ignore[no-untyped-def]
    bot.say("紧急！车间配电箱一直冒火花，大家都不敢上班", sender="w1")
    r = bot.repo.request(1)
    local = r.deadline.astimezone(bot.app.config.tz)
    assert r.urgency == "urgent" and (local.hour, local.minute) == (23, 59)
    assert local.date() == r.created_at.astimezone(bot.app.config.tz).date()


def test_direct_message_request_is_answered_privately(bot):  # type: ignore[no-untyped-def]
    out = bot.say("厂里一直没给我们交社保", sender="w1", group=None)
    assert out[0].group is None and out[0].to == "w1"
    assert [r.group_name for r in out[1:]] == ["干部群"] and "私信工会" in out[1].text
    assert bot.repo.request(1).via == "direct"


def test_cadre_dispatches_and_resolves_and_requester_is_told(bot):  # type: ignore[no-untyped-def]
    bot.say("文昌社区驿站的饮水机坏了好几天了", sender="w1")
    out = bot.say("#派单 R1 园区管委会", sender="wxid_cadre")
    assert [r.text for r in out] == ["R1 已派给园区管委会办理。",
                                     "你的诉求 R1 已派给园区管委会办理，有进展会告诉你。",
                                     "内容已私信发给你。"]
    # The requester hears privately; the group only that a message went to them.
    assert (out[1].to, out[1].group) == ("w1", None) and out[2].mentions == ("w1",)
    out = bot.say("#办结 R1 已换新饮水机", sender="wxid_cadre")
    assert "已办结：已换新饮水机" in out[1].text and out[1].to == "w1"
    r = bot.repo.request(1)
    assert r.status == "resolved" and r.department == "园区管委会"
    assert [e.status for e in bot.repo.request_events(1)] == ["filed", "dispatched", "resolved"]
    actions = [(a.action, a.allowed) for a in bot.repo.all(AuditLog)]
    assert actions == [("派单", True), ("办结", True)]


def test_non_cadre_cannot_close_or_dispatch_and_the_attempt_is_logged(bot):  # type: ignore[no-untyped-def]
    bot.say(POST, sender="boss")
    bot.say("饮水机坏了", sender="w1")
    # renamed to look like a cadre: permissions go by sender id, never by name
    for cmd, who in (("#关闭 1", "岗位发布人或工会干部"), ("#派单 R1 交通局", "工会干部"),
                     ("#办结 R1 好了", "工会干部")):
        out = bot.say(cmd, sender="w9", name="wxid_cadre")
        assert [r.text for r in out] == [f"“{cmd.split()[0]}”只有{who}才能用。"]
    assert bot.repo.posting(1).status == "open"
    assert bot.repo.request(1).status == "filed"
    log = bot.repo.all(AuditLog)
    assert [(a.action, a.allowed, a.actor_id) for a in log] == [
        ("关闭", False, "w9"), ("派单", False, "w9"), ("办结", False, "w9")]


def test_poster_may_close_their_own_posting(bot):  # type: ignore[no-untyped-def]
    bot.say(POST, sender="boss")
    assert bot.texts("#关闭 1", sender="boss") == ["#1 已关闭，不再接受报名。"]
    assert bot.repo.posting(1).status == "closed"
    assert bot.texts("报名 1", sender="w1") == ["#1 已关闭，不能报名了。"]


def test_commands_without_space_and_fullwidth_prefix(bot):  # type: ignore[no-untyped-def]
    bot.say(POST, sender="boss")
    assert "报名成功 #1" in bot.texts("#报名1", sender="w1")[0]
    assert "报名成功 #1" in bot.texts("＃报名 1 1", sender="w2")[0]
    assert bot.texts("/列表", sender="w3")[0].startswith("在招的岗位")


def test_unknown_command_suggests_the_nearest(bot):  # type: ignore[no-untyped-def]
    out = bot.texts("#报命 1", sender="w")
    assert out == ["没有“#报命”这个命令，你是不是想用“#报名”？发“#帮助”查看全部命令。"]


def test_missing_or_wrong_arguments_get_the_usage(bot):  # type: ignore[no-untyped-def]
    assert bot.texts("#报名", sender="w") == ["用法：#报名 编号 [人数]，如：#报名 12 3"]
    assert bot.texts("#报名 abc", sender="w") == ["用法：#报名 编号 [人数]，如：#报名 12 3"]
    assert bot.texts("#诉求", sender="w") == ["用法：#诉求 内容"]
    assert bot.texts("#办结 R1", sender="wxid_cadre") == ["用法：#办结 R编号 办理结果"]
    assert bot.texts("#关闭", sender="wxid_cadre") == ["用法：#关闭 编号"]


def test_help_lists_only_what_the_asker_may_use(bot):  # type: ignore[no-untyped-def]
    member = bot.texts("#帮助", sender="w")[0]
    cadre = bot.texts("#帮助", sender="wxid_cadre")[0]
    assert "#报名" in member and "#派单" not in member and "#办结" not in member
    assert "#派单" in cadre and "#办结" in cadre
    assert bot.texts("#帮助 派单", sender="w")[0].startswith("#派单：")


def test_mine_shows_postings_claims_and_requests(bot):  # type: ignore[no-untyped-def]
    bot.say(POST, sender="boss")
    bot.say("报名 1", sender="w1")
    bot.say("饮水机坏了", sender="w1")
    out = bot.say("#我的", sender="w1")
    # One's own requests are nobody else's business: the record goes privately, the group
    # hears only that it went.
    assert [(r.group_name, r.to) for r in out] == [(None, "w1"), ("共享员工群", None)]
    assert "我报名的" in out[0].text and "#1" in out[0].text and "R1" in out[0].text
    assert "R1" not in out[1].text and out[1].mentions == ("w1",)


def test_chit_chat_gets_silence(bot):  # type: ignore[no-untyped-def]
    for text in ("收到", "好的谢谢", "早上好", "[强][强]", "哈哈哈哈", "上次招的10个临时工都到岗了，谢谢大家"):
        assert bot.say(text, sender="w") == []
    assert bot.repo.count(Posting) == 0 and bot.repo.count(Request) == 0


def test_same_message_id_is_processed_once(bot):  # type: ignore[no-untyped-def]
    assert bot.say(POST, sender="boss", mid="dup")
    assert bot.say(POST, sender="boss", mid="dup") == []
    assert bot.repo.count(Posting) == 1 and bot.repo.count(Message) == 1


def test_bot_ignores_its_own_messages(bot):  # type: ignore[no-untyped-def]
    from bot.types import InboundMessage

    msg = InboundMessage(transport="memory", message_id="self1", chat_id="g", chat_name="g",
                         sender_id="bot", sender_name="小桥", text=POST, time=bot.clock.now(),
                         is_from_self=True)
    assert bot.app.handle(msg) == []
    assert bot.repo.count(Message) == 0


# -- bad input: a clear log line and nothing lost -------------------------------------------

def test_empty_text_is_archived_and_silent(bot, caplog):  # type: ignore[no-untyped-def]
    assert bot.say("", sender="w") == [] and bot.say(None, sender="w") == []
    assert bot.repo.count(Message) == 2
    assert "has no text" in caplog.text


def test_huge_message_is_archived_whole_and_parsed_in_part(bot, caplog):  # type: ignore[no-untyped-def]
    big = "我们厂需要5个包装工，" + "好" * 100_000
    out = bot.say(big, sender="boss")
    row = bot.repo.all(Message)[0]
    assert len(row.text) == len(big) and row.status == "done"
    assert "已登记招工 #1" in out[0].text
    assert "parsing the first 2000" in caplog.text


def test_control_and_zero_width_characters(bot):  # type: ignore[no-untyped-def]
    text = "\u200b我们印刷厂\u200d需要\x0710名\ufeff临时工"
    out = bot.say(text, sender="boss")
    assert "已登记招工 #1" in out[0].text and bot.repo.posting(1).headcount == 10
    assert bot.repo.all(Message)[0].text == text  # archived as received


def test_unknown_and_non_text_types_are_archived_not_answered(bot, caplog):  # type: ignore[no-untyped-def]
    assert bot.say(None, sender="w", type="image") == []
    assert bot.say("奇怪", sender="w", type="hologram") == []
    rows = bot.repo.all(Message)
    assert [r.type for r in rows] == ["image", "hologram"] and all(r.status == "skipped" for r in rows)
    assert "of type hologram archived" in caplog.text


def test_a_failing_command_apologises_and_a_failing_listener_is_silent(bot, monkeypatch):  # type: ignore[no-untyped-def]
    def boom(ctx):  # type: ignore[no-untyped-def]
        raise RuntimeError("boom")

    monkeypatch.setitem(bot.app.registry.listeners, "job_post", boom)
    assert bot.say(POST, sender="boss") == []
    row = bot.repo.all(Message)[-1]
    assert row.status == "failed" and "boom" in row.error
    cmd = bot.app.registry.get("列表")
    object.__setattr__(cmd, "handler", boom)
    try:
        out = bot.texts("#列表", sender="w")
    finally:
        from bot.handlers.jobs import cmd_list
        object.__setattr__(cmd, "handler", cmd_list)
    assert out == ["抱歉，刚才没处理好，请稍后再试，或联系工会干部。"]
    assert bot.repo.count(Posting) == 0


def test_a_failed_send_stays_in_the_outbox_and_goes_out_on_the_next_flush(bot):  # type: ignore[no-untyped-def]
    bot.transport.fail_sends = 1
    assert bot.say(POST, sender="boss") == []  # the send failed
    assert len(bot.repo.pending()) == 1
    assert bot.app.outbox.flush() == 1
    assert "已登记招工 #1" in bot.transport.sent[0].text
    assert bot.repo.pending() == []


def test_parse_result_is_archived_with_the_message(bot):  # type: ignore[no-untyped-def]
    bot.say(POST, sender="boss")
    parsed = json.loads(bot.repo.all(Message)[0].parse)
    assert parsed["intent"] == "job_post" and parsed["headcount"] == 3


def test_the_leak_check_itself_catches_an_unmasked_number():  # type: ignore[no-untyped-def]
    import pytest

    from tests.conftest import assert_no_phone_leak

    with pytest.raises(AssertionError):
        assert_no_phone_leak("群", "联系 138 1234 5678")
    with pytest.raises(AssertionError):
        assert_no_phone_leak("群", "电话0574-86123456")
    assert_no_phone_leak("群", "联系 138****5678")
    assert_no_phone_leak(None, "私信里可以有 13812345678")


def test_phones_typed_into_posts_and_requests_are_masked_in_the_group(bot):  # type: ignore[no-untyped-def]
    bot.say("招普工5名，联系王姐 139 5801 2233", sender="boss")
    bot.say("#修改 1 地点 北仑13900001111号", sender="boss")  # a number smuggled into a field
    out = bot.say("#列表", sender="w")  # Bot.say asserts no leak in every group reply
    assert "139****1111" in out[0].text


def test_without_direct_messages_the_poster_is_asked_to_get_in_touch(make_bot):  # type: ignore[no-untyped-def]
    bot = make_bot()
    bot.app.dispatcher.can_direct = False
    bot.say(POST, sender="boss")
    out = bot.say("报名 1", sender="w1")
    assert [r.to for r in out] == [None, None]
    assert out[1].mentions == ("boss",) and "请发布人尽快联系报名的人" in out[1].text


def test_a_dropped_database_connection_costs_no_message(pg_url, make_bot):  # type: ignore[no-untyped-def]
    """PostgreSQL restarted (here: the bot's backend terminated) between two messages: the
    next message is handled in full on a new connection, not archived as failed."""
    from sqlalchemy import text

    from storage import make_engine

    bot = make_bot(db=pg_url)
    admin = make_engine(pg_url)

    def drop_connection() -> int:
        pid = bot.repo.s.connection().execute(text("select pg_backend_pid()")).scalar()
        bot.repo.commit()
        with admin.begin() as c:
            assert c.execute(text("select pg_terminate_backend(:p)"), {"p": pid}).scalar()
        return pid

    assert "已登记招工 #1" in bot.texts(POST, sender="boss")[0]
    pid = drop_connection()
    # First on the dead connection: looking up a new member (an ORM query).
    out = bot.texts("报名 1", sender="w1")
    assert any("报名成功 #1" in t for t in out), out
    # Then the archive row of a known sender (a prepared statement, storage.prepared).
    assert drop_connection() != pid
    out = bot.texts("报名 1 2人", sender="w1")
    assert any("已更新报名 #1（2人）" in t for t in out), out
    admin.dispose()
    assert [m.status for m in bot.repo.all(Message)] == ["done", "done", "done"]


def test_a_direct_grievance_that_begins_like_a_command_is_filed(bot):  # type: ignore[no-untyped-def]
    """In a direct message a bare command word counts only standing alone: 我的工资… is a
    grievance, not #我的; 我的 and 报名 1 are still commands."""
    out = bot.say("我的工资被拖欠了两个月", sender="w1", group=None)
    assert [r.to for r in out if r.group is None] == ["w1"] and "R1" in out[0].text
    assert bot.repo.request(1).text == "我的工资被拖欠了两个月"
    assert bot.texts("我的", sender="w1", group=None)[0].startswith("我的诉求")
    assert bot.texts("帮助", sender="w1", group=None)[0].startswith("我是搭桥助手")
