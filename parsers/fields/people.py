"""Headcount: people needed, offered or claimed."""

from __future__ import annotations

import re

from parsers import vocab

_NUM = r"(\d+)(?:\s*[-~到至]\s*(\d+))?"
_APPROX = r"\s*(?:多|来|余|几)?\s*"
# NUM + counter, when the counter is a person counter (个 not followed by a time word).
_COUNT = re.compile(
    rf"(?<![\d.号])(?:{_NUM}){_APPROX}"
    r"(名|位|人|个人|个(?!\s*(?:多)?\s*(?:月|小时|钟头|星期|礼拜|工作日|天|点|号|半|周|晚上|上午|"
    r"下午|"
    r"年(?!轻)|礼|季|字|问题|地方|活|项目|岗|班|窗口|厂|群|孩子|小孩|娃|月份|柜|货柜|集装箱|箱子|"
    r"房间|"
    r"桌|组|班组|队|团队|老板|客户|活动|"
    r"[\u4e00-\u9fff]{0,2}(?:车间|公司|工地|单位|店|门店|网点|站点|超市|酒店|饭店|餐馆|村|小区|"
    r"商场|"
    r"学校|医院|仓库|基地|市场|农场|园区|大棚|果园|鱼塘)|"
    r"[\u4e00-\u9fff]{1,2}(?:队|班组|团队|公司|厂|仓(?!管|储员))))|口人|号人|员)(?!次)"
    rf"(?:\s*左右)?"
)
_LABEL = re.compile(
    r"(?:人数|名额|招聘人数|需求人数|需要人数|招工人数)\s*[:：]?\s*(?:约|共)?\s*(\d+)"
    r"(?:\s*[-~到至]\s*(\d+))?"
)
_APPROX_ONLY = re.compile(
    r"(?:需要|要|缺|招|找|请)[^，,。\d]{0,8}?(\d+)\s*(?:个|名|人)?\s*(?:左右|上下)|"
    r"(?:^|[，,。])\s*(?:约|大约|大概)?(\d{1,3})\s*(?:个|名|人)?\s*(?:左右|上下)(?=[，,。]|$)"
)
_TOTAL = re.compile(r"(?:共|一共|总共|合计)\s*(?:需要|要|招)?\s*(\d+)\s*(?:名|位|人|个)")
_HOUSEHOLD = re.compile(r"[一1]家\s*(\d)\s*口")
# 6名（电工2名、钳工4名）: the parts of a count already given, in brackets.
_BREAKDOWN = re.compile(r"(?<=[名个人位])\s*[（(][^（()）]*\d[^（()）]*[）)]")
# 一人一百: pay per head, not a count of people.
_PER_HEAD = re.compile(r"(?:每|[一1])\s*(?:个)?人(?=\s*(?:每天|[一1]天)?\s*\d)")
# 家里五口人: the household a helper works for, not people wanted or offered.
_FAMILY_SERVED = re.compile(
    r"(?:家里|家中|家有|全家|(?<!我们)(?<!我)(?<!咱们)(?<!俺们)[一1]家)(?:有|共|"
    r"一共)?\s*\d+\s*口人?"
    r"(?![^，,。]{0,2}(?:都|一起|全))"  # 一家三口都在找活: the family offers itself
)
# 带一个两岁小孩, 照顾两个老人: the people the worker looks after, not workers.
_CARED_FOR = re.compile(
    r"(?:带|照顾|照看|看护|陪护|护理|接送)\s*\d+\s*个\s*(?:\d+\s*(?:多)?\s*(?:岁|个月)(?:多|"
    r"大)?的?)?"
    r"\s*(?:小孩|孩子|宝宝|老人|病人|娃|婴儿)"
)
_VOCATIVE = re.compile(r"^(?:兄弟们|姐妹们|老乡们|大家|各位|老板们|朋友们)[，,!！ ]")
_WE_N = re.compile(
    r"(?:我们|咱们)\s*(\d+)\s*个"
    r"(?!\s*(?:多)?\s*(?:小时|钟头|月|天|星期|礼拜|周|年|组|班|队|团队|厂|公司|车间|村|老乡群))"
)
# A couple: 夫妻俩, 两口子.
COUPLE = r"夫妻[俩两2]?|[两2俩]口子"
_PAIR = re.compile(
    COUPLE + r"|我们[俩两2](?!个)|我俩|他俩|俺俩|咱俩|"
    r"(?:兄弟|姐妹|兄妹|姐弟|母女|母子|父子|父女|婆媳|夫妇|哥|姐|娘儿?|爷儿?)[俩两2](?!个)|"
    r"我(?:和|跟|同)我?(?:老婆|老公|媳妇|爱人|对象)"
)
_TRIO = re.compile(r"(?:我们|咱们|咱|他们|她们)仨")
_ONE_BEFORE_JOB = re.compile(r"(?:要|招|需要|缺|找|请|求|来)个(?!人吗|活|月|小时)")
_GROUP = re.compile(
    r"(?:姐妹|兄弟|老乡|哥们|工友|姐们)几个|我们|咱们|班组|团队|队伍|施工队|装修队|一帮|一伙|"
    r"一些人|"
    r"几个人|几(?:个|名|位)"
    r"(?=[\u4e00-\u9fff]{0,2}(?:人|老乡|兄弟|姐妹|工友|妇女|工人|师傅|朋友|亲戚|同事|邻居))|"
    r"大家|老乡们|兄弟们|姐妹们"
)
# Kin and friends a speaker brings along; one list for every companion rule below.
KIN = "(?:" + vocab.alt("kin", "kin") + ")"
# Common surnames: 老李, 小王 and 王师傅 name a person.
_SURNAME = ("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余"
            "杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶"
            "黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤")
