"""Data rights (PIPL art. 47): a member has their own data erased, `#删除我的信息` then
`#确认删除`.

Both answers are for the asker alone (audience "person"): asked in a group, the explanation
goes privately, with a one-line note in the group. The confirmation must come privately,
within `CONFIRM_WINDOW`, from the same stable id, so nobody can erase someone else and a
display name counts for nothing. The erasure is storage's `erase_person`, the same one
`daqiao forget` runs.
"""

from __future__ import annotations

import re
from datetime import timedelta

from bot import replies
from bot.context import Ctx
from bot.router import Router
from bot.types import Reply

router = Router("rights")
CONFIRM_WINDOW = timedelta(minutes=30)
_MINUTES = int(CONFIRM_WINDOW.total_seconds() // 60)
_NOTHING = re.compile(r"^[\s。.！!~～]*$")


@router.command("删除我的信息", permission="member", help="删除自己的个人信息（要私信确认）",
                usage="#删除我的信息")
def cmd_forget_me(ctx: Ctx) -> Reply:
    me = ctx.msg.sender_id
    named = ctx.raw_args.strip().lstrip("@")
    if not _NOTHING.match(named) and named not in (me, ctx.msg.sender_name):
        return ctx.say(replies.erasure_only_self(), audience="person")
    ctx.repo.ask_erasure(me, now=ctx.now())
    return ctx.say(replies.erasure_explained(_MINUTES), audience="person")


@router.command("确认删除", permission="member", help="确认删除自己的个人信息（私信发）",
                usage="#确认删除")
def cmd_confirm_forget(ctx: Ctx) -> Reply:
    me = ctx.msg.sender_id
    if ctx.group is not None:
        return ctx.say(replies.erasure_confirm_privately(), audience="person")
    asked = ctx.repo.erasure_asked(me)
    if asked is None:
        return ctx.say(replies.erasure_not_asked())
    if ctx.now() - asked > CONFIRM_WINDOW:
        return ctx.say(replies.erasure_expired(_MINUTES))
    counts = ctx.repo.erase_person(me, now=ctx.now(), keep_numbers=ctx.config.public_numbers)
    pseudonym = ctx.repo.pseudonym(me)
    ctx.repo.audit(actor_id=pseudonym or "", action=ctx.command, now=ctx.now(), target=pseudonym,
                   after=counts)
    ctx.log.info("erased %s on their own request: %s", pseudonym,
                 ", ".join(f"{k} {v}" for k, v in counts.items()))
    return ctx.say(replies.erasure_done())
