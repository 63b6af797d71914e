"""Issue 29: TLS to the puppet service the way the official Wechaty client does it.

The fake gateway here behaves as the official server (grpc-js) does: it drops a TLS client
that does not negotiate ALPN h2, and it presents a certificate issued for a name other than
the address the bot dials (127.0.0.1), by a CA made in the test."""

from __future__ import annotations

import logging
import socket
import ssl
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from bot.app import build_app
from bot.clock import SystemClock
from bot.config import Config, GroupConfig
from bot.transports.wechaty import Pacer, WechatyTransport
from bot.transports.wechaty_tls import (
    INSECURE_SERVER_NAME,
    WECHATY_ROOT_CA,
    TlsSettings,
    read_ca,
    token_server_name,
)
from storage import make_engine
from storage.repository import Identities
from tests.fake_puppet import FakePuppet
from tests.tls_certs import TestCA

ROOM = "共享员工群"
POST = "我们印刷厂需要3名临时工，手工包装纸品，一天150，日结"


@pytest.fixture
def cfg(tmp_path: Path) -> Config:
    return Config(db_url=f"sqlite:///{tmp_path / 'bot.db'}", groups=(GroupConfig(ROOM),),
                  exports_dir=str(tmp_path / "exports"))


@pytest.fixture
def ca(tmp_path: Path) -> TestCA:
    return TestCA(tmp_path)


@contextmanager
def _gateway(ssl_ctx: ssl.SSLContext | None, token: str = "insecure_t-1") -> Iterator[FakePuppet]:
    fake = FakePuppet(token=token, ssl=ssl_ctx).start()
    fake.add_room("r1", ROOM, {"c1": "张三"})
    fake.login("bot-1")
    try:
        yield fake
    finally:
        fake.stop()


class _Log(logging.Handler):
    """The transport's log records, and an Event set when one contains `words`."""

    def __init__(self, words: str) -> None:
        super().__init__(logging.INFO)
        self.words, self.seen, self.lines = words, threading.Event(), []

    def emit(self, record: logging.LogRecord) -> None:
        line = record.getMessage()
        self.lines.append(f"{record.levelname} {line}")
        if self.words in line:
            self.seen.set()


@contextmanager
def _bot(fake: FakePuppet, cfg: Config, watch: str = "logged in", **kw) -> Iterator[tuple[WechatyTransport, _Log]]:  # type: ignore[no-untyped-def]
    """The real transport and bot against `fake`, running in a thread; the log watched."""
    clock = SystemClock()
    kw.setdefault("token", "insecure_t-1")
    t = WechatyTransport(f"127.0.0.1:{fake.port}", clock=clock, reconnect_max=0.3,
                         identities=Identities(make_engine(cfg.db_url), "wechaty", role_ids=()),
                         pacer=Pacer(per_chat=0.05, jitter=0.0, per_minute=0), **kw)
    app = build_app(cfg, t, clock=clock)
    logger = logging.getLogger("bot.transports.wechaty")
    log, old = _Log(watch), logger.level
    logger.addHandler(log)
    logger.setLevel(logging.INFO)
    th = threading.Thread(target=t.run, args=(app.handle,), daemon=True)
    th.start()
    try:
        yield t, log
    finally:
        t.stop()
        th.join(30)
        logger.removeHandler(log)
        logger.setLevel(old)
        app.close()
        assert not th.is_alive(), "the transport did not stop"


