"""Opinions on a draft (征求意见): a cadre sends a draft to groups for comment, members answer
(by quoting it, by 意见：/建议… while it is open, or privately with its Y-number), each
opinion is confirmed to its author privately and never echoed in a group; cadres see them
(#意见 Yn), record each one's outcome and owner (#意见答复), and at the close (the deadline,
or #结束征求) a results message goes to every group the draft went to, each opinion
anonymised unless its author agreed to be named (storage.opinions.public_text).
"""

from __future__ import annotations

import logging
import re
from datetime import date, datetime, time, timedelta
from pathlib import Path

from bot import replies
from bot.context import Ctx
from bot.handlers.clock import ClockCtx
from bot.permissions import is_cadre
from bot.router import Router, has_prefix
from bot.types import Reply
from bot.workcal import routine_window
from parsers.normalize import clean
from storage import Repository
from storage.models import Consultation, Group, Opinion
from storage.opinions import OUTCOMES, group_ids_of, public_text

log = logging.getLogger(__name__)

router = Router("opinions")

DRAFT_SHOWN = 600  # characters of a draft posted in a group; the rest on request
DRAFT_FILE_MAX = 200_000  # bytes of a draft read from a file (console and replay only)
RESULTS_MAX = 3600  # a results message stays under WeChat's cut
DEFAULT_HOUR = time(18, 0)  # a deadline given as a day closes at this hour

# What marks a message as an opinion while a consultation is open in its group.
_OPINION_START = re.compile(
    r"^(?:我的|我有(?:个|一个|一点|几点|几条|条)?|提(?:个|一个|点|几点|条)?|再提?(?:一条|个)?)?"
    r"(?:意见|建议)")
# The label before an opinion, dropped from what is stored: 意见：, 我的意见是, 意见 Y1.
_LABEL = re.compile(
    r"^(?:我的|我有(?:个|一个|一点|几点|几条|条)?|提(?:个|一个|点|几点|条)?)?意见"
    r"(?:是|如下)?\s*(?:[Yy]\s*\d{1,9})?\s*[:：,，.。]?\s*")
_YREF = re.compile(r"^(?:我的|提)?(?:意见|建议)\s*[Yy]\s*(\d{1,9})(?!\d)\s*[:：,，.。]?\s*(.*)$",
                   re.S)
_NAMED = re.compile(r"[（(]?\s*(?:可以?署名|同意署名|愿意署名|署名可以)\s*[)）]?[。.!！]?")
# The line of dashes after a WeChat quote block: what follows is the reply as typed.
_AFTER_QUOTE = re.compile(r"[」\"”]\s*\n\s*(?:-\s*){3,}\n?")
# Consent given afterwards, privately: 可署名, 同意署名 Y1.
_CONSENT = re.compile(r"\s*(?:[Yy]\s*(?P<a>\d{1,9})\s*)?我?(?:同意|愿意)?可以?署名"
                      r"(?:\s*[Yy]\s*(?P<b>\d{1,9}))?\s*[。.!！]?\s*")
# The consultation a quoted bot message names: 【征求意见 Y1】 (its post, or its results).
_QUOTED = re.compile(r"征求意见\s*[Yy]\s*(\d{1,9})")

# The command's first line: groups (群：一群、二群) and a deadline (截止3月10日18:00).
_GROUPS = re.compile(r"(?:发到|群)\s*[:：]\s*(.*?)\s*(?=截止|$)")
_DATE = (r"(?:(?:(?P<y>\d{4})\s*[-年/.])?\s*(?P<m>\d{1,2})\s*[-月/.]\s*(?P<d>\d{1,2})\s*[日号]?"
         r"|(?P<rel>今天|明天|后天))")
_TIME = r"(?:\s*(?P<h>\d{1,2})\s*(?:[:：点时])\s*(?P<mi>\d{1,2})?\s*分?)?"
_DEADLINE = re.compile(r"(?:截止(?:时间|日期)?\s*(?:[:：到至])?\s*)" + _DATE + _TIME
                       + r"\s*(?:前|截止|为止)?")
_DEADLINE_END = re.compile(r"\s" + _DATE + _TIME + r"\s*(?:前|截止|为止)?\s*$")
_SPLIT = re.compile(r"[、,，/;；\s]+")


