"""Rebuilding the Redis leaderboards from PostgreSQL (jobs; nothing to do in the embedded default, which
reads SQL).

- `rebuild_board(board)`: stream the board's rows (server-side cursor) into a temporary key in pipelined
  chunks, RENAME it over the board, mark it ready, then read again the members written while it streamed
  (Redis notes them while the board is flagged as being rebuilt).
  Asked for by a read that found the board not ready (Redis flushed or restarted, a new month).
- `run_leaderboard_pass()`: the periodic consistency pass (linecomm.sweeper.PERIODIC_JOBS): rebuilds a board
  that is not ready, or that was last built whole more than `REBUILD_EVERY` ago (writes lost to a Redis
  hiccup, members suspended, races between two commits' after-commit writes all heal there); before the
  month's board, the month's totals are recomputed from the ledger (linecomm.points.leaderboard_repair).
Each run is safe to repeat; a lock in Redis keeps two rebuilds of one board from running at once.
"""
from __future__ import annotations

import logging
import time
from datetime import timedelta

from linecomm.db import transaction
from linecomm.points import leaderboard
from linecomm.points.leaderboard_repair import repair_month
from linecomm.points.leaderboard_store import MONTH_TTL_SECONDS, RedisBoards, boards_of

log = logging.getLogger(__name__)
PASS_JOB = "linecomm.points.leaderboard_jobs.run_leaderboard_pass"
REBUILD_JOB = "linecomm.points.leaderboard_jobs.rebuild_board"
REBUILD_EVERY = timedelta(hours=1)


def rebuild(rt, boards: RedisBoards, board: str) -> int | None:  # type: ignore[no-untyped-def]
    """Rebuild one board now; returns how many members it holds (None when another rebuild holds the lock)."""
    token = boards.lock(board)
    if token is None:
        return None
    try:
        now = rt.clock()
        kind, month = (leaderboard.ALL_TIME, leaderboard.month_of(now)) if board == leaderboard.ALL_TIME \
            else (leaderboard.MONTHLY, board.removeprefix("m:"))
        ttl = None if kind == leaderboard.ALL_TIME else MONTH_TTL_SECONDS
        clock = time.monotonic()
        with rt.readers() as session:
            count = boards.replace(board, lambda: leaderboard.stream_shown(session, kind, month), ttl=ttl)
        dirty = boards.dirty(board)
        if dirty:  # written while the rows streamed: read them again, as committed now
            with rt.readers() as session:
                boards.apply(leaderboard.current_writes(session, kind, month, board, dirty))
        log.info("leaderboard %s rebuilt from the database: %d member(s) in %.2f s (%d caught up)", board, count,
                 time.monotonic() - clock, len(dirty))
        return count
    finally:
        boards.unlock(board, token)


def rebuild_board(board: str) -> None:
    from linecomm import runtime

    rt = runtime.current()
    boards = boards_of(rt.settings)
    if boards is None:
        return
    rt.queue.release_coalesced(f"leaderboard-rebuild:{board}")
    rebuild(rt, boards, board)


def run_leaderboard_pass() -> None:
    from linecomm import runtime

    rt = runtime.current()
    boards = boards_of(rt.settings)
    if boards is None:
        return
    now = rt.clock()
    for board in (leaderboard.ALL_TIME, leaderboard.board_name(leaderboard.MONTHLY, now)):
        built = boards.built_at(board)
        if built is None or built <= time.time() - REBUILD_EVERY.total_seconds():
            if board != leaderboard.ALL_TIME:  # the month's totals first, from the ledger
                with transaction(rt.sessions) as session:
                    repair_month(session, leaderboard.month_of(now), now)
            rebuild(rt, boards, board)


def ask_rebuild_on_loss(rt) -> None:  # type: ignore[no-untyped-def]
    """Let reads that find a board not ready ask for its rebuild (one waiting job per board)."""
    boards = boards_of(rt.settings)
    if boards is None:
        return

    def _lost(board: str) -> None:
        rt.queue.enqueue_coalesced(f"leaderboard-rebuild:{board}", REBUILD_JOB, board)

    boards.on_lost = _lost
