"""tools/train_intent.py: the shipped intent model is built from the current cases, and its
plain-Python inference reproduces scikit-learn."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from parsers.intent_model import IntentModel
from parsers.models import SHARE_INTENTS
from parsers.parser import prepare
from tests.parsers.cases import load_cases, load_chitchat
from tools.train_intent import data_sha256, export, fit, training_lines

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def lines() -> list[tuple[str, str]]:
    return training_lines()


def test_training_lines_are_the_cases_without_commands_and_the_chit_chat(lines) -> None:  # type: ignore[no-untyped-def]
    cases = [c for c in load_cases() if c.intent != "command" and c.intent not in SHARE_INTENTS]
    chat = load_chitchat()
    assert lines == [(c.intent, c.text) for c in cases] + [("other", t) for t in chat]
    assert {intent for intent, _ in lines} == {"claim", "job_post", "labor_offer", "other",
                                                "query", "request"}


def test_the_shipped_model_is_built_from_the_current_cases(lines) -> None:  # type: ignore[no-untyped-def]
    assert IntentModel.load().data_sha256 == data_sha256(lines), (
        "the labelled cases changed since the intent model was trained: run `make model`")


def test_the_check_command_says_whether_the_model_is_current() -> None:
    run = subprocess.run([sys.executable, "-m", "tools.train_intent", "--check"], cwd=ROOT,
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "current" in run.stdout


def test_inference_reproduces_scikit_learn(lines, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """Exported at full precision, the plain-Python model gives scikit-learn's probabilities,
    on lines it learned from and on lines it did not."""
    train, unseen = lines[::3], lines[1::7]
    vec, clf = fit(train, min_df=1)
    path = tmp_path / "model.json"
    path.write_text(export(vec, clf, sha="test", about={}, scale=10**9), encoding="utf-8")
    model = IntentModel.load(path)
    texts = [prepare(text)[2] for _, text in train[:400] + unseen[:400]]
    want = clf.predict_proba(vec.transform(texts))
    compared = 0
    for text, row in zip(texts, want, strict=True):
        got = model.proba(text)
        if got is None:  # nothing known: scikit-learn would give the bias alone; we abstain
            continue
        compared += 1
        for i, intent in enumerate(clf.classes_):
            assert abs(got[intent] - row[i]) < 1e-6, (text, intent, got[intent], row[i])
    assert compared > 700


def test_a_retrain_agrees_with_the_shipped_model(lines) -> None:  # type: ignore[no-untyped-def]
    """The shipped weights are what training on the cases gives (up to scikit-learn's
    version and the file's rounding): no hand-edited or foreign model file."""
    vec, clf = fit(lines)
    shipped = IntentModel.load()
    texts = [prepare(text)[2] for _, text in lines]
    fresh = clf.classes_[clf.predict_proba(vec.transform(texts)).argmax(axis=1)]
    agree = sum(1 for text, want in zip(texts, fresh, strict=True)
                if (p := shipped.proba(text)) is not None and max(p, key=p.__getitem__) == want)
    assert agree >= 0.995 * len(texts), f"{agree}/{len(texts)} agree"
