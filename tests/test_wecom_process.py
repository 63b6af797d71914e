"""`daqiao run --transport wecom` as a user runs it: a separate process against the fake WeCom
gateway (tests/fake_wecom.py), refused, dropped, and killed with SIGKILL while messages play."""

from __future__ import annotations

import os
import random
import re
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

from sqlmodel import Session, select

from storage import make_engine
from storage.models import Message, Outbox
from tests.fake_wecom import FakeWecom

ROOT = Path(__file__).resolve().parent.parent
ROOM = "共享员工群"
TRIALS = int(os.environ.get("DAQIAO_CRASH_TRIALS", "20"))
HINT = re.compile(r"\n本群要先@小桥再说话[^\n]*$")
_MENTIONS = re.compile(r"^(?:@\S+ )+")


def _config(tmp: Path, fake: FakeWecom, **wecom: object) -> Path:
    cfg = tmp / "config.yaml"
    lines = ["timezone: Asia/Shanghai", f"default_group: {ROOM}", "wecom:",
             f"  ws_url: {fake.url}", "  chats:", f"    chat-1: {ROOM}"]
    lines += [f"  {k}: {v}" for k, v in wecom.items()]
    cfg.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return cfg


def _bot(cfg: Path, db: str, log: Path, *, secret: str = "s3cret") -> subprocess.Popen:
    env = {**os.environ, "WECOM_BOT_ID": "bot-1", "WECOM_BOT_SECRET": secret}
    return subprocess.Popen(
        [sys.executable, "-m", "bot", "run", "--transport", "wecom", "--config", str(cfg),
         "--db", db], cwd=ROOT, stdout=subprocess.DEVNULL, stderr=log.open("a"),
        stdin=subprocess.DEVNULL, env=env)


def _wait(cond, timeout: float, what: str) -> None:  # type: ignore[no-untyped-def]
    end = time.monotonic() + timeout
    while not cond():
        if time.monotonic() > end:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


def test_a_wrong_secret_exits_with_a_clear_message(tmp_path) -> None:  # type: ignore[no-untyped-def]
    fake = FakeWecom().start()
    try:
        log = tmp_path / "bot.log"
        bot = _bot(_config(tmp_path, fake), f"sqlite:///{tmp_path / 'b.db'}", log,
                   secret="wrong")
        try:
            assert bot.wait(60) == 3
        finally:
            if bot.poll() is None:
                bot.kill()
        err = log.read_text(encoding="utf-8")
        assert "daqiao: WeCom refused the bot id and secret (errcode 40001: invalid secret)" in err
        assert "check WECOM_BOT_ID and WECOM_BOT_SECRET" in err
        assert fake.refused == 1  # refused once, not retried in a loop
    finally:
        fake.stop()


def test_a_dropped_connection_recovers_and_a_replaced_one_exits(tmp_path) -> None:  # type: ignore[no-untyped-def]
    fake = FakeWecom().start()
    log = tmp_path / "bot.log"
    bot = _bot(_config(tmp_path, fake), f"sqlite:///{tmp_path / 'b.db'}", log)
    try:
        fake.wait_subscribes(1, timeout=60)
        fake.say("chat-1", "u1", "@小桥 我们印刷厂需要3名临时工，一天150，日结", name="张三")
        fake.wait_sent(1, timeout=60)
        fake.read_all()
        fake.drop()
        fake.wait_subscribes(2, timeout=60)
        fake.say("chat-1", "u2", "@小桥 报名 1", name="李四")
        sent = fake.wait_sent(2, timeout=60)
        assert "报名成功 #1" in sent[1].text
        time.sleep(1.0)
        assert len(fake.sent) == 2  # answered once
        fake.kick()  # another process took the bot id over
        assert bot.wait(60) == 3
        err = log.read_text(encoding="utf-8")
        assert "daqiao: WeCom says a newer connection with this bot id replaced this one" in err
        assert fake.subscribes == 2
    finally:
        if bot.poll() is None:
            bot.kill()
        fake.stop()


def test_sigterm_stops_cleanly(tmp_path) -> None:  # type: ignore[no-untyped-def]
    fake = FakeWecom().start()
    bot = _bot(_config(tmp_path, fake), f"sqlite:///{tmp_path / 'b.db'}", tmp_path / "bot.log")
    try:
        fake.wait_subscribes(1, timeout=60)
        bot.send_signal(signal.SIGTERM)
        assert bot.wait(60) == 0
    finally:
        if bot.poll() is None:
            bot.kill()
        fake.stop()


