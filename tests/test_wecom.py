"""The WeCom transport end to end: the real transport, over a real WebSocket, against the fake
WeCom gateway in tests/fake_wecom.py (the frames the official SDK sends and expects)."""

from __future__ import annotations

import re
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlmodel import Session, select

from bot.app import App, build_app
from bot.clock import SystemClock
from bot.config import Config, GroupConfig, load_config
from bot.handlers.admin import mention_only_setting
from bot.transports.wechaty import Pacer
from bot.transports.wecom import WecomFatal, WecomOptions, WecomTransport
from bot.types import Reply
from storage import make_engine
from storage.models import Claim, Message, Outbox
from storage.repository import Identities
from tests.fake_wecom import FakeWecom

ROOT = Path(__file__).resolve().parent.parent
ROOM, CADRES = "共享员工群", "工会干部群"
CHATS = {"chat-1": ROOM, "chat-9": CADRES}
POST = "我们印刷厂需要3名临时工，手工包装纸品，一天150，日结"
HINT = "本群要先@小桥再说话"


class Running:
    """A bot on the wecom transport in a thread, wired as `daqiao run --transport wecom`."""

    def __init__(self, fake: FakeWecom, cfg: Config, *, secret: str = "s3cret",
                 wait: bool = True, **opts: object) -> None:
        self.fake = fake
        clock = SystemClock()
        options = WecomOptions.from_config({"ws_url": fake.url, "chats": CHATS,
                                            "doubt_grace": 0.3, "reconnect_max": 0.3, **opts})
        self.transport = WecomTransport(
            bot_id=fake.bot_id, secret=secret,
            identities=Identities(make_engine(cfg.db_url), "wecom", role_ids=cfg.role_ids),
            clock=clock, options=options, pacer=Pacer(per_chat=0.0, jitter=0.0, per_minute=0))
        self.app: App = build_app(cfg, self.transport, clock=clock)
        self.transport.ids.on_record = self.app.identities_recorded
        self.transport.on_idle = self.app.flush_if_backlog
        self.transport.group_mode = lambda g: mention_only_setting(self.app.repo, g)
        self.alerts: list[str] = []
        self.transport.on_alert = self.alerts.append
        self.handled: list[str] = []
        self.error: BaseException | None = None
        self._cv = threading.Condition()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()
        if wait:
            assert self.transport.connected.wait(20), "the bot did not subscribe"

    def _run(self) -> None:
        try:
            self.transport.run(self._handle)
        except BaseException as e:  # noqa: BLE001 - the test reads it
            self.error = e

    def _handle(self, msg):  # type: ignore[no-untyped-def]
        try:
            return self.app.handle(msg)
        finally:
            with self._cv:
                self.handled.append(msg.message_id)
                self._cv.notify_all()

    def settle(self, *mids: str, timeout: float = 20) -> None:
        with self._cv:
            assert self._cv.wait_for(lambda: set(mids) <= set(self.handled), timeout), (
                f"not handled: {sorted(set(mids) - set(self.handled))}")

    def stop(self) -> None:
        self.transport.stop()
        self.thread.join(20)
        assert not self.thread.is_alive(), "the transport did not stop"
        self.app.close()

    def rows(self, model, *where):  # type: ignore[no-untyped-def]
        with self.app.lock:
            self.app.repo.s.expire_all()
            out = self.app.repo.s.exec(select(model).where(*where)).all()
            self.app.repo.commit()
            return out


@pytest.fixture
def fake() -> Iterator[FakeWecom]:
    f = FakeWecom().start()
    yield f
    f.stop()


@pytest.fixture
def cfg(tmp_path) -> Config:  # type: ignore[no-untyped-def]
    return Config(db_url=f"sqlite:///{tmp_path / 'bot.db'}", cadres=("u9",),
                  groups=(GroupConfig(ROOM), GroupConfig(CADRES, cadre_group=True)),
                  exports_dir=str(tmp_path / "exports"))


@pytest.fixture
def bot(fake, cfg) -> Iterator[Running]:  # type: ignore[no-untyped-def]
    r = Running(fake, cfg)
    yield r
    r.stop()


