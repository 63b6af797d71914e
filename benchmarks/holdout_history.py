"""How the parser's intents hold on messages written after it: the blind batches, replayed.

    python benchmarks/holdout_history.py [--from 40] [--list] [--chitchat-folds 10]

Every blind batch (the cases tagged `@batch=blind-N` in tests/data/cases) was written before
the parser saw it, then scored, then fixed. Git keeps the parser as it stood before each batch:
the parent of the commit that added the batch. For each batch this script

1. runs that parent's rules on the batch (what "before its fixes" scored), and
2. trains the intent model, with today's training code, on the parent's labelled cases
   only, and lets it overrule those rules the way the parser does (`IntentModel.overrule`),

so both are scored on lines neither had seen. It also measures how far each batch line is
from the nearest line the model trained on, to show the gain is not recall of near-copies,
and cross-validates the chit-chat: each fold is left out of training and parsed by today's
parser with a model that never saw it. Needs the git history and scikit-learn (a dev
dependency); takes a few minutes. Prints a table; asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import tarfile
import tempfile
from datetime import datetime
from io import BytesIO
from pathlib import Path

from rapidfuzz import fuzz, process

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from parsers import Parser  # noqa: E402
from parsers.intent_model import IntentModel  # noqa: E402
from parsers.normalize import Normalized  # noqa: E402
from parsers.parser import prepare  # noqa: E402
from tests.parsers.cases import Case, load_cases, load_chitchat  # noqa: E402
from tools.train_intent import export, fit, training_lines  # noqa: E402

# Where the cases lived, one header a batch, when the batches were added (the file is gone
# now, its history is not): a batch is dated by the first commit whose copy holds its header.
OLD_CASES = "tests/data/parse_cases.txt"
# A blind batch's tag (its paraphrases and probes are written after its run: not blind).
_BLIND = re.compile(r"blind-(\d+)")
_OLD_RULES = """
import json, sys
from datetime import datetime
from pathlib import Path
sys.path.insert(0, ".")
import parsers
assert Path(parsers.__file__).resolve().is_relative_to(Path(".").resolve()), parsers.__file__
p = parsers.Parser.load()
for line in sys.stdin:
    c = json.loads(line)
    print(json.dumps({"intent": p.parse(c["text"], now=datetime.fromisoformat(c["time"])).intent}))
"""


def _git(*args: str) -> str:
    return subprocess.run(["git", "-C", str(ROOT), *args], capture_output=True, text=True,
                          check=True).stdout


def blind_batches(cases: list[Case]) -> list[tuple[int, list[Case]]]:
    """(number, cases) of each blind batch, by number. A case a later blind batch wrote again
    word for word (kept once, tagged with both) counts in each."""
    out: dict[int, list[Case]] = {}
    for c in cases:
        for tag in c.batches:
            if m := _BLIND.fullmatch(tag):
                out.setdefault(int(m.group(1)), []).append(c)
    return sorted(out.items())


def commit_adding(number: int) -> str | None:
    """The first commit whose parse_cases.txt held the batch's header: "## blind batch N", or
    "## batch N" for the later batches, which dropped the word."""
    for key in (f"## blind batch {number}", f"## batch {number}"):
        found = _git("log", "--reverse", "--format=%H", "-S", key, "--", OLD_CASES).split()
        if found:
            return found[0]
    return None


def export_tree(commit: str, into: Path) -> None:
    blob = subprocess.run(["git", "-C", str(ROOT), "archive", commit, "parsers", "tests/data"],
                          capture_output=True, check=True).stdout
    with tarfile.open(fileobj=BytesIO(blob)) as tar:
        tar.extractall(into, filter="data")


def old_rules(tree: Path, cases: list[Case]) -> list[str]:
    feed = "".join(json.dumps({"text": c.text, "time": c.time.isoformat()}, ensure_ascii=False)
                   + "\n" for c in cases)
    run = subprocess.run([sys.executable, "-c", _OLD_RULES], cwd=tree, input=feed,
                         capture_output=True, text=True)
    if run.returncode:
        raise RuntimeError(run.stderr.strip().splitlines()[-1] if run.stderr else "failed")
    return [json.loads(line)["intent"] for line in run.stdout.splitlines()]


def model_of(lines: list[tuple[str, str]], workdir: Path) -> IntentModel:
    vec, clf = fit(lines)
    path = workdir / "model.json"
    path.write_text(export(vec, clf, sha="", about={}), encoding="utf-8")
    return IntentModel.load(path)


def hybrid(model: IntentModel, prepared: tuple[Normalized, str, str], ruled: str) -> str:
    """The intent the parser gives: the rules' `ruled`, unless the model overrules it."""
    norm, _, work = prepared
    return model.overrule(norm, work, ruled) or ruled


