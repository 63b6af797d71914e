"""Requests (诉求): file with a deadline, route, resolve, and tell the requester."""

from __future__ import annotations

import re
from datetime import datetime, time, timedelta

from bot import replies
from bot.context import Ctx
from bot.handlers.common import UsageError
from bot.router import Router
from bot.types import Reply
from storage.models import Request

router = Router("requests")


def deadline_for(ctx: Ctx, urgency: str, filed: datetime) -> datetime:
    """small: within hours; urgent: the same local day; hard: within days (config)."""
    hours = ctx.config.deadlines_hours.get(urgency, 1.0)
    if urgency == "urgent" and hours <= 0:
        local = ctx.local(filed)
        end = datetime.combine(local.date(), time(23, 59), tzinfo=local.tzinfo)
        return end.astimezone(filed.tzinfo)
    return filed + timedelta(hours=hours)


def file_request(ctx: Ctx, text: str, category: str, urgency: str) -> Reply:
    now = ctx.now()
    via = "group" if ctx.group else "direct"
    req = ctx.repo.open_request(
        actor_id=ctx.msg.sender_id, now=now, group_id=ctx.group.id if ctx.group else None,
        requester_id=ctx.msg.sender_id, requester_name=ctx.msg.sender_name, via=via, text=text,
        category=category, urgency=urgency, status="filed",
        deadline=deadline_for(ctx, urgency, now), message_id=ctx.row.id)
    due = replies.when_text(ctx.local(req.deadline), ctx.local(now).date())  # type: ignore[arg-type]
    if via == "group" and ctx.config.echo_in_group:
        text_out = replies.request_ack_echo(req.id or 0, urgency, due, category, text)
    else:
        text_out = replies.request_ack(req.id or 0, urgency, due)
    return ctx.say(text_out, mentions=(ctx.msg.sender_id,))


def on_request(ctx: Ctx) -> Reply:
    p = ctx.parsed
    assert p is not None
    return file_request(ctx, p.text, p.category or "其他", p.urgency or "small")


def _notify_requester(ctx: Ctx, req: Request, text: str) -> Reply:
    if req.via == "direct" or req.group_id is None:
        return ctx.dm(req.requester_id, text)
    g = ctx.repo.group(req.group_id)
    return Reply(text=text, chat=g.name if g else None, mentions=(req.requester_id,),
                 reply_to=ctx.msg.message_id)


def _ref(ctx: Ctx) -> tuple[int, str]:
    m = re.match(r"^\s*(?:[Rr#＃]|No\.?)?\s*(\d{1,9})(?!\d)\s*(.*)$", ctx.args, re.S)
    if not m:
        raise UsageError()
    return int(m.group(1)), m.group(2).strip()


@router.command("诉求", permission="member", help="登记一个诉求（困难、问题、建议）", usage="#诉求 内容")
def cmd_file(ctx: Ctx) -> Reply:
    text = ctx.args.strip()
    if not text:
        raise UsageError()
    category, urgency = ctx.parser.request_fields(text)
    return file_request(ctx, text, category, urgency)


@router.command("派单", permission="cadre", help="把诉求派给部门办理（干部）", usage="#派单 R编号 部门，如：#派单 R3 交通局")
def cmd_dispatch(ctx: Ctx) -> list[Reply]:
    number, dept = _ref(ctx)
    req = ctx.repo.request(number)
    if req is None:
        return [ctx.say(replies.no_such_request(number))]
    dept = dept or req.department or ctx.config.departments.get(req.category, "")
    if not dept:
        raise UsageError()
    if req.status in ("resolved", "closed", "withdrawn"):
        return [ctx.say(replies.request_already(number, req.status))]
    before = {"status": req.status, "department": req.department}
    req.department = dept
    ctx.repo.request_event(req, "dispatched", actor_id=ctx.msg.sender_id, now=ctx.now(), note=dept)
    ctx.repo.audit(actor_id=ctx.msg.sender_id, action="派单", now=ctx.now(),
                   group_id=ctx.group.id if ctx.group else None, target=f"R{number}",
                   before=before, after={"status": "dispatched", "department": dept})
    out = [ctx.say(replies.request_dispatched(number, dept))]
    out.append(_notify_requester(ctx, req, replies.request_dispatched_notice(number, dept)))
    return out


@router.command("办结", permission="cadre", help="诉求办结，告诉诉求人结果（干部）", usage="#办结 R编号 办理结果")
def cmd_resolve(ctx: Ctx) -> list[Reply]:
    number, note = _ref(ctx)
    if not note:
        raise UsageError()
    req = ctx.repo.request(number)
    if req is None:
        return [ctx.say(replies.no_such_request(number))]
    if req.status in ("resolved", "closed", "withdrawn"):
        return [ctx.say(replies.request_already(number, req.status))]
    before = {"status": req.status}
    req.resolution = note
    ctx.repo.request_event(req, "resolved", actor_id=ctx.msg.sender_id, now=ctx.now(), note=note)
    ctx.repo.audit(actor_id=ctx.msg.sender_id, action="办结", now=ctx.now(),
                   group_id=ctx.group.id if ctx.group else None, target=f"R{number}",
                   before=before, after={"status": "resolved", "note": note})
    return [ctx.say(replies.request_resolved(number)),
            _notify_requester(ctx, req, replies.request_resolved_notice(number, note))]
