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
from sqlmodel import Session, col, select

from bot.app import App, build_app
from bot.clock import SystemClock
from bot.config import Config, GroupConfig
from bot.transports.wechaty import Pacer, WechatyTransport, split_text
from storage import make_engine
from storage.models import AuditLog, Claim, Group, Message, Outbox, Posting
from storage.repository import Identities
from tests.fake_puppet import FakePuppet, Sent

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
            f"127.0.0.1:{fake.port}",
            identities=Identities(make_engine(cfg.db_url), "wechaty", role_ids=cfg.role_ids),
            clock=clock, pacer=pacer, reconnect_max=0.5, doubt_grace=0.5, **kw)  # type: ignore[arg-type]
        self.app: App = build_app(cfg, self.transport, clock=clock)
        self.transport.ids.on_record = self.app.identities_recorded  # as `daqiao run` wires it
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


def _sent(fake: FakePuppet, words: str) -> Sent:
    """The first message the bot sent containing `words` (waiting for it)."""
    sent = fake.wait_sent_where(lambda x: words in x.text)
    return next(x for x in sent if words in x.text)


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
    claimed = _sent(fake, "报名成功 #1")
    assert claimed.conversation_id == "r1-new"
    after = {g.name: (g.id, g.digest_time) for g in bot.rows(Group)}
    assert after == before and after[ROOM][1] == "07:45"
    assert [(c.posting_id, c.claimant_id) for c in bot.rows(Claim)] == [(1, "c2")]
    # 李四 was known again by his name and the group he sits in, not by his WeChat id: the
    # cadre group is told, in its room under its new id.
    note = _sent(fake, "「李四」认作原来的成员")
    assert note.conversation_id == "r9-new" and "同名且所在群相同" in note.text
    fake.say("r1-new", "c1-new", "#关闭 1")  # the poster is still the poster
    assert _sent(fake, "已关闭").conversation_id == "r1-new"


@pytest.mark.parametrize("weixin", ["nobody", "the cadre", "everyone"])
def test_a_relogin_impostor_with_a_cadres_name_gets_no_power(fake, cfg, weixin):  # type: ignore[no-untyped-def]
    """Issue 24: after a re-login re-issued every id, 王五 takes the cadre's name and speaks
    first. He is not taken for the cadre, whichever WeChat ids the gateway reports (a puppet
    often has them only for the bot's friends): his commands are refused and logged under his
    own id. The real cadre keeps the powers when a WeChat id vouches for him; without one he
    is a new member too, and the cadre group is told which id to put in the config."""
    if weixin != "nobody":
        fake.contacts["c9"]["weixin"] = "liu_ganshi"
    if weixin == "everyone":
        for c in ("c1", "c2", "c3"):
            fake.contacts[c]["weixin"] = f"wx_{c}"
    bot = Running(fake, cfg, Pacer(per_chat=0.05, jitter=0.0, per_minute=0))
    try:
        bot.settle(fake.say("r1", "c1", POST), fake.say("r9", "c9", "#设置 摘要时间 09:00"),
                   fake.say("r1", "c3", "收到"))
        fake.relogin("bot-2", {"r1": "r1-new", "r9": "r9-new"},
                     {k: f"{k}-new" for k in PEOPLE})
        _until(lambda: bot.transport.self_id == "bot-2")
        fake.rooms["r1-new"].aliases["c3-new"] = "刘干事"  # his group nickname
        fake.contacts["c3-new"]["name"] = "刘干事"  # and his WeChat name
        bot.settle(fake.say("r1-new", "c3-new", "#关闭 1"), fake.say("r1-new", "c3-new", "#暂停"))
        assert _sent(fake, "“#关闭”只有").conversation_id == "r1-new"
        assert _sent(fake, "“#暂停”只有工会干部").conversation_id == "r1-new"
        impostor = "c3" if weixin == "everyone" else "c3-new"  # his own id, old or new
        done = bot.rows(AuditLog, col(AuditLog.action).in_(["关闭", "暂停"]))
        assert [(a.action, a.actor_id, a.allowed) for a in done] == [
            ("关闭", impostor, False), ("暂停", impostor, False)]
        assert bot.rows(Posting)[0].status == "open"
        assert not any(g.paused for g in bot.rows(Group))
        if weixin != "everyone":  # the cadre group hears that someone used the cadre's name
            note = _sent(fake, "有人用干部「刘干事」的名字说话")
            assert note.conversation_id == "r9-new" and "c3-new" in note.text
        # The real cadre speaks.
        bot.settle(fake.say("r1-new", "c9-new", "#暂停"))
        paused = {g.name: g.paused for g in bot.rows(Group)}
        last = bot.rows(AuditLog, AuditLog.action == "暂停")[-1]
        if weixin == "nobody":  # a new member, until the config names his new id
            assert (last.actor_id, last.allowed, paused[ROOM]) == ("c9-new", False, False)
            note = fake.wait_sent_where(lambda x: "c9-new" in x.text and "c9 改成" in x.text)
            assert [x.conversation_id for x in note if "c9 改成 c9-new" in x.text] == ["r9-new"]
        else:
            assert (last.actor_id, last.allowed, paused[ROOM]) == ("c9", True, True)
        if weixin == "everyone":
            assert not [x for x in fake.sent if "提示" in x.text]  # nothing weaker was used
    finally:
        bot.stop()


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


