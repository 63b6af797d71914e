"""Matching what people can do with what employers need, and what a query asks for.

The trades come from parsers/data/jobs.txt: each line under a `family:` is one trade (its
words are synonyms: 叉车工 = 叉车司机), and `#~ TRADE: cue …` lines are what people say they
can do or hold (会开叉车, 有叉车证). A posting and an offer or a query of one trade fit fully,
of one family partly, of two families not at all, whatever their words share: a forklift
driver is offered the 叉车工 post, not packing, a kitchen or rebar. Place, dates, shift,
settlement and pay unit add to (or, where they clash, take from) the fit.

Also here: the days a query asks about (周末, 明天, 这周), the board and shift it wants, and
putting an employer in touch with an offer (`put_in_touch`).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from importlib import resources
from typing import Protocol, TypeVar

from rapidfuzz import fuzz

from bot import replies
from bot.context import Ctx
from bot.types import Reply
from parsers.fields.dates import find_dates
from parsers.lexicon import NOT_JOBS, Lexicon
from storage.models import Posting


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
    @property
    def start_date(self) -> date | None: ...
    @property
    def pay_unit(self) -> str | None: ...


P = TypeVar("P", bound=Fits)


# -- the trades -----------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Trade:
    """One line of jobs.txt: a trade, named by its first word, in its family."""

    name: str
    family: str


class Trades:
    """Every job word and cue of jobs.txt, each to its trade; finds the trades in a text."""

    def __init__(self, words: dict[str, Trade]) -> None:
        self.words = words
        self.rx = re.compile("|".join(map(re.escape, sorted(words, key=len, reverse=True))))

    @classmethod
    def parse(cls, text: str) -> Trades:
        words: dict[str, Trade] = {}
        cues: list[tuple[str, list[str]]] = []
        family = ""
        for raw in text.splitlines():
            line = raw.strip()
            if line.startswith("#~"):
                name, _, rest = line[2:].partition(":")
                cues.append((name.strip(), rest.split()))
                continue
            if not line or line.startswith("#"):
                continue
            if line.startswith("family:"):
                family = line.split(":", 1)[1].strip()
                continue
            ws = line.split()
            trade = Trade(ws[0], family)
            for w in ws:
                words.setdefault(w, trade)
        for name, ws in cues:
            if name not in words:
                raise ValueError(f"jobs.txt: cues for {name!r}, a word of no trade line")
            for w in ws:
                words.setdefault(w, words[name])
        return cls(words)

    def _named(self, text: str | None) -> list[Trade]:
        """The trades a text names, in order (as written; 建筑工地 is a site, not 建筑工)."""
        out = []
        for m in self.rx.finditer(text or ""):
            w = m.group(0)
            if w in NOT_JOBS or (w.endswith("工") and text[m.end():m.end() + 1]  # type: ignore[index]
                                 in ("地", "厂", "资", "作", "钱", "会")):
                continue
            out.append(self.words[w])
        return out

    def find(self, *texts: str | None) -> frozenset[Trade]:
        """Every trade the texts name."""
        return frozenset(t for text in texts for t in self._named(text))

    def family(self, *texts: str | None) -> str | None:
        """The family of the first trade named, or None."""
        return next((t.family for text in texts for t in self._named(text)), None)


@functools.cache
def trades() -> Trades:
    """The trades of parsers/data/jobs.txt, read once."""
    return Trades.parse(resources.files("parsers").joinpath("data", "jobs.txt")
                        .read_text(encoding="utf-8"))


def posting_trades(p: Fits) -> frozenset[Trade]:
    """A posting's trades: from its job and task, else its licence (需叉车证), else its text
    (有没有会开叉车的？仓库缺一个 names no job, but its trade all the same)."""
    t = trades()
    return (t.find(p.job, p.task) or t.find(getattr(p, "licence", None))
            or t.find(getattr(p, "text", None)))


def offer_trades(o: Fits) -> frozenset[Trade]:
    """What an offer says its people can do: every trade in its job, task, licence and text
    (我们班组木工瓦工都会: both)."""
    return trades().find(o.job, o.task, getattr(o, "licence", None), getattr(o, "text", None))


# -- what is wanted -------------------------------------------------------------------------
BOARD_WORDS = {"包吃住": "meals+lodging", "管吃住": "meals+lodging", "包食宿": "meals+lodging",
               "提供食宿": "meals+lodging", "吃住全包": "meals+lodging",
               "包住": "lodging", "管住": "lodging", "有宿舍": "lodging", "提供住宿": "lodging",
               "包吃": "meals", "管吃": "meals", "包饭": "meals", "管饭": "meals",
               "包三餐": "meals", "包工作餐": "meals"}
# What each board wanted is met by.
BOARD_MEETS = {"meals+lodging": {"meals+lodging"}, "lodging": {"lodging", "meals+lodging"},
               "meals": {"meals", "meals+lodging"}}
SHIFT_WORDS = {"夜班": "night", "晚班": "night", "通宵": "night", "长白班": "day", "白班": "day",
               "日班": "day", "两班倒": "rotating", "三班倒": "rotating", "倒班": "rotating",
               "轮班": "rotating"}
_BOARD_RX = re.compile("|".join(sorted(BOARD_WORDS, key=len, reverse=True)))
_SHIFT_RX = re.compile("|".join(sorted(SHIFT_WORDS, key=len, reverse=True)))
# 不上夜班, 不要包吃: refused (but 有没有包吃住, 是不是夜班 ask for it).
_NEGATED = re.compile(r"(?:(?<![是有要])不(?:要|想|上|做|干|用)?|(?<!有)没有|别)\s*$")


def board_wanted(text: str) -> str | None:
    m = _BOARD_RX.search(text)
    return BOARD_WORDS[m.group(0)] if m and not _NEGATED.search(text[:m.start()]) else None


def shift_wanted(text: str) -> tuple[str | None, str | None]:
    """(the shift asked for, the shift refused): 有夜班吗 → night; 不上夜班的 → refuses night."""
    m = _SHIFT_RX.search(text)
    if not m:
        return None, None
    if _NEGATED.search(text[:m.start()]):
        return None, SHIFT_WORDS[m.group(0)]
    return SHIFT_WORDS[m.group(0)], None


def board_of(p: Fits) -> str | None:
    """A posting's board: its own field, else the words in its text where that was loaded."""
    own = getattr(p, "board", None)
    return own or board_wanted(getattr(p, "text", "") or "")


