"""Groups (our stable id for a chat room) and members (a sender, with names and role)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import bindparam
from sqlmodel import select

from storage.base import Statement, StoreBase
from storage.models import Group, Member

_MEMBER_ID = Statement("member", lambda ins: (
    select(Member.id).where(Member.sender_id == bindparam("sid")), None))


class GroupStore(StoreBase):
    """Verbs on groups and members."""

    # -- groups -----------------------------------------------------------------------------
    def ensure_group(self, name: str, *, transport: str, external_id: str | None, now: datetime,
                     is_cadre_group: bool = False) -> Group:
        """Our stable group for a transport's room (by room id where there is one, else name)."""
        q = select(Group)
        q = (q.where(Group.external_id == external_id) if external_id
             else q.where(Group.name == name))
        g = self.s.exec(q.order_by(Group.id)).first()
        if g is None and external_id:
            # A re-login can bring new room ids: re-bind an existing group of the same name.
            g = self.s.exec(select(Group).where(Group.name == name).order_by(Group.id)).first()
            if g is not None:
                g.external_id = external_id
        if g is None:
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

    def member_by_name(self, name: str) -> Member | None:
        return self.s.exec(select(Member).where(Member.display_name == name)
                           .order_by(Member.id)).first()

    def save_member(self, member: Member) -> None:
        """Keep changes to a member, such as a new role (written at the next flush or commit)."""
        self.s.add(member)
