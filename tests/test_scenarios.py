"""Issue 4's acceptance scenarios, each a replay file run through the real `daqiao replay`.

tests/data/scenarios/NAME.jsonl is fed to the command (with NAME.args, if present, as extra
arguments, and NAME.yaml, if present, as the config), run in a folder of its own; its output
must equal NAME.expected.jsonl line for line (reviewed by hand when
written), contain no unmasked phone number in a group, and a second replay of the same file
must print nothing.
"""

from __future__ import annotations

import shlex
from pathlib import Path

import pytest

from tests.scenario_privacy import leaks
from tests.test_cli import CONFIG, daqiao, lines


def public_numbers_of(cfg: Path) -> frozenset[str]:
    from bot.config import load_config

    return load_config(cfg).public_numbers

SCENARIOS = Path(__file__).resolve().parent / "data" / "scenarios"
NAMES = sorted(p.stem for p in SCENARIOS.glob("*.jsonl") if not p.stem.endswith(".expected"))


def config_of(name: str) -> str:
    """NAME.yaml, else the family's (cadre_friday: cadre.yaml), else the minimal config."""
    for stem in (name, name.split("_")[0]):
        own = SCENARIOS / f"{stem}.yaml"
        if own.exists():
            return own.read_text(encoding="utf-8")
    return CONFIG


@pytest.mark.parametrize("name", NAMES)
def test_scenario(name: str, tmp_path: Path) -> None:
    cfg = tmp_path / "config.yaml"
    cfg.write_text(config_of(name), encoding="utf-8")
    args_file = SCENARIOS / f"{name}.args"
    extra = shlex.split(args_file.read_text()) if args_file.exists() else []
    url = f"sqlite:///{tmp_path / 'd.db'}"
    run = daqiao("replay", str(SCENARIOS / f"{name}.jsonl"), "--config", str(cfg), "--db", url,
                 *extra, cwd=tmp_path)
    assert run.returncode == 0, run.stderr.decode()[-2000:]
    got = lines(run.stdout)
    want = lines((SCENARIOS / f"{name}.expected.jsonl").read_bytes())
    assert got == want
    assert leaks(url, public_numbers_of(cfg)) == []
    again = daqiao("replay", str(SCENARIOS / f"{name}.jsonl"), "--config", str(cfg), "--db", url,
                   *extra, cwd=tmp_path)
    assert again.returncode == 0 and again.stdout == b""


def test_every_acceptance_scenario_is_here() -> None:
    assert set(NAMES) == {"ambiguous", "cancel_edit", "claims_fill", "expiry", "matching",
                          "placements", "repost", "roster", "requests", "privacy",
                          "cadre_private", "cadre_unsatisfied", "cadre_holiday", "cadre_friday",
                          "cadre_pressed", "jobs_claims", "jobs_ledger", "jobs_matching",
                          "jobs_notices",
                          "wishes_wall",
                          "opinions_draft",
                          "hazard_photo", "share_lunch"}


def test_the_scenarios_show_what_issue_4_asks() -> None:
    def texts(name: str) -> list[str]:
        return [x["text"] for x in lines((SCENARIOS / f"{name}.expected.jsonl").read_bytes())]

    fill = texts("claims_fill")
    assert sum("报名成功 #1" in t for t in fill) == 3 and any("已招满" in t for t in fill)
    assert fill[-1] == "#1 已经招满了，看看别的岗位吧，发“#列表”查看。"
    assert [t for t in texts("roster") if "接龙已记录" in t][3].startswith("#1 接龙已记录：修改")
    assert "取消 李四" in texts("roster")[-1]
    assert texts("repost")[1].startswith("@张老板 已更新 #1")
    assert texts("ambiguous")[2].startswith("@李四 你想报哪一个？")
    assert texts("expiry")[-1] == "#1 已过期，不能报名了。"
    assert any("新岗位 #2 可能适合" in t for t in texts("matching"))
    assert "保安" in texts("matching")[-1] and "木工" not in texts("matching")[-1]
    assert texts("placements")[-1].endswith("调配 3 人次，人均增收 2100 元。")
    reqs = lines((SCENARIOS / "requests.expected.jsonl").read_bytes())
    assert any("R5 已撤回" in x["text"] for x in reqs)
    # R3 was filed by direct message: nothing of its content reaches any group.
    assert all("拖欠" not in x["text"] and "恒科" not in x["text"] for x in reqs if x["group"])


