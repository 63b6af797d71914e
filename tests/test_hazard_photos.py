"""Hazard photos (随手拍, issue 28): a photo and a text about a problem are one request with
the photo stored and the place read; cadres see it with #查看, reward it with #奖励 and
read the month's rewards with #奖励台账 (and in the xlsx ledger)."""

from __future__ import annotations

import base64
import json
import logging
import struct
import zlib
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from openpyxl import load_workbook

from bot.clock import ManualClock
from bot.config import Config, GroupConfig
from bot.exports import write_xlsx
from bot.transports.console import ConsoleTransport
from bot.transports.media import MediaStore, file_stem
from bot.transports.replay import ReplayTransport
from bot.types import InboundMessage
from parsers import Parser
from storage.models import AuditLog, Media, Request, Reward
from tests.conftest import TZ
from tests.fake_puppet import FakePuppet
from tests.test_cli import daqiao

ROOM = "共享员工群"
RIDER, WANG, ZHAO, CADRE = "wxid_rider", "wxid_wang", "wxid_zhao", "wxid_cadre"
MANHOLE = "解放路和人民路路口井盖坏了，晚上很危险"


def png(w: int = 8, h: int = 8, rgb: tuple[int, int, int] = (90, 90, 90)) -> bytes:
    """A tiny valid PNG."""
    raw = b"".join(b"\x00" + bytes(rgb) * w for _ in range(h))

    def chunk(t: bytes, d: bytes) -> bytes:
        return struct.pack(">I", len(d)) + t + d + struct.pack(">I", zlib.crc32(t + d))

    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


def config(tmp_path: Path, max_bytes: int = 5_000_000) -> str:
    return f"""
timezone: Asia/Shanghai
cadres: [{CADRE}]
groups:
  - name: {ROOM}
  - name: 干部群
    cadre_group: true
places: [解放路, 人民路, 中山路, 解放路和人民路路口]
media: {{dir: {tmp_path / 'media'}, max_bytes: {max_bytes}, window_minutes: 5}}
rewards: {{min: 2, max: 100}}
"""


@pytest.fixture(scope="module")
def parser() -> Parser:
    """The parser as the bot runs it with this town's places (config `places`)."""
    return Parser.load(places=["解放路", "人民路", "中山路", "解放路和人民路路口"])


@pytest.fixture
def hz(make_bot, tmp_path):  # type: ignore[no-untyped-def]
    return make_bot(config_yaml=config(tmp_path))


def photo(bot, sender: str, data: bytes | None = None, *, at: datetime | None = None,  # type: ignore[no-untyped-def]
          group: str | None = ROOM, caption: str = "", max_bytes: int = 5_000_000):
    """A photo as a transport delivers it: kept by a MediaStore, the outcome in raw."""
    bot._n += 1
    mid = f"p{bot._n}"
    store = MediaStore(bot.app.config.media_dir, max_bytes)
    raw = {"media": store.save(mid, data if data is not None else png()), "caption": caption}
    when = at or (bot.clock.now() + timedelta(minutes=1))
    msg = InboundMessage(transport="memory", message_id=mid, chat_id=group, chat_name=group,
                         sender_id=sender, sender_name=sender, text=None, time=when,
                         type="image", is_group=group is not None, raw=raw)
    before = len(bot.transport.sent)
    bot.app.handle(msg)
    return bot.transport.sent[before:]


def in_group(replies, group: str = ROOM) -> list[str]:  # type: ignore[no-untyped-def]
    return [r.text for r in replies if r.group_name == group]


T0 = datetime(2025, 3, 3, 10, 0, tzinfo=TZ)


