"""The parser's recorded misses, and the gate that no change adds one.

    python -m tests.parsers.figures            # today's misses beside the recorded
    python -m tests.parsers.figures --record   # write them to tests/data/parse_figures.json

The record names, per set, every line the parser misses: the labelled cases by the rules
alone (as the bot runs it, rules and model, every case must hold: test_rules.test_case), the
shared devset and the real texts as the bot runs it, and the chit-chat lines made loud. A
case is missed as test_case misses it; a shared line as shared/tools/eval_parse.py scores it
(its own field matching). The gate: no line missed now that the record does not hold as
missed (a line whose fields were missed may not lose its intent), and no set shorter than
recorded. A fixed line leaves the record holding a miss no longer made: re-record. Recording
is a reviewed change to the JSON file, with the reason in the commit. Without ../shared, the
devset and the real texts are not scored.
"""

from __future__ import annotations

import importlib.util
import json
import sys
from datetime import date, datetime
from pathlib import Path
from typing import Any

from parsers import Parser
from parsers.models import Parsed
from tests.parsers.cases import DEFAULT_TIME, Case, load_all_cases, load_chitchat

ROOT = Path(__file__).resolve().parents[2]
RECORD = ROOT / "tests" / "data" / "parse_figures.json"
SHARED = ROOT.parent / "shared"
EVAL_PARSE = SHARED / "tools" / "eval_parse.py"
SHARED_SETS = {"devset": SHARED / "spec" / "devset.jsonl",
               "real": SHARED / "data" / "real" / "real_intents.jsonl"}
CASES = "cases, rules alone"
CHITCHAT = "chit-chat"
SETS = (CASES, *SHARED_SETS, CHITCHAT)
MISSES = ("intent_missed", "field_missed", "loud")  # the lists a set's record may hold
_NOT_FIELDS = {"id", "text", "time", "sender", "intent", "note", "source"}
# A case's text fields match leniently (licence too, as the shared scorer matches it).
LENIENT = {"job", "task", "employer", "location", "licence"}


def missing_shared(name: str) -> str:
    """Why a set cannot be scored here ("" when it can)."""
    if name in SHARED_SETS and not (EVAL_PARSE.exists() and SHARED_SETS[name].exists()):
        return f"../shared is not beside this checkout: the {name} set is not scored"
    return ""


def _lenient(want: str | None, got: str | None) -> bool:
    if want is None or got is None:
        return want is got
    short, long_ = sorted((want, got), key=len)
    return short in long_ and len(short) * 2 >= len(long_)


def _same(a: float | None, b: float | None) -> bool:
    return a is b if a is None or b is None else float(a) == float(b)


def check(parsed: Parsed, key: str, want: object) -> bool:
    """Whether a parse's field `key` is a case's labelled value."""
    got = parsed.to_json().get(key)  # a share's keys are there for a share only
    if key in LENIENT:
        return _lenient(want, got)  # type: ignore[arg-type]
    if key in ("pay", "age"):  # figures match as numbers; an absent end (None) only None
        if want is None or got is None:
            return want is got
        return got.get("unit") == want.get("unit") and all(  # type: ignore[union-attr]
            _same(got[k], want[k]) for k in ("min", "max"))  # type: ignore[index]
    if isinstance(want, date):
        return got == want.isoformat()
    return got == want


def _wrong_fields(parsed: Parsed, case: Case) -> dict[str, Any]:
    return {k: parsed.to_json().get(k) for k, v in case.fields.items()
            if not check(parsed, k, v)}


def case_misses(parser: Parser, case: Case) -> list[str]:
    """What the parser gets wrong on a labelled case: its intent, else its wrong fields."""
    parsed = parser.parse(case.text, now=case.time)
    if parsed.intent != case.intent:
        return [f"{case}: intent {parsed.intent} ({parsed.intent_by})"]
    wrong = _wrong_fields(parsed, case)
    return [f"{case}: got {wrong}, want { {k: case.fields[k] for k in wrong} }"] if wrong else []


def _field_eq() -> Any:
    """The contract's field matching, from the shared scorer itself."""
    spec = importlib.util.spec_from_file_location("eval_parse", EVAL_PARSE)
    assert spec and spec.loader, "shared/tools/eval_parse.py is missing"
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod.field_eq


def _score_cases(parser: Parser) -> dict[str, Any]:
    """Cases are named by their text (a case may move between files)."""
    cases = load_all_cases()
    intent, fields = set(), set()
    for c in cases:
        parsed = parser.parse(c.text, now=c.time)
        if parsed.intent != c.intent:
            intent.add(c.text)
        elif _wrong_fields(parsed, c):
            fields.add(c.text)
    return {"lines": len(cases), "fields": sum(len(c.fields) for c in cases),
            "intent_missed": sorted(intent), "field_missed": sorted(fields)}


