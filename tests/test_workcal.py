"""The working calendar behind request deadlines (public holidays from chinese-calendar)."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.workcal import WorkCalendar

TZ = ZoneInfo("Asia/Shanghai")
CAL = WorkCalendar(TZ, time(8, 30), time(17, 30), holidays=True)


def t(y: int, mo: int, d: int, h: int, mi: int = 0) -> datetime:
    return datetime(y, mo, d, h, mi, tzinfo=TZ)


def test_one_working_hour_rolls_over_the_evening_and_the_weekend():
    assert CAL.add(t(2025, 3, 3, 9), 1) == t(2025, 3, 3, 10)
    assert CAL.add(t(2025, 3, 7, 17), 1) == t(2025, 3, 10, 9)      # Friday 17:00 -> Monday 09:00
    assert CAL.add(t(2025, 3, 8, 11), 1) == t(2025, 3, 10, 9, 30)  # Saturday -> Monday


def test_public_holidays_and_the_weekends_worked_for_them():
    # National Day 2025: 1-8 October off; Sunday 28 September and Saturday 11 October worked.
    assert CAL.add(t(2025, 9, 30, 17), 1) == t(2025, 10, 9, 9)
    assert CAL.is_workday(t(2025, 9, 28, 9).date()) and CAL.is_workday(t(2025, 10, 11, 9).date())
    assert not CAL.is_workday(t(2025, 10, 3, 9).date())


def test_same_day_and_three_days():
    assert CAL.end_of_day(t(2025, 3, 3, 9)) == t(2025, 3, 3, 17, 30)
    assert CAL.end_of_day(t(2025, 3, 3, 20)) == t(2025, 3, 4, 17, 30)  # after hours: next day
    assert CAL.add_days(t(2025, 3, 6, 10), 3) == t(2025, 3, 11, 10)    # Thu + 3 working days


def test_working_time_between():
    assert CAL.between(t(2025, 3, 7, 17), t(2025, 3, 10, 9)) == timedelta(minutes=60)
    assert CAL.between(t(2025, 3, 10, 9), t(2025, 3, 7, 17)) == timedelta(0)


def test_years_without_holiday_data_count_monday_to_friday(caplog):  # type: ignore[no-untyped-def]
    cal = WorkCalendar(TZ, time(9), time(17), holidays=True)
    assert cal.add(t(2030, 1, 4, 16), 2) == t(2030, 1, 7, 10)  # Friday -> Monday
    assert "no public-holiday data for 2030" in caplog.text
