"""Scoring open postings against what someone wants (an offer or a query)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol, TypeVar

from rapidfuzz import fuzz

from parsers.lexicon import Lexicon


class Fits(Protocol):
    """What scoring reads of a posting: a whole Posting or a storage Candidate."""

    @property
    def id(self) -> int | None: ...
    @property
    def job(self) -> str | None: ...
    @property
    def task(self) -> str | None: ...
    @property
    def location(self) -> str | None: ...
    @property
    def settlement(self) -> str | None: ...


P = TypeVar("P", bound=Fits)


def score(p: Fits, *, lex: Lexicon, job: str | None, location: str | None,
          settlement: str | None) -> float:
    """0..1: how well a posting fits; job type weighs most, then place and settlement."""
    s = 0.2  # every open posting is a little relevant
    if job:
        pj = " ".join(x for x in (p.job, p.task) if x)
        if pj:
            sim = fuzz.partial_ratio(job, pj) / 100
            fam = lex.family(job)
            if fam and fam == lex.family(p.job):
                sim = max(sim, 0.7)
            s += 0.5 * sim
    if location and p.location and (location in p.location or p.location in location):
        s += 0.2
    if settlement and p.settlement == settlement:
        s += 0.1
    return s


def best(postings: Iterable[P], *, lex: Lexicon, job: str | None, location: str | None,
         settlement: str | None, limit: int, strict: bool) -> list[P]:
    """The best `limit` postings; `strict` drops ones that miss a stated filter."""
    scored = []
    for p in postings:
        if strict:
            if settlement and p.settlement != settlement:
                continue
            if location and not (p.location and (location in p.location or p.location in location)):
                continue
            if job and not (p.job or p.task):
                continue
        sc = score(p, lex=lex, job=job, location=location, settlement=settlement)
        if strict and job and sc < 0.55:
            continue
        scored.append((sc, p.id or 0, p))
    scored.sort(key=lambda t: (-t[0], -t[1]))
    return [p for _, _, p in scored[:limit]]
