"""Data rights (PIPL art. 45/47): `daqiao forget`, `daqiao export person`, `#删除我的信息` with
its private confirmation, and the retention of the raw archive. Real components: the CLI as
a subprocess, the bot through its dispatcher, SQLite and PostgreSQL."""

from __future__ import annotations

import dataclasses
import json
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import MetaData, String, Text, select

from bot.config import ConfigError, load_config, unknown_keys
from bot.handlers import clock
from bot.handlers.clock import ClockCtx
from scheduler.reports import allocation_sheets, request_stats, weekly
from storage import Repository, make_engine
from storage.models import Binding, Message
from tests.conftest import CONFIG_YAML, TZ
from tests.test_cli import CONFIG, daqiao

WORKER = "wxid_cuihua88"
NAME = "欧阳翠花"
PHONE = "13987654321"
GRIEVANCE = "宏达鞋厂的车间主任克扣我加班费八百六十块，还骂人，我电话13987654321"
OFFER = "我会开叉车，想找个日结的活，北仑附近，电话13987654321"
NOTE = "已约谈宏达鞋厂，欧阳翠花的加班费补发"
# Anything of these anywhere in the database or a ledger is a trace of the worker.
TRACES = (WORKER, NAME, "翠花", PHONE, "139****4321", "139 8765", "克扣我加班费", "宏达鞋厂",
          "开叉车", "八百六十")
EMPLOYER_PHONE = "13812345678"
PUBLIC = 'privacy:\n  public_numbers: ["0574-86881234"]\n'


def _msg(mid: str, time: str, sender: str, sid: str, text: str, group: str | None = "共享员工群"
         ) -> dict:
    m = {"id": mid, "time": f"2025-03-03T{time}:00+08:00", "sender": sender, "sender_id": sid,
         "text": text}
    if group is not None:
        m["group"] = group
    return m


# An employer posts, the worker offers herself (with her number), claims, files a grievance
# privately, is placed with 李四 through #确认, the cadre handles and resolves her request
# (naming her), she rates it; 钱七's request runs overdue (on-time rate: one yes, one no).
CONVERSATION = [
    _msg("c1", "09:00", "张老板", "wxid_zhang",
         f"我们印刷厂需要5名临时工,手工包装纸品,一天200,日结,电话{EMPLOYER_PHONE}"),
    _msg("c2", "09:05", NAME, WORKER, OFFER),
    _msg("c3", "09:06", NAME, WORKER, "报名 1"),
    _msg("c4", "09:07", "李四", "wxid_li", "报名 1"),
    _msg("c5", "09:30", NAME, WORKER, GRIEVANCE, group=None),
    _msg("c6", "10:00", "张老板", "wxid_zhang", f"#确认 1 {NAME} 李四 2天"),
    _msg("c7", "10:05", "郑主席", "wxid_cadre_zheng", "#派单 R1 劳动保障监察"),
    _msg("c8", "10:20", "郑主席", "wxid_cadre_zheng", f"#办结 R1 {NOTE}"),
    _msg("c9", "10:30", NAME, WORKER, "满意", group=None),
    _msg("c10", "10:40", "钱七", "wxid_qian", "文昌社区驿站的饮水机坏了好几天了，能不能修一下"),
]


def _replay(tmp_path: Path, url: str) -> Path:
    cfg = tmp_path / "config.yaml"
    cfg.write_text(CONFIG, encoding="utf-8")
    conv = tmp_path / "conv.jsonl"
    conv.write_text("".join(json.dumps(m, ensure_ascii=False) + "\n" for m in CONVERSATION),
                    encoding="utf-8")
    run = daqiao("replay", str(conv), "--config", str(cfg), "--db", url, "--clock", "simulated",
                 "--until", "2025-03-03T12:00:00+08:00")
    assert run.returncode == 0, run.stderr.decode()[-2000:]
    return cfg


