"""Requests (诉求): file with a deadline, route, resolve, and tell the requester.

Hazard photos (随手拍, issue 28): a photo and a text about a problem from the same person in
the same chat within `media.window_minutes`, in either order, are one request with the photo
attached and the place the parser read (`hazard_photos`); `#奖励` rewards the reporter and
`#奖励台账` shows the month's rewards (storage.media.reward_ledger).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace
from datetime import date, datetime, time, timedelta

from bot import replies
from bot.context import Ctx
from bot.handlers.common import UsageError, month_span, ref_arg
from bot.permissions import is_cadre
from bot.router import Router
from bot.types import Reply
from bot.workcal import WorkCalendar, routine_window
from storage.models import Media, Request
from storage.personal import ERASED

router = Router("requests")


def calendar(ctx: Ctx) -> WorkCalendar | None:
    if ctx.config.calendar_hours is None:
        return None
    start, end = ctx.config.calendar_hours
    return WorkCalendar(ctx.config.tz, start, end, ctx.config.calendar_holidays)


def routine(ctx: Ctx) -> WorkCalendar:
    """When routine request work may reach people (bot.workcal.routine_window)."""
    cfg = ctx.config
    return routine_window(cfg.tz, cfg.calendar_hours, cfg.quiet_hours, cfg.calendar_holidays)


def deadline_for(ctx: Ctx, urgency: str, filed: datetime) -> datetime:
    """The promise, as a deadline: 小事当场回应、急事当天协调、难事三日反馈.

    急事: the same calendar day by the real clock, holidays included; filed at or after the
    evening hour (requests.urgent_evening), by the next morning's hour (urgent_next_morning).
    小事: within `deadline_hours.small` hours (working hours where a calendar is configured).
    难事: within `deadline_hours.hard` / 24 working days (weekends and holidays do not count).
    """
    hours = ctx.config.deadlines_hours.get(urgency, 1.0)
    if urgency == "urgent":
        if hours > 0:
            return filed + timedelta(hours=hours)
        local = ctx.local(filed)
        if local.timetz().replace(tzinfo=None) >= ctx.config.urgent_evening:
            morning = datetime.combine(local.date() + timedelta(days=1),
                                       ctx.config.urgent_next_morning, tzinfo=local.tzinfo)
            return morning.astimezone(filed.tzinfo)
        end = datetime.combine(local.date(), time(23, 59), tzinfo=local.tzinfo)
        return end.astimezone(filed.tzinfo)
    if urgency == "hard":
        return routine(ctx).add_days(filed, max(1, round(hours / 24)))
    cal = calendar(ctx)
    return cal.add(filed, hours) if cal is not None else filed + timedelta(hours=hours)


def responsible(ctx: Ctx, req: Request) -> tuple[str, ...]:
    """The cadres who answer for a request: its department's, else the config's."""
    cfg = ctx.config
    return cfg.department_cadres.get(req.department or "") or cfg.cadres


OPEN = ("filed", "dispatched", "in_progress", "waiting")
DONE = ("resolved", "closed", "withdrawn")


def _responded(ctx: Ctx, req: Request) -> None:
    """A cadre acted: the first action answers a 小事 or 急事; a 难事 owes its next
    feedback three working days after each one, until resolved (难事三日反馈)."""
    if req.first_response_at is None:
        req.first_response_at = ctx.now()
    if req.urgency == "hard":
        req.deadline = deadline_for(ctx, "hard", ctx.now())
        req.overdue_at = req.escalated_at = req.pressed_at = None


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


def file_request(ctx: Ctx, text: str, category: str, urgency: str, *,
                 location: str | None = None, photos: Sequence[Media] = ()) -> list[Reply]:
    """File a request: answer the requester with what will happen by when, and put the
    whole of it in front of the cadres (at once for a 急事, else in working hours).
    `photos`: stored media sent with it (随手拍), attached; `location`: the place read."""
    now = ctx.now()
    via = "group" if ctx.group else "direct"
    req = ctx.repo.open_request(
        actor_id=ctx.msg.sender_id, now=now, group_id=ctx.group.id if ctx.group else None,
        requester_id=ctx.msg.sender_id, requester_name=ctx.msg.sender_name, via=via, text=text,
        category=category, urgency=urgency, status="filed",
        department=ctx.config.departments.get(category),  # proposed; #派单 confirms it
        deadline=deadline_for(ctx, urgency, now), message_id=ctx.row.id, location=location)
    kept, large = _attach_photos(ctx, req, photos)
    due = _due(ctx, req)
    echo = ctx.config.echo_in_group
    if ctx.group is not None and ctx.group.echo_requests is not None:
        echo = ctx.group.echo_requests  # #设置 诉求回显 for this group
    if via == "group" and echo:
        text_out = replies.request_ack_echo(req.id or 0, urgency, due, category, text)
    else:
        text_out = replies.request_ack(req.id or 0, urgency, due)
    if photos:
        text_out = replies.hazard_ack(text_out, kept, large)
    if ctx.group is not None and ctx.group.paused:
        ack = ctx.dm(ctx.msg.sender_id, text_out)  # a paused group hears nothing: privately
    else:
        ack = ctx.say(text_out, mentions=(ctx.msg.sender_id,))
    alert = replies.request_filed_alert(req.id or 0, urgency, category, req.department, due,
                                        _who(req), _where(ctx, req), text)
    if photos:  # a photo report (随手拍): its place and photos too
        alert = replies.hazard_alert(alert, location, kept, large)
    return [ack, *cadre_alert(ctx, req, alert)]


def _attach_photos(ctx: Ctx, req: Request, photos: Sequence[Media]) -> tuple[int, int]:
    """Attach media rows to a request (their archived messages, and the rows themselves);
    one too large to keep is noted on the request. (kept, too large)."""
    if not photos:
        return 0, 0
    ids = [x for x in req.attachments.split(",") if x]
    ids += [str(m.message_id) for m in photos if str(m.message_id) not in ids]
    req.attachments = ",".join(ids)
    ctx.repo.save_request(req)
    ctx.repo.attach_media_to(photos, req.id or 0)
    large = [m for m in photos if m.status == "too_large"]
    for m in large:
        ctx.repo.add_request_event(req.id or 0, PHOTO_EVENT, actor_id="bot", now=ctx.now(),
                                   note=replies.photo_too_large_note(m.bytes,
                                                                     ctx.config.media_max_bytes))
    return len([m for m in photos if m.status == "stored"]), len(large)


def _who(req: Request) -> str:
    return req.requester_name or req.requester_id


def _where(ctx: Ctx, req: Request) -> str | None:
    """The group a request was filed in (None: privately)."""
    g = ctx.repo.group(req.group_id) if req.via == "group" else None
    return g.name if g is not None else None


def cadre_alert(ctx: Ctx, req: Request, text: str) -> list[Reply]:
    """Request material for the cadres: the cadre group (mentioning those responsible), and
    for a 急事 each of them privately too; with no cadre group, privately to each. A 急事
    goes at once, whatever the hour; anything else waits for working hours."""
    now = ctx.now()
    who = responsible(ctx, req)
    urgent = req.urgency == "urgent"
    when = now if urgent else routine(ctx).next_open(now).astimezone(now.tzinfo)
    key = f"alert:{req.id}:{len(ctx.repo.request_events(req.id or 0))}"
    out = []
    cadre_group = ctx.repo.cadre_group()
    if cadre_group is not None:
        out.append(Reply(text=text, group=cadre_group.id, mentions=who, time=when,
                         audience="cadres", key=key))
    if urgent or cadre_group is None:
        out += [Reply(text=text, to=c, time=when, key=f"{key}:{c}") for c in who]
    return out


def _open_of(ctx: Ctx, sender: str) -> list[Request]:
    return [r for r in ctx.repo.requests_by(sender) if r.status in OPEN]


# A repeat names the same thing again (驿站饮水机到现在还是坏的 after 驿站的饮水机坏了好几天了):
# two word pairs in common that say what it is about, not how it is (坏了, 没人, 还是).
_CJK_PAIR = re.compile(r"(?=([\u4e00-\u9fff]{2}))")
_GENERIC_PAIRS = frozenset("坏了 没人 不了 一直 还是 现在 好几 几天 了好 我们 你们 工会 "
                           "这个 那个 怎么 什么 没有 一下 问题 情况 反映 到现在".split())


def _pairs(text: str) -> set[str]:
    return {p for p in _CJK_PAIR.findall(text)} - _GENERIC_PAIRS


def _repeat(ctx: Ctx, text: str, category: str) -> Request | None:
    """An open request of the sender's, in the same category, that this message repeats."""
    mine = _pairs(text)
    for req in _open_of(ctx, ctx.msg.sender_id)[::-1]:
        theirs = _pairs(req.text)
        shared = len(mine & theirs)
        if req.category == category and shared >= 2 and \
                shared >= 0.15 * min(len(mine), len(theirs)):
            return req
    return None


