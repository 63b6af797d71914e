"""Requests (a worker's plea for help, followed to a rating) and the events of each step."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, or_
from sqlmodel import col, select

from storage.base import Statement, StoreBase
from storage.models import Request, RequestEvent

# Constant lists are written as OR: SQLAlchemy renders an IN list anew at every execution.
_AWAITING_ID = Statement("awaiting", lambda ins: (select(Request.id).where(
    Request.requester_id == bindparam("rid"),
    or_(Request.status == "waiting", Request.status == "resolved")).limit(1), None))
_AWAITING = (select(Request).where(Request.requester_id == bindparam("rid"),
                                   or_(Request.status == "waiting", Request.status == "resolved"))
             .order_by(col(Request.id).desc()))


class RequestStore(StoreBase):
    """Verbs on requests and their events."""

    def open_request(self, *, actor_id: str, now: datetime, **fields: Any) -> Request:
        r = Request(created_at=now, **fields)
        self._add(r)
        self.request_event(r, "filed", actor_id=actor_id, now=now)
        return r

    def request(self, number: int) -> Request | None:
        return self.s.get(Request, number)

    def request_event(self, r: Request, status: str, *, actor_id: str, now: datetime,
                      note: str | None = None) -> RequestEvent:
        """Move a request to `status` and log the step."""
        r.status = status
        if status == "resolved":
            r.resolved_at = now
        self.s.add(r)
        ev = RequestEvent(request_id=r.id, status=status, actor_id=actor_id, note=note, time=now,
                          deadline=r.deadline)
        self._add(ev)
        return ev

    def add_request_event(self, request_id: int, status: str, *, actor_id: str, now: datetime,
                          note: str | None = None) -> RequestEvent:
        """Log an event that leaves the request as it is (a rating reminder sent, say);
        written at the next flush or commit. To move a request on, use `request_event`."""
        ev = RequestEvent(request_id=request_id, status=status, actor_id=actor_id, note=note,
                          time=now)
        self.s.add(ev)
        return ev

    def save_request(self, request: Request) -> None:
        """Keep changes to a request's fields (written at the next flush or commit)."""
        self.s.add(request)

    def request_events(self, request_id: int) -> Sequence[RequestEvent]:
        return self.s.exec(select(RequestEvent).where(RequestEvent.request_id == request_id)
                           .order_by(RequestEvent.id)).all()

    def request_events_for(self, ids: Collection[int]) -> dict[int, list[RequestEvent]]:
        """The events of many requests at once (one query), by request id, in order."""
        out: dict[int, list[RequestEvent]] = {i: [] for i in ids}
        if not out:
            return out
        q = select(RequestEvent).where(col(RequestEvent.request_id).in_(list(out)))
        for ev in self.s.exec(q.order_by(RequestEvent.id)).all():
            out[ev.request_id].append(ev)
        return out

    def requests_awaiting(self, requester_id: str) -> Sequence[Request]:
        """This person's requests waiting on them: for more information, or for a rating."""
        # "resolved" until rated: a rating moves it to closed. Nearly every message asks this,
        # and nearly every answer is no: a bare id look-up first, whole rows only when needed.
        self.s.flush()
        if self._run(_AWAITING_ID, {"rid": requester_id}).fetchone() is None:
            return []
        return self.s.exec(_AWAITING, params={"rid": requester_id}).all()

    def requests_between(self, start: datetime, end: datetime) -> Sequence[Request]:
        return self.s.exec(select(Request).where(Request.created_at >= start,
                                                 Request.created_at < end)
                           .order_by(Request.id)).all()

    def requests_open(self) -> Sequence[Request]:
        return self.s.exec(select(Request).where(
            col(Request.status).in_(["filed", "dispatched", "in_progress"]))
            .order_by(Request.id)).all()

    def requests_unrated(self, asked_before: datetime) -> Sequence[Request]:
        return self.s.exec(select(Request).where(
            Request.status == "resolved",
            col(Request.rating_asked_at).is_not(None), Request.rating_asked_at < asked_before)
            .order_by(Request.id)).all()

    def requests_listed(self, *, everything: bool = False) -> Sequence[Request]:
        """Requests for a cadre's list: the open ones (waiting included), or all of them."""
        q = select(Request).order_by(Request.id)
        if not everything:
            q = q.where(col(Request.status).in_(["filed", "dispatched", "in_progress",
                                                 "waiting"]))
        return self.s.exec(q).all()

    def requests_by(self, requester_id: str) -> Sequence[Request]:
        return self.s.exec(select(Request).where(
            Request.requester_id == requester_id,
            col(Request.status).not_in(["closed", "withdrawn"])).order_by(Request.id)).all()
