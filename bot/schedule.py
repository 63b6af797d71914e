"""The schedule table: *when* each piece of scheduled work runs (what it does is in
bot/handlers/clock.py). The same table drives the wall clock and `--clock simulated`.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, time

from bot.config import Config
from bot.handlers import clock
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
        (f"weekly@mon-{config.weekly_time:%H:%M}", clock.weekly_report,
         {"at": config.weekly_time, "weekday": "mon"}),
    ]
    return [JobSpec(id=job_id, run=runner(job_id, work), **when) for job_id, work, when in table]
