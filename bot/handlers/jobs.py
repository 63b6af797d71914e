"""Job posts, labour offers, queries and the posting commands (#列表, #关闭)."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date, timedelta

from rapidfuzz import fuzz

from bot import replies
from bot.context import Ctx
from bot.handlers.common import (
    UsageError,
    claimant_notices,
    lines_for,
    posting_what,
    ref_arg,
    terms_of,
)
from bot.handlers.matching import (
    Want,
    best,
    on_days,
    posting_trades,
    put_in_touch,
    score,
    trades,
    want_of_offer,
    want_of_query,
)
from bot.permissions import is_cadre
from bot.router import Router, read_ref
from bot.types import Reply
from parsers.fields.dates import find_dates
from parsers.fields.money import find_pay
from parsers.fields.numbers import arabize
from parsers.models import Parsed
from storage.models import Posting
from storage.repository import Candidate

router = Router("jobs")


def _save(ctx: Ctx, kind: str) -> Posting:
    p = ctx.parsed
    assert p is not None
    now = ctx.now()
    return ctx.repo.save_posting(
        kind=kind, group_id=ctx.group.id if ctx.group else None, poster_id=ctx.msg.sender_id,
        poster_name=ctx.msg.sender_name, status="open", headcount=p.headcount, job=p.job,
        family=ctx.parser.lex.family(p.job or p.task),
        task=p.task, employer=p.employer, location=p.location,
        pay_min=p.pay.min if p.pay else None, pay_max=p.pay.max if p.pay else None,
        pay_unit=p.pay.unit if p.pay else None, settlement=p.settlement,
        start_date=p.start_date, end_date=p.end_date, contact=p.contact, text=p.text,
        source_message_id=ctx.row.id, created_at=now, updated_at=now, **_terms(p))


def _terms(p: Parsed) -> dict[str, object]:
    """The terms a post or offer states (parse.md: age, gender, board, shift, licence)."""
    return {"age_min": p.age.min if p.age else None, "age_max": p.age.max if p.age else None,
            "gender": p.gender, "board": p.board, "shift": p.shift,
            "licence": p.licence[:32] if p.licence else None}


def _card(post: Posting) -> str:
    return replies.posting_card(
        post.id or 0, employer=post.employer, job=post.job, task=post.task,
        location=post.location, headcount=post.headcount,
        pay=replies.pay_text(post.pay_min, post.pay_max, post.pay_unit),
        settlement=post.settlement, start=post.start_date, end=post.end_date,
        has_contact=post.contact is not None, terms=terms_of(post))


def _repost_of(ctx: Ctx) -> Posting | None:
    """The same sender's recent posting this one repeats (rapidfuzz above the threshold)."""
    assert ctx.parsed is not None
    since = ctx.now() - timedelta(days=ctx.config.repost_days)
    best, best_score = None, ctx.config.repost_similarity
    for p in ctx.repo.recent_postings_by(ctx.msg.sender_id, ctx.group.id if ctx.group else None,
                                         since):
        if p.employer and ctx.parsed.employer and p.employer != ctx.parsed.employer:
            continue  # another employer's need is another posting
        score = fuzz.ratio(p.text, ctx.parsed.text)
        if score >= best_score:
            best, best_score = p, score
    return ctx.repo.posting(best.id) if best is not None else None


_REFRESH = ("headcount", "job", "task", "employer", "location", "settlement", "start_date",
            "end_date", "contact")


@router.on("job_post")
def on_job_post(ctx: Ctx) -> Reply | list[Reply] | None:
    """Register a posting (or refresh the one it repeats) and confirm it with a short card."""
    if ctx.group is None:
        return None  # postings live in groups; a direct message is not a posting
    old = _repost_of(ctx)
    if old is not None:
        p = ctx.parsed
        assert p is not None
        for key in _REFRESH:
            value = getattr(p, key)
            if value is not None:
                setattr(old, key, value)
        old.family = ctx.parser.lex.family(old.job or old.task)
        if p.pay is not None:
            old.pay_min, old.pay_max, old.pay_unit = p.pay.min, p.pay.max, p.pay.unit
        old.text = p.text
        _restatus(ctx, old)
        return ctx.say(replies.posting_updated(old.id or 0, _card(old)),
                       mentions=(ctx.msg.sender_id,))
    post = _save(ctx, "job")
    out = [ctx.say(_card(post), mentions=(ctx.msg.sender_id,))]
    notice = _tell_offers(ctx, post)
    if notice is not None:
        out.append(notice)
    return out


