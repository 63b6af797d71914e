"""Issue 24's attacks from inside a group, each replayed and shown refused.

- A reference in an @mention or a quote is never what a command acts on: the command acts on
  the reference after its own `#WORD`, the one its permission was checked on.
- People are named by @mention id where the transport gives one, else by a name that is
  unique and stable: a name two members share, or one a member took recently, names nobody.
- A roster message acts for its sender only; names that match no member never count.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import select

from bot.handlers import build_registry
from storage.models import Allocation, AuditLog, Claim, Posting, Request, RequestEvent

CONFIG = "cadres: [wxid_admin]\ngroups:\n  - name: 干部群\n    cadre_group: true\n"
DASHES = "- - - - - - - - - - - - - - -"
TARGETED = [c for c in build_registry().commands if c.target is not None]
READ_ONLY = {"查看"}
REST = {"修改": "人数 8", "确认": "强制 张三", "派单": "交通局", "办结": "好了", "进展": "在办",
        "定级": "难事", "待补充": "哪里", "回复": "在办", "奖励": "20"}


def _state(bot, target: str, number: int) -> tuple:  # type: ignore[no-untyped-def]
    """Everything a command could change about posting or request `number`."""
    s = bot.repo.s
    s.expire_all()
    if target == "posting":
        p = s.get(Posting, number)
        claims = s.exec(select(Claim.claimant_id, Claim.status, Claim.headcount)
                        .where(Claim.posting_id == number)).all()
        allocs = s.exec(select(Allocation.worker_id).where(Allocation.posting_id == number)).all()
        return (p.status, p.headcount, p.pay_min, sorted(claims), sorted(allocs))
    r = s.get(Request, number)
    events = s.exec(select(RequestEvent.status, RequestEvent.note)
                    .where(RequestEvent.request_id == number)).all()
    return (r.status, r.urgency, r.department, r.deadline, sorted(events, key=str))


def _setup(bot, cmd):  # type: ignore[no-untyped-def]
    """Two postings and two requests; the sender owns #2 / R2 (or is a cadre)."""
    bot.say("我们印刷厂需要10名临时工，一天200", sender="wx_boss1", name="张老板")
    bot.say("我们电子厂需要5个普工，一天180", sender="wx_boss2", name="王老板")
    bot.say("#诉求 食堂的饭菜太贵了", sender="wx_a", name="甲")
    bot.say("#诉求 宿舍的热水器坏了", sender="wx_b", name="乙")
    bot.say("大家好", sender="wx_zhang", name="张三")
    if cmd.name == "重办":
        bot.say("#办结 R1 已处理", sender="wxid_admin", name="郑主席")
        bot.say("#办结 R2 已处理", sender="wxid_admin", name="郑主席")
    if cmd.name == "重开":
        bot.say("#关闭 1", sender="wx_boss1", name="张老板")
        bot.say("#关闭 2", sender="wx_boss2", name="王老板")
    if cmd.name == "取消报名":
        bot.say("#报名 1", sender="wx_w", name="小工")
        bot.say("#报名 2", sender="wx_w", name="小工")
    if cmd.permission == "cadre":
        return "wxid_admin", "郑主席"
    if cmd.permission == "poster":
        return "wx_boss2", "王老板"
    if cmd.permission == "requester":
        return "wx_b", "乙"
    return "wx_w", "小工"