def chitchat_cv(folds: int, workdir: Path) -> tuple[int, int, list[str]]:
    """(loud, total, loud lines): each fold parsed by today's parser, its model blind to it."""
    chat = load_chitchat()
    cases = training_lines()[: -len(chat)]  # the training lines end with the chit-chat
    rules = Parser.load(model=False)
    loud = []
    for k in range(folds):
        held = chat[k::folds]
        train = cases + [("other", t) for i, t in enumerate(chat) if i % folds != k]
        model = model_of(train, workdir)
        for text in held:
            ruled = rules.parse(text, now=datetime(2025, 3, 3, 9)).intent
            intent = hybrid(model, prepare(text), ruled)
            if intent != "other":
                loud.append(f"{text} -> {intent}")
    return len(loud), len(chat), loud


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--from", dest="first", type=int, default=40,
                    help="first batch to replay (older trees predate today's case format)")
    ap.add_argument("--list", action="store_true", help="print every line the model changed")
    ap.add_argument("--chitchat-folds", type=int, default=10)
    args = ap.parse_args()
    batches = [b for b in blind_batches(load_cases()) if b[0] >= args.first]
    rows: list[dict] = []
    with tempfile.TemporaryDirectory(prefix="daqiao-history-") as tmp:
        work = Path(tmp)
        trees: dict[str, tuple[IntentModel, list[str]]] = {}
        for number, cases in batches:
            commit = commit_adding(number)
            if commit is None:
                print(f"batch {number}: no commit adds it; skipped", file=sys.stderr)
                continue
            parent = _git("rev-parse", commit + "^").strip()
            tree = work / parent[:12]
            if parent not in trees:
                export_tree(parent, tree)
                lines = training_lines(tree / "tests" / "data")
                trees[parent] = (model_of(lines, work), [prepare(t)[2] for _, t in lines])
            model, seen = trees[parent]
            try:
                ruled = old_rules(tree, cases)
            except RuntimeError as e:
                print(f"batch {number}: its parent's rules do not run here ({e}); skipped",
                      file=sys.stderr)
                continue
            for case, rule in zip(cases, ruled, strict=True):
                prepared = prepare(case.text)
                near = process.extractOne(prepared[2], seen, scorer=fuzz.ratio)
                rows.append({"batch": number, "text": case.text, "want": case.intent,
                             "rules": rule, "hybrid": hybrid(model, prepared, rule),
                             "nearest": near[1] if near else 0.0})
            done = [r for r in rows if r["batch"] == number]
            print(f"batch {number:3d}: rules {sum(r['rules'] == r['want'] for r in done):2d}"
                  f"/{len(done)}, with the model {sum(r['hybrid'] == r['want'] for r in done):2d}"
                  f"/{len(done)}", file=sys.stderr, flush=True)
        loud, chat_total, loud_lines = chitchat_cv(args.chitchat_folds, work)

    def score(sel: list[dict], key: str) -> str:
        return f"{sum(r[key] == r['want'] for r in sel) / max(len(sel), 1):.3f}"

    print("\n| lines | n | rules alone | rules + model |\n|---|---|---|---|")
    spans = [(args.first, 80), (81, 10**6)]
    for lo, hi in spans:
        sel = [r for r in rows if lo <= r["batch"] <= hi]
        if sel:
            lo, top = min(r["batch"] for r in sel), max(r["batch"] for r in sel)
            print(f"| batches {lo}-{top} | {len(sel)} | {score(sel, 'rules')} | {score(sel, 'hybrid')} |")
    for lo, hi in [(0, 50), (50, 65), (65, 80), (80, 101)]:
        sel = [r for r in rows if lo <= r["nearest"] < hi]
        print(f"| nearest training line {lo}-{min(hi, 100)}% alike | {len(sel)} | "
              f"{score(sel, 'rules')} | {score(sel, 'hybrid')} |")
    quiet = [r for r in rows if r["want"] == "other"]
    print(f"| `other` lines made loud (fewer is better) | {len(quiet)} | "
          f"{sum(r['rules'] != 'other' for r in quiet)} | {sum(r['hybrid'] != 'other' for r in quiet)} |")
    changed = [r for r in rows if r["hybrid"] != r["rules"]]
    fixed = sum(r["hybrid"] == r["want"] for r in changed)
    broke = sum(r["rules"] == r["want"] for r in changed)
    print(f"\nThe model changed {len(changed)} of {len(rows)} intents: {fixed} fixed, {broke} broken, "
          f"{len(changed) - fixed - broke} wrong either way.")
    print(f"Chit-chat, {args.chitchat_folds}-fold: {loud} of {chat_total} loud with a model that "
          "never saw the line" + ("" if not loud_lines else ": " + "; ".join(loud_lines)))
    if args.list:
        for r in changed:
            mark = "fixed" if r["hybrid"] == r["want"] else "BROKE" if r["rules"] == r["want"] else "wrong"
            print(f"  {mark} b{r['batch']} {r['want']}: {r['rules']} -> {r['hybrid']}  "
                  f"{r['text']!r}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
