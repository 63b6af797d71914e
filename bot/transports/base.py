"""The transport interface every adapter implements (console, replay, memory, WeChat)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, Protocol

from bot.types import InboundMessage, Reply

_log = logging.getLogger(__name__)

Handle = Callable[[InboundMessage], None]


class SendLater(Exception):
    """Not sent now (paced, backing off, not connected); the outbox keeps it for later."""


class UnknownChat(Exception):
    """The reply's group or person can't be found by the transport; retrying won't help."""


class Transport(Protocol):
    """Turns the outside world into InboundMessages and sends Replies. Composed, not inherited."""

    name: str
    can_direct: bool  # whether it can send a message to one person

    def run(self, handle: Handle) -> None:
        """Deliver every inbound message to `handle` until the input ends or stop() is called."""

    def send(self, reply: Reply) -> str | None:
        """Send one reply. Raise on failure: the outbox keeps it and tries again.

        Returns the id the far end gave the message, where it gives one (kept on the outbox
        row, so the gateway's echo of it is recognised later), else None.
        """

    def stop(self) -> None:
        """Ask run() to return after the message in hand."""


def with_mentions(reply: Reply) -> str:
    """The text as a plain-text client shows it: '@name ' before the body for each mention,
    and the attachment's file name after it."""
    text = reply.text
    if reply.file:
        text += f"\n[附件] {Path(reply.file).name}"
    names = [n for n in reply.mention_names if n]
    if not names or reply.group is None:
        return text
    return " ".join(f"@{n}" for n in names) + " " + text


class InboxWorker:
    """The receiving side the gateways share: messages from the connection's queue are handed
    to the bot one at a time on the worker thread, `on_idle` runs there every second the
    queue is empty, and one failure is logged without stopping the bot. A gateway sets
    `on_idle` and counts `_backlog` up as it queues a message."""

    on_idle: Callable[[], None] | None
    _backlog: int

    async def _process(self, inbox: asyncio.Queue[InboundMessage], handle: Handle,
                       worker: ThreadPoolExecutor) -> None:
        loop = asyncio.get_running_loop()
        while True:
            try:
                msg = await asyncio.wait_for(inbox.get(), 1.0)
            except TimeoutError:
                if self.on_idle is not None:
                    await loop.run_in_executor(worker, self._safe, self.on_idle)
                continue
            try:
                await loop.run_in_executor(worker, self._safe, handle, msg)
            finally:
                self._backlog -= 1

    @staticmethod
    def _safe(fn: Callable[..., None], *args: Any) -> None:
        try:
            fn(*args)
        except Exception:  # noqa: BLE001 - one bad message must not stop the bot
            _log.exception("the bot failed on %r", args[:1])
