"""The WeChat transport: a Wechaty puppet service over gRPC.

The only module that imports anything of Wechaty. It speaks the puppet protocol through
the generated stubs of `wechaty-grpc` (betterproto messages over grpclib) rather than
python-wechaty 0.10.7, which does not import on Python 3.11 without shims and, after a
dropped stream, sleeps a fixed 60 s (see the README).

Threads: an asyncio loop (this module's) reads the event stream and fetches payloads; one
worker thread runs the bot (`handle`), in message order. The bot's `send` is called on that
worker; it paces, then hands the RPC to the loop and waits for it.

What it does about the ways gateways fail:
- speaks TLS as the official client does (ALPN h2, the CA and server name from
  WECHATY_PUPPET_SERVICE_TLS_*, else the Wechaty root CA and the token's prefix:
  bot.transports.wechaty_tls), and calls Start once on each event stream (the official
  server's puppet logs in only once started), logging what it waits for;
- reconnects with exponential back-off and jitter when the stream drops or the gateway
  restarts, starting afresh after a healthy session, and pings (Ding) when the stream goes
  quiet, reconnecting if nothing comes back;
- fetches a room member's payload when a message needs it, and keeps it across logins;
- gives the bot our own stable ids for rooms and people (storage.Identities), so a re-login
  with new gateway ids keeps groups, settings and postings;
- paces sends (per group and overall) and backs off when the gateway says "too often";
- passes the bot's own messages on as `is_from_self`, so an echo can settle a reply whose
  send was in doubt after a crash;
- marks messages older than this run's start (beyond a grace) as stale: archived and
  parsed, not answered.
"""

from __future__ import annotations

import asyncio
import base64
import json
import logging
import random
import re
import ssl
import threading
import time
from collections import deque
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from grpclib.client import Channel
from grpclib.config import Configuration
from grpclib.const import Status
from grpclib.exceptions import GRPCError, StreamTerminatedError
from wechaty_grpc.wechaty import PuppetStub

from bot.context import Clock
from bot.transports.base import Handle, InboxWorker, SendLater, UnknownChat, with_mentions
from bot.transports.wechaty_tls import TlsSettings, explain
from bot.types import InboundMessage, Reply
from storage.repository import Identities, StoreUnavailable

log = logging.getLogger(__name__)

# Event types (wechaty.puppet EventType).
EV_HEARTBEAT, EV_MESSAGE, EV_DONG, EV_ERROR = 1, 2, 3, 16
EV_ROOM_JOIN, EV_ROOM_LEAVE, EV_ROOM_TOPIC, EV_SCAN, EV_READY = 19, 20, 21, 22, 23
EV_LOGIN, EV_LOGOUT = 25, 26

# Real services put the TypeScript wechaty-puppet MessageType on the wire, not the proto
# enum's numbering (text arrives as 7, which the proto calls VIDEO).
WIRE_TYPES = {1: "file", 2: "voice", 3: "contact", 4: "chat_history", 5: "emoticon",
              6: "image", 7: "text", 8: "location", 9: "mini_program", 13: "recalled",
              14: "link", 15: "video"}

MAX_TEXT = 1500  # characters per WeChat message; longer replies go out in pieces
_RATE_WORDS = re.compile(r"频繁|太快|too (?:often|frequent|fast)|rate limit", re.I)
# What ends a session and reconnects: the gateway or the store went away, and a new event
# stream will deliver again what was in hand. Anything else raised while reading one message
# is that message's own (see _on_event).
_RECONNECT = (GRPCError, StreamTerminatedError, ConnectionError, OSError, TimeoutError,
              StoreUnavailable)