def test_the_jobs_notices_scenario_tells_the_claimants_privately() -> None:
    """Issue 27: claimants told of a pay change, a date change and the close, each privately,
    the group hearing one line naming them; a claim on an offer's number puts the employer
    in touch with the offerer."""
    out = lines((SCENARIOS / "jobs_notices.expected.jsonl").read_bytes())
    private = [(x["to"], x["text"]) for x in out if x["group"] is None]
    for change in ("工资改为 180元/天", "日期改为 3月5日起，到3月6日"):
        assert {to for to, t in private if change in t} == {"wx_li", "wx_wang"}, change
        when = next(y["time"] for y in out if change in y["text"])
        notes = [x["text"] for x in out if x["group"] and x["time"] == when
                 and x["text"].endswith("内容已私信发给你。")]
        assert notes == ["@李四 @王五 内容已私信发给你。"]
    # 王五 cancelled before the close: only 李四 is told it is closed.
    assert [to for to, t in private if "已经关闭，不用去了" in t] == ["wx_li"]
    assert any(to == "wx_zhaoboss" and "13700001234" in t for to, t in private)
    assert any(to == "wx_xiaoliu" and "13600001111" in t for to, t in private)


def test_request_ledger_matches_the_requests_scenario(tmp_path: Path) -> None:
    """Issue 5: replay the requests scenario, export the ledger, read it back with openpyxl."""
    from openpyxl import load_workbook

    cfg = tmp_path / "config.yaml"
    cfg.write_text(CONFIG, encoding="utf-8")
    url = f"sqlite:///{tmp_path / 'd.db'}"
    extra = shlex.split((SCENARIOS / "requests.args").read_text())
    assert daqiao("replay", str(SCENARIOS / "requests.jsonl"), "--config", str(cfg), "--db", url,
                  *extra).returncode == 0
    out = tmp_path / "ledger.xlsx"
    run = daqiao("export", "requests", "--xlsx", str(out), "--config", str(cfg), "--db", url)
    assert run.returncode == 0, run.stderr.decode()
    wb = load_workbook(out)
    rows = list(wb["诉求台账"].iter_rows(values_only=True))
    head, body = rows[0], rows[1:]
    col = {name: i for i, name in enumerate(head)}
    got = [(r[col["编号"]], r[col["诉求人"]], r[col["渠道"]], r[col["等级"]], r[col["状态"]],
            r[col["是否按时"]], r[col["满意度(1-5)"]]) for r in body]
    assert got == [
        ("R1", "钱*", "群内", "小事", "已销号", "是", 5),      # answered in 20 min, rated 满意
        ("R2", "孙*", "群内", "急事", "办理中", "否", 1),      # 不满意, reopened, then overdue
        # regraded, waited on the requester, then no feedback within three days of her answer
        # (the export judges at today's date; 难事三日反馈)
        ("R3", "周*", "私信", "难事", "办理中", "否", None),
        ("R4", "吴*", "群内", "小事", "已受理", "否", None),   # nobody answered: reminded, 督办
        ("R5", "郑*", "群内", "小事", "已撤回", "已撤回", None),  # withdrawn: in no rate
    ]
    stats = {(r[0], r[1]): r for r in wb["诉求统计"].iter_rows(min_row=2, values_only=True)}
    assert stats[("合计", "全部")][2:] == (5, 0.44, "25%", "50%")
    assert stats[("等级", "小事")][4] == "50%"


@pytest.mark.parametrize("name", ["claims_fill", "requests", "roster"])
def test_scenario_on_postgresql(name: str, tmp_path: Path, pg_url: str) -> None:
    """The same replay through the real command on PostgreSQL gives the same output."""
    cfg = tmp_path / "config.yaml"
    cfg.write_text(CONFIG, encoding="utf-8")
    args_file = SCENARIOS / f"{name}.args"
    extra = shlex.split(args_file.read_text()) if args_file.exists() else []
    run = daqiao("replay", str(SCENARIOS / f"{name}.jsonl"), "--config", str(cfg), "--db", pg_url,
                 *extra)
    assert run.returncode == 0, run.stderr.decode()[-2000:]
    assert lines(run.stdout) == lines((SCENARIOS / f"{name}.expected.jsonl").read_bytes())
    again = daqiao("replay", str(SCENARIOS / f"{name}.jsonl"), "--config", str(cfg), "--db",
                   pg_url, *extra)
    assert again.returncode == 0 and again.stdout == b""
