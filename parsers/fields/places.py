"""Places: the most specific place a message names, as written."""

from __future__ import annotations

import re

from parsers.lexicon import PLACE_STOP, Lexicon

_RELATION = re.compile(r"(?:门口|附近|周边|周围|一带|这边|那边|旁边|对面|里面|那里|这里|这块|"
                       r"地区|范围|区域|以内|内)+$")
_GENERIC = {"地区", "市区", "郊区", "厂区", "生活区", "办公区", "工区", "片区", "景区", "城区",
            "社区", "小区",
            "园区", "本市", "城市", "超市", "门市", "夜市", "菜市", "股市", "本地", "外地", "全市",
            "全区",
            "新区", "该区", "各区", "街道", "马路", "公路", "道路", "一路", "半路", "走路", "上路",
            "路上",
            "出路", "思路", "线路", "电路", "网路", "多路", "小路", "大路", "山路", "近路", "远路",
            "老路", "大街", "上街", "逛街", "这个区", "小镇", "乡下",
            "农村", "山区", "海港", "同乡", "老乡", "家乡", "城乡", "下乡", "回乡", "街", "路",
            "区", "市"}
_LABELLED = re.compile(
    r"(?:工作地点|工作地址|上班地点|上班地址|地点|地址|位置|地区|区域|坐标|位于|住在|住|"
    r"在)\s*[:：]?\s*([^\s，,。;；!！?？\n()（）【】]{2,20})"
)


# A run ending in a shop or a market is not a place name: 周日超市, 楼下菜市; nor work on
# wiring (厂房改线路).
_NOT_PLACE_END = ("超市", "门市", "夜市", "菜市", "股市", "城市", "线路", "电路", "网路", "思路",
                  "出路")


# A short name the lexicon does not know: two or three characters, none of the lexicon's
# non-name characters, and neither 家 nor 厂 (我家附近, 厂附近).
_SHORT_NAME = rf"((?:(?![{PLACE_STOP}家厂])[\u4e00-\u9fff]){{2,3}})"
_NEAR = re.compile(r"(?:^|[\s，,。:：]|在|去|到)" + _SHORT_NAME + r"(?:附近|周边|一带)")
# 住高塘, 人在稠城: where the sender lives or is, a clause of its own (not 包住, not 住宿舍).
_LIVES = re.compile(r"(?:^|[\s，,。])(?:家住|住在|住|人在|在)" + _SHORT_NAME
                    + r"(?=[\s，,。!！]|$)")
# 虎门有招人的没, 长安那边还有活吗: a short name opening a question about work there.
_ASKED_THERE = re.compile(r"^(?!(?:[上下这本]个?(?:周|星期|礼拜|月)|今天|明天|后天|最近|周末|"
                          r"年后|节后|现在|目前|月底|年底))"
                          + _SHORT_NAME + r"(?:这边|那边|那块|附近|一带)?(?:还)?有(?:没有)?(?:招|"
                                          r"要人|缺人|活|工作|厂)")
# Where a message opens, after a haste word (急招！新都的家具厂…): a short name there is placed
# by what follows it.
_OPENING = r"^(?:(?:急招|急需|紧急|招聘|招工|急|【招聘】|【招工】)[！!，,：:\s]*)?"
# 汉阳一个物流仓库要分拣员, 郫都有个火锅底料厂要人: a short name opening the message before
# (有)一个/一家 and the firm; not a person's (表哥有个厂).
_BEFORE_ARTICLE = re.compile(_OPENING + r"(?![老小阿])" + _SHORT_NAME
                             + r"(?<![总哥姐叔婶姨伯师傅板弟妹])"
                             r"(?=(?:有[一1]?|[一1])(?:家|个)[\u4e00-\u9fff]{0,6}?"
                             r"(?:厂|公司|店|仓库|工地|酒店|超市|市场|农场|基地|餐馆|饭馆|宾馆|"
                             r"医院|学校|工程|项目|小区))")
# 张浦的模具厂找个学徒: a short name opening the message, then 的 and the firm; not a person's
# (老王的厂, 张总的店, 表哥的饭店).
_BEFORE_FIRM = re.compile(_OPENING + r"(?![老小阿])" + _SHORT_NAME
                          + r"(?<![总哥姐叔婶姨伯师傅板弟妹])的(?=[\u4e00-\u9fff]{0,6}?"
                          r"(?:厂|公司|仓库|工地|酒店|饭店|宾馆|农场|基地|餐馆|饭馆|超市|快递站|"
                          r"驿站|物流园)"
                          r"(?:在|现在|急|这周|下周|明天|双十一|双11|春节|过年|周末)?(?:招|要|缺|"
                          r"需要|找|请))")
# 下沙这边的公交末班车太早了: a short name opening the message, then where it is.
_HERE_THERE = re.compile(r"^" + _SHORT_NAME + r"(?:这边|那边|这块|那块)")
# 食堂有招人的吗, 车间附近: a workplace, not a place name.
_WORKPLACE_END = ("堂", "场", "厂", "店", "站", "院", "司", "馆", "房", "部", "间", "队", "园",
                  "工地", "仓库")