def test_an_at_message_in_a_group_is_answered_by_its_req_id(bot, fake):  # type: ignore[no-untyped-def]
    mid = fake.say("chat-1", "u1", f"@小桥 {POST}", name="张三")
    sent = fake.wait_sent(1)[0]
    assert sent.cmd == "aibot_respond_msg" and sent.msgtype == "stream"
    assert sent.chat == "chat-1" and sent.reply_to == mid
    assert sent.text.startswith("@张三 已登记招工 #1")
    assert HINT in sent.text  # the card asks to @ the bot in this mention-only group
    bot.settle(mid)
    [m] = bot.rows(Message)
    assert m.message_id == mid and m.sender_id == "u1" and m.text == POST  # the @ stripped
    # The sender's name came with the frame; the next message without one uses the cache.
    mid2 = fake.say("chat-1", "u1", "@小桥 #我的")
    fake.wait_sent(2)
    bot.settle(mid2)
    assert bot.rows(Message)[1].sender_name == "张三"


def test_mixed_image_file_and_single_chats(bot, fake):  # type: ignore[no-untyped-def]
    img = fake.say("chat-1", "u2", kind="image", extra={"image": {"url": "http://x/1"}})
    fil = fake.say("chat-1", "u2", kind="file",
                   extra={"file": {"url": "http://x/2", "filename": "工资条.pdf"}})
    mixed = fake.say("chat-1", "u1", kind="mixed", name="张三", extra={"mixed": {"msg_item": [
        {"msgtype": "text", "text": {"content": f"@小桥 {POST}"}},
        {"msgtype": "image", "image": {"url": "http://x/3"}}]}})
    bot.settle(img, fil, mixed)
    sent = fake.wait_sent(1)
    assert "已登记招工 #1" in sent[0].text and len(sent) == 1
    kinds = {m.message_id: (m.type, m.text) for m in bot.rows(Message)}
    assert kinds[img][0] == "image" and kinds[fil] == ("file", "工资条.pdf")
    assert kinds[mixed] == ("text", POST)
    # A single chat: the reply goes back into it, by the message's req_id.
    dm = fake.say(None, "u2", "有没有日结的活?", name="李四")
    got = fake.wait_sent_where(lambda s: s.chat == "u2")
    assert got.cmd == "aibot_respond_msg" and got.reply_to == dm and "#1" in got.text


def test_a_message_delivered_twice_is_archived_and_answered_once(bot, fake):  # type: ignore[no-untyped-def]
    mid = fake.say("chat-1", "u1", f"@小桥 {POST}", name="张三")
    fake.wait_sent(1)
    again = fake.say("chat-1", "u1", f"@小桥 {POST}", name="张三", msgid=mid)
    last = fake.say("chat-1", "u2", "@小桥 收到")
    bot.settle(again, last)
    assert len(fake.sent) == 1 and len(bot.rows(Message)) == 2


@pytest.mark.parametrize("how", ["drop", "close"])
def test_a_lost_connection_recovers_and_answers_the_next_message_once(bot, fake, how):  # type: ignore[no-untyped-def]
    mids = [fake.say("chat-1", "u1", f"@小桥 {POST}", name="张三")]
    fake.wait_sent(1)
    fake.read_all()
    getattr(fake, how)()  # the SDK 1.0.2 stays dead after a clean close; we reconnect
    fake.wait_subscribes(2)
    mids.append(fake.say("chat-1", "u2", "@小桥 报名 1", name="李四"))
    sent = fake.wait_sent(2)
    bot.settle(*mids)
    assert "报名成功 #1" in sent[1].text and len(fake.sent) == 2
    assert len(bot.rows(Claim)) == 1 and bot.transport.connects == 2


def test_unanswered_heartbeats_reconnect(fake, cfg):  # type: ignore[no-untyped-def]
    r = Running(fake, cfg, heartbeat=0.2)
    try:
        fake.answer_pings = False
        fake.wait_subscribes(2, timeout=20)  # two pings unanswered: a new connection
        fake.answer_pings = True
        mid = fake.say("chat-1", "u1", f"@小桥 {POST}", name="张三")
        fake.wait_sent(1)
        r.settle(mid)
    finally:
        r.stop()


def test_a_replaced_connection_stops_and_alerts(bot, fake):  # type: ignore[no-untyped-def]
    fake.kick()
    bot.thread.join(20)
    assert isinstance(bot.error, WecomFatal) and "replaced" in str(bot.error)
    assert bot.alerts and "WECOM_BOT_ID" in bot.alerts[0]
    assert fake.subscribes == 1  # it did not come back to kick the other one off


