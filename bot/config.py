"""The YAML configuration, read into frozen dataclasses with defaults for every key."""

from __future__ import annotations

import logging
import os
import re
from dataclasses import dataclass, field
from datetime import time
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import yaml

from parsers.fields.phone import as_digits

log = logging.getLogger(__name__)


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
    # Routine request reminders never go out in these hours (they wrap midnight), nor on a
    # day off; a 急事 is never held (requests.quiet_hours).
    quiet_hours: tuple[time, time] = (time(21, 0), time(8, 0))
    # A 急事 is due the same calendar day; filed at or after `urgent_evening`, by
    # `urgent_next_morning` the next day (requests.urgent_evening / urgent_next_morning).
    urgent_evening: time = time(20, 0)
    urgent_next_morning: time = time(9, 0)
    # The WeChat gateway (config section `wechaty`): pacing and what counts as stale.
    pace_seconds: float = 2.0  # at least this long between two messages to one group
    pace_jitter: float = 1.0  # plus a random 0..jitter seconds
    pace_per_minute: int = 20  # at most this many messages a minute in all
    backoff_minutes: float = 10.0  # silence after the gateway says "sending too often"
    stale_minutes: float = 5.0  # a message older than the run's start by more is not answered
    # Issue 29: TLS to the gateway (wechaty.tls, .tls_ca_cert, .tls_server_name); the command
    # line and the WECHATY_PUPPET_SERVICE_* variables come first. tls None: decided by the
    # transport (bot/transports/wechaty_tls.py).
    wechaty_tls: bool | None = None
    wechaty_tls_ca_cert: str | None = None  # PEM text or a PEM file's path
    wechaty_tls_server_name: str | None = None
    # retention.raw_days: archived messages older than this lose their raw payload and parse,
    # and their text unless a posting, claim or request stands on it (0: kept forever).
    retention_raw_days: int = 365
    # console.senders: a name typed in the console -> the sender id it stands for (a name not
    # listed is its own id), so `郑主席: #统计` can act as a cadre listed by id.
    console_senders: dict[str, str] = field(default_factory=dict)
    # Hazard photos (随手拍, issue 28): where transports store photos and files (media.dir),
    # the largest file kept (media.max_bytes), how far apart a photo and its text may come
    # (media.window_minutes), and the bounds of a #奖励 in yuan (rewards.min / rewards.max).
    media_dir: str = "data/media"
    media_max_bytes: int = 5_000_000
    media_window_minutes: float = 5.0
    reward_min: int = 2
    reward_max: int = 100
    # wecom: the WeCom intelligent-bot gateway's options as written (ws_url, heartbeat, chats,
    # names, mention_only, ...), checked by bot.transports.wecom.WecomOptions; never secrets.
    wecom: dict[str, Any] = field(default_factory=dict)
    path: str | None = None

    @property
    def role_ids(self) -> frozenset[str]:
        """Every id the config gives a role: cadres and department cadres."""
        return frozenset(self.cadres).union(*self.department_cadres.values())

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


def _quiet(value: Any) -> tuple[time, time]:
    parts = str(value).replace("～", "-").replace("~", "-").split("-")
    if len(parts) != 2:
        raise ConfigError(f"requests.quiet_hours: expected HH:MM-HH:MM, got {value!r}")
    a, b = (_hhmm(x, "requests.quiet_hours") for x in parts)
    if a == b:
        raise ConfigError("requests.quiet_hours: the quiet hours must not be empty")
    return a, b


def _minutes(value: Any) -> int:
    n = int(_number(value, "postings.notify_every_minutes"))
    if n <= 0 or 60 % n:
        raise ConfigError("postings.notify_every_minutes: must divide 60 (5, 10, 15, 20, 30, 60)")
    return n


def _strs(value: Any, key: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list):
        raise ConfigError(f"{key}: expected a list")
    return tuple(str(v) for v in value)


# A stable sender id: WeChat wxids, custom WeChat ids, Wechaty contact ids and WeCom userids
# are all ASCII without spaces. Anything else (郑主席) is a display name, which any member can
# take, so it must not name a cadre.
_ID = re.compile(r"[!-~]+")
_FIND_ID = ("to find someone's id, have them send #统计 to the bot and read "
            "'refused #统计 for ID' in the log")


def _ids(value: Any, key: str) -> tuple[str, ...]:
    out = _strs(value, key)
    for v in out:
        if not _ID.fullmatch(v):
            raise ConfigError(f"{key}: {v!r} is a display name, not a sender id; list people by "
                              f"their stable id (ASCII without spaces, such as wxid_...): "
                              f"{_FIND_ID}")
    return out


