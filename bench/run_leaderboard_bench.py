"""Leaderboards at `--members` members (default 1,000,000) on PostgreSQL + Redis: a member's own position
(goal p99 ≤ 2 ms), the full rebuild of a board from PostgreSQL, a hand grant to 100,000 members through the
app's path (the tallies in one write, the Redis writes after the commit), and, for comparison,
the SQL answer the embedded default gives without Redis.

Creates a scratch database, migrates it, bulk-loads members, lifetime totals and this month's totals with
INSERT ... SELECT generate_series (not the app's path; skewed points so there are many ties; one member in a
hundred opted out), rebuilds both boards with linecomm.points.leaderboard_jobs.rebuild (streamed read, a
temporary key, RENAME), then times:

- `position`: the Redis part alone (one EVALSHA: ZSCORE + ZCOUNT of members above, with the ready check);
- `rank_of`: the service call (a member on the board: that one round trip, no SQL; else SQL for their points);
- `rank_of` without Redis: COUNT of members above + 1 over `member_points` (a few samples only).

    .venv/bin/python bench/run_leaderboard_bench.py [--members 1000000] [--lookups 5000] [--quick]

LINECOMM_BENCH_PG points at PostgreSQL (default postgres@127.0.0.1:5432), LINECOMM_BENCH_REDIS at Redis
(database LINECOMM_BENCH_REDIS_DB, default 11). The boards live under a namespace of their own
(`linecomm:bench-<random>:lb:`) that is deleted at the end, never a FLUSHDB (other runs may share the
database). `--quick` (20,000 members) checks the benchmark itself, not a figure.
"""
from __future__ import annotations

import argparse
import os
import random
import time
import uuid
from types import SimpleNamespace

from environment import REDIS_BASE_URL, REDIS_DB, load_average, machine
from machine_speed import describe, reference_us
from page_timing import percentile, scratch_site
from sqlalchemy import text

from linecomm import migrate
from linecomm.db import make_engine, make_session_factory, transaction, utcnow
from linecomm.points import leaderboard, leaderboard_jobs, leaderboard_store, service
from linecomm.points.leaderboard import ALL_TIME, MONTHLY
from linecomm.points.leaderboard_store import RedisBoards
from linecomm.pushes.segments import Segment

LOAD_MEMBERS = """
INSERT INTO members (line_user_id, display_name, status, is_following, cohort, nickname, nickname_key,
                     created_at, followed_at, joined_at, last_active_at)
SELECT 'U' || md5(i::text), 'ユーザー ' || i, 'member', true, CASE WHEN i % 10 = 0 THEN '2期生' ELSE '1期生' END,
       'かいいん' || i, 'かいいん' || i,
       now(), now(), now(), now()
FROM generate_series(1, :n) AS i
"""
# Skewed like real engagement: most members have a little, a few a lot (many equal totals).
LOAD_LIFETIME = """
INSERT INTO member_points (member_id, balance, lifetime, month_key, month_points, updated_at)
SELECT i, p, p, CASE WHEN i % 3 <> 0 THEN :month ELSE '' END,
       CASE WHEN i % 3 <> 0 THEN floor(power(random(), 3) * 3000)::int ELSE 0 END, now()
FROM (SELECT i, floor(power(random(), 3) * 50000)::int AS p FROM generate_series(1, :n) AS i) AS t
"""
OPT_OUT = """
INSERT INTO leaderboard_preferences (member_id, hidden, updated_at)
SELECT i, true, now() FROM generate_series(100, :n, 100) AS i
"""


def _times(fn, ids: list[int]) -> list[float]:  # type: ignore[no-untyped-def]
    out = []
    for member_id in ids:
        t0 = time.perf_counter()
        fn(member_id)
        out.append((time.perf_counter() - t0) * 1000)
    return out


