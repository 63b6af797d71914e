"""`daqiao run --transport wechaty` as a user runs it: a separate process, against a puppet
service started on its own, and killed with SIGKILL while a scenario plays."""

from __future__ import annotations

import json
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
from tests.fake_puppet import FakePuppet

ROOT = Path(__file__).resolve().parent.parent
ROOM = "共享员工群"
TRIALS = int(os.environ.get("DAQIAO_CRASH_TRIALS", "20"))


def _free_port() -> int:
    import socket  # noqa: PLC0415

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _config(tmp: Path, **wechaty: float) -> Path:
    cfg = tmp / "config.yaml"
    lines = ["timezone: Asia/Shanghai", f"default_group: {ROOM}", "wechaty:"]
    lines += [f"  {k}: {v}" for k, v in wechaty.items()]
    cfg.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return cfg


def _bot(cfg: Path, db: str, port: int, log: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "bot", "run", "--transport", "wechaty",
         "--endpoint", f"127.0.0.1:{port}", "--config", str(cfg), "--db", db],
        cwd=ROOT, stdout=subprocess.DEVNULL, stderr=log.open("a"), stdin=subprocess.DEVNULL)


def _wait(cond, timeout: float, what: str) -> None:  # type: ignore[no-untyped-def]
    """Poll `cond` (a state in another process) until it holds; the timeout bounds a failure."""
    end = time.monotonic() + timeout
    while not cond():
        if time.monotonic() > end:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


def test_daqiao_run_against_a_separately_started_puppet_service(tmp_path) -> None:  # type: ignore[no-untyped-def]
    port = _free_port()
    script = tmp_path / "script.jsonl"
    script.write_text("\n".join(json.dumps(m, ensure_ascii=False) for m in [
        {"sender": "c1", "name": "张三", "text": "我们印刷厂需要3名临时工，一天150，日结"},
        {"sender": "c2", "name": "李四", "text": "报名 1"},
    ]) + "\n", encoding="utf-8")
    sends = tmp_path / "sends.jsonl"
    gateway = subprocess.Popen(
        [sys.executable, "-m", "tests.fake_puppet", "--port", str(port), "--script", str(script),
         "--wait", "4", "--log", str(sends)], cwd=ROOT, stdout=subprocess.PIPE, text=True)
    try:
        assert "fake puppet service on" in (gateway.stdout.readline() if gateway.stdout else "")
        bot = _bot(_config(tmp_path, pace_seconds=0.2), f"sqlite:///{tmp_path / 'bot.db'}", port,
                   tmp_path / "bot.log")
        try:
            # Whole lines only: the gateway may be half-way through writing one.
            _wait(lambda: sends.exists() and sends.read_text(encoding="utf-8").count("\n") >= 2,
                  60, "the bot's two replies")
            lines = sends.read_text(encoding="utf-8").split("\n")[:-1]
            got = [json.loads(x) for x in lines]
            assert "已登记招工 #1" in got[0]["text"] and got[0]["conversation_id"] == "room-1"
            assert "报名成功 #1" in got[1]["text"]
            bot.send_signal(signal.SIGTERM)
            assert bot.wait(60) == 0
        finally:
            if bot.poll() is None:
                bot.kill()
    finally:
        gateway.send_signal(signal.SIGINT)
        gateway.wait(10)


def _scenario(rnd: random.Random, n: int) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    posts = 0
    firms = ["印刷厂", "五金厂", "服装厂", "电子厂", "食品厂"]
    jobs = ["普工", "临时工", "包装工", "搬运工", "分拣员"]
    for _ in range(n):
        who = f"c{rnd.randint(1, 30)}"
        r = rnd.random()
        if r < 0.15 or posts == 0:
            text = f"我们{rnd.choice(firms)}需要{rnd.randint(2, 20)}名{rnd.choice(jobs)}，一天{rnd.choice([150, 180, 200])}"
            posts += 1
        elif r < 0.45:
            text = f"报名 {rnd.randint(1, posts)}"
        elif r < 0.5:
            text = "有没有日结的活?"
        else:
            text = rnd.choice(["收到", "好的谢谢", "早上好", "哈哈", "辛苦了"])
        out.append((who, text))
    return out


_MENTIONS = re.compile(r"^(?:@\S+ )+")