def figures(url: str) -> dict:
    """The reported figures, computed by the functions the reports and #统计 use."""
    engine = make_engine(url)
    repo = Repository(engine)
    try:
        now = datetime(2025, 3, 10, 12, 0, tzinfo=TZ)
        lo, hi = datetime(2025, 3, 1, tzinfo=TZ), datetime(2025, 4, 1, tzinfo=TZ)
        group = repo.group_by_name("共享员工群")
        assert group is not None
        return {
            "placements": repo.placement_stats(None, lo, hi),
            "placements in the group": repo.placement_stats(group.id, lo, hi),
            "requests": request_stats(repo, lo, hi, now),
            "weekly": dataclasses.asdict(weekly(repo, TZ, date(2025, 3, 3), now)),
            "placement summary": allocation_sheets(repo, TZ)[1].rows,
        }
    finally:
        repo.close()
        engine.dispose()


def text_values(url: str) -> list[tuple[str, str, str]]:
    """(table, column, value) of every non-empty text value of every table."""
    engine = make_engine(url)
    meta = MetaData()
    meta.reflect(engine)
    out = []
    with engine.connect() as conn:
        for table in meta.sorted_tables:
            cols = [c for c in table.columns if isinstance(c.type, String | Text)]
            if not cols:
                continue
            for row in conn.execute(select(*cols)):
                out += [(table.name, c.name, v) for c, v in zip(cols, row, strict=True) if v]
    engine.dispose()
    return out


def traces(values: list[tuple[str, str, str]]) -> list[tuple[str, str, str]]:
    return [(t, c, v) for t, c, v in values if any(x in str(v) for x in TRACES)]


def workbook_cells(path: Path) -> list[str]:
    wb = load_workbook(path)
    return [str(v) for ws in wb.worksheets for row in ws.iter_rows(values_only=True)
            for v in row if v is not None]


def test_forget_leaves_no_trace_and_keeps_every_figure(tmp_path: Path, db_url: str) -> None:
    cfg = _replay(tmp_path, db_url)
    common = ["--config", str(cfg), "--db", db_url]
    assert traces(text_values(db_url))  # the worker is all over the database before
    before = figures(db_url)
    assert before["placements"]["placements"] == 2 and before["placements"]["workers"] == 2
    assert before["placements"]["income"] == 800
    week = before["weekly"]["requests"]
    assert before["weekly"]["filed"] == 2 and (week["satisfied"], week["rated"]) == (1, 1)
    assert (week["on_time"], week["late"]) == (1, 1)

    # PIPL art. 45: what is stored about her, by her name (only one person has it)
    out = tmp_path / "her.json"
    run = daqiao("export", "person", NAME, "--json", str(out), *common)
    assert run.returncode == 0, run.stderr.decode()
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["person"] == WORKER and data["member"]["display_name"] == NAME
    assert [m["text"] for m in data["messages"]] == [OFFER, "报名 1", GRIEVANCE, "满意"]
    assert data["messages"][2]["group"] is None  # the private one
    assert data["requests"][0]["text"] == GRIEVANCE  # as she wrote it
    assert data["requests"][0]["rating"] == 5
    assert [e["status"] for e in data["requests"][0]["events"]] == [
        "filed", "dispatched", "resolved", "closed"]
    assert data["requests"][0]["events"][2]["note"] == NOTE
    assert [(c["posting_id"], c["headcount"]) for c in data["claims"]] == [(1, 1)]
    assert [(p["posting_id"], p["days"], p["pay_total"], p["employer"])
            for p in data["placements"]] == [(1, 2.0, 400.0, "印刷厂")]
    assert data["postings"][0]["kind"] == "offer" and data["postings"][0]["contact"] == PHONE
    assert data["messages"][0]["time"] == "2025-03-03T09:05:00+08:00"

    run = daqiao("forget", WORKER, *common)
    assert run.returncode == 0, run.stderr.decode()
    err = run.stderr.decode()
    assert "forget: erased, now erased:" in err
    assert "messages 6" in err and "requests 1" in err and "claims 1" in err
    assert "allocations 1" in err and "members 1" in err
    assert WORKER not in err and NAME not in err
    again = daqiao("forget", WORKER, *common)  # idempotent
    assert again.returncode == 0 and "nothing left to erase" in again.stderr.decode()

    assert figures(db_url) == before
    values = text_values(db_url)
    assert traces(values) == []
    # Nothing more than her went: the employer's number, 李四 and the grievance of 钱七 stay.
    assert ("postings", "contact", EMPLOYER_PHONE) in values
    assert ("allocations", "worker_name", "李四") in values
    assert any(t == "requests" and "饮水机" in v for t, _, v in values)
    assert ("messages", "text", "#确认 1 *** 李四 2天") in values
    assert ("messages", "text", "#办结 R1 ***") in values
    assert ("postings", "status", "closed") in values  # her open offer: nobody to reach
    pseudonyms = {v for t, c, v in values if t == "allocations" and c == "worker_id"}
    assert len(pseudonyms) == 2 and any(p.startswith("erased:") for p in pseudonyms)

    for kind in ("requests", "allocations", "postings"):
        book = tmp_path / f"{kind}.xlsx"
        run = daqiao("export", kind, "--xlsx", str(book), *common)
        assert run.returncode == 0, run.stderr.decode()
        cells = workbook_cells(book)
        assert not [c for c in cells if any(x in c for x in TRACES)], kind
        if kind == "allocations":  # the placement ledger masks names as the requests one does
            assert "李*" in cells and "李四" not in cells
    # After the erasure her id names nobody: her export is empty, and says so.
    run = daqiao("export", "person", WORKER, *common)
    assert run.returncode == 0
    empty = json.loads(run.stdout)
    assert empty["messages"] == [] and empty["requests"] == [] and empty["member"] is None


