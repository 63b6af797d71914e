"""When scheduled work runs. The only module that knows APScheduler.

Every job has a stable id and a cron trigger in the configured time zone. The same
triggers drive the real clock (a BackgroundScheduler) and the simulated clock of
`daqiao replay --clock simulated` (`due_between`), so both fire at the same times.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.cron import CronTrigger

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class JobSpec:
    """A scheduled job: stable id, when (a local time of day, or every N minutes), and what."""

    id: str
    run: Callable[[datetime], None]
    at: time | None = None
    every_minutes: int | None = None
    weekday: str | None = None  # with `at`: only that day of the week ("mon" ...)

    def trigger(self, tz: ZoneInfo) -> CronTrigger:
        if self.every_minutes:
            return CronTrigger(minute=f"*/{self.every_minutes}", timezone=tz)
        assert self.at is not None, "a JobSpec needs `at` or `every_minutes`"
        return CronTrigger(day_of_week=self.weekday or "*", hour=self.at.hour,
                           minute=self.at.minute, timezone=tz)


def due_between(specs: Iterable[JobSpec], tz: ZoneInfo, after: datetime,
                until: datetime) -> list[tuple[datetime, JobSpec]]:
    """Every (fire time, job) with after < fire time <= until, in order."""
    out: list[tuple[datetime, JobSpec]] = []
    for spec in specs:
        trig = spec.trigger(tz)
        t = trig.get_next_fire_time(None, after + timedelta(microseconds=1))
        while t is not None and t <= until:
            out.append((t, spec))
            t = trig.get_next_fire_time(t, t + timedelta(microseconds=1))
    out.sort(key=lambda x: (x[0], x[1].id))
    return out


class RealtimeScheduler:
    """Runs JobSpecs on the wall clock with APScheduler; `sync` adds and removes jobs."""

    def __init__(self, tz: ZoneInfo) -> None:
        self.tz = tz
        self._sched = BackgroundScheduler(timezone=tz)

    def start(self, specs: Iterable[JobSpec]) -> None:
        self.sync(specs)
        self._sched.start()

    def sync(self, specs: Iterable[JobSpec]) -> None:
        wanted = {s.id: s for s in specs}
        for job in self._sched.get_jobs():
            if job.id not in wanted:
                job.remove()
        for s in wanted.values():
            self._sched.add_job(_fire, s.trigger(self.tz), args=[s], id=s.id,
                                replace_existing=True, coalesce=True, misfire_grace_time=600)

    def next_fire_times(self) -> dict[str, datetime | None]:
        return {j.id: j.next_run_time for j in self._sched.get_jobs()}

    def stop(self) -> None:
        if self._sched.running:
            self._sched.shutdown(wait=True)


def _fire(spec: JobSpec) -> None:
    try:
        spec.run(datetime.now(ZoneInfo("UTC")))
    except Exception:  # noqa: BLE001 - a failing job must not kill the scheduler thread
        log.exception("scheduled job %s failed", spec.id)