# -- opening a consultation ---------------------------------------------------------------
def _deadline(ctx: Ctx, m: re.Match[str]) -> datetime | None:
    today = ctx.local(ctx.now()).date()
    if m["rel"]:
        day = today + timedelta(days={"今天": 0, "明天": 1, "后天": 2}[m["rel"]])
    else:
        try:
            day = date(int(m["y"]) if m["y"] else today.year, int(m["m"]), int(m["d"]))
        except ValueError:
            return None
    at = DEFAULT_HOUR
    if m["h"] is not None:
        hour, minute = int(m["h"]), int(m["mi"] or 0)
        if hour > 23 or minute > 59:
            return None
        at = time(hour, minute)
    return datetime.combine(day, at, tzinfo=ctx.config.tz)


def _read_head(ctx: Ctx, typed: str) -> tuple[str, list[str] | None, datetime | None, bool]:
    """(title, group names or None, deadline, whether a deadline was written but unreadable)
    of the command's first line. It is read normalised (half-width figures and marks); the
    title is kept as typed where normalising kept the line's length (nearly always)."""
    line = clean(typed)
    same = len(line) == len(typed)
    names = None
    g = _GROUPS.search(line)
    if g:
        names = [n for n in _SPLIT.split(g.group(1)) if n]
        line = line[:g.start()] + line[g.end():]
        typed = typed[:g.start()] + typed[g.end():] if same else typed
    m = _DEADLINE.search(line) or _DEADLINE_END.search(line)
    deadline, bad = None, False
    if m:
        deadline = _deadline(ctx, m)
        bad = deadline is None
        line = line[:m.start()] + line[m.end():]
        typed = typed[:m.start()] + typed[m.end():] if same else typed
    title = (typed if same else line).strip(" \t，,。：:《》")
    return title, names, deadline, bad


def _draft(ctx: Ctx, body: str) -> tuple[str | None, Reply | None]:
    """The draft's text: the lines after the first, or (console and replay) a file they name."""
    body = body.strip()
    path = Path(body) if body and "\n" not in body and len(body) < 400 else None
    if path is not None and ctx.msg.transport in ("console", "replay") and (
            path.suffix.lower() in (".txt", ".md") or path.is_file()):
        try:
            with path.open("rb") as f:
                data = f.read(DRAFT_FILE_MAX)
            return data.decode("utf-8", errors="replace").strip(), None
        except OSError:
            return None, ctx.say(replies.consultation_file_unreadable(body))
    return body or None, None


def _targets(ctx: Ctx, names: list[str] | None) -> tuple[list[Group], Reply | None]:
    """The groups a consultation goes to: those named, else the group it is typed in."""
    if not names:
        if ctx.group is None or ctx.group.is_cadre_group:
            return [], ctx.say(replies.consultation_needs_groups())
        return [ctx.group], None
    found: list[Group] = []
    missing = []
    for n in dict.fromkeys(names):
        g = ctx.repo.group_by_name(n)
        if g is None and ctx.config.group(n) is not None:
            g = ctx.repo.ensure_group(n, transport=ctx.msg.transport, external_id=None,
                                      now=ctx.now(),
                                      is_cadre_group=bool(ctx.config.group(n).cadre_group))
        if g is None:
            missing.append(n)
        elif g.is_cadre_group:
            return [], ctx.say(replies.consultation_cadre_group(n))
        else:
            found.append(g)
    if missing:
        known = [g.name for g in ctx.repo.groups() if not g.is_cadre_group]
        known += [c.name for c in ctx.config.groups if not c.cadre_group and c.name not in known]
        return [], ctx.say(replies.consultation_unknown_groups(missing, known))
    return found, None


def _when(ctx: Ctx | ClockCtx, when: datetime | None, now: datetime) -> str | None:
    if when is None:
        return None
    tz = ctx.config.tz
    return replies.when_text(when.astimezone(tz), now.astimezone(tz).date())


@router.command("征求意见", permission="cadre",
                help="把征求意见稿发到群里收集意见（干部）",
                usage="#征求意见 标题 [截止时间] [群：一群、二群]，第二行起写内容")
