"""The `daqiao` command (shared/spec/cli.md): run, parse, replay, export."""

from __future__ import annotations

import argparse
import json
import logging
import os
import re
import signal
import sys
import time
from collections.abc import Iterable
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bot.config import Config, ConfigError, load_config
from bot.types import InboundMessage

if TYPE_CHECKING:
    from parsers import Parser
    from storage import Repository

log = logging.getLogger("daqiao")
PROGRESS_SECONDS = 10  # a long replay says how far it is this often


def _common(p: argparse.ArgumentParser) -> None:
    p.add_argument("--config", default=os.environ.get("DAQIAO_CONFIG"),
                   help="YAML config (default ./config.yaml)")
    p.add_argument("--db", default=None, help="SQLAlchemy URL (overrides the config)")
    p.add_argument("-v", "--verbose", action="store_true", help="debug logging")
    p.add_argument("--log-file", metavar="PATH", default=None,
                   help="append the log to PATH instead of standard error")


def _config(args: argparse.Namespace) -> Config:
    path = args.config
    if path is None and Path("config.yaml").exists():
        path = "config.yaml"
    return load_config(path, db=args.db)


def cmd_parse(args: argparse.Namespace, cfg: Config) -> int:
    """`daqiao parse --jsonl`: one JSON result per input line (shared/spec/parse.md)."""
    from parsers import Parser  # noqa: PLC0415 - keeps `daqiao --help` fast

    parser = Parser.load(places=cfg.places, jobs=cfg.jobs, model=not args.rules_only)
    if args.explain:
        return _explain(parser, args.texts or (line.rstrip("\n") for line in sys.stdin), cfg)
    if args.texts:
        print("daqiao: parse --jsonl reads standard input; TEXT goes with --explain",
              file=sys.stderr)
        return 2
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


def _explain(parser: Parser, texts: Iterable[str], cfg: Config) -> int:
    """`daqiao parse --explain`: each message, then why it parsed as it did (the TEXT
    arguments, or else each line of standard input as one message)."""
    now = datetime.now(cfg.tz)
    for text in texts:
        if not text.strip():
            continue
        print(text.replace("\n", "\\n"))
        for line in parser.explain(text, now=now).lines():
            print("  " + line)
    return 0


class _Stop(Exception):
    """Raised by the signal handler while the bot waits for input."""


