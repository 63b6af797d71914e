"""Job terms (parsers.fields.terms), one table per finder, read from the working text the parser
hands them: parse.md's rows age, gender, board, shift and licence, with their traps. An age is
written (min, max)."""

from __future__ import annotations

import pytest

from parsers import Parser
from parsers.fields.terms import find_age, find_board, find_gender, find_licence, find_shift
from parsers.parser import prepare
from tests.parsers.fields import table


def work(text: str) -> str:
    return prepare(text)[2]


AGE = {
    # A post's requirement: a range, an upper or a lower bound.
    "range": ("电子厂招普工，18-45岁，包吃住", (18, 45)),
    "range-zhousui": ("年龄18至40周岁，身体健康", (18, 40)),
    "range-both-sui": ("女性，45岁—55岁，做事细心", (45, 55)),
    "range-double-dash": ("【要求】18--40岁，男女不限", (18, 40)),
    "range-zhi": ("年龄18之35周岁，五官端正", (18, 35)),
    "range-labelled-no-sui": ("年龄：18-40之间，能吃苦", (18, 40)),
    "range-after-list-number": ("任职资格：1.25-35岁，小学以上学历", (25, 35)),
    "range-in-words": ("年龄十八到四十五周岁，招普工10名", (18, 45)),
    "range-then-yixia": ("年龄18-35岁以下，能接受两班倒", (18, 35)),
    "below": ("招保洁，50岁以下，一天150", (None, 50)),
    "below-labelled": ("年龄50以下，日结180", (None, 50)),
    "below-bare-clause": ("保洁阿姨，50以内，一天150", (None, 50)),
    "below-ji-yixia": ("工作很轻松，要求：55岁及以下", (None, 55)),
    "below-in-words": ("小区门卫缺一个，六十岁以下，月薪三千二", (None, 60)),
    "above": ("招保安，18岁以上，月薪4000", (18, None)),
    "above-nian-man": ("年满16周岁，男女不限", (16, None)),
    "bounds-written-apart": ("任职资格：20周岁以上，45周岁以下，身体健康", (20, 45)),
    "first-bound-wins": ("最好53岁以下，身体好的可以放宽到55岁", (None, 53)),
    # The sender's own age in an offer: one figure is min and max.
    "offer-own-age": ("我45岁，想找个保安的活", (45, 45)),
    "offer-after-gender": ("本人男，35岁，有叉车证，想找活", (35, 35)),
    "offer-bare-after-gender": ("本人男，三十五，会开叉车，找个长期的", (35, 35)),
    "offer-this-year": ("我今年四十五了，想找个保洁的活", (45, 45)),
    "offer-early-forties": ("我四十出头，身体好，找搬运的活", (40, 45)),
    "offer-fifties": ("我五十多岁，会做饭，找个钟点工的活", (50, 59)),
    "offer-aunt-50": ("50岁的阿姨想找活", (50, 50)),
    # No age: 年龄不限, someone looked after, a count, a height, years of work.
    "any-age": ("年龄不限，招普工，日结", None),
    "cared-for-elder": ("照顾一位80岁的老人，要阿姨，住家", None),
    "cared-for-child": ("带一个两岁的小孩，找住家保姆", None),
    "cared-for-named-after": ("80岁的老人需要人照顾，找个阿姨，包吃住", None),
    "headcount-duo": ("要50多个人，日结", None),
    "headcount-zuoyou": ("仓库要分拣员，30左右，白班", None),
    "bare-range-no-label": ("时薪18-25，日结", None),
    "years-of-work": ("工作5年以上，会电焊", None),
    "height": ("身高170以上，退伍军人优先", None),
}