def cmd_consult(ctx: Ctx) -> list[Reply]:
    raw = ctx.raw_args or ""
    first, _, body = raw.partition("\n")
    title, names, deadline, bad = _read_head(ctx, first.strip())
    if bad:
        return [ctx.say(replies.consultation_bad_deadline())]
    if not title:
        return [ctx.say(replies.consultation_usage())]
    now = ctx.now()
    if deadline is not None and deadline <= now:
        return [ctx.say(replies.consultation_past_deadline(_when(ctx, deadline, now) or ""))]
    draft, err = _draft(ctx, body)
    if err is not None:
        return [err]
    if not draft:
        return [ctx.say(replies.consultation_no_draft())]
    groups, err = _targets(ctx, names)
    if err is not None:
        return [err]
    c = ctx.repo.open_consultation(
        title=title[:128], text=draft, group_ids=[g.id or 0 for g in groups],
        created_by=ctx.msg.sender_id, created_by_name=ctx.msg.sender_name,
        deadline=deadline, message_id=ctx.row.id, now=now)
    number = c.id or 0
    ctx.repo.audit(actor_id=ctx.msg.sender_id, action="征求意见", now=now,
                   group_id=ctx.group.id if ctx.group else None, target=f"Y{number}",
                   after={"title": c.title, "groups": [g.name for g in groups],
                          "deadline": deadline.isoformat() if deadline else None})
    shown = draft[:DRAFT_SHOWN]
    text = replies.consultation_post(number, c.title, _when(ctx, deadline, now), shown,
                                     len(draft) > DRAFT_SHOWN, len(draft))
    out = [Reply(text=text, group=g.id, key=f"consultation:{number}:{g.id}") for g in groups]
    ack = replies.consultation_opened(number, c.title, [g.name for g in groups],
                                      _when(ctx, deadline, now))
    in_target = ctx.group is not None and any(g.id == ctx.group.id for g in groups)
    # In a workers' group the post itself answers; the cadre hears the rest privately.
    out.append(ctx.dm(ctx.msg.sender_id, ack) if in_target and ctx.can_direct
               else ctx.say(ack, audience="cadres") if not in_target else ctx.say(ack))
    return out


# -- collecting opinions ------------------------------------------------------------------
def _consent(text: str) -> tuple[str, bool]:
    """The opinion without its consent mark, and whether it gave consent to be named."""
    named = _NAMED.search(text) is not None and not re.search(r"不(?:要|用|愿意?)?署名", text)
    return _NAMED.sub("", text).strip(" \t\n，,。"), named


def _record(ctx: Ctx, c: Consultation, text: str, via: str) -> list[Reply]:
    """Store one opinion and confirm it to its author privately (never in the group)."""
    text = _LABEL.sub("", text, count=1).strip() or text.strip()
    text, named = _consent(text)
    if not text:
        return []
    op = ctx.repo.add_opinion(c, author_id=ctx.msg.sender_id, author_name=ctx.msg.sender_name,
                              group_id=ctx.group.id if ctx.group else None, via=via, text=text,
                              named=named, message_id=ctx.row.id, now=ctx.now())
    log.info("opinion %s on Y%s from %s", op.seq, c.id, ctx.msg.sender_id)
    return _tell(ctx, replies.opinion_received(c.id or 0, c.title, op.seq, named))


def _tell(ctx: Ctx, text: str) -> list[Reply]:
    """A word to the author alone: privately, or nothing where the transport cannot."""
    if ctx.group is None:
        return [ctx.say(text)]
    return [ctx.dm(ctx.msg.sender_id, text)] if ctx.can_direct else []


def _consent_later(ctx: Ctx, m: re.Match[str]) -> list[Reply] | None:
    """A private 可署名 (Yn): the author's opinions on that consultation, or on every one
    whose results have not gone out, will carry their name. None when they gave none."""
    number = m["a"] or m["b"]
    mine = [op for op in ctx.repo.opinions_by(ctx.msg.sender_id)
            if (int(number) == op.consultation_id if number else
                (c := ctx.repo.consultation(op.consultation_id)) is not None
                and c.results_sent_at is None)]
    if not mine:
        return None
    for op in mine:
        ctx.repo.name_opinion(op)
    ctx.repo.audit(actor_id=ctx.msg.sender_id, action="可署名", now=ctx.now(),
                   target=",".join(sorted({f"Y{op.consultation_id}" for op in mine}))[:64],
                   after={"opinions": [f"Y{op.consultation_id}-{op.seq}" for op in mine]})
    return [ctx.say(replies.opinion_named(sorted({op.consultation_id for op in mine}),
                                          len(mine)))]


