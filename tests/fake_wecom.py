"""A fake WeCom intelligent-bot gateway: a `websockets` server speaking the long-connection
frames, driven by a test.

What it speaks (the frames the official SDK, wecom-aibot-python-sdk 1.0.2, sends and expects):
- `aibot_subscribe` {bot_id, secret}: answered with the same req_id, errcode 0, or a refusal
  (errcode 40001 "invalid secret") after which the socket stays open, as the real gateway
  leaves it for the client to close;
- `ping`: answered (unless `answer_pings` is off: a gateway gone quiet);
- `aibot_msg_callback` / `aibot_event_callback` frames the test makes with `say`, `event`;
- `aibot_respond_msg` (a reply by a callback's req_id; a `stream` with an id already seen for
  that message replaces it, as WeCom's stream messages do) and `aibot_send_msg`: recorded in
  `sent` and acknowledged;
- `aibot_upload_media_init` / `_chunk` / `_finish`: media ids (off with `uploads = False`);
- one connection per bot id: a newer subscribe sends `disconnected_event` to the older one.

Failures: `drop()` aborts the connection (no close frame); `close()` closes it cleanly;
`kick()` sends disconnected_event. Callbacks written to a connection that then died are
delivered again (same msgid, new req_id) on the next subscribe, up to `redeliver` of them.

    fake = FakeWecom().start()        # 127.0.0.1, a free port, its own event loop thread
    fake.url                          # ws://127.0.0.1:PORT for wecom.ws_url
    mid = fake.say("chat-1", "u1", "@小桥 招工", name="张三")
    fake.wait_sent(1)
"""

from __future__ import annotations

import asyncio
import base64
import itertools
import json
import os
import threading
import time
from dataclasses import dataclass, field
from typing import Any

import websockets
from websockets.asyncio.server import ServerConnection


@dataclass
class Sent:
    """One message the bot put into a chat."""

    cmd: str  # aibot_respond_msg or aibot_send_msg
    chat: str
    msgtype: str
    text: str  # the content of a stream / markdown / text; the file name for a file
    reply_to: str | None = None  # the msgid of the callback a reply answered
    stream_id: str | None = None
    at: float = field(default_factory=time.monotonic)
    replaced: int = 0  # times a later frame with the same stream id replaced it