def cmd_run(args: argparse.Namespace, cfg: Config) -> int:
    """`daqiao run`: the bot until end of input or SIGINT/SIGTERM."""
    from bot.app import build_app  # noqa: PLC0415
    from bot.clock import SystemClock  # noqa: PLC0415

    transport_name = args.transport or ("wechaty" if (args.endpoint or os.environ.get(
        "WECHATY_PUPPET_SERVICE_ENDPOINT")) else "console")
    if args.fresh:
        problem = _empty_sqlite(cfg.db_url)
        if problem:
            print(f"daqiao: --fresh: {problem}", file=sys.stderr)
            return 2
    clock = SystemClock()
    if transport_name == "wechaty":
        if not args.endpoint:
            print("daqiao: --transport wechaty needs --endpoint HOST:PORT "
                  "(or WECHATY_PUPPET_SERVICE_ENDPOINT)", file=sys.stderr)
            return 2
        from bot.transports.wechaty import Pacer, WechatyTransport  # noqa: PLC0415
        from bot.transports.wechaty_tls import env_no_tls  # noqa: PLC0415
        from storage import make_engine  # noqa: PLC0415
        from storage.repository import Identities  # noqa: PLC0415

        # The gateway bindings never move a role holder by name (storage.identities).
        identities = Identities(make_engine(cfg.db_url), "wechaty", role_ids=cfg.role_ids)
        try:
            transport: Any = WechatyTransport(
                args.endpoint, identities=identities,
                clock=clock, token=args.token, bot_name=cfg.bot_name,
                # a switch on the command line, else the environment, else the config
                tls=args.tls if args.tls is not None else (False if env_no_tls() else cfg.wechaty_tls),
                tls_ca_cert=args.tls_ca_cert or cfg.wechaty_tls_ca_cert,
                tls_server_name=args.tls_server_name or cfg.wechaty_tls_server_name,
                pacer=Pacer(per_chat=cfg.pace_seconds, jitter=cfg.pace_jitter,
                            per_minute=cfg.pace_per_minute, backoff=cfg.backoff_minutes * 60),
                stale_grace=timedelta(minutes=cfg.stale_minutes))
        except ValueError as e:
            print(f"daqiao: {e}", file=sys.stderr)
            return 2
    elif transport_name == "wecom":
        transport = _wecom_transport(cfg, clock)
        if isinstance(transport, int):
            return transport
        identities = transport.ids
    else:
        from bot.transports.console import ConsoleTransport  # noqa: PLC0415

        transport = ConsoleTransport(bot_name=cfg.bot_name, default_group=cfg.default_group,
                                     clock=clock, echo=args.echo, senders=cfg.console_senders)
    app = build_app(cfg, transport, clock=clock)
    from bot.transports.media import MediaStore  # noqa: PLC0415

    transport.media = MediaStore.of(cfg)  # photos and files kept under media.dir (issue 28)
    if transport_name == "wechaty":
        transport.on_alert = app.account_logged_out
        transport.on_idle = app.flush_if_backlog
        identities.on_record = app.identities_recorded
    if transport_name == "wecom":
        transport.on_alert = lambda why: _wecom_alert(app, why)
        from bot.handlers.admin import mention_only_setting  # noqa: PLC0415

        transport.group_mode = lambda group: mention_only_setting(app.repo, group)
        transport.on_idle = app.flush_if_backlog
        identities.on_record = app.identities_recorded
    busy = {"now": False}

    def handle(msg):  # type: ignore[no-untyped-def]
        busy["now"] = True
        try:
            app.handle(msg)
        finally:
            busy["now"] = False

    def on_signal(signum, _frame):  # type: ignore[no-untyped-def]
        log.info("signal %d: stopping after the message in hand", signum)
        transport.stop()
        if not busy["now"] and transport_name == "console":
            raise _Stop()  # the console blocks reading stdin; the gateway loop ends by itself

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    app.start_realtime()
    log.info("daqiao running on %s with %s%s", transport_name, _safe_url(cfg.db_url),
             "; type NAME: TEXT" if transport_name == "console" else "")
    try:
        transport.run(handle)
    except _Stop:
        pass
    except Exception as e:  # the WeCom gateway gave up (WecomFatal): say why, exit non-zero
        if type(e).__name__ != "WecomFatal":
            raise
        print(f"daqiao: {e}", file=sys.stderr)
        return 3
    finally:
        app.close()
    return 0


def _wecom_transport(cfg: Config, clock: Any) -> Any:
    """`run --transport wecom`: the WeCom intelligent bot (bot/transports/wecom.py), its
    id and secret from WECOM_BOT_ID / WECOM_BOT_SECRET; an int is the exit status."""
    from bot.transports.wechaty import Pacer  # noqa: PLC0415
    from bot.transports.wecom import WecomOptions, WecomTransport, from_environment  # noqa: PLC0415
    from storage import make_engine  # noqa: PLC0415
    from storage.repository import Identities  # noqa: PLC0415

    bot_id, secret = from_environment()
    if not bot_id or not secret:
        print("daqiao: --transport wecom needs WECOM_BOT_ID and WECOM_BOT_SECRET in the "
              "environment (the secret never goes in the config file)", file=sys.stderr)
        return 2
    try:
        options = WecomOptions.from_config(cfg.wecom)
    except ValueError as e:
        print(f"daqiao: {e}", file=sys.stderr)
        return 2
    w = cfg.wecom
    identities = Identities(make_engine(cfg.db_url), "wecom", role_ids=cfg.role_ids)
    return WecomTransport(
        bot_id=bot_id, secret=secret, identities=identities, clock=clock, options=options,
        bot_name=cfg.bot_name,
        pacer=Pacer(per_chat=float(w.get("pace_seconds", cfg.pace_seconds)),
                    jitter=float(w.get("pace_jitter", cfg.pace_jitter)),
                    per_minute=int(w.get("pace_per_minute", cfg.pace_per_minute)),
                    backoff=cfg.backoff_minutes * 60),
        stale_grace=timedelta(minutes=cfg.stale_minutes))


