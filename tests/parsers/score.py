"""Score the parser on a case file, the way a blind batch is measured before its fixes.

    python -m tests.parsers.score [--rules-only] FILE [FILE ...]

Prints intent accuracy, field accuracy (parse.md's matching: lenient for job, task, employer
and location) and every miss. A field is scored only where the intent is right, as
eval_parse.py does for the labelled sets. Prints; asserts nothing.
"""

from __future__ import annotations

import sys
from pathlib import Path

from parsers import Parser
from tests.parsers.cases import load_cases
from tests.parsers.test_rules import check


def main(paths: list[str]) -> int:
    rules_only = "--rules-only" in paths
    paths = [p for p in paths if p != "--rules-only"]
    parser = Parser.load(model=not rules_only)
    intents = fields = intents_ok = fields_ok = 0
    for path in paths:
        for case in load_cases(Path(path)):
            parsed = parser.parse(case.text, now=case.time)
            intents += 1
            if parsed.intent != case.intent:
                print(f"INTENT {case.line}: {case.text!r}: got {parsed.intent} "
                      f"({parsed.intent_by}), want {case.intent}")
                continue
            intents_ok += 1
            for key, want in case.fields.items():
                fields += 1
                if check(parsed, key, want):
                    fields_ok += 1
                else:
                    print(f"FIELD  {case.line}: {case.text!r}: {key} got "
                          f"{parsed.to_json()[key]!r}, want {want!r}")
    print(f"intent {intents_ok}/{intents} = {intents_ok / max(intents, 1):.3f}; "
          f"fields {fields_ok}/{fields} = {fields_ok / max(fields, 1):.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
