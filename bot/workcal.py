"""A working calendar for request deadlines: working hours, weekends and public holidays.

Configured under `requests.calendar` (hours "08:30-17:30", holidays true/false). Chinese public
holidays and the weekend days worked in their place come from chinese-calendar; for years it
has no data for, Monday to Friday are the working days (logged once).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class WorkCalendar:
    tz: ZoneInfo
    start: time = time(8, 30)
    end: time = time(17, 30)
    holidays: bool = True
    _warned: set[int] = field(default_factory=set, compare=False, repr=False)

    def is_workday(self, day: date) -> bool:
        if self.holidays:
            try:
                import chinese_calendar  # noqa: PLC0415 - only when a calendar is configured

                return bool(chinese_calendar.is_workday(day))
            except NotImplementedError:
                if day.year not in self._warned:
                    self._warned.add(day.year)
                    log.warning("no public-holiday data for %d; counting Monday-Friday", day.year)
        return day.weekday() < 5

    def _open(self, day: date) -> tuple[datetime, datetime]:
        return (datetime.combine(day, self.start, tzinfo=self.tz),
                datetime.combine(day, self.end, tzinfo=self.tz))

    def next_open(self, t: datetime) -> datetime:
        """The first working moment at or after t."""
        local = t.astimezone(self.tz)
        day = local.date()
        for _ in range(400):
            if self.is_workday(day):
                a, b = self._open(day)
                if local < b:
                    return max(local, a)
            day += timedelta(days=1)
            local = datetime.combine(day, time(0), tzinfo=self.tz)
        raise ValueError("no working day within 400 days")

    def is_open(self, t: datetime) -> bool:
        """t falls in working time."""
        return self.next_open(t) == t.astimezone(self.tz)

    def add(self, t: datetime, hours: float) -> datetime:
        """t plus `hours` of working time."""
        left = timedelta(hours=hours)
        cur = self.next_open(t)
        while True:
            _, close = self._open(cur.date())
            if cur + left <= close:
                return (cur + left).astimezone(t.tzinfo)
            left -= close - cur
            cur = self.next_open(close + timedelta(microseconds=1))

    def end_of_day(self, t: datetime) -> datetime:
        """Close of the working day t falls in (or of the next one, after hours)."""
        cur = self.next_open(t)
        return self._open(cur.date())[1].astimezone(t.tzinfo)

    def add_days(self, t: datetime, days: int) -> datetime:
        """The same working moment `days` working days later."""
        cur = self.next_open(t)
        clock = cur.timetz()
        day = cur.date()
        n = 0
        while n < days:
            day += timedelta(days=1)
            if self.is_workday(day):
                n += 1
        return datetime.combine(day, clock.replace(tzinfo=None), tzinfo=self.tz).astimezone(t.tzinfo)

    def between(self, a: datetime, b: datetime) -> timedelta:
        """Working time from a to b (zero when b is not after a)."""
        total = timedelta()
        cur = a
        while cur < b:
            cur = self.next_open(cur)
            if cur >= b:
                break
            _, close = self._open(cur.astimezone(self.tz).date())
            total += min(close, b) - cur
            cur = close + timedelta(microseconds=1)
        return total


def routine_window(tz: ZoneInfo, calendar_hours: tuple[time, time] | None,
                   quiet_hours: tuple[time, time], holidays: bool = True) -> WorkCalendar:
    """When routine request work (reminders, 督办, rating reminders, non-urgent alerts) may
    reach people: the working hours where a calendar is configured, else the hours outside
    the quiet ones (21:00-08:00 by default); on working days only, either way."""
    if calendar_hours is not None:
        return WorkCalendar(tz, calendar_hours[0], calendar_hours[1], holidays)
    quiet_from, quiet_to = quiet_hours
    if quiet_from > quiet_to:  # wraps midnight: open from its end to its start
        return WorkCalendar(tz, quiet_to, quiet_from, holidays)
    return WorkCalendar(tz, quiet_to, time(23, 59, 59), holidays)