def shift_of(p: Fits) -> str | None:
    own = getattr(p, "shift", None)
    return own or shift_wanted(getattr(p, "text", "") or "")[0]


@dataclass(frozen=True)
class Days:
    """The days a query asks about, and how it named them (周末, 明天, 3月8日)."""

    start: date
    end: date
    label: str


_WD = "[一二三四五六日天1-7末]"
_NEXT_WEEKEND = re.compile(r"下个?(?:周末|星期六日|礼拜六日)")
_WEEKEND = re.compile(r"周末|双休|星期六日|礼拜六日|星期六星期天|周六日")
_NEXT_WEEK = re.compile(rf"下个?(?:周|星期|礼拜)(?!{_WD})")
_THIS_WEEK = re.compile(rf"(?:这|本|这个)(?:周|星期|礼拜)(?!{_WD})")
_NAMED = {0: "今天", 1: "明天", 2: "后天"}


def days_asked(text: str, today: date) -> Days | None:
    """The days a query is about, or None when it names none.

    周末 is this Saturday and Sunday (today on a Sunday); 这周 today to Sunday; 下周 and 下周末
    the next ones; a day (明天, 周六, 3月8号) as the parser reads a start date, to its end
    date where one is given (明后两天).
    """
    monday = today - timedelta(days=today.weekday())
    if _NEXT_WEEKEND.search(text):
        return Days(monday + timedelta(days=12), monday + timedelta(days=13), "下周末")
    if _WEEKEND.search(text):
        return Days(max(today, monday + timedelta(days=5)), monday + timedelta(days=6), "周末")
    if _NEXT_WEEK.search(text):
        return Days(monday + timedelta(days=7), monday + timedelta(days=13), "下周")
    if _THIS_WEEK.search(text):
        return Days(today, monday + timedelta(days=6), "这周")
    start, end = find_dates(text, today)
    if start is None:
        return None
    end = end if end is not None and end >= start else start
    label = _NAMED.get((start - today).days, replies.day_text(start)) if start == end else ""
    return Days(start, end, label)