MATCH_SCORE = 0.6  # the work must fit: one trade, or one family with place or settlement
NOTICE_MAX = 5  # offerers named in one notice of a new posting


def _tell_offers(ctx: Ctx, post: Posting) -> Reply | None:
    """Tell the people whose open offers a new posting fits (what they can do, and where,
    when and how they want to work: matching.score), in one message mentioning them all;
    each pair at most once (match_notices)."""
    if ctx.group is None:
        return None
    if post.family is None:  # no job word, but a trade in its text (会开叉车的师傅)
        post.family = trades().family(post.licence, post.text)
    if not (post.job or post.task or posting_trades(post)):
        return None
    lex = ctx.parser.lex
    offers = [o for o in candidates(ctx, family=post.family, kind="offer")
              if o.poster_id != post.poster_id]
    told = ctx.repo.matched_offers(post.id or 0) if offers else set()
    scored = []
    for o in offers:
        want = want_of_offer(o)
        if o.id not in told and want.names_work:
            scored.append((score(post, lex=lex, want=want), o.id, o))
    scored.sort(key=lambda t: (-t[0], -t[1]))
    fits = [o for sc, _, o in scored if sc >= MATCH_SCORE][:NOTICE_MAX]
    if not fits:
        return None
    fits.sort(key=lambda o: o.id)
    for o in fits:
        ctx.repo.record_match(post.id or 0, o.id, now=ctx.now())
    return ctx.say(replies.offers_matched(post.id or 0, [f"#{o.id}" for o in fits]),
                   mentions=tuple(dict.fromkeys(o.poster_id for o in fits)))


def _restatus(ctx: Ctx, p: Posting) -> None:
    """Open or filled as the claims and headcount now stand; touches updated_at."""
    claimed = ctx.repo.claimed(p.id or 0)
    status = p.status
    if p.status in ("open", "filled"):
        status = "filled" if p.headcount is not None and claimed >= p.headcount else "open"
    ctx.repo.set_posting_status(p, status, now=ctx.now())


@router.on("labor_offer")
def on_labor_offer(ctx: Ctx) -> Reply | None:
    """Register an offer and suggest up to three open postings that fit what its people can
    do (trades from its job, licence and words: 我有叉车证 is a forklift driver)."""
    if ctx.group is None:
        return None
    offer = _save(ctx, "offer")
    if offer.family is None:  # 我有叉车证: no job word, a trade all the same
        offer.family = trades().family(offer.licence, offer.text)
    want = want_of_offer(offer)
    lex = ctx.parser.lex
    open_jobs = [p for p in candidates(ctx, family=offer.family) if p.poster_id != ctx.msg.sender_id]
    picks = best(open_jobs, lex=lex, want=want, limit=3, strict=False)
    if want.names_work:  # a stated trade or skill: suggest only what fits it
        picks = [p for p in picks if score(p, lex=lex, want=want) >= MATCH_SCORE]
    for p in picks:  # the offerer has now seen these: no later notice for the same pair
        ctx.repo.record_match(p.id, offer.id or 0, now=ctx.now())
    return ctx.say(replies.offer_ack(offer.id or 0, offer.headcount,
                                     lines_for(ctx, picks)),
                   mentions=(ctx.msg.sender_id,))


QUERY_MAX = 5  # postings in the answer to a query


def scope(ctx: Ctx) -> list[int] | None:
    """The groups whose postings a sender sees (None: every group). In a group, that group's
    own (the cadre group's: all); in a direct message, those of every group the sender is in
    (a cadre's: all)."""
    if ctx.group is not None:
        return None if ctx.group.is_cadre_group else [ctx.group.id or 0]
    if is_cadre(ctx.msg.sender_id, ctx.repo, ctx.config):
        return None
    return sorted(ctx.repo.member_groups(ctx.msg.sender_id))


def visible_posting(ctx: Ctx, number: int) -> Posting | None:
    """Posting `number` as the sender may see it: in this group, in any group the sender is
    in (storage: posting_for_member), or anywhere for a cadre."""
    p = ctx.repo.posting(number)
    if p is None:
        return None
    if ctx.group is not None and p.group_id == ctx.group.id:
        return p
    if (ctx.group is not None and ctx.group.is_cadre_group) or is_cadre(
            ctx.msg.sender_id, ctx.repo, ctx.config):
        return p
    return ctx.repo.posting_for_member(number, ctx.msg.sender_id)


