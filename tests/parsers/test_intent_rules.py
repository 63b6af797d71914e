"""Each intent rule against its own examples and counter-examples, the engine, the coverage."""

from __future__ import annotations

import pytest

from parsers import Parser
from parsers.intent_model import MAX_CHARS
from parsers.intent_rules import REPLY, RULES
from parsers.rules import FALLBACK, Rule, check, decide, explain, fact
from tests.parsers import coverage

ALL = RULES + REPLY  # the table, then the reply tier
EXAMPLES = [(r.name, t) for r in ALL for t in r.examples]


@pytest.mark.parametrize("rule", ALL, ids=[r.name for r in ALL])
def test_every_rule_has_examples_and_a_counter_example(rule: Rule) -> None:
    assert len(rule.examples) >= 2 and len(rule.counter) >= 1
    assert rule.why, "a rule says what it is for"
    assert rule.name.split(".")[0] in {"quiet", "claim", "offer", "query", "request", "job_post",
                                         "share"}


@pytest.mark.parametrize(("name", "text"), EXAMPLES, ids=[f"{n}:{t[:12]}" for n, t in EXAMPLES])
def test_a_rule_decides_its_examples(rules_parser: Parser, name: str, text: str) -> None:
    got = rules_parser.parse(text)
    assert got.intent_by == f"rule:{name}", rules_parser.explain(text).lines()


@pytest.mark.parametrize("rule", ALL, ids=[r.name for r in ALL])
def test_counter_examples_show_what_keeps_their_rule_from_firing(rules_parser: Parser,
                                                                 rule: Rule) -> None:
    """A counter-example's facts, worked out as the parser works them out, show what stops
    its rule: either all of `when` holds and a veto (`unless`) holds, or the rule has several
    `when` facts and all but one hold. Each veto is, on some counter-example, the only veto
    that holds where all of `when` does: deleting the veto makes the rule fire there.

    A rule of one fact and no veto can only be missed: its counter-example is a near miss, a
    message in the rule's neighbourhood (a job word and a figure, a question about work) on
    which its fact does not hold. The facts cannot tell a near miss from any other line, so
    for those rules this test checks only that the fact does not hold.
    """
    alone: set[str] = set()  # the vetoes that, on some counter-example, stop the rule alone
    for text in rule.counter:
        facts = rules_parser.facts(text)
        when = [f for f in rule.when if getattr(facts, f)]
        vetoes = [f for f in rule.unless if getattr(facts, f)]
        assert not rule.fires(facts), f"{rule.name} fires on its counter-example {text!r}"
        if len(when) == len(rule.when):
            if len(vetoes) == 1:
                alone.add(vetoes[0])
        elif len(rule.when) > 1:
            missing = sorted(set(rule.when) - set(when))
            assert len(missing) == 1, f"{text!r}: {missing} do not hold, one at most may not"
        else:
            assert not rule.unless, (
                f"{text!r}: {rule.when[0]} does not hold; a counter-example of a rule with "
                f"vetoes holds its one fact and shows a veto")
    assert alone == set(rule.unless), \
        f"{rule.name}: no counter-example where {sorted(set(rule.unless) - alone)} alone stops it"


class _Facts:
    GIVEN = ("a",)
    b = True
    c = False

    def __init__(self, a: bool) -> None:
        self.a = a

    @fact
    def count(self) -> int:
        return 2


def test_the_engine_takes_the_first_rule_and_lists_the_rest() -> None:
    table = [Rule("x.one", "claim", ("a", "b"), ("c",)), Rule("x.two", "query", ("b",))]
    check(table, _Facts)
    assert decide(table, _Facts(True)).rule == "x.one"
    assert explain(table, _Facts(True)).overruled == ("x.two",)
    assert decide(table, _Facts(False)).rule == "x.two"
    assert decide([table[0]], _Facts(False)).rule == FALLBACK
    with pytest.raises(ValueError, match="unknown facts"):
        check([Rule("x.bad", "claim", ("nope",))], _Facts)
    with pytest.raises(ValueError, match="not booleans"):
        check([Rule("x.bad", "claim", ("count",))], _Facts)
    with pytest.raises(ValueError, match="twice"):
        check(table + table[:1], _Facts)


def test_explain_names_the_rule_the_model_and_the_overruled(parser: Parser) -> None:
    e = parser.explain("我们四个都去，14号")
    assert e.parsed.intent_by == "rule:claim.self" and e.rules.rule == "claim.self"
    assert "claim.word" in e.rules.overruled
    text = "\n".join(e.lines())
    assert "claim.self" in text and "also fired, overruled: claim.word" in text
    assert e.model and max(e.model, key=e.model.__getitem__) == "claim"


def test_explain_shows_the_model_only_where_it_was_consulted(parser: Parser) -> None:
    """Commands, replies to a quote and long texts stay with the rules: no model line."""
    reply = parser.explain("「刘经理：明天需要装卸工8名，一天220」\n- - -\n我们4个")
    assert (reply.parsed.intent, reply.rules.rule) == ("claim", "claim.quoted_count")
    assert FALLBACK not in reply.rules.overruled
    command = parser.explain("#报名 12")
    assert command.rules.rule == "command.word" and "command word" in command.lines()[1]
    long_text = parser.explain("本人母亲长期生病，每个月都要去县医院看病拿药，家里只有我一个劳动力，"
                               "今年打零工挣的钱大部分花在了医院，生活十分困难")
    assert len(long_text.parsed.text) > MAX_CHARS
    for e in (reply, command, long_text):
        assert e.model is None and not any(x.startswith("model:") for x in e.lines())


def test_every_rule_fires_on_a_labelled_line(rules_parser: Parser) -> None:
    """The coverage report: no rule in the table without a labelled line it decides."""
    rep = coverage.report(rules_parser)
    assert rep.never_fire == [] and rep.never_decide == []
    assert rep.lines > 6000