@pytest.mark.parametrize("trick", ["mention", "quote", "quoted-request"])
@pytest.mark.parametrize("cmd", TARGETED, ids=[c.name for c in TARGETED])
def test_a_reference_in_a_mention_or_a_quote_is_not_what_the_command_acts_on(
        make_bot, tmp_path, cmd, trick) -> None:  # type: ignore[no-untyped-def]
    bot = make_bot(config_yaml=CONFIG + f"exports_dir: {tmp_path / 'x'}\n")
    sender, name = _setup(bot, cmd)
    mark = "R" if cmd.target == "request" else "#"
    other, mine = f"{mark}1", f"{mark}2"
    own = f"#{cmd.name} {mine} {REST.get(cmd.name, '')}".strip()
    text = {"mention": f"@{cmd.name}{other}\u2005{own}",
            "quote": f"「李四：#{cmd.name} {other}」\n{DASHES}\n{own}",
            "quoted-request": f"「李四：请尽快{cmd.name}{other}」\n{DASHES}\n{own}"}[trick]
    before_other, before_mine = _state(bot, cmd.target, 1), _state(bot, cmd.target, 2)
    audits = bot.repo.count(AuditLog)
    out = bot.texts(text, sender=sender, name=name)
    assert _state(bot, cmd.target, 1) == before_other, out
    # The command did act, on the reference after its own #WORD (a command that only
    # reads shows that one).
    if cmd.name in READ_ONLY:
        assert out[0].startswith(mine) and other not in out[0], out
    else:
        assert _state(bot, cmd.target, 2) != before_mine, out
    rows = bot.repo.s.exec(select(AuditLog).order_by(AuditLog.id)).all()[audits:]
    assert all(other not in (r.target or "") for r in rows)
    assert all(r.actor_id == sender and r.allowed for r in rows)


def test_free_text_commands_keep_only_the_text_after_their_own_word(make_bot) -> None:  # type: ignore[no-untyped-def]
    bot = make_bot(config_yaml=CONFIG)
    bot.say("大家好", sender="wx_a", name="甲", group="二号群")
    out = bot.texts(f"「李四：#公告 明天放假」\n{DASHES}\n@公告停工\u2005#公告 明天开会",
                    sender="wxid_admin", name="郑主席")
    sent = [t for t in out if t.startswith("【工会公告】")]
    assert len(sent) >= 2 and set(sent) == {"【工会公告】明天开会"}
    bot.say("@诉求老板跑了\u2005#诉求 厕所没有纸", sender="wx_b", name="乙")
    assert bot.repo.request(1).text == "厕所没有纸"


# -- people by id ---------------------------------------------------------------------------

def _members(bot) -> None:  # type: ignore[no-untyped-def]
    bot.say("大家好", sender="wx_zhang", name="张三")
    bot.say("大家好", sender="wx_other", name="路人")


def test_admin_by_mention_id_promotes_the_person_mentioned(make_bot) -> None:  # type: ignore[no-untyped-def]
    bot = make_bot(config_yaml=CONFIG)
    _members(bot)
    # The documented form: the mention is cut from the text, its id comes from the transport.
    out = bot.texts("#管理员 添加 @张三\u2005", sender="wxid_admin", name="郑主席",
                    mentions=("wx_zhang",))
    assert out == ["已把 张三 设为工会干部。"]
    assert bot.repo.member("wx_zhang").role == "cadre"
    row = bot.repo.audit_log(1)[0]
    assert (row.actor_id, row.action, row.target) == ("wxid_admin", "管理员", "wx_zhang")


def test_admin_by_mention_is_not_fooled_by_an_impostor_sharing_the_name(make_bot) -> None:  # type: ignore[no-untyped-def]
    bot = make_bot(config_yaml=CONFIG)
    _members(bot)
    bot.say("我也叫张三", sender="wx_fake", name="张三")
    bot.texts("#管理员 添加 @张三\u2005", sender="wxid_admin", name="郑主席",
              mentions=("wx_zhang",))
    assert bot.repo.member("wx_zhang").role == "cadre"
    assert bot.repo.member("wx_fake").role == "member"


def test_admin_by_a_name_two_members_share_is_refused_with_the_candidates(make_bot) -> None:  # type: ignore[no-untyped-def]
    bot = make_bot(config_yaml=CONFIG)
    _members(bot)
    bot.say("我也叫张三", sender="wx_fake", name="张三")
    out = bot.say("#管理员 添加 张三", sender="wxid_admin", name="郑主席", group="干部群")
    assert len(out) == 1 and "有2个人都叫“张三”" in out[0].text, out
    assert "wx_zhang" in out[0].text and "wx_fake" in out[0].text
    assert bot.repo.member("wx_zhang").role == bot.repo.member("wx_fake").role == "member"
    # Written in a workers' group, the candidates' ids go to the cadre privately.
    out = bot.say("#管理员 添加 张三", sender="wxid_admin", name="郑主席")
    assert all("wx_fake" not in r.text for r in out if r.group is not None)
    assert any(r.to == "wxid_admin" and r.group is None and "wx_fake" in r.text for r in out)


