"""The `linecomm` command as an operator uses it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from linecomm.cli import main


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    values = {"LINECOMM_INSTANCE_PATH": str(tmp_path), "DATABASE_URL": f"sqlite:///{tmp_path}/cli.sqlite3"}
    monkeypatch.delenv("REDIS_URL", raising=False)
    for key, value in values.items():
        monkeypatch.setenv(key, value)
    return values


def run(*args: str) -> str:
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


def test_db_upgrade_then_invite_create_and_list(env: dict[str, str]) -> None:
    assert "database at revision" in run("db", "upgrade")
    code = run("invite", "create", "--cohort", "0期生", "--max-uses", "50", "--expires", "2027-03-31").strip()
    assert len(code) == 8 and code.isalnum()
    listing = run("invite", "list")
    assert code in listing and "0期生" in listing and "0/50" in listing and "2027-03-31" in listing


def test_invite_create_refuses_bad_input_with_a_message(env: dict[str, str]) -> None:
    run("db", "upgrade")
    result = CliRunner().invoke(main, ["invite", "create", "--cohort", "x", "--max-uses", "0"])
    assert result.exit_code != 0 and "max-uses" in result.output
    result = CliRunner().invoke(
        main, ["invite", "create", "--cohort", "x", "--max-uses", "3", "--expires", "31/03/2027"]
    )
    assert result.exit_code != 0 and "expires" in result.output
    run("invite", "create", "--cohort", "x", "--max-uses", "3", "--code", "SPRING26")
    result = CliRunner().invoke(main, ["invite", "create", "--cohort", "x", "--max-uses", "3", "--code", "spring26"])
    assert result.exit_code != 0 and "already exists" in result.output


def test_an_expiring_code_is_valid_through_the_last_day_in_japan(env: dict[str, str]) -> None:
    from datetime import date, datetime

    from linecomm.members.invites import end_of_day_jst
    from linecomm.timezones import JST

    end = end_of_day_jst(date(2027, 3, 31))
    assert end.astimezone(JST).date() == date(2027, 3, 31)
    assert end < datetime(2027, 4, 1, tzinfo=JST)


def test_the_console_script_runs_as_installed(env: dict[str, str]) -> None:
    exe = Path(sys.executable).parent / "linecomm"
    out = subprocess.run([str(exe), "--help"], capture_output=True, text=True, env={**os.environ, **env}, check=True)
    for command in ("db", "worker", "demo", "fake-line", "simulate", "invite", "inbox"):
        assert command in out.stdout
