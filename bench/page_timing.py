"""What the page benchmarks share (surveys, reviews, ideas): a scratch PostgreSQL database with the fake LINE
platform beside it, the app's settings for it, a LIFF client signed in as a member, the report's header, and
the timing of one page over N requests (p50/p95/max after 3 warm-ups, optionally waiting for a quiet machine
first)."""
from __future__ import annotations

import os
import platform
import statistics
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import machine_speed
from cpu_usage import wait_for_quiet
from sqlalchemy import create_engine, text

from linecomm.config import Settings
from linecomm.line.fake import FakeLinePlatform

PG_ADMIN_URL = os.environ.get("LINECOMM_BENCH_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
LOGIN_CHANNEL = "1234567890"
WARM_UPS = 3


@contextmanager
def scratch_site(prefix: str) -> Iterator[tuple[str, FakeLinePlatform]]:
    """A new PostgreSQL database (dropped afterwards, whatever happens) and a running fake LINE platform."""
    name = f"linecomm_bench_{prefix}_{uuid.uuid4().hex[:8]}"
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    fake = FakeLinePlatform(channel_access_token="bench-token", login_channel_id=LOGIN_CHANNEL)
    fake.start(host="127.0.0.1", port=0)
    try:
        yield PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}", fake
    finally:
        fake.stop()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def site_settings(url: str, fake: FakeLinePlatform) -> Settings:
    """The app's settings for a scratch site: its database, the fake platform, a LIFF app, no sweeps."""
    return Settings(env="test", database_url=url, secret_key="bench",
                    instance_path=Path(tempfile.mkdtemp(prefix="linecomm-bench-")),
                    line_channel_secret="bench-secret", line_channel_access_token="bench-token",
                    line_login_channel_id=LOGIN_CHANNEL, liff_id=f"{LOGIN_CHANNEL}-bench",
                    line_api_base_url=fake.url, line_login_base_url=fake.url,
                    sweep_interval_seconds=3600).resolved()


def percentile(times: list[float], share: float) -> float:
    ordered = sorted(times)
    return ordered[max(0, int(len(ordered) * share + 0.5) - 1)]


def timed(label: str, get: Callable[[], Any], requests: int, check: Callable[[Any], None], *,
          quiet_wait: float = 0.0, width: int = 44) -> float:
    """Time `get()` over `requests` requests after the warm-ups, checking each response; prints a row
    (label, p50, p95, max in ms) and returns the p95. `quiet_wait`: first wait up to that many seconds
    for the machine to be quiet (the row says when it was not)."""
    quiet, busy = wait_for_quiet(quiet_wait) if quiet_wait > 0 else (True, 0.0)
    times = []
    for i in range(requests + WARM_UPS):
        t0 = time.perf_counter()
        response = get()
        elapsed = (time.perf_counter() - t0) * 1000
        check(response)
        if i >= WARM_UPS:
            times.append(elapsed)
    p95 = percentile(times, 0.95)
    note = "" if quiet else f"  (machine {busy:.0%} busy from other processes)"
    print(f"{label:<{width}} {statistics.median(times):>8.1f} {p95:>8.1f} {max(times):>8.1f}{note}")
    return p95


def liff_client(app: Any, fake: FakeLinePlatform, line_user_id: str) -> Any:
    """A test client of `app` signed in on LIFF as `line_user_id` (made a friend of the fake platform)."""
    fake.add_user(line_user_id, "会員")
    client = app.test_client()
    signed = client.post("/liff/session", json={"id_token": fake.issue_liff_id_token(line_user_id)},
                         headers={"Origin": "http://localhost"})
    assert signed.status_code == 200, signed.get_data(as_text=True)
    return client


def print_header(pg_version: str, requests: int, width: int = 44) -> None:
    """The machine, the CPU reference and the table's heading."""
    print(f"PostgreSQL {pg_version}, Python {platform.python_version()}, {os.cpu_count()} CPU cores, "
          f"{requests} timed requests per page (in-process Flask test client)")
    print(machine_speed.describe(machine_speed.reference_us()) + "\n")
    print(f"{'page':<{width}} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8}")
