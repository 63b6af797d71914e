"""Replay every recorded conversation in tests/data and write what the bot said, one file each.

A refactor must leave these outputs byte-identical; a fix shows as a reviewed diff:

    python -m tools.replay_snapshot OUT_DIR      # then: diff -r BEFORE_DIR OUT_DIR

Each file is replayed through the real `daqiao replay` on a fresh SQLite database, once with
the minimal contract config and once with the sample `config.yaml` (cadre group, departments).
"""

from __future__ import annotations

import shlex
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "tests" / "data"
MINIMAL = "timezone: Asia/Shanghai\nbot:\n  name: 小桥\ncadres:\n  - wxid_cadre_zheng\n"
DEFAULT_ARGS = ["--clock", "simulated"]


def replays() -> list[Path]:
    files = sorted(DATA.glob("*.jsonl")) + sorted((DATA / "scenarios").glob("*.jsonl"))
    return [p for p in files if not p.stem.endswith(".expected")]


def run(path: Path, config: Path, out: Path) -> None:
    args_file = path.with_suffix(".args")
    extra = shlex.split(args_file.read_text()) if args_file.exists() else DEFAULT_ARGS
    with tempfile.TemporaryDirectory() as tmp:
        db = f"sqlite:///{Path(tmp) / 'd.db'}"
        done = subprocess.run([sys.executable, "-m", "bot", "replay", str(path), "--config",
                               str(config), "--db", db, *extra], capture_output=True, cwd=tmp,
                              timeout=300)
    out.write_bytes(done.stdout + f"# exit {done.returncode}\n".encode())


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print(__doc__, file=sys.stderr)
        return 2
    out_dir = Path(argv[0])
    out_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        minimal = Path(tmp) / "minimal.yaml"
        minimal.write_text(MINIMAL, encoding="utf-8")
        sample = Path(tmp) / "sample.yaml"  # a copy: its exports land in tmp, not the checkout
        sample.write_text((ROOT / "config.yaml").read_text(encoding="utf-8"), encoding="utf-8")
        for cfg_name, cfg in (("minimal", minimal), ("sample", sample)):
            for path in replays():
                name = f"{path.parent.name}.{path.stem}.{cfg_name}.jsonl"
                run(path, cfg, out_dir / name)
                print(name, file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
