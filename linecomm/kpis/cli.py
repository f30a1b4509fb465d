"""`linecomm kpi backfill --from --to` and `linecomm kpi snapshot --day`: compute daily snapshots, one
transaction per day. Days already stored are kept unless `--replace` is given: a stored day counted what
existed then (posts later erased under the APPI, a member's earlier membership), which a recomputation
can no longer see. With `--replace` a day's rows are replaced, so running it twice gives the same table."""
from __future__ import annotations

from datetime import date, datetime, timedelta

import click

MAX_BACKFILL_DAYS = 3660


def _day(value: str | None, name: str) -> date | None:
    if value is None:
        return None
    try:
        return datetime.strptime(value, "%Y-%m-%d").date()
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date as YYYY-MM-DD", param_hint=name) from None


@click.group()
def kpi() -> None:
    """KPI dashboard snapshots."""


def _run(first: date, last: date, replace: bool) -> None:
    from linecomm.cli import _settings
    from linecomm.db import make_engine, make_session_factory, transaction, utcnow
    from linecomm.kpis import snapshot
    from linecomm.kpis.metrics import jst_day

    today = jst_day(utcnow())
    if last < first:
        raise click.BadParameter("--to is before --from", param_hint="--to")
    if last >= today:
        raise click.BadParameter(f"only finished days can be stored (before {today.isoformat()}, Japan time); "
                                 "today is computed live by the dashboard", param_hint="--to")
    if (last - first).days >= MAX_BACKFILL_DAYS:
        raise click.BadParameter(f"at most {MAX_BACKFILL_DAYS} days at a time", param_hint="--from")
    engine = make_engine(_settings().database_url)
    factory = make_session_factory(engine)
    try:
        with transaction(factory) as session:
            kept = set() if replace else snapshot.stored_days(session, first, last)
        total = done = 0
        for day in snapshot.days_between(first, last):
            if day in kept:
                continue
            with transaction(factory) as session:
                total += snapshot.snapshot_day(session, day)
            done += 1
    finally:
        engine.dispose()
    skipped = f", {len(kept)} day(s) already stored were kept (--replace recomputes them)" if kept else ""
    click.echo(f"stored {done} day(s), {total} row(s): {first.isoformat()} .. {last.isoformat()}{skipped}")


@kpi.command("backfill")
@click.option("--from", "first", required=True, help="First day (YYYY-MM-DD, Japan time).")
@click.option("--to", "last", required=True, help="Last day (YYYY-MM-DD, Japan time), before today.")
@click.option("--replace", is_flag=True, help="Recompute days already stored too.")
def backfill(first: str, last: str, replace: bool) -> None:
    """Compute the snapshots of the days from --from to --to that are not stored yet."""
    start, end = _day(first, "--from"), _day(last, "--to")
    assert start is not None and end is not None
    _run(start, end, replace)


@kpi.command("snapshot")
@click.option("--day", default=None, help="The day (YYYY-MM-DD, Japan time); yesterday by default.")
def snapshot_command(day: str | None) -> None:
    """Compute one day's snapshot (yesterday by default), replacing the stored one."""
    from linecomm.db import utcnow
    from linecomm.kpis.metrics import jst_day

    chosen = _day(day, "--day") or jst_day(utcnow()) - timedelta(days=1)
    _run(chosen, chosen, True)
