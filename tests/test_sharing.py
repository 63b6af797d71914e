"""Sharing between member units (issue 28, 共享+): needs and offers of a resource (S-numbers),
attached by quote, number or context, confirmed by the asker or a cadre, closed when covered,
both sides put in touch privately; firm-to-firm pairings counted by #统计. Through the real
app (conftest `bot`): every group message it sends is checked for phone numbers there too."""

from __future__ import annotations

import json
import re
from datetime import datetime

from parsers import Parser
from storage.models import AuditLog, Share
from tests.conftest import TZ, phone_leaks
from tests.test_cli import daqiao

NEED = "今天我们训练基地接待了十几个团体，中午哪些兄弟单位能接待午餐？"
PHONE_LI = "13812345678"
PHONE_WANG = "13987654321"


def _group(replies):  # type: ignore[no-untyped-def]
    return [r.text for r in replies if r.group is not None and r.to is None]


def _private(replies, to):  # type: ignore[no-untyped-def]
    return [r.text for r in replies if r.to == to and r.group is None]


def test_the_weihai_lunch_exchange(bot) -> None:  # type: ignore[no-untyped-def]
    card = bot.say(NEED, sender="wx_wang", name="王主任")
    assert _group(card)[0].startswith("已登记共享需求 S1\n训练基地：午餐接待")
    li = _group(bot.say("我这还能接待3桌。", sender="wx_li", name="李经理"))
    assert li == ["S1 已记下：李经理能提供 3桌（已有 1 家回应）。"
                  "发布人确认后我会把双方联系方式私下发给双方。"]
    zhao = _group(bot.say("我这还有5桌空位，还带免费采摘。", sender="wx_zhao", name="赵老板"))
    assert "赵老板能提供 5桌（已有 2 家回应，共 8桌）" in zhao[0]
    offers = bot.repo.share_offers(1)
    assert [(o.poster_id, o.quantity_number, o.quantity_unit) for o in offers] == [
        ("wx_li", 3, "桌"), ("wx_zhao", 5, "桌")]
    # The asker (no cadre) confirms; the need has no quantity, so it stays open.
    out = bot.say("#确认 S1 李经理 3桌", sender="wx_wang", name="王主任")
    assert _group(out)[0].startswith("S1 已确认：李经理提供 3桌。已把双方的联系方式私下发给双方")
    assert _private(out, "wx_wang") and _private(out, "wx_li")
    assert bot.repo.share(1).status == "open"
    done = bot.say("够了，谢谢大家", sender="wx_wang", name="王主任")
    assert _group(done) == ["S1 已关闭，停止征集。由李经理提供。谢谢各位兄弟单位！"]
    assert _private(done, "wx_zhao") == ["共享需求 S1 已经够了，这次没用上，谢谢你们！下次有需要再麻烦。"]
    assert bot.repo.share(1).status == "closed"
    actions = [r.action for r in bot.repo.audit_log(5)]
    assert "确认共享" in actions and "关闭共享" in actions


def test_contacts_go_privately_and_never_to_the_group(bot) -> None:  # type: ignore[no-untyped-def]
    bot.say(f"明天需要两辆大巴，电话{PHONE_WANG}", sender="wx_wang", name="王主任")
    offer = bot.say(f"我们有两辆大巴周末空着，电话{PHONE_LI}", sender="wx_li", name="李经理")
    out = bot.say("#确认 S1 李经理 2辆", sender="wx_wang", name="王主任")
    everything = offer + out
    for r in everything:
        if r.group is not None:
            assert PHONE_LI not in r.text and PHONE_WANG not in r.text and not phone_leaks(r.text)
    assert PHONE_LI in _private(out, "wx_wang")[0]
    assert PHONE_WANG in _private(out, "wx_li")[0] and "王主任" in _private(out, "wx_li")[0]
    # 2辆 asked, 2辆 confirmed: covered, and said so.
    assert "S1 已经够了，停止征集" in _group(out)[0]
    assert bot.repo.share(1).status == "covered"


