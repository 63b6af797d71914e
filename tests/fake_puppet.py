"""A fake Wechaty puppet service: the real gRPC service and messages, driven by a test.

It speaks `wechaty.Puppet` over HTTP/2 (grpclib, with the betterproto messages of
`wechaty-grpc`), the way a puppet-service gateway does, including the habits issue 7 lists:
the TypeScript message-type numbers on the wire (text is 7), a heartbeat first on every Event
stream and then login and ready, `Stop` ending the open stream, a second concurrent stream
refused with ALREADY_EXISTS, and the bot's own sends coming back as message events.

A test drives it from its own thread:

    fake = FakePuppet(); fake.start()            # a free port on 127.0.0.1, own event loop
    fake.add_room("r1", "共享员工群", {"c1": "张三"}); fake.login("bot")
    fake.say("r1", "c1", "我们厂需要3名普工")     # a room message event
    fake.wait_sent(1)                             # what the bot sent, with monotonic times
    fake.wait_streams(2); fake.wait_dings(1)      # waits end on the event (a Condition), with
                                                  # the timeout only as a bound on failure
    fake.drop_stream(); fake.relogin(...)         # failures

and it runs alone for a bot started separately:

    python -m tests.fake_puppet --port 8788 [--script messages.jsonl] [--log sends.jsonl]
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from grpclib.const import Cardinality, Handler, Status
from grpclib.events import RecvRequest, listen
from grpclib.exceptions import GRPCError
from grpclib.server import Server
from wechaty_grpc.wechaty import puppet as pb

# TypeScript wechaty-puppet MessageType values, as real services put them on the wire.
WIRE = {"attachment": 1, "audio": 2, "contact": 3, "emoticon": 5, "image": 6, "text": 7,
        "url": 14, "video": 15}
EV = {"heartbeat": 1, "message": 2, "dong": 3, "error": 16, "room_join": 19, "room_topic": 21,
      "ready": 23, "login": 25, "logout": 26}


@dataclass
class Sent:
    """One message the bot sent, as the gateway received it."""

    conversation_id: str
    text: str
    mentions: list[str]
    at: float  # time.monotonic() when the send was taken
    kind: str = "text"
    id: str = ""


@dataclass
class _Room:
    topic: str
    members: dict[str, str]  # contact id -> display name
    aliases: dict[str, str] = field(default_factory=dict)  # contact id -> room alias


class FakePuppet:
    """An in-process puppet service on 127.0.0.1; every public method is thread-safe."""

    def __init__(self, port: int = 0, *, token: str | None = None, echo_self: bool = True,
                 ssl: Any = None) -> None:
        self.port = port
        self.ssl = ssl  # an ssl.SSLContext to serve over TLS
        self.token = token
        self.echo_self = echo_self  # send the bot's own messages back as message events
        self.self_id: str | None = None
        self.rooms: dict[str, _Room] = {}
        self.contacts: dict[str, dict[str, str]] = {}  # id -> {"name", "weixin"}
        self.messages: dict[str, pb.MessagePayloadResponse] = {}
        self.files: dict[str, bytes] = {}  # message id -> the bytes of its photo or file
        self.sent: list[Sent] = []
        self.send_delay = 0.0  # seconds each send takes
        self.fail_sends: list[GRPCError] = []  # raised by the next sends, in order
        self.streams_opened = 0
        self.dings = 0
        self.ding_streams: list[int] = []  # for each Ding, how many streams had been opened
        self.ding_hangs = False  # a gateway that is wedged: the stream stays open, Ding hangs
        self.auth_seen: list[str | None] = []
        # Issue 29: every RPC received, by method name ("RoomMemberPayload": 3, ...); TLS
        # connections dropped for not offering ALPN h2 (as a grpc-js server drops them).
        self.calls: Counter[str] = Counter()
        self.alpn_refused = 0
        self._transports: list[Any] = []  # connections, closed by stop
        # Issue 29, Start: a puppet that logs in only once Start was called (the official
        # server's puppet starts on Start), answering Start after start_delay seconds, or
        # with start_error; start_streams holds, for each Start, how many streams had opened.
        self.wait_for_start = False
        self.start_delay = 0.0
        self.start_error: GRPCError | None = None
        self.started = False
        self.start_streams: list[int] = []
        self._ids = itertools.count(1)
        # Events for the open stream; None ends it cleanly, "drop" with an error.
        self._queue: asyncio.Queue[Any] | None = None
        self._stream_open = False
        self._recent: list[pb.EventResponse] = []
        self._unsent: list[pb.EventResponse] = []  # taken for a stream that died meanwhile  # re-delivered after a reconnect if asked
        self.redeliver = 0
        self._loop: asyncio.AbstractEventLoop | None = None
        self._server: Server | None = None
        self._thread: threading.Thread | None = None
        self._cv = threading.Condition()  # notified on every send, stream opened and Ding

    # -- lifecycle ----------------------------------------------------------------------------
    def start(self) -> FakePuppet:
        ready = threading.Event()

        def main() -> None:
            self._loop = asyncio.new_event_loop()
            asyncio.set_event_loop(self._loop)
            self._loop.run_until_complete(self._serve())
            ready.set()
            self._loop.run_forever()

        self._thread = threading.Thread(target=main, name="fake-puppet", daemon=True)
        self._thread.start()
        if not ready.wait(10):
            raise RuntimeError("fake puppet did not start")
        return self

    async def _serve(self) -> None:
        self._server = Server([self])
        listen(self._server, RecvRequest, self._count)
        self._server._protocol_factory = self._tracked(self._server._protocol_factory)  # type: ignore[method-assign]
        await self._server.start("127.0.0.1", self.port, ssl=self.ssl)
        sock = self._server._server.sockets[0]  # type: ignore[union-attr]
        self.port = sock.getsockname()[1]
        self._queue = asyncio.Queue()

    async def _count(self, event: RecvRequest) -> None:
        self.calls[event.method_name.rsplit("/", 1)[-1]] += 1

    def _tracked(self, factory: Any) -> Any:
        """Protocols whose connections `stop` closes (as a gateway process that exits does),
        and which drop a TLS connection whose client did not negotiate ALPN h2 (a grpc-js
        server, and so the official puppet service, does; the client sees the connection
        lost and the server logs nothing)."""
        def make() -> Any:
            proto = factory()
            made = proto.connection_made

            def connection_made(transport: Any) -> None:
                made(transport)
                self._transports.append(transport)
                tls = transport.get_extra_info("ssl_object")
                if tls is not None and tls.selected_alpn_protocol() != "h2":
                    with self._cv:
                        self.alpn_refused += 1
                        self._cv.notify_all()
                    transport.abort()

            proto.connection_made = connection_made
            return proto
        return make

    def stop(self) -> None:
        """Shut the service down (the bot sees the stream drop and the endpoint refuse)."""
        if self._loop is None:
            return

        async def down() -> None:
            assert self._server is not None
            if self._queue is not None:
                self._queue.put_nowait(None)
            self._server.close()
            await self._server.wait_closed()
            for transport in self._transports:
                transport.abort()
            self._transports.clear()

        asyncio.run_coroutine_threadsafe(down(), self._loop).result(10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        assert self._thread is not None
        self._thread.join(10)
        self._loop = None

    def restart(self) -> None:
        """The gateway restarts on the same port: streams end, state (ids, rooms) is kept."""
        port = self.port
        self.stop()
        self.port = port
        self.start()

    def _call(self, fn: Any, *args: Any) -> None:
        assert self._loop is not None
        self._loop.call_soon_threadsafe(fn, *args)

    # -- the world ----------------------------------------------------------------------------
    def add_contact(self, cid: str, name: str, weixin: str = "") -> None:
        self.contacts[cid] = {"name": name, "weixin": weixin}

    def add_room(self, rid: str, topic: str, members: dict[str, str],
                 aliases: dict[str, str] | None = None) -> None:
        for cid, name in members.items():
            self.contacts.setdefault(cid, {"name": name, "weixin": ""})
        self.rooms[rid] = _Room(topic, dict(members), dict(aliases or {}))

    def login(self, self_id: str, name: str = "小桥") -> None:
        self.self_id = self_id
        self.add_contact(self_id, name)
        if self.wait_for_start and not self.started:
            return  # the puppet logs in once started (see _start_rpc)
        self.emit("login", {"contactId": self_id})
        self.emit("ready", {"data": "ready"})

    def logout(self) -> None:
        self.emit("logout", {"contactId": self.self_id or "", "data": "logged out on the phone"})
        self.self_id = None

    def relogin(self, self_id: str, room_ids: dict[str, str], contact_ids: dict[str, str]) -> None:
        """Log in again with new ids: rooms and contacts renamed old -> new (same people)."""
        self.rooms = {room_ids.get(r, r): room for r, room in self.rooms.items()}
        for room in self.rooms.values():
            room.members = {contact_ids.get(c, c): n for c, n in room.members.items()}
            room.aliases = {contact_ids.get(c, c): n for c, n in room.aliases.items()}
        self.contacts = {contact_ids.get(c, c): v for c, v in self.contacts.items()}
        self.login(self_id)

    def say(self, room_id: str | None, sender: str, text: str, *, kind: str = "text",
            mentions: tuple[str, ...] = (), ts: float | None = None, to: str | None = None,
            data: bytes | None = None) -> str:
        """A message arrives in a room (or, with room_id None, directly to the bot)."""
        mid = f"msg-{next(self._ids)}"
        t = time.time() if ts is None else ts
        self.messages[mid] = pb.MessagePayloadResponse(
            id=mid, text=text, timestamp=int(t * 1000), type=WIRE[kind],  # type: ignore[arg-type]
            from_id=sender, room_id=room_id or "", to_id=to or (self.self_id or "" if room_id is None else ""),
            mention_ids=list(mentions), filename="photo.jpg" if kind == "image" else "")
        if data is not None:  # a photo's or file's bytes, served by MessageImage / MessageFile
            self.files[mid] = data
        self.emit("message", {"messageId": mid})
        return mid

    def rename_room(self, rid: str, topic: str) -> None:
        self.rooms[rid].topic = topic
        self.emit("room_topic", {"roomId": rid, "newTopic": topic, "changerId": "", "timestamp": 0})

    # -- events -------------------------------------------------------------------------------
    def emit(self, kind: str, payload: dict[str, Any]) -> None:
        ev = pb.EventResponse(type=EV[kind], payload=json.dumps(payload, ensure_ascii=False))  # type: ignore[arg-type]
        if kind == "message":
            self._recent = (self._recent + [ev])[-1000:]
        if self._loop is not None:
            self._call(self._put, ev)

    def _put(self, ev: pb.EventResponse) -> None:
        assert self._queue is not None
        self._queue.put_nowait(ev)

    def drop_stream(self) -> None:
        """End the open Event stream abruptly, as a gateway hiccup does."""
        self._call(self._put_drop)

    def _put_drop(self) -> None:
        assert self._queue is not None
        self._queue.put_nowait("drop")

    def wait_streams(self, n: int, timeout: float = 30) -> None:
        with self._cv:
            if not self._cv.wait_for(lambda: self.streams_opened >= n, timeout):
                raise TimeoutError(f"{self.streams_opened} event streams opened, wanted {n}")

    def wait_dings(self, n: int, timeout: float = 30) -> None:
        with self._cv:
            if not self._cv.wait_for(lambda: self.dings >= n, timeout):
                raise TimeoutError(f"{self.dings} dings received, wanted {n}")

    def wait_sent(self, n: int, timeout: float = 30) -> list[Sent]:
        with self._cv:
            if not self._cv.wait_for(lambda: len(self.sent) >= n, timeout):
                got = [s.text for s in self.sent]
                raise TimeoutError(f"{len(self.sent)} messages sent, wanted {n}: {got}")
            return list(self.sent)

    def wait_sent_where(self, pred: Any, timeout: float = 30) -> list[Sent]:
        """Wait until some send satisfies `pred`; everything sent so far."""
        with self._cv:
            if not self._cv.wait_for(lambda: any(pred(s) for s in self.sent), timeout):
                got = [s.text for s in self.sent]
                raise TimeoutError(f"no such send among {len(self.sent)}: {got}")
            return list(self.sent)

    # -- the gRPC service -----------------------------------------------------------------------
    def __mapping__(self) -> dict[str, Handler]:
        def h(fn: Any, req: Any, resp: Any, card: Cardinality = Cardinality.UNARY_UNARY) -> Handler:
            return Handler(fn, card, req, resp)

        u = self._unary
        return {
            "/wechaty.Puppet/Event": h(self._event, pb.EventRequest, pb.EventResponse,
                                       Cardinality.UNARY_STREAM),
            "/wechaty.Puppet/Start": h(self._start_rpc, pb.StartRequest, pb.StartResponse),
            "/wechaty.Puppet/Stop": h(self._stop_rpc, pb.StopRequest, pb.StopResponse),
            "/wechaty.Puppet/Ding": h(self._ding, pb.DingRequest, pb.DingResponse),
            "/wechaty.Puppet/Version": h(u(lambda r: pb.VersionResponse(version="fake-1.0")),
                                         pb.VersionRequest, pb.VersionResponse),
            "/wechaty.Puppet/ContactPayload": h(u(self._contact), pb.ContactPayloadRequest,
                                                pb.ContactPayloadResponse),
            "/wechaty.Puppet/RoomPayload": h(u(self._room), pb.RoomPayloadRequest, pb.RoomPayloadResponse),
            "/wechaty.Puppet/RoomList": h(u(lambda r: pb.RoomListResponse(ids=list(self.rooms))),
                                          pb.RoomListRequest, pb.RoomListResponse),
            "/wechaty.Puppet/RoomMemberList": h(u(self._room_members), pb.RoomMemberListRequest,
                                                pb.RoomMemberListResponse),
            "/wechaty.Puppet/RoomMemberPayload": h(u(self._room_member), pb.RoomMemberPayloadRequest,
                                                   pb.RoomMemberPayloadResponse),
            "/wechaty.Puppet/MessagePayload": h(u(self._message), pb.MessagePayloadRequest,
                                                pb.MessagePayloadResponse),
            "/wechaty.Puppet/MessageSendText": h(self._send_text, pb.MessageSendTextRequest,
                                                 pb.MessageSendTextResponse),
            "/wechaty.Puppet/MessageSendFile": h(self._send_file, pb.MessageSendFileRequest,
                                                 pb.MessageSendFileResponse),
            "/wechaty.Puppet/MessageImage": h(u(self._message_image), pb.MessageImageRequest,
                                              pb.MessageImageResponse),
            "/wechaty.Puppet/MessageFile": h(u(self._message_file), pb.MessageFileRequest,
                                             pb.MessageFileResponse),
        }

    def _unary(self, fn: Any) -> Any:
        async def handler(stream: Any) -> None:
            req = await stream.recv_message()
            await stream.send_message(fn(req))
        return handler

    async def _event(self, stream: Any) -> None:
        await stream.recv_message()
        self.auth_seen.append(stream.metadata.get("authorization"))
        if self.token is not None and stream.metadata.get("authorization") != f"Wechaty {self.token}":
            raise GRPCError(Status.UNAUTHENTICATED, "bad token")
        if self._stream_open:
            raise GRPCError(Status.ALREADY_EXISTS, "an event stream is already open")
        self._stream_open = True
        with self._cv:
            self.streams_opened += 1
            self._cv.notify_all()
        assert self._queue is not None
        # Events that came while no stream was open wait in the queue for the next one.
        try:
            await stream.send_message(pb.EventResponse(type=EV["heartbeat"], payload='{"data":"hi"}'))  # type: ignore[arg-type]
            if self.self_id and (self.started or not self.wait_for_start):
                await stream.send_message(pb.EventResponse(
                    type=EV["login"], payload=json.dumps({"contactId": self.self_id})))  # type: ignore[arg-type]
                await stream.send_message(pb.EventResponse(type=EV["ready"], payload='{"data":"ready"}'))  # type: ignore[arg-type]
            for ev in self._recent[-self.redeliver:] if self.redeliver else []:
                await stream.send_message(ev)
            while True:
                ev = self._unsent.pop(0) if self._unsent else await self._queue.get()
                if ev is None:
                    return
                if ev == "drop":
                    raise GRPCError(Status.UNAVAILABLE, "stream dropped")
                try:
                    await stream.send_message(ev)
                except BaseException:
                    self._unsent.insert(0, ev)  # the client went away: keep it for the next
                    raise
        finally:
            self._stream_open = False

    async def _stop_rpc(self, stream: Any) -> None:
        await stream.recv_message()
        if self._queue is not None:
            self._queue.put_nowait(None)
        await stream.send_message(pb.StopResponse())

    async def _start_rpc(self, stream: Any) -> None:
        await stream.recv_message()
        with self._cv:
            self.start_streams.append(self.streams_opened)
            self._cv.notify_all()
        if self.start_delay:
            await asyncio.sleep(self.start_delay)
        if self.start_error is not None:
            raise self.start_error
        if not self.started:
            self.started = True
            if self.wait_for_start and self.self_id:
                self.login(self.self_id, self.contacts.get(self.self_id, {}).get("name", "小桥"))
        await stream.send_message(pb.StartResponse())

    def wait_starts(self, n: int, timeout: float = 30) -> None:
        with self._cv:
            if not self._cv.wait_for(lambda: len(self.start_streams) >= n, timeout):
                raise TimeoutError(f"{len(self.start_streams)} Start calls, wanted {n}")

    async def _ding(self, stream: Any) -> None:
        req = await stream.recv_message()
        with self._cv:
            self.dings += 1
            self.ding_streams.append(self.streams_opened)
            self._cv.notify_all()
        if self.ding_hangs:
            await asyncio.sleep(3600)
        await stream.send_message(pb.DingResponse())
        if self._queue is not None:
            self._queue.put_nowait(pb.EventResponse(type=EV["dong"], payload=json.dumps({"data": req.data})))  # type: ignore[arg-type]

    def _contact(self, req: Any) -> pb.ContactPayloadResponse:
        c = self.contacts.get(req.id)
        if c is None:
            raise GRPCError(Status.NOT_FOUND, f"no contact {req.id}")
        return pb.ContactPayloadResponse(id=req.id, name=c["name"], weixin=c.get("weixin", ""))

    def _room(self, req: Any) -> pb.RoomPayloadResponse:
        r = self.rooms.get(req.id)
        if r is None:
            raise GRPCError(Status.NOT_FOUND, f"no room {req.id}")
        return pb.RoomPayloadResponse(id=req.id, topic=r.topic, member_ids=list(r.members))

    def _room_members(self, req: Any) -> pb.RoomMemberListResponse:
        r = self.rooms.get(req.id)
        return pb.RoomMemberListResponse(member_ids=list(r.members) if r else [])

    def _room_member(self, req: Any) -> pb.RoomMemberPayloadResponse:
        r = self.rooms.get(req.id)
        if r is None or req.member_id not in r.members:
            raise GRPCError(Status.NOT_FOUND, "no such member")
        return pb.RoomMemberPayloadResponse(id=req.member_id, name=r.members[req.member_id],
                                            room_alias=r.aliases.get(req.member_id, ""))

    def _message(self, req: Any) -> pb.MessagePayloadResponse:
        m = self.messages.get(req.id)
        if m is None:
            raise GRPCError(Status.NOT_FOUND, f"no message {req.id}")
        return m

    def _filebox(self, mid: str) -> str:
        """A message's file as a base64 FileBox in its JSON form (boxType 1), as gateways send it."""
        import base64  # noqa: PLC0415

        data = self.files.get(mid)
        if data is None:
            raise GRPCError(Status.NOT_FOUND, f"no file for message {mid}")
        name = self.messages[mid].filename or "file.bin"
        return json.dumps({"boxType": 1, "name": name, "metadata": {},
                           "base64": base64.b64encode(data).decode()})

    def _message_image(self, req: Any) -> pb.MessageImageResponse:
        return pb.MessageImageResponse(filebox=self._filebox(req.id))

    def _message_file(self, req: Any) -> pb.MessageFileResponse:
        return pb.MessageFileResponse(filebox=self._filebox(req.id))

    async def _take_send(self, conversation: str, text: str, mentions: list[str], kind: str) -> str:
        if self.send_delay:
            await asyncio.sleep(self.send_delay)
        if self.fail_sends:
            raise self.fail_sends.pop(0)
        mid = f"sent-{next(self._ids)}"
        with self._cv:
            self.sent.append(Sent(conversation, text, mentions, time.monotonic(), kind, mid))
            self._cv.notify_all()
        if self.echo_self and self.self_id:
            in_room = conversation in self.rooms
            self.messages[mid] = pb.MessagePayloadResponse(
                id=mid, text=text, timestamp=int(time.time() * 1000), type=WIRE[kind],  # type: ignore[arg-type]
                from_id=self.self_id, room_id=conversation if in_room else "",
                to_id="" if in_room else conversation)
            self.emit("message", {"messageId": mid})
        return mid

    async def _send_text(self, stream: Any) -> None:
        req = await stream.recv_message()
        mid = await self._take_send(req.conversation_id, req.text, list(req.mentonal_ids), "text")
        await stream.send_message(pb.MessageSendTextResponse(id=mid))

    async def _send_file(self, stream: Any) -> None:
        req = await stream.recv_message()
        name = json.loads(req.filebox).get("name", "")
        mid = await self._take_send(req.conversation_id, name, [], "attachment")
        await stream.send_message(pb.MessageSendFileResponse(id=mid))