def _today(ctx: Ctx) -> date:
    return ctx.local(ctx.msg.time).date()


@router.on("query")
def on_query(ctx: Ctx) -> Reply | None:
    """Answer 有活吗 with up to five open postings that fit what was asked: the work, place,
    settlement, days (周末, 明天, 这周), board (包吃住) and shift (夜班). A direct message is
    answered from every group the sender is in."""
    p = ctx.parsed
    assert p is not None
    groups = scope(ctx)
    if groups is not None and not groups:
        return ctx.say(replies.no_groups_known())
    want = want_of_query(p.text, job=p.job, location=p.location, settlement=p.settlement,
                         today=_today(ctx))
    family = (trades().family(p.job, p.text) if want.trades else None) \
        or ctx.parser.lex.family(p.job)
    found = ctx.repo.open_candidates(groups, family=family, settlement=want.settlement,
                                     with_text=True)
    picks = best(found, lex=ctx.parser.lex, want=want, limit=len(found), strict=True)
    if want.days is not None:  # a monthly post with no dates is no work for some days
        picks = [x for x in picks if on_days(x, want.days) or x.pay_unit != "month"]
    more = max(0, len(picks) - QUERY_MAX)
    picks = picks[:QUERY_MAX]
    if want.days is not None:
        days = replies.days_text(want.days.label, want.days.start, want.days.end)
        if not picks:
            return ctx.say(replies.query_none_on(days))
        dated = [x for x in picks if on_days(x, want.days)]
        undated = [x for x in picks if on_days(x, want.days) is None]
        return ctx.say(replies.query_on_days(days, lines_for(ctx, dated),
                                             lines_for(ctx, undated), more))
    if not picks:
        return ctx.say(replies.query_none())
    lines = lines_for(ctx, picks)
    if more:
        lines.append(replies.query_more(more))
    return ctx.say(replies.query_results(lines))


PAGE = 10  # postings on one page of #列表
_PAGE_NO = re.compile(r"(?:^|\s)第?\s*(\d{1,3})\s*页?\s*$")
_SETTLE_WORDS = {"日结": "daily", "周结": "weekly", "月结": "monthly", "做完结": "project"}


def _list_want(ctx: Ctx, words: str) -> Want:
    """What `#列表 WORDS` asks for: a settlement, days, board, shift, a trade, else a place
    the lexicon knows, else the words as a job."""
    settlement = next((v for k, v in _SETTLE_WORDS.items() if k in words), None)
    want = want_of_query(words, job=None, location=None, settlement=settlement,
                         today=_today(ctx))
    rest = words
    for k in _SETTLE_WORDS:
        rest = rest.replace(k, "")
    rest = rest.strip()
    if not rest or want.trades or want.days or want.board or want.shift or want.no_shift:
        return want
    lex = ctx.parser.lex
    place = lex.known_place_rx.search(rest) if lex.known_place_rx else None
    if place:
        return replace(want, location=place.group(0))
    return replace(want, job=rest)


@router.command("列表", permission="member", help="看在招的岗位（每页10个）或在找活的人",
                usage="#列表 [页码]，或 #列表 日结|周末|工种|地点|找活 [页码]")
