"""The real Repository on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import inspect, text
from sqlalchemy.exc import IntegrityError

from storage import Repository, make_engine, migrate
from storage.models import Claim, Message, Outbox, Posting

NOW = datetime(2025, 3, 3, 1, 0, tzinfo=UTC)


@pytest.fixture
def repo(db_url):  # type: ignore[no-untyped-def]
    eng = make_engine(db_url)
    migrate(eng)
    r = Repository(eng)
    yield r
    r.close()
    eng.dispose()


def _archive(repo: Repository, mid: str, **kw):  # type: ignore[no-untyped-def]
    fields = dict(transport="replay", message_id=mid, sender_id="u1", sender_name="甲",
                  text="你好", time=NOW)
    fields.update(kw)
    return repo.archive(**fields)


def test_migrations_create_every_table_and_rerun_is_a_no_op(db_url):  # type: ignore[no-untyped-def]
    eng = make_engine(db_url)
    migrate(eng)
    migrate(eng)
    names = set(inspect(eng).get_table_names())
    assert {"messages", "groups", "members", "postings", "claims", "requests", "request_events",
            "allocations", "audit_log", "outbox", "digest_log", "state", "match_notices", "bindings",
            "alembic_version"} <= names
    with eng.connect() as c:
        assert c.execute(text("select version_num from alembic_version")).scalar() == "0013"
    eng.dispose()


def test_archive_is_idempotent_on_transport_and_message_id(repo):  # type: ignore[no-untyped-def]
    first = _archive(repo, "x1")
    assert first is not None and first.id is not None
    assert _archive(repo, "x1", text="changed") is None
    assert _archive(repo, "x1", transport="console") is not None  # other transport, other id
    assert repo.count(Message) == 2
    assert repo.seen("replay", "x1").text == "你好"


def test_times_come_back_aware_in_utc(repo):  # type: ignore[no-untyped-def]
    local = datetime(2025, 3, 3, 9, 0, tzinfo=UTC) + timedelta(hours=0)
    _archive(repo, "t1", time=local)
    repo.s.expire_all()
    got = repo.seen("replay", "t1").time
    assert got.utcoffset() == timedelta(0) and got == local


def test_group_keeps_its_id_when_bound_or_renamed(repo):  # type: ignore[no-untyped-def]
    # A group named in the config waits for its room: the first room of that name binds it.
    g = repo.ensure_group("共享员工群", transport="wechaty", external_id=None, now=NOW)
    repo.commit()
    again = repo.ensure_group("共享员工群", transport="wechaty", external_id="room-1", now=NOW)
    assert again.id == g.id and again.external_id == "room-1"
    renamed = repo.ensure_group("共享员工群(新)", transport="wechaty", external_id="room-1", now=NOW)
    assert renamed.id == g.id and renamed.name == "共享员工群(新)"


def test_a_new_room_named_like_a_bound_group_is_a_group_of_its_own(repo):  # type: ignore[no-untyped-def]
    """Anyone can create a room called 工会干部群: its name does not make it the cadre group
    (whether a new room id is an old room is storage.identities' decision)."""
    cadres = repo.ensure_group("工会干部群", transport="wechaty", external_id="room-1", now=NOW,
                               is_cadre_group=True)
    repo.commit()
    fake = repo.ensure_group("工会干部群", transport="wechaty", external_id="room-9", now=NOW,
                             is_cadre_group=True)
    repo.commit()
    assert fake.id != cadres.id and not fake.is_cadre_group
    assert repo.group(cadres.id).external_id == "room-1"
    assert repo.cadre_group().id == cadres.id


def test_member_names_seen_accumulate_under_one_stable_id(repo):  # type: ignore[no-untyped-def]
    repo.ensure_member("wx1", "老王", now=NOW)
    repo.ensure_member("wx1", "王师傅", now=NOW)
    m = repo.member("wx1")
    assert m.display_name == "王师傅" and m.names_seen.split("\n") == ["老王", "王师傅"]


def test_claims_one_per_person_per_posting_and_cancel(repo):  # type: ignore[no-untyped-def]
    p = repo.save_posting(kind="job", poster_id="boss", headcount=5, created_at=NOW, updated_at=NOW)
    c1, created = repo.claim(p, "w1", "甲", 2, message_id=None, now=NOW)
    assert created and repo.claimed(p.id) == 2
    c2, created = repo.claim(p, "w1", "甲", 3, message_id=None, now=NOW)
    assert not created and c2.id == c1.id and repo.claimed(p.id) == 3
    repo.claim(p, "w2", "乙", 1, message_id=None, now=NOW)
    assert repo.claimed(p.id) == 4
    assert repo.cancel_claim(p.id, "w1", now=NOW) is not None
    assert repo.claimed(p.id) == 1
    assert repo.cancel_claim(p.id, "w1", now=NOW) is None
    repo.commit()
    assert repo.count(Claim) == 2


def test_a_cancelled_claim_is_written_at_once(repo):  # type: ignore[no-untyped-def]
    p = repo.save_posting(kind="job", poster_id="boss", headcount=2, created_at=NOW, updated_at=NOW)
    repo.claim(p, "w1", "甲", 2, message_id=None, now=NOW)
    repo.cancel_claim(p.id, "w1", now=NOW)
    assert not repo.s.dirty  # nothing left for a later flush
    assert repo.claimed_many([p.id]) == {} and repo.claimed(p.id) == 0


def test_save_verbs_keep_changes_to_rows_loaded_before(repo):  # type: ignore[no-untyped-def]
    """save_group, save_member, save_claim, save_request: a changed row is written at commit,
    even one the session no longer holds."""
    g = repo.ensure_group("一群", transport="console", external_id=None, now=NOW)
    m = repo.ensure_member("wx1", "老王", now=NOW)
    p = repo.save_posting(kind="job", poster_id="boss", created_at=NOW, updated_at=NOW)
    c, _ = repo.claim(p, "wx1", "老王", 1, message_id=None, now=NOW)
    r = repo.open_request(actor_id="wx1", now=NOW, requester_id="wx1", text="饮水机坏了",
                          category="设施服务", urgency="small", deadline=NOW)
    repo.commit()
    repo.s.expunge_all()
    g.paused, m.role, c.poster_notified_at, r.urgency = True, "cadre", NOW, "urgent"
    repo.save_group(g)
    repo.save_member(m)
    repo.save_claim(c)
    repo.save_request(r)
    repo.commit()
    repo.s.expunge_all()
    assert repo.group(g.id).paused and repo.member("wx1").role == "cadre"
    assert repo.claims(p.id)[0].poster_notified_at == NOW
    assert repo.request(r.id).urgency == "urgent"


def test_add_request_event_leaves_the_request_as_it_is(repo):  # type: ignore[no-untyped-def]
    r = repo.open_request(actor_id="w1", now=NOW, requester_id="w1", text="饮水机坏了",
                          category="设施服务", urgency="small", deadline=NOW)
    repo.request_event(r, "resolved", actor_id="cadre", now=NOW)
    repo.add_request_event(r.id, "rating_reminder", actor_id="bot", now=NOW + timedelta(days=1))
    repo.commit()
    assert [e.status for e in repo.request_events(r.id)] == ["filed", "resolved",
                                                             "rating_reminder"]
    assert repo.request(r.id).status == "resolved"


def test_claim_unique_constraint_is_enforced_by_the_database(repo):  # type: ignore[no-untyped-def]
    p = repo.save_posting(kind="job", poster_id="boss", created_at=NOW, updated_at=NOW)
    repo.commit()
    repo.s.add(Claim(posting_id=p.id, claimant_id="w", created_at=NOW, updated_at=NOW))
    repo.s.add(Claim(posting_id=p.id, claimant_id="w", created_at=NOW, updated_at=NOW))
    with pytest.raises(IntegrityError):
        repo.commit()
    repo.rollback()


def test_foreign_keys_are_enforced(repo):  # type: ignore[no-untyped-def]
    repo.s.add(Claim(posting_id=999, claimant_id="w", created_at=NOW, updated_at=NOW))
    with pytest.raises(IntegrityError):
        repo.commit()
    repo.rollback()


def test_open_postings_are_scoped_to_their_group(repo):  # type: ignore[no-untyped-def]
    g1 = repo.ensure_group("一群", transport="console", external_id=None, now=NOW)
    g2 = repo.ensure_group("二群", transport="console", external_id=None, now=NOW)
    a = repo.save_posting(kind="job", group_id=g1.id, poster_id="x", created_at=NOW, updated_at=NOW)
    repo.save_posting(kind="job", group_id=g2.id, poster_id="x", created_at=NOW, updated_at=NOW)
    repo.save_posting(kind="offer", group_id=g1.id, poster_id="y", created_at=NOW, updated_at=NOW)
    closed = repo.save_posting(kind="job", group_id=g1.id, poster_id="x", created_at=NOW,
                               updated_at=NOW)
    repo.set_posting_status(closed, "closed", now=NOW)
    assert [p.id for p in repo.open_postings(g1.id)] == [a.id]


def test_request_events_record_every_step(repo):  # type: ignore[no-untyped-def]
    r = repo.open_request(actor_id="w1", now=NOW, requester_id="w1", text="饮水机坏了",
                          category="设施服务", urgency="small", deadline=NOW + timedelta(hours=1))
    repo.request_event(r, "dispatched", actor_id="cadre", now=NOW, note="园区")
    repo.request_event(r, "resolved", actor_id="cadre", now=NOW + timedelta(hours=2), note="修好")
    repo.commit()
    evs = repo.request_events(r.id)
    assert [e.status for e in evs] == ["filed", "dispatched", "resolved"]
    assert [e.actor_id for e in evs] == ["w1", "cadre", "cadre"]
    assert repo.request(r.id).resolved_at == NOW + timedelta(hours=2)


def test_outbox_key_is_an_idempotency_key(repo):  # type: ignore[no-untyped-def]
    row = repo.enqueue(key="k1", text="你好", due=NOW, created_at=NOW)
    assert row is not None
    assert repo.enqueue(key="k1", text="又一次", due=NOW, created_at=NOW) is None
    repo.commit()
    assert [r.key for r in repo.pending()] == ["k1"]
    repo.mark_sent(row, now=NOW)
    assert repo.pending() == []
    assert repo.count(Outbox) == 1


def test_outbox_marks_are_committed_at_once_and_seen_by_another_connection(repo, db_url):  # type: ignore[no-untyped-def]
    """Each mark is its own transaction (a crash repeats at most one reply): another process
    sees it at once, whether it was made between transactions or inside one."""
    other = make_engine(db_url)

    def seen() -> list[tuple]:
        with other.connect() as conn:
            return [tuple(r) for r in conn.execute(text(
                "select key, attempted_at is not null, sent_at is not null, "
                "failed_at is not null, error, gateway_id from outbox order by key"))]

    a = repo.enqueue(key="a", text="一", due=NOW, created_at=NOW)
    b = repo.enqueue(key="b", text="二", due=NOW, created_at=NOW)
    c = repo.enqueue(key="c", text="三", due=NOW, created_at=NOW)
    repo.commit()
    repo.mark_attempted(a, now=NOW)
    assert seen()[0] == ("a", True, False, False, None, None)
    repo.mark_sent(a, now=NOW + timedelta(seconds=1), gateway_id="gw-a")
    repo.mark_failed(b, "room gone", now=NOW)
    assert seen() == [("a", True, True, False, None, "gw-a"),
                      ("b", False, False, True, "room gone", None),
                      ("c", False, False, False, None, None)]
    repo.ensure_group("一群", transport="console", external_id=None, now=NOW)  # a transaction in hand
    repo.mark_sent(c, now=NOW)  # joins it and commits it, group and all
    assert seen()[2] == ("c", False, True, False, None, None)
    with other.connect() as conn:
        assert conn.execute(text("select name from groups")).scalars().all() == ["一群"]
    other.dispose()
    assert repo.pending() == []


def test_a_marked_row_is_not_written_again_by_the_next_query(repo, db_url):  # type: ignore[no-untyped-def]
    """A mark on a row the session loaded shows on the object as stored, not as a change: the
    next query's autoflush must not write it again in a transaction nobody commits (on
    SQLite that held the write lock, and another thread waited out the busy timeout)."""
    for key in ("a", "b", "c"):
        repo.enqueue(key=key, text=key, due=NOW, created_at=NOW)
    repo.commit()
    a, b, c = repo.pending()
    repo.mark_attempted(a, now=NOW)
    repo.mark_sent(b, now=NOW, gateway_id="gw-b")
    repo.mark_failed(c, "room gone", now=NOW)
    assert (a.attempted_at, b.sent_at, c.failed_at) == (NOW, NOW, NOW)
    assert not repo.s.dirty
    assert [r.key for r in repo.pending()] == ["a"]  # a query, with its autoflush
    if db_url.startswith("sqlite"):
        assert not repo._conn.connection.dbapi_connection.in_transaction


def test_rows_inserted_ahead_of_the_session_behave_like_its_own(repo):  # type: ignore[no-untyped-def]
    """save_posting writes its row with a prepared statement (storage.prepared) and attaches
    the object: later changes to it are saved, and a rollback takes it back out."""
    g = repo.ensure_group("一群", transport="console", external_id=None, now=NOW)
    repo.commit()
    fields = dict(kind="job", group_id=g.id, poster_id="boss", status="open", headcount=3,
                  job="普工", created_at=NOW, updated_at=NOW, start_date=date(2025, 3, 4))
    p = repo.save_posting(**fields)
    assert p.id is not None and p in repo.s
    p.status = "closed"
    repo.commit()
    repo.s.expire_all()
    again = repo.posting(p.id)
    assert (again.status, again.start_date, again.created_at) == ("closed", date(2025, 3, 4), NOW)
    lost = repo.save_posting(**fields)
    lost_id = lost.id
    repo.rollback()
    assert lost not in repo.s and repo.posting(lost_id) is None
    kept = repo.save_posting(**fields)  # may take the same number again: no clash
    repo.commit()
    assert repo.posting(kept.id) is kept and repo.count(Posting) == 2


def test_digest_log_and_state(repo):  # type: ignore[no-untyped-def]
    g = repo.ensure_group("一群", transport="console", external_id=None, now=NOW)
    assert not repo.digest_sent(g.id, "daily", date(2025, 3, 3))
    repo.record_digest(g.id, "daily", date(2025, 3, 3), now=NOW)
    repo.commit()
    assert repo.digest_sent(g.id, "daily", date(2025, 3, 3))
    assert repo.last_digest_day(g.id) == date(2025, 3, 3)
    repo.set_state("clock", "2025-03-03T09:00:00+08:00")
    repo.commit()
    assert repo.get_state("clock") == "2025-03-03T09:00:00+08:00"


def test_sqlite_runs_in_wal_mode_with_foreign_keys(sqlite_url):  # type: ignore[no-untyped-def]
    eng = make_engine(sqlite_url)
    with eng.connect() as c:
        assert c.execute(text("pragma journal_mode")).scalar() == "wal"
        assert c.execute(text("pragma foreign_keys")).scalar() == 1
    eng.dispose()


def test_posting_stores_every_parsed_field(repo):  # type: ignore[no-untyped-def]
    p = repo.save_posting(kind="job", poster_id="boss", headcount=10, job="临时工",
                          task="手工包装纸品", employer="印刷厂", location="北仑", pay_min=180,
                          pay_max=180, pay_unit="day", settlement="daily",
                          start_date=date(2025, 3, 4), end_date=date(2025, 3, 6),
                          contact="13812345678", text="…", created_at=NOW, updated_at=NOW)
    repo.commit()
    repo.s.expire_all()
    got = repo.s.get(Posting, p.id)
    assert (got.job, got.pay_unit, got.start_date, got.contact) == (
        "临时工", "day", date(2025, 3, 4), "13812345678")


def test_the_migrations_build_the_schema_the_models_declare(db_url):  # type: ignore[no-untyped-def]
    """Every table, column and index a model declares is made by a migration, and nothing else:
    a model changed without its migration (or the other way round) fails here."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext
    from sqlmodel import SQLModel

    import storage.models  # noqa: F401 - the tables

    eng = make_engine(db_url)
    migrate(eng)
    with eng.connect() as c:
        ctx = MigrationContext.configure(c, opts={"compare_type": False})
        diff = [d for d in compare_metadata(ctx, SQLModel.metadata)
                if not (isinstance(d, tuple) and d[0] == "remove_table" and d[1].name == "alembic_version")]
    eng.dispose()
    assert diff == []


def test_upgrade_keeps_existing_rows(db_url):  # type: ignore[no-untyped-def]
    """A database at 0002 with a claim in it upgrades to head; the claim gets source=message."""
    from alembic import command
    from alembic.config import Config as AlembicConfig

    eng = make_engine(db_url)
    cfg = AlembicConfig()
    cfg.set_main_option("script_location", "storage/migrations")
    with eng.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "0002")
    with eng.begin() as c:
        c.execute(text("insert into postings (kind, poster_id, poster_name, status, text, created_at,"
                       " updated_at) values ('job', 'b', '', 'open', '', :t, :t)"), {"t": NOW})
        c.execute(text("insert into claims (posting_id, claimant_id, claimant_name, headcount, status,"
                       " created_at, updated_at) values (1, 'w', '', 1, 'active', :t, :t)"), {"t": NOW})
    migrate(eng)
    with eng.connect() as c:
        assert c.execute(text("select source from claims")).scalar() == "message"
    eng.dispose()


def test_an_echo_settles_only_a_reply_attempted_before_it(repo):  # type: ignore[no-untyped-def]
    g = repo.ensure_group("群", transport="wechaty", external_id="r1", now=NOW)
    repo.commit()
    early = repo.enqueue(key="a", group_id=g.id, text="暂时没有合适的岗位。", due=NOW, created_at=NOW)
    later = repo.enqueue(key="b", group_id=g.id, text="暂时没有合适的岗位。", due=NOW, created_at=NOW)
    repo.commit()
    repo.mark_attempted(early, now=NOW)
    repo.mark_sent(early, now=NOW)
    repo.mark_attempted(later, now=NOW + timedelta(minutes=5))  # then the process died
    # The first reply's echo, re-delivered after the restart: it proves nothing about the second.
    assert repo.settle_in_doubt(g.id, None, "@张三 暂时没有合适的岗位。", sent=NOW, now=NOW) is None
    assert repo.settle_in_doubt(g.id, None, "别的话", sent=NOW + timedelta(minutes=5),
                                now=NOW) is None
    got = repo.settle_in_doubt(g.id, None, "@张三 暂时没有合适的岗位。",
                               sent=NOW + timedelta(minutes=5, seconds=1), now=NOW)
    assert got is not None and got.key == "b"
    assert [o.key for o in repo.pending()] == []