class FakeWecom:
    def __init__(self, *, bot_id: str = "bot-1", secret: str = "s3cret") -> None:
        self.bot_id, self.secret = bot_id, secret
        self.port = 0
        self.answer_pings = True
        self.uploads = True
        self.redeliver = 0
        self.sent: list[Sent] = []
        self.frames: list[dict[str, Any]] = []  # every frame the bot sent
        self.subscribes = 0
        self.refused = 0
        self.pings = 0
        self.redelivered = 0  # callbacks delivered again on a later connection
        self.media: dict[str, tuple[str, bytes]] = {}
        self._cond = threading.Condition()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._server: Any = None
        self._conn: ServerConnection | None = None
        self._req_to_msg: dict[str, tuple[str, str, bool]] = {}  # req_id -> (msgid, chat, group)
        self._streams: dict[tuple[str, str], Sent] = {}
        self._unread: list[dict[str, Any]] = []  # callbacks written to the live connection
        self._ids = itertools.count(1)
        self._uploads: dict[str, list[bytes]] = {}
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"ws://127.0.0.1:{self.port}"

    # -- life --------------------------------------------------------------------------------
    def start(self) -> FakeWecom:
        ready = threading.Event()

        def main() -> None:
            self._loop = asyncio.new_event_loop()
            asyncio.set_event_loop(self._loop)

            async def serve() -> None:
                self._server = await websockets.serve(self._session, "127.0.0.1", 0,
                                                      max_size=None, ping_interval=None)
                self.port = self._server.sockets[0].getsockname()[1]
                ready.set()
                await self._server.wait_closed()

            try:
                self._loop.run_until_complete(serve())
            finally:
                self._loop.close()

        self._thread = threading.Thread(target=main, daemon=True, name="fake-wecom")
        self._thread.start()
        ready.wait(10)
        return self

    def stop(self) -> None:
        if self._loop is not None and self._server is not None:
            self._loop.call_soon_threadsafe(self._server.close)
        if self._thread is not None:
            self._thread.join(10)

    def _call(self, coro: Any) -> Any:
        assert self._loop is not None
        return asyncio.run_coroutine_threadsafe(coro, self._loop).result(10)

    # -- the protocol ------------------------------------------------------------------------
    async def _session(self, conn: ServerConnection) -> None:
        subscribed = False
        try:
            async for raw in conn:
                frame = json.loads(raw)
                with self._cond:
                    self.frames.append(frame)
                cmd = frame.get("cmd")
                rid = (frame.get("headers") or {}).get("req_id", "")
                body = frame.get("body") or {}
                if cmd == "aibot_subscribe":
                    if body.get("bot_id") != self.bot_id or body.get("secret") != self.secret:
                        with self._cond:
                            self.refused += 1
                            self._cond.notify_all()
                        await self._answer(conn, rid, 40001, "invalid secret")
                        continue  # the socket stays open, as WeCom leaves it
                    subscribed = True
                    await self._answer(conn, rid)
                    await self._take_over(conn)
                elif not subscribed:
                    await self._answer(conn, rid, 40002, "not subscribed")
                elif cmd == "ping":
                    with self._cond:
                        self.pings += 1
                        self._cond.notify_all()
                    if self.answer_pings:
                        await self._answer(conn, rid)
                elif cmd in ("aibot_respond_msg", "aibot_send_msg"):
                    await self._answer(conn, rid, *self._record(cmd, rid, body))
                elif cmd == "aibot_upload_media_init" and self.uploads:
                    uid = f"up-{next(self._ids)}"
                    self._uploads[uid] = [body.get("filename", "file"), []]  # type: ignore[list-item]
                    await self._answer(conn, rid, body={"upload_id": uid})
                elif cmd == "aibot_upload_media_chunk" and self.uploads:
                    up = self._uploads.get(body.get("upload_id", ""))
                    if up is None:
                        await self._answer(conn, rid, 40003, "no such upload")
                        continue
                    up[1].append(base64.b64decode(body.get("data", "")))  # type: ignore[union-attr]
                    await self._answer(conn, rid)
                elif cmd == "aibot_upload_media_finish" and self.uploads:
                    name, parts = self._uploads.pop(body.get("upload_id", ""), ("", []))
                    media = f"media-{next(self._ids)}"
                    self.media[media] = (str(name), b"".join(parts))  # type: ignore[arg-type]
                    await self._answer(conn, rid, body={"media_id": media})
                else:
                    await self._answer(conn, rid, 40008, f"unknown cmd {cmd}")
        except websockets.ConnectionClosed:
            pass
        finally:
            if self._conn is conn:
                self._conn = None

    async def _take_over(self, conn: ServerConnection) -> None:
        """This connection is now the bot's: the older one is told, then closed; what the
        older one may not have read is delivered again."""
        old, self._conn = self._conn, conn
        with self._cond:
            self.subscribes += 1
            self._cond.notify_all()
        if old is not None and old is not conn:
            try:
                await old.send(json.dumps(self._event_frame("disconnected_event")))
                await old.close()
            except websockets.ConnectionClosed:
                pass
        again = self._unread[-self.redeliver:] if self.redeliver else []
        self._unread = []
        self.redelivered += len(again)
        for frame in again:
            fresh = {**frame, "headers": {"req_id": self._new_req(frame["body"])}}
            await self._write(fresh)

    def _new_req(self, body: dict[str, Any]) -> str:
        rid = f"req-{next(self._ids)}-{os.urandom(3).hex()}"
        chat = body.get("chatid") or (body.get("from") or {}).get("userid", "")
        self._req_to_msg[rid] = (body["msgid"], chat, body.get("chattype") == "group")
        return rid

    async def _write(self, frame: dict[str, Any]) -> None:
        conn = self._conn
        if frame.get("cmd") == "aibot_msg_callback":
            self._unread.append(frame)
        if conn is None:
            return
        try:
            await conn.send(json.dumps(frame, ensure_ascii=False))
        except websockets.ConnectionClosed:
            pass

    @staticmethod
    async def _answer(conn: ServerConnection, rid: str, errcode: int = 0, errmsg: str = "ok",
                      body: dict[str, Any] | None = None) -> None:
        frame: dict[str, Any] = {"headers": {"req_id": rid}, "errcode": errcode, "errmsg": errmsg}
        if body is not None:
            frame["body"] = body
        try:
            await conn.send(json.dumps(frame))
        except websockets.ConnectionClosed:
            pass

    def _record(self, cmd: str, rid: str, body: dict[str, Any]) -> tuple[int, str]:
        kind = str(body.get("msgtype", ""))
        if kind == "stream":
            text = str((body.get("stream") or {}).get("content", ""))
            sid = str((body.get("stream") or {}).get("id", ""))
        elif kind == "markdown":
            text, sid = str((body.get("markdown") or {}).get("content", "")), ""
        elif kind == "text":
            text, sid = str((body.get("text") or {}).get("content", "")), ""
        elif kind == "file":
            media = str((body.get("file") or {}).get("media_id", ""))
            if media not in self.media:
                return 40004, "invalid media_id"
            text, sid = self.media[media][0], ""
        else:
            return 40005, f"unsupported msgtype {kind}"
        if cmd == "aibot_respond_msg":
            got = self._req_to_msg.get(rid)
            if got is None:
                return 40006, "invalid req_id"
            msgid, chat, _ = got
        else:
            msgid, chat = None, str(body.get("chatid", ""))
            if not chat:
                return 40007, "chatid missing"
        with self._cond:
            if sid and (msgid or "", sid) in self._streams:  # the same stream: replaced
                s = self._streams[(msgid or "", sid)]
                s.text, s.replaced = text, s.replaced + 1
            else:
                s = Sent(cmd=cmd, chat=chat, msgtype=kind, text=text, reply_to=msgid,
                         stream_id=sid or None)
                self.sent.append(s)
                if sid:
                    self._streams[(msgid or "", sid)] = s
            self._cond.notify_all()
        return 0, "ok"

    # -- what a test does --------------------------------------------------------------------
    def say(self, chat: str | None, user: str, text: str = "", *, kind: str = "text",
            name: str | None = None, extra: dict[str, Any] | None = None,
            msgid: str | None = None) -> str:
        """A message from `user`: in group chat `chat`, or privately (chat None)."""
        mid = msgid or f"msg-{next(self._ids)}-{os.urandom(4).hex()}"
        body: dict[str, Any] = {"msgid": mid, "aibotid": self.bot_id,
                                "chattype": "group" if chat else "single",
                                "from": {"userid": user}, "msgtype": kind,
                                "create_time": int(time.time())}
        if name:
            body["from"]["name"] = name
        if chat:
            body["chatid"] = chat
        if kind == "text":
            body["text"] = {"content": text}
        body.update(extra or {})
        frame = {"cmd": "aibot_msg_callback", "headers": {"req_id": self._new_req(body)},
                 "body": body}
        self._call(self._write(frame))
        return mid

    @staticmethod
    def _event_frame(kind: str) -> dict[str, Any]:
        return {"cmd": "aibot_event_callback",
                "headers": {"req_id": f"evt-{os.urandom(4).hex()}"},
                "body": {"msgid": f"evt-{os.urandom(4).hex()}", "msgtype": "event",
                         "event": {"eventtype": kind}, "create_time": int(time.time())}}

    def event(self, kind: str) -> None:
        self._call(self._send_raw(self._event_frame(kind)))

    async def _send_raw(self, frame: dict[str, Any]) -> None:
        if self._conn is not None:
            await self._conn.send(json.dumps(frame))

    def kick(self) -> None:
        """A newer connection took over: disconnected_event, then the close."""
        async def go() -> None:
            conn = self._conn
            if conn is not None:
                await conn.send(json.dumps(self._event_frame("disconnected_event")))
                await conn.close()
        self._call(go())

    def drop(self) -> None:
        """The connection breaks: no close frame (the client's next read fails)."""
        async def go() -> None:
            conn, self._conn = self._conn, None
            if conn is not None:
                conn.transport.abort()
        self._call(go())

    def close(self) -> None:
        """WeCom closes the connection cleanly."""
        async def go() -> None:
            conn, self._conn = self._conn, None
            if conn is not None:
                await conn.close()
        self._call(go())

    def read_all(self) -> None:
        """The bot has read everything so far (nothing to deliver again)."""
        self._unread = []

    # -- waiting -----------------------------------------------------------------------------
    def _wait(self, cond: Any, timeout: float, what: str) -> None:
        end = time.monotonic() + timeout
        with self._cond:
            while not cond():
                left = end - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"fake WeCom: timed out waiting for {what}")
                self._cond.wait(min(left, 0.2))

    def wait_sent(self, n: int, timeout: float = 20) -> list[Sent]:
        self._wait(lambda: len(self.sent) >= n, timeout, f"{n} sent")
        return list(self.sent)

    def wait_sent_where(self, pred: Any, timeout: float = 20) -> Sent:
        self._wait(lambda: any(pred(s) for s in self.sent), timeout, "a matching send")
        return next(s for s in self.sent if pred(s))

    def wait_subscribes(self, n: int, timeout: float = 20) -> None:
        self._wait(lambda: self.subscribes >= n, timeout, f"{n} subscribes")

    def wait_refused(self, n: int = 1, timeout: float = 20) -> None:
        self._wait(lambda: self.refused >= n, timeout, f"{n} refused subscribes")

    def wait_pings(self, n: int, timeout: float = 20) -> None:
        self._wait(lambda: self.pings >= n, timeout, f"{n} pings")
