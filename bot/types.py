"""Small frozen message types shared by transports, the dispatcher and handlers."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

MESSAGE_TYPES = ("text", "image", "voice", "file", "link", "system", "video", "emoticon")


@dataclass(frozen=True, slots=True)
class InboundMessage:
    """One message as any transport delivers it, in transport-neutral terms."""

    transport: str
    message_id: str
    chat_id: str | None  # the transport's room id (or group name); None for a direct message
    chat_name: str | None
    sender_id: str
    sender_name: str
    text: str | None
    time: datetime  # aware
    type: str = "text"
    is_group: bool = True
    mentions_bot: bool = False
    is_from_self: bool = False
    quote: str | None = None
    raw: Mapping[str, Any] | None = field(default=None, compare=False)


@dataclass(frozen=True, slots=True)
class Reply:
    """Something the bot says: to a group (chat) or to one person (to)."""

    text: str
    chat: str | None = None  # group name; None with `to` for a direct message
    to: str | None = None  # sender id of a direct message's recipient
    mentions: tuple[str, ...] = ()
    file: str | None = None
    reply_to: str | None = None  # the inbound message id this answers
    time: datetime | None = None  # when it was due (for replay output)
    chat_id: str | None = None  # the transport's room id where known
    mention_names: tuple[str, ...] = ()  # display names of `mentions`, for text transports