def cmd_list(ctx: Ctx) -> Reply:
    # Every group sees its own postings; the cadre group sees all of them; a direct message,
    # those of the sender's groups.
    groups = scope(ctx)
    words = ctx.args.strip()
    page = 1
    if m := _PAGE_NO.search(words):
        page, words = max(1, int(m.group(1))), words[:m.start()].strip()
    kind = "job"
    if "找活" in words:
        kind, words = "offer", words.replace("找活", "").strip()
    if groups is not None and not groups:
        return ctx.say(replies.no_groups_known())
    if not words:
        total = ctx.repo.count_open_in(groups, kind=kind)
        shown: list[Candidate] = ctx.repo.open_candidates(
            groups, kind=kind, limit=PAGE, offset=(page - 1) * PAGE)
    else:
        want = _list_want(ctx, words)
        family = trades().family(words) if want.trades else None
        found = ctx.repo.open_candidates(groups, kind=kind, family=family,
                                         settlement=want.settlement, with_text=True)
        fits = best(found, lex=ctx.parser.lex, want=want, limit=len(found), strict=True)
        total, shown = len(fits), fits[(page - 1) * PAGE:page * PAGE]
    pages = max(1, -(-total // PAGE))
    if not shown:
        if total:
            return ctx.say(replies.list_no_page(page, pages))
        return ctx.say(replies.no_open_offers() if kind == "offer"
                       else replies.no_open_postings())
    lines = lines_for(ctx, shown)
    if kind == "offer":
        return ctx.say(replies.offer_list(lines, page, pages, total, f"找活 {words}".strip()))
    return ctx.say(replies.list_page(lines, page, pages, total, words))


@router.command("联系", permission="member", help="联系找活的人（老板用），双方电话私下转",
                usage="#联系 找活编号，如：#联系 3")
def cmd_contact(ctx: Ctx) -> list[Reply]:
    ref = read_ref(ctx.args, "posting")
    if ref is None:
        raise UsageError()
    p = visible_posting(ctx, ref[0])
    if p is None:
        return [ctx.say(replies.no_such_posting(ref[0]))]
    return put_in_touch(ctx, p)


def candidates(ctx: Ctx, *, family: str | None, kind: str = "job") -> list[Candidate]:
    """Open postings of this group worth scoring, with their text (a trade may be named only
    there): the same job family, or with no family the newest 20.

    A posting of another family never scores as a fit, so loading it would be wasted work.
    """
    groups = [ctx.group.id or 0] if ctx.group else None
    if family:
        return ctx.repo.open_candidates(groups, kind=kind, family=family, with_text=True)
    return ctx.repo.open_candidates(groups, kind=kind, limit=20, with_text=True)


@router.command("关闭", permission="poster", target="posting", help="关闭一个岗位（发布人或干部）", usage="#关闭 编号")
def cmd_close(ctx: Ctx) -> list[Reply]:
    number, p, err = _posting(ctx)
    if p is None:
        return [err]  # type: ignore[list-item]
    before = p.status
    ctx.repo.set_posting_status(p, "closed", now=ctx.now())
    ctx.repo.audit(actor_id=ctx.msg.sender_id, action="关闭", now=ctx.now(),
                   group_id=ctx.group.id if ctx.group else None, target=f"#{number}",
                   before={"status": before}, after={"status": "closed"})
    told = [] if before not in ("open", "filled") else claimant_notices(
        ctx.repo, p, replies.claimed_posting_closed(number, posting_what(p)), ctx.now(), "closed")
    return [ctx.say(replies.posting_closed(number)), *told]



_EDIT_FIELDS = {"人数": "headcount", "工资": "pay", "日期": "dates", "地点": "location", "工种": "job",
                "结算": "settlement", "年龄": "age", "性别": "gender", "食宿": "board",
                "班次": "shift", "证": "licence"}
# The terms, as a poster types them after #修改 N 食宿/班次/性别 (不限, 不包: none).
_TERM_WORDS = {
    "board": {"包吃住": "meals+lodging", "包住": "lodging", "包吃": "meals", "不包": None},
    "shift": {"夜班": "night", "白班": "day", "倒班": "rotating", "不限": None},
    "gender": {"男": "male", "女": "female", "不限": None},
}
_AGE = re.compile(r"^(?:(\d{2})\s*[-~到至]\s*(\d{2})|(\d{2})\s*(?:岁)?以下|(\d{2})\s*(?:岁)?以上"
                  r"|不限)\s*岁?$")


def _edit_term(p: Posting, field: str, value: str) -> bool:
    """Set one of the terms from what the poster typed; False when it cannot be read."""
    if field == "age":
        m = _AGE.match(value)
        if not m:
            return False
        lo, hi = m.group(1) or m.group(4), m.group(2) or m.group(3)
        p.age_min, p.age_max = (int(lo) if lo else None), (int(hi) if hi else None)
        return True
    if field == "licence":
        p.licence = None if value in ("不要", "不限", "不用") else value[:32]
        return True
    words = _TERM_WORDS[field]
    if value not in words:
        return False
    setattr(p, field, words[value])
    return True
# A change to these is told to everyone on the posting.
_TOLD = ("工资", "地点", "日期", "结算", "食宿", "班次")
_SETTLE = {"日结": "daily", "周结": "weekly", "月结": "monthly", "做完结": "project", "项目结": "project"}


@router.command("修改", permission="poster", target="posting", help="修改自己发的岗位（人数、工资、日期、地点、工种、结算、年龄、性别、食宿、班次、证）",
                usage="#修改 编号 人数 8 / #修改 编号 工资 200/天")
def cmd_edit(ctx: Ctx) -> Reply | list[Reply]:
    number = ref_arg(ctx)
    m = re.match(r"^([\u4e00-\u9fff]+)\s*[:：]?\s*(\S.*)$", ctx.rest, re.S)
    if not m:
        raise UsageError()
    what, value = m.group(1), m.group(2).strip()
    if what not in _EDIT_FIELDS:
        return ctx.say(replies.edit_fields())
    _, p, err = _posting(ctx)
    if p is None:
        return err  # type: ignore[return-value]
    before = {"headcount": p.headcount, "pay": [p.pay_min, p.pay_max, p.pay_unit],
              "location": p.location, "job": p.job, "settlement": p.settlement,
              "dates": [str(p.start_date or ""), str(p.end_date or "")],
              "terms": terms_of(p)}
    if what == "人数":
        n = re.fullmatch(r"(\d{1,4})\s*(?:人|个|名)?", value)
        if not n or int(n.group(1)) <= 0:
            return ctx.say(replies.bad_value(what, value))
        p.headcount = int(n.group(1))
    elif what == "工资":
        pay = find_pay(arabize(value if re.search(r"[/天时月件薪]", value) else value + "元/天"))
        if pay is None:
            return ctx.say(replies.bad_value(what, value))
        p.pay_min, p.pay_max, p.pay_unit = pay.min, pay.max, pay.unit
        value = replies.pay_text(pay.min, pay.max, pay.unit) or value
    elif what == "日期":  # the new days replace both ends: 12月20日 starts then, open-ended
        start, end = find_dates(arabize(value), _today(ctx))
        if start is None and end is None or (start and end and end < start):
            return ctx.say(replies.bad_value(what, value))
        p.start_date, p.end_date = start, end
        value = replies.date_span(start, end)
    elif what == "结算":
        if value not in _SETTLE:
            return ctx.say(replies.bad_value(what, value))
        p.settlement = _SETTLE[value]
    elif _EDIT_FIELDS[what] in ("age", "gender", "board", "shift", "licence"):
        if not _edit_term(p, _EDIT_FIELDS[what], value):
            return ctx.say(replies.bad_value(what, value))
    else:
        setattr(p, _EDIT_FIELDS[what], value[:64])
        p.family = ctx.parser.lex.family(p.job or p.task)
    _restatus(ctx, p)
    ctx.repo.audit(actor_id=ctx.msg.sender_id, action="修改", now=ctx.now(),
                   group_id=ctx.group.id if ctx.group else None, target=f"#{number}",
                   before=before, after={_EDIT_FIELDS[what]: value})
    out = [ctx.say(replies.posting_edited(number, what, value))]
    if what in _TOLD and p.kind == "job":  # what the people on it decided by
        out += claimant_notices(ctx.repo, p, replies.claimed_posting_changed(
            number, posting_what(p), what, value), ctx.now(), f"edit:{what}")
    if what == "人数" and p.kind == "job":
        claims = ctx.repo.claims(p.id or 0)
        taken = sum(c.headcount for c in claims)
        if p.headcount is not None and taken > p.headcount:
            out.append(ctx.say(replies.more_claimed_than_wanted(
                number, p.headcount, taken,
                [f"{c.claimant_name or c.claimant_id}（{c.headcount}人）" for c in claims])))
    return out


@router.command("重开", permission="poster", target="posting", help="重新开放关闭或过期的岗位", usage="#重开 编号")
def cmd_reopen(ctx: Ctx) -> Reply:
    number, p, err = _posting(ctx)
    if p is None:
        return err  # type: ignore[return-value]
    if p.status in ("open", "filled"):
        return ctx.say(replies.posting_already(number, p.status))
    before = p.status
    p.status = "open"
    _restatus(ctx, p)
    ctx.repo.audit(actor_id=ctx.msg.sender_id, action="重开", now=ctx.now(),
                   group_id=ctx.group.id if ctx.group else None, target=f"#{number}",
                   before={"status": before}, after={"status": p.status})
    return ctx.say(replies.posting_reopened(number))


def _posting(ctx: Ctx) -> tuple[int, Posting | None, Reply | None]:
    """(number, posting, None) for the posting a command names, or a 'no such posting' reply."""
    number = ref_arg(ctx)
    p = ctx.repo.posting(number)
    return number, p, None if p is not None else ctx.say(replies.no_such_posting(number))

