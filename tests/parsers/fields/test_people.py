"""Headcount (parsers.fields.people): find_headcount on the working text, as for a job post,
and count_taking_part on top of it, as for a claim or a labour offer (parse.md's headcount)."""

from __future__ import annotations

import pytest

from parsers.fields.people import count_taking_part, find_headcount
from parsers.lexicon import Lexicon
from parsers.parser import prepare
from tests.parsers.fields import table


@pytest.fixture(scope="module")
def lex() -> Lexicon:
    return Lexicon.load()


HEADCOUNT = {
    "counter-ming": ("急需搬运工5名，明天到岗", 5),
    "chinese-numeral": ("电子厂招普工二十名，长白班", 20),
    "liang-ge-ren": ("需要两个人帮忙", 2),
    "sa-without-counter": ("要仨搬运工，一天两百", 3),
    "range-upper-bound": ("招瓦工3到5人，工地在镇海", 5),
    "adjacent-range-upper-bound": ("缺装卸工两三个，今天就要", 3),
    "approx-duo": ("物流园需要分拣员50多个", 50),
    "approx-zuoyou": ("食品厂要临时工40左右，做一周", 40),
    "approx-lai": ("服装厂要缝纫工二十来个", 20),
    "labelled": ("仓库急招叉车工，人数：3", 3),
    "labelled-range": ("招聘人数：10-15人", 15),
    "total": ("共需要12人，男工8名女工4名", 12),
    # Parts add up when each names its own role.
    "parts-by-sex": ("需要男工4名女工6名，做包装", 10),
    "parts-by-job": ("招钢筋工八名木工六名", 14),
    "parts-by-lexicon-job": ("宾馆缺厨师1名、帮厨2名", 3),
    "men-and-women-each": ("酒店餐饮部招服务员男女各3名", 6),
    "two-jobs-each": ("需要木工瓦工各3名，日薪350", 6),
    "breakdown-in-brackets": ("招电工6名（高压电工2名、低压电工4名）", 6),
    # A bare 个 before the person wanted is one.
    "bare-ge-before-job": ("要个小工帮忙搬货，一天150", 1),
    "bare-ge-before-de": ("养殖场请个喂猪的，包吃住", 1),
    "household-served-is-no-count": ("家里五口人，找个做饭阿姨", 1),
    # Unspecified, or figures that count something else.
    "ruogan": ("招保洁若干，月薪3000", None),
    "haoji-ge": ("工程队要钢筋工好几个", None),
    "days": ("工地需要小工，干3天，一天250", None),
    "age-range": ("招服务员，18-45岁，月薪4000", None),
    "age-minimum": ("招普工，年满18岁", None),
    "tables": ("我这还能接待3桌", None),
    "crews": ("每天需要3个班组", None),
    "child-cared-for": ("带一个两岁小孩，招住家保姆", None),
    "phone-digits": ("招普工，电话13812345678", None),
    "phone-digits-beside-count": ("招普工5名，电话13812345678", 5),
    "pay-per-head": ("一人一百，要5个人", 5),
    "date-beside-count": ("12号开工，需要6个人", 6),
    "time-beside-count": ("要3个工人，早上8点到", 3),
}

TAKING_PART = {
    # One person about themself, with no figure.
    "register": ("我报名", 1),
    "count-me-in": ("算我一个", 1),
    "plus-one": ("+1", 1),
    "me-too": ("我也去", 1),
    "self-offer": ("本人男，45岁，找活", 1),
    "plus-n": ("+3", 3),
    # A figure of the group.
    "we-three": ("我们3个人可以去", 3),
    "we-two-in-words": ("印刷厂那个活我们两个可以去", 2),
    "ref-then-count": ("12号我接了，我们3个人", 3),
    "one-person-after-ref": ("报名15号，一个人", 1),
    "we-n-before-time-word": ("我们3个下午有空", 3),
    "team-offer": ("我们是木工班组，五个人，活干完了", 5),
    "question-then-offer": ("谁家需要临时工?我这边有7个人,可以做到年底", 7),
    # The people named, with no numeral.
    "brings-brother": ("我去，带上我弟弟", 2),
    "with-wife": ("我和我老婆都去", 2),
    "named-friend": ("我和老李都去", 2),
    "companion-also-goes": ("我报名，我老婆也去", 2),
    "counts-companion-in": ("我去，算我老公一个", 2),
    "me-and-daughter": ("算我一个，我女儿也去", 2),
    "couple": ("夫妻俩找活，能吃苦", 2),
    "couple-kouzi": ("两口子找活", 2),
    "trio": ("我们仨明天都有空", 3),
    "family-of-three": ("一家三口都在找活", 3),
    # A figure of the others the speaker brings: the speaker goes too.
    "brings-two": ("我带两个老乡", 3),
    "register-and-bring-two": ("报名，带上我两个老乡", 3),
    # A group with no figure is unspecified.
    "crew-without-figure": ("我们班组找活", None),
    "some-countrymen": ("我们几个老乡找活", None),
}


@table(HEADCOUNT)
def test_find_headcount(lex: Lexicon, text: str, expected: int | None) -> None:
    assert find_headcount(prepare(text)[2], job_words=lex.job_rx) == expected


@table(TAKING_PART)
def test_count_taking_part(lex: Lexicon, text: str, expected: int | None) -> None:
    work = prepare(text)[2]
    assert count_taking_part(work, find_headcount(work, job_words=lex.job_rx)) == expected