def _senders(value: Any) -> dict[str, str]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise ConfigError(f"console.senders: expected a mapping of name: id, got {value!r}")
    return {str(name): _ids([sid], f"console.senders.{name}")[0] for name, sid in value.items()}


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
    for name in unknown_keys(raw):
        log.warning("config: unknown key %s is ignored (a typo, or a key of another version?)",
                    name)
    bot = _section(raw, "bot", "bot")
    digest = _section(raw, "digest", "digest")
    requests = _section(raw, "requests", "requests")
    postings = _section(raw, "postings", "postings")
    wx = _section(raw, "wechaty", "wechaty")
    report = _section(raw, "report", "report")
    retention = _section(raw, "retention", "retention")
    calendar = _section(requests, "calendar", "requests.calendar")
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
                cadre_group=_bool(g.get("cadre_group", False), "groups.cadre_group"),
            ))
        else:
            raise ConfigError("groups: each entry needs a name")
    deadlines = {"small": 1.0, "urgent": 0.0, "hard": 72.0}
    for k, v in _section(requests, "deadline_hours", "requests.deadline_hours").items():
        if k not in deadlines:
            raise ConfigError(f"requests.deadline_hours: unknown urgency {k!r}")
        deadlines[k] = _number(v, f"requests.deadline_hours.{k}")
    return Config(
        timezone=tzname,
        bot_name=str(bot.get("name", "小桥")),
        cadres=_ids(raw.get("cadres"), "cadres"),
        default_group=str(raw.get("default_group", "共享员工群")),
        digest_time=_hhmm(digest.get("time", "08:30"), "digest.time"),
        digest_grace_minutes=int(_number(digest.get("grace_minutes", 120), "digest.grace_minutes")),
        announce_minutes=int(_number(raw.get("announce_minutes", 10), "announce_minutes")),
        skip_holidays=_bool(digest.get("skip_holidays", False), "digest.skip_holidays"),
        quiet_refusals=_bool(_section(raw, "permissions", "permissions").get(
            "quiet_refusals", False), "permissions.quiet_refusals"),
        weekly_time=_hhmm(report.get("weekly_time", "08:00"), "report.weekly_time"),
        report_font=report.get("font"),
        places=_strs(raw.get("places"), "places"),
        jobs=_strs(raw.get("jobs"), "jobs"),
        groups=tuple(groups),
        deadlines_hours=deadlines,
        departments={str(k): str(v) for k, v in _section(requests, "departments",
                                                         "requests.departments").items()},
        department_cadres={str(k): _ids(v, f"requests.department_cadres.{k}")
                           for k, v in _section(requests, "department_cadres",
                                                "requests.department_cadres").items()},
        echo_in_group=_bool(requests.get("echo_in_group", False), "requests.echo_in_group"),
        repost_days=int(_number(postings.get("repost_days", 7), "postings.repost_days")),
        repost_similarity=_number(postings.get("repost_similarity", 80),
                                  "postings.repost_similarity"),
        expire_days=int(_number(postings.get("expire_days", 14), "postings.expire_days")),
        notify_every_minutes=_minutes(postings.get("notify_every_minutes", 30)),
        db_url=db or os.environ.get("DAQIAO_DB") or str(raw.get("db", "sqlite:///daqiao.db")),
        exports_dir=str(raw.get("exports_dir", "exports")),
        public_numbers=_public_numbers(
            _section(raw, "privacy", "privacy").get("public_numbers")),
        calendar_hours=_hours(calendar.get("hours")),
        calendar_holidays=_bool(calendar.get("holidays", True),
                                "requests.calendar.holidays"),
        quiet_hours=_quiet(requests.get("quiet_hours", "21:00-08:00")),
        urgent_evening=_hhmm(requests.get("urgent_evening", "20:00"), "requests.urgent_evening"),
        urgent_next_morning=_hhmm(requests.get("urgent_next_morning", "09:00"),
                                  "requests.urgent_next_morning"),
        pace_seconds=_nonneg(wx.get("pace_seconds", 2.0), "wechaty.pace_seconds"),
        pace_jitter=_nonneg(wx.get("pace_jitter", 1.0), "wechaty.pace_jitter"),
        pace_per_minute=int(_nonneg(wx.get("pace_per_minute", 20), "wechaty.pace_per_minute")),
        backoff_minutes=_nonneg(wx.get("backoff_minutes", 10), "wechaty.backoff_minutes"),
        stale_minutes=_nonneg(wx.get("stale_minutes", 5), "wechaty.stale_minutes"),
        wechaty_tls=None if wx.get("tls") is None else _bool(wx.get("tls"), "wechaty.tls"),
        wechaty_tls_ca_cert=str(wx["tls_ca_cert"]) if wx.get("tls_ca_cert") else None,
        wechaty_tls_server_name=str(wx["tls_server_name"]) if wx.get("tls_server_name") else None,
        retention_raw_days=int(_nonneg(retention.get("raw_days", 365), "retention.raw_days")),
        console_senders=_senders(_section(raw, "console", "console").get("senders")),
        media_dir=str(_section(raw, "media", "media").get("dir", "data/media")),
        media_max_bytes=int(_nonneg(_section(raw, "media", "media").get("max_bytes", 5_000_000),
                                    "media.max_bytes")),
        media_window_minutes=_nonneg(_section(raw, "media", "media").get("window_minutes", 5),
                                     "media.window_minutes"),
        reward_min=int(_nonneg(_section(raw, "rewards", "rewards").get("min", 2), "rewards.min")),
        reward_max=int(_nonneg(_section(raw, "rewards", "rewards").get("max", 100),
                               "rewards.max")),
        wecom=dict(_section(raw, "wecom", "wecom")),
        path=str(p) if p else None,
    )


