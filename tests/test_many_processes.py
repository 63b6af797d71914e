"""Issue 29: several bot processes on one PostgreSQL.

Three real `daqiao replay --clock simulated` processes share one fresh PostgreSQL schema and
read overlapping streams from their standard input (a line given to two processes is the same
message: the second finds it archived). One process is SIGKILLed in the middle of the claims
and started again with its lines. Afterwards: every message archived once and none failed, no
group or member twice, no posting overfilled (40 postings of one place, each claimed by two
workers through two processes at once), one digest per group per day, each scheduled job run
once per due time, and a demotion and a pause made through one process obeyed by the others
at their next message.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import ProgrammingError

from storage import make_engine
from tests.conftest import PG_BASE

ROOT = Path(__file__).resolve().parent.parent
DAQIAO = [str(ROOT / ".venv" / "bin" / "daqiao")] if (ROOT / ".venv" / "bin" / "daqiao").exists() \
    else [sys.executable, "-m", "bot"]
ADMIN = "wxid_admin"
G1, G2 = "共享员工群", "二号群"
N_POSTINGS = 40
CONFIG = f"""timezone: Asia/Shanghai
bot:
  name: 小桥
cadres: [{ADMIN}]
"""


@pytest.fixture
def pg_schema(pg_available: None) -> Iterator[tuple[str, object]]:
    """A fresh schema: its URL for the processes and an engine for the test's own reads."""
    schema = f"t_{uuid.uuid4().hex[:12]}"
    base = make_engine(PG_BASE)
    with base.begin() as c:
        c.execute(text(f'create schema "{schema}"'))
    url = f"{PG_BASE}?options=-csearch_path%3D{schema}"
    eng = make_engine(url)
    yield url, eng
    eng.dispose()
    with base.begin() as c:
        c.execute(text(f'drop schema "{schema}" cascade'))
    base.dispose()


class Bot:
    """One `daqiao replay -` process, fed line by line."""

    def __init__(self, name: str, cfg: Path, url: str, tmp: Path) -> None:
        self.name, self.cfg, self.url, self.tmp = name, cfg, url, tmp
        self.runs = 0
        self.start()

    def start(self) -> None:
        self.runs += 1
        self.err = (self.tmp / f"{self.name}.{self.runs}.err").open("wb")
        self.out = (self.tmp / f"{self.name}.{self.runs}.out").open("wb")
        self.p = subprocess.Popen(
            [*DAQIAO, "replay", "-", "--clock", "simulated", "--config", str(self.cfg),
             "--db", self.url], stdin=subprocess.PIPE, stdout=self.out, stderr=self.err,
            cwd=ROOT, env={**os.environ, "PYTHONUNBUFFERED": "1"})

    def send(self, lines: list[dict]) -> None:
        assert self.p.stdin is not None
        self.p.stdin.write("".join(json.dumps(x, ensure_ascii=False) + "\n"
                                   for x in lines).encode("utf-8"))
        self.p.stdin.flush()

    def kill(self) -> None:
        self.p.send_signal(signal.SIGKILL)
        self.p.wait(timeout=10)
        self.err.close()
        self.out.close()

    def finish(self) -> int:
        assert self.p.stdin is not None
        self.p.stdin.close()
        rc = self.p.wait(timeout=60)
        self.err.close()
        self.out.close()
        return rc

    def stderr(self) -> str:
        return "".join((self.tmp / f"{self.name}.{k}.err").read_text("utf-8", "replace")
                       for k in range(1, self.runs + 1))


def line(mid: str, minute: int, sender: str, body: str, group: str | None = G1,
         day: int = 3) -> dict:
    return {"id": mid, "time": f"2025-03-{day:02d}T{9 + minute // 60:02d}:{minute % 60:02d}:00+08:00",
            "group": group, "sender": sender, "sender_id": sender, "text": body}