@router.on("request")
def on_request(ctx: Ctx, photos: Sequence[Media] = (), text: str | None = None,
               parsed: object = None) -> list[Reply]:
    """A request in plain words (with `photos` sent just before it, or `text` said with a
    photo and its `parsed` reading)."""
    p = parsed or ctx.parsed
    assert p is not None
    category = p.category or "其他"  # type: ignore[attr-defined]
    # Kept as the worker wrote it (the parser's text is normalised for reading, not showing),
    # unless it replies to a quote: then the reply alone.
    if text is None:
        text = (ctx.msg.text or "").strip() if p.quote is None else p.text  # type: ignore[attr-defined]
    again = _repeat(ctx, text, category)
    if again is not None:
        return _supplement(ctx, again, text, photos)
    return file_request(ctx, text, category, p.urgency or "small",  # type: ignore[attr-defined]
                        location=_place(p), photos=photos)


def _place(p: object) -> str | None:
    """The place the parser read, cut to its column."""
    where = getattr(p, "location", None)
    return str(where)[:64] if where else None


def _supplement(ctx: Ctx, req: Request, text: str, photos: Sequence[Media] = ()) -> list[Reply]:
    """A requester adding to an open request of theirs: recorded on it, cadres told."""
    ctx.repo.request_event(req, req.status, actor_id=ctx.msg.sender_id, now=ctx.now(),
                           note=f"补充：{text}")
    _attach_photos(ctx, req, photos)
    return [ctx.say(replies.request_added_to(req.id or 0), mentions=(ctx.msg.sender_id,)),
            *cadre_alert(ctx, req, replies.request_supplement_alert(req.id or 0, _who(req),
                                                                     text))]


