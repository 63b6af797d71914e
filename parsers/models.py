"""Frozen result types of the parser."""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import date
from typing import Any

INTENTS = ("job_post", "labor_offer", "claim", "request", "query", "command", "other")
# The bot's own intents beyond the contract's seven (docs/parse-additions.md): a resource
# shared between member units, asked for or offered. `daqiao parse` reports them as "other"
# with the extra keys `share` ("need" | "offer"), `resource` and `quantity`.
SHARE_INTENTS = {"share_need": "need", "share_offer": "offer"}
# Fields of Parsed that are the bot's own, not the contract's: in to_json only for a share.
_SHARE_FIELDS = ("resource", "quantity", "quantity_number", "quantity_unit")


@dataclass(frozen=True, slots=True)
class Pay:
    """A wage: min/max figures and the unit they are paid per (计件 with no figure: both None)."""

    min: float | None
    max: float | None
    unit: str  # hour | day | month | piece | job


@dataclass(frozen=True, slots=True)
class Age:
    """An age bound: the range a post requires, or the sender's own age (min = max) in an offer.
    Either end may be open (50岁以下: min None; 18岁以上: max None)."""

    min: int | None
    max: int | None


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
    # "rule:NAME" (the deciding rule), or "model" when it overruled; the parser always sets it,
    # so a Parsed built elsewhere (a test, a stored row) says by no one.
    intent_by: str = ""
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
    age: Age | None = None
    gender: str | None = None  # male | female
    board: str | None = None  # meals+lodging | lodging | meals
    shift: str | None = None  # night | day | rotating
    licence: str | None = None  # as written: 叉车证, B照
    ref: int | None = None
    category: str | None = None
    urgency: str | None = None
    command: str | None = None
    args: str | None = None  # command arguments after the command word
    quote: Quote | None = None
    # A shared resource (share_need / share_offer): its short noun (午餐接待, 会议室, 大巴) and
    # quantity as written (3桌), with its number and measure word.
    resource: str | None = None
    quantity: str | None = None
    quantity_number: float | None = None
    quantity_unit: str | None = None

    def to_json(self) -> dict[str, Any]:
        """The contract's JSON shape: dates as ISO strings, absent facts as null."""
        # Field by field rather than dataclasses.asdict: this runs for every message archived.
        out: dict[str, Any] = {f: getattr(self, f) for f in _FIELDS}
        for key in ("start_date", "end_date"):
            if out[key] is not None:
                out[key] = out[key].isoformat()
        if self.pay is not None:
            out["pay"] = {"min": _plain(self.pay.min), "max": _plain(self.pay.max),
                          "unit": self.pay.unit}
        if self.age is not None:
            out["age"] = {"min": self.age.min, "max": self.age.max}
        if self.quote is not None:
            out["quote"] = {"name": self.quote.name, "text": self.quote.text}
        share = SHARE_INTENTS.get(self.intent)
        if share is not None:
            # The contract knows seven intents: a share is "other" there, whose fields are all
            # null; what the share states goes in keys of its own (docs/parse-additions.md).
            out.update({k: None for k in _FIELDS if k not in _KEPT},
                       intent="other", share=share, resource=self.resource,
                       quantity=self.quantity)
        return out


def _plain(v: float | None) -> float | int | None:
    return int(v) if isinstance(v, float) and v.is_integer() else v


_FIELDS = tuple(f.name for f in fields(Parsed) if f.name not in _SHARE_FIELDS)
_KEPT = ("intent", "text", "intent_by", "quote")
