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
    # Our ids of the people the message @-mentions, the bot aside, where the transport says
    # who they are (a mention's text is only a display name, which anyone can take).
    mentions: tuple[str, ...] = ()
    raw: Mapping[str, Any] | None = field(default=None, compare=False)


AUDIENCES = ("all", "cadres", "person")


@dataclass(frozen=True, slots=True)
class Reply:
    """Something the bot says: to a group or to one person, in our own stable ids.

    `group` is our group id (storage's Group.id) and `to` / `mentions` our person ids; only
    the transport maps them to a gateway's ids. `audience` says who may read it: "all"
    (whoever is where it goes), "cadres" (cadre material: exports, audit lines, request
    details) or "person" (the addressee's own record). The outbox's privacy screen decides
    from it where a reply may really go (bot/privacy.py).
    """

    text: str
    group: int | None = None  # our group id; None with `to` for a direct message
    to: str | None = None  # our person id of a direct message's recipient
    mentions: tuple[str, ...] = ()
    file: str | None = None
    reply_to: str | None = None  # the inbound message id this answers
    time: datetime | None = None  # when it was due (for replay output)
    audience: str = "all"
    # What the message is about, for the outbox: a key is queued once, ever. Scheduled work
    # names its messages (digest:GROUP:DAY, overdue:R:DEADLINE), so a job that runs twice
    # for the same time cannot send a message twice, nor lose one to another's key.
    key: str | None = None
    # Display labels the outbox adds at send time, for transports that show text only.
    group_name: str | None = None
    mention_names: tuple[str, ...] = ()
