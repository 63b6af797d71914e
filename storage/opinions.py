"""Consultations (征求意见: a draft sent to groups for comment) and their opinions.

The participation figure of a consultation is computed here, once (`participation`), for
`#意见`, the results message and the export alike; so is the public form of an opinion's
text (`public_text`): what a workers' group may read of an opinion whose author did not
agree to be named.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func
from sqlmodel import col, select

from parsers.fields.phone import all_phone_spans, mask_phones
from storage.base import StoreBase
from storage.models import Binding, Consultation, Group, Member, Message, Opinion

OUTCOMES = ("已采纳", "部分采纳", "暂不采纳", "已解释")


@dataclass(frozen=True)
class Participation:
    """Distinct authors among the named groups' members, over those members (as the bot
    knows them: `GroupsMembers`); `outside`: authors the bot knows in none of the groups."""

    authors: int
    members: int
    outside: int = 0

    @property
    def percent(self) -> int | None:
        # Half up (62.5% is 63%), not Python's round-half-even.
        return int(100 * self.authors / self.members + 0.5) if self.members else None


def group_ids_of(c: Consultation) -> list[int]:
    return [int(x) for x in c.group_ids.split("\n") if x.strip()]


def public_text(text: str, names: Iterable[str], *, name_mask: str, phone_mask: str) -> str:
    """An opinion's text as a workers' group may read it when its author is not named:
    every known person's name in it replaced, and phone numbers left out altogether (even
    masked, a number with its last four digits points at whoever wrote it)."""
    out = text
    for n in sorted({n for n in names if n and len(n) >= 2}, key=len, reverse=True):
        out = out.replace(n, name_mask)
    for a, b in reversed(all_phone_spans(out)):
        out = out[:a] + phone_mask + out[b:]
    return mask_phones(out)


class OpinionStore(StoreBase):
    """Verbs on consultations and opinions."""

    # -- consultations ----------------------------------------------------------------------
    def open_consultation(self, *, title: str, text: str, group_ids: Sequence[int],
                          created_by: str, created_by_name: str, deadline: datetime | None,
                          message_id: int | None, now: datetime) -> Consultation:
        c = Consultation(title=title, text=text, group_ids="\n".join(str(g) for g in group_ids),
                         created_by=created_by, created_by_name=created_by_name,
                         deadline=deadline, message_id=message_id, created_at=now)
        self._add(c)
        return c

    def consultation(self, number: int) -> Consultation | None:
        return self.s.get(Consultation, number)

    def consultations_open(self, group_id: int | None = None) -> list[Consultation]:
        """Open consultations, newest first; of one group if `group_id` is given."""
        rows = self.s.exec(select(Consultation).where(Consultation.status == "open")
                           .order_by(col(Consultation.id).desc())).all()
        return [c for c in rows if group_id is None or group_id in group_ids_of(c)]

    def consultations_due(self, now: datetime) -> list[Consultation]:
        """Open consultations past their deadline, and closed ones whose results have not
        gone out yet (held for working hours)."""
        rows = self.s.exec(select(Consultation).where(
            col(Consultation.results_sent_at).is_(None)).order_by(Consultation.id)).all()
        return [c for c in rows if c.status == "closed"
                or (c.deadline is not None and c.deadline <= now)]

    def close_consultation(self, c: Consultation, *, now: datetime) -> None:
        if c.status != "closed":
            c.status, c.closed_at = "closed", now
        self.s.add(c)

    def save_consultation(self, c: Consultation) -> None:
        self.s.add(c)

    # -- opinions ---------------------------------------------------------------------------
    def add_opinion(self, c: Consultation, *, author_id: str, author_name: str,
                    group_id: int | None, via: str, text: str, named: bool,
                    message_id: int | None, now: datetime) -> Opinion:
        self.s.flush()
        last = self.s.exec(select(func.max(Opinion.seq)).where(
            Opinion.consultation_id == c.id)).one()
        op = Opinion(consultation_id=c.id or 0, seq=(last or 0) + 1, author_id=author_id,
                     author_name=author_name, group_id=group_id, via=via, text=text,
                     named=named, message_id=message_id, created_at=now)
        self._add(op)
        return op

    def opinions(self, consultation_id: int) -> Sequence[Opinion]:
        return self.s.exec(select(Opinion).where(Opinion.consultation_id == consultation_id)
                           .order_by(Opinion.seq)).all()

    def opinion(self, consultation_id: int, seq: int) -> Opinion | None:
        return self.s.exec(select(Opinion).where(Opinion.consultation_id == consultation_id,
                                                 Opinion.seq == seq)).first()

    def opinions_by(self, author_id: str) -> Sequence[Opinion]:
        return self.s.exec(select(Opinion).where(Opinion.author_id == author_id)
                           .order_by(Opinion.id)).all()

    def name_opinion(self, op: Opinion) -> None:
        """The author agreed afterwards to be named with this opinion."""
        op.named = True
        self.s.add(op)

    def answer_opinion(self, op: Opinion, *, outcome: str, owner: str, note: str | None,
                       actor_id: str, now: datetime) -> None:
        if outcome not in OUTCOMES:
            raise ValueError(f"unknown outcome {outcome!r}")
        op.outcome, op.owner, op.note = outcome, owner, note
        op.answered_by, op.answered_at = actor_id, now
        self.s.add(op)

    # -- who is in a group; the participation figure ----------------------------------------
    def group_member_ids(self, group_id: int) -> set[str]:
        """The people in a group as far as the bot can tell (the rule of `member_groups`):
        everyone who has written there, and everyone its room's member list names."""
        self.s.flush()
        conn = self.s.connection()
        ids = {sid for (sid,) in conn.execute(
            select(Message.sender_id).where(Message.group_id == group_id).distinct())}
        rooms = conn.execute(
            select(Binding.members).join(Group, col(Binding.local_id) == col(Group.external_id))
            .where(Group.id == group_id, Binding.kind == "room")).all()
        for (members,) in rooms:
            ids |= {m for m in (members or "").split("\n") if m}
        return ids

    def participation(self, c: Consultation) -> Participation:
        """The one participation figure of a consultation (see `Participation`). Its own
        author (the cadre who sent it) is not counted among the members."""
        members: set[str] = set()
        for gid in group_ids_of(c):
            members |= self.group_member_ids(gid)
        members.discard(c.created_by)
        authors = {o.author_id for o in self.opinions(c.id or 0)}
        return Participation(len(authors & members), len(members), len(authors - members))

    def person_names(self) -> set[str]:
        """Every name the bot has seen a person under (for `public_text`)."""
        names: set[str] = set()
        for display, seen in self.s.exec(select(Member.display_name, Member.names_seen)).all():
            names.add(display)
            names.update(n for n in re.split(r"\n", seen or "") if n)
        names.update(self.s.exec(select(Opinion.author_name).distinct()).all())
        return {n for n in names if n}
