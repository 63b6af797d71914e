"""The console a newcomer uses: `daqiao run --transport console` run as a subprocess, on pipes
and on a pseudo-terminal, plus the transport's own line syntax."""

from __future__ import annotations

import io
import os
import pty
import queue
import select
import signal
import sqlite3
import subprocess
import threading
import time
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.clock import ManualClock
from bot.transports.console import ConsoleTransport
from bot.types import InboundMessage, Reply
from tests.test_cli import CONFIG, DAQIAO, ROOT, daqiao

POST = "张三: 我们印刷厂需要10名临时工"
POSTED = "[共享员工群] 小桥: @张三 已登记招工 #1"
CLAIMED = "[共享员工群] 小桥: @李四 报名成功 #1（1人），目前已报1/10人。"


@pytest.fixture
def cfg(tmp_path: Path) -> Path:
    p = tmp_path / "config.yaml"
    p.write_text(CONFIG + f"exports_dir: {tmp_path / 'exports'}\n", encoding="utf-8")
    return p


def run(cfg: Path, typed: str, *args: str, db: str | None = None,
        ) -> subprocess.CompletedProcess[bytes]:
    url = db or f"sqlite:///{cfg.parent / 'd.db'}"
    return daqiao("run", "--transport", "console", "--config", str(cfg), "--db", url, *args,
                  stdin=typed.encode())


def out_lines(p: subprocess.CompletedProcess[bytes]) -> list[str]:
    return p.stdout.decode("utf-8").splitlines()


# --- echo: a recorded run reads like the chat --------------------------------------------------

def test_echo_puts_each_line_said_before_the_answers_to_it(cfg: Path) -> None:
    # 王五 is in 北仑群 only: #1, a posting of another group, is not found for him.
    typed = f"{POST}\n\n李四: 报名 1\n这一行没有冒号\n王五@北仑群：报名 1\n"
    p = run(cfg, typed, "--echo")
    assert p.returncode == 0, p.stderr.decode()
    out = out_lines(p)
    said = [x for x in out if x.startswith("> ")]
    assert said == [f"> {POST}", "> 李四: 报名 1", "> 这一行没有冒号", "> 王五@北仑群：报名 1"]
    assert out[0] == f"> {POST}" and out[1] == POSTED
    assert out.index("> 李四: 报名 1") < out.index(CLAIMED) < out.index("> 这一行没有冒号")
    assert out[-2:] == ["> 王五@北仑群：报名 1", "[北仑群] 小桥: 没有找到 #1 号岗位，请核对编号。"]
    # the contract's lines are untouched; the log stays on standard error
    assert "daqiao running" in p.stderr.decode() and "cannot read" in p.stderr.decode()
    assert not any("INFO" in x or "WARNING" in x for x in out)


def test_piped_run_has_no_echo_unless_asked(cfg: Path) -> None:
    for extra in ((), ("--no-echo",)):
        p = run(cfg, f"{POST}\n李四: 报名 1\n", *extra, "--fresh")
        assert p.returncode == 0, p.stderr.decode()
        out = out_lines(p)
        assert out[0] == POSTED and CLAIMED in out
        assert not any(x.startswith(">") for x in out)


# --- a person at a terminal: prompt there, never into the recorded output ----------------------

class Terminal:
    """A child process whose standard input (and standard error, and maybe standard output) is
    a pseudo-terminal, typed at like a person would."""

    def __init__(self, args: list[str], *, stdout_too: bool) -> None:
        self.master, slave = pty.openpty()
        env = {**os.environ, "TERM": "dumb"}
        self.proc = subprocess.Popen(
            [*DAQIAO, *args], cwd=ROOT, env=env, stdin=slave, stderr=slave,
            stdout=slave if stdout_too else subprocess.PIPE)
        os.close(slave)
        self.seen = b""

    def wait_for(self, what: str, count: int = 1, timeout: float = 60) -> str:
        end = time.monotonic() + timeout
        want = what.encode()
        while self.seen.count(want) < count:
            left = end - time.monotonic()
            assert left > 0, f"no {what!r} (x{count}) on the terminal: {self.text()!r}"
            ready, _, _ = select.select([self.master], [], [], min(left, 0.5))
            if ready:
                try:
                    self.seen += os.read(self.master, 4096)
                except OSError:  # the child closed the terminal
                    break
        assert self.seen.count(want) >= count, self.text()
        return self.text()

    def type(self, line: str) -> None:
        os.write(self.master, line.encode())

    def finish(self, timeout: float = 60) -> tuple[int, str]:
        out = self.proc.stdout.read() if self.proc.stdout else b""
        rc = self.proc.wait(timeout)
        try:
            while select.select([self.master], [], [], 0.2)[0]:
                chunk = os.read(self.master, 4096)
                if not chunk:
                    break
                self.seen += chunk
        except OSError:
            pass
        os.close(self.master)
        return rc, out.decode("utf-8")

    def text(self) -> str:
        return self.seen.decode("utf-8", "replace")


