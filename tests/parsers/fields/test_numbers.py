"""Chinese numerals to digits (parsers.fields.numbers.arabize), the rewrite prepare() applies
before the finders read a message: quantities become digits, words holding a numeral stay."""

from __future__ import annotations

from parsers.fields.numbers import arabize
from tests.parsers.fields import table

ARABIZE = {
    # Quantities before a counter or a unit.
    "count": ("招普工二十名", "招普工20名"),
    "liang-count": ("需要两个人", "需要2个人"),
    "hundreds-colloquial": ("每天一百五", "每天150"),
    "thousands-colloquial": ("两千五一个月", "2500一个月"),
    "wan-with-digit": ("一万二", "12000"),
    "ling-inside": ("一千零五十", "1050"),
    "wan": ("两万", "20000"),
    "tens-closing-clause": ("一小时二十五", "1小时25"),
    "tens-before-yishang": ("时薪二十五以上", "时薪25以上"),
    # Adjacent digits name a range; 多/来/几 keep the round part.
    "adjacent-range": ("需要两三个人", "需要2-3个人"),
    "adjacent-range-wide": ("三五个", "3-5个"),
    "teens-range": ("十七八个", "17-18个"),
    "tens-range": ("一二十个", "10-20个"),
    "approx-lai": ("二十来个", "20来个"),
    "approx-duo": ("五十多个", "50多个"),
    "approx-ji": ("十几个人", "10几个人"),
    # 俩 and 仨 count people without a counter.
    "lia-after-need": ("要俩小工", "要2个小工"),
    "sa-after-have": ("我这有仨", "我这有3个"),
    # A lone 一 beside a figure is a per-unit word.
    "per-unit-after-figure": ("350一天", "350一天"),
    "per-unit-before-figure": ("一天150", "一天150"),
    "trailing-yi-per-unit": ("两百一天", "200一天"),
    "per-piece-price": ("一个三毛", "一个3毛"),
    "kuai-fraction-left-for-money": ("一块二一个", "1块二一个"),
    # Multipliers after digits are left to the money rules.
    "multiplier-after-digits": ("月薪1.5万", "月薪1.5万"),
    # Words that merely contain a numeral.
    "together": ("大家一起干", "大家一起干"),
    "front-line": ("一线工人", "一线工人"),
    "place-name": ("十里银滩", "十里银滩"),
    "in-case": ("万一下雨", "万一下雨"),
    "by-all-means": ("千万别迟到", "千万别迟到"),
    "spare-part": ("零件加工", "零件加工"),
    "tricycle": ("三轮车一辆", "三轮车1辆"),
    "together-yikuai": ("一块去吧", "一块去吧"),
    "holiday-date": ("十一放假", "十一放假"),
}


@table(ARABIZE)
def test_arabize(text: str, expected: str) -> None:
    assert arabize(text) == expected