def _wecom_alert(app: Any, why: str) -> None:
    """The WeCom connection is lost for good: a note to the cadre group, sent when the bot
    is next connected (the log says it now)."""
    from bot import replies  # noqa: PLC0415
    from bot.types import Reply  # noqa: PLC0415

    def note(ctx: Any, when: datetime) -> list[Reply]:
        group = ctx.repo.cadre_group()
        return [Reply(text=replies.wecom_connection_lost(), group=group.id,
                      key=f"wecom-lost:{when.isoformat()}")] if group is not None else []

    app._run("wecom-lost", note, app.clock.now(), flush=False)


def _safe_url(url: str) -> str:
    return re.sub(r"//([^:/@]+):[^@]+@", r"//\1:***@", url)


def _empty_sqlite(url: str) -> str | None:
    """`run --fresh`: delete the SQLite file `url` names (with its journal, -wal and -shm
    files), so the run starts on an empty database. Returns why it cannot, else None."""
    from sqlalchemy.engine import make_url  # noqa: PLC0415
    from sqlalchemy.exc import ArgumentError  # noqa: PLC0415

    try:
        u = make_url(url)
    except ArgumentError:
        return f"not a database URL: {_safe_url(url)}"
    if u.get_backend_name() != "sqlite":
        return (f"only a SQLite database file can be started afresh, not {_safe_url(url)}; "
                "empty that database yourself")
    name = u.database or ""
    if name.startswith("file:"):  # sqlite:///file:NAME?mode=...&uri=true
        name = name[len("file:"):].split("?", 1)[0]
    if name in ("", ":memory:") or u.query.get("mode") == "memory":
        return None  # an in-memory database starts empty anyway
    path = Path(name)
    if path.is_dir():
        return f"{path} is a directory, not a database file"
    removed = []
    for p in (path, *(path.with_name(path.name + s) for s in ("-journal", "-wal", "-shm"))):
        try:
            p.unlink()
            removed.append(str(p))
        except FileNotFoundError:
            pass
        except OSError as e:
            return f"cannot delete {p}: {e.strerror}"
    log.info("--fresh: %s; starting on an empty database",
             f"deleted {', '.join(removed)}" if removed else f"no {path} yet")
    return None


