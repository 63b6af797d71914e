"""The config as a union cadre writes it: yes/no in any usual spelling, clear errors for
wrong types, and keys the bot does not know reported instead of silently ignored."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest

from bot.config import ConfigError, load_config
from tests.test_cli import daqiao

YES = ["true", "True", "yes", "on", "1", '"true"', '"yes"', "开", "是", "启用", "打开", '"on"']
NO = ["false", "False", "no", "off", "0", '"false"', '"no"', "关", "否", "停用", "关闭", '"off"']


def _load(tmp_path: Path, text: str):  # type: ignore[no-untyped-def]
    p = tmp_path / "config.yaml"
    p.write_text(text, encoding="utf-8")
    return load_config(p)


@pytest.mark.parametrize(("word", "want"), [(w, True) for w in YES] + [(w, False) for w in NO])
def test_every_yes_and_no_spelling_means_what_it_says(tmp_path, word, want) -> None:  # type: ignore[no-untyped-def]
    cfg = _load(tmp_path, f"requests:\n  echo_in_group: {word}\n"
                          f"permissions:\n  quiet_refusals: {word}\n"
                          f"digest:\n  skip_holidays: {word}\n"
                          f"groups:\n  - name: 干部群\n    cadre_group: {word}\n")
    assert cfg.echo_in_group is want  # 关 used to turn the grievance echo ON
    assert cfg.quiet_refusals is want and cfg.skip_holidays is want
    assert cfg.groups[0].cadre_group is want


@pytest.mark.parametrize(("text", "says"), [
    ("requests:\n  echo_in_group: 也许\n", "requests.echo_in_group: expected yes or no"),
    ("requests:\n  echo_in_group: 2\n", "requests.echo_in_group: expected yes or no"),
    ("requests:\n  echo_in_group: [1]\n", "requests.echo_in_group: expected yes or no"),
    ("postings:\n  expire_days: 两周\n", "postings.expire_days: expected a number"),
    ("postings:\n  repost_similarity: true\n", "postings.repost_similarity: expected a number"),
    ("digest:\n  grace_minutes: [5]\n", "digest.grace_minutes: expected a number"),
    ("announce_minutes: 十\n", "announce_minutes: expected a number"),
    ("requests:\n  deadline_hours:\n    hard: 三天\n", "requests.deadline_hours.hard: expected a"),
    ("wechaty:\n  pace_seconds: fast\n", "wechaty.pace_seconds: expected a number"),
    ("digest: 08:30\n", "digest: expected a mapping of keys"),
    ("requests:\n  calendar: 08:30-17:30\n", "requests.calendar: expected a mapping"),
    ("privacy:\n  public_numbers: 12\n", "privacy.public_numbers: expected a list"),
    ("privacy:\n  public_numbers: [热线]\n", "privacy.public_numbers: '热线' is not a phone"),
])
def test_a_wrong_type_is_one_clear_line(tmp_path, text, says) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ConfigError) as e:
        _load(tmp_path, text)
    assert str(e.value).startswith(says) and "\n" not in str(e.value)


def test_unknown_keys_are_reported_and_the_rest_still_loads(tmp_path, caplog) -> None:  # type: ignore[no-untyped-def]
    with caplog.at_level(logging.WARNING):
        cfg = _load(tmp_path, "requests:\n  echo_in_gruop: 开\n  echo_in_group: 关\n"
                              "groups:\n  - name: 干部群\n    cadre: true\nfoo: 1\n")
    assert cfg.echo_in_group is False
    said = [r.getMessage() for r in caplog.records]
    assert [m.split()[3] for m in said] == ["requests.echo_in_gruop", "groups.cadre", "foo"]


def test_the_sample_config_has_no_unknown_key(caplog) -> None:  # type: ignore[no-untyped-def]
    with caplog.at_level(logging.WARNING):
        load_config(Path(__file__).resolve().parent.parent / "config.yaml")
    assert caplog.records == []


def test_the_command_exits_2_with_the_line(tmp_path) -> None:  # type: ignore[no-untyped-def]
    p = tmp_path / "c.yaml"
    p.write_text("requests:\n  echo_in_group: 也许\n", encoding="utf-8")
    run = daqiao("replay", "-", "--config", str(p), "--db", f"sqlite:///{tmp_path / 'd.db'}",
                 stdin=b"")
    assert run.returncode == 2
    assert "requests.echo_in_group: expected yes or no" in run.stderr.decode()


# --- cadres are named by stable id, never by display name (issue 24) ---------------------------

@pytest.mark.parametrize(("text", "key", "entry"), [
    ("cadres:\n  - wxid_cadre_zheng\n  - 郑主席\n", "cadres", "郑主席"),
    ("cadres: [wxid_cadre_zheng, 郑 主席]\n", "cadres", "郑 主席"),
    ("cadres: [zheng zhuxi]\n", "cadres", "zheng zhuxi"),
    ("requests:\n  department_cadres:\n    园区管委会: [wxid_a, 张主任]\n",
     "requests.department_cadres.园区管委会", "张主任"),
    ("console:\n  senders:\n    郑主席: 郑主席\n", "console.senders.郑主席", "郑主席"),
])
def test_a_display_name_where_an_id_belongs_stops_the_start(tmp_path, text, key, entry) -> None:  # type: ignore[no-untyped-def]
    """A display name is anyone's to take, so it cannot name a cadre: `daqiao run` refuses
    to start, with one line that names the entry and says how to find an id."""
    p = tmp_path / "c.yaml"
    p.write_text(text, encoding="utf-8")
    run = daqiao("run", "--transport", "console", "--config", str(p),
                 "--db", f"sqlite:///{tmp_path / 'd.db'}", stdin=b"")
    assert run.returncode == 2 and run.stdout == b""
    said = [x for x in run.stderr.decode().splitlines() if x.startswith("daqiao:")]
    assert len(said) == 1, run.stderr.decode()
    assert said[0].startswith(f"daqiao: {key}: {entry!r} is a display name, not a sender id")
    assert "refused #统计 for ID" in said[0]  # how to find someone's id
    assert not (tmp_path / "d.db").exists()  # refused before anything was opened


@pytest.mark.parametrize("ident", ["wxid_cadre_zheng", "zheng-2024", "@a1b2c3d4e5f6",
                                   "ZhangSan", "10086", "wxid_abc@im.wechat"])
def test_ids_of_every_kind_are_taken(tmp_path, ident) -> None:  # type: ignore[no-untyped-def]
    cfg = _load(tmp_path, f"cadres: ['{ident}']\nrequests:\n  department_cadres:\n"
                          f"    安监站: ['{ident}']\n")
    assert cfg.cadres == (ident,) and cfg.role_ids == {ident}


def test_a_replay_line_without_sender_id_is_not_a_cadre(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """A replay line without sender_id takes its display name as the id (cli.md). With names
    refused under cadres, 郑主席 typed as a name is nobody's cadre: only the id is."""
    p = tmp_path / "c.yaml"
    p.write_text("cadres: [wxid_cadre_zheng]\n", encoding="utf-8")
    lines = [{"id": "m1", "time": "2025-03-03T09:00:00+08:00", "group": "共享员工群",
              "sender": "郑主席", "text": "#暂停"},
             {"id": "m2", "time": "2025-03-03T09:01:00+08:00", "group": "共享员工群",
              "sender": "郑主席", "sender_id": "wxid_cadre_zheng", "text": "#暂停"}]
    stdin = "".join(json.dumps(x, ensure_ascii=False) + "\n" for x in lines).encode()
    run = daqiao("replay", "-", "--config", str(p), "--db", f"sqlite:///{tmp_path / 'd.db'}",
                 stdin=stdin)
    assert run.returncode == 0, run.stderr.decode()
    out = [json.loads(x) for x in run.stdout.decode().splitlines()]
    assert [(o["reply_to"], o["text"]) for o in out] == [
        ("m1", "“#暂停”只有工会干部才能用。"), ("m2", "好的，我在本群先不说话了。干部发“#恢复”我再继续。")]
