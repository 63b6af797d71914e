"""The shared base of the Repository: one connection, one session, and the fast path.

Each aggregate's verbs live in a class of their own (storage.messages, storage.groups, ...),
all subclasses of `StoreBase`; storage.repository composes them into the one `Repository`.
The hot-path statements are declared as `Statement`s next to the verbs that run them and
compiled once per repository (storage.prepared).
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import event
from sqlalchemy import insert as sa_insert
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Engine
from sqlalchemy.orm import make_transient_to_detached
from sqlalchemy.orm.attributes import set_committed_value
from sqlmodel import Session

from storage.prepared import Prepared

ACTIVE = "active"  # a claim's status while it counts

Built = tuple[Any, list[str] | None]  # a statement and the column keys it sets (or None)


@dataclass(frozen=True, eq=False)
class Statement:
    """A statement run for nearly every message: compiled once for the engine's dialect and
    run on the session's DBAPI connection. `build(insert)` gives (statement, column keys);
    `insert` makes an INSERT with ON CONFLICT support in the dialect. Cached by identity."""

    name: str
    build: Callable[[Callable[[Any], Any]], Built]


class StoreBase:
    """One connection and one session for the repository's life, and the prepared fast path.

    The caller decides when to commit.
    """

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        # One connection for the repository's life, its session bound to it: a session on the
        # engine checks a connection out of the pool and back in for every transaction, and
        # at one or two transactions a message that bookkeeping cost more than the SQL did.
        # A connection the server dropped is replaced on the next transaction after the
        # rollback (SQLAlchemy reconnects an invalidated connection), see Dispatcher.dispatch.
        self._conn = engine.connect()
        # The session: for storage internals and tests only. Callers use the domain verbs.
        self.s = Session(bind=self._conn, expire_on_commit=False)
        self._reads: dict[tuple, Any] = {}  # reads built once per shape (see _read)
        self._prepared: dict[Hashable, Prepared] = {}
        # Rows `_add` inserted in the transaction in hand: a rollback takes the rows back, so
        # their objects leave the session, as the session does with objects it inserted.
        self._added: list[Any] = []
        event.listen(self.s, "after_commit", lambda _s: self._added.clear())
        event.listen(self.s, "after_rollback", self._forget_added)

    # -- unit of work -----------------------------------------------------------------------
    def commit(self) -> None:
        self.s.commit()

    def rollback(self) -> None:
        self.s.rollback()

    def close(self) -> None:
        self.s.close()
        self._conn.close()

    # -- the fast path ----------------------------------------------------------------------
    def _insert(self, table: Any) -> Any:
        """An INSERT with ON CONFLICT support, in this database's dialect."""
        return (sqlite_insert if self.engine.dialect.name == "sqlite" else pg_insert)(table)

    def _prepare(self, key: Hashable, build: Callable[[], Built]) -> Prepared:
        """The prepared statement under this key, compiled on first use: build() gives the
        statement and the columns it sets."""
        p = self._prepared.get(key)
        if p is None:
            stmt, keys = build()
            p = self._prepared[key] = Prepared(stmt, self.engine.dialect, keys)
        return p

    def _statement(self, stmt: Statement) -> Prepared:
        return self._prepare(stmt, lambda: stmt.build(self._insert))

    def _run(self, stmt: Statement, values: dict[str, Any]) -> Any:
        """Run a hot-path statement in this session's transaction; the cursor."""
        return self._statement(stmt).run(self.s.connection(), values)

    def _read(self, key: tuple, build: Callable[[], Any]) -> Any:
        """A read built once for its shape: building a statement costs more than SQLite
        takes to run it."""
        q = self._reads.get(key)
        if q is None:
            q = self._reads[key] = build()
        return q

    def _add(self, obj: Any) -> None:
        """Insert a new row with a prepared statement and attach the object as if loaded.

        The same as `session.add` and a flush, at about a tenth of the cost (the unit of
        work takes some 500 µs for one new object). The object must carry every column's
        value (SQLModel sets the defaults), and its table an integer `id` key.
        """
        table = type(obj).__table__
        p = self._prepare(f"insert:{table.name}", lambda: (
            sa_insert(table).returning(table.c.id),
            [c.key for c in table.columns if not c.primary_key]))
        self.s.flush()  # what this row refers to is written first
        row = p.run(self.s.connection(), {k: getattr(obj, k) for k in p.keys})
        obj.id = row.fetchone()[0]
        make_transient_to_detached(obj)  # as though just loaded: no pending changes
        self.s.add(obj)
        self._added.append(obj)

    def _forget_added(self, _session: Any) -> None:
        for obj in self._added:
            if obj in self.s:
                self.s.expunge(obj)
        self._added.clear()

    @staticmethod
    def _marked(row: Any, **stored: Any) -> None:
        """Show on the row object what a mark just committed.

        On a session's row the values are set as already stored: set as plain attributes
        they would be a pending change, and the next query's autoflush would write them again
        in a new transaction, holding SQLite's write lock until some later commit (at
        start-up the gateway thread then waited out the 30 s busy timeout to bind a room id).
        """
        for key, value in stored.items():
            if hasattr(row, "_sa_instance_state"):
                set_committed_value(row, key, value)
            else:
                setattr(row, key, value)

    def _mark(self, stmt: Statement, values: dict[str, Any]) -> None:
        """One mark, committed at once (for the outbox: a crash repeats at most one reply).

        Between messages, where it is made, the mark is a transaction of its own, run on the
        DBAPI connection: SQLite takes about 15 µs for the UPDATE and the COMMIT, a Session
        transaction several times that in bookkeeping. Inside a transaction in hand it joins
        that transaction and commits it.
        """
        if self.s.in_transaction():
            self._run(stmt, values)
            self.s.commit()
        else:
            self._statement(stmt).run(self._conn, values, commit=True)
