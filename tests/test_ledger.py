"""Issue 27, "a placement ledger that adds up": `#确认` takes claimants (anyone else with
强制), a team's head counts its people, a repeated confirmation updates, days default from
the posting's dates, and income per worker leaves out placements with no pay figure.

The real app (conftest's `make_bot`) and the real `daqiao replay`; the figures of the
scenario below are worked out by hand in the comments and checked against `#统计`, the
weekly report's figures and the exported workbook (one source: `placement_stats`).
"""

from __future__ import annotations

import shlex
from datetime import date, datetime, timedelta
from pathlib import Path

from openpyxl import load_workbook
from sqlmodel import select

from bot import replies
from scheduler.reports import weekly
from storage.models import Allocation
from tests.conftest import TZ
from tests.test_cli import daqiao, lines
from tests.test_scenarios import SCENARIOS, config_of

CADRE = {"sender": "wxid_cadre", "name": "郑主席"}
PRINT = "印刷厂招临时工20名，包装纸品，一天200，3月10日到3月12日"  # 3 days, 200 a day


def _placed(bot) -> list[tuple[int, str, float, float | None]]:  # type: ignore[no-untyped-def]
    """(posting, worker, days, pay) of every placement row, in order."""
    bot.repo.s.expire_all()
    return [(a.posting_id, a.worker_id, a.days, a.pay_total)
            for a in bot.repo.s.exec(select(Allocation).order_by(Allocation.id)).all()]


def _stats(bot) -> dict[str, float]:  # type: ignore[no-untyped-def]
    return bot.repo.placement_stats(None, datetime(2025, 3, 1, tzinfo=TZ),
                                    datetime(2025, 4, 1, tzinfo=TZ))


# -- who may be confirmed --------------------------------------------------------------------

def test_a_name_that_never_claimed_needs_the_word_force(make_bot) -> None:  # type: ignore[no-untyped-def]
    bot = make_bot()
    bot.say(PRINT, sender="boss", name="张老板")
    bot.say("报名 1", sender="w_li", name="李四")
    bot.say("大家好", sender="w_wang", name="王五")  # a member who never claimed
    out = bot.texts("#确认 1 李四 王五 赵六 2天", sender="boss", name="张老板")
    assert out == ["#1 这次没有记录：王五、赵六没有报名这个岗位。确实去了的话，请发"
                   "“#确认 1 强制 李四 王五 赵六 2天”（发布人或工会干部担保，强制记入）。"]
    assert _placed(bot) == []  # all or nothing: not even the claimant
    # A worker has no 强制: the command is the poster's or a cadre's.
    assert "只有岗位发布人或工会干部" in bot.texts("#确认 1 强制 王五", sender="w_li", name="李四")[0]
    assert bot.texts("#确认 1 强制 李四 王五 赵六 2天", sender="boss", name="张老板") == [
        "#1 已确认调配3人：李四、王五、赵六，各2天。"]
    # 王五 by the member he is; 赵六, whom nobody in the groups is called, by the name written.
    assert [w for _, w, _, _ in _placed(bot)] == ["w_li", "w_wang", "name:赵六"]
    # Once placed, a forced person is updated without 强制 again, never added twice.
    assert bot.texts("#确认 1 王五 1天", sender="boss", name="张老板") == [
        "#1 王五 已确认过，已更新：2天改为1天（不重复计）。"]
    # A cadre forces too.
    assert bot.texts("#确认 1 强制 孙七", **CADRE) == [
        "#1 已确认调配1人：孙七，各3天（按岗位日期3月10日到3月12日算）。"]
    assert len(_placed(bot)) == 4


