"""The badge pass runs where production runs it: the sweeper enqueues it (PERIODIC_JOBS) and a fresh
`linecomm worker --burst` process runs it; it grants the consecutive-months badge once (and a declarative
badge the listener could not grant: switched on after the actions), and a second pass grants nothing."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select, update

from linecomm.actions.service import ActionKind
from linecomm.db import utcnow
from linecomm.points.badge_models import Badge, BadgeJobState, MemberBadge
from linecomm.sweeper import SWEEP_JOB
from linecomm.timezones import JST
from tests.points.helpers import record
from tests.points.test_badges import held
from tests.support.community import Community


@pytest.mark.parametrize("backend", ["postgres"])
def test_the_badge_pass_grants_once_in_a_worker_process(community: Community, liff_member) -> None:
    community.run_jobs_in_worker_processes()
    steady = liff_member(nickname="毎月参加").member_id
    this_month = utcnow().astimezone(JST).replace(day=1, hour=12)
    for months_ago in (0, 1, 2):  # the 1st of this JST month and of the two before
        year, month = divmod(this_month.year * 12 + this_month.month - 1 - months_ago, 12)
        record(community, steady, ActionKind.VOTE, f"vote:w{months_ago}", at=this_month.replace(year=year,
                                                                                            month=month + 1))
    record(community, steady, ActionKind.REVIEW_PUBLISHED, "review-published:w")
    with community.session() as s:  # as if the badge had been switched on after the review
        s.execute(update(Badge).where(Badge.code == "first_review").values(enabled=False))
        s.execute(MemberBadge.__table__.delete())
        s.execute(update(Badge).where(Badge.code == "first_review").values(enabled=True))
    assert held(community, steady) == []
    community.runtime.queue.enqueue(SWEEP_JOB)
    community.drain()
    logs = "\n".join(community.worker_logs)
    assert "linecomm.points.badge_jobs.run_badge_pass(" in logs, logs
    assert "Traceback" not in logs, logs
    assert held(community, steady) == ["first_review", "active_3_months"]

    community.runtime.queue.enqueue("linecomm.points.badge_jobs.run_badge_pass")
    community.drain()
    with community.reader() as s:
        assert s.scalar(select(func.count()).select_from(MemberBadge)) == 2
        state = s.get(BadgeJobState, 1)
        assert state is not None and state.last_granted == 2 and state.ran_at is not None
