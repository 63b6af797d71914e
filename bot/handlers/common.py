"""Helpers shared by handlers: errors that become replies, and posting summaries."""

from __future__ import annotations

from collections.abc import Sequence

from bot import replies
from bot.context import Ctx
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
        start=p.start_date, kind=p.kind)