def test_an_at_mention_is_judged_by_the_id_not_the_name(make_bot) -> None:  # type: ignore[no-untyped-def]
    bot = make_bot()
    bot.say(PRINT, sender="boss", name="张老板")
    bot.say("报名 1", sender="wx_zhang", name="张三")
    bot.say("我也叫张三", sender="wx_fake", name="张三")  # a namesake who never claimed
    out = bot.texts("#确认 1 @张三\u2005", sender="boss", name="张老板", mentions=("wx_fake",))
    assert out[0].startswith("#1 这次没有记录：张三没有报名这个岗位。")
    assert _placed(bot) == []
    out = bot.texts("#确认 1 @张三\u2005", sender="boss", name="张老板", mentions=("wx_zhang",))
    assert out == ["#1 已确认调配1人：张三，各3天（按岗位日期3月10日到3月12日算）。"]
    # By name, the claimant is meant, not the namesake.
    assert bot.texts("#确认 1 张三", sender="boss", name="张老板") == ["#1 张三 已确认过，不重复计。"]
    assert [w for _, w, _, _ in _placed(bot)] == ["wx_zhang"]


def test_two_claimants_of_one_name_are_told_apart_by_mention(make_bot) -> None:  # type: ignore[no-untyped-def]
    bot = make_bot()
    bot.say(PRINT, sender="boss", name="张老板")
    bot.say("报名 1", sender="wx_a", name="小王")
    bot.say("报名 1", sender="wx_b", name="小王")
    out = bot.texts("#确认 1 小王", sender="boss", name="张老板")
    assert out == ["有2个人都叫“小王”，不知道是哪一位，这次没有记录。请在群里@这个人再发一次。"]
    assert _placed(bot) == []
    bot.say("#确认 1 @小王\u2005", sender="boss", name="张老板", mentions=("wx_b",))
    assert [w for _, w, _, _ in _placed(bot)] == ["wx_b"]


# -- teams, repeats, days --------------------------------------------------------------------

def test_a_team_head_counts_the_people_of_the_claim(make_bot) -> None:  # type: ignore[no-untyped-def]
    bot = make_bot()
    bot.say(PRINT, sender="boss", name="张老板")
    assert "（7人）" in bot.texts("报名1，我们班组7个人", sender="w_liu", name="老刘")[0]
    assert bot.texts("#确认 1 老刘", sender="boss", name="张老板") == [
        "#1 已确认调配7人：老刘（7人），各3天（按岗位日期3月10日到3月12日算）。"]
    rows = _placed(bot)
    assert len(rows) == 7 and {(d, pay) for _, _, d, pay in rows} == {(3.0, 600.0)}
    assert rows[0][1] == "w_liu" and [w for _, w, _, _ in rows[1:]] == [
        f"team:{bot.repo.placement_of(1, 'w_liu').id}:{k}" for k in range(2, 8)]
    s = _stats(bot)
    assert (s["workers"], s["placements"], s["income"]) == (7, 7, 4200)
    # One did not turn up: fewer than claimed is an update; more needs 强制.
    assert bot.texts("#确认 1 老刘6人", sender="boss", name="张老板") == [
        "#1 老刘 已确认过，已更新：7人改为6人（不重复计）。"]
    assert bot.texts("#确认 1 老刘", sender="boss", name="张老板") == ["#1 老刘 已确认过，不重复计。"]
    out = bot.texts("#确认 1 老刘9人", sender="boss", name="张老板")
    assert out == ["#1 这次没有记录：老刘报名的是7人。确实去了的话，请发“#确认 1 强制 老刘9人”"
                   "（发布人或工会干部担保，强制记入）。"]
    assert len(_placed(bot)) == 6
    bot.say("#确认 1 强制 老刘9人", sender="boss", name="张老板")
    assert len(_placed(bot)) == 9


def test_a_repeated_confirmation_updates_days_and_pay_instead_of_adding(make_bot) -> None:  # type: ignore[no-untyped-def]
    bot = make_bot()
    bot.say(PRINT, sender="boss", name="张老板")
    bot.say("报名 1", sender="w_li", name="李四")
    bot.say("#确认 1 李四", sender="boss", name="张老板")
    first = bot.repo.placement_of(1, "w_li").time
    assert bot.texts("#确认 1 李四", sender="boss", name="张老板") == ["#1 李四 已确认过，不重复计。"]
    assert bot.texts("#确认 1 李四 2天", sender="boss", name="张老板",
                     at=datetime(2025, 4, 2, 9, 0, tzinfo=TZ)) == [
        "#1 李四 已确认过，已更新：3天改为2天（不重复计）。"]
    assert _placed(bot) == [(1, "w_li", 2.0, 400.0)]
    # The placement stays in the period of its first confirmation.
    assert bot.repo.placement_of(1, "w_li").time == first
    # Days not written keep what was recorded.
    assert bot.texts("#确认 1 李四", sender="boss", name="张老板") == ["#1 李四 已确认过，不重复计。"]
    assert _placed(bot)[0][2] == 2.0