def test_a_refused_secret_is_fatal_and_said_plainly(fake, cfg):  # type: ignore[no-untyped-def]
    r = Running(fake, cfg, secret="wrong", wait=False)
    r.thread.join(20)
    assert isinstance(r.error, WecomFatal)
    assert "refused the bot id and secret" in str(r.error) and "40001" in str(r.error)
    assert fake.refused == 1 and fake.subscribes == 0
    r.app.close()


def test_a_proactive_message_and_a_file_by_media_upload(bot, fake, tmp_path):  # type: ignore[no-untyped-def]
    fake.say("chat-9", "u9", "@小桥 收到", name="刘干事")  # the cadre group is seen
    group = bot.app.repo.group_by_name(CADRES)
    assert group is not None
    _until(lambda: bot.transport._rooms)
    path = tmp_path / "周报.png"
    path.write_bytes(b"\x89PNG" + b"x" * 600_000)  # two chunks
    bot.transport.send(Reply(text="本周图表", group=group.id, group_name=CADRES, file=str(path)))
    sent = fake.wait_sent(2)
    assert sent[0].cmd == "aibot_send_msg" and sent[0].msgtype == "markdown"
    assert sent[0].chat == "chat-9" and sent[0].text == "本周图表"
    assert sent[1].msgtype == "file" and sent[1].text == "周报.png"
    assert [v for v in fake.media.values()] == [("周报.png", path.read_bytes())]
    # A gateway without media upload: the file is announced in words, once, not retried.
    fake.uploads = False
    bot.transport.send(Reply(text="导出", group=group.id, group_name=CADRES, file=str(path)))
    sent = fake.wait_sent(4)
    assert "没能发到群里" in sent[3].text and not bot.transport._upload_ok


def test_an_export_goes_to_the_cadre_group_as_a_file(bot, fake):  # type: ignore[no-untyped-def]
    fake.say("chat-1", "u1", f"@小桥 {POST}", name="张三")
    fake.wait_sent(1)
    fake.say("chat-9", "u9", "@小桥 #导出 岗位", name="刘干事")
    sent = fake.wait_sent(3)
    assert sent[2].msgtype == "file" and sent[2].text.endswith(".xlsx") and sent[2].chat == "chat-9"


def test_mention_only_mode_is_a_group_setting(bot, fake):  # type: ignore[no-untyped-def]
    fake.say("chat-1", "u9", "@小桥 #设置 仅@模式 关", name="刘干事")
    assert "已关闭仅@模式" in fake.wait_sent(1)[0].text
    fake.say("chat-1", "u1", f"@小桥 {POST}", name="张三")
    assert HINT not in fake.wait_sent(2)[1].text
    fake.say("chat-1", "u9", "@小桥 #设置 仅@模式 开", name="刘干事")
    fake.wait_sent(3)
    fake.say("chat-1", "u2", "@小桥 #帮助", name="李四")
    assert HINT in fake.wait_sent(4)[3].text


def test_options_are_checked() -> None:
    assert WecomOptions.from_config(None).ws_url == "wss://openws.work.weixin.qq.com"
    for bad in ({"ws_url": "http://x"}, {"heartbeat": -1}, {"direct": "yes"}, {"chats": [1]}):
        with pytest.raises(ValueError, match="wecom"):
            WecomOptions.from_config(bad)


def test_the_config_section_is_known(tmp_path, caplog) -> None:  # type: ignore[no-untyped-def]
    p = tmp_path / "c.yaml"
    p.write_text("wecom:\n  ws_url: ws://127.0.0.1:1\n  heartbeat: 10\n  chats:\n    c1: 群\n",
                 encoding="utf-8")
    assert load_config(p).wecom["chats"] == {"c1": "群"}
    assert "unknown key" not in caplog.text


def test_daqiao_run_needs_the_secrets_from_the_environment(tmp_path) -> None:  # type: ignore[no-untyped-def]
    env = {k: v for k, v in __import__("os").environ.items() if not k.startswith("WECOM_")}
    r = subprocess.run([sys.executable, "-m", "bot", "run", "--transport", "wecom",
                        "--db", f"sqlite:///{tmp_path / 'x.db'}"], cwd=ROOT, env=env,
                       capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL)
    assert r.returncode == 2 and "WECOM_BOT_ID and WECOM_BOT_SECRET" in r.stderr


