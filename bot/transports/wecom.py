"""The WeCom transport: a WeCom (企业微信) intelligent bot over its WebSocket long connection.

`daqiao run --transport wecom` with WECOM_BOT_ID and WECOM_BOT_SECRET in the environment and
an optional `wecom:` config section. The only module that speaks the WeCom protocol.

It speaks the JSON frames directly over `websockets` rather than through the official SDK
(`wecom-aibot-python-sdk` 1.0.2); the README gives the measurements. In short, keeping the
SDK would mean replacing four of its five moving parts (connect, reconnect, heartbeat,
reply queue), patching a module-level SSL context for ws://, and adding media upload it does
not have, for frame plumbing this module does in about 250 lines.

The frames (each a JSON text message: cmd, headers.req_id, body; answers carry errcode):
- `aibot_subscribe` {bot_id, secret} -> answer with the same req_id, errcode 0 or a refusal;
- `ping` every `heartbeat` seconds -> answer; two unanswered in a row: reconnect;
- `aibot_msg_callback` (WeCom -> us): text, mixed, image, file, voice in single or group
  chats; `aibot_event_callback`: enter_chat, ..., and `disconnected_event` when a newer
  connection with the same bot id replaced this one;
- `aibot_respond_msg` with the callback's req_id: a reply to that message, as a finished
  `stream` whose id we derive from the reply itself, so a reply sent again after a crash
  replaces the first rather than adding a second (WeCom overwrites a stream with the same id);
- `aibot_send_msg` {chatid, msgtype markdown|file}: a message of our own to a group chat
  (its chatid) or to one person (their userid);
- `aibot_upload_media_init` / `_chunk` / `_finish`: a file in 512 KB chunks -> media_id.

Threads, as in the Wechaty transport: an asyncio loop (this module's) reads frames; one
worker thread runs the bot in message order and calls `send`, which paces, then hands the
frames to the loop and waits for the acknowledgement.

What it does about the ways the connection fails:
- reconnects with exponential back-off and jitter after any close (clean or not) and after
  two heartbeats go unanswered;
- a refused secret is fatal: logged plainly, run() raises WecomFatal, `daqiao` exits 3;
- `disconnected_event` (another process took the connection over) is fatal too: retrying
  would kick the other one off in turn; the cadre group is told where that can still be done;
- messages WeCom delivers again (after a reconnect) keep their msgid, which is the archive's
  idempotency key, and refresh the req_id a reply needs.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import itertools
import json
import logging
import os
import random
import re
import threading
import time
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import websockets
from websockets.exceptions import ConnectionClosed, InvalidHandshake, InvalidURI

from bot import replies
from bot.context import Clock
from bot.transports.base import Handle, InboxWorker, SendLater, UnknownChat, with_mentions
from bot.transports.wechaty import Pacer, split_text
from bot.types import InboundMessage, Reply
from storage.repository import Identities, StoreUnavailable

log = logging.getLogger(__name__)

DEFAULT_URL = "wss://openws.work.weixin.qq.com"
SUBSCRIBE, PING = "aibot_subscribe", "ping"
RESPOND, SEND = "aibot_respond_msg", "aibot_send_msg"
CALLBACK, EVENT = "aibot_msg_callback", "aibot_event_callback"
UPLOAD_INIT, UPLOAD_CHUNK, UPLOAD_FINISH = (
    "aibot_upload_media_init", "aibot_upload_media_chunk", "aibot_upload_media_finish")
REPLACED = "disconnected_event"
CHUNK = 512 * 1024
MAX_TEXT = 2000  # characters per message; longer replies go out in pieces
_RATE = re.compile(r"频繁|太快|freq|rate limit|too many", re.I)
_RATE_CODES = {45009, 45033, 6008}  # WeCom's "api freq out of limit" family


class WecomFatal(Exception):
    """The connection can't be used and retrying won't help (refused secret, replaced)."""


class _Refused(Exception):
    """WeCom answered a frame with an error."""

    def __init__(self, errcode: int, errmsg: str) -> None:
        super().__init__(f"errcode {errcode}: {errmsg}")
        self.errcode, self.errmsg = errcode, errmsg


@dataclass
class _Received:
    """What a reply needs of an inbound message: its req_id and where it came from."""

    req_id: str
    chat: str  # chatid of a group chat, userid of a single chat
    is_group: bool
    at: float  # monotonic time received


@dataclass(frozen=True)
class WecomOptions:
    """The config's `wecom:` section (secrets never: they come from the environment)."""

    ws_url: str = DEFAULT_URL
    heartbeat: float = 30.0  # seconds between pings
    reconnect_max: float = 60.0  # the longest wait between two connection attempts
    send_timeout: float = 10.0  # seconds to wait for WeCom's acknowledgement of a send
    respond_hours: float = 24.0  # a reply goes by the message's req_id within this, else sent
    direct: bool = True  # private messages to one person (WeCom allows them to corp members)
    mention_only: bool = True  # groups: the bot sees only messages that @ it
    upload: bool = True  # files by media upload; off: a text note instead
    doubt_grace: float = 3.0
    chats: Mapping[str, str] | None = None  # chatid -> the group's name (WeCom gives none)
    names: Mapping[str, str] | None = None  # userid -> display name (frames carry none)

    @classmethod
    def from_config(cls, raw: Mapping[str, Any] | None) -> WecomOptions:
        raw = dict(raw or {})

        def num(key: str, default: float) -> float:
            v = raw.get(key, default)
            if isinstance(v, bool) or not isinstance(v, int | float) or v < 0:
                raise ValueError(f"wecom.{key}: expected a non-negative number, got {v!r}")
            return float(v)

        def yes(key: str, default: bool) -> bool:
            v = raw.get(key, default)
            if not isinstance(v, bool):
                raise ValueError(f"wecom.{key}: expected true or false, got {v!r}")
            return v

        def mapping(key: str) -> dict[str, str]:
            v = raw.get(key) or {}
            if not isinstance(v, dict):
                raise ValueError(f"wecom.{key}: expected a mapping of ids to names")
            return {str(k): str(x) for k, x in v.items()}

        url = str(raw.get("ws_url") or DEFAULT_URL)
        if not re.match(r"^wss?://", url):
            raise ValueError(f"wecom.ws_url must start with wss:// or ws://, not {url!r}")
        return cls(ws_url=url, heartbeat=num("heartbeat", 30.0) or 30.0,
                   reconnect_max=num("reconnect_max", 60.0),
                   send_timeout=num("send_timeout", 10.0) or 10.0,
                   respond_hours=num("respond_hours", 24.0), direct=yes("direct", True),
                   mention_only=yes("mention_only", True), upload=yes("upload", True),
                   doubt_grace=num("doubt_grace", 3.0), chats=mapping("chats"),
                   names=mapping("names"))


