"""Appointment candidates on PostgreSQL: the candidates page (one set-based query: lifetime points, any of
the required badges, distinct Japan-time months with an action in the recent window, no sanctions, still a
member) and its count, over `--members` members and `--actions` member actions (goal ≤ 1 s a page at
100,000 members).

Creates a scratch database, migrates it, bulk-loads members, actions spread over the last 12 months and
their active months (`member_active_months`, filled as migration 0027 fills it, which is timed), kept
balances, the built-in badges held by a third of the members and warnings for one member in a hundred, then
times the first page, a later page (keyset) and the count under the rules "500 points, first_review, 3 of the
last 6 months, no sanctions", and what marking a batch's months costs (500 actions of 50 members).

    .venv/bin/python bench/run_candidates_bench.py [--members 100000] [--actions 2000000] [--runs 20] [--quick]

LINECOMM_BENCH_PG points at the PostgreSQL server (default postgres@127.0.0.1:5432). The database is
dropped at the end. `--quick` (10,000 members, 100,000 actions) checks the benchmark itself, not a figure.
"""
from __future__ import annotations

import argparse
import os
import time
from datetime import timedelta

from page_timing import percentile, scratch_site
from sqlalchemy import text

from linecomm import migrate
from linecomm.actions import active_months
from linecomm.actions.models import MemberAction
from linecomm.ambassadors import candidates
from linecomm.ambassadors.models import CandidateRules
from linecomm.db import make_engine, make_session_factory, transaction, utcnow
from linecomm.points import badges

LOAD_MEMBERS = """
INSERT INTO members (line_user_id, display_name, status, is_following, cohort, nickname, nickname_key,
                     created_at, followed_at, joined_at, last_active_at)
SELECT 'U' || md5(i::text), 'ユーザー ' || i, CASE WHEN i % 50 = 0 THEN 'left' ELSE 'member' END, true, '1期生',
       'かいいん' || i, 'かいいん' || i, now(), now(), now(), now()
FROM generate_series(1, :n) AS i
"""
LOAD_ACTIONS = """
INSERT INTO member_actions (member_id, kind, key, occurred_at)
SELECT 1 + (i::bigint * 7919) % :members, 'reaction', 'bench:' || i, now() - (i % 360) * interval '1 day'
FROM generate_series(1, :n) AS i
"""
LOAD_ACTIVE_MONTHS = """
INSERT INTO member_active_months (member_id, month)
SELECT DISTINCT member_id, to_char(occurred_at AT TIME ZONE 'Asia/Tokyo', 'YYYY-MM') FROM member_actions
"""
LOAD_POINTS = """
INSERT INTO member_points (member_id, balance, lifetime, updated_at)
SELECT id, (id * 37) % 2000, (id * 37) % 2000, now() FROM members
"""
LOAD_BADGES = """
INSERT INTO member_badges (member_id, badge_id, granted_at)
SELECT m.id, b.id, now() FROM members m, badges b WHERE b.code = 'first_review' AND m.id % 3 = 0
"""
LOAD_WARNINGS = """
INSERT INTO member_sanctions (member_id, kind, reason, created_at)
SELECT id, 'warn', 'ベンチマーク', now() FROM members WHERE id % 100 = 0
"""


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--members", type=int, default=100_000)
    parser.add_argument("--actions", type=int, default=2_000_000)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    if args.quick:
        args.members, args.actions, args.runs = 10_000, 100_000, 3
    print("load average {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))
    with scratch_site("candidates") as (url, _fake):
        migrate.upgrade(url)
        engine = make_engine(url)
        sessions = make_session_factory(engine)
        started = time.perf_counter()
        with engine.begin() as conn:
            conn.execute(text(LOAD_MEMBERS), {"n": args.members})
            conn.execute(text(LOAD_ACTIONS), {"n": args.actions, "members": args.members})
            months_started = time.perf_counter()
            conn.execute(text(LOAD_ACTIVE_MONTHS))
            months_took = time.perf_counter() - months_started
            conn.execute(text(LOAD_POINTS))
        with transaction(sessions) as session:
            badges.ensure_builtins(session)
        with engine.begin() as conn:
            conn.execute(text(LOAD_BADGES))
            conn.execute(text(LOAD_WARNINGS))
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            for table in ("members", "member_actions", "member_active_months", "member_points", "member_badges",
                          "member_sanctions"):
                conn.execute(text(f"VACUUM ANALYZE {table}"))
        print(f"loaded {args.members:,} members and {args.actions:,} actions in {time.perf_counter() - started:.1f} s")
        with engine.connect() as conn:
            months = conn.scalar(text("SELECT count(*) FROM member_active_months"))
        print(f"member_active_months: {months:,} rows, filled from the actions in {months_took:.1f} s")

        rules = CandidateRules(id=1, min_lifetime_points=500, required_badges="first_review", min_active_months=3,
                               active_window_months=6, no_sanctions=True, moderator_daily_limit=10)
        now = utcnow()
        timings: dict[str, list[float]] = {"first page": [], "a later page": [], "count": []}
        with sessions() as session:
            total = candidates.count(session, rules, now)
            first = candidates.page(session, rules, now)
            for _ in range(args.runs):
                for label, run in (("first page", lambda: candidates.page(session, rules, now)),
                                   ("a later page", lambda: candidates.page(
                                       session, rules, now, after=candidates.parse_cursor(first.next_cursor))),
                                   ("count", lambda: candidates.count(session, rules, now))):
                    started = time.perf_counter()
                    run()
                    timings[label].append((time.perf_counter() - started) * 1000)
                    session.rollback()
            batch = [MemberAction(member_id=1 + i % 50, occurred_at=now - timedelta(days=i % 40)) for i in range(500)]
            marking: list[float] = []
            for _ in range(args.runs):
                started = time.perf_counter()
                active_months.note(session, batch)
                marking.append((time.perf_counter() - started) * 1000)
                session.rollback()
        print(f"{total:,} candidates of {args.members:,} members, {args.runs} runs each")
        for label, times in timings.items():
            print(f"{label}: p50 {percentile(times, 0.5):.0f} ms, p95 {percentile(times, 0.95):.0f} ms, "
                  f"max {max(times):.0f} ms (goal ≤ 1,000 ms)")
        print(f"marking a batch's months (500 actions, 50 members): p50 {percentile(marking, 0.5):.1f} ms, "
              f"p95 {percentile(marking, 0.95):.1f} ms")
        engine.dispose()
    print("load average {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))


if __name__ == "__main__":
    main()
