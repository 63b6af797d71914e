"""A bounded property-based fuzz of the parser (issue 29): any text up to the parse limit
parses without an exception into a result of the contract's shape.

Bounded: a fixed number of examples, derandomized (the same inputs every run, so the suite
stays reproducible and its time steady), no example database written into the checkout.
How long a parse takes is the benchmark's business (benchmarks/parse_worst.py), not a test's:
a time asserted here would fail on a busy machine, not on a slow parser.
"""

from __future__ import annotations

import json
import tempfile
from datetime import date, datetime

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.configuration import set_hypothesis_home_dir

from parsers import Parser
from parsers.models import INTENTS, SHARE_INTENTS

LIMIT = 2000  # bot.dispatcher.MAX_PARSE_CHARS
NOW = datetime(2025, 3, 3, 9, 0)

# The material messages are made of, weighted towards what the patterns key on: digits and
# digit runs, the words of posts, claims, pay and requests, punctuation (full and half width),
# spaces and new lines, Latin letters, emoji and stray symbols.
_WORDS = ["我们", "我", "招", "招聘", "急招", "需要", "名", "个", "人", "临时工", "普工", "工资",
          "日结", "元", "块", "一天", "小时", "电话", "联系", "报名", "号", "取消", "诉求", "拖欠",
          "包吃住", "男女不限", "岁", "明天", "下周", "到", "点", "共享", "会议室", "桌", "谁",
          "能去", "吗", "了", "的", "有", "活", "厂", "北仑", "#", "@小桥 ", "十", "两", "三百",
          "138", "13812345678", "1", "12345", "0", "3-5", "200-300", "8:30", "【", "】",
          "「", "」", "\n", " ", "，", "。", "！", "？", ",", ".", "!", "?", "~", "、", "：",
          "😀", "a", "OK", "No.", "R3", "http://x.cn/a"]
_PIECE = st.one_of(
    st.sampled_from(_WORDS),
    st.text(alphabet="0123456789", min_size=1, max_size=60),  # digit runs
    st.text(alphabet="，,。!！？?~ ", min_size=1, max_size=40),  # punctuation runs
    st.text(max_size=8),  # anything unicode
)
MESSAGES = st.lists(_PIECE, max_size=120).map(lambda parts: "".join(parts)[:LIMIT])
# Long runs of one piece: the shapes a quadratic pattern was slow on (我们1234512345…).
RUNS = st.tuples(st.sampled_from(["", "我们", "工资", "招", "电话", "3号", "#报名 "]),
                 st.sampled_from(["1", "12345", "1 ", "1，", "，", "我", "a1", "1元", "1人"]),
                 st.integers(min_value=1, max_value=LIMIT)).map(
    lambda t: (t[0] + t[1] * (t[2] // len(t[1]) + 1))[:LIMIT])

_PARSER: Parser | None = None
# Hypothesis keeps a cache (.hypothesis/) where it runs: not in the checkout (the suite writes
# nothing there), in a temporary folder of this run's.
set_hypothesis_home_dir(tempfile.mkdtemp(prefix="daqiao-hypothesis-"))


def parser() -> Parser:
    global _PARSER
    if _PARSER is None:
        _PARSER = Parser.load()
    return _PARSER


def check(text: str) -> None:
    p = parser().parse(text, now=NOW)
    assert p.intent in INTENTS or p.intent in SHARE_INTENTS
    assert p.intent_by.startswith("rule:") or p.intent_by == "model"
    assert isinstance(p.text, str)
    assert p.headcount is None or (isinstance(p.headcount, int) and p.headcount > 0)
    if p.pay is not None and p.pay.min is not None and p.pay.max is not None:
        assert p.pay.min <= p.pay.max
    for d in (p.start_date, p.end_date):
        assert d is None or isinstance(d, date)
    if p.start_date is not None and p.end_date is not None:
        assert p.start_date <= p.end_date
    assert p.ref is None or p.ref >= 0
    assert (p.command is not None) == (p.intent == "command")
    json.dumps(p.to_json(), ensure_ascii=False)  # the contract's JSON can always be written


_SETTINGS = settings(max_examples=150, deadline=None, derandomize=True, database=None,
                     suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


@_SETTINGS
@given(MESSAGES)
def test_any_message_parses_to_a_sane_result(text: str) -> None:
    check(text)


@settings(max_examples=40, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.too_slow])
@given(RUNS)
def test_long_runs_up_to_the_limit_parse(text: str) -> None:
    check(text)