GENDER = {
    "male-worker": ("招男工5名，包吃住", "male"),
    "male-only": ("限男性，夜班，一晚200", "male"),
    "male-colloquial": ("装卸工要男的，力气大，一天200", "male"),
    "male-self": ("本人男，找搬运的活", "male"),
    "male-lads": ("两个小伙子找搬运装卸的活，日结", "male"),
    "female-aunt": ("食堂招阿姨做饭，一个月3000", "female"),
    "female-worker": ("招女工10名，做手提袋，计件", "female"),
    "female-mother": ("宝妈一枚，只能上午干，有合适的吗", "female"),
    "female-only": ("限女，手工活，可以带回家做", "female"),
    "female-self-50": ("50岁的阿姨想找活", "female"),
    "female-wife": ("我老婆想找个钟点工的活", "female"),
    "female-not-men": ("不要男的，只要女的，包装", "female"),
    # Both, or neither exclusively.
    "either": ("男女不限，18-35岁", None),
    "parts-of-both": ("需要男工3名女工2名，做包装", None),
    "men-and-women": ("招男女服务员各3名", None),
    "separate-heights": ("男性身高170以上，女性身高160以上", None),
    "couple": ("我和我老婆想找点零工做", None),
    "preferred-not-only": ("女性优先，身体健康", None),
    "mothers-preferred": ("宝妈优先，时间自由", None),
    # Gender words that name no worker.
    "menswear": ("男装厂招车工5名", None),
    "womenswear-shop": ("女装店招店员，月薪4000", None),
    "daughter": ("我女儿放暑假，想找个兼职", None),
    "cared-for-aunt": ("照顾一个老阿姨，住家，月薪5000", None),
    "uncles-and-aunts": ("各位叔叔阿姨，有活干了，日结", None),
}

BOARD = {
    "full-bao-chi-zhu": ("电子厂招普工，包吃住，月薪5000", "meals+lodging"),
    "full-guan-chi-zhu": ("工地缺小工，管吃住，一天220", "meals+lodging"),
    "full-shisu": ("招保安，包食宿，月薪4000", "meals+lodging"),
    "full-quan-bao": ("果园摘果，吃住全包，一天150", "meals+lodging"),
    "full-by-parts": ("公司提供住宿，提供午饭和晚饭", "meals+lodging"),
    "full-lodging-and-staff-meal": ("包住，有工作餐，时薪20", "meals+lodging"),
    "lodging": ("招普工，包住，月薪5000", "lodging"),
    "lodging-provided": ("招保安，提供住宿，月薪3800", "lodging"),
    "lodging-dorm": ("有宿舍，两班倒", "lodging"),
    "meals": ("招洗碗阿姨，包吃，月薪3000", "meals"),
    "meals-guan-fan": ("搬家具，管饭，一天200", "meals"),
    "meals-lunch": ("包午饭，一天180", "meals"),
    "meals-staff-meal": ("超市理货，有工作餐，时薪18", "meals"),
    "meals-not-lodging": ("包吃不包住，月薪4500", "meals"),
    "none-bu-bao": ("不包吃住，一天250", None),
    "none-own-cost": ("食宿自理，日结200", None),
    "none-allowance": ("餐补15元/天，住房补贴300", None),
    "none-stated": ("招普工，月薪5000", None),
}

SHIFT = {
    "night": ("物流园夜班分拣，一晚200", "night"),
    "night-late": ("小区门卫，缺一个，晚班，一个月2800", "night"),
    "night-all-night": ("超市通宵理货，一晚180", "night"),
    "night-shang-ye": ("能上夜的来，时薪25", "night"),
    "day": ("汽配厂需要质检员两名，白班，一天180", "day"),
    "day-long": ("电子厂招普工二十名，长白班", "day"),
    "day-only": ("只上白天，一天150", "day"),
    "day-no-nights": ("不上夜班，长白班，时薪20", "day"),
    "rotating-two": ("流水线操作工急招30名，两班倒", "rotating"),
    "rotating-three": ("纺织厂挡车工，三班倒，月薪7000", "rotating"),
    "rotating-daoban": ("保安，需要倒班，底薪3500", "rotating"),
    "rotating-lunban": ("8小时轮班制，做六休一", "rotating"),
    "rotating-beats-both": ("早班7:00-16:00，晚班12:00-21:00，轮班制", "rotating"),
    "rotating-day-night-swap": ("检验员5名，白夜班轮换，综合工资6000", "rotating"),
    # A choice of shifts is no one shift; words that are no shift.
    "both-offered": ("物流园需要分拣员50多个，白班夜班都有", None),
    "early-or-late": ("早班8:00-17:00，晚班11:30-20:30", None),
    "night-snack": ("晚上有夜宵，一天200", None),
    "night-school": ("下班后上夜校", None),
    "overtime": ("加班多，工资高", None),
    "shuttle-bus": ("班车接送，包吃住", None),
    "time-off-in-lieu": ("可倒休，月休4天", None),
    "none-stated": ("招普工，月薪5000", None),
}

