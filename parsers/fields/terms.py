"""Job terms beyond the wage: the age wanted or offered, gender, board, shift and licence.

Each finder reads the parser's working text (numerals as digits, half-width commas) and
follows shared/spec/parse.md's rows `age`, `gender`, `board`, `shift` and `licence`. The words
are data: parsers/data/vocab/terms.txt, one section per class; the figures of an age are read
here.
"""

from __future__ import annotations

import re

from parsers import vocab
from parsers.fields.numbers import cn_value
from parsers.models import Age


def _rx(section: str) -> re.Pattern[str]:
    return re.compile(vocab.alt("terms", section))


def _blank(text: str, rx: re.Pattern[str]) -> str:
    """The text with every match of `rx` turned to spaces (offsets kept)."""
    return rx.sub(lambda m: " " * len(m.group(0)), text)


def _clause_before(text: str, start: int, width: int = 10) -> str:
    return text[max(0, start - width):start]


# ---------------------------------------------------------------------------------------------
# Age

_YOUNGEST, _OLDEST = 14, 80
_LABEL = "(?:" + vocab.alt("terms", "age_label") + ")"
_SEP = r"\s*(?:[-~～—–−]+|到|至|之|/)\s*"
_SUI = r"\s*周?岁"
# Where a figure starts: not inside another figure, but after a list number (1.25-35岁).
_START = r"(?:(?<![\d.])|(?<=(?<![\d.])\d\.))"
_ANY = _rx("age_any")
_CARED_AFTER = _rx("age_cared_after")  # matched right after the figure
_CARED_BEFORE = _rx("age_cared_before")
# Each form of an age, in order of preference when two start at the same place.
_AGE_FORMS: list[tuple[str, re.Pattern[str]]] = [
    # 18-45岁, 18岁-45岁, 18至40周岁, 18之40周岁, 25/50岁
    ("range", re.compile(rf"{_START}(\d{{2}})(?:{_SUI})?{_SEP}(\d{{2}}){_SUI}")),
    # 年龄18-40之间, 年龄:18~45 (no 岁: the label says it is an age)
    ("range", re.compile(rf"{_LABEL}[^\d,，。]{{0,4}}(\d{{2}}){_SEP}(\d{{2}})(?![\d.])")),
    # 50岁以下, 55岁及以下, 45周岁以内, 不超过50岁
    ("max", re.compile(rf"{_START}(\d{{2}}){_SUI}\s*(?:及|或)?\s*(?:以下|以内|之内)")),
    ("max", re.compile(r"不(?:超过|大于|高于|能超过)\s*(\d{2})(?![\d.])\s*周?岁?")),
    # 18岁以上, 年满16周岁
    ("min", re.compile(rf"{_START}(\d{{2}}){_SUI}\s*(?:及|或)?\s*以上")),
    ("min", re.compile(r"(?:年满|满)\s*(\d{2})(?![\d.])\s*周?岁")),
    # 年龄50以下, 年龄在45以下, 年龄40以上
    ("label-bound", re.compile(rf"{_LABEL}[^\d,，。]{{0,4}}(\d{{2}})(?![\d.])\s*周?岁?\s*"
                               r"(?:及|或)?\s*(以下|以内|之内|以上)")),
    # ,50以内, : a bare bound standing as a clause of its own
    ("bare-bound", re.compile(r"(?:^|(?<=[,，。;；\s]))(\d{2})\s*(?:及|或)?(以下|以内)"
                              r"(?=[,，。;；\s]|$)")),
    # 四十出头 (40出头 in the working text), 五十多岁, 三十来岁
    ("early", re.compile(r"(?<![\d.])(\d)0\s*岁?\s*刚?出头")),
    ("decade", re.compile(r"(?<![\d.])(\d)0\s*(?:多|几)\s*岁")),
    ("about", re.compile(rf"{_START}(\d{{2}})\s*(?:来|左右)\s*岁|{_START}(\d{{2}}){_SUI}\s*左右")),
    # 我45岁, 本人男,35岁, 50岁的阿姨
    ("one", re.compile(rf"{_START}(\d{{2}}){_SUI}")),
    # 年龄:45, 今年45了
    ("one", re.compile(rf"(?:{_LABEL}[:：]?\s*|今年\s*)(\d{{2}})(?![\d.\-~到至])")),
    # 我都50了: the sender's age with no 岁
    ("one", re.compile(r"(?:我|本人)(?:都|已经|快|也|今年)?\s*(\d{2})\s*了")),
    # 本人男,35, : a bare figure after the sender's gender
    ("one", re.compile(r"(?:^|本人|我)[男女][,，\s]\s*(\d{2})(?=[,，。\s]|$)")),
]
# A numeral in words that arabize left as it was: 十八到四十五周岁, 我今年四十五了.
_CN_TENS = "[一二三四五六七八]?十[一二三四五六七八九]?"
_CN_AGE = re.compile(rf"(?<![一二三四五六七八九十百千万两])({_CN_TENS})"
                     r"(?=\s*(?:周?岁|到|至|出头|多岁|来岁|几岁|了|以上|以下|以内))|"
                     rf"(?<=年龄|今年|年纪|[男女],)({_CN_TENS})(?=[,，。\s]|$|岁)")