def test_typing_into_a_recorded_output_prompts_on_the_terminal_and_echoes_the_chat(cfg: Path) -> None:
    t = Terminal(["run", "--config", str(cfg), "--db", f"sqlite:///{cfg.parent / 'd.db'}"],
                 stdout_too=False)
    screen = t.wait_for("Ctrl-D")
    assert "NAME@: TEXT" in screen  # the hint says how to write
    t.wait_for("> ")
    t.type(POST + "\n")
    t.wait_for("> ", count=2)  # the next prompt: the message was handled
    t.type("李四: 报名 1\n")
    t.wait_for("> ", count=3)
    t.type("\x04")  # Ctrl-D ends the run
    rc, out = t.finish()
    assert rc == 0, t.text()
    lines = out.splitlines()
    assert lines[0] == f"> {POST}" and lines[1] == POSTED
    assert lines.index("> 李四: 报名 1") < lines.index(CLAIMED)
    assert "Ctrl-D" not in out and not any(x.strip() == ">" for x in lines)  # no prompt here
    assert "小桥:" not in t.text()  # the answers went to the recorded output only


def test_at_a_terminal_the_prompt_is_there_without_echo_and_ctrl_c_ends_cleanly(cfg: Path) -> None:
    t = Terminal(["run", "--config", str(cfg), "--db", f"sqlite:///{cfg.parent / 'd.db'}"],
                 stdout_too=True)
    t.wait_for("Ctrl-D")
    t.wait_for("> ")
    t.type(POST + "\n")
    screen = t.wait_for(POSTED)
    t.wait_for("> ", count=2)
    assert screen.count(POST) == 1  # what was typed shows once: no echo on a terminal
    time.sleep(0.2)
    t.proc.send_signal(signal.SIGINT)  # Ctrl-C while waiting at the prompt
    rc, _ = t.finish()
    assert rc == 0, t.text()
    assert "Traceback" not in t.text()


# --- direct messages and multi-line messages ------------------------------------------------------

def test_name_at_colon_is_a_direct_message_to_the_bot(cfg: Path) -> None:
    typed = "工人甲@: 厂里一直没给我们交社保\n李四@ ：#帮助\n王五@北仑群: #帮助\n"
    p = run(cfg, typed)
    assert p.returncode == 0, p.stderr.decode()
    out = out_lines(p)
    assert out[0].startswith("[私信 工人甲] 小桥: ") and "R1" in out[0]
    assert any(x.startswith("[私信 李四] 小桥: ") for x in out)
    assert any(x.startswith("[北仑群] 小桥: ") for x in out)  # a named group is still a group
    assert "cannot read" not in p.stderr.decode()
    con = sqlite3.connect(cfg.parent / "d.db")
    names = {r[0] for r in con.execute("select name from groups")}
    direct = {r[0] for r in con.execute(
        "select group_id from messages where sender_id in ('工人甲', '李四')")}
    con.close()
    assert "北仑群" in names and not names & {"", "私信", "工人甲", "李四"}
    assert direct == {None}  # the direct messages are in no group


# --- console.senders: a typed name acting as a cadre listed by id ------------------------------

def test_a_name_mapped_under_console_senders_acts_as_that_id(tmp_path: Path) -> None:
    """cadres takes ids only; `console.senders` lets `make run` type `郑主席: #暂停` as the
    cadre wxid_cadre_zheng. A name not mapped is still its own id, so the id typed as a name
    works too, and the display name alone is nobody's id."""
    cfg = tmp_path / "config.yaml"
    cfg.write_text(CONFIG + "console:\n  senders:\n    郑主席: wxid_cadre_zheng\n"
                   f"exports_dir: {tmp_path / 'exports'}\n", encoding="utf-8")
    typed = ("王五: #暂停\n郑主席: #暂停\nwxid_cadre_zheng: #恢复\n郑主席@: #日志\n")
    p = run(cfg, typed)
    assert p.returncode == 0, p.stderr.decode()
    out = out_lines(p)
    assert out[0] == "[共享员工群] 小桥: “#暂停”只有工会干部才能用。"
    assert out[1].startswith("[共享员工群] 小桥: 好的，我在本群先不说话了")
    assert out[2].startswith("[共享员工群] 小桥: 我回来了")
    assert out[3].startswith("[私信 郑主席] 小桥: 最近的管理操作")  # replies go to the name
    con = sqlite3.connect(tmp_path / "d.db")
    audit = con.execute("select actor_id, action, allowed from audit_log order by id").fetchall()
    con.close()
    assert audit == [("王五", "暂停", 0), ("wxid_cadre_zheng", "暂停", 1),
                     ("wxid_cadre_zheng", "恢复", 1)]


