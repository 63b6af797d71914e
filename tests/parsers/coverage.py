"""How each intent rule does on the labelled lines: Snorkel's report for labelling functions.

    python -m tests.parsers.coverage [--all]

For every rule (the table's, then the reply tier's): on how many labelled lines (cases and
chit-chat) it fires, on how many it
decides, how often its decision is the label, and which rules it overrules or is overruled
by with a different intent (conflicts). Rules that never fire, and never decide, are listed
last: each needs a labelled example or should go. The parser runs without the intent model:
this is the rules' own record. Prints; `report()` returns the figures for the suite's gate.
"""

from __future__ import annotations

import sys
from collections import Counter
from dataclasses import dataclass, field

from parsers import Parser
from parsers.intent_rules import REPLY, RULES
from parsers.parser import COMMAND_RULE
from parsers.rules import FALLBACK
from tests.parsers.cases import DEFAULT_TIME, load_all_cases, load_chitchat

# Names a decision may carry that are no rule record: the command word, read before the rules,
# and the fallback when no rule fires.
CONTEXT_RULES = {COMMAND_RULE: "command", FALLBACK: "other"}


@dataclass
class RuleFigures:
    says: str
    fires: int = 0
    decides: int = 0
    right: int = 0
    wrong: list[str] = field(default_factory=list)

    @property
    def accuracy(self) -> float:
        return self.right / self.decides if self.decides else 0.0


@dataclass
class Report:
    rules: dict[str, RuleFigures]
    conflicts: Counter[tuple[str, str]]  # (decider, overruled) with different intents
    lines: int

    @property
    def never_fire(self) -> list[str]:
        return [n for n, f in self.rules.items() if f.fires == 0 and n not in CONTEXT_RULES]

    @property
    def never_decide(self) -> list[str]:
        return [n for n, f in self.rules.items() if f.decides == 0 and n != FALLBACK]


def labelled() -> list[tuple[str, object, str]]:
    """(text, time, intent) of every labelled case and chit-chat line."""
    out = [(c.text, c.time, c.intent) for c in load_all_cases()]
    return out + [(t, DEFAULT_TIME, "other") for t in load_chitchat()]


def report(parser: Parser | None = None) -> Report:
    """The figures of every rule on the labelled lines (rules alone)."""
    parser = parser or Parser.load(model=False)
    says = {r.name: r.says for r in RULES + REPLY} | CONTEXT_RULES
    figures = {name: RuleFigures(intent) for name, intent in says.items()}
    conflicts: Counter[tuple[str, str]] = Counter()
    items = labelled()
    for text, when, label in items:
        e = parser.explain(text, now=when)  # type: ignore[arg-type]
        decider = e.rules.rule
        for name in (decider, *e.rules.overruled):
            figures[name].fires += 1
            if name != decider and says[name] != says[decider]:
                conflicts[(decider, name)] += 1
        figures[decider].decides += 1
        if e.rules.intent == label:
            figures[decider].right += 1
        else:
            figures[decider].wrong.append(text)
    return Report(figures, conflicts, len(items))


def main(argv: list[str]) -> int:
    rep = report()
    print(f"{rep.lines} labelled lines, {len(RULES)} rules in the table, {len(REPLY)} in the "
          "reply tier\n")
    print(f"{'rule':32} {'says':10} {'fires':>6} {'decides':>8} {'right':>6} {'acc':>6}")
    for name, f in rep.rules.items():
        print(f"{name:32} {f.says:10} {f.fires:6} {f.decides:8} {f.right:6} {f.accuracy:6.3f}")
        for text in f.wrong[:3 if "--all" not in argv else None]:
            print(f"    wrong: {text}")
    print("\nconflicts (decider overrules a rule saying another intent), most first:")
    for (a, b), n in rep.conflicts.most_common(None if "--all" in argv else 15):
        print(f"  {n:5}  {a} over {b}")
    print(f"\nnever fire: {', '.join(rep.never_fire) or 'none'}")
    print(f"never decide: {', '.join(rep.never_decide) or 'none'}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
