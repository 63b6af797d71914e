"""Gateway bindings: stable local ids for a gateway's rooms and contacts across re-logins."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import datetime

from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlmodel import Session, col, select

from storage import values
from storage.models import AuditLog, Binding, Group, Member

log = logging.getLogger(__name__)

# The audit log's action for a person moved onto a binding by anything weaker than the
# WeChat id, or refused such a move (allowed False); the bot tells the cadre group of both.
REBIND = "rebind"
BY_ROOMS = "name+rooms"
# A gateway's names and WeChat ids are stored as they fit (storage.values): a 200-character
# nickname or a NUL in it must not fail the binding, and with it the message that brought it.
_NAME = values.limit(Binding.__table__.c.name)
_WEIXIN = values.limit(Binding.__table__.c.weixin)


class StoreUnavailable(Exception):
    """The store could not take a write: the database stayed locked past its busy timeout or
    went away. Raised instead of the driver's own error, so callers need not know the driver."""


class Identities:
    """Stable ids for a gateway's rooms and contacts (see storage.models.Binding).

    Used by a transport from its own thread, with its own session. A first-seen gateway id
    becomes the local id; after a re-login a new gateway id is moved onto the existing
    binding when it can be told to be the same room or person:
    - a room by its topic, else by its member list (at least 60% the same people);
    - a person by WeChat id (`weixin`, which nobody can take from another), else by "the same
      contact across the same rooms" (see `_same_rooms`): once a room has been seen to change
      its id since this login (the gateway re-issued ids), a new contact may take over the one
      binding of its name not seen since then, if it sits in exactly the rooms, among those
      seen again since the re-login, that the old binding sat in before, and nobody else in
      those rooms carries that name today. A name is only a label any member can set, so:
    - a person who holds a role (in `role_ids`, the config's cadres and department cadres,
      or with a stored role such as `#管理员 添加` gives) is never re-bound by name: a
      newcomer with a role holder's name gets a fresh id and no power, and so does the role
      holder if no WeChat id vouches for them (a cadre can add them again);
    - two people whose WeChat ids are both known and differ are never merged by name.
    Each move by anything weaker than the WeChat id, and each refused move onto a role
    holder, is recorded in the audit log (action REBIND, allowed False for a refusal) in the
    same commit as the binding, and `on_record` is called; the bot tells the cadre group.
    """

    def __init__(self, engine: Engine, transport: str, *, role_ids: Collection[str]) -> None:
        self.engine, self.transport = engine, transport
        self.role_ids = frozenset(role_ids)
        self.login_at: datetime | None = None
        self.ids_changed = False  # a known room came back under a new id since this login
        # Since this login: each room's members as the gateway lists them (gateway id ->
        # name in that room), and, for a room that came back under a new id, our ids of its
        # members as stored before the change.
        self._now: dict[str, dict[str, str]] = {}
        self._before: dict[str, frozenset[str]] = {}
        self.on_record: Callable[[], None] | None = None  # called after an audit row commits

    def logged_in(self, now: datetime) -> None:
        self.login_at, self.ids_changed = now, False
        self._now, self._before = {}, {}

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

    def _once_more_on_conflict(self, bind: Callable[[], str]) -> str:
        """Bind, and bind again if another process bound the same gateway id meanwhile (the
        unique key refused our row): the second time finds theirs."""
        try:
            return bind()
        except IntegrityError:
            log.info("a gateway id was bound by another process at the same time; read again")
            return bind()

    def contact(self, external_id: str, *, name: str, weixin: str = "", now: datetime) -> str:
        """Our id for a gateway contact id, binding or re-binding it."""
        return self._once_more_on_conflict(lambda: self._contact(
            external_id, name=name, weixin=weixin, now=now))

    def _contact(self, external_id: str, *, name: str, weixin: str, now: datetime) -> str:
        name, weixin = values.fit(name, _NAME), values.fit(weixin, _WEIXIN)
        recorded = False
        with self._binding() as s:
            found = self._find(s, "contact", external_id=external_id)
            b = found[0] if found else None
            moved = b is None
            if b is None and weixin:
                b = next(iter(self._find(s, "contact", weixin=weixin)), None)
            if b is None and name and self.ids_changed and self.login_at is not None:
                b, recorded = self._by_name(s, external_id, name, weixin, now)
            if b is None:
                b = Binding(transport=self.transport, kind="contact", local_id=external_id,
                            external_id=external_id, name=name, weixin=weixin, seen_at=now)
            elif moved:
                self._rename_member(s, external_id, b.local_id)
            b.external_id, b.seen_at = external_id, now
            b.name = name or b.name
            b.weixin = weixin or b.weixin
            s.add(b)
            s.commit()
        if recorded and self.on_record is not None:
            self.on_record()
        return b.local_id

    def _by_name(self, s: Session, external_id: str, name: str, weixin: str,
                 now: datetime) -> tuple[Binding | None, bool]:
        """The stale binding a new contact of this name may take over, and whether an audit
        row was added (a move, or a refused move onto a role holder)."""
        assert self.login_at is not None
        login_at = self.login_at
        stale = [x for x in self._find(s, "contact", name=name)
                 if x.seen_at < login_at and not (x.weixin and weixin and x.weixin != weixin)]
        holder = next((x for x in stale if self._holds_role(s, x.local_id)), None)
        if holder is not None:
            log.warning("gateway contact %s is named like role holder %s: not re-bound by name",
                        external_id, holder.local_id)
            self._audit(s, now, actor=external_id, target=holder.local_id, allowed=False,
                        after={"gateway_id": external_id, "name": name, "holder": holder.local_id})
            return None, True
        if len(stale) != 1:
            return None, False
        b = stale[0]
        rooms = self._same_rooms(b.local_id, external_id, name)
        if rooms is None:
            return None, False
        log.info("gateway contact %s re-bound to %s by name and rooms", external_id, b.local_id)
        self._audit(s, now, actor=b.local_id, target=None, allowed=True,
                    before={"gateway_id": b.external_id, "name": b.name},
                    after={"gateway_id": external_id, "name": name, "by": BY_ROOMS,
                           "rooms": rooms})
        return b, True

    def _same_rooms(self, local_id: str, external_id: str, name: str) -> list[str] | None:
        """The rooms that vouch for a new contact being the person of a stale binding, or None.

        Only what no member can set counts: who sits in which room. Among the rooms seen since
        the re-login whose members before it are known, the new contact must sit in exactly
        those the old binding sat in (at least one), and in each of them nobody else may carry
        the name today (while the real person is still in the room, a member who took their
        name is one of two). A member can join a room but not make the bot forget who was in
        it, so an impostor passes only where the person they copy has left all those rooms; even
        then the cadre group is told, and role holders are never moved this way at all.
        """
        shared = []
        for room, members in self._now.items():
            before = self._before.get(room)
            if before is None:
                continue
            was, sits = local_id in before, external_id in members
            if was != sits:
                return None
            if sits:
                if any(n == name for c, n in members.items() if c != external_id):
                    return None
                shared.append(room)
        return shared or None

    def _holds_role(self, s: Session, local_id: str) -> bool:
        if local_id in self.role_ids:
            return True
        role = s.exec(select(Member.role).where(Member.sender_id == local_id)).first()
        return role is not None and role != "member"

    def _audit(self, s: Session, now: datetime, *, actor: str, target: str | None,
               allowed: bool, after: dict[str, object],
               before: dict[str, object] | None = None) -> None:
        def dump(v: object) -> str | None:
            return None if v is None else json.dumps(v, ensure_ascii=False)

        s.add(AuditLog(time=now, actor_id=actor[:128], action=REBIND,
                       target=target[:64] if target else None, before=dump(before),
                       after=dump(after), allowed=allowed))

    def _rename_member(self, s: Session, external_id: str, local_id: str) -> None:
        """A contact re-bound to our id: rooms that list it by its gateway id list our id."""
        for r in self._find(s, "room"):
            members = r.members.split("\n")
            if external_id in members:
                r.members = "\n".join(local_id if m == external_id else m for m in members)
                s.add(r)

    def _same_people(self, s: Session, room: Binding, people: set[str],
                     names: Mapping[str, str] | None) -> bool:
        """Whether a room with `people` (named `names`) can be `room` as last seen."""
        if not people or not room.members:
            return True  # nothing to compare: the topic decides, as before member lists
        if _overlap(people, room) >= 0.5:
            return True
        if not names:
            return False
        theirs = {m for m in room.members.split("\n") if m}
        known = set(s.exec(select(Binding.name).where(
            Binding.transport == self.transport, Binding.kind == "contact",
            col(Binding.local_id).in_(list(theirs)))).all()) - {""}
        now = set(names.values()) - {""}
        return bool(known and now) and len(known & now) / len(known | now) >= 0.5

    def _ours(self, s: Session, members: Sequence[str]) -> list[str]:
        """Members as our ids where the contact is bound (else as the gateway's ids)."""
        if not members:
            return []
        rows = s.exec(select(Binding.external_id, Binding.local_id).where(
            Binding.transport == self.transport, Binding.kind == "contact",
            col(Binding.external_id).in_(list(members)))).all()
        mine = dict(rows)
        return [mine.get(m, m) for m in members]

    def room(self, external_id: str, *, topic: str, members: Sequence[str], now: datetime,
             names: Mapping[str, str] | None = None) -> str:
        """Our id for a gateway room id. `members` are the people in it (our ids where known,
        else the gateway's); `names`, where given, every member's gateway id and the name
        they carry in this room (the evidence `_same_rooms` reads)."""
        return self._once_more_on_conflict(lambda: self._room(
            external_id, topic=topic, members=members, now=now, names=names))

    def _room(self, external_id: str, *, topic: str, members: Sequence[str], now: datetime,
              names: Mapping[str, str] | None) -> str:
        topic = values.fit(topic, _NAME)
        if names is not None:  # compared with stored names (`_same_rooms`): fitted alike
            names = {c: values.fit(n, _NAME) for c, n in names.items()}
        with self._binding() as s:
            members = self._ours(s, members)
            found = self._find(s, "room", external_id=external_id)
            b = found[0] if found else None
            mine = set(members)
            if b is None and topic:
                # A topic is only a name: anyone can create a room called 工会干部群. It
                # counts where the people are largely the same too, by id or (ids change at a
                # re-login) by the names they carry, or where either side's list is unknown.
                b = next((x for x in self._find(s, "room", name=topic)
                          if self._same_people(s, x, mine, names)), None)
            if b is None and members:
                best, share = None, 0.0
                for x in self._find(s, "room"):
                    j = _overlap(mine, x)
                    if j > share:
                        best, share = x, j
                b = best if share >= 0.6 else None
            if b is not None and b.external_id != external_id:
                self.ids_changed = True
                self._before[b.local_id] = frozenset(m for m in b.members.split("\n") if m)
            if b is None:
                b = Binding(transport=self.transport, kind="room", local_id=external_id,
                            external_id=external_id, name=topic, seen_at=now)
            b.external_id, b.seen_at, b.name = external_id, now, topic or b.name
            if members:
                b.members = "\n".join(members)
            s.add(b)
            s.commit()
            if names is not None:
                self._now[b.local_id] = dict(names)
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
            found = self._find(s, "room", name=values.fit(topic, _NAME))
            return found[0].local_id if found else None


def _overlap(people: set[str], room: Binding) -> float:
    """How far `people` are the people last seen in `room` (Jaccard; 0 when unknown)."""
    theirs = {m for m in room.members.split("\n") if m}
    return len(people & theirs) / len(people | theirs) if people and theirs else 0.0
