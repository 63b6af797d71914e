"""The privacy chokepoint (bot/privacy.py): no phone number, however written, reaches a group.

The property test drives random cadre notes, announcements, grievances, postings, rosters and
command arguments that carry phone numbers in every written form through every command and
every scheduled job, then reads every message the bot sent. Its leak check is written here
independently of the bot's masker, so a form the masker misses is caught.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta

import pytest

from bot.handlers import build_registry
from bot.privacy import Privacy
from bot.transports.base import with_mentions
from bot.types import Reply
from tests.conftest import TZ, phone_leaks

PUBLIC = "0574-86881234"
CONFIG = f"""
timezone: Asia/Shanghai
cadres: [wxid_admin]
groups:
  - name: 干部群
    cadre_group: true
privacy:
  public_numbers: ["{PUBLIC}"]
"""
WIDE = str.maketrans("0123456789-", "０１２３４５６７８９－")
CN = ["零一二三四五六七八九", "〇幺两三四五六七八九"]


SEPARATORS = [" ", "-", "  ", "–", "—", "/", "_", "，", "、", "\u200b", "　", "－", " - "]


def written(rng: random.Random, digits: str) -> str:
    """One of the ways people type a number in a chat."""
    head, mid, tail = digits[:3], digits[3:7], digits[7:]
    form = rng.randrange(7)
    if form == 0:
        return digits
    if form == 1:  # grouped, with whatever people put between the groups
        sep = rng.choice(SEPARATORS)
        return f"{head}{sep}{mid}{sep}{tail}"
    if form == 2:
        return digits.translate(WIDE)
    if form == 3:
        return f"{head}-{mid}-{tail}".translate(WIDE)
    if form == 4:  # all in Chinese numerals, maybe grouped
        table = CN[rng.randrange(2)]
        sep = rng.choice(["", "", " ", "，"])
        return sep.join("".join(table[int(d)] for d in part) for part in (head, mid, tail))
    if form == 5:  # Chinese numerals in the middle only
        return head + "".join(CN[0][int(d)] for d in mid) + tail
    return " ".join(digits)  # spaced out, one digit at a time


def a_mobile(rng: random.Random) -> str:
    return "1" + rng.choice("3456789") + "".join(rng.choice("0123456789") for _ in range(9))


def a_landline(rng: random.Random) -> str:
    return "0" + rng.choice(["574", "571", "21", "755"]) + "".join(
        rng.choice("0123456789") for _ in range(8))


def leaks(text: str) -> list[str]:
    return phone_leaks(text)


def test_the_leak_check_sees_every_form() -> None:
    rng = random.Random(1)
    for _ in range(200):
        digits = a_mobile(rng)
        assert leaks(f"电话{written(rng, digits)}，谢谢"), digits
    assert leaks("热线0574-86881234") == [] and leaks("138****5678") == []


def _say_everything(bot, rng: random.Random, day: int) -> set[str]:  # type: ignore[no-untyped-def]
    """One round: every kind of message and every command, each carrying a phone number
    where it takes text. Returns the command words it used."""
    at = datetime(2025, 3, 3, 9, 0, tzinfo=TZ) + timedelta(days=day)
    minute = iter(range(1000))
    used: set[str] = set()

    def ph() -> str:
        return written(rng, a_mobile(rng) if rng.random() < 0.8 else a_landline(rng))

    def say(text: str, sender: str, group: str | None = "共享员工群", **kw: str) -> None:
        if text.startswith("#"):
            used.add(text[1:].split()[0])
        bot.say(text, sender=sender, group=group, at=at + timedelta(minutes=next(minute)), **kw)

    n = 1 + 2 * day  # this round's postings: n (a job) and n+1 (an offer)
    r = 1 + 4 * day  # this round's requests: r (in the group), r+1 (direct), r+2 (#诉求), r+3
    say(f"我们印刷厂招3个包装工，一天200，日结，电话{ph()}", "boss")
    say(f"联系张三{ph()}或者热线{PUBLIC}{rng.choice(['', ' ', '-', '，'])}{ph()}", "w9")
    say(f"我会开叉车，找活干，电话{ph()}", "w9")
    say(f"宿舍热水器坏了好几天了，联系我{ph()}", "w1")
    say(f"老板拖欠工资三个月了，我电话{ph()}", "w2", group=None)
    say(f"#诉求 食堂的菜太咸了，找我{ph()}", "w3")
    say(f"报名 {n}", "w4", name=ph())  # a display name that is a phone number
    say(f"#报名 {n} 1", "w5", name=f"王{ph()}")
    say(f"#取消报名 {n}", "w5")
    say(f"#接龙 {n}", "w4")
    say(f"#接龙 #{n}\n1. w4\n2. 张三{ph()}\n3. 李四", "w6")
    for cmd in [
            f"#进展 R{r} 已联系师傅，电话{ph()}",
            f"#待补充 R{r} 请把房间号发给{ph()}",
            f"#派单 R{r + 1} 劳动保障监察{ph()}",
            f"#定级 R{r + 2} 难事",
            f"#进展 R{r + 1} 监察大队{ph()}已受理",
            f"#办结 R{r} 修好了，有事打{ph()}",
            f"#办结 R{r + 2} 已转告食堂，厨师长{ph()}",
            # (fixed numbers: drawing more from rng would change every later form)
            f"#回复 R{r + 1} 监察大队的电话是0574-8765 4321", f"#查看 R{r + 1}",
            "#诉求 待办",
            f"#修改 {n} 地点 北仑{ph()}",
            f"#确认 {n} 强制 王五 赵{ph()} 2天",
            f"#联系 {n + 1}",
            f"#关闭 {n}", f"#重开 {n}",
            f"#公告 工会服务热线{PUBLIC}，维修师傅{ph()}",
            "#列表", "#我的", "#统计", "#统计 诉求", "#摘要", "#日志", "#导出 诉求",
            f"#帮助 {ph()}", f"#不存在的命令 {ph()}", f"#管理员 添加 {ph()}",
            f"#设置 诉求回显 {'开' if day % 2 else '关'}"]:
        say(cmd, "wxid_admin", group=rng.choice(["共享员工群", "干部群"]), name="郑主席")
    # Issue 28 (fixed numbers, as above): a shared resource, a consultation, a wish, a reward.
    s, y = 1 + 2 * day, 1 + day
    say("中午哪些兄弟单位能接待午餐？电话13911112222", "boss")
    say("我这还能接待3桌，电话13933334444", "w6")
    for cmd in [f"#确认共享 S{s} 食堂 3桌", f"#关闭共享 S{s}",
                "#征求意见 食堂管理办法 群：共享员工群\n第一条 早上六点开门，联系13955556666"]:
        say(cmd, "wxid_admin", name="郑主席")
    say("意见：开门太晚了，我是王五，电话13977778888", "w7")
    say("#心愿 想学电工，有培训叫我13900001111", "w8")
    for cmd in [f"#意见 Y{y}", f"#意见答复 Y{y} 第1条 已采纳 负责人 王科长", f"#结束征求 Y{y}",
                "#心愿墙", "#心愿墙 详细", "#供给 W1 12月20日 电工培训，报名打13922223333",
                f"#奖励 R{r + 3} 5", "#奖励台账"]:
        say(cmd, "wxid_admin", group=rng.choice(["共享员工群", "干部群"]), name="郑主席")
    say("#暂停", "wxid_admin")
    say(f"#进展 R{r + 1} 还在办，电话{ph()}", "wxid_admin")  # recorded, not said: paused
    say("#恢复", "wxid_admin")
    say(f"我也要报名，电话{ph()}", "w7")
    say(f"路灯坏了好几天，晚上很黑，联系{ph()}", "w8")  # nobody answers it: overdue
    say(f"#重办 R{r} 还是坏的，打{ph()}", "w1")
    say("满意", "w3")
    say(f"#撤回 R{r + 1} {ph()}", "w2", group=None)
    # (fixed numbers: drawing more from rng would change every later round's forms)
    say("#删除我的信息 138 1234 5678", "w9")  # someone else's data: refused, privately
    say("#删除我的信息", "w9", name="一三八一二三四五六七八")
    say("#确认删除", "w9", group=None)
    return used


@pytest.mark.parametrize("seed", [11, 12, 13])
def test_no_phone_number_reaches_a_group_through_any_command_or_job(make_bot, seed) -> None:  # type: ignore[no-untyped-def]
    rng = random.Random(seed)
    bot = make_bot(config_yaml=CONFIG, simulated=True)
    used: set[str] = set()
    for day in range(3):
        used |= _say_everything(bot, rng, day)
        # A day on the simulated clock: digests, claim notices, reminders, expiry.
        bot.app.advance(datetime(2025, 3, 3, 9, 0, tzinfo=TZ) + timedelta(days=day, hours=23))
    bot.app.advance(datetime(2025, 3, 17, 9, 0, tzinfo=TZ))  # two weekly reports, expiry
    bot.app.account_logged_out("test")
    bot.app.outbox.flush()
    assert {c.name for c in build_registry().commands} <= used
    sent = bot.transport.sent
    in_groups = [r for r in sent if r.group is not None]
    shown = [(r.group_name, with_mentions(r)) for r in in_groups]  # @names as the group sees
    bad = [(g, text, leaks(text)) for g, text in shown if leaks(text)]
    assert bad == []
    # The union's published number passed, unmasked, in the announcement.
    assert any(PUBLIC in r.text for r in in_groups if r.text.startswith("【工会公告】"))
    # The run did reach what it meant to: scheduled jobs and cadre notes spoke in groups,
    # and the direct messages still carry the full contact for the people entitled to it.
    texts = "\n".join(r.text for r in in_groups)
    for said in ("【每日岗位速递】", "【诉求日报】", "【工会周报】", "【新诉求】",
                 "超时", "新报名", "掉线", "内容已私信发给你"):
        assert said in texts, said
    # A requester's steps go to them privately (the group hears only that they did).
    private = "\n".join(r.text for r in sent if r.group is None)
    for said in ("有进展", "已办结", "还需要补充", "工会干部回复"):
        assert said in private, said
    assert "待办的诉求" in "\n".join(r.text for r in sent)
    assert any(r.group is None and leaks(r.text) for r in sent)
    seen = {a.action for a in bot.repo.audit_log(500)}
    assert {"导出", "公告", "确认", "修改", "派单", "办结", "进展", "待补充", "暂停"} <= seen


def _screen(can_direct: bool, *, cadre_group: int | None = 9) -> Privacy:
    groups = {1: False, 9: True}
    from bot.privacy import Where

    return Privacy(frozenset({"057486881234"}), can_direct=can_direct,
                   group=lambda g: Where(groups[g]) if g in groups else None,
                   cadre_group=lambda: cadre_group)


def test_cadre_material_in_a_workers_group_goes_privately_with_a_note() -> None:
    out = _screen(True).screen(Reply("台账 13812345678", group=1, to="c1", audience="cadres",
                                     file="x.xlsx"))
    assert [(r.group, r.to, r.file) for r in out] == [(None, "c1", "x.xlsx"), (1, None, None)]
    assert out[0].text == "台账 13812345678"  # the cadre sees the full record
    assert out[1].mentions == ("c1",) and "私信" in out[1].text


def test_without_direct_messages_cadre_material_goes_to_the_cadre_group() -> None:
    out = _screen(False).screen(Reply("台账 13812345678", group=1, to="c1", audience="cadres"))
    assert [(r.group, r.to) for r in out] == [(9, None), (1, None)]
    assert "138****5678" in out[0].text and "干部群" in out[1].text
    alone = _screen(False, cadre_group=None).screen(
        Reply("台账", group=1, to="c1", audience="cadres", file="x.xlsx"))
    assert len(alone) == 1 and alone[0].file is None and "台账" not in alone[0].text[:2]


def test_cadre_material_stays_in_the_cadre_group_masked() -> None:
    out = _screen(True).screen(Reply("R1 电话139-8765-4321，热线0574-86881234", group=9,
                                     to="c1", audience="cadres"))
    assert [(r.text, r.to) for r in out] == [("R1 电话139****4321，热线0574-86881234", None)]


def test_direct_messages_pass_unmasked() -> None:
    r = Reply("联系 13812345678", to="w1")
    assert _screen(True).screen(r) == [r]


def test_a_command_word_inside_a_mention_does_not_choose_the_request(make_bot) -> None:  # type: ignore[no-untyped-def]
    bot = make_bot(config_yaml=CONFIG)
    bot.say("宿舍热水器坏了", sender="w1")
    bot.say("食堂太咸了", sender="w2")
    out = bot.texts("@撤回R1 #撤回 R2", sender="w2")
    assert out == ["R2 已撤回。"]
    assert bot.repo.request(1).status == "filed" and bot.repo.request(2).status == "withdrawn"
    bot.say("#办结 R1 「李四：请尽快办结R2」 已处理好", sender="wxid_admin", group="干部群")
    assert bot.repo.request(1).resolution == "「李四：请尽快办结R2」 已处理好"


def test_a_long_announcement_goes_out_whole_as_typed(make_bot) -> None:  # type: ignore[no-untyped-def]
    """The parser reads only the first 2,000 characters; the announcement is all of it."""
    bot = make_bot(config_yaml=CONFIG)
    text = "（通知）明天上午九点在工会活动室开会：" + "请各位准时参加，" * 300 + "完。"
    bot.say(f"#公告 {text}", sender="wxid_admin", group="干部群")
    sent = [r.text for r in bot.transport.sent if r.text.startswith("【工会公告】")]
    assert sent and sent[0] == "【工会公告】" + text


def test_in_a_paused_group_cadre_material_still_reaches_the_cadre(make_bot) -> None:  # type: ignore[no-untyped-def]
    bot = make_bot(config_yaml=CONFIG)
    bot.say("#暂停", sender="wxid_admin")
    out = bot.say("#导出 岗位", sender="wxid_admin")
    assert [(r.group, r.to) for r in out] == [(None, "wxid_admin")] and out[0].file
