"""The parser's recorded figures, and the gate that no change lowers them.

    python -m tests.parsers.figures            # print today's figures beside the recorded
    python -m tests.parsers.figures --record   # write them to tests/data/parse_figures.json

Each set is scored the way shared/tools/eval_parse.py scores (its own field matching): the
labelled cases by the parser as the bot runs it (rules and model) and by the rules alone,
the shared devset and the real texts, and the chit-chat lines made loud. A figure is a count
of misses: a change may add cases and fix lines, never add a miss the record does not hold.
Recording new figures is a reviewed change to the JSON file, with the reason in the commit.
"""

from __future__ import annotations

import importlib.util
import json
import sys
from datetime import datetime
from pathlib import Path
from typing import Any

from parsers import Parser
from tests.parsers.cases import DEFAULT_TIME, load_all_cases, load_chitchat

ROOT = Path(__file__).resolve().parents[2]
RECORD = ROOT / "tests" / "data" / "parse_figures.json"
SHARED = ROOT.parent / "shared"
SETS = {"devset": SHARED / "spec" / "devset.jsonl",
        "real": SHARED / "data" / "real" / "real_intents.jsonl"}
_NOT_FIELDS = {"id", "text", "time", "sender", "intent", "note", "source"}


def _field_eq() -> Any:
    """The contract's field matching, from the shared scorer itself."""
    spec = importlib.util.spec_from_file_location("eval_parse", SHARED / "tools" / "eval_parse.py")
    assert spec and spec.loader, "shared/tools/eval_parse.py is missing"
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod.field_eq


def _score(parser: Parser, rows: list[dict[str, Any]], field_eq: Any) -> dict[str, int]:
    intents = fields = intent_miss = field_miss = 0
    for row in rows:
        got = parser.parse(row["text"], now=row["time"]).to_json()
        want = row["intent"] if isinstance(row["intent"], list) else [row["intent"]]
        intents += 1
        intent_miss += got["intent"] not in want
        for key, value in row.items():
            if key not in _NOT_FIELDS:
                fields += 1
                field_miss += not field_eq(key, value, got.get(key))
    return {"lines": intents, "intent_misses": intent_miss, "fields": fields,
            "field_misses": field_miss}


def _case_rows() -> list[dict[str, Any]]:
    rows = []
    for c in load_all_cases():
        row: dict[str, Any] = {"text": c.text, "time": c.time, "intent": c.intent}
        for key, value in c.fields.items():
            row[key] = value.isoformat() if hasattr(value, "isoformat") else value
        rows.append(row)
    return rows


def _jsonl_rows(path: Path) -> list[dict[str, Any]]:
    rows = [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines() if x.strip()]
    for row in rows:
        row["time"] = datetime.fromisoformat(row["time"]) if row.get("time") else DEFAULT_TIME
    return rows


def measure(parser: Parser | None = None, rules_parser: Parser | None = None) -> dict[str, Any]:
    """Today's figures: misses per set, and the chit-chat lines made loud."""
    parser = parser or Parser.load()
    rules_parser = rules_parser or Parser.load(model=False)
    field_eq = _field_eq()
    cases = _case_rows()
    out: dict[str, Any] = {"cases": _score(parser, cases, field_eq),
                           "cases, rules alone": _score(rules_parser, cases, field_eq)}
    for name, path in SETS.items():
        out[name] = _score(parser, _jsonl_rows(path), field_eq)
    chat = load_chitchat()
    loud = [t for t in chat if parser.parse(t, now=DEFAULT_TIME).intent != "other"]
    out["chit-chat"] = {"lines": len(chat), "loud": len(loud)}
    return out


def recorded() -> dict[str, Any]:
    return json.loads(RECORD.read_text(encoding="utf-8"))


def worse(now: dict[str, Any], then: dict[str, Any]) -> list[str]:
    """Each figure that has more misses (or louder chatter) than recorded."""
    out = []
    for name, was in then.items():
        for key in ("intent_misses", "field_misses", "loud"):
            if key in was and now[name][key] > was[key]:
                out.append(f"{name}: {key} {now[name][key]} > recorded {was[key]}")
    return out


def main(argv: list[str]) -> int:
    now = measure()
    if "--record" in argv:
        RECORD.write_text(json.dumps(now, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        print(f"recorded in {RECORD.relative_to(ROOT)}")
    then = recorded()
    for name, figs in now.items():
        print(f"{name:20} {figs}  (recorded {then.get(name)})")
    bad = worse(now, then)
    print("\n".join(bad) if bad else "no figure below the record")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
