"""Admin console at a million members: server time of the member list and search pages on PostgreSQL.

Creates a scratch database, migrates it, bulk-loads 1,000,000 members (set-based SQL, generate_series)
with cohorts, statuses and a tag on 10% of them, then times each page through the Flask test client
(in process: routing, session and permission checks, the queries and the Jinja rendering; no network)
and prints p50 / p95 / max per page. The database is dropped at the end.

    .venv/bin/python bench/admin_member_search.py [--members 1000000] [--requests 40]

LINECOMM_BENCH_PG points at the PostgreSQL server (default postgres@127.0.0.1:5432).
"""
from __future__ import annotations

import argparse
import os
import platform
import re
import statistics
import tempfile
import time
import uuid
from pathlib import Path

import machine_speed
from sqlalchemy import create_engine, text

from linecomm import migrate
from linecomm.config import Settings
from linecomm.db import transaction
from linecomm.staff import service as staff_service
from linecomm.web import build_app

PG_ADMIN_URL = os.environ.get("LINECOMM_BENCH_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
PASSWORD = "bench password 1234"

LOAD_MEMBERS = """
INSERT INTO members (line_user_id, display_name, status, is_following, cohort, nickname, nickname_key,
                     created_at, followed_at, joined_at, last_active_at)
SELECT 'U' || md5(i::text),
       CASE WHEN i % 7 = 0 THEN (ARRAY['Yuki','Hana','Ken','Mika','Taro','Emi','Sho','Aya'])[1 + i % 8] || ' ' || i
            ELSE (ARRAY['佐藤','鈴木','高橋','田中','伊藤','渡辺','山本','中村','小林','加藤'])[1 + i % 10] || ' ' ||
                 (ARRAY['花子','太郎','美咲','翔','陽菜','蓮','結衣','大翔','さくら','ゆうき','あおい'])
                   [1 + (i / 10) % 11]
       END,
       CASE WHEN i % 100 < 90 THEN 'member' WHEN i % 100 < 95 THEN 'left'
            WHEN i % 100 < 98 THEN 'follower' ELSE 'suspended' END,
       true,
       (ARRAY['0期生','1期生','2期生','3期生','4期生','5期生','6期生','7期生','8期生','9期生'])[1 + (i / 100000)],
       nick, nick,
       ts, ts, ts + interval '1 hour', ts + interval '3 days'
FROM (
  SELECT i,
         (ARRAY['さくら','はな','ゆき','そら','もも','りん','こはる','ひなた','みどり','あおば','つばさ','かえで'])
           [1 + i % 12]
           || (ARRAY['まる','こ','ちゃん','ねこ','ぱん','すけ','みん'])[1 + (i / 12) % 7] || i::text AS nick,
         timestamptz '2025-01-01 00:00+00' + (i * interval '30 seconds') AS ts
  FROM generate_series(1, :n) AS i
) AS g
"""

PAGES = [
    ("一覧 1ページ目", "/admin/members"),
    ("一覧 深いページ (after=中ほど)", "/admin/members?after={middle}"),
    ("ニックネーム検索 3文字以上 (さくらまる12)", "/admin/members?q=さくらまる12"),
    ("ニックネーム検索 カタカナ (ヒナタネコ)", "/admin/members?q=ヒナタネコ"),
    ("ニックネーム検索 2文字 (はな)", "/admin/members?q=はな"),
    ("表示名検索 (高橋 美咲)", "/admin/members?q=高橋 美咲"),
    ("表示名検索 英字 (yuki 7)", "/admin/members?q=yuki 7"),
    ("該当なし検索 (ぬぬぬぬ)", "/admin/members?q=ぬぬぬぬ"),
    ("タグ絞り込み (10%)", "/admin/members?tag={tag}"),
    ("期で絞り込み", "/admin/members?cohort=3期生"),
    ("状態で絞り込み (利用停止 2%)", "/admin/members?status=suspended"),
    ("期 + 状態 + タグ", "/admin/members?cohort=5期生&status=member&tag={tag}"),
    ("会員詳細", "/admin/members/{middle}"),
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--members", type=int, default=1_000_000)
    parser.add_argument("--requests", type=int, default=40, help="timed requests per page (after 3 warm-ups)")
    args = parser.parse_args()

    name = f"linecomm_bench_admin_{uuid.uuid4().hex[:8]}"
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    try:
        run(url, args.members, args.requests)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def run(url: str, members: int, requests: int) -> None:
    migrate.upgrade(url)
    engine = create_engine(url)
    started = time.perf_counter()
    with engine.begin() as conn:
        # Bulk load without the trigram indexes, then build them once (as a restore would).
        conn.execute(text("DROP INDEX ix_members_nickname_key_trgm"))
        conn.execute(text("DROP INDEX ix_members_display_name_trgm"))
        conn.execute(text(LOAD_MEMBERS), {"n": members})
        conn.execute(text("INSERT INTO tags (name, created_at) VALUES ('モニター', now()), ('VIP', now())"))
        conn.execute(text(
            "INSERT INTO member_tags (tag_id, member_id, tagged_at) "
            "SELECT 1, id, now() FROM members WHERE id % 10 = 3"
        ))
        conn.execute(text("CREATE INDEX ix_members_nickname_key_trgm ON members USING gin (nickname_key gin_trgm_ops)"))
        conn.execute(text("CREATE INDEX ix_members_display_name_trgm ON members USING gin (display_name gin_trgm_ops)"))
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("VACUUM ANALYZE"))
        total = conn.scalar(text("SELECT count(*) FROM members"))
        middle = conn.scalar(text("SELECT id FROM members ORDER BY id OFFSET :o LIMIT 1"), {"o": total // 2})
        version = conn.scalar(text("SHOW server_version"))
    engine.dispose()
    print(f"loaded {total:,} members in {time.perf_counter() - started:.1f} s")

    instance = Path(tempfile.mkdtemp(prefix="linecomm-bench-"))
    settings = Settings(env="test", database_url=url, secret_key="bench", instance_path=instance,
                        line_api_base_url="http://127.0.0.1:9", line_login_base_url="http://127.0.0.1:9",
                        sweep_interval_seconds=3600).resolved()
    app = build_app(settings)
    rt = app.extensions["linecomm"]
    with transaction(rt.sessions) as session:
        staff_service.create_user(session, "bench@example.com", "bench", "marketer", PASSWORD)
    client = app.test_client()
    page = client.get("/admin/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
    assert client.post("/admin/login", data={"email": "bench@example.com", "password": PASSWORD,
                                             "csrf_token": token}).status_code == 303

    print(f"PostgreSQL {version}, Python {platform.python_version()}, {os.cpu_count()} CPU cores, "
          f"{requests} timed requests per page (in-process Flask test client)")
    print(machine_speed.describe(machine_speed.reference_us()) + "\n")
    print(f"{'page':<44} {'rows':>4} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8}")
    worst = 0.0
    for label, template in PAGES:
        path = template.format(middle=middle, tag=1)
        times = []
        rows = 0
        for i in range(requests + 3):
            t0 = time.perf_counter()
            response = client.get(path)
            elapsed = (time.perf_counter() - t0) * 1000
            assert response.status_code == 200, (path, response.status_code)
            if i >= 3:
                times.append(elapsed)
            rows = response.get_data(as_text=True).count('<td data-label="ID">')
        times.sort()
        p95 = times[max(0, int(len(times) * 0.95 + 0.5) - 1)]
        worst = max(worst, p95)
        print(f"{label:<44} {rows:>4} {statistics.median(times):>8.1f} {p95:>8.1f} {times[-1]:>8.1f}")
    print(f"\nworst p95: {worst:.1f} ms (goal < 100 ms)")
    rt.close()


if __name__ == "__main__":
    main()
