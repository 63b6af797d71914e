"""Shared fixtures: real databases (SQLite file, PostgreSQL schema), a loaded parser, a bot."""

from __future__ import annotations

import os
import re
import uuid
from collections.abc import Iterator
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import text

from bot.app import App, build_app
from bot.clock import ManualClock
from bot.config import load_config
from bot.transports.base import with_mentions
from bot.transports.memory import MemoryTransport
from bot.types import InboundMessage, Reply
from parsers import Parser
from storage import make_engine

TZ = ZoneInfo("Asia/Shanghai")
# Any run of 7+ digits (with the separators people type) in a group message is a leak;
# masked numbers (138****5678) do not match. Full-width digits and numerals written in
# Chinese are read as digits first: this check is written apart from the bot's masker, so a
# form the masker misses is caught here.
PHONE_LIKE = re.compile(r"(?<![\d*])(?:\d[ \t\-]{0,3}){6,}\d(?![\d*])")
_AS_DIGITS = str.maketrans({
    **dict(zip("０１２３４５６７８９零〇一幺二两三四五六七八九", "01234567890011223456789", strict=True)),
    **dict.fromkeys("－–—‐/_，、\u3000\u00a0\u200b\u200c\u200d\ufeff", " ")})
# Numbers a test config publishes on purpose (privacy.public_numbers): they may be shown.
PUBLIC_NUMBERS = ("057486881234",)


def phone_leaks(text: str, public: tuple[str, ...] = PUBLIC_NUMBERS) -> list[str]:
    """Unmasked phone-like numbers in a text, however written, other than public ones."""
    out = []
    for m in PHONE_LIKE.finditer(text.translate(_AS_DIGITS)):
        digits = re.sub(r"\D", "", m.group(0))
        if not any(p == digits or p.endswith(digits) for p in public):
            out.append(m.group(0))
    return out


def assert_no_phone_leak(group: str | None, text: str) -> None:
    """Every group message any test produces goes through here: no unmasked phone number."""
    if group is not None:
        leaks = phone_leaks(text)
        assert not leaks, f"unmasked number {leaks[0]!r} in a message to {group}: {text!r}"


PG_BASE = os.environ.get("DAQIAO_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


def _pg_reachable() -> str | None:
    try:
        eng = make_engine(PG_BASE)
        with eng.connect() as c:
            c.execute(text("select 1"))
        eng.dispose()
        return None
    except Exception as e:  # noqa: BLE001 - any failure means: no PostgreSQL here
        return f"PostgreSQL at {PG_BASE} not reachable: {type(e).__name__}: {e}"[:300]


@pytest.fixture(scope="session")
def pg_available() -> None:
    why = _pg_reachable()
    if why:
        if os.environ.get("DAQIAO_REQUIRE_POSTGRES"):
            pytest.fail(why + " (DAQIAO_REQUIRE_POSTGRES is set: CI must not skip)")
        pytest.skip(why)


@pytest.fixture
def pg_url(pg_available: None) -> Iterator[str]:
    """A fresh PostgreSQL schema for one test, dropped afterwards."""
    schema = f"t_{uuid.uuid4().hex[:12]}"
    eng = make_engine(PG_BASE)
    with eng.begin() as c:
        c.execute(text(f'create schema "{schema}"'))
    yield f"{PG_BASE}?options=-csearch_path%3D{schema}"
    with eng.begin() as c:
        c.execute(text(f'drop schema "{schema}" cascade'))
    eng.dispose()


@pytest.fixture
def sqlite_url(tmp_path) -> str:  # type: ignore[no-untyped-def]
    return f"sqlite:///{tmp_path / 'daqiao.db'}"


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request) -> str:  # type: ignore[no-untyped-def]
    """Both databases: storage tests run on each."""
    if request.param == "sqlite":
        return request.getfixturevalue("sqlite_url")
    return request.getfixturevalue("pg_url")


TEST_PLACES = ["北仑", "小港", "大碶", "江亭路社区", "文昌社区", "永鑫步行街"]


@pytest.fixture(scope="session")
def parser() -> Parser:
    """The parser as the bot runs it: the rules, with the intent model's second opinion."""
    return Parser.load(places=TEST_PLACES)


@pytest.fixture(scope="session")
def rules_parser() -> Parser:
    """The rules alone. The intent model learned the labelled cases and would answer them
    itself; without it, the cases test the rules."""
    return Parser.load(places=TEST_PLACES, model=False)


CONFIG_YAML = """
timezone: Asia/Shanghai
bot:
  name: 小桥
cadres: [wxid_cadre]
groups:
  - name: 干部群
    cadre_group: true
"""


class Bot:
    """A bot on a memory transport and a hand-moved clock: `say` returns what it sent."""

    def __init__(self, app: App, transport: MemoryTransport, clock: ManualClock) -> None:
        self.app, self.transport, self.clock = app, transport, clock
        self._n = 0

    @property
    def repo(self):  # type: ignore[no-untyped-def]
        return self.app.repo

    def say(self, text: str | None, *, sender: str = "a", name: str | None = None,
            group: str | None = "共享员工群", at: datetime | None = None, type: str = "text",
            mid: str | None = None, mentions_bot: bool = False,
            mentions: tuple[str, ...] = ()) -> list[Reply]:
        self._n += 1
        when = at or (self.clock.now() + timedelta(minutes=1))
        msg = InboundMessage(
            transport="memory", message_id=mid or f"m{self._n}", chat_id=group, chat_name=group,
            sender_id=sender, sender_name=name or sender, text=text, time=when, type=type,
            is_group=group is not None, mentions_bot=mentions_bot, mentions=mentions)
        before = len(self.transport.sent)
        self.app.handle(msg)
        out = self.transport.sent[before:]
        for r in out:
            assert_no_phone_leak(r.group_name, with_mentions(r))
        return out

    def texts(self, *args, **kw) -> list[str]:  # type: ignore[no-untyped-def]
        return [r.text for r in self.say(*args, **kw)]


@pytest.fixture
def make_bot(tmp_path, parser):  # type: ignore[no-untyped-def]
    apps: list[App] = []

    def make(db: str | None = None, config_yaml: str = CONFIG_YAML, simulated: bool = False,
             start: datetime = datetime(2025, 3, 3, 9, 0, tzinfo=TZ)) -> Bot:
        cfg_path = tmp_path / f"config{len(apps)}.yaml"
        if "exports_dir" not in config_yaml:  # ledgers and charts of tests: not in the checkout
            config_yaml += f"\nexports_dir: {tmp_path / 'exports'}\n"
        cfg_path.write_text(config_yaml, encoding="utf-8")
        cfg = load_config(cfg_path, db=db or f"sqlite:///{tmp_path / 'bot.db'}")
        clock = ManualClock(start)
        transport = MemoryTransport()
        app = build_app(cfg, transport, clock=clock, simulated=simulated, parser=parser)
        apps.append(app)
        return Bot(app, transport, clock)

    yield make
    for a in apps:
        a.close()


@pytest.fixture
def bot(make_bot) -> Bot:  # type: ignore[no-untyped-def]
    return make_bot()