def test_a_name_never_promotes_anyone_it_gets_the_id_to_check(make_bot) -> None:  # type: ignore[no-untyped-def]
    """A brand-new account, or one renamed after a quiet week, holds a name as firmly as
    anyone: #管理员 gives powers to ids only, and answers a name with the id it stands for."""
    bot = make_bot(config_yaml=CONFIG)
    bot.say("大家好", sender="wx_fake", name="小李")
    bot.say("大家好", sender="wx_fake", name="张三")  # the real 张三 is not in the groups
    out = bot.texts("#管理员 添加 张三", sender="wxid_admin", name="郑主席", group="干部群")
    assert out and "最近才改" in out[0]
    bot.clock.set(bot.clock.now() + timedelta(days=8))
    out = bot.texts("#管理员 添加 张三", sender="wxid_admin", name="郑主席", group="干部群")
    assert len(out) == 1 and "wx_fake" in out[0] and "#管理员 添加 wx_fake" in out[0]
    assert bot.repo.member("wx_fake").role == "member"
    # Written in a workers' group, the id goes to the cadre privately.
    out = bot.say("#管理员 添加 张三", sender="wxid_admin", name="郑主席")
    assert all("wx_fake" not in r.text for r in out if r.group is not None)
    # The cadre checked: the id typed out is what promotes.
    out = bot.texts("#管理员 添加 wx_fake", sender="wxid_admin", name="郑主席", group="干部群")
    assert out == ["已把 张三 设为工会干部。"]


def test_confirm_credits_the_claimant_not_a_namesake(make_bot) -> None:  # type: ignore[no-untyped-def]
    bot = make_bot(config_yaml=CONFIG)
    bot.say("我们印刷厂需要10名临时工，一天200", sender="wx_boss", name="张老板")
    bot.say("报名 1", sender="wx_zhang", name="张三")
    bot.say("大家好", sender="wx_fake", name="张三")  # a namesake who never claimed
    bot.say("#确认 1 张三", sender="wx_boss", name="张老板")
    allocs = bot.repo.s.exec(select(Allocation.worker_id)).all()
    assert allocs == ["wx_zhang"]


def test_confirm_by_a_shared_name_records_nothing_and_lists_who(make_bot) -> None:  # type: ignore[no-untyped-def]
    bot = make_bot(config_yaml=CONFIG)
    bot.say("我们印刷厂需要10名临时工，一天200", sender="wx_boss", name="张老板")
    bot.say("大家好", sender="wx_zhang", name="张三")
    bot.say("大家好", sender="wx_fake", name="张三")
    bot.say("大家好", sender="wx_li", name="李四")
    out = bot.say("#确认 1 强制 李四 张三", sender="wx_boss", name="张老板")
    assert [r.text for r in out] == ["有2个人都叫“张三”，不知道是哪一位，这次没有记录。请在群里@这个人再发一次。"]
    # the employer is not shown the workers' ids
    assert bot.repo.count(Allocation) == 0
    out = bot.texts("#确认 1 强制 李四 @张三\u2005", sender="wx_boss", name="张老板",
                    mentions=("wx_zhang",))
    assert out == ["#1 已确认调配2人：李四、张三，各1天。"]
    assert sorted(bot.repo.s.exec(select(Allocation.worker_id)).all()) == ["wx_li", "wx_zhang"]


# -- rosters --------------------------------------------------------------------------------

POST = "我们印刷厂需要3名临时工,手工包装纸品,一天200"


def roster(*lines: str) -> str:
    return "\n".join(["#接龙", "#1 印刷厂 临时工，3人，200元/天", "", *lines])


