"""The people on a posting hear what happens to it; cards and lists carry the terms workers
decide on (issue 27)."""

from __future__ import annotations

from datetime import datetime

from tests.conftest import TZ

POST = "我们印刷厂需要3名包装工，一天200，电话13812345678"


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2025, 3, day, hour, minute, tzinfo=TZ)


def _claimed(bot):  # type: ignore[no-untyped-def]
    bot.say(POST, sender="boss", name="张老板", at=at(3, 9))
    bot.say("报名 1", sender="w1", name="李四", at=at(3, 9, 10))
    bot.say("报名 1 2人", sender="w2", name="王五", at=at(3, 9, 20))


def test_a_pay_change_is_told_to_each_claimant_privately(bot) -> None:  # type: ignore[no-untyped-def]
    _claimed(bot)
    out = bot.say("#修改 1 工资 180/天", sender="boss", at=at(3, 10))
    private = {r.to: r.text for r in out if r.group is None}
    assert set(private) == {"w1", "w2"}
    assert all("#1（印刷厂 包装工）有变动：工资改为 180元/天" in t for t in private.values())
    # The group hears only that the people on it were told: one line naming them all,
    # after the private messages.
    notes = [r for r in out if r.group is not None and r.text == "内容已私信发给你。"]
    assert len(notes) == 1 and notes[0].mentions == ("w1", "w2")
    assert out.index(notes[0]) > max(out.index(r) for r in out if r.group is None)
    # A change nobody decides by (the job's name) tells nobody.
    assert [r for r in bot.say("#修改 1 工种 打包工", sender="boss", at=at(3, 10, 5))
            if r.group is None] == []


def test_closing_tells_the_claimants_and_lowering_the_count_asks_the_poster(bot) -> None:  # type: ignore[no-untyped-def]
    _claimed(bot)
    out = bot.say("#修改 1 人数 2", sender="boss", at=at(3, 10))
    ask = [r.text for r in out if "已经报名了3人" in r.text]
    assert ask and "李四（1人）" in ask[0] and "王五（2人）" in ask[0]
    out = bot.say("#关闭 1", sender="boss", at=at(3, 11))
    assert {r.to for r in out if r.group is None} == {"w1", "w2"}
    assert all("已经关闭，不用去了" in r.text for r in out if r.group is None)
    # Closing a closed posting tells nobody again.
    assert [r for r in bot.say("#关闭 1", sender="boss", at=at(3, 11, 5)) if r.group is None] == []


def test_an_expired_posting_is_told_in_the_morning_not_at_night(make_bot) -> None:  # type: ignore[no-untyped-def]
    bot = make_bot(simulated=True, config_yaml="cadres: [wxid_cadre]\npostings:\n  expire_days: 1\n")
    _claimed(bot)
    bot.say("大家好", sender="x", at=at(5, 12))
    told = [r for r in bot.transport.sent if r.group is None and "已经过期" in r.text]
    assert {r.to for r in told} == {"w1", "w2"}
    assert all(r.time.astimezone(TZ).hour >= 8 for r in told)


def test_the_terms_are_edited_and_shown_on_lists(bot) -> None:  # type: ignore[no-untyped-def]
    bot.say(POST, sender="boss", at=at(3, 9))
    for what in ("年龄 18-45", "食宿 包吃住", "班次 夜班", "证 叉车证", "性别 女"):
        out = bot.texts(f"#修改 1 {what}", sender="boss", at=at(3, 9, 30))
        assert out and "已" in out[0], (what, out)
    bad = bot.texts("#修改 1 年龄 很年轻", sender="boss", at=at(3, 9, 40))[0]
    assert "很年轻" in bad and bot.repo.posting(1).age_min == 18  # unreadable: unchanged
    listed = bot.texts("#列表", sender="w1", at=at(3, 10))[0]
    assert "包吃住 · 夜班 · 需叉车证 · 18-45岁 · 限女" in listed
    p = bot.repo.posting(1)
    assert (p.age_min, p.age_max, p.gender, p.board, p.shift, p.licence) == (
        18, 45, "female", "meals+lodging", "night", "叉车证")
    bot.texts("#修改 1 年龄 不限", sender="boss", at=at(3, 10, 10))
    assert (bot.repo.posting(1).age_min, bot.repo.posting(1).age_max) == (None, None)


def test_a_date_change_is_shown_and_told_to_the_claimants(bot) -> None:  # type: ignore[no-untyped-def]
    _claimed(bot)
    out = bot.say("#修改 1 日期 3月8日到10日", sender="boss", at=at(3, 10))
    assert out[0].text == "#1 的日期已改为3月8日起，到3月10日。"
    private = {r.to: r.text for r in out if r.group is None}
    assert set(private) == {"w1", "w2"}
    assert all("有变动：日期改为 3月8日起，到3月10日" in t for t in private.values())
    p = bot.repo.posting(1)
    assert (str(p.start_date), str(p.end_date)) == ("2025-03-08", "2025-03-10")
    # New days replace both ends; unreadable or backwards days change nothing.
    bot.say("#修改 1 日期 明天", sender="boss", at=at(3, 10, 5))
    assert (str(bot.repo.posting(1).start_date), bot.repo.posting(1).end_date) == ("2025-03-04", None)
    for bad in ("下雨天", "看情况"):
        reply = bot.texts(f"#修改 1 日期 {bad}", sender="boss", at=at(3, 10, 10))[0]
        assert reply.startswith(f"“{bad}”看不懂，日期请这样写：12月20日"), reply
    assert str(bot.repo.posting(1).start_date) == "2025-03-04"
