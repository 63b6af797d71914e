"""Scheduled work, written like handlers: a function of the clock and the repository that
returns the replies it causes. *When* each runs is the schedule table's business
(bot/schedule.py); the composition root stores and sends what they return.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path

from bot import charts, replies
from bot.config import Config
from bot.handlers.common import claimant_notices, posting_line, posting_what
from bot.types import Reply
from bot.workcal import routine_window
from scheduler import reports
from scheduler import request_figures as rf
from scheduler.digest import build_digest
from storage import Repository
from storage.identities import REBIND
from storage.models import Group, Request

log = logging.getLogger(__name__)


@dataclass
class ClockCtx:
    """What scheduled work receives: the repository and config (the time comes as `when`)."""

    repo: Repository
    config: Config

    def local_day(self, when: datetime) -> date:
        return when.astimezone(self.config.tz).date()


def _alert(ctx: ClockCtx, who: tuple[str, ...], key: str, when: datetime,
           text: str) -> list[Reply]:
    """To the cadre group mentioning `who`; with no cadre group, privately to each."""
    cadre_group = ctx.repo.cadre_group()
    if cadre_group is not None:
        return [Reply(text=text, group=cadre_group.id, mentions=who, time=when, key=key)]
    return [Reply(text=text, to=cadre, time=when, key=f"{key}:{i}")
            for i, cadre in enumerate(who)]


def logged_out(ctx: ClockCtx, when: datetime) -> list[Reply]:
    """The WeChat account was logged out: tell the cadres (it goes out after re-login)."""
    return _alert(ctx, ctx.config.cadres, f"logout:{when.isoformat()}", when,
                  replies.account_logged_out())


IDENTITIES_TOLD = "identities:told"  # the last audit row of a re-bound person told to cadres


def identity_notes(ctx: ClockCtx, when: datetime) -> list[Reply]:
    """People the gateway bindings re-bound by anything weaker than the WeChat id, or would
    not re-bind onto a role holder (storage.Identities), since the last note: one note to
    the cadre group, else privately to the config's cadres. Not timed: the composition root
    runs it when the bindings record one, and once at start."""
    told = int(ctx.repo.get_state(IDENTITIES_TOLD) or 0)
    rows = ctx.repo.audit_after(told, REBIND)
    if not rows:
        return []
    ctx.repo.set_state(IDENTITIES_TOLD, str(rows[-1].id))
    rebound, refused = [], []
    for a in rows:
        after = json.loads(a.after or "{}")
        if a.allowed:
            rebound.append(str(after.get("name") or a.actor_id))
        else:
            holder = str(after.get("holder") or a.target or "")
            refused.append((str(after.get("name") or holder), a.actor_id, holder,
                            holder in ctx.config.role_ids))
    text = replies.people_rebound(rebound, refused)
    key = f"identities:{rows[-1].id}"
    cadre_group = ctx.repo.cadre_group()
    if cadre_group is not None:
        return [Reply(text=text, group=cadre_group.id, time=when, key=key)]
    if not ctx.config.cadres:
        log.warning("%d re-bound people not told to anyone (no cadre group, no cadres)",
                    len(rows))
    return [Reply(text=text, to=cadre, time=when, key=f"{key}:{i}")
            for i, cadre in enumerate(ctx.config.cadres)]


def expire_postings(ctx: ClockCtx, when: datetime) -> list[Reply]:
    """Expire postings past their end date or idle for `expire_days`. The group is not told;
    the people with a claim on one are, each privately where the transport can, when
    routine messages may go out (not at night)."""
    idle = when - timedelta(days=ctx.config.expire_days)
    out: list[Reply] = []
    for p in ctx.repo.expirable(ctx.local_day(when), idle):
        ctx.repo.set_posting_status(p, "expired", now=when)
        log.info("posting #%s expired (end %s, last activity %s)", p.id, p.end_date, p.updated_at)
        # Expiry runs after midnight: the people on it hear in the morning, not at night.
        morning = _routine(ctx).next_open(when).astimezone(when.tzinfo)
        out += claimant_notices(ctx.repo, p, replies.claimed_posting_expired(
            p.id or 0, posting_what(p)), morning, "expired")
    return out


def retention_sweep(ctx: ClockCtx, when: datetime) -> list[Reply]:
    """Daily: archived messages older than `retention.raw_days` lose their raw payload and
    parse, and their text unless a posting, claim or request stands on it; erasures whose
    last private message has gone out lose that trace too. Silent."""
    settled = ctx.repo.settle_erasures(when)
    if settled:
        log.info("retention: %d private message(s) to erased people anonymised", settled)
    days = ctx.config.retention_raw_days
    if days > 0:
        purged = ctx.repo.purge_archive(when - timedelta(days=days))
        if purged["raw"] or purged["text"]:
            log.info("retention: messages older than %d days: %d raw payload(s), %d text(s) "
                     "dropped", days, purged["raw"], purged["text"])
    return []


def claim_notices(ctx: ClockCtx, when: datetime) -> list[Reply]:
    """Tell each poster, in one message per posting, who claimed since the last time."""
    out = []
    for post, claims in ctx.repo.claims_to_notify():
        group = ctx.repo.group(post.group_id)
        if group is None or group.paused:
            continue
        who = [f"{c.claimant_name or c.claimant_id}（{c.headcount}人）" for c in claims]
        text = replies.new_claims(post.id or 0, who, ctx.repo.claimed(post.id or 0),
                                  post.headcount)
        key = f"claims:{post.id}:{max(c.id or 0 for c in claims)}:{when.isoformat()}"
        out.append(Reply(text=text, group=group.id, mentions=(post.poster_id,), time=when,
                         key=key))
        for c in claims:
            c.poster_notified_at = when
            ctx.repo.save_claim(c)
    return out


def _routine(ctx: ClockCtx):  # noqa: ANN202 - a WorkCalendar
    cfg = ctx.config
    return routine_window(cfg.tz, cfg.calendar_hours, cfg.quiet_hours, cfg.calendar_holidays)


def _late_by(when: datetime, deadline: datetime) -> str:
    return replies.late_by((when - deadline).days, int((when - deadline).total_seconds() // 3600))


def request_sweep(ctx: ClockCtx, when: datetime) -> list[Reply]:
    """Requests past their deadline: remind the responsible cadres once, 督办 in the cadre
    group at twice the time, then one 督办 line a day with its age until a cadre acts.

    A 小事 or 急事 a cadre has answered kept its promise; a 难事 owes feedback every three
    working days (each cadre action sets the next deadline). A 急事 is raised at any hour;
    everything else, and the rating reminders, wait for working hours (no nights, no days
    off). A resolved request nobody rated gets one reminder a day after it was asked.
    """
    out: list[Reply] = []
    cfg = ctx.config
    routine_ok = _routine(ctx).is_open(when)
    pressed: list[str] = []
    for r in ctx.repo.requests_open():
        if r.deadline is None or r.deadline >= when:
            continue
        if r.urgency in ("small", "urgent") and r.first_response_at is not None:
            continue  # answered on the spot / coordinated: what was promised
        if r.urgency != "urgent" and not routine_ok:
            continue  # held for working hours
        who = cfg.department_cadres.get(r.department or "") or cfg.cadres
        if r.overdue_at is None:
            r.overdue_at = when
            text = replies.request_overdue(r.id or 0, r.urgency, r.category, r.department)
            out += _alert(ctx, who, f"overdue:{r.id}:{r.deadline.isoformat()}", when, text)
            if r.urgency == "urgent" and ctx.repo.cadre_group() is not None:
                out += [Reply(text=text, to=c, time=when,
                              key=f"overdue:{r.id}:{r.deadline.isoformat()}:{c}") for c in who]
        allowed = r.deadline - r.created_at
        if r.escalated_at is None and when >= r.deadline + max(allowed, timedelta(minutes=30)):
            r.escalated_at = r.pressed_at = when
            out += _alert(ctx, cfg.cadres, f"escalated:{r.id}:{r.deadline.isoformat()}", when,
                          replies.request_escalated(r.id or 0, r.urgency, r.category,
                                                    r.department))
        elif r.escalated_at is not None and when - (r.pressed_at or r.escalated_at) >= \
                timedelta(days=1):
            r.pressed_at = when
            pressed.append(replies.pressed_line(r.id or 0, r.urgency, r.category, r.department,
                                                _late_by(when, r.deadline)))
        ctx.repo.save_request(r)
    if pressed:
        day = ctx.local_day(when).isoformat()
        out += _alert(ctx, cfg.cadres, f"pressed:{day}:{when.isoformat()}", when,
                      replies.request_pressed(pressed))
    if not routine_ok:
        return out
    for r in ctx.repo.requests_unrated(when - timedelta(days=1)):
        if any(e.status == "rating_reminder" for e in ctx.repo.request_events(r.id or 0)):
            continue
        ctx.repo.add_request_event(r.id or 0, "rating_reminder", actor_id="bot", now=when)
        group = ctx.repo.group(r.group_id) if r.via == "group" else None
        text = replies.rating_reminder(r.id or 0)
        if group is not None:
            out.append(Reply(text=text, group=group.id, mentions=(r.requester_id,), time=when,
                             key=f"rate:{r.id}"))
        else:
            out.append(Reply(text=text, to=r.requester_id, time=when, key=f"rate:{r.id}"))
    return out


def _cadre_digest(ctx: ClockCtx, day: date, when: datetime,
                  since: date | None = None) -> str | None:
    """诉求日报: requests due today, overdue (a 小事 or 急事 answered kept its promise), the
    rest still open, each with its age and last action, and those resolved since the last 诉求日报 (`since`, its day; yesterday when none went
    out: a resolution on a day off still reaches the next one); None when there are none."""
    tz = ctx.config.tz
    since = since if since is not None and since < day else day - timedelta(days=1)
    due, overdue, in_hand, resolved = [], [], [], []
    for r in ctx.repo.all(Request):
        events = ctx.repo.request_events(r.id or 0)
        last = events[-1] if events else None
        handled = any(e.actor_id not in (r.requester_id, "bot") for e in events)
        line = replies.cadre_request_line(
            r.id or 0, r.urgency, r.category, r.department, handled,
            replies.when_text(r.deadline.astimezone(tz), day) if r.deadline else None,
            (day - r.created_at.astimezone(tz).date()).days,
            (replies.EVENT.get(last.status, last.status), last.note,
             last.time.astimezone(tz)) if last is not None else None)
        if r.status in ("filed", "dispatched", "in_progress", "waiting"):
            kept = r.urgency in ("small", "urgent") and r.first_response_at is not None
            if r.deadline is not None and r.deadline < when and r.status != "waiting" \
                    and not kept:
                overdue.append(line)
            elif r.deadline is not None and r.deadline.astimezone(tz).date() == day and not kept:
                due.append(line)
            else:
                in_hand.append(line)
        if r.resolved_at is not None and since <= r.resolved_at.astimezone(tz).date() < day:
            resolved.append(line)
    if not (due or overdue or in_hand or resolved):
        return None
    # This month so far, by the one rule every report uses (scheduler.request_figures).
    month = datetime.combine(day.replace(day=1), time(0), tzinfo=tz)
    figures = rf.summarize(reports.outcomes_during(ctx.repo, month, when, when))
    return replies.cadre_digest(day, due, overdue, in_hand, resolved, since,
                                (figures.on_time_share(), figures.satisfied_share()))


def digest_time(config: Config, g: Group) -> time:
    """The local time a group's daily digest goes out (its own setting, else the config's)."""
    if g.digest_time:
        return time.fromisoformat(g.digest_time)
    return config.digest_time_for(g.name)


def daily_digests(ctx: ClockCtx, when: datetime, at: time) -> list[Reply]:
    """Today's digest for every group whose digest time is `at`."""
    out = []
    day = ctx.local_day(when)
    holiday = ctx.config.skip_holidays and statutory_holiday(day)
    for g in ctx.repo.groups():
        if g.paused or digest_time(ctx.config, g) != at:
            continue
        if ctx.repo.digest_sent(g.id or 0, "daily", day):
            continue
        if g.is_cadre_group:
            text = _cadre_digest(ctx, day, when, ctx.repo.last_digest_day(g.id or 0))
            if text is not None and not _routine(ctx).is_workday(day) and not any(
                    r.urgency == "urgent" for r in ctx.repo.requests_open()):
                log.info("no cadre digest on %s: a day off with nothing urgent open", day)
                continue
        elif holiday:
            log.info("no digest for %s on %s: a public holiday", g.name, day)
            continue
        else:
            text = build_digest(ctx.repo, g, day, now=when, line=posting_line,
                                render=replies.digest)
        if text is None:
            continue
        out.append(Reply(text=text, group=g.id, time=when, key=f"digest:{g.id}:{day.isoformat()}"))
        ctx.repo.record_digest(g.id or 0, "daily", day, now=when)
        log.info("digest for %s on %s queued", g.name, day)
    return out


