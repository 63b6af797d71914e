"""Helpers shared by handlers: errors that become replies, and posting summaries."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from bot import replies
from bot.context import Ctx
from bot.types import Reply
from storage import Repository
from storage.models import Posting
from storage.repository import Candidate


class UsageError(Exception):
    """The command's arguments are missing or wrong; the dispatcher answers with its usage."""


def ref_arg(ctx: Ctx) -> int:
    """The posting or request a command names (read once, by the dispatcher), or a
    UsageError when its arguments do not begin with one."""
    if ctx.ref is None:
        raise UsageError()
    return ctx.ref


def line_for(ctx: Ctx, p: Posting) -> str:
    return lines_for(ctx, [p])[0]


def lines_for(ctx: Ctx, postings: Sequence[Posting | Candidate]) -> list[str]:
    """A short line for each posting, with the claims counted in one query for all."""
    claimed = ctx.repo.claimed_many(p.id or 0 for p in postings if p.kind == "job")
    return [posting_line(p, claimed.get(p.id or 0, 0) if p.kind == "job" else 0)
            for p in postings]


def posting_line(p: Posting | Candidate, claimed: int) -> str:
    """One short line for a posting in lists, answers and digests."""
    return replies.posting_line(
        p.id or 0, employer=p.employer, job=p.job, task=p.task, location=p.location,
        headcount=p.headcount, claimed=claimed,
        pay=replies.pay_text(p.pay_min, p.pay_max, p.pay_unit), settlement=p.settlement,
        start=p.start_date, kind=p.kind, terms=terms_of(p))


def terms_of(p: Posting | Candidate) -> str | None:
    return replies.terms_text(p.age_min, p.age_max, p.gender, p.board, p.shift, p.licence)


def posting_what(p: Posting) -> str:
    """A posting named for the people on it: 印刷厂 包装工."""
    return " ".join(x for x in (p.employer, p.job or p.task) if x) or "这个活"


def claimant_notices(repo: Repository, post: Posting, text: str, when: datetime,
                     event: str) -> list[Reply]:
    """Tell everyone with an active claim on `post` what happened to it (closed, expired,
    filled, its pay, date or place changed): one message each, as their own record, so the
    privacy screen sends it privately where the transport can (else in the posting's group,
    mentioning them). `event` names the change in the outbox key: told once per change."""
    out = []
    for c in repo.claims(post.id or 0):
        key = f"claimant:{post.id}:{c.claimant_id}:{event}:{when.isoformat()}"
        if post.group_id is not None and repo.group(post.group_id) is not None:
            out.append(Reply(text=text, group=post.group_id, to=c.claimant_id,
                             mentions=(c.claimant_id,), audience="person", time=when, key=key))
        else:
            out.append(Reply(text=text, to=c.claimant_id, time=when, key=key))
    return out


def month_span(year: int, month: int) -> tuple[date, date, str]:
    """[start, end) of a month and its title (2025年3月): what #统计 and #奖励台账 count."""
    if not 1 <= month <= 12:
        raise UsageError()
    return date(year, month, 1), date(year + (month == 12), month % 12 + 1, 1), \
        f"{year}年{month}月"
