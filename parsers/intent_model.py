"""A statistical second opinion on the rules' intent, for short messages.

The rules (parsers/intent.py) decide every message first. Their misses on messages written
after them are spread thinly over new phrasings (一个新说法一条规则), which is where a model
of character n-grams generalises better: measured on 75 blind batches, each scored by the
parser as it stood before the batch was written, the rules alone got 0.92 of intents and
the rules overruled by this model 0.96-0.97, with fewer chatty lines made loud (README,
"The intent model"). The model overrules the rules only when it is confident and the message
is the kind of short group message it learned from; long letters and platform ads, which it
never saw, stay with the rules.

The model is multinomial logistic regression over tf-idf weighted character 1-3-grams of the
text the rules read (numerals as digits, phone numbers blanked). It is trained offline by
`tools/train_intent.py` (scikit-learn) on the labelled cases in tests/data and shipped as
`parsers/data/intent_model.json`; inference here is plain Python and reproduces
scikit-learn's `predict_proba`.
"""

from __future__ import annotations

import json
import math
import re
from collections import Counter
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from parsers.normalize import Normalized

MODEL_FILE = "intent_model.json"
FORMAT = 1
NGRAM_MAX = 3
# The model overrules the rules at this probability or above. Measured (README): 0.7 fixes a
# few more lines and breaks more; 0.9 breaks fewest and fixes a third fewer.
CONFIDENCE = 0.8
# 99% of the lines it learned from are shorter than this; past it the model is guessing.
MAX_CHARS = 50
# Fewer letters than this and a message is an answer whose sense lies in the conversation
# (a bare 2 after the bot asks which posting, 3人): figures and punctuation are no words to
# read, yet after tf-idf's normalisation one n-gram weighs as much as a sentence.
MIN_LETTERS = 3
# Intents the model may give. Commands are syntax (a leading #), which the rules read exactly.
INTENTS = ("claim", "job_post", "labor_offer", "other", "query", "request")

_DIGITS = re.compile(r"\d+")
_LETTER = re.compile(r"[^\W\d_]")  # a letter of any script: 人, a
_SPACES = re.compile(r"\s+")


def features(text: str) -> list[str]:
    """Character 1-3-grams of a working text, digits folded (3个人 and 12个人 read alike)."""
    t = _SPACES.sub(" ", _DIGITS.sub("0", text.lower())).strip()
    return [t[i:i + n] for n in range(1, NGRAM_MAX + 1) for i in range(len(t) - n + 1)]


@dataclass(frozen=True)
class IntentModel:
    """Weights of a trained model: per class a bias, per n-gram its idf and class weights."""

    classes: tuple[str, ...]
    bias: tuple[float, ...]
    table: dict[str, tuple[float, ...]]  # n-gram -> (idf, weight per class)
    data_sha256: str = ""

    @classmethod
    def load(cls, path: str | Path | None = None) -> IntentModel:
        """Read a model file (by default the one shipped in parsers/data)."""
        if path is None:
            raw = resources.files("parsers").joinpath("data", MODEL_FILE).read_text(
                encoding="utf-8")
        else:
            raw = Path(path).read_text(encoding="utf-8")
        doc = json.loads(raw)
        if doc.get("format") != FORMAT:
            raise ValueError(f"intent model format {doc.get('format')!r}, expected {FORMAT}")
        classes = tuple(doc["classes"])
        unknown = set(classes) - set(INTENTS)
        if unknown:
            raise ValueError(
                f"intent model has classes the parser does not know: {sorted(unknown)}")
        scale = float(doc.get("scale", 1))
        table = {k: tuple(x / scale for x in v) for k, v in doc["features"].items()}
        width = len(classes) + 1
        bad = next((k for k, v in table.items() if len(v) != width), None)
        if bad is not None:
            raise ValueError(
                f"intent model row {bad!r} has {len(table[bad])} values, expected {width}")
        return cls(classes, tuple(b / scale for b in doc["bias"]), table,
                   doc.get("data_sha256", ""))

    def proba(self, text: str) -> dict[str, float] | None:
        """Probability of each intent for a working text; None if no n-gram of it is known."""
        row_of = self.table.get
        weighted: list[tuple[float, tuple[float, ...]]] = []
        square = 0.0
        for gram, tf in Counter(features(text)).items():
            row = row_of(gram)
            if row is None:
                continue
            x = (1.0 + math.log(tf)) * row[0]  # sublinear tf times idf
            square += x * x
            weighted.append((x, row))
        if not weighted:
            return None
        norm = math.sqrt(square)
        scores = list(self.bias)
        for x, row in weighted:
            x /= norm
            for i in range(len(scores)):
                scores[i] += x * row[i + 1]
        top = max(scores)
        exps = [math.exp(s - top) for s in scores]
        total = sum(exps)
        return {c: e / total for c, e in zip(self.classes, exps, strict=True)}

    def consulted(self, message: Normalized, ruled: str) -> bool:
        """Whether the model is asked about a message the rules gave `ruled` (`message` is the
        normalised message).

        A reply to a quote means what it means in the quote's context, which the rules read and
        the model does not see (「周六去爬山吗」 我们5个), so it stays with the rules, as do
        commands, messages longer than the model learned from, and answers of a figure or two.
        """
        return not (ruled == "command" or message.quote is not None
                    or len(message.text) > MAX_CHARS
                    or len(_LETTER.findall(message.text)) < MIN_LETTERS)

    def overrule(self, message: Normalized, work: str, ruled: str) -> str | None:
        """The intent to give instead of the rules' `ruled`, or None to keep it.

        `message` is the normalised message, `work` the working text the model reads. Only a
        message the model is `consulted` on, and only when it is confident.
        """
        if not self.consulted(message, ruled):
            return None
        probs = self.proba(work)
        if probs is None:
            return None
        best = max(probs, key=probs.__getitem__)
        return best if best != ruled and probs[best] >= CONFIDENCE else None