def test_a_photo_then_its_text_file_one_request_with_the_photo_and_the_place(hz) -> None:  # type: ignore[no-untyped-def]
    assert photo(hz, RIDER, at=T0) == []  # kept quietly until its text comes
    out = hz.say(MANHOLE, sender=RIDER, name="李师傅", at=T0 + timedelta(minutes=2))
    reqs = hz.repo.all(Request)
    assert len(reqs) == 1
    req = reqs[0]
    assert req.location == "解放路和人民路路口"
    [media] = hz.repo.all(Media)
    assert media.request_id == req.id and media.status == "stored"
    assert req.attachments == str(media.message_id)
    assert Path(media.path).is_file() and Path(media.path).read_bytes() == png()
    assert Path(media.path).parent == Path(hz.app.config.media_dir)
    group = in_group(out)
    assert len(group) == 1 and "R1" in group[0] and "照片已收到" in group[0]
    assert "井盖" not in group[0] and "解放路" not in group[0]  # nothing of it in the group
    alert = in_group(out, "干部群")[0]
    assert "地点：解放路和人民路路口" in alert and "照片：1张" in alert


def test_a_text_then_its_photo_attach_to_the_request(hz) -> None:  # type: ignore[no-untyped-def]
    hz.say("中山路公交站旁边的路灯不亮了，好几天了", sender=WANG, at=T0)
    out = photo(hz, WANG, png(rgb=(200, 200, 0)), at=T0 + timedelta(minutes=1))
    assert in_group(out) == ["已附在诉求 R1 里。"]
    [req] = hz.repo.all(Request)
    [media] = hz.repo.all(Media)
    assert media.request_id == req.id and req.location == "中山路"


def test_a_photo_with_no_text_in_the_window_stays_quiet(hz) -> None:  # type: ignore[no-untyped-def]
    assert photo(hz, ZHAO, at=T0) == []
    assert hz.say("今天真冷啊", sender=ZHAO, at=T0 + timedelta(minutes=1)) == []
    # The text comes too late: a request of its own, without the photo.
    hz.say(MANHOLE, sender=ZHAO, at=T0 + timedelta(minutes=6))
    [req] = hz.repo.all(Request)
    [media] = hz.repo.all(Media)
    assert media.request_id is None and req.attachments == ""
    # Another person's text never takes someone else's photo.
    assert photo(hz, "wxid_sun", at=T0 + timedelta(minutes=20)) == []
    hz.say("人民路有个大坑，电动车容易摔", sender=WANG, at=T0 + timedelta(minutes=21))
    assert [m.request_id for m in hz.repo.all(Media)] == [None, None]
    assert [r.requester_id for r in hz.repo.all(Request)] == [ZHAO, WANG]


def test_a_photo_with_its_caption_is_one_request(hz) -> None:  # type: ignore[no-untyped-def]
    out = photo(hz, RIDER, at=T0, caption=MANHOLE)
    [req] = hz.repo.all(Request)
    assert req.text == MANHOLE and req.location == "解放路和人民路路口"
    assert "照片已收到" in in_group(out)[0]


def test_a_photo_then_a_request_command_attach_too(hz) -> None:  # type: ignore[no-untyped-def]
    photo(hz, RIDER, at=T0)
    out = hz.say(f"#诉求 {MANHOLE}", sender=RIDER, at=T0 + timedelta(minutes=1))
    [req] = hz.repo.all(Request)
    assert req.location == "解放路和人民路路口" and req.attachments
    assert "照片已收到" in in_group(out)[0]


def test_a_photo_too_large_is_refused_and_the_request_says_so(make_bot, tmp_path, caplog) -> None:  # type: ignore[no-untyped-def]
    bot = make_bot(config_yaml=config(tmp_path, max_bytes=50))
    with caplog.at_level(logging.WARNING, logger="bot.transports.media"):
        photo(bot, RIDER, png(40, 40), at=T0, max_bytes=50)
    assert "more than media.max_bytes" in caplog.text
    assert not (tmp_path / "media").exists() or not any((tmp_path / "media").iterdir())
    out = bot.say(MANHOLE, sender=RIDER, at=T0 + timedelta(minutes=1))
    assert "照片太大没能保存" in in_group(out)[0]
    [media] = bot.repo.all(Media)
    assert media.status == "too_large" and media.path is None and media.request_id == 1
    record = bot.texts("#查看 R1", sender=CADRE, group="干部群")
    assert "照片太大" in record[0] and "没有保存" in record[0]


