"""Job posts, labour offers, queries and the posting commands (#列表, #关闭)."""

from __future__ import annotations

import re
from datetime import timedelta

from rapidfuzz import fuzz

from bot import replies
from bot.context import Ctx
from bot.handlers.common import UsageError, lines_for, ref_arg
from bot.handlers.matching import best, score
from bot.router import Router
from bot.types import Reply
from parsers.fields.money import find_pay
from parsers.fields.numbers import arabize
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
        source_message_id=ctx.row.id, created_at=now, updated_at=now)


def _card(post: Posting) -> str:
    return replies.posting_card(
        post.id or 0, employer=post.employer, job=post.job, task=post.task,
        location=post.location, headcount=post.headcount,
        pay=replies.pay_text(post.pay_min, post.pay_max, post.pay_unit),
        settlement=post.settlement, start=post.start_date, end=post.end_date,
        has_contact=post.contact is not None)


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


MATCH_SCORE = 0.6  # job type must fit, or fit partly with place and settlement


def _tell_offers(ctx: Ctx, post: Posting) -> Reply | None:
    """Mention the open offers a new posting fits, each pair at most once."""
    if ctx.group is None or not (post.job or post.task):
        return None
    offers = [o for o in candidates(ctx, family=post.family, kind="offer")
              if o.poster_id != post.poster_id and (o.job or o.task)]
    told = ctx.repo.matched_offers(post.id or 0) if offers else set()
    fits = [o for o in offers
            if o.id not in told
            and score(post, lex=ctx.parser.lex, job=o.job or o.task, location=o.location,
                      settlement=o.settlement) >= MATCH_SCORE][:3]
    if not fits:
        return None
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
    """Register an offer and suggest up to three open postings that fit it."""
    if ctx.group is None:
        return None
    offer = _save(ctx, "offer")
    open_jobs = [p for p in candidates(ctx, family=offer.family) if p.poster_id != ctx.msg.sender_id]
    picks = best(open_jobs, lex=ctx.parser.lex, job=offer.job, location=offer.location,
                 settlement=offer.settlement, limit=3, strict=False)
    if offer.job or offer.task:  # a stated trade: suggest only what fits it
        lex = ctx.parser.lex
        picks = [p for p in picks if score(p, lex=lex, job=offer.job or offer.task,
                                           location=offer.location,
                                           settlement=offer.settlement) >= MATCH_SCORE]
    for p in picks:  # the offerer has now seen these: no later notice for the same pair
        ctx.repo.record_match(p.id, offer.id or 0, now=ctx.now())
    return ctx.say(replies.offer_ack(offer.id or 0, offer.headcount,
                                     lines_for(ctx, picks)),
                   mentions=(ctx.msg.sender_id,))


@router.on("query")
def on_query(ctx: Ctx) -> Reply | None:
    """Answer 有活吗 with up to five open postings that fit what was asked."""
    if ctx.group is None:
        return None
    p = ctx.parsed
    assert p is not None
    family = ctx.parser.lex.family(p.job)
    found = ctx.repo.match_candidates(ctx.group.id, family=family, settlement=p.settlement,
                                      location=p.location)
    picks = best(found, lex=ctx.parser.lex, job=p.job, location=p.location,
                 settlement=p.settlement, limit=5, strict=True)
    if not picks:
        return ctx.say(replies.query_none())
    return ctx.say(replies.query_results(lines_for(ctx, picks)))


@router.command("列表", permission="member", help="看群里在招的岗位", usage="#列表 [日结|工种|地点]")
def cmd_list(ctx: Ctx) -> Reply:
    # Every group sees its own postings; the cadre group sees all of them.
    gid = ctx.group.id if ctx.group and not ctx.group.is_cadre_group else None
    total = ctx.repo.count_open(gid)
    postings = ctx.repo.match_candidates(gid, limit=10)
    if ctx.args:
        word = ctx.args.strip()
        settlement = {"日结": "daily", "周结": "weekly", "月结": "monthly"}.get(word)
        if settlement:
            postings = ctx.repo.match_candidates(gid, settlement=settlement, limit=10)
        else:
            job = ctx.parser.parse(word, now=ctx.now()).job or word
            postings = best(candidates(ctx, family=ctx.parser.lex.family(job)),
                            lex=ctx.parser.lex, job=job, location=None, settlement=None,
                            limit=10, strict=False)
        total = len(postings)
    if not postings:
        return ctx.say(replies.no_open_postings())
    lines = lines_for(ctx, postings)
    if total > len(postings):
        lines.append(f"……共{total}个")
    return ctx.say(replies.query_results(lines))


def candidates(ctx: Ctx, *, family: str | None, kind: str = "job") -> list[Candidate]:
    """Open postings worth scoring: the same job family, or with no family the newest 20.

    A posting of another family never scores as a fit, so loading it would be wasted work.
    """
    gid = ctx.group.id if ctx.group else None
    if family:
        return ctx.repo.match_candidates(gid, kind=kind, family=family)
    return ctx.repo.match_candidates(gid, kind=kind, limit=20)


@router.command("关闭", permission="poster", target="posting", help="关闭一个岗位（发布人或干部）", usage="#关闭 编号")
def cmd_close(ctx: Ctx) -> Reply:
    number, p, err = _posting(ctx)
    if p is None:
        return err  # type: ignore[return-value]
    before = p.status
    ctx.repo.set_posting_status(p, "closed", now=ctx.now())
    ctx.repo.audit(actor_id=ctx.msg.sender_id, action="关闭", now=ctx.now(),
                   group_id=ctx.group.id if ctx.group else None, target=f"#{number}",
                   before={"status": before}, after={"status": "closed"})
    return ctx.say(replies.posting_closed(number))


_EDIT_FIELDS = {"人数": "headcount", "工资": "pay", "地点": "location", "工种": "job",
                "结算": "settlement"}
_SETTLE = {"日结": "daily", "周结": "weekly", "月结": "monthly", "做完结": "project", "项目结": "project"}


@router.command("修改", permission="poster", target="posting", help="修改自己发的岗位（人数、工资、地点、工种、结算）",
                usage="#修改 编号 人数 8 / #修改 编号 工资 200/天")
def cmd_edit(ctx: Ctx) -> Reply:
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
              "location": p.location, "job": p.job, "settlement": p.settlement}
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
    elif what == "结算":
        if value not in _SETTLE:
            return ctx.say(replies.bad_value(what, value))
        p.settlement = _SETTLE[value]
    else:
        setattr(p, _EDIT_FIELDS[what], value[:64])
        p.family = ctx.parser.lex.family(p.job or p.task)
    _restatus(ctx, p)
    ctx.repo.audit(actor_id=ctx.msg.sender_id, action="修改", now=ctx.now(),
                   group_id=ctx.group.id if ctx.group else None, target=f"#{number}",
                   before=before, after={_EDIT_FIELDS[what]: value})
    return ctx.say(replies.posting_edited(number, what, value))


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