def _identities(tmp_path, role_ids=()):  # type: ignore[no-untyped-def]
    from storage import migrate  # noqa: PLC0415

    eng = make_engine(f"sqlite:///{tmp_path / 'ids.db'}")
    migrate(eng)
    return Identities(eng, "wechaty", role_ids=role_ids), eng


def _rebinds(eng) -> list[tuple[str, str | None, bool]]:  # type: ignore[no-untyped-def]
    with Session(eng) as s:
        rows = s.exec(select(AuditLog).where(AuditLog.action == "rebind")).all()
        return [(a.actor_id, a.target, a.allowed) for a in rows]


T0 = datetime(2025, 3, 3, tzinfo=UTC)
T1 = T0 + timedelta(days=1)


def test_identities_rebind_people_by_weixin_and_by_name_only_with_their_rooms(tmp_path) -> None:  # type: ignore[no-untyped-def]
    ids, eng = _identities(tmp_path)
    ids.logged_in(T0)
    assert ids.contact("a1", name="张三", weixin="zs", now=T0) == "a1"
    assert ids.contact("b1", name="李四", now=T0) == "b1"
    assert ids.contact("d1", name="王五", now=T0) == "d1"
    assert ids.room("r1", topic=ROOM, members=["a1", "b1", "d1"], now=T0) == "r1"
    ids.logged_in(T1)
    assert ids.contact("b2", name="李四", now=T1) == "b2"  # no sign that ids changed: new person
    assert ids.room("r2", topic=ROOM, members=["a2", "b3", "d2"], now=T1,  # same topic
                    names={"a2": "张三改名", "b3": "李四", "d2": "王五"}) == "r1"
    assert ids.contact("a2", name="张三改名", weixin="zs", now=T1) == "a1"  # by WeChat id
    assert ids.contact("b3", name="李四", now=T1) == "b1"  # by name and the same group
    assert ids.contact("d2", name="王五", now=T1) == "d1"
    assert ids.external("contact", "a1") == "a2" and ids.external("room", "r1") == "r2"
    # The group's member list is in our ids again, so a renamed group is known by it.
    assert ids.room("r3", topic="改了名的群", members=["a1", "b1"], now=T1) == "r1"
    # Moves by name are recorded (for the cadre group); the one by WeChat id is not.
    assert _rebinds(eng) == [("b1", None, True), ("d1", None, True)]


