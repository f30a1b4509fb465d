"""KPI snapshots and the KPI dashboard at scale, on PostgreSQL.

Creates a scratch database, migrates it and bulk-loads (set-based SQL, generate_series) 1,000,000 members
in 10 cohorts (joins over two years, 5% left, 3% blocked) and 10,000,000 events over the last year:
6,000,000 member actions, 2,500,000 chat messages in the webhook inbox, 1,000,000 member posts
(5% hidden), 400,000 survey responses with an NPS answer (each a response and an answer row), 100,000 invite
shares and 50,000 attributed referral joins, plus push batches that reached every member in the last 30
days. Then:

1. times the daily snapshot job's work for yesterday (`snapshot.snapshot_day`, one transaction, every
   metric one statement), twice (the second run replaces the first: same rows); goal <= 60 s;
2. times today's figures so far, stored provisional (what the KPI pass does every 10 minutes);
3. stores a year of synthetic snapshots (every metric, every cohort, 365 days) and times the dashboard
   page, message cost included (in-process Flask test client, a signed-in marketer) for the year to
   yesterday, the year to today (today as the pass stored it) and a cohort; goal p95 <= 200 ms.

    .venv/bin/python bench/run_kpi_bench.py [--members 1000000] [--requests 30]

LINECOMM_BENCH_PG points at the PostgreSQL server (default postgres@127.0.0.1:5432). Other processes share
the machine: the load average and the CPU reference (bench/machine_speed.py) are printed with the figures.
"""
from __future__ import annotations

import argparse
import os
import platform
import re
import statistics
import sys
import tempfile
import time
import uuid
from datetime import datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import machine_speed  # noqa: E402
from sqlalchemy import create_engine, func, select, text  # noqa: E402

from linecomm import migrate  # noqa: E402
from linecomm.config import Settings  # noqa: E402
from linecomm.db import make_engine, make_session_factory, transaction, utcnow  # noqa: E402
from linecomm.kpis import snapshot  # noqa: E402
from linecomm.kpis.metrics import jst_day  # noqa: E402
from linecomm.kpis.models import KpiDaily  # noqa: E402
from linecomm.staff import service as staff_service  # noqa: E402
from linecomm.web import build_app  # noqa: E402