def _until(cond, timeout: float = 20.0) -> None:  # type: ignore[no-untyped-def]
    import time  # noqa: PLC0415

    end = time.monotonic() + timeout
    while not cond():
        if time.monotonic() > end:
            raise TimeoutError("condition not met in time")
        time.sleep(0.02)


# -- the README's sample conversation, through the console and through WeCom ----------------

SAMPLE_HEAD = "### 一段真实的对话"


def _sample() -> list[tuple[str, str]]:
    """(name, text) of each message of the README's sample conversation."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = readme.split(SAMPLE_HEAD, 1)[1].split("```", 2)[1]
    out = []
    for line in block.strip("\n").split("\n"):
        m = re.match(r"^([^\[\s:][^:]*?): (.*)$", line)
        if m:
            out.append((m.group(1), m.group(2)))
    return out


def _normal(text: str) -> str:
    return re.sub(r"\d{1,2}:\d{2}", "HH:MM", text)


def test_the_readme_conversation_reads_the_same_through_wecom(tmp_path, fake) -> None:  # type: ignore[no-untyped-def]
    msgs = _sample()
    assert len(msgs) >= 8
    cfgfile = tmp_path / "config.yaml"
    cfgfile.write_text(f"default_group: {ROOM}\ncadres: [zheng]\nconsole:\n  senders:\n"
                       f"    郑主席: zheng\nwecom:\n  chats:\n    chat-1: {ROOM}\n",
                       encoding="utf-8")
    script = "".join(f"{n}: {t}\n" for n, t in msgs)
    r = subprocess.run([sys.executable, "-m", "bot", "run", "--config", str(cfgfile),
                        "--db", f"sqlite:///{tmp_path / 'console.db'}"], cwd=ROOT, input=script,
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    console: list[tuple[str, str]] = []
    for line in r.stdout.splitlines():
        m = re.match(r"^\[(.+?)\] 小桥: (.*)$", line)
        if m:
            console.append((m.group(1), m.group(2)))
        elif console:
            console[-1] = (console[-1][0], console[-1][1] + "\n" + line)
    cfg = load_config(cfgfile, db=f"sqlite:///{tmp_path / 'wecom.db'}")
    bot = Running(fake, cfg)
    try:
        ids = {n: ("zheng" if n == "郑主席" else f"u{i}") for i, (n, _) in enumerate(msgs)}
        mids = [fake.say("chat-1", ids[n], f"@小桥 {t}", name=n) for n, t in msgs]
        bot.settle(*mids, timeout=60)
        fake.wait_sent(len(console))
        now = bot.app.clock.now()
        assert not [o.text for o in bot.rows(Outbox)  # nothing due is left unsent
                    if o.sent_at is None and o.due.replace(tzinfo=now.tzinfo) <= now]
    finally:
        bot.stop()
    names = {v: k for k, v in ids.items()}
    got = [(ROOM if s.chat == "chat-1" else f"私信 {names[s.chat]}",
            s.text.replace("\n" + "本群要先@小桥再说话，机器人才看得到：招工、报名、提诉求都请先@小桥。", ""))
           for s in fake.sent]
    assert [(w, _normal(t)) for w, t in got] == [(w, _normal(t)) for w, t in console]
    assert any(HINT in s.text for s in fake.sent)  # the mention prompts are the difference



def test_a_reply_left_in_doubt_is_sent_again_as_the_same_stream(fake, cfg):  # type: ignore[no-untyped-def]
    """A crash between the send and its mark: after the restart WeCom delivers the message
    again (new req_id), the reply goes again under the same stream id, and WeCom replaces the
    first copy rather than showing a second."""
    first = Running(fake, cfg)
    mid = fake.say("chat-1", "u1", f"@小桥 {POST}", name="张三")
    fake.wait_sent(1)
    first.settle(mid)
    first.stop()
    eng = make_engine(cfg.db_url)
    with Session(eng) as s:  # as a kill just after the send leaves it: attempted, not sent
        [row] = s.exec(select(Outbox)).all()
        assert row.attempted_at is not None
        row.sent_at = None
        s.add(row)
        s.commit()
    fake.redeliver = 10
    again = Running(fake, cfg)
    try:
        _until(lambda: fake.sent[0].replaced == 1)
        with Session(eng) as s:
            assert s.exec(select(Outbox)).all()[0].sent_at is not None
        assert len(fake.sent) == 1 and fake.redelivered == 1
        assert len(again.rows(Message)) == 1  # the second delivery was not archived again
    finally:
        again.stop()
