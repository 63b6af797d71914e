"""The wish wall (心愿墙): wishes grouped into lines of the needs list (需求清单), and the
supply (服务供给) a cadre answers a line with.

`wish_wall` is the one place the lines' figures (people, wishes, first and last wish, supply)
are counted: `#心愿墙`, the xlsx export and the report lines all read it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlmodel import col, select

from storage.base import StoreBase
from storage.models import Wish, WishLine


@dataclass(frozen=True)
class WallLine:
    """One line of the needs list with its figures. `people` counts distinct wishers (a
    person who wishes the same thing twice counts once); `wishers` are (id, name), in the
    order they first wished."""

    number: int
    topic: str
    status: str  # open | answered
    people: int
    wishes: int
    wishers: tuple[tuple[str, str], ...]
    first: datetime | None
    last: datetime | None
    created_at: datetime
    supply_date: date | None
    supply_text: str | None
    supplied_by: str | None
    supplied_at: datetime | None
    new_wishes: int  # wishes filed in the period asked for (all of them without one)
    new_wishers: tuple[str, ...] = ()  # the ids of who filed them


@dataclass(frozen=True)
class WishFigures:
    """The wish wall over a period: wishes filed and lines opened and answered in it, and
    the lines still waiting for a supply at its end."""

    wishes: int
    people: int
    opened: int
    answered: int
    waiting: int


class WishStore(StoreBase):
    """Verbs on the wish wall."""

    def wish_line(self, number: int) -> WishLine | None:
        return self.s.get(WishLine, number)

    def wish_lines(self) -> Sequence[WishLine]:
        return self.s.exec(select(WishLine).order_by(col(WishLine.id))).all()

    def add_wish(self, *, line: WishLine | None, topic: str, now: datetime, wisher_id: str,
                 wisher_name: str, group_id: int | None, via: str, text: str,
                 message_id: int | None) -> tuple[WishLine, Wish, bool]:
        """File a wish under `line`, or under a new line of `topic` when None. Returns the
        line, the wish and whether the wisher already had a wish on that line."""
        if line is None:
            line = WishLine(topic=topic, status="open", created_at=now)
            self._add(line)
            again = False
        else:
            again = self.s.exec(select(Wish.id).where(
                Wish.line_id == line.id, Wish.wisher_id == wisher_id).limit(1)).first() is not None
        wish = Wish(line_id=line.id or 0, wisher_id=wisher_id, wisher_name=wisher_name,
                    group_id=group_id, via=via, text=text, message_id=message_id,
                    created_at=now)
        self._add(wish)
        return line, wish, again

    def wishes_of(self, line_id: int) -> Sequence[Wish]:
        return self.s.exec(select(Wish).where(Wish.line_id == line_id)
                           .order_by(col(Wish.id))).all()

    def answer_wish_line(self, line: WishLine, *, supply_date: date | None, text: str,
                         by: str, now: datetime) -> None:
        """Record the supply that answers a line (a second #供给 replaces the first)."""
        line.status = "answered"
        line.supply_date, line.supply_text = supply_date, text
        line.supplied_by, line.supplied_at = by, now
        self.s.add(line)

    def mark_wishes_told(self, wishes: Sequence[Wish], now: datetime) -> None:
        for w in wishes:
            w.told_at = now
            self.s.add(w)
        self.s.flush()

    def wish_wall(self, start: datetime | None = None, end: datetime | None = None
                  ) -> list[WallLine]:
        """Every line of the needs list with its figures, oldest line first. With a period
        [start, end): only the lines with a wish filed or a supply recorded in it, and
        `new_wishes` counts the wishes filed in it."""
        lines = self.wish_lines()
        wishes = self.s.exec(select(Wish).order_by(col(Wish.id))).all()
        by_line: dict[int, list[Wish]] = {}
        for w in wishes:
            by_line.setdefault(w.line_id, []).append(w)

        def inside(t: datetime | None) -> bool:
            return t is not None and (start is None or t >= start) and (end is None or t < end)

        out = []
        for ln in lines:
            ws = [w for w in by_line.get(ln.id or 0, []) if end is None or w.created_at < end]
            new = [w for w in ws if inside(w.created_at)]
            if (start is not None or end is not None) and not new and not inside(ln.supplied_at):
                continue
            who: dict[str, str] = {}
            for w in ws:
                who.setdefault(w.wisher_id, w.wisher_name)
            answered = ln.status == "answered" and (end is None or (
                ln.supplied_at is not None and ln.supplied_at < end))
            out.append(WallLine(
                number=ln.id or 0, topic=ln.topic, status="answered" if answered else "open",
                people=len(who), wishes=len(ws), wishers=tuple(who.items()),
                first=ws[0].created_at if ws else None, last=ws[-1].created_at if ws else None,
                created_at=ln.created_at,
                supply_date=ln.supply_date if answered else None,
                supply_text=ln.supply_text if answered else None,
                supplied_by=ln.supplied_by if answered else None,
                supplied_at=ln.supplied_at if answered else None, new_wishes=len(new),
                new_wishers=tuple(dict.fromkeys(w.wisher_id for w in new))))
        return out

    def wish_figures(self, start: datetime, end: datetime) -> WishFigures:
        """The period's figures for a report line, from `wish_wall`."""
        period = self.wish_wall(start, end)
        everyone = self.wish_wall(None, end)
        people = {p for ln in period for p in ln.new_wishers}
        return WishFigures(
            wishes=sum(ln.new_wishes for ln in period), people=len(people),
            opened=sum(1 for ln in period if ln.first is not None and start <= ln.first < end),
            answered=sum(1 for ln in period if ln.supplied_at is not None
                         and start <= ln.supplied_at < end),
            waiting=sum(1 for ln in everyone if ln.status == "open" and ln.people))