# A posting with a start date and no end runs on from it when it says so (3月4日起, 明天开始,
# 长期) or pays by the month; else it is work for that day (周六需要5个小工).
_RUNS_ON = re.compile(r"起|开始|长期|以后|之后|往后")


def on_days(p: Fits, days: Days) -> bool | None:
    """Whether a posting's dates meet the days asked; None when it has no dates."""
    start, end = p.start_date, getattr(p, "end_date", None)
    if start is None and end is None:
        return None
    if end is None and p.pay_unit != "month" and not _RUNS_ON.search(getattr(p, "text", "") or ""):
        end = start
    return (start or date.min) <= days.end and (end or date.max) >= days.start


@dataclass(frozen=True)
class Want:
    """What an offer or a query is after. Empty fields ask nothing."""

    job: str | None = None  # as written, for words the trades do not know
    trades: frozenset[Trade] = frozenset()
    location: str | None = None
    settlement: str | None = None
    days: Days | None = None
    board: str | None = None
    shift: str | None = None
    no_shift: str | None = None
    pay_unit: str | None = None

    @property
    def names_work(self) -> bool:
        return bool(self.job or self.trades)


def want_of_offer(o: Fits) -> Want:
    """What an offer's people can do and when, where and how they want to work."""
    start, end = o.start_date, getattr(o, "end_date", None)
    days = Days(start or date.min, end or date.max, "") if start or end else None
    return Want(job=o.job or o.task, trades=offer_trades(o), location=o.location,
                settlement=o.settlement, days=days, shift=getattr(o, "shift", None),
                pay_unit=o.pay_unit)


def want_of_query(text: str, *, job: str | None, location: str | None,
                  settlement: str | None, today: date) -> Want:
    """What a query (有夜班的活吗, 周末有什么活, 北仑有日结的叉车工吗) asks for."""
    shift, no_shift = shift_wanted(text)
    return Want(job=job, trades=trades().find(job, text), location=location,
                settlement=settlement, days=days_asked(text, today), board=board_wanted(text),
                shift=shift, no_shift=no_shift)


# -- scoring --------------------------------------------------------------------------------
def job_fit(p: Fits, want: Want, lex: Lexicon) -> float:
    """0..1: how well a posting's work is what is wanted. One trade 1, one family 0.7, two
    families 0; where either side names no known trade, the words as written."""
    if not want.names_work:
        return 0.0
    mine = posting_trades(p)
    if want.trades and mine:
        if want.trades & mine:
            return 1.0
        if {t.family for t in want.trades} & {t.family for t in mine}:
            return 0.7
        return 0.0
    pj = " ".join(x for x in (p.job, p.task) if x)
    if not pj or not want.job:
        return 0.0
    sim = fuzz.partial_ratio(want.job, pj) / 100
    fam = lex.family(want.job)
    if fam and fam == lex.family(p.job):
        sim = max(sim, 0.7)
    return sim


def _near(a: str | None, b: str | None) -> bool:
    return bool(a and b and (a in b or b in a))


def score(p: Fits, *, lex: Lexicon, job: str | None = None, location: str | None = None,
          settlement: str | None = None, want: Want | None = None) -> float:
    """How well a posting fits: about 0.2 (merely open) to 1.1. The work weighs most, then
    place, settlement, dates, shift and pay unit; clashing dates or shift take away.

    Give `want`, or the job, location and settlement alone (a Want is made of them).
    """
    w = want or Want(job=job, trades=trades().find(job), location=location,
                     settlement=settlement)
    s = 0.2 + 0.5 * job_fit(p, w, lex)
    if w.location and _near(w.location, p.location):
        s += 0.2
    if w.settlement and p.settlement == w.settlement:
        s += 0.1
    if w.days is not None:
        met = on_days(p, w.days)
        s += 0.05 if met else -0.2 if met is False else 0.0
    shift = getattr(p, "shift", None)
    if w.shift and shift:
        s += 0.05 if shift == w.shift else -0.2
    if w.pay_unit and p.pay_unit == w.pay_unit:
        s += 0.05
    return s


