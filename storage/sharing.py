"""Sharing between member units (共享+): needs and offers of a resource (S-numbers), the
confirmations of who provides what, and the count of firm-to-firm pairings (企业结对)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlmodel import col, select

from storage.base import StoreBase
from storage.models import Allocation, Posting, Share, ShareConfirmation

# A labour offer in a unit's voice (我们厂有5个人闲着, 本公司富余员工): its people placed on a
# firm's job post make a firm-to-firm pairing.
UNIT_WORDS = re.compile(r"厂|公司|企业|单位|车间|基地|集团|工地|酒店|门店|我司|本司")


class ShareStore(StoreBase):
    """Verbs on shares and their confirmations."""

    def add_share(self, *, now: datetime, **fields: Any) -> Share:
        s = Share(created_at=now, updated_at=now, **fields)
        self._add(s)
        return s

    def share(self, number: int) -> Share | None:
        return self.s.get(Share, number)

    def save_share(self, share: Share, *, now: datetime) -> None:
        share.updated_at = now
        self.s.add(share)

    def set_share_status(self, share: Share, status: str, *, now: datetime) -> None:
        share.status = status
        share.updated_at = now
        if status in ("covered", "closed") and share.closed_at is None:
            share.closed_at = now
        self.s.add(share)

    def open_needs(self, group_id: int | None, *, resource: str | None = None,
                   since: datetime | None = None) -> Sequence[Share]:
        """Open needs of a group, newest first; of one resource, posted since a time."""
        self.s.flush()
        q = select(Share).where(Share.group_id == group_id, Share.kind == "need",
                                Share.status == "open")
        if resource is not None:
            q = q.where(Share.resource == resource)
        if since is not None:
            q = q.where(Share.created_at >= since)
        return self.s.exec(q.order_by(col(Share.id).desc())).all()

    def open_offers(self, group_id: int | None, *, resource: str | None = None,
                    since: datetime | None = None) -> Sequence[Share]:
        """Open offers of a group, first first; of one resource, made since a time."""
        self.s.flush()
        q = select(Share).where(Share.group_id == group_id, Share.kind == "offer",
                                Share.status == "open")
        if resource is not None:
            q = q.where(Share.resource == resource)
        if since is not None:
            q = q.where(Share.created_at >= since)
        return self.s.exec(q.order_by(col(Share.id))).all()

    def share_offers(self, need_id: int) -> Sequence[Share]:
        """The offers attached to a need, first first."""
        self.s.flush()
        return self.s.exec(select(Share).where(Share.need_id == need_id, Share.kind == "offer")
                           .order_by(col(Share.id))).all()

    def confirm_share(self, *, need_id: int, now: datetime, confirmed_by: str,
                      **fields: Any) -> ShareConfirmation:
        row = ShareConfirmation(need_id=need_id, confirmed_by=confirmed_by, time=now, **fields)
        self._add(row)
        return row

    def share_confirmations(self, need_id: int) -> Sequence[ShareConfirmation]:
        self.s.flush()
        return self.s.exec(select(ShareConfirmation).where(ShareConfirmation.need_id == need_id)
                           .order_by(col(ShareConfirmation.id))).all()

    def share_figures(self, group_id: int | None, start: datetime,
                      end: datetime) -> dict[str, int]:
        """Needs posted in [start, end) in one group (or all): how many, and how many are
        still open, covered or closed now; and the offers made in the period. One source for
        the daily digest and the weekly report."""
        self.s.flush()
        q = select(Share).where(Share.created_at >= start, Share.created_at < end)
        if group_id is not None:
            q = q.where(Share.group_id == group_id)
        rows = self.s.exec(q).all()
        needs = [s for s in rows if s.kind == "need"]
        return {"needs": len(needs), "offers": sum(s.kind == "offer" for s in rows),
                "open": sum(s.status == "open" for s in needs),
                "covered": sum(s.status == "covered" for s in needs),
                "closed": sum(s.status == "closed" for s in needs)}

    def firm_pairs(self, group_id: int | None, start: datetime, end: datetime) -> dict[str, int]:
        """企业结对: the distinct pairs of units put together in [start, end), in one group
        (or all). One source for `#统计` and the reports.

        - lending: a firm's job post and a unit whose people it confirmed (#确认): the
          placed person has offered labour in a unit's voice (我们厂有5个人闲着) in that group;
        - shares: an asker's need and a provider confirmed on it (#确认 S3 某单位 3桌);
        - pairs: the two added (a pair of the two kinds counts in each).
        """
        self.s.flush()
        q = (select(Allocation.worker_id, Posting.employer, Posting.poster_id, Posting.group_id)
             .join(Posting, col(Posting.id) == Allocation.posting_id)
             .where(Allocation.time >= start, Allocation.time < end))
        if group_id is not None:
            q = q.where(Posting.group_id == group_id)
        placed = self.s.exec(q).all()
        lenders: dict[tuple[str, int | None], bool] = {}
        lending = set()
        for worker, employer, poster, gid in placed:
            key = (worker, gid)
            if key not in lenders:
                offers = self.s.exec(select(Posting.text).where(
                    Posting.kind == "offer", Posting.poster_id == worker,
                    Posting.group_id == gid)).all()
                lenders[key] = any(UNIT_WORDS.search(t or "") for t in offers)
            if lenders[key] and worker != poster:
                lending.add((employer or f"poster:{poster}", worker))
        cq = (select(ShareConfirmation, Share)
              .join(Share, col(Share.id) == ShareConfirmation.need_id)
              .where(ShareConfirmation.time >= start, ShareConfirmation.time < end))
        if group_id is not None:
            cq = cq.where(Share.group_id == group_id)
        shares = {(need.poster_id, c.provider_id or f"name:{c.provider_name}")
                  for c, need in self.s.exec(cq).all()}
        return {"lending": len(lending), "shares": len(shares),
                "pairs": len(lending) + len(shares)}
