"""Who a command names: by @mention id where the transport gives one, else by a name that is
unique and stable.

A display name is not an identity: any member can take any name, and two people can share
one. So a name stands for a person only when exactly one member holds it and has held it for
a while (`RECENT`); otherwise the command is refused with the candidates listed, and the
cadre @-mentions the person or writes their id. `#确认` and roster lines read people here;
`#管理员` gives powers to an id only, and uses a name just to tell the cadre whose id it is.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from bot import replies
from bot.context import Ctx
from bot.permissions import is_cadre
from bot.types import Reply
from parsers.normalize import normalize
from storage.models import Member

# A member seen under another name within this long may have taken the name to pass for
# its holder.
RECENT = timedelta(days=7)


@dataclass(frozen=True)
class Unresolved:
    """Why a name stands for nobody: none | several | recent (and who it could be)."""

    name: str
    why: str
    candidates: tuple[Member, ...] = ()

    def reply(self, ctx: Ctx) -> Reply:
        """The refusal. The candidates' ids are cadre material: a cadre gets them (privately
        where the command was written in a workers' group), anyone else (a poster's #确认)
        only the count."""
        if self.why == "none":
            return ctx.say(replies.unknown_member(self.name))
        if not is_cadre(ctx.msg.sender_id, ctx.repo, ctx.config):
            return ctx.say(replies.name_unsure(self.name, len(self.candidates)))
        shown = [(m.display_name, m.sender_id) for m in self.candidates]
        text = (replies.name_shared(self.name, shown) if self.why == "several"
                else replies.name_recent(self.name, shown))
        return ctx.say(text, audience="cadres")


def mentioned(ctx: Ctx) -> list[tuple[str, str | None]]:
    """(name as written, our id or None) of each person the message @-mentions, the bot aside.

    A transport that knows who was mentioned gives ids without saying which @name is whose:
    an id pairs with the @name its member holds, and one id left over pairs with one name
    left over.
    """
    names = [n for n in normalize(ctx.msg.text or "").mentions if n != ctx.config.bot_name]
    ids = list(ctx.msg.mentions)
    pairs: list[tuple[str, str | None]] = []
    for name in names:
        hit = next((i for i in ids if (m := ctx.repo.member(i)) and m.display_name == name), None)
        if hit is not None:
            ids.remove(hit)
        pairs.append((name, hit))
    loose = [k for k, (_, i) in enumerate(pairs) if i is None]
    if len(loose) == 1 and len(ids) == 1:
        pairs[loose[0]] = (pairs[loose[0]][0], ids[0])
    return pairs


def by_name(ctx: Ctx, name: str) -> Member | Unresolved:
    """The one member `name` stands for: their id typed out (ids come from the gateway, no
    member can take one), else their display name, unique and held for a while."""
    m = ctx.repo.member(name)
    if m is not None:
        return m
    held = list(ctx.repo.members_named(name))
    if len(held) > 1:
        return Unresolved(name, "several", tuple(held))
    if held:
        m = held[0]
        if ctx.repo.other_name_since(m.sender_id, name, ctx.now() - RECENT):
            return Unresolved(name, "recent", (m,))
        return m
    return Unresolved(name, "none")
