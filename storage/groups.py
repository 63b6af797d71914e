"""Groups (our stable id for a chat room) and members (a sender, with names and role)."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlmodel import select

from storage.base import Statement, StoreBase
from storage.models import Group, JobRun, Member, Message, State

log = logging.getLogger(__name__)

CHANGES_KEY = "changes"  # the state row whose value moves at every role, pause or setting
_TOKEN = select(State.value).where(State.key == bindparam("key"))

_MEMBER_ID = Statement("member", lambda ins: (
    select(Member.id).where(Member.sender_id == bindparam("sid")), None))


class GroupStore(StoreBase):
    """Verbs on groups and members."""

    # -- groups -----------------------------------------------------------------------------
    def ensure_group(self, name: str, *, transport: str, external_id: str | None, now: datetime,
                     is_cadre_group: bool = False) -> Group:
        """Our stable group for a transport's room (by room id where there is one, else name).

        A room id not seen before takes over a group of the same name only while that group
        is bound to no room (one named in the config, waiting for its room). Whether a room
        with a new id is an old one (a re-login re-issues ids) is the gateway bindings'
        decision (storage.identities), made on evidence a member cannot fake; a name alone is
        not: anyone can create or rename a room to "工会干部群". Such a room becomes a group
        of its own, and never a cadre group while that name's cadre group exists.
        """
        q = select(Group)
        q = (q.where(Group.external_id == external_id) if external_id
             else q.where(Group.name == name))
        g = self.s.exec(q.order_by(Group.id)).first()
        namesakes: Sequence[Group] = ()
        if g is None and external_id:
            namesakes = self.s.exec(select(Group).where(Group.name == name)
                                    .order_by(Group.id)).all()
            g = next((x for x in namesakes if x.external_id is None), None)
            if g is not None:
                g.external_id = external_id
        if g is None:
            if is_cadre_group and any(x.is_cadre_group for x in namesakes):
                log.warning("a new room %s is named like the cadre group %r: kept as a plain "
                            "group", external_id, name)
                is_cadre_group = False
            g = Group(name=name, transport=transport, external_id=external_id, created_at=now,
                      is_cadre_group=is_cadre_group)
            if self._shared_store():
                # Another process may create the same group at this moment: the unique keys
                # (room id; name among unbound groups) let one insert win, the other reads it.
                won = self._insert_or_nothing(g)
                g = won if won is not None else self.s.exec(q.order_by(Group.id)).first()
                if g is None:  # pragma: no cover - a key other than this look-up's
                    raise RuntimeError(f"group {name!r} ({external_id}) neither made nor found")
            else:
                self.s.add(g)
                self.s.flush()
        elif g.name != name and external_id:
            g.name = name  # the group was renamed; it keeps its id and settings
        return g

    def group(self, group_id: int | None) -> Group | None:
        return self.s.get(Group, group_id) if group_id is not None else None

    def group_by_name(self, name: str) -> Group | None:
        return self.s.exec(select(Group).where(Group.name == name).order_by(Group.id)).first()

    def groups(self) -> Sequence[Group]:
        return self.s.exec(select(Group).order_by(Group.id)).all()

    def cadre_group(self) -> Group | None:
        """The cadre group (alerts, cadre digests and reports go there), if there is one."""
        return next((g for g in self.groups() if g.is_cadre_group), None)

    def save_group(self, group: Group) -> None:
        """Keep changes to a group's settings (written at the next flush or commit)."""
        self.s.add(group)
        self._changed()

    # -- members ----------------------------------------------------------------------------
    def ensure_member(self, sender_id: str, name: str, *, now: datetime) -> Member:
        # Most senders not yet seen by this process are new: ask for the id alone first.
        row = self._run(_MEMBER_ID, {"sid": sender_id}).fetchone()
        m = self.s.get(Member, row[0]) if row is not None else None
        if m is None:
            m = Member(sender_id=sender_id, display_name=name, names_seen=name, created_at=now)
            if self._shared_store():
                won = self._insert_or_nothing(m)  # another process may add them at once
                if won is None:
                    return self.ensure_member(sender_id, name, now=now)  # theirs, now committed
                m = won
            else:
                self._add(m)
        elif name and m.display_name != name:
            m.display_name = name
            seen = [n for n in m.names_seen.split("\n") if n]
            if name not in seen:
                m.names_seen = "\n".join([*seen, name])
        return m

    def member(self, sender_id: str) -> Member | None:
        return self.s.exec(select(Member).where(Member.sender_id == sender_id)).first()

    def members_named(self, name: str) -> Sequence[Member]:
        """Every member whose display name is `name` today (a name is not an identity: any
        member can take any name, so callers must handle none, one and several)."""
        return self.s.exec(select(Member).where(Member.display_name == name)
                           .order_by(Member.id)).all()

    def other_name_since(self, sender_id: str, name: str, since: datetime) -> bool:
        """Whether the member wrote under a name other than `name` since `since`: a name
        taken that recently may have been taken to pass for someone."""
        q = (select(Message.id).where(Message.sender_id == sender_id, Message.time >= since,
                                      Message.sender_name != name, Message.sender_name != "")
             .limit(1))
        return self.s.exec(q).first() is not None

    def save_member(self, member: Member) -> None:
        """Keep changes to a member, such as a new role (written at the next flush or commit)."""
        self.s.add(member)
        self._changed()

    # -- several processes on one store -------------------------------------------------------
    # A role, a pause or a group's setting changed through one bot process must be obeyed by
    # every other at its next message. Each change writes a new token to the state table (in
    # the change's own transaction); each process reads the token once a message and, when it
    # moved, drops what it holds of groups and members (`changed_elsewhere`). SQLite is
    # one process: nothing to tell, nothing to read.
    def _shared_store(self) -> bool:
        return self.engine.dialect.name != "sqlite"

    def _changed(self) -> None:
        if not self._shared_store():
            return
        token = uuid.uuid4().hex
        self.s.connection().execute(
            pg_insert(State.__table__).values(key=CHANGES_KEY, value=token)
            .on_conflict_do_update(index_elements=["key"], set_={"value": token}))
        self._change_token = token

    def changed_elsewhere(self) -> bool:
        """Whether roles, pauses or settings changed since this process last looked (then
        every group and member row it holds is expired, to be read again on use)."""
        if not self._shared_store():
            return False
        token = self.s.connection().execute(_TOKEN, {"key": CHANGES_KEY}).scalar()
        if token == getattr(self, "_change_token", None):
            return False
        self._change_token = token
        self.s.flush()
        self.s.expire_all()
        return True

    def claim_run(self, job: str, due: datetime, *, now: datetime) -> bool:
        """Whether this process runs scheduled job `job` for its due time `due`: the first to
        insert the run's row does (in the job's own transaction: a job that fails and rolls
        back leaves the run to another). Always True on SQLite (one process)."""
        if not self._shared_store():
            return True
        self.s.flush()
        return self.s.connection().execute(
            pg_insert(JobRun.__table__).values(job=job[:64], due=due, ran_at=now)
            .on_conflict_do_nothing().returning(JobRun.__table__.c.id)).scalar() is not None

    def _insert_or_nothing(self, obj: Any) -> Any:
        """Insert a new row unless a unique key already holds one (PostgreSQL: waits for the
        other writer's commit). The row as loaded, or None when another row won."""
        table = type(obj).__table__
        cols = {c.key: getattr(obj, c.key) for c in table.columns if not c.primary_key}
        self.s.flush()
        new_id = self.s.connection().execute(
            pg_insert(table).values(**cols).on_conflict_do_nothing().returning(table.c.id)
        ).scalar()
        return None if new_id is None else self.s.get(type(obj), new_id)
