"""The one explicit object handlers receive besides the message."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from bot.config import Config
from bot.router import Registry
from bot.types import InboundMessage, Reply
from parsers import Parsed, Parser
from storage import Repository
from storage.models import Group, Member
from storage.repository import Archived


class Clock(Protocol):
    def now(self) -> datetime: ...


@dataclass
class Ctx:
    """Repository, config, clock and log, plus what the dispatcher learned of this message."""

    repo: Repository
    config: Config
    clock: Clock
    parser: Parser
    log: logging.Logger
    msg: InboundMessage
    group: Group | None
    member: Member
    row: Archived
    parsed: Parsed | None = None
    args: str = ""  # command arguments, normalised (half-width): for numbers and keywords
    raw_args: str = ""  # the same as typed: for free text the bot repeats or stores
    command: str = ""
    ref: int | None = None  # the posting or request a command names (Command.target)
    rest: str = ""  # the arguments after that reference, normalised
    raw_rest: str = ""  # the same as typed
    can_direct: bool = True  # whether the transport can message one person privately
    registry: Registry | None = None  # the commands, for #帮助

    def now(self) -> datetime:
        return self.clock.now()

    def local(self, when: datetime) -> datetime:
        return when.astimezone(self.config.tz)

    def say(self, text: str, *, mentions: tuple[str, ...] = (), audience: str = "all") -> Reply:
        """A reply where the message came from: its group, or the sender for a direct message.

        `audience` other than "all" marks cadre material or the sender's own record: the
        privacy screen may then send it to the sender privately (see bot/privacy.py).
        """
        if self.group is None:
            return Reply(text=text, to=self.msg.sender_id, reply_to=self.msg.message_id)
        return Reply(text=text, group=self.group.id, mentions=mentions,
                     to=self.msg.sender_id if audience != "all" else None, audience=audience,
                     reply_to=self.msg.message_id)

    def dm(self, to: str, text: str) -> Reply:
        """A direct message to one person."""
        return Reply(text=text, to=to, reply_to=self.msg.message_id)
