"""One pass per message: archive, route, handle, queue the replies, commit."""

from __future__ import annotations

import json
import logging
import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.exc import DBAPIError

from bot import replies
from bot.config import Config
from bot.context import Clock, Ctx
from bot.handlers import requests
from bot.handlers.common import UsageError
from bot.outbox import Outbox
from bot.permissions import allowed
from bot.router import PREFIX, Command, Registry, has_prefix, read_ref
from bot.types import MESSAGE_TYPES, InboundMessage, Reply
from parsers import Parsed, Parser
from parsers.normalize import normalize
from storage import Repository
from storage.models import Group, Member
from storage.models import Outbox as OutboxRow

log = logging.getLogger(__name__)

# Longer texts are archived whole but parsed only this far: a 100 KB paste is not a post.
MAX_PARSE_CHARS = 2000

def _owner(cmd: Command, ctx: Ctx) -> str | None:
    """The owner of what a command names (its poster or requester), for the permission check."""
    if ctx.ref is None:
        return None
    if cmd.target == "posting":
        p = ctx.repo.posting(ctx.ref)
        return p.poster_id if p else None
    if cmd.target == "request":
        r = ctx.repo.request(ctx.ref)
        return r.requester_id if r else None
    return None


@dataclass(frozen=True)
class Dispatched:
    """What one message caused: the replies handlers returned, the outbox rows they became
    (after the privacy screen), and the command run, if any."""

    replies: list[Reply] = field(default_factory=list)
    queued: list[OutboxRow] = field(default_factory=list)
    command: str | None = None

    @property
    def reschedule(self) -> bool:
        """Whether the schedule may have changed (a group's digest time was set)."""
        return self.command == "设置"


NOTHING = Dispatched()


