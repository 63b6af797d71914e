"""Train the intent model from the labelled cases and write parsers/data/intent_model.json.

    python -m tools.train_intent            (or: make model)
    python -m tools.train_intent --check    exit 1 if the shipped model is not built from
                                            the current cases

The training lines are every labelled case of tests/data/cases but commands (a syntax the
rules read exactly), and every chit-chat line of tests/data/chitchat.txt as `other`. Each is
read the way the parser reads it (`parsers.parser.prepare`). Needs scikit-learn (a dev
dependency); the parser itself needs only the written file.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import sys
import time
from collections import Counter
from pathlib import Path

from parsers.intent_model import FORMAT, MODEL_FILE, NGRAM_MAX, IntentModel, features
from parsers.models import SHARE_INTENTS
from parsers.parser import prepare
from tests.parsers.cases import DATA, load_cases, load_chitchat

# Settings measured in the README ("The intent model"): n-grams seen in one line only are
# noise at this size of data, and C=10 (moderate L2) was the least intrusive of the
# settings that scored alike.
MIN_DF = 2
C = 10.0
SCALE = 1000
OUT = Path(__file__).resolve().parent.parent / "parsers" / "data" / MODEL_FILE


def training_lines(data: Path = DATA) -> list[tuple[str, str]]:
    """(intent, message as written) for every line the model learns from, in file order,
    from a folder of case files (tests/data, or an old copy of it)."""
    cases = data / "cases"
    if not cases.is_dir():  # older trees kept every case in one file
        cases = data / "parse_cases.txt"
    # Commands are read before the rules; the bot's own share intents (docs/parse-additions.md)
    # are decided by final rules the model is never asked to overrule: it learns neither.
    lines = [(c.intent, c.text) for c in load_cases(cases)
             if c.intent != "command" and c.intent not in SHARE_INTENTS]
    chat = data / "chitchat.txt"
    if chat.exists():  # older trees kept no chit-chat file
        lines += [("other", t) for t in load_chitchat(chat)]
    return lines


def data_sha256(lines: list[tuple[str, str]]) -> str:
    """A digest of what the model learns from, as it reads it: each line's intent and n-grams.

    It changes with the labelled lines and with any change to how a message is read
    (normalisation, the working text, the featuriser), each of which calls for a retrain.
    """
    h = hashlib.sha256()
    for intent, text in lines:
        h.update(f"{intent}\t{chr(31).join(features(prepare(text)[2]))}\n".encode())
    return h.hexdigest()


def fit(lines: list[tuple[str, str]], *, min_df: int = MIN_DF, c: float = C):  # noqa: ANN201
    """A fitted (vectorizer, classifier) pair, on the working text of each line."""
    from sklearn.feature_extraction.text import TfidfVectorizer  # noqa: PLC0415 - dev only
    from sklearn.linear_model import LogisticRegression  # noqa: PLC0415

    texts = [prepare(text)[2] for _, text in lines]
    vec = TfidfVectorizer(analyzer=features, sublinear_tf=True, min_df=min_df)
    clf = LogisticRegression(C=c, max_iter=5000)
    clf.fit(vec.fit_transform(texts), [intent for intent, _ in lines])
    return vec, clf


def export(vec, clf, *, sha: str, about: dict, scale: int = SCALE) -> str:  # noqa: ANN001
    """The model file's text: a header, then one n-gram per line, sorted (greppable: which
    n-grams lean to which intent).

    Numbers are stored as integers in units of 1/scale: at 1/1000 a message's scores move by
    a few thousandths, and the file is half the size of six significant digits.
    """
    def num(x: float) -> int:
        return round(float(x) * scale)

    classes = [str(c) for c in clf.classes_]
    head = {
        "format": FORMAT,
        "about": "daqiao intent model: logistic regression over tf-idf character 1-3-grams; "
                 "written by tools/train_intent.py, do not edit by hand",
        "data_sha256": sha,
        **about,
        "scale": scale,
        "classes": classes,
        "bias": [num(b) for b in clf.intercept_],
    }
    lines = ["{"] + [f"{json.dumps(k, ensure_ascii=False)}: {json.dumps(v, ensure_ascii=False)},"
                     for k, v in head.items()]
    lines.append('"features": {')
    weights = clf.coef_.T  # one row per n-gram
    rows = []
    for gram, col in sorted(vec.vocabulary_.items()):
        vals = [num(vec.idf_[col])] + [num(w) for w in weights[col]]
        rows.append(f"{json.dumps(gram, ensure_ascii=False)}: {json.dumps(vals)}")
    lines.append(",\n".join(rows))
    lines.append("}}")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m tools.train_intent", description=__doc__.split("\n")[0])
    ap.add_argument("--check", action="store_true", help="only check the shipped model is current")
    ap.add_argument("--out", type=Path, default=OUT, help=f"where to write (default {OUT})")
    args = ap.parse_args(argv)
    lines = training_lines()
    sha = data_sha256(lines)
    if args.check:
        ok = IntentModel.load().data_sha256 == sha
        print("intent model is current" if ok else
              "intent model is stale: the labelled cases changed; run `make model`")
        return 0 if ok else 1
    import sklearn  # noqa: PLC0415

    started = time.monotonic()
    by_intent = Counter(intent for intent, _ in lines)
    print(f"training on {len(lines)} lines: "
          + ", ".join(f"{k} {v}" for k, v in sorted(by_intent.items())), file=sys.stderr)
    vec, clf = fit(lines)
    about = {"lines": len(lines), "by_intent": dict(sorted(by_intent.items())),
             "settings": {"ngram_max": NGRAM_MAX, "min_df": MIN_DF, "C": C, "sublinear_tf": True},
             "scikit_learn": sklearn.__version__}
    text = export(vec, clf, sha=sha, about=about)
    args.out.write_text(text, encoding="utf-8")
    bad = [c for c in clf.coef_.ravel() if not math.isfinite(c)]
    if bad:
        print(f"warning: {len(bad)} weights are not finite", file=sys.stderr)
    print(f"wrote {args.out} ({len(vec.vocabulary_)} n-grams, {len(text) // 1024} KiB) "
          f"in {time.monotonic() - started:.1f} s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