def _quoted(ctx: Ctx) -> int | None:
    quote = ctx.parsed.quote if ctx.parsed is not None else None
    if quote is None:
        return None
    m = _QUOTED.search(quote.text)
    return int(m.group(1)) if m else None


@router.first
def on_opinion(ctx: Ctx) -> list[Reply] | None:
    """An opinion: a reply quoting a consultation, a message beginning 意见/建议 in a group
    where one is open, or a private 意见 Yn …. Anything else is left alone (None)."""
    p = ctx.parsed
    if ctx.msg.type != "text" or p is None or not p.text:
        return None
    raw = (ctx.msg.text or "").strip()
    number = _quoted(ctx)
    if number is not None:
        c = ctx.repo.consultation(number)
        if c is None or (ctx.group is not None and ctx.group.id not in group_ids_of(c)):
            return None
        if c.status != "open":
            return _tell(ctx, replies.opinion_too_late(number, c.title))
        typed = _AFTER_QUOTE.split(raw, maxsplit=1)
        return _record(ctx, c, typed[1] if len(typed) == 2 else p.text, "quote")
    if ctx.group is None and _CONSENT.fullmatch(p.text):
        return _consent_later(ctx, _CONSENT.fullmatch(p.text))
    if not _OPINION_START.match(p.text):
        return None
    if ctx.group is None:
        m = _YREF.match(p.text)
        if m is None:
            return None  # a private 建议… without a number stays what it was
        c = ctx.repo.consultation(int(m.group(1)))
        if c is None:
            return [ctx.say(replies.no_such_consultation(int(m.group(1))))]
        if c.status != "open":
            return [ctx.say(replies.opinion_too_late(c.id or 0, c.title))]
        return _record(ctx, c, m.group(2), "direct")
    opens = ctx.repo.consultations_open(ctx.group.id)
    if not opens:
        return None  # no consultation here: 建议… stays a request
    m = _YREF.match(p.text)
    chosen = next((c for c in opens if m and c.id == int(m.group(1))), None if m else opens[0])
    if chosen is None:  # 意见 Y7 … where Y7 is not open here
        return _tell(ctx, replies.no_such_consultation(int(m.group(1))))  # type: ignore[union-attr]
    text = m.group(2) if m else (raw if p.quote is None else p.text)
    return _record(ctx, chosen, text, "group")


# -- what cadres see and do ---------------------------------------------------------------
def _number(args: str) -> tuple[int | None, str]:
    m = re.match(r"^\s*[Yy]\s*(\d{1,9})(?!\d)\s*(.*)$", args, re.S)
    return (int(m.group(1)), m.group(2).strip()) if m else (None, args.strip())


def _group_names(repo: Repository, c: Consultation) -> list[str]:
    out = []
    for gid in group_ids_of(c):
        g = repo.group(gid)
        out.append(g.name if g else f"#{gid}")
    return out


def participation_line(repo: Repository, c: Consultation) -> str:
    """The participation figure in words (storage's `participation`, the one rule)."""
    part = repo.participation(c)
    return replies.participation_text(part.authors, part.members, part.percent, part.outside)


def _detail(ctx: Ctx, c: Consultation) -> str:
    lines = []
    for op in ctx.repo.opinions(c.id or 0):
        g = ctx.repo.group(op.group_id) if op.group_id is not None else None
        lines.append(replies.opinion_cadre_line(
            op.seq, op.author_name or op.author_id, replies.opinion_where(g.name if g else None),
            op.named, op.text, replies.opinion_outcome_text(op.outcome, op.owner, op.note)))
    return replies.consultation_detail(c.id or 0, c.title, c.status,
                                       _when(ctx, c.deadline, ctx.now()),
                                       _group_names(ctx.repo, c),
                                       participation_line(ctx.repo, c), lines)


@router.command("意见", permission="member",
                help="干部看征求意见收到的意见和参与率；职工私信“意见 Y编号 内容”提意见",
                usage="#意见 Y编号")
