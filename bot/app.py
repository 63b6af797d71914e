"""The composition root: `build_app(config, transport)` builds and connects; nothing at import.

It holds no business rule and no sentence: messages go to the dispatcher, scheduled work is
in bot/handlers/clock.py with its times in bot/schedule.py, what the bot says is stored and
sent by bot/outbox.py after the privacy screen (bot/privacy.py).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from bot.clock import ManualClock, SystemClock
from bot.config import Config
from bot.context import Clock
from bot.dispatcher import Dispatcher
from bot.handlers import build_registry
from bot.handlers import clock as clock_work
from bot.handlers.clock import ClockCtx
from bot.outbox import Outbox
from bot.privacy import Privacy, Where
from bot.schedule import DIGEST_PREFIX, Work, job_specs
from bot.transports.base import Transport
from bot.types import InboundMessage, Reply
from parsers import Parser
from scheduler.jobs import JobSpec, RealtimeScheduler, due_between
from storage import Repository, make_engine, migrate
from storage.models import Outbox as OutboxRow

log = logging.getLogger(__name__)
CLOCK_KEY = "clock"


class App:
    """A running bot: one repository, one dispatcher, one outbox, one transport, the clock."""

    def __init__(self, config: Config, transport: Transport, *, repo: Repository, parser: Parser,
                 clock: Clock, simulated: bool = False) -> None:
        self.config, self.transport, self.repo, self.parser = config, transport, repo, parser
        self.clock = clock
        self.simulated = simulated
        self.registry = build_registry()
        can_direct = getattr(transport, "can_direct", True)
        self.privacy = Privacy(config.public_numbers, can_direct=can_direct,
                               group=self._where, cadre_group=self._cadre_group_id)
        self.outbox = Outbox(repo, transport, clock, self.privacy,
                             display_name=lambda person: self.dispatcher.display_name(person))
        self.dispatcher = Dispatcher(repo, config, clock, parser, self.registry, self.outbox,
                                     can_direct=can_direct)
        self.lock = threading.RLock()
        self.realtime: RealtimeScheduler | None = None
        # A manual clock is "known" once it stands where this database's clock last stood;
        # a new database has no past, so its clock starts at the first message.
        self.clock_known = False
        self.closed = False
        # Set (from the transport's thread) when the gateway bindings recorded a person
        # re-bound or refused (storage.Identities.on_record); set at start too, for what a
        # crash left untold. The cadre group's note is written on the bot's own thread.
        self.identities_pending = threading.Event()
        self.identities_pending.set()

    def _where(self, group_id: int) -> Where | None:
        g = self.repo.group(group_id)
        return Where(is_cadre_group=g.is_cadre_group) if g is not None else None

    def _cadre_group_id(self) -> int | None:
        g = self.repo.cadre_group()
        return g.id if g is not None else None

    @property
    def sent(self) -> int:
        """Replies the transport took, this run."""
        return self.outbox.sent

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
            self._note_identities()
            done = self.dispatcher.dispatch(msg)  # never raises: a failure is archived
            self._flush(done.queued)
            if self.realtime is not None and done.reschedule:
                self.realtime.sync(self.job_specs())  # a group's digest time may have moved
            return done.replies

    def flush_if_backlog(self) -> None:
        """Called when the transport is idle: tell the cadres of re-bound people, retry what
        waits in the outbox."""
        if self.identities_pending.is_set():
            with self.lock:
                self._note_identities()
        if self.outbox.backlog:
            with self.lock:
                self._flush()

    def identities_recorded(self) -> None:
        """The gateway bindings recorded a re-bound or refused person (any thread): the note
        to the cadre group is written before the next message, or when idle."""
        self.identities_pending.set()

    def _note_identities(self) -> None:
        if self.identities_pending.is_set():
            self.identities_pending.clear()
            self._run("identities", clock_work.identity_notes, self.clock.now())

    def account_logged_out(self, detail: str) -> None:
        """The WeChat account was logged out: tell the cadres (it goes out after re-login)."""
        self._run("logout", clock_work.logged_out, self.clock.now(), flush=False)

    # -- time -------------------------------------------------------------------------------
    def _run(self, job_id: str, work: Work, when: datetime, *, flush: bool = True) -> None:
        """Run one piece of scheduled work: its changes and its replies commit together.

        Work that fails loses only itself, as a message does (Dispatcher.dispatch): it is
        rolled back and logged, and the next job or message goes on. Raised on, it would stop
        a replay, and on PostgreSQL leave the session's transaction aborted for every later
        message of a running bot (APScheduler only logs what a job raises).
        """
        with self.lock:
            try:
                out = work(ClockCtx(self.repo, self.config), when)
                self.outbox.put(out, key=f"{job_id}@{when.isoformat()}", now=when)
                self.repo.commit()
            except Exception:  # noqa: BLE001 - see above
                log.exception("scheduled work %s at %s failed; rolled back", job_id,
                              when.isoformat())
                self.repo.rollback()
                return
            self.outbox.backlog = True
            if flush and self.realtime is not None:
                self._flush()

    def _flush(self, just_queued: list[OutboxRow] | None = None) -> None:
        """Send what is due from the outbox. A send that fails stays queued (Outbox.flush);
        anything else failing on the way (the database) is rolled back and logged, the rows
        wait for the next flush, and the message or job that called goes on unharmed."""
        try:
            self.outbox.flush(just_queued)
        except Exception:  # noqa: BLE001 - the outbox keeps its rows; the session stays usable
            log.exception("sending from the outbox failed; its rows wait for the next flush")
            self.repo.rollback()
            self.outbox.backlog = True

    def _runner(self, job_id: str, work: Work) -> Callable[[datetime], None]:
        return lambda when: self._run(job_id, work, when)

    def job_specs(self) -> list[JobSpec]:
        return job_specs(self.config, self.repo, self._runner)

    def clock_start(self) -> datetime | None:
        """Where this database's clock last stood: its last message or the last simulated run."""
        saved = self.repo.get_state(CLOCK_KEY)
        last = self.repo.last_message_time()
        cands = [t for t in (datetime.fromisoformat(saved) if saved else None, last) if t]
        return max(cands) if cands else None

    def save_clock(self) -> None:
        """Remember where the simulated clock stands, for the next run on this database."""
        self.repo.set_state(CLOCK_KEY, self.clock.now().isoformat())
        self.repo.commit()

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
            self._flush()
        self.clock.set(until)
        self.save_clock()

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
        with self.lock:  # the realtime scheduler's thread may already be running jobs
            for spec in self.job_specs():
                if not spec.id.startswith(DIGEST_PREFIX):
                    continue
                for when, _ in due_between([spec], self.config.tz, now - grace, now):
                    log.info("catching up %s due at %s", spec.id, when)
                    spec.run(when)
                    ran += 1
            self.outbox.backlog = True
            self._flush()
        return ran

    def close(self) -> None:
        """Stop the clock jobs, send what is queued, release the database. Safe to repeat."""
        if self.realtime is not None:
            self.realtime.stop()
        with self.lock:
            if self.closed:
                return
            self._flush()
            self.repo.close()
            self.closed = True


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
