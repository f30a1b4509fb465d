"""The KPI pass runs where production runs it: the sweeper enqueues it (PERIODIC_JOBS) and a fresh
`linecomm worker --burst` process stores the finished days of the last week that have no snapshot, and
today's figures so far (provisional: the dashboard reads them); a second pass within ten minutes changes
nothing, and once today has ended it is stored again as a snapshot."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from linecomm.db import utcnow
from linecomm.kpis import snapshot
from linecomm.kpis.jobs import CATCH_UP_DAYS
from linecomm.kpis.metrics import jst_day
from linecomm.kpis.models import KpiDaily
from linecomm.members.models import Member, MemberStatus
from linecomm.sweeper import SWEEP_JOB
from tests.support.community import Community


@pytest.mark.parametrize("backend", ["postgres"], indirect=True)
def test_the_pass_stores_each_missing_day_once_in_a_worker_process(community: Community) -> None:
    community.run_jobs_in_worker_processes()
    now = utcnow()
    today = jst_day(now)
    with community.session() as s:
        s.add_all([Member(line_user_id="Ukpi-old", status=MemberStatus.MEMBER, cohort="1期",
                          joined_at=now - timedelta(days=30)),
                   Member(line_user_id="Ukpi-new", status=MemberStatus.MEMBER, cohort="2期",
                          joined_at=now - timedelta(days=3, hours=1))])
        s.add(KpiDaily(day=today - timedelta(days=2), metric="members", cohort="", value=77))  # stored before
    community.runtime.queue.enqueue(SWEEP_JOB)
    community.drain()
    logs = "\n".join(community.worker_logs)
    assert "linecomm.kpis.jobs.run_kpi_pass(" in logs, logs
    assert "Traceback" not in logs, logs
    with community.reader() as s:
        members = dict(s.execute(select(KpiDaily.day, KpiDaily.value)
                                 .where(KpiDaily.metric == "members", KpiDaily.cohort == "")).all())
        first_run = s.scalar(select(func.max(KpiDaily.computed_at)))
        rows = s.scalar(select(func.count()).select_from(KpiDaily))
    days = [today - timedelta(days=k) for k in range(CATCH_UP_DAYS, -1, -1)]
    assert sorted(members) == days and members[today] == 2  # today: provisional
    assert members[today - timedelta(days=2)] == 77  # a stored day is not recomputed
    assert members[today - timedelta(days=1)] == 2 and members[today - timedelta(days=5)] == 1
    with community.reader() as s:
        assert snapshot.provisional_at(s, today) is not None
        assert today not in snapshot.stored_days(s, today - timedelta(days=1), today)  # not a snapshot yet

    community.runtime.queue.enqueue("linecomm.kpis.jobs.run_kpi_pass")
    community.drain()
    with community.reader() as s:
        assert s.scalar(select(func.count()).select_from(KpiDaily)) == rows
        assert s.scalar(select(func.max(KpiDaily.computed_at))) == first_run
