"""The YAML configuration, read into frozen dataclasses with defaults for every key."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from datetime import time
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import yaml

from parsers.fields.phone import as_digits


class ConfigError(ValueError):
    """The config file cannot be used; the message says which key and why."""


@dataclass(frozen=True)
class GroupConfig:
    name: str
    digest_time: time | None = None
    cadre_group: bool = False


@dataclass(frozen=True)
class Config:
    timezone: str = "Asia/Shanghai"
    bot_name: str = "小桥"
    cadres: tuple[str, ...] = ()
    default_group: str = "共享员工群"
    digest_time: time = time(8, 30)
    digest_grace_minutes: int = 120  # a digest missed while down goes out on restart within this
    announce_minutes: int = 10  # at most one #公告 this often
    skip_holidays: bool = False  # no daily digest on statutory public holidays
    quiet_refusals: bool = False  # a refused command in a group gets no answer (still logged)
    weekly_time: time = time(8, 0)  # the Monday report to the cadre group
    report_font: str | None = None  # a font file with Chinese glyphs for charts
    places: tuple[str, ...] = ()
    jobs: tuple[str, ...] = ()
    groups: tuple[GroupConfig, ...] = ()
    deadlines_hours: dict[str, float] = field(
        default_factory=lambda: {"small": 1.0, "urgent": 0.0, "hard": 72.0})
    departments: dict[str, str] = field(default_factory=dict)  # category -> department
    department_cadres: dict[str, tuple[str, ...]] = field(default_factory=dict)  # dept -> ids
    echo_in_group: bool = False
    repost_days: int = 7  # a similar post by the same sender within this many days refreshes
    repost_similarity: float = 80.0  # rapidfuzz ratio (0-100) above which posts are "the same"
    expire_days: int = 14  # an open posting with no activity this long expires
    notify_every_minutes: int = 30  # posters hear of new claims in batches this often
    db_url: str = "sqlite:///daqiao.db"
    exports_dir: str = "exports"  # where #导出 writes ledgers
    # privacy.public_numbers, as digits: numbers the union publishes on purpose (hotlines),
    # which pass the privacy screen unmasked.
    public_numbers: frozenset[str] = frozenset()
    calendar_hours: tuple[time, time] | None = None  # requests.calendar.hours; None: plain clock
    calendar_holidays: bool = True
    # The WeChat gateway (config section `wechaty`): pacing and what counts as stale.
    pace_seconds: float = 2.0  # at least this long between two messages to one group
    pace_jitter: float = 1.0  # plus a random 0..jitter seconds
    pace_per_minute: int = 20  # at most this many messages a minute in all
    backoff_minutes: float = 10.0  # silence after the gateway says "sending too often"
    stale_minutes: float = 5.0  # a message older than the run's start by more is not answered
    path: str | None = None

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def group(self, name: str) -> GroupConfig | None:
        return next((g for g in self.groups if g.name == name), None)

    def digest_time_for(self, name: str) -> time:
        g = self.group(name)
        return g.digest_time if g and g.digest_time else self.digest_time


def _hhmm(value: Any, key: str) -> time:
    m = re.fullmatch(r"(\d{1,2}):(\d{2})", str(value).strip())
    if not m or int(m.group(1)) > 23 or int(m.group(2)) > 59:
        raise ConfigError(f"{key}: expected HH:MM, got {value!r}")
    return time(int(m.group(1)), int(m.group(2)))


def _hours(value: Any) -> tuple[time, time] | None:
    if value is None:
        return None
    parts = str(value).replace("～", "-").replace("~", "-").split("-")
    if len(parts) != 2:
        raise ConfigError(f"requests.calendar.hours: expected HH:MM-HH:MM, got {value!r}")
    a, b = (_hhmm(x, "requests.calendar.hours") for x in parts)
    if a >= b:
        raise ConfigError("requests.calendar.hours: the day must end after it starts")
    return a, b


def _minutes(value: Any) -> int:
    n = int(value)
    if n <= 0 or 60 % n:
        raise ConfigError("postings.notify_every_minutes: must divide 60 (5, 10, 15, 20, 30, 60)")
    return n


def _strs(value: Any, key: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list):
        raise ConfigError(f"{key}: expected a list")
    return tuple(str(v) for v in value)


def load_config(path: str | os.PathLike[str] | None = None, *, db: str | None = None) -> Config:
    """Read the config file (missing file: all defaults), then apply `db` over it."""
    raw: dict[str, Any] = {}
    p = Path(path) if path else None
    if p is not None:
        if not p.exists():
            raise ConfigError(f"config file not found: {p}")
        try:
            raw = yaml.safe_load(p.read_text(encoding="utf-8")) or {}
        except yaml.YAMLError as e:
            raise ConfigError(f"{p}: not valid YAML: {e}") from e
        if not isinstance(raw, dict):
            raise ConfigError(f"{p}: the top level must be a mapping")
    bot = raw.get("bot") or {}
    digest = raw.get("digest") or {}
    requests = raw.get("requests") or {}
    postings = raw.get("postings") or {}
    wx = raw.get("wechaty") or {}
    tzname = str(raw.get("timezone", "Asia/Shanghai"))
    try:
        ZoneInfo(tzname)
    except Exception as e:  # noqa: BLE001 - any failure means the name is unusable
        raise ConfigError(f"timezone: unknown time zone {tzname!r}") from e
    groups = []
    for g in raw.get("groups") or []:
        if isinstance(g, str):
            groups.append(GroupConfig(name=g))
        elif isinstance(g, dict) and g.get("name"):
            groups.append(GroupConfig(
                name=str(g["name"]),
                digest_time=_hhmm(g["digest_time"], "groups.digest_time") if g.get("digest_time") else None,
                cadre_group=bool(g.get("cadre_group", False)),
            ))
        else:
            raise ConfigError("groups: each entry needs a name")
    deadlines = {"small": 1.0, "urgent": 0.0, "hard": 72.0}
    for k, v in (requests.get("deadline_hours") or {}).items():
        if k not in deadlines:
            raise ConfigError(f"requests.deadline_hours: unknown urgency {k!r}")
        deadlines[k] = float(v)
    return Config(
        timezone=tzname,
        bot_name=str(bot.get("name", "小桥")),
        cadres=_strs(raw.get("cadres"), "cadres"),
        default_group=str(raw.get("default_group", "共享员工群")),
        digest_time=_hhmm(digest.get("time", "08:30"), "digest.time"),
        digest_grace_minutes=int(digest.get("grace_minutes", 120)),
        announce_minutes=int(raw.get("announce_minutes", 10)),
        skip_holidays=bool(digest.get("skip_holidays", False)),
        quiet_refusals=bool((raw.get("permissions") or {}).get("quiet_refusals", False)),
        weekly_time=_hhmm((raw.get("report") or {}).get("weekly_time", "08:00"), "report.weekly_time"),
        report_font=(raw.get("report") or {}).get("font"),
        places=_strs(raw.get("places"), "places"),
        jobs=_strs(raw.get("jobs"), "jobs"),
        groups=tuple(groups),
        deadlines_hours=deadlines,
        departments={str(k): str(v) for k, v in (requests.get("departments") or {}).items()},
        department_cadres={str(k): _strs(v, f"requests.department_cadres.{k}")
                           for k, v in (requests.get("department_cadres") or {}).items()},
        echo_in_group=bool(requests.get("echo_in_group", False)),
        repost_days=int(postings.get("repost_days", 7)),
        repost_similarity=float(postings.get("repost_similarity", 80)),
        expire_days=int(postings.get("expire_days", 14)),
        notify_every_minutes=_minutes(postings.get("notify_every_minutes", 30)),
        db_url=db or os.environ.get("DAQIAO_DB") or str(raw.get("db", "sqlite:///daqiao.db")),
        exports_dir=str(raw.get("exports_dir", "exports")),
        public_numbers=_public_numbers((raw.get("privacy") or {}).get("public_numbers")),
        calendar_hours=_hours((requests.get("calendar") or {}).get("hours")),
        calendar_holidays=bool((requests.get("calendar") or {}).get("holidays", True)),
        pace_seconds=_nonneg(wx.get("pace_seconds", 2.0), "wechaty.pace_seconds"),
        pace_jitter=_nonneg(wx.get("pace_jitter", 1.0), "wechaty.pace_jitter"),
        pace_per_minute=int(_nonneg(wx.get("pace_per_minute", 20), "wechaty.pace_per_minute")),
        backoff_minutes=_nonneg(wx.get("backoff_minutes", 10), "wechaty.backoff_minutes"),
        stale_minutes=_nonneg(wx.get("stale_minutes", 5), "wechaty.stale_minutes"),
        path=str(p) if p else None,
    )


def _public_numbers(value: Any) -> frozenset[str]:
    out = set()
    for v in _strs(value, "privacy.public_numbers"):
        digits = re.sub(r"\D", "", as_digits(v))
        if len(digits) < 3:
            raise ConfigError(f"privacy.public_numbers: {v!r} is not a phone number")
        out.add(digits)
    return frozenset(out)


def _nonneg(v: Any, key: str) -> float:
    try:
        x = float(v)
    except (TypeError, ValueError) as e:
        raise ConfigError(f"{key}: expected a number, got {v!r}") from e
    if x < 0:
        raise ConfigError(f"{key}: must not be negative")
    return x
