"""Migration 0027 fills `member_active_months` from the actions already recorded, on both databases: one row
per member and Japan-time month, withdrawn actions included (a month stays counted)."""
from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import create_engine, select, text

from linecomm import migrate
from linecomm.actions.models import MemberAction, MemberActiveMonth
from linecomm.db import make_engine, make_session_factory, transaction
from tests.admin.console import make_member

PG_ADMIN_URL = os.environ.get("LINECOMM_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")


@pytest.fixture(params=["sqlite", "postgres"])
def empty_database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'backfill.sqlite3'}"
        return
    name = f"linecomm_test_backfill_{uuid.uuid4().hex[:8]}"
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def test_the_upgrade_fills_the_months_of_the_actions_already_recorded(empty_database: str) -> None:
    migrate.upgrade(empty_database, "0026")
    engine = make_engine(empty_database)
    sessions = make_session_factory(engine)
    try:
        with transaction(sessions) as s:
            a, b = make_member(s, nickname="まえから").id, make_member(s, nickname="とちゅうから").id
            s.add_all([
                # 23:30 and 00:30 in Japan either side of midnight on 30 November / 1 December.
                MemberAction(member_id=a, kind="reaction", key="r:1", occurred_at=datetime(2026, 11, 30, 14, 30,
                                                                                             tzinfo=UTC)),
                MemberAction(member_id=a, kind="reaction", key="r:2", occurred_at=datetime(2026, 11, 30, 15, 30,
                                                                                             tzinfo=UTC)),
                MemberAction(member_id=a, kind="reaction", key="r:3", occurred_at=datetime(2026, 12, 20, tzinfo=UTC)),
                MemberAction(member_id=b, kind="idea_supported", key="s:1",
                             occurred_at=datetime(2026, 9, 1, 3, tzinfo=UTC),
                             withdrawn_at=datetime(2026, 9, 2, 3, tzinfo=UTC)),
            ])
        migrate.upgrade(empty_database)
        with transaction(sessions) as s:
            assert sorted(s.execute(select(MemberActiveMonth.member_id, MemberActiveMonth.month))) == [
                (a, "2026-11"), (a, "2026-12"), (b, "2026-09")]
    finally:
        engine.dispose()
