"""What the work is (parsers.fields.work): job, employer and task as written, read from the
working text as the parser reads them (the employer after the place, the task after all three)."""

from __future__ import annotations

import pytest

from parsers.fields.places import find_location
from parsers.fields.work import find_employer, find_job, find_task
from parsers.lexicon import Lexicon
from parsers.parser import prepare
from tests.parsers.fields import table


def known_bug(text: str, expected: object, reason: str) -> object:
    return pytest.param(text, expected, marks=pytest.mark.xfail(strict=True, reason=reason))


@pytest.fixture(scope="module")
def lex() -> Lexicon:
    return Lexicon.load()


def employer(work: str, lex: Lexicon) -> str | None:
    return find_employer(work, lex, find_location(work, lex))


def task(work: str, lex: Lexicon) -> str | None:
    location = find_location(work, lex)
    return find_task(work, lex, find_job(work, lex), employer(work, lex), location)


JOB = {
    "after-need-verb": ("急需搬运工5名，明天到岗", "搬运工"),
    "bare-need": ("招普工", "普工"),
    "after-count": ("我们印刷厂需要10名临时工,手工包装纸品", "临时工"),
    "after-one": ("找一个护工，需要陪护", "护工"),
    "adjacent-words-merge": ("急招家政钟点工两名，江亭路社区附近", "家政钟点工"),
    "sex-is-no-part": ("服装厂招车工，男工3名女工2名", "车工"),
    "sex-after-job": ("织布厂招挡车工女工6名，计件", "挡车工"),
    "qualified-lexicon-job": ("招针车工5个", "针车工"),
    "after-need-not-in-lexicon": ("招剥虾工，女工优先", "剥虾工"),
    "before-count-not-in-lexicon": ("招洗涤工3名", "洗涤工"),
    "before-ge-not-in-lexicon": ("需要剪线工两个", "剪线工"),
    "post-and-count": ("外贸公司验货员1名", "验货员"),
    "craft-master": ("找裱花师傅", "裱花师傅"),
    "latin-trade-code": ("CNC学徒2名", "CNC学徒"),
    "latin-qc": ("QC检验员1名", "QC检验员"),
    "work-word": ("快递站双十一前后要人，分拣10人，时薪25", "分拣"),
    "site-then-job": ("建筑工地缺小工50多个", "小工"),
    "crew": ("我们是木工班组，五个人", "木工"),
    "offer": ("本人女，42岁，会做饭，想找周末钟点工的活", "钟点工"),
    "query": ("北仑这边有招普工的吗", "普工"),
    "firm-is-no-job": ("家政公司招人", None),
    "staff-is-no-job": ("员工宿舍有空房", None),
    "union-event": ("工会组织职工体检", None),
    "none-named": ("有没有日结的活?", None),
}

EMPLOYER = {
    "own-firm": ("我们印刷厂需要10名临时工,手工包装纸品", "印刷厂"),
    "name-before-workshop": ("美乐雅车间招普工5名，日薪180", "美乐雅"),
    "firm-then-task": ("青旺农场摘袋缺人，需要二十个", "青旺农场"),
    "place-dropped": ("北仑工业区五金厂招冲床工2名", "五金厂"),
    "standalone-suffix": ("食堂招帮厨一名，3月10号上岗", "食堂"),
    "standalone-then-time": ("果园这个月缺采摘工，来多少要多少", "果园"),
    "own-clause": ("【招聘】质检员2名，电子厂，白班", "电子厂"),
    "after-need-verb": ("招聘：五金厂冲床工2名", "五金厂"),
    "trade-name": ("恒科精工这边需要临时工15人", "恒科精工"),
    "place-name-firm": ("东港贸易招报关员1名", "东港贸易"),
    "mall-is-firm": ("东方商场周末促销需要导购4名", "东方商场"),
    "crew": ("装修队招油漆工，包干8000", "装修队"),
    "event-dropped": ("酒店宴会周末缺服务员，6个", "酒店"),
    "labelled": ("单位：宁波恒泰塑业\n岗位：注塑工", "恒泰塑业"),
    "relayed-for-firm": ("帮博宇模具发一下：招普工5名", "博宇模具"),
    "article-dropped": ("光谷一家电子厂要普工40人", "电子厂"),
    "place-before-de-dropped": ("张浦的模具厂找个学徒", "模具厂"),
    "relayed-for-friend": ("帮朋友发一下：招普工5名", None),
    "wo-si": ("我司急招仓管员1名", None),
    "kin-has-a-firm": ("表哥有个厂要人", None),
    "task-is-no-firm": ("摘豆角需要10个人", None),
    "none-named": ("招普工5名，月薪5000", None),
}

EMPLOYER_BUGS = {
    "department-dropped": known_bug(
        "宾馆餐饮部招服务员3名", "宾馆",
        "parse.md's own example (宾馆餐饮部 → 宾馆): the finder keeps 餐饮 (gives 宾馆餐饮)"),
}

TASK = {
    "after-job-clause": ("我们印刷厂需要10名临时工,手工包装纸品", "手工包装纸品"),
    "after-employer": ("青旺农场摘袋缺人，需要二十个", "摘袋"),
    "right-after-job": ("明后两天需要6个临时工卸货，两百一天，日结", "卸货"),
    "after-job-and-count": ("明天需要4个装卸工卸集装箱，三百一天", "卸集装箱"),
    "own-clause": ("工地需要小工八个，搅拌砂浆，一天260", "搅拌砂浆"),
    "after-bare-ge-job": ("养殖场要个帮工，喂鸭子，一个月四千五", "喂鸭子"),
    "after-help": ("明天需要临时工五个，帮忙布置会场，一人200", "布置会场"),
    "after-people-and-help": ("要两个人来帮忙搬货，一人两百", "搬货"),
    "before-de-master": ("明天起需要搬家具的师傅两名，按天算", "搬家具"),
    "before-de-nanny": ("找个带孩子的保姆，一家三口", "带孩子"),
    "before-de-job": ("机加工车间要上下料的女工三个，计件", "上下料"),
    "before-de-closing": ("要两个喂猪的", "喂猪"),
    "before-piece-rate": ("袋子厂外发手工，折袋子一个三毛", "折袋子"),
    "making-a-thing": ("招女工五名，做手提袋，计件", "做手提袋"),
    "firm-then-task": ("永利进出口明天装柜，缺3个人，一天两百", "装柜"),
    "place-then-task": ("大碶码头卸钢材，明天要8个人", "卸钢材"),
    "task-then-need": ("菜地摘豆角需要10个人，摘完就结", "摘豆角"),
    "own-firm-then-task": ("我们海带厂要晾海带，缺5个人", "晾海带"),
    "asked-for": ("谁家要包装的？我们三个都会", "包装"),
    "who-comes": ("有没有人能来帮忙拆脚手架？三个人，一人一天三百", "拆脚手架"),
    "none-stated": ("招普工5名，月薪5000，包吃住", None),
    "conditions-are-no-task": ("招保洁，长期，要求有经验", None),
}


@table(JOB)
def test_find_job(lex: Lexicon, text: str, expected: str | None) -> None:
    assert find_job(prepare(text)[2], lex) == expected


@table(EMPLOYER | EMPLOYER_BUGS)
def test_find_employer(lex: Lexicon, text: str, expected: str | None) -> None:
    assert employer(prepare(text)[2], lex) == expected


@table(TASK)
def test_find_task(lex: Lexicon, text: str, expected: str | None) -> None:
    assert task(prepare(text)[2], lex) == expected
