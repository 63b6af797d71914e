"""Prepared statements: Core statements compiled once per dialect, run on the DBAPI cursor.

SQLAlchemy spends 30-100 µs of Python on every execution of even a cached statement (the
execution context, parameter processing, result metadata): several times what SQLite takes
to run a one-row statement. A handful of statements run for nearly every message (the
archive row, the outbox row, the mark that a reply went out, the look-ups of a sender's
open requests and of a posting's claims). Those are compiled here once, with the same
dialect and the same column types' bind processors SQLAlchemy would use, so values are
stored exactly as SQLAlchemy stores them, and run on the session's own DBAPI connection,
inside the session's transaction. Everything else goes through SQLAlchemy as usual.

Measured on the replay benchmark (see README): a statement costs about 8 µs this way.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from sqlalchemy.engine import Connection, Dialect
from sqlalchemy.exc import DBAPIError

_REQUIRED = object()


class Prepared:
    """One statement, compiled for one dialect. `run` executes it and returns the cursor."""

    def __init__(self, stmt: Any, dialect: Dialect, keys: Sequence[str] | None = None) -> None:
        self.keys = list(keys or ())  # the columns an INSERT or UPDATE sets, as given
        compiled = stmt.compile(dialect=dialect, column_keys=self.keys or None)
        self.sql = compiled.string
        self.positional = bool(dialect.positional)
        names = list(compiled.positiontup or ()) if self.positional else list(compiled.binds)
        plan: list[tuple[str, str, Callable[[Any], Any] | None, Any]] = []
        for name in names:
            bp = compiled.binds[name]
            if bp.expanding:
                raise ValueError(f"{name}: an expanding (IN list) parameter can't be prepared")
            proc = bp.type.dialect_impl(dialect).bind_processor(dialect)
            default = _REQUIRED if bp.required or bp.callable is not None else bp.value
            plan.append((name, bp.key, proc, default))
        self._plan = plan

    def _params(self, values: Mapping[str, Any]) -> Any:
        out = []
        for _name, key, proc, default in self._plan:
            v = values[key] if default is _REQUIRED or key in values else default
            out.append(proc(v) if proc is not None else v)
        if self.positional:
            return tuple(out)
        return {name: v for (name, _, _, _), v in zip(self._plan, out, strict=True)}

    def run(self, conn: Connection, values: Mapping[str, Any], *, commit: bool = False) -> Any:
        """Execute on the connection's DBAPI connection, in the transaction in hand.

        With `commit`, the statement is a transaction of its own and is committed here: only
        for a connection with no transaction in hand (SQLAlchemy's state stays "none").
        Errors are raised as SQLAlchemy raises them; a lost connection is invalidated, so
        that after a rollback SQLAlchemy reconnects (`DBAPIError.connection_invalidated`).
        """
        raw = conn.connection.dbapi_connection
        assert raw is not None
        params = self._params(values)
        cursor = raw.cursor()
        try:
            cursor.execute(self.sql, params)
            if commit:
                raw.commit()
        except conn.dialect.loaded_dbapi.Error as e:
            lost = conn.dialect.is_disconnect(e, raw, cursor)
            if lost:
                conn.invalidate(e)
            elif commit:
                raw.rollback()
            raise DBAPIError.instance(self.sql, params, e, conn.dialect.loaded_dbapi.Error,
                                      connection_invalidated=lost,
                                      dialect=conn.dialect) from e
        return cursor
