"""Demo data for the KPI dashboard (`linecomm demo`): the last week's daily snapshots, computed from the
demo community like the periodic job does (only days not stored yet), so 「KPI」 in the console shows its
charts and tables at once; today's figures are live, so the demo's chats and answers show as they happen."""
from __future__ import annotations

from sqlalchemy.orm import Session

from linecomm.db import utcnow
from linecomm.kpis import jobs, snapshot
from linecomm.kpis.metrics import jst_day


def seed(session: Session) -> None:
    now = utcnow()
    for day in jobs.missing_days(session, jst_day(now)):
        snapshot.snapshot_day(session, day, now)
