"""Requests (诉求): file with a deadline, route, resolve, and tell the requester."""

from __future__ import annotations

import re
from datetime import datetime, time, timedelta

from bot import replies
from bot.context import Ctx
from bot.handlers.common import UsageError, ref_arg
from bot.router import Router
from bot.types import Reply
from bot.workcal import WorkCalendar
from storage.models import Request
from storage.personal import ERASED

router = Router("requests")


def calendar(ctx: Ctx) -> WorkCalendar | None:
    if ctx.config.calendar_hours is None:
        return None
    start, end = ctx.config.calendar_hours
    return WorkCalendar(ctx.config.tz, start, end, ctx.config.calendar_holidays)


def deadline_for(ctx: Ctx, urgency: str, filed: datetime) -> datetime:
    """small: within hours; urgent: the same day; hard: within days (config).

    With a working calendar configured, hours and days are working ones: a request filed on
    Friday evening is due in working time on Monday (or after the holiday).
    """
    hours = ctx.config.deadlines_hours.get(urgency, 1.0)
    cal = calendar(ctx)
    if cal is not None:
        if urgency == "urgent" and hours <= 0:
            return cal.end_of_day(filed)
        if urgency == "hard":
            return cal.add_days(filed, max(1, round(hours / 24)))
        return cal.add(filed, hours)
    if urgency == "urgent" and hours <= 0:
        local = ctx.local(filed)
        end = datetime.combine(local.date(), time(23, 59), tzinfo=local.tzinfo)
        return end.astimezone(filed.tzinfo)
    return filed + timedelta(hours=hours)


OPEN = ("filed", "dispatched", "in_progress", "waiting")
DONE = ("resolved", "closed", "withdrawn")


def _responded(ctx: Ctx, req: Request) -> None:
    """The first cadre action answers a request (小事当场回应)."""
    if req.first_response_at is None:
        req.first_response_at = ctx.now()


def _get(ctx: Ctx, number: int, *, allowed: tuple[str, ...]) -> tuple[Request | None, Reply | None]:
    req = ctx.repo.request(number)
    if req is None:
        return None, ctx.say(replies.no_such_request(number))
    if req.status not in allowed:
        return None, ctx.say(replies.request_already(number, req.status))
    return req, None


def _audit(ctx: Ctx, action: str, number: int, before: dict, after: dict) -> None:
    ctx.repo.audit(actor_id=ctx.msg.sender_id, action=action, now=ctx.now(),
                   group_id=ctx.group.id if ctx.group else None, target=f"R{number}",
                   before=before, after=after)


def _step(ctx: Ctx, req: Request, number: int, status: str, before: dict, after: dict,
          reply: str, notice: str | None, note: str | None = None) -> list[Reply]:
    """Record a step of a request (event and audit), answer, and tell the requester."""
    ctx.repo.request_event(req, status, actor_id=ctx.msg.sender_id, now=ctx.now(), note=note)
    _audit(ctx, ctx.command, number, before, after)
    out = [ctx.say(reply)]
    # A requester who had their data erased (storage.personal) can no longer be reached.
    if notice is not None and not req.requester_id.startswith(ERASED):
        out.append(_notify_requester(ctx, req, notice))
    return out


def _with_note(ctx: Ctx, allowed: tuple[str, ...]) -> tuple[int, str, Request | None, Reply | None]:
    """(number, note, request, error reply) for a verb that needs `R编号 说明`."""
    number, note = _ref(ctx)
    if not note:
        raise UsageError()
    req, err = _get(ctx, number, allowed=allowed)
    return number, note, req, err


def _due(ctx: Ctx, req: Request) -> str:
    return replies.when_text(ctx.local(req.deadline), ctx.local(ctx.now()).date())  # type: ignore[arg-type]


def file_request(ctx: Ctx, text: str, category: str, urgency: str) -> Reply:
    now = ctx.now()
    via = "group" if ctx.group else "direct"
    req = ctx.repo.open_request(
        actor_id=ctx.msg.sender_id, now=now, group_id=ctx.group.id if ctx.group else None,
        requester_id=ctx.msg.sender_id, requester_name=ctx.msg.sender_name, via=via, text=text,
        category=category, urgency=urgency, status="filed",
        department=ctx.config.departments.get(category),  # proposed; #派单 confirms it
        deadline=deadline_for(ctx, urgency, now), message_id=ctx.row.id)
    due = replies.when_text(ctx.local(req.deadline), ctx.local(now).date())  # type: ignore[arg-type]
    echo = ctx.config.echo_in_group
    if ctx.group is not None and ctx.group.echo_requests is not None:
        echo = ctx.group.echo_requests  # #设置 诉求回显 for this group
    if via == "group" and echo:
        text_out = replies.request_ack_echo(req.id or 0, urgency, due, category, text)
    else:
        text_out = replies.request_ack(req.id or 0, urgency, due)
    return ctx.say(text_out, mentions=(ctx.msg.sender_id,))


