"""The wish wall (心愿墙, issue 28): workers' wishes for training, jobs and services are filed
as wishes, not as requests with deadlines, grouped into lines of the needs list (需求清单,
W-numbers), and a cadre's `#供给` answers a line and tells everyone who wished it, privately.

What makes a wish is data (bot/data/wish_words.txt): wish wording and a service the union
could offer, and no wrong to fix. Topics are data too (bot/data/wish_topics.txt). Nobody in a
workers' group ever hears who wished what: acknowledgements go privately (in the group only a
note with nothing of the wish), `#心愿墙` shows topics and counts, names only to cadres.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta
from functools import cache
from pathlib import Path

from rapidfuzz import fuzz

from bot import replies
from bot.context import Ctx
from bot.handlers.common import UsageError
from bot.permissions import is_cadre
from bot.router import Router
from bot.types import Reply
from parsers.fields.dates import find_dates
from storage.models import WishLine
from storage.personal import ERASED
from storage.wishes import WallLine

router = Router("wishes")

DATA = Path(__file__).resolve().parent.parent / "data"
MAX_WISH_CHARS = 200  # a longer message is no wish: it tells a story, a cadre should read it
SIMILAR = 72  # rapidfuzz score at which a wish without a topic word joins a line
WALL_LINES = 20  # lines shown by #心愿墙 (the rest counted)
# An answered line without a date takes new wishes (told the supply at once) this long.
SUPPLY_FRESH = timedelta(days=30)
# The parser's readings that keep a message a request, whatever its words (parse.md): a
# danger, a worker's rights, and transport (a bus line is the transport office's to open).
GRIEVANCE_CATEGORIES = frozenset({"安全隐患", "劳动权益", "交通出行"})
GRIEVANCE_URGENCY = frozenset({"urgent", "hard"})
_COMMENT = re.compile(r"\s{2,}#.*$|\t#.*$")


def _sections(name: str) -> dict[str, list[str]]:
    """A data file's sections: `[name]` headers, one entry a line; `re: X` a pattern, other
    lines words (escaped); comment lines and `  # example` tails dropped."""
    out: dict[str, list[str]] = {}
    section = ""
    for raw in (DATA / name).read_text(encoding="utf-8").splitlines():
        line = _COMMENT.sub("", raw).strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("[") and line.endswith("]"):
            section = line[1:-1].strip()
            out.setdefault(section, [])
            continue
        out.setdefault(section, []).append(
            line[3:].strip() if line.startswith("re:") else re.escape(line))
    return out


@dataclass(frozen=True)
class Words:
    wish: re.Pattern[str]
    wish_request: re.Pattern[str]  # wording that makes a wish of a parsed request only
    service: re.Pattern[str]
    wrong: re.Pattern[str]
    question: re.Pattern[str]
    topics: tuple[tuple[str, re.Pattern[str]], ...]


@cache
def words() -> Words:
    w = _sections("wish_words.txt")
    t = _sections("wish_topics.txt")

    def rx(entries: list[str]) -> re.Pattern[str]:
        return re.compile("|".join(f"(?:{e})" for e in entries))

    return Words(rx(w["wish"]), rx(w["wish.request"]), rx(w["service"]), rx(w["wrong"]),
                 rx(w["question"]),
                 tuple((topic, rx(entries)) for topic, entries in t.items() if topic))


def names_a_wrong(text: str) -> bool:
    return words().wrong.search(text) is not None


def is_wish(text: str, category: str | None = None, urgency: str | None = None,
            intent: str = "request") -> bool:
    """Whether a message the parser read as a request (or as nothing: `intent` other) is a
    wish: wish wording and a service the union could offer, no wrong to fix and no question
    that wants an answer now. Conservative: a grievance filed as a wish would lose its
    deadline, a wish filed as a request does not."""
    if len(text) > MAX_WISH_CHARS or category in GRIEVANCE_CATEGORIES \
            or urgency in GRIEVANCE_URGENCY:
        return False
    w = words()
    worded = w.wish.search(text) is not None or (
        intent == "request" and w.wish_request.search(text) is not None)
    return (worded and w.service.search(text) is not None and w.wrong.search(text) is None
            and w.question.search(text) is None)


def topic_of(text: str) -> str | None:
    """The topic a wish names (the first section of wish_topics.txt with a word in it)."""
    for topic, rx in words().topics:
        if rx.search(text):
            return topic
    return None


_WISH_HEAD = re.compile(
    r"^(?:我们?|大家|咱们)?(?:都|也|很|特别|真)?(?:希望|盼望|期待|想要?|建议|求|要是能|如果能|能不能|"
    r"可不可以|能否|有没有)?(?:工会|厂里|公司|单位|街道|社区)?(?:能|可以)?(?:给|帮|为)?"
    r"(?:我们|大家)?(?:多|再)?(?:组织|办|开|搞|举办|安排|有)?(?:一?个|一次|一期|一场|点)?")
_WISH_TAIL = re.compile(r"(?:就好了|吧|啊|呀|呢|哈|[，。！？!?,.~～ ]+)+$")


def fallback_topic(text: str) -> str:
    """A topic for a wish that names none: the wish without its wording, cut short."""
    core = _WISH_TAIL.sub("", _WISH_HEAD.sub("", text.strip(), count=1))
    core = re.split(r"[，,。！？!?；;]", core)[0].strip() or text.strip()
    return core[:12]


def line_for(ctx: Ctx, text: str) -> tuple[WishLine | None, str]:
    """The line a wish goes on (None: a new one) and the topic of a new one. A topic word
    decides; without one, the line whose wishes read most like this one (rapidfuzz)."""
    lines = [ln for ln in ctx.repo.wish_lines() if _current(ctx, ln)]
    topic = topic_of(text)
    if topic is not None:
        same = [ln for ln in lines if ln.topic == topic]
        return (same[-1] if same else None), topic
    known = {t for t, _ in words().topics}
    best, score = None, 0.0
    for ln in lines:
        if ln.topic in known:
            continue  # a line of a named topic takes only wishes that name it
        texts = [ln.topic, *(w.text for w in ctx.repo.wishes_of(ln.id or 0))]
        s = max(fuzz.partial_ratio(fallback_topic(text), fallback_topic(t)) for t in texts)
        if s > score:
            best, score = ln, s
    if best is not None and score >= SIMILAR:
        return best, best.topic
    return None, fallback_topic(text)


def _current(ctx: Ctx, ln: WishLine) -> bool:
    """Whether a line still takes wishes: open, or answered with a supply still to come (a
    wish after the training was held opens a new line of the same topic)."""
    if ln.status != "answered":
        return True
    now = ctx.now()
    if ln.supply_date is not None:
        return ln.supply_date >= ctx.local(now).date()
    return ln.supplied_at is not None and now - ln.supplied_at < SUPPLY_FRESH


def wall_line(ctx: Ctx, number: int) -> WallLine:
    return next(ln for ln in ctx.repo.wish_wall() if ln.number == number)


def supply_text(ln: WishLine | WallLine) -> str:
    return ln.supply_text or ""


def file_wish(ctx: Ctx, text: str) -> list[Reply]:
    """File a wish on its line and answer the wisher: privately where the transport can
    (the group hears nothing), else in the group, naming them and nothing of the wish."""
    line, topic = line_for(ctx, text)
    line, _wish, again = ctx.repo.add_wish(
        line=line, topic=topic, now=ctx.now(), wisher_id=ctx.msg.sender_id,
        wisher_name=ctx.msg.sender_name, group_id=ctx.group.id if ctx.group else None,
        via="group" if ctx.group else "direct", text=text, message_id=ctx.row.id)
    figures = wall_line(ctx, line.id or 0)
    if figures.status == "answered":
        ctx.repo.mark_wishes_told([_wish], ctx.now())
        answer = replies.wish_noted_supplied(figures.number, figures.topic, figures.people,
                                             supply_text(figures))
    else:
        answer = replies.wish_noted(figures.number, figures.topic, figures.people, again)
    me = ctx.msg.sender_id
    if ctx.group is None:
        return [ctx.say(answer)]
    if ctx.can_direct:
        # Privately, and not a word in the group: not even a note naming the wisher.
        return [ctx.dm(me, answer)]
    return [ctx.say(replies.wish_noted_here(), mentions=(me,))]


@router.first
def on_wish(ctx: Ctx) -> list[Reply] | None:
    """A request (or a message of no intent) worded as a wish, naming no wrong: a wish."""
    p = ctx.parsed
    if p is None or p.intent not in ("request", "other") or p.quote is not None:
        return None
    text = (ctx.msg.text or "").strip()
    if not is_wish(text, p.category, p.urgency, p.intent):
        return None
    return file_wish(ctx, text)


@router.command("心愿", permission="member", help="许个心愿：想要的培训、服务、岗位，工会汇总后安排",
                usage="#心愿 内容，如：#心愿 想学叉车，希望组织叉车证培训")
def cmd_wish(ctx: Ctx) -> list[Reply]:
    text = ctx.raw_args.strip()
    if not text:
        raise UsageError()
    if names_a_wrong(text):
        return [ctx.say(replies.wish_is_grievance())]
    return file_wish(ctx, text)


@router.command("心愿墙", permission="member", help="看大家的心愿（需求清单）；干部加“详细”看许愿人",
                usage="#心愿墙 [详细]")
def cmd_wall(ctx: Ctx) -> Reply:
    arg = ctx.args.strip()
    if arg not in ("", "详细", "全部"):
        raise UsageError()
    lines = [ln for ln in ctx.repo.wish_wall() if ln.people]
    if arg:
        if not is_cadre(ctx.msg.sender_id, ctx.repo, ctx.config):
            return ctx.say(replies.no_permission(f"心愿墙 {arg}", "cadre"))
        if not lines:
            return ctx.say(replies.wish_wall_empty())
        return ctx.say(replies.wish_wall_detail([_detail(ctx, ln) for ln in lines]),
                       audience="cadres")
    if not lines:
        return ctx.say(replies.wish_wall_empty())
    # Waiting lines first, the most wanted on top; then those already answered.
    lines.sort(key=lambda ln: (ln.status == "answered", -ln.people, ln.number))
    shown = [replies.wish_wall_line(ln.number, ln.topic, ln.people, ln.supply_date,
                                    ln.status == "answered") for ln in lines[:WALL_LINES]]
    return ctx.say(replies.wish_wall(shown, len(lines) - len(shown)))


def _detail(ctx: Ctx, ln: WallLine) -> str:
    wishes = [(replies.wisher_erased() if w.wisher_id.startswith(ERASED)
               else w.wisher_name or w.wisher_id, f"{ctx.local(w.created_at):%m-%d}", w.text)
              for w in ctx.repo.wishes_of(ln.number)]
    return replies.wish_wall_detail_line(ln.number, ln.topic, ln.people,
                                         ln.status == "answered", ln.supply_text, wishes)


_W_REF = re.compile(r"^\s*[WwＷｗ]?\s*(\d{1,9})(?!\d)\s*(.*)$", re.S)


@router.command("供给", permission="cadre", help="答复一条心愿：记下安排，私信告诉每个许愿的人（干部）",
                usage="#供给 W编号 日期 安排，如：#供给 W2 12月20日 叉车证培训，地点…")
def cmd_supply(ctx: Ctx) -> list[Reply]:
    m = _W_REF.match(ctx.raw_args)
    if m is None or not m.group(2).strip():
        raise UsageError()
    number, text = int(m.group(1)), m.group(2).strip()
    line = ctx.repo.wish_line(number)
    if line is None:
        return [ctx.say(replies.no_such_wish_line(number))]
    now = ctx.now()
    day, _ = find_dates(text, ctx.local(now).date())
    again = line.status == "answered"
    before = {"status": line.status, "date": line.supply_date, "supply": line.supply_text}
    ctx.repo.answer_wish_line(line, supply_date=day, text=text, by=ctx.msg.sender_id, now=now)
    wishes = [w for w in ctx.repo.wishes_of(number) if not w.wisher_id.startswith(ERASED)]
    out: list[Reply] = []
    # One message a person, however often they wished it: privately where the transport
    # can; else one line in each group they wished in, naming them and nothing of the wish.
    people: dict[str, int | None] = {}
    for w in wishes:
        people.setdefault(w.wisher_id, w.group_id if w.via == "group" else None)
    private, by_group = [], {}
    for who, group_id in people.items():
        if ctx.can_direct:
            private.append(who)
            out.append(ctx.dm(who, replies.wish_supplied(number, line.topic, text)))
        elif group_id is not None and ctx.repo.group(group_id) is not None:
            by_group.setdefault(group_id, []).append(who)
    for group_id, who in by_group.items():
        out.append(Reply(text=replies.wish_answered_in_group(), group=group_id,
                         mentions=tuple(who), reply_to=ctx.msg.message_id))
    ctx.repo.mark_wishes_told(wishes, now)
    ctx.repo.audit(actor_id=ctx.msg.sender_id, action="供给", now=now,
                   group_id=ctx.group.id if ctx.group else None, target=f"W{number}",
                   before=before, after={"status": "answered", "date": day, "supply": text,
                                         "told": len(private),
                                         "told_in_group": sum(map(len, by_group.values()))})
    told_in_group = sum(len(v) for v in by_group.values())
    return [ctx.say(replies.wish_supply_recorded(number, line.topic, len(private),
                                                 told_in_group, again)), *out]
