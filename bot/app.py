"""The composition root: `build_app(config, transport)` wires everything; nothing at import."""

from __future__ import annotations

import logging
import threading
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from bot import charts, replies
from bot.clock import ManualClock, SystemClock
from bot.config import Config
from bot.context import Clock
from bot.dispatcher import Dispatcher
from bot.handlers import build_registry
from bot.handlers.common import posting_line
from bot.transports.base import SendLater, Transport, UnknownChat
from bot.types import InboundMessage, Reply
from parsers import Parser
from scheduler import reports
from scheduler.digest import build_digest
from scheduler.jobs import JobSpec, RealtimeScheduler, due_between
from storage import Repository, make_engine, migrate
from storage.models import Group, Outbox, Request, RequestEvent

log = logging.getLogger(__name__)
CLOCK_KEY = "clock"


class App:
    """A running bot: one repository, one dispatcher, one transport, scheduled jobs."""

    def __init__(self, config: Config, transport: Transport, *, repo: Repository, parser: Parser,
                 clock: Clock, simulated: bool = False) -> None:
        self.config, self.transport, self.repo, self.parser = config, transport, repo, parser
        self.clock = clock
        self.simulated = simulated
        self.registry = build_registry()
        self.dispatcher = Dispatcher(repo, config, clock, parser, self.registry,
                                     can_direct=getattr(transport, "can_direct", True))
        self.lock = threading.RLock()
        self.realtime: RealtimeScheduler | None = None
        # A manual clock is "known" once it stands where this database's clock last stood;
        # a new database has no past, so its clock starts at the first message.
        self.clock_known = False
        # True when the outbox may hold rows other than the ones a dispatch just wrote:
        # at start (a crash may have left some), after a failed send, after scheduled work.
        self.backlog = True
        self.closed = False
        self.sent = 0  # replies the transport took, this run

    # -- messages ---------------------------------------------------------------------------
    def handle(self, msg: InboundMessage) -> list[Reply]:
        """Process one inbound message and send what it caused."""
        with self.lock:
            if isinstance(self.clock, ManualClock):
                if not self.clock_known:
                    self.clock.set(msg.time)
                    self.clock_known = True
                elif self.simulated:
                    self.advance(msg.time)
                elif msg.time > self.clock.now():
                    self.clock.set(msg.time)
            self.dispatcher.queued, self.dispatcher.last_command = [], None
            out = self.dispatcher.dispatch(msg)
            self.flush(self.dispatcher.queued)
            if self.realtime is not None and self.dispatcher.last_command == "设置":
                self.realtime.sync(self.job_specs())  # a group's digest time may have moved
            return out

    def flush(self, just_queued: list[Outbox] | None = None) -> int:
        """Send queued replies that are due; a failed send stays queued for the next flush.

        Each row is marked sent as soon as the transport took it, and committed at once, so a
        crash after a send repeats at most that one reply. With `just_queued` and no backlog,
        only those rows are sent (no outbox query per message).
        """
        sent = 0
        if just_queued is not None and not self.backlog:
            rows = list(just_queued)
        else:
            rows = list(self.repo.pending(until=self.clock.now()))
            self.backlog = False
        # A transport that can't be asked afterwards whether a send went through gets each
        # reply marked as attempted first; one attempted but unmarked after a crash waits
        # until the transport has had the chance to see its echo (see Outbox.attempted_at).
        doubtful_ok = getattr(self.transport, "ready_for_doubtful", None)
        for row in rows:
            if doubtful_ok is not None and row.attempted_at is not None and not doubtful_ok():
                self.backlog = True
                continue
            group = self.repo.group(row.group_id)
            ids = tuple(x for x in row.mentions.split("\n") if x)
            names = tuple(self.dispatcher.display_name(i) for i in ids)
            reply = Reply(text=row.text, chat=group.name if group else None, to=row.to_id,
                          mentions=ids, mention_names=names, file=row.file,
                          reply_to=row.reply_to, time=row.due,
                          chat_id=group.external_id if group else None)
            if doubtful_ok is not None and row.attempted_at is None:
                self.repo.mark_attempted(row, now=self.clock.now())
            try:
                gateway_id = self.transport.send(reply)
            except SendLater as e:  # paced or backing off: not an error, the outbox waits
                log.info("outbox row %s waits: %s", row.id, e)
                self.backlog = True
                break
            except UnknownChat as e:  # retrying can't help: give up loudly, not silently
                log.error("outbox row %s can't be delivered: %s", row.id, e)
                self.repo.mark_failed(row, str(e), now=self.clock.now())
                self._undeliverable(row, group)
                continue
            except Exception:  # noqa: BLE001 - the outbox keeps it; the next flush retries
                log.exception("send failed for outbox row %s; kept for retry", row.id)
                self.backlog = True
                break
            self.repo.mark_sent(row, now=self.clock.now(),
                                gateway_id=gateway_id if isinstance(gateway_id, str) else None)
            sent += 1
        self.sent += sent
        return sent

    def flush_if_backlog(self) -> None:
        """Called when the transport is idle: retry what waits in the outbox."""
        if self.backlog:
            with self.lock:
                self.flush()

    def _cadre_group(self) -> Group | None:
        return next((g for g in self.repo.groups() if g.is_cadre_group), None)

    def _undeliverable(self, row: Outbox, group: Group | None) -> None:
        cadre_group = self._cadre_group()
        if cadre_group is None or (group is not None and group.id == cadre_group.id):
            return  # nowhere better to say it: the log line above is all there is
        now = self.clock.now()
        where = group.name if group is not None else (row.to_id or "?")
        self.repo.enqueue(key=f"undeliverable:{row.id}", group_id=cadre_group.id,
                          text=replies.undeliverable(where, row.text, is_group=group is not None),
                          due=now, created_at=now)
        self.repo.commit()
        self.backlog = True

    def account_logged_out(self, detail: str) -> None:
        """The WeChat account was logged out: tell the cadres (it goes out after re-login)."""
        with self.lock:
            cadre_group = self._cadre_group()
            now = self.clock.now()
            self._alert(cadre_group, self.config.cadres, f"logout:{now.isoformat()}", now,
                        replies.account_logged_out())
            self.repo.commit()
            self.backlog = True

    # -- time -------------------------------------------------------------------------------
    def job_specs(self) -> list[JobSpec]:
        times = {self.config.digest_time}
        times.update(g.digest_time for g in self.config.groups if g.digest_time)
        for g in self.repo.groups():
            if g.digest_time:
                times.add(time.fromisoformat(g.digest_time))
        specs = [JobSpec(id=f"digest@{t:%H:%M}", at=t,
                         run=lambda when, t=t: self.run_digests(when, t)) for t in sorted(times)]
        specs.append(JobSpec(id="expire@00:05", at=time(0, 5), run=self.run_expiry))
        specs.append(JobSpec(id=f"claims@*/{self.config.notify_every_minutes}",
                             every_minutes=self.config.notify_every_minutes,
                             run=self.run_claim_notices))
        specs.append(JobSpec(id="requests@*/15", every_minutes=15, run=self.run_request_sweep))
        specs.append(JobSpec(id=f"weekly@mon-{self.config.weekly_time:%H:%M}",
                             at=self.config.weekly_time, weekday="mon", run=self.run_weekly))
        return specs

    def run_weekly(self, when: datetime) -> None:
        """Monday: last week's figures to the cadre group, with a chart where a CJK font exists."""
        with self.lock:
            today = when.astimezone(self.config.tz).date()
            start = today - timedelta(days=7)
            cadre_group = self._cadre_group()
            if cadre_group is not None and self.repo.digest_sent(cadre_group.id or 0, "weekly", today):
                return
            w = reports.weekly(self.repo, self.config.tz, start, when)
            path = Path(self.config.exports_dir) / f"周报{start:%Y年%m月%d日}.png"
            try:
                chart = charts.weekly_chart(w.days, w.placements_by_day, w.requests_by_day,
                                            f"{start.month}月{start.day}日那一周：调配与诉求", path,
                                            charts.cjk_font(self.config.report_font))
            except Exception:  # noqa: BLE001 - the figures still go out without the picture
                log.exception("weekly chart failed; sending the text only")
                chart = None
            text = replies.weekly_report(w.start, w.end - timedelta(days=1), w.placements, w.filed,
                                         w.on_time, w.satisfied, chart is not None)
            key = f"weekly:{today.isoformat()}"
            if cadre_group is not None:
                self.repo.enqueue(key=key, group_id=cadre_group.id, text=text,
                                  file=str(chart) if chart else None, due=when, created_at=when)
                self.repo.record_digest(cadre_group.id or 0, "weekly", today, now=when)
            else:
                for i, cadre in enumerate(self.config.cadres):
                    self.repo.enqueue(key=f"{key}:{i}", to_id=cadre, text=text,
                                      file=str(chart) if chart else None, due=when, created_at=when)
            self.repo.commit()
            self.backlog = True
            if self.realtime is not None:
                self.flush()

    def run_request_sweep(self, when: datetime) -> None:
        """Overdue requests: remind the responsible cadres once, escalate once at twice the time.

        Resolved requests nobody rated get one reminder a day after they were asked.
        """
        with self.lock:
            cadre_group = self._cadre_group()
            for r in self.repo.requests_open():
                if r.deadline is None or r.deadline >= when:
                    continue
                if r.urgency == "small" and r.first_response_at is not None:
                    continue  # 小事: answered on the spot is what was promised
                who = self.config.department_cadres.get(r.department or "") or self.config.cadres
                if r.overdue_at is None:
                    r.overdue_at = when
                    self._alert(cadre_group, who, f"overdue:{r.id}:{r.deadline.isoformat()}", when,
                                replies.request_overdue(r.id or 0, r.urgency, r.category,
                                                        r.department))
                allowed = r.deadline - r.created_at
                if r.escalated_at is None and when >= r.deadline + max(allowed, timedelta(minutes=30)):
                    r.escalated_at = when
                    self._alert(cadre_group, self.config.cadres,
                                f"escalated:{r.id}:{r.deadline.isoformat()}", when,
                                replies.request_escalated(r.id or 0, r.urgency, r.category,
                                                          r.department))
                self.repo.s.add(r)
            for r in self.repo.requests_unrated(when - timedelta(days=1)):
                if any(e.status == "rating_reminder" for e in self.repo.request_events(r.id or 0)):
                    continue
                self.repo.s.add(RequestEvent(request_id=r.id or 0, status="rating_reminder",
                                             actor_id="bot", time=when))
                group = self.repo.group(r.group_id) if r.via == "group" else None
                self.repo.enqueue(key=f"rate:{r.id}", group_id=group.id if group else None,
                                  to_id=None if group else r.requester_id,
                                  text=replies.rating_reminder(r.id or 0),
                                  mentions=r.requester_id if group else "", due=when,
                                  created_at=when)
            self.repo.commit()
            self.backlog = True
            if self.realtime is not None:
                self.flush()

    def _alert(self, cadre_group: Group | None, who: tuple[str, ...], key: str, when: datetime,
               text: str) -> None:
        """To the cadre group mentioning `who`; with no cadre group, privately to each."""
        if cadre_group is not None:
            self.repo.enqueue(key=key, group_id=cadre_group.id, text=text,
                              mentions="\n".join(who), due=when, created_at=when)
            return
        for i, cadre in enumerate(who):
            self.repo.enqueue(key=f"{key}:{i}", to_id=cadre, text=text, due=when, created_at=when)

    def run_claim_notices(self, when: datetime) -> None:
        """Tell each poster, in one message per posting, who claimed since the last time."""
        with self.lock:
            for post, claims in self.repo.claims_to_notify():
                group = self.repo.group(post.group_id)
                if group is None or group.paused:
                    continue
                who = [f"{c.claimant_name or c.claimant_id}（{c.headcount}人）" for c in claims]
                text = replies.new_claims(post.id or 0, who, self.repo.claimed(post.id or 0),
                                          post.headcount)
                key = f"claims:{post.id}:{max(c.id or 0 for c in claims)}:{when.isoformat()}"
                self.repo.enqueue(key=key, group_id=group.id, text=text,
                                  mentions=post.poster_id, due=when, created_at=when)
                for c in claims:
                    c.poster_notified_at = when
                    self.repo.s.add(c)
            self.repo.commit()
            self.backlog = True
            if self.realtime is not None:
                self.flush()

    def clock_start(self) -> datetime | None:
        """Where this database's clock last stood: its last message or the last simulated run."""
        saved = self.repo.get_state(CLOCK_KEY)
        last = self.repo.last_message_time()
        cands = [t for t in (datetime.fromisoformat(saved) if saved else None, last) if t]
        return max(cands) if cands else None

    def advance(self, until: datetime) -> None:
        """Move the simulated clock to `until`, firing every job due on the way, in order."""
        assert isinstance(self.clock, ManualClock)
        if not self.clock_known:  # nothing happened before: there is nothing to fire
            self.clock.set(until)
            self.clock_known = True
        start = self.clock.now()
        if until <= start:
            return
        for when, spec in due_between(self.job_specs(), self.config.tz, start, until):
            self.clock.set(when)
            spec.run(when)
            self.backlog = True
            self.flush()
        self.clock.set(until)
        self.repo.set_state(CLOCK_KEY, until.isoformat())
        self.repo.commit()

    def start_realtime(self) -> None:
        self.realtime = RealtimeScheduler(self.config.tz)
        self.realtime.start(self.job_specs())
        self.catch_up(self.clock.now())

    def catch_up(self, now: datetime) -> int:
        """Send today's digests the bot missed while it was down, if still within the grace.

        A digest is never sent twice (the digest log); older than the grace, it is skipped.
        """
        grace = timedelta(minutes=self.config.digest_grace_minutes)
        ran = 0
        for spec in self.job_specs():
            if not spec.id.startswith("digest@"):
                continue
            for when, _ in due_between([spec], self.config.tz, now - grace, now):
                log.info("catching up %s due at %s", spec.id, when)
                spec.run(when)
                ran += 1
        self.backlog = True
        self.flush()
        return ran

    # -- scheduled work ---------------------------------------------------------------------
    def run_expiry(self, when: datetime) -> None:
        """Expire postings past their end date or idle for `expire_days`. Silent: nobody is told."""
        with self.lock:
            today = when.astimezone(self.config.tz).date()
            idle = when - timedelta(days=self.config.expire_days)
            for p in self.repo.expirable(today, idle):
                self.repo.set_posting_status(p, "expired", now=when)
                log.info("posting #%s expired (end %s, last activity %s)", p.id, p.end_date,
                         p.updated_at)
            self.repo.commit()

    def _cadre_digest(self, day: date, when: datetime) -> str | None:
        """Requests due today, overdue, and resolved yesterday; None when there are none."""
        tz = self.config.tz
        due, overdue, resolved = [], [], []
        for r in self.repo.all(Request):
            line = replies.cadre_request_line(
                r.id or 0, r.urgency, r.category, r.department,
                replies.when_text(r.deadline.astimezone(tz), day) if r.deadline else None)
            if r.status in ("filed", "dispatched", "in_progress") and r.deadline is not None:
                if r.deadline < when:
                    overdue.append(line)
                elif r.deadline.astimezone(tz).date() == day:
                    due.append(line)
            if r.resolved_at is not None and r.resolved_at.astimezone(tz).date() == day - timedelta(days=1):
                resolved.append(line)
        if not (due or overdue or resolved):
            return None
        return replies.cadre_digest(day, due, overdue, resolved)

    def _digest_time(self, g: Group) -> time:
        if g.digest_time:
            return time.fromisoformat(g.digest_time)
        return self.config.digest_time_for(g.name)

    def run_digests(self, when: datetime, at: time) -> None:
        """Queue today's digest for every group whose digest time is `at`."""
        with self.lock:
            day = when.astimezone(self.config.tz).date()
            holiday = self.config.skip_holidays and _statutory_holiday(day)
            for g in self.repo.groups():
                if g.paused or self._digest_time(g) != at:
                    continue
                if self.repo.digest_sent(g.id or 0, "daily", day):
                    continue
                if g.is_cadre_group:
                    text = self._cadre_digest(day, when)
                elif holiday:
                    log.info("no digest for %s on %s: a public holiday", g.name, day)
                    continue
                else:
                    text = build_digest(self.repo, g, day, now=when, line=posting_line,
                                        render=replies.digest)
                if text is None:
                    continue
                self.repo.enqueue(key=f"digest:{g.id}:{day.isoformat()}", group_id=g.id,
                                  text=text, due=when, created_at=when)
                self.repo.record_digest(g.id or 0, "daily", day, now=when)
                log.info("digest for %s on %s queued", g.name, day)
            self.repo.commit()
            self.backlog = True
            if self.realtime is not None:
                self.flush()

    def close(self) -> None:
        """Stop the clock jobs, send what is queued, release the database. Safe to repeat."""
        if self.realtime is not None:
            self.realtime.stop()
        with self.lock:
            if self.closed:
                return
            self.flush()
            self.repo.close()
            self.closed = True