# Not names: 公司附近, 厂区周边, 学校附近 are places only to the sender (nor, after 住, 老家 or
# 楼上).
_NOT_NEAR = {"公司", "单位", "学校", "医院", "车站", "地铁", "市区", "城里", "村里", "镇上",
             "园区", "厂区", "工地", "小区",
             "社区", "宿舍", "这里", "那里", "本地", "周末", "晚上", "白天", "最近", "现在",
             "乡下", "老家",
             "楼上", "楼下", "隔壁", "一起", "一楼", "二楼", "三楼", "宿舍里", "哪里", "哪儿",
             "哪边", "今天", "明天",
             "后天", "今年", "平时", "周边", "外面", "网上", "群里", "手上", "手里", "身边",
             "上班", "加班", "干活", "路上",
             "外地", "上学", "开会", "休息", "这边", "那边", "朋友", "亲戚", "同学", "老板",
             "熟人", "附近",
             "工会", "领导", "人事", "财务", "厂长", "主管", "组长", "班长", "经理", "客户",
             "中介", "物业", "房东", "政府",
             "码头", "路口", "门口", "楼道", "港口", "桥下", "河边", "山上", "新开", "刚开"}


# 解放路和人民路路口, 中山路与解放路交叉口: a junction of two roads is one place, as written
# (the road names' own characters: not a preposition or a pronoun before the first).
_ROAD = r"(?:路|街|大道)"
_JUNCTION = re.compile(
    r"((?:(?![在到去从往我你他她的是了和与跟就])[\u4e00-\u9fff]){1,4}" + _ROAD + r")"
    r"(和|与|跟|、)([\u4e00-\u9fff]{1,4}?" + _ROAD + r")的?(十字路口|路口|交叉口|交汇处)")


def _tidy(place: str) -> str | None:
    place = _RELATION.sub("", place).strip()
    if len(place) < 2 or place in _GENERIC or place.endswith(_NOT_PLACE_END):
        return None
    return place


def find_location(text: str, lex: Lexicon) -> str | None:
    """The most specific place named: a labelled address first, else the longest place run."""
    rx = lex.place_rx
    assert rx is not None, "Lexicon.load builds the place pattern"
    if j := _JUNCTION.search(text):
        return j.group(1) + j.group(2) + j.group(3) + j.group(4)
    for m in _LABELLED.finditer(text):
        val = m.group(1)
        inner = [p for p in (_tidy(x.group(0)) for x in rx.finditer(val)) if p]
        if m.group(0).startswith(("在", "住")) and not inner:
            continue
        if inner and m.group(0).startswith(("在", "住")):
            return inner[0]
        tidy = _tidy(val)
        if tidy:
            return tidy
    best: str | None = None
    for m in rx.finditer(text):
        run = m.group(0)
        shop = next((e for e in _NOT_PLACE_END if run.endswith(e)), "")
        if shop and rx.fullmatch(run[:-len(shop)]):
            run = run[:-len(shop)]  # 下城区超市: a place, then the shop in it
        p = _tidy(run)
        # The longest run; of two as long, one with a known place (鄞州五乡 over 物流中心).
        if p and (best is None or len(p) > len(best)
                  or (len(p) == len(best) and _known(p, lex) and not _known(best, lex))):
            best = p
    if best is None:
        # 慈城附近, 去洪塘一带: a short name the lexicon does not know, placed by the word after
        # it.
        for rx in (_NEAR, _LIVES, _ASKED_THERE, _BEFORE_ARTICLE, _BEFORE_FIRM, _HERE_THERE):
            if name := _placed_name(rx.search(text)):
                return name
        return None
    # 余杭仓前的快递站缺…: a name after the district, before the hiring firm, is more specific.
    if ((at := text.find(best)) >= 0
            and (name := _placed_name(_BEFORE_FIRM.match(text[at + len(best):])))):
        return name
    return without_city(best, lex)


def _placed_name(m: re.Match[str] | None) -> str | None:
    """The short name a placing pattern caught, unless it is a common word or a workplace."""
    if (m and m.group(1) not in _NOT_NEAR and not m.group(1).endswith(_WORKPLACE_END)
            and _tidy(m.group(1))):
        return m.group(1)
    return None


def _known(place: str, lex: Lexicon) -> bool:
    return bool(lex.known_place_rx and lex.known_place_rx.search(place))


def without_city(place: str, lex: Lexicon) -> str:
    """宁波北仑区 → 北仑区, 杭州市萧山 → 萧山: the district is the more specific place."""
    for city in lex.cities:
        if place.startswith(city):
            rest = place[len(city):].removeprefix("市")
            if len(rest) >= 2 and rest not in _GENERIC:
                return rest
    return place
