"""The points pass runs where production runs it: the sweeper enqueues it (PERIODIC_JOBS) and a fresh
`linecomm worker --burst` process runs it; it repairs balances and ranks that drifted from the ledger (and
says how many), applies expiry once, warns of points about to expire once, and a second pass changes
nothing."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from linecomm.actions.service import ActionKind
from linecomm.db import utcnow
from linecomm.outbox.models import OutboundMessage
from linecomm.points import rules
from linecomm.points.models import MemberPoints, PointsJobState
from linecomm.sweeper import SWEEP_JOB
from tests.points.helpers import balance, entries, record
from tests.support.community import Community


@pytest.mark.parametrize("backend", ["postgres"])
def test_the_pass_repairs_drift_and_expires_in_a_worker_process(community: Community, liff_member) -> None:
    community.run_jobs_in_worker_processes()
    drifted = liff_member(nickname="ずれ").member_id
    steady = liff_member(nickname="そのまま").member_id
    soon = liff_member(nickname="もうすぐ").member_id
    with community.session() as s:
        rules.set_rule(s, ActionKind.VOTE, 4, None, 1, "m@example.com")
    record(community, drifted, ActionKind.THEME_ANSWER, "theme-answer:w1")
    record(community, steady, ActionKind.VOTE, "vote:old", at=utcnow() - timedelta(days=70))
    record(community, soon, ActionKind.VOTE, "vote:soon", at=utcnow() - timedelta(days=25))  # expires within 14 days
    with community.session() as s:
        s.execute(update(MemberPoints).where(MemberPoints.member_id == drifted)
                  .values(balance=999, lifetime=3, rank_level=2))

    def expiry_warnings() -> list[str]:
        with community.reader() as s:
            return list(s.scalars(select(OutboundMessage.idempotency_key).where(
                OutboundMessage.idempotency_key.like("points-expiry:%"))))
    community.runtime.queue.enqueue(SWEEP_JOB)
    community.drain()
    logs = "\n".join(community.worker_logs)
    assert "linecomm.points.jobs.run_points_pass(" in logs, logs
    assert "Traceback" not in logs, logs
    assert balance(community, drifted) == (10, 10)
    assert balance(community, steady) == (0, 4)
    assert [kind for kind, _, _ in entries(community, steady)] == ["grant", "expiry"]
    with community.reader() as s:
        state = s.get(PointsJobState, 1)
        assert state is not None and state.last_drift == 1 and state.recomputed_at is not None
        assert s.scalar(select(MemberPoints.rank_level).where(MemberPoints.member_id == drifted)) == 0
        assert s.scalar(select(func.count()).select_from(OutboundMessage)
                        .where(OutboundMessage.idempotency_key.like("rank-up:%"))) == 0  # repaired, not announced
    [warning] = expiry_warnings()
    assert warning.startswith(f"points-expiry:{soon}:")

    community.runtime.queue.enqueue("linecomm.points.jobs.recompute_balances")
    community.runtime.queue.enqueue("linecomm.points.jobs.apply_expiry")
    community.drain()
    assert [kind for kind, _, _ in entries(community, steady)] == ["grant", "expiry"]
    assert expiry_warnings() == [warning]
    with community.reader() as s:
        state = s.get(PointsJobState, 1)
        assert state is not None and state.last_drift == 0
