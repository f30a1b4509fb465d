"""Engine, session factory and the declarative Base (with a constraint naming convention)."""
from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, date, datetime
from functools import lru_cache
from select import POLLIN, poll
from typing import Any

from sqlalchemy import (
    Connection,
    DateTime,
    Engine,
    MetaData,
    Table,
    Text,
    any_,
    bindparam,
    cast,
    column,
    create_engine,
    event,
    exc,
    func,
    insert,
    literal,
    select,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
from sqlalchemy.types import TypeDecorator

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


# The largest value of an INTEGER column, so of every id (PostgreSQL's int4): a greater number names no
# row, and PostgreSQL refuses it as a parameter for such a column ("integer out of range").
ID_MAX = 2**31 - 1


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware UTC timestamp on every database (SQLite hands back naive values)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetimes are not stored; pass an aware datetime")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def make_engine(url: str, *, read_only: bool = False, **kwargs: Any) -> Engine:
    """Create an engine tuned for the dialect: WAL and a busy timeout on SQLite; on PostgreSQL, pooled
    connections the server has closed are replaced at checkout (`_refuse_closed_connection`).

    On SQLite, writers take the write lock when their transaction begins (BEGIN IMMEDIATE), so they queue
    instead of failing on a lock upgrade; `read_only` engines begin deferred and, with WAL, never wait."""
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": 30, "check_same_thread": False}, **kwargs)

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
            # Python's sqlite3 opens transactions lazily; take control so BEGIN IMMEDIATE works.
            dbapi_conn.isolation_level = None
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA busy_timeout=30000")
            cur.close()

        @event.listens_for(engine, "begin")
        def _sqlite_begin(conn: Any) -> None:
            conn.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")

        return engine
    if "poolclass" not in kwargs:
        kwargs.setdefault("pool_size", 10)
        kwargs.setdefault("max_overflow", 10)
    engine = create_engine(url, **kwargs)
    event.listen(engine, "checkout", _refuse_closed_connection)
    return engine


def _refuse_closed_connection(dbapi_conn: Any, _record: Any, _proxy: Any) -> None:
    """On checkout from the pool: replace a connection the server has closed, as pool_pre_ping would, but
    without its round trip (~0.1 ms of CPU per checkout, app and server). When PostgreSQL restarts or
    terminates a backend, it sends the idle connection a FATAL message and closes it: the socket turns
    readable. An idle pooled connection has nothing to read otherwise, so one poll() tells. The pool
    reconnects on DisconnectionError. A connection lost without a word (a network cut) still fails its
    first statement; SQLAlchemy then invalidates the whole pool, so that costs one failed unit of work
    (the webhook retries it once: linecomm/webhooks/views.py)."""
    if getattr(dbapi_conn, "closed", False) or getattr(dbapi_conn, "broken", False):
        raise exc.DisconnectionError("the connection is closed")
    fileno = getattr(dbapi_conn, "fileno", None)
    if fileno is None:
        return
    poller = poll()
    poller.register(fileno(), POLLIN)
    if poller.poll(0):
        raise exc.DisconnectionError("the server closed the connection (or spoke while it was idle)")


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(bind=engine, expire_on_commit=False)


@contextmanager
def transaction(factory: sessionmaker[Session]) -> Iterator[Session]:
    """One unit of work: commit once at the end, roll back on any error."""
    session = factory()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def insert_ignoring_conflicts(session: Session | Connection, table: Any, index_elements: list[str]) -> Any:
    """An INSERT ... ON CONFLICT DO NOTHING statement for the session's dialect."""
    name = _dialect(session).name
    if name == "postgresql":
        return postgresql.insert(table).on_conflict_do_nothing(index_elements=index_elements)
    if name == "sqlite":
        return sqlite.insert(table).on_conflict_do_nothing(index_elements=index_elements)
    return insert(table)


def insert_rows_ignoring_conflicts(
    session: Session | Connection,
    table: Table,
    rows: Sequence[dict[str, Any]],
    index_elements: list[str],
    returning: str | tuple[str, ...],
) -> list[Any]:
    """Insert `rows` (dicts with the same keys) with ON CONFLICT DO NOTHING; return column `returning`
    (or, for a tuple of names, rows of those columns) of the rows actually inserted, in no particular order.

    On PostgreSQL the rows travel as one JSON document expanded by json_to_recordset(), so the statement's
    text is the same whatever the number of rows: psycopg converts it once (it does not cache statements
    with over 50 parameters, and a multi-row VALUES list has one per cell) and the server prepares it once
    per connection. Values go through the columns' bind processing first, as they would in a VALUES list;
    PostgreSQL converts them to the column types with the same checks. Other databases get a multi-row
    INSERT. Runs on a session or, where one statement is the whole unit of work, a plain connection."""
    if not rows:
        return []
    names = (returning,) if isinstance(returning, str) else returning
    dialect = _dialect(session)
    if dialect.name != "postgresql":
        stmt = insert_ignoring_conflicts(session, table, index_elements).returning(*(table.c[n] for n in names))
        result = session.execute(stmt, list(rows))
    else:
        columns = tuple(rows[0])
        stmt, processors = _json_recordset_insert(table, columns, tuple(index_elements), names, dialect)
        records = [
            {name: (process(row[name]) if process else row[name]) for name, process in processors} for row in rows
        ]
        result = session.execute(stmt, {"rows": json_document(records)})
    return list(result.scalars().all()) if isinstance(returning, str) else list(result.all())


def update_rows(
    session: Session, table: Table, rows: Sequence[dict[str, Any]], match: tuple[str, ...],
    fixed: dict[str, Any] | None = None,
) -> None:
    """For each row (dicts with the same keys, all column names): UPDATE the table row whose `match`
    columns equal the row's, setting its other columns to the row's values and the `fixed` ones to theirs.
    On PostgreSQL one statement, `UPDATE ... FROM json_to_recordset(:rows)` (see
    `insert_rows_ignoring_conflicts` for why); elsewhere one executemany."""
    if not rows:
        return
    columns = tuple(rows[0])
    fixed_items = tuple(sorted((fixed or {}).items()))
    if dialect_name(session) != "postgresql":
        stmt = _update_by_params(table, columns, match, fixed_items)
        session.execute(stmt, [{f"b_{name}": value for name, value in row.items()} for row in rows])
        return
    stmt, processors = _json_recordset_update(table, columns, match, fixed_items, session.get_bind().dialect)
    records = [{name: (process(row[name]) if process else row[name]) for name, process in processors} for row in rows]
    session.execute(stmt, {"rows": json_document(records)})


@lru_cache(maxsize=64)
def _update_by_params(table: Table, columns: tuple[str, ...], match: tuple[str, ...], fixed: tuple[Any, ...]) -> Any:
    return (
        update(table)
        .where(*(table.c[name] == bindparam(f"b_{name}") for name in match))
        .values({**{name: bindparam(f"b_{name}") for name in columns if name not in match}, **dict(fixed)})
    )


@lru_cache(maxsize=64)
def _json_recordset_update(
    table: Table, columns: tuple[str, ...], match: tuple[str, ...], fixed: tuple[Any, ...], dialect: Any
) -> tuple[Any, list[tuple[str, Any]]]:
    source = _json_recordset(table, columns)
    stmt = (
        update(table)
        .where(*(table.c[name] == source.c[name] for name in match))
        .values({**{name: source.c[name] for name in columns if name not in match}, **dict(fixed)})
    )
    return stmt, [(name, table.c[name].type.bind_processor(dialect)) for name in columns]


def _json_recordset(table: Table, columns: tuple[str, ...]) -> Any:
    """json_to_recordset(:rows) AS r(col type, ...), typed like the table's columns."""
    return (
        func.json_to_recordset(cast(bindparam("rows", type_=Text), postgresql.JSON))
        .table_valued(*(column(name, table.c[name].type) for name in columns))
        .render_derived(with_types=True)
    )


def json_document(rows: Sequence[dict[str, Any]]) -> str:
    """Rows as one JSON document for PostgreSQL's json_to_recordset(); dates and datetimes as ISO 8601."""
    return json.dumps(rows, ensure_ascii=False, separators=(",", ":"), default=_json_value)


def _json_value(value: Any) -> Any:
    if isinstance(value, date):
        return value.isoformat()  # datetimes arrive aware (UTCDateTime refuses naive ones); the offset is kept
    raise TypeError(f"cannot pass {type(value).__name__} through json_to_recordset")


@lru_cache(maxsize=64)
def _json_recordset_insert(
    table: Table, columns: tuple[str, ...], index_elements: tuple[str, ...], returning: tuple[str, ...], dialect: Any
) -> tuple[Any, list[tuple[str, Any]]]:
    """The statement (INSERT INTO t (cols) SELECT cols FROM json_to_recordset(:rows) AS r(col type, ...)
    ON CONFLICT DO NOTHING RETURNING ...) and each column's bind processor (None when it has none)."""
    source = _json_recordset(table, columns)
    stmt = (
        postgresql.insert(table)
        .from_select(list(columns), select(*(source.c[name] for name in columns)))
        .on_conflict_do_nothing(index_elements=list(index_elements))
        .returning(*(table.c[name] for name in returning))
    )
    return stmt, [(name, table.c[name].type.bind_processor(dialect)) for name in columns]


def one_of(session: Session, col: Any, values: Sequence[Any]) -> Any:
    """`col IN (values)` for any number of values. On PostgreSQL, `col = ANY(:array)`: one parameter, so
    the statement's text does not change with the number of values (psycopg re-parses statements with
    over 50 parameters every time, and the server cannot reuse a plan for them)."""
    if dialect_name(session) == "postgresql":
        return col == any_(bindparam(None, list(values), type_=postgresql.ARRAY(col.type)))
    values = list(values)
    if len(values) > SQLITE_INLINE_MAX and all(isinstance(v, int | str) for v in values):
        # SQLite caps a statement at 32,766 parameters: many ids travel as one JSON array.
        each = func.json_each(literal(json.dumps(values))).table_valued("value")
        return col.in_(select(each.c.value))
    return col.in_(values)


SQLITE_INLINE_MAX = 500  # values passed one parameter each on SQLite; more go as one JSON array


def dialect_name(session: Session | Connection) -> str:
    return _dialect(session).name


def _dialect(session: Session | Connection) -> Any:
    return session.dialect if isinstance(session, Connection) else session.get_bind().dialect
