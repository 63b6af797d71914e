"""Resources member units share (共享+): which resource a message names, and how much of it.

The words are data (parsers/data/vocab/shares.txt). The quantity is a figure with a measure
word (3桌, 2辆, 1间), read in the clause that names the resource (else the message's first such
figure): 今天接待了十几个团体，中午哪些兄弟单位能接待午餐？ asks for lunch, of no stated size.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from parsers import vocab

_CLAUSE = re.compile(r"[，,。！!？?；;\n]")


@dataclass(frozen=True, slots=True)
class Quantity:
    """A quantity as written (3桌) and read: its number and measure word."""

    number: float
    unit: str

    @property
    def text(self) -> str:
        n = int(self.number) if float(self.number).is_integer() else self.number
        return f"{n}{self.unit}"


@cache
def _resources() -> tuple[tuple[str, re.Pattern[str]], ...]:
    return tuple((s.split(":", 1)[1], re.compile(vocab.alt("shares", s)))
                 for s in vocab.sections("shares") if s.startswith("resource:"))


@cache
def _class(section: str) -> re.Pattern[str]:
    return re.compile(vocab.alt("shares", section))


@cache
def _quantity() -> re.Pattern[str]:
    return re.compile(r"(\d+(?:\.\d+)?)\s*(" + vocab.alt("shares", "measures") + ")")


def find_resource(text: str) -> tuple[str, tuple[int, int]] | None:
    """The resource a message names (its short noun) and where; the earliest in the text wins,
    a tie to the earlier section."""
    best: tuple[str, tuple[int, int]] | None = None
    for name, rx in _resources():
        m = rx.search(text)
        if m and (best is None or m.start() < best[1][0]):
            best = (name, m.span())
    return best


def words(section: str, text: str) -> re.Match[str] | None:
    """The first match of a word class of shares.txt (people, need, offer...)."""
    return _class(section).search(text)


def _spans(section: str, text: str) -> list[tuple[int, int]]:
    return [m.span() for m in _class(section).finditer(text)]


def _overlaps(span: tuple[int, int], others: list[tuple[int, int]]) -> bool:
    return any(span[0] < b and a < span[1] for a, b in others)


def stance(text: str) -> str | None:
    """Whether the sender offers a resource ("offer") or asks for one ("need"), else None.

    Asking who has one (谁家有, 哪家能) makes the offer words inside the question none
    (哪家能接待用餐); asking who wants one (谁要用, 有需要的) makes the need words inside it
    none; a need word inside an offer phrase (可以出借) is none. Both left: the later wins
    (谁家需要大巴？我们有两辆空着).
    """
    offer_to = _spans("offer_to", text)
    asks = [s for s in _spans("ask", text) if not _overlaps(s, offer_to)]
    offers = [s for s in _spans("offer", text) if not _overlaps(s, asks)] + offer_to
    needs = asks + [s for s in _spans("need", text)
                    if not _overlaps(s, offers) and not _overlaps(s, asks)]
    if not offers:
        return "need" if needs else None
    if not needs:
        return "offer"
    return "offer" if max(a for a, _ in offers) > max(a for a, _ in needs) else "need"


def find_quantity(text: str, at: tuple[int, int] | None = None) -> Quantity | None:
    """The quantity in the clause around `at` (the resource's span), else the first in the
    text (哪家能接待用餐，5桌左右), else None."""
    rx = _quantity()
    if at is not None:
        starts = [0] + [m.end() for m in _CLAUSE.finditer(text)]
        lo = max(s for s in starts if s <= at[0])
        nxt = _CLAUSE.search(text, at[1])
        hi = nxt.start() if nxt else len(text)
        m = rx.search(text, lo, hi)
        if m:
            return Quantity(float(m.group(1)), m.group(2))
    m = rx.search(text)
    return Quantity(float(m.group(1)), m.group(2)) if m else None