# How people write yes and no in a config (YAML already reads true/false/yes/no/on/off).
_YES = {"true", "yes", "y", "on", "1", "开", "是", "启用", "打开", "要"}
_NO = {"false", "no", "n", "off", "0", "关", "否", "停用", "关闭", "不要"}


def _bool(value: Any, key: str) -> bool:
    """A real yes or no: `关` and `"false"` are no (bool() would call any text yes)."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    word = str(value).strip().lower() if isinstance(value, str) else None
    if word in _YES:
        return True
    if word in _NO:
        return False
    raise ConfigError(f"{key}: expected yes or no (true/false, 开/关), got {value!r}")


def _number(value: Any, key: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise ConfigError(f"{key}: expected a number, got {value!r}")
    try:
        return float(value)
    except ValueError as e:
        raise ConfigError(f"{key}: expected a number, got {value!r}") from e


def _section(parent: dict[str, Any], key: str, where: str) -> dict[str, Any]:
    """A sub-mapping of the config (absent: empty), or a clear error for anything else."""
    value = parent.get(key)
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise ConfigError(f"{where}: expected a mapping of keys, got {value!r}")
    return value


# Every key the config may hold: a mapping of its keys, "*" for any names, a one-item list
# for a list of such mappings, None for a value. Anything else is reported (and ignored).
_KNOWN: dict[str, Any] = {
    "timezone": None, "bot": {"name": None}, "cadres": None, "default_group": None,
    "digest": {"time": None, "grace_minutes": None, "skip_holidays": None},
    "announce_minutes": None, "permissions": {"quiet_refusals": None},
    "report": {"weekly_time": None, "font": None}, "places": None, "jobs": None,
    "groups": [{"name": None, "digest_time": None, "cadre_group": None}],
    "requests": {"deadline_hours": {"small": None, "urgent": None, "hard": None},
                 "departments": "*", "department_cadres": "*", "echo_in_group": None,
                 "quiet_hours": None, "urgent_evening": None, "urgent_next_morning": None,
                 "calendar": {"hours": None, "holidays": None}},
    "postings": {"repost_days": None, "repost_similarity": None, "expire_days": None,
                 "notify_every_minutes": None},
    "db": None, "exports_dir": None, "privacy": {"public_numbers": None},
    "retention": {"raw_days": None},
    "wechaty": {"pace_seconds": None, "pace_jitter": None, "pace_per_minute": None,
                "backoff_minutes": None, "stale_minutes": None, "tls": None,
                "tls_ca_cert": None, "tls_server_name": None},
    "console": {"senders": "*"},
    "wecom": {"ws_url": None, "heartbeat": None, "reconnect_max": None, "send_timeout": None,
              "respond_hours": None, "direct": None, "mention_only": None, "upload": None,
              "doubt_grace": None, "chats": "*", "names": "*", "pace_seconds": None,
              "pace_jitter": None, "pace_per_minute": None},
    "media": {"dir": None, "max_bytes": None, "window_minutes": None},
    "rewards": {"min": None, "max": None},
}


def unknown_keys(raw: Any, known: Any = _KNOWN, where: str = "") -> list[str]:
    """The dotted names of keys in `raw` the config does not know (typos, old names)."""
    out: list[str] = []
    if isinstance(known, dict) and isinstance(raw, dict):
        for key, value in raw.items():
            name = f"{where}.{key}" if where else str(key)
            if key not in known:
                out.append(name)
            else:
                out += unknown_keys(value, known[key], name)
    elif isinstance(known, list) and isinstance(raw, list):
        for item in raw:
            out += unknown_keys(item, known[0], where)
    return out


def _public_numbers(value: Any) -> frozenset[str]:
    out = set()
    for v in _strs(value, "privacy.public_numbers"):
        digits = re.sub(r"\D", "", as_digits(v))
        if len(digits) < 3:
            raise ConfigError(f"privacy.public_numbers: {v!r} is not a phone number")
        out.add(digits)
    return frozenset(out)


def _nonneg(v: Any, key: str) -> float:
    x = _number(v, key)
    if x < 0:
        raise ConfigError(f"{key}: must not be negative")
    return x