def _statutory_holiday(day: date) -> bool:
    """A statutory public holiday (not an ordinary weekend), by chinese-calendar."""
    try:
        import chinese_calendar  # noqa: PLC0415

        on_holiday, name = chinese_calendar.get_holiday_detail(day)
        return bool(on_holiday and name)
    except NotImplementedError:
        return False


def build_app(config: Config, transport: Transport, *, clock: Clock | None = None,
              simulated: bool = False, parser: Parser | None = None, **engine_kw: Any) -> App:
    """Wire storage, parser, dispatcher and transport for one running bot."""
    engine = make_engine(config.db_url, **engine_kw)
    migrate(engine)
    repo = Repository(engine)
    parser = parser or Parser.load(places=config.places, jobs=config.jobs)
    app = App(config, transport, repo=repo, parser=parser, clock=clock or SystemClock(),
              simulated=simulated)
    # Groups named in the config exist from the start (the cadre group receives alerts
    # before anyone has spoken in it); a gateway binds its room ids to them by name later.
    for g in config.groups:
        if app.repo.group_by_name(g.name) is None:
            app.repo.ensure_group(g.name, transport=transport.name, external_id=None,
                                  now=app.clock.now(), is_cadre_group=g.cadre_group)
    app.repo.commit()
    if isinstance(app.clock, ManualClock):
        start = app.clock_start()
        if start is not None:
            app.clock.set(max(start, app.clock.now()))
            app.clock_known = True
    return app
