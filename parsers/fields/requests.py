"""Requests (诉求): category and urgency.

The words are data: `parsers/data/vocab/request_categories.txt` (one section per category)
and `request_urgency.txt`. The patterns shared with the request rules in parsers.intent stay
here, by name, and a vocabulary entry refers to one as {NAME} (so does PAY, the urgency
file's word for wages).
"""

from __future__ import annotations

import re

from parsers.vocab import entries, sections

# Injuries and falls, read by the request rules (parsers.intent) and by the categories here.
SEVERED = r"(?:压|砸|夹|切|轧|锯)断"
HURT = r"(?:夹|砸|割|烫|扭|压|碰|划|轧|弄|摔)伤"
FALLS = r"掉下来|摔下来|掉下去|跌下来"
# 有人压在下面, 有人困在里面; 电梯停了，里头还有人.
TRAPPED = (r"人[^，,。]{0,2}(?:压|砸|埋|困|卡)在|"
           r"(?:卡住|困住|停住|停|坏)了?[^。]{0,4}[，,]?\s*(?:里面|里头)(?:还)?有人")
# An alarm going off, people running out: an emergency now (压力表一直在响，大家都跑出来了).
ALARM = (r"(?:报警器?|警报|警铃|压力表)[^，,。]{0,4}响|(?:都|全)(?:跑|撤|逃)出来|"
         r"紧急疏散|疏散")
# Someone struck or crushed by something: 有人被货架砸了, 被叉车撞了.
STRUCK = r"被[^，,。]{0,4}(?:撞|砸|压|夹|轧)(?:了|伤|倒|到)"
# Machines run or work done without the licence for it: 叉车司机没有证也在开.
UNLICENSED = (r"(?:无证|没(?:有)?证)[^，,。]{0,3}(?:也|还|就)?(?:在)?(?:开|干|操作|上岗|驾驶)|"
              r"(?:司机|师傅|工人|操作工)[^，,。]{0,2}(?:无证|没(?:有)?证)(?=[，,。]|$)")
CAUGHT = (r"(?:卷|绞)进去?|把人[^，,。]{0,4}(?:卷|绞|压|砸|夹|撞)|"
          r"(?:手|胳膊|腿|头发|衣服)[^，,。]{0,2}(?:被)?(?:卷|绞|夹|轧)(?:进|住)")

# Wages, in the urgency file's labour-rights words; not the pay slip or the wage card (工资条,
# 工资卡), whose words are no arrears.
PAY = r"(?:工资(?![卡条单])|工钱|薪水|薪资|劳务费|血汗钱)"

# What {NAME} stands for in a vocabulary entry.
_SHARED = {"SEVERED": SEVERED, "HURT": HURT, "FALLS": FALLS, "TRAPPED": TRAPPED, "ALARM": ALARM,
           "STRUCK": STRUCK, "UNLICENSED": UNLICENSED, "CAUGHT": CAUGHT, "PAY": PAY}
_NAME = re.compile(r"\{([A-Z]+)\}")


def _alt(vocab: str, section: str) -> str:
    """A vocabulary section as one alternation, in file order, with {NAME} filled in."""
    return "|".join(_NAME.sub(lambda m: _SHARED[m.group(1)], e) for e in entries(vocab, section))


# Ordered: on a tie the earlier category wins (a hazard outranks the place it is in).
CATEGORIES: list[tuple[str, re.Pattern[str]]] = [
    (name, re.compile(_alt("request_categories", name)))
    for name in sections("request_categories")
]
_URGENT = re.compile(_alt("request_urgency", "urgent"))
_PAST = re.compile(_alt("request_urgency", "past"))
_HASTE = re.compile(_alt("request_urgency", "haste"))
# The union's 难事: a labour-rights matter (arrears, deductions, insurance, contracts, dismissal,
# compensation, injury recognition); and a collective dispute happening now, which is urgent.
_HARD = re.compile(_alt("request_urgency", "hard"))
_PAY = re.compile(PAY)
_GATHERING = re.compile(_alt("request_urgency", "gathering"))
_BOSS_GONE = re.compile(_alt("request_urgency", "boss_gone"))
# A match starting inside a run of digits extends to the run's start, where it is found first:
# only there may it start (a run of 2,000 digits was read from every digit).
_MANY = re.compile(r"(?:(?<!\d)|(?!\d))(?:" + _alt("request_urgency", "many") + ")")


# Saying outright that something is dangerous makes it a hazard unless another category has
# clearly more to it: these count twice for 安全隐患 (路口没有红绿灯，过马路太危险).
_DANGER = re.compile(r"危险|隐患")


def find_category(text: str) -> str:
    """One of parse.md's request categories, by the most keyword hits."""
    best, best_n = "其他", 0
    for name, rx in CATEGORIES:
        n = len(rx.findall(text))
        if name == "安全隐患":
            n += len(_DANGER.findall(text))
        if n > best_n:
            best, best_n = name, n
    return best


# A danger that might come (很容易着火, 万一触电) or nearly came (差一点就被撞了) is a standing
# hazard, not an emergency now.
_POTENTIAL = re.compile(
    rf"(?:{_alt('request_urgency', 'potential')})[^，,。]{{0,2}}"
    rf"(?:{_alt('request_urgency', 'potential_harm')})|"
    rf"(?:{_alt('request_urgency', 'near_miss')})[^，,。]{{0,6}}"
    rf"(?:{_alt('request_urgency', 'near_miss_harm')})"
)


def _collective(text: str, hard: bool) -> bool:
    """A collective dispute happening now: workers gathering over a labour-rights matter, or
    the boss gone with many workers unpaid (老板跑了，几十个工人没拿到工资，都堵在厂门口)."""
    gone = bool(_BOSS_GONE.search(text))
    if _GATHERING.search(text) and (hard or gone):
        return True
    return gone and hard and bool(_MANY.search(text))


def find_urgency(text: str) -> str:
    """The union's tier, the higher one winning: urgent for an emergency now, a collective
    dispute now or explicit haste; hard for a labour-rights matter; small otherwise."""
    text = _POTENTIAL.sub("", text)
    # The boss gone with the wages is a wage matter even where no word says they are owed.
    hard = bool(_HARD.search(text)) or bool(_BOSS_GONE.search(text) and _PAY.search(text))
    if _collective(text, hard):
        return "urgent"
    if _URGENT.search(text) and (_HASTE.search(text) or not _PAST.search(text)):
        return "urgent"
    return "hard" if hard else "small"
