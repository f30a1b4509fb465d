"""Points on PostgreSQL: the full recompute of balances over `--entries` ledger rows (goal ≤ 5 s at
10,000,000), one member's balance (p99 ≤ 5 ms) and a hand grant to a segment of `--members` members
(goal ≤ 2 s at 100,000; one INSERT ... SELECT, never a query per member).

Creates a scratch database, migrates it, bulk-loads members and ledger rows (INSERT ... SELECT
generate_series; one in a thousand members' kept balance is then made wrong so the recompute has drift to
repair), runs linecomm.points.tallies.recompute (the periodic job's statement) twice (the second finds no
drift), times `service.balance_of` for random members, and `service.grant_to_segment` to everyone.

    .venv/bin/python bench/run_points_bench.py [--entries 10000000] [--members 100000] [--quick]

LINECOMM_BENCH_PG points at the PostgreSQL server (default postgres@127.0.0.1:5432). The database is
dropped at the end. `--quick` (200,000 rows, 10,000 members) checks the benchmark itself, not a figure.
"""
from __future__ import annotations

import argparse
import random
import time

from environment import load_average
from page_timing import percentile, scratch_site
from sqlalchemy import text

from linecomm import migrate, runtime
from linecomm.db import make_engine, make_session_factory, transaction, utcnow
from linecomm.points import leaderboard, service, tallies
from linecomm.pushes.segments import Segment

LOAD_MEMBERS = """
INSERT INTO members (line_user_id, display_name, status, is_following, cohort, nickname, nickname_key,
                     created_at, followed_at, joined_at, last_active_at)
SELECT 'U' || md5(i::text), 'ユーザー ' || i, 'member', true, '1期生', 'かいいん' || i, 'かいいん' || i,
       now(), now(), now(), now()
FROM generate_series(1, :n) AS i
"""
LOAD_ENTRIES = """
INSERT INTO point_entries (member_id, key, kind, amount, action_kind, rule_version, created_at)
SELECT 1 + (i % :members), 'bench:' || i, 'grant', 1 + (i % 20), 'theme_answer', 0,
       timestamptz '2025-01-01 00:00+00' + (i % 500000) * interval '1 minute'
FROM generate_series(1, :n) AS i
"""
KEPT = """
INSERT INTO member_points (member_id, balance, lifetime, updated_at)
SELECT member_id, sum(amount) + CASE WHEN member_id % 1000 = 0 THEN 7 ELSE 0 END, sum(amount), now()
FROM point_entries GROUP BY member_id
"""


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--entries", type=int, default=10_000_000)
    parser.add_argument("--members", type=int, default=100_000)
    parser.add_argument("--lookups", type=int, default=2000)
    parser.add_argument("--grants", type=int, default=3)
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    if args.quick:
        args.entries, args.members, args.lookups = 200_000, 10_000, 500
    with scratch_site("points") as (url, _fake):
        migrate.upgrade(url)
        engine = make_engine(url)
        sessions = make_session_factory(engine)
        started = time.perf_counter()
        with engine.begin() as conn:
            conn.execute(text(LOAD_MEMBERS), {"n": args.members})
            conn.execute(text(LOAD_ENTRIES), {"n": args.entries, "members": args.members})
            conn.execute(text(KEPT))
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM ANALYZE point_entries"))
            conn.execute(text("VACUUM ANALYZE member_points"))
            conn.execute(text("VACUUM ANALYZE members"))
        print(f"loaded {args.members:,} members and {args.entries:,} ledger rows in "
              f"{time.perf_counter() - started:.1f} s")

        for label in ("recompute (with drift)", "recompute (no drift)"):
            started = time.perf_counter()
            with transaction(sessions) as session:
                drifted = tallies.recompute(session, utcnow()).drifted
            took = time.perf_counter() - started
            print(f"{label}: {took:.2f} s, {drifted:,} drifted (goal ≤ 5 s at 10,000,000 rows)")

        ids = [random.randint(1, args.members) for _ in range(args.lookups)]
        times = []
        with sessions() as session:
            for member_id in ids:
                started = time.perf_counter()
                service.balance_of(session, member_id)
                session.expunge_all()
                times.append((time.perf_counter() - started) * 1000)
                session.rollback()
        print(f"one member's balance: p50 {percentile(times, 0.5):.2f} ms, p99 {percentile(times, 0.99):.2f} ms "
              "(goal p99 ≤ 5 ms)")

        started = time.perf_counter()
        with transaction(sessions) as session:
            made = service.grant_to_segment(session, Segment(), 50, "ベンチマーク", "bench1", "bench")
        print(f"grant to a segment of {made:,} members, ledger and balances only: "
              f"{time.perf_counter() - started:.2f} s")
        # As production runs it: ranks and leaderboards follow every balance in the same transaction (a
        # member ranked up by the grant gets a message stored in the outbox).
        runtime.install_action_listeners()
        leaderboard.install()
        took = []
        for run in range(2, 2 + args.grants):  # each grant ranks up the members it takes over a threshold
            started = time.perf_counter()
            with transaction(sessions) as session:
                before = session.scalar(text("SELECT count(*) FROM outbound_messages"))
                made = service.grant_to_segment(session, Segment(), 50, "ベンチマーク", f"bench{run}", "bench")
                ranked_up = session.scalar(text("SELECT count(*) FROM outbound_messages")) - before
            took.append(time.perf_counter() - started)
            print(f"grant to a segment of {made:,} members with ranks and leaderboards: {took[-1]:.2f} s, "
                  f"{ranked_up:,} rank-ups announced (goal ≤ 2 s at 100,000)")
        print(f"with ranks and leaderboards, {len(took)} grants: best {min(took):.2f} s, "
              f"worst {max(took):.2f} s; {load_average()}")
        engine.dispose()


if __name__ == "__main__":
    main()