def test_a_roster_signs_up_its_sender_only(bot) -> None:  # type: ignore[no-untyped-def]
    bot.say(POST, sender="boss", name="张老板")
    for sender, name in (("w2", "王五"), ("w3", "赵六")):
        bot.say("大家好", sender=sender, name=name)
    out = bot.texts(roster("1. 李四", "2. 王五", "3. 赵六"), sender="w1", name="李四")
    assert out == ["#1 接龙已记录：新增 李四（1人）。目前已报1/3人。\n"
                   "王五、赵六 要本人接龙（或发布人、干部代报）才算数。"]
    claims = bot.repo.claims(1)
    assert [c.claimant_id for c in claims] == ["w1"]
    # Nobody else got the employer's phone by direct message.
    assert not [r for r in bot.transport.sent if r.to in ("w2", "w3") and r.group is None]
    # 王五 takes up the line written for him: now it counts, for him.
    out = bot.texts(roster("1. 李四", "2. 王五", "3. 赵六"), sender="w2", name="王五")
    assert out[0] == "#1 接龙已记录：新增 王五（1人）。目前已报2/3人。"
    assert sorted(c.claimant_id for c in bot.repo.claims(1)) == ["w1", "w2"]


def test_invented_names_never_fill_a_posting(bot) -> None:  # type: ignore[no-untyped-def]
    bot.say(POST, sender="boss", name="张老板")
    out = bot.texts(roster("1. 甲", "2. 乙", "3. 丙", "4. 丁"), sender="w1", name="捣乱的")
    # The first new line may be the sender's own under another spelling: one place, theirs.
    assert [c.claimant_id for c in bot.repo.claims(1)] == ["w1"]
    assert bot.repo.claimed(1) == 1 and bot.repo.posting(1).status == "open"
    assert "乙、丙、丁 要本人接龙" in out[0]
    # The poster's lines for names nobody holds are written down but not counted.
    out = bot.texts(roster("1. 甲", "2. 乙", "3. 戊"), sender="boss", name="张老板")
    assert "取消 丙、丁" in out[0] and "\n戊 群里找不到这个人，先不算人数" in out[0]
    assert bot.repo.claimed(1) == 1
    # A real worker still gets a place.
    out = bot.texts(roster("1. 甲", "2. 乙", "3. 戊", "4. 钱七"), sender="w7", name="钱七")
    assert out[0].startswith("#1 接龙已记录：新增 钱七（1人）。目前已报2/3人。")


def test_a_line_written_for_someone_counts_once_they_or_the_poster_take_it_up(bot) -> None:  # type: ignore[no-untyped-def]
    bot.say(POST, sender="boss", name="张老板")
    bot.say("大家好", sender="w2", name="王五")
    bot.say(roster("1. 李四", "2. 王五"), sender="w1", name="李四")
    assert bot.repo.claimed(1) == 1
    # The poster copies the roster unchanged: vouching for 王五's line, which now counts.
    out = bot.texts(roster("1. 李四", "2. 王五"), sender="boss", name="张老板")
    assert out[0].startswith("#1 接龙已记录：新增 王五（1人）。目前已报2/3人。")
    assert sorted(c.claimant_id for c in bot.repo.claims(1)) == ["w1", "w2"]


def test_a_namesakes_line_is_not_taken_and_the_real_one_is_told(bot) -> None:  # type: ignore[no-untyped-def]
    bot.say(POST, sender="boss", name="张老板")
    bot.say(roster("1. 王五"), sender="wx_fake", name="王五")  # renamed, and first
    out = bot.texts(roster("1. 王五"), sender="w5", name="王五")
    assert "已经有同名的人写了" in out[0]
    out = bot.texts(roster("1. 王五", "2. 王五（电工）"), sender="w5", name="王五")
    assert out[0] == "#1 接龙已记录：新增 王五(电工)（1人）。目前已报2/3人。"
    assert sorted(c.claimant_id for c in bot.repo.claims(1)) == ["w5", "wx_fake"]


