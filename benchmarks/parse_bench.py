"""Parser speed: throughput, per-message latency, cold start of `daqiao parse`, peak memory.

    python benchmarks/parse_bench.py [--rounds N]

Messages are the project's own labelled cases and chit-chat (tests/data), so the mix is
group-chat length. Targets (issue 3): >= 2,000 msg/s and p99 <= 5 ms on one core after
warm-up; cold start <= 2.5 s. Figures are printed, never asserted: machines are noisy.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from parsers import Parser  # noqa: E402
from tests.parsers.cases import load_cases, load_chitchat  # noqa: E402


def messages() -> list[str]:
    return [c.text for c in load_cases()] + load_chitchat()


def cold_start(runs: int = 3, extra: tuple[str, ...] = ()) -> float:
    """Best wall time of `daqiao parse --jsonl` on one line, from process start to exit."""
    exe = ROOT / ".venv" / "bin" / "daqiao"
    cmd = [str(exe)] if exe.exists() else [sys.executable, "-m", "bot"]
    line = json.dumps({"id": "1", "text": "招普工5名，日薪200"}, ensure_ascii=False) + "\n"
    best = float("inf")
    for _ in range(runs):
        t0 = time.perf_counter()
        subprocess.run([*cmd, "parse", "--jsonl", *extra], input=line.encode(), capture_output=True,
                       check=True, cwd=ROOT, env={**os.environ})
        best = min(best, time.perf_counter() - t0)
    return best


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=10)
    ap.add_argument("--jsonl", help="take the texts from this JSONL file instead (key: text)")
    ap.add_argument("--rules-only", action="store_true",
                    help="without the intent model (its cost is the difference)")
    args = ap.parse_args()
    msgs = messages()
    if args.jsonl:
        with open(args.jsonl, encoding="utf-8") as f:
            msgs = [json.loads(x)["text"] for x in f if x.strip()]
    now = datetime.fromisoformat("2025-03-03T09:00:00+08:00")
    t0 = time.perf_counter()
    parser = Parser.load(model=not args.rules_only)
    load_s = time.perf_counter() - t0
    for m in msgs:  # warm-up: lazy regex compiles, caches
        parser.parse(m, now=now)
    lat: list[float] = []
    t0 = time.perf_counter()
    for _ in range(args.rounds):
        for m in msgs:
            s = time.perf_counter()
            parser.parse(m, now=now)
            lat.append(time.perf_counter() - s)
    wall = time.perf_counter() - t0
    lat.sort()
    p50 = lat[len(lat) // 2] * 1000
    p99 = lat[int(len(lat) * 0.99)] * 1000
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    cold = cold_start(extra=("--rules-only",) if args.rules_only else ())
    print(f"messages          {len(msgs)} x {args.rounds} rounds (mean {statistics.mean(map(len, msgs)):.0f} chars)")
    print(f"parser load       {load_s:.2f} s (in process{', rules only' if args.rules_only else ''})")
    print(f"throughput        {len(lat) / wall:,.0f} msg/s (one process, after warm-up)")
    print(f"latency           p50 {p50:.3f} ms, p99 {p99:.3f} ms, max {lat[-1] * 1000:.3f} ms")
    print(f"cold start        {cold:.2f} s (`daqiao parse --jsonl`, one line, best of 3)")
    print(f"peak memory       {peak_mb:.0f} MB (max RSS of this process)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
