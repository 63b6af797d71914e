"""The place a message names (parsers.fields.places.find_location) in the working text: the
most specific place, as written; a labelled address first; a city before a district dropped."""

from __future__ import annotations

import pytest

from parsers.fields.places import find_location
from parsers.lexicon import Lexicon
from parsers.parser import prepare
from tests.parsers.fields import table


def known_bug(text: str, expected: object, reason: str) -> object:
    return pytest.param(text, expected, marks=pytest.mark.xfail(strict=True, reason=reason))


@pytest.fixture(scope="module")
def lex() -> Lexicon:
    return Lexicon.load()


LOCATION = {
    # A labelled address.
    "labelled": ("顺达物流需要装卸工6人，地点：小港", "小港"),
    "labelled-full": ("需要修剪绿化带的工人6个，工作地点：鄞州区中河街道", "鄞州区中河街道"),
    "labelled-line": ("岗位：包装工\n人数：8人\n地点：北仑小港", "北仑小港"),
    "labelled-no-colon": ("工地需要小工八个，搅拌砂浆，地点柯城区府山", "柯城区府山"),
    # Known places, alone or in a run.
    "known": ("镇海有招电焊工的吗", "镇海"),
    "known-pair": ("仓库夜班分拣员若干，月薪5000-6500，月结，北仑大碶", "北仑大碶"),
    "known-before-relation": ("有电焊证，找活，日结最好，北仑周边都行", "北仑"),
    # Names the lexicon lacks, read by their suffix.
    "suffix-village": ("梅林村采茶要人", "梅林村"),
    "suffix-district": ("江东区招保洁", "江东区"),
    "suffix-town": ("长安镇五金厂急招啤机工10名", "长安镇"),
    "suffix-road": ("本人女，42岁，想找周末钟点工的活，住江亭路", "江亭路"),
    # issue 28: a hazard's place is often a junction of two roads, one place as written
    "junction": ("解放路和人民路路口井盖坏了，晚上很危险", "解放路和人民路路口"),
    "junction-crossing": ("中山路与解放路交叉口红绿灯坏了", "中山路与解放路交叉口"),
    "junction-after-zai": ("在解放路和人民路的路口摔了一跤", "解放路和人民路路口"),
    "suffix-street": ("永鑫步行街门口停车难，送外卖没地方停电动车", "永鑫步行街"),
    "suffix-community": ("文昌社区驿站的饮水机坏了好几天了", "文昌社区"),
    "suffix-gate": ("园区东门的路灯不亮，晚上下班很危险", "园区东门"),
    "relation-dropped": ("急招家政钟点工两名，江亭路社区附近，时薪30元", "江亭路社区"),
    "relation-fujin-dropped": ("白沙街道附近招育婴师", "白沙街道"),
    "shop-after-place": ("下城区超市招收银员", "下城区"),
    # A city before the district goes.
    "city-dropped": ("杭州萧山的纺织厂招挡车工6名", "萧山"),
    "city-dropped-before-district": ("宁波北仑区的塑料厂招普工8名", "北仑区"),
    # A short name the lexicon lacks, placed by the words around it.
    "short-name-near": ("慈城附近招人", "慈城"),
    "short-name-lives": ("住高塘，找活", "高塘"),
    "short-name-is-in": ("我和我老乡三个人，在稠城", "稠城"),
    "short-name-asked": ("荣成有招人的吗", "荣成"),
    "short-name-before-article": ("洪山一家快递公司要分拣员8名", "洪山"),
    "short-name-before-firm": ("张浦的模具厂找个学徒", "张浦"),
    "short-name-here": ("瓜沥这边的路灯坏了一排", "瓜沥"),
    # No place.
    "none-named": ("招普工5名，月薪5000", None),
    "near-the-firm": ("公司附近有没有招人的", None),
    "near-home": ("我家附近有活吗", None),
    "shop-is-no-place": ("周日超市缺理货员", None),
    "a-persons-firm": ("老王的厂要人", None),
    "kin-has-a-firm": ("表哥有个厂要人", None),
    "time-word-asked": ("明天有招人的吗", None),
    "dormitory": ("住宿舍，包吃住", None),
}

LOCATION_BUGS = {
    "labelled-address-with-zai": known_bug(
        "鑫源制衣厂招缝纫工，地址在霞浦", "霞浦",
        "地址 then 在: the label's value keeps 在 (gives 在霞浦)"),
}


@table(LOCATION | LOCATION_BUGS)
def test_find_location(lex: Lexicon, text: str, expected: str | None) -> None:
    assert find_location(prepare(text)[2], lex) == expected
