"""The parser's worst inputs: adversarial texts up to the parse limit, timed.

    .venv/bin/python -m benchmarks.parse_worst [--limit 2000] [--top 15] [--repeat 3]

Each shape a pattern may scan badly (digit runs, repeated punctuation, long runs of one
script, mixed scripts, the words the rules key on, repeated) is built to the parse limit after
each opener, and alone at half that; each input is parsed up to `--repeat` times (once when
clearly within the budget) and its best time kept. Times are
the process's CPU time (time.process_time): on a shared machine the wall clock counts other
work too, and the machine's noise is not the parser's. Prints the slowest inputs and their
times, and the count over the budget; exits 1 if any input takes longer than `--budget` ms
(default 50).
"""

from __future__ import annotations

import argparse
import sys
import time

from parsers import Parser

LIMIT = 2000  # bot.dispatcher.MAX_PARSE_CHARS: longer texts are cut before they are parsed

# Units repeated to the limit: each a shape some pattern scans over (a digit run a pattern
# starting with \d+ re-reads from every start; a run of one class a `[...]+X` pattern does).
UNITS = [
    "1", "12345", "1234", "0", "1 ", "1,", "1，", "1.", "1-", "1~", "1:", "1/", "1x", "1a",
    "1元", "1块", "1号", "1人", "1个", "1天", "1岁", "1点", "1月", "1日", "1小时", "1块5",
    "，", ",", "。", "！", "!", "？", "?", "~", "#", "、", "；", "：", "…", "-", "*", "@", "（", ")",
    "我", "招", "人", "工", "活", "的", "好", "a", "ab", "A1", "我1", "招1", "号1", "，1",
    "我们", "工资", "电话", "招聘", "招工", "需要", "报名", "联系", "就好", "我也去", "那个",
    "138", "13812345678", "1381234567", "一", "十", "一二三", "两", "万", "千", "百",
    "招工1人", "我们a1，", "abc123，。", "工资1111", "电话1234", "日结", "包吃住", "男女不限",
    "我们有", "有3个人", "3号", "3号我", "4000-5000", "4000-", "岁", "18-45岁", "1到",
    "😀", "【", "】", "「", "」", "\n", "1\n", "，\n", "http://a.b/", "www.", "@x ",
]
# Openers put before a unit run: the words a pattern anchors on, then the run after them.
OPENERS = ["", "我们", "工资", "招", "电话", "我", "招聘", "需要", "急招", "报名", "3号", "联系",
           "我们有", "本人", "地址", "时间", "#", "谁", "我们这边", "工价", "月薪"]


def inputs(limit: int) -> list[str]:
    """Every opener with every unit, repeated to `limit` characters (a quadratic pattern is
    slowest at the longest text), and each unit alone at half that."""
    out: list[str] = []
    for opener in OPENERS:
        for unit in UNITS:
            body = unit * ((limit - len(opener)) // len(unit) + 1)
            out.append((opener + body)[:limit])
    for unit in UNITS:
        out.append((unit * (limit // 2 // len(unit) + 1))[:limit // 2])
    # Long mixed scripts: Han, Latin, digits and punctuation interleaved.
    mixed = "招聘普工3名，月薪4000-5000元，包吃住，电话13812345678。abc DEF 123 ！？…"
    out.append((mixed * (limit // len(mixed) + 1))[:limit])
    out.append(("我们" + "1" * 30 + "，") * (limit // 33))
    return list(dict.fromkeys(out))


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--limit", type=int, default=LIMIT)
    ap.add_argument("--top", type=int, default=15)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--budget", type=float, default=50.0, help="ms")
    args = ap.parse_args(argv)
    parser = Parser.load()
    rows = []
    for text in inputs(args.limit):
        best = float("inf")
        for _ in range(args.repeat):
            t0 = time.process_time()
            parser.parse(text)
            best = min(best, time.process_time() - t0)
            if best * 1000 < args.budget / 2:
                break  # clearly within the budget: no need to repeat
        rows.append((best * 1000, text))
    rows.sort(reverse=True)
    times = sorted(ms for ms, _ in rows)
    print(f"{len(rows)} inputs up to {args.limit} characters; "
          f"median {times[len(times) // 2]:.1f} ms, slowest {times[-1]:.1f} ms, "
          f"over {args.budget:.0f} ms: {sum(ms > args.budget for ms in times)}")
    for ms, text in rows[:args.top]:
        shown = text[:24].replace("\n", "\\n")
        print(f"{ms:8.1f} ms  {len(text):5d} chars  {shown}…")
    return 1 if times[-1] > args.budget else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
