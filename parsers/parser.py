"""The parser: normalise, classify, then read the fields that apply to the intent."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from parsers.fields.dates import find_dates
from parsers.fields.money import find_pay, find_settlement
from parsers.fields.numbers import arabize
from parsers.fields.people import count_taking_part, find_headcount
from parsers.fields.phone import all_phone_spans, find_phone
from parsers.fields.places import find_location
from parsers.fields.requests import find_category, find_urgency
from parsers.fields.shares import find_quantity, find_resource
from parsers.fields.terms import find_age, find_board, find_gender, find_licence, find_shift
from parsers.fields.work import find_employer, find_job, find_task
from parsers.intent import COMMAND, Facts, classify
from parsers.intent_model import IntentModel
from parsers.intent_rules import COMMAND_RULE, rule_note
from parsers.lexicon import Lexicon
from parsers.models import SHARE_INTENTS, Parsed, Pay
from parsers.normalize import Normalized, normalize
from parsers.rules import Decision

_REF = re.compile(r"(?:[#＃]|No\.?\s*|[Rr]\s*)(\d{1,6})(?!\d)|"
                  r"(?<![\d.])(\d{1,6})\s*号(?!\s*(?:线|楼|门|地铁))", re.I)
# A figure followed by a person counter is a headcount, not a number (but 人数 and 名额 are
# field names: #修改 3 人数 8).
_NOT_REF = r"(?!\s*(?:个|人(?!数)|名(?!额)|位|天|元|块|月))"
_BARE_REF = re.compile(rf"(?:报名|取消报名|接)\s*(\d{{1,6}}){_NOT_REF}")
# A marked number (R11, #12, No.3) is a reference whatever follows it (#派单 R11 人社局); a bare
# one is not when a count word follows (#报名 5 3人 has the count 3 after the ref 5).
_CMD_REF = re.compile(rf"^\s*(?:(?:[Rr#]|No\.?)\s*(\d{{1,6}})(?!\d)|"
                      rf"(\d{{1,6}})(?!\d){_NOT_REF})", re.I)
# Dialect the rules read as Mandarin (the body keeps what was written): 俺们 = 我们 in the north,
# 没得 = 没有 and 啥子 = 什么 in Sichuan and Chongqing.
_DIALECT_WORDS = {"俺们": "我们", "俺": "我", "明儿个": "明天", "明儿": "明天", "今儿个": "今天",
                  "今儿": "今天",
                  "后儿个": "后天", "咋办": "怎么办", "咋整": "怎么办", "没得": "没有",
                  "莫得": "没有",
                  "啥子": "什么", "晓得": "知道"}
_DIALECT = re.compile("|".join(sorted(_DIALECT_WORDS, key=len, reverse=True)))
_FIELDS_FOR = {
    "job_post": {"headcount", "job", "task", "employer", "location", "pay", "settlement",
                 "start_date", "end_date", "contact", "age", "gender", "board", "shift",
                 "licence"},
    # An offer states no board: what the employer provides is a post's term (parse.md).
    "labor_offer": {"headcount", "job", "task", "location", "pay", "settlement", "start_date",
                    "end_date", "contact", "age", "gender", "shift", "licence"},
    "claim": {"headcount", "location", "contact", "ref"},
    "request": {"location", "contact", "category", "urgency"},
    "query": {"job", "location", "settlement", "contact"},
    "command": {"ref", "command"},
    "other": set(),
    # A shared resource: no headcount, no pay (接待3桌 has neither), only where and who.
    "share_need": {"location", "contact", "start_date", "end_date"},
    "share_offer": {"location", "contact", "start_date", "end_date"},
}


def _share_fields(work: str) -> dict[str, object]:
    """The resource a share names and its quantity (3桌: 3 and 桌)."""
    found = find_resource(work)
    if found is None:
        return {}
    q = find_quantity(work, found[1])
    return {"resource": found[0], "quantity": q.text if q else None,
            "quantity_number": q.number if q else None, "quantity_unit": q.unit if q else None}


def _blank(text: str, spans: Iterable[tuple[int, int]]) -> str:
    chars = list(text)
    for a, b in spans:
        for i in range(a, b):
            chars[i] = " "
    return "".join(chars)


def prepare(text: str) -> tuple[Normalized, str, str]:
    """The message normalised, flattened to one line, and the working text the rules read.

    In the working text, figures inside phone numbers are blanked (they are no headcount or
    pay), numerals are digits, and dialect words read as Mandarin. The intent model is trained
    on the same working text (tools/train_intent.py).
    """
    norm = normalize(text or "")
    flat = norm.text.replace("\n", "，")
    work = _DIALECT.sub(lambda m: _DIALECT_WORDS[m.group(0)],
                        arabize(_blank(flat, all_phone_spans(flat))))
    return norm, flat, work


@dataclass(frozen=True)
class Explanation:
    """Why a message parsed as it did (`daqiao parse --explain`)."""

    parsed: Parsed
    rules: Decision  # the rules' own intent, the deciding rule and those it overruled
    # The intent model's probabilities, when it was consulted (IntentModel.consulted) and knew
    # an n-gram of the message; None for commands, quoted replies, long texts and without it.
    model: dict[str, float] | None

    def lines(self) -> list[str]:
        """A reader's account, one line a fact (English; the message itself as written)."""
        p = self.parsed
        out = [f"intent: {p.intent} (by {p.intent_by})",
               f"rules say: {self.rules.intent} by rule {self.rules.rule}"
               + (f" — {why}" if (why := rule_note(self.rules.rule)) else "")]
        if self.rules.overruled:
            out.append("also fired, overruled: " + ", ".join(self.rules.overruled))
        if self.model:
            top = sorted(self.model.items(), key=lambda kv: -kv[1])[:3]
            out.append("model: " + ", ".join(f"{k} {v:.2f}" for k, v in top))
        elif self.rules.final:
            out.append(f"model: not asked ({self.rules.rule} is final)")
        facts = {k: v for k, v in p.to_json().items()
                 if v is not None and k not in ("intent", "intent_by", "text", "quote")}
        if facts:
            out.append("fields: " + json.dumps(facts, ensure_ascii=False))
        return out