PG_ADMIN_URL = os.environ.get("LINECOMM_BENCH_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
PASSWORD = "bench password 1234"
COHORTS = "ARRAY['0期生','1期生','2期生','3期生','4期生','5期生','6期生','7期生','8期生','9期生']"

LOAD = [
    ("members", f"""
INSERT INTO members (line_user_id, status, is_following, cohort, nickname, nickname_key, created_at, followed_at,
                     unfollowed_at, joined_at, left_at)
SELECT 'U' || i, CASE WHEN i % 20 = 0 THEN 'left' ELSE 'member' END, i % 33 <> 0,
       ({COHORTS})[1 + i % 10], 'メンバー' || i, 'bench' || i, ts, ts,
       CASE WHEN i % 33 = 0 THEN :now - (i % 300) * interval '1 day' END, ts + interval '1 hour',
       CASE WHEN i % 20 = 0 THEN :now - (i % 200) * interval '1 day' END
FROM (SELECT i, :now - interval '730 days' + (i * interval '1 minute') * (730 * 1440.0 / :n) AS ts
      FROM generate_series(1, :n) AS i) AS g"""),
    ("invite codes (the cohorts)", f"""
INSERT INTO invite_codes (code, cohort, max_uses, used_count, created_at)
SELECT 'BENCH' || c, ({COHORTS})[c], 1000000, 0, :now FROM generate_series(1, 10) AS c"""),
    ("member actions", """
INSERT INTO member_actions (member_id, kind, key, occurred_at)
SELECT 1 + (i::bigint * 7919) % :n,
       (ARRAY['theme_answer','reaction','vote','survey_response','review_published','idea_submitted',
              'idea_supported','answer_given','helpful_received','best_answer'])[1 + i % 10],
       'bench:' || i, :now - (i % 525600) * interval '1 minute'
FROM generate_series(1, :actions) AS i"""),
    ("chat messages", """
INSERT INTO webhook_events (webhook_event_id, event_type, source_type, user_id, payload, status, attempts,
                            is_redelivery, received_at)
SELECT 'bench-' || i, 'message', 'user', 'U' || (1 + (i::bigint * 104729) % :n), '{}', 'done', 1, false,
       :now - (i % 525600) * interval '1 minute'
FROM generate_series(1, :chats) AS i"""),
    ("member posts", """
INSERT INTO content_items (member_id, kind, body, state, in_queue, report_count, created_at)
SELECT 1 + (i::bigint * 31) % :n, (ARRAY['theme_reply','review','idea','comment','question','answer'])[1 + i % 6],
       'ベンチの投稿', CASE WHEN i % 20 = 0 THEN 'hidden' ELSE 'published' END, false, 0,
       :now - (i % 525600) * interval '1 minute'
FROM generate_series(1, :posts) AS i"""),
    ("survey + NPS", """
WITH s AS (INSERT INTO surveys (title, segment, published_at, created_at, updated_at)
           VALUES ('満足度', '{}', :now - interval '400 days', :now, :now) RETURNING id),
     q AS (INSERT INTO survey_questions (survey_id, position, kind, prompt, required)
           SELECT id, 1, 'nps', 'おすすめ度', true FROM s RETURNING id, survey_id),
     r AS (INSERT INTO survey_responses (survey_id, member_id, submission_key, submitted_at, updated_at, edit_count)
           SELECT q.survey_id, i * 2, 'k' || i, :now - (i % 525600) * interval '1 minute', :now, 0
           FROM q, generate_series(1, :responses) AS i RETURNING id, member_id)
INSERT INTO survey_answers (response_id, question_id, number)
SELECT r.id, q.id, (r.member_id * 7) % 11 FROM r, q"""),
    ("referrals", """
INSERT INTO referral_shares (member_id, shared_at)
SELECT 1 + (i::bigint * 13) % :n, :now - (i % 525600) * interval '1 minute' FROM generate_series(1, :shares) AS i"""),
    ("referral joins", """
INSERT INTO referrals (referrer_member_id, referred_member_id, attributed_at)
SELECT 1 + (i::bigint * 17) % greatest(:n / 200, 1), :n / 10 + i, :now - (i % 525600) * interval '1 minute'
FROM generate_series(1, :joins) AS i"""),
    ("pushes", """
WITH d AS (INSERT INTO push_deliveries (kind, occurrence_key, status, messages, segment, quota_policy,
                                        over_cap_count, over_quota_count, recipients, batch_count, batch_size,
                                        not_before, created_at, started_at, finished_at)
           VALUES ('post', 'bench', 'sent', '[]', '{}', 'refuse', 0, 0, :n, :n / 500, 500, :now, :now,
                   :now - interval '3 days', :now - interval '3 days') RETURNING id)
INSERT INTO push_batches (delivery_id, batch_no, retry_key, member_ids, size, status, attempts, sent_count,
                          skipped_count, accepted_before, finished_at)
SELECT d.id, b, 'bench-' || b, ARRAY(SELECT generate_series(b * 500 + 1, b * 500 + 500)), 500, 'sent', 1,
       500, 0, false, :now - interval '3 days'
FROM d, generate_series(0, :n / 500 - 1) AS b"""),
]

YEAR_OF_SNAPSHOTS = """
INSERT INTO kpi_daily (day, metric, cohort, value, computed_at)
SELECT d::date, m, c, (abs(hashtext(d::text || m || c)) % 5000), now()
FROM generate_series(CAST(:first AS date), CAST(:last AS date), interval '1 day') AS d,
     unnest(CAST(:metrics AS text[])) AS m, unnest(CAST(:cohorts AS text[])) AS c
ON CONFLICT DO NOTHING"""


class HeldQueue:
    """Jobs are recorded, never run: the embedded queue's periodic sweeps (points, badges, the KPI pass
    itself) would otherwise run on this database in the background while the pages are timed."""

    def __init__(self) -> None:
        self.jobs: list[str] = []

    def enqueue(self, func: str, *args: object, job_id: str | None = None) -> None:
        self.jobs.append(func)

    def enqueue_in(self, delay_seconds: float, func: str, *args: object) -> None:
        self.jobs.append(func)

    def enqueue_coalesced(self, key: str, func: str, *args: object) -> bool:
        self.jobs.append(func)
        return True

    def release_coalesced(self, key: str) -> None:
        pass

    def ping(self) -> bool:
        return True

    def close(self) -> None:
        pass


def machine_state() -> str:
    load = ", ".join(f"{v:.2f}" for v in os.getloadavg())
    return f"load average {load}; {os.cpu_count()} CPU cores (shared with other work)"


def p95(times: list[float]) -> float:
    times = sorted(times)
    return times[max(0, int(len(times) * 0.95 + 0.5) - 1)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--members", type=int, default=1_000_000)
    parser.add_argument("--requests", type=int, default=30, help="timed requests per page (after 2 warm-ups)")
    parser.add_argument("--keep", action="store_true", help="keep the scratch database (prints its URL)")
    parser.add_argument("--reuse", metavar="URL", help="time again on a database a --keep run loaded")
    args = parser.parse_args()
    if args.reuse:
        run(args.reuse, args.members, args.requests, load=False)
        return
    name = f"linecomm_bench_kpi_{uuid.uuid4().hex[:8]}"
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    try:
        run(url, args.members, args.requests)
    finally:
        if args.keep:
            print(f"kept {url}")
        else:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def run(url: str, n: int, requests: int, load: bool = True) -> None:
    print(machine_state())
    print(machine_speed.describe(machine_speed.reference_us()))
    now = utcnow()
    if load:
        load_data(url, n, now)
    time_snapshots_and_pages(url, requests, now)


def load_data(url: str, n: int, now: datetime) -> None:
    migrate.upgrade(url)
    engine = create_engine(url)
    scale = n / 1_000_000
    sizes = {"n": n, "now": now, "actions": int(6_000_000 * scale), "chats": int(2_500_000 * scale),
             "posts": int(1_000_000 * scale), "responses": int(400_000 * scale), "shares": int(100_000 * scale),
             "joins": int(50_000 * scale)}
    events = sum(sizes[k] for k in ("actions", "chats", "posts", "shares", "joins")) + 2 * sizes["responses"]
    started = time.perf_counter()
    for label, sql in LOAD:
        t0 = time.perf_counter()
        with engine.begin() as conn:
            conn.execute(text(sql), sizes)
        print(f"  loaded {label} in {time.perf_counter() - t0:.1f} s")
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("VACUUM ANALYZE"))
        version = conn.scalar(text("SHOW server_version"))
    engine.dispose()
    print(f"loaded {n:,} members and {events:,} events in {time.perf_counter() - started:.0f} s "
          f"(PostgreSQL {version}, Python {platform.python_version()})\n")


def time_snapshots_and_pages(url: str, requests: int, now: datetime) -> None:
    engine = create_engine(url)
    with engine.connect() as conn:
        n = conn.scalar(text("SELECT count(*) FROM members"))
        events = conn.scalar(text(
            "SELECT (SELECT count(*) FROM member_actions) + (SELECT count(*) FROM webhook_events) "
            "+ (SELECT count(*) FROM content_items) + 2 * (SELECT count(*) FROM survey_responses) "
            "+ (SELECT count(*) FROM referral_shares) + (SELECT count(*) FROM referrals)"))
        conn.execute(text("DELETE FROM kpi_daily"))
        conn.commit()
    engine.dispose()
    print(f"{n:,} members, {events:,} events")

    work = make_engine(url)
    factory = make_session_factory(work)
    today = jst_day(now)
    yesterday = today - timedelta(days=1)
    for attempt in ("first", "again (replaces the day)"):
        t0 = time.perf_counter()
        with transaction(factory) as session:
            rows = snapshot.snapshot_day(session, yesterday, now)
        print(f"snapshot job for {yesterday} ({attempt}): {time.perf_counter() - t0:.1f} s, {rows} rows "
              f"(goal <= 60 s)  [{machine_state()}]")
    t0 = time.perf_counter()
    with transaction(factory) as session:  # what the KPI pass does every 10 minutes; the page reads it
        live = snapshot.store_today(session, today, now)
    print(f"today's figures so far, stored by the KPI pass: {time.perf_counter() - t0:.1f} s ({live} rows)")

    cohorts = ["", *(f"{i}期生" for i in range(10))]
    t0 = time.perf_counter()
    with transaction(factory) as session:
        session.execute(text(YEAR_OF_SNAPSHOTS), {
            "first": today - timedelta(days=365), "last": yesterday - timedelta(days=1),
            "metrics": list(snapshot.DAILY_METRICS), "cohorts": cohorts})
        stored = session.scalar(select(func.count()).select_from(KpiDaily))
    with work.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("VACUUM ANALYZE kpi_daily"))
    print(f"a year of snapshots: {stored:,} rows in kpi_daily ({time.perf_counter() - t0:.1f} s)\n")
    work.dispose()

    instance = Path(tempfile.mkdtemp(prefix="linecomm-bench-"))
    settings = Settings(env="test", database_url=url, secret_key="bench", instance_path=instance,
                        line_api_base_url="http://127.0.0.1:9", line_login_base_url="http://127.0.0.1:9",
                        sweep_interval_seconds=3600).resolved()
    app = build_app(settings, queue=HeldQueue())  # type: ignore[arg-type]
    rt = app.extensions["linecomm"]
    try:
        with transaction(rt.sessions) as session:
            staff_service.create_user(session, "bench@example.com", "bench", "marketer", PASSWORD)
    except staff_service.StaffError:  # --reuse: made by the first run
        pass
    client = app.test_client()
    page = client.get("/admin/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
    assert client.post("/admin/login", data={"email": "bench@example.com", "password": PASSWORD,
                                             "csrf_token": token}).status_code == 303
    year = (today - timedelta(days=364)).isoformat()
    pages = [
        ("a year to yesterday (snapshots only)", f"/admin/kpis?from={year}&to={yesterday}"),
        ("a year to today (today as the KPI pass stored it)", f"/admin/kpis?from={year}&to={today}"),
        ("a year, one cohort (3期生)", f"/admin/kpis?from={year}&to={yesterday}&cohort=3期生"),
        ("the default (30 days to today)", "/admin/kpis"),
        ("CSV: a year of members by day", f"/admin/kpis/members-daily.csv?from={year}&to={yesterday}"),
    ]
    # Every page includes the message-cost section (its monthly active members come from the snapshots;
    # LINE's quota is asked of an address that refuses at once, as an unreachable LINE would).
    print(f"{'page':<52} {'first ms':>9} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8}")
    worst = 0.0
    for label, path in pages:
        times, first = [], 0.0
        for i in range(requests + 2):
            t0 = time.perf_counter()
            response = client.get(path)
            elapsed = (time.perf_counter() - t0) * 1000
            assert response.status_code == 200, (path, response.status_code)
            if i == 0:
                first = elapsed
            if i >= 2:
                times.append(elapsed)
        worst = max(worst, p95(times))
        print(f"{label:<52} {first:>9.0f} {statistics.median(times):>8.1f} {p95(times):>8.1f} {max(times):>8.1f}")
    print(f"\nworst p95: {worst:.1f} ms (goal <= 200 ms); {machine_state()}")
    print(machine_speed.describe(machine_speed.reference_us()))
    rt.close()


if __name__ == "__main__":
    main()
