"""Start and end dates, resolved against the message's own date.

jionlp's time parser was considered: it resolves 明天早上8点 well but is a heavy
import (slow cold start) and does not read the work-duration phrasing the rules
need (干两周, 做到年底, 明后两天), so the dates here are read by these rules.
"""

from __future__ import annotations

import calendar
import re
from datetime import date, timedelta

_WEEKDAY = {"一": 0, "1": 0, "二": 1, "2": 1, "三": 2, "3": 2, "四": 3, "4": 3, "五": 4, "5": 4,
            "六": 5, "6": 5, "日": 6, "天": 6, "7": 6, "末": 5}
_WD = r"(?:周|星期|礼拜)([一二三四五六日天1-7])"
_NEXT_WEEKDAY = re.compile(rf"(?<!下)下个?{_WD}")
_NEXT_NEXT_WEEKDAY = re.compile(rf"下下个?{_WD}")
_THIS_WEEKDAY = re.compile(rf"(?<![下上])(?:本|这个?|这)?{_WD}")
_MONTH_DAY = re.compile(r"(?<![\d.])(\d{1,2})\s*月\s*(\d{1,2})\s*[号日]?")
_DOT_DAY = re.compile(
    r"(?<![\d.])(\d{1,2})[./](\d{1,2})"
    r"(?=\s*(?:号|日|开始|开工|上岗|到岗|入职|进场|报到|起|到|至|-|~|前|后|—))|"
    # 3.15需要…: a date opening the post
    r"^(\d{1,2})[./](\d{1,2})(?=\s*(?:需要|急需|要|招|缺|晚上|上午|下午|早上))"
)
# 下个月1号起: a day of next month (or of this one).
_REL_MONTH_DAY = re.compile(r"(下个?|这个?|本)月\s*(\d{1,2})\s*[号日]")
_DAY_ONLY = re.compile(
    r"(?<![\d月.])(\d{1,2})\s*[号日](?=\s*(?:开始|开工|上岗|到岗|入职|进场|报到|起|上班|前|到|至))"
)
# 下周开始, 下个月就能进场: the first day of next week or month.
_STARTS = (r"\s*(?:就|都)?\s*"
           r"(?:开始|开工|起|进场|上岗|到岗|入职|报到|能来|能去|能进场|可以来|可以去|能上岗)")
_NEXT_WEEK = re.compile(rf"(?<!下)下个?(?:周|星期|礼拜)(?=一?{_STARTS})")
_NEXT_MONTH = re.compile(rf"(?<!下)下个?月(?=初?{_STARTS})")
_START_WORDS = [
    (re.compile(r"明后[两2]?天|明天\s*[、和跟及与,，]\s*后天"), 1, 2),
    (re.compile(r"今明[两2]?天|今天\s*[、和跟及与,，]\s*明天"), 0, 1),
    (re.compile(r"大后天"), 3, None),
    (re.compile(r"后天"), 2, None),
    (re.compile(r"明天|明日|明早|明晚"), 1, None),
    (re.compile(r"今天|今日|即日起|即日|马上|立即|立刻|现在就|今晚|当天就|随时"), 0, None),
]
_END_YEAR = re.compile(r"(?:做|干|到|至|持续|一直)[^，,。;；\n]{0,4}?年底|年底前")
_END_NEXT_MONTH_END = re.compile(
    r"(?:做|干|到|至)[^，,。;；\n\d]{0,2}?下个?月(?:底|末)|下个?月(?:底|末)之?前"
)
_END_MONTH_END = re.compile(
    r"(?:做|干|到|至)[^，,。;；\n\d]{0,3}?(?:本|这个)?月底|"
    r"(?<![\d下个])(?:本|这个)?月底(?:之?前|结束|完工|截止|为止)"
)
_END_MONTH = re.compile(
    r"(?:到|至|-|~|—)\s*(\d{1,2})\s*月(?:底|末|份)?(?!\s*\d)|"
    r"(?<![\d.])(\d{1,2})\s*月(?:底|末)(?:之?前|结束|完工|截止|为止)"
)
_END_DATE = re.compile(
    r"(?:到|至|-|~|—)\s*(?:(\d{1,2})\s*月)?\s*(\d{1,2})\s*[号日]|"
    r"(?<![\d.])\d{1,2}[./]\d{1,2}\s*(?:到|至|-|~|—)\s*(\d{1,2})[./](\d{1,2})"
    r"(?![\d.]|\s*(?:元|块|万|千|[kKwW]|米|%|斤|公斤|小时))"
)
_DURATION = re.compile(
    r"(?:干|做|借调|借用|支援|共享|为期|共|连续|工期|做满|需要|要|大概|预计|一共|总共|持续|"
    r"可以做|能做|能干|可以干|只要|只干|只做|帮忙|帮)"
    r"[^，,。;；\n\d]{0,2}?(\d{1,3})\s*(?:个)?\s*(天|日|周|星期|礼拜|月)"
)
# A duration standing as a clause of its own (后天开始，三天，一天180) or right after the day
# it starts (3月8号一天，250元; 周六一天，).
_DURATION_CLAUSE = re.compile(
    r"(?:^|[，,。\s]|(?<=\d[号日])|(?<=[明后]天)|(?<=(?:周|期|拜)[一二三四五六日天]))"
    r"(\d{1,3}|一(?=天))\s*(天|周|星期|礼拜|个月)(?=\s*(?:[，,。;；]|$))"
)

