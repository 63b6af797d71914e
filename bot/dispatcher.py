"""One pass per message: archive, route, handle, queue the replies, commit."""

from __future__ import annotations

import logging
import re
from collections import Counter
from dataclasses import dataclass, field, replace
from datetime import datetime

from sqlalchemy.exc import DBAPIError

from bot import replies
from bot.config import Config
from bot.context import Clock, Ctx
from bot.handlers import claims, requests
from bot.handlers.common import UsageError
from bot.outbox import Outbox
from bot.permissions import allowed
from bot.router import PREFIX, Command, Registry, has_prefix, read_ref
from bot.types import MESSAGE_TYPES, InboundMessage, Reply
from parsers import Parsed, Parser
from parsers.normalize import normalize
from storage import Repository, values
from storage.models import Group, Member, Message
from storage.models import Outbox as OutboxRow

log = logging.getLogger(__name__)

# Longer texts are archived whole but parsed only this far: a 100 KB paste is not a post.
MAX_PARSE_CHARS = 2000

# The columns a message's identifiers and names must fit (storage.models): the archive row,
# and the group and member rows made from it, whose columns are as long.
_MESSAGE_ID = values.limit(Message.__table__.c.message_id)
_SENDER_ID = values.limit(Message.__table__.c.sender_id)
_SENDER_NAME = values.limit(Message.__table__.c.sender_name)
_GROUP = min(values.limit(Group.__table__.c.name), values.limit(Group.__table__.c.external_id))
_TYPE = values.limit(Message.__table__.c.type)
ORIGINAL = "original"  # the key in a message's raw archive of the values `storable` changed


def storable(msg: InboundMessage) -> InboundMessage:
    """The message as every database can store it: the one place where that is decided, for
    every transport, before anything of the message is stored or handled.

    A sender or a file can put into a message what a database refuses (a NUL, a lone
    surrogate, a name longer than its column), and on PostgreSQL one refused statement aborts
    the message's whole transaction. So text loses NUL and lone surrogates
    (storage.values.clean); identifiers (the message, sender and chat ids, and the group name,
    which replay and the console use as the group's key) are cut to their column with a hash
    of the whole, so distinct ones stay distinct; the sender's name and the type are cut
    plainly. Whatever changed is kept exactly as received in the raw archive, under
    raw["original"]. A clean message (nearly every one) comes back as the same object.
    """
    cleaned = {
        "message_id": values.fit_key(msg.message_id, _MESSAGE_ID),
        "sender_id": values.fit_key(msg.sender_id, _SENDER_ID),
        "sender_name": values.fit(msg.sender_name, _SENDER_NAME),
        "chat_id": None if msg.chat_id is None else values.fit_key(msg.chat_id, _GROUP),
        "chat_name": None if msg.chat_name is None else values.fit_key(msg.chat_name, _GROUP),
        "text": None if msg.text is None else values.clean(msg.text),
        "quote": None if msg.quote is None else values.clean(msg.quote),
        "type": values.fit(msg.type, _TYPE),
        # People are compared by id (handlers.people): fitted as their sender ids were.
        "mentions": tuple(values.fit_key(m, _SENDER_ID) for m in msg.mentions),
    }
    changed = {k: v for k, v in cleaned.items() if v != getattr(msg, k)}
    if not changed:
        return msg
    original = {k: getattr(msg, k) for k in changed}
    return replace(msg, **changed, raw={**(msg.raw or {}), ORIGINAL: original})


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