def _row(label: str, times: list[float], goal: str = "") -> None:
    print(f"{label:<52} p50 {percentile(times, 0.5):6.2f} ms  p99 {percentile(times, 0.99):6.2f} ms  "
          f"max {max(times):6.2f} ms  {goal}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--members", type=int, default=1_000_000)
    parser.add_argument("--lookups", type=int, default=5000)
    parser.add_argument("--sql-lookups", type=int, default=50)
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    if args.quick:
        args.members, args.lookups, args.sql_lookups = 20_000, 500, 20
    print(machine())
    print(f"load average before: {load_average()}  (a shared machine: other work may be running); "
          f"{describe(reference_us())}")
    boards = RedisBoards(f"{REDIS_BASE_URL}/{REDIS_DB}", f"bench-{uuid.uuid4().hex[:8]}")
    try:
        with scratch_site("leaderboard") as (url, _fake):
            migrate.upgrade(url)
            engine = make_engine(url)
            sessions = make_session_factory(engine)
            now = utcnow()
            month = leaderboard.month_of(now)
            started = time.perf_counter()
            with engine.begin() as conn:
                conn.execute(text(LOAD_MEMBERS), {"n": args.members})
                conn.execute(text(LOAD_LIFETIME), {"n": args.members, "month": month})
                conn.execute(text(OPT_OUT), {"n": args.members})
            with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                for table in ("members", "member_points", "leaderboard_preferences"):
                    conn.execute(text(f"VACUUM ANALYZE {table}"))
            print(f"loaded {args.members:,} members (lifetime and this month's totals) in "
                  f"{time.perf_counter() - started:.1f} s")

            rt = SimpleNamespace(clock=lambda: now, readers=sessions, sessions=sessions)
            for board in (ALL_TIME, leaderboard.board_name(MONTHLY, now)):
                started = time.perf_counter()
                count = leaderboard_jobs.rebuild(rt, boards, board)
                print(f"rebuild of board {board!r} from PostgreSQL: {time.perf_counter() - started:.2f} s, "
                      f"{count:,} members on it (streamed, pipelined ZADDs, RENAME)")
            print(f"Redis memory used: {boards.redis.info('memory')['used_memory_human']}")

            ids = [random.randint(1, args.members) for _ in range(args.lookups)]
            _times(lambda m: boards.position(ALL_TIME, m), ids[:200])  # warm up the script cache and the socket
            _row("position in Redis (EVALSHA: ZSCORE + ZCOUNT)", _times(lambda m: boards.position(ALL_TIME, m), ids))
            with sessions() as session:
                def service_rank(member_id: int) -> None:
                    leaderboard.rank_of(session, boards, ALL_TIME, now, member_id)
                    session.rollback()

                _times(service_rank, ids[:200])
                _row("rank_of, all-time (service call)", _times(service_rank, ids), "(goal p99 ≤ 2 ms)")

                def monthly_rank(member_id: int) -> None:
                    leaderboard.rank_of(session, boards, MONTHLY, now, member_id)
                    session.rollback()

                month_key = boards.key(leaderboard.board_name(MONTHLY, now))
                on_board = [int(m) for m in boards.redis.zrandmember(month_key, args.lookups)]
                listed = set(on_board)
                off_board = [m for m in ids if m % 3 == 0 and m not in listed]
                _row("rank_of, this month, members on the board (service)", _times(monthly_rank, on_board),
                     "(goal p99 ≤ 2 ms)")
                _row("rank_of, this month, members not on it (Redis + 1 SQL)", _times(monthly_rank, off_board),
                     "(no rank: 「まだ順位はありません」)")

                def top(_: int) -> None:
                    leaderboard.board(session, boards, MONTHLY, now, 50, _)
                    session.rollback()

                _row("the LIFF page's read (top 50 + own position)", _times(top, ids[:1000]))

                def sql_rank(member_id: int) -> None:
                    leaderboard.rank_of(session, None, ALL_TIME, now, member_id)
                    session.rollback()

                _row("rank_of without Redis (SQL COUNT above + 1)", _times(sql_rank, ids[:args.sql_lookups]),
                     "(the embedded default; for comparison)")

            # A hand grant to the tenth of the members in 「2期生」, through the app's path: the balance seam
            # updates the month's totals in the transaction, and Redis after the commit.
            leaderboard.install()
            leaderboard_store.bind(sessions, boards)
            with sessions() as session:
                before = leaderboard.rank_of(session, boards, ALL_TIME, now, 10).points
            applying = [0.0]  # the after-commit Redis writes' share
            plain_apply = boards.apply

            def timed_apply(writes, chunk: int = 1_000) -> None:  # type: ignore[no-untyped-def]
                t0 = time.perf_counter()
                plain_apply(writes, chunk)
                applying[0] += time.perf_counter() - t0

            boards.apply = timed_apply  # type: ignore[method-assign]
            started = time.perf_counter()
            with transaction(sessions) as session:
                made = service.grant_to_segment(session, Segment(cohorts=("2期生",)), 50, "ベンチマーク", "lb1",
                                                "bench", now=now)
            took = time.perf_counter() - started
            boards.apply = plain_apply  # type: ignore[method-assign]
            with sessions() as session:
                after = leaderboard.rank_of(session, boards, ALL_TIME, now, 10).points
            assert after == before + 50, (before, after)
            print(f"grant to a segment of {made:,} members, with the leaderboards' statements and the "
                  f"after-commit Redis writes: {took:.2f} s (committed after {took - applying[0]:.2f} s; "
                  f"{2 * made:,} scores written to Redis in {applying[0]:.2f} s)")
            engine.dispose()
    finally:
        boards.forget()
        boards.redis.close()
    print(f"load average after: {load_average()}; cores: {os.cpu_count()}; {describe(reference_us())}")


if __name__ == "__main__":
    main()
