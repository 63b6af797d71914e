"""The `daqiao` command (shared/spec/cli.md): run, parse, replay, export."""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from datetime import datetime
from pathlib import Path

from bot.config import Config, ConfigError, load_config

log = logging.getLogger("daqiao")


def _common(p: argparse.ArgumentParser) -> None:
    p.add_argument("--config", default=os.environ.get("DAQIAO_CONFIG"),
                   help="YAML config (default ./config.yaml)")
    p.add_argument("--db", default=None, help="SQLAlchemy URL (overrides the config)")
    p.add_argument("-v", "--verbose", action="store_true", help="debug logging")


def _config(args: argparse.Namespace) -> Config:
    path = args.config
    if path is None and Path("config.yaml").exists():
        path = "config.yaml"
    return load_config(path, db=args.db)


def cmd_parse(args: argparse.Namespace, cfg: Config) -> int:
    """`daqiao parse --jsonl`: one JSON result per input line (shared/spec/parse.md)."""
    from parsers import Parser  # noqa: PLC0415 - keeps `daqiao --help` fast

    parser = Parser.load(places=cfg.places, jobs=cfg.jobs)
    out = sys.stdout
    stdin = sys.stdin.buffer
    for n, raw in enumerate(stdin, 1):
        if not raw.strip():
            continue
        try:
            item = json.loads(raw.decode("utf-8"))
            if not isinstance(item, dict):
                raise ValueError("not a JSON object")
            text = item.get("text")
            if text is not None and not isinstance(text, str):
                raise ValueError("text is not a string")
            when = item.get("time")
            now = datetime.fromisoformat(when) if when else datetime.now(cfg.tz)
            if now.tzinfo is not None:
                now = now.astimezone(cfg.tz) if not when else now
            result = parser.parse(text or "", now=now).to_json()
            result.pop("quote", None)
            result = {"id": item.get("id"), **result}
        except (ValueError, UnicodeDecodeError) as e:
            log.warning("line %d: %s", n, e)
            result = {"id": None, "error": f"line {n}: {e}"}
        out.write(json.dumps(result, ensure_ascii=False) + "\n")
    out.flush()
    return 0


def build_argparser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(prog="daqiao", description="搭桥: shared-employee group bot")
    sub = ap.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("parse", help="parse messages (JSONL in, JSONL out)")
    _common(p)
    p.add_argument("--jsonl", action="store_true", required=True, help="JSON lines in and out")
    p.set_defaults(func=cmd_parse)
    return ap


def main(argv: list[str] | None = None) -> int:
    ap = build_argparser()
    args = ap.parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if getattr(args, "verbose", False) else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    try:
        cfg = _config(args)
    except ConfigError as e:
        print(f"daqiao: {e}", file=sys.stderr)
        return 2
    return int(args.func(args, cfg) or 0)
