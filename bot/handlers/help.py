"""#帮助 and #我的."""

from __future__ import annotations

from bot import replies
from bot.context import Ctx
from bot.handlers.common import line_for
from bot.permissions import allowed
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