def cmd_opinions(ctx: Ctx) -> list[Reply]:
    number, rest = _number(ctx.args)
    if not is_cadre(ctx.msg.sender_id, ctx.repo, ctx.config):
        return _worker_opinion(ctx, number)
    if number is None:
        rows = [c for c in ctx.repo.all(Consultation)][-20:]
        lines = [replies.consultation_list_line(c.id or 0, c.title, c.status,
                                                len(ctx.repo.opinions(c.id or 0)))
                 for c in rows]
        return [ctx.say(replies.consultations_list(lines), audience="cadres")]
    c = ctx.repo.consultation(number)
    if c is None:
        return [ctx.say(replies.no_such_consultation(number))]
    return [ctx.say(_detail(ctx, c), audience="cadres")]


def _worker_opinion(ctx: Ctx, number: int | None) -> list[Reply]:
    """`意见 …` from someone who is no cadre (a private 意见 Y1 … reads as this command): an
    opinion on the consultation named, or on the one open where they are."""
    raw_number, raw_rest = _number(ctx.raw_args.lstrip(" :：,，"))
    text = (raw_rest if raw_number is not None else ctx.raw_args).strip(" :：,，\n")
    if number is not None:
        c = ctx.repo.consultation(number)
        if c is None:
            return _tell(ctx, replies.no_such_consultation(number))
    else:
        mine = ctx.repo.member_groups(ctx.msg.sender_id) if ctx.group is None \
            else {ctx.group.id}
        opens = [c for c in ctx.repo.consultations_open() if mine & set(group_ids_of(c))]
        if len(opens) != 1:
            if not opens:
                return _as_before(ctx) or _tell(ctx, replies.opinion_none_open())
            return _tell(ctx, replies.opinion_which([c.id or 0 for c in opens]))
        c = opens[0]
    if c.status != "open":
        return _tell(ctx, replies.opinion_too_late(c.id or 0, c.title))
    if ctx.group is not None and ctx.group.id not in group_ids_of(c):
        return _tell(ctx, replies.no_such_consultation(c.id or 0))
    if not text:
        return _tell(ctx, replies.opinion_empty(c.id or 0))
    return _record(ctx, c, text, "direct" if ctx.group is None else "group")


def _as_before(ctx: Ctx) -> list[Reply] | None:
    """A bare 意见… typed privately with no consultation to go to: what it was before this
    command existed, a message for the parser's listeners (意见：食堂的菜太咸 is a request).
    None for a typed #意见 (a command the sender meant) or where no listener takes it."""
    p = ctx.parsed
    if p is None or has_prefix(ctx.msg.text) or ctx.registry is None:
        return None
    listener = ctx.registry.listener(p.intent)
    if listener is None:
        return None
    out = listener(ctx)
    if out is None:
        return None
    return [out] if isinstance(out, Reply) else list(out)  # type: ignore[call-overload]


_ANSWER = re.compile(r"^第?\s*(\d{1,4})\s*条?\s*(\S*)\s*(.*)$", re.S)
_OWNER = re.compile(r"^负责人\s*[:：]?\s*(\S+)\s*(.*)$", re.S)


@router.command("意见答复", permission="cadre",
                help="记录一条意见的处理结果和负责人（干部）",
                usage="#意见答复 Y编号 第几条 已采纳|部分采纳|暂不采纳|已解释 负责人 姓名 [说明]")
def cmd_answer(ctx: Ctx) -> list[Reply]:
    number, rest = _number(ctx.raw_args)
    m = _ANSWER.match(rest) if number is not None else None
    if number is None or m is None:
        return [ctx.say(replies.opinion_answer_usage())]
    c = ctx.repo.consultation(number)
    if c is None:
        return [ctx.say(replies.no_such_consultation(number))]
    seq, outcome, tail = int(m.group(1)), m.group(2).strip(), m.group(3).strip()
    op = ctx.repo.opinion(number, seq)
    if op is None:
        return [ctx.say(replies.no_such_opinion(number, seq, len(ctx.repo.opinions(number))))]
    if outcome not in OUTCOMES:
        return [ctx.say(replies.bad_outcome(outcome))]
    o = _OWNER.match(tail)
    if o is None:
        return [ctx.say(replies.opinion_needs_owner())]
    owner, note = o.group(1)[:64], o.group(2).strip() or None
    before = {"outcome": op.outcome, "owner": op.owner, "note": op.note}
    ctx.repo.answer_opinion(op, outcome=outcome, owner=owner, note=note,
                            actor_id=ctx.msg.sender_id, now=ctx.now())
    ctx.repo.audit(actor_id=ctx.msg.sender_id, action="意见答复", now=ctx.now(),
                   group_id=ctx.group.id if ctx.group else None, target=f"Y{number}-{seq}",
                   before=before, after={"outcome": outcome, "owner": owner, "note": note})
    return [ctx.say(replies.opinion_answered(number, seq, outcome, owner), audience="cadres")]


