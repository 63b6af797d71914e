"""Reads the labelled case files in tests/data (format described at the top of each)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

DATA = Path(__file__).resolve().parent.parent / "data"
DEFAULT_TIME = datetime.fromisoformat("2025-03-03T09:00:00+08:00")


@dataclass(frozen=True)
class Case:
    text: str
    time: datetime
    intent: str
    fields: dict[str, Any]
    section: str
    line: int

    def __str__(self) -> str:
        return f"{self.section} L{self.line}: {self.text}"


def _value(key: str, raw: str) -> Any:
    if raw == "null":
        return None
    if key in ("headcount", "ref"):
        return int(raw)
    if key in ("start_date", "end_date"):
        return date.fromisoformat(raw)
    if key == "pay":
        m = re.fullmatch(r"([\d.]+)(?:-([\d.]+)|(\+))?/(\w+)", raw)
        assert m, raw
        lo = float(m.group(1))
        hi = None if m.group(3) else float(m.group(2) or lo)
        return {"min": lo, "max": hi, "unit": m.group(4)}
    return raw


def load_cases(name: str | Path = "parse_cases.txt") -> list[Case]:
    """Cases of a file in tests/data (by name) or anywhere (by path)."""
    out, section = [], ""
    path = name if isinstance(name, Path) else DATA / name
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if line.startswith("## "):
            section = line[3:].strip()
            continue
        # A comment is "# ..." (hash and space); "#报名 12 ⟶ ..." is a command case.
        if not line.strip() or line.startswith("# ") or "⟶" not in line:
            continue
        left, right = (s.strip() for s in line.split("⟶", 1))
        when = DEFAULT_TIME
        m = re.search(r"\s@time=(\S+)$", left)
        if m:
            when = datetime.fromisoformat(m.group(1))
            left = left[:m.start()]
        text = re.sub(r"\\u([0-9a-fA-F]{4})", lambda u: chr(int(u.group(1), 16)),
                      left.replace("\\n", "\n"))
        intent, *pairs = right.split()
        fields = {k: _value(k, v) for k, v in (p.split("=", 1) for p in pairs)}
        out.append(Case(text, when, intent, fields, section, n))
    return out


def load_chitchat(name: str | Path = "chitchat.txt") -> list[str]:
    """Chit-chat lines of a file in tests/data (by name) or anywhere (by path)."""
    path = name if isinstance(name, Path) else DATA / name
    lines = path.read_text(encoding="utf-8").splitlines()
    return [x for x in lines if x.strip() and not x.startswith("#")]


def load_all_cases() -> list[Case]:
    """Every labelled case the project holds."""
    return load_cases()
