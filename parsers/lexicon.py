"""The domain lexicon: job types, places and organisation words, loaded once.

Nothing is loaded at import time: `Lexicon.load()` reads the data files and builds a
private jieba tokenizer (its dictionary cache lives in the user cache dir, so a
second start does not rebuild it).
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

log = logging.getLogger(__name__)

# Words that end like a job (…工, …员) but are not one.
NOT_JOBS = frozenset(
    "员工 人员 成员 会员 动员 职员 工人们 打工 开工 上工 做工 务工 用工 招工 加工 施工 职工 停工"
    " 复工 完工 "
    "收工 分工 工会 工作 工资 工钱 工价 工期 工地 工厂 工种 工具 工服 工时 员们 社员 党员 委员 "
    "官员 "
    "店员们 手工 人工 义工 童工 罢工 旷工 怠工 监工 包工 零工们 散工们 技工学校 女员工 男员工 "
    "老员工 新员工 正式工 合同工 派遣工 返工 误工 窝工 帮忙 找工 裁员 减员 缺员 满员 超员 全员 "
    "定员".split()
)


# Characters that cannot be part of a place name (function words, verbs, measure words).
PLACE_STOP = (
    "的在住是到去我们你他她这那个条段有和跟从把被给让对往向边要需招缺找请帮都也还就能会可以了吗"
    "呢吧啊着过很太不没人活元块做干送停难坏修等每在于近旁离候"
)


def place_pattern(places: Iterable[str], suffixes: Iterable[str]) -> re.Pattern[str]:
    """A run of place pieces: known places, or a short name ending in a place suffix."""
    known = "|".join(map(re.escape, sorted(places, key=len, reverse=True)))
    name = f"[^\\W\\d{PLACE_STOP}a-zA-Z]"
    suf = "|".join(map(re.escape, sorted(suffixes, key=len, reverse=True)))
    piece = f"(?:{known}|{name}{{1,6}}?(?:{suf}))" if known else f"(?:{name}{{1,6}}?(?:{suf}))"
    tail = (f"(?:{known}|{suf}|{name}{{1,4}}?(?:{suf}))" if known
            else f"(?:{suf}|{name}{{1,4}}?(?:{suf}))")
    return re.compile(f"{piece}{tail}*")


def _data(name: str) -> str:
    return resources.files("parsers").joinpath("data", name).read_text(encoding="utf-8")


@dataclass
class Lexicon:
    """Job words (with families), place words and suffixes, organisation suffixes."""

    jobs: dict[str, str] = field(default_factory=dict)  # word -> family
    places: set[str] = field(default_factory=set)
    cities: set[str] = field(default_factory=set)  # dropped before a more specific place
    place_suffixes: list[str] = field(default_factory=list)
    tokenizer: object | None = None
    job_rx: re.Pattern[str] | None = None
    known_place_rx: re.Pattern[str] | None = None
    place_rx: re.Pattern[str] | None = None  # any place run (known places and suffixes)

    @classmethod
    def load(cls, extra_places: Iterable[str] = (), extra_jobs: Iterable[str] = (),
             tokenizer: bool = True) -> Lexicon:
        """Read the data files, add a deployment's own places and jobs, build the tokenizer."""
        lex = cls()
        family = ""
        for line in _data("jobs.txt").splitlines():
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            if line.startswith("family:"):
                family = line.split(":", 1)[1].strip()
                continue
            for w in line.split():
                lex.jobs.setdefault(w, family)
        for w in extra_jobs:
            lex.jobs.setdefault(w, "其他")
        for line in _data("places.txt").splitlines():
            if line.startswith("suffix:"):
                lex.place_suffixes = line.split(":", 1)[1].split()
            elif line.startswith("place:"):
                lex.places.update(line.split(":", 1)[1].split())
            elif line.startswith("city:"):
                lex.cities.update(line.split(":", 1)[1].split())
        lex.places.update(p for p in extra_places if p)
        by_len = sorted(lex.jobs, key=len, reverse=True)
        lex.job_rx = re.compile("|".join(map(re.escape, by_len)))
        lex.known_place_rx = re.compile(
            "|".join(map(re.escape, sorted(lex.places, key=len, reverse=True))))
        lex.place_rx = place_pattern(lex.places, lex.place_suffixes)
        if tokenizer:
            lex.tokenizer = _make_tokenizer(list(lex.jobs) + sorted(lex.places))
        return lex

    def family(self, job: str | None) -> str | None:
        if not job:
            return None
        if job in self.jobs:
            return self.jobs[job]
        m = self.job_rx.search(job) if self.job_rx else None
        return self.jobs.get(m.group(0)) if m else None


def _make_tokenizer(words: list[str]) -> object:
    import jieba  # noqa: PLC0415 - loaded explicitly, never at import time

    jieba.setLogLevel(logging.WARNING)
    tok = jieba.Tokenizer()
    cache_dir = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "daqiao"
    try:
        cache_dir.mkdir(parents=True, exist_ok=True)
        tok.tmp_dir = str(cache_dir)
    except OSError:
        log.warning("cannot create %s; jieba will cache in the temp dir", cache_dir)
    tok.initialize()
    for w in words:
        tok.add_word(w, freq=50000)
    return tok
