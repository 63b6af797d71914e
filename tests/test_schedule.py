"""Eight simulated days with a restart: one digest per group per active day, the cadre group's
digest, and the Monday report with a chart whose labels are Chinese."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from tests.test_cli import DATA, daqiao, lines

CONFIG = """timezone: Asia/Shanghai
cadres: [wxid_cadre_zheng]
groups:
  - name: 干部群
    cadre_group: true
exports_dir: {out}
"""


def test_eight_days_with_a_restart(tmp_path: Path) -> None:
    from PIL import Image

    cfg = tmp_path / "config.yaml"
    cfg.write_text(CONFIG.format(out=tmp_path / "out"), encoding="utf-8")
    url = f"sqlite:///{tmp_path / 'd.db'}"
    first = daqiao("replay", str(DATA / "week_part1.jsonl"), "--config", str(cfg), "--db", url,
                   "--clock", "simulated", "--until", "2025-03-09T12:00:00+08:00")
    assert first.returncode == 0, first.stderr.decode()[-1500:]
    # Stopped and started again: the clock resumes where the database left it.
    second = daqiao("replay", str(DATA / "week_part2.jsonl"), "--config", str(cfg), "--db", url,
                    "--clock", "simulated", "--until", "2025-03-14T09:00:00+08:00")
    assert second.returncode == 0, second.stderr.decode()[-1500:]
    out = lines(first.stdout) + lines(second.stdout)

    daily = [(x["group"], x["time"][:10]) for x in out if x["text"].startswith("【每日岗位速递】")]
    assert sorted(daily) == sorted([
        ("一群", "2025-03-07"), ("一群", "2025-03-08"), ("一群", "2025-03-11"),
        ("二群", "2025-03-07"), ("二群", "2025-03-10"), ("二群", "2025-03-14")])
    assert all(t.endswith("08:30:00+08:00") for t in
               (x["time"] for x in out if x["text"].startswith("【每日岗位速递】")))
    assert max(Counter(daily).values()) == 1

    # The cadre digest: working days only (nothing urgent is open over the weekend), and only
    # when there is something to say (on Monday: Saturday's resolution).
    cadre = [x for x in out if x["group"] == "干部群" and x["text"].startswith("【诉求日报】")]
    assert [x["time"][:10] for x in cadre] == ["2025-03-07", "2025-03-10"]
    assert all(x["time"].endswith("08:30:00+08:00") for x in cadre)
    assert "已超时" in cadre[0]["text"] and "R1 小事 设施服务" in cadre[0]["text"]

    weekly = [x for x in out if x["text"].startswith("【工会周报】")]
    assert [(x["group"], x["time"]) for x in weekly] == [("干部群", "2025-03-10T08:00:00+08:00")]
    text = weekly[0]["text"]
    assert "3月3日-3月9日" in text and "调配 1 人次" in text and "诉求 1 件" in text
    assert "没有中文字体" not in text and text.endswith("[附件] 周报2025年03月03日.png")
    png = tmp_path / "out" / "周报2025年03月03日.png"
    with Image.open(png) as im:
        assert im.format == "PNG" and im.size[0] >= 800
        assert "Noto Sans CJK" in im.info.get("Font", "")  # drawn with a Chinese font

    # R1 was resolved on Saturday, a day without a cadre digest: the next digest after it
    # still tells the cadres it was resolved.
    assert "3月7日以来办结：\nR1" in cadre[1]["text"]


def test_a_digest_job_run_twice_for_one_time_sends_each_digest_once(make_bot) -> None:  # type: ignore[no-untyped-def]
    """Scheduled messages are keyed by what they are about, not by their place in a run: a
    catch-up run that finds one more group due (resumed meanwhile) neither repeats the first
    group's digest nor loses the second's."""
    from datetime import datetime

    from tests.conftest import TZ

    bot = make_bot()
    bot.say("我们印刷厂需要3名临时工，一天200", sender="boss", group="A群")
    bot.say("我们五金厂需要2名普工，一天180", sender="boss2", group="B群")
    bot.say("#暂停", sender="wxid_cadre", group="B群")
    due = datetime(2025, 3, 4, 8, 30, tzinfo=TZ)
    bot.clock.set(datetime(2025, 3, 4, 9, 0, tzinfo=TZ))
    bot.app.catch_up(bot.clock.now())
    bot.say("#恢复", sender="wxid_cadre", group="B群", at=datetime(2025, 3, 4, 9, 1, tzinfo=TZ))
    bot.app.catch_up(bot.clock.now())
    digests = [(r.group_name, r.time) for r in bot.transport.sent if "岗位速递" in r.text]
    assert sorted(digests) == [("A群", due), ("B群", due)]
