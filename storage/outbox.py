"""The outbox: every reply is queued here first, then marked as the sender gets it out."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import bindparam, update
from sqlmodel import col, select

from storage.base import Statement, StoreBase
from storage.models import Outbox


@dataclass(slots=True)
class Queued:
    """A reply just written to the outbox, as the sender reads it (an Outbox row's fields
    without the cost of building an ORM object for every reply)."""

    id: int
    key: str
    text: str
    due: datetime
    created_at: datetime
    group_id: int | None = None
    to_id: str | None = None
    mentions: str = ""
    file: str | None = None
    reply_to: str | None = None
    sent_at: datetime | None = None
    attempted_at: datetime | None = None
    failed_at: datetime | None = None
    error: str | None = None
    gateway_id: str | None = None


_OUTBOX = Outbox.__table__
_OUTBOX_DEFAULTS = {"group_id": None, "to_id": None, "mentions": "", "file": None,
                    "reply_to": None, "sent_at": None, "attempted_at": None, "failed_at": None,
                    "error": None, "gateway_id": None}
_BY_ROW_ID = _OUTBOX.c.id == bindparam("row_id")
_ENQUEUE = Statement("enqueue", lambda ins: (
    ins(_OUTBOX).on_conflict_do_nothing(index_elements=["key"]).returning(_OUTBOX.c.id),
    ["key", "text", "due", "created_at", *_OUTBOX_DEFAULTS]))
_SENT = Statement("sent", lambda ins: (
    update(_OUTBOX).where(_BY_ROW_ID), ["sent_at", "gateway_id"]))
_ATTEMPTED = Statement("attempted", lambda ins: (
    update(_OUTBOX).where(_BY_ROW_ID), ["attempted_at"]))
_FAILED = Statement("failed", lambda ins: (
    update(_OUTBOX).where(_BY_ROW_ID), ["failed_at", "error"]))


class OutboxStore(StoreBase):
    """Verbs on the outbox. Each mark is committed at once: a crash repeats at most one reply."""

    def enqueue(self, **fields: Any) -> Outbox | None:
        """Queue a reply unless one with the same key was queued before.

        One statement (ON CONFLICT DO NOTHING on the key); the row returned is detached and
        carries what the sender needs.
        """
        values = {**_OUTBOX_DEFAULTS, **fields}
        row = self._run(_ENQUEUE, values).fetchone()
        if row is None:
            return None
        return Queued(id=row[0], **values)  # type: ignore[return-value]

    def pending(self, *, until: datetime | None = None, limit: int = 100) -> Sequence[Outbox]:
        q = select(Outbox).where(col(Outbox.sent_at).is_(None), col(Outbox.failed_at).is_(None))
        if until is not None:
            q = q.where(Outbox.due <= until)
        return self.s.exec(q.order_by(Outbox.due, Outbox.id).limit(limit)).all()

    def next_due(self, *, after: datetime) -> datetime | None:
        """The due time of the earliest unsent reply held until after `after`."""
        return self.s.exec(select(Outbox.due).where(
            col(Outbox.sent_at).is_(None), col(Outbox.failed_at).is_(None), Outbox.due > after)
            .order_by(Outbox.due).limit(1)).first()

    def mark_attempted(self, row: Outbox, *, now: datetime) -> None:
        """Record, and commit, that this reply is about to go out (see Outbox.attempted_at)."""
        self._mark(_ATTEMPTED, {"row_id": row.id, "attempted_at": now})
        self._marked(row, attempted_at=now)

    def mark_failed(self, row: Outbox, error: str, *, now: datetime) -> None:
        """Give up on a reply that can never go out (its group is gone), and say why."""
        self._mark(_FAILED, {"row_id": row.id, "failed_at": now, "error": error[:256]})
        self._marked(row, failed_at=now)

    def settle_in_doubt(self, group_id: int | None, to_id: str | None, text: str, *,
                        echo_id: str | None = None, sent: datetime,
                        now: datetime) -> Outbox | None:
        """The gateway echoed a message the bot sent: mark the in-doubt reply it was, if any.

        An in-doubt reply was attempted and not marked sent (the process died in between).
        The echo's text is the reply as sent, so it ends with the row's text (a mention may
        come before it) or is a part of it (a long text goes out in pieces). Only an echo
        sent after the attempt counts (`sent`, the gateway's time, with a second of clock
        skew allowed): a re-delivered echo of an earlier reply with the same words must not
        settle a later one that never went out; nor may the echo of a reply whose send was
        confirmed (its gateway id, `echo_id`, is on that row).
        """
        if echo_id and self.s.exec(select(Outbox.id).where(Outbox.gateway_id == echo_id)).first():
            return None
        q = select(Outbox).where(col(Outbox.sent_at).is_(None),
                                 col(Outbox.attempted_at).is_not(None),
                                 col(Outbox.attempted_at) <= sent + timedelta(seconds=1))
        q = q.where(Outbox.group_id == group_id) if group_id is not None else q.where(
            Outbox.to_id == to_id)
        for row in self.s.exec(q.order_by(Outbox.id)).all():
            if text and (text.endswith(row.text) or text in row.text):
                self.mark_sent(row, now=now)
                return row
        return None

    def mark_sent(self, row: Outbox, *, now: datetime, gateway_id: str | None = None) -> None:
        """Mark one reply sent and commit at once: a crash repeats at most this reply."""
        self._mark(_SENT, {"row_id": row.id, "sent_at": now, "gateway_id": gateway_id})
        self._marked(row, sent_at=now)
