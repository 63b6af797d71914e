"""Claims (报名): find the posting meant, count heads, never overfill."""

from __future__ import annotations

import re

from rapidfuzz import fuzz

from bot import replies
from bot.context import Ctx
from bot.handlers.common import UsageError, lines_for, ref_arg
from bot.router import Router
from bot.types import Reply
from storage.models import Posting
from storage.repository import Candidate

router = Router("claims")
RECENT = 50  # postings a quote or a task name is compared with: quotes refer to recent posts


def _resolve(ctx: Ctx, ref: int | None) -> tuple[Posting | None, list[Candidate], Reply | None]:
    """(posting, ambiguous candidates, early reply) for the posting a claim means."""
    if ref is not None:
        p = ctx.repo.posting(ref)
        if p is None or p.kind != "job" or (ctx.group and p.group_id != ctx.group.id):
            return None, [], ctx.say(replies.no_such_posting(ref))
        return p, [], None
    gid = ctx.group.id if ctx.group else None
    # A quote refers to a recent message: score the newest open postings only.
    quote = ctx.parsed.quote if ctx.parsed else None
    recent = ctx.repo.recent_open(gid, RECENT) if quote else []
    if quote and recent:
        scored = sorted(((fuzz.partial_ratio(quote.text, c.text), c.id) for c in recent),
                        key=lambda t: (-t[0], -t[1]))
        if scored[0][0] >= 70:
            return ctx.repo.posting(scored[0][1]), [], None
    text = ctx.parsed.text if ctx.parsed else ""
    # 印刷厂那个活: an employer or job named in the text (indexed), or a recent task.
    words = sorted({text[i:j] for i in range(len(text)) for j in range(i + 2, min(i + 9, len(text) + 1))})
    named = {c.id: c for c in ctx.repo.postings_named(gid, words)}
    if not named and len(text) >= 4:
        recent = recent or ctx.repo.recent_open(gid, RECENT)
        named = {c.id: c for c in recent if c.task and len(c.task) >= 2 and c.task in text}
    if len(named) == 1:
        return ctx.repo.posting(next(iter(named))), [], None
    if len(named) > 1:
        return None, [named[i] for i in sorted(named, reverse=True)[:5]], None
    cands = recent[:5] if recent else ctx.repo.recent_open(gid, 5)
    if len(cands) == 1:
        return ctx.repo.posting(cands[0].id), [], None
    if not cands:
        # "+1" right after a posting filled up: say it is full rather than "no postings".
        latest = ctx.repo.latest_posting(ctx.group.id if ctx.group else None, kind="job")
        if latest is not None and latest.status == "filled":
            return None, [], ctx.say(replies.already_filled(latest.id or 0))
        return None, [], ctx.say(replies.no_open_postings())
    return None, cands[:5], None


def record_claim(ctx: Ctx, ref: int | None, headcount: int, *,
                 source: str = "message") -> list[Reply]:
    """Resolve the posting the sender means, record their claim and say what happened."""
    post, ambiguous, early = _resolve(ctx, ref)
    if early is not None:
        return [early]
    if post is None:
        return [ctx.say(replies.which_posting(lines_for(ctx, ambiguous)),
                        mentions=(ctx.msg.sender_id,))]
    return apply_claim(ctx, post, ctx.msg.sender_id, ctx.msg.sender_name, headcount,
                       source=source)


def apply_claim(ctx: Ctx, post: Posting, claimant_id: str, name: str, headcount: int, *,
                source: str, quiet: bool = False) -> list[Reply]:
    """Record one person's claim on a posting: no overfilling, full contact only in private.

    `quiet` leaves out the per-claim confirmation (a roster answers once for all its lines).
    """
    number = post.id or 0
    if post.poster_id == claimant_id:
        return [ctx.say(replies.cannot_claim_own())]
    if post.status == "filled":
        return [ctx.say(replies.already_filled(number))]
    if post.status != "open":
        return [ctx.say(replies.posting_not_open(number, post.status))]
    mine = [c for c in ctx.repo.claims(number) if c.claimant_id == claimant_id]
    others = ctx.repo.claimed(number) - sum(c.headcount for c in mine)
    total = post.headcount
    out: list[Reply] = []
    want = max(1, headcount)
    got = want
    if total is not None:
        left = total - others
        if left <= 0:
            return [ctx.say(replies.already_filled(number))]
        got = min(want, left)
    _, created = ctx.repo.claim(post, claimant_id, name, got, message_id=ctx.row.id,
                                now=ctx.now(), source=source)
    claimed = ctx.repo.claimed(number)
    ctx.repo.set_posting_status(post, post.status, now=ctx.now())  # activity keeps it alive
    who_id = (claimant_id,) if not claimant_id.startswith("name:") else ()
    if got < want:
        out.append(ctx.say(replies.claim_trimmed(number, got, want), mentions=who_id))
    elif not quiet:
        out.append(ctx.say(replies.claim_ok(number, got, claimed, total, updated=not created),
                           mentions=who_id))
    if post.contact and who_id:
        if ctx.can_direct:
            who = " ".join(x for x in (post.employer, post.job) if x) or post.poster_name
            out.append(ctx.dm(claimant_id, replies.contact_dm(number, who, post.contact)))
        else:
            out.append(ctx.say(replies.contact_via_poster(number), mentions=(post.poster_id,)))
    if total is not None and claimed >= total:
        ctx.repo.set_posting_status(post, "filled", now=ctx.now())
        out.append(ctx.say(replies.posting_filled(number, total), mentions=(post.poster_id,)))
    return out


@router.on("claim")
def on_claim(ctx: Ctx) -> list[Reply]:
    p = ctx.parsed
    assert p is not None
    return record_claim(ctx, p.ref, p.headcount or 1)


def _ref_and_count(ctx: Ctx) -> tuple[int, int]:
    """The posting a claim command names and the people it counts (1 unless given)."""
    ref = ref_arg(ctx)
    m = re.fullmatch(r"(?:(\d{1,4})\s*(?:人|个|位)?)?", ctx.rest)
    if m is None:
        raise UsageError()
    return ref, int(m.group(1) or 1)


@router.command("报名", permission="member", help="报名一个岗位", usage="#报名 编号 [人数]，如：#报名 12 3",
                target="posting")
def cmd_claim(ctx: Ctx) -> list[Reply]:
    ref, count = _ref_and_count(ctx)
    if count <= 0:
        raise UsageError()
    return record_claim(ctx, ref, count, source="command")


@router.command("取消报名", permission="member", help="取消自己的报名", usage="#取消报名 编号",
                target="posting")
def cmd_cancel(ctx: Ctx) -> Reply:
    ref, _ = _ref_and_count(ctx)
    post = ctx.repo.posting(ref)
    if post is None:
        return ctx.say(replies.no_such_posting(ref))
    c = ctx.repo.cancel_claim(ref, ctx.msg.sender_id, now=ctx.now())
    if c is None:
        return ctx.say(replies.cancel_none(ref))
    if post.status == "filled":
        ctx.repo.set_posting_status(post, "open", now=ctx.now())
    return ctx.say(replies.cancel_ok(ref, ctx.repo.claimed(ref), post.headcount),
                   mentions=(ctx.msg.sender_id,))