_NAMED = rf"(?:[老小][{_SURNAME}]|[{_SURNAME}](?:师傅|姐|哥|叔|阿姨|大姐|大哥))"
# People named alongside the speaker: 带上我弟弟, 和我老婆, 加上两个老乡, 我和老李.
_COMPANIONS = re.compile(
    r"(?:带上?|和|跟|加上?|算上|还有|叫上|连同|同)\s*(?:我|我的)?\s*(?:(\d+)\s*个)?\s*"
    r"(?:" + KIN + r"|姐(?!妹)|哥|弟(?!兄)|妹|妈|爸|兄弟|姐妹|舅舅|小伙伴|亲戚|老表|" + _NAMED
                         + r")"
)
# A relative or friend, in full or short (我姐, 我妈).
RELATIVE = "(?:" + KIN + "|" + vocab.alt("kin", "short") + ")"
# 我老婆也去, 我弟弟一起来: a companion taking part alongside the speaker.
_COMPANION_ALSO = re.compile(r"(?:我|我的)" + RELATIVE
                             + r"(?:也|都|一起|也一起)(?:去|来|报|参加|算)")
# 我去，算我老公一个: the speaker goes and counts one companion in.
_COUNTED_IN = re.compile(r"算(?:上)?(?:我的?)?" + KIN + r"[一1]个")
_SPEAKER_GOES = re.compile(r"我(?!们)(?:也|就)?(?:能|可以|要|想)?(?:去|报名|报|来|参加)")
# 算我一个, 本人, +1: the speaker is counted in, so a companion who 也去 joins them.
_SPEAKER_IN = re.compile(r"算我|我[一1]个|本人|带我|^\s*\+\s*1")
# The role a part of the headcount is for: 男工3名, 木工班长1名、木工5名, 厨师2名.
_PART_ROLE = re.compile(r"(男工|女工|男生|女生|男的|女的|男|女|[\u4e00-\u9fff]{1,4}(?:工|员|师傅|"
                        r"阿姨|长|师|手))\s*$")


_EACH = re.compile(
    r"((?:[\u4e00-\u9fff]{1,5}(?:工|员|师傅|阿姨|师)[和、及与跟]?){1,4}"
    r"[\u4e00-\u9fff]{1,5}(?:工|员|师傅|阿姨|师))各\s*(\d+)\s*(?:-\s*(\d+))?\s*(?:名|个|人|位)"
)


def _upper(a: str, b: str | None) -> int:
    return int(b) if b is not None and int(b) >= int(a) else int(a)