def cmd_replay(args: argparse.Namespace, cfg: Config) -> int:
    """`daqiao replay FILE`: recorded messages through the same pipeline as `run`."""
    from bot.app import build_app  # noqa: PLC0415
    from bot.clock import ManualClock  # noqa: PLC0415
    from bot.transports.replay import ReplayTransport  # noqa: PLC0415

    simulated = args.clock == "simulated"
    until = None
    if args.until:
        try:
            until = datetime.fromisoformat(args.until)
        except ValueError:
            print(f"daqiao: --until: not an ISO-8601 time: {args.until!r}", file=sys.stderr)
            return 2
        if until.tzinfo is None:
            until = until.replace(tzinfo=cfg.tz)
        if not simulated:
            log.warning("--until has no effect without --clock simulated")
    try:
        source = sys.stdin.buffer if args.file == "-" else open(args.file, "rb")  # noqa: SIM115
    except OSError as e:
        print(f"daqiao: cannot read {args.file}: {e.strerror}", file=sys.stderr)
        return 2
    transport = ReplayTransport(source, tz=cfg.tz)
    from bot.transports.media import MediaStore  # noqa: PLC0415

    transport.media = MediaStore.of(cfg)  # files the input names, kept (issue 28)
    clock = ManualClock(datetime(1970, 1, 1, tzinfo=cfg.tz))
    app = build_app(cfg, transport, clock=clock, simulated=simulated)
    started = time.monotonic()
    progress = [started]

    def handle(msg: InboundMessage) -> None:
        app.handle(msg)
        now = time.monotonic()
        if now - progress[0] >= PROGRESS_SECONDS:  # a long history file: say how far it is
            progress[0] = now
            n = app.dispatcher.counts.total()
            log.info("replay: %s messages so far, %.0f a second", f"{n:,}", n / (now - started))

    try:
        transport.run(handle)
        if simulated and until is not None:
            app.advance(until)
        elif simulated:
            app.save_clock()
    except OSError as e:
        print(f"daqiao: reading {args.file} failed: {e}", file=sys.stderr)
        return 2
    finally:
        app.close()
        if source is not sys.stdin.buffer:
            source.close()
    elapsed = time.monotonic() - started
    counts = app.dispatcher.counts
    n = counts.total()
    outcomes = ", ".join(f"{k} {v:,}" for k, v in sorted(counts.items()) if v)
    log.info("replay: %s messages in %.2f s (%.0f a second)%s; %d bad line(s); %s replies",
             f"{n:,}", elapsed, n / elapsed if elapsed > 0 else 0.0,
             f": {outcomes}" if outcomes else "", transport.bad_lines, f"{app.sent:,}")
    if transport.bad_lines:
        log.warning("%d bad line(s) skipped", transport.bad_lines)
    return 0


def _repository(cfg: Config) -> Repository:
    """The store the config names, its schema brought up to date (for one-shot commands)."""
    from storage import Repository, make_engine, migrate  # noqa: PLC0415

    engine = make_engine(cfg.db_url)
    migrate(engine)
    return Repository(engine)


def cmd_export(args: argparse.Namespace, cfg: Config) -> int:
    """`daqiao export requests|postings|allocations --xlsx FILE`: the ledger a cadre hands on.
    (`daqiao export person PERSON [--json FILE]` is `cmd_export_person`.)"""
    from bot.exports import write_xlsx  # noqa: PLC0415

    if args.kind == "person":
        return cmd_export_person(args, cfg)
    if args.person is not None or args.json:
        print(f"daqiao: export {args.kind}: takes --xlsx FILE only (a person's data is "
              "`export person PERSON [--json FILE]`)", file=sys.stderr)
        return 2
    if not args.xlsx:
        print(f"daqiao: export {args.kind}: --xlsx FILE is required", file=sys.stderr)
        return 2
    repo = _repository(cfg)
    try:
        rows = write_xlsx(args.kind, repo, cfg.tz, datetime.now(cfg.tz), Path(args.xlsx))
    except OSError as e:
        print(f"daqiao: cannot write {args.xlsx}: {e.strerror}", file=sys.stderr)
        return 2
    finally:
        repo.close()
    log.info("%s ledger: %d rows written to %s", args.kind, rows, args.xlsx)
    return 0


def _one_person(repo: Any, ref: str, verb: str) -> tuple[str | None, int]:
    """(the stable id `ref` names, 0), or (None, exit status) after saying why not.

    An id with rows under it is taken as it is; otherwise `ref` is a display name, which
    must belong to exactly one person (the candidates are listed when it does not)."""
    found = repo.people(ref)
    if len(found) == 1:
        return found[0], 0
    if not found:
        if repo.was_erased(ref):
            return ref, 0  # nothing is left of them: the verb finds nothing to do
        print(f"daqiao: {verb}: nobody is stored under the id or name {ref!r}", file=sys.stderr)
        return None, 2
    print(f"daqiao: {verb}: {ref!r} is the name of {len(found)} people; give one of these "
          "ids instead:", file=sys.stderr)
    for pid in found:
        print(f"  {pid}  ({', '.join(repo.names_of(pid)) or '-'})", file=sys.stderr)
    return None, 2


