"""Issue 24: a poison message loses only itself.

Whatever one message holds or causes (a lone surrogate, a NUL, a name longer than its
column, JSON nested past the recursion limit, a time beyond the calendar, a handler that
raises half-way), that message is skipped as a bad line or archived (cleaned, or marked
failed with the reason), and the next message is handled in full: through `daqiao replay` as
a subprocess, through the WeChat transport over real gRPC, and through the App, on SQLite and
on PostgreSQL.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator

import pytest
from sqlmodel import Session, select

from bot.config import Config, GroupConfig
from bot.dispatcher import ORIGINAL
from bot.transports.wechaty import Pacer
from storage import make_engine
from storage.models import Claim, Member, Message, Outbox, Posting
from tests.fake_puppet import FakePuppet
from tests.test_cli import CONFIG, daqiao, lines
from tests.test_wechaty import PEOPLE, POST, ROOM, Running

G = "共享员工群"
LONG_NAME = "长" * 200
LONG_GROUP = "群" * 200
LONG_ID = "x" * 300


def _line(mid: str, minute: int, sender: str, text: str, group: str = G) -> str:
    item = {"id": mid, "time": f"2025-03-03T09:{minute:02d}:00+08:00", "group": group,
            "sender": sender, "text": text}
    return json.dumps(item, ensure_ascii=True)  # escapes NUL and lone surrogates as JSON does


# Good lines (g*) interleaved with poison lines (p*); the file is written with a BOM first.
REPLAY = [
    _line("g1", 0, "张三", "我们印刷厂需要10名临时工，手工包装纸品，一天150，日结"),  # after a BOM
    _line("p-surrogate", 1, "\ud800王", "报名 1\ud800"),
    _line("g2", 2, "李四", "报名 1"),
    '{"id": "p-deep", "time": "2025-03-03T09:03:00+08:00", "group": "g", "sender": "s", "text": '
    + "[" * 100_000 + "]" * 100_000 + "}",  # line 4
    _line("g3", 4, "王五", "报名 1"),
    '{"id": "p-9999", "time": "9999-12-31T23:59:59-14:00", "group": "g", "sender": "s", '
    '"text": "hi"}',  # line 6: past the calendar in UTC
    '{"id": "p-0001", "time": "0001-01-01T00:00:00-14:00", "group": "g", "sender": "s", '
    '"text": "hi"}',  # line 7: two thousand years before the rest
    _line("g4", 7, "赵六", "五金厂招搬运工5名，一天200"),
    _line("p-nul", 8, "孙\u0000七", "报名\u0000 2", group="共享\u0000员工群"),
    _line("g5", 9, "钱八", "报名 2"),
    _line("p-long-sender", 10, LONG_NAME, "报名 1"),
    _line("p-long-group", 11, "周九", "大家好", group=LONG_GROUP),
    _line(LONG_ID, 12, "吴十", "报名 2"),
    _line("g6", 13, "郑一", "报名 2"),
]
# The lines nobody can use, by line number, and what the report on standard error says.
BAD_LINES = {4: "JSON nested too deeply", 6: "time out of range", 7: "time out of range"}


def _messages(url: str) -> dict[str, Message]:
    """The archive by the message id each line gave (a cut id by its beginning)."""
    engine = make_engine(url)
    try:
        with Session(engine) as s:
            rows = s.exec(select(Message)).all()
    finally:
        engine.dispose()
    return {("x…" if m.message_id.startswith("xxx") else m.message_id): m for m in rows}


def test_a_replay_with_every_kind_of_poison_line_answers_every_good_line(tmp_path, db_url):  # type: ignore[no-untyped-def]
    cfg = tmp_path / "config.yaml"
    cfg.write_text(CONFIG, encoding="utf-8")
    path = tmp_path / "poison.jsonl"
    path.write_bytes(b"\xef\xbb\xbf" + "\n".join(REPLAY).encode("utf-8") + b"\n")
    run = daqiao("replay", str(path), "--config", str(cfg), "--db", db_url)
    err = run.stderr.decode("utf-8", "replace")
    assert run.returncode == 0, err
    out = lines(run.stdout)
    said = {x["reply_to"]: x["text"] for x in out}
    # Every good line is answered, as it would be without the poison around it.
    assert "已登记招工 #1" in said["g1"]
    assert said["g2"].startswith("@李四 报名成功 #1")
    assert said["g3"].startswith("@王五 报名成功 #1")
    assert "已登记招工 #2" in said["g4"]
    assert said["g5"].startswith("@钱八 报名成功 #2")
    assert said["g6"].startswith("@郑一 报名成功 #2")
    # The lines nobody can use are reported and skipped, each on its own.
    for n, why in BAD_LINES.items():
        assert f"replay line {n} skipped: {why}" in err, (n, err)
    assert "3 bad line(s) skipped" in err
    # The rest are archived, cleaned to what the database stores, and handled.
    rows = _messages(db_url)
    assert set(rows) == {"g1", "g2", "g3", "g4", "g5", "g6", "p-surrogate", "p-nul",
                         "p-long-sender", "p-long-group", "x…"}
    assert {m.status for m in rows.values()} == {"done"}
    nul = rows["p-nul"]
    assert (nul.sender_name, nul.text) == ("孙七", "报名 2")
    assert said["p-nul"].startswith("@孙七 报名成功 #2")
    assert json.loads(nul.raw)[ORIGINAL]["text"] == "报名\u0000 2"  # the original, exactly
    surrogate = rows["p-surrogate"]
    assert (surrogate.sender_name, surrogate.text) == ("\ufffd王", "报名 1\ufffd")
    assert json.loads(surrogate.raw)["text"] == "报名 1\ud800"
    long_sender = rows["p-long-sender"]
    assert len(long_sender.sender_name) == 128 and long_sender.sender_name.startswith("长" * 100)
    assert json.loads(long_sender.raw)[ORIGINAL]["sender_name"] == LONG_NAME
    assert said["p-long-sender"].startswith("@" + "长" * 100)
    assert json.loads(rows["p-long-group"].raw)[ORIGINAL]["chat_name"] == LONG_GROUP
    long_id = rows["x…"]
    assert len(long_id.message_id) == 128 and json.loads(long_id.raw)["id"] == LONG_ID
    # Nothing is processed twice: the cut message id is the same cut the second time.
    again = daqiao("replay", str(path), "--config", str(cfg), "--db", db_url)
    assert again.returncode == 0 and again.stdout == b"", again.stderr.decode()


# -- the WeChat transport, on PostgreSQL ---------------------------------------------------------

@pytest.fixture
def fake() -> Iterator[FakePuppet]:
    f = FakePuppet().start()
    f.add_room("r1", ROOM, {**PEOPLE, "c5": LONG_NAME})
    f.add_room("r9", "工会干部群", {"c9": "刘干事"})
    f.login("bot-1")
    yield f
    f.stop()


@pytest.fixture
def pg_bot(fake, pg_url, tmp_path) -> Iterator[Running]:  # type: ignore[no-untyped-def]
    cfg = Config(db_url=pg_url, cadres=("c9",),
                 groups=(GroupConfig(ROOM), GroupConfig("工会干部群", cadre_group=True)),
                 exports_dir=str(tmp_path / "exports"))
    r = Running(fake, cfg, Pacer(per_chat=0.05, jitter=0.0, per_minute=0))
    yield r
    r.stop()


def _ten_good(fake: FakePuppet) -> list[str]:
    """Ten ordinary messages that each get an answer: a post, two claims, seven lists."""
    mids = [fake.say("r1", "c1", POST), fake.say("r1", "c2", "报名 1"),
            fake.say("r1", "c3", "报名 1")]
    mids += [fake.say("r1", ("c1", "c2", "c3")[i % 3], "#列表") for i in range(7)]
    return mids


def _answered(bot: Running, mids: list[str]) -> None:
    """Each message has a reply that went out."""
    bot.settle(*mids)
    sent = {o.reply_to for o in bot.rows(Outbox) if o.sent_at is not None}
    assert [m for m in mids if m not in sent] == []


def test_wechaty_poison_messages_then_ten_good_ones_on_postgresql(pg_bot, fake):  # type: ignore[no-untyped-def]
    """A 200-character nickname (too long for the name columns), a NUL in the text (which
    PostgreSQL refuses) and a timestamp past the calendar arrive first; the ten messages after
    them are all answered."""
    poison = [fake.say("r1", "c5", "大家好，我是新来的"), fake.say("r1", "c1", "今天\x00天气不错"),
              fake.say("r1", "c2", "早上好", ts=10**15)]  # milliseconds: year 31 million
    good = _ten_good(fake)
    _answered(pg_bot, good)
    pg_bot.settle(*poison)
    rows = {m.message_id: m for m in pg_bot.rows(Message)}
    named, nul = rows[poison[0]], rows[poison[1]]
    assert rows[poison[2]].status == "done"  # taken as received now
    assert (named.status, len(named.sender_name)) == ("done", 128)
    assert json.loads(named.raw)[ORIGINAL]["sender_name"] == LONG_NAME
    assert (nul.status, nul.text) == ("done", "今天天气不错")
    assert json.loads(nul.raw)[ORIGINAL]["text"] == "今天\x00天气不错"
    assert len(pg_bot.rows(Claim)) == 2


def test_wechaty_a_handler_failing_on_the_database_costs_only_its_message(pg_bot, fake,  # type: ignore[no-untyped-def]
                                                                          monkeypatch):
    """A job-post handler saves its posting, then a statement of it fails in PostgreSQL (which
    aborts the transaction): the message is archived failed with the reason, its posting is
    gone with the rest of its work, and the session serves the next ten messages."""
    real = pg_bot.app.registry.listeners["job_post"]
    failed_once = threading.Event()

    def half_way(ctx):  # type: ignore[no-untyped-def]
        out = real(ctx)
        if not failed_once.is_set():
            failed_once.set()
            ctx.repo.ensure_member("x" * 200, "x", now=ctx.now())  # VARCHAR(128): refused
        return out

    monkeypatch.setitem(pg_bot.app.registry.listeners, "job_post", half_way)
    bad = fake.say("r1", "c1", POST)
    good = _ten_good(fake)
    _answered(pg_bot, good)
    failed = next(m for m in pg_bot.rows(Message) if m.message_id == bad)
    assert failed.status == "failed" and "value too long" in (failed.error or "")
    posts = pg_bot.rows(Posting)
    assert len(posts) == 1 and posts[0].poster_id == "c1"
    assert posts[0].source_message_id != failed.id
    assert not [m for m in pg_bot.rows(Member) if m.sender_id.startswith("xxx")]


# -- the App, on SQLite and PostgreSQL -----------------------------------------------------------
# (db_url before make_bot: the bot is closed before its PostgreSQL schema is dropped.)

JOB = "我们印刷厂需要3名临时工，手工包装纸品，一天150，日结"
APOLOGY = "抱歉，刚才没处理好，请稍后再试，或联系工会干部。"


def test_a_handler_raising_half_way_leaves_nothing_of_its_message(db_url, make_bot, monkeypatch):  # type: ignore[no-untyped-def]
    bot = make_bot(db=db_url)
    real = bot.app.registry.listeners["job_post"]

    def half_way(ctx):  # type: ignore[no-untyped-def]
        real(ctx)  # the posting is saved...
        raise RuntimeError("boom after the posting")  # ...and then the handler fails

    monkeypatch.setitem(bot.app.registry.listeners, "job_post", half_way)
    assert bot.say(JOB, sender="boss") == []  # a failing listener is silent
    assert bot.repo.count(Posting) == 0 and bot.repo.count(Outbox) == 0
    failed = bot.repo.all(Message)[-1]
    assert failed.status == "failed" and failed.error == "RuntimeError: boom after the posting"
    monkeypatch.setitem(bot.app.registry.listeners, "job_post", real)
    assert "已登记招工 #" in bot.texts(JOB, sender="boss")[0]
    ref = bot.repo.all(Posting)[0].id  # 1 on SQLite; PostgreSQL's sequence moved on
    assert any(f"报名成功 #{ref}" in t for t in bot.texts(f"报名 {ref}", sender="w1"))
    assert [m.status for m in bot.repo.all(Message)] == ["failed", "done", "done"]
    assert bot.repo.count(Posting) == 1


def test_a_database_error_before_the_handler_fails_only_its_message(db_url, make_bot,  # type: ignore[no-untyped-def]
                                                                     monkeypatch):
    """A statement the database refuses while the sender's member row is looked up (before
    the archive row): on PostgreSQL the transaction is aborted. The message is archived
    failed; the next one is handled on a clean session."""
    from sqlalchemy import text

    bot = make_bot(db=db_url)
    repo = bot.repo
    real = repo.ensure_member
    calls = []

    def refused(sender_id, name, *, now):  # type: ignore[no-untyped-def]
        calls.append(sender_id)
        if len(calls) == 1:
            repo.s.execute(text("select * from no_such_table"))
        return real(sender_id, name, now=now)

    monkeypatch.setattr(repo, "ensure_member", refused)
    assert bot.texts("#列表", sender="w1") == [APOLOGY]
    failed = repo.all(Message)[-1]
    assert failed.status == "failed" and "no_such_table" in (failed.error or "")
    assert "已登记招工 #1" in bot.texts(JOB, sender="boss")[0]
    assert [m.status for m in repo.all(Message)] == ["failed", "done"]


def test_a_failing_command_apologises_and_the_next_command_works(db_url, make_bot,  # type: ignore[no-untyped-def]
                                                                 monkeypatch):
    bot = make_bot(db=db_url)
    bot.say(JOB, sender="boss")
    cmd = bot.app.registry.get("列表")
    real = cmd.handler

    def boom(ctx):  # type: ignore[no-untyped-def]
        raise RuntimeError("boom")

    object.__setattr__(cmd, "handler", boom)
    try:
        out = bot.texts("@小桥 列表", sender="w1", mentions_bot=True)  # a command without #
    finally:
        object.__setattr__(cmd, "handler", real)
    assert out == [APOLOGY]
    assert "#1" in bot.texts("#列表", sender="w1")[0]
