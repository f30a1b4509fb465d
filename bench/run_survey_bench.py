"""Surveys at 100,000 responses on PostgreSQL: the admin results page, the full CSV export (time and memory:
it must stay flat) and the member's LIFF survey page (server time, goal p95 < 30 ms).

Creates a scratch database, migrates it, bulk-loads `--members` members (INSERT ... SELECT
generate_series), builds and publishes a five-question survey through the surveys builder (single and
multiple choice, rating, NPS, free text), then gives it one response per member in a few set-based
statements (about 4.5 answers per response). Pages are timed in process through the Flask test client
(routing, sign-in and permission checks, the queries and the Jinja rendering; no network):

* the results page (counts, charts, NPS, the newest free texts) and a free-text search, p50 / p95 / max;
* the CSV export, streamed as a browser would read it: wall time, bytes, rows, and Python's heap
  (tracemalloc, a second run) at 10 %, 50 % and 100 % of the file plus its peak, and the process's peak
  RSS before and after, to show the memory does not grow with the file;
* the LIFF survey page `/liff/surveys/<id>` for a member who answered (their answers) and one who has
  not (the form), signed in once through `POST /liff/session` with an ID token the fake LINE platform
  issued (verified over HTTP as in production), the cookie reused, p50 / p95 / max.

    .venv/bin/python bench/run_survey_bench.py [--members 100000] [--requests 40] [--quick]

LINECOMM_BENCH_PG points at the PostgreSQL server (default postgres@127.0.0.1:5432). The database is
dropped at the end. `--quick` (2,000 members, 10 requests) checks the benchmark itself, not a figure.
"""
from __future__ import annotations

import argparse
import hashlib
import re
import resource
import time
import tracemalloc
from collections.abc import Callable
from typing import Any

from page_timing import liff_client, print_header, scratch_site, site_settings, timed
from sqlalchemy import create_engine, text
from sqlalchemy.orm import sessionmaker

from linecomm import migrate
from linecomm.db import transaction
from linecomm.line.fake import FakeLinePlatform
from linecomm.staff import service as staff_service
from linecomm.surveys import builder
from linecomm.surveys.builder import ChoiceDraft, QuestionDraft, SurveyDraft
from linecomm.web import build_app

PASSWORD = "bench password 1234"
LIFF_GOAL_MS = 30.0

LOAD_MEMBERS = """
INSERT INTO members (line_user_id, display_name, status, is_following, cohort, nickname, nickname_key,
                     created_at, followed_at, joined_at, last_active_at)
SELECT 'U' || md5(i::text), 'ユーザー ' || i, 'member', true,
       (ARRAY['1期生','2期生','3期生','4期生'])[1 + i % 4],
       'かいいん' || i, 'かいいん' || i, ts, ts, ts + interval '1 hour', ts + interval '3 days'
FROM (SELECT i, timestamptz '2025-01-01 00:00+00' + i * interval '5 minutes' AS ts
      FROM generate_series(1, :n) AS i) AS g
"""
LOAD_CONSENTS = """
INSERT INTO consents (member_id, notice_version, agreed_at, channel) SELECT id, :version, joined_at, 'chat' FROM members
"""
LOAD_RESPONSES = """
INSERT INTO survey_responses (survey_id, member_id, submission_key, submitted_at, updated_at, edit_count)
SELECT :survey, id, md5('bench' || id::text), ts, ts, 0
FROM (SELECT id, timestamptz '2026-12-01 00:00+00' + (id % 86400) * interval '1 second' AS ts
      FROM members WHERE id <= :n) AS m
"""
# One statement per question kind: choices picked from the member id, so the tallies are known.
LOAD_ANSWERS = [
    # Q1 single: one of four choices
    """INSERT INTO survey_answers (response_id, question_id, choice_id)
       SELECT r.id, :q1, (:c1)[1 + r.member_id % 4] FROM survey_responses r WHERE r.survey_id = :survey""",
    # Q2 multiple: one to three of five choices
    """INSERT INTO survey_answers (response_id, question_id, choice_id)
       SELECT r.id, :q2, (:c2)[1 + (r.member_id + k) % 5]
       FROM survey_responses r CROSS JOIN generate_series(0, 2) AS k
       WHERE r.survey_id = :survey AND k <= r.member_id % 3""",
    # Q3 rating 1-5, Q4 NPS 0-10
    """INSERT INTO survey_answers (response_id, question_id, number)
       SELECT r.id, :q3, 1 + r.member_id % 5 FROM survey_responses r WHERE r.survey_id = :survey""",
    """INSERT INTO survey_answers (response_id, question_id, number)
       SELECT r.id, :q4, (r.member_id * 7) % 11 FROM survey_responses r WHERE r.survey_id = :survey""",
    # Q5 free text from every third member (some look like formulas, some carry markup)
    """INSERT INTO survey_answers (response_id, question_id, text)
       SELECT r.id, :q5, CASE WHEN r.member_id % 30 = 0 THEN '=HYPERLINK("x") ' || r.member_id
                              WHEN r.member_id % 30 = 3 THEN '<b>とても</b>良いです ' || r.member_id
                              ELSE 'いつも楽しく使っています。配送がもう少し早いとうれしいです。' || r.member_id END
       FROM survey_responses r WHERE r.survey_id = :survey AND r.member_id % 3 = 0""",
]


