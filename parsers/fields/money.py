"""Pay: a figure or a range with the unit it is paid per, and settlement terms."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import NamedTuple

from parsers.models import Pay

_NUM = r"(\d+(?:\.\d+)?)\s*([千万kKwW])?"
# Either side of a range.
_FIGURE = re.compile(
    rf"(?<![\d./\-])(?<!\d:)(?:{_NUM})(?:\s*(?:元|块钱?|圆|rmb|RMB)?\s*(?:-|~|～|到|至|—)\s*{_NUM})?"
)
# Loads and areas paid by the unit like pieces: 一吨十五块, 200元/车, 按亩算.
_MEASURES = (r"吨|公斤|袋|包(?!吃|住)|车(?!间)|柜|托|捆|桶|亩|平(?:方米?|米)?(?![时常安台均板])|"
             r"串|"
             r"打(?![包扫工卡电])|盒|卷|根|颗|粒|瓶|朵|副|枚")
_UNIT_AFTER = [
    ("hour", re.compile(r"^\s*(?:元|块钱?)?\s*(?:/|每|一|1)\s*(?:个)?(?:小时|h|H|钟头|时)(?!间)")),
    ("day", re.compile(r"^\s*(?:元|块钱?)?\s*(?:/|每|一|1)\s*(?:天|日|晚|个班|班)")),
    ("month", re.compile(r"^\s*(?:元|块钱?)?\s*(?:/|每|一|1)\s*(?:个)?月")),
    ("job", re.compile(r"^\s*(?:元|块钱?)?\s*(?:包干|一口价|全包)")),
    ("piece", re.compile(r"^\s*(?:元|块钱?|毛)?\s*(?:/|每|一|1)\s*"
                         r"(?:件|个(?!人)|只|双|条|箱|斤|单|票|套|片|" + _MEASURES + ")")),
]
_UNIT_BEFORE = [
    ("hour", re.compile(r"(?:时薪|小时工资|每小时|一小时|1小时|[每一1]个?钟头|按小时(?:算|计|结)?|"
                        r"按时(?:计|算)|每个小时|小时工价|工时费)[^\d，,。;；\n]{0,4}$")),
    ("day", re.compile(r"(?:日薪|日工资|天工资|一天|每天|1天|按天(?:算|计)?|工日|每日|每晚|一晚|"
                       r"天价|"
                       r"日结|天结|当天结)[^\d，,。;；\n]{0,4}$")),
    ("month", re.compile(r"(?:(?<!\d)1月(?:能|可以|大概|差不多|少说|最少|至少)?(?:拿|挣|赚|收入)|"
                         r"(?<![\d.一二三四五六七八九十])[1一]月(?=\s*$)|"  # 一月2200
                         r"月薪|底薪|月工资|每月|一个月|1个月|包月|月收入|综合工资|综合月薪|保底|"
                         r"月均|"
                         r"到手|月入|月底薪|基本工资)[^\d，,。;；\n]{0,6}$")),
    ("piece", re.compile(r"(?:计件|每件|一件|1件|按件|件价|单价|每单|一单|1单|每筐|一筐|每箱|一箱|"
                         r"每斤|一斤|1斤|1箱|1筐|按斤|[每一1按](?:" + _MEASURES
                         + r"))[^\d，,。;；\n]{0,4}$")),
    ("job", re.compile(r"(?:包干|整活|整个活儿?|整个工程|一口价|总价|包工|承包价|总共给|活儿?给|"
                       r"(?:干|做|弄|卸|搬|装)完(?:了)?(?:就)?(?:给|付))[^\d，,。;；\n]{0,4}$")),
    ("piece", re.compile(r"(?:每|一|1)个\s*$")),  # 折袋子一个三毛
]
# Words that show a figure is money of no stated period.
_MONEY_BEFORE = re.compile(
    r"(?:工资|薪资|薪水|待遇|工价|收入|报酬|薪酬|给|价格|价钱|费用|费|每人|"
    r"[1一]个?人)[^\d，,。;；\n]{0,4}$"
)
_MONEY_AFTER = re.compile(r"^\s*(?:元|块钱?|圆|[一1]个?人|每人)")
# Figures followed by these are not money.
_NOT_MONEY_AFTER = re.compile(
    r"^\s*(?:[-~到至]\s*\d+\s*)?(?:(?:多|来|余)\s*(?=个|名|人|位))?"
    r"(?:个(?!月)|名|位|人|岁|件|周岁|小时|点|号|日(?!结)|年|月(?!结|薪)|天(?!结)|次|桌|层|楼|米|"
    r"cm|CM|斤|公斤|kg|平|栋|号线|路|期|%|:|：|分钟|分|级|寸|码|套|间|辆|台|吨|趟|批|对|家|口|周|"
    r"星期|公里|km|条|项|张|份|届|w粉|后|"
    r"(?:及|或)?(?:以下|以内|之内))"  # 50以下, 60以内: an age bound (年龄50以下), not a wage
)
# A figure after these labels is an age, a height or a count, whatever unit follows.
_NOT_MONEY_BEFORE = re.compile(
    r"(?:年龄|年纪|岁数|身高|体重|视力|工龄|驾龄|人数|名额|招聘人数|需求人数)"
    r"[^\d，,。;；\n]{0,4}$"
)
# A bare figure right after the people wanted is their count (缺人60, 招工60,日结200): no
# wage inferred from the context; a job or need word makes a small figure a count (普工80).
_PEOPLE_BEFORE = re.compile(r"(?:人员|工人|人手|缺人|要人|招人)[:：\s]*$")
_NEED_BEFORE = re.compile(r"(?:[\u4e00-\u9fff]工|招|缺|需要|急需|要)[:：\s]*$")
_OPEN_MAX = re.compile(
    r"^\s*(?:元|块钱?)?\s*(?:/\S{1,2})?\s*(?:以上|起|\+|多|加(?:提成|计件)|上不封顶|起步|不封顶)"
)
# 底薪两千八加计件, 3000+提成: what is added on top leaves the pay open above.
_PLUS_EXTRA = re.compile(r"[加+](?:提成|计件)")
_PIECE_CONTEXT = re.compile(r"计件|每件|一件|按件|件价")
_PIECE_RATE = re.compile(r"(?<![不非])(?:计件|按件(?:计|算|结|付))")
_JOB_CONTEXT = re.compile(r"包干|整活|一口价|总价|包给|承包")
# 日结, or a one-day job: a bare figure is the day's pay.
# Board and lodging, days off a month: a bare figure in the thousands is a month's pay.
_MONTHLY_CONTEXT = re.compile(r"包吃住|包住|包吃|月休|五险")
_DAILY_CONTEXT = re.compile(r"日结|当天结|当日结|天天结|一天一结|(?:干|做)(?:1|一)天")


def _val(fig: str, mult: str | None) -> float:
    v = float(fig)
    if mult:
        v *= {"千": 1000, "k": 1000, "K": 1000, "万": 10000, "w": 10000, "W": 10000}[mult]
    return v


# Spoken money: 一块二 = 1.2 元, 两块五毛 = 2.5 元, 八毛 = 0.8 元 (after arabize: 1块二, 8毛).
# The figure after 块 is a count when a counter follows it (200块一个人, 300块一柜, 三块一箱).
_KUAI_MAO = re.compile(
    r"(\d+)\s*块\s*([一二三四五六七八九]|\d)(?!\d)(?:\s*毛)?"
    r"(?!\s*(?:[个名人位天日晚件只双条箱筐斤吨袋包车柜托捆桶亩平次趟批单票套片]|小时|钟头|周|"
    r"星期|礼拜|月))"
)
_MAO = re.compile(r"(?<![\d.])(\d)\s*毛(?:钱)?")
_MAO_FEN = re.compile(
    r"(?<![\d.])(\d)\s*毛\s*([一二三四五六七八九]|\d)(?!\d)(?!\s*(?:个|名|人|位|天|件|斤|钱))"
)
_FEN = re.compile(r"(?<![\d.])(\d)\s*分钱")
# 一个5分, 五分一件: 分 next to a piece is a hundredth of a yuan.
_PIECE_FEN = re.compile(
    r"(?<=[每一1][个件只条双片])\s*([一二三四五六七八九]|\d)\s*分(?!钟|之|\d)|"
    r"(?<![\d.])([一二三四五六七八九]|\d)\s*分(?=\s*[每一1]\s*[个件只条双片])"
)
_CN_DIGIT = {c: str(i) for i, c in enumerate("零一二三四五六七八九")}


_OVER_WAN = re.compile(r"(月入|月薪|月收入|工资)(?:过|上|破)万")


def _spoken_money(text: str) -> str:
    if "万" in text:  # 月入过万: ten thousand and more
        text = _OVER_WAN.sub(lambda m: f"{m.group(1)}10000元以上", text)
    if "块" in text:
        text = _KUAI_MAO.sub(
            lambda m: f"{m.group(1)}.{_CN_DIGIT.get(m.group(2), m.group(2))}元", text)
    if "毛" in text:
        text = _MAO_FEN.sub(
            lambda m: f"0.{m.group(1)}{_CN_DIGIT.get(m.group(2), m.group(2))}元", text)
        text = _MAO.sub(lambda m: f"0.{m.group(1)}元", text)
    if "分钱" in text:
        text = _FEN.sub(lambda m: f"0.0{m.group(1)}元", text)
    if "分" in text:
        text = _PIECE_FEN.sub(
            lambda m: f"0.0{_CN_DIGIT.get(d := m.group(1) or m.group(2), d)}元", text)
    return text


def _bare_clause(before: str, after: str) -> bool:
    """The figure is a clause of its own: ，3800， or ，3800 at the end."""
    return (not before or before[-1] in "，,。 \n") and (not after or after[0] in "，,。 \n")


class _Near(NamedTuple):
    """What the words around one figure say of it (find_pay)."""

    not_money: bool  # an age, a height, a count: no pay
    unit: str | None  # the unit a word after it, else before it, gives
    people_before: bool
    need_before: bool
    money: bool  # a money word after or before it
    money_before: bool


@lru_cache(maxsize=2048)
def _near(before: str, after: str) -> _Near:
    """The words around a figure, read once per distinct pair of windows: a long run of
    figures (1，1，1…) has few distinct ones, and every figure was read with some twenty
    patterns."""
    not_money = bool((_NOT_MONEY_AFTER.match(after) and not _MONEY_AFTER.match(after))
                     or _NOT_MONEY_BEFORE.search(before))
    unit = next((name for name, rx in _UNIT_AFTER if rx.match(after)), None)
    if unit is None:
        unit = next((name for name, rx in _UNIT_BEFORE if rx.search(before)), None)
    money_before = _MONEY_BEFORE.search(before) is not None
    return _Near(not_money, unit, _PEOPLE_BEFORE.search(before) is not None,
                 _NEED_BEFORE.search(before) is not None,
                 _MONEY_AFTER.match(after) is not None or money_before, money_before)


def find_pay(text: str) -> Pay | None:
    """The first pay figure with a unit that can be read from the text; 计件 with no figure is
    a piece rate of no stated amount (min and max None). A figure that is an age (年龄50以下),
    a height, a headcount or a time of day is no pay."""
    text = _spoken_money(text)
    candidates: list[tuple[int, Pay]] = []
    # What the whole text says (a piece, a job, a day or a month's work) is read once, when a
    # figure first needs it: read again for every figure, a long run of figures (1，1，1…)
    # took time quadratic in the text's length.
    said: dict[re.Pattern[str], bool] = {}

    def context(rx: re.Pattern[str]) -> bool:
        seen = said.get(rx)
        if seen is None:
            seen = said[rx] = rx.search(text) is not None
        return seen

    for m in _FIGURE.finditer(text):
        f1, m1, f2, m2 = m.group(1), m.group(2), m.group(3), m.group(4)
        after = text[m.end():m.end() + 12]
        before = text[max(0, m.start() - 10):m.start()]
        near = _near(before, after)
        if near.not_money:
            continue
        # 5-6千: the multiplier of the upper figure applies to the lower one too.
        if f2 is not None and m1 is None and m2 is not None:
            m1 = m2
        lo = _val(f1, m1)
        hi = _val(f2, m2) if f2 is not None else lo
        if f2 is not None and hi < lo:
            continue
        unit = near.unit
        if unit is None and (near.people_before or (lo < 100 and near.need_before)):
            continue
        if unit is None:
            money = near.money
            if context(_PIECE_CONTEXT) and lo < 20 and money:
                unit = "piece"
            elif context(_JOB_CONTEXT) and (money or _bare_clause(before, after)):
                unit = "job"
            elif context(_DAILY_CONTEXT) and 50 <= lo < 1000:
                unit = "day"
            elif ((money or context(_MONTHLY_CONTEXT) or _bare_clause(before, after))
                  and 1000 <= lo <= 30000):
                unit = "month"  # 三千八 standing alone in a post is a month's pay
            elif money and 100 <= lo < 1000:
                unit = "day"
            elif money and 10 <= lo < 100 and near.money_before:
                unit = "hour"
        if unit is None:
            continue
        if unit == "month" and lo < 100 and not m1:
            continue
        if unit == "day" and lo < 30:
            continue
        open_max = (bool(_OPEN_MAX.match(after))
                    or _PLUS_EXTRA.search(text, m.end(), m.end() + 8) is not None)
        pay = Pay(min=lo, max=None if open_max and f2 is None else hi, unit=unit)
        candidates.append((m.start(), pay))
        break
    if candidates:
        return candidates[0][1]
    # 计件, 多劳多得: paid by the piece, at a rate not stated.
    return Pay(min=None, max=None, unit="piece") if _PIECE_RATE.search(text) else None


_SETTLEMENT = [
    ("daily", re.compile(
        r"日结|当天结|当日结|天天结|[一1]天[一1]结|[一1]天结[一1]天|按天结|每天结|当天发|现结")),
    ("weekly", re.compile(
        r"周结|[一1]周[一1]结|按周结|每周结|星期结|每周[一二三四五六日天1-7]?发(?:工资|钱)")),
    ("monthly", re.compile(r"月结|按月结|[一1]个?月[一1]结|每月结|月底结|按月发|"
                           r"每(?:个)?月\s*(?:\d+\s*[号日])?发(?:工资|钱)")),
    # 做完结, 装完结, 干完就结, 完工后一起结, 活干完再结: paid once the work is done.
    ("project", re.compile(r"(?:做|干|弄|装|卸|搬|拆|收|摘|割|搞|修|铺|刷)完(?:了|活)?"
                           r"(?:就|再|后|以后|之后)?(?:一起|一次性?)?结|"
                           r"完工(?:后|以后)?(?:一起|一次性?)?(?:结|付)|项目结|"
                           r"[一1]次(?:性)?结清?|"
                           r"完活结|结束后结|"
                           r"活(?:干|做)完(?:了)?(?:就|再|后)?结")),
]


def find_settlement(text: str) -> str | None:
    """Settlement terms: daily, weekly, monthly or project (first mention wins)."""
    best = None
    for name, rx in _SETTLEMENT:
        m = rx.search(text)
        if m and (best is None or m.start() < best[0]):
            best = (m.start(), name)
    return best[1] if best else None