def test_days_default_from_the_postings_dates_else_one(make_bot) -> None:  # type: ignore[no-untyped-def]
    bot = make_bot()
    bot.say(PRINT, sender="boss", name="张老板")                    # 3-10 .. 3-12
    bot.say("服装厂招车工2名，月薪4500", sender="boss2", name="王老板")  # no dates
    bot.say("报名 1", sender="w_li", name="李四")
    bot.say("报名 2", sender="w_li", name="李四")
    bot.say("#确认 1 李四", sender="boss", name="张老板")
    assert bot.texts("#确认 2 李四", sender="boss2", name="王老板") == ["#2 已确认调配1人：李四，各1天。"]
    assert _placed(bot) == [(1, "w_li", 3.0, 600.0), (2, "w_li", 1.0, 150.0)]  # 4500 / 30


def test_a_lump_sum_is_shared_by_everyone_placed_on_the_posting(make_bot) -> None:  # type: ignore[no-untyped-def]
    bot = make_bot()
    bot.say("搬家公司搬一次家，2个人，整活800", sender="boss", name="赵老板")
    bot.say("报名 1", sender="w1", name="甲")
    bot.say("报名 1", sender="w2", name="乙")
    bot.say("#确认 1 甲", sender="boss", name="赵老板")
    assert _placed(bot) == [(1, "w1", 1.0, 800.0)]
    bot.say("#确认 1 乙", sender="boss", name="赵老板")  # the second confirmation shares it out
    assert _placed(bot) == [(1, "w1", 1.0, 400.0), (1, "w2", 1.0, 400.0)]


def test_a_placement_without_pay_says_so_and_is_priced_once_pay_is_known(make_bot) -> None:  # type: ignore[no-untyped-def]
    bot = make_bot()
    bot.say("电子厂招普工5名，计件，多劳多得", sender="boss", name="王老板")
    bot.say("报名 1", sender="w_li", name="李四")
    out = bot.texts("#确认 1 李四 5天", sender="boss", name="王老板")
    assert out == ["#1 已确认调配1人：李四，各5天。\n这个岗位没有能算收入的工资数，这些调配不计入增收；"
                   "补上工资（如“#修改 1 工资 200/天”）后再发一次“#确认”就能算上。"]
    s = _stats(bot)
    assert (s["placements"], s["unpaid"], s["income"], s["income_per_worker"]) == (1, 1, 0, 0)
    assert bot.texts("#统计 2025-03", **CADRE) == [
        "【2025年3月统计】\n覆盖企业 1 家，共享职工 1 人，调配 1 人次，人均增收 0 元。"
        "\n另有1人次没有工资数，未计入增收。"]
    bot.say("#修改 1 工资 200/天", sender="boss", name="王老板")
    assert bot.texts("#确认 1 李四", sender="boss", name="王老板") == [
        "#1 李四 已确认过，已更新：按岗位现在的工资重算了收入（不重复计）。"]
    assert _placed(bot) == [(1, "w_li", 5.0, 1000.0)]
    assert bot.texts("#统计 2025-03", **CADRE) == [
        "【2025年3月统计】\n覆盖企业 1 家，共享职工 1 人，调配 1 人次，人均增收 1000 元。"]


def test_confirm_usage(make_bot) -> None:  # type: ignore[no-untyped-def]
    bot = make_bot()
    bot.say(PRINT, sender="boss", name="张老板")
    usage = ["用法：#确认 编号 张三 李四 [3天]"]
    for args in ("", " 强制", " 老刘0人", " 7人", " 李四 0天"):
        assert bot.texts(f"#确认 1{args}", sender="boss", name="张老板") == usage, args