def test_only_the_asker_or_a_cadre_confirms(bot) -> None:  # type: ignore[no-untyped-def]
    bot.say("明天需要一辆大巴", sender="wx_wang", name="王主任")
    bot.say("我们有一辆大巴明天空着", sender="wx_li", name="李经理")
    refused = bot.texts("#确认 S1 李经理 1辆", sender="wx_other", name="路人")
    assert refused == ["“#确认 S1”只有需求发布人或工会干部才能用。"]
    row = bot.repo.audit_log(1)[0]
    assert (row.action, row.actor_id, row.allowed, row.target) == ("确认", "wx_other", False, "S1")
    assert bot.repo.share_confirmations(1) == []
    assert bot.texts("#关闭 S1", sender="wx_other", name="路人") == [
        "“#关闭 S1”只有需求发布人或工会干部才能用。"]
    ok = bot.texts("#确认 S1 李经理", sender="wxid_cadre", name="郑主席")
    assert ok[0].startswith("S1 已确认：李经理提供 1辆")


def test_an_offer_finds_its_need_by_number_quote_or_context(bot) -> None:  # type: ignore[no-untyped-def]
    t = datetime(2025, 3, 3, 9, 0, tzinfo=TZ)
    bot.say("中午哪些兄弟单位能接待午餐？", sender="wx_a", name="甲", at=t)
    bot.say("哪家单位中午能接待午餐？大概四桌", sender="wx_b", name="乙", at=t.replace(minute=5))
    # Two open needs of one resource: asked which, nothing recorded.
    ask = bot.texts("我这还能接待3桌", sender="wx_c", name="丙", at=t.replace(minute=10))
    assert ask[0].startswith("现在有几个共享需求：S1 午餐接待；S2 午餐接待 4桌。你回应的是哪一个？")
    assert bot.repo.count(Share, kind="offer") == 0
    # By number.
    by_number = bot.texts("S2 我这有3桌", sender="wx_c", name="丙", at=t.replace(minute=11))
    assert by_number[0].startswith("S2 已记下：丙能提供 3桌")
    # By quote of the card.
    quote = "「小桥：@甲 已登记共享需求 S1\n训练基地：午餐接待」\n- - - - - - - - - - - - - - -\n我们这里2桌"
    by_quote = bot.texts(quote, sender="wx_d", name="丁", at=t.replace(minute=12))
    assert by_quote[0].startswith("S1 已记下：丁能提供 2桌")
    assert [o.need_id for o in bot.repo.share_offers(1)] == [1]


def test_an_offer_alone_is_kept_quietly_for_a_later_need(bot) -> None:  # type: ignore[no-untyped-def]
    assert bot.say("我厂有两台叉车闲着，可以借给兄弟单位", sender="wx_li", name="李经理") == []
    assert bot.repo.count(Share, kind="offer") == 1
    card = bot.texts("急需一台叉车，用两天", sender="wx_wang", name="王主任")[0]
    assert "之前说过能提供的：李经理 2台" in card
    assert bot.repo.share_offers(2)[0].poster_id == "wx_li"


def test_look_alikes_stay_in_the_labour_flow(bot) -> None:  # type: ignore[no-untyped-def]
    assert "已登记招工" in bot.texts("工地需要3辆车的司机，一天300", sender="wx_boss")[0]
    bot.say("昨天接待了十几个团体", sender="wx_x")
    assert bot.repo.count(Share) == 0


def test_the_posting_confirm_is_unchanged(bot) -> None:  # type: ignore[no-untyped-def]
    bot.say("我们印刷厂需要3名临时工,一天200", sender="wx_boss", name="张老板")
    bot.say("报名 1", sender="wx_li", name="李四")
    assert bot.texts("#确认 1 李四 3天", sender="wx_boss", name="张老板") == [
        "#1 已确认调配1人：李四，各3天。"]
    assert bot.texts("#确认 1 李四", sender="wx_other", name="路人") == [
        "“#确认”只有岗位发布人或工会干部才能用。"]