# A relative day that ends the work, not starts it: 明天到后天, 做到周五, 干到下周三.
_ENDS_HERE = re.compile(r"(?:到|至|~|—)\s*(?:本|这个?)?$")
_END_RELATIVE = re.compile(rf"(?:到|至|~|—)\s*(?:(大后天|后天|明天)|(?:本|这个?)?(下个?)?{_WD})"
                           rf"(?![号日\d])")

# 周五周六两天: a count of days right after the weekdays it starts on.
_WEEKDAY_DAYS = re.compile(
    r"(?:周|星期|礼拜)[一二三四五六日天1-7]"
    r"(?:[到至、和]?(?:周|星期|礼拜)?[一二三四五六日天1-7])*\s*(\d)\s*天"
)
# 周六周日, 周六、日, 下周一二: two weekdays named together; the work ends on the second.
_WEEKDAY_PAIR = re.compile(
    rf"(?<!每){_WD}\s*[、和及与跟]?\s*"
    r"(?:(?:周|星期|礼拜)([一二三四五六日天1-7])|([一二三四五六日1-7]))(?![号日天\d])"
)
# 三天内干完: the work must be done within so many days.
_WITHIN = re.compile(
    r"(\d{1,3})\s*(?:个)?\s*(天|日|周|星期)"
    r"(?:(?:之内|以内|内)(?:干完|做完|完成|完工|搞定|结束)?|(?:干完|做完|完成|完工|搞定))"
)
_HALF = re.compile(
    r"(?:干|做|为期|共|连续|工期|做满|需要|要|大概|预计|一共|总共|持续|可以做|能做|能干|可以干|"
    r"只要|只干|只做|帮忙)"
    r"[^，,。;；\n\d]{0,2}?半\s*(?:个)?\s*(月|年)"
)


def _add_months(d: date, n: int) -> date:
    y, m = divmod(d.month - 1 + n, 12)
    y, m = d.year + y, m + 1
    return date(y, m, min(d.day, calendar.monthrange(y, m)[1]))


def _month_end(y: int, m: int) -> date:
    return date(y, m, calendar.monthrange(y, m)[1])


def _safe(y: int, m: int, d: int) -> date | None:
    try:
        return date(y, m, d)
    except ValueError:
        return None


def _first_start(rx: re.Pattern[str], text: str) -> re.Match[str] | None:
    """The first match of rx that is not the end of a range (明天到后天: 后天 ends it)."""
    return next((m for m in rx.finditer(text) if not _ENDS_HERE.search(text[:m.start()])), None)


