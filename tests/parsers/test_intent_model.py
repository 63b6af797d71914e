"""The intent model: its inference, when it may overrule the rules, and its file format."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pytest

from parsers import Parser
from parsers.intent_model import CONFIDENCE, MAX_CHARS, MIN_LETTERS, IntentModel, features
from parsers.lexicon import Lexicon
from parsers.normalize import normalize
from parsers.parser import prepare

NOW = datetime(2025, 3, 3, 9)


def _model(weight: float) -> IntentModel:
    """A hand-made model that reads 哈 as a request with the given strength."""
    return IntentModel(classes=("other", "request"), bias=(0.0, 0.0),
                       table={"哈": (1.0, -weight, weight), "好": (1.0, weight, -weight)})


@pytest.fixture(scope="module")
def lexicon() -> Lexicon:
    return Lexicon.load()


def test_features_fold_digits_case_and_spaces() -> None:
    assert features("Ab 12") == features("aB  7")
    assert features("要3人") == ["要", "0", "人", "要0", "0人", "要0人"]


def test_probabilities_follow_the_weights() -> None:
    strong = _model(5.0).proba("哈哈")
    assert strong is not None and strong["request"] > 0.99
    assert abs(sum(strong.values()) - 1.0) < 1e-12
    even = _model(5.0).proba("哈好")
    assert even is not None and abs(even["request"] - 0.5) < 1e-12
    assert _model(5.0).proba("嗯嗯") is None  # no n-gram it knows: no opinion


def test_the_model_overrules_only_when_confident_short_and_not_a_command() -> None:
    strong, weak = _model(5.0), _model(0.4)
    short, long_ = normalize("哈哈哈"), normalize("哈" * (MAX_CHARS + 1))
    assert strong.overrule(short, "哈哈哈", "other") == "request"
    assert strong.overrule(short, "哈哈哈", "request") is None  # agrees: nothing to overrule
    assert strong.overrule(long_, "哈哈哈", "other") is None  # longer than it learned from
    assert strong.overrule(short, "哈哈哈", "command") is None
    quoted = normalize("「小王：周末去哪」\n- - - - - -\n哈哈哈")
    assert quoted.quote is not None and strong.overrule(quoted, "哈哈哈", "other") is None
    probs = weak.proba("哈哈哈")
    assert probs is not None and 0.5 < probs["request"] < CONFIDENCE
    assert weak.overrule(short, "哈哈哈", "other") is None


def test_an_answer_of_a_figure_or_two_stays_with_the_rules() -> None:
    """Too few letters to read (a bare 2 after the bot asks which posting): its sense is in
    the conversation. Letters of any script count."""
    strong = _model(5.0)
    assert MIN_LETTERS == 3
    assert strong.overrule(normalize("哈 2哈"), "哈 2哈", "other") is None
    assert strong.overrule(normalize("ab哈"), "ab哈", "other") == "request"


def test_an_overruled_intent_gets_the_fields_of_its_intent(lexicon: Lexicon) -> None:
    parser = Parser(lexicon, _model(5.0))
    rules = Parser(lexicon)
    assert rules.parse("哈哈哈哈", now=NOW).intent == "other"
    got = parser.parse("哈哈哈哈", now=NOW)
    assert (got.intent, got.intent_by) == ("request", "model")
    assert got.urgency == "small" and got.category is not None
    assert got.to_json()["intent_by"] == "model"
    kept = parser.parse("好好", now=NOW)
    assert (kept.intent, kept.intent_by[:5]) == ("other", "rule:")


def test_a_final_rule_is_not_overruled(lexicon: Lexicon) -> None:
    """job_post.strong is final: a model sure that 名 means "other" overrules a post decided by
    another rule (job_post.hire_verb), not one decided by it."""
    sure_other = IntentModel(classes=("other", "job_post"), bias=(0.0, 0.0),
                             table={"名": (1.0, 5.0, -5.0)})
    parser = Parser(lexicon, sure_other)
    strong = parser.parse("急招搬运工5名", now=NOW)
    assert (strong.intent, strong.intent_by) == ("job_post", "rule:job_post.strong")
    weak = parser.parse("即日起招保洁2名", now=NOW)
    assert Parser(lexicon).parse("即日起招保洁2名", now=NOW).intent_by == "rule:job_post.hire_verb"
    assert (weak.intent, weak.intent_by) == ("other", "model")
    assert "model: not asked (job_post.strong is final)" in parser.explain(
        "急招搬运工5名", now=NOW).lines()


def test_a_reply_to_a_quote_and_a_command_stay_with_the_rules(lexicon: Lexicon) -> None:
    parser = Parser(lexicon, _model(5.0))
    quoted = parser.parse("「小王：周末去哪」\n- - - - - - - - -\n哈哈哈", now=NOW)
    assert (quoted.intent, quoted.intent_by[:5]) == ("other", "rule:")
    assert parser.parse("#帮助 哈哈", now=NOW).intent == "command"
    long_text = "哈" * (MAX_CHARS + 1)
    assert parser.parse(long_text, now=NOW).intent_by.startswith("rule:")


def test_the_shipped_model_loads_and_reads_a_message(parser: Parser) -> None:
    assert parser.model is not None
    probs = parser.model.proba(prepare("谁家需要临时工？我这边有7个人")[2])
    assert probs is not None and max(probs, key=probs.__getitem__) == "labor_offer"
    assert set(parser.model.classes) == {"claim", "job_post", "labor_offer", "other", "query",
                                         "request"}


def _write(tmp_path: Path, doc: dict) -> Path:
    path = tmp_path / "m.json"
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    return path


def test_a_bad_model_file_is_refused_with_its_reason(tmp_path: Path) -> None:
    good = {"format": 1, "scale": 1000, "classes": ["other", "request"], "bias": [0, 0],
            "features": {"哈": [1000, -500, 500]}}
    model = IntentModel.load(_write(tmp_path, good))
    assert model.table["哈"] == (1.0, -0.5, 0.5)
    with pytest.raises(ValueError, match="format"):
        IntentModel.load(_write(tmp_path, {**good, "format": 99}))
    with pytest.raises(ValueError, match="classes the parser does not know"):
        IntentModel.load(_write(tmp_path, {**good, "classes": ["other", "gossip"]}))
    with pytest.raises(ValueError, match="values, expected 3"):
        IntentModel.load(_write(tmp_path, {**good, "features": {"哈": [1000, 5]}}))