def test_view_lists_the_stored_photos_and_sends_them_to_the_cadre_only(hz) -> None:  # type: ignore[no-untyped-def]
    photo(hz, RIDER, at=T0)
    hz.say(MANHOLE, sender=RIDER, at=T0 + timedelta(minutes=1))
    [media] = hz.repo.all(Media)
    out = hz.say("#查看 R1", sender=CADRE, group="干部群")
    # (the privacy screen masks digit runs in group text: the test folder's name has some)
    assert Path(media.path).name in out[0].text and "地点：解放路和人民路路口" in out[0].text
    assert [r.file for r in out if r.file] == [media.path]
    # Asked in the workers' group: the record and the photo go privately; the group gets a
    # note and never the file.
    out = hz.say("#查看 R1", sender=CADRE)
    assert all(r.file is None for r in out if r.group is not None)
    assert [r.file for r in out if r.to == CADRE and r.file] == [media.path]
    assert all(MANHOLE not in r.text for r in out if r.group is not None)


def test_a_reward_within_bounds_tells_the_reporter_privately_and_feeds_the_ledger(hz) -> None:  # type: ignore[no-untyped-def]
    photo(hz, RIDER, at=T0)
    hz.say(MANHOLE, sender=RIDER, name="李师傅", at=T0 + timedelta(minutes=1))
    hz.say("中山路的路灯不亮了好几天了", sender=WANG, name="王姐", at=T0 + timedelta(minutes=3))
    cadre = dict(sender=CADRE, group="干部群")
    assert hz.texts("#奖励 R1 200", **cadre) == ["奖励金额要在2到100元之间，200元不行。"]
    assert hz.texts("#奖励 R1 1", **cadre) == ["奖励金额要在2到100元之间，1元不行。"]
    assert hz.texts("#奖励 R9 20", **cadre) == ["没有找到诉求 R9，请核对编号。"]
    assert "用法" in hz.texts("#奖励 R1", **cadre)[0]
    out = hz.say("#奖励 R1 20", **cadre)
    assert [r.text for r in out if r.group is not None] == ["已记下：R1 奖励李师傅20元，已私信告诉本人。"]
    [dm] = [r for r in out if r.to == RIDER]
    assert dm.group is None
    assert dm.text.startswith("你随手拍的 R1（解放路和人民路路口）经核实，奖励20元")
    assert "已经奖励过20元" in hz.texts("#奖励 R1 30", **cadre)[0]
    assert "还没有奖励过" in hz.texts("#奖励 R2 5 改", **cadre)[0]
    out = hz.say("#奖励 R1 30 改", **cadre)
    assert "从20元改为30元" in out[0].text
    assert any(r.to == RIDER and "调整为30元" in r.text for r in out)
    hz.say("#奖励 R2 5元", **cadre)
    [r1] = [r for r in hz.repo.all(Reward) if r.request_id == 1]
    assert (r1.amount, r1.person_id, r1.place) == (30, RIDER, "解放路和人民路路口")
    audits = [(a.action, a.target) for a in hz.repo.all(AuditLog) if a.action == "奖励"]
    assert audits == [("奖励", "R1"), ("奖励", "R1"), ("奖励", "R2")]
    # The ledger: one storage function, per person and item.
    lines = hz.repo.reward_ledger(T0 - timedelta(days=2), T0 + timedelta(days=28))
    assert [(x.name, x.total, [(n, a) for n, a, _, _ in x.items]) for x in lines] == [
        ("李师傅", 30, [(1, 30)]), ("王姐", 5, [(2, 5)])]
    text = hz.texts("#奖励台账 2025-03", **cadre)[0]
    assert text.startswith("2025年3月随手拍奖励台账：2人，2件，共35元")
    assert "李师傅：30元 — R1 30元（解放路和人民路路口）" in text
    assert hz.texts("#奖励台账 2025-02", **cadre) == ["2025年2月还没有随手拍奖励。"]
    # Workers cannot reward themselves nor read the ledger.
    assert "只有工会干部" in hz.texts("#奖励 R1 100", sender=RIDER)[0]
    assert "只有工会干部" in hz.texts("#奖励台账", sender=RIDER)[0]
    # Asked in the workers' group, the ledger goes to the cadre privately.
    out = hz.say("#奖励台账", sender=CADRE)
    assert all("李师傅" not in r.text for r in out if r.group is not None)


