"""The outbox: what the bot says is screened, stored, then sent, in that order.

`put` is the only way a reply enters the outbox table: it passes every reply through the
privacy screen (bot/privacy.py) and writes it in the caller's transaction, so a message's
work and its replies commit together. `flush` sends what is due through the transport and
marks each row as soon as the transport took it; a row left in doubt by a crash waits for
the transport's word (the gateway's echo, see Outbox.attempted_at); a row the transport can
never deliver is given up loudly, with a note to the cadre group.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import replace
from datetime import datetime

from bot import replies
from bot.context import Clock
from bot.privacy import Privacy
from bot.transports.base import SendLater, Transport, UnknownChat
from bot.types import Reply
from storage import Repository
from storage.models import Outbox as OutboxRow

log = logging.getLogger(__name__)


class Outbox:
    """Screens and stores replies (`put`), and sends stored ones (`flush`)."""

    def __init__(self, repo: Repository, transport: Transport, clock: Clock, privacy: Privacy,
                 *, display_name: Callable[[str], str]) -> None:
        self.repo, self.transport, self.clock, self.privacy = repo, transport, clock, privacy
        self.display_name = display_name
        # True when the table may hold rows other than the ones a dispatch just wrote:
        # at start (a crash may have left some), after a failed send, after scheduled work.
        self.backlog = True
        self.held_until: datetime | None = None  # the earliest reply held for later
        self.sent = 0  # replies the transport took, this run

    # -- in -------------------------------------------------------------------------------
    def put(self, out: Iterable[Reply], *, key: str, now: datetime,
            silent_group: int | None = None) -> list[OutboxRow]:
        """Screen and store replies, due at `now` (or their own time), in the caller's
        transaction. A reply is stored under its own key, else the i-th under `key:i`; a key
        already queued is not queued again. Screened replies bound for `silent_group` (a
        paused group) are dropped: the work is recorded, the group hears nothing.
        """
        rows = []
        screened = [(reply.key or f"{key}:{i}", j, r) for i, reply in enumerate(out)
                    for j, r in enumerate(self.privacy.screen(reply))]
        for base, j, r in _one_note_per_group(screened):
            if silent_group is not None and r.group == silent_group:
                continue
            row = self.repo.enqueue(
                key=base if j == 0 else f"{base}.{j}", group_id=r.group, to_id=r.to,
                text=r.text, mentions="\n".join(r.mentions), file=r.file,
                reply_to=r.reply_to, due=r.time or now, created_at=now)
            if row is not None:
                rows.append(row)
        return rows

    # -- out ------------------------------------------------------------------------------
    def flush(self, just_queued: list[OutboxRow] | None = None) -> int:
        """Send queued replies that are due; a failed send stays queued for the next flush.

        Each row is marked sent as soon as the transport took it, and committed at once, so a
        crash after a send repeats at most that one reply. With `just_queued` and no other
        backlog, only those rows are sent (no outbox query per message).
        """
        sent = 0
        now = self.clock.now()
        if self.held_until is not None and now >= self.held_until:
            self.backlog, self.held_until = True, None  # a held reply is due: look it up
        if just_queued is not None and not self.backlog:
            # A reply held for later (a routine alert filed at night) waits for its time.
            rows = [r for r in just_queued if r.due <= now]
            for r in just_queued:
                if r.due > now and (self.held_until is None or r.due < self.held_until):
                    self.held_until = r.due
        else:
            rows = list(self.repo.pending(until=now))
            self.backlog = False
            later = self.repo.next_due(after=now)
            self.held_until = later
        # A transport that can't be asked afterwards whether a send went through gets each
        # reply marked as attempted first; one attempted but unmarked after a crash waits
        # until the transport has had the chance to see its echo (see Outbox.attempted_at).
        doubtful_ok = getattr(self.transport, "ready_for_doubtful", None)
        for row in rows:
            if doubtful_ok is not None and row.attempted_at is not None and not doubtful_ok():
                self.backlog = True
                continue
            reply = self._reply(row)
            if doubtful_ok is not None and row.attempted_at is None:
                self.repo.mark_attempted(row, now=self.clock.now())
            try:
                gateway_id = self.transport.send(reply)
            except SendLater as e:  # paced or backing off: not an error, the outbox waits
                log.info("outbox row %s waits: %s", row.id, e)
                self.backlog = True
                break
            except UnknownChat as e:  # retrying can't help: give up loudly, not silently
                log.error("outbox row %s can't be delivered: %s", row.id, e)
                self.repo.mark_failed(row, str(e), now=self.clock.now())
                self._undeliverable(row, reply)
                continue
            except Exception:  # noqa: BLE001 - the outbox keeps it; the next flush retries
                log.exception("send failed for outbox row %s; kept for retry", row.id)
                self.backlog = True
                break
            self.repo.mark_sent(row, now=self.clock.now(),
                                gateway_id=gateway_id if isinstance(gateway_id, str) else None)
            sent += 1
        self.sent += sent
        return sent

    def _reply(self, row: OutboxRow) -> Reply:
        """The stored reply as the transport takes it: our ids, plus display labels."""
        group = self.repo.group(row.group_id) if row.group_id is not None else None
        ids = tuple(x for x in row.mentions.split("\n") if x)
        names = tuple(self.display_name(i) for i in ids)
        if row.group_id is not None:  # an @name is group text too: the screen masks it
            names = tuple(self.privacy.mask(n) for n in names)
        return Reply(text=row.text, group=row.group_id, to=row.to_id, mentions=ids,
                     file=row.file, reply_to=row.reply_to, time=row.due,
                     group_name=group.name if group is not None else None,
                     mention_names=names)

    def _undeliverable(self, row: OutboxRow, reply: Reply) -> None:
        cadre_group = self.repo.cadre_group()
        if cadre_group is None or row.group_id == cadre_group.id:
            return  # nowhere better to say it: the log line above is all there is
        now = self.clock.now()
        where = reply.group_name if row.group_id is not None else (row.to_id or "?")
        note = Reply(text=replies.undeliverable(where or "?", row.text,
                                                is_group=row.group_id is not None),
                     group=cadre_group.id, key=f"undeliverable:{row.id}")
        self.put([note], key=f"undeliverable:{row.id}", now=now)
        self.repo.commit()
        self.backlog = True


def _one_note_per_group(screened: list[tuple[str, int, Reply]]) -> list[tuple[str, int, Reply]]:
    """One "内容已私信发给你" per group and due time for a batch of replies: notices sent
    privately to several people (the claimants of a changed posting) are announced in one
    line naming them all, after the last of the private messages, not one line each."""
    note = replies.sent_privately()
    batches: dict[tuple[int | None, datetime | None], list[int]] = {}
    for n, (_, _, r) in enumerate(screened):
        if r.text == note and r.group is not None and r.to is None:
            batches.setdefault((r.group, r.time), []).append(n)
    drop: set[int] = set()
    merged: dict[int, Reply] = {}
    for places in batches.values():
        if len(places) < 2:
            continue
        who = dict.fromkeys(m for n in places for m in screened[n][2].mentions)
        drop |= set(places[:-1])
        merged[places[-1]] = replace(screened[places[-1]][2], mentions=tuple(who))
    return [(base, j, merged.get(n, r)) for n, (base, j, r) in enumerate(screened)
            if n not in drop]

