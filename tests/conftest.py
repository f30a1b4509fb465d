"""Test harness: every test gets its own app on explicit settings, a fresh database, a fresh queue and
its own fake LINE platform. `community` runs on each backend: SQLite + the embedded queue, and
PostgreSQL + Redis with a real RQ worker."""
from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from linecomm import migrate
from linecomm.config import Settings
from linecomm.line.fake import FakeLinePlatform
from tests.support.community import Community
from tests.support.line_openapi import assert_conforms_to_openapi
from tests.support.redis_server import RedisServer

PG_ADMIN_URL = os.environ.get("LINECOMM_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
REDIS_TEST_URL = os.environ.get("LINECOMM_TEST_REDIS", "redis://127.0.0.1:6379/13")
CHANNEL_SECRET = "test-channel-secret"
ACCESS_TOKEN = "test-access-token"
LOGIN_CHANNEL = "1234567890"


@pytest.fixture(scope="session")
def pg_database() -> Iterator[str]:
    """A PostgreSQL database of our own for this test run, migrated once, dropped at the end."""
    name = f"linecomm_test_{uuid.uuid4().hex[:10]}"
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as exc:  # pragma: no cover - the machine promises PostgreSQL
        pytest.fail(f"PostgreSQL is required for the test suite ({PG_ADMIN_URL}): {exc}")
    url = PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    migrate.upgrade(url)
    yield url
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite file that each test copies (migrating once is much faster)."""
    path = tmp_path_factory.mktemp("sqlite-template") / "template.sqlite3"
    migrate.upgrade(f"sqlite:///{path}")
    return path


def _truncate_all(url: str) -> None:
    """Empty every table and restart every sequence, as `TRUNCATE <every table> RESTART IDENTITY` did. A test
    leaves a few rows: DELETE, child tables first, takes milliseconds where a TRUNCATE of every table (new
    files for each table and index, fsynced at commit) took one to three seconds per test on a busy machine.
    Tables with triggers of their own (the append-only audit log refuses DELETE) are truncated when not empty."""
    from sqlalchemy.pool import NullPool

    from linecomm.models import Base

    engine = create_engine(url, poolclass=NullPool)
    try:
        with engine.begin() as conn:
            guarded = set(conn.scalars(text(
                "SELECT DISTINCT c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid"
                " WHERE NOT t.tgisinternal AND c.relnamespace = current_schema()::regnamespace"
            )))
            for table in reversed(Base.metadata.sorted_tables):
                if table.name not in guarded:
                    conn.execute(text(f'DELETE FROM "{table.name}"'))
                elif conn.scalar(text(f'SELECT EXISTS (SELECT 1 FROM "{table.name}")')):
                    conn.execute(text(f'TRUNCATE "{table.name}" CASCADE'))
            conn.execute(text(
                "SELECT setval(format('%I.%I', schemaname, sequencename)::regclass, start_value, false)"
                " FROM pg_sequences WHERE last_value IS NOT NULL AND schemaname = current_schema()"
            ))
    finally:
        engine.dispose()


@pytest.fixture
def redis_url() -> str:
    """The machine's Redis. Tests never flush it (other runs may share it): each test uses its own queue
    name (see `settings`), and its keys are deleted afterwards."""
    from redis import Redis

    client = Redis.from_url(REDIS_TEST_URL)
    try:
        client.ping()
    except Exception as exc:  # pragma: no cover
        pytest.fail(f"Redis is required for the test suite ({REDIS_TEST_URL}): {exc}")
    finally:
        client.close()
    return REDIS_TEST_URL


def _delete_queue_keys(url: str, queue_name: str) -> None:
    from redis import Redis

    client = Redis.from_url(url)
    try:
        keys = list(client.scan_iter(match=f"*{queue_name}*", count=1000))
        if keys:
            client.delete(*keys)
    finally:
        client.close()


@pytest.fixture
def fake_line() -> Iterator[FakeLinePlatform]:
    """The fake LINE platform. After the test, every Messaging API request linecomm sent it is checked
    against LINE's OpenAPI description, so no request we make could be refused by LINE."""
    fake = FakeLinePlatform(channel_access_token=ACCESS_TOKEN, login_channel_id=LOGIN_CHANNEL)
    fake.start(host="127.0.0.1", port=0)
    yield fake
    fake.stop()
    assert_conforms_to_openapi(fake.requests)


@pytest.fixture
def private_redis(tmp_path: Path) -> Iterator[RedisServer]:
    """A redis-server of the test's own, which the test may stop and restart (never the machine's)."""
    server = RedisServer(tmp_path)
    server.start()
    yield server
    server.stop()


@pytest.fixture(params=["sqlite", "postgres"])
def backend(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.fixture
def database_url(backend: str, request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if backend == "sqlite":
        path = tmp_path / "linecomm.sqlite3"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        yield f"sqlite:///{path}"
    else:
        url = request.getfixturevalue("pg_database")
        _truncate_all(url)
        yield url
        _truncate_all(url)


@pytest.fixture
def settings(
    backend: str, database_url: str, fake_line: FakeLinePlatform, tmp_path: Path, request: pytest.FixtureRequest
) -> Iterator[Settings]:
    redis = request.getfixturevalue("redis_url") if backend == "postgres" else None
    queue_name = f"linecomm-test-{uuid.uuid4().hex[:12]}"
    yield Settings(
        env="test",
        database_url=database_url,
        redis_url=redis,
        line_channel_secret=CHANNEL_SECRET,
        line_channel_access_token=ACCESS_TOKEN,
        line_login_channel_id=LOGIN_CHANNEL,
        liff_id=f"{LOGIN_CHANNEL}-test",
        line_api_base_url=fake_line.url,
        line_login_base_url=fake_line.url,
        secret_key="test-secret-key",
        instance_path=tmp_path / "instance",
        queue_name=queue_name,
        sweep_interval_seconds=3600,
    ).resolved()
    if redis:
        _delete_queue_keys(redis, queue_name)


@pytest.fixture
def community(settings: Settings, fake_line: FakeLinePlatform) -> Iterator[Community]:
    """The app served on a loopback port, with its queue and the fake LINE platform."""
    with Community.start(settings, fake_line) as c:
        yield c