@router.command("结束征求", permission="cadre", help="结束征求意见，把结果发到群里（干部）",
                usage="#结束征求 Y编号")
def cmd_close(ctx: Ctx) -> list[Reply]:
    number, _ = _number(ctx.args)
    if number is None:
        return [ctx.say(replies.usage("结束征求", "#结束征求 Y编号"))]
    c = ctx.repo.consultation(number)
    if c is None:
        return [ctx.say(replies.no_such_consultation(number))]
    if c.status != "open" and c.results_sent_at is not None:
        return [ctx.say(replies.consultation_already_closed(number))]
    now = ctx.now()
    ctx.repo.close_consultation(c, now=now)
    ctx.repo.audit(actor_id=ctx.msg.sender_id, action="结束征求", now=now,
                   group_id=ctx.group.id if ctx.group else None, target=f"Y{number}",
                   after={"opinions": len(ctx.repo.opinions(number))})
    out = results(ctx.repo, c, now)
    return [*out, ctx.say(replies.consultation_closed(number, _group_names(ctx.repo, c)),
                          audience="cadres")]


# -- the results --------------------------------------------------------------------------
def public_line(op: Opinion, names: set[str]) -> str:
    """One opinion as a workers' group may read it: its author and words only with consent."""
    text = op.text if op.named else public_text(
        op.text, names, name_mask=replies.OPINION_SOMEONE, phone_mask=replies.OPINION_NO_PHONE)
    return replies.opinion_public_line(op.seq, text, op.author_name if op.named else None,
                                       replies.opinion_outcome_text(op.outcome, op.owner,
                                                                    op.note))


def results(repo: Repository, c: Consultation, when: datetime,
            at: datetime | None = None) -> list[Reply]:
    """The results message to every group the consultation went to (once: marked sent)."""
    names = repo.person_names()
    lines = [public_line(op, names) for op in repo.opinions(c.id or 0)]
    participation = participation_line(repo, c)
    shown, more = lines, 0
    text = replies.consultation_results(c.id or 0, c.title, shown, participation, more)
    while len(text) > RESULTS_MAX and shown:
        shown = shown[:-1]
        more = len(lines) - len(shown)
        text = replies.consultation_results(c.id or 0, c.title, shown, participation, more)
    c.results_sent_at = when
    repo.save_consultation(c)
    return [Reply(text=text, group=gid, time=at, key=f"consultation-results:{c.id}:{gid}")
            for gid in group_ids_of(c) if repo.group(gid) is not None]


def close_due(ctx: ClockCtx, when: datetime) -> list[Reply]:
    """Scheduled: consultations past their deadline stop taking opinions at once; their
    results go to the groups in routine hours (not at night, not on a day off)."""
    cfg = ctx.config
    window = routine_window(cfg.tz, cfg.calendar_hours, cfg.quiet_hours, cfg.calendar_holidays)
    out: list[Reply] = []
    for c in ctx.repo.consultations_due(when):
        if c.status == "open":
            ctx.repo.close_consultation(c, now=when)
            log.info("consultation Y%s closed at its deadline", c.id)
        if window.is_open(when):
            out += results(ctx.repo, c, when, at=when)
            out += _cadres_told(ctx, c, when)
    return out


def _cadres_told(ctx: ClockCtx, c: Consultation, when: datetime) -> list[Reply]:
    """The cadre group (else the cadre who sent it) hears that the results went out."""
    text = replies.consultation_closed(c.id or 0, _group_names(ctx.repo, c))
    key = f"consultation-closed:{c.id}"
    cadre_group = ctx.repo.cadre_group()
    if cadre_group is not None:
        return [Reply(text=text, group=cadre_group.id, time=when, key=key)]
    return [Reply(text=text, to=c.created_by, time=when, key=key)]


def open_consultations_line(repo: Repository, group_id: int | None = None) -> str | None:
    """A line for reports: the consultations open now (of one group), or None."""
    opens = repo.consultations_open(group_id)
    if not opens:
        return None
    return replies.open_consultations_line([f"Y{c.id}《{c.title}》" for c in reversed(opens)])