def test_forget_and_export_refuse_an_unknown_or_ambiguous_person(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'd.db'}"
    cfg = tmp_path / "config.yaml"
    cfg.write_text(CONFIG, encoding="utf-8")
    conv = tmp_path / "conv.jsonl"
    lines = [_msg("a1", "09:00", "王芳", "wxid_wf1", "有没有日结的活？"),
             _msg("a2", "09:01", "王芳", "wxid_wf2", "北仑有招人的吗"),
             _msg("a3", "09:02", "刘洋", "wxid_ly", "谁知道公交几点有")]
    conv.write_text("".join(json.dumps(m, ensure_ascii=False) + "\n" for m in lines),
                    encoding="utf-8")
    assert daqiao("replay", str(conv), "--config", str(cfg), "--db", url).returncode == 0
    common = ["--config", str(cfg), "--db", url]
    for verb in (["forget"], ["export", "person"]):
        run = daqiao(*verb, "王芳", *common)
        assert run.returncode == 2
        err = run.stderr.decode()
        assert "is the name of 2 people" in err and "wxid_wf1" in err and "wxid_wf2" in err
        run = daqiao(*verb, "nobody", *common)
        assert run.returncode == 2 and "nobody is stored" in run.stderr.decode()
    run = daqiao("export", "person", "刘洋", *common)  # a unique name is enough; JSON on stdout
    assert run.returncode == 0
    assert json.loads(run.stdout)["messages"][0]["text"] == "谁知道公交几点有"
    assert sum(1 for v in text_values(url) if "王芳" in v[2]) >= 2  # refused: nothing erased
    # The ledger contract stands: --xlsx is still needed for a ledger.
    run = daqiao("export", "requests", *common)
    assert run.returncode == 2 and "--xlsx" in run.stderr.decode()


# -- #删除我的信息 ---------------------------------------------------------------------------
def _worker_history(bot) -> None:  # type: ignore[no-untyped-def]
    bot.say(f"我们印刷厂需要5名临时工,手工包装纸品,一天200,日结,电话{EMPLOYER_PHONE}",
            sender="wxid_zhang", name="张老板")
    bot.say(OFFER, sender=WORKER, name=NAME)
    bot.say("报名 1", sender=WORKER, name=NAME)
    bot.say(GRIEVANCE, sender=WORKER, name=NAME, group=None)
    bot.say(f"#确认 1 {NAME} 2天", sender="wxid_zhang", name="张老板")