def _scenario(rnd: random.Random, n: int) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    posts = 0
    firms = ["印刷厂", "五金厂", "服装厂", "电子厂", "食品厂"]
    jobs = ["普工", "临时工", "包装工", "搬运工", "分拣员"]
    for _ in range(n):
        who = f"c{rnd.randint(1, 30)}"
        r = rnd.random()
        if r < 0.15 or posts == 0:
            text = (f"我们{rnd.choice(firms)}需要{rnd.randint(2, 20)}名{rnd.choice(jobs)}，"
                    f"一天{rnd.choice([150, 180, 200])}")
            posts += 1
        elif r < 0.45:
            text = f"报名 {rnd.randint(1, posts)}"
        elif r < 0.5:
            text = "有没有日结的活?"
        else:
            text = rnd.choice(["收到", "好的谢谢", "早上好", "哈哈", "辛苦了"])
        out.append((who, text))
    return out


def test_sigkill_at_random_points_loses_and_repeats_nothing(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """TRIALS (20) trials of `_trial`, two at a time (each its own gateway and database)."""
    from concurrent.futures import ThreadPoolExecutor  # noqa: PLC0415

    stats: list[dict[str, int]] = []

    def run(trial: int) -> str | None:
        d = tmp_path / f"trial{trial}"
        d.mkdir()
        try:
            stats.append(_trial(d, trial))
        except Exception as e:  # noqa: BLE001 - collected and reported below
            return f"trial {trial}: {type(e).__name__}: {e}"
        return None

    with ThreadPoolExecutor(2) as pool:
        failures = [f for f in pool.map(run, range(TRIALS)) if f]
    assert not failures, "\n".join(failures)
    # What the kills exercised (shown with -s): replies sent again as the same stream after
    # a kill, and messages the gateway delivered again.
    total = {k: sum(s[k] for s in stats) for k in ("replies", "resent_in_place", "redelivered")}
    print(f"\nWeCom SIGKILL trials: {len(stats)}, {total}")


def _trial(tmp_path: Path, trial: int) -> dict[str, int]:
    """200 @-messages play while the bot is killed once at a random moment and restarted.

    Afterwards every message is archived exactly once, and every reply the bot queued is in
    the chat exactly once: the gateway holds each outbox row's text once and nothing else. A
    reply sent again after the kill (in doubt: sent, not yet marked) goes by the message's
    req_id as the same stream, which WeCom replaces in place rather than adding a second.
    The fake delivers again, with a new req_id, every message written to the killed
    connection (the harshest case for duplicates, which the archive must absorb).
    """
    rnd = random.Random(3000 + trial)
    fake = FakeWecom().start()
    fake.redeliver = 1000
    db = f"sqlite:///{tmp_path / 'bot.db'}"
    cfg = _config(tmp_path, fake, pace_seconds=0, pace_jitter=0, pace_per_minute=0,
                  doubt_grace=1)
    log = tmp_path / "bot.log"
    bot = _bot(cfg, db, log)
    try:
        fake.wait_subscribes(1, timeout=60)
        msgs = _scenario(rnd, 200)
        kill_at = rnd.randrange(10, 190)
        for i, (who, text) in enumerate(msgs):
            fake.say("chat-1", who, f"@小桥 {text}", name=f"工友{who[1:]}")
            time.sleep(0.004)
            if i == kill_at:
                time.sleep(rnd.uniform(0, 0.3))
                bot.kill()  # SIGKILL: no cleanup, no flush
                bot.wait(10)
                bot = _bot(cfg, db, log)
        engine = make_engine(db)

        def settled() -> bool:
            with Session(engine) as s:
                archived = s.exec(select(Message)).all()
                unsent = s.exec(select(Outbox).where(Outbox.sent_at == None)).all()  # noqa: E711
            return len(archived) >= 200 and not unsent

        _wait(settled, 120, "every message archived and every reply sent")
        # A last message, answered privately: re-deliveries come ahead of it and the bot
        # handles messages in order, so once it is answered every copy has been handled.
        last = fake.say(None, "c-last", "帮助", name="最后一位")
        fake.wait_sent_where(lambda s: s.chat == "c-last", timeout=60)
        with Session(engine) as s:
            archived = s.exec(select(Message)).all()
            rows = s.exec(select(Outbox)).all()
        ids = Counter(m.message_id for m in archived)
        assert last in ids and len(ids) == 201 and set(ids.values()) == {1}
        assert all(m.status == "done" for m in archived), Counter(m.status for m in archived)
        expected = Counter(r.text for r in rows)
        got = Counter(HINT.sub("", _MENTIONS.sub("", s.text)) for s in fake.sent)
        assert got == expected, (got - expected, expected - got)
        assert sum(expected.values()) > 50  # the scenario made the bot talk
        return {"replies": len(fake.sent), "resent_in_place": sum(s.replaced for s in fake.sent),
                "redelivered": fake.redelivered}
    finally:
        if bot.poll() is None:
            bot.kill()
            bot.wait(10)
        fake.stop()