LICENCE = {
    "forklift-required": ("仓库招叉车工，要有叉车证", "叉车证"),
    "electrician-held": ("持电工证，十年经验，找活", "电工证"),
    "driving-class": ("物流公司缺司机，有B照，月薪8000", "B照"),
    "driving-class-number": ("本人38岁，有C1驾照，想找送货的活", "C1驾照"),
    "driving-book": ("A2本，3年以上驾驶经验", "A2本"),
    "driving": ("有驾照，会开货车，找送货的兼职", "驾照"),
    "health": ("食堂帮厨，要有健康证", "健康证"),
    "maintenance-electrician": ("持有维修电工证，物业工作经验", "维修电工证"),
    "either-licence-first": ("焊工证、电工证均可，月薪8000", "焊工证"),
    "welder-then-training": ("要求有焊工证，没有焊工证的我们培训", "焊工证"),
    "security-guard": ("男，身高175以上，有保安证", "保安证"),
    "preferred-still-named": ("电焊工，有焊工证优先", "焊工证"),
    # No licence: the job itself, experience, other papers, one not asked for.
    "job-not-licence": ("需要电工一名，会接线", None),
    "forklift-job": ("招叉车工2名，一天250", None),
    "driving-years": ("3年以上驾龄，熟悉本地路况", None),
    "id-card": ("需要身份证原件，不押证件", None),
    "not-needed": ("无需健康证，来了就能干", None),
    "arranged-by-employer": ("健康证公司统一办理", None),
    "either-way": ("有无健康证均可", None),
}


@table(AGE)
def test_find_age(text: str, expected: tuple[int | None, int | None] | None) -> None:
    got = find_age(work(text))
    assert (None if got is None else (got.min, got.max)) == expected


@table(GENDER)
def test_find_gender(text: str, expected: str | None) -> None:
    assert find_gender(work(text)) == expected


@table(BOARD)
def test_find_board(text: str, expected: str | None) -> None:
    assert find_board(work(text)) == expected


@table(SHIFT)
def test_find_shift(text: str, expected: str | None) -> None:
    assert find_shift(work(text)) == expected


@table(LICENCE)
def test_find_licence(text: str, expected: str | None) -> None:
    assert find_licence(work(text)) == expected


@pytest.fixture(scope="module")
def parser() -> Parser:
    return Parser.load(model=False)


def test_the_terms_are_job_fields_in_the_contract_shape(parser: Parser) -> None:
    post = parser.parse("招保洁阿姨2名，年龄50以下，包吃住，白班，要有健康证，日结180").to_json()
    assert (post["intent"], post["pay"]) == ("job_post", {"min": 180, "max": 180, "unit": "day"})
    assert post["age"] == {"min": None, "max": 50}
    assert (post["gender"], post["board"], post["shift"], post["licence"]) == (
        "female", "meals+lodging", "day", "健康证")
    keys = list(post)
    assert keys[keys.index("contact") + 1:keys.index("contact") + 6] == [
        "age", "gender", "board", "shift", "licence"]


def test_an_offer_states_no_board_and_other_intents_no_terms(parser: Parser) -> None:
    offer = parser.parse("本人男，45岁，有电工证，找包吃住的活，夜班也行").to_json()
    assert offer["intent"] == "labor_offer"
    assert (offer["age"], offer["gender"], offer["licence"], offer["shift"]) == (
        {"min": 45, "max": 45}, "male", "电工证", "night")
    assert offer["board"] is None  # parse.md: board applies to job_post only
    query = parser.parse("有没有包吃住的夜班活？").to_json()
    assert query["intent"] == "query"
    assert all(query[k] is None for k in ("age", "gender", "board", "shift", "licence"))
