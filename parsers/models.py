"""Frozen result types of the parser."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date
from typing import Any

INTENTS = ("job_post", "labor_offer", "claim", "request", "query", "command", "other")


@dataclass(frozen=True, slots=True)
class Pay:
    """A wage: min/max figures and the unit they are paid per."""

    min: float
    max: float | None
    unit: str  # hour | day | month | piece | job


@dataclass(frozen=True, slots=True)
class Quote:
    """A WeChat quote block the message replies to."""

    name: str
    text: str


@dataclass(frozen=True, slots=True)
class Parsed:
    """What one message is and the facts it states (see shared/spec/parse.md)."""

    intent: str
    text: str = ""  # normalised body, quote removed
    headcount: int | None = None
    job: str | None = None
    task: str | None = None
    employer: str | None = None
    location: str | None = None
    pay: Pay | None = None
    settlement: str | None = None
    start_date: date | None = None
    end_date: date | None = None
    contact: str | None = None
    ref: int | None = None
    category: str | None = None
    urgency: str | None = None
    command: str | None = None
    args: str | None = None  # command arguments after the command word
    quote: Quote | None = None

    def to_json(self) -> dict[str, Any]:
        """The contract's JSON shape: dates as ISO strings, absent facts as null."""
        out = asdict(self)
        for key in ("start_date", "end_date"):
            if out[key] is not None:
                out[key] = out[key].isoformat()
        pay = out["pay"]
        if pay is not None:
            for k in ("min", "max"):
                v = pay[k]
                if isinstance(v, float) and v.is_integer():
                    pay[k] = int(v)
        return out
