"""#帮助 and #我的, and a short how-to for whoever asks the bot (or asks how to use it)."""

from __future__ import annotations

import functools
import re

from bot import replies
from bot.context import Ctx
from bot.handlers.common import line_for
from bot.permissions import allowed, is_cadre
from bot.router import Router
from bot.types import Reply

router = Router("help")


@router.command("帮助", permission="member", help="看能用的命令", usage="#帮助 [命令]", aliases=("help",))
def cmd_help(ctx: Ctx) -> Reply:
    registry = ctx.registry
    assert registry is not None
    name = ctx.args.strip().lstrip("#/＃")
    if name:
        cmd = registry.get(name)
        if cmd is not None:
            return ctx.say(replies.help_one(cmd.name, cmd.help, cmd.usage))
    lines = []
    for cmd in registry.commands:
        # Poster and requester commands apply to one's own things: everyone sees them.
        perm = "member" if cmd.permission in ("poster", "requester") else cmd.permission
        if allowed(perm, ctx.msg.sender_id, ctx.repo, ctx.config):
            lines.append(f"#{cmd.name}：{cmd.help}")
    return ctx.say(replies.help_text(lines))


@router.command("我的", permission="member", help="看我发的、报名的和我的诉求", usage="#我的")
def cmd_mine(ctx: Ctx) -> Reply:
    me = ctx.msg.sender_id
    posts = [line_for(ctx, p) for p in ctx.repo.postings_by(me)]
    claims = []
    for c in ctx.repo.claims_by(me):
        p = ctx.repo.posting(c.posting_id)
        if p is not None:
            claims.append(f"{line_for(ctx, p)}（我报了{c.headcount}人）")
    reqs = []
    for r in ctx.repo.requests_by(me):
        due = replies.when_text(ctx.local(r.deadline), ctx.local(ctx.now()).date()) if r.deadline else None
        reqs.append(replies.request_line(r.id or 0, r.category, r.status, due))
    # One's own record, requests included: privately where the transport allows it.
    return ctx.say(replies.mine(posts, claims, reqs), audience="person")


# Asking how the bot works, with or without @: 怎么报名啊, 这个机器人怎么用, 小桥能干什么. Only
# what is about the bot's own business: 这台机器怎么用 is a question for a workmate.
_HOWTO = (r"(?:怎么|怎样|如何|咋)样?(?:才能|才可以|可以|能)?(?:报名|报上名|发招工|发布招工|发岗位|"
          r"招人|登记找活|找活|查岗位|看岗位|联系找活)"
          r"|(?:机器人|{bot}|搭桥|助手)[^，,。？?]{{0,6}}?(?:怎么用|怎么使用|咋用|怎么弄|如何使用|"
          r"能干什么|能做什么|会干什么|干什么的|是干嘛的|干啥的|有什么用|有什么功能)"
          r"|(?:怎么|如何|咋)(?:用|使用)(?:这个|你们的?)?(?:机器人|{bot}|搭桥|助手)")
# Thanks or an acknowledgement, even addressed to the bot, need no answer.
_ACK = re.compile(r"^(?:谢谢|多谢|感谢|辛苦了?|收到|好的|好滴|好|嗯|哦|ok|OK|👍|\[强\]|\[抱拳\]|"
                  r"\[OK\]|你?真棒|[!！~。.，,\s])+[了啊呀哈啦]*[!！~。.\s]*$")


@functools.cache
def _howto_rx(bot: str) -> re.Pattern[str]:
    return re.compile(_HOWTO.format(bot=re.escape(bot)))


def role(ctx: Ctx) -> str:
    """Who is asking, for the how-to: cadre, poster (with an open job posting) or worker."""
    me = ctx.msg.sender_id
    if is_cadre(me, ctx.repo, ctx.config):
        return "cadre"
    if any(p.kind == "job" for p in ctx.repo.postings_by(me)):
        return "poster"
    return "worker"


def asks_the_bot(ctx: Ctx) -> bool:
    """Whether a message is for the bot: it @-mentions it, or asks how to use it."""
    name = ctx.config.bot_name
    text = ctx.parsed.text if ctx.parsed else ""
    if ctx.msg.mentions_bot or (name and f"@{name}" in (ctx.msg.text or "")):
        return not _ACK.match(text)
    return bool(_howto_rx(name).search(text))


@router.on("other")
def on_other(ctx: Ctx) -> Reply | None:
    """Nothing the bot acts on. One who @-mentions the bot (@小桥 你好) or asks how to use it
    (怎么报名啊) gets a short how-to for their role; a direct message, the hint it always
    had; the rest, chat in a group, silence."""
    if asks_the_bot(ctx):
        return ctx.say(replies.howto(role(ctx)), mentions=(ctx.msg.sender_id,))
    if ctx.group is None:
        return ctx.say(replies.direct_hint())
    return None
