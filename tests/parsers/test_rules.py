"""Table tests of parse.md's rules on messages written for them (tests/data/cases/)."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from parsers import Parser
from parsers.models import Parsed
from tests.parsers import figures
from tests.parsers.cases import load_cases, load_chitchat

CASES = load_cases()
LENIENT = {"job", "task", "employer", "location"}


def _lenient(want: str | None, got: str | None) -> bool:
    if want is None or got is None:
        return want is got
    short, long_ = sorted((want, got), key=len)
    return short in long_ and len(short) * 2 >= len(long_)


def check(parsed: Parsed, key: str, want: object) -> bool:
    got = parsed.to_json()[key]
    if key in LENIENT:
        return _lenient(want, got)  # type: ignore[arg-type]
    if key == "pay":
        if want is None or got is None:
            return want is got
        return (got["unit"], float(got["min"]), None if got["max"] is None else float(got["max"])) == (
            want["unit"], want["min"], want["max"])  # type: ignore[index]
    if isinstance(want, date):
        return got == want.isoformat()
    return got == want


def _misses(parser: Parser, case) -> list[str]:  # type: ignore[no-untyped-def]
    parsed = parser.parse(case.text, now=case.time)
    if parsed.intent != case.intent:
        return [f"{case}: intent {parsed.intent} ({parsed.intent_by})"]
    wrong = {k: parsed.to_json()[k] for k, v in case.fields.items() if not check(parsed, k, v)}
    return [f"{case}: got {wrong}, want { {k: case.fields[k] for k in wrong} }"] if wrong else []


@pytest.mark.parametrize("case", CASES, ids=[f"{c.file}:{c.line}" for c in CASES])
def test_case(parser: Parser, case) -> None:  # type: ignore[no-untyped-def]
    """Every labelled case holds as the bot parses it: the rules, with the model's second
    opinion. A phrasing the model reads right needs no new rule; the rules' own record is
    kept by the gate below."""
    assert not _misses(parser, case)


def test_no_figure_falls_below_the_record(parser: Parser, rules_parser: Parser) -> None:
    """The gate: no more misses than recorded on the cases (with the model and by the rules
    alone), the shared devset and the real texts, and no more chit-chat made loud
    (tests/parsers/figures.py; a new record is a reviewed change)."""
    now = figures.measure(parser, rules_parser)
    assert not figures.worse(now, figures.recorded()), now


@pytest.mark.parametrize("which", ["rules_parser", "parser"])
def test_chit_chat_stays_quiet(which: str, request: pytest.FixtureRequest) -> None:
    """Issue 3's bar: at most 2% of chit-chat classed as anything but other."""
    parser: Parser = request.getfixturevalue(which)
    lines = load_chitchat()
    assert len(lines) >= 100
    loud = [(t, parser.parse(t, now=datetime(2025, 3, 3, 9)).intent) for t in lines]
    loud = [x for x in loud if x[1] != "other"]
    assert len(loud) <= 0.02 * len(lines), loud


def test_the_case_files_cover_every_section_of_the_rules() -> None:
    sections = {c.section.split(":")[0] for c in CASES}
    assert {"job_post", "labor_offer", "claim", "request", "query", "command"} <= sections
    keys = {k for c in CASES for k in c.fields}
    assert {"headcount", "job", "employer", "location", "pay", "settlement", "start_date",
            "end_date", "contact", "ref", "category", "urgency", "command"} <= keys