def test_line_syntax_with_a_mapped_sender() -> None:
    c = ConsoleTransport(bot_name="小桥", default_group="共享员工群", clock=CLOCK,
                         stdin=io.StringIO(), stdout=io.StringIO(), stderr=io.StringIO(),
                         senders={"郑主席": "wxid_cadre_zheng"})
    msg = c.parse_line("郑主席@干部群: #统计")
    assert msg is not None and (msg.sender_id, msg.sender_name) == ("wxid_cadre_zheng", "郑主席")
    other = c.parse_line("郑主席的秘书: 你好")
    assert other is not None and other.sender_id == "郑主席的秘书"


@pytest.mark.parametrize("typed", [
    "张三: 我们印刷厂需要10名临时工\\\n活儿：手工包装纸品\\\n日结200一天\n",
    "张三: 我们印刷厂需要10名临时工\\n活儿：手工包装纸品\\n日结200一天\n",
], ids=["backslash-continues", "literal-backslash-n"])
def test_a_message_can_span_lines(cfg: Path, typed: str) -> None:
    p = run(cfg, typed, "--echo")
    assert p.returncode == 0, p.stderr.decode()
    out = out_lines(p)
    assert "cannot read" not in p.stderr.decode()  # the later lines are not messages of their own
    answer = out[out.index(POSTED):]
    assert "活儿：手工包装纸品" in answer and any("日结" in x for x in answer)
    assert [x for x in out if x.startswith("> ")] == [f"> {x}" for x in typed.splitlines()]


def test_input_ending_inside_a_continued_message_still_delivers_it(cfg: Path) -> None:
    p = run(cfg, f"{POST}\n李四: 报名 1\\")
    assert p.returncode == 0, p.stderr.decode()
    assert CLAIMED in out_lines(p)