def test_the_reward_ledger_exports_to_xlsx(hz, tmp_path) -> None:  # type: ignore[no-untyped-def]
    hz.say(MANHOLE, sender=RIDER, name="李师傅", at=T0)
    hz.say("#奖励 R1 20", sender=CADRE, group="干部群", at=T0 + timedelta(days=1))
    out = hz.say("#导出 奖励", sender=CADRE, group="干部群")
    assert out[0].file and out[0].file.endswith(".xlsx")
    rows = write_xlsx("rewards", hz.repo, hz.app.config.tz, hz.clock.now(), tmp_path / "r.xlsx")
    assert rows == 1
    wb = load_workbook(tmp_path / "r.xlsx")
    assert [c.value for c in wb["奖励台账"][2]] == ["2025-03", "李师傅", RIDER, 1, 20]
    assert [c.value for c in wb["奖励明细"][2]][:5] == ["2025-03", "R1", "李师傅",
                                                     "解放路和人民路路口", 20]


# -- the transports' side ----------------------------------------------------------------------
def test_media_store_names_files_by_message_and_content_without_path_tricks(tmp_path) -> None:
    store = MediaStore(str(tmp_path / "m"), 1000)
    got = store.save("../../etc/passwd", png())
    assert Path(got["path"]).parent == tmp_path / "m" and got["content_type"] == "image/png"
    assert ".." not in Path(got["path"]).name and Path(got["path"]).suffix == ".png"
    assert store.save("../../etc/passwd", png()) == got  # the same message and content: one file
    assert file_stem("hz1") == "hz1" and file_stem("7391849284718293847").startswith("m")
    assert not any(c.isdigit() for c in Path(got["path"]).stem.split("-")[1])
    big = store.save("x", b"\xff\xd8\xff" + b"0" * 2000)
    assert big["status"] == "too_large" and len(list((tmp_path / "m").iterdir())) == 1
    box = json.dumps({"boxType": 1, "name": "a.jpg", "base64": base64.b64encode(b"1" * 3000).decode()})
    assert store.from_filebox("y", box)["status"] == "too_large"
    assert store.from_filebox("z", json.dumps({"boxType": 2, "url": "http://x/y.jpg"}))["status"] == "missing"
    assert store.copy("w", tmp_path / "nothing.png")["status"] == "missing"


def test_console_and_replay_take_a_photo_by_its_path(tmp_path) -> None:
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "a.png").write_bytes(png())
    console = ConsoleTransport(bot_name="小桥", default_group=ROOM, clock=ManualClock(T0))
    msg = console.parse_line(f"李四: [图片] {tmp_path / 'in' / 'a.png'} {MANHOLE}")
    assert msg is not None and msg.type == "image" and msg.text is None
    assert msg.raw == {"path": str(tmp_path / "in" / "a.png"), "caption": MANHOLE}
    line = {"id": "x1", "time": T0.isoformat(), "group": ROOM, "sender": "李四",
            "type": "image", "path": "a.png"}
    (tmp_path / "in" / "r.jsonl").write_text(json.dumps(line, ensure_ascii=False) + "\n")
    with open(tmp_path / "in" / "r.jsonl", "rb") as src:
        replay = ReplayTransport(src, tz=TZ)
        replay.media = MediaStore(str(tmp_path / "kept"), 5000)
        seen: list[InboundMessage] = []
        replay.run(seen.append)
    kept = seen[0].raw["media"]  # type: ignore[index]
    assert kept["status"] == "stored" and Path(kept["path"]).read_bytes() == png()


