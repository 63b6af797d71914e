"""The house rules the code must keep (shared/spec/architecture.md), checked on the source.

- Dependencies point one way: parsers <- storage <- scheduler <- bot.
- bot/app.py is the composition root: no scheduled-job body, no sentence the bot says.
- No handler touches the database session; only the outbox stores replies, so every reply
  passes the privacy screen.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LAYERS = ["parsers", "storage", "scheduler", "bot"]
CJK = re.compile(r"[\u4e00-\u9fff]")


def _modules(package: str) -> list[Path]:
    return sorted((ROOT / package).rglob("*.py"))


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    out: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out.update(a.name.split(".")[0] for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            out.add(node.module.split(".")[0])
    return out


@pytest.mark.parametrize("layer", LAYERS)
def test_dependencies_point_one_way(layer: str) -> None:
    above = set(LAYERS[LAYERS.index(layer) + 1:])
    wrong = {str(p.relative_to(ROOT)): sorted(_imports(p) & above) for p in _modules(layer)
             if _imports(p) & above}
    assert wrong == {}


def test_the_composition_root_holds_no_job_body_and_no_sentence() -> None:
    src = (ROOT / "bot" / "app.py").read_text(encoding="utf-8")
    assert not CJK.search(src)
    tree = ast.parse(src)
    names = {n.name for n in ast.walk(tree) if isinstance(n, ast.FunctionDef)}
    from bot.handlers import clock

    jobs = {n for n, v in vars(clock).items() if callable(v) and getattr(v, "__module__", "")
            == clock.__name__}
    assert names.isdisjoint(jobs) and not any(n.startswith("run_") for n in names)
    assert "replies" not in _imports_from(tree)


def _imports_from(tree: ast.AST) -> set[str]:
    return {a.name for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) for a in n.names}


def _attribute_uses(path: Path, attr: str) -> list[int]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [n.lineno for n in ast.walk(tree) if isinstance(n, ast.Attribute) and n.attr == attr]


def test_no_handler_touches_the_database_session() -> None:
    used = {str(p.relative_to(ROOT)): _attribute_uses(p, "s")
            for p in [*_modules("bot"), *_modules("scheduler")] if _attribute_uses(p, "s")}
    assert used == {}


def test_only_the_outbox_stores_replies() -> None:
    """Every reply reaches the outbox table through Outbox.put, and so the privacy screen."""
    callers = {str(p.relative_to(ROOT)) for p in [*_modules("bot"), *_modules("scheduler")]
               if _attribute_uses(p, "enqueue")}
    assert callers == {"bot/outbox.py"}
    src = (ROOT / "bot" / "outbox.py").read_text(encoding="utf-8")
    put = src[src.index("def put"):src.index("def flush")]
    assert "self.privacy.screen(" in put and put.count("self.repo.enqueue(") == 1


def test_no_reply_masks_by_itself() -> None:
    """Masking lives at the chokepoint, not in the sentences."""
    src = (ROOT / "bot" / "replies.py").read_text(encoding="utf-8")
    assert "mask" not in src.split('"""', 2)[2]