@router.on("request")
def on_request(ctx: Ctx) -> Reply:
    p = ctx.parsed
    assert p is not None
    return file_request(ctx, p.text, p.category or "其他", p.urgency or "small")


def _notify_requester(ctx: Ctx, req: Request, text: str) -> Reply:
    if req.via == "direct" or req.group_id is None:
        return ctx.dm(req.requester_id, text)
    if ctx.repo.group(req.group_id) is None:
        return ctx.dm(req.requester_id, text)
    return Reply(text=text, group=req.group_id, mentions=(req.requester_id,),
                 reply_to=ctx.msg.message_id)


def _ref(ctx: Ctx) -> tuple[int, str]:
    """(R-number, the rest as typed) of a request command's arguments."""
    return ref_arg(ctx), ctx.raw_rest


@router.command("诉求", permission="member", help="登记一个诉求（困难、问题、建议）", usage="#诉求 内容")
def cmd_file(ctx: Ctx) -> Reply:
    text = ctx.raw_args.strip()
    if not text:
        raise UsageError()
    category, urgency = ctx.parser.request_fields(text)
    return file_request(ctx, text, category, urgency)


@router.command("派单", permission="cadre", target="request", help="把诉求派给部门办理（干部）", usage="#派单 R编号 部门，如：#派单 R3 交通局")
def cmd_dispatch(ctx: Ctx) -> list[Reply]:
    number, dept = _ref(ctx)
    req, err = _get(ctx, number, allowed=OPEN)
    if req is None:
        return [err]  # type: ignore[list-item]
    dept = dept or req.department or ctx.config.departments.get(req.category, "")
    if not dept:
        raise UsageError()
    before = {"status": req.status, "department": req.department}
    req.department = dept
    _responded(ctx, req)
    return _step(ctx, req, number, "dispatched", before,
                 {"status": "dispatched", "department": dept},
                 replies.request_dispatched(number, dept),
                 replies.request_dispatched_notice(number, dept), note=dept)


@router.command("办结", permission="cadre", target="request", help="诉求办结，告诉诉求人结果（干部）", usage="#办结 R编号 办理结果")
def cmd_resolve(ctx: Ctx) -> list[Reply]:
    number, note, req, err = _with_note(ctx, OPEN)
    if req is None:
        return [err]  # type: ignore[list-item]
    before = {"status": req.status}
    req.resolution = note
    req.paused_at = None
    req.rating_asked_at = ctx.now()
    _responded(ctx, req)
    return _step(ctx, req, number, "resolved", before, {"status": "resolved", "note": note},
                 replies.request_resolved(number), replies.request_resolved_notice(number, note),
                 note=note)


@router.command("进展", permission="cadre", target="request", help="记录诉求的办理进展并告诉诉求人（干部）",
                usage="#进展 R编号 说明")
def cmd_progress(ctx: Ctx) -> list[Reply]:
    number, note, req, err = _with_note(ctx, OPEN)
    if req is None:
        return [err]  # type: ignore[list-item]
    before = {"status": req.status}
    _responded(ctx, req)
    if req.urgency == "hard":  # 难事: feedback every few days until resolved
        req.deadline = deadline_for(ctx, "hard", ctx.now())
        req.overdue_at = req.escalated_at = None
    return _step(ctx, req, number, "in_progress", before, {"status": "in_progress", "note": note},
                 replies.request_progress(number), replies.request_progress_notice(number, note),
                 note=note)


@router.command("定级", permission="cadre", target="request", help="把诉求定为小事、急事或难事（干部）",
                usage="#定级 R编号 小事|急事|难事")
def cmd_grade(ctx: Ctx) -> Reply:
    number, word = _ref(ctx)
    urgency = replies.URGENCY_WORDS.get(word)
    if urgency is None:
        raise UsageError()
    req, err = _get(ctx, number, allowed=OPEN)
    if req is None:
        return err  # type: ignore[return-value]
    before = {"urgency": req.urgency, "deadline": req.deadline}
    req.urgency = urgency
    req.deadline = deadline_for(ctx, urgency, ctx.now())
    req.overdue_at = req.escalated_at = None
    ctx.repo.save_request(req)
    ctx.repo.request_event(req, req.status, actor_id=ctx.msg.sender_id, now=ctx.now(),
                           note=f"定级 {word}")
    _audit(ctx, "定级", number, before, {"urgency": urgency, "deadline": req.deadline})
    return ctx.say(replies.request_regraded(number, urgency, _due(ctx, req)))


@router.command("待补充", permission="cadre", target="request", help="请诉求人补充情况，等待期间不计时（干部）",
                usage="#待补充 R编号 要补充的问题")
