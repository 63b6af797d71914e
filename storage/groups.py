"""Groups (our stable id for a chat room) and members (a sender, with names and role)."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import bindparam
from sqlmodel import select

from storage.base import Statement, StoreBase
from storage.models import Group, Member, Message

log = logging.getLogger(__name__)

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

    # -- members ----------------------------------------------------------------------------
    def ensure_member(self, sender_id: str, name: str, *, now: datetime) -> Member:
        # Most senders not yet seen by this process are new: ask for the id alone first.
        row = self._run(_MEMBER_ID, {"sid": sender_id}).fetchone()
        m = self.s.get(Member, row[0]) if row is not None else None
        if m is None:
            m = Member(sender_id=sender_id, display_name=name, names_seen=name, created_at=now)
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
