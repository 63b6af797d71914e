"""Cadre and super-admin commands: roles, the audit log, pausing the bot in a group."""

from __future__ import annotations

import re

from bot import replies
from bot.context import Ctx
from bot.handlers.common import UsageError
from bot.permissions import role_of
from bot.router import Router
from bot.types import Reply

router = Router("admin")


@router.command("管理员", permission="admin", help="添加或移除工会干部（超级管理员）",
                usage="#管理员 添加|移除 @某人 或 微信号")
def cmd_cadre(ctx: Ctx) -> Reply:
    m = re.match(r"^\s*(添加|移除|删除)\s+@?(\S+)\s*$", ctx.args)
    if not m:
        raise UsageError()
    verb, who = m.group(1), m.group(2)
    # A mention arrives as a display name: resolve it to the stable id of that member.
    target = ctx.repo.member(who) or ctx.repo.member_by_name(who)
    if target is None:
        return ctx.say(replies.unknown_member(who))
    before = target.role
    if verb == "添加":
        if role_of(target.sender_id, ctx.repo, ctx.config) == "admin":
            return ctx.say(replies.already_admin(target.display_name or who))
        target.role = "cadre"
    else:
        target.role = "member"
    ctx.repo.s.add(target)
    ctx.repo.audit(actor_id=ctx.msg.sender_id, action="管理员", now=ctx.now(),
                   group_id=ctx.group.id if ctx.group else None, target=target.sender_id,
                   before={"role": before}, after={"role": target.role})
    return ctx.say(replies.cadre_changed(target.display_name or who, verb == "添加"))


@router.command("日志", permission="admin", help="看最近的管理操作记录（超级管理员）", usage="#日志 [条数]")
def cmd_log(ctx: Ctx) -> Reply:
    m = re.fullmatch(r"\s*(\d{1,3})?\s*", ctx.args)
    if not m:
        raise UsageError()
    n = min(int(m.group(1) or 10), 50)
    rows = ctx.repo.audit_log(n)
    lines = [replies.audit_line(ctx.local(a.time), ctx.repo.member(a.actor_id), a.actor_id, a.action,
                                a.target, a.allowed) for a in rows]
    return ctx.say(replies.audit_log(lines))


@router.command("暂停", permission="cadre", help="让机器人在本群暂停说话（干部）", usage="#暂停")
def cmd_pause(ctx: Ctx) -> Reply | None:
    if ctx.group is None:
        return ctx.say(replies.group_only())
    ctx.group.paused = True
    ctx.repo.s.add(ctx.group)
    ctx.repo.audit(actor_id=ctx.msg.sender_id, action="暂停", now=ctx.now(), group_id=ctx.group.id,
                   before={"paused": False}, after={"paused": True})
    return ctx.say(replies.paused())


@router.command("恢复", permission="cadre", help="让机器人在本群恢复工作（干部）", usage="#恢复")
def cmd_resume(ctx: Ctx) -> Reply:
    if ctx.group is None:
        return ctx.say(replies.group_only())
    ctx.group.paused = False
    ctx.repo.s.add(ctx.group)
    ctx.repo.audit(actor_id=ctx.msg.sender_id, action="恢复", now=ctx.now(), group_id=ctx.group.id,
                   before={"paused": True}, after={"paused": False})
    return ctx.say(replies.resumed())
