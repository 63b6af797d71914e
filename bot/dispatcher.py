"""One pass per message: archive, route, handle, queue the replies, commit."""

from __future__ import annotations

import json
import logging
import re
from datetime import datetime

from bot import replies
from bot.config import Config
from bot.context import Clock, Ctx
from bot.handlers import claims, jobs, requests
from bot.handlers.common import UsageError
from bot.permissions import allowed
from bot.router import Command, Registry, has_prefix
from bot.types import MESSAGE_TYPES, InboundMessage, Reply
from parsers import Parser
from storage import Repository
from storage.models import Message

log = logging.getLogger(__name__)

# Longer texts are archived whole but parsed only this far: a 100 KB paste is not a post.
MAX_PARSE_CHARS = 2000

INTENT_HANDLERS = {
    "job_post": jobs.on_job_post,
    "labor_offer": jobs.on_labor_offer,
    "claim": claims.on_claim,
    "request": requests.on_request,
    "query": jobs.on_query,
}


def _owner(cmd: Command, ctx: Ctx) -> str | None:
    if cmd.permission == "poster":
        return jobs.posting_owner(ctx)
    if cmd.permission == "requester":
        m = re.match(r"^\s*[Rr#]?\s*(\d+)", ctx.args)
        r = ctx.repo.request(int(m.group(1))) if m else None
        return r.requester_id if r else None
    return None


class Dispatcher:
    """Turns an InboundMessage into stored state and queued replies."""

    def __init__(self, repo: Repository, config: Config, clock: Clock, parser: Parser,
                 registry: Registry, *, can_direct: bool = True) -> None:
        self.repo, self.config, self.clock = repo, config, clock
        self.parser, self.registry = parser, registry
        self.can_direct = can_direct

    def dispatch(self, msg: InboundMessage) -> list[Reply]:
        """Process one message once. Returns the replies queued for it."""
        if msg.is_from_self:
            return []
        repo = self.repo
        if repo.seen(msg.transport, msg.message_id) is not None:
            log.info("message %s/%s already processed; skipped", msg.transport, msg.message_id)
            return []
        now = self.clock.now()
        group = None
        if msg.is_group:
            name = msg.chat_name or msg.chat_id or self.config.default_group
            cfg_group = self.config.group(name)
            group = repo.ensure_group(name, transport=msg.transport,
                                      external_id=msg.chat_id if msg.chat_id != name else None,
                                      now=now, is_cadre_group=bool(cfg_group and cfg_group.cadre_group))
        member = repo.ensure_member(msg.sender_id, msg.sender_name, now=now)
        row = repo.archive(
            transport=msg.transport, message_id=msg.message_id,
            group_id=group.id if group else None, sender_id=msg.sender_id,
            sender_name=msg.sender_name, type=msg.type, text=msg.text, time=msg.time,
            is_group=msg.is_group,
            raw=json.dumps(dict(msg.raw), ensure_ascii=False, default=str) if msg.raw else None)
        if row is None:  # another process archived it first
            return []
        ctx = Ctx(repo=repo, config=self.config, clock=self.clock, parser=self.parser, log=log,
                  msg=msg, group=group, member=member, row=row, can_direct=self.can_direct,
                  extra={"registry": self.registry})
        is_command = False
        try:
            out, parsed, is_command = self._route(ctx)
            repo.finish_message(row, "done" if msg.type == "text" else "skipped",
                                parse=parsed)
            self._queue(out, row, now)
            repo.commit()
            return out
        except Exception as e:  # noqa: BLE001 - a failing message must not stop the bot
            log.exception("message %s failed", msg.message_id)
            repo.rollback()
            failed = repo.s.get(Message, row.id)
            out = [ctx.say(replies.command_failed())] if is_command or self._looks_like_command(msg) else []
            if failed is not None:
                repo.finish_message(failed, "failed", error=f"{type(e).__name__}: {e}")
                self._queue(out, failed, now)
            repo.commit()
            return out

    def _looks_like_command(self, msg: InboundMessage) -> bool:
        return has_prefix(msg.text)

    def _route(self, ctx: Ctx) -> tuple[list[Reply], dict | None, bool]:
        msg = ctx.msg
        if msg.type != "text" or not msg.text or not msg.text.strip():
            if msg.type not in ("text",):
                level = logging.INFO if msg.type in MESSAGE_TYPES else logging.WARNING
                log.log(level, "message %s of type %s archived, not handled", msg.message_id, msg.type)
            else:
                log.warning("message %s has no text; archived, not handled", msg.message_id)
            return [], None, False
        text = msg.text
        if len(text) > MAX_PARSE_CHARS:
            log.warning("message %s is %d chars; parsing the first %d", msg.message_id,
                        len(text), MAX_PARSE_CHARS)
            text = text[:MAX_PARSE_CHARS]
        parsed = self.parser.parse(text, now=ctx.local(msg.time))
        ctx.parsed = parsed
        body = parsed.text
        direct = ctx.group is None
        # Commands: a prefix, or in a direct message / an @-mention a bare command word.
        if has_prefix(body) or ((direct or msg.mentions_bot) and self.registry.match(body, prefixed=False)[0]):
            cmd, word, args = self.registry.match(body, prefixed=has_prefix(body))
            out = self._command(ctx, cmd, word, args)
            return out, parsed.to_json(), True
        handler = INTENT_HANDLERS.get(parsed.intent)
        if handler is None:
            if direct:
                return [ctx.say(replies.direct_hint())], parsed.to_json(), False
            return [], parsed.to_json(), False
        result = handler(ctx)
        return _as_list(result), parsed.to_json(), False

    def _command(self, ctx: Ctx, cmd: Command | None, word: str, args: str) -> list[Reply]:
        if cmd is None:
            return [ctx.say(replies.unknown_command(word, self.registry.suggest(word)))]
        ctx.command, ctx.args = cmd.name, args
        if not allowed(cmd.permission, ctx.msg.sender_id, ctx.repo, self.config,
                       owner_id=_owner(cmd, ctx)):
            log.info("refused #%s for %s", cmd.name, ctx.msg.sender_id)
            ctx.repo.audit(actor_id=ctx.msg.sender_id, action=cmd.name, now=ctx.now(),
                           group_id=ctx.group.id if ctx.group else None, target=args[:64] or None,
                           allowed=False)
            return [ctx.say(replies.no_permission(cmd.name))]
        try:
            return _as_list(cmd.handler(ctx))
        except UsageError:
            return [ctx.say(replies.usage(cmd.name, cmd.usage))]

    def _queue(self, out: list[Reply], row: Message, now: datetime) -> None:
        for i, r in enumerate(out):
            group = self.repo.group_by_name(r.chat) if r.chat else None
            self.repo.enqueue(key=f"m{row.id}:{i}", group_id=group.id if group else None,
                              to_id=r.to, text=r.text, mentions="\n".join(r.mentions),
                              file=r.file, reply_to=r.reply_to, due=now, created_at=now)


def _as_list(result: object) -> list[Reply]:
    if result is None:
        return []
    if isinstance(result, Reply):
        return [result]
    return list(result)  # type: ignore[call-overload]