class Pacer:
    """How long to wait before the next send: per chat, overall, and after a rate warning.

    Defaults follow issue 7: at least 2 s between messages to one chat (plus up to 1 s of
    random jitter, so the rhythm is not machine-regular), at most 20 a minute in all, and
    10 minutes of silence when the gateway reports sending too often.
    """

    def __init__(self, *, per_chat: float = 2.0, jitter: float = 1.0, per_minute: int = 20,
                 backoff: float = 600.0, monotonic: Callable[[], float] = time.monotonic,
                 rng: random.Random | None = None) -> None:
        self.per_chat, self.jitter, self.per_minute, self.backoff = per_chat, jitter, per_minute, backoff
        self.monotonic = monotonic
        self.rng = rng or random.Random()
        self._next: dict[str, float] = {}  # chat -> earliest next send
        self._recent: deque[float] = deque()
        self.quiet_until = 0.0

    def delay(self, chat: str) -> float:
        now = self.monotonic()
        while self._recent and self._recent[0] <= now - 60:
            self._recent.popleft()
        wait = max(0.0, self.quiet_until - now, self._next.get(chat, 0.0) - now)
        if self.per_minute and len(self._recent) >= self.per_minute:
            wait = max(wait, self._recent[0] + 60 - now)
        return wait

    def sent(self, chat: str) -> None:
        now = self.monotonic()
        self._recent.append(now)
        self._next[chat] = now + self.per_chat + self.rng.uniform(0, self.jitter)

    def back_off(self) -> None:
        self.quiet_until = self.monotonic() + self.backoff
        log.warning("gateway says we send too often: quiet for %.0f s", self.backoff)


def split_text(text: str, limit: int = MAX_TEXT) -> list[str]:
    """Pieces of at most `limit` characters, cut at a blank line, a line end or a sentence."""
    out: list[str] = []
    rest = text
    while len(rest) > limit:
        window = rest[:limit]
        cut = max(window.rfind("\n\n"), -1)
        if cut < limit // 3:
            cut = window.rfind("\n")
        if cut < limit // 3:
            cut = max(window.rfind(p) for p in "。！？；")
            cut = cut + 1 if cut >= 0 else -1
        if cut < limit // 3:
            cut = limit
        out.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip("\n")
    if rest.strip() or not out:
        out.append(rest)
    return out


def _quiet(fut: Any) -> None:
    """Retrieve a cancelled read's outcome, so asyncio doesn't report it as lost."""
    if not fut.cancelled():
        fut.exception()


def _payload(ev: Any) -> dict[str, Any]:
    try:
        data = json.loads(ev.payload or "{}")
    except ValueError:
        return {"data": ev.payload}
    return data if isinstance(data, dict) else {"data": data}


def _when(ts: int) -> datetime:
    """A payload timestamp: milliseconds from newer puppets, seconds from older ones. One the
    calendar cannot hold (a corrupt payload) is taken as now, like a missing one."""
    if not ts:
        return datetime.now(UTC)
    try:
        return datetime.fromtimestamp(ts / 1000 if ts > 10**11 else ts, UTC)
    except (OverflowError, ValueError, OSError):
        log.warning("payload timestamp %r is out of range; taken as now", ts)
        return datetime.now(UTC)


