"""Engine factory and migrations. No module-level engine: callers own theirs."""

from __future__ import annotations

import logging
from pathlib import Path

from sqlalchemy import event, text
from sqlalchemy.engine import Engine
from sqlmodel import create_engine

log = logging.getLogger(__name__)
_MIGRATIONS = Path(__file__).parent / "migrations"
# The advisory lock class migrations take on PostgreSQL (its second key is the schema).
MIGRATION_LOCK = 0x64716D67  # "dqmg"


def make_engine(url: str, **kw: object) -> Engine:
    """An engine for `url`; SQLite gets WAL, foreign keys and a busy timeout."""
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30}, **kw)

        @event.listens_for(engine, "connect")
        def _pragmas(dbapi_conn, _record):  # type: ignore[no-untyped-def]
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.close()

        return engine
    return create_engine(url, pool_pre_ping=True, **kw)


def migrate(engine: Engine) -> None:
    """Bring the schema to the newest revision (run at every start; a no-op when current)."""
    from alembic import command  # noqa: PLC0415 - only needed at start-up
    from alembic.config import Config as AlembicConfig  # noqa: PLC0415

    cfg = AlembicConfig()
    cfg.set_main_option("script_location", str(_MIGRATIONS))
    with engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            # Several bot processes may start at once on one database: each waits here for
            # the one migrating (a transaction-scoped advisory lock, per schema), then finds
            # the schema current. Without it two CREATE TABLEs race and one process dies on
            # "duplicate key value violates unique constraint pg_type_typname_nsp_index".
            conn.execute(text("SELECT pg_advisory_xact_lock(:k, hashtext(current_schema()))"),
                         {"k": MIGRATION_LOCK})
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")
