"""An in-memory transport for tests: feed messages in, read replies out."""

from __future__ import annotations

from bot.transports.base import Handle
from bot.types import InboundMessage, Reply


class MemoryTransport:
    name = "memory"

    def __init__(self, *, can_direct: bool = True, fail_sends: int = 0) -> None:
        self.can_direct = can_direct
        self.inbox: list[InboundMessage] = []
        self.sent: list[Reply] = []
        self.fail_sends = fail_sends  # the next N sends raise, as a flaky gateway would
        self._stop = False

    def run(self, handle: Handle) -> None:
        while self.inbox and not self._stop:
            handle(self.inbox.pop(0))

    def send(self, reply: Reply) -> None:
        if self.fail_sends > 0:
            self.fail_sends -= 1
            raise ConnectionError("memory transport: simulated send failure")
        self.sent.append(reply)

    def stop(self) -> None:
        self._stop = True
