"""The console transport: `NAME: TEXT` lines in, `[GROUP] 小桥: TEXT` lines out."""

from __future__ import annotations

import logging
import re
import sys
import uuid
from typing import IO

from bot.context import Clock
from bot.transports.base import Handle, with_mentions
from bot.types import InboundMessage, Reply

log = logging.getLogger(__name__)
# NAME: TEXT or NAME@GROUP: TEXT, the colon half- or full-width.
_LINE = re.compile(r"^\s*(?P<name>[^@:：]+?)(?:@(?P<group>[^:：]+?))?\s*[:：]\s?(?P<text>.*)$", re.S)


class ConsoleTransport:
    name = "console"
    can_direct = True

    def __init__(self, *, bot_name: str, default_group: str, clock: Clock,
                 stdin: IO[str] | None = None, stdout: IO[str] | None = None) -> None:
        self.bot_name, self.default_group, self.clock = bot_name, default_group, clock
        self.stdin = stdin or sys.stdin
        self.stdout = stdout or sys.stdout
        self._stop = False

    def parse_line(self, line: str) -> InboundMessage | None:
        m = _LINE.match(line.rstrip("\n"))
        if not m:
            return None
        name = m.group("name").strip()
        group = (m.group("group") or self.default_group).strip()
        text = m.group("text").replace("\\n", "\n")
        return InboundMessage(
            transport=self.name, message_id=uuid.uuid4().hex, chat_id=group, chat_name=group,
            sender_id=name, sender_name=name, text=text, time=self.clock.now(),
            is_group=True, mentions_bot=f"@{self.bot_name}" in text)

    def run(self, handle: Handle) -> None:
        for line in self.stdin:
            if self._stop:
                break
            if not line.strip():
                continue
            msg = self.parse_line(line)
            if msg is None:
                log.warning("console: cannot read %r; type NAME: TEXT or NAME@GROUP: TEXT", line[:80])
                continue
            handle(msg)
            if self._stop:
                break

    def send(self, reply: Reply) -> None:
        where = reply.group_name if reply.group is not None else f"私信 {reply.to}"
        self.stdout.write(f"[{where}] {self.bot_name}: {with_mentions(reply)}\n")
        self.stdout.flush()

    def stop(self) -> None:
        self._stop = True
