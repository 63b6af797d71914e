"""Word classes as data: `parsers/data/vocab/NAME.txt`, one entry a line, read once.

A vocabulary file holds the words the rules read, so adding a word is a one-line change
with its example beside it::

    # comment lines start with a hash
    [section]                  # optional: several classes in one file
    退出                       # a literal word (escaped when built into a pattern)
    re: 被[^，,。]{0,4}打       # a pattern fragment, where a list of words will not do
    算了  # 例：那就算了吧     # after two spaces and a hash: the example, for the reader

Entries keep their file order: where a pattern's match span matters, the earlier entry is
tried first, as in a hand-written alternation.
"""

from __future__ import annotations

import re
from functools import cache
from importlib import resources

_COMMENT = re.compile(r"\s{2,}#.*$|\t#.*$")


@cache
def _read(name: str) -> dict[str, tuple[str, ...]]:
    text = resources.files("parsers").joinpath("data", "vocab", f"{name}.txt").read_text(
        encoding="utf-8")
    out: dict[str, list[str]] = {"": []}
    section = ""
    for n, raw in enumerate(text.splitlines(), 1):
        line = _COMMENT.sub("", raw).strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("[") and line.endswith("]"):
            section = line[1:-1].strip()
            out.setdefault(section, [])
            continue
        if line.startswith("re:"):
            frag = line[3:].strip()
            try:
                re.compile(frag)
            except re.error as e:
                raise ValueError(f"vocab/{name}.txt line {n}: bad pattern {frag!r}: {e}") from e
            out[section].append(frag)
        else:
            out[section].append(re.escape(line))
    return {k: tuple(v) for k, v in out.items()}


def entries(name: str, section: str = "") -> tuple[str, ...]:
    """The pattern fragments of a class, in file order (words escaped, `re:` lines as written)."""
    got = _read(name)
    if section not in got:
        raise KeyError(f"vocab/{name}.txt has no section [{section}]")
    return got[section]


def alt(name: str, section: str = "") -> str:
    """The class as one alternation (no group around it: the caller's pattern places it)."""
    return "|".join(entries(name, section))


def sections(name: str) -> list[str]:
    """The named sections of a file, in order."""
    return [s for s in _read(name) if s]