# -- the figures, by hand -------------------------------------------------------------------

def test_the_figures_of_a_month_worked_out_by_hand(make_bot, tmp_path) -> None:  # type: ignore[no-untyped-def]
    bot = make_bot()
    boss = {"sender": "boss", "name": "张老板"}
    # #1 印刷厂, 200 a day, 3-10 .. 3-12: 3 days by default, 600 a person.
    bot.say(PRINT, **boss)
    # #2 电子厂, piece rates: no pay figure.
    bot.say("电子厂招普工5名，计件，多劳多得", sender="boss2", name="王老板")
    # #3 搬家公司, a lump sum of 800 for the job: 400 each of two.
    bot.say("搬家公司搬一次家，2个人，整活800", sender="boss3", name="赵老板")
    # #4 服装厂, 4500 a month: 20 days = 4500 / 30 * 20 = 3000.
    bot.say("服装厂招车工1名，月薪4500", sender="boss4", name="钱老板")
    bot.say("报名1，我们班组7个人", sender="w_liu", name="老刘")
    bot.say("报名 1", sender="w_li", name="李四")
    bot.say("报名 2", sender="w_li", name="李四")
    bot.say("报名 2", sender="w_zhou", name="周八")
    bot.say("报名 3 2人", sender="w_zhao", name="赵六")
    bot.say("报名 4", sender="w_sun", name="孙七")
    assert bot.texts("#确认 1 老刘 李四 王五", **boss)[0].startswith("#1 这次没有记录：王五没有报名")
    bot.say("#确认 1 老刘 李四", **boss)         # 老刘 and 6 of his team, 李四: 8 × 600
    bot.say("#确认 1 老刘 李四", **boss)         # the same again: nothing added
    bot.say("#确认 1 强制 王五", **CADRE)        # vouched for by the cadre: 600
    bot.say("#确认 1 李四 2天", **boss)          # 李四 only did 2 days: 400, not 600
    bot.say("#确认 2 李四 周八 5天", sender="boss2", name="王老板")  # no pay figure
    bot.say("#确认 3 赵六", sender="boss3", name="赵老板")           # 赵六 and one more: 2 × 400
    bot.say("#确认 4 孙七 20天", sender="boss4", name="钱老板")      # 3000
    # Enterprises: 印刷厂, 电子厂, 搬家公司, 服装厂 = 4.
    # Workers: 老刘 + 6, 李四, 王五, 周八, 赵六 + 1, 孙七 = 7 + 1 + 1 + 1 + 2 + 1 = 13.
    # Placements: #1 7 + 1 + 1 = 9, #2 2, #3 2, #4 1 = 14; without a pay figure: #2's 2.
    # Income: #1 7 × 600 + 400 + 600 = 5200, #3 2 × 400 = 800, #4 3000: 9000.
    # Workers with a paid placement: all but 周八 (李四 has #1) = 12; 9000 / 12 = 750
    # (dividing by all 13, as before, would have said 692).
    want = {"enterprises": 4, "workers": 13, "placements": 14, "unpaid": 2, "paid_workers": 12,
            "income": 9000, "income_per_worker": 750}
    assert _stats(bot) == want
    text = "覆盖企业 4 家，共享职工 13 人，调配 14 人次，人均增收 750 元。\n另有2人次没有工资数，未计入增收。"
    assert bot.texts("#统计 2025-03", **CADRE) == [f"【2025年3月统计】\n{text}"]
    # The weekly report reads the same function: the same figures and the same note.
    w = weekly(bot.repo, TZ, date(2025, 3, 3), datetime(2025, 3, 10, 8, 0, tzinfo=TZ))
    assert w.placements == want
    report = replies.weekly_report(w.start, w.end - timedelta(days=1), w.placements, w.filed,
                                   w.on_time, w.satisfied, chart=True)
    assert text in report
    # The workbook: a row a person, a team's members after their head; the same summary.
    out = bot.say("#导出 调配", **CADRE)
    wb = load_workbook(out[0].file)
    rows = list(wb["调配台账"].iter_rows(min_row=2, values_only=True))
    assert len(rows) == 14
    assert [r[4] for r in rows[:3]] == ["老*", "老*同组第2人", "老*同组第3人"]
    assert sum(r[6] for r in rows if r[6] is not None) == 9000  # an empty cell: no pay figure
    assert [r for r in rows if r[6] is None] == [r for r in rows if r[1] == "#2"]
    summary = dict(wb["调配统计"].iter_rows(min_row=2, values_only=True))
    assert (summary["覆盖企业(家)"], summary["共享职工(人)"], summary["调配(人次)"],
            summary["其中没有工资数(人次)"], summary["增收合计(元)"], summary["人均增收(元)"]) == (
        4, 13, 14, 2, 9000, 750)
    assert summary["说明"] == "另有2人次没有工资数，未计入增收"


