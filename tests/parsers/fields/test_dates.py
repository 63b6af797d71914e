"""Start and end dates (parsers.fields.dates.find_dates) from the working text, resolved
against the day the message was sent: Monday 2025-03-03 unless a row says otherwise."""

from __future__ import annotations

from datetime import date

import pytest

from parsers.fields.dates import find_dates
from parsers.parser import prepare

MONDAY = date(2025, 3, 3)


def dates(text: str, today: date) -> tuple[str | None, str | None]:
    """(start, end) as ISO strings."""
    start, end = find_dates(prepare(text)[2], today)
    return (start and start.isoformat(), end and end.isoformat())


# Sent on Monday 2025-03-03.
FROM_MONDAY = {
    # Start words.
    "today": ("缺装卸工两三个，今天就要", ("2025-03-03", None)),
    "from-today-on": ("即日起招聘仓管员1名", ("2025-03-03", None)),
    "at-once": ("马上要人，一天200", ("2025-03-03", None)),
    "tomorrow": ("急需搬运工5名，明天到岗", ("2025-03-04", None)),
    "day-after-tomorrow": ("后天开始要采摘工15人", ("2025-03-05", None)),
    "tomorrow-and-the-day-after": ("明后两天需要6个临时工卸货", ("2025-03-04", "2025-03-05")),
    "tomorrow-to-day-after": ("明天到后天要人", ("2025-03-04", "2025-03-05")),
    # Weekdays: this week's (Monday-first), next week's, the week after.
    "weekday-is-today": ("周一要人", ("2025-03-03", None)),
    "bare-weekday": ("周六要人", ("2025-03-08", None)),
    "this-weekday": ("这周六要装柜", ("2025-03-08", None)),
    "next-monday": ("下周一开始，需要包装工8名", ("2025-03-10", None)),
    "week-after-next": ("下下周六缺服务员12名", ("2025-03-22", None)),
    "every-saturday-is-no-start": ("每周六加班", (None, None)),
    "weekday-pair": ("周六周日加班", ("2025-03-08", "2025-03-09")),
    "weekday-range": ("下周三到周五，会展布置要15个人", ("2025-03-12", "2025-03-14")),
    # Calendar dates in the message's year.
    "month-day": ("3月10号上岗", ("2025-03-10", None)),
    "dotted": ("3.10开工", ("2025-03-10", None)),
    "dotted-range": ("3.10到3.20", ("2025-03-10", "2025-03-20")),
    "day-of-month": ("12号开始上班", ("2025-03-12", None)),
    "next-month-day": ("下个月1号起", ("2025-04-01", None)),
    # Ends.
    "year-end": ("做到年底", (None, "2025-12-31")),
    "month-end": ("做到月底", (None, "2025-03-31")),
    "next-month-end": ("干到下个月底", (None, "2025-04-30")),
    "to-end-of-month": ("干到5月底", (None, "2025-05-31")),
    "month-span": ("3月到5月都可以出去干", (None, "2025-05-31")),
    "to-weekday": ("做到周五", (None, "2025-03-07")),
    "to-day-of-month": ("干到15号", (None, "2025-03-15")),
    # Durations end inclusive, from the stated start or else from the message's day.
    "days": ("干三天", (None, "2025-03-05")),
    "weeks": ("干两周", (None, "2025-03-16")),
    "months": ("做三个月", (None, "2025-06-02")),
    "within-days": ("三天内干完", (None, "2025-03-05")),
    "start-and-days": ("明天开始干三天", ("2025-03-04", "2025-03-06")),
    # A posting's number is no date.
    "claim-ref": ("12号我接了", (None, None)),
    "register-ref": ("报名12号", (None, None)),
}

# Sent on other days: (day sent, text, (start, end)).
FROM_OTHER_DAYS = {
    "friday-monday-is-next-week": (date(2025, 3, 7), "周一要人", ("2025-03-10", None)),
    "friday-this-wednesday-is-past": (date(2025, 3, 7), "这周三要人", ("2025-03-12", None)),
    "friday-is-today": (date(2025, 3, 7), "周五要人", ("2025-03-07", None)),
    "month-end-of-start-month": (
        date(2025, 3, 31), "明天开始，做到月底", ("2025-04-01", "2025-04-30")),
    "duration-across-month": (
        date(2025, 3, 31), "明天需要搬运工3个，干两天", ("2025-04-01", "2025-04-02")),
    "next-month-in-december": (date(2025, 12, 20), "下个月1号开工", ("2026-01-01", None)),
}

CASES = [pytest.param(MONDAY, *row, id=name) for name, row in FROM_MONDAY.items()] + [
    pytest.param(*row, id=name) for name, row in FROM_OTHER_DAYS.items()]


@pytest.mark.parametrize(("today", "text", "expected"), CASES)
def test_find_dates(today: date, text: str, expected: tuple[str | None, str | None]) -> None:
    assert dates(text, today) == expected