class Parser:
    """A loaded parser. Build once with `Parser.load()`, then call `parse` per message."""

    def __init__(self, lexicon: Lexicon, model: IntentModel | None = None) -> None:
        self.lex = lexicon
        self.model = model

    @classmethod
    def load(cls, places: Iterable[str] = (), jobs: Iterable[str] = (), *,
             model: bool = True) -> Parser:
        """Load the lexicon (with a deployment's places and jobs) and, unless `model` is
        False, the intent model that may overrule the rules on short messages."""
        return cls(Lexicon.load(extra_places=places, extra_jobs=jobs),
                   IntentModel.load() if model else None)

    def request_fields(self, text: str) -> tuple[str, str]:
        """(category, urgency) of a text filed explicitly as a request (#诉求 TEXT)."""
        work = arabize(normalize(text).text.replace("\n", "，"))
        return find_category(work), find_urgency(work)

    def facts(self, text: str, *, now: datetime | date | None = None) -> Facts:
        """The facts the intent rules read off a message, as `parse` reads them."""
        norm, _, work = prepare(text)
        return self._facts(norm, work, now, find_job(work, self.lex), find_pay(work),
                           find_headcount(work, job_words=self.lex.job_rx))

    def _facts(self, norm: Normalized, work: str, now: datetime | date | None,
               job: str | None, pay: Pay | None, headcount: int | None) -> Facts:
        quote = norm.quote
        # A wage the rules read has a figure: 计件 alone (a piece rate of no stated amount) is
        # no pay to them, as before parse.md gave it a unit.
        if pay is not None and pay.min is None:
            pay = None
        return Facts(work, self.lex, has_job=job is not None, has_pay=pay is not None,
                     headcount=headcount, piece_rate=pay is not None and pay.unit == "piece",
                     quoted=None if quote is None
                     else lambda: self._parse(quote.text, now, explain=False)[0].intent)

    def explain(self, text: str, *, now: datetime | date | None = None) -> Explanation:
        """The parse, with the rule that decided, the rules it overruled and the model's view."""
        parsed, decision, consulted = self._parse(text, now, explain=True)
        probs = self.model.proba(prepare(text)[2]) if consulted and self.model else None
        return Explanation(parsed, decision, probs)

    def parse(self, text: str, *, now: datetime | date | None = None) -> Parsed:
        """What the message is and what it states (shared/spec/parse.md)."""
        return self._parse(text, now, explain=False)[0]

    def _parse(self, text: str, now: datetime | date | None,
               explain: bool) -> tuple[Parsed, Decision, bool]:
        """The parse, the rules' decision (with `explain`, the rules it overruled too), and
        whether the intent model was consulted."""
        today = (now.date() if isinstance(now, datetime) else now) or date.today()
        norm, flat, work = prepare(text)
        body = norm.text
        phone = find_phone(flat)
        m = COMMAND.match(work)
        if m:
            args = work[m.end():].strip()
            rm = _CMD_REF.match(args) or _REF.search(args)
            ref = int(next(g for g in rm.groups() if g)) if rm else None
            return Parsed(intent="command", text=body, intent_by=f"rule:{COMMAND_RULE}",
                          command=m.group(1), args=args, ref=ref, quote=norm.quote), \
                Decision("command", COMMAND_RULE), False
        job = find_job(work, self.lex)
        pay = find_pay(work)
        headcount = find_headcount(work, job_words=self.lex.job_rx)
        decision = classify(self._facts(norm, work, now, job, pay, headcount),
                            has_quote=norm.quote is not None, explain=explain)
        intent, rule = decision.intent, decision.rule
        model = self.model if (self.model is not None and not decision.final
                               and self.model.consulted(norm, intent)) else None
        consulted = model is not None
        overruled = model.overrule(norm, work, intent) if model is not None else None
        intent = overruled or intent
        intent_by = "model" if overruled else f"rule:{rule}"
        want = _FIELDS_FOR[intent]
        if intent == "other":
            return Parsed(intent="other", text=body, intent_by=intent_by, quote=norm.quote), \
                decision, consulted
        location = find_location(work, self.lex) if "location" in want else None
        employer = find_employer(work, self.lex, location) if "employer" in want else None
        start = end = None
        if "start_date" in want:
            start, end = find_dates(work, today)
        ref = None
        work_hc = work
        if "ref" in want:
            rm = (_REF.search(work) or _BARE_REF.search(work)
                  or re.fullmatch(r"\s*(\d{1,6})\s*", work))
            if rm:
                ref = int(next(g for g in rm.groups() if g))
                # The posting number is not a figure of the count: 报名 1 3人, 12号 2个人.
                work_hc = _blank(work, [rm.span()])
        if intent in ("claim", "labor_offer"):
            headcount = count_taking_part(work, find_headcount(work_hc, job_words=self.lex.job_rx))
        return Parsed(
            intent=intent,
            text=body,
            intent_by=intent_by,
            headcount=headcount if "headcount" in want else None,
            job=job if "job" in want else None,
            task=find_task(work, self.lex, job, employer, location) if "task" in want else None,
            employer=employer,
            location=location,
            pay=pay if "pay" in want else None,
            settlement=find_settlement(work) if "settlement" in want else None,
            start_date=start,
            end_date=end,
            contact=phone[0] if phone and "contact" in want else None,
            age=find_age(work) if "age" in want else None,
            gender=find_gender(work) if "gender" in want else None,
            board=find_board(work) if "board" in want else None,
            shift=find_shift(work) if "shift" in want else None,
            licence=find_licence(work) if "licence" in want else None,
            ref=ref,
            category=find_category(work) if "category" in want else None,
            urgency=find_urgency(work) if "urgency" in want else None,
            quote=norm.quote,
            **(_share_fields(work) if intent in SHARE_INTENTS else {}),
        ), decision, consulted