def test_sigkill_at_random_points_loses_and_repeats_nothing(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """TRIALS (20) trials of `_trial`, two at a time (each has its own gateway and database)."""
    from concurrent.futures import ThreadPoolExecutor  # noqa: PLC0415

    def run(trial: int) -> str | None:
        d = tmp_path / f"trial{trial}"
        d.mkdir()
        try:
            _trial(d, trial)
        except Exception as e:  # noqa: BLE001 - collected and reported below
            return f"trial {trial}: {type(e).__name__}: {e}"
        return None

    with ThreadPoolExecutor(2) as pool:
        failures = [f for f in pool.map(run, range(TRIALS)) if f]
    assert not failures, "\n".join(failures)


def _trial(tmp_path: Path, trial: int) -> None:
    """200 messages play while the bot is killed once at a random moment and restarted.

    Afterwards every message is archived exactly once and every reply the bot queued was
    sent exactly once: the gateway received each outbox row's text once and nothing else.
    The fake keeps events while no stream is open and re-delivers earlier ones on a new
    stream; the echo of a send settles a reply left in doubt by the kill.
    """
    rnd = random.Random(1000 + trial)
    fake = FakePuppet().start()
    # Events sent down a stream whose client was just killed are lost on the wire (the
    # server can't know what was read), so the fake, like a gateway that keeps its recent
    # messages, re-delivers them on the next stream: here all of them, the harshest case
    # for duplicates, which the archive must absorb.
    fake.redeliver = 1000
    members = {f"c{i}": f"工友{i}" for i in range(1, 31)}
    fake.add_room("room-1", ROOM, members)
    fake.login("bot-self")
    db = f"sqlite:///{tmp_path / 'bot.db'}"
    cfg = _config(tmp_path, pace_seconds=0, pace_jitter=0, pace_per_minute=0)
    log = tmp_path / "bot.log"
    bot = _bot(cfg, db, fake.port, log)
    try:
        fake.wait_streams(1, timeout=60)
        msgs = _scenario(rnd, 200)
        kill_at = rnd.randrange(10, 190)
        for i, (who, text) in enumerate(msgs):
            fake.say("room-1", who, text)
            time.sleep(0.004)
            if i == kill_at:
                time.sleep(rnd.uniform(0, 0.3))
                bot.kill()  # SIGKILL: no cleanup, no flush
                bot.wait(10)
                bot = _bot(cfg, db, fake.port, log)
        engine = make_engine(db)

        def settled() -> bool:
            with Session(engine) as s:
                archived = s.exec(select(Message)).all()
                unsent = s.exec(select(Outbox).where(Outbox.sent_at == None)).all()  # noqa: E711
            return len(archived) >= 200 and not unsent

        _wait(settled, 120, "every message archived and every reply sent")
        # Then a last message, answered privately: the gateway re-delivers earlier messages
        # ahead of anything new and the bot handles them in order, so once this one is
        # answered the bot has handled every copy it was given, and any reply sent twice is
        # in fake.sent.
        fake.add_contact("c-last", "最后一位")
        last = fake.say(None, "c-last", "帮助")
        fake.wait_sent_where(lambda s: s.conversation_id == "c-last", timeout=60)
        with Session(engine) as s:
            archived = s.exec(select(Message)).all()
            rows = s.exec(select(Outbox)).all()
        ids = Counter(m.message_id for m in archived)
        assert last in ids and len(ids) == 201 and set(ids.values()) == {1}
        assert all(m.status == "done" for m in archived), Counter(m.status for m in archived)
        expected = Counter(r.text for r in rows)
        got = Counter(_MENTIONS.sub("", s.text) for s in fake.sent)
        assert got == expected, (got - expected, expected - got)
        assert sum(expected.values()) > 50  # the scenario made the bot talk
    finally:
        if bot.poll() is None:
            bot.kill()
            bot.wait(10)
        fake.stop()


def test_daqiao_run_reaches_a_tls_gateway_by_the_official_variables(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Issue 29: `daqiao run` against a gateway that requires ALPN h2 and presents a
    certificate for gateway.test (not the address dialled), given the CA and the server
    name the way the official client takes them; the token goes along, Start is called."""
    from tests.tls_certs import TestCA  # noqa: PLC0415

    ca = TestCA(tmp_path)
    fake = FakePuppet(token="insecure_abc", ssl=ca.issue("gateway.test").server_context()).start()
    fake.add_room("room-1", ROOM, {"c1": "张三"})
    fake.login("bot-self")
    env = dict(os.environ, WECHATY_PUPPET_SERVICE_TOKEN="insecure_abc",
               WECHATY_PUPPET_SERVICE_TLS_CA_CERT=ca.pem.replace("\n", "\\n"),
               WECHATY_PUPPET_SERVICE_TLS_SERVER_NAME="gateway.test")
    log = tmp_path / "bot.log"
    bot = subprocess.Popen(
        [sys.executable, "-m", "bot", "run", "--transport", "wechaty",
         "--endpoint", f"127.0.0.1:{fake.port}", "--config", str(_config(tmp_path, pace_seconds=0.2)),
         "--db", f"sqlite:///{tmp_path / 'bot.db'}"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=log.open("a"), stdin=subprocess.DEVNULL)
    try:
        fake.wait_streams(1, timeout=60)
        fake.wait_starts(1, timeout=60)
        fake.say("room-1", "c1", "我们印刷厂需要3名临时工，一天150，日结")
        assert "已登记招工 #1" in fake.wait_sent(1, timeout=60)[0].text
        assert fake.auth_seen[-1] == "Wechaty insecure_abc" and fake.alpn_refused == 0
        bot.send_signal(signal.SIGTERM)
        assert bot.wait(60) == 0
        said = log.read_text(encoding="utf-8")
        assert "server name 'gateway.test' as configured, trusting the configured CA" in said
    finally:
        if bot.poll() is None:
            bot.kill()
            bot.wait(10)
        fake.stop()