CLOCK = ManualClock(datetime(2025, 3, 3, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai")))


def console(stdin: io.TextIOBase | None = None, stdout: io.TextIOBase | None = None,
            ) -> ConsoleTransport:
    return ConsoleTransport(bot_name="小桥", default_group="共享员工群", clock=CLOCK,
                            stdin=stdin or io.StringIO(), stdout=stdout or io.StringIO(),
                            stderr=io.StringIO())


@pytest.mark.parametrize(("line", "chat", "sender", "text"), [
    ("张三: 报名 1", "共享员工群", "张三", "报名 1"),
    ("张三：报名 1", "共享员工群", "张三", "报名 1"),
    ("张三@北仑群: 报名 1", "北仑群", "张三", "报名 1"),
    ("张三@: 我的诉求", None, "张三", "我的诉求"),
    ("张三 @ ：我的诉求", None, "张三", "我的诉求"),
    ("张三: 第一行\\n第二行", "共享员工群", "张三", "第一行\n第二行"),
    ("张三:\n第一行\n第二行", "共享员工群", "张三", "第一行\n第二行"),
    ("张三: 时间 9:30 @小桥", "共享员工群", "张三", "时间 9:30 @小桥"),
])
def test_line_syntax(line: str, chat: str | None, sender: str, text: str) -> None:
    msg = console().parse_line(line)
    assert msg is not None
    assert (msg.chat_id, msg.chat_name, msg.sender_id, msg.sender_name, msg.text) == (
        chat, chat, sender, sender, text)
    assert msg.is_group is (chat is not None)
    assert msg.mentions_bot is ("@小桥" in text)


@pytest.mark.parametrize("line", ["没有冒号", ": 没有名字", "@北仑群: 没有名字", "第一行\n张三: 第二行"])
def test_unreadable_lines(line: str) -> None:
    assert console().parse_line(line) is None


class _Keyboard(io.TextIOBase):
    """Standard input on a terminal: readline blocks until a line is typed."""

    def __init__(self) -> None:
        self.lines: queue.Queue[str] = queue.Queue()

    def isatty(self) -> bool:
        return True

    def readline(self, size: int | None = -1) -> str:  # type: ignore[override]
        return self.lines.get(timeout=30)


class _Screen(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_a_scheduled_message_while_the_prompt_waits_is_printed_in_its_place() -> None:
    keyboard, screen = _Keyboard(), _Screen()
    t = console(keyboard, screen)
    got: list[InboundMessage] = []
    runner = threading.Thread(target=t.run, args=(got.append,))
    runner.start()
    try:
        for _ in range(300):
            if screen.getvalue().endswith("> "):
                break
            time.sleep(0.01)
        assert screen.getvalue().endswith("> ")
        t.send(Reply(text="每日速递", to="张三"))  # as the scheduler's thread sends it
        assert screen.getvalue().endswith("> \r\x1b[K[私信 张三] 小桥: 每日速递\n> ")
        keyboard.lines.put("张三: 报名 1\n")
    finally:
        keyboard.lines.put("")  # end of input
        runner.join(30)
    assert [m.text for m in got] == ["报名 1"]
    assert screen.getvalue().endswith("\n")  # the shell's prompt starts on a fresh line


# --- logging ----------------------------------------------------------------------------------

def test_log_file_takes_the_log_and_standard_output_is_only_the_chat(cfg: Path) -> None:
    log = cfg.parent / "logs" / "daqiao.log"
    log.parent.mkdir()
    p = run(cfg, f"{POST}\n没有冒号\n", "--log-file", str(log), "-v")
    assert p.returncode == 0, p.stderr.decode()
    assert p.stderr == b""
    text = log.read_text(encoding="utf-8")
    assert "daqiao running" in text and "cannot read" in text and "DEBUG" in text
    assert out_lines(p)[0] == POSTED and "DEBUG" not in p.stdout.decode()


def test_an_unwritable_log_file_is_a_clear_error(cfg: Path) -> None:
    p = run(cfg, "", "--log-file", str(cfg.parent / "no" / "such" / "dir.log"))
    assert p.returncode == 2 and b"cannot write the log file" in p.stderr


# --- --fresh --------------------------------------------------------------------------------

def test_fresh_starts_on_an_empty_database(cfg: Path) -> None:
    db = cfg.parent / "d.db"
    assert run(cfg, f"{POST}\n").returncode == 0
    again = run(cfg, "李四: 我们需要5个包装工\n")
    assert any("已登记招工 #2" in x for x in out_lines(again))  # the same database goes on
    (cfg.parent / "d.db-wal").write_bytes(b"stale")  # a leftover journal must not survive either
    fresh = run(cfg, "李四: 报名 2\n王五: 我们需要5个包装工\n", "--fresh")
    assert fresh.returncode == 0, fresh.stderr.decode()
    out = out_lines(fresh)
    assert out[0] == "[共享员工群] 小桥: 没有找到 #2 号岗位，请核对编号。"
    assert any("@王五 已登记招工 #1" in x for x in out)
    assert "--fresh" in fresh.stderr.decode()
    assert db.exists()


def test_fresh_on_a_database_not_there_yet_just_starts(cfg: Path) -> None:
    (cfg.parent / "new").mkdir()
    p = run(cfg, f"{POST}\n", "--fresh", db=f"sqlite:///{cfg.parent / 'new' / 'x.db'}")
    assert p.returncode == 0 and out_lines(p)[0] == POSTED, p.stderr.decode()


def test_fresh_refuses_a_database_that_is_not_a_sqlite_file(cfg: Path) -> None:
    url = "postgresql+psycopg://daqiao:s3cret@127.0.0.1:1/daqiao"
    started = time.monotonic()
    p = run(cfg, f"{POST}\n", "--fresh", db=url)
    assert p.returncode == 2 and p.stdout == b""
    err = p.stderr.decode()
    assert "--fresh" in err and "SQLite" in err and "s3cret" not in err
    assert time.monotonic() - started < 30  # refused up front, no connection attempted


def test_fresh_with_an_in_memory_database_is_fine(cfg: Path) -> None:
    p = run(cfg, f"{POST}\n", "--fresh", db="sqlite://")
    assert p.returncode == 0 and out_lines(p)[0] == POSTED, p.stderr.decode()


# --- make test writes nothing into the working copy -------------------------------------------

def test_tests_write_their_exports_outside_the_checkout(make_bot, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Ledgers and charts of in-process tests go to the test's own folder, so `make test`
    writes nothing into the checkout."""
    bot = make_bot()
    assert Path(bot.app.config.exports_dir) == tmp_path / "exports"
    bot.say("#导出 岗位", sender="wxid_cadre", group="干部群")
    assert len(list((tmp_path / "exports").glob("岗位台账*.xlsx"))) == 1
