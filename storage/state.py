"""Bookkeeping: the audit log, key/value state, the digest log, and generic counts and lists."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import func
from sqlmodel import col, select

from storage.base import StoreBase
from storage.models import AuditLog, DigestLog, State


class StateStore(StoreBase):
    """Verbs on the audit log, the state table and the digest log; `count` and `all`."""

    # -- audit ------------------------------------------------------------------------------
    def audit(self, *, actor_id: str, action: str, now: datetime, group_id: int | None = None,
              target: str | None = None, before: Any = None, after: Any = None,
              allowed: bool = True) -> AuditLog:
        def dump(v: Any) -> str | None:
            return None if v is None else json.dumps(v, ensure_ascii=False, default=str)

        row = AuditLog(time=now, actor_id=actor_id, group_id=group_id, action=action,
                       target=target, before=dump(before), after=dump(after), allowed=allowed)
        self._add(row)
        return row

    def audit_log(self, limit: int = 20) -> Sequence[AuditLog]:
        return self.s.exec(select(AuditLog).order_by(col(AuditLog.id).desc()).limit(limit)).all()

    def audit_after(self, after_id: int, action: str) -> Sequence[AuditLog]:
        """Audit rows of `action` newer than row `after_id`, oldest first."""
        return self.s.exec(select(AuditLog).where(col(AuditLog.id) > after_id,
                                                  AuditLog.action == action)
                           .order_by(col(AuditLog.id))).all()

    # -- state and digests ------------------------------------------------------------------
    def get_state(self, key: str) -> str | None:
        row = self.s.get(State, key)
        return row.value if row else None

    def set_state(self, key: str, value: str) -> None:
        row = self.s.get(State, key)
        if row is None:
            self.s.add(State(key=key, value=value))
        elif row.value != value:
            row.value = value
            self.s.add(row)

    def digest_sent(self, group_id: int, kind: str, day: date) -> bool:
        return self.s.exec(select(DigestLog).where(DigestLog.group_id == group_id,
                                                   DigestLog.kind == kind,
                                                   DigestLog.day == day)).first() is not None

    def record_digest(self, group_id: int, kind: str, day: date, *, now: datetime) -> None:
        self.s.add(DigestLog(group_id=group_id, kind=kind, day=day, sent_at=now))
        self.s.flush()

    def last_digest_day(self, group_id: int, kind: str = "daily") -> date | None:
        return self.s.exec(select(func.max(DigestLog.day)).where(
            DigestLog.group_id == group_id, DigestLog.kind == kind)).one()

    def count(self, model: type, **where: Any) -> int:
        q = select(func.count()).select_from(model)
        for k, v in where.items():
            q = q.where(getattr(model, k) == v)
        return int(self.s.exec(q).one())

    def all(self, model: type, order: Iterable[Any] = ()) -> Sequence[Any]:
        return self.s.exec(select(model).order_by(*(order or [model.id]))).all()