def find_dates(text: str, today: date) -> tuple[date | None, date | None]:
    """(start, end) of the work as the text states them."""
    start: date | None = None
    end: date | None = None
    pos = len(text) + 1
    monday = today - timedelta(days=today.weekday())  # of this week
    first_of_month = date(today.year, today.month, 1)

    def take(d: date | None, at: int) -> None:
        nonlocal start, pos
        if d is not None and at < pos:
            start, pos = d, at

    for rx, plus, end_plus in _START_WORDS:
        m = _first_start(rx, text)
        if m:
            take(today + timedelta(days=plus), m.start())
            if end_plus is not None and m.start() == pos:
                end = today + timedelta(days=end_plus)
    m = _NEXT_NEXT_WEEKDAY.search(text)
    if m:  # 下下周一: that day of the week after next
        take(monday + timedelta(days=14 + _WEEKDAY[m.group(1)]), m.start())
    m = _first_start(_NEXT_WEEK, text)
    if m:
        take(monday + timedelta(days=7), m.start())
    m = _first_start(_NEXT_MONTH, text)
    if m:
        take(_add_months(first_of_month, 1), m.start())
    m = _first_start(_NEXT_WEEKDAY, text)
    if m:
        take(monday + timedelta(days=7 + _WEEKDAY[m.group(1)]), m.start())
    for m in _THIS_WEEKDAY.finditer(text):
        if (text[max(0, m.start() - 1):m.start()] in ("下", "上", "每")
                or _ENDS_HERE.search(text[:m.start()])):
            continue
        wd = _WEEKDAY[m.group(1)]
        d = monday + timedelta(days=wd)
        if d < today:
            d += timedelta(days=7)
        take(d, m.start())
        break
    for m in _MONTH_DAY.finditer(text):
        before = text[max(0, m.start() - 2):m.start()]
        if before.endswith(("到", "至", "-", "~")):
            continue
        take(_safe(today.year, int(m.group(1)), int(m.group(2))), m.start())
        break
    m = _DOT_DAY.search(text)
    if m:
        take(_safe(today.year, int(m.group(1) or m.group(3)), int(m.group(2) or m.group(4))),
             m.start())
    m = _first_start(_REL_MONTH_DAY, text)
    if m:
        first = _add_months(first_of_month, 1) if m.group(1).startswith("下") else first_of_month
        take(_safe(first.year, first.month, int(m.group(2))), m.start())
    m = _DAY_ONLY.search(text)
    if m and not re.search(r"\d\s*号\s*(?:我|报名|那个)", text):
        d = _safe(today.year, today.month, int(m.group(1)))
        if d is not None and d < today:
            d = _add_months(d, 1)
        take(d, m.start())

    base = start or today
    if m := _END_RELATIVE.search(text):  # 明天到后天, 做到周五, 干到下周三
        if m.group(1):
            end = today + timedelta(days={"明天": 1, "后天": 2, "大后天": 3}[m.group(1)])
        else:
            end = monday + timedelta(days=(7 if m.group(2) else 0) + _WEEKDAY[m.group(3)])
            if not m.group(2) and end < base:
                end += timedelta(days=7)
    elif _END_YEAR.search(text):
        end = date(base.year, 12, 31)
    elif m := _END_DATE.search(text):  # 到15号, 到4月15日, 3.10到3.20
        month = int(m.group(1) or m.group(3) or base.month)
        d = _safe(base.year, month, int(m.group(2) or m.group(4)))
        if d is not None and (start is None or d >= start):
            end = d
    elif _END_NEXT_MONTH_END.search(text):  # 干到下个月底
        nxt = _add_months(date(base.year, base.month, 1), 1)
        end = _month_end(nxt.year, nxt.month)
    elif _END_MONTH_END.search(text):
        end = _month_end(base.year, base.month)
    elif m := _END_MONTH.search(text):  # 到5月, 3月底前
        month = int(m.group(1) or m.group(2))
        if 1 <= month <= 12:
            year = base.year if month >= base.month else base.year + 1
            end = _month_end(year, month)
    if end is None and (m := _DURATION.search(text) or _DURATION_CLAUSE.search(text)):
        n, unit = (1 if m.group(1) == "一" else int(m.group(1))), m.group(2)
        if 0 < n <= 366:
            if unit in ("天", "日"):
                end = base + timedelta(days=n - 1)
            elif unit in ("周", "星期", "礼拜"):
                end = base + timedelta(days=7 * n - 1)
            else:
                end = _add_months(base, n) - timedelta(days=1)
    if end is None and (m := _WITHIN.search(text)):
        n = int(m.group(1)) * (1 if m.group(2) in ("天", "日") else 7)
        if 0 < n <= 366:
            end = base + timedelta(days=n - 1)
    if end is None and start is not None and (m := _WEEKDAY_DAYS.search(text)):
        end = start + timedelta(days=int(m.group(1)) - 1)
    if end is None and start is not None and (m := _WEEKDAY_PAIR.search(text)) \
            and start.weekday() == _WEEKDAY[m.group(1)] < _WEEKDAY[m.group(2) or m.group(3)]:
        end = start + timedelta(days=_WEEKDAY[m.group(2) or m.group(3)] - _WEEKDAY[m.group(1)])
    if end is None and (m := _HALF.search(text)):  # 干半个月: 15 days; 半年: six months
        end = (base + timedelta(days=14) if m.group(1) == "月"
               else _add_months(base, 6) - timedelta(days=1))
    if end is not None and start is not None and end < start:
        end = None
    return start, end