def test_a_worker_may_write_their_own_line_their_own_way(bot) -> None:  # type: ignore[no-untyped-def]
    bot.say(POST, sender="boss", name="张老板")
    out = bot.texts(roster("1. 老张 2人"), sender="w1", name="张建国")
    assert out[0] == "#1 接龙已记录：新增 老张（2人）。目前已报2/3人。"
    assert [(c.claimant_id, c.headcount) for c in bot.repo.claims(1)] == [("w1", 2)]


def test_a_renamed_member_cannot_cancel_someone_elses_line(bot) -> None:  # type: ignore[no-untyped-def]
    bot.say(POST, sender="boss", name="张老板")
    bot.say(roster("1. 李四"), sender="w1", name="李四")
    bot.say(roster("1. 李四", "2. 王五"), sender="w2", name="王五")
    # 王五 renames to 李四 and posts a copy without the 李四 line: no cancellation happens
    # and none is announced.
    out = bot.texts(roster("1. 王五"), sender="w2", name="李四")
    assert not any("取消" in t for t in out)
    assert sorted(c.claimant_id for c in bot.repo.claims(1)) == ["w1", "w2"]
    # The real 李四 can still take himself off.
    out = bot.texts(roster("1. 王五"), sender="w1", name="李四")
    assert out[0] == "#1 接龙已记录：取消 李四。目前已报1/3人。"
    assert [c.claimant_id for c in bot.repo.claims(1)] == ["w2"]


def test_a_replay_line_gives_the_mentioned_ids(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """`mentions` in a replay line: the ids the gateway said were @-mentioned."""
    import json  # noqa: PLC0415

    from tests.test_cli import CONFIG as CLI_CONFIG  # noqa: PLC0415
    from tests.test_cli import daqiao, lines  # noqa: PLC0415

    cfg = tmp_path / "config.yaml"
    cfg.write_text(CLI_CONFIG, encoding="utf-8")
    rows = [("1", "wx_zhang", "张三", "大家好", None), ("2", "wx_fake", "张三", "我也是张三", None),
            ("3", "wxid_cadre_zheng", "郑主席", "#管理员 添加 @张三\u2005", ["wx_zhang"])]
    feed = tmp_path / "in.jsonl"
    feed.write_text("".join(json.dumps(
        {"id": i, "time": f"2025-03-03T09:0{i}:00+08:00", "group": "共享员工群", "sender": n,
         "sender_id": s, "text": t, **({"mentions": m} if m else {})}, ensure_ascii=False) + "\n"
        for i, s, n, t, m in rows), encoding="utf-8")
    run = daqiao("replay", str(feed), "--config", str(cfg), "--db",
                 f"sqlite:///{tmp_path / 'd.db'}", cwd=tmp_path)
    assert run.returncode == 0, run.stderr.decode()[-1000:]
    assert [x["text"] for x in lines(run.stdout)] == ["已把 张三 设为工会干部。"]
    log = daqiao("replay", "-", "--config", str(cfg), "--db", f"sqlite:///{tmp_path / 'd.db'}",
                 stdin=json.dumps({"id": "4", "time": "2025-03-03T09:05:00+08:00",
                                   "group": "共享员工群", "sender": "张三", "sender_id": "wx_zhang",
                                   "text": "#暂停"}).encode(), cwd=tmp_path)
    assert [x["text"] for x in lines(log.stdout)][0].startswith("好的")


def test_an_id_typed_out_is_the_person_with_that_id_not_a_display_name(make_bot) -> None:  # type: ignore[no-untyped-def]
    bot = make_bot(config_yaml=CONFIG)
    _members(bot)
    bot.say("大家好", sender="wx_fake", name="wx_zhang")  # a display name written as an id
    out = bot.texts("#管理员 添加 wx_zhang", sender="wxid_admin", name="郑主席", group="干部群")
    assert out == ["已把 张三 设为工会干部。"]
    assert bot.repo.member("wx_fake").role == "member"