def weekly_report(ctx: ClockCtx, when: datetime) -> list[Reply]:
    """Monday: last week's figures to the cadre group, with a chart where a CJK font exists."""
    today = ctx.local_day(when)
    start = today - timedelta(days=7)
    cadre_group = ctx.repo.cadre_group()
    if cadre_group is not None and ctx.repo.digest_sent(cadre_group.id or 0, "weekly", today):
        return []
    w = reports.weekly(ctx.repo, ctx.config.tz, start, when)
    path = Path(ctx.config.exports_dir) / f"周报{start:%Y年%m月%d日}.png"
    try:
        chart = charts.weekly_chart(w.days, w.placements_by_day, w.requests_by_day,
                                    replies.weekly_chart_title(start), path,
                                    charts.cjk_font(ctx.config.report_font))
    except Exception:  # noqa: BLE001 - the figures still go out without the picture
        log.exception("weekly chart failed; sending the text only")
        chart = None
    text = replies.weekly_report(w.start, w.end - timedelta(days=1), w.placements, w.filed,
                                 w.on_time, w.satisfied, chart is not None,
                                 handled=w.requests.count, more=_week_more(ctx, w))
    file = str(chart) if chart else None
    key = f"weekly:{today.isoformat()}"
    if cadre_group is not None:
        ctx.repo.record_digest(cadre_group.id or 0, "weekly", today, now=when)
        return [Reply(text=text, group=cadre_group.id, file=file, time=when, key=key)]
    return [Reply(text=text, to=cadre, file=file, time=when, key=f"{key}:{i}")
            for i, cadre in enumerate(ctx.config.cadres)]


