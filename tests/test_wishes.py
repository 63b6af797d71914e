"""The wish wall (issue 28, 衢州 心愿墙): wishes are filed as wishes (not requests with
deadlines), grouped into lines of the needs list, shown on #心愿墙, answered with #供给 (every
wisher told privately) and exported to xlsx. Nobody in a workers' group hears who wished what.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path

import pytest
from openpyxl import load_workbook

from bot.app import build_app
from bot.clock import ManualClock
from bot.config import load_config
from bot.handlers.wishes import is_wish, topic_of
from bot.transports.memory import MemoryTransport
from scheduler import reports
from storage.models import AuditLog, Request, Wish, WishLine
from tests.conftest import CONFIG_YAML, TZ, Bot
from tests.test_cli import daqiao

CADRE = "wxid_cadre"  # the test config's cadre (tests/conftest.py)
SCENARIOS = Path(__file__).parent / "data" / "scenarios"


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2025, 3, day, hour, minute, tzinfo=TZ)


# -- what is a wish ---------------------------------------------------------------------------
# Wishes: a training, a service, an activity the union could offer, in a worker's words.
WISHES = [
    "希望工会组织叉车证培训",
    "想学叉车，有没有培训",
    "我想学电焊",
    "能不能办个暑期托管班，孩子放假没人看",
    "要是能有冬季护手霜发就好了",  # the parser reads nothing here: a wish all the same
    "冬天手都冻裂了，希望工会发点护手霜",
    "希望工会多组织点户外工人冬天护手的培训",
    "要是能学个电工证就好了",
    "想考个电工证，工会能不能组织一下",
    "有没有叉车培训",
    "孩子暑假没人带，工会能不能组织个托管班",
    "希望组织一次免费体检",
    "希望多组织点周末的文体活动",
    "能不能搞个普通话培训，很多老乡听不懂",
    "希望工会办个联谊会，厂里单身的多",
    "建议工会多组织技能培训",
    "想参加电工证培训",
    "期待工会组织一次法律讲座",
    "希望能开个电商直播的培训班",
    "外卖小哥冬天没地方歇脚，希望多建几个驿站休息点",
    "希望冬天给户外的兄弟们发点防冻的东西",
    "希望工会多提供点工作机会",
    "想学电脑，工会能不能开个班",
    "能不能开个月嫂培训班",
    "盼望工会组织个运动会",
    "孩子放学没人接，能不能办个四点半课堂",
    "求组织个焊工证培训",
    "希望工会请老师来讲讲心理健康",
    "想报个厨师培训班",
    "我们好几个人想考叉车证，工会能不能组织",
]
# Look-alikes: worded as wishes, but something is wrong, or an answer is wanted now, or the
# parser reads a danger, a right or transport: requests, with their deadlines.
REQUESTS = [
    "车间的叉车坏了三天了，希望尽快修",
    "希望工会帮忙讨要拖欠的工资",
    "希望老板把上个月的工资发了",
    "叉车证培训费被扣了，希望退给我们",
    "培训的时候受伤了，希望工会帮忙",
    "希望公司给我们交社保",
    "想学叉车但是厂里不让，希望工会管管",
    "培训班的老师骂人，希望换一个",
    "希望能安排安全培训，工地上太危险了",
    "托管班收费不退，希望工会帮忙",
    "希望厂里装个空调，太热了",
    "宿舍热水器坏了，希望尽快修一下",
    "希望食堂饭菜能便宜点",
    "上下班没有公交，能不能开个班车",
    "希望下个月能多排几个班",
    "希望少加班",
    "想考个电工证，不知道去哪报名",
    "想报个会计的夜校，工会有补贴吗",
    "夜校什么时候开课？我想报个会计班",
    "我的意见是：希望多办电工证培训",
    "工地上没有防护栏很危险，希望工会管一管",
    "老板拖欠三个月工资了，能不能帮忙",
    "希望工会给我报销培训费",
    "体检的时候被多收了钱，希望退钱",
    "合同到期不续签，希望工会能组织协调",
    "叉车没有年检，开着不安全，希望查一查",
    "宿舍太冷，希望装暖气",
    "园区班车能不能晚上多开一班",
    "能不能给我们发点防冻手套",  # the parser reads a safety matter: it stays a request
    "培训班的空调坏了，希望修一下",
]


def test_the_table_has_both_sides() -> None:
    assert len(WISHES) >= 30 and len(REQUESTS) >= 30
    assert not set(WISHES) & set(REQUESTS)


def test_wishes_are_filed_as_wishes_and_look_alikes_stay_requests(bot) -> None:  # type: ignore[no-untyped-def]
    wrong = []
    for i, text in enumerate(WISHES + REQUESTS):
        out = bot.say(text, sender=f"w{i}", name=f"工人{i}", at=at(3, 9, 0) + (i + 1) * (at(3, 9, 1) - at(3, 9)))
        as_wish = any(r.to == f"w{i}" and "心愿已记下" in r.text for r in out)
        as_request = any("编号 R" in r.text for r in out)
        if (text in WISHES) != as_wish or as_wish == as_request:
            wrong.append((text, [r.text for r in out]))
    assert wrong == []
    assert bot.repo.count(Wish) == len(WISHES)
    assert bot.repo.count(Request) == len(REQUESTS)


def test_the_words_are_data_and_decide_without_the_bot(parser) -> None:  # type: ignore[no-untyped-def]
    for text in WISHES:
        p = parser.parse(text)
        assert is_wish(text, p.category, p.urgency, p.intent), text
    assert topic_of("想学叉车") == "叉车证培训"
    assert topic_of("孩子暑假没人带") == "暑期托管"
    assert topic_of("手冻裂了") == "冬季护手/防冻"
    assert topic_of("想学插花") is None


# -- filing and grouping ----------------------------------------------------------------------
TEN = [  # (sender, name, group or None for privately, text): three lines
    ("z3", "张三", "共享员工群", "希望工会组织叉车证培训，想考个证"),
    ("l4", "李四", "共享员工群", "想学叉车，有没有培训"),
    ("w5", "王五", None, "我们好几个人想考叉车证，工会能不能组织"),
    ("z6", "赵六", "快递小哥群", "要是能学开叉车就好了"),
    ("s7", "孙七", "共享员工群", "孩子暑假没人带，工会能不能组织个托管班"),
    ("z8", "周八", None, "能不能办个暑期托管班，孩子放假没人看"),
    ("w9", "吴九", "共享员工群", "#心愿 暑假想给孩子找个托管的地方"),
    ("z10", "郑十", "快递小哥群", "冬天手都冻裂了，希望工会发点护手霜"),
    ("f11", "冯师傅", None, "要是能有冬季护手霜发就好了"),
    ("c12", "陈师傅", "快递小哥群", "希望工会多组织点户外工人冬天护手的培训"),
]
NAMES = {name for _, name, _, _ in TEN}


def _ten(bot) -> list:  # type: ignore[no-untyped-def]
    out = []
    for k, (sender, name, group, text) in enumerate(TEN):
        out += bot.say(text, sender=sender, name=name, group=group, at=at(3, 9, k))
    return out


def test_ten_wishes_make_three_lines_and_the_groups_hear_nothing(bot) -> None:  # type: ignore[no-untyped-def]
    out = _ten(bot)
    assert [r for r in out if r.group is not None] == []  # no note, no name, no echo
    acks = {r.to: r.text for r in out}
    assert set(acks) == {s for s, *_ in TEN}
    assert "W1 叉车证培训，你是第一个提的" in acks["z3"]
    assert "W1 叉车证培训，已有4人想要" in acks["z6"]
    assert "W2 暑期托管，已有3人想要" in acks["w9"]
    assert "W3 冬季护手/防冻，已有3人想要" in acks["c12"]
    wall = bot.repo.wish_wall()
    assert [(ln.number, ln.topic, ln.people, ln.wishes) for ln in wall] == [
        (1, "叉车证培训", 4, 4), (2, "暑期托管", 3, 3), (3, "冬季护手/防冻", 3, 3)]
    assert bot.repo.count(Request) == 0 and bot.repo.count(WishLine) == 3


def test_a_second_wish_of_the_same_person_counts_once(bot) -> None:  # type: ignore[no-untyped-def]
    bot.say("希望工会组织叉车证培训", sender="z3", at=at(3, 9))
    out = bot.texts("想学叉车，有没有培训", sender="z3", at=at(3, 10))
    assert "之前已经记下了（W1 叉车证培训，你是第一个提的）" in out[0]
    (line,) = bot.repo.wish_wall()
    assert (line.people, line.wishes) == (1, 2)


def test_a_wish_without_a_topic_word_joins_a_line_that_reads_like_it(bot) -> None:  # type: ignore[no-untyped-def]
    bot.say("希望工会组织插花培训", sender="a1", at=at(3, 9))
    bot.say("想学插花，能不能办个插花培训班", sender="a2", at=at(3, 9, 5))
    bot.say("希望工会组织一次摄影讲座", sender="a3", at=at(3, 9, 10))
    wall = bot.repo.wish_wall()
    assert [(ln.topic, ln.people) for ln in wall] == [("插花培训", 2), ("摄影讲座", 1)]


def test_the_wish_command_takes_any_wording_and_refuses_a_grievance(bot) -> None:  # type: ignore[no-untyped-def]
    out = bot.say("#心愿 周末能有个羽毛球场地打打球", sender="a1", at=at(3, 9))
    assert out[0].to == "a1" and "心愿已记下（W1" in out[0].text
    out = bot.texts("#心愿 老板拖欠工资", sender="a2", at=at(3, 9, 5))
    assert out == ["这听起来是要解决的问题，不只是心愿。请发“#诉求 内容”登记，工会会按时限办理。"]
    assert bot.repo.count(Wish) == 1
    assert bot.texts("#心愿", sender="a2", at=at(3, 9, 6))[0].startswith("用法：")


# -- the wall ---------------------------------------------------------------------------------
def test_the_wall_shows_topics_and_counts_and_names_only_to_cadres(bot) -> None:  # type: ignore[no-untyped-def]
    _ten(bot)
    (wall,) = bot.say("#心愿墙", sender="x", name="蒋师傅", at=at(3, 10))
    assert wall.group is not None
    assert "W1 叉车证培训 · 4人想要" in wall.text and "W3 冬季护手/防冻 · 3人想要" in wall.text
    assert not any(n in wall.text for n in NAMES)
    assert bot.texts("#心愿墙 详细", sender="x", at=at(3, 10, 1)) == [
        "“#心愿墙 详细”只有工会干部才能用。"]
    # A cadre asking in a workers' group gets the names privately; the group a note.
    out = bot.say("#心愿墙 详细", sender=CADRE, at=at(3, 10, 2))
    private = [r for r in out if r.group is None]
    assert [r.to for r in private] == [CADRE]
    assert all(n in private[0].text for n in NAMES)
    assert "我们好几个人想考叉车证" in private[0].text
    assert all(not any(n in r.text for n in NAMES) for r in out if r.group is not None)
    # In the cadre group it is said there.
    (there,) = bot.say("#心愿墙 详细", sender=CADRE, group="干部群", at=at(3, 10, 3))
    assert there.group_name == "干部群" and "张三" in there.text


def test_an_empty_wall_says_how_to_wish(bot) -> None:  # type: ignore[no-untyped-def]
    assert "心愿墙还是空的" in bot.texts("#心愿墙", sender="x", at=at(3, 9))[0]


# -- the supply -------------------------------------------------------------------------------
SUPPLY = "#供给 W1 3月20日 叉车证培训，地点：市职工服务中心三楼，带身份证"


def test_a_supply_tells_every_wisher_once_privately_and_is_audited(bot) -> None:  # type: ignore[no-untyped-def]
    _ten(bot)
    bot.say("想学叉车，有没有培训", sender="z3", name="张三", at=at(3, 9, 30))  # twice: told once
    out = bot.say(SUPPLY, sender=CADRE, group="干部群", at=at(3, 11))
    assert "W1 叉车证培训：供给已记下" in out[0].text and "已私信告诉4位许愿的人" in out[0].text
    private = [r for r in out if r.group is None]
    assert sorted(r.to for r in private) == ["l4", "w5", "z3", "z6"]
    assert all("市职工服务中心三楼" in r.text and "W1 叉车证培训" in r.text for r in private)
    assert [r for r in out if r.group is not None and r.group_name != "干部群"] == []
    line = bot.repo.wish_line(1)
    assert (line.status, line.supply_date, line.supplied_by) == ("answered", date(2025, 3, 20),
                                                                 CADRE)
    assert all(w.told_at is not None for w in bot.repo.wishes_of(1))
    (audit,) = [a for a in bot.repo.all(AuditLog) if a.action == "供给"]
    assert audit.target == "W1" and json.loads(audit.after)["told"] == 4
    # The wall shows it answered; a later wisher hears the supply at once.
    assert "W1 叉车证培训 · 4人想要 · 已安排（3月20日）" in bot.texts("#心愿墙", sender="x", at=at(3, 12))[0]
    (ack,) = bot.say("希望组织叉车证培训", sender="late", at=at(3, 13))
    assert ack.to == "late" and "已经有安排了：3月20日 叉车证培训" in ack.text


def test_a_supply_for_a_wrong_number_or_without_text_is_refused(bot) -> None:  # type: ignore[no-untyped-def]
    _ten(bot)
    assert bot.texts("#供给 W9 3月20日 培训", sender=CADRE, group="干部群", at=at(3, 11)) == [
        "没有找到心愿 W9，请核对编号（发“#心愿墙”看全部）。"]
    assert bot.texts("#供给 W1", sender=CADRE, group="干部群", at=at(3, 11, 1))[0].startswith("用法：")
    assert "只有" in bot.texts(SUPPLY, sender="z3", at=at(3, 11, 2))[0]
    assert bot.repo.wish_line(1).status == "open"


def _bot_without_direct(tmp_path: Path, parser) -> Bot:  # type: ignore[no-untyped-def]
    cfg_path = tmp_path / "nodm.yaml"
    cfg_path.write_text(CONFIG_YAML + f"\nexports_dir: {tmp_path / 'exports'}\n", encoding="utf-8")
    cfg = load_config(cfg_path, db=f"sqlite:///{tmp_path / 'nodm.db'}")
    clock = ManualClock(at(3, 9))
    transport = MemoryTransport(can_direct=False)
    return Bot(build_app(cfg, transport, clock=clock, parser=parser), transport, clock)


def test_without_private_messages_the_group_hears_who_but_never_what(tmp_path, parser) -> None:  # type: ignore[no-untyped-def]
    bot = _bot_without_direct(tmp_path, parser)
    try:
        (ack,) = bot.say("希望工会组织叉车证培训", sender="z3", name="张三", at=at(3, 9))
        assert ack.group is not None and ack.mentions == ("z3",)
        assert ack.text == "你的心愿已记下，工会有了安排会告诉你。"
        bot.say("想学叉车，有没有培训", sender="l4", name="李四", at=at(3, 9, 5))
        out = bot.say(SUPPLY, sender=CADRE, group="干部群", at=at(3, 11))
        told = [r for r in out if r.group_name == "共享员工群"]
        assert len(told) == 1 and set(told[0].mentions) == {"z3", "l4"}
        assert "叉车" not in told[0].text and "#心愿墙" in told[0].text
        assert "2位在群里@了" in out[0].text
    finally:
        bot.app.close()


# -- the ledger and the figures ---------------------------------------------------------------
def test_the_needs_and_supply_list_exports_to_xlsx(bot, tmp_path) -> None:  # type: ignore[no-untyped-def]
    _ten(bot)
    bot.say(SUPPLY, sender=CADRE, group="干部群", at=at(3, 11))
    bot.say("希望工会组织一次免费体检", sender="q1", at=datetime(2025, 4, 2, 9, tzinfo=TZ))
    out = bot.say("#导出 心愿", sender=CADRE, group="干部群", at=datetime(2025, 4, 2, 10, tzinfo=TZ))
    (reply,) = [r for r in out if r.file]
    assert "心愿台账已导出（4条）" in reply.text
    wb = load_workbook(reply.file)
    assert wb.sheetnames == ["需求清单", "供给清单", "按月汇总"]
    needs = list(wb["需求清单"].iter_rows(values_only=True))
    assert needs[0][:4] == ("编号", "心愿", "人数", "心愿条数")
    assert [(r[0], r[1], r[2], r[8]) for r in needs[1:]] == [
        ("W1", "叉车证培训", 4, "已安排"), ("W2", "暑期托管", 3, "待安排"),
        ("W3", "冬季护手/防冻", 3, "待安排"), ("W4", "健康体检", 1, "待安排")]
    assert needs[1][4] == "2025-03-03 09:00" and needs[1][5] == "2025-03-03 09:03"
    assert needs[1][6] == "2025-03-20" and "市职工服务中心三楼" in needs[1][7]
    supply = list(wb["供给清单"].iter_rows(values_only=True))
    assert [r[:4] for r in supply[1:]] == [("W1", "叉车证培训", 4, "2025-03-20")]
    monthly = list(wb["按月汇总"].iter_rows(values_only=True))
    assert monthly[1:] == [("2025-03", 10, 10, 3, 1, 2), ("2025-04", 1, 1, 1, 0, 3)]
    cells = [str(v) for ws in wb.worksheets for row in ws.iter_rows(values_only=True)
             for v in row if v is not None]
    assert not any(n in c for c in cells for n in NAMES)  # the ledger travels: no names
    # The same figures as the wall (one storage function).
    assert [(ln.number, ln.people) for ln in bot.repo.wish_wall()] == [
        (r[0] and int(r[0][1:]), r[2]) for r in needs[1:]]


def test_the_weekly_figures_count_the_wishes(bot) -> None:  # type: ignore[no-untyped-def]
    _ten(bot)
    bot.say(SUPPLY, sender=CADRE, group="干部群", at=at(4, 11))
    w = reports.weekly(bot.repo, TZ, date(2025, 3, 3), at(10, 9))
    assert w.wishes is not None
    assert (w.wishes.wishes, w.wishes.people, w.wishes.opened, w.wishes.answered,
            w.wishes.waiting) == (10, 10, 3, 1, 2)


# -- the scenario -----------------------------------------------------------------------------
def test_the_scenario_never_names_a_wisher_in_a_workers_group() -> None:
    inputs = [json.loads(x) for x in (SCENARIOS / "wishes_wall.jsonl").read_text().splitlines()]
    outputs = [json.loads(x) for x in
               (SCENARIOS / "wishes_wall.expected.jsonl").read_text().splitlines()]
    wishers = {m["sender"] for m in inputs if m["id"].startswith("w")}
    assert len(wishers) == 10
    workers = [o for o in outputs if o["group"] not in (None, "工会干部群")]
    assert workers and not any(n in o["text"] for o in workers for n in wishers)
    wall = [o["text"] for o in outputs if o["text"].startswith("【心愿墙】")]
    assert "W1 叉车证培训 · 4人想要" in wall[0] and "W3 冬季护手/防冻 · 3人想要" in wall[0]
    told = [o for o in outputs if o["group"] is None and "有回音了" in o["text"]]
    assert sorted(o["to"] for o in told) == ["wx_lisi", "wx_wangwu", "wx_zhangsan",
                                             "wx_zhaoliu"]
    assert any("编号 R1" in o["text"] for o in outputs)  # the broken forklift stays a request


@pytest.mark.parametrize("text", ["#心愿墙 全部名单", "#心愿墙 张三"])
def test_the_wall_takes_no_other_words(bot, text) -> None:  # type: ignore[no-untyped-def]
    assert bot.texts(text, sender="x", at=at(3, 9))[0].startswith("用法：")


# -- one person's data ------------------------------------------------------------------------
def test_a_wishers_data_is_handed_over_and_erased_with_the_count_kept(bot) -> None:  # type: ignore[no-untyped-def]
    _ten(bot)
    data = bot.repo.person_data("z3")
    assert [(w["line"], w["topic"], w["text"]) for w in data["wishes"]] == [
        ("W1", "叉车证培训", "希望工会组织叉车证培训，想考个证")]
    counts = bot.repo.erase_person("z3", now=at(3, 12))
    bot.repo.commit()
    assert counts["wishes"] == 1
    assert not bot.repo.stored_under("z3")
    wishes = bot.repo.wishes_of(1)
    assert all(w.wisher_id != "z3" and "张三" not in w.wisher_name for w in wishes)
    assert not any("想考个证" in w.text for w in wishes)
    assert [(ln.number, ln.people) for ln in bot.repo.wish_wall()][0] == (1, 4)
    # An erased wisher is no longer told of the supply.
    out = bot.say(SUPPLY, sender=CADRE, group="干部群", at=at(3, 13))
    assert sorted(r.to for r in out if r.group is None) == ["l4", "w5", "z6"]


def test_the_scenario_exports_from_the_command_line(tmp_path) -> None:  # type: ignore[no-untyped-def]
    cfg = tmp_path / "config.yaml"
    cfg.write_text((SCENARIOS / "wishes_wall.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    url = f"sqlite:///{tmp_path / 'd.db'}"
    common = ["--config", str(cfg), "--db", url]
    assert daqiao("replay", str(SCENARIOS / "wishes_wall.jsonl"), *common,
                  cwd=tmp_path).returncode == 0
    run = daqiao("export", "wishes", *common, "--xlsx", str(tmp_path / "w.xlsx"), cwd=tmp_path)
    assert run.returncode == 0, run.stderr.decode()[-2000:]
    wb = load_workbook(tmp_path / "w.xlsx")
    rows = list(wb["需求清单"].iter_rows(values_only=True))[1:]
    assert [(r[0], r[1], r[2], r[8]) for r in rows] == [
        ("W1", "叉车证培训", 4, "已安排"), ("W2", "暑期托管", 3, "待安排"),
        ("W3", "冬季护手/防冻", 3, "待安排")]
    assert list(wb["按月汇总"].iter_rows(values_only=True))[1:] == [("2026-12", 10, 10, 3, 1, 2)]


def test_a_wish_after_the_supply_was_held_opens_a_new_line(bot) -> None:  # type: ignore[no-untyped-def]
    bot.say("希望工会组织叉车证培训", sender="z3", at=at(3, 9))
    bot.say(SUPPLY, sender=CADRE, group="干部群", at=at(3, 11))
    (ack,) = bot.say("想学叉车，有没有培训", sender="l4", at=datetime(2025, 4, 1, 9, tzinfo=TZ))
    assert "W2 叉车证培训，你是第一个提的" in ack.text
    assert [(ln.number, ln.status) for ln in bot.repo.wish_wall()] == [(1, "answered"),
                                                                       (2, "open")]


def test_the_wall_works_the_same_on_both_databases(db_url, make_bot) -> None:  # type: ignore[no-untyped-def]
    bot = make_bot(db=db_url)
    _ten(bot)
    bot.say(SUPPLY, sender=CADRE, group="干部群", at=at(3, 11))
    assert [(ln.number, ln.topic, ln.people, ln.status) for ln in bot.repo.wish_wall()] == [
        (1, "叉车证培训", 4, "answered"), (2, "暑期托管", 3, "open"),
        (3, "冬季护手/防冻", 3, "open")]
    assert bot.repo.wish_line(1).supply_date == date(2025, 3, 20)
    f = bot.repo.wish_figures(at(3, 0), at(4, 0))
    assert (f.wishes, f.people, f.opened, f.answered, f.waiting) == (10, 10, 3, 1, 2)
