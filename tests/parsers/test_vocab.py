"""The vocabulary files and the named fragments the intent patterns are written with."""

from __future__ import annotations

import re
from importlib import resources

import pytest

from parsers import vocab
from parsers.fragments import FRAGMENTS, either, expand, rx

FILES = sorted(p.name[:-4] for p in resources.files("parsers").joinpath("data", "vocab").iterdir()
               if p.name.endswith(".txt"))


def test_there_are_word_classes() -> None:
    assert {"particles", "kin", "withdraw", "hiring_verbs", "request_categories"} <= set(FILES)


@pytest.mark.parametrize("name", FILES)
def test_every_vocabulary_file_loads_without_repeats(name: str) -> None:
    for section in ["", *vocab.sections(name)]:
        got = vocab.entries(name, section)
        repeats = sorted({e for e in got if got.count(e) > 1})
        assert not repeats, f"{name} [{section}] lists {repeats} twice"
        for e in got:
            re.compile(expand(e))  # each entry is a pattern on its own


def test_a_word_is_escaped_a_pattern_kept_and_an_example_dropped(tmp_path, monkeypatch) -> None:
    folder = tmp_path / "parsers" / "data" / "vocab"
    folder.mkdir(parents=True)
    (folder / "probe.txt").write_text(
        "# a comment\n退出  # 例：我退出\nok.\n[more]\nre: 被<clause>{0,4}打\n", encoding="utf-8")
    monkeypatch.setattr(vocab.resources, "files", lambda _pkg: tmp_path / "parsers")
    vocab._read.cache_clear()
    try:
        assert vocab.entries("probe") == ("退出", r"ok\.")
        assert vocab.sections("probe") == ["more"]
        assert vocab.alt("probe", "more") == "被<clause>{0,4}打"
        assert rx(vocab.alt("probe", "more")).search("被人打了")
        with pytest.raises(KeyError):
            vocab.entries("probe", "nope")
        (folder / "bad.txt").write_text("re: (unclosed\n", encoding="utf-8")
        with pytest.raises(ValueError, match="bad.txt line 1"):
            vocab.entries("bad")
    finally:
        vocab._read.cache_clear()


def test_fragments_expand_and_leave_named_groups_alone() -> None:
    assert expand("<we><clause>{0,4}去<part>?<end>") == "我们?[^，,。]{0,4}去[吧啊呀哈]?[。!！~]*$"
    assert expand(r"(?P<n>\d+)<count>") == r"(?P<n>\d+)\d+\s*个人?"
    assert either("a", "b") == "a|b"
    assert set(FRAGMENTS) >= {"clause", "end", "we", "count", "part"}
    with pytest.raises(KeyError):
        expand("<nosuch>")
