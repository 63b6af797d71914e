"""The daily digest: pure given the repository, the group and the day."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta

from storage import Repository
from storage.models import Group, Posting

MAX_CHARS = 3800  # WeChat cuts long messages; stay under 4,000 with room for the footer
MAX_LINES = 15


def build_digest(repo: Repository, group: Group, day: date, *, now: datetime,
                 line: Callable[[Posting, int], str],
                 render: Callable[[date, list[str], int, list[str], int], str],
                 force: bool = False) -> str | None:
    """Today's digest for a group, or None when nothing changed in the last day.

    `line` renders one posting (with its claimed count) and `render` the whole message, so
    the wording stays in the bot's replies module. `force` (a cadre's #摘要) skips the
    nothing-changed rule, but not the nothing-to-say one.
    """
    since = now - timedelta(days=1)
    new_posts = repo.postings_between(group.id or 0, since, now)
    new_claims = repo.claims_between(group.id or 0, since, now)
    if not new_posts and not new_claims and not force:
        return None
    jobs = repo.open_postings(group.id, limit=MAX_LINES)
    n_jobs = repo.count_open(group.id)
    offers = [p for p in new_posts if p.kind == "offer" and p.status == "open"]
    if not jobs and not offers:
        return None
    shown_jobs = [line(p, repo.claimed(p.id or 0)) for p in jobs]
    shown_offers = [line(p, 0) for p in offers[:MAX_LINES]]
    text = render(day, shown_jobs, n_jobs - len(shown_jobs), shown_offers,
                  len(offers) - len(shown_offers))
    while len(text) > MAX_CHARS and (shown_jobs or shown_offers):
        if len(shown_offers) > len(shown_jobs) // 2:
            shown_offers = shown_offers[:-1]
        else:
            shown_jobs = shown_jobs[:-1]
        text = render(day, shown_jobs, n_jobs - len(shown_jobs), shown_offers,
                      len(offers) - len(shown_offers))
    return text
