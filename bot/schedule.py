"""The schedule table: *when* each piece of scheduled work runs (what it does is in
bot/handlers/clock.py). The same table drives the wall clock and `--clock simulated`.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.config import Config
from bot.handlers import clock, opinions
from bot.handlers.clock import ClockCtx
from bot.types import Reply
from scheduler.jobs import JobSpec
from storage import Repository

Work = Callable[[ClockCtx, datetime], list[Reply]]
Runner = Callable[[str, Work], Callable[[datetime], None]]
DIGEST_PREFIX = "digest@"  # jobs a restart catches up on (see App.catch_up)


def digest_times(config: Config, repo: Repository) -> list[time]:
    """Every local time some group's daily digest goes out."""
    times = {config.digest_time}
    times.update(g.digest_time for g in config.groups if g.digest_time)
    times.update(clock.digest_time(config, g) for g in repo.groups())
    return sorted(times)


def job_specs(config: Config, repo: Repository, runner: Runner) -> list[JobSpec]:
    """The table. `runner(job_id, work)` turns a piece of work into what the clock calls."""

    def at(t: time) -> Work:
        return lambda ctx, when: clock.daily_digests(ctx, when, t)

    every = config.notify_every_minutes
    table: list[tuple[str, Work, dict]] = [
        (f"{DIGEST_PREFIX}{t:%H:%M}", at(t), {"at": t}) for t in digest_times(config, repo)]
    table += [
        ("expire@00:05", clock.expire_postings, {"at": time(0, 5)}),
        ("retention@03:30", clock.retention_sweep, {"at": time(3, 30)}),
        (f"claims@*/{every}", clock.claim_notices, {"every_minutes": every}),
        ("requests@*/15", clock.request_sweep, {"every_minutes": 15}),
        ("opinions@*/15", opinions.close_due, {"every_minutes": 15}),
        (f"weekly@mon-{config.weekly_time:%H:%M}", clock.weekly_report,
         {"at": config.weekly_time, "weekday": "mon"}),
    ]
    return [JobSpec(id=job_id, run=runner(job_id, _once(job_id, work, when, config)), **when)
            for job_id, work, when in table]


def _once(job_id: str, work: Work, when: dict, config: Config) -> Work:
    """The work, done by one process only per due time when several share one PostgreSQL:
    the first to claim the run (storage: a row per job and due time) does it, the others
    do nothing. On SQLite (one process) the claim always succeeds."""

    def run(ctx: ClockCtx, fired: datetime) -> list[Reply]:
        due = due_time(fired, config.tz, at=when.get("at"),
                       every_minutes=when.get("every_minutes"))
        if not ctx.repo.claim_run(job_id, due, now=fired):
            return []
        ctx.repo.changed_elsewhere()  # a group paused through another process stays quiet
        return work(ctx, fired)

    return run


def due_time(fired: datetime, tz: ZoneInfo, *, at: time | None = None,
             every_minutes: int | None = None) -> datetime:
    """The due time a firing at `fired` stands for: the same in every process, though the
    wall clock fires each a little late (the simulated clock fires on the dot)."""
    local = fired.astimezone(tz).replace(second=0, microsecond=0)
    if every_minutes:
        return local.replace(minute=local.minute - local.minute % every_minutes)
    assert at is not None
    due = local.replace(hour=at.hour, minute=at.minute)
    return due if due <= local else due - timedelta(days=1)
