"""Writing ledgers to .xlsx (openpyxl). What goes in them is scheduler/reports.py."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from openpyxl import Workbook
from openpyxl.styles import Font

from scheduler import reports
from storage import Repository

KINDS = {"requests": "诉求", "postings": "岗位", "allocations": "调配", "wishes": "心愿", "opinions": "意见"}
KINDS["rewards"] = "奖励"  # hazard photos (issue 28)
WORDS = {v: k for k, v in KINDS.items()}


def sheets(kind: str, repo: Repository, tz: ZoneInfo, now: datetime) -> list[reports.Sheet]:
    if kind == "requests":
        return reports.request_sheets(repo, tz, now)
    if kind == "postings":
        return reports.posting_sheets(repo, tz)
    if kind == "allocations":
        return reports.allocation_sheets(repo, tz)
    if kind == "opinions":
        return reports.opinion_sheets(repo, tz)
    if kind == "wishes":  # the wish wall's needs and supply lists (issue 28)
        return reports.wish_sheets(repo, tz, now)
    if kind == "rewards":  # hazard photos' monthly reward ledger (issue 28)
        return reports.reward_sheets(repo, tz)
    raise ValueError(f"unknown ledger {kind!r}; choose one of {', '.join(KINDS)}")


def write_xlsx(kind: str, repo: Repository, tz: ZoneInfo, now: datetime, path: Path) -> int:
    """Write the ledger of `kind` to `path`; returns the number of rows in its first sheet."""
    wb = Workbook()
    wb.remove(wb.active)
    parts = sheets(kind, repo, tz, now)
    for sh in parts:
        ws = wb.create_sheet(sh.title)
        ws.append(list(sh.header))
        for cell in ws[1]:
            cell.font = Font(bold=True)
        for row in sh.rows:
            ws.append(list(row))
        for i, title in enumerate(sh.header, 1):
            ws.column_dimensions[ws.cell(1, i).column_letter].width = max(10, len(title) * 2 + 4)
        ws.freeze_panes = "A2"
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp.xlsx")
    wb.save(tmp)
    tmp.replace(path)  # a reader never sees a half-written file
    return len(parts[0].rows)