def cmd_forget(args: argparse.Namespace, cfg: Config) -> int:
    """`daqiao forget PERSON`: erase or anonymise everything about one person (PIPL art. 47),
    figures kept (storage.personal). Idempotent; the counts go to the log."""
    repo = _repository(cfg)
    try:
        person, status = _one_person(repo, args.person, "forget")
        if person is None:
            return status
        now = datetime.now(cfg.tz)
        counts = repo.erase_person(person, now=now, keep_numbers=cfg.public_numbers)
        pseudonym = repo.pseudonym(person)
        if any(counts.values()):
            repo.audit(actor_id="cli", action="forget", now=now, target=pseudonym, after=counts)
        repo.commit()
    finally:
        repo.close()
    total = sum(counts.values())
    log.info("forget: %s; rows changed: %s", f"erased, now {pseudonym}" if total else
             f"nothing left to erase ({pseudonym})",
             ", ".join(f"{k} {v}" for k, v in counts.items()))
    return 0


def _plain(value: Any, tz: Any) -> Any:
    """A stored value as JSON: times in the configured zone, dates as ISO dates."""
    if isinstance(value, datetime):
        return value.astimezone(tz).isoformat() if value.tzinfo else value.isoformat()
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def cmd_export_person(args: argparse.Namespace, cfg: Config) -> int:
    """`daqiao export person PERSON [--json FILE]`: everything stored about one person, as
    JSON (PIPL art. 45): their messages, postings, claims, placements, requests with their
    events, member record, the bot's private messages to them."""
    if not args.person:
        print("daqiao: export person: give their id or name: export person PERSON "
              "[--json FILE]", file=sys.stderr)
        return 2
    if args.xlsx:
        print("daqiao: export person: writes JSON (--json FILE), not --xlsx", file=sys.stderr)
        return 2
    repo = _repository(cfg)
    try:
        person, status = _one_person(repo, args.person, "export person")
        if person is None:
            return status
        data = repo.person_data(person)
    finally:
        repo.close()
    text = json.dumps(data, ensure_ascii=False, indent=2, default=lambda v: _plain(v, cfg.tz))
    if args.json:
        try:
            Path(args.json).write_text(text + "\n", encoding="utf-8")
        except OSError as e:
            print(f"daqiao: cannot write {args.json}: {e.strerror}", file=sys.stderr)
            return 2
        log.info("export person: %d messages, %d requests written to %s",
                 len(data["messages"]), len(data["requests"]), args.json)
    else:
        sys.stdout.write(text + "\n")
    return 0