def main(argv: list[str] | None = None) -> int:
    """Run the fake alone: a bot started separately connects to it."""
    ap = argparse.ArgumentParser(description="A fake Wechaty puppet service for trying daqiao.")
    ap.add_argument("--port", type=int, default=8788)
    ap.add_argument("--token", default=None)
    ap.add_argument("--room", default="共享员工群", help="topic of the one room")
    ap.add_argument("--script", type=Path, help="JSONL of {sender, text[, delay]} to play")
    ap.add_argument("--wait", type=float, default=2.0, help="seconds before the script starts")
    ap.add_argument("--log", type=Path, help="append what the bot sends here, as JSONL")
    args = ap.parse_args(argv)
    fake = FakePuppet(args.port, token=args.token).start()
    fake.add_room("room-1", args.room, {})
    fake.login("bot-self")
    print(f"fake puppet service on 127.0.0.1:{fake.port}", flush=True)
    written = 0
    try:
        if args.script:
            time.sleep(args.wait)
            for line in args.script.read_text(encoding="utf-8").splitlines():
                if not line.strip():
                    continue
                m = json.loads(line)
                sender = m["sender"]
                fake.rooms["room-1"].members.setdefault(sender, m.get("name", sender))
                fake.contacts.setdefault(sender, {"name": m.get("name", sender), "weixin": ""})
                fake.say("room-1", sender, m["text"])
                time.sleep(float(m.get("delay", 0.2)))
        while True:
            time.sleep(0.2)
            if args.log:
                with fake._cv:
                    new = fake.sent[written:]
                written += len(new)
                with args.log.open("a", encoding="utf-8") as f:
                    for s in new:
                        f.write(json.dumps(s.__dict__, ensure_ascii=False) + "\n")
    except KeyboardInterrupt:
        pass
    finally:
        fake.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