def _week_more(ctx: ClockCtx, w: reports.Weekly) -> list[str]:
    """The Monday report's lines for issue 28's records, each from the one function that
    counts it for its own command too, and only when there is something to say."""
    tz = ctx.config.tz
    lo = datetime.combine(w.start, time(0), tzinfo=tz)
    hi = datetime.combine(w.end, time(0), tzinfo=tz)
    out = []
    shares = ctx.repo.share_figures(None, lo, hi)
    if shares["needs"]:
        out.append(replies.share_figures_line(shares))
    pairs = ctx.repo.firm_pairs(None, lo, hi)
    if pairs["pairs"]:
        out.append(replies.firm_pairs_line(pairs).strip())
    opens = ctx.repo.consultations_open()
    if opens:
        out.append(replies.open_consultations_line(
            [f"Y{c.id}《{c.title}》" for c in reversed(opens)]))
    if w.wishes is not None and (w.wishes.wishes or w.wishes.waiting):
        f = w.wishes
        out.append(replies.wish_report_line(f.wishes, f.people, f.opened, f.answered, f.waiting))
    rewards = ctx.repo.reward_ledger(lo, hi)
    if rewards:
        out.append(replies.rewards_week_line(sum(x.total for x in rewards), len(rewards),
                                             sum(len(x.items) for x in rewards)))
    return out


def statutory_holiday(day: date) -> bool:
    """A statutory public holiday (not an ordinary weekend), by chinese-calendar."""
    try:
        import chinese_calendar  # noqa: PLC0415

        on_holiday, name = chinese_calendar.get_holiday_detail(day)
        return bool(on_holiday and name)
    except NotImplementedError:
        return False