def build_argparser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(prog="daqiao", description="搭桥: shared-employee group bot")
    sub = ap.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("parse", help="parse messages (JSONL in, JSONL out), or explain a parse")
    _common(p)
    how = p.add_mutually_exclusive_group(required=True)
    how.add_argument("--jsonl", action="store_true", help="JSON lines in and out")
    how.add_argument("--explain", action="store_true",
                     help="say which rule decided each TEXT, which rules it overruled, and what "
                          "the intent model thinks; with no TEXT, standard input is read one "
                          "message per line")
    p.add_argument("texts", nargs="*", metavar="TEXT", help="with --explain: messages to explain")
    p.add_argument("--rules-only", action="store_true",
                   help="the intent rules alone, without the intent model's second opinion")
    p.set_defaults(func=cmd_parse)

    p = sub.add_parser("run", help="run the bot")
    _common(p)
    p.add_argument("--transport", choices=["console", "wechaty", "wecom"], default=None,
                   help="console (default), wechaty (a puppet service), or wecom (the WeCom "
                        "intelligent bot; WECOM_BOT_ID and WECOM_BOT_SECRET from the "
                        "environment)")
    p.add_argument("--endpoint", default=os.environ.get("WECHATY_PUPPET_SERVICE_ENDPOINT"))
    p.add_argument("--token", default=os.environ.get("WECHATY_PUPPET_SERVICE_TOKEN"))
    # Issue 29: TLS the way the official Wechaty client does it (bot/transports/wechaty_tls.py).
    p.add_argument("--tls", action="store_true", default=None,
                   help="use TLS to the puppet service (the default when a CA, a server name "
                        "or a token with a server-name prefix such as insecure_… is given)")
    p.add_argument("--no-tls", dest="tls", action="store_false",
                   help="plain gRPC to the puppet service (also "
                        "WECHATY_PUPPET_SERVICE_NO_TLS_INSECURE_CLIENT=true)")
    p.add_argument("--tls-ca-cert", default=os.environ.get("WECHATY_PUPPET_SERVICE_TLS_CA_CERT"),
                   help="the CA that issued the gateway's certificate: PEM text or a PEM file "
                        "(default: WECHATY_PUPPET_SERVICE_TLS_CA_CERT, else the Wechaty root CA)")
    p.add_argument("--tls-server-name",
                   default=os.environ.get("WECHATY_PUPPET_SERVICE_TLS_SERVER_NAME"),
                   help="the name the gateway's certificate is issued for (default: "
                        "WECHATY_PUPPET_SERVICE_TLS_SERVER_NAME, else the token's prefix)")
    p.add_argument("--fresh", action="store_true",
                   help="start on an empty database: delete the SQLite file --db/the config "
                        "names first (refused for any other database)")
    p.add_argument("--echo", action=argparse.BooleanOptionalAction, default=None,
                   help="console: repeat each input line on standard output as '> LINE' "
                        "before the answers (default: only when a person types and standard "
                        "output is not a terminal)")
    p.set_defaults(func=cmd_run)

    p = sub.add_parser("replay", help="feed recorded messages through the bot")
    _common(p)
    p.add_argument("file", help="JSONL file, - for standard input")
    p.add_argument("--clock", choices=["real", "simulated"], default="real",
                   help="simulated: run scheduled work on the messages' own time")
    p.add_argument("--until", help="with --clock simulated: keep time running up to this ISO time")
    p.set_defaults(func=cmd_replay)

    p = sub.add_parser("export", help="write a ledger (台账) as an Excel workbook")
    _common(p)
    p.add_argument("kind", choices=["requests", "postings", "allocations", "rewards", "wishes",
                                    "person"],
                   help="a ledger, or `person` for everything stored about one person")
    p.add_argument("person", nargs="?", default=None,
                   help="with `person`: their stable sender id, or a display name only one "
                        "person has")
    p.add_argument("--xlsx", default=None, help="the .xlsx file to write (ledgers: required)")
    p.add_argument("--json", default=None, metavar="FILE",
                   help="with `person`: write the JSON here (default standard output)")
    p.set_defaults(func=cmd_export)

    p = sub.add_parser("forget", help="erase one person's data (names, phones, texts); "
                                      "figures stay")
    _common(p)
    p.add_argument("person", help="their stable sender id, or a display name only one person has")
    p.set_defaults(func=cmd_forget)
    return ap


def main(argv: list[str] | None = None) -> int:
    ap = build_argparser()
    args = ap.parse_args(argv)
    # The log goes to standard error or --log-file, never to standard output: that is the chat
    # (run), or JSON lines (parse, replay).
    try:
        handler: logging.Handler = (logging.FileHandler(args.log_file, encoding="utf-8")
                                    if args.log_file else logging.StreamHandler(sys.stderr))
    except OSError as e:
        print(f"daqiao: cannot write the log file {args.log_file}: {e.strerror}", file=sys.stderr)
        return 2
    logging.basicConfig(
        level=logging.DEBUG if getattr(args, "verbose", False) else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        handlers=[handler],
        force=True,
    )
    logging.captureWarnings(True)  # Python warnings join the log instead of raw stderr
    for noisy in ("alembic", "apscheduler", "jieba"):
        logging.getLogger(noisy).setLevel(logging.DEBUG if args.verbose else logging.WARNING)
    try:
        cfg = _config(args)
    except ConfigError as e:
        print(f"daqiao: {e}", file=sys.stderr)
        return 2
    return int(args.func(args, cfg) or 0)