class WechatyTransport(InboxWorker):
    name = "wechaty"
    can_direct = True
    media: Any = None  # a bot.transports.media.MediaStore: photos and files are kept (issue 28)

    def __init__(self, endpoint: str, *, identities: Identities, clock: Clock,
                 token: str | None = None, tls: bool | None = None,
                 tls_ca_cert: str | None = None, tls_server_name: str | None = None,
                 bot_name: str = "小桥",
                 pacer: Pacer | None = None, stale_grace: timedelta = timedelta(minutes=5),
                 reconnect_max: float = 60.0, quiet_ping: float = 30.0, ping_timeout: float = 15.0,
                 send_timeout: float = 30.0, max_inline_wait: float = 5.0,
                 doubt_grace: float = 3.0, reconnect_base: float = 0.5,
                 healthy_after: float = 60.0, start_after: float = 5.0,
                 start_warn: float = 30.0, login_warn: float = 120.0,
                 member_ttl: float = 3600.0) -> None:
        host, _, port = endpoint.rpartition(":")
        if not host or not port.isdigit():
            raise ValueError(f"endpoint must be HOST:PORT, not {endpoint!r}")
        self.host, self.port = host, int(port)
        self.token = token
        # TLS as the official client does it (bot.transports.wechaty_tls); tls None: decided
        # from the CA, the server name and the token's prefix.
        self.tls_settings = TlsSettings.decide(tls=tls, token=token, ca_cert=tls_ca_cert,
                                               server_name=tls_server_name)
        self.tls = self.tls_settings.enabled
        self.ids, self.clock, self.bot_name = identities, clock, bot_name
        self.pacer = pacer or Pacer()
        self.stale_grace = stale_grace
        self.reconnect_max, self.quiet_ping, self.ping_timeout = reconnect_max, quiet_ping, ping_timeout
        self.send_timeout, self.max_inline_wait, self.doubt_grace = send_timeout, max_inline_wait, doubt_grace
        # Reconnects back off from reconnect_base doubling to reconnect_max, and start again
        # from reconnect_base after a healthy session: one that delivered a message, or stayed
        # open healthy_after seconds once the puppet answered Start (see _main).
        self.reconnect_base, self.healthy_after = reconnect_base, healthy_after
        # Start is called once per event stream, after its first event or start_after
        # seconds; a slow Start, and a login that does not come, are logged every
        # start_warn / login_warn seconds.
        self.start_after, self.start_warn, self.login_warn = start_after, start_warn, login_warn
        self.member_ttl = member_ttl  # how long a room member's name is kept
        self.reconnects: list[tuple[int, float]] = []  # (attempt, delay) of each reconnect
        self._healthy = self._got_event = False  # of the current session: a message came
        self._started_at = 0.0  # of the current session: when Start answered
        if self.tls:
            try:  # a CA that does not load is a configuration error, not a reason to retry
                self.tls_settings.context()
            except ssl.SSLError as e:
                raise ValueError(f"the TLS CA certificate could not be loaded: {e}") from e
        self.starts = 0  # Start calls answered
        self.started_at = datetime.now(UTC)
        self.self_id: str | None = None  # the gateway's id of the bot's account
        self.logged_in = threading.Event()
        self.on_alert: Callable[[str], None] | None = None  # set by the composition root
        self.on_idle: Callable[[], None] | None = None  # called on the worker every second
        self.connects = 0
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stub: PuppetStub | None = None
        self._channel: Channel | None = None
        self._stopping = False
        self._stop_event: asyncio.Event | None = None
        self._ready_at = 0.0  # monotonic time of the last login/ready
        self._last_event = 0.0  # monotonic time of the last event read
        self._backlog = 0  # message events read and not yet handled
        # Bindings of this login (ext -> our id; cleared at each login, so each room and
        # contact is bound again through Identities, which needs no RPC):
        self._rooms: dict[str, tuple[str, str, dict[str, str]]] = {}  # ext -> (local, topic, names)
        self._contacts: dict[str, tuple[str, str]] = {}  # ext -> (local, name)
        # Payloads, kept across logins (a gateway id names the same room or person until a
        # re-login re-issues ids, and then the new ids are simply not here): fetched when a
        # message needs them, never for every member of every room at login.
        self._member_names: dict[tuple[str, str], tuple[str, float]] = {}  # (room, contact) -> (name, when)
        self._contact_payloads: dict[str, tuple[str, str, float]] = {}  # ext -> (name, weixin, when)

    # -- the transport interface ------------------------------------------------------------
    def run(self, handle: Handle) -> None:
        asyncio.run(self._main(handle))

    def stop(self) -> None:
        self._stopping = True
        if self._loop is not None and self._stop_event is not None:
            self._loop.call_soon_threadsafe(self._stop_event.set)

    def ready_for_doubtful(self) -> bool:
        """Whether a reply left in doubt by a crash may be re-sent: logged in, and the
        gateway has had `doubt_grace` seconds to re-deliver the echo that would settle it, and
        every event received so far (a re-delivery can be long) has been handled."""
        now = time.monotonic()
        return (self.logged_in.is_set() and now - self._ready_at >= self.doubt_grace
                and self._backlog == 0 and now - self._last_event >= 0.5)

    def send(self, reply: Reply) -> str | None:
        """Send one reply (on the bot's worker thread); the gateway's id of its first piece.

        Raises SendLater (paced, backing off, not logged in) or UnknownChat."""
        loop = self._loop
        if loop is None or not self.logged_in.is_set():
            raise SendLater("not logged in")
        if reply.group is not None:  # our group id: its room binding, else its name
            conversation = self._room_external(self.ids.group_room(reply.group),
                                               reply.group_name or "")
        else:
            conversation = self.ids.external("contact", reply.to or "") or ""
            if not conversation:
                raise UnknownChat(f"no WeChat contact for {reply.to!r}")
        wait = self.pacer.delay(conversation)
        if wait > self.max_inline_wait:
            raise SendLater(f"paced: {wait:.0f} s to wait")
        if wait > 0:
            time.sleep(wait)
        mention_ids = [x for x in (self.ids.external("contact", m) for m in reply.mentions) if x]
        pieces = split_text(with_mentions(reply) if reply.group is not None else reply.text)
        first: str | None = None
        for i, piece in enumerate(pieces):
            if i:
                time.sleep(max(0.0, self.pacer.delay(conversation)))
            fut = asyncio.run_coroutine_threadsafe(
                self._send_text(conversation, piece, mention_ids if i == 0 else []), loop)
            got = self._await(fut)
            first = first or got
            self.pacer.sent(conversation)
        if reply.file:
            fut = asyncio.run_coroutine_threadsafe(self._send_file(conversation, reply.file), loop)
            self._await(fut)
            self.pacer.sent(conversation)
        return first

    def _await(self, fut: Any) -> str | None:
        try:
            return fut.result(self.send_timeout)
        except GRPCError as e:
            if e.status == Status.RESOURCE_EXHAUSTED or _RATE_WORDS.search(e.message or ""):
                self.pacer.back_off()
                raise SendLater("gateway asked us to slow down") from e
            raise
        except TimeoutError:
            fut.cancel()
            raise

    def _room_external(self, local: str | None, topic: str) -> str:
        ext = self.ids.external("room", local) if local else None
        if ext is None:
            local = self.ids.room_named(topic)
            ext = self.ids.external("room", local) if local else None
        stale = ext is not None and self.ids.ids_changed and ext not in self._rooms
        if (ext is None or stale) and self._loop is not None:
            # Never seen, or its id is from before a re-login that re-issued ids (a real
            # gateway refuses a send to it): look for it by topic.
            fut = asyncio.run_coroutine_threadsafe(self._find_room(topic), self._loop)
            ext = fut.result(self.send_timeout) or ext
        if ext is None:
            raise UnknownChat(f"no WeChat group named {topic!r}")
        return ext

    # -- the loop ---------------------------------------------------------------------------
    async def _main(self, handle: Handle) -> None:
        self._loop = asyncio.get_running_loop()
        self._stop_event = asyncio.Event()
        inbox: asyncio.Queue[InboundMessage] = asyncio.Queue()
        worker = ThreadPoolExecutor(1, thread_name_prefix="daqiao-bot")
        processor = asyncio.create_task(self._process(inbox, handle, worker))
        attempt = 0
        try:
            while not self._stopping:
                try:
                    await self._session(inbox)
                    if not self._stopping:
                        log.warning("gateway ended the event stream; reconnecting")
                except _RECONNECT as e:
                    if self._stopping:
                        pass
                    elif isinstance(e, StoreUnavailable):
                        # Binding a room or contact id could not write (the database stayed
                        # locked): a new stream re-delivers the event rather than the bot dying.
                        log.error("could not record a gateway id (%s); reconnecting", e)
                    elif isinstance(e, GRPCError) and e.status in (Status.UNAUTHENTICATED,
                                                                   Status.PERMISSION_DENIED):
                        log.error("the puppet service refused our token (%s); check "
                                  "WECHATY_PUPPET_SERVICE_TOKEN", e.message)
                    elif self.tls and (hint := explain(e, self.tls_settings, self.host)):
                        log.error("could not connect to the puppet service at %s:%d: %s",
                                  self.host, self.port, hint)
                    elif (not self.tls and not self._got_event
                          and isinstance(e, StreamTerminatedError | ConnectionResetError)):
                        log.warning("the puppet service at %s:%d closed the connection before "
                                    "any event (%s); if it speaks TLS (Wechaty 1.x gateways do "
                                    "unless told not to), start with --tls", self.host,
                                    self.port, e)
                    else:
                        log.warning("gateway connection lost (%s: %s); reconnecting",
                                    type(e).__name__, getattr(e, "message", None) or e)
                if self._stopping:
                    break
                self.logged_in.clear()
                self._close_channel()
                # A healthy session (see _session) starts the back-off afresh; failures in a
                # row double it up to reconnect_max.
                healthy = self.session_healthy
                attempt = 0 if healthy else attempt + 1
                delay = min(self.reconnect_max, self.reconnect_base * 2 ** attempt) * random.uniform(0.5, 1.5)
                self.reconnects.append((attempt, delay))
                log.info("reconnecting in %.1f s (attempt %d%s)", delay, attempt + 1,
                         ", after a healthy session" if healthy else "")
                try:
                    await asyncio.wait_for(self._stop_event.wait(), delay)
                except TimeoutError:
                    pass
        finally:
            # Let the message in hand finish (its sends need this loop and the channel, so
            # wait off the loop, and close the channel only afterwards).
            processor.cancel()
            await asyncio.get_running_loop().run_in_executor(None, worker.shutdown, True)
            self.logged_in.clear()
            self._close_channel()
            self._loop = None

    @property
    def session_healthy(self) -> bool:
        """Whether the current (or last) session showed the gateway works: it delivered a
        message, or stayed open `healthy_after` seconds after the puppet answered Start."""
        return self._healthy or bool(
            self._started_at and time.monotonic() - self._started_at >= self.healthy_after)

    def _close_channel(self) -> None:
        if self._channel is not None:
            self._channel.close()
            self._channel = None
            self._stub = None

    async def _session(self, inbox: asyncio.Queue[InboundMessage]) -> None:
        """One connection: open the event stream, call Start on it, and read it until it ends.

        Start goes out once per stream, after its first event (a gateway sends a heartbeat
        first) or `start_after` seconds, as the official client does; events are read while
        it is pending, since a puppet may deliver its login QR code before Start returns."""
        tls = self.tls_settings
        ctx = tls.context() if tls.enabled else None
        config = Configuration(ssl_target_name_override=tls.server_name) if ctx else None
        self._channel = Channel(self.host, self.port, ssl=ctx, config=config)
        metadata = {"authorization": f"Wechaty {self.token}"} if self.token else None
        self._stub = PuppetStub(self._channel, metadata=metadata)
        self.connects += 1
        self._healthy = self._got_event = False
        self._started_at = 0.0
        log.info("connecting to the puppet service at %s:%d (%s)", self.host, self.port, tls.why)
        stream = self._stub.event().__aiter__()
        opened = last = time.monotonic()
        pinged = False
        stop = asyncio.ensure_future(self._stop_event.wait())  # type: ignore[union-attr]
        nxt: asyncio.Future[Any] | None = None
        start: asyncio.Future[Any] | None = None  # the Start call, once made
        started_at = 0.0  # when Start answered
        noted = opened  # when we last said what we wait for

        def begin() -> asyncio.Future[Any]:
            assert self._stub is not None
            log.info("event stream open; asked the puppet service to start its puppet (Start) "
                     "and waiting for its answer")
            return asyncio.ensure_future(self._stub.start())

        try:
            while not self._stopping:
                # One read stays pending across quiet spells: cancelling a read would end
                # the stream itself.
                if nxt is None:
                    nxt = asyncio.ensure_future(stream.__anext__())
                waiting = {nxt, stop} | ({start} if start is not None and not started_at else set())
                timeout = self.quiet_ping if start is not None else min(self.quiet_ping, self.start_after)
                if start is not None and not started_at:
                    timeout = min(timeout, self.start_warn)
                elif started_at and not self.logged_in.is_set():
                    timeout = min(timeout, self.login_warn)
                done, _ = await asyncio.wait(waiting, timeout=timeout,
                                             return_when=asyncio.FIRST_COMPLETED)
                if stop in done:
                    return
                now = time.monotonic()
                if start is None and (self._got_event or now - opened >= self.start_after):
                    start, noted = begin(), now
                if start is not None and not started_at:
                    if start.done():
                        try:
                            start.result()
                        except GRPCError as e:  # the session ends; _main says how it goes on
                            log.error("the puppet service could not start its puppet (Start: "
                                      "%s %s)", e.status.name, e.message)
                            raise
                        started_at = noted = self._started_at = time.monotonic()
                        self.starts += 1
                        if self.logged_in.is_set():
                            log.info("the puppet service started its puppet (%.1f s); logged in "
                                     "already", started_at - opened)
                        else:
                            log.info("the puppet service started its puppet (%.1f s); waiting "
                                     "for the WeChat account to log in (a login QR code is "
                                     "logged when the gateway asks for a scan)", started_at - opened)
                    elif now - noted >= self.start_warn:
                        log.warning("the puppet service has not answered Start after %.0f s; "
                                    "still waiting (events are read meanwhile)", now - opened)
                        noted = now
                elif started_at and not self.logged_in.is_set() and now - noted >= self.login_warn:
                    log.warning("still waiting for the WeChat account to log in (%.0f s since "
                                "the puppet started)", now - started_at)
                    noted = now
                if nxt not in done:
                    if now - last < self.quiet_ping:
                        continue  # woken for Start or a note, not because it is quiet
                    # Quiet: is the gateway still there?
                    if pinged and now - last > self.quiet_ping + self.ping_timeout:
                        raise TimeoutError("no event and no answer to a ding")
                    pinged = True
                    await asyncio.wait_for(self._stub.ding(data="daqiao"), self.ping_timeout)
                    continue
                read, nxt = nxt, None
                try:
                    ev = read.result()
                except StopAsyncIteration:
                    return
                last, pinged = time.monotonic(), False
                self._last_event = last
                first = not self._got_event
                self._got_event = True
                await self._on_event(ev, inbox)
                if int(ev.type) == EV_MESSAGE:
                    self._healthy = True  # a message came through: the gateway works
                if first and start is None:
                    start, noted = begin(), time.monotonic()
        finally:
            stop.cancel()
            if nxt is not None:
                nxt.cancel()
                nxt.add_done_callback(_quiet)
            if start is not None and not start.done():
                start.cancel()
                start.add_done_callback(_quiet)

    # -- events -----------------------------------------------------------------------------
    async def _on_event(self, ev: Any, inbox: asyncio.Queue[InboundMessage]) -> None:
        kind, data = int(ev.type), _payload(ev)
        if kind == EV_MESSAGE:
            self._backlog += 1
            mid, msg = str(data.get("messageId", "")), None
            try:
                msg = await self._message(mid)
            except _RECONNECT:
                raise
            except Exception:  # noqa: BLE001 - one unreadable message must not end the stream
                log.exception("message %s could not be read from the gateway; skipped", mid)
            finally:
                if msg is None:
                    self._backlog -= 1
            if msg is not None:
                await inbox.put(msg)
        elif kind == EV_LOGIN:
            self.self_id = str(data.get("contactId", "")) or None
            self.ids.logged_in(datetime.now(UTC))
            self._rooms.clear()
            self._contacts.clear()
            self._ready_at = time.monotonic()
            self.logged_in.set()
            log.info("logged in to WeChat as %s", self.self_id)
        elif kind == EV_READY:
            self._ready_at = time.monotonic()
        elif kind == EV_LOGOUT:
            self.logged_in.clear()
            log.error("the WeChat account was logged out (%s); the bot is deaf and mute until "
                      "someone scans the login code again", data.get("data", ""))
            if self.on_alert is not None:
                self.on_alert(str(data.get("data", "")))
        elif kind in (EV_ROOM_TOPIC, EV_ROOM_JOIN, EV_ROOM_LEAVE):
            self._rooms.pop(str(data.get("roomId", "")), None)  # refreshed on next use
        elif kind == EV_SCAN:
            log.warning("the gateway waits for a login scan: %s", data.get("qrcode", "")[:80])
        elif kind == EV_ERROR:
            log.warning("gateway error: %s", data.get("data", ""))

    async def _message(self, mid: str) -> InboundMessage | None:
        assert self._stub is not None
        try:
            p = await self._stub.message_payload(id=mid)
        except GRPCError as e:
            log.warning("message %s: no payload (%s)", mid, e.message)
            return None
        wire = int(p.type)
        kind = WIRE_TYPES.get(wire, "unknown")
        when = _when(int(p.timestamp))
        from_self = bool(self.self_id) and p.from_id == self.self_id
        room_id = p.room_id or ""
        now = datetime.now(UTC)
        if room_id:
            local_room, topic, _ = await self._room(room_id)
        else:
            local_room, topic = None, None
        if from_self:
            sender_local, sender_name = "self", self.bot_name
        else:
            # The name this person carries in this room: one RoomMemberPayload, when first
            # needed (kept across logins, see _member_name).
            in_room = await self._member_name(room_id, p.from_id) if room_id else None
            sender_local, sender_name = await self._contact(p.from_id, in_room)
        text = p.text if kind == "text" else (p.filename or None)
        mentioned = bool(self.self_id) and self.self_id in list(p.mention_ids)
        mentioned = mentioned or (kind == "text" and f"@{self.bot_name}" in (p.text or ""))
        stale = when < self.started_at - self.stale_grace
        raw: dict[str, Any] = {"wire_type": wire, "room_id": room_id, "from_id": p.from_id}
        if not from_self and not room_id and p.to_id and p.to_id != self.self_id:
            return None  # a direct message between two other people: not ours
        if stale:
            raw["stale"] = True
        if from_self and not room_id:
            raw["to_local"] = await self._local_contact(p.to_id)
        # Who was @-mentioned, by the gateway's ids: our ids of them (a mention's text is only
        # a display name; handlers resolve people by these where they can).
        mentions = tuple([(await self._contact(x, self._known_name(room_id, x)))[0]
                          for x in p.mention_ids if x and x != self.self_id])
        if kind in ("image", "file", "video") and not from_self and not stale and self.media:
            from bot.transports.media import fetch_wechaty  # noqa: PLC0415 - issue 28 hook

            raw["media"] = await fetch_wechaty(self._stub, p.id or mid, kind, self.media)
        return InboundMessage(
            transport=self.name, message_id=p.id or mid, chat_id=local_room, chat_name=topic,
            sender_id=sender_local, sender_name=sender_name, text=text, time=min(when, now),
            type=kind if kind in ("text", "image", "voice", "file", "link", "video", "emoticon")
            else "system", is_group=bool(room_id), mentions_bot=mentioned,
            mentions=mentions, is_from_self=from_self, raw=raw)

    async def _room(self, ext: str) -> tuple[str, str, dict[str, str]]:
        """Our id, the topic and the member names fetched for a gateway room.

        One RoomPayload per room and login (its topic and member ids). Member payloads are
        fetched one by one when a message needs a member's name (_member_name), except where
        binding the room may move it onto a room stored under another id, after a re-login
        that re-issued ids: there Identities needs every member's name as its evidence for
        whether the room and its people are the ones it knew (storage.identities)."""
        cached = self._rooms.get(ext)
        if cached is not None:
            return cached
        assert self._stub is not None
        topic, names = "", {}
        try:
            rp = await self._stub.room_payload(id=ext)
            topic = rp.topic
            member_ids = list(rp.member_ids) or list(
                (await self._stub.room_member_list(id=ext)).member_ids)
        except GRPCError as e:
            log.warning("room %s: no payload (%s)", ext, e.message)
            member_ids = []
        evidence = self._may_move(ext, topic)
        if evidence:
            log.info("room %s (%s) is new under this id: fetching its %d members' names to "
                     "tell whether it is a group we know", ext, topic, len(member_ids))
            for cid in member_ids:
                name = await self._member_name(ext, cid)
                if name is not None:
                    names[cid] = name
        known = [self._contacts[c][0] if c in self._contacts else c for c in member_ids]
        local = self.ids.room(ext, topic=topic, members=known, now=datetime.now(UTC),
                              names={c: names.get(c, "") for c in member_ids} if evidence else None)
        self._rooms[ext] = (local, topic or local, names)
        return self._rooms[ext]

    def _may_move(self, ext: str, topic: str) -> bool:
        """Whether binding room `ext` may move it onto a stored room of another gateway id:
        it is not bound under `ext`, and a room of its topic is stored under another id."""
        if self.ids.external("room", ext) == ext:
            return False  # bound under this id since it was first seen
        known = self.ids.room_named(topic) if topic else None
        return known is not None and self.ids.external("room", known) != ext

    def _known_name(self, room: str, contact: str) -> str | None:
        got = self._member_names.get((room, contact)) if room else None
        return got[0] if got is not None and time.monotonic() - got[1] < self.member_ttl else None

    async def _member_name(self, room: str, contact: str) -> str | None:
        """The name `contact` carries in `room` (its room alias, else its name): one
        RoomMemberPayload, kept `member_ttl` seconds and across logins."""
        name = self._known_name(room, contact)
        if name is not None:
            return name
        assert self._stub is not None
        try:
            mp = await self._stub.room_member_payload(id=room, member_id=contact)
        except GRPCError:
            return None
        name = mp.room_alias or mp.name  # the name set in this group first
        self._member_names[(room, contact)] = (name, time.monotonic())
        return name

    async def _contact(self, ext: str, room_name: str | None) -> tuple[str, str]:
        cached = self._contacts.get(ext)
        if cached is not None and (room_name is None or cached[1] == room_name):
            return cached
        assert self._stub is not None
        name, weixin = room_name or "", ""
        got = self._contact_payloads.get(ext)
        if got is None or time.monotonic() - got[2] >= self.member_ttl:
            try:
                cp = await self._stub.contact_payload(id=ext)
                got = (cp.name, cp.weixin, time.monotonic())
                self._contact_payloads[ext] = got
            except GRPCError:
                got = None
        if got is not None:
            name, weixin = room_name or got[0], got[1]
        local = self.ids.contact(ext, name=name or ext, weixin=weixin, now=datetime.now(UTC))
        self._contacts[ext] = (local, name or ext)
        return self._contacts[ext]

    async def _local_contact(self, ext: str) -> str:
        return (await self._contact(ext, None))[0] if ext else ""

    async def _find_room(self, topic: str) -> str | None:
        if self._stub is None:
            return None
        for rid in (await self._stub.room_list()).ids:
            local, t, _ = await self._room(rid)
            if t == topic:
                return rid
        return None

    # -- sending (on the loop) ----------------------------------------------------------------
    async def _send_text(self, conversation: str, text: str, mentions: list[str]) -> str | None:
        if self._stub is None:
            raise SendLater("not connected")
        r = await self._stub.message_send_text(conversation_id=conversation, text=text,
                                               mentonal_ids=mentions)
        return r.id or None

    async def _send_file(self, conversation: str, path: str) -> None:
        if self._stub is None:
            raise SendLater("not connected")
        data = Path(path).read_bytes()
        # A FileBox as its JSON form travels: boxType 1 is Base64 in file-box's FileBoxType.
        box = {"boxType": 1, "name": Path(path).name, "metadata": {},
               "base64": base64.b64encode(data).decode()}
        await self._stub.message_send_file(conversation_id=conversation, filebox=json.dumps(box))
