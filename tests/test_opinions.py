"""Opinions on a draft (征求意见, issue 28): a cadre sends a draft to groups, members answer,
each opinion is confirmed privately and never echoed in a group, cadres see them with the
participation rate, record outcomes, and the results go to the groups anonymised."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

from openpyxl import load_workbook

from storage.models import AuditLog, Request
from tests.conftest import TZ

CONFIG = """
timezone: Asia/Shanghai
bot:
  name: 小桥
cadres: [wxid_cadre]
groups:
  - name: 干部群
    cadre_group: true
  - name: 一车间群
  - name: 二车间群
  - name: 三车间群
"""

DRAFT = "#征求意见 2025年职代会工作报告 3月5日18:00 群：一车间群、二车间群、三车间群\n" \
        "一、过去一年的工作\n二、今年的打算：食堂、宿舍、班车。"


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2025, 3, day, hour, minute, tzinfo=TZ)


def _bot(make_bot, **kw):  # type: ignore[no-untyped-def]
    bot = make_bot(config_yaml=CONFIG, **kw)
    # The groups and their members as the bot knows them: people who wrote there.
    for i, g in enumerate(("一车间群", "二车间群", "三车间群")):
        for j in range(3):
            bot.say("大家好", sender=f"w{i}{j}", name=f"职工{i}{j}", group=g,
                    at=at(3, 8, 10 * i + j))
    bot.say("早", sender="wxid_cadre", name="郑主席", group="干部群", at=at(3, 8, 50))
    return bot


def _open(bot):  # type: ignore[no-untyped-def]
    return bot.say(DRAFT, sender="wxid_cadre", name="郑主席", group="干部群", at=at(3, 9))


def _in_group(out, group):  # type: ignore[no-untyped-def]
    return [r.text for r in out if r.group_name == group]


def test_a_consultation_goes_to_each_group_named_with_how_to_answer(make_bot) -> None:  # type: ignore[no-untyped-def]
    bot = _bot(make_bot)
    out = _open(bot)
    for g in ("一车间群", "二车间群", "三车间群"):
        (post,) = _in_group(out, g)
        assert post.startswith("【征求意见 Y1】2025年职代会工作报告\n截止时间：3月5日 18:00")
        assert "食堂、宿舍、班车" in post and "引用这条消息" in post and "可署名" in post
        assert "只有工会知道" in post
    (ack,) = _in_group(out, "干部群")
    assert "Y1" in ack and "一车间群、二车间群、三车间群" in ack
    audit = bot.repo.all(AuditLog)
    assert any(a.action == "征求意见" and a.target == "Y1" for a in audit)


def test_wrong_groups_and_missing_parts_get_clear_answers(make_bot) -> None:  # type: ignore[no-untyped-def]
    bot = _bot(make_bot)
    no_groups = bot.texts("#征求意见 食堂管理办法\n草稿", sender="wxid_cadre", group="干部群",
                          at=at(3, 9))
    assert no_groups == ["请写明发到哪些群，例如：#征求意见 标题 3月10日 群：一车间群、二车间群"]
    unknown = bot.texts("#征求意见 食堂管理办法 群：一车间群、九车间群\n草稿",
                        sender="wxid_cadre", group="干部群", at=at(3, 9, 1))
    assert len(unknown) == 1 and "找不到这些群：九车间群" in unknown[0]
    assert "一车间群" in unknown[0]
    no_draft = bot.texts("#征求意见 食堂管理办法 群：一车间群", sender="wxid_cadre",
                         group="干部群", at=at(3, 9, 2))
    assert "内容" in no_draft[0]
    past = bot.texts("#征求意见 食堂管理办法 3月1日 群：一车间群\n草稿", sender="wxid_cadre",
                     group="干部群", at=at(3, 9, 3))
    assert "已经过了" in past[0]
    refused = bot.texts("#征求意见 食堂管理办法\n草稿", sender="w00", group="一车间群",
                        at=at(3, 9, 4))
    assert refused and "只有" in refused[0]
    # Typed in a workers' group it goes to that group, and the cadre hears privately.
    out = bot.say("#征求意见 食堂管理办法\n第一条", sender="wxid_cadre", name="郑主席",
                  group="一车间群", at=at(3, 9, 5))
    assert [r.group_name for r in out if r.group is not None] == ["一车间群"]
    assert any(r.to == "wxid_cadre" and "已发出征求意见 Y1" in r.text for r in out)


def test_opinions_are_collected_privately_and_never_become_requests(make_bot) -> None:  # type: ignore[no-untyped-def]
    bot = _bot(make_bot)
    _open(bot)
    post = "【征求意见 Y1】2025年职代会工作报告"
    quoted = f"「小桥：{post}」\n- - - - - - - - - - - - - - -\n希望班车多开一趟"
    cases = [
        (quoted, "w00", "一车间群"),
        ("意见：宿舍热水时间太短，我是职工11，电话13912345678", "w11", "二车间群"),
        ("建议食堂增加夜宵窗口，可署名", "w21", "三车间群"),
        ("我的意见是工资条写清楚", "w00", "一车间群"),  # a second opinion of the same person
    ]
    for n, (text, who, group) in enumerate(cases):
        out = bot.say(text, sender=who, name=f"职工{who[1:]}", group=group, at=at(3, 10, n))
        assert [r for r in out if r.group is not None] == []  # nothing said in the group
        (dm,) = out
        assert dm.to == who and f"第{n + 1}条" in dm.text and "只有工会知道" in dm.text
    out = bot.say("意见 Y1 班车站点希望加一个", sender="w02", name="职工02", group=None,
                  at=at(3, 11))
    assert len(out) == 1 and out[0].to == "w02" and "第5条" in out[0].text
    assert bot.repo.count(Request) == 0
    ops = bot.repo.opinions(1)
    assert [o.via for o in ops] == ["quote", "group", "group", "group", "direct"]
    assert ops[0].text == "希望班车多开一趟" and ops[1].text.startswith("宿舍热水")
    assert [o.named for o in ops] == [False, False, True, False, False]
    assert ops[2].text == "建议食堂增加夜宵窗口"
    assert ops[4].group_id is None and ops[4].text == "班车站点希望加一个"
    # Consent given afterwards, privately, names that author's opinions only.
    (ok,) = bot.texts("可署名", sender="w11", name="职工11", group=None, at=at(3, 12))
    assert ok == "好的，公布 Y1 的结果时，你的1条意见会写上你的名字。"
    assert [o.named for o in bot.repo.opinions(1)] == [False, True, True, False, False]
    # Someone with no opinion saying 可署名 is left to the rest of the bot.
    assert not any("公布" in t for t in bot.texts("可署名", sender="w12", group=None,
                                                  at=at(3, 12, 1)))


def test_outside_a_consultation_a_suggestion_stays_a_request(make_bot) -> None:  # type: ignore[no-untyped-def]
    bot = make_bot(config_yaml=CONFIG + "  - name: 四车间群\n")
    _open(bot)
    bot.say("建议厂里门口的路灯修一修，晚上太黑了", sender="w40", name="职工40",
            group="四车间群", at=at(3, 10))
    assert bot.repo.count(Request) == 1
    assert bot.repo.opinions(1) == []


def test_cadres_see_opinions_with_participation_and_answer_them(make_bot) -> None:  # type: ignore[no-untyped-def]
    bot = _bot(make_bot)
    _open(bot)
    bot.say("意见：宿舍热水时间太短", sender="w11", name="职工11", group="二车间群", at=at(3, 10))
    bot.say("建议食堂增加夜宵窗口 可署名", sender="w21", name="职工21", group="三车间群",
            at=at(3, 10, 5))
    bot.say("意见：班车多开一趟", sender="w21", name="职工21", group="三车间群", at=at(3, 10, 6))
    (view,) = bot.texts("#意见 Y1", sender="wxid_cadre", group="干部群", at=at(3, 11))
    assert "参与：2人提了意见，群里共9人，参与率22%" in view
    assert "1. 职工11（二车间群）：宿舍热水时间太短\n   → 待答复" in view
    assert "2. 职工21（三车间群，可署名）" in view
    # Asked for in a workers' group, it goes to the cadre privately.
    out = bot.say("#意见 Y1", sender="wxid_cadre", name="郑主席", group="一车间群",
                  at=at(3, 11, 1))
    assert [r.text for r in out if r.group is not None] == ["内容已私信发给你。"]
    assert any(r.to == "wxid_cadre" and "职工11" in r.text for r in out)
    (ok,) = bot.texts("#意见答复 Y1 第1条 已采纳 负责人 王科长 热水延长到晚上11点",
                      sender="wxid_cadre", group="干部群", at=at(3, 11, 2))
    assert ok.startswith("已记录：Y1 第1条 已采纳，负责人：王科长")
    assert bot.texts("#意见答复 Y1 第9条 已采纳 负责人 王科长", sender="wxid_cadre",
                     group="干部群", at=at(3, 11, 3)) == ["没有第9条意见：Y1 共3条意见，请核对。"]
    bad = bot.texts("#意见答复 Y1 第2条 同意 负责人 王科长", sender="wxid_cadre", group="干部群",
                    at=at(3, 11, 4))
    assert "“同意”不是处理结果" in bad[0] and "已采纳、部分采纳、暂不采纳、已解释" in bad[0]
    assert "负责人" in bot.texts("#意见答复 Y1 第2条 部分采纳", sender="wxid_cadre",
                               group="干部群", at=at(3, 11, 5))[0]
    assert "没有找到征求意见 Y7" in bot.texts("#意见答复 Y7 第1条 已采纳 负责人 王科长",
                                        sender="wxid_cadre", group="干部群", at=at(3, 11, 6))[0]
    op = bot.repo.opinion(1, 1)
    assert (op.outcome, op.owner, op.note) == ("已采纳", "王科长", "热水延长到晚上11点")
    assert any(a.action == "意见答复" and a.target == "Y1-1" for a in bot.repo.all(AuditLog))
    refused = bot.texts("#意见答复 Y1 第2条 已采纳 负责人 我", sender="w11", group=None,
                        at=at(3, 11, 7))
    assert refused and "只有" in refused[0]


def test_the_close_sends_anonymised_results_to_every_group(db_url, make_bot) -> None:  # type: ignore[no-untyped-def]
    bot = _bot(make_bot, db=db_url)  # SQLite and PostgreSQL
    _open(bot)
    bot.say("意见：我是职工11，宿舍热水时间太短，电话13912345678", sender="w11", name="职工11",
            group="二车间群", at=at(3, 10))
    bot.say("建议食堂增加夜宵窗口，可署名", sender="w21", name="职工21", group="三车间群",
            at=at(3, 10, 5))
    bot.say("#意见答复 Y1 第1条 已采纳 负责人 王科长", sender="wxid_cadre", group="干部群",
            at=at(3, 11))
    out = bot.say("#结束征求 Y1", sender="wxid_cadre", group="干部群", at=at(3, 12))
    for g in ("一车间群", "二车间群", "三车间群"):
        (res,) = _in_group(out, g)
        assert res.startswith("【征求意见 Y1 结果】2025年职代会工作报告")
        assert "1. 我是某职工，宿舍热水时间太短" in res and "结果：已采纳，负责人：王科长" in res
        assert "职工11" not in res and "13912345678" not in res and "1391234" not in res
        assert "电话（电话略）" in res and "****" not in res  # not even masked digits
        assert "2. 食堂增加夜宵窗口（职工21）\n   结果：待答复" in res or \
            "2. 建议食堂增加夜宵窗口（职工21）\n   结果：待答复" in res
        assert "2人提了意见，群里共9人，参与率22%" in res
    assert "已结束" in _in_group(out, "干部群")[0]
    # Closed: a late opinion is not taken, and its author hears so privately.
    late = bot.say("意见：还有一点", sender="w00", group="一车间群", at=at(3, 13))
    assert bot.repo.count(Request) == 1 or late == [] or all(r.group is None for r in late)
    assert len(bot.repo.opinions(1)) == 2


def test_the_deadline_closes_it_and_results_wait_for_working_hours(make_bot) -> None:  # type: ignore[no-untyped-def]
    bot = make_bot(config_yaml=CONFIG, simulated=True)
    bot.say("大家好", sender="w00", name="职工00", group="一车间群", at=at(3, 8))
    bot.say("#征求意见 食堂管理办法 3月3日22:00 群：一车间群\n第一条 …", sender="wxid_cadre",
            group="干部群", at=at(3, 9))
    bot.say("意见：饭菜少放盐", sender="w00", name="职工00", group="一车间群", at=at(3, 10))
    bot.say("大家早", sender="w00", name="职工00", group="一车间群", at=at(4, 9))
    sent = [r for r in bot.transport.sent if "结果】" in r.text]
    assert len(sent) == 1 and sent[0].group_name == "一车间群"
    assert sent[0].time is not None and sent[0].time.astimezone(TZ) >= at(4, 8)
    assert bot.repo.consultation(1).status == "closed"
    # After the deadline, 意见… in the group is no opinion any more.
    assert len(bot.repo.opinions(1)) == 1


def test_the_opinions_export_to_xlsx(make_bot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    bot = _bot(make_bot)
    _open(bot)
    bot.say("意见：宿舍热水时间太短，电话13912345678", sender="w11", name="钱七",
            group="二车间群", at=at(3, 10))
    bot.say("建议食堂增加夜宵窗口，可署名", sender="w21", name="孙八", group="三车间群",
            at=at(3, 10, 5))
    bot.say("#意见答复 Y1 第2条 部分采纳 负责人 后勤科 先试行一个月", sender="wxid_cadre",
            group="干部群", at=at(3, 11))
    out = bot.say("#导出 意见", sender="wxid_cadre", group="干部群", at=at(3, 12))
    (reply,) = out
    assert reply.file and "意见台账" in reply.text
    wb = load_workbook(reply.file)
    rows = list(wb["意见台账"].iter_rows(values_only=True))
    assert rows[0][:8] == ("编号", "序号", "提出时间", "群", "提出人", "可署名", "意见内容",
                           "处理结果")
    assert rows[1][:6] == ("Y1", 1, "2025-03-03 10:00", "二车间群", "钱*", "否")
    assert "13912345678" not in rows[1][6] and rows[1][7] == "待答复"
    assert rows[2][4] == "孙八" and rows[2][7:10] == ("部分采纳", "后勤科", "先试行一个月")
    summary = list(wb["征求意见"].iter_rows(values_only=True))
    assert summary[1][0] == "Y1" and summary[1][6:] == (2, 2, 9, "22%")
    assert timedelta(0) is not None


SCENARIOS = Path(__file__).parent / "data" / "scenarios"


def test_the_scenario_shows_no_unconsenting_author_in_a_workers_group() -> None:
    import json

    said = [json.loads(x) for x in (SCENARIOS / "opinions_draft.jsonl").read_text(
        encoding="utf-8").splitlines() if x.strip()]
    out = [json.loads(x) for x in (SCENARIOS / "opinions_draft.expected.jsonl").read_text(
        encoding="utf-8").splitlines() if x.strip()]
    workers = {"一车间群", "二车间群", "三车间群"}
    in_groups = [x["text"] for x in out if x["group"] in workers]
    # The draft to each of the three groups, then the results to each, nothing else.
    assert sum(t.startswith("【征求意见 Y1】") for t in in_groups) == 3
    results = [t for t in in_groups if t.startswith("【征求意见 Y1 结果】")]
    assert len(results) == 3 and len(in_groups) == 6
    unconsenting = {"张三", "钱七", "孙八", "李四"}
    for t in in_groups:
        assert not any(n in t for n in unconsenting), t
        assert "13857412345" not in t
    assert "（周九）" in results[0] and "待答复" in results[0]
    assert "结果：已采纳，负责人：后勤科李科长" in results[0]
    # Every opinion was confirmed to its author privately, right away.
    authors = {x["id"]: x["sender_id"] for x in said if x["id"] in ("o12", "o13", "o14",
                                                                    "o15", "o17")}
    for mid, who in authors.items():
        (dm,) = [x for x in out if x.get("reply_to") == mid]
        assert dm["group"] is None and dm["to"] == who and "收到你对 Y1" in dm["text"]
    # The ordinary suggestion in the fourth group stayed a request.
    assert any(x["group"] == "四车间群" and "编号 R1" in x["text"] for x in out)
    # The results waited for working hours: the deadline was 18:00, after hours.
    assert all(x["time"].startswith("2025-03-06T08:30") for x in out
               if x["text"].startswith("【征求意见 Y1 结果】"))


def test_a_long_draft_is_posted_in_part(make_bot) -> None:  # type: ignore[no-untyped-def]
    bot = _bot(make_bot)
    draft = "第一条 " + "职工食堂每天供应早中晚三餐，" * 60
    out = bot.say(f"#征求意见 食堂管理办法 群：一车间群\n{draft}", sender="wxid_cadre",
                  group="干部群", at=at(3, 9))
    (post,) = _in_group(out, "一车间群")
    assert f"全文共{len(draft)}字，这里只发了前一部分" in post and len(post) < 1000
    assert bot.repo.consultation(1).text == draft  # kept whole


def test_replay_reads_a_draft_from_a_file(tmp_path: Path) -> None:
    import json

    from tests.test_cli import daqiao, lines

    (tmp_path / "draft.txt").write_text("第一条 班车每天早上7点发车。\n第二条 迟到不扣钱。",
                                        encoding="utf-8")
    cfg = tmp_path / "config.yaml"
    cfg.write_text(CONFIG, encoding="utf-8")
    said = [
        {"id": "a", "time": "2025-03-03T09:00:00+08:00", "group": "一车间群", "sender": "张三",
         "sender_id": "wx_zhang", "text": "早"},
        {"id": "b", "time": "2025-03-03T09:30:00+08:00", "group": None, "sender": "郑主席",
         "sender_id": "wxid_cadre", "text": "#征求意见 班车管理办法 群：一车间群\n"
                                            f"{tmp_path / 'draft.txt'}"},
        {"id": "c", "time": "2025-03-03T09:40:00+08:00", "group": None, "sender": "郑主席",
         "sender_id": "wxid_cadre", "text": "#征求意见 班车管理办法 群：一车间群\n"
                                            f"{tmp_path / 'missing.txt'}"},
    ]
    src = tmp_path / "in.jsonl"
    src.write_text("".join(json.dumps(x, ensure_ascii=False) + "\n" for x in said),
                   encoding="utf-8")
    run = daqiao("replay", str(src), "--config", str(cfg), "--db",
                 f"sqlite:///{tmp_path / 'd.db'}", cwd=tmp_path)
    assert run.returncode == 0, run.stderr.decode()[-2000:]
    out = lines(run.stdout)
    (post,) = [x["text"] for x in out if x["group"] == "一车间群"]
    assert "第二条 迟到不扣钱。" in post and "draft.txt" not in post
    assert any(x["to"] == "wxid_cadre" and "读不了文件" in x["text"] for x in out)


def test_a_private_opinion_with_nothing_to_go_to_is_what_it_was_before(make_bot) -> None:  # type: ignore[no-untyped-def]
    bot = _bot(make_bot)
    # No consultation: 意见：… typed privately is still a request (the parser's reading).
    out = bot.texts("意见：食堂的菜太咸了，希望改一改", sender="w00", name="职工00", group=None,
                    at=at(3, 9))
    assert bot.repo.count(Request) == 1 and any("R1" in t for t in out)
    _open(bot)
    # With one open where they are, the same words are an opinion.
    out = bot.texts("意见：食堂的菜太咸了", sender="w00", name="职工00", group=None,
                    at=at(3, 10))
    assert bot.repo.count(Request) == 1 and "第1条" in out[0]
    assert bot.texts("#意见 Y1", sender="w10", group="二车间群", at=at(3, 10, 1)) == \
        ["请把意见写在编号后面，例如：意见 Y1 你的意见"]
    assert bot.texts("#征求意见 安全制度 3月32日 群：一车间群\n第一条", sender="wxid_cadre",
                     group="干部群", at=at(3, 10, 2))[0].startswith("截止时间没看懂")