def meets(p: Fits, want: Want) -> bool:
    """Whether a posting meets every filter a query states (the work is scored, not here)."""
    if want.settlement and p.settlement != want.settlement:
        return False
    if want.location and not _near(want.location, p.location):
        return False
    if want.days is not None and on_days(p, want.days) is False:
        return False
    if want.board and board_of(p) not in BOARD_MEETS[want.board]:
        return False
    shift = shift_of(p)
    if want.shift and shift != want.shift:
        return False
    return not (want.no_shift and shift == want.no_shift)


def best(postings: Iterable[P], *, lex: Lexicon, job: str | None = None,
         location: str | None = None, settlement: str | None = None, limit: int,
         strict: bool, want: Want | None = None) -> list[P]:
    """The best `limit` postings. `strict` (a query) drops ones that miss a stated filter or
    whose work is not what was asked: another trade where both are known, else a weak fit."""
    w = want or Want(job=job, trades=trades().find(job), location=location,
                     settlement=settlement)
    scored = []
    for p in postings:
        if strict:
            if not meets(p, w):
                continue
            if w.names_work:
                if not (p.job or p.task or posting_trades(p)):
                    continue
                fit = job_fit(p, w, lex)
                if fit < (0.9 if w.trades and posting_trades(p) else 0.7):
                    continue
        sc = score(p, lex=lex, want=w)
        scored.append((sc, p.id or 0, p))
    scored.sort(key=lambda t: (-t[0], -t[1]))
    return [p for _, _, p in scored[:limit]]


# -- putting an employer in touch with an offer ---------------------------------------------
def offer_what(o: Posting) -> str:
    """An offer named for the employer: 老刘（6人，木工瓦工）, 小刘（1人，有叉车证）."""
    bits = [f"{o.headcount}人" if o.headcount else None, o.job or o.task,
            f"有{o.licence}" if o.licence else None]
    inner = "，".join(x for x in bits if x)
    return f"{o.poster_name or '对方'}（{inner}）" if inner else (o.poster_name or "对方")


def put_in_touch(ctx: Ctx, offer: Posting) -> list[Reply]:
    """Someone answers offer `offer` (`#联系 N`, or `报名 N` on an offer): each side is told,
    privately, how to reach the other (the offerer's contact to the asker, the asker's to the
    offerer: from their newest posting that has one); a group hears only that they were.
    Without direct messages both are mentioned in the group, no number said."""
    me = ctx.msg.sender_id
    n = offer.id or 0
    if offer.kind != "offer":
        return [ctx.say(replies.contact_is_a_job(n))]
    if offer.poster_id == me:
        return [ctx.say(replies.contact_own_offer(n))]
    if offer.status != "open":
        return [ctx.say(replies.offer_not_open(n))]
    mine = [p for p in ctx.repo.postings_by(me) if p.kind == "job"]
    job = mine[-1] if mine else None
    if job is not None:  # the pair is put together: no later notice of it
        ctx.repo.record_match(job.id or 0, n, now=ctx.now())
    if not ctx.can_direct:
        return [ctx.say(replies.touch_in_group(n), mentions=(me, offer.poster_id))]
    contact = next((p.contact for p in reversed(mine) if p.contact), None)
    asker = ctx.msg.sender_name or "一位老板"
    work = " ".join(x for x in (job.employer, job.job or job.task) if x) if job else None
    out = [ctx.dm(me, replies.touch_asker(n, offer_what(offer), offer.contact,
                                          mine=contact is not None)),
           ctx.dm(offer.poster_id, replies.touch_offerer(n, asker, work, contact))]
    if ctx.group is not None:
        out.append(ctx.say(replies.touch_done(n), mentions=(me,)))
    return out
