"""Matching against many open postings: an offer, a query, and claims by name, quote, context.

    python benchmarks/match_bench.py [--postings 100000] [--runs 300] [--db URL]

Fills one group of a fresh SQLite file (WAL) with N open postings across every job family,
then times the handler-level look-ups the bot does per message. Target (issue 4): p99 <=
10 ms at 100,000 open postings. Printed, never asserted.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import insert  # noqa: E402

from bot.app import build_app  # noqa: E402
from bot.clock import ManualClock  # noqa: E402
from bot.config import load_config  # noqa: E402
from bot.transports.memory import MemoryTransport  # noqa: E402
from bot.types import InboundMessage  # noqa: E402
from storage.models import Posting  # noqa: E402

EMPLOYERS = ["印刷厂", "五金厂", "服装厂", "电子厂", "食品厂", "物流园", "酒店", "饭店", "超市", "工地"]
PLACES = ["北仑", "小港", "大碶", "霞浦", "柴桥", "镇海", None]


def fill(app, n: int, group_id: int) -> None:  # type: ignore[no-untyped-def]
    lex = app.parser.lex
    jobs = sorted(lex.jobs)
    rnd = random.Random(7)
    now = datetime(2025, 3, 1, tzinfo=UTC)
    rows = []
    for i in range(n):
        job = rnd.choice(jobs)
        rows.append(dict(kind="job", group_id=group_id, poster_id=f"boss{i % 5000}",
                         poster_name="老板", status="open", headcount=rnd.randint(1, 30), job=job,
                         family=lex.family(job), employer=f"{rnd.choice(EMPLOYERS)}{i}",
                         location=rnd.choice(PLACES), settlement=rnd.choice(["daily", "monthly", None]),
                         text=f"招{job}{rnd.randint(1, 30)}名", created_at=now, updated_at=now))
    with app.repo.engine.begin() as c:
        for k in range(0, n, 5000):
            c.execute(insert(Posting), rows[k:k + 5000])


def timed(app, texts: list[str], runs: int, sender: str) -> list[float]:  # type: ignore[no-untyped-def]
    out = []
    for i in range(runs):
        msg = InboundMessage(transport="bench", message_id=f"{sender}{i}", chat_id="群",
                             chat_name="群", sender_id=f"{sender}{i}", sender_name=f"工人{i}",
                             text=texts[i % len(texts)], time=app.clock.now())
        t0 = time.perf_counter()
        app.dispatcher.dispatch(msg)
        out.append(time.perf_counter() - t0)
    app.transport.sent.clear()
    return out


def matching(app, group, text: str, runs: int, what: str) -> list[float]:  # type: ignore[no-untyped-def]
    """Time only the look-up a handler does, with a context like the dispatcher builds."""
    from bot.context import Ctx
    from bot.handlers import claims, jobs
    from bot.handlers.matching import best
    from storage.models import Message

    msg = InboundMessage(transport="bench", message_id="m", chat_id="群", chat_name="群",
                         sender_id="w", sender_name="工人", text=text, time=app.clock.now())
    parsed = app.parser.parse(text, now=app.clock.now())
    member = app.repo.ensure_member("w", "工人", now=app.clock.now())
    ctx = Ctx(repo=app.repo, config=app.config, clock=app.clock, parser=app.parser, log=None,  # type: ignore[arg-type]
              msg=msg, group=group, member=member, row=Message(id=0, transport="", message_id="",
              sender_id="w", time=app.clock.now()), parsed=parsed)
    lex = app.parser.lex
    out = []
    for _ in range(runs):
        t0 = time.perf_counter()
        if what == "offer":
            best(jobs.candidates(ctx, family=lex.family(parsed.job or parsed.task)), lex=lex,
                 job=parsed.job, location=parsed.location, settlement=parsed.settlement, limit=3,
                 strict=False)
        elif what == "query":
            found = app.repo.match_candidates(group.id, family=lex.family(parsed.job),
                                              settlement=parsed.settlement, location=parsed.location)
            best(found, lex=lex, job=parsed.job, location=parsed.location,
                 settlement=parsed.settlement, limit=5, strict=True)
        else:
            claims._resolve(ctx, parsed.ref)
        out.append(time.perf_counter() - t0)
    return out


def report(name: str, lat: list[float]) -> None:
    lat = sorted(lat)
    p50, p99 = lat[len(lat) // 2] * 1000, lat[int(len(lat) * 0.99)] * 1000
    print(f"  {name:28s} p50 {p50:6.2f} ms  p99 {p99:6.2f} ms  mean {statistics.mean(lat) * 1000:6.2f} ms")


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--postings", type=int, default=100_000)
    ap.add_argument("--runs", type=int, default=300)
    ap.add_argument("--db", default=None)
    args = ap.parse_args()
    tmp = tempfile.mkdtemp()
    cfg_path = Path(tmp) / "c.yaml"
    cfg_path.write_text("timezone: Asia/Shanghai\n", encoding="utf-8")
    cfg = load_config(cfg_path, db=args.db or f"sqlite:///{tmp}/bench.db")
    app = build_app(cfg, MemoryTransport(), clock=ManualClock(datetime(2025, 3, 3, 1, tzinfo=UTC)))
    app.clock_known = True
    g = app.repo.ensure_group("群", transport="bench", external_id=None, now=app.clock.now())
    app.repo.commit()
    t0 = time.perf_counter()
    fill(app, args.postings, g.id or 0)
    print(f"{args.postings:,} open postings in one group, filled in {time.perf_counter() - t0:.1f} s")
    print("per message, through the dispatcher (archive, parse, match, write, commit):")
    report("labour offer -> best 3", timed(app, ["我这边有5个人找活，会包装", "本人找保洁的活",
                                               "我们3个人找搬运装卸的活，日结"], args.runs, "o"))
    report("query -> best 5", timed(app, ["有没有日结的活?", "北仑有招普工的吗", "还有活吗"],
                                    args.runs, "q"))
    report("claim by employer name", timed(app, ["印刷厂42那个活我去", "五金厂777那个活我们两个去"],
                                           args.runs, "n"))
    quote = "「老板：招普工12名」\n- - - - - - - - - - - - - - -\n我去"
    report("claim by quote", timed(app, [quote], args.runs, "k"))
    report("claim by context (ambiguous)", timed(app, ["我报名"], args.runs, "c"))
    report("claim by number", timed(app, ["报名 99999", "报名 500"], args.runs, "r"))
    print("the matching step alone (candidates from indexes, then scoring):")
    report("offer -> best 3", matching(app, g, "我这边有5个人找活，会包装", args.runs, "offer"))
    report("query -> best 5", matching(app, g, "北仑有招普工的吗", args.runs, "query"))
    report("claim by employer name", matching(app, g, "印刷厂42那个活我去", args.runs, "claim"))
    report("claim by quote", matching(app, g, quote, args.runs, "claim"))
    report("claim by context", matching(app, g, "我报名", args.runs, "claim"))
    app.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