def _notify_requester(ctx: Ctx, req: Request, text: str) -> Reply:
    """A step told to the requester: privately if they filed privately; filed in a group,
    as their own record (the privacy screen sends it privately with a one-line note in the
    group, where the transport can message one person)."""
    if req.via == "direct" or req.group_id is None or ctx.repo.group(req.group_id) is None:
        return ctx.dm(req.requester_id, text)
    return Reply(text=text, group=req.group_id, to=req.requester_id,
                 mentions=(req.requester_id,), audience="person", reply_to=ctx.msg.message_id)


def _ref(ctx: Ctx) -> tuple[int, str]:
    """(R-number, the rest as typed) of a request command's arguments."""
    return ref_arg(ctx), ctx.raw_rest


LIST_WORDS = ("待办", "超时", "我的", "全部")


@router.command("诉求", permission="member", help="登记一个诉求（困难、问题、建议）；干部：#诉求 待办|超时|我的|全部 看诉求清单",
                usage="#诉求 内容")
def cmd_file(ctx: Ctx) -> list[Reply]:
    text = ctx.raw_args.strip()
    if not text or text in LIST_WORDS:
        if is_cadre(ctx.msg.sender_id, ctx.repo, ctx.config):
            return [_list(ctx, text or "待办")]
        if text:  # a list is for cadres; a worker's one-word request is no request
            return [ctx.say(replies.no_permission(f"诉求 {text}", "cadre"))]
        raise UsageError()
    category, urgency = ctx.parser.request_fields(text)
    photos = _pending_photos(ctx)  # 随手拍: a photo sent just before `#诉求 …`
    place = _place(ctx.parser.parse(text, now=ctx.local(ctx.now()))) if photos else None
    return file_request(ctx, text, category, urgency, location=place, photos=photos)


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
    req = ctx.repo.request(number)
    if req is not None and req.status in OPEN:  # 不满意 reopened it already, or never closed
        return [ctx.say(replies.request_still_open(number))]
    req, err = _get(ctx, number, allowed=("resolved", "closed"))
    if req is None:
        return [err]  # type: ignore[list-item]
    before = {"status": req.status}
    req.deadline = deadline_for(ctx, req.urgency, ctx.now())
    # The last rating stays (a reopened 不满意 still counts); a new one replaces it. It needs
    # answering again: the reminders start over.
    req.resolved_at = req.overdue_at = req.escalated_at = req.pressed_at = None
    req.rating_asked_at = req.first_response_at = None
    text = replies.request_reopened(number, _due(ctx, req))
    return _step(ctx, req, number, "in_progress", before, {"status": "in_progress"}, text,
                 text if ctx.msg.sender_id != req.requester_id else None, note="重办")


