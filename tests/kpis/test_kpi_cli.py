"""`linecomm kpi backfill` and `linecomm kpi snapshot` as an operator runs them: stores the missing days,
keeps stored ones unless --replace, refuses bad dates with a clear message."""
from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import create_engine, text

from linecomm.cli import main
from linecomm.db import utcnow
from linecomm.kpis.metrics import jst_day


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    url = f"sqlite:///{tmp_path}/kpi.sqlite3"
    monkeypatch.setenv("LINECOMM_INSTANCE_PATH", str(tmp_path))
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.delenv("REDIS_URL", raising=False)
    return url


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.output


def test_backfill_stores_missing_days_and_refuses_bad_dates(env: str) -> None:
    assert run("db", "upgrade")[0] == 0
    yesterday = jst_day(utcnow()) - timedelta(days=1)
    first = yesterday - timedelta(days=2)
    engine = create_engine(env)
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO members (line_user_id, status, is_following, cohort, created_at, joined_at) "
                          "VALUES ('Ucli', 'member', 1, '1期', '2026-01-01 00:00:00', '2026-01-01 00:00:00')"))
    code, out = run("kpi", "backfill", "--from", first.isoformat(), "--to", yesterday.isoformat())
    assert code == 0 and out.startswith("stored 3 day(s)"), out

    def members_on(day: object) -> list[int]:
        with engine.connect() as conn:
            return list(conn.execute(text("SELECT value FROM kpi_daily WHERE metric = 'members' AND cohort = '' "
                                          "AND day = :d"), {"d": str(day)}).scalars())

    assert members_on(yesterday) == [1]
    with engine.begin() as conn:
        conn.execute(text("UPDATE members SET cohort = '2期'"))
    code, out = run("kpi", "backfill", "--from", first.isoformat(), "--to", yesterday.isoformat())
    assert code == 0 and "stored 0 day(s)" in out and "3 day(s) already stored were kept" in out
    code, out = run("kpi", "backfill", "--from", first.isoformat(), "--to", yesterday.isoformat(), "--replace")
    assert code == 0 and out.startswith("stored 3 day(s)")
    with engine.connect() as conn:
        cohorts = set(conn.execute(text("SELECT cohort FROM kpi_daily WHERE metric = 'members' AND day = :d"),
                                   {"d": str(yesterday)}).scalars())
    assert cohorts == {"", "2期"} and members_on(yesterday) == [1]
    assert run("kpi", "snapshot", "--day", first.isoformat())[0] == 0

    for args, message in [
        (("--from", "2026/11/01", "--to", yesterday.isoformat()), "is not a date as YYYY-MM-DD"),
        (("--from", yesterday.isoformat(), "--to", first.isoformat()), "--to is before --from"),
        (("--from", first.isoformat(), "--to", (yesterday + timedelta(days=1)).isoformat()), "only finished days"),
        (("--from", "2000-01-01", "--to", yesterday.isoformat()), "at most 3660 days"),
    ]:
        code, out = run("kpi", "backfill", *args)
        assert code != 0 and message in out, out
    engine.dispose()
