"""Cadre and super-admin commands: roles, the audit log, pausing the bot in a group."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any

from bot import replies
from bot.context import Ctx
from bot.handlers.common import UsageError
from bot.handlers.people import Unresolved, by_name, mentioned
from bot.permissions import role_of
from bot.router import Router
from bot.types import Reply

router = Router("admin")


@router.command("管理员", permission="admin", help="添加或移除工会干部（超级管理员）",
                usage="#管理员 添加|移除 @某人 或 微信号")
def cmd_cadre(ctx: Ctx) -> Reply:
    # `#管理员 添加 @张三`: the mention is cut from the arguments, so the name may be absent
    # here and come from the mention (with the id the transport gave, where it gives one).
    m = re.match(r"^\s*(添加|移除|删除)\s*(?:@?(\S+))?\s*$", ctx.args)
    at = mentioned(ctx)
    if not m or (m.group(2) is None and len(at) != 1):
        raise UsageError()
    verb = m.group(1)
    who, mention_id = at[0] if m.group(2) is None else (m.group(2), dict(at).get(m.group(2)))
    # Powers go to an id only: the @-mentioned person's, or one typed out. A display name
    # is anyone's to take (a new account, or one renamed after a quiet week), so a name
    # gets the id it stands for today, for the cadre to check and send back.
    target = ctx.repo.member(mention_id or who)
    if target is None:
        found = by_name(ctx, who)
        if isinstance(found, Unresolved):
            return found.reply(ctx)
        return ctx.say(replies.cadre_by_id(who, found.sender_id, verb), audience="cadres")
    before = target.role
    if verb == "添加":
        if role_of(target.sender_id, ctx.repo, ctx.config) == "admin":
            return ctx.say(replies.already_admin(target.display_name or who))
        target.role = "cadre"
    else:
        target.role = "member"
    ctx.repo.save_member(target)
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
    return ctx.say(replies.audit_log(lines), audience="cadres")


@router.command("暂停", permission="cadre", help="让机器人在本群暂停说话（干部）", usage="#暂停")
def cmd_pause(ctx: Ctx) -> Reply:
    return _set_paused(ctx, True)


@router.command("恢复", permission="cadre", help="让机器人在本群恢复工作（干部）", usage="#恢复")
def cmd_resume(ctx: Ctx) -> Reply:
    return _set_paused(ctx, False)


def _set_paused(ctx: Ctx, paused: bool) -> Reply:
    if ctx.group is None:
        return ctx.say(replies.group_only())
    before = ctx.group.paused
    ctx.group.paused = paused
    ctx.repo.save_group(ctx.group)
    ctx.repo.audit(actor_id=ctx.msg.sender_id, action=ctx.command, now=ctx.now(),
                   group_id=ctx.group.id, before={"paused": before}, after={"paused": paused})
    return ctx.say(replies.paused() if paused else replies.resumed())


@router.command("设置", permission="cadre", help="设置本群：摘要时间、诉求回显、仅@模式（干部）",
                usage="#设置 摘要时间 08:30 / #设置 诉求回显 开|关 / #设置 仅@模式 开|关")
def cmd_settings(ctx: Ctx) -> Reply:
    if ctx.group is None:
        return ctx.say(replies.group_only())
    # 仅@模式 reaches here as 仅 (the parser takes "@模式" for a mention): both are read.
    m = re.match(r"^\s*(摘要时间|诉求回显|仅(?:[@＠]?模式|艾特模式)?)\s+(\S+)\s*$", ctx.args)
    if not m:
        return ctx.say(replies.settings_help())
    what, value = m.group(1), m.group(2).replace("：", ":")
    g = ctx.group
    if what.startswith("仅"):
        return _mention_only(ctx, value)
    before = {"digest_time": g.digest_time, "echo_requests": g.echo_requests}
    if what == "摘要时间":
        t = re.fullmatch(r"(\d{1,2}):(\d{2})", value)
        if not t or int(t.group(1)) > 23 or int(t.group(2)) > 59:
            raise UsageError()
        g.digest_time = f"{int(t.group(1)):02d}:{t.group(2)}"
        value = g.digest_time
    else:
        if value not in ("开", "关"):
            raise UsageError()
        g.echo_requests = value == "开"
    ctx.repo.save_group(g)
    ctx.repo.audit(actor_id=ctx.msg.sender_id, action="设置", now=ctx.now(), group_id=g.id,
                   target=what, before=before,
                   after={"digest_time": g.digest_time, "echo_requests": g.echo_requests})
    return ctx.say(replies.setting_changed(what, value))


# Issue 30: a group where the bot sees only messages that @ it (WeCom groups). Stored per group
# in the state table: "1" on, "0" off; unset, the transport decides (WeCom: on, else off).
MENTION_ONLY_KEY = "mention_only:{}"


def mention_only_setting(repo: Any, group_id: int) -> bool | None:
    """The group's `#设置 仅@模式`: True, False, or None (never set: the transport decides)."""
    return {"1": True, "0": False}.get(repo.get_state(MENTION_ONLY_KEY.format(group_id)) or "")


def _mention_only(ctx: Ctx, value: str) -> Reply:
    if value not in ("开", "关"):
        raise UsageError()
    g = ctx.group
    assert g is not None and g.id is not None
    before = mention_only_setting(ctx.repo, g.id)
    ctx.repo.set_state(MENTION_ONLY_KEY.format(g.id), "1" if value == "开" else "0")
    ctx.repo.audit(actor_id=ctx.msg.sender_id, action="设置", now=ctx.now(), group_id=g.id,
                   target="仅@模式", before={"mention_only": before},
                   after={"mention_only": value == "开"})
    return ctx.say(replies.mention_only_on() if value == "开" else replies.mention_only_off())


@router.command("摘要", permission="cadre", help="马上发一次本群的岗位摘要（干部）", usage="#摘要")
def cmd_digest(ctx: Ctx) -> Reply:
    from bot.handlers.common import posting_line  # noqa: PLC0415
    from scheduler.digest import build_digest  # noqa: PLC0415

    if ctx.group is None:
        return ctx.say(replies.group_only())
    now = ctx.now()
    text = build_digest(ctx.repo, ctx.group, ctx.local(now).date(), now=now, line=posting_line,
                        render=replies.digest, force=True)
    return ctx.say(text or replies.digest_empty())


ANNOUNCE_KEY = "announce:last"


@router.command("公告", permission="cadre", help="向所有群发公告（干部，有频率限制）", usage="#公告 内容")
def cmd_announce(ctx: Ctx) -> list[Reply]:
    text = ctx.raw_args.strip()
    if not text:
        raise UsageError()
    now = ctx.now()
    last = ctx.repo.get_state(ANNOUNCE_KEY)
    gap = timedelta(minutes=ctx.config.announce_minutes)
    if last and now - datetime.fromisoformat(last) < gap:
        return [ctx.say(replies.announce_too_soon(ctx.config.announce_minutes))]
    ctx.repo.set_state(ANNOUNCE_KEY, now.isoformat())
    groups = [g for g in ctx.repo.groups() if not g.paused]
    ctx.repo.audit(actor_id=ctx.msg.sender_id, action="公告", now=now,
                   group_id=ctx.group.id if ctx.group else None,
                   after={"text": text, "groups": [g.name for g in groups]})
    out = [Reply(text=replies.announce(text), group=g.id, reply_to=ctx.msg.message_id)
           for g in groups]
    return [*out, ctx.say(replies.announced(len(groups)))]