@router.command("撤回", permission="requester", target="request", help="撤回自己的诉求", usage="#撤回 R编号")
def cmd_withdraw(ctx: Ctx) -> list[Reply]:
    number, _ = _ref(ctx)
    req, err = _get(ctx, number, allowed=OPEN)
    if req is None:
        return [err]  # type: ignore[list-item]
    before = {"status": req.status}
    req.paused_at = None
    by_other = ctx.msg.sender_id != req.requester_id  # a cadre withdrew it: say so
    return _step(ctx, req, number, "withdrawn", before, {"status": "withdrawn"},
                 replies.request_withdrawn(number),
                 replies.request_withdrawn_notice(number) if by_other else None)


@router.command("查看", permission="cadre", target="request", help="看一个诉求的全部记录（干部）",
                usage="#查看 R编号")
def cmd_view(ctx: Ctx) -> list[Reply]:
    number, _ = _ref(ctx)
    req = ctx.repo.request(number)
    if req is None:
        return [ctx.say(replies.no_such_request(number))]
    events = [(ctx.local(e.time), _actor(ctx, req, e.actor_id),
               _EVENT_WORDS.get(e.status, e.status), e.note)
              for e in ctx.repo.request_events(number)]
    attached = [int(x) for x in req.attachments.split(",") if x.isdigit()]
    media = ctx.repo.media_of_messages(attached)
    text = replies.request_record(
        number, req.urgency, req.category, req.status, req.department, _who(req),
        req.requester_id, _where(ctx, req), ctx.local(req.created_at),
        _due(ctx, req) if req.deadline and req.status in OPEN else None, req.text, events,
        req.resolution, req.rating, len(attached))
    if media:  # a photo report (随手拍): its place and what was stored
        text = replies.request_record_media(
            text, req.location, [(m.kind, m.path, m.bytes, m.status) for m in media])
    # Cadre material: asked in a workers' group, it goes to the cadre privately (or to the
    # cadre group), photos too; the workers' group only hears that it was sent.
    out = [ctx.say(text, audience="cadres")]
    photos = [m for m in media if m.status == "stored" and m.path and m.kind == "image"]
    for i, m in enumerate(photos, 1):
        out.append(replace(ctx.say(replies.request_photo_caption(number, i, len(photos)),
                                   audience="cadres"), file=m.path))
    return out


def _actor(ctx: Ctx, req: Request, actor_id: str) -> str:
    if actor_id == req.requester_id:
        return _who(req)
    if actor_id == "bot":
        return ctx.config.bot_name
    member = ctx.repo.member(actor_id)
    return member.display_name if member is not None and member.display_name else actor_id


@router.command("回复", permission="cadre", target="request", help="给诉求人回话，按他报的方式转达（干部）",
                usage="#回复 R编号 内容")
def cmd_answer(ctx: Ctx) -> list[Reply]:
    number, note, req, err = _with_note(ctx, OPEN)
    if req is None:
        return [err]  # type: ignore[list-item]
    before = {"status": req.status}
    _responded(ctx, req)
    status = "in_progress" if req.status == "filed" else req.status
    return _step(ctx, req, number, status, before, {"status": status, "note": note},
                 replies.request_answered(number), replies.request_answer_notice(number, note),
                 note=f"回复：{note}")