def _req_id(prefix: str) -> str:
    return f"{prefix}_{int(time.time() * 1000)}_{os.urandom(4).hex()}"


def _when(ts: Any) -> datetime:
    """A frame's create_time (seconds or milliseconds), else now."""
    try:
        x = float(ts)
    except (TypeError, ValueError):
        return datetime.now(UTC)
    try:
        return datetime.fromtimestamp(x / 1000 if x > 10**11 else x, UTC) if x > 0 else datetime.now(UTC)
    except (OverflowError, ValueError, OSError):
        return datetime.now(UTC)


class WecomTransport(InboxWorker):
    name = "wecom"

    def __init__(self, *, bot_id: str, secret: str, identities: Identities, clock: Clock,
                 options: WecomOptions | None = None, bot_name: str = "小桥",
                 pacer: Pacer | None = None,
                 stale_grace: timedelta = timedelta(minutes=5)) -> None:
        if not bot_id or not secret:
            raise ValueError("WeCom needs WECOM_BOT_ID and WECOM_BOT_SECRET in the environment")
        self.bot_id, self.secret = bot_id, secret
        self.opts = options or WecomOptions()
        self.ids, self.clock, self.bot_name = identities, clock, bot_name
        self.can_direct = self.opts.direct
        self.pacer = pacer or Pacer()
        self.stale_grace = stale_grace
        self.started_at = datetime.now(UTC)
        self.connected = threading.Event()
        self.fatal: str | None = None  # why the transport gave up, for the exit message
        self.on_alert: Callable[[str], None] | None = None  # set by the composition root
        self.on_idle: Callable[[], None] | None = None  # called on the worker every second
        # A group's `#设置 仅@模式` (True/False), None where never set: then the option decides.
        self.group_mode: Callable[[int], bool | None] | None = None
        self.connects = 0
        self.max_inline_wait = 5.0
        self._loop: asyncio.AbstractEventLoop | None = None
        self._ws: Any = None
        self._stopping = False
        self._stop_event: asyncio.Event | None = None
        self._pending: dict[str, asyncio.Future[dict[str, Any]]] = {}
        self._received: dict[str, _Received] = {}  # msgid -> how to answer it
        self._names: dict[str, str] = dict(self.opts.names or {})  # userid -> name, cached
        self._rooms: dict[str, str] = {}  # chatid -> our room id
        self._ready_at = 0.0
        self._last_frame = 0.0
        self._backlog = 0
        self._upload_ok = self.opts.upload
        self._replaced = False  # a newer connection took over (disconnected_event)
        self._seq = itertools.count(1)

    # -- the transport interface ------------------------------------------------------------
    def run(self, handle: Handle) -> None:
        asyncio.run(self._main(handle))
        if self.fatal is not None:
            raise WecomFatal(self.fatal)

    def stop(self) -> None:
        self._stopping = True
        if self._loop is not None and self._stop_event is not None:
            self._loop.call_soon_threadsafe(self._stop_event.set)

    def ready_for_doubtful(self) -> bool:
        """Whether a reply left in doubt by a crash may be sent again: connected for
        `doubt_grace` seconds (WeCom re-delivers what the dead process had not answered,
        refreshing the req_id the reply goes by) and every frame so far handled."""
        now = time.monotonic()
        return (self.connected.is_set() and now - self._ready_at >= self.opts.doubt_grace
                and self._backlog == 0 and now - self._last_frame >= 0.5)

    def send(self, reply: Reply) -> str | None:
        """Send one reply (on the bot's worker thread). Raises SendLater or UnknownChat."""
        loop = self._loop
        if loop is None or not self.connected.is_set():
            raise SendLater("not connected to WeCom")
        if reply.group is not None:
            chat = self._chat_of(reply)
            text = with_mentions(replace_file(reply))
            if self.mention_only(reply.group) and replies.asks_to_act(reply.text):
                text += "\n" + replies.mention_hint(self.bot_name)
        else:
            chat = self.ids.external("contact", reply.to or "") or ""
            if not chat:
                raise UnknownChat(f"no WeCom user for {reply.to!r}")
            text = reply.text
        wait = self.pacer.delay(chat)
        if wait > self.max_inline_wait:
            raise SendLater(f"paced: {wait:.0f} s to wait")
        if wait > 0:
            time.sleep(wait)
        got = self._received.get(reply.reply_to or "")
        respond = (got is not None and got.chat == chat and got.is_group == (reply.group is not None)
                   and time.monotonic() - got.at < self.opts.respond_hours * 3600)
        first: str | None = None
        for i, piece in enumerate(split_text(text, MAX_TEXT)):
            if i:
                time.sleep(max(0.0, self.pacer.delay(chat)))
            sid = self._stream_id(reply, chat, i)
            if respond:
                assert got is not None
                body = {"msgtype": "stream",
                        "stream": {"id": sid, "finish": True, "content": piece}}
                coro = self._request(RESPOND, body, req_id=got.req_id)
            else:
                body = {"chatid": chat, "msgtype": "markdown", "markdown": {"content": piece}}
                coro = self._request(SEND, body)
            self._wait(asyncio.run_coroutine_threadsafe(coro, loop))
            first = first or sid
            self.pacer.sent(chat)
        if reply.file:
            self._send_file(reply, chat, got.req_id if respond and got else None, loop)
        return first

    def mention_only(self, group: int) -> bool:
        """Whether the bot sees only the messages that @ it in this group."""
        told = self.group_mode(group) if self.group_mode is not None else None
        return self.opts.mention_only if told is None else told

    # -- sending helpers ---------------------------------------------------------------------
    def _chat_of(self, reply: Reply) -> str:
        assert reply.group is not None
        local = self.ids.group_room(reply.group) or self.ids.room_named(reply.group_name or "")
        chat = self.ids.external("room", local) if local else None
        if chat is None:
            named = [c for c, n in (self.opts.chats or {}).items() if n == reply.group_name]
            chat = named[0] if named else None
        if chat is None:
            raise UnknownChat(f"no WeCom group chat known for {reply.group_name!r} (it must "
                              "@ the bot once, or be listed under wecom.chats)")
        return chat

    @staticmethod
    def _stream_id(reply: Reply, chat: str, piece: int) -> str:
        """The same reply gives the same id: sent again after a crash, it replaces itself."""
        key = "\x1f".join([reply.reply_to or "", chat, reply.text, "\n".join(reply.mentions),
                           str(piece)])
        return "dq" + hashlib.sha1(key.encode("utf-8")).hexdigest()[:30]

    def _wait(self, fut: Any) -> dict[str, Any]:
        try:
            return fut.result(self.opts.send_timeout + 1)
        except _Refused as e:
            if e.errcode in _RATE_CODES or _RATE.search(e.errmsg):
                self.pacer.back_off()
                raise SendLater("WeCom asked us to slow down") from e
            raise
        except TimeoutError:
            fut.cancel()
            raise

    def _send_file(self, reply: Reply, chat: str, req_id: str | None,
                   loop: asyncio.AbstractEventLoop) -> None:
        path = Path(reply.file or "")
        media_id = None
        if self._upload_ok:
            try:
                media_id = self._wait(asyncio.run_coroutine_threadsafe(self._upload(path), loop))
            except _Refused as e:
                log.warning("WeCom refused the upload of %s (%s); sending a note instead",
                            path.name, e)
                if e.errcode in (404, 40008, 600001) or "cmd" in e.errmsg.lower():
                    self._upload_ok = False  # this gateway has no media upload: stop trying
            except OSError as e:
                log.warning("cannot read %s for upload: %s", path, e)
        if media_id:
            body = {"msgtype": "file", "file": {"media_id": media_id}}
            if req_id:
                coro = self._request(RESPOND, body, req_id=req_id)
            else:
                coro = self._request(SEND, {"chatid": chat, **body})
        else:
            note = replies.wecom_file_not_sent(path.name)
            coro = self._request(SEND, {"chatid": chat, "msgtype": "markdown",
                                        "markdown": {"content": note}})
        self._wait(asyncio.run_coroutine_threadsafe(coro, loop))
        self.pacer.sent(chat)

    async def _upload(self, path: Path) -> str:
        data = path.read_bytes()
        kind = "image" if path.suffix.lower() in (".png", ".jpg", ".jpeg", ".gif") else "file"
        chunks = [data[i:i + CHUNK] for i in range(0, len(data), CHUNK)] or [b""]
        init = await self._request(UPLOAD_INIT, {
            "type": kind, "filename": path.name, "total_size": len(data),
            "total_chunks": len(chunks), "md5": hashlib.md5(data).hexdigest()})  # noqa: S324
        upload_id = (init.get("body") or {}).get("upload_id")
        if not upload_id:
            raise _Refused(-1, "no upload_id in the answer")
        for i, chunk in enumerate(chunks):
            await self._request(UPLOAD_CHUNK, {"upload_id": upload_id, "chunk_index": i,
                                               "data": base64.b64encode(chunk).decode()})
        done = await self._request(UPLOAD_FINISH, {"upload_id": upload_id})
        media_id = (done.get("body") or {}).get("media_id")
        if not media_id:
            raise _Refused(-1, "no media_id in the answer")
        return str(media_id)

    async def _request(self, cmd: str, body: dict[str, Any] | None,
                       req_id: str | None = None) -> dict[str, Any]:
        """Send one frame and wait for its acknowledgement (an answer with its req_id).

        Replies to one message share the message's req_id, so they go one at a time."""
        ws = self._ws
        if ws is None:
            raise SendLater("not connected to WeCom")
        rid = req_id or _req_id(cmd)
        while rid in self._pending:  # another reply to the same message awaits its answer
            try:
                await asyncio.shield(self._pending[rid])
            except Exception:  # noqa: BLE001,S110 - its own sender handles its failure
                pass
        fut: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        self._pending[rid] = fut
        frame: dict[str, Any] = {"cmd": cmd, "headers": {"req_id": rid}}
        if body is not None:
            frame["body"] = body
        try:
            await ws.send(json.dumps(frame, ensure_ascii=False))
            answer = await asyncio.wait_for(asyncio.shield(fut), self.opts.send_timeout)
        finally:
            if self._pending.get(rid) is fut:
                del self._pending[rid]
        code = int(answer.get("errcode") or 0)
        if code != 0:
            raise _Refused(code, str(answer.get("errmsg", "")))
        return answer

    # -- the loop ---------------------------------------------------------------------------
    async def _main(self, handle: Handle) -> None:
        self._loop = asyncio.get_running_loop()
        self._stop_event = asyncio.Event()
        inbox: asyncio.Queue[InboundMessage] = asyncio.Queue()
        worker = ThreadPoolExecutor(1, thread_name_prefix="daqiao-bot")
        processor = asyncio.create_task(self._process(inbox, handle, worker))
        attempt = 0
        try:
            while not self._stopping and self.fatal is None:
                started = time.monotonic()
                try:
                    await self._session(inbox)
                    if not self._stopping and self.fatal is None:
                        log.warning("WeCom closed the connection; reconnecting")
                except WecomFatal as e:
                    self.fatal = str(e)
                    log.error("%s", e)
                except (ConnectionClosed, OSError, TimeoutError, InvalidHandshake,
                        StoreUnavailable) as e:
                    if not self._stopping:
                        log.warning("WeCom connection lost (%s: %s); reconnecting",
                                    type(e).__name__, e)
                if self._stopping or self.fatal is not None:
                    break
                self.connected.clear()
                attempt = 0 if time.monotonic() - started > 60 else attempt + 1
                delay = min(self.opts.reconnect_max, 0.5 * 2 ** attempt) * random.uniform(0.5, 1.5)
                log.info("reconnecting to WeCom in %.1f s (attempt %d)", delay, attempt + 1)
                try:
                    await asyncio.wait_for(self._stop_event.wait(), delay)
                except TimeoutError:
                    pass
        finally:
            self.connected.clear()
            if self._replaced and self.on_alert is not None:
                # The cadre note is queued on the worker (the bot's thread), before it stops.
                await self._loop.run_in_executor(worker, self._safe, self.on_alert, self.fatal)
            processor.cancel()
            await asyncio.get_running_loop().run_in_executor(None, worker.shutdown, True)
            await self._close()
            self._loop = None

    async def _close(self) -> None:
        ws, self._ws = self._ws, None
        if ws is not None:
            try:
                await asyncio.wait_for(ws.close(), 2)
            except Exception:  # noqa: BLE001,S110 - closing a dead socket
                pass

    async def _session(self, inbox: asyncio.Queue[InboundMessage]) -> None:
        """One connection: subscribe, then read frames until it closes."""
        self.connects += 1
        log.info("connecting to WeCom at %s", self.opts.ws_url)
        try:
            ws = await websockets.connect(self.opts.ws_url, ping_interval=None,
                                          open_timeout=15, close_timeout=2, max_size=None)
        except InvalidURI as e:
            raise WecomFatal(f"wecom.ws_url is not a WebSocket address: {e}") from e
        self._ws = ws
        try:
            rid = _req_id(SUBSCRIBE)
            await ws.send(json.dumps({"cmd": SUBSCRIBE, "headers": {"req_id": rid},
                                      "body": {"bot_id": self.bot_id, "secret": self.secret}}))
            answer = await self._answer_to(ws, rid, 15.0)
            code = int(answer.get("errcode") or 0)
            if code != 0:
                raise WecomFatal(
                    f"WeCom refused the bot id and secret (errcode {code}: "
                    f"{answer.get('errmsg', '')}); check WECOM_BOT_ID and WECOM_BOT_SECRET")
            log.info("subscribed to WeCom as bot %s", self.bot_id)
            self._ready_at = self._last_frame = time.monotonic()
            self._rooms.clear()
            self.ids.logged_in(datetime.now(UTC))
            self.connected.set()
            await self._read(ws, inbox)
        finally:
            self.connected.clear()
            for fut in self._pending.values():
                if not fut.done():
                    fut.set_exception(ConnectionError("the WeCom connection closed"))
            self._pending.clear()
            await self._close()

    async def _answer_to(self, ws: Any, rid: str, timeout: float) -> dict[str, Any]:
        """The subscribe answer (frames before it are not expected; they are dropped)."""
        end = time.monotonic() + timeout
        while True:
            left = end - time.monotonic()
            if left <= 0:
                raise TimeoutError("no answer to the subscribe frame")
            raw = await asyncio.wait_for(ws.recv(), left)
            try:
                frame = json.loads(raw)
            except ValueError:
                continue
            if (frame.get("headers") or {}).get("req_id") == rid:
                return frame

    async def _read(self, ws: Any, inbox: asyncio.Queue[InboundMessage]) -> None:
        stop = asyncio.ensure_future(self._stop_event.wait())  # type: ignore[union-attr]
        missed = 0
        next_ping = time.monotonic() + self.opts.heartbeat
        nxt: asyncio.Future[Any] | None = None
        try:
            while not self._stopping:
                if nxt is None:
                    nxt = asyncio.ensure_future(ws.recv())
                left = max(0.0, next_ping - time.monotonic())
                done, _ = await asyncio.wait({nxt, stop}, timeout=left,
                                             return_when=asyncio.FIRST_COMPLETED)
                if stop in done:
                    return
                if nxt not in done:  # time for a heartbeat
                    if missed >= 2:
                        raise TimeoutError("two heartbeats went unanswered")
                    missed += 1
                    await ws.send(json.dumps({"cmd": PING, "headers": {"req_id": _req_id(PING)}}))
                    next_ping = time.monotonic() + self.opts.heartbeat
                    continue
                read, nxt = nxt, None
                raw = read.result()  # ConnectionClosed ends the session
                self._last_frame = time.monotonic()
                try:
                    frame = json.loads(raw)
                except ValueError:
                    log.warning("WeCom sent a frame that is not JSON: %r", str(raw)[:120])
                    continue
                rid = str((frame.get("headers") or {}).get("req_id", ""))
                cmd = frame.get("cmd")
                if cmd == CALLBACK:
                    await self._on_message(frame, rid, inbox)
                elif cmd == EVENT:
                    self._on_event(frame)
                elif rid.startswith(PING + "_"):
                    missed = 0
                elif rid in self._pending:
                    fut = self._pending[rid]
                    if not fut.done():
                        fut.set_result(frame)
                else:
                    log.debug("WeCom frame not asked for: %s", str(raw)[:200])
        finally:
            stop.cancel()
            if nxt is not None:
                nxt.cancel()

    # -- inbound ----------------------------------------------------------------------------
    def _on_event(self, frame: dict[str, Any]) -> None:
        body = frame.get("body") or {}
        event = body.get("event") or {}
        kind = event.get("eventtype") if isinstance(event, dict) else None
        if kind == REPLACED:
            self._replaced = True
            raise WecomFatal(
                "WeCom says a newer connection with this bot id replaced this one "
                "(disconnected_event): another daqiao, or another program, runs with the same "
                "WECOM_BOT_ID. Not reconnecting, so the two do not keep kicking each other off")
        log.debug("WeCom event %s", kind)

    async def _on_message(self, frame: dict[str, Any], rid: str,
                          inbox: asyncio.Queue[InboundMessage]) -> None:
        body = frame.get("body") or {}
        mid = str(body.get("msgid") or "")
        if not mid:
            log.warning("WeCom message without msgid; skipped")
            return
        self._backlog += 1
        msg = None
        try:
            msg = self._message(body, mid, rid)
        except StoreUnavailable:
            self._backlog -= 1
            raise
        except Exception:  # noqa: BLE001 - one unreadable message must not end the session
            log.exception("WeCom message %s could not be read; skipped", mid)
        if msg is None:
            self._backlog -= 1
            return
        await inbox.put(msg)

    def _message(self, body: dict[str, Any], mid: str, rid: str) -> InboundMessage | None:
        kind = str(body.get("msgtype") or "")
        chattype = str(body.get("chattype") or "single")
        is_group = chattype == "group"
        sender = body.get("from") or {}
        userid = str(sender.get("userid") or "")
        chatid = str(body.get("chatid") or "") if is_group else userid
        if not userid:
            return None
        self._received[mid] = _Received(req_id=rid, chat=chatid, is_group=is_group,
                                        at=time.monotonic())
        if len(self._received) > 5000:  # forget the oldest half
            for k in list(self._received)[:2500]:
                del self._received[k]
        now = datetime.now(UTC)
        name = str(sender.get("name") or "") or self._names.get(userid) or userid
        self._names[userid] = name
        person = self.ids.contact(userid, name=name, weixin=userid, now=now)
        room, topic = None, None
        if is_group:
            topic = (self.opts.chats or {}).get(chatid) or str(body.get("chatname") or "") or chatid
            room = self._rooms.get(chatid)
            if room is None:
                room = self.ids.room(chatid, topic=topic, members=[], now=now)
                self._rooms[chatid] = room
                log.info("WeCom group chat %s is our group %r (name it under wecom.chats)",
                         chatid, topic)
        text, typ = self._content(kind, body)
        mentioned = not is_group or self.opts.mention_only or f"@{self.bot_name}" in (text or "")
        if is_group and text and typ == "text":
            text = self._strip_mention(text)
        when = _when(body.get("create_time"))
        raw: dict[str, Any] = {"msgtype": kind, "chatid": chatid, "userid": userid}
        if when < self.started_at - self.stale_grace:
            raw["stale"] = True
        return InboundMessage(
            transport=self.name, message_id=mid, chat_id=room, chat_name=topic,
            sender_id=person, sender_name=name, text=text, time=min(when, now), type=typ,
            is_group=is_group, mentions_bot=mentioned, raw=raw)

    def _strip_mention(self, text: str) -> str:
        """WeCom puts '@BOTNAME ' before a group message that @s the bot: the bot reads
        the message as the console gives it."""
        return re.sub(rf"^\s*@{re.escape(self.bot_name)}[\s\u2005]*", "", text, count=1)

    @staticmethod
    def _content(kind: str, body: dict[str, Any]) -> tuple[str | None, str]:
        if kind == "text":
            return str((body.get("text") or {}).get("content") or ""), "text"
        if kind == "voice":  # WeCom gives the speech as text
            return str((body.get("voice") or {}).get("content") or ""), "text"
        if kind == "mixed":
            items = (body.get("mixed") or {}).get("msg_item") or []
            texts = [str((i.get("text") or {}).get("content") or "") for i in items
                     if i.get("msgtype") == "text"]
            joined = "\n".join(t for t in texts if t.strip())
            if joined:
                return joined, "text"
            return None, "image"
        if kind == "image":
            return None, "image"
        if kind == "file":
            f = body.get("file") or {}
            return str(f.get("filename") or f.get("name") or "") or None, "file"
        if kind == "video":
            return None, "video"
        return None, "system"


def replace_file(reply: Reply) -> Reply:
    """The reply without its attachment line (the file goes as a file of its own)."""
    from dataclasses import replace  # noqa: PLC0415

    return replace(reply, file=None) if reply.file else reply


def from_environment(env: Mapping[str, str] | None = None) -> tuple[str, str]:
    """The bot id and secret: from the environment only, never the config file."""
    env = os.environ if env is None else env
    return env.get("WECOM_BOT_ID", "").strip(), env.get("WECOM_BOT_SECRET", "").strip()


__all__ = ["DEFAULT_URL", "WecomFatal", "WecomOptions", "WecomTransport", "from_environment"]