def _dm(replies: list, to: str) -> list[str]:  # type: ignore[type-arg]
    return [r.text for r in replies if r.group is None and r.to == to]


def test_delete_my_data_asks_privately_and_erases_on_private_confirmation(db_url, make_bot):  # type: ignore[no-untyped-def]
    bot = make_bot(db=db_url)
    _worker_history(bot)
    before = figures(db_url)
    out = bot.say("#删除我的信息", sender=WORKER, name=NAME)  # asked in the group
    private = _dm(out, WORKER)
    assert len(private) == 1 and "#确认删除" in private[0] and "30分钟" in private[0]
    assert "诉求" in private[0] and "统计" in private[0]
    in_group = [r.text for r in out if r.group is not None]
    assert in_group == ["内容已私信发给你。"]
    assert traces(text_values(db_url))  # nothing erased before the confirmation

    out = bot.say("#确认删除", sender=WORKER, name=NAME, group=None)
    assert len(out) == 1 and out[0].to == WORKER and "已删除" in out[0].text
    assert figures(db_url) == before
    left = traces(text_values(db_url))
    # Only the confirmation just sent still carries her id (the transport needed it) ...
    assert [(t, c) for t, c, _ in left] == [("outbox", "to_id")], left
    # ... until the daily retention work gives it the pseudonym too.
    clock.retention_sweep(ClockCtx(bot.repo, bot.app.config), bot.clock.now() + timedelta(hours=1))
    bot.repo.commit()
    assert traces(text_values(db_url)) == []
    log = [(a.action, a.actor_id) for a in bot.repo.audit_log(5)]
    assert log[0][0] == "确认删除" and log[0][1].startswith("erased:")
    # She may come back: a new message is a new record, not linked to the old one.
    bot.say("还有活吗", sender=WORKER, name=NAME)
    member = bot.repo.member(WORKER)
    assert member is not None and member.display_name == NAME


def test_delete_my_data_is_for_oneself_only(db_url, make_bot):  # type: ignore[no-untyped-def]
    bot = make_bot(db=db_url)
    _worker_history(bot)
    out = bot.say(f"#删除我的信息 {NAME}", sender="wxid_li", name="李四")
    assert _dm(out, "wxid_li") == ["“#删除我的信息”只能删除你自己的信息。要删除别人的信息，请联系工会干部。"]
    out = bot.say("#确认删除", sender="wxid_li", name="李四", group=None)
    assert _dm(out, "wxid_li") == ["你还没有申请删除信息。要删除，请先发送“#删除我的信息”。"]
    # Her own request waits for her confirmation, not anyone else's.
    bot.say("#删除我的信息", sender=WORKER, name=NAME, group=None)
    out = bot.say("#确认删除", sender="wxid_li", name=NAME, group=None)  # her name is no key
    assert "没有申请" in out[0].text
    assert any(NAME in v for _, _, v in text_values(db_url))
    # Naming herself is fine.
    out = bot.say(f"#删除我的信息 {NAME}", sender=WORKER, name=NAME)
    assert "#确认删除" in _dm(out, WORKER)[0]


def test_delete_my_data_confirmation_expires_and_must_be_private(db_url, make_bot):  # type: ignore[no-untyped-def]
    bot = make_bot(db=db_url)
    _worker_history(bot)
    start = bot.clock.now()
    bot.say("#删除我的信息", sender=WORKER, name=NAME, group=None, at=start)
    out = bot.say("#确认删除", sender=WORKER, name=NAME, at=start + timedelta(minutes=5))
    assert _dm(out, WORKER) == ["为了确认是你本人，请私信我发送“#确认删除”。"]
    out = bot.say("#确认删除", sender=WORKER, name=NAME, group=None,
                  at=start + timedelta(minutes=31))
    assert "超过30分钟" in out[0].text and "没有执行" in out[0].text
    assert any(NAME in v for _, _, v in text_values(db_url))
    # Asked again, confirmed in time: erased.
    bot.say("#删除我的信息", sender=WORKER, name=NAME, group=None,
            at=start + timedelta(minutes=40))
    out = bot.say("#确认删除", sender=WORKER, name=NAME, group=None,
                  at=start + timedelta(minutes=45))
    assert "已删除" in out[0].text
    assert not any(NAME in v or PHONE in v for _, _, v in text_values(db_url))