def survey_draft() -> SurveyDraft:
    return SurveyDraft(title="ご利用満足度アンケート", description="3分ほどで終わります。", questions=(
        QuestionDraft("single", "いちばんよく使う商品はどれですか",
                      choices=tuple(ChoiceDraft(label) for label in ("抹茶", "ほうじ茶", "玄米茶", "煎茶"))),
        QuestionDraft("multiple", "どこで知りましたか（いくつでも）",
                      choices=tuple(ChoiceDraft(label) for label in ("LINE", "店頭", "友人", "雑誌", "検索"))),
        QuestionDraft("rating", "満足度を教えてください"),
        QuestionDraft("nps", "友人にすすめる可能性はどのくらいですか"),
        QuestionDraft("text", "ご意見・ご要望", required=False),
    ))


def load(url: str, members: int, version: str) -> tuple[int, dict[str, Any], float]:
    """Members, the survey (through the builder) and its responses; returns the survey id, the ids used in
    the statements, and the seconds it took."""
    started = time.perf_counter()
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text(LOAD_MEMBERS), {"n": members})
        conn.execute(text(LOAD_CONSENTS), {"version": version})
    with transaction(sessionmaker(engine)) as session:
        survey, _ = builder.create_survey(session, survey_draft(), created_by="bench")
        builder.publish(session, survey.id)
        loaded = builder.questions_of(session, survey.id)
        ids: dict[str, Any] = {"survey": survey.id}
        for n, (question, choices) in enumerate(loaded, start=1):
            ids[f"q{n}"] = question.id
            if choices:
                ids[f"c{n}"] = [c.id for c in choices]
    with engine.begin() as conn:
        conn.execute(text(LOAD_RESPONSES), {"survey": ids["survey"], "n": members})
        for statement in LOAD_ANSWERS:
            conn.execute(text(statement), ids)
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("VACUUM ANALYZE"))
    engine.dispose()
    return ids["survey"], ids, time.perf_counter() - started


def export(client: Any, path: str, total_rows: int, trace: bool) -> dict[str, Any]:
    """Read the CSV as a browser would (chunk by chunk); with `trace`, Python's heap along the way
    (at 10 % and 50 % of `total_rows`, and at the end)."""
    marks: dict[str, float] = {}
    if trace:
        tracemalloc.start()
    t0 = time.perf_counter()
    response = client.get(path, buffered=False)
    assert response.status_code == 200, response.status_code
    size = rows = 0
    for chunk in response.response:
        size += len(chunk)
        rows += chunk.count(b"\r\n")
        if trace:
            for share in (0.1, 0.5):
                key = f"{int(share * 100)}%"
                if key not in marks and rows >= share * total_rows:
                    marks[key] = tracemalloc.get_traced_memory()[0] / 2**20
    response.close()
    elapsed = time.perf_counter() - t0
    result = {"seconds": elapsed, "bytes": size, "rows": rows}
    if trace:
        current, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        result |= {"marks": marks | {"100%": current / 2**20}, "peak": peak / 2**20}
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--members", type=int, default=100_000, help="members, each with one response")
    parser.add_argument("--requests", type=int, default=40, help="timed requests per page (after 3 warm-ups)")
    parser.add_argument("--quick", action="store_true", help="2,000 members, 10 requests: a smoke test")
    args = parser.parse_args()
    if args.quick:
        args.members, args.requests = 2_000, 10

    with scratch_site("survey") as (url, fake):
        ok = run(url, fake, args.members, args.requests)
    raise SystemExit(0 if ok else 1)


