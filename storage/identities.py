"""Gateway bindings: stable local ids for a gateway's rooms and contacts across re-logins."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime

from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError
from sqlmodel import Session, select

from storage.models import Binding, Group


class StoreUnavailable(Exception):
    """The store could not take a write: the database stayed locked past its busy timeout or
    went away. Raised instead of the driver's own error, so callers need not know the driver."""


class Identities:
    """Stable ids for a gateway's rooms and contacts (see storage.models.Binding).

    Used by a transport from its own thread, with its own session. A first-seen gateway id
    becomes the local id; after a re-login a new gateway id is moved onto the existing
    binding when it can be told to be the same room or person:
    - a room by its topic, else by its member list (at least 60% the same people);
    - a person by WeChat id, else by name, but by name only once a room has been seen to
      change its id since this login (the gateway re-issued ids), and only when exactly one
      binding of that name was not seen since then (two live people are never merged).
    """

    def __init__(self, engine: Engine, transport: str) -> None:
        self.engine, self.transport = engine, transport
        self.login_at: datetime | None = None
        self.ids_changed = False  # a known room came back under a new id since this login

    def logged_in(self, now: datetime) -> None:
        self.login_at, self.ids_changed = now, False

    def _session(self) -> Session:
        return Session(self.engine, expire_on_commit=False)

    @contextmanager
    def _binding(self) -> Iterator[Session]:
        """A session that binds an id and commits; a database that cannot take the write
        raises StoreUnavailable."""
        try:
            with self._session() as s:
                yield s
        except OperationalError as e:
            raise StoreUnavailable(str(e.orig)) from e

    def _find(self, s: Session, kind: str, **where: str) -> Sequence[Binding]:
        q = select(Binding).where(Binding.transport == self.transport, Binding.kind == kind)
        for k, v in where.items():
            q = q.where(getattr(Binding, k) == v)
        return s.exec(q.order_by(Binding.id)).all()

    def contact(self, external_id: str, *, name: str, weixin: str = "", now: datetime) -> str:
        """Our id for a gateway contact id, binding or re-binding it."""
        with self._binding() as s:
            found = self._find(s, "contact", external_id=external_id)
            b = found[0] if found else None
            if b is None and weixin:
                b = next(iter(self._find(s, "contact", weixin=weixin)), None)
            if b is None and name and self.ids_changed and self.login_at is not None:
                login_at = self.login_at
                stale = [x for x in self._find(s, "contact", name=name) if x.seen_at < login_at]
                b = stale[0] if len(stale) == 1 else None
            if b is None:
                b = Binding(transport=self.transport, kind="contact", local_id=external_id,
                            external_id=external_id, name=name, weixin=weixin, seen_at=now)
            b.external_id, b.seen_at = external_id, now
            b.name = name or b.name
            b.weixin = weixin or b.weixin
            s.add(b)
            s.commit()
            return b.local_id

    def room(self, external_id: str, *, topic: str, members: Sequence[str], now: datetime) -> str:
        """Our id for a gateway room id; `members` are our ids of the people in it."""
        with self._binding() as s:
            found = self._find(s, "room", external_id=external_id)
            b = found[0] if found else None
            if b is None and topic:
                b = next(iter(self._find(s, "room", name=topic)), None)
            if b is None and members:
                mine = set(members)
                best, share = None, 0.0
                for x in self._find(s, "room"):
                    theirs = {m for m in x.members.split("\n") if m}
                    if theirs:
                        j = len(mine & theirs) / len(mine | theirs)
                        if j > share:
                            best, share = x, j
                b = best if share >= 0.6 else None
            if b is not None and b.external_id != external_id:
                self.ids_changed = True
            if b is None:
                b = Binding(transport=self.transport, kind="room", local_id=external_id,
                            external_id=external_id, name=topic, seen_at=now)
            b.external_id, b.seen_at, b.name = external_id, now, topic or b.name
            if members:
                b.members = "\n".join(members)
            s.add(b)
            s.commit()
            return b.local_id

    def external(self, kind: str, local_id: str) -> str | None:
        """The gateway id our room or contact has today (None if never bound)."""
        with self._session() as s:
            found = self._find(s, kind, local_id=local_id)
            return max(found, key=lambda b: b.seen_at).external_id if found else None

    def group_room(self, group_id: int) -> str | None:
        """Our room id (a binding's local id) that our group `group_id` was last seen under."""
        with self._session() as s:
            g = s.get(Group, group_id)
            return g.external_id if g is not None else None

    def room_named(self, topic: str) -> str | None:
        with self._session() as s:
            found = self._find(s, "room", name=topic)
            return found[0].local_id if found else None