def test_erasing_a_team_head_leaves_the_team_counted_and_nothing_of_the_head(make_bot) -> None:  # type: ignore[no-untyped-def]
    bot = make_bot()
    bot.say(PRINT, sender="boss", name="张老板")
    bot.say("报名1，我们班组7个人", sender="w_liu", name="刘建国")
    bot.say("#确认 1 刘建国", sender="boss", name="张老板")
    before = _stats(bot)
    bot.say("#删除我的信息", sender="w_liu", name="刘建国")
    bot.say("#确认删除", sender="w_liu", name="刘建国", group=None)
    rows = bot.repo.s.exec(select(Allocation.worker_id, Allocation.worker_name)).all()
    assert len(rows) == 7 and not any("w_liu" in w or "刘建国" in n for w, n in rows)
    assert _stats(bot) == before


# -- the replay --------------------------------------------------------------------------------

def test_the_ledger_scenario_adds_up_by_hand(tmp_path: Path) -> None:
    """tests/data/scenarios/jobs_ledger.jsonl through `daqiao replay` (test_scenarios runs it
    against its reviewed expected file); here its figures, worked out by hand:
    #1 (200 a day, 3-10 .. 3-12, so 3 days): 老刘's team of 7, of whom 6 went, 李四, and 王五
    forced by the cadre: 8 people × 600 = 4800. #2 (piece rates): 李四 and 赵六, no pay.
    Enterprises 2; workers 老刘 + 5, 李四, 王五, 赵六 = 9; placements 8 + 2 = 10, 2 of them
    without pay; income 4800 over the 8 workers with a paid placement = 600."""
    name = "jobs_ledger"
    cfg = tmp_path / "config.yaml"
    cfg.write_text(config_of(name), encoding="utf-8")
    extra = shlex.split(a.read_text()) if (a := SCENARIOS / f"{name}.args").exists() else []
    run = daqiao("replay", str(SCENARIOS / f"{name}.jsonl"), "--config", str(cfg), "--db",
                 f"sqlite:///{tmp_path / 'd.db'}", *extra, cwd=tmp_path)
    assert run.returncode == 0, run.stderr.decode()[-2000:]
    said = {x["reply_to"]: x["text"] for x in lines(run.stdout)}
    assert said["l7"].startswith("#1 这次没有记录：王五没有报名这个岗位。")
    assert said["l9"] == "#1 老刘、李四 已确认过，不重复计。"
    assert said["l13"] == ("【2025年3月统计】\n覆盖企业 2 家，共享职工 9 人，调配 10 人次，"
                           "人均增收 600 元。\n另有2人次没有工资数，未计入增收。")


def test_the_placement_export_with_no_placements_yet(make_bot, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """An empty ledger exports (all time, at UTC+8, once overflowed before year 1)."""
    bot = make_bot(config_yaml=f"cadres: [wxid_admin]\nexports_dir: {tmp_path}\n")
    out = bot.texts("#导出 调配", sender="wxid_admin")
    assert out and "抱歉" not in out[0] and list(tmp_path.glob("*.xlsx"))