def test_the_replay_cli_keeps_the_photo_under_the_data_folder(tmp_path) -> None:
    (tmp_path / "photos").mkdir()
    (tmp_path / "photos" / "m.png").write_bytes(png())
    lines = [{"id": "a", "time": "2025-03-03T10:00:00+08:00", "group": ROOM, "sender": "李师傅",
              "type": "image", "path": "photos/m.png"},
             {"id": "b", "time": "2025-03-03T10:01:00+08:00", "group": ROOM, "sender": "李师傅",
              "text": MANHOLE}]
    inp = tmp_path / "in.jsonl"
    inp.write_text("".join(json.dumps(x, ensure_ascii=False) + "\n" for x in lines))
    cfg = tmp_path / "c.yaml"
    cfg.write_text("media: {dir: data/media, max_bytes: 100000}\n")
    run = daqiao("replay", str(inp), "--config", str(cfg), "--db",
                 f"sqlite:///{tmp_path / 'd.db'}", cwd=tmp_path / "photos")
    assert run.returncode == 0, run.stderr.decode()[-2000:]
    kept = list((tmp_path / "photos" / "data" / "media").iterdir())
    assert len(kept) == 1 and kept[0].read_bytes() == png()
    assert "照片已收到" in run.stdout.decode()


# -- WeChat: the message's file, fetched from the gateway ------------------------------------
@pytest.fixture
def fake():  # type: ignore[no-untyped-def]
    f = FakePuppet().start()
    f.add_room("r1", ROOM, {"c1": "李师傅"})
    f.add_room("r9", "干部群", {"c9": "刘干事"})
    f.login("bot-1")
    yield f
    f.stop()


def test_wechaty_stores_a_photo_under_the_limit_and_refuses_one_over_it(fake, tmp_path, caplog) -> None:  # type: ignore[no-untyped-def]
    from bot.transports.wechaty import Pacer
    from tests.test_wechaty import Running

    cfg = Config(db_url=f"sqlite:///{tmp_path / 'bot.db'}", cadres=("c9",),
                 groups=(GroupConfig(ROOM), GroupConfig("干部群", cadre_group=True)),
                 exports_dir=str(tmp_path / "exports"), places=("解放路和人民路路口",))
    bot = Running(fake, cfg, Pacer(per_chat=0.05, jitter=0.0, per_minute=0))
    bot.transport.media = MediaStore(str(tmp_path / "media"), 300)
    try:
        small, large = png(), png(60, 60, (1, 2, 3)) + b"\x00" * 400
        with caplog.at_level(logging.WARNING, logger="bot.transports.media"):
            a = fake.say("r1", "c1", "", kind="image", data=small)
            b = fake.say("r1", "c1", MANHOLE)
            fake.wait_sent_where(lambda s: "照片已收到" in s.text)
            c = fake.say("r1", "c1", "", kind="image", data=large)
            bot.settle(a, b, c)
        rows = sorted(bot.rows(Media), key=lambda m: m.id)
        assert [(m.status, m.bytes) for m in rows] == [("stored", len(small)),
                                                       ("too_large", len(large))]
        assert Path(rows[0].path).read_bytes() == small
        assert Path(rows[0].path).parent == tmp_path / "media"
        assert "more than media.max_bytes" in caplog.text
        assert len(list((tmp_path / "media").iterdir())) == 1
        [req] = bot.rows(Request)
        assert req.location == "解放路和人民路路口" and rows[0].request_id == req.id
    finally:
        bot.stop()
