"""The KPI pass, started by the sweeper every interval (linecomm.sweeper.PERIODIC_JOBS): it snapshots each
finished Japan-time day of the last week that has no snapshot yet (normally just yesterday, once), one
transaction per day, and refreshes today's figures so far every `TODAY_EVERY` (stored provisional: the
dashboard reads them rather than computing a million members' day at a marketer's click; the day is
stored properly once it has ended). Running it twice changes nothing."""
from __future__ import annotations

import logging
from datetime import date, timedelta

from sqlalchemy.orm import Session

from linecomm.db import transaction
from linecomm.kpis import snapshot
from linecomm.kpis.metrics import jst_day

log = logging.getLogger(__name__)
PASS_JOB = "linecomm.kpis.jobs.run_kpi_pass"
CATCH_UP_DAYS = 7
TODAY_EVERY = timedelta(minutes=10)


def missing_days(session: Session, today: date) -> list[date]:
    """Finished days of the last CATCH_UP_DAYS with no snapshot yet, oldest first."""
    first = today - timedelta(days=CATCH_UP_DAYS)
    done = snapshot.stored_days(session, first, today - timedelta(days=1))
    return [d for d in snapshot.days_between(first, today - timedelta(days=1)) if d not in done]


def run_kpi_pass() -> None:
    from linecomm import runtime

    rt = runtime.current()
    now = rt.clock()
    with transaction(rt.sessions) as session:
        due = missing_days(session, jst_day(now))
    for day in due:
        with transaction(rt.sessions) as session:
            rows = snapshot.snapshot_day(session, day, now)
        log.info("kpi snapshot %s: %d row(s)", day.isoformat(), rows)
    today = jst_day(now)
    with transaction(rt.sessions) as session:
        at = snapshot.provisional_at(session, today)
        if at is None or at <= now - TODAY_EVERY:
            snapshot.store_today(session, today, now)
