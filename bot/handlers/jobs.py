"""Job posts, labour offers, queries and the posting commands (#列表, #关闭)."""

from __future__ import annotations

from bot import replies
from bot.context import Ctx
from bot.handlers.common import UsageError, line_for, ref_arg
from bot.handlers.matching import best
from bot.router import Router
from bot.types import Reply
from storage.models import Posting

router = Router("jobs")


def _save(ctx: Ctx, kind: str) -> Posting:
    p = ctx.parsed
    assert p is not None
    now = ctx.now()
    return ctx.repo.save_posting(
        kind=kind, group_id=ctx.group.id if ctx.group else None, poster_id=ctx.msg.sender_id,
        poster_name=ctx.msg.sender_name, status="open", headcount=p.headcount, job=p.job,
        task=p.task, employer=p.employer, location=p.location,
        pay_min=p.pay.min if p.pay else None, pay_max=p.pay.max if p.pay else None,
        pay_unit=p.pay.unit if p.pay else None, settlement=p.settlement,
        start_date=p.start_date, end_date=p.end_date, contact=p.contact, text=p.text,
        source_message_id=ctx.row.id, created_at=now, updated_at=now)


def on_job_post(ctx: Ctx) -> Reply | None:
    """Register a posting and confirm it with a short card."""
    if ctx.group is None:
        return None  # postings live in groups; a direct message is not a posting
    post = _save(ctx, "job")
    return ctx.say(replies.posting_card(
        post.id or 0, employer=post.employer, job=post.job, task=post.task,
        location=post.location, headcount=post.headcount,
        pay=replies.pay_text(post.pay_min, post.pay_max, post.pay_unit),
        settlement=post.settlement, start=post.start_date, end=post.end_date,
        has_contact=post.contact is not None), mentions=(ctx.msg.sender_id,))


def on_labor_offer(ctx: Ctx) -> Reply | None:
    """Register an offer and suggest up to three open postings that fit it."""
    if ctx.group is None:
        return None
    offer = _save(ctx, "offer")
    open_jobs = [p for p in ctx.repo.open_postings(ctx.group.id) if p.poster_id != ctx.msg.sender_id]
    picks = best(open_jobs, lex=ctx.parser.lex, job=offer.job, location=offer.location,
                 settlement=offer.settlement, limit=3, strict=False)
    return ctx.say(replies.offer_ack(offer.id or 0, offer.headcount,
                                     [line_for(ctx, p) for p in picks]),
                   mentions=(ctx.msg.sender_id,))


def on_query(ctx: Ctx) -> Reply | None:
    """Answer 有活吗 with up to five open postings that fit what was asked."""
    if ctx.group is None:
        return None
    p = ctx.parsed
    assert p is not None
    picks = best(ctx.repo.open_postings(ctx.group.id), lex=ctx.parser.lex, job=p.job,
                 location=p.location, settlement=p.settlement, limit=5, strict=True)
    if not picks:
        return ctx.say(replies.query_none())
    return ctx.say(replies.query_results([line_for(ctx, x) for x in picks]))


@router.command("列表", permission="member", help="看群里在招的岗位", usage="#列表 [日结|工种|地点]")
def cmd_list(ctx: Ctx) -> Reply:
    gid = ctx.group.id if ctx.group else None
    postings = ctx.repo.open_postings(gid)
    if ctx.args:
        q = ctx.parser.parse(ctx.args, now=ctx.now())
        settlement = {"日结": "daily", "周结": "weekly", "月结": "monthly"}.get(ctx.args.strip())
        postings = best(postings, lex=ctx.parser.lex, job=q.job or ctx.args.strip(),
                        location=None, settlement=settlement, limit=10, strict=False) \
            if not settlement else [p for p in postings if p.settlement == settlement]
    if not postings:
        return ctx.say(replies.no_open_postings())
    lines = [line_for(ctx, p) for p in list(postings)[:10]]
    if len(postings) > 10:
        lines.append(f"……共{len(postings)}个")
    return ctx.say(replies.query_results(lines))


@router.command("关闭", permission="poster", help="关闭一个岗位（发布人或干部）", usage="#关闭 编号")
def cmd_close(ctx: Ctx) -> Reply:
    number = ref_arg(ctx)
    p = ctx.repo.posting(number)
    if p is None:
        return ctx.say(replies.no_such_posting(number))
    before = p.status
    ctx.repo.set_posting_status(p, "closed", now=ctx.now())
    ctx.repo.audit(actor_id=ctx.msg.sender_id, action="关闭", now=ctx.now(),
                   group_id=ctx.group.id if ctx.group else None, target=f"#{number}",
                   before={"status": before}, after={"status": "closed"})
    return ctx.say(replies.posting_closed(number))


def posting_owner(ctx: Ctx) -> str | None:
    """The poster of the posting a command names (for `poster` permission)."""
    try:
        p = ctx.repo.posting(ref_arg(ctx))
    except UsageError:
        return None
    return p.poster_id if p else None