def test_identities_never_move_a_role_holder_or_an_unproven_person_by_name(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from storage.models import Member  # noqa: PLC0415

    ids, eng = _identities(tmp_path, role_ids={"c9"})
    with Session(eng) as s:  # 老陈 was made a cadre with #管理员 添加
        s.add(Member(sender_id="k1", display_name="老陈", role="cadre", created_at=T0))
        s.commit()
    ids.logged_in(T0)
    old = {"c9": ("刘干事", ""), "k1": ("老陈", ""), "w1": ("钱七", "qq7"), "n1": ("赵六", ""),
           "g1": ("孙八", ""), "h1": ("吴九", "wu9")}
    for cid, (name, wx) in old.items():
        ids.contact(cid, name=name, weixin=wx, now=T0)
    ids.room("r1", topic=ROOM, members=list(old), now=T0)
    ids.room("r5", topic="五金群", members=["g1", "h1"], now=T0)
    ids.logged_in(T1)
    now = {"x2": "刘干事", "k2": "老陈", "w2": "钱七", "n2": "赵六", "n3": "赵六", "g2": "孙八",
           "h2": "吴九"}
    ids.room("r1-new", topic=ROOM, members=list(now), names=now, now=T1)
    ids.room("r5-new", topic="五金群", members=["h2"], names={"h2": "吴九"}, now=T1)
    assert ids.contact("x2", name="刘干事", now=T1) == "x2"  # a cadre in the config: never by name
    assert ids.contact("k2", name="老陈", now=T1) == "k2"  # a stored cadre: never by name
    assert ids.contact("w2", name="钱七", weixin="qq8", now=T1) == "w2"  # another WeChat id
    assert ids.contact("n2", name="赵六", now=T1) == "n2"  # two 赵六 in the group now
    assert ids.contact("g2", name="孙八", now=T1) == "g2"  # 孙八 was in 五金群 too, g2 is not
    assert ids.contact("h2", name="吴九", weixin="wu9", now=T1) == "h1"  # a WeChat id vouches
    assert ids.contact("c9-new", name="刘干事", weixin="", now=T1) == "c9-new"  # nor the cadre
    # Each time a role holder's name came under a new id, the refusal is recorded.
    assert _rebinds(eng) == [("x2", "c9", False), ("k2", "k1", False), ("c9-new", "c9", False)]


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
                         clock=clock,
                         identities=Identities(make_engine(cfg.db_url), "wechaty", role_ids=()),
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
                         clock=clock,
                         identities=Identities(make_engine(cfg.db_url), "wechaty", role_ids=()))
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