def cmd_wait(ctx: Ctx) -> list[Reply]:
    number, question, req, err = _with_note(ctx, ("filed", "dispatched", "in_progress"))
    if req is None:
        return [err]  # type: ignore[list-item]
    before = {"status": req.status}
    _responded(ctx, req)
    req.paused_at = ctx.now()
    return _step(ctx, req, number, "waiting", before, {"status": "waiting", "question": question},
                 replies.request_waiting(number), replies.request_question(number, question),
                 note=question)


@router.command("重办", permission="requester", target="request", help="办结的诉求没解决，重新办理（诉求人或干部）",
                usage="#重办 R编号")
def cmd_reopen(ctx: Ctx) -> list[Reply]:
    number, _ = _ref(ctx)
    req, err = _get(ctx, number, allowed=("resolved", "closed"))
    if req is None:
        return [err]  # type: ignore[list-item]
    before = {"status": req.status}
    req.deadline = deadline_for(ctx, req.urgency, ctx.now())
    # The last rating stays (a reopened 不满意 still counts); a new one replaces it.
    req.resolved_at = req.overdue_at = req.escalated_at = req.rating_asked_at = None
    text = replies.request_reopened(number, _due(ctx, req))
    return _step(ctx, req, number, "in_progress", before, {"status": "in_progress"}, text,
                 text if ctx.msg.sender_id != req.requester_id else None, note="重办")


@router.command("撤回", permission="requester", target="request", help="撤回自己的诉求", usage="#撤回 R编号")
def cmd_withdraw(ctx: Ctx) -> Reply:
    number, _ = _ref(ctx)
    req, err = _get(ctx, number, allowed=OPEN)
    if req is None:
        return err  # type: ignore[return-value]
    before = {"status": req.status}
    req.paused_at = None
    return _step(ctx, req, number, "withdrawn", before, {"status": "withdrawn"},
                 replies.request_withdrawn(number), None)[0]


ATTACH_WINDOW = timedelta(minutes=30)


def attach_media(ctx: Ctx) -> Reply | None:
    """A photo or file from a requester soon after filing, or while asked for more, is evidence."""
    now = ctx.now()
    for req in ctx.repo.requests_by(ctx.msg.sender_id)[::-1]:
        if req.status == "waiting" or (req.status in OPEN and now - req.created_at <= ATTACH_WINDOW):
            req.attachments = ",".join(x for x in (req.attachments, str(ctx.row.id)) if x)
            ctx.repo.save_request(req)
            ctx.repo.request_event(req, req.status, actor_id=ctx.msg.sender_id, now=now,
                                   note=f"附件 {ctx.msg.type}")
            return ctx.say(replies.attachment_added(req.id or 0))
    return None


_RATING = re.compile(r"^\s*(?:(非常满意|很满意|满意|还行|一般|不太满意|不满意|很不满意)|([1-5])\s*(?:分|星)?)\s*[!！。.]*\s*$")
# A bare acknowledgement of the bot's question is not the information it asked for.
_ACK = re.compile(r"^\s*(?:收到|好的?|好滴|嗯+|哦+|ok|OK|知道了|明白|谢谢|行|可以)\s*[!！。.~～]*\s*$")
_RATING_WORDS = {"非常满意": 5, "很满意": 5, "满意": 5, "还行": 3, "一般": 3, "不太满意": 2,
                 "不满意": 1, "很不满意": 1}


def on_requester_reply(ctx: Ctx) -> list[Reply] | None:
    """A requester's answer: a rating for a resolved request, or the info a cadre asked for."""
    text = ctx.parsed.text if ctx.parsed else ""
    pending = ctx.repo.requests_awaiting(ctx.msg.sender_id)
    if not pending:
        return None
    m = _RATING.match(text)
    for req in pending:
        if req.status == "resolved" and req.rating_asked_at is not None and m:
            rating = _RATING_WORDS[m.group(1)] if m.group(1) else int(m.group(2))
            req.rating = rating
            ctx.repo.request_event(req, "closed", actor_id=ctx.msg.sender_id, now=ctx.now(),
                                   note=f"评价 {rating}")
            return [ctx.say(replies.rating_thanks(req.id or 0, rating))]
    for req in pending:
        if req.status == "waiting" and req.paused_at is not None and not m and not _ACK.match(text):
            if req.deadline is not None:  # the clock stood still while waiting
                cal = calendar(ctx)
                if cal is None:
                    req.deadline = req.deadline + (ctx.now() - req.paused_at)
                else:
                    left = cal.between(req.paused_at, req.deadline)
                    req.deadline = cal.add(ctx.now(), left.total_seconds() / 3600)
            req.paused_at = None
            attach = ",".join(x for x in (req.attachments, str(ctx.row.id)) if x)
            req.attachments = attach
            ctx.repo.request_event(req, "in_progress", actor_id=ctx.msg.sender_id, now=ctx.now(),
                                   note="补充")
            return [ctx.say(replies.request_supplemented(req.id or 0))]
    return None