def wait_archived(eng, ids: list[str], timeout: float = 40.0) -> None:  # type: ignore[no-untyped-def]
    """Until every one of these messages is archived (by whichever process)."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            with eng.connect() as c:
                n = c.execute(text("select count(distinct message_id) from messages "
                                   "where message_id = any(:ids)"), {"ids": ids}).scalar()
        except ProgrammingError:  # no table yet: the processes are still starting
            n = 0
        if n == len(ids):
            return
        assert time.monotonic() < deadline, f"only {n} of {len(ids)} messages archived"
        time.sleep(0.1)


def scalar(eng, sql: str, **kw: object) -> object:  # type: ignore[no-untyped-def]
    with eng.connect() as c:
        return c.execute(text(sql), kw).scalar()


def rows(eng, sql: str, **kw: object) -> list:  # type: ignore[no-untyped-def]
    with eng.connect() as c:
        return list(c.execute(text(sql), kw).all())


def test_three_processes_share_one_postgresql(pg_schema, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    url, eng = pg_schema
    cfg = tmp_path / "config.yaml"
    cfg.write_text(CONFIG, encoding="utf-8")
    # Three processes start at once on an empty schema: their migrations must not race.
    bots = [Bot(n, cfg, url, tmp_path) for n in ("a", "b", "c")]
    a, b, c = bots
    sent: set[str] = set()

    def to(bot: Bot, lines: list[dict]) -> None:
        sent.update(x["id"] for x in lines)
        bot.send(lines)

    # -- 1. one stream to all three: groups and members first seen by all at once ------------
    setup = [line("s-hello-c1", 0, "c1", "大家好"), line("s-hello-w", 1, "w", "大家好", G2)]
    setup += [line(f"s-post-{k}", 2 + k % 30, f"boss{k}",
                   f"我们厂需要1名临时工,一天{200 + k}元") for k in range(N_POSTINGS)]
    setup += [line("s-open", 33, "boss_open", "我们印刷厂需要5名包装工,一天180元")]  # digest
    setup += [line(f"s-req-{k}", 35, f"r{k}", f"#诉求 工地拖欠第{k + 1}个月工资") for k in range(6)]
    setup += [line("s-promote", 40, ADMIN, "#管理员 添加 c1")]
    for bot in bots:
        to(bot, setup)
    wait_archived(eng, [x["id"] for x in setup], timeout=60)
    posts = [r[0] for r in rows(eng, "select id from postings where kind = 'job' "
                                     "and headcount = 1 order by id")]
    assert len(posts) == N_POSTINGS
    assert scalar(eng, "select count(*) from postings") == N_POSTINGS + 1
    reqs = [r[0] for r in rows(eng, "select id from requests order by id")]
    assert len(reqs) == 6

    # -- 2. claims: each posting's one place claimed by two workers through two processes ----
    claims: list[list[dict]] = [[], [], []]
    for k, pid in enumerate(posts):
        first = line(f"c-{pid}-x", 60 + k % 20, f"x{k}", f"#报名 {pid}")
        second = line(f"c-{pid}-y", 60 + k % 20, f"y{k}", f"#报名 {pid}")
        claims[k % 3].append(first)
        claims[(k + 1) % 3].append(second)
        claims[(k + 2) % 3].append(first)  # and the same message again, elsewhere
    for bot, lines in zip(bots, claims, strict=True):
        to(bot, lines)
    claim_ids = sorted({x["id"] for lines in claims for x in lines})
    deadline = time.monotonic() + 30
    while scalar(eng, "select count(*) from messages where message_id = any(:ids)",
                 ids=claim_ids) < len(claim_ids) // 4:  # the claims are under way: now
        assert time.monotonic() < deadline
        time.sleep(0.01)
    c.kill()
    c.start()
    to(c, setup + claims[2])  # started again with its lines: what it archived is skipped
    wait_archived(eng, claim_ids)

    # -- 3. every process holds c1 as a cadre and 二号群 as speaking; then one changes both ---
    before = [line(f"d-before-{n}", 100 + i, "c1", f"#派单 R{reqs[i]} 交通局")
              for i, n in enumerate("abc")]
    helps = [line(f"h-before-{n}", 100 + i, "w", "#帮助", G2) for i, n in enumerate("abc")]
    for i, bot in enumerate(bots):
        to(bot, [before[i], helps[i]])
    wait_archived(eng, [x["id"] for x in before + helps])
    change = [line("x-demote", 110, ADMIN, "#管理员 移除 c1"), line("x-pause", 111, ADMIN, "#暂停", G2)]
    to(a, change)
    wait_archived(eng, [x["id"] for x in change])
    after = [line(f"d-after-{n}", 120 + i, "c1", f"#派单 R{reqs[3 + i]} 交通局")
             for i, n in enumerate("abc")]
    helps_after = [line(f"h-after-{n}", 120 + i, "w", "#帮助", G2) for i, n in enumerate("abc")]
    for i, bot in enumerate(bots):
        to(bot, [after[i], helps_after[i]])
    wait_archived(eng, [x["id"] for x in after + helps_after])

    # -- 4. the next morning, in every process: the 08:30 digest is due in all three ----------
    morning = [line(f"m-{n}", 0, f"early{n}", "早上好", day=4) for n in "abc"]
    for bot, m in zip(bots, morning, strict=True):
        to(bot, [m])
    for bot in bots:
        assert bot.finish() == 0, bot.stderr()[-3000:]

    # Every message archived once, none failed.
    assert scalar(eng, "select count(*) from messages") == len(sent)
    assert scalar(eng, "select count(distinct message_id) from messages") == len(sent)
    failed = rows(eng, "select message_id, error from messages where status = 'failed'")
    assert failed == []
    # No group or member twice.
    assert sorted(r[0] for r in rows(eng, "select name from groups")) == sorted([G1, G2])
    senders = {x.get("sender_id") for x in setup + [y for ls in claims for y in ls]
               + before + helps + change + after + helps_after + morning}
    assert scalar(eng, "select count(*) from members") == len(senders)
    # No posting overfilled: one claim on each, none left over.
    per_posting = rows(eng, "select posting_id, sum(headcount) from claims "
                            "where status = 'active' group by posting_id")
    assert len(per_posting) == N_POSTINGS and {n for _, n in per_posting} == {1}
    assert scalar(eng, "select count(*) from claims") == N_POSTINGS
    assert rows(eng, "select distinct status from postings where headcount = 1") == [("filled",)]
    # The promotion was obeyed everywhere, and so was the demotion, at the next message.
    dept = dict(rows(eng, "select id, department from requests"))
    assert [dept[r] for r in reqs[:3]] == ["交通局"] * 3
    assert [dept[r] for r in reqs[3:]] == [None] * 3
    # The pause: 二号群 heard #帮助 through each process before it, and nothing after it.
    def group_replies(mid: str) -> int:
        return scalar(eng, "select count(*) from outbox o join messages m on o.key like "
                           "'m' || m.id || ':%' join groups g on g.id = o.group_id "
                           "where m.message_id = :mid and g.name = :g", mid=mid, g=G2)
    assert [group_replies(x["id"]) > 0 for x in helps] == [True] * 3
    assert [group_replies(x["id"]) for x in helps_after] == [0] * 3
    # One digest per group per day, each scheduled job once per due time.
    digests = rows(eng, "select group_id, count(*) from outbox where key like 'digest:%' "
                        "group by group_id")
    # (二号群 is paused: no digest there.)
    assert len(digests) == 1 and {n for _, n in digests} == {1}
    assert [tuple(r) for r in rows(eng, "select count(*), count(distinct (group_id, day)) "
                                        "from digest_log where kind = 'daily'")] == [(1, 1)]
    assert scalar(eng, "select count(*) from job_runs where job like 'digest@%'") == 1
    assert scalar(eng, "select count(*) from (select job, due from job_runs "
                       "group by job, due having count(*) > 1) d") == 0
    # Nobody fell over on the way (the killed process aside, which says nothing).
    for bot in (a, b):
        assert "Traceback" not in bot.stderr()


def test_migrations_started_together_do_not_race(pg_url: str) -> None:
    """Four processes starting at once on one empty schema: one migrates, the others wait for
    it and find the schema current (no 'duplicate key … pg_type_typname_nsp_index')."""
    code = "import sys; from storage import make_engine, migrate; migrate(make_engine(sys.argv[1]))"
    procs = [subprocess.Popen([sys.executable, "-c", code, pg_url], cwd=ROOT,
                              stderr=subprocess.PIPE) for _ in range(4)]
    errors = [p.communicate(timeout=60)[1].decode("utf-8", "replace") for p in procs]
    assert [p.returncode for p in procs] == [0] * 4, "\n".join(errors)[-3000:]
    eng = make_engine(pg_url)
    assert scalar(eng, "select version_num from alembic_version") == "0013"
    eng.dispose()


def test_0013_keeps_groups_that_would_break_the_new_keys(db_url: str) -> None:
    """Duplicates from before (two groups of one room id, two unbound groups of one name) are
    kept, and every look-up still finds the oldest, as before."""
    from datetime import UTC, datetime

    from alembic import command
    from alembic.config import Config as AlembicConfig

    from storage import Repository, migrate

    eng = make_engine(db_url)
    cfg = AlembicConfig()
    cfg.set_main_option("script_location", str(ROOT / "storage" / "migrations"))
    with eng.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "0012")
    now = datetime(2025, 3, 3, tzinfo=UTC)
    with eng.begin() as c:
        for name, ext in [("甲群", "room1"), ("甲群改名", "room1"), ("乙群", None), ("乙群", None)]:
            c.execute(text("insert into groups (name, transport, external_id, paused, "
                           "is_cadre_group, created_at) values (:n, 'replay', :e, false, false, "
                           ":t)"), {"n": name, "e": ext, "t": now})
    migrate(eng)
    repo = Repository(eng)
    try:
        assert repo.ensure_group("甲群", transport="replay", external_id="room1", now=now).id == 1
        assert repo.ensure_group("乙群", transport="replay", external_id=None, now=now).id == 3
        assert repo.group_by_name("乙群").id == 3
        assert len(repo.groups()) == 4
    finally:
        repo.close()
        eng.dispose()


def test_a_firing_stands_for_its_due_time_in_every_process() -> None:
    """The run table's key: the wall clock fires each process a little late, each maps the
    firing to the same due time."""
    from datetime import datetime
    from datetime import time as clock_time
    from zoneinfo import ZoneInfo

    from bot.schedule import due_time

    tz = ZoneInfo("Asia/Shanghai")
    at = datetime(2025, 3, 4, 10, 47, 12, 5, tzinfo=tz)
    assert due_time(at, tz, every_minutes=30) == datetime(2025, 3, 4, 10, 30, tzinfo=tz)
    assert due_time(at, tz, every_minutes=15) == datetime(2025, 3, 4, 10, 45, tzinfo=tz)
    late = datetime(2025, 3, 4, 0, 31, 40, tzinfo=ZoneInfo("UTC"))  # 08:31:40 in Shanghai
    assert due_time(late, tz, at=clock_time(8, 30)) == datetime(2025, 3, 4, 8, 30, tzinfo=tz)
    assert due_time(late, tz, at=clock_time(23, 0)) == datetime(2025, 3, 3, 23, 0, tzinfo=tz)
