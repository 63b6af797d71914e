"""The WeChat transport end to end: the real transport, over real gRPC, against the fake
puppet service in tests/fake_puppet.py (the same service and messages a gateway speaks)."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

import pytest
from grpclib.const import Status
from grpclib.exceptions import GRPCError
from sqlmodel import select

from bot.app import App, build_app
from bot.clock import SystemClock
from bot.config import Config, GroupConfig
from bot.transports.wechaty import Pacer, WechatyTransport, split_text
from storage import make_engine
from storage.models import Claim, Group, Message, Outbox
from storage.repository import Identities
from tests.fake_puppet import FakePuppet

ROOM = "共享员工群"
PEOPLE = {"c1": "张三", "c2": "李四", "c3": "王五", "c9": "刘干事"}


class Running:
    """A bot on the wechaty transport, running in a thread like `daqiao run` does.

    Tests wait on what happened, never for a while: `handled` lists the message ids the bot
    has finished with (in order, under a Condition), and `alerted` is set once a logout has
    been logged and its alert recorded. Timeouts only bound a failure."""

    def __init__(self, fake: FakePuppet, cfg: Config, pacer: Pacer, **kw: float) -> None:
        self.fake = fake
        clock = SystemClock()
        self.transport = WechatyTransport(
            f"127.0.0.1:{fake.port}", identities=Identities(make_engine(cfg.db_url), "wechaty"),
            clock=clock, pacer=pacer, reconnect_max=0.5, doubt_grace=0.5, **kw)  # type: ignore[arg-type]
        self.app: App = build_app(cfg, self.transport, clock=clock)
        self.handled: list[str] = []
        self._cv = threading.Condition()
        self.alerted = threading.Event()
        self.transport.on_alert = self._alert
        self.transport.on_idle = self.app.flush_if_backlog
        self.thread = threading.Thread(target=self.transport.run, args=(self._handle,),
                                       daemon=True)
        self.thread.start()
        fake.wait_streams(1)
        assert self.transport.logged_in.wait(30), "the bot did not log in"

    def _handle(self, msg):  # type: ignore[no-untyped-def]
        """The bot's own handler, then a note that it is done with the message. The bot sends
        (or queues) a message's replies while handling it, so once a message is noted here,
        whatever it caused has been sent or is in the outbox."""
        try:
            return self.app.handle(msg)
        finally:
            with self._cv:
                self.handled.append(msg.message_id)
                self._cv.notify_all()

    def _alert(self, detail: str) -> None:
        try:
            self.app.account_logged_out(detail)
        finally:
            self.alerted.set()

    def settle(self, *mids: str, timeout: float = 30) -> None:
        """Wait until the bot has handled the messages `mids` and the echo of every message
        it sent (an echo comes after its send, so this covers what those sends caused)."""
        def done() -> bool:
            return set(mids) | {s.id for s in self.fake.sent} <= set(self.handled)

        with self._cv:
            if not self._cv.wait_for(done, timeout):
                missing = set(mids) | {s.id for s in self.fake.sent}
                raise TimeoutError(f"not handled: {sorted(missing - set(self.handled))}")

    def stop(self) -> None:
        self.transport.stop()
        self.thread.join(30)
        assert not self.thread.is_alive(), "the transport did not stop"
        self.app.close()

    def rows(self, model, *where):  # type: ignore[no-untyped-def]
        with self.app.lock:
            self.app.repo.s.expire_all()
            out = self.app.repo.s.exec(select(model).where(*where)).all()
            self.app.repo.commit()
            return out


def _until(cond, timeout: float = 30.0) -> None:  # type: ignore[no-untyped-def]
    """Poll `cond` (for a state no event marks) until it holds; the timeout bounds a failure."""
    end = time.monotonic() + timeout
    while not cond():
        if time.monotonic() > end:
            raise TimeoutError("condition not met in time")
        time.sleep(0.02)


def _quiet(bot: Running, n: int, *mids: str) -> None:
    """Once the bot has handled `mids` (and the echoes of its sends): n messages sent in all,
    and nothing waiting in the outbox to be sent later."""
    bot.settle(*mids)
    assert len(bot.fake.sent) == n, [s.text for s in bot.fake.sent[n:]]
    waiting = [o.text for o in bot.rows(Outbox) if o.sent_at is None and o.failed_at is None]
    assert not waiting, waiting


@contextmanager
def _logged(words: str, level: int = logging.ERROR) -> Iterator[threading.Event]:
    """An Event set when the transport logs a record at `level` or above containing `words`."""
    seen = threading.Event()

    class Watch(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            if words in record.getMessage():
                seen.set()

    logger = logging.getLogger("bot.transports.wechaty")
    handler, old = Watch(level), logger.level
    logger.addHandler(handler)
    if logger.getEffectiveLevel() > level:
        logger.setLevel(level)
    try:
        yield seen
    finally:
        logger.removeHandler(handler)
        logger.setLevel(old)


@pytest.fixture
def fake() -> Iterator[FakePuppet]:
    f = FakePuppet().start()
    f.add_room("r1", ROOM, {k: v for k, v in PEOPLE.items()})
    f.add_room("r9", "工会干部群", {"c9": "刘干事"})
    f.login("bot-1")
    yield f
    f.stop()


@pytest.fixture
def cfg(tmp_path) -> Config:  # type: ignore[no-untyped-def]
    return Config(db_url=f"sqlite:///{tmp_path / 'bot.db'}", cadres=("c9",),
                  groups=(GroupConfig(ROOM), GroupConfig("工会干部群", cadre_group=True)),
                  exports_dir=str(tmp_path / "exports"))


@pytest.fixture
def bot(fake, cfg) -> Iterator[Running]:  # type: ignore[no-untyped-def]
    r = Running(fake, cfg, Pacer(per_chat=0.05, jitter=0.0, per_minute=0))
    yield r
    r.stop()


POST = "我们印刷厂需要3名临时工，手工包装纸品，一天150，日结"


def test_a_room_message_gets_its_reply_in_that_room(bot, fake):  # type: ignore[no-untyped-def]
    fake.say("r1", "c1", POST)
    sent = fake.wait_sent(1)
    assert sent[0].conversation_id == "r1"
    assert "已登记招工 #1" in sent[0].text and sent[0].mentions == ["c1"]
    chat = fake.say("r1", "c2", "今天好热啊")  # chit-chat: silence
    _quiet(bot, 1, chat)


def test_a_mention_is_recognised(bot, fake):  # type: ignore[no-untyped-def]
    fake.say("r1", "c1", POST)
    fake.wait_sent(1)
    bare = fake.say("r1", "c2", "列表")  # a bare command word, not addressed to the bot: nothing
    _quiet(bot, 1, bare)
    fake.say("r1", "c2", "@小桥 列表", mentions=("bot-1",))
    sent = fake.wait_sent(2)
    assert "#1" in sent[1].text and "印刷厂" in sent[1].text


def test_a_quote_claim_lands_on_the_quoted_posting(bot, fake):  # type: ignore[no-untyped-def]
    fake.say("r1", "c1", POST)
    fake.say("r1", "c3", "五金厂招搬运工5名，一天200")
    fake.wait_sent(2)
    quote = "「张三：我们印刷厂需要3名临时工，手工包装纸品，一天150，日结」\n- - - - - - - - - - - - - - -\n我去"
    fake.say("r1", "c2", quote)
    sent = fake.wait_sent(3)
    assert "报名成功 #1" in sent[2].text
    claims = bot.rows(Claim)
    assert [(c.posting_id, c.claimant_id) for c in claims] == [(1, "c2")]


def test_own_messages_and_images_get_no_reply(bot, fake):  # type: ignore[no-untyped-def]
    mids = [fake.say("r1", "bot-1", POST),  # the bot's account typing (or an echo)
            fake.say("r1", "c1", "", kind="image"),
            fake.say("r1", "c1", "", kind="emoticon")]
    _quiet(bot, 0, *mids)
    kinds = sorted(m.type for m in bot.rows(Message))
    assert kinds == ["emoticon", "image"]  # archived; the bot's own message is not


def test_a_dropped_stream_is_reconnected_and_answered_exactly_once(bot, fake):  # type: ignore[no-untyped-def]
    mids = [fake.say("r1", "c1", POST)]
    fake.wait_sent(1)
    fake.drop_stream()
    mids.append(fake.say("r1", "c2", "报名 1"))  # arrives while the bot reconnects
    fake.wait_streams(2)
    fake.redeliver = 5  # and the gateway re-delivers recent messages on the next stream
    fake.drop_stream()
    fake.wait_streams(3)
    mids.append(fake.say("r1", "c3", "报名 1"))  # one person: the posting (3) stays open, no "filled" notice
    sent = fake.wait_sent(3)
    # Re-deliveries precede anything queued, so once this last message is handled every
    # copy the gateway delivered has been handled too.
    mids.append(fake.say("r1", "c1", "收到"))
    _quiet(bot, 3, *mids)
    assert [s.text.split(" ", 1)[1][:7] for s in sent[1:]] == ["报名成功 #1", "报名成功 #1"]
    assert bot.transport.connects >= 3
    assert len(bot.rows(Claim)) == 2


def test_a_relogin_with_new_ids_keeps_the_group_and_its_postings(bot, fake):  # type: ignore[no-untyped-def]
    mids = [fake.say("r1", "c1", POST),
            fake.say("r9", "c9", "#设置 摘要时间 09:00")]  # a cadre, in the cadre group
    fake.wait_sent(2)
    mids += [fake.say("r1", "c9", "#设置 摘要时间 07:45"),
             fake.say("r1", "c2", "收到")]  # 李四 has been seen under his old id
    fake.wait_sent(3)
    bot.settle(*mids)  # all handled, and the echoes of the replies (under the old ids)
    before = {g.name: (g.id, g.digest_time) for g in bot.rows(Group)}
    fake.relogin("bot-2", {"r1": "r1-new", "r9": "r9-new"},
                 {k: f"{k}-new" for k in PEOPLE})
    _until(lambda: bot.transport.self_id == "bot-2")
    fake.say("r1-new", "c2-new", "报名 1")
    sent = fake.wait_sent(4)
    assert sent[3].conversation_id == "r1-new" and "报名成功 #1" in sent[3].text
    after = {g.name: (g.id, g.digest_time) for g in bot.rows(Group)}
    assert after == before and after[ROOM][1] == "07:45"
    assert [(c.posting_id, c.claimant_id) for c in bot.rows(Claim)] == [(1, "c2")]
    fake.say("r1-new", "c1-new", "#关闭 1")  # the poster is still the poster
    assert "已关闭" in fake.wait_sent(5)[4].text


def test_the_pacer_spaces_sends_to_one_group(fake, cfg):  # type: ignore[no-untyped-def]
    r = Running(fake, cfg, Pacer(per_chat=0.8, jitter=0.2, per_minute=0))
    try:
        for i, who in enumerate(("c1", "c2", "c3")):
            fake.say("r1", who, f"我们{'印刷五金服装'[i * 2:i * 2 + 2]}厂需要{i + 2}名普工，一天150")
        sent = fake.wait_sent(3)
        gaps = [b.at - a.at for a, b in zip(sent, sent[1:], strict=False)]
        assert all(g >= 0.8 for g in gaps), gaps
    finally:
        r.stop()


def test_the_pacer_limits_per_minute_and_backs_off() -> None:
    t = [0.0]
    p = Pacer(per_chat=2.0, jitter=0.0, per_minute=3, backoff=600, monotonic=lambda: t[0])
    for chat in ("a", "b", "c"):
        assert p.delay(chat) == 0
        p.sent(chat)
    assert p.delay("a") == 60.0  # three in the last minute: the fourth waits for the window
    assert p.delay("d") == 60.0
    t[0] = 61.0
    assert p.delay("d") == 0
    p.back_off()
    assert p.delay("d") == 600.0


def test_sending_too_often_backs_off_and_sends_once_later(fake, cfg):  # type: ignore[no-untyped-def]
    r = Running(fake, cfg, Pacer(per_chat=0.05, jitter=0.0, per_minute=0, backoff=1.5))
    try:
        fake.fail_sends = [GRPCError(Status.RESOURCE_EXHAUSTED, "发送消息过于频繁")]
        t0 = time.monotonic()
        post = fake.say("r1", "c1", POST)
        sent = fake.wait_sent(1)
        assert sent[0].at - t0 >= 1.5
        _quiet(r, 1, post)  # sent once, after the quiet spell: nothing else left to send
    finally:
        r.stop()


def test_a_logout_is_logged_and_the_cadres_are_told(bot, fake, caplog):  # type: ignore[no-untyped-def]
    bot.settle(fake.say("r9", "c9", "大家好"))  # binds the cadre group's room
    with caplog.at_level("ERROR"):
        fake.logout()
        # The transport logs the logout, then hands it to the bot: once the alert is in,
        # so are the log line and the cleared login.
        assert bot.alerted.wait(30), "no logout alert"
    assert not bot.transport.logged_in.is_set()
    assert any("logged out" in r.message for r in caplog.records)
    assert any("掉线" in o.text for o in bot.rows(Outbox))
    assert not fake.sent  # nothing goes out while logged out
    fake.login("bot-1")  # scanned again: the alert goes out to the cadre group
    sent = fake.wait_sent(1)
    assert sent[0].conversation_id == "r9" and "掉线" in sent[0].text


def test_messages_from_before_the_run_are_kept_but_not_answered(bot, fake):  # type: ignore[no-untyped-def]
    old = time.time() - 3600
    mids = [fake.say("r1", "c1", POST, ts=old), fake.say("r1", "c9", "#暂停", ts=old)]
    _quiet(bot, 0, *mids)
    rows = bot.rows(Message)
    assert [m.status for m in rows] == ["stale", "stale"]
    assert '"intent": "job_post"' in (rows[0].parse or "")
    assert not any(g.paused for g in bot.rows(Group))


def test_a_reply_for_a_group_the_gateway_lacks_alerts_the_cadre_group(bot, fake):  # type: ignore[no-untyped-def]
    bot.settle(fake.say("r9", "c9", "大家好"))  # binds the cadre group's room
    with bot.app.lock:
        repo, now = bot.app.repo, datetime.now(UTC)
        g = repo.ensure_group("已解散的群", transport="wechaty", external_id=None, now=now)
        repo.commit()
        repo.enqueue(key="digest:test", group_id=g.id, text="今日岗位：……", due=now, created_at=now)
        repo.commit()
        bot.app.outbox.backlog = True
    sent = fake.wait_sent(1)
    assert sent[0].conversation_id == "r9" and "已解散的群" in sent[0].text
    failed = [o for o in bot.rows(Outbox) if o.key == "digest:test"][0]
    assert failed.failed_at is not None and failed.sent_at is None


def test_long_texts_are_split_at_natural_breaks() -> None:
    text = "\n".join(f"第{i}行：" + "岗位信息" * 20 for i in range(40))
    parts = split_text(text, 500)
    assert all(len(p) <= 500 for p in parts) and len(parts) > 1
    assert "".join(p + "\n" for p in parts).strip() == text.strip()
    assert all(p.startswith("第") for p in parts)  # each piece starts at a line


def test_identities_rebind_people_by_weixin_and_name_only_after_ids_changed(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from storage import migrate  # noqa: PLC0415

    eng = make_engine(f"sqlite:///{tmp_path / 'ids.db'}")
    migrate(eng)
    ids = Identities(eng, "wechaty")
    t0 = datetime(2025, 3, 3, tzinfo=UTC)
    ids.logged_in(t0)
    assert ids.contact("a1", name="张三", weixin="zs", now=t0) == "a1"
    assert ids.contact("b1", name="李四", now=t0) == "b1"
    assert ids.room("r1", topic=ROOM, members=["a1", "b1"], now=t0) == "r1"
    t1 = t0 + timedelta(days=1)
    ids.logged_in(t1)
    assert ids.contact("b2", name="李四", now=t1) == "b2"  # no sign that ids changed: new person
    assert ids.room("r2", topic=ROOM, members=[], now=t1) == "r1"  # same topic: same group
    assert ids.contact("a2", name="张三改名", weixin="zs", now=t1) == "a1"  # by WeChat id
    assert ids.contact("b3", name="李四", now=t1) == "b1"  # by name, once ids changed
    assert ids.external("contact", "a1") == "a2" and ids.external("room", "r1") == "r2"
    assert ids.room("r3", topic="改了名的群", members=["a1", "b1"], now=t1) == "r1"  # members


def test_an_export_goes_out_as_a_file(bot, fake):  # type: ignore[no-untyped-def]
    fake.say("r1", "c1", POST)
    fake.wait_sent(1)
    fake.say("r9", "c9", "#导出 岗位")
    sent = fake.wait_sent(3)
    text, attachment = sent[1], sent[2]
    assert text.conversation_id == "r9" and attachment.conversation_id == "r9"
    assert attachment.kind == "attachment" and attachment.text.endswith(".xlsx")


def test_a_quiet_stream_is_pinged_and_a_wedged_gateway_is_left(fake, cfg):  # type: ignore[no-untyped-def]
    # ping_timeout is generous so that a slow machine's Ding is not taken for a wedged
    # gateway; only a hanging Ding (below) waits it out.
    r = Running(fake, cfg, Pacer(per_chat=0.05, jitter=0.0, per_minute=0), quiet_ping=0.4,
                ping_timeout=3.0)
    try:
        # Quiet: the bot asks whether the gateway is there; it answers (a dong), so the bot
        # keeps the stream and, quiet again, asks again on it.
        fake.wait_dings(2)
        assert fake.ding_streams[:2] == [1, 1]
        fake.ding_hangs = True
        fake.wait_streams(2)  # no answer: the bot drops the stream and connects again
        fake.ding_hangs = False
        fake.say("r1", "c1", POST)
        assert "已登记招工 #1" in fake.wait_sent(1)[0].text
    finally:
        r.stop()


def test_a_renamed_room_keeps_its_group(bot, fake):  # type: ignore[no-untyped-def]
    fake.say("r1", "c1", POST)
    fake.wait_sent(1)
    fake.rename_room("r1", "共享员工群（北仑）")  # the topic event comes before the next message
    fake.say("r1", "c2", "报名 1")
    assert "报名成功 #1" in fake.wait_sent(2)[1].text
    groups = {g.name: g.id for g in bot.rows(Group)}
    assert "共享员工群（北仑）" in groups and ROOM not in groups


def test_a_direct_message_is_answered_privately(bot, fake):  # type: ignore[no-untyped-def]
    fake.say("r1", "c1", POST)
    fake.wait_sent(1)
    fake.say(None, "c2", "帮助")
    sent = fake.wait_sent(2)
    assert sent[1].conversation_id == "c2" and "报名" in sent[1].text


def test_tls_when_asked_and_the_token_is_sent(tmp_path, cfg, monkeypatch):  # type: ignore[no-untyped-def]
    import ssl  # noqa: PLC0415
    import subprocess  # noqa: PLC0415

    key, cert = tmp_path / "key.pem", tmp_path / "cert.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                    "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
                    "-keyout", str(key), "-out", str(cert)], check=True, capture_output=True)
    server_ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_ctx.load_cert_chain(cert, key)
    server_ctx.set_alpn_protocols(["h2"])
    fake = FakePuppet(token="t-123", ssl=server_ctx).start()
    fake.add_room("r1", ROOM, dict(PEOPLE))
    fake.login("bot-1")
    monkeypatch.setenv("SSL_CERT_FILE", str(cert))  # trust the test's own certificate
    clock = SystemClock()
    t = WechatyTransport(f"127.0.0.1:{fake.port}", token="t-123", tls=True,
                         identities=Identities(make_engine(cfg.db_url), "wechaty"), clock=clock,
                         pacer=Pacer(per_chat=0.05, jitter=0.0, per_minute=0))
    app = build_app(cfg, t, clock=clock)
    th = threading.Thread(target=t.run, args=(app.handle,), daemon=True)
    th.start()
    try:
        fake.wait_streams(1)
        fake.say("r1", "c1", POST)
        assert "已登记招工 #1" in fake.wait_sent(1)[0].text
        assert fake.auth_seen[-1] == "Wechaty t-123"
    finally:
        t.stop()
        th.join(15)
        app.close()
        fake.stop()


def test_a_wrong_token_is_said_plainly(cfg):  # type: ignore[no-untyped-def]
    fake = FakePuppet(token="right").start()
    clock = SystemClock()
    t = WechatyTransport(f"127.0.0.1:{fake.port}", token="wrong", reconnect_max=0.2,
                         identities=Identities(make_engine(cfg.db_url), "wechaty"), clock=clock)
    app = build_app(cfg, t, clock=clock)
    th = threading.Thread(target=t.run, args=(app.handle,), daemon=True)
    try:
        with _logged("refused our token") as refused:
            th.start()
            assert refused.wait(30), "the refusal was not logged"
        assert not t.logged_in.is_set() and fake.auth_seen[0] == "Wechaty wrong"
    finally:
        t.stop()
        th.join(30)
        app.close()
        fake.stop()