def _score_shared(parser: Parser, path: Path) -> dict[str, Any]:
    """Shared lines are named by their id; a line's fields are scored whatever its intent."""
    field_eq = _field_eq()
    rows = [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines() if x.strip()]
    intent, fields, scored = set(), set(), 0
    for row in rows:
        when = datetime.fromisoformat(row["time"]) if row.get("time") else DEFAULT_TIME
        got = parser.parse(row["text"], now=when).to_json()
        want = row["intent"] if isinstance(row["intent"], list) else [row["intent"]]
        name = row.get("id") or row["text"]
        if got["intent"] not in want:
            intent.add(name)
        for key, value in row.items():
            if key not in _NOT_FIELDS:
                scored += 1
                if not field_eq(key, value, got.get(key)):
                    fields.add(name)
    return {"lines": len(rows), "fields": scored,
            "intent_missed": sorted(intent), "field_missed": sorted(fields)}


def measure_set(name: str, parser: Parser, rules_parser: Parser) -> dict[str, Any]:
    """Today's misses on one set (`missing_shared(name)` must be empty)."""
    if name == CASES:
        return _score_cases(rules_parser)
    if name == CHITCHAT:
        chat = load_chitchat()
        # As the contract reads them: a unit's offer alone (我这还能接待3桌) is the bot's
        # share_offer, "other" to the contract, and recorded without a word (bot/handlers/sharing.py).
        loud = {t for t in chat
                if parser.parse(t, now=DEFAULT_TIME).to_json()["intent"] != "other"}
        return {"lines": len(chat), "loud": sorted(loud)}
    return _score_shared(parser, SHARED_SETS[name])


def measure(parser: Parser | None = None,
            rules_parser: Parser | None = None) -> dict[str, dict[str, Any]]:
    """Today's misses on every set that can be scored here."""
    parser = parser or Parser.load()
    rules_parser = rules_parser or Parser.load(model=False)
    return {name: measure_set(name, parser, rules_parser) for name in SETS
            if not missing_shared(name)}


def recorded() -> dict[str, dict[str, Any]]:
    return json.loads(RECORD.read_text(encoding="utf-8"))


def _missed(figs: dict[str, Any], kind: str) -> set[str]:
    """The lines a set's figures name as missed in one way (none from a record of counts)."""
    value = figs.get(kind, ())
    return set(value) if isinstance(value, list) else set()


def texts(name: str) -> dict[str, str]:
    """The text of each line of a shared set, by id (a case is named by its text already)."""
    if name not in SHARED_SETS or missing_shared(name):
        return {}
    rows = [json.loads(x) for x in SHARED_SETS[name].read_text(encoding="utf-8").splitlines()
            if x.strip()]
    return {row["id"]: row["text"] for row in rows if row.get("id")}


def worse(now: dict[str, Any], then: dict[str, Any],
          text_of: dict[str, str] | None = None) -> list[str]:
    """What one set does worse than its record: each line newly missed (with its text when
    `text_of` has it), a shorter set."""
    text_of = text_of or {}
    out = []
    if now["lines"] < then["lines"]:
        out.append(f"{now['lines']} lines, fewer than the {then['lines']} recorded")
    for kind in MISSES:
        for line in sorted(_missed(now, kind) - _missed(then, kind)):
            text = f": {text_of[line]}" if line in text_of else ""
            out.append(f"newly {kind.replace('_', ' ')}: {line}{text}")
    return out


def fixed(now: dict[str, Any], then: dict[str, Any]) -> list[str]:
    """Each line the record holds as missed that is missed no longer (a new record is due)."""
    return [f"no longer {kind.replace('_', ' ')}: {line}" for kind in MISSES
            for line in sorted(_missed(then, kind) - _missed(now, kind))]


def _summary(figs: dict[str, Any] | None) -> str:
    if figs is None:
        return "none"
    counts = ", ".join(f"{k} {len(_missed(figs, k))}" for k in MISSES if k in figs)
    return f"{figs['lines']} lines, {counts}"


def main(argv: list[str]) -> int:
    now = measure()
    then = recorded()
    if "--record" in argv:
        record = {name: now.get(name, then.get(name)) for name in SETS
                  if name in now or name in then}
        RECORD.write_text(json.dumps(record, ensure_ascii=False, indent=1) + "\n",
                          encoding="utf-8")
        print(f"recorded in {RECORD.relative_to(ROOT)}"
              + "".join(f"; {name} kept as recorded ({missing_shared(name)})"
                        for name in SETS if name not in now and name in then))
        then = record
    bad = False
    for name in SETS:
        if name not in now:
            print(f"{name:20} skipped: {missing_shared(name)}")
            continue
        print(f"{name:20} {_summary(now[name])}  (recorded: {_summary(then.get(name))})")
        if name not in then:
            print("    not recorded")
            bad = True
            continue
        newly = worse(now[name], then[name], texts(name))
        for line in newly + fixed(now[name], then[name]):
            print(f"    {line}")
        bad = bad or bool(newly)
    print("no line missed that the record does not hold" if not bad else "worse than the record")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
