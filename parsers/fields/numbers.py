"""Chinese numerals to Arabic digits, written for group-chat phrasing.

cn2an was measured and rejected for the rewrite step: it turns 两三个 into 23个 and
needs a whole-string numeral; here colloquial forms (一百五 = 150, 两千五 = 2500),
adjacent ranges (两三个 = 2-3) and unit words (一天, 一件) after a figure are kept apart.
"""

from __future__ import annotations

import re

DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "俩": 2, "仨": 3, "三": 3, "四": 4, "五": 5,
          "六": 6, "七": 7, "八": 8, "九": 9}
UNITS = {"十": 10, "百": 100, "千": 1000, "万": 10000}
_RUN = re.compile(r"[零〇一二两俩仨三四五六七八九十百千万]+")
# Characters that show a numeral run is a quantity (counter words and measure units).
COUNTERS = set("名个位人天日元块毛月号周小时钟岁件斤次桌点年层台辆班组对家口批车吨箱趟单米平期轮"
               "份套把条张间来多余几")
# Per-unit words: in 两百一天 the trailing 一 belongs to 一天, not to the figure.
_PER_UNIT = re.compile(r"(天|件|小时|个|月|周|日|次|斤|晚|夜|单)")
# 一个三毛, 一件两块: a money figure in words after the unit marks it too.
_PER_FIGURE = re.compile(
    r"(?:天|件|小时|个小时|个月|月|周|日|晚|单)\s*[:：]?\s*"
    r"(?:\d|[一二两三四五六七八九十百]+\s*(?:毛|块|元|角|分钱))|"
    r"个\s*(?:\d+(?:\.\d+)?|[一二两三四五六七八九十百]+)\s*(?:毛|块|元|角)"
)


_TENS_RANGE = re.compile(r"([一二两三四五六七八])([二三四五六七八九])([十百千万])")
_TEENS_RANGE = re.compile(r"十([一二三四五六七八])([二三四五六七八九])")


def cn_value(run: str) -> float | None:
    """Value of a pure Chinese numeral string (十二 → 12, 一百五 → 150, 两千五 → 2500)."""
    if not run:
        return None
    if all(c in DIGITS for c in run):
        if len(run) == 1:
            return float(DIGITS[run])
        return float("".join(str(DIGITS[c]) for c in run))
    total = 0.0
    section = 0.0
    digit: float | None = None
    last_unit = 1
    for c in run:
        if c in DIGITS:
            digit = DIGITS[c] if digit is None or digit == 0 else digit * 10 + DIGITS[c]
        elif c in UNITS:
            u = UNITS[c]
            if u == 10000:
                section = (section + (digit or 0)) * u
                total += section
                section = 0.0
            else:
                section += (1 if digit is None else digit) * u
            digit = None
            last_unit = u
        else:
            return None
    if digit is not None:
        # 一百五 = 150: a trailing lone digit scales to one below the last unit.
        if last_unit >= 100 and digit < 10 and not run.endswith("零" + run[-1:]):
            section += digit * (last_unit // 10)
        else:
            section += digit
    return total + section


def _fmt(v: float) -> str:
    return str(int(v)) if float(v).is_integer() else str(v)


def _replace(m: re.Match[str]) -> str:
    run = m.group(0)
    s = m.string
    nxt = s[m.end():m.end() + 1]
    prev = s[m.start() - 1:m.start()] if m.start() else ""
    # 两百一天: peel a trailing 一 that starts a per-unit word.
    suffix = ""
    if len(run) > 1 and run.endswith("一") and _PER_UNIT.match(s, m.end()):
        run, suffix = run[:-1], "一"
        nxt = "一"
    # 一块去, 一块儿干: "together", not one yuan.
    if run == "一" and re.match(r"块儿?(?:去|来|干|做|走|上|报|吃|住|玩)", s[m.end():m.end() + 3]):
        return m.group(0)
    # No figure starts with a bare 百/千/万: 万一 (in case), 千万 (by all means) are words.
    if run[0] in "百千万" and not (prev and prev.isdigit()):
        return m.group(0)
    # A lone 零 is a word, not a figure: 零件, 零活, 零钱.
    if run in ("零", "〇"):
        return m.group(0)
    # 三轮车, 两轮电动车: a vehicle, not a count of rounds.
    if s.startswith(("轮车", "轮电动", "轮摩托"), m.end()):
        return m.group(0)
    # A lone 一 beside a figure is a per-unit word (350一天, 一天150), not a number.
    if run == "一" and ((prev and (prev.isdigit() or prev in "元块"))
                       or _PER_FIGURE.match(s, m.end())):
        return m.group(0)
    # 1.5万, 5千: a unit word after Arabic digits is a multiplier, handled by the money rules.
    if prev.isdigit() and all(c in UNITS for c in run):
        return m.group(0)
    has_big = any(c in "百千万" for c in run)
    # 一小时二十五, 时薪二十五以上: a figure with 十 inside, closing its clause or bounded by
    # 以上/以下/左右, is a number too (十一放假 is not).
    tens_end = "十" in run and len(run) >= 2 and (
        not nxt or nxt in "，,。.!！?？;； \n"
        or s.startswith(("以上", "以下", "以内", "左右"), m.end()))
    if not (has_big or tens_end or (run != "一" and s.startswith("分钱", m.end()))
            or nxt in COUNTERS or (run[-1] in "十" and len(run) >= 1 and nxt != "里")):
        return m.group(0)
    # Adjacent digits before a unit: 一二十 → 10-20, 二三百 → 200-300; after 十: 十七八 → 17-18.
    rng = _TENS_RANGE.fullmatch(run)
    if rng and DIGITS[rng.group(1)] < DIGITS[rng.group(2)]:
        unit = UNITS[rng.group(3)]
        return f"{DIGITS[rng.group(1)] * unit}-{DIGITS[rng.group(2)] * unit}" + suffix
    rng = _TEENS_RANGE.fullmatch(run)
    if rng and DIGITS[rng.group(1)] < DIGITS[rng.group(2)]:
        return f"{10 + DIGITS[rng.group(1)]}-{10 + DIGITS[rng.group(2)]}" + suffix
    # Adjacent digits name a range: 两三个 → 2-3, 三五个 → 3-5, 一两个 → 1-2.
    if len(run) == 2 and all(c in DIGITS for c in run) and DIGITS[run[0]] < DIGITS[run[1]] \
            and run not in ("一一",):
        return f"{DIGITS[run[0]]}-{DIGITS[run[1]]}" + suffix
    # 十几 / 二十几: the 几 marks an approximate figure; keep the round part.
    v = cn_value(run)
    if v is None:
        return m.group(0)
    return _fmt(v) + suffix


_PAIR_TRIO = re.compile(r"(有|要|缺|找|需要|招)([俩仨])(?![个人位名])")


def arabize(text: str) -> str:
    """Rewrite Chinese numerals that are quantities as Arabic digits.

    Words that merely contain a numeral (一起, 一线, 十里银滩) are left alone.
    """
    if "俩" in text or "仨" in text:  # 我这有仨, 要俩小工: 俩/仨 count people without a counter
        text = _PAIR_TRIO.sub(lambda m: f"{m.group(1)}{2 if m.group(2) == '俩' else 3}个", text)
    return _RUN.sub(_replace, text)


_MULT = {"千": 1000, "k": 1000, "K": 1000, "万": 10000, "w": 10000, "W": 10000}


def to_float(figure: str, mult: str | None = None) -> float:
    """A figure like '1.5' with an optional 千/万/k multiplier."""
    v = float(figure)
    if mult:
        v *= _MULT[mult]
    return v