def test_erasure_reaches_gateway_bindings_and_spares_published_numbers(db_url, make_bot):  # type: ignore[no-untyped-def]
    bot = make_bot(db=db_url, config_yaml=CONFIG_YAML + PUBLIC)
    now = bot.clock.now()
    # As the gateway binds them (storage.identities): her contact, a room she is in.
    bot.repo.s.add(Binding(transport="wechaty", kind="contact", local_id=WORKER,
                           external_id="wx-gw-7", name=NAME, weixin="cuihua_wx", seen_at=now))
    bot.repo.s.add(Binding(transport="wechaty", kind="room", local_id="room-1",
                           external_id="room-1", name="共享员工群",
                           members=f"{WORKER}\nwxid_li", seen_at=now))
    bot.repo.commit()
    bot.say(f"我电话{PHONE}，工会热线0574-86881234一直打不通", sender=WORKER, name=NAME)
    bot.say("#公告 工会服务热线0574-86881234", sender="wxid_cadre")
    counts = bot.repo.erase_person(WORKER, now=bot.clock.now(),
                                   keep_numbers=bot.app.config.public_numbers)
    bot.repo.commit()
    assert counts["bindings"] == 2  # her contact, and the room's member list
    values = text_values(db_url)
    assert traces(values) == [] and not any("cuihua_wx" in v for _, _, v in values)
    assert ("bindings", "members", "wxid_li") in values
    # The union's hotline she mentioned is not hers: the announcement keeps it.
    assert any("0574-86881234" in v for t, _, v in values if t == "audit_log")


# -- retention -------------------------------------------------------------------------------
RETENTION = """
timezone: Asia/Shanghai
cadres: [wxid_cadre]
retention:
  raw_days: 30   # 测试：30天
"""


def test_retention_purges_only_old_raw_rows(db_url, make_bot):  # type: ignore[no-untyped-def]
    old = datetime(2025, 1, 6, 9, 0, tzinfo=TZ)
    bot = make_bot(db=db_url, config_yaml=RETENTION, start=old)
    assert bot.app.config.retention_raw_days == 30
    bot.say("我们印刷厂需要5名临时工,手工包装纸品,一天200", sender="boss", at=old)
    bot.say("今天天气真好啊，大家吃了吗", sender="chat", at=old + timedelta(minutes=1))
    bot.say("报名 1", sender="w1", at=old + timedelta(minutes=2))
    bot.say("工地的厕所坏了好几天了没人修", sender="w2", at=old + timedelta(minutes=3))
    recent = datetime(2025, 3, 3, 9, 0, tzinfo=TZ)
    bot.say("今天天气真好啊，大家吃了吗", sender="chat", at=recent, mid="new1")
    bot.say("有没有日结的活", sender="w1", at=recent + timedelta(minutes=1), mid="new2")
    # The raw payload of the memory transport is empty: give every row one, as a gateway's.
    repo = bot.repo
    for m in repo.all(Message):
        m.raw = json.dumps({"id": m.message_id, "text": m.text}, ensure_ascii=False)
    repo.commit()
    # The schedule table runs the work daily; here it is called as the clock calls it.
    from bot.schedule import job_specs
    assert "retention@03:30" in {s.id for s in job_specs(bot.app.config, repo, lambda i, w: w)}
    clock.retention_sweep(ClockCtx(repo, bot.app.config), datetime(2025, 3, 4, 3, 30, tzinfo=TZ))
    repo.commit()
    rows = {m.message_id: m for m in repo.all(Message)}
    olds = [m for m in rows.values() if m.time < datetime(2025, 2, 1, tzinfo=TZ)]
    news = [m for m in rows.values() if m.time >= datetime(2025, 2, 1, tzinfo=TZ)]
    assert len(olds) == 4 and len(news) == 2
    assert all(m.raw is None and m.parse is None for m in olds)
    assert all(m.raw is not None and m.parse is not None and m.text for m in news)
    texts = {m.text for m in olds}
    # Chatter loses its words; the post, the claim and the request keep what they stand on.
    assert "今天天气真好啊，大家吃了吗" not in texts and None in texts
    assert {"我们印刷厂需要5名临时工,手工包装纸品,一天200", "报名 1",
            "工地的厕所坏了好几天了没人修"} <= texts
    # Twice is the same as once.
    once = {m.message_id: (m.text, m.raw, m.parse) for m in repo.all(Message)}
    clock.retention_sweep(ClockCtx(repo, bot.app.config), datetime(2025, 3, 5, 3, 30, tzinfo=TZ))
    repo.commit()
    assert {m.message_id: (m.text, m.raw, m.parse) for m in repo.all(Message)} == once