@dataclass
class _InHand:
    """How far a message got before it failed: what the failure path can still use."""

    parsed: Parsed | None = None
    ctx: Ctx | None = None  # set once the archive row is written and a handler may run


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
        """Process one message once. Returns what it caused; never raises.

        The message is made storable first (`storable`). A database connection lost on the
        way (the server restarted) is not the message's fault: its transaction is rolled back
        and the message is processed again, once, on a new connection (SQLAlchemy reconnects
        an invalidated connection after the rollback). Any other error, wherever it arises
        (the group or member row, the archive row, parsing, a handler, queueing the replies),
        is the message's own: `_fail` rolls back everything the message did and archives it
        as failed, with the reason. The next message then starts on a clean session (on
        PostgreSQL a failed statement leaves the transaction aborted until it is rolled back,
        which would drop every later message): a poison message loses only itself.
        """
        hand = _InHand()
        try:
            msg = storable(msg)
            try:
                return self._dispatch(msg, hand)
            except DBAPIError as e:
                if not e.connection_invalidated:
                    raise
                log.warning("database connection lost (%s); message %s again on a new "
                            "connection", type(e.orig).__name__, msg.message_id)
                self._forget()
                hand = _InHand()
                return self._dispatch(msg, hand)
        except Exception as e:  # noqa: BLE001 - one message's failure must not stop the bot
            return self._fail(msg, hand, e)

    def _forget(self) -> None:
        """Roll back the transaction in hand and drop what was cached from it."""
        self.repo.rollback()
        self._groups.clear()  # a rollback may have undone rows these point at
        self._members.clear()

    def _dispatch(self, msg: InboundMessage, hand: _InHand) -> Dispatched:
        repo = self.repo
        now = self.clock.now()
        if repo.changed_elsewhere():  # another bot process changed a role, pause or setting
            self._groups.clear()
            self._members.clear()
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
        # Parsing is pure, so it comes before the archive row, and the row is written once,
        # with how the message was handled. A failure (parsing too) rolls the row back with
        # the rest of the work, and `_fail` writes it again, marked failed.
        parsed, error = self._parse(msg)
        hand.parsed = parsed
        if error is not None:
            raise error
        stale = bool(msg.raw and msg.raw.get("stale")) and parsed is not None
        status = "stale" if stale else "done" if msg.type == "text" else "skipped"
        # The archive row, the message's work and its replies commit as one transaction.
        row = repo.archive(**_fields(msg, group), status=status,
                           parse=parsed.to_json() if parsed else None)
        if row is None:  # archived before (a replayed file, a gateway re-delivery, another bot)
            log.debug("message %s/%s already processed; skipped", msg.transport, msg.message_id)
            repo.commit()
            self.counts["seen before"] += 1
            return NOTHING
        ctx = Ctx(repo=repo, config=self.config, clock=self.clock, parser=self.parser, log=log,
                  msg=msg, group=group, member=member, row=row, can_direct=self.can_direct,
                  registry=self.registry, parsed=parsed)
        hand.ctx = ctx
        if stale:
            # From before this run (a gateway catching up after downtime): kept and read,
            # but an old command is not carried out and an old post is not answered now.
            repo.commit()
            self.counts[status] += 1
            return NOTHING
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

    def _fail(self, msg: InboundMessage, hand: _InHand, error: Exception) -> Dispatched:
        """A message whose handling raised: roll back all it did, archive it as failed with the
        reason, and apologise if it was a command (a failing listener stays silent: a group
        bot never answers chatter because something broke). Never raises.

        Not archived: the bot's own echo (never archived), and a message whose database
        connection was lost again on the retry: that is not the message's fault, and archived
        as failed it would be skipped as seen before when the gateway delivers it again. If
        the failure record cannot be written with its group and member, the archive row alone
        is tried; failing that too, the message is only logged.
        """
        lost = isinstance(error, DBAPIError) and error.connection_invalidated
        if lost:
            log.error("message %s/%s not processed: the database connection was lost again",
                      msg.transport, msg.message_id)
        else:
            log.error("message %s/%s failed", msg.transport, msg.message_id, exc_info=error)
        try:
            self._forget()  # the half-done work, and with it the archive row
            if lost or msg.is_from_self:
                return NOTHING
            try:
                return self._archive_failed(msg, hand, error, bare=False)
            except Exception:  # noqa: BLE001
                log.exception("message %s/%s could not be archived as failed with its group; "
                              "archiving it alone", msg.transport, msg.message_id)
                self._forget()
                return self._archive_failed(msg, hand, error, bare=True)
        except Exception:  # noqa: BLE001 - the next message must still find a clean session
            log.exception("message %s/%s could not be archived as failed", msg.transport,
                          msg.message_id)
            try:
                self._forget()
            except Exception:  # noqa: BLE001
                log.exception("rollback failed after message %s", msg.message_id)
            self.counts["failed"] += 1
            return NOTHING

    def _archive_failed(self, msg: InboundMessage, hand: _InHand, error: Exception, *,
                        bare: bool) -> Dispatched:
        """Archive a failed message (its work already rolled back), with the apology for a
        command, in a transaction of its own. `bare`: the archive row alone."""
        now = self.clock.now()
        group = self._group(msg, now) if msg.is_group and not bare else None
        if not bare:
            self._member(msg, now)
        parsed = hand.parsed
        row = self.repo.archive(**_fields(msg, group), status="failed",
                                parse=parsed.to_json() if parsed else None,
                                error=_error_text(error))
        if row is None:  # archived before (a re-delivery), or by another process meanwhile
            self.repo.rollback()
            self.counts["seen before"] += 1
            return NOTHING
        command = hand.ctx.command if hand.ctx is not None else ""
        out = []
        if not bare and (command or has_prefix(msg.text)):
            # Where the message came from, as Ctx.say answers (the Ctx's group was rolled back).
            out = [Reply(text=replies.command_failed(), group=group.id if group else None,
                         to=None if group else msg.sender_id, reply_to=msg.message_id)]
        queued = self.outbox.put(out, key=f"m{row.id}", now=now)
        self.repo.commit()
        self.counts["failed"] += 1
        return Dispatched(out, queued, command or None)

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
        parsed = ctx.parsed
        direct = ctx.group is None
        if parsed is not None:
            body = parsed.text
            # Commands: a prefix, or in a direct message / an @-mention a bare command word.
            prefixed = has_prefix(body)
            if prefixed or ((direct or msg.mentions_bot)
                            and self.registry.match(body, prefixed=False)[0]):
                cmd, word, args = self.registry.match(body, prefixed=prefixed)
                return self._command(ctx, cmd, word, args, prefixed), True
        for first in self.registry.firsts:  # see Router.first
            taken = first(ctx)
            if taken is not None:
                return _as_list(taken), False
        if msg.type in ("image", "file", "video", "voice"):
            # Photos and files are archived; one from a requester is attached to the request.
            return requests.attach_media(ctx) or [], False
        if parsed is None:
            if msg.type not in ("text",):
                level = logging.INFO if msg.type in MESSAGE_TYPES else logging.WARNING
                log.log(level, "message %s of type %s archived, not handled", msg.message_id, msg.type)
            else:
                log.warning("message %s has no text; archived, not handled", msg.message_id)
            return [], False
        body = parsed.text
        if parsed.intent in ("other", "request", "claim") and len(body) <= 200:
            # A requester answering the bot: a rating, or the information a cadre asked for.
            answered = requests.on_requester_reply(ctx)
            if answered:
                return answered, False
        if parsed.intent == "other":
            # Quiet words that act on a claim: a bare number answering the bot's question,
            # 12号我去不了了, a poster's 招满了. Anything else stays quiet.
            acted = claims.on_plain_words(ctx)
            if acted:
                return acted, False
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


def _fields(msg: InboundMessage, group: Group | None) -> dict[str, object]:
    """The archive row's columns for a message (already made `storable`)."""
    return dict(transport=msg.transport, message_id=msg.message_id,
                group_id=group.id if group else None, sender_id=msg.sender_id,
                sender_name=msg.sender_name, type=msg.type, text=msg.text, time=msg.time,
                is_group=msg.is_group, raw=values.dump(dict(msg.raw)) if msg.raw else None)


def _error_text(e: Exception | None) -> str | None:
    """The reason archived with a failed message (cleaned: an error may quote the text)."""
    return values.clean(f"{type(e).__name__}: {e}") if e is not None else None


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
