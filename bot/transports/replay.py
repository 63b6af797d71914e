"""The replay transport: recorded messages from JSONL, replies as JSON lines (cli.md).

A photo or file is a line of its type with the file's path, relative to the input file's
folder (or absolute): {"id": "m7", "time": "...", "group": "...", "sender": "...",
"type": "image", "path": "photos/x.png"}, optionally with a "caption" said with it. The file is
copied under the data folder (`media`, a bot.transports.media.MediaStore) before the
message is handled.
"""

from __future__ import annotations

import codecs
import json
import logging
import sys
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any
from zoneinfo import ZoneInfo

from bot.transports.base import Handle, with_mentions
from bot.types import MESSAGE_TYPES, InboundMessage, Reply

log = logging.getLogger(__name__)


# The times a recorded message may bear. WeChat dates from 2011: a time outside these years is
# a broken export, not history. Let through, it would become the clock (a replay's clock follows
# its messages and the next replay starts where it stood), and on the simulated clock a jump
# from year 1 runs through two thousand years of scheduled work, one day at a time; a year-9999
# time with a negative offset cannot even be told in UTC.
EARLIEST = datetime(2000, 1, 1, tzinfo=UTC)
LATEST = datetime(2100, 1, 1, tzinfo=UTC)


class ReplayError(ValueError):
    """A replay line that cannot be used; it is reported and skipped."""


def to_message(item: object, tz: ZoneInfo) -> InboundMessage:
    """One replay line (already JSON-decoded) as an InboundMessage."""
    if not isinstance(item, dict):
        raise ReplayError("not a JSON object")
    mid = item.get("id")
    if mid is None or str(mid).strip() == "":
        raise ReplayError("no id")
    try:
        when = datetime.fromisoformat(str(item["time"]))
    except (KeyError, ValueError) as e:
        raise ReplayError(f"bad or missing time: {item.get('time')!r}") from e
    if when.tzinfo is None:
        when = when.replace(tzinfo=tz)
    try:
        in_range = EARLIEST <= when.astimezone(UTC) < LATEST
    except (OverflowError, ValueError):  # beyond the calendar once its offset is applied
        in_range = False
    if not in_range:
        raise ReplayError(f"time out of range ({EARLIEST.year}-{LATEST.year - 1}): "
                          f"{item['time']!r}")
    sender = item.get("sender")
    sender_id = item.get("sender_id") or sender
    if not sender_id:
        raise ReplayError("no sender")
    mtype = str(item.get("type") or "text")
    if mtype not in MESSAGE_TYPES:
        log.warning("message %s: unknown type %r, archived as it is", mid, mtype)
    text = item.get("text")
    if text is not None and not isinstance(text, str):
        raise ReplayError("text is not a string")
    group = item.get("group")
    if group is not None and not isinstance(group, str):
        group = str(group)  # a group named by a number, as an id or a sender may be
    mentions = item.get("mentions") or []
    if not isinstance(mentions, list) or not all(isinstance(x, str) for x in mentions):
        raise ReplayError("mentions is not a list of sender ids")
    return InboundMessage(
        transport="replay", message_id=str(mid), chat_id=group, chat_name=group,
        sender_id=str(sender_id), sender_name=str(sender or sender_id), text=text, time=when,
        type=mtype, is_group=group is not None, mentions=tuple(mentions), raw=item)


class ReplayTransport:
    name = "replay"
    can_direct = True
    media: Any = None  # a MediaStore: files named in the input are kept (issue 28)

    def __init__(self, source: IO[bytes], *, tz: ZoneInfo, stdout: IO[str] | None = None) -> None:
        self.source, self.tz = source, tz
        self.stdout = stdout or sys.stdout
        self.bad_lines = 0
        self._stop = False
        # Paths in the input are relative to the input file's folder (standard input: here).
        name = getattr(source, "name", None)
        self.base = Path(name).parent if isinstance(name, str) and name != "<stdin>" else Path()

    def run(self, handle: Handle) -> None:
        """Each line in order to `handle`; a line that cannot be read loses only itself.

        Reading a line has no side effects, so whatever fails in it (bad bytes, bad JSON,
        JSON nested past the recursion limit, a missing or impossible field) makes it a bad
        line, reported and skipped, and the replay goes on with the next.
        """
        for n, raw in enumerate(self.source, 1):
            if self._stop:
                break
            if n == 1:  # a file saved by a Windows editor starts with a byte-order mark
                raw = raw.removeprefix(codecs.BOM_UTF8)
            if not raw.strip():
                continue
            try:
                msg = to_message(json.loads(raw.decode("utf-8")), self.tz)
            except UnicodeDecodeError:
                self._bad(n, "not UTF-8")
                continue
            except json.JSONDecodeError as e:
                self._bad(n, f"not JSON ({e.msg})")
                continue
            except ReplayError as e:
                self._bad(n, str(e))
                continue
            except RecursionError:
                self._bad(n, "JSON nested too deeply")
                continue
            except Exception as e:  # noqa: BLE001 - see above: the line is bad, not the replay
                self._bad(n, f"unreadable ({type(e).__name__}: {e})")
                continue
            handle(self._with_media(msg))

    def _with_media(self, msg: InboundMessage) -> InboundMessage:
        """A photo or file line with a path: the file kept, the outcome in raw["media"]."""
        raw = msg.raw or {}
        path = raw.get("path")
        if self.media is None or msg.type == "text" or not isinstance(path, str) or not path:
            return msg
        got = self.media.copy(msg.message_id, self.base / path)
        return replace(msg, raw={**raw, "media": got})

    def _bad(self, n: int, why: str) -> None:
        self.bad_lines += 1
        log.warning("replay line %d skipped: %s", n, why)

    def send(self, reply: Reply) -> None:
        when = reply.time.astimezone(self.tz).isoformat() if reply.time else None
        line = {"time": when, "group": reply.group_name,
                "to": reply.to if reply.group is None else None,
                "text": with_mentions(reply), "reply_to": reply.reply_to}
        self.stdout.write(json.dumps(line, ensure_ascii=False) + "\n")
        self.stdout.flush()

    def stop(self) -> None:
        self._stop = True