def test_firm_pairs_in_the_stats(bot) -> None:  # type: ignore[no-untyped-def]
    bot.say("我们服装厂这个月订单少，有5个工人闲着，谁家要人可以借过去", sender="wx_sun", name="孙厂长")
    bot.say("我们食品厂急招包装工5名，一天200", sender="wx_zhou", name="周经理")
    bot.say("报名 2 5人", sender="wx_sun", name="孙厂长")
    bot.say("#确认 2 孙厂长", sender="wx_zhou", name="周经理")
    # A worker placed on the same kind of post is no firm pairing.
    bot.say("我们食品厂急招包装工2名，一天200", sender="wx_zhou", name="周经理")
    bot.say("报名 3", sender="wx_w", name="小王")
    bot.say("#确认 3 小王", sender="wx_zhou", name="周经理")
    stats = bot.texts("#统计", sender="wxid_cadre", name="郑主席")[0]
    assert stats.endswith("企业结对 1 对（借调职工 1 对）。")
    bot.say("明天需要一辆大巴", sender="wx_wang", name="王主任")
    bot.say("我们有一辆大巴明天空着", sender="wx_li", name="李经理")
    bot.say("#确认 S1 李经理", sender="wx_wang", name="王主任")
    stats = bot.texts("#统计", sender="wxid_cadre", name="郑主席")[0]
    assert stats.endswith("企业结对 2 对（借调职工 1 对，资源共享 1 对）。")
    lo = datetime(2025, 3, 1, tzinfo=TZ)
    hi = datetime(2025, 4, 1, tzinfo=TZ)
    assert bot.repo.firm_pairs(None, lo, hi) == {"lending": 1, "shares": 1, "pairs": 2}


def test_the_parser_reads_resource_and_quantity(rules_parser: Parser) -> None:
    p = rules_parser.parse("我这还能接待3桌。")
    assert (p.intent, p.resource, p.quantity, p.quantity_number, p.quantity_unit,
            p.headcount) == ("share_offer", "午餐接待", "3桌", 3, "桌", None)
    j = p.to_json()
    assert (j["intent"], j["share"], j["resource"], j["quantity"], j["headcount"]) == (
        "other", "offer", "午餐接待", "3桌", None)
    need = rules_parser.parse("明天需要一辆大巴").to_json()
    assert (need["intent"], need["share"], need["resource"], need["quantity"]) == (
        "other", "need", "大巴", "1辆")
    # Other messages carry none of the share keys.
    assert "share" not in rules_parser.parse("招叉车工3名，月薪6000").to_json()


def test_the_cli_reports_a_share_as_other_with_its_keys() -> None:
    lines = [json.dumps({"id": "x1", "text": "我这还能接待3桌"}, ensure_ascii=False),
             json.dumps({"id": "x2", "text": "谁家有会议室借用一下午"}, ensure_ascii=False)]
    run = daqiao("parse", "--jsonl", "--rules-only", stdin="\n".join(lines).encode())
    assert run.returncode == 0, run.stderr.decode()[-2000:]
    got = [json.loads(x) for x in run.stdout.decode().splitlines() if x.strip()]
    assert [(g["intent"], g["share"], g["resource"], g["quantity"]) for g in got] == [
        ("other", "offer", "午餐接待", "3桌"), ("other", "need", "会议室", None)]
    assert all(g["headcount"] is None for g in got)


def test_refusals_are_audited_once(bot) -> None:  # type: ignore[no-untyped-def]
    bot.say("明天需要一辆大巴", sender="wx_wang", name="王主任")
    before = bot.repo.count(AuditLog, allowed=False)
    bot.say("#关闭 S1", sender="wx_other", name="路人")
    assert bot.repo.count(AuditLog, allowed=False) == before + 1
    assert bot.texts("#关闭 S1", sender="wx_wang", name="王主任") == [
        "S1 已关闭，停止征集。谢谢各位兄弟单位！"]
    assert bot.texts("#关闭 S9", sender="wx_wang", name="王主任") == ["没有找到共享需求 S9。"]
    assert re.search(r"S1 已经不再征集", bot.texts("S1 我这有1辆", sender="wx_li")[0])


def test_the_allocation_workbook_counts_the_pairs(bot, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from openpyxl import load_workbook

    # (A placement first: the workbook of no placement at all fails on its own, before this.)
    bot.say("我们食品厂急招包装工1名，一天200", sender="wx_zhou", name="周经理")
    bot.say("报名 1", sender="wx_w", name="小王")
    bot.say("#确认 1 小王", sender="wx_zhou", name="周经理")
    bot.say("明天需要一辆大巴", sender="wx_wang", name="王主任")
    bot.say("我们有一辆大巴明天空着", sender="wx_li", name="李经理")
    bot.say("#确认 S1 李经理", sender="wx_wang", name="王主任")
    out = bot.say("#导出 调配", sender="wxid_cadre", name="郑主席")
    path = next(r.file for r in out if r.file)
    rows = list(load_workbook(path)["调配统计"].iter_rows(values_only=True))
    assert ("企业结对(对)", 1) in rows and ("其中资源共享(对)", 1) in rows