def _cn_ages(text: str) -> str:
    """Numerals in words that an age is written with, as digits (offsets are not kept)."""
    if "十" not in text:
        return text
    return _CN_AGE.sub(lambda m: str(int(cn_value(m.group(1) or m.group(2)) or 0)), text)


def _plausible(*ages: int | None) -> bool:
    return all(a is None or _YOUNGEST <= a <= _OLDEST for a in ages)


def _age_of(kind: str, m: re.Match[str]) -> tuple[int | None, int | None] | None:
    figs = [int(x) for x in m.groups() if x and x.isdigit()]
    word = next((x for x in m.groups() if x and not x.isdigit()), "")  # 以下 / 以上
    n = figs[0]
    if kind == "range":
        return (n, figs[1]) if n < figs[1] else None
    if kind == "max" or (kind.endswith("bound") and word != "以上"):
        return None, n
    if kind == "min" or kind.endswith("bound"):
        return n, None
    if kind == "early":  # 40出头: the figure is the decade's digit
        return n * 10, n * 10 + 5
    if kind == "decade":
        return n * 10, n * 10 + 9
    return n, n


def _cared_for(text: str, m: re.Match[str]) -> bool:
    """The figure is the age of someone looked after (照顾80岁老人, 带个2岁的小孩)."""
    return bool(_CARED_AFTER.match(text, m.end()) or
                _CARED_BEFORE.search(_clause_before(text, m.start())))


def find_age(text: str) -> Age | None:
    """The age a post requires or an offer states (parse.md's `age`), or None.

    The first age mentioned wins; an open bound takes its other end from a bound written apart
    (20周岁以上,45周岁以下 → 20-45). 年龄不限 and no age → None.
    """
    if not any(c.isdigit() or c == "十" for c in text):
        return None
    t = _cn_ages(_blank(text, _ANY))
    found: list[tuple[int, int, str, tuple[int | None, int | None]]] = []
    for rank, (kind, rx) in enumerate(_AGE_FORMS):
        for m in rx.finditer(t):
            age = _age_of(kind, m)
            if age is None or not _plausible(*age) or _cared_for(t, m):
                continue
            found.append((m.start(), rank, kind, age))
    if not found:
        return None
    found.sort()
    _, _, kind, (lo, hi) = found[0]
    if kind.endswith("bound") or kind in ("min", "max"):
        bounds = [a for _, _, k, a in found if k.endswith("bound") or k in ("min", "max")]
        if hi is None:
            hi = next((b for a, b in bounds if a is None and b is not None and b > lo), None)
        elif lo is None:
            lo = next((a for a, b in bounds if b is None and a is not None and a < hi), None)
    return Age(min=lo, max=hi)


