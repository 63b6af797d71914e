"""The archive of inbound messages: every message is stored raw, once, before it is handled."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func
from sqlmodel import select

from storage.base import Statement, StoreBase
from storage.models import Message


@dataclass(slots=True)
class Archived:
    """A message just archived: its id and where it stands (a full ORM row costs more to build
    than the insert takes, and this is made for every message)."""

    id: int
    group_id: int | None
    status: str = "new"
    error: str | None = None


_MESSAGES = Message.__table__
_ARCHIVE_DEFAULTS = {"group_id": None, "sender_name": "", "type": "text", "text": None,
                     "is_group": True, "raw": None, "parse": None, "status": "new",
                     "error": None}
_ARCHIVE = Statement("archive", lambda ins: (
    ins(_MESSAGES).on_conflict_do_nothing(index_elements=["transport", "message_id"])
    .returning(_MESSAGES.c.id),
    ["transport", "message_id", "sender_id", "time", *_ARCHIVE_DEFAULTS]))


class MessageStore(StoreBase):
    """Verbs on the message archive."""

    def seen(self, transport: str, message_id: str) -> Message | None:
        return self.s.exec(select(Message).where(
            Message.transport == transport, Message.message_id == message_id)).first()

    def archive(self, *, parse: dict | None = None, **fields: Any) -> Archived | None:
        """Store a raw message, with how it was handled; None when this message id was archived
        before.

        One statement does the duplicate check and the insert (ON CONFLICT DO NOTHING), so
        two processes sharing a database cannot both take the same message: the second waits
        for the first one's transaction and then finds the id taken. The caller commits the
        row together with the work the message caused, so a crash leaves neither (and a
        re-delivered message is then processed afresh) rather than an archived message whose
        work was lost. The row returned is detached: it carries the id.
        """
        values = {**_ARCHIVE_DEFAULTS, **fields,
                  "parse": json.dumps(parse, ensure_ascii=False, default=str) if parse else None}
        row = self._run(_ARCHIVE, values).fetchone()
        if row is None:
            return None
        return Archived(id=row[0], group_id=values["group_id"], status=values["status"],
                        error=values["error"])

    def last_message_time(self) -> datetime | None:
        return self.s.exec(select(func.max(Message.time))).one()
