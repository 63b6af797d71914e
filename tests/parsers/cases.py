"""Reads the labelled case files in tests/data (format described at the top of each).

The labelled cases live in tests/data/cases, one file per phenomenon (an intent, a request
category, or a rule such as normalisation); tests/data/cases/batches.md says where each
`@batch=` tag comes from.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

DATA = Path(__file__).resolve().parent.parent / "data"
CASES = DATA / "cases"
DEFAULT_TIME = datetime.fromisoformat("2025-03-03T09:00:00+08:00")
# A tag after the text, before the arrow: ` @time=ISO`, ` @batch=SLUG[,SLUG...]`, in any order.
_TAG = re.compile(r"\s@(time|batch)=(\S+)$")


@dataclass(frozen=True)
class Case:
    text: str
    time: datetime
    intent: str
    fields: dict[str, Any]
    section: str  # the `## ` header above the case; its first part (before ":") the phenomenon
    line: int  # in its file
    file: str = ""  # the file's name
    batch: str = ""  # the `@batch=` tag as written: "blind-93", or "seed,blind-57" for a repeat

    @property
    def batches(self) -> tuple[str, ...]:
        """Every batch that wrote this case, first first."""
        return tuple(self.batch.split(",")) if self.batch else ()

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.text}"


def _value(key: str, raw: str) -> Any:
    if raw == "null":
        return None
    if key in ("headcount", "ref"):
        return int(raw)
    if key in ("start_date", "end_date"):
        return date.fromisoformat(raw)
    if key == "pay":
        if raw.startswith("null/"):  # 计件 with no figure: null/piece
            return {"min": None, "max": None, "unit": raw[5:]}
        m = re.fullmatch(r"([\d.]+)(?:-([\d.]+)|(\+))?/(\w+)", raw)
        assert m, raw
        lo = float(m.group(1))
        hi = None if m.group(3) else float(m.group(2) or lo)
        return {"min": lo, "max": hi, "unit": m.group(4)}
    if key == "age":  # 18-45, null-50 (50岁以下), 18-null (18岁以上), 45 (我45岁: 45-45)
        m = re.fullmatch(r"(\d+|null)(?:-(\d+|null))?", raw)
        assert m, raw
        lo = None if m.group(1) == "null" else int(m.group(1))
        hi = lo if m.group(2) is None else None if m.group(2) == "null" else int(m.group(2))
        return {"min": lo, "max": hi}
    return raw


def _read(path: Path) -> list[Case]:
    out, section = [], path.stem
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if line.startswith("## "):
            section = line[3:].strip()
            continue
        # A comment is "# ..." (hash and space); "#报名 12 ⟶ ..." is a command case.
        if not line.strip() or line.startswith("# ") or "⟶" not in line:
            continue
        left, right = (s.strip() for s in line.split("⟶", 1))
        tags = {}
        while m := _TAG.search(left):
            tags[m.group(1)] = m.group(2)
            left = left[:m.start()]
        when = datetime.fromisoformat(tags["time"]) if "time" in tags else DEFAULT_TIME
        text = re.sub(r"\\u([0-9a-fA-F]{4})", lambda u: chr(int(u.group(1), 16)),
                      left.replace("\\n", "\n"))
        intent, *pairs = right.split()
        fields = {k: _value(k, v) for k, v in (p.split("=", 1) for p in pairs)}
        out.append(Case(text, when, intent, fields, section, n, path.name, tags.get("batch", "")))
    return out


def load_cases(name: str | Path | None = None) -> list[Case]:
    """Cases of every file of tests/data/cases, by file name (no argument); of one file there
    (by name, ".txt" optional); or of a file, or every *.txt of a folder, anywhere (by path)."""
    if name is None:
        path = CASES
    elif isinstance(name, Path):
        path = name
    else:
        path = CASES / (name if name.endswith(".txt") else name + ".txt")
    if path.is_dir():
        return [c for p in sorted(path.glob("*.txt")) for c in _read(p)]
    return _read(path)


def load_chitchat(name: str | Path = "chitchat.txt") -> list[str]:
    """Chit-chat lines of a file in tests/data (by name) or anywhere (by path)."""
    path = name if isinstance(name, Path) else DATA / name
    lines = path.read_text(encoding="utf-8").splitlines()
    return [x for x in lines if x.strip() and not x.startswith("#")]


def load_all_cases() -> list[Case]:
    """Every labelled case the project holds."""
    return load_cases()