# ---------------------------------------------------------------------------------------------
# Gender

_GENDER_BOTH = _rx("gender_both")
_MALE = _rx("gender_male")
_FEMALE = _rx("gender_female")
_SOFT_AFTER = _rx("gender_soft_after")
_SOFT_BEFORE = _rx("gender_soft_before")
_LOOKED_AFTER = re.compile(r"(?:照顾|陪护|护理|看护|照看|陪)[^,，。]{0,4}$")


def _wanted(text: str, m: re.Match[str]) -> bool:
    """A gender word that asks for that gender alone (not 女性优先, 不要男的, 照顾老阿姨)."""
    before = _clause_before(text, m.start(), 6)
    return not (_SOFT_AFTER.match(text[m.end():]) or _SOFT_BEFORE.search(before)
                or _LOOKED_AFTER.search(before))


def find_gender(text: str) -> str | None:
    """`male` or `female` when only one is wanted or offered; both, 男女不限 or none → None."""
    if not any(c in text for c in "男女姨妈姐叔伙公婆妇"):
        return None
    if _GENDER_BOTH.search(text):
        return None
    male = any(_wanted(text, m) for m in _MALE.finditer(text))
    female = any(_wanted(text, m) for m in _FEMALE.finditer(text))
    if male == female:
        return None
    return "male" if male else "female"


# ---------------------------------------------------------------------------------------------
# Board

_BOARD_NONE = _rx("board_none")
_BOARD_FULL = _rx("board_full")
_LODGING = _rx("board_lodging")
_MEALS = _rx("board_meals")


def find_board(text: str) -> str | None:
    """What the employer provides: `meals+lodging`, `lodging` or `meals` (不包吃住 → None)."""
    if not any(c in text for c in "吃住食宿饭餐"):
        return None
    t = _blank(text, _BOARD_NONE)
    if _BOARD_FULL.search(t):
        return "meals+lodging"
    lodging, meals = bool(_LODGING.search(t)), bool(_MEALS.search(t))
    if lodging and meals:
        return "meals+lodging"
    return "lodging" if lodging else "meals" if meals else None


# ---------------------------------------------------------------------------------------------
# Shift

_SHIFT_NOT = _rx("shift_not")
_ROTATING = _rx("shift_rotating")
_DAY = _rx("shift_day")
_NIGHT = _rx("shift_night")
_OTHER_SHIFT = _rx("shift_other")


def find_shift(text: str) -> str | None:
    """`rotating` (两班倒, 倒班), `night` (夜班, 通宵) or `day` (白班, 长白班); a post naming
    both day and night work with no rotation (白班夜班都有, 早班...晚班...) states no one
    shift → None."""
    if not any(c in text for c in "班夜白宵倒"):
        return None
    t = _blank(text, _SHIFT_NOT)
    if _ROTATING.search(t):
        return "rotating"
    day = bool(_DAY.search(t))
    night = bool(_NIGHT.search(_blank(t, _DAY)))
    if day and not night:
        return "day"
    if night and not day and not _OTHER_SHIFT.search(t):
        return "night"
    return None


# ---------------------------------------------------------------------------------------------
# Licence

_LICENCE = _rx("licence")
_LICENCE_SOFT_BEFORE = _rx("licence_soft_before")
_LICENCE_SOFT_AFTER = _rx("licence_soft_after")


def find_licence(text: str) -> str | None:
    """The first certificate or licence required or held, as written (叉车证, B照), or None.

    One the post does not ask for (无需健康证, 有无健康证均可, 公司统一办理健康证) is skipped;
    a job (电工) and driving experience (驾龄) are no licence.
    """
    if not any(c in text for c in "证照本"):
        return None
    for m in _LICENCE.finditer(text):
        if _LICENCE_SOFT_BEFORE.search(_clause_before(text, m.start(), 8)) or \
                _LICENCE_SOFT_AFTER.match(text[m.end():]):
            continue
        return m.group(0)
    return None