class Dispatcher:
    """Turns an InboundMessage into stored state and queued replies."""

    def __init__(self, repo: Repository, config: Config, clock: Clock, parser: Parser,
                 registry: Registry, outbox: Outbox, *, can_direct: bool = True) -> None:
        self.repo, self.config, self.clock = repo, config, clock
        self.parser, self.registry, self.outbox = parser, registry, outbox
        self.can_direct = can_direct
        # Groups and members seen in this process, by key: saves two look-ups per message.
        # The objects stay in the repository's session (it never expires on commit).
        self._groups: dict[tuple[str, str], Group] = {}
        self._members: dict[str, Member] = {}
        # Messages by outcome (the archive status, or "seen before"), for a replay's summary.
        self.counts: Counter[str] = Counter()

    def display_name(self, sender_id: str) -> str:
        m = self._members.get(sender_id) or self.repo.member(sender_id)
        return m.display_name if m is not None and m.display_name else sender_id

    def _group(self, msg: InboundMessage, now: datetime) -> Group:
        name = msg.chat_name or msg.chat_id or self.config.default_group
        external = msg.chat_id if msg.chat_id != name else None
        key = (external or "", name)
        g = self._groups.get(key)
        if g is None or g.name != name:
            cfg_group = self.config.group(name)
            g = self.repo.ensure_group(name, transport=msg.transport, external_id=external,
                                       now=now,
                                       is_cadre_group=bool(cfg_group and cfg_group.cadre_group))
            self._groups[key] = g
        return g

    def _member(self, msg: InboundMessage, now: datetime) -> Member:
        m = self._members.get(msg.sender_id)
        if m is None or m.display_name != msg.sender_name:
            m = self.repo.ensure_member(msg.sender_id, msg.sender_name, now=now)
            self._members[msg.sender_id] = m
        return m

    def dispatch(self, msg: InboundMessage) -> Dispatched:
        """Process one message once. Returns what it caused.

        A database connection lost on the way (the server restarted) is not the message's
        fault: its transaction is rolled back and the message is processed again, once, on a
        new connection (SQLAlchemy reconnects an invalidated connection after the rollback).
        """
        try:
            out = self._dispatch(msg)
        except DBAPIError as e:
            if not e.connection_invalidated:
                raise
            log.warning("database connection lost (%s); message %s again on a new connection",
                        type(e.orig).__name__, msg.message_id)
            self._forget()
            out = self._dispatch(msg)
        return out

    def _forget(self) -> None:
        """Roll back the transaction in hand and drop what was cached from it."""
        self.repo.rollback()
        self._groups.clear()  # a rollback may have undone rows these point at
        self._members.clear()

    def _dispatch(self, msg: InboundMessage) -> Dispatched:
        repo = self.repo
        now = self.clock.now()
        if msg.is_from_self:
            # The gateway's echo of something the bot sent: proof that a reply left in doubt
            # by a crash did go out (see Outbox.attempted_at). Never answered.
            if msg.text:
                group = self._group(msg, now) if msg.is_group else None
                to = (msg.raw or {}).get("to_local") if group is None else None
                settled = repo.settle_in_doubt(group.id if group else None, to, msg.text,
                                               echo_id=msg.message_id, sent=msg.time, now=now)
                if settled is not None:
                    log.info("outbox row %s confirmed sent by the gateway's echo", settled.id)
                repo.commit()
            return NOTHING
        group = self._group(msg, now) if msg.is_group else None
        member = self._member(msg, now)
        fields = dict(
            transport=msg.transport, message_id=msg.message_id,
            group_id=group.id if group else None, sender_id=msg.sender_id,
            sender_name=msg.sender_name, type=msg.type, text=msg.text, time=msg.time,
            is_group=msg.is_group,
            raw=json.dumps(dict(msg.raw), ensure_ascii=False, default=str) if msg.raw else None)
        # Parsing is pure, so it comes before the archive row, and the row is written once,
        # with how the message was handled. A failure later rolls the row back with the rest
        # of the work and writes it again, marked failed (see below).
        parsed, error = self._parse(msg)
        stale = bool(msg.raw and msg.raw.get("stale")) and parsed is not None
        status = ("failed" if error is not None else "stale" if stale
                  else "done" if msg.type == "text" else "skipped")
        # The archive row, the message's work and its replies commit as one transaction.
        row = repo.archive(**fields, status=status, parse=parsed.to_json() if parsed else None,
                           error=_error_text(error))
        if row is None:  # archived before (a replayed file, a gateway re-delivery, another bot)
            log.debug("message %s/%s already processed; skipped", msg.transport, msg.message_id)
            repo.commit()
            self.counts["seen before"] += 1
            return NOTHING
        ctx = Ctx(repo=repo, config=self.config, clock=self.clock, parser=self.parser, log=log,
                  msg=msg, group=group, member=member, row=row, can_direct=self.can_direct,
                  registry=self.registry, parsed=parsed)
        if stale:
            # From before this run (a gateway catching up after downtime): kept and read,
            # but an old command is not carried out and an old post is not answered now.
            repo.commit()
            self.counts[status] += 1
            return NOTHING
        is_command = False
        try:
            if error is not None:
                raise error
            out, is_command = self._route(ctx)
            # Paused: the work is still recorded (nothing lost), but the group hears nothing
            # (decided after the privacy screen, which may move a reply out of the group).
            silent = group is not None and group.paused and not (
                is_command and ctx.command in ("暂停", "恢复"))
            queued = self.outbox.put(out, key=f"m{row.id}", now=now,
                                     silent_group=group.id if silent else None)
            repo.commit()
            self.counts[status] += 1
            return Dispatched(out, queued, ctx.command or None)
        except Exception as e:  # noqa: BLE001 - a failing message must not stop the bot
            if isinstance(e, DBAPIError) and e.connection_invalidated:
                raise  # not this message's failure: dispatch() tries it again
            log.exception("message %s failed", msg.message_id)
            self._forget()  # the half-done work, and with it the archive row
            out = [ctx.say(replies.command_failed())] if is_command or has_prefix(msg.text) else []
            if group is not None:
                group = self._group(msg, now)
                fields["group_id"] = group.id
                ctx.group = group
            self._member(msg, now)
            # Nothing lost: the message is kept, marked failed.
            row = repo.archive(**fields, status="failed",
                               parse=parsed.to_json() if parsed else None, error=_error_text(e))
            if row is None:  # another process took it meanwhile
                repo.rollback()
                self.counts["seen before"] += 1
                return NOTHING
            queued = self.outbox.put(out, key=f"m{row.id}", now=now)
            repo.commit()
            self.counts["failed"] += 1
            return Dispatched(out, queued, ctx.command or None)

    def _parse(self, msg: InboundMessage) -> tuple[Parsed | None, Exception | None]:
        """The parse of a text message (None for other types), or the error parsing raised."""
        if msg.type != "text" or not msg.text or not msg.text.strip():
            return None, None
        text = msg.text
        if len(text) > MAX_PARSE_CHARS:
            log.warning("message %s is %d chars; parsing the first %d", msg.message_id,
                        len(text), MAX_PARSE_CHARS)
            text = text[:MAX_PARSE_CHARS]
        try:
            return self.parser.parse(text, now=msg.time.astimezone(self.config.tz)), None
        except Exception as e:  # noqa: BLE001 - archived as failed, see _dispatch
            return None, e

    def _route(self, ctx: Ctx) -> tuple[list[Reply], bool]:
        """The replies to a message and whether it was a command."""
        msg = ctx.msg
        if msg.type in ("image", "file", "video", "voice"):
            # Photos and files are archived; one from a requester is attached to the request.
            attached = requests.attach_media(ctx)
            return ([attached] if attached else []), False
        parsed = ctx.parsed
        if parsed is None:
            if msg.type not in ("text",):
                level = logging.INFO if msg.type in MESSAGE_TYPES else logging.WARNING
                log.log(level, "message %s of type %s archived, not handled", msg.message_id, msg.type)
            else:
                log.warning("message %s has no text; archived, not handled", msg.message_id)
            return [], False
        body = parsed.text
        direct = ctx.group is None
        # Commands: a prefix, or in a direct message / an @-mention a bare command word.
        prefixed = has_prefix(body)
        if prefixed or ((direct or msg.mentions_bot) and self.registry.match(body, prefixed=False)[0]):
            cmd, word, args = self.registry.match(body, prefixed=prefixed)
            return self._command(ctx, cmd, word, args, prefixed), True
        if parsed.intent in ("other", "request", "claim") and len(body) <= 200:
            # A requester answering the bot: a rating, or the information a cadre asked for.
            answered = requests.on_requester_reply(ctx)
            if answered:
                return answered, False
        handler = self.registry.listener(parsed.intent)
        if handler is None:
            if direct:
                return [ctx.say(replies.direct_hint())], False
            return [], False
        return _as_list(handler(ctx)), False

    def _command(self, ctx: Ctx, cmd: Command | None, word: str, args: str,
                 prefixed: bool) -> list[Reply]:
        if cmd is None:
            return [ctx.say(replies.unknown_command(word, self.registry.suggest(word)))]
        ctx.command, ctx.args = cmd.name, args
        ctx.raw_args = _raw_args(ctx.msg.text or "", word, args, prefixed=prefixed)
        if cmd.target is not None:
            # One reading of the reference, for the owner check and the handler alike.
            ref = read_ref(args, cmd.target)
            if ref is not None:
                ctx.ref, ctx.rest = ref
                raw = read_ref(ctx.raw_args, cmd.target)
                ctx.raw_rest = raw[1] if raw is not None and raw[0] == ctx.ref else ctx.rest
        if not allowed(cmd.permission, ctx.msg.sender_id, ctx.repo, self.config,
                       owner_id=_owner(cmd, ctx)):
            log.info("refused #%s for %s", cmd.name, ctx.msg.sender_id)
            ctx.repo.audit(actor_id=ctx.msg.sender_id, action=cmd.name, now=ctx.now(),
                           group_id=ctx.group.id if ctx.group else None, target=args[:64] or None,
                           allowed=False)
            if ctx.group is not None and self.config.quiet_refusals:
                return []
            return [ctx.say(replies.no_permission(cmd.name, cmd.permission))]
        try:
            return _as_list(cmd.handler(ctx))
        except UsageError:
            return [ctx.say(replies.usage(cmd.name, cmd.usage))]


def _error_text(e: Exception | None) -> str | None:
    return f"{type(e).__name__}: {e}" if e is not None else None


def _raw_args(raw: str, word: str, args: str, *, prefixed: bool) -> str:
    """The arguments as the sender typed them (full-width punctuation and all).

    They follow the command word where the command really stands: with a prefix, after
    `#WORD`, not after the same word inside an @mention or a quote. The first candidate that
    normalises to the arguments the command was matched with is taken (or begins with them:
    a long message is parsed only so far); failing that, the first candidate.
    """
    pattern = re.compile((PREFIX.pattern.lstrip("^") if prefixed else "") + re.escape(word))
    candidates = [raw[m.end():].strip() for m in pattern.finditer(raw)]
    for rest in candidates:
        norm = normalize(rest).text.strip()
        if norm == args or (args and len(norm) > len(args) and norm.startswith(args)):
            return rest
    return candidates[0] if candidates else args


def _as_list(result: object) -> list[Reply]:
    if result is None:
        return []
    if isinstance(result, Reply):
        return [result]
    return list(result)  # type: ignore[call-overload]
