"""The leaderboard pass runs where production runs it: the sweeper enqueues it (PERIODIC_JOBS) and a fresh
`linecomm worker --burst` process runs it. Boards lost from Redis are rebuilt from PostgreSQL; a board last
built whole over an hour ago is rebuilt too, which repairs a score that drifted, and the month's totals are
recomputed from the ledger first."""
from __future__ import annotations

import time

import pytest
from sqlalchemy import update

from linecomm.points import leaderboard, service
from linecomm.points.leaderboard import ALL_TIME, MONTHLY
from linecomm.points.leaderboard_store import boards_of, member_key
from linecomm.points.models import MemberPoints
from linecomm.sweeper import SWEEP_JOB
from tests.support.community import Community


@pytest.mark.parametrize("backend", ["postgres"])
def test_the_pass_rebuilds_lost_and_stale_boards_in_a_worker_process(community: Community, liff_member) -> None:
    community.run_jobs_in_worker_processes()
    boards = boards_of(community.settings)
    assert boards is not None
    try:
        first, second = liff_member(nickname="いち").member_id, liff_member(nickname="に").member_id
        with community.session() as s:
            service.grant_manual(s, first, 40, "テスト", "w1", "m@example.com")
            service.grant_manual(s, second, 25, "テスト", "w2", "m@example.com")
        month = leaderboard.board_name(MONTHLY, community.runtime.clock())
        assert boards.built_at(ALL_TIME) is None and boards.built_at(month) is None  # never built: not ready
        community.runtime.queue.enqueue(SWEEP_JOB)
        community.drain()
        logs = "\n".join(community.worker_logs)
        assert "linecomm.points.leaderboard_jobs.run_leaderboard_pass(" in logs, logs
        assert "Traceback" not in logs, logs
        for board in (ALL_TIME, month):
            assert boards.built_at(board) is not None
            assert boards.top(board, 10) == [(first, 40), (second, 25)]

        boards.redis.zadd(boards.key(ALL_TIME), {member_key(second): 999})  # drifted (a lost write, a race)
        with community.session() as s:  # a hand-edited total
            s.execute(update(MemberPoints).where(MemberPoints.member_id == first).values(month_points=7))
        for board in (ALL_TIME, month):
            boards.redis.set(boards.marker(board), str(time.time() - 2 * 3600))  # last built two hours ago
        community.runtime.queue.enqueue(SWEEP_JOB)
        community.drain()
        for board in (ALL_TIME, month):
            assert boards.top(board, 10) == [(first, 40), (second, 25)]
            assert boards.built_at(board) > time.time() - 600  # type: ignore[operator]
        assert "1 monthly total(s)" in "\n".join(community.worker_logs)
    finally:
        boards.forget()