def test_retention_key_in_the_config(tmp_path: Path) -> None:
    p = tmp_path / "c.yaml"
    p.write_text("retention:\n  raw_days: 90\n", encoding="utf-8")
    assert load_config(p).retention_raw_days == 90
    assert load_config(None).retention_raw_days == 365
    assert unknown_keys({"retention": {"raw_days": 1, "rawdays": 2}}) == ["retention.rawdays"]
    p.write_text("retention:\n  raw_days: 一年\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="retention.raw_days"):
        load_config(p)
    sample = load_config(Path(__file__).resolve().parent.parent / "config.yaml")
    assert sample.retention_raw_days == 365


def test_erasure_leaves_other_peoples_words_and_takes_the_roster_line(db_url, make_bot):  # type: ignore[no-untyped-def]
    """A two-character name is also a word in other people's sentences (保安队长…): what
    others wrote keeps it. The stored 接龙 roster loses the person's line; a roster published
    afterwards does not show a pseudonym."""
    from storage.models import Posting, Request, State  # noqa: PLC0415

    bot = make_bot(db=db_url)
    bot.say("我们物业需要保安2名，一天200", sender="wx_boss", name="王老板")
    bot.say("#诉求 保安队长拖欠我们三个月工资", sender="wx_other", name="老李")
    bot.say("#接龙 1", sender="wx_boss", name="王老板")
    bot.say("#接龙\n#1 物业 保安\n\n1. 保安", sender="wx_guard", name="保安")
    bot.say("#诉求 宿舍漏水好几天了没人管", sender="wx_guard", name="保安")
    bot.say("#删除我的信息", sender="wx_guard", name="保安")
    bot.say("#确认删除", sender="wx_guard", name="保安", group=None)
    s = bot.repo.s
    s.expire_all()
    assert "保安" in s.get(Posting, 1).text
    assert s.get(Request, 1).text == "保安队长拖欠我们三个月工资"
    assert s.get(Request, 2).text == ""
    roster = s.exec(select(State.value).where(State.key == "roster:1")).first()
    assert roster is not None and "保安" not in roster and "wx_guard" not in roster
    assert bot.repo.claimed(1) == 1  # the figure keeps her claim
    out = bot.texts("#接龙 1", sender="wx_boss", name="王老板")
    assert out and "erased" not in out[0] and "\n1. 保安" not in out[0]


def test_a_short_name_is_erased_where_it_stands_alone_in_others_words(db_url, make_bot):  # type: ignore[no-untyped-def]
    from storage.models import Message  # noqa: PLC0415

    bot = make_bot(db=db_url)
    bot.say("我们物业需要保安2名，一天200", sender="wx_boss", name="王老板")
    bot.say("报名 1", sender="wx_guard", name="保安")
    bot.say("#确认 1 保安", sender="wx_boss", name="王老板")
    bot.say("#删除我的信息", sender="wx_guard", name="保安")
    bot.say("#确认删除", sender="wx_guard", name="保安", group=None)
    texts = [t for (t,) in bot.repo.s.exec(select(Message.text).where(
        Message.sender_id == "wx_boss")).all()]
    assert texts == ["我们物业需要保安2名，一天200", "#确认 1 ***"]


def test_a_step_on_an_erased_requesters_request_tells_nobody(db_url, make_bot):  # type: ignore[no-untyped-def]
    bot = make_bot(db=db_url)
    bot.say("#诉求 宿舍漏水好几天了没人管", sender="wx_w", name="小王")
    bot.say("#删除我的信息", sender="wx_w", name="小王")
    bot.say("#确认删除", sender="wx_w", name="小王", group=None)
    out = bot.say("#进展 R1 已联系物业", sender="wxid_cadre", name="郑主席", group="干部群")
    assert [r.text for r in out] and all("erased" not in " ".join((r.to or "", *r.mentions))
                                         for r in out)
    assert all(r.group is not None and r.group_name == "干部群" for r in out)


def test_erasure_reaches_opinions_wishes_shares_photos_and_rewards(db_url, make_bot, tmp_path):  # type: ignore[no-untyped-def]
    """Issue 28's records: what she said and who she is goes; the counts and amounts stay."""
    from bot.transports.media import MediaStore
    from bot.types import InboundMessage
    from storage.models import Media, Opinion, Request, Reward, Share, Wish
    from tests.test_hazard_photos import png

    cfg = CONFIG_YAML + f"media: {{dir: {tmp_path / 'media'}, max_bytes: 100000}}\n"
    bot = make_bot(db=db_url, config_yaml=cfg)
    bot.say("大家好", sender=WORKER, name=NAME)
    bot.say("#征求意见 食堂管理办法 群：共享员工群\n第一条 食堂早上六点开门。", sender="wxid_cadre")
    bot.say(f"意见：开门太晚了，欧阳翠花我建议五点半，电话{PHONE}", sender=WORKER, name=NAME)
    bot.say("希望工会组织叉车证培训，我想学开叉车", sender=WORKER, name=NAME)
    bot.say("中午哪些兄弟单位能接待午餐？", sender="wx_base", name="基地老王")
    bot.say(f"我这还能接待3桌，电话{PHONE}", sender=WORKER, name=NAME)
    stored = MediaStore(str(tmp_path / "media"), 100000).save("ph1", png())
    bot.app.handle(InboundMessage(
        transport="memory", message_id="ph1", chat_id="共享员工群", chat_name="共享员工群",
        sender_id=WORKER, sender_name=NAME, text=None, time=bot.clock.now(), type="image",
        raw={"media": stored, "caption": ""}))
    bot.say("解放路口井盖坏了，晚上很危险", sender=WORKER, name=NAME)  # a place is no trace
    rid = max(r.id for r in bot.repo.all(Request))
    bot.say(f"#奖励 R{rid} 20", sender="wxid_cadre")
    repo = bot.repo
    before = {"opinions": len(repo.all(Opinion)), "wishes": len(repo.all(Wish)),
              "shares": len(repo.all(Share)), "rewards": sum(r.amount for r in repo.all(Reward))}
    assert before["opinions"] == 1 and before["wishes"] == 1 and before["shares"] == 2
    assert before["rewards"] == 20
    [stored_path] = [Path(m.path) for m in repo.all(Media) if m.path]
    assert stored_path.is_file()
    data = repo.person_data(WORKER)
    assert [len(data[k]) for k in ("opinions", "wishes", "shares", "photos", "rewards")] == [
        1, 1, 1, 1, 1]
    counts = repo.erase_person(WORKER, now=bot.clock.now(), keep_numbers=frozenset())
    repo.commit()
    assert counts["opinions"] >= 1 and counts["wishes"] == 1 and counts["media"] == 1
    assert traces(text_values(db_url)) == []
    assert not stored_path.exists()
    after = {"opinions": len(repo.all(Opinion)), "wishes": len(repo.all(Wish)),
             "shares": len(repo.all(Share)), "rewards": sum(r.amount for r in repo.all(Reward))}
    assert after == before
    assert not repo.stored_under(WORKER) and repo.was_erased(WORKER)
