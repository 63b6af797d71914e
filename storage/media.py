"""Hazard photos (随手拍): the media a transport stored, and the rewards cadres give for them.

The monthly reward ledger is computed here, once (`reward_ledger`): `#奖励台账`, the xlsx
ledger (scheduler.reports.reward_sheets) and the reports all read it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlmodel import col, select

from storage.base import StoreBase
from storage.models import Media, Request, Reward


@dataclass
class LedgerLine:
    """One person's rewards in a period: the total and each item (R-number, yuan, place, when)."""

    person_id: str
    name: str
    total: int = 0
    items: list[tuple[int, int, str | None, datetime]] = field(default_factory=list)


class HazardStore(StoreBase):
    """Verbs on stored media and on rewards."""

    def add_media(self, *, message_id: int, person_id: str, group_id: int | None, kind: str,
                  status: str, path: str | None, size: int, content_type: str,
                  now: datetime) -> Media:
        m = Media(message_id=message_id, person_id=person_id, group_id=group_id, kind=kind,
                  status=status, path=path, bytes=size, content_type=content_type, time=now)
        self._add(m)
        return m

    def media_of_messages(self, message_ids: Sequence[int]) -> list[Media]:
        """The media rows of archived messages, in the order of the ids."""
        if not message_ids:
            return []
        rows = self.s.exec(select(Media).where(col(Media.message_id).in_(list(message_ids)))).all()
        order = {mid: i for i, mid in enumerate(message_ids)}
        return sorted(rows, key=lambda m: (order.get(m.message_id, 0), m.id or 0))

    def unattached_media(self, person_id: str, group_id: int | None, since: datetime,
                         kind: str = "image") -> list[Media]:
        """A person's photos in one chat (a group, or None: privately) since `since` that
        belong to no request yet, oldest first."""
        q = select(Media).where(Media.person_id == person_id, Media.kind == kind,
                                col(Media.request_id).is_(None), Media.time >= since)
        q = q.where(col(Media.group_id).is_(None) if group_id is None
                    else Media.group_id == group_id)
        return list(self.s.exec(q.order_by(col(Media.id))).all())

    def attach_media_to(self, media: Sequence[Media], request_id: int) -> None:
        for m in media:
            m.request_id = request_id
            self.s.add(m)

    def reward(self, request_id: int) -> Reward | None:
        return self.s.exec(select(Reward).where(Reward.request_id == request_id)).first()

    def set_reward(self, req: Request, amount: int, *, actor_id: str, now: datetime) -> Reward:
        """Record the reward for a request, or replace its amount (the month stays where the
        reward was first given)."""
        r = self.reward(req.id or 0)
        if r is None:
            r = Reward(request_id=req.id or 0, person_id=req.requester_id,
                       person_name=req.requester_name, amount=amount, place=req.location,
                       actor_id=actor_id, created_at=now, updated_at=now)
            self._add(r)
        else:
            r.amount, r.actor_id, r.updated_at = amount, actor_id, now
            self.s.add(r)
        return r

    def reward_ledger(self, start: datetime, end: datetime) -> list[LedgerLine]:
        """The reward ledger of [start, end): per person, the total and the items, the
        largest total first (then by name)."""
        rows = self.s.exec(select(Reward).where(Reward.created_at >= start,
                                                Reward.created_at < end)
                           .order_by(col(Reward.created_at), col(Reward.id))).all()
        people: dict[str, LedgerLine] = {}
        for r in rows:
            line = people.setdefault(r.person_id, LedgerLine(r.person_id,
                                                             r.person_name or r.person_id))
            line.total += r.amount
            line.items.append((r.request_id, r.amount, r.place, r.created_at))
        return sorted(people.values(), key=lambda x: (-x.total, x.name))