def find_headcount(text: str, *, job_words: re.Pattern[str] | None = None) -> int | None:
    """Number of people stated, following parse.md's rules (ranges give the upper bound)."""
    m = _LABEL.search(text)
    if m:
        return _upper(m.group(1), m.group(2))
    text = _PER_HEAD.sub(
        " ", _BREAKDOWN.sub(" ", _FAMILY_SERVED.sub(" ", _CARED_FOR.sub(" ", text))))
    m = _HOUSEHOLD.search(text)
    if m:  # 一家三口
        return int(m.group(1))
    m = _TOTAL.search(text)
    if m:
        return int(m.group(1))
    m = _WE_N.search(text)
    if m:  # 我们三个下午有空: after 我们, N个 counts people even before a time word
        return int(m.group(1))
    hits = []
    for m in _COUNT.finditer(text):
        n = _upper(m.group(1), m.group(2))
        if n <= 0 or n > 5000:
            continue
        before = text[max(0, m.start() - 6):m.start()]
        if re.search(r"(?:每|第|前|满|年满|排名|\d|发|转|问|说|写)\s*$", before):
            continue
        role = _PART_ROLE.search(before)
        word = role.group(1) if role else None
        # 厨师1名、帮厨2名: a lexicon job names the part
        if word is None and job_words is not None:
            ends = [j.group(0) for j in job_words.finditer(before)
                    if j.end() == len(before.rstrip())]
            word = ends[-1] if ends else None
        hits.append((m.start(), n, word))
    if not hits:
        m = _APPROX_ONLY.search(text)
        if m:  # 要40左右; or a clause of its own after the job: 摘果子的临时工，40左右
            return int(m.group(1) or m.group(2))
        named = _named_group(text)
        if named:
            return named
        if job_words is not None:
            m = _ONE_BEFORE_JOB.search(text)
            # 请个喂猪的, 找个做早餐的师傅
            if m and (job_words.match(text, m.end())
                      or re.match(r"[\u4e00-\u9fff]{0,2}(?:工|人|手|师傅|阿姨|大姐|大妈|大叔|"
                                  r"保姆)",
                                  text[m.end():])
                      or re.match(r"[\u4e00-\u9fff]{1,5}的(?:[，,。\s]|$|师傅|阿姨|工人|人)",
                                  text[m.end():])
                      or ((d := re.match(r"[\u4e00-\u9fff]{1,5}?的", text[m.end():]))
                          and job_words.match(text, m.end() + d.end()))):
                return 1
        return None
    both = re.search(r"男女(?:工)?各\s*(\d+)\s*(?:-\s*(\d+))?\s*(?:名|个|人|位)", text)
    if both:  # 男女各3名: three men and three women
        return 2 * _upper(both.group(1), both.group(2))
    each = _EACH.search(text)
    if each:  # 车工和铣工各2名: as many times as roles are named
        roles = [r for r in re.split(r"[和、及与跟]", each.group(1)) if r]
        # 木工瓦工各3名: the job words tell them apart
        if len(roles) == 1 and job_words is not None:
            roles = job_words.findall(roles[0])
        if len(roles) >= 2:
            return len(roles) * _upper(each.group(2), each.group(3))
    roles = [r for _, _, r in hits]
    if len(hits) >= 2 and all(roles) and len(set(roles)) == len(roles):
        return sum(n for _, n, _ in hits)
    return hits[0][1]


def _named_group(text: str) -> int | None:
    """A couple or a trio named without a figure: 夫妻俩 → 2, 我们仨 → 3."""
    if _PAIR.search(text):
        return 2
    if _TRIO.search(text):
        return 3
    return None


def one_more(text: str) -> int | None:
    """A claim counted as 一个 that names more people: 我去，算我老公一个 (the 一个 is the
    companion, the speaker goes too); 算我一个，我女儿也去 (the speaker, and a companion)."""
    if _COUNTED_IN.search(text) and _SPEAKER_GOES.search(text):
        return 2
    if re.search(r"(?:算|加)(?:上)?我[一1]个|我(?:去|报|来)?[一1]个", text):
        n = count_self(text)
        return n if n and n > 1 else None
    return None


# 我带两个老乡, 报名，带上我两个老乡: the figure is of the others; the speaker goes too.
_BRINGS = re.compile(
    r"(?:^|[，,。\s])我(?!们)[^，,。\d]{0,2}(?:带|叫上|加上|连同|和|跟|同)\s*(\d+)\s*(?:个|名|位)|"
    r"(?:^|[，,。\s])(?:带上?|叫上|加上)\s*"
    r"(?:我的?\s*(\d+)\s*(?:个|名|位)(?=[\u4e00-\u9fff])(?!人)|(\d+)\s*(?:个|名|位))"
)
_PLUS = re.compile(r"^\s*\+\s*(\d)\s*$")


def count_taking_part(text: str, found: int | None) -> int | None:
    """People in a claim or an offer, from the figure found in it: +2 is two; a figure of
    people brought adds the speaker; no figure counts the speaker and those named."""
    plus = _PLUS.match(text)
    if plus:
        found = int(plus.group(1))
    brings = _BRINGS.search(text)
    if brings and found == int(next(g for g in brings.groups() if g)):
        found += 1
    if found is None:
        return count_self(text)
    if found == 1:
        return one_more(text) or 1
    return found


def count_self(text: str) -> int | None:
    """People in a first-person claim or offer with no figure: the speaker plus companions."""
    named = _named_group(text)
    if named:
        return named
    n = 1
    named = []
    for m in _COMPANIONS.finditer(text):
        n += int(m.group(1)) if m.group(1) else 1
        named.append(m.span())
    # 我和我表哥都去: the companion named with 和 is the one who 都去; count them once.
    # 我女儿也去 alone: the daughter joins those who claimed before; the speaker is not named.
    if named or _SPEAKER_GOES.search(text) or _SPEAKER_IN.search(text):
        n += sum(1 for m in _COMPANION_ALSO.finditer(text)
                 if not any(a <= m.start() < b for a, b in named))
    if n > 1:
        return n
    # 兄弟们，... addresses the others; it is not the sender's group.
    if (_GROUP.search(_VOCATIVE.sub("", text))
            and not re.search(r"算我|我报名|我去|我一个|本人", text)):
        return None
    return 1