def run(url: str, fake: FakeLinePlatform, members: int, requests: int) -> bool:
    migrate.upgrade(url)
    settings = site_settings(url, fake)
    survey_id, ids, seconds = load(url, members, settings.privacy_notice_version)
    engine = create_engine(url)
    with engine.connect() as conn:
        answers = conn.scalar(text("SELECT count(*) FROM survey_answers"))
        responses = conn.scalar(text("SELECT count(*) FROM survey_responses"))
        version = conn.scalar(text("SHOW server_version"))
        newcomer = conn.scalar(text(
            "INSERT INTO members (line_user_id, display_name, status, is_following, cohort, nickname, nickname_key,"
            " created_at, followed_at, joined_at) VALUES ('Ubenchnewcomer', 'まだ回答していない人', 'member', true,"
            " '1期生', 'しんき', 'しんき', now(), now(), now()) RETURNING id"))
        conn.execute(text("INSERT INTO consents (member_id, notice_version, agreed_at, channel) "
                          "VALUES (:m, :v, now(), 'chat')"),
                     {"m": newcomer, "v": settings.privacy_notice_version})
        conn.commit()
    engine.dispose()
    print(f"loaded {members:,} members, {responses:,} responses, {answers:,} answers in {seconds:.1f} s")

    app = build_app(settings)
    rt = app.extensions["linecomm"]
    with transaction(rt.sessions) as session:
        staff_service.create_user(session, "bench@example.com", "bench", "marketer", PASSWORD)
    staff = app.test_client()
    page = staff.get("/admin/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
    assert staff.post("/admin/login", data={"email": "bench@example.com", "password": PASSWORD,
                                            "csrf_token": token}).status_code == 303

    answered = liff_client(app, fake, "U" + hashlib.md5(b"1").hexdigest())  # member 1 answered
    fresh = liff_client(app, fake, "Ubenchnewcomer")
    print_header(version, requests, width=46)

    def ok(marker: str) -> Callable[[Any], None]:
        def check(response: Any) -> None:
            assert response.status_code == 200, response.status_code
            assert marker in response.get_data(as_text=True), marker
        return check

    results_path = f"/admin/surveys/{survey_id}"
    timed("管理画面 結果ページ", lambda: staff.get(results_path), requests, ok(f"{responses:,}件"))
    timed("管理画面 結果ページ 自由記述の検索", lambda: staff.get(results_path + "?q=配送"), requests,
          ok("svy-text__body"))
    liff_p95 = max(
        timed("LIFF アンケート（回答済みの会員）", lambda: answered.get(f"/liff/surveys/{survey_id}"), requests,
              ok("ご利用満足度アンケート")),
        timed("LIFF アンケート（未回答の会員: フォーム）", lambda: fresh.get(f"/liff/surveys/{survey_id}"), requests,
              ok("ご利用満足度アンケート")),
    )

    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    csv_path = f"/admin/surveys/{survey_id}/responses.csv"
    plain = export(staff, csv_path, responses, trace=False)
    rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    traced = export(staff, csv_path, responses, trace=True)
    print(f"\nCSV export: {plain['rows'] - 1:,} responses, {plain['bytes'] / 2**20:.1f} MiB in "
          f"{plain['seconds']:.2f} s ({(plain['rows'] - 1) / plain['seconds']:,.0f} rows/s)")
    marks = "  ".join(f"{k} {v:.1f} MiB" for k, v in traced["marks"].items())
    print(f"  Python heap while streaming (tracemalloc, 2nd run {traced['seconds']:.2f} s): {marks}; "
          f"peak {traced['peak']:.1f} MiB")
    print(f"  process peak RSS: {rss_before:.0f} MiB before the export, {rss_after:.0f} MiB after")

    checks = [
        (f"LIFF survey page p95 < {LIFF_GOAL_MS:.0f} ms", liff_p95 < LIFF_GOAL_MS),
        ("CSV has a row per response", plain["rows"] - 1 == responses),
        ("CSV heap peak under a tenth of the file", traced["peak"] < plain["bytes"] / 2**20 / 10 or
         traced["peak"] < 8),
    ]
    print()
    for label, passed in checks:
        print(f"{'ok  ' if passed else 'FAIL'} {label}")
    rt.close()
    return all(passed for _, passed in checks)


if __name__ == "__main__":
    main()
