"""Each intent rule against its own examples and counter-examples, the engine, the coverage."""

from __future__ import annotations

import pytest

from parsers import Parser
from parsers.intent import Facts
from parsers.intent_rules import RULES
from parsers.rules import FALLBACK, Rule, check, decide, explain
from tests.parsers import coverage

EXAMPLES = [(r.name, t) for r in RULES for t in r.examples]
COUNTER = [(r.name, t) for r in RULES for t in r.counter]


@pytest.mark.parametrize("rule", RULES, ids=[r.name for r in RULES])
def test_every_rule_has_examples_and_a_counter_example(rule: Rule) -> None:
    assert len(rule.examples) >= 2 and len(rule.counter) >= 1
    assert rule.why, "a rule says what it is for"
    assert rule.name.split(".")[0] in {"quiet", "claim", "offer", "query", "request",
                                       "job_post", "command"}


@pytest.mark.parametrize(("name", "text"), EXAMPLES, ids=[f"{n}:{t[:12]}" for n, t in EXAMPLES])
def test_a_rule_decides_its_examples(rules_parser: Parser, name: str, text: str) -> None:
    got = rules_parser.parse(text)
    assert got.intent_by == f"rule:{name}", rules_parser.explain(text).lines()


@pytest.mark.parametrize(("name", "text"), COUNTER, ids=[f"{n}:{t[:12]}" for n, t in COUNTER])
def test_a_rule_does_not_fire_on_its_counter_examples(rules_parser: Parser, name: str,
                                                      text: str) -> None:
    e = rules_parser.explain(text)
    assert name not in (e.rules.rule, *e.rules.overruled), e.lines()


class _Facts:
    GIVEN = ("a",)
    b = True
    c = False

    def __init__(self, a: bool) -> None:
        self.a = a


def test_the_engine_takes_the_first_rule_and_lists_the_rest() -> None:
    table = [Rule("x.one", "claim", ("a", "b"), ("c",)), Rule("x.two", "query", ("b",))]
    check(table, _Facts)
    assert decide(table, _Facts(True)).rule == "x.one"
    assert explain(table, _Facts(True)).overruled == ("x.two",)
    assert decide(table, _Facts(False)).rule == "x.two"
    assert decide([table[0]], _Facts(False)).rule == FALLBACK
    with pytest.raises(ValueError, match="unknown facts"):
        check([Rule("x.bad", "claim", ("nope",))], _Facts)
    with pytest.raises(ValueError, match="twice"):
        check(table + table[:1], _Facts)


def test_the_table_reads_only_known_facts() -> None:
    check(RULES, Facts)


def test_explain_names_the_rule_the_model_and_the_overruled(parser: Parser) -> None:
    e = parser.explain("我们四个都去，14号")
    assert e.parsed.intent_by == "rule:claim.self" and e.rules.rule == "claim.self"
    assert "claim.word" in e.rules.overruled
    text = "\n".join(e.lines())
    assert "claim.self" in text and "also fired, overruled: claim.word" in text
    assert e.model and max(e.model, key=e.model.__getitem__) == "claim"



def test_every_rule_fires_on_a_labelled_line(rules_parser: Parser) -> None:
    """The coverage report: no rule in the table without a labelled line it decides."""
    rep = coverage.report(rules_parser)
    assert rep.never_fire == [] and rep.never_decide == []
    assert rep.lines > 6000