def _list(ctx: Ctx, which: str) -> Reply:
    """`#诉求 待办|超时|我的|全部` for cadres: open requests, oldest due first."""
    now = ctx.now()
    me = ctx.msg.sender_id
    rows = []
    for req in ctx.repo.requests_listed(everything=which == "全部"):
        late = req.deadline is not None and req.deadline < now and req.status in OPEN
        if which == "超时" and not late:
            continue
        if which == "我的" and me not in responsible(ctx, req):
            continue
        rows.append((req.deadline or req.created_at, replies.request_list_line(
            req.id or 0, req.urgency, req.category, req.status,
            _due(ctx, req) if req.deadline and req.status in OPEN else None, late,
            replies.excerpt(req.text))))
    rows.sort(key=lambda x: x[0])
    return ctx.say(replies.request_list(which, [line for _, line in rows]), audience="cadres")


ATTACH_WINDOW = timedelta(minutes=30)


def attach_media(ctx: Ctx, media: Media | None = None) -> list[Reply] | None:
    """A photo or file from a requester soon after filing, or while asked for more, is evidence.
    `media`: what the transport stored of it (storage.media), attached with it."""
    now = ctx.now()
    for req in ctx.repo.requests_by(ctx.msg.sender_id)[::-1]:
        if req.status == "waiting" or (req.status in OPEN and now - req.created_at <= ATTACH_WINDOW):
            req.attachments = ",".join(x for x in (req.attachments, str(ctx.row.id)) if x)
            ctx.repo.save_request(req)
            ctx.repo.request_event(req, req.status, actor_id=ctx.msg.sender_id, now=now,
                                   note=f"发来{replies.MEDIA.get(ctx.msg.type, '附件')}")
            if media is not None:
                ctx.repo.attach_media_to([media], req.id or 0)
                if media.status == "too_large":
                    ctx.repo.add_request_event(req.id or 0, PHOTO_EVENT, actor_id="bot", now=now,
                                               note=replies.photo_too_large_note(
                                                   media.bytes, ctx.config.media_max_bytes))
                    return [ctx.say(replies.photo_too_large(req.id or 0))]
            return [ctx.say(replies.attachment_added(req.id or 0)),
                    *cadre_alert(ctx, req, replies.request_attachment_alert(
                        req.id or 0, _who(req), ctx.msg.type))]
    return None


# A rating, said first in the reply, with or without a reason after it: 不满意，根本没人来.
_RATING = re.compile(
    r"^\s*(?:(非常满意|很满意|不太满意|很不满意|不满意|满意|还行|一般)|([1-5])\s*(?:分|星)?(?!\d))"
    r"\s*(?:[，,。.!！~～；;：:\s]+\s*(.*))?$", re.S)
# A rating is answered in a short reply; a long message is a new matter.
RATING_MAX_CHARS = 80
# A bare acknowledgement of the bot's question is not the information it asked for.
_ACK = re.compile(r"^\s*(?:收到|好的?|好滴|嗯+|哦+|ok|OK|知道了|明白|谢谢|行|可以)\s*[!！。.~～]*\s*$")
_RATING_WORDS = {"非常满意": 5, "很满意": 5, "满意": 5, "还行": 3, "一般": 3, "不太满意": 2,
                 "不满意": 1, "很不满意": 1}


def read_rating(text: str) -> tuple[int, str] | None:
    """(1-5, reason) of a reply that rates, else None."""
    if len(text) > RATING_MAX_CHARS:
        return None
    m = _RATING.match(text)
    if not m:
        return None
    rating = _RATING_WORDS[m.group(1)] if m.group(1) else int(m.group(2))
    return rating, (m.group(3) or "").strip()