def _handshake(port: int, alpn: list[str] | None, ca: TestCA, name: str) -> str | None:
    """A bare TLS client: the ALPN protocol the server chose, after it answered one byte
    of HTTP/2 (None if the server dropped the connection)."""
    ctx = ssl.create_default_context(cafile=str(ca.issued.cert))
    if alpn:
        ctx.set_alpn_protocols(alpn)
    with socket.create_connection(("127.0.0.1", port), timeout=10) as raw:
        try:
            with ctx.wrap_socket(raw, server_hostname=name) as tls:
                tls.sendall(b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n" + bytes.fromhex("000000040000000000"))
                return tls.selected_alpn_protocol() if tls.recv(1) else None
        except (ConnectionError, ssl.SSLError):
            return None


def test_the_fake_gateway_drops_a_tls_client_without_alpn_h2(ca: TestCA) -> None:
    """The harness itself: without ALPN h2 the connection dies, as with grpc-js (the old
    transport's plain `ssl.create_default_context()` offered none)."""
    with _gateway(ca.issue("gateway.test").server_context()) as fake:
        assert _handshake(fake.port, None, ca, "gateway.test") is None
        # The server counts the refusal on its own thread, after the client saw the close.
        deadline = time.monotonic() + 5
        while fake.alpn_refused == 0 and time.monotonic() < deadline:
            time.sleep(0.01)
        assert fake.alpn_refused == 1
        assert _handshake(fake.port, ["h2"], ca, "gateway.test") == "h2"
        assert fake.alpn_refused == 1


@pytest.mark.parametrize("given", ["pem", "pem-one-line", "path"])
def test_tls_with_the_ca_and_server_name_connects_and_answers(ca, cfg, given) -> None:  # type: ignore[no-untyped-def]
    """The certificate is for gateway.test, the bot dials 127.0.0.1: with the CA (as PEM
    text, as an environment variable carries it with \\n, or as a file) and the server name
    the bot connects, offers h2, calls Start, logs in and answers."""
    ca_cert = {"pem": ca.pem, "pem-one-line": ca.pem.replace("\n", "\\n"),
               "path": str(ca.issued.cert)}[given]
    with _gateway(ca.issue("gateway.test").server_context()) as fake, \
            _bot(fake, cfg, tls_ca_cert=ca_cert, tls_server_name="gateway.test") as (t, log):
        assert t.logged_in.wait(30), log.lines
        fake.say("r1", "c1", POST)
        assert "已登记招工 #1" in fake.wait_sent(1)[0].text
        assert fake.alpn_refused == 0 and fake.auth_seen[-1] == "Wechaty insecure_t-1"
        assert fake.calls["Start"] == 1
        assert any("TLS with ALPN h2, server name 'gateway.test' as configured" in x for x in log.lines)


def test_the_server_name_comes_from_the_tokens_prefix(ca, cfg) -> None:  # type: ignore[no-untyped-def]
    """As the official server's default certificate: issued for `insecure`, as a common
    name only (no subjectAltName). A token `insecure_…` names it; only the CA is given."""
    issued = ca.issue(INSECURE_SERVER_NAME, san=False)
    with _gateway(issued.server_context(), token="insecure_abc") as fake, \
            _bot(fake, cfg, token="insecure_abc", tls_ca_cert=ca.pem) as (t, log):
        assert t.logged_in.wait(30), log.lines
        assert any("server name 'insecure' from the token's prefix" in x for x in log.lines)


@pytest.mark.parametrize("missing", ["both", "server name", "ca"])
def test_without_the_ca_or_the_server_name_it_fails_and_says_why(ca, cfg, missing) -> None:  # type: ignore[no-untyped-def]
    kw = {"both": {}, "server name": {"tls_ca_cert": ca.pem},
          "ca": {"tls_server_name": "gateway.test"}}[missing]
    with _gateway(ca.issue("gateway.test").server_context(), token="t-1") as fake, \
            _bot(fake, cfg, watch="certificate was refused", token="t-1", tls=True, **kw) as (t, log):
        assert log.seen.wait(30), log.lines
        assert not t.logged_in.is_set() and fake.streams_opened == 0
    said = next(x for x in log.lines if "certificate was refused" in x)
    assert said.startswith("ERROR") and "WECHATY_PUPPET_SERVICE_TLS_CA_CERT" in said
    why = {"both": "unable to get local issuer certificate", "server name": "IP address mismatch",
           "ca": "unable to get local issuer certificate"}[missing]
    assert why in said, said


def test_a_plain_client_at_a_tls_gateway_is_told_to_use_tls(ca, cfg) -> None:  # type: ignore[no-untyped-def]
    with _gateway(ca.issue("gateway.test").server_context(), token="t-1") as fake, \
            _bot(fake, cfg, watch="start with --tls", token="t-1") as (t, log):
        assert not t.tls
        assert log.seen.wait(30), log.lines


def test_a_tls_client_at_a_plain_gateway_is_told_to_use_no_tls(cfg) -> None:  # type: ignore[no-untyped-def]
    with _gateway(None) as fake, _bot(fake, cfg, watch="--no-tls") as (t, log):
        assert t.tls  # the token's prefix asks for TLS
        assert log.seen.wait(30), log.lines
        assert not t.logged_in.is_set()


def test_tls_settings_follow_the_official_client() -> None:
    # The server name: the token's part before its last underscore, lower-cased (the
    # fixtures of wechaty-token's own test, src/wechaty-token.spec.ts).
    for token, name in (("TOKEN", None), ("INSECURE_TOKEN", "insecure"), ("wxwork_ID", "wxwork"),
                        ("puppet_wxwork_ID", "puppet_wxwork")):
        assert token_server_name(token) == name, token
    assert token_server_name("insecure_3c1e") == "insecure"
    assert token_server_name("Puppet_Paimon_123") == "puppet_paimon"
    assert token_server_name("plain-token") is None and token_server_name("_x") is None
    # A prefixed token alone: TLS, its name, the Wechaty root CA (and the system's).
    s = TlsSettings.decide(tls=None, token="insecure_x")
    assert (s.enabled, s.server_name, s.ca_pem) == (True, "insecure", None)
    subjects = [dict(x[0] for x in c["subject"]).get("commonName")
                for c in s.context().get_ca_certs()]
    assert "wechaty-root-ca" in subjects
    # A configured name wins over the token's; an explicit switch wins over everything.
    assert TlsSettings.decide(tls=None, token="insecure_x", server_name="gw.example").server_name == "gw.example"
    assert not TlsSettings.decide(tls=False, token="insecure_x").enabled
    # A plain token (or none) and nothing else: TLS stays off, as before issue 29.
    assert not TlsSettings.decide(tls=None, token="t-123").enabled
    assert not TlsSettings.decide(tls=None, token=None).enabled
    assert TlsSettings.decide(tls=True, token="t-123").server_name is None  # the endpoint's host
    with pytest.raises(ValueError, match="neither a PEM certificate nor a readable PEM file"):
        read_ca("/nonexistent/ca.pem")
    assert read_ca(WECHATY_ROOT_CA.replace("\n", "\\n")).startswith("-----BEGIN CERTIFICATE-----\n")


def test_the_cli_passes_the_tls_settings(ca, tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """`daqiao run` takes the CA and server name from the variables the official client
    reads; a CA that cannot be read stops it with a plain message (exit 2)."""
    import subprocess  # noqa: PLC0415
    import sys  # noqa: PLC0415

    root = Path(__file__).resolve().parent.parent
    env = {"PATH": "/usr/bin:/bin", "WECHATY_PUPPET_SERVICE_TLS_CA_CERT": str(tmp_path / "none.pem"),
           "WECHATY_PUPPET_SERVICE_TLS_SERVER_NAME": "gateway.test"}
    r = subprocess.run([sys.executable, "-m", "bot", "run", "--transport", "wechaty",
                        "--endpoint", "127.0.0.1:9", "--db", f"sqlite:///{tmp_path / 'b.db'}"],
                       cwd=root, env=env, capture_output=True, text=True, timeout=120,
                       stdin=subprocess.DEVNULL)
    assert r.returncode == 2 and "neither a PEM certificate nor a readable PEM file" in r.stderr


def test_the_config_keys(tmp_path, caplog) -> None:  # type: ignore[no-untyped-def]
    from bot.config import load_config  # noqa: PLC0415

    p = tmp_path / "config.yaml"
    p.write_text("wechaty:\n  tls: 关\n  tls_ca_cert: /etc/daqiao/ca.pem\n"
                 "  tls_server_name: gateway.test\n", encoding="utf-8")
    with caplog.at_level(logging.WARNING):
        c = load_config(p)
    assert (c.wechaty_tls, c.wechaty_tls_ca_cert, c.wechaty_tls_server_name) == (
        False, "/etc/daqiao/ca.pem", "gateway.test")
    assert not [r for r in caplog.records if "unknown key" in r.getMessage()]
    assert load_config(None).wechaty_tls is None  # not set: decided by the transport
