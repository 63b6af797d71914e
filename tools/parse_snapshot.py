"""Parse every labelled, devset, real and chit-chat line and write the results, one JSON a line.

A refactor of the parser must leave this output byte-identical; a fix shows as a reviewed diff:

    python -m tools.parse_snapshot OUT.jsonl                # then: cmp BEFORE.jsonl OUT.jsonl
    python -m tools.parse_snapshot OUT.jsonl --inputs IN.jsonl --save-inputs IN.jsonl

Each line is parsed twice, by the rules alone and with the intent model. Which rule decided
(`intent_by` "rule:NAME") is written as "rules": a rule may be renamed or split, the parse may
not change. `--save-inputs` keeps the gathered lines so a later run reads exactly the same ones
even after the case files are refiled.
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import datetime
from pathlib import Path

from parsers import Parser
from tests.parsers.cases import DEFAULT_TIME, load_all_cases, load_chitchat

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"


def gather() -> list[dict[str, str]]:
    """Every line the project holds labelled or as chatter, with the time it is parsed at."""
    items = [{"text": c.text, "time": c.time.isoformat()} for c in load_all_cases()]
    items += [{"text": t, "time": DEFAULT_TIME.isoformat()} for t in load_chitchat()]
    for path in (SHARED / "spec" / "devset.jsonl", SHARED / "data" / "real" / "real_intents.jsonl"):
        if path.exists():
            for raw in path.read_text(encoding="utf-8").splitlines():
                if raw.strip():
                    row = json.loads(raw)
                    items.append({"text": row["text"],
                                  "time": row.get("time") or DEFAULT_TIME.isoformat()})
    return items


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out")
    ap.add_argument("--inputs", help="read the lines from this JSONL instead of gathering them")
    ap.add_argument("--save-inputs", help="write the gathered lines here")
    args = ap.parse_args(argv)
    if args.inputs:
        items = [json.loads(x) for x in Path(args.inputs).read_text(encoding="utf-8").splitlines()]
    else:
        items = gather()
    if args.save_inputs:
        Path(args.save_inputs).write_text(
            "".join(json.dumps(i, ensure_ascii=False) + "\n" for i in items), encoding="utf-8")
    parsers = {"rules": Parser.load(model=False), "model": Parser.load()}
    with open(args.out, "w", encoding="utf-8") as out:
        for n, item in enumerate(items):
            now = datetime.fromisoformat(item["time"])
            for which, parser in parsers.items():
                got = parser.parse(item["text"], now=now).to_json()
                if got["intent_by"].startswith("rule"):
                    got["intent_by"] = "rules"
                out.write(json.dumps({"n": n, "by": which, **got}, ensure_ascii=False) + "\n")
    print(f"{len(items)} lines parsed twice into {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
