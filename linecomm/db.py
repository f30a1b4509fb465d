"""Engine, session factory and the declarative Base (with a constraint naming convention)."""
from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

from sqlalchemy import (
    DateTime,
    Engine,
    MetaData,
    String,
    Table,
    bindparam,
    cast,
    create_engine,
    event,
    func,
    insert,
    select,
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
    """Create an engine tuned for the dialect: WAL and a busy timeout on SQLite, pre-ping on PostgreSQL.

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
    kwargs.setdefault("pool_pre_ping", True)
    if "poolclass" not in kwargs:
        kwargs.setdefault("pool_size", 10)
        kwargs.setdefault("max_overflow", 10)
    return create_engine(url, **kwargs)


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


def insert_ignoring_conflicts(session: Session, table: Any, index_elements: list[str]) -> Any:
    """An INSERT ... ON CONFLICT DO NOTHING statement for the session's dialect."""
    name = session.get_bind().dialect.name
    if name == "postgresql":
        return postgresql.insert(table).on_conflict_do_nothing(index_elements=index_elements)
    if name == "sqlite":
        return sqlite.insert(table).on_conflict_do_nothing(index_elements=index_elements)
    return insert(table)


def insert_rows_ignoring_conflicts(
    session: Session, table: Table, rows: Sequence[dict[str, Any]], index_elements: list[str], returning: str
) -> list[Any]:
    """Insert `rows` (dicts with the same keys) with ON CONFLICT DO NOTHING; return column `returning` of
    the rows actually inserted (unordered).

    On PostgreSQL the rows travel as one array per column through unnest(): the statement's text is the same
    whatever the number of rows, so psycopg converts it once (it does not cache statements with more than 50
    parameters, and a multi-row VALUES list has one per cell) and the server prepares and plans it once
    per connection. Other databases get a multi-row INSERT."""
    if not rows:
        return []
    if dialect_name(session) != "postgresql":
        stmt = insert_ignoring_conflicts(session, table, index_elements).returning(table.c[returning])
        return list(session.scalars(stmt, list(rows)).all())
    columns = tuple(rows[0])
    stmt = _unnest_insert(table, columns, tuple(index_elements), returning)
    params = {f"unnest_{name}": [row[name] for row in rows] for name in columns}
    return list(session.scalars(stmt, params).all())


@lru_cache(maxsize=64)
def _unnest_insert(table: Table, columns: tuple[str, ...], index_elements: tuple[str, ...], returning: str) -> Any:
    """INSERT INTO table (columns) SELECT * FROM unnest(array, ...) ON CONFLICT (...) DO NOTHING RETURNING ..."""
    arrays = []
    for name in columns:
        column_type = table.c[name].type
        # An unbounded element type, so an over-long value fails the INSERT as it would in a VALUES list
        # (a cast to varchar(n)[] would silently cut it).
        element_type = String() if type(column_type) is String else column_type
        array_type = postgresql.ARRAY(element_type)
        arrays.append(cast(bindparam(f"unnest_{name}", type_=array_type), array_type))
    rows = func.unnest(*arrays).table_valued(*columns).render_derived()
    return (
        postgresql.insert(table)
        .from_select(list(columns), select(*(rows.c[name] for name in columns)))
        .on_conflict_do_nothing(index_elements=list(index_elements))
        .returning(table.c[returning])
    )


def dialect_name(session: Session) -> str:
    return session.get_bind().dialect.name