def on_requester_reply(ctx: Ctx) -> list[Reply] | None:
    """A requester's answer: a rating for a resolved request, or the info a cadre asked for.

    After the bot asked for a rating, the requester's next short reply is read as the
    answer first (a bare 5 is a rating, never a job claim). 不满意 or 1-2 reopens the same
    request, with the reason, and tells the cadres; 3 or more closes it (销号).
    """
    text = ctx.parsed.text if ctx.parsed else ""
    pending = ctx.repo.requests_awaiting(ctx.msg.sender_id)
    if not pending:
        return None
    # What is kept and shown is what the worker wrote (the parse is normalised for reading).
    said = (ctx.msg.text or "").strip() if ctx.parsed and ctx.parsed.quote is None else text
    rated = read_rating(text)
    for req in pending:
        if req.status == "resolved" and req.rating_asked_at is not None and rated:
            rating, reason = rated
            req.rating = rating
            if rating <= 2:
                return _reopen_unsatisfied(ctx, req, rating, reason)
            note = f"评价 {rating}" + (f"：{reason}" if reason else "")
            ctx.repo.request_event(req, "closed", actor_id=ctx.msg.sender_id, now=ctx.now(),
                                   note=note)
            return [ctx.say(replies.rating_thanks(req.id or 0, rating),
                            mentions=(ctx.msg.sender_id,))]
    for req in pending:
        if req.status == "waiting" and req.paused_at is not None and not rated \
                and not _ACK.match(text):
            if req.deadline is not None:  # the clock stood still while waiting
                # A 难事 counts working days, with or without working hours configured.
                cal = calendar(ctx) or (routine(ctx) if req.urgency == "hard" else None)
                if cal is None:
                    req.deadline = req.deadline + (ctx.now() - req.paused_at)
                else:
                    left = cal.between(req.paused_at, req.deadline)
                    req.deadline = cal.add(ctx.now(), left.total_seconds() / 3600)
            req.paused_at = None
            req.overdue_at = req.escalated_at = req.pressed_at = None  # reminders start over
            attach = ",".join(x for x in (req.attachments, str(ctx.row.id)) if x)
            req.attachments = attach
            ctx.repo.request_event(req, "in_progress", actor_id=ctx.msg.sender_id, now=ctx.now(),
                                   note=f"补充：{said}")
            return [ctx.say(replies.request_supplemented(req.id or 0)),
                    *cadre_alert(ctx, req, replies.request_supplement_alert(
                        req.id or 0, _who(req), said))]
    return None


def _reopen_unsatisfied(ctx: Ctx, req: Request, rating: int, reason: str) -> list[Reply]:
    """不满意: the same request opens again with the reason and a fresh deadline; the cadres
    hear of it. Never a new request, never closed."""
    now = ctx.now()
    req.deadline = deadline_for(ctx, req.urgency, now)
    req.resolved_at = req.overdue_at = req.escalated_at = req.pressed_at = None
    req.rating_asked_at = req.first_response_at = None  # it needs answering again
    note = f"不满意（{rating}分）" + (f"：{reason}" if reason else "")
    ctx.repo.request_event(req, "in_progress", actor_id=ctx.msg.sender_id, now=now, note=note)
    return [ctx.say(replies.request_reopened_unsatisfied(req.id or 0, _due(ctx, req)),
                    mentions=(ctx.msg.sender_id,)),
            *cadre_alert(ctx, req, replies.request_unsatisfied_alert(
                req.id or 0, req.urgency, req.category, _who(req), reason, _due(ctx, req)))]


# -- hazard photos (随手拍) and rewards: issue 28 -------------------------------------------
PHOTO_EVENT = "photo"  # a request event about a photo (one too large to keep)
REWARD_EVENT = "reward"  # a request event: a reward given or changed
_EVENT_WORDS = {PHOTO_EVENT: "照片", REWARD_EVENT: "奖励"}
MEDIA_KINDS = ("image", "file", "video", "voice")


def _record_media(ctx: Ctx) -> Media | None:
    """The media row of a photo or file the transport stored or refused (raw["media"])."""
    got = (ctx.msg.raw or {}).get("media")
    if not isinstance(got, dict):
        return None
    return ctx.repo.add_media(
        message_id=ctx.row.id or 0, person_id=ctx.msg.sender_id,
        group_id=ctx.group.id if ctx.group else None, kind=ctx.msg.type,
        status=str(got.get("status") or "missing"), path=got.get("path"),
        size=int(got.get("bytes") or 0), content_type=str(got.get("content_type") or "")[:64],
        now=ctx.now())


@router.first
def hazard_photos(ctx: Ctx) -> list[Reply] | None:
    """随手拍: a photo and a text about a problem, in either order within the window, are one
    request with the photo attached. A photo first is kept quietly until its text comes (or
    never: a photo with no text stays archived, unanswered); a photo after a request is
    attached to it (`attach_media`). Other messages are left to the rest of the bot."""
    msg = ctx.msg
    if msg.type in MEDIA_KINDS:
        media = _record_media(ctx)
        caption = str((msg.raw or {}).get("caption") or "").strip()
        if msg.type == "image" and caption and media is not None:
            said = ctx.parser.parse(caption, now=ctx.local(msg.time))
            if said.intent == "request":
                return on_request(ctx, photos=[media], text=caption, parsed=said)
        return attach_media(ctx, media) or []
    p = ctx.parsed
    if p is None or p.intent != "request":
        return None
    photos = _pending_photos(ctx)
    if not photos:
        return None
    return on_request(ctx, photos=photos)