def test_identities_do_not_take_a_room_by_its_topic_alone(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Anyone can create a room called 工会干部群 and add the bot: its topic does not make it
    the cadre group. The same room after a re-login (new ids, the same people) still is."""
    ids, _ = _identities(tmp_path)
    ids.logged_in(T0)
    for cid, name in (("c1", "刘干事"), ("c2", "老陈"), ("c3", "郑主席")):
        ids.contact(cid, name=name, now=T0)
    assert ids.room("r1", topic="工会干部群", members=["c1", "c2", "c3"], now=T0) == "r1"
    ids.logged_in(T1)
    fake = ids.room("r-fake", topic="工会干部群", members=["z1", "z2"],
                    names={"z1": "捣乱的", "z2": "刘干事"}, now=T1)
    assert fake == "r-fake"
    again = ids.room("r1-new", topic="工会干部群", members=["n1", "n2", "n3"],
                     names={"n1": "刘干事", "n2": "老陈", "n3": "郑主席"}, now=T1)
    assert again == "r1"


# -- issue 29: Start, back-off, lazy members ---------------------------------------------------

class _Lines(logging.Handler):
    """The transport's log lines, in order."""

    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(f"{record.levelname} {record.getMessage()}")

    def index(self, words: str) -> int:
        return next(i for i, x in enumerate(self.lines) if words in x)


@contextmanager
def _lines() -> Iterator[_Lines]:
    logger = logging.getLogger("bot.transports.wechaty")
    h, old = _Lines(), logger.level
    logger.addHandler(h)
    logger.setLevel(logging.INFO)
    try:
        yield h
    finally:
        logger.removeHandler(h)
        logger.setLevel(old)


def test_a_puppet_that_waits_for_start_logs_in_once_it_is_called(cfg):  # type: ignore[no-untyped-def]
    """The official server's puppet starts on Start, and only a started puppet logs in.
    The bot calls Start once per event stream, reads events while Start is slow, says what
    it waits for, and logs in."""
    fake = FakePuppet()
    fake.wait_for_start, fake.start_delay = True, 1.0  # no login until Start, and Start is slow
    fake.start()
    fake.add_room("r1", ROOM, dict(PEOPLE))
    clock = SystemClock()
    t = WechatyTransport(f"127.0.0.1:{fake.port}", clock=clock, reconnect_max=0.3,
                         identities=Identities(make_engine(cfg.db_url), "wechaty", role_ids=()),
                         pacer=Pacer(per_chat=0.05, jitter=0.0, per_minute=0),
                         start_warn=0.3, login_warn=0.3)
    app = build_app(cfg, t, clock=clock)
    th = threading.Thread(target=t.run, args=(app.handle,), daemon=True)
    try:
        with _lines() as log:
            th.start()
            fake.wait_starts(1)
            _until(lambda: t.starts == 1)  # Start answered (after its second)
            assert not t.logged_in.is_set()  # nobody has scanned yet
            _until(lambda: any("still waiting for the WeChat account" in x for x in log.lines))
            fake.login("bot-1")  # the account logs in
            assert t.logged_in.wait(30)
        order = [log.index(w) for w in ("asked the puppet service to start its puppet (Start)",
                                        "has not answered Start after",
                                        "started its puppet", "waiting for the WeChat account",
                                        "still waiting for the WeChat account", "logged in to WeChat")]
        assert order == sorted(order), log.lines
        fake.say("r1", "c1", POST)
        assert "已登记招工 #1" in fake.wait_sent(1)[0].text
        fake.drop_stream()  # a new stream: Start again, once, on it
        fake.wait_streams(2)
        fake.wait_starts(2)
        fake.say("r1", "c2", "报名 1")
        assert "报名成功 #1" in _sent(fake, "报名成功").text
        assert fake.start_streams == [1, 2] and fake.calls["Start"] == 2
    finally:
        t.stop()
        th.join(30)
        app.close()
        fake.stop()


def test_a_refused_start_is_logged_and_retried(cfg):  # type: ignore[no-untyped-def]
    fake = FakePuppet()
    fake.wait_for_start = True
    fake.start_error = GRPCError(Status.INTERNAL, "puppet start timeout")
    fake.start()
    fake.add_room("r1", ROOM, dict(PEOPLE))
    fake.login("bot-1")
    clock = SystemClock()
    t = WechatyTransport(f"127.0.0.1:{fake.port}", clock=clock, reconnect_max=0.2,
                         identities=Identities(make_engine(cfg.db_url), "wechaty", role_ids=()))
    app = build_app(cfg, t, clock=clock)
    th = threading.Thread(target=t.run, args=(app.handle,), daemon=True)
    try:
        with _logged("could not start its puppet (Start: INTERNAL puppet start timeout)") as said:
            th.start()
            assert said.wait(30)
        fake.start_error = None  # the puppet comes up on a later try
        assert t.logged_in.wait(30)
        assert fake.streams_opened >= 2 and len(fake.start_streams) == fake.streams_opened
    finally:
        t.stop()
        th.join(30)
        app.close()
        fake.stop()


def test_the_reconnect_delay_starts_afresh_after_a_healthy_session(fake, cfg):  # type: ignore[no-untyped-def]
    """Failures in a row double the delay; a session that delivered a message (or stayed up
    `healthy_after` seconds after Start) resets it. A session that only logged in does not."""
    r = Running(fake, cfg, Pacer(per_chat=0.05, jitter=0.0, per_minute=0),
                reconnect_base=0.01, healthy_after=30.0)
    t = r.transport
    try:
        r.settle(fake.say("r1", "c1", POST))  # session 1 delivered a message: healthy
        port = fake.port
        fake.stop()  # the gateway goes away: every connect is refused
        _until(lambda: len(t.reconnects) >= 4)
        fake.port = port
        fake.start()  # back on the same port: the bot logs in again
        fake.wait_streams(2)
        _until(lambda: t.logged_in.is_set())
        n = len(t.reconnects)
        fake.drop_stream()  # session 2 only logged in: not healthy, the count goes on
        fake.wait_streams(3)
        _until(lambda: t.logged_in.is_set())
        r.settle(fake.say("r1", "c2", "报名 1"))  # session 3 delivers a message: healthy
        fake.drop_stream()
        fake.wait_streams(4)
        attempts = [a for a, _ in t.reconnects]
        assert attempts[:4] == [0, 1, 2, 3], attempts  # after session 1, then refusals
        assert attempts[n] == attempts[n - 1] + 1, attempts  # after session 2
        assert attempts[n + 1] == 0, attempts  # after session 3
        # Time counts too: a session up healthy_after seconds after Start is healthy.
        _until(lambda: t.logged_in.is_set())
        t.healthy_after = 0.2
        _until(lambda: t.session_healthy)
        fake.drop_stream()
        fake.wait_streams(5)
        assert t.reconnects[-1][0] == 0, t.reconnects
    finally:
        r.stop()


def test_room_members_are_fetched_when_needed_and_kept_across_logins(cfg):  # type: ignore[no-untyped-def]
    """A 500-member room costs no call at login; a message costs one member call for a
    sender not yet known (and one RoomPayload per room and login); a re-login with the same
    ids fetches no member again. A re-login that re-issues ids costs one call per member of
    each room seen again, once: Identities needs their names to tell the room is ours."""
    fake = FakePuppet().start()
    members = {f"m{i}": f"工友{i}" for i in range(500)}
    fake.add_room("r1", ROOM, members, aliases={"m2": "二号"})
    fake.login("bot-1")
    r = Running(fake, cfg, Pacer(per_chat=0.05, jitter=0.0, per_minute=0))
    try:
        _until(lambda: fake.calls["Start"] == 1)
        assert [fake.calls[k] for k in ("RoomPayload", "RoomMemberPayload", "RoomMemberList",
                                        "ContactPayload")] == [0, 0, 0, 0]
        r.settle(fake.say("r1", "m1", POST), fake.say("r1", "m1", "收到"),
                 fake.say("r1", "m2", "报名 1"))
        assert fake.calls["RoomPayload"] == 1 and fake.calls["RoomMemberPayload"] == 2
        fake.login("bot-1")  # logged in again, same ids
        _until(lambda: r.transport.ids.login_at is not None and not r.transport._rooms)
        r.settle(fake.say("r1", "m1", "好的谢谢"), fake.say("r1", "m2", "好的"))
        assert fake.calls["RoomPayload"] == 2  # once per room and login
        assert fake.calls["RoomMemberPayload"] == 2 and fake.calls["ContactPayload"] == 2
        names = {(m.sender_id, m.sender_name) for m in r.rows(Message) if m.sender_id != "self"}
        assert names == {("m1", "工友1"), ("m2", "二号")}  # the name in this group first
        # New ids for everyone: every member's name is fetched once, as the evidence
        # Identities weighs (whether it suffices in a room where few have spoken is
        # storage.identities' matter, and is not asserted here).
        fake.relogin("bot-2", {"r1": "r1-new"}, {k: f"{k}-new" for k in members})
        _until(lambda: r.transport.self_id == "bot-2")
        r.settle(fake.say("r1-new", "m1-new", "在吗"))
        assert fake.calls["RoomMemberPayload"] == 2 + 500
        r.settle(fake.say("r1-new", "m2-new", "在的"))
        assert fake.calls["RoomMemberPayload"] == 2 + 500  # and the names are kept
    finally:
        r.stop()
        fake.stop()