def _pending_photos(ctx: Ctx) -> list[Media]:
    """The sender's photos in this chat within the window that belong to no request yet."""
    since = ctx.now() - timedelta(minutes=ctx.config.media_window_minutes)
    return ctx.repo.unattached_media(ctx.msg.sender_id, ctx.group.id if ctx.group else None,
                                     since)


def _amount(word: str) -> int | None:
    m = re.fullmatch(r"(\d{1,6})\s*(?:元|块钱?)?", word)
    return int(m.group(1)) if m else None


@router.command("奖励", permission="cadre", target="request",
                help="给随手拍的诉求人记奖励，私信告诉本人（干部）",
                usage="#奖励 R编号 金额，如：#奖励 R12 20；改金额：#奖励 R12 30 改")
def cmd_reward(ctx: Ctx) -> list[Reply]:
    number, _ = _ref(ctx)
    words = ctx.rest.split()
    change = bool(words) and words[-1] in ("改", "修改", "更改")
    if change:
        words = words[:-1]
    amount = _amount("".join(words)) if words else None
    if amount is None:
        raise UsageError()
    req = ctx.repo.request(number)
    if req is None:
        return [ctx.say(replies.no_such_request(number))]
    if req.status == "withdrawn":
        return [ctx.say(replies.reward_withdrawn(number))]
    low, high = ctx.config.reward_min, ctx.config.reward_max
    if not low <= amount <= high:
        return [ctx.say(replies.reward_out_of_bounds(amount, low, high))]
    old = ctx.repo.reward(number)
    if old is not None and not change:
        return [ctx.say(replies.reward_already(number, old.amount))]
    if old is None and change:
        return [ctx.say(replies.reward_nothing_to_change(number))]
    before = old.amount if old is not None else None
    now = ctx.now()
    ctx.repo.set_reward(req, amount, actor_id=ctx.msg.sender_id, now=now)
    ctx.repo.add_request_event(number, REWARD_EVENT, actor_id=ctx.msg.sender_id, now=now,
                               note=replies.reward_event_note(amount, before))
    _audit(ctx, "奖励", number, {"amount": before}, {"amount": amount})
    reachable = not req.requester_id.startswith(ERASED)
    out = [ctx.say(replies.reward_recorded(number, amount, _who(req), before, reachable),
                   audience="cadres")]
    if reachable:  # always privately: a reward is the reporter's own business
        out.append(ctx.dm(req.requester_id,
                          replies.reward_notice(number, req.location, amount, before)))
    return out


def month_of(arg: str, today: date) -> tuple[date, date, str]:
    """[start, end) and title of 本月 (default) / 上月 / YYYY-MM."""
    arg = arg.strip()
    m = re.fullmatch(r"(\d{4})\s*[-年./]\s*(\d{1,2})\s*月?", arg)
    if m:
        return month_span(int(m.group(1)), int(m.group(2)))
    if arg in ("", "本月", "这个月"):
        return month_span(today.year, today.month)
    if arg == "上月":
        last = today.replace(day=1) - timedelta(days=1)
        return month_span(last.year, last.month)
    raise UsageError()


@router.command("奖励台账", permission="cadre", help="看一个月的随手拍奖励：每人合计和明细（干部）",
                usage="#奖励台账 [本月|上月|2026-12]")
def cmd_reward_ledger(ctx: Ctx) -> Reply:
    start, end, title = month_of(ctx.args, ctx.local(ctx.now()).date())
    tz = ctx.config.tz
    lines = ctx.repo.reward_ledger(datetime.combine(start, time(0), tzinfo=tz),
                                   datetime.combine(end, time(0), tzinfo=tz))
    return ctx.say(replies.reward_ledger(title, [
        (x.name, x.total, [(n, a, p) for n, a, p, _ in x.items]) for x in lines]),
        audience="cadres")
